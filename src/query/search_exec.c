/* search_exec.c - FT.SEARCH's execute stage (search.h): the filter, the
 * KNN search the plan stage picks, text scores, SORTBY and LIMIT, into
 * rows.
 *
 * KNN: the K nearest (ties by key), reordered by a SORTBY field stably
 * (ties keep distance order).  Pure filter: the matching documents (every
 * indexed one without a filter) in key order, or best score first when
 * the query has text clauses (ties by key), keeping only the first
 * offset + num with a bounded heap; or all of them sorted by the SORTBY
 * field (ties by key).  Missing SORTBY values sort last either way; a
 * NUMERIC field's hash value that is not a number sorts as 0.
 * Scores, when the plan asks for them, are computed for the whole match
 * set of a filter (its order needs them) and for the K rows of a KNN.
 * SORTBY a yielded distance (a VECTOR_RANGE clause's) orders by it, rows
 * without it last, ties as for a field; the kept rows then get their
 * distances for every range clause (rows.yield).
 */
#include <math.h>
#include <string.h>

#include "base/alloc.h"
#include "data/expires.h"
#include "query/query_exec.h"
#include "query/search.h"

typedef struct sort_ctx {
    const vs_ftindex *x;
    int field;             /* schema field */
    int desc;
    const vs_scored *rows; /* KNN: sort row indexes into rows; NULL: sort ids */
    const vs_qeval *ev;    /* SORTBY a yielded distance: the evaluation */
    int range;             /* ... of this range clause (else -1) */
} sort_ctx;

/* Raw hash value of field f for key id (NULL if absent). */
static const vs_hfield *hash_value(const vs_ftindex *x, uint32_t id, int f) {
    const vs_fielddef *d = &x->schema.fields[f];
    return vs_ftindex_value(x, id, d->ident, d->ilen);
}

/* Compare two ids by the SORTBY field as valkey-search's ApplySorting: a
 * NUMERIC field by value (a hash value that is not a number as 0),
 * others by raw bytes; missing values last in either direction, then by
 * key (KNN: by distance order). */
static int sortby_cmp(void *vctx, uint32_t a, uint32_t b) {
    const sort_ctx *c = vctx;
    const vs_ftindex *x = c->x;
    int r = 0;
    uint32_t ra = a, rb = b; /* row indexes (KNN) */
    if (c->rows) {
        a = c->rows[ra].id;
        b = c->rows[rb].id;
    }
    if (c->range >= 0) { /* a yielded distance; rows without one last */
        float da, db;
        int ha = vs_qeval_range_dist(c->ev, (uint32_t)c->range, a, &da);
        int hb = vs_qeval_range_dist(c->ev, (uint32_t)c->range, b, &db);
        if (ha != hb) return ha ? -1 : 1;
        if (ha) r = (da > db) - (da < db);
        if (c->desc) r = -r;
        if (r) return r;
        if (c->rows) return (ra > rb) - (ra < rb);
        return vs_key_cmp(x->ks, a, b);
    }
    const vs_field_index *fi = x->fields[c->field];
    if (fi->ops->sort_value) {
        double va = fi->ops->sort_value(fi, a), vb = fi->ops->sort_value(fi, b);
        /* A value the index does not hold but the hash has (not a number)
         * counts as 0, as valkey-search's value_or(0.0); NaN: no value. */
        if (isnan(va) && hash_value(x, a, c->field)) va = 0.0;
        if (isnan(vb) && hash_value(x, b, c->field)) vb = 0.0;
        if (isnan(va) || isnan(vb)) {
            if (isnan(va) != isnan(vb)) return isnan(va) ? 1 : -1;
        } else {
            r = (va > vb) - (va < vb);
        }
    } else {
        const vs_hfield *fa = hash_value(x, a, c->field), *fb = hash_value(x, b, c->field);
        if (!fa || !fb) {
            if (!fa != !fb) return fa ? -1 : 1;
        } else {
            size_t n = fa->vlen < fb->vlen ? fa->vlen : fb->vlen;
            r = memcmp(vs_hfield_value(fa), vs_hfield_value(fb), n);
            if (!r) r = (fa->vlen > fb->vlen) - (fa->vlen < fb->vlen);
        }
    }
    if (c->desc) r = -r;
    if (r) return r;
    if (c->rows) return (ra > rb) - (ra < rb); /* keep distance order */
    return vs_key_cmp(x->ks, a, b);
}

/* out->row = rows [offset, offset + num) of the n in src (through order
 * when given). */
static vs_status keep_slice(const vs_search_plan *p, const vs_scored *src, const uint32_t *order, size_t n,
                            vs_search_rows *out) {
    size_t from = p->offset < n ? (size_t)p->offset : n;
    size_t cnt = p->num < n - from ? (size_t)p->num : n - from;
    out->row = vs_malloc((cnt ? cnt : 1) * sizeof *out->row);
    if (!out->row) return VS_ERR_NOMEM;
    for (size_t i = 0; i < cnt; i++) out->row[i] = src[order ? order[from + i] : from + i];
    out->n = cnt;
    return VS_OK;
}

/* The ids whose key expired at the plan's horizon, in *gone (left empty,
 * w NULL, when there are none: the common case costs one comparison). */
static vs_status expired_set(const vs_search_plan *p, vs_bitset *gone) {
    const vs_keyspace *ks = p->x->ks;
    memset(gone, 0, sizeof *gone);
    int64_t first = vs_exp_next(ks);
    if (p->horizon == VS_NO_EXPIRE || first == VS_NO_EXPIRE || first > p->horizon) return VS_OK;
    vs_status st = vs_bitset_init(gone, vs_ks_id_bound(ks));
    if (st == VS_OK) vs_exp_collect(ks, p->horizon, gone);
    return st;
}

/* set minus gone. */
static void remove_expired(vs_bitset *set, const vs_bitset *gone) {
    if (!gone->w) return;
    size_t n = vs_bitset_words(set->nbits), m = vs_bitset_words(gone->nbits);
    for (size_t i = 0; i < n && i < m; i++) set->w[i] &= ~gone->w[i];
}

static vs_status matches(const vs_search_plan *p, vs_qeval *ev, vs_bitset *set);

/* Is the plan sorted by SORTBY (a field or a yielded distance)? */
static int sorted(const vs_search_plan *p) { return p->sort_field >= 0 || p->sort_range > 0; }

/* out->yield: each kept row's distance for each range clause. */
static vs_status row_yields(const vs_search_plan *p, const vs_qeval *ev, vs_search_rows *out) {
    uint32_t m = p->q.nrange;
    if (m == 0) return VS_OK;
    out->yield = vs_malloc((out->n ? out->n : 1) * m * sizeof *out->yield);
    if (!out->yield) return VS_ERR_NOMEM;
    out->nyield = m;
    for (size_t i = 0; i < out->n; i++)
        for (uint32_t k = 0; k < m; k++) {
            float d;
            out->yield[i * m + k] = vs_qeval_range_dist(ev, k, out->row[i].id, &d) ? d : NAN;
        }
    return VS_OK;
}

/* out->score for the rows kept, from scores by rank in set (every row's
 * id is in set). */
static vs_status row_scores(const vs_bitset *set, const double *acc, vs_search_rows *out) {
    out->score = vs_malloc((out->n ? out->n : 1) * sizeof *out->score);
    size_t words = vs_bitset_words(set->nbits);
    uint32_t *before = vs_malloc((words ? words : 1) * sizeof *before);
    if (!out->score || !before) {
        vs_free(before);
        return VS_ERR_NOMEM;
    }
    uint32_t c = 0;
    for (size_t i = 0; i < words; i++) {
        before[i] = c;
        c += (uint32_t)__builtin_popcountll(set->w[i]);
    }
    for (size_t i = 0; i < out->n; i++) {
        uint32_t id = out->row[i].id;
        uint64_t w = set->w[id >> 6] & ((1ull << (id & 63)) - 1);
        out->score[i] = acc[before[id >> 6] + (uint32_t)__builtin_popcountll(w)];
    }
    vs_free(before);
    return VS_OK;
}

/* Scores of the KNN rows kept (their text clauses' relevance). */
static vs_status knn_scores(const vs_search_plan *p, vs_qeval *ev, vs_search_rows *out) {
    vs_bitset rows;
    vs_status st = vs_bitset_init(&rows, vs_ks_id_bound(p->x->ks));
    if (st != VS_OK) return st;
    for (size_t i = 0; i < out->n; i++)
        if (out->row[i].id < rows.nbits) vs_bit_set(rows.w, out->row[i].id);
    size_t n = vs_bitset_count(&rows);
    double *acc = vs_calloc(n ? n : 1, sizeof *acc);
    if (!acc) st = VS_ERR_NOMEM;
    if (st == VS_OK) st = vs_text_score(ev, p->q.filter, &rows, (int)p->scorer, acc);
    if (st == VS_OK) st = row_scores(&rows, acc, out);
    vs_free(acc);
    vs_bitset_free(&rows);
    return st;
}

static vs_status exec_knn(const vs_search_plan *p, vs_qeval *ev, vs_search_rows *out) {
    const vs_ftindex *x = p->x;
    vs_scored *res = vs_malloc((size_t)p->k * sizeof *res);
    if (!res) return VS_ERR_NOMEM;
    vs_bitset filter = {0}, gone = {0};
    vs_status st = expired_set(p, &gone);
    /* Expired documents make an unfiltered KNN a filtered one: they stay
     * in the graph (routing searches) but are never results. */
    int filtered = p->q.filter != NULL || gone.w != NULL;
    if (st == VS_OK && filtered) st = matches(p, ev, &filter);
    remove_expired(&filter, &gone);
    vs_bitset_free(&gone);
    size_t n = 0;
    if (st == VS_OK) {
        size_t nfilter = filtered ? vs_bitset_count(&filter) : 0;
        vs_knn_strategy how = vs_search_plan_knn(x->fields[p->vfield], filtered, nfilter, p->k, p->ef);
        vs_knn_req req = {p->vec, filtered ? &filter : NULL, p->max_dist, p->ef};
        st = vs_knn_exec(x, p->vfield, how, &req, p->k, res, &n);
    }
    uint32_t *order = NULL;
    if (st == VS_OK && sorted(p) && n > 1) {
        order = vs_malloc(n * sizeof *order);
        if (!order) st = VS_ERR_NOMEM;
        for (size_t i = 0; order && i < n; i++) order[i] = (uint32_t)i;
        sort_ctx sc = {x, p->sort_field, p->sort_desc, res, ev, (int)p->sort_range - 1};
        if (st == VS_OK) st = vs_sort_ids(order, n, sortby_cmp, &sc);
    }
    out->total = n;
    if (st == VS_OK) st = keep_slice(p, res, order, n, out);
    if (st == VS_OK && p->scored) st = knn_scores(p, ev, out);
    if (st == VS_OK) st = row_yields(p, ev, out);
    vs_free(order);
    vs_bitset_free(&filter);
    vs_free(res);
    return st;
}

/* The filter's matches, or every indexed document. */
static vs_status matches(const vs_search_plan *p, vs_qeval *ev, vs_bitset *set) {
    const vs_ftindex *x = p->x;
    if (p->q.filter) return vs_qeval_filter(ev, p->q.filter, set);
    vs_status st = vs_bitset_init(set, vs_ks_id_bound(x->ks));
    if (st != VS_OK) return st;
    size_t words = vs_bitset_words(set->nbits), have = x->indexed.cap / 64;
    for (size_t i = 0; i < words && i < have; i++) set->w[i] = x->indexed.w[i];
    if (set->nbits & 63 && words) set->w[words - 1] &= (1ull << (set->nbits & 63)) - 1;
    return VS_OK;
}

/* A document and its score (rank order: higher score, then smaller key).
 * The key is looked up only when two scores tie, and then cached in the
 * entry (kst 0 not looked up, 1 key/klen set, 2 no such key: ids compare). */
typedef struct id_score {
    double s;
    uint32_t id;
    uint32_t klen;
    const uint8_t *key;
    uint64_t kpre; /* the key's first 8 bytes, big-endian, zero-padded */
    int kst;
} id_score;

static void entry_key(const vs_keyspace *ks, id_score *e) {
    const vs_kentry *k = vs_ks_by_id(ks, e->id);
    e->kst = k ? 1 : 2;
    if (!k) return;
    e->key = k->key;
    e->klen = (uint32_t)k->klen;
    uint64_t v = 0;
    for (uint32_t i = 0; i < 8; i++) v = v << 8 | (i < e->klen ? e->key[i] : 0);
    e->kpre = v;
}

/* < 0 when a ranks before b (vs_key_cmp's order on equal scores). */
static int rank_cmp(const vs_keyspace *ks, id_score *a, id_score *b) {
    if (a->s != b->s) return a->s > b->s ? -1 : 1;
    if (!a->kst) entry_key(ks, a);
    if (!b->kst) entry_key(ks, b);
    if (a->kst == 2 || b->kst == 2) return (a->id > b->id) - (a->id < b->id);
    if (a->kpre != b->kpre) return a->kpre < b->kpre ? -1 : 1; /* memcmp's order on the first bytes */
    int c = memcmp(a->key, b->key, a->klen < b->klen ? a->klen : b->klen);
    if (c) return c;
    return (a->klen > b->klen) - (a->klen < b->klen);
}

static void heap_down(const vs_keyspace *ks, id_score *h, size_t n, size_t i, id_score v) {
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, w = i;
        id_score *wv = &v;
        if (l < n && rank_cmp(ks, &h[l], wv) > 0) w = l, wv = &h[l];
        if (r < n && rank_cmp(ks, &h[r], wv) > 0) w = r, wv = &h[r];
        if (w == i) break;
        h[i] = h[w];
        i = w;
    }
    h[i] = v;
}

/* A bounded heap of the best `keep` (score, id) pairs; its root is the
 * worst kept. */
typedef struct best_heap {
    const vs_keyspace *ks;
    id_score *h;
    size_t n, keep;
} best_heap;

static void best_push(best_heap *b, double s, uint32_t id) {
    id_score v = {s, id, 0, NULL, 0, 0};
    if (b->n < b->keep) {
        size_t i = b->n++;
        while (i > 0 && rank_cmp(b->ks, &b->h[(i - 1) / 2], &v) < 0) { /* parent better: move it down */
            b->h[i] = b->h[(i - 1) / 2];
            i = (i - 1) / 2;
        }
        b->h[i] = v;
        return;
    }
    if (!b->keep || s < b->h[0].s) return;            /* worse than the worst kept */
    if (rank_cmp(b->ks, &v, &b->h[0]) >= 0) return; /* not better than it */
    heap_down(b->ks, b->h, b->n, 0, v);
}

/* Pop the worst to the back: best first. */
static void best_finish(best_heap *b) {
    for (size_t m = b->n; m > 1; m--) {
        id_score worst = b->h[0];
        heap_down(b->ks, b->h, m - 1, 0, b->h[m - 1]);
        b->h[m - 1] = worst;
    }
}

/* The best `keep` documents of set by score (acc by rank in set), best
 * first into out; *n how many.  A bounded heap whose root is the worst
 * kept: O(matches log keep), no sort of the whole set. */
static void best_by_score(const vs_bitset *set, const double *acc, size_t keep, const vs_keyspace *ks, id_score *out,
                          size_t *n) {
    best_heap b = {ks, out, 0, keep};
    uint32_t r = 0;
    for (uint32_t id = vs_bitset_next(set, 0); keep && id < set->nbits; id = vs_bitset_next(set, id + 1), r++)
        best_push(&b, acc[r], id);
    best_finish(&b);
    *n = b.n;
}

/* The one-pass heap: grows up to keep as matches come (the match count is
 * not known in advance). */
typedef struct onepass_heap {
    best_heap b;
    size_t cap;
    vs_status st;
} onepass_heap;

static void onepass_hit(void *ctx, uint32_t id, double score) {
    onepass_heap *o = ctx;
    if (o->st != VS_OK) return;
    if (o->b.n == o->cap && o->cap < o->b.keep) {
        size_t ncap = o->cap * 2 < o->b.keep ? o->cap * 2 : o->b.keep;
        id_score *h = vs_realloc(o->b.h, ncap * sizeof *h);
        if (!h) {
            o->st = VS_ERR_NOMEM;
            return;
        }
        o->b.h = h;
        o->cap = ncap;
    }
    best_push(&o->b, score, id);
}

/* A text query ordered by score, scored while its posting lists are
 * walked (vs_text_onepass); *done 0 when it does not apply. */
static vs_status exec_text_onepass(const vs_search_plan *p, vs_qeval *ev, vs_search_rows *out, int *done) {
    *done = 0;
    vs_bitset gone = {0};
    vs_status st = expired_set(p, &gone);
    uint64_t want = p->offset + p->num < p->offset ? UINT64_MAX : p->offset + p->num;
    onepass_heap o = {{p->x->ks, NULL, 0, want > SIZE_MAX ? SIZE_MAX : (size_t)want}, 0, VS_OK};
    o.cap = o.b.keep < 64 ? o.b.keep : 64;
    o.b.h = vs_malloc((o.cap ? o.cap : 1) * sizeof *o.b.h);
    if (!o.b.h) st = VS_ERR_NOMEM;
    size_t total = 0;
    if (st == VS_OK) st = vs_text_onepass(ev, p->q.filter, (int)p->scorer, &gone, onepass_hit, &o, &total, done);
    if (st == VS_OK) st = o.st;
    vs_bitset_free(&gone);
    if (st == VS_OK && *done) {
        best_finish(&o.b);
        out->total = total;
        size_t from = p->offset < o.b.n ? (size_t)p->offset : o.b.n;
        size_t cnt = o.b.n - from;
        out->row = vs_malloc((cnt ? cnt : 1) * sizeof *out->row);
        out->score = vs_malloc((cnt ? cnt : 1) * sizeof *out->score);
        if (!out->row || !out->score) st = VS_ERR_NOMEM;
        for (size_t i = 0; st == VS_OK && i < cnt; i++) {
            out->row[i] = (vs_scored){0.0f, o.b.h[from + i].id};
            out->score[i] = o.b.h[from + i].s;
        }
        out->n = st == VS_OK ? cnt : 0;
    }
    vs_free(o.b.h);
    return st;
}

static vs_status exec_filter(const vs_search_plan *p, vs_qeval *ev, vs_search_rows *out) {
    const vs_ftindex *x = p->x;
    if (p->q.filter && p->q.ntext > 0 && p->scored && !sorted(p)) {
        int done;
        vs_status st = exec_text_onepass(p, ev, out, &done);
        if (st != VS_OK || done) return st;
    }
    vs_bitset set = {0}, gone = {0};
    vs_status st = expired_set(p, &gone);
    if (st == VS_OK) st = matches(p, ev, &set);
    remove_expired(&set, &gone);
    vs_bitset_free(&gone);
    if (st != VS_OK) {
        vs_bitset_free(&set);
        return st;
    }
    size_t total = vs_bitset_count(&set);
    double *acc = NULL;
    id_score *best = NULL;
    if (p->scored) {
        acc = vs_calloc(total ? total : 1, sizeof *acc);
        st = acc ? vs_text_score(ev, p->q.filter, &set, (int)p->scorer, acc) : VS_ERR_NOMEM;
    }
    /* Rows as (0, id): every match to sort, or the first offset + num in
     * key (or score) order. */
    uint64_t want = p->offset + p->num < p->offset ? UINT64_MAX : p->offset + p->num;
    size_t keep = sorted(p) || want > total ? total : (size_t)want;
    vs_scored *rows = vs_malloc((keep ? keep : 1) * sizeof *rows);
    size_t nrows = 0;
    if (!rows) st = VS_ERR_NOMEM;
    if (st == VS_OK && sorted(p)) {
        uint32_t *ids = vs_malloc((total ? total : 1) * sizeof *ids);
        if (!ids) st = VS_ERR_NOMEM;
        for (uint32_t id = vs_bitset_next(&set, 0); ids && id < set.nbits; id = vs_bitset_next(&set, id + 1))
            ids[nrows++] = id;
        sort_ctx sc = {x, p->sort_field, p->sort_desc, NULL, ev, (int)p->sort_range - 1};
        if (st == VS_OK) st = vs_sort_ids(ids, nrows, sortby_cmp, &sc);
        for (size_t i = 0; st == VS_OK && i < nrows; i++) rows[i] = (vs_scored){0.0f, ids[i]};
        vs_free(ids);
    } else if (st == VS_OK && p->q.ntext > 0) {
        best = vs_malloc((keep ? keep : 1) * sizeof *best);
        if (!best) st = VS_ERR_NOMEM;
        if (st == VS_OK) best_by_score(&set, acc, keep, x->ks, best, &nrows);
        for (size_t i = 0; st == VS_OK && i < nrows; i++) rows[i] = (vs_scored){0.0f, best[i].id};
    } else if (st == VS_OK) {
        vs_topk top;
        vs_topk_init(&top, rows, keep, vs_key_cmp, x->ks);
        for (uint32_t id = vs_bitset_next(&set, 0); id < set.nbits; id = vs_bitset_next(&set, id + 1))
            vs_topk_push(&top, 0.0f, id);
        vs_topk_sort(&top);
        nrows = top.n;
    }
    out->total = total;
    if (st == VS_OK) st = keep_slice(p, rows, NULL, nrows, out);
    if (st == VS_OK && p->scored && best) { /* the slice's scores are the heap's */
        out->score = vs_malloc((out->n ? out->n : 1) * sizeof *out->score);
        if (!out->score) st = VS_ERR_NOMEM;
        size_t from = p->offset < nrows ? (size_t)p->offset : nrows;
        for (size_t i = 0; st == VS_OK && i < out->n; i++) out->score[i] = best[from + i].s;
    } else if (st == VS_OK && p->scored) {
        st = row_scores(&set, acc, out);
    }
    if (st == VS_OK) st = row_yields(p, ev, out);
    vs_free(best);
    vs_free(acc);
    vs_free(rows);
    vs_bitset_free(&set);
    return st;
}

vs_status vs_search_exec(const vs_search_plan *p, vs_search_rows *out) {
    memset(out, 0, sizeof *out);
    vs_qeval ev;
    vs_status st = vs_qeval_init(&ev, p->x, p->q.ntext);
    if (st == VS_OK) st = p->q.knn.present ? exec_knn(p, &ev, out) : exec_filter(p, &ev, out);
    vs_qeval_free(&ev);
    if (st != VS_OK) vs_search_rows_free(out);
    return st;
}

void vs_search_rows_free(vs_search_rows *rows) {
    vs_free(rows->row);
    vs_free(rows->score);
    vs_free(rows->yield);
    memset(rows, 0, sizeof *rows);
}
