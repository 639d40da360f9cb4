/* test_search_stages.c - FT.SEARCH's stages one at a time: parse (plans
 * and errors), plan (the KNN strategy by selectivity), execute (rows from
 * a plan, without rendering), render (rows made by hand into RESP). */
#include <math.h>

#include "../../src/query/search.h"
#include "vt_cmd.h"

/* doc:i = {vec: [i, 1], tag: odd|even, n: i} for i in 0..n-1 under a
 * FLAT (idx) and an HNSW (hidx) index. */
static vs_db *fixture(int n) {
    vs_db *db = vs_open(NULL);
    vt_run(db, "FT.CREATE", "idx", "PREFIX", "1", "doc:", "SCHEMA", "vec", "VECTOR", "FLAT", "6", "TYPE", "FLOAT32",
           "DIM", "2", "DISTANCE_METRIC", "L2", "tag", "TAG", "n", "NUMERIC", NULL);
    vt_run(db, "FT.CREATE", "hidx", "PREFIX", "1", "doc:", "SCHEMA", "vec", "VECTOR", "HNSW", "6", "TYPE", "FLOAT32",
           "DIM", "2", "DISTANCE_METRIC", "COSINE", "n", "NUMERIC", NULL);
    for (int i = 0; i < n; i++) {
        char key[32], num[16];
        float v[2] = {(float)i, 1};
        snprintf(key, sizeof key, "doc:%d", i);
        snprintf(num, sizeof num, "%d", i);
        vt_blob(7, v, 2);
        vt_run(db, "HSET", key, "vec", VT_BLOB(7), "tag", i % 2 ? "odd" : "even", "n", num, NULL);
    }
    return db;
}

static const vs_ftindex *index_of(vs_db *db, const char *name) {
    return vs_search_find(&db->eng.store->search, (const uint8_t *)name, strlen(name));
}

/* Parse the query string and options given as C strings (blob 0 stands
 * for VT_BLOB(0)); returns the status, the error text in err. */
static vs_status parse(const vs_ftindex *x, vs_arena *ar, vs_search_plan *p, vs_err *err, int argc,
                       const char **argv) {
    const uint8_t *av[32];
    size_t lens[32];
    for (int i = 0; i < argc; i++) {
        int blob = strcmp(argv[i], VT_BLOB(0)) == 0;
        av[i] = blob ? vt_blobs[0] : (const uint8_t *)argv[i];
        lens[i] = blob ? vt_blob_len[0] : strlen(argv[i]);
    }
    memset(err, 0, sizeof *err);
    return vs_search_parse(x, av, lens, argc, ar, p, err);
}

#define PARSE(x, ar, p, err, ...) \
    parse((x), (ar), (p), (err), (int)(sizeof((const char *[]){__VA_ARGS__}) / sizeof(const char *)), \
          (const char *[]){__VA_ARGS__})

#define PARSE_ERR(x, want, ...)                                        \
    do {                                                              \
        vs_arena ar_ = {0};                                           \
        vs_search_plan p_;                                            \
        vs_err e_;                                                    \
        VT_EQ_INT(PARSE((x), &ar_, &p_, &e_, __VA_ARGS__), VS_ERR);   \
        VT_EQ_MEM(e_.msg, strlen(e_.msg), (want));                   \
        vs_arena_free(&ar_);                                          \
    } while (0)

static void test_parse(void) {
    vs_db *db = fixture(4);
    const vs_ftindex *x = index_of(db, "hidx");
    float q[2] = {3, 4};
    vt_blob(0, q, 2);
    vs_arena ar = {0};
    vs_search_plan p;
    vs_err err;
    VT_EQ_INT(PARSE(x, &ar, &p, &err, "@n:[1 2]=>[KNN $k @vec $q EF_RUNTIME 20 AS d]", "PARAMS", "4", "k", "3", "q",
                    VT_BLOB(0), "RETURN", "3", "n", "AS", "num", "LIMIT", "1", "2", "SORTBY", "n", "DESC"),
              VS_OK);
    VT_CHECK(p.x == x && p.q.knn.present && p.q.filter && p.q.filter->clause.kind == VS_FI_RANGE);
    VT_EQ_INT(p.k, 3);
    VT_EQ_INT(p.ef, 20);
    VT_EQ_INT(p.vfield, 0);
    VT_EQ_MEM(p.score_name.p, p.score_name.n, "d");
    VT_CHECK(p.has_return && !p.nocontent && p.nret == 1);
    VT_EQ_MEM(p.ret[0].out.p, p.ret[0].out.n, "num");
    VT_CHECK(p.offset == 1 && p.num == 2 && p.sort_field == 1 && p.sort_desc);
    { /* COSINE: the query as given (never normalised) and its inverse norm */
        const float *qv = p.vec.v;
        VT_CHECK(qv[0] == q[0] && qv[1] == q[1] && fabsf(p.vec.inv_norm - 0.2f) < 1e-6f);
    }
    vs_arena_free(&ar);

    VT_EQ_INT(PARSE(x, &ar, &p, &err, "*"), VS_OK);
    VT_CHECK(!p.q.knn.present && !p.q.filter && p.num == 10 && p.sort_field == -1 && p.vfield == -1);
    VT_EQ_INT(PARSE(x, &ar, &p, &err, "*=>[KNN 2 @vec $q]", "PARAMS", "2", "q", VT_BLOB(0), "SORTBY", "__vec_score"),
              VS_OK);
    VT_EQ_MEM(p.score_name.p, p.score_name.n, "__vec_score");
    VT_CHECK(p.sort_field == -1 && p.ef == 0);
    vs_arena_free(&ar);

    /* Errors, and which comes first. */
    PARSE_ERR(x, "Unexpected argument `BOGUS`", "*", "BOGUS");
    PARSE_ERR(x, "Unexpected argument `BOGUS`", "@nope:{x}", "BOGUS");
    PARSE_ERR(x, "Parameter `q` not used.", "*", "PARAMS", "2", "q", "x");
    PARSE_ERR(x, "Index field `nope` does not exist", "*=>[KNN 2 @nope $q]", "PARAMS", "2", "q", "x");
    PARSE_ERR(x, "Error parsing vector similarity parameters: query vector blob size (1) does not match index's "
                 "expected size (8).",
              "*=>[KNN 2 @vec $q]", "PARAMS", "2", "q", "x", "DIALECT", "9");
    PARSE_ERR(x, "DIALECT requires a non negative integer >=2 and <= 4", "*=>[KNN 2 @vec $q]", "PARAMS", "2", "q",
              VT_BLOB(0), "DIALECT", "9", "SORTBY", "nope");
    PARSE_ERR(x, "SORTBY on `__vec_score` is only supported in ascending order", "*=>[KNN 2 @vec $q]", "PARAMS", "2",
              "q", VT_BLOB(0), "SORTBY", "__vec_score", "DESC");
    float bad[2] = {NAN, 1};
    vt_blob(0, bad, 2);
    PARSE_ERR(x, "Index field `nope` does not exist", "*=>[KNN 2 @vec $q]", "PARAMS", "2", "q", VT_BLOB(0), "SORTBY",
              "nope");
    PARSE_ERR(x, "Error parsing vector similarity parameters: query vector contains NaN or infinite values",
              "*=>[KNN 2 @vec $q]", "PARAMS", "2", "q", VT_BLOB(0));
    vs_close(db);
}

static void test_plan(void) {
    vs_db *db = fixture(200);
    const vs_field_index *flat = index_of(db, "idx")->fields[0], *hnsw = index_of(db, "hidx")->fields[0];
    /* FLAT: always exact.  HNSW without a filter: the graph. */
    VT_EQ_INT(vs_search_plan_knn(flat, 0, 0, 10, 0), VS_KNN_EXACT);
    VT_EQ_INT(vs_search_plan_knn(flat, 1, 200, 10, 0), VS_KNN_EXACT);
    VT_EQ_INT(vs_search_plan_knn(hnsw, 0, 0, 10, 0), VS_KNN_GRAPH);
    /* With a filter of f ids out of 200: exact while f <= ef * 200 / f *
     * M0 / 2, i.e. f^2 <= 10 * 200 * 16 = 32000 at EF_RUNTIME 10. */
    VT_EQ_INT(vs_search_plan_knn(hnsw, 1, 0, 10, 0), VS_KNN_EXACT);
    VT_EQ_INT(vs_search_plan_knn(hnsw, 1, 178, 10, 0), VS_KNN_EXACT);
    VT_EQ_INT(vs_search_plan_knn(hnsw, 1, 179, 10, 0), VS_KNN_GRAPH);
    /* ef (or k, when larger) widens the graph search, so exact goes further. */
    VT_EQ_INT(vs_search_plan_knn(hnsw, 1, 179, 10, 20), VS_KNN_EXACT);
    VT_EQ_INT(vs_search_plan_knn(hnsw, 1, 179, 20, 0), VS_KNN_EXACT);
    VT_EQ_INT(vs_search_plan_knn(hnsw, 1, 253, 20, 0), VS_KNN_GRAPH);
    vs_close(db);
}

static void test_exec(void) {
    vs_db *db = fixture(10);
    const vs_ftindex *x = index_of(db, "idx");
    /* A plan made by hand: every document, key order, LIMIT 2 3. */
    vs_search_plan p;
    memset(&p, 0, sizeof p);
    p.x = x;
    p.offset = 2;
    p.num = 3;
    p.sort_field = -1;
    vs_search_rows rows;
    VT_EQ_INT(vs_search_exec(&p, &rows), VS_OK);
    VT_EQ_INT(rows.total, 10);
    VT_EQ_INT(rows.n, 3);
    /* Key order: doc:0, doc:1, doc:2, doc:3, ... */
    VT_CHECK(rows.row[0].id == vs_ks_find(&db->eng.store->ks, (const uint8_t *)"doc:2", 5)->id);
    vs_search_rows_free(&rows);
    /* SORTBY n DESC. */
    p.sort_field = 2;
    p.sort_desc = 1;
    p.offset = 0;
    VT_EQ_INT(vs_search_exec(&p, &rows), VS_OK);
    VT_CHECK(rows.n == 3 && rows.row[0].id == vs_ks_find(&db->eng.store->ks, (const uint8_t *)"doc:9", 5)->id);
    vs_search_rows_free(&rows);

    /* KNN 3 among odd documents from [4, 1] (L2 squared): doc:3 and doc:5
     * tie at 1, doc:1 and doc:7 at 9; ties go by key. */
    float q[2] = {4, 1};
    vt_blob(0, q, 2);
    vs_arena ar = {0};
    vs_err err;
    VT_EQ_INT(PARSE(x, &ar, &p, &err, "@tag:{odd}=>[KNN 3 @vec $q]", "PARAMS", "2", "q", VT_BLOB(0)), VS_OK);
    VT_EQ_INT(vs_search_exec(&p, &rows), VS_OK);
    VT_CHECK(rows.total == 3 && rows.n == 3);
    VT_CHECK(rows.row[0].id == vs_ks_find(&db->eng.store->ks, (const uint8_t *)"doc:3", 5)->id && rows.row[0].dist == 1.0f);
    VT_CHECK(rows.row[1].id == vs_ks_find(&db->eng.store->ks, (const uint8_t *)"doc:5", 5)->id && rows.row[1].dist == 1.0f);
    VT_CHECK(rows.row[2].id == vs_ks_find(&db->eng.store->ks, (const uint8_t *)"doc:1", 5)->id && rows.row[2].dist == 9.0f);
    vs_search_rows_free(&rows);
    vs_arena_free(&ar);
    vs_close(db);
}

/* Render rows made by hand (no execute): RETURN, the score pair, NOCONTENT. */
static void test_render(void) {
    vs_db *db = fixture(6);
    const vs_ftindex *x = index_of(db, "idx");
    float q[2] = {0, 1};
    vt_blob(0, q, 2);
    vs_scored row[2] = {{0.25f, vs_ks_find(&db->eng.store->ks, (const uint8_t *)"doc:5", 5)->id},
                        {4.0f, vs_ks_find(&db->eng.store->ks, (const uint8_t *)"doc:2", 5)->id}};
    vs_search_rows rows = {.total = 7, .row = row, .n = 2};
    vs_reply r;
    VT_EQ_INT(vs_reply_init(&r), VS_OK);
    vs_arena ar = {0};
    vs_search_plan p;
    vs_err err;
    /* KNN with RETURN: the fields asked for, the score by its name. */
    VT_EQ_INT(PARSE(x, &ar, &p, &err, "*=>[KNN 2 @vec $q AS d]", "PARAMS", "2", "q", VT_BLOB(0), "RETURN", "2", "d",
                    "n"), VS_OK);
    vs_reply_reset(&r, 2);
    vs_search_render(&r, &p, &rows);
    const char *want = "*5\r\n:7\r\n$5\r\ndoc:5\r\n*4\r\n$1\r\nd\r\n$4\r\n0.25\r\n$1\r\nn\r\n$1\r\n5\r\n"
                       "$5\r\ndoc:2\r\n*4\r\n$1\r\nd\r\n$1\r\n4\r\n$1\r\nn\r\n$1\r\n2\r\n";
    VT_EQ_MEM(r.buf, r.len, want);
    vs_arena_free(&ar);
    /* NOCONTENT: the total and the keys. */
    VT_EQ_INT(PARSE(x, &ar, &p, &err, "*", "NOCONTENT"), VS_OK);
    vs_reply_reset(&r, 2);
    vs_search_render(&r, &p, &rows);
    VT_EQ_MEM(r.buf, r.len, "*3\r\n:7\r\n$5\r\ndoc:5\r\n$5\r\ndoc:2\r\n");
    vs_arena_free(&ar);
    vs_reply_release(&r);
    vs_close(db);
}

int main(void) {
    VT_RUN(test_parse);
    VT_RUN(test_plan);
    VT_RUN(test_exec);
    VT_RUN(test_render);
    VT_DONE();
}
