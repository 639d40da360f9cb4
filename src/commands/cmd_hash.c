/* cmd_hash.c - hash commands (HSET ... HINCRBYFLOAT), Redis-exact replies. */
#include <math.h>
#include <string.h>

#include "commands/commands.h"
#include "commands/engine.h"
#include "commands/expiry.h"
#include "data/keyspace.h"
#include "base/util.h"

#define ARG(i) c->argv[i], c->argvlen[i]

/* The hash at argv[1] for reading: VS_OK with *h NULL when missing. */
static vs_status read_hash(vs_ctx *c, const vs_hash **h) {
    vs_kentry *e = vs_lookup(c->eng, ARG(1));
    *h = NULL;
    if (!e) return VS_OK;
    if (e->type != VS_TYPE_HASH) return VS_ERR_WRONGTYPE;
    *h = e->v.hash;
    return VS_OK;
}

/* Set the field/value pairs argv[2..] on the hash at argv[1]; *added gets
 * the number of new fields. */
static vs_status hset_pairs(vs_ctx *c, uint32_t *added) {
    if (c->argc % 2 == 1) return vs_arity_error(c);
    vs_kwrite w;
    vs_kentry *e;
    vs_status st = vs_lookup_write(c->eng, ARG(1), &e); /* an expired key is deleted first */
    if (st != VS_OK) return st;
    st = vs_kw_hash_begin(&w, &c->eng->store->ks, ARG(1), 1);
    if (st != VS_OK) return st;
    for (int i = 2; i < c->argc; i += 2) {
        st = vs_kw_hset(&w, ARG(i), ARG(i + 1));
        if (st != VS_OK) {
            vs_kw_discard(&w);
            return st;
        }
    }
    *added = w.plan.added;
    return vs_kw_commit(&w);
}

vs_status vs_cmd_hset(vs_ctx *c) {
    uint32_t added;
    vs_status st = hset_pairs(c, &added);
    if (st == VS_OK) vs_reply_int(c->r, added);
    return st;
}

vs_status vs_cmd_hmset(vs_ctx *c) {
    uint32_t added;
    vs_status st = hset_pairs(c, &added);
    if (st == VS_OK) vs_reply_simple(c->r, "OK");
    return st;
}

vs_status vs_cmd_hsetnx(vs_ctx *c) {
    vs_kwrite w;
    vs_kentry *e;
    vs_status st = vs_lookup_write(c->eng, ARG(1), &e); /* an expired key is deleted first */
    if (st != VS_OK) return st;
    st = vs_kw_hash_begin(&w, &c->eng->store->ks, ARG(1), 1);
    if (st != VS_OK) return st;
    if (vs_hash_get(vs_kw_hash(&w), ARG(2))) {
        vs_kw_discard(&w);
        vs_reply_int(c->r, 0);
        return VS_OK;
    }
    st = vs_kw_hset(&w, ARG(2), ARG(3));
    if (st == VS_OK) {
        st = vs_kw_commit(&w);
    } else {
        vs_kw_discard(&w);
    }
    if (st == VS_OK) vs_reply_int(c->r, 1);
    return st;
}

vs_status vs_cmd_hget(vs_ctx *c) {
    const vs_hash *h;
    vs_status st = read_hash(c, &h);
    if (st != VS_OK) return st;
    const vs_hfield *f = vs_hash_get(h, ARG(2));
    if (f)
        vs_reply_bulk(c->r, vs_hfield_value(f), f->vlen);
    else
        vs_reply_null(c->r);
    return VS_OK;
}

vs_status vs_cmd_hmget(vs_ctx *c) {
    const vs_hash *h;
    vs_status st = read_hash(c, &h);
    if (st != VS_OK) return st;
    vs_reply_array(c->r, (size_t)c->argc - 2);
    for (int i = 2; i < c->argc; i++) {
        const vs_hfield *f = vs_hash_get(h, ARG(i));
        if (f)
            vs_reply_bulk(c->r, vs_hfield_value(f), f->vlen);
        else
            vs_reply_null(c->r);
    }
    return VS_OK;
}

/* HGETALL, HKEYS, HVALS: what = 3 (both, as a map), 1 (names), 2 (values). */
static vs_status reply_fields(vs_ctx *c, int what) {
    const vs_hash *h;
    vs_status st = read_hash(c, &h);
    if (st != VS_OK) return st;
    uint32_t n = h ? h->n : 0;
    if (what == 3)
        vs_reply_map(c->r, n);
    else
        vs_reply_array(c->r, n);
    for (uint32_t i = 0; i < n; i++) {
        const vs_hfield *f = h->f[i];
        if (what & 1) vs_reply_bulk(c->r, vs_hfield_name(f), f->flen);
        if (what & 2) vs_reply_bulk(c->r, vs_hfield_value(f), f->vlen);
    }
    return VS_OK;
}

vs_status vs_cmd_hgetall(vs_ctx *c) { return reply_fields(c, 3); }
vs_status vs_cmd_hkeys(vs_ctx *c) { return reply_fields(c, 1); }
vs_status vs_cmd_hvals(vs_ctx *c) { return reply_fields(c, 2); }

vs_status vs_cmd_hdel(vs_ctx *c) {
    vs_kwrite w;
    vs_kentry *e;
    vs_status st = vs_lookup_write(c->eng, ARG(1), &e); /* an expired key is deleted first */
    if (st != VS_OK) return st;
    st = vs_kw_hash_begin(&w, &c->eng->store->ks, ARG(1), 0);
    if (st != VS_OK) return st;
    if (!w.plan.h) {
        vs_reply_int(c->r, 0);
        return VS_OK;
    }
    for (int i = 2; i < c->argc; i++) {
        st = vs_kw_hdel(&w, ARG(i));
        if (st != VS_OK) {
            vs_kw_discard(&w);
            return st;
        }
    }
    uint32_t removed = w.plan.removed;
    st = vs_kw_commit(&w);
    if (st == VS_OK) vs_reply_int(c->r, removed);
    return st;
}

vs_status vs_cmd_hlen(vs_ctx *c) {
    const vs_hash *h;
    vs_status st = read_hash(c, &h);
    if (st == VS_OK) vs_reply_int(c->r, h ? h->n : 0);
    return st;
}

vs_status vs_cmd_hexists(vs_ctx *c) {
    const vs_hash *h;
    vs_status st = read_hash(c, &h);
    if (st == VS_OK) vs_reply_int(c->r, vs_hash_get(h, ARG(2)) ? 1 : 0);
    return st;
}

vs_status vs_cmd_hstrlen(vs_ctx *c) {
    const vs_hash *h;
    vs_status st = read_hash(c, &h);
    if (st != VS_OK) return st;
    const vs_hfield *f = vs_hash_get(h, ARG(2));
    vs_reply_int(c->r, f ? f->vlen : 0);
    return VS_OK;
}

/* Write value (len n) to field argv[2] of the hash being written. */
static vs_status set_field(vs_kwrite *w, vs_ctx *c, const char *v, size_t n) {
    vs_status st = vs_kw_hset(w, ARG(2), (const uint8_t *)v, n);
    if (st != VS_OK) {
        vs_kw_discard(w);
        return st;
    }
    return vs_kw_commit(w);
}

vs_status vs_cmd_hincrby(vs_ctx *c) {
    long long incr, old = 0;
    vs_status st = vs_arg_ll(c, 3, &incr);
    if (st != VS_OK) return st;
    vs_kwrite w;
    vs_kentry *e;
    st = vs_lookup_write(c->eng, ARG(1), &e); /* an expired key is deleted first */
    if (st != VS_OK) return st;
    st = vs_kw_hash_begin(&w, &c->eng->store->ks, ARG(1), 1);
    if (st != VS_OK) return st;
    const vs_hfield *f = vs_hash_get(vs_kw_hash(&w), ARG(2));
    if (f && !vs_parse_ll(vs_hfield_value(f), f->vlen, &old)) {
        vs_kw_discard(&w);
        return vs_err_set(c->err, VS_ERR, "ERR hash value is not an integer");
    }
    if ((incr < 0 && old < 0 && incr < (LLONG_MIN - old)) ||
        (incr > 0 && old > 0 && incr > (LLONG_MAX - old))) {
        vs_kw_discard(&w);
        return vs_err_set(c->err, VS_ERR, "ERR increment or decrement would overflow");
    }
    long long v = old + incr;
    char buf[24];
    int n = vs_ll2str(buf, v);
    st = set_field(&w, c, buf, (size_t)n);
    if (st == VS_OK) vs_reply_int(c->r, v);
    return st;
}

vs_status vs_cmd_hincrbyfloat(vs_ctx *c) {
    long double incr, old = 0;
    if (!vs_parse_ld(ARG(3), &incr)) return vs_err_set(c->err, VS_ERR, "ERR value is not a valid float");
    if (isnan(incr) || isinf(incr)) return vs_err_set(c->err, VS_ERR, "ERR value is NaN or Infinity");
    vs_kwrite w;
    vs_kentry *e;
    vs_status st = vs_lookup_write(c->eng, ARG(1), &e); /* an expired key is deleted first */
    if (st != VS_OK) return st;
    st = vs_kw_hash_begin(&w, &c->eng->store->ks, ARG(1), 1);
    if (st != VS_OK) return st;
    const vs_hfield *f = vs_hash_get(vs_kw_hash(&w), ARG(2));
    if (f && !vs_parse_ld(vs_hfield_value(f), f->vlen, &old)) {
        vs_kw_discard(&w);
        return vs_err_set(c->err, VS_ERR, "ERR hash value is not a float");
    }
    long double v = vs_ld_round80(old + incr);
    if (isnan(v) || isinf(v)) {
        vs_kw_discard(&w);
        return vs_err_set(c->err, VS_ERR, "ERR increment would produce NaN or Infinity");
    }
    static char buf[VS_LD_STR_MAX];
    int n = vs_ld2str(buf, sizeof buf, v);
    st = set_field(&w, c, buf, (size_t)n);
    if (st == VS_OK) vs_reply_bulk(c->r, buf, (size_t)n);
    return st;
}
