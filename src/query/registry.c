/* registry.c - the index registry and its keyspace subscription. */
#include "query/registry.h"

#include <string.h>

#include "base/alloc.h"
#include "base/util.h"

vs_status vs_search_not_found(const vs_search *s, const uint8_t *name, size_t len, vs_err *err) {
    return vs_err_set(err, VS_ERR, "Index with name '%.*s' not found in database %u", (int)len, (const char *)name,
                      s->db);
}

/* ---- keyspace subscriber ------------------------------------------------ */

static vs_status sub_prepare(void *ctx, const vs_change *ch) {
    vs_search *s = ctx;
    s->prepared = 0;
    for (uint32_t i = 0; i < s->n; i++) {
        vs_status st = vs_ftindex_prepare(s->idx[i], ch, s->deferred);
        if (st != VS_OK) {
            for (uint32_t j = 0; j < i; j++) vs_ftindex_abort(s->idx[j]);
            return st;
        }
        s->prepared = i + 1;
    }
    return VS_OK;
}

static void sub_commit(void *ctx, const vs_change *ch) {
    vs_search *s = ctx;
    for (uint32_t i = 0; i < s->n; i++) vs_ftindex_commit(s->idx[i], ch);
    s->prepared = 0;
}

static void sub_abort(void *ctx, const vs_change *ch) {
    (void)ch;
    vs_search *s = ctx;
    for (uint32_t i = 0; i < s->prepared; i++) vs_ftindex_abort(s->idx[i]);
    s->prepared = 0;
}

vs_status vs_search_init(vs_search *s, vs_keyspace *ks, uint32_t seed) {
    memset(s, 0, sizeof *s);
    s->seed = seed;
    s->ks = ks;
    vs_subscriber sub = {s, sub_prepare, sub_commit, sub_abort};
    return vs_ks_subscribe(ks, &sub);
}

static void free_indexes(vs_search *s) {
    for (uint32_t i = 0; i < s->n; i++) vs_ftindex_free(s->idx[i]);
    vs_free(s->idx);
}

void vs_search_release(vs_search *s) {
    free_indexes(s);
    if (s->ks) vs_ks_unsubscribe(s->ks, s);
    memset(s, 0, sizeof *s);
}

void vs_search_move(vs_search *dst, vs_search *src) {
    free_indexes(dst);
    vs_search moved = *src;
    moved.ks = dst->ks;
    moved.seed = dst->seed;
    moved.db = dst->db;
    *dst = moved;
    for (uint32_t i = 0; i < dst->n; i++) dst->idx[i]->ks = dst->ks;
    src->idx = NULL;
    src->n = src->cap = src->prepared = 0;
    src->deferred = 0;
}

/* ---- registry ----------------------------------------------------------- */

static int index_pos(const vs_search *s, const uint8_t *name, size_t len) {
    for (uint32_t i = 0; i < s->n; i++)
        if (s->idx[i]->schema.nlen == len && memcmp(s->idx[i]->schema.name, name, len) == 0) return (int)i;
    return -1;
}

vs_ftindex *vs_search_find(const vs_search *s, const uint8_t *name, size_t len) {
    int i = index_pos(s, name, len);
    return i < 0 ? NULL : s->idx[i];
}

vs_status vs_search_create(vs_search *s, vs_args *a, vs_err *err) { return vs_search_add(s, a, 1, NULL, err); }

vs_status vs_search_add(vs_search *s, vs_args *a, int backfill, vs_ftindex **out, vs_err *err) {
    vs_schema schema;
    vs_status st = vs_schema_parse(a, &schema, err);
    if (st == VS_OK && s->n >= VS_MAX_INDEXES)
        st = vs_err_set(err, VS_ERR,
                        "Invalid range: Value above maximum; Maximum number of indexes reached (%d). Cannot create "
                        "additional indexes.",
                        VS_MAX_INDEXES);
    if (st == VS_OK && index_pos(s, schema.name, schema.nlen) >= 0)
        st = vs_err_set(err, VS_ERR, "Index %.*s in database %u already exists.", (int)schema.nlen,
                        (const char *)schema.name, s->db);
    if (st == VS_OK && s->n == s->cap) {
        uint32_t cap = s->cap ? s->cap * 2 : 4;
        vs_ftindex **idx = vs_realloc(s->idx, cap * sizeof *idx);
        if (!idx)
            st = VS_ERR_NOMEM;
        else {
            s->idx = idx;
            s->cap = cap;
        }
    }
    vs_ftindex *x = NULL;
    if (st == VS_OK) st = vs_ftindex_new(s->ks, &schema, s->seed ^ (uint32_t)(s->n * 0x9e3779b9u), &x);
    if (st != VS_OK) {
        vs_schema_free(&schema);
        return st;
    }
    s->idx[s->n++] = x;
    if (backfill && !x->schema.skip_initial_scan) vs_ftindex_backfill_start(x);
    if (out) *out = x;
    return VS_OK;
}

vs_status vs_search_drop(vs_search *s, const uint8_t *name, size_t len, int dd, vs_err *err) {
    int pos = index_pos(s, name, len);
    if (pos < 0) return vs_search_not_found(s, name, len, err);
    vs_ftindex *x = s->idx[pos];
    memmove(&s->idx[pos], &s->idx[pos + 1], (s->n - (uint32_t)pos - 1) * sizeof *s->idx);
    s->n--;
    if (dd) {
        /* Delete the index's documents (RediSearch's DD): the hashes it
         * holds, not those it tracks without having indexed anything of
         * them (a bad vector, no schema field), which FT.SEARCH never
         * returns.  The index is already out of the registry; deletions
         * never fail. */
        uint32_t bound = x->indexed.cap < vs_ks_id_bound(s->ks) ? x->indexed.cap : vs_ks_id_bound(s->ks);
        for (uint32_t id = 0; id < bound; id++) {
            if (!vs_ftindex_holds(x, id)) continue;
            vs_kentry *e = vs_ks_by_id(s->ks, id);
            if (e) vs_ks_delete(s->ks, e->key, e->klen);
        }
    }
    vs_ftindex_free(x);
    return VS_OK;
}

int vs_search_busy(const vs_search *s) {
    for (uint32_t i = 0; i < s->n; i++)
        if (s->idx[i]->backfilling) return 1;
    return 0;
}

int vs_search_step(vs_search *s, uint32_t budget) {
    for (uint32_t i = 0; i < s->n && budget > 0; i++) {
        vs_ftindex *x = s->idx[i];
        if (!x->backfilling) continue;
        uint32_t visited = 0;
        vs_status st = vs_ftindex_backfill_step(x, budget, &visited);
        budget -= visited < budget ? visited : budget;
        if (st != VS_OK) break; /* paused for memory; try again later */
    }
    return vs_search_busy(s);
}

void vs_search_end_deferred(vs_search *s) {
    s->deferred = 0;
    for (uint32_t i = 0; i < s->n; i++) vs_ftindex_backfill_start(s->idx[i]);
}
