/* flat.h - FLAT (exact, brute-force) vector index.
 *
 * Vectors are held once (vector.h): the index keeps, per vector, a
 * reference to the hash value's bytes and its inverse norm (vs_vref),
 * contiguously in blocks of BLOCK_SIZE references (no allocation per
 * vector), densely: slots [0, count) are in use, a removal moves the last
 * reference into the freed slot.
 *
 * Invariants:
 *  - key_slot[slot_key[s]] == s for every s < count;
 *  - key_slot[id] == VS_NO_SLOT for ids not in the index;
 *  - refs[s].v points at the current value of key slot_key[s]'s field
 *    (the keyspace tells the index before a value goes away);
 *  - memory per vector: sizeof(vs_vref) + 4 (slot -> key) + 4 (key -> slot).
 *
 * flat.c also holds the index's snapshot section (vs_fi_ops.snap_*): the
 * slot table; key -> slot and the references are rebuilt on load
 * (snap_finish, rebind).
 */
#ifndef VS_INDEX_FLAT_H
#define VS_INDEX_FLAT_H

#include "base/bitset.h"
#include "index/distance.h"
#include "index/field_index.h"
#include "index/vector.h"

#define VS_NO_SLOT UINT32_MAX

typedef struct vs_flat {
    vs_field_index base;
    vs_vspace sp;         /* type, dim, metric, kernels */
    uint32_t block_size;  /* vectors per block */
    uint32_t initial_cap; /* INITIAL_CAP as created */
    vs_vref **blocks;     /* nblocks blocks of block_size references */
    uint32_t nblocks;
    uint32_t last_cap;    /* vectors the last block can hold (<= block_size;
                             below it only after vs_fi_ops.compact) */
    uint32_t blocks_cap;  /* capacity of the blocks array */
    uint32_t count;       /* vectors stored */
    uint32_t *slot_key;   /* slot -> key id (capacity: the slot capacity) */
    uint32_t *key_slot;   /* key id -> slot, VS_NO_SLOT when absent */
    uint32_t key_cap;     /* capacity of key_slot */
} vs_flat;

static inline vs_vref *vs_flat_ref(const vs_flat *f, uint32_t slot) {
    return f->blocks[slot / f->block_size] + slot % f->block_size;
}

/* The vector bytes of key id, or NULL. */
const uint8_t *vs_flat_get(const vs_flat *f, uint32_t id);

/* Capacity in vectors (what FT.INFO reports). */
uint32_t vs_flat_capacity(const vs_flat *f);

/* vs_fi_ops.range: the exact scan (flat_range.c). */
vs_status vs_flat_range(vs_field_index *fi, const vs_knn_req *req, float radius, float epsilon,
                        vs_status (*emit)(void *ctx, uint32_t id, float dist), void *ctx);

#endif
