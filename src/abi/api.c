/* api.c - the public C ABI (vessel.h): open, close, exec. */
#include <stdio.h>
#include <string.h>

#include <math.h>

#include "base/alloc.h"
#include "commands/command.h"
#include "commands/commands.h"
#include "commands/expiry.h"
#include "data/expires.h"
#include "query/expr.h"
#include "abi/db.h"
#include "abi/vessel.h"

vs_db *vs_open(const vs_options *opt) {
    vs_db *db = vs_calloc(1, sizeof *db);
    if (!db) return NULL;
    if (vs_engine_init(&db->eng, opt ? opt->maxmemory : 0, opt ? opt->seed : 0, opt ? opt->databases : 0) != VS_OK) {
        vs_free(db);
        return NULL;
    }
    return db;
}

void vs_close(vs_db *db) {
    if (!db) return;
    for (uint32_t i = 0; i < db->nclients; i++) vs_client_close(db, (int)i + 1);
    vs_free(db->clients);
    vs_snap_write_end(db->saver);
    vs_snap_read_abort(db->loader);
    vs_rdb_write_end(db->rdb_saver);
    vs_rdb_read_abort(db->rdb_loader);
    vs_free(db->replay.buf);
    vs_engine_release(&db->eng);
    vs_free(db->batch.buf);
    vs_free(db);
}

int vs_exec(vs_db *db, int argc, const uint8_t *const *argv, const size_t *argvlen, int proto) {
    vs_reply_reset(&db->eng.reply, proto);
    return (int)vs_command_exec(&db->eng, argc, argv, argvlen);
}

const uint8_t *vs_reply_data(const vs_db *db) { return db->eng.reply.buf; }
size_t vs_reply_len(const vs_db *db) { return db->eng.reply.len; }
size_t vs_used_memory(void) { return vs_mem_used(); }

void *vs_buffer_alloc(size_t n) { return vs_transport_alloc(n); }
void vs_buffer_free(void *p) { vs_transport_free(p); }

unsigned long vs_fault_inject(unsigned long n, int persist) {
    unsigned long f = vs_mem_faults();
    vs_mem_inject(n, persist);
    return f;
}

/* Backfill, one database at a time (the first busy one gets the budget);
 * 1 while any database has work left. */
int vs_step(vs_db *db, unsigned budget) {
    int stepped = 0, more = 0;
    for (uint32_t d = 0; d < db->eng.ndbs; d++) {
        vs_store *s = vs_engine_db_if(&db->eng, d);
        if (!s || !vs_search_busy(&s->search)) continue;
        if (stepped) return 1;
        stepped = 1;
        more = vs_search_step(&s->search, budget);
    }
    return more;
}

/* ---- expiry ---------------------------------------------------------------- */

/* The engine's mode: the embedder's, held to hiding while a save streams. */
static void apply_expire_mode(vs_db *db) {
    int m = db->expire_mode;
    if ((db->saver || db->rdb_saver) && m == VS_EXPIRE_ACTIVE) m = VS_EXPIRE_HIDE;
    db->eng.expire_mode = m;
}
void vs_db_apply_expire_mode(vs_db *db) { apply_expire_mode(db); }

void vs_set_time(vs_db *db, double now_ms, int mode) {
    if (now_ms >= -9007199254740992.0 && now_ms <= 9007199254740992.0) db->eng.now = (int64_t)now_ms;
    db->expire_mode = mode == VS_EXPIRE_HIDE ? VS_EXPIRE_HIDE : VS_EXPIRE_ACTIVE;
    apply_expire_mode(db);
}

int vs_expire_step(vs_db *db, unsigned budget) {
    if (db->loader || db->rdb_loader) return 0;
    apply_expire_mode(db);
    return vs_expire_cycle(&db->eng, budget, NULL);
}

double vs_expire_next(const vs_db *db) {
    int64_t t = VS_NO_EXPIRE;
    for (uint32_t d = 0; d < db->eng.ndbs; d++) {
        vs_store *s = vs_engine_db_if(&db->eng, d);
        int64_t n = s ? vs_exp_next(&s->ks) : VS_NO_EXPIRE;
        if (n != VS_NO_EXPIRE && (t == VS_NO_EXPIRE || n < t)) t = n;
    }
    return t == VS_NO_EXPIRE ? INFINITY : (double)t;
}

double vs_expire_stat(const vs_db *db, int which) {
    switch (which) {
    case 0: {
        double n = 0;
        for (uint32_t d = 0; d < db->eng.ndbs; d++) {
            vs_store *s = vs_engine_db_if(&db->eng, d);
            if (s) n += vs_exp_count(&s->ks);
        }
        return n;
    }
    case 1: return (double)db->eng.stat_expired;
    }
    return 0;
}

/* ---- search.emulate-release's counters --------------------------------------- */

int vs_compat_info(vs_db *db) {
    vs_engine *eng = &db->eng;
    const vs_compat *c = &eng->compat;
    vs_err_clear(&eng->err);
    vs_reply_reset(&eng->reply, 2);
    size_t n = 0;
    for (int i = 0; i < VS_COMPAT_NSITES; i++) n += (c->reached >> i) & 1u;
    vs_reply_array(&eng->reply, n);
    for (int i = 0; i < VS_COMPAT_NSITES; i++) {
        if (!((c->reached >> i) & 1u)) continue;
        char line[128];
        int len = snprintf(line, sizeof line, "search_compatibility-%s:%llu", vs_compat_label(i),
                           (unsigned long long)c->legacy[i]);
        vs_reply_bulk(&eng->reply, (const uint8_t *)line, (size_t)len);
    }
    if (eng->reply.failed) {
        vs_command_reply_error(eng, 0, VS_ERR_NOMEM);
        return vs_db_fail(db, VS_ERR_NOMEM);
    }
    return 0;
}

/* ---- databases -------------------------------------------------------------- */

int vs_databases(const vs_db *db) { return (int)db->eng.ndbs; }

double vs_db_stat(const vs_db *db, int n, int which) {
    vs_store *s = n >= 0 ? vs_engine_db_if(&db->eng, (uint32_t)n) : NULL;
    if (!s) return which == 0 ? -1 : 0;
    const vs_keyspace *ks = &s->ks;
    switch (which) {
    case 0: return (double)ks->count;
    case 1: return (double)vs_exp_count(ks);
    case 2: { /* average time to live (ms) of at most 1024 keys with one, as INFO's avg_ttl */
        uint32_t k = VS_MIN(vs_exp_count(ks), 1024u);
        double sum = 0;
        uint32_t m = 0;
        for (uint32_t i = 0; i < k; i++) {
            int64_t left = ks->exp.when[i] - db->eng.now;
            if (left > 0) {
                sum += (double)left;
                m++;
            }
        }
        return m ? floor(sum / m) : 0;
    }
    case 3: return (double)s->search.n;
    }
    return 0;
}

int vs_client_db(const vs_db *db) { return (int)db->eng.client->db; }

/* ---- snapshots, journal, replay ------------------------------------------ */

static int fail_with(vs_db *db, vs_status st) {
    if (db->eng.err.code != st) vs_err_code(&db->eng.err, st);
    return (int)st;
}
int vs_db_fail(vs_db *db, vs_status st) { return fail_with(db, st); }

const char *vs_error_text(const vs_db *db) { return db->eng.err.code == VS_OK ? "" : vs_err_text(&db->eng.err); }

int vs_save_begin(vs_db *db) {
    vs_err_clear(&db->eng.err);
    if (db->saver || db->loader || db->rdb_saver || db->rdb_loader)
        return fail_with(db, vs_err_set(&db->eng.err, VS_ERR_STATE, "ERR a save or load is in progress"));
    vs_store **stores = vs_calloc(db->eng.ndbs, sizeof *stores);
    if (!stores) return fail_with(db, VS_ERR_NOMEM);
    for (uint32_t d = 0; d < db->eng.ndbs; d++) stores[d] = vs_engine_db_if(&db->eng, d);
    vs_status st = vs_snap_write_begin(stores, db->eng.ndbs, VESSEL_VERSION, &db->saver);
    vs_free(stores);
    apply_expire_mode(db);
    return st == VS_OK ? 0 : fail_with(db, st);
}

double vs_save_size(const vs_db *db) { return db->saver ? (double)vs_snap_write_size(db->saver) : 0; }

long vs_save_next(vs_db *db, uint8_t *buf, size_t cap) {
    if (!db->saver) return fail_with(db, vs_err_set(&db->eng.err, VS_ERR_STATE, "ERR no save in progress"));
    size_t n = 0;
    vs_status st = vs_snap_write_next(db->saver, buf, cap, &n);
    return st == VS_OK ? (long)n : fail_with(db, st);
}

void vs_save_end(vs_db *db) {
    vs_snap_write_end(db->saver);
    db->saver = NULL;
    apply_expire_mode(db);
}

int vs_load_begin(vs_db *db, double size) {
    vs_err_clear(&db->eng.err);
    if (db->saver || db->loader || db->rdb_saver || db->rdb_loader)
        return fail_with(db, vs_err_set(&db->eng.err, VS_ERR_STATE, "ERR a save or load is in progress"));
    if (!(size >= 0 && size <= 9007199254740992.0))
        return fail_with(db, vs_err_set(&db->eng.err, VS_ERR, "ERR the snapshot size must be a non-negative integer"));
    vs_status st = vs_snap_read_begin(db->eng.seed, db->eng.ndbs, (uint64_t)size, &db->loader, &db->eng.err);
    return st == VS_OK ? 0 : fail_with(db, st);
}

int vs_load_feed(vs_db *db, const uint8_t *p, size_t n) {
    if (!db->loader) return fail_with(db, vs_err_set(&db->eng.err, VS_ERR_STATE, "ERR no load in progress"));
    vs_status st = vs_snap_read_feed(db->loader, p, n, &db->eng.err);
    return st == VS_OK ? 0 : fail_with(db, st);
}

int vs_load_end(vs_db *db) {
    if (!db->loader) return fail_with(db, vs_err_set(&db->eng.err, VS_ERR_STATE, "ERR no load in progress"));
    vs_snap_reader *r = db->loader;
    db->loader = NULL;
    vs_status st = vs_snap_read_end(r, &db->eng, &db->eng.err);
    /* Every key may have changed: watchers see it (as Redis after a
     * replication load). */
    if (st == VS_OK) vs_clients_touch_all(&db->eng.clients);
    return st == VS_OK ? 0 : fail_with(db, st);
}

void vs_load_abort(vs_db *db) {
    vs_snap_read_abort(db->loader);
    db->loader = NULL;
}

int vs_journal_enable(vs_db *db, int on) {
    db->eng.journal.enabled = on ? 1 : 0;
    return 0;
}
const uint8_t *vs_journal_data(const vs_db *db) { return db->eng.journal.buf; }
size_t vs_journal_len(const vs_db *db) { return db->eng.journal.len; }
void vs_journal_drain(vs_db *db, size_t n) { vs_journal_consume(&db->eng.journal, n); }
double vs_journal_lost(const vs_db *db) { return (double)db->eng.journal.lost; }

void vs_journal_restart_chain(vs_db *db) { vs_journal_restart(&db->eng.journal, 0); }
void vs_journal_reselect_db(vs_db *db) { vs_journal_reselect(&db->eng.journal); }

int vs_journal_replay_begin(vs_db *db, int format) {
    vs_err_clear(&db->eng.err);
    return (int)vs_replay_begin(&db->replay, &db->eng, format);
}

int vs_journal_replay_feed(vs_db *db, const uint8_t *p, size_t n) {
    vs_status st = vs_replay_feed(&db->replay, &db->eng, p, n, &db->eng.err);
    return st == VS_OK ? 0 : fail_with(db, st);
}

int vs_journal_replay_end(vs_db *db, int keep_prefix) {
    uint64_t valid = 0, torn = 0;
    vs_status st = vs_replay_end(&db->replay, &db->eng, keep_prefix, &valid, &torn, &db->eng.err);
    db->replay_valid = valid;
    db->replay_torn = torn;
    return st == VS_OK ? 0 : fail_with(db, st);
}

double vs_journal_replay_stat(const vs_db *db, int which) {
    switch (which) {
    case 0: return (double)db->replay_valid;
    case 1: return (double)db->replay_torn;
    case 2: return (double)db->replay.applied;
    case 3: return (double)db->replay.failed;
    }
    return 0;
}

int vs_command_flags(const uint8_t *name, size_t len) {
    const vs_command *c = vs_command_lookup(name, len);
    return c ? (int)(c->flags & 0x3ff) : -1;
}

/* ---- clients ------------------------------------------------------------- */

int vs_client_open(vs_db *db) {
    uint32_t slot = 0;
    while (slot < db->nclients && db->clients[slot]) slot++;
    if (slot == db->nclients) {
        if (db->nclients >= (1u << 30)) return VS_ERR_LIMIT;
        vs_client **t = vs_realloc(db->clients, (size_t)(db->nclients + 1) * sizeof *t);
        if (!t) return VS_ERR_NOMEM;
        db->clients = t;
        t[db->nclients] = NULL;
    }
    vs_client *cl = vs_malloc(sizeof *cl);
    if (!cl) return VS_ERR_NOMEM;
    vs_client_init(&db->eng.clients, cl);
    db->clients[slot] = cl;
    if (slot == db->nclients) db->nclients++;
    return (int)slot + 1;
}

static vs_client *client_of(const vs_db *db, int id) {
    if (id == 0) return (vs_client *)&db->eng.defclient;
    if (id < 0 || (uint32_t)id > db->nclients) return NULL;
    return db->clients[id - 1];
}

void vs_client_close(vs_db *db, int id) {
    vs_client *cl = id > 0 ? client_of(db, id) : NULL;
    if (!cl) return;
    if (db->eng.client == cl) vs_engine_use_client(&db->eng, &db->eng.defclient);
    vs_client_release(&db->eng.clients, cl);
    vs_free(cl);
    db->clients[id - 1] = NULL;
}

int vs_client_select(vs_db *db, int id) {
    vs_client *cl = client_of(db, id);
    if (!cl) return VS_ERR_STATE;
    vs_engine_use_client(&db->eng, cl);
    return 0;
}

int vs_client_state(const vs_db *db) {
    const vs_client *cl = db->eng.client;
    return (int)((cl->flags & 0xff) | (cl->qflags & 0x3ff) << 8);
}

void vs_client_reject(vs_db *db) { vs_client_flag_error(db->eng.client); }

/* RESET: the transaction and watches dropped, database 0 selected. */
void vs_client_reset(vs_db *db) {
    vs_client_discard(&db->eng.clients, db->eng.client);
    (void)vs_engine_select(&db->eng, 0); /* database 0 exists: never fails */
}

int vs_client_queue_placeholder(vs_db *db) { return vs_client_queue_frontend(&db->eng); }
