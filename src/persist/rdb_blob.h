/* rdb_blob.h - Redis's compact encodings, as an RDB file holds them in
 * one string: ziplist (hashes up to Redis 6.2), listpack (Redis 7) and
 * zipmap (Redis 2.4 and before), decoded entry by entry.
 *
 * Each walk checks the structure exactly as Redis's deep integrity check
 * does (ziplistValidateIntegrity, lpValidateIntegrity,
 * zipmapValidateIntegrity): the size the header states, the end marker,
 * every entry inside the blob, ziplist back lengths and tail offset,
 * listpack back lengths, the entry count unless the header says
 * "unknown".  Integer entries are handed over as their decimal text, as
 * Redis gives them back.  Entries reach the callback in order (for a
 * hash: field, value, field, value...), possibly before a later entry
 * turns out to be damaged: the caller drops what it built when the walk
 * fails.  Nothing is allocated; no input makes a walk read outside the
 * blob.
 */
#ifndef VS_RDB_BLOB_H
#define VS_RDB_BLOB_H

#include <stddef.h>
#include <stdint.h>

#include "base/status.h"

/* One entry: its bytes (valid during the call).  A status other than
 * VS_OK stops the walk and is returned. */
typedef vs_status (*vs_rdb_entry_fn)(void *ctx, const uint8_t *s, size_t n);

/* Each returns VS_OK, the callback's status, or VS_ERR_CORRUPT with *why
 * naming the damage. */
vs_status vs_rdb_ziplist_walk(const uint8_t *b, size_t n, vs_rdb_entry_fn fn, void *ctx, const char **why);
vs_status vs_rdb_listpack_walk(const uint8_t *b, size_t n, vs_rdb_entry_fn fn, void *ctx, const char **why);
/* A zipmap's entries are its fields and values, alternating (a zipmap
 * with no field is refused, as Redis refuses it). */
vs_status vs_rdb_zipmap_walk(const uint8_t *b, size_t n, vs_rdb_entry_fn fn, void *ctx, const char **why);

#endif
