/* expr_value.c - the values of the expression language (expr.h) as
 * valkey-search's Value (src/expr/value.cc) converts, prints, compares
 * and tests them.
 *
 * Invariants:
 *  - a string is a number when strtod reads all of it (leading white
 *    space, hex, inf, exponents accepted; trailing bytes, an embedded NUL
 *    or a NaN refused; the empty string reads as 0, as strtod leaves it);
 *  - a number prints as std::to_chars writes a double (the shortest text
 *    that reads back exactly, fixed or exponent form whichever is
 *    shorter, large integers in full), NaN as "nan"/"-nan": built from
 *    snprintf's exact %e/%f and strtod, which agree in glibc and in
 *    emscripten's musl, so native and WebAssembly builds print alike;
 *  - nothing here allocates except vs_value_text / vs_value_copy (in the
 *    arena given) and the strtod of a long number-like string.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "query/expr_int.h"

static const uint64_t kExpMask = 0x7FF0000000000000ull;
static const uint64_t kManMask = 0x000FFFFFFFFFFFFFull;
static const uint64_t kSignMask = 0x8000000000000000ull;

static uint64_t bits_of(double d) {
    uint64_t u;
    memcpy(&u, &d, sizeof u);
    return u;
}
static double of_bits(uint64_t u) {
    double d;
    memcpy(&d, &u, sizeof d);
    return d;
}

int vs_expr_isnan(double d) {
    uint64_t u = bits_of(d);
    return (u & kExpMask) == kExpMask && (u & kManMask) != 0;
}
int vs_expr_isinf(double d) {
    uint64_t u = bits_of(d);
    return (u & kExpMask) == kExpMask && (u & kManMask) == 0;
}

double vs_expr_nan_of(double r, double a, double b) {
    if (!vs_expr_isnan(r)) return r;
    if (vs_expr_isnan(a)) return of_bits(bits_of(a) | 0x0008000000000000ull);
    if (vs_expr_isnan(b)) return of_bits(bits_of(b) | 0x0008000000000000ull);
    return of_bits(0xFFF8000000000000ull); /* x86's default NaN: -nan */
}

int64_t vs_expr_to_i64(double d) {
    if (vs_expr_isnan(d) || d >= 9223372036854775808.0 || d < -9223372036854775808.0) return INT64_MIN;
    return (int64_t)d;
}

static int c_space(int c) { return c == ' ' || (c >= '\t' && c <= '\r'); }
static int lc(int c) { return (c >= 'A' && c <= 'Z') ? c + 32 : c; }
static int is_dig(int c) { return c >= '0' && c <= '9'; }
static int is_hex(int c) { return is_dig(c) || (lc(c) >= 'a' && lc(c) <= 'f'); }
static int word_at(const uint8_t *s, size_t n, size_t k, const char *w) {
    for (size_t i = 0; w[i]; i++)
        if (k + i >= n || lc(s[k + i]) != w[i]) return 0;
    return 1;
}

/* The longest text strtod could read at s (no leading space): sign, then
 * inf[inity], nan[(chars)], 0x hex[.hex][p[sign]digits] or
 * digits[.digits][e[sign]digits].  An upper bound: strtod itself decides
 * (it backs off an exponent without digits, for one).  Bounding the copy
 * keeps compiling `1+1+1...` linear. */
static size_t num_span(const uint8_t *s, size_t n) {
    size_t k = 0;
    if (k < n && (s[k] == '+' || s[k] == '-')) k++;
    if (word_at(s, n, k, "inf")) return k + (word_at(s, n, k + 3, "inity") ? 8 : 3);
    if (word_at(s, n, k, "nan")) {
        k += 3;
        if (k < n && s[k] == '(') {
            size_t j = k + 1;
            while (j < n && (is_dig(s[j]) || (lc(s[j]) >= 'a' && lc(s[j]) <= 'z') || s[j] == '_')) j++;
            if (j < n && s[j] == ')') k = j + 1;
        }
        return k;
    }
    int hex = k + 1 < n && s[k] == '0' && lc(s[k + 1]) == 'x';
    if (hex) k += 2;
    int (*dig)(int) = hex ? is_hex : is_dig;
    while (k < n && dig(s[k])) k++;
    if (k < n && s[k] == '.') k++;
    while (k < n && dig(s[k])) k++;
    if (k < n && lc(s[k]) == (hex ? 'p' : 'e')) {
        k++;
        if (k < n && (s[k] == '+' || s[k] == '-')) k++;
        while (k < n && is_dig(s[k])) k++;
    }
    return k;
}

long vs_expr_strtod(const uint8_t *s, size_t n, double *out) {
    size_t k = 0;
    while (k < n && c_space(s[k])) k++;
    k += num_span(s + k, n - k);
    char stack[256], *buf = stack;
    if (k + 1 > sizeof stack) {
        buf = vs_malloc(k + 1);
        if (!buf) return -1;
    }
    if (k) memcpy(buf, s, k);
    buf[k] = '\0';
    char *end = buf;
    double d = strtod(buf, &end);
    long used = (long)(end - buf);
    if (used && vs_expr_isnan(d)) { /* glibc keeps "-nan"'s sign, musl does not */
        const char *q = buf;
        while (c_space(*q)) q++;
        d = of_bits((bits_of(d) & ~kSignMask) | (*q == '-' ? kSignMask : 0));
    }
    if (buf != stack) vs_free(buf);
    *out = d;
    return used;
}

int vs_expr_as_num(const vs_value *v, double *out) {
    if (v->type == VS_V_NUM) {
        *out = v->num;
        return 1;
    }
    if (v->type != VS_V_STR) return 0;
    double d = 0;
    long used = v->n ? vs_expr_strtod(v->s, v->n, &d) : 0;
    if (used < 0) return -1;
    if ((size_t)used != v->n || vs_expr_isnan(d)) return 0;
    *out = d;
    return 1;
}

int vs_value_as_num(const vs_value *v, double *out) { return vs_expr_as_num(v, out) == 1; }

/* ---- number text ---------------------------------------------------------- */

/* Shortest digits of a finite non-zero |d|: digits[] (no point, no
 * trailing zero) and the decimal exponent of the first digit. */
static int shortest_digits(double a, char *digits, int *exp10) {
    char buf[40];
    for (int prec = 0; prec < 17; prec++) {
        snprintf(buf, sizeof buf, "%.*e", prec, a);
        int ok = strtod(buf, NULL) == a;
        if (!ok && (bits_of(a) & kManMask) == 0) {
            /* A power of two: its rounding interval is wider above, where
             * the next digit string up may read back when the nearest
             * (below) does not. */
            char up[40];
            memcpy(up, buf, sizeof up);
            char *e = strchr(up, 'e');
            char *p = e - 1;
            while (p >= up) {
                if (*p == '.') {
                    p--;
                    continue;
                }
                if (*p == '9') {
                    *p = '0';
                    p--;
                    continue;
                }
                (*p)++;
                break;
            }
            if (p >= up && strtod(up, NULL) == a) {
                memcpy(buf, up, sizeof buf);
                ok = 1;
            }
        }
        if (!ok && prec < 16) continue;
        int nd = 0;
        char *q = buf;
        for (; *q && *q != 'e'; q++)
            if (*q >= '0' && *q <= '9') digits[nd++] = *q;
        *exp10 = atoi(q + 1);
        while (nd > 1 && digits[nd - 1] == '0') nd--;
        digits[nd] = '\0';
        return nd;
    }
    return 0; /* not reached */
}

size_t vs_expr_fmt_num(double d, char *out) {
    uint64_t u = bits_of(d);
    int neg = (u & kSignMask) != 0;
    if (vs_expr_isnan(d)) {
        memcpy(out, neg ? "-nan" : "nan", neg ? 5 : 4);
        return neg ? 4 : 3;
    }
    size_t o = 0;
    if (neg) out[o++] = '-';
    double a = fabs(d);
    if (vs_expr_isinf(d)) {
        memcpy(out + o, "inf", 4);
        return o + 3;
    }
    if (a == 0) {
        out[o++] = '0';
        out[o] = '\0';
        return o;
    }
    char dg[40];
    int x, nd;
    if (a < 9007199254740992.0 && a == floor(a)) {
        /* an integer below 2^53: its digits are its shortest form */
        int len = snprintf(dg, sizeof dg, "%.0f", a);
        x = len - 1;
        nd = len;
        while (nd > 1 && dg[nd - 1] == '0') nd--;
        dg[nd] = '\0';
    } else {
        nd = shortest_digits(a, dg, &x);
    }
    int ax = x < 0 ? -x : x;
    int sci_len = nd + (nd > 1) + 2 + (ax >= 100 ? 3 : 2);
    int fix_len = x >= 0 ? (x + 1 >= nd ? x + 1 : nd + 1) : nd + 1 - x;
    if (fix_len <= sci_len) {
        if (x >= nd - 1) {
            /* an integer: its exact digits (to_chars's closest text) */
            o += (size_t)snprintf(out + o, VS_EXPR_NUM_MAX - o, "%.0f", a);
        } else if (x >= 0) {
            memcpy(out + o, dg, (size_t)x + 1);
            o += (size_t)x + 1;
            out[o++] = '.';
            memcpy(out + o, dg + x + 1, (size_t)(nd - x - 1));
            o += (size_t)(nd - x - 1);
        } else {
            out[o++] = '0';
            out[o++] = '.';
            for (int i = 0; i < -x - 1; i++) out[o++] = '0';
            memcpy(out + o, dg, (size_t)nd);
            o += (size_t)nd;
        }
    } else {
        out[o++] = dg[0];
        if (nd > 1) {
            out[o++] = '.';
            memcpy(out + o, dg + 1, (size_t)nd - 1);
            o += (size_t)nd - 1;
        }
        o += (size_t)snprintf(out + o, VS_EXPR_NUM_MAX - o, "e%c%02d", x < 0 ? '-' : '+', ax);
    }
    out[o] = '\0';
    return o;
}

int vs_expr_as_text(const vs_value *v, char *buf, const uint8_t **s, size_t *n) {
    if (v->type == VS_V_STR) {
        *s = v->s;
        *n = v->n;
        return 1;
    }
    if (v->type == VS_V_NUM) {
        *n = vs_expr_fmt_num(v->num, buf);
        *s = (const uint8_t *)buf;
        return 1;
    }
    return 0;
}

vs_status vs_expr_make_str(vs_expr_ctx *cx, const void *s, size_t n, vs_value *out) {
    uint8_t *p = vs_arena_alloc(cx->ar, n ? n : 1);
    if (!p) return VS_ERR_NOMEM;
    if (n) memcpy(p, s, n);
    *out = vs_value_str(p, n);
    return VS_OK;
}

const uint8_t *vs_value_text(const vs_value *v, vs_arena *ar, size_t *len) {
    if (v->type == VS_V_STR) {
        *len = v->n;
        return v->s ? v->s : (const uint8_t *)"";
    }
    if (v->type != VS_V_NUM) { /* nil has no text; an array's is "" (AsString) */
        *len = 0;
        return (const uint8_t *)"";
    }
    char buf[VS_EXPR_NUM_MAX];
    size_t n = vs_expr_fmt_num(v->num, buf);
    uint8_t *p = vs_arena_alloc(ar, n);
    if (!p) return NULL;
    memcpy(p, buf, n);
    *len = n;
    return p;
}

/* ---- truth and order --------------------------------------------------------- */

int vs_value_true_compat(const vs_value *v, vs_compat *c) {
    switch (v->type) {
    case VS_V_NUM: return vs_expr_isnan(v->num) || v->num != 0;
    case VS_V_STR: /* 1.2.1: a non-empty string is true; before, every string was false */
        return vs_compat_fixed(c, VS_COMPAT_ASBOOL_STRING_TRUTHY) ? v->n != 0 : 0;
    default: return 0; /* nil and arrays */
    }
}

int vs_value_true(const vs_value *v) { return vs_value_true_compat(v, NULL); }

static int cmp_doubles(double l, double r) {
    if (vs_expr_isnan(l) || vs_expr_isnan(r)) return 2;
    if (l == r) return 0; /* -0 == 0 */
    return l < r ? -1 : 1;
}

static int cmp_bytes(const uint8_t *a, size_t na, const uint8_t *b, size_t nb) {
    size_t m = na < nb ? na : nb;
    int c = m ? memcmp(a, b, m) : 0;
    if (c) return c < 0 ? -1 : 1;
    return na == nb ? 0 : (na < nb ? -1 : 1);
}

int vs_value_cmp(const vs_value *l, const vs_value *r) {
    if (l->type == VS_V_NIL || r->type == VS_V_NIL) return (l->type == VS_V_NIL && r->type == VS_V_NIL) ? 0 : 2;
    if (l->type == VS_V_NUM && r->type == VS_V_NUM) return cmp_doubles(l->num, r->num);
    if (l->type == VS_V_STR && r->type == VS_V_STR) return cmp_bytes(l->s, l->n, r->s, r->n);
    if (l->type == VS_V_ARR && r->type == VS_V_ARR) {
        size_t m = l->n < r->n ? l->n : r->n;
        for (size_t i = 0; i < m; i++) {
            int c = vs_value_cmp(&l->items[i], &r->items[i]);
            if (c != 0) return c;
        }
        return l->n == r->n ? 0 : (l->n < r->n ? -1 : 1);
    }
    if (l->type == VS_V_ARR || r->type == VS_V_ARR) return 2;
    /* a number and a string: numerically if the string reads as one */
    double ld, rd;
    if (vs_value_as_num(l, &ld) && vs_value_as_num(r, &rd)) return cmp_doubles(ld, rd);
    char lb[VS_EXPR_NUM_MAX], rb[VS_EXPR_NUM_MAX];
    const uint8_t *ls, *rs;
    size_t ln, rn;
    vs_expr_as_text(l, lb, &ls, &ln);
    vs_expr_as_text(r, rb, &rs, &rn);
    return cmp_bytes(ls, ln, rs, rn);
}

vs_status vs_value_copy(vs_value *dst, const vs_value *v, vs_arena *ar) {
    vs_value c = *v;
    if (v->type == VS_V_STR) {
        uint8_t *p = vs_arena_alloc(ar, v->n ? v->n : 1);
        if (!p) return VS_ERR_NOMEM;
        if (v->n) memcpy(p, v->s, v->n);
        c.s = p;
    } else if (v->type == VS_V_ARR) {
        vs_value *items = NULL;
        if (v->n) {
            if (v->n > SIZE_MAX / sizeof *items) return VS_ERR_NOMEM;
            items = vs_arena_alloc(ar, v->n * sizeof *items);
            if (!items) return VS_ERR_NOMEM;
            for (size_t i = 0; i < v->n; i++) {
                vs_status st = vs_value_copy(&items[i], &v->items[i], ar);
                if (st != VS_OK) return st;
            }
        }
        c.items = items;
    }
    *dst = c;
    return VS_OK;
}

/* valkey-search's Scanner::NextUtf8: a well-formed lead byte with its
 * continuation bytes present decodes (overlong forms included, up to
 * 0x1FFFFF); any other byte stands for itself (0x80-0xFF). */
uint32_t vs_expr_utf8_next(const uint8_t *s, size_t n, size_t *pos) {
    size_t p = *pos;
    uint8_t b = s[p];
#define MORE(i) (p + (i) < n && (s[p + (i)] & 0xC0) == 0x80)
    if (b < 0x80) {
        *pos = p + 1;
        return b;
    }
    if ((b & 0xE0) == 0xC0 && MORE(1)) {
        *pos = p + 2;
        return ((uint32_t)(b & 0x1F) << 6) | (s[p + 1] & 0x3F);
    }
    if ((b & 0xF0) == 0xE0 && MORE(1) && MORE(2)) {
        *pos = p + 3;
        return ((uint32_t)(b & 0x0F) << 12) | ((uint32_t)(s[p + 1] & 0x3F) << 6) | (s[p + 2] & 0x3F);
    }
    if ((b & 0xF8) == 0xF0 && MORE(1) && MORE(2) && MORE(3)) {
        *pos = p + 4;
        return ((uint32_t)(b & 0x07) << 18) | ((uint32_t)(s[p + 1] & 0x3F) << 12) | ((uint32_t)(s[p + 2] & 0x3F) << 6) |
               (s[p + 3] & 0x3F);
    }
#undef MORE
    *pos = p + 1;
    return b;
}

size_t vs_expr_utf8_put(uint8_t *o, uint32_t c) {
    if (c <= 0x7F) {
        o[0] = (uint8_t)c;
        return 1;
    }
    if (c <= 0x7FF) {
        o[0] = (uint8_t)(0xC0 | (c >> 6));
        o[1] = (uint8_t)(0x80 | (c & 0x3F));
        return 2;
    }
    if (c <= 0xFFFF) {
        o[0] = (uint8_t)(0xE0 | (c >> 12));
        o[1] = (uint8_t)(0x80 | ((c >> 6) & 0x3F));
        o[2] = (uint8_t)(0x80 | (c & 0x3F));
        return 3;
    }
    /* up to 0x1FFFFF: valkey-search stops (CHECK) past 0x10FFFF; the four
     * bytes are written back as they came instead */
    o[0] = (uint8_t)(0xF0 | (c >> 18));
    o[1] = (uint8_t)(0x80 | ((c >> 12) & 0x3F));
    o[2] = (uint8_t)(0x80 | ((c >> 6) & 0x3F));
    o[3] = (uint8_t)(0x80 | (c & 0x3F));
    return 4;
}
