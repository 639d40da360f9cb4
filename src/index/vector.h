/* vector.h - what a VECTOR field is whatever its algorithm (FLAT, HNSW):
 * the value a document holds, and the attribute FT.INFO shows for it.
 *
 * A vector value is a blob of dim FLOAT32 components, little-endian (as
 * valkey-search takes them), every one finite; anything else is not
 * indexed (an indexing failure). */
#ifndef VS_INDEX_VECTOR_H
#define VS_INDEX_VECTOR_H

#include <stddef.h>
#include <stdint.h>

#include "base/reply.h"
#include "index/schema.h"

/* Bytes of a vector of dim components. */
static inline size_t vs_vector_bytes(uint32_t dim) { return (size_t)dim * sizeof(float); }

/* 1 if p[0..n) is a valid vector of dim components. */
int vs_vector_blob_valid(uint32_t dim, const uint8_t *p, size_t n);

/* The type-specific tail of a VECTOR attribute in FT.INFO (vs_fi_ops.info,
 * 2 elements): "index" and its 12-element array (capacity, dimensions,
 * distance_metric, size, data_type, algorithm), ending with the
 * "algorithm" array of algo_len elements, whose first pair ("name", algo)
 * is written here; the caller writes the other algo_len - 2 (the
 * algorithm's parameters). */
void vs_vector_info(vs_reply *r, const vs_fielddef *def, long long capacity, long long size, const char *algo,
                    int algo_len);

#endif
