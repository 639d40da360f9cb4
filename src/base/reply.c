/* reply.c - RESP2/RESP3 reply encoder (see reply.h). */
#include "base/reply.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "base/util.h"

#define REPLY_SHRINK_ABOVE (1u << 20) /* give back buffers that grew past 1 MiB */
#define DEFER_WIDTH 24                /* "*" + up to 20 digits + CRLF fits */

vs_status vs_reply_init(vs_reply *r) {
    memset(r, 0, sizeof *r);
    r->proto = 2;
    r->buf = vs_malloc(VS_REPLY_RESERVE);
    if (!r->buf) return VS_ERR_NOMEM;
    r->cap = VS_REPLY_RESERVE;
    return VS_OK;
}

void vs_reply_release(vs_reply *r) {
    vs_free(r->buf);
    memset(r, 0, sizeof *r);
}

void vs_reply_reset(vs_reply *r, int proto) {
    if (r->cap > REPLY_SHRINK_ABOVE) {
        uint8_t *b = vs_realloc(r->buf, VS_REPLY_RESERVE);
        if (b) {
            r->buf = b;
            r->cap = VS_REPLY_RESERVE;
        }
    }
    r->len = 0;
    r->failed = 0;
    r->proto = proto == 3 ? 3 : 2;
}

static int grow(vs_reply *r, size_t extra) {
    if (r->failed) return 0;
    if (extra > SIZE_MAX - r->len || !vs_grow_bytes(&r->buf, &r->cap, r->len + extra, VS_REPLY_RESERVE)) {
        r->failed = 1;
        return 0;
    }
    return 1;
}

void vs_reply_raw(vs_reply *r, const void *p, size_t n) {
    if (!grow(r, n)) return;
    if (n) memcpy(r->buf + r->len, p, n);
    r->len += n;
}

/* Write a type byte, a decimal and CRLF. */
static void header(vs_reply *r, char type, long long v) {
    if (!grow(r, 24)) return;
    uint8_t *p = r->buf + r->len;
    p[0] = (uint8_t)type;
    int n = vs_ll2str((char *)p + 1, v);
    p[n + 1] = '\r';
    p[n + 2] = '\n';
    r->len += (size_t)n + 3;
}

void vs_reply_simple(vs_reply *r, const char *s) {
    size_t n = strlen(s);
    if (!grow(r, n + 3)) return;
    r->buf[r->len++] = '+';
    memcpy(r->buf + r->len, s, n);
    r->len += n;
    r->buf[r->len++] = '\r';
    r->buf[r->len++] = '\n';
}

void vs_reply_error(vs_reply *r, const char *s) {
    size_t n = strlen(s);
    if (!grow(r, n + 3)) return;
    r->buf[r->len++] = '-';
    for (size_t i = 0; i < n; i++) r->buf[r->len++] = (s[i] == '\r' || s[i] == '\n') ? ' ' : (uint8_t)s[i];
    r->buf[r->len++] = '\r';
    r->buf[r->len++] = '\n';
}

void vs_reply_int(vs_reply *r, long long v) { header(r, ':', v); }

void vs_reply_bulk(vs_reply *r, const void *p, size_t n) {
    header(r, '$', (long long)n);
    if (!grow(r, n + 2)) return;
    if (n) memcpy(r->buf + r->len, p, n);
    r->len += n;
    r->buf[r->len++] = '\r';
    r->buf[r->len++] = '\n';
}

void vs_reply_cstr(vs_reply *r, const char *s) { vs_reply_bulk(r, s, strlen(s)); }

void vs_reply_bulk_ll(vs_reply *r, long long v) {
    char buf[24];
    int n = vs_ll2str(buf, v);
    vs_reply_bulk(r, buf, (size_t)n);
}

void vs_reply_null(vs_reply *r) {
    if (r->proto == 3)
        vs_reply_raw(r, "_\r\n", 3);
    else
        vs_reply_raw(r, "$-1\r\n", 5);
}

void vs_reply_null_array(vs_reply *r) {
    if (r->proto == 3)
        vs_reply_raw(r, "_\r\n", 3);
    else
        vs_reply_raw(r, "*-1\r\n", 5);
}

void vs_reply_array(vs_reply *r, size_t n) { header(r, '*', (long long)n); }

void vs_reply_map(vs_reply *r, size_t npairs) {
    if (r->proto == 3)
        header(r, '%', (long long)npairs);
    else
        header(r, '*', (long long)npairs * 2);
}

void vs_reply_set(vs_reply *r, size_t n) { header(r, r->proto == 3 ? '~' : '*', (long long)n); }

void vs_reply_double(vs_reply *r, double d) {
    char buf[64];
    int n;
    if (isinf(d))
        n = snprintf(buf, sizeof buf, "%s", d > 0 ? "inf" : "-inf");
    else
        n = snprintf(buf, sizeof buf, "%.17g", d);
    if (r->proto == 3) {
        if (!grow(r, (size_t)n + 3)) return;
        r->buf[r->len++] = ',';
        memcpy(r->buf + r->len, buf, (size_t)n);
        r->len += (size_t)n;
        r->buf[r->len++] = '\r';
        r->buf[r->len++] = '\n';
    } else {
        vs_reply_bulk(r, buf, (size_t)n);
    }
}

void vs_reply_verbatim(vs_reply *r, const char *s, size_t n) {
    if (r->proto != 3) {
        vs_reply_bulk(r, s, n);
        return;
    }
    header(r, '=', (long long)n + 4);
    vs_reply_raw(r, "txt:", 4);
    vs_reply_raw(r, s, n);
    vs_reply_raw(r, "\r\n", 2);
}

size_t vs_reply_defer(vs_reply *r) {
    size_t at = r->len;
    if (!grow(r, DEFER_WIDTH)) return at;
    r->len += DEFER_WIDTH;
    return at;
}

static void defer_fill(vs_reply *r, size_t at, char type, long long n) {
    if (r->failed) return;
    char hdr[DEFER_WIDTH];
    hdr[0] = type;
    int k = vs_ll2str(hdr + 1, n);
    hdr[k + 1] = '\r';
    hdr[k + 2] = '\n';
    size_t hlen = (size_t)k + 3;
    memcpy(r->buf + at, hdr, hlen);
    memmove(r->buf + at + hlen, r->buf + at + DEFER_WIDTH, r->len - at - DEFER_WIDTH);
    r->len -= DEFER_WIDTH - hlen;
}

void vs_reply_defer_array(vs_reply *r, size_t at, size_t n) { defer_fill(r, at, '*', (long long)n); }

void vs_reply_defer_map(vs_reply *r, size_t at, size_t npairs) {
    if (r->proto == 3)
        defer_fill(r, at, '%', (long long)npairs);
    else
        defer_fill(r, at, '*', (long long)npairs * 2);
}
