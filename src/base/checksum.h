/* checksum.h - XXH64 (Yann Collet's xxHash, 64-bit), streaming.
 *
 * Snapshots carry one per section and one over the whole file.  XXH64
 * reads 32 bytes per round with 64-bit multiplies, fast in WebAssembly
 * (i64.mul) and natively, so checksumming does not hold saves and loads
 * below memory speed.  Input is read little-endian explicitly, so every
 * build computes the same value. */
#ifndef VS_CHECKSUM_H
#define VS_CHECKSUM_H

#include <stddef.h>
#include <stdint.h>

typedef struct vs_xxh64_state {
    uint64_t total;    /* bytes hashed */
    uint64_t v[4];     /* lane accumulators */
    uint8_t buf[32];   /* pending bytes */
    uint32_t nbuf;
    uint64_t seed;
} vs_xxh64_state;

void vs_xxh64_init(vs_xxh64_state *s, uint64_t seed);
void vs_xxh64_update(vs_xxh64_state *s, const void *p, size_t n);
uint64_t vs_xxh64_digest(const vs_xxh64_state *s);
uint64_t vs_xxh64(const void *p, size_t n, uint64_t seed);

#endif
