/* test_oom_index.c - allocation failure in writes on a store with search
 * indexes, natively under ASan (tests/js/oom-index.test.js holds the same
 * rule in the wasm build with more cases; this one catches memory errors
 * and leaks in the failure paths themselves).
 *
 * Store: FLAT L2 + TAG + NUMERIC on doc:, HNSW COSINE on doc: and other:,
 * HNSW L2 + NUMERIC on doc:a, HNSW L2 COMPRESSION SQ8 on doc: (overlapping
 * prefixes, INITIAL_CAP 2 so inserts grow the graphs and their codes), and an index left mid-backfill.  For each write, fail
 * the 1st, 2nd, ... allocation until it runs clean: a failure answers OOM,
 * the keyspace, FT.INFO counters, query answers and journal bytes are as
 * before, and a retry without faults gives exactly the twin's result;
 * closing frees every byte.  Backfill steps and journal replay too. */
#include "../../src/base/alloc.h"
#include "vt_cmd.h"

static const char *IDX[] = {"iflat", "icos", "il2", "isq", "ibf", "inew"};

static void setup(vs_db *db) {
    vs_journal_enable(db, 1);
    vt_run(db, "FT.CREATE", "iflat", "PREFIX", "1", "doc:", "SCHEMA", "v", "VECTOR", "FLAT", "8", "TYPE", "FLOAT32",
           "DIM", "2", "DISTANCE_METRIC", "L2", "BLOCK_SIZE", "2", "t", "TAG", "n", "NUMERIC", NULL);
    vt_run(db, "FT.CREATE", "icos", "PREFIX", "2", "doc:", "other:", "SCHEMA", "v", "VECTOR", "HNSW", "12", "TYPE",
           "FLOAT32", "DIM", "2", "DISTANCE_METRIC", "COSINE", "M", "2", "INITIAL_CAP", "2", "EF_CONSTRUCTION", "8",
           "t", "TAG", NULL);
    vt_run(db, "FT.CREATE", "il2", "PREFIX", "1", "doc:a", "SCHEMA", "v", "VECTOR", "HNSW", "12", "TYPE", "FLOAT32",
           "DIM", "2", "DISTANCE_METRIC", "L2", "M", "2", "INITIAL_CAP", "2", "EF_CONSTRUCTION", "8", "n", "NUMERIC",
           NULL);
    vt_run(db, "FT.CREATE", "isq", "PREFIX", "1", "doc:", "SCHEMA", "v", "VECTOR", "HNSW", "14", "TYPE", "FLOAT32",
           "DIM", "2", "DISTANCE_METRIC", "L2", "M", "2", "INITIAL_CAP", "2", "EF_CONSTRUCTION", "8", "COMPRESSION",
           "SQ8", NULL);
    static const char *keys[] = {"doc:0", "doc:1", "doc:2", "doc:a0", "doc:a1", "other:0", "other:1", "plain:0", "plain:1"};
    static const char *vecs[] = {"ABCDEFGH", "abcdefgh", "01234567", "IJKLMNOP", "ijklmnop", "qrstuvwx", "QRSTUVWX", "zzzzzzzz", "yyyyyyyy"};
    char n[16];
    for (int i = 0; i < 9; i++) {
        snprintf(n, sizeof n, "%d", i * 7 % 10);
        vt_run(db, "HSET", keys[i], "v", vecs[i], "t", i % 2 ? "x,y" : "y", "n", n, "title", "t", NULL);
    }
    vt_run(db, "HSET", "doc:bad", "v", "short", "n", "nan", NULL);
    vt_run(db, "SET", "str", "s", NULL);
    vt_run(db, "SET", "doc:s", "s", NULL);
    vt_run(db, "FT.CREATE", "ibf", "PREFIX", "1", "doc:", "SCHEMA", "t", "TAG", "n", "NUMERIC", NULL);
    vs_step(db, 4); /* ibf mid-backfill */
    vs_journal_drain(db, vs_journal_len(db));
}

/* Keyspace, FT._LIST, FT.INFO counters, query answers. */
static char *digest(vs_db *db, size_t *len) {
    size_t n;
    char *d = vt_digest(db, &n);
    vt_buf b = {0};
    vt_buf_put(&b, d, n);
    free(d);
    vt_run(db, "FT._LIST", NULL);
    vt_buf_put(&b, vs_reply_data(db), vs_reply_len(db));
    for (size_t i = 0; i < sizeof IDX / sizeof IDX[0]; i++) {
        const char *x = IDX[i];
        const char *info = vt_info_counters(db, x);
        if (!*info) continue;
        vt_buf_put(&b, info, strlen(info));
        const char *q[][10] = {
            {"FT.SEARCH", x, "@t:{x|y|new}", "NOCONTENT", "LIMIT", "0", "100", NULL},
            {"FT.SEARCH", x, "@n:[-inf +inf]", "SORTBY", "n", "NOCONTENT", "LIMIT", "0", "100", NULL},
            {"FT.SEARCH", x, "*=>[KNN 20 @v $q]", "PARAMS", "2", "q", "ABCDEFGH", "NOCONTENT", "LIMIT", NULL},
        };
        for (size_t k = 0; k < 3; k++) {
            const uint8_t *argv[12];
            size_t lens[12];
            int argc = 0;
            while (q[k][argc]) {
                argv[argc] = (const uint8_t *)q[k][argc];
                lens[argc] = strlen(q[k][argc]);
                argc++;
            }
            if (k == 2) { /* LIMIT 0 100 */
                argc--;
                argv[argc] = (const uint8_t *)"LIMIT", lens[argc++] = 5;
                argv[argc] = (const uint8_t *)"0", lens[argc++] = 1;
                argv[argc] = (const uint8_t *)"100", lens[argc++] = 3;
            }
            vs_exec(db, argc, argv, lens, 2);
            vt_buf_put(&b, vs_reply_data(db), vs_reply_len(db));
        }
    }
    *len = b.n;
    return b.p;
}

typedef struct wcase {
    const char *name;
    const char *argv[40];
} wcase;

static const wcase cases[] = {
    {"hset-new", {"HSET", "doc:new", "v", "abcdabcd", "t", "new", "n", "5", NULL}},
    {"hset-new-a", {"HSET", "doc:anew", "v", "abcdabcd", "t", "new", "n", "5", NULL}},
    {"hset-vec", {"HSET", "doc:1", "v", "00000000", NULL}},
    {"hset-tag", {"HSET", "doc:a1", "t", "new", NULL}},
    {"hset-num", {"HSET", "doc:2", "n", "99", NULL}},
    {"hset-badsize", {"HSET", "doc:0", "v", "1234", NULL}},
    {"hset-fix-bad", {"HSET", "doc:bad", "v", "abcdabcd", "n", "1", NULL}},
    {"hdel", {"HDEL", "doc:1", "v", "t", NULL}},
    {"hdel-all", {"HDEL", "other:1", "v", "t", "n", "title", NULL}},
    {"del", {"DEL", "doc:2", "other:0", "str", NULL}},
    {"unlink", {"UNLINK", "doc:a0", NULL}},
    {"set-over", {"SET", "doc:0", "x", NULL}},
    {"flushall", {"FLUSHALL", NULL}},
    {"ft-create", {"FT.CREATE", "inew", "PREFIX", "1", "doc:", "SCHEMA", "v", "VECTOR", "FLAT", "6", "TYPE",
                   "FLOAT32", "DIM", "2", "DISTANCE_METRIC", "L2", "t", "TAG", NULL}},
    {"ft-create-skip", {"FT.CREATE", "inew", "SKIPINITIALSCAN", "PREFIX", "1", "doc:", "SCHEMA", "t", "TAG", NULL}},
    {"ft-drop", {"FT.DROPINDEX", "icos", NULL}},
    {"ft-drop-dd", {"FT.DROPINDEX", "iflat", "DD", NULL}},
    {"ft-drop-dd-bf", {"FT.DROPINDEX", "ibf", "DD", NULL}},
    {"ft-drop-legacy", {"FT.DROP", "iflat", NULL}},
    {"ft-drop-legacy-bf", {"FT.DROP", "ibf", NULL}},
    {"ft-drop-keepdocs", {"FT.DROP", "icos", "KEEPDOCS", NULL}},
};

static const char *RSRC[] = {"doc:1", "doc:a1", "other:1", "plain:1", "str"};
static const char *RDST[] = {"doc:new", "doc:anew", "other:new", "plain:new", "doc:2", "doc:a0", "other:0", "plain:0", "doc:s", "doc:1"};

static int run_argv(vs_db *db, const char *const *a) {
    const uint8_t *argv[40];
    size_t lens[40];
    int argc = 0;
    while (a[argc]) {
        argv[argc] = (const uint8_t *)a[argc];
        lens[argc] = strlen(a[argc]);
        argc++;
    }
    return vs_exec(db, argc, argv, lens, 2);
}

static char *reply_copy(vs_db *db, size_t *n) {
    *n = vs_reply_len(db);
    char *p = malloc(*n + 1);
    memcpy(p, vs_reply_data(db), *n);
    return p;
}

static char *journal_copy(vs_db *db, size_t *n) {
    *n = vs_journal_len(db);
    char *p = malloc(*n + 1);
    if (*n) memcpy(p, vs_journal_data(db), *n);
    vs_journal_drain(db, *n);
    return p;
}

static int oom_runs;

#define SAME(a, an, b, bn) ((an) == (bn) && memcmp((a), (b), (an)) == 0)

static void sweep(const char *name, const char *const *argv) {
    vs_db *db = vs_open(NULL);
    setup(db);
    size_t n0, n1, rn, jn;
    char *before = digest(db, &n0);
    run_argv(db, argv);
    char *reply = reply_copy(db, &rn);
    char *journal = journal_copy(db, &jn);
    char *after = digest(db, &n1);
    vs_close(db);
    VT_EQ_INT(vs_mem_used(), 0);
    for (unsigned long nth = 1; nth < 100000; nth++) {
        db = vs_open(NULL);
        setup(db);
        vs_fault_inject(nth, 0);
        int st = run_argv(db, argv);
        unsigned long faults = vs_fault_inject(0, 0);
        size_t grn, gjn, gn;
        char *greply = reply_copy(db, &grn);
        char *gjournal = journal_copy(db, &gjn);
        char *got = digest(db, &gn);
        vt_checks++;
        if (st != 0 && grn >= 4 && memcmp(greply, "-OOM", 4) == 0) {
            oom_runs++;
            if (!SAME(got, gn, before, n0)) vt_fail(__FILE__, __LINE__, "%s: fault %lu: failed but changed", name, nth);
            if (gjn) vt_fail(__FILE__, __LINE__, "%s: fault %lu: failed but journaled", name, nth);
            /* The retry gives the twin's result. */
            run_argv(db, argv);
            free(greply);
            free(gjournal);
            free(got);
            greply = reply_copy(db, &grn);
            gjournal = journal_copy(db, &gjn);
            got = digest(db, &gn);
        }
        if (!SAME(greply, grn, reply, rn)) vt_fail(__FILE__, __LINE__, "%s: fault %lu: reply %.*s", name, nth, (int)grn, greply);
        if (!SAME(got, gn, after, n1)) vt_fail(__FILE__, __LINE__, "%s: fault %lu: wrong state", name, nth);
        if (!SAME(gjournal, gjn, journal, jn)) vt_fail(__FILE__, __LINE__, "%s: fault %lu: journal differs", name, nth);
        if (vs_journal_lost(db) != 0) vt_fail(__FILE__, __LINE__, "%s: fault %lu: journal records lost", name, nth);
        free(greply);
        free(gjournal);
        free(got);
        vs_close(db);
        if (vs_mem_used() != 0) vt_fail(__FILE__, __LINE__, "%s: fault %lu: leaked %zu bytes", name, nth, vs_mem_used());
        if (faults == 0) break;
    }
    free(before);
    free(after);
    free(reply);
    free(journal);
}

static void test_writes(void) {
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) sweep(cases[i].name, cases[i].argv);
    char label[64];
    for (size_t s = 0; s < sizeof RSRC / sizeof RSRC[0]; s++)
        for (size_t d = 0; d < sizeof RDST / sizeof RDST[0]; d++)
            for (int nx = 0; nx < 2; nx++) {
                const char *argv[] = {nx ? "RENAMENX" : "RENAME", RSRC[s], RDST[d], NULL};
                snprintf(label, sizeof label, "%s %s %s", argv[0], RSRC[s], RDST[d]);
                sweep(label, argv);
            }
    VT_CHECK(oom_runs > 200);
    fprintf(stderr, "test_oom_index: %d runs answered OOM\n", oom_runs);
}

/* A failed backfill step leaves ibf paused, and retried it ends as the twin's. */
static void test_step(void) {
    vs_db *db = vs_open(NULL);
    setup(db);
    while (vs_step(db, 100)) {
    }
    size_t n1;
    char *done = digest(db, &n1);
    vs_close(db);
    for (unsigned long nth = 1; nth < 10000; nth++) {
        db = vs_open(NULL);
        setup(db);
        vs_fault_inject(nth, 1);
        vs_step(db, 1000);
        unsigned long faults = vs_fault_inject(0, 0);
        while (vs_step(db, 100)) {
        }
        size_t gn;
        char *got = digest(db, &gn);
        vt_checks++;
        if (!SAME(got, gn, done, n1)) vt_fail(__FILE__, __LINE__, "step: fault %lu: retried backfill differs", nth);
        free(got);
        vs_close(db);
        if (vs_mem_used() != 0) vt_fail(__FILE__, __LINE__, "step: fault %lu: leaked %zu bytes", nth, vs_mem_used());
        if (faults == 0) break;
    }
    free(done);
}

/* Replay under fault: an error, or every record applied. */
static void test_replay(void) {
    /* A journal from an empty store: everything is in it. */
    vs_db *db = vs_open(NULL);
    vs_journal_enable(db, 1);
    vt_run(db, "FT.CREATE", "iflat", "PREFIX", "1", "doc:", "SCHEMA", "v", "VECTOR", "FLAT", "6", "TYPE", "FLOAT32",
           "DIM", "2", "DISTANCE_METRIC", "L2", "t", "TAG", NULL);
    vt_run(db, "HSET", "doc:1", "v", "abcdefgh", "t", "x", NULL);
    vt_run(db, "HSET", "doc:2", "v", "ABCDEFGH", "t", "y", NULL);
    vt_run(db, "RENAME", "doc:1", "doc:3", NULL);
    vt_run(db, "HSET", "doc:4", "v", "12345678", NULL);
    vt_run(db, "DEL", "doc:2", NULL);
    size_t jn, n1;
    char *journal = journal_copy(db, &jn);
    char *want = digest(db, &n1);
    vs_close(db);
    for (unsigned long nth = 1; nth < 10000; nth++) {
        db = vs_open(NULL);
        vs_fault_inject(nth, 0);
        int st = vs_journal_replay_begin(db, 2);
        if (st == 0) st = vs_journal_replay_feed(db, (const uint8_t *)journal, jn);
        int st2 = vs_journal_replay_end(db, 0);
        unsigned long faults = vs_fault_inject(0, 0);
        double failed = vs_journal_replay_stat(db, 3);
        while (vs_step(db, 100)) {
        }
        vt_checks++;
        if (st == 0 && st2 == 0) {
            size_t gn;
            char *got = digest(db, &gn);
            if (failed != 0 || !SAME(got, gn, want, n1))
                vt_fail(__FILE__, __LINE__,
                        "replay: fault %lu: reported success with %.0f failed command(s) and %s state "
                        "(src/persist/replay.c apply() counts an OOM as a failed command and goes on)",
                        nth, failed, SAME(got, gn, want, n1) ? "the right" : "another");
            free(got);
        }
        vs_close(db);
        if (vs_mem_used() != 0) vt_fail(__FILE__, __LINE__, "replay: fault %lu: leaked %zu bytes", nth, vs_mem_used());
        if (faults == 0) break;
    }
    free(journal);
    free(want);
}

/* Deleting a key whose hash lacks some of its indexes' fields (so those
 * fields have no room for its id) must not allocate: a deletion cannot be
 * refused, and the vector indexes point at the hash bytes it frees.  For
 * every way a key goes (DEL, UNLINK, expiry, FT.DROPINDEX DD through
 * another index, MOVE's source) and every allocation failed in turn, no
 * index still finds the key afterwards (ASan: no use of freed bytes). */
static void test_removal_never_allocates(void) {
    static const char *const how[][8] = {
        {"DEL", "k", NULL},
        {"UNLINK", "k", NULL},
        {"FT.DROPINDEX", "other", "DD", NULL},
        {"MOVE", "k", "1", NULL},
        {"PEXPIRE", "k", "0", NULL},
    };
    float v[2] = {1, 2};
    for (size_t h = 0; h < sizeof how / sizeof how[0]; h++) {
        for (unsigned long nth = 1; nth < 1000; nth++) {
            vs_db *db = vs_open(NULL);
            vt_run(db, "FT.CREATE", "flat", "SCHEMA", "v", "VECTOR", "FLAT", "6", "TYPE", "FLOAT32", "DIM", "2",
                   "DISTANCE_METRIC", "L2", "t", "TAG", NULL);
            vt_run(db, "FT.CREATE", "hnsw", "SCHEMA", "v", "VECTOR", "HNSW", "6", "TYPE", "FLOAT32", "DIM", "2",
                   "DISTANCE_METRIC", "L2", "n", "NUMERIC", "title", "TEXT", NULL);
            vt_run(db, "FT.CREATE", "other", "SCHEMA", "v", "VECTOR", "FLAT", "6", "TYPE", "FLOAT32", "DIM", "2",
                   "DISTANCE_METRIC", "COSINE", NULL);
            vt_run(db, "HSET", "k", "v", vt_blob(0, v, 2), NULL); /* no t, n, title */
            vs_fault_inject(nth, 0);
            int st = run_argv(db, how[h]);
            unsigned long faults = vs_fault_inject(0, 0);
            vt_checks++;
            int gone = st == 0 && vs_reply_len(db) >= 1 && vs_reply_data(db)[0] != '-';
            if (strcmp(how[h][0], "PEXPIRE") == 0 && gone) vt_run(db, "GET", "k", NULL); /* reaps it */
            for (int i = 0; i < 2; i++) {
                vt_run(db, "FT.SEARCH", i ? "hnsw" : "flat", "*=>[KNN 1 @v $B]", "PARAMS", "2", "B", vt_blob(1, v, 2),
                       "NOCONTENT", "DIALECT", "2", NULL);
                const char *want = gone ? "*1\r\n:0\r\n" : "*2\r\n:1\r\n";
                if (vs_reply_len(db) < strlen(want) || memcmp(vs_reply_data(db), want, strlen(want)) != 0)
                    vt_fail(__FILE__, __LINE__, "%s, fault %lu: %s answers %.*s", how[h][0], nth, i ? "hnsw" : "flat",
                            (int)vs_reply_len(db), (const char *)vs_reply_data(db));
            }
            vs_close(db);
            if (vs_mem_used() != 0) vt_fail(__FILE__, __LINE__, "%s, fault %lu: leaked", how[h][0], nth);
            if (faults == 0) break;
        }
    }
}

int main(void) {
    VT_RUN(test_removal_never_allocates);
    VT_RUN(test_writes);
    VT_RUN(test_step);
    VT_RUN(test_replay);
    VT_DONE();
}
