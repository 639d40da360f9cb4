/* bitset.h - fixed-size bit sets over document ids (query evaluation) and
 * growable bit vectors (per-id flags kept by indexes).
 *
 * Invariants: bits past nbits are always zero, so counts and complements
 * never see stray ids. */
#ifndef VS_BITSET_H
#define VS_BITSET_H

#include <stdint.h>
#include <string.h>

#include "base/alloc.h"
#include "base/status.h"

typedef struct vs_bitset {
    uint64_t *w;    /* words */
    uint32_t nbits; /* ids [0, nbits) */
} vs_bitset;

static inline size_t vs_bitset_words(uint32_t nbits) { return ((size_t)nbits + 63) / 64; }

static inline vs_status vs_bitset_init(vs_bitset *b, uint32_t nbits) {
    b->nbits = nbits;
    b->w = vs_calloc(vs_bitset_words(nbits) ? vs_bitset_words(nbits) : 1, sizeof(uint64_t));
    return b->w ? VS_OK : VS_ERR_NOMEM;
}
static inline void vs_bitset_free(vs_bitset *b) {
    vs_free(b->w);
    b->w = NULL;
    b->nbits = 0;
}
static inline void vs_bit_set(uint64_t *w, uint32_t i) { w[i >> 6] |= 1ull << (i & 63); }
static inline void vs_bit_clear(uint64_t *w, uint32_t i) { w[i >> 6] &= ~(1ull << (i & 63)); }
static inline int vs_bit_test(const uint64_t *w, uint32_t i) { return (int)((w[i >> 6] >> (i & 63)) & 1); }

static inline void vs_bitset_and(vs_bitset *a, const vs_bitset *b) {
    for (size_t i = 0, n = vs_bitset_words(a->nbits); i < n; i++) a->w[i] &= b->w[i];
}
static inline void vs_bitset_or(vs_bitset *a, const vs_bitset *b) {
    for (size_t i = 0, n = vs_bitset_words(a->nbits); i < n; i++) a->w[i] |= b->w[i];
}
static inline size_t vs_bitset_count(const vs_bitset *b) {
    size_t c = 0;
    for (size_t i = 0, n = vs_bitset_words(b->nbits); i < n; i++) c += (size_t)__builtin_popcountll(b->w[i]);
    return c;
}
/* Next set bit at or after i, or nbits. */
static inline uint32_t vs_bitset_next(const vs_bitset *b, uint32_t i) {
    if (i >= b->nbits) return b->nbits;
    size_t wi = i >> 6;
    uint64_t word = b->w[wi] & (~0ull << (i & 63));
    size_t n = vs_bitset_words(b->nbits);
    while (!word) {
        if (++wi >= n) return b->nbits;
        word = b->w[wi];
    }
    uint32_t r = (uint32_t)(wi * 64 + (size_t)__builtin_ctzll(word));
    return r < b->nbits ? r : b->nbits;
}

/* A growable bit vector (capacity in bits, multiple of 64). */
typedef struct vs_bitvec {
    uint64_t *w;
    uint32_t cap; /* bits */
} vs_bitvec;

/* Make bit `id` addressable (new bits are zero). */
static inline vs_status vs_bitvec_reserve(vs_bitvec *v, uint32_t id) {
    if (id < v->cap) return VS_OK;
    uint64_t cap = v->cap ? v->cap : 1024;
    while (cap <= id) cap *= 2;
    if (cap > (1ull << 32)) cap = 1ull << 32;
    size_t oldw = v->cap / 64, neww = (size_t)(cap / 64);
    uint64_t *w = vs_realloc(v->w, neww * sizeof *w);
    if (!w) return VS_ERR_NOMEM;
    memset(w + oldw, 0, (neww - oldw) * sizeof *w);
    v->w = w;
    v->cap = (uint32_t)(cap > UINT32_MAX ? UINT32_MAX : cap);
    return VS_OK;
}
static inline int vs_bitvec_test(const vs_bitvec *v, uint32_t id) { return id < v->cap && vs_bit_test(v->w, id); }
static inline void vs_bitvec_free(vs_bitvec *v) {
    vs_free(v->w);
    v->w = NULL;
    v->cap = 0;
}

#endif
