/* crc64.h - Redis's CRC-64, the checksum at the end of an RDB file.
 *
 * The Jones polynomial 0xad93d23594c935a9, reflected input and output,
 * initial value 0, no final xor: the check value of "123456789" is
 * 0xe9c6d914c4b8d9ca.  Streaming: start from 0 and feed the bytes in any
 * number of pieces, vs_crc64(vs_crc64(0, a, n), b, m) being the CRC of a
 * followed by b.  Eight bytes per step (slicing-by-8 tables, built once
 * on first use), so checksumming does not dominate an export. */
#ifndef VS_CRC64_H
#define VS_CRC64_H

#include <stddef.h>
#include <stdint.h>

uint64_t vs_crc64(uint64_t crc, const void *p, size_t n);

#endif
