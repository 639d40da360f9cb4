/* sq8.c - 8-bit scalar quantization of vectors (see sq8.h). */
#include "index/sq8.h"

#include <string.h>

int vs_sq8_supported(const vs_vspace *s) {
    return s->type == VS_VEC_FLOAT32 || s->type == VS_VEC_FLOAT16 || s->type == VS_VEC_BFLOAT16;
}

/* Component i of v (a float TYPE) widened exactly to float. */
static inline float comp(const vs_vspace *s, const uint8_t *v, uint32_t i) {
    if (s->type == VS_VEC_FLOAT32) {
        float f;
        memcpy(&f, v + 4 * (size_t)i, sizeof f);
        return f;
    }
    uint16_t h;
    memcpy(&h, v + 2 * (size_t)i, sizeof h);
    return s->type == VS_VEC_FLOAT16 ? vs_f16_to_f32(h) : vs_bf16_to_f32(h);
}

void vs_sq8_encode(const vs_vspace *s, const void *v_, float inv_norm, uint8_t *rec) {
    const uint8_t *v = v_;
    uint32_t n = s->dim;
    uint8_t *c = rec + sizeof(vs_sq8_head);
    double lo = comp(s, v, 0), hi = lo;
    for (uint32_t i = 1; i < n; i++) {
        double x = comp(s, v, i);
        if (x < lo) lo = x;
        if (x > hi) hi = x;
    }
    /* In double: hi - lo of two finite floats may overflow float. */
    double d = (hi - lo) / 255.0;
    float df = (float)d;
    uint32_t sum = 0;
    if (df > 0.0f) {
        /* Code against the float step actually stored, so the decoded
         * a + d c is what the bound speaks of. */
        double inv = 1.0 / (double)df;
        for (uint32_t i = 0; i < n; i++) {
            double t = ((double)comp(s, v, i) - lo) * inv + 0.5;
            uint32_t q = t <= 0.0 ? 0u : t >= 255.0 ? 255u : (uint32_t)t;
            c[i] = (uint8_t)q;
            sum += q;
        }
    } else {
        df = 0.0f;
        memset(c, 0, n);
    }
    memset(c + n, 0, vs_sq8_size(n) - sizeof(vs_sq8_head) - n); /* padding */
    vs_sq8_head hd = {(float)lo, df, (float)sum, 0.0f};
    if (s->metric == VS_METRIC_L2)
        hd.aux = s->dot(v, v, n); /* the type's exact-as-any sum of squares */
    else if (s->metric == VS_METRIC_COSINE)
        hd.aux = inv_norm;
    memcpy(rec, &hd, sizeof hd);
}
