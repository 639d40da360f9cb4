/* cmd_ft.c - FT.CREATE, FT.DROPINDEX, FT.DROP, FT._LIST (FT.SEARCH is in
 * cmd_ft_search.c, FT.INFO in cmd_ft_info.c).  Replies and errors follow valkey-search; module errors
 * carry no "ERR " prefix.  FT.DROP is RediSearch's legacy form of FT.DROPINDEX: it deletes the
 * indexed documents unless KEEPDOCS is given.  Both drops are all-or-nothing: every check (index,
 * option, journal room for the deletions) comes before anything changes, and the deletions go
 * through the keyspace, so other indexes and the journal hear them. */
#include <string.h>

#include "commands/commands.h"
#include "commands/engine.h"
#include "query/registry.h"

vs_status vs_cmd_ft_create(vs_ctx *c) {
    vs_args a = {c->argv, c->argvlen, 1, c->argc};
    vs_status st = vs_search_create(&c->eng->store->search, &a, c->err);
    if (st == VS_OK) vs_reply_simple(c->r, "OK");
    return st;
}

/* Journal room for what a drop with DD records: a DEL per document, then
 * the drop's own record and its check (vs_journal_reserve counts from the
 * journal's current length, so this one reservation must cover them all). */
static vs_status reserve_dd(vs_ctx *c) {
    const vs_ftindex *x = vs_search_find(&c->eng->store->search, c->argv[1], c->argvlen[1]);
    if (!x || !c->eng->journal.enabled) return VS_OK;
    size_t need = vs_resp_command_size(c->argc, c->argvlen) + VS_JOURNAL_CHECK_LEN;
    uint32_t bound = vs_ks_id_bound(&c->eng->store->ks);
    for (uint32_t id = 0; id < bound; id++) {
        if (!vs_ftindex_holds(x, id)) continue;
        const vs_kentry *e = vs_ks_by_id(&c->eng->store->ks, id);
        if (e) need += e->klen + 32;
    }
    return vs_journal_reserve(&c->eng->journal, need);
}

/* The drop both forms share: `dd` deletes the index's documents. */
static vs_status drop(vs_ctx *c, int dd) {
    if (dd) {
        vs_status st = reserve_dd(c);
        if (st != VS_OK) return st;
    }
    vs_status st = vs_search_drop(&c->eng->store->search, c->argv[1], c->argvlen[1], dd, c->err);
    if (st == VS_OK) vs_reply_simple(c->r, "OK");
    return st;
}

static vs_status unexpected_argument(vs_ctx *c, int i) {
    return vs_err_set(c->err, VS_ERR, "Unexpected argument `%.*s`", (int)c->argvlen[i], (const char *)c->argv[i]);
}

/* FT.DROPINDEX idx [DD] */
vs_status vs_cmd_ft_dropindex(vs_ctx *c) {
    if (c->argc > 3) return vs_arity_error(c);
    if (c->argc == 3 && !vs_arg_is(c, 2, "DD")) return unexpected_argument(c, 2);
    return drop(c, c->argc == 3);
}

/* FT.DROP idx [KEEPDOCS].  An empty third argument is no option: redis-py 4.3's
 * dropindex(delete_documents=True) sends `FT.DROP idx ""`.  RediSearch ignores any other
 * option too and deletes the documents; Vessel refuses it, so a mistyped KEEPDOCS cannot
 * delete them. */
vs_status vs_cmd_ft_drop(vs_ctx *c) {
    if (c->argc > 3) return vs_arity_error(c);
    int keep = c->argc == 3 && c->argvlen[2] > 0;
    if (keep && !vs_arg_is(c, 2, "KEEPDOCS")) return unexpected_argument(c, 2);
    return drop(c, !keep);
}

vs_status vs_cmd_ft_list(vs_ctx *c) {
    const vs_search *s = &c->eng->store->search;
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
