/* reply.h - RESP reply encoder.
 *
 * Commands write their reply here; the bytes are exactly what a Redis
 * server sends on the wire (RESP2 by default, RESP3 when the reply was
 * opened with protocol 3), so the JS glue and a network front end share
 * one encoding.
 *
 * Invariants:
 *  - The buffer keeps at least VS_REPLY_RESERVE bytes of capacity once
 *    initialised, so a short error reply can always be written even when
 *    memory is exhausted.
 *  - After an allocation failure `failed` is set and further writes are
 *    dropped; the command layer then replaces the reply with an error.
 */
#ifndef VS_REPLY_H
#define VS_REPLY_H

#include <stddef.h>
#include <stdint.h>

#include "base/status.h"

#define VS_REPLY_RESERVE 1024

typedef struct vs_reply {
    uint8_t *buf;  /* encoded reply */
    size_t len;    /* bytes used */
    size_t cap;    /* bytes allocated */
    int proto;     /* 2 or 3 */
    int failed;    /* an append could not allocate */
} vs_reply;

vs_status vs_reply_init(vs_reply *r);
void vs_reply_release(vs_reply *r);
/* Start a new reply (keeps the buffer; shrinks it if it grew large). */
void vs_reply_reset(vs_reply *r, int proto);

void vs_reply_simple(vs_reply *r, const char *s);             /* +s */
void vs_reply_error(vs_reply *r, const char *s);              /* -s (CR/LF mapped to spaces) */
void vs_reply_int(vs_reply *r, long long v);                  /* :v */
void vs_reply_bulk(vs_reply *r, const void *p, size_t n);     /* $n p */
void vs_reply_cstr(vs_reply *r, const char *s);               /* bulk of a C string */
void vs_reply_bulk_ll(vs_reply *r, long long v);              /* bulk of a decimal */
void vs_reply_null(vs_reply *r);                              /* $-1 / _ */
void vs_reply_null_array(vs_reply *r);                        /* *-1 / _ */
void vs_reply_array(vs_reply *r, size_t n);                   /* *n */
void vs_reply_map(vs_reply *r, size_t npairs);                /* *2n / %n */
void vs_reply_set(vs_reply *r, size_t n);                     /* *n / ~n */
void vs_reply_double(vs_reply *r, double d);                  /* bulk "%.17g" / ,d */
void vs_reply_verbatim(vs_reply *r, const char *s, size_t n); /* bulk / =txt: */

/* Arrays whose length is known only at the end: write a placeholder,
 * then fill it (the tail is moved down to close the gap). */
size_t vs_reply_defer(vs_reply *r);
void vs_reply_defer_array(vs_reply *r, size_t at, size_t n);
void vs_reply_defer_map(vs_reply *r, size_t at, size_t npairs);

/* Raw bytes (already encoded RESP). */
void vs_reply_raw(vs_reply *r, const void *p, size_t n);

#endif
