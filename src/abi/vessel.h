/* vessel.h - Vessel's public C ABI.
 *
 * A small surface in the style of usearch's c/usearch.h: an opaque handle,
 * an options struct where zero means "default", commands given as argv of
 * (pointer, length) pairs, and a RESP-encoded reply left in an
 * engine-owned buffer that stays valid until the next call on the handle.
 * The WebAssembly exports (wasm/abi.c) are a thin layer over exactly these
 * functions, so native tests exercise what ships.
 */
#ifndef VESSEL_H
#define VESSEL_H

#include <stddef.h>
#include <stdint.h>

#ifdef __EMSCRIPTEN__
#include <emscripten/emscripten.h>
#define VS_EXPORT EMSCRIPTEN_KEEPALIVE
#else
#define VS_EXPORT __attribute__((visibility("default")))
#endif

#define VESSEL_VERSION "0.1.0"

typedef struct vs_db vs_db;

typedef struct vs_options {
    uint64_t maxmemory; /* bytes; 0 = no limit */
    uint32_t seed;      /* seed for randomised structures; 0 = fixed default */
    uint32_t databases; /* numbered databases (SELECT); 0 = 16, as Redis */
} vs_options;

/* Open an empty store; NULL when memory is short.  opt may be NULL. */
VS_EXPORT vs_db *vs_open(const vs_options *opt);
VS_EXPORT void vs_close(vs_db *db);

/* Execute one command.  proto is 2 or 3 (RESP version of the reply).
 * Returns 0 when the reply is not an error, a negative status otherwise;
 * either way the reply is in vs_reply_data/vs_reply_len. */
VS_EXPORT int vs_exec(vs_db *db, int argc, const uint8_t *const *argv, const size_t *argvlen, int proto);
VS_EXPORT const uint8_t *vs_reply_data(const vs_db *db);
VS_EXPORT size_t vs_reply_len(const vs_db *db);

/* Background work: advance index backfill by up to `budget` keys.
 * Returns 1 while work remains (call again), 0 when idle. */
VS_EXPORT int vs_step(vs_db *db, unsigned budget);

/* ---- expiry (src/commands/expiry.h) ----
 * The engine has no clock: set the time (Unix ms, a double exact to 2^53)
 * before each command or batch, as Redis reads the time once per
 * command.  mode: 0 keys past their time are hidden and deleted (on
 * access and by vs_expire_step), 1 hidden but never deleted (a read-only
 * store, a failed journal); while a snapshot is being saved the engine
 * hides without deleting whatever the mode.  vs_expire_step deletes up
 * to `budget` expired keys, earliest first (their DEL records sealed as
 * one command's); returns 1 while more are due.  vs_expire_next: the
 * earliest expiry time, +Infinity when no key has one.  vs_expire_stat:
 * 0 keys with a time, 1 keys deleted because they expired. */
VS_EXPORT void vs_set_time(vs_db *db, double now_ms, int mode);
VS_EXPORT int vs_expire_step(vs_db *db, unsigned budget);
VS_EXPORT double vs_expire_next(const vs_db *db);
VS_EXPORT double vs_expire_stat(const vs_db *db, int which);

/* ---- search.emulate-release ----
 * vs_compat_info: the reply buffer holds a RESP2 array of INFO lines
 * `search_compatibility-<label>:<n>`, one per gated site reached at least
 * once, n its legacy runs (valkey-search's INFO search_compatibility). */
VS_EXPORT int vs_compat_info(vs_db *db);

/* ---- numbered databases (SELECT) ----
 * vs_databases: how many (vs_options.databases).  vs_db_stat(n, which):
 * database n's 0 keys (-1: never used), 1 keys with an expiry time,
 * 2 average time to live in ms (INFO keyspace's avg_ttl, over at most
 * 1024 keys), 3 indexes.  vs_client_db: the current client's selected
 * database. */
VS_EXPORT int vs_databases(const vs_db *db);
/* The next journal record selects its database even if the last one was
 * of the same (a replica's stream starts here, in database 0; nothing
 * changes while only database 0 was ever written). */
VS_EXPORT void vs_journal_reselect_db(vs_db *db);
VS_EXPORT double vs_db_stat(const vs_db *db, int n, int which);
VS_EXPORT int vs_client_db(const vs_db *db);

/* ---- pipelines (for a server front end; src/pipeline.c) ----
 * Run the complete RESP requests at the start of in[0, len) that name
 * commands of this engine, appending their replies to a batch buffer
 * (vs_batch_data/len); stop before anything else (incomplete, inline,
 * malformed, unknown names: the caller handles those).  Returns the bytes
 * consumed.  info[0] = requests run, info[1] = the OR of their command
 * flags, info[2] = 1 when the last one's reply is in the reply buffer
 * (vs_reply_data) instead of the batch (the batch could not grow). */
VS_EXPORT long vs_exec_pipeline(vs_db *db, const uint8_t *in, size_t len, int proto, uint32_t *info);
VS_EXPORT const uint8_t *vs_batch_data(const vs_db *db);
VS_EXPORT size_t vs_batch_len(const vs_db *db);

/* ---- snapshots (docs/snapshot-format.md) ----
 * Save: vs_save_begin, then vs_save_next(buf, cap) returns the bytes
 * written into buf (0 when complete, negative on error), vs_save_end.
 * The store must not change between begin and end.  Load: vs_load_begin
 * with the file's total size (a double, exact to 2^53: no 64-bit integers
 * cross the boundary), vs_load_feed with chunks of any size, vs_load_end;
 * a damaged snapshot
 * answers an error (vs_error_text: "Bad snapshot: ...") and leaves the
 * store as it was. */
VS_EXPORT int vs_save_begin(vs_db *db);
VS_EXPORT double vs_save_size(const vs_db *db);
VS_EXPORT long vs_save_next(vs_db *db, uint8_t *buf, size_t cap);
VS_EXPORT void vs_save_end(vs_db *db);
VS_EXPORT int vs_load_begin(vs_db *db, double size);
VS_EXPORT int vs_load_feed(vs_db *db, const uint8_t *p, size_t n);
VS_EXPORT int vs_load_end(vs_db *db);
VS_EXPORT void vs_load_abort(vs_db *db);
/* Text of the last error of the calls above ("" if none). */
VS_EXPORT const char *vs_error_text(const vs_db *db);

/* ---- RDB: Redis's dump format (src/persist/rdb.h, docs/rdb.md) ----
 * Export: vs_rdb_save_begin writes the store as an RDB file (version 10,
 * loaded by Redis 7.0 and later; keys expired at the engine's time left
 * out); vs_rdb_save_next(buf, cap) returns the bytes written into buf (0
 * when complete, negative on error); vs_rdb_save_end.  The store must not
 * change between begin and end.  vs_rdb_save_stat: 0 keys written so
 * far, 1 keys to write, 2 bytes written so far.
 * Import: vs_rdb_load_begin with the file's size (0 when unknown) and
 * flags (bit 0: replace a store that has keys; without it a non-empty
 * store is refused), vs_rdb_load_feed with chunks of any size,
 * vs_rdb_load_end: the keys of the file's database 0 replace the store's,
 * and every index is rebuilt over them (vs_step).  A damaged or truncated
 * file answers an error ("Bad RDB: ...") and leaves the store as it was.
 * vs_rdb_load_stat: see VS_RDB_STAT_* in src/persist/rdb.h (the last
 * load's figures, kept after vs_rdb_load_end).
 * vs_index_script: the reply buffer holds a RESP2 array of one FT.CREATE
 * command (an array of bulk strings, as given) per index, in creation
 * order, and one FT.ALIASADD per alias (after the FT.CREATEs, but before
 * the FT.CREATE of an index that hides an alias of its name), so running
 * the commands in order rebuilds the indexes and their aliases. */
VS_EXPORT int vs_rdb_save_begin(vs_db *db);
VS_EXPORT long vs_rdb_save_next(vs_db *db, uint8_t *buf, size_t cap);
VS_EXPORT void vs_rdb_save_end(vs_db *db);
VS_EXPORT double vs_rdb_save_stat(const vs_db *db, int which);
VS_EXPORT int vs_rdb_load_begin(vs_db *db, double size, int flags);
VS_EXPORT int vs_rdb_load_feed(vs_db *db, const uint8_t *p, size_t n);
VS_EXPORT int vs_rdb_load_end(vs_db *db);
VS_EXPORT void vs_rdb_load_abort(vs_db *db);
VS_EXPORT double vs_rdb_load_stat(const vs_db *db, int which);
VS_EXPORT int vs_index_script(vs_db *db);

/* ---- journal ----
 * When enabled, every acknowledged write appends RESP commands to a
 * buffer (vs_journal_data/len); the caller stores them and drains the
 * buffer.  Replay applies a journal with indexing deferred; its end
 * starts the backfill that integrates the changes.  Stats: 0 bytes
 * applied (truncate there), 1 bytes of a torn last record, 2 commands
 * applied, 3 commands that answered an error.
 *
 * Journal format 2 (what the journal writes): each command's records are
 * followed by a check record (src/journal.h); replay verifies them.
 * Format 1: plain RESP, as written before check records.  A new journal
 * file starts a new check chain: call vs_journal_restart_chain when the
 * records go to a new file (after a save).  A replay of format 2
 * continues the chain of the journal it replayed. */
VS_EXPORT int vs_journal_enable(vs_db *db, int on);
VS_EXPORT const uint8_t *vs_journal_data(const vs_db *db);
VS_EXPORT size_t vs_journal_len(const vs_db *db);
VS_EXPORT void vs_journal_drain(vs_db *db, size_t n);
VS_EXPORT double vs_journal_lost(const vs_db *db);
VS_EXPORT void vs_journal_restart_chain(vs_db *db);
VS_EXPORT int vs_journal_replay_begin(vs_db *db, int format);
VS_EXPORT int vs_journal_replay_feed(vs_db *db, const uint8_t *p, size_t n);
VS_EXPORT int vs_journal_replay_end(vs_db *db, int keep_prefix);
VS_EXPORT double vs_journal_replay_stat(const vs_db *db, int which);

/* Flags of a command (1 write, 2 read-only, 4 may grow memory, 8 fast,
 * 16 admin, 32 search module, 128 changes the set of indexes, 256 a
 * server front end extends it, 512 runs inside MULTI instead of being
 * queued), or -1 for an unknown command. */
VS_EXPORT int vs_command_flags(const uint8_t *name, size_t len);

/* ---- clients (transactions; src/commands/client.h) ----
 * Commands run as the selected client, which holds a transaction's state
 * (MULTI, queued commands, watched keys) as a Redis connection does.
 * Client 0 is the default (the in-process caller); vs_client_open gives
 * another (its id > 0, or a negative status), vs_client_close ends it
 * (discarding its transaction, unwatching; the default is selected if it
 * was).  vs_exec, vs_exec_pipeline run as the selected client.
 * vs_client_state: bit 0 in MULTI, bit 1 a watched key changed, bit 2 a
 * command was refused while queueing; bits 8 on: the OR of the queued
 * commands' flags.  vs_client_reject: a front end refused a command
 * inside MULTI (EXEC will answer EXECABORT).  vs_client_reset (RESET: database 0 selected again): discard
 * and unwatch (RESET).  vs_client_queue_placeholder: queue the place of
 * a command the front end answers itself; EXEC replies a null there
 * (returns its index in the transaction, -1 when nothing was queued). */
VS_EXPORT int vs_client_open(vs_db *db);
VS_EXPORT void vs_client_close(vs_db *db, int id);
VS_EXPORT int vs_client_select(vs_db *db, int id);
VS_EXPORT int vs_client_state(const vs_db *db);
VS_EXPORT void vs_client_reject(vs_db *db);
VS_EXPORT void vs_client_reset(vs_db *db);
VS_EXPORT int vs_client_queue_placeholder(vs_db *db);

/* Bytes allocated by the engine (all handles of this process). */
VS_EXPORT size_t vs_used_memory(void);

/* Buffers in the engine's address space, for callers that cannot pass
 * their own pointers (JavaScript writes arguments into these).  They are
 * transport, not store data: not counted in vs_used_memory. */
VS_EXPORT void *vs_buffer_alloc(size_t n);
VS_EXPORT void vs_buffer_free(void *p);

/* Testing hook: make the nth allocation from now fail (persist: and all
 * after it); n = 0 turns it off.  Returns the faults injected so far. */
VS_EXPORT unsigned long vs_fault_inject(unsigned long n, int persist);

#endif
