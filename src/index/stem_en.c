/* stem_en.c - the Snowball English (Porter2) stemmer, Snowball 3.0.1's
 * version of the algorithm (see stem_en.h).
 *
 * The word is worked on in the output buffer.  Positions are byte offsets
 * that always sit on character boundaries: vowels and every letter a rule
 * names are ASCII, and whenever a rule steps over "one letter" it steps over
 * a whole UTF-8 sequence (prev_char / next_char), as Snowball's UTF-8 mode
 * does.  p1 and p2 are the starts of the regions R1 and R2; Y marks a y that
 * the algorithm treats as a consonant (turned back into y at the end).
 *
 * Invariants: every rule only shortens the word or replaces a suffix by one
 * no longer than it, except step 1b's added e, which follows the removal of
 * at least two letters; so the word never outgrows the n bytes of out.
 */
#include "index/stem_en.h"

#include <string.h>

typedef struct word {
    char *w;
    size_t len;
    size_t p1, p2;   /* R1 = [p1, len), R2 = [p2, len) */
} word;

typedef struct rule {
    const char *suffix;
    const char *repl;   /* NULL: an action of its own (see the step) */
} rule;

static int is_v(char c) {
    return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' || c == 'y';
}

static int is_cont(char c) { return ((unsigned char)c & 0xC0) == 0x80; }

/* Start of the letter before position i (i > 0). */
static size_t prev_char(const char *w, size_t i) {
    i--;
    while (i > 0 && is_cont(w[i])) i--;
    return i;
}

/* Position after the letter that starts at i (i < len). */
static size_t next_char(const char *w, size_t len, size_t i) {
    i++;
    while (i < len && is_cont(w[i])) i++;
    return i;
}

static int ends(const word *x, const char *s) {
    size_t n = strlen(s);
    return x->len >= n && memcmp(x->w + x->len - n, s, n) == 0;
}

/* The longest rule whose suffix ends the word, or NULL. */
static const rule *longest(const word *x, const rule *rules, size_t count) {
    const rule *best = NULL;
    size_t best_n = 0;
    for (size_t i = 0; i < count; i++) {
        size_t n = strlen(rules[i].suffix);
        if (n > best_n && ends(x, rules[i].suffix)) {
            best = &rules[i];
            best_n = n;
        }
    }
    return best;
}

/* Replace the suffix starting at s by r (no longer than the suffix). */
static void replace(word *x, size_t s, const char *r) {
    size_t n = strlen(r);
    memcpy(x->w + s, r, n);
    x->len = s + n;
}

/* Whether the word [0, end) ends in a short syllable. */
static int shortv(const word *x, size_t end) {
    const char *w = x->w;
    if (end >= 4 && memcmp(w + end - 4, "past", 4) == 0) return 1;
    if (end == 0) return 0;
    size_t c1 = prev_char(w, end);
    if (is_v(w[c1]) || c1 == 0) return 0;
    size_t c2 = prev_char(w, c1);
    if (!is_v(w[c2])) return 0;
    if (c2 == 0) return 1;   /* a vowel at the start, then a non-vowel */
    if (w[c1] == 'w' || w[c1] == 'x' || w[c1] == 'Y') return 0;
    size_t c3 = prev_char(w, c2);
    return !is_v(w[c3]);
}

/* Whether [0, end) holds a vowel. */
static int has_vowel(const char *w, size_t end) {
    for (size_t i = 0; i < end; i++)
        if (is_v(w[i])) return 1;
    return 0;
}

/* Words stemmed as a whole (repl NULL: left as they are). */
static const rule exceptions[] = {
    {"skies", "sky"},   {"idly", "idl"},   {"gently", "gentl"}, {"ugly", "ugli"},
    {"early", "earli"}, {"only", "onli"},  {"singly", "singl"}, {"sky", NULL},
    {"news", NULL},     {"howe", NULL},    {"atlas", NULL},     {"cosmos", NULL},
    {"bias", NULL},     {"andes", NULL},
};

/* Words starting so have R1 right after the prefix. */
static const char *const r1_prefixes[] = {
    "gener", "commun", "arsen", "past", "univers", "later", "emerg", "organ",
};

static void mark_regions(word *x) {
    const char *w = x->w;
    size_t len = x->len, i = 0;
    x->p1 = x->p2 = len;
    int prefixed = 0;
    for (size_t k = 0; k < sizeof r1_prefixes / sizeof r1_prefixes[0]; k++) {
        size_t n = strlen(r1_prefixes[k]);
        if (len >= n && memcmp(w, r1_prefixes[k], n) == 0) {
            x->p1 = i = n;
            prefixed = 1;
            break;
        }
    }
    for (int region = prefixed ? 1 : 0; region < 2; region++) {
        while (i < len && !is_v(w[i])) i++;      /* gopast v */
        if (i == len) return;
        i++;
        while (i < len && is_v(w[i])) i++;       /* gopast non-v */
        if (i == len) return;
        i = next_char(w, len, i);
        if (region == 0) x->p1 = i;
        else x->p2 = i;
    }
}

static void step_1a(word *x) {
    if (ends(x, "'s'")) x->len -= 3;
    else if (ends(x, "'s")) x->len -= 2;
    else if (ends(x, "'")) x->len -= 1;

    if (ends(x, "sses")) {
        x->len -= 2;
    } else if (ends(x, "ied") || ends(x, "ies")) {
        size_t s = x->len - 3;
        if (s > 0 && prev_char(x->w, s) > 0) replace(x, s, "i");
        else replace(x, s, "ie");
    } else if (ends(x, "us") || ends(x, "ss")) {
        /* kept */
    } else if (ends(x, "s")) {
        size_t s = x->len - 1;
        if (s > 0 && has_vowel(x->w, prev_char(x->w, s))) x->len = s;
    }
}

static int word_is(const word *x, size_t end, const char *s) {
    return strlen(s) == end && memcmp(x->w, s, end) == 0;
}

static void step_1b(word *x) {
    static const char *const sfx[] = {"eedly", "ingly", "edly", "eed", "ing", "ed"};
    const char *found = NULL;
    for (size_t k = 0; k < sizeof sfx / sizeof sfx[0] && !found; k++)
        if (ends(x, sfx[k])) found = sfx[k];
    if (!found) return;
    size_t s = x->len - strlen(found);
    char *w = x->w;

    if (found[1] == 'e') {   /* eed, eedly */
        if (word_is(x, s, "proc") || word_is(x, s, "exc") || word_is(x, s, "succ")) return;
        if (s >= x->p1) replace(x, s, "ee");
        return;
    }
    if (strcmp(found, "ing") == 0) {
        static const char *const keep[] = {"even", "cann", "earr", "herr", "inn", "out"};
        for (size_t k = 0; k < sizeof keep / sizeof keep[0]; k++) {
            size_t n = strlen(keep[k]);
            if (s >= n && memcmp(w + s - n, keep[k], n) == 0) {
                if (s == n) return;   /* inning, outing, ...: left as they are */
                goto general;         /* the longest match decides */
            }
        }
        if (s > 0 && w[s - 1] == 'y' && s - 1 > 0) {
            size_t c = prev_char(w, s - 1);
            if (c == 0 && !is_v(w[c])) {   /* dying -> die */
                replace(x, s - 1, "ie");
                return;
            }
        }
    }
general:
    if (!has_vowel(w, s)) return;
    x->len = s;
    if (ends(x, "at") || ends(x, "bl") || ends(x, "iz")) {
        w[x->len++] = 'e';
        return;
    }
    static const char *const doubles[] = {"bb", "dd", "ff", "gg", "mm", "nn", "pp", "rr", "tt"};
    for (size_t k = 0; k < sizeof doubles / sizeof doubles[0]; k++) {
        if (ends(x, doubles[k])) {
            if (x->len == 3 && (w[0] == 'a' || w[0] == 'e' || w[0] == 'o')) return;
            x->len--;
            return;
        }
    }
    if (x->len == x->p1 && shortv(x, x->len)) w[x->len++] = 'e';
}

static void step_1c(word *x) {
    size_t len = x->len;
    if (len < 2 || (x->w[len - 1] != 'y' && x->w[len - 1] != 'Y')) return;
    size_t c = prev_char(x->w, len - 1);
    if (c > 0 && !is_v(x->w[c])) x->w[len - 1] = 'i';
}

static int valid_li(char c) { return c && strchr("cdeghkmnrt", c) != NULL; }

static void step_2(word *x) {
    static const rule rules[] = {
        {"tional", "tion"}, {"enci", "ence"},   {"anci", "ance"},   {"abli", "able"},
        {"entli", "ent"},   {"izer", "ize"},    {"ization", "ize"}, {"ational", "ate"},
        {"ation", "ate"},   {"ator", "ate"},    {"alism", "al"},    {"aliti", "al"},
        {"alli", "al"},     {"fulness", "ful"}, {"ousli", "ous"},   {"ousness", "ous"},
        {"iveness", "ive"}, {"iviti", "ive"},   {"biliti", "ble"},  {"bli", "ble"},
        {"ogist", "og"},    {"ogi", NULL},      {"fulli", "ful"},   {"lessli", "less"},
        {"li", NULL},
    };
    const rule *r = longest(x, rules, sizeof rules / sizeof rules[0]);
    if (!r) return;
    size_t s = x->len - strlen(r->suffix);
    if (s < x->p1) return;
    if (r->repl) replace(x, s, r->repl);
    else if (r->suffix[0] == 'o') { if (s > 0 && x->w[s - 1] == 'l') replace(x, s, "og"); }
    else if (s > 0 && valid_li(x->w[s - 1])) x->len = s;
}

static void step_3(word *x) {
    static const rule rules[] = {
        {"tional", "tion"}, {"ational", "ate"}, {"alize", "al"}, {"icate", "ic"},
        {"iciti", "ic"},    {"ical", "ic"},     {"ful", ""},     {"ness", ""},
        {"ative", NULL},
    };
    const rule *r = longest(x, rules, sizeof rules / sizeof rules[0]);
    if (!r) return;
    size_t s = x->len - strlen(r->suffix);
    if (s < x->p1) return;
    if (r->repl) replace(x, s, r->repl);
    else if (s >= x->p2) x->len = s;
}

static void step_4(word *x) {
    static const rule rules[] = {
        {"al", ""},  {"ance", ""}, {"ence", ""}, {"er", ""},  {"ic", ""},   {"able", ""},
        {"ible", ""}, {"ant", ""}, {"ement", ""}, {"ment", ""}, {"ent", ""}, {"ism", ""},
        {"ate", ""}, {"iti", ""},  {"ous", ""},  {"ive", ""},  {"ize", ""},  {"ion", NULL},
    };
    const rule *r = longest(x, rules, sizeof rules / sizeof rules[0]);
    if (!r) return;
    size_t s = x->len - strlen(r->suffix);
    if (s < x->p2) return;
    if (r->repl) x->len = s;
    else if (s > 0 && (x->w[s - 1] == 's' || x->w[s - 1] == 't')) x->len = s;
}

static void step_5(word *x) {
    if (x->len == 0) return;
    size_t s = x->len - 1;
    if (x->w[s] == 'e') {
        if (s >= x->p2 || (s >= x->p1 && !shortv(x, s))) x->len = s;
    } else if (x->w[s] == 'l') {
        if (s >= x->p2 && s > 0 && x->w[s - 1] == 'l') x->len = s;
    }
}

size_t vs_stem_en(const char *in, size_t n, size_t min_size, char *out) {
    if (out != in) memmove(out, in, n);
    if (n == 0 || n < min_size) return n;

    for (size_t k = 0; k < sizeof exceptions / sizeof exceptions[0]; k++) {
        const rule *e = &exceptions[k];
        if (strlen(e->suffix) == n && memcmp(out, e->suffix, n) == 0) {
            if (!e->repl) return n;
            size_t m = strlen(e->repl);
            memcpy(out, e->repl, m);
            return m;
        }
    }
    /* Words of fewer than three letters are left alone. */
    size_t i = 0;
    for (int letters = 0; letters < 3; letters++) {
        if (i >= n) return n;
        i = next_char(out, n, i);
    }

    word x = {out, n, 0, 0};
    int y_found = 0;
    if (out[0] == '\'') memmove(out, out + 1, --x.len);
    if (x.len > 0 && out[0] == 'y') { out[0] = 'Y'; y_found = 1; }
    for (i = 1; i < x.len; i++)
        if (out[i] == 'y' && is_v(out[i - 1])) { out[i] = 'Y'; y_found = 1; }

    mark_regions(&x);
    step_1a(&x);
    step_1b(&x);
    step_1c(&x);
    step_2(&x);
    step_3(&x);
    step_4(&x);
    step_5(&x);

    if (y_found)
        for (i = 0; i < x.len; i++)
            if (out[i] == 'Y') out[i] = 'y';
    return x.len;
}
