/* replay.c - applying a journal (see replay.h). */
#include "replay.h"

#include <string.h>

#include "alloc.h"
#include "command.h"
#include "db.h"

/* Parse a "<type><decimal>\r\n" line at p[0..n).  Returns bytes used, 0
 * if incomplete, -1 if malformed. */
static long parse_line(const uint8_t *p, size_t n, uint8_t type, uint64_t max, uint64_t *v) {
    if (n == 0) return 0;
    if (p[0] != type) return -1;
    uint64_t x = 0;
    size_t i = 1;
    for (; i < n && p[i] >= '0' && p[i] <= '9'; i++) {
        x = x * 10 + (uint64_t)(p[i] - '0');
        if (x > max) return -1;
    }
    if (i == n) return i > 21 ? -1 : 0;
    if (i == 1 || p[i] != '\r') return -1;
    if (i + 1 == n) return 0;
    if (p[i + 1] != '\n') return -1;
    *v = x;
    return (long)(i + 2);
}

/* Try to parse one command at p[0..n): returns its length, 0 when
 * incomplete, -1 when malformed.  Fills argv/lens (capacity max). */
static long parse_command(const uint8_t *p, size_t n, const uint8_t **argv, size_t *lens, size_t max, size_t *argc) {
    uint64_t count;
    long k = parse_line(p, n, '*', VS_REPLAY_MAX_ARGS, &count);
    if (k <= 0) return k;
    if (count == 0 || count > max) return -1;
    size_t pos = (size_t)k;
    for (uint64_t i = 0; i < count; i++) {
        uint64_t len;
        k = parse_line(p + pos, n - pos, '$', VS_REPLAY_MAX_BULK, &len);
        if (k <= 0) return k;
        pos += (size_t)k;
        if (n - pos < len + 2) return 0;
        if (p[pos + len] != '\r' || p[pos + len + 1] != '\n') return -1;
        argv[i] = p + pos;
        lens[i] = (size_t)len;
        pos += (size_t)len + 2;
    }
    *argc = (size_t)count;
    return (long)pos;
}

vs_status vs_replay_begin(vs_db *db) {
    vs_replay *r = &db->replay;
    vs_free(r->buf);
    memset(r, 0, sizeof *r);
    r->active = 1;
    db->search.deferred = 1;
    return VS_OK;
}

static vs_status append(vs_replay *r, const uint8_t *p, size_t n) {
    if (!vs_grow_bytes(&r->buf, &r->cap, r->len + n, 65536)) return VS_ERR_NOMEM;
    memcpy(r->buf + r->len, p, n);
    r->len += n;
    return VS_OK;
}

#define ARGV_CHUNK 64

vs_status vs_replay_feed(vs_db *db, const uint8_t *p, size_t n, vs_err *err) {
    vs_replay *r = &db->replay;
    if (!r->active) return vs_err_set(err, VS_ERR_STATE, "ERR no replay in progress");
    if (r->corrupt) return VS_OK; /* everything after damage is ignored */
    if (append(r, p, n) != VS_OK) return vs_err_code(err, VS_ERR_NOMEM);
    size_t pos = 0, cap_args = ARGV_CHUNK;
    const uint8_t *small_argv[ARGV_CHUNK];
    size_t small_lens[ARGV_CHUNK];
    const uint8_t **argv = small_argv;
    size_t *lens = small_lens;
    vs_status st = VS_OK;
    int was_journaling = db->journal.enabled;
    db->journal.enabled = 0;
    while (pos < r->len) {
        size_t argc = 0;
        long k = parse_command(r->buf + pos, r->len - pos, argv, lens, cap_args, &argc);
        if (k < 0 && cap_args < VS_REPLAY_MAX_ARGS) {
            /* Maybe just more arguments than room: count them and retry. */
            uint64_t count;
            if (parse_line(r->buf + pos, r->len - pos, '*', VS_REPLAY_MAX_ARGS, &count) > 0 && count > cap_args) {
                const uint8_t **a = vs_malloc(count * sizeof *a);
                size_t *l = vs_malloc(count * sizeof *l);
                if (!a || !l) {
                    vs_free(a);
                    vs_free(l);
                    st = vs_err_code(err, VS_ERR_NOMEM);
                    break;
                }
                if (argv != small_argv) {
                    vs_free(argv);
                    vs_free(lens);
                }
                argv = a;
                lens = l;
                cap_args = count;
                continue;
            }
        }
        if (k == 0) break; /* incomplete: wait for more */
        if (k < 0) {
            r->corrupt = 1;
            r->corrupt_at = r->offset + pos;
            break;
        }
        vs_reply_reset(&db->reply, 2);
        if (vs_command_exec(db, (int)argc, argv, lens) == VS_OK)
            r->applied++;
        else
            r->failed++;
        pos += (size_t)k;
    }
    db->journal.enabled = was_journaling;
    if (argv != small_argv) {
        vs_free(argv);
        vs_free(lens);
    }
    /* Keep only the unparsed tail. */
    if (pos) {
        memmove(r->buf, r->buf + pos, r->len - pos);
        r->len -= pos;
        r->offset += pos;
    }
    return st;
}

vs_status vs_replay_end(vs_db *db, int keep_prefix, uint64_t *valid, uint64_t *torn, vs_err *err) {
    vs_replay *r = &db->replay;
    if (!r->active) return vs_err_set(err, VS_ERR_STATE, "ERR no replay in progress");
    vs_status st = VS_OK;
    if (r->corrupt) {
        *valid = r->corrupt_at;
        *torn = 0;
        if (!keep_prefix)
            st = vs_err_set(err, VS_ERR_CORRUPT, "Bad journal: damaged record at offset %llu",
                            (unsigned long long)r->corrupt_at);
    } else {
        *valid = r->offset;
        *torn = r->len;
    }
    vs_free(r->buf);
    uint64_t applied = r->applied, failed = r->failed;
    memset(r, 0, sizeof *r);
    r->applied = applied;
    r->failed = failed;
    /* Integrate what changed since the snapshot. */
    vs_search_end_deferred(&db->search);
    return st;
}
