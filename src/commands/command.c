/* command.c - the command table, lookup, arity and maxmemory checks, and
 * the single place where a failed command becomes an error reply. */
#include "commands/command.h"

#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "commands/commands.h"
#include "commands/engine.h"

#define W VS_CMD_WRITE
#define R VS_CMD_READONLY
#define M VS_CMD_DENYOOM
#define F VS_CMD_FAST
#define A VS_CMD_ADMIN
#define X VS_CMD_MODULE
#define J VS_CMD_JOURNAL
#define S VS_CMD_SERVER
#define T VS_CMD_TX

/* name, arity, flags, handler, first key, last key, key step, group, since, summary
 * (the last three for COMMAND DOCS, with Redis's words where the command is Redis's) */
static const vs_command command_table[] = {
    {"ping", -1, F, vs_cmd_ping, 0, 0, 0, "connection", "1.0.0", "Returns the server's liveliness response."},
    {"echo", 2, F, vs_cmd_echo, 0, 0, 0, "connection", "1.0.0", "Returns the given string."},
    {"dbsize", 1, R | F, vs_cmd_dbsize, 0, 0, 0, "server", "1.0.0", "Returns the number of keys in the database."},
    {"flushall", -1, W | A, vs_cmd_flushall, 0, 0, 0, "server", "1.0.0", "Removes all keys from all databases."},
    {"flushdb", -1, W | A, vs_cmd_flushdb, 0, 0, 0, "server", "1.0.0", "Remove all keys from the current database."},
    {"select", 2, F | S, vs_cmd_select, 0, 0, 0, "connection", "1.0.0", "Changes the selected database."},
    {"swapdb", 3, W | F | J | S, vs_cmd_swapdb, 0, 0, 0, "server", "4.0.0", "Swaps two Redis databases."},
    {"move", 3, W | F | S, vs_cmd_move, 1, 1, 1, "generic", "1.0.0", "Moves a key to another database."},
    {"config", -2, A | S, vs_cmd_config, 0, 0, 0, "server", "2.0.0", "A container for server configuration commands (GET, SET)."},
    {"command", -1, R | S, vs_cmd_command, 0, 0, 0, "server", "2.8.13", "Returns detailed information about all commands."},

    {"del", -2, W, vs_cmd_del, 1, -1, 1, "generic", "1.0.0", "Deletes one or more keys."},
    {"unlink", -2, W | F, vs_cmd_del, 1, -1, 1, "generic", "4.0.0", "Asynchronously deletes one or more keys."},
    {"exists", -2, R | F, vs_cmd_exists, 1, -1, 1, "generic", "1.0.0", "Determines whether one or more keys exist."},
    {"type", 2, R | F, vs_cmd_type, 1, 1, 1, "generic", "1.0.0", "Determines the type of value stored at a key."},
    {"rename", 3, W, vs_cmd_rename, 1, 2, 1, "generic", "1.0.0", "Renames a key and overwrites the destination."},
    {"renamenx", 3, W | F, vs_cmd_renamenx, 1, 2, 1, "generic", "1.0.0", "Renames a key only when the target key name doesn't exist."},
    {"keys", 2, R, vs_cmd_keys, 0, 0, 0, "generic", "1.0.0", "Returns all key names that match a pattern."},
    {"scan", -2, R, vs_cmd_scan, 0, 0, 0, "generic", "2.8.0", "Iterates over the key names in the database."},
    {"expire", -3, W | F, vs_cmd_expire, 1, 1, 1, "generic", "1.0.0", "Sets the expiration time of a key in seconds."},
    {"pexpire", -3, W | F, vs_cmd_pexpire, 1, 1, 1, "generic", "2.6.0", "Sets the expiration time of a key in milliseconds."},
    {"expireat", -3, W | F, vs_cmd_expireat, 1, 1, 1, "generic", "1.2.0", "Sets the expiration time of a key to a Unix timestamp."},
    {"pexpireat", -3, W | F, vs_cmd_pexpireat, 1, 1, 1, "generic", "2.6.0", "Sets the expiration time of a key to a Unix milliseconds timestamp."},
    {"ttl", 2, R | F, vs_cmd_ttl, 1, 1, 1, "generic", "1.0.0", "Returns the expiration time in seconds of a key."},
    {"pttl", 2, R | F, vs_cmd_pttl, 1, 1, 1, "generic", "2.6.0", "Returns the expiration time in milliseconds of a key."},
    {"expiretime", 2, R | F, vs_cmd_expiretime, 1, 1, 1, "generic", "7.0.0", "Returns the expiration time of a key as a Unix timestamp."},
    {"pexpiretime", 2, R | F, vs_cmd_pexpiretime, 1, 1, 1, "generic", "7.0.0", "Returns the expiration time of a key as a Unix milliseconds timestamp."},
    {"persist", 2, W | F, vs_cmd_persist, 1, 1, 1, "generic", "2.2.0", "Removes the expiration time of a key."},

    {"set", -3, W | M, vs_cmd_set, 1, 1, 1, "string", "1.0.0", "Sets the string value of a key."},
    {"setex", 4, W | M, vs_cmd_setex, 1, 1, 1, "string", "2.0.0", "Sets the string value and expiration time of a key. Creates the key if it doesn't exist."},
    {"psetex", 4, W | M, vs_cmd_psetex, 1, 1, 1, "string", "2.6.0", "Sets both string value and expiration time in milliseconds of a key. The key is created if it doesn't exist."},
    {"get", 2, R | F, vs_cmd_get, 1, 1, 1, "string", "1.0.0", "Returns the string value of a key."},
    {"getex", -2, W | F, vs_cmd_getex, 1, 1, 1, "string", "6.2.0", "Returns the string value of a key after setting its expiration time."},

    {"hset", -4, W | M | F, vs_cmd_hset, 1, 1, 1, "hash", "2.0.0", "Creates or modifies the value of a field in a hash."},
    {"hmset", -4, W | M | F, vs_cmd_hmset, 1, 1, 1, "hash", "2.0.0", "Sets the values of multiple fields."},
    {"hsetnx", 4, W | M | F, vs_cmd_hsetnx, 1, 1, 1, "hash", "2.0.0", "Sets the value of a field in a hash only when the field doesn't exist."},
    {"hget", 3, R | F, vs_cmd_hget, 1, 1, 1, "hash", "2.0.0", "Returns the value of a field in a hash."},
    {"hmget", -3, R | F, vs_cmd_hmget, 1, 1, 1, "hash", "2.0.0", "Returns the values of all fields in a hash."},
    {"hgetall", 2, R, vs_cmd_hgetall, 1, 1, 1, "hash", "2.0.0", "Returns all fields and values in a hash."},
    {"hdel", -3, W | F, vs_cmd_hdel, 1, 1, 1, "hash", "2.0.0", "Deletes one or more fields and their values from a hash."},
    {"hlen", 2, R | F, vs_cmd_hlen, 1, 1, 1, "hash", "2.0.0", "Returns the number of fields in a hash."},
    {"hexists", 3, R | F, vs_cmd_hexists, 1, 1, 1, "hash", "2.0.0", "Determines whether a field exists in a hash."},
    {"hkeys", 2, R, vs_cmd_hkeys, 1, 1, 1, "hash", "2.0.0", "Returns all fields in a hash."},
    {"hvals", 2, R, vs_cmd_hvals, 1, 1, 1, "hash", "2.0.0", "Returns all values in a hash."},
    {"hstrlen", 3, R | F, vs_cmd_hstrlen, 1, 1, 1, "hash", "3.2.0", "Returns the length of the value of a field."},
    {"hincrby", 4, W | M | F, vs_cmd_hincrby, 1, 1, 1, "hash", "2.0.0", "Increments the integer value of a field in a hash by a number."},
    {"hincrbyfloat", 4, W | M | F, vs_cmd_hincrbyfloat, 1, 1, 1, "hash", "2.6.0", "Increments the floating point value of a field by a number."},

    {"multi", 1, F | T, vs_cmd_multi, 0, 0, 0, "transactions", "1.2.0", "Starts a transaction."},
    {"exec", 1, T, vs_cmd_exec, 0, 0, 0, "transactions", "1.2.0", "Executes all commands in a transaction."},
    {"discard", 1, F | T, vs_cmd_discard, 0, 0, 0, "transactions", "2.0.0", "Discards a transaction."},
    {"watch", -2, F | T, vs_cmd_watch, 1, -1, 1, "transactions", "2.2.0", "Monitors changes to keys to determine the execution of a transaction."},
    {"unwatch", 1, F, vs_cmd_unwatch, 0, 0, 0, "transactions", "2.2.0", "Forgets about watched keys of a transaction."},

    {"FT.CREATE", -2, W | M | X | J, vs_cmd_ft_create, 0, 0, 0, "search", "1.0.0", "Creates an index over hashes, with vector, tag and numeric fields."},
    {"FT.SEARCH", -3, R | X, vs_cmd_ft_search, 0, 0, 0, "search", "1.0.0", "Searches an index: filters and KNN vector queries."},
    {"FT.AGGREGATE", -3, R | X, vs_cmd_ft_aggregate, 0, 0, 0, "search", "1.1.0", "Performs a search of the specified index. The keys which match the query expression are subjected to further processing as specified"},
    {"FT.HYBRID", -2, R | X, vs_cmd_ft_hybrid, 0, 0, 0, "search", "8.4.0", "Performs hybrid search combining text search and vector similarity search."},
    {"FT.INFO", -2, R | X, vs_cmd_ft_info, 0, 0, 0, "search", "1.0.0", "Returns information about an index."},
    {"FT.DROPINDEX", -2, W | X | J, vs_cmd_ft_dropindex, 0, 0, 0, "search", "1.0.0", "Deletes an index."},
    {"FT.DROP", -2, W | X | J, vs_cmd_ft_drop, 0, 0, 0, "search", "1.0.0", "Deletes an index and, unless KEEPDOCS is given, the documents it indexed."},
    {"FT._LIST", 1, R | X, vs_cmd_ft_list, 0, 0, 0, "search", "1.0.0", "Lists the indexes."},
    {"FT.ALIASADD", 3, W | M | X | J, vs_cmd_ft_aliasadd, 0, 0, 0, "search", "1.0.0", "Adds an alias to the index"},
    {"FT.ALIASUPDATE", 3, W | M | X | J, vs_cmd_ft_aliasupdate, 0, 0, 0, "search", "1.0.0", "Adds or updates an alias to the index"},
    {"FT.ALIASDEL", 2, W | X | J, vs_cmd_ft_aliasdel, 0, 0, 0, "search", "1.0.0", "Deletes an alias from the index"},
};

#undef W
#undef R
#undef M
#undef F
#undef A
#undef X
#undef J
#undef S
#undef T

/* Open-addressing index over the table, keyed by upper-cased name. */
#define LOOKUP_SLOTS 256
#define MAX_NAME 32
static int16_t lookup_slots[LOOKUP_SLOTS]; /* index + 1; 0 = empty */
static int lookup_ready;

static uint32_t name_hash(const uint8_t *s, size_t n) {
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) h = (h ^ vs_lower(s[i])) * 16777619u;
    return h;
}

static void build_lookup(void) {
    for (size_t i = 0; i < VS_ARRAY_LEN(command_table); i++) {
        const char *nm = command_table[i].name;
        uint32_t h = name_hash((const uint8_t *)nm, strlen(nm)) & (LOOKUP_SLOTS - 1);
        while (lookup_slots[h]) h = (h + 1) & (LOOKUP_SLOTS - 1);
        lookup_slots[h] = (int16_t)(i + 1);
    }
    lookup_ready = 1;
}

const vs_command *vs_command_lookup(const uint8_t *name, size_t len) {
    if (!lookup_ready) build_lookup();
    if (len == 0 || len > MAX_NAME) return NULL;
    uint32_t h = name_hash(name, len) & (LOOKUP_SLOTS - 1);
    while (lookup_slots[h]) {
        const vs_command *cmd = &command_table[lookup_slots[h] - 1];
        if (vs_eq_nocase(name, len, cmd->name)) return cmd;
        h = (h + 1) & (LOOKUP_SLOTS - 1);
    }
    return NULL;
}

const vs_command *vs_command_table(size_t *n) {
    *n = VS_ARRAY_LEN(command_table);
    return command_table;
}

vs_status vs_arity_error(vs_ctx *c) {
    return vs_err_set(c->err, VS_ERR, "ERR wrong number of arguments for '%s' command", c->cmd->name);
}

vs_status vs_arg_ll(vs_ctx *c, int i, long long *out) {
    if (!vs_parse_ll(c->argv[i], c->argvlen[i], out)) return vs_err_code(c->err, VS_ERR_NOTINT);
    return VS_OK;
}

/* Redis prints a C string with %s: bytes up to the first NUL. */
static int cstr_len(const uint8_t *p, size_t n, int max) {
    int k = 0;
    while ((size_t)k < n && k < max && p[k]) k++;
    return k;
}

static vs_status unknown_command(vs_ctx *c) {
    char args[160];
    size_t used = 0;
    args[0] = '\0';
    for (int i = 1; i < c->argc && used < 128; i++) {
        int k = cstr_len(c->argv[i], c->argvlen[i], (int)(128 - used));
        int w = snprintf(args + used, sizeof args - used, "'%.*s' ", k, (const char *)c->argv[i]);
        if (w < 0) break;
        used += (size_t)w;
        if (used >= sizeof args) used = sizeof args - 1;
    }
    return vs_err_set(c->err, VS_ERR, "ERR unknown command '%.*s', with args beginning with: %s",
                      cstr_len(c->argv[0], c->argvlen[0], 128), (const char *)c->argv[0], args);
}

static int arity_ok(const vs_command *cmd, int argc) {
    return cmd->arity > 0 ? argc == cmd->arity : argc >= -cmd->arity;
}

/* Redis refuses writes once used memory passes maxmemory; Vessel counts
 * the incoming arguments too, so a write that would clearly cross the
 * limit is refused before it starts (a browser tab has no swap). */
int vs_command_over_maxmemory(const vs_engine *eng, int argc, const size_t *argvlen) {
    if (!eng->maxmemory) return 0;
    uint64_t need = vs_mem_used();
    for (int i = 0; i < argc; i++) need += argvlen[i];
    return need > eng->maxmemory;
}

void vs_command_reply_error(vs_engine *eng, size_t mark, vs_status st) {
    if (eng->err.code != st) vs_err_code(&eng->err, st);
    if (mark > eng->reply.len) mark = eng->reply.len;
    eng->reply.len = mark;
    eng->reply.failed = 0;
    vs_reply_error(&eng->reply, vs_err_text(&eng->err));
}

vs_status vs_command_call(vs_engine *eng, const vs_command *cmd, int argc, const uint8_t *const *argv,
                          const size_t *argvlen) {
    vs_ctx c = {eng, argc, argv, argvlen, &eng->reply, &eng->err, cmd};
    vs_err_clear(&eng->err);
    if ((cmd->flags & VS_CMD_WRITE) && vs_journal_reserve_command(&eng->journal, argc, argvlen) != VS_OK) {
        /* A write that could not be journaled must not happen at all. */
        return vs_err_code(c.err, VS_ERR_NOMEM);
    }
    vs_status st = cmd->fn(&c);
    if (st == VS_OK && (cmd->flags & VS_CMD_JOURNAL) && eng->journal.enabled) {
        /* FT.CREATE and the like act on the selected database; SWAPDB
         * names its own. */
        if (cmd->fn != vs_cmd_swapdb) vs_journal_select(&eng->journal, vs_engine_dbnum(eng));
        vs_journal_append(&eng->journal, argc, argv, argvlen);
    }
    if (st == VS_OK && c.r->failed) st = vs_err_code(c.err, VS_ERR_NOMEM);
    return st;
}

/* Inside MULTI: queue the command, or refuse it and doom the transaction
 * (as Redis's processCommand: anything refused before it would run makes
 * EXEC answer EXECABORT).  Queueing takes memory, so past maxmemory every
 * command is refused, not only DENYOOM ones. */
static vs_status queue_command(vs_engine *eng, vs_ctx *c) {
    vs_client *cl = eng->client;
    vs_status st = VS_OK;
    if (vs_command_over_maxmemory(eng, c->argc, c->argvlen))
        st = vs_err_code(c->err, VS_ERR_OOM);
    else
        st = vs_client_queue(cl, c->cmd, c->argc, c->argv, c->argvlen);
    if (st != VS_OK) {
        vs_client_flag_error(cl);
        return st;
    }
    vs_reply_simple(c->r, "QUEUED");
    return VS_OK;
}

vs_status vs_command_exec(vs_engine *eng, int argc, const uint8_t *const *argv, const size_t *argvlen) {
    vs_ctx c = {eng, argc, argv, argvlen, &eng->reply, &eng->err, NULL};
    vs_client *cl = eng->client;
    size_t mark = eng->reply.len;
    vs_err_clear(&eng->err);
    vs_status st;
    eng->stat_commands++;
    eng->last_flags = 0;
    if (argc < 1) {
        st = vs_err_set(c.err, VS_ERR, "ERR empty command");
    } else if (!(c.cmd = vs_command_lookup(argv[0], argvlen[0]))) {
        st = unknown_command(&c);
        vs_client_flag_error(cl);
    } else if (!arity_ok(c.cmd, argc)) {
        st = vs_arity_error(&c);
        vs_client_flag_error(cl);
        /* As Redis's rejectCommand: a refused EXEC ends the transaction. */
        if (c.cmd->fn == vs_cmd_exec) st = vs_exec_abort(&c, "wrong number of arguments for 'exec' command");
    } else if ((cl->flags & VS_CLIENT_MULTI) && !(c.cmd->flags & VS_CMD_TX)) {
        st = queue_command(eng, &c);
    } else if ((cl->flags & VS_CLIENT_MULTI) && vs_command_over_maxmemory(eng, argc, argvlen) &&
               c.cmd->fn != vs_cmd_exec && c.cmd->fn != vs_cmd_discard) {
        /* MULTI and WATCH inside MULTI are refused like queued commands. */
        st = vs_err_code(c.err, VS_ERR_OOM);
        vs_client_flag_error(cl);
    } else if ((c.cmd->flags & VS_CMD_DENYOOM) && vs_command_over_maxmemory(eng, argc, argvlen)) {
        st = vs_err_code(c.err, VS_ERR_OOM);
    } else {
        eng->last_flags = c.cmd->flags;
        st = vs_command_call(eng, c.cmd, argc, argv, argvlen);
    }
    /* The command's records are complete: seal them with a check. */
    if (eng->journal.enabled) vs_journal_seal(&eng->journal);
    if (st != VS_OK) vs_command_reply_error(eng, mark, st);
    return st;
}
