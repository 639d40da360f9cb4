/* replay.h - applying a journal (RESP commands, as Redis's AOF) to a
 * store, from chunks of any size.
 *
 * Commands are parsed as RESP arrays of bulk strings and executed through
 * the command layer with the journal off and indexing deferred: changes
 * to indexed documents drop them from their indexes, and when replay ends
 * the indexes' backfill integrates every document written or changed
 * since the snapshot (the backfill on load).
 *
 * Formats: 1, plain RESP commands (journals written before check
 * records); 2, every command's records followed by a check record (see
 * journal.h).  In format 2 a group of records is applied only once its
 * check verifies; a check that does not match, records followed by
 * something other than their check, or complete records left without
 * their check at the end are damage.
 *
 * A record cut short at the very end (a crash mid-append) is a torn tail:
 * it is dropped (in format 2 with the records of its group) and reported.
 * Bytes that are not RESP before the end are damage: replay stops there
 * and reports the offset (of the damaged group's first record in format
 * 2); the caller decides whether to keep the records before it (as
 * `redis-check-aof --fix`).
 */
#ifndef VS_REPLAY_H
#define VS_REPLAY_H

#include <stddef.h>
#include <stdint.h>

#include "base/status.h"

typedef struct vs_engine vs_engine;

enum { VS_REPLAY_DAMAGED = 1, VS_REPLAY_MISMATCH, VS_REPLAY_UNCHECKED };

typedef struct vs_replay {
    int active;
    int format;            /* 1 plain, 2 with check records */
    uint64_t chain;        /* format 2: value of the last verified check */
    uint8_t *buf;          /* bytes of a command not complete yet */
    size_t len, cap;
    uint64_t offset;       /* journal offset of buf[0] */
    uint64_t applied;      /* commands applied */
    uint64_t failed;       /* commands that answered an error */
    int corrupt;           /* damage found: VS_REPLAY_DAMAGED, _MISMATCH, _UNCHECKED */
    uint64_t corrupt_at;   /* offset of the damaged record */
    uint32_t db;           /* the database the records' SELECTs selected (0 at first) */
    int multi;             /* a database other than 0 was selected */
} vs_replay;

/* Replay into eng (r's state is the ABI's, kept between calls). */
vs_status vs_replay_begin(vs_replay *r, vs_engine *eng, int format);
/* Apply every complete command in the chunk (keeps a partial one). */
vs_status vs_replay_feed(vs_replay *r, vs_engine *eng, const uint8_t *p, size_t n, vs_err *err);
/* Finish: restarts the indexes' backfill (every database's).  New
 * journal records continue from the database the records selected last.  *torn gets the bytes of an
 * incomplete last record; *valid the length of the journal that was
 * applied (the offset to truncate at).  With damage, VS_ERR_CORRUPT is
 * returned unless keep_prefix is set.  In format 2 the journal's check
 * chain continues from the last verified check. */
vs_status vs_replay_end(vs_replay *r, vs_engine *eng, int keep_prefix, uint64_t *valid, uint64_t *torn, vs_err *err);

#endif
