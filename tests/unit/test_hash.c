/* test_hash.c - the hash type: plans, views, order, large hashes. */
#include <stdio.h>

#include "../../src/base/alloc.h"
#include "../../src/data/hash.h"
#include "vt.h"

#define S(x) (const uint8_t *)(x), strlen(x)

static void set1(vs_hash *h, const char *f, const char *v) {
    vs_hash_plan p;
    vs_hash_plan_init(&p, h);
    VT_CHECK(vs_hash_plan_set(&p, S(f), S(v)) == VS_OK);
    VT_CHECK(vs_hash_plan_reserve(&p) == VS_OK);
    vs_hash_plan_apply(&p);
}

static const char *get(vs_hash *h, const char *f) {
    static char buf[256];
    vs_hfield *x = vs_hash_get(h, S(f));
    if (!x) return NULL;
    snprintf(buf, sizeof buf, "%.*s", (int)x->vlen, (const char *)vs_hfield_value(x));
    return buf;
}

static void test_plan_and_view(void) {
    vs_hash *h = vs_hash_new();
    set1(h, "a", "1");
    set1(h, "b", "2");
    vs_hash_plan p;
    vs_hash_plan_init(&p, h);
    VT_CHECK(vs_hash_plan_set(&p, S("a"), S("10")) == VS_OK);
    VT_CHECK(vs_hash_plan_set(&p, S("c"), S("3")) == VS_OK);
    VT_CHECK(vs_hash_plan_set(&p, S("c"), S("33")) == VS_OK); /* later op wins */
    VT_CHECK(vs_hash_plan_del(&p, S("b")) == VS_OK);
    VT_CHECK(vs_hash_plan_del(&p, S("zz")) == VS_OK); /* absent: no op */
    VT_EQ_INT(p.nops, 3);
    VT_EQ_INT(p.added, 1);
    VT_EQ_INT(p.removed, 1);
    VT_EQ_INT(vs_hash_plan_result_len(&p), 2);
    /* Nothing visible yet. */
    VT_CHECK(strcmp(get(h, "a"), "1") == 0);
    VT_CHECK(get(h, "c") == NULL);
    /* The view shows the future. */
    vs_hview v = vs_hview_planned(&p);
    const uint8_t *val;
    size_t vlen;
    VT_CHECK(vs_hview_get(&v, S("a"), &val, &vlen) && vlen == 2 && memcmp(val, "10", 2) == 0);
    VT_CHECK(vs_hview_get(&v, S("c"), &val, &vlen) && vlen == 2 && memcmp(val, "33", 2) == 0);
    VT_CHECK(!vs_hview_get(&v, S("b"), &val, &vlen));
    VT_CHECK(vs_hash_plan_reserve(&p) == VS_OK);
    vs_hash_plan_apply(&p);
    VT_EQ_INT(h->n, 2);
    VT_CHECK(strcmp(get(h, "a"), "10") == 0);
    VT_CHECK(strcmp(get(h, "c"), "33") == 0);
    VT_CHECK(get(h, "b") == NULL);
    /* Insertion order is kept for small hashes: a then c. */
    VT_CHECK(h->f[0]->data[0] == 'a' && h->f[1]->data[0] == 'c');
    vs_hash_free(h);
}

static void test_discard_frees(void) {
    vs_hash *h = vs_hash_new();
    set1(h, "a", "1");
    size_t before = vs_mem_used();
    vs_hash_plan p;
    vs_hash_plan_init(&p, h);
    for (int i = 0; i < 50; i++) {
        char f[16];
        snprintf(f, sizeof f, "f%d", i);
        VT_CHECK(vs_hash_plan_set(&p, S(f), S("v")) == VS_OK);
    }
    vs_hash_plan_discard(&p);
    VT_EQ_INT(vs_mem_used(), before);
    VT_EQ_INT(h->n, 1);
    vs_hash_free(h);
}

static void test_large(void) {
    enum { N = 500 };
    vs_hash *h = vs_hash_new();
    char f[32], v[32];
    for (int i = 0; i < N; i++) {
        snprintf(f, sizeof f, "field:%d", i);
        snprintf(v, sizeof v, "value:%d", i);
        set1(h, f, v);
    }
    VT_CHECK(h->dict != NULL);
    VT_EQ_INT(h->n, N);
    for (int i = 0; i < N; i += 3) {
        snprintf(f, sizeof f, "field:%d", i);
        vs_hash_plan p;
        vs_hash_plan_init(&p, h);
        VT_CHECK(vs_hash_plan_del(&p, S(f)) == VS_OK);
        vs_hash_plan_apply(&p);
    }
    for (int i = 0; i < N; i++) {
        snprintf(f, sizeof f, "field:%d", i);
        snprintf(v, sizeof v, "value:%d", i);
        const char *g = get(h, f);
        if (i % 3 == 0)
            VT_CHECK(g == NULL);
        else
            VT_CHECK(g && strcmp(g, v) == 0);
    }
    for (uint32_t i = 0; i < h->n; i++) VT_EQ_INT(h->f[i]->pos, i);
    vs_hash_free(h);
}

static void test_binary(void) {
    vs_hash *h = vs_hash_new();
    const uint8_t f[] = {0, 1, 0}, v[] = {0, 0};
    vs_hash_plan p;
    vs_hash_plan_init(&p, h);
    VT_CHECK(vs_hash_plan_set(&p, f, 3, v, 2) == VS_OK);
    VT_CHECK(vs_hash_plan_set(&p, (const uint8_t *)"", 0, (const uint8_t *)"", 0) == VS_OK);
    VT_CHECK(vs_hash_plan_reserve(&p) == VS_OK);
    vs_hash_plan_apply(&p);
    VT_EQ_INT(h->n, 2);
    vs_hfield *x = vs_hash_get(h, f, 3);
    VT_CHECK(x && x->vlen == 2 && memcmp(vs_hfield_value(x), v, 2) == 0);
    VT_CHECK(vs_hash_get(h, f, 2) == NULL);
    x = vs_hash_get(h, (const uint8_t *)"", 0);
    VT_CHECK(x && x->vlen == 0);
    vs_hash_free(h);
}

/* A one-field hash keeps its field pointer in the struct (f == &one, no
 * block of its own); a second field moves f to a block, and a failed
 * allocation on the way leaves the hash as it was. */
static void test_one_field_room(void) {
    size_t base_blocks = vs_mem_blocks();
    vs_hash *h = vs_hash_new();
    set1(h, "v", "0123");
    VT_CHECK(h->f == &h->one);
    VT_EQ_INT(h->cap, 1);
    VT_EQ_INT(vs_mem_blocks() - base_blocks, 2); /* the struct and the field */
    set1(h, "v", "4567"); /* an overwrite stays in the room */
    VT_CHECK(h->f == &h->one);
    VT_CHECK(strcmp(get(h, "v"), "4567") == 0);
    for (unsigned long fail = 1;; fail++) { /* the second field, each allocation failed in turn */
        vs_hash_plan p;
        vs_hash_plan_init(&p, h);
        vs_mem_inject(fail, 0);
        vs_status st = vs_hash_plan_set(&p, S("t"), S("x"));
        if (st == VS_OK) st = vs_hash_plan_reserve(&p);
        unsigned long faults = vs_mem_faults();
        vs_mem_inject(0, 0);
        if (st != VS_OK) {
            VT_CHECK(faults > 0);
            vs_hash_plan_discard(&p);
            VT_CHECK(h->f == &h->one && h->n == 1 && h->cap == 1);
            VT_CHECK(strcmp(get(h, "v"), "4567") == 0);
            continue;
        }
        VT_EQ_INT(faults, 0);
        vs_hash_plan_apply(&p);
        break;
    }
    VT_CHECK(h->f != &h->one);
    VT_EQ_INT(h->n, 2);
    VT_CHECK(strcmp(get(h, "v"), "4567") == 0 && strcmp(get(h, "t"), "x") == 0);
    for (uint32_t i = 0; i < h->n; i++) VT_EQ_INT(h->f[i]->pos, i);
    vs_hash_free(h);
    /* Loading: one field or none uses the room too. */
    h = vs_hash_new();
    VT_CHECK(vs_hash_load_reserve(h, 1) == VS_OK && h->f == &h->one);
    VT_CHECK(vs_hash_load_add(h, vs_hfield_new(S("a"), S("1"))) == VS_OK);
    vs_hfield *b = vs_hfield_new(S("b"), S("2"));
    VT_CHECK(vs_hash_load_add(h, b) == VS_ERR_CORRUPT); /* no room: refused (the block stays the caller's) */
    vs_free(b);
    VT_CHECK(strcmp(get(h, "a"), "1") == 0);
    vs_hash_free(h);
    VT_EQ_INT(vs_mem_blocks(), base_blocks);
}

int main(void) {
    VT_RUN(test_one_field_room);
    VT_RUN(test_plan_and_view);
    VT_RUN(test_discard_frees);
    VT_RUN(test_large);
    VT_RUN(test_binary);
    VT_DONE();
}
