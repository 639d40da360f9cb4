/* flat_plain.c - a plain exact KNN scan in C, the native reference of
 * bench/flat.js and the ground truth of bench/scale.js.  Not the engine's
 * code: one loop over the rows, the squared L2 distance summed in float,
 * a sorted top-k array (ties: the lower row first).  bench/flat.js builds
 * it with gcc -O3 -march=native, and once more adding -ffast-math (which
 * lets gcc vectorise the sum).
 *
 *   flat_plain <base.f32> <n> <dim> <queries.f32> <nq> <k> [ids.out]
 *
 * Prints one JSON line {"qps": ...}; with ids.out, also writes the top-k
 * row numbers of every query there (nq * k uint32, little-endian). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static float *load(const char *path, size_t count) {
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    float *v = malloc(count * sizeof *v);
    if (v && fread(v, sizeof *v, count, f) != count) {
        free(v);
        v = NULL;
    }
    fclose(f);
    return v;
}

static float l2sq(const float *a, const float *b, size_t dim) {
    float s = 0;
    for (size_t j = 0; j < dim; j++) {
        float d = a[j] - b[j];
        s += d * d;
    }
    return s;
}

/* The k nearest rows of q, nearest first, into ids. */
static void scan(const float *base, size_t n, size_t dim, const float *q, size_t k, float *dist, uint32_t *ids) {
    size_t have = 0;
    for (size_t i = 0; i < n; i++) {
        float d = l2sq(base + i * dim, q, dim);
        if (have == k && d >= dist[k - 1]) continue;
        size_t p = have < k ? have++ : k - 1;
        while (p > 0 && dist[p - 1] > d) {
            dist[p] = dist[p - 1];
            ids[p] = ids[p - 1];
            p--;
        }
        dist[p] = d;
        ids[p] = (uint32_t)i;
    }
}

int main(int argc, char **argv) {
    if (argc != 7 && argc != 8) {
        fprintf(stderr, "usage: %s base.f32 n dim queries.f32 nq k [ids.out]\n", argv[0]);
        return 2;
    }
    size_t n = strtoul(argv[2], NULL, 10), dim = strtoul(argv[3], NULL, 10);
    size_t nq = strtoul(argv[5], NULL, 10), k = strtoul(argv[6], NULL, 10);
    float *base = load(argv[1], n * dim), *qs = load(argv[4], nq * dim);
    float *dist = malloc(k * sizeof *dist);
    uint32_t *ids = malloc(nq * k * sizeof *ids);
    if (!base || !qs || !dist || !ids || k == 0 || k > n) {
        fprintf(stderr, "cannot read the data (or bad k)\n");
        return 1;
    }
    scan(base, n, dim, qs, k, dist, ids); /* warm up */
    double t0 = now_ms();
    for (size_t i = 0; i < nq; i++) scan(base, n, dim, qs + i * dim, k, dist, ids + i * k);
    double ms = now_ms() - t0;
    if (argc == 8) {
        FILE *f = fopen(argv[7], "wb");
        if (!f || fwrite(ids, sizeof *ids, nq * k, f) != nq * k || fclose(f) != 0) {
            fprintf(stderr, "cannot write %s\n", argv[7]);
            return 1;
        }
    }
    printf("{\"qps\": %.1f}\n", (double)nq / (ms / 1e3));
    free(base);
    free(qs);
    free(dist);
    free(ids);
    return 0;
}
