/* distance_int.h - internal to the distance kernels (distance.c,
 * distance_half.c, distance_int8.c): the float association order written
 * once, the component loads, and each element type's kernels.
 *
 * The float order (the FLOAT32 kernels' since the first release), for n
 * components and a per-component term t(i) computed in float32:
 *   acc[16] (lane j of vector accumulator j / 4) += t(i + j) for each full
 *   block of 16;
 *   acc[0..3] += t(i + 0..3) for each remaining full block of 4;
 *   v[l] = (acc[l] + acc[4 + l]) + (acc[8 + l] + acc[12 + l]);
 *   s = (v[0] + v[1]) + (v[2] + v[3]);
 *   s += t(i) for each remaining component, in order.
 * VS_SUM_PORTABLE writes it in plain C, VS_SUM_SIMD with SIMD128; both take
 * a load that widens one component (four for SIMD) to float32 EXACTLY, so a
 * FLOAT16 or BFLOAT16 sum is the FLOAT32 sum of the widened vectors and
 * every build gives the same bits.  Loads go through memcpy (plain C) or
 * v128 loads (alignment-free), so operands may sit at any address.  No
 * fused multiply-add (native builds use -ffp-contract=off).
 *
 * The integer kernels (INT8, UINT8) are exact and need no shared order.
 */
#ifndef VS_DISTANCE_INT_H
#define VS_DISTANCE_INT_H

#include <stdint.h>
#include <string.h>

#include "index/distance.h"

#ifdef __wasm_simd128__
#include <wasm_simd128.h>
#endif

/* ---- component loads: component i of the vector at byte address p ------- */

static inline float vs_ld_f32(const unsigned char *p, size_t i) {
    float f;
    memcpy(&f, p + 4 * i, sizeof f);
    return f;
}

/* A finite binary16 widened exactly: the magnitude bits placed where a
 * binary32's go (h << 13) read as a binary32 are the value times 2^-112
 * (a half subnormal becomes a float subnormal, exactly), so one exact
 * multiply by 2^112 rebiases; the sign rides along.  Infinities and NaNs
 * do not come out as such (vs_f16_to_f32 handles them; kernels only see
 * validated finite vectors). */
static inline float vs_f16_widen(uint16_t h) {
    uint32_t bits = ((uint32_t)(h & 0x8000u) << 16) | ((uint32_t)(h & 0x7fffu) << 13);
    float f;
    memcpy(&f, &bits, sizeof f);
    return f * 0x1p112f;
}

static inline float vs_ld_f16(const unsigned char *p, size_t i) {
    uint16_t h;
    memcpy(&h, p + 2 * i, sizeof h);
    return vs_f16_widen(h);
}

static inline float vs_ld_bf16(const unsigned char *p, size_t i) {
    uint16_t h;
    memcpy(&h, p + 2 * i, sizeof h);
    uint32_t bits = (uint32_t)h << 16;
    float f;
    memcpy(&f, &bits, sizeof f);
    return f;
}

/* ---- the float order in plain C -------------------------------------------- */

#define VS_TERM_L2SQ(x, y) (((x) - (y)) * ((x) - (y)))
#define VS_TERM_DOT(x, y) ((x) * (y))

#define VS_SUM_PORTABLE(NAME, LOAD, TERM)                                              \
    float NAME(const void *a_, const void *b_, size_t n) {                             \
        const unsigned char *a = a_, *b = b_;                                          \
        float acc[16] = {0};                                                           \
        size_t i = 0;                                                                  \
        for (; i + 16 <= n; i += 16)                                                   \
            for (int j = 0; j < 16; j++) {                                             \
                float x = LOAD(a, i + j), y = LOAD(b, i + j);                          \
                acc[j] += TERM(x, y);                                                  \
            }                                                                          \
        for (; i + 4 <= n; i += 4)                                                     \
            for (int j = 0; j < 4; j++) {                                              \
                float x = LOAD(a, i + j), y = LOAD(b, i + j);                          \
                acc[j] += TERM(x, y);                                                  \
            }                                                                          \
        float v[4];                                                                    \
        for (int l = 0; l < 4; l++) v[l] = (acc[l] + acc[4 + l]) + (acc[8 + l] + acc[12 + l]); \
        float s = (v[0] + v[1]) + (v[2] + v[3]);                                       \
        for (; i < n; i++) {                                                           \
            float x = LOAD(a, i), y = LOAD(b, i);                                      \
            s += TERM(x, y);                                                           \
        }                                                                              \
        return s;                                                                      \
    }

/* ---- the float order in SIMD128 ---------------------------------------------- */

#ifdef __wasm_simd128__

/* Four components i..i+3 as an f32x4. */
static inline v128_t vs_ld4_f32(const unsigned char *p, size_t i) { return wasm_v128_load(p + 4 * i); }

/* vs_f16_widen on four lanes: sign-extend each half to 32 bits, shift the
 * magnitude into place (the sign copies above it are masked off but bit
 * 31), multiply by 2^112. */
static inline v128_t vs_ld4_f16(const unsigned char *p, size_t i) {
    v128_t h = wasm_i32x4_load16x4(p + 2 * i);
    v128_t bits = wasm_v128_and(wasm_i32x4_shl(h, 13), wasm_i32x4_splat((int32_t)0x8fffe000));
    return wasm_f32x4_mul(bits, wasm_f32x4_splat(0x1p112f));
}

static inline v128_t vs_ld4_bf16(const unsigned char *p, size_t i) {
    return wasm_i32x4_shl(wasm_u32x4_load16x4(p + 2 * i), 16);
}

static inline v128_t vs_term4_l2sq(v128_t x, v128_t y) {
    v128_t d = wasm_f32x4_sub(x, y);
    return wasm_f32x4_mul(d, d);
}
static inline v128_t vs_term4_dot(v128_t x, v128_t y) { return wasm_f32x4_mul(x, y); }

static inline float vs_reduce4(v128_t a0, v128_t a1, v128_t a2, v128_t a3) {
    v128_t v = wasm_f32x4_add(wasm_f32x4_add(a0, a1), wasm_f32x4_add(a2, a3));
    return (wasm_f32x4_extract_lane(v, 0) + wasm_f32x4_extract_lane(v, 1)) +
           (wasm_f32x4_extract_lane(v, 2) + wasm_f32x4_extract_lane(v, 3));
}

#define VS_SUM_SIMD(NAME, LOAD4, LOAD, TERM4, TERM)                                    \
    float NAME(const void *a_, const void *b_, size_t n) {                             \
        const unsigned char *a = a_, *b = b_;                                          \
        v128_t a0 = wasm_f32x4_splat(0), a1 = a0, a2 = a0, a3 = a0;                    \
        size_t i = 0;                                                                  \
        for (; i + 16 <= n; i += 16) {                                                 \
            a0 = wasm_f32x4_add(a0, TERM4(LOAD4(a, i), LOAD4(b, i)));                  \
            a1 = wasm_f32x4_add(a1, TERM4(LOAD4(a, i + 4), LOAD4(b, i + 4)));          \
            a2 = wasm_f32x4_add(a2, TERM4(LOAD4(a, i + 8), LOAD4(b, i + 8)));          \
            a3 = wasm_f32x4_add(a3, TERM4(LOAD4(a, i + 12), LOAD4(b, i + 12)));        \
        }                                                                              \
        for (; i + 4 <= n; i += 4) a0 = wasm_f32x4_add(a0, TERM4(LOAD4(a, i), LOAD4(b, i))); \
        float s = vs_reduce4(a0, a1, a2, a3);                                          \
        for (; i < n; i++) {                                                           \
            float x = LOAD(a, i), y = LOAD(b, i);                                      \
            s += TERM(x, y);                                                           \
        }                                                                              \
        return s;                                                                      \
    }

#endif

/* ---- each type's kernels (the SIMD128 ones exist when __wasm_simd128__) ---- */

float vs_l2sq_f32_portable(const void *a, const void *b, size_t n);
float vs_dot_f32_portable(const void *a, const void *b, size_t n);
float vs_l2sq_f16_portable(const void *a, const void *b, size_t n);
float vs_dot_f16_portable(const void *a, const void *b, size_t n);
float vs_l2sq_bf16_portable(const void *a, const void *b, size_t n);
float vs_dot_bf16_portable(const void *a, const void *b, size_t n);
float vs_l2sq_i8_portable(const void *a, const void *b, size_t n);
float vs_dot_i8_portable(const void *a, const void *b, size_t n);
float vs_l2sq_u8_portable(const void *a, const void *b, size_t n);
float vs_dot_u8_portable(const void *a, const void *b, size_t n);

#ifdef __wasm_simd128__
float vs_l2sq_f32_simd(const void *a, const void *b, size_t n);
float vs_dot_f32_simd(const void *a, const void *b, size_t n);
float vs_l2sq_f16_simd(const void *a, const void *b, size_t n);
float vs_dot_f16_simd(const void *a, const void *b, size_t n);
float vs_l2sq_bf16_simd(const void *a, const void *b, size_t n);
float vs_dot_bf16_simd(const void *a, const void *b, size_t n);
float vs_l2sq_i8_simd(const void *a, const void *b, size_t n);
float vs_dot_i8_simd(const void *a, const void *b, size_t n);
float vs_l2sq_u8_simd(const void *a, const void *b, size_t n);
float vs_dot_u8_simd(const void *a, const void *b, size_t n);
#endif

#endif
