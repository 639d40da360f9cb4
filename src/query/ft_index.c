/* ft_index.c - one search index: change handling, backfill, reporting. */
#include "query/ft_index.h"

#include <string.h>

#include "base/alloc.h"
#include "base/idtable.h"
#include "index/vector.h"

vs_status vs_ftindex_new(vs_keyspace *ks, vs_schema *schema, uint32_t seed, vs_ftindex **out) {
    vs_ftindex *x = vs_calloc(1, sizeof *x);
    if (!x) return VS_ERR_NOMEM;
    x->ks = ks;
    x->seed = seed;
    x->schema = *schema;
    uint32_t nf = schema->nfields;
    x->fields = vs_calloc(nf, sizeof *x->fields);
    x->prep = vs_calloc(nf, sizeof *x->prep);
    if (!x->fields || !x->prep) goto nomem;
    for (uint32_t i = 0; i < nf; i++) {
        x->fields[i] = vs_field_index_new(&x->schema.fields[i], seed + i);
        if (!x->fields[i]) goto nomem;
    }
    memset(schema, 0, sizeof *schema); /* taken over */
    *out = x;
    return VS_OK;
nomem:
    /* The schema stays with the caller. */
    for (uint32_t i = 0; x->fields && i < nf; i++)
        if (x->fields[i]) x->fields[i]->ops->destroy(x->fields[i]);
    vs_free(x->fields);
    vs_free(x->prep);
    vs_free(x);
    return VS_ERR_NOMEM;
}

void vs_ftindex_free(vs_ftindex *x) {
    if (!x) return;
    if (x->fields)
        for (uint32_t i = 0; i < x->schema.nfields; i++)
            if (x->fields[i]) x->fields[i]->ops->destroy(x->fields[i]);
    vs_free(x->fields);
    vs_free(x->prep);
    vs_bitvec_free(&x->tracked);
    vs_bitvec_free(&x->indexed);
    vs_free(x->nattr);
    vs_schema_free(&x->schema);
    vs_free(x);
}

/* ---- change handling ---------------------------------------------------- */

static vs_status reserve_doc(vs_ftindex *x, uint32_t id) {
    if (vs_bitvec_reserve(&x->tracked, id) != VS_OK || vs_bitvec_reserve(&x->indexed, id) != VS_OK)
        return VS_ERR_NOMEM;
    uint16_t *a = vs_idtable_cover(x->nattr, &x->nattr_cap, id, sizeof *a, NULL);
    if (!a) return VS_ERR_NOMEM;
    x->nattr = a;
    return VS_OK;
}

static vs_status reserve_field(vs_field_index *fi, uint32_t id) {
    if (vs_bitvec_reserve(&fi->present, id) != VS_OK || vs_bitvec_reserve(&fi->failed, id) != VS_OK)
        return VS_ERR_NOMEM;
    return fi->ops->reserve_id(fi, id);
}

/* Did the change's field operations touch hash field (p, n)? */
static int view_touches(const vs_hview *v, const uint8_t *p, size_t n) {
    for (uint32_t i = 0; i < v->nops; i++)
        if (v->ops[i].flen == n && memcmp(v->ops[i].field, p, n) == 0) return 1;
    return 0;
}

/* Plan: every field from the view (a document new to the index). */
static void plan_all_from(vs_ftindex *x, const vs_hview *v) {
    for (uint32_t i = 0; i < x->schema.nfields; i++) {
        const vs_fielddef *d = &x->schema.fields[i];
        vs_fi_prep *p = &x->prep[i];
        if (vs_hview_get(v, d->ident, d->ilen, &p->val, &p->len))
            p->action = VS_FI_SET;
        else
            p->action = VS_FI_NONE;
    }
}

/* Plan: drop the document from every field that holds something for it
 * (a value, or a failure).  Those fields have room for id already, so a
 * removal prepares without allocating: a key's deletion (DEL, expiry,
 * FT.DROPINDEX DD, MOVE's source) cannot be refused, and a removal that
 * failed to prepare would leave an index pointing at the hash bytes
 * being freed. */
static void plan_remove_all(vs_ftindex *x, uint32_t id) {
    for (uint32_t i = 0; i < x->schema.nfields; i++) {
        const vs_field_index *fi = x->fields[i];
        if (vs_bitvec_test(&fi->present, id) || vs_bitvec_test(&fi->failed, id)) x->prep[i].action = VS_FI_REMOVE;
    }
}

static void reset_preps(vs_ftindex *x) {
    for (uint32_t i = 0; i < x->schema.nfields; i++) memset(&x->prep[i], 0, sizeof x->prep[i]);
}

vs_status vs_ftindex_prepare(vs_ftindex *x, const vs_change *ch, int deferred) {
    x->pending = 0;
    x->pending_drop = 0;
    if (ch->kind == VS_CHANGE_FLUSH) return VS_OK;
    uint32_t id = ch->id;
    int tracked = vs_ftindex_tracks(x, id);
    int track = 0; /* +1 start tracking, -1 stop */
    int any = 0;
    int drop = 0; /* RENAME: drop the destination's document */
    reset_preps(x);
    switch (ch->kind) {
    case VS_CHANGE_HASH:
        if (ch->new_type == VS_TYPE_NONE) {
            if (tracked) plan_remove_all(x, id), track = -1, any = 1;
            break;
        }
        if (!vs_schema_matches(&x->schema, ch->key, ch->klen)) break;
        if (deferred) { /* backfill brings the document back */
            if (tracked) plan_remove_all(x, id), track = -1, any = 1;
            break;
        }
        if (!tracked) {
            plan_all_from(x, &ch->view);
            track = +1;
            any = 1;
            break;
        }
        for (uint32_t i = 0; i < x->schema.nfields; i++) {
            const vs_fielddef *d = &x->schema.fields[i];
            if (!view_touches(&ch->view, d->ident, d->ilen)) continue;
            vs_fi_prep *p = &x->prep[i];
            p->action = vs_hview_get(&ch->view, d->ident, d->ilen, &p->val, &p->len) ? VS_FI_SET : VS_FI_REMOVE;
            any = 1;
        }
        break;
    case VS_CHANGE_STRING:
    case VS_CHANGE_DEL:
        if (tracked) plan_remove_all(x, id), track = -1, any = 1;
        break;
    case VS_CHANGE_RENAME: {
        /* An existing destination is deleted by the same change: drop it
         * at commit (a removal: nothing to prepare). */
        if (ch->dst_type != VS_TYPE_NONE && vs_ftindex_tracks(x, ch->dst_id)) drop = 1;
        int match = ch->new_type == VS_TYPE_HASH && vs_schema_matches(&x->schema, ch->newkey, ch->newklen);
        if (tracked && !match) {
            plan_remove_all(x, id);
            track = -1;
            any = 1;
        } else if (!tracked && match && !deferred) {
            plan_all_from(x, &ch->view);
            track = +1;
            any = 1;
        }
        break;
    }
    default: break;
    }
    if (!any && !drop) return VS_OK;
    /* A tracked document has its room (reserved when it was first tracked). */
    vs_status st = any && !tracked ? reserve_doc(x, id) : VS_OK;
    for (uint32_t i = 0; i < x->schema.nfields && st == VS_OK; i++)
        if (x->prep[i].action != VS_FI_NONE) st = reserve_field(x->fields[i], id);
    uint32_t done = 0;
    for (; done < x->schema.nfields && st == VS_OK; done++) {
        vs_fi_prep *p = &x->prep[done];
        if (p->action == VS_FI_SET) st = x->fields[done]->ops->prepare(x->fields[done], id, p);
    }
    if (st != VS_OK) {
        for (uint32_t i = 0; i + 1 < done; i++)
            if (x->prep[i].action == VS_FI_SET) x->fields[i]->ops->abort(x->fields[i], &x->prep[i]);
        reset_preps(x);
        return st;
    }
    x->pending = 1;
    x->pending_id = id;
    x->pending_track = track;
    x->pending_drop = drop;
    x->pending_drop_id = drop ? ch->dst_id : 0;
    return VS_OK;
}

static void set_flag(vs_bitvec *v, uint32_t id, int on, uint32_t *count) {
    int was = vs_bit_test(v->w, id);
    if (on && !was) {
        vs_bit_set(v->w, id);
        (*count)++;
    } else if (!on && was) {
        vs_bit_clear(v->w, id);
        (*count)--;
    }
}

static void clear_all(vs_ftindex *x) {
    for (uint32_t i = 0; i < x->schema.nfields; i++) {
        vs_field_index *fi = x->fields[i];
        fi->ops->clear(fi);
        if (fi->present.w) memset(fi->present.w, 0, fi->present.cap / 8);
        if (fi->failed.w) memset(fi->failed.w, 0, fi->failed.cap / 8);
        fi->npresent = fi->nfailed = 0;
    }
    if (x->tracked.w) memset(x->tracked.w, 0, x->tracked.cap / 8);
    if (x->indexed.w) memset(x->indexed.w, 0, x->indexed.cap / 8);
    if (x->nattr) memset(x->nattr, 0, (size_t)x->nattr_cap * sizeof *x->nattr);
    x->num_docs = 0;
    x->num_records = 0;
    x->failures = 0;
    x->backfilling = 0; /* nothing left to walk */
    x->bf_cursor = x->bf_end = 0;
}

/* Apply field i's prepared action to document id and update the counts. */
static void commit_field(vs_ftindex *x, uint32_t i, uint32_t id, vs_fi_prep *p) {
    vs_field_index *fi = x->fields[i];
    fi->ops->commit(fi, id, p);
    int now_present = p->action == VS_FI_SET && p->valid;
    int now_failed = p->action == VS_FI_SET && !p->valid;
    int was_present = vs_bit_test(fi->present.w, id);
    int was_failed = vs_bit_test(fi->failed.w, id);
    set_flag(&fi->present, id, now_present, &fi->npresent);
    set_flag(&fi->failed, id, now_failed, &fi->nfailed);
    x->num_records += (uint64_t)now_present - (uint64_t)was_present;
    x->failures += (uint64_t)now_failed - (uint64_t)was_failed;
    x->nattr[id] = (uint16_t)(x->nattr[id] + now_present - was_present);
}

void vs_ftindex_commit(vs_ftindex *x, const vs_change *ch) {
    if (ch->kind == VS_CHANGE_FLUSH) {
        clear_all(x);
        return;
    }
    if (!x->pending) return;
    uint32_t id = x->pending_id;
    int touched = x->pending_track != 0;
    for (uint32_t i = 0; i < x->schema.nfields; i++) {
        vs_fi_prep *p = &x->prep[i];
        if (p->action == VS_FI_NONE) continue;
        commit_field(x, i, id, p);
        touched = 1;
    }
    if (touched) set_flag(&x->indexed, id, x->nattr[id] > 0, &x->num_docs);
    if (x->pending_track > 0) vs_bit_set(x->tracked.w, id);
    if (x->pending_track < 0) vs_bit_clear(x->tracked.w, id);
    /* Then the destination a RENAME overwrites: after the source, whose
     * prepared state refers to the index as it was (a TAG entry the
     * destination alone held, a free HNSW slot, reserved room). */
    if (x->pending_drop) {
        uint32_t did = x->pending_drop_id;
        for (uint32_t i = 0; i < x->schema.nfields; i++) {
            const vs_field_index *fi = x->fields[i];
            /* A field that holds nothing for did may not even have room
             * for it (room is made when a value is first set). */
            if (!vs_bitvec_test(&fi->present, did) && !vs_bitvec_test(&fi->failed, did)) continue;
            vs_fi_prep rm;
            memset(&rm, 0, sizeof rm);
            rm.action = VS_FI_REMOVE;
            commit_field(x, i, did, &rm);
        }
        set_flag(&x->indexed, did, x->nattr[did] > 0, &x->num_docs);
        vs_bit_clear(x->tracked.w, did);
        x->pending_drop = 0;
    }
    x->pending = 0;
    reset_preps(x);
}

void vs_ftindex_abort(vs_ftindex *x) {
    if (!x->pending) return;
    for (uint32_t i = 0; i < x->schema.nfields; i++)
        if (x->prep[i].action == VS_FI_SET) x->fields[i]->ops->abort(x->fields[i], &x->prep[i]);
    reset_preps(x);
    x->pending = 0;
    x->pending_drop = 0;
}

/* ---- backfill ----------------------------------------------------------- */

void vs_ftindex_backfill_start(vs_ftindex *x) {
    x->bf_cursor = 0;
    x->bf_end = vs_ks_id_bound(x->ks);
    x->backfilling = x->bf_end > 0;
    x->backfill_oom = 0;
}

vs_status vs_ftindex_backfill_step(vs_ftindex *x, uint32_t budget, uint32_t *visited) {
    uint32_t n = 0;
    while (x->backfilling && x->bf_cursor < x->bf_end && n < budget) {
        uint32_t id = x->bf_cursor;
        vs_kentry *e = vs_ks_by_id(x->ks, id);
        if (e && e->type == VS_TYPE_HASH && !vs_ftindex_tracks(x, id) &&
            vs_schema_matches(&x->schema, e->key, e->klen)) {
            vs_change ch;
            memset(&ch, 0, sizeof ch);
            ch.kind = VS_CHANGE_HASH;
            ch.id = id;
            ch.key = e->key;
            ch.klen = e->klen;
            ch.old_type = ch.new_type = VS_TYPE_HASH;
            ch.view = vs_hview_of(e->v.hash);
            vs_status st = vs_ftindex_prepare(x, &ch, 0);
            if (st != VS_OK) {
                x->backfill_oom = 1;
                if (visited) *visited = n;
                return st;
            }
            vs_ftindex_commit(x, &ch);
        }
        x->bf_cursor++;
        n++;
    }
    x->backfill_oom = 0;
    if (x->bf_cursor >= x->bf_end) {
        x->backfilling = 0;
        /* A bulk load just ended: give back slack capacity. */
        for (uint32_t i = 0; i < x->schema.nfields; i++)
            if (x->fields[i]->ops->compact) x->fields[i]->ops->compact(x->fields[i], vs_ks_id_bound(x->ks));
    }
    if (visited) *visited = n;
    return VS_OK;
}

double vs_ftindex_backfill_progress(const vs_ftindex *x) {
    if (!x->backfilling || x->bf_end == 0) return 1.0;
    return (double)x->bf_cursor / (double)x->bf_end;
}

/* ---- reporting ---------------------------------------------------------- */

size_t vs_ftindex_memory(const vs_ftindex *x) {
    size_t m = sizeof *x + x->schema.nfields * (sizeof(void *) + sizeof(vs_fi_prep));
    m += (x->tracked.cap + x->indexed.cap) / 8 + (size_t)x->nattr_cap * sizeof *x->nattr;
    for (uint32_t i = 0; i < x->schema.nfields; i++) {
        const vs_field_index *fi = x->fields[i];
        m += fi->ops->memory(fi) + (fi->present.cap + fi->failed.cap) / 8;
    }
    return m;
}

/* ---- loading -------------------------------------------------------------- */

/* Key id's value of one field (rebinding held-once vectors). */
typedef struct rebind_ctx {
    const vs_keyspace *ks;
    const vs_fielddef *def;
} rebind_ctx;

static int rebind_get(void *ctx, uint32_t id, const uint8_t **p, size_t *n) {
    const rebind_ctx *c = ctx;
    const vs_kentry *e = vs_ks_by_id(c->ks, id);
    if (!e || e->type != VS_TYPE_HASH) return 0;
    const vs_hfield *hv = vs_hash_get(e->v.hash, c->def->ident, c->def->ilen);
    if (!hv) return 0;
    *p = vs_hfield_value(hv);
    *n = hv->vlen;
    return 1;
}

vs_status vs_ftindex_load_finish(vs_ftindex *x, const char **why) {
    /* Vector indexes point their elements at the keys' values. */
    for (uint32_t i = 0; i < x->schema.nfields; i++) {
        vs_field_index *fi = x->fields[i];
        if (!fi->ops->rebind) continue;
        rebind_ctx c = {x->ks, fi->def};
        vs_status st = fi->ops->rebind(fi, rebind_get, &c, why);
        if (st != VS_OK) return st;
    }
    *why = "the indexes do not agree with the keys";
    uint32_t bound = vs_ks_id_bound(x->ks);
    uint32_t lim = x->tracked.cap < bound ? x->tracked.cap : bound;
    /* Tracked ids past the keyspace are damage. */
    for (uint32_t id = lim; id < x->tracked.cap; id++)
        if (vs_bit_test(x->tracked.w, id)) return VS_ERR_CORRUPT;
    uint32_t *seen = vs_calloc(x->schema.nfields ? x->schema.nfields : 1, sizeof *seen);
    if (!seen) return VS_ERR_NOMEM;
    vs_status st = VS_OK;
    for (uint32_t id = 0; id < lim && st == VS_OK; id++) {
        if (!vs_bit_test(x->tracked.w, id)) continue;
        const vs_kentry *e = vs_ks_by_id(x->ks, id);
        if (!e || e->type != VS_TYPE_HASH || !vs_schema_matches(&x->schema, e->key, e->klen)) {
            st = VS_ERR_CORRUPT;
            break;
        }
        st = reserve_doc(x, id);
        for (uint32_t i = 0; i < x->schema.nfields && st == VS_OK; i++) {
            vs_field_index *fi = x->fields[i];
            const vs_fielddef *d = fi->def;
            vs_fi_prep *p = &x->prep[i];
            memset(p, 0, sizeof *p);
            const vs_hfield *hv = vs_hash_get(e->v.hash, d->ident, d->ilen);
            st = reserve_field(fi, id);
            if (st != VS_OK) break;
            int present = 0, failed = 0;
            if (fi->ops->snap_load) { /* loaded from its own section */
                present = fi->ops->has(fi, id);
                if (present && !hv) st = VS_ERR_CORRUPT;
                failed = hv && !present;
                if (failed && d->type == VS_FIELD_VECTOR) {
                    /* A valid vector its index does not hold: damage. */
                    vs_vspace sp;
                    vs_vspace_init(&sp, &d->vec);
                    if (vs_vector_blob_valid(&sp, vs_hfield_value(hv), hv->vlen)) {
                        st = VS_ERR_CORRUPT;
                        break;
                    }
                }
                if (failed && d->type == VS_FIELD_TEXT) {
                    /* A TEXT value it does not hold is either not UTF-8
                     * (a failure) or has no word (missing): ask prepare,
                     * which must not find words to index. */
                    p->action = VS_FI_SET;
                    p->val = vs_hfield_value(hv);
                    p->len = hv->vlen;
                    st = fi->ops->prepare(fi, id, p);
                    if (st != VS_OK) break;
                    if (p->action == VS_FI_SET && p->valid) {
                        fi->ops->abort(fi, p);
                        st = VS_ERR_CORRUPT;
                    }
                    failed = p->action == VS_FI_SET;
                }
                seen[i] += present;
            } else if (hv) {
                p->action = VS_FI_SET;
                p->val = vs_hfield_value(hv);
                p->len = hv->vlen;
                st = fi->ops->prepare(fi, id, p);
                if (st != VS_OK) break;
                fi->ops->commit(fi, id, p);
                /* prepare may find nothing to index (a REMOVE). */
                present = p->action == VS_FI_SET && p->valid;
                failed = p->action == VS_FI_SET && !p->valid;
            }
            memset(p, 0, sizeof *p);
            if (present) set_flag(&fi->present, id, 1, &fi->npresent);
            if (failed) set_flag(&fi->failed, id, 1, &fi->nfailed);
            x->num_records += (uint64_t)present;
            x->failures += (uint64_t)failed;
            x->nattr[id] = (uint16_t)(x->nattr[id] + present);
        }
        if (st == VS_OK) set_flag(&x->indexed, id, x->nattr[id] > 0, &x->num_docs);
    }
    /* Every key an index loaded from its section holds is a tracked
     * document. */
    for (uint32_t i = 0; i < x->schema.nfields && st == VS_OK; i++)
        if (x->fields[i]->ops->snap_load && seen[i] != x->fields[i]->ops->count(x->fields[i])) st = VS_ERR_CORRUPT;
    vs_free(seen);
    return st;
}
