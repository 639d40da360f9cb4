/* sq8.h - 8-bit scalar quantization of vectors (an HNSW index's
 * COMPRESSION SQ8): compact codes a graph walk estimates distances on,
 * before the candidates are re-ranked with the full vectors.
 *
 * A vector x of n float components (FLOAT32, FLOAT16 or BFLOAT16, widened
 * exactly to float) is coded per vector as
 *   a = min_i x_i,  d = (max_i x_i - a) / 255,  c_i = round((x_i - a) / d)
 * (d = 0: every c_i = 0), so |x_i - (a + d c_i)| <= d / 2 (up to float
 * rounding).  A record is vs_sq8_size(n) bytes, 4-byte aligned:
 *   [float a | float d | float sum c_i | float aux | uint8 c[n] | pad]
 * where aux is what the metric needs of x exactly: dot(x, x) for L2, the
 * inverse norm (vector.h) for COSINE, 0 for IP.
 *
 * The estimate of dot(q, x) from two records expands
 * sum (a_q + d_q c_qi)(a_x + d_x c_xi) with c_q . c_x summed exactly
 * (the UINT8 kernel, integers); the metric's distance follows as in
 * vector.h (L2: |q|^2 + |x|^2 - 2 q.x).  Estimates only order a graph
 * walk: results are always scored with the full vectors.  A NaN estimate
 * (overflowing magnitudes) is returned as +infinity.
 */
#ifndef VS_INDEX_SQ8_H
#define VS_INDEX_SQ8_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include "index/distance.h"
#include "index/vector.h"

typedef struct vs_sq8_head {
    float a, d, sum, aux;
} vs_sq8_head;

/* Bytes of one record for dim n. */
static inline size_t vs_sq8_size(uint32_t n) { return sizeof(vs_sq8_head) + (((size_t)n + 3) & ~(size_t)3); }

/* 1 if space s can be coded (a float TYPE). */
int vs_sq8_supported(const vs_vspace *s);

/* Code vector v (s->bytes of s's type, finite components) into rec
 * (vs_sq8_size(s->dim) bytes, 4-byte aligned); inv_norm is v's (COSINE). */
void vs_sq8_encode(const vs_vspace *s, const void *v, float inv_norm, uint8_t *rec);

/* The estimated distance of metric m between two records of dim n;
 * cdot is vs_dot_of(VS_VEC_UINT8) (the caller keeps it: no lookup per
 * distance). */
static inline float vs_sq8_dist(vs_metric m, uint32_t n, const uint8_t *q, const uint8_t *x, vs_vsum_fn cdot) {
    const vs_sq8_head *hq = (const vs_sq8_head *)(const void *)q, *hx = (const vs_sq8_head *)(const void *)x;
    float cc = cdot(q + sizeof(vs_sq8_head), x + sizeof(vs_sq8_head), n);
    float dot = (float)n * hq->a * hx->a + hq->a * hx->d * hx->sum + hx->a * hq->d * hq->sum + hq->d * hx->d * cc;
    float r;
    if (m == VS_METRIC_L2)
        r = hq->aux + hx->aux - 2.0f * dot;
    else if (m == VS_METRIC_IP)
        r = 1.0f - dot;
    else
        r = 1.0f - dot * hq->aux * hx->aux;
    return r == r ? r : (float)INFINITY;
}

#endif
