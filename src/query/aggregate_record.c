/* aggregate_record.c - FT.AGGREGATE's records kept past one stage
 * (aggregate.h): a record's values and extras packed into one allocation,
 * and the equality and hash GROUPBY and the distinct reducers group by.
 *
 * A packed block is [header | values | extras | array items | bytes]:
 * every string and array the values point to is copied into the block,
 * so a kept record depends on nothing else (not the store, not an
 * arena) and is freed with one vs_free.
 */
#include <math.h>
#include <string.h>

#include "base/alloc.h"
#include "base/util.h"
#include "query/aggregate.h"

typedef struct pack_hdr {
    uint32_t nx;
    uint32_t n;
    uint64_t pad; /* values start 16 bytes in */
} pack_hdr;

/* Array items (nested) and string bytes a value points to. */
static void measure(const vs_value *v, size_t *items, size_t *bytes) {
    if (v->type == VS_V_STR) {
        *bytes += v->n;
    } else if (v->type == VS_V_ARR) {
        *items += v->n;
        for (size_t i = 0; i < v->n; i++) measure(&v->items[i], items, bytes);
    }
}

static void copy(vs_value *dst, const vs_value *src, vs_value **icur, uint8_t **bcur) {
    *dst = *src;
    if (src->type == VS_V_STR) {
        if (src->n) memcpy(*bcur, src->s, src->n);
        dst->s = *bcur;
        *bcur += src->n;
    } else if (src->type == VS_V_ARR) {
        vs_value *it = *icur;
        *icur += src->n;
        for (size_t i = 0; i < src->n; i++) copy(&it[i], &src->items[i], icur, bcur);
        dst->items = it;
    }
}

void *vs_agg_pack(const vs_value *v, uint32_t n, const vs_agg_extra *x, uint32_t nx) {
    size_t items = 0, bytes = 0;
    for (uint32_t i = 0; i < n; i++) measure(&v[i], &items, &bytes);
    for (uint32_t i = 0; i < nx; i++) {
        measure(&x[i].v, &items, &bytes);
        bytes += x[i].nlen;
    }
    size_t size = sizeof(pack_hdr) + ((size_t)n + items) * sizeof(vs_value) + (size_t)nx * sizeof(vs_agg_extra) + bytes;
    uint8_t *blk = vs_malloc(size);
    if (!blk) return NULL;
    pack_hdr *h = (pack_hdr *)blk;
    h->n = n;
    h->nx = nx;
    h->pad = 0;
    vs_value *vals = (vs_value *)(blk + sizeof *h);
    vs_agg_extra *xs = (vs_agg_extra *)(vals + n);
    vs_value *icur = (vs_value *)(xs + nx);
    uint8_t *bcur = (uint8_t *)(icur + items);
    for (uint32_t i = 0; i < n; i++) copy(&vals[i], &v[i], &icur, &bcur);
    for (uint32_t i = 0; i < nx; i++) {
        if (x[i].nlen) memcpy(bcur, x[i].name, x[i].nlen);
        xs[i].name = bcur;
        xs[i].nlen = x[i].nlen;
        bcur += x[i].nlen;
        copy(&xs[i].v, &x[i].v, &icur, &bcur);
    }
    return blk;
}

void vs_agg_unpack(void *blk, uint32_t n, vs_agg_rec *out) {
    pack_hdr *h = blk;
    (void)n;
    out->v = (vs_value *)((uint8_t *)blk + sizeof *h);
    out->x = (vs_agg_extra *)(out->v + h->n);
    out->nx = h->nx;
    out->seq = 0;
}

vs_value *vs_agg_pack_value(const vs_value *v) {
    size_t items = 0, bytes = 0;
    measure(v, &items, &bytes);
    vs_value *blk = vs_malloc((1 + items) * sizeof *blk + bytes + 1);
    if (!blk) return NULL;
    vs_value *icur = blk + 1;
    uint8_t *bcur = (uint8_t *)(blk + 1 + items);
    copy(blk, v, &icur, &bcur);
    return blk;
}

int vs_agg_value_eq(const vs_value *a, const vs_value *b) {
    if (a->type != b->type) return 0;
    switch (a->type) {
    case VS_V_NUM:
        return a->num == b->num || (isnan(a->num) && isnan(b->num));
    case VS_V_STR:
        return a->n == b->n && (a->n == 0 || memcmp(a->s, b->s, a->n) == 0);
    case VS_V_ARR:
        if (a->n != b->n) return 0;
        for (size_t i = 0; i < a->n; i++)
            if (!vs_agg_value_eq(&a->items[i], &b->items[i])) return 0;
        return 1;
    default:
        return 1;
    }
}

uint32_t vs_agg_value_hash(const vs_value *v, uint32_t h) {
    switch (v->type) {
    case VS_V_NUM: {
        double d = v->num == 0 ? 0.0 : v->num; /* -0 as 0 */
        if (isnan(d)) d = NAN;
        uint8_t b[8];
        memcpy(b, &d, 8);
        return vs_hash_bytes(b, 8, h ^ 0x9e3779b9u);
    }
    case VS_V_STR:
        return vs_hash_bytes(v->s, v->n, h ^ 0x85ebca6bu);
    case VS_V_ARR:
        h = vs_hash_bytes(&v->n, sizeof v->n, h ^ 0xc2b2ae35u);
        for (size_t i = 0; i < v->n; i++) h = vs_agg_value_hash(&v->items[i], h);
        return h;
    default:
        return h * 31u + 7u;
    }
}
