/* query_exec.h - evaluating a parsed query against one index.
 *
 * Filters evaluate to a bit set of key ids (TAG postings and NUMERIC
 * ranges OR-ed in, AND/OR/NOT as set operations; NOT is relative to the
 * index's documents).  KNN runs on the vector field as the planner chose
 * (search_plan.c), restricted to the filter's set when there is one.
 * Results are ordered by distance, ties by key name, so replies are
 * deterministic. */
#ifndef VS_QUERY_EXEC_H
#define VS_QUERY_EXEC_H

#include <stddef.h>
#include <stdint.h>

#include "base/bitset.h"
#include "query/ft_index.h"
#include "query/query.h"
#include "query/search.h"
#include "index/topk.h"

/* Evaluate a filter into out (initialised here over the keyspace's ids). */
vs_status vs_filter_eval(const vs_ftindex *x, const vs_qnode *n, vs_bitset *out);

/* Compare two keys by name (memcmp order, shorter first on a tie). */
int vs_key_cmp(void *ks, uint32_t a, uint32_t b);

/* KNN over vector field `field` with the planned strategy (search.h):
 * fills out[0..*nout) (capacity k) best first, ties by key name. */
vs_status vs_knn_exec(const vs_ftindex *x, int field, vs_knn_strategy strategy, const vs_knn_req *req, uint32_t k,
                      vs_scored *out, size_t *nout);

/* Stable sort of ids with a comparison callback. */
typedef int (*vs_id_cmp_fn)(void *ctx, uint32_t a, uint32_t b);
vs_status vs_sort_ids(uint32_t *ids, size_t n, vs_id_cmp_fn cmp, void *ctx);

#endif
