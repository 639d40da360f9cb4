/* hybrid_fuse.c - FT.HYBRID's fusion (hybrid.h): two ranked lists into
 * one scored union, and the vector score Redis 8.4 derives from a
 * distance.
 *
 * RRF: each list a document is in adds 1 / (CONSTANT + rank), rank
 * 1-based.  LINEAR: ALPHA * text score + BETA * vector score, a list the
 * document is not in adding nothing.  The union is found by sorting
 * (list, place) entries by id: O(n log n) in the lists' lengths, one
 * allocation besides the result.
 */
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "query/hybrid.h"

double vs_hybrid_vector_score(vs_metric metric, double dist) {
    switch (metric) {
    case VS_METRIC_L2: return 1.0 / (1.0 + dist);
    case VS_METRIC_IP: return (1.0 + dist) / 2.0;
    case VS_METRIC_COSINE: return (1.0 + (1.0 - dist)) / 2.0;
    }
    return 0;
}

typedef struct entry {
    uint32_t id;
    uint32_t list; /* 0 text, 1 vector */
    size_t place;  /* 0-based in its list */
} entry;

static int entry_cmp(const void *a, const void *b) {
    const entry *x = a, *y = b;
    if (x->id != y->id) return x->id < y->id ? -1 : 1;
    if (x->list != y->list) return x->list < y->list ? -1 : 1;
    return (x->place > y->place) - (x->place < y->place);
}

static int first_cmp(const void *a, const void *b) {
    const vs_hybrid_hit *x = a, *y = b;
    return (x->first > y->first) - (x->first < y->first);
}

vs_status vs_hybrid_fuse(const vs_hybrid_fusion *f, const uint32_t *const ids[2], const double *const scores[2],
                         const size_t n[2], vs_hybrid_hit **out, size_t *nout) {
    *out = NULL;
    *nout = 0;
    size_t total = n[0] + n[1];
    entry *e = vs_malloc((total ? total : 1) * sizeof *e);
    vs_hybrid_hit *h = vs_malloc((total ? total : 1) * sizeof *h);
    if (!e || !h) {
        vs_free(e);
        vs_free(h);
        return VS_ERR_NOMEM;
    }
    size_t m = 0;
    for (uint32_t l = 0; l < 2; l++)
        for (size_t i = 0; i < n[l]; i++) e[m++] = (entry){ids[l][i], l, i};
    qsort(e, total, sizeof *e, entry_cmp);
    size_t nh = 0;
    for (size_t i = 0; i < total; i++) {
        if (nh == 0 || h[nh - 1].id != e[i].id) {
            memset(&h[nh], 0, sizeof h[nh]);
            h[nh].id = e[i].id;
            h[nh].first = (size_t)-1;
            nh++;
        }
        vs_hybrid_hit *t = &h[nh - 1];
        uint32_t l = e[i].list;
        if (t->in[l]) continue; /* a repeat in one list: its first place counts */
        t->in[l] = 1;
        t->rank[l] = (uint32_t)(e[i].place + 1);
        t->score[l] = scores[l] ? scores[l][e[i].place] : 0.0;
        size_t at = l == 0 ? e[i].place : n[0] + e[i].place;
        if (at < t->first) t->first = at;
    }
    vs_free(e);
    for (size_t i = 0; i < nh; i++) {
        vs_hybrid_hit *t = &h[i];
        double s = 0;
        for (int l = 0; l < 2; l++) {
            if (!t->in[l]) continue;
            if (f->method == VS_HYBRID_RRF)
                s += 1.0 / (f->constant + (double)t->rank[l]);
            else
                s += (l == 0 ? f->alpha : f->beta) * t->score[l];
        }
        t->fused = s;
    }
    qsort(h, nh, sizeof *h, first_cmp);
    *out = h;
    *nout = nh;
    return VS_OK;
}
