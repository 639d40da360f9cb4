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
    for (uint32_t i = 0; i < s->nalias; i++) vs_free(s->alias[i].name);
    vs_free(s->alias);
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
    src->alias = NULL;
    src->nalias = src->alias_cap = 0;
    src->deferred = 0;
}

/* ---- registry ----------------------------------------------------------- */

static int index_pos(const vs_search *s, const uint8_t *name, size_t len) {
    for (uint32_t i = 0; i < s->n; i++)
        if (s->idx[i]->schema.nlen == len && memcmp(s->idx[i]->schema.name, name, len) == 0) return (int)i;
    return -1;
}

vs_ftindex *vs_search_find_index(const vs_search *s, const uint8_t *name, size_t len) {
    int i = index_pos(s, name, len);
    return i < 0 ? NULL : s->idx[i];
}

int vs_search_alias_pos(const vs_search *s, const uint8_t *name, size_t len) {
    for (uint32_t i = 0; i < s->nalias; i++)
        if (s->alias[i].len == len && memcmp(s->alias[i].name, name, len) == 0) return (int)i;
    return -1;
}

vs_ftindex *vs_search_find(const vs_search *s, const uint8_t *name, size_t len) {
    vs_ftindex *x = vs_search_find_index(s, name, len);
    if (x) return x;
    int a = vs_search_alias_pos(s, name, len);
    return a < 0 ? NULL : s->alias[a].x;
}

/* ---- aliases ------------------------------------------------------------ */

vs_status vs_search_alias_put(vs_search *s, const uint8_t *alias, size_t alen, vs_ftindex *x) {
    if (vs_search_alias_pos(s, alias, alen) >= 0) return VS_ERR_CORRUPT;
    if (alen > UINT32_MAX) return VS_ERR_NOMEM;
    if (s->nalias == s->alias_cap) {
        uint32_t cap = s->alias_cap ? s->alias_cap * 2 : 4;
        vs_alias *a = vs_realloc(s->alias, cap * sizeof *a);
        if (!a) return VS_ERR_NOMEM;
        s->alias = a;
        s->alias_cap = cap;
    }
    uint8_t *name = vs_malloc(alen ? alen : 1);
    if (!name) return VS_ERR_NOMEM;
    if (alen) memcpy(name, alias, alen);
    s->alias[s->nalias++] = (vs_alias){name, (uint32_t)alen, x};
    return VS_OK;
}

static void alias_remove(vs_search *s, uint32_t pos) {
    vs_free(s->alias[pos].name);
    memmove(&s->alias[pos], &s->alias[pos + 1], (s->nalias - pos - 1) * sizeof *s->alias);
    s->nalias--;
}

/* The target of FT.ALIASADD / FT.ALIASUPDATE: an index by its own name
 * (RediSearch's INDEXSPEC_LOAD_NOALIAS), and an alias name no index has. */
static vs_status alias_target(vs_search *s, const uint8_t *alias, size_t alen, const uint8_t *index, size_t ilen,
                              vs_ftindex **out, vs_err *err) {
    *out = vs_search_find_index(s, index, ilen);
    if (!*out) return vs_err_set(err, VS_ERR, "Unknown index name (or name is an alias itself)");
    if (vs_search_find_index(s, alias, alen))
        return vs_err_set(err, VS_ERR, "Alias conflicts with an existing index name");
    return VS_OK;
}

vs_status vs_search_alias_add(vs_search *s, const uint8_t *alias, size_t alen, const uint8_t *index, size_t ilen,
                              vs_err *err) {
    vs_ftindex *x;
    vs_status st = alias_target(s, alias, alen, index, ilen, &x, err);
    if (st != VS_OK) return st;
    if (vs_search_alias_pos(s, alias, alen) >= 0) return vs_err_set(err, VS_ERR, "Alias already exists");
    return vs_search_alias_put(s, alias, alen, x);
}

/* RediSearch looks the alias up as any name (an index's first): a name
 * that is an index's is not an alias of it. */
static vs_status not_an_alias(vs_err *err) { return vs_err_set(err, VS_ERR, "Alias does not belong to provided spec"); }

vs_status vs_search_alias_update(vs_search *s, const uint8_t *alias, size_t alen, const uint8_t *index,
                                 size_t ilen, vs_err *err) {
    if (vs_search_find_index(s, alias, alen)) return not_an_alias(err);
    vs_ftindex *x;
    vs_status st = alias_target(s, alias, alen, index, ilen, &x, err);
    if (st != VS_OK) return st;
    int pos = vs_search_alias_pos(s, alias, alen);
    if (pos < 0) return vs_search_alias_put(s, alias, alen, x);
    s->alias[pos].x = x; /* moved: it keeps its place */
    return VS_OK;
}

vs_status vs_search_alias_del(vs_search *s, const uint8_t *alias, size_t alen, vs_err *err) {
    if (vs_search_find_index(s, alias, alen)) return not_an_alias(err);
    int pos = vs_search_alias_pos(s, alias, alen);
    if (pos < 0) return vs_err_set(err, VS_ERR, "Alias does not exist");
    alias_remove(s, (uint32_t)pos);
    return VS_OK;
}

vs_status vs_search_alias_copy(vs_search *dst, const vs_search *src) {
    for (uint32_t i = 0; i < src->nalias; i++) {
        int pos = -1;
        for (uint32_t j = 0; j < src->n && pos < 0; j++)
            if (src->idx[j] == src->alias[i].x) pos = (int)j;
        if (pos < 0 || (uint32_t)pos >= dst->n) continue;
        vs_status st = vs_search_alias_put(dst, src->alias[i].name, src->alias[i].len, dst->idx[pos]);
        if (st == VS_ERR_NOMEM) return st;
    }
    return VS_OK;
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
    vs_ftindex *x = vs_search_find(s, name, len);
    if (!x) return vs_search_not_found(s, name, len, err);
    int pos = index_pos(s, x->schema.name, x->schema.nlen);
    memmove(&s->idx[pos], &s->idx[pos + 1], (s->n - (uint32_t)pos - 1) * sizeof *s->idx);
    s->n--;
    for (uint32_t i = s->nalias; i-- > 0;)
        if (s->alias[i].x == x) alias_remove(s, i);
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
