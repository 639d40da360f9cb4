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

static vs_watched *watches(vs_client *cl, const uint8_t *key, size_t klen) {
    for (uint32_t i = 0; i < cl->nwatched; i++) {
        vs_watched *w = &cl->watched[i];
        if (w->klen == klen && (klen == 0 || memcmp(w->key, key, klen) == 0)) return w;
    }
    return NULL;
}

/* A change to key; `deletes`: the key is gone after it.  The deletion of
 * a key that was already expired when watched is no change (Redis 7.0's
 * touchWatchedKey): its flag is cleared and the client stays clean. */
static void touch(vs_clients *reg, const uint8_t *key, size_t klen, int deletes) {
    for (vs_client *cl = reg->head; cl && reg->watching; cl = cl->next) {
        vs_watched *w = cl->nwatched ? watches(cl, key, klen) : NULL;
        if (!w) continue;
        if (w->expired && deletes)
            w->expired = 0;
        else
            mark_dirty(reg, cl);
    }
}

/* FLUSHALL: the watchers of keys that exist now (before the flush), but
 * for keys already expired when watched (touchAllWatchedKeysInDb). */
static void touch_existing(vs_clients *reg) {
    for (vs_client *cl = reg->head; cl && reg->watching; cl = cl->next) {
        for (uint32_t i = 0; i < cl->nwatched; i++) {
            vs_watched *w = &cl->watched[i];
            if (!vs_ks_find(reg->ks, w->key, w->klen)) continue;
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
    vs_clients *reg = ctx;
    if (!reg->watching) return;
    switch (ch->kind) {
    case VS_CHANGE_HASH: touch(reg, ch->key, ch->klen, ch->new_type == VS_TYPE_NONE); break;
    case VS_CHANGE_STRING:
    case VS_CHANGE_EXPIRE: /* EXPIRE, PERSIST ...: Redis touches the key too */
        touch(reg, ch->key, ch->klen, 0);
        break;
    case VS_CHANGE_DEL: touch(reg, ch->key, ch->klen, 1); break;
    case VS_CHANGE_RENAME:
        touch(reg, ch->key, ch->klen, 1);
        touch(reg, ch->newkey, ch->newklen, 0);
        break;
    case VS_CHANGE_FLUSH: touch_existing(reg); break;
    }
}

static void sub_abort(void *ctx, const vs_change *ch) {
    (void)ctx;
    (void)ch;
}

vs_status vs_clients_init(vs_clients *reg, vs_keyspace *ks) {
    memset(reg, 0, sizeof *reg);
    reg->ks = ks;
    vs_subscriber sub = {reg, sub_prepare, sub_commit, sub_abort};
    return vs_ks_subscribe(ks, &sub);
}

void vs_clients_release(vs_clients *reg) {
    while (reg->head) vs_client_release(reg, reg->head);
    if (reg->ks) vs_ks_unsubscribe(reg->ks, reg);
    memset(reg, 0, sizeof *reg);
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
    if (watches(cl, key, klen)) return VS_OK;
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
    cl->watched[cl->nwatched++] = (vs_watched){copy, klen, expired};
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
        const vs_kentry *e = vs_ks_find((vs_keyspace *)&eng->store.ks, w->key, w->klen);
        if (e && vs_expire_hidden(eng, e)) return 1;
    }
    return 0;
}
