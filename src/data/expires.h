/* expires.h - when keys expire: a binary min-heap of (time, key id) over
 * the keys that have a TTL, the earliest at the root.
 *
 * Times are absolute Unix times in milliseconds (the clock is the
 * engine's: commands/engine.h).  Each key with a TTL has one heap
 * element, and its entry keeps the element's position (vs_kentry.xpos,
 * position + 1; 0: no TTL), so a key's time is read in O(1) and set,
 * changed or removed in O(log n) without a search.  The expired keys at
 * a time `now` are the root's subtree of elements <= now: finding them
 * costs what they are, never a walk over every key.
 *
 * Memory: 12 bytes per key with a TTL (an int64 time and a uint32 id in
 * two parallel arrays, whose capacity doubles: at most as much again is
 * slack), plus the 4-byte position every entry carries.
 *
 * Invariants: when[i] >= when[(i - 1) / 2]; the entry of id[i] has
 * xpos == i + 1; n <= cap.  Setting a time on a key without one needs
 * room reserved first (vs_exp_reserve), so the commit of a write never
 * allocates; removing never allocates.
 */
#ifndef VS_EXPIRES_H
#define VS_EXPIRES_H

#include <stdint.h>

#include "base/bitset.h"
#include "base/status.h"
#include "data/keyspace.h"

/* Room for `more` keys to get a TTL without allocating. */
vs_status vs_exp_reserve(vs_keyspace *ks, uint32_t more);
/* Give entry e (linked in ks's id table) the time `when`, or change it;
 * room was reserved when e had none. */
void vs_exp_set(vs_keyspace *ks, vs_kentry *e, int64_t when);
/* Remove e's time, if it has one. */
void vs_exp_remove(vs_keyspace *ks, vs_kentry *e);
/* Drop every element (the keys are going away). */
void vs_exp_clear(vs_keyspace *ks);
void vs_exp_release(vs_keyspace *ks);

/* e's time, or VS_NO_EXPIRE. */
static inline int64_t vs_exp_of(const vs_keyspace *ks, const vs_kentry *e) {
    return e->xpos ? ks->exp.when[e->xpos - 1] : VS_NO_EXPIRE;
}
/* Has e expired at `now`? */
static inline int vs_exp_expired(const vs_keyspace *ks, const vs_kentry *e, int64_t now) {
    return e->xpos && ks->exp.when[e->xpos - 1] <= now;
}
/* The earliest time (VS_NO_EXPIRE when no key has one) and its key. */
static inline int64_t vs_exp_next(const vs_keyspace *ks) { return ks->exp.n ? ks->exp.when[0] : VS_NO_EXPIRE; }
static inline vs_kentry *vs_exp_first(const vs_keyspace *ks) {
    return ks->exp.n ? vs_ks_by_id(ks, ks->exp.id[0]) : NULL;
}
/* Keys with a TTL. */
static inline uint32_t vs_exp_count(const vs_keyspace *ks) { return ks->exp.n; }

/* Set in `out` (covering every id below vs_ks_id_bound) the ids expired
 * at `now`; returns how many.  Visits only those elements and their
 * children. */
uint32_t vs_exp_collect(const vs_keyspace *ks, int64_t now, vs_bitset *out);

#endif
