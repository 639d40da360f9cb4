/* schema.h - FT.CREATE arguments parsed and validated into a schema.
 *
 * Parse, then validate, then build (as valkey-search's ft_create_parser):
 * vs_schema_parse turns the arguments into a vs_schema, checking every
 * parameter with valkey-search's error texts, before any index exists.  A
 * rejected FT.CREATE therefore creates nothing.
 *
 * Invariants of a parsed schema:
 *  - nfields >= 1; identifiers are unique, aliases are unique;
 *  - every vector field has dim in [1, VS_MAX_DIM] and a metric;
 *  - at most VS_MAX_TEXT_FIELDS TEXT fields, each with weight >= 0 and
 *    text.idx == text (the schema's block, valid while the schema lives);
 *  - prefixes are de-duplicated (a prefix covered by an earlier one is
 *    dropped); nprefix == 0 means "every key".
 */
#ifndef VS_SCHEMA_H
#define VS_SCHEMA_H

#include <stdint.h>

#include "base/args.h"
#include "index/distance.h"
#include "base/status.h"
#include "index/tokenize.h"

#define VS_MAX_DIM 32768
#define VS_MAX_ATTRIBUTES 1000
#define VS_MAX_PREFIXES 8
#define VS_MAX_INDEXES 1000
#define VS_MAX_M 2000000
#define VS_MAX_EF 4096
#define VS_DEFAULT_M 16
#define VS_DEFAULT_EF_CONSTRUCTION 200
#define VS_DEFAULT_EF_RUNTIME 10
#define VS_DEFAULT_INITIAL_CAP 10240
#define VS_DEFAULT_BLOCK_SIZE 1024
#define VS_MAX_TEXT_FIELDS 64     /* valkey-search's limit of TEXT attributes per index */
#define VS_DEFAULT_MIN_STEM 4     /* MINSTEMSIZE */

typedef enum vs_field_type { VS_FIELD_VECTOR = 1, VS_FIELD_TAG = 2, VS_FIELD_NUMERIC = 3, VS_FIELD_TEXT = 4 } vs_field_type;
typedef enum vs_algo { VS_ALGO_FLAT = 0, VS_ALGO_HNSW = 1 } vs_algo;
/* HNSW COMPRESSION: none, or 8-bit scalar codes for the graph walk (sq8.h). */
typedef enum vs_vcompress { VS_COMPRESS_NONE = 0, VS_COMPRESS_SQ8 = 1 } vs_vcompress;

typedef struct vs_vecdef {
    vs_algo algo;
    vs_vectype type;          /* element type (TYPE) */
    uint32_t dim;
    vs_metric metric;
    uint32_t initial_cap;
    uint32_t block_size;      /* FLAT */
    uint32_t m;               /* HNSW */
    uint32_t ef_construction; /* HNSW */
    uint32_t ef_runtime;      /* HNSW */
    vs_vcompress compression; /* HNSW (float TYPEs only) */
} vs_vecdef;

/* The index-level text options (given before SCHEMA), one block per schema
 * that every TEXT field points at (allocated, so it does not move when the
 * schema struct is copied). */
typedef struct vs_schema_text {
    vs_text_opts opts;   /* PUNCTUATION and STOPWORDS as the tokenizer reads them */
    uint32_t min_stem;   /* MINSTEMSIZE (>= 1, default 4) */
    uint8_t offsets;     /* WITHOFFSETS (the default) or NOOFFSETS */
    uint8_t nostem;      /* index-level NOSTEM: its fields' default */
    uint8_t stop_custom; /* STOPWORDS/NOSTOPWORDS given (else the default list) */
    const uint8_t *punct; /* PUNCTUATION as given (in the schema's args), or NULL */
    uint32_t punct_len;
    uint32_t stop_arg;   /* STOPWORDS: index in the schema's args of the first word */
    uint32_t nstop;      /* ... and how many (as given, for FT.INFO) */
} vs_schema_text;

/* A TEXT field's own options. */
typedef struct vs_textdef {
    const vs_schema_text *idx; /* the schema's index-level options */
    double weight;             /* WEIGHT (default 1) */
    uint8_t nostem;            /* NOSTEM (or the index-level NOSTEM) */
    uint8_t suffix;            /* WITHSUFFIXTRIE */
} vs_textdef;

typedef struct vs_fielddef {
    uint8_t *ident;   /* hash field name */
    uint32_t ilen;
    uint8_t *alias;   /* name used in queries (the identifier without AS) */
    uint32_t alen;
    vs_field_type type;
    vs_vecdef vec;    /* VECTOR */
    uint8_t sep;      /* TAG separator */
    uint8_t casesensitive; /* TAG */
    vs_textdef text;  /* TEXT */
} vs_fielddef;

typedef struct vs_schema {
    uint8_t *name;     /* index name */
    uint32_t nlen;
    uint8_t **prefix;  /* key prefixes */
    uint32_t *plen;
    uint32_t nprefix;
    vs_fielddef *fields;
    uint32_t nfields;
    uint32_t ntext;    /* TEXT fields */
    vs_schema_text *text; /* index-level text options (always set once parsed) */
    int skip_initial_scan;
    float score;       /* SCORE (default 1) */
    uint8_t *score_field; /* SCORE_FIELD or NULL */
    uint32_t sflen;
    uint8_t **args;    /* the FT.CREATE arguments as given (snapshots, journal) */
    uint32_t *arglen;
    uint32_t nargs;
} vs_schema;

/* Parse FT.CREATE's arguments (argv[0] is the index name). */
vs_status vs_schema_parse(vs_args *a, vs_schema *out, vs_err *err);
void vs_schema_free(vs_schema *s);

/* Does key match one of the schema's prefixes? */
int vs_schema_matches(const vs_schema *s, const uint8_t *key, size_t klen);
/* Field by alias (queries) or by identifier (hash fields); -1 if none. */
int vs_schema_field_by_alias(const vs_schema *s, const uint8_t *p, size_t n);
int vs_schema_field_by_ident(const vs_schema *s, const uint8_t *p, size_t n);

#endif
