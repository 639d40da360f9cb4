/* test_rdb_read.c - the RDB reader (persist/rdb_read.c, rdb_blob.c,
 * base/lzf.c) through the ABI (vs_rdb_load_*).
 *
 * Hand-built files (every build, wasm included) hold each encoding a real
 * dump may: integer-encoded and LZF strings, plain / zipmap / ziplist /
 * listpack hashes with every entry encoding, expiry opcodes, aux fields,
 * module values and aux data, functions, streams with consumer groups,
 * the skipped types, other databases, old versions.  What is loaded is
 * compared with a model store built by commands (vt_digest).  Files
 * written by the real redis-server (native builds, when it is installed)
 * from seeded random data are loaded and compared the same way.  Then:
 * 1-byte chunks, every truncation, every bit flip, out-of-memory at every
 * allocation (the store unchanged, nothing leaked), damaged structures,
 * the replace rule, indexes rebuilt over the loaded keys.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/abi/db.h"
#include "../../src/abi/vessel.h"
#include "../../src/base/alloc.h"
#include "../../src/base/crc64.h"
#include "../../src/base/lzf.h"
#include "../../src/persist/rdb.h"
#include "vt.h"
#include "vt_cmd.h"

#ifndef __EMSCRIPTEN__
#include <time.h>
#include <unistd.h>
#endif

/* ---- a byte builder --------------------------------------------------------- */

typedef struct bb {
    uint8_t *p;
    size_t n, cap;
} bb;

static void bb_put(bb *b, const void *p, size_t n) {
    if (b->n + n > b->cap) {
        b->cap = (b->n + n) * 2 + 64;
        b->p = realloc(b->p, b->cap);
    }
    if (n) memcpy(b->p + b->n, p, n);
    b->n += n;
}
static void bb_u8(bb *b, unsigned v) {
    uint8_t c = (uint8_t)v;
    bb_put(b, &c, 1);
}
static void bb_le(bb *b, uint64_t v, int n) {
    for (int i = 0; i < n; i++) bb_u8(b, (unsigned)(v >> (8 * i)) & 0xFF);
}
static void bb_be(bb *b, uint64_t v, int n) {
    for (int i = n - 1; i >= 0; i--) bb_u8(b, (unsigned)(v >> (8 * i)) & 0xFF);
}
/* RDB length encoding, the shortest form (or a forced long one). */
static void bb_len_form(bb *b, uint64_t v, int form) {
    if (form == 0 && v < 64)
        bb_u8(b, (unsigned)v);
    else if (form <= 1 && v < 16384)
        bb_u8(b, 0x40 | (unsigned)(v >> 8)), bb_u8(b, (unsigned)v & 0xFF);
    else if (form <= 2 && v <= UINT32_MAX)
        bb_u8(b, 0x80), bb_be(b, v, 4);
    else
        bb_u8(b, 0x81), bb_be(b, v, 8);
}
static void bb_len(bb *b, uint64_t v) { bb_len_form(b, v, 0); }
static void bb_strn(bb *b, const void *s, size_t n) {
    bb_len(b, n);
    bb_put(b, s, n);
}
static void bb_str(bb *b, const char *s) { bb_strn(b, s, strlen(s)); }
static void bb_header(bb *b, int ver) {
    char h[16];
    snprintf(h, sizeof h, "REDIS%04d", ver);
    bb_put(b, h, 9);
}
static void bb_end(bb *b, int ver) {
    bb_u8(b, 0xFF);
    if (ver >= 5) bb_le(b, vs_crc64(0, b->p, b->n), 8);
}

/* ziplist */
typedef struct zl {
    bb b;
    size_t prev, tail, count;
} zl;
static void zl_begin(zl *z) {
    memset(z, 0, sizeof *z);
    uint8_t h[10] = {0};
    bb_put(&z->b, h, 10);
}
static void zl_raw(zl *z, const uint8_t *e, size_t n) {
    z->tail = z->b.n;
    size_t start = z->b.n;
    if (z->prev < 254)
        bb_u8(&z->b, (unsigned)z->prev);
    else
        bb_u8(&z->b, 254), bb_le(&z->b, z->prev, 4);
    bb_put(&z->b, e, n);
    z->prev = z->b.n - start;
    z->count++;
}
static void zl_str(zl *z, const char *s) {
    bb e = {0};
    size_t n = strlen(s);
    if (n < 64)
        bb_u8(&e, (unsigned)n);
    else if (n < 16384)
        bb_u8(&e, 0x40 | (unsigned)(n >> 8)), bb_u8(&e, n & 0xFF);
    else
        bb_u8(&e, 0x80), bb_be(&e, n, 4);
    bb_put(&e, s, n);
    zl_raw(z, e.p, e.n);
    free(e.p);
}
static void zl_int(zl *z, unsigned enc, int64_t v) {
    bb e = {0};
    bb_u8(&e, enc);
    switch (enc) {
    case 0xC0: bb_le(&e, (uint64_t)v, 2); break;
    case 0xD0: bb_le(&e, (uint64_t)v, 4); break;
    case 0xE0: bb_le(&e, (uint64_t)v, 8); break;
    case 0xF0: bb_le(&e, (uint64_t)v, 3); break;
    case 0xFE: bb_le(&e, (uint64_t)v, 1); break;
    default: break; /* immediate */
    }
    zl_raw(z, e.p, e.n);
    free(e.p);
}
static void zl_end(zl *z) {
    bb_u8(&z->b, 0xFF);
    uint8_t *p = z->b.p;
    for (int i = 0; i < 4; i++) p[i] = (uint8_t)(z->b.n >> (8 * i)), p[4 + i] = (uint8_t)(z->tail >> (8 * i));
    p[8] = (uint8_t)z->count, p[9] = (uint8_t)(z->count >> 8);
}

/* listpack */
typedef struct lp {
    bb b;
    size_t count;
} lp;
static void lp_begin(lp *l) {
    memset(l, 0, sizeof *l);
    uint8_t h[6] = {0};
    bb_put(&l->b, h, 6);
}
static void lp_raw(lp *l, const uint8_t *e, size_t n) {
    bb_put(&l->b, e, n);
    if (n <= 127) {
        bb_u8(&l->b, (unsigned)n);
    } else if (n < 16383) {
        bb_u8(&l->b, (unsigned)(n >> 7));
        bb_u8(&l->b, (unsigned)(n & 127) | 128);
    } else {
        bb_u8(&l->b, (unsigned)(n >> 14));
        bb_u8(&l->b, (unsigned)((n >> 7) & 127) | 128);
        bb_u8(&l->b, (unsigned)(n & 127) | 128);
    }
    l->count++;
}
static void lp_str(lp *l, const char *s) {
    bb e = {0};
    size_t n = strlen(s);
    if (n < 64)
        bb_u8(&e, 0x80 | (unsigned)n);
    else if (n < 4096)
        bb_u8(&e, 0xE0 | (unsigned)(n >> 8)), bb_u8(&e, n & 0xFF);
    else
        bb_u8(&e, 0xF0), bb_le(&e, n, 4);
    bb_put(&e, s, n);
    lp_raw(l, e.p, e.n);
    free(e.p);
}
/* bits: 7, 13, 16, 24, 32, 64 */
static void lp_int(lp *l, int bits, int64_t v) {
    bb e = {0};
    uint64_t u = (uint64_t)v;
    switch (bits) {
    case 7: bb_u8(&e, (unsigned)u & 0x7F); break;
    case 13: bb_u8(&e, 0xC0 | (unsigned)((u >> 8) & 0x1F)), bb_u8(&e, u & 0xFF); break;
    case 16: bb_u8(&e, 0xF1), bb_le(&e, u, 2); break;
    case 24: bb_u8(&e, 0xF2), bb_le(&e, u, 3); break;
    case 32: bb_u8(&e, 0xF3), bb_le(&e, u, 4); break;
    default: bb_u8(&e, 0xF4), bb_le(&e, u, 8); break;
    }
    lp_raw(l, e.p, e.n);
    free(e.p);
}
static void lp_end(lp *l) {
    bb_u8(&l->b, 0xFF);
    for (int i = 0; i < 4; i++) l->b.p[i] = (uint8_t)(l->b.n >> (8 * i));
    l->b.p[4] = (uint8_t)l->count, l->b.p[5] = (uint8_t)(l->count >> 8);
}

/* zipmap: (field, value, free bytes) */
static void zm_entry(bb *b, const char *f, const char *v, unsigned freeb) {
    size_t fl = strlen(f), vl = strlen(v);
    if (fl < 254) bb_u8(b, (unsigned)fl); else bb_u8(b, 254), bb_le(b, fl, 4);
    bb_put(b, f, fl);
    if (vl < 254) bb_u8(b, (unsigned)vl); else bb_u8(b, 254), bb_le(b, vl, 4);
    bb_u8(b, freeb);
    bb_put(b, v, vl);
    for (unsigned i = 0; i < freeb; i++) bb_u8(b, 'x');
}

/* ---- loading ----------------------------------------------------------------- */

/* Load a file in chunks of `chunk` bytes (0: whole); returns the status. */
static int load(vs_db *db, const uint8_t *p, size_t n, size_t chunk, int flags) {
    int st = vs_rdb_load_begin(db, (double)n, flags);
    if (st) return st;
    if (!chunk) chunk = n ? n : 1;
    for (size_t off = 0; off < n && st == 0; off += chunk) st = vs_rdb_load_feed(db, p + off, n - off < chunk ? n - off : chunk);
    if (st) {
        vs_rdb_load_abort(db);
        return st;
    }
    return vs_rdb_load_end(db);
}

static char *digest(vs_db *db) {
    size_t n;
    return vt_digest(db, &n);
}

static void check_same(vs_db *a, vs_db *b) {
    char *x = digest(a), *y = digest(b);
    vt_checks++;
    if (strcmp(x, y) != 0) vt_fail(__FILE__, __LINE__, "stores differ:\n got  %.600s\n want %.600s", x, y);
    free(x);
    free(y);
}

static int64_t FUTURE = 4102444800000LL; /* 2100 */
static int64_t NOW = 1700000000000LL;

static vs_db *new_db(void) {
    vs_db *db = vs_open(NULL);
    vs_set_time(db, (double)NOW, VS_EXPIRE_ACTIVE);
    return db;
}

/* ---- the hand-built file ------------------------------------------------------ */

static const char *long_text(void) {
    static char s[4200];
    for (int i = 0; i < 4100; i++) s[i] = (char)('a' + i % 26);
    s[4100] = 0;
    return s;
}

/* A version-10 file with every encoding and skipped type; `with_fn`
 * adds a function library (which redis-check-rdb would try to run). */
static void build_all(bb *b, int ver, int with_fn, int small) {
    bb_header(b, ver);
    bb_u8(b, VS_RDB_OP_AUX), bb_str(b, "redis-ver"), bb_str(b, "7.0.15");
    bb_u8(b, VS_RDB_OP_AUX), bb_str(b, "redis-bits"), bb_u8(b, 0xC0), bb_u8(b, 64);
    if (with_fn) bb_u8(b, VS_RDB_OP_FUNCTION2), bb_str(b, "#!lua name=lib\nredis.register_function('f', function() return 1 end)");
    /* module aux data: id, when-opcode (UINT), when, then values */
    bb_u8(b, VS_RDB_OP_MODULE_AUX), bb_len(b, 0x123456789ULL), bb_len(b, 2), bb_len(b, 2);
    bb_len(b, 5), bb_str(b, "aux"), bb_len(b, 0);
    bb_u8(b, VS_RDB_OP_SELECTDB), bb_len(b, 0);
    bb_u8(b, VS_RDB_OP_RESIZEDB), bb_len(b, 30), bb_len(b, 3);
    /* strings */
    bb_u8(b, 0), bb_str(b, "s1"), bb_str(b, "hello");
    bb_u8(b, 0), bb_str(b, "i8"), bb_u8(b, 0xC0), bb_u8(b, 0xFB);               /* -5 */
    bb_u8(b, 0), bb_str(b, "i16"), bb_u8(b, 0xC1), bb_le(b, (uint64_t)-30000, 2); /* -30000 */
    bb_u8(b, 0), bb_str(b, "i32"), bb_u8(b, 0xC2), bb_le(b, 2000000000, 4);
    bb_u8(b, 0), bb_u8(b, 0xC1), bb_le(b, 1234, 2), bb_str(b, "int key");
    static const uint8_t lz[] = {0x02, 'a', 'b', 'c', 0xE0, 0x08, 0x02};
    bb_u8(b, 0), bb_str(b, "lz"), bb_u8(b, 0xC3), bb_len(b, sizeof lz), bb_len(b, 20), bb_put(b, lz, sizeof lz);
    bb_u8(b, 0), bb_str(b, "empty"), bb_str(b, "");
    bb_u8(b, 0), bb_str(b, "long"), bb_len_form(b, 5, 2), bb_put(b, "12345", 5); /* a 32-bit length */
    bb_u8(b, 0), bb_str(b, "long64"), bb_len_form(b, 3, 3), bb_put(b, "abc", 3); /* a 64-bit length */
    bb_u8(b, 0), bb_str(b, "bin"), bb_strn(b, "a\0b\r\n", 5);
    /* plain hash with an integer-encoded value */
    bb_u8(b, 4), bb_str(b, "h"), bb_len(b, 2), bb_str(b, "f1"), bb_str(b, "v1"), bb_str(b, "f2"), bb_u8(b, 0xC0), bb_u8(b, 7);
    /* zipmap hash */
    {
        bb z = {0};
        bb_u8(&z, 2);
        zm_entry(&z, "a", "1", 0);
        zm_entry(&z, "bb", "xyz", 3);
        bb_u8(&z, 0xFF);
        bb_u8(b, 9), bb_str(b, "zm"), bb_strn(b, z.p, z.n);
        free(z.p);
    }
    /* ziplist hash: every entry encoding */
    {
        zl z;
        zl_begin(&z);
        zl_str(&z, "s6"), zl_str(&z, "short");
        if (small != 1) zl_str(&z, "s14"), zl_str(&z, long_text() + 4000); /* 100 bytes */
        zl_str(&z, "i16"), zl_int(&z, 0xC0, -1234);
        zl_str(&z, "i32"), zl_int(&z, 0xD0, -70000);
        zl_str(&z, "i64"), zl_int(&z, 0xE0, INT64_MIN);
        zl_str(&z, "i24"), zl_int(&z, 0xF0, -8388608);
        zl_str(&z, "i8"), zl_int(&z, 0xFE, -128);
        zl_str(&z, "imm0"), zl_int(&z, 0xF1, 0);
        zl_str(&z, "imm12"), zl_int(&z, 0xFD, 12);
        zl_int(&z, 0xC0, 300), zl_str(&z, "int field");
        if (small != 1) {
            zl_str(&z, "big"), zl_str(&z, long_text() + 3700); /* 400 bytes: the next prevlen is 5 bytes */
            zl_str(&z, "after"), zl_str(&z, "big");
        }
        zl_end(&z);
        bb_u8(b, 13), bb_str(b, "zl"), bb_strn(b, z.b.p, z.b.n);
        free(z.b.p);
    }
    /* listpack hash: every entry encoding */
    {
        lp l;
        lp_begin(&l);
        lp_str(&l, "u7"), lp_int(&l, 7, 127);
        lp_str(&l, "i13"), lp_int(&l, 13, -4096);
        if (small != 1) lp_str(&l, "s12"), lp_str(&l, long_text() + 4000);
        lp_str(&l, "i16"), lp_int(&l, 16, -32768);
        lp_str(&l, "i24"), lp_int(&l, 24, 8388607);
        lp_str(&l, "i32"), lp_int(&l, 32, INT32_MIN);
        lp_str(&l, "i64"), lp_int(&l, 64, INT64_MAX);
        if (small != 1) lp_str(&l, "s32"), lp_str(&l, long_text());
        lp_int(&l, 13, 4095), lp_str(&l, "");
        lp_end(&l);
        bb_u8(b, 16), bb_str(b, "lp"), bb_strn(b, l.b.p, l.b.n);
        free(l.b.p);
    }
    /* expiry */
    bb_u8(b, VS_RDB_OP_EXPIRETIME_MS), bb_le(b, (uint64_t)FUTURE, 8);
    bb_u8(b, VS_RDB_OP_FREQ), bb_u8(b, 5);
    bb_u8(b, VS_RDB_OP_IDLE), bb_len(b, 100);
    bb_u8(b, 0), bb_str(b, "ttl"), bb_str(b, "v");
    bb_u8(b, VS_RDB_OP_EXPIRETIME_MS), bb_le(b, (uint64_t)(NOW - 1), 8);
    bb_u8(b, 0), bb_str(b, "gone"), bb_str(b, "v");
    bb_u8(b, VS_RDB_OP_EXPIRETIME_MS), bb_le(b, (uint64_t)NOW, 8); /* expired at now */
    bb_u8(b, 4), bb_str(b, "gone2"), bb_len(b, 1), bb_str(b, "f"), bb_str(b, "v");
    bb_u8(b, VS_RDB_OP_EXPIRETIME), bb_le(b, 2000000000, 4);
    bb_u8(b, 4), bb_str(b, "ttls"), bb_len(b, 1), bb_str(b, "f"), bb_str(b, "v");
    /* skipped types */
    bb_u8(b, 1), bb_str(b, "list"), bb_len(b, 2), bb_str(b, "a"), bb_u8(b, 0xC0), bb_u8(b, 1);
    bb_u8(b, 2), bb_str(b, "set"), bb_len(b, 1), bb_str(b, "m");
    bb_u8(b, 3), bb_str(b, "zset"), bb_len(b, 3), bb_str(b, "a"), bb_u8(b, 3), bb_put(b, "1.5", 3);
    bb_str(b, "b"), bb_u8(b, 254), bb_str(b, "c"), bb_u8(b, 255);
    bb_u8(b, 5), bb_str(b, "zset2"), bb_len(b, 1), bb_str(b, "a"), bb_le(b, 0x3FF8000000000000ULL, 8);
    {
        static const uint8_t intset[] = {2, 0, 0, 0, 2, 0, 0, 0, 1, 0, 2, 0};
        bb_u8(b, 11), bb_str(b, "intset"), bb_strn(b, intset, sizeof intset);
    }
    {
        zl z;
        zl_begin(&z), zl_str(&z, "a"), zl_int(&z, 0xF2, 1), zl_end(&z);
        bb_u8(b, 10), bb_str(b, "listzl"), bb_strn(b, z.b.p, z.b.n);
        bb_u8(b, 12), bb_str(b, "zsetzl"), bb_strn(b, z.b.p, z.b.n);
        bb_u8(b, 14), bb_str(b, "ql"), bb_len(b, 2), bb_strn(b, z.b.p, z.b.n), bb_strn(b, z.b.p, z.b.n);
        free(z.b.p);
        lp l;
        lp_begin(&l), lp_str(&l, "a"), lp_int(&l, 7, 1), lp_end(&l);
        bb_u8(b, 17), bb_str(b, "zsetlp"), bb_strn(b, l.b.p, l.b.n);
        if (small != 2) bb_u8(b, 20), bb_str(b, "setlp"), bb_strn(b, l.b.p, l.b.n); /* Redis 7.2 */
        bb_u8(b, 18), bb_str(b, "ql2"), bb_len(b, 2), bb_len(b, 2), bb_strn(b, l.b.p, l.b.n), bb_len(b, 1), bb_str(b, "plain");
        free(l.b.p);
    }
    /* streams (their listpacks are opaque here: left out of the file
     * redis-check-rdb reads, small == 2) */
    for (int t = small ? 21 : 15; t <= 21 && small != 2; t += (t == 15 ? 4 : 2)) { /* 15, 19, 21 */
        char name[32];
        snprintf(name, sizeof name, "stream%d", t);
        bb_u8(b, (unsigned)t), bb_str(b, name);
        bb_len(b, 1), bb_strn(b, "0123456789abcdef", 16), bb_str(b, "listpack");
        bb_len(b, 1), bb_len(b, 1), bb_len(b, 0);                              /* length, last id */
        if (t >= 19) bb_len(b, 1), bb_len(b, 0), bb_len(b, 0), bb_len(b, 0), bb_len(b, 1); /* first, max deleted, added */
        bb_len(b, 1), bb_str(b, "group"), bb_len(b, 1), bb_len(b, 0);         /* one group, its last id */
        if (t >= 19) bb_len(b, 1);                                             /* offset */
        bb_len(b, 1), bb_put(b, "0123456789abcdef", 16), bb_le(b, 5, 8), bb_len(b, 1); /* PEL */
        bb_len(b, 1), bb_str(b, "consumer"), bb_le(b, 6, 8);
        if (t >= 21) bb_le(b, 7, 8);
        bb_len(b, 1), bb_put(b, "0123456789abcdef", 16);
    }
    /* a module value: every opcode */
    bb_u8(b, 7), bb_str(b, "mod"), bb_len(b, 0xABCDEF0123ULL);
    bb_len(b, 1), bb_len(b, 5), bb_len(b, 2), bb_len(b, 6), bb_len(b, 3), bb_le(b, 0, 4), bb_len(b, 4), bb_le(b, 0, 8);
    bb_len(b, 5), bb_str(b, "x"), bb_len(b, 0);
    /* other databases */
    bb_u8(b, VS_RDB_OP_SELECTDB), bb_len(b, 1);
    bb_u8(b, 0), bb_str(b, "s1"), bb_str(b, "other");
    bb_u8(b, VS_RDB_OP_SELECTDB), bb_len(b, 15);
    bb_u8(b, 4), bb_str(b, "h"), bb_len(b, 1), bb_str(b, "f"), bb_str(b, "v");
    bb_end(b, ver);
}

/* The model of build_all's database 0. */
static void model_all(vs_db *m) {
    vt_run(m, "SET", "s1", "hello", NULL);
    vt_run(m, "SET", "i8", "-5", NULL);
    vt_run(m, "SET", "i16", "-30000", NULL);
    vt_run(m, "SET", "i32", "2000000000", NULL);
    vt_run(m, "SET", "1234", "int key", NULL);
    vt_run(m, "SET", "lz", "abcabcabcabcabcabcab", NULL);
    vt_run(m, "SET", "empty", "", NULL);
    vt_run(m, "SET", "long", "12345", NULL);
    vt_run(m, "SET", "long64", "abc", NULL);
    float dummy = 0;
    (void)dummy;
    memcpy(vt_blobs[0], "a\0b\r\n", 5);
    vt_blob_len[0] = 5;
    vt_run(m, "SET", "bin", VT_BLOB(0), NULL);
    vt_run(m, "HSET", "h", "f1", "v1", "f2", "7", NULL);
    vt_run(m, "HSET", "zm", "a", "1", "bb", "xyz", NULL);
    vt_run(m, "HSET", "zl", "s6", "short", "s14", long_text() + 4000, "i16", "-1234", "i32", "-70000", "i64",
           "-9223372036854775808", "i24", "-8388608", "i8", "-128", "imm0", "0", "imm12", "12", "300", "int field", "big",
           long_text() + 3700, "after", "big", NULL);
    vt_run(m, "HSET", "lp", "u7", "127", "i13", "-4096", "s12", long_text() + 4000, "i16", "-32768", "i24", "8388607",
           "i32", "-2147483648", "i64", "9223372036854775807", "s32", long_text(), "4095", "", NULL);
    vt_run(m, "SET", "ttl", "v", NULL);
    char t[32];
    snprintf(t, sizeof t, "%lld", (long long)FUTURE);
    vt_run(m, "PEXPIREAT", "ttl", t, NULL);
    vt_run(m, "HSET", "ttls", "f", "v", NULL);
    vt_run(m, "PEXPIREAT", "ttls", "2000000000000", NULL);
}

static void check_all_stats(vs_db *db, int ver) {
    VT_EQ_INT(vs_rdb_load_stat(db, VS_RDB_STAT_VERSION), ver);
    /* database 1's string and database 15's hash included */
    VT_EQ_INT(vs_rdb_load_stat(db, VS_RDB_STAT_HASHES), 6);
    VT_EQ_INT(vs_rdb_load_stat(db, VS_RDB_STAT_STRINGS), 12);
    VT_EQ_INT(vs_rdb_load_stat(db, VS_RDB_STAT_EXPIRED), 2);
    VT_EQ_INT(vs_rdb_load_stat(db, VS_RDB_STAT_LISTS), 4);
    VT_EQ_INT(vs_rdb_load_stat(db, VS_RDB_STAT_SETS), 3);
    VT_EQ_INT(vs_rdb_load_stat(db, VS_RDB_STAT_ZSETS), 4);
    VT_EQ_INT(vs_rdb_load_stat(db, VS_RDB_STAT_STREAMS), 3);
    VT_EQ_INT(vs_rdb_load_stat(db, VS_RDB_STAT_MODULES), 1);
    VT_EQ_INT(vs_rdb_load_stat(db, VS_RDB_STAT_OTHER_DB), 0);
    VT_EQ_INT(vs_rdb_load_stat(db, VS_RDB_STAT_FUNCTIONS), 1);
    /* each key in the database SELECTDB named */
    VT_CMD(db, "+OK\r\n", "SELECT", "1");
    VT_CMD(db, "$5\r\nother\r\n", "GET", "s1");
    VT_CMD(db, ":1\r\n", "DBSIZE");
    VT_CMD(db, "+OK\r\n", "SELECT", "15");
    VT_CMD(db, "$1\r\nv\r\n", "HGET", "h", "f");
    VT_CMD(db, "+OK\r\n", "SELECT", "0");
}

static void test_hand_built(void) {
    bb f = {0};
    build_all(&f, 10, 1, 0);
    vs_db *m = new_db();
    model_all(m);
    size_t chunks[] = {0, 1, 2, 3, 7, 64, 1000};
    for (size_t i = 0; i < sizeof chunks / sizeof *chunks; i++) {
        vs_db *db = new_db();
        int st = load(db, f.p, f.n, chunks[i], 0);
        VT_EQ_INT(st, 0);
        if (st) fprintf(stderr, "chunk %zu: %s\n", chunks[i], vs_error_text(db));
        check_same(db, m);
        check_all_stats(db, 10);
        VT_EQ_INT(vs_rdb_load_stat(db, VS_RDB_STAT_BYTES), f.n);
        vs_close(db);
    }
    /* Declared size unknown (0). */
    vs_db *db = new_db();
    VT_EQ_INT(vs_rdb_load_begin(db, 0, 0), 0);
    VT_EQ_INT(vs_rdb_load_feed(db, f.p, f.n), 0);
    VT_EQ_INT(vs_rdb_load_end(db), 0);
    check_same(db, m);
    vs_close(db);
    vs_close(m);
    free(f.p);
}

/* Each version the reader takes; a newer one, a foreign file. */
static void test_versions(void) {
    vs_db *m = new_db();
    vt_run(m, "SET", "k", "v", NULL);
    vt_run(m, "HSET", "zm", "a", "1", NULL);
    for (int ver = 1; ver <= 12; ver++) {
        bb f = {0};
        bb_header(&f, ver);
        bb_u8(&f, 0), bb_str(&f, "k"), bb_str(&f, "v");
        bb_u8(&f, 9), bb_str(&f, "zm");
        bb z = {0};
        bb_u8(&z, 1), zm_entry(&z, "a", "1", 1), bb_u8(&z, 0xFF);
        bb_strn(&f, z.p, z.n);
        bb_end(&f, ver);
        vs_db *db = new_db();
        VT_EQ_INT(load(db, f.p, f.n, 1, 0), 0);
        check_same(db, m);
        VT_EQ_INT(vs_rdb_load_stat(db, VS_RDB_STAT_VERSION), ver);
        vs_close(db);
        free(z.p);
        free(f.p);
    }
    vs_close(m);
    static const struct {
        const char *head;
        const char *err;
    } refused[] = {
        {"REDIS0013", "Bad RDB: RDB version 13 is not supported (this engine reads versions 1 to 12)"},
        {"REDIS0000", "Bad RDB: RDB version 0 is not supported"},
        {"REDIX0010", "Bad RDB: not an RDB file"},
        {"REDIS00a1", "Bad RDB: the version after the signature is not a number"},
    };
    for (size_t i = 0; i < sizeof refused / sizeof *refused; i++) {
        bb f = {0};
        bb_put(&f, refused[i].head, 9);
        bb_end(&f, 10);
        vs_db *db = new_db();
        VT_CHECK(load(db, f.p, f.n, 1, 0) != 0);
        VT_CHECK(strncmp(vs_error_text(db), refused[i].err, strlen(refused[i].err)) == 0);
        if (strncmp(vs_error_text(db), refused[i].err, strlen(refused[i].err)) != 0)
            fprintf(stderr, "  got: %s\n", vs_error_text(db));
        vs_close(db);
        free(f.p);
    }
}

/* A file whose text must be refused with `err` (prefix). */
static void expect_refused(bb *f, const char *err, int line) {
    vs_db *db = new_db();
    vt_run(db, "SET", "keep", "me", NULL);
    char *before = digest(db);
    int st = load(db, f->p, f->n, 1, 1);
    char *after = digest(db);
    vt_checks++;
    if (st == 0 || strncmp(vs_error_text(db), err, strlen(err)) != 0)
        vt_fail(__FILE__, line, "expected \"%s\", got %d \"%s\"", err, st, vs_error_text(db));
    vt_checks++;
    if (strcmp(before, after) != 0) vt_fail(__FILE__, line, "a refused file changed the store");
    free(before);
    free(after);
    vs_close(db);
}

/* An empty hash is skipped and counted, as Redis's loader skips it. */
static void expect_empty_skipped(bb *f, int line) {
    vs_db *db = new_db();
    int st = load(db, f->p, f->n, 1, 1);
    vt_checks++;
    if (st != 0) vt_fail(__FILE__, line, "an empty hash was refused: %s", vs_error_text(db));
    vt_checks++;
    if (vs_rdb_load_stat(db, VS_RDB_STAT_EMPTY) != 1 || vs_rdb_load_stat(db, VS_RDB_STAT_HASHES) != 0)
        vt_fail(__FILE__, line, "an empty hash was not counted as skipped");
    vs_close(db);
}
#define SKIPPED_EMPTY(build)                 \
    do {                                     \
        bb f = {0};                          \
        build;                               \
        expect_empty_skipped(&f, __LINE__);  \
        free(f.p);                           \
    } while (0)

/* One key of type t with value bytes built by fn, in a version-10 file. */
static void one_key(bb *f, unsigned t, const char *key, const void *val, size_t n) {
    bb_header(f, 10);
    bb_u8(f, t), bb_str(f, key);
    bb_put(f, val, n);
    bb_end(f, 10);
}

static void test_damaged(void) {
#define REFUSE(build, err)          \
    do {                            \
        bb f = {0};                 \
        build;                      \
        expect_refused(&f, err, __LINE__); \
        free(f.p);                  \
    } while (0)
    /* duplicate key in database 0 (not across databases) */
    REFUSE((bb_header(&f, 10), bb_u8(&f, 0), bb_str(&f, "k"), bb_str(&f, "1"), bb_u8(&f, 0), bb_str(&f, "k"),
            bb_str(&f, "2"), bb_end(&f, 10)),
           "Bad RDB: the key 'k' appears twice in database 0");
    /* plain hash: duplicate field, empty */
    REFUSE((bb_header(&f, 10), bb_u8(&f, 4), bb_str(&f, "h"), bb_len(&f, 2), bb_str(&f, "f"), bb_str(&f, "1"),
            bb_str(&f, "f"), bb_str(&f, "2"), bb_end(&f, 10)),
           "Bad RDB: the hash 'h' has a field twice");
    SKIPPED_EMPTY((bb_header(&f, 10), bb_u8(&f, 4), bb_str(&f, "h"), bb_len(&f, 0), bb_end(&f, 10)));
    /* ziplist: duplicate field, odd count, wrong prevlen, wrong count, bad encoding */
    {
        zl z;
        zl_begin(&z), zl_str(&z, "f"), zl_str(&z, "1"), zl_str(&z, "f"), zl_str(&z, "2"), zl_end(&z);
        bb v = {0};
        bb_strn(&v, z.b.p, z.b.n);
        REFUSE(one_key(&f, 13, "h", v.p, v.n), "Bad RDB: the hash 'h' has a field twice");
        z.b.p[10 + 3] = 9; /* the second entry's prevlen */
        v.n = 0, bb_strn(&v, z.b.p, z.b.n);
        REFUSE(one_key(&f, 13, "h", v.p, v.n), "Bad RDB: the hash 'h' (a ziplist) is damaged: an entry's previous length is wrong");
        z.b.p[10 + 3] = 3, z.b.p[8] = 5;
        v.n = 0, bb_strn(&v, z.b.p, z.b.n);
        REFUSE(one_key(&f, 13, "h", v.p, v.n), "Bad RDB: the hash 'h' (a ziplist) is damaged: its entry count is wrong");
        z.b.p[8] = 4, z.b.p[11] = 0xC1;
        v.n = 0, bb_strn(&v, z.b.p, z.b.n);
        REFUSE(one_key(&f, 13, "h", v.p, v.n), "Bad RDB: the hash 'h' (a ziplist) is damaged: an entry has an unknown encoding");
        z.b.p[11] = 0x01, z.b.p[4] = 12; /* tail offset */
        v.n = 0, bb_strn(&v, z.b.p, z.b.n);
        REFUSE(one_key(&f, 13, "h", v.p, v.n), "Bad RDB: the hash 'h' (a ziplist) is damaged: its tail offset is not its last entry");
        free(v.p);
        free(z.b.p);
        zl_begin(&z), zl_str(&z, "f"), zl_str(&z, "1"), zl_str(&z, "g"), zl_end(&z);
        bb w = {0};
        bb_strn(&w, z.b.p, z.b.n);
        REFUSE(one_key(&f, 13, "h", w.p, w.n), "Bad RDB: the hash 'h' (a ziplist) has an odd number of entries");
        free(w.p);
        free(z.b.p);
        zl_begin(&z), zl_end(&z);
        bb e = {0};
        bb_strn(&e, z.b.p, z.b.n);
        SKIPPED_EMPTY(one_key(&f, 13, "h", e.p, e.n));
        free(e.p);
        free(z.b.p);
    }
    /* listpack: duplicate, odd, bad back length, size field, end marker inside */
    {
        lp l;
        lp_begin(&l), lp_str(&l, "f"), lp_int(&l, 7, 1), lp_str(&l, "f"), lp_int(&l, 7, 2), lp_end(&l);
        bb v = {0};
        bb_strn(&v, l.b.p, l.b.n);
        REFUSE(one_key(&f, 16, "h", v.p, v.n), "Bad RDB: the hash 'h' has a field twice");
        l.b.p[8] = 3; /* the first entry's back length */
        v.n = 0, bb_strn(&v, l.b.p, l.b.n);
        REFUSE(one_key(&f, 16, "h", v.p, v.n), "Bad RDB: the hash 'h' (a listpack) is damaged: an entry's back length is wrong");
        l.b.p[8] = 2, l.b.p[0]++;
        v.n = 0, bb_strn(&v, l.b.p, l.b.n);
        REFUSE(one_key(&f, 16, "h", v.p, v.n), "Bad RDB: the hash 'h' (a listpack) is damaged: its size field does not match its length");
        l.b.p[0]--, l.b.p[9] = 0xFF;
        v.n = 0, bb_strn(&v, l.b.p, l.b.n);
        REFUSE(one_key(&f, 16, "h", v.p, v.n), "Bad RDB: the hash 'h' (a listpack) is damaged: an end marker inside it");
        l.b.p[9] = 0xF5;
        v.n = 0, bb_strn(&v, l.b.p, l.b.n);
        REFUSE(one_key(&f, 16, "h", v.p, v.n), "Bad RDB: the hash 'h' (a listpack) is damaged: an entry has an unknown encoding");
        free(v.p);
        free(l.b.p);
        lp_begin(&l), lp_str(&l, "f"), lp_end(&l);
        bb w = {0};
        bb_strn(&w, l.b.p, l.b.n);
        REFUSE(one_key(&f, 16, "h", w.p, w.n), "Bad RDB: the hash 'h' (a listpack) has an odd number of entries");
        free(w.p);
        free(l.b.p);
    }
    /* zipmap: duplicate, empty, wrong count, entry past the end */
    {
        bb z = {0}, v = {0};
        bb_u8(&z, 2), zm_entry(&z, "a", "1", 0), zm_entry(&z, "a", "2", 0), bb_u8(&z, 0xFF);
        bb_strn(&v, z.p, z.n);
        REFUSE(one_key(&f, 9, "h", v.p, v.n), "Bad RDB: the hash 'h' has a field twice");
        z.p[0] = 3;
        v.n = 0, bb_strn(&v, z.p, z.n);
        REFUSE(one_key(&f, 9, "h", v.p, v.n), "Bad RDB: the hash 'h' (a zipmap) is damaged: its entry count is wrong");
        z.p[1] = 200;
        v.n = 0, bb_strn(&v, z.p, z.n);
        REFUSE(one_key(&f, 9, "h", v.p, v.n), "Bad RDB: the hash 'h' (a zipmap) is damaged: an entry runs past its end");
        static const uint8_t empty[] = {2, 0, 0xFF};
        REFUSE(one_key(&f, 9, "h", empty, sizeof empty), "Bad RDB: the hash 'h' (a zipmap) is damaged: an empty zipmap");
        free(v.p);
        free(z.p);
    }
    /* LZF: damaged stream, impossible lengths */
    {
        static const uint8_t bad_ref[] = {0xC3, 3, 20, 0x00, 'a', 0xE0};
        REFUSE(one_key(&f, 0, "k", bad_ref, sizeof bad_ref), "Bad RDB: an LZF-compressed string is damaged");
        static const uint8_t back[] = {0xC3, 3, 5, 0x20, 0x05, 'a'};
        REFUSE(one_key(&f, 0, "k", back, sizeof back), "Bad RDB: an LZF-compressed string is damaged");
        static const uint8_t huge[] = {0xC3, 1, 0x80, 0x10, 0, 0, 0, 'a'};
        REFUSE(one_key(&f, 0, "k", huge, sizeof huge), "Bad RDB: an LZF-compressed string has impossible lengths");
        static const uint8_t short_out[] = {0xC3, 2, 3, 0x00, 'a'};
        REFUSE(one_key(&f, 0, "k", short_out, sizeof short_out), "Bad RDB: an LZF-compressed string is damaged");
    }
    /* unknown encodings and types */
    {
        static const uint8_t enc[] = {0xC4};
        REFUSE(one_key(&f, 0, "k", enc, sizeof enc), "Bad RDB: unknown string encoding 4");
        static const uint8_t len[] = {0x82};
        REFUSE(one_key(&f, 0, "k", len, sizeof len), "Bad RDB: unknown length encoding 0x82");
        static const uint8_t encl[] = {0xC0};
        REFUSE(one_key(&f, 4, "k", encl, sizeof encl), "Bad RDB: a string encoding where a length belongs");
        static const uint8_t ql[] = {1, 3, 1, 'x'};
        REFUSE(one_key(&f, 18, "k", ql, sizeof ql), "Bad RDB: a quicklist node has an unknown container 3");
        static const uint8_t mod[] = {1, 6};
        REFUSE(one_key(&f, 7, "k", mod, sizeof mod), "Bad RDB: a module value has an unknown opcode 6");
    }
    REFUSE((bb_header(&f, 10), bb_u8(&f, 8), bb_end(&f, 10)), "Bad RDB: unknown value type 8");
    REFUSE((bb_header(&f, 10), bb_u8(&f, 22), bb_end(&f, 10)), "Bad RDB: unknown value type 22");
    REFUSE((bb_header(&f, 10), bb_u8(&f, 6), bb_end(&f, 10)), "Bad RDB: a module value in the pre-release format");
    REFUSE((bb_header(&f, 10), bb_u8(&f, 246), bb_end(&f, 10)), "Bad RDB: functions in the pre-release format");
    REFUSE((bb_header(&f, 10), bb_u8(&f, 247), bb_len(&f, 1), bb_len(&f, 1), bb_end(&f, 10)),
           "Bad RDB: module aux data without its 'when' field");
    /* checksum, trailing data, sizes */
    REFUSE((bb_header(&f, 10), bb_u8(&f, 0xFF), bb_le(&f, 12345, 8)), "Bad RDB: checksum mismatch");
    REFUSE((bb_header(&f, 10), bb_end(&f, 10), bb_u8(&f, 0)), "Bad RDB: data after the end of the file");
    REFUSE((bb_header(&f, 10)), "Bad RDB: truncated (the file ends before its end marker)");
    REFUSE((bb_put(&f, "RED", 3)), "Bad RDB: truncated (no header)");
    REFUSE((bb_header(&f, 10), bb_u8(&f, 0), bb_str(&f, "k"), bb_len(&f, 1000), bb_end(&f, 10)),
           "Bad RDB: truncated (a string runs past the end of the file)");
    /* a checksum of 0 means "not computed": accepted */
    {
        bb f = {0};
        bb_header(&f, 10), bb_u8(&f, 0), bb_str(&f, "k"), bb_str(&f, "v"), bb_u8(&f, 0xFF), bb_le(&f, 0, 8);
        vs_db *db = new_db();
        VT_EQ_INT(load(db, f.p, f.n, 1, 0), 0);
        VT_CMD(db, "$1\r\nv\r\n", "GET", "k");
        /* declared sizes that do not match */
        vs_rdb_load_begin(db, (double)f.n + 1, 1);
        vs_rdb_load_feed(db, f.p, f.n);
        VT_CHECK(vs_rdb_load_end(db) != 0);
        VT_CHECK(strncmp(vs_error_text(db), "Bad RDB: the file is shorter than its declared size", 50) == 0);
        vs_rdb_load_begin(db, (double)f.n - 1, 1);
        VT_CHECK(vs_rdb_load_feed(db, f.p, f.n) != 0);
        VT_CHECK(strncmp(vs_error_text(db), "Bad RDB: the file is longer than its declared size", 49) == 0);
        /* the error is sticky */
        VT_CHECK(vs_rdb_load_feed(db, f.p, 1) != 0);
        VT_CHECK(strncmp(vs_error_text(db), "Bad RDB: the file is longer than its declared size", 49) == 0);
        VT_CHECK(vs_rdb_load_end(db) != 0);
        VT_CMD(db, "$1\r\nv\r\n", "GET", "k");
        vs_close(db);
        free(f.p);
    }
#undef REFUSE
}

/* Every prefix of a file is refused; every bit flip is refused (with a
 * checksum) or refused-or-loaded (without); the store is unchanged by a
 * refusal. */
static void test_truncation_and_flips(void) {
    bb f = {0};
    build_all(&f, 10, 0, 1);
    vs_db *db = new_db();
    vt_run(db, "HSET", "keep", "f", "v", NULL);
    vt_run(db, "FT.CREATE", "idx", "ON", "HASH", "SCHEMA", "f", "TAG", NULL);
    while (vs_step(db, 100)) {
    }
    char *before = digest(db);
    int changed = 0, accepted = 0;
    for (size_t n = 0; n < f.n; n++) {
        if (load(db, f.p, n, 0, 1) == 0) accepted++;
        char *d = digest(db);
        changed += strcmp(d, before) != 0;
        free(d);
    }
    VT_EQ_INT(accepted, 0);
    if (getenv("VS_TIMES")) fprintf(stderr, "  flips: file %zu bytes\n", f.n);
    VT_EQ_INT(changed, 0);
    /* flips: the checksum catches every one */
    uint8_t *g = malloc(f.n);
    int loaded = 0;
    for (size_t i = 0; i < f.n * 8; i++) {
        memcpy(g, f.p, f.n);
        g[i / 8] ^= (uint8_t)(1u << (i % 8));
        if (load(db, g, f.n, 0, 1) == 0) loaded++;
    }
    VT_EQ_INT(loaded, 0);
    char *d = digest(db);
    VT_CHECK(strcmp(d, before) == 0);
    free(d);
    VT_CMD(db, "*2\r\n:1\r\n$4\r\nkeep\r\n", "FT.SEARCH", "idx", "@f:{v}", "NOCONTENT");
    /* without a checksum a flip may load: never a crash, a leak, or a
     * partly changed store */
    memset(f.p + f.n - 8, 0, 8);
    for (size_t i = 0; i < (f.n - 8) * 8; i++) {
        memcpy(g, f.p, f.n);
        g[i / 8] ^= (uint8_t)(1u << (i % 8));
        if (load(db, g, f.n, 0, 1) == 0) {
            loaded++;
            vs_close(db);
            db = new_db();
            vt_run(db, "HSET", "keep", "f", "v", NULL);
            vt_run(db, "FT.CREATE", "idx", "ON", "HASH", "SCHEMA", "f", "TAG", NULL);
            while (vs_step(db, 100)) {
            }
        } else {
            char *e = digest(db);
            changed += strcmp(e, before) != 0;
            free(e);
        }
    }
    VT_EQ_INT(changed, 0);
    VT_CHECK(loaded > 0);
    free(g);
    free(before);
    vs_close(db);
    free(f.p);
}

/* Out of memory at every allocation: refused with the OOM text, the
 * store unchanged, nothing leaked; then it loads. */
static void test_oom(void) {
    bb f = {0};
    build_all(&f, 10, 1, 0);
    vs_db *m = new_db();
    model_all(m);
    vs_db *db = new_db();
    vt_run(db, "HSET", "keep", "f", "v", NULL);
    vt_run(db, "FT.CREATE", "idx", "ON", "HASH", "SCHEMA", "f1", "TAG", NULL);
    char *before = digest(db);
    size_t used = vs_mem_used();
    int ok = 0, n;
    for (n = 1; n < 100000 && !ok; n++) {
        vs_mem_inject((unsigned long)n, 0);
        int st = load(db, f.p, f.n, 3, 1);
        unsigned long faults = vs_mem_faults();
        vs_mem_inject(0, 0);
        if (st == 0) {
            ok = 1;
            VT_EQ_INT(faults, 0);
            break;
        }
        VT_EQ_INT(st, VS_ERR_NOMEM);
        char *d = digest(db);
        vt_checks++;
        if (strcmp(d, before) != 0) vt_fail(__FILE__, __LINE__, "allocation %d: the store changed", n);
        free(d);
        vt_checks++;
        if (vs_mem_used() != used) vt_fail(__FILE__, __LINE__, "allocation %d: %zu bytes leaked", n, vs_mem_used() - used);
    }
    VT_CHECK(ok);
    VT_CHECK(n > 20);
    if (getenv("VS_TIMES")) fprintf(stderr, "  oom: %d allocations, file %zu bytes\n", n, f.n);
    check_same(db, m);
    free(before);
    vs_close(db);
    vs_close(m);
    free(f.p);
}

/* The replace rule, busy states, and indexes rebuilt over the keys. */
static void test_replace_and_index(void) {
    bb f = {0};
    bb_header(&f, 10);
    bb_u8(&f, 4), bb_str(&f, "doc:1"), bb_len(&f, 2), bb_str(&f, "tag"), bb_str(&f, "red"), bb_str(&f, "n"), bb_str(&f, "5");
    {
        lp l;
        lp_begin(&l), lp_str(&l, "tag"), lp_str(&l, "red"), lp_str(&l, "n"), lp_int(&l, 7, 9), lp_end(&l);
        bb_u8(&f, 16), bb_str(&f, "doc:2"), bb_strn(&f, l.b.p, l.b.n);
        free(l.b.p);
    }
    bb_u8(&f, 0), bb_str(&f, "other"), bb_str(&f, "x");
    bb_end(&f, 10);

    vs_db *db = new_db();
    vt_run(db, "HSET", "doc:0", "tag", "red", "n", "1", NULL);
    vt_run(db, "FT.CREATE", "idx", "ON", "HASH", "PREFIX", "1", "doc:", "SKIPINITIALSCAN", "SCHEMA", "tag", "TAG", "n",
           "NUMERIC", NULL);
    VT_CHECK(load(db, f.p, f.n, 0, 0) != 0);
    VT_EQ_MEM(vs_error_text(db), strlen(vs_error_text(db)),
              "ERR the store is not empty (1 keys); load with replace to replace them");
    VT_EQ_INT(vs_rdb_load_begin(db, (double)f.n, 1), 0);
    VT_CHECK(vs_rdb_load_begin(db, (double)f.n, 1) != 0);
    VT_EQ_MEM(vs_error_text(db), strlen(vs_error_text(db)), "ERR a save or load is in progress");
    VT_CHECK(vs_load_begin(db, 10) != 0 || (vs_load_abort(db), 0));
    VT_EQ_INT(vs_rdb_load_feed(db, f.p, f.n), 0);
    VT_EQ_INT(vs_rdb_load_stat(db, VS_RDB_STAT_BYTES), f.n);
    VT_EQ_INT(vs_expire_step(db, 100), 0);
    VT_EQ_INT(vs_rdb_load_end(db), 0);
    VT_CHECK(vs_rdb_load_feed(db, f.p, 1) != 0);
    VT_EQ_MEM(vs_error_text(db), strlen(vs_error_text(db)), "ERR no RDB load in progress");
    VT_CMD(db, ":3\r\n", "DBSIZE");
    VT_CMD(db, ":0\r\n", "EXISTS", "doc:0");
    while (vs_step(db, 1)) {
    }
    VT_CMD(db, "*3\r\n:2\r\n$5\r\ndoc:1\r\n$5\r\ndoc:2\r\n", "FT.SEARCH", "idx", "@tag:{red}", "NOCONTENT", "SORTBY", "n",
           "ASC");
    VT_CMD(db, "*2\r\n:1\r\n$5\r\ndoc:2\r\n", "FT.SEARCH", "idx", "@n:[6 10]", "NOCONTENT");
    /* the index follows writes after the load */
    vt_run(db, "HSET", "doc:3", "tag", "red", NULL);
    VT_CMD(db, "*4\r\n:3\r\n$5\r\ndoc:1\r\n$5\r\ndoc:2\r\n$5\r\ndoc:3\r\n", "FT.SEARCH", "idx", "@tag:{red}", "NOCONTENT",
           "SORTBY", "n", "ASC");
    VT_EQ_INT(vs_rdb_load_stat(db, VS_RDB_STAT_HASHES), 2);
    VT_EQ_INT(vs_rdb_load_stat(db, VS_RDB_STAT_STRINGS), 1);
    /* an abort leaves the store */
    VT_EQ_INT(vs_rdb_load_begin(db, (double)f.n, 1), 0);
    VT_EQ_INT(vs_rdb_load_feed(db, f.p, 10), 0);
    vs_rdb_load_abort(db);
    VT_CMD(db, ":4\r\n", "DBSIZE");
    /* a load left running is freed by vs_close */
    VT_EQ_INT(vs_rdb_load_begin(db, (double)f.n, 1), 0);
    VT_EQ_INT(vs_rdb_load_feed(db, f.p, 10), 0);
    vs_close(db);
    free(f.p);
}

/* LZF on its own: literal runs, overlapping references, every bad stream. */
static void test_lzf(void) {
    uint8_t out[64];
    size_t n = 0;
    /* "abc", a reference to it, "z", a 9-byte run of it (offset 1) */
    static const uint8_t ok[] = {0x02, 'a', 'b', 'c', 0x20, 0x02, 0x00, 'z', 0xE0, 0x00, 0x00};
    VT_EQ_INT(vs_lzf_decompress(ok, sizeof ok, out, sizeof out, &n), VS_OK);
    VT_EQ_MEM(out, n, "abcabczzzzzzzzzz");
    VT_EQ_INT(vs_lzf_decompress(ok, sizeof ok, out, 15, &n), VS_ERR_CORRUPT);
    for (size_t cut = 1; cut < sizeof ok; cut++) {
        int st = vs_lzf_decompress(ok, cut, out, sizeof out, &n);
        VT_CHECK(st == VS_ERR_CORRUPT || cut == 4 || cut == 6 || cut == 8);
    }
    static const uint8_t before_start[] = {0x00, 'a', 0x20, 0x01};
    VT_EQ_INT(vs_lzf_decompress(before_start, sizeof before_start, out, sizeof out, &n), VS_ERR_CORRUPT);
    VT_EQ_INT(vs_lzf_decompress(ok, 0, out, sizeof out, &n), VS_OK);
    VT_EQ_INT(n, 0);
    /* Measuring (no output) answers what decoding does, at every cut. */
    for (size_t cut = 0; cut <= sizeof ok; cut++) {
        size_t m = 0;
        int a = vs_lzf_decompress(ok, cut, out, sizeof out, &n), b = vs_lzf_decompress(ok, cut, NULL, sizeof out, &m);
        VT_EQ_INT(a, b);
        if (a == VS_OK) VT_EQ_INT(m, n);
    }
}

/* A small file whose LZF string claims 88 times its bytes but does not
 * decode to that is refused without allocating the claimed length. */
static void test_lzf_no_blowup(void) {
    bb f = {0};
    bb_header(&f, 10);
    bb_u8(&f, 0), bb_str(&f, "k");
    size_t clen = 1 << 20;
    uint64_t ulen = (uint64_t)clen * 87;
    bb_u8(&f, 0xC3); /* LZF */
    bb_len(&f, clen), bb_len(&f, ulen);
    uint8_t *zeros = calloc(1, clen); /* literal runs of one byte: 2 in, 1 out */
    bb_put(&f, zeros, clen);
    free(zeros);
    bb_end(&f, 10);
    vs_db *db = new_db();
    size_t before = vs_used_memory();
    vs_mem_reset_peak();
    VT_CHECK(load(db, f.p, f.n, 1 << 16, 0) != 0);
    VT_CHECK(strstr(vs_error_text(db), "an LZF-compressed string is damaged") != NULL);
    VT_CHECK(vs_mem_peak() <= before + (8u << 20)); /* the compressed MiB, never 87 MiB */
    vs_close(db);
    free(f.p);
}

/* Vessel's own writer (rdb_write.c) and this reader agree: seeded random
 * stores (listpack-sized and plain hashes, integer-like and binary
 * values, strings, expiry times) saved and loaded in random chunks come
 * back the same. */
static uint64_t rt_state;
static uint32_t rt_rand(void) {
    rt_state = rt_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)(rt_state >> 33);
}

static void test_round_trip(void) {
    rt_state = 0x5eed0001;
    fprintf(stderr, "test_rdb_read: round trip, seed %llu\n", (unsigned long long)rt_state);
    static const char *vals[] = {"0", "-1", "12", "4096", "-4097", "2147483647", "9223372036854775807", "007", "",
                                 "text", "1.5", "-0"};
    for (int round = 0; round < 3; round++) {
        vs_db *a = new_db();
        char key[32], fld[32], t[32];
        for (int i = 0; i < 60; i++) {
            snprintf(key, sizeof key, "k%d", i);
            if (rt_rand() % 3 == 0) {
                vt_run(a, "SET", key, vals[rt_rand() % 12], NULL);
            } else {
                int nf = rt_rand() % 4 == 0 ? 130 + (int)(rt_rand() % 20) : 1 + (int)(rt_rand() % 10);
                for (int j = 0; j < nf; j++) {
                    snprintf(fld, sizeof fld, "%s%d", rt_rand() % 2 ? "" : "f", j);
                    if (rt_rand() % 9 == 0) {
                        uint8_t *blob = vt_blobs[0];
                        size_t n = 1 + rt_rand() % 100;
                        for (size_t b = 0; b < n; b++) blob[b] = (uint8_t)rt_rand();
                        vt_blob_len[0] = n;
                        vt_run(a, "HSET", key, fld, VT_BLOB(0), NULL);
                    } else {
                        vt_run(a, "HSET", key, fld, vals[rt_rand() % 12], NULL);
                    }
                }
            }
            if (rt_rand() % 4 == 0) {
                snprintf(t, sizeof t, "%lld", (long long)(NOW + 1 + rt_rand() % 100000));
                vt_run(a, "PEXPIREAT", key, t, NULL);
            }
        }
        VT_EQ_INT(vs_rdb_save_begin(a), 0);
        bb f = {0};
        uint8_t buf[777];
        long n;
        while ((n = vs_rdb_save_next(a, buf, 16 + rt_rand() % 700)) > 0) bb_put(&f, buf, (size_t)n);
        VT_EQ_INT(n, 0);
        vs_rdb_save_end(a);
        vs_db *b = new_db();
        VT_EQ_INT(load(b, f.p, f.n, 1 + rt_rand() % 300, 0), 0);
        check_same(b, a);
        free(f.p);
        vs_close(a);
        vs_close(b);
    }
}

/* ---- files written by redis-server ---------------------------------------------- */
#ifndef __EMSCRIPTEN__

static uint64_t rng_state;
static uint64_t rnd(void) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

/* A RESP command for redis-cli --pipe, and the same run on the model. */
typedef struct cmdbuf {
    bb resp;
} cmdbuf;

static void send(cmdbuf *c, vs_db *model, int argc, const uint8_t **argv, const size_t *lens) {
    char h[32];
    int k = snprintf(h, sizeof h, "*%d\r\n", argc);
    bb_put(&c->resp, h, (size_t)k);
    for (int i = 0; i < argc; i++) {
        k = snprintf(h, sizeof h, "$%zu\r\n", lens[i]);
        bb_put(&c->resp, h, (size_t)k);
        bb_put(&c->resp, argv[i], lens[i]);
        bb_put(&c->resp, "\r\n", 2);
    }
    if (model) vs_exec(model, argc, argv, lens, 2);
}

static void sendv(cmdbuf *c, vs_db *model, const char *a0, ...) {
    const uint8_t *argv[64];
    size_t lens[64];
    int argc = 0;
    va_list ap;
    va_start(ap, a0);
    for (const char *s = a0; s && argc < 64; s = va_arg(ap, const char *)) {
        argv[argc] = (const uint8_t *)s;
        lens[argc++] = strlen(s);
    }
    va_end(ap);
    send(c, model, argc, argv, lens);
}

/* A random value: integers of every width, short and long text,
 * compressible runs, binary bytes. */
static size_t rand_value(uint8_t *out, int allow_long) {
    static const char *ints[] = {"0", "-1", "7", "12", "13", "127", "128", "-4096", "4095", "-32768", "32767",
                                 "8388607", "-8388608", "2147483647", "-2147483648", "4294967296",
                                 "9223372036854775807", "-9223372036854775808", "007", "1e3", " 1", "-0"};
    switch (rnd() % (allow_long ? 6 : 4)) {
    case 0:
    case 1: {
        const char *s = ints[rnd() % (sizeof ints / sizeof *ints)];
        memcpy(out, s, strlen(s));
        return strlen(s);
    }
    case 2: {
        size_t n = rnd() % 20;
        for (size_t i = 0; i < n; i++) out[i] = (uint8_t)('a' + rnd() % 26);
        return n;
    }
    case 3: {
        size_t n = 1 + rnd() % 12;
        for (size_t i = 0; i < n; i++) out[i] = (uint8_t)rnd();
        return n;
    }
    case 4: {
        size_t n = 65 + rnd() % 300;
        for (size_t i = 0; i < n; i++) out[i] = (uint8_t)('a' + (i % 7));
        return n;
    }
    default: {
        size_t n = 65 + rnd() % 1000;
        for (size_t i = 0; i < n; i++) out[i] = (uint8_t)rnd();
        return n;
    }
    }
}

static int sh(const char *fmt, ...) {
    char cmd[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    return system(cmd);
}

static uint8_t *read_file(const char *path, size_t *n) {
    FILE *fp = fopen(path, "rb");
    if (!fp) return NULL;
    fseek(fp, 0, SEEK_END);
    long len = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    uint8_t *p = malloc((size_t)len + 1);
    *n = fread(p, 1, (size_t)len, fp);
    fclose(fp);
    return p;
}

/* Seeded random data written through redis-server, SAVEd, loaded, and
 * compared with the model; then the same file with rdbcompression off. */
static void test_real_redis(void) {
    if (sh("command -v redis-server >/dev/null 2>&1 && command -v redis-cli >/dev/null 2>&1") != 0) {
        fprintf(stderr, "test_rdb_read: redis-server not installed, real-file test skipped\n");
        return;
    }
    const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    char dir[512];
    snprintf(dir, sizeof dir, "%s/vs-rdb-XXXXXX", tmp);
    if (!mkdtemp(dir)) {
        VT_CHECK(0);
        return;
    }
    rng_state = (uint64_t)time(NULL) * 2654435761u + 1;
    if (getenv("VS_SEED")) rng_state = strtoull(getenv("VS_SEED"), NULL, 10);
    fprintf(stderr, "test_rdb_read: real redis-server files, seed %llu (VS_SEED=...)\n", (unsigned long long)rng_state);

    for (int round = 0; round < 2; round++) {
        char sock[600];
        snprintf(sock, sizeof sock, "%s/s%d", dir, round);
        VT_EQ_INT(sh("redis-server --port 0 --unixsocket %s --dir %s --dbfilename d%d.rdb --save '' --appendonly no "
                     "--daemonize yes --pidfile %s/pid%d --logfile %s/log --rdbcompression %s",
                     sock, dir, round, dir, round, dir, round ? "no" : "yes"),
                  0);
        for (int i = 0; i < 100 && sh("redis-cli -s %s PING >/dev/null 2>&1", sock) != 0; i++) usleep(50000);
        vs_db *model = new_db();
        cmdbuf c = {0};
        static uint8_t val[8192], fld[8192];
        const uint8_t *argv[8];
        size_t lens[8];
        char key[64], t[32];
        int hashes = 0, strings = 0;
        /* hashes: small (listpack), many fields, long values (hashtable) */
        for (int i = 0; i < 40; i++) {
            snprintf(key, sizeof key, "hash:%d", i);
            int nf = i % 10 == 9 ? 150 + (int)(rnd() % 100) : 1 + (int)(rnd() % 12);
            for (int j = 0; j < nf; j++) {
                size_t fl = rand_value(fld, 0), vl = rand_value(val, i % 5 == 4);
                argv[0] = (const uint8_t *)"HSET", lens[0] = 4;
                argv[1] = (const uint8_t *)key, lens[1] = strlen(key);
                argv[2] = fld, lens[2] = fl;
                argv[3] = val, lens[3] = vl;
                send(&c, model, 4, argv, lens);
            }
            hashes++;
        }
        /* strings: integers, text, compressible and random long values */
        for (int i = 0; i < 40; i++) {
            snprintf(key, sizeof key, "str:%d", i);
            size_t vl = rand_value(val, 1);
            argv[0] = (const uint8_t *)"SET", lens[0] = 3;
            argv[1] = (const uint8_t *)key, lens[1] = strlen(key);
            argv[2] = val, lens[2] = vl;
            send(&c, model, 3, argv, lens);
            strings++;
        }
        /* expiry: far future kept, one before the loader's clock skipped */
        snprintf(t, sizeof t, "%lld", (long long)(FUTURE + 12345));
        sendv(&c, model, "PEXPIREAT", "hash:1", t, NULL);
        sendv(&c, model, "PEXPIREAT", "str:1", t, NULL);
        /* expired at the loader's clock (NOW + 1 hour, see below) */
        snprintf(t, sizeof t, "%lld", (long long)((int64_t)time(NULL) * 1000 + 1800000));
        sendv(&c, model, "PEXPIREAT", "hash:2", t, NULL);
        sendv(&c, model, "PEXPIREAT", "str:2", t, NULL);
        /* types Vessel skips */
        sendv(&c, NULL, "RPUSH", "list:small", "a", "1", "b", NULL);
        for (int i = 0; i < 300; i++) sendv(&c, NULL, "RPUSH", "list:big", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", NULL);
        sendv(&c, NULL, "SADD", "set:int", "1", "2", "300000", NULL);
        sendv(&c, NULL, "SADD", "set:small", "a", "b", NULL);
        for (int i = 0; i < 200; i++) {
            snprintf(t, sizeof t, "m%d", i);
            sendv(&c, NULL, "SADD", "set:big", t, NULL);
            sendv(&c, NULL, "ZADD", "zset:big", "1.5", t, NULL);
        }
        sendv(&c, NULL, "ZADD", "zset:small", "1", "a", "inf", "b", NULL);
        for (int i = 0; i < 5; i++) sendv(&c, NULL, "XADD", "stream", "*", "f", "v", NULL);
        sendv(&c, NULL, "XGROUP", "CREATE", "stream", "g", "0", NULL);
        sendv(&c, NULL, "XREADGROUP", "GROUP", "g", "alice", "COUNT", "2", "STREAMS", "stream", ">", NULL);
        /* other databases */
        sendv(&c, NULL, "SELECT", "1", NULL);
        sendv(&c, NULL, "SET", "str:0", "db1", NULL);
        sendv(&c, NULL, "HSET", "db1hash", "f", "v", NULL);
        sendv(&c, NULL, "SELECT", "9", NULL);
        sendv(&c, NULL, "SET", "x", "db9", NULL);
        char path[600];
        snprintf(path, sizeof path, "%s/cmds", dir);
        FILE *fp = fopen(path, "wb");
        fwrite(c.resp.p, 1, c.resp.n, fp);
        fclose(fp);
        VT_EQ_INT(sh("redis-cli -s %s --pipe < %s/cmds >/dev/null 2>&1", sock, dir), 0);
        VT_EQ_INT(sh("redis-cli -s %s SAVE >/dev/null", sock), 0);
        sh("redis-cli -s %s SHUTDOWN NOSAVE >/dev/null 2>&1", sock);
        snprintf(path, sizeof path, "%s/d%d.rdb", dir, round);
        size_t n = 0;
        uint8_t *file = read_file(path, &n);
        VT_CHECK(file != NULL);
        if (!file) break;
        /* The loader's clock is an hour on: hash:2 and str:2 expired. */
        int64_t now = (int64_t)time(NULL) * 1000 + 3600000;
        vs_set_time(model, (double)now, VS_EXPIRE_ACTIVE);
        size_t chunks[] = {0, 1, 4093};
        for (size_t i = 0; i < 3; i++) {
            vs_db *db = vs_open(NULL);
            vs_set_time(db, (double)now, VS_EXPIRE_ACTIVE);
            int st = load(db, file, n, chunks[i], 0);
            VT_EQ_INT(st, 0);
            if (st) fprintf(stderr, "  %s\n", vs_error_text(db));
            check_same(db, model);
            VT_EQ_INT(vs_rdb_load_stat(db, VS_RDB_STAT_VERSION), 10);
            /* with database 1's string and hash and database 9's string */
            VT_EQ_INT(vs_rdb_load_stat(db, VS_RDB_STAT_HASHES), hashes);
            VT_EQ_INT(vs_rdb_load_stat(db, VS_RDB_STAT_STRINGS), strings + 1);
            VT_EQ_INT(vs_rdb_load_stat(db, VS_RDB_STAT_EXPIRED), 2);
            VT_EQ_INT(vs_rdb_load_stat(db, VS_RDB_STAT_LISTS), 2);
            VT_EQ_INT(vs_rdb_load_stat(db, VS_RDB_STAT_SETS), 3);
            VT_EQ_INT(vs_rdb_load_stat(db, VS_RDB_STAT_ZSETS), 2);
            VT_EQ_INT(vs_rdb_load_stat(db, VS_RDB_STAT_STREAMS), 1);
            VT_EQ_INT(vs_rdb_load_stat(db, VS_RDB_STAT_OTHER_DB), 0);
            VT_CMD(db, "+OK\r\n", "SELECT", "1");
            VT_CMD(db, "$3\r\ndb1\r\n", "GET", "str:0");
            VT_CMD(db, ":2\r\n", "DBSIZE");
            VT_CMD(db, "+OK\r\n", "SELECT", "9");
            VT_CMD(db, "$3\r\ndb9\r\n", "GET", "x");
            VT_CMD(db, "+OK\r\n", "SELECT", "0");
            vs_close(db);
            /* with two databases, database 9's key is skipped */
            vs_options two = {0, 0, 2};
            db = vs_open(&two);
            vs_set_time(db, (double)now, VS_EXPIRE_ACTIVE);
            VT_EQ_INT(load(db, file, n, chunks[i], 0), 0);
            VT_EQ_INT(vs_rdb_load_stat(db, VS_RDB_STAT_OTHER_DB), 1);
            VT_CMD(db, "-ERR DB index is out of range\r\n", "SELECT", "9");
            vs_close(db);
        }
        free(file);
        free(c.resp.p);
        vs_close(model);
    }
    /* redis-check-rdb accepts the hand-built file (without the function
     * library, which it would run): the builder writes what Redis writes. */
    if (sh("command -v redis-check-rdb >/dev/null 2>&1") == 0) {
        bb f = {0};
        build_all(&f, 10, 0, 2);
        char path[600];
        snprintf(path, sizeof path, "%s/hand.rdb", dir);
        FILE *fp = fopen(path, "wb");
        fwrite(f.p, 1, f.n, fp);
        fclose(fp);
        VT_EQ_INT(sh("redis-check-rdb %s >%s/check.log 2>&1", path, dir), 0);
        free(f.p);
    }
    if (!getenv("VS_KEEP")) sh("rm -rf %s", dir);
    else fprintf(stderr, "  files kept in %s\n", dir);
}
#endif

#include <time.h>
static double vt_clock(void) { return (double)clock() / CLOCKS_PER_SEC; }
#define VT_RUN_T(fn) do { double t0_ = vt_clock(); VT_RUN(fn); if (getenv("VS_TIMES")) fprintf(stderr, "%s %.2fs\n", #fn, vt_clock() - t0_); } while (0)
int main(void) {
    VT_RUN_T(test_lzf);
    VT_RUN_T(test_lzf_no_blowup);
    VT_RUN_T(test_hand_built);
    VT_RUN_T(test_versions);
    VT_RUN_T(test_damaged);
    VT_RUN_T(test_replace_and_index);
    VT_RUN_T(test_truncation_and_flips);
    VT_RUN_T(test_oom);
    VT_RUN_T(test_round_trip);
#ifndef __EMSCRIPTEN__
    VT_RUN_T(test_real_redis);
#endif
    VT_DONE();
}
