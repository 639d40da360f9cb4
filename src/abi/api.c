/* api.c - the public C ABI (vessel.h): open, close, exec. */
#include <string.h>

#include "base/alloc.h"
#include "commands/command.h"
#include "commands/db.h"
#include "persist/snapshot.h"
#include "abi/vessel.h"

vs_db *vs_open(const vs_options *opt) {
    vs_db *db = vs_calloc(1, sizeof *db);
    if (!db) return NULL;
    if (opt) {
        db->maxmemory = opt->maxmemory;
        db->seed = opt->seed;
    }
    if (vs_ks_init(&db->ks) != VS_OK || vs_reply_init(&db->reply) != VS_OK ||
        vs_search_init(&db->search, &db->ks, db->seed) != VS_OK || vs_journal_init(&db->journal, &db->ks) != VS_OK) {
        vs_journal_release(&db->journal);
        vs_search_release(&db->search);
        vs_reply_release(&db->reply);
        vs_ks_release(&db->ks);
        vs_free(db);
        return NULL;
    }
    return db;
}

void vs_close(vs_db *db) {
    if (!db) return;
    vs_snap_write_end(db->saver);
    vs_snap_read_abort(db->loader);
    vs_free(db->replay.buf);
    vs_journal_release(&db->journal);
    vs_search_release(&db->search);
    vs_ks_release(&db->ks);
    vs_reply_release(&db->reply);
    vs_free(db->batch.buf);
    vs_free(db);
}

int vs_exec(vs_db *db, int argc, const uint8_t *const *argv, const size_t *argvlen, int proto) {
    vs_reply_reset(&db->reply, proto);
    return (int)vs_command_exec(db, argc, argv, argvlen);
}

const uint8_t *vs_reply_data(const vs_db *db) { return db->reply.buf; }
size_t vs_reply_len(const vs_db *db) { return db->reply.len; }
size_t vs_used_memory(void) { return vs_mem_used(); }

void *vs_buffer_alloc(size_t n) { return vs_transport_alloc(n); }
void vs_buffer_free(void *p) { vs_transport_free(p); }

unsigned long vs_fault_inject(unsigned long n, int persist) {
    unsigned long f = vs_mem_faults();
    vs_mem_inject(n, persist);
    return f;
}

int vs_step(vs_db *db, unsigned budget) { return vs_search_step(&db->search, budget); }

void vs_db_adopt(vs_db *dst, vs_db *src) {
    /* Drop dst's data, keep its settings, reply, journal buffer. */
    vs_search_release(&dst->search);
    vs_ks_release(&dst->ks);
    uint32_t seed = dst->seed;
    dst->ks = src->ks;
    dst->search = src->search;
    dst->search.seed = seed;
    dst->ks.nsubs = 0;
    /* Cannot fail: the subscriber table was just emptied. */
    (void)vs_search_attach(&dst->search, &dst->ks);
    (void)vs_journal_attach(&dst->journal, &dst->ks);
    /* src: an empty store again. */
    vs_ks_init(&src->ks);
    (void)vs_search_init(&src->search, &src->ks, src->seed);
    src->journal.ks = NULL; /* its subscription went with the old keyspace */
    (void)vs_journal_attach(&src->journal, &src->ks);
}

/* ---- snapshots, journal, replay ------------------------------------------ */

static int fail_with(vs_db *db, vs_status st) {
    if (db->err.code != st) vs_err_code(&db->err, st);
    return (int)st;
}

const char *vs_error_text(const vs_db *db) { return db->err.code == VS_OK ? "" : vs_err_text(&db->err); }

int vs_save_begin(vs_db *db) {
    vs_err_clear(&db->err);
    if (db->saver || db->loader) return fail_with(db, vs_err_set(&db->err, VS_ERR_STATE, "ERR a save or load is in progress"));
    vs_status st = vs_snap_write_begin(db, &db->saver);
    return st == VS_OK ? 0 : fail_with(db, st);
}

double vs_save_size(const vs_db *db) { return db->saver ? (double)vs_snap_write_size(db->saver) : 0; }

long vs_save_next(vs_db *db, uint8_t *buf, size_t cap) {
    if (!db->saver) return fail_with(db, vs_err_set(&db->err, VS_ERR_STATE, "ERR no save in progress"));
    size_t n = 0;
    vs_status st = vs_snap_write_next(db->saver, buf, cap, &n);
    return st == VS_OK ? (long)n : fail_with(db, st);
}

void vs_save_end(vs_db *db) {
    vs_snap_write_end(db->saver);
    db->saver = NULL;
}

int vs_load_begin(vs_db *db, double size) {
    vs_err_clear(&db->err);
    if (db->saver || db->loader) return fail_with(db, vs_err_set(&db->err, VS_ERR_STATE, "ERR a save or load is in progress"));
    if (!(size >= 0 && size <= 9007199254740992.0))
        return fail_with(db, vs_err_set(&db->err, VS_ERR, "ERR the snapshot size must be a non-negative integer"));
    vs_status st = vs_snap_read_begin(db, (uint64_t)size, &db->loader, &db->err);
    return st == VS_OK ? 0 : fail_with(db, st);
}

int vs_load_feed(vs_db *db, const uint8_t *p, size_t n) {
    if (!db->loader) return fail_with(db, vs_err_set(&db->err, VS_ERR_STATE, "ERR no load in progress"));
    vs_status st = vs_snap_read_feed(db->loader, p, n, &db->err);
    return st == VS_OK ? 0 : fail_with(db, st);
}

int vs_load_end(vs_db *db) {
    if (!db->loader) return fail_with(db, vs_err_set(&db->err, VS_ERR_STATE, "ERR no load in progress"));
    vs_snap_reader *r = db->loader;
    db->loader = NULL;
    vs_status st = vs_snap_read_end(r, &db->err);
    return st == VS_OK ? 0 : fail_with(db, st);
}

void vs_load_abort(vs_db *db) {
    vs_snap_read_abort(db->loader);
    db->loader = NULL;
}

int vs_journal_enable(vs_db *db, int on) {
    db->journal.enabled = on ? 1 : 0;
    return 0;
}
const uint8_t *vs_journal_data(const vs_db *db) { return db->journal.buf; }
size_t vs_journal_len(const vs_db *db) { return db->journal.len; }
void vs_journal_drain(vs_db *db, size_t n) { vs_journal_consume(&db->journal, n); }
double vs_journal_lost(const vs_db *db) { return (double)db->journal.lost; }

void vs_journal_restart_chain(vs_db *db) { vs_journal_restart(&db->journal, 0); }

int vs_journal_replay_begin(vs_db *db, int format) {
    vs_err_clear(&db->err);
    return (int)vs_replay_begin(db, format);
}

int vs_journal_replay_feed(vs_db *db, const uint8_t *p, size_t n) {
    vs_status st = vs_replay_feed(db, p, n, &db->err);
    return st == VS_OK ? 0 : fail_with(db, st);
}

int vs_journal_replay_end(vs_db *db, int keep_prefix) {
    uint64_t valid = 0, torn = 0;
    vs_status st = vs_replay_end(db, keep_prefix, &valid, &torn, &db->err);
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
    return c ? (int)(c->flags & 0x3f) : -1;
}
