/* tag.c - TAG index (see tag.h). */
#include "index/tag.h"

#include <string.h>

#include "base/alloc.h"
#include "base/idtable.h"
#include "base/util.h"

#define TAG_HASH_SEED 0x2545f491u
#define NEW_ENTRY UINT32_MAX /* ref.pos marker while prepared: entry not yet in the dict */

static vs_tagidx *T(vs_field_index *fi) { return (vs_tagidx *)fi; }
static const vs_tagidx *CT(const vs_field_index *fi) { return (const vs_tagidx *)fi; }

static int entry_eq(const vs_dnode *n, const void *key, size_t klen) {
    const vs_tag_entry *e = (const vs_tag_entry *)n;
    return e->len == klen && memcmp(e->tag, key, klen) == 0;
}
static const vs_dict_type tag_dict_type = {entry_eq};

static uint32_t tag_hash(const uint8_t *p, size_t n) { return vs_hash_bytes(p, n, TAG_HASH_SEED); }

static int is_space(uint8_t c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

/* Normalise tag bytes into out (n bytes). */
static void normalise(const vs_tagidx *t, const uint8_t *in, size_t n, uint8_t *out) {
    if (t->casesensitive)
        memcpy(out, in, n);
    else
        for (size_t i = 0; i < n; i++) out[i] = vs_lower(in[i]);
}

static vs_tag_entry *find_entry(const vs_tagidx *t, const uint8_t *norm, size_t n) {
    return (vs_tag_entry *)vs_dict_find((vs_dict *)&t->dict, tag_hash(norm, n), norm, n);
}

static void free_entry(vs_tag_entry *e) {
    vs_free(e->ids);
    vs_free(e);
}

static vs_status tag_reserve_id(vs_field_index *fi, uint32_t id) {
    vs_tagidx *t = T(fi);
    static vs_tag_doc *const none = NULL;
    vs_tag_doc **d = vs_idtable_cover(t->docs, &t->doc_cap, id, sizeof *d, &none);
    if (!d) return VS_ERR_NOMEM;
    t->docs = d;
    return VS_OK;
}

/* Free what a prepared record made (new entries and the record). */
static void drop_prepared(vs_tag_doc *doc) {
    if (!doc) return;
    for (uint32_t i = 0; i < doc->n; i++)
        if (doc->t[i].pos == NEW_ENTRY) free_entry(doc->t[i].e);
    vs_free(doc);
}

static vs_status tag_prepare(vs_field_index *fi, uint32_t id, vs_fi_prep *p) {
    (void)id;
    vs_tagidx *t = T(fi);
    const uint8_t *v = p->val;
    size_t n = p->len;
    /* Count pieces to size the record. */
    uint32_t pieces = 1;
    for (size_t i = 0; i < n; i++) pieces += v[i] == t->sep;
    vs_tag_doc *doc = vs_malloc(sizeof *doc + (size_t)pieces * sizeof(vs_tag_ref));
    if (!doc) return VS_ERR_NOMEM;
    doc->n = 0;
    uint32_t new_entries = 0;
    size_t start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i < n && v[i] != t->sep) continue;
        size_t a = start, b = i;
        start = i + 1;
        while (a < b && is_space(v[a])) a++;
        while (b > a && is_space(v[b - 1])) b--;
        if (a == b || b - a > UINT32_MAX) continue;
        size_t len = b - a;
        vs_tag_entry *e = vs_malloc(sizeof *e + len);
        if (!e) goto nomem;
        e->ids = NULL;
        e->n = e->cap = 0;
        e->len = (uint32_t)len;
        normalise(t, v + a, len, e->tag);
        /* Already in this record? */
        int dup = 0;
        for (uint32_t k = 0; k < doc->n && !dup; k++)
            dup = doc->t[k].e->len == len && memcmp(doc->t[k].e->tag, e->tag, len) == 0;
        if (dup) {
            vs_free(e);
            continue;
        }
        vs_tag_entry *old = find_entry(t, e->tag, len);
        if (old) {
            vs_free(e);
            if (old->n == old->cap) { /* room for one more posting */
                uint32_t cap = old->cap ? old->cap * 2 : 4;
                uint32_t *ids = vs_realloc(old->ids, cap * sizeof *ids);
                if (!ids) goto nomem;
                old->ids = ids;
                old->cap = cap;
            }
            doc->t[doc->n].e = old;
            doc->t[doc->n].pos = 0;
        } else {
            e->ids = vs_malloc(4 * sizeof *e->ids);
            if (!e->ids) {
                vs_free(e);
                goto nomem;
            }
            e->cap = 4;
            doc->t[doc->n].e = e;
            doc->t[doc->n].pos = NEW_ENTRY;
            new_entries++;
        }
        doc->n++;
    }
    if (doc->n == 0) { /* no tags: an indexing failure, as valkey-search */
        vs_free(doc);
        p->valid = 0;
        return VS_OK;
    }
    if (vs_dict_reserve(&t->dict, new_entries) != VS_OK) goto nomem;
    p->valid = 1;
    p->data = doc;
    return VS_OK;
nomem:
    drop_prepared(doc);
    return VS_ERR_NOMEM;
}

/* Position of entry e in a document's record. */
static vs_tag_ref *ref_of(vs_tag_doc *doc, const vs_tag_entry *e) {
    for (uint32_t i = 0; i < doc->n; i++)
        if (doc->t[i].e == e) return &doc->t[i];
    return NULL;
}

static void tag_commit(vs_field_index *fi, uint32_t id, vs_fi_prep *p) {
    vs_tagidx *t = T(fi);
    vs_tag_doc *old = t->docs[id];
    vs_tag_doc *nw = (p->action == VS_FI_SET && p->valid) ? p->data : NULL;
    p->data = NULL;
    /* 1. Add the new postings (room was reserved). */
    if (nw) {
        for (uint32_t i = 0; i < nw->n; i++) {
            vs_tag_entry *e = nw->t[i].e;
            if (nw->t[i].pos == NEW_ENTRY) vs_dict_insert(&t->dict, &e->node, tag_hash(e->tag, e->len));
            nw->t[i].pos = e->n;
            e->ids[e->n++] = id;
        }
    }
    /* 2. Remove the old ones, fixing the position of each moved posting. */
    if (old) {
        for (uint32_t i = 0; i < old->n; i++) {
            vs_tag_entry *e = old->t[i].e;
            uint32_t pos = old->t[i].pos, last = e->n - 1;
            if (pos != last) {
                uint32_t moved = e->ids[last];
                e->ids[pos] = moved;
                vs_tag_doc *md = moved == id ? nw : t->docs[moved];
                ref_of(md, e)->pos = pos;
            }
            e->n--;
        }
        /* 3. Free tags nobody has any more. */
        for (uint32_t i = 0; i < old->n; i++) {
            vs_tag_entry *e = old->t[i].e;
            if (e->n) continue;
            vs_dict_unlink(&t->dict, &e->node);
            free_entry(e);
        }
        vs_free(old);
        t->ndocs--;
    }
    t->docs[id] = nw;
    if (nw) t->ndocs++;
}

static void tag_abort(vs_field_index *fi, vs_fi_prep *p) {
    (void)fi;
    drop_prepared(p->data);
    p->data = NULL;
}

static void free_entry_node(vs_dnode *n, void *arg) {
    (void)arg;
    free_entry((vs_tag_entry *)n);
}

static void tag_clear(vs_field_index *fi) {
    vs_tagidx *t = T(fi);
    vs_dict_clear(&t->dict, free_entry_node, NULL);
    vs_dict_release(&t->dict);
    for (uint32_t i = 0; i < t->doc_cap; i++) {
        vs_free(t->docs[i]);
        t->docs[i] = NULL;
    }
    t->ndocs = 0;
}

static void tag_destroy(vs_field_index *fi) {
    vs_tagidx *t = T(fi);
    tag_clear(fi);
    vs_free(t->docs);
    vs_bitvec_free(&t->base.present);
    vs_bitvec_free(&t->base.failed);
    vs_free(t);
}

static void add_entry_mem(const vs_dnode *n, void *arg) {
    const vs_tag_entry *e = (const vs_tag_entry *)n;
    *(size_t *)arg += sizeof *e + e->len + (size_t)e->cap * sizeof(uint32_t);
}

static size_t tag_memory(const vs_field_index *fi) {
    const vs_tagidx *t = CT(fi);
    size_t m = sizeof *t + (size_t)t->doc_cap * sizeof(vs_tag_doc *);
    m += (t->dict.size[0] + t->dict.size[1]) * sizeof(void *);
    vs_dict_foreach(&t->dict, add_entry_mem, &m);
    for (uint32_t i = 0; i < t->doc_cap; i++)
        if (t->docs[i]) m += sizeof(vs_tag_doc) + t->docs[i]->n * sizeof(vs_tag_ref);
    return m;
}

static void tag_info(const vs_field_index *fi, vs_reply *r) {
    const vs_tagidx *t = CT(fi);
    char sep[2] = {(char)t->sep, 0};
    vs_reply_simple(r, "SEPARATOR");
    vs_reply_simple(r, sep);
    vs_reply_simple(r, "CASESENSITIVE");
    vs_reply_simple(r, t->casesensitive ? "1" : "0");
    vs_reply_simple(r, "size");
    vs_reply_bulk_ll(r, t->ndocs);
}

const vs_tag_doc *vs_tagidx_doc(const vs_tagidx *t, uint32_t id) { return id < t->doc_cap ? t->docs[id] : NULL; }

typedef struct prefix_walk {
    const uint8_t *pre;
    size_t len;
    vs_bitset *out;
} prefix_walk;

static void or_postings(const vs_tag_entry *e, vs_bitset *out) {
    for (uint32_t i = 0; i < e->n; i++)
        if (e->ids[i] < out->nbits) vs_bit_set(out->w, e->ids[i]);
}

static void prefix_visit(const vs_dnode *n, void *arg) {
    const vs_tag_entry *e = (const vs_tag_entry *)n;
    prefix_walk *w = arg;
    if (e->len < w->len || memcmp(e->tag, w->pre, w->len) != 0) return;
    or_postings(e, w->out);
}

/* OR into out the postings of tag (exact, or every tag starting with it). */
static vs_status match(const vs_tagidx *t, const uint8_t *tag, size_t len, int prefix, vs_bitset *out) {
    uint8_t small[256];
    uint8_t *norm = len <= sizeof small ? small : vs_malloc(len);
    if (!norm) return VS_ERR_NOMEM;
    normalise(t, tag, len, norm);
    if (prefix) {
        prefix_walk w = {norm, len, out};
        vs_dict_foreach(&t->dict, prefix_visit, &w);
    } else {
        const vs_tag_entry *e = find_entry(t, norm, len);
        if (e) or_postings(e, out);
    }
    if (norm != small) vs_free(norm);
    return VS_OK;
}

/* ---- queries ---------------------------------------------------------------- */

static uint32_t tag_count(const vs_field_index *fi) { return CT(fi)->ndocs; }

static int tag_has(const vs_field_index *fi, uint32_t id) { return vs_tagidx_doc(CT(fi), id) != NULL; }

/* OR into out the postings of every tag of the clause. */
static vs_status tag_match(const vs_field_index *fi, const vs_fi_clause *c, vs_bitset *out) {
    vs_status st = VS_OK;
    for (uint32_t i = 0; i < c->ntags && st == VS_OK; i++)
        st = match(CT(fi), c->tags[i].p, c->tags[i].n, c->tags[i].prefix, out);
    return st;
}

static const vs_fi_ops tag_ops = {
    .reserve_id = tag_reserve_id,
    .prepare = tag_prepare,
    .commit = tag_commit,
    .abort = tag_abort,
    .clear = tag_clear,
    .destroy = tag_destroy,
    .memory = tag_memory,
    .info = tag_info,
    .info_len = 6,
    .type_name = "TAG",
    .count = tag_count,
    .has = tag_has,
    .match = tag_match,
};

vs_field_index *vs_tagidx_new(const vs_fielddef *def) {
    vs_tagidx *t = vs_calloc(1, sizeof *t);
    if (!t) return NULL;
    t->base.ops = &tag_ops;
    t->base.def = def;
    t->sep = def->sep;
    t->casesensitive = def->casesensitive;
    vs_dict_init(&t->dict, &tag_dict_type);
    return &t->base;
}
