/* text_snap.c - the TEXT index's snapshot section (docs/snapshot-format.md),
 * after the reader's (index, field) positions:
 *
 *   flags u32 (1 offsets, 2 suffix, 4 stemming), nterms u32, word_bytes u64;
 *   nterms x term: wlen u8, ndocs u32, nblocks u32, word[wlen],
 *                  nblocks x block: first u32, n u32, len u32, data[len]
 *
 * Terms go in term-id order, live ones only (so ids are renumbered 0, 1,
 * ...); a block's data is its entries exactly as held in memory.  Nothing
 * else is saved: the word hash, the sorted orders, the stem chains, each
 * document's term list and length (the sum of its tf) are rebuilt from
 * the postings by snap_finish, which first checks every block (varints
 * within their bytes, n entries, ids ascending across the list and below
 * the key-id bound, tf >= 1, positions ascending) and that no word is
 * there twice.  A load never tokenizes.
 *
 * Every count and length is checked against the section's bytes left
 * before anything is allocated for it; the index being loaded stays
 * destroyable throughout (a term counts only the blocks it has). */
#include <string.h>

#include "base/alloc.h"
#include "base/idtable.h"
#include "base/le.h"
#include "index/text_int.h"

enum { HEAD_LEN = 16, TERM_LEN = 9, BLOCK_LEN = 12 };
enum { S_HEAD = 1, S_TERM, S_WORD, S_BHEAD, S_BDATA };
enum { F_OFFSETS = 1, F_SUFFIX = 2, F_STEM = 4 };

static uint32_t flags_of(const vs_textidx *t) {
    return (t->offsets ? F_OFFSETS : 0) | (t->suffix ? F_SUFFIX : 0) | (t->stem ? F_STEM : 0);
}

/* The save walk keeps its block index in the scratch's tail (pieces use
 * its first 16 bytes). */
#define WALK_B(c) ((c)->scratch + 48)

/* The next live term slot at or after i. */
static uint32_t next_live(const vs_textidx *t, uint32_t i) {
    while (i < t->nslots && !t->terms[i].ndocs) i++;
    return i;
}

int vs_text_snap_save(const vs_field_index *fi, vs_fi_save *c, const uint8_t **p, size_t *n) {
    const vs_textidx *t = (const vs_textidx *)fi;
    uint8_t *s = c->scratch;
    for (;;) {
        switch (c->step) {
        case 0:
            vs_le_put32(s, flags_of(t));
            vs_le_put32(s + 4, t->nterms);
            vs_le_put64(s + 8, (uint64_t)(t->arena_len - t->arena_garbage));
            c->step = S_TERM;
            c->i = next_live(t, 0);
            *p = s;
            *n = HEAD_LEN;
            return 1;
        case S_TERM: {
            if (c->i >= t->nslots) return 0;
            const tx_term *tm = &t->terms[c->i];
            s[0] = tm->len;
            vs_le_put32(s + 1, tm->ndocs);
            vs_le_put32(s + 5, tm->nblocks);
            c->step = S_WORD;
            *p = s;
            *n = TERM_LEN;
            return 1;
        }
        case S_WORD:
            vs_le_put32(WALK_B(c), 0);
            c->step = S_BHEAD;
            *p = tx_word(t, c->i);
            *n = t->terms[c->i].len;
            return 1;
        case S_BHEAD: {
            const tx_term *tm = &t->terms[c->i];
            uint32_t b = vs_le_get32(WALK_B(c));
            if (b >= tm->nblocks) {
                c->i = next_live(t, c->i + 1);
                c->step = S_TERM;
                continue;
            }
            const tx_block *blk = tx_cblocks(tm)[b];
            vs_le_put32(s, blk->first);
            vs_le_put32(s + 4, blk->n);
            vs_le_put32(s + 8, blk->len);
            c->step = S_BDATA;
            *p = s;
            *n = BLOCK_LEN;
            return 1;
        }
        case S_BDATA: {
            const tx_term *tm = &t->terms[c->i];
            uint32_t b = vs_le_get32(WALK_B(c));
            const tx_block *blk = tx_cblocks(tm)[b];
            vs_le_put32(WALK_B(c), b + 1);
            c->step = S_BHEAD;
            if (!blk->len) continue;
            *p = blk->data;
            *n = blk->len;
            return 1;
        }
        default: return 0;
        }
    }
}

vs_status vs_text_snap_load(vs_field_index *fi, vs_fi_load *ld) {
    vs_textidx *t = (vs_textidx *)fi;
    switch (ld->step) {
    case 0: return vs_fi_stage(ld, S_HEAD, HEAD_LEN);
    case S_HEAD: {
        uint32_t flags = vs_le_get32(ld->in), nterms = vs_le_get32(ld->in + 4);
        uint64_t wbytes = vs_le_get64(ld->in + 8);
        if (flags != flags_of(t)) return vs_fi_damaged(ld, "a TEXT section does not match an index");
        /* Each term takes at least its header, one word byte, one block
         * header and one entry byte. */
        if ((uint64_t)nterms * (TERM_LEN + 1 + BLOCK_LEN + 1) > ld->left || wbytes > ld->left ||
            wbytes < nterms || wbytes > (uint64_t)nterms * VS_TEXT_MAX_WORD)
            return vs_fi_damaged(ld, "impossible TEXT term count");
        if (t->nslots || t->nterms) return vs_fi_damaged(ld, "a TEXT section does not match an index");
        if (nterms) {
            t->terms = vs_calloc(nterms, sizeof *t->terms);
            t->arena = vs_malloc((size_t)wbytes);
            if (!t->terms || !t->arena) return VS_ERR_NOMEM;
            t->term_cap = nterms;
            t->arena_cap = (size_t)wbytes;
        }
        t->load_terms = nterms;
        ld->i = 0;
        if (!nterms) return vs_fi_done(ld);
        return vs_fi_stage(ld, S_TERM, TERM_LEN);
    }
    case S_TERM: {
        uint32_t wlen = ld->in[0], ndocs = vs_le_get32(ld->in + 1), nblocks = vs_le_get32(ld->in + 5);
        if (wlen == 0 || wlen > VS_TEXT_MAX_WORD || t->arena_len + wlen > t->arena_cap)
            return vs_fi_damaged(ld, "impossible TEXT word length");
        if (ndocs == 0 || nblocks == 0 || nblocks > ndocs || (uint64_t)nblocks * (BLOCK_LEN + 1) > ld->left)
            return vs_fi_damaged(ld, "impossible TEXT posting count");
        tx_term *tm = &t->terms[ld->i];
        memset(tm, 0, sizeof *tm);
        tm->off = (uint32_t)t->arena_len;
        tm->len = (uint8_t)wlen;
        tm->stem_next = TX_NONE;
        t->nslots = ld->i + 1;
        if (nblocks > 1) {
            tm->blk = vs_calloc(nblocks, sizeof(tx_block *));
            if (!tm->blk) return VS_ERR_NOMEM;
            tm->bcap = nblocks;
            t->block_bytes += (size_t)nblocks * sizeof(tx_block *);
        }
        tm->ndocs = ndocs; /* checked against the blocks by snap_finish */
        t->load_nblocks = nblocks;
        return vs_fi_read_into(ld, S_WORD, t->arena + t->arena_len, wlen);
    }
    case S_WORD: {
        tx_term *tm = &t->terms[ld->i];
        t->arena_len += tm->len;
        tm->hash = tx_hash(t->arena + tm->off, tm->len);
        return vs_fi_stage(ld, S_BHEAD, BLOCK_LEN);
    }
    case S_BHEAD: {
        uint32_t first = vs_le_get32(ld->in), n = vs_le_get32(ld->in + 4), len = vs_le_get32(ld->in + 8);
        if (n == 0 || len < n || len > ld->left) return vs_fi_damaged(ld, "impossible TEXT block");
        tx_block *b = vs_malloc(tx_block_size(len));
        if (!b) return VS_ERR_NOMEM;
        b->first = b->last = first;
        b->n = n;
        b->len = b->cap = len;
        tx_term *tm = &t->terms[ld->i];
        tx_blocks(tm)[tm->nblocks++] = b;
        t->block_bytes += tx_block_size(len);
        t->nblocks_total++;
        return vs_fi_read_into(ld, S_BDATA, b->data, len);
    }
    case S_BDATA: {
        tx_term *tm = &t->terms[ld->i];
        if (tm->nblocks < t->load_nblocks) return vs_fi_stage(ld, S_BHEAD, BLOCK_LEN);
        ld->i++;
        t->nterms = ld->i;
        if (ld->i < t->load_terms) return vs_fi_stage(ld, S_TERM, TERM_LEN);
        if (t->arena_len != t->arena_cap) return vs_fi_damaged(ld, "impossible TEXT word length");
        return vs_fi_done(ld);
    }
    }
    return vs_fi_damaged(ld, "the TEXT section reader lost its place");
}

/* Check one term's blocks; add its tf to the documents' lengths and count
 * its postings per document (cnt). */
static const char *check_term(vs_textidx *t, tx_term *tm, uint32_t key_bound, uint32_t *cnt) {
    tx_block **bl = tx_blocks(tm);
    uint64_t docs = 0;
    int64_t prev = -1;
    for (uint32_t b = 0; b < tm->nblocks; b++) {
        tx_block *blk = bl[b];
        const uint8_t *p = blk->data, *end = blk->data + blk->len;
        uint32_t id = blk->first;
        for (uint32_t k = 0; k < blk->n; k++) {
            uint32_t d = 0, tf;
            if (k) {
                p = tx_vget(p, end, &d);
                if (!p || d == 0 || (uint64_t)id + d >= key_bound) return "a TEXT posting list is damaged";
                id += d;
            }
            if ((int64_t)id <= prev || id >= key_bound) return "a TEXT posting list is damaged";
            p = tx_vget(p, end, &tf);
            if (!p || tf == 0) return "a TEXT posting list is damaged";
            if (t->offsets) {
                uint64_t pos = 0;
                for (uint32_t j = 0; j < tf; j++) {
                    uint32_t pd;
                    p = tx_vget(p, end, &pd);
                    if (!p || (j && pd == 0) || (pos += pd) > UINT32_MAX) return "a TEXT posting list is damaged";
                }
                t->total_positions += tf;
            }
            if ((uint64_t)t->docs[id].len + tf > UINT32_MAX) return "a TEXT posting list is damaged";
            t->docs[id].len += tf;
            cnt[id]++;
            prev = id;
        }
        if (p != end) return "a TEXT posting list is damaged";
        blk->last = (uint32_t)prev;
        docs += blk->n;
    }
    if (docs != tm->ndocs) return "a TEXT posting list is damaged";
    t->total_postings += docs;
    return NULL;
}

vs_status vs_text_snap_finish(vs_field_index *fi, uint32_t key_bound, const char **why) {
    vs_textidx *t = (vs_textidx *)fi;
    *why = "a TEXT posting list is damaged";
    if (t->nterms != t->load_terms) return VS_ERR_CORRUPT;
    if (t->nterms == 0) return VS_OK;
    if (key_bound == 0) return VS_ERR_CORRUPT;
    if (fi->ops->reserve_id(fi, key_bound - 1) != VS_OK) return VS_ERR_NOMEM;
    uint32_t *cnt = vs_calloc(key_bound, sizeof *cnt);
    if (!cnt) return VS_ERR_NOMEM;
    vs_status st = VS_OK;
    for (uint32_t i = 0; i < t->nterms && st == VS_OK; i++) {
        const char *bad = check_term(t, &t->terms[i], key_bound, cnt);
        if (bad) {
            *why = bad;
            st = VS_ERR_CORRUPT;
        }
    }
    /* Documents' term lists: term ids ascending, since terms go in order. */
    uint32_t *fill = NULL;
    uint32_t *ids = NULL;
    if (st == VS_OK) {
        fill = vs_calloc((size_t)key_bound + 1, sizeof *fill);
        ids = vs_malloc((size_t)(t->total_postings ? t->total_postings : 1) * sizeof *ids);
        if (!fill || !ids) st = VS_ERR_NOMEM;
    }
    if (st == VS_OK) {
        for (uint32_t id = 0; id < key_bound; id++) fill[id + 1] = fill[id] + cnt[id];
        memcpy(cnt, fill, (size_t)key_bound * sizeof *cnt); /* cnt: next slot of each document */
        for (uint32_t term = 0; term < t->nterms; term++) {
            vs_text_iter it;
            vs_text_iter_init(fi, term, &it);
            while (vs_text_iter_next(&it)) ids[cnt[it.id]++] = term;
        }
        for (uint32_t id = 0; id < key_bound && st == VS_OK; id++) {
            uint32_t a = fill[id], b = fill[id + 1];
            if (a == b) continue;
            size_t n = tx_vlen(b - a);
            for (uint32_t k = a; k < b; k++) n += tx_vlen(k > a ? ids[k] - ids[k - 1] : ids[k]);
            uint8_t *rec = vs_malloc(n);
            if (!rec) {
                st = VS_ERR_NOMEM;
                break;
            }
            uint8_t *q = tx_vput(rec, b - a);
            for (uint32_t k = a; k < b; k++) q = tx_vput(q, k > a ? ids[k] - ids[k - 1] : ids[k]);
            t->docs[id].rec = rec;
            t->doc_bytes += n;
            t->total_tokens += t->docs[id].len;
            t->ndocs++;
        }
    }
    vs_free(cnt);
    vs_free(fill);
    vs_free(ids);
    if (st == VS_OK) {
        st = tx_dict_rebuild(t);
        if (st == VS_ERR_CORRUPT) *why = "a TEXT word is there twice";
    }
    return st;
}
