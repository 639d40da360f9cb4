/* resp_req.h - parsing one RESP request, an array of bulk strings
 * ("*<count>\r\n" then "$<length>\r\n<bytes>\r\n" per argument), in
 * place: the arguments point into the input, nothing is copied.
 *
 * The caller chooses the limits and how numbers are read (rules), and is
 * told apart a request that is complete, one cut short (more bytes may
 * complete it), one that can never be valid, and one with more arguments
 * than the caller made room for.
 *
 * Invariants: a complete request's arguments lie inside the input; a
 * count or length above its limit, or any byte out of place, is malformed
 * as soon as it is seen, whatever follows.
 */
#ifndef VS_RESP_REQ_H
#define VS_RESP_REQ_H

#include <stddef.h>
#include <stdint.h>

typedef struct vs_resp_rules {
    uint64_t max_args; /* a larger argument count is malformed */
    uint64_t max_bulk; /* a longer argument is malformed */
    int strict;        /* numbers as Redis reads requests: no leading zeros */
} vs_resp_rules;

enum {
    VS_RESP_INCOMPLETE = 0, /* a prefix of a request: wait for more bytes */
    VS_RESP_MALFORMED = -1, /* not a request, whatever follows */
    VS_RESP_ROOM = -2,      /* more arguments (*argc) than cap; nothing after
                               the count was looked at */
};

/* Parse the request at p[0..n).  Returns its length in bytes (argv, lens
 * and *argc describe its arguments) or one of the codes above. */
long vs_resp_req_parse(const uint8_t *p, size_t n, const vs_resp_rules *rules, const uint8_t **argv, size_t *lens,
                       size_t cap, size_t *argc);

#endif
