/* search.h - FT.SEARCH in stages, each usable on its own:
 *
 *   parse    options and the query string into a plan (search_parse.c),
 *            with valkey-search's error texts and precedence
 *   plan     which KNN search a vector index runs (search_plan.c)
 *   execute  filter, KNN, SORTBY and LIMIT into rows (search_exec.c)
 *   render   the rows as the FT.SEARCH reply (search_render.c)
 *
 * Documents whose key has expired (plan.horizon) are left out of every
 * result, filter and KNN alike, as if their key were already deleted.
 *
 * VECTOR_RANGE clauses (RediSearch's) are filter leaves; a clause's
 * $YIELD_DISTANCE_AS name puts each row's distance in the reply (rows
 * outside its radius, through an OR or a NOT, have none) and can be the
 * SORTBY name (either direction; rows without it last).  They do not
 * change the default order (RediSearch orders them by document id; here
 * the filter's key order, or text score).
 *
 * Rows of a KNN query are nearest first with ties broken by key; rows of
 * a filter with text clauses best score first (ties by key); rows of any
 * other filter in key order; SORTBY a field reorders them (valkey-search's
 * order: a NUMERIC field by number, a value it does not hold counting as
 * 0, any other field by bytes; documents without the field last in both
 * directions; ties by key for a filter, in distance order for KNN).  Text scores (score.h, the plan's scorer) are computed when the
 * query has text clauses or WITHSCORES is given: rows.score then holds
 * each row's score (0 for a document no text clause matched).  A plan points into the command's arguments and an arena, so it
 * lives as long as both.
 */
#ifndef VS_QUERY_SEARCH_H
#define VS_QUERY_SEARCH_H

#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/reply.h"
#include "index/field_index.h"
#include "query/ft_index.h"
#include "query/query.h"
#include "query/score.h"

#define VS_SEARCH_MAX_KNN 10000
#define VS_SEARCH_MAX_TIMEOUT_MS 60000

/* A RETURN field: name as given, and its output name (AS alias, or the
 * name). */
typedef struct vs_search_field {
    vs_tok name;
    vs_tok out;
} vs_search_field;

typedef struct vs_search_plan {
    const vs_ftindex *x;
    vs_query q;              /* filter tree and KNN clause (arena) */
    int nocontent;
    int has_return;          /* RETURN given (RETURN 0 sets nocontent) */
    vs_search_field *ret;
    uint32_t nret;
    uint64_t offset, num;    /* LIMIT */
    int sort_field;          /* SORTBY a schema field; -1: none (or the score) */
    uint32_t sort_range;     /* SORTBY a VECTOR_RANGE clause's yielded
                                distance: its slot + 1; 0: none */
    int sort_desc;
    int withsortkeys;        /* WITHSORTKEYS: "#" + the SORTBY value after
                                each key (filter queries with content) */
    /* KNN (q.knn.present) */
    int vfield;              /* the vector field */
    uint32_t k, ef;          /* ef 0: the index's EF_RUNTIME */
    vs_vquery vec;           /* query vector (arena), in the index's type */
    vs_tok score_name;       /* AS name, or __<alias>_score */
    float max_dist;          /* only distances <= this (INFINITY, set by
                                parse: no bound; FT.HYBRID's RANGE) */
    /* Documents whose key expired at or before this time (Unix ms) are
     * never returned, even before they are reclaimed; VS_NO_EXPIRE: none
     * hidden.  Parse sets none; the command sets the engine's clock. */
    int64_t horizon;
    /* Text: VERBATIM, INORDER, SLOP (in q's parse), WITHSCORES, SCORER. */
    vs_query_opts text;
    int withscores;
    vs_scorer scorer;        /* default BM25STD */
    int scored;              /* rows carry scores */
} vs_search_plan;

/* Parse FT.SEARCH's query string (argv[0]) and options (argv[1..argc))
 * against index x into p, allocating in ar. */
vs_status vs_search_parse(const vs_ftindex *x, const uint8_t *const *argv, const size_t *lens, int argc,
                          vs_arena *ar, vs_search_plan *p, vs_err *err);

typedef enum vs_knn_strategy {
    VS_KNN_EXACT, /* score every vector, or the filter's */
    VS_KNN_GRAPH, /* approximate graph search (with the filter) */
} vs_knn_strategy;

/* The strategy on vector index fi for k results with breadth ef (0: the
 * index's EF_RUNTIME), unfiltered or with a filter of filter_count ids. */
vs_knn_strategy vs_search_plan_knn(const vs_field_index *fi, int filtered, size_t filter_count, uint32_t k,
                                   uint32_t ef);

typedef struct vs_search_rows {
    size_t total;   /* results before LIMIT (KNN: at most k) */
    vs_scored *row; /* the rows LIMIT keeps, in reply order; dist: the
                       KNN score (0 for a pure filter) */
    double *score;  /* n text scores parallel to row; NULL when the plan
                       does not score (plan.scored) */
    float *yield;   /* n x nyield: each row's distance for each VECTOR_RANGE
                       clause (by slot), NaN where the row is not within
                       the clause's radius; NULL when there is none */
    uint32_t nyield;
    size_t n;
} vs_search_rows;

/* Run plan p (the plan stage chooses the KNN search once the filter's
 * size is known).  out is freed with vs_search_rows_free. */
vs_status vs_search_exec(const vs_search_plan *p, vs_search_rows *out);
void vs_search_rows_free(vs_search_rows *rows);

/* The reply: [total, key, [score,] [sortkey,] [field, value, ...], ...];
 * the KNN score pair first unless RETURN is given; the text score after
 * the key with WITHSCORES (RediSearch's shape); with WITHSORTKEYS, a
 * filter query's rows (not KNN's, not NOCONTENT's) carry "#" and the
 * document's SORTBY value as it is in the hash ("#" alone without SORTBY
 * or the field), as valkey-search; keys (and scores) only with
 * NOCONTENT. */
void vs_search_render(vs_reply *r, const vs_search_plan *p, const vs_search_rows *rows);

#endif
