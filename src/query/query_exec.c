/* query_exec.c - filter evaluation and KNN execution (query_exec.h). */
#include "query/query_exec.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/util.h"
#include "index/tokenize.h"
#include "index/text.h"
#include "query/score.h"

int vs_key_cmp(void *ctx, uint32_t a, uint32_t b) {
    const vs_keyspace *ks = ctx;
    const vs_kentry *ea = vs_ks_by_id(ks, a), *eb = vs_ks_by_id(ks, b);
    if (!ea || !eb) return (a > b) - (a < b);
    size_t n = ea->klen < eb->klen ? ea->klen : eb->klen;
    int c = memcmp(ea->key, eb->key, n);
    if (c) return c;
    return (ea->klen > eb->klen) - (ea->klen < eb->klen);
}

static vs_status eval(vs_qeval *ev, const vs_qnode *n, vs_bitset *out);

/* ---- text clauses -------------------------------------------------------- */

static vs_status leaf_push(vs_text_leaf *l, uint32_t term) {
    if (l->nterms == l->cap) {
        uint32_t ncap = l->cap ? l->cap * 2 : 8;
        uint32_t *t = vs_realloc(l->terms, (size_t)ncap * sizeof *t);
        if (!t) return VS_ERR_NOMEM;
        l->terms = t;
        l->cap = ncap;
    }
    l->terms[l->nterms++] = term;
    return VS_OK;
}

typedef struct term_walk {
    vs_text_leaf *l;
    vs_status st;
} term_walk;

static int on_term(void *ctx, uint32_t term) {
    term_walk *w = ctx;
    w->st = leaf_push(w->l, term);
    return w->st != VS_OK;
}

vs_status vs_qeval_leaf(vs_qeval *ev, const vs_qtext *t, vs_text_leaf **out) {
    vs_text_leaf *l = &ev->leaf[t->leaf];
    *out = l;
    if (l->done) return VS_OK;
    l->start = vs_malloc(((size_t)t->nfields + 1) * sizeof *l->start);
    if (!l->start) return VS_ERR_NOMEM;
    for (uint32_t k = 0; k < t->nfields; k++) {
        l->start[k] = l->nterms;
        const vs_field_index *fi = ev->x->fields[t->fields[k]];
        if (!fi) continue;
        term_walk w = {l, VS_OK};
        vs_err err;
        vs_status st = vs_text_terms(fi, t->how, t->w, t->n, t->dist, on_term, &w, &err);
        if (w.st != VS_OK) return w.st;
        if (st == VS_ERR_NOMEM) return st;
    }
    l->start[t->nfields] = l->nterms;
    l->done = 1;
    return VS_OK;
}

static vs_status eval_text(vs_qeval *ev, const vs_qnode *n, vs_bitset *out) {
    vs_text_leaf *l;
    vs_status st = vs_qeval_leaf(ev, &n->text, &l);
    if (st != VS_OK) return st;
    for (uint32_t k = 0; k < n->text.nfields; k++) {
        const vs_field_index *fi = ev->x->fields[n->text.fields[k]];
        for (uint32_t i = l->start[k]; i < l->start[k + 1]; i++) {
            vs_text_iter it;
            vs_text_iter_init(fi, l->terms[i], &it);
            while (vs_text_iter_next(&it))
                if (it.id < out->nbits) vs_bit_set(out->w, it.id);
        }
    }
    return VS_OK;
}

/* ---- positional AND -------------------------------------------------------- */

typedef struct pos_list {
    uint32_t *p;
    uint32_t n, cap;
} pos_list;

static vs_status pos_reserve(pos_list *l, uint32_t n) {
    if (n <= l->cap) return VS_OK;
    uint32_t ncap = l->cap ? l->cap : 16;
    while (ncap < n) ncap *= 2;
    uint32_t *p = vs_realloc(l->p, (size_t)ncap * sizeof *p);
    if (!p) return VS_ERR_NOMEM;
    l->p = p;
    l->cap = ncap;
    return VS_OK;
}

static int u32_cmp(const void *a, const void *b) {
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* First index in l with a value >= v (l->n if none). */
static uint32_t pos_from(const pos_list *l, uint64_t v) {
    uint32_t lo = 0, hi = l->n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (l->p[mid] >= v) hi = mid;
        else lo = mid + 1;
    }
    return lo;
}

/* First index in l with a value > v. */
static uint32_t pos_after(const pos_list *l, uint32_t v) { return pos_from(l, (uint64_t)v + 1); }

/* One kid per position, in order: p1 < p2 < ... (greedy from each start). */
static int match_inorder(const pos_list *P, uint32_t m, int32_t slop) {
    for (uint32_t s = 0; s < P[0].n; s++) {
        uint32_t first = P[0].p[s], cur = first;
        uint32_t i;
        for (i = 1; i < m; i++) {
            uint32_t j = pos_after(&P[i], cur);
            if (j >= P[i].n) return 0; /* a later start cannot do better */
            cur = P[i].p[j];
        }
        if (slop < 0 || (uint64_t)(cur - first) - (m - 1) <= (uint64_t)slop) return 1;
    }
    return 0;
}

/* Kuhn's augmenting path: kid i takes a position of its own in [lo, hi]. */
static int augment(const pos_list *P, uint32_t i, uint32_t lo, uint32_t hi, const uint32_t *u, uint32_t nu,
                   int32_t *owner, uint8_t *seen) {
    uint32_t j = pos_from(&P[i], lo);
    for (; j < P[i].n && P[i].p[j] <= hi; j++) {
        uint32_t a = 0, b = nu; /* index of the position in u */
        while (a < b) {
            uint32_t mid = a + (b - a) / 2;
            if (u[mid] < P[i].p[j]) a = mid + 1;
            else b = mid;
        }
        if (seen[a]) continue;
        seen[a] = 1;
        if (owner[a] < 0 || augment(P, (uint32_t)owner[a], lo, hi, u, nu, owner, seen)) {
            owner[a] = (int32_t)i;
            return 1;
        }
    }
    return 0;
}

/* Distinct positions, one per kid, within slop: try each window start. */
static vs_status match_unordered(const pos_list *P, uint32_t m, int32_t slop, pos_list *all, int *ok) {
    *ok = 0;
    uint32_t total = 0;
    for (uint32_t i = 0; i < m; i++) total += P[i].n;
    vs_status st = pos_reserve(all, total ? total : 1);
    if (st != VS_OK) return st;
    all->n = 0;
    for (uint32_t i = 0; i < m; i++)
        for (uint32_t j = 0; j < P[i].n; j++) all->p[all->n++] = P[i].p[j];
    qsort(all->p, all->n, sizeof *all->p, u32_cmp);
    uint32_t nu = 0;
    for (uint32_t j = 0; j < all->n; j++)
        if (nu == 0 || all->p[nu - 1] != all->p[j]) all->p[nu++] = all->p[j];
    int32_t *owner = vs_malloc((size_t)(nu ? nu : 1) * sizeof *owner);
    uint8_t *seen = vs_malloc(nu ? nu : 1);
    if (!owner || !seen) {
        vs_free(owner);
        vs_free(seen);
        return VS_ERR_NOMEM;
    }
    uint64_t width = (uint64_t)slop + m - 1;
    for (uint32_t s = 0; s < nu && !*ok; s++) {
        uint32_t lo = all->p[s];
        uint64_t hi64 = lo + width;
        uint32_t hi = hi64 > UINT32_MAX ? UINT32_MAX : (uint32_t)hi64;
        for (uint32_t j = 0; j < nu; j++) owner[j] = -1;
        uint32_t i;
        for (i = 0; i < m; i++) {
            memset(seen, 0, nu);
            if (!augment(P, i, lo, hi, all->p, nu, owner, seen)) break;
        }
        if (i == m) *ok = 1;
    }
    vs_free(owner);
    vs_free(seen);
    return VS_OK;
}

/* Iterators over one text kid's words in one field. */
typedef struct kid_iters {
    vs_text_iter *it;
    uint8_t *state; /* 0 not started, 1 live, 2 ended */
    uint32_t n;
} kid_iters;

/* Positions of the kid in document id into l (sorted, distinct). */
static vs_status kid_positions(const vs_field_index *fi, kid_iters *k, uint32_t id, pos_list *l) {
    l->n = 0;
    vs_status rst = pos_reserve(l, 16);
    if (rst != VS_OK) return rst;
    for (uint32_t t = 0; t < k->n; t++) {
        if (k->state[t] == 2) continue;
        if (k->state[t] == 0 || k->it[t].id < id) {
            k->state[t] = 1;
            if (!vs_text_iter_seek(&k->it[t], id)) {
                k->state[t] = 2;
                continue;
            }
        }
        if (k->it[t].id != id) continue;
        uint32_t room = l->cap - l->n;
        uint32_t got = vs_text_iter_positions(&k->it[t], l->p + l->n, room);
        if (got > room) {
            vs_status st = pos_reserve(l, l->n + got);
            if (st != VS_OK) return st;
            got = vs_text_iter_positions(&k->it[t], l->p + l->n, got);
        }
        l->n += got;
    }
    (void)fi;
    if (k->n > 1) {
        qsort(l->p, l->n, sizeof *l->p, u32_cmp);
        uint32_t o = 0;
        for (uint32_t j = 0; j < l->n; j++)
            if (o == 0 || l->p[o - 1] != l->p[j]) l->p[o++] = l->p[j];
        l->n = o;
    }
    return VS_OK;
}

/* Keep in out only the documents where the AND's text kids match at
 * positions that satisfy it. */
static vs_status positional(vs_qeval *ev, const vs_qnode *n, vs_bitset *out) {
    const vs_qnode *kids[VS_QUERY_MAX_TERMS];
    uint32_t m = 0;
    for (uint32_t i = 0; i < n->nkids && m < VS_QUERY_MAX_TERMS; i++)
        if (n->kids[i]->kind == VS_Q_TEXT) kids[m++] = n->kids[i];
    if (m < 2) return VS_OK;
    /* The fields every text kid searches. */
    uint32_t nf = 0;
    int fields[VS_MAX_TEXT_FIELDS];
    const vs_qtext *t0 = &kids[0]->text;
    for (uint32_t a = 0; a < t0->nfields && nf < VS_MAX_TEXT_FIELDS; a++) {
        int all = 1;
        for (uint32_t i = 1; i < m && all; i++) {
            int has = 0;
            for (uint32_t b = 0; b < kids[i]->text.nfields; b++) has |= kids[i]->text.fields[b] == t0->fields[a];
            all = has;
        }
        if (all) fields[nf++] = t0->fields[a];
    }
    size_t nits = (size_t)nf * m;
    kid_iters *ki = vs_calloc(nits ? nits : 1, sizeof *ki);
    pos_list *P = vs_calloc(m, sizeof *P);
    pos_list all = {0};
    vs_status st = ki && P ? VS_OK : VS_ERR_NOMEM;
    for (uint32_t f = 0; st == VS_OK && f < nf; f++) {
        const vs_field_index *fi = ev->x->fields[fields[f]];
        for (uint32_t i = 0; st == VS_OK && i < m; i++) {
            const vs_qtext *t = &kids[i]->text;
            vs_text_leaf *l = &ev->leaf[t->leaf];
            uint32_t k = 0;
            while (t->fields[k] != fields[f]) k++;
            kid_iters *it = &ki[(size_t)f * m + i];
            it->n = l->start[k + 1] - l->start[k];
            it->it = vs_calloc(it->n ? it->n : 1, sizeof *it->it);
            it->state = vs_calloc(it->n ? it->n : 1, 1);
            if (!it->it || !it->state) {
                st = VS_ERR_NOMEM;
                break;
            }
            for (uint32_t j = 0; j < it->n; j++) vs_text_iter_init(fi, l->terms[l->start[k] + j], &it->it[j]);
        }
    }
    for (uint32_t id = vs_bitset_next(out, 0); st == VS_OK && id < out->nbits; id = vs_bitset_next(out, id + 1)) {
        int ok = 0;
        for (uint32_t f = 0; st == VS_OK && f < nf && !ok; f++) {
            const vs_field_index *fi = ev->x->fields[fields[f]];
            uint32_t i;
            for (i = 0; i < m; i++) {
                if ((st = kid_positions(fi, &ki[(size_t)f * m + i], id, &P[i])) != VS_OK) break;
                if (P[i].n == 0) break;
            }
            if (st != VS_OK || i < m) continue;
            if (n->inorder)
                ok = match_inorder(P, m, n->slop);
            else
                st = match_unordered(P, m, n->slop, &all, &ok);
        }
        if (!ok) vs_bit_clear(out->w, id);
    }
    for (size_t i = 0; ki && i < nits; i++) {
        vs_free(ki[i].it);
        vs_free(ki[i].state);
    }
    vs_free(ki);
    for (uint32_t i = 0; P && i < m; i++) vs_free(P[i].p);
    vs_free(P);
    vs_free(all.p);
    return st;
}

/* ---- VECTOR_RANGE clauses ---------------------------------------------------- */

static vs_status range_push(void *ctx, uint32_t id, float dist) {
    vs_range_hits *h = ctx;
    if (h->n == h->cap) {
        size_t ncap = h->cap ? h->cap * 2 : 64;
        vs_scored *n = vs_realloc(h->hit, ncap * sizeof *n);
        if (!n) return VS_ERR_NOMEM;
        h->hit = n;
        h->cap = ncap;
    }
    h->hit[h->n++] = (vs_scored){dist, id};
    return VS_OK;
}

static int hit_cmp(const void *a, const void *b) {
    uint32_t x = ((const vs_scored *)a)->id, y = ((const vs_scored *)b)->id;
    return (x > y) - (x < y);
}

/* The clause's hits: searched once per evaluation (a clause may be
 * evaluated again, e.g. by scoring an OR's kids). */
static vs_status range_hits(vs_qeval *ev, const vs_qnode *n, vs_range_hits **out) {
    const vs_qrange *r = n->range;
    if (r->slot >= ev->nrange) {
        vs_range_hits *g = vs_realloc(ev->range, ((size_t)r->slot + 1) * sizeof *g);
        if (!g) return VS_ERR_NOMEM;
        memset(g + ev->nrange, 0, ((size_t)r->slot + 1 - ev->nrange) * sizeof *g);
        ev->range = g;
        ev->nrange = r->slot + 1;
    }
    vs_range_hits *h = &ev->range[r->slot];
    *out = h;
    if (h->done) return VS_OK;
    if (!r->vec.v) return VS_ERR_STATE; /* not resolved by a search parse */
    vs_field_index *fi = ev->x->fields[n->field];
    if (fi && fi->ops->range && fi->ops->count(fi) > 0) {
        vs_knn_req req = {r->vec, NULL, INFINITY, 0};
        vs_status st = fi->ops->range(fi, &req, r->radius, r->epsilon, range_push, h);
        if (st != VS_OK) {
            h->n = 0;
            return st;
        }
        if (h->n > 1) qsort(h->hit, h->n, sizeof *h->hit, hit_cmp);
    }
    h->done = 1;
    return VS_OK;
}

static vs_status eval_range(vs_qeval *ev, const vs_qnode *n, vs_bitset *out) {
    vs_range_hits *h;
    vs_status st = range_hits(ev, n, &h);
    if (st != VS_OK) return st;
    for (size_t i = 0; i < h->n; i++)
        if (h->hit[i].id < out->nbits) vs_bit_set(out->w, h->hit[i].id);
    return VS_OK;
}

int vs_qeval_range_dist(const vs_qeval *ev, uint32_t slot, uint32_t id, float *dist) {
    if (slot >= ev->nrange || !ev->range[slot].done) return 0;
    const vs_range_hits *h = &ev->range[slot];
    size_t lo = 0, hi = h->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (h->hit[mid].id < id) lo = mid + 1;
        else hi = mid;
    }
    if (lo == h->n || h->hit[lo].id != id) return 0;
    *dist = h->hit[lo].dist;
    return 1;
}

/* ---- the tree ------------------------------------------------------------ */

static vs_status eval_kids(vs_qeval *ev, const vs_qnode *n, vs_bitset *out) {
    vs_status st = eval(ev, n->kids[0], out);
    if (st != VS_OK) return st;
    vs_bitset tmp;
    if (vs_bitset_init(&tmp, out->nbits) != VS_OK) return VS_ERR_NOMEM;
    for (uint32_t i = 1; i < n->nkids; i++) {
        memset(tmp.w, 0, vs_bitset_words(tmp.nbits) * sizeof *tmp.w);
        st = eval(ev, n->kids[i], &tmp);
        if (st != VS_OK) break;
        if (n->kind == VS_Q_AND)
            vs_bitset_and(out, &tmp);
        else
            vs_bitset_or(out, &tmp);
    }
    vs_bitset_free(&tmp);
    if (st == VS_OK && vs_qnode_positional(n)) st = positional(ev, n, out);
    return st;
}

/* out is zeroed on entry. */
static vs_status eval(vs_qeval *ev, const vs_qnode *n, vs_bitset *out) {
    const vs_ftindex *x = ev->x;
    switch (n->kind) {
    case VS_Q_TAG:
    case VS_Q_NUM: {
        const vs_field_index *fi = x->fields[n->field];
        return fi->ops->match(fi, &n->clause, out);
    }
    case VS_Q_TEXT: return eval_text(ev, n, out);
    case VS_Q_VRANGE: return eval_range(ev, n, out);
    case VS_Q_AND:
    case VS_Q_OR: return eval_kids(ev, n, out);
    case VS_Q_NOT: {
        vs_status st = eval(ev, n->kids[0], out);
        if (st != VS_OK) return st;
        /* Complement within the index's documents (a document without the
         * field matches a negated predicate). */
        size_t words = vs_bitset_words(out->nbits), have = x->indexed.cap / 64;
        for (size_t i = 0; i < words; i++) out->w[i] = (i < have ? x->indexed.w[i] : 0) & ~out->w[i];
        if (out->nbits & 63) out->w[words - 1] &= (1ull << (out->nbits & 63)) - 1;
        return VS_OK;
    }
    }
    return VS_ERR_STATE;
}

static uint32_t max_leaf(const vs_qnode *n) {
    if (n->kind == VS_Q_TEXT) return n->text.leaf + 1;
    uint32_t m = 0;
    for (uint32_t i = 0; i < n->nkids; i++) {
        uint32_t k = max_leaf(n->kids[i]);
        if (k > m) m = k;
    }
    return m;
}

vs_status vs_qeval_init(vs_qeval *ev, const vs_ftindex *x, uint32_t ntext) {
    ev->x = x;
    ev->ntext = ntext;
    ev->leaf = vs_calloc(ntext ? ntext : 1, sizeof *ev->leaf);
    ev->range = NULL;
    ev->nrange = 0;
    return ev->leaf ? VS_OK : VS_ERR_NOMEM;
}

void vs_qeval_free(vs_qeval *ev) {
    for (uint32_t i = 0; ev->leaf && i < ev->ntext; i++) {
        vs_free(ev->leaf[i].terms);
        vs_free(ev->leaf[i].start);
    }
    vs_free(ev->leaf);
    ev->leaf = NULL;
    for (uint32_t i = 0; i < ev->nrange; i++) vs_free(ev->range[i].hit);
    vs_free(ev->range);
    ev->range = NULL;
    ev->nrange = 0;
}

vs_status vs_qeval_filter(vs_qeval *ev, const vs_qnode *n, vs_bitset *out) {
    if (vs_bitset_init(out, vs_ks_id_bound(ev->x->ks)) != VS_OK) return VS_ERR_NOMEM;
    vs_status st = eval(ev, n, out);
    if (st != VS_OK) vs_bitset_free(out);
    return st;
}

vs_status vs_filter_eval(const vs_ftindex *x, const vs_qnode *n, vs_bitset *out) {
    vs_qeval ev;
    if (vs_qeval_init(&ev, x, max_leaf(n)) != VS_OK) return VS_ERR_NOMEM;
    vs_status st = vs_qeval_filter(&ev, n, out);
    vs_qeval_free(&ev);
    return st;
}

/* ---- scoring ------------------------------------------------------------- */

/* Scores live in arrays of the result set's size, indexed by a document's
 * rank in the set (its position in id order): before[w] counts the set's
 * ids in words < w, so rank(id) is one popcount away. */
typedef struct scoring {
    vs_qeval *ev;
    vs_score_ctx sc;
    const vs_bitset *set;
    uint32_t *before;  /* per word of set: ids of set before it */
    double *score;     /* by rank: the sum so far */
    double *len;       /* by rank: weighted length */
    uint32_t *units;   /* per schema field: weight units */
} scoring;

static inline uint32_t rank_of(const scoring *c, uint32_t id) {
    uint64_t w = c->set->w[id >> 6] & ((1ull << (id & 63)) - 1);
    return c->before[id >> 6] + (uint32_t)__builtin_popcountll(w);
}

static inline int in_mask(const vs_bitset *mask, uint32_t id) { return id < mask->nbits && vs_bit_test(mask->w, id); }

static int has_text_leaf(const vs_qnode *n) {
    if (n->kind == VS_Q_TEXT) return 1;
    if (n->kind == VS_Q_NOT) return 0;
    for (uint32_t i = 0; i < n->nkids; i++)
        if (has_text_leaf(n->kids[i])) return 1;
    return 0;
}

/* One word of a clause in one of its fields. */
typedef struct word_term {
    const uint8_t *w;
    size_t n;
    uint32_t k; /* the clause's field index */
    uint32_t term;
} word_term;

static int word_term_cmp(const void *a, const void *b) {
    const word_term *x = a, *y = b;
    int r = memcmp(x->w, y->w, x->n < y->n ? x->n : y->n);
    if (r) return r;
    if (x->n != y->n) return (x->n > y->n) - (x->n < y->n);
    return (x->k > y->k) - (x->k < y->k);
}

/* One word held in several of the clause's fields (g terms): its document
 * count over those fields, then its contribution to the documents of mask
 * (frequency summed over the fields).  Merges the posting lists by id. */
static void score_word_fields(scoring *c, const vs_qtext *t, const word_term *wt, uint32_t g, vs_text_iter *it,
                              uint8_t *live, const vs_bitset *mask) {
    uint64_t n = 0;
    for (int pass = 0; pass < 2; pass++) {
        for (uint32_t j = 0; j < g; j++) {
            vs_text_iter_init(c->ev->x->fields[t->fields[wt[j].k]], wt[j].term, &it[j]);
            live[j] = (uint8_t)vs_text_iter_next(&it[j]);
        }
        double idf = pass ? vs_score_idf(&c->sc, n) : 0;
        for (;;) {
            uint32_t id = UINT32_MAX;
            int any = 0;
            for (uint32_t j = 0; j < g; j++)
                if (live[j] && (!any || it[j].id < id)) id = it[j].id, any = 1;
            if (!any) break;
            double f = 0;
            for (uint32_t j = 0; j < g; j++)
                if (live[j] && it[j].id == id) {
                    f += (double)c->units[t->fields[wt[j].k]] * it[j].tf;
                    live[j] = (uint8_t)vs_text_iter_next(&it[j]);
                }
            if (!pass) {
                n++;
            } else if (in_mask(mask, id)) {
                uint32_t r = rank_of(c, id);
                c->score[r] += vs_score_term(&c->sc, idf, f, c->len[r]);
            }
        }
    }
}

/* A clause adds, for each of its matching words a document holds, that
 * word's own contribution: its frequency in the document (summed over the
 * clause's fields) and its document count (over those fields). */
static vs_status score_leaf(scoring *c, const vs_qnode *n, const vs_bitset *mask) {
    const vs_qtext *t = &n->text;
    vs_text_leaf *l;
    vs_status st = vs_qeval_leaf(c->ev, t, &l);
    if (st != VS_OK) return st;
    if (t->nfields == 1 || l->nterms <= 1) { /* every term its own word */
        for (uint32_t k = 0; k < t->nfields; k++) {
            const vs_field_index *fi = c->ev->x->fields[t->fields[k]];
            double u = c->units[t->fields[k]];
            for (uint32_t i = l->start[k]; i < l->start[k + 1]; i++) {
                double idf = vs_score_idf(&c->sc, vs_text_term_docs(fi, l->terms[i]));
                vs_text_iter it;
                vs_text_iter_init(fi, l->terms[i], &it);
                while (vs_text_iter_next(&it)) {
                    if (!in_mask(mask, it.id)) continue;
                    uint32_t r = rank_of(c, it.id);
                    c->score[r] += vs_score_term(&c->sc, idf, u * it.tf, c->len[r]);
                }
            }
        }
        return VS_OK;
    }
    /* Several fields: group the terms by word. */
    word_term *wt = vs_malloc((size_t)l->nterms * sizeof *wt);
    vs_text_iter *it = vs_malloc((size_t)t->nfields * sizeof *it);
    uint8_t *live = vs_malloc(t->nfields);
    if (!wt || !it || !live) {
        vs_free(wt);
        vs_free(it);
        vs_free(live);
        return VS_ERR_NOMEM;
    }
    uint32_t m = 0;
    for (uint32_t k = 0; k < t->nfields; k++) {
        const vs_field_index *fi = c->ev->x->fields[t->fields[k]];
        for (uint32_t i = l->start[k]; i < l->start[k + 1]; i++) {
            size_t wn = 0;
            const uint8_t *w = vs_text_term_word(fi, l->terms[i], &wn);
            wt[m++] = (word_term){w ? w : (const uint8_t *)"", w ? wn : 0, k, l->terms[i]};
        }
    }
    qsort(wt, m, sizeof *wt, word_term_cmp);
    for (uint32_t i = 0; i < m;) {
        uint32_t j = i + 1;
        while (j < m && wt[j].n == wt[i].n && memcmp(wt[j].w, wt[i].w, wt[i].n) == 0) j++;
        score_word_fields(c, t, wt + i, j - i, it, live, mask);
        i = j;
    }
    vs_free(wt);
    vs_free(it);
    vs_free(live);
    return VS_OK;
}

static vs_status score_tree(scoring *c, const vs_qnode *n, const vs_bitset *mask) {
    switch (n->kind) {
    case VS_Q_TEXT: return score_leaf(c, n, mask);
    case VS_Q_AND:
        for (uint32_t i = 0; i < n->nkids; i++) {
            vs_status st = score_tree(c, n->kids[i], mask);
            if (st != VS_OK) return st;
        }
        return VS_OK;
    case VS_Q_OR:
        for (uint32_t i = 0; i < n->nkids; i++) {
            if (!has_text_leaf(n->kids[i])) continue;
            if (n->kids[i]->kind == VS_Q_TEXT) { /* it adds only where it matches */
                vs_status st = score_leaf(c, n->kids[i], mask);
                if (st != VS_OK) return st;
                continue;
            }
            vs_bitset kid;
            vs_status st = vs_qeval_filter(c->ev, n->kids[i], &kid);
            if (st != VS_OK) return st;
            vs_bitset_and(&kid, mask);
            st = score_tree(c, n->kids[i], &kid);
            vs_bitset_free(&kid);
            if (st != VS_OK) return st;
        }
        return VS_OK;
    default: return VS_OK;
    }
}

/* The document score: its SCORE_FIELD value when it has a number there,
 * else the index's SCORE. */
static double doc_score(const vs_ftindex *x, uint32_t id) {
    const vs_schema *s = &x->schema;
    if (s->score_field) {
        const vs_hfield *f = vs_ftindex_value(x, id, s->score_field, s->sflen);
        double v;
        if (f && vs_parse_double(vs_hfield_value(f), f->vlen, &v) && isfinite(v)) return v;
    }
    return s->score;
}

typedef struct wref {
    const char *w;
    size_t n;
    uint32_t units;
} wref;

static int wref_cmp(const void *a, const void *b) {
    const wref *x = a, *y = b;
    int r = memcmp(x->w, y->w, x->n < y->n ? x->n : y->n);
    if (r) return r;
    return (x->n > y->n) - (x->n < y->n);
}

/* The document's largest weighted word frequency over its TEXT fields
 * (TFIDF's norm), from its text tokenized again. */
static vs_status doc_max_tf(const vs_ftindex *x, const uint32_t *units, uint32_t id, double *out) {
    const vs_schema *s = &x->schema;
    *out = 0;
    const vs_kentry *e = vs_ks_by_id(x->ks, id);
    if (!e || e->type != VS_TYPE_HASH || !s->text) return VS_OK;
    vs_tokens *tk = vs_calloc(s->nfields ? s->nfields : 1, sizeof *tk);
    if (!tk) return VS_ERR_NOMEM;
    size_t total = 0;
    vs_status st = VS_OK;
    for (uint32_t f = 0; f < s->nfields && st == VS_OK; f++) {
        if (!units[f]) continue;
        const vs_fielddef *d = &s->fields[f];
        const vs_hfield *hv = vs_hash_get(e->v.hash, d->ident, d->ilen);
        if (!hv) continue;
        vs_err err;
        st = vs_tokenize(&s->text->opts, (const char *)vs_hfield_value(hv), hv->vlen, &tk[f], &err);
        if (st == VS_ERR) st = VS_OK; /* not indexed: no words */
        total += tk[f].count;
    }
    wref *w = st == VS_OK ? vs_malloc((total ? total : 1) * sizeof *w) : NULL;
    if (st == VS_OK && !w) st = VS_ERR_NOMEM;
    if (st == VS_OK) {
        size_t n = 0;
        for (uint32_t f = 0; f < s->nfields; f++)
            for (size_t i = 0; i < tk[f].count; i++) {
                if (tk[f].tok[i].len > VS_TEXT_MAX_WORD) continue;
                w[n++] = (wref){tk[f].text + tk[f].tok[i].off, tk[f].tok[i].len, units[f]};
            }
        qsort(w, n, sizeof *w, wref_cmp);
        double best = 0, run = 0;
        for (size_t i = 0; i < n; i++) {
            run = (i > 0 && wref_cmp(&w[i - 1], &w[i]) == 0 ? run : 0) + w[i].units;
            if (run > best) best = run;
        }
        *out = best;
    }
    vs_free(w);
    for (uint32_t f = 0; f < s->nfields; f++) vs_tokens_release(&tk[f]);
    vs_free(tk);
    return st;
}

void vs_text_score_ctx(const vs_ftindex *x, int scorer, uint32_t *units, vs_score_ctx *sc) {
    const vs_schema *s = &x->schema;
    sc->scorer = (vs_scorer)scorer;
    sc->num_docs = x->num_docs;
    double total = 0;
    for (uint32_t f = 0; f < s->nfields; f++) {
        if (!vs_qfield_is_text(&s->fields[f]) || !x->fields[f]) continue;
        units[f] = vs_score_weight_units(vs_qfield_weight(&s->fields[f]));
        vs_text_stats ts;
        vs_text_stats_get(x->fields[f], &ts);
        total += (double)units[f] * (double)ts.total_tokens;
    }
    sc->avg_len = x->num_docs ? total / (double)x->num_docs : 0;
}

vs_status vs_text_score(vs_qeval *ev, const vs_qnode *root, const vs_bitset *set, int scorer, double *score) {
    const vs_ftindex *x = ev->x;
    const vs_schema *s = &x->schema;
    scoring c;
    memset(&c, 0, sizeof c);
    c.ev = ev;
    c.set = set;
    c.score = score;
    c.sc.scorer = (vs_scorer)scorer;
    c.sc.num_docs = x->num_docs;
    size_t words = vs_bitset_words(set->nbits);
    size_t nset = vs_bitset_count(set);
    c.units = vs_calloc(s->nfields ? s->nfields : 1, sizeof *c.units);
    c.len = vs_malloc((nset ? nset : 1) * sizeof *c.len);
    c.before = vs_malloc((words ? words : 1) * sizeof *c.before);
    vs_status st = c.units && c.len && c.before ? VS_OK : VS_ERR_NOMEM;
    uint32_t acc = 0;
    for (size_t i = 0; st == VS_OK && i < words; i++) {
        c.before[i] = acc;
        acc += (uint32_t)__builtin_popcountll(set->w[i]);
    }
    if (st == VS_OK) vs_text_score_ctx(x, scorer, c.units, &c.sc);
    uint32_t r = 0;
    for (uint32_t id = vs_bitset_next(set, 0); st == VS_OK && id < set->nbits; id = vs_bitset_next(set, id + 1)) {
        double len = 0;
        for (uint32_t f = 0; f < s->nfields; f++)
            if (c.units[f]) len += (double)c.units[f] * vs_text_doc_len(x->fields[f], id);
        c.len[r++] = len;
    }
    if (st == VS_OK && root && c.sc.scorer != VS_SCORER_DOCSCORE) st = score_tree(&c, root, set);
    if (st == VS_OK && !s->score_field && c.sc.scorer != VS_SCORER_TFIDF) { /* no per-document input but len */
        for (size_t i = 0; i < nset; i++) score[i] = vs_score_final(&c.sc, score[i], s->score, c.len[i], 0);
        vs_free(c.units);
        vs_free(c.len);
        vs_free(c.before);
        return VS_OK;
    }
    r = 0;
    for (uint32_t id = vs_bitset_next(set, 0); st == VS_OK && id < set->nbits; id = vs_bitset_next(set, id + 1), r++) {
        double max_tf = 0;
        if (c.sc.scorer == VS_SCORER_TFIDF) st = doc_max_tf(x, c.units, id, &max_tf);
        score[r] = vs_score_final(&c.sc, score[r], doc_score(x, id), c.len[r], max_tf);
    }
    vs_free(c.units);
    vs_free(c.len);
    vs_free(c.before);
    return st;
}

vs_status vs_knn_exec(const vs_ftindex *x, int field, vs_knn_strategy strategy, const vs_knn_req *req, uint32_t k,
                      vs_scored *out, size_t *nout) {
    vs_topk top;
    vs_topk_init(&top, out, k, vs_key_cmp, x->ks);
    vs_field_index *fi = x->fields[field];
    vs_status st = VS_OK;
    if (fi->ops->count(fi) > 0) {
        if (strategy == VS_KNN_EXACT)
            fi->ops->knn_exact(fi, req, &top);
        else
            st = fi->ops->knn_graph(fi, req, &top);
    }
    vs_topk_sort(&top);
    *nout = top.n;
    return st;
}

/* Merge sort (stable) with a context comparison. */
static void merge_pass(uint32_t *src, uint32_t *dst, size_t n, size_t width, vs_id_cmp_fn cmp, void *ctx) {
    for (size_t lo = 0; lo < n; lo += 2 * width) {
        size_t mid = lo + width < n ? lo + width : n;
        size_t hi = lo + 2 * width < n ? lo + 2 * width : n;
        size_t i = lo, j = mid, o = lo;
        while (i < mid && j < hi) dst[o++] = cmp(ctx, src[j], src[i]) < 0 ? src[j++] : src[i++];
        while (i < mid) dst[o++] = src[i++];
        while (j < hi) dst[o++] = src[j++];
    }
}

vs_status vs_sort_ids(uint32_t *ids, size_t n, vs_id_cmp_fn cmp, void *ctx) {
    if (n < 2) return VS_OK;
    uint32_t *tmp = vs_malloc(n * sizeof *tmp);
    if (!tmp) return VS_ERR_NOMEM;
    uint32_t *src = ids, *dst = tmp;
    for (size_t width = 1; width < n; width *= 2) {
        merge_pass(src, dst, n, width, cmp, ctx);
        uint32_t *t = src;
        src = dst;
        dst = t;
    }
    if (src != ids) memcpy(ids, src, n * sizeof *ids);
    vs_free(tmp);
    return VS_OK;
}
