/* flat_range.c - VECTOR_RANGE on a FLAT index (vs_fi_ops.range): an exact
 * scan.
 *
 * Every stored vector (or, with a filter, every vector of the filter's
 * documents) is scored with the index's own distance function, the one
 * KNN uses, and those at distance <= radius are emitted: the same floats
 * KNN reports, so a range and a KNN query agree on every boundary case.
 * Epsilon means nothing to an exact scan (the query layer refuses it on
 * FLAT, as RediSearch does).  Allocates nothing.
 */
#include "index/flat.h"

vs_status vs_flat_range(vs_field_index *fi, const vs_knn_req *req, float radius, float epsilon,
                        vs_status (*emit)(void *ctx, uint32_t id, float dist), void *ctx) {
    const vs_flat *f = (const vs_flat *)fi;
    const vs_vspace *sp = &f->sp;
    const void *q = req->q.v;
    const float qn = req->q.inv_norm;
    const vs_bitset *filter = req->filter;
    (void)epsilon;
    if (!filter) {
        for (uint32_t b = 0, s = 0; b < f->nblocks && s < f->count; b++) {
            const vs_vref *r = f->blocks[b];
            uint32_t end = s + (b + 1 == f->nblocks ? f->last_cap : f->block_size);
            if (end > f->count) end = f->count;
            for (; s < end; s++, r++) {
                float d = vs_vdist(sp, q, qn, r->v, r->inv_norm);
                if (d <= radius) {
                    vs_status st = emit(ctx, f->slot_key[s], d);
                    if (st != VS_OK) return st;
                }
            }
        }
        return VS_OK;
    }
    uint32_t lim = filter->nbits < f->key_cap ? filter->nbits : f->key_cap;
    for (uint32_t id = vs_bitset_next(filter, 0); id < lim; id = vs_bitset_next(filter, id + 1)) {
        uint32_t slot = f->key_slot[id];
        if (slot == VS_NO_SLOT) continue;
        const vs_vref *r = vs_flat_ref(f, slot);
        float d = vs_vdist(sp, q, qn, r->v, r->inv_norm);
        if (d <= radius) {
            vs_status st = emit(ctx, id, d);
            if (st != VS_OK) return st;
        }
    }
    return VS_OK;
}
