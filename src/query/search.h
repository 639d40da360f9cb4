/* search.h - FT.SEARCH in stages.
 *
 *   plan     which KNN search a vector index runs (search_plan.c)
 */
#ifndef VS_QUERY_SEARCH_H
#define VS_QUERY_SEARCH_H

#include <stddef.h>
#include <stdint.h>

#include "index/field_index.h"

typedef enum vs_knn_strategy {
    VS_KNN_EXACT, /* score every vector, or the filter's */
    VS_KNN_GRAPH, /* approximate graph search (with the filter) */
} vs_knn_strategy;

/* The strategy on vector index fi for k results with breadth ef (0: the
 * index's EF_RUNTIME), unfiltered or with a filter of filter_count ids. */
vs_knn_strategy vs_search_plan_knn(const vs_field_index *fi, int filtered, size_t filter_count, uint32_t k,
                                   uint32_t ef);

#endif
