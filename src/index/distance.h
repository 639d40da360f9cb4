/* distance.h - distance kernels: L2 (squared), IP and COSINE, for every
 * vector element type (FLOAT32, FLOAT16, BFLOAT16, INT8, UINT8), and the
 * conversions between float32 and the 16-bit float types.
 *
 * Distances follow valkey-search: L2 is the squared Euclidean distance, IP
 * is 1 - dot, COSINE is 1 - the cosine of the angle between the vectors.
 *
 * Three implementations of each sum:
 *  - the SIMD128 kernel (wasm_simd128.h), compiled when __wasm_simd128__;
 *  - the portable kernel: plain C that adds in exactly the SIMD kernel's
 *    order (16 lanes in 4 vector accumulators, then a fixed reduction,
 *    then the scalar tail; distance_int.h), so the SIMD and scalar builds
 *    give bit-identical results and identical query answers; native
 *    compilers vectorise it (16 independent lanes);
 *  - a reference loop, for tests.
 * vs_l2sq/vs_dot and vs_l2sq_of/vs_dot_of are the best kernel of this
 * build.  No fused multiply-add anywhere (WebAssembly SIMD128 has none;
 * native builds use -ffp-contract=off), which is what keeps the builds
 * identical.
 *
 * Per type: FLOAT16 and BFLOAT16 components are widened to float32 exactly
 * and summed in FLOAT32's order (a FLOAT16 sum is the FLOAT32 sum of the
 * widened vectors, bit for bit; distance_half.c).  INT8 and UINT8 sums
 * are exact integers rounded once to float (distance_int8.c).  Typed
 * kernels read their operands at any alignment; float components must be
 * finite (the vector layer refuses others).
 */
#ifndef VS_DISTANCE_H
#define VS_DISTANCE_H

#include <stddef.h>
#include <stdint.h>

typedef enum vs_metric { VS_METRIC_L2 = 0, VS_METRIC_IP = 1, VS_METRIC_COSINE = 2 } vs_metric;

/* Element types of a vector (FT.CREATE ... TYPE): IEEE binary32 and
 * binary16, bfloat16 (the top 16 bits of a binary32), signed and unsigned
 * bytes; all little-endian. */
typedef enum vs_vectype {
    VS_VEC_FLOAT32 = 0,
    VS_VEC_FLOAT16 = 1,
    VS_VEC_BFLOAT16 = 2,
    VS_VEC_INT8 = 3,
    VS_VEC_UINT8 = 4,
} vs_vectype;
#define VS_VEC_COUNT 5

/* Bytes per component (4, 2, 2, 1, 1) and the name FT.CREATE and FT.INFO
 * use ("FLOAT32", ...). */
size_t vs_vectype_size(vs_vectype t);
const char *vs_vectype_name(vs_vectype t);

/* Sums over n components of one type t, both operands of that type, at
 * any alignment: the squared Euclidean distance and the dot product. */
typedef float (*vs_vsum_fn)(const void *a, const void *b, size_t n);

/* The best kernels of this build for type t: sum (a_i - b_i)^2 and
 * sum a_i b_i.  A type out of range gets FLOAT32's. */
vs_vsum_fn vs_l2sq_of(vs_vectype t);
vs_vsum_fn vs_dot_of(vs_vectype t);
/* The portable kernels (bit-identical to the best ones), and reference
 * loops (one double accumulator; exact for INT8/UINT8), for tests. */
vs_vsum_fn vs_l2sq_portable_of(vs_vectype t);
vs_vsum_fn vs_dot_portable_of(vs_vectype t);
vs_vsum_fn vs_l2sq_ref_of(vs_vectype t);
vs_vsum_fn vs_dot_ref_of(vs_vectype t);

/* Component i of a vector of type t, as float (exact for every type). */
float vs_vec_get(vs_vectype t, const void *v, size_t i);
/* 1 if every one of the n components is finite (always for INT8/UINT8). */
int vs_vec_finite(vs_vectype t, const void *v, size_t n);

/* binary16 and bfloat16 <-> binary32.  Widening is exact (infinities and
 * NaNs kept); narrowing rounds to nearest, ties to even, gives infinity
 * past the largest finite value and keeps NaN a NaN. */
float vs_f16_to_f32(uint16_t h);
uint16_t vs_f32_to_f16(float f);
float vs_bf16_to_f32(uint16_t h);
uint16_t vs_f32_to_bf16(float f);

typedef float (*vs_dist_fn)(const float *a, const float *b, size_t n);

float vs_l2sq(const float *a, const float *b, size_t n);
float vs_dot(const float *a, const float *b, size_t n);

float vs_l2sq_portable(const float *a, const float *b, size_t n);
float vs_dot_portable(const float *a, const float *b, size_t n);
float vs_l2sq_ref(const float *a, const float *b, size_t n);
float vs_dot_ref(const float *a, const float *b, size_t n);

/* 1 - dot: the IP and COSINE distance. */
float vs_ip_dist(const float *a, const float *b, size_t n);

/* The FLOAT32 distance function of a metric (COSINE expects normalised
 * inputs). */
vs_dist_fn vs_metric_fn(vs_metric m);
/* Scale v to unit length in place (a zero vector is left as is). */
void vs_normalize(float *v, size_t n);
/* 1 if every component is finite. */
int vs_all_finite(const float *v, size_t n);

const char *vs_metric_name(vs_metric m);
/* Name of the kernel family of this build: "simd128" or "portable". */
const char *vs_kernel_name(void);

#endif
