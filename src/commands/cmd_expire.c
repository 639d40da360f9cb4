/* cmd_expire.c - key expiry commands, as Redis 7.0's expire.c: EXPIRE,
 * PEXPIRE, EXPIREAT, PEXPIREAT (with NX, XX, GT, LT), TTL, PTTL,
 * EXPIRETIME, PEXPIRETIME, PERSIST.
 *
 * Every form sets an absolute time in ms (the journal records it as
 * PEXPIREAT key ms); a time already past deletes the key at once (the
 * journal records DEL), except while a journal is replayed, when the past
 * time is set as it is.  Order of checks as Redis: options, the number,
 * overflow, then the key. */
#include <limits.h>

#include "commands/commands.h"
#include "commands/engine.h"
#include "commands/expiry.h"
#include "data/expires.h"
#include "data/keyspace.h"

#define ARG(i) c->argv[i], c->argvlen[i]

enum { EXP_NX = 1, EXP_XX = 2, EXP_GT = 4, EXP_LT = 8 };

static vs_status parse_flags(vs_ctx *c, int *flags) {
    for (int i = 3; i < c->argc; i++) {
        /* Redis compares the options as C strings. */
        if (vs_eq_nocase_cstr(ARG(i), "nx"))
            *flags |= EXP_NX;
        else if (vs_eq_nocase_cstr(ARG(i), "xx"))
            *flags |= EXP_XX;
        else if (vs_eq_nocase_cstr(ARG(i), "gt"))
            *flags |= EXP_GT;
        else if (vs_eq_nocase_cstr(ARG(i), "lt"))
            *flags |= EXP_LT;
        else {
            /* Redis formats it as a C string and trims CR and LF from
             * the end of its error text.  Its text has no length limit;
             * ours stops where the error buffer does (12 KiB). */
            int k = 0;
            while ((size_t)k < c->argvlen[i] && c->argv[i][k] && (size_t)k < sizeof c->err->msg - 64) k++;
            while (k > 0 && (c->argv[i][k - 1] == '\r' || c->argv[i][k - 1] == '\n')) k--;
            return vs_err_set(c->err, VS_ERR, "ERR Unsupported option %.*s", k, (const char *)c->argv[i]);
        }
    }
    if ((*flags & EXP_NX) && (*flags & (EXP_XX | EXP_GT | EXP_LT)))
        return vs_err_set(c->err, VS_ERR, "ERR NX and XX, GT or LT options at the same time are not compatible");
    if ((*flags & EXP_GT) && (*flags & EXP_LT))
        return vs_err_set(c->err, VS_ERR, "ERR GT and LT options at the same time are not compatible");
    return VS_OK;
}

/* EXPIRE key seconds, PEXPIRE key ms (relative: basetime = now),
 * EXPIREAT key unix-seconds, PEXPIREAT key unix-ms. */
static vs_status expire_generic(vs_ctx *c, int relative, int seconds) {
    vs_engine *eng = c->eng;
    int flags = 0;
    vs_status st = parse_flags(c, &flags);
    if (st != VS_OK) return st;
    long long when;
    if ((st = vs_arg_ll(c, 2, &when)) != VS_OK) return st;
    if (seconds) {
        if (when > LLONG_MAX / 1000 || when < LLONG_MIN / 1000) return vs_expire_time_error(c);
        when *= 1000;
    }
    long long base = relative ? eng->now : 0;
    if (when > LLONG_MAX - base) return vs_expire_time_error(c);
    when += base;
    vs_kentry *e;
    if ((st = vs_lookup_write(eng, ARG(1), &e)) != VS_OK) return st;
    if (!e) {
        vs_reply_int(c->r, 0);
        return VS_OK;
    }
    if (flags) {
        int64_t cur = vs_exp_of(&eng->store->ks, e);
        int none = cur == VS_NO_EXPIRE;
        if (((flags & EXP_NX) && !none) || ((flags & EXP_XX) && none) ||
            ((flags & EXP_GT) && (none || when <= cur)) || ((flags & EXP_LT) && !none && when >= cur)) {
            vs_reply_int(c->r, 0);
            return VS_OK;
        }
    }
    if (vs_expire_past(eng, when)) {
        /* A time already past: the key is deleted now (journal: DEL). */
        vs_ks_delete(&eng->store->ks, ARG(1));
        vs_reply_int(c->r, 1);
        return VS_OK;
    }
    vs_kwrite w;
    st = vs_kw_expire_begin(&w, &eng->store->ks, ARG(1), when);
    if (st == VS_OK) st = vs_kw_commit(&w);
    if (st == VS_OK) vs_reply_int(c->r, 1);
    return st;
}

vs_status vs_cmd_expire(vs_ctx *c) { return expire_generic(c, 1, 1); }
vs_status vs_cmd_pexpire(vs_ctx *c) { return expire_generic(c, 1, 0); }
vs_status vs_cmd_expireat(vs_ctx *c) { return expire_generic(c, 0, 1); }
vs_status vs_cmd_pexpireat(vs_ctx *c) { return expire_generic(c, 0, 0); }

/* TTL family: -2 missing, -1 no time; a remaining time never below 0;
 * seconds rounded as Redis does ((ms + 500) / 1000). */
static vs_status ttl_generic(vs_ctx *c, int ms, int absolute) {
    vs_kentry *e = vs_lookup(c->eng, ARG(1));
    if (!e) {
        vs_reply_int(c->r, -2);
        return VS_OK;
    }
    int64_t when = vs_exp_of(&c->eng->store->ks, e);
    if (when == VS_NO_EXPIRE) {
        vs_reply_int(c->r, -1);
        return VS_OK;
    }
    long long t = when;
    if (!absolute) t = when > c->eng->now ? (long long)((uint64_t)when - (uint64_t)c->eng->now) : 0;
    if (t < 0) t = absolute ? 0 : LLONG_MAX;
    /* (ttl + 500) / 1000 without overflow: redis-server 7.0.15 answers
     * 9223372036854776 for EXPIRETIME after PEXPIREAT key LLONG_MAX. */
    vs_reply_int(c->r, ms ? t : (long long)(((uint64_t)t + 500) / 1000));
    return VS_OK;
}

vs_status vs_cmd_ttl(vs_ctx *c) { return ttl_generic(c, 0, 0); }
vs_status vs_cmd_pttl(vs_ctx *c) { return ttl_generic(c, 1, 0); }
vs_status vs_cmd_expiretime(vs_ctx *c) { return ttl_generic(c, 0, 1); }
vs_status vs_cmd_pexpiretime(vs_ctx *c) { return ttl_generic(c, 1, 1); }

vs_status vs_cmd_persist(vs_ctx *c) {
    vs_kentry *e;
    vs_status st = vs_lookup_write(c->eng, ARG(1), &e);
    if (st != VS_OK) return st;
    if (!e || !e->xpos) {
        vs_reply_int(c->r, 0);
        return VS_OK;
    }
    vs_kwrite w;
    st = vs_kw_expire_begin(&w, &c->eng->store->ks, ARG(1), VS_NO_EXPIRE);
    if (st == VS_OK) st = vs_kw_commit(&w);
    if (st == VS_OK) vs_reply_int(c->r, 1);
    return st;
}
