/* vector.h - what a VECTOR field is whatever its algorithm (FLAT, HNSW):
 * the value a document holds, how two vectors' distance is computed, and
 * the attribute FT.INFO shows for it.
 *
 * A vector value is a blob of dim components of the field's TYPE
 * (FLOAT32, FLOAT16, BFLOAT16, INT8, UINT8), little-endian; float
 * components must all be finite.  Anything else is not indexed (an
 * indexing failure).
 *
 * Vectors are held once: an index keeps a pointer to the hash value's own
 * bytes (vs_vref), never a copy, and never changes them; so HGET gives
 * back the bytes written.  Distances (valkey-search's and RediSearch's):
 *   L2:     l2sq(q, v)                      (the squared distance)
 *   IP:     1 - dot(q, v)
 *   COSINE: 1 - dot(q, v) * inv_norm(q) * inv_norm(v)
 * with the sums of the type's kernels (distance.h: float16 and bfloat16
 * widened exactly to float32 and summed as FLOAT32, INT8 and UINT8 in
 * exact integers), and inv_norm(x) = 1 / sqrt(dot(x, x)) in float32,
 * computed once per vector (0 for a zero vector), all in float32 in that
 * order.
 */
#ifndef VS_INDEX_VECTOR_H
#define VS_INDEX_VECTOR_H

#include <stddef.h>
#include <stdint.h>

#include "base/reply.h"
#include "index/distance.h"
#include "index/schema.h"

/* A query vector in the index's type, and its inverse norm (COSINE). */
typedef struct vs_vquery {
    const void *v;
    float inv_norm;
} vs_vquery;

/* A vector an index holds: the bytes (a hash value's, or for a deleted
 * HNSW element the index's own copy) and its inverse norm (COSINE). */
typedef struct vs_vref {
    const uint8_t *v;
    float inv_norm;
} vs_vref;

/* The vector space of a field: type, dimension, metric, kernels. */
typedef struct vs_vspace {
    vs_vectype type;
    vs_metric metric;
    uint32_t dim;
    size_t bytes;  /* dim x element size */
    vs_vsum_fn l2; /* the type's sums */
    vs_vsum_fn dot;
} vs_vspace;

void vs_vspace_init(vs_vspace *s, const vs_vecdef *d);

/* Bytes of a vector of field d. */
static inline size_t vs_vector_bytes(const vs_vecdef *d) { return (size_t)d->dim * vs_vectype_size(d->type); }

/* 1 if p[0..n) is a valid vector of space s (size, finite floats). */
int vs_vector_blob_valid(const vs_vspace *s, const uint8_t *p, size_t n);

/* 1 / sqrt(dot(v, v)) in float32; 0 for a zero vector. */
float vs_vector_inv_norm(const vs_vspace *s, const void *v);

/* A query vector of space s from v (s->bytes, 4-byte aligned, the
 * caller's copy of the blob): 0 when a float component is not finite. */
int vs_vquery_init(const vs_vspace *s, const void *v, vs_vquery *q);

/* The inverse norm a stored vector keeps: computed for COSINE, else 0. */
static inline float vs_vector_ref_norm(const vs_vspace *s, const void *v) {
    return s->metric == VS_METRIC_COSINE ? vs_vector_inv_norm(s, v) : 0.0f;
}

/* COSINE from the dot product and the inverse norms.  A vector whose
 * squared norm overflows float32 has inverse norm 0, like a zero vector,
 * and is at distance 1 from every vector (an infinite dot times 0 would
 * be NaN). */
static inline float vs_cosine_of(float dot, float ia, float ib) {
    float r = 1.0f - dot * ia * ib;
    return r == r ? r : 1.0f;
}

/* The distance of two vectors (see the top). */
static inline float vs_vdist(const vs_vspace *s, const void *a, float ia, const void *b, float ib) {
    if (s->type == VS_VEC_FLOAT32) { /* direct calls: the hot case */
        if (s->metric == VS_METRIC_L2) return vs_l2sq((const float *)a, (const float *)b, s->dim);
        float d = vs_dot((const float *)a, (const float *)b, s->dim);
        return s->metric == VS_METRIC_IP ? 1.0f - d : vs_cosine_of(d, ia, ib);
    }
    if (s->metric == VS_METRIC_L2) return s->l2(a, b, s->dim);
    float d = s->dot(a, b, s->dim);
    return s->metric == VS_METRIC_IP ? 1.0f - d : vs_cosine_of(d, ia, ib);
}

/* The type-specific tail of a VECTOR attribute in FT.INFO (vs_fi_ops.info,
 * 2 elements): "index" and its 12-element array (capacity, dimensions,
 * distance_metric, size, data_type, algorithm), ending with the
 * "algorithm" array of algo_len elements, whose first pair ("name", algo)
 * is written here; the caller writes the other algo_len - 2 (the
 * algorithm's parameters). */
void vs_vector_info(vs_reply *r, const vs_fielddef *def, long long capacity, long long size, const char *algo,
                    int algo_len);

#endif
