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
 * agree (a union of more than ONEPASS_UNION_MAX words takes the general
 * path).  Each match is scored at once and handed to the caller (which
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

/* A union of more words (a prefix, suffix or fuzzy clause, stems) takes
 * the general path: OR-ing the lists into a bit set and scoring them word
 * by word is faster than merging many lists document by document
 * (measured: a heap of cursors was 20% slower on one-word prefixes). */
#define ONEPASS_UNION_MAX 8

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
    int uni = root->kind != VS_Q_AND || ncl == 1;
    if (uni && nc > ONEPASS_UNION_MAX) return VS_OK; /* the general path is faster */
    uint32_t *units = vs_calloc(x->schema.nfields ? x->schema.nfields : 1, sizeof *units);
    cursor *c = vs_malloc((nc ? nc : 1) * sizeof *c);
    if (!units || !c) {
        vs_free(units);
        vs_free(c);
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
    if (uni) { /* union: the smallest current id by a scan */
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
    *total = cnt;
    *done = 1;
    return VS_OK;
}
