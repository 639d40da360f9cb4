/* keyspace.h - the database of keys: hashes and strings, with dense key
 * ids and the one notification point every change passes through.
 *
 * Each key has an entry holding its name, its type, its value and a dense
 * 32-bit id.  The id is stable for the key's life (RENAME keeps it) and is
 * reused after the key is deleted; indexes refer to documents by id, and
 * SCAN and backfill walk the id table, so a key present for a whole walk
 * is always visited, however the table grows.
 *
 * Changes are transactions over one key (vs_kwrite) or a removal:
 *   plan   - allocate everything the change needs (entries, blocks, ids);
 *   prepare- every subscriber prepares (indexes allocate their part; the
 *            journal reserves room); any failure aborts all of them;
 *   commit - subscribers commit, then the keyspace applies the change.
 *            Nothing in commit allocates, so a change is all or nothing.
 * Removals (DEL, FLUSHALL, emptying a hash) never fail: subscribers'
 * prepare must not fail for them.
 *
 * Expiry: a key may have an absolute expiry time (ms), kept in a min-heap
 * (data/expires.h).  Setting a string replaces its time with the one the
 * write carries (none unless given); hash writes keep it; RENAME carries
 * it to the new name (the destination's own goes with it); a deletion
 * drops it.  A time change alone is a change of its own (VS_CHANGE_EXPIRE),
 * which indexes ignore.  The keyspace never decides that a key has
 * expired: the command layer does (commands/expiry.h), and deletes it
 * with an ordinary deletion.
 *
 * Invariants:
 *  - slots[id] holds the entry of key id, or a free-list link (low bit 1).
 *  - count == number of keys == vs_dict_count(&dict).
 *  - A hash key has at least one field (emptied hashes are deleted).
 */
#ifndef VS_KEYSPACE_H
#define VS_KEYSPACE_H

#include <stddef.h>
#include <stdint.h>

#include "data/dict.h"
#include "data/hash.h"
#include "base/status.h"

typedef enum vs_type { VS_TYPE_NONE = 0, VS_TYPE_STRING = 1, VS_TYPE_HASH = 2 } vs_type;

/* "No expiry time" (times are Unix milliseconds, possibly negative). */
#define VS_NO_EXPIRE INT64_MIN

typedef struct vs_str {
    uint32_t len;
    uint8_t data[];
} vs_str;

/* Keys with a TTL: a min-heap of (time, key id) (data/expires.h). */
typedef struct vs_expires {
    int64_t *when;
    uint32_t *id;
    uint32_t n, cap;
} vs_expires;

typedef struct vs_kentry {
    vs_dnode node;   /* link in the key dict */
    uint32_t id;     /* dense key id */
    uint32_t klen;   /* key length */
    uint8_t type;    /* vs_type */
    uint32_t xpos;   /* position + 1 in the expiry heap; 0: no TTL */
    union {
        vs_hash *hash;
        vs_str *str;
    } v;
    uint8_t key[];   /* key bytes */
} vs_kentry;

typedef enum vs_change_kind {
    VS_CHANGE_HASH,   /* hash fields set and/or deleted; the key may be created,
                         or deleted when its last field goes */
    VS_CHANGE_STRING, /* key set to a string (created, or replacing any type) */
    VS_CHANGE_DEL,    /* key deleted */
    VS_CHANGE_RENAME, /* key renamed to newkey: same id, same value; an
                         existing newkey is deleted (dst_type, dst_id) */
    VS_CHANGE_FLUSH,  /* every key deleted */
    VS_CHANGE_EXPIRE, /* only the key's expiry time changed (expire: the
                         new time, VS_NO_EXPIRE when removed) */
} vs_change_kind;

/* What subscribers are told.  Pointers are valid until commit/abort returns. */
typedef struct vs_change {
    vs_change_kind kind;
    uint32_t id;              /* key id (a new key's future id) */
    const uint8_t *key;       /* key name (old name for RENAME) */
    size_t klen;
    const uint8_t *newkey;    /* RENAME: the new name */
    size_t newklen;
    vs_type old_type;         /* type before the change (NONE if new) */
    vs_type new_type;         /* type after (NONE if the key goes away) */
    vs_hview view;            /* HASH, RENAME of a hash: the hash after the change */
    const vs_str *str;        /* STRING: the new value */
    /* RENAME onto an existing key: that key is deleted by the same change
     * (one prepare, one commit, so subscribers see the rename and the
     * deletion together and a refused rename deletes nothing).  dst_type
     * is its type (NONE when newkey did not exist), dst_id its id. */
    vs_type dst_type;
    uint32_t dst_id;
    /* STRING, EXPIRE: the key's expiry time after the change
     * (VS_NO_EXPIRE: none). */
    int64_t expire;
} vs_change;

typedef struct vs_subscriber {
    void *ctx;
    /* May allocate; must not change what readers see.  Must return VS_OK
     * for DEL, FLUSH and for HASH changes that delete the key. */
    vs_status (*prepare)(void *ctx, const vs_change *ch);
    void (*commit)(void *ctx, const vs_change *ch); /* never fails */
    void (*abort)(void *ctx, const vs_change *ch);  /* drop prepared state */
} vs_subscriber;

#define VS_KS_MAX_SUBS 8

typedef struct vs_keyspace {
    vs_dict dict;              /* key name -> entry */
    uintptr_t *slots;          /* id -> entry, or (next free id + 1) << 1 | 1 */
    uint32_t nslots;           /* ids ever handed out (high-water mark) */
    uint32_t cap;              /* capacity of slots */
    uint32_t free_head;        /* first free id + 1; 0 = none */
    uint32_t count;            /* live keys */
    uint64_t changes;          /* changes committed since open (monotonic) */
    vs_expires exp;            /* keys with a TTL (data/expires.h) */
    vs_subscriber subs[VS_KS_MAX_SUBS];
    int nsubs;
} vs_keyspace;

vs_status vs_ks_init(vs_keyspace *ks);
void vs_ks_release(vs_keyspace *ks);
/* Move src's keys (and change count) into dst, dropping dst's keys; src
 * is left empty.  Subscribers stay with their keyspace: each side keeps
 * its own, so a subscriber's pointer to its keyspace stays right. */
void vs_ks_move(vs_keyspace *dst, vs_keyspace *src);

/* Subscribe to changes.  Returns VS_ERR_LIMIT when the table is full. */
vs_status vs_ks_subscribe(vs_keyspace *ks, const vs_subscriber *s);
void vs_ks_unsubscribe(vs_keyspace *ks, void *ctx);

vs_kentry *vs_ks_find(vs_keyspace *ks, const uint8_t *key, size_t klen);
/* Entry of key id, or NULL when the id is free or out of range. */
static inline vs_kentry *vs_ks_by_id(const vs_keyspace *ks, uint32_t id) {
    if (id >= ks->nslots || (ks->slots[id] & 1u)) return NULL;
    return (vs_kentry *)ks->slots[id];
}
/* Ids are below this bound. */
static inline uint32_t vs_ks_id_bound(const vs_keyspace *ks) { return ks->nslots; }

/* A write to one key. */
typedef struct vs_kwrite {
    vs_keyspace *ks;
    vs_change ch;
    vs_kentry *entry;   /* the key's entry before the change, or NULL */
    vs_kentry *nentry;  /* entry to insert (new key, or renamed key) */
    vs_hash *nhash;     /* hash created for a new key */
    vs_str *nstr;       /* new string value */
    vs_hash_plan plan;  /* field changes (HASH) */
    vs_kentry *dst_old; /* RENAME: existing destination, deleted implicitly */
    int64_t expire;     /* STRING, EXPIRE: the key's time after the write */
} vs_kwrite;

/* Begin a hash write on key (created if missing and create is set).
 * Fails with VS_ERR_WRONGTYPE on a string.  With create unset and the key
 * missing, returns VS_OK and w->entry == NULL, w->plan.h == NULL: there is
 * nothing to do (end with vs_kw_discard). */
vs_status vs_kw_hash_begin(vs_kwrite *w, vs_keyspace *ks, const uint8_t *key, size_t klen,
                           int create);
static inline vs_status vs_kw_hset(vs_kwrite *w, const uint8_t *f, size_t flen, const uint8_t *v,
                                   size_t vlen) {
    return vs_hash_plan_set(&w->plan, f, flen, v, vlen);
}
static inline vs_status vs_kw_hdel(vs_kwrite *w, const uint8_t *f, size_t flen) {
    return vs_hash_plan_del(&w->plan, f, flen);
}
/* Current (pre-change) hash of the write, or NULL for a new key. */
static inline const vs_hash *vs_kw_hash(const vs_kwrite *w) { return w->entry ? w->entry->v.hash : NULL; }

/* Begin setting key to a string value (allocates the value).  The key
 * gets the expiry time `expire` (VS_NO_EXPIRE: none, as a SET without
 * KEEPTTL leaves it; pass the current time to keep it). */
vs_status vs_kw_string_begin(vs_kwrite *w, vs_keyspace *ks, const uint8_t *key, size_t klen,
                             const uint8_t *val, size_t vlen, int64_t expire);

/* Begin changing key's expiry time to `expire` (VS_NO_EXPIRE removes it).
 * VS_ERR_NOKEY if the key is missing. */
vs_status vs_kw_expire_begin(vs_kwrite *w, vs_keyspace *ks, const uint8_t *key, size_t klen, int64_t expire);

/* Begin renaming src to dst.  VS_ERR_NOKEY if src is missing.  Renaming a
 * key to itself is a no-op write (commit does nothing). */
vs_status vs_kw_rename_begin(vs_kwrite *w, vs_keyspace *ks, const uint8_t *src, size_t slen,
                             const uint8_t *dst, size_t dlen);

/* Prepare subscribers and apply; on failure nothing changed.  Either way
 * the write is finished. */
vs_status vs_kw_commit(vs_kwrite *w);
/* Abandon a write that was begun. */
void vs_kw_discard(vs_kwrite *w);

/* Delete a key (never fails).  Returns 1 if it existed. */
int vs_ks_delete(vs_keyspace *ks, const uint8_t *key, size_t klen);
/* Delete every key (never fails). */
void vs_ks_flush(vs_keyspace *ks);

/* Loading a snapshot, into a fresh keyspace, without notifying anyone:
 * vs_ks_load_put collects entries with the ids they had (failing with
 * VS_ERR_CORRUPT on a duplicate key); vs_ks_load_place puts them at those
 * ids (VS_ERR_CORRUPT on a duplicate id).  Placing is a separate step so
 * the slot table, sized by the largest id, is only allocated once the
 * caller has verified the ids (the snapshot's checksum): until then memory
 * grows only with the entries actually read.  vs_ks_load_done links the
 * unused ids for reuse. */
vs_kentry *vs_ks_entry_new(const uint8_t *key, size_t klen, vs_type type);
vs_status vs_ks_load_reserve(vs_keyspace *ks, uint32_t count);
vs_status vs_ks_load_put(vs_keyspace *ks, vs_kentry *e, uint32_t id);
vs_status vs_ks_load_place(vs_keyspace *ks);
/* After placing: key id expires at `when` (VS_ERR_CORRUPT when id is not
 * a key or already has a time). */
vs_status vs_ks_load_expire(vs_keyspace *ks, uint32_t id, int64_t when);
void vs_ks_load_done(vs_keyspace *ks);

/* Memory held by one key (entry, name and value). */
size_t vs_ks_entry_mem(const vs_kentry *e);

#endif
