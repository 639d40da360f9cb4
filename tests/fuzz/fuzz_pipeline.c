/* fuzz_pipeline.c - libFuzzer target for vs_exec_pipeline, the server
 * fast path that parses RESP requests in place: whatever the bytes, no
 * crash, no sanitizer report, no leak; it never consumes more than it was
 * given, consumes only whole requests (what follows is parsed again by
 * the caller), and its batch holds one reply per request it ran. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/base/alloc.h"
#include "../../src/abi/vessel.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    vs_db *db = vs_open(NULL);
    if (!db) return 0;
    const char *create[] = {"FT.CREATE", "i", "PREFIX", "1", "d:", "SCHEMA", "v", "VECTOR", "HNSW", "6", "TYPE",
                            "FLOAT32", "DIM", "1", "DISTANCE_METRIC", "L2"};
    size_t cl[16];
    for (int i = 0; i < 16; i++) cl[i] = strlen(create[i]);
    vs_exec(db, 16, (const uint8_t *const *)create, cl, 2);
    size_t off = 0;
    int rounds = 0;
    while (off < size && rounds++ < 64) {
        uint32_t info[3] = {0, 0, 0};
        long n = vs_exec_pipeline(db, data + off, size - off, (rounds & 1) ? 2 : 3, info);
        if (n < 0 || (size_t)n > size - off) abort();
        if (n == 0) {
            if (info[0] != 0) abort();
            off++; /* skip a byte, as if the caller had handled it */
        } else {
            if (info[0] == 0) abort();
            if (vs_batch_len(db) == 0 && !info[2]) abort(); /* replies for what ran */
            off += (size_t)n;
        }
    }
    while (vs_step(db, 64)) {
    }
    vs_close(db);
    if (vs_used_memory() != 0) abort();
    return 0;
}
