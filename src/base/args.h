/* args.h - an iterator over command arguments for the FT.* parsers, with
 * the error texts of valkey-search's argument parser ("Missing argument",
 * "`x` is not a valid numeric value", "`x` is outside acceptable bounds",
 * "Unknown argument `x`", ...), so every parser words errors alike. */
#ifndef VS_ARGS_H
#define VS_ARGS_H

#include <stddef.h>
#include <stdint.h>

#include "base/status.h"

typedef struct vs_args {
    const uint8_t *const *argv;
    const size_t *len;
    int pos; /* next argument */
    int end; /* one past the last argument */
} vs_args;

static inline int vs_args_left(const vs_args *a) { return a->end - a->pos; }
/* Is the next argument keyword kw (case-insensitive)? */
int vs_args_peek_is(const vs_args *a, const char *kw);
/* Take the next argument if it is kw. */
int vs_args_take_if(vs_args *a, const char *kw);
/* Take the next argument ("Missing argument" when there is none). */
vs_status vs_args_next(vs_args *a, const uint8_t **p, size_t *n, vs_err *err);

/* Integers: the whole token must parse.  Errors as valkey-search:
 * "`x` is outside acceptable bounds" when x is made of '-' and digits
 * (negative into unsigned, overflow), else "`x` is not a valid numeric
 * value".  The text is written to err without a prefix; callers prepend. */
vs_status vs_args_u64(vs_args *a, uint64_t max, uint64_t *out, vs_err *err);
vs_status vs_args_i64(vs_args *a, int64_t min, int64_t max, int64_t *out, vs_err *err);
/* Parse one token as an integer with the same rules. */
vs_status vs_parse_u64_tok(const uint8_t *p, size_t n, uint64_t max, uint64_t *out, vs_err *err);
vs_status vs_parse_i64_tok(const uint8_t *p, size_t n, int64_t min, int64_t max, int64_t *out, vs_err *err);

/* Prepend text to the message already in err (keeps its code). */
vs_status vs_err_prepend(vs_err *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
