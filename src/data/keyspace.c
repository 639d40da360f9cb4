/* keyspace.c - keys, ids and the change notification point (keyspace.h). */
#include "data/keyspace.h"

#include <string.h>

#include "base/alloc.h"
#include "base/util.h"
#include "data/expires.h"

#define KEY_HASH_SEED 0x5bd1e995u

static int key_eq(const vs_dnode *n, const void *key, size_t klen) {
    const vs_kentry *e = (const vs_kentry *)n;
    return e->klen == klen && memcmp(e->key, key, klen) == 0;
}

static const vs_dict_type key_dict_type = {key_eq};

static uint32_t key_hash(const uint8_t *k, size_t klen) { return vs_hash_bytes(k, klen, KEY_HASH_SEED); }

vs_status vs_ks_init(vs_keyspace *ks) {
    memset(ks, 0, sizeof *ks);
    vs_dict_init(&ks->dict, &key_dict_type);
    return VS_OK;
}

static void free_value(vs_kentry *e) {
    if (e->type == VS_TYPE_HASH)
        vs_hash_free(e->v.hash);
    else
        vs_free(e->v.str);
}

static void free_entry_node(vs_dnode *n, void *arg) {
    (void)arg;
    vs_kentry *e = (vs_kentry *)n;
    free_value(e);
    vs_free(e);
}

void vs_ks_release(vs_keyspace *ks) {
    vs_exp_release(ks);
    vs_dict_clear(&ks->dict, free_entry_node, NULL);
    vs_dict_release(&ks->dict);
    vs_free(ks->slots);
    ks->slots = NULL;
    ks->nslots = ks->cap = ks->free_head = ks->count = 0;
}

void vs_ks_move(vs_keyspace *dst, vs_keyspace *src) {
    vs_ks_release(dst);
    vs_keyspace moved = *src;
    memcpy(moved.subs, dst->subs, sizeof moved.subs);
    moved.nsubs = dst->nsubs;
    *dst = moved;
    /* src's keys are dst's now: src forgets them without freeing them. */
    vs_dict_init(&src->dict, &key_dict_type);
    src->slots = NULL;
    src->nslots = src->cap = src->free_head = src->count = 0;
    src->changes = 0;
    memset(&src->exp, 0, sizeof src->exp);
}

vs_status vs_ks_subscribe(vs_keyspace *ks, const vs_subscriber *s) {
    if (ks->nsubs == VS_KS_MAX_SUBS) return VS_ERR_LIMIT;
    ks->subs[ks->nsubs++] = *s;
    return VS_OK;
}

void vs_ks_unsubscribe(vs_keyspace *ks, void *ctx) {
    for (int i = 0; i < ks->nsubs; i++) {
        if (ks->subs[i].ctx != ctx) continue;
        memmove(&ks->subs[i], &ks->subs[i + 1], (size_t)(ks->nsubs - i - 1) * sizeof ks->subs[0]);
        ks->nsubs--;
        return;
    }
}

vs_kentry *vs_ks_find(vs_keyspace *ks, const uint8_t *key, size_t klen) {
    return (vs_kentry *)vs_dict_find(&ks->dict, key_hash(key, klen), key, klen);
}

size_t vs_ks_entry_mem(const vs_kentry *e) {
    size_t m = sizeof *e + e->klen;
    if (e->type == VS_TYPE_HASH)
        m += vs_hash_mem(e->v.hash);
    else
        m += sizeof(vs_str) + e->v.str->len;
    return m;
}

/* ---- ids ---------------------------------------------------------------- */

/* Double the slot table. */
static vs_status grow_slots(vs_keyspace *ks) {
    if (ks->cap == UINT32_MAX) return VS_ERR_NOMEM;
    uint64_t cap = ks->cap ? (uint64_t)ks->cap * 2 : 64;
    if (cap > UINT32_MAX) cap = UINT32_MAX;
    uintptr_t *s = vs_realloc(ks->slots, (size_t)cap * sizeof *s);
    if (!s) return VS_ERR_NOMEM;
    ks->slots = s;
    ks->cap = (uint32_t)cap;
    return VS_OK;
}

/* Make sure a new id can be taken without allocating. */
static vs_status reserve_id(vs_keyspace *ks) {
    if (ks->free_head || ks->nslots < ks->cap) return VS_OK;
    return grow_slots(ks);
}

static uint32_t peek_id(const vs_keyspace *ks) { return ks->free_head ? ks->free_head - 1 : ks->nslots; }

static uint32_t take_id(vs_keyspace *ks) {
    if (ks->free_head) {
        uint32_t id = ks->free_head - 1;
        ks->free_head = (uint32_t)(ks->slots[id] >> 1);
        return id;
    }
    return ks->nslots++;
}

static void release_id(vs_keyspace *ks, uint32_t id) {
    ks->slots[id] = ((uintptr_t)ks->free_head << 1) | 1u;
    ks->free_head = id + 1;
}

/* ---- entries ------------------------------------------------------------ */

vs_kentry *vs_ks_entry_new(const uint8_t *key, size_t klen, vs_type type) {
    if (klen > UINT32_MAX) return NULL;
    vs_kentry *e = vs_malloc(sizeof *e + klen);
    if (!e) return NULL;
    memset(e, 0, sizeof *e);
    e->klen = (uint32_t)klen;
    e->type = (uint8_t)type;
    if (klen && key) memcpy(e->key, key, klen); /* key NULL: the caller fills it */
    return e;
}

/* Insert a prepared entry under a fresh id (room was reserved). */
static void link_new(vs_keyspace *ks, vs_kentry *e) {
    e->id = take_id(ks);
    ks->slots[e->id] = (uintptr_t)e;
    vs_dict_insert(&ks->dict, &e->node, key_hash(e->key, e->klen));
    ks->count++;
}

/* Remove an entry from the dict and the id table and free it. */
static void unlink_free(vs_keyspace *ks, vs_kentry *e, int free_val) {
    vs_exp_remove(ks, e); /* while e's id still names it */
    vs_dict_unlink(&ks->dict, &e->node);
    release_id(ks, e->id);
    ks->count--;
    if (free_val) free_value(e);
    vs_free(e);
}

/* ---- notification ------------------------------------------------------- */

static vs_status notify_prepare(vs_keyspace *ks, const vs_change *ch) {
    for (int i = 0; i < ks->nsubs; i++) {
        vs_status st = ks->subs[i].prepare(ks->subs[i].ctx, ch);
        if (st != VS_OK) {
            while (i-- > 0) ks->subs[i].abort(ks->subs[i].ctx, ch);
            return st;
        }
    }
    return VS_OK;
}

static void notify_commit(vs_keyspace *ks, const vs_change *ch) {
    for (int i = 0; i < ks->nsubs; i++) ks->subs[i].commit(ks->subs[i].ctx, ch);
    ks->changes++;
}

/* A removal: subscribers must accept it, so their prepare of a removal
 * must never fail (it allocates nothing: the search indexes drop only
 * what they hold, the journal reserved its room before).  A subscriber
 * that failed here would be skipped at commit while the value it points
 * at is freed. */
static void notify_removal(vs_keyspace *ks, const vs_change *ch) {
    (void)notify_prepare(ks, ch);
    notify_commit(ks, ch);
}

static void change_for_entry(vs_change *ch, vs_change_kind kind, const vs_kentry *e) {
    memset(ch, 0, sizeof *ch);
    ch->kind = kind;
    ch->id = e->id;
    ch->key = e->key;
    ch->klen = e->klen;
    ch->old_type = (vs_type)e->type;
}

/* ---- writes ------------------------------------------------------------- */

static void kw_init(vs_kwrite *w, vs_keyspace *ks) {
    memset(w, 0, sizeof *w);
    w->ks = ks;
    w->expire = VS_NO_EXPIRE;
    vs_hash_plan_init(&w->plan, NULL);
}

vs_status vs_kw_hash_begin(vs_kwrite *w, vs_keyspace *ks, const uint8_t *key, size_t klen,
                           int create) {
    kw_init(w, ks);
    w->ch.kind = VS_CHANGE_HASH;
    w->ch.key = key;
    w->ch.klen = klen;
    vs_kentry *e = vs_ks_find(ks, key, klen);
    if (e) {
        if (e->type != VS_TYPE_HASH) return VS_ERR_WRONGTYPE;
        w->entry = e;
        w->ch.old_type = VS_TYPE_HASH;
        vs_hash_plan_init(&w->plan, e->v.hash);
        return VS_OK;
    }
    if (!create) return VS_OK;
    w->nhash = vs_hash_new();
    w->nentry = vs_ks_entry_new(key, klen, VS_TYPE_HASH);
    if (!w->nhash || !w->nentry) {
        vs_kw_discard(w);
        return VS_ERR_NOMEM;
    }
    w->nentry->v.hash = w->nhash;
    vs_hash_plan_init(&w->plan, w->nhash);
    return VS_OK;
}

vs_status vs_kw_string_begin(vs_kwrite *w, vs_keyspace *ks, const uint8_t *key, size_t klen,
                             const uint8_t *val, size_t vlen, int64_t expire) {
    kw_init(w, ks);
    if (vlen > UINT32_MAX) return VS_ERR_NOMEM;
    w->expire = expire;
    w->ch.kind = VS_CHANGE_STRING;
    w->ch.key = key;
    w->ch.klen = klen;
    w->nstr = vs_malloc(sizeof(vs_str) + vlen);
    if (!w->nstr) return VS_ERR_NOMEM;
    w->nstr->len = (uint32_t)vlen;
    if (vlen) memcpy(w->nstr->data, val, vlen);
    w->entry = vs_ks_find(ks, key, klen);
    if (w->entry) {
        w->ch.old_type = (vs_type)w->entry->type;
    } else {
        w->nentry = vs_ks_entry_new(key, klen, VS_TYPE_STRING);
        if (!w->nentry) {
            vs_kw_discard(w);
            return VS_ERR_NOMEM;
        }
    }
    return VS_OK;
}

vs_status vs_kw_expire_begin(vs_kwrite *w, vs_keyspace *ks, const uint8_t *key, size_t klen, int64_t expire) {
    kw_init(w, ks);
    vs_kentry *e = vs_ks_find(ks, key, klen);
    if (!e) return VS_ERR_NOKEY;
    w->entry = e;
    change_for_entry(&w->ch, VS_CHANGE_EXPIRE, e);
    w->ch.new_type = (vs_type)e->type;
    w->ch.expire = expire;
    w->expire = expire;
    return VS_OK;
}

vs_status vs_kw_rename_begin(vs_kwrite *w, vs_keyspace *ks, const uint8_t *src, size_t slen,
                             const uint8_t *dst, size_t dlen) {
    kw_init(w, ks);
    vs_kentry *e = vs_ks_find(ks, src, slen);
    if (!e) return VS_ERR_NOKEY;
    w->entry = e;
    change_for_entry(&w->ch, VS_CHANGE_RENAME, e);
    w->ch.new_type = (vs_type)e->type;
    w->ch.newkey = dst;
    w->ch.newklen = dlen;
    if (slen == dlen && memcmp(src, dst, slen) == 0) return VS_OK; /* no-op */
    w->dst_old = vs_ks_find(ks, dst, dlen);
    if (w->dst_old) {
        w->ch.dst_type = (vs_type)w->dst_old->type;
        w->ch.dst_id = w->dst_old->id;
    }
    w->nentry = vs_ks_entry_new(dst, dlen, (vs_type)e->type);
    if (!w->nentry) return VS_ERR_NOMEM;
    w->nentry->v = e->v;
    if (e->type == VS_TYPE_HASH) w->ch.view = vs_hview_of(e->v.hash);
    return VS_OK;
}

void vs_kw_discard(vs_kwrite *w) {
    vs_hash_plan_discard(&w->plan);
    vs_hash_free(w->nhash);
    vs_free(w->nentry);
    vs_free(w->nstr);
    w->nhash = NULL;
    w->nentry = NULL;
    w->nstr = NULL;
}

static vs_status commit_hash(vs_kwrite *w) {
    vs_keyspace *ks = w->ks;
    if (!w->plan.h || w->plan.nops == 0) { /* nothing to change */
        vs_kw_discard(w);
        return VS_OK;
    }
    vs_status st = vs_hash_plan_reserve(&w->plan);
    if (st == VS_OK && w->nentry) {
        st = vs_dict_reserve(&ks->dict, 1);
        if (st == VS_OK) st = reserve_id(ks);
    }
    if (st != VS_OK) {
        vs_kw_discard(w);
        return st;
    }
    vs_change *ch = &w->ch;
    ch->id = w->entry ? w->entry->id : peek_id(ks);
    ch->new_type = vs_hash_plan_result_len(&w->plan) ? VS_TYPE_HASH : VS_TYPE_NONE;
    ch->view = vs_hview_planned(&w->plan);
    st = notify_prepare(ks, ch);
    if (st != VS_OK) {
        vs_kw_discard(w);
        return st;
    }
    notify_commit(ks, ch);
    if (w->nentry) {
        link_new(ks, w->nentry);
        w->nentry = NULL;
        w->nhash = NULL; /* owned by the entry now */
    }
    vs_kentry *e = (vs_kentry *)ks->slots[ch->id];
    vs_hash_plan_apply(&w->plan);
    if (e->v.hash->n == 0) unlink_free(ks, e, 1);
    return VS_OK;
}

static vs_status commit_string(vs_kwrite *w) {
    vs_keyspace *ks = w->ks;
    vs_status st = VS_OK;
    if (w->nentry) {
        st = vs_dict_reserve(&ks->dict, 1);
        if (st == VS_OK) st = reserve_id(ks);
    }
    if (st == VS_OK && w->expire != VS_NO_EXPIRE && !(w->entry && w->entry->xpos)) st = vs_exp_reserve(ks, 1);
    if (st != VS_OK) {
        vs_kw_discard(w);
        return st;
    }
    vs_change *ch = &w->ch;
    ch->id = w->entry ? w->entry->id : peek_id(ks);
    ch->new_type = VS_TYPE_STRING;
    ch->str = w->nstr;
    ch->expire = w->expire;
    st = notify_prepare(ks, ch);
    if (st != VS_OK) {
        vs_kw_discard(w);
        return st;
    }
    notify_commit(ks, ch);
    vs_kentry *e = w->entry;
    if (w->nentry) {
        e = w->nentry;
        e->v.str = w->nstr;
        link_new(ks, e);
    } else {
        free_value(e);
        e->type = VS_TYPE_STRING;
        e->v.str = w->nstr;
    }
    if (w->expire != VS_NO_EXPIRE)
        vs_exp_set(ks, e, w->expire);
    else
        vs_exp_remove(ks, e);
    w->nentry = NULL;
    w->nstr = NULL;
    return VS_OK;
}

static vs_status commit_rename(vs_kwrite *w) {
    vs_keyspace *ks = w->ks;
    if (!w->nentry) return VS_OK; /* renamed to itself */
    /* One change covers the rename and the deletion of an existing
     * destination (ch.dst_type): subscribers hold one prepared change at a
     * time, so a separate DEL here would wipe what they prepared for the
     * rename. */
    vs_status st = notify_prepare(ks, &w->ch);
    if (st != VS_OK) {
        vs_kw_discard(w);
        return st;
    }
    notify_commit(ks, &w->ch);
    if (w->dst_old) unlink_free(ks, w->dst_old, 1);
    vs_kentry *src = w->entry;
    vs_kentry *dst = w->nentry;
    dst->id = src->id;
    dst->xpos = src->xpos; /* the time goes with the value (same id in the heap) */
    vs_dict_unlink(&ks->dict, &src->node);
    vs_free(src);
    ks->slots[dst->id] = (uintptr_t)dst;
    vs_dict_insert(&ks->dict, &dst->node, key_hash(dst->key, dst->klen));
    w->nentry = NULL;
    return VS_OK;
}

static vs_status commit_expire(vs_kwrite *w) {
    vs_keyspace *ks = w->ks;
    vs_kentry *e = w->entry;
    if (w->expire == vs_exp_of(ks, e)) return VS_OK; /* no change */
    if (w->expire != VS_NO_EXPIRE && !e->xpos && vs_exp_reserve(ks, 1) != VS_OK) return VS_ERR_NOMEM;
    vs_status st = notify_prepare(ks, &w->ch);
    if (st != VS_OK) return st;
    notify_commit(ks, &w->ch);
    if (w->expire != VS_NO_EXPIRE)
        vs_exp_set(ks, e, w->expire);
    else
        vs_exp_remove(ks, e);
    return VS_OK;
}

vs_status vs_kw_commit(vs_kwrite *w) {
    switch (w->ch.kind) {
    case VS_CHANGE_HASH: return commit_hash(w);
    case VS_CHANGE_STRING: return commit_string(w);
    case VS_CHANGE_EXPIRE: return commit_expire(w);
    case VS_CHANGE_RENAME: return commit_rename(w);
    default: break;
    }
    vs_kw_discard(w);
    return VS_ERR_STATE;
}

int vs_ks_delete(vs_keyspace *ks, const uint8_t *key, size_t klen) {
    vs_kentry *e = vs_ks_find(ks, key, klen);
    if (!e) return 0;
    vs_change ch;
    change_for_entry(&ch, VS_CHANGE_DEL, e);
    notify_removal(ks, &ch);
    unlink_free(ks, e, 1);
    return 1;
}

void vs_ks_flush(vs_keyspace *ks) {
    vs_change ch;
    memset(&ch, 0, sizeof ch);
    ch.kind = VS_CHANGE_FLUSH;
    notify_removal(ks, &ch);
    vs_exp_clear(ks);
    vs_dict_clear(&ks->dict, free_entry_node, NULL);
    vs_dict_release(&ks->dict);
    vs_free(ks->slots);
    ks->slots = NULL;
    ks->nslots = ks->cap = ks->free_head = ks->count = 0;
}

/* ---- loading ------------------------------------------------------------ */

/* Room for `count` keys (the snapshot says how many come). */
vs_status vs_ks_load_reserve(vs_keyspace *ks, uint32_t count) {
    if (vs_dict_reserve(&ks->dict, count) != VS_OK) return VS_ERR_NOMEM;
    if (count > ks->cap) {
        uintptr_t *s = vs_realloc(ks->slots, (size_t)count * sizeof *s);
        if (!s) return VS_ERR_NOMEM;
        ks->slots = s;
        ks->cap = count;
    }
    return VS_OK;
}

/* While loading, `slots` is a plain list of the entries read (count of
 * them), in file order; vs_ks_load_place turns it into the id table. */
vs_status vs_ks_load_put(vs_keyspace *ks, vs_kentry *e, uint32_t id) {
    if (id == UINT32_MAX) return VS_ERR_CORRUPT;
    uint32_t h = key_hash(e->key, e->klen);
    if (vs_dict_find(&ks->dict, h, e->key, e->klen)) return VS_ERR_CORRUPT;
    if (ks->count == ks->cap && grow_slots(ks) != VS_OK) return VS_ERR_NOMEM;
    if (vs_dict_reserve(&ks->dict, 1) != VS_OK) return VS_ERR_NOMEM;
    e->id = id;
    ks->slots[ks->count++] = (uintptr_t)e;
    vs_dict_insert(&ks->dict, &e->node, h);
    return VS_OK;
}

vs_status vs_ks_load_place(vs_keyspace *ks) {
    uint32_t bound = 0;
    for (uint32_t i = 0; i < ks->count; i++) {
        uint32_t id = ((vs_kentry *)ks->slots[i])->id;
        if (id >= bound) bound = id + 1;
    }
    uintptr_t *s = bound ? vs_calloc(bound, sizeof *s) : NULL; /* 0: unused while loading */
    if (bound && !s) return VS_ERR_NOMEM;
    for (uint32_t i = 0; i < ks->count; i++) {
        vs_kentry *e = (vs_kentry *)ks->slots[i];
        if (s[e->id] != 0) {
            vs_free(s);
            return VS_ERR_CORRUPT;
        }
        s[e->id] = (uintptr_t)e;
    }
    vs_free(ks->slots);
    ks->slots = s;
    ks->nslots = ks->cap = bound;
    return VS_OK;
}

vs_status vs_ks_load_expire(vs_keyspace *ks, uint32_t id, int64_t when) {
    vs_kentry *e = vs_ks_by_id(ks, id);
    if (!e || e->xpos || when == VS_NO_EXPIRE) return VS_ERR_CORRUPT;
    if (vs_exp_reserve(ks, 1) != VS_OK) return VS_ERR_NOMEM;
    vs_exp_set(ks, e, when);
    return VS_OK;
}

void vs_ks_load_done(vs_keyspace *ks) {
    /* Unused ids become free ids, lowest first out. */
    ks->free_head = 0;
    for (uint32_t id = ks->nslots; id-- > 0;)
        if (ks->slots[id] == 0) release_id(ks, id);
}
