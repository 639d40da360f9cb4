/* test_oom.c - allocation failure inside every write command.
 *
 * For each write, fail the 1st, 2nd, ... allocation (once, and from then
 * on), until the command runs without hitting the fault.  A failed command
 * must answer an OOM error and leave the keyspace byte-for-byte as it was;
 * a command that absorbed a benign failure must have its full effect.
 * "State" is the keyspace and what the indexes answer.  After each run the
 * store is closed and the allocator must be back to zero bytes: nothing
 * leaked (capacity a failed write reserved may stay until then). */
#include "../../src/base/alloc.h"
#include "vt_cmd.h"

static void setup(vs_db *db) {
    vt_run(db, "FT.CREATE", "idx", "PREFIX", "2", "doc:", "h", "SCHEMA", "v", "VECTOR", "FLAT", "8", "TYPE", "FLOAT32",
           "DIM", "2", "DISTANCE_METRIC", "COSINE", "BLOCK_SIZE", "2", "t", "TAG", "n", "NUMERIC", "a", "TAG", NULL);
    vt_run(db, "FT.CREATE", "hn", "PREFIX", "1", "doc:", "SCHEMA", "v", "VECTOR", "HNSW", "12", "TYPE", "FLOAT32",
           "DIM", "2", "DISTANCE_METRIC", "L2", "M", "2", "INITIAL_CAP", "5", "EF_CONSTRUCTION", "4", NULL);
    char key[16], n[16];
    for (int i = 0; i < 5; i++) {
        snprintf(key, sizeof key, "doc:%d", i);
        snprintf(n, sizeof n, "%d", i * 7 % 5);
        vt_run(db, "HSET", key, "v", i % 2 ? "abcdefgh" : "ABCDEFGH", "t", i % 2 ? "x,y" : "y", "n", n, NULL);
    }
    while (vs_step(db, 100)) {
    }
    vt_run(db, "HSET", "h", "a", "1", "b", "2", NULL);
    vt_run(db, "SET", "s", "str", NULL);
    /* Keys with times (the clock stays at 1000 ms): d:0 and doc:1 have
     * one, k0 expired already (deleted by the first write that looks). */
    vs_set_time(db, 1000, 0);
    vt_run(db, "SET", "d:0", "v", "PXAT", "500000", NULL);
    vt_run(db, "PEXPIREAT", "doc:1", "600000", NULL);
    char f[16];
    for (int i = 0; i < 40; i++) { /* a large (dict-encoded) hash */
        snprintf(f, sizeof f, "f%d", i);
        vt_run(db, "HSET", "big", f, "v", NULL);
    }
    char k[16];
    for (int i = 0; i < 60; i++) { /* enough keys for table growth */
        snprintf(k, sizeof k, "k%d", i);
        vt_run(db, "HSET", k, "x", "1", NULL);
    }
    vt_run(db, "PEXPIREAT", "k0", "2000", NULL);
    for (int i = 1; i <= 13; i++) { /* 16 times: the heap is full, the next one grows it */
        snprintf(k, sizeof k, "k%d", i);
        vt_run(db, "PEXPIREAT", k, "9000000", NULL);
    }
    vs_set_time(db, 3000, 0); /* k0 has expired */
}

typedef struct write_case {
    const char *name;
    const char *argv[64];
} write_case;

static const write_case cases[] = {
    {"index-new-doc", {"HSET", "doc:9", "v", "12345678", "t", "p,q,r", "n", "3.5", NULL}},
    {"index-update", {"HSET", "doc:1", "v", "zzzzzzzz", "t", "y,new", "n", "100", NULL}},
    {"index-bad-values", {"HSET", "doc:2", "v", "short", "n", "nan", NULL}},
    {"index-hdel", {"HDEL", "doc:3", "v", "t", NULL}},
    {"index-rename-in", {"RENAME", "h", "doc:8", NULL}},
    {"index-rename-out", {"RENAME", "doc:0", "zzz", NULL}},
    {"index-del", {"DEL", "doc:4", NULL}},
    {"hnsw-reuse", {"HSET", "doc:0", "v", "00000000", NULL}},
    {"ft-create", {"FT.CREATE", "idx2", "SCHEMA", "t", "TAG", "v", "VECTOR", "FLAT", "6", "TYPE", "FLOAT32", "DIM",
                   "2", "DISTANCE_METRIC", "L2", NULL}},
    {"ft-dropindex", {"FT.DROPINDEX", "idx", NULL}},
    {"ft-dropindex-dd", {"FT.DROPINDEX", "idx", "DD", NULL}},
    {"ft-drop", {"FT.DROP", "idx", NULL}},
    {"ft-drop-keepdocs", {"FT.DROP", "idx", "KEEPDOCS", NULL}},
    {"hset-new-key", {"HSET", "new", "a", "1", "b", "2", NULL}},
    {"hset-overwrite", {"HSET", "h", "a", "10", "c", "3", NULL}},
    {"hset-big", {"HSET", "big", "f1", "x", "g1", "y", "g2", "z", NULL}},
    {"hset-grow-to-dict",
     {"HSET", "h", "c1", "1", "c2", "1", "c3", "1", "c4", "1", "c5", "1", "c6", "1", "c7", "1", "c8", "1",
      "c9", "1", "c10", "1", "c11", "1", "c12", "1", "c13", "1", "c14", "1", "c15", "1", "c16", "1", "c17",
      "1", "c18", "1", "c19", "1", "c20", "1", "c21", "1", "c22", "1", "c23", "1", NULL}},
    {"hmset", {"HMSET", "h", "a", "5", NULL}},
    {"hsetnx", {"HSETNX", "h", "zz", "1", NULL}},
    {"hincrby", {"HINCRBY", "h", "a", "5", NULL}},
    {"hincrbyfloat", {"HINCRBYFLOAT", "new", "f", "1.5", NULL}},
    {"hdel", {"HDEL", "h", "a", "b", NULL}},
    {"set-new", {"SET", "s2", "v", NULL}},
    {"set-over-hash", {"SET", "h", "v", NULL}},
    {"rename", {"RENAME", "h", "h2", NULL}},
    {"rename-over", {"RENAME", "h", "s", NULL}},
    {"del", {"DEL", "h", "s", "nope", NULL}},
    {"flushall", {"FLUSHALL", NULL}},
    {"expire-new", {"EXPIRE", "h", "100", NULL}},
    {"expire-change", {"PEXPIRE", "d:0", "5", "LT", NULL}},
    {"expire-indexed", {"EXPIREAT", "doc:2", "1000000", NULL}},
    {"expire-past", {"PEXPIREAT", "doc:3", "1", NULL}},
    {"persist", {"PERSIST", "doc:1", NULL}},
    {"set-ex-new", {"SET", "s3", "v", "EX", "100", NULL}},
    {"set-ex-over", {"SET", "s", "v", "PX", "100", "GET", NULL}},
    {"set-keepttl", {"SET", "d:0", "w", "KEEPTTL", NULL}},
    {"set-drops-ttl", {"SET", "d:0", "w", NULL}},
    {"setex", {"SETEX", "h", "10", "v", NULL}},
    {"psetex", {"PSETEX", "s4", "10", "v", NULL}},
    {"getex", {"GETEX", "s", "PXAT", "900000", NULL}},
    {"getex-persist", {"GETEX", "d:0", "PERSIST", NULL}},
    {"getex-past", {"GETEX", "d:0", "EXAT", "1", NULL}},
    {"rename-ttl", {"RENAME", "d:0", "doc:1", NULL}},
    {"hset-expired", {"HSET", "k0", "y", "2", NULL}},
};

/* Keyspace digest plus what the indexes answer. */
static char *full_digest(vs_db *db, size_t *len) {
    size_t n;
    char *d = vt_digest(db, &n);
    vt_buf b = {0};
    vt_buf_put(&b, d, n);
    free(d);
    static const char *queries[][12] = {
        {"FT._LIST", NULL},
        {"FT.SEARCH", "idx", "*", "NOCONTENT", "LIMIT", "0", "100", NULL},
        {"FT.SEARCH", "idx", "@t:{x|y|p|new}", "LIMIT", "0", "100", NULL},
        {"FT.SEARCH", "idx", "@n:[-inf +inf]", "SORTBY", "n", "NOCONTENT", NULL},
        {"FT.SEARCH", "idx", "*=>[KNN 10 @v $q]", "PARAMS", "2", "q", "ABCDEFGH", NULL},
        {"FT.SEARCH", "idx2", "*", NULL},
        {"FT.SEARCH", "hn", "*=>[KNN 10 @v $q]", "PARAMS", "2", "q", "ABCDEFGH", "NOCONTENT", NULL},
        {"FT.SEARCH", "hn", "@n:[0 3]", NULL},
    };
    for (size_t i = 0; i < sizeof queries / sizeof queries[0]; i++) {
        const uint8_t *argv[12];
        size_t lens[12];
        int argc = 0;
        while (queries[i][argc]) {
            argv[argc] = (const uint8_t *)queries[i][argc];
            lens[argc] = strlen(queries[i][argc]);
            argc++;
        }
        vs_exec(db, argc, argv, lens, 2);
        vt_buf_put(&b, vs_reply_data(db), vs_reply_len(db));
    }
    /* FT.INFO counters (memory figures excluded). */
    const char *info = vt_info_counters(db, "idx");
    vt_buf_put(&b, info, strlen(info));
    *len = b.n;
    return b.p;
}

static int run_case(vs_db *db, const write_case *wc) {
    const uint8_t *argv[64];
    size_t lens[64];
    int argc = 0;
    while (wc->argv[argc]) {
        argv[argc] = (const uint8_t *)wc->argv[argc];
        lens[argc] = strlen(wc->argv[argc]);
        argc++;
    }
    return vs_exec(db, argc, argv, lens, 2);
}

static int failed_runs; /* runs that answered OOM */

static void sweep(const write_case *wc, int persist) {
    vs_db *db = vs_open(NULL);
    setup(db);
    size_t n0, n1;
    char *before = full_digest(db, &n0);
    VT_EQ_INT(run_case(db, wc), 0);
    char *after = full_digest(db, &n1);
    vs_close(db);
    VT_EQ_INT(vs_mem_used(), 0);

    for (unsigned long nth = 1; nth < 10000; nth++) {
        db = vs_open(NULL);
        setup(db);
        vs_fault_inject(nth, persist);
        int st = run_case(db, wc);
        unsigned long faults = vs_fault_inject(0, 0);
        char reply[64];
        snprintf(reply, sizeof reply, "%.*s", (int)(vs_reply_len(db) < 60 ? vs_reply_len(db) : 60),
                 (const char *)vs_reply_data(db));
        size_t nd;
        char *d = full_digest(db, &nd);
        if (st != 0) {
            failed_runs++;
            if (strncmp(reply, "-OOM", 4) != 0) vt_fail(__FILE__, __LINE__, "%s: reply %s", wc->name, reply);
            if (nd != n0 || memcmp(d, before, nd) != 0)
                vt_fail(__FILE__, __LINE__, "%s: state changed after failed allocation %lu", wc->name, nth);
        } else if (nd != n1 || memcmp(d, after, nd) != 0) {
            vt_fail(__FILE__, __LINE__, "%s: success with wrong state at allocation %lu", wc->name, nth);
        }
        vt_checks++;
        free(d);
        vs_close(db);
        if (vs_mem_used() != 0) vt_fail(__FILE__, __LINE__, "%s: leaked %zu bytes", wc->name, vs_mem_used());
        if (faults == 0) break; /* ran past every allocation */
    }
    free(before);
    free(after);
}

static void test_all_writes(void) {
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sweep(&cases[i], 0);
        sweep(&cases[i], 1);
    }
    /* The sweep really failed commands (the test cannot pass vacuously). */
    VT_CHECK(failed_runs > 100);
    fprintf(stderr, "test_oom: %d runs answered OOM\n", failed_runs);
}

static void test_open_fails_cleanly(void) {
    for (unsigned long nth = 1; nth < 10; nth++) {
        vs_fault_inject(nth, 0);
        vs_db *db = vs_open(NULL);
        vs_fault_inject(0, 0);
        vs_close(db);
        VT_EQ_INT(vs_mem_used(), 0);
    }
}

int main(void) {
    VT_RUN(test_all_writes);
    VT_RUN(test_open_fails_cleanly);
    VT_DONE();
}
