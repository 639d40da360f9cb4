/* aggregate_parse.c - FT.AGGREGATE's parse stage (aggregate.h): options,
 * LOAD, PARAMS and the stages into a plan, with valkey-search's error
 * texts.
 *
 * Three steps.  The arguments are read left to right first, stages kept
 * as the texts they hold (a malformed stage is reported there, prefixed
 * "Error parsing value for the parameter `KEYWORD` - " as valkey-search
 * prefixes every option's error).  The query string then goes through
 * FT.SEARCH's parse stage with the options the two commands share
 * (VERBATIM, INORDER, SLOP, and the PARAMS its KNN clause names), which
 * gives the KNN score name the stages may reference.  Last, every
 * expression is compiled in the order of the stages, which numbers the
 * record's slots as valkey-search numbers them, then DIALECT, TIMEOUT,
 * unused PARAMS and LOAD are checked in valkey-search's order.
 *
 * Invariants: nothing here reads or writes the store's documents; every
 * allocation is in the command's arena.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/args.h"
#include "base/util.h"
#include "query/aggregate.h"

#define TOKF(t) (int)(t).n, (const char *)(t).p

/* A REDUCE as written. */
typedef struct raw_red {
    int fn;
    vs_tok name;       /* as given */
    vs_tok arg[2];     /* the input; BY / quantile / sample size */
    uint32_t nargs;    /* the count given */
    int has_as;
    vs_tok as;
    int desc, has_dir;
} raw_red;

/* A stage as written. */
typedef struct raw_stage {
    vs_tok *groups;    /* GROUPBY names, '@' removed */
    raw_red *red;
    vs_tok *keys;      /* SORTBY expression texts */
} raw_stage;

typedef struct pctx {
    vs_agg_plan *p;
    const vs_ftindex *x;
    vs_arena *ar;
    vs_err *err;
    vs_tok *pname, *pval;
    uint8_t *pused;
    uint32_t np, capp;
    vs_tok *loads;
    uint32_t nloads, caploads;
    raw_stage *raw;    /* parallel to p->stage */
    uint32_t capstages;
    uint64_t dialect, timeout, slop;
    int has_slop, verbatim, inorder;
    int compiling_stage; /* index of the stage being compiled (resolver) */
} pctx;

/* Append to the text already in err (valkey-search's annotations). */
static vs_status err_append(vs_err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static vs_status err_append(vs_err *err, const char *fmt, ...) {
    size_t at = strlen(err->msg);
    va_list ap;
    va_start(ap, fmt);
    if (at < sizeof err->msg - 1) vsnprintf(err->msg + at, sizeof err->msg - at, fmt, ap);
    va_end(ap);
    return err->code;
}

static int tok_eq(vs_tok a, vs_tok b) { return a.n == b.n && (a.n == 0 || memcmp(a.p, b.p, a.n) == 0); }
static int tok_is(vs_tok a, const char *s) { return a.n == strlen(s) && memcmp(a.p, s, a.n) == 0; }

/* Grow an arena array (old contents copied). */
static void *grow(vs_arena *ar, void *old, uint32_t n, uint32_t *cap, size_t sz) {
    if (n < *cap) return old;
    uint32_t ncap = *cap ? *cap * 2 : 8;
    void *q = vs_arena_alloc(ar, (size_t)ncap * sz);
    if (!q) return NULL;
    if (n) memcpy(q, old, (size_t)n * sz);
    *cap = ncap;
    return q;
}

/* ---- slots (valkey-search's AddRecordAttribute / MakeReference) ---------- */

static int slot_find(const vs_agg_plan *p, vs_tok name) {
    for (uint32_t i = 0; i < p->nslots; i++)
        if (tok_eq(p->slot[i].name, name)) return (int)i;
    for (uint32_t i = 0; i < p->nslots; i++)
        if (tok_eq(p->slot[i].alias, name)) return (int)i;
    return -1;
}

static int slot_add(pctx *c, vs_tok name, vs_tok alias, int numeric) {
    vs_agg_plan *p = c->p;
    vs_agg_slot *s = grow(c->ar, p->slot, p->nslots, &p->capslots, sizeof *s);
    if (!s) return VS_ERR_NOMEM;
    p->slot = s;
    p->slot[p->nslots] = (vs_agg_slot){name, alias, numeric, 0};
    return (int)p->nslots++;
}

/* A reference to `name`: an existing slot, else (create) a new name, else
 * an index field of a type expressions read. */
static int make_ref(pctx *c, vs_tok name, int create, vs_err *err) {
    int s = slot_find(c->p, name);
    if (s >= 0) return s;
    const vs_schema *sc = &c->x->schema;
    int f = vs_schema_field_by_alias(sc, name.p, name.n);
    if (!create) {
        if (f < 0) return vs_err_set(err, VS_ERR, "Index field `%.*s` does not exist", TOKF(name));
        if (sc->fields[f].type == VS_FIELD_TEXT)
            return vs_err_set(err, VS_ERR, "Invalid data type for @%.*s", TOKF(name));
    }
    vs_tok ident = name;
    if (f >= 0) {
        ident.p = sc->fields[f].ident;
        ident.n = sc->fields[f].ilen;
        s = slot_find(c->p, ident);
        if (s >= 0) return s;
    }
    return slot_add(c, ident, name, !create && f >= 0 && sc->fields[f].type == VS_FIELD_NUMERIC);
}

static int resolve_cb(void *ctx, const uint8_t *name, size_t len, int create, vs_err *err) {
    vs_tok t = {name, len};
    return make_ref(ctx, t, create, err);
}

static int param_cb(void *ctx, const uint8_t *name, size_t len, const uint8_t **val, size_t *vlen) {
    pctx *c = ctx;
    vs_tok t = {name, len};
    for (uint32_t i = c->np; i-- > 0;) { /* a name given twice: the last wins */
        if (!tok_eq(c->pname[i], t)) continue;
        for (uint32_t j = 0; j < c->np; j++)
            if (tok_eq(c->pname[j], t)) c->pused[j] = 1;
        *val = c->pval[i].p;
        *vlen = c->pval[i].n;
        return 1;
    }
    return 0;
}

/* ---- the arguments, read left to right ------------------------------------ */

static vs_status new_stage(pctx *c, int kind, vs_tok kw, vs_agg_stage **out) {
    vs_agg_plan *p = c->p;
    uint32_t cap = c->capstages;
    vs_agg_stage *st = grow(c->ar, p->stage, p->nstages, &c->capstages, sizeof *st);
    if (!st) return VS_ERR_NOMEM;
    p->stage = st;
    uint32_t cap2 = cap;
    raw_stage *rs = grow(c->ar, c->raw, p->nstages, &cap2, sizeof *rs);
    if (!rs) return VS_ERR_NOMEM;
    c->raw = rs;
    memset(&p->stage[p->nstages], 0, sizeof *st);
    memset(&c->raw[p->nstages], 0, sizeof *rs);
    p->stage[p->nstages].kind = kind;
    p->stage[p->nstages].keyword = kw;
    p->stage[p->nstages].slot = -1;
    *out = &p->stage[p->nstages++];
    return VS_OK;
}

static vs_status opt_load(pctx *c, vs_args *a, vs_err *err) {
    vs_tok cnt;
    vs_status st = vs_args_next(a, &cnt.p, &cnt.n, err);
    if (st != VS_OK) return st;
    if (tok_is(cnt, "*")) {
        c->p->load_all = 1;
        return VS_OK;
    }
    uint64_t n;
    if ((st = vs_parse_u64_tok(cnt.p, cnt.n, UINT32_MAX, &n, err)) != VS_OK) return st;
    for (uint64_t i = 0; i < n; i++) {
        vs_tok f;
        if ((st = vs_args_next(a, &f.p, &f.n, err)) != VS_OK) return st;
        if (f.n == 0 || tok_is(f, "@")) return vs_err_set(err, VS_ERR, "Empty argument in LOAD clause not allowed");
        if (f.p[0] == '@') f.p++, f.n--;
        vs_tok *l = grow(c->ar, c->loads, c->nloads, &c->caploads, sizeof *l);
        if (!l) return VS_ERR_NOMEM;
        c->loads = l;
        c->loads[c->nloads++] = f;
    }
    return VS_OK;
}

static vs_status opt_params(pctx *c, vs_args *a, vs_err *err) {
    uint64_t cnt;
    vs_status st = vs_args_u64(a, UINT32_MAX, &cnt, err);
    if (st != VS_OK) return st;
    for (uint64_t i = 0; i < cnt; i += 2) {
        vs_tok name, val;
        if ((st = vs_args_next(a, &name.p, &name.n, err)) != VS_OK) return st;
        if ((st = vs_args_next(a, &val.p, &val.n, err)) != VS_OK) return st;
        for (size_t j = 0; j < name.n; j++) {
            uint8_t ch = name.p[j];
            int ok = (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_';
            if (!ok) return vs_err_set(err, VS_ERR, "Parameter name `%.*s` contains an invalid character.", TOKF(name));
        }
        uint32_t cap = c->capp, cap2 = c->capp;
        vs_tok *pn = grow(c->ar, c->pname, c->np, &cap, sizeof *pn);
        vs_tok *pv = grow(c->ar, c->pval, c->np, &cap2, sizeof *pv);
        uint8_t *pu = c->np < c->capp ? c->pused : vs_arena_alloc(c->ar, cap);
        if (!pn || !pv || !pu) return VS_ERR_NOMEM;
        if (pu != c->pused && c->np) memcpy(pu, c->pused, c->np);
        c->pname = pn, c->pval = pv, c->pused = pu, c->capp = cap;
        c->pname[c->np] = name;
        c->pval[c->np] = val;
        c->pused[c->np] = 0;
        c->np++;
    }
    return VS_OK;
}

static vs_status opt_apply(pctx *c, vs_args *a, vs_tok kw, vs_err *err) {
    vs_agg_stage *s;
    vs_status st = new_stage(c, VS_AGG_APPLY, kw, &s);
    if (st == VS_OK) st = vs_args_next(a, &s->text.p, &s->text.n, err);
    if (st != VS_OK) return st;
    if (!vs_args_take_if(a, "AS")) return vs_err_set(err, VS_ERR, "`AS` argument to APPLY clause is missing/invalid");
    return vs_args_next(a, &s->as.p, &s->as.n, err);
}

static vs_status opt_filter(pctx *c, vs_args *a, vs_tok kw, vs_err *err) {
    vs_agg_stage *s;
    vs_status st = new_stage(c, VS_AGG_FILTER, kw, &s);
    if (st == VS_OK) st = vs_args_next(a, &s->text.p, &s->text.n, err);
    return st;
}

static vs_status opt_limit(pctx *c, vs_args *a, vs_tok kw, vs_err *err) {
    vs_agg_stage *s;
    vs_status st = new_stage(c, VS_AGG_LIMIT, kw, &s);
    if (st == VS_OK) st = vs_args_u64(a, UINT64_MAX, &s->offset, err);
    if (st == VS_OK) st = vs_args_u64(a, UINT64_MAX, &s->num, err);
    return st;
}

static vs_status opt_sortby(pctx *c, vs_args *a, vs_tok kw, vs_err *err) {
    vs_agg_stage *s;
    uint64_t cnt;
    vs_status st = new_stage(c, VS_AGG_SORTBY, kw, &s);
    if (st == VS_OK) st = vs_args_u64(a, UINT32_MAX, &cnt, err);
    if (st != VS_OK) return st;
    raw_stage *rs = &c->raw[c->p->nstages - 1];
    s->max = VS_AGG_SORTBY_MAX;
    size_t room = cnt < (uint64_t)vs_args_left(a) ? (size_t)cnt : (size_t)vs_args_left(a);
    rs->keys = vs_arena_alloc(c->ar, (room ? room : 1) * sizeof *rs->keys);
    s->keys = vs_arena_alloc(c->ar, (room ? room : 1) * sizeof *s->keys);
    if (!rs->keys || !s->keys) return VS_ERR_NOMEM;
    for (uint64_t i = 0; i < cnt; i++) {
        vs_tok t;
        if ((st = vs_args_next(a, &t.p, &t.n, err)) != VS_OK) return err_append(err, ";  in SORTBY stage");
        int desc = 0;
        if (vs_args_take_if(a, "ASC"))
            i++;
        else if (vs_args_take_if(a, "DESC"))
            desc = 1, i++;
        rs->keys[s->nkeys] = t;
        s->keys[s->nkeys].desc = desc;
        s->keys[s->nkeys].e = NULL;
        s->nkeys++;
    }
    if (vs_args_take_if(a, "MAX")) st = vs_args_u64(a, UINT64_MAX, &s->max, err);
    return st;
}

static const struct {
    const char *name;
    int fn;
    uint32_t min, max;
} REDUCERS[] = {
    {"COUNT", VS_RED_COUNT, 0, 0},
    {"COUNT_DISTINCT", VS_RED_COUNT_DISTINCT, 1, 1},
    {"COUNT_DISTINCTISH", VS_RED_COUNT_DISTINCTISH, 1, 1},
    {"SUM", VS_RED_SUM, 1, 1},
    {"MIN", VS_RED_MIN, 1, 1},
    {"MAX", VS_RED_MAX, 1, 1},
    {"AVG", VS_RED_AVG, 1, 1},
    {"STDDEV", VS_RED_STDDEV, 1, 1},
    {"QUANTILE", VS_RED_QUANTILE, 2, 2},
    {"TOLIST", VS_RED_TOLIST, 1, 1},
    {"FIRST_VALUE", VS_RED_FIRST_VALUE, 1, 4},
    {"RANDOM_SAMPLE", VS_RED_RANDOM_SAMPLE, 2, 2},
};
#define NREDUCERS (sizeof REDUCERS / sizeof REDUCERS[0])

static const char *reducer_name(int fn) {
    for (size_t i = 0; i < NREDUCERS; i++)
        if (REDUCERS[i].fn == fn) return REDUCERS[i].name;
    return "?";
}

static vs_status parse_reduce(pctx *c, vs_args *a, raw_red *r, vs_err *err) {
    vs_status st = vs_args_next(a, &r->name.p, &r->name.n, err);
    if (st != VS_OK) return err_append(err, "; Missing Reducer name");
    size_t i = 0;
    for (; i < NREDUCERS; i++)
        if (vs_eq_nocase(r->name.p, r->name.n, REDUCERS[i].name)) break;
    if (i == NREDUCERS) return vs_err_set(err, VS_ERR, "reducer function `%.*s` not found", TOKF(r->name));
    r->fn = REDUCERS[i].fn;
    uint64_t cnt;
    if ((st = vs_args_u64(a, UINT32_MAX, &cnt, err)) != VS_OK) return st;
    int bad = cnt < REDUCERS[i].min || cnt > REDUCERS[i].max || (r->fn == VS_RED_FIRST_VALUE && cnt == 2);
    if (bad)
        return vs_err_set(err, VS_ERR, "incorrect number of arguments (%llu) to reducer %s", (unsigned long long)cnt,
                          REDUCERS[i].name);
    r->nargs = (uint32_t)cnt;
    if (r->fn == VS_RED_FIRST_VALUE) {
        if (cnt >= 1 && (st = vs_args_next(a, &r->arg[0].p, &r->arg[0].n, err)) != VS_OK)
            return err_append(err, "; Missing Reducer argument 0");
        if (cnt >= 3) {
            if (!vs_args_take_if(a, "BY")) return vs_err_set(err, VS_ERR, "FIRST_VALUE: expected BY keyword after field");
            if ((st = vs_args_next(a, &r->arg[1].p, &r->arg[1].n, err)) != VS_OK)
                return err_append(err, "; Missing sort field after BY");
        }
        if (cnt == 4) {
            r->has_dir = 1;
            if (vs_args_take_if(a, "DESC"))
                r->desc = 1;
            else if (!vs_args_take_if(a, "ASC"))
                return vs_err_set(err, VS_ERR, "FIRST_VALUE: expected ASC or DESC");
        }
    } else {
        for (uint32_t k = 0; k < r->nargs; k++)
            if ((st = vs_args_next(a, &r->arg[k].p, &r->arg[k].n, err)) != VS_OK)
                return err_append(err, "; Missing Reducer argument %u", k);
    }
    if (vs_args_take_if(a, "AS")) {
        r->has_as = 1;
        if ((st = vs_args_next(a, &r->as.p, &r->as.n, err)) != VS_OK) return err_append(err, "; Missing Reducer alias");
    }
    (void)c;
    return VS_OK;
}

static vs_status opt_groupby(pctx *c, vs_args *a, vs_tok kw, vs_err *err) {
    vs_agg_stage *s;
    uint64_t cnt;
    vs_status st = new_stage(c, VS_AGG_GROUPBY, kw, &s);
    if (st == VS_OK) st = vs_args_u64(a, UINT32_MAX, &cnt, err);
    if (st != VS_OK) return st;
    if (cnt == 0) return vs_err_set(err, VS_ERR, "Groupby requires arguments");
    raw_stage *rs = &c->raw[c->p->nstages - 1];
    if (cnt > (uint64_t)vs_args_left(a)) cnt = (uint64_t)vs_args_left(a) + 1; /* fails below, no huge allocation */
    rs->groups = vs_arena_alloc(c->ar, (size_t)cnt * sizeof *rs->groups);
    s->groups = vs_arena_alloc(c->ar, (size_t)cnt * sizeof *s->groups);
    if (!rs->groups || !s->groups) return VS_ERR_NOMEM;
    for (uint64_t i = 0; i < cnt; i++) {
        vs_tok g;
        if ((st = vs_args_next(a, &g.p, &g.n, err)) != VS_OK) return st;
        if (g.n == 0 || g.p[0] != '@') return vs_err_set(err, VS_ERR, "Group field reference must start with '@'");
        g.p++, g.n--;
        rs->groups[s->ngroups++] = g;
    }
    uint32_t cap = 0;
    while (vs_args_take_if(a, "REDUCE")) {
        raw_red *r = grow(c->ar, rs->red, s->nred, &cap, sizeof *r);
        if (!r) return VS_ERR_NOMEM;
        rs->red = r;
        memset(&rs->red[s->nred], 0, sizeof *r);
        if ((st = parse_reduce(c, a, &rs->red[s->nred], err)) != VS_OK) return st;
        s->nred++;
    }
    if (s->nred) {
        s->red = vs_arena_alloc(c->ar, s->nred * sizeof *s->red);
        if (!s->red) return VS_ERR_NOMEM;
        memset(s->red, 0, s->nred * sizeof *s->red);
    }
    return VS_OK;
}

static vs_status read_args(pctx *c, vs_args *a, vs_err *err) {
    while (vs_args_left(a) > 0) {
        vs_tok kw = {a->argv[a->pos], a->len[a->pos]};
        a->pos++;
        vs_status st = VS_OK;
        if (vs_eq_nocase(kw.p, kw.n, "DIALECT")) {
            st = vs_args_u64(a, UINT32_MAX, &c->dialect, err);
        } else if (vs_eq_nocase(kw.p, kw.n, "TIMEOUT")) {
            st = vs_args_u64(a, UINT32_MAX, &c->timeout, err);
        } else if (vs_eq_nocase(kw.p, kw.n, "ADDSCORES")) {
            /* accepted, as valkey-search does, with no effect */
        } else if (vs_eq_nocase(kw.p, kw.n, "SLOP")) {
            st = vs_args_u64(a, UINT32_MAX, &c->slop, err);
            c->has_slop = 1;
        } else if (vs_eq_nocase(kw.p, kw.n, "INORDER")) {
            c->inorder = 1;
        } else if (vs_eq_nocase(kw.p, kw.n, "VERBATIM")) {
            c->verbatim = 1;
        } else if (vs_eq_nocase(kw.p, kw.n, "LOAD")) {
            st = opt_load(c, a, err);
        } else if (vs_eq_nocase(kw.p, kw.n, "APPLY")) {
            st = opt_apply(c, a, kw, err);
        } else if (vs_eq_nocase(kw.p, kw.n, "FILTER")) {
            st = opt_filter(c, a, kw, err);
        } else if (vs_eq_nocase(kw.p, kw.n, "GROUPBY")) {
            st = opt_groupby(c, a, kw, err);
        } else if (vs_eq_nocase(kw.p, kw.n, "LIMIT")) {
            st = opt_limit(c, a, kw, err);
        } else if (vs_eq_nocase(kw.p, kw.n, "PARAMS")) {
            st = opt_params(c, a, err);
        } else if (vs_eq_nocase(kw.p, kw.n, "SORTBY")) {
            st = opt_sortby(c, a, kw, err);
        } else {
            return vs_err_set(err, VS_ERR, "Unexpected argument `%.*s`", TOKF(kw));
        }
        if (st == VS_ERR_NOMEM) return st;
        if (st != VS_OK) return vs_err_prepend(err, "Error parsing value for the parameter `%.*s` - ", TOKF(kw));
    }
    return VS_OK;
}

/* ---- the query: FT.SEARCH's parse stage ---------------------------------- */

/* Is token t "$name" for a parameter name given? */
static void mark_knn_param(pctx *c, vs_tok t, uint8_t *want) {
    if (!t.p || t.n < 1 || t.p[0] != '$') return;
    vs_tok name = {t.p + 1, t.n - 1};
    for (uint32_t i = c->np; i-- > 0;)
        if (tok_eq(c->pname[i], name)) {
            want[i] = 1; /* the last definition of a name is the one passed */
            return;
        }
}

static vs_status parse_query(pctx *c, const uint8_t *q, size_t qn, vs_err *err) {
    /* The PARAMS the KNN clause names go to FT.SEARCH's parser (which
     * refuses unused ones); the rest are for the expressions. */
    uint8_t *want = vs_arena_alloc(c->ar, c->np + 1);
    if (!want) return VS_ERR_NOMEM;
    memset(want, 0, c->np + 1);
    vs_query_opts qo;
    memset(&qo, 0, sizeof qo);
    qo.verbatim = c->verbatim;
    qo.inorder = c->inorder;
    qo.slop = c->has_slop ? (c->slop > INT32_MAX ? INT32_MAX : (int32_t)c->slop) : -1;
    vs_query probe;
    vs_err perr = {0};
    vs_status st = vs_query_parse_opts(q, qn, &c->x->schema, &qo, c->ar, &probe, &perr);
    if (st == VS_ERR_NOMEM) return st;
    if (st == VS_OK && probe.knn.present) {
        mark_knn_param(c, probe.knn.k, want);
        mark_knn_param(c, probe.knn.blob, want);
        mark_knn_param(c, probe.knn.ef, want);
        mark_knn_param(c, probe.knn.as, want);
    }
    for (uint32_t i = 0; st == VS_OK && i < probe.nrange; i++) { /* VECTOR_RANGE clauses' too */
        const vs_qrange *r = probe.range[i]->range;
        mark_knn_param(c, r->radius_tok, want);
        mark_knn_param(c, r->blob_tok, want);
        for (uint32_t j = 0; j < r->nattrs; j++) mark_knn_param(c, r->attr_val[j], want);
    }
    uint32_t npass = 0;
    for (uint32_t i = 0; i < c->np; i++) npass += want[i];
    int argc = 1 + c->verbatim + c->inorder + (c->has_slop ? 2 : 0) + (npass ? 2 + 2 * (int)npass : 0);
    const uint8_t **argv = vs_arena_alloc(c->ar, (size_t)argc * sizeof *argv);
    size_t *lens = vs_arena_alloc(c->ar, (size_t)argc * sizeof *lens);
    char *num = vs_arena_alloc(c->ar, 48);
    if (!argv || !lens || !num) return VS_ERR_NOMEM;
    int k = 0;
#define PUSH(P, N) (argv[k] = (const uint8_t *)(P), lens[k] = (N), k++)
    PUSH(q, qn);
    if (c->verbatim) PUSH("VERBATIM", 8);
    if (c->inorder) PUSH("INORDER", 7);
    if (c->has_slop) {
        PUSH("SLOP", 4);
        int n = snprintf(num, 24, "%llu", (unsigned long long)c->slop);
        PUSH(num, (size_t)n);
    }
    if (npass) {
        PUSH("PARAMS", 6);
        int n = snprintf(num + 24, 24, "%u", 2 * npass);
        PUSH(num + 24, (size_t)n);
        for (uint32_t i = 0; i < c->np; i++) {
            if (!want[i]) continue;
            PUSH(c->pname[i].p, c->pname[i].n);
            PUSH(c->pval[i].p, c->pval[i].n);
            for (uint32_t j = 0; j < c->np; j++)
                if (tok_eq(c->pname[j], c->pname[i])) c->pused[j] = 1;
        }
    }
#undef PUSH
    st = vs_search_parse(c->x, argv, lens, k, c->ar, &c->p->sp, err);
    if (st != VS_OK) return st;
    c->p->sp.offset = 0;
    c->p->sp.num = UINT64_MAX;
    return VS_OK;
}

/* ---- compiling the stages ------------------------------------------------- */

static vs_status compile(pctx *c, vs_tok text, const vs_expr **out, vs_err *err) {
    return vs_expr_compile(text.p, text.n, resolve_cb, param_cb, c, c->ar, out, err);
}

/* REDUCE's output name without AS: valkey-search's "FN(arg,...)". */
static vs_status default_name(pctx *c, const raw_red *r, vs_tok *out) {
    const char *fn = reducer_name(r->fn);
    size_t n = strlen(fn) + 2 + r->arg[0].n + r->arg[1].n + 8;
    char *s = vs_arena_alloc(c->ar, n);
    if (!s) return VS_ERR_NOMEM;
    size_t at = 0;
    memcpy(s, fn, strlen(fn));
    at += strlen(fn);
    s[at++] = '(';
    uint32_t shown = r->fn == VS_RED_FIRST_VALUE ? (r->nargs >= 3 ? 2 : 1) : r->nargs;
    for (uint32_t i = 0; i < shown; i++) {
        if (i) s[at++] = ',';
        if (r->arg[i].n) memcpy(s + at, r->arg[i].p, r->arg[i].n);
        at += r->arg[i].n;
    }
    if (r->has_dir) {
        const char *d = r->desc ? ",DESC" : ",ASC";
        memcpy(s + at, d, strlen(d));
        at += strlen(d);
    }
    s[at++] = ')';
    out->p = (const uint8_t *)s;
    out->n = at;
    return VS_OK;
}

static vs_status compile_reducer(pctx *c, const raw_red *rr, vs_agg_reducer *r, vs_err *err) {
    r->fn = rr->fn;
    vs_status st = VS_OK;
    const char *where = rr->fn == VS_RED_FIRST_VALUE ? ";  in FIRST_VALUE reducer" : ";  in GROUPBY stage";
    if (rr->fn != VS_RED_COUNT && (st = compile(c, rr->arg[0], &r->arg, err)) != VS_OK)
        return st == VS_ERR_NOMEM ? st : err_append(err, "%s", where);
    if (rr->fn == VS_RED_FIRST_VALUE && rr->nargs >= 3) {
        if ((st = compile(c, rr->arg[1], &r->by, err)) != VS_OK)
            return st == VS_ERR_NOMEM ? st : err_append(err, "%s", where);
        r->desc = rr->desc;
    }
    if (rr->fn == VS_RED_QUANTILE) {
        double q;
        if (!vs_parse_double(rr->arg[1].p, rr->arg[1].n, &q) || !(q >= 0 && q <= 1))
            return vs_err_set(err, VS_ERR, "Quantile must be between 0 and 1");
        r->quantile = q;
    }
    if (rr->fn == VS_RED_RANDOM_SAMPLE) {
        uint64_t n;
        if (vs_parse_u64_tok(rr->arg[1].p, rr->arg[1].n, UINT64_MAX, &n, err) != VS_OK || n == 0 ||
            n > VS_AGG_SAMPLE_MAX)
            return vs_err_set(err, VS_ERR, "Sample size must be a number between 1 and %d", VS_AGG_SAMPLE_MAX);
        r->sample = (uint32_t)n;
    }
    vs_tok name = rr->as;
    /* without AS: "FN(args)" before 1.3.0 (its "__generated_alias..." name
     * is past the releases emulated here: always the legacy one, counted) */
    if (!rr->has_as && !vs_compat_fixed(c->p->compat, VS_COMPAT_AGGREGATE_REDUCER_DEFAULT_ALIAS) &&
        (st = default_name(c, rr, &name)) != VS_OK)
        return st;
    int s = make_ref(c, name, 1, err);
    if (s < 0) return s;
    r->out = s;
    return VS_OK;
}

static vs_status compile_stage(pctx *c, uint32_t i, vs_err *err) {
    vs_agg_stage *s = &c->p->stage[i];
    raw_stage *rs = &c->raw[i];
    vs_status st = VS_OK;
    switch (s->kind) {
    case VS_AGG_APPLY:
        if ((st = compile(c, s->text, &s->expr, err)) != VS_OK) return st;
        s->slot = make_ref(c, s->as, 1, err);
        return s->slot < 0 ? s->slot : VS_OK;
    case VS_AGG_FILTER:
        return compile(c, s->text, &s->expr, err);
    case VS_AGG_SORTBY:
        for (uint32_t k = 0; k < s->nkeys; k++)
            if ((st = compile(c, rs->keys[k], &s->keys[k].e, err)) != VS_OK)
                return st == VS_ERR_NOMEM ? st : err_append(err, ";  in SORTBY stage");
        return VS_OK;
    case VS_AGG_GROUPBY:
        for (uint32_t g = 0; g < s->ngroups; g++) {
            int slot = make_ref(c, rs->groups[g], 0, err);
            if (slot < 0) return slot;
            s->groups[g] = slot;
        }
        for (uint32_t r = 0; r < s->nred; r++)
            if ((st = compile_reducer(c, &rs->red[r], &s->red[r], err)) != VS_OK) return st;
        return VS_OK;
    default:
        return VS_OK;
    }
}

/* LOAD's fields become loaded slots (valkey-search's return list). */
static vs_status resolve_loads(pctx *c, vs_err *err) {
    vs_agg_plan *p = c->p;
    if (p->load_all) return VS_OK;
    const vs_schema *sc = &c->x->schema;
    for (uint32_t i = 0; i < c->nloads; i++) {
        vs_tok l = c->loads[i];
        if (tok_is(l, "__key")) {
            p->load_key = 1;
            continue;
        }
        if (p->sp.q.knn.present && tok_eq(l, p->sp.score_name)) continue;
        int f = vs_schema_field_by_alias(sc, l.p, l.n);
        if (f < 0) return vs_err_set(err, VS_ERR, "Index field `%.*s` does not exist", TOKF(l));
        if (sc->fields[f].type == VS_FIELD_VECTOR)
            return vs_err_set(err, VS_ERR, "Loading of vector fields is not supported (field `%.*s`)", TOKF(l));
        vs_tok ident = {sc->fields[f].ident, sc->fields[f].ilen};
        int s = slot_find(p, ident);
        if (s < 0) s = slot_find(p, l);
        if (s < 0) s = slot_add(c, ident, l, sc->fields[f].type == VS_FIELD_NUMERIC);
        if (s < 0) return s;
        p->slot[s].loaded = 1;
    }
    return VS_OK;
}

vs_status vs_agg_parse(const vs_ftindex *x, const uint8_t *const *argv, const size_t *lens, int argc, vs_arena *ar,
                       vs_compat *compat, vs_agg_plan *p, vs_err *err) {
    memset(p, 0, sizeof *p);
    p->compat = compat;
    pctx c;
    memset(&c, 0, sizeof c);
    c.p = p;
    c.x = x;
    c.ar = ar;
    c.err = err;
    c.dialect = 2;
    vs_args a = {argv, lens, 1, argc};
    vs_status st = read_args(&c, &a, err);
    if (st == VS_OK) st = parse_query(&c, argv[0], lens[0], err);
    /* slot 0 __key, slot 1 the score name, as valkey-search numbers them */
    vs_tok key = {(const uint8_t *)"__key", 5};
    if (st == VS_OK && slot_add(&c, key, key, 0) < 0) st = VS_ERR_NOMEM;
    vs_tok score = p->sp.q.knn.present ? p->sp.score_name : (vs_tok){(const uint8_t *)"", 0};
    if (st == VS_OK && slot_add(&c, score, score, 0) < 0) st = VS_ERR_NOMEM;
    for (uint32_t i = 0; st == VS_OK && i < p->nstages; i++) {
        st = compile_stage(&c, i, err);
        if (st != VS_OK && st != VS_ERR_NOMEM)
            vs_err_prepend(err, "Error parsing value for the parameter `%.*s` - ", TOKF(p->stage[i].keyword));
    }
    if (st == VS_OK && (c.dialect < 2 || c.dialect > 4))
        st = vs_err_set(err, VS_ERR, "Only Dialects 2, 3 and 4 are supported");
    if (st == VS_OK && c.timeout > VS_SEARCH_MAX_TIMEOUT_MS)
        st = vs_err_set(err, VS_ERR, "TIMEOUT must be a positive integer greater than 0 and cannot exceed %d.",
                        VS_SEARCH_MAX_TIMEOUT_MS);
    for (uint32_t i = 0; st == VS_OK && i < c.np; i++)
        if (!c.pused[i]) st = vs_err_set(err, VS_ERR, "Parameter `%.*s` not used.", TOKF(c.pname[i]));
    if (st == VS_OK) st = resolve_loads(&c, err);
    /* A leading LIMIT is the search's own slice (valkey-search's
     * serialization range): the documents before it are never read. */
    if (st == VS_OK && p->nstages && p->stage[0].kind == VS_AGG_LIMIT) {
        p->sp.offset = p->stage[0].offset;
        p->sp.num = p->stage[0].num;
        p->first = 1;
    }
    return st;
}
