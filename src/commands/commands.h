/* commands.h - declarations of every command handler, grouped by the file
 * that implements it.  The table in command.c is the only user. */
#ifndef VS_COMMANDS_H
#define VS_COMMANDS_H

#include "commands/command.h"

/* cmd_conn.c: connection and server commands */
vs_status vs_cmd_ping(vs_ctx *c);
vs_status vs_cmd_echo(vs_ctx *c);
vs_status vs_cmd_dbsize(vs_ctx *c);
vs_status vs_cmd_flushall(vs_ctx *c);
vs_status vs_cmd_flushdb(vs_ctx *c);
vs_status vs_cmd_select(vs_ctx *c);
vs_status vs_cmd_swapdb(vs_ctx *c);
vs_status vs_cmd_move(vs_ctx *c);
vs_status vs_cmd_config(vs_ctx *c);

/* cmd_command.c: COMMAND and its subcommands */
vs_status vs_cmd_command(vs_ctx *c);

/* cmd_keys.c: generic key commands */
vs_status vs_cmd_del(vs_ctx *c);
vs_status vs_cmd_exists(vs_ctx *c);
vs_status vs_cmd_type(vs_ctx *c);
vs_status vs_cmd_rename(vs_ctx *c);
vs_status vs_cmd_renamenx(vs_ctx *c);
vs_status vs_cmd_keys(vs_ctx *c);
vs_status vs_cmd_scan(vs_ctx *c);

/* cmd_expire.c: key expiry */
vs_status vs_cmd_expire(vs_ctx *c);
vs_status vs_cmd_pexpire(vs_ctx *c);
vs_status vs_cmd_expireat(vs_ctx *c);
vs_status vs_cmd_pexpireat(vs_ctx *c);
vs_status vs_cmd_ttl(vs_ctx *c);
vs_status vs_cmd_pttl(vs_ctx *c);
vs_status vs_cmd_expiretime(vs_ctx *c);
vs_status vs_cmd_pexpiretime(vs_ctx *c);
vs_status vs_cmd_persist(vs_ctx *c);

/* cmd_string.c: strings */
vs_status vs_cmd_set(vs_ctx *c);
vs_status vs_cmd_setex(vs_ctx *c);
vs_status vs_cmd_psetex(vs_ctx *c);
vs_status vs_cmd_get(vs_ctx *c);
vs_status vs_cmd_getex(vs_ctx *c);

/* cmd_hash.c: hashes */
vs_status vs_cmd_hset(vs_ctx *c);
vs_status vs_cmd_hmset(vs_ctx *c);
vs_status vs_cmd_hsetnx(vs_ctx *c);
vs_status vs_cmd_hget(vs_ctx *c);
vs_status vs_cmd_hmget(vs_ctx *c);
vs_status vs_cmd_hgetall(vs_ctx *c);
vs_status vs_cmd_hdel(vs_ctx *c);
vs_status vs_cmd_hlen(vs_ctx *c);
vs_status vs_cmd_hexists(vs_ctx *c);
vs_status vs_cmd_hkeys(vs_ctx *c);
vs_status vs_cmd_hvals(vs_ctx *c);
vs_status vs_cmd_hstrlen(vs_ctx *c);
vs_status vs_cmd_hincrby(vs_ctx *c);
vs_status vs_cmd_hincrbyfloat(vs_ctx *c);

/* cmd_multi.c: transactions */
vs_status vs_cmd_multi(vs_ctx *c);
vs_status vs_cmd_exec(vs_ctx *c);
vs_status vs_cmd_discard(vs_ctx *c);
vs_status vs_cmd_watch(vs_ctx *c);
vs_status vs_cmd_unwatch(vs_ctx *c);
/* End the current client's transaction with
 * "EXECABORT Transaction discarded because of: <reason>". */
vs_status vs_exec_abort(vs_ctx *c, const char *reason);
/* Queue, in the current client's transaction, the place of a command a
 * front end answers itself (EXEC replies a null there for the front end
 * to replace).  Its index in the queue; -1 when not queued (not in MULTI,
 * or the transaction is doomed); VS_ERR_NOMEM (transaction doomed). */
int vs_client_queue_frontend(vs_engine *eng);

/* cmd_ft.c, cmd_ft_search.c: the search module */
vs_status vs_cmd_ft_create(vs_ctx *c);
vs_status vs_cmd_ft_search(vs_ctx *c);
vs_status vs_cmd_ft_aggregate(vs_ctx *c);
/* cmd_ft_hybrid.c */
vs_status vs_cmd_ft_hybrid(vs_ctx *c);
vs_status vs_cmd_ft_info(vs_ctx *c);
vs_status vs_cmd_ft_dropindex(vs_ctx *c);
vs_status vs_cmd_ft_drop(vs_ctx *c);
vs_status vs_cmd_ft_list(vs_ctx *c);
vs_status vs_cmd_ft_aliasadd(vs_ctx *c);
vs_status vs_cmd_ft_aliasupdate(vs_ctx *c);
vs_status vs_cmd_ft_aliasdel(vs_ctx *c);

#endif
