/* resp_req.c - parsing one RESP request in place (see resp_req.h). */
#include "base/resp_req.h"

/* Parse a "<type><decimal>\r\n" line at p[0..n).  Returns bytes used,
 * VS_RESP_INCOMPLETE or VS_RESP_MALFORMED.  A run of digits longer than
 * 20 that has not ended yet is malformed. */
static long line(const uint8_t *p, size_t n, uint8_t type, uint64_t max, int strict, uint64_t *v) {
    if (n == 0) return VS_RESP_INCOMPLETE;
    if (p[0] != type) return VS_RESP_MALFORMED;
    if (strict && n > 2 && p[1] == '0' && p[2] != '\r') return VS_RESP_MALFORMED;
    uint64_t x = 0;
    size_t i = 1;
    for (; i < n && p[i] >= '0' && p[i] <= '9'; i++) {
        x = x * 10 + (uint64_t)(p[i] - '0');
        if (x > max) return VS_RESP_MALFORMED;
    }
    if (i == n) return i > 21 ? VS_RESP_MALFORMED : VS_RESP_INCOMPLETE;
    if (i == 1 || p[i] != '\r') return VS_RESP_MALFORMED;
    if (i + 1 == n) return VS_RESP_INCOMPLETE;
    if (p[i + 1] != '\n') return VS_RESP_MALFORMED;
    *v = x;
    return (long)(i + 2);
}

long vs_resp_req_parse(const uint8_t *p, size_t n, const vs_resp_rules *rules, const uint8_t **argv, size_t *lens,
                       size_t cap, size_t *argc) {
    uint64_t count;
    long k = line(p, n, '*', rules->max_args, rules->strict, &count);
    if (k <= 0) return k;
    if (count == 0) return VS_RESP_MALFORMED;
    if (count > cap) {
        *argc = (size_t)count;
        return VS_RESP_ROOM;
    }
    size_t pos = (size_t)k;
    for (uint64_t i = 0; i < count; i++) {
        uint64_t len;
        k = line(p + pos, n - pos, '$', rules->max_bulk, rules->strict, &len);
        if (k <= 0) return k;
        pos += (size_t)k;
        if (n - pos < len + 2) return VS_RESP_INCOMPLETE;
        if (p[pos + len] != '\r' || p[pos + len + 1] != '\n') return VS_RESP_MALFORMED;
        argv[i] = p + pos;
        lens[i] = (size_t)len;
        pos += (size_t)len + 2;
    }
    *argc = (size_t)count;
    return (long)pos;
}
