/* cmd_ft_aggregate.c - FT.AGGREGATE: the index lookup, then the stages of
 * query/aggregate.h (parse, execute, render).  The index is looked up
 * before anything else is checked, as FT.SEARCH does.  The engine's
 * search.emulate-release (and its counters) goes with the plan. */
#include "commands/commands.h"
#include "commands/engine.h"
#include "commands/expiry.h"
#include "query/aggregate.h"
#include "query/registry.h"

vs_status vs_cmd_ft_aggregate(vs_ctx *c) {
    const vs_ftindex *x = vs_search_find(&c->eng->store->search, c->argv[1], c->argvlen[1]);
    if (!x) return vs_search_not_found(&c->eng->store->search, c->argv[1], c->argvlen[1], c->err);
    vs_arena ar = {0};
    vs_agg_plan p;
    vs_agg_rows rows;
    vs_status st = vs_agg_parse(x, c->argv + 2, c->argvlen + 2, c->argc - 2, &ar, &c->eng->compat, &p, c->err);
    p.sp.horizon = vs_expire_horizon(c->eng); /* expired documents are never returned */
    if (st == VS_OK) st = vs_agg_exec(&p, &rows);
    if (st == VS_OK) {
        st = vs_agg_render(c->r, &p, &rows);
        vs_agg_rows_free(&rows);
    }
    vs_arena_free(&ar);
    return st;
}
