/* idtable.h - arrays indexed by id (key id -> slot, -> value, -> record),
 * kept by the indexes and the search index for every id they may see.
 *
 * vs_idtable_cover makes such an array cover an id: its capacity doubles
 * from 1024 until it does, and the new slots are filled with a given value
 * (a "none" marker: VS_NO_SLOT, NAN, NULL...).  The capacity stays below
 * 2^32 (ids are uint32); an id it cannot cover is reported as out of
 * memory. */
#ifndef VS_IDTABLE_H
#define VS_IDTABLE_H

#include <stddef.h>
#include <stdint.h>

/* The slow path of vs_idtable_cover. */
void *vs_idtable_grow(void *arr, uint32_t *cap, uint32_t id, size_t elem, const void *fill);

/* Make arr (*cap elements of `elem` bytes) cover index id, filling new
 * elements with copies of *fill (NULL: zero bytes).  Returns the array,
 * moved or not, with *cap updated; NULL when out of memory (arr and *cap
 * unchanged).  The caller stores the result back:
 *     uint32_t *a = vs_idtable_cover(x->a, &x->cap, id, sizeof *a, &none);
 *     if (!a) return VS_ERR_NOMEM;
 *     x->a = a; */
static inline void *vs_idtable_cover(void *arr, uint32_t *cap, uint32_t id, size_t elem, const void *fill) {
    return id < *cap ? arr : vs_idtable_grow(arr, cap, id, elem, fill);
}

#endif
