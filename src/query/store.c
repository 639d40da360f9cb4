/* store.c - a store as a value (see store.h). */
#include "query/store.h"

#include "base/alloc.h"

vs_status vs_store_init(vs_store *s, uint32_t seed) {
    vs_status st = vs_ks_init(&s->ks);
    if (st == VS_OK) st = vs_search_init(&s->search, &s->ks, seed);
    return st;
}

void vs_store_release(vs_store *s) {
    vs_search_release(&s->search);
    vs_ks_release(&s->ks);
}

void vs_store_move(vs_store *dst, vs_store *src) {
    vs_search_move(&dst->search, &src->search);
    vs_ks_move(&dst->ks, &src->ks);
}

vs_store *vs_store_new(uint32_t seed) {
    vs_store *s = vs_malloc(sizeof *s);
    if (s && vs_store_init(s, seed) != VS_OK) {
        vs_store_release(s);
        vs_free(s);
        s = NULL;
    }
    return s;
}

void vs_store_free(vs_store *s) {
    if (!s) return;
    vs_store_release(s);
    vs_free(s);
}
