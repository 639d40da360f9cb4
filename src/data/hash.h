/* hash.h - the hash value type: binary-safe field -> value maps.
 *
 * A hash keeps its fields in an array in insertion order (HGETALL order,
 * as Redis's small hashes).  Past VS_HASH_DICT_MIN fields it also keeps a
 * dict from field name to field block, so lookups stay O(1).
 *
 * Writes are two-phase, so a failed allocation changes nothing:
 *   1. plan: vs_hash_plan_set / _del allocate the new field blocks and
 *      record what will change (nothing visible changes yet);
 *      vs_hash_plan_reserve makes room in the array and dict;
 *   2. apply: vs_hash_plan_apply swaps the blocks in without allocating,
 *      or vs_hash_plan_discard drops the plan.
 * Between the phases, a vs_hview shows the hash as it will be, which is
 * what index subscribers read when they prepare.
 *
 * Invariants:
 *  - f[i]->pos == i for every field.
 *  - f == &one iff cap == 1 (f is the hash's own otherwise, or NULL).
 *  - dict != NULL iff the hash has had more than VS_HASH_DICT_MIN fields
 *    (it is kept once built).
 *  - A plan holds at most one op per field name (later ops replace
 *    earlier ones, as `HSET k f 1 f 2` stores 2).
 */
#ifndef VS_HASH_H
#define VS_HASH_H

#include <stddef.h>
#include <stdint.h>

#include "data/dict.h"
#include "base/status.h"

#define VS_HASH_DICT_MIN 32

typedef struct vs_hfield {
    vs_dnode node;   /* link in the field dict (large hashes) */
    uint32_t flen;   /* field name length */
    uint32_t vlen;   /* value length */
    uint32_t pos;    /* index in vs_hash.f */
    uint8_t data[];  /* field name bytes, 0-3 zero bytes, value bytes */
} vs_hfield;

/* The value starts at the first multiple of 4 past the name, so a value
 * is 4-byte aligned (vector indexes read FLOAT32 components in place:
 * a block is at least 4-byte aligned and so is data). */
static inline size_t vs_hfield_voff(size_t flen) { return (flen + 3) & ~(size_t)3; }
static inline const uint8_t *vs_hfield_name(const vs_hfield *f) { return f->data; }
static inline const uint8_t *vs_hfield_value(const vs_hfield *f) { return f->data + vs_hfield_voff(f->flen); }
static inline uint8_t *vs_hfield_value_mut(vs_hfield *f) { return f->data + vs_hfield_voff(f->flen); }
_Static_assert(offsetof(vs_hfield, data) % 4 == 0, "hash values are 4-byte aligned");

typedef struct vs_hash {
    vs_hfield **f;   /* fields, insertion order (swap-removal once large);
                        &one while cap is 1 */
    uint32_t n;      /* number of fields */
    uint32_t cap;    /* capacity of f */
    vs_dict *dict;   /* field name -> block, once large; else NULL */
    vs_hfield *one;  /* f's room while cap is 1: a one-field hash (a
                        document that is only its vector) needs no block for
                        f; in wasm32 the allocator's block for 16 bytes has
                        room for 20 anyway */
} vs_hash;

/* One pending change to one field. */
typedef struct vs_hash_op {
    const uint8_t *field; /* field name (points into the command's arguments) */
    size_t flen;
    vs_hfield *nf;        /* new block, or NULL to delete the field */
    vs_hfield *old;       /* block present before, or NULL */
} vs_hash_op;

typedef struct vs_hash_plan {
    vs_hash *h;          /* hash the plan applies to (may be a new, empty one) */
    vs_hash_op *ops;     /* ops[0..nops) */
    uint32_t nops, cap;
    uint32_t added;      /* fields that will be new */
    uint32_t removed;    /* fields that will be deleted */
    vs_hash_op small[4]; /* inline storage for small plans */
} vs_hash_plan;

/* Loading: room for n fields, then add them one by one (VS_ERR_CORRUPT on
 * a repeated field name). */
vs_status vs_hash_load_reserve(vs_hash *h, uint32_t n);
vs_status vs_hash_load_add(vs_hash *h, vs_hfield *f);

/* A read-only view of a hash with a plan applied (base may be NULL). */
typedef struct vs_hview {
    const vs_hash *base;
    const vs_hash_op *ops;
    uint32_t nops;
} vs_hview;

vs_hash *vs_hash_new(void);
void vs_hash_free(vs_hash *h);
/* Bytes held by the hash (for memory reports). */
size_t vs_hash_mem(const vs_hash *h);

vs_hfield *vs_hash_get(const vs_hash *h, const uint8_t *f, size_t flen);
vs_hfield *vs_hfield_new(const uint8_t *f, size_t flen, const uint8_t *v, size_t vlen);

void vs_hash_plan_init(vs_hash_plan *p, vs_hash *h);
/* Plan field f = v (allocates the new block). */
vs_status vs_hash_plan_set(vs_hash_plan *p, const uint8_t *f, size_t flen, const uint8_t *v,
                           size_t vlen);
/* Plan the deletion of f (no-op if absent); never fails for lack of memory
 * when the plan has inline room, else may. */
vs_status vs_hash_plan_del(vs_hash_plan *p, const uint8_t *f, size_t flen);
/* Make room in the hash for the plan's new fields. */
vs_status vs_hash_plan_reserve(vs_hash_plan *p);
/* Apply (never fails, never allocates) and release the plan. */
void vs_hash_plan_apply(vs_hash_plan *p);
/* Drop the plan: frees the blocks it allocated. */
void vs_hash_plan_discard(vs_hash_plan *p);
/* Number of fields after the plan. */
static inline uint32_t vs_hash_plan_result_len(const vs_hash_plan *p) {
    return p->h->n + p->added - p->removed;
}

static inline vs_hview vs_hview_of(const vs_hash *h) {
    vs_hview v = {h, NULL, 0};
    return v;
}
static inline vs_hview vs_hview_planned(const vs_hash_plan *p) {
    vs_hview v = {p->h, p->ops, p->nops};
    return v;
}
/* Look a field up in a view: returns 1 and sets *v, *vlen when present. */
int vs_hview_get(const vs_hview *view, const uint8_t *f, size_t flen, const uint8_t **v,
                 size_t *vlen);

#endif
