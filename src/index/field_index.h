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
 * failure.  A value with nothing to index (a TEXT value with no word once
 * stop words are dropped) is the field missing, as valkey-search has it:
 * prepare turns the SET into a REMOVE (allocating nothing).
 *
 * Queries go through the same table: membership and counts for every
 * type, filter clauses for TAG and NUMERIC, a sort value for NUMERIC,
 * and KNN for vectors: exact scoring for every vector index and, for
 * graph indexes, an approximate graph search with its cost estimate, so
 * that the planner (query/) chooses between them.  Callers never see the
 * index structs.
 *
 * Snapshot section (optional): an index whose structures are costly to
 * rebuild (FLAT, HNSW) saves them in a section of its own, which it
 * encodes and decodes itself; persist/ only frames the section (its type,
 * length and checksum, its place in the file, and the index and field
 * positions that open its payload: docs/snapshot-format.md) and calls
 * these ops.  The others (TAG, NUMERIC) are rebuilt from the keys on load.
 *  - snap_save walks the section as pieces: small encodings in the walk's
 *    scratch, or spans of live memory copied as they are, so no
 *    serialized copy is ever made.  persist/ walks it twice (the length,
 *    then the bytes); the index does not change in between.
 *  - snap_load decodes it as a state machine fed by the reader: each call
 *    takes the bytes the previous one asked for and asks for the next
 *    ones: a small header staged by the reader (vs_fi_stage: at most
 *    VS_FI_STAGE bytes, handed back in `in`), or a span read straight
 *    into the index's own memory (vs_fi_read_into).  Every count and
 *    length is checked against `left` (what the section still holds)
 *    before anything is allocated for it; contents that make no sense set
 *    `damage` (vs_fi_damaged: the reader reads the rest of the section and
 *    reports the damage, or the checksum if that fails too).
 *  - snap_finish runs once the section's bytes all arrived and its
 *    checksum verified: it validates what was loaded (against itself and
 *    the key ids, all below key_bound) and rebuilds what the section does
 *    not hold; VS_ERR_CORRUPT with the reason in *why.
 * The field index being loaded is new (empty) and is destroyed if the load
 * fails at any point, so it must stay destroyable throughout.
 */
#ifndef VS_FIELD_INDEX_H
#define VS_FIELD_INDEX_H

#include <stddef.h>
#include <stdint.h>

#include "base/bitset.h"
#include "base/reply.h"
#include "index/schema.h"
#include "base/status.h"
#include "index/topk.h"
#include "index/vector.h"

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

/* ---- snapshot section: the walks ---- */

/* A walk over a section being written (snap_save); zeroed at its start. */
typedef struct vs_fi_save {
    int step;
    uint32_t i;
    uint8_t scratch[64];
} vs_fi_save;

#define VS_FI_STAGE 64 /* largest staged read a decoder may ask for */

/* A section being loaded (snap_load, see above); zeroed at its start. */
typedef struct vs_fi_load {
    /* From the reader, before each snap_load: */
    const uint8_t *in; /* the bytes of a staged read */
    uint64_t left;     /* section bytes not asked for yet */
    /* From the index: the next read, or the end, or damage. */
    int staged;        /* n bytes staged (vs_fi_stage), else into dst */
    void *dst;
    size_t n;
    int done;
    const char *damage;
    /* From the reader, at the start: the section is of the format before
     * vectors were held once (FLAT and HNSW sections with the vectors'
     * bytes inside, which the index reads past). */
    int legacy;
    /* The index's own place. */
    int step;
    uint32_t i;
} vs_fi_load;

/* Ask for the next n bytes, to be taken by step `step` of the next
 * snap_load call: staged (1 <= n <= VS_FI_STAGE; the call finds them in
 * ld->in), or read into dst (any n, checked against ld->left first). */
static inline vs_status vs_fi_stage(vs_fi_load *ld, int step, size_t n) {
    ld->step = step;
    ld->staged = 1;
    ld->n = n;
    return VS_OK;
}
static inline vs_status vs_fi_read_into(vs_fi_load *ld, int step, void *dst, size_t n) {
    ld->step = step;
    ld->dst = dst;
    ld->n = n;
    return VS_OK;
}
/* Everything the section holds was asked for. */
static inline vs_status vs_fi_done(vs_fi_load *ld) {
    ld->done = 1;
    return VS_OK;
}
/* The contents do not make sense: stop decoding. */
static inline vs_status vs_fi_damaged(vs_fi_load *ld, const char *why) {
    ld->damage = why;
    return VS_OK;
}
/* Bounds of a NUMERIC range; *_excl for '(' bounds. */
typedef struct vs_num_range {
    double lo, hi;
    int lo_excl, hi_excl;
} vs_num_range;

/* One tag of a TAG clause: exact, or every tag starting with it. */
typedef struct vs_fi_tag {
    const uint8_t *p;
    uint32_t n;
    uint8_t prefix;
} vs_fi_tag;

typedef enum vs_fi_clause_kind {
    VS_FI_TAGS,  /* TAG: any of tags */
    VS_FI_RANGE, /* NUMERIC: range */
} vs_fi_clause_kind;

/* A filter predicate on one field; its kind fits the field's type. */
typedef struct vs_fi_clause {
    vs_fi_clause_kind kind;
    vs_fi_tag *tags; /* TAGS */
    uint32_t ntags;
    vs_num_range range; /* RANGE */
} vs_fi_clause;

/* A KNN request to a vector index.  Results go to a top-k heap (its k is
 * the K asked for); farther than max_dist they are left out (INFINITY:
 * no bound). */
typedef struct vs_knn_req {
    vs_vquery q;             /* query vector, in the index's type */
    const vs_bitset *filter; /* NULL: every vector; else only these key ids */
    float max_dist;
    uint32_t ef;             /* graph search breadth (0: EF_RUNTIME; at least k) */
} vs_knn_req;

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

    /* ---- snapshot section (all three, or none: see the top) ---- */
    /* The next piece of the section in *p, *n; 0 when it is complete. */
    int (*snap_save)(const vs_field_index *fi, vs_fi_save *w, const uint8_t **p, size_t *n);
    /* Take the bytes asked for, ask for the next (or end, or damage). */
    vs_status (*snap_load)(vs_field_index *fi, vs_fi_load *ld);
    /* The section checked out: validate, rebuild what it does not hold. */
    vs_status (*snap_finish)(vs_field_index *fi, uint32_t key_bound, const char **why);
    /* Vector indexes (held once, else NULL): once every section of the
     * database is loaded, point each element at its key's value of this
     * field, got by get(ctx, key id, &bytes, &len) (0: the key has none).
     * A value missing or not a valid vector is damage: VS_ERR_CORRUPT and
     * the reason in *why. */
    vs_status (*rebind)(vs_field_index *fi, int (*get)(void *ctx, uint32_t id, const uint8_t **p, size_t *n),
                        void *ctx, const char **why);
    /* ---- queries ---- */
    /* Documents held, and whether key id is one of them. */
    uint32_t (*count)(const vs_field_index *fi);
    int (*has)(const vs_field_index *fi, uint32_t id);
    /* TAG, NUMERIC (else NULL): OR into out the ids matching c (ids at or
     * past out->nbits are skipped).  VS_ERR_NOMEM: out is incomplete. */
    vs_status (*match)(const vs_field_index *fi, const vs_fi_clause *c, vs_bitset *out);
    /* NUMERIC (else NULL): the value of id, NaN when it has none. */
    double (*sort_value)(const vs_field_index *fi, uint32_t id);
    /* VECTOR (else NULL): exact KNN, scoring every vector or only the
     * filter's. */
    void (*knn_exact)(const vs_field_index *fi, const vs_knn_req *req, vs_topk *top);
    /* Graph indexes (else NULL): approximate KNN by graph search, with a
     * filter widening until k matches are found.  Uses the index's search
     * scratch, hence not const. */
    vs_status (*knn_graph)(vs_field_index *fi, const vs_knn_req *req, vs_topk *top);
    /* Graph indexes: estimated distance computations of a graph search for
     * k results with breadth ef (as in vs_knn_req) when a fraction
     * `selectivity` (> 0) of the documents passes the filter. */
    double (*knn_graph_cost)(const vs_field_index *fi, uint32_t k, uint32_t ef, double selectivity);
    /* VECTOR (else NULL): every document within radius of req->q
     * (distance <= radius; only the filter's when req->filter is set),
     * each passed to emit once with its distance, in no set order; emit's
     * error stops the search and is returned.  FLAT is exact
     * (flat_range.c); HNSW runs a range search on the graph whose
     * exploration stops past radius * (1 + epsilon) (hnsw_range.c), so it
     * may miss some.  Uses the index's search scratch, hence not const. */
    vs_status (*range)(vs_field_index *fi, const vs_knn_req *req, float radius, float epsilon,
                       vs_status (*emit)(void *ctx, uint32_t id, float dist), void *ctx);
} vs_fi_ops;

struct vs_field_index {
    const vs_fi_ops *ops;
    const vs_fielddef *def; /* owned by the index's schema */
    vs_bitvec present;      /* ids indexed in this field */
    vs_bitvec failed;       /* ids whose value did not parse */
    uint32_t npresent;
    uint32_t nfailed;
};

/* The index for attribute def (of its type and algorithm); seed: the HNSW
 * level generator's seed (reproducible builds).  NULL: out of memory. */
vs_field_index *vs_field_index_new(const vs_fielddef *def, uint32_t seed);

/* Constructors (implemented by each index type). */
vs_field_index *vs_flat_new(const vs_fielddef *def);
vs_field_index *vs_tagidx_new(const vs_fielddef *def);
vs_field_index *vs_numidx_new(const vs_fielddef *def);
vs_field_index *vs_hnsw_new(const vs_fielddef *def, uint32_t seed);

#endif
