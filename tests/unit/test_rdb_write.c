/* test_rdb_write.c - the RDB writer (persist/rdb_write.c, listpack.c), its
 * checksum (base/crc64.c) and the export part of the ABI (api_rdb.c).
 *
 * The files written are read back by a small decoder of the test's own
 * (lengths, integer-encoded strings, listpacks, the CRC computed bit by
 * bit) and compared with the store; in the native build Debian's
 * redis-server loads them and every key is compared over its Unix socket
 * (skipped when redis-server is not installed).  A seeded random store
 * (the seed is printed; VT_SEED=n repeats it) is written with many buffer
 * sizes, which must all give the same bytes. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../src/base/alloc.h"
#include "../../src/base/crc64.h"
#include "../../src/persist/listpack.h"
#include "../../src/persist/rdb.h"
#include "vt_cmd.h"

#ifndef __EMSCRIPTEN__
#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif
#endif

/* ---- helpers ---------------------------------------------------------- */

static uint64_t rng_state;
static uint64_t rnd(void) { /* splitmix64 */
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}
static size_t rndn(size_t n) { return (size_t)(rnd() % n); }

/* The CRC bit by bit, from the polynomial's definition (reflected). */
static uint64_t crc_ref(const uint8_t *p, size_t n) {
    uint64_t c = 0;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++) c = (c >> 1) ^ ((c & 1) ? 0x95ac9329ac4bc9b5ull : 0);
    }
    return c;
}

/* Run a command of binary arguments; returns its status. */
static int exec_n(vs_db *db, int argc, const uint8_t **argv, const size_t *lens) {
    return vs_exec(db, argc, argv, lens, 2);
}

/* Is s (n bytes) the decimal form of an integer in [lo, hi]?  Judged by
 * printing what strtoll reads back (not by the engine's parser). */
static int canonical_int(const uint8_t *s, size_t n, long long lo, long long hi, long long *out) {
    char buf[32];
    if (n == 0 || n > 20 || memchr(s, 0, n)) return 0;
    memcpy(buf, s, n);
    buf[n] = 0;
    errno = 0;
    char *end;
    long long v = strtoll(buf, &end, 10);
    if (errno || *end) return 0;
    char back[32];
    snprintf(back, sizeof back, "%lld", v);
    if (strcmp(back, buf) != 0 || v < lo || v > hi) return 0;
    *out = v;
    return 1;
}

/* ---- an independent listpack decoder ---------------------------------- */

typedef struct lp_elem {
    int is_int;
    long long v;
    const uint8_t *s;
    size_t n;
    int enc;          /* first byte's class: 7, 13, 16, 24, 32, 64 (ints), 6, 12, 32 + 100 (strings) */
} lp_elem;

/* Decode the entry at p (avail bytes); returns its size with backlen, 0 if bad. */
static size_t lp_decode(const uint8_t *p, size_t avail, lp_elem *e) {
    size_t l;
    memset(e, 0, sizeof *e);
    if (avail < 1) return 0;
    uint8_t b = p[0];
    if ((b & 0x80) == 0) {
        e->is_int = 1, e->v = b, e->enc = 7, l = 1;
    } else if ((b & 0xC0) == 0x80) {
        e->n = b & 0x3F, e->s = p + 1, e->enc = 106, l = 1 + e->n;
    } else if ((b & 0xE0) == 0xC0) {
        if (avail < 2) return 0;
        int v = ((b & 0x1F) << 8) | p[1];
        if (v >= 4096) v -= 8192;
        e->is_int = 1, e->v = v, e->enc = 13, l = 2;
    } else if ((b & 0xF0) == 0xE0) {
        if (avail < 2) return 0;
        e->n = (size_t)((b & 0xF) << 8 | p[1]), e->s = p + 2, e->enc = 112, l = 2 + e->n;
    } else if (b >= 0xF1 && b <= 0xF4) {
        int w = b == 0xF1 ? 2 : b == 0xF2 ? 3 : b == 0xF3 ? 4 : 8;
        if (avail < (size_t)w + 1) return 0;
        uint64_t u = 0;
        for (int i = 0; i < w; i++) u |= (uint64_t)p[1 + i] << (8 * i);
        if (w < 8 && (u >> (8 * w - 1)) & 1) u |= ~0ull << (8 * w); /* sign-extend */
        e->is_int = 1, e->v = (long long)u, e->enc = 8 * w, l = 1 + (size_t)w;
    } else if (b == 0xF0) {
        if (avail < 5) return 0;
        e->n = (size_t)p[1] | (size_t)p[2] << 8 | (size_t)p[3] << 16 | (size_t)p[4] << 24;
        e->s = p + 5, e->enc = 132, l = 5 + e->n;
    } else {
        return 0;
    }
    if (l > avail) return 0;
    /* backlen: its size follows from l (as Redis's lpSkip finds it);
     * read right to left from its last byte, 7 bits a byte, bit 7 set on
     * every byte but the leftmost, it must give l back. */
    size_t need = l <= 127 ? 1 : l < 16383 ? 2 : l < 2097151 ? 3 : l < 268435455 ? 4 : 5;
    if (l + need > avail) return 0;
    uint64_t back = 0;
    for (size_t i = 0; i < need; i++) {
        uint8_t c = p[l + need - 1 - i];
        back |= (uint64_t)(c & 127) << (7 * i);
        if ((i + 1 < need) != ((c & 0x80) != 0)) return 0;
    }
    if (back != l) return 0;
    return l + need;
}

/* Decode a whole listpack: header, entries, end.  Returns the count of
 * elements (or -1), filling up to cap elements. */
static long lp_decode_all(const uint8_t *p, size_t n, lp_elem *out, size_t cap) {
    if (n < 7) return -1;
    uint32_t total = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
    uint32_t count = (uint32_t)p[4] | (uint32_t)p[5] << 8;
    if (total != n || p[n - 1] != 0xFF) return -1;
    size_t o = 6;
    long k = 0;
    while (o < n - 1) {
        lp_elem e;
        size_t l = lp_decode(p + o, n - 1 - o, &e);
        if (!l) return -1;
        if ((size_t)k < cap) out[k] = e;
        k++;
        o += l;
    }
    if (o != n - 1 || (count != 65535 && count != (uint32_t)k)) return -1;
    return k;
}

/* The bytes an element stands for (integers printed in decimal). */
static size_t lp_bytes(const lp_elem *e, char *tmp, const uint8_t **s) {
    if (e->is_int) {
        *s = (const uint8_t *)tmp;
        return (size_t)snprintf(tmp, 32, "%lld", e->v);
    }
    *s = e->s;
    return e->n;
}

/* ---- (a) crc64 ---------------------------------------------------------- */

static void test_crc64(void) {
    VT_CHECK(vs_crc64(0, "123456789", 9) == 0xe9c6d914c4b8d9caull);
    VT_CHECK(vs_crc64(0, "", 0) == 0);
    uint8_t buf[1000];
    for (size_t i = 0; i < sizeof buf; i++) buf[i] = (uint8_t)(i * 131 + 7);
    uint64_t whole = vs_crc64(0, buf, sizeof buf);
    VT_CHECK(whole == crc_ref(buf, sizeof buf));
    for (size_t step = 1; step < 20; step += 3) {
        uint64_t c = 0;
        for (size_t i = 0; i < sizeof buf; i += step) c = vs_crc64(c, buf + i, i + step <= sizeof buf ? step : sizeof buf - i);
        VT_CHECK(c == whole);
    }
    for (size_t off = 0; off < 9; off++) VT_CHECK(vs_crc64(0, buf + off, 100) == crc_ref(buf + off, 100));
}

/* ---- (b) listpack entries ---------------------------------------------------------- */

static void check_entry(const uint8_t *s, size_t n, int want_enc) {
    size_t size = vs_lp_entry_size(s, n);
    uint8_t *out = malloc(size + 1);
    out[size] = 0xEE;
    size_t put = vs_lp_entry_put(out, s, n);
    VT_EQ_INT(put, size);
    VT_EQ_INT(out[size], 0xEE);
    lp_elem e;
    size_t l = lp_decode(out, size, &e);
    VT_EQ_INT(l, size);
    long long v;
    int is_int = canonical_int(s, n, INT64_MIN, INT64_MAX, &v);
    VT_EQ_INT(e.is_int, is_int);
    if (is_int) {
        VT_CHECK(e.v == v);
    } else {
        VT_EQ_INT(e.n, n);
        VT_CHECK(e.s && memcmp(e.s, s, n) == 0);
    }
    if (want_enc) VT_EQ_INT(e.enc, want_enc);
    if (vt_failures) fprintf(stderr, "  (element of %zu bytes: %.24s)\n", n, n < 64 ? (const char *)s : "...");
    free(out);
}

static void test_listpack(void) {
    static const struct {
        const char *s;
        int enc;
    } cases[] = {
        {"0", 7}, {"1", 7}, {"127", 7}, {"128", 13}, {"-1", 13}, {"-4096", 13}, {"4095", 13},
        {"-4097", 16}, {"4096", 16}, {"32767", 16}, {"-32768", 16}, {"32768", 24}, {"-32769", 24},
        {"8388607", 24}, {"-8388608", 24}, {"8388608", 32}, {"-8388609", 32},
        {"2147483647", 32}, {"-2147483648", 32}, {"2147483648", 64}, {"-2147483649", 64},
        {"9223372036854775807", 64}, {"-9223372036854775808", 64},
        {"9223372036854775808", 106}, {"-9223372036854775809", 106},
        {"12345678901234567890", 106}, {"99999999999999999999", 106}, {"-1234567890123456789", 64},
        {"007", 106}, {"-0", 106}, {" 1", 106}, {"1 ", 106}, {"+1", 106}, {"-", 106}, {"", 106},
        {"00", 106}, {"1.5", 106}, {"0x10", 106}, {"1e3", 106},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        check_entry((const uint8_t *)cases[i].s, strlen(cases[i].s), cases[i].enc);
    /* String lengths at the encodings' and backlen's boundaries. */
    static const struct {
        size_t n;
        int enc;
    } lens[] = {{63, 106}, {64, 112}, {125, 112}, {126, 112}, {4095, 112}, {4096, 132},
                {16377, 132}, {16378, 132}, {2097146, 132}, {2097147, 132}};
    uint8_t *big = malloc(2097147);
    for (size_t i = 0; i < 2097147; i++) big[i] = (uint8_t)(i % 3 == 0 ? 0 : i % 3 == 1 ? 0xFF : 'x');
    for (size_t i = 0; i < sizeof lens / sizeof *lens; i++) check_entry(big, lens[i].n, lens[i].enc);
    /* Binary elements with a digit-looking prefix stay strings. */
    check_entry((const uint8_t *)"12\0003", 4, 106);
    free(big);
    /* A header. */
    uint8_t h[VS_LP_HEADER];
    vs_lp_header_put(h, 0x01020304u, 300);
    VT_CHECK(h[0] == 4 && h[1] == 3 && h[2] == 2 && h[3] == 1 && h[4] == (300 & 255) && h[5] == 1);
    vs_lp_header_put(h, 7, 70000);
    VT_CHECK(h[4] == 0xFF && h[5] == 0xFF);
}

/* ---- an independent RDB decoder (what the writer emits) ------------------------ */

typedef struct rd {
    const uint8_t *p;
    size_t n, o;
    int bad;
} rd;

static int rd_u8(rd *r) {
    if (r->o >= r->n) {
        r->bad = 1;
        return -1;
    }
    return r->p[r->o++];
}

/* A length; *special set for an encoded string (then the return is the kind). */
static uint64_t rd_len(rd *r, int *special) {
    int b = rd_u8(r);
    *special = 0;
    if (b < 0) return 0;
    switch (b >> 6) {
    case 0: return (uint64_t)(b & 63);
    case 1: {
        int c = rd_u8(r);
        return (uint64_t)((b & 63) << 8 | (c & 255));
    }
    case 2: {
        int k = b == 0x80 ? 4 : b == 0x81 ? 8 : 0;
        if (!k || r->o + (size_t)k > r->n) {
            r->bad = 1;
            return 0;
        }
        uint64_t v = 0;
        for (int i = 0; i < k; i++) v = v << 8 | r->p[r->o++];
        /* a length the shorter forms hold is not written long */
        if ((k == 4 && v < 16384) || (k == 8 && v <= UINT32_MAX)) r->bad = 1;
        return v;
    }
    default: *special = 1; return (uint64_t)(b & 63);
    }
}

/* A string: *s points into the file, or into tmp for an integer encoding;
 * *intenc tells which. */
static size_t rd_str(rd *r, const uint8_t **s, char *tmp, int *intenc) {
    int special;
    uint64_t len = rd_len(r, &special);
    *intenc = special;
    *s = (const uint8_t *)tmp;
    if (r->bad) return 0;
    if (special) {
        int k = len == 0 ? 1 : len == 1 ? 2 : len == 2 ? 4 : 0;
        if (!k || r->o + (size_t)k > r->n) {
            r->bad = 1;
            return 0;
        }
        uint32_t u = 0;
        for (int i = 0; i < k; i++) u |= (uint32_t)r->p[r->o++] << (8 * i);
        long long v = k == 1 ? (int8_t)u : k == 2 ? (int16_t)u : (int32_t)u;
        /* the shortest integer encoding */
        if ((k == 2 && v >= -128 && v <= 127) || (k == 4 && v >= -32768 && v <= 32767)) r->bad = 1;
        return (size_t)snprintf(tmp, 32, "%lld", v);
    }
    if (len > r->n - r->o) {
        r->bad = 1;
        return 0;
    }
    *s = r->p + r->o;
    r->o += len;
    return (size_t)len;
}

/* A string as stored, checking the writer chose the integer encoding
 * exactly when Redis would (up to 11 characters, canonical, int32). */
static size_t rd_str_checked(rd *r, const uint8_t **s, char *tmp) {
    int intenc;
    size_t n = rd_str(r, s, tmp, &intenc);
    if (r->bad) return 0;
    long long v;
    int want = n <= 11 && canonical_int(*s, n, INT32_MIN, INT32_MAX, &v);
    if (want != intenc) {
        vt_fail(__FILE__, __LINE__, "string of %zu bytes: integer encoding %d, expected %d", n, intenc, want);
    }
    return n;
}

typedef struct rdb_summary {
    uint64_t keys, with_expiry;  /* keys read */
    uint64_t resize_keys, resize_expires;
    int selectdb;
    int aux_seen;                /* bit per aux field name known */
    uint64_t listpacks, plain_hashes, strings;
} rdb_summary;

/* Decode a whole file and compare each key with db's store at `now`. */
static int check_file(vs_db *db, const uint8_t *p, size_t n, int64_t now, rdb_summary *sum) {
    rd r = {p, n, 0, 0};
    memset(sum, 0, sizeof *sum);
    vs_keyspace *ks = &db->eng.store->ks;
    uint8_t *seen = calloc(vs_ks_id_bound(ks) + 1, 1);
    char tmp[64], tmp2[64];
    int fails = vt_failures;
    if (n < 9 + 9 || memcmp(p, "REDIS0010", 9) != 0) {
        vt_fail(__FILE__, __LINE__, "bad magic");
        free(seen);
        return 0;
    }
    r.o = 9;
    int64_t expire = VS_NO_EXPIRE;
    static const char *aux_names[] = {"redis-ver", "redis-bits", "ctime", "used-mem", "aof-base", "vessel-ver"};
    for (;;) {
        int op = rd_u8(&r);
        if (r.bad) break;
        if (op == VS_RDB_OP_EOF) break;
        if (op == VS_RDB_OP_AUX) {
            const uint8_t *k, *v;
            size_t kn = rd_str_checked(&r, &k, tmp);
            size_t vn = rd_str_checked(&r, &v, tmp2);
            for (int i = 0; i < 6; i++)
                if (kn == strlen(aux_names[i]) && memcmp(k, aux_names[i], kn) == 0) {
                    sum->aux_seen |= 1 << i;
                    if (i == 0) VT_CHECK(vn == 5 && memcmp(v, "7.0.0", 5) == 0);
                    if (i == 1) VT_CHECK(vn == 2 && memcmp(v, sizeof(void *) == 8 ? "64" : "32", 2) == 0);
                    if (i == 2) VT_CHECK(atoll(tmp2) == (now >= 0 ? now / 1000 : now / 1000 - (now % 1000 != 0)));
                    if (i == 5) VT_CHECK(vn == strlen(VESSEL_VERSION) && memcmp(v, VESSEL_VERSION, vn) == 0);
                }
            continue;
        }
        if (op == VS_RDB_OP_SELECTDB) {
            int sp;
            VT_EQ_INT(rd_len(&r, &sp), 0);
            sum->selectdb++;
            continue;
        }
        if (op == VS_RDB_OP_RESIZEDB) {
            int sp;
            sum->resize_keys = rd_len(&r, &sp);
            sum->resize_expires = rd_len(&r, &sp);
            continue;
        }
        if (op == VS_RDB_OP_EXPIRETIME_MS) {
            if (r.o + 8 > r.n) {
                r.bad = 1;
                break;
            }
            uint64_t t = 0;
            for (int i = 0; i < 8; i++) t |= (uint64_t)r.p[r.o++] << (8 * i);
            expire = (int64_t)t;
            continue;
        }
        if (op != VS_RDB_TYPE_STRING && op != VS_RDB_TYPE_HASH && op != VS_RDB_TYPE_HASH_LISTPACK) {
            vt_fail(__FILE__, __LINE__, "unexpected opcode %d at %zu", op, r.o - 1);
            r.bad = 1;
            break;
        }
        const uint8_t *key;
        size_t klen = rd_str_checked(&r, &key, tmp);
        if (r.bad) break;
        vs_kentry *e = vs_ks_find(ks, key, klen);
        if (!e) {
            vt_fail(__FILE__, __LINE__, "key of %zu bytes not in the store", klen);
            r.bad = 1;
            break;
        }
        VT_CHECK(!seen[e->id]);
        seen[e->id] = 1;
        VT_CHECK(!vs_exp_expired(ks, e, now));
        VT_CHECK(vs_exp_of(ks, e) == expire);
        sum->keys++;
        sum->with_expiry += expire != VS_NO_EXPIRE;
        expire = VS_NO_EXPIRE;
        if (op == VS_RDB_TYPE_STRING) {
            const uint8_t *v;
            size_t vn = rd_str_checked(&r, &v, tmp2);
            VT_EQ_INT(e->type, VS_TYPE_STRING);
            if (e->type == VS_TYPE_STRING) VT_CHECK(vn == e->v.str->len && memcmp(v, e->v.str->data, vn) == 0);
            sum->strings++;
            continue;
        }
        VT_EQ_INT(e->type, VS_TYPE_HASH);
        if (e->type != VS_TYPE_HASH) break;
        const vs_hash *h = e->v.hash;
        int small = h->n <= 128;
        for (uint32_t i = 0; i < h->n; i++) small &= h->f[i]->flen <= 64 && h->f[i]->vlen <= 64;
        VT_EQ_INT(op == VS_RDB_TYPE_HASH_LISTPACK, small);
        if (op == VS_RDB_TYPE_HASH_LISTPACK) {
            const uint8_t *blob;
            int intenc;
            size_t bn = rd_str(&r, &blob, tmp2, &intenc);
            VT_CHECK(!intenc);
            if (r.bad || intenc) break;
            lp_elem el[256];
            long k = lp_decode_all(blob, bn, el, 256);
            VT_EQ_INT(k, 2 * (long)h->n);
            if (k != 2 * (long)h->n) break;
            for (uint32_t i = 0; i < h->n; i++) {
                char t1[32], t2[32];
                const uint8_t *f, *v;
                size_t fn = lp_bytes(&el[2 * i], t1, &f), vn = lp_bytes(&el[2 * i + 1], t2, &v);
                /* written in the hash's own field order */
                VT_CHECK(fn == h->f[i]->flen && memcmp(f, vs_hfield_name(h->f[i]), fn) == 0);
                VT_CHECK(vn == h->f[i]->vlen && memcmp(v, vs_hfield_value(h->f[i]), vn) == 0);
            }
            sum->listpacks++;
        } else {
            int sp;
            uint64_t nf = rd_len(&r, &sp);
            VT_CHECK(!sp && nf == h->n);
            for (uint64_t i = 0; i < nf && !r.bad; i++) {
                const uint8_t *f, *v;
                size_t fn = rd_str_checked(&r, &f, tmp), vn = rd_str_checked(&r, &v, tmp2);
                if (r.bad) break;
                const vs_hfield *hf = vs_hash_get(h, f, fn);
                VT_CHECK(hf && hf->vlen == vn && memcmp(vs_hfield_value(hf), v, vn) == 0);
            }
            sum->plain_hashes++;
        }
    }
    VT_CHECK(!r.bad);
    if (!r.bad) {
        VT_EQ_INT(r.n - r.o, 8);
        uint64_t crc = 0;
        for (int i = 0; i < 8; i++) crc |= (uint64_t)p[n - 8 + (size_t)i] << (8 * i);
        VT_CHECK(crc == crc_ref(p, n - 8));
    }
    VT_EQ_INT(sum->aux_seen, 63);
    VT_EQ_INT(sum->selectdb, sum->keys ? 1 : 0);
    VT_EQ_INT(sum->resize_keys, sum->keys);
    VT_EQ_INT(sum->resize_expires, sum->with_expiry);
    /* every key a reader sees at now is in the file */
    uint64_t live = 0;
    for (uint32_t id = 0; id < vs_ks_id_bound(ks); id++) {
        vs_kentry *e = vs_ks_by_id(ks, id);
        if (e && !vs_exp_expired(ks, e, now)) live++;
    }
    VT_EQ_INT(sum->keys, live);
    free(seen);
    return vt_failures == fails;
}

/* ---- writing through the ABI -------------------------------------------------- */

typedef struct file {
    uint8_t *p;
    size_t n, cap;
} file;

/* Write the store; cap_of(i) gives the i-th call's buffer size (0: a
 * random size from 16 bytes to 1 MiB). */
static int save_all(vs_db *db, size_t fixed_cap, file *out) {
    memset(out, 0, sizeof *out);
    if (vs_rdb_save_begin(db) != 0) return 0;
    size_t bufcap = 1u << 20;
    uint8_t *buf = malloc(bufcap + 1);
    uint64_t calls = 0;
    for (;;) {
        size_t cap = fixed_cap;
        if (!cap) {
            size_t r = rndn(4);
            cap = r == 0 ? 16 + rndn(16) : r == 1 ? 16 + rndn(4096) : r == 2 ? 16 + rndn(65536) : 16 + rndn(bufcap - 15);
        }
        buf[cap] = 0xA5;
        long n = vs_rdb_save_next(db, buf, cap);
        VT_EQ_INT(buf[cap], 0xA5);
        if (n < 0) {
            vs_rdb_save_end(db);
            free(buf);
            return 0;
        }
        calls++;
        if (n == 0) break;
        VT_CHECK((size_t)n <= cap);
        if (out->n + (size_t)n > out->cap) {
            out->cap = (out->n + (size_t)n) * 2;
            out->p = realloc(out->p, out->cap);
        }
        memcpy(out->p + out->n, buf, (size_t)n);
        out->n += (size_t)n;
        VT_EQ_INT(vs_rdb_save_stat(db, 2), out->n);
    }
    /* after the end, next keeps answering 0 */
    VT_EQ_INT(vs_rdb_save_next(db, buf, 64), 0);
    VT_EQ_INT(vs_rdb_save_stat(db, 0), vs_rdb_save_stat(db, 1));
    vs_rdb_save_end(db);
    free(buf);
    return 1;
}

/* ---- redis-server (native build) -------------------------------------------------- */

#ifndef __EMSCRIPTEN__
typedef struct rsv {
    pid_t pid;
    int fd;
    char dir[64];
    uint8_t *in;
    size_t inlen, incap, inpos;
} rsv;

static int have_redis(void) { return system("command -v redis-server >/dev/null 2>&1") == 0; }

static int resp_send(rsv *s, int argc, const uint8_t **argv, const size_t *lens) {
    vt_buf b = {0};
    char h[48];
    vt_buf_put(&b, h, (size_t)snprintf(h, sizeof h, "*%d\r\n", argc));
    for (int i = 0; i < argc; i++) {
        vt_buf_put(&b, h, (size_t)snprintf(h, sizeof h, "$%zu\r\n", lens[i]));
        vt_buf_put(&b, argv[i], lens[i]);
        vt_buf_put(&b, "\r\n", 2);
    }
    size_t o = 0;
    while (o < b.n) {
        ssize_t k = write(s->fd, b.p + o, b.n - o);
        if (k <= 0) {
            free(b.p);
            return 0;
        }
        o += (size_t)k;
    }
    free(b.p);
    return 1;
}

/* Make sure `need` bytes from inpos are buffered. */
static int resp_fill(rsv *s, size_t need) {
    while (s->inlen - s->inpos < need) {
        if (s->inlen + 65536 > s->incap) {
            s->incap = (s->inlen + 65536) * 2;
            s->in = realloc(s->in, s->incap);
        }
        ssize_t k = read(s->fd, s->in + s->inlen, s->incap - s->inlen);
        if (k <= 0) return 0;
        s->inlen += (size_t)k;
    }
    return 1;
}

/* A reply's element: type and either an integer or a bulk (pointing into
 * the input buffer, valid until the next command). */
typedef struct rv {
    char type;
    long long i;
    const uint8_t *s;
    size_t n;
} rv;

static int resp_line(rsv *s, rv *v) {
    for (;;) {
        uint8_t *nl = s->in ? memchr(s->in + s->inpos, '\n', s->inlen - s->inpos) : NULL;
        if (nl) {
            size_t len = (size_t)(nl - (s->in + s->inpos)) - 1;
            v->type = (char)s->in[s->inpos];
            char num[64];
            size_t m = len - 1 < sizeof num - 1 ? len - 1 : sizeof num - 1;
            memcpy(num, s->in + s->inpos + 1, m);
            num[m] = 0;
            v->i = atoll(num);
            v->s = s->in + s->inpos + 1;
            v->n = len - 1;
            s->inpos = (size_t)(nl - s->in) + 1;
            if (v->type == '$' && v->i >= 0) {
                size_t at = s->inpos;
                if (!resp_fill(s, (size_t)v->i + 2)) return 0;
                v->s = s->in + at;
                v->n = (size_t)v->i;
                s->inpos += (size_t)v->i + 2;
            }
            return 1;
        }
        if (!resp_fill(s, s->inlen - s->inpos + 1)) return 0;
    }
}

/* Send a command and read its reply's first line (arrays: the header;
 * the caller reads the elements).  The input buffer is reset per command. */
static int cmd_reply(rsv *s, rv *v, int argc, const uint8_t **argv, const size_t *lens) {
    if (s->inpos == s->inlen) s->inpos = s->inlen = 0;
    if (!resp_send(s, argc, argv, lens)) return 0;
    return resp_line(s, v);
}

static int cmd_str(rsv *s, rv *v, const char *a0, const uint8_t *key, size_t klen) {
    const uint8_t *argv[2] = {(const uint8_t *)a0, key};
    size_t lens[2] = {strlen(a0), klen};
    return cmd_reply(s, v, key ? 2 : 1, argv, lens);
}

static int redis_start(rsv *s, const uint8_t *data, size_t n) {
    memset(s, 0, sizeof *s);
    s->fd = -1;
    /* TMPDIR as os.tmpdir() reads it, unless too long for a socket path */
    const char *tmp = getenv("TMPDIR");
    if (!tmp || !*tmp || strlen(tmp) > 40) tmp = "/tmp";
    snprintf(s->dir, sizeof s->dir, "%s/vessel-rdbw-XXXXXX", tmp);
    if (!mkdtemp(s->dir)) return 0;
    char path[320];
    snprintf(path, sizeof path, "%s/x.rdb", s->dir);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, n, f) != n) {
        if (f) fclose(f);
        return 0;
    }
    fclose(f);
    /* redis-check-rdb must find the file sound */
    char cmdline[512];
    snprintf(cmdline, sizeof cmdline, "redis-check-rdb %s/x.rdb >%s/check.log 2>&1", s->dir, s->dir);
    if (system(cmdline) != 0) {
        snprintf(cmdline, sizeof cmdline, "cat %s/check.log >&2", s->dir);
        if (system(cmdline)) {}
        vt_fail(__FILE__, __LINE__, "redis-check-rdb refused the file");
    }
    char sock[100], log[100];
    snprintf(sock, sizeof sock, "%s/s", s->dir);
    snprintf(log, sizeof log, "%s/log", s->dir);
    s->pid = fork();
    if (s->pid < 0) return 0;
    if (s->pid == 0) {
#ifdef __linux__
        prctl(PR_SET_PDEATHSIG, SIGKILL); /* no server outlives a crashed test */
#endif
        int fd = open("/dev/null", O_RDONLY);
        if (fd >= 0) dup2(fd, 0);
        execlp("redis-server", "redis-server", "--port", "0", "--unixsocket", sock, "--dir", s->dir,
               "--dbfilename", "x.rdb", "--save", "", "--appendonly", "no", "--logfile", log,
               /* redis.conf's limits (the built-in entries default is 512) */
               "--hash-max-listpack-entries", "128", "--hash-max-listpack-value", "64",
               "--daemonize", "no", (char *)NULL);
        _exit(127);
    }
    for (int i = 0; i < 1000; i++) { /* up to 10 s */
        int st;
        if (waitpid(s->pid, &st, WNOHANG) == s->pid) {
            s->pid = 0;
            snprintf(cmdline, sizeof cmdline, "tail -5 %s >&2", log);
            if (system(cmdline)) {}
            return 0;
        }
        int fd = socket(AF_UNIX, SOCK_STREAM, 0);
        struct sockaddr_un a;
        memset(&a, 0, sizeof a);
        a.sun_family = AF_UNIX;
        snprintf(a.sun_path, sizeof a.sun_path, "%s", sock);
        if (s->fd < 0 && fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof a) == 0) s->fd = fd;
        else if (fd >= 0) close(fd);
        if (s->fd >= 0) {
            /* it accepts connections while loading, answering -LOADING */
            rv v;
            if (!cmd_str(s, &v, "PING", NULL, 0)) return 0;
            if (v.type == '+') return 1;
        }
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    return 0;
}

static void redis_stop(rsv *s) {
    if (s->fd >= 0) {
        const uint8_t *argv[2] = {(const uint8_t *)"SHUTDOWN", (const uint8_t *)"NOSAVE"};
        size_t lens[2] = {8, 6};
        resp_send(s, 2, argv, lens);
        close(s->fd);
    }
    if (s->pid > 0) {
        int st;
        for (int i = 0; i < 500 && waitpid(s->pid, &st, WNOHANG) == 0; i++) {
            struct timespec ts = {0, 10 * 1000 * 1000};
            nanosleep(&ts, NULL);
        }
        if (kill(s->pid, 0) == 0) {
            kill(s->pid, SIGKILL);
            waitpid(s->pid, &st, 0);
        }
    }
    char path[320];
    const char *names[] = {"x.rdb", "s", "log", "check.log"};
    for (int i = 0; i < 4; i++) {
        snprintf(path, sizeof path, "%s/%s", s->dir, names[i]);
        unlink(path);
    }
    rmdir(s->dir);
    free(s->in);
}

/* Load the file into redis-server and compare every key a reader of db
 * sees at `now` (db's clock must be the wall clock: Redis drops keys
 * whose time has passed when it loads them). */
static void redis_compare(vs_db *db, const file *f, int64_t now) {
    if (!have_redis()) {
        fprintf(stderr, "  skipped: no redis-server\n");
        return;
    }
    rsv s;
    if (!redis_start(&s, f->p, f->n)) {
        vt_fail(__FILE__, __LINE__, "redis-server did not load the file");
        redis_stop(&s);
        return;
    }
    vs_keyspace *ks = &db->eng.store->ks;
    rv v;
    uint64_t live = 0, lp = 0;
    for (uint32_t id = 0; id < vs_ks_id_bound(ks); id++) {
        vs_kentry *e = vs_ks_by_id(ks, id);
        if (!e || vs_exp_expired(ks, e, now)) continue;
        live++;
        VT_CHECK(cmd_str(&s, &v, "PEXPIRETIME", e->key, e->klen) && v.type == ':');
        int64_t t = vs_exp_of(ks, e);
        VT_CHECK(v.i == (t == VS_NO_EXPIRE ? -1 : t));
        if (e->type == VS_TYPE_STRING) {
            VT_CHECK(cmd_str(&s, &v, "GET", e->key, e->klen) && v.type == '$');
            VT_CHECK(v.i >= 0 && v.n == e->v.str->len && memcmp(v.s, e->v.str->data, v.n) == 0);
            continue;
        }
        const vs_hash *h = e->v.hash;
        const uint8_t *argv[3] = {(const uint8_t *)"OBJECT", (const uint8_t *)"ENCODING", e->key};
        size_t lens[3] = {6, 8, e->klen};
        VT_CHECK(cmd_reply(&s, &v, 3, argv, lens) && v.type == '$');
        int small = h->n <= 128;
        for (uint32_t i = 0; i < h->n; i++) small &= h->f[i]->flen <= 64 && h->f[i]->vlen <= 64;
        const char *want = small ? "listpack" : "hashtable";
        VT_CHECK(v.n == strlen(want) && memcmp(v.s, want, v.n) == 0);
        if (v.n != strlen(want) || memcmp(v.s, want, v.n) != 0) {
            uint32_t mf = 0, mv = 0;
            for (uint32_t i = 0; i < h->n; i++) {
                if (h->f[i]->flen > mf) mf = h->f[i]->flen;
                if (h->f[i]->vlen > mv) mv = h->f[i]->vlen;
            }
            fprintf(stderr, "  hash of %u fields (longest %u, %u bytes): %.*s\n", h->n, mf, mv, (int)v.n, (const char *)v.s);
        }
        lp += small;
        VT_CHECK(cmd_str(&s, &v, "HGETALL", e->key, e->klen) && v.type == '*');
        VT_EQ_INT(v.i, 2 * (long long)h->n);
        long long pairs = v.i / 2;
        uint32_t matched = 0;
        for (long long i = 0; i < pairs; i++) {
            rv fv, vv;
            if (!resp_line(&s, &fv) || !resp_line(&s, &vv)) {
                vt_fail(__FILE__, __LINE__, "short HGETALL reply");
                break;
            }
            const vs_hfield *hf = vs_hash_get(h, fv.s, fv.n);
            if (hf && hf->vlen == vv.n && memcmp(vs_hfield_value(hf), vv.s, vv.n) == 0) matched++;
            /* a listpack keeps the order written: the hash's own */
            if (small && i < h->n) VT_CHECK(fv.n == h->f[i]->flen && memcmp(fv.s, vs_hfield_name(h->f[i]), fv.n) == 0);
        }
        VT_EQ_INT(matched, h->n);
    }
    VT_CHECK(cmd_str(&s, &v, "DBSIZE", NULL, 0) && v.type == ':');
    VT_EQ_INT(v.i, live);
    fprintf(stderr, "  redis-server loaded %llu keys (%llu listpack hashes) and matches\n",
            (unsigned long long)live, (unsigned long long)lp);
    redis_stop(&s);
}
#endif

/* ---- (c) a seeded random store ------------------------------------------------------- */

static size_t rand_bytes(uint8_t *out, size_t n) {
    size_t kind = rndn(6);
    for (size_t i = 0; i < n; i++) {
        switch (kind) {
        case 0: out[i] = (uint8_t)rnd(); break;                       /* binary */
        case 1: out[i] = (uint8_t)(rndn(2) ? 0 : 0xFF); break;       /* NUL and 0xFF */
        case 2: out[i] = (uint8_t)('0' + rndn(10)); break;           /* digits */
        default: out[i] = (uint8_t)('a' + rndn(26)); break;
        }
    }
    return n;
}

/* An element: a length near the thresholds, or an integer's text. */
static size_t rand_elem(uint8_t *out, int allow_big) {
    size_t r = rndn(20);
    long long v;
    switch (r) {
    case 0: v = (long long)(rnd() % 256) - 128; break;
    case 1: v = (long long)(rnd() % 70000) - 35000; break;
    case 2: v = (long long)(int32_t)rnd(); break;
    case 3: v = (long long)rnd(); break;
    case 4: {
        static const char *odd[] = {"007", "-0", " 1", "+1", "12345678901234567890", "-9223372036854775808",
                                    "4294967296", "2147483648", "-2147483649", "00"};
        const char *s = odd[rndn(10)];
        memcpy(out, s, strlen(s));
        return strlen(s);
    }
    case 5: return rand_bytes(out, 62 + rndn(5)); /* 62..66 */
    case 6: return 0;
    case 7: if (allow_big) return rand_bytes(out, 65 + rndn(3000));
    /* fall through */
    default: return rand_bytes(out, rndn(20));
    }
    return (size_t)snprintf((char *)out, 32, "%lld", v);
}

static void build_random_store(vs_db *db, int64_t t0, uint32_t nkeys) {
    static uint8_t kbuf[128], fbuf[8192], vbuf[8192];
    for (uint32_t k = 0; k < nkeys; k++) {
        size_t klen;
        if (rndn(4) == 0) klen = rand_elem(kbuf, 0);
        else klen = (size_t)snprintf((char *)kbuf, sizeof kbuf, "key:%u", k);
        if (klen == 0) kbuf[klen++] = 'k';
        const uint8_t *argv[4];
        size_t lens[4];
        if (rndn(3) == 0) {
            size_t vlen = rand_elem(vbuf, 1);
            argv[0] = (const uint8_t *)"SET", lens[0] = 3;
            argv[1] = kbuf, lens[1] = klen;
            argv[2] = vbuf, lens[2] = vlen;
            exec_n(db, 3, argv, lens);
        } else {
            size_t nf;
            switch (rndn(6)) {
            case 0: nf = 127 + rndn(3); break; /* 127, 128, 129 */
            case 1: nf = 1 + rndn(300); break;
            default: nf = 1 + rndn(12); break;
            }
            int big = rndn(4) == 0;
            for (size_t i = 0; i < nf; i++) {
                size_t fl = rand_elem(fbuf, big && rndn(40) == 0);
                size_t vl = rand_elem(vbuf, big);
                argv[0] = (const uint8_t *)"HSET", lens[0] = 4;
                argv[1] = kbuf, lens[1] = klen;
                argv[2] = fbuf, lens[2] = fl;
                argv[3] = vbuf, lens[3] = vl;
                exec_n(db, 4, argv, lens);
            }
        }
        size_t x = rndn(10);
        if (x < 3 || x == 9) { /* a time in the future, or one that will have passed */
            char t[32];
            long long when = x == 9 ? t0 + 1 + (long long)rndn(999) : t0 + 3600000 + (long long)rndn(36000000);
            argv[0] = (const uint8_t *)"PEXPIREAT", lens[0] = 9;
            argv[1] = kbuf, lens[1] = klen;
            argv[2] = (const uint8_t *)t, lens[2] = (size_t)snprintf(t, sizeof t, "%lld", when);
            exec_n(db, 3, argv, lens);
        }
    }
    /* A string and a hash value of 1 MiB. */
    size_t big = 1u << 20;
    uint8_t *b = malloc(big);
    rand_bytes(b, big);
    const uint8_t *argv[4] = {(const uint8_t *)"SET", (const uint8_t *)"big:string", b};
    size_t lens[4] = {3, 10, big};
    exec_n(db, 3, argv, lens);
    argv[0] = (const uint8_t *)"HSET", lens[0] = 4;
    argv[1] = (const uint8_t *)"big:hash", lens[1] = 8;
    argv[2] = (const uint8_t *)"f", lens[2] = 1;
    argv[3] = b, lens[3] = big;
    exec_n(db, 4, argv, lens);
    argv[2] = (const uint8_t *)"small", lens[2] = 5;
    argv[3] = (const uint8_t *)"1", lens[3] = 1;
    exec_n(db, 4, argv, lens);
    free(b);
    /* Integers at the integer encodings' edges (keys, values, fields),
     * lengths at the length encodings' edges, and a time exactly at now
     * (t0 + 2000: expired, left out). */
    static const char *ints[] = {"-128", "127", "128", "-129", "-32768", "32767", "32768", "-32769",
                                 "2147483647", "-2147483648", "2147483648", "-2147483649",
                                 "-1234567890", "12345678901", "0", "-0", "007", "+5"};
    static char k[32];
    for (size_t i = 0; i < sizeof ints / sizeof *ints; i++) {
        argv[0] = (const uint8_t *)"SET", lens[0] = 3;
        argv[1] = (const uint8_t *)ints[i], lens[1] = strlen(ints[i]);
        argv[2] = (const uint8_t *)ints[i], lens[2] = strlen(ints[i]);
        exec_n(db, 3, argv, lens);
        argv[0] = (const uint8_t *)"HSET", lens[0] = 4;
        argv[1] = (const uint8_t *)k, lens[1] = (size_t)snprintf(k, sizeof k, "plain:ints");
        argv[2] = (const uint8_t *)ints[i], lens[2] = strlen(ints[i]);
        argv[3] = (const uint8_t *)ints[(i + 1) % (sizeof ints / sizeof *ints)], lens[3] = strlen((const char *)argv[3]);
        exec_n(db, 4, argv, lens);
    }
    argv[2] = (const uint8_t *)"x", lens[2] = 1; /* plain:ints goes as a plain hash */
    argv[3] = fbuf, lens[3] = 65;
    exec_n(db, 4, argv, lens);
    static const size_t edge_lens[] = {63, 64, 16383, 16384};
    uint8_t *lb = calloc(1, 16384);
    for (size_t i = 0; i < 4; i++) {
        argv[0] = (const uint8_t *)"SET", lens[0] = 3;
        argv[1] = (const uint8_t *)k, lens[1] = (size_t)snprintf(k, sizeof k, "len:%zu", edge_lens[i]);
        argv[2] = lb, lens[2] = edge_lens[i];
        exec_n(db, 3, argv, lens);
    }
    free(lb);
    {
        char t[32];
        argv[0] = (const uint8_t *)"PEXPIREAT", lens[0] = 9;
        argv[1] = (const uint8_t *)"len:63", lens[1] = 6;
        argv[2] = (const uint8_t *)t, lens[2] = (size_t)snprintf(t, sizeof t, "%lld", (long long)t0 + 2000);
        exec_n(db, 3, argv, lens);
    }
    /* Exactly at the limits: 128 fields of 64 bytes (a listpack), and one
     * more field (a plain hash). */
    for (int h = 0; h < 2; h++) {
        const char *key = h ? "limit:129" : "limit:128";
        for (int i = 0; i < 128 + h; i++) {
            memset(fbuf, 'f', 64);
            memset(vbuf, 'v', 64);
            snprintf((char *)fbuf, 8, "%05d", i);
            fbuf[5] = 'f';
            argv[1] = (const uint8_t *)key, lens[1] = 9;
            argv[2] = fbuf, lens[2] = 64;
            argv[3] = vbuf, lens[3] = 64;
            exec_n(db, 4, argv, lens);
        }
    }
}

static void test_random_store(void) {
    uint64_t seed = getenv("VT_SEED") ? strtoull(getenv("VT_SEED"), NULL, 10) : (uint64_t)time(NULL);
    fprintf(stderr, "test_rdb_write: seed %llu (VT_SEED=%llu repeats it)\n", (unsigned long long)seed,
            (unsigned long long)seed);
    rng_state = seed;
    vs_db *db = vs_open(NULL);
    /* The wall clock, so redis-server keeps what the file keeps. */
    int64_t t0 = (int64_t)time(NULL) * 1000;
    vs_set_time(db, (double)t0, 0);
    build_random_store(db, t0, 150);
    /* Some keys' times pass; they stay in the store (hidden), left out of
     * the file. */
    int64_t now = t0 + 2000;
    vs_set_time(db, (double)now, 1);
    uint32_t expired = 0;
    vs_keyspace *ks = &db->eng.store->ks;
    for (uint32_t id = 0; id < vs_ks_id_bound(ks); id++) {
        vs_kentry *e = vs_ks_by_id(ks, id);
        expired += e && vs_exp_expired(ks, e, now);
    }
    VT_CHECK(expired > 0 || vs_exp_count(ks) == 0);
    file ref;
    VT_CHECK(save_all(db, 1u << 20, &ref));
    /* Every buffer size gives the same bytes (nothing in between touches
     * the store: even lookups may move its memory, and so used-mem). */
    size_t caps[] = {16, 17, 4096, 0, 0, 0};
    for (size_t i = 0; i < sizeof caps / sizeof *caps; i++) {
        file f;
        VT_CHECK(save_all(db, caps[i], &f));
        VT_CHECK(f.n == ref.n && memcmp(f.p, ref.p, f.n) == 0);
        if (f.n != ref.n || memcmp(f.p, ref.p, f.n) != 0) {
            size_t at = 0;
            while (at < f.n && at < ref.n && f.p[at] == ref.p[at]) at++;
            fprintf(stderr, "  cap %zu: %zu bytes, differs from %zu bytes at %zu\n", caps[i], f.n, ref.n, at);
        }
        free(f.p);
    }
    rdb_summary sum;
    VT_CHECK(check_file(db, ref.p, ref.n, now, &sum));
    fprintf(stderr, "  %zu bytes: %llu keys (%llu strings, %llu listpacks, %llu plain hashes), %llu with a time, %u expired left out\n",
            ref.n, (unsigned long long)sum.keys, (unsigned long long)sum.strings,
            (unsigned long long)sum.listpacks, (unsigned long long)sum.plain_hashes,
            (unsigned long long)sum.with_expiry, expired);
    VT_CHECK(sum.listpacks > 0 && sum.plain_hashes > 0 && sum.strings > 0);
    /* Nothing was deleted by the saves. */
    uint32_t after = 0;
    for (uint32_t id = 0; id < vs_ks_id_bound(ks); id++) {
        vs_kentry *e = vs_ks_by_id(ks, id);
        after += e && vs_exp_expired(ks, e, now);
    }
    VT_EQ_INT(after, expired);
#ifndef __EMSCRIPTEN__
    redis_compare(db, &ref, now);
#endif
    free(ref.p);
    vs_close(db);
}

/* An empty store: no database section, still a file Redis loads. */
static void test_empty(void) {
    vs_db *db = vs_open(NULL);
    vs_set_time(db, (double)((int64_t)time(NULL) * 1000), 0);
    file f;
    VT_CHECK(save_all(db, 64, &f));
    rdb_summary sum;
    VT_CHECK(check_file(db, f.p, f.n, db->eng.now, &sum));
    VT_EQ_INT(sum.keys, 0);
#ifndef __EMSCRIPTEN__
    redis_compare(db, &f, db->eng.now);
#endif
    free(f.p);
    vs_close(db);
}

/* ---- (d) out of memory ----------------------------------------------------------- */

static void test_oom(void) {
    vs_db *db = vs_open(NULL);
    VT_CMD(db, ":2\r\n", "HSET", "h", "a", "1", "b", "2");
    VT_CMD(db, "+OK\r\n", "SET", "s", "v");
    VT_CMD(db, "+OK\r\n", "FT.CREATE", "i", "ON", "HASH", "SCHEMA", "a", "TAG");
    file ref;
    VT_CHECK(save_all(db, 1024, &ref));
    int ok = 0;
    for (unsigned long n = 1; n < 100 && !ok; n++) {
        vs_mem_inject(n, 0);
        int rc = vs_rdb_save_begin(db);
        if (rc != 0) {
            VT_EQ_INT(rc, VS_ERR_NOMEM);
            VT_CHECK(db->rdb_saver == NULL);
            VT_CHECK(strstr(vs_error_text(db), "OOM") || strstr(vs_error_text(db), "memory"));
            continue;
        }
        uint8_t buf[1024];
        file f = {0};
        long k;
        f.p = malloc(ref.n + 1024);
        while ((k = vs_rdb_save_next(db, buf, sizeof buf)) > 0) {
            memcpy(f.p + f.n, buf, (size_t)k);
            f.n += (size_t)k;
        }
        VT_EQ_INT(k, 0);
        vs_rdb_save_end(db);
        ok = vs_mem_faults() == 0;
        vs_mem_inject(0, 0);
        /* used-mem may differ; the keys and the end must not */
        VT_CHECK(f.n >= 40 && f.n + 16 > ref.n);
        rdb_summary sum;
        VT_CHECK(check_file(db, f.p, f.n, db->eng.now, &sum));
        free(f.p);
    }
    vs_mem_inject(0, 0);
    VT_CHECK(ok);
    /* The index script under failing allocations: an error reply or the script. */
    for (unsigned long n = 1; n < 50; n++) {
        vs_mem_inject(n, 1);
        int rc = vs_index_script(db);
        vs_mem_inject(0, 0);
        if (rc == 0) break;
        VT_EQ_INT(rc, VS_ERR_NOMEM);
        VT_CHECK(vs_reply_len(db) > 0 && vs_reply_data(db)[0] == '-');
    }
    free(ref.p);
    vs_close(db);
}

/* ---- (e) the ABI -------------------------------------------------------------------- */

static void test_abi(void) {
    vs_db *db = vs_open(NULL);
    /* begin twice, and against a snapshot save or load */
    VT_EQ_INT(vs_rdb_save_begin(db), 0);
    VT_EQ_INT(vs_rdb_save_begin(db), VS_ERR_STATE);
    VT_CHECK(strcmp(vs_error_text(db), "ERR a save or load is in progress") == 0);
    VT_EQ_INT(vs_save_begin(db), VS_ERR_STATE);
    VT_EQ_INT(vs_load_begin(db, 100), VS_ERR_STATE);
    vs_rdb_save_end(db);
    vs_rdb_save_end(db); /* ending twice is harmless */
    VT_EQ_INT(vs_rdb_save_next(db, NULL, 0), VS_ERR_STATE);
    VT_EQ_INT(vs_rdb_save_stat(db, 1), 0);
    VT_EQ_INT(vs_save_begin(db), 0);
    VT_EQ_INT(vs_rdb_save_begin(db), VS_ERR_STATE);
    vs_save_end(db);
    VT_EQ_INT(vs_load_begin(db, 100), 0);
    VT_EQ_INT(vs_rdb_save_begin(db), VS_ERR_STATE);
    vs_load_abort(db);

    /* While a save streams, expiry deletes nothing; after it, it does. */
    int64_t t0 = 1700000000000;
    vs_set_time(db, (double)t0, 0);
    VT_CMD(db, "+OK\r\n", "SET", "gone", "x");
    VT_CMD(db, ":1\r\n", "PEXPIREAT", "gone", "1700000000500");
    VT_CMD(db, ":1\r\n", "HSET", "h", "f", "v");
    vs_set_time(db, (double)(t0 + 1000), 0);
    uint8_t buf[64];
    VT_EQ_INT(vs_rdb_save_begin(db), 0);
    VT_EQ_INT(vs_rdb_save_stat(db, 1), 1);
    VT_EQ_INT(vs_rdb_save_next(db, buf, 15), VS_ERR);
    VT_CHECK(strcmp(vs_error_text(db), "ERR the buffer must hold at least 16 bytes") == 0);
    VT_EQ_INT(vs_expire_step(db, 100), 0);
    VT_CMD(db, "$-1\r\n", "GET", "gone");
    VT_EQ_INT(db->eng.store->ks.count, 2);
    vs_set_time(db, (double)(t0 + 1000), 0); /* the embedder's mode is held to HIDE */
    VT_EQ_INT(vs_expire_step(db, 100), 0);
    VT_EQ_INT(db->eng.store->ks.count, 2);
    VT_CHECK(vs_rdb_save_next(db, buf, sizeof buf) == 64);
    /* a write during the save (the caller's contract broken) fails the save */
    VT_CMD(db, "+OK\r\n", "SET", "other", "y");
    VT_CHECK(vs_rdb_save_next(db, buf, sizeof buf) < 0);
    VT_CHECK(strcmp(vs_error_text(db), "ERR the store changed during the RDB save") == 0);
    VT_EQ_INT(db->eng.store->ks.count, 3);
    vs_rdb_save_end(db);
    VT_EQ_INT(vs_expire_step(db, 100), 0); /* 0: no expired key remains */
    VT_EQ_INT(db->eng.store->ks.count, 2);
    VT_EQ_INT(db->eng.stat_expired, 1);

    /* The index script: one FT.CREATE per index, arguments as given. */
    VT_EQ_INT(vs_index_script(db), 0);
    VT_EQ_MEM(vs_reply_data(db), vs_reply_len(db), "*0\r\n");
    VT_CMD(db, "+OK\r\n", "FT.CREATE", "idx", "ON", "HASH", "PREFIX", "1", "doc:", "SCHEMA", "v", "VECTOR",
           "FLAT", "6", "TYPE", "FLOAT32", "DIM", "2", "DISTANCE_METRIC", "L2");
    VT_CMD(db, "+OK\r\n", "FT.CREATE", "t", "schema", "tag", "Tag", "n", "NUMERIC", "SORTABLE");
    VT_EQ_INT(vs_index_script(db), 0);
    VT_EQ_MEM(vs_reply_data(db), vs_reply_len(db),
              "*2\r\n"
              "*18\r\n$9\r\nFT.CREATE\r\n$3\r\nidx\r\n$2\r\nON\r\n$4\r\nHASH\r\n$6\r\nPREFIX\r\n$1\r\n1\r\n"
              "$4\r\ndoc:\r\n$6\r\nSCHEMA\r\n$1\r\nv\r\n$6\r\nVECTOR\r\n$4\r\nFLAT\r\n$1\r\n6\r\n$4\r\nTYPE\r\n"
              "$7\r\nFLOAT32\r\n$3\r\nDIM\r\n$1\r\n2\r\n$15\r\nDISTANCE_METRIC\r\n$2\r\nL2\r\n"
              "*8\r\n$9\r\nFT.CREATE\r\n$1\r\nt\r\n$6\r\nschema\r\n$3\r\ntag\r\n$3\r\nTag\r\n$1\r\nn\r\n"
              "$7\r\nNUMERIC\r\n$8\r\nSORTABLE\r\n");
    /* closing during a save frees the writer */
    VT_EQ_INT(vs_rdb_save_begin(db), 0);
    vs_close(db);
}

int main(void) {
    VT_RUN(test_crc64);
    VT_RUN(test_listpack);
    VT_RUN(test_abi);
    VT_RUN(test_oom);
    VT_RUN(test_empty);
    VT_RUN(test_random_store);
    VT_DONE();
}
