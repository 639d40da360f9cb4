/* api.c - the public C ABI (vessel.h): open, close, exec. */
#include <string.h>

#include "alloc.h"
#include "command.h"
#include "db.h"
#include "vessel.h"

vs_db *vs_open(const vs_options *opt) {
    vs_db *db = vs_calloc(1, sizeof *db);
    if (!db) return NULL;
    if (opt) {
        db->maxmemory = opt->maxmemory;
        db->seed = opt->seed;
    }
    if (vs_ks_init(&db->ks) != VS_OK || vs_reply_init(&db->reply) != VS_OK ||
        vs_search_init(&db->search, &db->ks, db->seed) != VS_OK) {
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
    vs_search_release(&db->search);
    vs_ks_release(&db->ks);
    vs_reply_release(&db->reply);
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
