/* test_util.c - number parsing/formatting and glob matching against
 * Redis's rules. */
#include <math.h>

#include "../../src/base/util.h"
#include "vt.h"

#define S(x) (const uint8_t *)(x), strlen(x)

static void test_parse_ll(void) {
    long long v = 7;
    VT_CHECK(vs_parse_ll(S("0"), &v) && v == 0);
    VT_CHECK(vs_parse_ll(S("-1"), &v) && v == -1);
    VT_CHECK(vs_parse_ll(S("9223372036854775807"), &v) && v == LLONG_MAX);
    VT_CHECK(vs_parse_ll(S("-9223372036854775808"), &v) && v == LLONG_MIN);
    VT_CHECK(!vs_parse_ll(S("9223372036854775808"), &v));
    VT_CHECK(!vs_parse_ll(S("-9223372036854775809"), &v));
    VT_CHECK(!vs_parse_ll(S(""), &v));
    VT_CHECK(!vs_parse_ll(S("-"), &v));
    VT_CHECK(!vs_parse_ll(S("-0"), &v));
    VT_CHECK(!vs_parse_ll(S("01"), &v));
    VT_CHECK(!vs_parse_ll(S("+1"), &v));
    VT_CHECK(!vs_parse_ll(S(" 1"), &v));
    VT_CHECK(!vs_parse_ll(S("1 "), &v));
    VT_CHECK(!vs_parse_ll(S("1.0"), &v));
    VT_CHECK(!vs_parse_ll((const uint8_t *)"1\0", 2, &v));
    unsigned long long u;
    VT_CHECK(vs_parse_ull(S("18446744073709551615"), &u) && u == UINT64_MAX);
    VT_CHECK(!vs_parse_ull(S("18446744073709551616"), &u));
    VT_CHECK(!vs_parse_ull(S("-1"), &u));
}

static void test_ll2str(void) {
    char b[24];
    VT_EQ_MEM(b, vs_ll2str(b, 0), "0");
    VT_EQ_MEM(b, vs_ll2str(b, -42), "-42");
    VT_EQ_MEM(b, vs_ll2str(b, LLONG_MIN), "-9223372036854775808");
    VT_EQ_MEM(b, vs_ll2str(b, LLONG_MAX), "9223372036854775807");
}

static void test_ld(void) {
    long double v;
    char b[VS_LD_STR_MAX];
    VT_CHECK(vs_parse_ld(S("10.5"), &v));
    VT_EQ_MEM(b, vs_ld2str(b, sizeof b, v + 0.1L), "10.6");
    VT_CHECK(vs_parse_ld(S("5.0e3"), &v));
    VT_EQ_MEM(b, vs_ld2str(b, sizeof b, v), "5000");
    VT_CHECK(vs_parse_ld(S("-0.0"), &v));
    VT_EQ_MEM(b, vs_ld2str(b, sizeof b, v), "0");
    VT_CHECK(vs_parse_ld(S("inf"), &v) && isinf(v));
    VT_CHECK(!vs_parse_ld(S("nan"), &v));
    VT_CHECK(!vs_parse_ld(S(" 1"), &v));
    VT_CHECK(!vs_parse_ld(S("1 "), &v));
    VT_CHECK(!vs_parse_ld(S(""), &v));
    VT_CHECK(!vs_parse_ld(S("abc"), &v));
    VT_CHECK(vs_parse_ld(S("0x10"), &v) && v == 16);
    VT_EQ_INT(vs_ld2str(b, sizeof b, INFINITY), 0);
    VT_CHECK(!vs_parse_ld((const uint8_t *)"1\0", 2, &v)); /* Redis: strtold must read every byte */
    /* Redis's string2ld buffer is 5 * 1024 bytes: 5119 characters parse, 5120 do not. */
    static char zeros[5200];
    memset(zeros, '0', sizeof zeros);
    zeros[5118] = '1';
    VT_CHECK(vs_parse_ld((const uint8_t *)zeros, 5119, &v) && v == 1);
    zeros[5118] = '0';
    zeros[5119] = '1';
    VT_CHECK(!vs_parse_ld((const uint8_t *)zeros, 5120, &v));
}

static void test_double(void) {
    double d;
    VT_CHECK(vs_parse_double(S("1.5"), &d) && d == 1.5);
    VT_CHECK(vs_parse_double(S("-inf"), &d) && isinf(d) && d < 0);
    VT_CHECK(vs_parse_double(S("+INF"), &d) && isinf(d) && d > 0);
    VT_CHECK(vs_parse_double(S("1e3"), &d) && d == 1000);
    VT_CHECK(!vs_parse_double(S("nan"), &d));
    VT_CHECK(!vs_parse_double(S("1x"), &d));
    VT_CHECK(!vs_parse_double(S(" 1"), &d));
    VT_CHECK(!vs_parse_double(S(""), &d));
}

static int glob(const char *p, const char *s) { return vs_glob_match(S(p), S(s), 0); }

static void test_glob(void) {
    /* Redis's stringmatchlen: the empty string matches only the empty
     * pattern ("*" too fails; KEYS and SCAN special-case the pattern "*"). */
    VT_CHECK(!glob("*", ""));
    VT_CHECK(!glob("**", ""));
    VT_CHECK(!glob("?", ""));
    VT_CHECK(!glob("[^a]", ""));
    VT_CHECK(glob("", ""));
    VT_CHECK(!glob("", "a"));
    VT_CHECK(glob("**", "a"));
    VT_CHECK(glob("*", "abc"));
    VT_CHECK(glob("a*", "abc"));
    VT_CHECK(!glob("a*", "bac"));
    VT_CHECK(glob("*c", "abc"));
    VT_CHECK(glob("a?c", "abc"));
    VT_CHECK(!glob("a?c", "ac"));
    VT_CHECK(glob("h[ae]llo", "hello"));
    VT_CHECK(glob("h[ae]llo", "hallo"));
    VT_CHECK(!glob("h[ae]llo", "hillo"));
    VT_CHECK(glob("h[^e]llo", "hallo"));
    VT_CHECK(!glob("h[^e]llo", "hello"));
    VT_CHECK(glob("h[a-b]llo", "hbllo"));
    VT_CHECK(glob("h[b-a]llo", "hallo")); /* reversed range */
    VT_CHECK(glob("a\\*b", "a*b"));
    VT_CHECK(!glob("a\\*b", "axb"));
    VT_CHECK(glob("[\\]]", "]"));
    VT_CHECK(glob("*a*b*c*", "xxaxxbxxcxx"));
    VT_CHECK(!glob("*a*b*c*", "xxaxxcxxbxx"));
    VT_CHECK(glob("doc:*", "doc:1"));
    VT_CHECK(!glob("doc:*", "do"));
    VT_CHECK(glob("[abc", "a")); /* unterminated class ends at the pattern end */
    VT_CHECK(vs_glob_match(S("HELLO"), S("hello"), 1));
    /* Class ranges compare signed chars, as Redis on x86-64: [a-\xff] is
     * \xff..'a' (the high bytes below \xff are outside it). */
    VT_CHECK(glob("[a-\xff]", "\xff"));
    VT_CHECK(glob("[a-\xff]", "A"));
    VT_CHECK(glob("[a-\xff]", "a"));
    VT_CHECK(!glob("[a-\xff]", "b"));
    VT_CHECK(!glob("[a-\xff]", "\x80"));
    VT_CHECK(glob("[\xff-a]", "\x01"));
    VT_CHECK(glob("[\x80-\xff]", "\x90"));
    VT_CHECK(!glob("[\x80-\xff]", "a"));
    VT_CHECK(glob("[^\x80-\xff]", "a"));
    VT_CHECK(vs_glob_match((const uint8_t *)"[\0-a]", 5, S("\x7f"), 0) == 0);
    VT_CHECK(vs_glob_match((const uint8_t *)"[\0-a]", 5, S("A"), 0) == 1);
    /* An escaped character inside a class compares exactly even when nocase
     * (CONFIG GET), as Redis. */
    VT_CHECK(vs_glob_match(S("[\\A]"), S("A"), 1));
    VT_CHECK(!vs_glob_match(S("[\\A]"), S("a"), 1));
    VT_CHECK(vs_glob_match(S("[A]"), S("a"), 1));
    {
        /* More than 1000 nested '*' (runs followed by more pattern) match
         * nothing, as Redis since the CVE-2024-31228 fix (Debian's 7.0.15). */
        static char pat[2 * 1003 + 8], str[2100];
        memset(str, 'a', 2000);
        str[2000] = 0;
        for (int n = 1000; n <= 1002; n++) {
            for (int i = 0; i < n; i++) {
                pat[2 * i] = 'a';
                pat[2 * i + 1] = '*';
            }
            pat[2 * n] = 0;
            /* n runs, the last trailing: n - 1 nested */
            VT_CHECK(glob(pat, str) == (n <= 1001));
        }
        static char esc[3100], lit[1600];
        for (int i = 0; i < 1500; i++) {
            esc[2 * i] = '\\'; /* escaped stars are literals: no nesting */
            esc[2 * i + 1] = '*';
            lit[i] = '*';
        }
        esc[3000] = 0;
        lit[1500] = 0;
        VT_CHECK(glob(esc, lit));
        for (int i = 0; i < 1500; i++) memcpy(esc + 2 * i, "*a", 2);
        VT_CHECK(!glob(esc, str)); /* 1500 runs before an 'a' */
    }
    /* Pathological pattern: linear-ish, no blow-up. */
    char s[4001], p[200];
    memset(s, 'a', 4000);
    s[4000] = 0;
    for (int i = 0; i < 198; i += 2) {
        p[i] = 'a';
        p[i + 1] = '*';
    }
    p[198] = 'b';
    p[199] = 0;
    VT_CHECK(!glob(p, s));
}

static void test_cursor(void) {
    unsigned long long v = 7;
    VT_CHECK(vs_parse_cursor(S("0"), &v) && v == 0);
    VT_CHECK(vs_parse_cursor(S(""), &v) && v == 0);
    VT_CHECK(vs_parse_cursor(S("00"), &v) && v == 0);
    VT_CHECK(vs_parse_cursor(S("+0"), &v) && v == 0);
    VT_CHECK(vs_parse_cursor(S("-0"), &v) && v == 0);
    VT_CHECK(vs_parse_cursor(S("017"), &v) && v == 17);
    VT_CHECK(vs_parse_cursor(S("+7"), &v) && v == 7);
    VT_CHECK(vs_parse_cursor(S("-1"), &v) && v == UINT64_MAX);
    VT_CHECK(vs_parse_cursor(S("-18446744073709551615"), &v) && v == 1);
    VT_CHECK(vs_parse_cursor(S("18446744073709551615"), &v) && v == UINT64_MAX);
    VT_CHECK(!vs_parse_cursor(S("18446744073709551616"), &v));
    VT_CHECK(!vs_parse_cursor(S("-18446744073709551616"), &v));
    VT_CHECK(!vs_parse_cursor(S(" 0"), &v));
    VT_CHECK(!vs_parse_cursor(S("\t0"), &v));
    VT_CHECK(!vs_parse_cursor(S("0 "), &v));
    VT_CHECK(!vs_parse_cursor(S("+"), &v));
    VT_CHECK(!vs_parse_cursor(S("-"), &v));
    VT_CHECK(!vs_parse_cursor(S("+-1"), &v));
    VT_CHECK(!vs_parse_cursor(S("0x1"), &v));
    VT_CHECK(!vs_parse_cursor(S("abc"), &v));
    VT_CHECK(vs_parse_cursor((const uint8_t *)"5\0junk", 6, &v) && v == 5); /* a C string to Redis */
    VT_CHECK(vs_parse_cursor((const uint8_t *)"\0", 1, &v) && v == 0);
}

static void test_keywords(void) {
    VT_CHECK(vs_eq_nocase_cstr(S("nx"), "NX"));
    VT_CHECK(vs_eq_nocase_cstr((const uint8_t *)"NX\0junk", 7, "NX"));
    VT_CHECK(!vs_eq_nocase_cstr(S("NXX"), "NX"));
    VT_CHECK(!vs_eq_nocase_cstr(S("N"), "NX"));
    VT_CHECK(!vs_eq_nocase_cstr((const uint8_t *)"\0NX", 3, "NX"));
}

static void test_hash(void) {
    VT_EQ_INT(vs_hash_bytes("abc", 3, 1), vs_hash_bytes("abc", 3, 1));
    VT_CHECK(vs_hash_bytes("abc", 3, 1) != vs_hash_bytes("abd", 3, 1));
    VT_CHECK(vs_hash_bytes("abc", 3, 1) != vs_hash_bytes("abc", 3, 2));
    /* Known value of MurmurHash3_x86_32("", seed 0) is 0. */
    VT_EQ_INT(vs_hash_bytes("", 0, 0), 0);
    VT_EQ_INT(vs_hash_bytes("hello", 5, 0), 0x248bfa47u);
}

int main(void) {
    VT_RUN(test_parse_ll);
    VT_RUN(test_ll2str);
    VT_RUN(test_ld);
    VT_RUN(test_double);
    VT_RUN(test_glob);
    VT_RUN(test_cursor);
    VT_RUN(test_keywords);
    VT_RUN(test_hash);
    VT_DONE();
}
