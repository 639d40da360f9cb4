/* search_parse.c - FT.SEARCH's parse stage (search.h): options, the query
 * string and every check, into a plan.
 *
 * Validation order follows valkey-search: options (left to right), the
 * query string, its VECTOR_RANGE clauses (RediSearch's checks, in query
 * order), the KNN clause's field, parameter substitution and blob
 * size, ranges (K, EF_RUNTIME, TIMEOUT, DIALECT), unused PARAMS, SORTBY,
 * then the query vector's values.  The first error wins.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "base/args.h"
#include "base/util.h"
#include "index/distance.h"
#include "index/vector.h"
#include "query/search.h"

#define TOKF(t) (int)(t).n, (const char *)(t).p

/* What parsing needs beyond the plan. */
typedef struct opts {
    vs_tok *pname, *pval; /* PARAMS */
    uint8_t *pused;
    uint32_t nparams;
    uint64_t timeout;
    uint64_t dialect;
    int has_sortby;
    vs_tok sortby;
} opts;

static int tok_eq(vs_tok a, vs_tok b) { return a.n == b.n && memcmp(a.p, b.p, a.n) == 0; }

/* ---- options ------------------------------------------------------------ */

static vs_status opt_return(vs_args *a, vs_search_plan *p, vs_arena *ar, vs_err *err) {
    uint64_t cnt;
    vs_status st = vs_args_u64(a, UINT32_MAX, &cnt, err);
    if (st != VS_OK) return st;
    p->has_return = 1;
    if (cnt == 0) {
        p->nocontent = 1;
        return VS_OK;
    }
    vs_search_field *r = vs_arena_alloc(ar, (size_t)(p->nret + cnt) * sizeof *r);
    if (!r) return VS_ERR_NOMEM;
    if (p->nret) memcpy(r, p->ret, p->nret * sizeof *r);
    p->ret = r;
    for (uint64_t i = 0; i < cnt; i++) {
        vs_search_field *f = &p->ret[p->nret];
        if ((st = vs_args_next(a, &f->name.p, &f->name.n, err)) != VS_OK) return st;
        f->out = f->name;
        if (vs_args_take_if(a, "AS")) {
            if ((st = vs_args_next(a, &f->out.p, &f->out.n, err)) != VS_OK) return vs_err_prepend(err, "Bad arguments for AS: ");
            i += 2;
            if (i > cnt) return vs_err_set(err, VS_ERR, "Unexpected parameter `AS` ");
        }
        p->nret++;
    }
    return VS_OK;
}

static vs_status opt_params(vs_args *a, opts *o, vs_arena *ar, vs_err *err) {
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

static vs_status parse_options(vs_args *a, vs_search_plan *p, opts *o, vs_arena *ar, vs_err *err) {
    while (vs_args_left(a) > 0) {
        vs_tok key = {a->argv[a->pos], a->len[a->pos]};
        a->pos++;
        vs_status st = VS_OK;
        if (vs_eq_nocase(key.p, key.n, "NOCONTENT")) {
            p->nocontent = 1;
        } else if (vs_eq_nocase(key.p, key.n, "RETURN")) {
            st = opt_return(a, p, ar, err);
        } else if (vs_eq_nocase(key.p, key.n, "LIMIT")) {
            st = vs_args_u64(a, UINT64_MAX, &p->offset, err);
            if (st == VS_OK) st = vs_args_u64(a, UINT64_MAX, &p->num, err);
        } else if (vs_eq_nocase(key.p, key.n, "WITHSORTKEYS")) {
            p->withsortkeys = 1;
        } else if (vs_eq_nocase(key.p, key.n, "SORTBY")) {
            st = vs_args_next(a, &o->sortby.p, &o->sortby.n, err);
            o->has_sortby = 1;
            p->sort_desc = 0;
            if (st == VS_OK && vs_args_take_if(a, "DESC"))
                p->sort_desc = 1;
            else if (st == VS_OK)
                vs_args_take_if(a, "ASC");
        } else if (vs_eq_nocase(key.p, key.n, "PARAMS")) {
            st = opt_params(a, o, ar, err);
        } else if (vs_eq_nocase(key.p, key.n, "TIMEOUT")) {
            st = vs_args_u64(a, UINT64_MAX, &o->timeout, err);
        } else if (vs_eq_nocase(key.p, key.n, "DIALECT")) {
            st = vs_args_u64(a, UINT32_MAX, &o->dialect, err);
        } else if (vs_eq_nocase(key.p, key.n, "VERBATIM")) {
            p->text.verbatim = 1;
        } else if (vs_eq_nocase(key.p, key.n, "INORDER")) {
            p->text.inorder = 1;
        } else if (vs_eq_nocase(key.p, key.n, "SLOP")) {
            uint64_t v;
            st = vs_args_u64(a, UINT32_MAX, &v, err);
            if (st == VS_OK) p->text.slop = v > INT32_MAX ? INT32_MAX : (int32_t)v; /* past any document */
        } else if (vs_eq_nocase(key.p, key.n, "WITHSCORES")) {
            p->withscores = 1;
        } else if (vs_eq_nocase(key.p, key.n, "SCORER")) {
            vs_tok name;
            st = vs_args_next(a, &name.p, &name.n, err);
            if (st == VS_OK && !vs_scorer_by_name(name.p, name.n, &p->scorer))
                return vs_err_set(err, VS_ERR, "No such scorer %.*s", TOKF(name));
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
static vs_status subst(opts *o, vs_tok t, vs_tok *out, vs_err *err) {
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

/* ---- the KNN clause ------------------------------------------------------ */

static vs_status knn_field(vs_search_plan *p, vs_err *err) {
    const vs_knn_clause *kc = &p->q.knn;
    p->vfield = vs_schema_field_by_alias(&p->x->schema, kc->field.p, kc->field.n);
    if (p->vfield < 0) return vs_err_set(err, VS_ERR, "Index field `%.*s` does not exist", TOKF(kc->field));
    if (p->x->schema.fields[p->vfield].type != VS_FIELD_VECTOR)
        return vs_err_set(err, VS_ERR, "Index field `%.*s` is not a Vector index ", TOKF(kc->field));
    return VS_OK;
}

/* K, the blob, EF_RUNTIME and the score name through PARAMS; *blob gets
 * the query vector's bytes. */
static vs_status knn_params(vs_search_plan *p, opts *o, vs_arena *ar, vs_tok *blob, vs_err *err) {
    const vs_knn_clause *kc = &p->q.knn;
    const vs_fielddef *vd = &p->x->schema.fields[p->vfield];
    vs_tok kt, et;
    uint64_t kv = 0, ev = 0;
    vs_status st = subst(o, kc->k, &kt, err);
    if (st == VS_OK) st = vs_parse_u64_tok(kt.p, kt.n, UINT32_MAX, &kv, err);
    if (st == VS_OK) st = subst(o, kc->blob, blob, err);
    if (st == VS_OK && blob->n != vs_vector_bytes(&vd->vec))
        st = vs_err_set(err, VS_ERR, "query vector blob size (%zu) does not match index's expected size (%zu).",
                        blob->n, vs_vector_bytes(&vd->vec));
    if (st == VS_OK && kc->ef.p) {
        st = subst(o, kc->ef, &et, err);
        if (st == VS_OK) st = vs_parse_u64_tok(et.p, et.n, UINT32_MAX, &ev, err);
    }
    if (st == VS_OK && kc->as.p) st = subst(o, kc->as, &p->score_name, err);
    if (st == VS_ERR) vs_err_prepend(err, "Error parsing vector similarity parameters: ");
    if (st != VS_OK) return st;
    if (kv < 1 || kv > VS_SEARCH_MAX_KNN)
        return vs_err_set(err, VS_ERR,
                          "Invalid range: Value %s; KNN parameter must be a positive integer greater than 0 and "
                          "cannot exceed %d.",
                          kv < 1 ? "below minimum" : "above maximum", VS_SEARCH_MAX_KNN);
    if (kc->ef.p && (ev < 1 || ev > VS_MAX_EF))
        return vs_err_set(err, VS_ERR,
                          "Invalid range: Value %s; `EF_RUNTIME` must be a positive integer greater than 0 and "
                          "cannot exceed %d.",
                          ev < 1 ? "below minimum" : "above maximum", VS_MAX_EF);
    p->k = (uint32_t)kv;
    p->ef = (uint32_t)ev;
    if (!kc->as.p) {
        size_t cap = (size_t)vd->alen + 16;
        char *s = vs_arena_alloc(ar, cap);
        if (!s) return VS_ERR_NOMEM;
        p->score_name.p = (const uint8_t *)s;
        p->score_name.n = (size_t)snprintf(s, cap, "__%.*s_score", (int)vd->alen, (const char *)vd->alias);
    }
    return VS_OK;
}

/* The query vector of vector field vd from its blob (of the right size),
 * in the index's type: an aligned copy, finite float values, its inverse
 * norm for COSINE. */
static vs_status query_vector(const vs_fielddef *vd, vs_tok blob, vs_arena *ar, vs_vquery *out, vs_err *err) {
    vs_vspace sp;
    vs_vspace_init(&sp, &vd->vec);
    void *v = vs_arena_alloc(ar, sp.bytes);
    if (!v) return VS_ERR_NOMEM;
    memcpy(v, blob.p, sp.bytes);
    if (!vs_vquery_init(&sp, v, out))
        return vs_err_set(err, VS_ERR,
                          "Error parsing vector similarity parameters: query vector contains NaN or infinite values");
    return VS_OK;
}

static vs_status knn_vector(vs_search_plan *p, vs_tok blob, vs_arena *ar, vs_err *err) {
    return query_vector(&p->x->schema.fields[p->vfield], blob, ar, &p->vec, err);
}

/* ---- VECTOR_RANGE clauses (RediSearch's rules and texts) -------------------- */

#define VECSIM_PARAMS_ERR "Error parsing vector similarity parameters: "

static int tok_is(vs_tok t, const char *s) { return vs_eq_nocase(t.p, t.n, s); }

/* RediSearch's ParseBoolean: true/false, 1/0. */
static int parse_bool(vs_tok t) {
    return tok_is(t, "true") || tok_is(t, "false") || tok_is(t, "1") || tok_is(t, "0");
}

/* One clause: attributes (as RediSearch applies them while parsing), the
 * blob and radius (as its iterator checks them), then the vector library's
 * parameters ($EPSILON; $EF_RUNTIME, $HYBRID_POLICY, $BATCH_SIZE refused),
 * in that order; the first error wins. */
static vs_status resolve_range(vs_search_plan *p, opts *o, vs_qnode *nd, vs_arena *ar, vs_err *err) {
    vs_qrange *r = nd->range;
    const vs_fielddef *vd = &p->x->schema.fields[nd->field];
    vs_tok *val = r->nattrs ? vs_arena_alloc(ar, r->nattrs * sizeof *val) : NULL;
    if (r->nattrs && !val) return VS_ERR_NOMEM;
    vs_status st;
    r->epsilon = VS_RANGE_DEFAULT_EPSILON;
    for (uint32_t i = 0; i < r->nattrs; i++) {
        vs_tok name = r->attr_name[i];
        if ((st = subst(o, r->attr_val[i], &val[i], err)) != VS_OK) return st;
        vs_tok v = val[i];
        if (v.n == 0) return vs_err_set(err, VS_ERR, "Invalid value () for `%.*s`", TOKF(name));
        double d;
        long long ll;
        int ok = 1;
        if (tok_is(name, "YIELD_DISTANCE_AS")) {
            r->yield = v;
        } else if (tok_is(name, "WEIGHT")) {
            ok = vs_parse_double(v.p, v.n, &d) && d >= 0;
        } else if (tok_is(name, "SLOP")) {
            ok = vs_parse_ll(v.p, v.n, &ll) && ll >= -1;
        } else if (tok_is(name, "INORDER") || tok_is(name, "PHONETIC")) {
            ok = parse_bool(v);
        } else if (!tok_is(name, "EPSILON") && !tok_is(name, "EF_RUNTIME") && !tok_is(name, "HYBRID_POLICY") &&
                   !tok_is(name, "BATCH_SIZE")) {
            return vs_err_set(err, VS_ERR, "Invalid attribute %.*s", TOKF(name));
        }
        if (!ok) return vs_err_set(err, VS_ERR, "Invalid value (%.*s) for `%.*s`", TOKF(v), TOKF(name));
    }
    vs_tok blob, rad;
    if ((st = subst(o, r->blob_tok, &blob, err)) != VS_OK) return st;
    if ((st = subst(o, r->radius_tok, &rad, err)) != VS_OK) return st;
    double radius;
    if (!vs_parse_double(rad.p, rad.n, &radius) || isnan(radius))
        return vs_err_set(err, VS_ERR, "Invalid numeric value (%.*s) for parameter `%.*s`", TOKF(rad),
                          (int)r->radius_tok.n - 1, (const char *)r->radius_tok.p + 1);
    if (blob.n != vs_vector_bytes(&vd->vec))
        return vs_err_set(err, VS_ERR,
                          "Error parsing vector similarity query: query vector blob size (%zu) does not match "
                          "index's expected size (%zu).",
                          blob.n, vs_vector_bytes(&vd->vec));
    if (radius < 0)
        return vs_err_set(err, VS_ERR, "Error parsing vector similarity query: negative radius (%g) given in a range query",
                          radius);
    r->radius = radius > 3.4e38 ? INFINITY : (float)radius;
    int has_eps = 0;
    for (uint32_t i = 0; i < r->nattrs; i++) {
        vs_tok name = r->attr_name[i];
        if (tok_is(name, "EF_RUNTIME"))
            return vs_err_set(err, VS_ERR, VECSIM_PARAMS_ERR "Invalid option");
        if (tok_is(name, "HYBRID_POLICY") || tok_is(name, "BATCH_SIZE"))
            return vs_err_set(err, VS_ERR, VECSIM_PARAMS_ERR "hybrid query attributes were sent for a non-hybrid query");
        if (!tok_is(name, "EPSILON")) continue;
        if (vd->vec.algo != VS_ALGO_HNSW) return vs_err_set(err, VS_ERR, VECSIM_PARAMS_ERR "Invalid option");
        if (has_eps) return vs_err_set(err, VS_ERR, VECSIM_PARAMS_ERR "Parameter was specified twice");
        double e;
        if (!vs_parse_double(val[i].p, val[i].n, &e) || !(e > 0) || e > 3.4e38)
            return vs_err_set(err, VS_ERR, VECSIM_PARAMS_ERR "Invalid value was given");
        r->epsilon = (float)e;
        has_eps = 1;
    }
    return query_vector(vd, blob, ar, &r->vec, err);
}

static vs_status resolve_ranges(vs_search_plan *p, opts *o, vs_arena *ar, vs_err *err) {
    for (uint32_t i = 0; i < p->q.nrange; i++) {
        vs_status st = resolve_range(p, o, p->q.range[i], ar, err);
        if (st != VS_OK) return st;
    }
    return VS_OK;
}

/* Yielded names: not a schema attribute, not twice (the KNN score's
 * included). */
static vs_status check_yields(vs_search_plan *p, vs_err *err) {
    for (uint32_t i = 0; i < p->q.nrange; i++) {
        vs_tok y = p->q.range[i]->range->yield;
        if (!y.p) continue;
        if (vs_schema_field_by_alias(&p->x->schema, y.p, y.n) >= 0)
            return vs_err_set(err, VS_ERR, "Property `%.*s` already exists in schema", TOKF(y));
        int dup = p->q.knn.present && tok_eq(y, p->score_name);
        for (uint32_t j = 0; j < i && !dup; j++) {
            vs_tok z = p->q.range[j]->range->yield;
            dup = z.p && tok_eq(y, z);
        }
        if (dup) return vs_err_set(err, VS_ERR, "Property `%.*s` specified more than once", TOKF(y));
    }
    return VS_OK;
}

/* ---- the stage ----------------------------------------------------------- */

static vs_status check_sortby(vs_search_plan *p, const opts *o, vs_err *err) {
    if (!o->has_sortby) return VS_OK;
    for (uint32_t i = 0; i < p->q.nrange; i++) {
        vs_tok y = p->q.range[i]->range->yield;
        if (y.p && tok_eq(o->sortby, y)) { /* a yielded distance, either way */
            p->sort_range = i + 1;
            return VS_OK;
        }
    }
    if (p->q.knn.present && tok_eq(o->sortby, p->score_name)) {
        /* Ascending is the KNN order already; descending is refused. */
        if (p->sort_desc)
            return vs_err_set(err, VS_ERR, "SORTBY on `%.*s` is only supported in ascending order", TOKF(o->sortby));
        return VS_OK;
    }
    /* An attribute by its alias (AS name), as valkey-search's GetIdentifier. */
    p->sort_field = vs_schema_field_by_alias(&p->x->schema, o->sortby.p, o->sortby.n);
    if (p->sort_field < 0) return vs_err_set(err, VS_ERR, "Index field `%.*s` does not exist", TOKF(o->sortby));
    return VS_OK;
}

vs_status vs_search_parse(const vs_ftindex *x, const uint8_t *const *argv, const size_t *lens, int argc,
                          vs_arena *ar, vs_search_plan *p, vs_err *err) {
    memset(p, 0, sizeof *p);
    p->horizon = VS_NO_EXPIRE;
    p->x = x;
    p->num = 10;
    p->sort_field = -1;
    p->vfield = -1;
    p->max_dist = INFINITY;
    p->text.slop = -1;
    p->scorer = VS_SCORER_BM25STD;
    opts o;
    memset(&o, 0, sizeof o);
    o.dialect = 2;
    vs_args a = {argv, lens, 1, argc};
    vs_tok blob = {0};
    vs_status st = parse_options(&a, p, &o, ar, err);
    if (st == VS_OK) st = vs_query_parse_opts(argv[0], lens[0], &x->schema, &p->text, ar, &p->q, err);
    p->scored = p->q.ntext > 0 || p->withscores;
    if (st == VS_OK) st = resolve_ranges(p, &o, ar, err);
    if (st == VS_OK && p->q.knn.present) st = knn_field(p, err);
    if (st == VS_OK && p->q.knn.present) st = knn_params(p, &o, ar, &blob, err);
    if (st == VS_OK) st = check_yields(p, err);
    if (st == VS_OK && o.timeout > VS_SEARCH_MAX_TIMEOUT_MS)
        st = vs_err_set(err, VS_ERR, "TIMEOUT must be a positive integer greater than 0 and cannot exceed %d.",
                        VS_SEARCH_MAX_TIMEOUT_MS);
    if (st == VS_OK && (o.dialect < 2 || o.dialect > 4))
        st = vs_err_set(err, VS_ERR, "DIALECT requires a non negative integer >=2 and <= 4");
    for (uint32_t i = 0; st == VS_OK && i < o.nparams; i++)
        if (!o.pused[i]) st = vs_err_set(err, VS_ERR, "Parameter `%.*s` not used.", TOKF(o.pname[i]));
    if (st == VS_OK) st = check_sortby(p, &o, err);
    if (st == VS_OK && p->q.knn.present) st = knn_vector(p, blob, ar, err);
    return st;
}
