/* engine.h - what commands run against: the numbered databases (each a
 * store: keys and search indexes), the journal of their changes, the
 * clients (transaction state and selected database; the current one is
 * the one commands run as), the reply and error of the last command,
 * settings and stats.
 * Internal to the engine; the public handle (abi/) embeds one and adds
 * what only the ABI drives (saves, loads, journal replay, batches).
 *
 * Databases: `ndbs` of them (Redis's `databases`, 16 by default), made
 * when first needed (SELECT, MOVE, SWAPDB, a load): an unused one costs a
 * pointer.  Database 0 always exists.  `store` is the current client's
 * selected database, kept current whenever the client or its selection
 * changes (vs_engine_use_client, SELECT, SWAPDB): every command reaches
 * its keys and indexes through it in one load (`c->eng->store->ks`,
 * `c->eng->store->search`, or vs_engine_store(eng)).
 *
 * Invariants: each database's journal and client taps are subscribed to
 * its keyspace for its life, and carry its number (SWAPDB trades the
 * databases' places in dbs and renumbers their taps and registries);
 * databases never move in memory (contents may move in).  `client` is
 * never NULL: the default client (the in-process caller) unless the ABI
 * selected another; dbs[client->db] exists and store points to it. */
#ifndef VS_ENGINE_H
#define VS_ENGINE_H

#include <stdint.h>

#include "base/reply.h"
#include "base/status.h"
#include "commands/client.h"
#include "data/journal.h"
#include "query/expr.h"
#include "query/store.h"

/* What happens to a key past its expiry time (commands/expiry.h). */
typedef enum vs_expire_mode {
    VS_EXPIRE_ACTIVE = 0, /* hidden, and deleted on access and by the cycle */
    VS_EXPIRE_HIDE = 1,   /* hidden, never deleted (a save streams the store,
                             a read-only store, a failed journal) */
    VS_EXPIRE_OFF = 2,    /* not expired at all (journal replay: Redis does
                             not expire keys while loading) */
} vs_expire_mode;

/* Databases, by default (Redis's `databases`) and at most. */
#define VS_DEFAULT_DATABASES 16
#define VS_MAX_DATABASES 65536

/* One numbered database: its store and the subscriptions that know its
 * number. */
typedef struct vs_database {
    vs_store store;       /* keys and search indexes */
    vs_journal_tap jtap;  /* the journal's subscription */
    vs_clients_tap ctap;  /* the watch registry's subscription */
} vs_database;

typedef struct vs_engine {
    vs_store *store;        /* the current client's selected database */
    vs_database **dbs;      /* by number; NULL until first used (0 always exists) */
    uint32_t ndbs;          /* how many databases (fixed at init) */
    uint32_t seed;          /* base seed of every database's indexes */
    int defer_index;        /* journal replay: new databases' registries start deferred */
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
    vs_compat compat;       /* search.emulate-release (CONFIG SET; not saved)
                               and its legacy-branch counts (INFO) */
} vs_engine;

/* Fails only for lack of memory; e is then released.  databases: 0 for
 * VS_DEFAULT_DATABASES, at most VS_MAX_DATABASES. */
vs_status vs_engine_init(vs_engine *e, uint64_t maxmemory, uint32_t seed, uint32_t databases);
void vs_engine_release(vs_engine *e);

/* The current client's selected database (one load: the hot path). */
static inline vs_store *vs_engine_store(const vs_engine *e) { return e->store; }
/* The selected database's number. */
static inline uint32_t vs_engine_dbnum(const vs_engine *e) { return e->client->db; }
/* Database n, made empty if it does not exist yet (VS_ERR_NOMEM changes
 * nothing; n must be below ndbs). */
vs_status vs_engine_db(vs_engine *e, uint32_t n, vs_store **out);
/* Drop database n, made by the caller just before and still unused
 * (empty, selected by nobody): a command that failed after making it
 * leaves memory as it was. */
void vs_engine_db_unmake(vs_engine *e, uint32_t n);
/* Database n if it exists (NULL otherwise, or n out of range). */
static inline vs_store *vs_engine_db_if(const vs_engine *e, uint32_t n) {
    return n < e->ndbs && e->dbs[n] ? &e->dbs[n]->store : NULL;
}
/* Commands run as cl from now on (store follows its selection). */
void vs_engine_use_client(vs_engine *e, vs_client *cl);
/* Select database n for the current client (made if needed). */
vs_status vs_engine_select(vs_engine *e, uint32_t n);
/* SWAPDB a b: the databases trade numbers (keys, expiry times and
 * indexes go together); watchers are touched as Redis does.  VS_ERR_NOMEM
 * (making a missing one) changes nothing. */
vs_status vs_engine_swap(vs_engine *e, uint32_t a, uint32_t b);

#endif
