/* text_int.h - the TEXT index's own structures, shared by its files:
 * text.c (the field-index ops: prepare, commit, removal, memory, info),
 * text_dict.c (the term dictionary: words, hash, sorted orders, stems, and
 * the term walks), text_post.c (posting blocks and their iterator) and
 * text_snap.c (the snapshot section).  Nothing outside src/index/text*.c
 * includes it.
 *
 * Terms.  A term id indexes `terms`; a free slot has ndocs == 0 and chains
 * the free ids through `off`.  Each word's bytes are stored once, in
 * `arena` (dropped words leave garbage, compacted by prepare when it
 * passes half the arena).  Word -> term id is an open-addressing table
 * (linear probing, backward-shift deletion, load <= 1/2) of term ids, each
 * term keeping its word's hash.  The sorted orders (by word, and by
 * reversed word with WITHSUFFIXTRIE) are a large sorted array plus a small
 * sorted one that new terms enter (merged into the large one by prepare
 * when full), so that a new term costs a short memmove.  Stems: a second
 * table maps a stem (by its hash; the stem itself recomputed from the
 * head word on a hash match) to the head of a chain of the terms with that
 * stem (`stem_next`).
 *
 * Postings.  A term's posting list is a run of blocks ordered by key id,
 * each one allocation: a header (first and last key ids, entries, bytes)
 * and its entries: the id delta from the previous entry (absent for the
 * first: it is `first`), tf, then (WITHOFFSETS) tf positions, the first
 * absolute and the rest as deltas, all LEB128 varints.  A block takes
 * appends while it is under TX_BLOCK_MAX bytes (a single entry may be
 * larger); an insert inside a list rebuilds its one block (split in two
 * when it grows past the limit).  A term with one block points at it
 * directly; with more, at an array of block pointers.
 *
 * Documents.  Per key id: its length in tokens (doc_len) and the sorted
 * term ids it holds, delta-varint encoded in one allocation (docs), which
 * is what removing it reads.
 *
 * Invariants (besides text.h's): every live term is in the hash, both
 * sorted orders (the reversed one when suffix) and, when stemming, in
 * exactly one stem chain; ndocs = entries across its blocks; blocks are
 * non-empty, each block's ids ascending and above the previous block's
 * last; a document's record lists exactly the terms whose lists hold it.
 */
#ifndef VS_TEXT_INT_H
#define VS_TEXT_INT_H

#include <stddef.h>
#include <stdint.h>

#include "index/text.h"
#include "index/tokenize.h"

#define TX_NONE UINT32_MAX
#define TX_BLOCK_MAX 256  /* bytes of entries a block grows to before a new one */
#define TX_DELTA_MIN 1024 /* the small sorted array's least capacity */

typedef struct tx_block {
    uint32_t first; /* key id of entry 0 */
    uint32_t last;  /* key id of the last entry */
    uint32_t n;     /* entries */
    uint32_t len;   /* bytes of entries */
    uint32_t cap;   /* bytes allocated for entries */
    uint8_t data[];
} tx_block;

typedef struct tx_term {
    void *blk;          /* bcap == 0: the one tx_block (or NULL); else tx_block *[bcap] */
    uint32_t ndocs;     /* documents (0: a free slot) */
    uint32_t off;       /* word offset in the arena (free slot: next free id) */
    uint32_t hash;      /* the word's hash */
    uint32_t stem_next; /* next term of the same stem, or TX_NONE */
    uint32_t nblocks;
    uint32_t bcap;      /* block array capacity (0: no array, blk is the block) */
    uint8_t len;        /* word length in bytes (1..VS_TEXT_MAX_WORD) */
} tx_term;

/* A document: its term ids (varint count, then ascending ids as deltas),
 * or NULL when the field does not hold it; its length in tokens. */
typedef struct tx_doc {
    uint8_t *rec;
    uint32_t len;
} tx_doc;

/* An entry of a block being rebuilt (prepare): key id and the bytes after
 * its id delta (tf and positions). */
typedef struct tx_ent {
    uint32_t id;
    uint32_t tlen;
    const uint8_t *tail;
} tx_ent;

/* A sorted order of the live term ids: big and delta each sorted. */
typedef struct tx_sorted {
    uint32_t *big, nbig, bigcap;
    uint32_t *delta, ndelta, dcap;
    int rev; /* by reversed word */
} tx_sorted;

typedef struct vs_textidx {
    vs_field_index base;
    const vs_schema_text *opt;
    int stem, suffix, offsets;
    uint32_t min_stem;
    /* terms */
    tx_term *terms;
    uint32_t nslots;  /* term ids in use or free (< term_cap) */
    uint32_t term_cap;
    uint32_t free_head; /* first free id, TX_NONE */
    uint32_t nfree;
    uint32_t nterms;  /* live terms */
    uint8_t *arena;
    size_t arena_len, arena_cap, arena_garbage;
    uint32_t *htab;   /* word -> term id */
    uint32_t hcap;    /* power of two, or 0 */
    tx_sorted fwd, rev;
    uint32_t *stab;   /* stem -> head term id */
    uint32_t *shash;  /* the stem hash of each slot */
    uint32_t scap, nstems;
    /* documents */
    tx_doc *docs;     /* per key id */
    uint32_t doc_cap;
    uint32_t ndocs;
    /* totals */
    uint64_t total_tokens, total_postings, total_positions;
    size_t block_bytes; /* block headers + capacities, block arrays */
    size_t doc_bytes;   /* document records */
    uint64_t nblocks_total;
    /* prepare's scratch (reused) */
    vs_tokens toks;
    uint32_t *order;  /* token indices, then their positions */
    size_t order_cap;
    tx_ent *ent;
    size_t ent_cap;
} vs_textidx;

/* ---- varints ---- */
static inline size_t tx_vlen(uint32_t v) {
    size_t n = 1;
    while (v >= 0x80) v >>= 7, n++;
    return n;
}
static inline uint8_t *tx_vput(uint8_t *p, uint32_t v) {
    while (v >= 0x80) {
        *p++ = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    *p++ = (uint8_t)v;
    return p;
}
/* Decode a varint at p (below end); NULL when it runs past end or is
 * longer than 5 bytes / above 32 bits. */
static inline const uint8_t *tx_vget(const uint8_t *p, const uint8_t *end, uint32_t *v) {
    uint32_t r = 0;
    for (int s = 0; s < 35 && p < end; s += 7) {
        uint8_t b = *p++;
        if (s == 28 && b > 0x0F) return NULL;
        r |= (uint32_t)(b & 0x7F) << s;
        if (!(b & 0x80)) {
            *v = r;
            return p;
        }
    }
    return NULL;
}
/* The same for trusted bytes (validated when loaded, written here). */
static inline const uint8_t *tx_vget_fast(const uint8_t *p, uint32_t *v) {
    uint32_t r = 0;
    int s = 0;
    uint8_t b;
    do {
        b = *p++;
        r |= (uint32_t)(b & 0x7F) << s;
        s += 7;
    } while (b & 0x80);
    *v = r;
    return p;
}
/* Skip k varints. */
static inline const uint8_t *tx_vskip(const uint8_t *p, uint32_t k) {
    while (k--) while (*p++ & 0x80) {}
    return p;
}

static inline const uint8_t *tx_word(const vs_textidx *t, uint32_t term) { return t->arena + t->terms[term].off; }
/* A term's blocks: the array when bcap > 0, else the one block. */
static inline tx_block **tx_blocks(tx_term *tm) { return tm->bcap ? (tx_block **)tm->blk : (tx_block **)&tm->blk; }
static inline tx_block *const *tx_cblocks(const tx_term *tm) {
    return tm->bcap ? (tx_block *const *)tm->blk : (tx_block *const *)&tm->blk;
}
static inline size_t tx_block_size(uint32_t cap) { return sizeof(tx_block) + cap; }

/* ---- text_dict.c ---- */
uint32_t tx_hash(const uint8_t *w, size_t n);
/* The term id of word w, or TX_NONE. */
uint32_t tx_find(const vs_textidx *t, const uint8_t *w, size_t n, uint32_t h);
/* Room (prepare, no semantic change) for `nnew` new terms of `bytes`
 * word bytes in total: term slots, arena, hash, sorted orders, stems. */
vs_status tx_dict_reserve(vs_textidx *t, uint32_t nnew, size_t bytes);
/* Commit: add word w (not present) as a new term, with no postings yet;
 * its id is the free list's head, else nslots (as prepare predicts). */
uint32_t tx_term_add(vs_textidx *t, const uint8_t *w, size_t n, uint32_t h);
/* Commit: drop a term whose posting list is empty. */
void tx_term_drop(vs_textidx *t, uint32_t term);
/* Forget every term (FLUSHALL) and release the dictionary's memory. */
void tx_dict_free(vs_textidx *t);
size_t tx_dict_memory(const vs_textidx *t);
/* Rebuild hash, sorted orders and stem chains from the term slots (load). */
vs_status tx_dict_rebuild(vs_textidx *t);
/* The stem of w (n bytes) into out (room for n bytes); returns its length. */
size_t tx_stem(const vs_textidx *t, const uint8_t *w, size_t n, uint8_t *out);

/* ---- text_post.c ---- */
/* One entry's bytes after the id delta: tf, then positions. */
size_t tx_entry_tail_len(const vs_textidx *t, const uint32_t *pos, uint32_t tf);
uint8_t *tx_entry_tail_put(const vs_textidx *t, uint8_t *p, const uint32_t *pos, uint32_t tf);
void tx_block_free(vs_textidx *t, tx_block *b);
/* Free a term's blocks. */
void tx_post_free(vs_textidx *t, tx_term *tm);
/* Remove key id from a term's list (it is there); never allocates.
 * Returns the entry's tf. */
uint32_t tx_post_remove(vs_textidx *t, tx_term *tm, uint32_t id);
/* Index of the block holding (or that would hold) id: the last block
 * whose first id is <= id, or 0. */
uint32_t tx_post_find_block(const tx_term *tm, uint32_t id);
/* Make a term's block array hold one more block (prepare). */
vs_status tx_post_reserve_block(vs_textidx *t, tx_term *tm);

#endif
