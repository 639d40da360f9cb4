/* test_resp_req.c - the shared RESP request parser under both callers'
 * rules: complete, incomplete, malformed and too-many-arguments answers,
 * leading zeros (accepted from a journal, refused from a client), limits. */
#include <string.h>

#include "../../src/base/resp_req.h"
#include "vt.h"

static const vs_resp_rules journal = {1024 * 1024, 512u * 1024 * 1024, 0};
static const vs_resp_rules client = {1024 * 1024, 512u << 20, 1};

static long parse(const vs_resp_rules *rules, const char *s, size_t cap, size_t *argc) {
    static const uint8_t *argv[8];
    static size_t lens[8];
    return vs_resp_req_parse((const uint8_t *)s, strlen(s), rules, argv, lens, cap, argc);
}

static void test_complete_and_prefixes(void) {
    const char *req = "*2\r\n$3\r\nGET\r\n$0\r\n\r\n";
    size_t n = strlen(req), argc = 0;
    const uint8_t *argv[2];
    size_t lens[2];
    VT_EQ_INT(vs_resp_req_parse((const uint8_t *)req, n, &client, argv, lens, 2, &argc), (long)n);
    VT_EQ_INT(argc, 2);
    VT_EQ_MEM(argv[0], lens[0], "GET");
    VT_EQ_INT(lens[1], 0);
    for (size_t k = 0; k < n; k++) /* every prefix waits for more */
        VT_EQ_INT(vs_resp_req_parse((const uint8_t *)req, k, &journal, argv, lens, 2, &argc), VS_RESP_INCOMPLETE);
}

static void test_rules(void) {
    size_t argc = 0;
    VT_EQ_INT(parse(&journal, "*01\r\n$04\r\nPING\r\n", 8, &argc), 16);
    VT_EQ_INT(parse(&client, "*01\r\n$04\r\nPING\r\n", 8, &argc), VS_RESP_MALFORMED);
    VT_EQ_INT(parse(&client, "*1\r\n$04\r\nPING\r\n", 8, &argc), VS_RESP_MALFORMED);
    VT_EQ_INT(parse(&client, "*0\r\n", 8, &argc), VS_RESP_MALFORMED);
    VT_EQ_INT(parse(&client, "PING\r\n", 8, &argc), VS_RESP_MALFORMED);
    VT_EQ_INT(parse(&client, "*1\r\n$4\r\nPINGx\r\n", 8, &argc), VS_RESP_MALFORMED);
    VT_EQ_INT(parse(&client, "*1\r\n$536870913\r\n", 8, &argc), VS_RESP_MALFORMED);
    VT_EQ_INT(parse(&client, "*1\r\n$536870912\r\n", 8, &argc), VS_RESP_INCOMPLETE);
    VT_EQ_INT(parse(&journal, "*1048577\r\n", 8, &argc), VS_RESP_MALFORMED);
    VT_EQ_INT(parse(&journal, "*9\r\n", 8, &argc), VS_RESP_ROOM);
    VT_EQ_INT(argc, 9);
    VT_EQ_INT(parse(&journal, "*0000000000000000000001", 8, &argc), VS_RESP_MALFORMED); /* digits never end */
}

int main(void) {
    VT_RUN(test_complete_and_prefixes);
    VT_RUN(test_rules);
    VT_DONE();
}
