/* test_reply.c - RESP2/RESP3 encodings and deferred lengths. */
#include "../../src/base/alloc.h"
#include "../../src/base/reply.h"
#include "vt.h"

static void test_resp2(void) {
    vs_reply r;
    VT_CHECK(vs_reply_init(&r) == VS_OK);
    vs_reply_reset(&r, 2);
    vs_reply_array(&r, 5);
    vs_reply_int(&r, -7);
    vs_reply_simple(&r, "OK");
    vs_reply_bulk(&r, "a\0b", 3);
    vs_reply_null(&r);
    vs_reply_double(&r, 0.5);
    static const char want[] = "*5\r\n:-7\r\n+OK\r\n$3\r\na\0b\r\n$-1\r\n$3\r\n0.5\r\n";
    VT_EQ_INT(r.len, sizeof want - 1);
    VT_CHECK(memcmp(r.buf, want, sizeof want - 1) == 0);
    vs_reply_reset(&r, 2);
    vs_reply_error(&r, "ERR bad\r\nthing");
    VT_EQ_MEM(r.buf, r.len, "-ERR bad  thing\r\n");
    vs_reply_release(&r);
}

static void test_resp3(void) {
    vs_reply r;
    vs_reply_init(&r);
    vs_reply_reset(&r, 3);
    vs_reply_map(&r, 1);
    vs_reply_cstr(&r, "k");
    vs_reply_double(&r, 1.5);
    vs_reply_null(&r);
    vs_reply_set(&r, 0);
    VT_EQ_MEM(r.buf, r.len, "%1\r\n$1\r\nk\r\n,1.5\r\n_\r\n~0\r\n");
    vs_reply_release(&r);
}

static void test_defer(void) {
    vs_reply r;
    vs_reply_init(&r);
    vs_reply_reset(&r, 2);
    vs_reply_array(&r, 2);
    size_t at = vs_reply_defer(&r);
    for (int i = 0; i < 12; i++) vs_reply_int(&r, i);
    vs_reply_defer_array(&r, at, 12);
    vs_reply_int(&r, 99);
    VT_EQ_MEM(r.buf, r.len,
              "*2\r\n*12\r\n:0\r\n:1\r\n:2\r\n:3\r\n:4\r\n:5\r\n:6\r\n:7\r\n:8\r\n:9\r\n:10\r\n:11\r\n:99\r\n");
    vs_reply_release(&r);
}

static void test_failure_keeps_room_for_error(void) {
    vs_reply r;
    vs_reply_init(&r);
    vs_reply_reset(&r, 2);
    vs_mem_inject(1, 1);
    char big[4096] = {0};
    vs_reply_bulk(&r, big, sizeof big); /* needs to grow: fails */
    VT_CHECK(r.failed);
    vs_reply_reset(&r, 2);
    vs_reply_error(&r, "OOM out of memory");
    vs_mem_inject(0, 0);
    VT_EQ_MEM(r.buf, r.len, "-OOM out of memory\r\n");
    vs_reply_release(&r);
}

int main(void) {
    VT_RUN(test_resp2);
    VT_RUN(test_resp3);
    VT_RUN(test_defer);
    VT_RUN(test_failure_keeps_room_for_error);
    VT_DONE();
}
