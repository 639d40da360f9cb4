/* cmd_db.c - the numbered databases' commands, as Redis 7.0 answers them:
 * SELECT, SWAPDB, MOVE, DBSIZE, FLUSHDB, FLUSHALL.
 *
 * A database is made when a command first names it (SELECT, MOVE's
 * destination, SWAPDB): out of memory there changes nothing.  MOVE copies
 * the key into the destination (one write, then its expiry time), then
 * deletes it from the source, which never fails: a failed copy is taken
 * back, so MOVE is all or nothing.  The journal records MOVE as its
 * effects (the destination's HSET/SET and PEXPIREAT, the source's DEL,
 * each after a SELECT), SWAPDB as itself, FLUSHALL as one FLUSHALL. */
#include <limits.h>
#include <string.h>

#include "commands/commands.h"
#include "commands/engine.h"
#include "commands/expiry.h"
#include "data/expires.h"
#include "data/journal.h"
#include "base/util.h"

#define ARG(i) c->argv[i], c->argvlen[i]

/* A database number as Redis's getIntFromObjectOrReply reads it: `msg`
 * replaces the integer errors when given (SWAPDB). */
static vs_status db_arg(vs_ctx *c, int i, const char *msg, long long *out) {
    if (!vs_parse_ll(ARG(i), out))
        return msg ? vs_err_set(c->err, VS_ERR, "ERR %s", msg) : vs_err_code(c->err, VS_ERR_NOTINT);
    if (*out < INT_MIN || *out > INT_MAX)
        return msg ? vs_err_set(c->err, VS_ERR, "ERR %s", msg)
                   : vs_err_set(c->err, VS_ERR, "ERR value is out of range, value must between %d and %d", INT_MIN,
                                INT_MAX);
    return VS_OK;
}

static int db_in_range(const vs_ctx *c, long long n) { return n >= 0 && n < (long long)c->eng->ndbs; }

static vs_status out_of_range(vs_ctx *c) { return vs_err_set(c->err, VS_ERR, "ERR DB index is out of range"); }

vs_status vs_cmd_select(vs_ctx *c) {
    long long n;
    vs_status st = db_arg(c, 1, NULL, &n);
    if (st != VS_OK) return st;
    if (!db_in_range(c, n)) return out_of_range(c);
    st = vs_engine_select(c->eng, (uint32_t)n);
    if (st == VS_OK) vs_reply_simple(c->r, "OK");
    return st;
}

vs_status vs_cmd_swapdb(vs_ctx *c) {
    long long a, b;
    vs_status st = db_arg(c, 1, "invalid first DB index", &a);
    if (st == VS_OK) st = db_arg(c, 2, "invalid second DB index", &b);
    if (st != VS_OK) return st;
    if (!db_in_range(c, a) || !db_in_range(c, b)) return out_of_range(c);
    st = vs_engine_swap(c->eng, (uint32_t)a, (uint32_t)b);
    if (st == VS_OK) vs_reply_simple(c->r, "OK");
    return st;
}

/* The copy of e (a key of the source) as key of keyspace dst. */
static vs_status copy_key(vs_engine *eng, vs_keyspace *dst, const vs_kentry *e, int64_t when) {
    vs_kwrite w;
    vs_status st;
    if (e->type == VS_TYPE_STRING)
        return vs_kw_string_begin(&w, dst, e->key, e->klen, e->v.str->data, e->v.str->len, when) == VS_OK
                   ? vs_kw_commit(&w)
                   : VS_ERR_NOMEM;
    st = vs_kw_hash_begin(&w, dst, e->key, e->klen, 1);
    if (st != VS_OK) return st;
    const vs_hash *h = e->v.hash;
    for (uint32_t i = 0; i < h->n && st == VS_OK; i++)
        st = vs_kw_hset(&w, vs_hfield_name(h->f[i]), h->f[i]->flen, vs_hfield_value(h->f[i]), h->f[i]->vlen);
    if (st != VS_OK) {
        vs_kw_discard(&w);
        return st;
    }
    st = vs_kw_commit(&w);
    if (st != VS_OK || when == VS_NO_EXPIRE) return st;
    st = vs_kw_expire_begin(&w, dst, e->key, e->klen, when);
    if (st == VS_OK) st = vs_kw_commit(&w);
    if (st != VS_OK) vs_ks_delete(dst, e->key, e->klen); /* taken back: a removal never fails */
    (void)eng;
    return st;
}

vs_status vs_cmd_move(vs_ctx *c) {
    vs_engine *eng = c->eng;
    long long n;
    vs_status st = db_arg(c, 2, NULL, &n);
    if (st != VS_OK) return st;
    if (!db_in_range(c, n)) return out_of_range(c);
    if ((uint32_t)n == vs_engine_dbnum(eng))
        return vs_err_set(c->err, VS_ERR, "ERR source and destination objects are the same");
    vs_store *src = eng->store;
    vs_kentry *e;
    st = vs_lookup_write(eng, ARG(1), &e);
    if (st != VS_OK) return st;
    if (!e) {
        vs_reply_int(c->r, 0);
        return VS_OK;
    }
    vs_store *dst;
    int had = vs_engine_db_if(eng, (uint32_t)n) != NULL;
    st = vs_engine_db(eng, (uint32_t)n, &dst);
    if (st != VS_OK) return st;
    vs_kentry *there;
    st = vs_lookup_write_in(eng, &dst->ks, ARG(1), &there);
    if (st != VS_OK) return st;
    if (there) {
        vs_reply_int(c->r, 0);
        return VS_OK;
    }
    st = copy_key(eng, &dst->ks, e, vs_exp_of(&src->ks, e));
    if (st != VS_OK) {
        if (!had) vs_engine_db_unmake(eng, (uint32_t)n); /* made here, still empty */
        return st;
    }
    vs_ks_delete(&src->ks, ARG(1));
    vs_reply_int(c->r, 1);
    return VS_OK;
}

vs_status vs_cmd_dbsize(vs_ctx *c) {
    vs_reply_int(c->r, c->eng->store->ks.count);
    return VS_OK;
}

/* FLUSHDB / FLUSHALL [ASYNC|SYNC]: Redis compares the argument with
 * strcasecmp, as a C string. */
static vs_status flush_args(vs_ctx *c) {
    if (c->argc > 2) return VS_ERR_SYNTAX;
    if (c->argc == 2 && !vs_eq_nocase_cstr(ARG(1), "ASYNC") && !vs_eq_nocase_cstr(ARG(1), "SYNC"))
        return VS_ERR_SYNTAX;
    return VS_OK;
}

/* Keys go, indexes stay defined (emptied). */
vs_status vs_cmd_flushdb(vs_ctx *c) {
    vs_status st = flush_args(c);
    if (st != VS_OK) return st;
    vs_ks_flush(&c->eng->store->ks);
    vs_reply_simple(c->r, "OK");
    return VS_OK;
}

vs_status vs_cmd_flushall(vs_ctx *c) {
    vs_status st = flush_args(c);
    if (st != VS_OK) return st;
    vs_engine *eng = c->eng;
    eng->journal.flushall = 1; /* one FLUSHALL record, whatever the databases */
    for (uint32_t d = 0; d < eng->ndbs; d++) {
        vs_store *s = vs_engine_db_if(eng, d);
        if (s && (d == 0 || s->ks.count)) vs_ks_flush(&s->ks);
    }
    eng->journal.flushall = 0;
    vs_reply_simple(c->r, "OK");
    return VS_OK;
}
