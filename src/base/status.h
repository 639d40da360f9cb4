/* status.h - the one status type of the engine and the error record that
 * carries a reply text up to the command layer.
 *
 * Every fallible function in src/ returns a vs_status: VS_OK (0) or a
 * negative code.  A code alone has a default Redis-style text
 * (vs_status_text); a vs_err adds a specific text, formatted once where the
 * error is detected and sent unchanged as the error reply.
 *
 * Invariants:
 *  - vs_err.msg is always NUL-terminated and holds the complete reply text,
 *    including its error code word ("ERR ...", "WRONGTYPE ...").
 *  - Functions that fail leave the state they were asked to change as it was
 *    (see alloc.h for how allocation failure is tested).
 */
#ifndef VS_STATUS_H
#define VS_STATUS_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

typedef enum vs_status {
    VS_OK = 0,
    VS_ERR = -1,            /* an error whose text is in a vs_err */
    VS_ERR_NOMEM = -2,      /* an allocation failed */
    VS_ERR_OOM = -3,        /* the write would pass maxmemory */
    VS_ERR_WRONGTYPE = -4,  /* key holds another type */
    VS_ERR_SYNTAX = -5,     /* "ERR syntax error" */
    VS_ERR_NOTINT = -6,     /* "ERR value is not an integer or out of range" */
    VS_ERR_NOKEY = -7,      /* "ERR no such key" */
    VS_ERR_CORRUPT = -8,    /* damaged snapshot or journal (text in vs_err) */
    VS_ERR_LIMIT = -9,      /* a configured limit was hit (text in vs_err) */
    VS_ERR_STATE = -10,     /* call made in the wrong state (text in vs_err) */
} vs_status;

/* An error with its reply text. */
typedef struct vs_err {
    vs_status code;   /* VS_OK when no error is recorded */
    char msg[12288];  /* full reply text (room for an echoed 10 KiB query) */
} vs_err;

/* The default reply text of a code ("ERR syntax error", ...). */
const char *vs_status_text(vs_status st);

/* Record an error with a printf-style text; returns the code so callers
 * can write `return vs_err_set(e, VS_ERR, "ERR ...")`.  e may be NULL. */
vs_status vs_err_set(vs_err *e, vs_status code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
vs_status vs_err_vset(vs_err *e, vs_status code, const char *fmt, va_list ap);

/* Record a code with its default text (keeps an existing text of the same
 * code).  Returns the code. */
vs_status vs_err_code(vs_err *e, vs_status code);

/* The text to reply with: the recorded text or the code's default. */
const char *vs_err_text(const vs_err *e);

void vs_err_clear(vs_err *e);

#endif
