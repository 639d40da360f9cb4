/* db.h - the store behind a vs_db handle: keyspace, reply buffer and
 * settings.  Internal to the engine; the command layer and its handlers
 * are the only users. */
#ifndef VS_DB_H
#define VS_DB_H

#include <stdint.h>

#include "keyspace.h"
#include "reply.h"
#include "search.h"
#include "status.h"
#include "vessel.h"

struct vs_db {
    vs_keyspace ks;        /* the data */
    vs_search search;      /* search indexes over ks */
    vs_reply reply;        /* reply of the last command */
    vs_err err;            /* error of the last command */
    uint64_t maxmemory;    /* 0 = no limit */
    uint32_t seed;         /* seed for randomised structures */
    uint64_t stat_commands; /* commands executed */
};

#endif
