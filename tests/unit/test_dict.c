/* test_dict.c - the intrusive dict: lookups across incremental rehashing,
 * removal, shrinking, and the no-allocation guarantee after reserve. */
#include "../../src/base/alloc.h"
#include "../../src/data/dict.h"
#include "../../src/base/util.h"
#include "vt.h"

typedef struct item {
    vs_dnode node;
    int key;
} item;

static int item_eq(const vs_dnode *n, const void *key, size_t klen) {
    (void)klen;
    return ((const item *)n)->key == *(const int *)key;
}
static const vs_dict_type type = {item_eq};
static uint32_t h(int k) { return vs_hash_bytes(&k, sizeof k, 7); }

static item *find(vs_dict *d, int k) { return (item *)vs_dict_find(d, h(k), &k, sizeof k); }

static void test_grow_and_find(void) {
    enum { N = 20000 };
    static item items[N];
    vs_dict d;
    vs_dict_init(&d, &type);
    for (int i = 0; i < N; i++) {
        items[i].key = i;
        VT_CHECK(vs_dict_reserve(&d, 1) == VS_OK);
        vs_dict_insert(&d, &items[i].node, h(i));
        /* Everything inserted so far is findable, mid-rehash or not. */
        if (i % 997 == 0)
            for (int j = 0; j <= i; j += 13) VT_CHECK(find(&d, j) == &items[j]);
    }
    VT_EQ_INT(vs_dict_count(&d), N);
    for (int i = 0; i < N; i++) VT_CHECK(find(&d, i) == &items[i]);
    int missing = N + 5;
    VT_CHECK(find(&d, missing) == NULL);
    /* Remove odd keys by key, even keys by identity. */
    for (int i = 0; i < N; i++) {
        if (i & 1)
            VT_CHECK(vs_dict_remove(&d, h(i), &i, sizeof i) == &items[i].node);
        else
            vs_dict_unlink(&d, &items[i].node);
    }
    VT_EQ_INT(vs_dict_count(&d), 0);
    for (int i = 0; i < N; i += 7) VT_CHECK(find(&d, i) == NULL);
    vs_dict_release(&d);
}

static void test_reserve_then_no_alloc(void) {
    enum { N = 1000 };
    static item items[N];
    vs_dict d;
    vs_dict_init(&d, &type);
    VT_CHECK(vs_dict_reserve(&d, N) == VS_OK);
    vs_mem_inject(1, 1); /* every allocation from now fails */
    for (int i = 0; i < N; i++) {
        items[i].key = i;
        vs_dict_insert(&d, &items[i].node, h(i));
    }
    vs_mem_inject(0, 0);
    for (int i = 0; i < N; i++) VT_CHECK(find(&d, i) == &items[i]);
    /* Reserve fails cleanly when memory is short. */
    vs_mem_inject(1, 1);
    VT_CHECK(vs_dict_reserve(&d, 100000) == VS_ERR_NOMEM);
    vs_mem_inject(0, 0);
    VT_EQ_INT(vs_dict_count(&d), N);
    vs_dict_clear(&d, NULL, NULL);
    vs_dict_release(&d);
}

static void test_rehash_steps(void) {
    enum { N = 5000 };
    static item items[N];
    vs_dict d;
    vs_dict_init(&d, &type);
    for (int i = 0; i < N; i++) {
        items[i].key = i;
        vs_dict_reserve(&d, 1);
        vs_dict_insert(&d, &items[i].node, h(i));
    }
    while (vs_dict_rehash(&d, 100)) {
    }
    VT_EQ_INT(d.rehash_idx, -1);
    VT_EQ_INT(d.used[0], N);
    vs_dict_release(&d);
}

int main(void) {
    VT_RUN(test_grow_and_find);
    VT_RUN(test_reserve_then_no_alloc);
    VT_RUN(test_rehash_steps);
    VT_DONE();
}
