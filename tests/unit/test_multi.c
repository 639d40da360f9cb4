/* test_multi.c - transactions: MULTI/EXEC/DISCARD/WATCH/UNWATCH with
 * Redis 7.0's replies and error texts, watched keys made dirty by every
 * kind of change and by other clients, the journal's MULTI ... EXEC
 * wrapping and its replay (whole or not at all), and allocation failure
 * at every point of a transaction (each command whole or absent, the
 * journal equal to what was applied). */
#define _GNU_SOURCE /* memmem */
#include "../../src/base/alloc.h"
#include "../../src/commands/client.h"
#include "vt_cmd.h"

static void test_basics(void) {
    vs_db *db = vs_open(NULL);
    VT_CMD(db, "-ERR EXEC without MULTI\r\n", "EXEC");
    VT_CMD(db, "-ERR DISCARD without MULTI\r\n", "DISCARD");
    VT_CMD(db, "-ERR wrong number of arguments for 'watch' command\r\n", "WATCH");
    VT_CMD(db, "+OK\r\n", "MULTI");
    VT_CMD(db, "-ERR MULTI calls can not be nested\r\n", "MULTI");
    VT_CMD(db, "-ERR WATCH inside MULTI is not allowed\r\n", "WATCH", "k");
    VT_CMD(db, "+QUEUED\r\n", "HSET", "h", "a", "1");
    VT_CMD(db, "+QUEUED\r\n", "SET", "h", "x"); /* overwrites the hash: fine */
    VT_CMD(db, "+QUEUED\r\n", "HGET", "h", "a");
    VT_CMD(db, "+QUEUED\r\n", "GET", "h");
    VT_CMD(db, "+QUEUED\r\n", "UNWATCH");
    /* Nested MULTI and WATCH inside MULTI do not doom the transaction. */
    VT_TEXT(db, "[1,OK,!WRONGTYPE Operation against a key holding the wrong kind of value,x,OK]", "EXEC");
    VT_CMD(db, "-ERR EXEC without MULTI\r\n", "EXEC");
    /* An empty transaction. */
    VT_CMD(db, "+OK\r\n", "MULTI");
    VT_CMD(db, "*0\r\n", "EXEC");
    /* DISCARD drops the queue. */
    VT_CMD(db, "+OK\r\n", "MULTI");
    VT_CMD(db, "+QUEUED\r\n", "SET", "d", "1");
    VT_CMD(db, "+OK\r\n", "DISCARD");
    VT_CMD(db, "$-1\r\n", "GET", "d");
    /* RESP3: EXEC's null is _ */
    vs_close(db);
    VT_EQ_INT(vs_mem_used(), 0);
}

static void test_queue_errors(void) {
    vs_db *db = vs_open(NULL);
    vt_run(db, "SET", "k", "v", NULL);
    size_t n0;
    char *before = vt_digest(db, &n0);
    VT_CMD(db, "+OK\r\n", "MULTI");
    VT_CMD(db, "+QUEUED\r\n", "SET", "k", "changed");
    VT_CMD(db, "-ERR unknown command 'NOPE', with args beginning with: 'x' \r\n", "NOPE", "x");
    VT_CMD(db, "+QUEUED\r\n", "DEL", "k"); /* acknowledged, dropped: the transaction is doomed */
    VT_CMD(db, "-EXECABORT Transaction discarded because of previous errors.\r\n", "EXEC");
    size_t n1;
    char *after = vt_digest(db, &n1);
    VT_CHECK(n0 == n1 && memcmp(before, after, n0) == 0);
    free(after);
    /* Arity. */
    VT_CMD(db, "+OK\r\n", "MULTI");
    VT_CMD(db, "-ERR wrong number of arguments for 'hset' command\r\n", "HSET", "k", "f");
    VT_CMD(db, "-EXECABORT Transaction discarded because of previous errors.\r\n", "EXEC");
    /* A wrong EXEC ends the transaction, inside MULTI or not (rejectCommand). */
    VT_CMD(db, "+OK\r\n", "MULTI");
    VT_CMD(db, "+QUEUED\r\n", "SET", "k", "changed");
    VT_CMD(db, "-EXECABORT Transaction discarded because of: wrong number of arguments for 'exec' command\r\n", "EXEC", "x");
    VT_CMD(db, "-ERR EXEC without MULTI\r\n", "EXEC");
    VT_CMD(db, "-EXECABORT Transaction discarded because of: wrong number of arguments for 'exec' command\r\n", "EXEC", "x");
    /* A wrong MULTI inside MULTI dooms it; wrong DISCARD too. */
    VT_CMD(db, "+OK\r\n", "MULTI");
    VT_CMD(db, "-ERR wrong number of arguments for 'discard' command\r\n", "DISCARD", "x");
    VT_CMD(db, "-EXECABORT Transaction discarded because of previous errors.\r\n", "EXEC");
    after = vt_digest(db, &n1);
    VT_CHECK(n0 == n1 && memcmp(before, after, n0) == 0);
    free(after);
    free(before);
    /* maxmemory: inside MULTI everything is refused past the limit. */
    vs_close(db);
    vs_options o = {1, 0, 0}; /* 1 byte: always over */
    db = vs_open(&o);
    VT_CMD(db, "+OK\r\n", "MULTI");
    VT_CMD(db, "-OOM command not allowed when used memory > 'maxmemory'.\r\n", "GET", "k");
    VT_CMD(db, "-OOM command not allowed when used memory > 'maxmemory'.\r\n", "MULTI");
    VT_CMD(db, "-EXECABORT Transaction discarded because of previous errors.\r\n", "EXEC");
    vs_close(db);
    VT_EQ_INT(vs_mem_used(), 0);
}

/* Each kind of change to a watched key makes EXEC answer a null array. */
static void test_watch_changes(void) {
    static const char *changes[][6] = {
        {"HSET", "w", "f", "1", NULL},        {"HSET", "w", "a", "1", NULL}, /* same value: still a write */
        {"HDEL", "w", "a", NULL},              {"SET", "w", "x", NULL},
        {"DEL", "w", NULL},                    {"UNLINK", "w", NULL},
        {"RENAME", "w", "other", NULL},        {"RENAME", "h2", "w", NULL},
        {"RENAMENX", "h2", "fresh", NULL},     {"FLUSHALL", NULL},
        {"HINCRBY", "w", "n", "1", NULL},      {"HINCRBYFLOAT", "w", "n", "1.5", NULL},
        {"HSETNX", "w", "new", "1", NULL},     {"HMSET", "w", "a", "2", NULL},
        {"EXPIRE", "w", "100", NULL},
    };
    static const int watch_fresh[] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0};
    for (size_t i = 0; i < sizeof changes / sizeof changes[0]; i++) {
        for (int other = 0; other < 2; other++) {
            vs_db *db = vs_open(NULL);
            vt_run(db, "HSET", "w", "a", "1", NULL);
            vt_run(db, "HSET", "h2", "b", "2", NULL);
            VT_CMD(db, "+OK\r\n", "WATCH", watch_fresh[i] ? "fresh" : "w", "unrelated");
            int id = vs_client_open(db);
            if (other) vs_client_select(db, id); /* another client writes */
            const uint8_t *argv[6];
            size_t lens[6];
            int argc = 0;
            while (changes[i][argc]) {
                argv[argc] = (const uint8_t *)changes[i][argc];
                lens[argc] = strlen(changes[i][argc]);
                argc++;
            }
            vs_exec(db, argc, argv, lens, 2);
            vs_client_select(db, 0);
            VT_CMD(db, "+OK\r\n", "MULTI");
            VT_CMD(db, "+QUEUED\r\n", "SET", "result", "1");
            vt_run(db, "EXEC", NULL);
            if (vs_reply_len(db) != 5 || memcmp(vs_reply_data(db), "*-1\r\n", 5) != 0)
                vt_fail(__FILE__, __LINE__, "%s (other client %d): EXEC did not abort", changes[i][0], other);
            vt_checks++;
            VT_CMD(db, "$-1\r\n", "GET", "result");
            VT_EQ_INT(db->eng.clients.watching, 0); /* EXEC unwatched */
            vs_client_close(db, id);
            vs_close(db);
        }
    }
    VT_EQ_INT(vs_mem_used(), 0);
}

/* What does not change a watched key does not abort. */
static void test_watch_no_change(void) {
    static const char *noops[][6] = {
        {"HDEL", "w", "missing", NULL}, {"DEL", "missing", NULL},     {"HSETNX", "w", "a", "9", NULL},
        {"RENAME", "w", "w", NULL},     {"SET", "w2", "x", "NX", NULL}, {"GET", "w", NULL},
        {"HSET", "unrelated", "a", "1", NULL}, {"FLUSHALL", NULL}, /* FLUSHALL: the watched key w2 does not exist */
    };
    for (size_t i = 0; i < sizeof noops / sizeof noops[0]; i++) {
        vs_db *db = vs_open(NULL);
        vt_run(db, "HSET", "w", "a", "1", NULL);
        vt_run(db, "SET", "w2", "x", NULL);
        if (i == 7) vt_run(db, "DEL", "w", "w2", NULL);
        VT_CMD(db, "+OK\r\n", "WATCH", i == 7 ? "w2" : "w", i == 4 ? "w2" : "zz");
        const uint8_t *argv[6];
        size_t lens[6];
        int argc = 0;
        while (noops[i][argc]) {
            argv[argc] = (const uint8_t *)noops[i][argc];
            lens[argc] = strlen(noops[i][argc]);
            argc++;
        }
        vs_exec(db, argc, argv, lens, 2);
        VT_CMD(db, "+OK\r\n", "MULTI");
        VT_CMD(db, "+QUEUED\r\n", "SET", "result", "1");
        vt_run(db, "EXEC", NULL);
        if (vs_reply_len(db) != 9 || memcmp(vs_reply_data(db), "*1\r\n+OK\r\n", 9) != 0)
            vt_fail(__FILE__, __LINE__, "%s: EXEC aborted", noops[i][0]);
        vt_checks++;
        vs_close(db);
    }
    /* UNWATCH forgets; EXEC and DISCARD unwatch; a closed client unwatches. */
    vs_db *db = vs_open(NULL);
    VT_CMD(db, "+OK\r\n", "WATCH", "a", "b", "a");
    VT_EQ_INT(db->eng.clients.watching, 2);
    vt_run(db, "SET", "a", "1", NULL); /* dirty: its keys are dropped at once (Redis 7.0) */
    VT_EQ_INT(db->eng.clients.watching, 0);
    VT_CMD(db, "+OK\r\n", "UNWATCH"); /* clears DIRTY_CAS */
    VT_CMD(db, "+OK\r\n", "MULTI");
    VT_CMD(db, "+QUEUED\r\n", "SET", "b", "2");
    VT_TEXT(db, "[OK]", "EXEC");
    VT_CMD(db, "+OK\r\n", "WATCH", "a");
    VT_CMD(db, "+OK\r\n", "MULTI");
    VT_CMD(db, "+OK\r\n", "DISCARD");
    VT_EQ_INT(db->eng.clients.watching, 0);
    int id = vs_client_open(db);
    VT_CHECK(id > 0);
    vs_client_select(db, id);
    VT_CMD(db, "+OK\r\n", "WATCH", "a", "b");
    VT_CMD(db, "+OK\r\n", "MULTI");
    VT_CMD(db, "+QUEUED\r\n", "SET", "c", "1");
    VT_EQ_INT(vs_client_state(db) & 7, VS_CLIENT_MULTI);
    VT_CHECK((vs_client_state(db) >> 8) & 1); /* a write is queued */
    vs_client_close(db, id); /* selected: the default client is selected again */
    VT_EQ_INT(db->eng.clients.watching, 0);
    VT_CMD(db, "$-1\r\n", "GET", "c");
    VT_EQ_INT(vs_client_select(db, id), VS_ERR_STATE);
    /* Client ids are reused after close. */
    VT_EQ_INT(vs_client_open(db), id);
    vs_close(db);
    VT_EQ_INT(vs_mem_used(), 0);
}

/* Two clients interleaved: queues are per client. */
static void test_two_clients(void) {
    vs_db *db = vs_open(NULL);
    int a = vs_client_open(db), b = vs_client_open(db);
    vs_client_select(db, a);
    VT_CMD(db, "+OK\r\n", "MULTI");
    VT_CMD(db, "+QUEUED\r\n", "SET", "k", "a");
    vs_client_select(db, b);
    VT_CMD(db, "+OK\r\n", "SET", "k", "b"); /* b is not in MULTI */
    VT_CMD(db, "+OK\r\n", "WATCH", "k");
    vs_client_select(db, a);
    VT_TEXT(db, "[OK]", "EXEC"); /* a's write dirties b */
    vs_client_select(db, b);
    VT_CMD(db, "+OK\r\n", "MULTI");
    VT_CMD(db, "+QUEUED\r\n", "GET", "k");
    VT_CMD(db, "*-1\r\n", "EXEC");
    vs_client_select(db, 0);
    VT_CMD(db, "$1\r\na\r\n", "GET", "k");
    /* RESP3 null array. */
    vs_client_select(db, b);
    VT_CMD(db, "+OK\r\n", "WATCH", "k");
    vs_client_select(db, a);
    vt_run(db, "DEL", "k", NULL);
    vs_client_select(db, b);
    VT_CMD(db, "+OK\r\n", "MULTI");
    const uint8_t *ex[1] = {(const uint8_t *)"EXEC"};
    size_t exl[1] = {4};
    vs_exec(db, 1, ex, exl, 3);
    VT_EQ_MEM(vs_reply_data(db), vs_reply_len(db), "_\r\n");
    vs_close(db);
    VT_EQ_INT(vs_mem_used(), 0);
}


/* WATCH and expiry, as redis-server 7.0.15 answers (checked against it with
 * its active expiry off): a watched key that expires before EXEC aborts it,
 * accessed or not; a key already expired when watched is no change when it
 * is deleted (by a read, DEL, FLUSHALL or the active cycle), but is when it
 * is written; EXPIRE and a PERSIST that removes a time touch the key, a
 * PERSIST that removes nothing does not. */
static void runv(vs_db *db, const char *const *a) {
    const uint8_t *argv[16];
    size_t lens[16];
    int n = 0;
    for (; a[n]; n++) {
        argv[n] = (const uint8_t *)a[n];
        lens[n] = strlen(a[n]);
    }
    vs_exec(db, n, argv, lens, 2);
}

static void watch_case(const char *key, const char *const *setup, long long t_watch,
                       const char *const *mid, long long t_exec, int aborted, int cycle) {
    vs_db *db = vs_open(NULL);
    int w = vs_client_open(db);
    vs_set_time(db, 1000, 0);
    if (setup[0]) runv(db, setup);
    vs_set_time(db, (double)t_watch, 0);
    vs_client_select(db, w);
    VT_CMD(db, "+OK\r\n", "WATCH", key);
    vs_client_select(db, 0);
    vs_set_time(db, (double)t_exec, 0);
    if (mid && mid[0]) runv(db, mid);
    if (cycle) vs_expire_step(db, 100);
    vs_client_select(db, w);
    VT_CMD(db, "+OK\r\n", "MULTI");
    VT_CMD(db, "+QUEUED\r\n", "SET", "zzz", "1");
    if (aborted)
        VT_CMD(db, "*-1\r\n", "EXEC");
    else
        VT_TEXT(db, "[OK]", "EXEC");
    vs_close(db);
    VT_EQ_INT(vs_mem_used(), 0);
}

static void test_watch_expiry(void) {
    static const char *const none[] = {NULL};
    static const char *const set_px[] = {"SET", "k", "1", "PX", "200", NULL};
    static const char *const set[] = {"SET", "k", "1", NULL};
    static const char *const set_ex[] = {"SET", "k", "1", "EX", "100", NULL};
    static const char *const get[] = {"GET", "k", NULL};
    static const char *const set2[] = {"SET", "k", "2", NULL};
    static const char *const del[] = {"DEL", "k", NULL};
    static const char *const flush[] = {"FLUSHALL", NULL};
    static const char *const expire[] = {"EXPIRE", "k", "100", NULL};
    static const char *const persist[] = {"PERSIST", "k", NULL};
    static const char *const hset_px[] = {"HSET", "k", "f", "v", NULL};
    /* not expired at WATCH, expired at EXEC: aborted, read or not */
    watch_case("k", set_px, 1100, none, 1300, 1, 0);
    watch_case("k", set_px, 1100, get, 1300, 1, 0);
    watch_case("k", set_px, 1100, none, 1300, 1, 1);
    /* expired before WATCH: its deletion is no change, a write is */
    watch_case("k", set_px, 1300, none, 1300, 0, 0);
    watch_case("k", set_px, 1300, get, 1300, 0, 0);
    watch_case("k", set_px, 1300, del, 1300, 0, 0);
    watch_case("k", set_px, 1300, flush, 1300, 0, 0);
    watch_case("k", set_px, 1300, none, 1300, 0, 1);
    watch_case("k", set_px, 1300, set2, 1300, 1, 0);
    /* TTL changes */
    watch_case("k", set, 1100, expire, 1100, 1, 0);
    watch_case("k", set, 1100, persist, 1100, 0, 0);
    watch_case("k", set_ex, 1100, persist, 1100, 1, 0);
    /* a hash with a time */
    static const char *const pexp[] = {"PEXPIRE", "k", "200", NULL};
    vs_db *db = vs_open(NULL);
    vs_set_time(db, 1000, 0);
    runv(db, hset_px);
    runv(db, pexp);
    int w = vs_client_open(db);
    vs_client_select(db, w);
    VT_CMD(db, "+OK\r\n", "WATCH", "k");
    vs_set_time(db, 1200, 0); /* exactly at its time: expired */
    VT_CMD(db, "+OK\r\n", "MULTI");
    VT_CMD(db, "+QUEUED\r\n", "HGETALL", "k");
    VT_CMD(db, "*-1\r\n", "EXEC");
    vs_close(db);
    VT_EQ_INT(vs_mem_used(), 0);
}

/* ---- journal ------------------------------------------------------------------ */

static const char *TX[][8] = {
    {"HSET", "h", "a", "1", "b", "2", NULL},
    {"SET", "s", "x", NULL},
    {"HINCRBY", "s", "a", "1", NULL}, /* run-time error: in place, records nothing */
    {"HDEL", "h", "b", NULL},
    {"RENAME", "s", "s2", NULL},
    {"HSET", "h", "c", "3", NULL},
};
#define NTX (sizeof TX / sizeof TX[0])

static void run_argv(vs_db *db, const char *const *a) {
    const uint8_t *argv[8];
    size_t lens[8];
    int argc = 0;
    while (a[argc]) {
        argv[argc] = (const uint8_t *)a[argc];
        lens[argc] = strlen(a[argc]);
        argc++;
    }
    vs_exec(db, argc, argv, lens, 2);
}

static void run_tx(vs_db *db) {
    vt_run(db, "MULTI", NULL);
    for (size_t i = 0; i < NTX; i++) run_argv(db, TX[i]);
    vt_run(db, "EXEC", NULL);
}

static vs_db *replayed(const uint8_t *j, size_t n, int *st) {
    vs_db *r = vs_open(NULL);
    vs_journal_replay_begin(r, 2);
    int a = vs_journal_replay_feed(r, j, n);
    int b = vs_journal_replay_end(r, 0);
    *st = a ? a : b;
    return r;
}

static int same_state(vs_db *a, vs_db *b) {
    size_t na, nb;
    char *da = vt_digest(a, &na), *db_ = vt_digest(b, &nb);
    int same = na == nb && memcmp(da, db_, na) == 0;
    free(da);
    free(db_);
    return same;
}

static void test_journal(void) {
    vs_db *db = vs_open(NULL);
    vs_journal_enable(db, 1);
    vt_run(db, "SET", "before", "1", NULL);
    size_t pre = vs_journal_len(db);
    /* A transaction that writes nothing records nothing. */
    vt_run(db, "MULTI", NULL);
    vt_run(db, "GET", "before", NULL);
    vt_run(db, "HDEL", "nokey", "f", NULL);
    vt_run(db, "EXEC", NULL);
    VT_EQ_INT(vs_journal_len(db), pre);
    run_tx(db);
    VT_EQ_MEM(vs_reply_data(db), vs_reply_len(db),
              "*6\r\n:2\r\n+OK\r\n-WRONGTYPE Operation against a key holding the wrong kind of value\r\n:1\r\n+OK\r\n:1\r\n");
    vt_run(db, "SET", "after", "1", NULL);
    size_t n = vs_journal_len(db);
    uint8_t *j = malloc(n);
    memcpy(j, vs_journal_data(db), n);
    /* The transaction: MULTI first, EXEC, then one check. */
    const char *multi = "*1\r\n$5\r\nMULTI\r\n";
    const uint8_t *m = memmem(j + pre, n - pre, multi, strlen(multi));
    VT_CHECK(m == j + pre);
    const char *exec = "*1\r\n$4\r\nEXEC\r\n*2\r\n$4\r\nPING\r\n$26\r\nvessel-ck:";
    const uint8_t *e = memmem(j, n, exec, strlen(exec));
    VT_CHECK(e != NULL);
    /* No check record inside the transaction. */
    const uint8_t *ck = memmem(m, (size_t)(e - m), "vessel-ck:", 10);
    VT_CHECK(ck == NULL);
    size_t tx_end = (size_t)(e - j) + strlen(exec) + 16 + 2;
    int st;
    vs_db *r = replayed(j, n, &st);
    VT_EQ_INT(st, 0);
    VT_CHECK(same_state(db, r));
    vs_close(r);
    /* Cut anywhere inside the transaction or its check: none of it. */
    vs_db *base = vs_open(NULL);
    vt_run(base, "SET", "before", "1", NULL);
    int torn = 0;
    for (size_t cut = pre + 1; cut < tx_end; cut++) {
        r = replayed(j, cut, &st);
        if (st == 0) torn++;
        VT_CHECK(same_state(base, r));
        vs_close(r);
    }
    VT_CHECK(torn > 0);
    vs_close(base);
    /* A MULTI inside a checked group that is not its first record is damage. */
    free(j);
    vs_close(db);
    VT_EQ_INT(vs_mem_used(), 0);
}

/* Format 1 (plain RESP): a transaction applies once its EXEC arrives. */
static void test_plain_replay(void) {
    const char *plain = "*3\r\n$3\r\nSET\r\n$1\r\na\r\n$1\r\n1\r\n"
                        "*1\r\n$5\r\nMULTI\r\n*3\r\n$3\r\nSET\r\n$1\r\nb\r\n$1\r\n2\r\n"
                        "*3\r\n$3\r\nSET\r\n$1\r\nc\r\n$1\r\n3\r\n*1\r\n$4\r\nEXEC\r\n";
    size_t n = strlen(plain);
    for (size_t cut = 0; cut <= n; cut++) {
        vs_db *r = vs_open(NULL);
        vs_journal_replay_begin(r, 1);
        /* fed byte by byte: the transaction waits for its EXEC */
        for (size_t i = 0; i < cut; i++) vs_journal_replay_feed(r, (const uint8_t *)plain + i, 1);
        VT_EQ_INT(vs_journal_replay_end(r, 0), 0);
        vt_run(r, "DBSIZE", NULL);
        const char *want = cut == n ? ":3\r\n" : cut >= 27 ? ":1\r\n" : ":0\r\n"; /* 27: the first SET */
        VT_EQ_MEM(vs_reply_data(r), vs_reply_len(r), want);
        vs_close(r);
    }
    VT_EQ_INT(vs_mem_used(), 0);
}

/* ---- allocation failure --------------------------------------------------------- */

/* Fail the nth allocation of MULTI, the queueing and EXEC: every command
 * of the transaction is whole or absent, the reply says which, and the
 * journal replays to the same state. */
static void test_oom(void) {
    int failed = 0, aborted = 0;
    for (int persist = 0; persist < 2; persist++) {
        for (unsigned long nth = 1; nth < 5000; nth++) {
            vs_db *db = vs_open(NULL);
            vs_journal_enable(db, 1);
            vt_run(db, "HSET", "h", "a", "0", NULL);
            vt_run(db, "SET", "w", "x", NULL);
            vt_run(db, "WATCH", "w", NULL);
            vs_fault_inject(nth, persist);
            vt_run(db, "MULTI", NULL);
            for (size_t i = 0; i < NTX; i++) run_argv(db, TX[i]);
            int exec_st = vt_run(db, "EXEC", NULL);
            unsigned long faults = vs_fault_inject(0, 0);
            size_t rn = vs_reply_len(db);
            char *reply = malloc(rn + 1);
            memcpy(reply, vs_reply_data(db), rn);
            reply[rn] = 0;
            /* The expected state: the commands EXEC reports as done, run alone. */
            vs_db *ref = vs_open(NULL);
            vt_run(ref, "HSET", "h", "a", "0", NULL);
            vt_run(ref, "SET", "w", "x", NULL);
            if (exec_st != 0 || reply[0] != '*') {
                aborted++;
                if (strncmp(reply, "-EXECABORT", 10) != 0 && strncmp(reply, "-OOM", 4) != 0 &&
                    strncmp(reply, "-ERR", 4) != 0)
                    vt_fail(__FILE__, __LINE__, "nth %lu: EXEC answered %s", nth, reply);
            } else {
                /* Walk the array: an -OOM element is a command not applied. */
                size_t pos = (size_t)(strchr(reply, '\n') - reply) + 1;
                for (size_t i = 0; i < NTX; i++) {
                    int oom = strncmp(reply + pos, "-OOM", 4) == 0;
                    if (oom) failed++;
                    else run_argv(ref, TX[i]);
                    /* skip the element (simple, error, integer or a bulk) */
                    if (reply[pos] == '$') {
                        long len = atol(reply + pos + 1);
                        pos = (size_t)(strchr(reply + pos, '\n') - reply) + 1 + (size_t)(len >= 0 ? len + 2 : 0);
                    } else {
                        pos = (size_t)(strchr(reply + pos, '\n') - reply) + 1;
                    }
                }
            }
            vt_checks++;
            if (!same_state(db, ref)) vt_fail(__FILE__, __LINE__, "nth %lu persist %d: state is not whole commands", nth, persist);
            /* The journal replays to the same state. */
            vs_db *rep = vs_open(NULL);
            vs_journal_replay_begin(rep, 2);
            vs_journal_replay_feed(rep, vs_journal_data(db), vs_journal_len(db));
            VT_EQ_INT(vs_journal_replay_end(rep, 0), 0);
            if (!same_state(db, rep)) vt_fail(__FILE__, __LINE__, "nth %lu: the journal does not replay to the state", nth);
            free(reply);
            vs_close(rep);
            vs_close(ref);
            vs_close(db);
            if (vs_mem_used() != 0) vt_fail(__FILE__, __LINE__, "nth %lu: leaked %zu bytes", nth, vs_mem_used());
            if (faults == 0) break;
        }
    }
    fprintf(stderr, "test_multi: %d commands failed in place, %d transactions refused whole\n", failed, aborted);
    VT_CHECK(failed > 0 && aborted > 0);
}

int main(void) {
    VT_RUN(test_basics);
    VT_RUN(test_queue_errors);
    VT_RUN(test_watch_changes);
    VT_RUN(test_watch_no_change);
    VT_RUN(test_two_clients);
    VT_RUN(test_watch_expiry);
    VT_RUN(test_journal);
    VT_RUN(test_plain_replay);
    VT_RUN(test_oom);
    VT_DONE();
}
