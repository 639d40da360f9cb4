/* topk.h - the K best (distance, id) pairs: a bounded max-heap.
 *
 * Order is by distance, ties broken by a caller-supplied comparison of ids
 * (Vessel breaks ties by key name, so replies are deterministic), so the
 * set kept at the K-th place is deterministic too.
 *
 * Invariants:
 *  - items[0] is the worst kept pair once the heap is full (n == k).
 *  - The buffer is caller-owned memory of k items (vs_topk_init).
 */
#ifndef VS_TOPK_H
#define VS_TOPK_H

#include <stddef.h>
#include <stdint.h>

typedef struct vs_scored {
    float dist;  /* distance (smaller is better) */
    uint32_t id; /* document (key) id */
} vs_scored;

/* < 0 if id a orders before id b among equal distances. */
typedef int (*vs_tiebreak_fn)(void *ctx, uint32_t a, uint32_t b);

typedef struct vs_topk {
    vs_scored *items;   /* heap storage, capacity k */
    size_t n, k;
    vs_tiebreak_fn tie; /* may be NULL: ties keep the lower id */
    void *tie_ctx;
} vs_topk;

void vs_topk_init(vs_topk *t, vs_scored *buf, size_t k, vs_tiebreak_fn tie, void *ctx);

/* 1 if (dist, id) would enter the heap. */
static inline int vs_topk_would_take(const vs_topk *t, float dist) {
    return t->n < t->k || dist <= t->items[0].dist;
}
void vs_topk_push(vs_topk *t, float dist, uint32_t id);
/* Push (dist, id) if it would enter and is not farther than max_dist. */
static inline void vs_topk_offer(vs_topk *t, float dist, uint32_t id, float max_dist) {
    if (!(dist > max_dist) && vs_topk_would_take(t, dist)) vs_topk_push(t, dist, id);
}
/* Sort the kept pairs best first (the heap is consumed). */
void vs_topk_sort(vs_topk *t);

/* Is (da, a) better than (db, b)? */
int vs_scored_better(const vs_topk *t, float da, uint32_t a, float db, uint32_t b);

#endif
