/* rdb_read.c - reading an RDB file written by Redis (or Valkey) from
 * chunks of any size (see rdb.h; Redis 7's rdb.c is the definition of
 * the format).
 *
 * The reader is a state machine over the byte stream, as the snapshot
 * reader: each step asks for bytes with want() (up to 16 bytes into a
 * staging buffer) or span() (a string's bytes, appended to a buffer that
 * grows as they arrive, or discarded) and names the step to run once
 * they are there.  Two sub-reads are shared by every step: a length
 * (read_len: RDB's 6/14/32/64-bit encodings, or a string encoding) and a
 * string (read_str: plain, integer-encoded or LZF-compressed; kept or
 * skipped), each with its own continuation.  A loop over a count reads at
 * least one byte per turn, so a step never recurses through a loop.
 *
 * Keys of database 0 that hold hashes or strings and have not expired at
 * `now` are built into a keyspace of the reader's own, in file order
 * under ids 0, 1, 2, ... (vs_ks_load_*); every other key is parsed to its
 * end without keeping anything and counted.  Hashes in compact encodings
 * (ziplist, listpack, zipmap) are kept whole until decoded
 * (persist/rdb_blob.h); plain hashes field by field.
 *
 * Invariants:
 *  - No length read from the file is allocated before its bytes arrive:
 *    a string's buffer grows with the bytes fed (at most doubling), and a
 *    count only bounds a loop; an LZF string's output is allocated once
 *    its compressed bytes are all there (at most VS_LZF_MAX_RATIO times
 *    them).  With a declared size, a string longer than what is left of
 *    the file is refused at once.
 *  - The CRC-64 covers every byte before the 8-byte checksum.
 *  - The first error is sticky: its text is kept and every later call
 *    fails with it.  Nothing reaches the target store before
 *    vs_rdb_read_end has checked the whole file.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "base/crc64.h"
#include "base/le.h"
#include "base/lzf.h"
#include "persist/rdb.h"
#include "persist/rdb_blob.h"
#include "query/store.h"

typedef vs_status (*step_fn)(vs_rdb_reader *r);

/* A growable byte buffer. */
typedef struct rbuf {
    uint8_t *p;
    size_t len, cap;
} rbuf;

/* An expiry time of a loaded key, set once the keys are placed. */
typedef struct rexp {
    uint32_t id;
    int64_t when;
} rexp;

/* One database being built: its keys (with ids 0..nkeys) and their times. */
typedef struct rdb_db {
    vs_store *store;  /* NULL until its first key (keys only; indexes at the end) */
    rexp *exp;        /* expiry times of loaded keys */
    uint32_t nexp, expcap;
    uint32_t nkeys;   /* keys loaded (their ids are 0..nkeys) */
    int made;         /* the engine's database was made for it (finish) */
} rdb_db;

struct vs_rdb_reader {
    rdb_db *dbs;      /* by database number, below ndbs */
    uint32_t ndbs;    /* the engine's databases: keys of others are skipped */
    int64_t now;      /* keys expiring at or before it are skipped */
    uint64_t size;    /* the file's declared size, 0: unknown */
    uint64_t consumed; /* bytes fed */
    uint64_t pos;     /* bytes consumed by the reads done so far */
    vs_status failed; /* sticky failure */
    char msg[256];    /* its text */
    int done;         /* the end marker (and checksum) were read */
    int version;
    uint64_t stats[VS_RDB_STAT_N];

    /* the pending read */
    uint8_t stage[16];
    size_t need, have;   /* a fixed read into stage */
    int span;            /* a span read is pending: 1 into *dst, 2 discarded */
    rbuf *dst;
    uint64_t span_need, span_have;
    step_fn next;        /* runs when the pending read is complete */

    uint64_t crc;        /* CRC-64 of the bytes before the checksum */
    int in_sum;          /* the checksum is being read: not summed */

    /* sub-reads */
    uint64_t len;        /* the length just read */
    int enc;             /* ... was a string encoding (RDB_ENCVAL) */
    step_fn len_next;
    int str_keep;        /* the string being read is kept (in s) */
    step_fn str_next;
    uint64_t lzf_clen, lzf_ulen;
    rbuf s;              /* the string just read */
    rbuf z;              /* LZF: the compressed bytes */
    rbuf key;            /* the key being read */
    rbuf fld;            /* a hash's field name */

    /* the key being read */
    int64_t expire;      /* VS_NO_EXPIRE: none */
    uint64_t dbid;       /* SELECTDB */
    int type;            /* its RDB value type */
    int keep;            /* it is loaded (else parsed and counted) */
    int bucket;          /* the statistic a skipped key counts in */
    vs_hfield **fields;  /* a hash's fields so far */
    uint32_t nfields, fcap;
    int bhalf;           /* compact hash walk: a field name is pending (in fld) */
    uint64_t count[3];   /* loop counters (nested loops of a stream) */
    step_fn mod_next;    /* after a module value's EOF */

};

/* ---- errors ------------------------------------------------------------------ */

static vs_status bad(vs_rdb_reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static vs_status bad(vs_rdb_reader *r, const char *fmt, ...) {
    char what[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    snprintf(r->msg, sizeof r->msg, "Bad RDB: %s (at byte %llu)", what, (unsigned long long)r->pos);
    return VS_ERR_CORRUPT;
}

/* Record a failure (sticky) and report it. */
static vs_status fail(vs_rdb_reader *r, vs_err *err, vs_status st) {
    if (st == VS_ERR_NOMEM) snprintf(r->msg, sizeof r->msg, "OOM out of memory loading the RDB file");
    if (!r->msg[0]) snprintf(r->msg, sizeof r->msg, "Bad RDB: the file could not be read");
    r->failed = st;
    return vs_err_set(err, st, "%s", r->msg);
}

/* ---- buffers ------------------------------------------------------------------ */

static int rbuf_reserve(rbuf *b, size_t n) {
    if (n <= b->cap) return 1;
    uint8_t *p = vs_realloc(b->p, n ? n : 1);
    if (!p) return 0;
    b->p = p;
    b->cap = n;
    return 1;
}

static void rbuf_swap(rbuf *a, rbuf *b) {
    rbuf t = *a;
    *a = *b;
    *b = t;
}

static void rbuf_free(rbuf *b) {
    vs_free(b->p);
    memset(b, 0, sizeof *b);
}

/* ---- reads --------------------------------------------------------------------- */

static vs_status want(vs_rdb_reader *r, size_t n, step_fn next) {
    r->need = n;
    r->have = 0;
    r->next = next;
    return VS_OK;
}

/* n bytes into b (reset first), or discarded when b is NULL. */
static vs_status span(vs_rdb_reader *r, rbuf *b, uint64_t n, step_fn next) {
    r->span = b ? 1 : 2;
    r->dst = b;
    if (b) b->len = 0;
    r->span_need = n;
    r->span_have = 0;
    r->next = next;
    return VS_OK;
}

/* Bytes the file has left after what was read (with a declared size). */
static uint64_t left_in_file(const vs_rdb_reader *r) { return r->size > r->pos ? r->size - r->pos : 0; }

/* ---- lengths --------------------------------------------------------------------- */

static vs_status len_done(vs_rdb_reader *r) {
    step_fn next = r->len_next;
    return next(r);
}

static vs_status len_14(vs_rdb_reader *r) {
    r->len = r->len << 8 | r->stage[0];
    return len_done(r);
}

static vs_status len_32(vs_rdb_reader *r) {
    r->len = (uint64_t)r->stage[0] << 24 | (uint64_t)r->stage[1] << 16 | (uint64_t)r->stage[2] << 8 | r->stage[3];
    return len_done(r);
}

static vs_status len_64(vs_rdb_reader *r) {
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) v = v << 8 | r->stage[i];
    r->len = v;
    return len_done(r);
}

static vs_status len_first(vs_rdb_reader *r) {
    uint8_t b = r->stage[0];
    r->enc = 0;
    r->len = b & 0x3F;
    switch (b >> 6) {
    case VS_RDB_6BIT: return len_done(r);
    case VS_RDB_14BIT: return want(r, 1, len_14);
    case VS_RDB_ENCVAL: r->enc = 1; return len_done(r);
    default:
        if (b == VS_RDB_32BIT) return want(r, 4, len_32);
        if (b == VS_RDB_64BIT) return want(r, 8, len_64);
        return bad(r, "unknown length encoding 0x%02x", b);
    }
}

/* A length (or a string encoding: r->enc) into r->len, then next. */
static vs_status read_len(vs_rdb_reader *r, step_fn next) {
    r->len_next = next;
    return want(r, 1, len_first);
}

/* A length where only a plain length may stand. */
static vs_status plain_len(vs_rdb_reader *r) {
    if (r->enc) return bad(r, "a string encoding where a length belongs");
    return VS_OK;
}

/* ---- strings ----------------------------------------------------------------------- */

static vs_status str_done(vs_rdb_reader *r) {
    step_fn next = r->str_next;
    return next(r);
}

static vs_status str_int(vs_rdb_reader *r) {
    if (!r->str_keep) return str_done(r);
    int64_t v;
    if (r->len == 1)
        v = (int8_t)r->stage[0];
    else if (r->len == 2)
        v = (int16_t)(uint16_t)(r->stage[0] | r->stage[1] << 8);
    else
        v = (int32_t)vs_le_get32(r->stage);
    if (!rbuf_reserve(&r->s, 24)) return VS_ERR_NOMEM;
    r->s.len = (size_t)snprintf((char *)r->s.p, 24, "%lld", (long long)v);
    return str_done(r);
}

static vs_status str_lzf(vs_rdb_reader *r) {
    /* The compressed bytes are all here.  Walk them first: the output is
     * allocated only when they decode to exactly the length announced (a
     * small hostile file must not grow memory 88-fold: wasm memory never
     * shrinks). */
    size_t out = 0;
    if (vs_lzf_decompress(r->z.p, r->z.len, NULL, (size_t)r->lzf_ulen, &out) != VS_OK || out != r->lzf_ulen)
        return bad(r, "an LZF-compressed string is damaged");
    if (!rbuf_reserve(&r->s, (size_t)r->lzf_ulen)) return VS_ERR_NOMEM;
    if (vs_lzf_decompress(r->z.p, r->z.len, r->s.p, (size_t)r->lzf_ulen, &out) != VS_OK || out != r->lzf_ulen)
        return bad(r, "an LZF-compressed string is damaged");
    r->s.len = out;
    if (r->z.cap > 1 << 20) rbuf_free(&r->z); /* do not hold a large buffer */
    return str_done(r);
}

static vs_status str_ulen(vs_rdb_reader *r) {
    if (plain_len(r) != VS_OK) return VS_ERR_CORRUPT;
    r->lzf_ulen = r->len;
    uint64_t clen = r->lzf_clen;
    if (r->size && clen > left_in_file(r)) return bad(r, "truncated (a string runs past the end of the file)");
    if (clen == 0 ? r->lzf_ulen != 0 : r->lzf_ulen == 0 || r->lzf_ulen / VS_LZF_MAX_RATIO > clen)
        return bad(r, "an LZF-compressed string has impossible lengths");
    if (r->str_keep && (r->lzf_ulen > UINT32_MAX || clen > SIZE_MAX || r->lzf_ulen > SIZE_MAX))
        return bad(r, "a string longer than 4 GiB");
    if (!r->str_keep) return span(r, NULL, clen, str_done);
    return span(r, &r->z, clen, str_lzf);
}

static vs_status str_clen(vs_rdb_reader *r) {
    if (plain_len(r) != VS_OK) return VS_ERR_CORRUPT;
    r->lzf_clen = r->len;
    return read_len(r, str_ulen);
}

static vs_status str_len(vs_rdb_reader *r) {
    if (r->enc) {
        switch (r->len) {
        case VS_RDB_ENC_INT8: r->len = 1; return want(r, 1, str_int);
        case VS_RDB_ENC_INT16: r->len = 2; return want(r, 2, str_int);
        case VS_RDB_ENC_INT32: r->len = 4; return want(r, 4, str_int);
        case VS_RDB_ENC_LZF: return read_len(r, str_clen);
        default: return bad(r, "unknown string encoding %u", (unsigned)r->len);
        }
    }
    if (r->size && r->len > left_in_file(r)) return bad(r, "truncated (a string runs past the end of the file)");
    if (r->str_keep && (r->len > UINT32_MAX || r->len > SIZE_MAX)) return bad(r, "a string longer than 4 GiB");
    return span(r, r->str_keep ? &r->s : NULL, r->len, str_done);
}

/* A string, kept in r->s or skipped, then next. */
static vs_status read_str(vs_rdb_reader *r, int keep, step_fn next) {
    r->str_keep = keep;
    r->str_next = next;
    return read_len(r, str_len);
}

/* ---- the key being read --------------------------------------------------------- */

static vs_status op_next(vs_rdb_reader *r);
static vs_status key_done(vs_rdb_reader *r);

static void drop_fields(vs_rdb_reader *r) {
    for (uint32_t i = 0; i < r->nfields; i++) vs_free(r->fields[i]);
    r->nfields = 0;
}

static void free_entry(vs_kentry *e) {
    if (!e) return;
    if (e->type == VS_TYPE_HASH)
        vs_hash_free(e->v.hash);
    else
        vs_free(e->v.str);
    vs_free(e);
}

/* The key's name for an error text: at most 64 bytes, the unprintable
 * ones shown as '?'. */
static const char *key_text(const vs_rdb_reader *r, char *out) {
    size_t n = r->key.len < 64 ? r->key.len : 64;
    for (size_t i = 0; i < n; i++) out[i] = r->key.p[i] >= 32 && r->key.p[i] < 127 ? (char)r->key.p[i] : '?';
    strcpy(out + n, r->key.len > 64 ? "..." : "");
    return out;
}

/* Add a built entry under the next id of its database's store, made on
 * its first key (ownership passes on success). */
static vs_status put_key(vs_rdb_reader *r, vs_kentry *e) {
    rdb_db *d = &r->dbs[r->dbid]; /* key_start kept only keys of dbid < ndbs */
    if (!d->store && !(d->store = vs_store_new(0))) {
        free_entry(e);
        return VS_ERR_NOMEM;
    }
    if (r->expire != VS_NO_EXPIRE && d->nexp == d->expcap) {
        uint32_t cap = d->expcap ? d->expcap * 2 : 16;
        rexp *x = vs_realloc(d->exp, (size_t)cap * sizeof *x);
        if (!x) {
            free_entry(e);
            return VS_ERR_NOMEM;
        }
        d->exp = x;
        d->expcap = cap;
    }
    vs_status st = vs_ks_load_put(&d->store->ks, e, d->nkeys);
    if (st != VS_OK) {
        free_entry(e);
        if (st != VS_ERR_CORRUPT) return st;
        char name[72];
        return bad(r, "the key '%s' appears twice in database %llu", key_text(r, name), (unsigned long long)r->dbid);
    }
    if (r->expire != VS_NO_EXPIRE) d->exp[d->nexp++] = (rexp){d->nkeys, r->expire};
    d->nkeys++;
    return VS_OK;
}

static vs_status add_field(vs_rdb_reader *r, const uint8_t *f, size_t flen, const uint8_t *v, size_t vlen) {
    if (r->nfields == r->fcap) {
        uint32_t cap = r->fcap ? r->fcap * 2 : 16;
        if (cap < r->fcap) return VS_ERR_NOMEM;
        vs_hfield **a = vs_realloc(r->fields, (size_t)cap * sizeof *a);
        if (!a) return VS_ERR_NOMEM;
        r->fields = a;
        r->fcap = cap;
    }
    vs_hfield *hf = vs_hfield_new(f, flen, v, vlen);
    if (!hf) return VS_ERR_NOMEM;
    r->fields[r->nfields++] = hf;
    return VS_OK;
}

/* The hash's fields are all read: build it and add the key. */
static vs_status hash_finish(vs_rdb_reader *r) {
    char name[72];
    if (r->nfields == 0) {
        /* Redis's loader skips an empty key (with a warning) too. */
        r->stats[VS_RDB_STAT_EMPTY]++;
        return key_done(r);
    }
    vs_kentry *e = vs_ks_entry_new(r->key.p, r->key.len, VS_TYPE_HASH);
    vs_hash *h = e ? vs_hash_new() : NULL;
    if (!h) {
        vs_free(e);
        return VS_ERR_NOMEM;
    }
    e->v.hash = h;
    if (vs_hash_load_reserve(h, r->nfields) != VS_OK) {
        free_entry(e);
        return VS_ERR_NOMEM;
    }
    for (uint32_t i = 0; i < r->nfields; i++) {
        vs_status st = vs_hash_load_add(h, r->fields[i]);
        if (st != VS_OK) {
            free_entry(e);
            return st == VS_ERR_CORRUPT ? bad(r, "the hash '%s' has a field twice", key_text(r, name)) : st;
        }
        r->fields[i] = NULL; /* the hash owns it */
    }
    r->nfields = 0;
    vs_status st = put_key(r, e);
    if (st != VS_OK) return st;
    r->stats[VS_RDB_STAT_HASHES]++;
    return key_done(r);
}

/* STRING */
static vs_status val_string(vs_rdb_reader *r) {
    if (!r->keep) return key_done(r);
    vs_kentry *e = vs_ks_entry_new(r->key.p, r->key.len, VS_TYPE_STRING);
    vs_str *s = e ? vs_malloc(sizeof *s + r->s.len) : NULL;
    if (!s) {
        vs_free(e);
        return VS_ERR_NOMEM;
    }
    s->len = (uint32_t)r->s.len;
    if (r->s.len) memcpy(s->data, r->s.p, r->s.len);
    e->v.str = s;
    vs_status st = put_key(r, e);
    if (st != VS_OK) return st;
    r->stats[VS_RDB_STAT_STRINGS]++;
    return key_done(r);
}

/* HASH: a count of (field, value) strings. */
static vs_status hash_field(vs_rdb_reader *r);

static vs_status hash_value(vs_rdb_reader *r) {
    if (r->keep) {
        vs_status st = add_field(r, r->fld.p, r->fld.len, r->s.p, r->s.len);
        if (st != VS_OK) return st;
    }
    r->count[0]--;
    return hash_field(r);
}

static vs_status hash_name(vs_rdb_reader *r) {
    rbuf_swap(&r->s, &r->fld);
    return read_str(r, r->keep, hash_value);
}

static vs_status hash_field(vs_rdb_reader *r) {
    if (r->count[0] == 0) return r->keep ? hash_finish(r) : key_done(r);
    return read_str(r, r->keep, hash_name);
}

static vs_status hash_count(vs_rdb_reader *r) {
    if (plain_len(r) != VS_OK) return VS_ERR_CORRUPT;
    r->count[0] = r->len;
    return hash_field(r);
}

/* HASH_ZIPMAP, HASH_ZIPLIST, HASH_LISTPACK: one string, decoded. */
static vs_status blob_entry(void *ctx, const uint8_t *s, size_t n) {
    vs_rdb_reader *r = ctx;
    if (!r->bhalf) {
        /* Copied: an integer entry's text does not outlive the call. */
        if (!rbuf_reserve(&r->fld, n)) return VS_ERR_NOMEM;
        if (n) memcpy(r->fld.p, s, n);
        r->fld.len = n;
        r->bhalf = 1;
        return VS_OK;
    }
    r->bhalf = 0;
    return add_field(r, r->fld.p, r->fld.len, s, n);
}

static vs_status hash_blob(vs_rdb_reader *r) {
    if (!r->keep) return key_done(r);
    const char *why = "damaged", *kind;
    vs_status st;
    r->bhalf = 0;
    if (r->type == VS_RDB_TYPE_HASH_ZIPMAP) {
        kind = "zipmap";
        st = vs_rdb_zipmap_walk(r->s.p, r->s.len, blob_entry, r, &why);
    } else if (r->type == VS_RDB_TYPE_HASH_ZIPLIST) {
        kind = "ziplist";
        st = vs_rdb_ziplist_walk(r->s.p, r->s.len, blob_entry, r, &why);
    } else {
        kind = "listpack";
        st = vs_rdb_listpack_walk(r->s.p, r->s.len, blob_entry, r, &why);
    }
    char name[72];
    if (st == VS_ERR_CORRUPT) return bad(r, "the hash '%s' (a %s) is damaged: %s", key_text(r, name), kind, why);
    if (st != VS_OK) return st;
    if (r->bhalf) return bad(r, "the hash '%s' (a %s) has an odd number of entries", key_text(r, name), kind);
    return hash_finish(r);
}

/* ---- skipped values -------------------------------------------------------------- */

/* LIST, SET, LIST_QUICKLIST: a count of strings. */
static vs_status strings_next(vs_rdb_reader *r) {
    if (r->count[0] == 0) return key_done(r);
    r->count[0]--;
    return read_str(r, 0, strings_next);
}

static vs_status strings_count(vs_rdb_reader *r) {
    if (plain_len(r) != VS_OK) return VS_ERR_CORRUPT;
    r->count[0] = r->len;
    return strings_next(r);
}

/* LIST_QUICKLIST_2: a count of (container, string). */
static vs_status ql2_next(vs_rdb_reader *r);

static vs_status ql2_container(vs_rdb_reader *r) {
    if (plain_len(r) != VS_OK) return VS_ERR_CORRUPT;
    if (r->len != 1 && r->len != 2) return bad(r, "a quicklist node has an unknown container %llu", (unsigned long long)r->len);
    return read_str(r, 0, ql2_next);
}

static vs_status ql2_next(vs_rdb_reader *r) {
    if (r->count[0] == 0) return key_done(r);
    r->count[0]--;
    return read_len(r, ql2_container);
}

static vs_status ql2_count(vs_rdb_reader *r) {
    if (plain_len(r) != VS_OK) return VS_ERR_CORRUPT;
    r->count[0] = r->len;
    return ql2_next(r);
}

/* ZSET: (string, score as text: a length byte, 253/254/255 for nan/+inf/-inf). */
static vs_status zset_next(vs_rdb_reader *r);

static vs_status zset_score(vs_rdb_reader *r) {
    uint8_t n = r->stage[0];
    if (n >= 253) return zset_next(r);
    return span(r, NULL, n, zset_next);
}

static vs_status zset_member(vs_rdb_reader *r) { return want(r, 1, zset_score); }

static vs_status zset_next(vs_rdb_reader *r) {
    if (r->count[0] == 0) return key_done(r);
    r->count[0]--;
    return read_str(r, 0, zset_member);
}

/* ZSET_2: (string, 8-byte double). */
static vs_status zset2_next(vs_rdb_reader *r);

static vs_status zset2_member(vs_rdb_reader *r) { return want(r, 8, zset2_next); }

static vs_status zset2_next(vs_rdb_reader *r) {
    if (r->count[0] == 0) return key_done(r);
    r->count[0]--;
    return read_str(r, 0, zset2_member);
}

static vs_status zset_count(vs_rdb_reader *r) {
    if (plain_len(r) != VS_OK) return VS_ERR_CORRUPT;
    r->count[0] = r->len;
    return r->type == VS_RDB_TYPE_ZSET ? zset_next(r) : zset2_next(r);
}

/* Streams (STREAM_LISTPACKS 1, 2, 3), as Redis 7.2's rdbLoadObject reads
 * them: listpack nodes (master id, listpack), the length and last id
 * (version 2 on: first id, max deleted id, entries added), then consumer
 * groups: name, last id (2 on: offset), the group's PEL (16-byte id,
 * 8-byte delivery time, delivery count), consumers: name, seen time (3
 * on: active time), their PEL (16-byte ids). */
static vs_status st_cg_next(vs_rdb_reader *r);
static vs_status st_cons_next(vs_rdb_reader *r);

static vs_status st_cpel_next(vs_rdb_reader *r) {
    if (r->count[2] == 0) return st_cons_next(r);
    r->count[2]--;
    return want(r, 16, st_cpel_next);
}

static vs_status st_cpel_count(vs_rdb_reader *r) {
    if (plain_len(r) != VS_OK) return VS_ERR_CORRUPT;
    r->count[2] = r->len;
    return st_cpel_next(r);
}

static vs_status st_cons_times(vs_rdb_reader *r) { return read_len(r, st_cpel_count); }

static vs_status st_cons_name(vs_rdb_reader *r) {
    return want(r, r->type >= VS_RDB_TYPE_STREAM_LISTPACKS_3 ? 16 : 8, st_cons_times);
}

static vs_status st_cons_next(vs_rdb_reader *r) {
    if (r->count[1] == 0) return st_cg_next(r);
    r->count[1]--;
    return read_str(r, 0, st_cons_name);
}

static vs_status st_cons_count(vs_rdb_reader *r) {
    if (plain_len(r) != VS_OK) return VS_ERR_CORRUPT;
    r->count[1] = r->len;
    return st_cons_next(r);
}

static vs_status st_pel_next(vs_rdb_reader *r);

static vs_status st_pel_dcount(vs_rdb_reader *r) {
    if (plain_len(r) != VS_OK) return VS_ERR_CORRUPT;
    return st_pel_next(r);
}

static vs_status st_pel_time(vs_rdb_reader *r) { return read_len(r, st_pel_dcount); }

static vs_status st_pel_id(vs_rdb_reader *r) { return want(r, 8, st_pel_time); }

static vs_status st_pel_next(vs_rdb_reader *r) {
    if (r->count[1] == 0) return read_len(r, st_cons_count);
    r->count[1]--;
    return want(r, 16, st_pel_id);
}

static vs_status st_pel_count(vs_rdb_reader *r) {
    if (plain_len(r) != VS_OK) return VS_ERR_CORRUPT;
    r->count[1] = r->len;
    return st_pel_next(r);
}

static vs_status st_cg_meta(vs_rdb_reader *r) {
    if (plain_len(r) != VS_OK) return VS_ERR_CORRUPT;
    if (r->count[1] == 0) return read_len(r, st_pel_count);
    r->count[1]--;
    return read_len(r, st_cg_meta);
}

static vs_status st_cg_name(vs_rdb_reader *r) {
    /* The group's last id (two lengths), and from version 2 its offset. */
    r->count[1] = (r->type >= VS_RDB_TYPE_STREAM_LISTPACKS_2 ? 3 : 2) - 1;
    return read_len(r, st_cg_meta);
}

static vs_status st_cg_next(vs_rdb_reader *r) {
    if (r->count[0] == 0) return key_done(r);
    r->count[0]--;
    return read_str(r, 0, st_cg_name);
}

static vs_status st_cg_count(vs_rdb_reader *r) {
    if (plain_len(r) != VS_OK) return VS_ERR_CORRUPT;
    r->count[0] = r->len;
    return st_cg_next(r);
}

static vs_status st_meta(vs_rdb_reader *r) {
    if (plain_len(r) != VS_OK) return VS_ERR_CORRUPT;
    if (r->count[0] == 0) return read_len(r, st_cg_count);
    r->count[0]--;
    return read_len(r, st_meta);
}

static vs_status st_node_next(vs_rdb_reader *r);

static vs_status st_node_id(vs_rdb_reader *r) { return read_str(r, 0, st_node_next); }

static vs_status st_node_next(vs_rdb_reader *r) {
    if (r->count[0] == 0) {
        /* length, last id; from version 2: first id, max deleted id, entries added */
        r->count[0] = (r->type >= VS_RDB_TYPE_STREAM_LISTPACKS_2 ? 8 : 3) - 1;
        return read_len(r, st_meta);
    }
    r->count[0]--;
    return read_str(r, 0, st_node_id);
}

static vs_status st_node_count(vs_rdb_reader *r) {
    if (plain_len(r) != VS_OK) return VS_ERR_CORRUPT;
    r->count[0] = r->len;
    return st_node_next(r);
}

/* Module values (MODULE_2, MODULE_AUX): the module serialization's
 * opcodes until its EOF: SINT/UINT (a length), FLOAT (4 bytes), DOUBLE (8
 * bytes), STRING (a string). */
static vs_status mod_op(vs_rdb_reader *r);

static vs_status mod_after(vs_rdb_reader *r) { return read_len(r, mod_op); }

static vs_status mod_int(vs_rdb_reader *r) {
    if (plain_len(r) != VS_OK) return VS_ERR_CORRUPT;
    return mod_after(r);
}

static vs_status mod_op(vs_rdb_reader *r) {
    if (plain_len(r) != VS_OK) return VS_ERR_CORRUPT;
    switch (r->len) {
    case 0: { /* EOF */
        step_fn next = r->mod_next;
        return next(r);
    }
    case 1:
    case 2: return read_len(r, mod_int);
    case 3: return want(r, 4, mod_after);
    case 4: return want(r, 8, mod_after);
    case 5: return read_str(r, 0, mod_after);
    default: return bad(r, "a module value has an unknown opcode %llu", (unsigned long long)r->len);
    }
}

static vs_status mod2_id(vs_rdb_reader *r) {
    if (plain_len(r) != VS_OK) return VS_ERR_CORRUPT;
    r->mod_next = key_done;
    return read_len(r, mod_op);
}

/* ---- keys ------------------------------------------------------------------------ */

static vs_status key_name(vs_rdb_reader *r) {
    rbuf_swap(&r->s, &r->key);
    switch (r->type) {
    case VS_RDB_TYPE_STRING: return read_str(r, r->keep, val_string);
    case VS_RDB_TYPE_HASH: return read_len(r, hash_count);
    case VS_RDB_TYPE_HASH_ZIPMAP:
    case VS_RDB_TYPE_HASH_ZIPLIST:
    case VS_RDB_TYPE_HASH_LISTPACK: return read_str(r, r->keep, hash_blob);
    case VS_RDB_TYPE_LIST:
    case VS_RDB_TYPE_SET:
    case VS_RDB_TYPE_LIST_QUICKLIST: return read_len(r, strings_count);
    case VS_RDB_TYPE_LIST_QUICKLIST_2: return read_len(r, ql2_count);
    case VS_RDB_TYPE_ZSET:
    case VS_RDB_TYPE_ZSET_2: return read_len(r, zset_count);
    case VS_RDB_TYPE_LIST_ZIPLIST:
    case VS_RDB_TYPE_SET_INTSET:
    case VS_RDB_TYPE_ZSET_ZIPLIST:
    case VS_RDB_TYPE_ZSET_LISTPACK:
    case VS_RDB_TYPE_SET_LISTPACK: return read_str(r, 0, key_done);
    case VS_RDB_TYPE_STREAM_LISTPACKS:
    case VS_RDB_TYPE_STREAM_LISTPACKS_2:
    case VS_RDB_TYPE_STREAM_LISTPACKS_3: return read_len(r, st_node_count);
    default: /* VS_RDB_TYPE_MODULE_2 */ return read_len(r, mod2_id);
    }
}

/* The statistic a key of this type counts in when it is skipped. */
static int type_bucket(int t) {
    switch (t) {
    case VS_RDB_TYPE_LIST:
    case VS_RDB_TYPE_LIST_ZIPLIST:
    case VS_RDB_TYPE_LIST_QUICKLIST:
    case VS_RDB_TYPE_LIST_QUICKLIST_2: return VS_RDB_STAT_LISTS;
    case VS_RDB_TYPE_SET:
    case VS_RDB_TYPE_SET_INTSET:
    case VS_RDB_TYPE_SET_LISTPACK: return VS_RDB_STAT_SETS;
    case VS_RDB_TYPE_ZSET:
    case VS_RDB_TYPE_ZSET_2:
    case VS_RDB_TYPE_ZSET_ZIPLIST:
    case VS_RDB_TYPE_ZSET_LISTPACK: return VS_RDB_STAT_ZSETS;
    case VS_RDB_TYPE_STREAM_LISTPACKS:
    case VS_RDB_TYPE_STREAM_LISTPACKS_2:
    case VS_RDB_TYPE_STREAM_LISTPACKS_3: return VS_RDB_STAT_STREAMS;
    case VS_RDB_TYPE_MODULE_2: return VS_RDB_STAT_MODULES;
    default: return -1; /* held: hashes and strings */
    }
}

static vs_status key_start(vs_rdb_reader *r, int t) {
    if (t > VS_RDB_TYPE_STREAM_LISTPACKS_3 || t == 8)
        return bad(r, "unknown value type %d (a newer format, or damage)", t);
    if (t == VS_RDB_TYPE_MODULE_PRE_GA)
        return bad(r, "a module value in the pre-release format of Redis 4.0 release candidates cannot be read");
    r->type = t;
    r->keep = 0;
    if (r->dbid >= r->ndbs)
        r->bucket = VS_RDB_STAT_OTHER_DB;
    else if (r->expire != VS_NO_EXPIRE && r->expire <= r->now)
        r->bucket = VS_RDB_STAT_EXPIRED;
    else
        r->bucket = type_bucket(t);
    r->keep = r->bucket < 0;
    return read_str(r, r->keep, key_name);
}

static vs_status key_done(vs_rdb_reader *r) {
    if (!r->keep) r->stats[r->bucket]++;
    r->expire = VS_NO_EXPIRE;
    r->keep = 0;
    drop_fields(r);
    /* Keep no megabyte buffer of one large value for the rest of the file. */
    if (r->s.cap > 1 << 20) rbuf_free(&r->s);
    if (r->fld.cap > 1 << 20) rbuf_free(&r->fld);
    return op_next(r);
}

/* ---- opcodes ---------------------------------------------------------------------- */

static vs_status op_type(vs_rdb_reader *r);

static vs_status op_next(vs_rdb_reader *r) { return want(r, 1, op_type); }

static vs_status op_len(vs_rdb_reader *r) {
    if (plain_len(r) != VS_OK) return VS_ERR_CORRUPT;
    return op_next(r);
}

static vs_status op_select(vs_rdb_reader *r) {
    if (plain_len(r) != VS_OK) return VS_ERR_CORRUPT;
    r->dbid = r->len;
    return op_next(r);
}

static vs_status op_expire_s(vs_rdb_reader *r) {
    r->expire = (int64_t)(int32_t)vs_le_get32(r->stage) * 1000;
    return op_next(r);
}

static vs_status op_expire_ms(vs_rdb_reader *r) {
    r->expire = (int64_t)vs_le_get64(r->stage);
    return op_next(r);
}

static vs_status op_lens(vs_rdb_reader *r) {
    if (plain_len(r) != VS_OK) return VS_ERR_CORRUPT;
    if (r->count[0] == 0) return op_next(r);
    r->count[0]--;
    return read_len(r, op_lens);
}

static vs_status op_aux_key(vs_rdb_reader *r) { return read_str(r, 0, op_next); }

static vs_status op_modaux_when(vs_rdb_reader *r) {
    if (plain_len(r) != VS_OK) return VS_ERR_CORRUPT;
    r->mod_next = op_next;
    return read_len(r, mod_op);
}

static vs_status op_modaux_whenop(vs_rdb_reader *r) {
    if (plain_len(r) != VS_OK) return VS_ERR_CORRUPT;
    if (r->len != 2) return bad(r, "module aux data without its 'when' field");
    return read_len(r, op_modaux_when);
}

static vs_status op_modaux_id(vs_rdb_reader *r) {
    if (plain_len(r) != VS_OK) return VS_ERR_CORRUPT;
    return read_len(r, op_modaux_whenop);
}

static vs_status op_sum(vs_rdb_reader *r) {
    uint64_t sum = vs_le_get64(r->stage);
    r->done = 1;
    /* 0: the writer had checksums off (rdbchecksum no). */
    if (sum != 0 && sum != r->crc)
        return bad(r, "checksum mismatch (the file says %016llx, its bytes give %016llx)", (unsigned long long)sum,
                   (unsigned long long)r->crc);
    return VS_OK;
}

static vs_status op_type(vs_rdb_reader *r) {
    int t = r->stage[0];
    switch (t) {
    case VS_RDB_OP_EOF:
        if (r->version < 5) {
            r->done = 1;
            return VS_OK;
        }
        r->in_sum = 1;
        return want(r, 8, op_sum);
    case VS_RDB_OP_SELECTDB: return read_len(r, op_select);
    case VS_RDB_OP_EXPIRETIME: return want(r, 4, op_expire_s);
    case VS_RDB_OP_EXPIRETIME_MS: return want(r, 8, op_expire_ms);
    case VS_RDB_OP_RESIZEDB: r->count[0] = 1; return read_len(r, op_lens);
    case VS_RDB_OP_SLOT_INFO: r->count[0] = 2; return read_len(r, op_lens);
    case VS_RDB_OP_AUX: return read_str(r, 0, op_aux_key);
    case VS_RDB_OP_FREQ: return want(r, 1, op_next);
    case VS_RDB_OP_IDLE: return read_len(r, op_len);
    case VS_RDB_OP_MODULE_AUX: return read_len(r, op_modaux_id);
    case VS_RDB_OP_FUNCTION2: r->stats[VS_RDB_STAT_FUNCTIONS]++; return read_str(r, 0, op_next);
    case VS_RDB_OP_FUNCTION_PRE_GA:
        return bad(r, "functions in the pre-release format of Redis 7.0 release candidates cannot be read");
    default: return key_start(r, t);
    }
}

static vs_status header(vs_rdb_reader *r) {
    if (memcmp(r->stage, VS_RDB_MAGIC, 5) != 0) return bad(r, "not an RDB file (no REDIS signature)");
    int v = 0;
    for (int i = 5; i < 9; i++) {
        if (r->stage[i] < '0' || r->stage[i] > '9') return bad(r, "the version after the signature is not a number");
        v = v * 10 + (r->stage[i] - '0');
    }
    if (v < 1 || v > VS_RDB_MAX_VERSION)
        return bad(r, "RDB version %d is not supported (this engine reads versions 1 to %d)", v, VS_RDB_MAX_VERSION);
    r->version = v;
    r->stats[VS_RDB_STAT_VERSION] = (uint64_t)v;
    return op_next(r);
}

/* ---- feeding -------------------------------------------------------------------- */

/* Run the machine over p[0..n): complete pending reads, run their steps. */
static vs_status run(vs_rdb_reader *r, const uint8_t *p, size_t n) {
    size_t u = 0, mark = 0;
    uint64_t base = r->pos;
    vs_status st = VS_OK;
    for (;;) {
        if (r->span) {
            if (r->span_have < r->span_need) {
                if (u == n) break;
                uint64_t rest = r->span_need - r->span_have;
                size_t k = rest < n - u ? (size_t)rest : n - u;
                if (r->span == 1) {
                    rbuf *b = r->dst;
                    if (b->len + k > b->cap) {
                        /* Grow with the bytes that came, doubling, never
                         * past the string's length. */
                        size_t twice = b->cap <= SIZE_MAX / 2 ? b->cap * 2 : SIZE_MAX;
                        size_t want_cap = twice > b->len + k ? twice : b->len + k;
                        if (want_cap < 64) want_cap = 64;
                        if (want_cap > r->span_need) want_cap = (size_t)r->span_need;
                        if (!rbuf_reserve(b, want_cap)) {
                            st = VS_ERR_NOMEM;
                            break;
                        }
                    }
                    memcpy(b->p + b->len, p + u, k);
                    b->len += k;
                }
                r->span_have += k;
                u += k;
                continue;
            }
        } else if (r->have < r->need) {
            if (u == n) break;
            size_t k = r->need - r->have < n - u ? r->need - r->have : n - u;
            memcpy(r->stage + r->have, p + u, k);
            r->have += k;
            u += k;
            continue;
        }
        step_fn next = r->next;
        if (!next) break; /* done */
        r->next = NULL;
        r->span = 0;
        r->need = r->have = 0;
        r->span_need = r->span_have = 0;
        r->pos = base + u;
        int summing = !r->in_sum;
        st = next(r);
        if (summing && r->in_sum) {
            /* The end marker was the last byte summed. */
            r->crc = vs_crc64(r->crc, p + mark, u - mark);
            mark = u;
        }
        if (st != VS_OK) break;
    }
    if (!r->in_sum) r->crc = vs_crc64(r->crc, p + mark, u - mark);
    r->pos = base + u;
    if (st == VS_OK && u < n) return bad(r, "data after the end of the file");
    return st;
}

vs_status vs_rdb_read_begin(uint64_t size, int64_t now_ms, uint32_t ndbs, vs_rdb_reader **out, vs_err *err) {
    vs_rdb_reader *r = vs_calloc(1, sizeof *r);
    if (r) r->dbs = vs_calloc(ndbs ? ndbs : 1, sizeof *r->dbs);
    if (!r || !r->dbs) {
        vs_free(r);
        return vs_err_set(err, VS_ERR_NOMEM, "OOM out of memory loading the RDB file");
    }
    r->ndbs = ndbs;
    r->size = size;
    r->now = now_ms;
    r->expire = VS_NO_EXPIRE;
    want(r, 9, header);
    *out = r;
    return VS_OK;
}

vs_status vs_rdb_read_feed(vs_rdb_reader *r, const uint8_t *p, size_t n, vs_err *err) {
    if (r->failed) return vs_err_set(err, r->failed, "%s", r->msg);
    if (r->size && n > r->size - r->consumed) {
        r->pos = r->consumed;
        return fail(r, err, bad(r, "the file is longer than its declared size"));
    }
    r->consumed += n;
    r->stats[VS_RDB_STAT_BYTES] = r->consumed;
    vs_status st = run(r, p, n);
    return st == VS_OK ? VS_OK : fail(r, err, st);
}

uint64_t vs_rdb_read_stat(const vs_rdb_reader *r, int which) {
    return which >= 0 && which < VS_RDB_STAT_N ? r->stats[which] : 0;
}

void vs_rdb_read_abort(vs_rdb_reader *r) {
    if (!r) return;
    drop_fields(r);
    vs_free(r->fields);
    rbuf_free(&r->s);
    rbuf_free(&r->z);
    rbuf_free(&r->key);
    rbuf_free(&r->fld);
    for (uint32_t d = 0; d < r->ndbs; d++) {
        vs_store_free(r->dbs[d].store);
        vs_free(r->dbs[d].exp);
    }
    vs_free(r->dbs);
    vs_free(r);
}

/* The keys are all read: place each database's keys, set their times, and
 * define in each new store every index the engine's database of its
 * number has (each backfills over the keys), with its aliases; a database the file lacks
 * gets an empty store with its indexes, so every database the engine has
 * is replaced. */
static vs_status finish(vs_rdb_reader *r, vs_engine *eng, vs_err *err) {
    vs_status st = VS_OK;
    vs_store *into;
    for (uint32_t d = 0; d < r->ndbs && st == VS_OK; d++) {
        rdb_db *db = &r->dbs[d];
        if (db->store) {
            db->made = !vs_engine_db_if(eng, d);
            st = vs_engine_db(eng, d, &into);
            if (st != VS_OK) db->made = 0;
        } else if (vs_engine_db_if(eng, d) && !(db->store = vs_store_new(0))) {
            st = VS_ERR_NOMEM;
        }
    }
    for (uint32_t d = 0; d < r->ndbs && st == VS_OK; d++) {
        rdb_db *db = &r->dbs[d];
        if (!db->store) continue;
        into = vs_engine_db_if(eng, d);
        vs_keyspace *ks = &db->store->ks;
        st = vs_ks_load_place(ks);
        for (uint32_t i = 0; i < db->nexp && st == VS_OK; i++) st = vs_ks_load_expire(ks, db->exp[i].id, db->exp[i].when);
        if (st != VS_OK) return st;
        vs_ks_load_done(ks);
        db->store->search.seed = into->search.seed;
        for (uint32_t i = 0; i < into->search.n; i++) {
            const vs_schema *sc = &into->search.idx[i]->schema;
            size_t *lens = vs_malloc((sc->nargs ? sc->nargs : 1) * sizeof *lens);
            if (!lens) return VS_ERR_NOMEM;
            for (uint32_t a = 0; a < sc->nargs; a++) lens[a] = sc->arglen[a];
            vs_args args = {(const uint8_t *const *)sc->args, lens, 0, (int)sc->nargs};
            vs_ftindex *x = NULL;
            st = vs_search_add(&db->store->search, &args, 0, &x, err);
            vs_free(lens);
            if (st != VS_OK) return st;
            /* Rebuilt over every loaded key, SKIPINITIALSCAN or not: the keys
             * are new to the index, not ones it chose to skip. */
            vs_ftindex_backfill_start(x);
        }
        st = vs_search_alias_copy(&db->store->search, &into->search);
    }
    return st;
}

vs_status vs_rdb_read_end(vs_rdb_reader *r, vs_engine *eng, vs_err *err) {
    vs_status st;
    if (r->failed) {
        st = vs_err_set(err, r->failed, "%s", r->msg);
    } else if (!r->done) {
        r->pos = r->consumed;
        st = fail(r, err,
                  bad(r, r->version ? "truncated (the file ends before its end marker)" : "truncated (no header)"));
    } else if (r->size && r->consumed != r->size) {
        r->pos = r->consumed;
        st = fail(r, err, bad(r, "the file is shorter than its declared size"));
    } else {
        st = finish(r, eng, err);
        if (st == VS_OK) {
            for (uint32_t d = 0; d < r->ndbs; d++)
                if (r->dbs[d].store) vs_store_move(vs_engine_db_if(eng, d), r->dbs[d].store);
        } else {
            /* The databases made for the file go again: nothing changed. */
            for (uint32_t d = 0; d < r->ndbs; d++)
                if (r->dbs[d].made) vs_engine_db_unmake(eng, d);
            if (st == VS_ERR_NOMEM) st = vs_err_set(err, VS_ERR_NOMEM, "OOM out of memory loading the RDB file");
        }
    }
    vs_rdb_read_abort(r);
    return st;
}
