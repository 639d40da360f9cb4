/* test_expr.c - the expression language (query/expr.h) against
 * valkey-search's answers: its own expr_test.cc and value_test.cc cases,
 * a selection of the RediSearch-generated answers valkey-search checks
 * against (where the two agree), error texts and positions, number text
 * (std::to_chars's shortest form, checked alike in the native and the
 * WebAssembly builds), time functions, and safety: deep nesting, long
 * chains, embedded NULs, invalid UTF-8, every allocation failing in turn,
 * and a seeded random sweep through compile and eval; search.emulate-release's
 * two branches at every gated site (the legacy parsetime against glibc's
 * own strptime in the native build). */
#ifndef __EMSCRIPTEN__
#define _GNU_SOURCE /* strptime */
#endif
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "../../src/base/alloc.h"
#include "../../src/query/expr_int.h"
#include "vt.h"

/* @one = 1, @two = 2, @notfound (declared, missing), @s = "abc",
 * @n = " 12", @arr = [1, 2, 3]; $one = "1", $two = "2". */
static const char *const kFields[] = {"one", "two", "notfound", "s", "n", "arr"};

static int resolve(void *ctx, const uint8_t *name, size_t len, int create, vs_err *err) {
    (void)ctx;
    (void)create;
    for (int i = 0; i < 6; i++)
        if (strlen(kFields[i]) == len && memcmp(kFields[i], name, len) == 0) return i;
    return vs_err_set(err, VS_ERR, "Unknown field `%.*s`", (int)len, (const char *)name);
}

static int param(void *ctx, const uint8_t *name, size_t len, const uint8_t **val, size_t *vlen) {
    (void)ctx;
    if (len == 3 && !memcmp(name, "one", 3)) {
        *val = (const uint8_t *)"1";
        *vlen = 1;
        return 1;
    }
    if (len == 3 && !memcmp(name, "two", 3)) {
        *val = (const uint8_t *)"2";
        *vlen = 1;
        return 1;
    }
    return 0;
}

static vs_value arr_items[3];
static vs_value rec[6];

static void init_rec(void) {
    arr_items[0] = vs_value_num(1);
    arr_items[1] = vs_value_num(2);
    arr_items[2] = vs_value_num(3);
    rec[0] = vs_value_num(1);
    rec[1] = vs_value_num(2);
    rec[2] = vs_value_nil();
    rec[3] = vs_value_str((const uint8_t *)"abc", 3);
    rec[4] = vs_value_str((const uint8_t *)" 12", 3);
    rec[5].type = VS_V_ARR;
    rec[5].n = 3;
    rec[5].items = arr_items;
}

/* Compile and evaluate; the answer as text: "N:<num>", "S:<str>", "NIL",
 * "A:[..]" or "ERR <text>". */
static void answer_as(const char *text, size_t len, vs_compat *compat, char *out, size_t cap) {
    vs_arena ar = {0};
    vs_err err;
    vs_err_clear(&err);
    const vs_expr *e = NULL;
    vs_status st = vs_expr_compile((const uint8_t *)text, len, resolve, param, NULL, &ar, &e, &err);
    if (st != VS_OK) {
        snprintf(out, cap, "ERR %s", vs_err_text(&err));
    } else {
        vs_value v;
        st = compat ? vs_expr_eval_compat(e, rec, &ar, compat, &v) : vs_expr_eval(e, rec, &ar, &v);
        if (st != VS_OK) {
            snprintf(out, cap, "FAIL %d", (int)st);
        } else if (v.type == VS_V_NIL) {
            snprintf(out, cap, "NIL");
        } else if (v.type == VS_V_ARR) {
            size_t o = (size_t)snprintf(out, cap, "A:[");
            for (size_t i = 0; i < v.n && o < cap; i++) {
                size_t l;
                const uint8_t *t = vs_value_text(&v.items[i], &ar, &l);
                o += (size_t)snprintf(out + o, cap - o, "%s%.*s", i ? "," : "", (int)l, (const char *)t);
            }
            if (o < cap) snprintf(out + o, cap - o, "]");
        } else {
            size_t l;
            const uint8_t *t = vs_value_text(&v, &ar, &l);
            size_t o = (size_t)snprintf(out, cap, "%s:", v.type == VS_V_NUM ? "N" : "S");
            if (l > cap - o - 1) l = cap - o - 1;
            memcpy(out + o, t, l); /* bytes, NULs included */
            out[o + l] = '\0';
        }
    }
    vs_arena_free(&ar);
}

static void answer(const char *text, size_t len, char *out, size_t cap) { answer_as(text, len, NULL, out, cap); }

typedef struct ecase {
    const char *expr, *want;
} ecase;

static void run_cases(const ecase *c, size_t n) {
    char got[4096];
    for (size_t i = 0; i < n; i++) {
        answer(c[i].expr, strlen(c[i].expr), got, sizeof got);
        vt_checks++;
        if (strcmp(got, c[i].want) != 0) vt_fail(__FILE__, __LINE__, "%s -> %s, expected %s", c[i].expr, got, c[i].want);
    }
}
#define RUN_CASES(c) run_cases(c, sizeof(c) / sizeof(c[0]))

/* valkey-search testing/expr/expr_test.cc (TypesTest), its answers. */
static void test_valkey_expr_cases(void) {
    static const ecase c[] = {
        {"1<=2<=3", "N:1"}, {"1==2==3", "N:0"}, {"1>=2>=3", "N:0"}, {"1!=2!=3", "N:1"},
        {"1--1-1", "N:1"}, {"1--1+1", "N:3"}, {"1+-1<1", "N:1"}, {"1+-1<=1", "N:1"},
        {"1+-1==1", "N:0"}, {"1+-1!=1", "N:1"}, {"1+-1>=1", "N:0"}, {"0*0^0", "N:1"},
        {"2*-2^4", "N:256"}, {"2/-2*4", "N:-4"}, {"2/-2/4", "N:-0.25"}, {"2/-2^4", "N:1"},
        {"0/0<0", "N:0"}, {"1", "N:1"}, {".5", "N:0.5"}, {"1+1", "N:2"}, {"1+1-2", "N:0"},
        {"1*1+3", "N:4"}, {" 1 ", "N:1"}, {" 1 + 1 ", "N:2"}, {" 1 + 1 -2", "N:0"}, {" 1 *1+ 3", "N:4"},
        {"1 - -1 -1", "N:1"}, {" (1)", "N:1"}, {" 1+(2*3)", "N:7"}, {" -1+(2*3)", "N:5"}, {" 1+2", "N:3"},
        {"@one", "N:1"}, {"@two", "N:2"}, {"floor(1+1/2)", "N:1"}, {" ceil(1 + 1 / 2)", "N:2"},
        {" '1' ", "S:1"}, {" startswith('11', '1')", "N:1"}, {"exists(@notfound)", "N:0"},
        {"exists(@one)", "N:1"}, {"exists(@xx)", "ERR Unknown field `xx` near position 8"},
        {"log(1.0)", "N:0"}, {"abs(-1.0)", "N:1"}, {"sqrt(4.0)", "N:2"}, {"exp(0.0)", "N:1"},
        {"log2(4.0)", "N:2"}, {"substr('', 1, 1)", "S:"}, {"substr('abc', 1, 1)", "S:b"},
        {"substr('abc', -1, 1)", "S:c"}, {"substr('abc', 1, 2)", "S:bc"}, {"substr('abc', -1, 2)", "S:c"},
        {"substr('abc', -2, 2)", "S:bc"}, {"substr('abc', 3, 0)", "S:"}, {"substr('abc', 3, 1)", "S:"},
        {"substr('abc', 2, 10)", "S:c"}, {"lower('A')", "S:a"}, {"upper('a')", "S:A"},
        {"contains('abc', '')", "N:4"}, {"contains('abc', '1')", "N:0"}, {"contains('abcabc', 'abc')", "N:2"},
        {"strlen('')", "N:0"}, {"strlen('a')", "N:1"}, {"concat()", "S:"}, {"concat('a')", "S:a"},
        {"concat('b','')", "S:b"}, {"concat('a', 'b')", "S:ab"}, {"concat('ab', 'cd', 'ef')", "S:abcdef"},
        {"!0", "N:1"}, {"!1", "N:0"}, {"!1+1", "N:1"}, {"!1!=1", "N:1"}, {"$one", "S:1"}, {"$one+1", "N:2"},
        {"1>2", "N:0"}, {"1<2", "N:1"}, {"1>=2", "N:0"}, {"1<=2", "N:1"},
        {"", "ERR Invalid or missing expression"}, {" ", "ERR Invalid or missing expression"},
        {"!", "ERR Invalid or missing expression"}, {"! ", "ERR Invalid or missing expression"},
        {"!()", "ERR Invalid or missing expression"},
    };
    RUN_CASES(c);
}

/* Operators, conversions, comparison and truth (value.cc). */
static void test_operators(void) {
    static const ecase c[] = {
        /* left-associative, * / ^ one level, no % operator */
        {"2^3^2", "N:64"}, {"8/2/2", "N:2"}, {"1-2-3", "N:-4"}, {"1 || 0 && 0", "N:1"}, {"(1 || 0) && 0", "N:0"},
        {"5 % 2", "ERR Extra characters at or near position 1"}, {"1 < 2 == 1", "N:1"},
        /* numbers: strtod at + - . digit; bare inf is not one */
        {"+inf", "N:inf"}, {"-inf", "N:-inf"}, {"inf", "ERR Invalid or missing expression"},
        {"1e3", "N:1000"}, {"1e", "ERR Extra characters at or near position 1"}, {"0x10", "N:16"},
        {"-0x1p3", "N:-8"}, {"1.5.3", "ERR Extra characters at or near position 3"}, {"-nan", "N:-nan"},
        {"- 1", "ERR Invalid or missing expression"}, {"-@one", "ERR Invalid or missing expression"},
        {"1e400", "N:inf"}, {"1e-400", "N:0"},
        /* strings */
        {"'a\\'b'", "S:a'b"}, {"\"a\\\"b\"", "S:a\"b"}, {"'a\\nb'", "S:anb"}, {"'it''s'", "ERR Extra characters at or near position 4"},
        {"'abc", "ERR Missing trailing quote"}, {"'abc\\", "ERR Missing trailing quote"},
        /* arithmetic converts strings; failure or nil is nil; x/0 is nan */
        {"'2'*'3'", "N:6"}, {"' 12'+1", "N:13"}, {"'12 '+1", "NIL"}, {"'0x1A'+0", "N:26"}, {"''+1", "N:1"},
        {"'abc'+1", "NIL"}, {"@notfound+1", "NIL"}, {"'nan'+1", "NIL"}, {"'inf'+1", "N:inf"},
        {"1/0", "N:nan"}, {"-1/0", "N:nan"}, {"0/0", "N:nan"}, {"+inf-+inf", "N:-nan"}, {"(-1)^0.5", "N:-nan"},
        {"0*-1", "N:-0"}, {"@n*2", "N:24"},
        /* comparison: nil unordered (== <= >= true), numeric when both read as numbers */
        {"@notfound==1", "N:1"}, {"@notfound!=1", "N:0"}, {"@notfound<1", "N:0"}, {"@notfound<=1", "N:1"},
        {"@notfound>=1", "N:1"}, {"@notfound>1", "N:0"}, {"@notfound==@notfound", "N:1"},
        {"'10'<'9'", "N:1"}, {"10<'9'", "N:0"}, {"0=='0.0'", "N:1"}, {"'0.0'=='0.00'", "N:0"},
        {"'a'<'b'", "N:1"}, {"'a'<'aa'", "N:1"}, {"1<'a'", "N:1"}, {"'b'>10", "N:1"},
        {"0/0==1", "N:1"}, {"0/0!=0/0", "N:0"}, {"-0==0", "N:1"}, {"+inf==+inf", "N:1"},
        /* truth: non-empty strings true (1.2.1), nil false, NaN true */
        {"!'a'", "N:0"}, {"!''", "N:1"}, {"!'0'", "N:0"}, {"!@notfound", "N:1"}, {"!(0/0)", "N:0"},
        {"'a'&&1", "N:1"}, {"''||0", "N:0"}, {"@notfound||1", "N:1"}, {"@notfound&&1", "N:0"},
        /* parameters and fields */
        {"$two*$two", "N:4"}, {"$three", "ERR parameter three not found."}, {"$", "ERR parameter  not found."},
        {"@", "ERR Unknown field `` near position 1"}, {"1+@zz", "ERR Unknown field `zz` near position 3"},
        {"@s", "S:abc"}, {"@one+@two*@two", "N:5"},
        /* arrays broadcast */
        {"@arr+1", "A:[2,3,4]"}, {"10-@arr", "A:[9,8,7]"}, {"@arr*@arr", "A:[1,4,9]"}, {"@arr+'x'", "NIL"},
        {"sqrt(@arr)", "A:[1,1.4142135623730951,1.7320508075688772]"}, {"@arr==@arr", "N:1"}, {"@arr<1", "N:0"},
        {"!@arr", "N:1"}, {"exists(@arr)", "N:1"}, {"strlen(@arr)", "A:[1,1,1]"}, {"concat(@arr)", "NIL"},
        {"substr(@arr,0,1)", "NIL"}, {"startswith(@arr, '1')", "A:[1,0,0]"},
    };
    RUN_CASES(c);
}

/* Syntax errors with valkey-search's texts and positions. */
static void test_errors(void) {
    static const ecase c[] = {
        {"(1", "ERR Expected ')' at or near position 2"},
        {"(1 ", "ERR Expected ')' at or near position 2"},
        {"((1)", "ERR Expected ')' at or near position 4"},
        {"()", "ERR Invalid or missing expression"},
        {"1+", "ERR Invalid or missing expression"},
        {"1+()", "ERR Invalid or missing expression"},
        {"1 < = 2", "ERR Invalid or missing expression"},
        {"1 2", "ERR Extra characters at or near position 1"},
        {"1)", "ERR Extra characters at or near position 1"},
        {"foo()", "ERR Function foo is unknown"},
        {"ABS(1)", "ERR Function ABS is unknown"},
        {"abs", "ERR Invalid or missing expression"},
        {"abs ()", "ERR Function abs expects at least 1 arguments, but only 0 were found."},
        {"abs(1,2)", "ERR Function abs expects no more than 1 arguments, but 2 were found."},
        {"substr('a',1)", "ERR Function substr expects at least 3 arguments, but only 2 were found."},
        {"timefmt(1,2,3)", "ERR Function timefmt expects no more than 2 arguments, but 3 were found."},
        {"abs(1", "ERR Expected , or ) near position 5"},
        {"abs(1 2)", "ERR Expected , or ) near position 6"},
        {"concat(1,)", "ERR Expected , or ) near position 9"},
        {"concat(,1)", "ERR Expected , or ) near position 7"},
        {"concat(())", "ERR Expected , or ) near position 9"},
        {"foo(1", "ERR Expected , or ) near position 5"},
        {"foo(bar())", "ERR Function bar is unknown"},
        {"(foo()", "ERR Expected ')' at or near position 6"},
        {"(foo())", "ERR Function foo is unknown"},
        {"(1+)", "ERR Invalid or missing expression"},
        {"(1+", "ERR Expected ')' at or near position 3"},
        {"1 | 2", "ERR Extra characters at or near position 1"},
        {"1 = 2", "ERR Extra characters at or near position 1"},
        {"#", "ERR Invalid or missing expression"},
    };
    RUN_CASES(c);
    char got[256];
    /* 51 arguments to concat */
    char big[400];
    size_t o = (size_t)snprintf(big, sizeof big, "concat(");
    for (int i = 0; i < 51; i++) o += (size_t)snprintf(big + o, sizeof big - o, "%s1", i ? "," : "");
    snprintf(big + o, sizeof big - o, ")");
    answer(big, strlen(big), got, sizeof got);
    VT_EQ_MEM(got, strlen(got), "ERR Function concat expects no more than 50 arguments, but 51 were found.");
    big[o - 2] = ')'; /* 50 arguments */
    big[o - 1] = '\0';
    answer(big, strlen(big), got, sizeof got);
    VT_EQ_MEM(got, strlen(got), "S:11111111111111111111111111111111111111111111111111");
}

/* Functions (value.cc), with the answers RediSearch gives where
 * valkey-search (1.2.1) agrees: expr-answers of valkey-search's
 * compatibility suite. */
static void test_functions(void) {
    static const ecase c[] = {
        {"abs('a')", "N:nan"}, {"abs(@notfound)", "NIL"}, {"abs(-inf)", "N:inf"}, {"floor(-0.5)", "N:-1"},
        {"ceil(-0.5)", "N:-0"}, {"sqrt(-1)", "N:-nan"}, {"log(-1)", "N:-nan"}, {"log(0)", "N:-inf"},
        {"exp(-inf)", "N:0"}, {"log2(8)", "N:3"}, {"exp(1)", "N:2.718281828459045"}, {"log(3.14)", "N:1.144222799920162"},
        {"exists(0)", "N:1"}, {"exists('')", "N:1"},
        {"lower(0)", "NIL"}, {"upper('hello')", "S:HELLO"}, {"lower('AbC')", "S:abc"}, {"lower(@notfound)", "NIL"},
        {"strlen(3.14)", "N:4"}, {"strlen(1e21)", "N:5"}, {"strlen(@notfound)", "NIL"},
        {"startswith('hello','')", "N:1"}, {"startswith('he','hello')", "N:0"}, {"startswith(123, 12)", "N:1"},
        {"contains('hello','')", "N:6"}, {"contains('aaaa','aa')", "N:2"}, {"contains(@notfound,'a')", "NIL"},
        {"substr('hello',-1,2)", "S:o"}, {"substr('hello',1,-1)", "S:ell"}, {"substr('hello',1,-10)", "S:"},
        {"substr('hello',-10,2)", "S:"}, {"substr('hello',5,1)", "S:"}, {"substr('hello',6,1)", "S:"},
        {"substr('hello',1.9,2.9)", "S:el"}, {"substr('hello','a',1)", "NIL"}, {"substr('hello',0/0,1)", "S:"},
        {"substr('hello',0,+inf)", "S:"}, {"substr(3.14,1,2)", "S:.1"}, {"substr(@notfound,0,1)", "NIL"},
        {"concat(-inf,3.14)", "S:-inf3.14"}, {"concat('a',@notfound)", "NIL"}, {"concat(1e21,0.1)", "S:1e+210.1"},
        /* time: 1739565015 is Fri Feb 14 2025 20:30:15 UTC */
        {"year(1739565015)", "N:2025"}, {"dayofmonth(1739565015)", "N:14"}, {"dayofweek(1739565015)", "N:5"},
        {"dayofyear(1739565015)", "N:44"}, {"monthofyear(1739565015)", "N:1"}, {"minute(1739565015)", "N:1739565000"},
        {"hour(1739565015)", "N:1739563200"}, {"day(1739565015)", "N:1739491200"}, {"month(1739565015)", "N:1738368000"},
        {"dayofweek(0)", "N:4"}, {"year(3.14)", "N:1970"}, {"hour(-1)", "NIL"}, {"month(-0.5)", "NIL"},
        {"year(+inf)", "NIL"}, {"year('x')", "NIL"}, {"year(1e300)", "NIL"}, {"day('86401')", "N:86400"},
        {"timefmt(1739565015, '%c')", "S:Fri Feb 14 20:30:15 2025"}, {"timefmt(0)", "S:1970-01-01T00:00:00Z"},
        {"timefmt(3.14)", "S:1970-01-01T00:00:03Z"}, {"timefmt(-1)", "S:1969-12-31T23:59:59Z"},
        {"timefmt(0,'')", "NIL"}, {"timefmt(3.14,'hello')", "S:hello"}, {"timefmt(+inf)", "NIL"},
        {"timefmt(0, 5)", "S:5"},
        {"timefmt(1739565015, '%a %A %b %B %C %d %D %e %F %g %G %H %I %j %k %l %m %M %p %P %r %R %s %S %T %u %U %V %w %W %x %X %y %Y %z %Z %%')",
         "S:Fri Friday Feb February 20 14 02/14/25 14 2025-02-14 25 2025 20 08 045 20  8 02 30 PM pm 08:30:15 PM 20:30 1739565015 15 20:30:15 5 06 07 5 06 02/14/25 20:30:15 25 2025 +0000 GMT %"},
        {"timefmt(0, '%10Y|%-d|%_H|%03e|%^a|%#b|%#Z|%Q|%')", "S:0000001970|1| 0|001|THU|JAN|gmt|%Q|%"},
        {"parsetime('Fri Feb 14 20:30:15 2025', '%c')", "N:1739565015"},
        {"parsetime('2025-02-14T20:30:15Z')", "N:1739565015"}, {"parsetime(0)", "NIL"},
        {"parsetime('','a')", "NIL"}, {"parsetime('hello','hello')", "N:-2209075200"},
        {"parsetime('','')", "N:-2209075200"}, {"parsetime('12/31/68','%D')", "N:3124137600"},
        {"parsetime('2024 60','%Y %j')", "N:1709164800"}, {"parsetime('1 pm','%I %p')", "N:-2209028400"},
        {"parsetime('2025 10 3','%Y %U %w')", "N:1741737600"}, {"parsetime('1700000000','%s')", "N:1.7e+09"},
        {"parsetime('SEPTEMBER 3 2001','%B %d %Y')", "N:999475200"},
    };
    RUN_CASES(c);
}

/* Number text as std::to_chars writes it. */
static void test_number_text(void) {
    static const struct {
        double d;
        const char *want;
    } c[] = {
        {0, "0"}, {-0.0, "-0"}, {1, "1"}, {-1, "-1"}, {100, "100"}, {1e5, "1e+05"}, {123456, "123456"},
        {1e15, "1e+15"}, {9007199254740991.0, "9007199254740991"}, {9007199254740993.0, "9007199254740992"},
        {123456789012345680000.0, "123456789012345683968"}, {1e21, "1e+21"}, {1e22, "1e+22"}, {1.23e20, "1.23e+20"},
        {0.1, "0.1"}, {0.001, "0.001"}, {0.0001, "1e-04"}, {0.000123, "0.000123"}, {2.5e-5, "2.5e-05"},
        {3.14, "3.14"}, {9.8596, "9.8596"}, {1.0 / 3, "0.3333333333333333"}, {2.0 / 3, "0.6666666666666666"},
        {5e-324, "5e-324"}, {1.7976931348623157e308, "1.7976931348623157e+308"}, {2.2250738585072014e-308, "2.2250738585072014e-308"},
        {1e-7, "1e-07"}, {123.456, "123.456"}, {-4.140000000000001, "-4.140000000000001"}, {0.30000000000000004, "0.30000000000000004"},
        {9.5367431640625e-07, "9.5367431640625e-07"}, {1099511627776.0, "1099511627776"}, {2251799813685248.5, "2251799813685248.5"},
        {INFINITY, "inf"}, {-INFINITY, "-inf"}, {NAN, "nan"}, {-NAN, "-nan"},
    };
    char buf[VS_EXPR_NUM_MAX];
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        size_t n = vs_expr_fmt_num(c[i].d, buf);
        VT_EQ_MEM(buf, n, c[i].want);
    }
    /* every text reads back as the same double (seeded sweep) */
    uint64_t s = 0x9E3779B97F4A7C15ull;
    int bad = 0;
    for (int i = 0; i < 20000; i++) {
        s ^= s << 13, s ^= s >> 7, s ^= s << 17;
        double d;
        memcpy(&d, &s, sizeof d);
        if (vs_expr_isnan(d)) continue;
        size_t n = vs_expr_fmt_num(d, buf);
        double back;
        if (!vs_value_as_num(&(vs_value){.type = VS_V_STR, .s = (const uint8_t *)buf, .n = n}, &back) ||
            memcmp(&back, &d, sizeof d) != 0) {
            if (bad++ < 3) vt_fail(__FILE__, __LINE__, "seed sweep: %.17g printed %s", d, buf);
        }
    }
    vt_checks++;
}

static void test_values(void) {
    double d;
    vs_value v = vs_value_str((const uint8_t *)"1\0", 2);
    VT_CHECK(!vs_value_as_num(&v, &d));
    v = vs_value_str((const uint8_t *)"", 0);
    VT_CHECK(vs_value_as_num(&v, &d) && d == 0);
    v = vs_value_str((const uint8_t *)" -1.5e1", 7);
    VT_CHECK(vs_value_as_num(&v, &d) && d == -15);
    v = vs_value_str((const uint8_t *)"infinity", 8);
    VT_CHECK(vs_value_as_num(&v, &d) && isinf(d));
    v = vs_value_str((const uint8_t *)"nan", 3);
    VT_CHECK(!vs_value_as_num(&v, &d));
    vs_value nil = vs_value_nil(), one = vs_value_num(1), sa = vs_value_str((const uint8_t *)"a", 1);
    VT_EQ_INT(vs_value_cmp(&nil, &nil), 0);
    VT_EQ_INT(vs_value_cmp(&nil, &one), 2);
    VT_EQ_INT(vs_value_cmp(&one, &sa), -1);
    VT_CHECK(vs_value_true(&one) && vs_value_true(&sa) && !vs_value_true(&nil));
    /* copy survives the source */
    vs_arena ar = {0};
    vs_value c;
    VT_EQ_INT(vs_value_copy(&c, &rec[5], &ar), VS_OK);
    VT_CHECK(c.type == VS_V_ARR && c.n == 3 && c.items != rec[5].items && c.items[2].num == 3);
    VT_EQ_INT(vs_value_copy(&c, &rec[3], &ar), VS_OK);
    VT_CHECK(c.type == VS_V_STR && c.n == 3 && c.s != rec[3].s && !memcmp(c.s, "abc", 3));
    size_t l;
    const uint8_t *t = vs_value_text(&nil, &ar, &l);
    VT_CHECK(t && l == 0);
    vs_arena_free(&ar);
    /* is_field */
    vs_err err;
    const vs_expr *e;
    VT_EQ_INT(vs_expr_compile((const uint8_t *)" @two ", 6, resolve, param, NULL, &ar, &e, &err), VS_OK);
    int slot = -1;
    VT_CHECK(vs_expr_is_field(e, &slot) && slot == 1);
    VT_EQ_INT(vs_expr_compile((const uint8_t *)"(@two)", 6, resolve, param, NULL, &ar, &e, &err), VS_OK);
    VT_CHECK(vs_expr_is_field(e, &slot));
    VT_EQ_INT(vs_expr_compile((const uint8_t *)"@two+0", 6, resolve, param, NULL, &ar, &e, &err), VS_OK);
    VT_CHECK(!vs_expr_is_field(e, &slot));
    vs_arena_free(&ar);
}

/* Bytes: NULs, invalid UTF-8, the UTF-8 scanner's rewriting. */
static void test_bytes(void) {
    char got[256];
    answer("'a\0b'", 5, got, sizeof got);
    VT_CHECK(memcmp(got, "S:a\0b", 6) == 0);
    answer("strlen('a\0b')", 13, got, sizeof got);
    VT_EQ_MEM(got, strlen(got), "N:3");
    answer("1\0", 2, got, sizeof got);
    VT_EQ_MEM(got, strlen(got), "ERR Extra characters at or near position 1");
    answer("upper('\xc3\xa9t\xc3\xa9')", 14, got, sizeof got);
    VT_EQ_MEM(got, strlen(got), "S:\xc3\xa9T\xc3\xa9");
    /* a lone byte is re-encoded as its code point, an overlong form decoded */
    answer("lower('\xff" "A')", 11, got, sizeof got);
    VT_EQ_MEM(got, strlen(got), "S:\xc3\xbf" "a");
    answer("lower('\xc1\x81')", 11, got, sizeof got);
    VT_EQ_MEM(got, strlen(got), "S:a");
    answer("upper('\xf7\xbf\xbf\xbfz')", 14, got, sizeof got);
    VT_EQ_MEM(got, strlen(got), "S:\xf7\xbf\xbf\xbfZ");
    answer("@\xc3\xa9", 3, got, sizeof got);
    VT_EQ_MEM(got, strlen(got), "ERR Unknown field `` near position 1");
    answer("timefmt(0, 'a\0%Y')", 18, got, sizeof got);
    VT_EQ_MEM(got, strlen(got), "S:a");
}

/* Nesting past the depth limit is an error; long runs are loops. */
static void test_depth(void) {
    size_t n = 300000;
    char *t = vs_malloc(n * 2 + 8);
    char got[128];
    /* 999 parentheses: fine; past that the innermost primary is too deep,
     * and the '(' around it, finding no ')', says so instead (as
     * valkey-search's parser does) */
    for (int depth = 999; depth <= 1001; depth++) {
        size_t o = 0;
        for (int i = 0; i < depth; i++) t[o++] = '(';
        t[o++] = '1';
        for (int i = 0; i < depth; i++) t[o++] = ')';
        answer(t, o, got, sizeof got);
        VT_EQ_MEM(got, strlen(got), depth < 1000 ? "N:1" : "ERR Expected ')' at or near position 1000");
    }
    size_t o = 0;
    for (int i = 0; i < 2000; i++) t[o++] = '!';
    t[o++] = '1';
    answer(t, o, got, sizeof got);
    VT_EQ_MEM(got, strlen(got), "ERR Expression too complex");
    o = 0;
    for (int i = 0; i < 999; i++) o += (size_t)sprintf(t + o, "abs(");
    t[o++] = '1';
    for (int i = 0; i < 999; i++) t[o++] = ')';
    answer(t, o, got, sizeof got);
    VT_EQ_MEM(got, strlen(got), "N:1");
    /* 300000 terms in one run */
    o = 0;
    t[o++] = '0';
    for (size_t i = 0; o + 2 < n * 2; i++) {
        t[o++] = '+';
        t[o++] = '1';
    }
    answer(t, o, got, sizeof got);
    VT_EQ_MEM(got, strlen(got), "N:299999");
    /* a long number literal */
    memset(t, '1', n);
    answer(t, n, got, sizeof got);
    VT_EQ_MEM(got, strlen(got), "N:inf");
    answer(t, 300, got, sizeof got);
    VT_EQ_MEM(got, strlen(got), "N:1.1111111111111112e+299");
    vs_free(t);
}

/* Every allocation failing in turn: NOMEM, never a crash or a leak. */
static void test_oom(void) {
    static const char *const exprs[] = {
        "concat(upper(@s), lower('ABC'), 1/3, substr('hello', 1, 3), timefmt(1739565015, '%c %F'))",
        "parsetime('Fri Feb 14 20:30:15 2025', '%c') + strlen(concat(@arr == @arr, 'x'))",
        "sqrt(@arr) + @arr * 2 && startswith(@arr, '1') || (1 + 2 * 3 - 4 / 5 ^ 6 < 7)",
        "'1111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111"
        "111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111"
        "11111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111111' + 1",
    };
    for (size_t k = 0; k < sizeof exprs / sizeof exprs[0]; k++) {
        char want[512];
        answer(exprs[k], strlen(exprs[k]), want, sizeof want);
        VT_CHECK(strncmp(want, "ERR", 3) != 0 && strncmp(want, "FAIL", 4) != 0);
        size_t before = vs_mem_used();
        int done = 0;
        for (unsigned long nth = 1; nth < 200 && !done; nth++) {
            vs_arena ar = {0}, scratch = {0};
            vs_err err;
            vs_err_clear(&err);
            const vs_expr *e = NULL;
            vs_mem_inject(nth, 0);
            vs_status st = vs_expr_compile((const uint8_t *)exprs[k], strlen(exprs[k]), resolve, param, NULL, &ar, &e, &err);
            vs_value v;
            if (st == VS_OK) st = vs_expr_eval(e, rec, &scratch, &v);
            unsigned long faults = vs_mem_faults();
            vs_mem_inject(0, 0);
            if (faults == 0) {
                VT_EQ_INT(st, VS_OK);
                done = 1;
            } else {
                VT_EQ_INT(st, VS_ERR_NOMEM);
            }
            vs_arena_free(&ar);
            vs_arena_free(&scratch);
            VT_EQ_INT(vs_mem_used(), before);
        }
        VT_CHECK(done);
    }
}

/* Random texts from the language's pieces: compile either fails with a
 * text or evaluates; printed seed on failure. */
static void test_random(void) {
    static const char *const parts[] = {"(", ")", "1", "-2.5", "+inf", "'a'", "\"b\\\"\"", "@one", "@arr", "@s", "@notfound",
                                        "$one", "+", "-", "*", "/", "^", "<", "<=", "==", "!=", ">", ">=", "&&", "||",
                                        "!", ",", " ", "abs(", "concat(", "substr(", "timefmt(", "parsetime(", "lower(",
                                        "contains(", "month(", "exists(", "0x1f", "1e308", "'%c'", "@zz", "$zz", "foo("};
    uint64_t seed = 12345;
    char text[256], got[4096];
    for (int i = 0; i < 20000; i++) {
        uint64_t s = seed + (uint64_t)i;
        size_t o = 0;
        int k = (int)(s % 12) + 1;
        for (int j = 0; j < k; j++) {
            s = s * 6364136223846793005ull + 1442695040888963407ull;
            const char *p = parts[(s >> 33) % (sizeof parts / sizeof parts[0])];
            size_t l = strlen(p);
            if (o + l >= sizeof text) break;
            memcpy(text + o, p, l);
            o += l;
        }
        answer(text, o, got, sizeof got);
        if (strncmp(got, "FAIL", 4) == 0) vt_fail(__FILE__, __LINE__, "seed %llu: %.*s -> %s", (unsigned long long)(seed + (uint64_t)i), (int)o, text, got);
    }
    vt_checks++;
    VT_EQ_INT(vs_mem_used(), 0);
}

/* ---- search.emulate-release: both branches of every gated site ---------- */

typedef struct ccase {
    const char *expr, *legacy, *fixed; /* answers at 1.0.0 and at 1.2.1 */
    int site;                          /* the site counted, or -1 */
    int legacy_runs;                   /* legacy runs counted at 1.0.0 */
} ccase;

static const ccase kCompat[] = {
    /* asbool_string_truthy: a string's truth (&& || ! and FILTER) */
    {"\"a\" && 1", "N:0", "N:1", VS_COMPAT_ASBOOL_STRING_TRUTHY, 1},
    {"!\"a\"", "N:1", "N:0", VS_COMPAT_ASBOOL_STRING_TRUTHY, 1},
    {"@s || @s", "N:0", "N:1", VS_COMPAT_ASBOOL_STRING_TRUTHY, 2}, /* both sides read */
    {"\"\" || 0", "N:0", "N:0", VS_COMPAT_ASBOOL_STRING_TRUTHY, 1},
    {"!\"0\"", "N:1", "N:0", VS_COMPAT_ASBOOL_STRING_TRUTHY, 1},
    {"1 && 2", "N:1", "N:1", -1, 0},
    {"!@notfound", "N:1", "N:1", -1, 0},
    /* numeric_unary_nan_on_unparsable: nil stays nil, not counted */
    {"abs(\"a\")", "NIL", "N:nan", VS_COMPAT_NUMERIC_UNARY_NAN_ON_UNPARSABLE, 1},
    {"floor(@s) + 1", "NIL", "N:nan", VS_COMPAT_NUMERIC_UNARY_NAN_ON_UNPARSABLE, 1},
    {"sqrt(\"nan\")", "NIL", "N:nan", VS_COMPAT_NUMERIC_UNARY_NAN_ON_UNPARSABLE, 1},
    {"log(@notfound)", "NIL", "NIL", -1, 0},
    {"ceil(@n)", "N:12", "N:12", -1, 0},
    {"exp(\"\")", "N:1", "N:1", -1, 0}, /* "" reads as 0 (strtod reads nothing, to the end) */
    {"exp(\" x\")", "NIL", "N:nan", VS_COMPAT_NUMERIC_UNARY_NAN_ON_UNPARSABLE, 1},
    /* lower_non_string_to_nil / upper_non_string_to_nil: a number's text */
    {"lower(0)", "S:0", "NIL", VS_COMPAT_LOWER_NON_STRING_TO_NIL, 1},
    {"upper(1e20)", "S:1E+20", "NIL", VS_COMPAT_UPPER_NON_STRING_TO_NIL, 1},
    {"upper(1/0)", "S:NAN", "NIL", VS_COMPAT_UPPER_NON_STRING_TO_NIL, 1},
    {"lower(@notfound)", "NIL", "NIL", VS_COMPAT_LOWER_NON_STRING_TO_NIL, 1},
    {"upper(@arr)", "A:[1,2,3]", "NIL", VS_COMPAT_UPPER_NON_STRING_TO_NIL, 3},
    {"upper(@s)", "S:ABC", "S:ABC", -1, 0},
    {"lower(\"AbC\")", "S:abc", "S:abc", -1, 0},
    /* date_fn_negative_ts_to_nil: every date function */
    {"hour(-1)", "N:-3600", "NIL", VS_COMPAT_DATE_FN_NEGATIVE_TS_TO_NIL, 1},
    {"minute(-1)", "N:-60", "NIL", VS_COMPAT_DATE_FN_NEGATIVE_TS_TO_NIL, 1},
    {"day(-1)", "N:-86400", "NIL", VS_COMPAT_DATE_FN_NEGATIVE_TS_TO_NIL, 1},
    {"dayofweek(-1)", "N:3", "NIL", VS_COMPAT_DATE_FN_NEGATIVE_TS_TO_NIL, 1},
    {"dayofmonth(-129600)", "N:30", "NIL", VS_COMPAT_DATE_FN_NEGATIVE_TS_TO_NIL, 1},
    {"dayofyear(-129600)", "N:363", "NIL", VS_COMPAT_DATE_FN_NEGATIVE_TS_TO_NIL, 1},
    {"monthofyear(-1)", "N:11", "NIL", VS_COMPAT_DATE_FN_NEGATIVE_TS_TO_NIL, 1},
    {"year(-1)", "N:1969", "NIL", VS_COMPAT_DATE_FN_NEGATIVE_TS_TO_NIL, 1},
    {"year(-1.5)", "N:1969", "NIL", VS_COMPAT_DATE_FN_NEGATIVE_TS_TO_NIL, 1},
    {"year(-0.5)", "N:1970", "NIL", VS_COMPAT_DATE_FN_NEGATIVE_TS_TO_NIL, 1}, /* (time_t) truncates */
    {"year(-0)", "N:1970", "N:1970", -1, 0},
    {"hour(-1/0)", "NIL", "NIL", -1, 0},
    {"day(\"x\")", "NIL", "NIL", -1, 0},
    /* month_mday_off_by_one: reached by every month() past its guards */
    {"month(1739565015)", "N:1738281600", "N:1738368000", VS_COMPAT_MONTH_MDAY_OFF_BY_ONE, 1},
    {"month(0)", "N:-86400", "N:0", VS_COMPAT_MONTH_MDAY_OFF_BY_ONE, 1},
    {"month(\"x\")", "NIL", "NIL", -1, 0},
    /* timefmt_empty_format_to_nil */
    {"timefmt(0, \"\")", "S:", "NIL", VS_COMPAT_TIMEFMT_EMPTY_FORMAT_TO_NIL, 1},
    {"strlen(timefmt(-5, \"\"))", "N:0", "NIL", VS_COMPAT_TIMEFMT_EMPTY_FORMAT_TO_NIL, 1},
    {"timefmt(0, \"%Y\")", "S:1970", "S:1970", -1, 0},
    {"timefmt(\"x\", \"\")", "NIL", "NIL", -1, 0},
    /* parsetime_format_mismatch_to_nil: glibc's fields as far as they were
     * read (a recursive conversion such as %F keeps nothing unless whole) */
    {"parsetime(\"\", \"a\")", "N:-2209075200", "NIL", VS_COMPAT_PARSETIME_FORMAT_MISMATCH_TO_NIL, 1},
    {"parsetime(\"2020-xx\", \"%Y-%m-%d\")", "N:1577750400", "NIL", VS_COMPAT_PARSETIME_FORMAT_MISMATCH_TO_NIL, 1},
    {"parsetime(\"2020-xx\", \"%F\")", "N:-2209075200", "NIL", VS_COMPAT_PARSETIME_FORMAT_MISMATCH_TO_NIL, 1},
    {"parsetime(\"2020-01-02X\")", "N:1577923200", "NIL", VS_COMPAT_PARSETIME_FORMAT_MISMATCH_TO_NIL, 1},
    {"parsetime(\"03 PM x\", \"%I %p y\")", "N:-2209064400", "NIL", VS_COMPAT_PARSETIME_FORMAT_MISMATCH_TO_NIL, 1},
    {"parsetime(\"10:11 zz\", \"%H:%M:%S\")", "N:-2209038540", "NIL", VS_COMPAT_PARSETIME_FORMAT_MISMATCH_TO_NIL, 1},
    {"parsetime(\"2020-01-02T10:11:12Z\")", "N:1577959872", "N:1577959872", -1, 0},
};

static void test_compat(void) {
    char got[512];
    for (size_t i = 0; i < sizeof kCompat / sizeof kCompat[0]; i++) {
        const ccase *c = &kCompat[i];
        for (int fixed = 0; fixed < 2; fixed++) {
            vs_compat cp;
            vs_compat_init(&cp);
            if (fixed) cp.release = VS_RELEASE(1, 2, 1);
            answer_as(c->expr, strlen(c->expr), &cp, got, sizeof got);
            const char *want = fixed ? c->fixed : c->legacy;
            vt_checks++;
            if (strcmp(got, want) != 0)
                vt_fail(__FILE__, __LINE__, "%s at %s -> %s, expected %s", c->expr, fixed ? "1.2.1" : "1.0.0", got, want);
            /* counted: the site reached (both releases), legacy runs (1.0.0 only) */
            uint64_t runs = 0;
            for (int k = 0; k < VS_COMPAT_NSITES; k++) runs += cp.legacy[k];
            uint32_t want_reached = c->site >= 0 ? 1u << c->site : 0;
            VT_CHECK(cp.reached == want_reached);
            VT_CHECK(runs == (fixed ? 0u : (uint64_t)c->legacy_runs));
            if (c->site >= 0 && !fixed) VT_CHECK(cp.legacy[c->site] == (uint64_t)c->legacy_runs);
        }
        /* no vs_compat: the newest release, as vs_expr_eval */
        answer_as(c->expr, strlen(c->expr), NULL, got, sizeof got);
        vt_checks++;
        if (strcmp(got, c->fixed) != 0) vt_fail(__FILE__, __LINE__, "%s (no compat) -> %s, expected %s", c->expr, got, c->fixed);
    }
    /* 1.2.0 is before every fix; 1.2.1 and anything above has them */
    vs_compat cp;
    vs_compat_init(&cp);
    VT_CHECK(cp.release == VS_RELEASE(1, 0, 0));
    cp.release = VS_RELEASE(1, 2, 0);
    answer_as("lower(1)", 8, &cp, got, sizeof got);
    VT_CHECK(strcmp(got, "S:1") == 0);
    /* the truth of a value directly (FILTER's) */
    vs_value sa = vs_value_str((const uint8_t *)"a", 1), se = vs_value_str((const uint8_t *)"", 0);
    vs_compat_init(&cp);
    VT_CHECK(!vs_value_true_compat(&sa, &cp) && !vs_value_true_compat(&se, &cp));
    VT_CHECK(cp.legacy[VS_COMPAT_ASBOOL_STRING_TRUTHY] == 2);
    cp.release = VS_RELEASE_MAX;
    VT_CHECK(vs_value_true_compat(&sa, &cp) && !vs_value_true_compat(&se, &cp));
    VT_CHECK(cp.legacy[VS_COMPAT_ASBOOL_STRING_TRUTHY] == 2);
    VT_CHECK(strcmp(vs_compat_label(VS_COMPAT_MONTH_MDAY_OFF_BY_ONE), "month_mday_off_by_one") == 0);
    /* labels sorted (valkey-search's INFO order) */
    for (int k = 1; k < VS_COMPAT_NSITES; k++) VT_CHECK(strcmp(vs_compat_label(k - 1), vs_compat_label(k)) < 0);
}

/* The setting's text: valkey-search's parser (ValkeyVersion::FromString
 * over absl::SimpleAtoi) and its checks. */
static void test_release_text(void) {
    static const struct {
        const char *in, *why; /* why NULL: accepted as `as` */
        const char *as;
    } k[] = {
        {"1.0.0", NULL, "1.0.0"},
        {"1.2.1", NULL, "1.2.1"},
        {"1.2.0", NULL, "1.2.0"},
        {"01.002.0001", NULL, "1.2.1"},
        {" 1.+2.1\t", NULL, "1.2.1"},
        {"1.1.255", NULL, "1.1.255"},
        {"1.2.2", "emulate-release must be <= 1.2.1 unless debug-mode is enabled", NULL},
        {"2.0.0", "emulate-release must be <= 1.2.1 unless debug-mode is enabled", NULL},
        {"65535.255.255", "emulate-release must be <= 1.2.1 unless debug-mode is enabled", NULL},
        {"0.9.9", "emulate-release must be between 1.0.0 and 65535.255.255", NULL},
        {"0.0.0", "emulate-release must be between 1.0.0 and 65535.255.255", NULL},
        {"1.2", "Invalid version '1.2': expected '<major>.<minor>.<patch>'", NULL},
        {"", "Invalid version '': expected '<major>.<minor>.<patch>'", NULL},
        {"1.2.1.0", "Invalid version '1.2.1.0': expected '<major>.<minor>.<patch>'", NULL},
        {"1..1", "Invalid version '1..1': minor is not a number", NULL},
        {"x.1.1", "Invalid version 'x.1.1': major is not a number", NULL},
        {"1.2.-1", "Invalid version '1.2.-1': patch is not a number", NULL},
        {"1.2.+", "Invalid version '1.2.+': patch is not a number", NULL},
        {"1.2. ", "Invalid version '1.2. ': patch is not a number", NULL},
        {"1.0x1.0", "Invalid version '1.0x1.0': minor is not a number", NULL},
        {"1.256.0", "Invalid version '1.256.0': minor out of range", NULL},
        {"65536.0.0", "Invalid version '65536.0.0': major out of range", NULL},
        {"1.0.99999999999", "Invalid version '1.0.99999999999': patch is not a number", NULL},
        {"4294967295.0.0", "Invalid version '4294967295.0.0': major out of range", NULL},
    };
    for (size_t i = 0; i < sizeof k / sizeof k[0]; i++) {
        char why[256] = "", buf[16];
        uint32_t r = 0;
        int rc = vs_compat_parse_release((const uint8_t *)k[i].in, strlen(k[i].in), &r, why, sizeof why);
        vt_checks++;
        if (k[i].why ? (rc == 0 || strcmp(why, k[i].why) != 0) : rc != 0)
            vt_fail(__FILE__, __LINE__, "'%s' -> rc %d '%s'", k[i].in, rc, why);
        if (!k[i].why) {
            vs_compat_format_release(r, buf, sizeof buf);
            VT_CHECK(strcmp(buf, k[i].as) == 0);
        }
    }
    /* a long text: the reason stays within its buffer */
    char big[1000], why[256];
    memset(big, '7', sizeof big);
    uint32_t r;
    VT_CHECK(vs_compat_parse_release((const uint8_t *)big, sizeof big, &r, why, sizeof why) == -1);
    VT_CHECK(strlen(why) == 255);
}

#ifndef __EMSCRIPTEN__
#include <stdlib.h>
#include <time.h>

/* parsetime's legacy branch against glibc's strptime + mktime (UTC): every
 * prefix (and a corrupted copy) of some valid texts, for several formats. */
static void test_parsetime_legacy_glibc(void) {
    setenv("TZ", "UTC", 1);
    tzset();
    static const struct {
        const char *text, *fmt;
    } k[] = {
        {"2021-03-04T05:06:07Z", "%FT%TZ"},  {"2021-03-04 05:06:07", "%Y-%m-%d %H:%M:%S"},
        {"Fri Feb 14 20:30:15 2025", "%c"},  {"03/04/21 11:12:13 PM", "%D %r"},
        {"1999 123 10:20", "%Y %j %R"},      {"Mon 07 2020 3", "%a %U %Y %w"},
        {"12 pm 5", "%I %p %M"},             {"2021-03-04", "%F"},
    };
    char got[128], txt[64], expr[200];
    for (size_t i = 0; i < sizeof k / sizeof k[0]; i++) {
        size_t n = strlen(k[i].text);
        for (size_t cut = 0; cut <= n; cut++) {
            for (int corrupt = 0; corrupt < 2; corrupt++) {
                memcpy(txt, k[i].text, cut);
                txt[cut] = '\0';
                if (corrupt) {
                    if (cut == 0) continue;
                    txt[cut - 1] = 'q';
                }
                struct tm tm;
                memset(&tm, 0, sizeof tm);
                (void)strptime(txt, k[i].fmt, &tm);
                tm.tm_isdst = -1;
                long want = (long)mktime(&tm);
                snprintf(expr, sizeof expr, "parsetime(\"%s\", \"%s\")", txt, k[i].fmt);
                vs_compat cp;
                vs_compat_init(&cp);
                answer_as(expr, strlen(expr), &cp, got, sizeof got);
                char w[64];
                snprintf(w, sizeof w, "N:%ld", want);
                vt_checks++;
                if (strcmp(got, w) != 0) vt_fail(__FILE__, __LINE__, "%s -> %s, glibc %s", expr, got, w);
            }
        }
    }
}
#endif

int main(void) {
    init_rec();
    VT_RUN(test_valkey_expr_cases);
    VT_RUN(test_operators);
    VT_RUN(test_errors);
    VT_RUN(test_functions);
    VT_RUN(test_number_text);
    VT_RUN(test_values);
    VT_RUN(test_bytes);
    VT_RUN(test_depth);
    VT_RUN(test_oom);
    VT_RUN(test_random);
    VT_RUN(test_compat);
    VT_RUN(test_release_text);
#ifndef __EMSCRIPTEN__
    VT_RUN(test_parsetime_legacy_glibc);
#endif
    VT_DONE();
}
