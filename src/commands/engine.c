/* engine.c - building and releasing what commands run against, and its
 * numbered databases (see engine.h). */
#include "commands/engine.h"

#include <string.h>

#include "base/alloc.h"
#include "base/util.h"

static void db_free(vs_database *d) {
    if (!d) return;
    vs_clients_tap_release(&d->ctap);
    vs_journal_tap_release(&d->jtap);
    vs_store_release(&d->store);
    vs_free(d);
}

/* A new empty database numbered n (NULL: out of memory). */
static vs_database *db_new(vs_engine *e, uint32_t n) {
    vs_database *d = vs_calloc(1, sizeof *d);
    if (!d) return NULL;
    if (vs_store_init(&d->store, e->seed) != VS_OK) {
        vs_store_release(&d->store);
        vs_free(d);
        return NULL;
    }
    d->store.search.db = n;
    d->store.search.deferred = e->defer_index;
    if (vs_journal_tap_init(&d->jtap, &e->journal, &d->store.ks, n) != VS_OK ||
        vs_clients_tap_init(&d->ctap, &e->clients, &d->store.ks, n) != VS_OK) {
        db_free(d);
        return NULL;
    }
    return d;
}

vs_status vs_engine_init(vs_engine *e, uint64_t maxmemory, uint32_t seed, uint32_t databases) {
    memset(e, 0, sizeof *e);
    e->maxmemory = maxmemory;
    e->seed = seed;
    e->ndbs = databases ? VS_MIN(databases, VS_MAX_DATABASES) : VS_DEFAULT_DATABASES;
    vs_compat_init(&e->compat);
    vs_clients_init(&e->clients);
    vs_journal_init(&e->journal);
    e->dbs = vs_calloc(e->ndbs, sizeof *e->dbs);
    if (!e->dbs || !(e->dbs[0] = db_new(e, 0)) || vs_reply_init(&e->reply) != VS_OK) {
        vs_engine_release(e);
        return VS_ERR_NOMEM;
    }
    vs_client_init(&e->clients, &e->defclient);
    vs_engine_use_client(e, &e->defclient);
    return VS_OK;
}

void vs_engine_release(vs_engine *e) {
    vs_clients_release(&e->clients);
    if (e->dbs)
        for (uint32_t i = 0; i < e->ndbs; i++) db_free(e->dbs[i]);
    vs_free(e->dbs);
    e->dbs = NULL;
    vs_journal_release(&e->journal);
    vs_reply_release(&e->reply);
    e->store = NULL;
}

vs_status vs_engine_db(vs_engine *e, uint32_t n, vs_store **out) {
    if (n >= e->ndbs) return VS_ERR_STATE;
    if (!e->dbs[n] && !(e->dbs[n] = db_new(e, n))) return VS_ERR_NOMEM;
    *out = &e->dbs[n]->store;
    return VS_OK;
}

void vs_engine_db_unmake(vs_engine *e, uint32_t n) {
    if (n == 0 || n >= e->ndbs || !e->dbs[n]) return;
    db_free(e->dbs[n]);
    e->dbs[n] = NULL;
}

void vs_engine_use_client(vs_engine *e, vs_client *cl) {
    e->client = cl;
    if (cl->db >= e->ndbs || !e->dbs[cl->db]) cl->db = 0; /* never expected */
    e->store = &e->dbs[cl->db]->store;
}

vs_status vs_engine_select(vs_engine *e, uint32_t n) {
    vs_store *s;
    vs_status st = vs_engine_db(e, n, &s);
    if (st != VS_OK) return st;
    e->client->db = n;
    e->store = s;
    return VS_OK;
}

vs_status vs_engine_swap(vs_engine *e, uint32_t a, uint32_t b) {
    vs_store *sa, *sb;
    int had_a = vs_engine_db_if(e, a) != NULL;
    vs_status st = vs_engine_db(e, a, &sa);
    if (st == VS_OK) st = vs_engine_db(e, b, &sb);
    if (st != VS_OK) {
        if (!had_a) vs_engine_db_unmake(e, a);
        return st;
    }
    if (a == b) return VS_OK;
    vs_clients_touch_swap(&e->clients, e, a, &sa->ks, b, &sb->ks);
    vs_database *t = e->dbs[a];
    e->dbs[a] = e->dbs[b];
    e->dbs[b] = t;
    e->dbs[a]->jtap.db = e->dbs[a]->ctap.db = e->dbs[a]->store.search.db = a;
    e->dbs[b]->jtap.db = e->dbs[b]->ctap.db = e->dbs[b]->store.search.db = b;
    e->store = &e->dbs[e->client->db]->store;
    return VS_OK;
}
