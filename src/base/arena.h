/* arena.h - a bump allocator for one command's temporary objects (query
 * trees, parsed parameters): allocations are freed all at once. */
#ifndef VS_ARENA_H
#define VS_ARENA_H

#include <stddef.h>
#include <stdint.h>

#include "base/alloc.h"

typedef struct vs_arena_block {
    struct vs_arena_block *next;
    size_t used, cap;
    _Alignas(16) uint8_t data[];
} vs_arena_block;

typedef struct vs_arena {
    vs_arena_block *head;
} vs_arena;

static inline void *vs_arena_alloc(vs_arena *a, size_t n) {
    n = (n + 15) & ~(size_t)15;
    vs_arena_block *b = a->head;
    if (!b || b->cap - b->used < n) {
        size_t cap = n > 4096 ? n : 4096;
        b = vs_malloc(sizeof *b + cap);
        if (!b) return NULL;
        b->next = a->head;
        b->used = 0;
        b->cap = cap;
        a->head = b;
    }
    void *p = b->data + b->used;
    b->used += n;
    return p;
}

static inline void vs_arena_free(vs_arena *a) {
    while (a->head) {
        vs_arena_block *n = a->head->next;
        vs_free(a->head);
        a->head = n;
    }
}

#endif
