/* ft_index.h - one search index (FT.CREATE): its schema, one field index
 * per attribute, the set of documents it tracks, and its backfill job.
 *
 * Documents are the hashes whose key matches a prefix; they are tracked
 * by key id.  A change to a key reaches every index through the registry
 * (registry.h) as prepare / commit / abort, so each write updates the index
 * before the command returns, all or nothing.
 *
 * Backfill: after FT.CREATE the index walks the key-id table from 0 to the
 * id bound it saw at creation, a bounded number of keys per step, indexing
 * keys it does not track yet.  Writes during backfill are indexed by the
 * change path at once (and so tracked: the walk skips them); deleted keys
 * are gone from the table, so nothing is resurrected.
 *
 * Invariants:
 *  - tracked(id) iff the key exists, is a hash and matches a prefix, and
 *    it was indexed (by a change, or by the walk);
 *  - indexed(id) iff at least one attribute of id is indexed; num_docs is
 *    the number of such ids;
 *  - num_records = sum of fields' npresent; failures = sum of nfailed.
 */
#ifndef VS_FT_INDEX_H
#define VS_FT_INDEX_H

#include <stdint.h>

#include "base/bitset.h"
#include "index/field_index.h"
#include "data/keyspace.h"
#include "index/schema.h"

typedef struct vs_ftindex {
    vs_schema schema;          /* owned */
    vs_field_index **fields;   /* one per schema field */
    vs_keyspace *ks;           /* the keyspace indexed */
    uint32_t seed;             /* for randomised structures (HNSW levels) */

    vs_bitvec tracked;         /* ids processed and matching */
    vs_bitvec indexed;         /* ids with >= 1 attribute indexed */
    uint16_t *nattr;           /* per id: attributes indexed */
    uint32_t nattr_cap;
    uint32_t num_docs;
    uint64_t num_records;
    uint64_t failures;         /* hash_indexing_failures (current) */

    int backfilling;           /* backfill job running */
    int backfill_oom;          /* last step stopped for lack of memory */
    uint32_t bf_cursor;        /* next key id to visit */
    uint32_t bf_end;           /* id bound when the job started */

    /* The change being prepared (one at a time). */
    vs_fi_prep *prep;          /* per field */
    int pending;               /* prepare succeeded, commit/abort due */
    uint32_t pending_id;
    int pending_track;         /* +1 start tracking, -1 stop, 0 unchanged */
    int pending_drop;          /* RENAME: drop the overwritten destination */
    uint32_t pending_drop_id;  /* its key id */
} vs_ftindex;

/* Build an index from a parsed schema (taken over on success). */
vs_status vs_ftindex_new(vs_keyspace *ks, vs_schema *schema, uint32_t seed, vs_ftindex **out);
void vs_ftindex_free(vs_ftindex *x);

/* The change interface (called by the registry).  With deferred set
 * (journal replay), a change to a tracked document only drops it from
 * the index; the backfill walk indexes it again afterwards. */
vs_status vs_ftindex_prepare(vs_ftindex *x, const vs_change *ch, int deferred);
void vs_ftindex_commit(vs_ftindex *x, const vs_change *ch);
void vs_ftindex_abort(vs_ftindex *x);

/* Start (or restart) the backfill walk over the current keyspace. */
void vs_ftindex_backfill_start(vs_ftindex *x);
/* Visit up to `budget` keys.  Returns VS_OK (check x->backfilling for
 * completion) or VS_ERR_NOMEM (the job pauses; the next step retries). */
vs_status vs_ftindex_backfill_step(vs_ftindex *x, uint32_t budget, uint32_t *visited);
double vs_ftindex_backfill_progress(const vs_ftindex *x);

/* After a snapshot was loaded into the index's vector fields and tracked
 * bitmap: point the vector indexes' elements at their keys' values (held
 * once), check that every tracked key exists as a matching hash and that
 * the vector indexes hold exactly the tracked keys with valid vectors,
 * then rebuild the TAG and NUMERIC fields and the per-document state from
 * the keyspace.  VS_ERR_CORRUPT when the pieces disagree, the reason in
 * *why. */
vs_status vs_ftindex_load_finish(vs_ftindex *x, const char **why);

/* Bytes held by the index (all attributes and document tables). */
size_t vs_ftindex_memory(const vs_ftindex *x);

static inline int vs_ftindex_tracks(const vs_ftindex *x, uint32_t id) { return vs_bitvec_test(&x->tracked, id); }
/* Is id one of the index's documents (num_docs counts them; FT.SEARCH can
 * return them)?  Tracked hashes none of whose attributes indexed are not. */
static inline int vs_ftindex_holds(const vs_ftindex *x, uint32_t id) { return vs_bitvec_test(&x->indexed, id); }

/* The raw value of hash field name[0, n) of key id (NULL: no such key,
 * not a hash, or no such field). */
static inline const vs_hfield *vs_ftindex_value(const vs_ftindex *x, uint32_t id, const uint8_t *name, size_t n) {
    const vs_kentry *e = vs_ks_by_id(x->ks, id);
    return e && e->type == VS_TYPE_HASH ? vs_hash_get(e->v.hash, name, n) : NULL;
}

#endif
