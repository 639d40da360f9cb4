/* text.c - the TEXT field index (text.h, structures in text_int.h): the
 * field-index ops (two-phase writes, clear, memory, FT.INFO attribute) and
 * what queries read of documents and terms.
 *
 * prepare tokenizes the value (the schema's PUNCTUATION and STOPWORDS),
 * skips words longer than VS_TEXT_MAX_WORD bytes (their positions stay
 * unused), groups the tokens by word, and for each word plans one change
 * to its posting list, allocating whatever it needs: an append in place
 * (the last block's room grown now), a new block, a rebuilt block (copy on
 * write, split in two past TX_BLOCK_MAX), or a new term with its first
 * block (dictionary room reserved, its id predicted from the free list).
 * It also encodes the document's new record.  A value that is not UTF-8
 * clears p->valid (an indexing failure); a value with no word to index is
 * the field missing (valkey-search's): prepare turns the SET into a
 * REMOVE.  commit applies the plan, then removes the document from the
 * terms only its old value had, dropping terms left with no document. */
#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "base/idtable.h"
#include "index/text_int.h"

enum { OP_APPEND, OP_NEWBLK, OP_COW, OP_NEW };

typedef struct tx_op {
    uint32_t term;  /* term id (OP_NEW: the id it will get) */
    uint32_t tf;
    uint32_t oldtf; /* OP_COW: tf of the entry it replaces (0: an insert) */
    uint32_t blk;   /* OP_COW: the block it replaces */
    uint32_t boff, blen; /* OP_APPEND: entry bytes; OP_NEW: word bytes (in bytes) */
    uint32_t hash;  /* OP_NEW: the word's hash */
    uint8_t kind;
    tx_block *a, *b; /* blocks made for OP_NEWBLK, OP_NEW (a) and OP_COW (a, b) */
} tx_op;

typedef struct tx_prep {
    uint32_t nops;
    uint32_t doclen;
    uint8_t *rec; /* the document's new record */
    size_t rec_len;
    uint8_t *bytes;
    tx_op ops[];
} tx_prep;

static vs_textidx *T(vs_field_index *fi) { return (vs_textidx *)fi; }
static const vs_textidx *CT(const vs_field_index *fi) { return (const vs_textidx *)fi; }

static tx_block *block_new(vs_textidx *t, uint32_t cap) {
    (void)t;
    tx_block *b = vs_malloc(tx_block_size(cap));
    if (b) b->cap = cap;
    return b;
}

/* A block of room cap holding one entry: document id, its encoded tail
 * (tf and positions). */
static tx_block *block_one(vs_textidx *t, uint32_t cap, uint32_t id, const uint8_t *tail, uint32_t tlen) {
    tx_block *b = block_new(t, cap);
    if (!b) return NULL;
    b->first = b->last = id;
    b->n = 1;
    b->len = tlen;
    memcpy(b->data, tail, tlen);
    return b;
}

/* Account for a block that became part of the index. */
static void block_live(vs_textidx *t, tx_block *b) {
    t->block_bytes += tx_block_size(b->cap);
    t->nblocks_total++;
}

static vs_status text_reserve_id(vs_field_index *fi, uint32_t id) {
    vs_textidx *t = T(fi);
    tx_doc *d = vs_idtable_cover(t->docs, &t->doc_cap, id, sizeof *d, NULL);
    if (!d) return VS_ERR_NOMEM;
    t->docs = d;
    return VS_OK;
}

/* ---- prepare ---------------------------------------------------------------- */

static int tok_cmp(const vs_tokens *tk, uint32_t a, uint32_t b) {
    const vs_token *x = &tk->tok[a], *y = &tk->tok[b];
    size_t n = x->len < y->len ? x->len : y->len;
    int r = memcmp(tk->text + x->off, tk->text + y->off, n);
    if (r) return r;
    if (x->len != y->len) return x->len < y->len ? -1 : 1;
    return a < b ? -1 : a > b;
}

/* Sort a[0, n) by word, then position (bottom-up merge sort, tmp: n). */
static void sort_tokens(const vs_tokens *tk, uint32_t *a, uint32_t *tmp, uint32_t n) {
    for (uint32_t width = 1; width < n; width *= 2) {
        for (uint32_t lo = 0; lo < n; lo += 2 * width) {
            uint32_t mid = lo + width < n ? lo + width : n, hi = lo + 2 * width < n ? lo + 2 * width : n;
            uint32_t i = lo, j = mid, o = lo;
            if (mid >= hi || tok_cmp(tk, a[mid - 1], a[mid]) <= 0) { /* already in order */
                memcpy(tmp + lo, a + lo, (size_t)(hi - lo) * sizeof *a);
                continue;
            }
            while (i < mid && j < hi) tmp[o++] = tok_cmp(tk, a[i], a[j]) <= 0 ? a[i++] : a[j++];
            while (i < mid) tmp[o++] = a[i++];
            while (j < hi) tmp[o++] = a[j++];
        }
        memcpy(a, tmp, (size_t)n * sizeof *a);
    }
}

static void sort_u32(uint32_t *a, uint32_t n) {
    for (uint32_t i = 1; i < n; i++) {
        uint32_t v = a[i], j = i;
        while (j > 0 && a[j - 1] > v) a[j] = a[j - 1], j--;
        a[j] = v;
    }
}

static void drop_prep(vs_textidx *t, tx_prep *pr, uint32_t nops) {
    (void)t;
    if (!pr) return;
    for (uint32_t i = 0; i < nops; i++) {
        vs_free(pr->ops[i].a);
        vs_free(pr->ops[i].b);
    }
    vs_free(pr->rec);
    vs_free(pr->bytes);
    vs_free(pr);
}

static vs_status ent_reserve(vs_textidx *t, size_t n) {
    if (n <= t->ent_cap) return VS_OK;
    size_t cap = t->ent_cap ? t->ent_cap : 64;
    while (cap < n) cap *= 2;
    tx_ent *e = vs_realloc(t->ent, cap * sizeof *e);
    if (!e) return VS_ERR_NOMEM;
    t->ent = e;
    t->ent_cap = cap;
    return VS_OK;
}

/* Encode entries e[0, n) into a new block. */
static tx_block *encode_block(vs_textidx *t, const tx_ent *e, uint32_t n, uint32_t slack) {
    size_t len = e[0].tlen;
    for (uint32_t k = 1; k < n; k++) len += tx_vlen(e[k].id - e[k - 1].id) + e[k].tlen;
    if (len > UINT32_MAX - slack) return NULL;
    tx_block *b = block_new(t, (uint32_t)len + slack);
    if (!b) return NULL;
    b->first = e[0].id;
    b->last = e[n - 1].id;
    b->n = n;
    b->len = (uint32_t)len;
    uint8_t *p = b->data;
    for (uint32_t k = 0; k < n; k++) {
        if (k) p = tx_vput(p, e[k].id - e[k - 1].id);
        memcpy(p, e[k].tail, e[k].tlen);
        p += e[k].tlen;
    }
    return b;
}

/* Plan the rebuild of the block of term `term` that id goes into, with
 * the entry tail (tf, positions) `tail`. */
static vs_status plan_cow(vs_textidx *t, uint32_t term, uint32_t id, const uint8_t *tail, uint32_t tlen, tx_op *op) {
    tx_term *tm = &t->terms[term];
    uint32_t bi = tx_post_find_block(tm, id);
    const tx_block *b = tx_blocks(tm)[bi];
    if (ent_reserve(t, (size_t)b->n + 1) != VS_OK) return VS_ERR_NOMEM;
    tx_ent *e = t->ent;
    const uint8_t *p = b->data;
    uint32_t cur = b->first, m = 0;
    int placed = 0;
    for (uint32_t k = 0; k < b->n; k++) {
        uint32_t d, tf;
        if (k) {
            p = tx_vget_fast(p, &d);
            cur += d;
        }
        const uint8_t *s = p;
        p = tx_vget_fast(p, &tf);
        if (t->offsets) p = tx_vskip(p, tf);
        if (!placed && cur >= id) {
            e[m++] = (tx_ent){id, tlen, tail};
            placed = 1;
            if (cur == id) {
                op->oldtf = tf;
                continue;
            }
        }
        e[m++] = (tx_ent){cur, (uint32_t)(p - s), s};
    }
    if (!placed) e[m++] = (tx_ent){id, tlen, tail};
    size_t total = e[0].tlen;
    for (uint32_t k = 1; k < m; k++) total += tx_vlen(e[k].id - e[k - 1].id) + e[k].tlen;
    uint32_t slack = bi + 1 == tm->nblocks ? 32 : 0;
    op->kind = OP_COW;
    op->blk = bi;
    if (total <= TX_BLOCK_MAX || m == 1) {
        op->a = encode_block(t, e, m, slack);
        return op->a ? VS_OK : VS_ERR_NOMEM;
    }
    /* Split where the first half reaches half the bytes. */
    size_t acc = e[0].tlen;
    uint32_t s = 1;
    while (s < m - 1 && acc + tx_vlen(e[s].id - e[s - 1].id) + e[s].tlen <= total / 2) {
        acc += tx_vlen(e[s].id - e[s - 1].id) + e[s].tlen;
        s++;
    }
    if (tx_post_reserve_block(t, tm) != VS_OK) return VS_ERR_NOMEM;
    op->a = encode_block(t, e, s, 0);
    op->b = op->a ? encode_block(t, e + s, m - s, slack) : NULL;
    return op->b ? VS_OK : VS_ERR_NOMEM;
}

static vs_status text_prepare(vs_field_index *fi, uint32_t id, vs_fi_prep *p) {
    vs_textidx *t = T(fi);
    vs_status st = vs_tokenize(&t->opt->opts, (const char *)p->val, p->len, &t->toks, NULL);
    if (st == VS_ERR_NOMEM) return st;
    if (st != VS_OK) { /* not UTF-8: an indexing failure */
        p->valid = 0;
        return VS_OK;
    }
    const vs_tokens *tk = &t->toks;
    if (tk->count > UINT32_MAX / 2) return VS_ERR_NOMEM;
    uint32_t ntok = 0;
    if (2 * tk->count > t->order_cap) {
        size_t cap = 2 * tk->count;
        uint32_t *o = vs_realloc(t->order, cap * sizeof *o);
        if (!o) return VS_ERR_NOMEM;
        t->order = o;
        t->order_cap = cap;
    }
    for (uint32_t i = 0; i < tk->count; i++)
        if (tk->tok[i].len <= VS_TEXT_MAX_WORD) t->order[ntok++] = i;
    if (ntok == 0) { /* nothing to index: the field is missing */
        p->action = VS_FI_REMOVE;
        return VS_OK;
    }
    uint32_t *ord = t->order, *pos = t->order + ntok;
    sort_tokens(tk, ord, pos, ntok);
    /* Groups: count them and size the bytes they need. */
    uint32_t nuniq = 0;
    size_t bytes = 0;
    for (uint32_t i = 0; i < ntok; i++) pos[i] = tk->tok[ord[i]].pos;
    for (uint32_t i = 0, j; i < ntok; i = j) {
        const vs_token *a = &tk->tok[ord[i]];
        for (j = i + 1; j < ntok; j++) {
            const vs_token *b = &tk->tok[ord[j]];
            if (b->len != a->len || memcmp(tk->text + a->off, tk->text + b->off, a->len)) break;
        }
        nuniq++;
        bytes += 5 + tx_entry_tail_len(t, pos + i, j - i) + a->len;
    }
    tx_prep *pr = vs_calloc(1, sizeof *pr + (size_t)nuniq * sizeof(tx_op));
    if (!pr) return VS_ERR_NOMEM;
    pr->bytes = vs_malloc(bytes);
    if (!pr->bytes) {
        vs_free(pr);
        return VS_ERR_NOMEM;
    }
    pr->doclen = ntok;
    size_t bo = 0;
    uint32_t nnew = 0;
    size_t newbytes = 0;
    uint32_t free_next = t->free_head, fresh = t->nslots;
    st = VS_OK;
    for (uint32_t i = 0, j; i < ntok && st == VS_OK; i = j) {
        const vs_token *a = &tk->tok[ord[i]];
        const uint8_t *w = (const uint8_t *)tk->text + a->off;
        for (j = i + 1; j < ntok; j++) {
            const vs_token *b = &tk->tok[ord[j]];
            if (b->len != a->len || memcmp(tk->text + a->off, tk->text + b->off, a->len)) break;
        }
        uint32_t tf = j - i;
        tx_op *op = &pr->ops[pr->nops++];
        op->tf = tf;
        /* The entry's tail (tf, positions) goes to bytes[bo + 5, ...):
         * room for an id delta before it. */
        uint8_t *tail = pr->bytes + bo + 5;
        uint32_t tlen = (uint32_t)(tx_entry_tail_put(t, tail, pos + i, tf) - tail);
        uint32_t h = tx_hash(w, a->len);
        uint32_t term = tx_find(t, w, a->len, h);
        if (term == TX_NONE) {
            op->kind = OP_NEW;
            if (free_next != TX_NONE) {
                op->term = free_next;
                free_next = t->terms[free_next].off;
            } else {
                op->term = fresh++;
            }
            op->hash = h;
            op->a = block_one(t, tlen, id, tail, tlen);
            if (!op->a) {
                st = VS_ERR_NOMEM;
                break;
            }
            /* The word replaces the tail in bytes. */
            op->boff = (uint32_t)bo;
            op->blen = (uint32_t)a->len;
            memcpy(pr->bytes + bo, w, a->len);
            bo += a->len;
            nnew++;
            newbytes += a->len;
            continue;
        }
        op->term = term;
        tx_term *tm = &t->terms[term];
        tx_block **bl = tx_blocks(tm);
        tx_block *last = bl[tm->nblocks - 1];
        if (id > last->last) {
            uint32_t d = id - last->last;
            uint32_t elen = (uint32_t)tx_vlen(d) + tlen;
            if ((size_t)last->len + elen <= TX_BLOCK_MAX) {
                if (last->cap < last->len + elen) { /* grow the block now */
                    uint32_t cap = last->cap * 2 > TX_BLOCK_MAX ? TX_BLOCK_MAX : last->cap * 2;
                    if (cap < last->len + elen) cap = last->len + elen;
                    tx_block *nb = vs_realloc(last, tx_block_size(cap));
                    if (!nb) {
                        st = VS_ERR_NOMEM;
                        break;
                    }
                    t->block_bytes += tx_block_size(cap) - tx_block_size(nb->cap);
                    nb->cap = cap;
                    bl[tm->nblocks - 1] = nb;
                }
                op->kind = OP_APPEND;
                uint8_t *q = tx_vput(pr->bytes + bo, d);
                memmove(q, tail, tlen);
                op->boff = (uint32_t)bo;
                op->blen = elen;
                bo += elen;
                continue;
            }
            op->kind = OP_NEWBLK;
            if (tx_post_reserve_block(t, tm) != VS_OK) {
                st = VS_ERR_NOMEM;
                break;
            }
            op->a = block_one(t, tlen + 32, id, tail, tlen);
            if (!op->a) {
                st = VS_ERR_NOMEM;
                break;
            }
            continue;
        }
        st = plan_cow(t, term, id, tail, tlen, op);
    }
    if (st == VS_OK) st = tx_dict_reserve(t, nnew, newbytes);
    if (st == VS_OK) {
        /* The record: the term ids, sorted. */
        uint32_t *ids = pos; /* positions are no longer needed */
        for (uint32_t k = 0; k < pr->nops; k++) ids[k] = pr->ops[k].term;
        sort_u32(ids, pr->nops);
        size_t n = tx_vlen(pr->nops);
        for (uint32_t k = 0; k < pr->nops; k++) n += tx_vlen(k ? ids[k] - ids[k - 1] : ids[0]);
        pr->rec = vs_malloc(n);
        if (!pr->rec) {
            st = VS_ERR_NOMEM;
        } else {
            uint8_t *q = tx_vput(pr->rec, pr->nops);
            for (uint32_t k = 0; k < pr->nops; k++) q = tx_vput(q, k ? ids[k] - ids[k - 1] : ids[0]);
            pr->rec_len = n;
        }
    }
    if (st != VS_OK) {
        drop_prep(t, pr, pr->nops);
        return st;
    }
    p->valid = 1;
    p->data = pr;
    return VS_OK;
}

/* ---- commit ------------------------------------------------------------------ */

static size_t rec_size(const uint8_t *rec) {
    uint32_t n, v;
    const uint8_t *p = tx_vget_fast(rec, &n);
    while (n--) p = tx_vget_fast(p, &v);
    return (size_t)(p - rec);
}

/* Remove document id from term `term` (in its list). */
static void unpost(vs_textidx *t, uint32_t term, uint32_t id) {
    tx_term *tm = &t->terms[term];
    uint32_t tf = tx_post_remove(t, tm, id);
    tm->ndocs--;
    t->total_postings--;
    if (t->offsets) t->total_positions -= tf;
    if (!tm->ndocs) {
        tx_post_free(t, tm);
        tx_term_drop(t, term);
    }
}

/* Remove document id from the terms of its record that `keep` (a record,
 * or NULL) does not list. */
static void unpost_record(vs_textidx *t, uint32_t id, const uint8_t *rec, const uint8_t *keep) {
    uint32_t n, term = 0, kn = 0, kterm = 0, ki = 0;
    const uint8_t *p = tx_vget_fast(rec, &n), *kp = NULL;
    if (keep) kp = tx_vget_fast(keep, &kn);
    int have_k = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t d;
        p = tx_vget_fast(p, &d);
        term = i ? term + d : d;
        while (keep && (!have_k || kterm < term) && ki < kn) {
            uint32_t kd;
            kp = tx_vget_fast(kp, &kd);
            kterm = ki ? kterm + kd : kd;
            ki++;
            have_k = 1;
        }
        if (have_k && kterm == term) continue;
        unpost(t, term, id);
    }
}

static void remove_doc(vs_textidx *t, uint32_t id) {
    if (id >= t->doc_cap || !t->docs[id].rec) return;
    tx_doc *d = &t->docs[id];
    unpost_record(t, id, d->rec, NULL);
    t->doc_bytes -= rec_size(d->rec);
    vs_free(d->rec);
    t->total_tokens -= d->len;
    d->rec = NULL;
    d->len = 0;
    t->ndocs--;
}

static void text_commit(vs_field_index *fi, uint32_t id, vs_fi_prep *p) {
    vs_textidx *t = T(fi);
    tx_prep *pr = p->data;
    p->data = NULL;
    if (!(p->action == VS_FI_SET && p->valid) || !pr) {
        remove_doc(t, id);
        drop_prep(t, pr, pr ? pr->nops : 0);
        return;
    }
    for (uint32_t i = 0; i < pr->nops; i++) {
        tx_op *op = &pr->ops[i];
        tx_term *tm;
        if (op->kind == OP_NEW) {
            uint32_t term = tx_term_add(t, pr->bytes + op->boff, op->blen, op->hash);
            (void)term; /* == op->term, as prepare predicted */
            tm = &t->terms[term];
            tm->blk = op->a;
            tm->nblocks = 1;
            block_live(t, op->a);
            op->a = NULL;
        } else {
            tm = &t->terms[op->term];
            tx_block **bl = tx_blocks(tm);
            if (op->kind == OP_APPEND) {
                tx_block *b = bl[tm->nblocks - 1];
                memcpy(b->data + b->len, pr->bytes + op->boff, op->blen);
                b->len += op->blen;
                b->n++;
                b->last = id;
            } else if (op->kind == OP_NEWBLK) {
                bl[tm->nblocks++] = op->a;
                block_live(t, op->a);
                op->a = NULL;
            } else { /* OP_COW */
                tx_block *old = bl[op->blk];
                bl[op->blk] = op->a;
                block_live(t, op->a);
                if (op->b) {
                    memmove(bl + op->blk + 2, bl + op->blk + 1, (size_t)(tm->nblocks - op->blk - 1) * sizeof *bl);
                    bl[op->blk + 1] = op->b;
                    tm->nblocks++;
                    block_live(t, op->b);
                }
                tx_block_free(t, old);
                op->a = op->b = NULL;
            }
        }
        if (!op->oldtf) {
            tm->ndocs++;
            t->total_postings++;
        }
        if (t->offsets) t->total_positions += (uint64_t)op->tf - op->oldtf;
    }
    tx_doc *d = &t->docs[id];
    if (d->rec) { /* the old value's terms the new one does not have */
        unpost_record(t, id, d->rec, pr->rec);
        t->doc_bytes -= rec_size(d->rec);
        vs_free(d->rec);
        t->total_tokens -= d->len;
    } else {
        t->ndocs++;
    }
    d->rec = pr->rec;
    d->len = pr->doclen;
    t->doc_bytes += pr->rec_len;
    t->total_tokens += pr->doclen;
    pr->rec = NULL;
    drop_prep(t, pr, pr->nops);
}

static void text_abort(vs_field_index *fi, vs_fi_prep *p) {
    tx_prep *pr = p->data;
    drop_prep(T(fi), pr, pr ? pr->nops : 0);
    p->data = NULL;
}

/* ---- whole-index ops --------------------------------------------------------- */

static void text_clear(vs_field_index *fi) {
    vs_textidx *t = T(fi);
    for (uint32_t i = 0; i < t->nslots; i++)
        if (t->terms[i].ndocs) tx_post_free(t, &t->terms[i]);
    tx_dict_free(t);
    for (uint32_t i = 0; i < t->doc_cap; i++) {
        vs_free(t->docs[i].rec);
        t->docs[i].rec = NULL;
        t->docs[i].len = 0;
    }
    t->ndocs = 0;
    t->total_tokens = t->total_postings = t->total_positions = 0;
    t->block_bytes = t->doc_bytes = 0;
    t->nblocks_total = 0;
}

static void text_destroy(vs_field_index *fi) {
    vs_textidx *t = T(fi);
    text_clear(fi);
    vs_free(t->docs);
    vs_tokens_release(&t->toks);
    vs_free(t->order);
    vs_free(t->ent);
    vs_bitvec_free(&t->base.present);
    vs_bitvec_free(&t->base.failed);
    vs_free(t);
}

static size_t text_memory(const vs_field_index *fi) {
    const vs_textidx *t = CT(fi);
    return sizeof *t + tx_dict_memory(t) + (size_t)t->doc_cap * sizeof(tx_doc) + t->block_bytes + t->doc_bytes +
           t->toks.cap * sizeof(vs_token) + t->toks.text_cap + t->order_cap * sizeof(uint32_t) +
           t->ent_cap * sizeof(tx_ent);
}

static void text_info(const vs_field_index *fi, vs_reply *r) {
    const vs_textidx *t = CT(fi);
    char buf[64];
    vs_reply_simple(r, "WITH_SUFFIX_TRIE");
    vs_reply_simple(r, t->suffix ? "1" : "0");
    vs_reply_simple(r, "NO_STEM");
    vs_reply_simple(r, t->stem ? "0" : "1");
    vs_reply_simple(r, "WEIGHT");
    snprintf(buf, sizeof buf, "%g", t->base.def->text.weight);
    vs_reply_simple(r, buf);
}

/* Give back the scratch a large document left. */
static void text_compact(vs_field_index *fi, uint32_t id_bound) {
    (void)id_bound;
    vs_textidx *t = T(fi);
    if (t->order_cap > 4096) {
        vs_free(t->order);
        t->order = NULL;
        t->order_cap = 0;
    }
    if (t->toks.cap > 4096 || t->toks.text_cap > 65536) vs_tokens_release(&t->toks);
}

static uint32_t text_count(const vs_field_index *fi) { return CT(fi)->ndocs; }

static int text_has(const vs_field_index *fi, uint32_t id) {
    const vs_textidx *t = CT(fi);
    return id < t->doc_cap && t->docs[id].rec != NULL;
}

/* ---- what queries read ------------------------------------------------------- */

const uint8_t *vs_text_term_word(const vs_field_index *fi, uint32_t term, size_t *n) {
    const vs_textidx *t = CT(fi);
    if (term >= t->nslots || !t->terms[term].ndocs) {
        *n = 0;
        return NULL;
    }
    *n = t->terms[term].len;
    return tx_word(t, term);
}

uint32_t vs_text_term_docs(const vs_field_index *fi, uint32_t term) {
    const vs_textidx *t = CT(fi);
    return term < t->nslots ? t->terms[term].ndocs : 0;
}

uint32_t vs_text_doc_len(const vs_field_index *fi, uint32_t id) {
    const vs_textidx *t = CT(fi);
    return id < t->doc_cap ? t->docs[id].len : 0;
}

void vs_text_stats_get(const vs_field_index *fi, vs_text_stats *s) {
    const vs_textidx *t = CT(fi);
    s->total_tokens = t->total_tokens;
    s->total_postings = t->total_postings;
    s->total_positions = t->total_positions;
    s->nterms = t->nterms;
    s->nstems = t->stem ? t->nstems : 0;
    s->blocks = t->nblocks_total;
    s->offsets = t->offsets;
    s->suffix = t->suffix;
    s->stem = t->stem;
}

extern const vs_fi_ops vs_text_ops;

const vs_fi_ops vs_text_ops = {
    .reserve_id = text_reserve_id,
    .prepare = text_prepare,
    .commit = text_commit,
    .abort = text_abort,
    .clear = text_clear,
    .destroy = text_destroy,
    .memory = text_memory,
    .info = text_info,
    .info_len = 6,
    .type_name = "TEXT",
    .compact = text_compact,
    .snap_save = vs_text_snap_save,
    .snap_load = vs_text_snap_load,
    .snap_finish = vs_text_snap_finish,
    .count = text_count,
    .has = text_has,
};

vs_field_index *vs_textidx_new(const vs_fielddef *def) {
    vs_textidx *t = vs_calloc(1, sizeof *t);
    if (!t) return NULL;
    t->base.ops = &vs_text_ops;
    t->base.def = def;
    t->opt = def->text.idx;
    t->stem = !def->text.nostem;
    t->suffix = def->text.suffix;
    t->offsets = t->opt->offsets;
    t->min_stem = t->opt->min_stem;
    t->free_head = TX_NONE;
    t->rev.rev = 1;
    return &t->base;
}
