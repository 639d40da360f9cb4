/* engine.h - what commands run against: the store, the journal of its
 * changes, the clients (transaction state; the current one is the one
 * commands run as), the reply and error of the last command, settings and
 * stats.
 * Internal to the engine; the public handle (abi/) embeds one and adds
 * what only the ABI drives (saves, loads, journal replay, batches).
 *
 * Invariants: the journal and the client registry are subscribed to
 * store.ks for the engine's life (the engine does not move; store
 * contents may move in).  `client` is never NULL: the default client
 * (the in-process caller) unless the ABI selected another. */
#ifndef VS_ENGINE_H
#define VS_ENGINE_H

#include <stdint.h>

#include "base/reply.h"
#include "base/status.h"
#include "commands/client.h"
#include "data/journal.h"
#include "query/store.h"

/* What happens to a key past its expiry time (commands/expiry.h). */
typedef enum vs_expire_mode {
    VS_EXPIRE_ACTIVE = 0, /* hidden, and deleted on access and by the cycle */
    VS_EXPIRE_HIDE = 1,   /* hidden, never deleted (a save streams the store,
                             a read-only store, a failed journal) */
    VS_EXPIRE_OFF = 2,    /* not expired at all (journal replay: Redis does
                             not expire keys while loading) */
} vs_expire_mode;

typedef struct vs_engine {
    vs_store store;         /* keys and search indexes */
    vs_journal journal;     /* change journal (off until enabled) */
    vs_reply reply;         /* reply of the last command */
    vs_err err;             /* error of the last command */
    vs_clients clients;     /* every client; marks watchers dirty */
    vs_client defclient;    /* the in-process caller's client */
    vs_client *client;      /* the client commands run as */
    uint32_t last_flags;    /* VS_CMD_* flags of what the last command did
                               (EXEC: those of the commands it ran; a queued
                               command: none) */
    uint64_t maxmemory;     /* 0 = no limit */
    uint64_t stat_commands; /* commands executed */
    int64_t now;            /* the clock, Unix ms, set by the embedder before
                               each command or batch (vs_set_time) */
    int expire_mode;        /* vs_expire_mode, chosen by the embedder; journal
                               replay turns expiry off while it runs */
    uint64_t stat_expired;  /* keys deleted because they expired */
} vs_engine;

/* Fails only for lack of memory; e is then released. */
vs_status vs_engine_init(vs_engine *e, uint64_t maxmemory, uint32_t seed);
void vs_engine_release(vs_engine *e);

#endif
