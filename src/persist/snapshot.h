/* snapshot.h - the snapshot format (docs/snapshot-format.md), written and
 * read in chunks.
 *
 * A snapshot holds every key with its type and fields, the absolute
 * expiry times of the keys that have one (a section of its own, written
 * only when some key has a time, so older snapshots load unchanged and
 * older readers skip it), every index
 * definition, and the vector index structures (FLAT blocks, HNSW graphs),
 * so loading does not rebuild a vector index; TAG and NUMERIC indexes are
 * rebuilt from the keys while loading.
 *
 * persist/ frames the file: the header, the sections (type, length,
 * XXH64) and their order, the meta, keys and index-definition sections,
 * the end.  An index that saves its structures encodes and decodes its
 * own section's payload (vs_fi_ops.snap_*, index/field_index.h; FLAT's in
 * index/flat.c, HNSW's in index/hnsw_snap.c); persist/ writes and reads
 * the (index, field) positions that open it and dispatches the rest.
 *
 * Writing: vs_snap_write_begin, then vs_snap_write_next fills a caller
 * buffer until it returns 0 bytes.  The writer reads the live store, so
 * the store must not change between begin and end (the JS layer holds
 * writes and background work back during a save).
 *
 * Reading: vs_snap_read_begin, vs_snap_read_feed with chunks of any size,
 * vs_snap_read_end.  The reader builds a new store; only a complete,
 * valid snapshot replaces the store named at the end, so a damaged one
 * leaves that store exactly as it was.  Every length and count is checked
 * against what remains in its section before anything is allocated, and
 * every structure is validated before use: no input crashes the reader.
 *
 * Format invariants: explicit little-endian, a magic and version, typed
 * length-prefixed sections with an XXH64 each, and a final section with
 * an XXH64 of every byte before it.  On-disk ids below are fixed and
 * independent of in-memory enums.
 */
#ifndef VS_SNAPSHOT_H
#define VS_SNAPSHOT_H

#include <stddef.h>
#include <stdint.h>

#include "base/status.h"
#include "commands/engine.h"
#include "index/field_index.h"
#include "query/store.h"

#define VS_SNAP_MAGIC "VSNAP\r\n\x1a"
#define VS_SNAP_MAGIC_LEN 8
#define VS_SNAP_VERSION 2 /* the newest this engine reads and writes */
#define VS_SNAP_HEADER_LEN 16
#define VS_SNAP_END_LEN 28 /* the end section: type, length, digest, check */

/* On-disk section types. */
enum {
    VS_SEC_META = 1,
    VS_SEC_KEYS = 2,
    VS_SEC_INDEX = 3,
    VS_SEC_FLAT = 4, /* index sections: one per field of these kinds */
    VS_SEC_HNSW = 5,
    VS_SEC_EXPIRES = 6, /* after the keys, when some key has a TTL */
    VS_SEC_TEXT = 7,    /* an index section: one per TEXT field */
    VS_SEC_ALIASES = 8, /* after the index sections, when some alias exists */
    VS_SEC_DB = 9,      /* version 2: the sections up to the next one are database n's */
    VS_SEC_FLAT_HELD = 10, /* FLAT and HNSW index sections without the vectors' */
    VS_SEC_HNSW_HELD = 11, /* bytes (held once: the keys' values); 4 and 5 had them */
    VS_SEC_END = 0xFFFFFFFFu,
};

/* The type of a field's index section: VS_SEC_FLAT_HELD or
 * VS_SEC_HNSW_HELD for a vector field (older files: VS_SEC_FLAT or
 * VS_SEC_HNSW, still read: vs_snap_legacy_of), VS_SEC_TEXT for a TEXT field (indexes that implement
 * vs_fi_ops.snap_*), 0 for a field whose index is rebuilt from the keys. */
static inline uint32_t vs_snap_section_of(const vs_field_index *fi) {
    if (!fi->ops->snap_save) return 0;
    if (fi->def->type == VS_FIELD_TEXT) return VS_SEC_TEXT;
    if (fi->def->type != VS_FIELD_VECTOR) return 0;
    return fi->def->vec.algo == VS_ALGO_HNSW ? VS_SEC_HNSW_HELD : VS_SEC_FLAT_HELD;
}

/* The older section type a field's section may have in a file written
 * before vectors were held once (vectors inside), or 0. */
static inline uint32_t vs_snap_legacy_of(uint32_t sec) {
    return sec == VS_SEC_FLAT_HELD ? VS_SEC_FLAT : sec == VS_SEC_HNSW_HELD ? VS_SEC_HNSW : 0;
}

/* On-disk key types. */
enum { VS_SNAP_STRING = 1, VS_SNAP_HASH = 2 };

typedef struct vs_snap_writer vs_snap_writer;
typedef struct vs_snap_reader vs_snap_reader;

/* Every database of dbs[0..ndbs) (NULL: never used) that holds keys or
 * indexes, 0 always; version: the engine version the meta section records
 * (the string must outlive the writer).  The header says version 1 when
 * only database 0 is written (older readers load it), 2 otherwise. */
vs_status vs_snap_write_begin(vs_store *const *dbs, uint32_t ndbs, const char *version, vs_snap_writer **out);
/* Fill up to cap bytes; *n = 0 means the snapshot is complete. */
vs_status vs_snap_write_next(vs_snap_writer *w, uint8_t *buf, size_t cap, size_t *n);
void vs_snap_write_end(vs_snap_writer *w);
/* Total size of the snapshot being written (known at begin). */
uint64_t vs_snap_write_size(const vs_snap_writer *w);

/* Begin loading a snapshot of `size` bytes (the whole file's size, known
 * to the caller) into new stores of its own (one per database it holds,
 * numbers below ndbs), with seed as the base seed of their indexes.  Every length in the file is checked against the bytes
 * the file has left before anything is allocated for it. */
vs_status vs_snap_read_begin(uint32_t seed, uint32_t ndbs, uint64_t size, vs_snap_reader **out, vs_err *err);
/* Consume a chunk.  On error the reader is failed (the text is in err)
 * and every later call fails the same way. */
vs_status vs_snap_read_feed(vs_snap_reader *r, const uint8_t *p, size_t n, vs_err *err);
/* Finish and free the reader: on success each loaded database is moved
 * into the engine's database of its number (vs_store_move; made when
 * missing) and every other database is emptied (keys and indexes);
 * otherwise (VS_ERR_NOMEM making a database included) the engine's keys
 * and indexes are untouched. */
vs_status vs_snap_read_end(vs_snap_reader *r, vs_engine *eng, vs_err *err);
/* Abandon (frees everything). */
void vs_snap_read_abort(vs_snap_reader *r);

#endif
