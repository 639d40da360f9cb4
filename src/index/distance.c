/* distance.c - distance kernels (see distance.h for the bit-identity rule).
 *
 * Association order shared by both kernels, for n elements:
 *   acc[16] (lane j of vector accumulator j / 4) += term(i + j) for each
 *   full block of 16;
 *   acc[0..3] += term(i + 0..3) for each remaining full block of 4;
 *   v[l] = (acc[l] + acc[4 + l]) + (acc[8 + l] + acc[12 + l]);
 *   s = (v[0] + v[1]) + (v[2] + v[3]);
 *   s += term(i) for each remaining element, in order.
 */
#include "index/distance.h"

#include <math.h>
#include <string.h>

#ifdef __wasm_simd128__
#include <wasm_simd128.h>
#endif

/* ---- portable kernels (the scalar build, and native) -------------------- */

#define PORTABLE_KERNEL(NAME, TERM)                                          \
    float NAME(const float *a, const float *b, size_t n) {                  \
        float acc[16] = {0};                                                 \
        size_t i = 0;                                                        \
        for (; i + 16 <= n; i += 16)                                         \
            for (int j = 0; j < 16; j++) {                                   \
                float x = a[i + j], y = b[i + j];                            \
                acc[j] += TERM;                                              \
            }                                                                \
        for (; i + 4 <= n; i += 4)                                           \
            for (int j = 0; j < 4; j++) {                                    \
                float x = a[i + j], y = b[i + j];                            \
                acc[j] += TERM;                                              \
            }                                                                \
        float v[4];                                                          \
        for (int l = 0; l < 4; l++) v[l] = (acc[l] + acc[4 + l]) + (acc[8 + l] + acc[12 + l]); \
        float s = (v[0] + v[1]) + (v[2] + v[3]);                            \
        for (; i < n; i++) {                                                 \
            float x = a[i], y = b[i];                                        \
            s += TERM;                                                       \
        }                                                                    \
        return s;                                                            \
    }

PORTABLE_KERNEL(vs_l2sq_portable, (x - y) * (x - y))
PORTABLE_KERNEL(vs_dot_portable, x *y)

float vs_l2sq_ref(const float *a, const float *b, size_t n) {
    float s = 0;
    for (size_t i = 0; i < n; i++) s += (a[i] - b[i]) * (a[i] - b[i]);
    return s;
}

float vs_dot_ref(const float *a, const float *b, size_t n) {
    float s = 0;
    for (size_t i = 0; i < n; i++) s += a[i] * b[i];
    return s;
}

/* ---- SIMD128 kernels -------------------------------------------------------- */

#ifdef __wasm_simd128__

static inline float reduce4(v128_t a0, v128_t a1, v128_t a2, v128_t a3) {
    v128_t v = wasm_f32x4_add(wasm_f32x4_add(a0, a1), wasm_f32x4_add(a2, a3));
    return (wasm_f32x4_extract_lane(v, 0) + wasm_f32x4_extract_lane(v, 1)) +
           (wasm_f32x4_extract_lane(v, 2) + wasm_f32x4_extract_lane(v, 3));
}

float vs_l2sq(const float *a, const float *b, size_t n) {
    v128_t a0 = wasm_f32x4_splat(0), a1 = a0, a2 = a0, a3 = a0;
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        v128_t d0 = wasm_f32x4_sub(wasm_v128_load(a + i), wasm_v128_load(b + i));
        v128_t d1 = wasm_f32x4_sub(wasm_v128_load(a + i + 4), wasm_v128_load(b + i + 4));
        v128_t d2 = wasm_f32x4_sub(wasm_v128_load(a + i + 8), wasm_v128_load(b + i + 8));
        v128_t d3 = wasm_f32x4_sub(wasm_v128_load(a + i + 12), wasm_v128_load(b + i + 12));
        a0 = wasm_f32x4_add(a0, wasm_f32x4_mul(d0, d0));
        a1 = wasm_f32x4_add(a1, wasm_f32x4_mul(d1, d1));
        a2 = wasm_f32x4_add(a2, wasm_f32x4_mul(d2, d2));
        a3 = wasm_f32x4_add(a3, wasm_f32x4_mul(d3, d3));
    }
    for (; i + 4 <= n; i += 4) {
        v128_t d = wasm_f32x4_sub(wasm_v128_load(a + i), wasm_v128_load(b + i));
        a0 = wasm_f32x4_add(a0, wasm_f32x4_mul(d, d));
    }
    float s = reduce4(a0, a1, a2, a3);
    for (; i < n; i++) {
        float d = a[i] - b[i];
        s += d * d;
    }
    return s;
}

float vs_dot(const float *a, const float *b, size_t n) {
    v128_t a0 = wasm_f32x4_splat(0), a1 = a0, a2 = a0, a3 = a0;
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        a0 = wasm_f32x4_add(a0, wasm_f32x4_mul(wasm_v128_load(a + i), wasm_v128_load(b + i)));
        a1 = wasm_f32x4_add(a1, wasm_f32x4_mul(wasm_v128_load(a + i + 4), wasm_v128_load(b + i + 4)));
        a2 = wasm_f32x4_add(a2, wasm_f32x4_mul(wasm_v128_load(a + i + 8), wasm_v128_load(b + i + 8)));
        a3 = wasm_f32x4_add(a3, wasm_f32x4_mul(wasm_v128_load(a + i + 12), wasm_v128_load(b + i + 12)));
    }
    for (; i + 4 <= n; i += 4)
        a0 = wasm_f32x4_add(a0, wasm_f32x4_mul(wasm_v128_load(a + i), wasm_v128_load(b + i)));
    float s = reduce4(a0, a1, a2, a3);
    for (; i < n; i++) s += a[i] * b[i];
    return s;
}

const char *vs_kernel_name(void) { return "simd128"; }

#else

float vs_l2sq(const float *a, const float *b, size_t n) { return vs_l2sq_portable(a, b, n); }
float vs_dot(const float *a, const float *b, size_t n) { return vs_dot_portable(a, b, n); }
const char *vs_kernel_name(void) { return "portable"; }

#endif

float vs_ip_dist(const float *a, const float *b, size_t n) { return 1.0f - vs_dot(a, b, n); }

vs_dist_fn vs_metric_fn(vs_metric m) { return m == VS_METRIC_L2 ? vs_l2sq : vs_ip_dist; }

void vs_normalize(float *v, size_t n) {
    float ss = vs_dot(v, v, n);
    if (!(ss > 0) || !isfinite(ss)) return;
    float inv = 1.0f / sqrtf(ss);
    for (size_t i = 0; i < n; i++) v[i] *= inv;
}

int vs_all_finite(const float *v, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (!isfinite(v[i])) return 0;
    return 1;
}

size_t vs_vectype_size(vs_vectype t) {
    static const unsigned char size[VS_VEC_COUNT] = {4, 2, 2, 1, 1};
    return (unsigned)t < VS_VEC_COUNT ? size[t] : 0;
}

const char *vs_vectype_name(vs_vectype t) {
    static const char *const name[VS_VEC_COUNT] = {"FLOAT32", "FLOAT16", "BFLOAT16", "INT8", "UINT8"};
    return (unsigned)t < VS_VEC_COUNT ? name[t] : "?";
}

const char *vs_metric_name(vs_metric m) {
    switch (m) {
    case VS_METRIC_L2: return "L2";
    case VS_METRIC_IP: return "IP";
    default: return "COSINE";
    }
}
