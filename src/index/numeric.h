/* numeric.h - NUMERIC index: (value, key id) pairs in sorted chunks.
 *
 * The pairs are kept in order of (value, id) in fixed-size chunks (a
 * B+tree's leaf level with a flat directory): insertion and removal move
 * at most one chunk, range queries binary-search the first chunk and scan.
 * A value parses as valkey-search's numbers do (a double; NaN rejected;
 * "inf" accepted).
 *
 * Invariants:
 *  - chunks are non-empty and globally sorted by (value, id);
 *  - values[id] is the indexed value of id, NaN when id is absent.
 */
#ifndef VS_INDEX_NUMERIC_H
#define VS_INDEX_NUMERIC_H

#include "base/bitset.h"
#include "index/field_index.h"

#define VS_NUM_CHUNK 128

typedef struct vs_num_item {
    double v;
    uint32_t id;
} vs_num_item;

typedef struct vs_num_chunk {
    uint32_t n;
    vs_num_item items[VS_NUM_CHUNK];
} vs_num_chunk;

typedef struct vs_numidx {
    vs_field_index base;
    vs_num_chunk **chunks; /* sorted directory */
    uint32_t nchunks, chunks_cap;
    double *values;        /* key id -> value (NaN = absent) */
    uint32_t val_cap;
    uint32_t count;        /* pairs stored */
    vs_num_chunk *spare;   /* reserved by prepare for a split */
} vs_numidx;

#endif
