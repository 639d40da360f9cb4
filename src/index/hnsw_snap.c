/* hnsw_snap.c - the HNSW index's snapshot section (vs_fi_ops.snap_*, see
 * field_index.h; the file format: docs/snapshot-format.md).
 *
 * After the reader's (index, field) positions, the section holds:
 *   the header (HNSW_HEADER below);
 *   levels u8[count];
 *   the layer-0 arena: count records, as they are in memory (hnsw.h);
 *   for each element with level > 0, in element order, its upper links
 *   u32[level * (M + 1)];
 *   the free list u32[nfree];
 *   the deleted elements' vectors, nfree x (dim x element size) bytes in
 *   free-list order (their own copies: the live elements' vectors are
 *   their keys' values, held once, and rebound to them after loading,
 *   vs_fi_ops.rebind).
 * A legacy section (ld->legacy, from before vectors were held once) has
 * the FLOAT32 vectors inside the layer-0 records ([count | ids[M0] |
 * f32[dim] | key]) and nothing after the free list: its arena is read
 * whole into scratch, then split into records and the deleted elements'
 * copies (COSINE ones as stored, normalised).
 * Saving copies those spans from the live index; loading reads them
 * straight into the index's arrays (vs_hnsw_load_reserve, _upper) after
 * checking each size against what the section holds, and
 * vs_hnsw_load_finish validates the graph once the section checked out.
 */
#include "index/hnsw.h"

#include <string.h>

#include "base/alloc.h"
#include "base/le.h"

/* The header, described once: its fields in file order, each named as
 * the vs_hnsw member it saves and with its width in bits (little-endian).
 * On load, dim and M must match the field, count and capacity size the
 * arrays, and entry, max_level, rng and nfree are taken as they are for
 * vs_hnsw_load_finish to check. */
#define HNSW_HEADER(X) \
    X(dim, 32) X(M, 32) X(count, 32) X(capacity, 32) X(entry, 32) X(max_level, 32) X(rng, 64) X(nfree, 32)

typedef struct header {
#define FIELD(name, bits) uint##bits##_t name;
    HNSW_HEADER(FIELD)
#undef FIELD
} header;

#define SIZE(name, bits) +(bits) / 8
enum { HEADER_LEN = 0 HNSW_HEADER(SIZE) };
#undef SIZE
_Static_assert(HEADER_LEN <= VS_FI_STAGE && HEADER_LEN <= sizeof(((vs_fi_save *)0)->scratch), "header fits");

/* The saved value of a header field (dim is the vector space's). */
#define HVAL(h, name) HVAL_##name(h)
#define HVAL_dim(h) (h)->sp.dim
#define HVAL_M(h) (h)->M
#define HVAL_count(h) (h)->count
#define HVAL_capacity(h) (h)->capacity
#define HVAL_entry(h) (h)->entry
#define HVAL_max_level(h) (h)->max_level
#define HVAL_rng(h) (h)->rng
#define HVAL_nfree(h) (h)->nfree

static void header_put(uint8_t *p, const vs_hnsw *h) {
#define PUT(name, bits) vs_le_put##bits(p, (uint##bits##_t)HVAL(h, name)), p += (bits) / 8;
    HNSW_HEADER(PUT)
#undef PUT
}

static header header_get(const uint8_t *p) {
    header hd;
#define GET(name, bits) hd.name = vs_le_get##bits(p), p += (bits) / 8;
    HNSW_HEADER(GET)
#undef GET
    return hd;
}

enum { S_HEAD = 1, S_LEVELS, S_UPPER, S_FREE, S_TOMB };

static size_t upper_bytes(const vs_hnsw *h, uint32_t e) { return (size_t)h->levels[e] * (h->M + 1) * sizeof(uint32_t); }

/* A legacy record's size and its vector's offset. */
static size_t legacy_size(const vs_hnsw *h) { return h->off_key + (size_t)h->sp.dim * sizeof(float) + sizeof(uint32_t); }

int vs_hnsw_snap_save(const vs_field_index *fi, vs_fi_save *w, const uint8_t **p, size_t *n) {
    const vs_hnsw *h = (const vs_hnsw *)fi;
    switch (w->step) {
    case 0:
        header_put(w->scratch, h);
        w->step = S_HEAD;
        *p = w->scratch;
        *n = HEADER_LEN;
        return 1;
    case S_HEAD:
        w->step = S_LEVELS;
        *p = h->levels;
        *n = h->count;
        return 1;
    case S_LEVELS:
        w->step = S_UPPER;
        w->i = 0;
        *p = h->arena;
        *n = (size_t)h->count * h->elem_size;
        return 1;
    case S_UPPER: /* the upper layers of the elements that have them */
        while (w->i < h->count && h->levels[w->i] == 0) w->i++;
        if (w->i < h->count) {
            *p = (const uint8_t *)h->upper[w->i];
            *n = upper_bytes(h, w->i);
            w->i++;
            return 1;
        }
        w->step = S_FREE;
        *p = (const uint8_t *)h->free_list;
        *n = (size_t)h->nfree * sizeof(uint32_t);
        return 1;
    case S_FREE:
        w->step = S_TOMB;
        w->i = 0;
        /* fall through */
    case S_TOMB:
        if (w->i >= h->nfree) return 0;
        *p = h->vecs[h->free_list[w->i++]].v;
        *n = h->sp.bytes;
        return 1;
    }
    return 0;
}

/* Legacy: split the scratch arena into records and the deleted elements'
 * copies. */
static vs_status legacy_split(vs_hnsw *h, vs_fi_load *ld) {
    size_t ls = legacy_size(h);
    for (uint32_t e = 0; e < h->count; e++) {
        const uint8_t *r = h->legacy + (size_t)e * ls;
        memcpy(h->arena + (size_t)e * h->elem_size, r, h->off_key);
        memcpy(h->arena + (size_t)e * h->elem_size + h->off_key, r + ls - sizeof(uint32_t), sizeof(uint32_t));
    }
    for (uint32_t i = 0; i < h->nfree; i++) {
        uint32_t e = h->free_list[i];
        uint8_t *dst;
        vs_status st = vs_hnsw_load_tomb(h, e, &dst);
        if (st == VS_ERR_CORRUPT) return vs_fi_damaged(ld, "an HNSW free list is inconsistent");
        if (st != VS_OK) return st;
        memcpy(dst, h->legacy + (size_t)e * ls + h->off_key, h->sp.bytes);
        vs_hnsw_load_tomb_norm(h, e);
    }
    vs_free(h->legacy);
    h->legacy = NULL;
    return vs_fi_done(ld);
}

vs_status vs_hnsw_snap_load(vs_field_index *fi, vs_fi_load *ld) {
    vs_hnsw *h = (vs_hnsw *)fi;
    switch (ld->step) {
    case 0: return vs_fi_stage(ld, S_HEAD, HEADER_LEN);
    case S_HEAD: {
        header hd = header_get(ld->in);
        if (hd.dim != h->sp.dim || (ld->legacy && h->sp.type != VS_VEC_FLOAT32))
            return vs_fi_damaged(ld, "an HNSW section does not match an index");
        if (hd.M != h->M) return vs_fi_damaged(ld, "an HNSW section does not match its index's M");
        size_t rec = ld->legacy ? legacy_size(h) : h->elem_size;
        if ((uint64_t)hd.count * rec > ld->left || hd.nfree > hd.count)
            return vs_fi_damaged(ld, "impossible HNSW element count");
        uint64_t cap_max = (uint64_t)(hd.count > h->initial_cap ? hd.count : h->initial_cap) * 2;
        if (hd.capacity < hd.count || hd.capacity > cap_max) return vs_fi_damaged(ld, "impossible HNSW capacity");
        vs_status st = vs_hnsw_load_reserve(h, hd.count, hd.capacity);
        if (st != VS_OK) return st;
        h->entry = hd.entry;
        h->max_level = (int)hd.max_level;
        h->rng = hd.rng;
        h->nfree = hd.nfree;
        return vs_fi_read_into(ld, S_LEVELS, h->levels, h->count);
    }
    case S_LEVELS: {
        uint64_t upper = 0;
        for (uint32_t e = 0; e < h->count; e++) {
            if (h->levels[e] > VS_HNSW_MAX_LEVEL) return vs_fi_damaged(ld, "an HNSW level is out of range");
            upper += upper_bytes(h, e);
        }
        size_t rec = ld->legacy ? legacy_size(h) : h->elem_size;
        uint64_t tombs = ld->legacy ? 0 : (uint64_t)h->nfree * h->sp.bytes;
        if ((uint64_t)h->count * rec + upper + (uint64_t)h->nfree * sizeof(uint32_t) + tombs != ld->left)
            return vs_fi_damaged(ld, "an HNSW section has the wrong size");
        ld->i = 0;
        if (ld->legacy) {
            h->legacy = vs_malloc(h->count ? (size_t)h->count * rec : 1);
            if (!h->legacy) return VS_ERR_NOMEM;
            return vs_fi_read_into(ld, S_UPPER, h->legacy, (size_t)h->count * rec);
        }
        return vs_fi_read_into(ld, S_UPPER, h->arena, (size_t)h->count * h->elem_size);
    }
    case S_UPPER: {
        while (ld->i < h->count && h->levels[ld->i] == 0) ld->i++;
        if (ld->i >= h->count) {
            ld->i = 0;
            return vs_fi_read_into(ld, S_FREE, h->free_list, (size_t)h->nfree * sizeof(uint32_t));
        }
        uint32_t e = ld->i++;
        vs_status st = vs_hnsw_load_upper(h, e);
        if (st != VS_OK) return st;
        return vs_fi_read_into(ld, S_UPPER, h->upper[e], upper_bytes(h, e));
    }
    case S_FREE:
    case S_TOMB: {
        if (ld->legacy) return legacy_split(h, ld);
        if (ld->step == S_TOMB) vs_hnsw_load_tomb_norm(h, h->free_list[ld->i - 1]);
        if (ld->i >= h->nfree) return vs_fi_done(ld);
        uint32_t e = h->free_list[ld->i++];
        uint8_t *dst;
        vs_status st = vs_hnsw_load_tomb(h, e, &dst);
        if (st == VS_ERR_CORRUPT) return vs_fi_damaged(ld, "an HNSW free list is inconsistent");
        if (st != VS_OK) return st;
        return vs_fi_read_into(ld, S_TOMB, dst, h->sp.bytes);
    }
    }
    return vs_fi_damaged(ld, "the HNSW section reader lost its place");
}

vs_status vs_hnsw_snap_finish(vs_field_index *fi, uint32_t key_bound, const char **why) {
    vs_status st = vs_hnsw_load_finish((vs_hnsw *)fi, key_bound);
    if (st == VS_ERR_CORRUPT) *why = "an HNSW graph is inconsistent";
    return st;
}
