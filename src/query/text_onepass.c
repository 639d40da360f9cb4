/* text_onepass.c - text queries scored in one pass over their posting
 * lists (query_exec.h, vs_text_onepass): a single text clause, or an AND
 * (not positional) or OR whose kids are all text clauses.
 *
 * Document at a time: one cursor per (clause, field, word), in the order
 * vs_text_score visits them (clauses in tree order, then the clause's
 * fields, then its words), so each document's contributions are added in
 * the same order and its score is the same double.  An OR (or a single
 * clause) takes the smallest current id over the cursors; an AND seeks
 * every clause to the largest of the clauses' smallest ids until they
 * agree.  Each match is scored at once and handed to the caller (which
 * keeps its top k): no bit set, no second walk of the lists.
 *
 * Invariants: applies only where vs_text_score's sum is per-document
 * independent of the rest of the result set (no SCORE_FIELD, not TFIDF,
 * every clause with one field or one word); otherwise *done stays 0 and
 * the caller takes the general path.  Every match counts in *total (the
 * expired ones, in gone, are skipped).
 */
#include <string.h>

#include "base/alloc.h"
#include "index/text.h"
#include "query/query_exec.h"
#include "query/score.h"

/* Up to this many cursors a union finds its smallest id by a scan, beyond
 * it by a heap. */
#define ONEPASS_SCAN 8

typedef struct cursor {
    vs_text_iter it;
    double idf, u;
    uint32_t clause; /* index among the query's clauses (tree order) */
    int live;
    int begun; /* read or sought at least once */
} cursor;

/* The clauses of root in tree order, or 0 when the shape does not fit. */
static uint32_t clauses_of(const vs_qnode *root, const vs_qnode **out) {
    if (root->kind == VS_Q_TEXT) {
        out[0] = root;
        return 1;
    }
    if (root->kind != VS_Q_AND && root->kind != VS_Q_OR) return 0;
    if (vs_qnode_positional(root) || root->nkids == 0 || root->nkids > VS_QUERY_MAX_TERMS) return 0;
    for (uint32_t i = 0; i < root->nkids; i++) {
        if (root->kids[i]->kind != VS_Q_TEXT) return 0;
        out[i] = root->kids[i];
    }
    return root->nkids;
}

static inline int in_gone(const vs_bitset *gone, uint32_t id) {
    return gone && gone->w && id < gone->nbits && vs_bit_test(gone->w, id);
}

/* Score document id: the cursors on it, in order. */
static double score_doc(const vs_ftindex *x, const vs_score_ctx *sc, const uint32_t *units, cursor *c, uint32_t nc,
                        uint32_t id, int dscore) {
    double len = 0;
    for (uint32_t f = 0; f < x->schema.nfields; f++)
        if (units[f]) len += (double)units[f] * vs_text_doc_len(x->fields[f], id);
    double sum = 0;
    if (dscore)
        for (uint32_t i = 0; i < nc; i++)
            if (c[i].live && c[i].it.id == id) sum += vs_score_term(sc, c[i].idf, c[i].u * c[i].it.tf, len);
    return vs_score_final(sc, sum, x->schema.score, len, 0);
}

/* The same for the m cursors on[] on document id (put back in cursor
 * order first: the sum's order is vs_text_score's). */
static double score_on(const vs_ftindex *x, const vs_score_ctx *sc, const uint32_t *units, const cursor *c,
                       uint32_t *on, uint32_t m, uint32_t id, int dscore) {
    for (uint32_t i = 1; i < m; i++) { /* insertion sort: m is small */
        uint32_t v = on[i], j = i;
        for (; j > 0 && on[j - 1] > v; j--) on[j] = on[j - 1];
        on[j] = v;
    }
    double len = 0;
    for (uint32_t f = 0; f < x->schema.nfields; f++)
        if (units[f]) len += (double)units[f] * vs_text_doc_len(x->fields[f], id);
    double sum = 0;
    if (dscore)
        for (uint32_t j = 0; j < m; j++) {
            const cursor *u = &c[on[j]];
            sum += vs_score_term(sc, u->idf, u->u * u->it.tf, len);
        }
    return vs_score_final(sc, sum, x->schema.score, len, 0);
}

/* A min-heap of cursor indexes by current id (ties by index). */
static inline int cur_less(const cursor *c, uint32_t a, uint32_t b) {
    return c[a].it.id < c[b].it.id || (c[a].it.id == c[b].it.id && a < b);
}

static void cur_down(const cursor *c, uint32_t *h, uint32_t n, uint32_t i) {
    for (;;) {
        uint32_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < n && cur_less(c, h[l], h[m])) m = l;
        if (r < n && cur_less(c, h[r], h[m])) m = r;
        if (m == i) return;
        uint32_t t = h[i];
        h[i] = h[m];
        h[m] = t;
        i = m;
    }
}

static void cur_up(const cursor *c, uint32_t *h, uint32_t i) {
    while (i > 0 && cur_less(c, h[i], h[(i - 1) / 2])) {
        uint32_t t = h[i];
        h[i] = h[(i - 1) / 2];
        h[(i - 1) / 2] = t;
        i = (i - 1) / 2;
    }
}

vs_status vs_text_onepass(vs_qeval *ev, const vs_qnode *root, int scorer, const vs_bitset *gone, vs_text_hit_fn fn,
                          void *ctx, size_t *total, int *done) {
    const vs_ftindex *x = ev->x;
    *done = 0;
    *total = 0;
    const vs_qnode *cl[VS_QUERY_MAX_TERMS];
    uint32_t ncl = clauses_of(root, cl);
    if (!ncl || x->schema.score_field || scorer == VS_SCORER_TFIDF) return VS_OK;
    uint32_t nc = 0;
    for (uint32_t i = 0; i < ncl; i++) {
        vs_text_leaf *l;
        vs_status st = vs_qeval_leaf(ev, &cl[i]->text, &l);
        if (st != VS_OK) return st;
        if (cl[i]->text.nfields > 1 && l->nterms > 1) return VS_OK; /* words merged across fields */
        nc += l->nterms;
    }
    vs_score_ctx sc;
    uint32_t *units = vs_calloc(x->schema.nfields ? x->schema.nfields : 1, sizeof *units);
    cursor *c = vs_malloc((nc ? nc : 1) * sizeof *c);
    uint32_t *heap = vs_malloc((nc ? nc : 1) * sizeof *heap), *on = vs_malloc((nc ? nc : 1) * sizeof *on);
    if (!units || !c || !heap || !on) {
        vs_free(units);
        vs_free(c);
        vs_free(heap);
        vs_free(on);
        return VS_ERR_NOMEM;
    }
    vs_text_score_ctx(x, scorer, units, &sc);
    uint32_t n = 0;
    for (uint32_t i = 0; i < ncl; i++) {
        const vs_qtext *t = &cl[i]->text;
        vs_text_leaf *l = &ev->leaf[t->leaf];
        for (uint32_t k = 0; k < t->nfields; k++) {
            const vs_field_index *fi = x->fields[t->fields[k]];
            for (uint32_t j = l->start[k]; j < l->start[k + 1]; j++) {
                cursor *u = &c[n++];
                vs_text_iter_init(fi, l->terms[j], &u->it);
                u->idf = vs_score_idf(&sc, vs_text_term_docs(fi, l->terms[j]));
                u->u = units[t->fields[k]];
                u->clause = i;
                u->live = 1;
                u->begun = 0;
            }
        }
    }
    int dscore = sc.scorer != VS_SCORER_DOCSCORE;
    size_t cnt = 0;
    uint32_t bound = vs_ks_id_bound(x->ks);
    if ((root->kind != VS_Q_AND || ncl == 1) && nc <= ONEPASS_SCAN) { /* union, few cursors: scan */
        for (uint32_t i = 0; i < nc; i++) c[i].live = vs_text_iter_next(&c[i].it);
        for (;;) {
            uint32_t id = UINT32_MAX;
            int any = 0;
            for (uint32_t i = 0; i < nc; i++)
                if (c[i].live && (!any || c[i].it.id < id)) id = c[i].it.id, any = 1;
            if (!any) break;
            if (id < bound && !in_gone(gone, id)) {
                cnt++;
                fn(ctx, id, score_doc(x, &sc, units, c, nc, id, dscore));
            }
            for (uint32_t i = 0; i < nc; i++)
                if (c[i].live && c[i].it.id == id) c[i].live = vs_text_iter_next(&c[i].it);
        }
    } else if (root->kind != VS_Q_AND || ncl == 1) { /* union: a heap of cursors by id */
        uint32_t hn = 0;
        for (uint32_t i = 0; i < nc; i++)
            if (vs_text_iter_next(&c[i].it)) heap[hn++] = i;
        for (uint32_t i = hn / 2; i-- > 0;) cur_down(c, heap, hn, i);
        while (hn) {
            uint32_t id = c[heap[0]].it.id, m = 0;
            while (hn && c[heap[0]].it.id == id) { /* take every cursor on id */
                on[m++] = heap[0];
                heap[0] = heap[--hn];
                cur_down(c, heap, hn, 0);
            }
            if (id < bound && !in_gone(gone, id)) {
                cnt++;
                fn(ctx, id, score_on(x, &sc, units, c, on, m, id, dscore));
            }
            for (uint32_t j = 0; j < m; j++)
                if (vs_text_iter_next(&c[on[j]].it)) {
                    uint32_t i = hn++;
                    heap[i] = on[j];
                    cur_up(c, heap, i);
                }
        }
    } else { /* intersection of the clauses' unions */
        uint32_t target = 0;
        for (;;) {
            int ended = 0, agree = 1;
            for (uint32_t q = 0; q < ncl && !ended; q++) {
                uint32_t lo = UINT32_MAX;
                int any = 0;
                for (uint32_t i = 0; i < nc; i++) {
                    if (c[i].clause != q || !c[i].live) continue;
                    if (!c[i].begun || c[i].it.id < target) {
                        c[i].begun = 1;
                        c[i].live = vs_text_iter_seek(&c[i].it, target);
                    }
                    if (c[i].live && (!any || c[i].it.id < lo)) lo = c[i].it.id, any = 1;
                }
                if (!any) ended = 1;
                else if (lo != target) agree = 0, target = lo; /* lo > target: seek the others there */
            }
            if (ended) break;
            if (!agree) continue;
            if (target < bound && !in_gone(gone, target)) {
                cnt++;
                fn(ctx, target, score_doc(x, &sc, units, c, nc, target, dscore));
            }
            if (target == UINT32_MAX) break;
            target++;
        }
    }
    vs_free(units);
    vs_free(c);
    vs_free(heap);
    vs_free(on);
    *total = cnt;
    *done = 1;
    return VS_OK;
}
