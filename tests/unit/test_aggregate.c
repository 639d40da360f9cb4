/* test_aggregate.c - FT.AGGREGATE's parse stage on its own (stages, slots
 * as valkey-search numbers them, reducers, errors) and the whole command
 * under a failed allocation at every point: each run answers the full
 * reply or an error, and leaks nothing. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "../../src/query/aggregate.h"
#include "../../src/query/registry.h"
#include "vt_cmd.h"

static vs_db *fixture(void) {
    vs_db *db = vs_open(NULL);
    VT_CHECK(db != NULL);
    vt_run(db, "FT.CREATE", "idx", "ON", "HASH", "PREFIX", "1", "d:", "SCHEMA", "t", "TAG", "num", "AS", "n", "NUMERIC",
           "x", "TEXT", NULL);
    char key[16], tag[8], num[16];
    for (int i = 0; i < 30; i++) {
        snprintf(key, sizeof key, "d:%02d", i);
        snprintf(tag, sizeof tag, "g%d", i % 4);
        snprintf(num, sizeof num, "%d.5", i % 7);
        vt_run(db, "HSET", key, "t", tag, "num", num, "x", "hello", NULL);
    }
    return db;
}

/* Parse argv (a NULL-terminated list after the index name). */
static vs_status parse(vs_db *db, vs_arena *ar, vs_agg_plan *p, vs_err *err, ...) {
    static const uint8_t *argv[64];
    static size_t lens[64];
    int argc = 0;
    va_list ap;
    va_start(ap, err);
    const char *s;
    while ((s = va_arg(ap, const char *)) != NULL) {
        argv[argc] = (const uint8_t *)s;
        lens[argc++] = strlen(s);
    }
    va_end(ap);
    const vs_ftindex *x = vs_search_find(&db->eng.store->search, (const uint8_t *)"idx", 3);
    VT_CHECK(x != NULL);
    return vs_agg_parse(x, argv, lens, argc, ar, NULL, p, err);
}

static int slot_is(const vs_agg_plan *p, int s, const char *name) {
    return s < (int)p->nslots && p->slot[s].name.n == strlen(name) && memcmp(p->slot[s].name.p, name, strlen(name)) == 0;
}

static void test_parse(void) {
    vs_db *db = fixture();
    vs_arena ar = {0};
    vs_agg_plan p;
    vs_err err = {0};
    VT_EQ_INT(parse(db, &ar, &p, &err, "*", "LOAD", "2", "@t", "n", "APPLY", "@n * 2", "AS", "y", "GROUPBY", "1", "@t",
                    "REDUCE", "count", "0", "REDUCE", "FIRST_VALUE", "4", "@y", "BY", "@y", "DESC", "SORTBY", "3", "@t",
                    "DESC", "@y", "MAX", "5", "LIMIT", "1", "2", NULL),
              VS_OK);
    VT_EQ_INT(p.nstages, 4); /* LOAD is not a stage */
    VT_EQ_INT(p.stage[0].kind, VS_AGG_APPLY);
    VT_EQ_INT(p.stage[1].kind, VS_AGG_GROUPBY);
    VT_EQ_INT(p.stage[1].nred, 2);
    VT_EQ_INT(p.stage[1].red[1].fn, VS_RED_FIRST_VALUE);
    VT_EQ_INT(p.stage[1].red[1].desc, 1);
    VT_EQ_INT(p.stage[2].nkeys, 2);
    VT_EQ_INT(p.stage[2].keys[0].desc, 1);
    VT_EQ_INT(p.stage[2].max, 5);
    VT_EQ_INT(p.stage[3].offset, 1);
    /* slots: __key, the score, then references in order: @n (its
     * identifier "num"), y, t, the reducers' default names */
    VT_CHECK(slot_is(&p, 0, "__key"));
    VT_CHECK(slot_is(&p, 2, "num"));
    VT_CHECK(p.slot[2].numeric && p.slot[2].loaded);
    VT_CHECK(slot_is(&p, 3, "y"));
    VT_CHECK(slot_is(&p, 4, "t"));
    VT_CHECK(slot_is(&p, 5, "COUNT()"));
    VT_CHECK(slot_is(&p, 6, "FIRST_VALUE(@y,@y,DESC)"));
    vs_arena_free(&ar);
    /* a leading LIMIT is the search's slice */
    VT_EQ_INT(parse(db, &ar, &p, &err, "*", "LIMIT", "3", "4", "SORTBY", "1", "@__key", NULL), VS_OK);
    VT_EQ_INT(p.first, 1);
    VT_EQ_INT(p.sp.offset, 3);
    VT_EQ_INT(p.sp.num, 4);
    VT_EQ_INT(p.stage[1].max, VS_AGG_SORTBY_MAX);
    vs_arena_free(&ar);
    VT_EQ_INT(parse(db, &ar, &p, &err, "*", "GROUPBY", "1", "@t", "REDUCE", "QUANTILE", "2", "@n", "0.5", "REDUCE",
                    "RANDOM_SAMPLE", "2", "@n", "3", "REDUCE", "COUNT_DISTINCTISH", "1", "@n", NULL),
              VS_OK);
    VT_CHECK(p.stage[0].red[0].quantile == 0.5);
    VT_EQ_INT(p.stage[0].red[1].sample, 3);
    vs_arena_free(&ar);
    VT_EQ_INT(parse(db, &ar, &p, &err, "*", "GROUPBY", "1", "@t", "REDUCE", "QUANTILE", "2", "@n", "2", NULL), VS_ERR);
    VT_CHECK(strcmp(err.msg, "Error parsing value for the parameter `GROUPBY` - Quantile must be between 0 and 1") == 0);
    vs_arena_free(&ar);
    VT_EQ_INT(parse(db, &ar, &p, &err, "*", "LOAD", "1", "num", NULL), VS_ERR); /* an identifier is not an alias */
    VT_CHECK(strcmp(err.msg, "Index field `num` does not exist") == 0);
    vs_arena_free(&ar);
    VT_EQ_INT(parse(db, &ar, &p, &err, "*", "GROUPBY", "1", "@t", "REDUCE", "COUNT", "0", "AS", NULL), VS_ERR);
    VT_CHECK(strcmp(err.msg, "Error parsing value for the parameter `GROUPBY` - Missing argument; Missing Reducer alias") == 0);
    vs_arena_free(&ar);
    vs_close(db);
}

static void test_reply(void) {
    vs_db *db = fixture();
    VT_CMD(db,
           "*3\r\n:2\r\n*4\r\n+t\r\n$2\r\ng0\r\n+c\r\n$1\r\n8\r\n*4\r\n+t\r\n$2\r\ng1\r\n+c\r\n$1\r\n8\r\n",
           "FT.AGGREGATE", "idx", "*", "LOAD", "1", "@t", "GROUPBY", "1", "@t", "REDUCE", "COUNT", "0", "AS", "c",
           "SORTBY", "2", "@t", "ASC", "MAX", "2");
    /* the NUMERIC field read as a number, under its identifier */
    VT_CMD(db, "*2\r\n:1\r\n*4\r\n+__key\r\n$4\r\nd:06\r\n+num\r\n$3\r\n6.5\r\n", "FT.AGGREGATE", "idx", "*", "LOAD",
           "2", "@__key", "@n", "SORTBY", "2", "@n", "DESC", "MAX", "1");
    vs_close(db);
}

static void test_oom(void) {
    vs_db *db = fixture();
#define AGG                                                                                                          \
    "FT.AGGREGATE", "idx", "*", "LOAD", "3", "@__key", "@t", "@n", "APPLY", "@n * 2", "AS", "y", "FILTER", "@y > 2",   \
        "GROUPBY", "1", "@t", "REDUCE", "COUNT", "0", "AS", "c", "REDUCE", "TOLIST", "1", "@n", "REDUCE", "MIN", "1", "@__key",    \
        "REDUCE", "QUANTILE", "2", "@y", "0.5", "REDUCE", "FIRST_VALUE", "3", "@__key", "BY", "@y", "REDUCE",          \
        "COUNT_DISTINCT", "1", "@n", "SORTBY", "2", "@t", "DESC", "MAX", "3", "APPLY", "@c + 1", "AS", "z", NULL
    vt_run(db, AGG);
    size_t len = vs_reply_len(db);
    VT_CHECK(((const char *)vs_reply_data(db))[0] == '*');
    char *want = malloc(len);
    memcpy(want, vs_reply_data(db), len);
    size_t base = vs_mem_used();
    int failed = 0;
    for (int i = 1; i < 400; i++) {
        vs_fault_inject((unsigned long)i, i & 1);
        vt_run(db, AGG);
        vs_fault_inject(0, 0);
        const char *r = (const char *)vs_reply_data(db);
        if (r[0] == '-') failed++;
        VT_CHECK(r[0] == '-' || (vs_reply_len(db) == len && memcmp(r, want, len) == 0));
        VT_CHECK(vs_mem_used() <= base + 65536); /* reply buffer growth aside, nothing kept */
    }
    VT_CHECK(failed > 20);
    vt_run(db, AGG);
    VT_CHECK(vs_reply_len(db) == len && memcmp(vs_reply_data(db), want, len) == 0);
#undef AGG
    free(want);
    vs_close(db);
}

/* search.emulate-release through CONFIG: FT.AGGREGATE answers as the
 * release set (1.0.0 by default), the legacy runs are counted per site,
 * and a refused value changes nothing. */
static void test_emulate_release(void) {
    vs_db *db = fixture();
#define Q                                                                                                            \
    "FT.AGGREGATE", "idx", "@t:{g1}", "LOAD", "3", "@__key", "@t", "@n", "SORTBY", "2", "@__key", "ASC", "MAX", "2", "APPLY", \
        "upper(@n)", "AS", "u", "APPLY", "month(0)", "AS", "m", "APPLY", "abs(@t)", "AS", "a", "GROUPBY", "3", "@u",    \
        "@m", "@a", "REDUCE", "COUNT", "0"
    VT_CMD(db, "*2\r\n$22\r\nsearch.emulate-release\r\n$5\r\n1.0.0\r\n", "CONFIG", "GET", "search.emulate-release");
    /* 1.0.0: upper of a number is its text, month(0) the day before, abs("g1") nil */
    VT_CMD(db,
           "*3\r\n:2\r\n*6\r\n+u\r\n$3\r\n1.5\r\n+m\r\n$6\r\n-86400\r\n+COUNT()\r\n$1\r\n1\r\n"
           "*6\r\n+u\r\n$3\r\n5.5\r\n+m\r\n$6\r\n-86400\r\n+COUNT()\r\n$1\r\n1\r\n",
           Q);
    VT_CHECK(db->eng.compat.legacy[VS_COMPAT_UPPER_NON_STRING_TO_NIL] == 2);
    VT_CHECK(db->eng.compat.legacy[VS_COMPAT_MONTH_MDAY_OFF_BY_ONE] == 2);
    VT_CHECK(db->eng.compat.legacy[VS_COMPAT_NUMERIC_UNARY_NAN_ON_UNPARSABLE] == 2);
    VT_CHECK(db->eng.compat.legacy[VS_COMPAT_AGGREGATE_REDUCER_DEFAULT_ALIAS] == 1);
    /* FILTER reads a string's truth by the release */
    VT_CMD(db, "*1\r\n:0\r\n", "FT.AGGREGATE", "idx", "*", "LOAD", "1", "@t", "FILTER", "@t");
    VT_CHECK(db->eng.compat.legacy[VS_COMPAT_ASBOOL_STRING_TRUTHY] == 30);
    /* refused values: valkey-search's texts, nothing changed */
    VT_CMD(db,
           "-ERR CONFIG SET failed (possibly related to argument 'search.emulate-release') - emulate-release must be "
           "<= 1.2.1 unless debug-mode is enabled\r\n",
           "CONFIG", "SET", "search.emulate-release", "1.3.0");
    VT_CMD(db,
           "-ERR CONFIG SET failed (possibly related to argument 'search.emulate-release') - Invalid version '1.2': "
           "expected '<major>.<minor>.<patch>'\r\n",
           "CONFIG", "SET", "search.emulate-release", "1.2");
    VT_CMD(db,
           "-ERR CONFIG SET failed (possibly related to argument 'search.emulate-release') - emulate-release must be "
           "between 1.0.0 and 65535.255.255\r\n",
           "CONFIG", "SET", "maxmemory", "10", "search.emulate-release", "0.1.0");
    VT_CHECK(db->eng.maxmemory == 0 && db->eng.compat.release == VS_RELEASE(1, 0, 0));
    /* 1.2.1: the fixes */
    VT_CMD(db, "+OK\r\n", "CONFIG", "SET", "SEARCH.EMULATE-RELEASE", "1.2.1");
    VT_CMD(db, "*2\r\n$22\r\nsearch.emulate-release\r\n$5\r\n1.2.1\r\n", "CONFIG", "GET", "search.*");
    VT_CMD(db, "*2\r\n:1\r\n*6\r\n+m\r\n$1\r\n0\r\n+a\r\n$3\r\nnan\r\n+COUNT()\r\n$1\r\n2\r\n", Q);
    VT_CHECK(db->eng.compat.legacy[VS_COMPAT_UPPER_NON_STRING_TO_NIL] == 2); /* no legacy runs since */
    VT_CHECK(db->eng.compat.legacy[VS_COMPAT_AGGREGATE_REDUCER_DEFAULT_ALIAS] == 2); /* fixed in 1.3.0 only */
    VT_CMD(db, "*2\r\n:1\r\n*4\r\n+t\r\n$2\r\ng0\r\n+c\r\n$1\r\n8\r\n", "FT.AGGREGATE", "idx", "*", "LOAD", "1", "@t",
           "FILTER", "@t", "GROUPBY", "1", "@t", "REDUCE", "COUNT", "0", "AS", "c", "SORTBY", "2", "@t", "ASC", "MAX", "1");
    /* and back */
    VT_CMD(db, "+OK\r\n", "CONFIG", "SET", "search.emulate-release", "1.2.0");
    VT_CMD(db, "*1\r\n:0\r\n", "FT.AGGREGATE", "idx", "*", "LOAD", "1", "@t", "FILTER", "@t");
#undef Q
    vs_close(db);
}

int main(void) {
    VT_RUN(test_parse);
    VT_RUN(test_emulate_release);
    VT_RUN(test_reply);
    VT_RUN(test_oom);
    VT_DONE();
}
