/* flat.c - FLAT vector index (see flat.h): updates, exact search, and
 * its snapshot section (at the end).  What it shares with HNSW (the blob
 * a document holds, the FT.INFO attribute) is in vector.c. */
#include "index/flat.h"

#include <string.h>

#include "base/alloc.h"
#include "base/idtable.h"
#include "base/le.h"
#include "index/vector.h"

static vs_flat *F(vs_field_index *fi) { return (vs_flat *)fi; }
static const vs_flat *CF(const vs_field_index *fi) { return (const vs_flat *)fi; }


/* Vectors the allocated blocks can hold. */
static uint32_t slot_cap(const vs_flat *f) { return f->nblocks ? (f->nblocks - 1) * f->block_size + f->last_cap : 0; }

uint32_t vs_flat_capacity(const vs_flat *f) {
    uint64_t cap = slot_cap(f);
    if (cap < f->initial_cap) cap = f->initial_cap;
    return cap > UINT32_MAX ? UINT32_MAX : (uint32_t)cap;
}

const uint8_t *vs_flat_get(const vs_flat *f, uint32_t id) {
    if (id >= f->key_cap || f->key_slot[id] == VS_NO_SLOT) return NULL;
    return vs_flat_ref(f, f->key_slot[id])->v;
}

static vs_status flat_reserve_id(vs_field_index *fi, uint32_t id) {
    vs_flat *f = F(fi);
    static const uint32_t none = VS_NO_SLOT;
    uint32_t *ks = vs_idtable_cover(f->key_slot, &f->key_cap, id, sizeof *ks, &none);
    if (!ks) return VS_ERR_NOMEM;
    f->key_slot = ks;
    return VS_OK;
}

/* Room for one more vector: a block (or the last block back to full
 * size after a compaction), and slot_key entries for it. */
static vs_status reserve_slot(vs_flat *f) {
    if (f->count < slot_cap(f)) return VS_OK;
    size_t vec_bytes = sizeof(vs_vref);
    if (f->nblocks && f->last_cap < f->block_size) {
        uint32_t *sk = vs_realloc(f->slot_key, (size_t)f->nblocks * f->block_size * sizeof *sk);
        if (!sk) return VS_ERR_NOMEM;
        f->slot_key = sk;
        vs_vref *blk = vs_realloc(f->blocks[f->nblocks - 1], f->block_size * vec_bytes);
        if (!blk) return VS_ERR_NOMEM;
        f->blocks[f->nblocks - 1] = blk;
        f->last_cap = f->block_size;
        return VS_OK;
    }
    if ((uint64_t)(f->nblocks + 1) * f->block_size > UINT32_MAX - 1) return VS_ERR_NOMEM;
    vs_vref *blk = vs_malloc(f->block_size * vec_bytes);
    if (!blk) return VS_ERR_NOMEM;
    uint32_t *sk = vs_realloc(f->slot_key, (size_t)(f->nblocks + 1) * f->block_size * sizeof *sk);
    if (!sk) {
        vs_free(blk);
        return VS_ERR_NOMEM;
    }
    f->slot_key = sk;
    if (f->nblocks == f->blocks_cap) {
        uint32_t ncap = f->blocks_cap ? f->blocks_cap * 2 : 8;
        vs_vref **b = vs_realloc(f->blocks, ncap * sizeof *b);
        if (!b) {
            vs_free(blk);
            return VS_ERR_NOMEM;
        }
        f->blocks = b;
        f->blocks_cap = ncap;
    }
    f->blocks[f->nblocks++] = blk;
    f->last_cap = f->block_size;
    return VS_OK;
}

/* Trim the last block and the per-id table to what is used. */
static void flat_compact(vs_field_index *fi, uint32_t id_bound) {
    vs_flat *f = F(fi);
    if (f->nblocks) {
        uint32_t in_last = f->count - (f->nblocks - 1) * f->block_size;
        if (f->count <= (f->nblocks - 1) * f->block_size) in_last = 0;
        if (in_last == 0 && f->nblocks > 1) {
            vs_free(f->blocks[--f->nblocks]);
            f->last_cap = f->block_size;
        } else if (in_last > 0 && in_last < f->last_cap) {
            vs_vref *blk = vs_realloc(f->blocks[f->nblocks - 1], (size_t)in_last * sizeof(vs_vref));
            if (blk) { /* shrinking; if it fails the block simply stays */
                f->blocks[f->nblocks - 1] = blk;
                f->last_cap = in_last;
            }
        }
        uint32_t *sk = vs_realloc(f->slot_key, (size_t)(slot_cap(f) ? slot_cap(f) : 1) * sizeof *sk);
        if (sk) f->slot_key = sk;
    }
    if (id_bound < f->key_cap) {
        uint32_t keep = id_bound ? id_bound : 1;
        for (uint32_t i = keep; i < f->key_cap; i++)
            if (f->key_slot[i] != VS_NO_SLOT) return; /* still in use: keep */
        uint32_t *ks = vs_realloc(f->key_slot, (size_t)keep * sizeof *ks);
        if (ks) {
            f->key_slot = ks;
            f->key_cap = keep;
        }
    }
}

static vs_status flat_prepare(vs_field_index *fi, uint32_t id, vs_fi_prep *p) {
    vs_flat *f = F(fi);
    p->valid = vs_vector_blob_valid(&f->sp, p->val, p->len);
    if (!p->valid) return VS_OK;
    if (id < f->key_cap && f->key_slot[id] != VS_NO_SLOT) return VS_OK; /* overwrite in place */
    return reserve_slot(f);
}

static void flat_remove(vs_flat *f, uint32_t id) {
    if (id >= f->key_cap || f->key_slot[id] == VS_NO_SLOT) return;
    uint32_t slot = f->key_slot[id], last = f->count - 1;
    if (slot != last) {
        *vs_flat_ref(f, slot) = *vs_flat_ref(f, last);
        uint32_t moved = f->slot_key[last];
        f->slot_key[slot] = moved;
        f->key_slot[moved] = slot;
    }
    f->key_slot[id] = VS_NO_SLOT;
    f->count--;
    /* Give back trailing blocks, keeping one spare so a delete/insert
     * cycle at a block boundary does not thrash. */
    while (f->nblocks >= 2 && f->count + f->block_size + f->last_cap <= slot_cap(f)) {
        vs_free(f->blocks[--f->nblocks]);
        f->last_cap = f->block_size;
    }
}

static void flat_commit(vs_field_index *fi, uint32_t id, vs_fi_prep *p) {
    vs_flat *f = F(fi);
    if (p->action != VS_FI_SET || !p->valid) {
        flat_remove(f, id);
        return;
    }
    uint32_t slot = f->key_slot[id];
    if (slot == VS_NO_SLOT) {
        slot = f->count++;
        f->slot_key[slot] = id;
        f->key_slot[id] = slot;
    }
    /* p->val points into the value block the keyspace is about to make
     * live (field_index.h): held, not copied. */
    vs_vref *r = vs_flat_ref(f, slot);
    r->v = p->val;
    r->inv_norm = vs_vector_ref_norm(&f->sp, p->val);
}

static void flat_abort(vs_field_index *fi, vs_fi_prep *p) {
    (void)fi;
    (void)p; /* a reserved block stays as capacity */
}

static void flat_clear(vs_field_index *fi) {
    vs_flat *f = F(fi);
    for (uint32_t s = 0; s < f->count; s++) f->key_slot[f->slot_key[s]] = VS_NO_SLOT;
    f->count = 0;
    while (f->nblocks > 1) vs_free(f->blocks[--f->nblocks]);
    if (f->nblocks && f->last_cap < f->block_size) {
        /* The one block kept was trimmed: drop it, reserve_slot makes a
         * full-size one when a vector arrives. */
        vs_free(f->blocks[0]);
        f->nblocks = 0;
        f->last_cap = 0;
    }
}

static void flat_destroy(vs_field_index *fi) {
    vs_flat *f = F(fi);
    for (uint32_t b = 0; b < f->nblocks; b++) vs_free(f->blocks[b]);
    vs_free(f->blocks);
    vs_free(f->slot_key);
    vs_free(f->key_slot);
    vs_bitvec_free(&f->base.present);
    vs_bitvec_free(&f->base.failed);
    vs_free(f);
}

static size_t flat_memory(const vs_field_index *fi) {
    const vs_flat *f = CF(fi);
    return sizeof *f + (size_t)slot_cap(f) * (sizeof(vs_vref) + sizeof(uint32_t)) +
           (size_t)f->blocks_cap * sizeof(vs_vref *) + (size_t)f->key_cap * sizeof(uint32_t);
}

static void flat_info(const vs_field_index *fi, vs_reply *r) {
    const vs_flat *f = CF(fi);
    vs_vector_info(r, fi->def, vs_flat_capacity(f), f->count, "FLAT", 4);
    vs_reply_simple(r, "block_size");
    vs_reply_int(r, f->block_size);
}

static int flat_snap_save(const vs_field_index *fi, vs_fi_save *c, const uint8_t **p, size_t *n);
static vs_status flat_snap_load(vs_field_index *fi, vs_fi_load *ld);
static vs_status flat_snap_finish(vs_field_index *fi, uint32_t key_bound, const char **why);
static vs_status flat_rebind(vs_field_index *fi, int (*get)(void *ctx, uint32_t id, const uint8_t **p, size_t *n),
                             void *ctx, const char **why);
/* ---- queries ---------------------------------------------------------------- */

static uint32_t flat_count(const vs_field_index *fi) { return CF(fi)->count; }

static int flat_has(const vs_field_index *fi, uint32_t id) { return vs_flat_get(CF(fi), id) != NULL; }

static void flat_knn_exact(const vs_field_index *fi, const vs_knn_req *req, vs_topk *top) {
    const vs_flat *f = CF(fi);
    const vs_vspace *sp = &f->sp;
    const void *q = req->q.v;
    const float qn = req->q.inv_norm;
    const vs_bitset *filter = req->filter;
    if (!filter) {
        for (uint32_t b = 0, s = 0; b < f->nblocks && s < f->count; b++) {
            const vs_vref *r = f->blocks[b];
            uint32_t end = s + (b + 1 == f->nblocks ? f->last_cap : f->block_size);
            if (end > f->count) end = f->count;
            for (; s < end; s++, r++)
                vs_topk_offer(top, vs_vdist(sp, q, qn, r->v, r->inv_norm), f->slot_key[s], req->max_dist);
        }
        return;
    }
    uint32_t lim = filter->nbits < f->key_cap ? filter->nbits : f->key_cap;
    for (uint32_t id = vs_bitset_next(filter, 0); id < lim; id = vs_bitset_next(filter, id + 1)) {
        uint32_t slot = f->key_slot[id];
        if (slot == VS_NO_SLOT) continue;
        const vs_vref *r = vs_flat_ref(f, slot);
        vs_topk_offer(top, vs_vdist(sp, q, qn, r->v, r->inv_norm), id, req->max_dist);
    }
}

static const vs_fi_ops flat_ops = {
    .reserve_id = flat_reserve_id,
    .prepare = flat_prepare,
    .commit = flat_commit,
    .abort = flat_abort,
    .clear = flat_clear,
    .destroy = flat_destroy,
    .memory = flat_memory,
    .info = flat_info,
    .info_len = 2,
    .type_name = "VECTOR",
    .compact = flat_compact,
    /* ---- snapshot section ---- */
    .snap_save = flat_snap_save,
    .snap_load = flat_snap_load,
    .snap_finish = flat_snap_finish,
    .rebind = flat_rebind,
    .count = flat_count,
    .has = flat_has,
    .knn_exact = flat_knn_exact,
    .range = vs_flat_range,
};

vs_field_index *vs_flat_new(const vs_fielddef *def) {
    vs_flat *f = vs_calloc(1, sizeof *f);
    if (!f) return NULL;
    f->base.ops = &flat_ops;
    f->base.def = def;
    vs_vspace_init(&f->sp, &def->vec);
    f->block_size = def->vec.block_size;
    f->initial_cap = def->vec.initial_cap;
    return &f->base;
}

/* ---- snapshot section ---------------------------------------------------------
 *
 * After the reader's (index, field) positions (docs/snapshot-format.md):
 *   dim u32, count u32; slot_key u32[count].
 * The vectors are the keys' values (held once): loading sizes the blocks
 * and the slot table for count vectors, reads slot_key straight into it,
 * then (snap_finish, once the section checked out) rebuilds key -> slot,
 * and rebind points each slot at its key's value once the keys are all
 * there.  A legacy section (ld->legacy) also holds the vectors f32[count *
 * dim] after slot_key, as they were stored (COSINE ones normalised): read
 * past (the keys' values are the vectors). */

enum { HEADER_LEN = 8 };                /* dim, count */
enum { S_HEAD = 1, S_KEYS, S_SKIP };    /* steps */

static int flat_snap_save(const vs_field_index *fi, vs_fi_save *c, const uint8_t **p, size_t *n) {
    const vs_flat *f = CF(fi);
    switch (c->step) {
    case 0:
        vs_le_put32(c->scratch, f->sp.dim);
        vs_le_put32(c->scratch + 4, f->count);
        c->step = S_HEAD;
        *p = c->scratch;
        *n = HEADER_LEN;
        return 1;
    case S_HEAD:
        c->step = S_KEYS;
        *p = (const uint8_t *)f->slot_key;
        *n = (size_t)f->count * sizeof(uint32_t);
        return 1;
    }
    return 0;
}

/* Room for count vectors (full blocks and the slot table), count set;
 * the references are cleared until rebind. */
static vs_status load_reserve(vs_flat *f, uint32_t count) {
    while (slot_cap(f) < count) {
        vs_status st = reserve_slot(f);
        if (st != VS_OK) return st;
        f->count = slot_cap(f) < count ? slot_cap(f) : count;
    }
    f->count = count;
    for (uint32_t s = 0; s < count; s++) *vs_flat_ref(f, s) = (vs_vref){NULL, 0};
    return VS_OK;
}

static vs_status flat_snap_load(vs_field_index *fi, vs_fi_load *ld) {
    vs_flat *f = F(fi);
    switch (ld->step) {
    case 0: return vs_fi_stage(ld, S_HEAD, HEADER_LEN);
    case S_HEAD: {
        uint32_t dim = vs_le_get32(ld->in), count = vs_le_get32(ld->in + 4);
        if (dim != f->sp.dim || (ld->legacy && f->sp.type != VS_VEC_FLOAT32))
            return vs_fi_damaged(ld, "a FLAT section does not match an index");
        uint64_t per = sizeof(uint32_t) + (ld->legacy ? (uint64_t)dim * sizeof(float) : 0);
        if ((uint64_t)count * per != ld->left) return vs_fi_damaged(ld, "impossible FLAT vector count");
        vs_status st = load_reserve(f, count);
        if (st != VS_OK) return st;
        ld->i = 0;
        return vs_fi_read_into(ld, S_KEYS, f->slot_key, (size_t)count * sizeof(uint32_t));
    }
    case S_KEYS:
    case S_SKIP: /* legacy: the vectors, one at a time (a small stage each) */
        if (ld->left == 0) return vs_fi_done(ld);
        return vs_fi_stage(ld, S_SKIP, ld->left < VS_FI_STAGE ? (size_t)ld->left : VS_FI_STAGE);
    }
    return vs_fi_damaged(ld, "the FLAT section reader lost its place");
}

/* key -> slot from slot -> key: every key id loaded, once. */
static vs_status flat_snap_finish(vs_field_index *fi, uint32_t key_bound, const char **why) {
    vs_flat *f = F(fi);
    if (key_bound && flat_reserve_id(&f->base, key_bound - 1) != VS_OK) return VS_ERR_NOMEM;
    for (uint32_t s = 0; s < f->count; s++) {
        uint32_t id = f->slot_key[s];
        if (id >= key_bound || f->key_slot[id] != VS_NO_SLOT) {
            *why = "a FLAT index names a key twice or one that does not exist";
            return VS_ERR_CORRUPT;
        }
        f->key_slot[id] = s;
    }
    return VS_OK;
}

static vs_status flat_rebind(vs_field_index *fi, int (*get)(void *ctx, uint32_t id, const uint8_t **p, size_t *n),
                             void *ctx, const char **why) {
    vs_flat *f = F(fi);
    for (uint32_t s = 0; s < f->count; s++) {
        const uint8_t *v;
        size_t n;
        if (!get(ctx, f->slot_key[s], &v, &n) || !vs_vector_blob_valid(&f->sp, v, n)) {
            *why = "a FLAT index holds a key whose value is not a valid vector";
            return VS_ERR_CORRUPT;
        }
        vs_vref *r = vs_flat_ref(f, s);
        r->v = v;
        r->inv_norm = vs_vector_ref_norm(&f->sp, v);
    }
    return VS_OK;
}
