/* rdb.h - Redis's dump format (RDB), written and read in chunks, so a
 * store moves to Redis or Valkey (and back) through the file those
 * servers load at start-up and write on SAVE.  docs/rdb.md describes what
 * is written and what is read.
 *
 * Writing (rdb_write.c): RDB version 10 (Redis 7.0): aux fields, then per
 * database with keys to write SELECTDB n and RESIZEDB, then its
 * every key that has not expired at `now` (left out: an export holds what
 * a reader sees; absolute expiry times as EXPIRETIME_MS), hashes as listpacks
 * within Redis's default hash-max-listpack-entries 128 and
 * hash-max-listpack-value 64 and as plain hashes otherwise, strings
 * plain; EOF and the CRC-64 (Redis's crc64, Jones polynomial,
 * little-endian).  The writer streams the live store into caller buffers
 * (a value larger than the buffer is written across calls), so the store
 * must not change between begin and end.
 *
 * Reading (rdb_read.c): versions 1 to 12 and every encoding Redis has
 * written for them: length encodings, integer-encoded and LZF-compressed
 * strings, hashes as plain, zipmap, ziplist and listpack; strings; the
 * expiry opcodes (seconds and milliseconds); aux fields, RESIZEDB,
 * SELECTDB, IDLE/FREQ, module aux data, functions.  Types Vessel does not
 * hold (lists, sets, sorted sets, streams, module values) are parsed,
 * skipped and counted, as are keys of databases the engine does not have
 * (numbers from its `databases` on) and keys already expired at `now`.
 * Keys go to the database SELECTDB named.  The reader builds keyspaces of
 * its own from chunks of any size; only a complete file whose structure
 * and checksum verify replaces every database's keys (and each database's
 * indexes are rebuilt over them by the backfill), so a damaged or truncated file
 * leaves the store exactly as it was.  No length read from the file is
 * trusted before the bytes it describes have arrived.
 */
#ifndef VS_RDB_H
#define VS_RDB_H

#include <stddef.h>
#include <stdint.h>

#include "base/status.h"
#include "commands/engine.h"
#include "query/store.h"

#define VS_RDB_MAGIC "REDIS"
#define VS_RDB_WRITE_VERSION 10 /* Redis 7.0 */
#define VS_RDB_MAX_VERSION 12   /* the newest read */

/* Redis's default limits for a listpack-encoded hash. */
#define VS_RDB_LP_MAX_ENTRIES 128
#define VS_RDB_LP_MAX_VALUE 64

/* Opcodes (Redis's rdb.h). */
enum {
    VS_RDB_OP_SLOT_INFO = 244,
    VS_RDB_OP_FUNCTION2 = 245,
    VS_RDB_OP_FUNCTION_PRE_GA = 246,
    VS_RDB_OP_MODULE_AUX = 247,
    VS_RDB_OP_IDLE = 248,
    VS_RDB_OP_FREQ = 249,
    VS_RDB_OP_AUX = 250,
    VS_RDB_OP_RESIZEDB = 251,
    VS_RDB_OP_EXPIRETIME_MS = 252,
    VS_RDB_OP_EXPIRETIME = 253,
    VS_RDB_OP_SELECTDB = 254,
    VS_RDB_OP_EOF = 255,
};

/* Value types (Redis's rdb.h). */
enum {
    VS_RDB_TYPE_STRING = 0,
    VS_RDB_TYPE_LIST = 1,
    VS_RDB_TYPE_SET = 2,
    VS_RDB_TYPE_ZSET = 3,
    VS_RDB_TYPE_HASH = 4,
    VS_RDB_TYPE_ZSET_2 = 5,
    VS_RDB_TYPE_MODULE_PRE_GA = 6,
    VS_RDB_TYPE_MODULE_2 = 7,
    VS_RDB_TYPE_HASH_ZIPMAP = 9,
    VS_RDB_TYPE_LIST_ZIPLIST = 10,
    VS_RDB_TYPE_SET_INTSET = 11,
    VS_RDB_TYPE_ZSET_ZIPLIST = 12,
    VS_RDB_TYPE_HASH_ZIPLIST = 13,
    VS_RDB_TYPE_LIST_QUICKLIST = 14,
    VS_RDB_TYPE_STREAM_LISTPACKS = 15,
    VS_RDB_TYPE_HASH_LISTPACK = 16,
    VS_RDB_TYPE_ZSET_LISTPACK = 17,
    VS_RDB_TYPE_LIST_QUICKLIST_2 = 18,
    VS_RDB_TYPE_STREAM_LISTPACKS_2 = 19,
    VS_RDB_TYPE_SET_LISTPACK = 20,
    VS_RDB_TYPE_STREAM_LISTPACKS_3 = 21,
};

/* Length encodings: the two high bits of the first byte. */
#define VS_RDB_6BIT 0
#define VS_RDB_14BIT 1
#define VS_RDB_32BIT 0x80
#define VS_RDB_64BIT 0x81
#define VS_RDB_ENCVAL 3
/* Special string encodings (VS_RDB_ENCVAL's low six bits). */
enum { VS_RDB_ENC_INT8 = 0, VS_RDB_ENC_INT16 = 1, VS_RDB_ENC_INT32 = 2, VS_RDB_ENC_LZF = 3 };

/* ---- writing ---- */
typedef struct vs_rdb_writer vs_rdb_writer;

/* Begin writing the databases dbs[0..ndbs) (NULL: never used) as an RDB
 * file; keys expired at now_ms are left out.
 * version: the engine version written as the aux field "vessel-ver"
 * (the string must outlive the writer). */
vs_status vs_rdb_write_begin(vs_store *const *dbs, uint32_t ndbs, int64_t now_ms, const char *version,
                             vs_rdb_writer **out);
/* Fill up to cap bytes (cap >= 16); *n = 0 means the file is complete.
 * VS_ERR_STATE when the store changed since begin (nothing is copied). */
vs_status vs_rdb_write_next(vs_rdb_writer *w, uint8_t *buf, size_t cap, size_t *n);
void vs_rdb_write_end(vs_rdb_writer *w);
/* 0 keys written so far, 1 keys to write, 2 bytes written so far. */
uint64_t vs_rdb_write_stat(const vs_rdb_writer *w, int which);

/* ---- reading ---- */
typedef struct vs_rdb_reader vs_rdb_reader;

/* Statistics of a read (vs_rdb_read_stat). */
enum {
    VS_RDB_STAT_BYTES = 0,     /* bytes consumed */
    VS_RDB_STAT_HASHES = 1,    /* hashes loaded */
    VS_RDB_STAT_STRINGS = 2,   /* strings loaded */
    VS_RDB_STAT_EXPIRED = 3,   /* keys skipped: expired at now */
    VS_RDB_STAT_LISTS = 4,     /* keys skipped by type */
    VS_RDB_STAT_SETS = 5,
    VS_RDB_STAT_ZSETS = 6,
    VS_RDB_STAT_STREAMS = 7,
    VS_RDB_STAT_MODULES = 8,   /* module values */
    VS_RDB_STAT_OTHER_DB = 9,  /* keys of databases the engine does not have */
    VS_RDB_STAT_FUNCTIONS = 10, /* function libraries skipped */
    VS_RDB_STAT_VERSION = 11,  /* the file's RDB version */
    VS_RDB_STAT_EMPTY = 12,    /* empty hashes skipped (Redis skips them too) */
    VS_RDB_STAT_N = 13
};

/* Begin reading an RDB file of `size` bytes (0: unknown) into keyspaces
 * of the reader's own, one per database below ndbs; keys expired at now_ms
 * and keys of databases from ndbs on are skipped. */
vs_status vs_rdb_read_begin(uint64_t size, int64_t now_ms, uint32_t ndbs, vs_rdb_reader **out, vs_err *err);
/* Consume a chunk.  On error the text ("Bad RDB: ...") is in err and every
 * later call fails the same way. */
vs_status vs_rdb_read_feed(vs_rdb_reader *r, const uint8_t *p, size_t n, vs_err *err);
/* Finish and free the reader: on success the keys read replace the keys
 * of every database of the engine (made when the file has keys for it),
 * and each database's indexes (their definitions kept) are rebuilt over
 * them by the backfill; otherwise the engine's keys are untouched. */
vs_status vs_rdb_read_end(vs_rdb_reader *r, vs_engine *eng, vs_err *err);
void vs_rdb_read_abort(vs_rdb_reader *r);
uint64_t vs_rdb_read_stat(const vs_rdb_reader *r, int which);

#endif
