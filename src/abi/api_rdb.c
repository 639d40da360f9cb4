/* api_rdb.c - the RDB part of the public ABI (vessel.h, "RDB"): exporting
 * the store as a Redis dump file, importing one, and the index
 * definitions as an FT.CREATE script.
 *
 * Invariants: at most one of db->saver, loader, rdb_saver, rdb_loader is
 * set (each begin refuses while another is); while rdb_saver is set the
 * engine's expiry mode is at most HIDE (vs_db_apply_expire_mode), so no
 * key is deleted by expiry while the writer reads the live store. */
#include "abi/db.h"
#include "abi/vessel.h"
#include "commands/command.h"
#include "persist/rdb.h"
#include "query/ft_index.h"

/* ---- export (RDB writing) -------------------------------------------------- */

int vs_rdb_save_begin(vs_db *db) {
    vs_err_clear(&db->eng.err);
    if (db->saver || db->loader || db->rdb_saver || db->rdb_loader)
        return vs_db_fail(db, vs_err_set(&db->eng.err, VS_ERR_STATE, "ERR a save or load is in progress"));
    vs_status st = vs_rdb_write_begin(&db->eng.store, db->eng.now, VESSEL_VERSION, &db->rdb_saver);
    vs_db_apply_expire_mode(db);
    return st == VS_OK ? 0 : vs_db_fail(db, st);
}

long vs_rdb_save_next(vs_db *db, uint8_t *buf, size_t cap) {
    if (!db->rdb_saver)
        return vs_db_fail(db, vs_err_set(&db->eng.err, VS_ERR_STATE, "ERR no RDB save in progress"));
    if (cap < 16) /* so 0 bytes always means the end */
        return vs_db_fail(db, vs_err_set(&db->eng.err, VS_ERR, "ERR the buffer must hold at least 16 bytes"));
    size_t n = 0;
    vs_status st = vs_rdb_write_next(db->rdb_saver, buf, cap, &n);
    if (st == VS_ERR_STATE)
        return vs_db_fail(db, vs_err_set(&db->eng.err, st, "ERR the store changed during the RDB save"));
    return st == VS_OK ? (long)n : vs_db_fail(db, st);
}

void vs_rdb_save_end(vs_db *db) {
    vs_rdb_write_end(db->rdb_saver);
    db->rdb_saver = NULL;
    vs_db_apply_expire_mode(db);
}

double vs_rdb_save_stat(const vs_db *db, int which) {
    return db->rdb_saver ? (double)vs_rdb_write_stat(db->rdb_saver, which) : 0;
}

/* ---- the index definitions --------------------------------------------------- */

int vs_index_script(vs_db *db) {
    vs_engine *eng = &db->eng;
    const vs_search *s = &eng->store.search;
    vs_err_clear(&eng->err);
    vs_reply_reset(&eng->reply, 2);
    vs_reply_array(&eng->reply, s->n);
    for (uint32_t i = 0; i < s->n; i++) {
        const vs_schema *sc = &s->idx[i]->schema;
        vs_reply_array(&eng->reply, 1 + (size_t)sc->nargs);
        vs_reply_cstr(&eng->reply, "FT.CREATE");
        for (uint32_t a = 0; a < sc->nargs; a++) vs_reply_bulk(&eng->reply, sc->args[a], sc->arglen[a]);
    }
    if (eng->reply.failed) {
        vs_command_reply_error(eng, 0, VS_ERR_NOMEM);
        return vs_db_fail(db, VS_ERR_NOMEM);
    }
    return 0;
}

/* ---- import (RDB reading) ------------------------------------------------------ */
