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
 * Invariant: bytes[0, consumed) were requests all executed, their replies
 * in order in the batch buffer. */
#include <string.h>

#include "base/alloc.h"
#include "commands/command.h"
#include "commands/db.h"
#include "abi/vessel.h"

#define MAX_ARGS 64              /* more: left to the front end */
#define MAX_COUNT (1024 * 1024)  /* Redis's multibulk limit */
#define MAX_BULK (512u << 20)    /* proto-max-bulk-len */
#define MAX_LINE 32              /* a header line longer than this: left to the front end */
#define BATCH_LIMIT (4u << 20)   /* stop once this much output is waiting */

/* Parse "<digits>\r\n" at p (after the type byte); -1 if malformed or
 * incomplete (the caller stops either way). */
static long long header(const uint8_t *p, const uint8_t *end, const uint8_t **next) {
    long long v = 0;
    const uint8_t *q = p;
    if (q >= end) return -1;
    if (*q == '0' && q + 1 < end && q[1] != '\r') return -1; /* no leading zeros */
    while (q < end && *q >= '0' && *q <= '9') {
        v = v * 10 + (*q - '0');
        if (++q - p > 12) return -1;
    }
    if (q == p || q + 1 >= end || q[0] != '\r' || q[1] != '\n') return -1;
    *next = q + 2;
    return v;
}

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
    while (p < end && *p == '*' && db->batch.len < BATCH_LIMIT) {
        const uint8_t *q;
        long long argc = header(p + 1, end, &q);
        if (argc <= 0 || argc > MAX_ARGS) break;
        int ok = 1;
        for (long long i = 0; i < argc; i++) {
            if (q >= end || *q != '$') {
                ok = 0;
                break;
            }
            const uint8_t *d;
            long long n = header(q + 1, end, &d);
            if (n < 0 || (unsigned long long)n > MAX_BULK || (size_t)(end - d) < (size_t)n + 2 || d[n] != '\r' ||
                d[n + 1] != '\n') {
                ok = 0;
                break;
            }
            argv[i] = d;
            argvlen[i] = (size_t)n;
            q = d + n + 2;
        }
        if (!ok) break;
        const vs_command *cmd = vs_command_lookup(argv[0], argvlen[0]);
        if (!cmd || (cmd->flags & VS_CMD_SERVER)) break; /* the front end answers it */
        vs_reply_reset(&db->reply, proto);
        vs_command_exec(db, (int)argc, argv, argvlen);
        ran++;
        p = q;
        flags |= cmd->flags;
        if (append(db, db->reply.buf, db->reply.len) != VS_OK) {
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
