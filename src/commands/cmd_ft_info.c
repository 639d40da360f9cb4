/* cmd_ft_info.c - FT.INFO: the index's definition, its attributes (each
 * field index adds its type-specific part through its info op) and its
 * state, in valkey-search's shape and order.  Names go as simple strings
 * where they can. */
#include <stdio.h>
#include <string.h>

#include "commands/commands.h"
#include "commands/engine.h"
#include "query/registry.h"

static void reply_bytes_simple(vs_reply *r, const uint8_t *p, size_t n) {
    /* A simple string cannot hold CR or LF: valkey-search sends names as
     * simple strings; names with CR/LF go as bulk strings instead. */
    if (memchr(p, '\r', n) || memchr(p, '\n', n)) {
        vs_reply_bulk(r, p, n);
        return;
    }
    char buf[512];
    if (n < sizeof buf && !memchr(p, 0, n)) {
        memcpy(buf, p, n);
        buf[n] = 0;
        vs_reply_simple(r, buf);
    } else {
        vs_reply_bulk(r, p, n);
    }
}

static void reply_info(const vs_ftindex *x, vs_reply *r) {
    const vs_schema *s = &x->schema;
    char buf[64];
    vs_reply_array(r, 30);
    vs_reply_simple(r, "index_name");
    reply_bytes_simple(r, s->name, s->nlen);
    vs_reply_simple(r, "index_definition");
    vs_reply_array(r, 8);
    vs_reply_simple(r, "key_type");
    vs_reply_simple(r, "HASH");
    vs_reply_simple(r, "prefixes");
    if (s->nprefix == 0) {
        vs_reply_array(r, 1);
        vs_reply_simple(r, "");
    } else {
        vs_reply_array(r, s->nprefix);
        for (uint32_t i = 0; i < s->nprefix; i++) reply_bytes_simple(r, s->prefix[i], s->plen[i]);
    }
    vs_reply_simple(r, "default_score");
    snprintf(buf, sizeof buf, "%g", (double)s->score);
    vs_reply_cstr(r, buf);
    vs_reply_simple(r, "score_field");
    vs_reply_bulk(r, s->score_field ? s->score_field : (const uint8_t *)"", s->score_field ? s->sflen : 0);
    vs_reply_simple(r, "attributes");
    vs_reply_array(r, s->nfields);
    for (uint32_t i = 0; i < s->nfields; i++) {
        const vs_fielddef *d = &s->fields[i];
        const vs_field_index *fi = x->fields[i];
        vs_reply_array(r, 8 + (size_t)fi->ops->info_len);
        vs_reply_simple(r, "identifier");
        reply_bytes_simple(r, d->ident, d->ilen);
        vs_reply_simple(r, "attribute");
        reply_bytes_simple(r, d->alias, d->alen);
        vs_reply_simple(r, "user_indexed_memory");
        vs_reply_int(r, (long long)fi->ops->memory(fi));
        vs_reply_simple(r, "type");
        vs_reply_simple(r, fi->ops->type_name);
        fi->ops->info(fi, r);
    }
    vs_reply_simple(r, "num_docs");
    vs_reply_int(r, x->num_docs);
    vs_reply_simple(r, "num_records");
    vs_reply_int(r, (long long)x->num_records);
    vs_reply_simple(r, "total_term_occurrences");
    vs_reply_int(r, 0);
    vs_reply_simple(r, "num_terms");
    vs_reply_int(r, 0);
    vs_reply_simple(r, "hash_indexing_failures");
    vs_reply_bulk_ll(r, (long long)x->failures);
    vs_reply_simple(r, "backfill_in_progress");
    vs_reply_cstr(r, x->backfilling ? "1" : "0");
    vs_reply_simple(r, "backfill_complete_percent");
    snprintf(buf, sizeof buf, "%f", vs_ftindex_backfill_progress(x));
    vs_reply_cstr(r, buf);
    vs_reply_simple(r, "mutation_queue_size");
    vs_reply_cstr(r, "0");
    vs_reply_simple(r, "recent_mutations_queue_delay");
    vs_reply_cstr(r, "0 sec");
    vs_reply_simple(r, "state");
    vs_reply_simple(r, !x->backfilling ? "ready" : x->backfill_oom ? "backfill_paused_by_oom" : "backfill_in_progress");
    vs_reply_simple(r, "language");
    vs_reply_simple(r, "english");
    vs_reply_simple(r, "index_memory");
    vs_reply_int(r, (long long)vs_ftindex_memory(x));
}

vs_status vs_cmd_ft_info(vs_ctx *c) {
    const vs_ftindex *x = vs_search_find(&c->eng->store.search, c->argv[1], c->argvlen[1]);
    if (!x) return vs_search_not_found(c->argv[1], c->argvlen[1], c->err);
    if (c->argc > 2) {
        if (c->argc > 3) return vs_arity_error(c);
        if (vs_arg_is(c, 2, "PRIMARY") || vs_arg_is(c, 2, "CLUSTER"))
            return vs_err_set(c->err, VS_ERR, "ERR %s option is not valid in this configuration",
                              vs_arg_is(c, 2, "PRIMARY") ? "PRIMARY" : "CLUSTER");
        if (!vs_arg_is(c, 2, "LOCAL"))
            return vs_err_set(c->err, VS_ERR, "Unexpected argument `%.*s`", (int)c->argvlen[2], (const char *)c->argv[2]);
    }
    reply_info(x, c->r);
    return VS_OK;
}
