/* util.h - small pure helpers shared by every layer: hashing, strict number
 * parsing and formatting with Redis's rules, glob matching, ASCII case
 * folding.  Nothing here allocates or keeps state. */
#ifndef VS_UTIL_H
#define VS_UTIL_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#define VS_MIN(a, b) ((a) < (b) ? (a) : (b))
#define VS_MAX(a, b) ((a) > (b) ? (a) : (b))
#define VS_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* 32-bit hash of a byte string (seeded, good avalanche, fast on short keys). */
uint32_t vs_hash_bytes(const void *p, size_t n, uint32_t seed);

/* Strict decimal integer parsing as Redis's string2ll: optional '-', no
 * spaces, no '+', no leading zeros, must fit in int64.  Returns 1 if ok. */
int vs_parse_ll(const uint8_t *s, size_t n, long long *out);
/* Strict unsigned parsing (decimal digits only, fits in uint64). */
int vs_parse_ull(const uint8_t *s, size_t n, unsigned long long *out);
/* Long double parsing as Redis's string2ld: no surrounding spaces, no
 * NaN; infinity is accepted (callers reject it where Redis does).
 * Returns 1 if ok. */
int vs_parse_ld(const uint8_t *s, size_t n, long double *out);
/* Round a long double to x87 extended precision (64-bit significand), the
 * precision Redis computes HINCRBYFLOAT in on x86-64.  Where long double
 * is binary128 (WebAssembly) this makes results match Redis digit for
 * digit; where it already is x87 extended it is the identity. */
long double vs_ld_round80(long double v);
/* Double parsing for numeric fields and query bounds: accepts what strtod
 * accepts for the whole string (no surrounding spaces), plus "inf",
 * "+inf", "-inf" in any case; rejects NaN.  Returns 1 if ok. */
int vs_parse_double(const uint8_t *s, size_t n, double *out);

/* Write v in decimal; returns the length (buffer needs 21 bytes). */
int vs_ll2str(char *buf, long long v);
/* Format a long double as Redis's ld2string in human mode ("%.17Lf" with
 * trailing zeros removed, "-0" printed as "0").  Returns the length, or 0
 * if the value is not finite.  buf must hold 5200 bytes. */
#define VS_LD_STR_MAX 5200
int vs_ld2str(char *buf, size_t cap, long double v);

/* Glob matching with Redis's rules: '*', '?', '[abc]', '[^a-z]', '\x'.
 * Returns 1 on a match.  As Redis's stringmatchlen: the empty string
 * matches only the empty pattern (callers special-case "*"), class ranges
 * compare signed chars, more than 1000 nested '*' match nothing. */
int vs_glob_match(const uint8_t *pat, size_t plen, const uint8_t *s, size_t slen, int nocase);
/* SCAN's cursor as Redis reads it with strtoul: "", "00", "+0", "-0" are 0,
 * "-1" is 2^64 - 1, spaces and trailing bytes are errors, bytes after a
 * NUL are ignored.  Returns 1 if ok. */
int vs_parse_cursor(const uint8_t *s, size_t n, unsigned long long *out);

/* ASCII-only case folding and comparison (commands and keywords). */
static inline uint8_t vs_lower(uint8_t c) { return (c >= 'A' && c <= 'Z') ? (uint8_t)(c + 32) : c; }
/* 1 if the n bytes of s equal the NUL-terminated keyword kw, ignoring case. */
int vs_eq_nocase(const uint8_t *s, size_t n, const char *kw);
/* An option keyword as Redis compares it (strcasecmp on the argument): the
 * argument is read as a C string, so bytes from a NUL on do not count
 * ("NX\0x" is NX). */
int vs_eq_nocase_cstr(const uint8_t *s, size_t n, const char *kw);

#endif
