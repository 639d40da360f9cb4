/* test_field_index.c - the query side of the field-index interface,
 * called directly: counts and membership, filter clauses, sort values,
 * exact and graph KNN with a filter and a distance bound. */
#include <math.h>

#include "../../src/query/ft_index.h"
#include "vt_cmd.h"

/* doc:i = {vec: [i, 0], tag: odd|even, n: i} for i in 0..9, under a FLAT
 * and an HNSW vector field. */
static vs_db *fixture(void) {
    vs_db *db = vs_open(NULL);
    vt_run(db, "FT.CREATE", "idx", "PREFIX", "1", "doc:", "SCHEMA", "flat", "VECTOR", "FLAT", "6", "TYPE", "FLOAT32",
           "DIM", "2", "DISTANCE_METRIC", "L2", "hnsw", "VECTOR", "HNSW", "6", "TYPE", "FLOAT32", "DIM", "2",
           "DISTANCE_METRIC", "L2", "tag", "TAG", "n", "NUMERIC", NULL);
    for (int i = 0; i < 10; i++) {
        char key[32], n[16];
        float v[2] = {(float)i, 0};
        snprintf(key, sizeof key, "doc:%d", i);
        snprintf(n, sizeof n, "%d", i);
        vt_blob(7, v, 2);
        vt_run(db, "HSET", key, "flat", VT_BLOB(7), "hnsw", VT_BLOB(7), "tag", i % 2 ? "odd" : "even", "n", n, NULL);
    }
    vt_run(db, "HSET", "doc:x", "tag", "none", NULL);
    return db;
}

static vs_ftindex *index_of(vs_db *db) { return vs_search_find(&db->eng.store->search, (const uint8_t *)"idx", 3); }

/* Key id of doc:<i>. */
static uint32_t id_of(vs_db *db, int i) {
    char key[32];
    snprintf(key, sizeof key, "doc:%d", i);
    return vs_ks_find(&db->eng.store->ks, (const uint8_t *)key, strlen(key))->id;
}

static void test_count_has_match(void) {
    vs_db *db = fixture();
    vs_ftindex *x = index_of(db);
    vs_field_index *flat = x->fields[0], *hnsw = x->fields[1], *tag = x->fields[2], *num = x->fields[3];
    VT_EQ_INT(flat->ops->count(flat), 10);
    VT_EQ_INT(hnsw->ops->count(hnsw), 10);
    VT_EQ_INT(tag->ops->count(tag), 11);
    VT_EQ_INT(num->ops->count(num), 10);
    uint32_t nx = vs_ks_find(&db->eng.store->ks, (const uint8_t *)"doc:x", 5)->id;
    VT_CHECK(flat->ops->has(flat, id_of(db, 3)) && !flat->ops->has(flat, nx));
    VT_CHECK(hnsw->ops->has(hnsw, id_of(db, 3)) && !hnsw->ops->has(hnsw, nx));
    VT_CHECK(tag->ops->has(tag, nx) && num->ops->has(num, id_of(db, 0)) && !num->ops->has(num, nx));
    VT_CHECK(!flat->ops->match && !num->ops->knn_exact && !flat->ops->knn_graph && hnsw->ops->knn_graph);

    vs_bitset out;
    vs_bitset_init(&out, vs_ks_id_bound(&db->eng.store->ks));
    vs_fi_tag tags[2] = {{(const uint8_t *)"ODD", 3, 0}, {(const uint8_t *)"non", 3, 1}};
    vs_fi_clause c = {.kind = VS_FI_TAGS, .tags = tags, .ntags = 2};
    VT_EQ_INT(tag->ops->match(tag, &c, &out), VS_OK);
    VT_EQ_INT(vs_bitset_count(&out), 6);
    VT_CHECK(vs_bit_test(out.w, nx) && vs_bit_test(out.w, id_of(db, 9)) && !vs_bit_test(out.w, id_of(db, 2)));
    /* A tag too long for the stack buffer whose copy cannot be allocated:
     * an error, not a silently empty match. */
    static uint8_t longtag[300];
    memset(longtag, 'o', sizeof longtag);
    vs_fi_tag lt = {longtag, sizeof longtag, 0};
    c = (vs_fi_clause){.kind = VS_FI_TAGS, .tags = &lt, .ntags = 1};
    vs_mem_inject(1, 0);
    VT_EQ_INT(tag->ops->match(tag, &c, &out), VS_ERR_NOMEM);
    vs_mem_inject(0, 0);
    VT_EQ_INT(tag->ops->match(tag, &c, &out), VS_OK);
    memset(out.w, 0, vs_bitset_words(out.nbits) * sizeof *out.w);
    c = (vs_fi_clause){.kind = VS_FI_RANGE, .range = {2, 5, 1, 0}};
    VT_EQ_INT(num->ops->match(num, &c, &out), VS_OK);
    VT_EQ_INT(vs_bitset_count(&out), 3);
    VT_CHECK(!vs_bit_test(out.w, id_of(db, 2)) && vs_bit_test(out.w, id_of(db, 5)));
    vs_bitset_free(&out);

    VT_CHECK(num->ops->sort_value(num, id_of(db, 7)) == 7.0);
    VT_CHECK(isnan(num->ops->sort_value(num, nx)) && isnan(num->ops->sort_value(num, 1u << 30)));
    vs_close(db);
}

/* KNN from q = [0, 0] (L2 squared: doc:i at i^2) into a heap of k. */
static size_t knn(vs_db *db, vs_field_index *fi, int graph, uint32_t k, const vs_bitset *filter, float max_dist,
                  vs_scored *res) {
    float q[2] = {0, 0};
    vs_topk top;
    vs_topk_init(&top, res, k, NULL, NULL);
    vs_knn_req req = {{q, 0}, filter, max_dist, 0};
    if (graph)
        VT_EQ_INT(fi->ops->knn_graph(fi, &req, &top), VS_OK);
    else
        fi->ops->knn_exact(fi, &req, &top);
    vs_topk_sort(&top);
    return top.n;
}

static void test_knn_bound(void) {
    vs_db *db = fixture();
    vs_ftindex *x = index_of(db);
    vs_scored res[10];
    for (int v = 0; v < 3; v++) {
        vs_field_index *fi = x->fields[v == 0 ? 0 : 1];
        int graph = v == 2;
        /* No bound: the k nearest. */
        VT_EQ_INT(knn(db, fi, graph, 4, NULL, INFINITY, res), 4);
        VT_CHECK(res[0].id == id_of(db, 0) && res[3].id == id_of(db, 3) && res[3].dist == 9.0f);
        /* A bound leaves farther results out, inclusive at the bound. */
        VT_EQ_INT(knn(db, fi, graph, 10, NULL, 4.0f, res), 3);
        VT_CHECK(res[2].id == id_of(db, 2) && res[2].dist == 4.0f);
        VT_EQ_INT(knn(db, fi, graph, 10, NULL, -1.0f, res), 0);
        /* With a filter (odd documents) and a bound. */
        vs_bitset f;
        vs_bitset_init(&f, vs_ks_id_bound(&db->eng.store->ks));
        for (int i = 1; i < 10; i += 2) vs_bit_set(f.w, id_of(db, i));
        VT_EQ_INT(knn(db, fi, graph, 10, &f, 30.0f, res), 3);
        VT_CHECK(res[0].id == id_of(db, 1) && res[1].id == id_of(db, 3) && res[2].id == id_of(db, 5));
        VT_EQ_INT(knn(db, fi, graph, 2, &f, INFINITY, res), 2);
        VT_CHECK(res[1].id == id_of(db, 3));
        vs_bitset_free(&f);
    }
    /* Graph search cost: ef / selectivity * M0 / 2 (M 16, EF_RUNTIME 10). */
    vs_field_index *h = x->fields[1];
    VT_CHECK(h->ops->knn_graph_cost(h, 5, 0, 0.5) == 10.0 / 0.5 * 32 / 2);
    VT_CHECK(h->ops->knn_graph_cost(h, 50, 20, 1) == 50.0 * 32 / 2);
    vs_close(db);
}

int main(void) {
    VT_RUN(test_count_has_match);
    VT_RUN(test_knn_bound);
    VT_DONE();
}
