/* hnsw.c - HNSW vector index (see hnsw.h).
 *
 * Construction follows hnswlib: greedy descent through the upper layers,
 * a beam search of width EF_CONSTRUCTION per layer, the paper's heuristic
 * neighbour selection, mutual links with heuristic pruning when a list is
 * full.  Queries: greedy descent, then a beam search of width
 * max(EF_RUNTIME, k) on layer 0; deleted elements route but are never
 * returned.  Filtered queries: see vs_hnsw_search's planner.
 *
 * Loading a snapshot: the vs_hnsw_load_* functions at the end make room
 * for what hnsw_snap.c (the index's snapshot section) decodes, then
 * validate the graph and rebuild the rest.  What HNSW shares with FLAT
 * (the blob a document holds, the FT.INFO attribute) is in vector.c.
 */
#include "index/hnsw.h"

#include <math.h>
#include <string.h>

#include "base/alloc.h"
#include "base/idtable.h"
#include "index/sq8.h"
#include "index/vector.h"

#define GROWTH_NUM 3 /* capacity grows by 3/2 */
#define GROWTH_DEN 2

static vs_hnsw *H(vs_field_index *fi) { return (vs_hnsw *)fi; }
static const vs_hnsw *CH(const vs_field_index *fi) { return (const vs_hnsw *)fi; }

static inline uint8_t *elem(const vs_hnsw *h, uint32_t e) { return h->arena + (size_t)e * h->elem_size; }
static inline uint32_t *links_of(const vs_hnsw *h, uint32_t e, int l) {
    return l == 0 ? (uint32_t *)elem(h, e) : h->upper[e] + (size_t)(l - 1) * (h->M + 1);
}
/* Set a list's length, zeroing the slots it stops using: slots past a
 * list's length are always 0, so the arena never keeps stale ids (a
 * snapshot is the same bytes for the same graph, and carries nothing of
 * deleted elements). */
static inline void set_len(uint32_t *lk, uint32_t n) {
    for (uint32_t i = n; i < lk[0]; i++) lk[1 + i] = 0;
    lk[0] = n;
}
/* In-degree bookkeeping of layer 0: call before a list is rewritten
 * (its links stop counting) and after (the new ones count). */
static inline void indeg_sub(vs_hnsw *h, const uint32_t *lk) {
    for (uint32_t i = 1; i <= lk[0]; i++) h->indeg[lk[i]]--;
}
static inline void indeg_add(vs_hnsw *h, const uint32_t *lk) {
    for (uint32_t i = 1; i <= lk[0]; i++) h->indeg[lk[i]]++;
}
static inline const vs_vref *vec_of(const vs_hnsw *h, uint32_t e) { return &h->vecs[e]; }
static inline uint32_t key_of(const vs_hnsw *h, uint32_t e) {
    uint32_t k;
    memcpy(&k, elem(h, e) + h->off_key, sizeof k);
    return k;
}
static inline int is_deleted(const vs_hnsw *h, uint32_t e) { return vs_bit_test(h->deleted.w, e); }

/* ---- deleted elements' vectors -------------------------------------------
 *
 * A deleted element keeps routing searches until its slot is reused, but
 * its key's value goes: it gets a copy of its own (a tombstone), freed when
 * the slot is reused or the graph cleared.  The copy is made while the
 * removal is applied (a removal cannot fail, and the index is not asked to
 * prepare one); if that allocation fails the element routes through a zero
 * vector instead (vs_hnsw_zero_vec) until its slot is reused: searches
 * stay correct, that one node only guides them less well. */

const uint8_t vs_hnsw_zero_vec[(size_t)VS_MAX_DIM * 4];

static void drop_tomb(vs_hnsw *h, uint32_t e) {
    if (h->vecs[e].v && h->vecs[e].v != vs_hnsw_zero_vec) vs_free((void *)h->vecs[e].v);
    h->vecs[e].v = NULL;
}

static void make_tomb(vs_hnsw *h, uint32_t e) {
    uint8_t *c = vs_malloc(h->sp.bytes);
    if (c) {
        memcpy(c, h->vecs[e].v, h->sp.bytes);
        h->vecs[e].v = c;
    } else {
        h->vecs[e].v = vs_hnsw_zero_vec;
        h->vecs[e].inv_norm = 0;
    }
}

/* Distances with a direct call (no function pointer) in the hot loops. */
static inline float dist_v(const vs_hnsw *h, const vs_vref *a, const vs_vref *b) {
    return vs_vdist(&h->sp, a->v, a->inv_norm, b->v, b->inv_norm);
}
static inline float dist_q(const vs_hnsw *h, const vs_vref *q, uint32_t e) { return dist_v(h, q, vec_of(h, e)); }
static inline uint32_t max_links(const vs_hnsw *h, int l) { return l ? h->M : h->M0; }

/* COMPRESSION SQ8: element e's code record, and a query's distance to e
 * through the codes (qc, the query's record) or, qc NULL, exactly.  The
 * search loops below are written once and instantiated for both (qc a
 * constant in each), so the uncompressed path tests nothing per
 * distance. */
static inline const uint8_t *code_of(const vs_hnsw *h, uint32_t e) { return h->codes + (size_t)e * h->code_size; }
static inline void write_code(vs_hnsw *h, uint32_t e) {
    if (h->codes) vs_sq8_encode(&h->sp, h->vecs[e].v, h->vecs[e].inv_norm, h->codes + (size_t)e * h->code_size);
}
#define VS_FORCE_INLINE inline __attribute__((always_inline))
static VS_FORCE_INLINE float dist_qc(const vs_hnsw *h, const vs_vref *q, const uint8_t *qc, uint32_t e) {
    return qc ? vs_sq8_dist(h->sp.metric, h->sp.dim, qc, code_of(h, e), h->cdot) : dist_q(h, q, e);
}

uint32_t vs_hnsw_capacity(const vs_hnsw *h) { return h->capacity > h->initial_cap ? h->capacity : h->initial_cap; }

/* ---- heaps of (dist, id): ties by id, so every build orders alike -------- */

static inline int before(vs_scored a, vs_scored b) { return a.dist < b.dist || (a.dist == b.dist && a.id < b.id); }

static inline int after(vs_scored a, vs_scored b) { return before(b, a); }

/* A binary heap ordered by `first(a, b)` (a goes above b): push and pop,
 * generated once for the min-heap (candidates) and the max-heap (results)
 * so both stay inlined in the search loops. */
#define HEAP(name, first)                                                     \
    static void name##_push(vs_scored *hp, size_t *n, float d, uint32_t id) { \
        size_t i = (*n)++;                                                    \
        vs_scored x = {d, id};                                                \
        while (i) {                                                           \
            size_t p = (i - 1) >> 1;                                          \
            if (!first(x, hp[p])) break;                                      \
            hp[i] = hp[p];                                                    \
            i = p;                                                            \
        }                                                                     \
        hp[i] = x;                                                            \
    }                                                                         \
    static vs_scored name##_pop(vs_scored *hp, size_t *n) {                   \
        vs_scored top = hp[0], x = hp[--(*n)];                                \
        size_t i = 0, m = *n;                                                 \
        for (;;) {                                                            \
            size_t c = 2 * i + 1;                                             \
            if (c >= m) break;                                                \
            if (c + 1 < m && first(hp[c + 1], hp[c])) c++;                    \
            if (!first(hp[c], x)) break;                                      \
            hp[i] = hp[c];                                                    \
            i = c;                                                            \
        }                                                                     \
        if (m) hp[i] = x;                                                     \
        return top;                                                           \
    }

HEAP(min, before)
HEAP(max, after)
#undef HEAP

/* Sort a scored array ascending (small arrays: insertion sort). */
static void sort_scored(vs_scored *a, size_t n) {
    for (size_t i = 1; i < n; i++) {
        vs_scored x = a[i];
        size_t j = i;
        while (j && before(x, a[j - 1])) {
            a[j] = a[j - 1];
            j--;
        }
        a[j] = x;
    }
}

/* Heap sort of a max-heap into ascending order, in place. */
static void max_heap_sort(vs_scored *hp, size_t n) {
    while (n > 1) {
        size_t m = n;
        vs_scored top = max_pop(hp, &m);
        hp[n - 1] = top;
        n--;
    }
}

/* ---- visited tags ----------------------------------------------------- */

static uint16_t new_epoch(vs_hnsw *h) {
    if (++h->epoch == 0) {
        memset(h->visited, 0, (size_t)h->capacity * sizeof *h->visited);
        h->epoch = 1;
    }
    return h->epoch;
}

/* ---- search ------------------------------------------------------------- */

/* WebAssembly has no prefetch instruction.  Loading one byte of every
 * cache line of each upcoming vector before computing any distance puts
 * their misses in flight at once (the CPU overlaps independent loads),
 * instead of paying them one after another inside the distance loops.
 * The sum goes to a global so the loads are not optimised away. */
uint32_t vs_hnsw_touch_sink;

static VS_FORCE_INLINE void touch_qc(const vs_hnsw *h, const uint32_t *ids, uint32_t n, const uint8_t *qc) {
    uint32_t acc = 0;
    if (qc) { /* the code records */
        for (uint32_t i = 0; i < n; i++) {
            const uint8_t *v = code_of(h, ids[i]);
            for (size_t o = 0; o < h->code_size; o += 64) acc += v[o];
        }
        vs_hnsw_touch_sink += acc;
        return;
    }
    for (uint32_t i = 0; i < n; i++) {
        const uint8_t *v = vec_of(h, ids[i])->v;
        /* Every cache line of the vector: measured 20-45% faster queries and
         * builds than touching only the first lines (bench/hnsw.js). */
        for (size_t o = 0; o < h->sp.bytes; o += 64) acc += v[o];
    }
    vs_hnsw_touch_sink += acc;
}
static inline void touch(const vs_hnsw *h, const uint32_t *ids, uint32_t n) { touch_qc(h, ids, n, NULL); }

static inline void touch_links(const vs_hnsw *h, uint32_t e, int l) { vs_hnsw_touch_sink += links_of(h, e, l)[0]; }

/* Greedy walk at layer l from *ep towards q (through the codes: qc). */
static VS_FORCE_INLINE void greedy_qc(const vs_hnsw *h, const vs_vref *q, const uint8_t *qc, uint32_t *ep, float *dep,
                                      int l) {
    int changed = 1;
    while (changed) {
        changed = 0;
        const uint32_t *lk = links_of(h, *ep, l);
        uint32_t n = lk[0];
        for (uint32_t i = 1; i <= n; i++) {
            float d = dist_qc(h, q, qc, lk[i]);
            if (d < *dep || (d == *dep && lk[i] < *ep)) {
                *dep = d;
                *ep = lk[i];
                changed = 1;
            }
        }
    }
}
static void greedy(const vs_hnsw *h, const vs_vref *q, uint32_t *ep, float *dep, int l) { greedy_qc(h, q, NULL, ep, dep, l); }
static void greedy_sq8(const vs_hnsw *h, const uint8_t *qc, uint32_t *ep, float *dep, int l) {
    greedy_qc(h, NULL, qc, ep, dep, l);
}

/* Beam search for construction: every element counts (deleted ones too).
 * Results: max-heap in res, returns its size. */
static size_t search_build(vs_hnsw *h, const vs_vref *q, uint32_t ep, float dep, uint32_t ef, int l, vs_scored *res) {
    uint16_t tag = new_epoch(h);
    size_t nc = 0, nr = 0;
    vs_scored *cand = h->cand;
    h->visited[ep] = tag;
    min_push(cand, &nc, dep, ep);
    max_push(res, &nr, dep, ep);
    uint32_t *next = h->next;
    while (nc) {
        vs_scored c = min_pop(cand, &nc);
        if (c.dist > res[0].dist && nr == ef) break;
        const uint32_t *lk = links_of(h, c.id, l);
        uint32_t n = 0;
        for (uint32_t i = 1; i <= lk[0]; i++) {
            uint32_t e = lk[i];
            if (h->visited[e] == tag) continue;
            h->visited[e] = tag;
            next[n++] = e;
        }
        touch(h, next, n);
        for (uint32_t i = 0; i < n; i++) {
            uint32_t e = next[i];
            float d = dist_q(h, q, e);
            if (nr < ef || before((vs_scored){d, e}, res[0])) {
                min_push(cand, &nc, d, e);
                max_push(res, &nr, d, e);
                if (nr > ef) max_pop(res, &nr);
            }
        }
    }
    return nr;
}

/* Beam search on layer 0 for queries: only live elements (and, with a
 * filter, only those whose key is in it) enter the results; exploration
 * goes on until ef of them are found or the reachable graph is exhausted,
 * which widens the search as far as a selective filter needs. */
static VS_FORCE_INLINE size_t search_query_qc(vs_hnsw *h, const vs_vref *q, const uint8_t *qc, uint32_t ep, float dep,
                                              uint32_t ef, const vs_bitset *filter, vs_scored *res, uint32_t ep2,
                                              float d2) {
    uint16_t tag = new_epoch(h);
    size_t nc = 0, nr = 0;
    vs_scored *cand = h->cand;
    const int exact_stop = !filter && h->nfree == 0; /* every element is a result */
    h->visited[ep] = tag;
    min_push(cand, &nc, dep, ep);
    float bound = INFINITY;
#define ALLOWED(e) (!is_deleted(h, e) && (!filter || (key_of(h, e) < filter->nbits && vs_bit_test(filter->w, key_of(h, e)))))
    if (ALLOWED(ep)) {
        max_push(res, &nr, dep, ep);
        bound = dep;
    }
    if (ep2 != ep) {
        /* The entry point as a second start: every element is reachable
         * from it on layer 0 (the reachability tree), while the descent
         * may end where some are not.  Its distance (d2) is the descent's
         * first; it is only expanded when the results are not yet full or
         * it is closer than the worst of them. */
        h->visited[ep2] = tag;
        min_push(cand, &nc, d2, ep2);
        if (ALLOWED(ep2)) {
            max_push(res, &nr, d2, ep2);
            if (nr > ef) max_pop(res, &nr);
            bound = res[0].dist;
        }
    }
    uint32_t *next = h->next;
    while (nc) {
        vs_scored c = min_pop(cand, &nc);
        if (c.dist > bound && (nr == ef || exact_stop)) break;
        const uint32_t *lk = links_of(h, c.id, 0);
        uint32_t n = 0;
        for (uint32_t i = 1; i <= lk[0]; i++) {
            uint32_t e = lk[i];
            if (h->visited[e] == tag) continue;
            h->visited[e] = tag;
            next[n++] = e;
        }
        touch_qc(h, next, n, qc);
        if (nc) touch_links(h, cand[0].id, 0); /* the next node to expand */
        for (uint32_t i = 0; i < n; i++) {
            uint32_t e = next[i];
            float d = dist_qc(h, q, qc, e);
            if (nr < ef || d < bound || (d == bound && e < res[0].id)) {
                min_push(cand, &nc, d, e);
                if (ALLOWED(e)) {
                    max_push(res, &nr, d, e);
                    if (nr > ef) max_pop(res, &nr);
                    bound = res[0].dist;
                }
            }
        }
    }
#undef ALLOWED
    return nr;
}
static size_t search_query(vs_hnsw *h, const vs_vref *q, uint32_t ep, float dep, uint32_t ef, const vs_bitset *filter,
                           vs_scored *res, uint32_t ep2, float d2) {
    return search_query_qc(h, q, NULL, ep, dep, ef, filter, res, ep2, d2);
}
static size_t search_query_sq8(vs_hnsw *h, const uint8_t *qc, uint32_t ep, float dep, uint32_t ef,
                               const vs_bitset *filter, vs_scored *res, uint32_t ep2, float d2) {
    return search_query_qc(h, NULL, qc, ep, dep, ef, filter, res, ep2, d2);
}

/* ---- neighbour selection -------------------------------------------------- */

/* The paper's heuristic: from candidates c[0..n) sorted by distance to
 * the base, keep c unless a kept s is closer to c than the base is.  The
 * picks go to out[0..kept), in order (out may be c itself); returns how
 * many were kept (at most m). */
static size_t heuristic_to(const vs_hnsw *h, const vs_scored *c, size_t n, size_t m, vs_scored *out) {
    size_t kept = 0;
    for (size_t i = 0; i < n && kept < m; i++) {
        int good = 1;
        const vs_vref *vc = vec_of(h, c[i].id);
        for (size_t j = 0; j < kept; j++) {
            if (dist_q(h, vc, out[j].id) < c[i].dist) {
                good = 0;
                break;
            }
        }
        if (good) out[kept++] = c[i];
    }
    return kept;
}
static size_t heuristic(const vs_hnsw *h, vs_scored *c, size_t n, size_t m) {
    return n <= m ? n : heuristic_to(h, c, n, m, c);
}

/* ---- the reachability tree ----------------------------------------------
 *
 * Every element (live or deleted: deleted ones still route) has a parent,
 * one of its layer-0 in-links, except the entry point, the root: parent[e]
 * links to e on layer 0, and following parents from any element ends at
 * the entry point without a cycle.  So every element is reachable on
 * layer 0 from the entry point, whatever the heuristics do to the lists.
 *
 * Keeping it costs little: a list rewrite that drops a link p -> t where
 * parent[t] == p makes t an orphan (parent NO_ELEM, pushed on h->orphans);
 * so does a new element, and the old entry point when a new element takes
 * over.  At the end of every operation, settle() gives each orphan a
 * parent: an in-link from a certified element (its parent chain reaches
 * the root, not through the orphan, so no cycle), found among the orphan's
 * own neighbours (mutual links) or by a small search for its vector; if
 * there is none, a link is added from the nearest certified element with
 * room, replacing one of its links that is no tree link, so adding it
 * makes no new orphan and nothing cascades.  Such an element always
 * exists: the certified elements C hold |C| x M0 slots, only |C| - 1 of
 * them tree links into C and none into the orphan's subtree or another
 * orphan's, so some certified element has a free or non-tree slot (the
 * last resort scans every element).  Orphans are rare: pruning keeps
 * tree links (add_link), so they come from repairs of reused slots and
 * from a list whose links must all stay refusing a repair's link. */

static void orphan(vs_hnsw *h, uint32_t t) {
    h->parent[t] = VS_NO_ELEM;
    h->orphans[h->norphans++] = t;
}

/* Layer-0 list of `owner` about to become new[0..n): orphan the children
 * whose tree link goes. */
static void drop_children(vs_hnsw *h, uint32_t owner, const uint32_t *old, const vs_scored *nw, size_t n) {
    for (uint32_t i = 1; i <= old[0]; i++) {
        uint32_t c = old[i];
        if (h->parent[c] != owner) continue;
        int kept = 0;
        for (size_t j = 0; j < n && !kept; j++) kept = nw[j].id == c;
        if (!kept) orphan(h, c);
    }
}

/* x's parent chain reaches the root without passing through t (or an
 * orphan): a link x -> t could be t's tree link. */
static int certified(const vs_hnsw *h, uint32_t x, uint32_t t) {
    for (uint32_t steps = 0; steps <= h->count; steps++) {
        if (x == t) return 0;
        if (x == h->entry) return 1;
        x = h->parent[x];
        if (x == VS_NO_ELEM) return 0;
    }
    return 0; /* a cycle: never built, but never followed forever */
}

static int links_to(const vs_hnsw *h, uint32_t x, uint32_t t) {
    const uint32_t *lk = links_of(h, x, 0);
    for (uint32_t i = 1; i <= lk[0]; i++)
        if (lk[i] == t) return 1;
    return 0;
}

/* Room for one more link in x's layer-0 list without dropping a tree link:
 * the slot to use (1-based), or 0.  A full list gives up its farthest
 * link that is no tree link (preferably not an orphan's way in). */
static uint32_t room_for(const vs_hnsw *h, uint32_t x) {
    const uint32_t *lk = links_of(h, x, 0);
    if (lk[0] < h->M0) return lk[0] + 1;
    uint32_t best = 0;
    int best_orphan = 1;
    float bd = -INFINITY;
    const vs_vref *vx = vec_of(h, x);
    for (uint32_t i = 1; i <= lk[0]; i++) {
        uint32_t c = lk[i];
        if (h->parent[c] == x) continue;
        int orph = h->parent[c] == VS_NO_ELEM && c != h->entry;
        float d = dist_q(h, vx, c);
        if (!best || (best_orphan && !orph) || (orph == best_orphan && d > bd)) {
            best = i;
            bd = d;
            best_orphan = orph;
        }
    }
    return best;
}

/* Link x -> t in slot i (from room_for) and make x t's parent. */
static void attach(vs_hnsw *h, uint32_t x, uint32_t t, uint32_t i) {
    uint32_t *lk = links_of(h, x, 0);
    if (i > lk[0]) {
        lk[0] = i;
    } else {
        h->indeg[lk[i]]--;
    }
    lk[i] = t;
    h->indeg[t]++;
    h->parent[t] = x;
}

/* A certified element linking to t among t's neighbours (most links are
 * mutual): becomes t's parent.  No distances. */
static int adopt_mutual(vs_hnsw *h, uint32_t t) {
    const uint32_t *lt = links_of(h, t, 0);
    for (uint32_t i = 1; i <= lt[0]; i++)
        if (links_to(h, lt[i], t) && certified(h, lt[i], t)) {
            h->parent[t] = lt[i];
            return 1;
        }
    return 0;
}

/* A search for t's vector: descent, then a beam of M0 on layer 0 whose
 * expanded elements are checked for a certified link to t (adopted).
 * Otherwise, with `link`, a new link from the nearest certified element
 * with room, else from a stop of the descent, else (last resort, not seen
 * in tests) from the nearest one anywhere. */
static int adopt_searched(vs_hnsw *h, uint32_t t, int link) {
    const vs_vref *q = vec_of(h, t);
    uint32_t ep = h->entry, path[VS_HNSW_MAX_LEVEL + 1];
    float dep = dist_q(h, q, ep);
    int np = 0;
    path[np++] = ep;
    for (int l = h->max_level; l > 0; l--) {
        greedy(h, q, &ep, &dep, l);
        path[np++] = ep;
    }
    uint16_t tag = new_epoch(h);
    size_t nc = 0, nr = 0, ef = h->M0;
    vs_scored *cand = h->cand, *res = h->sel2; /* 2 (M0 + 1) entries */
    h->visited[ep] = tag;
    min_push(cand, &nc, dep, ep);
    max_push(res, &nr, dep, ep);
    while (nc) {
        vs_scored c = min_pop(cand, &nc);
        if (c.dist > res[0].dist && nr == ef) break;
        const uint32_t *lk = links_of(h, c.id, 0);
        for (uint32_t i = 1; i <= lk[0]; i++) {
            uint32_t e = lk[i];
            if (e == t && c.id != t && certified(h, c.id, t)) {
                h->parent[t] = c.id;
                return 1;
            }
            if (h->visited[e] == tag) continue;
            h->visited[e] = tag;
            float d = dist_q(h, q, e);
            if (nr < ef || before((vs_scored){d, e}, res[0])) {
                min_push(cand, &nc, d, e);
                max_push(res, &nr, d, e);
                if (nr > ef) max_pop(res, &nr);
            }
        }
    }
    if (!link) return 0;
    max_heap_sort(res, nr);
    for (size_t i = 0; i < nr; i++) {
        uint32_t x = res[i].id, slot;
        if (x != t && certified(h, x, t) && (slot = room_for(h, x))) {
            attach(h, x, t, slot);
            return 1;
        }
    }
    /* All near t hang under t or another orphan (t heads a large
     * subtree): the descent's stops, nearest first; the entry point is
     * the last of them and always certified. */
    while (np-- > 0) {
        uint32_t x = path[np], slot;
        if (x != t && certified(h, x, t) && !links_to(h, x, t) && (slot = room_for(h, x))) {
            attach(h, x, t, slot);
            return 1;
        }
    }
    uint32_t bx = VS_NO_ELEM, bslot = 0;
    float bd = INFINITY;
    for (uint32_t x = 0; x < h->count; x++) {
        if (x == t || !certified(h, x, t)) continue;
        if (links_to(h, x, t)) {
            h->parent[t] = x;
            return 1;
        }
        uint32_t slot = room_for(h, x);
        float d = dist_q(h, q, x);
        if (slot && (bx == VS_NO_ELEM || d < bd)) {
            bx = x;
            bslot = slot;
            bd = d;
        }
    }
    if (bx == VS_NO_ELEM) return 0; /* impossible (see above) */
    attach(h, bx, t, bslot);
    return 1;
}

/* Give every orphan a parent: at the end of every operation.  Orphans
 * often hang under one another (a reused slot's old children), so the
 * cheap ways go round all of them until none makes progress (mutual
 * links, then searches); only then is a link added, for one orphan, and
 * the rest tried again.  Nothing here makes new orphans. */
static void settle(vs_hnsw *h) {
    int searched = 0;
    while (h->norphans) {
        uint32_t w = 0, progress = 0;
        for (uint32_t i = 0; i < h->norphans; i++) {
            uint32_t t = h->orphans[i];
            if (t >= h->count || t == h->entry || h->parent[t] != VS_NO_ELEM) continue;
            if (searched ? adopt_searched(h, t, 0) : adopt_mutual(h, t)) {
                progress = 1;
                continue;
            }
            h->orphans[w++] = t;
        }
        h->norphans = w;
        if (progress) {
            searched = 0;
        } else if (!searched) {
            searched = 1;
        } else if (w) {
            adopt_searched(h, h->orphans[--h->norphans], 1);
            searched = 0;
        }
    }
}

/* Add a link n -> e at layer l (distance d).  A full list is pruned as
 * hnswlib and usearch prune it, to the heuristic's picks among its links
 * and e: it shrinks, and the next links into n are appended without a
 * distance until it is full again (a list kept full would be re-scored
 * and pruned on every link added to it).  Some links stay whatever the
 * heuristic says: on layer 0, one that is its node's tree link (parent)
 * or only way in (in-degree 1), picked or not; they come first.  With
 * keep set the new link comes next (a repair's way back into e); it is
 * left out only when the links that must stay fill the list, and then
 * settle() gives e a way in.  The other picks fill the rest of the list
 * in order of distance. */
static inline int must_stay(const vs_hnsw *h, uint32_t n, uint32_t c, int l) {
    return l == 0 && (h->parent[c] == n || h->indeg[c] <= 1);
}
static void add_link(vs_hnsw *h, uint32_t n, uint32_t e, float d, int l, int keep) {
    uint32_t *lk = links_of(h, n, l);
    uint32_t cnt = lk[0], mx = max_links(h, l);
    for (uint32_t i = 1; i <= cnt; i++)
        if (lk[i] == e) return;
    if (cnt < mx) {
        lk[1 + cnt] = e;
        lk[0] = cnt + 1;
        if (l == 0) h->indeg[e]++;
        return;
    }
    /* M0 + 1 entries each: the candidates sorted, the heuristic's picks
     * (a subsequence of them), the new list. */
    vs_scored *s = h->sel2, *picks = h->sel2 + h->M0 + 1, *out = h->sel;
    const vs_vref *vn = vec_of(h, n);
    for (uint32_t i = 0; i < cnt; i++) {
        s[i].id = lk[1 + i];
        s[i].dist = dist_q(h, vn, lk[1 + i]);
    }
    s[cnt].id = e;
    s[cnt].dist = d;
    sort_scored(s, cnt + 1);
    size_t np = heuristic_to(h, s, cnt + 1, mx, picks);
    size_t k = 0; /* (e is not in the old list: at most cnt == mx must stay) */
    for (size_t i = 0; i <= cnt; i++)
        if (s[i].id != e && must_stay(h, n, s[i].id, l)) out[k++] = s[i];
    if (keep && k < mx) out[k++] = (vs_scored){d, e};
    for (size_t i = 0; i < np && k < mx; i++) {
        uint32_t c = picks[i].id;
        if (c == e ? !keep : !must_stay(h, n, c, l)) out[k++] = picks[i];
    }
    if (l == 0) {
        indeg_sub(h, lk);
        drop_children(h, n, lk, out, k);
    }
    for (size_t i = 0; i < k; i++) lk[1 + i] = out[i].id;
    set_len(lk, (uint32_t)k);
    if (l == 0) indeg_add(h, lk);
}

/* Link element e (vector in place, level known) into layers
 * min(level, max_level)..0, starting from the entry point.  e's own links
 * are replaced; e is never its own neighbour.  e's old layer-0 links (a
 * reused slot's) no longer count in the in-degrees (repair_neighbours
 * took them out); they still route this search. */
static void link_element(vs_hnsw *h, uint32_t e, int level) {
    const vs_vref *q = vec_of(h, e);
    uint32_t ep = h->entry;
    float dep = dist_q(h, q, ep);
    for (int l = h->max_level; l > level; l--) greedy(h, q, &ep, &dep, l);
    for (int l = level < h->max_level ? level : h->max_level; l >= 0; l--) {
        size_t nr = search_build(h, q, ep, dep, h->ef_construction, l, h->res);
        max_heap_sort(h->res, nr);
        /* Drop e itself (it can be reached through its old links). */
        size_t w = 0;
        for (size_t i = 0; i < nr; i++)
            if (h->res[i].id != e) h->res[w++] = h->res[i];
        nr = w;
        if (nr == 0) {
            if (l == 0) drop_children(h, e, links_of(h, e, 0), NULL, 0);
            set_len(links_of(h, e, l), 0);
            continue;
        }
        ep = h->res[0].id;
        dep = h->res[0].dist;
        size_t kept = heuristic(h, h->res, nr, h->M);
        uint32_t *lk = links_of(h, e, l);
        if (l == 0) drop_children(h, e, lk, h->res, kept); /* a reused slot's old links */
        for (size_t i = 0; i < kept; i++) lk[1 + i] = h->res[i].id;
        set_len(lk, (uint32_t)kept); /* lk[0] still holds the old length */
        if (l == 0) indeg_add(h, lk);
        for (size_t i = 0; i < kept; i++) add_link(h, h->res[i].id, e, h->res[i].dist, l, 0);
    }
}

/* Reconnect the neighbours of e (about to get a new vector) without e.
 * A neighbour n keeps every other link it has (dropping them could leave
 * a node whose only way in was n unreachable); the slot e held in n's
 * list goes to the best of e's links (heuristic choice, else the
 * closest).  n also loses its in-link from e, since e is re-linked from
 * scratch: one of its neighbours links back to it (add_link's keep; when
 * that list cannot take it, settle() finds n a way in). */
static void repair_neighbours(vs_hnsw *h, uint32_t e, int level) {
    indeg_sub(h, links_of(h, e, 0)); /* e is re-linked afterwards */
    for (int l = 0; l <= level; l++) {
        const uint32_t *le = links_of(h, e, l);
        uint32_t ne = le[0];
        uint32_t mx = max_links(h, l);
        for (uint32_t i = 1; i <= ne; i++) {
            uint32_t n = le[i];
            if (n == e) continue;
            uint32_t *ln = links_of(h, n, l);
            const vs_vref *vn = vec_of(h, n);
            vs_scored *s = h->sel2; /* kept links, then candidates */
            size_t k = 0;
            for (uint32_t j = 1; j <= ln[0]; j++)
                if (ln[j] != e) s[k++] = (vs_scored){dist_q(h, vn, ln[j]), ln[j]};
            size_t nkeep = k;
            uint32_t want = ln[0] > mx ? mx : ln[0];
            if (want < 1) want = 1; /* n keeps at least one way out */
            for (uint32_t j = 1; j <= ne; j++) {
                uint32_t c = le[j];
                if (c == e || c == n) continue;
                int dup = 0;
                for (size_t t = 0; t < k && !dup; t++) dup = s[t].id == c;
                if (!dup) s[k++] = (vs_scored){dist_q(h, vn, c), c};
            }
            sort_scored(s + nkeep, k - nkeep);
            /* Heuristic pass over the candidates, then the closest. */
            size_t w = nkeep;
            for (size_t t = nkeep; t < k && w < want; t++) {
                const vs_vref *vc = vec_of(h, s[t].id);
                int good = 1;
                for (size_t j = 0; j < w && good; j++) good = !(dist_q(h, vc, s[j].id) < s[t].dist);
                if (good) {
                    vs_scored x = s[t];
                    memmove(&s[w + 1], &s[w], (t - w) * sizeof *s);
                    s[w++] = x;
                }
            }
            for (size_t t = w; t < k && w < want; t++) s[w++] = s[t]; /* still sorted past w */
            if (l == 0) {
                indeg_sub(h, ln);
                drop_children(h, n, ln, s, w);
            }
            for (size_t t = 0; t < w; t++) ln[1 + t] = s[t].id;
            set_len(ln, (uint32_t)w);
            if (l == 0) indeg_add(h, ln);
            if (w == 0) continue;
            /* From the closest neighbour not linking to n already (one
             * that does may share an island with n), else the closest. */
            vs_scored best = {INFINITY, VS_NO_ELEM}, any = {INFINITY, VS_NO_ELEM};
            for (size_t t = 0; t < w; t++) {
                if (before(s[t], any)) any = s[t];
                const uint32_t *lc = links_of(h, s[t].id, l);
                int linked = 0;
                for (uint32_t j = 1; j <= lc[0] && !linked; j++) linked = lc[j] == n;
                if (!linked && before(s[t], best)) best = s[t];
            }
            if (best.id == VS_NO_ELEM) best = any;
            add_link(h, best.id, n, best.dist, l, 1);
        }
    }
}

/* ---- capacity --------------------------------------------------------------- */

static vs_status grow(vs_hnsw *h, uint32_t need) {
    if (need <= h->capacity) return VS_OK;
    uint64_t cap = h->capacity ? (uint64_t)h->capacity * GROWTH_NUM / GROWTH_DEN : h->initial_cap;
    if (cap < need) cap = need;
    if (cap > UINT32_MAX - 1) cap = UINT32_MAX - 1;
    if (cap * h->elem_size > SIZE_MAX / 2) return VS_ERR_NOMEM;
    /* Each array is grown on its own; a failure leaves the larger ones
     * allocated (capacity) and the rest as they were. */
#define GROW_ARRAY(field, elem_bytes)                                         \
    do {                                                                      \
        void *p_ = vs_realloc(h->field, (size_t)cap * (elem_bytes));          \
        if (!p_) return VS_ERR_NOMEM;                                         \
        h->field = p_;                                                        \
    } while (0)
    GROW_ARRAY(arena, h->elem_size);
    GROW_ARRAY(vecs, sizeof *h->vecs);
    GROW_ARRAY(levels, sizeof *h->levels);
    GROW_ARRAY(upper, sizeof *h->upper);
    GROW_ARRAY(free_list, sizeof *h->free_list);
    GROW_ARRAY(indeg, sizeof *h->indeg);
    memset(h->indeg + h->capacity, 0, (size_t)(cap - h->capacity) * sizeof *h->indeg);
    GROW_ARRAY(parent, sizeof *h->parent);
    GROW_ARRAY(orphans, sizeof *h->orphans);
    GROW_ARRAY(cand, sizeof *h->cand);
    GROW_ARRAY(visited, sizeof *h->visited);
    memset(h->visited + h->capacity, 0, (size_t)(cap - h->capacity) * sizeof *h->visited);
    if (h->code_size) GROW_ARRAY(codes, h->code_size);
#undef GROW_ARRAY
    if (vs_bitvec_reserve(&h->deleted, (uint32_t)cap - 1) != VS_OK) return VS_ERR_NOMEM;
    h->capacity = (uint32_t)cap;
    return VS_OK;
}

static vs_status hnsw_reserve_id(vs_field_index *fi, uint32_t id) {
    vs_hnsw *h = H(fi);
    static const uint32_t none = VS_NO_ELEM;
    uint32_t *ke = vs_idtable_cover(h->key_elem, &h->key_cap, id, sizeof *ke, &none);
    if (!ke) return VS_ERR_NOMEM;
    h->key_elem = ke;
    return VS_OK;
}

/* ---- level generator ---------------------------------------------------- */

static uint64_t next_rand(uint64_t *s) { /* splitmix64 */
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* P(level >= l) = M^-l, as floor(-ln(U) / ln(M)), in integers only. */
static int draw_level(vs_hnsw *h) {
    int level = 0;
    uint64_t threshold = UINT64_MAX / h->M;
    while (level < VS_HNSW_MAX_LEVEL && next_rand(&h->rng) < threshold) level++;
    return level;
}

/* ---- field index interface ------------------------------------------------ */

typedef struct hnsw_prep {
    int level;          /* level of a new element */
    uint32_t *upper;    /* its upper links (NULL at level 0) */
    uint64_t rng_before;
} hnsw_prep;

static vs_status hnsw_prepare(vs_field_index *fi, uint32_t id, vs_fi_prep *p) {
    vs_hnsw *h = H(fi);
    p->valid = vs_vector_blob_valid(&h->sp, p->val, p->len);
    if (!p->valid) return VS_OK;
    int has_old = id < h->key_cap && h->key_elem[id] != VS_NO_ELEM;
    if (has_old || h->nfree > 0) return VS_OK; /* a slot is reused: no allocation */
    vs_status st = grow(h, h->count + 1);
    if (st != VS_OK) return st;
    hnsw_prep *hp = vs_malloc(sizeof *hp);
    if (!hp) return VS_ERR_NOMEM;
    hp->rng_before = h->rng;
    hp->level = draw_level(h);
    hp->upper = NULL;
    if (hp->level > 0) {
        hp->upper = vs_malloc((size_t)hp->level * (h->M + 1) * sizeof(uint32_t));
        if (!hp->upper) {
            h->rng = hp->rng_before;
            vs_free(hp);
            return VS_ERR_NOMEM;
        }
    }
    p->data = hp;
    return VS_OK;
}

/* Mark element e deleted (it keeps routing) and free its slot for reuse. */
static void delete_elem(vs_hnsw *h, uint32_t e) {
    vs_bit_set(h->deleted.w, e);
    h->free_list[h->nfree++] = e;
    h->key_elem[key_of(h, e)] = VS_NO_ELEM;
    h->live--;
}

/* Element e takes the value blob of key (held, not copied: it points
 * into the value block the keyspace is about to make live). */
static void write_vector(vs_hnsw *h, uint32_t e, const uint8_t *blob, uint32_t key) {
    h->vecs[e].v = blob;
    h->vecs[e].inv_norm = vs_vector_ref_norm(&h->sp, blob);
    write_code(h, e);
    memcpy(elem(h, e) + h->off_key, &key, sizeof key);
}

static void hnsw_commit(vs_field_index *fi, uint32_t id, vs_fi_prep *p) {
    vs_hnsw *h = H(fi);
    hnsw_prep *hp = p->data;
    p->data = NULL;
    uint32_t prev = id < h->key_cap ? h->key_elem[id] : VS_NO_ELEM;
    if (prev != VS_NO_ELEM) delete_elem(h, prev);
    if (p->action != VS_FI_SET || !p->valid) {
        /* The old value goes once this change is applied, but its element
         * still routes searches: it keeps a copy. */
        if (prev != VS_NO_ELEM) make_tomb(h, prev);
        return;
    }
    uint32_t e;
    if (h->nfree > 0) {
        /* Reuse the most recently freed slot (for an update: its own). */
        e = h->free_list[--h->nfree];
        int level = h->levels[e];
        repair_neighbours(h, e, level);
        if (e != prev) drop_tomb(h, e); /* (an update reuses its own slot: no copy) */
        write_vector(h, e, p->val, id);
        vs_bit_clear(h->deleted.w, e);
        link_element(h, e, level);
    } else {
        e = h->count++;
        int level = hp->level;
        h->levels[e] = (uint8_t)level;
        h->upper[e] = hp->upper;
        vs_bit_clear(h->deleted.w, e);
        write_vector(h, e, p->val, id);
        for (int l = 0; l <= level; l++) memset(links_of(h, e, l), 0, (1 + (size_t)max_links(h, l)) * sizeof(uint32_t));
        h->parent[e] = VS_NO_ELEM;
        if (h->entry == VS_NO_ELEM) {
            h->entry = e;
            h->max_level = level;
        } else {
            orphan(h, e);
            link_element(h, e, level);
            if (level > h->max_level) {
                /* The new root reaches the old one: through a link of its
                 * own if it has none (it holds at most M of M0 here). */
                uint32_t old = h->entry, slot;
                h->entry = e;
                h->max_level = level;
                h->parent[e] = VS_NO_ELEM;
                if (links_to(h, e, old))
                    h->parent[old] = e;
                else if ((slot = room_for(h, e)))
                    attach(h, e, old, slot);
                else
                    orphan(h, old);
            }
        }
    }
    settle(h);
    h->key_elem[id] = e;
    h->live++;
    vs_free(hp);
}

static void hnsw_abort(vs_field_index *fi, vs_fi_prep *p) {
    vs_hnsw *h = H(fi);
    hnsw_prep *hp = p->data;
    if (hp) {
        h->rng = hp->rng_before; /* a refused insert leaves the generator as it was */
        vs_free(hp->upper);
        vs_free(hp);
    }
    p->data = NULL;
}

static void free_graph(vs_hnsw *h) {
    for (uint32_t e = 0; e < h->count; e++) {
        vs_free(h->upper[e]);
        if (is_deleted(h, e)) drop_tomb(h, e);
    }
    vs_free(h->arena);
    vs_free(h->vecs);
    vs_free(h->legacy);
    h->vecs = NULL;
    h->legacy = NULL;
    vs_free(h->levels);
    vs_free(h->upper);
    vs_free(h->free_list);
    vs_free(h->indeg);
    vs_free(h->parent);
    vs_free(h->orphans);
    vs_free(h->cand);
    vs_free(h->visited);
    vs_free(h->codes);
    h->codes = NULL;
    vs_bitvec_free(&h->deleted);
    h->arena = h->levels = NULL;
    h->upper = NULL;
    h->free_list = NULL;
    h->indeg = NULL;
    h->parent = h->orphans = NULL;
    h->norphans = 0;
    h->cand = NULL;
    h->visited = NULL;
    h->capacity = h->count = h->live = h->nfree = 0;
    h->entry = VS_NO_ELEM;
    h->max_level = 0;
    h->epoch = 0;
}

static void hnsw_clear(vs_field_index *fi) {
    vs_hnsw *h = H(fi);
    free_graph(h);
    for (uint32_t i = 0; i < h->key_cap; i++) h->key_elem[i] = VS_NO_ELEM;
}

static void hnsw_destroy(vs_field_index *fi) {
    vs_hnsw *h = H(fi);
    free_graph(h);
    vs_free(h->key_elem);
    vs_free(h->res);
    vs_free(h->sel);
    vs_free(h->sel2);
    vs_free(h->next);
    vs_bitvec_free(&h->base.present);
    vs_bitvec_free(&h->base.failed);
    vs_free(h);
}

static size_t hnsw_memory(const vs_field_index *fi) {
    const vs_hnsw *h = CH(fi);
    size_t per = h->elem_size + h->code_size + sizeof(vs_vref) + 1 + sizeof(uint32_t *) + 4 * sizeof(uint32_t) + sizeof(vs_scored) +
                 sizeof(uint16_t);
    size_t m = sizeof *h + (size_t)h->capacity * per + h->deleted.cap / 8 + (size_t)h->key_cap * sizeof(uint32_t) +
               (size_t)h->res_cap * sizeof(vs_scored) + 3 * ((size_t)h->M0 + 1) * sizeof(vs_scored);
    for (uint32_t e = 0; e < h->count; e++)
        if (h->upper[e]) m += (size_t)h->levels[e] * (h->M + 1) * sizeof(uint32_t);
    /* Vector bytes are the keys' (counted with the hashes), except the
     * deleted elements' own copies. */
    m += (size_t)h->nfree * h->sp.bytes;
    return m;
}

static void hnsw_info(const vs_field_index *fi, vs_reply *r) {
    const vs_hnsw *h = CH(fi);
    vs_vector_info(r, fi->def, vs_hnsw_capacity(h), h->live, "HNSW", h->code_size ? 10 : 8);
    vs_reply_simple(r, "m");
    vs_reply_int(r, h->M);
    vs_reply_simple(r, "ef_construction");
    vs_reply_int(r, h->ef_construction);
    vs_reply_simple(r, "ef_runtime");
    vs_reply_int(r, h->ef_runtime);
    if (h->code_size) {
        vs_reply_simple(r, "compression");
        vs_reply_simple(r, "SQ8");
    }
}

/* ---- queries ---------------------------------------------------------------- */

static uint32_t hnsw_count(const vs_field_index *fi) { return CH(fi)->live; }

static int hnsw_has(const vs_field_index *fi, uint32_t id) {
    const vs_hnsw *h = CH(fi);
    return id < h->key_cap && h->key_elem[id] != VS_NO_ELEM;
}

/* Exact scoring of every live element, or of the filter's documents. */
static void hnsw_knn_exact(const vs_field_index *fi, const vs_knn_req *req, vs_topk *top) {
    const vs_hnsw *h = CH(fi);
    const vs_bitset *filter = req->filter;
    const vs_vref q = {req->q.v, req->q.inv_norm};
    if (!filter) {
        for (uint32_t e = 0; e < h->count; e++)
            if (!is_deleted(h, e)) vs_topk_offer(top, dist_q(h, &q, e), key_of(h, e), req->max_dist);
        return;
    }
    uint32_t lim = filter->nbits < h->key_cap ? filter->nbits : h->key_cap;
    for (uint32_t id = vs_bitset_next(filter, 0); id < lim; id = vs_bitset_next(filter, id + 1)) {
        uint32_t e = h->key_elem[id];
        if (e != VS_NO_ELEM) vs_topk_offer(top, dist_q(h, &q, e), id, req->max_dist);
    }
}

/* The search breadth used for k results. */
static uint32_t breadth(const vs_hnsw *h, uint32_t k, uint32_t ef) {
    if (ef == 0) ef = h->ef_runtime;
    return ef < k ? k : ef;
}

/* A filtered search visits about ef / selectivity nodes, each computing
 * up to M0 distances (half on average). */
static double hnsw_knn_graph_cost(const vs_field_index *fi, uint32_t k, uint32_t ef, double selectivity) {
    const vs_hnsw *h = CH(fi);
    return (double)breadth(h, k, ef) / selectivity * (double)h->M0 / 2;
}

static vs_status hnsw_knn_graph(vs_field_index *fi, const vs_knn_req *req, vs_topk *top) {
    vs_hnsw *h = H(fi);
    if (h->live == 0 || top->k == 0) return VS_OK;
    uint32_t ef = breadth(h, (uint32_t)top->k, req->ef);
    /* COMPRESSION SQ8: the walk keeps k more candidates than ef for the
     * re-ranking (estimates misorder near neighbours; measured: at EF 10
     * without them recall fell ~0.01 below the uncompressed walk's). */
    if (h->code_size) ef += ef > UINT32_MAX - (uint32_t)top->k ? 0 : (uint32_t)top->k;
    size_t res_bytes = ((size_t)ef + 1) * sizeof(vs_scored);
    vs_scored *res = vs_malloc(res_bytes + h->code_size);
    if (!res) return VS_ERR_NOMEM;
    const vs_vref qr = {req->q.v, req->q.inv_norm}, *q = &qr;
    if (h->code_size) {
        /* The walk on the codes, then the ef candidates re-scored with
         * the full vectors (top keeps the best k). */
        uint8_t *qc = (uint8_t *)res + res_bytes;
        vs_sq8_encode(&h->sp, req->q.v, req->q.inv_norm, qc);
        uint32_t ep = h->entry;
        float dep = vs_sq8_dist(h->sp.metric, h->sp.dim, qc, code_of(h, ep), h->cdot);
        const float dentry = dep;
        for (int l = h->max_level; l > 0; l--) greedy_sq8(h, qc, &ep, &dep, l);
        size_t nr = search_query_sq8(h, qc, ep, dep, ef, req->filter, res, h->entry, dentry);
        for (size_t i = 0; i < nr; i++)
            vs_topk_offer(top, dist_q(h, q, res[i].id), key_of(h, res[i].id), req->max_dist);
        vs_free(res);
        return VS_OK;
    }
    uint32_t ep = h->entry;
    float dep = dist_q(h, q, ep);
    const float dentry = dep;
    for (int l = h->max_level; l > 0; l--) greedy(h, q, &ep, &dep, l);
    size_t nr = search_query(h, q, ep, dep, ef, req->filter, res, h->entry, dentry);
    for (size_t i = 0; i < nr; i++) vs_topk_offer(top, res[i].dist, key_of(h, res[i].id), req->max_dist);
    vs_free(res);
    return VS_OK;
}

/* ---- for the range search (hnsw_range.c) ------------------------------------- */

uint16_t vs_hnsw_epoch(vs_hnsw *h) { return new_epoch(h); }

float vs_hnsw_qdist(const vs_hnsw *h, const vs_vref *q, uint32_t e) { return dist_q(h, q, e); }

uint32_t vs_hnsw_descend(const vs_hnsw *h, const vs_vref *q, float *dep) {
    uint32_t ep = h->entry;
    *dep = dist_q(h, q, ep);
    for (int l = h->max_level; l > 0; l--) greedy(h, q, &ep, dep, l);
    return ep;
}

const uint32_t *vs_hnsw_links0(const vs_hnsw *h, uint32_t e) { return links_of(h, e, 0); }

uint32_t vs_hnsw_key(const vs_hnsw *h, uint32_t e) { return key_of(h, e); }

static const vs_fi_ops hnsw_ops = {
    .reserve_id = hnsw_reserve_id,
    .prepare = hnsw_prepare,
    .commit = hnsw_commit,
    .abort = hnsw_abort,
    .clear = hnsw_clear,
    .destroy = hnsw_destroy,
    .memory = hnsw_memory,
    .info = hnsw_info,
    .info_len = 2,
    .type_name = "VECTOR",
    /* ---- snapshot section (hnsw_snap.c) ---- */
    .snap_save = vs_hnsw_snap_save,
    .snap_load = vs_hnsw_snap_load,
    .snap_finish = vs_hnsw_snap_finish,
    .rebind = vs_hnsw_rebind,
    .count = hnsw_count,
    .has = hnsw_has,
    .knn_exact = hnsw_knn_exact,
    .knn_graph = hnsw_knn_graph,
    .knn_graph_cost = hnsw_knn_graph_cost,
    .range = vs_hnsw_range,
};

vs_field_index *vs_hnsw_new(const vs_fielddef *def, uint32_t seed) {
    vs_hnsw *h = vs_calloc(1, sizeof *h);
    if (!h) return NULL;
    h->base.ops = &hnsw_ops;
    h->base.def = def;
    vs_vspace_init(&h->sp, &def->vec);
    h->M = def->vec.m;
    h->M0 = 2 * def->vec.m;
    h->ef_construction = def->vec.ef_construction;
    h->ef_runtime = def->vec.ef_runtime;
    h->initial_cap = def->vec.initial_cap;
    h->off_key = (1 + (size_t)h->M0) * sizeof(uint32_t);
    h->elem_size = h->off_key + sizeof(uint32_t);
    if (def->vec.compression == VS_COMPRESS_SQ8 && vs_sq8_supported(&h->sp)) {
        h->code_size = vs_sq8_size(h->sp.dim);
        h->cdot = vs_dot_of(VS_VEC_UINT8);
    }
    h->entry = VS_NO_ELEM;
    h->rng = 0x5eedf00dull ^ ((uint64_t)seed << 17) ^ seed;
    h->res_cap = h->ef_construction + 1;
    h->res = vs_malloc((size_t)h->res_cap * sizeof *h->res);
    h->sel = vs_malloc(((size_t)h->M0 + 1) * sizeof *h->sel);
    h->sel2 = vs_malloc(2 * ((size_t)h->M0 + 1) * sizeof *h->sel2);
    h->next = vs_malloc(((size_t)h->M0 + 1) * sizeof *h->next);
    if (!h->res || !h->sel || !h->sel2 || !h->next) {
        hnsw_destroy(&h->base);
        return NULL;
    }
    return &h->base;
}

/* ---- checks ---------------------------------------------------------------- */

uint32_t vs_hnsw_unreachable(const vs_hnsw *h) {
    if (h->live == 0) return 0;
    uint32_t n = h->count;
    if (h->entry >= n || h->levels[h->entry] != h->max_level) return 1;
    uint8_t *seen = vs_calloc(n, 1);
    uint32_t *queue = vs_malloc((size_t)n * sizeof *queue);
    if (!seen || !queue) {
        vs_free(seen);
        vs_free(queue);
        return UINT32_MAX;
    }
    size_t qh = 0, qt = 0;
    queue[qt++] = h->entry;
    seen[h->entry] = 1;
    while (qh < qt) {
        const uint32_t *lk = links_of(h, queue[qh++], 0);
        for (uint32_t i = 1; i <= lk[0]; i++)
            if (lk[i] < n && !seen[lk[i]]) {
                seen[lk[i]] = 1;
                queue[qt++] = lk[i];
            }
    }
    uint32_t missed = 0;
    for (uint32_t e = 0; e < n; e++) missed += !seen[e] && !is_deleted(h, e);
    vs_free(seen);
    vs_free(queue);
    return missed;
}

/* ---- loading (hnsw_snap.c decodes the snapshot section into these) ------- */

vs_status vs_hnsw_load_reserve(vs_hnsw *h, uint32_t count, uint32_t capacity) {
    if (capacity < count) capacity = count;
    vs_status st = grow(h, capacity ? capacity : 1);
    if (st != VS_OK) return st;
    for (uint32_t e = 0; e < count; e++) {
        h->upper[e] = NULL;
        h->vecs[e] = (vs_vref){NULL, 0}; /* deleted ones: their copies; the rest: rebind */
    }
    memset(h->deleted.w, 0, h->deleted.cap / 8);
    h->count = count;
    return VS_OK;
}

vs_status vs_hnsw_load_upper(vs_hnsw *h, uint32_t e) {
    if (h->levels[e] == 0) return VS_OK;
    h->upper[e] = vs_malloc((size_t)h->levels[e] * (h->M + 1) * sizeof(uint32_t));
    return h->upper[e] ? VS_OK : VS_ERR_NOMEM;
}

vs_status vs_hnsw_load_finish(vs_hnsw *h, uint32_t key_bound) {
    uint32_t n = h->count, nfree = h->nfree, entry = h->entry;
    int max_level = h->max_level;
    if (nfree > n) return VS_ERR_CORRUPT;
    for (uint32_t e = 0; e < n; e++) {
        if (h->levels[e] > VS_HNSW_MAX_LEVEL || h->levels[e] > max_level) return VS_ERR_CORRUPT;
        const uint32_t *lk0 = links_of(h, e, 0);
        if (lk0[0] > max_links(h, 0)) return VS_ERR_CORRUPT;
        for (uint32_t i = 1; i <= lk0[0]; i++) /* every element is on layer 0 */
            if (lk0[i] >= n || lk0[i] == e) return VS_ERR_CORRUPT;
        for (uint32_t i = lk0[0] + 1; i <= max_links(h, 0); i++) /* unused slots are 0 */
            if (lk0[i]) return VS_ERR_CORRUPT;
        for (int l = 1; l <= h->levels[e]; l++) {
            const uint32_t *lk = links_of(h, e, l);
            if (lk[0] > max_links(h, l)) return VS_ERR_CORRUPT;
            for (uint32_t i = 1; i <= lk[0]; i++)
                if (lk[i] >= n || lk[i] == e || h->levels[lk[i]] < l) return VS_ERR_CORRUPT;
            for (uint32_t i = lk[0] + 1; i <= max_links(h, l); i++)
                if (lk[i]) return VS_ERR_CORRUPT;
        }
    }
    if (n == 0) {
        if (entry != VS_NO_ELEM || max_level != 0 || nfree != 0) return VS_ERR_CORRUPT;
    } else if (entry >= n || max_level < 0 || max_level > VS_HNSW_MAX_LEVEL || h->levels[entry] != max_level) {
        return VS_ERR_CORRUPT;
    }
    /* The decoder marked the free list's elements deleted (each once, in
     * range) as it read their vectors. */
    for (uint32_t i = 0; i < nfree; i++)
        if (h->free_list[i] >= n || !vs_bit_test(h->deleted.w, h->free_list[i]) || !h->vecs[h->free_list[i]].v)
            return VS_ERR_CORRUPT;
    if (key_bound && hnsw_reserve_id(&h->base, key_bound - 1) != VS_OK) return VS_ERR_NOMEM;
    for (uint32_t e = 0; e < n; e++) {
        if (vs_bit_test(h->deleted.w, e)) continue;
        uint32_t k = key_of(h, e);
        if (k >= key_bound || h->key_elem[k] != VS_NO_ELEM) return VS_ERR_CORRUPT;
        h->key_elem[k] = e;
    }
    memset(h->indeg, 0, (size_t)h->capacity * sizeof *h->indeg);
    for (uint32_t e = 0; e < n; e++) indeg_add(h, links_of(h, e, 0));
    h->live = n - nfree;
    h->entry = n ? entry : VS_NO_ELEM;
    /* The reachability tree: breadth first from the entry point (the
     * orphan array as the queue); an element the walk misses (a snapshot
     * of an older build) is linked in by settle. */
    h->norphans = 0;
    if (n) {
        for (uint32_t e = 0; e < n; e++) h->parent[e] = VS_NO_ELEM;
        uint32_t *queue = h->orphans, qh = 0, qt = 0;
        queue[qt++] = entry;
        h->parent[entry] = entry; /* seen; reset below */
        while (qh < qt) {
            uint32_t e = queue[qh++];
            const uint32_t *lk = links_of(h, e, 0);
            for (uint32_t i = 1; i <= lk[0]; i++)
                if (h->parent[lk[i]] == VS_NO_ELEM) {
                    h->parent[lk[i]] = e;
                    queue[qt++] = lk[i];
                }
        }
        h->parent[entry] = VS_NO_ELEM;
        for (uint32_t e = 0; e < n; e++)
            if (e != entry && h->parent[e] == VS_NO_ELEM) h->orphans[h->norphans++] = e;
        /* settle (distances) once rebind gave the elements their vectors */
    }
    return VS_OK;
}

vs_status vs_hnsw_rebind(vs_field_index *fi, int (*get)(void *ctx, uint32_t id, const uint8_t **p, size_t *n),
                         void *ctx, const char **why) {
    vs_hnsw *h = H(fi);
    for (uint32_t e = 0; e < h->count; e++) {
        if (is_deleted(h, e)) continue;
        const uint8_t *v;
        size_t n;
        if (!get(ctx, key_of(h, e), &v, &n) || !vs_vector_blob_valid(&h->sp, v, n)) {
            *why = "an HNSW index holds a key whose value is not a valid vector";
            return VS_ERR_CORRUPT;
        }
        h->vecs[e].v = v;
        h->vecs[e].inv_norm = vs_vector_ref_norm(&h->sp, v);
        write_code(h, e);
    }
    settle(h);
    return VS_OK;
}

vs_status vs_hnsw_load_tomb(vs_hnsw *h, uint32_t e, uint8_t **dst) {
    if (e >= h->count || is_deleted(h, e)) return VS_ERR_CORRUPT;
    uint8_t *c = vs_malloc(h->sp.bytes);
    if (!c) return VS_ERR_NOMEM;
    vs_bit_set(h->deleted.w, e);
    h->vecs[e].v = c;
    h->vecs[e].inv_norm = 0;
    *dst = c;
    return VS_OK;
}

void vs_hnsw_load_tomb_norm(vs_hnsw *h, uint32_t e) {
    h->vecs[e].inv_norm = vs_vector_ref_norm(&h->sp, h->vecs[e].v);
    write_code(h, e);
}
