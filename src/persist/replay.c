/* replay.c - applying a journal (see replay.h). */
#include "persist/replay.h"

#include <string.h>

#include "base/alloc.h"
#include "base/checksum.h"
#include "base/resp_req.h"
#include "base/util.h"
#include "commands/command.h"
#include "commands/engine.h"

/* Journal records as Redis's AOF loader reads them: up to 1M arguments
 * of up to 512 MB, numbers with leading zeros accepted. */
static const vs_resp_rules journal_rules = {1024 * 1024, 512u * 1024 * 1024, 0};

vs_status vs_replay_begin(vs_replay *r, vs_engine *eng, int format) {
    vs_free(r->buf);
    memset(r, 0, sizeof *r);
    r->active = 1;
    r->format = format >= 2 ? 2 : 1;
    eng->defer_index = 1; /* databases made by the records too */
    for (uint32_t d = 0; d < eng->ndbs; d++) {
        vs_store *s = vs_engine_db_if(eng, d);
        if (s) s->search.deferred = 1;
    }
    return VS_OK;
}

static vs_status append(vs_replay *r, const uint8_t *p, size_t n) {
    if (!vs_grow_bytes(&r->buf, &r->cap, r->len + n, 65536)) return VS_ERR_NOMEM;
    memcpy(r->buf + r->len, p, n);
    r->len += n;
    return VS_OK;
}

#define ARGV_CHUNK 64

/* Argument vectors: on the stack, grown on the heap for long commands. */
typedef struct args {
    const uint8_t **argv;
    size_t *lens;
    size_t cap;
    const uint8_t *small_argv[ARGV_CHUNK];
    size_t small_lens[ARGV_CHUNK];
} args;

static void args_init(args *a) {
    a->argv = a->small_argv;
    a->lens = a->small_lens;
    a->cap = ARGV_CHUNK;
}

static void args_free(args *a) {
    if (a->argv != a->small_argv) {
        vs_free(a->argv);
        vs_free(a->lens);
    }
}

/* Parse a record, growing the vectors when it has more arguments than
 * room: its length, VS_RESP_INCOMPLETE, VS_RESP_MALFORMED or NOMEM. */
enum { NOMEM = -3 };
static long parse_grow(const uint8_t *p, size_t n, args *a, size_t *argc) {
    long k = vs_resp_req_parse(p, n, &journal_rules, a->argv, a->lens, a->cap, argc);
    if (k != VS_RESP_ROOM) return k;
    const uint8_t **v = vs_malloc(*argc * sizeof *v);
    size_t *l = vs_malloc(*argc * sizeof *l);
    if (!v || !l) {
        vs_free(v);
        vs_free(l);
        return NOMEM;
    }
    args_free(a);
    a->argv = v;
    a->lens = l;
    a->cap = *argc;
    return vs_resp_req_parse(p, n, &journal_rules, a->argv, a->lens, a->cap, argc);
}

/* The record's command is `name` (any case). */
static int names(const args *a, const char *name) {
    return vs_eq_nocase(a->argv[0], a->lens[0], name);
}

/* Apply one record.  maxmemory does not apply while loading (as in
 * Redis): these writes were acknowledged under it already.  An allocation
 * failure stops the replay (VS_ERR_NOMEM): skipping the record would
 * lose an acknowledged write and apply later ones to the wrong state. */
static vs_status apply(vs_engine *eng, vs_replay *r, const args *a, size_t argc, vs_err *err) {
    vs_reply_reset(&eng->reply, 2);
    uint64_t maxmemory = eng->maxmemory;
    eng->maxmemory = 0;
    /* Records run as a client of their own: never inside a caller's MULTI;
     * its selected database is the one the records' SELECTs chose. */
    vs_client replayer = {0};
    replayer.db = r->db;
    vs_client *caller = eng->client;
    vs_engine_use_client(eng, &replayer);
    vs_status st = vs_command_exec(eng, (int)argc, a->argv, a->lens);
    r->db = replayer.db;
    if (r->db) r->multi = 1;
    vs_engine_use_client(eng, caller);
    eng->maxmemory = maxmemory;
    if (st == VS_OK) {
        r->applied++;
    } else if (st == VS_ERR_NOMEM) {
        return vs_err_set(err, VS_ERR_NOMEM, "OOM out of memory while replaying the journal at offset %llu",
                          (unsigned long long)r->offset);
    } else if (names(a, "SELECT") || names(a, "SWAPDB")) {
        /* A database this store does not have (opened with fewer): going on
         * would apply that database's records to another one. */
        return vs_err_set(err, VS_ERR_LIMIT,
                          "ERR the journal uses a database past this store's %u at offset %llu (%.*s %.*s); open it "
                          "with as many databases as it was written with",
                          (unsigned)eng->ndbs, (unsigned long long)r->offset, (int)a->lens[0], (const char *)a->argv[0],
                          argc > 1 ? (int)VS_MIN(a->lens[1], 20) : 0, argc > 1 ? (const char *)a->argv[1] : "");
    } else {
        r->failed++;
    }
    return VS_OK;
}

/* A check record: PING vessel-ck:<16 hex>; *value gets the hex's value
 * (0 and a return of 1 when a digit is not lower-case hex: a damaged
 * check, which never matches). */
static int is_check(const args *a, size_t argc, uint64_t *value) {
    if (argc != 2 || a->lens[0] != 4 || memcmp(a->argv[0], "PING", 4) != 0) return 0;
    if (a->lens[1] != 26 || memcmp(a->argv[1], VS_JOURNAL_CHECK_TAG, 10) != 0) return 0;
    uint64_t v = 0;
    for (int i = 0; i < 16; i++) {
        uint8_t c = a->argv[1][10 + i];
        unsigned d;
        if (c >= '0' && c <= '9')
            d = (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            d = (unsigned)(c - 'a' + 10);
        else {
            *value = 0;
            return 1;
        }
        v = (v << 4) | d;
    }
    *value = v;
    return 1;
}

/* The MULTI / EXEC records that wrap a transaction (journal.h), as the
 * journal writes them. */
static int is_word(const args *a, size_t argc, const char *w, size_t n) {
    return argc == 1 && a->lens[0] == n && memcmp(a->argv[0], w, n) == 0;
}
#define IS_MULTI(a, argc) is_word(a, argc, "MULTI", 5)
#define IS_EXEC(a, argc) is_word(a, argc, "EXEC", 4)

static void damage(vs_replay *r, int kind, size_t pos) {
    r->corrupt = kind;
    r->corrupt_at = r->offset + pos;
}

/* The record at buf[pos..]: its length, or 0 to stop (incomplete: wait
 * for more; out of memory: *st set; malformed: damage marked at `at`). */
static long next_record(vs_replay *r, size_t pos, size_t at, args *a, size_t *argc, vs_status *st, vs_err *err) {
    long k = parse_grow(r->buf + pos, r->len - pos, a, argc);
    if (k == NOMEM) {
        *st = vs_err_code(err, VS_ERR_NOMEM);
        return 0;
    }
    if (k < 0) {
        damage(r, VS_REPLAY_DAMAGED, at);
        return 0;
    }
    return k;
}

/* Format 1: apply every complete command, a MULTI ... EXEC transaction
 * only once its EXEC has arrived (a transaction cut short at the end is
 * a torn tail, as Redis drops an incomplete MULTI at the end of an AOF);
 * returns the bytes consumed. */
static size_t feed_plain(vs_engine *eng, vs_replay *r, args *a, vs_status *st, vs_err *err) {
    size_t pos = 0;
    while (pos < r->len) {
        size_t argc = 0;
        long k = next_record(r, pos, pos, a, &argc, st, err);
        if (k == 0) break;
        if (IS_MULTI(a, argc)) {
            size_t end = pos + (size_t)k, body = end;
            int closed = 0;
            while (end < r->len) { /* find its EXEC */
                long n = next_record(r, end, end, a, &argc, st, err);
                if (n == 0) break;
                end += (size_t)n;
                if (IS_EXEC(a, argc)) {
                    closed = 1;
                    break;
                }
                if (IS_MULTI(a, argc)) {
                    damage(r, VS_REPLAY_DAMAGED, pos);
                    break;
                }
            }
            if (!closed || r->corrupt || *st != VS_OK) break;
            for (size_t q = body; q < end;) {
                long n = parse_grow(r->buf + q, end - q, a, &argc);
                if (n <= 0) { /* cannot happen: parsed above */
                    if (n == NOMEM) *st = vs_err_code(err, VS_ERR_NOMEM);
                    else damage(r, VS_REPLAY_DAMAGED, pos);
                    return pos;
                }
                if (!IS_EXEC(a, argc) && (*st = apply(eng, r, a, argc, err)) != VS_OK) return pos;
                q += (size_t)n;
            }
            pos = end;
            continue;
        }
        if (IS_EXEC(a, argc)) { /* EXEC without MULTI */
            damage(r, VS_REPLAY_DAMAGED, pos);
            break;
        }
        if ((*st = apply(eng, r, a, argc, err)) != VS_OK) break;
        pos += (size_t)k;
    }
    return pos;
}

/* A group's records [from, to) hold MULTI and EXEC only as a pair around
 * the rest: MULTI first, EXEC last. */
static int tx_shape_ok(vs_replay *r, size_t from, size_t to, args *a) {
    int opened = 0, closed = 0;
    size_t argc;
    for (size_t q = from; q < to;) {
        long n = parse_grow(r->buf + q, to - q, a, &argc);
        if (n <= 0) return n == NOMEM; /* NOMEM: left to the apply loop */
        if (closed) return 0;                          /* a record after EXEC */
        if (IS_MULTI(a, argc) && (q != from)) return 0; /* MULTI not first */
        if (IS_MULTI(a, argc)) opened = 1;
        if (IS_EXEC(a, argc)) {
            if (!opened) return 0;
            closed = 1;
        }
        q += (size_t)n;
    }
    return opened == closed;
}

/* Format 2: apply each group of records once its check verifies; returns
 * the bytes consumed (whole groups).  The records of a group are parsed
 * twice (to find its check, then to apply them): groups are one
 * command's effects, small next to the chunks fed.  A transaction is one
 * group: MULTI its first record, EXEC its last (anything else is damage),
 * so it is applied whole or, torn, not at all. */
static size_t feed_checked(vs_engine *eng, vs_replay *r, args *a, vs_status *st, vs_err *err) {
    size_t group = 0, pos = 0;
    while (pos < r->len) {
        size_t argc = 0;
        long k = next_record(r, pos, group, a, &argc, st, err);
        if (k == 0) break;
        uint64_t want;
        if (!is_check(a, argc, &want)) {
            pos += (size_t)k; /* a record of the group */
            continue;
        }
        if (pos == group) { /* a check with no records: never written */
            damage(r, VS_REPLAY_DAMAGED, group);
            break;
        }
        uint64_t h = vs_xxh64(r->buf + group, pos - group, r->chain);
        if (h != want) {
            damage(r, VS_REPLAY_MISMATCH, group);
            break;
        }
        if (!tx_shape_ok(r, group, pos, a)) {
            damage(r, VS_REPLAY_DAMAGED, group);
            break;
        }
        for (size_t q = group; q < pos;) {
            long n = parse_grow(r->buf + q, pos - q, a, &argc);
            if (n <= 0) { /* cannot happen: parsed above */
                if (n == NOMEM) *st = vs_err_code(err, VS_ERR_NOMEM);
                else damage(r, VS_REPLAY_DAMAGED, group);
                return group;
            }
            if (!IS_MULTI(a, argc) && !IS_EXEC(a, argc) && (*st = apply(eng, r, a, argc, err)) != VS_OK) return group;
            q += (size_t)n;
        }
        r->chain = h;
        pos += (size_t)k;
        group = pos;
    }
    return group;
}

vs_status vs_replay_feed(vs_replay *r, vs_engine *eng, const uint8_t *p, size_t n, vs_err *err) {
    if (!r->active) return vs_err_set(err, VS_ERR_STATE, "ERR no replay in progress");
    if (r->corrupt) return VS_OK; /* everything after damage is ignored */
    if (append(r, p, n) != VS_OK) return vs_err_code(err, VS_ERR_NOMEM);
    args a;
    args_init(&a);
    vs_status st = VS_OK;
    int was_journaling = eng->journal.enabled;
    int expire_mode = eng->expire_mode;
    eng->journal.enabled = 0;
    eng->expire_mode = VS_EXPIRE_OFF; /* as Redis while loading: the journal's
                                         own DEL records expire keys */
    size_t pos = r->format == 2 ? feed_checked(eng, r, &a, &st, err) : feed_plain(eng, r, &a, &st, err);
    eng->journal.enabled = was_journaling;
    eng->expire_mode = expire_mode;
    args_free(&a);
    /* Keep only the unparsed tail. */
    if (pos) {
        memmove(r->buf, r->buf + pos, r->len - pos);
        r->len -= pos;
        r->offset += pos;
    }
    return st;
}

/* Format 2, at the end: is the unconsumed tail complete records without
 * their check (damage), rather than a group cut short (a torn tail)? */
static int unchecked_tail(vs_replay *r) {
    args a;
    args_init(&a);
    size_t pos = 0;
    while (pos < r->len) {
        size_t argc;
        long k = parse_grow(r->buf + pos, r->len - pos, &a, &argc);
        if (k <= 0) break;
        pos += (size_t)k;
    }
    args_free(&a);
    return pos == r->len;
}

vs_status vs_replay_end(vs_replay *r, vs_engine *eng, int keep_prefix, uint64_t *valid, uint64_t *torn,
                        vs_err *err) {
    if (!r->active) return vs_err_set(err, VS_ERR_STATE, "ERR no replay in progress");
    vs_status st = VS_OK;
    if (!r->corrupt && r->format == 2 && r->len && unchecked_tail(r)) damage(r, VS_REPLAY_UNCHECKED, 0);
    if (r->corrupt) {
        *valid = r->corrupt_at;
        *torn = 0;
        if (!keep_prefix) {
            unsigned long long at = (unsigned long long)r->corrupt_at;
            if (r->corrupt == VS_REPLAY_MISMATCH)
                st = vs_err_set(err, VS_ERR_CORRUPT, "Bad journal: checksum mismatch in the records at offset %llu", at);
            else if (r->corrupt == VS_REPLAY_UNCHECKED)
                st = vs_err_set(err, VS_ERR_CORRUPT, "Bad journal: the records at offset %llu are not followed by their check", at);
            else
                st = vs_err_set(err, VS_ERR_CORRUPT, "Bad journal: damaged record at offset %llu", at);
        }
    } else {
        *valid = r->offset;
        *torn = r->len;
    }
    /* New records continue the journal's check chain. */
    if (r->format == 2) vs_journal_restart(&eng->journal, r->chain);
    if (r->multi) eng->journal.multi = 1;
    eng->journal.db = r->db;
    vs_free(r->buf);
    uint64_t applied = r->applied, failed = r->failed;
    memset(r, 0, sizeof *r);
    r->applied = applied;
    r->failed = failed;
    /* Integrate what changed since the snapshot. */
    eng->defer_index = 0;
    for (uint32_t d = 0; d < eng->ndbs; d++) {
        vs_store *s = vs_engine_db_if(eng, d);
        if (s) vs_search_end_deferred(&s->search);
    }
    return st;
}
