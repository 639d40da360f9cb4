/* le.h - little-endian integers in byte buffers, whatever the host's
 * byte order: the snapshot format's integers (persist/ frames sections,
 * index/ encodes its own), and the byte-order independent reads of the
 * hashes (checksum.c, util.c).
 *
 * The engine also copies whole arrays as they are in memory (vector
 * blobs, FLAT blocks, HNSW arenas, id tables, in snapshots and in the
 * values it indexes), which is little-endian only on a little-endian
 * host.  WebAssembly is little-endian by definition; a native build for a
 * big-endian host is refused here rather than writing files no other
 * build reads. */
#ifndef VS_LE_H
#define VS_LE_H

#include <stdint.h>

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "Vessel builds for little-endian hosts only (wasm32 is little-endian)"
#endif

static inline void vs_le_put32(uint8_t *p, uint32_t v) {
    for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}
static inline void vs_le_put64(uint8_t *p, uint64_t v) {
    for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i));
}
static inline uint32_t vs_le_get32(const uint8_t *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static inline uint64_t vs_le_get64(const uint8_t *p) {
    return (uint64_t)vs_le_get32(p) | (uint64_t)vs_le_get32(p + 4) << 32;
}

#endif
