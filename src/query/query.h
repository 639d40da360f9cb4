/* query.h - FT.SEARCH query strings: the filter expression and the KNN
 * clause, parsed into a tree (allocated in an arena).
 *
 *   query   := filter | filter? '=>' '[' KNN k @field $blob
 *              [EF_RUNTIME n] [AS name] ']'
 *   filter  := '*' | '(*)' | or
 *   or      := and ('|' and)*          AND binds tighter than OR
 *   and     := unary+                  juxtaposition
 *   unary   := '-' unary | '(' or ')' | '@' field ':' (range | tags)
 *   range   := '[' ['('] num (' ' | ',') ['('] num ']'   num: -inf, inf, +inf too
 *   tags    := '{' tag ('|' tag)* '}'  tag: text, '\' escapes, trailing '*' = prefix
 *
 * Errors are valkey-search's, wrapped "Invalid filter expression: `<f>`. "
 * for the filter and "Error parsing vector similarity parameters: `<c>`. "
 * for the clause.  Limits: 10240 bytes, nesting depth 1000, 1000 terms.
 */
#ifndef VS_QUERY_H
#define VS_QUERY_H

#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "index/field_index.h"
#include "index/schema.h"
#include "base/status.h"

#define VS_QUERY_MAX_BYTES 10240
#define VS_QUERY_MAX_DEPTH 1000
#define VS_QUERY_MAX_TERMS 1000

typedef enum vs_qkind { VS_Q_TAG, VS_Q_NUM, VS_Q_AND, VS_Q_OR, VS_Q_NOT } vs_qkind;

typedef struct vs_qnode {
    vs_qkind kind;
    int field;              /* TAG, NUM: schema field index */
    vs_fi_clause clause;    /* TAG, NUM: the predicate (tags unescaped, in
                               the arena; prefix: a trailing '*') */
    struct vs_qnode **kids; /* AND, OR, NOT */
    uint32_t nkids;
} vs_qnode;

typedef struct vs_tok {
    const uint8_t *p;
    size_t n;
} vs_tok;

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
} vs_query;

vs_status vs_query_parse(const uint8_t *q, size_t n, const vs_schema *schema, vs_arena *arena, vs_query *out,
                         vs_err *err);

#endif
