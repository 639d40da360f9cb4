/* schema.c - FT.CREATE parsing and validation (see schema.h).
 *
 * Error texts are valkey-search's, reply text exactly as sent (module
 * errors carry no "ERR " prefix).  Everything raised inside one attribute
 * is wrapped as "Invalid field type for field `<identifier>`: ...". */
#include "index/schema.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "base/util.h"

#define TOK(p, n) (int)(n), (const char *)(p)

static uint8_t *dup_bytes(const uint8_t *p, size_t n) {
    uint8_t *d = vs_malloc(n + 1);
    if (!d) return NULL;
    if (n) memcpy(d, p, n);
    d[n] = 0;
    return d;
}

void vs_schema_free(vs_schema *s) {
    if (!s) return;
    vs_free(s->name);
    for (uint32_t i = 0; i < s->nprefix; i++) vs_free(s->prefix[i]);
    vs_free(s->prefix);
    vs_free(s->plen);
    for (uint32_t i = 0; i < s->nfields; i++) {
        vs_free(s->fields[i].ident);
        vs_free(s->fields[i].alias);
    }
    vs_free(s->fields);
    if (s->text) {
        vs_text_opts_release(&s->text->opts);
        vs_free(s->text);
    }
    vs_free(s->score_field);
    for (uint32_t i = 0; i < s->nargs; i++) vs_free(s->args[i]);
    vs_free(s->args);
    vs_free(s->arglen);
    memset(s, 0, sizeof *s);
}

/* Keep a copy of the arguments (after the command name). */
static vs_status keep_args(const vs_args *a, vs_schema *s) {
    uint32_t n = (uint32_t)vs_args_left(a);
    s->args = vs_calloc(n ? n : 1, sizeof *s->args);
    s->arglen = vs_calloc(n ? n : 1, sizeof *s->arglen);
    if (!s->args || !s->arglen) return VS_ERR_NOMEM;
    for (uint32_t i = 0; i < n; i++) {
        size_t len = a->len[a->pos + (int)i];
        if (len > UINT32_MAX) return VS_ERR_NOMEM;
        s->args[i] = dup_bytes(a->argv[a->pos + (int)i], len);
        if (!s->args[i]) return VS_ERR_NOMEM;
        s->arglen[i] = (uint32_t)len;
        s->nargs = i + 1;
    }
    return VS_OK;
}

int vs_schema_matches(const vs_schema *s, const uint8_t *key, size_t klen) {
    if (s->nprefix == 0) return 1;
    for (uint32_t i = 0; i < s->nprefix; i++)
        if (s->plen[i] <= klen && memcmp(s->prefix[i], key, s->plen[i]) == 0) return 1;
    return 0;
}

int vs_schema_field_by_alias(const vs_schema *s, const uint8_t *p, size_t n) {
    for (uint32_t i = 0; i < s->nfields; i++)
        if (s->fields[i].alen == n && memcmp(s->fields[i].alias, p, n) == 0) return (int)i;
    return -1;
}

int vs_schema_field_by_ident(const vs_schema *s, const uint8_t *p, size_t n) {
    for (uint32_t i = 0; i < s->nfields; i++)
        if (s->fields[i].ilen == n && memcmp(s->fields[i].ident, p, n) == 0) return (int)i;
    return -1;
}

/* ---- pieces ------------------------------------------------------------- */

static vs_status parse_prefixes(vs_args *a, vs_schema *s, vs_err *err) {
    uint64_t count;
    vs_status st = vs_args_u64(a, UINT32_MAX, &count, err);
    if (st != VS_OK) return vs_err_prepend(err, "Bad arguments for PREFIX: ");
    if (count > (uint64_t)vs_args_left(a)) {
        const uint8_t *p = a->argv[a->pos - 1];
        return vs_err_set(err, VS_ERR, "Bad arguments for PREFIX: `%.*s` is outside acceptable bounds",
                          TOK(p, a->len[a->pos - 1]));
    }
    if (count > VS_MAX_PREFIXES)
        return vs_err_set(err, VS_ERR,
                          "Invalid range: Value above maximum; Number of prefixes (%llu) exceeds the maximum "
                          "allowed (%d)",
                          (unsigned long long)count, VS_MAX_PREFIXES);
    s->prefix = vs_calloc(count ? count : 1, sizeof *s->prefix);
    s->plen = vs_calloc(count ? count : 1, sizeof *s->plen);
    if (!s->prefix || !s->plen) return VS_ERR_NOMEM;
    for (uint64_t i = 0; i < count; i++) {
        const uint8_t *p = a->argv[a->pos];
        size_t n = a->len[a->pos];
        a->pos++;
        /* Drop a prefix an already kept prefix covers (valkey-search). */
        int covered = 0;
        for (uint32_t j = 0; j < s->nprefix; j++)
            if (s->plen[j] <= n && memcmp(s->prefix[j], p, s->plen[j]) == 0) covered = 1;
        if (covered) continue;
        if (n > UINT32_MAX) return VS_ERR_NOMEM;
        s->prefix[s->nprefix] = dup_bytes(p, n);
        if (!s->prefix[s->nprefix]) return VS_ERR_NOMEM;
        s->plen[s->nprefix++] = (uint32_t)n;
    }
    return VS_OK;
}

/* Key/value parameters of a vector field. */
enum { VP_TYPE, VP_DIM, VP_METRIC, VP_INITIAL_CAP, VP_BLOCK_SIZE, VP_M, VP_EFC, VP_EFR, VP_COMPRESSION, VP_COUNT };
static const char *const vp_names[VP_COUNT] = {"TYPE", "DIM", "DISTANCE_METRIC", "INITIAL_CAP", "BLOCK_SIZE",
                                               "M", "EF_CONSTRUCTION", "EF_RUNTIME", "COMPRESSION"};

static vs_status parse_vp_value(int key, const uint8_t *p, size_t n, vs_vecdef *v, vs_err *err) {
    int64_t i;
    uint64_t u;
    vs_status st;
    switch (key) {
    case VP_TYPE:
        for (int t = 0; t < VS_VEC_COUNT; t++)
            if (vs_eq_nocase(p, n, vs_vectype_name((vs_vectype)t))) {
                v->type = (vs_vectype)t;
                return VS_OK;
            }
        if (n == 0) return vs_err_set(err, VS_ERR, "Argument value is empty");
        return vs_err_set(err, VS_ERR, "Unknown argument `%.*s`", TOK(p, n));
    case VP_METRIC:
        if (vs_eq_nocase(p, n, "L2"))
            v->metric = VS_METRIC_L2;
        else if (vs_eq_nocase(p, n, "IP"))
            v->metric = VS_METRIC_IP;
        else if (vs_eq_nocase(p, n, "COSINE"))
            v->metric = VS_METRIC_COSINE;
        else if (n == 0)
            return vs_err_set(err, VS_ERR, "Argument value is empty");
        else
            return vs_err_set(err, VS_ERR, "Unknown argument `%.*s`", TOK(p, n));
        return VS_OK;
    case VP_COMPRESSION:
        if (vs_eq_nocase(p, n, "SQ8")) {
            v->compression = VS_COMPRESS_SQ8;
            return VS_OK;
        }
        if (n == 0) return vs_err_set(err, VS_ERR, "Argument value is empty");
        return vs_err_set(err, VS_ERR, "Unknown argument `%.*s`", TOK(p, n));
    case VP_EFR:
        st = vs_parse_u64_tok(p, n, UINT64_MAX, &u, err);
        if (st == VS_OK) v->ef_runtime = u > UINT32_MAX ? UINT32_MAX : (uint32_t)u;
        return st;
    case VP_BLOCK_SIZE:
        st = vs_parse_u64_tok(p, n, UINT32_MAX, &u, err);
        if (st == VS_OK) v->block_size = (uint32_t)u;
        return st;
    default:
        st = vs_parse_i64_tok(p, n, INT32_MIN, INT32_MAX, &i, err);
        if (st != VS_OK) return st;
        /* Store as signed-in-unsigned; verify() range-checks. */
        if (key == VP_DIM) v->dim = (uint32_t)(int32_t)i;
        if (key == VP_INITIAL_CAP) v->initial_cap = (uint32_t)(int32_t)i;
        if (key == VP_M) v->m = (uint32_t)(int32_t)i;
        if (key == VP_EFC) v->ef_construction = (uint32_t)(int32_t)i;
        return VS_OK;
    }
}

static vs_status verify_vector(const vs_vecdef *v, const int *seen, vs_err *err) {
    int32_t dim = (int32_t)v->dim;
    if (!seen[VP_DIM]) return vs_err_set(err, VS_ERR, "Missing dimensions parameter.");
    if (dim < 1 || dim > VS_MAX_DIM)
        return vs_err_set(err, VS_ERR,
                          "Invalid range: Value %s; The dimensions value must be a positive integer greater than 0 "
                          "and less than or equal to %d.",
                          dim < 1 ? "below minimum" : "above maximum", VS_MAX_DIM);
    if (seen[VP_INITIAL_CAP] && (int32_t)v->initial_cap <= 0)
        return vs_err_set(err, VS_ERR, "INITIAL_CAP must be a positive integer greater than 0.");
    if (!seen[VP_TYPE]) return vs_err_set(err, VS_ERR, "Missing vector TYPE parameter.");
    if (!seen[VP_METRIC]) return vs_err_set(err, VS_ERR, "Missing DISTANCE_METRIC parameter.");
    if (v->algo == VS_ALGO_HNSW) {
        int32_t m = (int32_t)v->m, efc = (int32_t)v->ef_construction;
        if (m < 2 || m > VS_MAX_M)
            return vs_err_set(err, VS_ERR,
                              "Invalid range: Value %s; M must be a positive integer greater than 2 and cannot exceed "
                              "%d.",
                              m < 2 ? "below minimum" : "above maximum", VS_MAX_M);
        if (efc < 1 || efc > VS_MAX_EF)
            return vs_err_set(err, VS_ERR,
                              "Invalid range: Value %s; EF_CONSTRUCTION must be a positive integer greater than 0 and "
                              "cannot exceed %d.",
                              efc < 1 ? "below minimum" : "above maximum", VS_MAX_EF);
        if (v->ef_runtime < 1 || v->ef_runtime > VS_MAX_EF)
            return vs_err_set(err, VS_ERR,
                              "Invalid range: Value %s; EF_RUNTIME must be a positive integer greater than 0 and "
                              "cannot exceed %d.",
                              v->ef_runtime < 1 ? "below minimum" : "above maximum", VS_MAX_EF);
        if (v->compression != VS_COMPRESS_NONE && v->type != VS_VEC_FLOAT32 && v->type != VS_VEC_FLOAT16 &&
            v->type != VS_VEC_BFLOAT16)
            return vs_err_set(err, VS_ERR,
                              "COMPRESSION SQ8 requires a floating point vector TYPE (FLOAT32, FLOAT16 or BFLOAT16), "
                              "not %s.",
                              vs_vectype_name(v->type));
    } else if (v->block_size == 0) {
        return vs_err_set(err, VS_ERR, "BLOCK_SIZE must be a positive integer greater than 0.");
    }
    return VS_OK;
}

static vs_status parse_vector(vs_args *a, vs_fielddef *f, vs_err *err) {
    const uint8_t *p;
    size_t n;
    vs_status st = vs_args_next(a, &p, &n, err);
    if (st != VS_OK) return st;
    vs_vecdef *v = &f->vec;
    const char *algo_name;
    if (vs_eq_nocase(p, n, "HNSW")) {
        v->algo = VS_ALGO_HNSW;
        algo_name = "HNSW";
    } else if (vs_eq_nocase(p, n, "FLAT")) {
        v->algo = VS_ALGO_FLAT;
        algo_name = "FLAT";
    } else {
        return vs_err_set(err, VS_ERR, "Unknown argument `%.*s`", TOK(p, n));
    }
    v->initial_cap = VS_DEFAULT_INITIAL_CAP;
    v->block_size = VS_DEFAULT_BLOCK_SIZE;
    v->m = VS_DEFAULT_M;
    v->ef_construction = VS_DEFAULT_EF_CONSTRUCTION;
    v->ef_runtime = VS_DEFAULT_EF_RUNTIME;
    v->compression = VS_COMPRESS_NONE;
    uint64_t nargs;
    st = vs_args_u64(a, UINT32_MAX, &nargs, err);
    if (st != VS_OK) return st;
    int left = vs_args_left(a);
    if (nargs > (uint64_t)left + 1)
        return vs_err_set(err, VS_ERR, "Expected %llu parameters for %s but got %d parameters.",
                          (unsigned long long)nargs, algo_name, left);
    if (nargs == 0) return vs_err_set(err, VS_ERR, "distance must be positive");
    if (nargs > (uint64_t)left) return vs_err_set(err, VS_ERR, "Missing argument");
    vs_args sub = {a->argv, a->len, a->pos, a->pos + (int)nargs};
    a->pos += (int)nargs;
    int seen[VP_COUNT] = {0};
    while (vs_args_left(&sub) > 0) {
        const uint8_t *kp;
        size_t kn;
        vs_args_next(&sub, &kp, &kn, err);
        int key = -1;
        for (int k = 0; k < VP_COUNT; k++) {
            if (!vs_eq_nocase(kp, kn, vp_names[k])) continue;
            if (v->algo == VS_ALGO_FLAT && (k == VP_M || k == VP_EFC || k == VP_EFR || k == VP_COMPRESSION)) continue;
            if (v->algo == VS_ALGO_HNSW && k == VP_BLOCK_SIZE) continue;
            key = k;
        }
        if (key < 0) return vs_err_set(err, VS_ERR, "Unexpected argument `%.*s`", TOK(kp, kn));
        const uint8_t *vp;
        size_t vn;
        st = vs_args_next(&sub, &vp, &vn, err);
        if (st == VS_OK) st = parse_vp_value(key, vp, vn, v, err);
        if (st != VS_OK) return vs_err_prepend(err, "Error parsing value for the parameter `%.*s` - ", TOK(kp, kn));
        seen[key] = 1;
    }
    return verify_vector(v, seen, err);
}

static vs_status parse_tag(vs_args *a, vs_fielddef *f, vs_err *err) {
    f->sep = ',';
    for (;;) {
        if (vs_args_take_if(a, "SEPARATOR")) {
            const uint8_t *p;
            size_t n;
            vs_status st = vs_args_next(a, &p, &n, err);
            if (st != VS_OK) return vs_err_prepend(err, "Error parsing value for the parameter `SEPARATOR` - ");
            if (n != 1)
                return vs_err_set(err, VS_ERR, "The separator must be a single character, but got `%.*s`", TOK(p, n));
            f->sep = p[0];
        } else if (vs_args_take_if(a, "CASESENSITIVE")) {
            f->casesensitive = 1;
        } else {
            return VS_OK;
        }
    }
}

/* TEXT [NOSTEM] [WITHSUFFIXTRIE | NOSUFFIXTRIE] [WEIGHT w], in any order
 * (valkey-search's field parser: it stops at the first other word). */
static vs_status parse_text(vs_args *a, const vs_schema_text *t, vs_fielddef *f, vs_err *err) {
    f->text.idx = t;
    f->text.weight = 1.0;
    f->text.nostem = t->nostem;
    for (;;) {
        if (vs_args_take_if(a, "WITHSUFFIXTRIE")) {
            f->text.suffix = 1;
        } else if (vs_args_take_if(a, "NOSUFFIXTRIE")) {
            f->text.suffix = 0;
        } else if (vs_args_take_if(a, "NOSTEM")) {
            f->text.nostem = 1;
        } else if (vs_args_peek_is(a, "WEIGHT")) {
            const uint8_t *kp = a->argv[a->pos], *p;
            size_t kn = a->len[a->pos], n;
            a->pos++;
            double w;
            vs_status st = vs_args_next(a, &p, &n, err);
            if (st == VS_OK && !vs_parse_double(p, n, &w))
                st = vs_err_set(err, VS_ERR, "%.*s is not a valid double", TOK(p, n));
            if (st != VS_OK) return vs_err_prepend(err, "Error parsing value for the parameter `%.*s` - ", TOK(kp, kn));
            /* valkey-search refuses any weight but 1.0; Vessel applies
             * weights in scoring (RediSearch's WEIGHT), so any finite
             * weight >= 0 is accepted. */
            if (!(w >= 0 && w <= 1e300))
                return vs_err_set(err, VS_ERR, "The `WEIGHT` clause must be a finite number greater than or equal to 0.");
            f->text.weight = w;
        } else {
            return VS_OK;
        }
    }
}

/* One attribute: identifier [AS alias] type params [SORTABLE]. */
static vs_status parse_field(vs_args *a, const vs_schema_text *t, vs_fielddef *f, vs_err *err) {
    const uint8_t *ip, *p;
    size_t in, n;
    vs_args_next(a, &ip, &in, err); /* caller checked there is one */
    if (in > UINT32_MAX) return VS_ERR_NOMEM;
    f->ident = dup_bytes(ip, in);
    if (!f->ident) return VS_ERR_NOMEM;
    f->ilen = (uint32_t)in;
    const uint8_t *alias = ip;
    size_t alen = in;
    vs_status st = VS_OK;
    if (vs_args_take_if(a, "AS")) {
        st = vs_args_next(a, &alias, &alen, err);
        if (st != VS_OK) vs_err_prepend(err, "Bad arguments for AS: ");
    }
    if (st == VS_OK) st = vs_args_next(a, &p, &n, err);
    if (st == VS_OK) {
        if (vs_eq_nocase(p, n, "VECTOR")) {
            f->type = VS_FIELD_VECTOR;
            st = parse_vector(a, f, err);
        } else if (vs_eq_nocase(p, n, "TAG")) {
            f->type = VS_FIELD_TAG;
            st = parse_tag(a, f, err);
        } else if (vs_eq_nocase(p, n, "NUMERIC")) {
            f->type = VS_FIELD_NUMERIC;
        } else if (vs_eq_nocase(p, n, "TEXT")) {
            f->type = VS_FIELD_TEXT;
            st = parse_text(a, t, f, err);
        } else {
            st = vs_err_set(err, VS_ERR, "Unknown argument `%.*s`", TOK(p, n));
        }
    }
    if (st == VS_ERR_NOMEM) return st;
    if (st != VS_OK) return vs_err_prepend(err, "Invalid field type for field `%.*s`: ", TOK(ip, in));
    vs_args_take_if(a, "SORTABLE"); /* accepted, no effect (as valkey-search) */
    f->alias = dup_bytes(alias, alen);
    if (!f->alias) return VS_ERR_NOMEM;
    f->alen = (uint32_t)alen;
    return VS_OK;
}

static vs_status parse_float_param(vs_args *a, const char *name, float *out, vs_err *err) {
    const uint8_t *p;
    size_t n;
    vs_status st = vs_args_next(a, &p, &n, err);
    double d;
    if (st == VS_OK && !vs_parse_double(p, n, &d))
        st = vs_err_set(err, VS_ERR, "%.*s is not a valid float", TOK(p, n));
    if (st != VS_OK) return vs_err_prepend(err, "Bad arguments for %s: ", name);
    *out = (float)d;
    return VS_OK;
}

vs_status vs_schema_parse(vs_args *a, vs_schema *s, vs_err *err) {
    memset(s, 0, sizeof *s);
    s->score = 1.0f;
    const uint8_t *p;
    size_t n;
    int args_start = a->pos;
    vs_status st = keep_args(a, s);
    if (st != VS_OK) return st;
    st = vs_args_next(a, &p, &n, err);
    if (st != VS_OK) return st;
    if (n > UINT32_MAX) return VS_ERR_NOMEM;
    s->name = dup_bytes(p, n);
    if (!s->name) return VS_ERR_NOMEM;
    s->nlen = (uint32_t)n;

    if (vs_args_take_if(a, "ON")) {
        st = vs_args_next(a, &p, &n, err);
        if (st != VS_OK) return vs_err_prepend(err, "Bad arguments for ON: ");
        if (vs_eq_nocase(p, n, "JSON")) return vs_err_set(err, VS_ERR, "JSON module is not loaded.");
        if (!vs_eq_nocase(p, n, "HASH"))
            return vs_err_set(err, VS_ERR, "Bad arguments for ON: Unknown argument `%.*s`", TOK(p, n));
    }
    if (vs_args_take_if(a, "PREFIX")) {
        st = parse_prefixes(a, s, err);
        if (st != VS_OK) return st;
    }
    if (vs_args_peek_is(a, "FILTER")) return vs_err_set(err, VS_ERR, "The parameter `FILTER` is not supported");
    s->text = vs_calloc(1, sizeof *s->text);
    if (!s->text) return VS_ERR_NOMEM;
    vs_text_opts_init(&s->text->opts);
    s->text->min_stem = VS_DEFAULT_MIN_STEM;
    s->text->offsets = 1;
    /* The parameters before SCHEMA, in any order; the first word that is
     * none of them ends them (valkey-search's loop), then an empty
     * PUNCTUATION is refused before SCHEMA is looked for. */
    int punct_given = 0;
    while (vs_args_left(a) > 0 && !vs_args_peek_is(a, "SCHEMA")) {
        const uint8_t *kp = a->argv[a->pos];
        size_t kn = a->len[a->pos];
        if (vs_args_take_if(a, "SKIPINITIALSCAN")) {
            s->skip_initial_scan = 1;
        } else if (vs_args_take_if(a, "SCORE")) {
            float score;
            st = parse_float_param(a, "SCORE", &score, err);
            if (st != VS_OK) return st;
            if (!(score >= 0.0f && score <= 1.0f))
                return vs_err_set(err, VS_ERR,
                                  "`SCORE` parameter with a value `%g` is not supported. The value must be between "
                                  "0.0 and 1.0",
                                  (double)score);
            s->score = score;
        } else if (vs_args_take_if(a, "SCORE_FIELD")) {
            st = vs_args_next(a, &p, &n, err);
            if (st != VS_OK) return vs_err_prepend(err, "Bad arguments for SCORE_FIELD: ");
            vs_free(s->score_field);
            s->score_field = dup_bytes(p, n);
            if (!s->score_field) return VS_ERR_NOMEM;
            s->sflen = (uint32_t)n;
        } else if (vs_args_take_if(a, "LANGUAGE")) {
            st = vs_args_next(a, &p, &n, err);
            if (st != VS_OK) return vs_err_prepend(err, "Bad arguments for LANGUAGE: ");
            if (!vs_eq_nocase(p, n, "ENGLISH"))
                return vs_err_set(err, VS_ERR, "Bad arguments for LANGUAGE: Unknown argument `%.*s`", TOK(p, n));
        } else if (vs_args_peek_is(a, "LANGUAGE_FIELD") || vs_args_peek_is(a, "PAYLOAD_FIELD")) {
            return vs_err_set(err, VS_ERR, "The parameter `%.*s` is not supported", TOK(kp, kn));
        } else if (vs_args_take_if(a, "PUNCTUATION")) {
            st = vs_args_next(a, &p, &n, err);
            if (st != VS_OK) return vs_err_prepend(err, "Error parsing value for the parameter `%.*s` - ", TOK(kp, kn));
            punct_given = 1;
            if (n > UINT32_MAX) return VS_ERR_NOMEM;
            s->text->punct = s->args[a->pos - 1 - args_start];
            s->text->punct_len = (uint32_t)n;
        } else if (vs_args_take_if(a, "WITHOFFSETS")) {
            s->text->offsets = 1;
        } else if (vs_args_take_if(a, "NOOFFSETS")) {
            s->text->offsets = 0;
        } else if (vs_args_take_if(a, "NOSTEM")) {
            s->text->nostem = 1;
        } else if (vs_args_take_if(a, "NOSTOPWORDS")) {
            s->text->stop_custom = 1;
            s->text->nstop = 0;
        } else if (vs_args_take_if(a, "STOPWORDS")) {
            uint64_t count;
            st = vs_args_u64(a, UINT32_MAX, &count, err);
            if (st == VS_OK && count > (uint64_t)vs_args_left(a))
                st = vs_err_set(err, VS_ERR,
                                "Missing argument for STOPWORDS. The count does not match the number of arguments "
                                "provided for STOPWORDS");
            if (st != VS_OK) return vs_err_prepend(err, "Error parsing value for the parameter `%.*s` - ", TOK(kp, kn));
            s->text->stop_custom = 1;
            s->text->stop_arg = (uint32_t)(a->pos - args_start);
            s->text->nstop = (uint32_t)count;
            a->pos += (int)count;
        } else if (vs_args_take_if(a, "MINSTEMSIZE")) {
            int64_t v;
            st = vs_args_i64(a, INT32_MIN, INT32_MAX, &v, err);
            if (st == VS_OK && v <= 0) st = vs_err_set(err, VS_ERR, "MINSTEMSIZE must be positive");
            if (st != VS_OK) return vs_err_prepend(err, "Error parsing value for the parameter `%.*s` - ", TOK(kp, kn));
            s->text->min_stem = (uint32_t)v;
        } else {
            break;
        }
    }
    if (punct_given && s->text->punct_len == 0) return vs_err_set(err, VS_ERR, "PUNCTUATION string cannot be empty");
    if (vs_args_left(a) == 0) return vs_err_set(err, VS_ERR, "Missing argument");
    if (!vs_args_take_if(a, "SCHEMA"))
        return vs_err_set(err, VS_ERR, "Unexpected parameter `%.*s`, expecting `SCHEMA`",
                          TOK(a->argv[a->pos], a->len[a->pos]));
    if (punct_given) {
        st = vs_text_opts_set_punct(&s->text->opts, (const char *)s->text->punct, s->text->punct_len, err);
        if (st != VS_OK) return st;
    }
    if (s->text->stop_custom) {
        uint32_t k = s->text->nstop;
        vs_text_word *w = vs_calloc(k ? k : 1, sizeof *w);
        if (!w) return VS_ERR_NOMEM;
        for (uint32_t i = 0; i < k; i++) {
            w[i].s = (const char *)s->args[s->text->stop_arg + i];
            w[i].n = s->arglen[s->text->stop_arg + i];
        }
        st = vs_text_opts_set_stopwords(&s->text->opts, w, k, err);
        vs_free(w);
        if (st != VS_OK) return st;
    }
    if (vs_args_left(a) == 0) return vs_err_set(err, VS_ERR, "Index schema must have at least one attribute");
    uint32_t cap = 0;
    while (vs_args_left(a) > 0) {
        if (s->nfields == cap) {
            uint32_t ncap = cap ? cap * 2 : 4;
            vs_fielddef *f = vs_realloc(s->fields, ncap * sizeof *f);
            if (!f) return VS_ERR_NOMEM;
            memset(f + cap, 0, (ncap - cap) * sizeof *f);
            s->fields = f;
            cap = ncap;
        }
        vs_fielddef *f = &s->fields[s->nfields++];
        st = parse_field(a, s->text, f, err);
        if (st != VS_OK) return st;
        for (uint32_t i = 0; i + 1 < s->nfields; i++)
            if (s->fields[i].ilen == f->ilen && memcmp(s->fields[i].ident, f->ident, f->ilen) == 0)
                return vs_err_set(err, VS_ERR, "Duplicate field in schema - %.*s", TOK(f->ident, f->ilen));
        if (s->nfields > VS_MAX_ATTRIBUTES)
            return vs_err_set(err, VS_ERR,
                              "Invalid range: Value above maximum; The maximum number of attributes cannot exceed "
                              "%d.",
                              VS_MAX_ATTRIBUTES);
        if (f->type == VS_FIELD_TEXT && ++s->ntext > VS_MAX_TEXT_FIELDS)
            return vs_err_set(err, VS_ERR,
                              "Invalid range: Value above maximum; The maximum number of text fields cannot exceed %d.",
                              VS_MAX_TEXT_FIELDS);
    }
    for (uint32_t i = 0; i < s->nfields; i++)
        for (uint32_t j = 0; j < i; j++)
            if (s->fields[i].alen == s->fields[j].alen &&
                memcmp(s->fields[i].alias, s->fields[j].alias, s->fields[i].alen) == 0)
                return vs_err_set(err, VS_ERR, "Index field `%.*s` already exists",
                                  TOK(s->fields[i].alias, s->fields[i].alen));
    return VS_OK;
}
