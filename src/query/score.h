/* score.h - relevance scorers of text queries: RediSearch's, with its
 * formulas (src/ext/default.c) and its float constants, so that scores
 * agree with it to the last bits where the inputs agree.
 *
 *   BM25STD   (default, as Redis 8)  sum over matched query terms of
 *             w * idf' * f * (k1 + 1) / (f + k1 * (1 - b + b * len / avglen)),
 *             k1 = 1.2f, b = 0.75f, idf' = ln(1 + (N - n + 0.5) / (n + 0.5));
 *             times the document score
 *   BM25      RediSearch's older variant: w * idf * f / (f + k1 * (1 - b +
 *             b * avglen)), b = 0.5f; times the document score
 *   TFIDF     sum of w * f * idf, idf = floor(log2(1 + (N + 1) / n)), times
 *             the document score, divided by the document's largest term
 *             frequency
 *   TFIDF.DOCNORM  the same divided by the document's length
 *   DOCSCORE  the document score alone
 *
 * f is a term's frequency in the document: occurrences in each searched
 * field times max(1, trunc(field WEIGHT)), summed over fields (RediSearch
 * counts a weighted occurrence so); len is the document's length, the
 * same weighted count over every TEXT field; avglen the mean length over
 * the index's documents; N the index's documents; n the documents holding
 * the term.  A clause that expands to several words (stems, prefix,
 * suffix, fuzzy) sums one such term per matching word, each with its own
 * f and n (query_exec.h).  w is the query term's weight (1).  The division by the match's
 * slop that RediSearch applies to TFIDF and BM25 is not applied (slop 1).
 *
 * Invariants: pure functions, no allocation.
 */
#ifndef VS_QUERY_SCORE_H
#define VS_QUERY_SCORE_H

#include <stddef.h>
#include <stdint.h>

typedef enum vs_scorer {
    VS_SCORER_BM25STD = 0,
    VS_SCORER_BM25,
    VS_SCORER_TFIDF,
    VS_SCORER_TFIDF_DOCNORM,
    VS_SCORER_DOCSCORE,
} vs_scorer;

/* The scorer named s (case-insensitive); 0 when there is none. */
int vs_scorer_by_name(const uint8_t *s, size_t n, vs_scorer *out);

/* What a term's contribution needs of the index. */
typedef struct vs_score_ctx {
    vs_scorer scorer;
    uint64_t num_docs;  /* N */
    double avg_len;     /* mean weighted length (0 when N is 0) */
} vs_score_ctx;

/* The term's idf for this scorer (n documents hold it). */
double vs_score_idf(const vs_score_ctx *c, uint64_t n);

/* One matched term's contribution for a document: frequency f, the
 * document's length len, the term's idf from vs_score_idf. */
double vs_score_term(const vs_score_ctx *c, double idf, double f, double len);

/* The document's score from the sum of its terms' contributions: its
 * document score, length and largest term frequency (TFIDF). */
double vs_score_final(const vs_score_ctx *c, double sum, double doc_score, double len, double max_tf);

/* max(1, trunc(weight)) as RediSearch weighs an occurrence. */
uint32_t vs_score_weight_units(double weight);

#endif
