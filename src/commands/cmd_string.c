/* cmd_string.c - string commands: SET (NX, XX, GET, EX, PX, EXAT, PXAT,
 * KEEPTTL), SETEX, PSETEX, GET, GETEX, as Redis 7.0's t_string.c.
 *
 * Strings exist so that type errors, mixed keyspaces and expiring values
 * (a session, a cache entry) behave as in Redis.  Order of checks as
 * Redis: the options (syntax), the expiry (integer, range), GET's type
 * check, then NX/XX.  SET without KEEPTTL drops the key's time; with a
 * time it is recorded in the journal as SET key value PXAT ms. */
#include <limits.h>

#include "commands/commands.h"
#include "commands/engine.h"
#include "commands/expiry.h"
#include "data/expires.h"
#include "data/keyspace.h"

#define ARG(i) c->argv[i], c->argvlen[i]

/* Redis reads SET's options as C strings ("NX\0junk" is NX). */
#define OPT(i, kw) vs_eq_nocase_cstr(ARG(i), kw)

enum {
    S_NX = 1 << 0,
    S_XX = 1 << 1,
    S_GET = 1 << 2,
    S_KEEPTTL = 1 << 3,
    S_PERSIST = 1 << 4,
    S_EX = 1 << 5,
    S_PX = 1 << 6,
    S_EXAT = 1 << 7,
    S_PXAT = 1 << 8,
};
#define S_TIME (S_EX | S_PX | S_EXAT | S_PXAT)

/* Redis's parseExtendedStringArgumentsOrReply: SET's options (set = 1)
 * from argv[3], GETEX's from argv[2].  *expire: the argument index of the
 * time, 0 when none.  An option may repeat; conflicting ones are a
 * syntax error. */
static vs_status parse_options(vs_ctx *c, int set, int *flags, int *expire) {
    for (int j = set ? 3 : 2; j < c->argc; j++) {
        int next = j + 1 < c->argc;
        int f = *flags;
        if (set && OPT(j, "NX") && !(f & S_XX))
            *flags |= S_NX;
        else if (set && OPT(j, "XX") && !(f & S_NX))
            *flags |= S_XX;
        else if (set && OPT(j, "GET"))
            *flags |= S_GET;
        else if (set && OPT(j, "KEEPTTL") && !(f & (S_PERSIST | S_TIME)))
            *flags |= S_KEEPTTL;
        else if (!set && OPT(j, "PERSIST") && !(f & (S_TIME | S_KEEPTTL)))
            *flags |= S_PERSIST;
        else if (OPT(j, "EX") && !(f & (S_KEEPTTL | S_PERSIST | S_EXAT | S_PX | S_PXAT)) && next)
            *flags |= S_EX, *expire = ++j;
        else if (OPT(j, "PX") && !(f & (S_KEEPTTL | S_PERSIST | S_EX | S_EXAT | S_PXAT)) && next)
            *flags |= S_PX, *expire = ++j;
        else if (OPT(j, "EXAT") && !(f & (S_KEEPTTL | S_PERSIST | S_EX | S_PX | S_PXAT)) && next)
            *flags |= S_EXAT, *expire = ++j;
        else if (OPT(j, "PXAT") && !(f & (S_KEEPTTL | S_PERSIST | S_EX | S_EXAT | S_PX)) && next)
            *flags |= S_PXAT, *expire = ++j;
        else
            return VS_ERR_SYNTAX;
    }
    return VS_OK;
}

/* Redis's getExpireMillisecondsOrReply: argv[i] as an absolute time in
 * ms; positive, no overflow. */
static vs_status expire_ms(vs_ctx *c, int i, int flags, int64_t *out) {
    long long ms;
    vs_status st = vs_arg_ll(c, i, &ms);
    if (st != VS_OK) return st;
    int seconds = flags & (S_EX | S_EXAT);
    if (ms <= 0 || (seconds && ms > LLONG_MAX / 1000)) return vs_expire_time_error(c);
    if (seconds) ms *= 1000;
    if (flags & (S_EX | S_PX)) {
        if (ms > LLONG_MAX - c->eng->now) return vs_expire_time_error(c); /* Redis: wraps, then <= 0 */
        ms += c->eng->now;
    }
    if (ms <= 0) return vs_expire_time_error(c);
    *out = ms;
    return VS_OK;
}

/* SET key value with the parsed options; the time at argv[expire]. */
static vs_status set_generic(vs_ctx *c, int key, int val, int flags, int expire) {
    vs_engine *eng = c->eng;
    int64_t when = VS_NO_EXPIRE;
    vs_status st;
    if (expire && (st = expire_ms(c, expire, flags, &when)) != VS_OK) return st;
    int get = flags & S_GET;
    vs_kentry *e;
    if ((st = vs_lookup_write(eng, ARG(key), &e)) != VS_OK) return st;
    if (get && e && e->type != VS_TYPE_STRING) return VS_ERR_WRONGTYPE;
    if (get) {
        /* The old value is replied before it is replaced. */
        if (e)
            vs_reply_bulk(c->r, e->v.str->data, e->v.str->len);
        else
            vs_reply_null(c->r);
    }
    if (((flags & S_NX) && e) || ((flags & S_XX) && !e)) {
        if (!get) vs_reply_null(c->r);
        return VS_OK;
    }
    if ((flags & S_KEEPTTL) && e) when = vs_exp_of(&eng->store->ks, e);
    vs_kwrite w;
    st = vs_kw_string_begin(&w, &eng->store->ks, ARG(key), ARG(val), when);
    if (st == VS_OK) st = vs_kw_commit(&w);
    if (st == VS_OK && !get) vs_reply_simple(c->r, "OK");
    return st;
}

vs_status vs_cmd_set(vs_ctx *c) {
    int flags = 0, expire = 0;
    vs_status st = parse_options(c, 1, &flags, &expire);
    if (st != VS_OK) return st;
    return set_generic(c, 1, 2, flags, expire);
}

/* SETEX key seconds value, PSETEX key ms value. */
vs_status vs_cmd_setex(vs_ctx *c) { return set_generic(c, 1, 3, S_EX, 2); }
vs_status vs_cmd_psetex(vs_ctx *c) { return set_generic(c, 1, 3, S_PX, 2); }

vs_status vs_cmd_get(vs_ctx *c) {
    vs_kentry *e = vs_lookup(c->eng, ARG(1));
    if (!e) {
        vs_reply_null(c->r);
        return VS_OK;
    }
    if (e->type != VS_TYPE_STRING) return VS_ERR_WRONGTYPE;
    vs_reply_bulk(c->r, e->v.str->data, e->v.str->len);
    return VS_OK;
}

/* GETEX key [EX s | PX ms | EXAT t | PXAT t | PERSIST]: the value, then
 * the time changed (an absolute time already past deletes the key). */
vs_status vs_cmd_getex(vs_ctx *c) {
    vs_engine *eng = c->eng;
    int flags = 0, expire = 0;
    vs_status st = parse_options(c, 0, &flags, &expire);
    if (st != VS_OK) return st;
    vs_kentry *e;
    if ((st = vs_lookup_write(eng, ARG(1), &e)) != VS_OK) return st;
    if (!e) {
        vs_reply_null(c->r);
        return VS_OK;
    }
    if (e->type != VS_TYPE_STRING) return VS_ERR_WRONGTYPE;
    int64_t when = VS_NO_EXPIRE;
    if (expire && (st = expire_ms(c, expire, flags, &when)) != VS_OK) return st;
    vs_reply_bulk(c->r, e->v.str->data, e->v.str->len);
    if ((flags & (S_EXAT | S_PXAT)) && vs_expire_past(eng, when)) {
        vs_ks_delete(&eng->store->ks, ARG(1));
        return VS_OK;
    }
    if (!expire && !(flags & S_PERSIST)) return VS_OK;
    vs_kwrite w;
    st = vs_kw_expire_begin(&w, &eng->store->ks, ARG(1), when);
    if (st == VS_OK) st = vs_kw_commit(&w);
    return st;
}
