/* stem_en.h - English stemming: the Snowball English ("Porter2") algorithm
 * as Snowball 3.0.1 defines it (the version valkey-search 1.2 links),
 * written from the algorithm's published description.
 *
 * Invariants:
 *  - Pure function, no allocation, no global state.
 *  - The stem is never longer than the word, so `out` needs n bytes; `out`
 *    may be the word itself (stemming in place).
 *  - The input is expected to be lower-case UTF-8 (what vs_tokenize
 *    produces); characters outside a-z, ' are letters that are not vowels,
 *    counted as one letter whatever their byte length.  Other bytes never
 *    make it read or write outside [0, n).
 *  - Words of fewer than min_size bytes are returned unchanged
 *    (valkey-search's MINSTEMSIZE, compared with the byte length; default 4).
 *    NOSTEM is the caller's: it just does not call this.
 */
#ifndef VS_STEM_EN_H
#define VS_STEM_EN_H

#include <stddef.h>

#define VS_STEM_MIN_SIZE_DEFAULT 4

/* Stem the n bytes at word into out (room for n bytes); returns the stem's
 * length. */
size_t vs_stem_en(const char *word, size_t n, size_t min_size, char *out);

#endif
