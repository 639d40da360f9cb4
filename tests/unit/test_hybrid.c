/* test_hybrid.c - FT.HYBRID: the fusion arithmetic on hand-made lists
 * (RRF, LINEAR, repeats, empty lists), the vector scores, the parser's
 * options, defaults and error texts, and whole commands against a small
 * index whose answers are worked out by hand (and a failed command
 * changes nothing). */
#include <math.h>
#include <stdio.h>

#include "../../src/query/hybrid.h"
#include "vt_cmd.h"

#define E(s) ("!" s)

static int near(double a, double b) { return fabs(a - b) <= 1e-12 * (1 + fabs(b)); }

static void test_fuse_rrf(void) {
    vs_hybrid_fusion f = {VS_HYBRID_RRF, 60, 0.3, 0.7};
    const uint32_t t[] = {5, 7, 9}, v[] = {7, 3, 5, 11};
    const uint32_t *const ids[2] = {t, v};
    const double *const sc[2] = {NULL, NULL};
    size_t n[2] = {3, 4}, nh;
    vs_hybrid_hit *h;
    VT_EQ_INT(vs_hybrid_fuse(&f, ids, sc, n, &h, &nh), VS_OK);
    VT_EQ_INT(nh, 5);
    /* first-seen order: the text list, then the vector-only documents */
    const uint32_t order[] = {5, 7, 9, 3, 11};
    for (size_t i = 0; i < nh; i++) VT_EQ_INT(h[i].id, order[i]);
    VT_CHECK(near(h[0].fused, 1.0 / 61 + 1.0 / 63)); /* 5: text 1, vector 3 */
    VT_CHECK(near(h[1].fused, 1.0 / 62 + 1.0 / 61)); /* 7: text 2, vector 1 */
    VT_CHECK(near(h[2].fused, 1.0 / 63));            /* 9: text only */
    VT_CHECK(near(h[3].fused, 1.0 / 62));            /* 3: vector 2 */
    VT_CHECK(near(h[4].fused, 1.0 / 64));
    VT_EQ_INT(h[0].rank[0], 1);
    VT_EQ_INT(h[0].rank[1], 3);
    VT_EQ_INT(h[2].in[1], 0);
    vs_free(h);
    /* CONSTANT changes the arithmetic; ties stay ties */
    f.constant = 1.5;
    const uint32_t a[] = {1}, b[] = {2};
    const uint32_t *const ids2[2] = {a, b};
    size_t n2[2] = {1, 1};
    VT_EQ_INT(vs_hybrid_fuse(&f, ids2, sc, n2, &h, &nh), VS_OK);
    VT_EQ_INT(nh, 2);
    VT_CHECK(near(h[0].fused, 1 / 2.5) && h[0].fused == h[1].fused);
    vs_free(h);
    /* a document twice in one list counts at its first place */
    const uint32_t d[] = {4, 4, 6};
    const uint32_t *const ids3[2] = {d, NULL};
    size_t n3[2] = {3, 0};
    f.constant = 60;
    VT_EQ_INT(vs_hybrid_fuse(&f, ids3, sc, n3, &h, &nh), VS_OK);
    VT_EQ_INT(nh, 2);
    VT_CHECK(near(h[0].fused, 1.0 / 61) && near(h[1].fused, 1.0 / 63));
    vs_free(h);
    /* both lists empty */
    size_t n0[2] = {0, 0};
    VT_EQ_INT(vs_hybrid_fuse(&f, ids3, sc, n0, &h, &nh), VS_OK);
    VT_EQ_INT(nh, 0);
    vs_free(h);
}

static void test_fuse_linear(void) {
    vs_hybrid_fusion f = {VS_HYBRID_LINEAR, 60, 0.3, 0.7};
    const uint32_t t[] = {1, 2}, v[] = {2, 3};
    const double ts[] = {2.5, 1.0}, vsc[] = {0.9, 0.4};
    const uint32_t *const ids[2] = {t, v};
    const double *const sc[2] = {ts, vsc};
    size_t n[2] = {2, 2}, nh;
    vs_hybrid_hit *h;
    VT_EQ_INT(vs_hybrid_fuse(&f, ids, sc, n, &h, &nh), VS_OK);
    VT_EQ_INT(nh, 3);
    VT_CHECK(near(h[0].fused, 0.3 * 2.5));
    VT_CHECK(near(h[1].fused, 0.3 * 1.0 + 0.7 * 0.9));
    VT_CHECK(near(h[2].fused, 0.7 * 0.4));
    VT_CHECK(h[1].score[0] == 1.0 && h[1].score[1] == 0.9);
    vs_free(h);
    /* out of memory: an error, nothing leaked */
    vs_fault_inject(1, 0);
    VT_EQ_INT(vs_hybrid_fuse(&f, ids, sc, n, &h, &nh), VS_ERR_NOMEM);
    vs_fault_inject(0, 0);
    VT_CHECK(h == NULL && nh == 0);
}

static void test_vector_score(void) {
    VT_CHECK(near(vs_hybrid_vector_score(VS_METRIC_L2, 0), 1));
    VT_CHECK(near(vs_hybrid_vector_score(VS_METRIC_L2, 0.08), 1 / 1.08));
    VT_CHECK(near(vs_hybrid_vector_score(VS_METRIC_COSINE, 0), 1));
    VT_CHECK(near(vs_hybrid_vector_score(VS_METRIC_COSINE, 2), 0));
    VT_CHECK(near(vs_hybrid_vector_score(VS_METRIC_IP, 0.5), 0.75)); /* (1 + d) / 2, as Redis 8.4 */
}

/* doc:1..4 at (0,0) (1,0) (0,1) (1,1), tags red red blue blue, n 1..4;
 * query vector (1.25, 0.25): squared L2 1.625, 0.125, 2.125, 0.625 (all
 * exact in float32, so every build computes the same scores), so the
 * vector order is doc:2, doc:4, doc:1, doc:3. */
static vs_db *fixture(void) {
    vs_db *db = vs_open(NULL);
    vt_run(db, "FT.CREATE", "idx", "PREFIX", "1", "doc:", "SCHEMA", "vec", "VECTOR", "FLAT", "6", "TYPE", "FLOAT32",
           "DIM", "2", "DISTANCE_METRIC", "L2", "tag", "TAG", "n", "NUMERIC", NULL);
    const float pts[4][2] = {{0, 0}, {1, 0}, {0, 1}, {1, 1}};
    for (int i = 0; i < 4; i++) {
        char key[24], num[16];
        snprintf(key, sizeof key, "doc:%d", i + 1);
        snprintf(num, sizeof num, "%d", i + 1);
        vt_blob(7, pts[i], 2);
        vt_run(db, "HSET", key, "vec", VT_BLOB(7), "tag", i < 2 ? "red" : "blue", "n", num, NULL);
    }
    const float q[2] = {1.25f, 0.25f};
    vt_blob(0, q, 2);
    return db;
}

static const char *g(double v) {
    static char buf[8][40];
    static int at;
    at = (at + 1) % 8;
    if (v >= -9223372036854775808.0 && v < 9223372036854775808.0 && (double)(long long)v == v)
        snprintf(buf[at], sizeof buf[at], "%lld", (long long)v);
    else
        snprintf(buf[at], sizeof buf[at], "%.12g", v);
    return buf[at];
}

/* The engine's squared L2 distance (float32) from the query to (x, y). */
static double l2f(float x, float y) {
    float dx = 1.25f - x, dy = 0.25f - y;
    return (double)(dx * dx + dy * dy);
}

#define Q "PARAMS", "2", "B", VT_BLOB(0)

static void test_rrf_end_to_end(void) {
    vs_db *db = fixture();
    char want[1024];
    /* text list: doc:1, doc:2 (key order, score 0); vector list: doc:2, doc:4, doc:1, doc:3 */
    snprintf(want, sizeof want,
             "[total_results,4,results,[[__key,doc:2,__score,%s],[__key,doc:1,__score,%s],[__key,doc:4,__score,%s],"
             "[__key,doc:3,__score,%s]],warnings,[],execution_time,0]",
             g(1.0 / 62 + 1.0 / 61), g(1.0 / 61 + 1.0 / 63), g(1.0 / 62), g(1.0 / 64));
    VT_TEXT(db, want, "FT.HYBRID", "idx", "SEARCH", "@tag:{red}", "VSIM", "@vec", "$B", Q);
    VT_TEXT(db, want, "FT.HYBRID", "idx", "2", "SEARCH", "@tag:{red}", "VSIM", "@vec", "$B", "KNN", "2", "K", "10", Q);
    /* K limits the vector list; WINDOW limits both (and K) */
    snprintf(want, sizeof want,
             "[total_results,2,results,[[__key,doc:2,__score,%s],[__key,doc:1,__score,%s]],warnings,[],"
             "execution_time,0]",
             g(1.0 / 62 + 1.0 / 61), g(1.0 / 61));
    VT_TEXT(db, want, "FT.HYBRID", "idx", "SEARCH", "@tag:{red}", "VSIM", "@vec", "$B", "KNN", "2", "K", "1", Q);
    snprintf(want, sizeof want,
             "[total_results,2,results,[[__key,doc:1,__score,%s],[__key,doc:2,__score,%s]],warnings,[],"
             "execution_time,0]",
             g(1 / 3.0), g(1 / 3.0));
    VT_TEXT(db, want, "FT.HYBRID", "idx", "SEARCH", "@tag:{red}", "VSIM", "@vec", "$B", "COMBINE", "RRF", "4",
            "WINDOW", "1", "CONSTANT", "2", Q);
    /* LIMIT, and LIMIT 0 0 counts */
    snprintf(want, sizeof want,
             "[total_results,4,results,[[__key,doc:1,__score,%s]],warnings,[],execution_time,0]",
             g(1.0 / 61 + 1.0 / 63));
    VT_TEXT(db, want, "FT.HYBRID", "idx", "SEARCH", "@tag:{red}", "VSIM", "@vec", "$B", "LIMIT", "1", "1", Q);
    VT_TEXT(db, "[total_results,4,results,[],warnings,[],execution_time,0]", "FT.HYBRID", "idx", "SEARCH",
            "@tag:{red}", "VSIM", "@vec", "$B", "LIMIT", "0", "0", Q);
    vs_close(db);
}

static void test_linear_range_filter(void) {
    vs_db *db = fixture();
    char want[1024];
    double s2 = 1 / (1 + l2f(1, 0)), s4 = 1 / (1 + l2f(1, 1)), s1 = 1 / (1 + l2f(0, 0));
    /* LINEAR: text scores are 0 for a TAG query; vector scores 1 / (1 + d) */
    snprintf(want, sizeof want,
             "[total_results,4,results,[[__key,doc:2,__score,%s,v,%s],[__key,doc:4,__score,%s,v,%s],"
             "[__key,doc:1,__score,%s,v,%s],[__key,doc:3,__score,0]],warnings,[],execution_time,0]",
             g(0.5 * s2), g(s2), g(0.5 * s4), g(s4), g(0.5 * s1), g(s1));
    VT_TEXT(db, want, "FT.HYBRID", "idx", "SEARCH", "@tag:{red|blue}", "VSIM", "@vec", "$B", "KNN", "2", "K", "3",
            "YIELD_SCORE_AS", "v", "COMBINE", "LINEAR", "4", "ALPHA", "0.5", "BETA", "0.5", Q);
    /* Scores past the range of long long are written as doubles (their
     * conversion to an integer was undefined behaviour) */
    snprintf(want, sizeof want,
             "[total_results,2,results,[[__key,doc:2,__score,%s],[__key,doc:4,__score,%s]],warnings,[],"
             "execution_time,0]",
             g(1e300 * s2), g(1e300 * s4));
    VT_TEXT(db, want, "FT.HYBRID", "idx", "SEARCH", "@tag:{none}", "VSIM", "@vec", "$B", "KNN", "2", "K", "2",
            "COMBINE", "LINEAR", "4", "ALPHA", "0", "BETA", "1e300", Q);
    /* RANGE: within RADIUS only (0.625 is in, 1.625 is out) */
    snprintf(want, sizeof want,
             "[total_results,2,results,[[__key,doc:2,__score,%s],[__key,doc:4,__score,%s]],warnings,[],"
             "execution_time,0]",
             g(0.7 * s2), g(0.7 * s4));
    VT_TEXT(db, want, "FT.HYBRID", "idx", "SEARCH", "@tag:{none}", "VSIM", "@vec", "$B", "RANGE", "2", "RADIUS",
            "0.7", "COMBINE", "LINEAR", "2", "WINDOW", "5", Q);
    /* FILTER pre-filters the vector search */
    snprintf(want, sizeof want,
             "[total_results,2,results,[[__key,doc:4,__score,%s],[__key,doc:3,__score,%s]],warnings,[],"
             "execution_time,0]",
             g(1.0 / 61), g(1.0 / 62));
    VT_TEXT(db, want, "FT.HYBRID", "idx", "SEARCH", "@tag:{none}", "VSIM", "@vec", "$B", "FILTER", "@tag:{blue}", Q);
    VT_TEXT(db, want, "FT.HYBRID", "idx", "SEARCH", "@tag:{none}", "VSIM", "@vec", "$B", "FILTER", "3",
            "@tag:{blue}", "POLICY", "BATCHES", Q);
    /* LOAD, SORTBY, aliases */
    VT_TEXT(db,
            "[total_results,4,results,[[n,4,key,doc:4],[n,3,key,doc:3],[n,2,key,doc:2],[n,1,key,doc:1]],warnings,[],"
            "execution_time,0]",
            "FT.HYBRID", "idx", "SEARCH", "@tag:{red}", "VSIM", "@vec", "$B", "LOAD", "4", "@n", "@__key", "AS", "key",
            "SORTBY", "2", "@n", "DESC", Q);
    snprintf(want, sizeof want,
             "[total_results,4,results,[[__key,doc:1,__score,%s,t,0,tag,red],[__key,doc:2,__score,%s,t,0,tag,red],"
             "[__key,doc:3,__score,%s,tag,blue],[__key,doc:4,__score,%s,tag,blue]],warnings,[],execution_time,0]",
             g(1.0 / 61 + 1.0 / 63), g(1.0 / 62 + 1.0 / 61), g(1.0 / 64), g(1.0 / 62));
    VT_TEXT(db, want, "FT.HYBRID", "idx", "SEARCH", "@tag:{red}", "YIELD_SCORE_AS", "t", "VSIM", "@vec", "$B",
            "SORTBY", "3", "@tag", "DESC", "@__key", Q);
    snprintf(want, sizeof want,
             "[total_results,4,results,[[n,2,f,%s],[n,1,f,%s],[n,4,f,%s],[n,3,f,%s]],warnings,[],execution_time,0]",
             g(1.0 / 62 + 1.0 / 61), g(1.0 / 61 + 1.0 / 63), g(1.0 / 62), g(1.0 / 64));
    VT_TEXT(db, want, "FT.HYBRID", "idx", "SEARCH", "@tag:{red}", "VSIM", "@vec", "$B", "COMBINE", "RRF", "2",
            "YIELD_SCORE_AS", "f", "LOAD", "1", "@n", Q);
    /* expired documents are left out */
    vs_set_time(db, 1000, 1);
    vt_run(db, "PEXPIREAT", "doc:2", "2000", NULL);
    vs_set_time(db, 3000, 1);
    snprintf(want, sizeof want,
             "[total_results,3,results,[[__key,doc:1,__score,%s],[__key,doc:4,__score,%s],[__key,doc:3,__score,%s]],"
             "warnings,[],execution_time,0]",
             g(1.0 / 61 + 1.0 / 62), g(1.0 / 61), g(1.0 / 63));
    VT_TEXT(db, want, "FT.HYBRID", "idx", "SEARCH", "@tag:{red}", "VSIM", "@vec", "$B", Q);
    vs_close(db);
}

static void test_errors(void) {
    vs_db *db = fixture();
    size_t n0, n1;
    char *before = vt_digest(db, &n0);
#define H "FT.HYBRID", "idx"
#define S "SEARCH", "*"
#define V "VSIM", "@vec", "$B"
    VT_TEXT(db, E("ERR wrong number of arguments for 'FT.HYBRID' command"), "FT.HYBRID");
    VT_TEXT(db, E("No such index nope"), "FT.HYBRID", "nope", S, V, Q);
    VT_TEXT(db, E("Missing subqueries count for FT.HYBRID"), H);
    VT_TEXT(db, E("FT.HYBRID currently supports only two subqueries"), H, "3", S, V, Q);
    VT_TEXT(db, E("SEARCH keyword is required"), H, "2", "VSIM", "@vec", "$B");
    VT_TEXT(db, E("Invalid subqueries count: expected an unsigned integer"), H, "VSIM", "@vec", "$B");
    VT_TEXT(db, E("No query string provided for SEARCH"), H, "SEARCH");
    VT_TEXT(db, E("Unknown argument `PARAMS` in SEARCH"), H, S, "PARAMS", "2", "B", "x", V);
    VT_TEXT(db, E("DIALECT is not supported in FT.HYBRID or any of its subqueries. Please check the documentation on "
                  "search-default-dialect configuration."),
            H, S, "DIALECT", "2", V, Q);
    VT_TEXT(db, E("Bad arguments for SCORER: Expected an argument, but none provided"), H, S, "SCORER");
    VT_TEXT(db, E("VSIM argument is required"), H, S);
    VT_TEXT(db, E("Missing vector field name"), H, S, "VSIM");
    VT_TEXT(db, E("Missing @ prefix for vector field name"), H, S, "VSIM", "vec", "$B");
    VT_TEXT(db, E("Missing vector argument"), H, S, "VSIM", "@vec");
    VT_TEXT(db, E("Invalid vector argument, expected a parameter name starting with $"), H, S, "VSIM", "@vec", "B");
    VT_TEXT(db, E("Missing argument count"), H, S, V, "KNN");
    VT_TEXT(db, E("Invalid argument count: expected an unsigned integer"), H, S, V, "KNN", "K", "4");
    VT_TEXT(db, E("Invalid argument count: 3 (must be a positive even number for key/value pairs)"), H, S, V, "KNN",
            "3", "K", "4");
    VT_TEXT(db, E("Invalid argument count: 0 (must be a positive even number for key/value pairs)"), H, S, V, "RANGE",
            "0");
    VT_TEXT(db, E("Expected arguments 4, but 2 were provided"), H, S, V, "KNN", "4", "K", "4");
    VT_TEXT(db, E("Duplicate K argument"), H, S, V, "KNN", "4", "K", "4", "K", "5", Q);
    VT_TEXT(db, E("Missing argument value for K"), H, S, V, "KNN", "2", "K");
    VT_TEXT(db, E("Invalid K value"), H, S, V, "KNN", "2", "K", "0", Q);
    VT_TEXT(db, E("Invalid EF_RUNTIME value"), H, S, V, "KNN", "4", "K", "1", "EF_RUNTIME", "x", Q);
    VT_TEXT(db, E("Duplicate EF_RUNTIME argument"), H, S, V, "KNN", "6", "K", "1", "EF_RUNTIME", "4", "EF_RUNTIME",
            "4", Q);
    VT_TEXT(db, E("Unknown argument `YIELD_SCORE_AS` in KNN"), H, S, V, "KNN", "4", "K", "1", "YIELD_SCORE_AS", "x",
            Q);
    VT_TEXT(db, E("Missing required argument K"), H, S, V, "KNN", "2", "EF_RUNTIME", "5", Q);
    VT_TEXT(db, E("Invalid shard k ratio value: Shard k ratio must be greater than 0 and at most 1 (got 1.5)"), H, S,
            V, "KNN", "4", "K", "1", "SHARD_K_RATIO", "1.5", Q);
    VT_TEXT(db, E("Invalid shard k ratio value 'x'"), H, S, V, "KNN", "4", "K", "1", "SHARD_K_RATIO", "x", Q);
    VT_TEXT(db, E("Invalid RADIUS value"), H, S, V, "RANGE", "2", "RADIUS", "-1", Q);
    VT_TEXT(db, E("Invalid EPSILON value"), H, S, V, "RANGE", "4", "RADIUS", "1", "EPSILON", "0", Q);
    VT_TEXT(db, E("Unknown argument `EF_RUNTIME` in RANGE"), H, S, V, "RANGE", "2", "EF_RUNTIME", "1", Q);
    VT_TEXT(db, E("Missing required argument RADIUS"), H, S, V, "RANGE", "2", "EPSILON", "0.1", Q);
    VT_TEXT(db, E("Missing argument count for FILTER"), H, S, V, "FILTER");
    VT_TEXT(db, E("Not enough arguments in FILTER, specified 3 but provided only 1"), H, S, V, "FILTER", "3", "*");
    VT_TEXT(db, E("POLICY: Invalid value for argument"), H, S, V, "FILTER", "3", "*", "POLICY", "ADHOC_BF", Q);
    VT_TEXT(db, E("Error parsing vector similarity parameters: 'batch size' is irrelevant for the selected policy"), H,
            S, V, "FILTER", "5", "*", "POLICY", "ADHOC", "BATCH_SIZE", "10", Q);
    VT_TEXT(db, E("Duplicate YIELD_SCORE_AS argument"), H, S, V, "YIELD_SCORE_AS", "a", "YIELD_SCORE_AS", "b", Q);
    VT_TEXT(db, E("Missing argument value for YIELD_SCORE_AS"), H, S, V, "YIELD_SCORE_AS");
    VT_TEXT(db, E("Unknown argument `COMBINE` in KNN"), H, S, V, "KNN", "4", "K", "10", "COMBINE", "RRF", "2",
            "CONSTANT", "60", Q);
    VT_TEXT(db, E("COMBINE: Invalid value for argument"), H, S, V, "COMBINE", "SUM", Q);
    VT_TEXT(db, E("Invalid RRF argument count, error: Could not convert argument to expected type"), H, S, V,
            "COMBINE", "RRF", "CONSTANT", "3", Q);
    VT_TEXT(db, E("Missing LINEAR argument count"), H, S, V, "COMBINE", "LINEAR");
    VT_TEXT(db, E("Explicitly specifying RRF requires at least one argument, argument count must be positive"), H, S,
            V, "COMBINE", "RRF", "0", Q);
    VT_TEXT(db, E("RRF expects pairs of key value arguments, argument count must be an even number"), H, S, V,
            "COMBINE", "RRF", "1", "CONSTANT", Q);
    VT_TEXT(db, E("Not enough arguments in LINEAR, specified 4 but provided only 2"), H, S, V, "COMBINE", "LINEAR",
            "4", "ALPHA", "1");
    VT_TEXT(db, E("Missing value for BETA"), H, S, V, "COMBINE", "LINEAR", "2", "ALPHA", "1", Q);
    VT_TEXT(db, E("Missing value for ALPHA"), H, S, V, "COMBINE", "LINEAR", "2", "BETA", "1", Q);
    VT_TEXT(db, E("CONSTANT: Could not convert argument to expected type"), H, S, V, "COMBINE", "RRF", "2", "CONSTANT",
            "x", Q);
    VT_TEXT(db, E("WINDOW: Value below minimum"), H, S, V, "COMBINE", "RRF", "2", "WINDOW", "0", Q);
    /* Numbers past the range of long long (found by fuzz_command: their
     * conversion was undefined behaviour). */
    VT_TEXT(db, E("Invalid LINEAR argument count, error: Value is outside acceptable bounds"), H, S, V, "COMBINE", "LINEAR", "1e300", Q);
    VT_TEXT(db, E("WINDOW: Value is outside acceptable bounds"), H, S, V, "COMBINE", "RRF", "2", "WINDOW", "-1e30", Q);
    VT_TEXT(db, E("WINDOW: Value is outside acceptable bounds"), H, S, V, "COMBINE", "RRF", "2", "WINDOW", "9223372036854775808", Q);
    VT_TEXT(db, E("ALPHA: Unknown argument"), H, S, V, "COMBINE", "RRF", "2", "ALPHA", "1", Q);
    VT_TEXT(db, E("COMBINE: Argument specified multiple times"), H, S, V, "COMBINE", "RRF", "2", "WINDOW", "3",
            "COMBINE", "RRF", "2", "WINDOW", "3", Q);
    VT_TEXT(db, E("LIMIT: Not enough arguments were provided"), H, S, V, "LIMIT", "0");
    VT_TEXT(db, E("LIMIT offset must be a non-negative integer"), H, S, V, "LIMIT", "-1", "2", Q);
    VT_TEXT(db, E("LIMIT count must be a non-negative integer"), H, S, V, "LIMIT", "0", "x", Q);
    VT_TEXT(db, E("The `offset` of the LIMIT must be 0 when `num` is 0"), H, S, V, "LIMIT", "3", "0", Q);
    VT_TEXT(db, E("LIMIT exceeds maximum of 1000000"), H, S, V, "LIMIT", "0", "1000001", Q);
    VT_TEXT(db, E("SORTBY: Invalid argument count"), H, S, V, "SORTBY", "0", Q);
    VT_TEXT(db, E("SORTBY: Failed to parse the argument count"), H, S, V, "SORTBY", "@n", Q);
    VT_TEXT(db, E("SORTBY: Not enough arguments were provided based on argument count"), H, S, V, "SORTBY", "3", "@n");
    VT_TEXT(db, E("Missing prefix: name requires '@' prefix, JSON path require '$' prefix, got: n in SORTBY"), H, S, V,
            "SORTBY", "1", "n", Q);
    VT_TEXT(db, E("Missing prefix: name requires '@' prefix, JSON path require '$' prefix, got: n in LOAD"), H, S, V,
            "LOAD", "1", "n", Q);
    VT_TEXT(db, E("NOSORT is not allowed with SORTBY"), H, S, V, "SORTBY", "1", "@n", "NOSORT", Q);
    VT_TEXT(db, E("NOSORT is not allowed with SORTBY"), H, S, V, "NOSORT", "SORTBY", "1", "@n", Q);
    VT_TEXT(db, E("Bad arguments for LOAD: Expected number of fields or `*`"), H, S, V, "LOAD", "x", Q);
    VT_TEXT(db, E("Not enough arguments for LOAD"), H, S, V, "LOAD", "3", "@n");
    VT_TEXT(db, E("Parameters must be specified in PARAM VALUE pairs"), H, S, V, "PARAMS", "3", "B", "x", "y");
    VT_TEXT(db, E("PARAMS: Argument specified multiple times"), H, S, V, "PARAMS", "2", "B", "x", "PARAMS", "2", "C",
            "y");
    VT_TEXT(db, E("Duplicate parameter `B`"), H, S, V, "PARAMS", "4", "B", "x", "B", "y");
    VT_TEXT(db, E("TIMEOUT: Could not convert argument to expected type"), H, S, V, "TIMEOUT", "x", Q);
    VT_TEXT(db, E("FORMAT: Invalid value for argument"), H, S, V, "FORMAT", "JSON", Q);
    VT_TEXT(db, E("EXPLAINSCORE is not yet supported by FT.HYBRID"), H, S, V, "EXPLAINSCORE", Q);
    VT_TEXT(db, E("APPLY is not supported by this engine's FT.HYBRID"), H, S, V, "APPLY", "1", "AS", "x", Q);
    VT_TEXT(db, E("BOGUS: Unknown argument"), H, S, V, "BOGUS", Q);
    VT_TEXT(db, E("Vector expressions are not allowed in FT.HYBRID SEARCH"), H, "SEARCH", "*=>[KNN 2 @vec $B]", V, Q);
    VT_TEXT(db, E("Unknown field `nosuch`"), H, S, "VSIM", "@nosuch", "$B", Q);
    VT_TEXT(db, E("Expected a VECTOR field `tag`"), H, S, "VSIM", "@tag", "$B", Q);
    VT_TEXT(db, E("Vector expressions are not allowed in FT.HYBRID VSIM FILTER"), H, S, V, "FILTER",
            "*=>[KNN 2 @vec $B]", Q);
    VT_TEXT(db, E("No such parameter `B`"), H, S, V);
    VT_TEXT(db,
            E("Error parsing vector similarity parameters: query vector blob size (3) does not match index's expected "
              "size (8)."),
            H, S, V, "PARAMS", "2", "B", "abc");
    VT_TEXT(db, E("Property `nosuch` not loaded nor in schema"), H, S, V, "SORTBY", "1", "@nosuch", Q);
    char *after = vt_digest(db, &n1);
    VT_EQ_INT(n1, n0);
    VT_CHECK(memcmp(after, before, n0) == 0);
    free(before);
    free(after);
    vs_close(db);
}

/* Out of memory at every allocation of a command: an error or the full
 * answer, never a crash or a leak (ASan checks the leaks). */
static void test_oom(void) {
    vs_db *db = fixture();
    vt_run(db, "FT.HYBRID", "idx", "SEARCH", "@tag:{red}", "VSIM", "@vec", "$B", "LOAD", "2", "@n", "@tag", "SORTBY",
           "2", "@n", "DESC", Q, NULL);
    size_t len = vs_reply_len(db);
    char *want = malloc(len);
    memcpy(want, vs_reply_data(db), len);
    for (int i = 1; i < 200; i++) {
        vs_fault_inject((unsigned long)i, 0);
        vt_run(db, "FT.HYBRID", "idx", "SEARCH", "@tag:{red}", "VSIM", "@vec", "$B", "LOAD", "2", "@n", "@tag",
               "SORTBY", "2", "@n", "DESC", Q, NULL);
        vs_fault_inject(0, 0);
        const char *r = (const char *)vs_reply_data(db);
        VT_CHECK(r[0] == '-' || (vs_reply_len(db) == len && memcmp(r, want, len) == 0));
    }
    free(want);
    vs_close(db);
}

int main(void) {
    VT_RUN(test_fuse_rrf);
    VT_RUN(test_fuse_linear);
    VT_RUN(test_vector_score);
    VT_RUN(test_rrf_end_to_end);
    VT_RUN(test_linear_range_filter);
    VT_RUN(test_errors);
    VT_RUN(test_oom);
    VT_DONE();
}
