/* vessel.h - Vessel's public C ABI.
 *
 * A small surface in the style of usearch's c/usearch.h: an opaque handle,
 * an options struct where zero means "default", commands given as argv of
 * (pointer, length) pairs, and a RESP-encoded reply left in an
 * engine-owned buffer that stays valid until the next call on the handle.
 * The WebAssembly exports (wasm/abi.c) are a thin layer over exactly these
 * functions, so native tests exercise what ships.
 */
#ifndef VESSEL_H
#define VESSEL_H

#include <stddef.h>
#include <stdint.h>

#ifdef __EMSCRIPTEN__
#include <emscripten/emscripten.h>
#define VS_EXPORT EMSCRIPTEN_KEEPALIVE
#else
#define VS_EXPORT __attribute__((visibility("default")))
#endif

#define VESSEL_VERSION "0.1.0"

typedef struct vs_db vs_db;

typedef struct vs_options {
    uint64_t maxmemory; /* bytes; 0 = no limit */
    uint32_t seed;      /* seed for randomised structures; 0 = fixed default */
} vs_options;

/* Open an empty store; NULL when memory is short.  opt may be NULL. */
VS_EXPORT vs_db *vs_open(const vs_options *opt);
VS_EXPORT void vs_close(vs_db *db);

/* Execute one command.  proto is 2 or 3 (RESP version of the reply).
 * Returns 0 when the reply is not an error, a negative status otherwise;
 * either way the reply is in vs_reply_data/vs_reply_len. */
VS_EXPORT int vs_exec(vs_db *db, int argc, const uint8_t *const *argv, const size_t *argvlen, int proto);
VS_EXPORT const uint8_t *vs_reply_data(const vs_db *db);
VS_EXPORT size_t vs_reply_len(const vs_db *db);

/* Background work: advance index backfill by up to `budget` keys.
 * Returns 1 while work remains (call again), 0 when idle. */
VS_EXPORT int vs_step(vs_db *db, unsigned budget);

/* Bytes allocated by the engine (all handles of this process). */
VS_EXPORT size_t vs_used_memory(void);

/* Buffers in the engine's address space, for callers that cannot pass
 * their own pointers (JavaScript writes arguments into these).  They are
 * transport, not store data: not counted in vs_used_memory. */
VS_EXPORT void *vs_buffer_alloc(size_t n);
VS_EXPORT void vs_buffer_free(void *p);

/* Testing hook: make the nth allocation from now fail (persist: and all
 * after it); n = 0 turns it off.  Returns the faults injected so far. */
VS_EXPORT unsigned long vs_fault_inject(unsigned long n, int persist);

#endif
