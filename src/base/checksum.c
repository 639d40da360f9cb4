/* checksum.c - XXH64, following the reference description of the
 * algorithm (xxhash.h, BSD-2-Clause, by Yann Collet); streaming form. */
#include "base/checksum.h"

#include <string.h>

#include "base/le.h"

#define P1 0x9E3779B185EBCA87ull
#define P2 0xC2B2AE3D27D4EB4Full
#define P3 0x165667B19E3779F9ull
#define P4 0x85EBCA77C2B2AE63ull
#define P5 0x27D4EB2F165667C5ull

static inline uint64_t rotl(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }

static inline uint64_t round1(uint64_t acc, uint64_t in) {
    acc += in * P2;
    acc = rotl(acc, 31);
    return acc * P1;
}

static inline uint64_t merge(uint64_t acc, uint64_t v) {
    acc ^= round1(0, v);
    return acc * P1 + P4;
}

void vs_xxh64_init(vs_xxh64_state *s, uint64_t seed) {
    memset(s, 0, sizeof *s);
    s->seed = seed;
    s->v[0] = seed + P1 + P2;
    s->v[1] = seed + P2;
    s->v[2] = seed;
    s->v[3] = seed - P1;
}

void vs_xxh64_update(vs_xxh64_state *s, const void *data, size_t n) {
    const uint8_t *p = data;
    s->total += n;
    if (s->nbuf + n < 32) {
        memcpy(s->buf + s->nbuf, p, n);
        s->nbuf += (uint32_t)n;
        return;
    }
    if (s->nbuf) {
        size_t fill = 32 - s->nbuf;
        memcpy(s->buf + s->nbuf, p, fill);
        for (int i = 0; i < 4; i++) s->v[i] = round1(s->v[i], vs_le_get64(s->buf + 8 * i));
        p += fill;
        n -= fill;
        s->nbuf = 0;
    }
    uint64_t v0 = s->v[0], v1 = s->v[1], v2 = s->v[2], v3 = s->v[3];
    for (; n >= 32; p += 32, n -= 32) {
        v0 = round1(v0, vs_le_get64(p));
        v1 = round1(v1, vs_le_get64(p + 8));
        v2 = round1(v2, vs_le_get64(p + 16));
        v3 = round1(v3, vs_le_get64(p + 24));
    }
    s->v[0] = v0;
    s->v[1] = v1;
    s->v[2] = v2;
    s->v[3] = v3;
    if (n) {
        memcpy(s->buf, p, n);
        s->nbuf = (uint32_t)n;
    }
}

uint64_t vs_xxh64_digest(const vs_xxh64_state *s) {
    uint64_t h;
    if (s->total >= 32) {
        h = rotl(s->v[0], 1) + rotl(s->v[1], 7) + rotl(s->v[2], 12) + rotl(s->v[3], 18);
        for (int i = 0; i < 4; i++) h = merge(h, s->v[i]);
    } else {
        h = s->seed + P5;
    }
    h += s->total;
    const uint8_t *p = s->buf;
    size_t n = s->nbuf;
    for (; n >= 8; p += 8, n -= 8) {
        h ^= round1(0, vs_le_get64(p));
        h = rotl(h, 27) * P1 + P4;
    }
    if (n >= 4) {
        h ^= (uint64_t)vs_le_get32(p) * P1;
        h = rotl(h, 23) * P2 + P3;
        p += 4;
        n -= 4;
    }
    for (; n; p++, n--) {
        h ^= (*p) * P5;
        h = rotl(h, 11) * P1;
    }
    h ^= h >> 33;
    h *= P2;
    h ^= h >> 29;
    h *= P3;
    h ^= h >> 32;
    return h;
}

uint64_t vs_xxh64(const void *p, size_t n, uint64_t seed) {
    vs_xxh64_state s;
    vs_xxh64_init(&s, seed);
    vs_xxh64_update(&s, p, n);
    return vs_xxh64_digest(&s);
}
