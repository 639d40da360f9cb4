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
 * Check records (journal format 2): after the records of each command,
 * vs_journal_seal appends
 *   *2\r\n$4\r\nPING\r\n$26\r\nvessel-ck:<16 lower-case hex digits>\r\n
 * where the digits are XXH64 of the record bytes since the previous check
 * record, seeded with the previous check's value (0 at the start of a
 * journal file): a bit flip, a lost or repeated group of records is
 * detected on replay, and Redis answers the check as a harmless PING, so
 * `redis-cli --pipe` still replays the journal into a real server.
 *
 * Transactions: as Redis's AOF, the records of an EXEC are wrapped in a
 *   *1\r\n$5\r\nMULTI\r\n ... *1\r\n$4\r\nEXEC\r\n
 * pair and sealed by one check record after EXEC, so replay applies all of
 * a transaction or none of it.  A transaction that recorded nothing leaves
 * nothing (its MULTI is taken back).  Room for EXEC and the check is held
 * from vs_journal_tx_begin on: every reservation made inside keeps it
 * free, so the end of a transaction never fails.
 *
 * Databases: the journal subscribes to the keyspace of each numbered
 * database through a tap (vs_journal_tap) that carries its number.  As
 * Redis's AOF, a record of a database other than the one of the last
 * record written is preceded by `SELECT n` (in the same check group, so
 * replay applies the selection with the record); `db` is that last
 * database, 0 at the start of a journal (replay starts in database 0), -1
 * when the next record must select whatever its database (a new journal
 * file, a replica's stream starting, once a non-zero database has been
 * written: vs_journal_restart, vs_journal_reselect).  A store that only
 * ever writes database 0 journals no SELECT at all.  FLUSH changes are
 * recorded as FLUSHDB, or as one FLUSHALL while `flushall` is set (the
 * FLUSHALL command: one record for every database, no SELECT).
 *
 * Invariants: buf[0..len) holds whole records only; buf[mark..len) the
 * records not sealed by a check yet (none between commands); nothing is
 * recorded while the journal is disabled (the default, and during
 * replay); inside a transaction cap - len >= hold.
 */
#ifndef VS_JOURNAL_H
#define VS_JOURNAL_H

#include <stddef.h>
#include <stdint.h>

#include "data/keyspace.h"
#include "base/status.h"

typedef struct vs_journal {
    int enabled;
    uint8_t *buf;   /* records not drained yet */
    size_t len, cap;
    size_t mark;    /* buf[mark..len): records not sealed by a check yet */
    uint64_t chain; /* value of the last check record (0: a new journal) */
    uint64_t lost;  /* records dropped for lack of reserved room (never
                       expected: the command layer reserves first) */
    uint64_t unreserved; /* records written past the room reserved for them
                            (the buffer grew; never expected: tests and
                            fuzzers check it stays 0) */
    int in_tx;      /* between vs_journal_tx_begin and _end */
    size_t tx_start;/* where the transaction's MULTI record begins */
    size_t hold;    /* room kept free for the transaction's end */
    long long db;   /* database of the last record (-1: select before the next) */
    int multi;      /* a record of a database other than 0 was written */
    int flushall;   /* 1: the next FLUSH is recorded as FLUSHALL; 2: recorded,
                       further FLUSH changes record nothing */
} vs_journal;

/* One database's subscription: its records carry its number. */
typedef struct vs_journal_tap {
    vs_journal *j;
    vs_keyspace *ks;
    uint32_t db;    /* the database's number (SWAPDB renumbers taps) */
} vs_journal_tap;

vs_status vs_journal_init(vs_journal *j);
void vs_journal_release(vs_journal *j);
/* Subscribe a database's keyspace (for the tap's life: neither moves). */
vs_status vs_journal_tap_init(vs_journal_tap *t, vs_journal *j, vs_keyspace *ks, uint32_t db);
void vs_journal_tap_release(vs_journal_tap *t);
/* Most bytes of a SELECT record. */
#define VS_JOURNAL_SELECT_MAX 32
/* Record `SELECT db` if db is not the last record's database (room
 * reserved: VS_JOURNAL_SELECT_MAX). */
void vs_journal_select(vs_journal *j, uint32_t db);
/* The next record selects its database whatever it is, once any database
 * other than 0 was written (a replica's stream begins: it is in 0). */
void vs_journal_reselect(vs_journal *j);

/* Size of the RESP encoding of a command. */
size_t vs_resp_command_size(int argc, const size_t *lens);
/* Room for n more bytes. */
vs_status vs_journal_reserve(vs_journal *j, size_t n);
/* Room for the records a write command's removals can produce (each key
 * or field named once as a record of its own). */
vs_status vs_journal_reserve_command(vs_journal *j, int argc, const size_t *lens);
/* Append a command (room reserved). */
void vs_journal_append(vs_journal *j, int argc, const uint8_t *const *argv, const size_t *lens);
/* Bytes of a check record. */
#define VS_JOURNAL_CHECK_LEN 47
#define VS_JOURNAL_CHECK_TAG "vessel-ck:"
/* After a command: append the check record of the records it produced
 * (nothing when it produced none; nothing inside a transaction). */
void vs_journal_seal(vs_journal *j);
/* Bytes of the MULTI and EXEC records. */
#define VS_JOURNAL_MULTI_LEN 15
#define VS_JOURNAL_EXEC_LEN 14
/* A transaction's records begin (MULTI recorded, room for its end held;
 * VS_ERR_NOMEM changes nothing).  Checks wait for its end. */
vs_status vs_journal_tx_begin(vs_journal *j);
/* The transaction's records end: EXEC recorded, or the MULTI taken back
 * when nothing was recorded since.  Then seal as after a command. */
void vs_journal_tx_end(vs_journal *j);
/* The next check is seeded with `chain`: 0 when a new journal file
 * begins (the next record selects its database, as vs_journal_reselect),
 * the last verified check when a replayed journal goes on (set `db` to
 * the replay's selected database then). */
void vs_journal_restart(vs_journal *j, uint64_t chain);
/* Drop the first n bytes (drained by the embedder). */
void vs_journal_consume(vs_journal *j, size_t n);

#endif
