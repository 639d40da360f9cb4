/* cmd_ft_alias.c - FT.ALIASADD, FT.ALIASUPDATE, FT.ALIASDEL (RediSearch's
 * commands: valkey-search has none).  The registry does the work and
 * words the errors (query/registry.h); a failure changes nothing.  The
 * commands are journaled as given (VS_CMD_JOURNAL), like FT.CREATE. */
#include "commands/commands.h"
#include "commands/engine.h"
#include "query/registry.h"

/* FT.ALIASADD alias index */
vs_status vs_cmd_ft_aliasadd(vs_ctx *c) {
    vs_status st = vs_search_alias_add(&c->eng->store->search, c->argv[1], c->argvlen[1], c->argv[2], c->argvlen[2],
                                       c->err);
    if (st == VS_OK) vs_reply_simple(c->r, "OK");
    return st;
}

/* FT.ALIASUPDATE alias index: adds the alias, or moves it to index. */
vs_status vs_cmd_ft_aliasupdate(vs_ctx *c) {
    vs_status st = vs_search_alias_update(&c->eng->store->search, c->argv[1], c->argvlen[1], c->argv[2],
                                          c->argvlen[2], c->err);
    if (st == VS_OK) vs_reply_simple(c->r, "OK");
    return st;
}

/* FT.ALIASDEL alias */
vs_status vs_cmd_ft_aliasdel(vs_ctx *c) {
    vs_status st = vs_search_alias_del(&c->eng->store->search, c->argv[1], c->argvlen[1], c->err);
    if (st == VS_OK) vs_reply_simple(c->r, "OK");
    return st;
}
