/* cmd_ft_search.c - FT.SEARCH: options, validation, execution, reply.
 *
 * Validation order follows valkey-search: index lookup, options (left to
 * right), the query string, the KNN clause's field, parameter
 * substitution and blob size, ranges (K, EF_RUNTIME, TIMEOUT, DIALECT),
 * unused PARAMS.  Replies: [total, key, [field, value, ...], ...]; KNN
 * rows are nearest first with ties broken by key, pure filter rows are in
 * key order; the score (KNN) is the first pair unless RETURN is given.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "base/arena.h"
#include "commands/commands.h"
#include "commands/db.h"
#include "index/distance.h"
#include "query/query.h"
#include "query/query_exec.h"
#include "query/registry.h"
#include "base/util.h"

#define MAX_KNN 10000
#define MAX_TIMEOUT_MS 60000
#define TOKF(t) (int)(t).n, (const char *)(t).p

typedef struct ret_field {
    vs_tok name;  /* as given */
    vs_tok out;   /* output name (AS alias, or the name) */
} ret_field;

typedef struct search_opts {
    int nocontent;
    int has_return;
    ret_field *ret;
    uint32_t nret;
    uint64_t offset, num;
    int has_sortby, sort_desc;
    vs_tok sortby;
    vs_tok *pname, *pval;
    uint8_t *pused;
    uint32_t nparams;
    uint64_t timeout;
    uint64_t dialect;
} search_opts;

static int tok_eq(vs_tok a, vs_tok b) { return a.n == b.n && memcmp(a.p, b.p, a.n) == 0; }

/* ---- options ------------------------------------------------------------ */

static vs_status opt_return(vs_args *a, search_opts *o, vs_arena *ar, vs_err *err) {
    uint64_t cnt;
    vs_status st = vs_args_u64(a, UINT32_MAX, &cnt, err);
    if (st != VS_OK) return st;
    o->has_return = 1;
    if (cnt == 0) {
        o->nocontent = 1;
        return VS_OK;
    }
    ret_field *r = vs_arena_alloc(ar, (size_t)(o->nret + cnt) * sizeof *r);
    if (!r) return VS_ERR_NOMEM;
    if (o->nret) memcpy(r, o->ret, o->nret * sizeof *r);
    o->ret = r;
    for (uint64_t i = 0; i < cnt; i++) {
        ret_field *f = &o->ret[o->nret];
        if ((st = vs_args_next(a, &f->name.p, &f->name.n, err)) != VS_OK) return st;
        f->out = f->name;
        if (vs_args_take_if(a, "AS")) {
            if ((st = vs_args_next(a, &f->out.p, &f->out.n, err)) != VS_OK) return vs_err_prepend(err, "Bad arguments for AS: ");
            i += 2;
            if (i > cnt) return vs_err_set(err, VS_ERR, "Unexpected parameter `AS` ");
        }
        o->nret++;
    }
    return VS_OK;
}

static vs_status opt_params(vs_args *a, search_opts *o, vs_arena *ar, vs_err *err) {
    uint64_t cnt;
    vs_status st = vs_args_u64(a, UINT32_MAX, &cnt, err);
    if (st != VS_OK) return st;
    if (cnt % 2) return vs_err_set(err, VS_ERR, "Parameter count must be an even number.");
    if (cnt > (uint64_t)vs_args_left(a)) return vs_err_set(err, VS_ERR, "Missing argument");
    uint32_t add = (uint32_t)(cnt / 2), total = o->nparams + add;
    vs_tok *pn = vs_arena_alloc(ar, total * sizeof *pn), *pv = vs_arena_alloc(ar, total * sizeof *pv);
    uint8_t *pu = vs_arena_alloc(ar, total);
    if (!pn || !pv || !pu) return VS_ERR_NOMEM;
    if (o->nparams) {
        memcpy(pn, o->pname, o->nparams * sizeof *pn);
        memcpy(pv, o->pval, o->nparams * sizeof *pv);
    }
    memset(pu, 0, total);
    o->pname = pn;
    o->pval = pv;
    o->pused = pu;
    for (uint32_t i = 0; i < add; i++) {
        vs_tok name, val;
        vs_args_next(a, &name.p, &name.n, err);
        vs_args_next(a, &val.p, &val.n, err);
        for (uint32_t j = 0; j < o->nparams; j++)
            if (tok_eq(o->pname[j], name))
                return vs_err_set(err, VS_ERR, "Parameter %.*s is already defined.", TOKF(name));
        o->pname[o->nparams] = name;
        o->pval[o->nparams] = val;
        o->nparams++;
    }
    return VS_OK;
}

static vs_status parse_options(vs_args *a, search_opts *o, vs_arena *ar, vs_err *err) {
    while (vs_args_left(a) > 0) {
        vs_tok key = {a->argv[a->pos], a->len[a->pos]};
        a->pos++;
        vs_status st = VS_OK;
        if (vs_eq_nocase(key.p, key.n, "NOCONTENT")) {
            o->nocontent = 1;
        } else if (vs_eq_nocase(key.p, key.n, "RETURN")) {
            st = opt_return(a, o, ar, err);
        } else if (vs_eq_nocase(key.p, key.n, "LIMIT")) {
            st = vs_args_u64(a, UINT64_MAX, &o->offset, err);
            if (st == VS_OK) st = vs_args_u64(a, UINT64_MAX, &o->num, err);
        } else if (vs_eq_nocase(key.p, key.n, "SORTBY")) {
            st = vs_args_next(a, &o->sortby.p, &o->sortby.n, err);
            o->has_sortby = 1;
            o->sort_desc = 0;
            if (st == VS_OK && vs_args_take_if(a, "DESC"))
                o->sort_desc = 1;
            else if (st == VS_OK)
                vs_args_take_if(a, "ASC");
        } else if (vs_eq_nocase(key.p, key.n, "PARAMS")) {
            st = opt_params(a, o, ar, err);
        } else if (vs_eq_nocase(key.p, key.n, "TIMEOUT")) {
            st = vs_args_u64(a, UINT64_MAX, &o->timeout, err);
        } else if (vs_eq_nocase(key.p, key.n, "DIALECT")) {
            st = vs_args_u64(a, UINT32_MAX, &o->dialect, err);
        } else if (vs_eq_nocase(key.p, key.n, "LOCALONLY") || vs_eq_nocase(key.p, key.n, "ALLSHARDS") ||
                   vs_eq_nocase(key.p, key.n, "SOMESHARDS") || vs_eq_nocase(key.p, key.n, "CONSISTENT") ||
                   vs_eq_nocase(key.p, key.n, "INCONSISTENT")) {
            /* Cluster options: a single node answers the same. */
        } else {
            return vs_err_set(err, VS_ERR, "Unexpected argument `%.*s`", TOKF(key));
        }
        if (st == VS_ERR_NOMEM) return st;
        if (st != VS_OK) return vs_err_prepend(err, "Error parsing value for the parameter `%.*s` - ", TOKF(key));
    }
    return VS_OK;
}

/* Resolve a "$name" token through PARAMS (marking it used). */
static vs_status subst(search_opts *o, vs_tok t, vs_tok *out, vs_err *err) {
    if (t.n == 0 || t.p[0] != '$') {
        *out = t;
        return VS_OK;
    }
    vs_tok name = {t.p + 1, t.n - 1};
    for (uint32_t i = 0; i < o->nparams; i++) {
        if (!tok_eq(o->pname[i], name)) continue;
        o->pused[i] = 1;
        *out = o->pval[i];
        return VS_OK;
    }
    return vs_err_set(err, VS_ERR, "Parameter %.*s not found.", TOKF(name));
}

/* ---- execution and reply ----------------------------------------------- */

typedef struct sort_ctx {
    const vs_ftindex *x;
    int field;             /* schema field */
    int desc;
    const vs_scored *rows; /* KNN: sort row indexes into rows; NULL: sort ids */
} sort_ctx;

/* Raw hash value of field f for key id (NULL if absent). */
static const vs_hfield *hash_value(const vs_ftindex *x, uint32_t id, int f) {
    const vs_kentry *e = vs_ks_by_id(x->ks, id);
    if (!e || e->type != VS_TYPE_HASH) return NULL;
    const vs_fielddef *d = &x->schema.fields[f];
    return vs_hash_get(e->v.hash, d->ident, d->ilen);
}

/* Compare two ids by the SORTBY field: missing values last, then by
 * key. */
static int sortby_cmp(void *vctx, uint32_t a, uint32_t b) {
    const sort_ctx *c = vctx;
    const vs_ftindex *x = c->x;
    int r = 0;
    uint32_t ra = a, rb = b; /* row indexes (KNN) */
    if (c->rows) {
        a = c->rows[ra].id;
        b = c->rows[rb].id;
    }
    if (x->schema.fields[c->field].type == VS_FIELD_NUMERIC) {
        const vs_field_index *fi = x->fields[c->field];
        double va = fi->ops->sort_value(fi, a), vb = fi->ops->sort_value(fi, b);
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

static void reply_score(vs_reply *r, vs_tok name, float dist) {
    char buf[40];
    int n = snprintf(buf, sizeof buf, "%.12g", (double)dist);
    vs_reply_bulk(r, name.p, name.n);
    vs_reply_bulk(r, buf, (size_t)n);
}

static void reply_row(vs_reply *r, const vs_ftindex *x, const search_opts *o, uint32_t id, int knn, vs_tok score_name,
                      float dist) {
    const vs_kentry *e = vs_ks_by_id(x->ks, id);
    vs_reply_bulk(r, e->key, e->klen);
    if (o->nocontent) return;
    const vs_hash *h = e->type == VS_TYPE_HASH ? e->v.hash : NULL;
    if (!o->has_return) {
        uint32_t nf = h ? h->n : 0;
        vs_reply_array(r, 2 * ((size_t)nf + (knn ? 1 : 0)));
        if (knn) reply_score(r, score_name, dist);
        for (uint32_t i = 0; i < nf; i++) {
            vs_reply_bulk(r, vs_hfield_name(h->f[i]), h->f[i]->flen);
            vs_reply_bulk(r, vs_hfield_value(h->f[i]), h->f[i]->vlen);
        }
        return;
    }
    size_t at = vs_reply_defer(r);
    size_t pairs = 0;
    for (uint32_t i = 0; i < o->nret; i++) {
        const ret_field *f = &o->ret[i];
        if (knn && tok_eq(f->name, score_name)) {
            reply_score(r, score_name, dist);
            pairs++;
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

/* Rows [offset, offset + num) of n results. */
static void slice(const search_opts *o, size_t n, size_t *from, size_t *to) {
    size_t start = o->offset < n ? (size_t)o->offset : n;
    size_t cnt = o->num < n - start ? (size_t)o->num : n - start;
    *from = start;
    *to = start + cnt;
}

static vs_status run_knn(vs_ctx *c, const vs_ftindex *x, search_opts *o, const vs_query *q, int vfield,
                         const vs_tok blob, uint32_t k, uint32_t ef, vs_tok score_name, int sort_field) {
    const vs_fielddef *vd = &x->schema.fields[vfield];
    float *qv = vs_malloc((size_t)vd->vec.dim * sizeof(float));
    vs_scored *res = vs_malloc((size_t)k * sizeof *res);
    vs_bitset filter = {0};
    vs_status st = (qv && res) ? VS_OK : VS_ERR_NOMEM;
    if (st == VS_OK) {
        memcpy(qv, blob.p, (size_t)vd->vec.dim * sizeof(float));
        if (!vs_all_finite(qv, vd->vec.dim))
            st = vs_err_set(c->err, VS_ERR,
                            "Error parsing vector similarity parameters: query vector contains NaN or infinite values");
        else if (vd->vec.metric == VS_METRIC_COSINE)
            vs_normalize(qv, vd->vec.dim);
    }
    if (st == VS_OK && q->filter) st = vs_filter_eval(x, q->filter, &filter);
    size_t n = 0;
    if (st == VS_OK)
        st = vs_knn_exec(x, vfield, qv, q->filter ? &filter : NULL, q->filter ? vs_bitset_count(&filter) : 0, k, ef,
                         res, &n);
    uint32_t *order = NULL;
    if (st == VS_OK && sort_field >= 0 && n > 1) {
        /* SORTBY a field: reorder the K nearest by it (stable: ties keep
         * distance order). */
        order = vs_malloc(n * sizeof *order);
        if (!order) st = VS_ERR_NOMEM;
        for (size_t i = 0; order && i < n; i++) order[i] = (uint32_t)i;
        sort_ctx sc = {x, sort_field, o->sort_desc, res};
        if (st == VS_OK) st = vs_sort_ids(order, n, sortby_cmp, &sc);
    }
    if (st == VS_OK) {
        size_t from, to;
        slice(o, n, &from, &to);
        vs_reply_array(c->r, 1 + (to - from) * (o->nocontent ? 1 : 2));
        vs_reply_int(c->r, (long long)n);
        for (size_t i = from; i < to; i++) {
            const vs_scored *row = &res[order ? order[i] : i];
            reply_row(c->r, x, o, row->id, 1, score_name, row->dist);
        }
    }
    vs_free(order);
    vs_bitset_free(&filter);
    vs_free(res);
    vs_free(qv);
    return st;
}

static vs_status run_filter(vs_ctx *c, const vs_ftindex *x, search_opts *o, const vs_query *q, int sort_field) {
    vs_bitset set = {0};
    vs_status st;
    if (q->filter) {
        st = vs_filter_eval(x, q->filter, &set);
    } else {
        st = vs_bitset_init(&set, vs_ks_id_bound(x->ks));
        if (st == VS_OK) {
            size_t words = vs_bitset_words(set.nbits), have = x->indexed.cap / 64;
            for (size_t i = 0; i < words && i < have; i++) set.w[i] = x->indexed.w[i];
            if (set.nbits & 63 && words) set.w[words - 1] &= (1ull << (set.nbits & 63)) - 1;
        }
    }
    if (st != VS_OK) return st;
    size_t total = vs_bitset_count(&set);
    uint32_t *ids = NULL;
    size_t nrows = 0;
    if (sort_field >= 0) {
        ids = vs_malloc((total ? total : 1) * sizeof *ids);
        if (!ids) st = VS_ERR_NOMEM;
        for (uint32_t id = vs_bitset_next(&set, 0); ids && id < set.nbits; id = vs_bitset_next(&set, id + 1))
            ids[nrows++] = id;
        sort_ctx sc = {x, sort_field, o->sort_desc, NULL};
        if (st == VS_OK) st = vs_sort_ids(ids, nrows, sortby_cmp, &sc);
    } else {
        /* Key order: keep the first offset + num keys with a bounded heap. */
        uint64_t want = o->offset + o->num < o->offset ? UINT64_MAX : o->offset + o->num;
        size_t keep = want < total ? (size_t)want : total;
        vs_scored *buf = vs_malloc((keep ? keep : 1) * sizeof *buf);
        ids = vs_malloc((keep ? keep : 1) * sizeof *ids);
        if (!buf || !ids) st = VS_ERR_NOMEM;
        if (st == VS_OK) {
            vs_topk top;
            vs_topk_init(&top, buf, keep, vs_key_cmp, x->ks);
            for (uint32_t id = vs_bitset_next(&set, 0); id < set.nbits; id = vs_bitset_next(&set, id + 1))
                vs_topk_push(&top, 0.0f, id);
            vs_topk_sort(&top);
            for (size_t i = 0; i < top.n; i++) ids[i] = buf[i].id;
            nrows = top.n;
        }
        vs_free(buf);
    }
    if (st == VS_OK) {
        size_t from, to;
        slice(o, nrows, &from, &to);
        vs_reply_array(c->r, 1 + (to - from) * (o->nocontent ? 1 : 2));
        vs_reply_int(c->r, (long long)total);
        vs_tok none = {NULL, 0};
        for (size_t i = from; i < to; i++) reply_row(c->r, x, o, ids[i], 0, none, 0);
    }
    vs_free(ids);
    vs_bitset_free(&set);
    return st;
}

vs_status vs_cmd_ft_search(vs_ctx *c) {
    vs_search *s = &c->db->search;
    const vs_ftindex *x = vs_search_find(s, c->argv[1], c->argvlen[1]);
    if (!x) return vs_search_not_found(c->argv[1], c->argvlen[1], c->err);
    vs_arena ar = {0};
    search_opts o;
    memset(&o, 0, sizeof o);
    o.num = 10;
    o.dialect = 2;
    vs_args a = {c->argv, c->argvlen, 3, c->argc};
    vs_query q;
    vs_status st = parse_options(&a, &o, &ar, c->err);
    if (st == VS_OK) st = vs_query_parse(c->argv[2], c->argvlen[2], &x->schema, &ar, &q, c->err);

    int vfield = -1;
    uint32_t k = 0, ef = 0;
    vs_tok blob = {0}, score_name = {0};
    char score_buf[VS_QUERY_MAX_BYTES + 16];
    if (st == VS_OK && q.knn.present) {
        vfield = vs_schema_field_by_alias(&x->schema, q.knn.field.p, q.knn.field.n);
        if (vfield < 0)
            st = vs_err_set(c->err, VS_ERR, "Index field `%.*s` does not exist", TOKF(q.knn.field));
        else if (x->schema.fields[vfield].type != VS_FIELD_VECTOR)
            st = vs_err_set(c->err, VS_ERR, "Index field `%.*s` is not a Vector index ", TOKF(q.knn.field));
    }
    if (st == VS_OK && q.knn.present) {
        const vs_fielddef *vd = &x->schema.fields[vfield];
        vs_tok kt, et;
        uint64_t kv = 0, ev = 0;
        st = subst(&o, q.knn.k, &kt, c->err);
        if (st == VS_OK) st = vs_parse_u64_tok(kt.p, kt.n, UINT32_MAX, &kv, c->err);
        if (st == VS_OK) st = subst(&o, q.knn.blob, &blob, c->err);
        if (st == VS_OK && blob.n != (size_t)vd->vec.dim * 4)
            st = vs_err_set(c->err, VS_ERR, "query vector blob size (%zu) does not match index's expected size (%u).",
                            blob.n, vd->vec.dim * 4);
        if (st == VS_OK && q.knn.ef.p) {
            st = subst(&o, q.knn.ef, &et, c->err);
            if (st == VS_OK) st = vs_parse_u64_tok(et.p, et.n, UINT32_MAX, &ev, c->err);
        }
        if (st == VS_OK && q.knn.as.p) st = subst(&o, q.knn.as, &score_name, c->err);
        if (st == VS_ERR) vs_err_prepend(c->err, "Error parsing vector similarity parameters: ");
        if (st == VS_OK && (kv < 1 || kv > MAX_KNN))
            st = vs_err_set(c->err, VS_ERR,
                            "Invalid range: Value %s; KNN parameter must be a positive integer greater than 0 and "
                            "cannot exceed %d.",
                            kv < 1 ? "below minimum" : "above maximum", MAX_KNN);
        if (st == VS_OK && q.knn.ef.p && (ev < 1 || ev > VS_MAX_EF))
            st = vs_err_set(c->err, VS_ERR,
                            "Invalid range: Value %s; `EF_RUNTIME` must be a positive integer greater than 0 and "
                            "cannot exceed %d.",
                            ev < 1 ? "below minimum" : "above maximum", VS_MAX_EF);
        k = (uint32_t)kv;
        ef = (uint32_t)ev;
        if (st == VS_OK && !q.knn.as.p) {
            int n = snprintf(score_buf, sizeof score_buf, "__%.*s_score", (int)vd->alen, (const char *)vd->alias);
            score_name.p = (const uint8_t *)score_buf;
            score_name.n = (size_t)n;
        }
    }
    if (st == VS_OK && o.timeout > MAX_TIMEOUT_MS)
        st = vs_err_set(c->err, VS_ERR, "TIMEOUT must be a positive integer greater than 0 and cannot exceed %d.",
                        MAX_TIMEOUT_MS);
    if (st == VS_OK && (o.dialect < 2 || o.dialect > 4))
        st = vs_err_set(c->err, VS_ERR, "DIALECT requires a non negative integer >=2 and <= 4");
    for (uint32_t i = 0; st == VS_OK && i < o.nparams; i++)
        if (!o.pused[i]) st = vs_err_set(c->err, VS_ERR, "Parameter `%.*s` not used.", TOKF(o.pname[i]));

    int sort_field = -1;
    if (st == VS_OK && o.has_sortby) {
        if (q.knn.present && tok_eq(o.sortby, score_name)) {
            if (o.sort_desc)
                st = vs_err_set(c->err, VS_ERR, "SORTBY on the vector score `%.*s` supports only ASC",
                                TOKF(score_name));
        } else {
            sort_field = vs_schema_field_by_alias(&x->schema, o.sortby.p, o.sortby.n);
            if (sort_field < 0) sort_field = vs_schema_field_by_ident(&x->schema, o.sortby.p, o.sortby.n);
            if (sort_field < 0) st = vs_err_set(c->err, VS_ERR, "Index field `%.*s` does not exist", TOKF(o.sortby));
        }
    }
    if (st == VS_OK) {
        if (q.knn.present)
            st = run_knn(c, x, &o, &q, vfield, blob, k, ef, score_name, sort_field);
        else
            st = run_filter(c, x, &o, &q, sort_field);
    }
    vs_arena_free(&ar);
    return st;
}
