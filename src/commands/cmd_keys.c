/* cmd_keys.c - generic key commands: DEL/UNLINK, EXISTS, TYPE, RENAME,
 * RENAMENX, KEYS, SCAN.
 *
 * SCAN's cursor is a position in the key-id table (keyspace.h): ids are
 * stable for a key's life, so every key present for a whole iteration is
 * returned, and exactly once, however much the keyspace grows. */
#include <string.h>

#include "commands/commands.h"
#include "commands/engine.h"
#include "commands/expiry.h"
#include "data/keyspace.h"

#define ARG(i) c->argv[i], c->argvlen[i]

#define SCAN_DEFAULT_COUNT 10
#define SCAN_SLOTS_PER_COUNT 10 /* id slots examined per requested key */

vs_status vs_cmd_del(vs_ctx *c) {
    long long n = 0;
    for (int i = 1; i < c->argc; i++) {
        /* An expired key is deleted as expired (not counted), as Redis. */
        if (vs_lookup(c->eng, ARG(i))) n += vs_ks_delete(&c->eng->store->ks, ARG(i));
    }
    vs_reply_int(c->r, n);
    return VS_OK;
}

vs_status vs_cmd_exists(vs_ctx *c) {
    long long n = 0;
    for (int i = 1; i < c->argc; i++) n += vs_lookup(c->eng, ARG(i)) != NULL;
    vs_reply_int(c->r, n);
    return VS_OK;
}

static const char *type_name(int type) {
    switch (type) {
    case VS_TYPE_STRING: return "string";
    case VS_TYPE_HASH: return "hash";
    default: return "none";
    }
}

vs_status vs_cmd_type(vs_ctx *c) {
    vs_kentry *e = vs_lookup(c->eng, ARG(1));
    vs_reply_simple(c->r, type_name(e ? e->type : VS_TYPE_NONE));
    return VS_OK;
}

/* RENAME and RENAMENX see the keys as lookups do (expired ones deleted
 * first); the source's time goes with it, the destination's goes. */
static vs_status rename_lookup(vs_ctx *c, vs_kentry **src, vs_kentry **dst) {
    vs_status st = vs_lookup_write(c->eng, ARG(1), src);
    if (st == VS_OK && !*src) st = VS_ERR_NOKEY;
    if (st == VS_OK) st = vs_lookup_write(c->eng, ARG(2), dst);
    return st;
}

vs_status vs_cmd_rename(vs_ctx *c) {
    vs_kentry *src, *dst;
    vs_status st = rename_lookup(c, &src, &dst);
    if (st != VS_OK) return st;
    vs_kwrite w;
    st = vs_kw_rename_begin(&w, &c->eng->store->ks, ARG(1), ARG(2));
    if (st == VS_OK) st = vs_kw_commit(&w);
    if (st == VS_OK) vs_reply_simple(c->r, "OK");
    return st;
}

vs_status vs_cmd_renamenx(vs_ctx *c) {
    vs_kentry *src, *dst;
    vs_status st = rename_lookup(c, &src, &dst);
    if (st != VS_OK) return st;
    if (dst) {
        vs_reply_int(c->r, 0);
        return VS_OK;
    }
    vs_kwrite w;
    st = vs_kw_rename_begin(&w, &c->eng->store->ks, ARG(1), ARG(2));
    if (st == VS_OK) st = vs_kw_commit(&w);
    if (st == VS_OK) vs_reply_int(c->r, 1);
    return st;
}

static int is_match_all(const uint8_t *p, size_t n) { return n == 1 && p[0] == '*'; }

vs_status vs_cmd_keys(vs_ctx *c) {
    vs_keyspace *ks = &c->eng->store->ks;
    int all = is_match_all(ARG(1));
    size_t at = vs_reply_defer(c->r);
    size_t n = 0;
    uint32_t bound = vs_ks_id_bound(ks);
    for (uint32_t id = 0; id < bound; id++) {
        vs_kentry *e = vs_ks_by_id(ks, id);
        if (!e || vs_expire_hidden(c->eng, e)) continue; /* hidden, as Redis 7's KEYS */
        if (!all && !vs_glob_match(ARG(1), e->key, e->klen, 0)) continue;
        vs_reply_bulk(c->r, e->key, e->klen);
        n++;
    }
    vs_reply_defer_array(c->r, at, n);
    return VS_OK;
}

static int scan_match(const vs_engine *eng, const vs_kentry *e, const uint8_t *pat, size_t plen, int type) {
    if (vs_expire_hidden(eng, e)) return 0;
    if (type >= 0 && e->type != type) return 0;
    return !pat || vs_glob_match(pat, plen, e->key, e->klen, 0);
}

vs_status vs_cmd_scan(vs_ctx *c) {
    vs_keyspace *ks = &c->eng->store->ks;
    unsigned long long cursor;
    if (!vs_parse_cursor(ARG(1), &cursor)) return vs_err_set(c->err, VS_ERR, "ERR invalid cursor");
    long long count = SCAN_DEFAULT_COUNT;
    const uint8_t *pat = NULL;
    size_t plen = 0;
    int type = -1;
    for (int i = 2; i < c->argc; i += 2) {
        if (i + 1 >= c->argc) return VS_ERR_SYNTAX;
        if (vs_eq_nocase_cstr(ARG(i), "COUNT")) {
            vs_status st = vs_arg_ll(c, i + 1, &count);
            if (st != VS_OK) return st;
            if (count < 1) return VS_ERR_SYNTAX;
        } else if (vs_eq_nocase_cstr(ARG(i), "MATCH")) {
            pat = c->argv[i + 1];
            plen = c->argvlen[i + 1];
            if (is_match_all(pat, plen)) pat = NULL;
        } else if (vs_eq_nocase_cstr(ARG(i), "TYPE")) {
            if (vs_eq_nocase_cstr(ARG(i + 1), "string"))
                type = VS_TYPE_STRING;
            else if (vs_eq_nocase_cstr(ARG(i + 1), "hash"))
                type = VS_TYPE_HASH;
            else
                type = VS_TYPE_NONE; /* a type no key has: nothing matches */
        } else {
            return VS_ERR_SYNTAX;
        }
    }
    /* First pass: where this call stops and how many keys match; second
     * pass: emit them (no allocation, whatever COUNT is). */
    uint32_t bound = vs_ks_id_bound(ks);
    uint64_t budget = (uint64_t)VS_MIN(count, 1LL << 40) * SCAN_SLOTS_PER_COUNT;
    uint64_t end = cursor, seen = 0;
    size_t matched = 0;
    for (; end < bound && seen < (uint64_t)count && budget; end++, budget--) {
        vs_kentry *e = vs_ks_by_id(ks, (uint32_t)end);
        if (!e) continue;
        seen++;
        matched += scan_match(c->eng, e, pat, plen, type);
    }
    vs_reply_array(c->r, 2);
    vs_reply_bulk_ll(c->r, end >= bound ? 0 : (long long)end);
    vs_reply_array(c->r, matched);
    for (uint64_t id = cursor; id < end; id++) {
        vs_kentry *e = vs_ks_by_id(ks, (uint32_t)id);
        if (e && scan_match(c->eng, e, pat, plen, type)) vs_reply_bulk(c->r, e->key, e->klen);
    }
    return VS_OK;
}
