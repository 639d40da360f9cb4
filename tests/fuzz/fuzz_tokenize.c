/* fuzz_tokenize.c - libFuzzer target: arbitrary bytes through the text
 * lexer (index/tokenize.h) and the English stemmer (index/stem_en.h).
 *
 * Input: byte 0 holds flags (bit 0: a custom PUNCTUATION of the next
 * 1..8 bytes, its length from byte 3; bit 1: NOSTOPWORDS; bit 2: a custom
 * stop-word list, the first two words of the text), byte 1 the term length
 * limit (0: none), byte 2 MINSTEMSIZE; the rest is the text.  Checked: the
 * text is refused exactly when it is not UTF-8 by valkey-search's rule;
 * every token is non-empty, within the limit, well-formed UTF-8, folded
 * (folding it again changes nothing, so no ASCII upper case), not a stop
 * word, at position i; its stem is no longer than it and has no 'Y'. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/base/alloc.h"
#include "../../src/index/casefold.h"
#include "../../src/index/stem_en.h"
#include "../../src/index/tokenize.h"

#define CHECK(c) do { if (!(c)) abort(); } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 4) return 0;
    unsigned flags = data[0];
    size_t max_term = data[1], min_stem = data[2];
    size_t punct_len = (size_t)(data[3] % 8) + 1;
    const char *text = (const char *)data + 4;
    size_t n = size - 4;

    vs_text_opts o;
    vs_text_opts_init(&o);
    o.max_term = max_term;
    vs_err err = {0};
    if ((flags & 1) && n >= punct_len) {
        CHECK(vs_text_opts_set_punct(&o, text, punct_len, &err) == VS_OK);
        text += punct_len;
        n -= punct_len;
    }
    if (flags & 2) CHECK(vs_text_opts_set_stopwords(&o, NULL, 0, &err) == VS_OK);
    if (flags & 4) {
        vs_text_word w[2] = {{text, n / 4}, {text + n / 4, n / 8}};
        CHECK(vs_text_opts_set_stopwords(&o, w, 2, &err) == VS_OK);
    }

    vs_tokens t = {0};
    vs_status st = vs_tokenize(&o, text, n, &t, &err);
    int valid = vs_utf8_check(text, n, NULL);
    CHECK((st == VS_ERR) == !valid);
    CHECK(st == VS_OK || st == VS_ERR || (st == VS_ERR_LIMIT && max_term));
    if (st != VS_OK) CHECK(t.count == 0);

    char *buf = malloc(3 * t.len + 16);
    CHECK(buf);
    for (size_t i = 0; i < t.count; i++) {
        const vs_token *k = &t.tok[i];
        const char *w = t.text + k->off;
        CHECK(k->len > 0 && k->off + k->len <= t.len && k->src < n);
        CHECK(k->pos == i);
        CHECK(!max_term || k->len <= max_term);
        CHECK(vs_utf8_check(w, k->len, NULL));
        CHECK(!vs_text_is_stopword(&o, w, k->len));
        size_t f = vs_casefold_utf8(w, k->len, buf);
        CHECK(f == k->len && memcmp(buf, w, f) == 0);
        size_t s = vs_stem_en(w, k->len, min_stem, buf);
        CHECK(s <= k->len);
        CHECK(!memchr(buf, 'Y', s));
        if (k->len < min_stem) CHECK(s == k->len && memcmp(buf, w, s) == 0);
    }
    free(buf);
    /* the stemmer on the raw bytes too, in place */
    char *raw = malloc(n + 1);
    CHECK(raw);
    memcpy(raw, text, n);
    CHECK(vs_stem_en(raw, n, min_stem, raw) <= n);
    free(raw);

    vs_tokens_release(&t);
    vs_text_opts_release(&o);
    return 0;
}
