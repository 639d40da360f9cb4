/* fuzz_command.c - libFuzzer target for the command layer and the FT.*
 * parsers: the input is split into commands (by '\n') and arguments (by
 * a 0x00 byte); each command runs against a store holding hashes and a
 * FLAT/TAG/NUMERIC/TEXT index.  The engine must never crash, leak or trip a
 * sanitizer, whatever the bytes.  A leading byte picks a command name
 * from a list so the fuzzer reaches the FT.* parsers quickly.  Two clients
 * take turns (transactions, WATCH) and the clock moves 7 ms per command,
 * with a step of the expiry cycle after each, so keys given short TTLs
 * expire mid-sequence.  The journal is on: a record written without the
 * room reserved for it aborts.  A line whose first byte is 0xFF is an
 * FT.AGGREGATE pipeline built from its other bytes (gen_aggregate: LOAD,
 * PARAMS, APPLY / FILTER expressions with functions, GROUPBY + REDUCE,
 * SORTBY ... MAX, LIMIT, under search.emulate-release 1.0.0 or 1.2.1), so
 * the stages are reached with well-formed input as well as with bytes. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/base/alloc.h"
#include "../../src/abi/db.h"
#include "../../src/abi/vessel.h"

static const char *names[] = {"FT.SEARCH", "FT.CREATE", "HSET", "FT.INFO", "FT.DROPINDEX", "DEL", "RENAME", "HDEL",
                              "SCAN", "KEYS", "HINCRBYFLOAT", "SET", "FT._LIST", "CONFIG", "FLUSHALL", "MULTI",
                              "EXEC", "DISCARD", "WATCH", "UNWATCH", "PEXPIRE", "EXPIREAT", "TTL", "PERSIST",
                              "GETEX", "FT.DROP", "FT.HYBRID", "FT.AGGREGATE", NULL};
#define NNAMES (sizeof names / sizeof *names - 1)

static void run(vs_db *db, const char **argv, const size_t *lens, int argc) {
    vs_exec(db, argc, (const uint8_t *const *)argv, lens, (argc & 1) ? 2 : 3);
}

static void setup(vs_db *db) {
    const char *create[] = {"FT.CREATE", "idx", "PREFIX", "1", "d:", "SCHEMA", "v", "VECTOR", "FLAT", "6", "TYPE",
                            "FLOAT32", "DIM", "2", "DISTANCE_METRIC", "L2", "t", "TAG", "n", "NUMERIC", "b", "TEXT",
                            "s", "TEXT", "NOSTEM", "WITHSUFFIXTRIE", "WEIGHT", "2"};
    size_t cl[28];
    for (int i = 0; i < 28; i++) cl[i] = strlen(create[i]);
    run(db, create, cl, 28);
    const char *hn[] = {"FT.CREATE", "hn", "SCHEMA", "v", "VECTOR", "HNSW", "10", "TYPE", "FLOAT32", "DIM", "2",
                        "DISTANCE_METRIC", "COSINE", "M", "3", "INITIAL_CAP", "2"};
    size_t hl[17];
    for (int i = 0; i < 17; i++) hl[i] = strlen(hn[i]);
    run(db, hn, hl, 17);
    for (int i = 0; i < 8; i++) {
        char key[8] = {'d', ':', (char)('0' + i), 0};
        const char *a[] = {"HSET", key, "v", "abcdefgh", "t", i & 1 ? "x,y" : "y", "n", i & 2 ? "1.5" : "7",
                           "b", i & 1 ? "the running dogs, hello world" : "a dog runs; Hello!", "s", i & 4 ? "cats" : "cat"};
        size_t l[12];
        for (int j = 0; j < 12; j++) l[j] = strlen(a[j]);
        run(db, a, l, 12);
    }
}

/* ---- generated FT.AGGREGATE ---------------------------------------------- */

typedef struct gen {
    const uint8_t *b;
    size_t n, at;
    char text[8192]; /* the arguments' bytes */
    size_t used;
    const char **argv;
    size_t *lens;
    int argc;
} gen;

static unsigned gpick(gen *g, unsigned k) { return g->at < g->n ? g->b[g->at++] % k : 0; }

static char *arg_begin(gen *g) { return g->text + g->used; }
static void arg_end(gen *g, char *start) {
    if (g->argc >= 63) return;
    g->argv[g->argc] = start;
    g->lens[g->argc++] = (size_t)(g->text + g->used - start);
}
static void put_s(gen *g, const char *s) {
    size_t l = strlen(s);
    if (g->used + l >= sizeof g->text) return;
    memcpy(g->text + g->used, s, l);
    g->used += l;
}
static void word(gen *g, const char *s) {
    char *a = arg_begin(g);
    put_s(g, s);
    arg_end(g, a);
}

static const char *const kFieldRefs[] = {"@n", "@t", "@__key", "@s", "@x", "@c", "@nope", "@b", "@v", "@__v_score"};
static const char *const kConsts[] = {"1", "0", "-1", "2.5", "\"a\"", "\"\"", "\"1e3\"", "$p", "$q", "1e308", "-0", "\"%Y\""};
static const char *const kOps[] = {" + ", " - ", " * ", " / ", " ^ ", " == ", " != ", " < ", " <= ", " > ", " >= ", " && ", " || "};
static const char *const kFuncs[] = {"abs", "ceil", "floor", "log", "log2", "exp", "sqrt", "lower", "upper", "strlen",
                                     "exists", "day", "hour", "minute", "month", "dayofweek", "dayofmonth", "dayofyear",
                                     "monthofyear", "year", "timefmt", "parsetime", "startswith", "contains", "substr",
                                     "concat", "nofunc"};

static void expr(gen *g, int depth) {
    unsigned k = depth > 3 ? gpick(g, 2) : gpick(g, 6);
    switch (k) {
    case 0: put_s(g, kFieldRefs[gpick(g, sizeof kFieldRefs / sizeof *kFieldRefs)]); break;
    case 1: put_s(g, kConsts[gpick(g, sizeof kConsts / sizeof *kConsts)]); break;
    case 2:
        expr(g, depth + 1);
        put_s(g, kOps[gpick(g, sizeof kOps / sizeof *kOps)]);
        expr(g, depth + 1);
        break;
    case 3:
        put_s(g, gpick(g, 2) ? "!(" : "(");
        expr(g, depth + 1);
        put_s(g, ")");
        break;
    default: {
        unsigned f = gpick(g, sizeof kFuncs / sizeof *kFuncs);
        put_s(g, kFuncs[f]);
        put_s(g, "(");
        unsigned nargs = gpick(g, 4);
        for (unsigned i = 0; i < nargs; i++) {
            if (i) put_s(g, ", ");
            expr(g, depth + 1);
        }
        put_s(g, ")");
        break;
    }
    }
}

static void num_arg(gen *g, unsigned k) {
    char tmp[16];
    snprintf(tmp, sizeof tmp, "%u", gpick(g, k));
    word(g, tmp);
}

static void gen_aggregate(gen *g) {
    static const char *const kQueries[] = {"*", "@t:{x}", "@n:[1 10]", "@b:dog*", "*=>[KNN 3 @v $v]", "-@t:{y}"};
    static const char *const kReducers[] = {"COUNT", "COUNT_DISTINCT", "COUNT_DISTINCTISH", "SUM", "MIN", "MAX", "AVG",
                                            "STDDEV", "QUANTILE", "TOLIST", "FIRST_VALUE", "RANDOM_SAMPLE"};
    word(g, "FT.AGGREGATE");
    word(g, gpick(g, 8) ? "idx" : "hn");
    word(g, kQueries[gpick(g, sizeof kQueries / sizeof *kQueries)]);
    if (gpick(g, 2)) {
        unsigned n = gpick(g, 4);
        char tmp[8];
        snprintf(tmp, sizeof tmp, "%u", n);
        word(g, "LOAD");
        word(g, gpick(g, 4) ? tmp : "*");
        for (unsigned i = 0; i < n; i++) word(g, kFieldRefs[gpick(g, sizeof kFieldRefs / sizeof *kFieldRefs)]);
    }
    unsigned stages = gpick(g, 6);
    for (unsigned st = 0; st < stages && g->argc < 50; st++) {
        switch (gpick(g, 5)) {
        case 0:
        case 1: {
            int apply = gpick(g, 2);
            word(g, apply ? "APPLY" : "FILTER");
            char *a = arg_begin(g);
            expr(g, 0);
            arg_end(g, a);
            if (apply) {
                word(g, "AS");
                word(g, gpick(g, 2) ? "c" : "x");
            }
            break;
        }
        case 2: {
            word(g, "GROUPBY");
            unsigned n = gpick(g, 3);
            char tmp[8];
            snprintf(tmp, sizeof tmp, "%u", n);
            word(g, tmp);
            for (unsigned i = 0; i < n; i++) word(g, kFieldRefs[gpick(g, 4)]);
            unsigned nr = gpick(g, 3);
            for (unsigned r = 0; r < nr; r++) {
                word(g, "REDUCE");
                unsigned fn = gpick(g, sizeof kReducers / sizeof *kReducers);
                word(g, kReducers[fn]);
                unsigned na = gpick(g, 4);
                snprintf(tmp, sizeof tmp, "%u", na);
                word(g, tmp);
                for (unsigned i = 0; i < na; i++) {
                    if (fn == 10 && i == 1) word(g, "BY");
                    else if (i == 1) num_arg(g, 3);
                    else if (i == 2) word(g, gpick(g, 2) ? "DESC" : "ASC");
                    else word(g, kFieldRefs[gpick(g, 4)]);
                }
                if (gpick(g, 2)) {
                    word(g, "AS");
                    word(g, gpick(g, 2) ? "c" : "r");
                }
            }
            break;
        }
        case 3: {
            word(g, "SORTBY");
            unsigned n = gpick(g, 4);
            char tmp[8];
            snprintf(tmp, sizeof tmp, "%u", n);
            word(g, tmp);
            for (unsigned i = 0; i < n; i++)
                word(g, (i & 1) && gpick(g, 2) ? (gpick(g, 2) ? "DESC" : "ASC") : kFieldRefs[gpick(g, 6)]);
            if (gpick(g, 2)) {
                word(g, "MAX");
                num_arg(g, 5);
            }
            break;
        }
        default:
            word(g, "LIMIT");
            num_arg(g, 4);
            num_arg(g, 6);
            break;
        }
    }
    if (gpick(g, 2)) {
        word(g, "PARAMS");
        unsigned n = gpick(g, 3) * 2;
        char tmp[8];
        snprintf(tmp, sizeof tmp, "%u", n);
        word(g, tmp);
        static const char *const kNames[] = {"p", "q", "v"};
        static const char *const kVals[] = {"3", "abc", "abcdefgh", "", "-1.5"};
        for (unsigned i = 0; i < n; i += 2) {
            word(g, kNames[gpick(g, 3)]);
            word(g, kVals[gpick(g, 5)]);
        }
    }
    if (gpick(g, 4) == 0) {
        word(g, "DIALECT");
        num_arg(g, 5);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    vs_db *db = vs_open(NULL);
    if (!db) return 0;
    setup(db);
    int other = vs_client_open(db);
    vs_journal_enable(db, 1); /* the journal's room reservations are exercised too */
    double now = 1000;
    unsigned turn = 0;
    size_t pos = 0;
    while (pos < size) {
        const uint8_t *end = memchr(data + pos, '\n', size - pos);
        size_t len = end ? (size_t)(end - (data + pos)) : size - pos;
        const uint8_t *line = data + pos;
        pos += len + 1;
        if (len == 0) continue;
        const char *argv[64];
        size_t lens[64];
        int argc = 0;
        uint8_t pick = line[0];
        size_t i = 1;
        if (pick == 0xFF) { /* a generated FT.AGGREGATE, as release 1.0.0 or 1.2.1 */
            static gen g;
            g.b = line + 1;
            g.n = len - 1;
            g.at = 0;
            g.used = 0;
            g.argv = argv;
            g.lens = lens;
            g.argc = 0;
            const char *cs[] = {"CONFIG", "SET", "search.emulate-release", gpick(&g, 2) ? "1.2.1" : "1.0.0"};
            size_t cl[] = {6, 3, 22, 5};
            run(db, cs, cl, 4);
            gen_aggregate(&g);
            now += 7;
            vs_set_time(db, now, 0);
            run(db, argv, lens, g.argc);
            continue;
        }
        if (pick < 240) {
            argv[argc] = names[pick % NNAMES];
            lens[argc++] = strlen(names[pick % NNAMES]);
        }
        size_t start = i;
        for (; i <= len && argc < 64; i++) {
            if (i == len || line[i] == 0) {
                argv[argc] = (const char *)line + start;
                lens[argc++] = i - start;
                start = i + 1;
            }
        }
        now += 7;
        vs_set_time(db, now, 0);
        if (other > 0) vs_client_select(db, (turn++ % 3 == 2) ? other : 0);
        if (argc) run(db, argv, lens, argc);
        vs_expire_step(db, 4);
        while (vs_step(db, 16)) {
        }
        if (db->eng.journal.unreserved || db->eng.journal.lost) abort(); /* a record past its reservation */
        vs_journal_drain(db, vs_journal_len(db));
    }
    vs_close(db);
    if (vs_mem_used() != 0) abort(); /* leaked */
    return 0;
}
