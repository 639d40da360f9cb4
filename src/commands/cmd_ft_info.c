/* cmd_ft_info.c - FT.INFO: the index's definition, its attributes (each
 * field index adds its type-specific part through its info op) and its
 * state.  Every field of valkey-search's reply is there, with its name and
 * reply type; the order is RediSearch's for the fields RediSearch has,
 * because node-redis 4 reads FT.INFO by position (index_options at 3,
 * index_definition at 5, attributes at 7, num_docs at 9, ... gc_stats at
 * 45, cursor_stats at 47, stopwords_list at 49) and fails on a shorter
 * reply; valkey-search's own fields follow.  Clients that read by name
 * (redis-py, node-redis 6, valkey-glide) find every field either way.
 * Pairs are arrays in RESP2 and maps in RESP3 (as RediSearch; node-redis 6
 * speaks RESP3 and reads FT.INFO as a map there).  Names go as simple
 * strings where they can. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "commands/commands.h"
#include "commands/engine.h"
#include "index/text.h"
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

/* A RediSearch statistic: a double as a bulk string, "%.17g" as Redis prints
 * a module's double; a ratio over zero is "nan", as RediSearch's 0/0. */
static void reply_stat(vs_reply *r, const char *name, double v) {
    char buf[64];
    vs_reply_simple(r, name);
    if (isnan(v)) snprintf(buf, sizeof buf, "nan");
    else snprintf(buf, sizeof buf, "%.17g", v);
    vs_reply_cstr(r, buf);
}

static double ratio(double a, double b) { return b == 0 ? NAN : a / b; }

/* RediSearch's max_doc_id: the largest document id.  Vessel's document ids
 * are key ids from 0; RediSearch's count from 1, so this is the largest
 * tracked key id + 1 (0 for an empty index). */
static uint32_t max_doc_id(const vs_ftindex *x) {
    for (size_t w = x->tracked.cap / 64; w-- > 0;)
        if (x->tracked.w[w]) return (uint32_t)(w * 64 + 64 - (size_t)__builtin_clzll(x->tracked.w[w]));
    return 0;
}

#define MB (1024.0 * 1024.0)

static const char *const gc[] = {"bytes_collected",  "total_ms_run",            "total_cycles",    "average_cycle_time_ms",
                                 "last_run_time_ms", "gc_numeric_trees_missed", "gc_blocks_denied"};
static const char *const cursors[] = {"global_idle", "global_total", "index_capacity", "index_total"};

/* The stop words of an index with TEXT fields: as given, or the default
 * list (valkey-search's order). */
static void reply_stopwords(const vs_schema *s, vs_reply *r) {
    const vs_schema_text *t = s->text;
    if (!s->ntext || !t) {
        vs_reply_array(r, 0);
    } else if (t->stop_custom) {
        vs_reply_array(r, t->nstop);
        for (uint32_t i = 0; i < t->nstop; i++)
            reply_bytes_simple(r, s->args[t->stop_arg + i], s->arglen[t->stop_arg + i]);
    } else {
        vs_reply_array(r, vs_text_stopwords_default_count);
        for (size_t i = 0; i < vs_text_stopwords_default_count; i++) vs_reply_simple(r, vs_text_stopwords_default[i]);
    }
}

static void reply_info(const vs_ftindex *x, vs_reply *r) {
    const vs_schema *s = &x->schema;
    char buf[64];
    size_t vector_bytes = 0, field_bytes = 0, text_bytes = 0;
    vs_text_stats tx = {0};
    for (uint32_t i = 0; i < s->nfields; i++) {
        const vs_field_index *fi = x->fields[i];
        size_t m = fi->ops->memory(fi);
        field_bytes += m;
        if (!strcmp(fi->ops->type_name, "VECTOR")) vector_bytes += m;
        if (s->fields[i].type == VS_FIELD_TEXT) {
            vs_text_stats one;
            vs_text_stats_get(fi, &one);
            text_bytes += m;
            tx.total_tokens += one.total_tokens;
            tx.total_postings += one.total_postings;
            tx.total_positions += one.total_positions;
            tx.nterms += one.nterms;
            tx.blocks += one.blocks;
        }
    }
    size_t index_bytes = vs_ftindex_memory(x);
    int text = s->ntext > 0;
    vs_reply_map(r, 33 + (text ? 4 : 0));
    vs_reply_simple(r, "index_name");
    reply_bytes_simple(r, s->name, s->nlen);
    vs_reply_simple(r, "index_options"); /* valkey-search 1.0's: none */
    vs_reply_array(r, 0);
    vs_reply_simple(r, "index_definition");
    vs_reply_map(r, 4);
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
        vs_reply_map(r, 4 + (size_t)fi->ops->info_len / 2);
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
    vs_reply_simple(r, "max_doc_id");
    vs_reply_bulk_ll(r, max_doc_id(x));
    vs_reply_simple(r, "num_terms"); /* distinct words, summed over the TEXT fields */
    vs_reply_int(r, tx.nterms);
    vs_reply_simple(r, "num_records");
    vs_reply_int(r, (long long)x->num_records);
    /* The inverted indexes are the TEXT fields (their memory, blocks and
     * positions); the vectors' indexes are vector_index_sz_mb; no sortable
     * copies or key table (documents are key ids); the per-document
     * bookkeeping (tracked and indexed bit sets, the fields' present and
     * failed sets) is doc_table_size_mb. */
    reply_stat(r, "inverted_sz_mb", (double)text_bytes / MB);
    reply_stat(r, "vector_index_sz_mb", (double)vector_bytes / MB);
    vs_reply_simple(r, "total_inverted_index_blocks");
    vs_reply_bulk_ll(r, (long long)tx.blocks);
    reply_stat(r, "offset_vectors_sz_mb", 0);
    reply_stat(r, "doc_table_size_mb", (double)(index_bytes - field_bytes) / MB);
    reply_stat(r, "sortable_values_size_mb", 0);
    reply_stat(r, "key_table_size_mb", 0);
    reply_stat(r, "records_per_doc_avg", ratio((double)x->num_records, (double)x->num_docs));
    reply_stat(r, "bytes_per_record_avg", ratio((double)text_bytes, (double)x->num_records));
    reply_stat(r, "offsets_per_term_avg", ratio((double)tx.total_positions, (double)x->num_records));
    reply_stat(r, "offset_bits_per_record_avg", ratio(0, 0));
    vs_reply_simple(r, "hash_indexing_failures");
    vs_reply_bulk_ll(r, (long long)x->failures);
    vs_reply_simple(r, "indexing");
    vs_reply_cstr(r, x->backfilling ? "1" : "0");
    reply_stat(r, "percent_indexed", vs_ftindex_backfill_progress(x));
    /* No garbage collector and no cursors: valkey-search 1.0's zeros. */
    vs_reply_simple(r, "gc_stats");
    vs_reply_map(r, VS_ARRAY_LEN(gc));
    for (size_t i = 0; i < VS_ARRAY_LEN(gc); i++) {
        vs_reply_simple(r, gc[i]);
        vs_reply_cstr(r, i == 3 ? "nan" : "0");
    }
    vs_reply_simple(r, "cursor_stats");
    vs_reply_map(r, VS_ARRAY_LEN(cursors));
    for (size_t i = 0; i < VS_ARRAY_LEN(cursors); i++) {
        vs_reply_simple(r, cursors[i]);
        vs_reply_int(r, 0);
    }
    vs_reply_simple(r, "stopwords_list"); /* none without TEXT fields */
    reply_stopwords(s, r);
    /* valkey-search's fields that RediSearch does not have. */
    vs_reply_simple(r, "total_term_occurrences");
    vs_reply_int(r, (long long)tx.total_tokens);
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
    if (text) { /* valkey-search's index-level text options */
        const vs_schema_text *t = s->text;
        vs_reply_simple(r, "punctuation");
        if (t->punct) reply_bytes_simple(r, t->punct, t->punct_len);
        else vs_reply_simple(r, VS_TEXT_PUNCT_DEFAULT);
        vs_reply_simple(r, "stop_words");
        reply_stopwords(s, r);
        vs_reply_simple(r, "with_offsets");
        vs_reply_simple(r, t->offsets ? "1" : "0");
        vs_reply_simple(r, "min_stem_size");
        vs_reply_int(r, t->min_stem);
    }
    vs_reply_simple(r, "language");
    vs_reply_simple(r, "english");
    vs_reply_simple(r, "index_memory");
    vs_reply_int(r, (long long)index_bytes);
}

vs_status vs_cmd_ft_info(vs_ctx *c) {
    const vs_ftindex *x = vs_search_find(&c->eng->store->search, c->argv[1], c->argvlen[1]);
    if (!x) return vs_search_not_found(&c->eng->store->search, c->argv[1], c->argvlen[1], c->err);
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
