/* distance.c - the FLOAT32 kernels, the per-type kernel tables, the
 * reference loops, and the metric helpers (see distance.h).
 *
 * FLOAT32 is the float association order of distance_int.h applied to
 * plain binary32 loads; vs_l2sq/vs_dot (float pointers) and the FLOAT32
 * entries of the typed tables are the same functions.  The tables map a
 * vs_vectype to its kernels: FLOAT16/BFLOAT16 in distance_half.c,
 * INT8/UINT8 in distance_int8.c.
 */
#include "index/distance.h"

#include <math.h>
#include <string.h>

#include "index/distance_int.h"

/* ---- FLOAT32 ---------------------------------------------------------------- */

VS_SUM_PORTABLE(vs_l2sq_f32_portable, vs_ld_f32, VS_TERM_L2SQ)
VS_SUM_PORTABLE(vs_dot_f32_portable, vs_ld_f32, VS_TERM_DOT)

#ifdef __wasm_simd128__
VS_SUM_SIMD(vs_l2sq_f32_simd, vs_ld4_f32, vs_ld_f32, vs_term4_l2sq, VS_TERM_L2SQ)
VS_SUM_SIMD(vs_dot_f32_simd, vs_ld4_f32, vs_ld_f32, vs_term4_dot, VS_TERM_DOT)
#define BEST(name) name##_simd
const char *vs_kernel_name(void) { return "simd128"; }
#else
#define BEST(name) name##_portable
const char *vs_kernel_name(void) { return "portable"; }
#endif

float vs_l2sq(const float *a, const float *b, size_t n) { return BEST(vs_l2sq_f32)(a, b, n); }
float vs_dot(const float *a, const float *b, size_t n) { return BEST(vs_dot_f32)(a, b, n); }
float vs_l2sq_portable(const float *a, const float *b, size_t n) { return vs_l2sq_f32_portable(a, b, n); }
float vs_dot_portable(const float *a, const float *b, size_t n) { return vs_dot_f32_portable(a, b, n); }

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

/* ---- kernels by element type ------------------------------------------------ */

static const vs_vsum_fn l2sq_best[VS_VEC_COUNT] = {BEST(vs_l2sq_f32), BEST(vs_l2sq_f16), BEST(vs_l2sq_bf16),
                                                   BEST(vs_l2sq_i8), BEST(vs_l2sq_u8)};
static const vs_vsum_fn dot_best[VS_VEC_COUNT] = {BEST(vs_dot_f32), BEST(vs_dot_f16), BEST(vs_dot_bf16),
                                                  BEST(vs_dot_i8), BEST(vs_dot_u8)};
static const vs_vsum_fn l2sq_portable[VS_VEC_COUNT] = {vs_l2sq_f32_portable, vs_l2sq_f16_portable,
                                                       vs_l2sq_bf16_portable, vs_l2sq_i8_portable,
                                                       vs_l2sq_u8_portable};
static const vs_vsum_fn dot_portable[VS_VEC_COUNT] = {vs_dot_f32_portable, vs_dot_f16_portable,
                                                      vs_dot_bf16_portable, vs_dot_i8_portable,
                                                      vs_dot_u8_portable};

/* Out-of-range types get FLOAT32's (callers pass validated types). */
#define PICK(table, t) ((unsigned)(t) < VS_VEC_COUNT ? (table)[t] : (table)[0])

vs_vsum_fn vs_l2sq_of(vs_vectype t) { return PICK(l2sq_best, t); }
vs_vsum_fn vs_dot_of(vs_vectype t) { return PICK(dot_best, t); }
vs_vsum_fn vs_l2sq_portable_of(vs_vectype t) { return PICK(l2sq_portable, t); }
vs_vsum_fn vs_dot_portable_of(vs_vectype t) { return PICK(dot_portable, t); }

/* ---- components and reference loops ----------------------------------------- */

float vs_vec_get(vs_vectype t, const void *v, size_t i) {
    const unsigned char *p = v;
    uint16_t h;
    switch (t) {
    case VS_VEC_FLOAT16: memcpy(&h, p + 2 * i, 2); return vs_f16_to_f32(h);
    case VS_VEC_BFLOAT16: memcpy(&h, p + 2 * i, 2); return vs_bf16_to_f32(h);
    case VS_VEC_INT8: return (float)(int8_t)p[i];
    case VS_VEC_UINT8: return (float)p[i];
    default: return vs_ld_f32(p, i);
    }
}

int vs_vec_finite(vs_vectype t, const void *v, size_t n) {
    const unsigned char *p = v;
    uint16_t h;
    switch (t) {
    case VS_VEC_FLOAT16:
        for (size_t i = 0; i < n; i++) {
            memcpy(&h, p + 2 * i, 2);
            if ((h & 0x7c00u) == 0x7c00u) return 0;
        }
        return 1;
    case VS_VEC_BFLOAT16:
        for (size_t i = 0; i < n; i++) {
            memcpy(&h, p + 2 * i, 2);
            if ((h & 0x7f80u) == 0x7f80u) return 0;
        }
        return 1;
    case VS_VEC_INT8:
    case VS_VEC_UINT8: return 1;
    default:
        for (size_t i = 0; i < n; i++)
            if (!isfinite(vs_ld_f32(p, i))) return 0;
        return 1;
    }
}

/* One accumulator in double over the exactly widened components; the
 * squared difference and the product are exact in double for every type
 * but FLOAT32 (where they are within one double rounding). */
#define REF_KERNELS(T, SUF)                                                                 \
    static float ref_l2sq_##SUF(const void *a, const void *b, size_t n) {                  \
        double s = 0;                                                                       \
        for (size_t i = 0; i < n; i++) {                                                    \
            double d = (double)vs_vec_get(T, a, i) - (double)vs_vec_get(T, b, i);           \
            s += d * d;                                                                     \
        }                                                                                   \
        return (float)s;                                                                    \
    }                                                                                       \
    static float ref_dot_##SUF(const void *a, const void *b, size_t n) {                   \
        double s = 0;                                                                       \
        for (size_t i = 0; i < n; i++) s += (double)vs_vec_get(T, a, i) * vs_vec_get(T, b, i); \
        return (float)s;                                                                    \
    }
REF_KERNELS(VS_VEC_FLOAT32, f32)
REF_KERNELS(VS_VEC_FLOAT16, f16)
REF_KERNELS(VS_VEC_BFLOAT16, bf16)
REF_KERNELS(VS_VEC_INT8, i8)
REF_KERNELS(VS_VEC_UINT8, u8)

static const vs_vsum_fn l2sq_ref[VS_VEC_COUNT] = {ref_l2sq_f32, ref_l2sq_f16, ref_l2sq_bf16, ref_l2sq_i8,
                                                  ref_l2sq_u8};
static const vs_vsum_fn dot_ref[VS_VEC_COUNT] = {ref_dot_f32, ref_dot_f16, ref_dot_bf16, ref_dot_i8, ref_dot_u8};

vs_vsum_fn vs_l2sq_ref_of(vs_vectype t) { return PICK(l2sq_ref, t); }
vs_vsum_fn vs_dot_ref_of(vs_vectype t) { return PICK(dot_ref, t); }

/* ---- metrics ------------------------------------------------------------------ */

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
