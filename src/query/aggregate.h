/* aggregate.h - FT.AGGREGATE in stages, as valkey-search documents and
 * implements it (docs/commands/ft.aggregate.md):
 *
 *   parse    options, LOAD, PARAMS and the stages into a plan; the query
 *            itself is FT.SEARCH's parse stage (search.h) on the query
 *            string and the options it shares (aggregate_parse.c)
 *   execute  FT.SEARCH's execute stage for the matching documents (KNN
 *            distances included), one record per document, then the
 *            stages in order (aggregate_exec.c, reducers in
 *            aggregate_reduce.c)
 *   render   the reply [count, [name, value, ...], ...] (aggregate_exec.c)
 *
 * A record is an array of values indexed by slot (expr.h's record): slot 0
 * is `__key`, slot 1 the KNN score name, then every name the command
 * references (LOADed fields, `@fields` of expressions, APPLY and REDUCE
 * outputs) in the order valkey-search numbers them; with LOAD * the hash
 * fields no slot names ride along as extras.  A nil value is a missing
 * field and is left out of the reply.
 *
 * Stages stream: APPLY, FILTER and LIMIT pass one record at a time
 * (a LIMIT that has its rows ends the scan of the documents when nothing
 * before it needs more); GROUPBY keeps one record of key values and
 * reducer states per group, SORTBY keeps its MAX records in a heap (all
 * of them only when MAX exceeds the input).  Records a stage keeps are
 * packed into one allocation each and freed when dropped.
 *
 * A plan points into the command's arguments and an arena, so it lives as
 * long as both; parse never touches the store, execute only reads it.
 */
#ifndef VS_QUERY_AGGREGATE_H
#define VS_QUERY_AGGREGATE_H

#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/reply.h"
#include "query/expr.h"
#include "query/search.h"

#define VS_AGG_SLOT_KEY 0   /* __key */
#define VS_AGG_SLOT_SCORE 1 /* the KNN score name ("" without KNN) */
#define VS_AGG_SORTBY_MAX 10 /* SORTBY without MAX keeps this many */
#define VS_AGG_SAMPLE_MAX 1000 /* RANDOM_SAMPLE's largest size */

typedef enum vs_agg_kind {
    VS_AGG_APPLY = 1,
    VS_AGG_FILTER,
    VS_AGG_GROUPBY,
    VS_AGG_SORTBY,
    VS_AGG_LIMIT,
} vs_agg_kind;

typedef enum vs_reducer_fn {
    VS_RED_COUNT = 1,
    VS_RED_COUNT_DISTINCT,
    VS_RED_COUNT_DISTINCTISH,
    VS_RED_SUM,
    VS_RED_MIN,
    VS_RED_MAX,
    VS_RED_AVG,
    VS_RED_STDDEV,
    VS_RED_QUANTILE,
    VS_RED_TOLIST,
    VS_RED_FIRST_VALUE,
    VS_RED_RANDOM_SAMPLE,
} vs_reducer_fn;

/* One REDUCE of a GROUPBY. */
typedef struct vs_agg_reducer {
    int fn;              /* vs_reducer_fn */
    const vs_expr *arg;  /* the input (NULL for COUNT) */
    const vs_expr *by;   /* FIRST_VALUE ... BY expr (NULL: first record wins) */
    int desc;            /* FIRST_VALUE BY ... DESC */
    double quantile;     /* QUANTILE: in [0, 1] */
    uint32_t sample;     /* RANDOM_SAMPLE: the sample's size */
    int out;             /* output slot */
} vs_agg_reducer;

typedef struct vs_agg_sortkey {
    const vs_expr *e;
    int desc;
} vs_agg_sortkey;

typedef struct vs_agg_stage {
    int kind;             /* vs_agg_kind */
    vs_tok keyword;       /* as given (error prefixes) */
    /* APPLY / FILTER */
    vs_tok text;          /* the expression's text */
    vs_tok as;            /* APPLY's name */
    const vs_expr *expr;
    int slot;             /* APPLY's output slot */
    /* GROUPBY */
    int *groups;          /* slots */
    uint32_t ngroups;
    vs_agg_reducer *red;
    uint32_t nred;
    /* SORTBY */
    vs_agg_sortkey *keys;
    uint32_t nkeys;
    uint64_t max;         /* VS_AGG_SORTBY_MAX unless MAX is given */
    /* LIMIT */
    uint64_t offset, num;
} vs_agg_stage;

/* What a slot is: its reply name and, for an index field, where a record
 * reads it. */
typedef struct vs_agg_slot {
    vs_tok name;          /* reply name: the field's identifier, or the name */
    vs_tok alias;         /* the name commands use */
    int numeric;          /* read as a number (a NUMERIC field referenced or loaded) */
    int loaded;           /* read from the hash for every record (LOAD) */
} vs_agg_slot;

typedef struct vs_agg_plan {
    vs_search_plan sp;     /* the query (LIMIT: what the search keeps) */
    vs_agg_slot *slot;
    uint32_t nslots, capslots;
    int load_all;          /* LOAD * */
    int load_key;          /* LOAD @__key */
    vs_agg_stage *stage;
    uint32_t nstages;
    uint32_t first;        /* stages before it were folded into the search (a leading LIMIT) */
    vs_compat *compat;     /* search.emulate-release and its counts (NULL: the newest release) */
} vs_agg_plan;

/* Parse FT.AGGREGATE's query string (argv[0]) and the rest (argv[1..argc))
 * against index x into p, allocating in ar.  Errors are valkey-search's.
 * compat (may be NULL): the release the command answers as, kept in the
 * plan for execute; its counts are the engine's. */
vs_status vs_agg_parse(const vs_ftindex *x, const uint8_t *const *argv, const size_t *lens, int argc, vs_arena *ar,
                       vs_compat *compat, vs_agg_plan *p, vs_err *err);

/* The output records, packed (one allocation each). */
typedef struct vs_agg_rows {
    void **rec;
    size_t n, cap;
} vs_agg_rows;

/* Run plan p: the search, then every stage.  Fails only for lack of
 * memory (nothing kept).  out is freed with vs_agg_rows_free. */
vs_status vs_agg_exec(const vs_agg_plan *p, vs_agg_rows *out);
void vs_agg_rows_free(vs_agg_rows *rows);

/* The reply: [number of records, [name, value, ...] ...]: names as simple
 * strings (bulk when a name cannot be one), numbers in vs_value_text's
 * form, lists as arrays, nil values left out. */
vs_status vs_agg_render(vs_reply *r, const vs_agg_plan *p, const vs_agg_rows *rows);

/* ---- records and reducers, shared by aggregate_exec.c and aggregate_reduce.c ---- */

/* A hash field LOAD * brings that no slot names. */
typedef struct vs_agg_extra {
    const uint8_t *name;
    size_t nlen;
    vs_value v;
} vs_agg_extra;

/* A record as the stages see it. */
typedef struct vs_agg_rec {
    vs_value *v;        /* nslots values */
    vs_agg_extra *x;
    uint32_t nx;
    uint64_t seq;       /* arrival order (ties of SORTBY) */
} vs_agg_rec;

/* Pack values (and extras) into one vs_malloc'd block: NULL for lack of
 * memory.  The view of a packed block: vs_agg_unpack. */
void *vs_agg_pack(const vs_value *v, uint32_t n, const vs_agg_extra *x, uint32_t nx);
void vs_agg_unpack(void *blk, uint32_t n, vs_agg_rec *out);
/* One value packed: a block whose start is the vs_value. */
vs_value *vs_agg_pack_value(const vs_value *v);

/* Grouping equality and hash: nil, numbers (numerically, -0 as 0, NaN
 * as itself), strings (bytes), arrays (item by item); a number never
 * equals a string. */
int vs_agg_value_eq(const vs_value *a, const vs_value *b);
uint32_t vs_agg_value_hash(const vs_value *v, uint32_t h);

/* A reducer's state for one group. */
typedef struct vs_red_state {
    double sum, sq;       /* SUM, AVG, STDDEV */
    uint64_t count;       /* COUNT, AVG, STDDEV; RANDOM_SAMPLE: values seen */
    vs_value *val;        /* MIN, MAX, FIRST_VALUE (packed) */
    vs_value *cmp;        /* FIRST_VALUE BY: the comparison value (packed) */
    int seen;             /* FIRST_VALUE without BY */
    vs_value **items;     /* COUNT_DISTINCT(ISH), TOLIST: distinct values in
                             first-seen order; RANDOM_SAMPLE: the sample (packed) */
    uint32_t nitems, capitems;
    uint32_t *tab;        /* distinct values: open addressing, index + 1 */
    uint32_t tabcap;
    double *nums;         /* QUANTILE's values */
    size_t nnums, capnums;
} vs_red_state;

/* Feed one record's input (arg; by for FIRST_VALUE ... BY).  rng: the
 * command's generator (RANDOM_SAMPLE).  Fails only for lack of memory,
 * leaving the state valid. */
vs_status vs_reduce_add(const vs_agg_reducer *r, vs_red_state *s, const vs_value *arg, const vs_value *by,
                        uint64_t *rng);
/* The result; strings and arrays are allocated in ar. */
vs_status vs_reduce_result(const vs_agg_reducer *r, vs_red_state *s, vs_arena *ar, vs_value *out);
void vs_reduce_free(vs_red_state *s);

#endif
