/* query_exec.h - evaluating a parsed query against one index.
 *
 * Filters evaluate to a bit set of key ids (TAG postings, NUMERIC ranges
 * and the posting lists of a text clause's matching words OR-ed in,
 * AND/OR/NOT as set operations; NOT is relative to the index's documents;
 * a VECTOR_RANGE clause the documents its index's range op finds, with
 * their distances kept in the evaluation for the reply and SORTBY).
 * A positional AND (a phrase, or any AND under SLOP / INORDER) keeps the
 * documents where its text kids match words in one field at positions
 * that satisfy it: one distinct position per kid, in query order when
 * INORDER (each after the previous), and (max - min) - (kids - 1) <= slop
 * when a slop is given; its other kids match by document only.
 *
 * Text scoring (vs_text_score) adds to each document of a result set the
 * relevance of the text clauses that matched it, as RediSearch sums them:
 * an AND's kids all count, an OR's kids where they match, nothing under a
 * NOT.  A clause that expands to several words (stems, prefix, suffix,
 * fuzzy) adds one contribution per matching word the document holds, with
 * that word's own frequency (weighted, summed over the clause's fields)
 * and document count (score.h).  KNN runs on the vector field as the planner chose
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
#include "query/score.h"
#include "query/search.h"
#include "index/topk.h"

/* Evaluate a filter into out (initialised here over the keyspace's ids). */
vs_status vs_filter_eval(const vs_ftindex *x, const vs_qnode *n, vs_bitset *out);

/* A text clause's words once evaluated: term ids grouped by field. */
typedef struct vs_text_leaf {
    uint32_t *terms;   /* term ids (vs_malloc) */
    uint32_t nterms, cap;
    uint32_t *start;   /* nfields + 1 offsets into terms, per field of the clause */
    int done;
} vs_text_leaf;

/* A VECTOR_RANGE clause once evaluated: the documents within its radius
 * and their distances, ascending ids. */
typedef struct vs_range_hits {
    vs_scored *hit; /* (dist, id) (vs_malloc) */
    size_t n, cap;
    int done;
} vs_range_hits;

/* An evaluation of one query (its text clauses remembered for scoring,
 * its range clauses for their distances). */
typedef struct vs_qeval {
    const vs_ftindex *x;
    vs_text_leaf *leaf; /* ntext */
    uint32_t ntext;
    vs_range_hits *range; /* by vs_qrange.slot, grown as clauses are met */
    uint32_t nrange;
} vs_qeval;

vs_status vs_qeval_init(vs_qeval *ev, const vs_ftindex *x, uint32_t ntext);
void vs_qeval_free(vs_qeval *ev);
/* As vs_filter_eval, remembering text clauses in ev. */
vs_status vs_qeval_filter(vs_qeval *ev, const vs_qnode *n, vs_bitset *out);

/* The distance of document id from the query vector of range clause
 * `slot`, when the clause was evaluated and id is within its radius:
 * 1 and *dist, else 0. */
int vs_qeval_range_dist(const vs_qeval *ev, uint32_t slot, uint32_t id, float *dist);

/* Scores of the documents in set (the filter's result, evaluated through
 * ev) into score[r], r the document's rank in set (its position in id
 * order; vs_bitset_count(set) entries, zeroed by the caller). */
vs_status vs_text_score(vs_qeval *ev, const vs_qnode *root, const vs_bitset *set, int scorer, double *score);

/* The clause's words in each of its fields (computed once per evaluation,
 * then remembered in ev). */
vs_status vs_qeval_leaf(vs_qeval *ev, const vs_qtext *t, vs_text_leaf **out);

/* What scoring needs of the index: units[f] the weight units of each TEXT
 * field of the schema (0 for the others; nfields entries, zeroed by the
 * caller), *sc the scorer with N and the mean weighted length. */
void vs_text_score_ctx(const vs_ftindex *x, int scorer, uint32_t *units, vs_score_ctx *sc);

/* One-pass text query (text_onepass.c): when root is a text clause, or a
 * non-positional AND or an OR of text clauses, and the scores need nothing
 * of the whole result set (no SCORE_FIELD, not TFIDF, no clause with
 * several fields and several words, no union of more than a few words),
 * walks the clauses' posting lists
 * once, calling fn for each match not in gone (NULL or an empty set: none
 * expired) with its score as vs_text_score computes it (ascending ids),
 * *total the matches, *done 1.  Otherwise *done 0 and nothing is called.
 * VS_ERR_NOMEM. */
typedef void (*vs_text_hit_fn)(void *ctx, uint32_t id, double score);
vs_status vs_text_onepass(vs_qeval *ev, const vs_qnode *root, int scorer, const vs_bitset *gone, vs_text_hit_fn fn,
                          void *ctx, size_t *total, int *done);

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
