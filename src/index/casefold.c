/* casefold.c - UTF-8 checking and case folding (see casefold.h).
 *
 * The folding rules are ranges of CaseFolding.txt (Unicode 15) for the
 * blocks covered: a pair run (upper case on even or odd code points, the
 * lower case the next one), an offset run, or a one-off mapping.
 */
#include "index/casefold.h"

int vs_utf8_check(const char *s, size_t n, size_t *bad) {
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        unsigned char b = p[i];
        size_t more;
        if (b < 0x80) more = 0;
        else if ((b & 0xE0) == 0xC0) more = 1;
        else if ((b & 0xF0) == 0xE0) more = 2;
        else if ((b & 0xF8) == 0xF0) more = 3;
        else goto fail;
        if (more > n - i - 1) goto fail;
        for (size_t k = 1; k <= more; k++)
            if ((p[i + k] & 0xC0) != 0x80) goto fail;
        i += 1 + more;
    }
    return 1;
fail:
    if (bad) *bad = i;
    return 0;
}

/* Decode one well-formed code point at p[0, n) (n > 0), or report the
 * length of the maximal ill-formed subpart (*cp = U+FFFD). */
static size_t decode(const unsigned char *p, size_t n, uint32_t *cp) {
    unsigned char b = p[0];
    if (b < 0x80) { *cp = b; return 1; }
    size_t more;
    uint32_t v;
    unsigned char lo = 0x80, hi = 0xBF;   /* range of the second byte */
    if (b >= 0xC2 && b <= 0xDF) { more = 1; v = b & 0x1F; }
    else if (b >= 0xE0 && b <= 0xEF) {
        more = 2; v = b & 0x0F;
        if (b == 0xE0) lo = 0xA0;
        if (b == 0xED) hi = 0x9F;
    } else if (b >= 0xF0 && b <= 0xF4) {
        more = 3; v = b & 0x07;
        if (b == 0xF0) lo = 0x90;
        if (b == 0xF4) hi = 0x8F;
    } else { *cp = 0xFFFD; return 1; }
    size_t i = 1;
    for (; i <= more; i++) {
        if (i >= n) break;
        unsigned char c = p[i];
        if (i == 1 ? (c < lo || c > hi) : (c & 0xC0) != 0x80) break;
        v = (v << 6) | (c & 0x3F);
    }
    if (i <= more) { *cp = 0xFFFD; return i; }
    *cp = v;
    return i;
}

static size_t encode(uint32_t cp, unsigned char *o) {
    if (cp < 0x80) { o[0] = (unsigned char)cp; return 1; }
    if (cp < 0x800) {
        o[0] = (unsigned char)(0xC0 | (cp >> 6));
        o[1] = (unsigned char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (unsigned char)(0xE0 | (cp >> 12));
        o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (unsigned char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (unsigned char)(0xF0 | (cp >> 18));
    o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (unsigned char)(0x80 | (cp & 0x3F));
    return 4;
}

enum { PAIR_EVEN, PAIR_ODD, OFFSET };

typedef struct fold_range {
    uint16_t first, last;
    uint8_t kind;
    int16_t delta;   /* OFFSET: added to the code point */
} fold_range;

static const fold_range ranges[] = {
    {0x0041, 0x005A, OFFSET, 32},     {0x00C0, 0x00D6, OFFSET, 32},
    {0x00D8, 0x00DE, OFFSET, 32},     {0x0100, 0x012F, PAIR_EVEN, 0},
    {0x0132, 0x0137, PAIR_EVEN, 0},   {0x0139, 0x0148, PAIR_ODD, 0},
    {0x014A, 0x0177, PAIR_EVEN, 0},   {0x0179, 0x017E, PAIR_ODD, 0},
    {0x0370, 0x0373, PAIR_EVEN, 0},   {0x0376, 0x0377, PAIR_EVEN, 0},
    {0x0388, 0x038A, OFFSET, 37},     {0x038E, 0x038F, OFFSET, 63},
    {0x0391, 0x03A1, OFFSET, 32},     {0x03A3, 0x03AB, OFFSET, 32},
    {0x03D8, 0x03EF, PAIR_EVEN, 0},   {0x03FD, 0x03FF, OFFSET, -130},
    {0x0400, 0x040F, OFFSET, 80},     {0x0410, 0x042F, OFFSET, 32},
    {0x0460, 0x0481, PAIR_EVEN, 0},   {0x048A, 0x04BF, PAIR_EVEN, 0},
    {0x04C1, 0x04CE, PAIR_ODD, 0},    {0x04D0, 0x052F, PAIR_EVEN, 0},
};

typedef struct fold_one {
    uint16_t cp;
    uint16_t to[3];   /* 0 ends a shorter mapping */
} fold_one;

static const fold_one ones[] = {
    {0x00B5, {0x03BC}},                 {0x00DF, {0x0073, 0x0073}},
    {0x0130, {0x0069, 0x0307}},         {0x0149, {0x02BC, 0x006E}},
    {0x0178, {0x00FF}},                 {0x017F, {0x0073}},
    {0x0345, {0x03B9}},                 {0x037F, {0x03F3}},
    {0x0386, {0x03AC}},                 {0x038C, {0x03CC}},
    {0x0390, {0x03B9, 0x0308, 0x0301}}, {0x03B0, {0x03C5, 0x0308, 0x0301}},
    {0x03C2, {0x03C3}},                 {0x03CF, {0x03D7}},
    {0x03D0, {0x03B2}},                 {0x03D1, {0x03B8}},
    {0x03D5, {0x03C6}},                 {0x03D6, {0x03C0}},
    {0x03F0, {0x03BA}},                 {0x03F1, {0x03C1}},
    {0x03F4, {0x03B8}},                 {0x03F5, {0x03B5}},
    {0x03F7, {0x03F8}},                 {0x03F9, {0x03F2}},
    {0x03FA, {0x03FB}},                 {0x04C0, {0x04CF}},
    {0x1E9E, {0x0073, 0x0073}},         {0x2126, {0x03C9}},
    {0x212A, {0x006B}},                 {0x212B, {0x00E5}},
};

size_t vs_casefold_cp(uint32_t cp, uint32_t out[3]) {
    for (size_t i = 0; i < sizeof ranges / sizeof ranges[0]; i++) {
        const fold_range *r = &ranges[i];
        if (cp < r->first || cp > r->last) continue;
        if (r->kind == OFFSET) out[0] = (uint32_t)((int32_t)cp + r->delta);
        else if ((cp & 1) == (r->kind == PAIR_ODD ? 1u : 0u)) out[0] = cp + 1;
        else out[0] = cp;
        return 1;
    }
    for (size_t i = 0; i < sizeof ones / sizeof ones[0]; i++) {
        if (ones[i].cp != cp) continue;
        size_t k = 0;
        while (k < 3 && ones[i].to[k]) { out[k] = ones[i].to[k]; k++; }
        return k;
    }
    out[0] = cp;
    return 1;
}

size_t vs_casefold_utf8(const char *s, size_t n, char *out) {
    const unsigned char *p = (const unsigned char *)s;
    unsigned char *o = (unsigned char *)out;
    int ascii = 1;
    for (size_t i = 0; i < n && ascii; i++) ascii = p[i] < 0x80;
    if (ascii) {
        for (size_t i = 0; i < n; i++)
            o[i] = (unsigned char)(p[i] >= 'A' && p[i] <= 'Z' ? p[i] + 32 : p[i]);
        return n;
    }
    size_t len = 0;
    for (size_t i = 0; i < n;) {
        uint32_t cp, f[3];
        i += decode(p + i, n - i, &cp);
        size_t k = vs_casefold_cp(cp, f);
        for (size_t j = 0; j < k; j++) len += encode(f[j], o + len);
    }
    return len;
}
