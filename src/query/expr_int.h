/* expr_int.h - the inside of the expression language (expr.h): the
 * compiled tree, the function table, the evaluator's context and the
 * value helpers the parser, the evaluator and the functions share.  Only
 * src/query/expr*.c include it.
 *
 * Invariants:
 *  - a tree lives in its compile arena and is never changed after
 *    vs_expr_compile returns;
 *  - a chain node holds one precedence level's run `a op b op c ...`
 *    (valkey-search's left-associative Dyadic nodes, flattened so that
 *    evaluating a long run does not recurse per operator): recursion in
 *    the evaluator follows parentheses, `!` and call arguments only,
 *    which the parser bounds (VS_EXPR_MAX_DEPTH);
 *  - every NaN an operator or function makes is given its sign here
 *    (vs_expr_nan_of), so that results print the same in every build
 *    (WebAssembly leaves a new NaN's sign unspecified).
 */
#ifndef VS_EXPR_INT_H
#define VS_EXPR_INT_H

#include "query/expr.h"

/* valkey-search's query-string-depth default: nesting of primaries
 * (parentheses, `!`, function arguments) past it is "Expression too
 * complex". */
#define VS_EXPR_MAX_DEPTH 1000
/* concat's argument limit and the most any function takes. */
#define VS_EXPR_MAX_ARGS 50

typedef enum vs_expr_kind {
    VS_EK_CONST = 0, /* a literal or a $param's value (v) */
    VS_EK_FIELD,     /* @name: rec[slot] */
    VS_EK_NOT,       /* !kids[0] */
    VS_EK_CHAIN,     /* kids[0] ops[0] kids[1] ops[1] ... kids[n] */
    VS_EK_CALL,      /* fn(kids[0..n-1]) */
} vs_expr_kind;

typedef enum vs_expr_op {
    VS_OP_LOR = 0,
    VS_OP_LAND,
    VS_OP_LE,
    VS_OP_LT,
    VS_OP_EQ,
    VS_OP_NE,
    VS_OP_GE,
    VS_OP_GT,
    VS_OP_ADD,
    VS_OP_SUB,
    VS_OP_MUL,
    VS_OP_DIV,
    VS_OP_POW,
} vs_expr_op;

struct vs_expr {
    uint8_t kind;               /* vs_expr_kind */
    uint8_t fn;                 /* VS_EK_CALL: index in vs_expr_funcs */
    uint32_t n;                 /* CHAIN: operator count; CALL: argument count */
    int slot;                   /* FIELD */
    vs_value v;                 /* CONST (bytes in the compile arena) */
    const struct vs_expr **kids; /* operands / arguments */
    const uint8_t *ops;         /* CHAIN: n vs_expr_op codes */
};

/* What an evaluation carries down the tree. */
typedef struct vs_expr_ctx {
    const vs_value *rec; /* values by slot */
    vs_arena *ar;        /* scratch for strings and arrays made */
    vs_compat *compat;   /* the release answered as (NULL: the newest) */
} vs_expr_ctx;

/* A function: argv[argc] already evaluated (valkey-search evaluates every
 * argument before the call).  Fails only for memory. */
typedef vs_status (*vs_expr_fn)(vs_expr_ctx *cx, const vs_value *argv, uint32_t argc, vs_value *out);

typedef struct vs_expr_func {
    const char *name;
    uint8_t min_argc, max_argc;
    vs_expr_fn fn;
} vs_expr_func;

/* expr_func.c: the table, sorted by name (valkey-search's std::map). */
extern const vs_expr_func vs_expr_funcs[];
extern const size_t vs_expr_nfuncs;
/* Index of the function named name[len], or -1. */
int vs_expr_func_find(const uint8_t *name, size_t len);

/* expr_eval.c: a dyadic operator on two values (the chain evaluator's
 * step; arrays broadcast). */
vs_status vs_expr_dyadic(vs_expr_ctx *cx, int op, const vs_value *l, const vs_value *r, vs_value *out);
/* Apply a scalar function over an array's items, or over two arrays
 * pairwise / an array and a scalar (valkey-search's ApplyToElements,
 * ApplyWithScalar, ApplyElementWise): any nil item result makes the whole
 * result nil. */
typedef vs_status (*vs_expr_fn1)(vs_expr_ctx *cx, const vs_value *a, vs_value *out);
typedef vs_status (*vs_expr_fn2)(vs_expr_ctx *cx, const vs_value *a, const vs_value *b, vs_value *out);
vs_status vs_expr_map1(vs_expr_ctx *cx, vs_expr_fn1 f, const vs_value *a, vs_value *out);
vs_status vs_expr_map2(vs_expr_ctx *cx, vs_expr_fn2 f, const vs_value *a, const vs_value *b, vs_value *out);

/* expr_value.c */
/* strtod over the longest prefix of s[n] that strtod could read (the
 * bytes are copied and terminated first: s need not be).  Returns the
 * count of bytes read (0: no number), -1 for lack of memory. */
long vs_expr_strtod(const uint8_t *s, size_t n, double *out);
/* vs_value_as_num, but lack of memory is told apart: 1 number, 0 not,
 * -1 no memory. */
int vs_expr_as_num(const vs_value *v, double *out);
/* A number as valkey-search writes it (std::to_chars shortest form,
 * "nan"/"-nan"); buf holds at least VS_EXPR_NUM_MAX bytes.  Returns the
 * length. */
#define VS_EXPR_NUM_MAX 32
size_t vs_expr_fmt_num(double d, char *buf);
/* The value's text for string functions (AsStringView): numbers
 * formatted into buf (VS_EXPR_NUM_MAX), strings as they are; 0 for nil
 * and arrays. */
int vs_expr_as_text(const vs_value *v, char *buf, const uint8_t **s, size_t *n);
/* A string value made in the scratch arena (copy of s[n]); NOMEM on
 * failure. */
vs_status vs_expr_make_str(vs_expr_ctx *cx, const void *s, size_t n, vs_value *out);
/* The NaN a computation gives: an operand's NaN if there is one (the
 * first), else x86's default NaN (sign set), as valkey-search on x86-64
 * answers.  r is the raw result. */
double vs_expr_nan_of(double r, double a, double b);
int vs_expr_isnan(double d);
int vs_expr_isinf(double d);
/* (int64_t)d as x86-64 converts it: NaN and out-of-range give INT64_MIN. */
int64_t vs_expr_to_i64(double d);

/* valkey-search's UTF-8 scanner: the next code point at *pos (a byte
 * that does not start a well-formed sequence is its own value), and its
 * encoding (1-4 bytes written, the count returned). */
uint32_t vs_expr_utf8_next(const uint8_t *s, size_t n, size_t *pos);
size_t vs_expr_utf8_put(uint8_t *o, uint32_t c);

/* expr_func.c: time helpers shared with the tests. */
/* Civil date of a Unix time (UTC) into tm-like fields; 0 if the year is
 * out of int range. */
typedef struct vs_expr_tm {
    int sec, min, hour, mday, mon, year, wday, yday; /* as struct tm */
} vs_expr_tm;
int vs_expr_gmtime(int64_t t, vs_expr_tm *tm);
/* mktime of a (possibly unnormalised) tm, the server's zone being UTC. */
double vs_expr_timegm(const vs_expr_tm *tm);

#endif
