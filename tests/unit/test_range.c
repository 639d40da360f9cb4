/* test_range.c - the vector indexes' range op (VECTOR_RANGE) and the
 * query path around it, natively under ASan/UBSan.
 *
 * HNSW's range search against FLAT's exact scan of the same vectors (one
 * store, two indexes over the same keys): never a document outside the
 * radius, the same distances bit for bit, recall >= 0.9 at the default
 * epsilon, everything with a huge epsilon, after deletes and updates
 * (deleted elements route but are never results); a filter keeps only its
 * documents; an emit error stops the search and comes back.  The range
 * search itself allocates nothing; the query around it does, so FT.SEARCH
 * with range clauses (yield, SORTBY, OR, NOT, KNN over a range filter) runs
 * with every allocation failed in turn: an OOM error or the fault-free
 * reply, never a leak. */
#include <math.h>

#include "../../src/abi/db.h"
#include "../../src/base/alloc.h"
#include "../../src/index/hnsw.h"
#include "../../src/query/ft_index.h"
#include "vt_cmd.h"

#define DIM 4
#define N 500

static uint32_t rs = 7;
static float frand(void) {
    rs = rs * 1664525u + 1013904223u;
    return (float)(rs >> 8) / 16777216.0f;
}

static vs_field_index *fi_of(vs_db *db, const char *index) {
    vs_ftindex *x = vs_search_find(&db->eng.store->search, (const uint8_t *)index, strlen(index));
    return x ? x->fields[0] : NULL;
}

typedef struct hits {
    float dist[1 << 12]; /* by key id */
    uint8_t in[1 << 12];
    uint32_t n;
    int fail_at;         /* emit fails at this call (0: never) */
} hits;

static vs_status collect(void *ctx, uint32_t id, float d) {
    hits *h = ctx;
    if (h->fail_at && (int)h->n + 1 == h->fail_at) return VS_ERR_NOMEM;
    VT_CHECK(id < (1u << 12));
    VT_CHECK(!h->in[id]); /* each document once */
    h->in[id] = 1;
    h->dist[id] = d;
    h->n++;
    return VS_OK;
}

static void store(vs_db *db, const char *metric) {
    char dim[8];
    snprintf(dim, sizeof dim, "%d", DIM);
    vt_run(db, "FT.CREATE", "h", "PREFIX", "1", "k:", "SCHEMA", "v", "VECTOR", "HNSW", "10", "TYPE", "FLOAT32", "DIM", dim,
           "DISTANCE_METRIC", metric, "M", "6", "EF_CONSTRUCTION", "40", NULL);
    vt_run(db, "FT.CREATE", "f", "PREFIX", "1", "k:", "SCHEMA", "v", "VECTOR", "FLAT", "6", "TYPE", "FLOAT32", "DIM", dim,
           "DISTANCE_METRIC", metric, NULL);
    char key[16];
    float v[DIM];
    for (int i = 0; i < N; i++) {
        for (int j = 0; j < DIM; j++) v[j] = frand() - 0.5f;
        snprintf(key, sizeof key, "k:%d", i);
        vt_run(db, "HSET", key, "v", vt_blob(0, v, DIM), NULL);
    }
    for (int i = 0; i < N; i += 7) { /* deletes and updates: reused slots */
        snprintf(key, sizeof key, "k:%d", i);
        vt_run(db, "DEL", key, NULL);
        for (int j = 0; j < DIM; j++) v[j] = frand() - 0.5f;
        snprintf(key, sizeof key, "k:%d", N + i);
        vt_run(db, "HSET", key, "v", vt_blob(0, v, DIM), NULL);
    }
    for (int i = 3; i < N; i += 11) {
        snprintf(key, sizeof key, "k:%d", i);
        vt_run(db, "DEL", key, NULL);
    }
}

static void test_hnsw_against_flat(void) {
    static const char *metrics[] = {"L2", "IP", "COSINE"};
    static hits hh, fh;
    for (int m = 0; m < 3; m++) {
        vs_db *db = vs_open(NULL);
        store(db, metrics[m]);
        vs_field_index *h = fi_of(db, "h"), *f = fi_of(db, "f");
        VT_CHECK(h && f && h->ops->range && f->ops->range);
        uint64_t want = 0, got = 0, got_wide = 0;
        for (int qi = 0; qi < 20; qi++) {
            float q[DIM];
            for (int j = 0; j < DIM; j++) q[j] = frand() - 0.5f;
            if (m == 2) { /* (normalised: COSINE distances within the radii used) */
                float s = 0;
                for (int j = 0; j < DIM; j++) s += q[j] * q[j];
                for (int j = 0; j < DIM; j++) q[j] /= sqrtf(s);
            }
            float radius = m == 0 ? 0.05f + 0.02f * (float)(qi % 5) : m == 1 ? 0.9f : 0.1f + 0.05f * (float)(qi % 4);
            vs_vspace sp;
            vs_vspace_init(&sp, &f->def->vec);
            vs_vquery vq;
            VT_CHECK(vs_vquery_init(&sp, q, &vq));
            vs_knn_req req = {vq, NULL, INFINITY, 0};
            memset(&fh, 0, sizeof fh);
            memset(&hh, 0, sizeof hh);
            VT_EQ_INT(f->ops->range(f, &req, radius, 0, collect, &fh), VS_OK);
            VT_EQ_INT(h->ops->range(h, &req, radius, 0.01f, collect, &hh), VS_OK);
            for (uint32_t id = 0; id < (1u << 12); id++) {
                if (!hh.in[id]) continue;
                VT_CHECK(fh.in[id]);                  /* within the radius */
                VT_CHECK(hh.dist[id] == fh.dist[id]); /* the same float */
                VT_CHECK(hh.dist[id] <= radius);
            }
            want += fh.n;
            got += hh.n;
            memset(&hh, 0, sizeof hh);
            VT_EQ_INT(h->ops->range(h, &req, radius, 1e30f, collect, &hh), VS_OK);
            got_wide += hh.n;
            VT_EQ_INT(hh.n, fh.n); /* the whole graph explored: every one */
            /* A filter: only its documents (the even key ids). */
            vs_bitset filter;
            VT_EQ_INT(vs_bitset_init(&filter, 1u << 12), VS_OK);
            for (uint32_t id = 0; id < (1u << 12); id += 2) vs_bit_set(filter.w, id);
            req.filter = &filter;
            memset(&hh, 0, sizeof hh);
            memset(&fh, 0, sizeof fh);
            VT_EQ_INT(h->ops->range(h, &req, radius, 1e30f, collect, &hh), VS_OK);
            VT_EQ_INT(f->ops->range(f, &req, radius, 0, collect, &fh), VS_OK);
            VT_EQ_INT(hh.n, fh.n);
            for (uint32_t id = 1; id < (1u << 12); id += 2) VT_CHECK(!hh.in[id] && !fh.in[id]);
            vs_bitset_free(&filter);
            req.filter = NULL;
            /* An emit error stops the search and is returned. */
            if (want > 2) {
                memset(&hh, 0, sizeof hh);
                hh.fail_at = 2;
                VT_EQ_INT(h->ops->range(h, &req, radius, 1e30f, collect, &hh), VS_ERR_NOMEM);
                VT_EQ_INT(hh.n, 1);
                memset(&fh, 0, sizeof fh);
                fh.fail_at = 2;
                VT_EQ_INT(f->ops->range(f, &req, radius, 0, collect, &fh), VS_ERR_NOMEM);
                VT_EQ_INT(fh.n, 1);
            }
        }
        VT_CHECK(want > 100);
        VT_CHECK(got * 10 >= want * 9);
        VT_EQ_INT(got_wide, want);
        /* The range search allocates nothing. */
        size_t blocks = vs_mem_blocks();
        float q[DIM] = {0.1f, 0.2f, -0.1f, 0.3f};
        vs_vspace sp;
        vs_vspace_init(&sp, &h->def->vec);
        vs_vquery vq;
        VT_CHECK(vs_vquery_init(&sp, q, &vq));
        vs_knn_req req = {vq, NULL, INFINITY, 0};
        memset(&hh, 0, sizeof hh);
        vs_mem_inject(1, 1);
        VT_EQ_INT(h->ops->range(h, &req, 0.5f, 0.01f, collect, &hh), VS_OK);
        memset(&fh, 0, sizeof fh);
        VT_EQ_INT(f->ops->range(f, &req, 0.5f, 0.01f, collect, &fh), VS_OK);
        vs_mem_inject(0, 0);
        VT_EQ_INT(vs_mem_faults(), 0);
        VT_EQ_INT(vs_mem_blocks(), blocks);
        vs_close(db);
    }
    VT_EQ_INT(vs_mem_used(), 0);
}

/* The reply of FT.SEARCH argv (blob 0: the query vector). */
static int search(vs_db *db, const char *const *args, int argc) {
    const uint8_t *argv[24];
    size_t lens[24];
    for (int i = 0; i < argc; i++) {
        if (args[i][0] == 1) {
            argv[i] = vt_blobs[0];
            lens[i] = vt_blob_len[0];
        } else {
            argv[i] = (const uint8_t *)args[i];
            lens[i] = strlen(args[i]);
        }
    }
    return vs_exec(db, argc, argv, lens, 2);
}

static void test_query_oom(void) {
    float q[DIM] = {0.1f, 0.0f, -0.2f, 0.1f};
    static const char *queries[][24] = {
        {"FT.SEARCH", "h", "@v:[VECTOR_RANGE 0.2 $q]=>{$YIELD_DISTANCE_AS: d}", "PARAMS", "2", "q", "\x01" "0", "SORTBY", "d",
         "DESC", "LIMIT", "0", "50", NULL},
        {"FT.SEARCH", "h", "@v:[VECTOR_RANGE 0.2 $q]=>{$YIELD_DISTANCE_AS: d; $EPSILON: 0.5} | -@v:[VECTOR_RANGE 0.3 $q]",
         "PARAMS", "2", "q", "\x01" "0", "RETURN", "1", "d", "LIMIT", "0", "1000", NULL},
        {"FT.SEARCH", "f", "@v:[VECTOR_RANGE 0.3 $q]=>{$YIELD_DISTANCE_AS: d}=>[KNN 5 @v $q]", "PARAMS", "2", "q",
         "\x01" "0", NULL},
    };
    for (size_t k = 0; k < sizeof queries / sizeof queries[0]; k++) {
        int argc = 0;
        while (queries[k][argc]) argc++;
        vs_db *db = vs_open(NULL);
        rs = 7;
        store(db, "L2");
        vt_blob(0, q, DIM);
        VT_EQ_INT(search(db, queries[k], argc), 0);
        size_t rn = vs_reply_len(db);
        char *reply = malloc(rn);
        memcpy(reply, vs_reply_data(db), rn);
        VT_CHECK(rn > 40);
        unsigned long oom = 0;
        for (unsigned long nth = 1; nth < 100000; nth++) {
            vs_fault_inject(nth, 0);
            int st = search(db, queries[k], argc);
            unsigned long faults = vs_fault_inject(0, 0);
            size_t gn = vs_reply_len(db);
            const char *g = (const char *)vs_reply_data(db);
            if (st != 0) {
                oom++;
                if (gn < 4 || memcmp(g, "-OOM", 4) != 0)
                    vt_fail(__FILE__, __LINE__, "query %zu fault %lu: %.*s", k, nth, (int)gn, g);
            } else if (gn != rn || memcmp(g, reply, rn) != 0) {
                vt_fail(__FILE__, __LINE__, "query %zu fault %lu: reply differs", k, nth);
            }
            if (faults == 0) break;
        }
        VT_CHECK(oom > 3);
        free(reply);
        vs_close(db);
        VT_EQ_INT(vs_mem_used(), 0);
    }
}

int main(void) {
    VT_RUN(test_hnsw_against_flat);
    VT_RUN(test_query_oom);
    VT_DONE();
}
