/* aggregate_reduce.c - GROUPBY's reducers (aggregate.h), one state per
 * reducer per group, fed one record's input at a time.
 *
 * As valkey-search computes them: COUNT counts records; SUM, AVG and
 * STDDEV take the inputs that convert to numbers (AVG 0 and STDDEV 0 with
 * none; STDDEV is the sample deviation, 0 for fewer than two); MIN and MAX
 * keep the least / greatest non-nil input by the expression language's
 * ordering (the value itself, a string stays a string); COUNT_DISTINCT
 * counts distinct non-nil inputs; TOLIST lists them in first-seen order,
 * an array input's items one by one; FIRST_VALUE keeps the first input, or
 * with BY the input of the record whose BY value is least (DESC:
 * greatest), ties to the first.  From RediSearch, which valkey-search
 * lacks: COUNT_DISTINCTISH (here exact: a distinct count), QUANTILE (the
 * exact quantile of the numeric inputs: the sorted value at rank
 * floor(q * (n - 1))), RANDOM_SAMPLE (a uniform sample of the non-nil
 * inputs by reservoir sampling with the command's generator).
 *
 * Every state owns its values (packed copies); a failed allocation leaves
 * the state as it was.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/alloc.h"
#include "query/aggregate.h"

/* ---- distinct values ------------------------------------------------------ */

static vs_status distinct_grow(vs_red_state *s) {
    uint32_t ncap = s->tabcap ? s->tabcap * 2 : 16;
    uint32_t *tab = vs_calloc(ncap, sizeof *tab);
    if (!tab) return VS_ERR_NOMEM;
    for (uint32_t i = 0; i < s->nitems; i++) {
        uint32_t at = vs_agg_value_hash(s->items[i], 0) & (ncap - 1);
        while (tab[at]) at = (at + 1) & (ncap - 1);
        tab[at] = i + 1;
    }
    vs_free(s->tab);
    s->tab = tab;
    s->tabcap = ncap;
    return VS_OK;
}

static vs_status items_room(vs_red_state *s) {
    if (s->nitems < s->capitems) return VS_OK;
    uint32_t ncap = s->capitems ? s->capitems * 2 : 4;
    vs_value **it = vs_realloc(s->items, ncap * sizeof *it);
    if (!it) return VS_ERR_NOMEM;
    s->items = it;
    s->capitems = ncap;
    return VS_OK;
}

/* Add v to the distinct set unless it is there. */
static vs_status distinct_add(vs_red_state *s, const vs_value *v) {
    if ((s->nitems + 1) * 2 > s->tabcap) {
        vs_status st = distinct_grow(s);
        if (st != VS_OK) return st;
    }
    uint32_t mask = s->tabcap - 1, at = vs_agg_value_hash(v, 0) & mask;
    for (; s->tab[at]; at = (at + 1) & mask)
        if (vs_agg_value_eq(s->items[s->tab[at] - 1], v)) return VS_OK;
    vs_status st = items_room(s);
    if (st != VS_OK) return st;
    vs_value *c = vs_agg_pack_value(v);
    if (!c) return VS_ERR_NOMEM;
    s->items[s->nitems++] = c;
    s->tab[at] = s->nitems;
    return VS_OK;
}

/* Replace a kept value by a copy of v. */
static vs_status keep(vs_value **slot, const vs_value *v) {
    vs_value *c = vs_agg_pack_value(v);
    if (!c) return VS_ERR_NOMEM;
    vs_free(*slot);
    *slot = c;
    return VS_OK;
}

static uint64_t next_rand(uint64_t *r) { /* xorshift64* */
    uint64_t x = *r ? *r : 0x9e3779b97f4a7c15ull;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    *r = x;
    return x * 0x2545f4914f6cdd1dull;
}

vs_status vs_reduce_add(const vs_agg_reducer *r, vs_red_state *s, const vs_value *arg, const vs_value *by,
                        uint64_t *rng) {
    double d;
    switch (r->fn) {
    case VS_RED_COUNT:
        s->count++;
        return VS_OK;
    case VS_RED_SUM:
    case VS_RED_AVG:
    case VS_RED_STDDEV:
        if (!vs_value_as_num(arg, &d)) return VS_OK;
        s->sum += d;
        s->sq += d * d;
        s->count++;
        return VS_OK;
    case VS_RED_MIN:
    case VS_RED_MAX:
        if (arg->type == VS_V_NIL) return VS_OK;
        if (!s->val || vs_value_cmp(s->val, arg) == (r->fn == VS_RED_MIN ? 1 : -1)) return keep(&s->val, arg);
        return VS_OK;
    case VS_RED_COUNT_DISTINCT:
    case VS_RED_COUNT_DISTINCTISH:
        if (arg->type == VS_V_NIL) return VS_OK;
        return distinct_add(s, arg);
    case VS_RED_TOLIST:
        if (arg->type == VS_V_NIL) return VS_OK;
        if (arg->type == VS_V_ARR) {
            for (size_t i = 0; i < arg->n; i++) {
                if (arg->items[i].type == VS_V_NIL) continue;
                vs_status st = distinct_add(s, &arg->items[i]);
                if (st != VS_OK) return st;
            }
            return VS_OK;
        }
        return distinct_add(s, arg);
    case VS_RED_FIRST_VALUE:
        if (!r->by) {
            if (s->seen) return VS_OK;
            vs_status st = keep(&s->val, arg);
            if (st == VS_OK) s->seen = 1;
            return st;
        }
        if (by->type == VS_V_NIL) return VS_OK;
        if (!s->cmp || vs_value_cmp(by, s->cmp) == (r->desc ? 1 : -1)) {
            vs_value *nv = vs_agg_pack_value(arg), *nc = vs_agg_pack_value(by);
            if (!nv || !nc) {
                vs_free(nv);
                vs_free(nc);
                return VS_ERR_NOMEM;
            }
            vs_free(s->val);
            vs_free(s->cmp);
            s->val = nv;
            s->cmp = nc;
        }
        return VS_OK;
    case VS_RED_QUANTILE:
        if (!vs_value_as_num(arg, &d) || isnan(d)) return VS_OK;
        if (s->nnums == s->capnums) {
            size_t ncap = s->capnums ? s->capnums * 2 : 8;
            double *nn = vs_realloc(s->nums, ncap * sizeof *nn);
            if (!nn) return VS_ERR_NOMEM;
            s->nums = nn;
            s->capnums = ncap;
        }
        s->nums[s->nnums++] = d;
        return VS_OK;
    case VS_RED_RANDOM_SAMPLE: {
        if (arg->type == VS_V_NIL) return VS_OK;
        if (s->nitems < r->sample) {
            vs_status st = items_room(s);
            if (st != VS_OK) return st;
            vs_value *c = vs_agg_pack_value(arg);
            if (!c) return VS_ERR_NOMEM;
            s->items[s->nitems++] = c;
            s->count++;
            return VS_OK;
        }
        uint64_t j = next_rand(rng) % (s->count + 1);
        s->count++;
        if (j < r->sample) return keep(&s->items[j], arg);
        return VS_OK;
    }
    default:
        return VS_OK;
    }
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The items as an array value in ar. */
static vs_status items_value(const vs_red_state *s, vs_arena *ar, vs_value *out) {
    vs_value *it = vs_arena_alloc(ar, (s->nitems ? s->nitems : 1) * sizeof *it);
    if (!it) return VS_ERR_NOMEM;
    for (uint32_t i = 0; i < s->nitems; i++) it[i] = *s->items[i];
    out->type = VS_V_ARR;
    out->n = s->nitems;
    out->items = it;
    return VS_OK;
}

vs_status vs_reduce_result(const vs_agg_reducer *r, vs_red_state *s, vs_arena *ar, vs_value *out) {
    *out = vs_value_nil();
    switch (r->fn) {
    case VS_RED_COUNT:
        *out = vs_value_num((double)s->count);
        return VS_OK;
    case VS_RED_SUM:
        *out = vs_value_num(s->sum);
        return VS_OK;
    case VS_RED_AVG:
        *out = vs_value_num(s->count ? s->sum / (double)s->count : 0.0);
        return VS_OK;
    case VS_RED_STDDEV:
        if (s->count <= 1) {
            *out = vs_value_num(0.0);
        } else {
            double n = (double)s->count;
            *out = vs_value_num(sqrt((s->sq - (s->sum * s->sum) / n) / (n - 1)));
        }
        return VS_OK;
    case VS_RED_MIN:
    case VS_RED_MAX:
    case VS_RED_FIRST_VALUE:
        if (s->val) *out = *s->val;
        return VS_OK;
    case VS_RED_COUNT_DISTINCT:
    case VS_RED_COUNT_DISTINCTISH:
        *out = vs_value_num((double)s->nitems);
        return VS_OK;
    case VS_RED_TOLIST:
    case VS_RED_RANDOM_SAMPLE:
        return items_value(s, ar, out);
    case VS_RED_QUANTILE:
        if (!s->nnums) return VS_OK;
        qsort(s->nums, s->nnums, sizeof *s->nums, cmp_double);
        *out = vs_value_num(s->nums[(size_t)floor(r->quantile * (double)(s->nnums - 1))]);
        return VS_OK;
    default:
        return VS_OK;
    }
}

void vs_reduce_free(vs_red_state *s) {
    vs_free(s->val);
    vs_free(s->cmp);
    for (uint32_t i = 0; i < s->nitems; i++) vs_free(s->items[i]);
    vs_free(s->items);
    vs_free(s->tab);
    vs_free(s->nums);
    memset(s, 0, sizeof *s);
}
