/* api_rdb.c - the RDB part of the public ABI (vessel.h, "RDB"): exporting
 * the store as a Redis dump file, importing one, and the index
 * definitions as a script (FT.CREATE, FT.ALIASADD).
 *
 * Invariants: at most one of db->saver, loader, rdb_saver, rdb_loader is
 * set (each begin refuses while another is); while rdb_saver is set the
 * engine's expiry mode is at most HIDE (vs_db_apply_expire_mode), so no
 * key is deleted by expiry while the writer reads the live store.  A load
 * builds a keyspace of its own (and vs_expire_step does nothing while
 * rdb_loader is set); only vs_rdb_load_end puts it in the store. */
#include "abi/db.h"
#include "base/alloc.h"
#include "abi/vessel.h"
#include "commands/client.h"
#include "commands/command.h"
#include "persist/rdb.h"
#include "query/ft_index.h"
#include "query/registry.h"

/* ---- export (RDB writing) -------------------------------------------------- */

int vs_rdb_save_begin(vs_db *db) {
    vs_err_clear(&db->eng.err);
    if (db->saver || db->loader || db->rdb_saver || db->rdb_loader)
        return vs_db_fail(db, vs_err_set(&db->eng.err, VS_ERR_STATE, "ERR a save or load is in progress"));
    vs_store **stores = vs_calloc(db->eng.ndbs, sizeof *stores);
    if (!stores) return vs_db_fail(db, VS_ERR_NOMEM);
    for (uint32_t d = 0; d < db->eng.ndbs; d++) stores[d] = vs_engine_db_if(&db->eng, d);
    vs_status st = vs_rdb_write_begin(stores, db->eng.ndbs, db->eng.now, VESSEL_VERSION, &db->rdb_saver);
    vs_free(stores);
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

/* FT.ALIASADD alias index */
static void alias_line(vs_reply *r, const vs_alias *a) {
    vs_reply_array(r, 3);
    vs_reply_cstr(r, "FT.ALIASADD");
    vs_reply_bulk(r, a->name, a->len);
    vs_reply_bulk(r, a->x->schema.name, a->x->schema.nlen);
}

/* Every database's FT.CREATE and FT.ALIASADD commands; before those of a
 * database other than 0 a SELECT of it, and a SELECT 0 at the end when one
 * was written (the script leaves the connection where it found it:
 * database 0).  An alias an index hides (created after it under its name)
 * was added before that index was created: so in the script; the others
 * follow their database's FT.CREATEs. */
int vs_index_script(vs_db *db) {
    vs_engine *eng = &db->eng;
    vs_err_clear(&eng->err);
    vs_reply_reset(&eng->reply, 2);
    size_t n = 0;
    int selected = 0;
    for (uint32_t d = 0; d < eng->ndbs; d++) {
        const vs_store *st = vs_engine_db_if(eng, d);
        if (!st || !st->search.n) continue;
        n += st->search.n + st->search.nalias + (d != 0);
        selected |= d != 0;
    }
    vs_reply_array(&eng->reply, n + (size_t)selected);
    for (uint32_t d = 0; d < eng->ndbs; d++) {
        const vs_store *st = vs_engine_db_if(eng, d);
        if (!st || !st->search.n) continue;
        if (d) {
            vs_reply_array(&eng->reply, 2);
            vs_reply_cstr(&eng->reply, "SELECT");
            vs_reply_bulk_ll(&eng->reply, d);
        }
        const vs_search *s = &st->search;
        for (uint32_t i = 0; i < s->n; i++) {
            const vs_schema *sc = &s->idx[i]->schema;
            int hidden = vs_search_alias_pos(s, sc->name, sc->nlen);
            if (hidden >= 0) alias_line(&eng->reply, &s->alias[hidden]);
            vs_reply_array(&eng->reply, 1 + (size_t)sc->nargs);
            vs_reply_cstr(&eng->reply, "FT.CREATE");
            for (uint32_t a = 0; a < sc->nargs; a++) vs_reply_bulk(&eng->reply, sc->args[a], sc->arglen[a]);
        }
        for (uint32_t i = 0; i < s->nalias; i++)
            if (!vs_search_find_index(s, s->alias[i].name, s->alias[i].len)) alias_line(&eng->reply, &s->alias[i]);
    }
    if (selected) {
        vs_reply_array(&eng->reply, 2);
        vs_reply_cstr(&eng->reply, "SELECT");
        vs_reply_cstr(&eng->reply, "0");
    }
    if (eng->reply.failed) {
        vs_command_reply_error(eng, 0, VS_ERR_NOMEM);
        return vs_db_fail(db, VS_ERR_NOMEM);
    }
    return 0;
}

/* ---- import (RDB reading) ------------------------------------------------------ */

int vs_rdb_load_begin(vs_db *db, double size, int flags) {
    vs_err_clear(&db->eng.err);
    if (db->saver || db->loader || db->rdb_saver || db->rdb_loader)
        return vs_db_fail(db, vs_err_set(&db->eng.err, VS_ERR_STATE, "ERR a save or load is in progress"));
    if (!(size >= 0 && size <= 9007199254740992.0))
        return vs_db_fail(db, vs_err_set(&db->eng.err, VS_ERR, "ERR the RDB file size must be a non-negative integer"));
    uint64_t keys = 0;
    for (uint32_t d = 0; d < db->eng.ndbs; d++) {
        vs_store *s = vs_engine_db_if(&db->eng, d);
        if (s) keys += s->ks.count;
    }
    if (!(flags & 1) && keys > 0)
        return vs_db_fail(db, vs_err_set(&db->eng.err, VS_ERR,
                                         "ERR the store is not empty (%llu keys); load with replace to replace them",
                                         (unsigned long long)keys));
    vs_status st = vs_rdb_read_begin((uint64_t)size, db->eng.now, db->eng.ndbs, &db->rdb_loader, &db->eng.err);
    return st == VS_OK ? 0 : vs_db_fail(db, st);
}

int vs_rdb_load_feed(vs_db *db, const uint8_t *p, size_t n) {
    if (!db->rdb_loader) return vs_db_fail(db, vs_err_set(&db->eng.err, VS_ERR_STATE, "ERR no RDB load in progress"));
    vs_status st = vs_rdb_read_feed(db->rdb_loader, p, n, &db->eng.err);
    return st == VS_OK ? 0 : vs_db_fail(db, st);
}

int vs_rdb_load_end(vs_db *db) {
    if (!db->rdb_loader) return vs_db_fail(db, vs_err_set(&db->eng.err, VS_ERR_STATE, "ERR no RDB load in progress"));
    vs_rdb_reader *r = db->rdb_loader;
    db->rdb_loader = NULL;
    for (int i = 0; i < VS_RDB_STAT_N; i++) db->rdb_stats[i] = vs_rdb_read_stat(r, i);
    vs_status st = vs_rdb_read_end(r, &db->eng, &db->eng.err);
    /* Every key may have changed: watchers see it (as vs_load_end). */
    if (st == VS_OK) vs_clients_touch_all(&db->eng.clients);
    return st == VS_OK ? 0 : vs_db_fail(db, st);
}

void vs_rdb_load_abort(vs_db *db) {
    vs_rdb_read_abort(db->rdb_loader);
    db->rdb_loader = NULL;
}

/* While loading: the running reader's figures; after: the last load's. */
double vs_rdb_load_stat(const vs_db *db, int which) {
    if (which < 0 || which >= VS_RDB_STAT_N) return 0;
    return db->rdb_loader ? (double)vs_rdb_read_stat(db->rdb_loader, which) : (double)db->rdb_stats[which];
}
