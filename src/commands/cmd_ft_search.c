/* cmd_ft_search.c - FT.SEARCH: the index lookup, then the stages of
 * query/search.h (parse, execute with its plan, render).  The index is
 * looked up before anything else is checked. */
#include "commands/commands.h"
#include "commands/engine.h"
#include "commands/expiry.h"
#include "query/registry.h"
#include "query/search.h"

vs_status vs_cmd_ft_search(vs_ctx *c) {
    const vs_ftindex *x = vs_search_find(&c->eng->store->search, c->argv[1], c->argvlen[1]);
    if (!x) return vs_search_not_found(&c->eng->store->search, c->argv[1], c->argvlen[1], c->err);
    vs_arena ar = {0};
    vs_search_plan p;
    vs_search_rows rows;
    vs_status st = vs_search_parse(x, c->argv + 2, c->argvlen + 2, c->argc - 2, &ar, &p, c->err);
    p.horizon = vs_expire_horizon(c->eng); /* expired documents are never returned */
    if (st == VS_OK) st = vs_search_exec(&p, &rows);
    if (st == VS_OK) {
        vs_search_render(c->r, &p, &rows);
        vs_search_rows_free(&rows);
    }
    vs_arena_free(&ar);
    return st;
}
