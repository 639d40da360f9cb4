/* vector.c - what FLAT and HNSW fields share (see vector.h). */
#include "index/vector.h"

#include <math.h>

void vs_vspace_init(vs_vspace *s, const vs_vecdef *d) {
    s->type = d->type;
    s->metric = d->metric;
    s->dim = d->dim;
    s->bytes = vs_vector_bytes(d);
    s->l2 = vs_l2sq_of(d->type);
    s->dot = vs_dot_of(d->type);
}

int vs_vector_blob_valid(const vs_vspace *s, const uint8_t *p, size_t n) {
    return n == s->bytes && vs_vec_finite(s->type, p, s->dim);
}

float vs_vector_inv_norm(const vs_vspace *s, const void *v) {
    float ss = s->dot(v, v, s->dim);
    if (!(ss > 0)) return 0.0f;
    return 1.0f / sqrtf(ss); /* 0 when ss overflowed to infinity */
}

int vs_vquery_init(const vs_vspace *s, const void *v, vs_vquery *q) {
    if (!vs_vector_blob_valid(s, v, s->bytes)) return 0;
    q->v = v;
    q->inv_norm = s->metric == VS_METRIC_COSINE ? vs_vector_inv_norm(s, v) : 0.0f;
    return 1;
}

void vs_vector_info(vs_reply *r, const vs_fielddef *def, long long capacity, long long size, const char *algo,
                    int algo_len) {
    vs_reply_simple(r, "index");
    vs_reply_map(r, 6); /* pairs: an array in RESP2, a map in RESP3 */
    vs_reply_simple(r, "capacity");
    vs_reply_int(r, capacity);
    vs_reply_simple(r, "dimensions");
    vs_reply_int(r, def->vec.dim);
    vs_reply_simple(r, "distance_metric");
    vs_reply_simple(r, vs_metric_name(def->vec.metric));
    vs_reply_simple(r, "size");
    vs_reply_bulk_ll(r, size);
    vs_reply_simple(r, "data_type");
    vs_reply_simple(r, vs_vectype_name(def->vec.type));
    vs_reply_simple(r, "algorithm");
    vs_reply_map(r, (size_t)algo_len / 2);
    vs_reply_simple(r, "name");
    vs_reply_simple(r, algo);
}
