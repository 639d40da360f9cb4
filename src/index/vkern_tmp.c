/* vkern_tmp.c - TEMPORARY typed distance sums (see vkern_tmp.h). */
#include "index/vkern_tmp.h"

#include <string.h>

#include "index/schema.h"

static float wa[VS_MAX_DIM], wb[VS_MAX_DIM];

float vs_f16_to_f32(uint16_t h) {
    uint32_t s = (uint32_t)(h & 0x8000) << 16, e = (h >> 10) & 0x1f, m = h & 0x3ff, x;
    if (e == 0) {
        if (m == 0) {
            x = s;
        } else { /* subnormal: normalise */
            e = 127 - 15 + 1;
            while (!(m & 0x400)) {
                m <<= 1;
                e--;
            }
            x = s | (e << 23) | ((m & 0x3ff) << 13);
        }
    } else if (e == 31) {
        x = s | 0x7f800000u | (m << 13);
    } else {
        x = s | ((e + 127 - 15) << 23) | (m << 13);
    }
    float f;
    memcpy(&f, &x, 4);
    return f;
}

float vs_bf16_to_f32(uint16_t h) {
    uint32_t x = (uint32_t)h << 16;
    float f;
    memcpy(&f, &x, 4);
    return f;
}

static void widen(vs_vectype t, const void *p, float *out, size_t n) {
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++) {
        uint16_t u = (uint16_t)(b[2 * i] | (b[2 * i + 1] << 8));
        out[i] = t == VS_VEC_FLOAT16 ? vs_f16_to_f32(u) : vs_bf16_to_f32(u);
    }
}

static float f32_l2(const void *a, const void *b, size_t n) {
    if (((uintptr_t)a | (uintptr_t)b) & 3) {
        memcpy(wa, a, n * 4);
        memcpy(wb, b, n * 4);
        return vs_l2sq(wa, wb, n);
    }
    return vs_l2sq(a, b, n);
}
static float f32_dot(const void *a, const void *b, size_t n) {
    if (((uintptr_t)a | (uintptr_t)b) & 3) {
        memcpy(wa, a, n * 4);
        memcpy(wb, b, n * 4);
        return vs_dot(wa, wb, n);
    }
    return vs_dot(a, b, n);
}
static float f16_l2(const void *a, const void *b, size_t n) {
    widen(VS_VEC_FLOAT16, a, wa, n), widen(VS_VEC_FLOAT16, b, wb, n);
    return vs_l2sq(wa, wb, n);
}
static float f16_dot(const void *a, const void *b, size_t n) {
    widen(VS_VEC_FLOAT16, a, wa, n), widen(VS_VEC_FLOAT16, b, wb, n);
    return vs_dot(wa, wb, n);
}
static float bf16_l2(const void *a, const void *b, size_t n) {
    widen(VS_VEC_BFLOAT16, a, wa, n), widen(VS_VEC_BFLOAT16, b, wb, n);
    return vs_l2sq(wa, wb, n);
}
static float bf16_dot(const void *a, const void *b, size_t n) {
    widen(VS_VEC_BFLOAT16, a, wa, n), widen(VS_VEC_BFLOAT16, b, wb, n);
    return vs_dot(wa, wb, n);
}
static float i8_l2(const void *a, const void *b, size_t n) {
    const int8_t *x = a, *y = b;
    int32_t s = 0;
    for (size_t i = 0; i < n; i++) s += (int32_t)(x[i] - y[i]) * (x[i] - y[i]);
    return (float)s;
}
static float i8_dot(const void *a, const void *b, size_t n) {
    const int8_t *x = a, *y = b;
    int32_t s = 0;
    for (size_t i = 0; i < n; i++) s += (int32_t)x[i] * y[i];
    return (float)s;
}
static float u8_l2(const void *a, const void *b, size_t n) {
    const uint8_t *x = a, *y = b;
    int32_t s = 0;
    for (size_t i = 0; i < n; i++) s += ((int32_t)x[i] - y[i]) * ((int32_t)x[i] - y[i]);
    return (float)s;
}
static float u8_dot(const void *a, const void *b, size_t n) {
    const uint8_t *x = a, *y = b;
    uint32_t s = 0; /* 255 * 255 * 32768 < 2^32 */
    for (size_t i = 0; i < n; i++) s += (uint32_t)x[i] * y[i];
    return (float)s;
}

vs_vsum_fn vs_l2sq_of(vs_vectype t) {
    static const vs_vsum_fn f[VS_VEC_COUNT] = {f32_l2, f16_l2, bf16_l2, i8_l2, u8_l2};
    return f[t];
}
vs_vsum_fn vs_dot_of(vs_vectype t) {
    static const vs_vsum_fn f[VS_VEC_COUNT] = {f32_dot, f16_dot, bf16_dot, i8_dot, u8_dot};
    return f[t];
}
