/* flat_native.c - the FLAT KNN benchmark of bench/flat.js, on the same
 * engine code compiled natively (gcc -O3 -march=native): loads the same
 * float32 files through vs_exec (HSET, FT.CREATE, backfill), runs the
 * same KNN queries, prints one JSON line.
 *
 *   flat_native <base.f32> <n> <dim> <queries.f32> <nq> <k> <metric> */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../src/abi/vessel.h"

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

static int run(vs_db *db, int argc, const char **argv, const size_t *lens) {
    size_t l[32];
    for (int i = 0; i < argc; i++) l[i] = lens && lens[i] ? lens[i] : strlen(argv[i]);
    return vs_exec(db, argc, (const uint8_t *const *)argv, l, 2);
}

int main(int argc, char **argv) {
    if (argc != 8) {
        fprintf(stderr, "usage: %s base.f32 n dim queries.f32 nq k metric\n", argv[0]);
        return 2;
    }
    size_t n = strtoul(argv[2], NULL, 10), dim = strtoul(argv[3], NULL, 10), nq = strtoul(argv[5], NULL, 10);
    const char *k = argv[6], *metric = argv[7];
    float *base = load(argv[1], n * dim), *qs = load(argv[4], nq * dim);
    if (!base || !qs) {
        fprintf(stderr, "cannot read data\n");
        return 1;
    }
    vs_db *db = vs_open(NULL);
    char key[32], dims[16];
    snprintf(dims, sizeof dims, "%zu", dim);
    for (size_t i = 0; i < n; i++) {
        snprintf(key, sizeof key, "doc:%zu", i);
        const char *a[] = {"HSET", key, "vec", (const char *)(base + i * dim), "tag", i % 100 == 0 ? "rare" : "common"};
        size_t lens[] = {0, 0, 0, dim * 4, 0, 0};
        run(db, 6, a, lens);
    }
    const char *create[] = {"FT.CREATE", "idx", "SCHEMA", "vec", "VECTOR", "FLAT", "6", "TYPE", "FLOAT32", "DIM",
                            dims, "DISTANCE_METRIC", metric, "tag", "TAG"};
    if (run(db, 15, create, NULL) != 0) {
        fprintf(stderr, "FT.CREATE failed: %.*s\n", (int)vs_reply_len(db), vs_reply_data(db));
        return 1;
    }
    double t0 = now_ms();
    while (vs_step(db, 4096)) {
    }
    double backfill_ms = now_ms() - t0;
    const char *modes[2] = {"*=>[KNN %s @vec $q]", "@tag:{rare}=>[KNN %s @vec $q]"};
    double qps[2];
    for (int m = 0; m < 2; m++) {
        char query[64];
        snprintf(query, sizeof query, modes[m], k);
        size_t reps = m == 0 ? 1 : 10; /* filtered queries are fast: repeat */
        t0 = now_ms();
        for (size_t r = 0; r < reps; r++)
            for (size_t i = 0; i < nq; i++) {
                const char *a[] = {"FT.SEARCH", "idx", query, "PARAMS", "2", "q", (const char *)(qs + i * dim),
                                   "NOCONTENT"};
                size_t lens[] = {0, 0, 0, 0, 0, 0, dim * 4, 0};
                if (run(db, 8, a, lens) != 0) {
                    fprintf(stderr, "FT.SEARCH failed: %.*s\n", (int)vs_reply_len(db), vs_reply_data(db));
                    return 1;
                }
            }
        qps[m] = (double)(nq * reps) / ((now_ms() - t0) / 1e3);
    }
    printf("{\"qps\": %.1f, \"hybrid_qps\": %.1f, \"backfill_ms\": %.1f}\n", qps[0], qps[1], backfill_ms);
    vs_close(db);
    free(base);
    free(qs);
    return 0;
}
