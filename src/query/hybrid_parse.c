/* hybrid_parse.c - FT.HYBRID's parse stage (hybrid.h): the arguments into
 * a plan, with Redis 8.4's syntax, defaults and error texts.
 *
 *   [2] SEARCH query [SCORER s] [YIELD_SCORE_AS a]
 *   VSIM @field $param [KNN n K k [EF_RUNTIME e] [SHARD_K_RATIO r]
 *                      | RANGE n RADIUS r [EPSILON e]]
 *        [FILTER n expr [POLICY ADHOC|BATCHES] [BATCH_SIZE b] | FILTER expr]
 *        [YIELD_SCORE_AS a]
 *   then, in any order: COMBINE RRF n [CONSTANT c] [WINDOW w] [YIELD_SCORE_AS a]
 *   | COMBINE LINEAR n [ALPHA a BETA b] [WINDOW w] [YIELD_SCORE_AS a],
 *   LOAD n @f [AS o] ... | LOAD *, SORTBY n @f [ASC|DESC] ..., NOSORT,
 *   LIMIT offset num, PARAMS n name value ..., TIMEOUT t, FORMAT STRING|EXPAND
 *
 * Checks run in Redis's order: the syntax left to right (the first error
 * wins), then the SEARCH query, the vector field, the FILTER query, the
 * vector parameter and its blob.  The sub-searches are built with FT.SEARCH's
 * parse stage (search.h), so their query errors are FT.SEARCH's.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "base/args.h"
#include "base/util.h"
#include "index/vector.h"
#include "query/hybrid.h"

#define TOKF(t) (int)(t).n, (const char *)(t).p
#define DIALECT_MSG \
    "DIALECT is not supported in FT.HYBRID or any of its subqueries. Please check the documentation on " \
    "search-default-dialect configuration."
#define PREFIX_MSG "Missing prefix: name requires '@' prefix, JSON path require '$' prefix, got: %.*s in %s"

/* RediSearch's argument-cursor results and their texts. */
enum { A_OK = 0, A_PARSE, A_LIMIT, A_NOARG };
static const char *a_text(int rc) {
    switch (rc) {
    case A_LIMIT: return "Value is outside acceptable bounds";
    case A_NOARG: return "Expected an argument, but none provided";
    default: return "Could not convert argument to expected type";
    }
}

static int tok_eq(vs_tok a, vs_tok b) { return a.n == b.n && memcmp(a.p, b.p, a.n) == 0; }
static int tok_is(vs_tok t, const char *s) { return t.n == strlen(s) && memcmp(t.p, s, t.n) == 0; }

static vs_tok peek(const vs_args *a) {
    vs_tok t = {NULL, 0};
    if (a->pos < a->end) {
        t.p = a->argv[a->pos];
        t.n = a->len[a->pos];
    }
    return t;
}

static vs_tok take(vs_args *a) {
    vs_tok t = peek(a);
    a->pos++;
    return t;
}

/* An integer as RediSearch reads one: strict decimal, or a double with
 * an integral value. */
static int tok_ll(vs_tok t, long long *out) {
    if (vs_parse_ll(t.p, t.n, out)) return A_OK;
    double d;
    if (!vs_parse_double(t.p, t.n, &d) || !isfinite(d)) return A_PARSE;
    /* Past the range of long long every double is integral: a number out
     * of every limit (converting it would be undefined). */
    if (d < -9223372036854775808.0 || d >= 9223372036854775808.0) return A_LIMIT;
    if (d != (double)(long long)d) return A_PARSE;
    *out = (long long)d;
    return A_OK;
}

/* Next argument as an integer in [lo, hi] (advances only on success). */
static int get_ll(vs_args *a, long long lo, long long hi, long long *out) {
    if (a->pos >= a->end) return A_NOARG;
    long long v;
    int rc = tok_ll(peek(a), &v);
    if (rc != A_OK) return rc;
    if (v < lo || v > hi) return A_LIMIT;
    a->pos++;
    *out = v;
    return A_OK;
}

static int get_double(vs_args *a, double *out) {
    if (a->pos >= a->end) return A_NOARG;
    vs_tok t = peek(a);
    if (!vs_parse_double(t.p, t.n, out)) return A_PARSE;
    a->pos++;
    return A_OK;
}

/* A slice of the next n arguments as its own cursor. */
static int get_slice(vs_args *a, long long n, vs_args *s) {
    if (n > vs_args_left(a)) return A_NOARG;
    *s = (vs_args){a->argv, a->len, a->pos, a->pos + (int)n};
    a->pos += (int)n;
    return A_OK;
}

/* ---- SEARCH --------------------------------------------------------------- */

static vs_status parse_count(vs_args *a, vs_err *err) {
    if (a->pos >= a->end) return vs_err_set(err, VS_ERR, "Missing subqueries count for FT.HYBRID");
    long long n;
    if (get_ll(a, 1, UINT32_MAX, &n) == A_OK) {
        if (n != 2) return vs_err_set(err, VS_ERR, "FT.HYBRID currently supports only two subqueries");
        if (!vs_args_take_if(a, "SEARCH")) return vs_err_set(err, VS_ERR, "SEARCH keyword is required");
    } else if (!vs_args_take_if(a, "SEARCH")) {
        return vs_err_set(err, VS_ERR, "Invalid subqueries count: expected an unsigned integer");
    }
    return VS_OK;
}

static vs_status parse_search(vs_args *a, vs_hybrid_plan *p, vs_err *err) {
    if (a->pos >= a->end) return vs_err_set(err, VS_ERR, "No query string provided for SEARCH");
    p->query = take(a);
    while (a->pos < a->end) {
        vs_tok *dst = NULL;
        const char *name = NULL;
        if (vs_args_take_if(a, "SCORER")) {
            dst = &p->scorer;
            name = "SCORER";
        } else if (vs_args_take_if(a, "YIELD_SCORE_AS")) {
            dst = &p->text_alias;
            name = "YIELD_SCORE_AS";
        } else if (vs_args_peek_is(a, "VSIM")) {
            break;
        } else if (vs_args_peek_is(a, "DIALECT")) {
            return vs_err_set(err, VS_ERR, DIALECT_MSG);
        } else {
            return vs_err_set(err, VS_ERR, "Unknown argument `%.*s` in SEARCH", TOKF(peek(a)));
        }
        if (a->pos >= a->end)
            return vs_err_set(err, VS_ERR, "Bad arguments for %s: %s", name, a_text(A_NOARG));
        *dst = take(a);
    }
    return VS_OK;
}

/* ---- VSIM ----------------------------------------------------------------- */

/* The n of "KNN n ..." / "RANGE n ...". */
static vs_status pair_count(vs_args *a, long long *n, vs_err *err) {
    if (a->pos >= a->end) return vs_err_set(err, VS_ERR, "Missing argument count");
    if (get_ll(a, 0, UINT32_MAX, n) != A_OK)
        return vs_err_set(err, VS_ERR, "Invalid argument count: expected an unsigned integer");
    if (*n == 0 || *n % 2)
        return vs_err_set(err, VS_ERR, "Invalid argument count: %lld (must be a positive even number for key/value pairs)",
                          *n);
    return VS_OK;
}

static vs_status missing_value(vs_args *a, const char *name, vs_err *err) {
    if (a->pos < a->end) return VS_OK;
    return vs_err_set(err, VS_ERR, "Missing argument value for %s", name);
}

static vs_status expected_args(long long n, long long i, vs_err *err) {
    return vs_err_set(err, VS_ERR, "Expected arguments %lld, but %lld %s provided", n, i, i == 1 ? "was" : "were");
}

static vs_status parse_knn(vs_args *a, vs_hybrid_plan *p, vs_err *err) {
    long long n;
    vs_status st = pair_count(a, &n, err);
    if (st != VS_OK) return st;
    int has_k = 0, has_ef = 0, has_ratio = 0;
    for (long long i = 0; i < n; i += 2) {
        if (a->pos >= a->end) return expected_args(n, i, err);
        long long v;
        if (vs_args_take_if(a, "K")) {
            if (has_k) return vs_err_set(err, VS_ERR, "Duplicate K argument");
            if ((st = missing_value(a, "K", err)) != VS_OK) return st;
            if (get_ll(a, 1, LLONG_MAX, &v) != A_OK) return vs_err_set(err, VS_ERR, "Invalid K value");
            p->k = (uint64_t)v;
            has_k = 1;
        } else if (vs_args_take_if(a, "EF_RUNTIME")) {
            if (has_ef) return vs_err_set(err, VS_ERR, "Duplicate EF_RUNTIME argument");
            if ((st = missing_value(a, "EF_RUNTIME", err)) != VS_OK) return st;
            if (get_ll(a, 1, LLONG_MAX, &v) != A_OK) return vs_err_set(err, VS_ERR, "Invalid EF_RUNTIME value");
            p->ef = (uint64_t)v;
            has_ef = 1;
        } else if (vs_args_take_if(a, "SHARD_K_RATIO")) {
            /* One shard holds everything: validated, then of no effect. */
            if (has_ratio) return vs_err_set(err, VS_ERR, "Duplicate SHARD_K_RATIO argument");
            if ((st = missing_value(a, "SHARD_K_RATIO", err)) != VS_OK) return st;
            vs_tok t = take(a);
            double r;
            if (!vs_parse_double(t.p, t.n, &r))
                return vs_err_set(err, VS_ERR, "Invalid shard k ratio value '%.*s'", TOKF(t));
            if (!(r > 0 && r <= 1))
                return vs_err_set(err, VS_ERR,
                                  "Invalid shard k ratio value: Shard k ratio must be greater than 0 and at most 1 "
                                  "(got %g)",
                                  r);
            has_ratio = 1;
        } else {
            return vs_err_set(err, VS_ERR, "Unknown argument `%.*s` in KNN", TOKF(peek(a)));
        }
    }
    if (!has_k) return vs_err_set(err, VS_ERR, "Missing required argument K");
    return VS_OK;
}

static vs_status parse_range(vs_args *a, vs_hybrid_plan *p, vs_err *err) {
    long long n;
    vs_status st = pair_count(a, &n, err);
    if (st != VS_OK) return st;
    int has_radius = 0, has_eps = 0;
    for (long long i = 0; i < n; i += 2) {
        if (a->pos >= a->end) return expected_args(n, i, err);
        double v;
        if (vs_args_take_if(a, "RADIUS")) {
            if (has_radius) return vs_err_set(err, VS_ERR, "Duplicate RADIUS argument");
            if ((st = missing_value(a, "RADIUS", err)) != VS_OK) return st;
            if (get_double(a, &v) != A_OK || v < 0) return vs_err_set(err, VS_ERR, "Invalid RADIUS value");
            p->radius = v;
            has_radius = 1;
        } else if (vs_args_take_if(a, "EPSILON")) {
            if (has_eps) return vs_err_set(err, VS_ERR, "Duplicate EPSILON argument");
            if ((st = missing_value(a, "EPSILON", err)) != VS_OK) return st;
            if (get_double(a, &v) != A_OK || v <= 0) return vs_err_set(err, VS_ERR, "Invalid EPSILON value");
            p->epsilon = v;
            has_eps = 1;
        } else {
            return vs_err_set(err, VS_ERR, "Unknown argument `%.*s` in RANGE", TOKF(peek(a)));
        }
    }
    if (!has_radius) return vs_err_set(err, VS_ERR, "Missing required argument RADIUS");
    return VS_OK;
}

/* FILTER n expr [POLICY ADHOC|BATCHES] [BATCH_SIZE b]: the policy is a
 * graph-search tuning that this engine's planner decides itself, so it is
 * validated and has no effect. */
static vs_status parse_filter(vs_args *a, vs_hybrid_plan *p, vs_err *err) {
    if (a->pos >= a->end) return vs_err_set(err, VS_ERR, "Missing argument count for FILTER");
    long long n;
    if (get_ll(a, 0, LLONG_MAX, &n) != A_OK) {
        p->filter = take(a); /* FILTER expr, without a count */
        return VS_OK;
    }
    vs_args s;
    if (get_slice(a, n, &s) != A_OK)
        return vs_err_set(err, VS_ERR, "Not enough arguments in FILTER, specified %lld but provided only %d", n,
                          vs_args_left(a));
    if (s.pos >= s.end) return vs_err_set(err, VS_ERR, "Missing filter-expression for FILTER");
    p->filter = take(&s);
    int policy = 0, batches = 0, has_batch = 0; /* policy 1 ADHOC, 2 BATCHES */
    while (s.pos < s.end) {
        if (vs_args_take_if(&s, "POLICY")) {
            if (policy) return vs_err_set(err, VS_ERR, "POLICY: Argument specified multiple times");
            if (s.pos >= s.end) return vs_err_set(err, VS_ERR, "POLICY: %s", a_text(A_NOARG));
            vs_tok v = take(&s);
            if (vs_eq_nocase(v.p, v.n, "ADHOC"))
                policy = 1;
            else if (vs_eq_nocase(v.p, v.n, "BATCHES"))
                policy = batches = 2;
            else
                return vs_err_set(err, VS_ERR, "POLICY: Invalid value for argument");
        } else if (vs_args_take_if(&s, "BATCH_SIZE")) {
            if (has_batch) return vs_err_set(err, VS_ERR, "BATCH_SIZE: Argument specified multiple times");
            if (s.pos >= s.end) return vs_err_set(err, VS_ERR, "BATCH_SIZE: %s", a_text(A_NOARG));
            long long b;
            if (get_ll(&s, 1, LLONG_MAX, &b) != A_OK)
                return vs_err_set(err, VS_ERR, "Error parsing vector similarity parameters: Invalid BATCH_SIZE value");
            has_batch = 1;
        } else {
            return vs_err_set(err, VS_ERR, "%.*s: Unknown argument", TOKF(peek(&s)));
        }
    }
    if (has_batch && policy == 1)
        return vs_err_set(err, VS_ERR,
                          "Error parsing vector similarity parameters: 'batch size' is irrelevant for the selected "
                          "policy");
    (void)batches;
    return VS_OK;
}

static vs_status parse_vsim(vs_args *a, vs_hybrid_plan *p, vs_err *err) {
    if (!vs_args_take_if(a, "VSIM")) return vs_err_set(err, VS_ERR, "VSIM argument is required");
    if (a->pos >= a->end) return vs_err_set(err, VS_ERR, "Missing vector field name");
    vs_tok f = take(a);
    if (f.n == 0 || f.p[0] != '@') return vs_err_set(err, VS_ERR, "Missing @ prefix for vector field name");
    p->vfield_name = (vs_tok){f.p + 1, f.n - 1};
    if (a->pos >= a->end) return vs_err_set(err, VS_ERR, "Missing vector argument");
    vs_tok v = take(a);
    if (v.n == 0 || v.p[0] != '$')
        return vs_err_set(err, VS_ERR, "Invalid vector argument, expected a parameter name starting with $");
    p->vparam = (vs_tok){v.p + 1, v.n - 1};
    p->k = VS_HYBRID_DEFAULT_K;
    if (a->pos >= a->end) return VS_OK;
    vs_status st = VS_OK;
    if (vs_args_take_if(a, "KNN"))
        st = parse_knn(a, p, err);
    else if (vs_args_take_if(a, "RANGE")) {
        p->range = 1;
        st = parse_range(a, p, err);
    }
    if (st == VS_OK && vs_args_take_if(a, "FILTER")) st = parse_filter(a, p, err);
    while (st == VS_OK && vs_args_take_if(a, "YIELD_SCORE_AS")) {
        if (p->vector_alias.p) return vs_err_set(err, VS_ERR, "Duplicate YIELD_SCORE_AS argument");
        if (a->pos >= a->end) return vs_err_set(err, VS_ERR, "Missing argument value for YIELD_SCORE_AS");
        p->vector_alias = take(a);
    }
    if (st == VS_OK && vs_args_peek_is(a, "DIALECT")) return vs_err_set(err, VS_ERR, DIALECT_MSG);
    return st;
}

/* ---- COMBINE ---------------------------------------------------------------- */

/* "n key value ..." of RRF / LINEAR into a slice. */
static vs_status clause_args(vs_args *a, const char *clause, vs_args *s, vs_err *err) {
    long long n;
    int rc = get_ll(a, 0, UINT32_MAX, &n);
    if (rc == A_NOARG) return vs_err_set(err, VS_ERR, "Missing %s argument count", clause);
    if (rc != A_OK) return vs_err_set(err, VS_ERR, "Invalid %s argument count, error: %s", clause, a_text(rc));
    if (n == 0)
        return vs_err_set(err, VS_ERR,
                          "Explicitly specifying %s requires at least one argument, argument count must be positive",
                          clause);
    if (n % 2)
        return vs_err_set(err, VS_ERR,
                          "%s expects pairs of key value arguments, argument count must be an even number", clause);
    if (get_slice(a, n, s) != A_OK)
        return vs_err_set(err, VS_ERR, "Not enough arguments in %s, specified %lld but provided only %d", clause, n,
                          vs_args_left(a));
    return VS_OK;
}

/* One "KEY value" of a COMBINE clause.  seen: bit per key. */
static vs_status combine_kv(vs_args *s, vs_hybrid_plan *p, int linear, unsigned *seen, vs_err *err) {
    static const char *const keys[] = {"CONSTANT", "WINDOW", "YIELD_SCORE_AS", "ALPHA", "BETA"};
    vs_tok key = peek(s);
    int k = -1;
    for (int i = 0; i < 5; i++)
        if ((linear ? i != 0 : i < 3) && vs_eq_nocase(key.p, key.n, keys[i])) k = i;
    if (k < 0) return vs_err_set(err, VS_ERR, "%.*s: Unknown argument", TOKF(key));
    if (*seen & (1u << k)) return vs_err_set(err, VS_ERR, "%s: Argument specified multiple times", keys[k]);
    s->pos++;
    *seen |= 1u << k;
    int rc = A_OK;
    long long w;
    switch (k) {
    case 0: rc = get_double(s, &p->fusion.constant); break;
    case 1:
        rc = get_ll(s, INT32_MIN, INT32_MAX, &w);
        if (rc == A_OK && w < 1) return vs_err_set(err, VS_ERR, "WINDOW: Value below minimum");
        if (rc == A_OK) p->window = (uint64_t)w;
        break;
    case 2:
        if (s->pos >= s->end) rc = A_NOARG;
        else p->score_alias = take(s);
        break;
    case 3: rc = get_double(s, &p->fusion.alpha); break;
    case 4: rc = get_double(s, &p->fusion.beta); break;
    }
    if (rc != A_OK) return vs_err_set(err, VS_ERR, "%s: %s", keys[k], a_text(rc));
    return VS_OK;
}

static vs_status parse_combine(vs_args *a, vs_hybrid_plan *p, vs_err *err) {
    if (a->pos >= a->end) return vs_err_set(err, VS_ERR, "COMBINE: %s", a_text(A_NOARG));
    vs_tok m = take(a);
    int linear;
    if (vs_eq_nocase(m.p, m.n, "RRF"))
        linear = 0;
    else if (vs_eq_nocase(m.p, m.n, "LINEAR"))
        linear = 1;
    else
        return vs_err_set(err, VS_ERR, "COMBINE: Invalid value for argument");
    p->fusion.method = linear ? VS_HYBRID_LINEAR : VS_HYBRID_RRF;
    vs_args s;
    vs_status st = clause_args(a, linear ? "LINEAR" : "RRF", &s, err);
    unsigned seen = 0;
    while (st == VS_OK && s.pos < s.end) st = combine_kv(&s, p, linear, &seen, err);
    if (st != VS_OK) return st;
    if (linear && ((seen >> 3) & 1) != ((seen >> 4) & 1))
        return vs_err_set(err, VS_ERR, (seen >> 3) & 1 ? "Missing value for BETA" : "Missing value for ALPHA");
    return VS_OK;
}

/* ---- the tail ---------------------------------------------------------------- */

/* "SORTBY n ..." / "PARAMS n ...": the count and the slice, with the
 * texts of RediSearch's option parser. */
static vs_status counted(vs_args *a, const char *name, vs_args *s, vs_err *err) {
    long long n;
    int rc = get_ll(a, 0, UINT32_MAX, &n);
    if (rc != A_OK) return vs_err_set(err, VS_ERR, "%s: Failed to parse the argument count", name);
    if (n < 1) return vs_err_set(err, VS_ERR, "%s: Invalid argument count", name);
    if (get_slice(a, n, s) != A_OK)
        return vs_err_set(err, VS_ERR, "%s: Not enough arguments were provided based on argument count", name);
    return VS_OK;
}

/* A LOAD / SORTBY name: '@' required ('$' paths are kept as names). */
static vs_status prop_name(vs_tok t, const char *ctx, vs_tok *out, vs_err *err) {
    if (t.n && t.p[0] == '@') {
        *out = (vs_tok){t.p + 1, t.n - 1};
        return VS_OK;
    }
    if (t.n && t.p[0] == '$') {
        *out = t;
        return VS_OK;
    }
    return vs_err_set(err, VS_ERR, PREFIX_MSG, TOKF(t), ctx);
}

static vs_status opt_limit(vs_args *a, vs_hybrid_plan *p, vs_err *err) {
    vs_args s;
    if (get_slice(a, 2, &s) != A_OK) return vs_err_set(err, VS_ERR, "LIMIT: Not enough arguments were provided");
    long long off, num;
    if (get_ll(&s, 0, LLONG_MAX, &off) != A_OK)
        return vs_err_set(err, VS_ERR, "LIMIT offset must be a non-negative integer");
    if (get_ll(&s, 0, LLONG_MAX, &num) != A_OK)
        return vs_err_set(err, VS_ERR, "LIMIT count must be a non-negative integer");
    if (num == 0 && off != 0) return vs_err_set(err, VS_ERR, "The `offset` of the LIMIT must be 0 when `num` is 0");
    if (num > VS_HYBRID_MAX_LIMIT) return vs_err_set(err, VS_ERR, "LIMIT exceeds maximum of %d", VS_HYBRID_MAX_LIMIT);
    if (off > LLONG_MAX - num) return vs_err_set(err, VS_ERR, "LIMIT offset + count overflow");
    p->offset = (uint64_t)off;
    p->num = (uint64_t)num;
    return VS_OK;
}

static vs_status opt_sortby(vs_args *a, vs_hybrid_plan *p, vs_arena *ar, vs_err *err) {
    vs_args s;
    vs_status st = counted(a, "SORTBY", &s, err);
    if (st != VS_OK) return st;
    if (p->nosort) return vs_err_set(err, VS_ERR, "NOSORT is not allowed with SORTBY");
    p->sort = vs_arena_alloc(ar, (size_t)vs_args_left(&s) * sizeof *p->sort);
    if (!p->sort) return VS_ERR_NOMEM;
    while (s.pos < s.end) {
        vs_hybrid_sort *k = &p->sort[p->nsort];
        memset(k, 0, sizeof *k);
        if ((st = prop_name(take(&s), "SORTBY", &k->name, err)) != VS_OK) return st;
        if (vs_args_take_if(&s, "DESC"))
            k->desc = 1;
        else
            vs_args_take_if(&s, "ASC");
        p->nsort++;
    }
    return VS_OK;
}

static vs_status opt_params(vs_args *a, vs_hybrid_plan *p, vs_arena *ar, vs_err *err) {
    vs_args s;
    vs_status st = counted(a, "PARAMS", &s, err);
    if (st != VS_OK) return st;
    int n = vs_args_left(&s);
    if (n % 2) return vs_err_set(err, VS_ERR, "Parameters must be specified in PARAM VALUE pairs");
    p->pname = vs_arena_alloc(ar, (size_t)(n / 2) * sizeof *p->pname);
    p->pval = vs_arena_alloc(ar, (size_t)(n / 2) * sizeof *p->pval);
    if (!p->pname || !p->pval) return VS_ERR_NOMEM;
    while (s.pos < s.end) {
        vs_tok name = take(&s), val = take(&s);
        for (uint32_t i = 0; i < p->nparams; i++)
            if (tok_eq(p->pname[i], name)) return vs_err_set(err, VS_ERR, "Duplicate parameter `%.*s`", TOKF(name));
        p->pname[p->nparams] = name;
        p->pval[p->nparams++] = val;
    }
    return VS_OK;
}

static vs_status opt_load(vs_args *a, vs_hybrid_plan *p, vs_arena *ar, vs_err *err) {
    if (a->pos >= a->end) return vs_err_set(err, VS_ERR, "LOAD: %s", a_text(A_NOARG));
    vs_tok first = take(a);
    p->has_load = 1;
    if (tok_is(first, "*")) {
        p->load_all = 1;
        return VS_OK;
    }
    long long n;
    if (!vs_parse_ll(first.p, first.n, &n) || n <= 0)
        return vs_err_set(err, VS_ERR, "Bad arguments for LOAD: Expected number of fields or `*`");
    vs_args s;
    if (get_slice(a, n, &s) != A_OK) return vs_err_set(err, VS_ERR, "Not enough arguments for LOAD");
    vs_hybrid_load *l = vs_arena_alloc(ar, ((size_t)p->nload + (size_t)n) * sizeof *l);
    if (!l) return VS_ERR_NOMEM;
    if (p->nload) memcpy(l, p->load, p->nload * sizeof *l);
    p->load = l;
    while (s.pos < s.end) {
        vs_hybrid_load *f = &p->load[p->nload];
        memset(f, 0, sizeof *f);
        vs_status st = prop_name(take(&s), "LOAD", &f->name, err);
        if (st != VS_OK) return st;
        f->out = f->name;
        if (vs_args_take_if(&s, "AS")) {
            if (s.pos >= s.end) return vs_err_set(err, VS_ERR, "AS needs argument");
            f->out = take(&s);
        }
        p->nload++;
    }
    return VS_OK;
}

static vs_status parse_tail(vs_args *a, vs_hybrid_plan *p, vs_arena *ar, vs_err *err) {
    enum { O_LIMIT, O_SORTBY, O_NOSORT, O_PARAMS, O_TIMEOUT, O_DIALECT, O_FORMAT, O_COMBINE, O_EXPLAIN, O_LOAD, O_N };
    static const char *const names[O_N] = {"LIMIT",   "SORTBY", "NOSORT",  "PARAMS",       "TIMEOUT",
                                           "DIALECT", "FORMAT", "COMBINE", "EXPLAINSCORE", "LOAD"};
    /* Options this engine does not run (they need RediSearch's expression
     * language or cursors). */
    static const char *const unsupported[] = {"APPLY", "GROUPBY", "FILTER", "WITHCURSOR"};
    unsigned seen = 0;
    int explain = 0;
    while (a->pos < a->end) {
        vs_tok key = peek(a);
        int o = -1;
        for (int i = 0; i < O_N; i++)
            if (vs_eq_nocase(key.p, key.n, names[i])) o = i;
        if (o < 0) {
            for (size_t i = 0; i < sizeof unsupported / sizeof *unsupported; i++)
                if (vs_eq_nocase(key.p, key.n, unsupported[i]))
                    return vs_err_set(err, VS_ERR, "%s is not supported by this engine's FT.HYBRID", unsupported[i]);
            return vs_err_set(err, VS_ERR, "%.*s: Unknown argument", TOKF(key));
        }
        if ((seen & (1u << o)) && o != O_LOAD)
            return vs_err_set(err, VS_ERR, "%s: Argument specified multiple times", names[o]);
        seen |= 1u << o;
        a->pos++;
        vs_status st = VS_OK;
        long long v;
        int rc;
        switch (o) {
        case O_LIMIT: st = opt_limit(a, p, err); break;
        case O_SORTBY: st = opt_sortby(a, p, ar, err); break;
        case O_NOSORT:
            if (p->nsort) return vs_err_set(err, VS_ERR, "NOSORT is not allowed with SORTBY");
            p->nosort = 1;
            break;
        case O_PARAMS: st = opt_params(a, p, ar, err); break;
        case O_TIMEOUT: /* accepted; every search here runs to completion */
            if ((rc = get_ll(a, LLONG_MIN, LLONG_MAX, &v)) != A_OK)
                return vs_err_set(err, VS_ERR, "TIMEOUT: %s", a_text(rc));
            break;
        case O_DIALECT:
            if (a->pos >= a->end) return vs_err_set(err, VS_ERR, "DIALECT: %s", a_text(A_NOARG));
            return vs_err_set(err, VS_ERR, DIALECT_MSG);
        case O_FORMAT: {
            if (a->pos >= a->end) return vs_err_set(err, VS_ERR, "FORMAT: %s", a_text(A_NOARG));
            vs_tok f = take(a);
            if (vs_eq_nocase(f.p, f.n, "EXPAND"))
                p->expand = 1;
            else if (vs_eq_nocase(f.p, f.n, "STRING"))
                p->expand = 0;
            else
                return vs_err_set(err, VS_ERR, "FORMAT: Invalid value for argument");
            break;
        }
        case O_COMBINE: st = parse_combine(a, p, err); break;
        case O_EXPLAIN: explain = 1; break;
        case O_LOAD: st = opt_load(a, p, ar, err); break;
        }
        if (st != VS_OK) return st;
    }
    if (explain) return vs_err_set(err, VS_ERR, "EXPLAINSCORE is not yet supported by FT.HYBRID");
    return VS_OK;
}

/* ---- resolving against the index --------------------------------------------- */

/* A sub-search: FT.SEARCH's parse of query with LIMIT 0 num; a KNN
 * clause in it is refused first (its parameters are not passed on). */
static vs_status sub_search(const vs_ftindex *x, vs_tok query, uint64_t num, const char *what, vs_arena *ar,
                            vs_search_plan *sp, vs_err *err) {
    vs_query q;
    vs_status qs = vs_query_parse(query.p, query.n, &x->schema, ar, &q, err);
    if (qs == VS_ERR_NOMEM) return qs;
    if (qs == VS_OK && (q.knn.present || q.nrange > 0))
        return vs_err_set(err, VS_ERR, "Vector expressions are not allowed in FT.HYBRID %s", what);
    vs_err_clear(err);
    char nbuf[24];
    int nl = snprintf(nbuf, sizeof nbuf, "%llu", (unsigned long long)num);
    const uint8_t *argv[4] = {query.p, (const uint8_t *)"LIMIT", (const uint8_t *)"0", (const uint8_t *)nbuf};
    size_t lens[4] = {query.n, 5, 1, (size_t)nl};
    return vs_search_parse(x, argv, lens, 4, ar, sp, err);
}

static const vs_tok *param(const vs_hybrid_plan *p, vs_tok name) {
    for (uint32_t i = 0; i < p->nparams; i++)
        if (tok_eq(p->pname[i], name)) return &p->pval[i];
    return NULL;
}

/* What a LOAD / SORTBY name stands for. */
static vs_hybrid_ref resolve_ref(const vs_hybrid_plan *p, vs_tok n, vs_tok *ident, int *field) {
    *field = -1;
    *ident = n;
    if (tok_is(n, "__key")) return VS_HREF_KEY;
    if (p->score_alias.p ? tok_eq(n, p->score_alias) : tok_is(n, "__score")) return VS_HREF_SCORE;
    if (p->text_alias.p && tok_eq(n, p->text_alias)) return VS_HREF_TEXT;
    if (p->vector_alias.p && tok_eq(n, p->vector_alias)) return VS_HREF_VECTOR;
    const vs_schema *s = &p->x->schema;
    int f = vs_schema_field_by_alias(s, n.p, n.n);
    if (f < 0) f = vs_schema_field_by_ident(s, n.p, n.n);
    if (f >= 0) {
        *field = f;
        *ident = (vs_tok){s->fields[f].ident, s->fields[f].ilen};
    }
    return VS_HREF_FIELD;
}

static vs_status resolve(vs_hybrid_plan *p, vs_arena *ar, vs_err *err) {
    const vs_ftindex *x = p->x;
    vs_status st = sub_search(x, p->query, p->window, "SEARCH", ar, &p->text, err);
    if (st != VS_OK) return st;
    if (p->scorer.p && !vs_scorer_by_name(p->scorer.p, p->scorer.n, &p->text.scorer))
        return vs_err_set(err, VS_ERR, "No such scorer %.*s", TOKF(p->scorer));
    /* The SEARCH list always carries its scores, as FT.SEARCH WITHSCORES
     * gives them: also for a query without text clauses (DOCSCORE: the
     * document score, others 0). */
    p->text.scored = 1;
    int vf = vs_schema_field_by_alias(&x->schema, p->vfield_name.p, p->vfield_name.n);
    if (vf < 0) return vs_err_set(err, VS_ERR, "Unknown field `%.*s`", TOKF(p->vfield_name));
    const vs_fielddef *vd = &x->schema.fields[vf];
    if (vd->type != VS_FIELD_VECTOR) return vs_err_set(err, VS_ERR, "Expected a VECTOR field `%.*s`", TOKF(p->vfield_name));
    /* KNN keeps min(K, WINDOW); RANGE the WINDOW nearest within RADIUS.
     * Never more than the field holds (so the row buffer stays small). */
    uint64_t k = p->range ? p->window : (p->k < p->window ? p->k : p->window);
    uint32_t have = x->fields[vf]->ops->count(x->fields[vf]);
    if (k > have) k = have ? have : 1;
    vs_tok filter = p->filter.p ? p->filter : (vs_tok){(const uint8_t *)"*", 1};
    st = sub_search(x, filter, k, "VSIM FILTER", ar, &p->vsim, err);
    if (st != VS_OK) return st;
    const vs_tok *blob = param(p, p->vparam);
    if (!blob) return vs_err_set(err, VS_ERR, "No such parameter `%.*s`", TOKF(p->vparam));
    size_t want = vs_vector_bytes(&vd->vec);
    if (blob->n != want)
        return vs_err_set(err, VS_ERR,
                          "Error parsing vector similarity parameters: query vector blob size (%zu) does not match "
                          "index's expected size (%zu).",
                          blob->n, want);
    if (p->ef > VS_MAX_EF)
        return vs_err_set(err, VS_ERR,
                          "Invalid range: Value above maximum; `EF_RUNTIME` must be a positive integer greater than 0 "
                          "and cannot exceed %d.",
                          VS_MAX_EF);
    void *v = vs_arena_alloc(ar, want);
    if (!v) return VS_ERR_NOMEM;
    memcpy(v, blob->p, want);
    vs_vspace sp;
    vs_vspace_init(&sp, &vd->vec);
    vs_vquery q;
    if (!vs_vquery_init(&sp, v, &q))
        return vs_err_set(err, VS_ERR,
                          "Error parsing vector similarity parameters: query vector contains NaN or infinite values");
    p->metric = vd->vec.metric;
    vs_search_plan *vp = &p->vsim;
    vp->scored = 0; /* the vector list ranks by distance only */
    vp->q.knn.present = 1;
    vp->vfield = vf;
    vp->k = (uint32_t)k;
    vp->ef = (uint32_t)p->ef;
    vp->vec = q;
    vp->max_dist = p->range ? (p->radius > 3.4e38 ? INFINITY : (float)p->radius) : INFINITY;
    for (uint32_t i = 0; i < p->nload; i++) {
        int f;
        p->load[i].ref = resolve_ref(p, p->load[i].name, &p->load[i].ident, &f);
    }
    for (uint32_t i = 0; i < p->nsort; i++) {
        vs_hybrid_sort *s = &p->sort[i];
        s->ref = resolve_ref(p, s->name, &s->ident, &s->field);
        if (s->ref != VS_HREF_FIELD || s->field >= 0) continue;
        int loaded = 0;
        for (uint32_t j = 0; j < p->nload; j++)
            if (p->load[j].ref == VS_HREF_FIELD && tok_eq(p->load[j].out, s->name)) {
                s->ident = p->load[j].ident;
                loaded = 1;
            }
        if (!loaded && !p->load_all)
            return vs_err_set(err, VS_ERR, "Property `%.*s` not loaded nor in schema", TOKF(s->name));
    }
    return VS_OK;
}

vs_status vs_hybrid_parse(const vs_ftindex *x, const uint8_t *const *argv, const size_t *lens, int argc, vs_arena *ar,
                          vs_hybrid_plan *p, vs_err *err) {
    memset(p, 0, sizeof *p);
    p->x = x;
    p->fusion = (vs_hybrid_fusion){VS_HYBRID_RRF, VS_HYBRID_DEFAULT_CONSTANT, VS_HYBRID_DEFAULT_ALPHA,
                                   VS_HYBRID_DEFAULT_BETA};
    p->window = VS_HYBRID_DEFAULT_WINDOW;
    p->num = 10;
    vs_args a = {argv, lens, 0, argc};
    vs_status st = parse_count(&a, err);
    if (st == VS_OK) st = parse_search(&a, p, err);
    if (st == VS_OK) st = parse_vsim(&a, p, err);
    if (st == VS_OK) st = parse_tail(&a, p, ar, err);
    if (st == VS_OK) st = resolve(p, ar, err);
    return st;
}
