/* query.c - FT.SEARCH query parser (see query.h for the grammar).
 *
 * Positions in errors follow valkey-search: "Unexpected character at
 * position N" is 1-based, "... Position: N" is the 0-based cursor, both
 * within the whitespace-stripped filter text. */
#include "query/query.h"

#include <math.h>
#include <string.h>

#include "base/util.h"

#define TOKF(t) (int)(t).n, (const char *)(t).p

typedef struct qp {
    const uint8_t *s;      /* filter text (stripped) */
    size_t n, pos;
    const vs_schema *schema;
    vs_arena *arena;
    vs_err *err;
    int depth;
    int terms;
} qp;

static int is_ws(uint8_t c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

static void trim(const uint8_t **p, size_t *n) {
    while (*n && is_ws((*p)[0])) {
        (*p)++;
        (*n)--;
    }
    while (*n && is_ws((*p)[*n - 1])) (*n)--;
}

static void skip_ws(qp *q) {
    while (q->pos < q->n && is_ws(q->s[q->pos])) q->pos++;
}

static int peek(const qp *q) { return q->pos < q->n ? q->s[q->pos] : -1; }

static vs_status unexpected(qp *q) {
    return vs_err_set(q->err, VS_ERR, "Unexpected character at position %zu: `%c`", q->pos + 1, (char)q->s[q->pos]);
}

static vs_qnode *node(qp *q, vs_qkind kind) {
    vs_qnode *nd = vs_arena_alloc(q->arena, sizeof *nd);
    if (!nd) return NULL;
    memset(nd, 0, sizeof *nd);
    nd->kind = kind;
    return nd;
}

static vs_status count_term(qp *q) {
    if (++q->terms > VS_QUERY_MAX_TERMS)
        return vs_err_set(q->err, VS_ERR,
                          "Invalid range: Value above maximum; Query string is too complex: max number of terms can't "
                          "exceed %d",
                          VS_QUERY_MAX_TERMS);
    return VS_OK;
}

static vs_status enter(qp *q) {
    if (++q->depth >= VS_QUERY_MAX_DEPTH) return vs_err_set(q->err, VS_ERR, "Query string is too complex");
    return VS_OK;
}

/* Append kid to a growing list (arena; small lists). */
static vs_status add_kid(qp *q, vs_qnode *parent, vs_qnode *kid, uint32_t *cap) {
    if (parent->nkids == *cap) {
        uint32_t ncap = *cap ? *cap * 2 : 4;
        vs_qnode **k = vs_arena_alloc(q->arena, ncap * sizeof *k);
        if (!k) return VS_ERR_NOMEM;
        if (parent->nkids) memcpy(k, parent->kids, parent->nkids * sizeof *k);
        parent->kids = k;
        *cap = ncap;
    }
    parent->kids[parent->nkids++] = kid;
    return VS_OK;
}

static vs_status parse_or(qp *q, vs_qnode **out);

/* A number for a range bound; *tok gets what was consumed. */
static vs_status parse_number(qp *q, double *v) {
    size_t start = q->pos;
    if (q->pos < q->n && (q->s[q->pos] == '-' || q->s[q->pos] == '+')) q->pos++;
    if (q->n - q->pos >= 3 && vs_eq_nocase(q->s + q->pos, 3, "inf")) {
        q->pos += 3;
    } else {
        while (q->pos < q->n && ((q->s[q->pos] >= '0' && q->s[q->pos] <= '9') || q->s[q->pos] == '.')) q->pos++;
        if (q->pos < q->n && (q->s[q->pos] == 'e' || q->s[q->pos] == 'E')) {
            q->pos++;
            if (q->pos < q->n && (q->s[q->pos] == '-' || q->s[q->pos] == '+')) q->pos++;
            while (q->pos < q->n && q->s[q->pos] >= '0' && q->s[q->pos] <= '9') q->pos++;
        }
    }
    if (!vs_parse_double(q->s + start, q->pos - start, v))
        return vs_err_set(q->err, VS_ERR, "Invalid number: %.*s", (int)(q->pos - start), (const char *)q->s + start);
    return VS_OK;
}

static vs_status parse_range(qp *q, vs_qnode *nd) {
    q->pos++; /* '[' */
    skip_ws(q);
    vs_num_range *r = &nd->clause.range;
    if (peek(q) == '(') {
        r->lo_excl = 1;
        q->pos++;
    }
    vs_status st = parse_number(q, &r->lo);
    if (st != VS_OK) return st;
    /* One space, or a comma that may follow spaces. */
    size_t save = q->pos;
    skip_ws(q);
    if (peek(q) == ',') {
        q->pos++;
    } else {
        q->pos = save;
        if (peek(q) != ' ')
            return vs_err_set(q->err, VS_ERR,
                              "Expected space or `,` between start and end values of a numeric field. Position: %zu",
                              q->pos);
        q->pos++;
    }
    skip_ws(q);
    if (peek(q) == '(') {
        r->hi_excl = 1;
        q->pos++;
    }
    st = parse_number(q, &r->hi);
    if (st != VS_OK) return st;
    skip_ws(q);
    if (peek(q) != ']')
        return vs_err_set(q->err, VS_ERR, "Expected ']' got '%.*s'. Position: %zu", peek(q) < 0 ? 0 : 1,
                          (const char *)q->s + q->pos, q->pos);
    q->pos++;
    if (r->lo > r->hi || (r->lo == r->hi && (r->lo_excl || r->hi_excl)))
        return vs_err_set(q->err, VS_ERR,
                          "Start and end values of a numeric field indicate an empty range. Position: %zu", q->pos);
    return VS_OK;
}

/* One tag of a {...} list: trim, unescape, detect the prefix '*'. */
static vs_status add_tag(qp *q, vs_qnode *nd, const uint8_t *p, size_t n, uint32_t *cap) {
    while (n && is_ws(p[0])) p++, n--;
    while (n && is_ws(p[n - 1]) && !(n >= 2 && p[n - 2] == '\\')) n--;
    if (n == 0) return VS_OK; /* empty tags are ignored */
    uint8_t *t = vs_arena_alloc(q->arena, n);
    if (!t) return VS_ERR_NOMEM;
    size_t m = 0;
    int last_escaped = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '\\' && i + 1 < n) {
            t[m++] = p[++i];
            last_escaped = i == n - 1;
        } else {
            t[m++] = p[i];
            last_escaped = 0;
        }
    }
    int prefix = 0;
    if (m && t[m - 1] == '*' && !last_escaped) {
        if (m >= 2 && t[m - 2] == '*')
            return vs_err_set(q->err, VS_ERR, "Tag string `%.*s` ends with multiple *.", (int)m, (const char *)t);
        if (m <= 2)
            return vs_err_set(q->err, VS_ERR, "Tag string `%.*s` is too short for prefix wildcard.", (int)m,
                              (const char *)t);
        prefix = 1;
        m--;
    }
    if (nd->clause.ntags == *cap) {
        uint32_t ncap = *cap ? *cap * 2 : 4;
        vs_fi_tag *tg = vs_arena_alloc(q->arena, ncap * sizeof *tg);
        if (!tg) return VS_ERR_NOMEM;
        if (nd->clause.ntags) memcpy(tg, nd->clause.tags, nd->clause.ntags * sizeof *tg);
        nd->clause.tags = tg;
        *cap = ncap;
    }
    nd->clause.tags[nd->clause.ntags].p = t;
    nd->clause.tags[nd->clause.ntags].n = (uint32_t)m;
    nd->clause.tags[nd->clause.ntags].prefix = (uint8_t)prefix;
    nd->clause.ntags++;
    return VS_OK;
}

static vs_status parse_tags(qp *q, vs_qnode *nd) {
    q->pos++; /* '{' */
    size_t start = q->pos, end = q->pos;
    while (end < q->n && q->s[end] != '}') end += (q->s[end] == '\\' && end + 1 < q->n) ? 2 : 1;
    if (end >= q->n) return vs_err_set(q->err, VS_ERR, "Missing closing TAG bracket, '}'");
    uint32_t cap = 0;
    size_t piece = start;
    for (size_t i = start; i <= end; i++) {
        if (i < end && q->s[i] == '\\') {
            i++;
            continue;
        }
        if (i < end && q->s[i] != '|') continue;
        vs_status st = add_tag(q, nd, q->s + piece, i - piece, &cap);
        if (st != VS_OK) return st;
        piece = i + 1;
    }
    q->pos = end + 1;
    return VS_OK;
}

static vs_status parse_field(qp *q, vs_qnode **out) {
    q->pos++; /* '@' */
    size_t start = q->pos;
    while (q->pos < q->n && q->s[q->pos] != ':' && !is_ws(q->s[q->pos])) q->pos++;
    size_t flen = q->pos - start;
    const uint8_t *fname = q->s + start;
    skip_ws(q);
    if (peek(q) != ':') {
        if (peek(q) < 0) return vs_err_set(q->err, VS_ERR, "Unexpected end of query, expecting `:`");
        return vs_err_set(q->err, VS_ERR, "Unexpected character at position %zu: `%c`, expecting `:`", q->pos + 1,
                          (char)q->s[q->pos]);
    }
    q->pos++;
    skip_ws(q);
    int c = peek(q);
    if (c != '[' && c != '{') return vs_err_set(q->err, VS_ERR, "Index does not have any text field");
    int f = vs_schema_field_by_alias(q->schema, fname, flen);
    vs_field_type want = c == '[' ? VS_FIELD_NUMERIC : VS_FIELD_TAG;
    if (f < 0 || q->schema->fields[f].type != want)
        return vs_err_set(q->err, VS_ERR, "`%.*s` is not indexed as a %s field", (int)flen, (const char *)fname,
                          want == VS_FIELD_NUMERIC ? "numeric" : "tag");
    vs_status st = count_term(q);
    if (st != VS_OK) return st;
    vs_qnode *nd = node(q, want == VS_FIELD_NUMERIC ? VS_Q_NUM : VS_Q_TAG);
    if (!nd) return VS_ERR_NOMEM;
    nd->field = f;
    nd->clause.kind = want == VS_FIELD_NUMERIC ? VS_FI_RANGE : VS_FI_TAGS;
    st = want == VS_FIELD_NUMERIC ? parse_range(q, nd) : parse_tags(q, nd);
    if (st != VS_OK) return st;
    *out = nd;
    return VS_OK;
}

static vs_status parse_unary(qp *q, vs_qnode **out) {
    skip_ws(q);
    int c = peek(q);
    if (c == '-') {
        q->pos++;
        vs_status st = enter(q);
        if (st != VS_OK) return st;
        vs_qnode *kid;
        st = parse_unary(q, &kid);
        q->depth--;
        if (st != VS_OK) return st;
        vs_qnode *nd = node(q, VS_Q_NOT);
        vs_qnode **k = vs_arena_alloc(q->arena, sizeof *k);
        if (!nd || !k) return VS_ERR_NOMEM;
        k[0] = kid;
        nd->kids = k;
        nd->nkids = 1;
        *out = nd;
        return VS_OK;
    }
    if (c == '(') {
        int top = q->depth == 0;
        q->pos++;
        vs_status st = enter(q);
        if (st != VS_OK) return st;
        skip_ws(q);
        if (peek(q) == ')') {
            if (top) return unexpected(q);
            return vs_err_set(q->err, VS_ERR, "Empty brackets detected at Position: %zu", q->pos);
        }
        st = parse_or(q, out);
        if (st != VS_OK) return st;
        skip_ws(q);
        if (peek(q) != ')')
            return vs_err_set(q->err, VS_ERR, "Expected ')' after expression got '%.*s'. Position: %zu",
                              peek(q) < 0 ? 0 : 1, (const char *)q->s + q->pos, q->pos);
        q->pos++;
        q->depth--;
        return VS_OK;
    }
    if (c == '@') return parse_field(q, out);
    if (c < 0) return vs_err_set(q->err, VS_ERR, "Invalid query string syntax");
    if (c == '|' || c == ')' || c == '*') return unexpected(q);
    return vs_err_set(q->err, VS_ERR, "Index does not have any text field");
}

static vs_status parse_and(qp *q, vs_qnode **out) {
    vs_qnode *first = NULL, *and = NULL;
    uint32_t cap = 0;
    for (;;) {
        skip_ws(q);
        int c = peek(q);
        if (c < 0 || c == '|' || c == ')') break;
        vs_qnode *kid;
        vs_status st = parse_unary(q, &kid);
        if (st != VS_OK) return st;
        if (!first) {
            first = kid;
            continue;
        }
        if (!and) {
            if ((st = count_term(q)) != VS_OK) return st;
            and = node(q, VS_Q_AND);
            if (!and) return VS_ERR_NOMEM;
            if ((st = add_kid(q, and, first, &cap)) != VS_OK) return st;
        }
        if ((st = add_kid(q, and, kid, &cap)) != VS_OK) return st;
    }
    if (!first) {
        if (peek(q) < 0) return vs_err_set(q->err, VS_ERR, "Invalid query string syntax");
        if (peek(q) == '|') return vs_err_set(q->err, VS_ERR, "Missing OR term");
        return unexpected(q);
    }
    *out = and ? and : first;
    return VS_OK;
}

static vs_status parse_or(qp *q, vs_qnode **out) {
    vs_qnode *first;
    vs_status st = parse_and(q, &first);
    if (st != VS_OK) return st;
    vs_qnode *or = NULL;
    uint32_t cap = 0;
    int levels = 0;
    for (;;) {
        skip_ws(q);
        if (peek(q) != '|') break;
        q->pos++;
        if ((st = enter(q)) != VS_OK) return st;
        levels++;
        skip_ws(q);
        int c = peek(q);
        if (c < 0 || c == '|' || c == ')') return vs_err_set(q->err, VS_ERR, "Missing OR term");
        vs_qnode *kid;
        if ((st = parse_and(q, &kid)) != VS_OK) return st;
        if (!or) {
            if ((st = count_term(q)) != VS_OK) return st;
            or = node(q, VS_Q_OR);
            if (!or) return VS_ERR_NOMEM;
            if ((st = add_kid(q, or, first, &cap)) != VS_OK) return st;
        }
        if ((st = add_kid(q, or, kid, &cap)) != VS_OK) return st;
    }
    q->depth -= levels;
    *out = or ? or : first;
    return VS_OK;
}

static int is_match_all(const uint8_t *p, size_t n) {
    trim(&p, &n);
    if (n == 1 && p[0] == '*') return 1;
    if (n >= 3 && p[0] == '(' && p[n - 1] == ')') {
        p++;
        n -= 2;
        trim(&p, &n);
        return n == 1 && p[0] == '*';
    }
    return 0;
}

/* ---- KNN clause --------------------------------------------------------- */

#define VS_MAX_KNN_TOKENS 64

static vs_status parse_knn(const uint8_t *c, size_t n, vs_knn_clause *k, vs_err *err) {
    vs_status st = VS_OK;
    if (n == 0) {
        st = vs_err_set(err, VS_ERR, "Vector query clause is missing");
    } else if (c[0] != '[') {
        st = vs_err_set(err, VS_ERR, "Expecting '[' got '%c'", (char)c[0]);
    } else if (c[n - 1] != ']') {
        st = vs_err_set(err, VS_ERR, "Expecting ']' got '%c'", (char)c[n - 1]);
    } else {
        vs_tok t[VS_MAX_KNN_TOKENS];
        int nt = 0;
        size_t i = 1, end = n - 1;
        while (i < end) { /* split on single spaces, skipping empties */
            while (i < end && c[i] == ' ') i++;
            size_t s = i;
            while (i < end && c[i] != ' ') i++;
            if (i > s) {
                if (nt == VS_MAX_KNN_TOKENS) {
                    st = vs_err_set(err, VS_ERR, "Unexpected argument `%.*s`", (int)(i - s), (const char *)c + s);
                    break;
                }
                t[nt].p = c + s;
                t[nt].n = i - s;
                nt++;
            }
        }
        if (st == VS_OK) {
            if (nt == 0)
                st = vs_err_set(err, VS_ERR, "Missing parameters");
            else if (!vs_eq_nocase(t[0].p, t[0].n, "KNN"))
                st = vs_err_set(err, VS_ERR, "`%.*s`. Expecting `KNN`", TOKF(t[0]));
            else if (nt < 2)
                st = vs_err_set(err, VS_ERR, "KNN argument is missing");
            else if (nt < 3)
                st = vs_err_set(err, VS_ERR, "Vector field argument is missing");
            else if (t[2].n < 2 || t[2].p[0] != '@')
                st = vs_err_set(err, VS_ERR, "Unexpected argument `%.*s`. Expecting a vector field name, starting with '@'",
                                TOKF(t[2]));
            else if (nt < 4)
                st = vs_err_set(err, VS_ERR, "Blob attribute argument is missing");
        }
        if (st == VS_OK) {
            k->k = t[1];
            k->field.p = t[2].p + 1;
            k->field.n = t[2].n - 1;
            k->blob = t[3];
            for (int j = 4; j < nt && st == VS_OK; j += 2) {
                if (vs_eq_nocase(t[j].p, t[j].n, "EF_RUNTIME")) {
                    if (j + 1 >= nt)
                        st = vs_err_set(err, VS_ERR, "EF_RUNTIME argument is missing");
                    else
                        k->ef = t[j + 1];
                } else if (vs_eq_nocase(t[j].p, t[j].n, "AS")) {
                    if (j + 1 >= nt)
                        st = vs_err_set(err, VS_ERR, "AS argument is missing");
                    else
                        k->as = t[j + 1];
                } else {
                    st = vs_err_set(err, VS_ERR, "Unexpected argument `%.*s`", TOKF(t[j]));
                }
            }
        }
    }
    if (st != VS_OK)
        return vs_err_prepend(err, "Error parsing vector similarity parameters: `%.*s`. ", (int)n, (const char *)c);
    k->present = 1;
    return VS_OK;
}

/* Position of the "=>" that starts the KNN clause: the first one followed
 * (after spaces) by '['; n when there is none. */
static size_t find_arrow(const uint8_t *q, size_t n) {
    for (size_t i = 0; i + 1 < n; i++) {
        if (q[i] != '=' || q[i + 1] != '>') continue;
        size_t j = i + 2;
        while (j < n && is_ws(q[j])) j++;
        if (j < n && q[j] == '[') return i;
    }
    return n;
}

vs_status vs_query_parse(const uint8_t *q, size_t n, const vs_schema *schema, vs_arena *arena, vs_query *out,
                         vs_err *err) {
    memset(out, 0, sizeof *out);
    if (n > VS_QUERY_MAX_BYTES)
        return vs_err_set(err, VS_ERR, "Query string is too long, max length is %d bytes.", VS_QUERY_MAX_BYTES);
    size_t arrow = find_arrow(q, n);
    const uint8_t *f = q;
    size_t fn = arrow;
    trim(&f, &fn);
    if (fn == 0 && arrow == n) return vs_err_set(err, VS_ERR, "Invalid query string syntax");
    if (fn > 0 && !is_match_all(f, fn)) {
        qp p = {f, fn, 0, schema, arena, err, 0, 0};
        vs_status st = parse_or(&p, &out->filter);
        if (st == VS_OK) {
            skip_ws(&p);
            if (p.pos < p.n) st = unexpected(&p);
        }
        if (st == VS_ERR_NOMEM) return st;
        if (st != VS_OK) return vs_err_prepend(err, "Invalid filter expression: `%.*s`. ", (int)fn, (const char *)f);
    }
    if (arrow < n) {
        const uint8_t *c = q + arrow + 2;
        size_t cn = n - arrow - 2;
        trim(&c, &cn);
        return parse_knn(c, cn, &out->knn, err);
    }
    return VS_OK;
}
