/* api_rdb.c - the RDB part of the public ABI (vessel.h, section "RDB"):
 * exporting the store as an RDB file and importing one.
 *
 * Invariant: at most one save or load (snapshot or RDB) runs at a time
 * (db.h); a load builds a keyspace of its own, and only vs_rdb_load_end
 * puts it in the store. */
#include "abi/db.h"
#include "abi/vessel.h"
#include "base/alloc.h"
#include "commands/client.h"

static int fail_rdb(vs_db *db, vs_status st) {
    if (db->eng.err.code != st) vs_err_code(&db->eng.err, st);
    return (int)st;
}

static int busy(const vs_db *db) { return db->saver || db->loader || db->rdb_saver || db->rdb_loader; }

/* ---- import ------------------------------------------------------------------ */

int vs_rdb_load_begin(vs_db *db, double size, int flags) {
    vs_err_clear(&db->eng.err);
    if (busy(db)) return fail_rdb(db, vs_err_set(&db->eng.err, VS_ERR_STATE, "ERR a save or load is in progress"));
    if (!(size >= 0 && size <= 9007199254740992.0))
        return fail_rdb(db, vs_err_set(&db->eng.err, VS_ERR, "ERR the RDB file size must be a non-negative integer"));
    uint32_t keys = db->eng.store.ks.count;
    if (!(flags & 1) && keys > 0)
        return fail_rdb(db, vs_err_set(&db->eng.err, VS_ERR,
                                       "ERR the store is not empty (%u keys); load with replace to replace them", keys));
    vs_status st = vs_rdb_read_begin((uint64_t)size, db->eng.now, &db->rdb_loader, &db->eng.err);
    return st == VS_OK ? 0 : fail_rdb(db, st);
}

int vs_rdb_load_feed(vs_db *db, const uint8_t *p, size_t n) {
    if (!db->rdb_loader) return fail_rdb(db, vs_err_set(&db->eng.err, VS_ERR_STATE, "ERR no RDB load in progress"));
    vs_status st = vs_rdb_read_feed(db->rdb_loader, p, n, &db->eng.err);
    return st == VS_OK ? 0 : fail_rdb(db, st);
}

int vs_rdb_load_end(vs_db *db) {
    if (!db->rdb_loader) return fail_rdb(db, vs_err_set(&db->eng.err, VS_ERR_STATE, "ERR no RDB load in progress"));
    vs_rdb_reader *r = db->rdb_loader;
    db->rdb_loader = NULL;
    for (int i = 0; i < VS_RDB_STAT_N; i++) db->rdb_stats[i] = vs_rdb_read_stat(r, i);
    vs_status st = vs_rdb_read_end(r, &db->eng.store, &db->eng.err);
    /* Every key may have changed: watchers see it (as vs_load_end). */
    if (st == VS_OK) vs_clients_touch_all(&db->eng.clients);
    return st == VS_OK ? 0 : fail_rdb(db, st);
}

void vs_rdb_load_abort(vs_db *db) {
    vs_rdb_read_abort(db->rdb_loader);
    db->rdb_loader = NULL;
}

double vs_rdb_load_stat(const vs_db *db, int which) {
    if (which < 0 || which >= VS_RDB_STAT_N) return 0;
    return db->rdb_loader ? (double)vs_rdb_read_stat(db->rdb_loader, which) : (double)db->rdb_stats[which];
}
