/* listpack.c - encoding listpack entries as Redis does (see listpack.h).
 * An element's encoding depends only on its bytes, so its size is known
 * before it is written and a listpack is built in one pass into a buffer
 * of its exact size. */
#include "persist/listpack.h"

#include <string.h>

#include "base/le.h"
#include "base/util.h"

/* The integer an element stands for, as Redis's lpStringToInt64 reads it
 * (the same rules as string2ll, vs_parse_ll). */
static int as_int(const uint8_t *s, size_t n, int64_t *v) {
    long long x;
    if (!vs_parse_ll(s, n, &x)) return 0;
    *v = (int64_t)x;
    return 1;
}

/* Encoding and data of integer v: the smallest that holds it. */
static size_t int_put(uint8_t *out, int64_t v) {
    uint64_t u = (uint64_t)v; /* two's complement, truncated per width */
    size_t n;
    if (v >= 0 && v <= 127) {
        if (out) out[0] = (uint8_t)v;
        return 1;
    }
    if (v >= -4096 && v <= 4095) {
        if (out) {
            out[0] = (uint8_t)(0xC0 | ((u >> 8) & 0x1F));
            out[1] = (uint8_t)u;
        }
        return 2;
    }
    if (v >= -32768 && v <= 32767) n = 2;
    else if (v >= -8388608 && v <= 8388607) n = 3;
    else if (v >= INT32_MIN && v <= INT32_MAX) n = 4;
    else n = 8;
    if (out) {
        out[0] = n == 2 ? 0xF1 : n == 3 ? 0xF2 : n == 4 ? 0xF3 : 0xF4;
        for (size_t i = 0; i < n; i++) out[1 + i] = (uint8_t)(u >> (8 * i));
    }
    return 1 + n;
}

/* Encoding and data of a string element. */
static size_t str_put(uint8_t *out, const uint8_t *s, size_t n) {
    size_t h;
    if (n < 64) {
        h = 1;
        if (out) out[0] = (uint8_t)(0x80 | n);
    } else if (n < 4096) {
        h = 2;
        if (out) {
            out[0] = (uint8_t)(0xE0 | (n >> 8));
            out[1] = (uint8_t)n;
        }
    } else {
        h = 5;
        if (out) {
            out[0] = 0xF0;
            vs_le_put32(out + 1, (uint32_t)n);
        }
    }
    if (out && n) memcpy(out + h, s, n);
    return h + n;
}

/* backlen: l in 7-bit groups, most significant first; every byte but the
 * first (which the reader meets last, going right to left) has bit 7 set. */
static size_t backlen_put(uint8_t *out, uint64_t l) {
    size_t k = l <= 127 ? 1 : l < 16383 ? 2 : l < 2097151 ? 3 : l < 268435455 ? 4 : 5;
    if (out)
        for (size_t i = 0; i < k; i++) {
            uint8_t b = (uint8_t)((l >> (7 * (k - 1 - i))) & 127);
            out[i] = i == 0 ? b : (uint8_t)(b | 128);
        }
    return k;
}

static size_t entry_put(uint8_t *out, const uint8_t *s, size_t n) {
    int64_t v;
    size_t l = as_int(s, n, &v) ? int_put(out, v) : str_put(out, s, n);
    return l + backlen_put(out ? out + l : NULL, l);
}

size_t vs_lp_entry_size(const uint8_t *s, size_t n) { return entry_put(NULL, s, n); }

size_t vs_lp_entry_put(uint8_t *out, const uint8_t *s, size_t n) { return entry_put(out, s, n); }

void vs_lp_header_put(uint8_t *out, uint32_t total, uint32_t count) {
    vs_le_put32(out, total);
    uint16_t c = count < VS_LP_COUNT_UNKNOWN ? (uint16_t)count : VS_LP_COUNT_UNKNOWN;
    out[4] = (uint8_t)c;
    out[5] = (uint8_t)(c >> 8);
}
