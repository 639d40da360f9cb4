/* fuzz_expr.c - libFuzzer target: arbitrary bytes as an FT.AGGREGATE
 * expression (query/expr.h), compiled with a resolver of a few slots
 * (@a @b @c @s @arr; any other name is refused) and parameters ($p, $q),
 * then evaluated on a record of mixed values (numbers, inf, NaN, strings
 * that are and are not numbers, invalid UTF-8, nil, an array).
 *
 * Input: byte 0 picks the record variant and whether allocation fails at
 * the (byte 1)th allocation; the rest is the expression.  Checked:
 * compile either succeeds or fails with a non-empty error text; a failed
 * compile leaves its output untouched; evaluation gives a well-formed
 * value (or VS_ERR_NOMEM only when an allocation was made to fail); the
 * value's text and a copy can be made; nothing leaks. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/base/alloc.h"
#include "../../src/query/expr.h"

#define CHECK(c) do { if (!(c)) abort(); } while (0)

static const char *const kNames[] = {"a", "b", "c", "s", "arr"};

static int resolve(void *ctx, const uint8_t *name, size_t len, int create, vs_err *err) {
    (void)ctx;
    (void)create;
    for (int i = 0; i < 5; i++)
        if (strlen(kNames[i]) == len && memcmp(kNames[i], name, len) == 0) return i;
    return vs_err_set(err, VS_ERR, "Unknown field");
}

static int param(void *ctx, const uint8_t *name, size_t len, const uint8_t **val, size_t *vlen) {
    (void)ctx;
    if (len == 1 && name[0] == 'p') {
        *val = (const uint8_t *)"42";
        *vlen = 2;
        return 1;
    }
    if (len == 1 && name[0] == 'q') {
        *val = (const uint8_t *)"x\0y";
        *vlen = 3;
        return 1;
    }
    return 0;
}

static void check_value(const vs_value *v, int depth) {
    CHECK(v->type <= VS_V_ARR);
    if (v->type == VS_V_STR) CHECK(v->s || v->n == 0);
    if (v->type == VS_V_ARR) {
        CHECK(depth < 4 && (v->items || v->n == 0));
        for (size_t i = 0; i < v->n; i++) check_value(&v->items[i], depth + 1);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 2) return 0;
    uint8_t mode = data[0], nth = data[1];
    data += 2;
    size -= 2;
    vs_value items[3] = {vs_value_num(1), vs_value_str((const uint8_t *)"2", 1), vs_value_nil()};
    vs_value rec[5];
    switch (mode & 3) {
    case 0:
        rec[0] = vs_value_num(1.5), rec[1] = vs_value_num(-0.0), rec[2] = vs_value_nil();
        rec[3] = vs_value_str((const uint8_t *)" 12", 3);
        break;
    case 1:
        rec[0] = vs_value_num(1e308 * 10), rec[1] = vs_value_num(0.0 / 0.0), rec[2] = vs_value_num(1739565015);
        rec[3] = vs_value_str((const uint8_t *)"\xff\xc1\x81" "Ab\0", 6);
        break;
    case 2:
        rec[0] = vs_value_str((const uint8_t *)"0x1p3", 5), rec[1] = vs_value_str((const uint8_t *)"", 0);
        rec[2] = vs_value_num(-1), rec[3] = vs_value_str((const uint8_t *)"%c %F %s", 8);
        break;
    default:
        rec[0] = vs_value_nil(), rec[1] = vs_value_nil(), rec[2] = vs_value_str((const uint8_t *)"inf", 3);
        rec[3] = vs_value_nil();
        break;
    }
    rec[4].type = VS_V_ARR;
    rec[4].n = (mode & 4) ? 3 : 0;
    rec[4].items = (mode & 4) ? items : NULL;
    rec[4].s = NULL;
    rec[4].num = 0;

    size_t before = vs_mem_used();
    int inject = (mode & 8) != 0;
    vs_arena ar = {0}, scratch = {0};
    vs_err err;
    vs_err_clear(&err);
    const vs_expr *e = (const vs_expr *)&err; /* a sentinel: untouched on failure */
    if (inject) vs_mem_inject((unsigned long)nth + 1, 0);
    vs_status st = vs_expr_compile(data, size, resolve, param, NULL, &ar, &e, &err);
    if (st != VS_OK) {
        CHECK(e == (const vs_expr *)&err);
        CHECK(st == VS_ERR_NOMEM || vs_err_text(&err)[0] != '\0');
        if (st == VS_ERR_NOMEM) CHECK(inject);
    } else {
        vs_value v;
        st = vs_expr_eval(e, rec, &scratch, &v);
        if (st != VS_OK) {
            CHECK(st == VS_ERR_NOMEM && inject);
        } else {
            check_value(&v, 0);
            size_t len;
            const uint8_t *t = vs_value_text(&v, &scratch, &len);
            CHECK(t || inject);
            vs_value c;
            st = vs_value_copy(&c, &v, &scratch);
            CHECK(st == VS_OK || inject);
            if (st == VS_OK) CHECK(vs_value_cmp(&c, &v) == vs_value_cmp(&v, &v));
            (void)vs_value_true(&v);
            double d;
            (void)vs_value_as_num(&v, &d);
        }
    }
    vs_mem_inject(0, 0);
    vs_arena_free(&scratch);
    vs_arena_free(&ar);
    CHECK(vs_mem_used() == before);
    return 0;
}
