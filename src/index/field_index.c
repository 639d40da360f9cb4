/* field_index.c - the one constructor callers use: picks the index type
 * for an attribute (field_index.h). */
#include "index/field_index.h"

#include "index/text.h"

vs_field_index *vs_field_index_new(const vs_fielddef *def, uint32_t seed) {
    switch (def->type) {
    case VS_FIELD_TAG: return vs_tagidx_new(def);
    case VS_FIELD_NUMERIC: return vs_numidx_new(def);
    case VS_FIELD_TEXT: return vs_textidx_new(def);
    case VS_FIELD_VECTOR: return def->vec.algo == VS_ALGO_HNSW ? vs_hnsw_new(def, seed) : vs_flat_new(def);
    }
    return NULL;
}
