/* fuzz_rdb.c - libFuzzer target for the RDB reader (persist/rdb_read.c,
 * rdb_blob.c, base/lzf.c) through the ABI's vs_rdb_load_*.
 *
 * The first input byte is the mode: bit 0 zeroes the file's last 8 bytes
 * (a checksum of 0 means "not computed", so mutated files get past the
 * CRC and reach the end of the reader: loading, duplicate checks, the
 * index rebuild); bit 1 declares the size unknown (0); bit 2 declares it
 * 1000 bytes longer than it is (a truncated file); the other bits choose
 * the chunk size.  The rest is the file, fed in chunks to a store that
 * already holds keys and an index, with replace.  Whatever the bytes: no
 * crash, no sanitizer report, no leak, and a refused file leaves the store
 * exactly as it was.  The corpus (tests/fuzz/corpus/rdb/) holds small
 * files written by redis-server 7.0 and hand-made old encodings. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/abi/vessel.h"

static void run(vs_db *db, const char **argv, int argc) {
    size_t lens[32];
    for (int i = 0; i < argc; i++) lens[i] = strlen(argv[i]);
    vs_exec(db, argc, (const uint8_t *const *)argv, lens, 2);
}

static void setup(vs_db *db) {
    const char *a[] = {"FT.CREATE", "i", "ON", "HASH", "SCHEMA", "f", "TAG", "n", "NUMERIC"};
    run(db, a, 9);
    const char *h1[] = {"HSET", "k1", "f", "x", "n", "1"};
    run(db, h1, 6);
    const char *h2[] = {"SET", "k2", "v"};
    run(db, h2, 3);
}

static size_t fingerprint(vs_db *db, uint8_t *out, size_t cap) {
    const char *cmds[][4] = {{"DBSIZE"}, {"FT.SEARCH", "i", "*", "NOCONTENT"}, {"HGETALL", "k1"}, {"GET", "k2"}};
    int argc[] = {1, 4, 2, 2};
    size_t n = 0;
    for (int i = 0; i < 4; i++) {
        run(db, cmds[i], argc[i]);
        size_t m = vs_reply_len(db) < cap - n ? vs_reply_len(db) : cap - n;
        memcpy(out + n, vs_reply_data(db), m);
        n += m;
    }
    return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 1) return 0;
    uint8_t mode = data[0];
    data++;
    size--;
    uint8_t *file = malloc(size ? size : 1);
    if (!file) return 0;
    memcpy(file, data, size);
    if ((mode & 1) && size >= 8) memset(file + size - 8, 0, 8);
    size_t chunk = 1 + (size_t)(mode >> 3) * 97;
    double declared = (mode & 2) ? 0 : (double)size + ((mode & 4) ? 1000 : 0);

    vs_db *db = vs_open(NULL);
    if (!db) {
        free(file);
        return 0;
    }
    vs_set_time(db, 1700000000000.0, 0);
    setup(db);
    static uint8_t before[8192], after[8192];
    size_t nb = fingerprint(db, before, sizeof before);
    int st = vs_rdb_load_begin(db, declared, 1);
    for (size_t off = 0; st == 0 && off < size; off += chunk)
        st = vs_rdb_load_feed(db, file + off, size - off < chunk ? size - off : chunk);
    if (st == 0)
        st = vs_rdb_load_end(db);
    else
        vs_rdb_load_abort(db);
    if (st != 0) {
        size_t na = fingerprint(db, after, sizeof after);
        if (na != nb || memcmp(before, after, na) != 0) abort(); /* a refused file changed the store */
    } else {
        while (vs_step(db, 64)) {
        }
        const char *q[] = {"FT.SEARCH", "i", "*", "NOCONTENT"};
        run(db, q, 4);
    }
    vs_close(db);
    free(file);
    if (vs_used_memory() != 0) abort(); /* leaked */
    return 0;
}
