/* status.c - default texts of status codes and the vs_err helpers.
 * This is the single place where a code becomes reply text. */
#include "base/status.h"

#include <stdio.h>
#include <string.h>

const char *vs_status_text(vs_status st) {
    switch (st) {
    case VS_OK: return "OK";
    case VS_ERR_NOMEM: return "OOM out of memory while executing the command";
    case VS_ERR_OOM: return "OOM command not allowed when used memory > 'maxmemory'.";
    case VS_ERR_WRONGTYPE:
        return "WRONGTYPE Operation against a key holding the wrong kind of value";
    case VS_ERR_SYNTAX: return "ERR syntax error";
    case VS_ERR_NOTINT: return "ERR value is not an integer or out of range";
    case VS_ERR_NOKEY: return "ERR no such key";
    case VS_ERR_CORRUPT: return "ERR Bad snapshot";
    case VS_ERR_LIMIT: return "ERR limit exceeded";
    case VS_ERR_STATE: return "ERR operation not allowed in this state";
    case VS_ERR: break;
    }
    return "ERR unknown error";
}

vs_status vs_err_vset(vs_err *e, vs_status code, const char *fmt, va_list ap) {
    if (!e) return code;
    e->code = code;
    int n = vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    if (n < 0) e->msg[0] = '\0';
    /* An error reply is one line: like Redis, map CR and LF to spaces. */
    for (char *p = e->msg; *p; p++)
        if (*p == '\r' || *p == '\n') *p = ' ';
    return code;
}

vs_status vs_err_set(vs_err *e, vs_status code, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vs_err_vset(e, code, fmt, ap);
    va_end(ap);
    return code;
}

vs_status vs_err_code(vs_err *e, vs_status code) {
    if (!e) return code;
    if (e->code != code) e->msg[0] = '\0';
    e->code = code;
    return code;
}

const char *vs_err_text(const vs_err *e) {
    if (e->msg[0]) return e->msg;
    return vs_status_text(e->code);
}

void vs_err_clear(vs_err *e) {
    e->code = VS_OK;
    e->msg[0] = '\0';
}
