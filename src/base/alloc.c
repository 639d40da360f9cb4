/* alloc.c - counting allocator with fault injection (see alloc.h). */
#include "base/alloc.h"

#include <malloc.h>
#include <stdlib.h>
#include <string.h>

static size_t mem_used;
static size_t mem_peak;
static size_t mem_blocks;
static unsigned long inject_countdown; /* 0 = off */
static int inject_persist;
static int inject_tripped;             /* persist mode after the first fault */
static unsigned long inject_faults;
static size_t mem_transport;

static int should_fail(void) {
    if (inject_tripped) {
        inject_faults++;
        return 1;
    }
    if (inject_countdown == 0) return 0;
    if (--inject_countdown > 0) return 0;
    inject_faults++;
    if (inject_persist) inject_tripped = 1;
    return 1;
}

static void account_add(void *p) {
    mem_used += malloc_usable_size(p);
    mem_blocks++;
    if (mem_used > mem_peak) mem_peak = mem_used;
}

void *vs_malloc(size_t n) {
    if (should_fail()) return NULL;
    void *p = malloc(n ? n : 1);
    if (p) account_add(p);
    return p;
}

void *vs_calloc(size_t count, size_t size) {
    if (size && count > SIZE_MAX / size) return NULL;
    if (should_fail()) return NULL;
    size_t n = count * size;
    void *p = calloc(1, n ? n : 1);
    if (p) account_add(p);
    return p;
}

void *vs_realloc(void *p, size_t n) {
    if (!p) return vs_malloc(n);
    if (should_fail()) return NULL;
    size_t old = malloc_usable_size(p);
    void *q = realloc(p, n ? n : 1);
    if (!q) return NULL;
    mem_used = mem_used - old + malloc_usable_size(q);
    if (mem_used > mem_peak) mem_peak = mem_used;
    return q;
}

void vs_free(void *p) {
    if (!p) return;
    mem_used -= malloc_usable_size(p);
    mem_blocks--;
    free(p);
}

void *vs_memdup(const void *p, size_t n) {
    void *q = vs_malloc(n);
    if (q && n) memcpy(q, p, n);
    return q;
}

size_t vs_mem_used(void) { return mem_used; }
size_t vs_mem_peak(void) { return mem_peak; }
void vs_mem_reset_peak(void) { mem_peak = mem_used; }
size_t vs_mem_blocks(void) { return mem_blocks; }

void vs_mem_inject(unsigned long n, int persist) {
    inject_countdown = n;
    inject_persist = persist;
    inject_tripped = 0;
    inject_faults = 0;
}

unsigned long vs_mem_faults(void) { return inject_faults; }

void *vs_transport_alloc(size_t n) {
    void *p = malloc(n ? n : 1);
    if (p) mem_transport += malloc_usable_size(p);
    return p;
}

void vs_transport_free(void *p) {
    if (!p) return;
    mem_transport -= malloc_usable_size(p);
    free(p);
}

size_t vs_mem_transport(void) { return mem_transport; }

int vs_grow_bytes(uint8_t **buf, size_t *cap, size_t need, size_t min_cap) {
    if (need <= *cap) return 1;
    size_t c = *cap ? *cap : min_cap;
    while (c < need) {
        if (c > SIZE_MAX / 2) return 0;
        c *= 2;
    }
    uint8_t *b = vs_realloc(*buf, c);
    if (!b) return 0;
    *buf = b;
    *cap = c;
    return 1;
}
