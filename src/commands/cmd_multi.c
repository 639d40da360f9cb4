/* cmd_multi.c - MULTI, EXEC, DISCARD, WATCH, UNWATCH: Redis 7.0's
 * transactions (multi.c), over the current client's state (client.h).
 *
 * Queueing happens in the dispatcher (command.c): inside MULTI every
 * command but these four is checked (name, arity, maxmemory) and queued,
 * or refused with the transaction doomed (DIRTY_EXEC).  EXEC then answers
 * EXECABORT (queue-time errors), a null array (a watched key changed), or
 * the array of the queued commands' replies, run-time errors in place.
 *
 * Invariants:
 *  - EXEC, DISCARD and every abort end the transaction and unwatch.
 *  - The journal records an EXEC's effects between MULTI and EXEC records
 *    sealed by one check (journal.h): replay applies all of it or none.
 *    EXEC's own allocations (the journal's room for the wrapping) are made
 *    before its first command runs; each queued command is all or nothing
 *    as it is alone, so an allocation failure inside EXEC is that
 *    command's run-time error, in place, with nothing of it applied.
 */
#include "base/alloc.h"
#include "commands/client.h"
#include "commands/commands.h"
#include "commands/engine.h"
#include "commands/expiry.h"

vs_status vs_exec_abort(vs_ctx *c, const char *reason) {
    vs_client_discard(&c->eng->clients, c->eng->client);
    return vs_err_set(c->err, VS_ERR, "EXECABORT Transaction discarded because of: %s", reason);
}

vs_status vs_cmd_multi(vs_ctx *c) {
    vs_client *cl = c->eng->client;
    if (cl->flags & VS_CLIENT_MULTI) return vs_err_set(c->err, VS_ERR, "ERR MULTI calls can not be nested");
    cl->flags |= VS_CLIENT_MULTI;
    vs_reply_simple(c->r, "OK");
    return VS_OK;
}

vs_status vs_cmd_discard(vs_ctx *c) {
    vs_client *cl = c->eng->client;
    if (!(cl->flags & VS_CLIENT_MULTI)) return vs_err_set(c->err, VS_ERR, "ERR DISCARD without MULTI");
    vs_client_discard(&c->eng->clients, cl);
    vs_reply_simple(c->r, "OK");
    return VS_OK;
}

vs_status vs_cmd_watch(vs_ctx *c) {
    vs_client *cl = c->eng->client;
    if (cl->flags & VS_CLIENT_MULTI) return vs_err_set(c->err, VS_ERR, "ERR WATCH inside MULTI is not allowed");
    if (!(cl->flags & VS_CLIENT_DIRTY_CAS)) { /* else: no point, EXEC fails anyway */
        uint32_t before = cl->nwatched;
        for (int i = 1; i < c->argc; i++) {
            /* WATCH reads no key (an expired one stays until touched). */
            const vs_kentry *e = vs_ks_find(&c->eng->store->ks, c->argv[i], c->argvlen[i]);
            int expired = e && vs_expire_hidden(c->eng, e);
            if (vs_client_watch(&c->eng->clients, cl, c->argv[i], c->argvlen[i], expired) != VS_OK) {
                vs_client_unwatch_from(&c->eng->clients, cl, before);
                return VS_ERR_NOMEM;
            }
        }
    }
    vs_reply_simple(c->r, "OK");
    return VS_OK;
}

vs_status vs_cmd_unwatch(vs_ctx *c) {
    vs_client *cl = c->eng->client;
    vs_client_unwatch(&c->eng->clients, cl);
    cl->flags &= ~(uint32_t)VS_CLIENT_DIRTY_CAS;
    vs_reply_simple(c->r, "OK");
    return VS_OK;
}

vs_status vs_cmd_exec(vs_ctx *c) {
    vs_engine *eng = c->eng;
    vs_client *cl = eng->client;
    if (!(cl->flags & VS_CLIENT_MULTI)) return vs_err_set(c->err, VS_ERR, "ERR EXEC without MULTI");
    if (vs_client_watched_key_expired(cl, eng)) cl->flags |= VS_CLIENT_DIRTY_CAS;
    if (cl->flags & VS_CLIENT_DIRTY_EXEC) {
        vs_client_discard(&eng->clients, cl);
        return vs_err_set(c->err, VS_ERR, "EXECABORT Transaction discarded because of previous errors.");
    }
    if (cl->flags & VS_CLIENT_DIRTY_CAS) {
        vs_client_discard(&eng->clients, cl);
        vs_reply_null_array(c->r);
        return VS_OK;
    }
    /* As Redis: a transaction that may grow memory is refused as a whole
     * past maxmemory (its commands are not checked one by one). */
    if ((cl->qflags & VS_CMD_DENYOOM) && vs_command_over_maxmemory(eng, 0, NULL))
        return vs_exec_abort(c, vs_status_text(VS_ERR_OOM));
    if (vs_journal_tx_begin(&eng->journal) != VS_OK) {
        vs_client_discard(&eng->clients, cl);
        return VS_ERR_NOMEM;
    }
    /* Take the queue; the client leaves MULTI and unwatches before its
     * commands run (its own writes must not dirty it). */
    vs_queued *q = cl->queue;
    uint32_t n = cl->nqueue, qflags = cl->qflags;
    cl->queue = NULL;
    cl->nqueue = cl->qcap = 0;
    vs_client_discard(&eng->clients, cl);
    vs_reply_array(c->r, n);
    for (uint32_t i = 0; i < n; i++) {
        size_t mark = c->r->len;
        vs_status st = vs_command_call(eng, q[i].cmd, q[i].argc, q[i].argv, q[i].lens);
        if (st != VS_OK) vs_command_reply_error(eng, mark, st);
        vs_free(q[i].argv);
    }
    vs_free(q);
    vs_journal_tx_end(&eng->journal);
    vs_err_clear(c->err);
    eng->last_flags = c->cmd->flags | qflags;
    return VS_OK;
}

/* A command a front end answers itself, queued in its place: EXEC replies
 * a null for it, which the front end replaces by its own reply. */
static vs_status frontend_placeholder(vs_ctx *c) {
    vs_reply_null(c->r);
    return VS_OK;
}

static const vs_command placeholder = {"(front end)", -1, 0, frontend_placeholder, 0, 0, 0, "transactions", "", ""};

int vs_client_queue_frontend(vs_engine *eng) {
    vs_client *cl = eng->client;
    if (!(cl->flags & VS_CLIENT_MULTI)) return -1;
    if (cl->flags & (VS_CLIENT_DIRTY_CAS | VS_CLIENT_DIRTY_EXEC)) return -1; /* dropped: EXEC aborts */
    const uint8_t *argv[1] = {(const uint8_t *)""};
    size_t lens[1] = {0};
    if (vs_client_queue(cl, &placeholder, 1, argv, lens) != VS_OK) {
        vs_client_flag_error(cl);
        return VS_ERR_NOMEM;
    }
    return (int)cl->nqueue - 1;
}
