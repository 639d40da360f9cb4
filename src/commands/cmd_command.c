/* cmd_command.c - COMMAND, COMMAND COUNT | INFO | DOCS | LIST | GETKEYS |
 * HELP: the command table as Redis 7 describes its own (name, arity,
 * flags, key positions, ACL categories, key specs), which clients use to
 * discover a server (cluster clients read the key positions).
 *
 * The table is command.c's; a server front end (js/server.js) adds its
 * own connection and cluster commands to these replies. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "commands/commands.h"
#include "base/util.h"

static void reply_lower(vs_reply *r, const char *name) {
    char buf[64];
    size_t n = strlen(name);
    if (n >= sizeof buf) n = sizeof buf - 1;
    for (size_t i = 0; i < n; i++) buf[i] = (char)tolower((unsigned char)name[i]);
    vs_reply_bulk(r, buf, n);
}

static void reply_flags(vs_reply *r, uint32_t f) {
    const char *names[8];
    size_t n = 0;
    if (f & VS_CMD_WRITE) names[n++] = "write";
    if (f & VS_CMD_READONLY) names[n++] = "readonly";
    if (f & VS_CMD_DENYOOM) names[n++] = "denyoom";
    if (f & VS_CMD_MODULE) names[n++] = "module";
    if (f & VS_CMD_ADMIN) names[n++] = "admin";
    if (f & VS_CMD_FAST) names[n++] = "fast";
    vs_reply_set(r, n);
    for (size_t i = 0; i < n; i++) vs_reply_simple(r, names[i]);
}

static void reply_categories(vs_reply *r, const vs_command *c) {
    const char *names[6];
    size_t n = 0;
    if (c->flags & VS_CMD_WRITE) names[n++] = "@write";
    if (c->flags & VS_CMD_READONLY) names[n++] = "@read";
    if (!strcmp(c->group, "hash")) names[n++] = "@hash";
    else if (!strcmp(c->group, "string")) names[n++] = "@string";
    else if (!strcmp(c->group, "generic")) names[n++] = "@keyspace";
    else if (!strcmp(c->group, "connection")) names[n++] = "@connection";
    else if (!strcmp(c->group, "search")) names[n++] = "@search";
    else if (!strcmp(c->group, "transactions")) names[n++] = "@transaction";
    if (c->flags & VS_CMD_ADMIN) {
        names[n++] = "@admin";
        names[n++] = "@dangerous";
    }
    names[n++] = (c->flags & VS_CMD_FAST) ? "@fast" : "@slow";
    vs_reply_set(r, n);
    for (size_t i = 0; i < n; i++) vs_reply_simple(r, names[i]);
}

/* Key specs: one range spec from the first/last/step positions. */
static void reply_key_specs(vs_reply *r, const vs_command *c) {
    if (c->first_key == 0) {
        vs_reply_array(r, 0);
        return;
    }
    vs_reply_array(r, 1);
    vs_reply_map(r, 3);
    vs_reply_cstr(r, "flags");
    vs_reply_set(r, 2);
    vs_reply_simple(r, (c->flags & VS_CMD_WRITE) ? "RW" : "RO");
    vs_reply_simple(r, (c->flags & VS_CMD_WRITE) ? "update" : "access");
    vs_reply_cstr(r, "begin_search");
    vs_reply_map(r, 2);
    vs_reply_cstr(r, "type");
    vs_reply_cstr(r, "index");
    vs_reply_cstr(r, "spec");
    vs_reply_map(r, 1);
    vs_reply_cstr(r, "index");
    vs_reply_int(r, c->first_key);
    vs_reply_cstr(r, "find_keys");
    vs_reply_map(r, 2);
    vs_reply_cstr(r, "type");
    vs_reply_cstr(r, "range");
    vs_reply_cstr(r, "spec");
    vs_reply_map(r, 3);
    vs_reply_cstr(r, "lastkey");
    vs_reply_int(r, c->last_key < 0 ? -1 : c->last_key - c->first_key);
    vs_reply_cstr(r, "keystep");
    vs_reply_int(r, c->key_step);
    vs_reply_cstr(r, "limit");
    vs_reply_int(r, 0);
}

static void reply_info(vs_reply *r, const vs_command *c) {
    vs_reply_array(r, 10);
    reply_lower(r, c->name);
    vs_reply_int(r, c->arity);
    reply_flags(r, c->flags);
    vs_reply_int(r, c->first_key);
    vs_reply_int(r, c->last_key);
    vs_reply_int(r, c->key_step);
    reply_categories(r, c);
    vs_reply_set(r, 0); /* tips */
    reply_key_specs(r, c);
    vs_reply_array(r, 0); /* subcommands */
}

static void reply_docs(vs_reply *r, const vs_command *c) {
    reply_lower(r, c->name);
    vs_reply_map(r, 3);
    vs_reply_cstr(r, "summary");
    vs_reply_cstr(r, c->summary);
    vs_reply_cstr(r, "since");
    vs_reply_cstr(r, c->since);
    vs_reply_cstr(r, "group");
    vs_reply_cstr(r, !strcmp(c->group, "search") ? "module" : c->group);
}

static const char *const help[] = {
    "COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "(no subcommand)",
    "    Return details about all commands.",
    "COUNT",
    "    Return the total number of commands in this server.",
    "LIST",
    "    Return a list of all commands in this server.",
    "INFO [<command-name> ...]",
    "    Return details about multiple commands.",
    "    If no command names are given, documentation details for all",
    "    commands are returned.",
    "DOCS [<command-name> ...]",
    "    Return documentation details about multiple commands.",
    "    If no command names are given, documentation details for all",
    "    commands are returned.",
    "GETKEYS <full-command>",
    "    Return the keys from a full command.",
    "HELP",
    "    Print this help.",
};

vs_status vs_cmd_command(vs_ctx *c) {
    size_t n;
    const vs_command *t = vs_command_table(&n);
    vs_reply *r = c->r;
    if (c->argc == 1) {
        vs_reply_array(r, n);
        for (size_t i = 0; i < n; i++) reply_info(r, &t[i]);
        return VS_OK;
    }
    if (vs_arg_is(c, 1, "count")) {
        if (c->argc != 2) return vs_err_set(c->err, VS_ERR, "ERR wrong number of arguments for 'command|count' command");
        vs_reply_int(r, (long long)n);
        return VS_OK;
    }
    if (vs_arg_is(c, 1, "list")) {
        if (c->argc != 2) return VS_ERR_SYNTAX; /* FILTERBY is not supported */
        vs_reply_array(r, n);
        for (size_t i = 0; i < n; i++) reply_lower(r, t[i].name);
        return VS_OK;
    }
    if (vs_arg_is(c, 1, "info")) {
        if (c->argc == 2) {
            vs_reply_array(r, n);
            for (size_t i = 0; i < n; i++) reply_info(r, &t[i]);
            return VS_OK;
        }
        vs_reply_array(r, (size_t)c->argc - 2);
        for (int i = 2; i < c->argc; i++) {
            const vs_command *cmd = vs_command_lookup(c->argv[i], c->argvlen[i]);
            if (cmd) reply_info(r, cmd);
            else vs_reply_null(r);
        }
        return VS_OK;
    }
    if (vs_arg_is(c, 1, "docs")) {
        if (c->argc == 2) {
            vs_reply_map(r, n);
            for (size_t i = 0; i < n; i++) reply_docs(r, &t[i]);
            return VS_OK;
        }
        size_t at = vs_reply_defer(r), found = 0;
        for (int i = 2; i < c->argc; i++) {
            const vs_command *cmd = vs_command_lookup(c->argv[i], c->argvlen[i]);
            if (cmd) {
                reply_docs(r, cmd);
                found++;
            }
        }
        vs_reply_defer_map(r, at, found);
        return VS_OK;
    }
    if (vs_arg_is(c, 1, "getkeys")) {
        if (c->argc < 4) return vs_err_set(c->err, VS_ERR, "ERR wrong number of arguments for 'command|getkeys' command");
        const vs_command *cmd = vs_command_lookup(c->argv[2], c->argvlen[2]);
        if (!cmd) return vs_err_set(c->err, VS_ERR, "ERR Invalid command specified");
        int argc = c->argc - 2;
        if ((cmd->arity > 0 && argc != cmd->arity) || (cmd->arity < 0 && argc < -cmd->arity))
            return vs_err_set(c->err, VS_ERR, "ERR Invalid number of arguments specified for command");
        if (cmd->first_key == 0) return vs_err_set(c->err, VS_ERR, "ERR The command has no key arguments");
        int last = cmd->last_key < 0 ? argc + cmd->last_key : cmd->last_key;
        size_t at = vs_reply_defer(r), keys = 0;
        for (int k = cmd->first_key; k <= last && k < argc; k += cmd->key_step) {
            vs_reply_bulk(r, c->argv[2 + k], c->argvlen[2 + k]);
            keys++;
        }
        vs_reply_defer_array(r, at, keys);
        return VS_OK;
    }
    if (vs_arg_is(c, 1, "help")) {
        if (c->argc != 2) return vs_err_set(c->err, VS_ERR, "ERR wrong number of arguments for 'command|help' command");
        vs_reply_array(r, VS_ARRAY_LEN(help));
        for (size_t i = 0; i < VS_ARRAY_LEN(help); i++) vs_reply_simple(r, help[i]);
        return VS_OK;
    }
    char sub[64];
    size_t sl = c->argvlen[1] < sizeof sub - 1 ? c->argvlen[1] : sizeof sub - 1;
    memcpy(sub, c->argv[1], sl);
    sub[sl] = 0;
    for (size_t i = 0; i < sl; i++)
        if (sub[i] == '\r' || sub[i] == '\n') sub[i] = ' ';
    return vs_err_set(c->err, VS_ERR, "ERR unknown subcommand '%s'. Try COMMAND HELP.", sub);
}
