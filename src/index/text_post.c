/* text_post.c - the TEXT index's posting blocks (text_int.h): entry
 * encoding, in-place removal, and the posting iterator of text.h.
 *
 * Removing an entry never grows its block: the next entry's id delta
 * becomes the sum of two deltas, whose varint is never longer than the
 * two it replaces. */
#include <string.h>

#include "base/alloc.h"
#include "index/text_int.h"

size_t tx_entry_tail_len(const vs_textidx *t, const uint32_t *pos, uint32_t tf) {
    size_t n = tx_vlen(tf);
    if (t->offsets) {
        uint32_t prev = 0;
        for (uint32_t i = 0; i < tf; i++) {
            n += tx_vlen(pos[i] - prev);
            prev = pos[i];
        }
    }
    return n;
}

uint8_t *tx_entry_tail_put(const vs_textidx *t, uint8_t *p, const uint32_t *pos, uint32_t tf) {
    p = tx_vput(p, tf);
    if (t->offsets) {
        uint32_t prev = 0;
        for (uint32_t i = 0; i < tf; i++) {
            p = tx_vput(p, pos[i] - prev);
            prev = pos[i];
        }
    }
    return p;
}

void tx_block_free(vs_textidx *t, tx_block *b) {
    if (!b) return;
    t->block_bytes -= tx_block_size(b->cap);
    t->nblocks_total--;
    vs_free(b);
}

void tx_post_free(vs_textidx *t, tx_term *tm) {
    tx_block **bl = tx_blocks(tm);
    for (uint32_t i = 0; i < tm->nblocks; i++) tx_block_free(t, bl[i]);
    if (tm->bcap) {
        t->block_bytes -= (size_t)tm->bcap * sizeof(tx_block *);
        vs_free(tm->blk);
    }
    tm->blk = NULL;
    tm->nblocks = tm->bcap = 0;
}

uint32_t tx_post_find_block(const tx_term *tm, uint32_t id) {
    tx_block *const *bl = tx_cblocks(tm);
    uint32_t lo = 0, hi = tm->nblocks; /* first block whose first > id */
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (bl[mid]->first <= id) lo = mid + 1;
        else hi = mid;
    }
    return lo ? lo - 1 : 0;
}

vs_status tx_post_reserve_block(vs_textidx *t, tx_term *tm) {
    if (tm->bcap && tm->nblocks < tm->bcap) return VS_OK;
    uint64_t cap = tm->bcap ? (uint64_t)tm->bcap * 2 : 4;
    if (cap > UINT32_MAX / 2) return VS_ERR_NOMEM;
    tx_block **a;
    if (tm->bcap) {
        a = vs_realloc(tm->blk, cap * sizeof *a);
        if (!a) return VS_ERR_NOMEM;
    } else {
        a = vs_malloc(cap * sizeof *a);
        if (!a) return VS_ERR_NOMEM;
        if (tm->nblocks) a[0] = tm->blk;
    }
    t->block_bytes += (cap - tm->bcap) * sizeof *a;
    tm->blk = a;
    tm->bcap = (uint32_t)cap;
    return VS_OK;
}

/* Drop block i of a term (it is empty). */
static void drop_block(vs_textidx *t, tx_term *tm, uint32_t i) {
    tx_block **bl = tx_blocks(tm);
    tx_block_free(t, bl[i]);
    memmove(bl + i, bl + i + 1, (size_t)(tm->nblocks - i - 1) * sizeof *bl);
    tm->nblocks--;
    if (tm->bcap && tm->nblocks <= 1) { /* back to the single pointer */
        tx_block *one = tm->nblocks ? bl[0] : NULL;
        t->block_bytes -= (size_t)tm->bcap * sizeof *bl;
        vs_free(tm->blk);
        tm->blk = one;
        tm->bcap = 0;
    }
}

uint32_t tx_post_remove(vs_textidx *t, tx_term *tm, uint32_t id) {
    uint32_t bi = tx_post_find_block(tm, id);
    tx_block *b = tx_blocks(tm)[bi];
    uint8_t *p = b->data, *end = b->data + b->len;
    uint32_t cur = b->first, prev_id = 0, tf = 0;
    for (uint32_t k = 0; k < b->n; k++) {
        uint8_t *start = p; /* the entry, its delta included */
        uint32_t d = 0;
        if (k) {
            p = (uint8_t *)tx_vget_fast(p, &d);
            cur += d;
        }
        p = (uint8_t *)tx_vget_fast(p, &tf);
        if (t->offsets) p = (uint8_t *)tx_vskip(p, tf);
        if (cur != id) {
            prev_id = cur;
            continue;
        }
        /* Entry k spans [start, p). */
        if (b->n == 1) {
            drop_block(t, tm, bi);
            return tf;
        }
        if (p == end) { /* the last entry */
            b->len = (uint32_t)(start - b->data);
            b->last = prev_id;
        } else {
            uint32_t nd;
            uint8_t *after = (uint8_t *)tx_vget_fast(p, &nd);
            uint8_t buf[5], *q = buf;
            if (k == 0) {
                b->first = id + nd; /* the next entry becomes the first: no delta */
            } else {
                q = tx_vput(buf, d + nd);
            }
            size_t ql = (size_t)(q - buf);
            memcpy(start, buf, ql);
            memmove(start + ql, after, (size_t)(end - after));
            b->len -= (uint32_t)((after - start) - (ptrdiff_t)ql);
        }
        b->n--;
        return tf;
    }
    return 0; /* not there: the caller's records say it is */
}

/* ---- the iterator --------------------------------------------------------- */

/* it->started: bit 0 started, bit 1 positions kept. */
#define IT_STARTED 1
#define IT_OFFSETS 2

void vs_text_iter_init(const vs_field_index *fi, uint32_t term, vs_text_iter *it) {
    const vs_textidx *t = (const vs_textidx *)fi;
    memset(it, 0, sizeof *it);
    it->started = t->offsets ? IT_OFFSETS : 0;
    if (term >= t->nslots || !t->terms[term].ndocs) return;
    const tx_term *tm = &t->terms[term];
    it->list = tx_cblocks(tm);
    it->nblocks = tm->nblocks;
}

static tx_block *it_block(const vs_text_iter *it) { return ((tx_block *const *)it->list)[it->block]; }

static void enter_block(vs_text_iter *it, uint32_t b) {
    it->block = b;
    const tx_block *blk = it_block(it);
    it->p = blk->data;
    it->end = blk->data + blk->len;
}

/* Decode the entry at it->p (there is one). */
static void load_entry(vs_text_iter *it) {
    const tx_block *blk = it_block(it);
    const uint8_t *p = it->p;
    if (p == blk->data) {
        it->id = blk->first;
    } else {
        uint32_t d;
        p = tx_vget_fast(p, &d);
        it->id += d;
    }
    p = tx_vget_fast(p, &it->tf);
    it->pos = p;
    if (it->started & IT_OFFSETS) p = tx_vskip(p, it->tf);
    it->pos_len = (uint32_t)(p - it->pos);
    it->p = p;
}

int vs_text_iter_next(vs_text_iter *it) {
    if (!(it->started & IT_STARTED)) {
        it->started |= IT_STARTED;
        if (!it->nblocks) return 0;
        enter_block(it, 0);
    } else if (it->p == it->end) {
        if (it->block + 1 >= it->nblocks) {
            it->nblocks = 0; /* stays at the end */
            return 0;
        }
        enter_block(it, it->block + 1);
    }
    if (!it->nblocks) return 0;
    load_entry(it);
    return 1;
}

int vs_text_iter_seek(vs_text_iter *it, uint32_t target) {
    if ((it->started & IT_STARTED) && it->nblocks && it->id >= target) return 1;
    if (!it->nblocks) {
        it->started |= IT_STARTED;
        return 0;
    }
    tx_block *const *bl = it->list;
    uint32_t from = (it->started & IT_STARTED) ? it->block + 1 : 0;
    if (from < it->nblocks && bl[from]->first <= target) {
        /* The last block whose first id is <= target. */
        uint32_t lo = from, hi = it->nblocks;
        while (lo < hi) {
            uint32_t mid = lo + (hi - lo) / 2;
            if (bl[mid]->first <= target) lo = mid + 1;
            else hi = mid;
        }
        it->started |= IT_STARTED;
        enter_block(it, lo - 1);
        load_entry(it);
    } else if (!(it->started & IT_STARTED)) {
        it->started |= IT_STARTED;
        enter_block(it, 0);
        load_entry(it);
    }
    while (it->id < target)
        if (!vs_text_iter_next(it)) return 0;
    return 1;
}

uint32_t vs_text_iter_positions(const vs_text_iter *it, uint32_t *out, uint32_t cap) {
    if (!(it->started & IT_OFFSETS) || !it->nblocks) return 0;
    const uint8_t *p = it->pos;
    uint32_t v = 0;
    for (uint32_t i = 0; i < it->tf; i++) {
        uint32_t d;
        p = tx_vget_fast(p, &d);
        v += d;
        if (i < cap) out[i] = v;
    }
    return it->tf;
}
