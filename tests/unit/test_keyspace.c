/* test_keyspace.c - key ids, the notification point, and the all-or-nothing
 * rule when a subscriber refuses a change. */
#include "../../src/base/alloc.h"
#include "../../src/data/keyspace.h"
#include "vt.h"

#define S(x) (const uint8_t *)(x), strlen(x)

typedef struct recorder {
    int prepared, committed, aborted;
    vs_change_kind last_kind;
    uint32_t last_id;
    vs_type last_new_type;
    int refuse; /* prepare fails for non-removals when set */
    char last_field_value[64];
} recorder;

static vs_status rec_prepare(void *ctx, const vs_change *ch) {
    recorder *r = ctx;
    r->prepared++;
    int removal = ch->kind == VS_CHANGE_DEL || ch->kind == VS_CHANGE_FLUSH ||
                  (ch->kind == VS_CHANGE_HASH && ch->new_type == VS_TYPE_NONE);
    if (r->refuse && !removal) return VS_ERR_NOMEM;
    r->last_field_value[0] = 0;
    const uint8_t *v;
    size_t n;
    if (ch->kind == VS_CHANGE_HASH && vs_hview_get(&ch->view, S("f"), &v, &n) && n < 63) {
        memcpy(r->last_field_value, v, n);
        r->last_field_value[n] = 0;
    }
    return VS_OK;
}
static void rec_commit(void *ctx, const vs_change *ch) {
    recorder *r = ctx;
    r->committed++;
    r->last_kind = ch->kind;
    r->last_id = ch->id;
    r->last_new_type = ch->new_type;
}
static void rec_abort(void *ctx, const vs_change *ch) {
    (void)ch;
    ((recorder *)ctx)->aborted++;
}

static vs_status hset(vs_keyspace *ks, const char *k, const char *f, const char *v) {
    vs_kwrite w;
    vs_status st = vs_kw_hash_begin(&w, ks, S(k), 1);
    if (st != VS_OK) return st;
    st = vs_kw_hset(&w, S(f), S(v));
    if (st != VS_OK) {
        vs_kw_discard(&w);
        return st;
    }
    return vs_kw_commit(&w);
}

static void test_ids_and_events(void) {
    vs_keyspace ks;
    vs_ks_init(&ks);
    recorder rec = {0};
    vs_subscriber sub = {&rec, rec_prepare, rec_commit, rec_abort};
    VT_CHECK(vs_ks_subscribe(&ks, &sub) == VS_OK);

    VT_CHECK(hset(&ks, "a", "f", "1") == VS_OK);
    VT_EQ_INT(rec.last_kind, VS_CHANGE_HASH);
    VT_CHECK(strcmp(rec.last_field_value, "1") == 0);
    uint32_t ida = vs_ks_find(&ks, S("a"))->id;
    VT_EQ_INT(rec.last_id, ida);
    VT_CHECK(hset(&ks, "b", "f", "2") == VS_OK);
    uint32_t idb = vs_ks_find(&ks, S("b"))->id;
    VT_CHECK(ida != idb);

    /* RENAME keeps the id and tells subscribers. */
    vs_kwrite w;
    VT_CHECK(vs_kw_rename_begin(&w, &ks, S("a"), S("c")) == VS_OK);
    VT_CHECK(vs_kw_commit(&w) == VS_OK);
    VT_EQ_INT(rec.last_kind, VS_CHANGE_RENAME);
    VT_CHECK(vs_ks_find(&ks, S("a")) == NULL);
    VT_EQ_INT(vs_ks_find(&ks, S("c"))->id, ida);
    VT_CHECK(vs_ks_by_id(&ks, ida) == vs_ks_find(&ks, S("c")));

    /* Renaming over an existing key deletes it: one RENAME change that
     * carries the destination's id and type, so subscribers prepare and
     * commit both sides at once. */
    int before = rec.committed;
    VT_CHECK(vs_kw_rename_begin(&w, &ks, S("c"), S("b")) == VS_OK);
    VT_CHECK(vs_kw_commit(&w) == VS_OK);
    VT_EQ_INT(rec.committed, before + 1);
    VT_EQ_INT(rec.last_kind, VS_CHANGE_RENAME);
    VT_EQ_INT(ks.count, 1);
    VT_EQ_INT(vs_ks_find(&ks, S("b"))->id, ida);
    VT_CHECK(vs_ks_by_id(&ks, idb) == NULL);

    /* Freed ids are reused. */
    VT_CHECK(hset(&ks, "d", "f", "3") == VS_OK);
    VT_EQ_INT(vs_ks_find(&ks, S("d"))->id, idb);

    /* Deleting the last field deletes the key. */
    VT_CHECK(vs_kw_hash_begin(&w, &ks, S("d"), 0) == VS_OK);
    VT_CHECK(vs_kw_hdel(&w, S("f")) == VS_OK);
    VT_CHECK(vs_kw_commit(&w) == VS_OK);
    VT_EQ_INT(rec.last_new_type, VS_TYPE_NONE);
    VT_CHECK(vs_ks_find(&ks, S("d")) == NULL);

    VT_EQ_INT(vs_ks_delete(&ks, S("b")), 1);
    VT_EQ_INT(rec.last_kind, VS_CHANGE_DEL);
    VT_EQ_INT(vs_ks_delete(&ks, S("b")), 0);
    VT_EQ_INT(ks.count, 0);
    vs_ks_release(&ks);
}

static void test_refusal_changes_nothing(void) {
    vs_keyspace ks;
    vs_ks_init(&ks);
    recorder rec = {0};
    vs_subscriber sub = {&rec, rec_prepare, rec_commit, rec_abort};
    vs_ks_subscribe(&ks, &sub);
    VT_CHECK(hset(&ks, "a", "f", "1") == VS_OK);
    size_t mem = vs_mem_used();
    rec.refuse = 1;
    VT_CHECK(hset(&ks, "a", "f", "2") == VS_ERR_NOMEM);
    VT_CHECK(hset(&ks, "new", "f", "2") == VS_ERR_NOMEM);
    vs_kwrite w;
    VT_CHECK(vs_kw_rename_begin(&w, &ks, S("a"), S("z")) == VS_OK);
    VT_CHECK(vs_kw_commit(&w) == VS_ERR_NOMEM);
    VT_CHECK(vs_kw_string_begin(&w, &ks, S("a"), S("str"), VS_NO_EXPIRE) == VS_OK);
    VT_CHECK(vs_kw_commit(&w) == VS_ERR_NOMEM);
    VT_EQ_INT(vs_mem_used(), mem);
    VT_EQ_INT(ks.count, 1);
    vs_kentry *e = vs_ks_find(&ks, S("a"));
    VT_CHECK(e && e->type == VS_TYPE_HASH);
    vs_hfield *f = vs_hash_get(e->v.hash, S("f"));
    VT_CHECK(f && f->vlen == 1 && vs_hfield_value(f)[0] == '1');
    VT_CHECK(vs_ks_find(&ks, S("new")) == NULL);
    VT_CHECK(rec.aborted == 0); /* the only subscriber refused: nobody to abort */
    /* Removals are never refused. */
    VT_EQ_INT(vs_ks_delete(&ks, S("a")), 1);
    rec.refuse = 0;
    vs_ks_release(&ks);
}

static void test_many_keys_scan_ids(void) {
    vs_keyspace ks;
    vs_ks_init(&ks);
    char k[32];
    for (int i = 0; i < 10000; i++) {
        snprintf(k, sizeof k, "key:%d", i);
        VT_CHECK(hset(&ks, k, "f", "v") == VS_OK);
    }
    VT_EQ_INT(ks.count, 10000);
    int seen = 0;
    for (uint32_t id = 0; id < vs_ks_id_bound(&ks); id++) seen += vs_ks_by_id(&ks, id) != NULL;
    VT_EQ_INT(seen, 10000);
    vs_ks_flush(&ks);
    VT_EQ_INT(ks.count, 0);
    VT_EQ_INT(vs_ks_id_bound(&ks), 0);
    vs_ks_release(&ks);
}

int main(void) {
    VT_RUN(test_ids_and_events);
    VT_RUN(test_refusal_changes_nothing);
    VT_RUN(test_many_keys_scan_ids);
    VT_DONE();
}
