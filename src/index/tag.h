/* tag.h - TAG index: tag value -> posting list of key ids.
 *
 * A value is split on the field's SEPARATOR, each piece trimmed of
 * spaces, empty pieces dropped, duplicates dropped.  Tags are stored
 * lower-cased (ASCII) unless CASESENSITIVE.  Each document keeps, per tag,
 * its position in the tag's posting list, so removal is O(tags) (swap with
 * the last posting and fix the moved document's position).
 *
 * Invariants:
 *  - entry->ids[doc->t[i].pos] == id for every tag of every document;
 *  - entries with no postings are removed from the dict and freed;
 *  - ndocs == number of ids with a tag record.
 */
#ifndef VS_INDEX_TAG_H
#define VS_INDEX_TAG_H

#include "base/bitset.h"
#include "data/dict.h"
#include "index/field_index.h"

typedef struct vs_tag_entry {
    vs_dnode node;  /* link in the tag dict */
    uint32_t *ids;  /* posting list (unordered) */
    uint32_t n, cap;
    uint32_t len;   /* tag length */
    uint8_t tag[];  /* normalised tag bytes */
} vs_tag_entry;

typedef struct vs_tag_ref {
    vs_tag_entry *e; /* the tag */
    uint32_t pos;    /* this document's index in e->ids */
} vs_tag_ref;

typedef struct vs_tag_doc {
    uint32_t n;       /* number of tags */
    vs_tag_ref t[];
} vs_tag_doc;

typedef struct vs_tagidx {
    vs_field_index base;
    uint8_t sep;
    uint8_t casesensitive;
    vs_dict dict;        /* normalised tag -> entry */
    vs_tag_doc **docs;   /* key id -> tag record or NULL */
    uint32_t doc_cap;
    uint32_t ndocs;      /* documents with at least one tag */
    size_t mem;          /* bytes in entries and records */
} vs_tagidx;

/* Tags of id (NULL if none). */
const vs_tag_doc *vs_tagidx_doc(const vs_tagidx *t, uint32_t id);

#endif
