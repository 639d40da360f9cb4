/* cmd_ft.c - FT.CREATE, FT.DROPINDEX, FT._LIST (FT.SEARCH is in
 * cmd_ft_search.c, FT.INFO in cmd_ft_info.c).  Replies and errors follow valkey-search; module errors
 * carry no "ERR " prefix. */
#include <string.h>

#include "commands/commands.h"
#include "commands/engine.h"
#include "query/registry.h"

vs_status vs_cmd_ft_create(vs_ctx *c) {
    vs_args a = {c->argv, c->argvlen, 1, c->argc};
    vs_status st = vs_search_create(&c->eng->store.search, &a, c->err);
    if (st == VS_OK) vs_reply_simple(c->r, "OK");
    return st;
}

/* Journal room for the DEL records of the documents DD will delete. */
static vs_status reserve_dd(vs_ctx *c) {
    const vs_ftindex *x = vs_search_find(&c->eng->store.search, c->argv[1], c->argvlen[1]);
    if (!x || !c->eng->journal.enabled) return VS_OK;
    size_t need = 0;
    uint32_t bound = vs_ks_id_bound(&c->eng->store.ks);
    for (uint32_t id = 0; id < bound; id++) {
        if (!vs_ftindex_tracks(x, id)) continue;
        const vs_kentry *e = vs_ks_by_id(&c->eng->store.ks, id);
        if (e) need += e->klen + 32;
    }
    return vs_journal_reserve(&c->eng->journal, need);
}

vs_status vs_cmd_ft_dropindex(vs_ctx *c) {
    int dd = 0;
    if (c->argc > 3) return vs_arity_error(c);
    if (c->argc == 3) {
        if (!vs_arg_is(c, 2, "DD")) return vs_err_set(c->err, VS_ERR, "Unexpected argument `%.*s`",
                                                       (int)c->argvlen[2], (const char *)c->argv[2]);
        dd = 1;
        vs_status st = reserve_dd(c);
        if (st != VS_OK) return st;
    }
    vs_status st = vs_search_drop(&c->eng->store.search, c->argv[1], c->argvlen[1], dd, c->err);
    if (st == VS_OK) vs_reply_simple(c->r, "OK");
    return st;
}

vs_status vs_cmd_ft_list(vs_ctx *c) {
    const vs_search *s = &c->eng->store.search;
    vs_reply_set(c->r, s->n);
    for (uint32_t i = 0; i < s->n; i++) {
        const vs_schema *sc = &s->idx[i]->schema;
        if (memchr(sc->name, '\r', sc->nlen) || memchr(sc->name, '\n', sc->nlen) || memchr(sc->name, 0, sc->nlen)) {
            vs_reply_bulk(c->r, sc->name, sc->nlen);
        } else {
            vs_reply_raw(c->r, "+", 1);
            vs_reply_raw(c->r, sc->name, sc->nlen);
            vs_reply_raw(c->r, "\r\n", 2);
        }
    }
    return VS_OK;
}
