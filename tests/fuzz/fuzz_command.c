/* fuzz_command.c - libFuzzer target for the command layer and the FT.*
 * parsers: the input is split into commands (by '\n') and arguments (by
 * a 0x00 byte); each command runs against a store holding hashes and a
 * FLAT/TAG/NUMERIC/TEXT index.  The engine must never crash, leak or trip a
 * sanitizer, whatever the bytes.  A leading byte picks a command name
 * from a list so the fuzzer reaches the FT.* parsers quickly.  Two clients
 * take turns (transactions, WATCH) and the clock moves 7 ms per command,
 * with a step of the expiry cycle after each, so keys given short TTLs
 * expire mid-sequence.  The journal is on: a record written without the
 * room reserved for it aborts. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/base/alloc.h"
#include "../../src/abi/db.h"
#include "../../src/abi/vessel.h"

static const char *names[] = {"FT.SEARCH", "FT.CREATE", "HSET", "FT.INFO", "FT.DROPINDEX", "DEL", "RENAME", "HDEL",
                              "SCAN", "KEYS", "HINCRBYFLOAT", "SET", "FT._LIST", "CONFIG", "FLUSHALL", "MULTI",
                              "EXEC", "DISCARD", "WATCH", "UNWATCH", "PEXPIRE", "EXPIREAT", "TTL", "PERSIST",
                              "GETEX", "FT.DROP", "FT.HYBRID", NULL};
#define NNAMES (sizeof names / sizeof *names - 1)

static void run(vs_db *db, const char **argv, const size_t *lens, int argc) {
    vs_exec(db, argc, (const uint8_t *const *)argv, lens, (argc & 1) ? 2 : 3);
}

static void setup(vs_db *db) {
    const char *create[] = {"FT.CREATE", "idx", "PREFIX", "1", "d:", "SCHEMA", "v", "VECTOR", "FLAT", "6", "TYPE",
                            "FLOAT32", "DIM", "2", "DISTANCE_METRIC", "L2", "t", "TAG", "n", "NUMERIC", "b", "TEXT",
                            "s", "TEXT", "NOSTEM", "WITHSUFFIXTRIE", "WEIGHT", "2"};
    size_t cl[28];
    for (int i = 0; i < 28; i++) cl[i] = strlen(create[i]);
    run(db, create, cl, 28);
    const char *hn[] = {"FT.CREATE", "hn", "SCHEMA", "v", "VECTOR", "HNSW", "10", "TYPE", "FLOAT32", "DIM", "2",
                        "DISTANCE_METRIC", "COSINE", "M", "3", "INITIAL_CAP", "2"};
    size_t hl[17];
    for (int i = 0; i < 17; i++) hl[i] = strlen(hn[i]);
    run(db, hn, hl, 17);
    for (int i = 0; i < 8; i++) {
        char key[8] = {'d', ':', (char)('0' + i), 0};
        const char *a[] = {"HSET", key, "v", "abcdefgh", "t", i & 1 ? "x,y" : "y", "n", i & 2 ? "1.5" : "7",
                           "b", i & 1 ? "the running dogs, hello world" : "a dog runs; Hello!", "s", i & 4 ? "cats" : "cat"};
        size_t l[12];
        for (int j = 0; j < 12; j++) l[j] = strlen(a[j]);
        run(db, a, l, 12);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    vs_db *db = vs_open(NULL);
    if (!db) return 0;
    setup(db);
    int other = vs_client_open(db);
    vs_journal_enable(db, 1); /* the journal's room reservations are exercised too */
    double now = 1000;
    unsigned turn = 0;
    size_t pos = 0;
    while (pos < size) {
        const uint8_t *end = memchr(data + pos, '\n', size - pos);
        size_t len = end ? (size_t)(end - (data + pos)) : size - pos;
        const uint8_t *line = data + pos;
        pos += len + 1;
        if (len == 0) continue;
        const char *argv[64];
        size_t lens[64];
        int argc = 0;
        uint8_t pick = line[0];
        size_t i = 1;
        if (pick < 240) {
            argv[argc] = names[pick % NNAMES];
            lens[argc++] = strlen(names[pick % NNAMES]);
        }
        size_t start = i;
        for (; i <= len && argc < 64; i++) {
            if (i == len || line[i] == 0) {
                argv[argc] = (const char *)line + start;
                lens[argc++] = i - start;
                start = i + 1;
            }
        }
        now += 7;
        vs_set_time(db, now, 0);
        if (other > 0) vs_client_select(db, (turn++ % 3 == 2) ? other : 0);
        if (argc) run(db, argv, lens, argc);
        vs_expire_step(db, 4);
        while (vs_step(db, 16)) {
        }
        if (db->eng.journal.unreserved || db->eng.journal.lost) abort(); /* a record past its reservation */
        vs_journal_drain(db, vs_journal_len(db));
    }
    vs_close(db);
    if (vs_mem_used() != 0) abort(); /* leaked */
    return 0;
}
