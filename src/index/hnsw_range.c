/* hnsw_range.c - VECTOR_RANGE on an HNSW index (vs_fi_ops.range): the
 * range search of RediSearch's vector library (VecSim), on this graph.
 *
 * The query descends greedily through the upper layers as KNN does; on
 * layer 0 a best-first search keeps a dynamic range r_dyn, first the
 * distance of where the descent ended (or the radius, if that is closer:
 * r_dyn never drops below the radius), then shrunk to the distance of
 * each expanded candidate while that is still >= radius.  A neighbour
 * joins the candidates when its distance is within r_dyn * (1 + epsilon),
 * and the search stops when the closest candidate left is farther than
 * that boundary.  Every element met at distance <= radius is emitted
 * (live ones only, and only the filter's documents when there is a
 * filter); deleted elements and documents outside the filter still route
 * the search.  A larger epsilon explores more of the graph around the
 * ball, so it finds at least as much of it in practice (not guaranteed
 * element by element: the shrinking range depends on the order).
 *
 * As the KNN search, layer 0 also starts from the entry point (every
 * element is reachable from it: hnsw.h), which is expanded only when it
 * lies within the boundary.  Candidates use the index's candidate heap and
 * visited tags (each element enters the heap at most once, so its
 * capacity suffices): nothing is allocated here.
 */
#include "index/hnsw.h"

/* The candidate min-heap (closest first; ties by element id). */
static inline int closer(vs_scored a, vs_scored b) { return a.dist < b.dist || (a.dist == b.dist && a.id < b.id); }

static void cand_push(vs_scored *hp, size_t *n, float d, uint32_t id) {
    size_t i = (*n)++;
    vs_scored x = {d, id};
    while (i) {
        size_t p = (i - 1) >> 1;
        if (!closer(x, hp[p])) break;
        hp[i] = hp[p];
        i = p;
    }
    hp[i] = x;
}

static vs_scored cand_pop(vs_scored *hp, size_t *n) {
    vs_scored top = hp[0], x = hp[--(*n)];
    size_t i = 0, m = *n;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= m) break;
        if (c + 1 < m && closer(hp[c + 1], hp[c])) c++;
        if (!closer(hp[c], x)) break;
        hp[i] = hp[c];
        i = c;
    }
    if (m) hp[i] = x;
    return top;
}

typedef struct rs {
    const vs_hnsw *h;
    const vs_bitset *filter;
    float radius;
    vs_status (*emit)(void *ctx, uint32_t id, float dist);
    void *ctx;
} rs;

/* Emit element e (at distance d <= radius) when it is a result. */
static vs_status found(const rs *r, uint32_t e, float d) {
    if (vs_bit_test(r->h->deleted.w, e)) return VS_OK;
    uint32_t key = vs_hnsw_key(r->h, e);
    if (r->filter && (key >= r->filter->nbits || !vs_bit_test(r->filter->w, key))) return VS_OK;
    return r->emit(r->ctx, key, d);
}

vs_status vs_hnsw_range(vs_field_index *fi, const vs_knn_req *req, float radius, float epsilon,
                        vs_status (*emit)(void *ctx, uint32_t id, float dist), void *ctx) {
    vs_hnsw *h = (vs_hnsw *)fi;
    if (h->live == 0) return VS_OK;
    const vs_vref qr = {req->q.v, req->q.inv_norm}, *q = &qr;
    rs r = {h, req->filter, radius, emit, ctx};
    float dep;
    uint32_t ep = vs_hnsw_descend(h, q, &dep);
    uint16_t tag = vs_hnsw_epoch(h);
    vs_scored *cand = h->cand;
    size_t nc = 0;
    vs_status st = VS_OK;
    float dyn = dep;
    if (dep <= radius) {
        dyn = radius;
        st = found(&r, ep, dep);
    }
    float bound = dyn * (1.0f + epsilon);
    h->visited[ep] = tag;
    cand_push(cand, &nc, dep, ep);
    if (st == VS_OK && h->entry != ep) {
        uint32_t en = h->entry;
        float d = vs_hnsw_qdist(h, q, en);
        h->visited[en] = tag;
        if (d <= radius) st = found(&r, en, d);
        if (d <= bound) cand_push(cand, &nc, d, en);
    }
    while (st == VS_OK && nc) {
        if (cand[0].dist > bound) break;
        vs_scored c = cand_pop(cand, &nc);
        if (c.dist < dyn && c.dist >= radius) { /* shrink towards the radius */
            dyn = c.dist;
            bound = dyn * (1.0f + epsilon);
        }
        const uint32_t *lk = vs_hnsw_links0(h, c.id);
        for (uint32_t i = 1; i <= lk[0] && st == VS_OK; i++) {
            uint32_t e = lk[i];
            if (h->visited[e] == tag) continue;
            h->visited[e] = tag;
            float d = vs_hnsw_qdist(h, q, e);
            if (d > bound) continue;
            cand_push(cand, &nc, d, e);
            if (d <= radius) st = found(&r, e, d);
        }
    }
    return st;
}
