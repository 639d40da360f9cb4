/* dict.h - intrusive chained hash table with incremental rehashing.
 *
 * Entries embed a vs_dnode (next pointer + 32-bit hash), so inserting
 * never allocates: the only allocation is the bucket array, made by
 * vs_dict_reserve before a write is committed.  Growth rehashes
 * incrementally (a few buckets per operation, as Redis's dict.c does), so
 * no single call pays for moving the whole table.
 *
 * Invariants:
 *  - rehash_idx == -1 when not rehashing; while rehashing, buckets of t[0]
 *    below rehash_idx are empty and every insert goes to t[1].
 *  - used[0] + used[1] is the number of entries.
 *  - After vs_dict_reserve(d, n) succeeds, n inserts need no allocation.
 *  - Lookups compare the stored hash first, then call type->eq.
 */
#ifndef VS_DICT_H
#define VS_DICT_H

#include <stddef.h>
#include <stdint.h>

#include "base/status.h"

typedef struct vs_dnode {
    struct vs_dnode *next; /* next entry in the bucket chain */
    uint32_t hash;         /* full hash of the entry's key */
} vs_dnode;

typedef struct vs_dict_type {
    /* 1 if the entry holding node n has key (key, klen). */
    int (*eq)(const vs_dnode *n, const void *key, size_t klen);
} vs_dict_type;

typedef struct vs_dict {
    const vs_dict_type *type;
    vs_dnode **t[2];   /* bucket arrays; t[1] only while rehashing */
    size_t size[2];    /* bucket counts (powers of two, or 0) */
    size_t used[2];    /* entries in each table */
    long rehash_idx;   /* next t[0] bucket to move, -1 = not rehashing */
} vs_dict;

void vs_dict_init(vs_dict *d, const vs_dict_type *type);
/* Free the bucket arrays (entries are the caller's). */
void vs_dict_release(vs_dict *d);

static inline size_t vs_dict_count(const vs_dict *d) { return d->used[0] + d->used[1]; }

/* Make room so that `extra` more inserts need no allocation. */
vs_status vs_dict_reserve(vs_dict *d, size_t extra);

vs_dnode *vs_dict_find(vs_dict *d, uint32_t hash, const void *key, size_t klen);
/* Insert a node whose key is not present.  Never allocates; the caller has
 * reserved room (if not, the chains just get longer). */
void vs_dict_insert(vs_dict *d, vs_dnode *n, uint32_t hash);
/* Unlink the node with this key; returns it or NULL.  Never allocates
 * (shrinking is attempted, and skipped if memory is short). */
vs_dnode *vs_dict_remove(vs_dict *d, uint32_t hash, const void *key, size_t klen);
/* Unlink a node known to be present (by identity). */
void vs_dict_unlink(vs_dict *d, vs_dnode *n);

/* Move up to n buckets from the old table; returns 1 while more remain. */
int vs_dict_rehash(vs_dict *d, int n);

/* Visit every node without changing the dict (the callback must not
 * insert or remove). */
void vs_dict_foreach(const vs_dict *d, void (*fn)(const vs_dnode *n, void *arg), void *arg);

/* Visit every node (the callback may free it; the dict is left empty of
 * nodes but keeps its tables unless released). */
void vs_dict_clear(vs_dict *d, void (*fn)(vs_dnode *n, void *arg), void *arg);

#endif
