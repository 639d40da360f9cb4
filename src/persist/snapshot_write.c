/* snapshot_write.c - writing a snapshot in chunks (see snapshot.h).
 *
 * Each section's payload is a sequence of "pieces": small encoded headers
 * (in a scratch buffer) and spans of live memory (keys, values, the
 * tracked bitmap) copied as they are.  An index section's pieces after
 * its (index, field) positions come from the index (vs_fi_ops.snap_save:
 * vector blocks, the HNSW arena...).  A section's length is found by
 * walking its pieces once without copying, then the pieces are copied
 * into the caller's buffers, so no serialized copy of the store is ever
 * held. */
#include <string.h>

#include "base/alloc.h"
#include "base/checksum.h"
#include "base/le.h"
#include "data/expires.h"
#include "persist/snapshot.h"
#include "query/store.h"

typedef struct section {
    uint32_t type;
    uint32_t index; /* registry position (INDEX and index sections); DB: the number */
    uint32_t field; /* schema position (index sections) */
    vs_store *db;   /* the database it belongs to */
} section;

/* A walk over one section's pieces. */
typedef struct walk {
    const section *sec;
    int phase;
    uint32_t i, j; /* positions within the phase */
    uint8_t scratch[64];
    vs_fi_save fi; /* an index section's walk, after the positions */
} walk;

struct vs_snap_writer {
    const char *version;     /* engine version, for the meta section */
    section *secs;
    uint32_t nsecs;
    uint32_t format;         /* the header's version: 1 unless a database
                                other than 0 is written */
    uint64_t total;          /* snapshot size */
    int state;               /* see write_next */
    uint32_t sec;            /* current section */
    walk w;
    const uint8_t *cur;      /* bytes being copied out */
    size_t left;
    int in_payload;          /* cur belongs to a section payload */
    uint8_t hdr[32];         /* encoded headers and checksums */
    vs_xxh64_state file_hash, sec_hash;
};

enum { W_HEADER, W_SEC_HEAD, W_BODY, W_SEC_SUM, W_END, W_DONE };

static vs_ftindex *index_at(const vs_store *db, uint32_t i) { return db->search.idx[i]; }

/* Next piece of the walk; 0 when the section is complete. */
static int next_piece(vs_snap_writer *wr, walk *w, const uint8_t **p, size_t *n) {
    vs_store *db = w->sec->db;
    uint8_t *s = w->scratch;
    switch (w->sec->type) {
    case VS_SEC_DB:
        if (w->phase++ > 0) return 0;
        vs_le_put32(s, w->sec->index);
        *p = s;
        *n = 4;
        return 1;
    case VS_SEC_META:
        if (w->phase++ > 0) return 0;
        /* One entry: the engine version that wrote the snapshot. */
        vs_le_put32(s, 1);
        vs_le_put32(s + 4, 6);
        memcpy(s + 8, "engine", 6);
        vs_le_put32(s + 14, (uint32_t)strlen(wr->version));
        memcpy(s + 18, wr->version, strlen(wr->version));
        *p = s;
        *n = 18 + strlen(wr->version);
        return 1;
    case VS_SEC_KEYS: {
        const vs_keyspace *ks = &db->ks;
        for (;;) {
            if (w->phase == 0) { /* count */
                vs_le_put64(s, ks->count);
                w->phase = 1;
                w->i = 0;
                *p = s;
                *n = 8;
                return 1;
            }
            if (w->i >= vs_ks_id_bound(ks)) return 0;
            const vs_kentry *e = vs_ks_by_id(ks, w->i);
            if (!e) {
                w->i++;
                continue;
            }
            switch (w->phase) {
            case 1: /* id, type, key length */
                vs_le_put32(s, e->id);
                s[4] = e->type == VS_TYPE_HASH ? VS_SNAP_HASH : VS_SNAP_STRING;
                vs_le_put32(s + 5, e->klen);
                w->phase = 2;
                *p = s;
                *n = 9;
                return 1;
            case 2:
                w->phase = 3;
                w->j = 0;
                *p = e->key;
                *n = e->klen;
                return 1;
            case 3: /* value length, or field count */
                vs_le_put32(s, e->type == VS_TYPE_HASH ? e->v.hash->n : e->v.str->len);
                w->phase = e->type == VS_TYPE_HASH ? 5 : 4;
                *p = s;
                *n = 4;
                return 1;
            case 4:
                w->phase = 1;
                w->i++;
                *p = e->v.str->data;
                *n = e->v.str->len;
                return 1;
            case 5: { /* field header, then the field's name and value */
                const vs_hash *h = e->v.hash;
                if (w->j >= h->n) {
                    w->phase = 1;
                    w->i++;
                    continue;
                }
                const vs_hfield *f = h->f[w->j];
                vs_le_put32(s, f->flen);
                vs_le_put32(s + 4, f->vlen);
                w->phase = 6;
                *p = s;
                *n = 8;
                return 1;
            }
            case 6: { /* the name, then the value (apart in memory: see vs_hfield) */
                const vs_hfield *f = e->v.hash->f[w->j];
                w->phase = 7;
                *p = vs_hfield_name(f);
                *n = f->flen;
                return 1;
            }
            case 7: {
                const vs_hfield *f = e->v.hash->f[w->j++];
                w->phase = 5;
                *p = vs_hfield_value(f);
                *n = f->vlen;
                return 1;
            }
            }
        }
    }
    case VS_SEC_EXPIRES: { /* count, then (id, time) in id order */
        const vs_keyspace *ks = &db->ks;
        if (w->phase == 0) {
            vs_le_put64(s, vs_exp_count(ks));
            w->phase = 1;
            w->i = 0;
            *p = s;
            *n = 8;
            return 1;
        }
        for (; w->i < vs_ks_id_bound(ks); w->i++) {
            const vs_kentry *e = vs_ks_by_id(ks, w->i);
            if (!e || !e->xpos) continue;
            vs_le_put32(s, e->id);
            vs_le_put64(s + 4, (uint64_t)vs_exp_of(ks, e));
            w->i++;
            *p = s;
            *n = 12;
            return 1;
        }
        return 0;
    }
    case VS_SEC_INDEX: {
        const vs_ftindex *x = index_at(db, w->sec->index);
        const vs_schema *sc = &x->schema;
        switch (w->phase) {
        case 0:
            vs_le_put32(s, sc->nargs);
            w->phase = 1;
            w->i = 0;
            *p = s;
            *n = 4;
            return 1;
        case 1:
            if (w->i >= sc->nargs) {
                w->phase = 3;
                return next_piece(wr, w, p, n);
            }
            vs_le_put32(s, sc->arglen[w->i]);
            w->phase = 2;
            *p = s;
            *n = 4;
            return 1;
        case 2:
            w->phase = 1;
            *p = sc->args[w->i];
            *n = sc->arglen[w->i];
            w->i++;
            return 1;
        case 3: /* backfill state and the tracked bitmap */
            s[0] = (uint8_t)x->backfilling;
            vs_le_put32(s + 1, x->bf_cursor);
            vs_le_put32(s + 5, x->bf_end);
            vs_le_put32(s + 9, x->tracked.cap / 64);
            w->phase = 4;
            *p = s;
            *n = 13;
            return 1;
        case 4:
            w->phase = 5;
            *p = (const uint8_t *)x->tracked.w;
            *n = (size_t)x->tracked.cap / 8;
            return 1;
        default: return 0;
        }
    }
    case VS_SEC_ALIASES: { /* count, then (index position, name length, name) per alias */
        const vs_search *rs = &db->search;
        if (w->phase == 0) {
            vs_le_put32(s, rs->nalias);
            w->phase = 1;
            w->i = 0;
            *p = s;
            *n = 4;
            return 1;
        }
        if (w->i >= rs->nalias) return 0;
        const vs_alias *al = &rs->alias[w->i];
        if (w->phase == 1) {
            uint32_t pos = 0;
            while (pos < rs->n && rs->idx[pos] != al->x) pos++;
            vs_le_put32(s, pos);
            vs_le_put32(s + 4, al->len);
            w->phase = 2;
            *p = s;
            *n = 8;
            return 1;
        }
        w->phase = 1;
        w->i++;
        *p = al->name;
        *n = al->len;
        return 1;
    }
    default: { /* an index section: its field's positions, then the index's own pieces */
        const vs_field_index *fi = index_at(db, w->sec->index)->fields[w->sec->field];
        if (w->phase == 0) {
            vs_le_put32(s, w->sec->index);
            vs_le_put32(s + 4, w->sec->field);
            w->phase = 1;
            *p = s;
            *n = 8;
            return 1;
        }
        return fi->ops->snap_save(fi, &w->fi, p, n);
    }
    }
    return 0;
}

static uint64_t section_len(vs_snap_writer *wr, const section *sec) {
    walk w;
    memset(&w, 0, sizeof w);
    w.sec = sec;
    const uint8_t *p;
    size_t n;
    uint64_t len = 0;
    while (next_piece(wr, &w, &p, &n)) len += n;
    return len;
}

/* A database is written when it holds keys or indexes (0 always). */
static int db_written(const vs_store *db, uint32_t num) {
    return db && (num == 0 || db->ks.count || db->search.n);
}

/* The sections of one database. */
static void add_db(vs_snap_writer *wr, vs_store *db, uint32_t num) {
    if (num) wr->secs[wr->nsecs++] = (section){VS_SEC_DB, num, 0, db};
    wr->secs[wr->nsecs++] = (section){VS_SEC_KEYS, 0, 0, db};
    if (vs_exp_count(&db->ks)) wr->secs[wr->nsecs++] = (section){VS_SEC_EXPIRES, 0, 0, db};
    for (uint32_t i = 0; i < db->search.n; i++) wr->secs[wr->nsecs++] = (section){VS_SEC_INDEX, i, 0, db};
    for (uint32_t i = 0; i < db->search.n; i++) {
        const vs_ftindex *x = index_at(db, i);
        for (uint32_t f = 0; f < x->schema.nfields; f++) {
            uint32_t type = vs_snap_section_of(x->fields[f]);
            if (type) wr->secs[wr->nsecs++] = (section){type, i, f, db};
        }
    }
    if (db->search.nalias) wr->secs[wr->nsecs++] = (section){VS_SEC_ALIASES, 0, 0, db};
}

vs_status vs_snap_write_begin(vs_store *const *dbs, uint32_t ndbs, const char *version, vs_snap_writer **out) {
    vs_snap_writer *wr = vs_calloc(1, sizeof *wr);
    if (!wr) return VS_ERR_NOMEM;
    wr->version = version;
    size_t max = 1;
    for (uint32_t d = 0; d < ndbs; d++) {
        if (!db_written(dbs[d], d)) continue;
        max += 4; /* db, keys, expires, aliases */
        for (uint32_t i = 0; i < dbs[d]->search.n; i++) max += 1 + index_at(dbs[d], i)->schema.nfields;
    }
    wr->secs = vs_calloc(max, sizeof *wr->secs);
    if (!wr->secs) {
        vs_free(wr);
        return VS_ERR_NOMEM;
    }
    wr->secs[wr->nsecs++] = (section){VS_SEC_META, 0, 0, dbs[0]};
    for (uint32_t d = 0; d < ndbs; d++) {
        if (!db_written(dbs[d], d)) continue;
        if (d) wr->format = 2; /* a database section: what version 1 readers do not know */
        add_db(wr, dbs[d], d);
    }
    if (!wr->format) wr->format = 1;
    wr->total = VS_SNAP_HEADER_LEN + 12 + 8 + 8; /* header, END section */
    for (uint32_t i = 0; i < wr->nsecs; i++) wr->total += 12 + section_len(wr, &wr->secs[i]) + 8;
    vs_xxh64_init(&wr->file_hash, 0);
    wr->state = W_HEADER;
    *out = wr;
    return VS_OK;
}

uint64_t vs_snap_write_size(const vs_snap_writer *w) { return w->total; }

static void emit(vs_snap_writer *wr, const uint8_t *p, size_t n, int payload) {
    wr->cur = p;
    wr->left = n;
    wr->in_payload = payload;
}

vs_status vs_snap_write_next(vs_snap_writer *wr, uint8_t *buf, size_t cap, size_t *out) {
    size_t done = 0;
    while (done < cap) {
        if (wr->left) {
            size_t k = wr->left < cap - done ? wr->left : cap - done;
            memcpy(buf + done, wr->cur, k);
            if (wr->state != W_DONE) vs_xxh64_update(&wr->file_hash, wr->cur, k);
            if (wr->in_payload) vs_xxh64_update(&wr->sec_hash, wr->cur, k);
            wr->cur += k;
            wr->left -= k;
            done += k;
            continue;
        }
        switch (wr->state) {
        case W_HEADER:
            memcpy(wr->hdr, VS_SNAP_MAGIC, VS_SNAP_MAGIC_LEN);
            vs_le_put32(wr->hdr + 8, wr->format);
            vs_le_put32(wr->hdr + 12, 0);
            emit(wr, wr->hdr, VS_SNAP_HEADER_LEN, 0);
            wr->state = W_SEC_HEAD;
            wr->sec = 0;
            break;
        case W_SEC_HEAD:
            if (wr->sec >= wr->nsecs) {
                wr->state = W_END;
                break;
            }
            vs_le_put32(wr->hdr, wr->secs[wr->sec].type);
            vs_le_put64(wr->hdr + 4, section_len(wr, &wr->secs[wr->sec]));
            emit(wr, wr->hdr, 12, 0);
            memset(&wr->w, 0, sizeof wr->w);
            wr->w.sec = &wr->secs[wr->sec];
            vs_xxh64_init(&wr->sec_hash, wr->secs[wr->sec].type);
            wr->state = W_BODY;
            break;
        case W_BODY: {
            const uint8_t *p;
            size_t n;
            if (next_piece(wr, &wr->w, &p, &n)) {
                emit(wr, p, n, 1);
            } else {
                vs_le_put64(wr->hdr, vs_xxh64_digest(&wr->sec_hash));
                emit(wr, wr->hdr, 8, 0);
                wr->sec++;
                wr->state = W_SEC_HEAD;
            }
            break;
        }
        case W_END: {
            /* END: its payload is the checksum of every byte before it. */
            uint64_t file = vs_xxh64_digest(&wr->file_hash);
            vs_le_put32(wr->hdr, VS_SEC_END);
            vs_le_put64(wr->hdr + 4, 8);
            vs_le_put64(wr->hdr + 12, file);
            vs_le_put64(wr->hdr + 20, vs_xxh64(wr->hdr + 12, 8, VS_SEC_END));
            wr->state = W_DONE;
            emit(wr, wr->hdr, 28, 0);
            break;
        }
        case W_DONE:
            *out = done;
            return VS_OK;
        }
    }
    *out = done;
    return VS_OK;
}

void vs_snap_write_end(vs_snap_writer *wr) {
    if (!wr) return;
    vs_free(wr->secs);
    vs_free(wr);
}
