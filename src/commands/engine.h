/* db.h - the store behind a vs_db handle: keyspace, reply buffer and
 * settings.  Internal to the engine; the command layer and its handlers
 * are the only users. */
#ifndef VS_DB_H
#define VS_DB_H

#include <stdint.h>

#include "data/journal.h"
#include "data/keyspace.h"
#include "persist/replay.h"
#include "base/reply.h"
#include "query/registry.h"
#include "base/status.h"
#include "abi/vessel.h"

struct vs_db {
    vs_keyspace ks;        /* the data */
    vs_search search;      /* search indexes over ks */
    vs_journal journal;    /* change journal (off until enabled) */
    vs_replay replay;      /* journal replay in progress */
    uint64_t replay_valid; /* last replay: journal bytes applied */
    uint64_t replay_torn;  /* last replay: bytes of a torn last record */
    struct vs_snap_writer *saver;  /* snapshot being written, or NULL */
    struct vs_snap_reader *loader; /* snapshot being read, or NULL */
    vs_reply reply;        /* reply of the last command */
    struct {
        uint8_t *buf;
        size_t len, cap;
    } batch;               /* replies of the last vs_exec_pipeline */
    vs_err err;            /* error of the last command */
    uint64_t maxmemory;    /* 0 = no limit */
    uint32_t seed;         /* seed for randomised structures */
    uint64_t stat_commands; /* commands executed */
};

/* Move src's data (keys, indexes) into dst, dropping dst's; src is left
 * empty.  Used when a snapshot finished loading. */
void vs_db_adopt(vs_db *dst, vs_db *src);

#endif
