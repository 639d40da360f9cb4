/* test_oom_db.c - allocation failure inside the numbered databases'
 * commands and loads.
 *
 * As test_oom.c: for each case fail the 1st, 2nd, ... allocation (once,
 * and from then on) until the case runs past every allocation.  A failed
 * command must answer an OOM error and leave every database as it was: its
 * keys (with expiry times), what its indexes and aliases answer, which
 * databases exist at all (a database a failed command made is dropped
 * again) and which one the client has selected; and the bytes allocated
 * must be back to where they were before the command whenever a database
 * was to be made.  A run that absorbed a failure must have the full
 * effect.  After each run the store is closed and the allocator must be
 * back to zero bytes.
 *
 * The cases: SELECT (a database made, or not), SWAPDB (with databases not
 * yet made), MOVE of hash and string keys with expiry times into a
 * database not yet made and into an existing one whose index must take
 * the document, FLUSHDB of indexed databases, FT.CREATE and FT.ALIASADD
 * in database 3, and a snapshot load and an RDB import holding several
 * databases (into an empty store and over one with keys). */
#include "../../src/base/alloc.h"
#include "vt_cmd.h"

#define NDB 16

/* Run a command inside database d without making it (reads only). */
static void in_db(vs_db *db, uint32_t d, void (*fn)(vs_db *, vt_buf *), vt_buf *b) {
    vs_engine *e = &db->eng;
    uint32_t was = e->client->db;
    vs_store *ws = e->store;
    e->client->db = d;
    e->store = &e->dbs[d]->store;
    fn(db, b);
    e->client->db = was;
    e->store = ws;
}

static void put_reply(vs_db *db, vt_buf *b, const char *const *q) {
    const uint8_t *argv[16];
    size_t lens[16];
    int argc = 0;
    while (q[argc]) {
        argv[argc] = (const uint8_t *)q[argc];
        lens[argc] = strlen(q[argc]);
        argc++;
    }
    vs_exec(db, argc, argv, lens, 2);
    vt_buf_put(b, vs_reply_data(db), vs_reply_len(db));
}

/* One database's keys and what its indexes and aliases answer. */
static void db_digest(vs_db *db, vt_buf *b) {
    size_t n;
    char *d = vt_digest(db, &n);
    vt_buf_put(b, d, n);
    free(d);
    static const char *queries[][10] = {
        {"FT._LIST", NULL},
        {"FT.SEARCH", "idx", "*", "NOCONTENT", "LIMIT", "0", "100", NULL},
        {"FT.SEARCH", "idx", "@t:{a|b|c}", "SORTBY", "n", "NOCONTENT", NULL},
        {"FT.SEARCH", "idx2", "*", "LIMIT", "0", "100", NULL},
        {"FT.SEARCH", "al", "*", "NOCONTENT", NULL},
        {"FT.SEARCH", "i3", "*", "NOCONTENT", NULL},
        {"FT.SEARCH", "a3", "*", "NOCONTENT", NULL},
    };
    for (size_t i = 0; i < sizeof queries / sizeof queries[0]; i++) put_reply(db, b, queries[i]);
}

/* Every database (whether it exists at all) and the selection. */
static char *full_digest(vs_db *db, size_t *len) {
    vt_buf b = {0};
    char h[48];
    snprintf(h, sizeof h, "sel=%u;", db->eng.client->db);
    vt_buf_put(&b, h, strlen(h));
    for (uint32_t d = 0; d < NDB; d++) {
        snprintf(h, sizeof h, "|db%u:", d);
        vt_buf_put(&b, h, strlen(h));
        if (!vs_engine_db_if(&db->eng, d)) {
            vt_buf_put(&b, "-", 1);
            continue;
        }
        in_db(db, d, db_digest, &b);
    }
    *len = b.n;
    return b.p;
}

static void settle(vs_db *db) {
    while (vs_step(db, 1000)) {
    }
}

/* Database 0: indexed documents (one with an expiry time), a hash and a
 * string with expiry times, an alias.  Database 2: an index over the same
 * prefix (MOVE into it indexes the document) and a document of its own.
 * Database 5: a few keys.  Databases 3, 4, ... not made. */
static void setup(vs_db *db) {
    vs_set_time(db, 1000, 0);
    vt_run(db, "FT.CREATE", "idx", "PREFIX", "1", "doc:", "SCHEMA", "t", "TAG", "n", "NUMERIC", "SORTABLE", "v", "VECTOR",
           "FLAT", "6", "TYPE", "FLOAT32", "DIM", "2", "DISTANCE_METRIC", "L2", NULL);
    vt_run(db, "FT.ALIASADD", "al", "idx", NULL);
    char key[16], n[16];
    for (int i = 0; i < 6; i++) {
        snprintf(key, sizeof key, "doc:%d", i);
        snprintf(n, sizeof n, "%d", (i * 7) % 5);
        vt_run(db, "HSET", key, "t", i % 2 ? "a,b" : "c", "n", n, "v", i % 2 ? "abcdefgh" : "ABCDEFGH", NULL);
    }
    vt_run(db, "PEXPIREAT", "doc:1", "600000", NULL);
    vt_run(db, "HSET", "h", "a", "1", "b", "2", NULL);
    vt_run(db, "PEXPIREAT", "h", "700000", NULL);
    vt_run(db, "SET", "s", "str", "PXAT", "800000", NULL);
    vt_run(db, "SET", "plain", "x", NULL);
    vt_run(db, "SELECT", "2", NULL);
    vt_run(db, "FT.CREATE", "idx2", "PREFIX", "1", "doc:", "SCHEMA", "t", "TAG", "n", "NUMERIC", NULL);
    vt_run(db, "HSET", "doc:2", "t", "z", "n", "9", NULL);
    vt_run(db, "HSET", "doc:9", "t", "y", "n", "8", NULL);
    vt_run(db, "SELECT", "5", NULL);
    vt_run(db, "SET", "k5", "v5", NULL);
    vt_run(db, "HSET", "h5", "f", "v", NULL);
    vt_run(db, "SELECT", "0", NULL);
    settle(db);
}

typedef struct db_case {
    const char *name;
    const char *pre[3][24]; /* run (no faults) before the command */
    const char *argv[32];
    int makes; /* a database may be made: a failure must free it all */
} db_case;

static const db_case cases[] = {
    {"select-new", {{NULL}}, {"SELECT", "3", NULL}, 1},
    {"select-existing", {{NULL}}, {"SELECT", "5", NULL}, 0},
    {"swapdb-new", {{NULL}}, {"SWAPDB", "0", "3", NULL}, 1},
    {"swapdb-both-new", {{NULL}}, {"SWAPDB", "4", "6", NULL}, 1},
    {"swapdb-existing", {{NULL}}, {"SWAPDB", "2", "0", NULL}, 0},
    {"move-hash-new-db", {{NULL}}, {"MOVE", "h", "3", NULL}, 1},
    {"move-string-new-db", {{NULL}}, {"MOVE", "s", "3", NULL}, 1},
    {"move-indexed-new-db", {{NULL}}, {"MOVE", "doc:1", "3", NULL}, 1},
    {"move-hash-existing", {{NULL}}, {"MOVE", "h", "5", NULL}, 0},
    {"move-string-existing", {{NULL}}, {"MOVE", "s", "5", NULL}, 0},
    {"move-into-index", {{NULL}}, {"MOVE", "doc:1", "2", NULL}, 0},
    {"move-into-index-plain", {{NULL}}, {"MOVE", "doc:4", "2", NULL}, 0},
    {"move-out-of-index", {{"SELECT", "2", NULL}}, {"MOVE", "doc:9", "0", NULL}, 0},
    {"move-collision", {{NULL}}, {"MOVE", "doc:2", "2", NULL}, 0},
    {"flushdb-indexed", {{NULL}}, {"FLUSHDB", NULL}, 0},
    {"flushdb-db2", {{"SELECT", "2", NULL}}, {"FLUSHDB", NULL}, 0},
    {"flushall", {{NULL}}, {"FLUSHALL", NULL}, 0},
    {"ft-create-db3",
     {{"SELECT", "3", NULL}, {"HSET", "doc:7", "t", "q", "n", "1", NULL}},
     {"FT.CREATE", "i3", "PREFIX", "1", "doc:", "SCHEMA", "t", "TAG", "n", "NUMERIC", NULL},
     0},
    {"ft-aliasadd-db3",
     {{"SELECT", "3", NULL}, {"FT.CREATE", "i3", "PREFIX", "1", "doc:", "SCHEMA", "t", "TAG", NULL}},
     {"FT.ALIASADD", "a3", "i3", NULL},
     0},
    {"hset-db3-indexed",
     {{"SELECT", "3", NULL}, {"FT.CREATE", "i3", "PREFIX", "1", "doc:", "SCHEMA", "t", "TAG", NULL}},
     {"HSET", "doc:8", "t", "w", NULL},
     0},
};

static int run_argv(vs_db *db, const char *const *a) {
    const uint8_t *argv[32];
    size_t lens[32];
    int argc = 0;
    while (a[argc]) {
        argv[argc] = (const uint8_t *)a[argc];
        lens[argc] = strlen(a[argc]);
        argc++;
    }
    return vs_exec(db, argc, argv, lens, 2);
}

static void prepare(vs_db *db, const db_case *c) {
    setup(db);
    for (int i = 0; i < 3 && c->pre[i][0]; i++) VT_EQ_INT(run_argv(db, c->pre[i]), 0);
    settle(db);
}

static int failed_runs, absorbed_runs;

static void sweep(const db_case *c, int persist) {
    vs_db *db = vs_open(NULL);
    prepare(db, c);
    size_t n0, n1;
    char *before = full_digest(db, &n0);
    VT_EQ_INT(run_argv(db, c->argv), 0);
    settle(db);
    char *after = full_digest(db, &n1);
    if (strcmp(c->name, "move-collision") != 0) VT_CHECK(n0 != n1 || memcmp(before, after, n0) != 0);
    vs_close(db);
    VT_EQ_INT(vs_mem_used(), 0);

    for (unsigned long nth = 1; nth < 20000; nth++) {
        db = vs_open(NULL);
        prepare(db, c);
        size_t mem0 = vs_mem_used();
        vs_fault_inject(nth, persist);
        int st = run_argv(db, c->argv);
        unsigned long faults = vs_fault_inject(0, 0);
        size_t mem1 = vs_mem_used();
        char reply[64];
        snprintf(reply, sizeof reply, "%.*s", (int)(vs_reply_len(db) < 60 ? vs_reply_len(db) : 60),
                 (const char *)vs_reply_data(db));
        settle(db);
        size_t nd;
        char *d = full_digest(db, &nd);
        if (st != 0) {
            failed_runs++;
            if (strncmp(reply, "-OOM", 4) != 0) vt_fail(__FILE__, __LINE__, "%s: reply %s", c->name, reply);
            if (nd != n0 || memcmp(d, before, nd) != 0)
                vt_fail(__FILE__, __LINE__, "%s: state changed after failed allocation %lu", c->name, nth);
            if (c->makes && mem1 != mem0)
                vt_fail(__FILE__, __LINE__, "%s: allocation %lu failed, %zu bytes before, %zu after", c->name, nth,
                        mem0, mem1);
        } else {
            if (faults) absorbed_runs++;
            if (nd != n1 || memcmp(d, after, nd) != 0)
                vt_fail(__FILE__, __LINE__, "%s: success with wrong state at allocation %lu", c->name, nth);
        }
        vt_checks++;
        free(d);
        vs_close(db);
        if (vs_mem_used() != 0) vt_fail(__FILE__, __LINE__, "%s: leaked %zu bytes", c->name, vs_mem_used());
        if (faults == 0) break;
    }
    free(before);
    free(after);
}

static void test_commands(void) {
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sweep(&cases[i], 0);
        sweep(&cases[i], 1);
    }
}

/* ---- loads ------------------------------------------------------------------ */

typedef struct bytes {
    uint8_t *p;
    size_t n;
} bytes;

static bytes save_snapshot(vs_db *db) {
    bytes b = {0};
    VT_EQ_INT(vs_save_begin(db), 0);
    size_t total = (size_t)vs_save_size(db);
    b.p = malloc(total + 1);
    long k;
    while ((k = vs_save_next(db, b.p + b.n, total + 1 - b.n)) > 0) b.n += (size_t)k;
    VT_CHECK(k == 0);
    vs_save_end(db);
    VT_EQ_INT(b.n, total);
    return b;
}

static bytes save_rdb(vs_db *db) {
    bytes b = {0};
    size_t cap = 1 << 16;
    b.p = malloc(cap);
    VT_EQ_INT(vs_rdb_save_begin(db), 0);
    long k;
    while ((k = vs_rdb_save_next(db, b.p + b.n, cap - b.n)) > 0) {
        b.n += (size_t)k;
        if (cap - b.n < 4096) b.p = realloc(b.p, cap *= 2);
    }
    VT_CHECK(k == 0);
    vs_rdb_save_end(db);
    return b;
}

static int load_snapshot(vs_db *db, const bytes *b) {
    if (vs_load_begin(db, (double)b->n) != 0) return -1;
    int st = 0;
    for (size_t off = 0; off < b->n && st == 0; off += 777)
        st = vs_load_feed(db, b->p + off, b->n - off < 777 ? b->n - off : 777);
    if (st) {
        vs_load_abort(db);
        return st;
    }
    return vs_load_end(db);
}

static int load_rdb(vs_db *db, const bytes *b) {
    int st = vs_rdb_load_begin(db, (double)b->n, 1);
    for (size_t off = 0; off < b->n && st == 0; off += 777)
        st = vs_rdb_load_feed(db, b->p + off, b->n - off < 777 ? b->n - off : 777);
    if (st) {
        vs_rdb_load_abort(db);
        return st;
    }
    return vs_rdb_load_end(db);
}

/* The store a load starts from: empty, or database 0 and 4 with keys
 * (and an index in 4) that the load replaces. */
static void target(vs_db *db, int full) {
    vs_set_time(db, 1000, 0);
    if (!full) return;
    vt_run(db, "SET", "old", "1", NULL);
    vt_run(db, "SELECT", "4", NULL);
    vt_run(db, "FT.CREATE", "old4", "SCHEMA", "t", "TAG", NULL);
    vt_run(db, "HSET", "o4", "t", "x", NULL);
    vt_run(db, "SELECT", "0", NULL);
    settle(db);
}

static void sweep_load(const char *name, int rdb, int full, int persist) {
    vs_db *src = vs_open(NULL);
    setup(src);
    vt_run(src, "SELECT", "15", NULL);
    vt_run(src, "SET", "k15", "v", "PXAT", "900000", NULL);
    vt_run(src, "SELECT", "0", NULL);
    bytes file = rdb ? save_rdb(src) : save_snapshot(src);
    vs_close(src);

    vs_db *db = vs_open(NULL);
    target(db, full);
    size_t n0, n1;
    char *before = full_digest(db, &n0);
    VT_EQ_INT(rdb ? load_rdb(db, &file) : load_snapshot(db, &file), 0);
    settle(db);
    char *after = full_digest(db, &n1);
    VT_CHECK(strstr(after, "|db15:-") == NULL); /* database 15 was loaded */
    vs_close(db);
    VT_EQ_INT(vs_mem_used(), 0);

    for (unsigned long nth = 1; nth < 50000; nth++) {
        db = vs_open(NULL);
        target(db, full);
        size_t mem0 = vs_mem_used();
        vs_fault_inject(nth, persist);
        int st = rdb ? load_rdb(db, &file) : load_snapshot(db, &file);
        unsigned long faults = vs_fault_inject(0, 0);
        size_t mem1 = vs_mem_used();
        settle(db);
        size_t nd;
        char *d = full_digest(db, &nd);
        if (st != 0) {
            failed_runs++;
            if (nd != n0 || memcmp(d, before, nd) != 0)
                vt_fail(__FILE__, __LINE__, "%s: state changed after failed allocation %lu", name, nth);
            if (mem1 != mem0)
                vt_fail(__FILE__, __LINE__, "%s: allocation %lu failed, %zu bytes before, %zu after", name, nth, mem0,
                        mem1);
        } else {
            if (faults) absorbed_runs++;
            if (nd != n1 || memcmp(d, after, nd) != 0)
                vt_fail(__FILE__, __LINE__, "%s: success with wrong state at allocation %lu", name, nth);
        }
        vt_checks++;
        free(d);
        vs_close(db);
        if (vs_mem_used() != 0) vt_fail(__FILE__, __LINE__, "%s: leaked %zu bytes", name, vs_mem_used());
        if (faults == 0) break;
    }
    free(before);
    free(after);
    free(file.p);
}

static void test_loads(void) {
    for (int persist = 0; persist < 2; persist++) {
        sweep_load("snapshot-into-empty", 0, 0, persist);
        sweep_load("snapshot-over-keys", 0, 1, persist);
        sweep_load("rdb-into-empty", 1, 0, persist);
        sweep_load("rdb-over-keys", 1, 1, persist);
    }
}

int main(void) {
    VT_RUN(test_commands);
    VT_RUN(test_loads);
    VT_CHECK(failed_runs > 100);
    fprintf(stderr, "test_oom_db: %d runs answered OOM, %d absorbed a failure\n", failed_runs, absorbed_runs);
    VT_DONE();
}
