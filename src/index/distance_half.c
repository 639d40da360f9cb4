/* distance_half.c - FLOAT16 and BFLOAT16: conversions to and from float32,
 * and the kernels.
 *
 * Identity rule: a kernel widens each component to float32 EXACTLY (every
 * binary16 and every bfloat16 is a binary32 value) and then adds in the
 * FLOAT32 kernels' order (distance_int.h), so a FLOAT16 sum equals, bit
 * for bit, the FLOAT32 sum of the widened vectors, in the SIMD128 and the
 * portable kernel alike.  Kernels assume finite components (the vector
 * layer refuses others); the conversions handle every value.
 *
 * Narrowing (vs_f32_to_f16, vs_f32_to_bf16) rounds to nearest, ties to
 * even; past the largest finite value it gives infinity; NaN stays NaN
 * (quiet, sign and top payload bits kept); float32 values below half the
 * smallest subnormal become a signed zero.
 */
#include "index/distance.h"
#include "index/distance_int.h"

static inline float bits_f32(uint32_t u) {
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

static inline uint32_t f32_bits(float f) {
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    return u;
}

float vs_f16_to_f32(uint16_t h) {
    if ((h & 0x7c00u) == 0x7c00u) /* infinity or NaN: all-ones exponent, mantissa kept */
        return bits_f32(((uint32_t)(h & 0x8000u) << 16) | 0x7f800000u | ((uint32_t)(h & 0x3ffu) << 13));
    return vs_f16_widen(h);
}

uint16_t vs_f32_to_f16(float f) {
    uint32_t x = f32_bits(f);
    uint16_t sign = (uint16_t)((x >> 16) & 0x8000u);
    uint32_t ax = x & 0x7fffffffu;
    if (ax > 0x7f800000u) return (uint16_t)(sign | 0x7e00u | ((ax >> 13) & 0x3ffu)); /* NaN */
    if (ax >= 0x477ff000u) return (uint16_t)(sign | 0x7c00u); /* >= 65520 (and infinity): infinity */
    if (ax >= 0x38800000u) {                                   /* >= 2^-14: a normal half */
        uint32_t r = ax - 0x38000000u;                         /* exponent rebiased by 127 - 15 */
        r = (r + 0xfffu + ((r >> 13) & 1u)) >> 13;             /* a carry may bump the exponent: right */
        return (uint16_t)(sign | r);
    }
    if (ax <= 0x33000000u) return sign; /* <= 2^-25, half the smallest subnormal: zero (a tie goes to even 0) */
    /* Subnormal: the value in units of 2^-24 is m * 2^(e - 126), with the
     * implicit bit in m and e in [102, 112]. */
    uint32_t e = ax >> 23, m = (ax & 0x7fffffu) | 0x800000u, s = 126 - e;
    uint32_t q = m >> s, rem = m & ((1u << s) - 1), half = 1u << (s - 1);
    if (rem > half || (rem == half && (q & 1u))) q++; /* q may reach 0x400, the smallest normal */
    return (uint16_t)(sign | q);
}

float vs_bf16_to_f32(uint16_t h) { return bits_f32((uint32_t)h << 16); }

uint16_t vs_f32_to_bf16(float f) {
    uint32_t x = f32_bits(f);
    if ((x & 0x7fffffffu) > 0x7f800000u) return (uint16_t)((x >> 16) | 0x40u); /* NaN, kept quiet */
    return (uint16_t)((x + 0x7fffu + ((x >> 16) & 1u)) >> 16); /* overflow carries into infinity */
}

VS_SUM_PORTABLE(vs_l2sq_f16_portable, vs_ld_f16, VS_TERM_L2SQ)
VS_SUM_PORTABLE(vs_dot_f16_portable, vs_ld_f16, VS_TERM_DOT)
VS_SUM_PORTABLE(vs_l2sq_bf16_portable, vs_ld_bf16, VS_TERM_L2SQ)
VS_SUM_PORTABLE(vs_dot_bf16_portable, vs_ld_bf16, VS_TERM_DOT)

#ifdef __wasm_simd128__
VS_SUM_SIMD(vs_l2sq_f16_simd, vs_ld4_f16, vs_ld_f16, vs_term4_l2sq, VS_TERM_L2SQ)
VS_SUM_SIMD(vs_dot_f16_simd, vs_ld4_f16, vs_ld_f16, vs_term4_dot, VS_TERM_DOT)
VS_SUM_SIMD(vs_l2sq_bf16_simd, vs_ld4_bf16, vs_ld_bf16, vs_term4_l2sq, VS_TERM_L2SQ)
VS_SUM_SIMD(vs_dot_bf16_simd, vs_ld4_bf16, vs_ld_bf16, vs_term4_dot, VS_TERM_DOT)
#endif
