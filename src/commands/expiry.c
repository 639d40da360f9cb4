/* expiry.c - lazy and active expiry (see expiry.h). */
#include "commands/expiry.h"

#include "data/expires.h"
#include "data/journal.h"

int vs_expire_hidden_in(const vs_engine *eng, const vs_keyspace *ks, const vs_kentry *e) {
    return eng->expire_mode != VS_EXPIRE_OFF && vs_exp_expired(ks, e, eng->now);
}

int vs_expire_hidden(const vs_engine *eng, const vs_kentry *e) {
    return vs_expire_hidden_in(eng, &eng->store->ks, e);
}

int64_t vs_expire_horizon(const vs_engine *eng) {
    return eng->expire_mode == VS_EXPIRE_OFF ? VS_NO_EXPIRE : eng->now;
}

int vs_expire_past(const vs_engine *eng, int64_t when) {
    return eng->expire_mode != VS_EXPIRE_OFF && when <= eng->now;
}

/* Delete expired e of ks whatever the mode (journal room permitting). */
static int delete_expired(vs_engine *eng, vs_keyspace *ks, vs_kentry *e) {
    vs_journal *j = &eng->journal;
    if (j->enabled) {
        size_t lens[2] = {3, e->klen};
        if (vs_journal_reserve(j, vs_resp_command_size(2, lens) + VS_JOURNAL_SELECT_MAX + VS_JOURNAL_CHECK_LEN) !=
            VS_OK)
            return 0;
    }
    vs_ks_delete(ks, e->key, e->klen);
    eng->stat_expired++;
    return 1;
}

static int expire_delete_in(vs_engine *eng, vs_keyspace *ks, vs_kentry *e) {
    return eng->expire_mode == VS_EXPIRE_ACTIVE && delete_expired(eng, ks, e);
}

int vs_expire_delete(vs_engine *eng, vs_kentry *e) { return expire_delete_in(eng, &eng->store->ks, e); }

vs_status vs_lookup_write_in(vs_engine *eng, vs_keyspace *ks, const uint8_t *key, size_t klen, vs_kentry **out) {
    vs_kentry *e = vs_ks_find(ks, key, klen);
    *out = e;
    if (!e || !vs_expire_hidden_in(eng, ks, e)) return VS_OK;
    *out = NULL;
    return delete_expired(eng, ks, e) ? VS_OK : VS_ERR_NOMEM;
}

vs_status vs_lookup_write(vs_engine *eng, const uint8_t *key, size_t klen, vs_kentry **out) {
    return vs_lookup_write_in(eng, &eng->store->ks, key, klen, out);
}

vs_kentry *vs_lookup_in(vs_engine *eng, vs_keyspace *ks, const uint8_t *key, size_t klen) {
    vs_kentry *e = vs_ks_find(ks, key, klen);
    if (!e || !vs_expire_hidden_in(eng, ks, e)) return e;
    expire_delete_in(eng, ks, e);
    return NULL;
}

vs_kentry *vs_lookup(vs_engine *eng, const uint8_t *key, size_t klen) {
    return vs_lookup_in(eng, &eng->store->ks, key, klen);
}

int vs_expire_cycle(vs_engine *eng, uint32_t budget, uint32_t *done) {
    uint32_t n = 0;
    int more = 0;
    if (eng->expire_mode == VS_EXPIRE_ACTIVE) {
        for (uint32_t d = 0; d < eng->ndbs && !more; d++) {
            vs_store *s = vs_engine_db_if(eng, d);
            if (!s) continue;
            vs_keyspace *ks = &s->ks;
            while (vs_exp_next(ks) != VS_NO_EXPIRE && vs_exp_next(ks) <= eng->now) {
                if (n == budget) {
                    more = 1;
                    break;
                }
                if (!expire_delete_in(eng, ks, vs_exp_first(ks))) break; /* no journal room: later */
                n++;
            }
        }
        if (eng->journal.enabled) vs_journal_seal(&eng->journal);
    }
    if (done) *done = n;
    return more;
}

vs_status vs_expire_time_error(vs_ctx *c) {
    return vs_err_set(c->err, VS_ERR, "ERR invalid expire time in '%s' command", c->cmd->name);
}
