/* fuzz_framing.c - libFuzzer target: the same request bytes delivered at
 * once or in fragments must give the same replies and the same keyspace.
 *
 * A small front end drives the engine as js/server.js does: each fragment
 * is appended to what is still unconsumed, then vs_exec_pipeline runs the
 * plain requests at the start of it (when no more than fast_max bytes are
 * waiting, and they start with '*'), and where it stops the front end
 * takes one request itself (a strict RESP multibulk parser standing in
 * for js/protocol.js: a request still incomplete waits for more bytes, a
 * malformed one ends the connection) and runs it with vs_exec.
 *
 * Input: byte 0 picks the protocol and the split pattern's style, bytes
 * 1..4 seed the fragment sizes, the rest is the request stream.  Run A
 * gets the stream in one fragment with the fast path always allowed; run
 * B gets it in fragments, with a fast_max from byte 0 (so fast path and
 * per-request execution are compared too).  The reply streams, the
 * unconsumed tails, the connection state and the snapshots of the final
 * keyspaces (after backfill) must be identical. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/base/alloc.h"
#include "../../src/abi/vessel.h"

#define MAX_HDR 32     /* a header line longer than this is malformed */
#define MAX_ARGV 1024  /* more arguments: malformed */
#define MAX_ARG (1u << 20)

typedef struct {
    uint8_t *p;
    size_t len, cap;
} bytes;

static void put(bytes *b, const uint8_t *p, size_t n) {
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n) cap *= 2;
        b->p = realloc(b->p, cap);
        if (!b->p) abort();
        b->cap = cap;
    }
    if (n) memcpy(b->p + b->len, p, n);
    b->len += n;
}

typedef struct {
    vs_db *db;
    int proto;
    size_t fast_max;
    bytes pend; /* received, not consumed */
    bytes out;  /* every reply, in order */
    int dead;   /* a protocol error ended the connection */
    unsigned fast_runs, slow_runs;
} conn;

enum { NEED_MORE, BAD, DONE };

/* "<int>\r\n" at p (after the type byte), at most MAX_HDR bytes before the
 * CR, judged only on bytes that are there: NEED_MORE until the line is
 * complete or too long. */
static int line(const uint8_t *p, size_t avail, long long *v, size_t *used) {
    size_t k = 0;
    while (k < avail && k <= MAX_HDR && p[k] != '\r') k++;
    if (k > MAX_HDR) return BAD;
    if (k == avail || k + 1 == avail) return NEED_MORE;
    if (p[k + 1] != '\n') return BAD;
    size_t i = 0;
    int neg = 0;
    if (k > 0 && p[0] == '-') {
        neg = 1;
        i = 1;
    }
    if (i == k || k - i > 18) return BAD;
    if (p[i] == '0' && k - i > 1) return BAD;
    long long x = 0;
    for (; i < k; i++) {
        if (p[i] < '0' || p[i] > '9') return BAD;
        x = x * 10 + (p[i] - '0');
    }
    *v = neg ? -x : x;
    *used = k + 2;
    return DONE;
}

/* One request at p: DONE with argc (0: an empty request) and used bytes. */
static int parse_one(const uint8_t *p, size_t avail, int *argc, const uint8_t **argv, size_t *argvlen, size_t *used) {
    if (p[0] != '*') return BAD; /* inline commands are js/protocol.js's business */
    long long count;
    size_t u, q;
    int r = line(p + 1, avail - 1, &count, &u);
    if (r != DONE) return r;
    q = 1 + u;
    if (count > MAX_ARGV) return BAD;
    if (count <= 0) {
        *argc = 0;
        *used = q;
        return DONE;
    }
    for (long long i = 0; i < count; i++) {
        if (q >= avail) return NEED_MORE;
        if (p[q] != '$') return BAD;
        long long n;
        r = line(p + q + 1, avail - q - 1, &n, &u);
        if (r != DONE) return r;
        if (n < 0 || n > MAX_ARG) return BAD;
        q += 1 + u;
        if (avail - q < (size_t)n + 2) return NEED_MORE;
        if (p[q + n] != '\r' || p[q + n + 1] != '\n') return BAD;
        argv[i] = p + q;
        argvlen[i] = (size_t)n;
        q += (size_t)n + 2;
    }
    *argc = (int)count;
    *used = q;
    return DONE;
}

static const uint8_t *argv_buf[MAX_ARGV];
static size_t argvlen_buf[MAX_ARGV];

/* A fragment arrives: run everything complete, as js/server.js's pump(). */
static void deliver(conn *c, const uint8_t *p, size_t n) {
    if (c->dead) return;
    put(&c->pend, p, n);
    if (c->pend.len == 0) return;
    size_t off = 0;
    while (off < c->pend.len && !c->dead) {
        const uint8_t *in = c->pend.p + off;
        size_t avail = c->pend.len - off;
        if (avail <= c->fast_max && in[0] == '*') {
            uint32_t info[3] = {0, 0, 0};
            long used = vs_exec_pipeline(c->db, in, avail, c->proto, info);
            if (used < 0 || (size_t)used > avail) abort();
            if ((used > 0) != (info[0] > 0)) abort();
            if (used > 0) {
                put(&c->out, vs_batch_data(c->db), vs_batch_len(c->db));
                if (info[2]) put(&c->out, vs_reply_data(c->db), vs_reply_len(c->db));
                off += (size_t)used;
                c->fast_runs += info[0];
                continue;
            }
        }
        int argc = 0;
        size_t used = 0;
        int r = parse_one(in, avail, &argc, argv_buf, argvlen_buf, &used);
        if (r == NEED_MORE) break;
        if (r == BAD) {
            static const char err[] = "-ERR Protocol error\r\n";
            put(&c->out, (const uint8_t *)err, sizeof err - 1);
            c->dead = 1;
            break;
        }
        if (argc > 0) {
            vs_exec(c->db, argc, argv_buf, argvlen_buf, c->proto);
            put(&c->out, vs_reply_data(c->db), vs_reply_len(c->db));
            c->slow_runs++;
        }
        off += used;
    }
    /* Keep only the unconsumed remainder (the next fragment is appended to it). */
    memmove(c->pend.p, c->pend.p + off, c->pend.len - off);
    c->pend.len -= off;
}

static void snapshot(vs_db *db, bytes *b) {
    while (vs_step(db, 1024)) {
    }
    if (vs_save_begin(db) != 0) abort();
    uint8_t chunk[4096];
    for (;;) {
        long n = vs_save_next(db, chunk, sizeof chunk);
        if (n < 0) abort();
        if (n == 0) break;
        put(b, chunk, (size_t)n);
    }
    vs_save_end(db);
}

static void open_conn(conn *c, int proto, size_t fast_max) {
    memset(c, 0, sizeof *c);
    c->db = vs_open(NULL);
    if (!c->db) abort();
    c->proto = proto;
    c->fast_max = fast_max;
    /* An index before any data, so searches and vector writes get going. */
    const char *create[] = {"FT.CREATE", "i", "PREFIX", "1", "d:", "SCHEMA", "v", "VECTOR", "FLAT", "6", "TYPE",
                            "FLOAT32", "DIM", "1", "DISTANCE_METRIC", "L2", "t", "TAG"};
    size_t cl[18];
    for (int i = 0; i < 18; i++) cl[i] = strlen(create[i]);
    vs_exec(c->db, 18, (const uint8_t *const *)create, cl, 2);
}

static void close_conn(conn *c) {
    vs_close(c->db);
    free(c->pend.p);
    free(c->out.p);
}

static void differ(const char *what, const bytes *a, const bytes *b) {
    size_t i = 0;
    while (i < a->len && i < b->len && a->p[i] == b->p[i]) i++;
    fprintf(stderr, "fuzz_framing: %s differ at byte %zu (lengths %zu, %zu)\n", what, i, a->len, b->len);
    abort();
}

static int same(const bytes *a, const bytes *b) { return a->len == b->len && (a->len == 0 || !memcmp(a->p, b->p, a->len)); }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 5) return 0;
    uint8_t mode = data[0];
    uint32_t seed = (uint32_t)data[1] | (uint32_t)data[2] << 8 | (uint32_t)data[3] << 16 | (uint32_t)data[4] << 24;
    const uint8_t *in = data + 5;
    size_t n = size - 5;
    int proto = (mode & 1) ? 3 : 2;
    static const size_t fast_max[4] = {(size_t)-1, 0, 24, 256}; /* 0: never the fast path */
    static const uint32_t frag_max[4] = {1, 4, 32, 1024};        /* fragments of 1..frag_max bytes */

    conn a, b;
    open_conn(&a, proto, (size_t)-1);
    open_conn(&b, proto, fast_max[(mode >> 1) & 3]);
    deliver(&a, in, n);
    uint32_t x = seed | 1, fmax = frag_max[(mode >> 3) & 3];
    for (size_t off = 0; off < n;) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        size_t len = 1 + x % fmax;
        if (len > n - off) len = n - off;
        deliver(&b, in + off, len);
        off += len;
    }
    if (!same(&a.out, &b.out)) differ("replies", &a.out, &b.out);
    if (a.dead != b.dead) abort();
    if (!a.dead && !same(&a.pend, &b.pend)) differ("unconsumed tails", &a.pend, &b.pend);
    bytes sa = {0}, sb = {0};
    snapshot(a.db, &sa);
    snapshot(b.db, &sb);
    if (!same(&sa, &sb)) differ("keyspace snapshots", &sa, &sb);
    free(sa.p);
    free(sb.p);
    close_conn(&a);
    close_conn(&b);
    if (vs_mem_used() != 0) abort(); /* leaked */
    return 0;
}
