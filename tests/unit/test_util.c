/* test_util.c - number parsing/formatting and glob matching against
 * Redis's rules. */
#include <math.h>

#include "../../src/util.h"
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
    VT_CHECK(glob("*", ""));
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
    VT_RUN(test_hash);
    VT_DONE();
}
