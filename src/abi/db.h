/* db.h - the handle behind the public ABI (vessel.h's vs_db): the engine
 * commands run against, plus what only the ABI drives: a save or load in
 * progress, journal replay and its last results, and the replies of the
 * last pipelined batch.  Internal; tests may look inside.
 *
 * Invariants: at most one of saver, loader, rdb_saver and rdb_loader is set; a load builds a
 * store of its own and only vs_load_end moves it into eng.store.
 * clients[id - 1] is the client of id (NULL once closed); eng.client is
 * the default client or one of them. */
#ifndef VS_DB_H
#define VS_DB_H

#include <stddef.h>
#include <stdint.h>

#include "commands/engine.h"
#include "persist/rdb.h"
#include "persist/replay.h"
#include "persist/snapshot.h"

struct vs_db {
    vs_engine eng;          /* store, journal, reply, settings, stats */
    vs_replay replay;       /* journal replay in progress */
    uint64_t replay_valid;  /* last replay: journal bytes applied */
    uint64_t replay_torn;   /* last replay: bytes of a torn last record */
    vs_snap_writer *saver;  /* snapshot being written, or NULL */
    vs_snap_reader *loader; /* snapshot being read, or NULL */
    vs_rdb_writer *rdb_saver;  /* RDB file being written, or NULL */
    vs_rdb_reader *rdb_loader; /* RDB file being read, or NULL */
    uint64_t rdb_stats[VS_RDB_STAT_N]; /* the last RDB load's figures */
    int expire_mode;        /* the embedder's (vs_set_time); eng.expire_mode
                               is at least VS_EXPIRE_HIDE while saving */
    struct {
        uint8_t *buf;
        size_t len, cap;
    } batch;                /* replies of the last vs_exec_pipeline */
    vs_client **clients;    /* clients opened through the ABI, by id - 1 */
    uint32_t nclients;      /* ids handed out (closed ones are NULL) */
};

/* Set the engine's expiry mode from the embedder's: at most HIDE while a
 * save (snapshot or RDB) streams, so expiry deletes nothing (api.c). */
void vs_db_apply_expire_mode(struct vs_db *db);
/* Record st as the ABI's error (keeping a text already set for it) and
 * return it (api.c). */
int vs_db_fail(struct vs_db *db, vs_status st);

#endif
