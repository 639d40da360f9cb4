/* vector.c - what FLAT and HNSW fields share (see vector.h). */
#include "index/vector.h"

#include <string.h>

#include "index/distance.h"

int vs_vector_blob_valid(uint32_t dim, const uint8_t *p, size_t n) {
    if (n != vs_vector_bytes(dim)) return 0;
    for (uint32_t i = 0; i < dim; i++) {
        float x;
        memcpy(&x, p + (size_t)i * sizeof x, sizeof x);
        if (x - x != 0) return 0; /* NaN or infinity */
    }
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
    vs_reply_simple(r, "FLOAT32");
    vs_reply_simple(r, "algorithm");
    vs_reply_map(r, (size_t)algo_len / 2);
    vs_reply_simple(r, "name");
    vs_reply_simple(r, algo);
}
