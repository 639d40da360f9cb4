/* casefold.h - UTF-8 as valkey-search's text lexer reads it: which byte
 * strings it accepts, and Unicode case folding of a word.
 *
 * valkey-search 1.2 (src/indexes/text/lexer.cc, src/utils/scanner.h) accepts
 * text whose bytes form UTF-8 sequences structurally: an ASCII byte, or a
 * lead byte 110xxxxx / 1110xxxx / 11110xxx followed by 1 / 2 / 3 bytes
 * 10xxxxxx.  Overlong forms, surrogates and lead bytes F5-F7 pass; stray
 * continuation bytes, truncated sequences and bytes F8-FF do not.  It folds
 * a word that is all ASCII with ASCII lower-casing, any other word with
 * ICU's full default case folding (UnicodeString::foldCase), after ICU has
 * decoded it, replacing each maximal ill-formed subsequence with U+FFFD.
 *
 * Folding here covers: ASCII, Latin-1 Supplement, Latin Extended-A, Greek
 * and Coptic (U+0370-03FF, and U+0345), Cyrillic and Cyrillic Supplement
 * (U+0400-052F), and U+1E9E, U+2126, U+212A, U+212B; both the simple (C) and
 * the full (F) mappings of Unicode's CaseFolding.txt (so ß -> ss, İ -> i̇,
 * ŉ -> ʼn, ΐ -> ΐ).  Other code points are left as they are (ICU would
 * also fold e.g. Latin Extended-B and Additional, Armenian, Georgian,
 * Cherokee, full-width Latin, Deseret).
 *
 * Invariants: no allocation, no global state; the output of
 * vs_casefold_utf8 is well-formed UTF-8 and at most 3 times the input.
 */
#ifndef VS_CASEFOLD_H
#define VS_CASEFOLD_H

#include <stddef.h>
#include <stdint.h>

/* Whether s[0, n) is UTF-8 by valkey-search's structural rule; when not,
 * *bad (if not NULL) is the offset of the first byte that breaks it. */
int vs_utf8_check(const char *s, size_t n, size_t *bad);

/* The full case folding of one code point into out (1 to 3 code points);
 * returns how many. */
size_t vs_casefold_cp(uint32_t cp, uint32_t out[3]);

/* Fold s[0, n) into out (room for 3 * n bytes, not overlapping s): ASCII
 * lower-casing when every byte is ASCII, else decoding with U+FFFD for
 * ill-formed subsequences, folding, encoding.  Returns the length. */
size_t vs_casefold_utf8(const char *s, size_t n, char *out);

#endif
