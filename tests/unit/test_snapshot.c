/* test_snapshot.c - snapshots and the journal: round trips through chunks
 * of every size, every kind of damage (flipped bytes, truncation, foreign
 * and newer files) refused without touching the open store, journal
 * replay with backfill on load, torn tails and damaged journals. */
#include "../../src/base/alloc.h"
#include "../../src/base/checksum.h"
#include "vt_cmd.h"

static uint32_t rs = 5;
static uint32_t rnd(void) {
    rs = rs * 1103515245u + 12345u;
    return rs >> 8;
}

static void fill(vs_db *db, int n) {
    vt_run(db, "FT.CREATE", "flat", "PREFIX", "1", "doc:", "SCHEMA", "v", "VECTOR", "FLAT", "8", "TYPE", "FLOAT32",
           "DIM", "4", "DISTANCE_METRIC", "COSINE", "BLOCK_SIZE", "7", "t", "TAG", "n", "NUMERIC", NULL);
    vt_run(db, "FT.CREATE", "hnsw", "PREFIX", "1", "doc:", "SCHEMA", "v", "VECTOR", "HNSW", "10", "TYPE", "FLOAT32",
           "DIM", "4", "DISTANCE_METRIC", "L2", "M", "4", "INITIAL_CAP", "8", "t", "TAG", "SEPARATOR", ";", NULL);
    vt_run(db, "FT.CREATE", "text", "PREFIX", "1", "doc:", "STOPWORDS", "1", "some", "SCHEMA", "note", "TEXT",
           "WITHSUFFIXTRIE", "title", "TEXT", "NOSTEM", NULL);
    static const char *words[] = {"running", "runs", "text", "vessel", "snapshot", "Hello", "world", "the", "x"};
    char key[32], num[32], note[128];
    for (int i = 0; i < n; i++) {
        float v[4] = {(float)(rnd() % 100), (float)(rnd() % 100), (float)(rnd() % 100), 1};
        vt_blob(6, v, 4);
        snprintf(key, sizeof key, "doc:%d", i);
        snprintf(num, sizeof num, "%d", (int)(rnd() % 50));
        snprintf(note, sizeof note, "some %s %s, %s.", words[rnd() % 9], words[rnd() % 9], words[rnd() % 9]);
        vt_run(db, "HSET", key, "v", VT_BLOB(6), "t", (rnd() & 1) ? "red;blue" : "green", "n", num, "note", note,
               "title", i % 3 ? "Title words" : "\xff", NULL);
    }
    vt_run(db, "SET", "plain", "a string", NULL);
    vt_run(db, "HSET", "doc:bad", "v", "short", "n", "nan", NULL); /* indexing failures survive too */
    for (int i = 0; i < n; i += 5) { /* holes in the id table, HNSW free slots */
        snprintf(key, sizeof key, "doc:%d", i);
        vt_run(db, "DEL", key, NULL);
    }
    while (vs_step(db, 1000)) {
    }
}

/* Keyspace digest + what the indexes answer + FT.INFO counters. */
static char *state(vs_db *db, size_t *len) {
    size_t n;
    char *d = vt_digest(db, &n);
    vt_buf b = {0};
    vt_buf_put(&b, d, n);
    free(d);
    float q[4] = {50, 50, 50, 1};
    vt_blob(7, q, 4);
    static const char *qs[][12] = {
        {"FT.SEARCH", "flat", "*=>[KNN 20 @v $q]", "PARAMS", "2", "q", "\x01" "7", NULL},
        {"FT.SEARCH", "hnsw", "*=>[KNN 20 @v $q EF_RUNTIME 50]", "PARAMS", "2", "q", "\x01" "7", NULL},
        {"FT.SEARCH", "flat", "@t:{red} @n:[10 30]", "LIMIT", "0", "100", NULL},
        {"FT.SEARCH", "hnsw", "@t:{blue}=>[KNN 5 @v $q]", "PARAMS", "2", "q", "\x01" "7", "NOCONTENT", NULL},
        {"FT._LIST", NULL},
    };
    for (size_t i = 0; i < sizeof qs / sizeof qs[0]; i++) {
        const uint8_t *argv[12];
        size_t lens[12];
        int argc = 0;
        for (; qs[i][argc]; argc++) {
            const char *s = qs[i][argc];
            if (s[0] == 1) {
                argv[argc] = vt_blobs[7];
                lens[argc] = vt_blob_len[7];
            } else {
                argv[argc] = (const uint8_t *)s;
                lens[argc] = strlen(s);
            }
        }
        vs_exec(db, argc, argv, lens, 2);
        vt_buf_put(&b, vs_reply_data(db), vs_reply_len(db));
    }
    const char *names[3] = {"flat", "hnsw", "text"};
    for (int i = 0; i < 3; i++) {
        const char *info = vt_info_counters(db, names[i]);
        vt_buf_put(&b, info, strlen(info));
        vt_run(db, "FT.INFO", names[i], NULL);
        const char *cap = strstr(vt_text(db), "capacity,");
        if (cap) vt_buf_put(&b, cap, 20);
    }
    *len = b.n;
    return b.p;
}

/* Save db with chunks of `chunk` bytes (0: random sizes). */
static uint8_t *save(vs_db *db, size_t chunk, size_t *len) {
    VT_EQ_INT(vs_save_begin(db), 0);
    size_t total = (size_t)vs_save_size(db), n = 0;
    uint8_t *buf = malloc(total + 1);
    for (;;) {
        size_t c = chunk ? chunk : 1 + rnd() % 5000;
        if (c > total + 1 - n) c = total + 1 - n;
        long k = vs_save_next(db, buf + n, c);
        VT_CHECK(k >= 0);
        if (k <= 0) break;
        n += (size_t)k;
    }
    vs_save_end(db);
    VT_EQ_INT(n, total);
    *len = n;
    return buf;
}

/* Load n bytes into db with random chunk sizes, declaring `declared`
 * bytes; returns the status. */
static size_t max_chunk = 3000; /* feeds of 1..max_chunk bytes */

static int load_declared(vs_db *db, const uint8_t *p, size_t n, size_t declared) {
    if (vs_load_begin(db, (double)declared) != 0) return -1;
    size_t off = 0;
    int st = 0;
    while (off < n && st == 0) {
        size_t c = 1 + rnd() % max_chunk;
        if (c > n - off) c = n - off;
        st = vs_load_feed(db, p + off, c);
        off += c;
    }
    if (st != 0) {
        vs_load_abort(db);
        return st;
    }
    return vs_load_end(db);
}

static int load(vs_db *db, const uint8_t *p, size_t n) { return load_declared(db, p, n, n); }

static uint32_t rd32(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }
static uint64_t rd64(const uint8_t *p) { return rd32(p) | (uint64_t)rd32(p + 4) << 32; }
static void wr64(uint8_t *p, uint64_t v) {
    for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i));
}

/* Offset of the first section of `type` (its header), or 0. */
static size_t find_section(const uint8_t *s, size_t len, uint32_t type) {
    for (size_t off = 16; off + 12 <= len;) {
        if (rd32(s + off) == type) return off;
        if (rd32(s + off) == 0xFFFFFFFFu) return 0;
        off += 12 + (size_t)rd64(s + off + 4) + 8;
    }
    return 0;
}

/* Recompute every checksum, as a crafted (not damaged) file would have. */
static void resum(uint8_t *s, size_t len) {
    size_t off = 16;
    while (off + 12 <= len && rd32(s + off) != 0xFFFFFFFFu) {
        size_t plen = (size_t)rd64(s + off + 4);
        wr64(s + off + 12 + plen, vs_xxh64(s + off + 12, plen, rd32(s + off)));
        off += 12 + plen + 8;
    }
    uint64_t digest = vs_xxh64(s, off, 0);
    wr64(s + off + 12, digest);
    wr64(s + off + 20, vs_xxh64(s + off + 12, 8, 0xFFFFFFFFu));
}

static void test_round_trip(void) {
    vs_db *a = vs_open(NULL);
    fill(a, 300);
    size_t na, nb, len;
    char *sa = state(a, &na);
    size_t chunks[] = {0, 1, 7, 4096, 1 << 20};
    for (size_t c = 0; c < sizeof chunks / sizeof chunks[0]; c++) {
        uint8_t *snap = save(a, chunks[c], &len);
        vs_db *b = vs_open(NULL);
        vt_run(b, "SET", "to-be-replaced", "x", NULL);
        VT_EQ_INT(load(b, snap, len), 0);
        char *sb = state(b, &nb);
        VT_CHECK(na == nb && memcmp(sa, sb, na) == 0);
        /* The loaded store keeps working: writes update its indexes. */
        vt_run(b, "HSET", "doc:new", "t", "red", "n", "20", NULL);
        VT_TEXT(b, "[1,doc:new]", "FT.SEARCH", "flat", "@n:[20 20] @t:{red}", "NOCONTENT", "RETURN", "0", NULL);
        free(sb);
        free(snap);
        vs_close(b);
    }
    free(sa);
    /* An empty store round-trips. */
    vs_db *e = vs_open(NULL);
    uint8_t *snap = save(e, 0, &len);
    vs_db *f = vs_open(NULL);
    VT_EQ_INT(load(f, snap, len), 0);
    VT_CMD(f, ":0\r\n", "DBSIZE");
    free(snap);
    vs_close(e);
    vs_close(f);
    vs_close(a);
}

static void test_damage_refused(void) {
    vs_db *a = vs_open(NULL);
    fill(a, 60);
    size_t len, n0, n1;
    uint8_t *snap = save(a, 0, &len);
    vs_db *b = vs_open(NULL);
    fill(b, 20); /* the open store that must survive every failed load */
    char *before = state(b, &n0);
    int refused = 0;
    /* Flip one bit at many positions. */
    for (size_t pos = 0; pos < len; pos += 1 + pos / 50) {
        snap[pos] ^= (uint8_t)(1u << (pos % 8));
        int st = load(b, snap, len);
        snap[pos] ^= (uint8_t)(1u << (pos % 8));
        VT_CHECK(st != 0);
        refused += st != 0;
        VT_CHECK(strncmp(vs_error_text(b), "Bad snapshot: ", 14) == 0);
    }
    /* Truncation at many lengths. */
    for (size_t cut = 0; cut < len; cut += 1 + cut / 40) {
        int st = load(b, snap, cut);
        VT_CHECK(st != 0);
        VT_CHECK(strncmp(vs_error_text(b), "Bad snapshot: ", 14) == 0);
    }
    /* Trailing garbage. */
    uint8_t *longer = malloc(len + 3);
    memcpy(longer, snap, len);
    memcpy(longer + len, "xyz", 3);
    VT_CHECK(load(b, longer, len + 3) != 0);
    VT_EQ_MEM(vs_error_text(b), strlen(vs_error_text(b)), "Bad snapshot: data after the end of the snapshot");
    VT_CHECK(load_declared(b, longer, len + 3, len) != 0);
    VT_EQ_MEM(vs_error_text(b), strlen(vs_error_text(b)), "Bad snapshot: the file is longer than its declared size");
    free(longer);
    char *after = state(b, &n1);
    VT_CHECK(n0 == n1 && memcmp(before, after, n0) == 0);
    VT_CHECK(refused > 50);
    /* A bit flip inside the keys section names its checksum. */
    snap[100] ^= 1;
    VT_CHECK(load(b, snap, len) != 0);
    VT_EQ_MEM(vs_error_text(b), strlen(vs_error_text(b)), "Bad snapshot: checksum mismatch in section 'keys'");
    snap[100] ^= 1;
    /* Foreign file, newer version. */
    VT_CHECK(load(b, (const uint8_t *)"PK\x03\x04 not a snapshot at all", 28) != 0);
    VT_EQ_MEM(vs_error_text(b), strlen(vs_error_text(b)), "Bad snapshot: not a Vessel snapshot (bad magic)");
    snap[8] = 3;
    VT_CHECK(load(b, snap, len) != 0);
    VT_EQ_MEM(vs_error_text(b), strlen(vs_error_text(b)),
              "Bad snapshot: format version 3 is newer than this engine reads (2)");
    snap[8] = 1;
    /* The declared size disagrees with the bytes. */
    VT_CHECK(load_declared(b, snap, len - 100, len) != 0);
    VT_EQ_MEM(vs_error_text(b), strlen(vs_error_text(b)), "Bad snapshot: truncated (the end section is missing)");
    max_chunk = 16; /* the last section's header arrives before the file's end */
    VT_CHECK(load_declared(b, snap, len, len - 1) != 0);
    max_chunk = 3000;
    VT_EQ_MEM(vs_error_text(b), strlen(vs_error_text(b)),
              "Bad snapshot: truncated (section 'text' runs past the end of the file)");
    VT_CHECK(load_declared(b, snap, len, len + 1) != 0);
    VT_EQ_MEM(vs_error_text(b), strlen(vs_error_text(b)), "Bad snapshot: the file is shorter than its declared size");
    /* A section claiming more bytes than the file has is refused before
     * anything is allocated for it. */
    size_t keys = find_section(snap, len, 2);
    VT_CHECK(keys > 0);
    uint8_t *big = malloc(len);
    memcpy(big, snap, len);
    wr64(big + keys + 4, (uint64_t)1 << 40);
    VT_CHECK(load(b, big, len) != 0);
    VT_EQ_MEM(vs_error_text(b), strlen(vs_error_text(b)),
              "Bad snapshot: truncated (section 'keys' runs past the end of the file)");
    /* A crafted file (checksums right) with a key id used twice: the
     * second record takes the first one's id. */
    memcpy(big, snap, len);
    size_t rec1 = keys + 12 + 8, rec2 = rec1; /* after the count */
    {
        /* skip record 1: id, type, klen, key, then its value */
        size_t p = rec1 + 4;
        uint8_t type = big[p++];
        uint32_t klen = rd32(big + p);
        p += 4 + klen;
        if (type == 1) {
            p += 4 + rd32(big + p);
        } else {
            uint32_t nf = rd32(big + p);
            p += 4;
            for (uint32_t f = 0; f < nf; f++) p += 8 + rd32(big + p) + rd32(big + p + 4);
        }
        rec2 = p;
    }
    memcpy(big + rec2, big + rec1, 4);
    resum(big, len);
    VT_CHECK(load(b, big, len) != 0);
    VT_EQ_MEM(vs_error_text(b), strlen(vs_error_text(b)), "Bad snapshot: section 'keys' is damaged: a key id appears twice");
    resum(snap, len); /* recomputing right sums changes nothing */
    free(big);
    VT_EQ_INT(load(b, snap, len), 0); /* and the intact one still loads */
    free(before);
    free(after);
    free(snap);
    vs_close(a);
    vs_close(b);
}

static uint8_t *drain_journal(vs_db *db, uint8_t *j, size_t *jlen) {
    size_t n = vs_journal_len(db);
    j = realloc(j, *jlen + n + 1);
    memcpy(j + *jlen, vs_journal_data(db), n);
    *jlen += n;
    vs_journal_drain(db, n);
    return j;
}

/* Offset of the first group (the records after a check record) that
 * starts at or after `from`. */
static size_t group_after(const uint8_t *j, size_t jlen, size_t from) {
    for (size_t i = from; i + 26 <= jlen; i++)
        if (i >= 10 && memcmp(j + i - 10, VS_JOURNAL_CHECK_TAG, 10) == 0) return i + 16 + 2;
    return jlen;
}

static void test_journal_replay(void) {
    vs_db *a = vs_open(NULL);
    fill(a, 100);
    size_t slen;
    uint8_t *snap = save(a, 0, &slen);
    vs_journal_enable(a, 1);
    uint8_t *j = NULL;
    size_t jlen = 0;
    /* Every kind of write after the snapshot. */
    char key[32];
    for (int i = 0; i < 100; i++) {
        float v[4] = {(float)(rnd() % 100), (float)(rnd() % 100), 3, 1};
        vt_blob(6, v, 4);
        snprintf(key, sizeof key, "doc:%d", (int)(rnd() % 150));
        switch (rnd() % 8) {
        case 0: vt_run(a, "DEL", key, NULL); break;
        case 1: vt_run(a, "HDEL", key, "v", NULL); break;
        case 2: vt_run(a, "RENAME", key, "doc:renamed", NULL); break;
        case 3: vt_run(a, "HINCRBYFLOAT", key, "n", "1.5", NULL); break;
        case 4: vt_run(a, "SET", key, "now a string", NULL); break;
        default: vt_run(a, "HSET", key, "v", VT_BLOB(6), "t", "red", NULL); break;
        }
        j = drain_journal(a, j, &jlen);
    }
    vt_run(a, "FT.CREATE", "late", "SCHEMA", "t", "TAG", NULL);
    vt_run(a, "FT.DROPINDEX", "flat", NULL);
    j = drain_journal(a, j, &jlen);
    while (vs_step(a, 1000)) {
    }
    size_t na, nb;
    char *sa = state(a, &na);
    /* Load the snapshot, replay the journal in odd chunks, backfill. */
    vs_db *b = vs_open(NULL);
    VT_EQ_INT(load(b, snap, slen), 0);
    VT_EQ_INT(vs_journal_replay_begin(b, 2), 0);
    for (size_t off = 0; off < jlen;) {
        size_t c = 1 + rnd() % 200;
        if (c > jlen - off) c = jlen - off;
        VT_EQ_INT(vs_journal_replay_feed(b, j + off, c), 0);
        off += c;
    }
    VT_EQ_INT(vs_journal_replay_end(b, 0), 0);
    VT_EQ_INT(vs_journal_replay_stat(b, 0), jlen);
    VT_EQ_INT(vs_journal_replay_stat(b, 1), 0);
    vt_run(b, "FT.INFO", "hnsw", NULL);
    VT_CHECK(strstr(vt_text(b), "backfill_in_progress,1") != NULL); /* backfill on load */
    while (vs_step(b, 7)) {
    }
    char *sb = state(b, &nb);
    VT_CHECK(na == nb && memcmp(sa, sb, na) == 0);
    free(sb);
    vs_close(b);

    /* A torn last record: everything before it applies. */
    vs_db *c = vs_open(NULL);
    VT_EQ_INT(load(c, snap, slen), 0);
    vs_journal_replay_begin(c, 2);
    VT_EQ_INT(vs_journal_replay_feed(c, j, jlen - 5), 0);
    VT_EQ_INT(vs_journal_replay_end(c, 0), 0);
    VT_CHECK(vs_journal_replay_stat(c, 1) > 0);
    VT_CHECK(vs_journal_replay_stat(c, 0) + vs_journal_replay_stat(c, 1) == jlen - 5);
    vs_close(c);

    /* Every record is in a group sealed by a check: a bit flip anywhere in
     * a group (here, in every byte of one HSET group in turn) is refused
     * at the group's start; with repair, the groups before it are kept. */
    size_t g0 = group_after(j, jlen, jlen / 2), g1 = group_after(j, jlen, g0 + 1);
    VT_CHECK(g0 < g1 && g1 <= jlen);
    for (size_t at = g0; at < g1; at++) {
        for (int bit = 0; bit < 8; bit += 3) {
            j[at] ^= (uint8_t)(1u << bit);
            vs_db *d = vs_open(NULL);
            VT_EQ_INT(load(d, snap, slen), 0);
            vs_journal_replay_begin(d, 2);
            vs_journal_replay_feed(d, j, jlen);
            int st = vs_journal_replay_end(d, 0);
            const char *t = vs_error_text(d);
            char at_g0[32];
            snprintf(at_g0, sizeof at_g0, "offset %zu", g0);
            /* damage, never a silent replay of other bytes (a flipped
             * length may also run into the next group: still refused) */
            VT_CHECK(st != 0 && strncmp(t, "Bad journal: ", 13) == 0 && strstr(t, at_g0) != NULL);
            vs_close(d);
            j[at] ^= (uint8_t)(1u << bit);
        }
    }
    j[g0] = '!';
    vs_db *d = vs_open(NULL);
    VT_EQ_INT(load(d, snap, slen), 0);
    vs_journal_replay_begin(d, 2);
    vs_journal_replay_feed(d, j, jlen);
    VT_CHECK(vs_journal_replay_end(d, 0) != 0);
    char want[64];
    snprintf(want, sizeof want, "Bad journal: damaged record at offset %zu", g0);
    VT_EQ_MEM(vs_error_text(d), strlen(vs_error_text(d)), want);
    vs_close(d);
    vs_db *e = vs_open(NULL);
    VT_EQ_INT(load(e, snap, slen), 0);
    vs_journal_replay_begin(e, 2);
    vs_journal_replay_feed(e, j, jlen);
    VT_EQ_INT(vs_journal_replay_end(e, 1), 0);
    VT_EQ_INT(vs_journal_replay_stat(e, 0), g0);
    vs_close(e);
    j[g0] = '*';
    /* Records at the end without their check: damage, not a torn tail. */
    vs_db *f = vs_open(NULL);
    VT_EQ_INT(load(f, snap, slen), 0);
    vs_journal_replay_begin(f, 2);
    vs_journal_replay_feed(f, j, jlen - VS_JOURNAL_CHECK_LEN);
    VT_CHECK(vs_journal_replay_end(f, 0) != 0);
    VT_CHECK(strstr(vs_error_text(f), "are not followed by their check") != NULL);
    vs_close(f);
    /* A group dropped from the middle breaks the check chain. */
    uint8_t *k = malloc(jlen);
    memcpy(k, j, g0);
    memcpy(k + g0, j + g1, jlen - g1);
    vs_db *h = vs_open(NULL);
    VT_EQ_INT(load(h, snap, slen), 0);
    vs_journal_replay_begin(h, 2);
    vs_journal_replay_feed(h, k, jlen - (g1 - g0));
    VT_CHECK(vs_journal_replay_end(h, 0) != 0);
    VT_CHECK(strstr(vs_error_text(h), "checksum mismatch") != NULL);
    vs_close(h);
    free(k);
    /* Format 1 (journals written before check records): plain RESP; the
     * check records, if any, are harmless PINGs. */
    vs_db *l = vs_open(NULL);
    VT_EQ_INT(load(l, snap, slen), 0);
    vs_journal_replay_begin(l, 1);
    VT_EQ_INT(vs_journal_replay_feed(l, j, jlen), 0);
    VT_EQ_INT(vs_journal_replay_end(l, 0), 0);
    while (vs_step(l, 1000)) {
    }
    size_t nl;
    char *sl = state(l, &nl);
    VT_CHECK(na == nl && memcmp(sa, sl, na) == 0);
    free(sl);
    vs_close(l);
    free(sa);
    free(j);
    free(snap);
    vs_close(a);
}

/* The journal's records are plain RESP commands. */
static void test_journal_format(void) {
    vs_db *a = vs_open(NULL);
    vs_journal_enable(a, 1);
    vt_run(a, "HSET", "h", "a", "1", "b", "2", NULL);
    vt_run(a, "HINCRBYFLOAT", "h", "a", "0.5", NULL);
    vt_run(a, "HDEL", "h", "b", "zz", NULL);
    vt_run(a, "RENAME", "h", "h2", NULL);
    vt_run(a, "HGET", "h2", "a", NULL); /* reads are not journaled */
    vt_run(a, "DEL", "h2", "nothing", NULL);
    vt_run(a, "FT.CREATE", "i", "SCHEMA", "t", "TAG", NULL);
    vt_run(a, "FT.CREATE", "i", "SCHEMA", "t", "TAG", NULL); /* fails: not journaled */
    vt_run(a, "FLUSHALL", NULL);
    /* Each command's records, then its check record: XXH64 of the
     * records since the previous check, seeded with that check's value. */
    static const char *const groups[] = {
        "*6\r\n$4\r\nHSET\r\n$1\r\nh\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n",
        "*4\r\n$4\r\nHSET\r\n$1\r\nh\r\n$1\r\na\r\n$3\r\n1.5\r\n",
        "*3\r\n$4\r\nHDEL\r\n$1\r\nh\r\n$1\r\nb\r\n",
        "*3\r\n$6\r\nRENAME\r\n$1\r\nh\r\n$2\r\nh2\r\n",
        "*2\r\n$3\r\nDEL\r\n$2\r\nh2\r\n",
        "*5\r\n$9\r\nFT.CREATE\r\n$1\r\ni\r\n$6\r\nSCHEMA\r\n$1\r\nt\r\n$3\r\nTAG\r\n",
        "*1\r\n$8\r\nFLUSHALL\r\n",
    };
    char want[2048];
    size_t wl = 0;
    uint64_t chain = 0;
    for (size_t g = 0; g < sizeof groups / sizeof *groups; g++) {
        size_t gl = strlen(groups[g]);
        memcpy(want + wl, groups[g], gl);
        chain = vs_xxh64(groups[g], gl, chain);
        wl += gl;
        wl += (size_t)snprintf(want + wl, sizeof want - wl, "*2\r\n$4\r\nPING\r\n$26\r\nvessel-ck:%016llx\r\n",
                               (unsigned long long)chain);
    }
    VT_EQ_INT(wl, strlen(want));
    VT_EQ_MEM(vs_journal_data(a), vs_journal_len(a), want);
    /* A new journal file starts a new chain. */
    vs_journal_drain(a, vs_journal_len(a));
    vs_journal_restart_chain(a);
    vt_run(a, "SET", "s", "v", NULL);
    const char *set = "*3\r\n$3\r\nSET\r\n$1\r\ns\r\n$1\r\nv\r\n";
    wl = (size_t)snprintf(want, sizeof want, "%s*2\r\n$4\r\nPING\r\n$26\r\nvessel-ck:%016llx\r\n", set,
                          (unsigned long long)vs_xxh64(set, strlen(set), 0));
    VT_EQ_MEM(vs_journal_data(a), vs_journal_len(a), want);
    VT_EQ_INT(vs_journal_lost(a), 0);
    vs_close(a);
}

/* Saving and loading stream: the engine never holds a second copy of the
 * store (its own allocations stay at the store's size, plus small state). */
static void test_no_second_copy(void) {
    vs_db *a = vs_open(NULL);
    fill(a, 4000);
    size_t used = vs_mem_used();
    VT_CHECK(used > (size_t)1 << 20);
    vs_mem_reset_peak();
    size_t len;
    uint8_t *snap = save(a, 65536, &len);
    VT_CHECK(len > used / 4);
    VT_CHECK(vs_mem_peak() <= used + 16384); /* the writer's state only */
    vs_close(a);
    vs_db *b = vs_open(NULL);
    size_t empty = vs_mem_used();
    vs_mem_reset_peak();
    VT_EQ_INT(load(b, snap, len), 0);
    size_t loaded = vs_mem_used() - empty;
    /* Transients while loading: the id list before it becomes the id
     * table, the reader's state; never the snapshot itself. */
    VT_CHECK(vs_mem_peak() - empty <= loaded + loaded / 8 + 65536);
    VT_CHECK(vs_mem_peak() - empty < loaded + len / 2);
    free(snap);
    vs_close(b);
}

int main(void) {
    VT_RUN(test_no_second_copy);
    VT_RUN(test_round_trip);
    VT_RUN(test_damage_refused);
    VT_RUN(test_journal_replay);
    VT_RUN(test_journal_format);
    VT_DONE();
}
