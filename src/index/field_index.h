/* field_index.h - the one interface every attribute index implements:
 * FLAT and HNSW vectors, TAG and NUMERIC (as valkey-search's
 * indexes/index_base.h).
 *
 * Updates are two-phase like the keyspace's: prepare validates the new
 * value and allocates everything commit will need; commit cannot fail;
 * abort drops what prepare made.  A value that does not parse (a vector
 * blob of the wrong size, a number that is not one, a TAG with no tags)
 * is not an error: prepare clears p->valid and commit removes whatever
 * the document had in this field; the owner counts it as an indexing
 * failure.
 *
 * Queries are type-specific (flat.h, tag.h, ...).
 */
#ifndef VS_FIELD_INDEX_H
#define VS_FIELD_INDEX_H

#include <stddef.h>
#include <stdint.h>

#include "base/bitset.h"
#include "base/reply.h"
#include "index/schema.h"
#include "base/status.h"

typedef enum vs_fi_action {
    VS_FI_NONE = 0, /* field untouched */
    VS_FI_SET,      /* index val (if valid), replacing the previous value */
    VS_FI_REMOVE,   /* drop the document from this field */
} vs_fi_action;

typedef struct vs_fi_prep {
    vs_fi_action action;
    int valid;            /* SET: the value parsed */
    const uint8_t *val;   /* SET: raw value (valid until commit/abort) */
    size_t len;
    double num;           /* NUMERIC: the parsed value */
    void *data;           /* the implementation's prepared allocation */
} vs_fi_prep;

typedef struct vs_field_index vs_field_index;

typedef struct vs_fi_ops {
    /* Make per-id storage cover id. */
    vs_status (*reserve_id)(vs_field_index *fi, uint32_t id);
    /* SET: validate p->val/len (set p->valid) and allocate for commit. */
    vs_status (*prepare)(vs_field_index *fi, uint32_t id, vs_fi_prep *p);
    /* Apply: a valid SET adds or replaces; anything else removes id. */
    void (*commit)(vs_field_index *fi, uint32_t id, vs_fi_prep *p);
    void (*abort)(vs_field_index *fi, vs_fi_prep *p);
    /* Remove every document (FLUSHALL). */
    void (*clear)(vs_field_index *fi);
    void (*destroy)(vs_field_index *fi);
    /* Bytes held. */
    size_t (*memory)(const vs_field_index *fi);
    /* The type-specific tail of the attribute in FT.INFO (after "type"
     * and its value): info_len RESP elements. */
    void (*info)(const vs_field_index *fi, vs_reply *r);
    int info_len;
    const char *type_name; /* "VECTOR", "TAG", "NUMERIC" */
    /* Optional: give back slack capacity (ids stay below id_bound); called
     * when a bulk load (backfill) ends. */
    void (*compact)(vs_field_index *fi, uint32_t id_bound);
} vs_fi_ops;

struct vs_field_index {
    const vs_fi_ops *ops;
    const vs_fielddef *def; /* owned by the index's schema */
    vs_bitvec present;      /* ids indexed in this field */
    vs_bitvec failed;       /* ids whose value did not parse */
    uint32_t npresent;
    uint32_t nfailed;
};

/* Constructors (implemented by each index type). */
vs_field_index *vs_flat_new(const vs_fielddef *def);
vs_field_index *vs_tagidx_new(const vs_fielddef *def);
vs_field_index *vs_numidx_new(const vs_fielddef *def);
/* seed: level generator seed (reproducible builds). */
vs_field_index *vs_hnsw_new(const vs_fielddef *def, uint32_t seed);

#endif
