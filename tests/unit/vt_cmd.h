/* vt_cmd.h - helpers to run commands through the public ABI in tests and
 * compare exact RESP replies, plus a digest of the whole keyspace used to
 * prove that failed commands change nothing. */
#ifndef VT_CMD_H
#define VT_CMD_H

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/abi/db.h"
#include "../../src/data/expires.h"
#include "../../src/data/keyspace.h"
#include "../../src/abi/vessel.h"
#include "vt.h"

#define VT_MAX_ARGS 64

/* Binary arguments: vt_blob(i, ...) registers bytes that an argument
 * spelled VT_BLOB(i) stands for (C strings cannot hold NUL bytes). */
static uint8_t vt_blobs[8][65536];
static size_t vt_blob_len[8];
#define VT_BLOB(i) ("\x01" #i)
static inline const char *vt_blob(int i, const float *v, size_t n) {
    memcpy(vt_blobs[i], v, n * sizeof(float));
    vt_blob_len[i] = n * sizeof(float);
    return i == 0 ? VT_BLOB(0) : i == 1 ? VT_BLOB(1) : VT_BLOB(2);
}

/* Run a command given as C strings (NULL-terminated list); returns the
 * status and leaves the reply in the db. */
static inline int vt_run(vs_db *db, ...) {
    const uint8_t *argv[VT_MAX_ARGS];
    size_t lens[VT_MAX_ARGS];
    int argc = 0;
    va_list ap;
    va_start(ap, db);
    const char *s;
    while ((s = va_arg(ap, const char *)) != NULL && argc < VT_MAX_ARGS) {
        if (s[0] == 1 && s[1] >= '0' && s[1] <= '7' && s[2] == 0) {
            argv[argc] = vt_blobs[s[1] - '0'];
            lens[argc] = vt_blob_len[s[1] - '0'];
        } else {
            argv[argc] = (const uint8_t *)s;
            lens[argc] = strlen(s);
        }
        argc++;
    }
    va_end(ap);
    return vs_exec(db, argc, argv, lens, 2);
}

/* Expect the reply of a command (args: C strings, NULL-terminated). */
#define VT_CMD(db, expected, ...)                                  \
    do {                                                           \
        vt_run((db), __VA_ARGS__, (const char *)NULL);             \
        VT_EQ_MEM(vs_reply_data(db), vs_reply_len(db), (expected)); \
    } while (0)

/* A canonical dump of the keyspace: keys sorted, fields sorted. */
typedef struct vt_buf {
    char *p;
    size_t n, cap;
} vt_buf;

static inline void vt_buf_put(vt_buf *b, const void *p, size_t n) {
    if (b->n + n + 1 > b->cap) {
        b->cap = (b->n + n + 1) * 2;
        b->p = realloc(b->p, b->cap);
    }
    memcpy(b->p + b->n, p, n);
    b->n += n;
    b->p[b->n] = 0;
}

static inline void vt_buf_item(vt_buf *b, const void *p, size_t n) {
    char hdr[32];
    int k = snprintf(hdr, sizeof hdr, "%zu:", n);
    vt_buf_put(b, hdr, (size_t)k);
    vt_buf_put(b, p, n);
}

typedef struct vt_item {
    char *s;
    size_t n;
} vt_item;

static inline int vt_item_cmp(const void *a, const void *b) {
    const vt_item *x = a, *y = b;
    size_t n = x->n < y->n ? x->n : y->n;
    int c = memcmp(x->s, y->s, n);
    if (c) return c;
    return (x->n > y->n) - (x->n < y->n);
}

/* Caller frees the returned string.  Keys expired at the engine's clock
 * are left out: they are gone for every reader, deleted or not yet. */
static inline char *vt_digest(vs_db *db, size_t *len) {
    vs_keyspace *ks = &db->eng.store->ks;
    uint32_t bound = vs_ks_id_bound(ks);
    vt_item *items = calloc(bound + 1, sizeof *items);
    size_t ni = 0;
    for (uint32_t id = 0; id < bound; id++) {
        vs_kentry *e = vs_ks_by_id(ks, id);
        if (!e || vs_exp_expired(ks, e, db->eng.now)) continue;
        vt_buf b = {0};
        vt_buf_item(&b, e->key, e->klen);
        if (e->xpos) { /* the expiry time is part of the key's state */
            char t[32];
            int k = snprintf(t, sizeof t, "@%lld", (long long)vs_exp_of(ks, e));
            vt_buf_put(&b, t, (size_t)k);
        }
        if (e->type == VS_TYPE_STRING) {
            vt_buf_put(&b, "S", 1);
            vt_buf_item(&b, e->v.str->data, e->v.str->len);
        } else {
            vs_hash *h = e->v.hash;
            vt_item *fs = calloc(h->n + 1, sizeof *fs);
            for (uint32_t i = 0; i < h->n; i++) {
                vt_buf fb = {0};
                vt_buf_item(&fb, vs_hfield_name(h->f[i]), h->f[i]->flen);
                vt_buf_item(&fb, vs_hfield_value(h->f[i]), h->f[i]->vlen);
                fs[i].s = fb.p;
                fs[i].n = fb.n;
            }
            qsort(fs, h->n, sizeof *fs, vt_item_cmp);
            vt_buf_put(&b, "H", 1);
            for (uint32_t i = 0; i < h->n; i++) {
                vt_buf_put(&b, fs[i].s, fs[i].n);
                free(fs[i].s);
            }
            free(fs);
        }
        items[ni].s = b.p;
        items[ni].n = b.n;
        ni++;
    }
    qsort(items, ni, sizeof *items, vt_item_cmp);
    vt_buf out = {0};
    vt_buf_put(&out, "", 0);
    for (size_t i = 0; i < ni; i++) {
        vt_buf_item(&out, items[i].s, items[i].n);
        free(items[i].s);
    }
    free(items);
    *len = out.n;
    return out.p;
}

/* The last reply as compact text: arrays as [a,b], integers as numbers,
 * bulk and simple strings as their bytes (non-printable bytes as \xNN),
 * nil as (nil), errors as !text.  Makes expectations readable. */
static inline size_t vt_text_at(const char *r, size_t len, size_t pos, vt_buf *out) {
    char type = r[pos];
    const char *end = memchr(r + pos, '\r', len - pos);
    long long n = atoll(r + pos + 1);
    size_t next = (size_t)(end - r) + 2;
    switch (type) {
    case ':':
    case '+': vt_buf_put(out, r + pos + 1, (size_t)(end - r - pos - 1)); return next;
    case '-':
        vt_buf_put(out, "!", 1);
        vt_buf_put(out, r + pos + 1, (size_t)(end - r - pos - 1));
        return next;
    case '$':
        if (n < 0) {
            vt_buf_put(out, "(nil)", 5);
            return next;
        }
        for (long long i = 0; i < n; i++) {
            unsigned char c = (unsigned char)r[next + (size_t)i];
            if (c >= 32 && c < 127 && c != '\\') {
                vt_buf_put(out, &c, 1);
            } else {
                char h[8];
                snprintf(h, sizeof h, "\\x%02x", c);
                vt_buf_put(out, h, 4);
            }
        }
        return next + (size_t)n + 2;
    case '*':
        vt_buf_put(out, "[", 1);
        for (long long i = 0; i < n; i++) {
            if (i) vt_buf_put(out, ",", 1);
            next = vt_text_at(r, len, next, out);
        }
        vt_buf_put(out, "]", 1);
        return next;
    }
    return len;
}

/* Run a command and return its reply as text (valid until the next call). */
static inline const char *vt_text(vs_db *db) {
    static vt_buf out;
    out.n = 0;
    vt_buf_put(&out, "", 0);
    vt_text_at((const char *)vs_reply_data(db), vs_reply_len(db), 0, &out);
    return out.p;
}

/* FT.INFO's counters as text (vt_text), from num_docs up to index_memory,
 * with the memory figures in between (the *_mb statistics, which depend on
 * capacities a failed write or a load may leave different) masked as N.
 * Valid until the next call; "" when the index does not exist. */
static inline const char *vt_info_counters(vs_db *db, const char *index) {
    static vt_buf out;
    out.n = 0;
    vt_buf_put(&out, "", 0);
    if (vt_run(db, "FT.INFO", index, (const char *)NULL) != 0) return out.p;
    const char *t = vt_text(db);
    const char *p = strstr(t, "num_docs");
    const char *e = p ? strstr(p, ",index_memory") : NULL;
    if (!p || !e) return out.p;
    while (p < e) {
        const char *c = memchr(p, ',', (size_t)(e - p));
        if (!c) c = e;
        vt_buf_put(&out, p, (size_t)(c - p));
        int mb = (c - p > 3 && !memcmp(c - 3, "_mb", 3)) ||
                 (c - p >= 20 && !memcmp(c - 20, "bytes_per_record_avg", 20)); /* memory figures */
        p = c;
        if (mb && p < e) { /* ",value" -> ",N" */
            const char *v = memchr(p + 1, ',', (size_t)(e - p - 1));
            vt_buf_put(&out, ",N", 2);
            p = v ? v : e;
        }
        if (p < e) {
            vt_buf_put(&out, ",", 1);
            p++;
        }
    }
    vt_buf_put(&out, "", 0);
    out.p[out.n] = 0;
    return out.p;
}

#define VT_TEXT(db, expected, ...)                                                          \
    do {                                                                                    \
        vt_run((db), __VA_ARGS__, (const char *)NULL);                                      \
        const char *got_ = vt_text(db);                                                     \
        vt_checks++;                                                                        \
        if (strcmp(got_, (expected)) != 0)                                                  \
            vt_fail(__FILE__, __LINE__, "got %s\n      expected %s", got_, (expected));     \
    } while (0)

#endif
