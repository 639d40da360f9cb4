/* topk.c - bounded max-heap of scored ids (see topk.h). */
#include "index/topk.h"

void vs_topk_init(vs_topk *t, vs_scored *buf, size_t k, vs_tiebreak_fn tie, void *ctx) {
    t->items = buf;
    t->n = 0;
    t->k = k;
    t->tie = tie;
    t->tie_ctx = ctx;
}

int vs_scored_better(const vs_topk *t, float da, uint32_t a, float db, uint32_t b) {
    if (da != db) return da < db;
    if (a == b) return 0;
    if (t->tie) return t->tie(t->tie_ctx, a, b) < 0;
    return a < b;
}

/* Max-heap by "worse is higher". */
static int worse(const vs_topk *t, const vs_scored *x, const vs_scored *y) {
    return vs_scored_better(t, y->dist, y->id, x->dist, x->id);
}

static void sift_down(vs_topk *t, size_t i, size_t n) {
    vs_scored *h = t->items;
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < n && worse(t, &h[l], &h[m])) m = l;
        if (r < n && worse(t, &h[r], &h[m])) m = r;
        if (m == i) return;
        vs_scored tmp = h[i];
        h[i] = h[m];
        h[m] = tmp;
        i = m;
    }
}

void vs_topk_push(vs_topk *t, float dist, uint32_t id) {
    if (t->k == 0) return;
    vs_scored *h = t->items;
    if (t->n < t->k) {
        size_t i = t->n++;
        h[i].dist = dist;
        h[i].id = id;
        while (i > 0) {
            size_t p = (i - 1) / 2;
            if (!worse(t, &h[i], &h[p])) break;
            vs_scored tmp = h[i];
            h[i] = h[p];
            h[p] = tmp;
            i = p;
        }
        return;
    }
    if (!vs_scored_better(t, dist, id, h[0].dist, h[0].id)) return;
    h[0].dist = dist;
    h[0].id = id;
    sift_down(t, 0, t->n);
}

void vs_topk_sort(vs_topk *t) {
    /* Heap sort: repeatedly move the worst to the end. */
    for (size_t n = t->n; n > 1; n--) {
        vs_scored tmp = t->items[0];
        t->items[0] = t->items[n - 1];
        t->items[n - 1] = tmp;
        sift_down(t, 0, n - 1);
    }
}
