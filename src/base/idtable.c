/* idtable.c - growing arrays indexed by id (see idtable.h). */
#include "base/idtable.h"

#include <stdint.h>
#include <string.h>

#include "base/alloc.h"

void *vs_idtable_grow(void *arr, uint32_t *cap, uint32_t id, size_t elem, const void *fill) {
    if (id < *cap) return arr;
    uint64_t n = *cap ? *cap : 1024;
    while (n <= id) n *= 2;
    if (n > UINT32_MAX) n = UINT32_MAX;
    if (n <= id) return NULL; /* id UINT32_MAX: no uint32 capacity covers it */
    if (n > SIZE_MAX / elem) return NULL;
    uint8_t *a = vs_realloc(arr, (size_t)n * elem);
    if (!a) return NULL;
    uint8_t *p = a + (size_t)*cap * elem, *end = a + (size_t)n * elem;
    if (!fill)
        memset(p, 0, (size_t)(end - p));
    else
        for (; p < end; p += elem) memcpy(p, fill, elem);
    *cap = (uint32_t)n;
    return a;
}
