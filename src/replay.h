/* replay.h - applying a journal (RESP commands, as Redis's AOF) to a
 * store, from chunks of any size.
 *
 * Commands are parsed as RESP arrays of bulk strings and executed through
 * the command layer with the journal off and indexing deferred: changes
 * to indexed documents drop them from their indexes, and when replay ends
 * the indexes' backfill integrates every document written or changed
 * since the snapshot (the backfill on load).
 *
 * A record cut short at the very end (a crash mid-append) is a torn tail:
 * it is dropped and reported.  Bytes that are not RESP before the end are
 * damage: replay stops there and reports the offset; the caller decides
 * whether to keep the records before it (as `redis-check-aof --fix`).
 */
#ifndef VS_REPLAY_H
#define VS_REPLAY_H

#include <stddef.h>
#include <stdint.h>

#include "status.h"

#define VS_REPLAY_MAX_ARGS (1024 * 1024)
#define VS_REPLAY_MAX_BULK (512u * 1024 * 1024)

typedef struct vs_db vs_db;

typedef struct vs_replay {
    int active;
    uint8_t *buf;          /* bytes of a command not complete yet */
    size_t len, cap;
    uint64_t offset;       /* journal offset of buf[0] */
    uint64_t applied;      /* commands applied */
    uint64_t failed;       /* commands that answered an error */
    int corrupt;           /* damage found */
    uint64_t corrupt_at;   /* offset of the damaged record */
} vs_replay;

vs_status vs_replay_begin(vs_db *db);
/* Apply every complete command in the chunk (keeps a partial one). */
vs_status vs_replay_feed(vs_db *db, const uint8_t *p, size_t n, vs_err *err);
/* Finish: restarts the indexes' backfill.  *torn gets the bytes of an
 * incomplete last record; *valid the length of the journal that was
 * applied (the offset to truncate at).  With damage, VS_ERR_CORRUPT is
 * returned unless keep_prefix is set. */
vs_status vs_replay_end(vs_db *db, int keep_prefix, uint64_t *valid, uint64_t *torn, vs_err *err);

#endif
