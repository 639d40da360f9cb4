/* test_hnsw.c - HNSW graph invariants under inserts, updates and deletes,
 * reproducible builds for a seed, exact answers on tiny data. */
#include "../../src/abi/db.h"
#include "../../src/query/ft_index.h"
#include "../../src/index/hnsw.h"
#include "vt_cmd.h"

static uint32_t rs = 99;
static float frand(void) {
    rs = rs * 1664525u + 1013904223u;
    return (float)(rs >> 8) / 16777216.0f;
}

static vs_hnsw *hnsw_of(vs_db *db, const char *index) {
    vs_ftindex *x = vs_search_find(&db->eng.store->search, (const uint8_t *)index, strlen(index));
    return x ? (vs_hnsw *)x->fields[0] : NULL;
}

/* Live elements a layer-0 walk from the entry point misses (computed
 * here, independently of the index's own check). */
static uint32_t unreached_from_entry(const vs_hnsw *h) {
    if (h->live == 0) return 0;
    if (h->entry >= h->count) return h->live;
    uint8_t *seen = calloc(h->count, 1);
    uint32_t *queue = malloc(h->count * sizeof *queue);
    size_t qh = 0, qt = 0;
    queue[qt++] = h->entry;
    seen[h->entry] = 1;
    while (qh < qt) {
        const uint32_t *lk = (const uint32_t *)(h->arena + (size_t)queue[qh++] * h->elem_size);
        for (uint32_t i = 1; i <= lk[0]; i++)
            if (!seen[lk[i]]) {
                seen[lk[i]] = 1;
                queue[qt++] = lk[i];
            }
    }
    uint32_t missed = 0;
    for (uint32_t e = 0; e < h->count; e++) missed += !seen[e] && !vs_bit_test(h->deleted.w, e);
    free(seen);
    free(queue);
    return missed;
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
    /* The layer-0 in-degrees kept incrementally match the links. */
    uint32_t *indeg = calloc(h->count + 1, sizeof *indeg);
    for (uint32_t e = 0; e < h->count; e++) {
        const uint32_t *lk = (const uint32_t *)(h->arena + (size_t)e * h->elem_size);
        for (uint32_t i = 1; i <= lk[0]; i++) indeg[lk[i]]++;
    }
    uint32_t wrong = 0;
    for (uint32_t e = 0; e < h->count; e++) wrong += indeg[e] != h->indeg[e];
    VT_EQ_INT(wrong, 0);
    free(indeg);
    if (h->entry == VS_NO_ELEM) return;
    VT_EQ_INT(h->levels[h->entry], h->max_level);
    /* The reachability tree: the entry point is the root; every other
     * element's parent links to it on layer 0, and parent chains end at
     * the root. */
    VT_EQ_INT(h->norphans, 0);
    VT_EQ_INT(h->parent[h->entry], VS_NO_ELEM);
    uint32_t bad_tree = 0;
    for (uint32_t e = 0; e < h->count; e++) {
        if (e == h->entry) continue;
        uint32_t p = h->parent[e];
        int linked = 0;
        if (p < h->count) {
            const uint32_t *lk = (const uint32_t *)(h->arena + (size_t)p * h->elem_size);
            for (uint32_t i = 1; i <= lk[0] && !linked; i++) linked = lk[i] == e;
        }
        uint32_t x = e, steps = 0;
        while (x != h->entry && x < h->count && steps++ <= h->count) x = h->parent[x];
        bad_tree += !linked || x != h->entry;
    }
    VT_EQ_INT(bad_tree, 0);
    /* Reachability on layer 0 (BFS). */
    VT_EQ_INT(unreached_from_entry(h), 0);
    VT_EQ_INT(vs_hnsw_unreachable(h), 0);
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

/* The report's case: an update of the only live key, whose old element
 * is the entry point, after the other element (on a lower level) was
 * deleted.  The update reused the entry's slot without linking it, so the
 * greedy descent left it through its stale upper links for the deleted
 * element, which no longer linked back: KNN returned nothing. */
static void hset4(vs_db *db, const char *key, float a, float b, float c, float d) {
    float v[4] = {a, b, c, d};
    hset_vec(db, key, v, 4);
}

static void test_entry_point_update(void) {
    int bad = 0;
    for (uint32_t seed = 0; seed < 200; seed++) {
        vs_options opt = {.seed = seed};
        vs_db *db = vs_open(&opt);
        vt_run(db, "FT.CREATE", "h", "SCHEMA", "v", "VECTOR", "HNSW", "8", "TYPE", "FLOAT32", "DIM", "4",
               "DISTANCE_METRIC", "COSINE", "M", "4", NULL);
        vs_hnsw *h = hnsw_of(db, "h");
        hset4(db, "k5", -0.5f, 0.99f, -0.94f, 0);
        hset4(db, "k1", 1, 1, -0.84f, 1);
        vt_run(db, "DEL", "k1", NULL);
        hset4(db, "k5", 0.36f, 0.42f, 0.47f, -0.72f);
        float q[4] = {1, 0, 0, 0};
        vt_blob(0, q, 4);
        vt_run(db, "FT.SEARCH", "h", "*=>[KNN 5 @v $q]", "PARAMS", "2", "q", VT_BLOB(0), "NOCONTENT", NULL);
        const char *t = vt_text(db);
        if (strcmp(t, "[1,k5]") != 0 || vs_hnsw_unreachable(h) != 0) {
            if (bad++ < 3) vt_fail(__FILE__, __LINE__, "seed %u: %s, %u unreachable", seed, t, vs_hnsw_unreachable(h));
        }
        check_invariants(h);
        vs_close(db);
    }
    VT_EQ_INT(bad, 0);
}

/* Seeded churn (inserts, updates, deletes over a few keys, so slots and
 * the entry point are reused all the time): after every operation every
 * live element is reachable from wherever a query's descent can end, and
 * a KNN over everything returns every live key. */
static uint64_t churn_rs;
static uint32_t churn_rand(void) {
    churn_rs = churn_rs * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)(churn_rs >> 33);
}

static void churn(const char *m, const char *metric, uint32_t seed, int ops) {
    vs_options opt = {.seed = seed};
    vs_db *db = vs_open(&opt);
    vt_run(db, "FT.CREATE", "h", "SCHEMA", "v", "VECTOR", "HNSW", "8", "TYPE", "FLOAT32", "DIM", "4",
           "DISTANCE_METRIC", metric, "M", m, NULL);
    vs_hnsw *h = hnsw_of(db, "h");
    churn_rs = seed * 7919u + (uint64_t)m[0] * 31u + (uint64_t)metric[0];
    uint32_t nkeys = 4 + churn_rand() % 60;
    int failed = 0;
    for (int i = 0; i < ops && !failed; i++) {
        char key[16];
        snprintf(key, sizeof key, "k%u", churn_rand() % nkeys);
        if (churn_rand() % 3 == 0) {
            vt_run(db, "DEL", key, NULL);
        } else {
            float v[4];
            for (int j = 0; j < 4; j++) v[j] = (float)(churn_rand() % 2001) / 1000.0f - 1.0f;
            hset_vec(db, key, v, 4);
        }
        uint32_t u = vs_hnsw_unreachable(h);
        if (u != 0) {
            vt_fail(__FILE__, __LINE__, "M %s %s seed %u op %d: %u live elements unreachable", m, metric, seed, i, u);
            failed = 1;
        }
        if (i % 16 == 0 && h->live) {
            float q[4] = {0.1f, -0.2f, 0.3f, 0.05f};
            char knn[64];
            snprintf(knn, sizeof knn, "*=>[KNN %u @v $q EF_RUNTIME %u]", h->live, h->count);
            vt_blob(0, q, 4);
            vt_run(db, "FT.SEARCH", "h", knn, "PARAMS", "2", "q", VT_BLOB(0), "NOCONTENT", "LIMIT", "0", "0", NULL);
            char want[32];
            snprintf(want, sizeof want, "[%u]", h->live);
            if (strcmp(vt_text(db), want) != 0) {
                vt_fail(__FILE__, __LINE__, "M %s %s seed %u op %d: KNN over all found %s of %u", m, metric, seed, i,
                        vt_text(db), h->live);
                failed = 1;
            }
        }
    }
    check_invariants(h);
    vs_close(db);
}

static void test_churn_reachability(void) {
    static const char *ms[] = {"4", "16"};
    static const char *metrics[] = {"COSINE", "L2", "IP"};
    for (int a = 0; a < 2; a++)
        for (int b = 0; b < 3; b++)
            for (uint32_t seed = 0; seed < 24; seed++) churn(ms[a], metrics[b], seed, 300);
}


/* Adversarial churn: IP, L2 and COSINE on unnormalised data (norms from
 * 0.01 to 100), 2 to 4 dimensions (ties, collinear points), duplicate
 * vectors, M from the minimum (2) to 16, small EF_CONSTRUCTION (poor
 * graphs), up to 300 keys, and frequent deletes of the entry point's key.
 * After every operation every live element must be reachable on layer 0
 * from the entry point, and a KNN over everything must return every live
 * key.  A failure prints the seed; ADV_SEED=n reruns one seed. */
static int adversarial_churn(uint32_t seed, int ops) {
    static const char *metrics[] = {"IP", "L2", "COSINE"};
    static const char *ms[] = {"2", "3", "4", "4", "6", "8", "16"};
    static const char *efcs[] = {"4", "16", "64", "200"};
    churn_rs = 0x9e3779b9ull * (seed + 1);
    const char *metric = metrics[seed % 3];
    const char *m = ms[churn_rand() % 7];
    const char *efc = efcs[churn_rand() % 4];
    int dim = 2 + (int)(churn_rand() % 3);
    uint32_t nkeys = 8 + churn_rand() % 293;
    char dims[8];
    snprintf(dims, sizeof dims, "%d", dim);
    vs_options opt = {.seed = seed};
    vs_db *db = vs_open(&opt);
    vt_run(db, "FT.CREATE", "h", "SCHEMA", "v", "VECTOR", "HNSW", "10", "TYPE", "FLOAT32", "DIM", dims,
           "DISTANCE_METRIC", metric, "M", m, "EF_CONSTRUCTION", efc, NULL);
    vs_hnsw *h = hnsw_of(db, "h");
    float pool[8][4];
    for (int i = 0; i < 8; i++)
        for (int j = 0; j < 4; j++) pool[i][j] = (float)((int)(churn_rand() % 21) - 10);
    int failed = 0;
    for (int i = 0; i < ops && !failed; i++) {
        char key[16];
        uint32_t r = churn_rand() % 12;
        snprintf(key, sizeof key, "k%u", churn_rand() % nkeys);
        if (r == 0 && h->live && !vs_bit_test(h->deleted.w, h->entry)) {
            /* Delete the entry point's key. */
            uint32_t kid;
            memcpy(&kid, h->arena + (size_t)h->entry * h->elem_size + h->off_key, 4);
            vs_kentry *ke = vs_ks_by_id(&db->eng.store->ks, kid);
            VT_CHECK(ke != NULL);
            if (ke) {
                snprintf(key, sizeof key, "%.*s", (int)ke->klen, (const char *)ke->key);
                vt_run(db, "DEL", key, NULL);
            }
        } else if (r < 4) {
            vt_run(db, "DEL", key, NULL);
        } else {
            float v[4];
            if (r < 6) {
                memcpy(v, pool[churn_rand() % 8], sizeof v); /* duplicates */
            } else {
                static const float scale[] = {0.01f, 1.0f, 1.0f, 100.0f};
                float s = scale[churn_rand() % 4];
                for (int j = 0; j < 4; j++) v[j] = s * ((float)(churn_rand() % 2001) / 1000.0f - 1.0f);
            }
            hset_vec(db, key, v, dim);
        }
        uint32_t u = unreached_from_entry(h), u2 = vs_hnsw_unreachable(h);
        if (u != 0 || u2 != 0) {
            vt_fail(__FILE__, __LINE__, "seed %u (M %s EF_CONSTRUCTION %s %s dim %d keys %u) op %d: %u live unreachable "
                    "from the entry point, vs_hnsw_unreachable %u", seed, m, efc, metric, dim, nkeys, i, u, u2);
            failed = 1;
        }
        if (i % 32 == 0 && h->live) {
            float q[4] = {0.1f, -0.2f, 0.3f, 0.05f};
            char knn[64];
            snprintf(knn, sizeof knn, "*=>[KNN %u @v $q EF_RUNTIME %u]", h->live, h->count);
            vt_blob(0, q, (size_t)dim);
            vt_run(db, "FT.SEARCH", "h", knn, "PARAMS", "2", "q", VT_BLOB(0), "NOCONTENT", "LIMIT", "0", "0", NULL);
            char want[32];
            snprintf(want, sizeof want, "[%u]", h->live);
            if (strcmp(vt_text(db), want) != 0) {
                vt_fail(__FILE__, __LINE__, "seed %u (M %s %s dim %d) op %d: KNN over all found %s of %u", seed, m,
                        metric, dim, i, vt_text(db), h->live);
                failed = 1;
            }
        }
    }
    if (!failed) check_invariants(h);
    vs_close(db);
    return failed;
}

static void test_churn_adversarial(void) {
    const char *one = getenv("ADV_SEED");
    if (one) {
        adversarial_churn((uint32_t)atoi(one), 1500);
        return;
    }
    int bad = 0;
    for (uint32_t seed = 0; seed < 60; seed++) bad += adversarial_churn(seed, 1500);
    VT_EQ_INT(bad, 0);
}

int main(void) {
    VT_RUN(test_entry_point_update);
    VT_RUN(test_churn_reachability);
    VT_RUN(test_churn_adversarial);
    VT_RUN(test_build_update_delete);
    VT_RUN(test_exact_on_tiny);
    VT_RUN(test_reproducible);
    VT_DONE();
}
