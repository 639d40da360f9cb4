/* dict.c - intrusive chained hash table with incremental rehash (dict.h). */
#include "data/dict.h"

#include "base/alloc.h"

#define DICT_MIN_SIZE 4
#define REHASH_EMPTY_VISITS 10 /* empty buckets visited per rehash step */

void vs_dict_init(vs_dict *d, const vs_dict_type *type) {
    d->type = type;
    d->t[0] = d->t[1] = NULL;
    d->size[0] = d->size[1] = 0;
    d->used[0] = d->used[1] = 0;
    d->rehash_idx = -1;
}

void vs_dict_release(vs_dict *d) {
    vs_free(d->t[0]);
    vs_free(d->t[1]);
    vs_dict_init(d, d->type);
}

static int is_rehashing(const vs_dict *d) { return d->rehash_idx != -1; }

/* Start rehashing into a new table of `size` buckets. */
static vs_status resize_to(vs_dict *d, size_t size) {
    vs_dnode **t = vs_calloc(size, sizeof *t);
    if (!t) return VS_ERR_NOMEM;
    if (d->size[0] == 0) {
        d->t[0] = t;
        d->size[0] = size;
        return VS_OK;
    }
    d->t[1] = t;
    d->size[1] = size;
    d->used[1] = 0;
    d->rehash_idx = 0;
    return VS_OK;
}

int vs_dict_rehash(vs_dict *d, int n) {
    if (!is_rehashing(d)) return 0;
    int empty_visits = n * REHASH_EMPTY_VISITS;
    while (n-- && d->used[0] != 0) {
        while (d->t[0][d->rehash_idx] == NULL) {
            d->rehash_idx++;
            if (--empty_visits == 0) return 1;
        }
        vs_dnode *e = d->t[0][d->rehash_idx];
        while (e) {
            vs_dnode *next = e->next;
            size_t h = e->hash & (d->size[1] - 1);
            e->next = d->t[1][h];
            d->t[1][h] = e;
            d->used[0]--;
            d->used[1]++;
            e = next;
        }
        d->t[0][d->rehash_idx] = NULL;
        d->rehash_idx++;
    }
    if (d->used[0] == 0) {
        vs_free(d->t[0]);
        d->t[0] = d->t[1];
        d->size[0] = d->size[1];
        d->used[0] = d->used[1];
        d->t[1] = NULL;
        d->size[1] = 0;
        d->used[1] = 0;
        d->rehash_idx = -1;
        return 0;
    }
    return 1;
}

static void rehash_step(vs_dict *d) {
    if (is_rehashing(d)) vs_dict_rehash(d, 1);
}

vs_status vs_dict_reserve(vs_dict *d, size_t extra) {
    if (is_rehashing(d)) return VS_OK; /* inserts go to t[1]; chains absorb them */
    size_t need = d->used[0] + extra;
    if (need <= d->size[0]) return VS_OK;
    size_t size = DICT_MIN_SIZE;
    while (size < need) size <<= 1;
    if (d->size[0]) {
        /* Grow to twice the need so the next growth is far away. */
        if (size < d->size[0] * 2) size = d->size[0] * 2;
    }
    return resize_to(d, size);
}

vs_dnode *vs_dict_find(vs_dict *d, uint32_t hash, const void *key, size_t klen) {
    if (vs_dict_count(d) == 0) return NULL;
    rehash_step(d);
    for (int t = 0; t < 2; t++) {
        if (d->size[t] == 0) break;
        for (vs_dnode *e = d->t[t][hash & (d->size[t] - 1)]; e; e = e->next)
            if (e->hash == hash && d->type->eq(e, key, klen)) return e;
        if (!is_rehashing(d)) break;
    }
    return NULL;
}

void vs_dict_insert(vs_dict *d, vs_dnode *n, uint32_t hash) {
    rehash_step(d);
    int t = is_rehashing(d) ? 1 : 0;
    n->hash = hash;
    /* reserve() guarantees a table exists; this is the only allocation-free
     * path, so a missing table is a caller bug, caught in debug builds. */
    size_t b = hash & (d->size[t] - 1);
    n->next = d->t[t][b];
    d->t[t][b] = n;
    d->used[t]++;
}

static void maybe_shrink(vs_dict *d) {
    if (is_rehashing(d) || d->size[0] <= DICT_MIN_SIZE * 4) return;
    if (d->used[0] * 8 >= d->size[0]) return;
    size_t size = DICT_MIN_SIZE;
    while (size < d->used[0] * 2) size <<= 1;
    (void)resize_to(d, size); /* benign: without memory we keep the table */
}

static vs_dnode *unlink_where(vs_dict *d, uint32_t hash, const void *key, size_t klen,
                              const vs_dnode *target) {
    for (int t = 0; t < 2; t++) {
        if (d->size[t] == 0) break;
        vs_dnode **pp = &d->t[t][hash & (d->size[t] - 1)];
        while (*pp) {
            vs_dnode *e = *pp;
            if (target ? e == target : (e->hash == hash && d->type->eq(e, key, klen))) {
                *pp = e->next;
                e->next = NULL;
                d->used[t]--;
                return e;
            }
            pp = &e->next;
        }
        if (!is_rehashing(d)) break;
    }
    return NULL;
}

vs_dnode *vs_dict_remove(vs_dict *d, uint32_t hash, const void *key, size_t klen) {
    if (vs_dict_count(d) == 0) return NULL;
    rehash_step(d);
    vs_dnode *e = unlink_where(d, hash, key, klen, NULL);
    if (e) maybe_shrink(d);
    return e;
}

void vs_dict_unlink(vs_dict *d, vs_dnode *n) {
    rehash_step(d);
    if (unlink_where(d, n->hash, NULL, 0, n)) maybe_shrink(d);
}

void vs_dict_clear(vs_dict *d, void (*fn)(vs_dnode *n, void *arg), void *arg) {
    for (int t = 0; t < 2; t++) {
        for (size_t i = 0; i < d->size[t]; i++) {
            vs_dnode *e = d->t[t][i];
            while (e) {
                vs_dnode *next = e->next;
                if (fn) fn(e, arg);
                e = next;
            }
            d->t[t][i] = NULL;
        }
        d->used[t] = 0;
    }
    if (is_rehashing(d)) {
        vs_free(d->t[0]);
        d->t[0] = d->t[1];
        d->size[0] = d->size[1];
        d->t[1] = NULL;
        d->size[1] = 0;
        d->rehash_idx = -1;
    }
}

void vs_dict_foreach(const vs_dict *d, void (*fn)(const vs_dnode *n, void *arg), void *arg) {
    for (int t = 0; t < 2; t++)
        for (size_t i = 0; i < d->size[t]; i++)
            for (const vs_dnode *e = d->t[t][i]; e; e = e->next) fn(e, arg);
}
