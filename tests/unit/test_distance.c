/* test_distance.c - distance kernels against the plain reference loops on
 * every dimension 1..130 and on 768 and 1536, and bit-identity of this
 * build's kernel with the portable one (natively the same function; in
 * the SIMD128 WebAssembly build of this test, the SIMD kernel). */
#include <math.h>
#include <stdint.h>

#include "../../src/index/distance.h"
#include "vt.h"

static uint32_t rng_state = 12345;
static float frand(void) {
    rng_state = rng_state * 1664525u + 1013904223u;
    return (float)((rng_state >> 8) * (1.0 / 16777216.0)) * 2.0f - 1.0f;
}

static int close_enough(float got, float want, size_t n) {
    float tol = 1e-5f * (float)n * (fabsf(want) > 1 ? fabsf(want) : 1);
    return fabsf(got - want) <= tol;
}

static void check_dim(size_t n) {
    float a[1536], b[1536];
    for (int rep = 0; rep < 4; rep++) {
        for (size_t i = 0; i < n; i++) {
            a[i] = frand() * (rep + 1);
            b[i] = frand();
        }
        float l2 = vs_l2sq(a, b, n), l2p = vs_l2sq_portable(a, b, n), l2r = vs_l2sq_ref(a, b, n);
        float dt = vs_dot(a, b, n), dtp = vs_dot_portable(a, b, n), dtr = vs_dot_ref(a, b, n);
        vt_checks += 4;
        if (memcmp(&l2, &l2p, sizeof l2) != 0) vt_fail(__FILE__, __LINE__, "dim %zu: l2 %.9g != portable %.9g", n, l2, l2p);
        if (memcmp(&dt, &dtp, sizeof dt) != 0) vt_fail(__FILE__, __LINE__, "dim %zu: dot %.9g != portable %.9g", n, dt, dtp);
        if (!close_enough(l2, l2r, n)) vt_fail(__FILE__, __LINE__, "dim %zu: l2 %.9g vs reference %.9g", n, l2, l2r);
        if (!close_enough(dt, dtr, n)) vt_fail(__FILE__, __LINE__, "dim %zu: dot %.9g vs reference %.9g", n, dt, dtr);
    }
}

static void test_all_dims(void) {
    for (size_t n = 1; n <= 130; n++) check_dim(n);
    check_dim(768);
    check_dim(1536);
}

static void test_metrics(void) {
    float a[3] = {1, 2, 0}, b[3] = {1, 0, 0};
    VT_CHECK(vs_l2sq(a, b, 3) == 4.0f);
    VT_CHECK(vs_ip_dist(a, b, 3) == 0.0f); /* 1 - 1 */
    VT_CHECK(vs_metric_fn(VS_METRIC_L2) == vs_l2sq);
    VT_CHECK(vs_metric_fn(VS_METRIC_IP) == vs_ip_dist);
    VT_CHECK(vs_metric_fn(VS_METRIC_COSINE) == vs_ip_dist);
    /* COSINE: 1 - 1/sqrt(5) = 0.552786... as valkey-search prints it. */
    vs_normalize(a, 3);
    char buf[32];
    snprintf(buf, sizeof buf, "%.12g", (double)vs_ip_dist(a, b, 3));
    VT_EQ_MEM(buf, strlen(buf), "0.552786409855");
    float z[4] = {0, 0, 0, 0};
    vs_normalize(z, 4); /* zero stays zero, no NaN */
    VT_CHECK(z[0] == 0 && vs_all_finite(z, 4));
    float bad[2] = {1, NAN};
    VT_CHECK(!vs_all_finite(bad, 2));
    float u[5] = {3, 4, 0, 0, 12};
    vs_normalize(u, 5);
    VT_CHECK(fabsf(vs_dot(u, u, 5) - 1.0f) < 1e-6f);
    VT_EQ_MEM(vs_metric_name(VS_METRIC_COSINE), 6, "COSINE");
}

int main(void) {
    fprintf(stderr, "kernel: %s\n", vs_kernel_name());
    VT_RUN(test_all_dims);
    VT_RUN(test_metrics);
    VT_DONE();
}
