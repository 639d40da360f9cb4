/* test_expire.c - key expiry: the heap against a model (seeded), the
 * commands' replies and errors with an injected clock, lazy expiry at the
 * exact millisecond, the bounded active cycle, journal records and
 * replay with absolute times, snapshots (times kept, old snapshots
 * without the section, damage refused), and FT.SEARCH never returning an
 * expired document (FLAT, HNSW, TAG, NUMERIC), also while a save holds
 * deletions back. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "../../src/base/checksum.h"
#include "../../src/base/le.h"
#include "../../src/persist/snapshot.h"
#include "vt_cmd.h"

static uint64_t rs;
static uint32_t rnd(void) {
    rs = rs * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)(rs >> 33);
}

/* ---- the heap ------------------------------------------------------------------ */

static int heap_ok(const vs_keyspace *ks) {
    const vs_expires *x = &ks->exp;
    for (uint32_t i = 0; i < x->n; i++) {
        if (i && x->when[(i - 1) / 2] > x->when[i]) return 0;
        const vs_kentry *e = vs_ks_by_id(ks, x->id[i]);
        if (!e || e->xpos != i + 1) return 0;
    }
    return 1;
}

static void test_heap_model(void) {
    for (uint64_t seed = 1; seed <= 20; seed++) {
        rs = seed;
        vs_db *db = vs_open(NULL);
        vs_keyspace *ks = &db->eng.store->ks;
        enum { N = 64 };
        int64_t model[N]; /* VS_NO_EXPIRE, or the key's time; keys always exist */
        char key[16];
        for (int i = 0; i < N; i++) {
            snprintf(key, sizeof key, "k%d", i);
            vt_run(db, "SET", key, "v", NULL);
            model[i] = VS_NO_EXPIRE;
        }
        int bad = 0;
        for (int step = 0; step < 3000 && !bad; step++) {
            int i = (int)(rnd() % N);
            snprintf(key, sizeof key, "k%d", i);
            char t[32];
            int64_t when = 1000 + (int64_t)(rnd() % 500);
            snprintf(t, sizeof t, "%" PRId64, when);
            switch (rnd() % 5) {
            case 0:
            case 1: vt_run(db, "PEXPIREAT", key, t, NULL), model[i] = when; break;
            case 2: vt_run(db, "PERSIST", key, NULL), model[i] = VS_NO_EXPIRE; break;
            case 3: vt_run(db, "SET", key, "w", "KEEPTTL", NULL); break;
            case 4: {
                int j = (int)(rnd() % N); /* RENAME k_i k_j, then back: times travel */
                char other[16];
                snprintf(other, sizeof other, "k%d", j);
                vt_run(db, "RENAME", key, other, NULL);
                model[j] = model[i];
                vt_run(db, "SET", key, "v", NULL);
                model[i] = VS_NO_EXPIRE;
                break;
            }
            }
            bad = !heap_ok(ks);
            for (int k = 0; k < N && !bad; k++) {
                snprintf(key, sizeof key, "k%d", k);
                vs_kentry *e = vs_ks_find(ks, (const uint8_t *)key, strlen(key));
                bad = !e || vs_exp_of(ks, e) != model[k];
            }
        }
        if (bad) vt_fail(__FILE__, __LINE__, "heap differs from the model (seed %" PRIu64 ")", seed);
        vt_checks++;
        vs_close(db);
    }
}

/* ---- commands -------------------------------------------------------------------- */

#define NOW 1700000000000LL

static void test_commands(void) {
    vs_db *db = vs_open(NULL);
    vs_set_time(db, (double)NOW, 0);
    VT_TEXT(db, "0", "EXPIRE", "nokey", "10");
    VT_TEXT(db, "-2", "TTL", "nokey");
    VT_TEXT(db, "OK", "SET", "s", "v");
    VT_TEXT(db, "-1", "TTL", "s");
    VT_TEXT(db, "-1", "PEXPIRETIME", "s");
    VT_TEXT(db, "1", "EXPIRE", "s", "100");
    VT_TEXT(db, "100", "TTL", "s");
    VT_TEXT(db, "100000", "PTTL", "s");
    VT_TEXT(db, "1700000100", "EXPIRETIME", "s");
    VT_TEXT(db, "1700000100000", "PEXPIRETIME", "s");
    /* NX XX GT LT */
    VT_TEXT(db, "0", "EXPIRE", "s", "50", "NX");
    VT_TEXT(db, "0", "EXPIRE", "s", "50", "GT");
    VT_TEXT(db, "1", "EXPIRE", "s", "50", "LT");
    VT_TEXT(db, "50", "TTL", "s");
    VT_TEXT(db, "1", "EXPIRE", "s", "60", "XX", "GT");
    VT_TEXT(db, "OK", "SET", "p", "v");
    VT_TEXT(db, "0", "EXPIRE", "p", "50", "XX");
    VT_TEXT(db, "0", "EXPIRE", "p", "50", "GT");
    VT_TEXT(db, "1", "EXPIRE", "p", "50", "LT");
    VT_TEXT(db, "1", "PERSIST", "p");
    VT_TEXT(db, "0", "PERSIST", "p");
    VT_TEXT(db, "1", "PEXPIRE", "p", "1500", "NX");
    VT_TEXT(db, "2", "TTL", "p"); /* 1.5 s rounds to 2 */
    /* errors: nothing changes */
    VT_TEXT(db, "!ERR NX and XX, GT or LT options at the same time are not compatible", "EXPIRE", "s", "1", "NX", "XX");
    VT_TEXT(db, "!ERR NX and XX, GT or LT options at the same time are not compatible", "EXPIRE", "s", "1", "NX", "GT");
    VT_TEXT(db, "!ERR GT and LT options at the same time are not compatible", "EXPIRE", "s", "1", "GT", "LT");
    VT_TEXT(db, "!ERR Unsupported option foo", "EXPIRE", "s", "1", "foo");
    VT_TEXT(db, "!ERR value is not an integer or out of range", "EXPIRE", "s", "1.5");
    VT_TEXT(db, "!ERR invalid expire time in 'expire' command", "EXPIRE", "s", "9223372036854775");
    VT_TEXT(db, "!ERR invalid expire time in 'pexpire' command", "PEXPIRE", "s", "9223372036854775807");
    VT_TEXT(db, "!ERR invalid expire time in 'expireat' command", "EXPIREAT", "s", "-9223372036854776");
    VT_TEXT(db, "!ERR wrong number of arguments for 'expire' command", "EXPIRE", "s");
    /* EXPIRETIME rounds without overflow near LLONG_MAX (as redis-server 7.0.15) */
    vt_run(db, "SET", "big", "v", NULL);
    vt_run(db, "PEXPIREAT", "big", "9223372036854775807", NULL);
    VT_TEXT(db, "9223372036854776", "EXPIRETIME", "big");
    vt_run(db, "PEXPIREAT", "big", "9223372036854775300", NULL);
    VT_TEXT(db, "9223372036854775", "EXPIRETIME", "big");
    vt_run(db, "DEL", "big", NULL);
    VT_TEXT(db, "60", "TTL", "s");
    /* a time in the past deletes the key at once */
    VT_TEXT(db, "1", "EXPIRE", "p", "-1");
    VT_TEXT(db, "0", "EXISTS", "p");
    VT_TEXT(db, "OK", "SET", "p", "v");
    VT_TEXT(db, "1", "PEXPIREAT", "p", "1");
    VT_TEXT(db, "-2", "PTTL", "p");
    /* SET's options */
    VT_TEXT(db, "OK", "SET", "a", "1", "EX", "10");
    VT_TEXT(db, "10000", "PTTL", "a");
    VT_TEXT(db, "OK", "SET", "a", "2", "KEEPTTL");
    VT_TEXT(db, "10000", "PTTL", "a");
    VT_TEXT(db, "OK", "SET", "a", "3");
    VT_TEXT(db, "-1", "PTTL", "a");
    VT_TEXT(db, "OK", "SET", "a", "4", "PXAT", "1700000005000");
    VT_TEXT(db, "5000", "PTTL", "a");
    VT_TEXT(db, "OK", "SET", "a", "5", "EXAT", "1700000007");
    VT_TEXT(db, "7000", "PTTL", "a");
    VT_TEXT(db, "5", "SET", "a", "6", "PX", "100", "GET");
    VT_TEXT(db, "100", "PTTL", "a");
    VT_TEXT(db, "(nil)", "SET", "a", "7", "NX", "EX", "5");
    VT_TEXT(db, "100", "PTTL", "a");
    VT_TEXT(db, "!ERR syntax error", "SET", "a", "1", "EX", "10", "PX", "10");
    VT_TEXT(db, "!ERR syntax error", "SET", "a", "1", "KEEPTTL", "EX", "10");
    VT_TEXT(db, "!ERR syntax error", "SET", "a", "1", "EX");
    VT_TEXT(db, "!ERR syntax error", "SET", "a", "1", "PERSIST");
    VT_TEXT(db, "!ERR invalid expire time in 'set' command", "SET", "a", "1", "EX", "0");
    VT_TEXT(db, "!ERR invalid expire time in 'set' command", "SET", "a", "1", "PX", "-5");
    VT_TEXT(db, "!ERR invalid expire time in 'set' command", "SET", "a", "1", "EX", "9223372036854776");
    VT_TEXT(db, "!ERR value is not an integer or out of range", "SET", "a", "1", "EX", "ten");
    VT_TEXT(db, "6", "GET", "a");
    VT_TEXT(db, "OK", "SETEX", "b", "10", "v");
    VT_TEXT(db, "10", "TTL", "b");
    VT_TEXT(db, "OK", "PSETEX", "b", "20", "v");
    VT_TEXT(db, "20", "PTTL", "b");
    VT_TEXT(db, "!ERR invalid expire time in 'setex' command", "SETEX", "b", "0", "v");
    VT_TEXT(db, "!ERR invalid expire time in 'psetex' command", "PSETEX", "b", "-1", "v");
    /* GETEX */
    VT_TEXT(db, "(nil)", "GETEX", "nokey", "EX", "10");
    VT_TEXT(db, "v", "GETEX", "b", "EX", "30");
    VT_TEXT(db, "30", "TTL", "b");
    VT_TEXT(db, "v", "GETEX", "b", "PERSIST");
    VT_TEXT(db, "-1", "TTL", "b");
    VT_TEXT(db, "v", "GETEX", "b");
    VT_TEXT(db, "!ERR syntax error", "GETEX", "b", "EX", "1", "PERSIST");
    VT_TEXT(db, "!ERR syntax error", "GETEX", "b", "KEEPTTL");
    VT_TEXT(db, "!ERR invalid expire time in 'getex' command", "GETEX", "b", "PX", "0");
    VT_TEXT(db, "v", "GETEX", "b", "PXAT", "5");
    VT_TEXT(db, "0", "EXISTS", "b");
    VT_TEXT(db, "1", "HSET", "h", "f", "v");
    VT_TEXT(db, "!WRONGTYPE Operation against a key holding the wrong kind of value", "GETEX", "h", "EX", "1");
    /* hash writes keep the time; RENAME carries it; DEL drops it */
    VT_TEXT(db, "1", "EXPIRE", "h", "40");
    VT_TEXT(db, "1", "HSET", "h", "g", "w");
    VT_TEXT(db, "40", "TTL", "h");
    VT_TEXT(db, "1", "EXPIRE", "s", "70");
    VT_TEXT(db, "OK", "RENAME", "h", "s");
    VT_TEXT(db, "40", "TTL", "s");
    VT_TEXT(db, "-2", "TTL", "h");
    VT_TEXT(db, "OK", "SET", "q", "v");
    VT_TEXT(db, "OK", "RENAME", "q", "s");
    VT_TEXT(db, "-1", "TTL", "s");
    VT_TEXT(db, "1", "DEL", "s");
    VT_TEXT(db, "OK", "SET", "s", "v");
    VT_TEXT(db, "-1", "TTL", "s");
    VT_TEXT(db, "OK", "FLUSHALL");
    VT_EQ_INT(vs_exp_count(&db->eng.store->ks), 0);
    vs_close(db);
}

/* ---- lazy and active expiry -------------------------------------------------- */

static void test_lazy_exact(void) {
    vs_db *db = vs_open(NULL);
    vs_set_time(db, 1000, 0);
    VT_TEXT(db, "OK", "SET", "s", "v", "PXAT", "2000");
    VT_TEXT(db, "2", "HSET", "h", "f", "v", "g", "w");
    VT_TEXT(db, "1", "PEXPIREAT", "h", "2000");
    vs_set_time(db, 1999, 0);
    VT_TEXT(db, "v", "GET", "s");
    VT_TEXT(db, "1", "PTTL", "s");
    VT_TEXT(db, "[s,h]", "KEYS", "*");
    vs_set_time(db, 2000, 0); /* exactly at the time: gone */
    VT_TEXT(db, "[]", "KEYS", "*");
    VT_TEXT(db, "[0,[]]", "SCAN", "0");
    VT_TEXT(db, "2", "DBSIZE"); /* Redis counts keys not reclaimed yet */
    VT_TEXT(db, "(nil)", "HGET", "h", "f");
    VT_TEXT(db, "1", "DBSIZE");  /* the read deleted h */
    VT_TEXT(db, "none", "TYPE", "s");
    VT_TEXT(db, "0", "DBSIZE");
    VT_TEXT(db, "!ERR no such key", "RENAME", "s", "t");
    VT_TEXT(db, "OK", "SET", "s", "new");
    VT_TEXT(db, "-1", "TTL", "s");
    VT_EQ_INT(db->eng.stat_expired, 2);
    vs_close(db);
}

static void test_active_cycle(void) {
    vs_db *db = vs_open(NULL);
    vs_set_time(db, 1000, 0);
    char key[16], t[16];
    for (int i = 0; i < 100; i++) {
        snprintf(key, sizeof key, "k%d", i);
        snprintf(t, sizeof t, "%d", 2000 + (i * 37) % 100);
        vt_run(db, "SET", key, "v", "PXAT", t, NULL);
    }
    VT_EQ_INT(vs_expire_next(db), 2000);
    VT_EQ_INT(vs_expire_step(db, 10), 0); /* nothing due yet */
    vs_set_time(db, 2049, 0);             /* 50 due */
    int calls = 0;
    while (vs_expire_step(db, 7)) calls++;
    VT_EQ_INT(calls, 7); /* 7 full steps, the 8th finishes the 50 */
    VT_EQ_INT(db->eng.store->ks.count, 50);
    VT_EQ_INT(vs_expire_next(db), 2050);
    /* the earliest went first: every key left is due at 2050 or later */
    VT_TEXT(db, "50", "DBSIZE");
    /* a save holds deletions back: hidden, not deleted */
    vs_set_time(db, 5000, 0);
    VT_EQ_INT(vs_save_begin(db), 0);
    VT_EQ_INT(vs_expire_step(db, 1000), 0);
    VT_TEXT(db, "(nil)", "GET", "k1");
    VT_EQ_INT(db->eng.store->ks.count, 50);
    vs_save_end(db);
    /* hide-only mode (a read-only store) */
    vs_set_time(db, 5000, 1);
    VT_TEXT(db, "0", "EXISTS", "k1");
    VT_EQ_INT(vs_expire_step(db, 1000), 0);
    VT_EQ_INT(db->eng.store->ks.count, 50);
    vs_set_time(db, 5000, 0);
    VT_EQ_INT(vs_expire_step(db, 1000), 0);
    VT_EQ_INT(db->eng.store->ks.count, 0);
    VT_CHECK(vs_expire_next(db) > 1e300);
    vs_close(db);
}

/* ---- journal and replay ----------------------------------------------------------- */

static char *journal_text(vs_db *db) {
    size_t n = vs_journal_len(db);
    char *s = malloc(n + 1);
    size_t k = 0;
    const uint8_t *p = vs_journal_data(db);
    /* drop the check records, keep the commands as "A B C;" */
    for (size_t i = 0; i < n;) {
        long argc = strtol((const char *)p + i + 1, NULL, 10);
        i = (size_t)((const uint8_t *)memchr(p + i, '\n', n - i) - p) + 1;
        size_t start = k;
        for (long a = 0; a < argc; a++) {
            long len = strtol((const char *)p + i + 1, NULL, 10);
            i = (size_t)((const uint8_t *)memchr(p + i, '\n', n - i) - p) + 1;
            memcpy(s + k, p + i, (size_t)len);
            k += (size_t)len;
            s[k++] = a + 1 < argc ? ' ' : ';';
            i += (size_t)len + 2;
        }
        if (k - start > 4 && memcmp(s + start, "PING", 4) == 0) k = start;
    }
    s[k] = 0;
    return s;
}

static void test_journal(void) {
    vs_db *db = vs_open(NULL);
    vs_journal_enable(db, 1);
    vs_set_time(db, 1000, 0);
    vt_run(db, "SET", "a", "v", "EX", "10", NULL);
    vt_run(db, "SET", "b", "v", NULL);
    vt_run(db, "EXPIRE", "b", "5", NULL);
    vt_run(db, "PEXPIRE", "b", "5", "GT", NULL); /* refused by GT: nothing recorded */
    vt_run(db, "GETEX", "b", "PERSIST", NULL);
    vt_run(db, "GETEX", "b", "EX", "7", NULL);
    vt_run(db, "SET", "b", "w", "KEEPTTL", NULL);
    vt_run(db, "SETEX", "c", "1", "v", NULL);
    vt_run(db, "EXPIREAT", "b", "0", NULL); /* past: deleted */
    vs_set_time(db, 2000, 0);
    vt_run(db, "GET", "c", NULL); /* expired on access */
    vs_set_time(db, 20000, 0);
    vs_expire_step(db, 10); /* a, by the cycle */
    char *j = journal_text(db);
    VT_EQ_MEM(j, strlen(j),
              "SET a v PXAT 11000;SET b v;PEXPIREAT b 6000;PERSIST b;PEXPIREAT b 8000;SET b w PXAT 8000;"
              "SET c v PXAT 2000;DEL b;DEL c;DEL a;");
    free(j);

    /* Replay: absolute times, nothing expires while replaying (a past
     * time is set as is), then keys past their time are gone. */
    uint8_t *rec = malloc(vs_journal_len(db));
    size_t rlen = vs_journal_len(db);
    memcpy(rec, vs_journal_data(db), rlen);
    vs_db *r = vs_open(NULL);
    vs_set_time(r, 5000, 0);
    VT_EQ_INT(vs_journal_replay_begin(r, 2), 0);
    /* the whole command group: feed everything, then compare states */
    VT_EQ_INT(vs_journal_replay_feed(r, rec, rlen), 0);
    VT_EQ_INT(vs_journal_replay_end(r, 0), 0);
    VT_TEXT(r, "[]", "KEYS", "*");
    vs_close(r);

    /* Replay a journal of only the first three commands: times kept */
    vs_db *r2 = vs_open(NULL);
    vs_set_time(r2, 1000, 0);
    VT_EQ_INT(vs_journal_replay_begin(r2, 1), 0);
    const char *plain = "*5\r\n$3\r\nSET\r\n$1\r\nx\r\n$1\r\nv\r\n$4\r\nPXAT\r\n$3\r\n900\r\n"
                        "*3\r\n$9\r\nPEXPIREAT\r\n$1\r\nx\r\n$4\r\n3000\r\n"
                        "*2\r\n$4\r\nPTTL\r\n$1\r\nx\r\n";
    VT_EQ_INT(vs_journal_replay_feed(r2, (const uint8_t *)plain, strlen(plain)), 0);
    VT_EQ_INT(vs_journal_replay_end(r2, 0), 0);
    VT_EQ_INT(r2->eng.store->ks.count, 1);
    VT_TEXT(r2, "3000", "PEXPIRETIME", "x");
    vs_close(r2);
    free(rec);
    vs_close(db);
}

/* ---- snapshots ---------------------------------------------------------------------- */

static uint8_t *save_all(vs_db *db, size_t *len) {
    VT_EQ_INT(vs_save_begin(db), 0);
    size_t total = (size_t)vs_save_size(db);
    uint8_t *buf = malloc(total + 1);
    size_t n = 0;
    long k;
    while ((k = vs_save_next(db, buf + n, 1 + rnd() % 700)) > 0) n += (size_t)k;
    vs_save_end(db);
    VT_EQ_INT(n, total);
    *len = n;
    return buf;
}

static int load_all(vs_db *db, const uint8_t *p, size_t n) {
    if (vs_load_begin(db, (double)n) != 0) return -1;
    int st = vs_load_feed(db, p, n);
    if (st != 0) {
        vs_load_abort(db);
        return st;
    }
    return vs_load_end(db);
}

static size_t section_at(const uint8_t *s, size_t len, uint32_t type) {
    for (size_t off = 16; off + 12 <= len;) {
        if (vs_le_get32(s + off) == type) return off;
        if (vs_le_get32(s + off) == VS_SEC_END) return 0;
        off += 12 + (size_t)vs_le_get64(s + off + 4) + 8;
    }
    return 0;
}

static void test_snapshot(void) {
    rs = 7;
    vs_db *db = vs_open(NULL);
    vs_set_time(db, 1000, 0);
    size_t n0;
    vt_run(db, "SET", "plain", "v", NULL);
    uint8_t *old = save_all(db, &n0); /* no key with a time: no section */
    VT_EQ_INT(section_at(old, n0, VS_SEC_EXPIRES), 0);
    char key[16], t[16];
    for (int i = 0; i < 300; i++) {
        snprintf(key, sizeof key, "k%d", i);
        snprintf(t, sizeof t, "%d", 2000 + i);
        vt_run(db, "HSET", key, "f", "v", NULL);
        if (i % 3) vt_run(db, "PEXPIREAT", key, t, NULL);
    }
    size_t len, da, db_len;
    uint8_t *snap = save_all(db, &len);
    VT_CHECK(section_at(snap, len, VS_SEC_EXPIRES) != 0);
    char *before = vt_digest(db, &da);
    vs_db *b = vs_open(NULL);
    vs_set_time(b, 1000, 0);
    VT_EQ_INT(load_all(b, snap, len), 0);
    char *after = vt_digest(b, &db_len);
    VT_CHECK(da == db_len && memcmp(before, after, da) == 0);
    VT_EQ_INT(vs_exp_count(&b->eng.store->ks), 200);
    VT_CHECK(heap_ok(&b->eng.store->ks));
    VT_TEXT(b, "2001", "PEXPIRETIME", "k1");
    /* loaded after their time: never returned */
    vs_set_time(b, 2150, 0);
    VT_TEXT(b, "0", "EXISTS", "k1");
    VT_TEXT(b, "1", "EXISTS", "k150");
    VT_TEXT(b, "1", "EXISTS", "k151");
    free(before);
    free(after);
    /* a snapshot written before expiry existed still loads */
    VT_EQ_INT(load_all(b, old, n0), 0);
    VT_TEXT(b, "[plain]", "KEYS", "*");
    VT_EQ_INT(vs_exp_count(&b->eng.store->ks), 0);
    /* damage in the section: a time for a missing key (checksums redone),
     * a count too large, a flipped bit; each refused, the store unchanged */
    size_t off = section_at(snap, len, VS_SEC_EXPIRES);
    uint8_t *bad = malloc(len);
    const char *why[3] = {"missing key", "count", "checksum"};
    for (int k = 0; k < 3; k++) {
        memcpy(bad, snap, len);
        if (k == 0) vs_le_put32(bad + off + 12 + 8, 99999);
        if (k == 1) vs_le_put64(bad + off + 12, 5000);
        if (k == 2) bad[off + 12 + 8 + 5] ^= 0x10;
        if (k < 2) { /* recompute the section's and the file's checksums */
            size_t plen = (size_t)vs_le_get64(bad + off + 4);
            vs_le_put64(bad + off + 12 + plen, vs_xxh64(bad + off + 12, plen, VS_SEC_EXPIRES));
            size_t end = section_at(bad, len, VS_SEC_END);
            for (size_t o = 16; o + 12 <= len && vs_le_get32(bad + o) != VS_SEC_END;) o += 12 + (size_t)vs_le_get64(bad + o + 4) + 8, end = o;
            vs_le_put64(bad + end + 12, vs_xxh64(bad, end, 0));
            vs_le_put64(bad + end + 20, vs_xxh64(bad + end + 12, 8, VS_SEC_END));
        }
        int st = load_all(b, bad, len);
        if (st == 0) vt_fail(__FILE__, __LINE__, "damaged expiry section (%s) loaded", why[k]);
        vt_checks++;
        const char *text = vs_error_text(b);
        VT_CHECK(strncmp(text, "Bad snapshot: ", 14) == 0);
        VT_TEXT(b, "[plain]", "KEYS", "*");
    }
    free(bad);
    free(snap);
    free(old);
    vs_close(b);
    vs_close(db);
}

/* ---- FT.SEARCH ---------------------------------------------------------------------- */

static void test_search_hides(void) {
    const char *algos[2] = {"FLAT", "HNSW"};
    for (int a = 0; a < 2; a++) {
        vs_db *db = vs_open(NULL);
        vs_set_time(db, 1000, 0);
        vt_run(db, "FT.CREATE", "idx", "PREFIX", "1", "d:", "SCHEMA", "v", "VECTOR", algos[a], "6", "TYPE", "FLOAT32",
               "DIM", "2", "DISTANCE_METRIC", "L2", "t", "TAG", "n", "NUMERIC", NULL);
        char key[16], n[16], t[16];
        for (int i = 0; i < 20; i++) {
            float v[2] = {(float)i, 0};
            snprintf(key, sizeof key, "d:%02d", i);
            snprintf(n, sizeof n, "%d", i);
            vt_run(db, "HSET", key, "v", vt_blob(0, v, 2), "t", i % 2 ? "odd" : "even", "n", n, NULL);
            snprintf(t, sizeof t, "%d", 2000 + i);
            if (i < 10) vt_run(db, "PEXPIREAT", key, t, NULL); /* d:00..d:09 expire at 2000..2009 */
        }
        float q[2] = {0, 0};
        vt_blob(1, q, 2);
        vs_set_time(db, 2004, 0); /* d:00..d:04 expired, not reclaimed */
        VT_TEXT(db, "[15,d:05,d:06,d:07]", "FT.SEARCH", "idx", "*", "NOCONTENT", "LIMIT", "0", "3");
        VT_TEXT(db, "[3,d:05,d:06,d:07]", "FT.SEARCH", "idx", "*=>[KNN 3 @v $q]", "PARAMS", "2", "q", VT_BLOB(1),
                "NOCONTENT");
        VT_TEXT(db, "[8,d:05,d:07,d:09]", "FT.SEARCH", "idx", "@t:{odd}", "NOCONTENT", "LIMIT", "0", "3");
        VT_TEXT(db, "[3,d:05,d:06,d:07]", "FT.SEARCH", "idx", "@n:[0 7]", "NOCONTENT");
        VT_TEXT(db, "[2,d:06,d:08]", "FT.SEARCH", "idx", "(@t:{even} @n:[0 9])=>[KNN 2 @v $q]", "PARAMS", "2", "q",
                VT_BLOB(1), "NOCONTENT");
        VT_EQ_INT(db->eng.store->ks.count, 20); /* hidden, not deleted */
        /* reclaimed: gone from the index at the same moment */
        while (vs_expire_step(db, 2)) {
        }
        VT_EQ_INT(db->eng.store->ks.count, 15);
        vt_run(db, "FT.INFO", "idx", NULL);
        VT_CHECK(strstr(vt_text(db), "num_docs,15") != NULL);
        VT_TEXT(db, "[3,d:05,d:06,d:07]", "FT.SEARCH", "idx", "*=>[KNN 3 @v $q]", "PARAMS", "2", "q", VT_BLOB(1),
                "NOCONTENT");
        vs_close(db);
    }
}

int main(void) {
    VT_RUN(test_heap_model);
    VT_RUN(test_commands);
    VT_RUN(test_lazy_exact);
    VT_RUN(test_active_cycle);
    VT_RUN(test_journal);
    VT_RUN(test_snapshot);
    VT_RUN(test_search_hides);
    VT_DONE();
}
