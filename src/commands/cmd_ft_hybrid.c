/* cmd_ft_hybrid.c - FT.HYBRID: the index lookup (RediSearch's "No such
 * index" text, the command being RediSearch's), then the stages of
 * query/hybrid.h (parse, execute, render). */
#include "commands/commands.h"
#include "commands/engine.h"
#include "commands/expiry.h"
#include "query/hybrid.h"
#include "query/registry.h"

vs_status vs_cmd_ft_hybrid(vs_ctx *c) {
    const vs_ftindex *x = vs_search_find(&c->eng->store->search, c->argv[1], c->argvlen[1]);
    if (!x) return vs_err_set(c->err, VS_ERR, "No such index %.*s", (int)c->argvlen[1], (const char *)c->argv[1]);
    vs_arena ar = {0};
    vs_hybrid_plan p;
    vs_hybrid_rows rows;
    vs_status st = vs_hybrid_parse(x, c->argv + 2, c->argvlen + 2, c->argc - 2, &ar, &p, c->err);
    if (st == VS_OK) st = vs_hybrid_exec(&p, vs_expire_horizon(c->eng), &rows);
    if (st == VS_OK) {
        vs_hybrid_render(c->r, &p, &rows);
        vs_hybrid_rows_free(&rows);
    }
    vs_arena_free(&ar);
    return st;
}
