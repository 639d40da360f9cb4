/* expr.h - the expression language of FT.AGGREGATE's APPLY, FILTER,
 * SORTBY and GROUPBY stages, as valkey-search documents it
 * (docs/topics/search-expressions.md) and implements it (src/expr/):
 * dynamically typed values (nil, number, string, array), arithmetic,
 * comparison, logic, string, math and time functions, `@field`
 * references and `$param` references.
 *
 * An expression is compiled once per command into an arena (the
 * command's temporaries), with every `@name` turned into a slot number by
 * the caller's resolver and every `$param` replaced by its value; it is
 * then evaluated per record, a record being an array of values indexed by
 * slot.  Strings an evaluation makes are allocated in the scratch arena
 * given to vs_expr_eval; a caller that keeps a result past that arena's
 * life copies it (vs_value_copy).
 *
 * Invariants:
 *  - a compiled expression never refers to a slot its resolver did not
 *    return;
 *  - evaluation never fails except for lack of memory: a type mismatch,
 *    a conversion that fails, a division by zero or a bad function
 *    argument give nil (or the number valkey-search gives), never an
 *    error;
 *  - values do not own their bytes (a string points into the record,
 *    the arena or the expression).
 */
#ifndef VS_EXPR_H
#define VS_EXPR_H

#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/status.h"

typedef enum vs_vtype {
    VS_V_NIL = 0,
    VS_V_NUM = 1,
    VS_V_STR = 2,
    VS_V_ARR = 3, /* a reducer's list (TOLIST, RANDOM_SAMPLE): items[n] */
} vs_vtype;

typedef struct vs_value {
    uint8_t type;       /* vs_vtype */
    double num;         /* VS_V_NUM */
    const uint8_t *s;   /* VS_V_STR: bytes (not terminated) */
    size_t n;           /* VS_V_STR: length; VS_V_ARR: item count */
    const struct vs_value *items; /* VS_V_ARR */
} vs_value;

static inline vs_value vs_value_nil(void) {
    vs_value v = {0};
    return v;
}
static inline vs_value vs_value_num(double d) {
    vs_value v = {0};
    v.type = VS_V_NUM;
    v.num = d;
    return v;
}
static inline vs_value vs_value_str(const uint8_t *s, size_t n) {
    vs_value v = {0};
    v.type = VS_V_STR;
    v.s = s;
    v.n = n;
    return v;
}

/* Conversions as valkey-search's Value does them.  A string is a number
 * when the whole of it parses as one; returns 1 and sets *out, else 0. */
int vs_value_as_num(const vs_value *v, double *out);
/* The value as a reply string (a number formatted as valkey-search
 * formats it, std::to_chars's shortest form: the fewest digits that read
 * back exactly, in fixed or exponent form whichever is shorter, fixed on
 * a tie: "1", "0.5", "1e+05", "1e-04", "123456789012345683968",
 * "-0", "inf", "-inf", "nan", "-nan").  Strings are returned as they are;
 * a number's text goes into the arena; nil and arrays give "".  NULL for
 * lack of memory. */
const uint8_t *vs_value_text(const vs_value *v, vs_arena *ar, size_t *len);
/* Truth as FILTER and && || ! read it (valkey-search's IsTrue, 1.2.1): a
 * number not 0 (NaN is true), a non-empty string (even "0"); nil and
 * arrays are false. */
int vs_value_true(const vs_value *v);
/* Ordering of two values as the relational operators and SORTBY use it:
 * -1, 0, 1, or 2 for unordered (one side nil, or a NaN).  nil == nil;
 * two numbers numerically (-0 == 0); two strings bytewise; a number and a
 * string numerically when the string reads as a number, else as text;
 * arrays element by element, then by length; an array and a scalar are
 * unordered. */
int vs_value_cmp(const vs_value *a, const vs_value *b);
/* A deep copy of v whose bytes live in ar (strings and arrays). */
vs_status vs_value_copy(vs_value *dst, const vs_value *v, vs_arena *ar);

/* Resolve a field reference (the name without '@') to a slot: return a
 * slot >= 0, or a negative vs_status after setting err (valkey-search's
 * text for an unknown field).  `create` is set for names an APPLY ... AS
 * defines. */
typedef int (*vs_expr_resolve_fn)(void *ctx, const uint8_t *name, size_t len, int create, vs_err *err);
/* Look a parameter up (the name without '$'): 1 and its value, or 0. */
typedef int (*vs_expr_param_fn)(void *ctx, const uint8_t *name, size_t len, const uint8_t **val, size_t *vlen);

typedef struct vs_expr vs_expr; /* opaque, arena-allocated */

/* Compile the text of one expression.  Errors are valkey-search's texts
 * for a syntax error, an unknown function, a wrong number of arguments,
 * a missing parameter; the resolver's error is passed on.  On error *out
 * is untouched. */
vs_status vs_expr_compile(const uint8_t *text, size_t len, vs_expr_resolve_fn resolve, vs_expr_param_fn param,
                          void *ctx, vs_arena *ar, const vs_expr **out, vs_err *err);

/* Evaluate against a record (values by slot).  Fails only with
 * VS_ERR_NOMEM (scratch allocation); *out may point into rec, the
 * expression or scratch. */
vs_status vs_expr_eval(const vs_expr *e, const vs_value *rec, vs_arena *scratch, vs_value *out);

/* 1 if the expression is a bare field reference (@f); *slot gets it. */
int vs_expr_is_field(const vs_expr *e, int *slot);

/* ---- search.emulate-release ----------------------------------------------
 * valkey-search keeps the behaviour of its releases before a
 * compatibility fix (one that makes it answer as RediSearch does) behind
 * the setting search.emulate-release: at a gated site the fixed branch
 * runs when the setting is at least the fix's release, the legacy one
 * otherwise, and each run of a legacy branch is counted (INFO field
 * `compatibility-<label>`, shown once its site has been reached).  The
 * default is the major release, 1.0.0: every legacy branch.  Vessel
 * emulates up to 1.2.1.
 *
 * The engine owns one vs_compat (no globals); FT.AGGREGATE hands it to
 * the parse and the evaluation.  A NULL vs_compat means the newest
 * release Vessel emulates, uncounted (vs_expr_eval, vs_value_true). */
#define VS_RELEASE(ma, mi, pa) (((uint32_t)(ma) << 16) | ((uint32_t)(mi) << 8) | (uint32_t)(pa))
#define VS_RELEASE_MIN VS_RELEASE(1, 0, 0)
#define VS_RELEASE_MAX VS_RELEASE(1, 2, 1)     /* the module version Vessel answers as */
#define VS_RELEASE_DEFAULT VS_RELEASE(1, 0, 0) /* the major release */

/* The gated sites (valkey-search's labels, in its INFO field order:
 * vs_compat_label). */
typedef enum vs_compat_site {
    VS_COMPAT_AGGREGATE_REDUCER_DEFAULT_ALIAS = 0, /* fixed in 1.3.0: always legacy here */
    VS_COMPAT_ASBOOL_STRING_TRUTHY,
    VS_COMPAT_DATE_FN_NEGATIVE_TS_TO_NIL,
    VS_COMPAT_LOWER_NON_STRING_TO_NIL,
    VS_COMPAT_MONTH_MDAY_OFF_BY_ONE,
    VS_COMPAT_NUMERIC_UNARY_NAN_ON_UNPARSABLE,
    VS_COMPAT_PARSETIME_FORMAT_MISMATCH_TO_NIL,
    VS_COMPAT_TIMEFMT_EMPTY_FORMAT_TO_NIL,
    VS_COMPAT_UPPER_NON_STRING_TO_NIL,
    VS_COMPAT_NSITES
} vs_compat_site;

typedef struct vs_compat {
    uint32_t release;                  /* VS_RELEASE(...) in [MIN, MAX] */
    uint32_t reached;                  /* bit per site: reached at least once */
    uint64_t legacy[VS_COMPAT_NSITES]; /* runs of each legacy branch */
} vs_compat;

/* Defaults: release 1.0.0, nothing counted. */
void vs_compat_init(vs_compat *c);
/* The site's label ("asbool_string_truthy" ...). */
const char *vs_compat_label(int site);
/* Whether the fix of `site` applies (release at least its release); counts
 * the reach and, for the legacy branch, the run.  c may be NULL (fixed). */
int vs_compat_fixed(vs_compat *c, int site);
/* Parse a release as valkey-search's config parser does
 * ("<major>.<minor>.<patch>", each a decimal number within 65535, 255,
 * 255; absl's SimpleAtoi: surrounding ASCII space and a '+' allowed) and
 * check the setting's range.  0 and *out, or -1 after writing
 * valkey-search's text into why (Valkey keeps 255 bytes of a module's
 * CONFIG SET error: give a buffer of 256). */
int vs_compat_parse_release(const uint8_t *s, size_t n, uint32_t *out, char *why, size_t whylen);
/* "major.minor.patch" into buf (size >= 16). */
void vs_compat_format_release(uint32_t release, char *buf, size_t len);

/* vs_expr_eval and vs_value_true as release c->release answers (NULL:
 * the newest), counting legacy runs in c. */
vs_status vs_expr_eval_compat(const vs_expr *e, const vs_value *rec, vs_arena *scratch, vs_compat *c, vs_value *out);
int vs_value_true_compat(const vs_value *v, vs_compat *c);

#endif
