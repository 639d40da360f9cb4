/* tokenize.c - the text lexer (see tokenize.h).
 *
 * Each word is first copied, escapes resolved, to the end of the token
 * list's text, then folded there: in place when it is ASCII, else through
 * the room after it (a folded word is at most 3 times its bytes) and moved
 * back.  The text grows only while a word is copied or folded, so the
 * bytes held stay within the folded words plus one word's scratch.
 */
#include "index/tokenize.h"

#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "index/casefold.h"

const char *const vs_text_stopwords_default[] = {
    "a",    "is",   "the", "an",   "and",  "are",   "as",   "at",    "be",
    "but",  "by",   "for", "if",   "in",   "into",  "it",   "no",    "not",
    "of",   "on",   "or",  "such", "that", "their", "then", "there", "these",
    "they", "this", "to",  "was",  "will", "with",
};
const size_t vs_text_stopwords_default_count =
    sizeof vs_text_stopwords_default / sizeof vs_text_stopwords_default[0];

/* The same words, sorted for the binary search. */
#define W(s) {s, sizeof(s) - 1}
static const vs_text_word default_sorted[] = {
    W("a"),    W("an"),   W("and"),  W("are"),   W("as"),   W("at"),    W("be"),
    W("but"),  W("by"),   W("for"),  W("if"),    W("in"),   W("into"),  W("is"),
    W("it"),   W("no"),   W("not"),  W("of"),    W("on"),   W("or"),    W("such"),
    W("that"), W("the"),  W("their"), W("then"), W("there"), W("these"), W("they"),
    W("this"), W("to"),   W("was"),  W("will"),  W("with"),
};
#undef W

static int word_cmp(const char *a, size_t an, const char *b, size_t bn) {
    int r = memcmp(a, b, an < bn ? an : bn);
    if (r) return r;
    return an < bn ? -1 : an > bn;
}

static int word_qcmp(const void *x, const void *y) {
    const vs_text_word *a = x, *b = y;
    return word_cmp(a->s, a->n, b->s, b->n);
}

static void set_sep(vs_text_opts *o, unsigned char c) { o->sep[c >> 3] |= (uint8_t)(1u << (c & 7)); }

/* C isspace || iscntrl for bytes, in the C locale. */
static void set_whitespace(vs_text_opts *o) {
    memset(o->sep, 0, sizeof o->sep);
    for (unsigned c = 0; c <= 0x20; c++) set_sep(o, (unsigned char)c);
    set_sep(o, 0x7F);
}

void vs_text_opts_init(vs_text_opts *o) {
    memset(o, 0, sizeof *o);
    set_whitespace(o);
    for (const char *p = VS_TEXT_PUNCT_DEFAULT; *p; p++) set_sep(o, (unsigned char)*p);
    o->stop = default_sorted;
    o->nstop = sizeof default_sorted / sizeof default_sorted[0];
}

void vs_text_opts_release(vs_text_opts *o) {
    vs_free(o->owned);
    o->owned = NULL;
    o->stop = NULL;
    o->nstop = 0;
}

vs_status vs_text_opts_set_punct(vs_text_opts *o, const char *p, size_t n, vs_err *err) {
    if (n == 0) return vs_err_set(err, VS_ERR, "ERR PUNCTUATION string cannot be empty");
    set_whitespace(o);
    for (size_t i = 0; i < n; i++) set_sep(o, (unsigned char)p[i]);
    return VS_OK;
}

vs_status vs_text_opts_set_stopwords(vs_text_opts *o, const vs_text_word *w, size_t count,
                                     vs_err *err) {
    size_t bytes = 0;
    for (size_t i = 0; i < count; i++) {
        if (w[i].n > SIZE_MAX / 2 - bytes) return vs_err_code(err, VS_ERR_NOMEM);
        bytes += w[i].n;
    }
    void *block = NULL;
    if (count > 0) {
        if (count > (SIZE_MAX / 2 - bytes) / sizeof(vs_text_word)) return vs_err_code(err, VS_ERR_NOMEM);
        block = vs_malloc(count * sizeof(vs_text_word) + bytes);
        if (!block) return vs_err_code(err, VS_ERR_NOMEM);
        vs_text_word *list = block;
        char *text = (char *)block + count * sizeof(vs_text_word);
        for (size_t i = 0; i < count; i++) {
            for (size_t k = 0; k < w[i].n; k++) {
                char c = w[i].s[k];
                text[k] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
            }
            list[i].s = text;
            list[i].n = w[i].n;
            text += w[i].n;
        }
        qsort(list, count, sizeof *list, word_qcmp);
    }
    vs_free(o->owned);
    o->owned = block;
    o->stop = block;
    o->nstop = count;
    return VS_OK;
}

int vs_text_is_sep(const vs_text_opts *o, unsigned char c) { return (o->sep[c >> 3] >> (c & 7)) & 1; }

int vs_text_is_stopword(const vs_text_opts *o, const char *w, size_t n) {
    size_t lo = 0, hi = o->nstop;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int r = word_cmp(o->stop[mid].s, o->stop[mid].n, w, n);
        if (r == 0) return 1;
        if (r < 0) lo = mid + 1;
        else hi = mid;
    }
    return 0;
}

void vs_tokens_release(vs_tokens *t) {
    vs_free(t->tok);
    vs_free(t->text);
    memset(t, 0, sizeof *t);
}

static int text_room(vs_tokens *t, size_t need) {
    if (need <= t->text_cap) return 1;
    return vs_grow_bytes((uint8_t **)&t->text, &t->text_cap, need, 64);
}

static vs_status add_token(vs_tokens *t, size_t off, size_t len, size_t src) {
    if (t->count == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 16;
        if (cap > UINT32_MAX || cap > SIZE_MAX / sizeof(vs_token)) return VS_ERR_NOMEM;
        vs_token *tok = vs_realloc(t->tok, cap * sizeof *tok);
        if (!tok) return VS_ERR_NOMEM;
        t->tok = tok;
        t->cap = cap;
    }
    t->tok[t->count] = (vs_token){off, len, src, (uint32_t)t->count};
    t->count++;
    return VS_OK;
}

static vs_status fail(vs_tokens *t, vs_status st, vs_err *err) {
    t->count = 0;
    t->len = 0;
    return vs_err_code(err, st);
}

vs_status vs_tokenize(const vs_text_opts *o, const char *s, size_t n, vs_tokens *t, vs_err *err) {
    t->count = 0;
    t->len = 0;
    if (!vs_utf8_check(s, n, NULL)) return vs_err_set(err, VS_ERR, "ERR Invalid UTF-8");
    const int backslash_sep = vs_text_is_sep(o, '\\');
    size_t pos = 0;
    while (pos < n) {
        while (pos < n && vs_text_is_sep(o, (unsigned char)s[pos])) {
            if (s[pos] == '\\' && pos + 1 < n) break;
            pos++;
        }
        if (pos == n) break;
        size_t src = pos, base = t->len;
        if (!text_room(t, base + (n - pos))) return fail(t, VS_ERR_NOMEM, err);
        char *w = t->text + base;
        size_t wl = 0;
        while (pos < n) {
            char ch = s[pos];
            if (ch == '\\' && pos + 1 < n) {
                char next = s[++pos];
                if (next == '\\' || vs_text_is_sep(o, (unsigned char)next)) w[wl++] = s[pos++];
                else if (backslash_sep) break;
                else w[wl++] = s[pos++];
            } else if (vs_text_is_sep(o, (unsigned char)ch)) {
                break;
            } else {
                w[wl++] = s[pos++];
            }
        }
        if (wl == 0) continue;

        int ascii = 1;
        for (size_t i = 0; i < wl && ascii; i++) ascii = (unsigned char)w[i] < 0x80;
        if (ascii) {
            for (size_t i = 0; i < wl; i++)
                if (w[i] >= 'A' && w[i] <= 'Z') w[i] = (char)(w[i] + 32);
        } else {
            if (wl > (SIZE_MAX - base) / 4 || !text_room(t, base + 4 * wl))
                return fail(t, VS_ERR_NOMEM, err);
            w = t->text + base;
            size_t fl = vs_casefold_utf8(w, wl, w + wl);
            memmove(w, w + wl, fl);
            wl = fl;
        }
        if (vs_text_is_stopword(o, w, wl)) continue;
        if (o->max_term && wl > o->max_term) {
            t->count = 0;
            t->len = 0;
            return vs_err_set(err, VS_ERR_LIMIT, "ERR term too long: %zu bytes (the limit is %zu)",
                              wl, o->max_term);
        }
        vs_status st = add_token(t, base, wl, src);
        if (st != VS_OK) return fail(t, st, err);
        t->len = base + wl;
    }
    return VS_OK;
}
