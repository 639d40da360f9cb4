/* rdb_write.c - writing the store as an RDB file in chunks (see rdb.h and
 * docs/rdb.md, "Writing").
 *
 * The file: "REDIS0010"; aux fields (redis-ver, redis-bits, ctime,
 * used-mem, aof-base as Redis 7.0 writes them, and vessel-ver); then for
 * each database in number order with some key to write, SELECTDB n and
 * RESIZEDB (keys, keys with a time) and every key in id order (the
 * keyspace's order) that has not expired at `now`: EXPIRETIME_MS and its
 * absolute time when it has one, the type, the key, the value; EOF; the
 * CRC-64 of every byte before it.
 *
 * Expired keys are left out: Redis's SAVE writes them (and its loader
 * drops them), but an export mirrors what a reader of the store sees, so
 * the file's key count is the count of keys a client could read at `now`.
 *
 * Strings (keys, string values, a plain hash's fields and values, aux
 * values) are written as Redis's rdbSaveRawString does without
 * compression: a canonical decimal integer of up to 11 characters in
 * int32 range as an integer encoding, anything else as its length and
 * bytes.  A hash within Redis's default listpack limits (at most 128
 * fields, every field and value at most 64 bytes) is written as the
 * listpack Redis would have built (persist/listpack.h), any other as a
 * plain hash.
 *
 * Streaming: each step queues a few pieces, small encoded headers in a
 * scratch buffer and spans of live memory (keys, values, the listpack of
 * one small hash, built in the writer's own buffer), which next() copies
 * into the caller's buffer, across as many calls as it takes.  So no copy
 * of the file or of a large value is ever held, and next() never
 * allocates.  The store must not change between begin and end; a change
 * (the keyspace's change counter moved) fails next() with VS_ERR_STATE
 * rather than reading freed memory.
 */
#include <string.h>

#include "base/alloc.h"
#include "base/crc64.h"
#include "base/le.h"
#include "base/util.h"
#include "data/expires.h"
#include "persist/listpack.h"
#include "persist/rdb.h"

/* The largest listpack written: 2 * 128 elements of at most 64 bytes
 * (an entry of 64 bytes takes 2 + 64 + 1 bytes). */
#define LP_ENTRY_MAX (2 + VS_RDB_LP_MAX_VALUE + 1)
#define LP_MAX (VS_LP_HEADER + 2 * VS_RDB_LP_MAX_ENTRIES * LP_ENTRY_MAX + 1)

typedef struct piece {
    const uint8_t *p;
    size_t n;
} piece;

enum { S_HEAD, S_DB, S_KEY, S_FIELD, S_EOF, S_CRC, S_DONE };

struct vs_rdb_writer {
    vs_store **dbs;        /* the databases being written (NULL: never used) */
    uint32_t ndbs;
    uint32_t dbi;          /* the next database S_DB looks at */
    vs_store *db;          /* the database being written (S_KEY, S_FIELD) */
    int64_t now;           /* keys with a time <= now are left out */
    const char *version;   /* engine version (outlives the writer) */
    uint64_t changes;      /* the keyspace's change count at begin */
    int state;             /* S_*: what the next step queues */
    uint32_t id;           /* next key id to look at */
    const vs_kentry *e;    /* plain hash being written (S_FIELD) */
    uint32_t field;        /* its next field */
    piece q[6];            /* queued pieces, q[qi..qn) still to copy */
    uint32_t qn, qi;
    int crc_on;            /* copied bytes go into the CRC */
    uint64_t crc;          /* CRC-64 of the bytes copied so far */
    uint64_t bytes;        /* bytes copied so far */
    uint64_t keys_done;    /* keys queued so far */
    uint64_t keys_total;   /* keys to write (not expired at now) */
    uint64_t expires_total; /* of which with an expiry time */
    uint64_t used_mem;     /* the engine's memory at begin (aux used-mem) */
    uint8_t scratch[384];  /* encoded headers of the queued pieces */
    uint8_t lp[LP_MAX];    /* the listpack of the small hash being written */
};

/* ---- encodings ------------------------------------------------------- */

/* An RDB length (rdbSaveLen): 6 or 14 bits, or 32/64 bits big-endian. */
static size_t put_len(uint8_t *out, uint64_t len) {
    if (len < 64) {
        out[0] = (uint8_t)len;
        return 1;
    }
    if (len < 16384) {
        out[0] = (uint8_t)((VS_RDB_14BIT << 6) | (len >> 8));
        out[1] = (uint8_t)len;
        return 2;
    }
    size_t k = len <= UINT32_MAX ? 4 : 8;
    out[0] = k == 4 ? VS_RDB_32BIT : VS_RDB_64BIT;
    for (size_t i = 0; i < k; i++) out[1 + i] = (uint8_t)(len >> (8 * (k - 1 - i)));
    return 1 + k;
}

/* The head of string s: its integer encoding when rdbTryIntegerEncoding
 * would use one (then *whole is set: nothing follows), else its length. */
static size_t put_str_head(uint8_t *out, const uint8_t *s, size_t n, int *whole) {
    long long v;
    *whole = 0;
    if (n <= 11 && vs_parse_ll(s, n, &v) && v >= INT32_MIN && v <= INT32_MAX) {
        *whole = 1;
        uint32_t u = (uint32_t)(int32_t)v;
        size_t k = v >= -128 && v <= 127 ? 1 : v >= -32768 && v <= 32767 ? 2 : 4;
        out[0] = (uint8_t)((VS_RDB_ENCVAL << 6) | (k == 1 ? VS_RDB_ENC_INT8 : k == 2 ? VS_RDB_ENC_INT16 : VS_RDB_ENC_INT32));
        for (size_t i = 0; i < k; i++) out[1 + i] = (uint8_t)(u >> (8 * i));
        return 1 + k;
    }
    return put_len(out, n);
}

/* A whole string into scratch (short strings only: aux fields). */
static size_t put_str(uint8_t *out, const char *s) {
    size_t n = strlen(s);
    int whole;
    size_t h = put_str_head(out, (const uint8_t *)s, n, &whole);
    if (whole) return h;
    memcpy(out + h, s, n);
    return h + n;
}

static size_t put_aux(uint8_t *out, const char *key, const char *val) {
    size_t o = 0;
    out[o++] = VS_RDB_OP_AUX;
    o += put_str(out + o, key);
    o += put_str(out + o, val);
    return o;
}

static size_t put_aux_int(uint8_t *out, const char *key, long long v) {
    char num[32];
    num[vs_ll2str(num, v)] = 0;
    return put_aux(out, key, num);
}

/* ---- the queue ---------------------------------------------------------- */

static void queue(vs_rdb_writer *w, const uint8_t *p, size_t n) {
    if (n) w->q[w->qn++] = (piece){p, n};
}

/* Queue a string: its head in scratch at *at, then its bytes (live). */
static void queue_str(vs_rdb_writer *w, size_t *at, const uint8_t *s, size_t n) {
    int whole;
    size_t h = put_str_head(w->scratch + *at, s, n, &whole);
    queue(w, w->scratch + *at, h);
    *at += h;
    if (!whole) queue(w, s, n);
}

/* Does hash h go as a listpack (Redis's default limits)? */
static int fits_listpack(const vs_hash *h) {
    if (h->n > VS_RDB_LP_MAX_ENTRIES) return 0;
    for (uint32_t i = 0; i < h->n; i++)
        if (h->f[i]->flen > VS_RDB_LP_MAX_VALUE || h->f[i]->vlen > VS_RDB_LP_MAX_VALUE) return 0;
    return 1;
}

/* Build h's listpack in w->lp; returns its size. */
static size_t build_listpack(vs_rdb_writer *w, const vs_hash *h) {
    size_t o = VS_LP_HEADER;
    for (uint32_t i = 0; i < h->n; i++) {
        const vs_hfield *f = h->f[i];
        o += vs_lp_entry_put(w->lp + o, vs_hfield_name(f), f->flen);
        o += vs_lp_entry_put(w->lp + o, vs_hfield_value(f), f->vlen);
    }
    w->lp[o++] = VS_LP_END;
    vs_lp_header_put(w->lp, (uint32_t)o, 2 * h->n);
    return o;
}

/* The file's start: magic and version, aux fields, the database. */
static void step_head(vs_rdb_writer *w) {
    uint8_t *s = w->scratch;
    size_t o = 0;
    char magic[16];
    memcpy(magic, VS_RDB_MAGIC, 5);
    magic[5] = (char)('0' + VS_RDB_WRITE_VERSION / 1000 % 10);
    magic[6] = (char)('0' + VS_RDB_WRITE_VERSION / 100 % 10);
    magic[7] = (char)('0' + VS_RDB_WRITE_VERSION / 10 % 10);
    magic[8] = (char)('0' + VS_RDB_WRITE_VERSION % 10);
    memcpy(s, magic, 9);
    o = 9;
    o += put_aux(s + o, "redis-ver", "7.0.0");
    o += put_aux_int(s + o, "redis-bits", sizeof(void *) == 8 ? 64 : 32);
    int64_t secs = w->now >= 0 ? w->now / 1000 : -((-w->now + 999) / 1000);
    o += put_aux_int(s + o, "ctime", secs);
    o += put_aux_int(s + o, "used-mem", (long long)w->used_mem);
    o += put_aux_int(s + o, "aof-base", 0);
    /* Redis logs an aux field it does not know and goes on. */
    char ver[48];
    size_t vl = strlen(w->version);
    if (vl > sizeof ver - 1) vl = sizeof ver - 1;
    memcpy(ver, w->version, vl);
    ver[vl] = 0;
    o += put_aux(s + o, "vessel-ver", ver);
    queue(w, s, o);
    w->state = S_DB;
}

/* Keys of ks not expired at now, and of those the ones with a time. */
static void live_counts(const vs_keyspace *ks, int64_t now, uint64_t *keys, uint64_t *expires) {
    uint64_t expired = 0;
    for (uint32_t i = 0; i < ks->exp.n; i++) expired += ks->exp.when[i] <= now;
    *keys = ks->count - expired;
    *expires = vs_exp_count(ks) - expired;
}

/* The next database with keys to write: SELECTDB and RESIZEDB (as Redis,
 * an empty database gets none). */
static void step_db(vs_rdb_writer *w) {
    while (w->dbi < w->ndbs) {
        uint32_t n = w->dbi++;
        vs_store *db = w->dbs[n];
        if (!db) continue;
        uint64_t keys, expires;
        live_counts(&db->ks, w->now, &keys, &expires);
        if (!keys) continue;
        uint8_t *s = w->scratch;
        size_t o = 0;
        s[o++] = VS_RDB_OP_SELECTDB;
        o += put_len(s + o, n);
        s[o++] = VS_RDB_OP_RESIZEDB;
        o += put_len(s + o, keys);
        o += put_len(s + o, expires);
        queue(w, s, o);
        w->db = db;
        w->id = 0;
        w->state = S_KEY;
        return;
    }
    w->state = S_EOF;
}

/* The next key: its time, type and name, and its value (or a plain
 * hash's field count, the fields following in S_FIELD steps). */
static void step_key(vs_rdb_writer *w) {
    const vs_keyspace *ks = &w->db->ks;
    const vs_kentry *e = NULL;
    while (w->id < vs_ks_id_bound(ks)) {
        e = vs_ks_by_id(ks, w->id++);
        if (e && !vs_exp_expired(ks, e, w->now)) break;
        e = NULL;
    }
    if (!e) {
        w->state = S_DB;
        return;
    }
    uint8_t *s = w->scratch;
    size_t o = 0;
    int64_t when = vs_exp_of(ks, e);
    if (when != VS_NO_EXPIRE) {
        s[o++] = VS_RDB_OP_EXPIRETIME_MS;
        vs_le_put64(s + o, (uint64_t)when);
        o += 8;
    }
    const vs_hash *h = e->type == VS_TYPE_HASH ? e->v.hash : NULL;
    int lp = h && fits_listpack(h);
    s[o++] = h ? (lp ? VS_RDB_TYPE_HASH_LISTPACK : VS_RDB_TYPE_HASH) : VS_RDB_TYPE_STRING;
    queue(w, s, o);
    queue_str(w, &o, e->key, e->klen);
    w->keys_done++;
    if (!h) {
        queue_str(w, &o, e->v.str->data, e->v.str->len);
    } else if (lp) {
        size_t n = build_listpack(w, h);
        size_t k = put_len(s + o, n);
        queue(w, s + o, k);
        queue(w, w->lp, n);
    } else {
        size_t k = put_len(s + o, h->n);
        queue(w, s + o, k);
        w->e = e;
        w->field = 0;
        w->state = S_FIELD;
    }
}

/* One field of a plain hash: field and value strings. */
static void step_field(vs_rdb_writer *w) {
    const vs_hash *h = w->e->v.hash;
    if (w->field >= h->n) {
        w->e = NULL;
        w->state = S_KEY;
        return;
    }
    const vs_hfield *f = h->f[w->field++];
    size_t o = 0;
    queue_str(w, &o, vs_hfield_name(f), f->flen);
    queue_str(w, &o, vs_hfield_value(f), f->vlen);
}

/* ---- the writer ------------------------------------------------------------ */

/* Every database's change count: moves when any key changes. */
static uint64_t changes_of(const vs_rdb_writer *w) {
    uint64_t c = 0;
    for (uint32_t d = 0; d < w->ndbs; d++)
        if (w->dbs[d]) c += w->dbs[d]->ks.changes;
    return c;
}

vs_status vs_rdb_write_begin(vs_store *const *dbs, uint32_t ndbs, int64_t now_ms, const char *version,
                             vs_rdb_writer **out) {
    vs_rdb_writer *w = vs_calloc(1, sizeof *w);
    if (!w) return VS_ERR_NOMEM;
    w->dbs = vs_calloc(ndbs ? ndbs : 1, sizeof *w->dbs);
    if (!w->dbs) {
        vs_free(w);
        return VS_ERR_NOMEM;
    }
    w->ndbs = ndbs;
    for (uint32_t d = 0; d < ndbs; d++) {
        w->dbs[d] = dbs[d];
        if (!dbs[d]) continue;
        uint64_t keys, expires;
        live_counts(&dbs[d]->ks, now_ms, &keys, &expires);
        w->keys_total += keys;
        w->expires_total += expires;
    }
    w->now = now_ms;
    w->version = version ? version : "";
    w->changes = changes_of(w);
    w->used_mem = vs_mem_used();
    w->state = S_HEAD;
    w->crc_on = 1;
    *out = w;
    return VS_OK;
}

vs_status vs_rdb_write_next(vs_rdb_writer *w, uint8_t *buf, size_t cap, size_t *out) {
    size_t done = 0;
    *out = 0;
    if (changes_of(w) != w->changes) return VS_ERR_STATE;
    while (done < cap) {
        if (w->qi < w->qn) {
            piece *p = &w->q[w->qi];
            size_t k = p->n < cap - done ? p->n : cap - done;
            memcpy(buf + done, p->p, k);
            if (w->crc_on) w->crc = vs_crc64(w->crc, p->p, k);
            p->p += k;
            p->n -= k;
            done += k;
            if (!p->n) w->qi++;
            continue;
        }
        w->qn = w->qi = 0;
        switch (w->state) {
        case S_HEAD: step_head(w); break;
        case S_DB: step_db(w); break;
        case S_KEY: step_key(w); break;
        case S_FIELD: step_field(w); break;
        case S_EOF:
            w->scratch[0] = VS_RDB_OP_EOF;
            queue(w, w->scratch, 1);
            w->state = S_CRC;
            break;
        case S_CRC: /* every byte before it, EOF included */
            vs_le_put64(w->scratch, w->crc);
            queue(w, w->scratch, 8);
            w->crc_on = 0;
            w->state = S_DONE;
            break;
        case S_DONE: goto out;
        }
    }
out:
    w->bytes += done;
    *out = done;
    return VS_OK;
}

void vs_rdb_write_end(vs_rdb_writer *w) {
    if (!w) return;
    vs_free(w->dbs);
    vs_free(w);
}

uint64_t vs_rdb_write_stat(const vs_rdb_writer *w, int which) {
    switch (which) {
    case 0: return w->keys_done;
    case 1: return w->keys_total;
    case 2: return w->bytes;
    }
    return 0;
}
