/* vt.h - a minimal unit-test harness for the C engine.
 *
 * Each tests/unit/test_<module>.c is its own program: test functions are
 * run by VT_RUN from main(), checks record failures without stopping, and
 * the exit status is non-zero when any check failed.  Command tests compare
 * exact RESP bytes, so a reply differing from Redis's in any byte fails. */
#ifndef VT_H
#define VT_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int vt_failures;
static int vt_checks;
static const char *vt_current;

static inline void vt_fail(const char *file, int line, const char *fmt, ...) {
    va_list ap;
    vt_failures++;
    fprintf(stderr, "FAIL %s:%d [%s] ", file, line, vt_current ? vt_current : "?");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

/* Print bytes with escapes (for RESP). */
static inline void vt_escape(char *out, size_t cap, const char *s, size_t n) {
    size_t o = 0;
    for (size_t i = 0; i < n && o + 5 < cap; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch == '\r') { out[o++] = '\\'; out[o++] = 'r'; }
        else if (ch == '\n') { out[o++] = '\\'; out[o++] = 'n'; }
        else if (ch < 32 || ch > 126) o += (size_t)snprintf(out + o, cap - o, "\\x%02x", ch);
        else out[o++] = (char)ch;
    }
    out[o] = '\0';
}

#define VT_CHECK(cond)                                                    \
    do {                                                                  \
        vt_checks++;                                                      \
        if (!(cond)) vt_fail(__FILE__, __LINE__, "check failed: %s", #cond); \
    } while (0)

#define VT_EQ_INT(a, b)                                                                   \
    do {                                                                                  \
        long long va_ = (long long)(a), vb_ = (long long)(b);                             \
        vt_checks++;                                                                      \
        if (va_ != vb_) vt_fail(__FILE__, __LINE__, "%s == %lld, expected %lld", #a, va_, vb_); \
    } while (0)

/* Compare n bytes of a with the C string b. */
#define VT_EQ_MEM(a, n, b)                                                        \
    do {                                                                          \
        const char *pa_ = (const char *)(a);                                      \
        size_t na_ = (size_t)(n);                                                 \
        const char *pb_ = (b);                                                    \
        vt_checks++;                                                              \
        if (na_ != strlen(pb_) || memcmp(pa_, pb_, na_) != 0) {                   \
            char ea_[2048], eb_[2048];                                            \
            vt_escape(ea_, sizeof ea_, pa_, na_);                                 \
            vt_escape(eb_, sizeof eb_, pb_, strlen(pb_));                         \
            vt_fail(__FILE__, __LINE__, "got \"%s\", expected \"%s\"", ea_, eb_); \
        }                                                                         \
    } while (0)

#define VT_RUN(fn)                 \
    do {                           \
        vt_current = #fn;          \
        fn();                      \
        vt_current = NULL;         \
    } while (0)

#define VT_DONE()                                                                  \
    do {                                                                           \
        fprintf(stderr, "%s: %d checks, %d failed\n", __FILE__, vt_checks, vt_failures); \
        return vt_failures ? 1 : 0;                                                \
    } while (0)

#endif
