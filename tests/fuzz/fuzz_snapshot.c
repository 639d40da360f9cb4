/* fuzz_snapshot.c - libFuzzer target for the snapshot loader and the
 * journal replay.
 *
 * The first input byte chooses the mode (bit 0: journal, else snapshot;
 * bit 1: a snapshot declared 1000 bytes longer than it is, or a journal
 * replayed with repair; for a journal, bit 2: format 1, plain RESP, else
 * format 2, records sealed by check records) and the chunk size; the rest
 * is fed, in chunks,
 * to a store that already holds data and indexes.  Whatever the bytes: no
 * crash, no sanitizer report, no leak, and a refused snapshot leaves the
 * store exactly as it was (DBSIZE, the index's documents, a hash).  The corpus
 * is seeded with real snapshots (tests/fuzz/corpus/snapshot/), so the
 * fuzzer mutates valid files, not only noise. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/base/alloc.h"
#include "../../src/abi/vessel.h"

static void run(vs_db *db, const char **argv, int argc) {
    size_t lens[32];
    for (int i = 0; i < argc; i++) lens[i] = strlen(argv[i]);
    vs_exec(db, argc, (const uint8_t *const *)argv, lens, 2);
}

static void setup(vs_db *db) {
    const char *a[] = {"FT.CREATE", "i", "SCHEMA", "v", "VECTOR", "HNSW", "8", "TYPE", "FLOAT32", "DIM", "2",
                       "DISTANCE_METRIC", "L2", "M", "3", "t", "TAG"};
    run(db, a, 17);
    const char *h1[] = {"HSET", "k1", "v", "abcdefgh", "t", "x"};
    run(db, h1, 6);
    const char *h2[] = {"HSET", "k2", "v", "12345678", "t", "y"};
    run(db, h2, 6);
}

/* A fingerprint of the store: DBSIZE, the index's documents, one hash. */
static size_t fingerprint(vs_db *db, uint8_t *out, size_t cap) {
    const char *a[] = {"DBSIZE"};
    run(db, a, 1);
    size_t n = vs_reply_len(db) < cap ? vs_reply_len(db) : cap;
    memcpy(out, vs_reply_data(db), n);
    const char *b[] = {"FT.SEARCH", "i", "*", "NOCONTENT"};
    run(db, b, 4);
    size_t m = vs_reply_len(db) < cap - n ? vs_reply_len(db) : cap - n;
    memcpy(out + n, vs_reply_data(db), m);
    const char *c[] = {"HGETALL", "k1"};
    run(db, c, 2);
    size_t o = vs_reply_len(db) < cap - n - m ? vs_reply_len(db) : cap - n - m;
    memcpy(out + n + m, vs_reply_data(db), o);
    return n + m + o;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    uint8_t mode = data[0];
    data++;
    size--;
    size_t chunk = 1 + (size_t)(mode >> 1) * 37;
    vs_db *db = vs_open(NULL);
    if (!db) return 0;
    setup(db);
    if (mode & 1) {
        /* Journal replay. */
        vs_journal_replay_begin(db, (mode & 4) ? 1 : 2);
        for (size_t off = 0; off < size; off += chunk)
            vs_journal_replay_feed(db, data + off, size - off < chunk ? size - off : chunk);
        vs_journal_replay_end(db, mode & 2);
        while (vs_step(db, 64)) {
        }
    } else {
        static uint8_t before[4096], after[4096];
        size_t nb = fingerprint(db, before, sizeof before);
        /* mode bit 1: declare more bytes than come (a truncated file). */
        int st = vs_load_begin(db, (double)size + ((mode & 2) ? 1000 : 0));
        for (size_t off = 0; st == 0 && off < size; off += chunk)
            st = vs_load_feed(db, data + off, size - off < chunk ? size - off : chunk);
        if (st == 0)
            st = vs_load_end(db);
        else
            vs_load_abort(db);
        if (st != 0) {
            size_t na = fingerprint(db, after, sizeof after);
            if (na != nb || memcmp(before, after, na) != 0) abort(); /* a refused load changed the store */
        } else {
            while (vs_step(db, 64)) {
            }
        }
    }
    vs_close(db);
    if (vs_used_memory() != 0) abort(); /* leaked */
    return 0;
}
