/* test_text_query.c - the query parser's text clauses: the trees it builds
 * (printed as valkey-search's filter tests print them) and every error
 * text, on a schema with TEXT, TAG, NUMERIC and VECTOR fields built by
 * hand (so these tests do not depend on FT.CREATE's TEXT options). */
#include <stdio.h>
#include <string.h>

#include "base/arena.h"
#include "query/query.h"
#include "query/score.h"
#include "vt_cmd.h"

/* t1 TEXT WITHSUFFIXTRIE, t2 TEXT, tag TAG, num NUMERIC, v VECTOR. */
static vs_fielddef fields[5];
static vs_schema schema, notext;
static vs_schema_text text_opts, nooff_opts;

static void def(vs_fielddef *d, const char *name, vs_field_type t) {
    memset(d, 0, sizeof *d);
    d->ident = d->alias = (uint8_t *)name;
    d->ilen = d->alen = (uint32_t)strlen(name);
    d->type = t;
    d->text.weight = 1;
}

static void setup(void) {
    def(&fields[0], "t1", VS_FIELD_TEXT);
    fields[0].text.suffix = 1;
    def(&fields[1], "t2", VS_FIELD_TEXT);
    def(&fields[2], "tag", VS_FIELD_TAG);
    fields[2].sep = ',';
    def(&fields[3], "num", VS_FIELD_NUMERIC);
    def(&fields[4], "v", VS_FIELD_VECTOR);
    fields[4].vec.dim = 2;
    memset(&schema, 0, sizeof schema);
    schema.fields = fields;
    schema.nfields = 5;
    vs_text_opts_init(&text_opts.opts);
    text_opts.offsets = 1;
    text_opts.min_stem = 4;
    nooff_opts = text_opts;
    nooff_opts.offsets = 0;
    for (int i = 0; i < 2; i++) fields[i].text.idx = &text_opts;
    schema.text = &text_opts;
    memset(&notext, 0, sizeof notext);
    notext.fields = fields + 2;
    notext.nfields = 3;
}

static const char *how_name(vs_text_match h) {
    switch (h) {
    case VS_TM_EXACT: return "EXACT";
    case VS_TM_STEM: return "TERM";
    case VS_TM_PREFIX: return "PREFIX";
    case VS_TM_SUFFIX: return "SUFFIX";
    case VS_TM_FUZZY: return "FUZZY";
    }
    return "?";
}

static void print(char *out, size_t cap, size_t *o, const vs_qnode *n, int ind) {
    for (int i = 0; i < ind; i++) *o += (size_t)snprintf(out + *o, cap - *o, "  ");
    switch (n->kind) {
    case VS_Q_TAG: *o += (size_t)snprintf(out + *o, cap - *o, "TAG(%s)\n", (char *)schema.fields[n->field].alias); return;
    case VS_Q_NUM: *o += (size_t)snprintf(out + *o, cap - *o, "NUMERIC(%s)\n", (char *)schema.fields[n->field].alias); return;
    case VS_Q_VRANGE: *o += (size_t)snprintf(out + *o, cap - *o, "VECTOR_RANGE(%s)\n", (char *)schema.fields[n->field].alias); return;
    case VS_Q_TEXT: {
        *o += (size_t)snprintf(out + *o, cap - *o, "%s(\"%.*s\"", how_name(n->text.how), (int)n->text.n,
                               (const char *)n->text.w);
        if (n->text.how == VS_TM_FUZZY) *o += (size_t)snprintf(out + *o, cap - *o, ", distance=%u", n->text.dist);
        *o += (size_t)snprintf(out + *o, cap - *o, ", fields=");
        for (uint32_t i = 0; i < n->text.nfields; i++)
            *o += (size_t)snprintf(out + *o, cap - *o, "%s%d", i ? "," : "", n->text.fields[i]);
        *o += (size_t)snprintf(out + *o, cap - *o, ")\n");
        return;
    }
    case VS_Q_AND:
        if (vs_qnode_positional(n))
            *o += (size_t)snprintf(out + *o, cap - *o, "AND(slop=%d, inorder=%s){\n", n->slop,
                                   n->inorder ? "true" : "false");
        else
            *o += (size_t)snprintf(out + *o, cap - *o, "AND{\n");
        break;
    case VS_Q_OR: *o += (size_t)snprintf(out + *o, cap - *o, "OR{\n"); break;
    case VS_Q_NOT: *o += (size_t)snprintf(out + *o, cap - *o, "NOT{\n"); break;
    }
    for (uint32_t i = 0; i < n->nkids; i++) print(out, cap, o, n->kids[i], ind + 1);
    for (int i = 0; i < ind; i++) *o += (size_t)snprintf(out + *o, cap - *o, "  ");
    *o += (size_t)snprintf(out + *o, cap - *o, "}\n");
}

static vs_status parse(const vs_schema *s, const char *q, const vs_query_opts *o, char *out, size_t cap,
                       vs_err *err) {
    vs_arena ar = {0};
    vs_query qq;
    vs_query_opts def_o = {0, 0, -1};
    vs_status st = vs_query_parse_opts((const uint8_t *)q, strlen(q), s, o ? o : &def_o, &ar, &qq, err);
    size_t n = 0;
    out[0] = 0;
    if (st == VS_OK && qq.filter) print(out, cap, &n, qq.filter, 0);
    vs_arena_free(&ar);
    return st;
}

#define TREE(q, want)                                                                        \
    do {                                                                                     \
        char out_[4096];                                                                     \
        vs_err e_ = {0};                                                                     \
        vs_status st_ = parse(&schema, q, NULL, out_, sizeof out_, &e_);                    \
        if (st_ != VS_OK) vt_fail(__FILE__, __LINE__, "%s: error %s", q, e_.msg);            \
        else VT_EQ_MEM(out_, strlen(out_), want);                                            \
    } while (0)

#define TREE_O(q, o, want)                                                                   \
    do {                                                                                     \
        char out_[4096];                                                                     \
        vs_err e_ = {0};                                                                     \
        vs_status st_ = parse(&schema, q, o, out_, sizeof out_, &e_);                       \
        if (st_ != VS_OK) vt_fail(__FILE__, __LINE__, "%s: error %s", q, e_.msg);            \
        else VT_EQ_MEM(out_, strlen(out_), want);                                            \
    } while (0)

#define FAILS_S(s, q, o, want)                                                               \
    do {                                                                                     \
        char out_[4096];                                                                     \
        vs_err e_ = {0};                                                                     \
        vs_status st_ = parse(s, q, o, out_, sizeof out_, &e_);                             \
        VT_EQ_INT(st_, VS_ERR);                                                              \
        VT_EQ_MEM(e_.msg, strlen(e_.msg), want);                                             \
    } while (0)

/* The filter error as FT.SEARCH words it. */
#define FAILS(q, want) FAILS_S(&schema, q, NULL, "Invalid filter expression: `" q "`. " want)

static void test_terms(void) {
    TREE("hello", "TERM(\"hello\", fields=0,1)\n");
    TREE("@t1:word", "TERM(\"word\", fields=0)\n");
    TREE("@t2:Word*", "PREFIX(\"word\", fields=1)\n");
    TREE("@t1:*word", "SUFFIX(\"word\", fields=0)\n");
    TREE("*word", "SUFFIX(\"word\", fields=0)\n");
    TREE("@t1:%word%", "FUZZY(\"word\", distance=1, fields=0)\n");
    TREE("@t1:%%word%%", "FUZZY(\"word\", distance=2, fields=0)\n");
    TREE("%%%word%%%", "FUZZY(\"word\", distance=3, fields=0,1)\n");
    TREE("@(t1|t2):x", "TERM(\"x\", fields=0,1)\n");
    TREE("@(t2):x", "TERM(\"x\", fields=1)\n");
    TREE("@t2:(x1 | y1 \"p q\") z1", "AND{\n  OR{\n    TERM(\"x1\", fields=1)\n    AND{\n      TERM(\"y1\", fields=1)\n"
         "      AND(slop=0, inorder=true){\n        EXACT(\"p\", fields=1)\n        EXACT(\"q\", fields=1)\n      }\n"
         "    }\n  }\n  TERM(\"z1\", fields=0,1)\n}\n");
    TREE("@t1:(@t2:x1 @num:[1 2])", "AND{\n  TERM(\"x1\", fields=1)\n  NUMERIC(num)\n}\n");
    /* Unicode folding. */
    TREE("ÉCOLE Straße", "AND{\n  TERM(\"école\", fields=0,1)\n  TERM(\"strasse\", fields=0,1)\n}\n");
    /* Stop words dropped (not in phrases, not as prefixes). */
    TREE("the cat", "TERM(\"cat\", fields=0,1)\n");
    TREE("cat the", "TERM(\"cat\", fields=0,1)\n");
    TREE("the*", "PREFIX(\"the\", fields=0,1)\n");
    TREE("@tag:{a} the", "TAG(tag)\n");
    TREE("@tag:{a} -the", "TAG(tag)\n");
}

static void test_phrases(void) {
    TREE("@t1:\"hello my name is\"", "AND(slop=0, inorder=true){\n"
                                     "  EXACT(\"hello\", fields=0)\n"
                                     "  EXACT(\"my\", fields=0)\n"
                                     "  EXACT(\"name\", fields=0)\n"
                                     "  EXACT(\"is\", fields=0)\n"
                                     "}\n");
    TREE("\"Hello, h(ow a)re\"", "AND(slop=0, inorder=true){\n"
                                 "  EXACT(\"hello\", fields=0,1)\n"
                                 "  EXACT(\"h\", fields=0,1)\n"
                                 "  EXACT(\"ow\", fields=0,1)\n"
                                 "  EXACT(\"a\", fields=0,1)\n"
                                 "  EXACT(\"re\", fields=0,1)\n"
                                 "}\n");
    TREE("\"one\"", "EXACT(\"one\", fields=0,1)\n");
    TREE("@t1:\" Advanced Neural %%%word%%%\"", "AND(slop=0, inorder=true){\n"
                                                "  EXACT(\"advanced\", fields=0)\n"
                                                "  EXACT(\"neural\", fields=0)\n"
                                                "  EXACT(\"word\", fields=0)\n"
                                                "}\n");
    /* An unterminated quote runs to the end. */
    TREE("\"a b", "AND(slop=0, inorder=true){\n  EXACT(\"a\", fields=0,1)\n  EXACT(\"b\", fields=0,1)\n}\n");
    /* A word then a quote: two clauses. */
    TREE("x\"y z\"", "AND{\n  TERM(\"x\", fields=0,1)\n  AND(slop=0, inorder=true){\n"
                     "    EXACT(\"y\", fields=0,1)\n    EXACT(\"z\", fields=0,1)\n  }\n}\n");
}

static void test_punct_and_escapes(void) {
    TREE("Hello, how are you doing?", "AND{\n"
                                      "  TERM(\"hello\", fields=0,1)\n"
                                      "  TERM(\"how\", fields=0,1)\n"
                                      "  TERM(\"you\", fields=0,1)\n"
                                      "  TERM(\"doing\", fields=0,1)\n"
                                      "}\n");
    /* '-' inside a word ends it and negates the next one. */
    TREE("hello-world", "AND{\n  TERM(\"hello\", fields=0,1)\n  NOT{\n    TERM(\"world\", fields=0,1)\n  }\n}\n");
    TREE("Hel\\(lo ho\\$w a\\*re yo\\{u do\\|ing", "AND{\n"
                                               "  TERM(\"hel(lo\", fields=0,1)\n"
                                               "  TERM(\"ho$w\", fields=0,1)\n"
                                               "  TERM(\"a*re\", fields=0,1)\n"
                                               "  TERM(\"yo{u\", fields=0,1)\n"
                                               "  TERM(\"do|ing\", fields=0,1)\n"
                                               "}\n");
    TREE("you\\% doing", "AND{\n  TERM(\"you%\", fields=0,1)\n  TERM(\"doing\", fields=0,1)\n}\n");
    TREE("\\\\\\\\\\Hello", "AND{\n  TERM(\"\\\\\", fields=0,1)\n  TERM(\"hello\", fields=0,1)\n}\n");
    TREE("you\\]\\[\\$\\}\\{\\;\\:\\)\\(\\| \\-doing",
         "AND{\n  TERM(\"you][$}{;:)(|\", fields=0,1)\n  TERM(\"-doing\", fields=0,1)\n}\n");
}

static void test_mixed(void) {
    TREE("@t1:\"Advanced Neural\" | @t1:Advanced @t2:neu* @num:[10 100] | @tag:{books} @t2:Neural | "
         "-@t1:%%%word%%% @t2:network",
         "OR{\n"
         "  AND(slop=0, inorder=true){\n"
         "    EXACT(\"advanced\", fields=0)\n"
         "    EXACT(\"neural\", fields=0)\n"
         "  }\n"
         "  AND{\n"
         "    TERM(\"advanced\", fields=0)\n"
         "    PREFIX(\"neu\", fields=1)\n"
         "    NUMERIC(num)\n"
         "  }\n"
         "  AND{\n"
         "    TAG(tag)\n"
         "    TERM(\"neural\", fields=1)\n"
         "  }\n"
         "  AND{\n"
         "    NOT{\n"
         "      FUZZY(\"word\", distance=3, fields=0)\n"
         "    }\n"
         "    TERM(\"network\", fields=1)\n"
         "  }\n"
         "}\n");
    TREE("(a1|b1) kitten", "AND{\n  OR{\n    TERM(\"a1\", fields=0,1)\n    TERM(\"b1\", fields=0,1)\n  }\n  TERM(\"kitten\", fields=0,1)\n}\n");
}

static void test_options(void) {
    vs_query_opts verbatim = {1, 0, -1}, slop = {0, 0, 2}, inorder = {0, 1, -1};
    TREE_O("running", &verbatim, "EXACT(\"running\", fields=0,1)\n");
    TREE_O("a1 b1", &slop, "AND(slop=2, inorder=false){\n  TERM(\"a1\", fields=0,1)\n  TERM(\"b1\", fields=0,1)\n}\n");
    TREE_O("a1 b1", &inorder, "AND(slop=-1, inorder=true){\n  TERM(\"a1\", fields=0,1)\n  TERM(\"b1\", fields=0,1)\n}\n");
    vs_schema nooff = schema;
    nooff.text = &nooff_opts;
    FAILS_S(&nooff, "a1 b1", &slop, "Index does not support offsets");
    FAILS_S(&nooff, "a1 b1", &inorder, "Index does not support offsets");
    FAILS_S(&nooff, "\"a1 b1\"", NULL, "Invalid filter expression: `\"a1 b1\"`. Index does not support offsets");
}

static void test_errors(void) {
    FAILS("@t2:*word", "Field does not support suffix search");
    FAILS("@t1:*word*", "Unsupported query operation");
    FAILS("Hello, how are you% doing", "Invalid fuzzy '%' markers");
    FAILS("how are %you%% doing", "Invalid fuzzy '%' markers");
    FAILS("how are %%you% doing", "Invalid fuzzy '%' markers");
    FAILS("are %%%you%%%doing%%%", "Invalid fuzzy '%' markers");
    FAILS("are %%%  %%%", "Invalid fuzzy '%' markers");
    FAILS("are %%%*%%%", "Invalid fuzzy '%' markers");
    FAILS("%%%%word%%%%", "Invalid fuzzy '%' markers");
    FAILS("%%", "Invalid fuzzy '%' markers");
    FAILS("how are **you* doing", "Invalid wildcard '*' markers");
    FAILS("how are *you** doing", "Unsupported query operation");
    FAILS("%Hllo%, how are *ou do* *oda*", "Unsupported query operation");
    FAILS("hello{world", "Unexpected character at position 6: `{`");
    FAILS("hello}world", "Unexpected character at position 6: `}`");
    FAILS("hello$world", "Unexpected character at position 6: `$`");
    FAILS("hello[world", "Unexpected character at position 6: `[`");
    FAILS("hello]world", "Unexpected character at position 6: `]`");
    FAILS("hello:world", "Unexpected character at position 6: `:`");
    FAILS("hello;world", "Unexpected character at position 6: `;`");
    FAILS("@num : [23 25] $  @num:[0 2.5]", "Unexpected character at position 16: `$`");
    FAILS("@tag:hello", "Index does not have any text field");
    FAILS("@tag:(hello)", "Index does not have any text field");
    FAILS("@nope:hello", "Index does not have any text field");
    FAILS("@(t1|tag):hello", "Index does not have any text field");
    FAILS("hello\\", "Invalid escape sequence: backslash at end of input");
    FAILS("the", "Invalid Query Syntax");
    FAILS("the @tag:{a}", "Invalid Query Syntax");
    FAILS("\"\"", "Invalid Query Syntax");
    FAILS("cat | the", "Missing OR term");
    FAILS("cat (the)", "Empty brackets detected at Position: 8");
    FAILS("ab\xff", "Invalid UTF-8 in query term at byte 2");
    /* A word longer than VS_TEXT_MAX_WORD. */
    char q[400], want[600];
    memset(q, 'x', VS_TEXT_MAX_WORD + 1);
    q[VS_TEXT_MAX_WORD + 1] = 0;
    snprintf(want, sizeof want, "Invalid filter expression: `%s`. Query term is too long, max length is %d bytes", q,
             VS_TEXT_MAX_WORD);
    FAILS_S(&schema, q, NULL, want);
    q[VS_TEXT_MAX_WORD] = 0;
    char out[4096];
    vs_err e = {0};
    VT_EQ_INT(parse(&schema, q, NULL, out, sizeof out, &e), VS_OK);
    /* Without TEXT fields, text is refused as before. */
    FAILS_S(&notext, "hello", NULL, "Invalid filter expression: `hello`. Index does not have any text field");
    FAILS_S(&notext, "@tag:{a} *", NULL, "Invalid filter expression: `@tag:{a} *`. Unexpected character at position 10: `*`");
    /* Suffix without any field that has a suffix trie. */
    vs_schema nosuf = schema;
    vs_fielddef f2[5];
    memcpy(f2, fields, sizeof f2);
    f2[0].text.suffix = 0;
    nosuf.fields = f2;
    FAILS_S(&nosuf, "*llo", NULL, "Invalid filter expression: `*llo`. No fields support suffix search");
}

static void test_knn_prefilter(void) {
    vs_arena ar = {0};
    vs_query qq;
    vs_err e = {0};
    const char *q = "(@t1:kitten)=>[KNN 10 @v $q]";
    VT_EQ_INT(vs_query_parse((const uint8_t *)q, strlen(q), &schema, &ar, &qq, &e), VS_OK);
    VT_CHECK(qq.knn.present);
    VT_CHECK(qq.filter && qq.filter->kind == VS_Q_TEXT);
    VT_EQ_INT(qq.ntext, 1);
    vs_arena_free(&ar);
}

static void test_scorer_names(void) {
    vs_scorer s;
    VT_CHECK(vs_scorer_by_name((const uint8_t *)"bm25std", 7, &s) && s == VS_SCORER_BM25STD);
    VT_CHECK(vs_scorer_by_name((const uint8_t *)"TFIDF.DOCNORM", 13, &s) && s == VS_SCORER_TFIDF_DOCNORM);
    VT_CHECK(!vs_scorer_by_name((const uint8_t *)"BM26", 4, &s));
    /* RediSearch's idf values. */
    vs_score_ctx c = {VS_SCORER_TFIDF, 10, 1};
    VT_CHECK(vs_score_idf(&c, 1) == 3.0);  /* floor(log2(1 + 11)) */
    VT_CHECK(vs_score_idf(&c, 10) == 1.0); /* floor(log2(2.1)) */
    c.scorer = VS_SCORER_BM25STD;
    double idf = vs_score_idf(&c, 2);
    VT_CHECK(idf > 1.4816 && idf < 1.4817); /* ln(1 + 8.5 / 2.5) */
    VT_EQ_INT(vs_score_weight_units(0.5), 1);
    VT_EQ_INT(vs_score_weight_units(2.7), 2);
}

/* FT.SEARCH with text clauses under every allocation failure: the reply is
 * the normal one or an -OOM error, and nothing leaks. */
static void test_oom(void) {
    static const char *queries[][8] = {
        {"hello world", "WITHSCORES", NULL},
        {"\"quick brown\" | run*", "SCORER", "TFIDF", NULL},
        {"hello fox", "SLOP", "2", NULL},
        {"hello fox", "INORDER", "SCORER", "TFIDF.DOCNORM", NULL},
        {"(%helo% | *ing) -@g:{y}", "WITHSCORES", NULL},
    };
    for (size_t qi = 0; qi < sizeof queries / sizeof queries[0]; qi++) {
        char *want = NULL;
        size_t wn = 0;
        int faults = 1;
        for (unsigned long nth = 0; faults && nth < 5000; nth++) {
            vs_db *db = vs_open(NULL);
            vt_run(db, "FT.CREATE", "i", "PREFIX", "1", "d:", "SCHEMA", "t", "TEXT", "WEIGHT", "2", "u", "TEXT",
                   "WITHSUFFIXTRIE", "g", "TAG", NULL);
            vt_run(db, "HSET", "d:1", "t", "Hello world, the quick brown fox", "u", "jumping dogs", "g", "x", NULL);
            vt_run(db, "HSET", "d:2", "t", "hello hello", "u", "running quick fox brown", "g", "y", NULL);
            vt_run(db, "HSET", "d:3", "t", "world", "u", "quick brown helo", "g", "x", NULL);
            const uint8_t *argv[12];
            size_t lens[12];
            int argc = 0;
            argv[argc++] = (const uint8_t *)"FT.SEARCH";
            argv[argc++] = (const uint8_t *)"i";
            for (int k = 0; queries[qi][k]; k++) argv[argc++] = (const uint8_t *)queries[qi][k];
            for (int k = 0; k < argc; k++) lens[k] = strlen((const char *)argv[k]);
            if (nth) vs_fault_inject(nth, 0);
            vs_exec(db, argc, argv, lens, 2);
            faults = nth ? (int)vs_fault_inject(0, 0) : 1;
            const char *r = (const char *)vs_reply_data(db);
            size_t rn = vs_reply_len(db);
            if (nth == 0) {
                want = malloc(rn);
                memcpy(want, r, rn);
                wn = rn;
                VT_CHECK(rn > 0 && r[0] == '*');
            } else if (!(rn >= 4 && memcmp(r, "-OOM", 4) == 0)) {
                vt_checks++;
                if (rn != wn || memcmp(r, want, rn) != 0)
                    vt_fail(__FILE__, __LINE__, "query %zu fault %lu: %.*s", qi, nth, (int)rn, r);
            }
            vs_close(db);
            VT_EQ_INT(vs_mem_used(), 0);
        }
        free(want);
    }
}

int main(void) {
    setup();
    VT_RUN(test_terms);
    VT_RUN(test_phrases);
    VT_RUN(test_punct_and_escapes);
    VT_RUN(test_mixed);
    VT_RUN(test_options);
    VT_RUN(test_errors);
    VT_RUN(test_knn_prefilter);
    VT_RUN(test_scorer_names);
    VT_RUN(test_oom);
    vs_text_opts_release(&text_opts.opts);
    VT_DONE();
}
