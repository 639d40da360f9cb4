/* query_exec.c - filter evaluation and KNN execution (query_exec.h). */
#include "query/query_exec.h"

#include <string.h>

#include "base/alloc.h"

int vs_key_cmp(void *ctx, uint32_t a, uint32_t b) {
    const vs_keyspace *ks = ctx;
    const vs_kentry *ea = vs_ks_by_id(ks, a), *eb = vs_ks_by_id(ks, b);
    if (!ea || !eb) return (a > b) - (a < b);
    size_t n = ea->klen < eb->klen ? ea->klen : eb->klen;
    int c = memcmp(ea->key, eb->key, n);
    if (c) return c;
    return (ea->klen > eb->klen) - (ea->klen < eb->klen);
}

static vs_status eval(const vs_ftindex *x, const vs_qnode *n, vs_bitset *out);

static vs_status eval_kids(const vs_ftindex *x, const vs_qnode *n, vs_bitset *out) {
    vs_status st = eval(x, n->kids[0], out);
    if (st != VS_OK) return st;
    vs_bitset tmp;
    if (vs_bitset_init(&tmp, out->nbits) != VS_OK) return VS_ERR_NOMEM;
    for (uint32_t i = 1; i < n->nkids; i++) {
        memset(tmp.w, 0, vs_bitset_words(tmp.nbits) * sizeof *tmp.w);
        st = eval(x, n->kids[i], &tmp);
        if (st != VS_OK) break;
        if (n->kind == VS_Q_AND)
            vs_bitset_and(out, &tmp);
        else
            vs_bitset_or(out, &tmp);
    }
    vs_bitset_free(&tmp);
    return st;
}

/* out is zeroed on entry. */
static vs_status eval(const vs_ftindex *x, const vs_qnode *n, vs_bitset *out) {
    switch (n->kind) {
    case VS_Q_TAG:
    case VS_Q_NUM: {
        const vs_field_index *fi = x->fields[n->field];
        return fi->ops->match(fi, &n->clause, out);
    }
    case VS_Q_AND:
    case VS_Q_OR: return eval_kids(x, n, out);
    case VS_Q_NOT: {
        vs_status st = eval(x, n->kids[0], out);
        if (st != VS_OK) return st;
        /* Complement within the index's documents (a document without the
         * field matches a negated predicate). */
        size_t words = vs_bitset_words(out->nbits), have = x->indexed.cap / 64;
        for (size_t i = 0; i < words; i++) out->w[i] = (i < have ? x->indexed.w[i] : 0) & ~out->w[i];
        if (out->nbits & 63) out->w[words - 1] &= (1ull << (out->nbits & 63)) - 1;
        return VS_OK;
    }
    }
    return VS_ERR_STATE;
}

vs_status vs_filter_eval(const vs_ftindex *x, const vs_qnode *n, vs_bitset *out) {
    if (vs_bitset_init(out, vs_ks_id_bound(x->ks)) != VS_OK) return VS_ERR_NOMEM;
    vs_status st = eval(x, n, out);
    if (st != VS_OK) vs_bitset_free(out);
    return st;
}

vs_status vs_knn_exec(const vs_ftindex *x, int field, vs_knn_strategy strategy, const vs_knn_req *req, uint32_t k,
                      vs_scored *out, size_t *nout) {
    vs_topk top;
    vs_topk_init(&top, out, k, vs_key_cmp, x->ks);
    vs_field_index *fi = x->fields[field];
    vs_status st = VS_OK;
    if (fi->ops->count(fi) > 0) {
        if (strategy == VS_KNN_EXACT)
            fi->ops->knn_exact(fi, req, &top);
        else
            st = fi->ops->knn_graph(fi, req, &top);
    }
    vs_topk_sort(&top);
    *nout = top.n;
    return st;
}

/* Merge sort (stable) with a context comparison. */
static void merge_pass(uint32_t *src, uint32_t *dst, size_t n, size_t width, vs_id_cmp_fn cmp, void *ctx) {
    for (size_t lo = 0; lo < n; lo += 2 * width) {
        size_t mid = lo + width < n ? lo + width : n;
        size_t hi = lo + 2 * width < n ? lo + 2 * width : n;
        size_t i = lo, j = mid, o = lo;
        while (i < mid && j < hi) dst[o++] = cmp(ctx, src[j], src[i]) < 0 ? src[j++] : src[i++];
        while (i < mid) dst[o++] = src[i++];
        while (j < hi) dst[o++] = src[j++];
    }
}

vs_status vs_sort_ids(uint32_t *ids, size_t n, vs_id_cmp_fn cmp, void *ctx) {
    if (n < 2) return VS_OK;
    uint32_t *tmp = vs_malloc(n * sizeof *tmp);
    if (!tmp) return VS_ERR_NOMEM;
    uint32_t *src = ids, *dst = tmp;
    for (size_t width = 1; width < n; width *= 2) {
        merge_pass(src, dst, n, width, cmp, ctx);
        uint32_t *t = src;
        src = dst;
        dst = t;
    }
    if (src != ids) memcpy(ids, src, n * sizeof *ids);
    vs_free(tmp);
    return VS_OK;
}
