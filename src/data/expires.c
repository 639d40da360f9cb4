/* expires.c - the expiry heap (see expires.h). */
#include "data/expires.h"

#include "base/alloc.h"

static void place(vs_keyspace *ks, uint32_t i, int64_t when, uint32_t id) {
    ks->exp.when[i] = when;
    ks->exp.id[i] = id;
    vs_ks_by_id(ks, id)->xpos = i + 1;
}

static void sift_up(vs_keyspace *ks, uint32_t i) {
    vs_expires *x = &ks->exp;
    int64_t when = x->when[i];
    uint32_t id = x->id[i];
    while (i > 0) {
        uint32_t p = (i - 1) / 2;
        if (x->when[p] <= when) break;
        place(ks, i, x->when[p], x->id[p]);
        i = p;
    }
    place(ks, i, when, id);
}

static void sift_down(vs_keyspace *ks, uint32_t i) {
    vs_expires *x = &ks->exp;
    int64_t when = x->when[i];
    uint32_t id = x->id[i];
    for (;;) {
        uint32_t l = 2 * i + 1;
        if (l >= x->n) break;
        uint32_t c = l + 1 < x->n && x->when[l + 1] < x->when[l] ? l + 1 : l;
        if (x->when[c] >= when) break;
        place(ks, i, x->when[c], x->id[c]);
        i = c;
    }
    place(ks, i, when, id);
}

vs_status vs_exp_reserve(vs_keyspace *ks, uint32_t more) {
    vs_expires *x = &ks->exp;
    if (more <= x->cap - x->n) return VS_OK;
    uint64_t need = (uint64_t)x->n + more;
    if (need > UINT32_MAX) return VS_ERR_NOMEM;
    uint64_t cap = x->cap ? x->cap : 16;
    while (cap < need) cap *= 2;
    if (cap > UINT32_MAX) cap = UINT32_MAX;
    int64_t *w = vs_realloc(x->when, (size_t)cap * sizeof *w);
    if (!w) return VS_ERR_NOMEM;
    x->when = w;
    uint32_t *id = vs_realloc(x->id, (size_t)cap * sizeof *id);
    if (!id) return VS_ERR_NOMEM; /* when[] grew: harmless, cap unchanged */
    x->id = id;
    x->cap = (uint32_t)cap;
    return VS_OK;
}

void vs_exp_set(vs_keyspace *ks, vs_kentry *e, int64_t when) {
    vs_expires *x = &ks->exp;
    if (e->xpos) {
        uint32_t i = e->xpos - 1;
        int64_t old = x->when[i];
        x->when[i] = when;
        if (when < old)
            sift_up(ks, i);
        else
            sift_down(ks, i);
        return;
    }
    uint32_t i = x->n++;
    place(ks, i, when, e->id);
    sift_up(ks, i);
}

void vs_exp_remove(vs_keyspace *ks, vs_kentry *e) {
    if (!e->xpos) return;
    vs_expires *x = &ks->exp;
    uint32_t i = e->xpos - 1;
    e->xpos = 0;
    uint32_t last = --x->n;
    if (i == last) return;
    int64_t when = x->when[last];
    place(ks, i, when, x->id[last]);
    if (i > 0 && x->when[(i - 1) / 2] > when)
        sift_up(ks, i);
    else
        sift_down(ks, i);
}

void vs_exp_clear(vs_keyspace *ks) { ks->exp.n = 0; }

void vs_exp_release(vs_keyspace *ks) {
    vs_free(ks->exp.when);
    vs_free(ks->exp.id);
    ks->exp.when = NULL;
    ks->exp.id = NULL;
    ks->exp.n = ks->exp.cap = 0;
}

uint32_t vs_exp_collect(const vs_keyspace *ks, int64_t now, vs_bitset *out) {
    const vs_expires *x = &ks->exp;
    uint32_t found = 0;
    if (!x->n || x->when[0] > now) return 0;
    /* Depth-first over the subtree of expired elements, without a stack:
     * from an element go to its first child if expired, else to the next
     * expired sibling or up. */
    uint32_t i = 0;
    for (;;) {
        if (x->id[i] < out->nbits) vs_bit_set(out->w, x->id[i]);
        found++;
        uint32_t l = 2 * i + 1;
        if (l < x->n && x->when[l] <= now) {
            i = l;
            continue;
        }
        /* No expired child: climb until a right sibling is expired. */
        for (;;) {
            if (i == 0) return found;
            if (i & 1) { /* a left child: try its sibling */
                uint32_t s = i + 1;
                if (s < x->n && x->when[s] <= now) {
                    i = s;
                    break;
                }
            }
            i = (i - 1) / 2;
        }
    }
}
