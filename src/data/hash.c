/* hash.c - the hash value type with two-phase writes (see hash.h). */
#include "data/hash.h"

#include <string.h>

#include "base/alloc.h"
#include "base/util.h"

#define FIELD_HASH_SEED 0x9747b28cu

static int field_eq(const vs_dnode *n, const void *key, size_t klen) {
    const vs_hfield *f = (const vs_hfield *)n;
    return f->flen == klen && memcmp(f->data, key, klen) == 0;
}

static const vs_dict_type field_dict_type = {field_eq};

static uint32_t field_hash(const uint8_t *f, size_t flen) {
    return vs_hash_bytes(f, flen, FIELD_HASH_SEED);
}

vs_hash *vs_hash_new(void) { return vs_calloc(1, sizeof(vs_hash)); }

void vs_hash_free(vs_hash *h) {
    if (!h) return;
    for (uint32_t i = 0; i < h->n; i++) vs_free(h->f[i]);
    if (h->f != &h->one) vs_free(h->f);
    if (h->dict) {
        vs_dict_release(h->dict);
        vs_free(h->dict);
    }
    vs_free(h);
}

size_t vs_hash_mem(const vs_hash *h) {
    size_t m = sizeof *h + (h->f == &h->one ? 0 : (size_t)h->cap * sizeof(vs_hfield *));
    for (uint32_t i = 0; i < h->n; i++) m += sizeof(vs_hfield) + vs_hfield_voff(h->f[i]->flen) + h->f[i]->vlen;
    if (h->dict) m += sizeof(vs_dict) + (h->dict->size[0] + h->dict->size[1]) * sizeof(void *);
    return m;
}

vs_hfield *vs_hash_get(const vs_hash *h, const uint8_t *f, size_t flen) {
    if (!h) return NULL;
    if (h->dict) return (vs_hfield *)vs_dict_find(h->dict, field_hash(f, flen), f, flen);
    for (uint32_t i = 0; i < h->n; i++) {
        vs_hfield *x = h->f[i];
        if (x->flen == flen && memcmp(x->data, f, flen) == 0) return x;
    }
    return NULL;
}

vs_hfield *vs_hfield_new(const uint8_t *f, size_t flen, const uint8_t *v, size_t vlen) {
    if (flen > UINT32_MAX - 3 || vlen > UINT32_MAX - vs_hfield_voff(flen)) return NULL;
    vs_hfield *x = vs_malloc(sizeof *x + vs_hfield_voff(flen) + vlen);
    if (!x) return NULL;
    x->node.next = NULL;
    x->node.hash = 0;
    x->flen = (uint32_t)flen;
    x->vlen = (uint32_t)vlen;
    x->pos = 0;
    memset(x->data + flen, 0, vs_hfield_voff(flen) - flen); /* the padding */
    if (flen && f) memcpy(x->data, f, flen); /* NULL: the caller fills the bytes */
    if (vlen && v) memcpy(x->data + vs_hfield_voff(flen), v, vlen);
    return x;
}

void vs_hash_plan_init(vs_hash_plan *p, vs_hash *h) {
    p->h = h;
    p->ops = p->small;
    p->nops = 0;
    p->cap = (uint32_t)VS_ARRAY_LEN(p->small);
    p->added = 0;
    p->removed = 0;
}

/* The op for field f, or NULL. */
static vs_hash_op *plan_find(vs_hash_plan *p, const uint8_t *f, size_t flen) {
    for (uint32_t i = 0; i < p->nops; i++)
        if (p->ops[i].flen == flen && memcmp(p->ops[i].field, f, flen) == 0) return &p->ops[i];
    return NULL;
}

static vs_hash_op *plan_push(vs_hash_plan *p) {
    if (p->nops == p->cap) {
        uint32_t cap = p->cap * 2;
        vs_hash_op *ops = vs_malloc(cap * sizeof *ops);
        if (!ops) return NULL;
        memcpy(ops, p->ops, p->nops * sizeof *ops);
        if (p->ops != p->small) vs_free(p->ops);
        p->ops = ops;
        p->cap = cap;
    }
    return &p->ops[p->nops++];
}

/* Count an op's effect on the field count. */
static void account(vs_hash_plan *p, const vs_hash_op *op, int sign) {
    if (op->nf && !op->old) p->added += (uint32_t)sign;
    if (!op->nf && op->old) p->removed += (uint32_t)sign;
}

vs_status vs_hash_plan_set(vs_hash_plan *p, const uint8_t *f, size_t flen, const uint8_t *v,
                           size_t vlen) {
    vs_hfield *nf = vs_hfield_new(f, flen, v, vlen);
    if (!nf) return VS_ERR_NOMEM;
    vs_hash_op *op = plan_find(p, f, flen);
    if (op) {
        account(p, op, -1);
        vs_free(op->nf);
    } else {
        op = plan_push(p);
        if (!op) {
            vs_free(nf);
            return VS_ERR_NOMEM;
        }
        op->old = vs_hash_get(p->h, f, flen);
    }
    op->field = vs_hfield_name(nf);
    op->flen = flen;
    op->nf = nf;
    account(p, op, +1);
    return VS_OK;
}

vs_status vs_hash_plan_del(vs_hash_plan *p, const uint8_t *f, size_t flen) {
    vs_hash_op *op = plan_find(p, f, flen);
    if (op) {
        account(p, op, -1);
        vs_free(op->nf);
        op->nf = NULL;
        op->field = op->old ? vs_hfield_name(op->old) : f;
        account(p, op, +1);
        return VS_OK;
    }
    vs_hfield *old = vs_hash_get(p->h, f, flen);
    if (!old) return VS_OK;
    op = plan_push(p);
    if (!op) return VS_ERR_NOMEM;
    op->field = vs_hfield_name(old);
    op->flen = flen;
    op->nf = NULL;
    op->old = old;
    account(p, op, +1);
    return VS_OK;
}

/* A dict over the hash's fields, with room for `need` fields. */
static vs_dict *build_dict(const vs_hash *h, size_t need) {
    vs_dict *d = vs_malloc(sizeof *d);
    if (!d) return NULL;
    vs_dict_init(d, &field_dict_type);
    if (vs_dict_reserve(d, need) != VS_OK) {
        vs_free(d);
        return NULL;
    }
    for (uint32_t i = 0; i < h->n; i++)
        vs_dict_insert(d, &h->f[i]->node, field_hash(h->f[i]->data, h->f[i]->flen));
    return d;
}

vs_status vs_hash_plan_reserve(vs_hash_plan *p) {
    vs_hash *h = p->h;
    size_t need = (size_t)h->n + p->added;
    if (need > UINT32_MAX) return VS_ERR_NOMEM;
    /* Allocate everything first and swap in only when all succeeded, so a
     * failure leaves the hash exactly as it was, capacity included. */
    vs_hfield **f = NULL;
    size_t cap = h->cap;
    if (need == 1 && h->cap == 0) {
        f = &h->one; /* the first field: the struct's own room */
        cap = 1;
    } else if (need > h->cap) {
        cap = h->cap > 1 ? h->cap : 4;
        while (cap < need) cap *= 2;
        if (cap > UINT32_MAX) cap = UINT32_MAX;
        f = vs_malloc(cap * sizeof *f);
        if (!f) return VS_ERR_NOMEM;
    }
    vs_dict *d = NULL;
    if (h->dict) {
        if (vs_dict_reserve(h->dict, p->added) != VS_OK) {
            if (f != &h->one) vs_free(f);
            return VS_ERR_NOMEM;
        }
    } else if (need > VS_HASH_DICT_MIN) {
        d = build_dict(h, need);
        if (!d) {
            if (f != &h->one) vs_free(f);
            return VS_ERR_NOMEM;
        }
    }
    if (f) {
        if (h->n) memcpy(f, h->f, h->n * sizeof *f);
        if (h->f != &h->one) vs_free(h->f);
        h->f = f;
        h->cap = (uint32_t)cap;
    }
    if (d) h->dict = d;
    return VS_OK;
}

static void release_ops(vs_hash_plan *p) {
    if (p->ops != p->small) vs_free(p->ops);
    p->ops = p->small;
    p->nops = 0;
    p->added = p->removed = 0;
}

static void remove_at(vs_hash *h, uint32_t pos) {
    if (h->dict) {
        /* Large: order is not kept, swap the last field in. */
        h->f[pos] = h->f[h->n - 1];
        h->f[pos]->pos = pos;
    } else {
        memmove(&h->f[pos], &h->f[pos + 1], (h->n - pos - 1) * sizeof *h->f);
        for (uint32_t i = pos; i + 1 < h->n; i++) h->f[i]->pos = i;
    }
    h->n--;
}

void vs_hash_plan_apply(vs_hash_plan *p) {
    vs_hash *h = p->h;
    for (uint32_t i = 0; i < p->nops; i++) {
        vs_hash_op *op = &p->ops[i];
        if (op->old) {
            if (h->dict) vs_dict_unlink(h->dict, &op->old->node);
            if (op->nf) {
                op->nf->pos = op->old->pos;
                h->f[op->nf->pos] = op->nf;
            } else {
                remove_at(h, op->old->pos);
            }
            vs_free(op->old);
        } else if (op->nf) {
            op->nf->pos = h->n;
            h->f[h->n++] = op->nf;
        }
        if (op->nf && h->dict) vs_dict_insert(h->dict, &op->nf->node, field_hash(op->nf->data, op->nf->flen));
    }
    release_ops(p);
}

void vs_hash_plan_discard(vs_hash_plan *p) {
    for (uint32_t i = 0; i < p->nops; i++) vs_free(p->ops[i].nf);
    release_ops(p);
}

int vs_hview_get(const vs_hview *view, const uint8_t *f, size_t flen, const uint8_t **v,
                 size_t *vlen) {
    for (uint32_t i = 0; i < view->nops; i++) {
        const vs_hash_op *op = &view->ops[i];
        if (op->flen == flen && memcmp(op->field, f, flen) == 0) {
            if (!op->nf) return 0;
            *v = vs_hfield_value(op->nf);
            *vlen = op->nf->vlen;
            return 1;
        }
    }
    const vs_hfield *x = vs_hash_get(view->base, f, flen);
    if (!x) return 0;
    *v = vs_hfield_value(x);
    *vlen = x->vlen;
    return 1;
}

vs_status vs_hash_load_reserve(vs_hash *h, uint32_t n) {
    if (n <= 1) {
        h->f = &h->one;
        h->cap = 1;
        return VS_OK;
    }
    h->f = vs_malloc((size_t)n * sizeof *h->f);
    if (!h->f) return VS_ERR_NOMEM;
    h->cap = n;
    if (n > VS_HASH_DICT_MIN) {
        h->dict = vs_malloc(sizeof *h->dict);
        if (!h->dict) return VS_ERR_NOMEM;
        vs_dict_init(h->dict, &field_dict_type);
        if (vs_dict_reserve(h->dict, n) != VS_OK) {
            vs_free(h->dict);
            h->dict = NULL;
            return VS_ERR_NOMEM;
        }
    }
    return VS_OK;
}

vs_status vs_hash_load_add(vs_hash *h, vs_hfield *f) {
    if (h->n >= h->cap) return VS_ERR_CORRUPT;
    if (vs_hash_get(h, vs_hfield_name(f), f->flen)) return VS_ERR_CORRUPT;
    f->pos = h->n;
    h->f[h->n++] = f;
    if (h->dict) vs_dict_insert(h->dict, &f->node, field_hash(f->data, f->flen));
    return VS_OK;
}
