/* command.h - the command layer: a declarative command table, one arity
 * check, one error path, and the context handlers receive.
 *
 * A handler parses its arguments, calls the layers below, and either
 * writes its reply and returns VS_OK, or returns a status (with a text in
 * c->err when the default text does not fit).  The dispatcher turns any
 * non-OK status into the error reply, after discarding whatever partial
 * reply the handler wrote, so a handler never writes error replies itself.
 *
 * Invariants:
 *  - A command that fails changed nothing (the layers below are two-phase).
 *  - Write commands with VS_CMD_DENYOOM are refused before they run when
 *    the store is at its maxmemory limit.
 */
#ifndef VS_COMMAND_H
#define VS_COMMAND_H

#include <stddef.h>
#include <stdint.h>

#include "base/reply.h"
#include "base/status.h"

typedef struct vs_engine vs_engine;

enum {
    VS_CMD_WRITE = 1u << 0,    /* may change the keyspace or index set */
    VS_CMD_READONLY = 1u << 1, /* never changes anything */
    VS_CMD_DENYOOM = 1u << 2,  /* may grow memory: refused past maxmemory */
    VS_CMD_FAST = 1u << 3,     /* O(1) or O(log n) */
    VS_CMD_ADMIN = 1u << 4,    /* administrative (CONFIG, FLUSHALL) */
    VS_CMD_MODULE = 1u << 5,   /* a search-module command (FT.*) */
    VS_CMD_NOSCRIPT = 1u << 6, /* not for scripts (kept for COMMAND INFO) */
    VS_CMD_JOURNAL = 1u << 7,  /* journaled as given (index definitions),
                                  not through keyspace changes */
    VS_CMD_SERVER = 1u << 8,   /* a server front end extends it (CONFIG,
                                  COMMAND): pipelines leave it to the front end */
    VS_CMD_TX = 1u << 9,       /* runs even inside MULTI instead of being
                                  queued (MULTI, EXEC, DISCARD, WATCH) */
};

typedef struct vs_ctx vs_ctx;
typedef vs_status (*vs_cmd_fn)(vs_ctx *c);

typedef struct vs_command {
    const char *name;  /* canonical name, as Redis prints it in errors */
    int arity;         /* > 0: exact argc; < 0: at least -arity */
    uint32_t flags;    /* VS_CMD_* */
    vs_cmd_fn fn;
    int first_key;     /* key positions, as in COMMAND INFO */
    int last_key;
    int key_step;
    const char *group; /* COMMAND DOCS: "hash", "string", "generic", "search", ... */
    const char *since;
    const char *summary;
} vs_command;

struct vs_ctx {
    vs_engine *eng;
    int argc;
    const uint8_t *const *argv;
    const size_t *argvlen;
    vs_reply *r;
    vs_err *err;
    const vs_command *cmd;
};

/* Find a command by name (case-insensitive), or NULL. */
const vs_command *vs_command_lookup(const uint8_t *name, size_t len);
/* The whole table (for COMMAND); sets *n. */
const vs_command *vs_command_table(size_t *n);

/* Run one command as the engine's current client: lookup, arity check,
 * inside MULTI queueing (or the queue-time error that dooms the
 * transaction), maxmemory check, handler, journal check record, error
 * reply.  The reply is left in the engine's reply buffer.  Returns the
 * handler's status (VS_OK when the reply is not an error). */
vs_status vs_command_exec(vs_engine *eng, int argc, const uint8_t *const *argv, const size_t *argvlen);
/* Run a command already looked up and checked (EXEC runs its queue
 * through this): journal room, handler, the record of a VS_CMD_JOURNAL
 * command.  Its reply is appended to the reply buffer; on failure the
 * status is returned with its text in eng->err and the caller writes the
 * error reply (vs_command_reply_error). */
vs_status vs_command_call(vs_engine *eng, const vs_command *cmd, int argc, const uint8_t *const *argv,
                          const size_t *argvlen);
/* Replace the reply bytes from `mark` on by the error reply of st. */
void vs_command_reply_error(vs_engine *eng, size_t mark, vs_status st);
/* Would a command with these arguments pass maxmemory? */
int vs_command_over_maxmemory(const vs_engine *eng, int argc, const size_t *argvlen);

/* Helpers for handlers. */
static inline int vs_arg_is(const vs_ctx *c, int i, const char *kw);
vs_status vs_arity_error(vs_ctx *c);
/* Parse argv[i] as an integer (VS_ERR_NOTINT on failure). */
vs_status vs_arg_ll(vs_ctx *c, int i, long long *out);

#include "base/util.h"
static inline int vs_arg_is(const vs_ctx *c, int i, const char *kw) {
    return vs_eq_nocase(c->argv[i], c->argvlen[i], kw);
}

#endif
