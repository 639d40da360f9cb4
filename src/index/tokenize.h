/* tokenize.h - the text lexer of TEXT fields: valkey-search 1.2's
 * (src/indexes/text/lexer.cc), minus stemming (index/stem_en.h, applied by
 * the caller, which also decides NOSTEM and MINSTEMSIZE).
 *
 * A text is split into words at separator bytes: whitespace and control
 * bytes (C isspace or iscntrl: 0x00-0x20 and 0x7F) always, plus the index's
 * PUNCTUATION bytes (default VS_TEXT_PUNCT_DEFAULT).  The test is per byte,
 * as valkey-search's: a non-ASCII PUNCTUATION character adds each of its
 * bytes.  A backslash escapes: "\\" and a backslash before a separator keep
 * the second byte in the word and drop the backslash; before any other
 * byte a backslash ends the word when the backslash is itself a separator
 * (so by default "a\b" is the words a and b), else it is dropped and the
 * byte kept.  A backslash that is the last byte is an ordinary byte.  Each
 * word is case-folded (index/casefold.h); a word equal to a stop word (the
 * stop words ASCII-lower-cased, as valkey-search does) is dropped without
 * taking a position; every other word is a token, its position the number
 * of tokens before it (0, 1, 2, ... as valkey-search numbers them).
 *
 * Errors: text that is not UTF-8 by valkey-search's rule (casefold.h) is
 * refused with VS_ERR, "ERR Invalid UTF-8" (valkey-search's status text;
 * its ingestion counts the key as a hash indexing failure); a token longer
 * than the options' max_term bytes is VS_ERR_LIMIT (valkey-search 1.2 has
 * no such limit: 0, the default, means none); VS_ERR_NOMEM.  On any error
 * the token list is left empty.
 *
 * Invariants: no global state; tokens are non-empty, well-formed UTF-8,
 * folded (so lower-case), never stop words, their positions 0, 1, 2, ...;
 * the options own their stop-word copies; the token list owns its arrays
 * and is reused across calls.
 */
#ifndef VS_TOKENIZE_H
#define VS_TOKENIZE_H

#include <stddef.h>
#include <stdint.h>

#include "base/status.h"

/* valkey-search's default PUNCTUATION (src/commands/ft_create_parser.h). */
#define VS_TEXT_PUNCT_DEFAULT ",.<>{}[]\"':;!@#$%^&*()-+=~/\\|?"

typedef struct vs_text_word {
    const char *s;
    size_t n;
} vs_text_word;

typedef struct vs_text_opts {
    uint8_t sep[32];            /* bit per byte: ends a word */
    const vs_text_word *stop;   /* sorted (bytes, then length); default list or `owned` */
    size_t nstop;
    void *owned;                /* the custom stop words' block, or NULL */
    size_t max_term;            /* longest token in bytes; 0: no limit */
} vs_text_opts;

typedef struct vs_token {
    size_t off, len;   /* the folded word: text[off, off + len) of the list */
    size_t src;        /* offset in the input where the word starts */
    uint32_t pos;      /* position among the tokens */
} vs_token;

typedef struct vs_tokens {
    vs_token *tok;
    size_t count, cap;
    char *text;
    size_t len, text_cap;
} vs_tokens;

/* valkey-search's defaults: default punctuation, the default English stop
 * words, no term length limit.  Never fails, allocates nothing. */
void vs_text_opts_init(vs_text_opts *o);
void vs_text_opts_release(vs_text_opts *o);

/* PUNCTUATION: the separators become whitespace/control plus these bytes.
 * An empty string is refused as valkey-search refuses it
 * ("PUNCTUATION string cannot be empty"). */
vs_status vs_text_opts_set_punct(vs_text_opts *o, const char *p, size_t n, vs_err *err);

/* STOPWORDS count w...: replaces the list (count 0 is NOSTOPWORDS).  The
 * words are copied, ASCII-lower-cased; on failure o is unchanged. */
vs_status vs_text_opts_set_stopwords(vs_text_opts *o, const vs_text_word *w, size_t count,
                                     vs_err *err);

/* valkey-search's default English stop words, in its order. */
extern const char *const vs_text_stopwords_default[];
extern const size_t vs_text_stopwords_default_count;

int vs_text_is_sep(const vs_text_opts *o, unsigned char c);
int vs_text_is_stopword(const vs_text_opts *o, const char *w, size_t n);

/* Tokenize s[0, n) into t (its previous tokens are replaced). */
vs_status vs_tokenize(const vs_text_opts *o, const char *s, size_t n, vs_tokens *t, vs_err *err);
void vs_tokens_release(vs_tokens *t);

#endif
