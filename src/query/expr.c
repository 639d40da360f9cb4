/* expr.c - the expression language's scanner and parser (expr.h): text to
 * a tree in the compile arena, as valkey-search's Compiler
 * (src/expr/expr.cc) reads it, error texts and positions included.
 *
 * Grammar, as the code parses it (the documented grammar differs):
 *   lor  := land { "||" land }
 *   land := cmp  { "&&" cmp }
 *   cmp  := add  { ("<=" | "<" | "==" | "!=" | ">=" | ">") add }
 *   add  := mul  { ("+" | "-") mul }
 *   mul  := prim { ("*" | "/" | "^") prim }        (no "%": it is refused)
 *   prim := "(" lor ")" | number | "!" prim | "@" ident | "$" ident
 *         | 'string' | "string" | ident "(" [lor { "," lor }] ")"
 * every level left-associative; a number is whatever strtod reads at a
 * '+', '-', '.' or digit (so "-1", "+inf", "1e3", "0x10"; bare "inf" is
 * not a number); a string's backslash takes the next byte as it is.
 *
 * Invariants:
 *  - parsing recurses through prim only, at most VS_EXPR_MAX_DEPTH deep;
 *  - a failed compile leaves *out untouched (the arena may hold parts);
 *  - every error is reported with valkey-search's text and position, and
 *    lack of memory as VS_ERR_NOMEM.
 */
#include <stdio.h>
#include <string.h>

#include "query/expr_int.h"

typedef struct parser {
    const uint8_t *s; /* the text */
    size_t n, pos;    /* its length; the scanner's position */
    int depth;        /* prim nesting */
    vs_expr_resolve_fn resolve;
    vs_expr_param_fn param;
    void *ctx;
    vs_arena *ar;
    vs_err *err;
} parser;

static const char kInvalid[] = "Invalid or missing expression";

static int peek(const parser *p) { return p->pos < p->n ? p->s[p->pos] : -1; }
static int is_space(int c) { return c == ' ' || (c >= '\t' && c <= '\r'); }
static int is_ident(int c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
static void skip_ws(parser *p) {
    while (p->pos < p->n && is_space(p->s[p->pos])) p->pos++;
}
static int peek_ws(const parser *p) {
    size_t k = p->pos;
    while (k < p->n && is_space(p->s[k])) k++;
    return k < p->n ? p->s[k] : -1;
}
/* Skip space and take `w`; on a mismatch the position is kept. */
static int pop_word(parser *p, const char *w) {
    size_t k = p->pos;
    while (k < p->n && is_space(p->s[k])) k++;
    for (size_t i = 0; w[i]; i++, k++)
        if (k >= p->n || p->s[k] != (uint8_t)w[i]) return 0;
    p->pos = k;
    return 1;
}

static vs_expr *node(parser *p, int kind) {
    vs_expr *e = vs_arena_alloc(p->ar, sizeof *e);
    if (e) {
        memset(e, 0, sizeof *e);
        e->kind = (uint8_t)kind;
    }
    return e;
}

/* A list of children growing in the arena (the old array stays there). */
typedef struct kidlist {
    const vs_expr **v;
    uint8_t *ops;
    uint32_t n, cap;
} kidlist;

static int kid_push(parser *p, kidlist *l, const vs_expr *e, int op) {
    if (l->n == l->cap) {
        uint32_t cap = l->cap ? l->cap * 2 : 4;
        if (cap < l->cap || cap > (1u << 28)) return 0;
        const vs_expr **v = vs_arena_alloc(p->ar, cap * sizeof *v);
        uint8_t *ops = vs_arena_alloc(p->ar, cap);
        if (!v || !ops) return 0;
        if (l->n) {
            memcpy(v, l->v, l->n * sizeof *v);
            memcpy(ops, l->ops, l->n);
        }
        l->v = v;
        l->ops = ops;
        l->cap = cap;
    }
    l->v[l->n] = e;
    l->ops[l->n] = (uint8_t)op;
    l->n++;
    return 1;
}

static vs_status lor(parser *p, const vs_expr **out);
static vs_status prim(parser *p, const vs_expr **out);

/* The operator levels, lowest first. */
typedef struct oplevel {
    const char *word[6];
    uint8_t op[6];
} oplevel;
static const oplevel kLevels[] = {
    {{"||"}, {VS_OP_LOR}},
    {{"&&"}, {VS_OP_LAND}},
    {{"<=", "<", "==", "!=", ">=", ">"}, {VS_OP_LE, VS_OP_LT, VS_OP_EQ, VS_OP_NE, VS_OP_GE, VS_OP_GT}},
    {{"+", "-"}, {VS_OP_ADD, VS_OP_SUB}},
    {{"*", "/", "^"}, {VS_OP_MUL, VS_OP_DIV, VS_OP_POW}},
};
#define NLEVELS 5

/* A finished run: its one operand, or a chain node. */
static vs_status finish(parser *p, kidlist *l, const vs_expr **out) {
    if (l->n == 1) {
        *out = l->v[0];
        return VS_OK;
    }
    vs_expr *e = node(p, VS_EK_CHAIN);
    if (!e) return VS_ERR_NOMEM;
    e->n = l->n - 1;
    e->kids = l->v;
    e->ops = l->ops + 1; /* ops[i] joins kids[i] and kids[i + 1] */
    *out = e;
    return VS_OK;
}

/* valkey-search's five nested DoDyadic levels, unrolled: after each
 * operand the operators are tried from the innermost level out (* / ^,
 * + -, comparisons, &&, ||), exactly the order the recursive parser tries
 * them in; a level's run stays open while operators of higher levels
 * follow.  The same trees and errors, with recursion only at prim. */
static vs_status lor(parser *p, const vs_expr **out) {
    kidlist open[NLEVELS];
    uint8_t pend[NLEVELS];
    memset(open, 0, sizeof open);
    const vs_expr *x;
    vs_status st = prim(p, &x);
    if (st != VS_OK) return st;
    if (!x) {
        *out = NULL;
        return VS_OK;
    }
    for (;;) {
        int k = -1, op = 0;
        if (peek_ws(p) != -1)
            for (int lv = NLEVELS - 1; lv >= 0 && k < 0; lv--)
                for (int i = 0; i < 6 && kLevels[lv].word[i]; i++)
                    if (pop_word(p, kLevels[lv].word[i])) {
                        k = lv;
                        op = kLevels[lv].op[i];
                        break;
                    }
        for (int lv = NLEVELS - 1; lv > k; lv--) {
            if (!open[lv].n) continue;
            if (!kid_push(p, &open[lv], x, pend[lv])) return VS_ERR_NOMEM;
            st = finish(p, &open[lv], &x);
            if (st != VS_OK) return st;
            memset(&open[lv], 0, sizeof open[lv]);
        }
        if (k < 0) {
            *out = x;
            return VS_OK;
        }
        if (!kid_push(p, &open[k], x, open[k].n ? pend[k] : 0)) return VS_ERR_NOMEM;
        pend[k] = (uint8_t)op;
        st = prim(p, &x);
        if (st != VS_OK) return st;
        if (!x) return vs_err_set(p->err, VS_ERR, "%s", kInvalid);
    }
}

static vs_status number(parser *p, const vs_expr **out) {
    double d;
    long used = vs_expr_strtod(p->s + p->pos, p->n - p->pos, &d);
    if (used < 0) return VS_ERR_NOMEM;
    if (used == 0) {
        *out = NULL;
        return VS_OK;
    }
    p->pos += (size_t)used;
    vs_expr *e = node(p, VS_EK_CONST);
    if (!e) return VS_ERR_NOMEM;
    e->v = vs_value_num(d);
    *out = e;
    return VS_OK;
}

static vs_status quoted(parser *p, const vs_expr **out) {
    int q = p->s[p->pos++];
    /* first pass: find the closing quote and the length */
    size_t k = p->pos, len = 0;
    for (;;) {
        if (k >= p->n) return vs_err_set(p->err, VS_ERR, "Missing trailing quote");
        if (p->s[k] == q) break;
        if (p->s[k] == '\\') {
            k++;
            if (k >= p->n) return vs_err_set(p->err, VS_ERR, "Missing trailing quote");
        }
        k++;
        len++;
    }
    uint8_t *b = vs_arena_alloc(p->ar, len ? len : 1);
    vs_expr *e = node(p, VS_EK_CONST);
    if (!b || !e) return VS_ERR_NOMEM;
    size_t o = 0;
    while (p->s[p->pos] != q) {
        if (p->s[p->pos] == '\\') p->pos++;
        b[o++] = p->s[p->pos++];
    }
    p->pos++;
    e->v = vs_value_str(b, len);
    *out = e;
    return VS_OK;
}

static vs_status attribute(parser *p, const vs_expr **out) {
    p->pos++; /* '@' */
    size_t at = p->pos;
    /* identifier characters as valkey-search reads them: UTF-8 decoded,
     * kept when the code point is an ASCII letter, digit or '_' */
    size_t len = 0, k = p->pos;
    while (k < p->n) {
        size_t q = k;
        uint32_t c = vs_expr_utf8_next(p->s, p->n, &q);
        if (c > 0x7F || !is_ident((int)c)) break;
        k = q;
        len++;
    }
    uint8_t *name = vs_arena_alloc(p->ar, len ? len : 1);
    vs_expr *e = node(p, VS_EK_FIELD);
    if (!name || !e) return VS_ERR_NOMEM;
    for (size_t i = 0; i < len; i++) name[i] = (uint8_t)vs_expr_utf8_next(p->s, p->n, &p->pos);
    int slot = p->resolve(p->ctx, name, len, 0, p->err);
    if (slot < 0) {
        vs_status st = (vs_status)slot;
        if (st == VS_ERR_NOMEM) return st;
        if (p->err) {
            size_t m = strlen(p->err->msg);
            if (!m) {
                snprintf(p->err->msg, sizeof p->err->msg, "%s", vs_status_text(st));
                m = strlen(p->err->msg);
            }
            snprintf(p->err->msg + m, sizeof p->err->msg - m, " near position %zu", at);
            p->err->code = st;
        }
        return st;
    }
    e->slot = slot;
    *out = e;
    return VS_OK;
}

static vs_status parameter(parser *p, const vs_expr **out) {
    p->pos++; /* '$' */
    size_t b = p->pos;
    while (p->pos < p->n && is_ident(p->s[p->pos])) p->pos++;
    const uint8_t *val = NULL;
    size_t vlen = 0;
    if (!p->param || !p->param(p->ctx, p->s + b, p->pos - b, &val, &vlen))
        return vs_err_set(p->err, VS_ERR, "parameter %.*s not found.", (int)(p->pos - b), (const char *)p->s + b);
    vs_expr *e = node(p, VS_EK_CONST);
    uint8_t *copy = vs_arena_alloc(p->ar, vlen ? vlen : 1);
    if (!e || !copy) return VS_ERR_NOMEM;
    if (vlen) memcpy(copy, val, vlen);
    e->v = vs_value_str(copy, vlen);
    *out = e;
    return VS_OK;
}

static vs_status call(parser *p, const vs_expr **out) {
    size_t start = p->pos;
    while (p->pos < p->n && is_ident(p->s[p->pos])) p->pos++;
    size_t name_end = p->pos;
    if (!pop_word(p, "(")) {
        p->pos = start;
        *out = NULL;
        return VS_OK;
    }
    kidlist args = {0};
    for (;;) {
        skip_ws(p);
        if (peek(p) == ')') {
            p->pos++;
            const uint8_t *name = p->s + start;
            int nl = (int)(name_end - start);
            int fi = vs_expr_func_find(name, name_end - start);
            if (fi < 0) return vs_err_set(p->err, VS_ERR, "Function %.*s is unknown", nl, (const char *)name);
            const vs_expr_func *f = &vs_expr_funcs[fi];
            if (args.n < f->min_argc)
                return vs_err_set(p->err, VS_ERR, "Function %.*s expects at least %u arguments, but only %u were found.",
                                  nl, (const char *)name, (unsigned)f->min_argc, (unsigned)args.n);
            if (args.n > f->max_argc)
                return vs_err_set(p->err, VS_ERR, "Function %.*s expects no more than %u arguments, but %u were found.",
                                  nl, (const char *)name, (unsigned)f->max_argc, (unsigned)args.n);
            vs_expr *e = node(p, VS_EK_CALL);
            if (!e) return VS_ERR_NOMEM;
            e->fn = (uint8_t)fi;
            e->n = args.n;
            e->kids = args.v;
            *out = e;
            return VS_OK;
        }
        if (args.n && peek(p) != ',')
            return vs_err_set(p->err, VS_ERR, "Expected , or ) near position %zu", p->pos);
        if (args.n) p->pos++;
        const vs_expr *a;
        vs_status st = lor(p, &a);
        if (st != VS_OK) return st;
        if (!a) return vs_err_set(p->err, VS_ERR, "Expected , or ) near position %zu", p->pos);
        if (!kid_push(p, &args, a, 0)) return VS_ERR_NOMEM;
    }
}

static vs_status prim_in(parser *p, const vs_expr **out) {
    if (p->depth > VS_EXPR_MAX_DEPTH) return vs_err_set(p->err, VS_ERR, "Expression too complex");
    skip_ws(p);
    int c = peek(p);
    switch (c) {
    case '(': {
        p->pos++;
        vs_status st = lor(p, out);
        if (st == VS_ERR_NOMEM) return st;
        /* valkey-search looks for ')' before it looks at the inner result */
        if (!pop_word(p, ")")) return vs_err_set(p->err, VS_ERR, "Expected ')' at or near position %zu", p->pos);
        return st;
    }
    case '+': case '-': case '.':
    case '0': case '1': case '2': case '3': case '4':
    case '5': case '6': case '7': case '8': case '9':
        return number(p, out);
    case '!': {
        p->pos++;
        const vs_expr *k;
        vs_status st = prim(p, &k);
        if (st != VS_OK) return st;
        if (!k) return vs_err_set(p->err, VS_ERR, "%s", kInvalid);
        vs_expr *e = node(p, VS_EK_NOT);
        const vs_expr **kids = vs_arena_alloc(p->ar, sizeof *kids);
        if (!e || !kids) return VS_ERR_NOMEM;
        kids[0] = k;
        e->kids = kids;
        *out = e;
        return VS_OK;
    }
    case '@': return attribute(p, out);
    case '\'': case '"': return quoted(p, out);
    case '$': return parameter(p, out);
    case -1: *out = NULL; return VS_OK;
    default: return call(p, out);
    }
}

static vs_status prim(parser *p, const vs_expr **out) {
    p->depth++;
    vs_status st = prim_in(p, out);
    p->depth--;
    return st;
}

vs_status vs_expr_compile(const uint8_t *text, size_t len, vs_expr_resolve_fn resolve, vs_expr_param_fn param,
                          void *ctx, vs_arena *ar, const vs_expr **out, vs_err *err) {
    parser p = {.s = text, .n = len, .resolve = resolve, .param = param, .ctx = ctx, .ar = ar, .err = err};
    const vs_expr *e = NULL;
    vs_status st = lor(&p, &e);
    if (st != VS_OK) return st == VS_ERR_NOMEM ? vs_err_code(err, st) : st;
    if (!e) return vs_err_set(err, VS_ERR, "%s", kInvalid);
    if (peek_ws(&p) != -1) return vs_err_set(err, VS_ERR, "Extra characters at or near position %zu", p.pos);
    *out = e;
    return VS_OK;
}

int vs_expr_is_field(const vs_expr *e, int *slot) {
    if (!e || e->kind != VS_EK_FIELD) return 0;
    if (slot) *slot = e->slot;
    return 1;
}
