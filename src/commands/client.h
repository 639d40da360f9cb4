/* client.h - a client of the engine: what Redis keeps per connection for
 * transactions (MULTI, the queued commands, DIRTY_CAS / DIRTY_EXEC, the
 * watched keys), and the registry of clients that marks watchers dirty
 * when a watched key changes.
 *
 * The registry subscribes to the store's keyspace: every change passes its
 * notification point (HSET/HDEL fields, SET, DEL, RENAME of either name,
 * FLUSHALL, a hash emptied, a key's expiry time set or removed, and
 * deletions the engine makes itself, expired keys included), so whatever the cause, a client watching
 * the key gets DIRTY_CAS and its next EXEC answers a null array.  As in
 * Redis 7.0 (touchWatchedKey), a client marked dirty stops watching at
 * once; FLUSHALL marks the watchers of keys that exist when it runs
 * (touchAllWatchedKeysInDb).  A key already expired when it was watched
 * is the exception: deleting it is no change (see vs_watched.expired).
 *
 * Queued commands are copies of their arguments (one allocation each),
 * counted in used memory like any other engine allocation.
 *
 * Databases: a client has a selected database (`db`, 0 at first), and a
 * watched key is a key of the database selected when WATCH ran (Redis
 * watches key and database).  The registry subscribes to each database's
 * keyspace through a tap carrying its number.
 *
 * Invariants:
 *  - nqueue == 0 unless flags has VS_CLIENT_MULTI.
 *  - db is a database that exists (the engine creates it on SELECT).
 *  - A watched key appears once in a client's list; reg->watching is the
 *    sum of the clients' nwatched (0: changes cost one comparison).
 *  - Every client is in its registry's list from init to release.
 */
#ifndef VS_CLIENT_H
#define VS_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "base/status.h"
#include "commands/command.h"
#include "data/keyspace.h"

enum {
    VS_CLIENT_MULTI = 1u << 0,      /* between MULTI and EXEC/DISCARD */
    VS_CLIENT_DIRTY_CAS = 1u << 1,  /* a watched key changed: EXEC answers a null array */
    VS_CLIENT_DIRTY_EXEC = 1u << 2, /* a command was refused while queueing: EXECABORT */
};

typedef struct vs_queued {
    const vs_command *cmd;
    int argc;
    const uint8_t **argv; /* argv, lengths and bytes in one allocation */
    size_t *lens;
} vs_queued;

typedef struct vs_watched {
    uint8_t *key;
    size_t klen;
    uint32_t db; /* the database it is a key of */
    /* The key was present but logically expired when WATCH ran (Redis
     * 7.0's watchedKey.expired).  Its deletion is then no change (it was
     * already gone for every reader): the flag is cleared instead of the
     * client being marked dirty.  A key not expired at WATCH time that has
     * expired by EXEC aborts it (vs_client_watched_key_expired). */
    int expired;
} vs_watched;

typedef struct vs_client {
    uint32_t flags;        /* VS_CLIENT_* */
    uint32_t db;           /* selected database (SELECT) */
    vs_queued *queue;      /* commands queued since MULTI */
    uint32_t nqueue, qcap;
    uint32_t qflags;       /* OR of the queued commands' VS_CMD_* flags */
    vs_watched *watched;
    uint32_t nwatched, wcap;
    struct vs_client *prev, *next; /* the registry's list */
} vs_client;

typedef struct vs_clients {
    vs_client *head;   /* every client */
    uint64_t watching; /* watched keys over all clients */
} vs_clients;

/* One database's subscription: the changes of its keyspace touch the
 * watchers of its keys. */
typedef struct vs_clients_tap {
    vs_clients *reg;
    vs_keyspace *ks;
    uint32_t db;       /* the database's number (SWAPDB renumbers taps) */
} vs_clients_tap;

void vs_clients_init(vs_clients *reg);
void vs_clients_release(vs_clients *reg);
/* Subscribe a database's keyspace (for the tap's life: neither moves). */
vs_status vs_clients_tap_init(vs_clients_tap *t, vs_clients *reg, vs_keyspace *ks, uint32_t db);
void vs_clients_tap_release(vs_clients_tap *t);
/* SWAPDB a b, before the databases trade places (Redis 7.0's
 * touchAllWatchedKeysInDb both ways): a watcher of a key of a or b that
 * exists in either is dirty (with the rules for keys expired when
 * watched).  ka, kb: the keyspaces of a and b. */
void vs_clients_touch_swap(vs_clients *reg, const vs_engine *eng, uint32_t a, vs_keyspace *ka, uint32_t b,
                           vs_keyspace *kb);
/* Every watching client dirty (the store was replaced by a load). */
void vs_clients_touch_all(vs_clients *reg);

void vs_client_init(vs_clients *reg, vs_client *cl);
/* Discard its transaction, unwatch, leave the registry. */
void vs_client_release(vs_clients *reg, vs_client *cl);

/* Queue a command (copies the arguments).  VS_ERR_NOMEM leaves the queue
 * as it was.  As Redis, nothing is kept once the transaction is doomed
 * (DIRTY_CAS or DIRTY_EXEC): the command is acknowledged and dropped. */
vs_status vs_client_queue(vs_client *cl, const vs_command *cmd, int argc, const uint8_t *const *argv,
                          const size_t *lens);
/* A command was refused while the client is in MULTI: EXEC will abort. */
static inline void vs_client_flag_error(vs_client *cl) {
    if (cl->flags & VS_CLIENT_MULTI) cl->flags |= VS_CLIENT_DIRTY_EXEC;
}
/* End the transaction (queued commands dropped, flags cleared) and
 * unwatch everything: DISCARD, EXEC's end, RESET, a closed connection. */
void vs_client_discard(vs_clients *reg, vs_client *cl);

/* Watch a key of the client's selected database (a key already watched
 * is kept as it is). */
vs_status vs_client_watch(vs_clients *reg, vs_client *cl, const uint8_t *key, size_t klen, int expired);
void vs_client_unwatch(vs_clients *reg, vs_client *cl);
/* Unwatch the keys watched after the first n (a WATCH that failed part
 * way undoes its own keys). */
void vs_client_unwatch_from(vs_clients *reg, vs_client *cl, uint32_t n);

/* Redis 7.0's rule at EXEC (isWatchedKeyExpired): 1 when a watched key
 * that had not expired at WATCH time is present but logically expired
 * now, which aborts EXEC like a change. */
int vs_client_watched_key_expired(const vs_client *cl, const vs_engine *eng);

#endif
