/* score.c - text relevance scorers (score.h).
 *
 * The float constants and the order of operations are RediSearch's
 * (k1 and b are C floats there, so 1.2f and 0.75f, not 1.2 and 0.75):
 * the JS model in tests/js/text-search.test.js repeats them with
 * Math.fround. */
#include "query/score.h"

#include <math.h>

#include "base/util.h"

int vs_scorer_by_name(const uint8_t *s, size_t n, vs_scorer *out) {
    static const struct {
        const char *name;
        vs_scorer v;
    } names[] = {
        {"BM25STD", VS_SCORER_BM25STD},           {"BM25", VS_SCORER_BM25},
        {"TFIDF", VS_SCORER_TFIDF},               {"TFIDF.DOCNORM", VS_SCORER_TFIDF_DOCNORM},
        {"DOCSCORE", VS_SCORER_DOCSCORE},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (vs_eq_nocase(s, n, names[i].name)) {
            *out = names[i].v;
            return 1;
        }
    return 0;
}

uint32_t vs_score_weight_units(double weight) {
    float w = (float)weight;
    if (!(w >= 1.0f)) return 1; /* also NaN */
    if (w >= 4294967295.0f) return UINT32_MAX;
    return (uint32_t)w;
}

double vs_score_idf(const vs_score_ctx *c, uint64_t n) {
    double total = (double)c->num_docs;
    switch (c->scorer) {
    case VS_SCORER_BM25STD: {
        if (c->num_docs < n) total = (double)n;
        double term = (double)n;
        return log(1.0 + (total - term + 0.5) / (term + 0.5));
    }
    case VS_SCORER_BM25:
    case VS_SCORER_TFIDF:
    case VS_SCORER_TFIDF_DOCNORM: {
        double v = 1.0 + (total + 1.0) / (double)(n ? n : 1);
        return (double)ilogb(v);
    }
    case VS_SCORER_DOCSCORE: return 0;
    }
    return 0;
}

double vs_score_term(const vs_score_ctx *c, double idf, double f, double len) {
    const double weight = 1.0;
    switch (c->scorer) {
    case VS_SCORER_BM25STD: {
        const float b = 0.75f, k1 = 1.2f;
        return weight * idf * f * (k1 + 1) / (f + k1 * (1.0f - b + b * (float)len / c->avg_len));
    }
    case VS_SCORER_BM25: {
        const float b = 0.5f, k1 = 1.2f;
        return weight * idf * f / (f + k1 * (1.0f - b + b * c->avg_len));
    }
    case VS_SCORER_TFIDF:
    case VS_SCORER_TFIDF_DOCNORM: return weight * f * idf;
    case VS_SCORER_DOCSCORE: return 0;
    }
    return 0;
}

double vs_score_final(const vs_score_ctx *c, double sum, double doc_score, double len, double max_tf) {
    float ds = (float)doc_score; /* RediSearch keeps the document score as a float */
    switch (c->scorer) {
    case VS_SCORER_BM25STD:
    case VS_SCORER_BM25: return ds * sum;
    case VS_SCORER_TFIDF:
    case VS_SCORER_TFIDF_DOCNORM: {
        if (ds == 0) return 0;
        uint32_t norm = (uint32_t)(c->scorer == VS_SCORER_TFIDF ? max_tf : len);
        if (norm == 0) return 0;
        return ds * sum / norm;
    }
    case VS_SCORER_DOCSCORE: return ds;
    }
    return 0;
}
