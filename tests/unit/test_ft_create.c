/* test_ft_create.c - FT.CREATE grammar and every error, with the texts of
 * valkey-search's parser tests; FT.INFO, FT._LIST, FT.DROPINDEX and FT.DROP
 * replies.  A rejected FT.CREATE must create nothing. */
#include "vt_cmd.h"

#define E(msg) "-" msg "\r\n"
#define VEC6 "TYPE", "FLOAT32", "DIM", "3", "DISTANCE_METRIC", "IP"

static int has(const char *p, size_t n, const char *needle) {
    size_t k = strlen(needle);
    for (size_t i = 0; i + k <= n; i++)
        if (!memcmp(p + i, needle, k)) return 1;
    return 0;
}

static void expect_no_index(vs_db *db) { VT_CMD(db, "*0\r\n", "FT._LIST"); }

/* FT.INFO reply with memory figures (platform-dependent) masked: :N for
 * the *memory integers, $N for the *_mb statistics. */
static const char *info_masked(vs_db *db, const char *name) {
    static char out[8192];
    vt_run(db, "FT.INFO", name, NULL);
    const char *r = (const char *)vs_reply_data(db);
    size_t n = vs_reply_len(db), o = 0;
    for (size_t i = 0; i < n && o + 4 < sizeof out;) {
        out[o++] = r[i++];
        if (o >= 8 && (memcmp(out + o - 8, "memory\r\n", 8) == 0) && r[i] == ':') {
            out[o++] = r[i++];
            while (i < n && r[i] != '\r') i++;
            out[o++] = 'N';
        }
        if (o >= 5 && (memcmp(out + o - 5, "_mb\r\n", 5) == 0) && r[i] == '$') {
            out[o++] = r[i++];
            while (i < n && r[i] != '\n') i++; /* the length */
            i++;
            while (i < n && r[i] != '\r') i++; /* the value */
            out[o++] = 'N';
        }
    }
    out[o] = 0;
    return out;
}

static void test_errors(void) {
    vs_db *db = vs_open(NULL);
    VT_CMD(db, E("ERR wrong number of arguments for 'FT.CREATE' command"), "FT.CREATE");
    VT_CMD(db, E("Missing argument"), "FT.CREATE", "idx");
    VT_CMD(db, E("Missing argument"), "FT.CREATE", "idx", "prefix", "1", "x");
    VT_CMD(db, E("Index schema must have at least one attribute"), "FT.CREATE", "idx", "SCHEMA");
    VT_CMD(db, E("Bad arguments for ON: Unknown argument `LIST`"), "FT.CREATE", "idx", "ON", "LIST", "SCHEMA", "a",
           "TAG");
    VT_CMD(db, E("JSON module is not loaded."), "FT.CREATE", "idx", "ON", "JSON", "SCHEMA", "a", "TAG");
    VT_CMD(db, E("Bad arguments for PREFIX: `-2` is outside acceptable bounds"), "FT.CREATE", "idx1", "prefix", "-2",
           "SChema", "a", "TAG");
    VT_CMD(db, E("Bad arguments for PREFIX: `20` is outside acceptable bounds"), "FT.CREATE", "idx1", "prefix", "20",
           "SChema", "a", "TAG");
    VT_CMD(db, E("Bad arguments for PREFIX: `abc` is not a valid numeric value"), "FT.CREATE", "idx1", "PREFIX",
           "abc", "SCHEMA", "a", "TAG");
    VT_CMD(db, E("Invalid range: Value above maximum; Number of prefixes (9) exceeds the maximum allowed (8)"),
           "FT.CREATE", "idx", "PREFIX", "9", "a", "b", "c", "d", "e", "f", "g", "h", "i", "SCHEMA", "a", "TAG");
    VT_CMD(db, E("The parameter `FILTER` is not supported"), "FT.CREATE", "idx1", "filter", "aa", "SChema", "a", "TAG");
    VT_CMD(db, E("Bad arguments for LANGUAGE: Unknown argument `hebrew`"), "FT.CREATE", "idx1", "LANGUAGE", "hebrew",
           "SCHEMA", "a", "TAG");
    VT_CMD(db, E("The parameter `LANGUAGE_FIELD` is not supported"), "FT.CREATE", "idx1", "LANGUAGE_FIELD", "x",
           "SCHEMA", "a", "TAG");
    VT_CMD(db, E("Unexpected parameter `SCOREa`, expecting `SCHEMA`"), "FT.CREATE", "idx1", "SCOREa", "2", "SChema",
           "a", "TAG");
    VT_CMD(db, E("Bad arguments for SCORE: x is not a valid float"), "FT.CREATE", "i", "SCORE", "x", "SCHEMA", "a",
           "TAG");
    VT_CMD(db, E("`SCORE` parameter with a value `2` is not supported. The value must be between 0.0 and 1.0"),
           "FT.CREATE", "i", "SCORE", "2", "SCHEMA", "a", "TAG");
    VT_CMD(db, E("Invalid field type for field `hash_field1`: Unknown argument `vector1`"), "FT.CREATE", "idx1",
           "SCHEMA", "hash_field1", "vector1", "hnsw", "6", VEC6);
    VT_CMD(db, E("Invalid field type for field `hash_field1`: Unknown argument `asa`"), "FT.CREATE", "idx1", "SChema",
           "hash_field1", "asa", "hash_field11", "vector", "hnsw", "6", VEC6);
    VT_CMD(db, E("Invalid field type for field `hash_field1`: Unknown argument `hnsw1`"), "FT.CREATE", "idx1",
           "SCHEMA", "hash_field1", "vector", "hnsw1", "6", VEC6);
    VT_CMD(db, E("Invalid field type for field `hash_field1`: Expected 8 parameters for HNSW but got 6 parameters."),
           "FT.CREATE", "idx1", "SCHEMA", "hash_field1", "vector", "hnsw", "8", VEC6);
    VT_CMD(db, E("Invalid field type for field `hash_field1`: Expected 8 parameters for FLAT but got 6 parameters."),
           "FT.CREATE", "idx1", "SCHEMA", "hash_field1", "vector", "flat", "8", VEC6);
    VT_CMD(db,
           E("Invalid field type for field `hash_field1`: Error parsing value for the parameter `DISTANCE_METRIC` - "
             "Missing argument"),
           "FT.CREATE", "idx1", "SCHEMA", "hash_field1", "vector", "hnsw", "5", VEC6);
    VT_CMD(db, E("Invalid field type for field `hash_field1`: `-6` is outside acceptable bounds"), "FT.CREATE", "idx1",
           "SCHEMA", "hash_field1", "vector", "hnsw", "-6", VEC6);
    VT_CMD(db, E("Invalid field type for field `hash_field1`: Unexpected argument `TYPE1`"), "FT.CREATE", "idx1",
           "SCHEMA", "hash_field1", "vector", "hnsw", "6", "TYPE1", "FLOAT32", "DIM", "3", "DISTANCE_METRIC", "IP");
    VT_CMD(db,
           E("Invalid field type for field `hash_field1`: Error parsing value for the parameter `TYPE` - Unknown "
             "argument `FLOAT321`"),
           "FT.CREATE", "idx1", "SCHEMA", "hash_field1", "vector", "hnsw", "6", "TYPE", "FLOAT321", "DIM", "3",
           "DISTANCE_METRIC", "IP");
    VT_CMD(db,
           E("Invalid field type for field `v`: Error parsing value for the parameter `DIM` - `a` is not a valid "
             "numeric value"),
           "FT.CREATE", "i", "SCHEMA", "v", "VECTOR", "FLAT", "6", "TYPE", "FLOAT32", "DIM", "a", "DISTANCE_METRIC",
           "L2");
    VT_CMD(db,
           E("Invalid field type for field `v`: Error parsing value for the parameter `DISTANCE_METRIC` - Unknown "
             "argument `IP1`"),
           "FT.CREATE", "i", "SCHEMA", "v", "VECTOR", "FLAT", "6", "TYPE", "FLOAT32", "DIM", "3", "DISTANCE_METRIC",
           "IP1");
    VT_CMD(db, E("Invalid field type for field `v`: Missing dimensions parameter."), "FT.CREATE", "i", "SCHEMA", "v",
           "VECTOR", "FLAT", "4", "TYPE", "FLOAT32", "DISTANCE_METRIC", "L2");
    VT_CMD(db,
           E("Invalid field type for field `v`: Invalid range: Value below minimum; The dimensions value must be a "
             "positive integer greater than 0 and less than or equal to 32768."),
           "FT.CREATE", "i", "SCHEMA", "v", "VECTOR", "FLAT", "6", "TYPE", "FLOAT32", "DIM", "0", "DISTANCE_METRIC",
           "L2");
    VT_CMD(db,
           E("Invalid field type for field `v`: Invalid range: Value above maximum; The dimensions value must be a "
             "positive integer greater than 0 and less than or equal to 32768."),
           "FT.CREATE", "i", "SCHEMA", "v", "VECTOR", "FLAT", "6", "TYPE", "FLOAT32", "DIM", "32769",
           "DISTANCE_METRIC", "L2");
    VT_CMD(db, E("Invalid field type for field `v`: Missing vector TYPE parameter."), "FT.CREATE", "i", "SCHEMA", "v",
           "VECTOR", "FLAT", "4", "DIM", "3", "DISTANCE_METRIC", "L2");
    VT_CMD(db, E("Invalid field type for field `v`: Missing DISTANCE_METRIC parameter."), "FT.CREATE", "i", "SCHEMA",
           "v", "VECTOR", "FLAT", "4", "DIM", "3", "TYPE", "FLOAT32");
    VT_CMD(db, E("Invalid field type for field `v`: INITIAL_CAP must be a positive integer greater than 0."),
           "FT.CREATE", "i", "SCHEMA", "v", "VECTOR", "FLAT", "8", "TYPE", "FLOAT32", "DIM", "3", "DISTANCE_METRIC",
           "L2", "INITIAL_CAP", "0");
    VT_CMD(db,
           E("Invalid field type for field `hash_field1`: Invalid range: Value below minimum; M must be a positive "
             "integer greater than 2 and cannot exceed 2000000."),
           "FT.CREATE", "idx1", "SCHEMA", "hash_field1", "vector", "hnsw", "8", VEC6, "M", "-10");
    VT_CMD(db,
           E("Invalid field type for field `hash_field1`: Invalid range: Value above maximum; M must be a positive "
             "integer greater than 2 and cannot exceed 2000000."),
           "FT.CREATE", "idx1", "SCHEMA", "hash_field1", "vector", "hnsw", "8", VEC6, "M", "3000000");
    VT_CMD(db,
           E("Invalid field type for field `hash_field1`: Invalid range: Value below minimum; EF_CONSTRUCTION must be a "
             "positive integer greater than 0 and cannot exceed 4096."),
           "FT.CREATE", "idx1", "SCHEMA", "hash_field1", "vector", "hnsw", "8", VEC6, "EF_CONSTRUCTIOn", "0");
    VT_CMD(db,
           E("Invalid field type for field `hash_field1`: Invalid range: Value below minimum; EF_RUNTIME must be a "
             "positive integer greater than 0 and cannot exceed 4096."),
           "FT.CREATE", "idx1", "SCHEMA", "hash_field1", "vector", "hnsw", "8", VEC6, "EF_RUNTIME", "0");
    VT_CMD(db,
           E("Invalid field type for field `hash_field1`: Error parsing value for the parameter `EF_RUNTIME` - `-100` "
             "is outside acceptable bounds"),
           "FT.CREATE", "idx1", "SCHEMA", "hash_field1", "vector", "hnsw", "8", VEC6, "EF_RUNTIME", "-100");
    VT_CMD(db, E("Invalid field type for field `hash_field10`: The separator must be a single character, but got `@@`"),
           "FT.CREATE", "idx1", "SCHEMA", "hash_field10", "tag", "SEPARATOR", "@@", "CASESENSITIVE");
    VT_CMD(db, E("Duplicate field in schema - hash_field1"), "FT.CREATE", "idx1", "SCHEMA", "hash_field1", "TAG",
           "hash_field1", "NUMERIC");
    VT_CMD(db, E("Index field `a` already exists"), "FT.CREATE", "idx1", "SCHEMA", "x", "AS", "a", "TAG", "y", "AS",
           "a", "NUMERIC");
    VT_CMD(db, E("Invalid field type for field `random_token_at_the_end`: Missing argument"), "FT.CREATE", "idx1",
           "SCHEMA", "a", "TAG", "random_token_at_the_end");
    expect_no_index(db);
    vs_close(db);
}

static void test_limits(void) {
    vs_db *db = vs_open(NULL);
    /* 1001 attributes. */
    const uint8_t *argv[2 + 1 + 1001 * 2 + 1];
    size_t lens[sizeof argv / sizeof argv[0]];
    static char names[1001][16];
    int argc = 0;
    argv[argc++] = (const uint8_t *)"FT.CREATE";
    argv[argc++] = (const uint8_t *)"big";
    argv[argc++] = (const uint8_t *)"SCHEMA";
    for (int i = 0; i < 1001; i++) {
        snprintf(names[i], sizeof names[i], "f%d", i);
        argv[argc++] = (const uint8_t *)names[i];
        argv[argc++] = (const uint8_t *)"NUMERIC";
    }
    for (int i = 0; i < argc; i++) lens[i] = strlen((const char *)argv[i]);
    vs_exec(db, argc, argv, lens, 2);
    VT_EQ_MEM(vs_reply_data(db), vs_reply_len(db),
              E("Invalid range: Value above maximum; The maximum number of attributes cannot exceed 1000."));
    vs_exec(db, argc - 2, argv, lens, 2); /* 1000 is fine */
    VT_EQ_MEM(vs_reply_data(db), vs_reply_len(db), "+OK\r\n");
    vs_close(db);
}

static void test_create_info_list_drop(void) {
    vs_db *db = vs_open(NULL);
    VT_CMD(db, "+OK\r\n", "FT.CREATE", "idx", "ON", "HASH", "PREFIx", "2", "doc:", "doc:a", "SChema", "v", "vecTor",
           "FLAT", "6", "tYPE", "FLOAt32", "dIM", "3", "DISTANCE_METRIc", "cOSINE", "t", "AS", "tag", "TAG",
           "SEPARATOR", "|", "CASESENSITIVE", "n", "NUMERIC", "SORTABLE");
    VT_CMD(db, E("Index idx in database 0 already exists."), "FT.CREATE", "idx", "SCHEMA", "a", "TAG");
    const char *info = info_masked(db, "idx");
    VT_EQ_MEM(info, strlen(info),
           "*66\r\n+index_name\r\n+idx\r\n+index_options\r\n*0\r\n"
           "+index_definition\r\n*8\r\n+key_type\r\n+HASH\r\n+prefixes\r\n*1\r\n+doc:\r\n"
           "+default_score\r\n$1\r\n1\r\n+score_field\r\n$0\r\n\r\n+attributes\r\n*3\r\n"
           "*10\r\n+identifier\r\n+v\r\n+attribute\r\n+v\r\n+user_indexed_memory\r\n:N\r\n+type\r\n+VECTOR\r\n+index\r\n*12\r\n"
           "+capacity\r\n:10240\r\n+dimensions\r\n:3\r\n+distance_metric\r\n+COSINE\r\n+size\r\n$1\r\n0\r\n+data_type\r\n"
           "+FLOAT32\r\n+algorithm\r\n*4\r\n+name\r\n+FLAT\r\n+block_size\r\n:1024\r\n"
           "*14\r\n+identifier\r\n+t\r\n+attribute\r\n+tag\r\n+user_indexed_memory\r\n:N\r\n+type\r\n+TAG\r\n"
           "+SEPARATOR\r\n+|\r\n+CASESENSITIVE\r\n+1\r\n+size\r\n$1\r\n0\r\n"
           "*10\r\n+identifier\r\n+n\r\n+attribute\r\n+n\r\n+user_indexed_memory\r\n:N\r\n+type\r\n+NUMERIC\r\n+size\r\n$1\r\n0\r\n"
           "+num_docs\r\n:0\r\n+max_doc_id\r\n$1\r\n0\r\n+num_terms\r\n:0\r\n+num_records\r\n:0\r\n"
           "+inverted_sz_mb\r\n$N\r\n+vector_index_sz_mb\r\n$N\r\n+total_inverted_index_blocks\r\n$1\r\n0\r\n"
           "+offset_vectors_sz_mb\r\n$N\r\n+doc_table_size_mb\r\n$N\r\n+sortable_values_size_mb\r\n$N\r\n"
           "+key_table_size_mb\r\n$N\r\n+records_per_doc_avg\r\n$3\r\nnan\r\n+bytes_per_record_avg\r\n$3\r\nnan\r\n"
           "+offsets_per_term_avg\r\n$3\r\nnan\r\n+offset_bits_per_record_avg\r\n$3\r\nnan\r\n"
           "+hash_indexing_failures\r\n$1\r\n0\r\n+indexing\r\n$1\r\n0\r\n+percent_indexed\r\n$1\r\n1\r\n"
           "+gc_stats\r\n*14\r\n+bytes_collected\r\n$1\r\n0\r\n+total_ms_run\r\n$1\r\n0\r\n+total_cycles\r\n$1\r\n0\r\n"
           "+average_cycle_time_ms\r\n$3\r\nnan\r\n+last_run_time_ms\r\n$1\r\n0\r\n+gc_numeric_trees_missed\r\n$1\r\n0\r\n"
           "+gc_blocks_denied\r\n$1\r\n0\r\n+cursor_stats\r\n*8\r\n+global_idle\r\n:0\r\n+global_total\r\n:0\r\n"
           "+index_capacity\r\n:0\r\n+index_total\r\n:0\r\n+stopwords_list\r\n*0\r\n"
           "+total_term_occurrences\r\n:0\r\n+backfill_in_progress\r\n$1\r\n0\r\n+backfill_complete_percent\r\n"
           "$8\r\n1.000000\r\n+mutation_queue_size\r\n$1\r\n0\r\n+recent_mutations_queue_delay\r\n$5\r\n0 sec\r\n"
           "+state\r\n+ready\r\n+language\r\n+english\r\n+index_memory\r\n:N\r\n");
    {   /* RESP3: the same pairs as maps (node-redis 6 reads FT.INFO as a map) */
        const uint8_t *argv[2] = {(const uint8_t *)"FT.INFO", (const uint8_t *)"idx"};
        size_t lens[2] = {7, 3};
        vs_exec(db, 2, argv, lens, 3);
        const char *r3 = (const char *)vs_reply_data(db);
        size_t n3 = vs_reply_len(db);
        VT_CHECK(n3 > 20 && !memcmp(r3, "%33\r\n+index_name\r\n+idx\r\n+index_options\r\n*0\r\n+index_definition\r\n%4\r\n", 64));
        VT_CHECK(has(r3, n3, "+attributes\r\n*3\r\n%5\r\n+identifier\r\n+v\r\n"));
        VT_CHECK(has(r3, n3, "+index\r\n%6\r\n+capacity\r\n") && has(r3, n3, "+algorithm\r\n%2\r\n+name\r\n+FLAT\r\n"));
        VT_CHECK(has(r3, n3, "+gc_stats\r\n%7\r\n") && has(r3, n3, "+cursor_stats\r\n%4\r\n"));
    }
    VT_CMD(db, E("Index with name 'nosuch' not found in database 0"), "FT.INFO", "nosuch");
    VT_CMD(db, E("ERR wrong number of arguments for 'FT.INFO' command"), "FT.INFO");
    VT_CMD(db, E("ERR PRIMARY option is not valid in this configuration"), "FT.INFO", "idx", "PRIMARY");
    VT_CMD(db, "+OK\r\n", "FT.CREATE", "second", "SCHEMA", "a", "TAG");
    VT_CMD(db, "*2\r\n+idx\r\n+second\r\n", "FT._LIST");
    VT_CMD(db, E("ERR wrong number of arguments for 'FT._LIST' command"), "FT._LIST", "x");
    VT_CMD(db, "+OK\r\n", "FT.DROPINDEX", "idx");
    VT_CMD(db, E("Index with name 'idx' not found in database 0"), "FT.DROPINDEX", "idx");
    VT_CMD(db, E("ERR wrong number of arguments for 'FT.DROPINDEX' command"), "FT.DROPINDEX");
    VT_CMD(db, "*1\r\n+second\r\n", "FT._LIST");
    vs_close(db);
}

static void test_dropindex_dd(void) {
    vs_db *db = vs_open(NULL);
    vt_run(db, "HSET", "doc:1", "t", "a", NULL);
    vt_run(db, "HSET", "doc:2", "t", "b", NULL);
    vt_run(db, "HSET", "other:1", "t", "c", NULL);
    VT_CMD(db, "+OK\r\n", "FT.CREATE", "i", "PREFIX", "1", "doc:", "SCHEMA", "t", "TAG");
    while (vs_step(db, 100)) {
    }
    VT_CMD(db, "+OK\r\n", "FT.DROPINDEX", "i", "DD");
    VT_CMD(db, ":1\r\n", "DBSIZE");
    VT_CMD(db, ":1\r\n", "EXISTS", "other:1");
    VT_CMD(db, "+OK\r\n", "FT.CREATE", "j", "SCHEMA", "t", "TAG");
    VT_CMD(db, E("Unexpected argument `XX`"), "FT.DROPINDEX", "j", "XX");
    vs_close(db);
}

/* A drop with DD deletes the index's documents only: a hash under its
 * prefix whose vector is malformed, or that has no schema field, was never
 * one (FT.SEARCH and num_docs leave it out), and stays.  With journaling
 * started after the data (a store just reopened) and long keys, the DEL
 * records and the drop's own record fit the room reserved (ASan checks). */
/* A 100-byte index name and a 4,027-byte key under prefix "d". */
static void long_names(char idx[101], char key[4028]) {
    memset(idx, 'i', 100);
    idx[100] = 0;
    key[0] = 'd';
    memset(key + 1, 'x', 4026);
    key[4027] = 0;
}

static void test_drop_documents_only(void) {
    for (int form = 0; form < 2; form++) {
        vs_db *db = vs_open(NULL);
        char idx[101], key[4028];
        long_names(idx, key);
        VT_CMD(db, "+OK\r\n", "FT.CREATE", idx, "ON", "HASH", "PREFIX", "1", "d", "SCHEMA", "v", "VECTOR", "FLAT",
               "6", "TYPE", "FLOAT32", "DIM", "2", "DISTANCE_METRIC", "L2", "t", "TAG");
        vt_run(db, "HSET", key, "t", "a", NULL);
        vt_run(db, "HSET", "d:bad", "v", "xx", NULL);
        vt_run(db, "HSET", "d:none", "other", "x", NULL);
        vt_run(db, "SET", "d:s", "str", NULL);
        vt_run(db, "HSET", "e:1", "t", "a", NULL);
        vs_journal_enable(db, 1);
        if (form == 0)
            VT_CMD(db, "+OK\r\n", "FT.DROP", idx);
        else
            VT_CMD(db, "+OK\r\n", "FT.DROPINDEX", idx, "DD");
        VT_CMD(db, ":0\r\n", "EXISTS", key);
        VT_CMD(db, ":4\r\n", "EXISTS", "d:bad", "d:none", "d:s", "e:1");
        VT_EQ_INT((long long)db->eng.journal.unreserved, 0);
        vs_close(db);
    }
    /* The room alone: one long key, a long index name, nothing else. */
    for (int form = 0; form < 2; form++) {
        vs_db *db = vs_open(NULL);
        char idx[101], key[4028];
        long_names(idx, key);
        VT_CMD(db, "+OK\r\n", "FT.CREATE", idx, "ON", "HASH", "PREFIX", "1", "d", "SCHEMA", "t", "TAG");
        vt_run(db, "HSET", key, "t", "a", NULL);
        vs_journal_enable(db, 1);
        if (form == 0)
            VT_CMD(db, "+OK\r\n", "FT.DROP", idx);
        else
            VT_CMD(db, "+OK\r\n", "FT.DROPINDEX", idx, "DD");
        VT_CMD(db, ":0\r\n", "DBSIZE");
        VT_EQ_INT((long long)db->eng.journal.unreserved, 0);
        vs_close(db);
    }
}

/* FT.DROP (RediSearch's legacy form): deletes the indexed documents unless
 * KEEPDOCS, through the keyspace (another index over the same keys loses
 * them too; the journal records the deletions and the drop, and its replay
 * gives the same store); bad input changes nothing. */
static void test_drop_legacy(void) {
    vs_db *db = vs_open(NULL);
    vs_journal_enable(db, 1);
    vt_run(db, "HSET", "doc:1", "t", "a", "n", "1", NULL);
    vt_run(db, "HSET", "doc:2", "t", "b", "n", "2", NULL);
    vt_run(db, "HSET", "other:1", "t", "c", "n", "3", NULL);
    vt_run(db, "HSET", "x", "t", "d", NULL);
    VT_CMD(db, "+OK\r\n", "FT.CREATE", "i", "PREFIX", "1", "doc:", "SCHEMA", "t", "TAG");
    VT_CMD(db, "+OK\r\n", "FT.CREATE", "k", "PREFIX", "2", "doc:", "other:", "SCHEMA", "n", "NUMERIC");
    VT_CMD(db, "+OK\r\n", "FT.CREATE", "j", "PREFIX", "1", "doc:", "SCHEMA", "t", "TAG");
    while (vs_step(db, 100)) {
    }
    size_t n0;
    char *before = vt_digest(db, &n0);
    /* Errors first: nothing changes. */
    VT_CMD(db, E("ERR wrong number of arguments for 'FT.DROP' command"), "FT.DROP");
    VT_CMD(db, E("ERR wrong number of arguments for 'FT.DROP' command"), "FT.DROP", "i", "KEEPDOCS", "x");
    VT_CMD(db, E("Unexpected argument `KEEPDOC`"), "FT.DROP", "i", "KEEPDOC");
    VT_CMD(db, E("Unexpected argument `DD`"), "FT.DROP", "i", "DD");
    VT_CMD(db, E("Index with name 'nosuch' not found in database 0"), "FT.DROP", "nosuch");
    VT_CMD(db, E("Index with name 'nosuch' not found in database 0"), "FT.DROP", "nosuch", "keepdocs");
    size_t n1;
    char *same = vt_digest(db, &n1);
    VT_CHECK(n0 == n1 && !memcmp(before, same, n0));
    free(same);
    VT_TEXT(db, "[i,k,j]", "FT._LIST");
    /* An empty option is none (redis-py 4.3 sends `FT.DROP idx ""`): the documents go. */
    VT_CMD(db, "+OK\r\n", "FT.CREATE", "e", "PREFIX", "1", "x", "SCHEMA", "t", "TAG");
    while (vs_step(db, 100)) {
    }
    VT_CMD(db, "+OK\r\n", "FT.DROP", "e", "");
    VT_CMD(db, ":0\r\n", "EXISTS", "x");
    vt_run(db, "HSET", "x", "t", "d", NULL);
    vs_journal_drain(db, vs_journal_len(db));
    /* KEEPDOCS (any case): the index goes, the documents stay. */
    VT_CMD(db, "+OK\r\n", "FT.DROP", "j", "keepdocs");
    VT_TEXT(db, "[i,k]", "FT._LIST");
    VT_CMD(db, ":4\r\n", "DBSIZE");
    /* Without it: i's documents are deleted, and k loses doc:1 and doc:2. */
    VT_CMD(db, "+OK\r\n", "ft.drop", "i");
    VT_TEXT(db, "[k]", "FT._LIST");
    VT_CMD(db, ":0\r\n", "EXISTS", "doc:1", "doc:2");
    VT_CMD(db, ":2\r\n", "EXISTS", "other:1", "x");
    VT_TEXT(db, "[1,other:1]", "FT.SEARCH", "k", "@n:[-inf +inf]", "NOCONTENT");
    VT_CMD(db, E("Index with name 'i' not found in database 0"), "FT.DROP", "i");
    /* The journal: the drops, and the deletions before the drop that caused them. */
    size_t jn = vs_journal_len(db);
    char *j = malloc(jn);
    memcpy(j, vs_journal_data(db), jn);
    VT_CHECK(has(j, jn, "*3\r\n$7\r\nFT.DROP\r\n$1\r\nj\r\n$8\r\nkeepdocs\r\n"));
    VT_CHECK(has(j, jn, "$5\r\ndoc:1\r\n") && has(j, jn, "$5\r\ndoc:2\r\n"));
    VT_CHECK(has(j, jn, "doc:2\r\n*2\r\n$7\r\nft.drop\r\n$1\r\ni\r\n") ||
             has(j, jn, "doc:1\r\n*2\r\n$7\r\nft.drop\r\n$1\r\ni\r\n"));
    VT_CHECK(!has(j, jn, "other:1") && !has(j, jn, "$1\r\nx\r\n"));
    /* Replayed over the state before the drops, it gives the same store. */
    vs_db *r = vs_open(NULL);
    vt_run(r, "HSET", "doc:1", "t", "a", "n", "1", NULL);
    vt_run(r, "HSET", "doc:2", "t", "b", "n", "2", NULL);
    vt_run(r, "HSET", "other:1", "t", "c", "n", "3", NULL);
    vt_run(r, "HSET", "x", "t", "d", NULL);
    vt_run(r, "FT.CREATE", "i", "PREFIX", "1", "doc:", "SCHEMA", "t", "TAG", NULL);
    vt_run(r, "FT.CREATE", "k", "PREFIX", "2", "doc:", "other:", "SCHEMA", "n", "NUMERIC", NULL);
    vt_run(r, "FT.CREATE", "j", "PREFIX", "1", "doc:", "SCHEMA", "t", "TAG", NULL);
    while (vs_step(r, 100)) {
    }
    VT_CHECK(vs_journal_replay_begin(r, 1) == 0);
    VT_CHECK(vs_journal_replay_feed(r, (const uint8_t *)j, jn) == 0);
    VT_CHECK(vs_journal_replay_end(r, 0) == 0);
    VT_CHECK(vs_journal_replay_stat(r, 3) == 0);
    while (vs_step(r, 100)) {
    }
    size_t na, nb;
    char *a = vt_digest(db, &na), *b = vt_digest(r, &nb);
    VT_CHECK(na == nb && !memcmp(a, b, na));
    VT_TEXT(r, "[k]", "FT._LIST");
    VT_TEXT(r, "[1,other:1]", "FT.SEARCH", "k", "@n:[-inf +inf]", "NOCONTENT");
    free(a);
    free(b);
    free(j);
    free(before);
    vs_close(r);
    vs_close(db);
}

int main(void) {
    VT_RUN(test_errors);
    VT_RUN(test_limits);
    VT_RUN(test_create_info_list_drop);
    VT_RUN(test_dropindex_dd);
    VT_RUN(test_drop_legacy);
    VT_RUN(test_drop_documents_only);
    VT_DONE();
}
