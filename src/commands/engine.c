/* engine.c - building and releasing what commands run against (see
 * engine.h). */
#include "commands/engine.h"

#include <string.h>

vs_status vs_engine_init(vs_engine *e, uint64_t maxmemory, uint32_t seed) {
    memset(e, 0, sizeof *e);
    e->maxmemory = maxmemory;
    if (vs_store_init(&e->store, seed) != VS_OK || vs_reply_init(&e->reply) != VS_OK ||
        vs_journal_init(&e->journal, &e->store.ks) != VS_OK || vs_clients_init(&e->clients, &e->store.ks) != VS_OK) {
        vs_engine_release(e);
        return VS_ERR_NOMEM;
    }
    vs_client_init(&e->clients, &e->defclient);
    e->client = &e->defclient;
    return VS_OK;
}

void vs_engine_release(vs_engine *e) {
    vs_clients_release(&e->clients);
    vs_journal_release(&e->journal);
    vs_store_release(&e->store);
    vs_reply_release(&e->reply);
}
