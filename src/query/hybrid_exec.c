/* hybrid_exec.c - FT.HYBRID's execute and render stages (hybrid.h).
 *
 * Execute: the SEARCH sub-search (its WINDOW best rows, text scores when
 * the query scores, else 0 in key order) and the VSIM sub-search (nearest
 * first, distances turned into vector scores), fused; then ordered by the
 * fused score, higher first (ties by key), or by the SORTBY keys (missing
 * values last, then the fused score, then the key), or left in the
 * lists' order with NOSORT; then LIMIT.
 *
 * Render: a map {total_results, results, warnings, execution_time}.  A
 * row is a map: without LOAD, __key and the fused score (__score or its
 * YIELD_SCORE_AS name); with LOAD, the fields asked for (LOAD *: every
 * hash field); then the SEARCH and VSIM score aliases for the lists the
 * document is in, the COMBINE alias (with LOAD), and the SORTBY fields
 * not shown yet.  Scores print as integers when integral, else %.12g
 * (FORMAT EXPAND: numbers).  execution_time is 0: the engine has no clock.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "query/hybrid.h"
#include "query/query_exec.h"

static int tok_eq(vs_tok a, vs_tok b) { return a.n == b.n && memcmp(a.p, b.p, a.n) == 0; }
static int tok_is(vs_tok t, const char *s) { return t.n == strlen(s) && memcmp(t.p, s, t.n) == 0; }

/* ---- execute ------------------------------------------------------------- */

typedef struct sort_ctx {
    const vs_hybrid_plan *p;
    const vs_hybrid_hit *hit;
} sort_ctx;

static const vs_hfield *hash_value(const vs_ftindex *x, uint32_t id, vs_tok ident) {
    return vs_ftindex_value(x, id, ident.p, ident.n);
}

/* A sort key's value for a hit: a number (*num), bytes (*b, *bn), or
 * missing (0).  Returns 1 number, 2 bytes, 0 missing. */
static int sort_value(const vs_hybrid_plan *p, const vs_hybrid_sort *s, const vs_hybrid_hit *h, double *num,
                      const uint8_t **b, size_t *bn) {
    const vs_ftindex *x = p->x;
    switch (s->ref) {
    case VS_HREF_SCORE: *num = h->fused; return 1;
    case VS_HREF_TEXT: *num = h->score[0]; return h->in[0];
    case VS_HREF_VECTOR: *num = h->score[1]; return h->in[1];
    case VS_HREF_KEY: {
        const vs_kentry *e = vs_ks_by_id(x->ks, h->id);
        *b = e->key;
        *bn = e->klen;
        return 2;
    }
    case VS_HREF_FIELD: break;
    }
    if (s->field >= 0 && x->fields[s->field]->ops->sort_value) {
        const vs_field_index *fi = x->fields[s->field];
        *num = fi->ops->sort_value(fi, h->id);
        return isnan(*num) ? 0 : 1;
    }
    const vs_hfield *f = hash_value(x, h->id, s->ident);
    if (!f) return 0;
    *b = vs_hfield_value(f);
    *bn = f->vlen;
    return 2;
}

static int hit_cmp(void *vctx, uint32_t ia, uint32_t ib) {
    const sort_ctx *c = vctx;
    const vs_hybrid_plan *p = c->p;
    const vs_hybrid_hit *a = &c->hit[ia], *b = &c->hit[ib];
    for (uint32_t i = 0; i < p->nsort; i++) {
        double na = 0, nb = 0;
        const uint8_t *ba = NULL, *bb = NULL;
        size_t la = 0, lb = 0;
        int ka = sort_value(p, &p->sort[i], a, &na, &ba, &la);
        int kb = sort_value(p, &p->sort[i], b, &nb, &bb, &lb);
        if (!ka || !kb) {
            if (ka != kb) return ka ? -1 : 1; /* missing last */
            continue;
        }
        int r;
        if (ka == 1 && kb == 1) {
            r = (na > nb) - (na < nb);
        } else if (ka != kb) {
            r = ka == 1 ? -1 : 1; /* numbers before strings */
        } else {
            size_t n = la < lb ? la : lb;
            r = n ? memcmp(ba, bb, n) : 0;
            if (!r) r = (la > lb) - (la < lb);
        }
        if (p->sort[i].desc) r = -r;
        if (r) return r;
    }
    if (a->fused != b->fused) return a->fused > b->fused ? -1 : 1;
    return vs_key_cmp(p->x->ks, a->id, b->id);
}

vs_status vs_hybrid_exec(vs_hybrid_plan *p, int64_t horizon, vs_hybrid_rows *out) {
    memset(out, 0, sizeof *out);
    p->text.horizon = horizon;
    p->vsim.horizon = horizon;
    vs_search_rows tr = {0}, vr = {0};
    vs_status st = vs_search_exec(&p->text, &tr);
    if (st == VS_OK) st = vs_search_exec(&p->vsim, &vr);
    size_t n[2] = {tr.n, vr.n};
    uint32_t *ids[2] = {NULL, NULL};
    double *sc[2] = {NULL, NULL};
    for (int l = 0; st == VS_OK && l < 2; l++) {
        ids[l] = vs_malloc((n[l] ? n[l] : 1) * sizeof *ids[l]);
        sc[l] = vs_malloc((n[l] ? n[l] : 1) * sizeof *sc[l]);
        if (!ids[l] || !sc[l]) st = VS_ERR_NOMEM;
    }
    if (st == VS_OK) {
        for (size_t i = 0; i < tr.n; i++) {
            ids[0][i] = tr.row[i].id;
            sc[0][i] = tr.score ? tr.score[i] : 0.0; /* 0 when the query does not score */
        }
        for (size_t i = 0; i < vr.n; i++) {
            ids[1][i] = vr.row[i].id;
            sc[1][i] = vs_hybrid_vector_score(p->metric, (double)vr.row[i].dist);
        }
    }
    vs_hybrid_hit *hit = NULL;
    size_t nh = 0;
    if (st == VS_OK) {
        const uint32_t *const cids[2] = {ids[0], ids[1]};
        const double *const csc[2] = {sc[0], sc[1]};
        st = vs_hybrid_fuse(&p->fusion, cids, csc, n, &hit, &nh);
    }
    for (int l = 0; l < 2; l++) {
        vs_free(ids[l]);
        vs_free(sc[l]);
    }
    vs_search_rows_free(&tr);
    vs_search_rows_free(&vr);
    uint32_t *order = NULL;
    if (st == VS_OK && !p->nosort && nh > 1) {
        order = vs_malloc(nh * sizeof *order);
        vs_hybrid_hit *sorted = vs_malloc(nh * sizeof *sorted);
        if (!order || !sorted) st = VS_ERR_NOMEM;
        for (size_t i = 0; st == VS_OK && i < nh; i++) order[i] = (uint32_t)i;
        sort_ctx c = {p, hit};
        if (st == VS_OK) st = vs_sort_ids(order, nh, hit_cmp, &c);
        for (size_t i = 0; st == VS_OK && i < nh; i++) sorted[i] = hit[order[i]];
        if (st == VS_OK) {
            vs_free(hit);
            hit = sorted;
        } else {
            vs_free(sorted);
        }
        vs_free(order);
    }
    if (st != VS_OK) {
        vs_free(hit);
        return st;
    }
    size_t from = p->offset < nh ? (size_t)p->offset : nh;
    size_t cnt = p->num < nh - from ? (size_t)p->num : nh - from;
    if (from && cnt) memmove(hit, hit + from, cnt * sizeof *hit);
    out->total = nh;
    out->hit = hit;
    out->n = cnt;
    return VS_OK;
}

void vs_hybrid_rows_free(vs_hybrid_rows *rows) {
    vs_free(rows->hit);
    memset(rows, 0, sizeof *rows);
}

/* ---- render -------------------------------------------------------------- */

static void reply_number(vs_reply *r, double v, int expand) {
    /* Integral and within long long (converting any other is undefined). */
    int integral = isfinite(v) && v >= -9223372036854775808.0 && v < 9223372036854775808.0 && (double)(long long)v == v;
    long long ll = integral ? (long long)v : 0;
    if (integral) {
        if (expand)
            vs_reply_int(r, ll);
        else
            vs_reply_bulk_ll(r, ll);
        return;
    }
    if (expand) {
        vs_reply_double(r, v);
        return;
    }
    char buf[40];
    int n = snprintf(buf, sizeof buf, "%.12g", v);
    vs_reply_bulk(r, buf, (size_t)n);
}

static vs_tok score_name(const vs_hybrid_plan *p) {
    return p->score_alias.p ? p->score_alias : (vs_tok){(const uint8_t *)"__score", 7};
}

/* Is name already a field of this row (before the aliases)? */
static int shown(const vs_hybrid_plan *p, const vs_hash *h, vs_tok name) {
    if (!p->has_load) return tok_is(name, "__key") || tok_eq(name, score_name(p));
    if (p->load_all && h && vs_hash_get(h, name.p, name.n)) return 1;
    for (uint32_t i = 0; i < p->nload; i++)
        if (tok_eq(p->load[i].out, name)) return 1;
    return 0;
}

static void reply_row(vs_reply *r, const vs_hybrid_plan *p, const vs_hybrid_hit *hit) {
    const vs_kentry *e = vs_ks_by_id(p->x->ks, hit->id);
    const vs_hash *h = e->type == VS_TYPE_HASH ? e->v.hash : NULL;
    size_t at = vs_reply_defer(r);
    size_t pairs = 0;
    if (!p->has_load) {
        vs_reply_bulk(r, "__key", 5);
        vs_reply_bulk(r, e->key, e->klen);
        vs_tok sn = score_name(p);
        vs_reply_bulk(r, sn.p, sn.n);
        reply_number(r, hit->fused, p->expand);
        pairs += 2;
    }
    if (p->load_all && h) {
        for (uint32_t i = 0; i < h->n; i++) {
            vs_reply_bulk(r, vs_hfield_name(h->f[i]), h->f[i]->flen);
            vs_reply_bulk(r, vs_hfield_value(h->f[i]), h->f[i]->vlen);
            pairs++;
        }
    }
    for (uint32_t i = 0; i < p->nload; i++) {
        const vs_hybrid_load *l = &p->load[i];
        int dup = 0;
        for (uint32_t j = 0; j < i; j++) dup |= tok_eq(p->load[j].out, l->out);
        if (dup || (p->load_all && h && vs_hash_get(h, l->out.p, l->out.n))) continue;
        switch (l->ref) {
        case VS_HREF_KEY:
            vs_reply_bulk(r, l->out.p, l->out.n);
            vs_reply_bulk(r, e->key, e->klen);
            break;
        case VS_HREF_SCORE:
            vs_reply_bulk(r, l->out.p, l->out.n);
            reply_number(r, hit->fused, p->expand);
            break;
        case VS_HREF_TEXT:
        case VS_HREF_VECTOR: {
            int li = l->ref == VS_HREF_VECTOR;
            if (!hit->in[li]) continue;
            vs_reply_bulk(r, l->out.p, l->out.n);
            reply_number(r, hit->score[li], p->expand);
            break;
        }
        case VS_HREF_FIELD: {
            const vs_hfield *f = h ? vs_hash_get(h, l->ident.p, l->ident.n) : NULL;
            if (!f) continue;
            vs_reply_bulk(r, l->out.p, l->out.n);
            vs_reply_bulk(r, vs_hfield_value(f), f->vlen);
            break;
        }
        }
        pairs++;
    }
    /* The score aliases. */
    const vs_tok alias[3] = {p->text_alias, p->vector_alias, p->has_load ? p->score_alias : (vs_tok){NULL, 0}};
    for (int i = 0; i < 3; i++) {
        if (!alias[i].p || shown(p, h, alias[i]) || (i < 2 && !hit->in[i])) continue;
        int dup = 0;
        for (int j = 0; j < i; j++) dup |= alias[j].p && tok_eq(alias[j], alias[i]);
        if (dup) continue;
        vs_reply_bulk(r, alias[i].p, alias[i].n);
        reply_number(r, i < 2 ? hit->score[i] : hit->fused, p->expand);
        pairs++;
    }
    /* SORTBY fields a sort had to read. */
    for (uint32_t i = 0; i < p->nsort && !p->load_all; i++) {
        const vs_hybrid_sort *s = &p->sort[i];
        if (s->ref != VS_HREF_FIELD || shown(p, h, s->name)) continue;
        int dup = 0;
        for (uint32_t j = 0; j < i; j++) dup |= tok_eq(p->sort[j].name, s->name);
        for (int j = 0; j < 3; j++) dup |= alias[j].p && tok_eq(alias[j], s->name);
        const vs_hfield *f = h ? vs_hash_get(h, s->ident.p, s->ident.n) : NULL;
        if (dup || !f) continue;
        vs_reply_bulk(r, s->name.p, s->name.n);
        vs_reply_bulk(r, vs_hfield_value(f), f->vlen);
        pairs++;
    }
    vs_reply_defer_map(r, at, pairs);
}

void vs_hybrid_render(vs_reply *r, const vs_hybrid_plan *p, const vs_hybrid_rows *rows) {
    vs_reply_map(r, 4);
    vs_reply_simple(r, "total_results");
    vs_reply_int(r, (long long)rows->total);
    vs_reply_simple(r, "results");
    vs_reply_array(r, rows->n);
    for (size_t i = 0; i < rows->n; i++) reply_row(r, p, &rows->hit[i]);
    vs_reply_simple(r, "warnings");
    vs_reply_array(r, 0);
    vs_reply_simple(r, "execution_time");
    vs_reply_double(r, 0.0);
}
