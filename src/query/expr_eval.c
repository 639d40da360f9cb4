/* expr_eval.c - evaluating a compiled expression (expr.h) against one
 * record, and the operators, as valkey-search's Expression::Evaluate and
 * value.cc's Func* operators do:
 *  - + - * / ^ read both sides as numbers (a string that does not read
 *    as one, or nil, gives nil); x/0 is NaN ("nan"); arrays broadcast;
 *  - < <= == != >= > compare with vs_value_cmp, where "unordered" (one
 *    side nil, or a NaN) makes ==, <= and >= true and the others false;
 *  - && || ! read truth as vs_value_true_compat (nil is false; a string
 *    by the release emulated) and give 0 or 1; both sides are always
 *    evaluated and read (no short cut: the legacy-branch counts see both).
 *
 * Invariants:
 *  - evaluation fails only with VS_ERR_NOMEM (the scratch arena);
 *  - recursion follows the tree's nesting, which the parser bounds; a
 *    chain (a run of one precedence level) is a loop.
 */
#include <math.h>
#include <string.h>

#include "query/expr_int.h"

static vs_status num_of(const vs_value *v, double *d, int *ok) {
    int r = vs_expr_as_num(v, d);
    if (r < 0) return VS_ERR_NOMEM;
    *ok = r;
    return VS_OK;
}

static vs_status scalar_arith(vs_expr_ctx *cx, int op, const vs_value *l, const vs_value *r, vs_value *out) {
    (void)cx;
    double a, b;
    int oka, okb;
    vs_status st = num_of(l, &a, &oka);
    if (st == VS_OK) st = num_of(r, &b, &okb);
    if (st != VS_OK) return st;
    if (!oka || !okb) {
        *out = vs_value_nil();
        return VS_OK;
    }
    double x;
    switch (op) {
    case VS_OP_ADD: x = a + b; break;
    case VS_OP_SUB: x = a - b; break;
    case VS_OP_MUL: x = a * b; break;
    case VS_OP_DIV:
        if (b == 0) {
            *out = vs_value_num(NAN); /* std::nan(""): positive */
            return VS_OK;
        }
        x = a / b;
        break;
    default: x = pow(a, b); break;
    }
    *out = vs_value_num(vs_expr_nan_of(x, a, b));
    return VS_OK;
}

static vs_status arith_add(vs_expr_ctx *cx, const vs_value *a, const vs_value *b, vs_value *o) {
    return scalar_arith(cx, VS_OP_ADD, a, b, o);
}
static vs_status arith_sub(vs_expr_ctx *cx, const vs_value *a, const vs_value *b, vs_value *o) {
    return scalar_arith(cx, VS_OP_SUB, a, b, o);
}
static vs_status arith_mul(vs_expr_ctx *cx, const vs_value *a, const vs_value *b, vs_value *o) {
    return scalar_arith(cx, VS_OP_MUL, a, b, o);
}
static vs_status arith_div(vs_expr_ctx *cx, const vs_value *a, const vs_value *b, vs_value *o) {
    return scalar_arith(cx, VS_OP_DIV, a, b, o);
}
static vs_status arith_pow(vs_expr_ctx *cx, const vs_value *a, const vs_value *b, vs_value *o) {
    return scalar_arith(cx, VS_OP_POW, a, b, o);
}

vs_status vs_expr_map1(vs_expr_ctx *cx, vs_expr_fn1 f, const vs_value *a, vs_value *out) {
    vs_value *items = NULL;
    if (a->n) {
        if (a->n > SIZE_MAX / sizeof *items) return VS_ERR_NOMEM;
        items = vs_arena_alloc(cx->ar, a->n * sizeof *items);
        if (!items) return VS_ERR_NOMEM;
    }
    for (size_t i = 0; i < a->n; i++) {
        vs_status st = f(cx, &a->items[i], &items[i]);
        if (st != VS_OK) return st;
        if (items[i].type == VS_V_NIL) {
            *out = vs_value_nil();
            return VS_OK;
        }
    }
    vs_value v = {0};
    v.type = VS_V_ARR;
    v.n = a->n;
    v.items = items;
    *out = v;
    return VS_OK;
}

vs_status vs_expr_map2(vs_expr_ctx *cx, vs_expr_fn2 f, const vs_value *a, const vs_value *b, vs_value *out) {
    int aa = a->type == VS_V_ARR, ba = b->type == VS_V_ARR;
    if (!aa && !ba) return f(cx, a, b, out);
    if (aa && ba && a->n != b->n) { /* "Length mismatch" */
        *out = vs_value_nil();
        return VS_OK;
    }
    size_t n = aa ? a->n : b->n;
    vs_value *items = NULL;
    if (n) {
        if (n > SIZE_MAX / sizeof *items) return VS_ERR_NOMEM;
        items = vs_arena_alloc(cx->ar, n * sizeof *items);
        if (!items) return VS_ERR_NOMEM;
    }
    for (size_t i = 0; i < n; i++) {
        vs_status st = f(cx, aa ? &a->items[i] : a, ba ? &b->items[i] : b, &items[i]);
        if (st != VS_OK) return st;
        if (items[i].type == VS_V_NIL) {
            *out = vs_value_nil();
            return VS_OK;
        }
    }
    vs_value v = {0};
    v.type = VS_V_ARR;
    v.n = n;
    v.items = items;
    *out = v;
    return VS_OK;
}

vs_status vs_expr_dyadic(vs_expr_ctx *cx, int op, const vs_value *l, const vs_value *r, vs_value *out) {
    int c;
    switch (op) {
    case VS_OP_ADD: return vs_expr_map2(cx, arith_add, l, r, out);
    case VS_OP_SUB: return vs_expr_map2(cx, arith_sub, l, r, out);
    case VS_OP_MUL: return vs_expr_map2(cx, arith_mul, l, r, out);
    case VS_OP_DIV: return vs_expr_map2(cx, arith_div, l, r, out);
    case VS_OP_POW: return vs_expr_map2(cx, arith_pow, l, r, out);
    case VS_OP_LOR:
    case VS_OP_LAND: {
        /* both sides read (and counted), as valkey-search's AsBool calls */
        int a = vs_value_true_compat(l, cx->compat), b = vs_value_true_compat(r, cx->compat);
        *out = vs_value_num(op == VS_OP_LOR ? (a || b) : (a && b));
        return VS_OK;
    }
    default: break;
    }
    c = vs_value_cmp(l, r);
    int t;
    switch (op) {
    case VS_OP_LT: t = c == -1; break;
    case VS_OP_LE: t = c != 1; break;
    case VS_OP_EQ: t = c == 0 || c == 2; break;
    case VS_OP_NE: t = c == -1 || c == 1; break;
    case VS_OP_GT: t = c == 1; break;
    default: t = c != -1; break; /* GE */
    }
    *out = vs_value_num(t);
    return VS_OK;
}

static vs_status eval(vs_expr_ctx *cx, const vs_expr *e, vs_value *out) {
    vs_status st;
    switch (e->kind) {
    case VS_EK_CONST: *out = e->v; return VS_OK;
    case VS_EK_FIELD: *out = cx->rec[e->slot]; return VS_OK;
    case VS_EK_NOT: {
        vs_value v;
        st = eval(cx, e->kids[0], &v);
        if (st != VS_OK) return st;
        *out = vs_value_num(!vs_value_true_compat(&v, cx->compat));
        return VS_OK;
    }
    case VS_EK_CHAIN: {
        vs_value acc, r;
        st = eval(cx, e->kids[0], &acc);
        for (uint32_t i = 0; st == VS_OK && i < e->n; i++) {
            st = eval(cx, e->kids[i + 1], &r);
            if (st == VS_OK) st = vs_expr_dyadic(cx, e->ops[i], &acc, &r, &acc);
        }
        if (st == VS_OK) *out = acc;
        return st;
    }
    default: { /* VS_EK_CALL */
        vs_value small[3], *argv = small;
        if (e->n > 3) {
            argv = vs_arena_alloc(cx->ar, e->n * sizeof *argv);
            if (!argv) return VS_ERR_NOMEM;
        }
        for (uint32_t i = 0; i < e->n; i++) {
            st = eval(cx, e->kids[i], &argv[i]);
            if (st != VS_OK) return st;
        }
        return vs_expr_funcs[e->fn].fn(cx, argv, e->n, out);
    }
    }
}

vs_status vs_expr_eval(const vs_expr *e, const vs_value *rec, vs_arena *scratch, vs_value *out) {
    return vs_expr_eval_compat(e, rec, scratch, NULL, out);
}

vs_status vs_expr_eval_compat(const vs_expr *e, const vs_value *rec, vs_arena *scratch, vs_compat *c, vs_value *out) {
    vs_expr_ctx cx = {.rec = rec, .ar = scratch, .compat = c};
    vs_value v;
    vs_status st = eval(&cx, e, &v);
    if (st == VS_OK) *out = v;
    return st;
}
