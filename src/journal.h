/* journal.h - the change journal: every acknowledged write as a
 * RESP-encoded command, in the format of Redis's append-only file (so
 * `redis-cli --pipe` can replay it into a real server).
 *
 * The journal subscribes to the keyspace and records effects, not
 * requests: HSET/HDEL with the fields that changed (HINCRBYFLOAT becomes
 * the HSET of its result), SET, DEL, RENAME, FLUSHALL; FT.CREATE and
 * FT.DROPINDEX are recorded by their handlers.  Room for a record is
 * reserved in prepare, so a write that is acknowledged is always
 * journaled, and one that cannot be journaled fails with nothing changed.
 * The embedder drains the buffer after each command and stores it.
 *
 * Invariants: buf[0..len) holds whole records only; nothing is recorded
 * while the journal is disabled (the default, and during replay).
 */
#ifndef VS_JOURNAL_H
#define VS_JOURNAL_H

#include <stddef.h>
#include <stdint.h>

#include "keyspace.h"
#include "status.h"

typedef struct vs_journal {
    int enabled;
    uint8_t *buf;   /* records not drained yet */
    size_t len, cap;
    uint64_t lost;  /* records dropped for lack of reserved room (never
                       expected: the command layer reserves first) */
    vs_keyspace *ks;
} vs_journal;

vs_status vs_journal_init(vs_journal *j, vs_keyspace *ks);
/* Subscribe to (another) keyspace, keeping buffer and settings. */
vs_status vs_journal_attach(vs_journal *j, vs_keyspace *ks);
void vs_journal_release(vs_journal *j);

/* Size of the RESP encoding of a command. */
size_t vs_resp_command_size(int argc, const size_t *lens);
/* Room for n more bytes. */
vs_status vs_journal_reserve(vs_journal *j, size_t n);
/* Room for the records a write command's removals can produce (each key
 * or field named once as a record of its own). */
vs_status vs_journal_reserve_command(vs_journal *j, int argc, const size_t *lens);
/* Append a command (room reserved). */
void vs_journal_append(vs_journal *j, int argc, const uint8_t *const *argv, const size_t *lens);
/* Drop the first n bytes (drained by the embedder). */
void vs_journal_consume(vs_journal *j, size_t n);

#endif
