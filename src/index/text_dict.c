/* text_dict.c - the TEXT index's term dictionary (text_int.h): word ->
 * term id, the sorted orders (by word, by reversed word), the stem chains,
 * the word arena, and the term walks of vs_text_terms (exact, stem,
 * prefix, suffix, fuzzy).
 *
 * Every structure is grown by tx_dict_reserve (prepare) before commit adds
 * terms, so adding and dropping never allocate.  The fuzzy walk computes
 * the optimal-string-alignment (Damerau-Levenshtein) distance bytewise,
 * as valkey-search's fuzzy search does, one DP row per byte of the current
 * word, reusing the rows of the prefix it shares with the previous word in
 * sorted order and skipping every word below a prefix whose row is already
 * past the distance. */
#include <string.h>

#include "base/alloc.h"
#include "base/util.h"
#include "index/stem_en.h"
#include "index/text_int.h"

#define TX_HASH_SEED 0x7e5f1c2du
#define TX_STEM_SEED 0x51ab7e03u

uint32_t tx_hash(const uint8_t *w, size_t n) { return vs_hash_bytes(w, n, TX_HASH_SEED); }

size_t tx_stem(const vs_textidx *t, const uint8_t *w, size_t n, uint8_t *out) {
    return vs_stem_en((const char *)w, n, t->min_stem, (char *)out);
}

/* ---- word -> term id --------------------------------------------------- */

uint32_t tx_find(const vs_textidx *t, const uint8_t *w, size_t n, uint32_t h) {
    if (!t->hcap) return TX_NONE;
    uint32_t mask = t->hcap - 1;
    for (uint32_t i = h & mask;; i = (i + 1) & mask) {
        uint32_t id = t->htab[i];
        if (id == TX_NONE) return TX_NONE;
        const tx_term *tm = &t->terms[id];
        if (tm->hash == h && tm->len == n && memcmp(t->arena + tm->off, w, n) == 0) return id;
    }
}

static void htab_put(uint32_t *tab, uint32_t cap, uint32_t h, uint32_t id) {
    uint32_t mask = cap - 1, i = h & mask;
    while (tab[i] != TX_NONE) i = (i + 1) & mask;
    tab[i] = id;
}

/* Backward-shift deletion of slot i in a linear-probing table whose
 * entries' home is home(tab[j]). */
#define TABLE_DELETE(tab, aux, cap, i0, HOME)                                   \
    do {                                                                        \
        uint32_t mask_ = (cap) - 1, i_ = (i0), j_ = (i0);                       \
        for (;;) {                                                              \
            j_ = (j_ + 1) & mask_;                                              \
            if ((tab)[j_] == TX_NONE) break;                                    \
            uint32_t k_ = (HOME(j_)) & mask_;                                   \
            int move_ = i_ <= j_ ? (k_ <= i_ || k_ > j_) : (k_ <= i_ && k_ > j_); \
            if (move_) {                                                        \
                (tab)[i_] = (tab)[j_];                                          \
                if (aux) (aux)[i_] = (aux)[j_];                                 \
                i_ = j_;                                                        \
            }                                                                   \
        }                                                                       \
        (tab)[i_] = TX_NONE;                                                    \
    } while (0)

static void htab_del(vs_textidx *t, uint32_t term) {
    uint32_t mask = t->hcap - 1, i = t->terms[term].hash & mask;
    while (t->htab[i] != term) i = (i + 1) & mask;
    uint32_t *none = NULL;
#define HHOME(j) (t->terms[t->htab[j]].hash)
    TABLE_DELETE(t->htab, none, t->hcap, i, HHOME);
#undef HHOME
}

static vs_status htab_reserve(vs_textidx *t, uint32_t count) {
    if ((uint64_t)count * 2 <= t->hcap) return VS_OK;
    uint64_t cap = t->hcap ? t->hcap : 64;
    while (cap < (uint64_t)count * 2) cap *= 2;
    if (cap > (1u << 31)) return VS_ERR_NOMEM;
    uint32_t *tab = vs_malloc(cap * sizeof *tab);
    if (!tab) return VS_ERR_NOMEM;
    memset(tab, 0xFF, cap * sizeof *tab);
    for (uint32_t id = 0; id < t->nslots; id++)
        if (t->terms[id].ndocs) htab_put(tab, (uint32_t)cap, t->terms[id].hash, id);
    vs_free(t->htab);
    t->htab = tab;
    t->hcap = (uint32_t)cap;
    return VS_OK;
}

/* ---- stems ---------------------------------------------------------------- */

/* The stem slot of stem s (sn bytes, hash sh), or TX_NONE. */
static uint32_t stem_slot(const vs_textidx *t, const uint8_t *s, size_t sn, uint32_t sh) {
    if (!t->scap) return TX_NONE;
    uint32_t mask = t->scap - 1;
    uint8_t buf[VS_TEXT_MAX_WORD];
    for (uint32_t i = sh & mask;; i = (i + 1) & mask) {
        uint32_t head = t->stab[i];
        if (head == TX_NONE) return TX_NONE;
        if (t->shash[i] != sh) continue;
        const tx_term *tm = &t->terms[head];
        size_t bn = tx_stem(t, t->arena + tm->off, tm->len, buf);
        if (bn == sn && memcmp(buf, s, sn) == 0) return i;
    }
}

static vs_status stab_reserve(vs_textidx *t, uint32_t count) {
    if ((uint64_t)count * 2 <= t->scap) return VS_OK;
    uint64_t cap = t->scap ? t->scap : 64;
    while (cap < (uint64_t)count * 2) cap *= 2;
    if (cap > (1u << 31)) return VS_ERR_NOMEM;
    uint32_t *tab = vs_malloc(cap * sizeof *tab), *hs = vs_malloc(cap * sizeof *hs);
    if (!tab || !hs) {
        vs_free(tab);
        vs_free(hs);
        return VS_ERR_NOMEM;
    }
    memset(tab, 0xFF, cap * sizeof *tab);
    uint32_t mask = (uint32_t)cap - 1;
    for (uint32_t i = 0; i < t->scap; i++) {
        if (t->stab[i] == TX_NONE) continue;
        uint32_t j = t->shash[i] & mask;
        while (tab[j] != TX_NONE) j = (j + 1) & mask;
        tab[j] = t->stab[i];
        hs[j] = t->shash[i];
    }
    vs_free(t->stab);
    vs_free(t->shash);
    t->stab = tab;
    t->shash = hs;
    t->scap = (uint32_t)cap;
    return VS_OK;
}

/* The stem-table slot of term's stem (TX_NONE if the stem has none yet);
 * *sh gets the stem's hash. */
static uint32_t stem_slot_of(const vs_textidx *t, uint32_t term, uint32_t *sh) {
    const tx_term *tm = &t->terms[term];
    uint8_t s[VS_TEXT_MAX_WORD];
    size_t sn = tx_stem(t, t->arena + tm->off, tm->len, s);
    *sh = vs_hash_bytes(s, sn, TX_STEM_SEED);
    return stem_slot(t, s, sn, *sh);
}

static void stem_add(vs_textidx *t, uint32_t term) {
    tx_term *tm = &t->terms[term];
    uint32_t sh;
    uint32_t slot = stem_slot_of(t, term, &sh);
    if (slot != TX_NONE) {
        tm->stem_next = t->stab[slot];
        t->stab[slot] = term;
        return;
    }
    uint32_t mask = t->scap - 1, i = sh & mask;
    while (t->stab[i] != TX_NONE) i = (i + 1) & mask;
    t->stab[i] = term;
    t->shash[i] = sh;
    tm->stem_next = TX_NONE;
    t->nstems++;
}

static void stem_del(vs_textidx *t, uint32_t term) {
    tx_term *tm = &t->terms[term];
    uint32_t sh;
    uint32_t slot = stem_slot_of(t, term, &sh);
    if (slot == TX_NONE) return; /* cannot happen: every live term is chained */
    if (t->stab[slot] == term) {
        if (tm->stem_next != TX_NONE) {
            t->stab[slot] = tm->stem_next;
        } else {
#define SHOME(j) (t->shash[j])
            TABLE_DELETE(t->stab, t->shash, t->scap, slot, SHOME);
#undef SHOME
            t->nstems--;
        }
        return;
    }
    for (uint32_t x = t->stab[slot]; x != TX_NONE; x = t->terms[x].stem_next)
        if (t->terms[x].stem_next == term) {
            t->terms[x].stem_next = tm->stem_next;
            return;
        }
}

/* ---- sorted orders ------------------------------------------------------- */

static int cmp_fwd(const uint8_t *a, size_t an, const uint8_t *b, size_t bn) {
    int r = memcmp(a, b, an < bn ? an : bn);
    if (r) return r;
    return an < bn ? -1 : an > bn;
}

static int cmp_rev(const uint8_t *a, size_t an, const uint8_t *b, size_t bn) {
    size_t m = an < bn ? an : bn;
    for (size_t i = 1; i <= m; i++)
        if (a[an - i] != b[bn - i]) return a[an - i] < b[bn - i] ? -1 : 1;
    return an < bn ? -1 : an > bn;
}

static int cmp_term(const vs_textidx *t, int rev, uint32_t term, const uint8_t *w, size_t n) {
    const tx_term *tm = &t->terms[term];
    return rev ? cmp_rev(t->arena + tm->off, tm->len, w, n) : cmp_fwd(t->arena + tm->off, tm->len, w, n);
}

/* First index of a[0, n) whose word is >= w. */
static uint32_t lower_bound(const vs_textidx *t, int rev, const uint32_t *a, uint32_t n, const uint8_t *w, size_t wn) {
    uint32_t lo = 0, hi = n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (cmp_term(t, rev, a[mid], w, wn) < 0) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

static vs_status sorted_reserve(vs_textidx *t, tx_sorted *s, uint32_t nnew) {
    if (s->ndelta + nnew <= s->dcap) return VS_OK;
    uint32_t target = TX_DELTA_MIN;
    while ((uint64_t)target * target < (uint64_t)s->nbig * 4) target *= 2;
    if (s->ndelta > 0 && s->ndelta + nnew > target) {
        /* Merge the small array into the large one. */
        uint64_t total = (uint64_t)s->nbig + s->ndelta;
        uint32_t *big = vs_malloc(total * sizeof *big);
        if (!big) return VS_ERR_NOMEM;
        uint32_t i = 0, j = 0, k = 0;
        while (i < s->nbig && j < s->ndelta) {
            const tx_term *b = &t->terms[s->delta[j]];
            if (cmp_term(t, s->rev, s->big[i], t->arena + b->off, b->len) < 0) big[k++] = s->big[i++];
            else big[k++] = s->delta[j++];
        }
        while (i < s->nbig) big[k++] = s->big[i++];
        while (j < s->ndelta) big[k++] = s->delta[j++];
        vs_free(s->big);
        s->big = big;
        s->nbig = s->bigcap = (uint32_t)total;
        s->ndelta = 0;
    }
    uint32_t need = s->ndelta + nnew > target ? s->ndelta + nnew : target;
    if (need > s->dcap) {
        uint32_t *d = vs_realloc(s->delta, (size_t)need * sizeof *d);
        if (!d) return VS_ERR_NOMEM;
        s->delta = d;
        s->dcap = need;
    }
    return VS_OK;
}

static void sorted_add(vs_textidx *t, tx_sorted *s, uint32_t term) {
    const tx_term *tm = &t->terms[term];
    uint32_t at = lower_bound(t, s->rev, s->delta, s->ndelta, t->arena + tm->off, tm->len);
    memmove(s->delta + at + 1, s->delta + at, (size_t)(s->ndelta - at) * sizeof *s->delta);
    s->delta[at] = term;
    s->ndelta++;
}

static void sorted_del(vs_textidx *t, tx_sorted *s, uint32_t term) {
    const tx_term *tm = &t->terms[term];
    const uint8_t *w = t->arena + tm->off;
    uint32_t at = lower_bound(t, s->rev, s->delta, s->ndelta, w, tm->len);
    if (at < s->ndelta && s->delta[at] == term) {
        memmove(s->delta + at, s->delta + at + 1, (size_t)(s->ndelta - at - 1) * sizeof *s->delta);
        s->ndelta--;
        return;
    }
    at = lower_bound(t, s->rev, s->big, s->nbig, w, tm->len);
    if (at < s->nbig && s->big[at] == term) {
        memmove(s->big + at, s->big + at + 1, (size_t)(s->nbig - at - 1) * sizeof *s->big);
        s->nbig--;
    }
}

static void sorted_free(tx_sorted *s) {
    vs_free(s->big);
    vs_free(s->delta);
    int rev = s->rev;
    memset(s, 0, sizeof *s);
    s->rev = rev;
}

/* ---- the dictionary ----------------------------------------------------- */

/* Rewrite the arena without the dropped words' bytes, with room for
 * `extra` more. */
static vs_status arena_compact(vs_textidx *t, size_t extra) {
    size_t live = t->arena_len - t->arena_garbage, cap = live + extra + live / 2 + 64;
    uint8_t *a = vs_malloc(cap);
    if (!a) return VS_ERR_NOMEM;
    size_t o = 0;
    for (uint32_t id = 0; id < t->nslots; id++) {
        tx_term *tm = &t->terms[id];
        if (!tm->ndocs) continue;
        memcpy(a + o, t->arena + tm->off, tm->len);
        tm->off = (uint32_t)o;
        o += tm->len;
    }
    vs_free(t->arena);
    t->arena = a;
    t->arena_len = o;
    t->arena_cap = cap;
    t->arena_garbage = 0;
    return VS_OK;
}

vs_status tx_dict_reserve(vs_textidx *t, uint32_t nnew, size_t bytes) {
    if (nnew == 0) return VS_OK;
    uint32_t fresh = nnew > t->nfree ? nnew - t->nfree : 0;
    if ((uint64_t)t->nslots + fresh >= TX_NONE) return VS_ERR_NOMEM;
    if (t->nslots + fresh > t->term_cap) {
        uint64_t cap = t->term_cap ? t->term_cap : 256;
        while (cap < (uint64_t)t->nslots + fresh) cap *= 2;
        if (cap >= TX_NONE) cap = TX_NONE - 1;
        tx_term *a = vs_realloc(t->terms, cap * sizeof *a);
        if (!a) return VS_ERR_NOMEM;
        t->terms = a;
        t->term_cap = (uint32_t)cap;
    }
    if (t->arena_garbage > 4096 && t->arena_garbage > t->arena_len / 2) {
        if (arena_compact(t, bytes) != VS_OK) return VS_ERR_NOMEM;
    }
    if (t->arena_len + bytes > t->arena_cap) {
        size_t cap = t->arena_cap ? t->arena_cap : 4096;
        while (cap < t->arena_len + bytes) cap *= 2;
        if (cap > UINT32_MAX) return VS_ERR_NOMEM;
        uint8_t *a = vs_realloc(t->arena, cap);
        if (!a) return VS_ERR_NOMEM;
        t->arena = a;
        t->arena_cap = cap;
    }
    if (htab_reserve(t, t->nterms + nnew) != VS_OK) return VS_ERR_NOMEM;
    if (sorted_reserve(t, &t->fwd, nnew) != VS_OK) return VS_ERR_NOMEM;
    if (t->suffix && sorted_reserve(t, &t->rev, nnew) != VS_OK) return VS_ERR_NOMEM;
    if (t->stem && stab_reserve(t, t->nstems + nnew) != VS_OK) return VS_ERR_NOMEM;
    return VS_OK;
}

uint32_t tx_term_add(vs_textidx *t, const uint8_t *w, size_t n, uint32_t h) {
    uint32_t id;
    if (t->free_head != TX_NONE) {
        id = t->free_head;
        t->free_head = t->terms[id].off;
        t->nfree--;
    } else {
        id = t->nslots++;
    }
    tx_term *tm = &t->terms[id];
    memset(tm, 0, sizeof *tm);
    tm->off = (uint32_t)t->arena_len;
    tm->len = (uint8_t)n;
    tm->hash = h;
    tm->stem_next = TX_NONE;
    memcpy(t->arena + t->arena_len, w, n);
    t->arena_len += n;
    t->nterms++;
    htab_put(t->htab, t->hcap, h, id);
    sorted_add(t, &t->fwd, id);
    if (t->suffix) sorted_add(t, &t->rev, id);
    if (t->stem) stem_add(t, id);
    return id;
}

void tx_term_drop(vs_textidx *t, uint32_t term) {
    tx_term *tm = &t->terms[term];
    htab_del(t, term);
    sorted_del(t, &t->fwd, term);
    if (t->suffix) sorted_del(t, &t->rev, term);
    if (t->stem) stem_del(t, term);
    t->arena_garbage += tm->len;
    tm->ndocs = 0;
    tm->blk = NULL;
    tm->nblocks = tm->bcap = 0;
    tm->off = t->free_head;
    t->free_head = term;
    t->nfree++;
    t->nterms--;
}

void tx_dict_free(vs_textidx *t) {
    vs_free(t->terms);
    vs_free(t->arena);
    vs_free(t->htab);
    vs_free(t->stab);
    vs_free(t->shash);
    sorted_free(&t->fwd);
    sorted_free(&t->rev);
    t->terms = NULL;
    t->arena = NULL;
    t->htab = t->stab = t->shash = NULL;
    t->nslots = t->term_cap = t->nfree = t->nterms = 0;
    t->free_head = TX_NONE;
    t->arena_len = t->arena_cap = t->arena_garbage = 0;
    t->hcap = t->scap = t->nstems = 0;
}

size_t tx_dict_memory(const vs_textidx *t) {
    return (size_t)t->term_cap * sizeof(tx_term) + t->arena_cap + (size_t)t->hcap * 4 + (size_t)t->scap * 8 +
           ((size_t)t->fwd.bigcap + t->fwd.dcap + t->rev.bigcap + t->rev.dcap) * 4;
}

vs_status tx_dict_rebuild(vs_textidx *t) {
    /* Sorted orders: every live term into `big`, sorted. */
    uint32_t n = t->nterms;
    vs_status st = htab_reserve(t, n ? n : 1);
    if (st == VS_OK && t->stem) st = stab_reserve(t, n ? n : 1);
    if (st != VS_OK) return st;
    memset(t->htab, 0xFF, (size_t)t->hcap * sizeof *t->htab); /* refilled below, checking for repeats */
    tx_sorted *ss[2] = {&t->fwd, t->suffix ? &t->rev : NULL};
    for (int k = 0; k < 2; k++) {
        if (!ss[k]) continue;
        /* Start with the terms in the small array (sized n), then merge. */
        tx_sorted *s = ss[k];
        if (sorted_reserve(t, s, n) != VS_OK) return VS_ERR_NOMEM;
    }
    for (uint32_t id = 0; id < t->nslots; id++) {
        const tx_term *tm = &t->terms[id];
        if (!tm->ndocs) continue;
        if (tx_find(t, t->arena + tm->off, tm->len, tm->hash) != TX_NONE) return VS_ERR_CORRUPT;
        htab_put(t->htab, t->hcap, tm->hash, id);
        if (t->stem) stem_add(t, id);
    }
    for (int k = 0; k < 2; k++) {
        tx_sorted *s = ss[k];
        if (!s) continue;
        /* Fill the small array in id order, then sort it by insertion
         * through a merge sort over the ids. */
        uint32_t m = 0;
        for (uint32_t id = 0; id < t->nslots; id++)
            if (t->terms[id].ndocs) s->delta[m++] = id;
        uint32_t *tmp = vs_malloc((size_t)(m ? m : 1) * sizeof *tmp);
        if (!tmp) return VS_ERR_NOMEM;
        for (uint32_t width = 1; width < m; width *= 2) {
            for (uint32_t lo = 0; lo < m; lo += 2 * width) {
                uint32_t mid = lo + width < m ? lo + width : m, hi = lo + 2 * width < m ? lo + 2 * width : m;
                uint32_t i = lo, j = mid, o = lo;
                while (i < mid && j < hi) {
                    const tx_term *b = &t->terms[s->delta[j]];
                    if (cmp_term(t, s->rev, s->delta[i], t->arena + b->off, b->len) <= 0) tmp[o++] = s->delta[i++];
                    else tmp[o++] = s->delta[j++];
                }
                while (i < mid) tmp[o++] = s->delta[i++];
                while (j < hi) tmp[o++] = s->delta[j++];
            }
            memcpy(s->delta, tmp, (size_t)m * sizeof *tmp);
        }
        vs_free(tmp);
        /* All of it becomes the large array. */
        vs_free(s->big);
        s->big = s->delta;
        s->nbig = m;
        s->bigcap = s->dcap;
        s->delta = NULL;
        s->ndelta = s->dcap = 0;
    }
    return VS_OK;
}

/* ---- walks ------------------------------------------------------------------ */

/* Every term of a[0, n) starting (rev: ending) with w. */
static int walk_affix(const vs_textidx *t, int rev, const uint32_t *a, uint32_t n, const uint8_t *w, size_t wn,
                      vs_text_term_fn fn, void *ctx) {
    for (uint32_t i = lower_bound(t, rev, a, n, w, wn); i < n; i++) {
        const tx_term *tm = &t->terms[a[i]];
        const uint8_t *x = t->arena + tm->off;
        if (tm->len < wn) break;
        if (rev ? memcmp(x + tm->len - wn, w, wn) != 0 : memcmp(x, w, wn) != 0) break;
        if (fn(ctx, a[i])) return 1;
    }
    return 0;
}

/* The fuzzy walk over one sorted array: rows[d] is the DP row of the
 * current word's first d bytes against the pattern p (m bytes). */
static int walk_fuzzy(const vs_textidx *t, const uint32_t *a, uint32_t n, const uint8_t *p, size_t m, uint32_t dist,
                      vs_text_term_fn fn, void *ctx) {
    static const size_t W = VS_TEXT_MAX_WORD + 1;
    uint8_t rows[(VS_TEXT_MAX_WORD + 1) * (VS_TEXT_MAX_WORD + 1)];
    for (size_t j = 0; j <= m; j++) rows[j] = (uint8_t)j;
    const uint8_t *prev = NULL; /* the previous word, valid rows up to `valid` */
    size_t valid = 0;
    uint32_t i = 0;
    while (i < n) {
        const tx_term *tm = &t->terms[a[i]];
        const uint8_t *x = t->arena + tm->off;
        size_t len = tm->len, d = 0;
        if (prev)
            while (d < valid && d < len && prev[d] == x[d]) d++;
        size_t pruned = 0; /* depth whose row is past dist (0: none) */
        for (; d < len; d++) {
            uint8_t *cur = rows + (d + 1) * W, *up = rows + d * W, *up2 = d ? rows + (d - 1) * W : NULL;
            uint8_t c = x[d], lo = (uint8_t)(d + 1);
            cur[0] = (uint8_t)(d + 1);
            for (size_t j = 1; j <= m; j++) {
                uint8_t cost = p[j - 1] != c;
                uint8_t v = (uint8_t)(up[j - 1] + cost);
                if (up[j] + 1 < v) v = (uint8_t)(up[j] + 1);
                if (cur[j - 1] + 1 < v) v = (uint8_t)(cur[j - 1] + 1);
                if (up2 && j > 1 && c == p[j - 2] && x[d - 1] == p[j - 1] && up2[j - 2] + 1 < v)
                    v = (uint8_t)(up2[j - 2] + 1);
                cur[j] = v;
                if (v < lo) lo = v;
            }
            if (lo > dist) {
                pruned = d + 1;
                break;
            }
        }
        if (pruned) {
            /* Skip every word starting with x[0, pruned). */
            prev = x;
            valid = pruned - 1;
            uint32_t hi = n;
            uint32_t lo_i = i + 1;
            while (lo_i < hi) {
                uint32_t mid = lo_i + (hi - lo_i) / 2;
                const tx_term *mt = &t->terms[a[mid]];
                if (mt->len >= pruned && memcmp(t->arena + mt->off, x, pruned) == 0) lo_i = mid + 1;
                else hi = mid;
            }
            i = lo_i;
            continue;
        }
        if (rows[len * W + m] <= dist && fn(ctx, a[i])) return 1;
        prev = x;
        valid = len;
        i++;
    }
    return 0;
}

vs_status vs_text_terms(const vs_field_index *fi, vs_text_match how, const uint8_t *w, size_t n, uint32_t dist,
                        vs_text_term_fn fn, void *ctx, vs_err *err) {
    const vs_textidx *t = (const vs_textidx *)fi;
    if (how == VS_TM_SUFFIX && !t->suffix) return vs_err_set(err, VS_ERR, "Field does not support suffix search");
    if (t->nterms == 0) return VS_OK;
    switch (how) {
    case VS_TM_EXACT: {
        if (n > VS_TEXT_MAX_WORD) return VS_OK;
        uint32_t id = tx_find(t, w, n, tx_hash(w, n));
        if (id != TX_NONE) fn(ctx, id);
        return VS_OK;
    }
    case VS_TM_STEM: {
        if (n > VS_TEXT_MAX_WORD) return VS_OK;
        if (!t->stem) return vs_text_terms(fi, VS_TM_EXACT, w, n, dist, fn, ctx, err);
        uint8_t s[VS_TEXT_MAX_WORD];
        size_t sn = tx_stem(t, w, n, s);
        uint32_t slot = stem_slot(t, s, sn, vs_hash_bytes(s, sn, TX_STEM_SEED));
        if (slot == TX_NONE) return VS_OK;
        for (uint32_t x = t->stab[slot]; x != TX_NONE; x = t->terms[x].stem_next)
            if (fn(ctx, x)) break;
        return VS_OK;
    }
    case VS_TM_PREFIX:
    case VS_TM_SUFFIX: {
        int rev = how == VS_TM_SUFFIX;
        const tx_sorted *s = rev ? &t->rev : &t->fwd;
        if (!walk_affix(t, rev, s->big, s->nbig, w, n, fn, ctx)) walk_affix(t, rev, s->delta, s->ndelta, w, n, fn, ctx);
        return VS_OK;
    }
    case VS_TM_FUZZY: {
        if (n > VS_TEXT_MAX_WORD) return VS_OK;
        if (dist > VS_TEXT_MAX_FUZZY) dist = VS_TEXT_MAX_FUZZY;
        if (!walk_fuzzy(t, t->fwd.big, t->fwd.nbig, w, n, dist, fn, ctx))
            walk_fuzzy(t, t->fwd.delta, t->fwd.ndelta, w, n, dist, fn, ctx);
        return VS_OK;
    }
    }
    return VS_OK;
}
