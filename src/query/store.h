/* store.h - a store as a value: the keyspace and the search indexes over
 * it, nothing of a session (no reply, journal or settings).  A store is
 * built in place (init) and stays where it was built; its contents can
 * move to another store (a snapshot is loaded into a store of its own,
 * then moved into the live one).
 *
 * Invariants: search is subscribed to ks of the same store and its
 * indexes read that ks; moving contents keeps that true on both sides and
 * leaves every keyspace subscription where it was.
 */
#ifndef VS_STORE_H
#define VS_STORE_H

#include <stdint.h>

#include "base/status.h"
#include "data/keyspace.h"
#include "query/registry.h"

typedef struct vs_store {
    vs_keyspace ks;    /* the data */
    vs_search search;  /* search indexes over ks */
} vs_store;

/* An empty store; seed is the base seed of randomised index structures. */
vs_status vs_store_init(vs_store *s, uint32_t seed);
void vs_store_release(vs_store *s);
/* A store allocated and initialised (NULL for lack of memory); freed with
 * vs_store_free (NULL is nothing). */
vs_store *vs_store_new(uint32_t seed);
void vs_store_free(vs_store *s);
/* Move src's keys and indexes into dst, dropping dst's; src is left
 * empty.  dst keeps its seed and its keyspace's other subscribers (a
 * journal). */
void vs_store_move(vs_store *dst, vs_store *src);

#endif
