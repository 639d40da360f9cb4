/* test_sq8.c - HNSW COMPRESSION SQ8: the codec's bound (every component
 * decodes within half a step), the estimated distances within the bound
 * the components' errors give, and the recall of a compressed index
 * against the same graph uncompressed (built from the same inserts: the
 * graphs must be byte-identical) at EF_RUNTIME 10, 50 and 100 on seeded
 * clustered data, L2 and COSINE; results are exact distances. */
#include <math.h>

#include "../../src/index/sq8.h"
#include "../../src/query/ft_index.h"
#include "../../src/index/hnsw.h"
#include "vt_cmd.h"

static uint32_t rs;
static float frand(void) { /* [0, 1) */
    rs = rs * 1664525u + 1013904223u;
    return (float)(rs >> 8) / 16777216.0f;
}
static float gauss(void) {
    float s = 0;
    for (int i = 0; i < 6; i++) s += frand();
    return s - 3.0f;
}

static vs_vspace space(vs_vectype t, vs_metric m, uint32_t dim) {
    vs_vecdef d = {0};
    d.type = t;
    d.metric = m;
    d.dim = dim;
    vs_vspace s;
    vs_vspace_init(&s, &d);
    return s;
}

/* x as the space's type into buf; returns x widened back (what is coded). */
static void store(const vs_vspace *s, const float *x, uint8_t *buf, float *back) {
    for (uint32_t i = 0; i < s->dim; i++) {
        if (s->type == VS_VEC_FLOAT32) {
            memcpy(buf + 4 * i, &x[i], 4);
            back[i] = x[i];
        } else {
            uint16_t h = s->type == VS_VEC_FLOAT16 ? vs_f32_to_f16(x[i]) : vs_f32_to_bf16(x[i]);
            memcpy(buf + 2 * i, &h, 2);
            back[i] = s->type == VS_VEC_FLOAT16 ? vs_f16_to_f32(h) : vs_bf16_to_f32(h);
        }
    }
}

static void fill(float *x, uint32_t n, int shape) {
    float scale = shape == 2 ? 1e30f : shape == 3 ? 1e-30f : 1.0f;
    for (uint32_t i = 0; i < n; i++) x[i] = shape == 1 ? 0.75f : (gauss() + (shape == 4 ? 100.0f : 0.0f)) * scale;
}

static void test_codec_bound(void) {
    static const vs_vectype types[] = {VS_VEC_FLOAT32, VS_VEC_FLOAT16, VS_VEC_BFLOAT16};
    static const uint32_t dims[] = {1, 3, 16, 64, 131};
    float x[131], back[131];
    uint8_t buf[131 * 4];
    _Alignas(4) uint8_t rec[16 + 132];
    for (uint32_t seed = 1; seed <= 40; seed++) {
        rs = seed;
        for (size_t ti = 0; ti < 3; ti++)
            for (size_t di = 0; di < 5; di++)
                for (int shape = 0; shape < 5; shape++) {
                    if (types[ti] == VS_VEC_FLOAT16 && (shape == 2 || shape == 3)) continue; /* out of half range */
                    vs_vspace s = space(types[ti], VS_METRIC_L2, dims[di]);
                    fill(x, dims[di], shape);
                    store(&s, x, buf, back);
                    vs_sq8_encode(&s, buf, 0, rec);
                    vs_sq8_head hd;
                    memcpy(&hd, rec, sizeof hd);
                    const uint8_t *c = rec + sizeof hd;
                    double lo = back[0], hi = back[0], sum = 0, sq = 0;
                    for (uint32_t i = 0; i < dims[di]; i++) {
                        if (back[i] < lo) lo = back[i];
                        if (back[i] > hi) hi = back[i];
                    }
                    int bad = 0;
                    for (uint32_t i = 0; i < dims[di]; i++) {
                        double dec = (double)hd.a + (double)hd.d * c[i];
                        /* half a step, plus the float step's own rounding */
                        if (fabs(back[i] - dec) > hd.d * 0.5 * (1 + 1e-5) + (hi - lo) * 1e-6) bad = 1;
                        sum += c[i];
                        sq += (double)back[i] * back[i];
                    }
                    if (bad || hd.a != (float)lo || hd.sum != (float)sum || (hi == lo && hd.d != 0) ||
                        fabs(hd.d - (hi - lo) / 255) > (hi - lo) * 1e-6 ||
                        (sq < 3e38 && fabs(hd.aux - sq) > sq * 1e-5 + 1e-37))
                        vt_fail(__FILE__, __LINE__, "seed %u type %zu dim %u shape %d: code out of bounds", seed, ti,
                                dims[di], shape);
                    vt_checks++;
                    for (uint32_t i = dims[di]; i < ((dims[di] + 3) & ~3u); i++) VT_EQ_INT(c[i], 0); /* padding */
                }
    }
}

/* |est - exact| <= what the components' errors (half a step each) allow. */
static void test_estimate_bound(void) {
    static const vs_metric metrics[] = {VS_METRIC_L2, VS_METRIC_IP, VS_METRIC_COSINE};
    float q[100], x[100];
    _Alignas(4) uint8_t rq[16 + 100], rx[16 + 100];
    vs_vsum_fn cdot = vs_dot_of(VS_VEC_UINT8);
    for (uint32_t seed = 1; seed <= 300; seed++) {
        rs = seed;
        uint32_t n = 1 + seed % 100;
        vs_metric m = metrics[seed % 3];
        vs_vspace s = space(VS_VEC_FLOAT32, m, n);
        fill(q, n, seed % 7 == 0 ? 4 : 0);
        fill(x, n, seed % 5 == 0 ? 1 : 0);
        float iq = vs_vector_ref_norm(&s, q), ix = vs_vector_ref_norm(&s, x);
        vs_sq8_encode(&s, q, iq, rq);
        vs_sq8_encode(&s, x, ix, rx);
        vs_sq8_head hq, hx;
        memcpy(&hq, rq, sizeof hq);
        memcpy(&hx, rx, sizeof hx);
        double eq = hq.d / 2, ex = hx.d / 2, bound = 0, mag = 0;
        for (uint32_t i = 0; i < n; i++) {
            bound += fabs(q[i]) * ex + fabs(x[i]) * eq + eq * ex;
            mag += (fabs(q[i]) + 2 * eq) * (fabs(x[i]) + 2 * ex) + fabs(hq.a * hx.a);
        }
        double factor = m == VS_METRIC_L2 ? 2 : m == VS_METRIC_IP ? 1 : (double)iq * ix;
        double slack = 1e-5 * (mag + (m == VS_METRIC_L2 ? hq.aux + hx.aux : 0)) * (m == VS_METRIC_COSINE ? iq * ix : 1) + 1e-6;
        float est = vs_sq8_dist(m, n, rq, rx, cdot);
        float exact = vs_vdist(&s, q, iq, x, ix);
        if (!(fabs((double)est - exact) <= bound * factor + slack))
            vt_fail(__FILE__, __LINE__, "seed %u dim %u metric %d: estimate %g, exact %g, bound %g", seed, n, (int)m,
                    (double)est, (double)exact, bound * factor + slack);
        vt_checks++;
    }
}

static vs_hnsw *hnsw_of(vs_db *db) {
    vs_ftindex *x = vs_search_find(&db->eng.store->search, (const uint8_t *)"h", 1);
    return x ? (vs_hnsw *)x->fields[0] : NULL;
}

#define N 5000
#define DIM 64
#define NQ 200
#define K 10

/* The exact top K (brute force over the same kernels) of q. */
static void truth_of(const vs_vspace *s, const float *base, const float *inv, const float *q, float iq, uint32_t *out) {
    float best[K];
    uint32_t n = 0;
    for (uint32_t i = 0; i < N; i++) {
        float d = vs_vdist(s, q, iq, base + (size_t)i * DIM, inv[i]);
        if (n == K && d >= best[K - 1]) continue;
        uint32_t j = n < K ? n++ : K - 1;
        while (j && best[j - 1] > d) {
            best[j] = best[j - 1];
            out[j] = out[j - 1];
            j--;
        }
        best[j] = d;
        out[j] = i;
    }
}

static void recall_case(const char *metric, vs_metric m) {
    float *base = malloc(sizeof(float) * N * DIM), *qs = malloc(sizeof(float) * NQ * DIM), *inv = malloc(sizeof(float) * N);
    float centres[20][DIM];
    rs = 2024;
    for (int c = 0; c < 20; c++)
        for (int j = 0; j < DIM; j++) centres[c][j] = gauss() * 2;
    for (uint32_t i = 0; i < N + NQ; i++) {
        float *v = i < N ? base + (size_t)i * DIM : qs + (size_t)(i - N) * DIM;
        int c = (int)(frand() * 20);
        for (int j = 0; j < DIM; j++) v[j] = centres[c][j] + gauss() * 0.5f;
    }
    vs_vspace s = space(VS_VEC_FLOAT32, m, DIM);
    for (uint32_t i = 0; i < N; i++) inv[i] = vs_vector_ref_norm(&s, base + (size_t)i * DIM);
    vs_db *dbs[2];
    char key[16];
    for (int d = 0; d < 2; d++) {
        dbs[d] = vs_open(NULL);
        vt_run(dbs[d], "FT.CREATE", "h", "SCHEMA", "v", "VECTOR", "HNSW", d ? "12" : "10", "TYPE", "FLOAT32", "DIM", "64",
               "DISTANCE_METRIC", metric, "M", "8", "EF_CONSTRUCTION", "64", d ? "COMPRESSION" : NULL, "SQ8", NULL);
        for (uint32_t i = 0; i < N; i++) {
            snprintf(key, sizeof key, "%u", i);
            vt_blob(5, base + (size_t)i * DIM, DIM);
            vt_run(dbs[d], "HSET", key, "v", VT_BLOB(5), NULL);
        }
    }
    vs_hnsw *plain = hnsw_of(dbs[0]), *sq = hnsw_of(dbs[1]);
    VT_CHECK(plain && sq && plain->codes == NULL && sq->codes != NULL);
    if (!plain || !sq) return;
    /* Construction ignores the codes: the same graph. */
    VT_EQ_INT(plain->count, sq->count);
    VT_CHECK(memcmp(plain->arena, sq->arena, (size_t)plain->count * plain->elem_size) == 0);
    VT_EQ_INT(plain->entry, sq->entry);
    static const uint32_t efs[] = {10, 50, 100};
    for (size_t ei = 0; ei < 3; ei++) {
        uint32_t hits[2] = {0, 0}, truth[K];
        int exact_bad = 0;
        for (uint32_t qi = 0; qi < NQ; qi++) {
            const float *q = qs + (size_t)qi * DIM;
            float iq = vs_vector_ref_norm(&s, q);
            truth_of(&s, base, inv, q, iq, truth);
            for (int d = 0; d < 2; d++) {
                vs_hnsw *h = d ? sq : plain;
                vs_scored buf[K];
                vs_topk top;
                vs_topk_init(&top, buf, K, NULL, NULL);
                vs_knn_req req = {{q, iq}, NULL, INFINITY, efs[ei]};
                VT_EQ_INT(h->base.ops->knn_graph(&h->base, &req, &top), VS_OK);
                for (size_t r = 0; r < top.n; r++) {
                    /* element == insertion order here (no deletes) */
                    uint32_t e = h->key_elem[top.items[r].id];
                    if (top.items[r].dist != vs_vdist(&s, q, iq, base + (size_t)e * DIM, inv[e])) exact_bad++;
                    for (int t = 0; t < K; t++) hits[d] += truth[t] == e;
                }
            }
        }
        double rp = (double)hits[0] / (NQ * K), rq = (double)hits[1] / (NQ * K);
        VT_EQ_INT(exact_bad, 0); /* results carry exact distances */
        if (!(rq >= rp - 0.005))
            vt_fail(__FILE__, __LINE__, "%s EF %u: recall %.4f compressed, %.4f uncompressed", metric, efs[ei], rq, rp);
        vt_checks++;
        fprintf(stderr, "  %s EF %u: recall %.4f uncompressed, %.4f SQ8\n", metric, efs[ei], rp, rq);
    }
    for (int d = 0; d < 2; d++) vs_close(dbs[d]);
    free(base);
    free(qs);
    free(inv);
}

static void test_recall_l2(void) { recall_case("L2", VS_METRIC_L2); }
static void test_recall_cosine(void) { recall_case("COSINE", VS_METRIC_COSINE); }

int main(void) {
    VT_RUN(test_codec_bound);
    VT_RUN(test_estimate_bound);
    VT_RUN(test_recall_l2);
    VT_RUN(test_recall_cosine);
    VT_DONE();
}
