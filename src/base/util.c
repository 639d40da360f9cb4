/* util.c - hashing, strict number parsing/formatting, glob matching.
 * The parsing and formatting rules copy Redis's (util.c string2ll,
 * string2ld, ld2string) so replies and errors match byte for byte. */
#include "base/util.h"

#include <ctype.h>
#include <float.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/le.h"

static inline uint32_t rotl32(uint32_t x, int r) { return (x << r) | (x >> (32 - r)); }

/* MurmurHash3 x86_32 by Austin Appleby (public domain), byte-order
 * independent reads so native and WebAssembly builds agree. */
uint32_t vs_hash_bytes(const void *p, size_t n, uint32_t seed) {
    const uint8_t *d = p;
    uint32_t h = seed;
    const uint32_t c1 = 0xcc9e2d51u, c2 = 0x1b873593u;
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        uint32_t k = vs_le_get32(d + i);
        k *= c1;
        k = rotl32(k, 15);
        k *= c2;
        h ^= k;
        h = rotl32(h, 13);
        h = h * 5 + 0xe6546b64u;
    }
    uint32_t k = 0;
    switch (n & 3) {
    case 3: k ^= (uint32_t)d[i + 2] << 16; /* fall through */
    case 2: k ^= (uint32_t)d[i + 1] << 8;  /* fall through */
    case 1:
        k ^= d[i];
        k *= c1;
        k = rotl32(k, 15);
        k *= c2;
        h ^= k;
    }
    h ^= (uint32_t)n;
    h ^= h >> 16;
    h *= 0x85ebca6bu;
    h ^= h >> 13;
    h *= 0xc2b2ae35u;
    h ^= h >> 16;
    return h;
}

/* s[0..n) as decimal digits only (no sign), into *v; 0 on a non-digit
 * or past UINT64_MAX. */
static int decimal_u64(const uint8_t *s, size_t n, unsigned long long *v) {
    unsigned long long x = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return 0;
        unsigned d = (unsigned)(s[i] - '0');
        if (x > (UINT64_MAX - d) / 10) return 0;
        x = x * 10 + d;
    }
    *v = x;
    return 1;
}

int vs_parse_ull(const uint8_t *s, size_t n, unsigned long long *out) {
    if (n == 0 || n > 20) return 0;
    if (n > 1 && s[0] == '0') return 0;
    return decimal_u64(s, n, out);
}

int vs_parse_ll(const uint8_t *s, size_t n, long long *out) {
    if (n == 0 || n > 20) return 0;
    if (n == 1 && s[0] == '0') {
        *out = 0;
        return 1;
    }
    int neg = 0;
    size_t i = 0;
    if (s[0] == '-') {
        neg = 1;
        i = 1;
        if (n == 1) return 0;
    }
    if (s[i] < '1' || s[i] > '9') return 0;
    unsigned long long v;
    if (!decimal_u64(s + i, n - i, &v)) return 0;
    if (neg) {
        if (v > (unsigned long long)LLONG_MAX + 1) return 0;
        *out = (long long)(0 - v);
    } else {
        if (v > (unsigned long long)LLONG_MAX) return 0;
        *out = (long long)v;
    }
    return 1;
}

long double vs_ld_round80(long double v) {
#if LDBL_MANT_DIG == 113
    /* binary128 -> keep 63 of the 112 fraction bits, round to nearest even.
     * The exponent range is the same as x87's, so this is exact emulation
     * of one x87 rounding (subnormals included). */
    uint64_t w[2];
    memcpy(w, &v, sizeof w); /* little-endian: w[0] low, w[1] high */
    if (((w[1] >> 48) & 0x7fff) == 0x7fff) return v; /* inf or nan */
    const uint64_t drop = (1ull << 49) - 1, half = 1ull << 48;
    uint64_t rem = w[0] & drop;
    w[0] &= ~drop;
    if (rem > half || (rem == half && (w[0] >> 49) & 1)) {
        uint64_t lo = w[0] + (1ull << 49);
        if (lo < w[0]) w[1]++; /* carry into the high word (and exponent) */
        w[0] = lo;
    }
    memcpy(&v, w, sizeof w);
#endif
    return v;
}

/* Redis's string2ld reads into a MAX_LONG_DOUBLE_CHARS (5 * 1024) buffer:
 * strings of that length or more are refused. */
#define LD_PARSE_MAX 5120

int vs_parse_ld(const uint8_t *s, size_t n, long double *out) {
    char buf[LD_PARSE_MAX];
    if (n == 0 || n >= sizeof buf) return 0;
    memcpy(buf, s, n);
    buf[n] = '\0';
    if (memchr(buf, '\0', n)) return 0; /* Redis: strtold must read all slen bytes */
    errno = 0;
    char *end;
    long double v = strtold(buf, &end);
    if (isspace((unsigned char)buf[0]) || *end != '\0' ||
        (errno == ERANGE && (v == HUGE_VALL || v == -HUGE_VALL || v == 0)) || errno == EINVAL ||
        isnan(v))
        return 0;
    *out = vs_ld_round80(v);
    return 1;
}

int vs_parse_double(const uint8_t *s, size_t n, double *out) {
    char buf[128];
    if (n == 0 || n >= sizeof buf) return 0;
    memcpy(buf, s, n);
    buf[n] = '\0';
    if (memchr(buf, '\0', n)) return 0;
    const char *b = buf;
    int neg = 0;
    if (*b == '+' || *b == '-') {
        neg = *b == '-';
        b++;
    }
    if ((b[0] | 32) == 'i' && (b[1] | 32) == 'n' && (b[2] | 32) == 'f' && b[3] == '\0') {
        *out = neg ? -INFINITY : INFINITY;
        return 1;
    }
    if (isspace((unsigned char)buf[0])) return 0;
    errno = 0;
    char *end;
    double v = strtod(buf, &end);
    if (*end != '\0' || isnan(v) || errno == EINVAL) return 0;
    if (errno == ERANGE && v != 0 && !isinf(v)) errno = 0; /* denormal: fine */
    *out = v;
    return 1;
}

int vs_ll2str(char *buf, long long v) {
    char tmp[24];
    unsigned long long u = v < 0 ? 0 - (unsigned long long)v : (unsigned long long)v;
    int n = 0;
    do {
        tmp[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    int len = 0;
    if (v < 0) buf[len++] = '-';
    while (n) buf[len++] = tmp[--n];
    buf[len] = '\0';
    return len;
}

int vs_ld2str(char *buf, size_t cap, long double v) {
    if (!isfinite(v)) return 0;
    int l = snprintf(buf, cap, "%.17Lf", v);
    if (l < 0 || (size_t)l + 1 > cap) return 0;
    if (strchr(buf, '.')) {
        char *p = buf + l - 1;
        while (*p == '0') {
            p--;
            l--;
        }
        if (*p == '.') l--;
    }
    if (l == 2 && buf[0] == '-' && buf[1] == '0') {
        buf[0] = '0';
        l = 1;
    }
    buf[l] = '\0';
    return l;
}

int vs_eq_nocase(const uint8_t *s, size_t n, const char *kw) {
    size_t i = 0;
    for (; i < n; i++) {
        if (kw[i] == '\0') return 0;
        if (vs_lower(s[i]) != vs_lower((uint8_t)kw[i])) return 0;
    }
    return kw[i] == '\0';
}

int vs_eq_nocase_cstr(const uint8_t *s, size_t n, const char *kw) {
    const uint8_t *z = memchr(s, 0, n);
    return vs_eq_nocase(s, z ? (size_t)(z - s) : n, kw);
}

/* Redis compares class ranges as (signed on x86-64) chars: a range with
 * one end at 0x80..0xff covers the bytes between the ends in that order,
 * e.g. [a-\xff] is \xff..a, which holds \xff and the ASCII below 'a', not
 * the high bytes above 'a'. */
static inline int schar(uint8_t c) { return (int)(int8_t)c; }

/* Does the single pattern token at p (not '*') match character c?  Sets
 * *used to the pattern bytes the token spans.  Mirrors Redis's
 * stringmatchlen token rules, including an unterminated '[' class. */
static int token_match(const uint8_t *p, size_t plen, uint8_t c, int nocase, size_t *used) {
    uint8_t lc = nocase ? vs_lower(c) : c;
    if (p[0] == '?') {
        *used = 1;
        return 1;
    }
    if (p[0] == '[') {
        size_t i = 1;
        int neg = 0, match = 0;
        if (i < plen && p[i] == '^') {
            neg = 1;
            i++;
        }
        for (;;) {
            if (i >= plen) break; /* unterminated: the class ends here */
            if (p[i] == '\\' && plen - i >= 2) {
                i++;
                if (p[i] == c) match = 1; /* Redis: exact, even when nocase */
            } else if (p[i] == ']') {
                i++;
                break;
            } else if (plen - i >= 3 && p[i + 1] == '-') {
                int a = schar(p[i]), b = schar(p[i + 2]), x = schar(c);
                if (a > b) {
                    int t = a;
                    a = b;
                    b = t;
                }
                if (nocase) {
                    a = a >= 0 ? vs_lower((uint8_t)a) : a;
                    b = b >= 0 ? vs_lower((uint8_t)b) : b;
                    x = schar(lc);
                }
                if (x >= a && x <= b) match = 1;
                i += 2;
            } else {
                uint8_t pc = nocase ? vs_lower(p[i]) : p[i];
                if (pc == lc) match = 1;
            }
            i++;
        }
        *used = i;
        return neg ? !match : match;
    }
    size_t i = 0;
    if (p[0] == '\\' && plen >= 2) i = 1;
    *used = i + 1;
    uint8_t pc = nocase ? vs_lower(p[i]) : p[i];
    return pc == lc;
}

/* Pattern bytes of the token at p (not '*'), as token_match spans them. */
static size_t token_len(const uint8_t *p, size_t plen) {
    size_t used;
    token_match(p, plen, 0, 0, &used);
    return used;
}

/* Redis (since the CVE-2024-31228 fix, in Debian's 7.0.15 too) gives up
 * past 1000 nested '*': each run of '*' followed by more pattern recurses
 * once, so a pattern with more than 1000 such runs matches nothing. */
#define GLOB_MAX_STARS 1000

/* Iterative glob matcher: every token but '*' consumes exactly one
 * character, so backtracking to the last '*' alone is complete and the
 * cost is O(plen * slen) at worst (no exponential blow-up).
 *
 * As Redis's stringmatchlen, the empty string matches only the empty
 * pattern (even "*" does not match it; KEYS and SCAN treat the pattern
 * "*" as "everything" before matching, so they do list the empty key). */
int vs_glob_match(const uint8_t *pat, size_t plen, const uint8_t *s, size_t slen, int nocase) {
    if (slen == 0) return plen == 0;
    /* Each counted run takes a '*' and a token after it: a pattern of at
     * most 2 x GLOB_MAX_STARS bytes cannot pass the limit. */
    if (plen > 2 * GLOB_MAX_STARS) {
        size_t runs = 0;
        for (size_t i = 0; i < plen;) {
            if (pat[i] == '*') {
                while (i < plen && pat[i] == '*') i++;
                if (i < plen && ++runs > GLOB_MAX_STARS) return 0;
            } else {
                i += token_len(pat + i, plen - i);
            }
        }
    }
    size_t pi = 0, si = 0;
    size_t star_p = (size_t)-1, star_s = 0;
    while (si < slen) {
        if (pi < plen && pat[pi] == '*') {
            while (pi < plen && pat[pi] == '*') pi++;
            if (pi == plen) return 1;
            star_p = pi;
            star_s = si;
            continue;
        }
        size_t used;
        if (pi < plen && token_match(pat + pi, plen - pi, s[si], nocase, &used)) {
            pi += used;
            si++;
            continue;
        }
        if (star_p == (size_t)-1) return 0;
        pi = star_p;
        si = ++star_s;
    }
    while (pi < plen && pat[pi] == '*') pi++;
    return pi == plen;
}

/* SCAN's cursor as Redis parses it (strtoul over the C string, base 10):
 * bytes after a NUL are ignored; no leading white space; an optional sign,
 * a minus negating modulo 2^64; digits; nothing else after them; no digits
 * at all is 0 when the string is empty, an error otherwise ("+", "-", "x");
 * a magnitude past 2^64 - 1 is an error (ERANGE). */
int vs_parse_cursor(const uint8_t *s, size_t n, unsigned long long *out) {
    const uint8_t *nul = memchr(s, 0, n);
    if (nul) n = (size_t)(nul - s);
    if (n == 0) {
        *out = 0;
        return 1;
    }
    if (isspace(s[0])) return 0;
    size_t i = 0;
    int neg = 0;
    if (s[0] == '+' || s[0] == '-') {
        neg = s[0] == '-';
        i = 1;
    }
    if (i == n) return 0;
    unsigned long long v;
    if (!decimal_u64(s + i, n - i, &v)) return 0;
    *out = neg ? 0 - v : v;
    return 1;
}
