/* test_distance_types.c - the kernels of every vector element type and
 * the 16-bit float conversions.
 *
 * Kernels: seeded random cases (the seed is printed on failure), each of
 * one type, length 0..300 (odd tails included; a few long ones cross the
 * integer kernels' chunk), random or extreme components (largest and
 * smallest halves, subnormals, -0, INT8 -128/127, UINT8 255), operands at
 * every alignment.  This build's kernel must equal the portable one bit
 * for bit (in the SIMD128 WebAssembly build of this test that is the SIMD
 * kernel); FLOAT16/BFLOAT16 must equal the FLOAT32 kernel on the widened
 * vectors bit for bit; the portable kernel must be within a relative bound
 * of a double reference (floats) or equal to it (integers).
 * Conversions: every one of the 65,536 halves and bfloat16s widens to the
 * value its fields say and narrows back to itself; narrowing is checked
 * against a nearest-value search on random floats, ties and overflow
 * boundaries. */
#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdint.h>

#include "../../src/index/distance.h"
#include "vt.h"

static uint64_t rs;
static uint64_t rnd(void) {
    rs ^= rs << 13;
    rs ^= rs >> 7;
    rs ^= rs << 17;
    return rs;
}
static double unit(void) { return (double)(rnd() >> 11) * 0x1p-53; } /* [0, 1) */

static float bits_f(uint32_t u) {
    float f;
    memcpy(&f, &u, 4);
    return f;
}
static uint32_t f_bits(float f) {
    uint32_t u;
    memcpy(&u, &f, 4);
    return u;
}

/* ---- component generators --------------------------------------------------- */

enum { MODE_SMALL, MODE_BITS, MODE_EXTREME, MODE_COUNT };

static void put16(unsigned char *p, size_t i, uint16_t h) { memcpy(p + 2 * i, &h, 2); }

static void gen(vs_vectype t, int mode, unsigned char *p, size_t n) {
    for (size_t i = 0; i < n; i++) {
        uint64_t r = rnd();
        switch (t) {
        case VS_VEC_FLOAT32: {
            float f;
            if (mode == MODE_SMALL) f = (float)(unit() * 2 - 1);
            else if (mode == MODE_BITS) { /* any sign, exponent 2^-149 .. 2^50 */
                uint32_t e = (uint32_t)(r % 178), m = (uint32_t)(r >> 8) & 0x7fffffu;
                f = bits_f((uint32_t)(r >> 40 & 1) << 31 | e << 23 | m);
            } else {
                static const float ext[] = {0.0f, -0.0f, 1e15f, -1e15f, FLT_MIN, -FLT_MIN, 0x1p-149f, -0x1p-149f, 1.0f};
                f = ext[r % (sizeof ext / sizeof ext[0])];
            }
            memcpy(p + 4 * i, &f, 4);
            break;
        }
        case VS_VEC_FLOAT16: {
            uint16_t h;
            if (mode == MODE_SMALL) h = vs_f32_to_f16((float)(unit() * 2 - 1));
            else if (mode == MODE_BITS) { /* any finite half */
                h = (uint16_t)r;
                if ((h & 0x7c00) == 0x7c00) h &= 0xbfff;
            } else {
                static const uint16_t ext[] = {0x0000, 0x8000, 0x7bff, 0xfbff, 0x0001, 0x8001, 0x03ff, 0x83ff, 0x0400, 0x3c00};
                h = ext[r % (sizeof ext / sizeof ext[0])];
            }
            put16(p, i, h);
            break;
        }
        case VS_VEC_BFLOAT16: {
            uint16_t h;
            if (mode == MODE_SMALL) h = vs_f32_to_bf16((float)(unit() * 2 - 1));
            else if (mode == MODE_BITS) /* any sign, exponent field 0 (subnormals) .. 2^50 */
                h = (uint16_t)((r >> 20 & 1) << 15 | (r % 178) << 7 | (r >> 8 & 0x7f));
            else {
                static const uint16_t ext[] = {0x0000, 0x8000, 0x0001, 0x8001, 0x007f, 0x0080, 0x58ff, 0xd8ff, 0x3f80};
                h = ext[r % (sizeof ext / sizeof ext[0])];
            }
            put16(p, i, h);
            break;
        }
        case VS_VEC_INT8: {
            static const int8_t ext[] = {-128, 127, 0, -1};
            int8_t v = mode == MODE_EXTREME ? ext[r % 4] : (int8_t)(uint8_t)r;
            memcpy(p + i, &v, 1);
            break;
        }
        default: {
            static const uint8_t ext[] = {0, 255, 1, 128};
            p[i] = mode == MODE_EXTREME ? ext[r % 4] : (uint8_t)r;
        }
        }
    }
}

/* ---- kernels ------------------------------------------------------------------ */

#define MAXN 300
#define LONGN 70000 /* past the integer kernels' chunk of 32768 */

static int same_bits(float x, float y) { return f_bits(x) == f_bits(y); }

/* Sum of |term| in double: the scale of the float sums' rounding error. */
static double abs_terms(vs_vectype t, int l2, const void *a, const void *b, size_t n) {
    double s = 0;
    for (size_t i = 0; i < n; i++) {
        double x = vs_vec_get(t, a, i), y = vs_vec_get(t, b, i);
        s += l2 ? (x - y) * (x - y) : fabs(x * y);
    }
    return s;
}

static int check_case(uint64_t seed, vs_vectype t, size_t n, int mode, unsigned char *ba, unsigned char *bb,
                      float *wa, float *wb) {
    size_t oa = (size_t)(rnd() % 8), ob = (size_t)(rnd() % 8);
    unsigned char *a = ba + oa, *b = bb + ob;
    gen(t, mode, a, n);
    gen(t, (int)(rnd() % MODE_COUNT), b, n);
    int bad = 0;
    for (int l2 = 0; l2 < 2; l2++) {
        vs_vsum_fn best = l2 ? vs_l2sq_of(t) : vs_dot_of(t);
        vs_vsum_fn port = l2 ? vs_l2sq_portable_of(t) : vs_dot_portable_of(t);
        vs_vsum_fn ref = l2 ? vs_l2sq_ref_of(t) : vs_dot_ref_of(t);
        float g = best(a, b, n), p = port(a, b, n), r = ref(a, b, n);
        const char *what = l2 ? "l2sq" : "dot";
        vt_checks += 3;
        if (!same_bits(g, p)) {
            vt_fail(__FILE__, __LINE__, "seed %" PRIu64 " %s %s n=%zu mode %d: kernel %a != portable %a", seed,
                    vs_vectype_name(t), what, n, mode, g, p);
            bad = 1;
        }
        if (t == VS_VEC_INT8 || t == VS_VEC_UINT8) {
            if (!same_bits(p, r)) {
                vt_fail(__FILE__, __LINE__, "seed %" PRIu64 " %s %s n=%zu: %.9g != exact %.9g", seed,
                        vs_vectype_name(t), what, n, p, r);
                bad = 1;
            }
        } else {
            double tol = (double)(n + 3) * 0x1p-23 * abs_terms(t, l2, a, b, n) + (double)n * 0x1p-147;
            if (!(fabs((double)p - (double)r) <= tol)) {
                vt_fail(__FILE__, __LINE__, "seed %" PRIu64 " %s %s n=%zu mode %d: %.9g vs reference %.9g (tol %g)",
                        seed, vs_vectype_name(t), what, n, mode, p, r, tol);
                bad = 1;
            }
        }
        if (t == VS_VEC_FLOAT16 || t == VS_VEC_BFLOAT16) { /* the FLOAT32 sum of the widened vectors */
            for (size_t i = 0; i < n; i++) {
                wa[i] = vs_vec_get(t, a, i);
                wb[i] = vs_vec_get(t, b, i);
            }
            float w = l2 ? vs_l2sq(wa, wb, n) : vs_dot(wa, wb, n);
            vt_checks++;
            if (!same_bits(g, w)) {
                vt_fail(__FILE__, __LINE__, "seed %" PRIu64 " %s %s n=%zu: %a != FLOAT32 on widened %a", seed,
                        vs_vectype_name(t), what, n, g, w);
                bad = 1;
            }
        }
    }
    return bad;
}

static void test_kernels(void) {
    static unsigned char ba[4 * MAXN + 16], bb[4 * MAXN + 16];
    static float wa[MAXN], wb[MAXN];
    int failed = 0;
    for (uint64_t c = 0; c < 3000 && failed < 5; c++) {
        uint64_t seed = 0x5eed0000 + c;
        rs = seed * 0x9e3779b97f4a7c15ull | 1;
        vs_vectype t = (vs_vectype)(c % VS_VEC_COUNT);
        size_t n = c < 20 ? (size_t)c : (size_t)(rnd() % (MAXN + 1));
        failed += check_case(seed, t, n, (int)(rnd() % MODE_COUNT), ba, bb, wa, wb);
    }
}

/* Long integer vectors: the chunked int32 lanes and the 64-bit total. */
static void test_long_int(void) {
    static unsigned char a[LONGN + 8], b[LONGN + 8];
    for (int c = 0; c < 4; c++) {
        uint64_t seed = 0x10000 + (uint64_t)c;
        rs = seed * 0x9e3779b97f4a7c15ull | 1;
        vs_vectype t = c & 1 ? VS_VEC_UINT8 : VS_VEC_INT8;
        size_t n = LONGN - (size_t)(rnd() % 50);
        check_case(seed, t, n, c < 2 ? MODE_EXTREME : MODE_BITS, a, b, NULL, NULL);
    }
    /* The largest sums: all 255 against all 0 (UINT8), -128 against 127. */
    memset(a, 255, sizeof a);
    memset(b, 0, LONGN);
    VT_CHECK(vs_l2sq_of(VS_VEC_UINT8)(a, b + 1, LONGN) == (float)(65025.0 * LONGN));
    VT_CHECK(vs_dot_of(VS_VEC_UINT8)(a + 3, a + 1, LONGN) == (float)(65025.0 * LONGN));
    memset(a, 0x80, LONGN);
    memset(b, 0x7f, LONGN);
    VT_CHECK(vs_l2sq_of(VS_VEC_INT8)(a, b, LONGN) == (float)(65025.0 * LONGN));
    VT_CHECK(vs_dot_of(VS_VEC_INT8)(a, a, LONGN) == (float)(16384.0 * LONGN));
    VT_CHECK(vs_dot_of(VS_VEC_INT8)(a, b, LONGN) == (float)(-16256.0 * LONGN));
}

static void test_small_values(void) {
    unsigned char a[16], b[16];
    uint16_t h[3] = {0x3c00, 0x4000, 0xc200}; /* 1, 2, -3 */
    uint16_t g[3] = {0x3c00, 0x0000, 0x3c00}; /* 1, 0, 1 */
    for (int i = 0; i < 3; i++) put16(a + 1, (size_t)i, h[i]), put16(b + 3, (size_t)i, g[i]);
    VT_CHECK(vs_l2sq_of(VS_VEC_FLOAT16)(a + 1, b + 3, 3) == 20.0f); /* 0 + 4 + 16 */
    VT_CHECK(vs_dot_of(VS_VEC_FLOAT16)(a + 1, b + 3, 3) == -2.0f);
    int8_t x[3] = {-128, 127, 5}, y[3] = {127, -128, 5};
    VT_CHECK(vs_l2sq_of(VS_VEC_INT8)(x, y, 3) == 2 * 65025.0f);
    VT_CHECK(vs_dot_of(VS_VEC_INT8)(x, y, 3) == -2 * 16256.0f + 25);
    VT_CHECK(vs_l2sq_of(VS_VEC_FLOAT32) == vs_l2sq_of((vs_vectype)99)); /* out of range: FLOAT32's */
    VT_CHECK(vs_vec_finite(VS_VEC_FLOAT16, h, 3));
    uint16_t inf16 = 0x7c00, nan16 = 0xfe01, infb = 0xff80, maxb = 0x7f7f;
    VT_CHECK(!vs_vec_finite(VS_VEC_FLOAT16, &inf16, 1) && !vs_vec_finite(VS_VEC_FLOAT16, &nan16, 1));
    VT_CHECK(!vs_vec_finite(VS_VEC_BFLOAT16, &infb, 1) && vs_vec_finite(VS_VEC_BFLOAT16, &maxb, 1));
    float fz[2] = {1, NAN};
    VT_CHECK(!vs_vec_finite(VS_VEC_FLOAT32, fz, 2) && vs_vec_finite(VS_VEC_FLOAT32, fz, 1));
    VT_CHECK(vs_vec_finite(VS_VEC_INT8, x, 3));
}

/* ---- conversions ---------------------------------------------------------------- */

/* The value a binary16's fields say. */
static double f16_value(uint16_t h) {
    int e = h >> 10 & 0x1f, m = h & 0x3ff;
    double v = e == 0 ? ldexp(m, -24) : e == 31 ? (m ? NAN : INFINITY) : ldexp(1024 + m, e - 25);
    return h & 0x8000 ? -v : v;
}

static void test_f16_all(void) {
    int bad = 0;
    for (uint32_t u = 0; u < 65536; u++) {
        uint16_t h = (uint16_t)u;
        double want = f16_value(h);
        float f = vs_f16_to_f32(h);
        uint16_t back = vs_f32_to_f16(f);
        vt_checks++;
        if (isnan(want)) {
            if (!isnan(f) || back != (h | 0x200) || (f_bits(f) >> 31) != (uint32_t)(h >> 15)) {
                if (bad++ < 5) vt_fail(__FILE__, __LINE__, "half %04x: NaN widened to %a, back %04x", h, f, back);
            }
        } else if ((double)f != want || !signbit(f) != !signbit(want) || back != h) {
            if (bad++ < 5) vt_fail(__FILE__, __LINE__, "half %04x: %a (want %a), back %04x", h, f, want, back);
        }
    }
}

static void test_bf16_all(void) {
    int bad = 0;
    for (uint32_t u = 0; u < 65536; u++) {
        uint16_t h = (uint16_t)u;
        float f = vs_bf16_to_f32(h);
        uint16_t back = vs_f32_to_bf16(f);
        vt_checks++;
        if (f_bits(f) != u << 16 || (isnan(f) ? !isnan(vs_bf16_to_f32(back)) || (back | 0x40) != (h | 0x40) : back != h))
            if (bad++ < 5) vt_fail(__FILE__, __LINE__, "bfloat16 %04x: %a, back %04x", h, f, back);
    }
}

/* Nearest half to f, ties to the even code, by search over the table of
 * every non-negative finite half (65536 standing for the code past the
 * largest, infinity). */
static double half_val[0x7c01];
static uint16_t ref_f32_to_f16(float f) {
    uint16_t sign = signbit(f) ? 0x8000 : 0;
    double x = fabs((double)f);
    if (isnan(f)) return 0xffff; /* checked apart */
    if (x >= 65536) return sign | 0x7c00;
    uint32_t lo = 0, hi = 0x7c00; /* half_val[lo] <= x < half_val[hi] */
    while (hi - lo > 1) {
        uint32_t mid = (lo + hi) / 2;
        if (half_val[mid] <= x) lo = mid;
        else hi = mid;
    }
    double dl = x - half_val[lo], dh = half_val[hi] - x;
    uint32_t k = dl < dh ? lo : dh < dl ? hi : (lo & 1 ? hi : lo);
    return (uint16_t)(sign | k);
}

static float random_float(void) {
    uint64_t r = rnd();
    switch (r % 4) {
    case 0: return bits_f((uint32_t)(r >> 16)); /* any pattern */
    case 1: { /* sign, exponent 2^-27 .. 2^17, mantissa */
        uint32_t e = 100 + (uint32_t)(r >> 8) % 45;
        return bits_f((uint32_t)(r >> 60 & 1) << 31 | e << 23 | ((uint32_t)(r >> 20) & 0x7fffff));
    }
    default: { /* the midpoint of two adjacent halves, or one float step either side */
        uint16_t h = (uint16_t)((r >> 8) % 0x7bff);
        float mid = (float)((half_val[h] + half_val[h + 1]) / 2); /* exact: 12 significant bits */
        uint32_t b = f_bits(mid);
        int step = (int)((r >> 30) % 3) - 1;
        if (mid == 0) step = step < 0 ? 0 : step;
        float f = bits_f((uint32_t)((int64_t)b + step));
        return r >> 40 & 1 ? -f : f;
    }
    }
}

static void test_f32_to_f16(void) {
    for (uint32_t k = 0; k < 0x7c00; k++) half_val[k] = f16_value((uint16_t)k);
    half_val[0x7c00] = 65536;
    static const float edge[] = {65504.0f, 65519.99609375f, 65520.0f, 65536.0f, 1e10f, INFINITY, -INFINITY, 0x1p-25f,
                                 0x1.000002p-25f, 0x1p-26f, 0x1.8p-24f, 0x1.4p-24f, 0x1.cp-24f, 0x1.ffep-15f,
                                 0x1.fffp-15f, 0x1.ffcp-15f, 0x1p-14f, 0.0f, -0.0f, FLT_MIN, 0x1p-149f,
                                 0.1f, 1.0f / 3, 2049.0f, 2051.0f};
    int bad = 0;
    rs = 0xf16f16f16ull;
    for (uint32_t i = 0; i < 400000 + sizeof edge / sizeof edge[0]; i++) {
        float f = i < sizeof edge / sizeof edge[0] ? edge[i] : random_float();
        uint16_t got = vs_f32_to_f16(f);
        vt_checks++;
        if (isnan(f)) {
            if ((got & 0x7c00) != 0x7c00 || !(got & 0x3ff) || (got >> 15) != (f_bits(f) >> 31))
                if (bad++ < 5) vt_fail(__FILE__, __LINE__, "f32 %08x (NaN) -> %04x", f_bits(f), got);
            continue;
        }
        uint16_t want = ref_f32_to_f16(f);
        if (got != want && bad++ < 5) vt_fail(__FILE__, __LINE__, "f32 %a (%08x) -> %04x, want %04x", f, f_bits(f), got, want);
    }
}

/* bfloat16: the two codes around f, the nearer (ties to the even code). */
static uint16_t ref_f32_to_bf16(float f) {
    uint32_t x = f_bits(f);
    uint16_t lo = (uint16_t)(x >> 16), hi = (uint16_t)(lo + 1);
    double v = fabs((double)f), vl = fabs((double)vs_bf16_to_f32(lo));
    double vh = (hi & 0x7fff) == 0x7f80 ? ldexp(1, 128) : fabs((double)vs_bf16_to_f32(hi));
    double dl = v - vl, dh = vh - v;
    return dl < dh ? lo : dh < dl ? hi : (lo & 1 ? hi : lo);
}

static void test_f32_to_bf16(void) {
    int bad = 0;
    rs = 0xbf16bf16ull;
    for (uint32_t i = 0; i < 400000; i++) {
        uint64_t r = rnd();
        uint32_t x = (uint32_t)r;
        if (i % 3 == 0) x = (x & 0xffff0000u) | 0x8000u; /* a tie */
        if (i % 7 == 0) x = (x & 0x80000000u) | 0x7f7f0000u | (x & 0xffffu); /* near the largest */
        float f = bits_f(x);
        uint16_t got = vs_f32_to_bf16(f);
        vt_checks++;
        if (isnan(f)) {
            if (!isnan(vs_bf16_to_f32(got)) || (got >> 15) != (x >> 31))
                if (bad++ < 5) vt_fail(__FILE__, __LINE__, "f32 %08x (NaN) -> %04x", x, got);
            continue;
        }
        uint16_t want = (x & 0x7fffffffu) == 0x7f800000u ? (uint16_t)(x >> 16) : ref_f32_to_bf16(f);
        if (got != want && bad++ < 5) vt_fail(__FILE__, __LINE__, "f32 %08x -> %04x, want %04x", x, got, want);
    }
}

int main(void) {
    fprintf(stderr, "kernel: %s\n", vs_kernel_name());
    VT_RUN(test_small_values);
    VT_RUN(test_kernels);
    VT_RUN(test_long_int);
    VT_RUN(test_f16_all);
    VT_RUN(test_bf16_all);
    VT_RUN(test_f32_to_f16);
    VT_RUN(test_f32_to_bf16);
    VT_DONE();
}
