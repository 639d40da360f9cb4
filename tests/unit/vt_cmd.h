/* vt_cmd.h - helpers to run commands through the public ABI in tests and
 * compare exact RESP replies, plus a digest of the whole keyspace used to
 * prove that failed commands change nothing. */
#ifndef VT_CMD_H
#define VT_CMD_H

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/db.h"
#include "../../src/keyspace.h"
#include "../../src/vessel.h"
#include "vt.h"

#define VT_MAX_ARGS 64

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
        argv[argc] = (const uint8_t *)s;
        lens[argc] = strlen(s);
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

/* Caller frees the returned string. */
static inline char *vt_digest(vs_db *db, size_t *len) {
    vs_keyspace *ks = &db->ks;
    uint32_t bound = vs_ks_id_bound(ks);
    vt_item *items = calloc(bound + 1, sizeof *items);
    size_t ni = 0;
    for (uint32_t id = 0; id < bound; id++) {
        vs_kentry *e = vs_ks_by_id(ks, id);
        if (!e) continue;
        vt_buf b = {0};
        vt_buf_item(&b, e->key, e->klen);
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

#endif
