/* registry.h - the registry of search indexes of a store: FT.CREATE,
 * FT.DROPINDEX, the aliases (FT.ALIASADD/ALIASUPDATE/ALIASDEL), lookup,
 * and the keyspace subscriber that hands every change to every index (all
 * prepare, then all commit; if one index cannot prepare, the ones that
 * did are aborted and the write fails).
 *
 * Aliases follow RediSearch: an alias names one index (never another
 * alias); a name is looked up among the indexes first, then among the
 * aliases, so an index created under an alias's name hides that alias
 * (RediSearch lets FT.CREATE take it) until the index is dropped;
 * dropping an index drops its aliases.
 *
 * Invariants:
 *  - idx[0..n) are live indexes with distinct names, in creation order;
 *  - alias[0..nalias) have distinct names, each naming a live index of
 *    idx (x), in the order they were added;
 *  - between a successful prepare and its commit/abort no other change
 *    is prepared (the keyspace is single-threaded).
 */
#ifndef VS_SEARCH_H
#define VS_SEARCH_H

#include <stdint.h>

#include "base/args.h"
#include "query/ft_index.h"
#include "data/keyspace.h"

/* An alias: its name (owned) and the index it names. */
typedef struct vs_alias {
    uint8_t *name;
    uint32_t len;
    vs_ftindex *x;
} vs_alias;

typedef struct vs_search {
    vs_keyspace *ks;
    vs_ftindex **idx;   /* indexes, creation order */
    uint32_t n, cap;
    vs_alias *alias;    /* aliases, in the order added */
    uint32_t nalias, alias_cap;
    uint32_t seed;      /* base seed for HNSW level generation */
    uint32_t db;        /* number of the database it belongs to (error texts;
                           set by its owner, changed by SWAPDB) */
    uint32_t prepared;  /* indexes prepared for the change in flight */
    int deferred;       /* replaying a journal: changed documents leave their
                           indexes, backfill brings them back at the end */
} vs_search;

/* Subscribe to ks (for the registry's life: ks must not move). */
vs_status vs_search_init(vs_search *s, vs_keyspace *ks, uint32_t seed);
void vs_search_release(vs_search *s);
/* Move src's indexes into dst, dropping dst's; src is left with none.
 * Each registry keeps its keyspace, seed and subscription; the indexes
 * taken now read dst's keyspace, which must take src's keys next
 * (vs_store_move does both). */
void vs_search_move(vs_search *dst, vs_search *src);

/* The index a name designates: an index of that name, else the index an
 * alias of that name names (what every FT command looks up). */
vs_ftindex *vs_search_find(const vs_search *s, const uint8_t *name, size_t len);
/* The index of that name, aliases aside. */
vs_ftindex *vs_search_find_index(const vs_search *s, const uint8_t *name, size_t len);
/* The position of the alias of that name in s->alias, or -1. */
int vs_search_alias_pos(const vs_search *s, const uint8_t *name, size_t len);
/* FT.ALIASADD alias index, FT.ALIASUPDATE alias index, FT.ALIASDEL alias,
 * with RediSearch's errors; a failure (allocation included) changes
 * nothing. */
vs_status vs_search_alias_add(vs_search *s, const uint8_t *alias, size_t alen, const uint8_t *index, size_t ilen,
                              vs_err *err);
vs_status vs_search_alias_update(vs_search *s, const uint8_t *alias, size_t alen, const uint8_t *index,
                                 size_t ilen, vs_err *err);
vs_status vs_search_alias_del(vs_search *s, const uint8_t *alias, size_t alen, vs_err *err);
/* Add alias -> x without the commands' checks (a snapshot's aliases, an
 * RDB import's copy): VS_ERR_CORRUPT if the alias exists, VS_ERR_NOMEM. */
vs_status vs_search_alias_put(vs_search *s, const uint8_t *alias, size_t alen, vs_ftindex *x);
/* Give dst the aliases of src, index for index by position (dst's
 * indexes being src's definitions in the same order: an RDB import). */
vs_status vs_search_alias_copy(vs_search *dst, const vs_search *src);
/* FT.CREATE from its arguments (after the command name). */
vs_status vs_search_create(vs_search *s, vs_args *a, vs_err *err);
/* Add an index from FT.CREATE arguments; with backfill, start walking the
 * existing keys (FT.CREATE), without (loading a snapshot) leave the index
 * empty for the loader to fill.  *out gets the index. */
vs_status vs_search_add(vs_search *s, vs_args *a, int backfill, vs_ftindex **out, vs_err *err);
/* FT.DROPINDEX (name: an index or an alias), and the index's aliases;
 * with dd, also delete the keys the index tracks. */
vs_status vs_search_drop(vs_search *s, const uint8_t *name, size_t len, int dd, vs_err *err);

/* Advance backfill jobs by up to `budget` keys in total.  Returns 1 while
 * any job has work left. */
int vs_search_step(vs_search *s, uint32_t budget);
/* End deferred indexing: every index walks the keyspace again and
 * indexes what it does not track (what changed during replay). */
void vs_search_end_deferred(vs_search *s);

/* 1 if any index is backfilling. */
int vs_search_busy(const vs_search *s);

/* Error text for an unknown index of s's database. */
vs_status vs_search_not_found(const vs_search *s, const uint8_t *name, size_t len, vs_err *err);

#endif
