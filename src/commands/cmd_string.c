/* cmd_string.c - string commands.  Strings exist so that type errors and
 * mixed keyspaces behave as in Redis; keys never expire in Vessel, so the
 * expiry options of SET are refused with a clear error. */
#include "commands/commands.h"
#include "commands/engine.h"
#include "data/keyspace.h"

#define ARG(i) c->argv[i], c->argvlen[i]

/* Redis reads SET's options as C strings ("NX\0junk" is NX). */
#define OPT(i, kw) vs_eq_nocase_cstr(ARG(i), kw)

vs_status vs_cmd_set(vs_ctx *c) {
    int nx = 0, xx = 0, get = 0;
    for (int i = 3; i < c->argc; i++) {
        if (OPT(i, "NX") && !xx)
            nx = 1;
        else if (OPT(i, "XX") && !nx)
            xx = 1;
        else if (OPT(i, "GET"))
            get = 1;
        else if (OPT(i, "KEEPTTL"))
            continue;
        else if ((OPT(i, "EX") || OPT(i, "PX") || OPT(i, "EXAT") || OPT(i, "PXAT")) && i + 1 < c->argc)
            return vs_err_set(c->err, VS_ERR, "ERR keys do not expire in Vessel: SET %.*s is not supported",
                              (int)c->argvlen[i], (const char *)c->argv[i]);
        else
            return VS_ERR_SYNTAX;
    }
    vs_kentry *e = vs_ks_find(&c->eng->store.ks, ARG(1));
    if (get && e && e->type != VS_TYPE_STRING) return VS_ERR_WRONGTYPE;
    if ((nx && e) || (xx && !e)) {
        if (!get)
            vs_reply_null(c->r);
        else if (e)
            vs_reply_bulk(c->r, e->v.str->data, e->v.str->len);
        else
            vs_reply_null(c->r);
        return VS_OK;
    }
    if (get) {
        /* The old value is replied before it is replaced. */
        if (e)
            vs_reply_bulk(c->r, e->v.str->data, e->v.str->len);
        else
            vs_reply_null(c->r);
    }
    vs_kwrite w;
    vs_status st = vs_kw_string_begin(&w, &c->eng->store.ks, ARG(1), ARG(2));
    if (st == VS_OK) st = vs_kw_commit(&w);
    if (st == VS_OK && !get) vs_reply_simple(c->r, "OK");
    return st;
}

vs_status vs_cmd_get(vs_ctx *c) {
    vs_kentry *e = vs_ks_find(&c->eng->store.ks, ARG(1));
    if (!e) {
        vs_reply_null(c->r);
        return VS_OK;
    }
    if (e->type != VS_TYPE_STRING) return VS_ERR_WRONGTYPE;
    vs_reply_bulk(c->r, e->v.str->data, e->v.str->len);
    return VS_OK;
}
