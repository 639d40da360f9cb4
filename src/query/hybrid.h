/* hybrid.h - FT.HYBRID (Redis 8.4): a text/filter search and a vector
 * search over one index, fused into one ranking.
 *
 *   parse    the arguments into a plan, with RediSearch's error texts, and
 *            the two sub-searches as FT.SEARCH plans (hybrid_parse.c)
 *   fuse     two ranked lists into one scored union: RRF or LINEAR
 *            (hybrid_fuse.c; pure arithmetic, no index)
 *   execute  both sub-searches, the fusion, the order (fused score, or
 *            SORTBY), LIMIT (hybrid_exec.c)
 *   render   the reply map: total_results, results, warnings,
 *            execution_time (hybrid_exec.c)
 *
 * The SEARCH part keeps its WINDOW best matches (text score, higher first;
 * key order when the query does not score); the VSIM part its
 * min(K, WINDOW) nearest (KNN) or WINDOW nearest within RADIUS (RANGE),
 * with FILTER as a pre-filter.  A plan points into the command's
 * arguments and an arena, so it lives as long as both.
 */
#ifndef VS_QUERY_HYBRID_H
#define VS_QUERY_HYBRID_H

#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/reply.h"
#include "index/distance.h"
#include "query/search.h"

#define VS_HYBRID_DEFAULT_WINDOW 20
#define VS_HYBRID_DEFAULT_CONSTANT 60.0
#define VS_HYBRID_DEFAULT_ALPHA 0.3
#define VS_HYBRID_DEFAULT_BETA 0.7
#define VS_HYBRID_DEFAULT_K 10
#define VS_HYBRID_MAX_LIMIT 1000000

typedef enum vs_hybrid_method { VS_HYBRID_RRF, VS_HYBRID_LINEAR } vs_hybrid_method;

/* How two lists are fused. */
typedef struct vs_hybrid_fusion {
    vs_hybrid_method method;
    double constant;     /* RRF: score = sum of 1 / (constant + rank) */
    double alpha, beta;  /* LINEAR: alpha * text score + beta * vector score */
} vs_hybrid_fusion;

/* One document of the union: which lists hold it, its score in each (text
 * score; normalised vector score), its 1-based rank in each, the fused
 * score.  first: its place in the lists' concatenation (text list first),
 * the order NOSORT keeps. */
typedef struct vs_hybrid_hit {
    uint32_t id;
    uint8_t in[2];
    double score[2];
    uint32_t rank[2];
    double fused;
    size_t first;
} vs_hybrid_hit;

/* Fuse list 0 (text) and list 1 (vector): ids[i][0..n[i]) best first with
 * their scores.  A document twice in one list counts at its first place.
 * *out (vs_malloc; vs_free it) gets the union in first-seen order. */
vs_status vs_hybrid_fuse(const vs_hybrid_fusion *f, const uint32_t *const ids[2], const double *const scores[2],
                         const size_t n[2], vs_hybrid_hit **out, size_t *nout);

/* The vector score FT.HYBRID yields and LINEAR weighs, from a distance
 * (L2: 1 / (1 + d); IP: (1 + d) / 2; COSINE: (2 - d) / 2, as Redis 8.4). */
double vs_hybrid_vector_score(vs_metric metric, double dist);

/* What a LOAD or SORTBY name refers to. */
typedef enum vs_hybrid_ref {
    VS_HREF_FIELD,  /* a hash field */
    VS_HREF_KEY,    /* __key */
    VS_HREF_SCORE,  /* the fused score (__score or its alias) */
    VS_HREF_TEXT,   /* the SEARCH score alias */
    VS_HREF_VECTOR, /* the VSIM score alias */
} vs_hybrid_ref;

typedef struct vs_hybrid_load {
    vs_tok name;  /* without '@' */
    vs_tok out;   /* AS name, or the name */
    vs_hybrid_ref ref;
    vs_tok ident; /* FIELD: the hash field (a schema alias resolved) */
} vs_hybrid_load;

typedef struct vs_hybrid_sort {
    vs_tok name; /* without '@' */
    int desc;
    vs_hybrid_ref ref;
    vs_tok ident; /* FIELD */
    int field;    /* FIELD: schema field (-1: none) */
} vs_hybrid_sort;

typedef struct vs_hybrid_plan {
    const vs_ftindex *x;
    /* SEARCH */
    vs_tok query;
    vs_tok scorer;       /* p == NULL: the default */
    vs_tok text_alias;   /* YIELD_SCORE_AS (p == NULL: none) */
    /* VSIM */
    vs_tok vfield_name;  /* without '@' */
    vs_tok vparam;       /* without '$' */
    int range;           /* RANGE, else KNN */
    uint64_t k;          /* KNN K */
    uint64_t ef;         /* EF_RUNTIME (0: the index's) */
    double radius;       /* RANGE RADIUS */
    double epsilon;      /* RANGE EPSILON (accepted, unused) */
    vs_tok filter;       /* p == NULL: every document */
    vs_tok vector_alias; /* YIELD_SCORE_AS (p == NULL: none) */
    /* COMBINE */
    vs_hybrid_fusion fusion;
    uint64_t window;
    vs_tok score_alias;  /* COMBINE ... YIELD_SCORE_AS (p == NULL: __score) */
    /* the tail */
    uint64_t offset, num;
    int load_all, has_load;
    vs_hybrid_load *load;
    uint32_t nload;
    vs_hybrid_sort *sort;
    uint32_t nsort;
    int nosort;
    int expand;          /* FORMAT EXPAND: scores as numbers */
    vs_tok *pname, *pval;/* PARAMS */
    uint32_t nparams;
    /* resolved: the two sub-searches */
    vs_search_plan text; /* SEARCH: its query, WINDOW rows */
    vs_search_plan vsim; /* VSIM: FILTER and the KNN clause */
    vs_metric metric;
} vs_hybrid_plan;

/* Parse FT.HYBRID's arguments after the index name (argv[0..argc))
 * against index x into p, allocating in ar.  The first error wins. */
vs_status vs_hybrid_parse(const vs_ftindex *x, const uint8_t *const *argv, const size_t *lens, int argc, vs_arena *ar,
                          vs_hybrid_plan *p, vs_err *err);

typedef struct vs_hybrid_rows {
    size_t total;      /* documents in the union */
    vs_hybrid_hit *hit;/* the rows LIMIT keeps, in reply order */
    size_t n;
} vs_hybrid_rows;

/* Run plan p; documents whose key expired at `horizon` (Unix ms;
 * VS_NO_EXPIRE: none) are left out.  out is freed with
 * vs_hybrid_rows_free. */
vs_status vs_hybrid_exec(vs_hybrid_plan *p, int64_t horizon, vs_hybrid_rows *out);
void vs_hybrid_rows_free(vs_hybrid_rows *rows);

/* The reply: a map {total_results, results: [map per row], warnings: [],
 * execution_time} (RESP2: the same as a flat array). */
void vs_hybrid_render(vs_reply *r, const vs_hybrid_plan *p, const vs_hybrid_rows *rows);

#endif
