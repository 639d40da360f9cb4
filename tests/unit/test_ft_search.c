/* test_ft_search.c - FT.SEARCH: results, ordering, options, every error;
 * indexing on every kind of write; backfill. */
#include "vt_cmd.h"

#define E(msg) "!" msg
#define Q(i) VT_BLOB(i)

/* doc:i = {vec: [i, 2i, 1], tag: odd|even, n: i} for i in 0..9. */
static vs_db *fixture(void) {
    vs_db *db = vs_open(NULL);
    for (int i = 0; i < 10; i++) {
        char key[32], n[16];
        float v[3] = {(float)i, (float)(2 * i), 1};
        snprintf(key, sizeof key, "doc:%d", i);
        snprintf(n, sizeof n, "%d", i);
        vt_blob(7, v, 3);
        vt_run(db, "HSET", key, "vec", VT_BLOB(7), "tag", i % 2 ? "odd" : "even", "n", n, NULL);
    }
    vt_run(db, "FT.CREATE", "idx", "PREFIX", "1", "doc:", "SCHEMA", "vec", "VECTOR", "FLAT", "6", "TYPE", "FLOAT32",
           "DIM", "3", "DISTANCE_METRIC", "L2", "tag", "TAG", "n", "NUMERIC", NULL);
    while (vs_step(db, 1000)) {
    }
    float q[3] = {1, 2, 1};
    vt_blob(0, q, 3);
    return db;
}

static void test_knn(void) {
    vs_db *db = fixture();
    /* L2 is squared: doc:i is at 5(i-1)^2; doc:0 and doc:2 tie, key order. */
    VT_TEXT(db, "[3,doc:1,[__vec_score,0],doc:0,[__vec_score,5],doc:2,[__vec_score,5]]", "FT.SEARCH", "idx",
            "*=>[KNN 3 @vec $q]", "PARAMS", "2", "q", Q(0), "RETURN", "1", "__vec_score");
    /* Without RETURN: score first, then every hash field, vector bytes too. */
    VT_TEXT(db,
            "[1,doc:1,[__vec_score,0,vec,\\x00\\x00\\x80?\\x00\\x00\\x00@\\x00\\x00\\x80?,tag,odd,n,1]]",
            "FT.SEARCH", "idx", "*=>[KNN 1 @vec $q]", "PARAMS", "2", "q", Q(0));
    VT_TEXT(db, "[2,doc:1,[s,0,tag,odd],doc:3,[s,20,tag,odd]]", "FT.SEARCH", "idx",
            "@tag:{odd}=>[KNN 2 @vec $q AS s]", "PARAMS", "2", "q", Q(0), "RETURN", "2", "s", "tag");
    /* total is min(matches, k) and not cut by LIMIT. */
    VT_TEXT(db, "[10,doc:2,doc:3]", "FT.SEARCH", "idx", "*=>[KNN 20 @vec $q]", "PARAMS", "2", "q", Q(0), "NOCONTENT",
            "LIMIT", "2", "2");
    VT_TEXT(db, "[5]", "FT.SEARCH", "idx", "*=>[KNN 5 @vec $q]", "PARAMS", "2", "q", Q(0), "LIMIT", "0", "0");
    VT_TEXT(db, "[5]", "FT.SEARCH", "idx", "*=>[KNN 5 @vec $q]", "PARAMS", "2", "q", Q(0), "LIMIT", "7", "3");
    /* k, EF_RUNTIME and the score name as parameters. */
    VT_TEXT(db, "[2,doc:1,[d,0],doc:0,[d,5]]", "FT.SEARCH", "idx", "*=>[KNN $k @vec $q EF_RUNTIME $ef AS $name]",
            "PARAMS", "8", "q", Q(0), "k", "2", "ef", "50", "name", "d", "RETURN", "1", "d", "DIALECT", "2");
    /* SORTBY the score (ASC) and SORTBY a field over the K nearest. */
    VT_TEXT(db, "[3,doc:1,doc:0,doc:2]", "FT.SEARCH", "idx", "*=>[KNN 3 @vec $q]", "PARAMS", "2", "q", Q(0),
            "SORTBY", "__vec_score", "NOCONTENT");
    VT_TEXT(db, "[3,doc:2,[n,2],doc:1,[n,1],doc:0,[n,0]]", "FT.SEARCH", "idx", "*=>[KNN 3 @vec $q]", "PARAMS", "2",
            "q", Q(0), "SORTBY", "n", "DESC", "RETURN", "1", "n");
    VT_TEXT(db, E("SORTBY on `__vec_score` is only supported in ascending order"), "FT.SEARCH", "idx",
            "*=>[KNN 3 @vec $q]", "PARAMS", "2", "q", Q(0), "SORTBY", "__vec_score", "DESC");
    vs_close(db);
}

static void test_filters(void) {
    vs_db *db = fixture();
    VT_TEXT(db, "[3,doc:2,doc:3,doc:4]", "FT.SEARCH", "idx", "@n:[2 4]", "NOCONTENT");
    VT_TEXT(db, "[2,doc:3,doc:4]", "FT.SEARCH", "idx", "@n:[(2 4]", "NOCONTENT");
    VT_TEXT(db, "[2,doc:2,doc:3]", "FT.SEARCH", "idx", "@n:[2 (4]", "NOCONTENT");
    VT_TEXT(db, "[3,doc:0,doc:1,doc:2]", "FT.SEARCH", "idx", "@n:[-inf (3]", "NOCONTENT");
    VT_TEXT(db, "[3,doc:7,doc:8,doc:9]", "FT.SEARCH", "idx", "@n:[7 +inf]", "NOCONTENT");
    VT_TEXT(db, "[1,doc:5]", "FT.SEARCH", "idx", "@n:[5,5]", "NOCONTENT");
    VT_TEXT(db, "[5,doc:1,doc:3,doc:5,doc:7,doc:9]", "FT.SEARCH", "idx", "@tag:{odd}", "NOCONTENT");
    VT_TEXT(db, "[5,doc:1,doc:3,doc:5,doc:7,doc:9]", "FT.SEARCH", "idx", "@tag:{ODD}", "NOCONTENT");
    VT_TEXT(db, "[10]", "FT.SEARCH", "idx", "@tag:{odd | even}", "LIMIT", "0", "0");
    VT_TEXT(db, "[5,doc:0,doc:2,doc:4,doc:6,doc:8]", "FT.SEARCH", "idx", "@tag:{ev*}", "NOCONTENT");
    VT_TEXT(db, "[3,doc:1,doc:3,doc:5]", "FT.SEARCH", "idx", "@tag:{odd} @n:[0 5]", "NOCONTENT");
    VT_TEXT(db, "[4,doc:0,doc:1,doc:3,doc:5]", "FT.SEARCH", "idx", "@tag:{odd} @n:[0 5] | @n:[0 0]", "NOCONTENT");
    VT_TEXT(db, "[3,doc:0,doc:1,doc:3]", "FT.SEARCH", "idx", "(@tag:{odd} | @n:[0 0]) -@n:[4 +inf]", "NOCONTENT");
    VT_TEXT(db, "[5,doc:0,doc:2,doc:4,doc:6,doc:8]", "FT.SEARCH", "idx", "-@tag:{odd}", "NOCONTENT");
    VT_TEXT(db, "[5,doc:1,doc:3,doc:5,doc:7,doc:9]", "FT.SEARCH", "idx", "- ( - (@tag:{odd}))", "NOCONTENT");
    /* Pure filters: key order, default LIMIT 0 10, all fields or RETURN. */
    VT_TEXT(db, "[10,doc:0,doc:1]", "FT.SEARCH", "idx", "*", "NOCONTENT", "LIMIT", "0", "2");
    VT_TEXT(db, "[10,doc:8,doc:9]", "FT.SEARCH", "idx", "(*)", "NOCONTENT", "LIMIT", "8", "5");
    VT_TEXT(db, "[1,doc:4,[tag,even,n,4]]", "FT.SEARCH", "idx", "@n:[4 4]", "RETURN", "2", "tag", "n");
    VT_TEXT(db, "[1,doc:4,[t,even]]", "FT.SEARCH", "idx", "@n:[4 4]", "RETURN", "4", "tag", "AS", "t", "missing");
    VT_TEXT(db, "[1,doc:4]", "FT.SEARCH", "idx", "@n:[4 4]", "RETURN", "0");
    VT_TEXT(db, "[10,doc:9,doc:8,doc:7]", "FT.SEARCH", "idx", "*", "SORTBY", "n", "DESC", "NOCONTENT", "LIMIT", "0",
            "3");
    VT_TEXT(db, "[10,doc:0,doc:2,doc:4]", "FT.SEARCH", "idx", "*", "SORTBY", "tag", "NOCONTENT", "LIMIT", "0", "3");
    VT_TEXT(db, "[0]", "FT.SEARCH", "idx", "@tag:{nothing}");
    vs_close(db);
}

static void test_errors(void) {
    vs_db *db = fixture();
    VT_TEXT(db, E("ERR wrong number of arguments for 'FT.SEARCH' command"), "FT.SEARCH", "idx");
    VT_TEXT(db, E("Index with name 'nope' not found in database 0"), "FT.SEARCH", "nope", "garbage", "LIMIT", "x");
    VT_TEXT(db, E("Unexpected argument `BOGUS`"), "FT.SEARCH", "idx", "*", "BOGUS");
    VT_TEXT(db, E("Error parsing value for the parameter `LIMIT` - `-10` is outside acceptable bounds"), "FT.SEARCH",
            "idx", "*", "LIMIT", "-10", "5");
    VT_TEXT(db, E("Error parsing value for the parameter `LIMiT` - `x` is not a valid numeric value"), "FT.SEARCH",
            "idx", "*", "LIMiT", "x", "5");
    VT_TEXT(db, E("Error parsing value for the parameter `PARAMS` - Missing argument"), "FT.SEARCH", "idx", "*",
            "PARAMS", "4", "a", "1");
    VT_TEXT(db, E("Error parsing value for the parameter `PARAMS` - Parameter count must be an even number."),
            "FT.SEARCH", "idx", "*", "PARAMS", "3", "a", "1", "b");
    VT_TEXT(db, E("Error parsing value for the parameter `PARAMS` - Parameter a is already defined."), "FT.SEARCH",
            "idx", "*", "PARAMS", "4", "a", "1", "a", "2");
    VT_TEXT(db, E("Error parsing value for the parameter `RETURN` - Unexpected parameter `AS` "), "FT.SEARCH", "idx",
            "*", "RETURN", "1", "r1", "AS", "x");
    VT_TEXT(db, E("Unexpected argument `r2`"), "FT.SEARCH", "idx", "*", "RETURN", "3", "r1", "as", "r11", "r2");
    VT_TEXT(db, E("DIALECT requires a non negative integer >=2 and <= 4"), "FT.SEARCH", "idx", "*", "DIALECT", "1");
    VT_TEXT(db, E("Error parsing value for the parameter `DIALECT` - `-2` is outside acceptable bounds"), "FT.SEARCH",
            "idx", "*", "DIALECT", "-2");
    VT_TEXT(db, E("TIMEOUT must be a positive integer greater than 0 and cannot exceed 60000."), "FT.SEARCH", "idx",
            "*", "TIMEOUT", "60001");
    VT_TEXT(db, E("Parameter `unused` not used."), "FT.SEARCH", "idx", "*", "PARAMS", "2", "unused", "1");
    VT_TEXT(db, E("Index field `nosuch` does not exist"), "FT.SEARCH", "idx", "*", "SORTBY", "nosuch");
    VT_TEXT(db, E("Invalid query string syntax"), "FT.SEARCH", "idx", "");
    /* Filter syntax: positions as valkey-search reports them. */
    VT_TEXT(db, E("Invalid filter expression: `@n:[2.8 2.5] @n:[1.0 1.5]`. Start and end values of a numeric field "
                  "indicate an empty range. Position: 12"),
            "FT.SEARCH", "idx", "@n:[2.8 2.5] @n:[1.0 1.5]");
    VT_TEXT(db, E("Invalid filter expression: `@n:[(2.5 2.5]`. Start and end values of a numeric field indicate an "
                  "empty range. Position: 13"),
            "FT.SEARCH", "idx", "@n:[(2.5 2.5]");
    VT_TEXT(db, E("Invalid filter expression: `@tag:{tag1 , tag 2`. Missing closing TAG bracket, '}'"), "FT.SEARCH",
            "idx", "@tag:{tag1 , tag 2");
    VT_TEXT(db, E("Invalid filter expression: `@n : [23 25] -| @n:[0 2.5]`. Unexpected character at position 15: `|`"),
            "FT.SEARCH", "idx", "@n : [23 25] -| @n:[0 2.5]");
    VT_TEXT(db,
            E("Invalid filter expression: `@n : [23 25] | @n[0 2.5]`. Unexpected character at position 21: `2`, "
              "expecting `:`"),
            "FT.SEARCH", "idx", "@n : [23 25] | @n[0 2.5]");
    VT_TEXT(db, E("Invalid filter expression: `@n : [23 25]   @aa:[0 2.5]`. `aa` is not indexed as a numeric field"),
            "FT.SEARCH", "idx", "@n : [23 25]   @aa:[0 2.5]");
    VT_TEXT(db, E("Invalid filter expression: `@n:{0 2.5]`. `n` is not indexed as a tag field"), "FT.SEARCH", "idx",
            "@n:{0 2.5]");
    VT_TEXT(db, E("Invalid filter expression: `@n:[0 2.5}`. Expected ']' got '}'. Position: 9"), "FT.SEARCH", "idx",
            "@n:[0 2.5}");
    VT_TEXT(db, E("Invalid filter expression: `@tag:[tag1}`. `tag` is not indexed as a numeric field"), "FT.SEARCH",
            "idx", "@tag:[tag1}");
    VT_TEXT(db, E("Invalid filter expression: `hello`. Index does not have any text field"), "FT.SEARCH", "idx",
            "hello");
    VT_TEXT(db, E("Invalid filter expression: `@n:[1 2] ( | @tag:{a})`. Missing OR term"), "FT.SEARCH", "idx",
            "@n:[1 2] ( | @tag:{a})");
    VT_TEXT(db, E("Invalid filter expression: `@n:[1 2] (@n:[1 3] () @tag:{a})`. Empty brackets detected at Position: 20"),
            "FT.SEARCH", "idx", "@n:[1 2] (@n:[1 3] () @tag:{a})");
    VT_TEXT(db, E("Invalid filter expression: `()`. Unexpected character at position 2: `)`"), "FT.SEARCH", "idx",
            "()");
    VT_TEXT(db, E("Invalid filter expression: `(@n:[1 2]`. Expected ')' after expression got ''. Position: 9"),
            "FT.SEARCH", "idx", "(@n:[1 2]");
    VT_TEXT(db, E("Invalid filter expression: `*)`. Unexpected character at position 1: `*`"), "FT.SEARCH", "idx",
            "*)");
    VT_TEXT(db, E("Invalid filter expression: `@n:[abc 5]`. Invalid number: "), "FT.SEARCH", "idx", "@n:[abc 5]");
    VT_TEXT(db, E("Invalid filter expression: `@tag:{a**}`. Tag string `a**` ends with multiple *."), "FT.SEARCH",
            "idx", "@tag:{a**}");
    VT_TEXT(db, E("Invalid filter expression: `@tag:{d*}`. Tag string `d*` is too short for prefix wildcard."),
            "FT.SEARCH", "idx", "@tag:{d*}");
    /* KNN clause. */
    VT_TEXT(db,
            E("Error parsing vector similarity parameters: `[KNN 10 @vec $q EF_RUNTIMe 4 bubu 3 As as_test]`. "
              "Unexpected argument `bubu`"),
            "FT.SEARCH", "idx", "(*)=>[KNN 10 @vec $q EF_RUNTIMe 4 bubu 3 As as_test]", "PARAMS", "2", "q", Q(0));
    VT_TEXT(db, E("Error parsing vector similarity parameters: `[KNN 10 @vec $q EF_RUNTIMe]`. EF_RUNTIME argument is "
                  "missing"),
            "FT.SEARCH", "idx", "(*)=>[KNN 10 @vec $q EF_RUNTIMe]");
    VT_TEXT(db, E("Error parsing vector similarity parameters: `[KNN 10 @vec $q EF_RUNTIMe 10 AS]`. AS argument is "
                  "missing"),
            "FT.SEARCH", "idx", "(*)=>[KNN 10 @vec $q EF_RUNTIMe 10 AS]");
    VT_TEXT(db,
            E("Error parsing vector similarity parameters: `[KNN 10 @ $q]`. Unexpected argument `@`. Expecting a "
              "vector field name, starting with '@'"),
            "FT.SEARCH", "idx", "(*)=>[KNN 10 @ $q]");
    VT_TEXT(db, E("Error parsing vector similarity parameters: `[KNN 10 @vec ]`. Blob attribute argument is missing"),
            "FT.SEARCH", "idx", "(*)=>[KNN 10 @vec ]");
    VT_TEXT(db, E("Error parsing vector similarity parameters: `[KNN 10 @vec $q] aa`. Expecting ']' got 'a'"),
            "FT.SEARCH", "idx", "(*)=>[KNN 10 @vec $q] aa");
    VT_TEXT(db, E("Error parsing vector similarity parameters: `[]`. Missing parameters"), "FT.SEARCH", "idx",
            "(*)=>[]");
    VT_TEXT(db, E("Error parsing vector similarity parameters: `[@vec1 $q]`. `@vec1`. Expecting `KNN`"), "FT.SEARCH",
            "idx", "* =>  [@vec1 $q]");
    VT_TEXT(db, E("Error parsing vector similarity parameters: `[KNN]`. KNN argument is missing"), "FT.SEARCH", "idx",
            "* =>  [KNN]");
    VT_TEXT(db, E("Error parsing vector similarity parameters: `[KNN 10]`. Vector field argument is missing"),
            "FT.SEARCH", "idx", "* =>  [KNN 10]");
    VT_TEXT(db, E("Index field `nosuch` does not exist"), "FT.SEARCH", "idx", "*=>[KNN 10 @nosuch $q]", "PARAMS", "2",
            "q", Q(0));
    VT_TEXT(db, E("Index field `tag` is not a Vector index "), "FT.SEARCH", "idx", "*=>[KNN 10 @tag $q]", "PARAMS",
            "2", "q", Q(0));
    VT_TEXT(db, E("Error parsing vector similarity parameters: Parameter q not found."), "FT.SEARCH", "idx",
            "*=>[KNN 10 @vec $q]");
    VT_TEXT(db, E("Error parsing vector similarity parameters: `aa` is not a valid numeric value"), "FT.SEARCH", "idx",
            "*=>[KNN aa @vec $q]", "PARAMS", "2", "q", Q(0));
    VT_TEXT(db,
            E("Error parsing vector similarity parameters: query vector blob size (8) does not match index's expected "
              "size (12)."),
            "FT.SEARCH", "idx", "*=>[KNN 10 @vec $q]", "PARAMS", "2", "q", "12345678");
    VT_TEXT(db,
            E("Invalid range: Value below minimum; KNN parameter must be a positive integer greater than 0 and cannot "
              "exceed 10000."),
            "FT.SEARCH", "idx", "*=>[KNN 0 @vec $q]", "PARAMS", "2", "q", Q(0));
    VT_TEXT(db,
            E("Invalid range: Value above maximum; KNN parameter must be a positive integer greater than 0 and cannot "
              "exceed 10000."),
            "FT.SEARCH", "idx", "*=>[KNN 10001 @vec $q]", "PARAMS", "2", "q", Q(0));
    VT_TEXT(db,
            E("Invalid range: Value above maximum; `EF_RUNTIME` must be a positive integer greater than 0 and cannot "
              "exceed 4096."),
            "FT.SEARCH", "idx", "*=>[KNN 10 @vec $q EF_RUNTIME 5000]", "PARAMS", "2", "q", Q(0));
    /* Limits: length and nesting depth. */
    static char deep[2100], longq[10300];
    memset(deep, '(', 1000);
    strcpy(deep + 1000, "@n:[1 2]");
    memset(deep + 1008, ')', 1000);
    deep[2008] = 0;
    vt_run(db, "FT.SEARCH", "idx", deep, NULL);
    VT_CHECK(strstr(vt_text(db), "Query string is too complex") != NULL);
    memset(longq, ' ', 10241);
    longq[0] = '*';
    longq[10241] = 0;
    VT_TEXT(db, E("Query string is too long, max length is 10240 bytes."), "FT.SEARCH", "idx", longq);
    vs_close(db);
}

static void test_indexing(void) {
    vs_db *db = vs_open(NULL);
    VT_CMD(db, "+OK\r\n", "FT.CREATE", "i", "PREFIX", "1", "d:", "SCHEMA", "v", "VECTOR", "FLAT", "6", "TYPE", "FLOAT32",
           "DIM", "2", "DISTANCE_METRIC", "L2", "t", "TAG", "n", "NUMERIC");
    VT_CMD(db, "+OK\r\n", "FT.CREATE", "all", "SCHEMA", "t", "TAG");
    float a[2] = {1, 0}, b[2] = {0, 1};
    vt_blob(1, a, 2);
    vt_blob(2, b, 2);
    vt_blob(0, a, 2);
    vt_run(db, "HSET", "d:1", "v", Q(1), "t", " x , y ,,", "n", "5", NULL);
    vt_run(db, "HSET", "d:2", "v", "short", "t", "x", "n", "notanumber", NULL); /* 2 failures */
    vt_run(db, "HSET", "other", "t", "x", NULL);
    VT_TEXT(db, "[2,d:1,d:2]", "FT.SEARCH", "i", "@t:{x}", "NOCONTENT");
    VT_TEXT(db, "[1,d:1]", "FT.SEARCH", "i", "@t:{y}", "NOCONTENT");
    VT_TEXT(db, "[3,d:1,d:2,other]", "FT.SEARCH", "all", "@t:{x}", "NOCONTENT"); /* a key is in every index */
    VT_TEXT(db, "[1,d:1]", "FT.SEARCH", "i", "*=>[KNN 5 @v $q]", "PARAMS", "2", "q", Q(0), "NOCONTENT");
    vt_run(db, "FT.INFO", "i", NULL);
    const char *info = vt_text(db);
    VT_CHECK(strstr(info, "num_docs,2,max_doc_id,2,num_terms,0,num_records,4,") != NULL);
    VT_CHECK(strstr(info, "hash_indexing_failures,2,") != NULL);
    /* Fixing the values clears the failures. */
    vt_run(db, "HSET", "d:2", "v", Q(2), "n", "7", NULL);
    vt_run(db, "FT.INFO", "i", NULL);
    info = vt_text(db);
    VT_CHECK(strstr(info, "num_docs,2,max_doc_id,2,num_terms,0,num_records,6,") != NULL);
    VT_CHECK(strstr(info, "hash_indexing_failures,0,") != NULL);
    VT_TEXT(db, "[2,d:1,[s,0],d:2,[s,2]]", "FT.SEARCH", "i", "*=>[KNN 5 @v $q AS s]", "PARAMS", "2", "q", Q(0),
            "RETURN", "1", "s");
    /* Overwrite a vector: the new one is what is searched. */
    vt_run(db, "HSET", "d:1", "v", Q(2), NULL);
    VT_TEXT(db, "[2,d:1,[s,2],d:2,[s,2]]", "FT.SEARCH", "i", "*=>[KNN 5 @v $q AS s]", "PARAMS", "2", "q", Q(0),
            "RETURN", "1", "s");
    /* HDEL the vector: out of KNN, still matched by its tag. */
    vt_run(db, "HDEL", "d:1", "v", NULL);
    VT_TEXT(db, "[1,d:2]", "FT.SEARCH", "i", "*=>[KNN 5 @v $q]", "PARAMS", "2", "q", Q(0), "NOCONTENT");
    VT_TEXT(db, "[2,d:1,d:2]", "FT.SEARCH", "i", "@t:{x}", "NOCONTENT");
    /* RENAME out of the prefix, back in, and over an indexed key. */
    vt_run(db, "RENAME", "d:1", "gone", NULL);
    VT_TEXT(db, "[1,d:2]", "FT.SEARCH", "i", "@t:{x}", "NOCONTENT");
    vt_run(db, "RENAME", "gone", "d:3", NULL);
    VT_TEXT(db, "[2,d:2,d:3]", "FT.SEARCH", "i", "@t:{x}", "NOCONTENT");
    vt_run(db, "RENAME", "d:3", "d:2", NULL);
    VT_TEXT(db, "[1,d:2]", "FT.SEARCH", "i", "@t:{x}", "NOCONTENT");
    VT_TEXT(db, "[0]", "FT.SEARCH", "i", "*=>[KNN 5 @v $q]", "PARAMS", "2", "q", Q(0), "NOCONTENT");
    /* SET over a hash, DEL, UNLINK. */
    vt_run(db, "HSET", "d:4", "t", "x", NULL);
    vt_run(db, "HSET", "d:5", "t", "x", NULL);
    vt_run(db, "SET", "d:2", "string now", NULL);
    vt_run(db, "DEL", "d:4", NULL);
    vt_run(db, "UNLINK", "d:5", NULL);
    VT_TEXT(db, "[0]", "FT.SEARCH", "i", "@t:{x}", "NOCONTENT");
    VT_TEXT(db, "[1,other]", "FT.SEARCH", "all", "@t:{x}", "NOCONTENT");
    /* An empty TAG is an indexing failure. */
    vt_run(db, "HSET", "d:6", "t", " , ", NULL);
    vt_run(db, "FT.INFO", "i", NULL);
    VT_CHECK(strstr(vt_text(db), "hash_indexing_failures,1,") != NULL);
    /* FLUSHALL empties every index; they stay defined. */
    vt_run(db, "FLUSHALL", NULL);
    vt_run(db, "FT.INFO", "i", NULL);
    info = vt_text(db);
    VT_CHECK(strstr(info, "num_docs,0,max_doc_id,0,num_terms,0,num_records,0,") != NULL);
    VT_CHECK(strstr(info, "hash_indexing_failures,0,") != NULL);
    vt_run(db, "HSET", "d:7", "t", "x", NULL);
    VT_TEXT(db, "[1,d:7]", "FT.SEARCH", "i", "@t:{x}", "NOCONTENT");
    vs_close(db);
}

static void test_tag_options_and_metrics(void) {
    vs_db *db = vs_open(NULL);
    VT_CMD(db, "+OK\r\n", "FT.CREATE", "cs", "SCHEMA", "t", "TAG", "SEPARATOR", ";", "CASESENSITIVE", "v", "VECTOR",
           "FLAT", "6", "TYPE", "FLOAT32", "DIM", "3", "DISTANCE_METRIC", "COSINE");
    VT_CMD(db, "+OK\r\n", "FT.CREATE", "ip", "SCHEMA", "v", "VECTOR", "FLAT", "6", "TYPE", "FLOAT32", "DIM", "3",
           "DISTANCE_METRIC", "IP");
    float p0[3] = {0, 0, 1}, p1[3] = {1, 2, 0}, p2[3] = {1, 0, 0}, q[3] = {1, 0, 0};
    vt_blob(1, p0, 3);
    vt_run(db, "HSET", "0", "t", "Red;blue", "v", Q(1), NULL);
    vt_blob(1, p1, 3);
    vt_run(db, "HSET", "1", "t", "red", "v", Q(1), NULL);
    vt_blob(1, p2, 3);
    vt_run(db, "HSET", "2", "t", "RED", "v", Q(1), NULL);
    vt_blob(0, q, 3);
    VT_TEXT(db, "[1,0]", "FT.SEARCH", "cs", "@t:{Red}", "NOCONTENT");
    VT_TEXT(db, "[1,1]", "FT.SEARCH", "cs", "@t:{red}", "NOCONTENT");
    VT_TEXT(db, "[1,0]", "FT.SEARCH", "cs", "@t:{blue}", "NOCONTENT");
    /* The COSINE example of valkey-search's tests: 1 - 1/sqrt(5). */
    VT_TEXT(db, "[3,2,[score,0],1,[score,0.552786409855],0,[score,1]]", "FT.SEARCH", "cs",
            "*=>[KNN 3 @v $q AS score]", "PARAMS", "2", "q", Q(0), "RETURN", "1", "score");
    /* IP: 1 - dot (vectors as stored, not normalised). */
    VT_TEXT(db, "[3,1,[__v_score,0],2,[__v_score,0],0,[__v_score,1]]", "FT.SEARCH", "ip", "*=>[KNN 3 @v $q]",
            "PARAMS", "2", "q", Q(0), "RETURN", "1", "__v_score");
    vs_close(db);
}

static void test_backfill(void) {
    vs_db *db = vs_open(NULL);
    char key[32];
    for (int i = 0; i < 1000; i++) {
        snprintf(key, sizeof key, "k:%04d", i);
        vt_run(db, "HSET", key, "t", i % 10 ? "common" : "rare", NULL);
    }
    VT_CMD(db, "+OK\r\n", "FT.CREATE", "b", "PREFIX", "1", "k:", "SCHEMA", "t", "TAG");
    vt_run(db, "FT.INFO", "b", NULL);
    VT_CHECK(strstr(vt_text(db), "backfill_in_progress,1,backfill_complete_percent,0.000000,") != NULL);
    VT_CHECK(strstr(vt_text(db), "state,backfill_in_progress,") != NULL);
    VT_EQ_INT(vs_step(db, 300), 1);
    vt_run(db, "FT.INFO", "b", NULL);
    VT_CHECK(strstr(vt_text(db), "num_docs,300,") != NULL);
    VT_CHECK(strstr(vt_text(db), "backfill_complete_percent,0.300000,") != NULL);
    /* Queries see what is indexed so far. */
    VT_TEXT(db, "[30]", "FT.SEARCH", "b", "@t:{rare}", "LIMIT", "0", "0");
    /* Writes during backfill: an update ahead of the cursor, a new key,
     * a delete ahead of the cursor; none counted twice or resurrected. */
    vt_run(db, "HSET", "k:0901", "t", "rare", NULL);
    vt_run(db, "HSET", "k:new", "t", "rare", NULL);
    vt_run(db, "DEL", "k:0950", NULL);
    vt_run(db, "DEL", "k:0010", NULL); /* behind the cursor */
    while (vs_step(db, 128)) {
    }
    vt_run(db, "FT.INFO", "b", NULL);
    VT_CHECK(strstr(vt_text(db), "num_docs,999,") != NULL);
    VT_CHECK(strstr(vt_text(db), "backfill_in_progress,0,backfill_complete_percent,1.000000,") != NULL);
    VT_CHECK(strstr(vt_text(db), "state,ready,") != NULL);
    VT_TEXT(db, "[100]", "FT.SEARCH", "b", "@t:{rare}", "LIMIT", "0", "0");
    /* SKIPINITIALSCAN: existing keys are not indexed. */
    VT_CMD(db, "+OK\r\n", "FT.CREATE", "s", "SKIPINITIALSCAN", "SCHEMA", "t", "TAG");
    VT_EQ_INT(vs_step(db, 100), 0);
    VT_TEXT(db, "[0]", "FT.SEARCH", "s", "@t:{rare}", "LIMIT", "0", "0");
    vs_close(db);
}

int main(void) {
    VT_RUN(test_knn);
    VT_RUN(test_filters);
    VT_RUN(test_errors);
    VT_RUN(test_indexing);
    VT_RUN(test_tag_options_and_metrics);
    VT_RUN(test_backfill);
    VT_DONE();
}
