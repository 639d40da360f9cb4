/* test_commands.c - every keyspace command through vs_exec, with the exact
 * RESP bytes Redis 7 sends (checked against redis-server 7.0). */
#include "../../src/base/alloc.h"
#include "vt_cmd.h"

#define WRONGTYPE "-WRONGTYPE Operation against a key holding the wrong kind of value\r\n"
#define NOTINT "-ERR value is not an integer or out of range\r\n"
#define SYNTAX "-ERR syntax error\r\n"

static void test_conn(void) {
    vs_db *db = vs_open(NULL);
    VT_CMD(db, "+PONG\r\n", "PING");
    VT_CMD(db, "+PONG\r\n", "ping");
    VT_CMD(db, "$2\r\nhi\r\n", "PING", "hi");
    VT_CMD(db, "-ERR wrong number of arguments for 'ping' command\r\n", "PING", "a", "b");
    VT_CMD(db, "$5\r\nhello\r\n", "ECHO", "hello");
    VT_CMD(db, "-ERR wrong number of arguments for 'echo' command\r\n", "ECHO");
    VT_CMD(db, "-ERR wrong number of arguments for 'echo' command\r\n", "ECHO", "a", "b");
    VT_CMD(db, "-ERR unknown command 'foo', with args beginning with: 'bar' 'baz' \r\n", "foo", "bar", "baz");
    VT_CMD(db, "-ERR unknown command 'foo', with args beginning with: \r\n", "foo");
    VT_CMD(db, "-ERR unknown command 'foo bar', with args beginning with: \r\n", "foo\nbar");
    VT_CMD(db, ":0\r\n", "DBSIZE");
    VT_CMD(db, "+OK\r\n", "FLUSHALL");
    VT_CMD(db, "+OK\r\n", "FLUSHALL", "ASYNC");
    VT_CMD(db, SYNTAX, "FLUSHALL", "x");
    vs_close(db);
}

static void test_hash_cmds(void) {
    vs_db *db = vs_open(NULL);
    VT_CMD(db, ":2\r\n", "HSET", "h", "a", "1", "b", "2");
    VT_CMD(db, ":0\r\n", "HSET", "h", "a", "10");
    VT_CMD(db, ":1\r\n", "HSET", "h", "c", "1", "c", "2"); /* repeated field counts once */
    VT_CMD(db, "$1\r\n2\r\n", "HGET", "h", "c");
    VT_CMD(db, "-ERR wrong number of arguments for 'hset' command\r\n", "HSET", "h", "a");
    VT_CMD(db, "-ERR wrong number of arguments for 'hset' command\r\n", "HSET", "h", "a", "1", "b");
    VT_CMD(db, "-ERR wrong number of arguments for 'hset' command\r\n", "Hset");
    VT_CMD(db, "$2\r\n10\r\n", "HGET", "h", "a");
    VT_CMD(db, "$-1\r\n", "HGET", "h", "nope");
    VT_CMD(db, "$-1\r\n", "HGET", "nokey", "a");
    VT_CMD(db, "*3\r\n$2\r\n10\r\n$-1\r\n$1\r\n2\r\n", "HMGET", "h", "a", "x", "b");
    VT_CMD(db, "*2\r\n$-1\r\n$-1\r\n", "HMGET", "nokey", "a", "b");
    VT_CMD(db, "*6\r\n$1\r\na\r\n$2\r\n10\r\n$1\r\nb\r\n$1\r\n2\r\n$1\r\nc\r\n$1\r\n2\r\n", "HGETALL", "h");
    VT_CMD(db, "*0\r\n", "HGETALL", "nokey");
    VT_CMD(db, "*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n", "HKEYS", "h");
    VT_CMD(db, "*3\r\n$2\r\n10\r\n$1\r\n2\r\n$1\r\n2\r\n", "HVALS", "h");
    VT_CMD(db, ":3\r\n", "HLEN", "h");
    VT_CMD(db, ":0\r\n", "HLEN", "nokey");
    VT_CMD(db, ":1\r\n", "HEXISTS", "h", "a");
    VT_CMD(db, ":0\r\n", "HEXISTS", "h", "z");
    VT_CMD(db, ":2\r\n", "HSTRLEN", "h", "a");
    VT_CMD(db, ":0\r\n", "HSTRLEN", "h", "z");
    VT_CMD(db, ":0\r\n", "HSETNX", "h", "a", "x");
    VT_CMD(db, ":1\r\n", "HSETNX", "h", "d", "x");
    VT_CMD(db, "+OK\r\n", "HMSET", "h", "e", "5", "f", "6");
    VT_CMD(db, ":2\r\n", "HDEL", "h", "e", "f", "nope");
    VT_CMD(db, ":0\r\n", "HDEL", "nokey", "a");
    VT_CMD(db, ":4\r\n", "HDEL", "h", "a", "b", "c", "d");
    VT_CMD(db, ":0\r\n", "EXISTS", "h"); /* emptied hash is deleted */
    VT_CMD(db, "-ERR wrong number of arguments for 'hdel' command\r\n", "HDEL", "h");
    /* HGETALL keeps insertion order after deletes (small hash). */
    VT_CMD(db, ":3\r\n", "HSET", "o", "x", "1", "y", "2", "z", "3");
    VT_CMD(db, ":1\r\n", "HDEL", "o", "y");
    VT_CMD(db, "*4\r\n$1\r\nx\r\n$1\r\n1\r\n$1\r\nz\r\n$1\r\n3\r\n", "HGETALL", "o");
    vs_close(db);
}

static void test_incr(void) {
    vs_db *db = vs_open(NULL);
    VT_CMD(db, ":5\r\n", "HINCRBY", "h", "n", "5");
    VT_CMD(db, ":2\r\n", "HINCRBY", "h", "n", "-3");
    VT_CMD(db, NOTINT, "HINCRBY", "h", "n", "x");
    VT_CMD(db, NOTINT, "HINCRBY", "h", "n", "1.5");
    VT_CMD(db, ":1\r\n", "HSET", "h", "f", "1.5");
    VT_CMD(db, "-ERR hash value is not an integer\r\n", "HINCRBY", "h", "f", "1");
    VT_CMD(db, ":1\r\n", "HSET", "h", "big", "9223372036854775807");
    VT_CMD(db, "-ERR increment or decrement would overflow\r\n", "HINCRBY", "h", "big", "1");
    VT_CMD(db, ":-9223372036854775808\r\n", "HINCRBY", "h", "neg", "-9223372036854775808");
    VT_CMD(db, "-ERR increment or decrement would overflow\r\n", "HINCRBY", "h", "neg", "-1");
    VT_CMD(db, "$4\r\n1.65\r\n", "HINCRBYFLOAT", "h", "f", "0.15");
    VT_CMD(db, "$4\r\n10.6\r\n", "HINCRBYFLOAT", "h", "g", "10.6");
    VT_CMD(db, "$4\r\n5000\r\n", "HINCRBYFLOAT", "h", "k", "5.0e3");
    VT_CMD(db, "$1\r\n0\r\n", "HINCRBYFLOAT", "h", "z", "-0.0");
    VT_CMD(db, "-ERR value is not a valid float\r\n", "HINCRBYFLOAT", "h", "f", "abc");
    VT_CMD(db, "-ERR value is not a valid float\r\n", "HINCRBYFLOAT", "h", "f", "nan");
    VT_CMD(db, "-ERR value is not a valid float\r\n", "HINCRBYFLOAT", "h", "f", " 1");
    VT_CMD(db, "-ERR value is NaN or Infinity\r\n", "HINCRBYFLOAT", "h", "f", "inf");
    VT_CMD(db, ":1\r\n", "HSET", "h", "s", "abc");
    VT_CMD(db, "-ERR hash value is not a float\r\n", "HINCRBYFLOAT", "h", "s", "1");
    VT_CMD(db, ":1\r\n", "HSET", "h", "i", "inf");
    VT_CMD(db, "-ERR increment would produce NaN or Infinity\r\n", "HINCRBYFLOAT", "h", "i", "1");
    VT_CMD(db, "+OK\r\n", "SET", "s", "v");
    VT_CMD(db, WRONGTYPE, "HINCRBY", "s", "f", "1");
    VT_CMD(db, NOTINT, "HINCRBY", "s", "f", "x"); /* increment checked first */
    VT_CMD(db, WRONGTYPE, "HINCRBYFLOAT", "s", "f", "1");
    vs_close(db);
}

static void test_strings_and_types(void) {
    vs_db *db = vs_open(NULL);
    VT_CMD(db, "+OK\r\n", "SET", "s", "v");
    VT_CMD(db, "$1\r\nv\r\n", "GET", "s");
    VT_CMD(db, "$-1\r\n", "GET", "nokey");
    VT_CMD(db, "$-1\r\n", "SET", "s", "w", "NX");
    VT_CMD(db, "+OK\r\n", "SET", "s", "w", "XX");
    VT_CMD(db, "$-1\r\n", "SET", "t", "w", "XX");
    VT_CMD(db, "$1\r\nw\r\n", "SET", "s", "x", "GET");
    VT_CMD(db, "$-1\r\n", "SET", "u", "x", "GET");
    VT_CMD(db, SYNTAX, "SET", "s", "v", "NX", "XX");
    VT_CMD(db, SYNTAX, "SET", "s", "v", "BOGUS");
    VT_CMD(db, "+OK\r\n", "SET", "s", "x", "EX", "10"); /* expiry: tests/unit/test_expire.c */
    VT_CMD(db, ":1\r\n", "HSET", "h", "f", "v");
    VT_CMD(db, WRONGTYPE, "GET", "h");
    VT_CMD(db, WRONGTYPE, "HGET", "s", "f");
    VT_CMD(db, WRONGTYPE, "HSET", "s", "f", "v");
    VT_CMD(db, WRONGTYPE, "HGETALL", "s");
    VT_CMD(db, WRONGTYPE, "HDEL", "s", "f");
    VT_CMD(db, WRONGTYPE, "SET", "h", "v", "GET");
    VT_CMD(db, "+string\r\n", "TYPE", "s");
    VT_CMD(db, "+hash\r\n", "TYPE", "h");
    VT_CMD(db, "+none\r\n", "TYPE", "zz");
    VT_CMD(db, "+OK\r\n", "SET", "h", "now-a-string"); /* SET overwrites any type */
    VT_CMD(db, "+string\r\n", "TYPE", "h");
    vs_close(db);
}

static void test_keys_cmds(void) {
    vs_db *db = vs_open(NULL);
    VT_CMD(db, ":1\r\n", "HSET", "doc:1", "f", "v");
    VT_CMD(db, ":1\r\n", "HSET", "doc:2", "f", "v");
    VT_CMD(db, "+OK\r\n", "SET", "other", "v");
    VT_CMD(db, ":3\r\n", "EXISTS", "doc:1", "doc:1", "doc:1");
    VT_CMD(db, ":2\r\n", "EXISTS", "doc:1", "nope", "other");
    VT_CMD(db, ":3\r\n", "DBSIZE");
    VT_CMD(db, "*2\r\n$5\r\ndoc:1\r\n$5\r\ndoc:2\r\n", "KEYS", "doc:*");
    VT_CMD(db, "*1\r\n$5\r\ndoc:2\r\n", "KEYS", "doc:[2-9]");
    VT_CMD(db, "*0\r\n", "KEYS", "nothing*");
    VT_CMD(db, "-ERR no such key\r\n", "RENAME", "nope", "x");
    VT_CMD(db, "+OK\r\n", "RENAME", "doc:1", "doc:1");
    VT_CMD(db, "+OK\r\n", "RENAME", "doc:1", "doc:3");
    VT_CMD(db, ":0\r\n", "EXISTS", "doc:1");
    VT_CMD(db, "$1\r\nv\r\n", "HGET", "doc:3", "f");
    VT_CMD(db, "+OK\r\n", "RENAME", "other", "doc:3"); /* overwrites */
    VT_CMD(db, "+string\r\n", "TYPE", "doc:3");
    VT_CMD(db, ":0\r\n", "RENAMENX", "doc:3", "doc:2");
    VT_CMD(db, ":1\r\n", "RENAMENX", "doc:3", "doc:9");
    VT_CMD(db, "-ERR no such key\r\n", "RENAMENX", "doc:3", "doc:8");
    VT_CMD(db, ":2\r\n", "DEL", "doc:2", "doc:9", "nope");
    VT_CMD(db, ":0\r\n", "UNLINK", "doc:2");
    VT_CMD(db, ":0\r\n", "DBSIZE");
    VT_CMD(db, "-ERR wrong number of arguments for 'del' command\r\n", "DEL");
    VT_CMD(db, "-ERR wrong number of arguments for 'exists' command\r\n", "EXISTS");
    VT_CMD(db, "-ERR wrong number of arguments for 'keys' command\r\n", "KEYS", "a", "b");
    VT_CMD(db, "-ERR wrong number of arguments for 'rename' command\r\n", "RENAME", "a");
    vs_close(db);
}

static void test_scan(void) {
    vs_db *db = vs_open(NULL);
    VT_CMD(db, "*2\r\n$1\r\n0\r\n*0\r\n", "SCAN", "0");
    VT_CMD(db, "-ERR invalid cursor\r\n", "SCAN", "abc");
    VT_CMD(db, SYNTAX, "SCAN", "0", "COUNT", "0");
    VT_CMD(db, NOTINT, "SCAN", "0", "COUNT", "x");
    VT_CMD(db, SYNTAX, "SCAN", "0", "MATCH");
    VT_CMD(db, SYNTAX, "SCAN", "0", "FOO", "bar");
    char k[32];
    for (int i = 0; i < 100; i++) {
        snprintf(k, sizeof k, "k%d", i);
        vt_run(db, "HSET", k, "f", "v", NULL);
    }
    vt_run(db, "SET", "str", "v", NULL);
    /* Walk with a small COUNT while keys are added and deleted: every key
     * present throughout is returned exactly once. */
    int seen[100] = {0};
    char cursor[32] = "0";
    int calls = 0, added = 0;
    do {
        vt_run(db, "SCAN", cursor, "MATCH", "k*", "COUNT", "7", NULL);
        const char *r = (const char *)vs_reply_data(db);
        /* *2\r\n$<n>\r\n<cursor>\r\n*<m>\r\n($<l>\r\n<key>\r\n)* */
        const char *p = strchr(r + 4, '\n') + 1;
        const char *e = strchr(p, '\r');
        memcpy(cursor, p, (size_t)(e - p));
        cursor[e - p] = 0;
        p = e + 2;
        int m = atoi(p + 1);
        p = strchr(p, '\n') + 1;
        for (int j = 0; j < m; j++) {
            int l = atoi(p + 1);
            p = strchr(p, '\n') + 1;
            int idx = -1;
            if (l > 1 && p[0] == 'k' && p[1] != 'x') idx = atoi(p + 1);
            if (idx >= 0 && idx < 100) seen[idx]++;
            p += l + 2;
        }
        /* Grow the table and churn other keys mid-iteration. */
        for (int j = 0; j < 3; j++) {
            snprintf(k, sizeof k, "kx%d", added++);
            vt_run(db, "HSET", k, "f", "v", NULL);
        }
        snprintf(k, sizeof k, "kx%d", added / 2);
        vt_run(db, "DEL", k, NULL);
        calls++;
    } while (strcmp(cursor, "0") != 0 && calls < 10000);
    VT_CHECK(calls < 10000);
    for (int i = 0; i < 100; i++) VT_EQ_INT(seen[i], 1);
    VT_CMD(db, "*2\r\n$1\r\n0\r\n*1\r\n$3\r\nstr\r\n", "SCAN", "0", "TYPE", "string", "COUNT", "100000");
    VT_CMD(db, "*2\r\n$1\r\n0\r\n*0\r\n", "SCAN", "99999999");
    vs_close(db);
}

/* Run a command whose arguments are given as (bytes, length) pairs (they
 * may hold NUL bytes); the reply must be `expected`. */
static void run_bin(vs_db *db, const char *expected, int argc, ...) {
    const uint8_t *argv[16];
    size_t lens[16];
    va_list ap;
    va_start(ap, argc);
    for (int i = 0; i < argc && i < 16; i++) {
        argv[i] = va_arg(ap, const uint8_t *);
        lens[i] = va_arg(ap, size_t);
    }
    va_end(ap);
    vs_exec(db, argc, argv, lens, 2);
    VT_EQ_MEM(vs_reply_data(db), vs_reply_len(db), expected);
}
#define A(s) (const uint8_t *)(s), sizeof(s) - 1

/* Differences the differential test (tests/server/differential.test.js)
 * found against redis-server 7.0, each checked there. */
static void test_redis_differences(void) {
    vs_db *db = vs_open(NULL);
    VT_CMD(db, "+OK\r\n", "SET", "", "empty");
    VT_CMD(db, "+OK\r\n", "SET", "k", "v");
    /* The empty key: only the pattern "*" (special-cased) lists it; "**",
     * "?*" and the like do not match the empty string. */
    VT_CMD(db, "*2\r\n$0\r\n\r\n$1\r\nk\r\n", "KEYS", "*");
    VT_CMD(db, "*1\r\n$1\r\nk\r\n", "KEYS", "**");
    VT_CMD(db, "*1\r\n$1\r\nk\r\n", "KEYS", "*?*");
    VT_CMD(db, "*1\r\n$0\r\n\r\n", "KEYS", "");
    VT_CMD(db, "*2\r\n$1\r\n0\r\n*2\r\n$0\r\n\r\n$1\r\nk\r\n", "SCAN", "0", "MATCH", "*");
    VT_CMD(db, "*2\r\n$1\r\n0\r\n*1\r\n$1\r\nk\r\n", "SCAN", "0", "MATCH", "**");
    /* Ranges compare signed chars: [a-\xff] is \xff..a. */
    VT_CMD(db, "+OK\r\n", "SET", "\xff", "v");
    VT_CMD(db, "+OK\r\n", "SET", "\xfe", "v");
    VT_CMD(db, "*2\r\n$1\r\nk\r\n$1\r\n\xff\r\n", "KEYS", "[\xff-z]");
    VT_CMD(db, "*1\r\n$1\r\n\xff\r\n", "KEYS", "[a-\xff]");
    VT_CMD(db, "*2\r\n$1\r\n\xff\r\n$1\r\n\xfe\r\n", "KEYS", "[\x80-\xff]");
    /* SCAN's cursor is read with strtoul: "", "00", "+0", "-0" are 0, a
     * minus wraps (a cursor past the end: done), spaces are refused. */
    const char *zero_all = "*2\r\n$1\r\n0\r\n*4\r\n$0\r\n\r\n$1\r\nk\r\n$1\r\n\xff\r\n$1\r\n\xfe\r\n";
    VT_CMD(db, zero_all, "SCAN", "");
    VT_CMD(db, zero_all, "SCAN", "00");
    VT_CMD(db, zero_all, "SCAN", "+0");
    VT_CMD(db, zero_all, "SCAN", "-0");
    run_bin(db, zero_all, 2, A("SCAN"), A("0\0junk"));
    VT_CMD(db, "*2\r\n$1\r\n0\r\n*0\r\n", "SCAN", "-1");
    VT_CMD(db, "-ERR invalid cursor\r\n", "SCAN", " 0");
    VT_CMD(db, "-ERR invalid cursor\r\n", "SCAN", "0 ");
    VT_CMD(db, "-ERR invalid cursor\r\n", "SCAN", "+");
    VT_CMD(db, "-ERR invalid cursor\r\n", "SCAN", "18446744073709551616");
    /* Option keywords are C strings to Redis: bytes from a NUL on do not count. */
    run_bin(db, "*2\r\n$1\r\n0\r\n*1\r\n$1\r\nk\r\n", 6, A("SCAN"), A("0"), A("MATCH\0x"), A("k"),
            A("count\0"), A("100"));
    run_bin(db, "*2\r\n$1\r\n0\r\n*0\r\n", 4, A("SCAN"), A("0"), A("TYPE"), A("hash\0x"));
    run_bin(db, NOTINT, 4, A("SCAN"), A("0"), A("COUNT"), A("1\0"));
    run_bin(db, "$-1\r\n", 4, A("SET"), A("k"), A("w"), A("NX\0junk"));
    run_bin(db, "$1\r\nv\r\n", 5, A("SET"), A("k"), A("w"), A("XX\0"), A("get\0"));
    run_bin(db, "+OK\r\n", 4, A("SET"), A("k2"), A("w"), A("KEEPTTL\0\0"));
    run_bin(db, SYNTAX, 4, A("SET"), A("k"), A("w"), A("\0NX"));
    run_bin(db, SYNTAX, 2, A("FLUSHALL"), A("\0"));
    run_bin(db, "+OK\r\n", 2, A("FLUSHALL"), A("sync\0x"));
    VT_CMD(db, ":0\r\n", "DBSIZE");
    /* HINCRBYFLOAT: Redis reads at most 5119 characters. */
    char big[5200];
    memset(big, '0', sizeof big);
    big[5118] = '1';
    run_bin(db, "$1\r\n1\r\n", 4, A("HINCRBYFLOAT"), A("h"), A("f"), (const uint8_t *)big, (size_t)5119);
    big[5118] = '0';
    big[5119] = '1';
    run_bin(db, "-ERR value is not a valid float\r\n", 4, A("HINCRBYFLOAT"), A("h"), A("f"), (const uint8_t *)big,
            (size_t)5120);
    run_bin(db, "-ERR value is not a valid float\r\n", 4, A("HINCRBYFLOAT"), A("h"), A("f"), A("1\0"));
    vs_close(db);
}

static void test_binary_safety(void) {
    vs_db *db = vs_open(NULL);
    const uint8_t key[] = {'k', 0, 'x'};
    const uint8_t field[] = {0};
    const uint8_t *argv[4] = {(const uint8_t *)"HSET", key, field, (const uint8_t *)""};
    size_t lens[4] = {4, 3, 1, 0};
    VT_EQ_INT(vs_exec(db, 4, argv, lens, 2), 0);
    VT_EQ_MEM(vs_reply_data(db), vs_reply_len(db), ":1\r\n");
    const uint8_t *get[3] = {(const uint8_t *)"HGET", key, field};
    size_t glens[3] = {4, 3, 1};
    vs_exec(db, 3, get, glens, 2);
    VT_EQ_MEM(vs_reply_data(db), vs_reply_len(db), "$0\r\n\r\n");
    /* A different key that shares the prefix before the NUL is distinct. */
    VT_CMD(db, ":0\r\n", "EXISTS", "k");
    /* 1 MiB value round trip. */
    size_t big = 1 << 20;
    uint8_t *v = malloc(big);
    for (size_t i = 0; i < big; i++) v[i] = (uint8_t)(i * 31);
    const uint8_t *set[4] = {(const uint8_t *)"HSET", (const uint8_t *)"big", (const uint8_t *)"f", v};
    size_t slens[4] = {4, 3, 1, big};
    vs_exec(db, 4, set, slens, 2);
    VT_EQ_MEM(vs_reply_data(db), vs_reply_len(db), ":1\r\n");
    vt_run(db, "HGET", "big", "f", NULL);
    const uint8_t *r = vs_reply_data(db);
    VT_EQ_INT(vs_reply_len(db), big + 12);
    VT_CHECK(memcmp(r, "$1048576\r\n", 10) == 0 && memcmp(r + 10, v, big) == 0);
    free(v);
    vs_close(db);
}

static void test_resp3(void) {
    vs_db *db = vs_open(NULL);
    vt_run(db, "HSET", "h", "a", "1", NULL);
    const uint8_t *argv[2] = {(const uint8_t *)"HGETALL", (const uint8_t *)"h"};
    size_t lens[2] = {7, 1};
    vs_exec(db, 2, argv, lens, 3);
    VT_EQ_MEM(vs_reply_data(db), vs_reply_len(db), "%1\r\n$1\r\na\r\n$1\r\n1\r\n");
    const uint8_t *get[3] = {(const uint8_t *)"HGET", (const uint8_t *)"h", (const uint8_t *)"zz"};
    size_t glens[3] = {4, 1, 2};
    vs_exec(db, 3, get, glens, 3);
    VT_EQ_MEM(vs_reply_data(db), vs_reply_len(db), "_\r\n");
    vs_close(db);
}

static void test_config_and_maxmemory(void) {
    vs_db *db = vs_open(NULL);
    VT_CMD(db, "*2\r\n$9\r\nmaxmemory\r\n$1\r\n0\r\n", "CONFIG", "GET", "maxmemory");
    VT_CMD(db, "*4\r\n$9\r\nmaxmemory\r\n$1\r\n0\r\n$16\r\nmaxmemory-policy\r\n$10\r\nnoeviction\r\n", "CONFIG",
           "GET", "maxmem*");
    VT_CMD(db, "+OK\r\n", "CONFIG", "SET", "maxmemory", "1kb");
    VT_CMD(db, "*2\r\n$9\r\nmaxmemory\r\n$4\r\n1024\r\n", "CONFIG", "GET", "maxmemory");
    VT_CMD(db,
           "-ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory "
           "value\r\n",
           "CONFIG", "SET", "maxmemory", "-1");
    VT_CMD(db, "-ERR Unknown option or number of arguments for CONFIG SET - 'foo'\r\n", "CONFIG", "SET", "foo",
           "1");
    VT_CMD(db, "-ERR wrong number of arguments for 'config|get' command\r\n", "CONFIG", "GET");
    VT_CMD(db, "-ERR wrong number of arguments for 'config|set' command\r\n", "CONFIG", "SET", "maxmemory");
    VT_CMD(db, "-ERR unknown subcommand 'foo'. Try CONFIG HELP.\r\n", "CONFIG", "foo");
    VT_CMD(db, "-ERR wrong number of arguments for 'config' command\r\n", "CONFIG");

    /* maxmemory: set it just above current use; big writes are refused
     * with Redis's text and change nothing; deletes still work. */
    VT_CMD(db, "+OK\r\n", "CONFIG", "SET", "maxmemory", "0");
    VT_CMD(db, ":1\r\n", "HSET", "keep", "f", "v");
    char lim[32];
    snprintf(lim, sizeof lim, "%zu", vs_mem_used() + 4096);
    VT_CMD(db, "+OK\r\n", "CONFIG", "SET", "maxmemory", lim);
    char big[8192];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = 0;
    VT_CMD(db, "-OOM command not allowed when used memory > 'maxmemory'.\r\n", "HSET", "new", "f", big);
    VT_CMD(db, "-OOM command not allowed when used memory > 'maxmemory'.\r\n", "SET", "new", big);
    VT_CMD(db, ":0\r\n", "EXISTS", "new");
    VT_CMD(db, "$1\r\nv\r\n", "HGET", "keep", "f"); /* reads still work */
    VT_CMD(db, ":1\r\n", "DEL", "keep");             /* and deletes */
    VT_CMD(db, "+OK\r\n", "CONFIG", "SET", "maxmemory", "0");
    VT_CMD(db, ":1\r\n", "HSET", "new", "f", big);
    vs_close(db);

    vs_options opt = {.maxmemory = 1};
    db = vs_open(&opt);
    VT_CMD(db, "-OOM command not allowed when used memory > 'maxmemory'.\r\n", "HSET", "k", "f", "v");
    vs_close(db);
}

int main(void) {
    VT_RUN(test_conn);
    VT_RUN(test_hash_cmds);
    VT_RUN(test_incr);
    VT_RUN(test_strings_and_types);
    VT_RUN(test_keys_cmds);
    VT_RUN(test_scan);
    VT_RUN(test_redis_differences);
    VT_RUN(test_binary_safety);
    VT_RUN(test_resp3);
    VT_RUN(test_config_and_maxmemory);
    VT_DONE();
}
