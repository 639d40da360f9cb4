/* fuzz_query.c - libFuzzer target: arbitrary bytes as an FT.SEARCH query
 * string, through the parser (query.h) and then the whole command, on an
 * index with TEXT (one WITHSUFFIXTRIE, one NOSTEM WEIGHT 2), TAG, NUMERIC
 * and VECTOR fields holding a few documents.
 *
 * Input: byte 0 picks the options (bit 0 VERBATIM, bit 1 INORDER, bit 2
 * SLOP (byte 1 % 4), bit 3 WITHSCORES, bits 4-6 the scorer, bit 7 a KNN
 * clause appended); byte 1 bit 7 puts a VECTOR_RANGE clause yielding `d`
 * before the query, bit 6 adds SORTBY d; the rest is the query.  PARAMS
 * carries `q` (a vector) and `r` (a radius) when the query names them.
 * Tree checks include VECTOR_RANGE leaves (a VECTOR field, numbered
 * 0 .. nrange-1 once each, listed in order).  Checked: the parser either
 * fails with an error text or builds a tree whose text clauses are folded
 * words of at most VS_TEXT_MAX_WORD bytes, each searching >= 1 TEXT field,
 * numbered 0 .. ntext-1 once each; FT.SEARCH with the same query replies
 * (an error or a result), never crashes or leaks, and leaves the store as
 * it was (DBSIZE). */
#define _GNU_SOURCE /* memmem */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/abi/db.h"
#include "../../src/abi/vessel.h"
#include "../../src/base/alloc.h"
#include "../../src/query/query.h"
#include "../../src/query/registry.h"

#define CHECK(c) do { if (!(c)) abort(); } while (0)

static vs_db *db;

static void run(int argc, const char **argv, const size_t *lens) {
    size_t l[32];
    for (int i = 0; i < argc; i++) l[i] = lens ? lens[i] : strlen(argv[i]);
    vs_exec(db, argc, (const uint8_t *const *)argv, l, 2);
}
#define RUN(...) run((int)(sizeof((const char *[]){__VA_ARGS__}) / sizeof(char *)), (const char *[]){__VA_ARGS__}, NULL)

static void setup(void) {
    db = vs_open(NULL);
    RUN("FT.CREATE", "idx", "PREFIX", "1", "d:", "SCHEMA", "title", "TEXT", "NOSTEM", "WEIGHT", "2", "body", "TEXT",
        "WITHSUFFIXTRIE", "tag", "TAG", "n", "NUMERIC", "v", "VECTOR", "FLAT", "6", "TYPE", "FLOAT32", "DIM", "2",
        "DISTANCE_METRIC", "L2");
    static const char *texts[] = {"Hello world, the quick brown fox", "running dogs jump over café über",
                                  "Δέλτα hello hello connection", "a b c d e f", ""};
    for (int i = 0; i < 5; i++) {
        char key[8], num[8];
        snprintf(key, sizeof key, "d:%d", i);
        snprintf(num, sizeof num, "%d", i);
        float v[2] = {(float)i, 1};
        const char *argv[] = {"HSET", key, "title", texts[i], "body", texts[(i + 1) % 5], "tag", i % 2 ? "x" : "y",
                              "n", num, "v", (const char *)v};
        size_t lens[12];
        for (int j = 0; j < 11; j++) lens[j] = strlen(argv[j]);
        lens[11] = sizeof v;
        run(12, argv, lens);
    }
}

static vs_qnode *const *vrange_list; /* the parse's range clauses */
static uint32_t vrange_n;
static uint8_t *vrange_seen;

static void check_tree(const vs_qnode *n, uint8_t *seen, uint32_t ntext, int depth) {
    CHECK(depth < 2 * VS_QUERY_MAX_DEPTH);
    if (n->kind == VS_Q_TEXT) {
        CHECK(n->text.n > 0 && n->text.n <= VS_TEXT_MAX_WORD);
        CHECK(n->text.nfields >= 1);
        CHECK(n->text.leaf < ntext && !seen[n->text.leaf]);
        seen[n->text.leaf] = 1;
        CHECK(n->text.how != VS_TM_FUZZY || (n->text.dist >= 1 && n->text.dist <= VS_TEXT_MAX_FUZZY));
        for (uint32_t i = 0; i < n->text.n; i++) CHECK(!(n->text.w[i] >= 'A' && n->text.w[i] <= 'Z'));
        return;
    }
    if (n->kind == VS_Q_TAG || n->kind == VS_Q_NUM) return;
    if (n->kind == VS_Q_VRANGE) {
        CHECK(n->range && n->range->blob_tok.n >= 2 && n->range->blob_tok.p[0] == '$');
        CHECK(n->range->slot < vrange_n && vrange_list[n->range->slot] == n && !vrange_seen[n->range->slot]);
        vrange_seen[n->range->slot] = 1;
        CHECK(n->nkids == 0);
        return;
    }
    CHECK(n->nkids >= 1 && (n->kind != VS_Q_NOT || n->nkids == 1));
    for (uint32_t i = 0; i < n->nkids; i++) check_tree(n->kids[i], seen, ntext, depth + 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (!db) setup();
    if (size < 2) return 0;
    unsigned flags = data[0];
    const uint8_t *q = data + 2;
    size_t n = size - 2;
    if (n > VS_QUERY_MAX_BYTES + 16) return 0;

    const vs_ftindex *x = vs_search_find(&db->eng.store->search, (const uint8_t *)"idx", 3);
    CHECK(x);
    vs_query_opts o = {(int)(flags & 1), (int)((flags >> 1) & 1), (flags & 4) ? (int32_t)(data[1] % 4) : -1};
    vs_arena ar = {0};
    vs_query out;
    vs_err err;
    err.msg[0] = 0;
    vs_status st = vs_query_parse_opts(q, n, &x->schema, &o, &ar, &out, &err);
    CHECK(st == VS_OK || st == VS_ERR || st == VS_ERR_NOMEM);
    if (st == VS_ERR) CHECK(err.msg[0] != 0);
    if (st == VS_OK && out.filter) {
        uint8_t *seen = calloc(out.ntext + 1, 1);
        vrange_list = out.range;
        vrange_n = out.nrange;
        vrange_seen = calloc(out.nrange + 1, 1);
        CHECK(seen && vrange_seen);
        check_tree(out.filter, seen, out.ntext, 0);
        for (uint32_t i = 0; i < out.ntext; i++) CHECK(seen[i]);
        for (uint32_t i = 0; i < out.nrange; i++) CHECK(vrange_seen[i]);
        free(seen);
        free(vrange_seen);
    }
    vs_arena_free(&ar);

    /* The whole command. */
    static const char *scorers[] = {"BM25STD", "BM25", "TFIDF", "TFIDF.DOCNORM", "DOCSCORE", "BM25STD", "NOPE", "bm25"};
    static const char pre[] = "@v:[VECTOR_RANGE $r $q]=>{$YIELD_DISTANCE_AS: d} ";
    uint8_t *qq = malloc(n + 40 + sizeof pre);
    CHECK(qq);
    size_t qn = 0;
    if (data[1] & 128) {
        memcpy(qq, pre, sizeof pre - 1);
        qn = sizeof pre - 1;
    }
    memcpy(qq + qn, q, n);
    qn += n;
    if (flags & 128) {
        memcpy(qq + qn, "=>[KNN 3 @v $q]", 15);
        qn += 15;
    }
    float vec[2] = {1, 2};
    char slop[4];
    snprintf(slop, sizeof slop, "%d", data[1] % 4);
    const char *argv[20];
    size_t lens[20];
    int argc = 0;
#define ARG(s, l) (argv[argc] = (const char *)(s), lens[argc++] = (l))
    ARG("FT.SEARCH", 9);
    ARG("idx", 3);
    ARG(qq, qn);
    if (flags & 1) ARG("VERBATIM", 8);
    if (flags & 2) ARG("INORDER", 7);
    if (flags & 4) { ARG("SLOP", 4); ARG(slop, strlen(slop)); }
    if (flags & 8) ARG("WITHSCORES", 10);
    ARG("SCORER", 6);
    ARG(scorers[(flags >> 4) & 7], strlen(scorers[(flags >> 4) & 7]));
    int has_q = (flags & 128) || memmem(qq, qn, "$q", 2) != NULL, has_r = memmem(qq, qn, "$r", 2) != NULL;
    if (has_q || has_r) {
        ARG("PARAMS", 6);
        ARG(has_q && has_r ? "4" : "2", 1);
        if (has_q) { ARG("q", 1); ARG(vec, sizeof vec); }
        if (has_r) { ARG("r", 1); ARG("2.5", 3); }
    }
    if (data[1] & 64) { ARG("SORTBY", 6); ARG("d", 1); }
    run(argc, argv, lens);
    free(qq);
    RUN("DBSIZE");
    CHECK(vs_reply_len(db) >= 4 && memcmp(vs_reply_data(db), ":5\r\n", 4) == 0);
    return 0;
}
