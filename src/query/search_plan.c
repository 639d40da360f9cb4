/* search_plan.c - the KNN planner (search.h): which search a vector
 * index runs for a query.
 *
 * An index without a graph (FLAT) is scored exactly.  A graph index
 * (HNSW) runs a plain graph search without a filter; with one, scoring
 * the filter's matches costs filter_count distances and a filtered graph
 * search the index's estimate (about ef / selectivity nodes, each with up
 * to M0 distances): the cheaper is taken, exact scoring on a tie. */
#include "query/search.h"

#include <math.h>

vs_knn_strategy vs_search_plan_knn(const vs_field_index *fi, int filtered, size_t filter_count, uint32_t k,
                                   uint32_t ef) {
    if (!fi->ops->knn_graph) return VS_KNN_EXACT;
    if (!filtered) return VS_KNN_GRAPH;
    uint32_t docs = fi->ops->count(fi);
    double sel = docs ? (double)filter_count / (double)docs : 0;
    double graph_cost = sel > 0 ? fi->ops->knn_graph_cost(fi, k, ef, sel) : INFINITY;
    return (double)filter_count <= graph_cost ? VS_KNN_EXACT : VS_KNN_GRAPH;
}
