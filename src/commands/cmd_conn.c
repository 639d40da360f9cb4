/* cmd_conn.c - connection and server commands: PING, ECHO and CONFIG
 * GET/SET over the engine's settings: maxmemory, maxmemory-policy and
 * search.emulate-release (the databases' commands are cmd_db.c's). */
#include <stdio.h>
#include <string.h>

#include "commands/commands.h"
#include "commands/engine.h"
#include "data/keyspace.h"
#include "base/util.h"

#define ARG(i) c->argv[i], c->argvlen[i]

vs_status vs_cmd_ping(vs_ctx *c) {
    if (c->argc > 2) return vs_arity_error(c);
    if (c->argc == 2)
        vs_reply_bulk(c->r, ARG(1));
    else
        vs_reply_simple(c->r, "PONG");
    return VS_OK;
}

vs_status vs_cmd_echo(vs_ctx *c) {
    vs_reply_bulk(c->r, ARG(1));
    return VS_OK;
}

/* ---- CONFIG ------------------------------------------------------------- */

/* Parse a memory size as Redis's memtoull: digits with an optional unit
 * b, k, kb, m, mb, g, gb (k = 1000, kb = 1024, ...), case-insensitive. */
static int parse_memory(const uint8_t *s, size_t n, unsigned long long *out) {
    size_t d = 0;
    while (d < n && s[d] >= '0' && s[d] <= '9') d++;
    unsigned long long mul = 1;
    const uint8_t *u = s + d;
    size_t ul = n - d;
    if (ul == 0 || vs_eq_nocase(u, ul, "b"))
        mul = 1;
    else if (vs_eq_nocase(u, ul, "k"))
        mul = 1000;
    else if (vs_eq_nocase(u, ul, "kb"))
        mul = 1024;
    else if (vs_eq_nocase(u, ul, "m"))
        mul = 1000ull * 1000;
    else if (vs_eq_nocase(u, ul, "mb"))
        mul = 1024ull * 1024;
    else if (vs_eq_nocase(u, ul, "g"))
        mul = 1000ull * 1000 * 1000;
    else if (vs_eq_nocase(u, ul, "gb"))
        mul = 1024ull * 1024 * 1024;
    else
        return 0;
    unsigned long long v;
    if (!vs_parse_ull(s, d, &v)) return 0;
    if (v > UINT64_MAX / mul) return 0;
    *out = v * mul;
    return 1;
}

#define WHY_MAX 256 /* Valkey keeps this much of a module config's error (CONFIG_ERR_SIZE) */

typedef struct config_param {
    const char *name;
    /* Write the current value into buf (size 64). */
    void (*get)(vs_engine *eng, char *buf);
    /* Validate and apply: 1, or 0 with the reason in why (WHY_MAX).  NULL
     * for read-only parameters. */
    int (*set)(vs_engine *eng, const uint8_t *v, size_t n, char *why);
} config_param;

static void get_maxmemory(vs_engine *eng, char *buf) { snprintf(buf, 64, "%llu", (unsigned long long)eng->maxmemory); }
static int set_maxmemory(vs_engine *eng, const uint8_t *v, size_t n, char *why) {
    unsigned long long m;
    if (!parse_memory(v, n, &m)) {
        snprintf(why, WHY_MAX, "argument must be a memory value");
        return 0;
    }
    eng->maxmemory = m;
    return 1;
}
static void get_policy(vs_engine *eng, char *buf) {
    (void)eng;
    snprintf(buf, 64, "noeviction");
}
static int set_policy(vs_engine *eng, const uint8_t *v, size_t n, char *why) {
    (void)eng;
    if (vs_eq_nocase(v, n, "noeviction")) return 1; /* Vessel never evicts */
    snprintf(why, WHY_MAX, "argument must be a memory value");
    return 0;
}
/* search.emulate-release (query/expr.h): valkey-search's texts */
static void get_release(vs_engine *eng, char *buf) { vs_compat_format_release(eng->compat.release, buf, 64); }
static int set_release(vs_engine *eng, const uint8_t *v, size_t n, char *why) {
    uint32_t r;
    if (vs_compat_parse_release(v, n, &r, why, WHY_MAX) != 0) return 0;
    eng->compat.release = r;
    return 1;
}

static const config_param config_params[] = {
    {"maxmemory", get_maxmemory, set_maxmemory},
    {"maxmemory-policy", get_policy, set_policy},
    {"search.emulate-release", get_release, set_release},
};

static const config_param *find_param(const uint8_t *name, size_t n) {
    for (size_t i = 0; i < VS_ARRAY_LEN(config_params); i++)
        if (vs_eq_nocase(name, n, config_params[i].name)) return &config_params[i];
    return NULL;
}

static vs_status config_get(vs_ctx *c) {
    if (c->argc < 3) return vs_err_set(c->err, VS_ERR, "ERR wrong number of arguments for 'config|get' command");
    size_t at = vs_reply_defer(c->r);
    size_t pairs = 0;
    for (size_t p = 0; p < VS_ARRAY_LEN(config_params); p++) {
        const char *nm = config_params[p].name;
        for (int i = 2; i < c->argc; i++) {
            if (!vs_glob_match(ARG(i), (const uint8_t *)nm, strlen(nm), 1)) continue;
            char buf[64];
            config_params[p].get(c->eng, buf);
            vs_reply_cstr(c->r, nm);
            vs_reply_cstr(c->r, buf);
            pairs++;
            break;
        }
    }
    vs_reply_defer_map(c->r, at, pairs);
    return VS_OK;
}

static vs_status config_set(vs_ctx *c) {
    if (c->argc < 4 || c->argc % 2 == 1)
        return vs_err_set(c->err, VS_ERR, "ERR wrong number of arguments for 'config|set' command");
    /* Validate everything first, so a bad pair applies nothing. */
    for (int i = 2; i < c->argc; i += 2) {
        const config_param *p = find_param(ARG(i));
        if (!p || !p->set)
            return vs_err_set(c->err, VS_ERR, "ERR Unknown option or number of arguments for CONFIG SET - '%.*s'",
                              (int)c->argvlen[i], (const char *)c->argv[i]);
        vs_engine probe = *c->eng; /* settings are plain values: try on a copy */
        char why[WHY_MAX];
        if (!p->set(&probe, ARG(i + 1), why))
            return vs_err_set(c->err, VS_ERR, "ERR CONFIG SET failed (possibly related to argument '%s') - %s", p->name,
                              why);
    }
    char why[WHY_MAX];
    for (int i = 2; i < c->argc; i += 2) find_param(ARG(i))->set(c->eng, ARG(i + 1), why);
    vs_reply_simple(c->r, "OK");
    return VS_OK;
}

vs_status vs_cmd_config(vs_ctx *c) {
    if (vs_arg_is(c, 1, "GET")) return config_get(c);
    if (vs_arg_is(c, 1, "SET")) return config_set(c);
    if (c->argc == 2 && vs_arg_is(c, 1, "RESETSTAT")) {
        c->eng->stat_commands = 0;
        vs_reply_simple(c->r, "OK");
        return VS_OK;
    }
    return vs_err_set(c->err, VS_ERR, "ERR unknown subcommand '%.*s'. Try CONFIG HELP.", (int)c->argvlen[1],
                      (const char *)c->argv[1]);
}
