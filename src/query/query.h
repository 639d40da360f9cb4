/* query.h - FT.SEARCH query strings: the filter expression and the KNN
 * clause, parsed into a tree (allocated in an arena).
 *
 *   query   := filter | filter? '=>' '[' KNN k @field $blob
 *              [EF_RUNTIME n] [AS name] ']'
 *   filter  := '*' | '(*)' | or
 *   or      := and ('|' and)*          AND binds tighter than OR
 *   and     := unary+                  juxtaposition
 *   unary   := '-' unary | '(' or ')' | '@' field ':' (range | tags | text)
 *            | '@' field ':' vrange
 *            | '@' field ':' '(' or ')'    the group's bare text searches field
 *            | text
 *   range   := '[' ['('] num (' ' | ',') ['('] num ']'   num: -inf, inf, +inf too
 *   vrange  := '[' VECTOR_RANGE radius $blob ']' ['=>' '{' attrs '}']
 *              radius: a number or $param; VECTOR_RANGE in any case
 *   attrs   := [attr (';' attr)* [';']]     attr: '$' name ':' value
 *              value: text up to ';' or '}' (trimmed), or $param
 *   tags    := '{' tag ('|' tag)* '}'  tag: text, '\' escapes, trailing '*' = prefix
 *   text    := '"' word* '"'           exact phrase (no stemming, stop words kept)
 *            | word                    a term (stemmed unless VERBATIM or NOSTEM)
 *            | word '*'                prefix
 *            | '*' word                suffix (fields WITHSUFFIXTRIE)
 *            | '%'{d} word '%'{d}      fuzzy, edit distance d in 1..3 (text.h)
 *   field   := name | '(' name ('|' name)* ')'   several TEXT fields (RediSearch)
 *
 * Text follows valkey-search 1.2's filter parser: a word ends at the
 * index's separators (whitespace, control bytes, PUNCTUATION) and at
 * ( ) | @ "; a '-' before a word negates; { } [ ] : ; $ inside unquoted
 * text are errors; '\' escapes as the tokenizer's rules (index/tokenize.h)
 * say.  Words are case-folded; an unquoted term that is a stop word is
 * dropped (and a query left with nothing is "Invalid Query Syntax").  A
 * text clause without a field searches every TEXT field (a suffix every
 * field with a suffix trie).  Several words in quotes become an AND that
 * must match at consecutive positions in one field (slop 0, in order);
 * FT.SEARCH's SLOP n / INORDER make every AND of two or more text clauses
 * positional the same way (vs_query_opts).
 *
 * A vrange clause (RediSearch's VECTOR_RANGE; valkey-search has none) is a
 * filter leaf like any other: the documents whose vector in the field is
 * within the radius of the query vector.  The parser only checks its
 * syntax and that the field is a VECTOR field; the search parse resolves
 * its parameters and attributes (vs_qrange) and gives RediSearch's errors.
 *
 * Errors are valkey-search's, wrapped "Invalid filter expression: `<f>`. "
 * for the filter and "Error parsing vector similarity parameters: `<c>`. "
 * for the clause.  Limits: 10240 bytes, nesting depth 1000, 1000 terms; a
 * query word longer than VS_TEXT_MAX_WORD bytes or not UTF-8 is refused.
 */
#ifndef VS_QUERY_H
#define VS_QUERY_H

#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "index/field_index.h"
#include "index/schema.h"
#include "base/status.h"
#include "index/text.h"

#define VS_QUERY_MAX_BYTES 10240
#define VS_QUERY_MAX_DEPTH 1000
#define VS_QUERY_MAX_TERMS 1000

typedef enum vs_qkind { VS_Q_TAG, VS_Q_NUM, VS_Q_AND, VS_Q_OR, VS_Q_NOT, VS_Q_TEXT, VS_Q_VRANGE } vs_qkind;

typedef struct vs_tok {
    const uint8_t *p;
    size_t n;
} vs_tok;

/* A VECTOR_RANGE clause: its tokens as written (the parse), then what
 * they stand for (filled in by the search parse, search_parse.c). */
typedef struct vs_qrange {
    vs_tok radius_tok;  /* a number or $param */
    vs_tok blob_tok;    /* $param */
    vs_tok *attr_name;  /* nattrs attributes, names without '$' (arena) */
    vs_tok *attr_val;   /* as written: text or $param */
    uint32_t nattrs;
    uint32_t slot;      /* this clause's number, 0 .. vs_query.nrange - 1 */
    /* Resolved: */
    vs_vquery vec;      /* the query vector (arena), in the index's type (v NULL until resolved) */
    float radius;       /* >= 0 */
    float epsilon;      /* HNSW's exploration margin (default 0.01) */
    vs_tok yield;       /* $YIELD_DISTANCE_AS name; p NULL when none */
} vs_qrange;

#define VS_RANGE_DEFAULT_EPSILON 0.01f

/* A text clause: one query word matched in some TEXT fields. */
typedef struct vs_qtext {
    vs_text_match how;   /* EXACT (VERBATIM, phrases), STEM, PREFIX, SUFFIX, FUZZY */
    const uint8_t *w;    /* the word, folded (arena) */
    uint32_t n;
    uint32_t dist;       /* FUZZY: 1..VS_TEXT_MAX_FUZZY */
    const int *fields;   /* the TEXT fields searched (schema indexes, arena) */
    uint32_t nfields;
    uint32_t leaf;       /* this clause's number, 0 .. vs_query.ntext - 1 */
} vs_qtext;

typedef struct vs_qnode {
    vs_qkind kind;
    int field;              /* TAG, NUM: schema field index */
    vs_fi_clause clause;    /* TAG, NUM: the predicate (tags unescaped, in
                               the arena; prefix: a trailing '*') */
    vs_qtext text;          /* TEXT */
    vs_qrange *range;       /* VRANGE (field: the VECTOR field) */
    struct vs_qnode **kids; /* AND, OR, NOT */
    uint32_t nkids;
    int32_t slop;           /* AND: positional slop, -1 none */
    uint8_t inorder;        /* AND: positional, in query order */
} vs_qnode;

/* An AND whose text kids must match near each other (SLOP, INORDER, a
 * phrase). */
static inline int vs_qnode_positional(const vs_qnode *n) {
    return n->kind == VS_Q_AND && (n->slop >= 0 || n->inorder);
}

typedef struct vs_knn_clause {
    int present;
    vs_tok k;      /* literal or $param */
    vs_tok field;  /* without '@' */
    vs_tok blob;   /* $param (or literal) */
    vs_tok ef;     /* n or $param; p == NULL when absent */
    vs_tok as;     /* score name; p == NULL when absent */
} vs_knn_clause;

typedef struct vs_query {
    vs_qnode *filter;  /* NULL: every document */
    vs_knn_clause knn;
    uint32_t ntext;    /* text clauses in the filter */
    vs_qnode **range;  /* the VECTOR_RANGE clauses, in query order (arena) */
    uint32_t nrange;
} vs_query;

/* FT.SEARCH's options that change how text is parsed. */
typedef struct vs_query_opts {
    int verbatim;  /* VERBATIM: terms are not stemmed */
    int inorder;   /* INORDER */
    int32_t slop;  /* SLOP n; -1 when not given */
} vs_query_opts;

/* Parse with the default options (no VERBATIM, INORDER or SLOP). */
vs_status vs_query_parse(const uint8_t *q, size_t n, const vs_schema *schema, vs_arena *arena, vs_query *out,
                         vs_err *err);
vs_status vs_query_parse_opts(const uint8_t *q, size_t n, const vs_schema *schema, const vs_query_opts *opts,
                              vs_arena *arena, vs_query *out, vs_err *err);

/* ---- the schema's TEXT options, as the query layer reads them ---- */
static inline int vs_qfield_is_text(const vs_fielddef *d) { return d->type == VS_FIELD_TEXT; }
static inline int vs_qfield_suffix(const vs_fielddef *d) { return d->text.suffix; }
static inline double vs_qfield_weight(const vs_fielddef *d) { return d->text.weight; }
static inline const vs_text_opts *vs_qschema_text_opts(const vs_schema *s) { return s->text ? &s->text->opts : NULL; }
static inline int vs_qschema_offsets(const vs_schema *s) { return s->text ? s->text->offsets : 1; }

#endif
