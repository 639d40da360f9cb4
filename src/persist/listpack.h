/* listpack.h - Redis's listpack, the encoding of a small hash in an RDB
 * file (RDB_TYPE_HASH_LISTPACK), written exactly as Redis's lpAppend
 * writes it, so a hash Redis loads is the listpack Redis would have built.
 *
 * Layout: total bytes (uint32 LE), element count (uint16 LE, 65535 when
 * it does not fit), the entries, the end byte 0xFF.  An entry is its
 * encoding and data followed by "backlen", the encoding-and-data length
 * in 1 to 5 bytes (7 bits each, read right to left).  An element that
 * Redis's lpStringToInt64 accepts (a canonical decimal integer in int64:
 * no '+', no leading zeros, no "-0", at most 20 characters) is stored as
 * the smallest integer encoding holding it (7-bit unsigned, 13, 16, 24,
 * 32 or 64-bit signed); any other element as a string with a 6, 12 or
 * 32-bit length.
 */
#ifndef VS_LISTPACK_H
#define VS_LISTPACK_H

#include <stddef.h>
#include <stdint.h>

#define VS_LP_HEADER 6     /* total bytes, element count */
#define VS_LP_END 0xFF
#define VS_LP_COUNT_UNKNOWN 65535

/* Bytes element s (n bytes) takes as an entry, backlen included. */
size_t vs_lp_entry_size(const uint8_t *s, size_t n);
/* Write that entry at out; returns its size (vs_lp_entry_size). */
size_t vs_lp_entry_put(uint8_t *out, const uint8_t *s, size_t n);
/* Write the header of a listpack of `total` bytes holding `count` elements. */
void vs_lp_header_put(uint8_t *out, uint32_t total, uint32_t count);

#endif
