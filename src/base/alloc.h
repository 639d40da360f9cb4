/* alloc.h - the engine's one allocator.
 *
 * Every allocation in src/ goes through these functions.  They count the
 * bytes in use (the allocator's usable size, so the figure is what the heap
 * really holds) and can be told to fail the Nth allocation from now, so
 * that out-of-memory paths are exercised by tests (as SQLite's
 * test_malloc.c and Redis's zmalloc do).
 *
 * Invariants:
 *  - vs_mem_used() equals the sum of usable sizes of live blocks.
 *  - A failed vs_realloc leaves the old block valid and unchanged.
 *  - vs_free(NULL) is a no-op.
 */
#ifndef VS_ALLOC_H
#define VS_ALLOC_H

#include <stddef.h>
#include <stdint.h>

void *vs_malloc(size_t n);
void *vs_calloc(size_t count, size_t size);
void *vs_realloc(void *p, size_t n);
void vs_free(void *p);
void *vs_memdup(const void *p, size_t n);

/* Grow the byte buffer *buf of *cap bytes so it holds at least `need`
 * bytes, doubling from `min_cap`.  Returns 0 on failure (*buf and *cap
 * unchanged), 1 otherwise. */
int vs_grow_bytes(uint8_t **buf, size_t *cap, size_t need, size_t min_cap);

/* Bytes currently allocated through this allocator (process-wide: one
 * WebAssembly instance is one process). */
size_t vs_mem_used(void);
/* Highest vs_mem_used() seen since the last vs_mem_reset_peak(). */
size_t vs_mem_peak(void);
void vs_mem_reset_peak(void);
/* Number of live blocks. */
size_t vs_mem_blocks(void);

/* Transport buffers (the arguments a caller writes into the engine's
 * memory): allocated here too, but counted apart from the store's bytes,
 * so they neither count against maxmemory nor take injected faults. */
void *vs_transport_alloc(size_t n);
void vs_transport_free(void *p);
size_t vs_mem_transport(void);

/* Fault injection: the nth allocation from now fails (n >= 1); with
 * persist, every allocation after it fails too.  n = 0 turns it off.
 * vs_mem_faults() counts the failures injected since the last call to
 * vs_mem_inject. */
void vs_mem_inject(unsigned long n, int persist);
unsigned long vs_mem_faults(void);

#endif
