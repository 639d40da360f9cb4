/* snapshot_read.c - loading a snapshot from chunks of any size (see
 * snapshot.h).
 *
 * The reader is a state machine over the byte stream.  Section decoders
 * ask for bytes with want() (a fixed-size header into a staging buffer)
 * or want_into() (a span straight into its final allocation: key bytes,
 * field blocks, argument bytes) and name the step to run when the bytes
 * are there; feeding never needs a second copy of the snapshot.  Every
 * count and length is checked against what remains of its section before
 * anything is allocated.
 *
 * Index sections (FLAT, HNSW, TEXT) are decoded by their index (vs_fi_ops
 * .snap_load, index/field_index.h) through the same two kinds of reads,
 * straight into its vector blocks or graph arrays; this file reads the
 * (index, field) positions that open them, checks that each field comes
 * once, and once a section's checksum verified has the index check what
 * it loaded (snap_finish).
 *
 * When a section's contents do not make sense, the decoder stops
 * interpreting it but keeps reading to the end of the section: if the
 * section's checksum does not match, the error names the checksum (the
 * likelier cause), otherwise the damage.  Loading builds new stores (one
 * per database section group: database 0's first, then each `db` section
 * starts the next, numbers increasing); the engine's databases are
 * replaced only after the whole file checked out.  A database's own checks
 * (every index section came, the indexes agree with the keys) run when
 * the next database begins and at the end.
 */
#include <stdio.h>
#include <string.h>

#include "base/alloc.h"
#include "base/checksum.h"
#include "base/le.h"
#include "persist/snapshot.h"
#include "query/store.h"

typedef struct vs_snap_reader vs_snap_reader;
typedef vs_status (*step_fn)(vs_snap_reader *r);

enum { R_HEADER, R_SEC_HEAD, R_BODY, R_SEC_SUM, R_END, R_DONE };

/* A database read completely. */
typedef struct loaded_db {
    vs_store *store;
    uint32_t num;
    int made; /* the engine's database was made for it (read_end) */
} loaded_db;

struct vs_snap_reader {
    vs_store *db;  /* the store being built (database dbnum) */
    uint32_t dbnum;
    uint32_t ndbs;       /* the engine's databases: numbers must be below */
    uint32_t next_db;    /* a DB section's number, until its checksum verified */
    loaded_db *done_dbs; /* the databases before the current one */
    uint32_t ndone;
    uint32_t seed;
    vs_store *empty;     /* an empty store: moved into the databases the file lacks */
    int state;
    vs_status failed; /* sticky failure */

    uint8_t stage[VS_FI_STAGE]; /* fixed-size reads */
    size_t need, have;
    uint8_t *dst;      /* span reads (NULL: discard) */
    size_t dst_need, dst_have;
    int span;          /* a span read is pending */
    step_fn next;      /* runs when the pending read is complete */

    uint64_t size;     /* declared size of the whole file */
    uint64_t consumed; /* bytes fed so far */

    uint32_t sec_type;
    uint64_t sec_left;     /* payload bytes not yet consumed */
    int body_done;         /* the decoder read everything it expects */
    const char *damage;    /* decoding stopped: why (reported unless the checksum fails) */
    vs_xxh64_state sec_hash, file_hash;
    uint64_t file_digest;
    int have_keys;
    int have_expires;
    uint32_t version;  /* the header's format version */
    int have_aliases;

    /* KEYS */
    uint64_t records_left;
    vs_kentry *entry;
    uint32_t entry_id;
    uint8_t entry_type;
    vs_hfield *field;
    uint32_t fields_left;
    /* INDEX */
    uint32_t argc, argi;
    uint8_t **args;
    size_t *arglen;
    vs_ftindex *x;
    /* index sections */
    vs_field_index *fi; /* the section's field (snap_finish pending) */
    vs_fi_load ld;
    vs_field_index **loaded; /* fields whose section came */
    uint32_t nloaded, loaded_cap;
    /* ALIASES */
    uint8_t *alias_name; /* the name being read */
    uint32_t alias_len;
    vs_ftindex *alias_x; /* the index it names */
};

static const char *section_name(uint32_t type) {
    switch (type) {
    case VS_SEC_META: return "meta";
    case VS_SEC_KEYS: return "keys";
    case VS_SEC_INDEX: return "index";
    case VS_SEC_FLAT:
    case VS_SEC_FLAT_HELD: return "flat";
    case VS_SEC_HNSW:
    case VS_SEC_HNSW_HELD: return "hnsw";
    case VS_SEC_TEXT: return "text";
    case VS_SEC_EXPIRES: return "expires";
    case VS_SEC_DB: return "db";
    case VS_SEC_ALIASES: return "aliases";
    default: return "unknown";
    }
}

static vs_status fail(vs_snap_reader *r, vs_err *err, vs_status code, const char *fmt, const char *arg) {
    r->failed = code;
    if (code == VS_ERR_NOMEM) return vs_err_set(err, VS_ERR_NOMEM, "OOM out of memory loading the snapshot");
    char what[200];
    snprintf(what, sizeof what, fmt, arg);
    return vs_err_set(err, VS_ERR_CORRUPT, "Bad snapshot: %s", what);
}

/* ---- reads requested by decoders ------------------------------------------ */

/* Stop decoding this section (its bytes are still read and checked). */
static vs_status damaged(vs_snap_reader *r, const char *why) {
    r->damage = why;
    r->next = NULL;
    r->need = r->have = 0;
    r->span = 0;
    return VS_OK;
}

static vs_status want(vs_snap_reader *r, size_t n, step_fn next) {
    if (n > r->sec_left) return damaged(r, "a record runs past the end of its section");
    r->need = n;
    r->have = 0;
    r->next = next;
    return VS_OK;
}

static vs_status want_into(vs_snap_reader *r, void *dst, size_t n, step_fn next) {
    if (n > r->sec_left) return damaged(r, "a record runs past the end of its section");
    r->span = 1;
    r->dst = dst;
    r->dst_need = n;
    r->dst_have = 0;
    r->next = next;
    return VS_OK;
}

static vs_status done(vs_snap_reader *r) {
    r->body_done = 1;
    r->next = NULL;
    return VS_OK;
}

/* ---- KEYS ------------------------------------------------------------------ */

static void drop_entry(vs_snap_reader *r) {
    if (r->entry) {
        if (r->entry_type == VS_TYPE_HASH)
            vs_hash_free(r->entry->v.hash);
        else
            vs_free(r->entry->v.str);
        vs_free(r->entry);
        r->entry = NULL;
    }
    vs_free(r->field);
    r->field = NULL;
}

static vs_status k_next(vs_snap_reader *r);

static vs_status k_put(vs_snap_reader *r) {
    vs_status st = vs_ks_load_put(&r->db->ks, r->entry, r->entry_id);
    if (st == VS_ERR_CORRUPT) return damaged(r, "a key appears twice");
    if (st != VS_OK) return st;
    r->entry = NULL;
    r->records_left--;
    return k_next(r);
}

static vs_status k_fnext(vs_snap_reader *r);
static vs_status k_fvalue(vs_snap_reader *r);

static vs_status k_fdata(vs_snap_reader *r) {
    vs_status st = vs_hash_load_add(r->entry->v.hash, r->field);
    if (st == VS_ERR_CORRUPT) return damaged(r, "a hash field appears twice");
    if (st != VS_OK) return st;
    r->field = NULL;
    r->fields_left--;
    return k_fnext(r);
}

static vs_status k_fhead(vs_snap_reader *r) {
    uint32_t flen = vs_le_get32(r->stage), vlen = vs_le_get32(r->stage + 4);
    if ((uint64_t)flen + vlen > r->sec_left) return damaged(r, "a field runs past the end of its section");
    r->field = vs_hfield_new(NULL, flen, NULL, vlen);
    if (!r->field) return VS_ERR_NOMEM;
    return want_into(r, r->field->data, flen, k_fvalue);
}

/* The value, after the name (apart in memory: see vs_hfield). */
static vs_status k_fvalue(vs_snap_reader *r) {
    return want_into(r, vs_hfield_value_mut(r->field), r->field->vlen, k_fdata);
}

static vs_status k_fnext(vs_snap_reader *r) {
    if (r->fields_left == 0) return k_put(r);
    return want(r, 8, k_fhead);
}

static vs_status k_len(vs_snap_reader *r) {
    uint32_t v = vs_le_get32(r->stage);
    if (r->entry_type == VS_TYPE_STRING) {
        if (v > r->sec_left) return damaged(r, "a value runs past the end of its section");
        vs_str *s = vs_malloc(sizeof *s + v);
        if (!s) return VS_ERR_NOMEM;
        s->len = v;
        r->entry->v.str = s;
        return want_into(r, s->data, v, k_put);
    }
    if (v == 0 || (uint64_t)v * 8 > r->sec_left) return damaged(r, "a hash has an impossible field count");
    vs_hash *h = vs_hash_new();
    if (!h) return VS_ERR_NOMEM;
    r->entry->v.hash = h;
    vs_status st = vs_hash_load_reserve(h, v);
    if (st != VS_OK) return st;
    r->fields_left = v;
    return k_fnext(r);
}

static vs_status k_key(vs_snap_reader *r) { return want(r, 4, k_len); }

static vs_status k_head(vs_snap_reader *r) {
    r->entry_id = vs_le_get32(r->stage);
    uint8_t t = r->stage[4];
    uint32_t klen = vs_le_get32(r->stage + 5);
    if (t != VS_SNAP_STRING && t != VS_SNAP_HASH) return damaged(r, "unknown key type");
    if (klen > r->sec_left) return damaged(r, "a key runs past the end of its section");
    r->entry_type = t == VS_SNAP_HASH ? VS_TYPE_HASH : VS_TYPE_STRING;
    r->entry = vs_ks_entry_new(NULL, klen, (vs_type)r->entry_type);
    if (!r->entry) return VS_ERR_NOMEM;
    return want_into(r, r->entry->key, klen, k_key);
}

static vs_status k_next(vs_snap_reader *r) {
    if (r->records_left == 0) return done(r);
    return want(r, 9, k_head);
}

static vs_status k_count(vs_snap_reader *r) {
    r->records_left = vs_le_get64(r->stage);
    if (r->records_left > r->sec_left / 13) return damaged(r, "impossible key count");
    /* Size the key table once (the count is bounded by the section's
     * bytes, so this cannot be made to allocate more than they justify). */
    vs_status st = vs_ks_load_reserve(&r->db->ks, (uint32_t)r->records_left);
    if (st != VS_OK) return st;
    return k_next(r);
}

/* ---- EXPIRES ------------------------------------------------------------------ */

/* Times are set as they come (the keys are placed by then: their section
 * verified); each names a distinct existing key, so the heap grows no
 * larger than the keys justify.  A damaged record fails the load, and
 * the store being built is dropped with it. */
static vs_status x_next(vs_snap_reader *r);

static vs_status x_record(vs_snap_reader *r) {
    uint32_t id = vs_le_get32(r->stage);
    int64_t when = (int64_t)vs_le_get64(r->stage + 4);
    vs_status st = vs_ks_load_expire(&r->db->ks, id, when);
    if (st == VS_ERR_CORRUPT) return damaged(r, "an expiry time for a missing key, or two for one key");
    if (st != VS_OK) return st;
    r->records_left--;
    return x_next(r);
}

static vs_status x_next(vs_snap_reader *r) {
    if (r->records_left == 0) return done(r);
    return want(r, 12, x_record);
}

static vs_status x_count(vs_snap_reader *r) {
    r->records_left = vs_le_get64(r->stage);
    if (r->records_left > r->sec_left / 12 || r->records_left > r->db->ks.count)
        return damaged(r, "impossible count of expiry times");
    return x_next(r);
}

/* ---- INDEX ------------------------------------------------------------------- */

static void drop_args(vs_snap_reader *r) {
    for (uint32_t i = 0; r->args && i < r->argc; i++) vs_free(r->args[i]);
    vs_free(r->args);
    vs_free(r->arglen);
    r->args = NULL;
    r->arglen = NULL;
    r->argc = r->argi = 0;
}

static vs_status i_done(vs_snap_reader *r) { return done(r); }

static vs_status i_bf(vs_snap_reader *r) {
    int backfilling = r->stage[0];
    uint32_t cursor = vs_le_get32(r->stage + 1), end = vs_le_get32(r->stage + 5), nwords = vs_le_get32(r->stage + 9);
    if ((uint64_t)nwords * 8 != r->sec_left) return damaged(r, "the tracked-document bitmap has the wrong size");
    if (backfilling > 1 || cursor > end) return damaged(r, "impossible backfill state");
    /* The writer saved the id bound the backfill started with; the loaded
     * id table ends at the highest live id, so ids freed at its top since
     * then are gone: nothing is left to backfill there. */
    uint32_t bound = vs_ks_id_bound(&r->db->ks);
    if (end > bound) end = bound;
    if (cursor > end) cursor = end;
    vs_args a = {(const uint8_t *const *)r->args, r->arglen, 0, (int)r->argc};
    vs_err err;
    vs_err_clear(&err);
    vs_ftindex *x = NULL;
    vs_status st = vs_search_add(&r->db->search, &a, 0, &x, &err);
    drop_args(r);
    if (st == VS_ERR_NOMEM) return st;
    if (st != VS_OK) return damaged(r, "an index definition is invalid");
    r->x = x;
    x->backfilling = backfilling;
    x->bf_cursor = cursor;
    x->bf_end = end;
    if (nwords == 0) return done(r);
    if (vs_bitvec_reserve(&x->tracked, nwords * 64 - 1) != VS_OK) return VS_ERR_NOMEM;
    return want_into(r, x->tracked.w, (size_t)nwords * 8, i_done);
}

static vs_status i_argnext(vs_snap_reader *r);

static vs_status i_argdone(vs_snap_reader *r) {
    r->argi++;
    return i_argnext(r);
}

static vs_status i_arglen(vs_snap_reader *r) {
    uint32_t len = vs_le_get32(r->stage);
    if (len > r->sec_left) return damaged(r, "an argument runs past the end of its section");
    r->args[r->argi] = vs_malloc((size_t)len + 1);
    if (!r->args[r->argi]) return VS_ERR_NOMEM;
    r->arglen[r->argi] = len;
    return want_into(r, r->args[r->argi], len, i_argdone);
}

static vs_status i_argnext(vs_snap_reader *r) {
    if (r->argi == r->argc) return want(r, 13, i_bf);
    return want(r, 4, i_arglen);
}

static vs_status i_argc(vs_snap_reader *r) {
    uint32_t argc = vs_le_get32(r->stage);
    if (argc == 0 || argc > 100000 || (uint64_t)argc * 4 > r->sec_left) return damaged(r, "impossible argument count");
    r->args = vs_calloc(argc, sizeof *r->args);
    r->arglen = vs_calloc(argc, sizeof *r->arglen);
    if (!r->args || !r->arglen) return VS_ERR_NOMEM;
    r->argc = argc;
    r->argi = 0;
    return i_argnext(r);
}

/* ---- ALIASES ------------------------------------------------------------------
 *
 * Each alias names an index by its position among the index sections read
 * so far; a name that comes twice is damage (the store being built is
 * dropped with the load, so aliases added before the checksum is known
 * never reach the open store). */

static vs_status a_next(vs_snap_reader *r);

static vs_status a_name(vs_snap_reader *r) {
    vs_status st = vs_search_alias_put(&r->db->search, r->alias_name, r->alias_len, r->alias_x);
    vs_free(r->alias_name);
    r->alias_name = NULL;
    if (st == VS_ERR_CORRUPT) return damaged(r, "an alias appears twice");
    if (st != VS_OK) return st;
    r->records_left--;
    return a_next(r);
}

static vs_status a_head(vs_snap_reader *r) {
    uint32_t index = vs_le_get32(r->stage), len = vs_le_get32(r->stage + 4);
    if (index >= r->db->search.n) return damaged(r, "an alias names a missing index");
    if (len > r->sec_left) return damaged(r, "an alias runs past the end of its section");
    r->alias_name = vs_malloc((size_t)len + 1);
    if (!r->alias_name) return VS_ERR_NOMEM;
    r->alias_len = len;
    r->alias_x = r->db->search.idx[index];
    return want_into(r, r->alias_name, len, a_name);
}

static vs_status a_next(vs_snap_reader *r) {
    if (r->records_left == 0) return done(r);
    return want(r, 8, a_head);
}

static vs_status a_count(vs_snap_reader *r) {
    r->records_left = vs_le_get32(r->stage);
    if (r->records_left > r->sec_left / 8) return damaged(r, "impossible alias count");
    return a_next(r);
}

/* ---- index sections ----------------------------------------------------------
 *
 * The payload opens with the field's (index, field) positions; the rest is
 * the index's own (vs_fi_ops.snap_load, index/field_index.h): each of its
 * requests becomes a want() or want_into() whose step calls it again. */

static vs_status fs_step(vs_snap_reader *r) {
    vs_fi_load *ld = &r->ld;
    ld->in = r->stage;
    ld->left = r->sec_left;
    ld->staged = 0;
    ld->dst = NULL;
    ld->n = 0;
    vs_status st = r->fi->ops->snap_load(r->fi, ld);
    if (st != VS_OK) return st;
    if (ld->damage) return damaged(r, ld->damage);
    if (ld->done) return done(r);
    if (!ld->staged) return want_into(r, ld->dst, ld->n, fs_step);
    if (ld->n == 0 || ld->n > sizeof r->stage) return damaged(r, "the index asked for an impossible read");
    return want(r, ld->n, fs_step);
}

static vs_status fs_head(vs_snap_reader *r) {
    uint32_t index = vs_le_get32(r->stage), field = vs_le_get32(r->stage + 4);
    /* The field must exist, have a section of this type, and not have
     * been loaded already. */
    vs_field_index *fi = NULL;
    if (index < r->db->search.n && field < r->db->search.idx[index]->schema.nfields)
        fi = r->db->search.idx[index]->fields[field];
    const char *mismatch = r->sec_type == VS_SEC_FLAT || r->sec_type == VS_SEC_FLAT_HELD
                               ? "a FLAT section does not match an index"
                           : r->sec_type == VS_SEC_TEXT ? "a TEXT section does not match an index"
                                                        : "an HNSW section does not match an index";
    uint32_t want_type = fi ? vs_snap_section_of(fi) : 0;
    int legacy = want_type && vs_snap_legacy_of(want_type) == r->sec_type;
    if (!fi || (want_type != r->sec_type && !legacy)) return damaged(r, mismatch);
    for (uint32_t i = 0; i < r->nloaded; i++)
        if (r->loaded[i] == fi) return damaged(r, mismatch);
    if (r->nloaded == r->loaded_cap) {
        uint32_t cap = r->loaded_cap ? r->loaded_cap * 2 : 8;
        vs_field_index **l = vs_realloc(r->loaded, cap * sizeof *l);
        if (!l) return VS_ERR_NOMEM;
        r->loaded = l;
        r->loaded_cap = cap;
    }
    r->loaded[r->nloaded++] = fi;
    r->fi = fi;
    memset(&r->ld, 0, sizeof r->ld);
    r->ld.legacy = legacy;
    return fs_step(r);
}

/* ---- DB ------------------------------------------------------------------------ */

static vs_status d_num(vs_snap_reader *r) {
    uint32_t n = vs_le_get32(r->stage);
    if (n <= r->dbnum) return damaged(r, "the databases are out of order");
    if (n >= r->ndbs) return damaged(r, "a database number is out of range");
    r->next_db = n;
    return done(r);
}

/* The current database's own checks, once all its sections came. */
static vs_status finish_db(vs_snap_reader *r, const char **why) {
    uint32_t with_section = 0;
    for (uint32_t i = 0; i < r->db->search.n; i++)
        for (uint32_t f = 0; f < r->db->search.idx[i]->schema.nfields; f++)
            with_section += vs_snap_section_of(r->db->search.idx[i]->fields[f]) != 0;
    if (!r->have_keys || with_section != r->nloaded) {
        *why = "a section is missing";
        return VS_ERR_CORRUPT;
    }
    vs_ks_load_done(&r->db->ks);
    vs_status st = VS_OK;
    for (uint32_t i = 0; i < r->db->search.n && st == VS_OK; i++) st = vs_ftindex_load_finish(r->db->search.idx[i], why);
    return st;
}

/* A new store for the next database (after finishing the current one). */
static vs_status start_db(vs_snap_reader *r, uint32_t num) {
    loaded_db *t = vs_realloc(r->done_dbs, (size_t)(r->ndone + 1) * sizeof *t);
    if (!t) return VS_ERR_NOMEM;
    r->done_dbs = t;
    vs_store *s = vs_store_new(r->seed);
    if (!s) return VS_ERR_NOMEM;
    t[r->ndone++] = (loaded_db){r->db, r->dbnum, 0};
    r->db = s;
    r->dbnum = num;
    r->have_keys = r->have_expires = r->have_aliases = 0;
    r->nloaded = 0;
    return VS_OK;
}

/* ---- sections ------------------------------------------------------------------ */

static vs_status section_start(vs_snap_reader *r) {
    r->body_done = 0;
    r->damage = NULL;
    r->fi = NULL;
    switch (r->sec_type) {
    case VS_SEC_KEYS:
        if (r->have_keys) return damaged(r, "two key sections");
        r->have_keys = 1;
        return want(r, 8, k_count);
    case VS_SEC_EXPIRES:
        if (!r->have_keys) return damaged(r, "the expiry times come before the keys");
        if (r->have_expires) return damaged(r, "two expiry sections");
        r->have_expires = 1;
        return want(r, 8, x_count);
    case VS_SEC_INDEX:
        if (!r->have_keys) return damaged(r, "an index section comes before the keys");
        return want(r, 4, i_argc);
    case VS_SEC_ALIASES:
        if (r->have_aliases) return damaged(r, "two alias sections");
        r->have_aliases = 1;
        return want(r, 4, a_count);
    case VS_SEC_FLAT:
    case VS_SEC_HNSW:
    case VS_SEC_FLAT_HELD:
    case VS_SEC_HNSW_HELD:
    case VS_SEC_TEXT: return want(r, 8, fs_head);
    case VS_SEC_DB:
        if (r->version < 2) break; /* unknown to version 1: skipped */
        if (r->sec_left != 4) return damaged(r, "a database section is not 4 bytes");
        return want(r, 4, d_num);
    default: break;
    }
    {
        /* META and unknown sections: read (and check) without interpreting. */
        r->body_done = 1;
        return want_into(r, NULL, (size_t)r->sec_left, NULL);
    }
}

/* Consume section payload bytes. */
static vs_status feed_body(vs_snap_reader *r, const uint8_t *p, size_t n, size_t *used) {
    size_t u = 0;
    for (;;) {
        if (r->span && r->dst_have < r->dst_need) {
            if (u == n) break;
            size_t k = r->dst_need - r->dst_have < n - u ? r->dst_need - r->dst_have : n - u;
            if (r->dst) memcpy(r->dst + r->dst_have, p + u, k);
            r->dst_have += k;
            u += k;
            r->sec_left -= k;
            continue;
        }
        if (!r->span && r->have < r->need) {
            if (u == n) break;
            size_t k = r->need - r->have < n - u ? r->need - r->have : n - u;
            memcpy(r->stage + r->have, p + u, k);
            r->have += k;
            u += k;
            r->sec_left -= k;
            continue;
        }
        /* The pending read is complete: run the next step. */
        r->span = 0;
        r->need = r->have = 0;
        r->dst_need = r->dst_have = 0;
        step_fn next = r->next;
        r->next = NULL;
        if (!next) {
            if (r->damage || r->body_done) {
                /* Nothing more to interpret: discard the rest of the section. */
                if (r->sec_left && u < n) {
                    size_t k = r->sec_left < n - u ? (size_t)r->sec_left : n - u;
                    u += k;
                    r->sec_left -= k;
                    if (!r->damage) r->damage = "the section has bytes after its contents";
                    continue;
                }
            }
            break;
        }
        vs_status st = next(r);
        if (st != VS_OK) {
            *used = u;
            return st;
        }
    }
    *used = u;
    return VS_OK;
}



vs_status vs_snap_read_begin(uint32_t seed, uint32_t ndbs, uint64_t size, vs_snap_reader **out, vs_err *err) {
    vs_snap_reader *r = vs_calloc(1, sizeof *r);
    if (!r) return vs_err_code(err, VS_ERR_NOMEM);
    r->seed = seed;
    r->ndbs = ndbs;
    r->db = vs_store_new(seed);
    r->empty = vs_store_new(seed);
    if (!r->db || !r->empty) {
        vs_store_free(r->db);
        vs_store_free(r->empty);
        vs_free(r);
        return vs_err_code(err, VS_ERR_NOMEM);
    }
    r->size = size;
    r->state = R_HEADER;
    vs_xxh64_init(&r->file_hash, 0);
    *out = r;
    return VS_OK;
}

/* Fixed-size read outside sections (file header, section headers, sums). */
static size_t fill_stage(vs_snap_reader *r, const uint8_t *p, size_t n, size_t want_len) {
    size_t k = want_len - r->have < n ? want_len - r->have : n;
    memcpy(r->stage + r->have, p, k);
    r->have += k;
    return k;
}

vs_status vs_snap_read_feed(vs_snap_reader *r, const uint8_t *p, size_t n, vs_err *err) {
    if (r->failed) return fail(r, err, r->failed, "%s", "the load already failed");
    if (n > r->size - r->consumed)
        return fail(r, err, VS_ERR_CORRUPT, "%s", "the file is longer than its declared size");
    r->consumed += n;
    while (n > 0) {
        size_t k = 0;
        switch (r->state) {
        case R_HEADER:
            k = fill_stage(r, p, n, VS_SNAP_HEADER_LEN);
            vs_xxh64_update(&r->file_hash, p, k);
            /* The magic is checked as soon as its bytes arrive, so a
             * foreign file is named as such even when it is short. */
            if (memcmp(r->stage, VS_SNAP_MAGIC, r->have < VS_SNAP_MAGIC_LEN ? r->have : VS_SNAP_MAGIC_LEN) != 0)
                return fail(r, err, VS_ERR_CORRUPT, "%s", "not a Vessel snapshot (bad magic)");
            if (r->have == VS_SNAP_HEADER_LEN) {
                if (r->size < VS_SNAP_HEADER_LEN + VS_SNAP_END_LEN)
                    return fail(r, err, VS_ERR_CORRUPT, "%s", "truncated (too short to hold its end section)");
                uint32_t version = vs_le_get32(r->stage + 8);
                if (version > VS_SNAP_VERSION) {
                    char v[64];
                    snprintf(v, sizeof v, "%u", version);
                    return fail(r, err, VS_ERR_CORRUPT, "format version %s is newer than this engine reads (2)", v);
                }
                if (version == 0) return fail(r, err, VS_ERR_CORRUPT, "%s", "format version 0 is not valid");
                r->version = version;
                r->have = 0;
                r->state = R_SEC_HEAD;
            }
            break;
        case R_SEC_HEAD:
            k = fill_stage(r, p, n, 12);
            if (r->have == 12) {
                r->sec_type = vs_le_get32(r->stage);
                r->sec_left = vs_le_get64(r->stage + 4);
                r->have = 0;
                /* Lengths are checked against the file before anything is
                 * allocated for them: this section, its checksum and the
                 * end section must fit in what the file has left. */
                uint64_t left = r->size - (r->consumed - (n - k));
                if (r->sec_left > left || left - r->sec_left < 8 + (r->sec_type == VS_SEC_END ? 0 : VS_SNAP_END_LEN)) {
                    char what[96];
                    snprintf(what, sizeof what, "truncated (section '%s' runs past the end of the file)",
                             section_name(r->sec_type));
                    return fail(r, err, VS_ERR_CORRUPT, "%s", what);
                }
                if (r->sec_type == VS_SEC_END) {
                    r->file_digest = vs_xxh64_digest(&r->file_hash);
                    if (r->sec_left != 8) return fail(r, err, VS_ERR_CORRUPT, "%s", "the end section is damaged");
                    r->state = R_END;
                } else {
                    vs_xxh64_update(&r->file_hash, r->stage, 12);
                    vs_xxh64_init(&r->sec_hash, r->sec_type);
                    r->state = R_BODY;
                    vs_status st = section_start(r);
                    if (st != VS_OK) return fail(r, err, st, "%s", "");
                }
            }
            break;
        case R_BODY: {
            size_t take = r->sec_left < n ? (size_t)r->sec_left : n;
            vs_status st = feed_body(r, p, take, &k);
            vs_xxh64_update(&r->sec_hash, p, k);
            vs_xxh64_update(&r->file_hash, p, k);
            if (st != VS_OK) return fail(r, err, st, "%s", "");
            if (r->sec_left == 0) {
                /* Zero-length reads still pending complete here. */
                size_t more = 0;
                st = feed_body(r, p + k, 0, &more);
                if (st != VS_OK) return fail(r, err, st, "%s", "");
                if (!r->body_done && !r->damage) r->damage = "the section ends before its contents";
                r->state = R_SEC_SUM;
            }
            break;
        }
        case R_SEC_SUM:
            k = fill_stage(r, p, n, 8);
            vs_xxh64_update(&r->file_hash, p, k);
            if (r->have == 8) {
                r->have = 0;
                if (vs_le_get64(r->stage) != vs_xxh64_digest(&r->sec_hash))
                    return fail(r, err, VS_ERR_CORRUPT, "checksum mismatch in section '%s'", section_name(r->sec_type));
                if (r->damage) {
                    char what[160];
                    snprintf(what, sizeof what, "section '%s' is damaged: %s", section_name(r->sec_type), r->damage);
                    return fail(r, err, VS_ERR_CORRUPT, "%s", what);
                }
                if (r->sec_type == VS_SEC_KEYS) {
                    /* Verified: now the id table may be sized by the ids. */
                    vs_status st = vs_ks_load_place(&r->db->ks);
                    if (st == VS_ERR_CORRUPT)
                        return fail(r, err, st, "%s", "section 'keys' is damaged: a key id appears twice");
                    if (st != VS_OK) return fail(r, err, st, "%s", "");
                }
                if (r->sec_type == VS_SEC_DB && r->next_db) {
                    /* Verified: the database before is complete. */
                    const char *why = "";
                    vs_status st = finish_db(r, &why);
                    if (st == VS_ERR_CORRUPT) return fail(r, err, st, "%s", why);
                    if (st == VS_OK) st = start_db(r, r->next_db);
                    if (st != VS_OK) return fail(r, err, st, "%s", "");
                    r->next_db = 0;
                }
                if (r->fi) {
                    /* Verified: the index checks what it loaded. */
                    const char *why = "its index does not hold together";
                    vs_status st = r->fi->ops->snap_finish(r->fi, vs_ks_id_bound(&r->db->ks), &why);
                    r->fi = NULL;
                    if (st == VS_ERR_CORRUPT) {
                        char what[160];
                        snprintf(what, sizeof what, "section '%s' is damaged: %s", section_name(r->sec_type), why);
                        return fail(r, err, VS_ERR_CORRUPT, "%s", what);
                    }
                    if (st != VS_OK) return fail(r, err, st, "%s", "");
                }
                r->state = R_SEC_HEAD;
            }
            break;
        case R_END:
            k = fill_stage(r, p, n, 16);
            if (r->have == 16) {
                if (vs_le_get64(r->stage + 8) != vs_xxh64(r->stage, 8, VS_SEC_END))
                    return fail(r, err, VS_ERR_CORRUPT, "%s", "checksum mismatch in the end section");
                if (vs_le_get64(r->stage) != r->file_digest)
                    return fail(r, err, VS_ERR_CORRUPT, "%s", "checksum mismatch over the whole file");
                r->state = R_DONE;
            }
            break;
        case R_DONE: return fail(r, err, VS_ERR_CORRUPT, "%s", "data after the end of the snapshot");
        }
        p += k;
        n -= k;
    }
    return VS_OK;
}

void vs_snap_read_abort(vs_snap_reader *r) {
    if (!r) return;
    drop_entry(r);
    drop_args(r);
    vs_free(r->alias_name);
    vs_free(r->loaded);
    vs_store_free(r->db);
    vs_store_free(r->empty);
    for (uint32_t i = 0; i < r->ndone; i++) vs_store_free(r->done_dbs[i].store);
    vs_free(r->done_dbs);
    vs_free(r);
}

vs_status vs_snap_read_end(vs_snap_reader *r, vs_engine *eng, vs_err *err) {
    vs_status st = VS_OK;
    if (r->failed) {
        st = fail(r, err, r->failed, "%s", "the load already failed");
    } else if (r->state == R_DONE && r->consumed != r->size) {
        st = fail(r, err, VS_ERR_CORRUPT, "%s", "the file is shorter than its declared size");
    } else if (r->state != R_DONE) {
        st = fail(r, err, VS_ERR_CORRUPT, "%s",
                  r->state == R_HEADER ? "truncated (no header)" : "truncated (the end section is missing)");
    } else {
        const char *why = "";
        st = finish_db(r, &why);
        if (st == VS_ERR_CORRUPT)
            st = fail(r, err, st, "%s", why);
        else if (st != VS_OK)
            st = fail(r, err, st, "%s", "");
    }
    /* Every database the file holds exists before anything moves (those
     * made here go again if one cannot be). */
    vs_store *into;
    int cur_made = 0;
    for (uint32_t i = 0; i <= r->ndone && st == VS_OK; i++) {
        uint32_t num = i < r->ndone ? r->done_dbs[i].num : r->dbnum;
        int *made = i < r->ndone ? &r->done_dbs[i].made : &cur_made;
        if (vs_engine_db_if(eng, num)) continue;
        if (vs_engine_db(eng, num, &into) != VS_OK) {
            st = fail(r, err, VS_ERR_NOMEM, "%s", "");
            for (uint32_t j = 0; j < i; j++)
                if (r->done_dbs[j].made) vs_engine_db_unmake(eng, r->done_dbs[j].num);
        } else {
            *made = 1;
        }
    }
    if (st == VS_OK) {
        uint32_t next = 0; /* r->done_dbs[next], then r->db, in number order */
        for (uint32_t d = 0; d < eng->ndbs; d++) {
            vs_store *dst = vs_engine_db_if(eng, d);
            if (!dst) continue;
            vs_store *src = r->empty;
            if (next < r->ndone && r->done_dbs[next].num == d)
                src = r->done_dbs[next++].store;
            else if (next == r->ndone && r->dbnum == d)
                src = r->db;
            vs_store_move(dst, src);
        }
    }
    vs_snap_read_abort(r);
    return st;
}
