/* test_textidx.c - the TEXT field index against a brute-force model.
 *
 * Documents are built from a small vocabulary (words sharing prefixes,
 * suffixes and stems, stop words, upper case, words over the length limit,
 * now and then a value that is not UTF-8 or has no word at all) and
 * applied through the field-index ops (prepare/commit, removal, clear) in
 * a seeded random sequence; the model keeps each document as its token
 * list.  After every few steps everything a query reads is compared:
 * terms by EXACT, STEM, PREFIX, SUFFIX and FUZZY (optimal string alignment
 * distance computed by brute force), each posting list (ids, tf,
 * positions), seeks, document lengths and the statistics.  Then: every
 * allocation of a write failed in turn (the index unchanged, no leak), and
 * the snapshot section saved, loaded, truncated and damaged.
 *
 * TEXTIDX_SEED=n reruns one seed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/base/alloc.h"
#include "../../src/index/field_index.h"
#include "../../src/index/schema.h"
#include "../../src/index/stem_en.h"
#include "../../src/index/text.h"
#include "vt.h"

#define MAXID 300
#define MAXTOK 64

/* ---- random ---- */
static uint64_t rng_state;
static uint32_t rnd(void) {
    rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)(rng_state >> 33);
}
static uint32_t rndn(uint32_t n) { return rnd() % n; }

/* ---- vocabulary ---- */
#define NVOC 160
static char vocab[NVOC][160];
static const char *fixed[] = {"run",     "running", "runs",       "runner",      "connect", "connected",
                              "connection", "connections", "generous", "generously", "the",  "and",
                              "a",       "is",      "hello",      "help",        "helped",  "hallo", "yellow"};

static void make_vocab(void) {
    size_t nf = sizeof fixed / sizeof fixed[0];
    for (size_t i = 0; i < NVOC; i++) {
        if (i < nf) {
            strcpy(vocab[i], fixed[i]);
            continue;
        }
        if (i == nf) { /* over the limit: skipped */
            memset(vocab[i], 'q', 140);
            vocab[i][140] = 0;
            continue;
        }
        size_t len = 1 + rndn(6);
        for (size_t k = 0; k < len; k++) vocab[i][k] = (char)('a' + rndn(5));
        vocab[i][len] = 0;
    }
}

/* ---- the model ---- */
typedef struct mdoc {
    int present;
    int n;
    char words[MAXTOK][160];
    uint32_t pos[MAXTOK];
} mdoc;
static mdoc model[MAXID];

static int is_stop(const char *w) {
    for (size_t i = 0; i < vs_text_stopwords_default_count; i++)
        if (!strcmp(w, vs_text_stopwords_default[i])) return 1;
    return 0;
}

/* A random value and what the model makes of it: -1 not UTF-8, 0 no
 * word (missing), 1 indexed. */
static int make_value(char *out, size_t cap, mdoc *d) {
    memset(d, 0, sizeof *d);
    uint32_t kind = rndn(20);
    if (kind == 0) {
        strcpy(out, "bad \xff\xfe bytes");
        return -1;
    }
    if (kind == 1) {
        strcpy(out, kind == 1 && rndn(2) ? "the and a" : " ,. ");
        return 0;
    }
    int ntok = 1 + (int)rndn(kind < 4 ? 40 : 8);
    size_t o = 0;
    uint32_t pos = 0;
    for (int i = 0; i < ntok && o + 200 < cap; i++) {
        /* A skewed pick: low indices are common. */
        uint32_t r = rndn(NVOC);
        if (rndn(2)) r = rndn(r + 1);
        const char *w = vocab[r];
        const char *sep = rndn(4) ? " " : rndn(2) ? ", " : ".";
        if (i) o += (size_t)snprintf(out + o, cap - o, "%s", sep);
        for (size_t k = 0; w[k]; k++) out[o++] = (char)(rndn(8) ? w[k] : w[k] - 32 * (w[k] >= 'a' && w[k] <= 'z'));
        out[o] = 0;
        if (is_stop(w)) continue;
        if (strlen(w) <= VS_TEXT_MAX_WORD && d->n < MAXTOK) {
            strcpy(d->words[d->n], w);
            d->pos[d->n] = pos;
            d->n++;
        }
        pos++;
    }
    if (d->n == 0) return 0;
    d->present = 1;
    return 1;
}

/* ---- the index under test ---- */
typedef struct setup {
    vs_schema schema;
    vs_field_index *fi;
} setup;

static void make_index(setup *s, const char *const *args, int argc) {
    const uint8_t *argv[32];
    size_t lens[32];
    for (int i = 0; i < argc; i++) {
        argv[i] = (const uint8_t *)args[i];
        lens[i] = strlen(args[i]);
    }
    vs_args a = {argv, lens, 0, argc};
    vs_err err;
    vs_status st = vs_schema_parse(&a, &s->schema, &err);
    VT_EQ_INT(st, VS_OK);
    s->fi = vs_field_index_new(&s->schema.fields[0], 1);
    VT_CHECK(s->fi != NULL);
}

static void free_index(setup *s) {
    s->fi->ops->destroy(s->fi);
    vs_schema_free(&s->schema);
}

/* Apply a SET of val to id; returns the prepare status. */
static vs_status apply_set(vs_field_index *fi, uint32_t id, const char *val) {
    vs_fi_prep p;
    memset(&p, 0, sizeof p);
    p.action = VS_FI_SET;
    p.val = (const uint8_t *)val;
    p.len = strlen(val);
    vs_status st = fi->ops->reserve_id(fi, id);
    if (st != VS_OK) return st;
    st = fi->ops->prepare(fi, id, &p);
    if (st != VS_OK) return st;
    fi->ops->commit(fi, id, &p);
    return VS_OK;
}

static void apply_remove(vs_field_index *fi, uint32_t id) {
    vs_fi_prep p;
    memset(&p, 0, sizeof p);
    p.action = VS_FI_REMOVE;
    if (fi->ops->reserve_id(fi, id) != VS_OK) return;
    fi->ops->commit(fi, id, &p);
}

/* ---- checking ---- */
typedef struct collect {
    uint32_t ids[4096];
    uint32_t n;
} collect;
static int collect_fn(void *ctx, uint32_t term) {
    collect *c = ctx;
    if (c->n < 4096) c->ids[c->n++] = term;
    return 0;
}

/* Distinct words of the model (sorted), with their document counts. */
static char mwords[4096][160];
static int nmwords;
static int cmp_str(const void *a, const void *b) { return strcmp(a, b); }
static void model_words(void) {
    nmwords = 0;
    for (int id = 0; id < MAXID; id++)
        for (int k = 0; k < model[id].n; k++) {
            int dup = 0;
            for (int j = 0; j < nmwords && !dup; j++) dup = !strcmp(mwords[j], model[id].words[k]);
            if (!dup) strcpy(mwords[nmwords++], model[id].words[k]);
        }
    qsort(mwords, (size_t)nmwords, sizeof mwords[0], cmp_str);
}

static uint32_t osa(const char *a, const char *b) {
    size_t n = strlen(a), m = strlen(b);
    static uint32_t d[200][200];
    for (size_t i = 0; i <= n; i++) d[i][0] = (uint32_t)i;
    for (size_t j = 0; j <= m; j++) d[0][j] = (uint32_t)j;
    for (size_t i = 1; i <= n; i++)
        for (size_t j = 1; j <= m; j++) {
            uint32_t c = a[i - 1] != b[j - 1];
            uint32_t v = d[i - 1][j - 1] + c;
            if (d[i - 1][j] + 1 < v) v = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < v) v = d[i][j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < v)
                v = d[i - 2][j - 2] + 1;
            d[i][j] = v;
        }
    return d[n][m];
}

/* The words of terms found, sorted, as one string. */
static void found_words(const vs_field_index *fi, const collect *c, char *out, size_t cap) {
    static char w[4096][160];
    for (uint32_t i = 0; i < c->n; i++) {
        size_t n;
        const uint8_t *p = vs_text_term_word(fi, c->ids[i], &n);
        memcpy(w[i], p ? (const char *)p : "", n);
        w[i][n] = 0;
    }
    qsort(w, c->n, sizeof w[0], cmp_str);
    size_t o = 0;
    out[0] = 0;
    for (uint32_t i = 0; i < c->n && o + 170 < cap; i++) o += (size_t)snprintf(out + o, cap - o, "%s ", w[i]);
}

static int stem_of(const char *w, char *out, uint32_t min_stem) {
    size_t n = vs_stem_en(w, strlen(w), min_stem, out);
    out[n] = 0;
    return (int)n;
}

static void check_match(const vs_field_index *fi, vs_text_match how, const char *q, uint32_t dist, int stem,
                        uint32_t min_stem) {
    collect c = {.n = 0};
    vs_err err;
    vs_status st = vs_text_terms(fi, how, (const uint8_t *)q, strlen(q), dist, collect_fn, &c, &err);
    VT_EQ_INT(st, VS_OK);
    static char got[65536], want[65536];
    found_words(fi, &c, got, sizeof got);
    size_t o = 0;
    want[0] = 0;
    char qs[200], ws[200];
    stem_of(q, qs, min_stem);
    for (int i = 0; i < nmwords; i++) {
        const char *w = mwords[i];
        size_t wl = strlen(w), ql = strlen(q);
        int ok = 0;
        switch (how) {
        case VS_TM_EXACT: ok = !strcmp(w, q); break;
        case VS_TM_STEM:
            if (!stem) ok = !strcmp(w, q);
            else {
                stem_of(w, ws, min_stem);
                ok = !strcmp(ws, qs);
            }
            break;
        case VS_TM_PREFIX: ok = wl >= ql && !memcmp(w, q, ql); break;
        case VS_TM_SUFFIX: ok = wl >= ql && !memcmp(w + wl - ql, q, ql); break;
        case VS_TM_FUZZY: ok = osa(w, q) <= dist; break;
        }
        if (ok && o + 170 < sizeof want) o += (size_t)snprintf(want + o, sizeof want - o, "%s ", w);
    }
    if (strcmp(got, want)) {
        vt_fail(__FILE__, __LINE__, "match %d of '%s' (dist %u): got [%s], expected [%s]", how, q, dist, got, want);
    }
    vt_checks++;
}

/* Postings of one word against the model. */
static int offsets_on;
static void check_postings(const vs_field_index *fi, const char *w) {
    collect c = {.n = 0};
    vs_text_terms(fi, VS_TM_EXACT, (const uint8_t *)w, strlen(w), 0, collect_fn, &c, NULL);
    VT_EQ_INT(c.n, 1);
    if (c.n != 1) return;
    uint32_t term = c.ids[0];
    vs_text_iter it;
    vs_text_iter_init(fi, term, &it);
    uint32_t ndocs = 0;
    int ok = 1;
    for (uint32_t id = 0; id < MAXID && ok; id++) {
        uint32_t tf = 0, pos[MAXTOK];
        for (int k = 0; k < model[id].n; k++)
            if (!strcmp(model[id].words[k], w)) pos[tf++] = model[id].pos[k];
        if (!tf) continue;
        ndocs++;
        if (!vs_text_iter_next(&it) || it.id != id || it.tf != tf) {
            vt_fail(__FILE__, __LINE__, "postings of '%s': doc %u tf %u, iterator at %u tf %u", w, id, tf, it.id,
                    it.tf);
            ok = 0;
            break;
        }
        uint32_t got[MAXTOK];
        uint32_t n = vs_text_iter_positions(&it, got, MAXTOK);
        if (!offsets_on) {
            if (n != 0) vt_fail(__FILE__, __LINE__, "positions of '%s' kept with NOOFFSETS", w);
        } else if (n != tf || memcmp(got, pos, tf * sizeof *pos)) {
            vt_fail(__FILE__, __LINE__, "positions of '%s' in %u", w, id);
            ok = 0;
        }
    }
    if (ok && vs_text_iter_next(&it)) vt_fail(__FILE__, __LINE__, "postings of '%s': extra doc %u", w, it.id);
    VT_EQ_INT(vs_text_term_docs(fi, term), ndocs);
    /* Seeks from fresh iterators and along one iterator. */
    for (int r = 0; r < 4; r++) {
        vs_text_iter s;
        vs_text_iter_init(fi, term, &s);
        uint32_t target = 0;
        for (int step = 0; step < 6; step++) {
            target += rndn(MAXID / 4);
            uint32_t want = UINT32_MAX;
            for (uint32_t id = target; id < MAXID && want == UINT32_MAX; id++)
                for (int k = 0; k < model[id].n; k++)
                    if (!strcmp(model[id].words[k], w)) want = id;
            int got = vs_text_iter_seek(&s, target);
            if (want == UINT32_MAX) {
                VT_EQ_INT(got, 0);
                break;
            }
            VT_EQ_INT(got, 1);
            VT_EQ_INT(s.id, want);
            target = s.id;
        }
    }
}

static void check_all(const vs_field_index *fi, int stem, int suffix, uint32_t min_stem) {
    model_words();
    vs_text_stats st;
    vs_text_stats_get(fi, &st);
    VT_EQ_INT(st.nterms, nmwords);
    uint64_t tokens = 0, postings = 0;
    uint32_t ndocs = 0;
    for (int id = 0; id < MAXID; id++) {
        tokens += (uint64_t)model[id].n;
        ndocs += (uint32_t)model[id].present;
        VT_EQ_INT(vs_text_doc_len(fi, (uint32_t)id), model[id].n);
        VT_EQ_INT(fi->ops->has(fi, (uint32_t)id), model[id].present);
        /* distinct words of the doc */
        for (int k = 0; k < model[id].n; k++) {
            int first = 1;
            for (int j = 0; j < k && first; j++) first = strcmp(model[id].words[j], model[id].words[k]) != 0;
            postings += (uint64_t)first;
        }
    }
    VT_EQ_INT(st.total_tokens, tokens);
    VT_EQ_INT(st.total_postings, postings);
    VT_EQ_INT(st.total_positions, st.offsets ? tokens : 0);
    offsets_on = st.offsets;
    VT_EQ_INT(fi->ops->count(fi), ndocs);
    for (int i = 0; i < nmwords; i++) check_postings(fi, mwords[i]);
    /* Queries: vocabulary words and random strings. */
    for (int r = 0; r < 12; r++) {
        char q[16];
        const char *w = vocab[rndn(NVOC)];
        if (strlen(w) > 100) w = "runn";
        snprintf(q, sizeof q, "%.*s", (int)(1 + rndn((uint32_t)strlen(w))), w);
        check_match(fi, VS_TM_EXACT, w, 0, stem, min_stem);
        check_match(fi, VS_TM_STEM, w, 0, stem, min_stem);
        check_match(fi, VS_TM_PREFIX, q, 0, stem, min_stem);
        if (suffix) check_match(fi, VS_TM_SUFFIX, w + rndn((uint32_t)strlen(w)), 0, stem, min_stem);
        check_match(fi, VS_TM_FUZZY, rndn(2) ? w : q, 1 + rndn(3), stem, min_stem);
    }
    check_match(fi, VS_TM_PREFIX, "", 0, stem, min_stem);
    check_match(fi, VS_TM_FUZZY, "", 2, stem, min_stem);
    check_match(fi, VS_TM_EXACT, "nosuchword", 0, stem, min_stem);
}

/* ---- the random differential ---- */

static void run_random(uint64_t seed, const char *const *args, int argc, int stem, int suffix, uint32_t min_stem,
                       int offsets, int steps) {
    rng_state = seed;
    make_vocab();
    memset(model, 0, sizeof model);
    setup s;
    make_index(&s, args, argc);
    VT_EQ_INT(s.fi->ops->info_len, 6);
    vs_text_stats st;
    vs_text_stats_get(s.fi, &st);
    VT_EQ_INT(st.stem, stem);
    VT_EQ_INT(st.suffix, suffix);
    VT_EQ_INT(st.offsets, offsets);
    static char val[16384];
    for (int step = 0; step < steps; step++) {
        uint32_t op = rndn(100);
        /* Ids mostly ascending early (appends), random later (inserts). */
        uint32_t id = step < steps / 3 && rndn(4) ? (uint32_t)(step * MAXID / (steps / 3 + 1)) : rndn(MAXID);
        if (op < 75) {
            mdoc d;
            int r = make_value(val, sizeof val, &d);
            VT_EQ_INT(apply_set(s.fi, id, val), VS_OK);
            if (r == 1) model[id] = d;
            else memset(&model[id], 0, sizeof model[id]); /* failure or missing: not held */
        } else if (op < 99) {
            apply_remove(s.fi, id);
            memset(&model[id], 0, sizeof model[id]);
        } else {
            s.fi->ops->clear(s.fi);
            memset(model, 0, sizeof model);
        }
        if (step % 97 == 96 || step == steps - 1) check_all(s.fi, stem, suffix, min_stem);
        if (vt_failures) {
            fprintf(stderr, "seed %llu step %d\n", (unsigned long long)seed, step);
            break;
        }
    }
    free_index(&s);
}

static uint64_t base_seed;

static void test_random_default(void) {
    static const char *const args[] = {"idx", "SCHEMA", "body", "TEXT"};
    for (int i = 0; i < 3 && !vt_failures; i++) run_random(base_seed + (uint64_t)i, args, 4, 1, 0, 4, 1, 1500);
}

static void test_random_options(void) {
    static const char *const a1[] = {"idx", "MINSTEMSIZE", "2", "SCHEMA", "body", "TEXT", "WITHSUFFIXTRIE"};
    run_random(base_seed + 10, a1, 7, 1, 1, 2, 1, 1500);
    static const char *const a2[] = {"idx", "NOOFFSETS", "SCHEMA", "body", "TEXT", "NOSTEM", "WITHSUFFIXTRIE"};
    run_random(base_seed + 11, a2, 7, 0, 1, 4, 0, 1500);
    static const char *const a3[] = {"idx", "NOSTEM", "SCHEMA", "body", "TEXT"};
    run_random(base_seed + 12, a3, 5, 0, 0, 4, 1, 800);
}

static void test_suffix_refused(void) {
    static const char *const args[] = {"idx", "SCHEMA", "body", "TEXT"};
    setup s;
    make_index(&s, args, 4);
    VT_EQ_INT(apply_set(s.fi, 3, "hello world"), VS_OK);
    vs_err err;
    collect c = {.n = 0};
    VT_EQ_INT(vs_text_terms(s.fi, VS_TM_SUFFIX, (const uint8_t *)"llo", 3, 0, collect_fn, &c, &err), VS_ERR);
    VT_CHECK(strstr(vs_err_text(&err), "Field does not support suffix search") != NULL);
    free_index(&s);
}

int main(void) {
    const char *env = getenv("TEXTIDX_SEED");
    base_seed = env ? strtoull(env, NULL, 10) : 20250601;
    fprintf(stderr, "test_textidx: seed %llu (TEXTIDX_SEED)\n", (unsigned long long)base_seed);
    VT_RUN(test_suffix_refused);
    VT_RUN(test_random_default);
    VT_RUN(test_random_options);
    VT_DONE();
}
