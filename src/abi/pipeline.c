/* pipeline.c - runs a batch of pipelined requests straight from their
 * RESP bytes, for a server front end: each complete request is parsed in
 * place (arguments point into the input, nothing is copied) and executed,
 * and its reply appended to one batch buffer.  The front end then writes
 * the whole batch at once.
 *
 * Only the plain case is handled here: RESP arrays of bulk strings naming
 * a command of this engine's table.  The batch stops, before consuming
 * it, at anything else: an incomplete request, an inline command, a
 * malformed or over-limit header (the front end's parser words the
 * protocol error), a name the engine does not know (the front end may
 * answer it: AUTH, CLIENT, CLUSTER ... or the unknown-command error), or
 * when the batch output passes a size.  So every request is answered
 * exactly as if the front end had parsed it itself.
 *
 * Requests run as the selected client: inside its MULTI they are queued
 * (the front end's own commands stop the batch as always, and it queues
 * or refuses them).
 *
 * Invariant: bytes[0, consumed) were requests all executed, their replies
 * in order in the batch buffer. */
#include <string.h>

#include "base/alloc.h"
#include "base/resp_req.h"
#include "commands/command.h"
#include "abi/db.h"
#include "abi/vessel.h"

#define MAX_ARGS 64             /* more: left to the front end */
#define BATCH_LIMIT (4u << 20)  /* stop once this much output is waiting */

/* Requests as Redis reads them: its multibulk and proto-max-bulk-len
 * limits, no leading zeros. */
static const vs_resp_rules request_rules = {1024 * 1024, 512u << 20, 1};

static vs_status append(vs_db *db, const uint8_t *p, size_t n) {
    if (db->batch.len + n > db->batch.cap) {
        size_t cap = db->batch.cap ? db->batch.cap : 16384;
        while (cap < db->batch.len + n) cap *= 2;
        uint8_t *b = vs_realloc(db->batch.buf, cap);
        if (!b) return VS_ERR_NOMEM;
        db->batch.buf = b;
        db->batch.cap = cap;
    }
    memcpy(db->batch.buf + db->batch.len, p, n);
    db->batch.len += n;
    return VS_OK;
}

long vs_exec_pipeline(vs_db *db, const uint8_t *in, size_t len, int proto, uint32_t *info) {
    const uint8_t *p = in, *end = in + len;
    const uint8_t *argv[MAX_ARGS];
    size_t argvlen[MAX_ARGS];
    uint32_t ran = 0, flags = 0, last_in_reply = 0;
    db->batch.len = 0;
    while (p < end && db->batch.len < BATCH_LIMIT) {
        size_t argc;
        long k = vs_resp_req_parse(p, (size_t)(end - p), &request_rules, argv, argvlen, MAX_ARGS, &argc);
        if (k <= 0) break; /* incomplete, malformed, or too many arguments */
        const vs_command *cmd = vs_command_lookup(argv[0], argvlen[0]);
        if (!cmd || (cmd->flags & VS_CMD_SERVER)) break; /* the front end answers it */
        vs_reply_reset(&db->eng.reply, proto);
        vs_command_exec(&db->eng, (int)argc, argv, argvlen);
        ran++;
        p += k;
        flags |= db->eng.last_flags; /* EXEC: what its commands were */
        if (append(db, db->eng.reply.buf, db->eng.reply.len) != VS_OK) {
            /* The command ran but its reply did not fit the batch: stop
             * after it; its reply stays in the reply buffer. */
            last_in_reply = 1;
            break;
        }
    }
    if (info) {
        info[0] = ran;
        info[1] = flags;
        info[2] = last_in_reply;
    }
    return (long)(p - in);
}

const uint8_t *vs_batch_data(const vs_db *db) { return db->batch.buf; }
size_t vs_batch_len(const vs_db *db) { return db->batch.len; }
