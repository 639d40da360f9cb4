/* text_native.c - the Vessel side of bench/text.js on the engine compiled
 * natively, for profiling (perf, callgrind) and for comparing two builds'
 * replies.  Input from `node bench/text.js --dump PREFIX`: PREFIX.docs
 * (documents, each NUL-terminated) and PREFIX.queries ("type<TAB>query"
 * lines).  Indexes the documents as bench/text.js does (TEXT NOSTEM, keys
 * "0", "1", ...), then:
 *
 *   text_native PREFIX bench [reps]   QPS per query type, LIMIT 0 10,
 *                                     measured in process CPU time (steadier
 *                                     than wall time on a shared machine)
 *   text_native PREFIX check OUT      every query (and for two-term ones
 *                                     its OR, NOT and nested forms) under
 *                                     several LIMIT / WITHSCORES / SCORER
 *                                     variants, replies written to OUT:
 *                                     compare two builds with cmp
 *
 *   gcc -std=gnu11 -Isrc -O2 -g bench/text_native.c (every src .c file) -lm
 *
 * Invariants: a benchmark tool; exits nonzero on unreadable input. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../src/abi/vessel.h"

#define MAX_QUERIES 100000

static double cpu_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static char *slurp(const char *prefix, const char *ext, size_t *n) {
    char path[1024];
    snprintf(path, sizeof path, "%s.%s", prefix, ext);
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = len >= 0 ? malloc((size_t)len + 1) : NULL;
    if (b && fread(b, 1, (size_t)len, f) != (size_t)len) {
        free(b);
        b = NULL;
    }
    fclose(f);
    if (b) b[len] = 0, *n = (size_t)len;
    return b;
}

static int run(vs_db *db, int argc, const char **argv) {
    size_t l[32];
    for (int i = 0; i < argc; i++) l[i] = strlen(argv[i]);
    return vs_exec(db, argc, (const uint8_t *const *)argv, l, 2);
}

static void check(vs_db *db, char **type, char **q, int n, FILE *out) {
    static const char *var[][8] = {
        {"NOCONTENT", "LIMIT", "0", "10", "DIALECT", "2", NULL},
        {"NOCONTENT", "WITHSCORES", "LIMIT", "0", "10", NULL},
        {"NOCONTENT", "WITHSCORES", "LIMIT", "3", "7", NULL},
        {"NOCONTENT", "WITHSCORES", "LIMIT", "0", "300", NULL},
        {"NOCONTENT", "LIMIT", "0", "0", NULL},
        {"NOCONTENT", "WITHSCORES", "SCORER", "BM25", "LIMIT", "0", "20", NULL},
        {"NOCONTENT", "WITHSCORES", "SCORER", "TFIDF.DOCNORM", "LIMIT", "0", "20", NULL},
    };
    for (int i = 0; i < n; i++) {
        char alt[4][600];
        int na = 1;
        snprintf(alt[0], sizeof alt[0], "%s", q[i]);
        const char *sp = strchr(q[i], ' ');
        if (!strcmp(type[i], "two-term") && sp) {
            int l = (int)(sp - q[i]);
            snprintf(alt[na++], sizeof alt[0], "%.*s|%s", l, q[i], sp + 1);
            snprintf(alt[na++], sizeof alt[0], "%.*s -%s", l, q[i], sp + 1);
            snprintf(alt[na++], sizeof alt[0], "@text:(%.*s|%s) %.*s", l, q[i], sp + 1, l, q[i]);
        }
        for (int a = 0; a < na; a++)
            for (size_t v = 0; v < sizeof var / sizeof var[0]; v++) {
                const char *args[16] = {"FT.SEARCH", "t", alt[a]};
                int c = 3;
                for (int j = 0; var[v][j]; j++) args[c++] = var[v][j];
                run(db, c, args);
                fprintf(out, "%s\n", alt[a]);
                fwrite(vs_reply_data(db), 1, vs_reply_len(db), out);
                fputc('\n', out);
            }
    }
}

int main(int argc, char **argv) {
    if (argc < 3 || (strcmp(argv[2], "bench") && strcmp(argv[2], "check")) || (!strcmp(argv[2], "check") && argc < 4)) {
        fprintf(stderr, "usage: %s PREFIX bench [reps] | PREFIX check OUT\n", argv[0]);
        return 2;
    }
    size_t nd, nq;
    char *docs = slurp(argv[1], "docs", &nd), *qs = slurp(argv[1], "queries", &nq);
    if (!docs || !qs) {
        fprintf(stderr, "cannot read %s.docs / %s.queries\n", argv[1], argv[1]);
        return 1;
    }
    vs_db *db = vs_open(NULL);
    const char *create[] = {"FT.CREATE", "t", "ON", "HASH", "SCHEMA", "text", "TEXT", "NOSTEM"};
    run(db, 8, create);
    size_t ndoc = 0;
    for (char *p = docs; p < docs + nd; p += strlen(p) + 1) {
        char key[32];
        snprintf(key, sizeof key, "%zu", ndoc++);
        const char *a[] = {"HSET", key, "text", p};
        run(db, 4, a);
    }
    while (vs_step(db, 4096)) {
    }
    static char *type[MAX_QUERIES], *q[MAX_QUERIES];
    int n = 0;
    for (char *line = strtok(qs, "\n"); line && n < MAX_QUERIES; line = strtok(NULL, "\n")) {
        char *tab = strchr(line, '\t');
        if (!tab) continue;
        *tab = 0;
        type[n] = line;
        q[n++] = tab + 1;
    }
    if (!strcmp(argv[2], "check")) {
        FILE *out = fopen(argv[3], "wb");
        if (!out) return 1;
        check(db, type, q, n, out);
        fclose(out);
    } else {
        int reps = argc > 3 ? atoi(argv[3]) : 1;
        const char *types[] = {"one-term", "two-term", "prefix", "phrase"};
        for (int t = 0; t < 4; t++) {
            double t0 = cpu_ms();
            int cnt = 0;
            for (int r = 0; r < reps; r++)
                for (int i = 0; i < n; i++) {
                    if (strcmp(type[i], types[t])) continue;
                    const char *a[] = {"FT.SEARCH", "t", q[i], "NOCONTENT", "LIMIT", "0", "10", "DIALECT", "2"};
                    run(db, 9, a);
                    cnt++;
                }
            double ms = cpu_ms() - t0;
            if (cnt) printf("%s: %.0f QPS\n", types[t], cnt / (ms / 1e3));
        }
    }
    vs_close(db);
    free(docs);
    free(qs);
    return 0;
}
