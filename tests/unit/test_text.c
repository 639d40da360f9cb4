/* test_text.c - the text lexer (index/tokenize.h), case folding
 * (index/casefold.h) and the English stemmer (index/stem_en.h): tokens and
 * positions of tricky inputs, valkey-search's defaults, escapes, UTF-8
 * refusal, the term length limit, every allocation failed in turn, and the
 * stemmer against tests/unit/fixtures/porter2.txt. */
#include <stdio.h>

#include "base/alloc.h"
#include "index/casefold.h"
#include "index/stem_en.h"
#include "index/tokenize.h"
#include "vt.h"

/* Tokenize s with o and compare with the expected tokens, given as one
 * string "tok|tok|..." ("" for none); positions must be 0, 1, 2, ... */
static void expect_tokens_n(const vs_text_opts *o, const char *s, size_t n, const char *want) {
    vs_tokens t = {0};
    vs_err err = {0};
    VT_EQ_INT(vs_tokenize(o, s, n, &t, &err), VS_OK);
    char got[4096];
    size_t g = 0;
    for (size_t i = 0; i < t.count && g + t.tok[i].len + 2 < sizeof got; i++) {
        VT_EQ_INT(t.tok[i].pos, i);
        VT_CHECK(t.tok[i].len > 0);
        if (i) got[g++] = '|';
        memcpy(got + g, t.text + t.tok[i].off, t.tok[i].len);
        g += t.tok[i].len;
    }
    VT_EQ_MEM(got, g, want);
    vs_tokens_release(&t);
}

static void expect_tokens(const vs_text_opts *o, const char *s, const char *want) {
    expect_tokens_n(o, s, strlen(s), want);
}

static void test_defaults(void) {
    vs_text_opts o;
    vs_text_opts_init(&o);
    expect_tokens(&o, "", "");
    expect_tokens(&o, "   \t\r\n ", "");
    expect_tokens(&o, "Hello, World!", "hello|world");
    expect_tokens(&o, ",,,x...b;;;c--d", "x|b|c|d");
    expect_tokens(&o, "The cat is on the mat", "cat|mat");
    expect_tokens(&o, "the a an and THE Is", "");
    expect_tokens(&o, "under_score back`tick", "under_score|back`tick");
    expect_tokens(&o, "e-mail: x@y.com (100%) {a} [b] <c> \"d\" 'e' f~g h/i j|k l?m n^o p&q r*s t+u v=w",
                  "e|mail|x|y|com|100|b|c|d|e|f|g|h|i|j|k|l|m|n|o|p|q|r|s|t|u|v|w");
    /* "a" is a stop word, "b".."w" above are not */
    expect_tokens(&o, "tab\tnl\ncr\rnul", "tab|nl|cr|nul");
    expect_tokens_n(&o, "x\0y\x7fz\x01w", 8, "x|y|z|w");
    /* the punctuation is valkey-search's default, exactly */
    VT_EQ_MEM(VS_TEXT_PUNCT_DEFAULT, strlen(VS_TEXT_PUNCT_DEFAULT), ",.<>{}[]\"':;!@#$%^&*()-+=~/\\|?");
    for (unsigned c = 0; c < 256; c++) {
        int want = c <= 0x20 || c == 0x7F || (c && c < 0x80 && strchr(VS_TEXT_PUNCT_DEFAULT, (int)c));
        VT_EQ_INT(vs_text_is_sep(&o, (unsigned char)c), want);
    }
    /* the default stop words are valkey-search's 33, and all found */
    VT_EQ_INT(vs_text_stopwords_default_count, 33);
    for (size_t i = 0; i < vs_text_stopwords_default_count; i++) {
        const char *w = vs_text_stopwords_default[i];
        VT_CHECK(vs_text_is_stopword(&o, w, strlen(w)));
    }
    VT_CHECK(!vs_text_is_stopword(&o, "th", 2));
    VT_CHECK(!vs_text_is_stopword(&o, "thee", 4));
    VT_CHECK(!vs_text_is_stopword(&o, "", 0));
    vs_text_opts_release(&o);
}

static void test_positions_and_sources(void) {
    vs_text_opts o;
    vs_text_opts_init(&o);
    vs_tokens t = {0};
    vs_err err = {0};
    const char *s = "To be, or not to be: that is the Question!";
    VT_EQ_INT(vs_tokenize(&o, s, strlen(s), &t, &err), VS_OK);
    VT_EQ_INT(t.count, 1);
    VT_EQ_MEM(t.text + t.tok[0].off, t.tok[0].len, "question");
    VT_EQ_INT(t.tok[0].pos, 0);
    VT_EQ_INT(t.tok[0].src, 33);
    s = "alpha  beta,gamma";
    VT_EQ_INT(vs_tokenize(&o, s, strlen(s), &t, &err), VS_OK);   /* reused list */
    VT_EQ_INT(t.count, 3);
    VT_EQ_INT(t.tok[0].src, 0);
    VT_EQ_INT(t.tok[1].src, 7);
    VT_EQ_INT(t.tok[2].src, 12);
    VT_EQ_INT(t.tok[2].pos, 2);
    VT_EQ_MEM(t.text + t.tok[1].off, t.tok[1].len, "beta");
    vs_tokens_release(&t);
    vs_text_opts_release(&o);
}

static void test_utf8(void) {
    vs_text_opts o;
    vs_text_opts_init(&o);
    expect_tokens(&o, "ÉCOLE Straße ΣΊΣΥΦΟΣ Москва ЁЖ", "école|strasse|σίσυφοσ|москва|ёж");
    expect_tokens(&o, "İstanbul ŉ ΐ µ ſ K Å Ω ẞ Ÿ", "i\xcc\x87stanbul|\xca\xbcn|\xce\xb9\xcc\x88\xcc\x81|μ|s|k|å|ω|ss|ÿ");
    expect_tokens(&o, "ĀĂĄ ĲĹŁŊŸŹŽ ΆΈΉΊΌΎΏ ϘϚϷϹϺϽ ЀЏѠҊӀӁӐԮ", "āăą|ĳĺłŋÿźž|άέήίόύώ|ϙϛϸϲϻͻ|ѐџѡҋӏӂӑԯ");
    expect_tokens(&o, "日本語,テキスト emoji😀x", "日本語|テキスト|emoji😀x");
    /* accepted as valkey-search accepts them, then folded to U+FFFD as ICU does */
    expect_tokens(&o, "a\xc0\x80z", "a\xef\xbf\xbd\xef\xbf\xbdz");
    expect_tokens(&o, "\xed\xa0\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
    expect_tokens(&o, "\xf4\x90\x80\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
    expect_tokens(&o, "\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80");

    static const char *const bad[] = {"abc\xff", "\x80", "ok \xc3", "\xe2\x82", "\xe2\x82z",
                                      "\xf0\x9f\x98", "\xf8\x88\x80\x80\x80", "a\xbf b"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        vs_tokens t = {0};
        vs_err err = {0};
        VT_EQ_INT(vs_tokenize(&o, bad[i], strlen(bad[i]), &t, &err), VS_ERR);
        VT_EQ_MEM(vs_err_text(&err), strlen(vs_err_text(&err)), "ERR Invalid UTF-8");
        VT_EQ_INT(t.count, 0);
        vs_tokens_release(&t);
    }
    size_t at = 0;
    VT_CHECK(!vs_utf8_check("ab\xc3(", 4, &at));
    VT_EQ_INT(at, 2);

    /* folding is idempotent over the covered blocks, ASCII folds alone */
    for (uint32_t cp = 0; cp < 0x600; cp++) {
        uint32_t f[3], g[3];
        size_t k = vs_casefold_cp(cp, f);
        VT_CHECK(k >= 1 && k <= 3);
        for (size_t j = 0; j < k; j++) {
            size_t m = vs_casefold_cp(f[j], g);
            if (m != 1 || g[0] != f[j]) VT_CHECK(!"fold not idempotent");
        }
        if (cp < 0x80) VT_EQ_INT(f[0], cp >= 'A' && cp <= 'Z' ? cp + 32 : cp);
    }
    vs_text_opts_release(&o);
}

static void test_escapes(void) {
    vs_text_opts o;
    vs_text_opts_init(&o);
    expect_tokens(&o, "a\\,b", "a,b");
    expect_tokens(&o, "x\\y", "x|y");
    expect_tokens(&o, "a\\\\b", "a\\b");
    expect_tokens(&o, "ab\\", "ab");
    expect_tokens(&o, "\\,lead", ",lead");
    expect_tokens(&o, "x\\ y", "x y");
    expect_tokens(&o, "\\", "");
    expect_tokens(&o, "\\\\", "\\");
    /* backslash not punctuation: it is dropped before a letter */
    vs_err err = {0};
    VT_EQ_INT(vs_text_opts_set_punct(&o, ",", 1, &err), VS_OK);
    expect_tokens(&o, "a\\b", "ab");
    expect_tokens(&o, "a\\,b", "a,b");
    expect_tokens(&o, "ab\\", "ab\\");
    expect_tokens(&o, "a\\\\b", "a\\b");
    expect_tokens(&o, "a.b,c d", "a.b|c|d");
    vs_text_opts_release(&o);
}

static void test_punct_and_stopwords(void) {
    vs_text_opts o;
    vs_text_opts_init(&o);
    vs_err err = {0};
    VT_EQ_INT(vs_text_opts_set_punct(&o, "", 0, &err), VS_ERR);
    VT_EQ_MEM(vs_err_text(&err), strlen(vs_err_text(&err)), "ERR PUNCTUATION string cannot be empty");
    VT_EQ_INT(vs_text_opts_set_punct(&o, "_", 1, &err), VS_OK);
    expect_tokens(&o, "a_b-c.d\te", "b-c.d|e");   /* "a" still a stop word */
    /* a non-ASCII PUNCTUATION character separates at each of its bytes */
    VT_EQ_INT(vs_text_opts_set_punct(&o, "\xc3\xa9", 2, &err), VS_OK);   /* é */
    expect_tokens(&o, "xéy", "x|y");
    expect_tokens(&o, "xÃy", "x|\xef\xbf\xbdy");   /* Ã is C3 83: the 83 alone folds to U+FFFD */
    VT_EQ_INT(vs_text_opts_set_punct(&o, VS_TEXT_PUNCT_DEFAULT, strlen(VS_TEXT_PUNCT_DEFAULT), &err), VS_OK);

    vs_text_word custom[] = {{"Foo", 3}, {"BAR", 3}, {"É", 2}, {"zz", 2}, {"foo", 3}};
    VT_EQ_INT(vs_text_opts_set_stopwords(&o, custom, 5, &err), VS_OK);
    expect_tokens(&o, "foo the BAR baz É zz zzz", "the|baz|é|zzz");
    VT_EQ_INT(vs_text_opts_set_stopwords(&o, NULL, 0, &err), VS_OK);   /* NOSTOPWORDS */
    expect_tokens(&o, "the a is", "the|a|is");
    vs_text_opts_release(&o);
}

static void test_long_terms(void) {
    vs_text_opts o;
    vs_text_opts_init(&o);
    size_t n = 100000;
    char *s = malloc(n + 1);
    memset(s, 'A', n);
    s[n] = 0;
    vs_tokens t = {0};
    vs_err err = {0};
    VT_EQ_INT(vs_tokenize(&o, s, n, &t, &err), VS_OK);
    VT_EQ_INT(t.count, 1);
    VT_EQ_INT(t.tok[0].len, n);
    VT_CHECK(t.text[0] == 'a' && t.text[n - 1] == 'a');
    o.max_term = 10;
    VT_EQ_INT(vs_tokenize(&o, s, n, &t, &err), VS_ERR_LIMIT);
    VT_EQ_INT(t.count, 0);
    VT_EQ_MEM(vs_err_text(&err), strlen(vs_err_text(&err)), "ERR term too long: 100000 bytes (the limit is 10)");
    VT_EQ_INT(vs_tokenize(&o, "abcdefghij ab", 13, &t, &err), VS_OK);
    VT_EQ_INT(t.count, 2);
    VT_EQ_INT(vs_tokenize(&o, "the abcdefghijk", 15, &t, &err), VS_ERR_LIMIT);
    /* a long non-ASCII word (folded through scratch room) */
    o.max_term = 0;
    for (size_t i = 0; i + 2 <= n; i += 2) memcpy(s + i, "\xc3\x89", 2);   /* É */
    VT_EQ_INT(vs_tokenize(&o, s, n, &t, &err), VS_OK);
    VT_EQ_INT(t.count, 1);
    VT_EQ_INT(t.tok[0].len, n);
    VT_CHECK(memcmp(t.text, "\xc3\xa9", 2) == 0);
    vs_tokens_release(&t);
    free(s);
    vs_text_opts_release(&o);
}

/* Every allocation failed in turn: a failure leaves no tokens and no leak;
 * the run that succeeds gives the right tokens. */
static void test_oom(void) {
    const char *s = "Ünïcödé words, MANY words: w1 w2 w3 w4 w5 w6 w7 w8 w9 w10 w11 w12 w13 w14 w15 w16 w17 "
                    "Σίσυφος the end";
    size_t blocks = vs_mem_blocks();
    int done = 0;
    for (unsigned long i = 1; i < 200 && !done; i++) {
        vs_text_opts o;
        vs_text_opts_init(&o);
        vs_text_word sw[] = {{"End", 3}, {"the", 3}};
        vs_tokens t = {0};
        vs_err err = {0};
        vs_mem_inject(i, 0);
        vs_status st = vs_text_opts_set_stopwords(&o, sw, 2, &err);
        if (st == VS_OK) st = vs_tokenize(&o, s, strlen(s), &t, &err);
        unsigned long faults = vs_mem_faults();
        vs_mem_inject(0, 0);
        if (st == VS_OK) {
            VT_EQ_INT(faults, 0);
            VT_EQ_INT(t.count, 22);
            VT_EQ_MEM(t.text + t.tok[0].off, t.tok[0].len, "ünïcödé");
            VT_EQ_MEM(t.text + t.tok[21].off, t.tok[21].len, "σίσυφοσ");
            done = 1;
        } else {
            VT_EQ_INT(st, VS_ERR_NOMEM);
            VT_EQ_INT(t.count, 0);
        }
        vs_tokens_release(&t);
        vs_text_opts_release(&o);
        VT_EQ_INT(vs_mem_blocks(), blocks);
    }
    VT_CHECK(done);
}

static void test_stem_basics(void) {
    char out[64];
    size_t n = vs_stem_en("running", 7, VS_STEM_MIN_SIZE_DEFAULT, out);
    VT_EQ_MEM(out, n, "run");
    n = vs_stem_en("running", 7, 8, out);   /* shorter than MINSTEMSIZE */
    VT_EQ_MEM(out, n, "running");
    n = vs_stem_en("running", 7, 7, out);
    VT_EQ_MEM(out, n, "run");
    n = vs_stem_en("cats", 4, 5, out);
    VT_EQ_MEM(out, n, "cats");
    n = vs_stem_en("cats", 4, 4, out);
    VT_EQ_MEM(out, n, "cat");
    n = vs_stem_en("", 0, 0, out);
    VT_EQ_INT(n, 0);
    /* MINSTEMSIZE counts bytes, as valkey-search compares std::string sizes */
    n = vs_stem_en("cafés", 6, 6, out);
    VT_EQ_MEM(out, n, "café");
    n = vs_stem_en("cafés", 6, 7, out);
    VT_EQ_MEM(out, n, "cafés");
    /* letters outside a-z are consonants, counted as one letter */
    static const char *const cases[][2] = {
        {"naïvely", "naïv"}, {"résumés", "résumé"}, {"fiancée", "fiancé"}, {"éying", "éie"},
        {"aé", "aé"},        {"straße", "straße"},  {"σίσυφος", "σίσυφος"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        n = vs_stem_en(cases[i][0], strlen(cases[i][0]), 0, out);
        VT_EQ_MEM(out, n, cases[i][1]);
    }
    /* in place */
    char w[] = "generously";
    n = vs_stem_en(w, 10, 0, w);
    VT_EQ_MEM(w, n, "generous");
}

static void test_stem_fixture(void) {
    FILE *f = fopen("tests/unit/fixtures/porter2.txt", "r");
    if (!f) {
#ifdef __EMSCRIPTEN__
        fprintf(stderr, "test_text: no file access here, the stem fixture is checked natively\n");
        return;
#else
        VT_CHECK(!"tests/unit/fixtures/porter2.txt missing");
        return;
#endif
    }
    char line[256], out[256];
    int words = 0;
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '#') continue;
        char *sp = strchr(line, ' ');
        char *nl = strchr(line, '\n');
        if (!sp || !nl) continue;
        *nl = 0;
        size_t n = (size_t)(sp - line);
        size_t m = vs_stem_en(line, n, 0, out);
        const char *want = sp + 1;
        if (m != strlen(want) || memcmp(out, want, m) != 0) {
            vt_fail(__FILE__, __LINE__, "stem(%.*s) = %.*s, expected %s", (int)n, line, (int)m, out, want);
        }
        vt_checks++;
        words++;
    }
    fclose(f);
    VT_CHECK(words > 2000);
}

int main(void) {
    VT_RUN(test_defaults);
    VT_RUN(test_positions_and_sources);
    VT_RUN(test_utf8);
    VT_RUN(test_escapes);
    VT_RUN(test_punct_and_stopwords);
    VT_RUN(test_long_terms);
    VT_RUN(test_oom);
    VT_RUN(test_stem_basics);
    VT_RUN(test_stem_fixture);
    VT_DONE();
}
