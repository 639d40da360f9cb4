/* test_hnsw.c - HNSW graph invariants under inserts, updates and deletes,
 * reproducible builds for a seed, exact answers on tiny data. */
#include "../../src/db.h"
#include "../../src/ft_index.h"
#include "../../src/index_hnsw.h"
#include "vt_cmd.h"

static uint32_t rs = 99;
static float frand(void) {
    rs = rs * 1664525u + 1013904223u;
    return (float)(rs >> 8) / 16777216.0f;
}

static vs_hnsw *hnsw_of(vs_db *db, const char *index) {
    vs_ftindex *x = vs_search_find(&db->search, (const uint8_t *)index, strlen(index));
    return x ? (vs_hnsw *)x->fields[0] : NULL;
}

/* Every link points to an element, none to itself, counts within bounds,
 * the key map agrees with the records, every live element is reachable
 * from the entry point on layer 0. */
static void check_invariants(vs_hnsw *h) {
    uint32_t live = 0;
    for (uint32_t e = 0; e < h->count; e++) {
        for (int l = 0; l <= h->levels[e]; l++) {
            const uint32_t *lk = l == 0 ? (const uint32_t *)(h->arena + (size_t)e * h->elem_size)
                                        : h->upper[e] + (size_t)(l - 1) * (h->M + 1);
            VT_CHECK(lk[0] <= (l ? h->M : h->M0));
            for (uint32_t i = 1; i <= lk[0]; i++) {
                VT_CHECK(lk[i] < h->count);
                VT_CHECK(lk[i] != e);
                if (l > 0) VT_CHECK(h->levels[lk[i]] >= l);
            }
            for (uint32_t i = lk[0] + 1; i <= (l ? h->M : h->M0); i++) VT_CHECK(lk[i] == 0); /* no stale ids */
        }
        if (!vs_bit_test(h->deleted.w, e)) {
            live++;
            uint32_t key;
            memcpy(&key, h->arena + (size_t)e * h->elem_size + h->off_key, 4);
            VT_EQ_INT(h->key_elem[key], e);
        }
    }
    VT_EQ_INT(live, h->live);
    VT_EQ_INT(h->count - live, h->nfree);
    if (h->entry == VS_NO_ELEM) return;
    VT_EQ_INT(h->levels[h->entry], h->max_level);
    /* Reachability on layer 0 (BFS). */
    uint8_t *seen = calloc(h->count, 1);
    uint32_t *queue = malloc(h->count * sizeof *queue);
    size_t qh = 0, qt = 0;
    queue[qt++] = h->entry;
    seen[h->entry] = 1;
    while (qh < qt) {
        uint32_t e = queue[qh++];
        const uint32_t *lk = (const uint32_t *)(h->arena + (size_t)e * h->elem_size);
        for (uint32_t i = 1; i <= lk[0]; i++)
            if (!seen[lk[i]]) {
                seen[lk[i]] = 1;
                queue[qt++] = lk[i];
            }
    }
    uint32_t unreachable = 0;
    for (uint32_t e = 0; e < h->count; e++) unreachable += !seen[e] && !vs_bit_test(h->deleted.w, e);
    VT_CHECK(unreachable <= h->live / 100); /* HNSW may strand a rare node; never many */
    free(seen);
    free(queue);
}

static void hset_vec(vs_db *db, const char *key, const float *v, int dim) {
    vt_blob(5, v, (size_t)dim);
    vt_run(db, "HSET", key, "v", VT_BLOB(5), NULL);
}

static void test_build_update_delete(void) {
    vs_db *db = vs_open(NULL);
    VT_CMD(db, "+OK\r\n", "FT.CREATE", "h", "SCHEMA", "v", "VECTOR", "HNSW", "12", "TYPE", "FLOAT32", "DIM", "8",
           "DISTANCE_METRIC", "L2", "M", "6", "EF_CONSTRUCTION", "40", "INITIAL_CAP", "16");
    float v[8];
    char key[32];
    for (int i = 0; i < 600; i++) {
        for (int j = 0; j < 8; j++) v[j] = frand();
        snprintf(key, sizeof key, "k%d", i);
        hset_vec(db, key, v, 8);
    }
    vs_hnsw *h = hnsw_of(db, "h");
    VT_EQ_INT(h->live, 600);
    VT_CHECK(h->capacity >= 600);
    check_invariants(h);
    /* Updates reuse their own slot; deletes free slots that inserts reuse. */
    uint32_t count = h->count;
    for (int i = 0; i < 600; i += 2) {
        for (int j = 0; j < 8; j++) v[j] = frand();
        snprintf(key, sizeof key, "k%d", i);
        hset_vec(db, key, v, 8);
    }
    VT_EQ_INT(h->count, count);
    for (int i = 1; i < 600; i += 3) {
        snprintf(key, sizeof key, "k%d", i);
        vt_run(db, "DEL", key, NULL);
    }
    check_invariants(h);
    VT_EQ_INT(h->live, 400);
    for (int i = 0; i < 200; i++) {
        for (int j = 0; j < 8; j++) v[j] = frand();
        snprintf(key, sizeof key, "new%d", i);
        hset_vec(db, key, v, 8);
    }
    VT_EQ_INT(h->count, count); /* every freed slot reused */
    VT_EQ_INT(h->live, 600);
    check_invariants(h);
    /* Deleted documents never come back. */
    for (int j = 0; j < 8; j++) v[j] = 0.5f;
    vt_blob(0, v, 8);
    vt_run(db, "FT.SEARCH", "h", "*=>[KNN 600 @v $q EF_RUNTIME 600]", "PARAMS", "2", "q", VT_BLOB(0), "NOCONTENT",
           "LIMIT", "0", "600", NULL);
    const char *t = vt_text(db);
    VT_CHECK(strncmp(t, "[600,", 5) == 0);
    VT_CHECK(strstr(t, "k1,") == NULL && strstr(t, "k4,") == NULL);
    /* FLUSHALL empties the graph; it is usable again. */
    vt_run(db, "FLUSHALL", NULL);
    VT_EQ_INT(h->live, 0);
    VT_EQ_INT(h->count, 0);
    hset_vec(db, "again", v, 8);
    VT_TEXT(db, "[1,again]", "FT.SEARCH", "h", "*=>[KNN 5 @v $q]", "PARAMS", "2", "q", VT_BLOB(0), "NOCONTENT");
    check_invariants(h);
    vs_close(db);
}

static void test_exact_on_tiny(void) {
    vs_db *db = vs_open(NULL);
    vt_run(db, "FT.CREATE", "h", "SCHEMA", "v", "VECTOR", "HNSW", "6", "TYPE", "FLOAT32", "DIM", "2",
           "DISTANCE_METRIC", "L2", NULL);
    char key[16];
    for (int i = 0; i < 50; i++) {
        float v[2] = {(float)i, 0};
        snprintf(key, sizeof key, "p%02d", i);
        hset_vec(db, key, v, 2);
    }
    float q[2] = {20.2f, 0};
    vt_blob(0, q, 2);
    VT_TEXT(db, "[3,p20,p21,p19]", "FT.SEARCH", "h", "*=>[KNN 3 @v $q]", "PARAMS", "2", "q", VT_BLOB(0), "NOCONTENT");
    vs_close(db);
}

/* The same seed and insertion order build the same graph, byte for byte. */
static void test_reproducible(void) {
    vs_options opt = {.seed = 1234};
    vs_db *a = vs_open(&opt), *b = vs_open(&opt);
    vs_db *dbs[2] = {a, b};
    for (int d = 0; d < 2; d++) {
        rs = 7;
        vt_run(dbs[d], "FT.CREATE", "h", "SCHEMA", "v", "VECTOR", "HNSW", "8", "TYPE", "FLOAT32", "DIM", "4",
               "DISTANCE_METRIC", "COSINE", "M", "4", NULL);
        char key[16];
        float v[4];
        for (int i = 0; i < 300; i++) {
            for (int j = 0; j < 4; j++) v[j] = frand() - 0.5f;
            snprintf(key, sizeof key, "k%d", i);
            hset_vec(dbs[d], key, v, 4);
        }
    }
    vs_hnsw *ha = hnsw_of(a, "h"), *hb = hnsw_of(b, "h");
    VT_EQ_INT(ha->count, hb->count);
    VT_CHECK(memcmp(ha->arena, hb->arena, (size_t)ha->count * ha->elem_size) == 0);
    VT_CHECK(memcmp(ha->levels, hb->levels, ha->count) == 0);
    VT_EQ_INT(ha->entry, hb->entry);
    check_invariants(ha);
    vs_close(a);
    vs_close(b);
}

int main(void) {
    VT_RUN(test_build_update_delete);
    VT_RUN(test_exact_on_tiny);
    VT_RUN(test_reproducible);
    VT_DONE();
}
