/* client.c - clients' transaction state and the watch registry (see
 * client.h). */
#include "commands/client.h"

#include <string.h>

#include "base/alloc.h"
#include "commands/engine.h"
#include "commands/expiry.h"

/* ---- the registry and its keyspace subscriber ---------------------------- */

static void mark_dirty(vs_clients *reg, vs_client *cl) {
    cl->flags |= VS_CLIENT_DIRTY_CAS;
    /* As Redis 7.0: nothing more to learn from its keys. */
    vs_client_unwatch(reg, cl);
}

static vs_watched *watches(vs_client *cl, uint32_t db, const uint8_t *key, size_t klen) {
    for (uint32_t i = 0; i < cl->nwatched; i++) {
        vs_watched *w = &cl->watched[i];
        if (w->db == db && w->klen == klen && (klen == 0 || memcmp(w->key, key, klen) == 0)) return w;
    }
    return NULL;
}

/* A change to key; `deletes`: the key is gone after it.  The deletion of
 * a key that was already expired when watched is no change (Redis 7.0's
 * touchWatchedKey): its flag is cleared and the client stays clean. */
static void touch(vs_clients *reg, uint32_t db, const uint8_t *key, size_t klen, int deletes) {
    for (vs_client *cl = reg->head; cl && reg->watching; cl = cl->next) {
        vs_watched *w = cl->nwatched ? watches(cl, db, key, klen) : NULL;
        if (!w) continue;
        if (w->expired && deletes)
            w->expired = 0;
        else
            mark_dirty(reg, cl);
    }
}

/* FLUSHALL: the watchers of keys that exist now (before the flush), but
 * for keys already expired when watched (touchAllWatchedKeysInDb). */
static void touch_existing(vs_clients *reg, vs_keyspace *ks, uint32_t db) {
    for (vs_client *cl = reg->head; cl && reg->watching; cl = cl->next) {
        for (uint32_t i = 0; i < cl->nwatched; i++) {
            vs_watched *w = &cl->watched[i];
            if (w->db != db || !vs_ks_find(ks, w->key, w->klen)) continue;
            if (w->expired) {
                w->expired = 0;
                continue;
            }
            mark_dirty(reg, cl);
            break;
        }
    }
}

static vs_status sub_prepare(void *ctx, const vs_change *ch) {
    (void)ctx;
    (void)ch;
    return VS_OK;
}

/* Commit runs before the keyspace applies the change: FLUSHALL still sees
 * the keys it deletes. */
static void sub_commit(void *ctx, const vs_change *ch) {
    vs_clients_tap *t = ctx;
    vs_clients *reg = t->reg;
    uint32_t db = t->db;
    if (!reg->watching) return;
    switch (ch->kind) {
    case VS_CHANGE_HASH: touch(reg, db, ch->key, ch->klen, ch->new_type == VS_TYPE_NONE); break;
    case VS_CHANGE_STRING:
    case VS_CHANGE_EXPIRE: /* EXPIRE, PERSIST ...: Redis touches the key too */
        touch(reg, db, ch->key, ch->klen, 0);
        break;
    case VS_CHANGE_DEL: touch(reg, db, ch->key, ch->klen, 1); break;
    case VS_CHANGE_RENAME:
        touch(reg, db, ch->key, ch->klen, 1);
        touch(reg, db, ch->newkey, ch->newklen, 0);
        break;
    case VS_CHANGE_FLUSH: touch_existing(reg, t->ks, db); break;
    }
}

static void sub_abort(void *ctx, const vs_change *ch) {
    (void)ctx;
    (void)ch;
}

void vs_clients_init(vs_clients *reg) { memset(reg, 0, sizeof *reg); }

void vs_clients_release(vs_clients *reg) {
    while (reg->head) vs_client_release(reg, reg->head);
    memset(reg, 0, sizeof *reg);
}

vs_status vs_clients_tap_init(vs_clients_tap *t, vs_clients *reg, vs_keyspace *ks, uint32_t db) {
    t->reg = reg;
    t->ks = ks;
    t->db = db;
    vs_subscriber sub = {t, sub_prepare, sub_commit, sub_abort};
    vs_status st = vs_ks_subscribe(ks, &sub);
    if (st != VS_OK) t->ks = NULL;
    return st;
}

void vs_clients_tap_release(vs_clients_tap *t) {
    if (t->ks) vs_ks_unsubscribe(t->ks, t);
    t->ks = NULL;
}

/* A key's logical expiry in a keyspace, as the engine sees it now. */
static int expired_in(const vs_engine *eng, vs_keyspace *ks, const vs_kentry *e) {
    return e && vs_expire_hidden_in(eng, ks, e);
}

/* Redis 7.0's touchAllWatchedKeysInDb(emptied, replaced_with) for SWAPDB:
 * the watchers of keys of database `db` (keyspace `emptied`) when its
 * contents are replaced by `with`'s. */
static void touch_replaced(vs_clients *reg, const vs_engine *eng, uint32_t db, vs_keyspace *emptied,
                           vs_keyspace *with) {
    for (vs_client *cl = reg->head; cl && reg->watching; cl = cl->next) {
        for (uint32_t i = 0; i < cl->nwatched; i++) {
            vs_watched *w = &cl->watched[i];
            if (w->db != db) continue;
            const vs_kentry *old = vs_ks_find(emptied, w->key, w->klen);
            const vs_kentry *rep = vs_ks_find(with, w->key, w->klen);
            if (!old && !rep) continue;
            if (w->expired) {
                if (!rep) {
                    w->expired = 0; /* an expired key gone: no change */
                    continue;
                }
                if (expired_in(eng, with, rep)) continue; /* expired stays expired */
            } else if (!old && expired_in(eng, with, rep)) {
                w->expired = 1; /* nothing replaced by an expired key */
                continue;
            }
            mark_dirty(reg, cl);
            break;
        }
    }
}

void vs_clients_touch_swap(vs_clients *reg, const vs_engine *eng, uint32_t a, vs_keyspace *ka, uint32_t b,
                           vs_keyspace *kb) {
    if (!reg->watching) return;
    touch_replaced(reg, eng, a, ka, kb);
    touch_replaced(reg, eng, b, kb, ka);
}

void vs_clients_touch_all(vs_clients *reg) {
    for (vs_client *cl = reg->head; cl && reg->watching; cl = cl->next)
        if (cl->nwatched) mark_dirty(reg, cl);
}

/* ---- one client ------------------------------------------------------------ */

void vs_client_init(vs_clients *reg, vs_client *cl) {
    memset(cl, 0, sizeof *cl);
    cl->next = reg->head;
    if (reg->head) reg->head->prev = cl;
    reg->head = cl;
}

static void free_queue(vs_client *cl) {
    for (uint32_t i = 0; i < cl->nqueue; i++) vs_free(cl->queue[i].argv);
    vs_free(cl->queue);
    cl->queue = NULL;
    cl->nqueue = cl->qcap = 0;
    cl->qflags = 0;
}

void vs_client_release(vs_clients *reg, vs_client *cl) {
    vs_client_discard(reg, cl);
    vs_free(cl->watched);
    if (cl->prev) cl->prev->next = cl->next;
    else reg->head = cl->next;
    if (cl->next) cl->next->prev = cl->prev;
    cl->prev = cl->next = NULL;
    cl->watched = NULL;
    cl->wcap = 0;
}

vs_status vs_client_queue(vs_client *cl, const vs_command *cmd, int argc, const uint8_t *const *argv,
                          const size_t *lens) {
    if (cl->flags & (VS_CLIENT_DIRTY_CAS | VS_CLIENT_DIRTY_EXEC)) return VS_OK;
    if (cl->nqueue == cl->qcap) {
        uint32_t cap = cl->qcap ? cl->qcap * 2 : 4;
        vs_queued *q = vs_realloc(cl->queue, (size_t)cap * sizeof *q);
        if (!q) return VS_ERR_NOMEM;
        cl->queue = q;
        cl->qcap = cap;
    }
    size_t bytes = (size_t)argc * (sizeof(uint8_t *) + sizeof(size_t));
    for (int i = 0; i < argc; i++) bytes += lens[i];
    uint8_t *block = vs_malloc(bytes ? bytes : 1);
    if (!block) return VS_ERR_NOMEM;
    vs_queued *q = &cl->queue[cl->nqueue];
    q->cmd = cmd;
    q->argc = argc;
    q->argv = (const uint8_t **)(void *)block;
    q->lens = (size_t *)(void *)(block + (size_t)argc * sizeof(uint8_t *));
    uint8_t *p = block + (size_t)argc * (sizeof(uint8_t *) + sizeof(size_t));
    for (int i = 0; i < argc; i++) {
        if (lens[i]) memcpy(p, argv[i], lens[i]);
        q->argv[i] = p;
        q->lens[i] = lens[i];
        p += lens[i];
    }
    cl->nqueue++;
    cl->qflags |= cmd->flags;
    return VS_OK;
}

void vs_client_discard(vs_clients *reg, vs_client *cl) {
    free_queue(cl);
    cl->flags &= ~(uint32_t)(VS_CLIENT_MULTI | VS_CLIENT_DIRTY_CAS | VS_CLIENT_DIRTY_EXEC);
    vs_client_unwatch(reg, cl);
}

vs_status vs_client_watch(vs_clients *reg, vs_client *cl, const uint8_t *key, size_t klen, int expired) {
    if (watches(cl, cl->db, key, klen)) return VS_OK;
    if (cl->nwatched == cl->wcap) {
        uint32_t cap = cl->wcap ? cl->wcap * 2 : 4;
        vs_watched *w = vs_realloc(cl->watched, (size_t)cap * sizeof *w);
        if (!w) return VS_ERR_NOMEM;
        cl->watched = w;
        cl->wcap = cap;
    }
    uint8_t *copy = vs_malloc(klen ? klen : 1);
    if (!copy) return VS_ERR_NOMEM;
    if (klen) memcpy(copy, key, klen);
    cl->watched[cl->nwatched++] = (vs_watched){copy, klen, cl->db, expired};
    reg->watching++;
    return VS_OK;
}

void vs_client_unwatch_from(vs_clients *reg, vs_client *cl, uint32_t n) {
    if (n >= cl->nwatched) return;
    for (uint32_t i = n; i < cl->nwatched; i++) vs_free(cl->watched[i].key);
    reg->watching -= cl->nwatched - n;
    cl->nwatched = n;
}

void vs_client_unwatch(vs_clients *reg, vs_client *cl) { vs_client_unwatch_from(reg, cl, 0); }

int vs_client_watched_key_expired(const vs_client *cl, const vs_engine *eng) {
    for (uint32_t i = 0; i < cl->nwatched; i++) {
        const vs_watched *w = &cl->watched[i];
        if (w->expired) continue; /* expired when watched: no change */
        vs_store *s = vs_engine_db_if(eng, w->db);
        const vs_kentry *e = s ? vs_ks_find(&s->ks, w->key, w->klen) : NULL;
        if (e && vs_expire_hidden_in(eng, &s->ks, e)) return 1;
    }
    return 0;
}
