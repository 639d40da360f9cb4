/* test_text_onepass.c - the one-pass text path (query/text_onepass.c)
 * against the general one (bit set, then vs_text_score) on random data:
 * the same rows, totals and scores, byte for byte.
 *
 * A query q takes the one-pass path when its root is a text clause or an
 * AND/OR of text clauses; "(q) @all:{y}" (every document has the tag, which
 * adds nothing to a score) evaluates the same documents and scores
 * through the general path. */
#include "vt_cmd.h"

static const char *words[] = {"alpha", "alps", "alto", "beta", "bet", "bell", "gamma", "game",
                              "delta", "del", "echo", "eco", "zeta", "zen", "omega"};
#define NWORDS (sizeof words / sizeof words[0])

static uint32_t rng = 12345;
static uint32_t rnd(uint32_t n) {
    rng = rng * 1103515245u + 12345u;
    return (rng >> 8) % n;
}

static void random_text(char *out, size_t cap) {
    size_t o = 0;
    uint32_t n = 1 + rnd(10);
    out[0] = 0;
    for (uint32_t i = 0; i < n && o + 16 < cap; i++) {
        /* skewed: the first words are common */
        uint32_t w = rnd(3) ? rnd(5) : rnd(NWORDS);
        o += (size_t)snprintf(out + o, cap - o, "%s%s", i ? " " : "", words[w]);
    }
}

static void random_query(char *out, size_t cap) {
    const char *a = words[rnd(NWORDS)], *b = words[rnd(NWORDS)], *c = words[rnd(NWORDS)];
    char pre[4] = {a[0], a[1], rnd(2) ? a[2] : 0, 0};
    switch (rnd(12)) {
    case 0: snprintf(out, cap, "%s", a); break;
    case 1: snprintf(out, cap, "%s %s", a, b); break;
    case 2: snprintf(out, cap, "%s|%s", a, b); break;
    case 3: snprintf(out, cap, "%s|%s|%s", a, b, c); break;
    case 4: snprintf(out, cap, "@t1:%s", a); break;
    case 5: snprintf(out, cap, "@t1:(%s %s)", a, b); break;
    case 6: snprintf(out, cap, "%s*", pre); break;
    case 7: snprintf(out, cap, "%s* %s", pre, b); break;
    case 8: snprintf(out, cap, "%s*|%s", pre, b); break;
    case 9: snprintf(out, cap, "@t2:%s|@t1:%s", a, b); break;
    case 10: snprintf(out, cap, "%s %s %s", a, b, a); break;
    default: snprintf(out, cap, "@t1:%s* %s", pre, b); break;
    }
}

static char *reply_copy(vs_db *db, size_t *n) {
    *n = vs_reply_len(db);
    char *r = malloc(*n + 1);
    memcpy(r, vs_reply_data(db), *n);
    r[*n] = 0;
    return r;
}

static void compare(vs_db *db, const char *q, const char *scorer, const char *off, const char *num) {
    char general[256];
    snprintf(general, sizeof general, "(%s) @all:{y}", q);
    size_t n1, n2;
    vt_run(db, "FT.SEARCH", "idx", q, "NOCONTENT", "WITHSCORES", "SCORER", scorer, "LIMIT", off, num, NULL);
    char *a = reply_copy(db, &n1);
    vt_run(db, "FT.SEARCH", "idx", general, "NOCONTENT", "WITHSCORES", "SCORER", scorer, "LIMIT", off, num, NULL);
    char *b = reply_copy(db, &n2);
    vt_checks++;
    if (n1 != n2 || memcmp(a, b, n1) != 0) vt_fail(__FILE__, __LINE__, "%s (%s, %s %s) differs", q, scorer, off, num);
    free(a);
    free(b);
}

static void test_random(void) {
    static const char *scorers[] = {"BM25STD", "BM25", "TFIDF", "TFIDF.DOCNORM", "DOCSCORE"};
    for (int round = 0; round < 3; round++) {
        vs_db *db = vs_open(NULL);
        vt_run(db, "FT.CREATE", "idx", "PREFIX", "1", "d:", "SCHEMA", "t1", "TEXT", "WEIGHT", round == 1 ? "3" : "1",
               "NOSTEM", "t2", "TEXT", "NOSTEM", "all", "TAG", NULL);
        uint32_t ndocs = 50 + rnd(400);
        for (uint32_t i = 0; i < ndocs; i++) {
            char key[32], t1[256], t2[256];
            /* keys whose name order differs from id order: ties are broken by name */
            snprintf(key, sizeof key, "d:%u", rnd(100000));
            random_text(t1, sizeof t1);
            random_text(t2, sizeof t2);
            if (rnd(4)) vt_run(db, "HSET", key, "t1", t1, "t2", t2, "all", "y", NULL);
            else vt_run(db, "HSET", key, "t1", t1, "all", "y", NULL);
            if (round == 2 && rnd(10) == 0) vt_run(db, "DEL", key, NULL); /* ids reused, lists with holes */
        }
        while (vs_step(db, 1000)) {
        }
        for (int i = 0; i < 300; i++) {
            char q[128], off[16], num[16];
            random_query(q, sizeof q);
            snprintf(off, sizeof off, "%u", rnd(3) ? 0 : rnd(20));
            snprintf(num, sizeof num, "%u", rnd(4) ? rnd(30) : 1000);
            compare(db, q, scorers[rnd(5)], off, num);
        }
        vs_close(db);
    }
}

int main(void) {
    VT_RUN(test_random);
    VT_DONE();
}
