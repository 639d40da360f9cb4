/* numeric.c - NUMERIC index in sorted chunks (see numeric.h). */
#include "index/numeric.h"

#include <math.h>
#include <string.h>

#include "base/alloc.h"
#include "base/idtable.h"
#include "base/util.h"

static vs_numidx *X(vs_field_index *fi) { return (vs_numidx *)fi; }
static const vs_numidx *CX(const vs_field_index *fi) { return (const vs_numidx *)fi; }

/* (a, ia) < (b, ib) */
static int less(double a, uint32_t ia, double b, uint32_t ib) { return a < b || (a == b && ia < ib); }

static double get(const vs_numidx *x, uint32_t id) { return id < x->val_cap ? x->values[id] : NAN; }

static vs_status num_reserve_id(vs_field_index *fi, uint32_t id) {
    vs_numidx *x = X(fi);
    static const double none = NAN;
    double *v = vs_idtable_cover(x->values, &x->val_cap, id, sizeof *v, &none);
    if (!v) return VS_ERR_NOMEM;
    x->values = v;
    return VS_OK;
}

/* Index of the chunk where (v, id) belongs: the first whose last pair is
 * >= (v, id), or the last chunk. */
static uint32_t chunk_for(const vs_numidx *x, double v, uint32_t id) {
    uint32_t lo = 0, hi = x->nchunks;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        const vs_num_chunk *c = x->chunks[mid];
        const vs_num_item *last = &c->items[c->n - 1];
        if (less(last->v, last->id, v, id))
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < x->nchunks ? lo : x->nchunks - 1;
}

/* Position of (v, id) within a chunk (first not-less). */
static uint32_t pos_in(const vs_num_chunk *c, double v, uint32_t id) {
    uint32_t lo = 0, hi = c->n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (less(c->items[mid].v, c->items[mid].id, v, id))
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static vs_status num_prepare(vs_field_index *fi, uint32_t id, vs_fi_prep *p) {
    (void)id;
    vs_numidx *x = X(fi);
    /* valkey-search parses with SimpleAtod: surrounding spaces allowed. */
    const uint8_t *s = p->val;
    size_t n = p->len;
    while (n && (s[0] == ' ' || s[0] == '\t')) {
        s++;
        n--;
    }
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t')) n--;
    p->valid = vs_parse_double(s, n, &p->num);
    if (!p->valid) return VS_OK;
    /* Keep a spare chunk and a free directory slot at all times: commit
     * removes the old pair before inserting the new one, which can move
     * the insertion point to a full chunk, so reserve for the worst case. */
    if (!x->spare) {
        x->spare = vs_malloc(sizeof *x->spare);
        if (!x->spare) return VS_ERR_NOMEM;
    }
    if (x->nchunks == x->chunks_cap) {
        uint32_t cap = x->chunks_cap ? x->chunks_cap * 2 : 16;
        vs_num_chunk **c = vs_realloc(x->chunks, cap * sizeof *c);
        if (!c) return VS_ERR_NOMEM;
        x->chunks = c;
        x->chunks_cap = cap;
    }
    return VS_OK;
}

static void num_remove(vs_numidx *x, uint32_t id) {
    if (id >= x->val_cap || isnan(x->values[id])) return;
    double v = x->values[id];
    uint32_t ci = chunk_for(x, v, id);
    vs_num_chunk *c = x->chunks[ci];
    uint32_t i = pos_in(c, v, id);
    memmove(&c->items[i], &c->items[i + 1], (c->n - i - 1) * sizeof *c->items);
    c->n--;
    x->values[id] = NAN;
    x->count--;
    if (c->n == 0) {
        memmove(&x->chunks[ci], &x->chunks[ci + 1], (x->nchunks - ci - 1) * sizeof *x->chunks);
        x->nchunks--;
        if (!x->spare)
            x->spare = c;
        else
            vs_free(c);
    }
}

static void num_insert(vs_numidx *x, uint32_t id, double v) {
    if (x->nchunks == 0) { /* the first pair: the spare becomes chunk 0 */
        vs_num_chunk *c = x->spare;
        x->spare = NULL;
        c->n = 1;
        c->items[0].v = v;
        c->items[0].id = id;
        x->chunks[x->nchunks++] = c;
        x->values[id] = v;
        x->count++;
        return;
    }
    uint32_t ci = chunk_for(x, v, id);
    vs_num_chunk *c = x->chunks[ci];
    if (c->n == VS_NUM_CHUNK) {
        /* Split: the upper half goes to the spare chunk, after c. */
        vs_num_chunk *hi = x->spare;
        x->spare = NULL;
        uint32_t half = VS_NUM_CHUNK / 2;
        hi->n = VS_NUM_CHUNK - half;
        memcpy(hi->items, &c->items[half], hi->n * sizeof *c->items);
        c->n = half;
        memmove(&x->chunks[ci + 2], &x->chunks[ci + 1], (x->nchunks - ci - 1) * sizeof *x->chunks);
        x->chunks[ci + 1] = hi;
        x->nchunks++;
        const vs_num_item *last = &c->items[c->n - 1];
        if (less(last->v, last->id, v, id)) c = hi;
    }
    uint32_t i = pos_in(c, v, id);
    memmove(&c->items[i + 1], &c->items[i], (c->n - i) * sizeof *c->items);
    c->items[i].v = v;
    c->items[i].id = id;
    c->n++;
    x->values[id] = v;
    x->count++;
}

static void num_commit(vs_field_index *fi, uint32_t id, vs_fi_prep *p) {
    vs_numidx *x = X(fi);
    num_remove(x, id);
    if (p->action == VS_FI_SET && p->valid) num_insert(x, id, p->num);
}

static void num_abort(vs_field_index *fi, vs_fi_prep *p) {
    (void)fi;
    (void)p; /* a spare chunk stays for the next insert */
}

static void num_clear(vs_field_index *fi) {
    vs_numidx *x = X(fi);
    for (uint32_t i = 0; i < x->nchunks; i++) {
        vs_num_chunk *c = x->chunks[i];
        for (uint32_t j = 0; j < c->n; j++) x->values[c->items[j].id] = NAN;
        vs_free(c);
    }
    x->nchunks = 0;
    x->count = 0;
}

static void num_destroy(vs_field_index *fi) {
    vs_numidx *x = X(fi);
    num_clear(fi);
    vs_free(x->chunks);
    vs_free(x->values);
    vs_free(x->spare);
    vs_bitvec_free(&x->base.present);
    vs_bitvec_free(&x->base.failed);
    vs_free(x);
}

static size_t num_memory(const vs_field_index *fi) {
    const vs_numidx *x = CX(fi);
    return sizeof *x + ((size_t)x->nchunks + (x->spare ? 1 : 0)) * sizeof(vs_num_chunk) +
           (size_t)x->chunks_cap * sizeof(void *) + (size_t)x->val_cap * sizeof(double);
}

static void num_info(const vs_field_index *fi, vs_reply *r) {
    vs_reply_simple(r, "size");
    vs_reply_bulk_ll(r, CX(fi)->count);
}

static int above_lo(const vs_num_range *r, double v) { return r->lo_excl ? v > r->lo : v >= r->lo; }
static int below_hi(const vs_num_range *r, double v) { return r->hi_excl ? v < r->hi : v <= r->hi; }

/* ---- queries ---------------------------------------------------------------- */

static uint32_t num_count(const vs_field_index *fi) { return CX(fi)->count; }

static int num_has(const vs_field_index *fi, uint32_t id) { return !isnan(get(CX(fi), id)); }

static double num_sort_value(const vs_field_index *fi, uint32_t id) { return get(CX(fi), id); }

/* OR the ids in the clause's range into out. */
static vs_status num_match(const vs_field_index *fi, const vs_fi_clause *c, vs_bitset *out) {
    const vs_numidx *x = CX(fi);
    const vs_num_range *r = &c->range;
    if (x->nchunks == 0) return VS_OK;
    /* First chunk whose last value reaches lo. */
    uint32_t lo = 0, hi = x->nchunks;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        const vs_num_chunk *ch = x->chunks[mid];
        if (above_lo(r, ch->items[ch->n - 1].v))
            hi = mid;
        else
            lo = mid + 1;
    }
    for (uint32_t ci = lo; ci < x->nchunks; ci++) {
        const vs_num_chunk *ch = x->chunks[ci];
        for (uint32_t i = 0; i < ch->n; i++) {
            double v = ch->items[i].v;
            if (!above_lo(r, v)) continue;
            if (!below_hi(r, v)) return VS_OK;
            if (ch->items[i].id < out->nbits) vs_bit_set(out->w, ch->items[i].id);
        }
    }
    return VS_OK;
}

static const vs_fi_ops num_ops = {
    .reserve_id = num_reserve_id,
    .prepare = num_prepare,
    .commit = num_commit,
    .abort = num_abort,
    .clear = num_clear,
    .destroy = num_destroy,
    .memory = num_memory,
    .info = num_info,
    .info_len = 2,
    .type_name = "NUMERIC",

    .count = num_count,
    .has = num_has,
    .match = num_match,
    .sort_value = num_sort_value,
};

vs_field_index *vs_numidx_new(const vs_fielddef *def) {
    vs_numidx *x = vs_calloc(1, sizeof *x);
    if (!x) return NULL;
    x->base.ops = &num_ops;
    x->base.def = def;
    return &x->base;
}
