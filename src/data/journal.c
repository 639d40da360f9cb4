/* journal.c - the change journal (see journal.h). */
#include "data/journal.h"

#include <string.h>

#include "base/alloc.h"
#include "base/checksum.h"
#include "base/util.h"

#define CMD(s) (const uint8_t *)(s), sizeof(s) - 1

static size_t digits(size_t v) {
    size_t d = 1;
    while (v >= 10) {
        v /= 10;
        d++;
    }
    return d;
}

size_t vs_resp_command_size(int argc, const size_t *lens) {
    size_t n = 3 + digits((size_t)argc);
    for (int i = 0; i < argc; i++) n += 5 + digits(lens[i]) + lens[i];
    return n;
}

vs_status vs_journal_reserve(vs_journal *j, size_t n) {
    return vs_grow_bytes(&j->buf, &j->cap, j->len + n + j->hold, 4096) ? VS_OK : VS_ERR_NOMEM;
}

vs_status vs_journal_reserve_command(vs_journal *j, int argc, const size_t *lens) {
    if (!j->enabled) return VS_OK;
    /* Removals may name two databases (MOVE): a SELECT for each. */
    return vs_journal_reserve(j, vs_resp_command_size(argc, lens) + 32 * (size_t)argc + 64 + VS_JOURNAL_CHECK_LEN +
                                     2 * VS_JOURNAL_SELECT_MAX);
}

static void put_header(vs_journal *j, char type, size_t v) {
    char tmp[24];
    int n = vs_ll2str(tmp, (long long)v);
    j->buf[j->len++] = (uint8_t)type;
    memcpy(j->buf + j->len, tmp, (size_t)n);
    j->len += (size_t)n;
    j->buf[j->len++] = '\r';
    j->buf[j->len++] = '\n';
}

static void put_bulk(vs_journal *j, const uint8_t *p, size_t n) {
    put_header(j, '$', n);
    if (n) memcpy(j->buf + j->len, p, n);
    j->len += n;
    j->buf[j->len++] = '\r';
    j->buf[j->len++] = '\n';
}

void vs_journal_append(vs_journal *j, int argc, const uint8_t *const *argv, const size_t *lens) {
    /* Room is reserved before anything changes; should a caller have
     * reserved too little, grow (or count the record lost) rather than
     * write past the buffer. */
    size_t n = vs_resp_command_size(argc, lens);
    if (j->len + n > j->cap) {
        j->unreserved++;
        if (!vs_grow_bytes(&j->buf, &j->cap, j->len + n, 4096)) {
            j->lost++;
            return;
        }
    }
    put_header(j, '*', (size_t)argc);
    for (int i = 0; i < argc; i++) put_bulk(j, argv[i], lens[i]);
}

vs_status vs_journal_tx_begin(vs_journal *j) {
    if (!j->enabled) return VS_OK;
    if (vs_journal_reserve(j, VS_JOURNAL_MULTI_LEN + VS_JOURNAL_EXEC_LEN + VS_JOURNAL_CHECK_LEN) != VS_OK)
        return VS_ERR_NOMEM;
    j->tx_start = j->len;
    const uint8_t *argv[1] = {(const uint8_t *)"MULTI"};
    size_t lens[1] = {5};
    vs_journal_append(j, 1, argv, lens);
    j->in_tx = 1;
    j->hold = VS_JOURNAL_EXEC_LEN + VS_JOURNAL_CHECK_LEN;
    return VS_OK;
}

void vs_journal_tx_end(vs_journal *j) {
    if (!j->in_tx) return;
    j->in_tx = 0;
    j->hold = 0;
    if (j->len == j->tx_start + VS_JOURNAL_MULTI_LEN) {
        j->len = j->tx_start; /* wrote nothing: no MULTI either */
        return;
    }
    const uint8_t *argv[1] = {(const uint8_t *)"EXEC"};
    size_t lens[1] = {4};
    vs_journal_append(j, 1, argv, lens); /* room held since tx_begin */
}

void vs_journal_seal(vs_journal *j) {
    if (j->in_tx || j->mark >= j->len) return;
    if (j->len + VS_JOURNAL_CHECK_LEN > j->cap && vs_journal_reserve(j, VS_JOURNAL_CHECK_LEN) != VS_OK) {
        j->lost++; /* never expected: room for the check is reserved with the records */
        return;
    }
    uint64_t h = vs_xxh64(j->buf + j->mark, j->len - j->mark, j->chain);
    static const char hex[] = "0123456789abcdef";
    char tag[26];
    memcpy(tag, VS_JOURNAL_CHECK_TAG, 10);
    for (int i = 0; i < 16; i++) tag[10 + i] = hex[(h >> (60 - 4 * i)) & 15];
    put_header(j, '*', 2);
    put_bulk(j, CMD("PING"));
    put_bulk(j, (const uint8_t *)tag, sizeof tag);
    j->chain = h;
    j->mark = j->len;
}

void vs_journal_restart(vs_journal *j, uint64_t chain) {
    j->chain = chain;
    j->mark = j->len;
    vs_journal_reselect(j);
}

void vs_journal_reselect(vs_journal *j) {
    if (j->multi) j->db = -1;
}

/* Size of `SELECT db` (and its bytes when write is set) if db is not the
 * last record's database. */
static size_t select_record(vs_journal *j, uint32_t db, int write) {
    if (j->db == (long long)db) return 0;
    char num[16];
    const uint8_t *argv[2] = {(const uint8_t *)"SELECT", (const uint8_t *)num};
    size_t lens[2] = {6, (size_t)vs_ll2str(num, (long long)db)};
    if (write) {
        vs_journal_append(j, 2, argv, lens);
        j->db = db;
        if (db) j->multi = 1;
    }
    return vs_resp_command_size(2, lens);
}

void vs_journal_select(vs_journal *j, uint32_t db) {
    if (j->enabled) select_record(j, db, 1);
}

void vs_journal_consume(vs_journal *j, size_t n) {
    if (n >= j->len) {
        j->len = 0;
    } else {
        memmove(j->buf, j->buf + n, j->len - n);
        j->len -= n;
    }
    j->mark = j->mark > n ? j->mark - n : 0;
}

/* ---- records of keyspace changes ---------------------------------------- */

/* Size (and, when write is set, the bytes) of the records for a change. */
static size_t record(vs_journal *j, const vs_change *ch, int write) {
    size_t total = 0;
    switch (ch->kind) {
    case VS_CHANGE_HASH: {
        /* HSET of the fields set, HDEL of the fields deleted. */
        uint32_t nset = 0, ndel = 0;
        size_t set_body = 0, del_body = 0;
        for (uint32_t i = 0; i < ch->view.nops; i++) {
            const vs_hash_op *op = &ch->view.ops[i];
            if (op->nf) {
                nset++;
                set_body += 10 + digits(op->flen) + op->flen + digits(op->nf->vlen) + op->nf->vlen;
            } else if (op->old) {
                ndel++;
                del_body += 5 + digits(op->flen) + op->flen;
            }
        }
        size_t key = 5 + digits(ch->klen) + ch->klen;
        if (nset) total += 3 + digits(2 + 2 * (size_t)nset) + 10 + key + set_body;
        if (ndel) total += 3 + digits(2 + (size_t)ndel) + 10 + key + del_body;
        if (!write) return total;
        if (nset) {
            put_header(j, '*', 2 + 2 * (size_t)nset);
            put_bulk(j, CMD("HSET"));
            put_bulk(j, ch->key, ch->klen);
            for (uint32_t i = 0; i < ch->view.nops; i++) {
                const vs_hash_op *op = &ch->view.ops[i];
                if (!op->nf) continue;
                put_bulk(j, op->field, op->flen);
                put_bulk(j, vs_hfield_value(op->nf), op->nf->vlen);
            }
        }
        if (ndel) {
            put_header(j, '*', 2 + (size_t)ndel);
            put_bulk(j, CMD("HDEL"));
            put_bulk(j, ch->key, ch->klen);
            for (uint32_t i = 0; i < ch->view.nops; i++) {
                const vs_hash_op *op = &ch->view.ops[i];
                if (!op->nf && op->old) put_bulk(j, op->field, op->flen);
            }
        }
        return total;
    }
    case VS_CHANGE_STRING: {
        /* With a time: SET key value PXAT ms, as Redis 7 propagates SET
         * with EX/PX/EXAT (and KEEPTTL keeps the time it had). */
        char ms[24];
        const uint8_t *argv[5] = {(const uint8_t *)"SET", ch->key, ch->str->data, (const uint8_t *)"PXAT",
                                  (const uint8_t *)ms};
        size_t lens[5] = {3, ch->klen, ch->str->len, 4, 0};
        int argc = 3;
        if (ch->expire != VS_NO_EXPIRE) {
            lens[4] = (size_t)vs_ll2str(ms, ch->expire);
            argc = 5;
        }
        if (write) vs_journal_append(j, argc, argv, lens);
        return vs_resp_command_size(argc, lens);
    }
    case VS_CHANGE_EXPIRE: {
        /* PEXPIREAT key ms (every EXPIRE form, GETEX's time), or PERSIST. */
        char ms[24];
        const uint8_t *argv[3] = {(const uint8_t *)"PEXPIREAT", ch->key, (const uint8_t *)ms};
        size_t lens[3] = {9, ch->klen, 0};
        int argc = 3;
        if (ch->expire == VS_NO_EXPIRE) {
            argv[0] = (const uint8_t *)"PERSIST";
            lens[0] = 7;
            argc = 2;
        } else {
            lens[2] = (size_t)vs_ll2str(ms, ch->expire);
        }
        if (write) vs_journal_append(j, argc, argv, lens);
        return vs_resp_command_size(argc, lens);
    }
    case VS_CHANGE_DEL: {
        const uint8_t *argv[2] = {(const uint8_t *)"DEL", ch->key};
        size_t lens[2] = {3, ch->klen};
        if (write) vs_journal_append(j, 2, argv, lens);
        return vs_resp_command_size(2, lens);
    }
    case VS_CHANGE_RENAME: {
        const uint8_t *argv[3] = {(const uint8_t *)"RENAME", ch->key, ch->newkey};
        size_t lens[3] = {6, ch->klen, ch->newklen};
        if (write) vs_journal_append(j, 3, argv, lens);
        return vs_resp_command_size(3, lens);
    }
    case VS_CHANGE_FLUSH: {
        /* FLUSHDB; the FLUSHALL command's flushes are one FLUSHALL. */
        if (j->flushall == 2) return 0;
        const uint8_t *argv[1] = {(const uint8_t *)(j->flushall ? "FLUSHALL" : "FLUSHDB")};
        size_t lens[1] = {j->flushall ? 8u : 7u};
        if (write) {
            vs_journal_append(j, 1, argv, lens);
            if (j->flushall) j->flushall = 2;
        }
        return vs_resp_command_size(1, lens);
    }
    }
    return 0;
}

/* FLUSHALL's record names no database. */
static int needs_select(const vs_journal *j, const vs_change *ch) {
    return !(ch->kind == VS_CHANGE_FLUSH && j->flushall);
}

static vs_status sub_prepare(void *ctx, const vs_change *ch) {
    vs_journal_tap *t = ctx;
    vs_journal *j = t->j;
    if (!j->enabled) return VS_OK;
    return vs_journal_reserve(j, record(j, ch, 0) + VS_JOURNAL_SELECT_MAX + VS_JOURNAL_CHECK_LEN);
}

static void sub_commit(void *ctx, const vs_change *ch) {
    vs_journal_tap *t = ctx;
    vs_journal *j = t->j;
    if (!j->enabled) return;
    /* Room was reserved: by prepare, or for removals (which cannot be
     * refused) by the command layer before the command ran. */
    size_t n = record(j, ch, 0);
    if (!n) return;
    int sel = needs_select(j, ch);
    if (j->len + n + (sel ? select_record(j, t->db, 0) : 0) > j->cap) {
        j->lost++;
        return;
    }
    if (sel) select_record(j, t->db, 1);
    record(j, ch, 1);
}

static void sub_abort(void *ctx, const vs_change *ch) {
    (void)ctx;
    (void)ch;
}

vs_status vs_journal_init(vs_journal *j) {
    memset(j, 0, sizeof *j);
    return VS_OK;
}

void vs_journal_release(vs_journal *j) {
    vs_free(j->buf);
    memset(j, 0, sizeof *j);
}

vs_status vs_journal_tap_init(vs_journal_tap *t, vs_journal *j, vs_keyspace *ks, uint32_t db) {
    t->j = j;
    t->ks = ks;
    t->db = db;
    vs_subscriber sub = {t, sub_prepare, sub_commit, sub_abort};
    vs_status st = vs_ks_subscribe(ks, &sub);
    if (st != VS_OK) t->ks = NULL;
    return st;
}

void vs_journal_tap_release(vs_journal_tap *t) {
    if (t->ks) vs_ks_unsubscribe(t->ks, t);
    t->ks = NULL;
}
