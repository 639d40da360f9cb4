/* args.c - argument iteration and number parsing for the FT.* parsers. */
#include "base/args.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/util.h"

int vs_args_peek_is(const vs_args *a, const char *kw) {
    return a->pos < a->end && vs_eq_nocase(a->argv[a->pos], a->len[a->pos], kw);
}

int vs_args_take_if(vs_args *a, const char *kw) {
    if (!vs_args_peek_is(a, kw)) return 0;
    a->pos++;
    return 1;
}

vs_status vs_args_next(vs_args *a, const uint8_t **p, size_t *n, vs_err *err) {
    if (a->pos >= a->end) return vs_err_set(err, VS_ERR, "Missing argument");
    *p = a->argv[a->pos];
    *n = a->len[a->pos];
    a->pos++;
    return VS_OK;
}

static int only_sign_and_digits(const uint8_t *p, size_t n) {
    if (n == 0) return 0;
    for (size_t i = 0; i < n; i++)
        if (p[i] != '-' && (p[i] < '0' || p[i] > '9')) return 0;
    return 1;
}

static vs_status bad_number(const uint8_t *p, size_t n, vs_err *err) {
    if (only_sign_and_digits(p, n))
        return vs_err_set(err, VS_ERR, "`%.*s` is outside acceptable bounds", (int)n, (const char *)p);
    return vs_err_set(err, VS_ERR, "`%.*s` is not a valid numeric value", (int)n, (const char *)p);
}

/* Decimal digits with an optional leading '-' (no '+', no spaces). */
static int parse_dec(const uint8_t *p, size_t n, int *neg, uint64_t *mag) {
    size_t i = 0;
    *neg = 0;
    if (n && p[0] == '-') {
        *neg = 1;
        i = 1;
    }
    if (i == n) return 0;
    uint64_t v = 0;
    for (; i < n; i++) {
        if (p[i] < '0' || p[i] > '9') return 0;
        unsigned d = (unsigned)(p[i] - '0');
        if (v > (UINT64_MAX - d) / 10) return 0;
        v = v * 10 + d;
    }
    *mag = v;
    return 1;
}

vs_status vs_parse_u64_tok(const uint8_t *p, size_t n, uint64_t max, uint64_t *out, vs_err *err) {
    int neg;
    uint64_t v;
    if (!parse_dec(p, n, &neg, &v) || (neg && v != 0) || v > max) return bad_number(p, n, err);
    *out = v;
    return VS_OK;
}

vs_status vs_parse_i64_tok(const uint8_t *p, size_t n, int64_t min, int64_t max, int64_t *out, vs_err *err) {
    int neg;
    uint64_t v;
    if (!parse_dec(p, n, &neg, &v)) return bad_number(p, n, err);
    if (neg) {
        if (v > (uint64_t)INT64_MAX + 1) return bad_number(p, n, err);
        int64_t s = (int64_t)(0 - v);
        if (s < min) return bad_number(p, n, err);
        *out = s;
    } else {
        if (v > (uint64_t)max) return bad_number(p, n, err);
        *out = (int64_t)v;
    }
    return VS_OK;
}

vs_status vs_args_u64(vs_args *a, uint64_t max, uint64_t *out, vs_err *err) {
    const uint8_t *p;
    size_t n;
    vs_status st = vs_args_next(a, &p, &n, err);
    if (st != VS_OK) return st;
    return vs_parse_u64_tok(p, n, max, out, err);
}

vs_status vs_args_i64(vs_args *a, int64_t min, int64_t max, int64_t *out, vs_err *err) {
    const uint8_t *p;
    size_t n;
    vs_status st = vs_args_next(a, &p, &n, err);
    if (st != VS_OK) return st;
    return vs_parse_i64_tok(p, n, min, max, out, err);
}

vs_status vs_err_prepend(vs_err *err, const char *fmt, ...) {
    char head[sizeof err->msg];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(head, sizeof head, fmt, ap);
    va_end(ap);
    if (n < 0) return err->code;
    /* msg = head + old msg, truncated to the buffer. */
    size_t hl = (size_t)n < sizeof err->msg - 1 ? (size_t)n : sizeof err->msg - 1;
    size_t tl = strlen(err->msg);
    if (hl + tl > sizeof err->msg - 1) tl = sizeof err->msg - 1 - hl;
    memmove(err->msg + hl, err->msg, tl);
    memcpy(err->msg, head, hl);
    err->msg[hl + tl] = '\0';
    for (char *c = err->msg; *c; c++)
        if (*c == '\r' || *c == '\n') *c = ' ';
    return err->code;
}
