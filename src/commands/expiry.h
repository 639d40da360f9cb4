/* expiry.h - when keys expire, for the commands: lazy expiry on access
 * and the bounded active cycle.
 *
 * The engine's clock (vs_engine.now, Unix ms) is set by the embedder
 * before each command or batch, as Redis reads the time once per command;
 * nothing below this layer reads a clock.  A key whose time is <= now has
 * expired.  Every command reaches its keys through vs_lookup, which
 * treats an expired key as missing and, in VS_EXPIRE_ACTIVE, deletes it
 * there and then: an ordinary keyspace deletion, so indexes drop the
 * document, watchers see a change and the journal records `DEL key` (as
 * Redis's AOF does for an expired key).  Commands that walk many keys
 * (KEYS, SCAN, FT.SEARCH) hide expired keys without deleting them; the
 * active cycle (vs_expire_cycle) reclaims at most a budget of keys per
 * call, earliest first, so no call is long.
 *
 * Invariants: in VS_EXPIRE_HIDE nothing is deleted because it expired
 * (the store must not change while a snapshot streams); in VS_EXPIRE_OFF
 * nothing is hidden or deleted (replaying a journal applies its records,
 * DEL of the expired keys included, to keys as they were).  A deletion
 * happens only once journal room for its record is reserved; without
 * room the key is hidden instead.
 */
#ifndef VS_EXPIRY_H
#define VS_EXPIRY_H

#include <stddef.h>
#include <stdint.h>

#include "commands/command.h"
#include "commands/engine.h"
#include "data/keyspace.h"

/* The key for a command, or NULL when missing or expired (deleted then
 * when the mode allows). */
vs_kentry *vs_lookup(vs_engine *eng, const uint8_t *key, size_t klen);

/* The key for a write command: an expired key is deleted first, even
 * in VS_EXPIRE_HIDE (the write changes the store anyway); *out is the
 * key or NULL.  VS_ERR_NOMEM when the deletion cannot be journaled. */
vs_status vs_lookup_write(vs_engine *eng, const uint8_t *key, size_t klen, vs_kentry **out);

/* Is e (a key of the selected database) expired and to be hidden (by a
 * command that walks keys)? */
int vs_expire_hidden(const vs_engine *eng, const vs_kentry *e);
/* The same for a key of keyspace ks (any database). */
int vs_expire_hidden_in(const vs_engine *eng, const vs_keyspace *ks, const vs_kentry *e);

/* The time before which keys are hidden (FT.SEARCH), or VS_NO_EXPIRE. */
int64_t vs_expire_horizon(const vs_engine *eng);

/* Is an absolute time `when` already past, so that setting it deletes the
 * key (Redis's checkAlreadyExpired: never while loading)? */
int vs_expire_past(const vs_engine *eng, int64_t when);

/* Delete e (a key of the selected database) because it expired (journal
 * room permitting); 1 if deleted. */
int vs_expire_delete(vs_engine *eng, vs_kentry *e);
/* vs_lookup and vs_lookup_write in keyspace ks (MOVE's destination). */
vs_kentry *vs_lookup_in(vs_engine *eng, vs_keyspace *ks, const uint8_t *key, size_t klen);
vs_status vs_lookup_write_in(vs_engine *eng, vs_keyspace *ks, const uint8_t *key, size_t klen, vs_kentry **out);

/* The active cycle: delete up to `budget` expired keys, earliest first in
 * each database (database by database, every one that exists), and seal
 * their journal records as one command's.  Returns 1 while
 * expired keys remain (call again), 0 otherwise; nothing in
 * VS_EXPIRE_HIDE or VS_EXPIRE_OFF.  *done gets the keys deleted. */
int vs_expire_cycle(vs_engine *eng, uint32_t budget, uint32_t *done);

/* "ERR invalid expire time in '<command>' command". */
vs_status vs_expire_time_error(vs_ctx *c);

#endif
