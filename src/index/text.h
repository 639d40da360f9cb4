/* text.h - the TEXT field index: an inverted index of one TEXT attribute
 * (a vs_field_index like the others), and what queries read of it.
 *
 * Words are tokenized with the index's text options (index/tokenize.h:
 * PUNCTUATION, STOPWORDS) and case-folded; the index stores the words as
 * written (folded, never stemmed), as valkey-search 1.2 does.  A field
 * with stemming (not NOSTEM, LANGUAGE ENGLISH) also keeps a stem map:
 * stem -> the stored words with that stem (Snowball English, words shorter
 * than MINSTEMSIZE bytes are their own stem), so that a query word matches
 * every word sharing its stem.  WITHSUFFIXTRIE keeps the words' reversed
 * order as well, for suffix queries.
 *
 * Storage (compact, delta-encoded): a term dictionary (word -> term id,
 * words kept in sorted order for prefix, suffix and fuzzy walks) and per
 * term a posting list sorted by key id: for each document the id delta,
 * the term frequency and (WITHOFFSETS, the default) the positions as
 * deltas, all varints.  Per document the index keeps what removing it
 * needs (its term ids) and its length in tokens (BM25).  Updates keep the
 * two-phase contract of field_index.h: prepare tokenizes and allocates,
 * commit cannot fail.
 *
 * Snapshot: the index saves its dictionary and postings in its own
 * section, so a load never re-tokenizes.
 *
 * Invariants: a posting list holds each key id at most once, ascending;
 * tf >= 1 and equals the number of positions when offsets are kept; a
 * term with an empty posting list is dropped from the dictionary (its id
 * may be reused); the sum of doc lengths equals total_tokens.
 */
#ifndef VS_TEXT_H
#define VS_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "base/status.h"
#include "index/field_index.h"

/* Longest word a query or a document may hold, in bytes (longer query
 * words are refused; longer document words are skipped). */
#define VS_TEXT_MAX_WORD 128
/* Largest edit distance of a fuzzy term (%%%w%%%). */
#define VS_TEXT_MAX_FUZZY 3

/* def->text holds the field's options and points at the index-level text
 * options of its schema (which outlive the index). */
vs_field_index *vs_textidx_new(const vs_fielddef *def);

/* ---- what a query reads ---- */

typedef enum vs_text_match {
    VS_TM_EXACT,  /* the word itself */
    VS_TM_STEM,   /* the word and every stored word with the same stem
                     (EXACT on a NOSTEM field) */
    VS_TM_PREFIX, /* every word starting with w */
    VS_TM_SUFFIX, /* every word ending with w (needs WITHSUFFIXTRIE) */
    VS_TM_FUZZY,  /* every word within edit distance `dist` of w: Levenshtein over
                     bytes, an adjacent transposition counting 1 (as valkey-search) */
} vs_text_match;

/* Called for each matching term id; a nonzero return stops the walk. */
typedef int (*vs_text_term_fn)(void *ctx, uint32_t term);

/* The terms of fi matching w (already folded by the caller) by `how`,
 * each once, in no promised order.  VS_ERR (with err) for a SUFFIX walk on
 * a field without WITHSUFFIXTRIE; VS_ERR_NOMEM. */
vs_status vs_text_terms(const vs_field_index *fi, vs_text_match how, const uint8_t *w, size_t n, uint32_t dist,
                        vs_text_term_fn fn, void *ctx, vs_err *err);

/* The word of a term id (for highlighting and tests). */
const uint8_t *vs_text_term_word(const vs_field_index *fi, uint32_t term, size_t *n);
/* Documents holding the term (its posting list's length). */
uint32_t vs_text_term_docs(const vs_field_index *fi, uint32_t term);

/* A posting list being read, ascending by key id. */
typedef struct vs_text_iter {
    uint32_t id;         /* the current document */
    uint32_t tf;         /* occurrences of the term in it */
    /* private */
    const void *list;
    uint32_t block, nblocks;
    const uint8_t *p, *end;
    const uint8_t *pos;  /* the current document's encoded positions */
    uint32_t pos_len;
    int started;
} vs_text_iter;

void vs_text_iter_init(const vs_field_index *fi, uint32_t term, vs_text_iter *it);
/* Advance to the next document (1), or 0 at the end. */
int vs_text_iter_next(vs_text_iter *it);
/* Advance to the first document with id >= target (1), or 0 at the end. */
int vs_text_iter_seek(vs_text_iter *it, uint32_t target);
/* The current document's positions, ascending, into out (up to cap);
 * returns how many it has (0 when the index keeps no offsets). */
uint32_t vs_text_iter_positions(const vs_text_iter *it, uint32_t *out, uint32_t cap);

/* Tokens of document id in this field (0 when it has none). */
uint32_t vs_text_doc_len(const vs_field_index *fi, uint32_t id);

typedef struct vs_text_stats {
    uint64_t total_tokens;  /* sum of document lengths */
    uint64_t total_postings;/* (term, document) pairs */
    uint64_t total_positions;
    uint32_t nterms;        /* distinct words */
    uint32_t nstems;        /* distinct stems in the stem map */
    uint64_t blocks;        /* posting blocks (FT.INFO) */
    int offsets;            /* positions kept (WITHOFFSETS) */
    int suffix;             /* WITHSUFFIXTRIE */
    int stem;               /* stemming on */
} vs_text_stats;

void vs_text_stats_get(const vs_field_index *fi, vs_text_stats *s);

#endif
