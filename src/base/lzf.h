/* lzf.h - LZF decompression, the format of Redis's compressed RDB
 * strings (Redis's lzf_d.c reads the same streams).
 *
 * A stream is a sequence of items, each opened by a control byte c:
 *   c < 32:  a literal run: the next c + 1 bytes are copied as they are;
 *   c >= 32: a back reference: len = c >> 5 (7 means: add the next byte),
 *            offset = ((c & 0x1f) << 8) + the next byte + 1; len + 2
 *            bytes are copied from offset bytes back in the output (the
 *            ranges may overlap: a short offset repeats a pattern).
 *
 * Invariant: every read stays inside the input and every write inside
 * the output; a stream that would leave either, or refer before the
 * output's start, is refused, whatever its bytes.  Nothing is allocated.
 */
#ifndef VS_LZF_H
#define VS_LZF_H

#include <stddef.h>
#include <stdint.h>

#include "base/status.h"

/* The most output one input byte can give (a 3-byte reference copying
 * 264 bytes), so an uncompressed length above in_len * VS_LZF_MAX_RATIO
 * is impossible. */
#define VS_LZF_MAX_RATIO 88

/* Decompress in[0..in_len) into out[0..out_cap); *out_len gets the bytes
 * written.  VS_ERR_CORRUPT for a damaged stream (a run or reference cut
 * short, a reference before the output's start, output past out_cap).
 * With out NULL nothing is written: the same checks give the length the
 * stream decodes to, so a caller allocates only for a valid stream. */
vs_status vs_lzf_decompress(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap, size_t *out_len);

#endif
