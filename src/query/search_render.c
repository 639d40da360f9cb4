/* search_render.c - FT.SEARCH's render stage (search.h): rows as the
 * reply [total, key, [score,] [field, value, ...], ...].
 *
 * WITHSCORES puts each row's text score after its key, as RediSearch does
 * (a double: "%.17g" bulk string in RESP2, a RESP3 double), NOCONTENT or
 * not.  WITHSORTKEYS then puts "#" and the SORTBY field's hash value
 * (valkey-search's form, whatever the field's type) before the fields.
 * Without RETURN a row holds the KNN score pair (first) and every hash
 * field; with RETURN the fields asked for that the document has, by
 * alias or identifier, under their AS names, the score where its name is
 * asked for; NOCONTENT leaves keys only.  A VECTOR_RANGE clause's
 * yielded distance is a pair of its own (after the KNN score without
 * RETURN; where RETURN names it), in the rows within its radius only.
 * Scores and distances are printed with %.12g.  The reply writer shapes RESP2 and RESP3 alike.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "query/search.h"

static int tok_eq(vs_tok a, vs_tok b) { return a.n == b.n && memcmp(a.p, b.p, a.n) == 0; }

static void reply_score(vs_reply *r, vs_tok name, float dist) {
    char buf[40];
    int n = snprintf(buf, sizeof buf, "%.12g", (double)dist);
    vs_reply_bulk(r, name.p, name.n);
    vs_reply_bulk(r, buf, (size_t)n);
}

/* WITHSORTKEYS applies: valkey-search writes sort keys for a filter
 * query's rows with content only. */
static int sortkeys(const vs_search_plan *p) { return p->withsortkeys && !p->nocontent && !p->q.knn.present; }

/* The yielded distance of range clause k for this row (NaN: none), when
 * the clause has a $YIELD_DISTANCE_AS name. */
static int yield_of(const vs_search_plan *p, const float *yield, uint32_t k, float *d) {
    if (!yield || !p->q.range[k]->range->yield.p) return 0;
    *d = yield[k];
    return !isnan(*d);
}

static void reply_row(vs_reply *r, const vs_search_plan *p, const vs_scored *row, const double *score,
                      const float *yield) {
    const vs_ftindex *x = p->x;
    const int knn = p->q.knn.present;
    const vs_kentry *e = vs_ks_by_id(x->ks, row->id);
    vs_reply_bulk(r, e->key, e->klen);
    if (p->withscores) vs_reply_double(r, score ? *score : 0.0);
    if (p->nocontent) return;
    const vs_hash *h = e->type == VS_TYPE_HASH ? e->v.hash : NULL;
    if (sortkeys(p)) {
        const vs_hfield *sv = NULL;
        if (p->sort_field >= 0)
            sv = vs_hash_get(h, x->schema.fields[p->sort_field].ident, x->schema.fields[p->sort_field].ilen);
        char head[32];
        size_t vlen = sv ? sv->vlen : 0;
        int n = snprintf(head, sizeof head, "$%zu\r\n#", vlen + 1);
        vs_reply_raw(r, head, (size_t)n);
        if (sv) vs_reply_raw(r, vs_hfield_value(sv), vlen);
        vs_reply_raw(r, "\r\n", 2);
    }
    float d;
    if (!p->has_return) {
        uint32_t nf = h ? h->n : 0, ny = 0;
        for (uint32_t k = 0; k < p->q.nrange; k++) ny += (uint32_t)yield_of(p, yield, k, &d);
        vs_reply_array(r, 2 * ((size_t)nf + (knn ? 1 : 0) + ny));
        if (knn) reply_score(r, p->score_name, row->dist);
        for (uint32_t k = 0; k < p->q.nrange; k++)
            if (yield_of(p, yield, k, &d)) reply_score(r, p->q.range[k]->range->yield, d);
        for (uint32_t i = 0; i < nf; i++) {
            vs_reply_bulk(r, vs_hfield_name(h->f[i]), h->f[i]->flen);
            vs_reply_bulk(r, vs_hfield_value(h->f[i]), h->f[i]->vlen);
        }
        return;
    }
    size_t at = vs_reply_defer(r);
    size_t pairs = 0;
    for (uint32_t i = 0; i < p->nret; i++) {
        const vs_search_field *f = &p->ret[i];
        if (knn && tok_eq(f->name, p->score_name)) {
            reply_score(r, p->score_name, row->dist);
            pairs++;
            continue;
        }
        int yk = -1;
        for (uint32_t k = 0; k < p->q.nrange && yk < 0; k++) {
            vs_tok y = p->q.range[k]->range->yield;
            if (y.p && tok_eq(f->name, y)) yk = (int)k;
        }
        if (yk >= 0) { /* a yielded distance: shown where the row has it */
            if (yield_of(p, yield, (uint32_t)yk, &d)) {
                reply_score(r, f->out, d);
                pairs++;
            }
            continue;
        }
        vs_tok ident = f->name;
        int fi = vs_schema_field_by_alias(&x->schema, f->name.p, f->name.n);
        if (fi >= 0) {
            ident.p = x->schema.fields[fi].ident;
            ident.n = x->schema.fields[fi].ilen;
        }
        const vs_hfield *hv = vs_hash_get(h, ident.p, ident.n);
        if (!hv) continue;
        vs_reply_bulk(r, f->out.p, f->out.n);
        vs_reply_bulk(r, vs_hfield_value(hv), hv->vlen);
        pairs++;
    }
    vs_reply_defer_array(r, at, 2 * pairs);
}

void vs_search_render(vs_reply *r, const vs_search_plan *p, const vs_search_rows *rows) {
    vs_reply_array(r, 1 + rows->n * ((p->nocontent ? 1 : 2) + (p->withscores ? 1 : 0) + (sortkeys(p) ? 1 : 0)));
    vs_reply_int(r, (long long)rows->total);
    for (size_t i = 0; i < rows->n; i++)
        reply_row(r, p, &rows->row[i], rows->score ? &rows->score[i] : NULL,
                  rows->yield ? &rows->yield[i * rows->nyield] : NULL);
}
