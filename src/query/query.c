/* query.c - FT.SEARCH query parser (see query.h for the grammar).
 *
 * Positions in errors follow valkey-search: "Unexpected character at
 * position N" is 1-based, "... Position: N" is the 0-based cursor, both
 * within the whitespace-stripped filter text.
 *
 * Text is read as valkey-search's filter parser reads it (ParseTextTokens):
 * a text clause without quotes is one word (a stop word or an empty word
 * is skipped and the next one read, up to query syntax); a quoted one is
 * every word up to the closing quote.  A clause that yields no word is no
 * node at all (a NULL kid, dropped by AND/OR/NOT), unless nothing was
 * parsed before it: then the query is "Invalid Query Syntax". */
#include "query/query.h"

#include <math.h>
#include <string.h>

#include "base/util.h"
#include "index/casefold.h"

#define TOKF(t) (int)(t).n, (const char *)(t).p

typedef struct qp {
    const uint8_t *s;      /* filter text (stripped) */
    size_t n, pos;
    const vs_schema *schema;
    vs_arena *arena;
    vs_err *err;
    int depth;
    int terms;
    vs_query_opts opts;
    const vs_text_opts *topts; /* the schema's separators and stop words */
    uint32_t leaves;           /* clauses made so far (valkey-search's "operations") */
    uint32_t ntext;            /* text clauses made so far */
    const vs_tok *deffield;    /* inside @f:( ... ): the field of bare text */
    vs_qnode **ranges;         /* VECTOR_RANGE clauses so far (arena) */
    uint32_t nrange, rcap;
} qp;

static int is_ws(uint8_t c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

static void trim(const uint8_t **p, size_t *n) {
    while (*n && is_ws((*p)[0])) {
        (*p)++;
        (*n)--;
    }
    while (*n && is_ws((*p)[*n - 1])) (*n)--;
}

static void skip_ws(qp *q) {
    while (q->pos < q->n && is_ws(q->s[q->pos])) q->pos++;
}

static int peek(const qp *q) { return q->pos < q->n ? q->s[q->pos] : -1; }

static vs_status unexpected(qp *q) {
    return vs_err_set(q->err, VS_ERR, "Unexpected character at position %zu: `%c`", q->pos + 1, (char)q->s[q->pos]);
}

static vs_qnode *node(qp *q, vs_qkind kind) {
    vs_qnode *nd = vs_arena_alloc(q->arena, sizeof *nd);
    if (!nd) return NULL;
    memset(nd, 0, sizeof *nd);
    nd->kind = kind;
    return nd;
}

static int has_text(const vs_schema *s) {
    for (uint32_t i = 0; i < s->nfields; i++)
        if (vs_qfield_is_text(&s->fields[i])) return 1;
    return 0;
}

static vs_status count_term(qp *q) {
    if (++q->terms > VS_QUERY_MAX_TERMS)
        return vs_err_set(q->err, VS_ERR,
                          "Invalid range: Value above maximum; Query string is too complex: max number of terms can't "
                          "exceed %d",
                          VS_QUERY_MAX_TERMS);
    return VS_OK;
}

static vs_status enter(qp *q) {
    if (++q->depth >= VS_QUERY_MAX_DEPTH) return vs_err_set(q->err, VS_ERR, "Query string is too complex");
    return VS_OK;
}

/* Append kid to a growing list (arena; small lists). */
static vs_status add_kid(qp *q, vs_qnode *parent, vs_qnode *kid, uint32_t *cap) {
    if (parent->nkids == *cap) {
        uint32_t ncap = *cap ? *cap * 2 : 4;
        vs_qnode **k = vs_arena_alloc(q->arena, ncap * sizeof *k);
        if (!k) return VS_ERR_NOMEM;
        if (parent->nkids) memcpy(k, parent->kids, parent->nkids * sizeof *k);
        parent->kids = k;
        *cap = ncap;
    }
    parent->kids[parent->nkids++] = kid;
    return VS_OK;
}

static vs_status parse_or(qp *q, vs_qnode **out);
static vs_status parse_unary(qp *q, vs_qnode **out);

/* A number for a range bound; *tok gets what was consumed. */
static vs_status parse_number(qp *q, double *v) {
    size_t start = q->pos;
    if (q->pos < q->n && (q->s[q->pos] == '-' || q->s[q->pos] == '+')) q->pos++;
    if (q->n - q->pos >= 3 && vs_eq_nocase(q->s + q->pos, 3, "inf")) {
        q->pos += 3;
    } else {
        while (q->pos < q->n && ((q->s[q->pos] >= '0' && q->s[q->pos] <= '9') || q->s[q->pos] == '.')) q->pos++;
        if (q->pos < q->n && (q->s[q->pos] == 'e' || q->s[q->pos] == 'E')) {
            q->pos++;
            if (q->pos < q->n && (q->s[q->pos] == '-' || q->s[q->pos] == '+')) q->pos++;
            while (q->pos < q->n && q->s[q->pos] >= '0' && q->s[q->pos] <= '9') q->pos++;
        }
    }
    if (!vs_parse_double(q->s + start, q->pos - start, v))
        return vs_err_set(q->err, VS_ERR, "Invalid number: %.*s", (int)(q->pos - start), (const char *)q->s + start);
    return VS_OK;
}

static vs_status parse_range(qp *q, vs_qnode *nd) {
    q->pos++; /* '[' */
    skip_ws(q);
    vs_num_range *r = &nd->clause.range;
    if (peek(q) == '(') {
        r->lo_excl = 1;
        q->pos++;
    }
    vs_status st = parse_number(q, &r->lo);
    if (st != VS_OK) return st;
    /* One space, or a comma that may follow spaces. */
    size_t save = q->pos;
    skip_ws(q);
    if (peek(q) == ',') {
        q->pos++;
    } else {
        q->pos = save;
        if (peek(q) != ' ')
            return vs_err_set(q->err, VS_ERR,
                              "Expected space or `,` between start and end values of a numeric field. Position: %zu",
                              q->pos);
        q->pos++;
    }
    skip_ws(q);
    if (peek(q) == '(') {
        r->hi_excl = 1;
        q->pos++;
    }
    st = parse_number(q, &r->hi);
    if (st != VS_OK) return st;
    skip_ws(q);
    if (peek(q) != ']')
        return vs_err_set(q->err, VS_ERR, "Expected ']' got '%.*s'. Position: %zu", peek(q) < 0 ? 0 : 1,
                          (const char *)q->s + q->pos, q->pos);
    q->pos++;
    if (r->lo > r->hi || (r->lo == r->hi && (r->lo_excl || r->hi_excl)))
        return vs_err_set(q->err, VS_ERR,
                          "Start and end values of a numeric field indicate an empty range. Position: %zu", q->pos);
    return VS_OK;
}

/* One tag of a {...} list: trim, unescape, detect the prefix '*'. */
static vs_status add_tag(qp *q, vs_qnode *nd, const uint8_t *p, size_t n, uint32_t *cap) {
    while (n && is_ws(p[0])) p++, n--;
    while (n && is_ws(p[n - 1]) && !(n >= 2 && p[n - 2] == '\\')) n--;
    if (n == 0) return VS_OK; /* empty tags are ignored */
    uint8_t *t = vs_arena_alloc(q->arena, n);
    if (!t) return VS_ERR_NOMEM;
    size_t m = 0;
    int last_escaped = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '\\' && i + 1 < n) {
            t[m++] = p[++i];
            last_escaped = i == n - 1;
        } else {
            t[m++] = p[i];
            last_escaped = 0;
        }
    }
    int prefix = 0;
    if (m && t[m - 1] == '*' && !last_escaped) {
        if (m >= 2 && t[m - 2] == '*')
            return vs_err_set(q->err, VS_ERR, "Tag string `%.*s` ends with multiple *.", (int)m, (const char *)t);
        if (m <= 2)
            return vs_err_set(q->err, VS_ERR, "Tag string `%.*s` is too short for prefix wildcard.", (int)m,
                              (const char *)t);
        prefix = 1;
        m--;
    }
    if (nd->clause.ntags == *cap) {
        uint32_t ncap = *cap ? *cap * 2 : 4;
        vs_fi_tag *tg = vs_arena_alloc(q->arena, ncap * sizeof *tg);
        if (!tg) return VS_ERR_NOMEM;
        if (nd->clause.ntags) memcpy(tg, nd->clause.tags, nd->clause.ntags * sizeof *tg);
        nd->clause.tags = tg;
        *cap = ncap;
    }
    nd->clause.tags[nd->clause.ntags].p = t;
    nd->clause.tags[nd->clause.ntags].n = (uint32_t)m;
    nd->clause.tags[nd->clause.ntags].prefix = (uint8_t)prefix;
    nd->clause.ntags++;
    return VS_OK;
}

static vs_status parse_tags(qp *q, vs_qnode *nd) {
    q->pos++; /* '{' */
    size_t start = q->pos, end = q->pos;
    while (end < q->n && q->s[end] != '}') end += (q->s[end] == '\\' && end + 1 < q->n) ? 2 : 1;
    if (end >= q->n) return vs_err_set(q->err, VS_ERR, "Missing closing TAG bracket, '}'");
    uint32_t cap = 0;
    size_t piece = start;
    for (size_t i = start; i <= end; i++) {
        if (i < end && q->s[i] == '\\') {
            i++;
            continue;
        }
        if (i < end && q->s[i] != '|') continue;
        vs_status st = add_tag(q, nd, q->s + piece, i - piece, &cap);
        if (st != VS_OK) return st;
        piece = i + 1;
    }
    q->pos = end + 1;
    return VS_OK;
}

/* ---- text ---------------------------------------------------------------- */

#define WORD_RAW_MAX (4 * VS_TEXT_MAX_WORD) /* before folding */

/* A word being read: bytes as written (escapes resolved). */
typedef struct word {
    uint8_t b[WORD_RAW_MAX];
    size_t n;
} word;

static vs_status word_push(qp *q, word *w, uint8_t c) {
    if (w->n == WORD_RAW_MAX)
        return vs_err_set(q->err, VS_ERR, "Query term is too long, max length is %d bytes", VS_TEXT_MAX_WORD);
    w->b[w->n++] = c;
    return VS_OK;
}

static int is_punct(const qp *q, uint8_t c) { return vs_text_is_sep(q->topts, c); }

/* A backslash at the cursor (valkey-search's HandleBackslashEscape): "\\"
 * and "\<separator>" keep the second byte; before another byte the word
 * ends when '\' is itself a separator, else the byte is kept.  *go is 0
 * when the word ends. */
static vs_status text_escape(qp *q, word *w, int *go) {
    *go = 1;
    if (peek(q) != '\\') return VS_OK;
    q->pos++;
    if (q->pos >= q->n) return vs_err_set(q->err, VS_ERR, "Invalid escape sequence: backslash at end of input");
    uint8_t c = q->s[q->pos];
    if (c == '\\' || is_punct(q, c) || !is_punct(q, '\\')) {
        q->pos++;
        return word_push(q, w, c);
    }
    *go = 0;
    return VS_OK;
}

/* The TEXT fields a clause searches: the named ones (names: "f" or
 * "(f|g)"), or every TEXT field (with a suffix trie for a suffix). */
static vs_status text_fields(qp *q, const vs_tok *name, int suffix, const int **out, uint32_t *nout) {
    const vs_schema *s = q->schema;
    int *f = vs_arena_alloc(q->arena, (s->nfields ? s->nfields : 1) * sizeof *f);
    if (!f) return VS_ERR_NOMEM;
    uint32_t n = 0;
    if (!name) {
        for (uint32_t i = 0; i < s->nfields; i++)
            if (vs_qfield_is_text(&s->fields[i]) && (!suffix || vs_qfield_suffix(&s->fields[i]))) f[n++] = (int)i;
        if (n == 0)
            return vs_err_set(q->err, VS_ERR, suffix ? "No fields support suffix search"
                                                      : "Index does not have any text field");
        *out = f;
        *nout = n;
        return VS_OK;
    }
    const uint8_t *p = name->p;
    size_t len = name->n;
    int multi = len >= 2 && p[0] == '(' && p[len - 1] == ')';
    if (multi) p++, len -= 2;
    size_t i = 0;
    for (;;) {
        size_t j = i;
        while (j < len && !(multi && p[j] == '|')) j++;
        int fi = vs_schema_field_by_alias(s, p + i, j - i);
        if (fi < 0 || !vs_qfield_is_text(&s->fields[fi]))
            return vs_err_set(q->err, VS_ERR, "Index does not have any text field");
        if (suffix && !vs_qfield_suffix(&s->fields[fi]))
            return vs_err_set(q->err, VS_ERR, "Field does not support suffix search");
        int dup = 0;
        for (uint32_t k = 0; k < n; k++) dup |= f[k] == fi;
        if (!dup && n < s->nfields) f[n++] = fi;
        if (j >= len) break;
        i = j + 1;
    }
    *out = f;
    *nout = n;
    return VS_OK;
}

/* A text leaf for word w (checked, folded into the arena). */
static vs_status text_leaf(qp *q, const word *w, vs_text_match how, uint32_t dist, const vs_tok *field,
                           vs_qnode **out) {
    size_t bad;
    if (!vs_utf8_check((const char *)w->b, w->n, &bad))
        return vs_err_set(q->err, VS_ERR, "Invalid UTF-8 in query term at byte %zu", bad);
    uint8_t *f = vs_arena_alloc(q->arena, 3 * w->n + 1);
    if (!f) return VS_ERR_NOMEM;
    size_t n = vs_casefold_utf8((const char *)w->b, w->n, (char *)f);
    if (n > VS_TEXT_MAX_WORD)
        return vs_err_set(q->err, VS_ERR, "Query term is too long, max length is %d bytes", VS_TEXT_MAX_WORD);
    vs_status st = count_term(q);
    if (st != VS_OK) return st;
    vs_qnode *nd = node(q, VS_Q_TEXT);
    if (!nd) return VS_ERR_NOMEM;
    nd->text.how = how;
    nd->text.w = f;
    nd->text.n = (uint32_t)n;
    nd->text.dist = dist;
    nd->text.leaf = q->ntext++;
    nd->slop = -1;
    if ((st = text_fields(q, field, how == VS_TM_SUFFIX, &nd->text.fields, &nd->text.nfields)) != VS_OK) return st;
    q->leaves++;
    *out = nd;
    return VS_OK;
}

/* One word inside quotes (valkey-search's ParseQuotedTextToken): up to a
 * quote or a separator; never a stop word, never stemmed.  *out NULL for
 * an empty word. */
static vs_status quoted_word(qp *q, const vs_tok *field, vs_qnode **out) {
    word w;
    w.n = 0;
    *out = NULL;
    while (q->pos < q->n) {
        int go;
        vs_status st = text_escape(q, &w, &go);
        if (st != VS_OK) return st;
        if (!go) break;
        int c = peek(q);
        if (c < 0 || c == '"') break;
        if (c == '\\') continue;
        if (is_punct(q, (uint8_t)c)) break;
        if ((st = word_push(q, &w, (uint8_t)c)) != VS_OK) return st;
        q->pos++;
    }
    if (w.n == 0) return VS_OK;
    return text_leaf(q, &w, VS_TM_EXACT, 0, field, out);
}

static int is_stopword(const qp *q, const word *w) {
    char f[3 * WORD_RAW_MAX];
    size_t n = vs_casefold_utf8((const char *)w->b, w->n, f);
    return vs_text_is_stopword(q->topts, f, n);
}

/* One unquoted word (valkey-search's ParseUnquotedTextToken): a term,
 * prefix, suffix or fuzzy word.  *out NULL for a stop word or an empty
 * word; *syntax set when the word ended at query syntax. */
static vs_status unquoted_word(qp *q, const vs_tok *field, vs_qnode **out, int *syntax) {
    word w;
    w.n = 0;
    int star_first = 0, star_last = 0;
    uint32_t lead = 0, trail = 0;
    *out = NULL;
    *syntax = 0;
    while (q->pos < q->n) {
        int go;
        vs_status st = text_escape(q, &w, &go);
        if (st != VS_OK) return st;
        if (!go) break;
        int c = peek(q);
        if (c < 0) break;
        if (c == ')' || c == '|' || c == '(' || c == '@') {
            *syntax = 1;
            break;
        }
        if (c == '{' || c == '}' || c == '[' || c == ']' || c == ':' || c == ';' || c == '$') return unexpected(q);
        if (c == '-' && w.n == 0) {
            *syntax = 1;
            break;
        }
        if (c == '"') break;
        if (c == '%') {
            if (w.n == 0) {
                while (peek(q) == '%') {
                    q->pos++;
                    if (++lead > VS_TEXT_MAX_FUZZY) break;
                }
                continue;
            }
            while (trail < lead && peek(q) == '%') {
                q->pos++;
                trail++;
            }
            break;
        }
        if (c == '*') {
            q->pos++;
            if (w.n == 0 && !star_first) {
                star_first = 1;
                continue;
            }
            star_last = 1;
            break;
        }
        if (c == '\\') continue;
        if (is_punct(q, (uint8_t)c)) break;
        if ((st = word_push(q, &w, (uint8_t)c)) != VS_OK) return st;
        q->pos++;
    }
    if (lead > 0) {
        if (trail != lead || lead > VS_TEXT_MAX_FUZZY) return vs_err_set(q->err, VS_ERR, "Invalid fuzzy '%%' markers");
        if (w.n == 0) return vs_err_set(q->err, VS_ERR, "Empty fuzzy token");
        return text_leaf(q, &w, VS_TM_FUZZY, lead, field, out);
    }
    if (star_first) {
        if (w.n == 0) return vs_err_set(q->err, VS_ERR, "Invalid wildcard '*' markers");
        const int *fl;
        uint32_t nf;
        vs_status st = text_fields(q, field, 1, &fl, &nf);
        if (st != VS_OK) return st;
        if (star_last) return vs_err_set(q->err, VS_ERR, "Unsupported query operation");
        return text_leaf(q, &w, VS_TM_SUFFIX, 0, field, out);
    }
    if (star_last) {
        if (w.n == 0) return vs_err_set(q->err, VS_ERR, "Invalid wildcard '*' markers");
        return text_leaf(q, &w, VS_TM_PREFIX, 0, field, out);
    }
    if (w.n == 0 || is_stopword(q, &w)) return VS_OK;
    return text_leaf(q, &w, q->opts.verbatim ? VS_TM_EXACT : VS_TM_STEM, 0, field, out);
}

/* A text clause (valkey-search's ParseTextTokens): one unquoted word, or
 * the words of a quoted phrase; *out NULL when it yields none. */
static vs_status parse_text(qp *q, const vs_tok *field, vs_qnode **out) {
    *out = NULL;
    const vs_schema *s = q->schema;
    if (!has_text(s)) return vs_err_set(q->err, VS_ERR, "Index does not have any text field");
    vs_qnode *phrase = NULL, *first = NULL;
    uint32_t cap = 0, nterms = 0;
    int in_quotes = 0, exact = 0;
    while (q->pos < q->n) {
        if (q->s[q->pos] == '"') {
            in_quotes = !in_quotes;
            q->pos++;
            if (in_quotes && nterms == 0) {
                exact = 1;
                continue;
            }
            break;
        }
        size_t start = q->pos;
        vs_qnode *t = NULL;
        int syntax = 0;
        vs_status st = in_quotes ? quoted_word(q, field, &t) : unquoted_word(q, field, &t, &syntax);
        if (st != VS_OK) return st;
        if (t) {
            if (nterms == 1) {
                phrase = node(q, VS_Q_AND);
                if (!phrase) return VS_ERR_NOMEM;
                phrase->slop = 0;
                phrase->inorder = 1;
                if ((st = add_kid(q, phrase, first, &cap)) != VS_OK) return st;
            }
            if (nterms >= 1 && (st = add_kid(q, phrase, t, &cap)) != VS_OK) return st;
            if (nterms == 0) first = t;
            nterms++;
            if (!exact) break;
        }
        if (syntax) break;
        if (start == q->pos) q->pos++;
    }
    if (nterms == 0) {
        if (q->leaves == 0) return vs_err_set(q->err, VS_ERR, "Invalid Query Syntax");
        return VS_OK;
    }
    if (phrase) {
        if (!vs_qschema_offsets(s)) return vs_err_set(q->err, VS_ERR, "Index does not support offsets");
        vs_status st = count_term(q);
        if (st != VS_OK) return st;
        *out = phrase;
        return VS_OK;
    }
    *out = first;
    return VS_OK;
}

/* ---- VECTOR_RANGE ---------------------------------------------------------- */

#define VRANGE_WORD "VECTOR_RANGE"
#define VRANGE_SYNTAX "Syntax error: expecting `[VECTOR_RANGE radius $blob]`"

/* Does "VECTOR_RANGE " (any case) follow the '[' at the cursor? */
static int is_vrange(const qp *q) {
    size_t i = q->pos + 1, w = sizeof VRANGE_WORD - 1;
    while (i < q->n && is_ws(q->s[i])) i++;
    return q->n - i > w && vs_eq_nocase(q->s + i, w, VRANGE_WORD) && is_ws(q->s[i + w]);
}

/* The next token inside [ ... ]: up to whitespace or ']'. */
static vs_tok bracket_tok(qp *q) {
    skip_ws(q);
    vs_tok t = {q->s + q->pos, 0};
    while (q->pos < q->n && !is_ws(q->s[q->pos]) && q->s[q->pos] != ']') q->pos++;
    t.n = (size_t)(q->s + q->pos - t.p);
    return t;
}

static void trim_tok(vs_tok *t) { trim(&t->p, &t->n); }

/* "=>{ $name: value; ... }" after a range clause (the cursor past ']'). */
static vs_status parse_attrs(qp *q, vs_qrange *r) {
    size_t save = q->pos;
    skip_ws(q);
    if (q->n - q->pos < 2 || q->s[q->pos] != '=' || q->s[q->pos + 1] != '>') {
        q->pos = save;
        return VS_OK;
    }
    q->pos += 2;
    skip_ws(q);
    if (peek(q) != '{') return vs_err_set(q->err, VS_ERR, "Syntax error: expecting `{` after `=>`. Position: %zu", q->pos);
    q->pos++;
    size_t end = q->pos;
    while (end < q->n && q->s[end] != '}') end++;
    if (end >= q->n) return vs_err_set(q->err, VS_ERR, "Syntax error: missing `}` after attributes");
    uint32_t cap = 0;
    while (q->pos < end) {
        size_t i = q->pos;
        while (i < end && q->s[i] != ';') i++;
        vs_tok item = {q->s + q->pos, i - q->pos};
        q->pos = i < end ? i + 1 : end;
        trim_tok(&item);
        if (item.n == 0) continue; /* "a; ;" and a trailing ';' */
        size_t colon = 0;
        while (colon < item.n && item.p[colon] != ':') colon++;
        vs_tok name = {item.p, colon}, val = {item.p + colon, 0};
        trim_tok(&name);
        if (colon < item.n) {
            val.p = item.p + colon + 1;
            val.n = item.n - colon - 1;
            trim_tok(&val);
        }
        if (name.n < 2 || name.p[0] != '$' || colon == item.n)
            return vs_err_set(q->err, VS_ERR, "Syntax error: expecting `$name: value` in attributes, got `%.*s`",
                              (int)item.n, (const char *)item.p);
        if (r->nattrs == cap) {
            uint32_t ncap = cap ? cap * 2 : 4;
            vs_tok *nn = vs_arena_alloc(q->arena, ncap * sizeof *nn), *nv = vs_arena_alloc(q->arena, ncap * sizeof *nv);
            if (!nn || !nv) return VS_ERR_NOMEM;
            if (r->nattrs) {
                memcpy(nn, r->attr_name, r->nattrs * sizeof *nn);
                memcpy(nv, r->attr_val, r->nattrs * sizeof *nv);
            }
            r->attr_name = nn;
            r->attr_val = nv;
            cap = ncap;
        }
        r->attr_name[r->nattrs] = (vs_tok){name.p + 1, name.n - 1};
        r->attr_val[r->nattrs] = val;
        r->nattrs++;
        vs_status st = count_term(q);
        if (st != VS_OK) return st;
    }
    q->pos = end + 1;
    return VS_OK;
}

/* "[VECTOR_RANGE radius $blob]" (the cursor at '[') on VECTOR field f. */
static vs_status parse_vrange(qp *q, int f, vs_qnode **out) {
    q->pos++; /* '[' */
    skip_ws(q);
    q->pos += sizeof VRANGE_WORD - 1;
    vs_qnode *nd = node(q, VS_Q_VRANGE);
    vs_qrange *r = vs_arena_alloc(q->arena, sizeof *r);
    if (!nd || !r) return VS_ERR_NOMEM;
    memset(r, 0, sizeof *r);
    nd->field = f;
    nd->range = r;
    nd->slop = -1;
    r->radius_tok = bracket_tok(q);
    r->blob_tok = bracket_tok(q);
    skip_ws(q);
    if (r->radius_tok.n == 0 || r->blob_tok.n < 2 || r->blob_tok.p[0] != '$' || peek(q) != ']')
        return vs_err_set(q->err, VS_ERR, VRANGE_SYNTAX);
    if (r->radius_tok.p[0] != '$') { /* a literal must be a number */
        double v;
        if (!vs_parse_double(r->radius_tok.p, r->radius_tok.n, &v) || isnan(v))
            return vs_err_set(q->err, VS_ERR, "Invalid number: %.*s", TOKF(r->radius_tok));
    } else if (r->radius_tok.n < 2) {
        return vs_err_set(q->err, VS_ERR, VRANGE_SYNTAX);
    }
    q->pos++; /* ']' */
    vs_status st = parse_attrs(q, r);
    if (st != VS_OK) return st;
    if ((st = count_term(q)) != VS_OK) return st;
    if (q->nrange == q->rcap) {
        uint32_t ncap = q->rcap ? q->rcap * 2 : 4;
        vs_qnode **rs = vs_arena_alloc(q->arena, ncap * sizeof *rs);
        if (!rs) return VS_ERR_NOMEM;
        if (q->nrange) memcpy(rs, q->ranges, q->nrange * sizeof *rs);
        q->ranges = rs;
        q->rcap = ncap;
    }
    r->slot = q->nrange;
    q->ranges[q->nrange++] = nd;
    q->leaves++;
    *out = nd;
    return VS_OK;
}

static vs_status parse_field(qp *q, vs_qnode **out) {
    q->pos++; /* '@' */
    size_t start = q->pos;
    while (q->pos < q->n && q->s[q->pos] != ':' && !is_ws(q->s[q->pos])) q->pos++;
    size_t flen = q->pos - start;
    const uint8_t *fname = q->s + start;
    skip_ws(q);
    if (peek(q) != ':') {
        if (peek(q) < 0) return vs_err_set(q->err, VS_ERR, "Unexpected end of query, expecting `:`");
        return vs_err_set(q->err, VS_ERR, "Unexpected character at position %zu: `%c`, expecting `:`", q->pos + 1,
                          (char)q->s[q->pos]);
    }
    q->pos++;
    skip_ws(q);
    int c = peek(q);
    if (c != '[' && c != '{') {
        vs_tok name = {fname, flen};
        if (c != '(') return parse_text(q, &name, out);
        /* @f:( ... ): the group's text clauses search f (RediSearch's
         * syntax; LangChain's filters use it). */
        const vs_tok *save = q->deffield;
        q->deffield = &name;
        vs_status st = parse_unary(q, out);
        q->deffield = save;
        return st;
    }
    int f = vs_schema_field_by_alias(q->schema, fname, flen);
    if (c == '[' && is_vrange(q)) {
        if (f < 0 || q->schema->fields[f].type != VS_FIELD_VECTOR)
            return vs_err_set(q->err, VS_ERR, "`%.*s` is not indexed as a vector field", (int)flen,
                              (const char *)fname);
        return parse_vrange(q, f, out);
    }
    vs_field_type want = c == '[' ? VS_FIELD_NUMERIC : VS_FIELD_TAG;
    if (f < 0 || q->schema->fields[f].type != want)
        return vs_err_set(q->err, VS_ERR, "`%.*s` is not indexed as a %s field", (int)flen, (const char *)fname,
                          want == VS_FIELD_NUMERIC ? "numeric" : "tag");
    vs_status st = count_term(q);
    if (st != VS_OK) return st;
    vs_qnode *nd = node(q, want == VS_FIELD_NUMERIC ? VS_Q_NUM : VS_Q_TAG);
    if (!nd) return VS_ERR_NOMEM;
    nd->field = f;
    nd->clause.kind = want == VS_FIELD_NUMERIC ? VS_FI_RANGE : VS_FI_TAGS;
    st = want == VS_FIELD_NUMERIC ? parse_range(q, nd) : parse_tags(q, nd);
    if (st != VS_OK) return st;
    q->leaves++;
    *out = nd;
    return VS_OK;
}

static vs_status parse_unary(qp *q, vs_qnode **out) {
    skip_ws(q);
    int c = peek(q);
    if (c == '-') {
        q->pos++;
        vs_status st = enter(q);
        if (st != VS_OK) return st;
        vs_qnode *kid;
        st = parse_unary(q, &kid);
        q->depth--;
        if (st != VS_OK) return st;
        if (!kid) { /* a stop word */
            *out = NULL;
            return VS_OK;
        }
        vs_qnode *nd = node(q, VS_Q_NOT);
        vs_qnode **k = vs_arena_alloc(q->arena, sizeof *k);
        if (!nd || !k) return VS_ERR_NOMEM;
        k[0] = kid;
        nd->kids = k;
        nd->nkids = 1;
        *out = nd;
        return VS_OK;
    }
    if (c == '(') {
        int top = q->depth == 0;
        q->pos++;
        vs_status st = enter(q);
        if (st != VS_OK) return st;
        skip_ws(q);
        if (peek(q) == ')') {
            if (top) return unexpected(q);
            return vs_err_set(q->err, VS_ERR, "Empty brackets detected at Position: %zu", q->pos);
        }
        st = parse_or(q, out);
        if (st != VS_OK) return st;
        skip_ws(q);
        if (peek(q) != ')')
            return vs_err_set(q->err, VS_ERR, "Expected ')' after expression got '%.*s'. Position: %zu",
                              peek(q) < 0 ? 0 : 1, (const char *)q->s + q->pos, q->pos);
        if (!*out) return vs_err_set(q->err, VS_ERR, "Empty brackets detected at Position: %zu", q->pos);
        q->pos++;
        q->depth--;
        return VS_OK;
    }
    if (c == '@') return parse_field(q, out);
    if (c < 0) return vs_err_set(q->err, VS_ERR, "Invalid query string syntax");
    if (c == '|' || c == ')') return unexpected(q);
    if (c == '*' && !has_text(q->schema)) return unexpected(q);
    return parse_text(q, q->deffield, out);
}

static vs_status parse_and(qp *q, vs_qnode **out) {
    vs_qnode *first = NULL, *and = NULL;
    uint32_t cap = 0;
    int skipped = 0;
    for (;;) {
        skip_ws(q);
        int c = peek(q);
        if (c < 0 || c == '|' || c == ')') break;
        vs_qnode *kid;
        vs_status st = parse_unary(q, &kid);
        if (st != VS_OK) return st;
        if (!kid) { /* stop words only */
            skipped = 1;
            continue;
        }
        if (!first) {
            first = kid;
            continue;
        }
        if (!and) {
            if ((st = count_term(q)) != VS_OK) return st;
            and = node(q, VS_Q_AND);
            if (!and) return VS_ERR_NOMEM;
            and->slop = q->opts.slop;
            and->inorder = (uint8_t)(q->opts.inorder != 0);
            if ((st = add_kid(q, and, first, &cap)) != VS_OK) return st;
        }
        if ((st = add_kid(q, and, kid, &cap)) != VS_OK) return st;
    }
    if (!first) {
        if (skipped) {
            *out = NULL;
            return VS_OK;
        }
        if (peek(q) < 0) return vs_err_set(q->err, VS_ERR, "Invalid query string syntax");
        if (peek(q) == '|') return vs_err_set(q->err, VS_ERR, "Missing OR term");
        return unexpected(q);
    }
    *out = and ? and : first;
    return VS_OK;
}

static vs_status parse_or(qp *q, vs_qnode **out) {
    vs_qnode *first;
    vs_status st = parse_and(q, &first);
    if (st != VS_OK) return st;
    vs_qnode *or = NULL;
    uint32_t cap = 0;
    int levels = 0;
    for (;;) {
        skip_ws(q);
        if (peek(q) != '|') break;
        q->pos++;
        if ((st = enter(q)) != VS_OK) return st;
        levels++;
        skip_ws(q);
        int c = peek(q);
        if (c < 0 || c == '|' || c == ')') return vs_err_set(q->err, VS_ERR, "Missing OR term");
        vs_qnode *kid;
        if ((st = parse_and(q, &kid)) != VS_OK) return st;
        if (!kid || !first) return vs_err_set(q->err, VS_ERR, "Missing OR term");
        if (!or) {
            if ((st = count_term(q)) != VS_OK) return st;
            or = node(q, VS_Q_OR);
            if (!or) return VS_ERR_NOMEM;
            if ((st = add_kid(q, or, first, &cap)) != VS_OK) return st;
        }
        if ((st = add_kid(q, or, kid, &cap)) != VS_OK) return st;
    }
    q->depth -= levels;
    *out = or ? or : first;
    return VS_OK;
}

static int is_match_all(const uint8_t *p, size_t n) {
    trim(&p, &n);
    if (n == 1 && p[0] == '*') return 1;
    if (n >= 3 && p[0] == '(' && p[n - 1] == ')') {
        p++;
        n -= 2;
        trim(&p, &n);
        return n == 1 && p[0] == '*';
    }
    return 0;
}

/* ---- KNN clause --------------------------------------------------------- */

#define VS_MAX_KNN_TOKENS 64

static vs_status parse_knn(const uint8_t *c, size_t n, vs_knn_clause *k, vs_err *err) {
    vs_status st = VS_OK;
    if (n == 0) {
        st = vs_err_set(err, VS_ERR, "Vector query clause is missing");
    } else if (c[0] != '[') {
        st = vs_err_set(err, VS_ERR, "Expecting '[' got '%c'", (char)c[0]);
    } else if (c[n - 1] != ']') {
        st = vs_err_set(err, VS_ERR, "Expecting ']' got '%c'", (char)c[n - 1]);
    } else {
        vs_tok t[VS_MAX_KNN_TOKENS];
        int nt = 0;
        size_t i = 1, end = n - 1;
        while (i < end) { /* split on single spaces, skipping empties */
            while (i < end && c[i] == ' ') i++;
            size_t s = i;
            while (i < end && c[i] != ' ') i++;
            if (i > s) {
                if (nt == VS_MAX_KNN_TOKENS) {
                    st = vs_err_set(err, VS_ERR, "Unexpected argument `%.*s`", (int)(i - s), (const char *)c + s);
                    break;
                }
                t[nt].p = c + s;
                t[nt].n = i - s;
                nt++;
            }
        }
        if (st == VS_OK) {
            if (nt == 0)
                st = vs_err_set(err, VS_ERR, "Missing parameters");
            else if (!vs_eq_nocase(t[0].p, t[0].n, "KNN"))
                st = vs_err_set(err, VS_ERR, "`%.*s`. Expecting `KNN`", TOKF(t[0]));
            else if (nt < 2)
                st = vs_err_set(err, VS_ERR, "KNN argument is missing");
            else if (nt < 3)
                st = vs_err_set(err, VS_ERR, "Vector field argument is missing");
            else if (t[2].n < 2 || t[2].p[0] != '@')
                st = vs_err_set(err, VS_ERR, "Unexpected argument `%.*s`. Expecting a vector field name, starting with '@'",
                                TOKF(t[2]));
            else if (nt < 4)
                st = vs_err_set(err, VS_ERR, "Blob attribute argument is missing");
        }
        if (st == VS_OK) {
            k->k = t[1];
            k->field.p = t[2].p + 1;
            k->field.n = t[2].n - 1;
            k->blob = t[3];
            for (int j = 4; j < nt && st == VS_OK; j += 2) {
                if (vs_eq_nocase(t[j].p, t[j].n, "EF_RUNTIME")) {
                    if (j + 1 >= nt)
                        st = vs_err_set(err, VS_ERR, "EF_RUNTIME argument is missing");
                    else
                        k->ef = t[j + 1];
                } else if (vs_eq_nocase(t[j].p, t[j].n, "AS")) {
                    if (j + 1 >= nt)
                        st = vs_err_set(err, VS_ERR, "AS argument is missing");
                    else
                        k->as = t[j + 1];
                } else {
                    st = vs_err_set(err, VS_ERR, "Unexpected argument `%.*s`", TOKF(t[j]));
                }
            }
        }
    }
    if (st != VS_OK)
        return vs_err_prepend(err, "Error parsing vector similarity parameters: `%.*s`. ", (int)n, (const char *)c);
    k->present = 1;
    return VS_OK;
}

/* Position of the "=>" that starts the KNN clause: the first one followed
 * (after spaces) by '['; n when there is none. */
static size_t find_arrow(const uint8_t *q, size_t n) {
    for (size_t i = 0; i + 1 < n; i++) {
        if (q[i] != '=' || q[i + 1] != '>') continue;
        size_t j = i + 2;
        while (j < n && is_ws(q[j])) j++;
        if (j < n && q[j] == '[') return i;
    }
    return n;
}

vs_status vs_query_parse(const uint8_t *q, size_t n, const vs_schema *schema, vs_arena *arena, vs_query *out,
                         vs_err *err) {
    vs_query_opts o = {0, 0, -1};
    return vs_query_parse_opts(q, n, schema, &o, arena, out, err);
}

vs_status vs_query_parse_opts(const uint8_t *q, size_t n, const vs_schema *schema, const vs_query_opts *opts,
                              vs_arena *arena, vs_query *out, vs_err *err) {
    memset(out, 0, sizeof *out);
    if ((opts->inorder || opts->slop >= 0) && !vs_qschema_offsets(schema))
        return vs_err_set(err, VS_ERR, "Index does not support offsets");
    if (n > VS_QUERY_MAX_BYTES)
        return vs_err_set(err, VS_ERR, "Query string is too long, max length is %d bytes.", VS_QUERY_MAX_BYTES);
    size_t arrow = find_arrow(q, n);
    const uint8_t *f = q;
    size_t fn = arrow;
    trim(&f, &fn);
    if (fn == 0 && arrow == n) return vs_err_set(err, VS_ERR, "Invalid query string syntax");
    if (fn > 0 && !is_match_all(f, fn)) {
        qp p = {f, fn, 0, schema, arena, err, 0, 0, *opts, vs_qschema_text_opts(schema), 0, 0, NULL, NULL, 0, 0};
        vs_status st = parse_or(&p, &out->filter);
        if (st == VS_OK) {
            skip_ws(&p);
            if (p.pos < p.n) st = unexpected(&p);
        }
        if (st == VS_ERR_NOMEM) return st;
        if (st != VS_OK) return vs_err_prepend(err, "Invalid filter expression: `%.*s`. ", (int)fn, (const char *)f);
        out->ntext = p.ntext;
        out->range = p.ranges;
        out->nrange = p.nrange;
        if (!out->filter && arrow == n) return vs_err_set(err, VS_ERR, "Invalid query string syntax");
    }
    if (arrow < n) {
        const uint8_t *c = q + arrow + 2;
        size_t cn = n - arrow - 2;
        trim(&c, &cn);
        return parse_knn(c, cn, &out->knn, err);
    }
    return VS_OK;
}
