/* hnsw.h - HNSW vector index (Malkov & Yashunin), laid out for speed.
 *
 * Layer 0 lives in one arena, one fixed-size record per element:
 *   [uint32 neighbour count | uint32 ids[M0] | uint32 key id]
 * and the vectors apart, held once (vector.h): vecs[e] points at the
 * key's value of the field (and holds its inverse norm for COSINE), a
 * dense array a search reads beside the records.  Upper layers
 * are kept apart (most elements have none): upper[e] holds, for levels
 * 1..level(e), [count | ids[M]].  Element ids are dense uint32.
 *
 * Levels come from a seeded generator (integer arithmetic only), so a build
 * is reproducible for a given seed and insertion order, and identical in
 * the SIMD and scalar builds (whose distances are bit-identical).
 *
 * With COMPRESSION SQ8 every element also has an 8-bit code record
 * (sq8.h) that queries walk the graph on; the best EF candidates found are
 * re-scored with the full vectors.
 *
 * Deletion marks the element (it keeps routing searches, never appears in
 * results) and puts it on a free list; the next insertion reuses the slot,
 * repairing the neighbours of the old element and re-linking the new one
 * (hnswlib's update path), so memory stays bounded under churn.  A reused
 * slot is always re-linked, the entry point's too (its old links lead to
 * elements that no longer link back).
 *
 * Invariants:
 *  - key_elem[key(e)] == e for every live element e;
 *  - a deleted element is on the free list exactly once;
 *  - link counts never exceed M0 (layer 0) or M (upper layers);
 *  - indeg[e] == the number of layer-0 lists holding e (pruning prefers
 *    not to drop a node's only way in);
 *  - reachability tree: parent[e] (e not the entry point) is an element
 *    whose layer-0 list holds e, and parent chains end at the entry
 *    point; no orphans between operations.  So every element, live or
 *    deleted, is reachable on layer 0 from the entry point after any
 *    sequence of inserts, updates and deletes, and a query's layer-0
 *    search starts from the entry point as well as from where its
 *    descent ended (vs_hnsw_unreachable checks it);
 *  - entry is NO_ELEM iff no element was ever inserted (after FLUSHALL too).
 */
#ifndef VS_INDEX_HNSW_H
#define VS_INDEX_HNSW_H

#include "base/bitset.h"
#include "index/distance.h"
#include "index/field_index.h"
#include "index/topk.h"
#include "index/vector.h"

#define VS_NO_ELEM UINT32_MAX
#define VS_HNSW_MAX_LEVEL 16

typedef struct vs_hnsw {
    vs_field_index base;
    vs_vspace sp;              /* type, dim, metric, kernels */
    uint32_t M, M0;            /* max links: upper layers, layer 0 (2M) */
    uint32_t ef_construction;
    uint32_t ef_runtime;       /* default search breadth */
    uint32_t initial_cap;

    size_t elem_size;          /* bytes per layer-0 record */
    size_t off_key;            /* offset of the key id in the record */
    uint8_t *arena;            /* capacity records */
    vs_vref *vecs;             /* per element: its vector (held once: the
                                  key's value; a deleted element's own copy) */
    uint8_t *legacy;           /* loading a legacy section: its arena */
    uint32_t capacity;         /* records allocated */
    uint32_t count;            /* records used (live + deleted) */
    uint32_t live;             /* elements searchable */
    uint8_t *levels;           /* per element */
    uint32_t **upper;          /* per element, NULL at level 0 */
    vs_bitvec deleted;         /* per element */
    uint32_t *free_list;       /* deleted elements to reuse (capacity) */
    uint32_t *indeg;           /* per element: layer-0 links pointing to it */
    uint32_t *parent;          /* per element: its layer-0 in-link in the
                                  reachability tree (see hnsw.c) */
    uint32_t *orphans;         /* elements whose tree in-link went (capacity) */
    uint32_t norphans;
    uint32_t nfree;
    uint32_t entry;            /* entry point, or VS_NO_ELEM */
    int max_level;

    uint32_t *key_elem;        /* key id -> element, VS_NO_ELEM */
    uint32_t key_cap;

    uint64_t rng;              /* level generator state */

    /* Search scratch (grown with capacity, so inserts never allocate). */
    uint16_t *visited;         /* epoch tags per element */
    uint16_t epoch;
    vs_scored *cand;           /* candidate heap, capacity entries */
    vs_scored *res;            /* result heap for construction */
    uint32_t res_cap;
    vs_scored *sel;            /* heuristic scratch (M0 + 1) */
    vs_scored *sel2;
    uint32_t *next;            /* unvisited neighbours of the node expanded (M0) */

    /* COMPRESSION SQ8 (sq8.h): per element its code record, code_size
     * bytes (capacity records, grown with the others), kept for deleted
     * elements too (they route); NULL without compression.  Queries walk
     * the graph on these and re-rank with the full vectors; construction
     * uses the full vectors only, so the graph is the one an uncompressed
     * index builds. */
    uint8_t *codes;
    size_t code_size;
    vs_vsum_fn cdot;           /* the codes' exact dot (UINT8 kernel) */
} vs_hnsw;

uint32_t vs_hnsw_capacity(const vs_hnsw *h);

/* Debugging and tests: how many live elements a query could miss, i.e.
 * that a layer-0 walk from the entry point does not reach (a query's
 * layer-0 search starts from the entry point and from where its descent
 * ended, so what the entry point reaches, every query can).  Also 1 when
 * live elements exist but the entry point is missing or not at
 * max_level.  Allocates scratch (VS_ERR_NOMEM: returns UINT32_MAX).
 * O(elements x M0). */
uint32_t vs_hnsw_unreachable(const vs_hnsw *h);

/* Loading a snapshot (for hnsw_snap.c): vs_hnsw_load_reserve makes room
 * for `capacity` elements (count of them used); the decoder fills levels
 * and the arena, vs_hnsw_load_upper allocates an element's upper links for
 * it to fill, then the free list, and sets entry, max_level, rng and nfree
 * as the snapshot has them; vs_hnsw_load_finish validates all of it (links
 * in range, levels, entry point, free list, key ids below key_bound) and
 * rebuilds the rest (key map, in-degrees, deleted bits, reachability
 * tree; the orphans it leaves are linked in by rebind, which needs the
 * vectors).  VS_ERR_CORRUPT on any inconsistency. */
vs_status vs_hnsw_load_reserve(vs_hnsw *h, uint32_t count, uint32_t capacity);
vs_status vs_hnsw_load_upper(vs_hnsw *h, uint32_t e);
vs_status vs_hnsw_load_finish(vs_hnsw *h, uint32_t key_bound);
/* A deleted element's own vector copy (on the free list; held once, the
 * others are rebound to their keys' values, vs_fi_ops.rebind): allocates
 * it, marks e deleted, and gives the decoder where to read it (then
 * vs_hnsw_load_tomb_norm).  VS_ERR_CORRUPT: e out of range or twice. */
vs_status vs_hnsw_load_tomb(vs_hnsw *h, uint32_t e, uint8_t **dst);
void vs_hnsw_load_tomb_norm(vs_hnsw *h, uint32_t e);
vs_status vs_hnsw_rebind(vs_field_index *fi, int (*get)(void *ctx, uint32_t id, const uint8_t **p, size_t *n),
                         void *ctx, const char **why);

/* For the range search (hnsw_range.c): a fresh visited tag (h->visited[e]
 * == tag marks e visited); the distance from query q to element e; the
 * greedy descent from the entry point through the upper layers (returns
 * the layer-0 element it ends at, its distance in *dep); an element's
 * layer-0 links ([count | ids]); its key id. */
uint16_t vs_hnsw_epoch(vs_hnsw *h);
float vs_hnsw_qdist(const vs_hnsw *h, const vs_vref *q, uint32_t e);
uint32_t vs_hnsw_descend(const vs_hnsw *h, const vs_vref *q, float *dep);
const uint32_t *vs_hnsw_links0(const vs_hnsw *h, uint32_t e);
uint32_t vs_hnsw_key(const vs_hnsw *h, uint32_t e);

/* vs_fi_ops.range (hnsw_range.c). */
vs_status vs_hnsw_range(vs_field_index *fi, const vs_knn_req *req, float radius, float epsilon,
                        vs_status (*emit)(void *ctx, uint32_t id, float dist), void *ctx);

/* The index's snapshot section (hnsw_snap.c): vs_fi_ops.snap_*. */
int vs_hnsw_snap_save(const vs_field_index *fi, vs_fi_save *w, const uint8_t **p, size_t *n);
vs_status vs_hnsw_snap_load(vs_field_index *fi, vs_fi_load *ld);
vs_status vs_hnsw_snap_finish(vs_field_index *fi, uint32_t key_bound, const char **why);

/* The vector a deleted element routes through when its copy could not be
 * made (hnsw.c). */
extern const uint8_t vs_hnsw_zero_vec[];

#endif
