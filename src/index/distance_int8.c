/* distance_int8.c - INT8 and UINT8 kernels.
 *
 * Exact: every squared difference (at most 255^2) and product (at most
 * 255^2 for UINT8, 128^2 for INT8) is an integer, summed exactly in 32-bit
 * lanes over chunks of CHUNK components (at most CHUNK * 255^2 < 2^31 per
 * lane) and the chunks in 64 bits; the float returned is that integer
 * rounded once (to nearest even).  So the SIMD128 and the portable kernel
 * return the same bits whatever the order, at any length and alignment.
 *
 * SIMD128: 16 bytes widened to two i16x8 (signed or unsigned extension),
 * i32x4.dot_i16x8_s on the products, or on the i16 differences squared
 * (a difference of bytes fits in i16).
 */
#include "index/distance.h"
#include "index/distance_int.h"

/* Components per chunk: a multiple of 32 (the SIMD step) with
 * CHUNK * 255^2 < 2^31. */
#define CHUNK 32768

#define INT_PORTABLE(NAME, T, TERM)                                              \
    float NAME(const void *a_, const void *b_, size_t n) {                       \
        const T *a = a_, *b = b_;                                                \
        int64_t s = 0;                                                           \
        for (size_t i = 0; i < n;) {                                             \
            size_t end = n - i > CHUNK ? i + CHUNK : n;                          \
            int32_t c = 0;                                                       \
            for (; i < end; i++) c += TERM((int32_t)a[i], (int32_t)b[i]);        \
            s += c;                                                              \
        }                                                                        \
        return (float)s;                                                         \
    }

#define ITERM_L2SQ(x, y) (((x) - (y)) * ((x) - (y)))
#define ITERM_DOT(x, y) ((x) * (y))

INT_PORTABLE(vs_l2sq_i8_portable, int8_t, ITERM_L2SQ)
INT_PORTABLE(vs_dot_i8_portable, int8_t, ITERM_DOT)
INT_PORTABLE(vs_l2sq_u8_portable, uint8_t, ITERM_L2SQ)
INT_PORTABLE(vs_dot_u8_portable, uint8_t, ITERM_DOT)

#ifdef __wasm_simd128__

/* i32x4 contributions of 16 bytes at a and b: WIDEN_LO/HI make i16x8. */
#define STEP_DOT(acc, x, y, LO, HI)                                               \
    acc = wasm_i32x4_add(acc, wasm_i32x4_add(wasm_i32x4_dot_i16x8(LO(x), LO(y)), \
                                             wasm_i32x4_dot_i16x8(HI(x), HI(y))))
#define STEP_L2SQ(acc, x, y, LO, HI)                                              \
    do {                                                                          \
        v128_t dl_ = wasm_i16x8_sub(LO(x), LO(y)), dh_ = wasm_i16x8_sub(HI(x), HI(y)); \
        acc = wasm_i32x4_add(acc, wasm_i32x4_add(wasm_i32x4_dot_i16x8(dl_, dl_),  \
                                                 wasm_i32x4_dot_i16x8(dh_, dh_))); \
    } while (0)

static inline int64_t hsum(v128_t v) {
    return (int64_t)wasm_i32x4_extract_lane(v, 0) + wasm_i32x4_extract_lane(v, 1) +
           wasm_i32x4_extract_lane(v, 2) + wasm_i32x4_extract_lane(v, 3);
}

#define INT_SIMD(NAME, T, STEP, LO, HI, TERM)                                    \
    float NAME(const void *a_, const void *b_, size_t n) {                       \
        const T *a = a_, *b = b_;                                                \
        int64_t s = 0;                                                           \
        size_t i = 0;                                                            \
        while (i + 32 <= n) {                                                    \
            size_t end = n - i > CHUNK ? i + CHUNK : n;                          \
            v128_t c0 = wasm_i32x4_splat(0), c1 = c0;                            \
            for (; i + 32 <= end; i += 32) {                                     \
                STEP(c0, wasm_v128_load(a + i), wasm_v128_load(b + i), LO, HI);   \
                STEP(c1, wasm_v128_load(a + i + 16), wasm_v128_load(b + i + 16), LO, HI); \
            }                                                                    \
            s += hsum(c0) + hsum(c1);                                            \
        }                                                                        \
        if (i + 16 <= n) {                                                       \
            v128_t c0 = wasm_i32x4_splat(0);                                     \
            STEP(c0, wasm_v128_load(a + i), wasm_v128_load(b + i), LO, HI);       \
            s += hsum(c0);                                                       \
            i += 16;                                                             \
        }                                                                        \
        for (; i < n; i++) s += TERM((int32_t)a[i], (int32_t)b[i]);              \
        return (float)s;                                                         \
    }

INT_SIMD(vs_l2sq_i8_simd, int8_t, STEP_L2SQ, wasm_i16x8_extend_low_i8x16, wasm_i16x8_extend_high_i8x16, ITERM_L2SQ)
INT_SIMD(vs_dot_i8_simd, int8_t, STEP_DOT, wasm_i16x8_extend_low_i8x16, wasm_i16x8_extend_high_i8x16, ITERM_DOT)
INT_SIMD(vs_l2sq_u8_simd, uint8_t, STEP_L2SQ, wasm_u16x8_extend_low_u8x16, wasm_u16x8_extend_high_u8x16, ITERM_L2SQ)
INT_SIMD(vs_dot_u8_simd, uint8_t, STEP_DOT, wasm_u16x8_extend_low_u8x16, wasm_u16x8_extend_high_u8x16, ITERM_DOT)

#endif
