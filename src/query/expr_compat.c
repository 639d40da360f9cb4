/* expr_compat.c - search.emulate-release (expr.h): the release a command
 * answers as, the gated sites' labels and counters, and the setting's
 * text as valkey-search's config machinery parses and checks it.
 *
 * Invariants: a vs_compat's release is always within [VS_RELEASE_MIN,
 * VS_RELEASE_MAX] (vs_compat_parse_release refuses the rest); counting
 * never fails.
 */
#include <stdio.h>
#include <string.h>

#include "query/expr_int.h"

static const struct {
    const char *label;
    uint32_t fixed_in;
} kSites[VS_COMPAT_NSITES] = {
    [VS_COMPAT_AGGREGATE_REDUCER_DEFAULT_ALIAS] = {"aggregate_reducer_default_alias", VS_RELEASE(1, 3, 0)},
    [VS_COMPAT_ASBOOL_STRING_TRUTHY] = {"asbool_string_truthy", VS_RELEASE(1, 2, 1)},
    [VS_COMPAT_DATE_FN_NEGATIVE_TS_TO_NIL] = {"date_fn_negative_ts_to_nil", VS_RELEASE(1, 2, 1)},
    [VS_COMPAT_LOWER_NON_STRING_TO_NIL] = {"lower_non_string_to_nil", VS_RELEASE(1, 2, 1)},
    [VS_COMPAT_MONTH_MDAY_OFF_BY_ONE] = {"month_mday_off_by_one", VS_RELEASE(1, 2, 1)},
    [VS_COMPAT_NUMERIC_UNARY_NAN_ON_UNPARSABLE] = {"numeric_unary_nan_on_unparsable", VS_RELEASE(1, 2, 1)},
    [VS_COMPAT_PARSETIME_FORMAT_MISMATCH_TO_NIL] = {"parsetime_format_mismatch_to_nil", VS_RELEASE(1, 2, 1)},
    [VS_COMPAT_TIMEFMT_EMPTY_FORMAT_TO_NIL] = {"timefmt_empty_format_to_nil", VS_RELEASE(1, 2, 1)},
    [VS_COMPAT_UPPER_NON_STRING_TO_NIL] = {"upper_non_string_to_nil", VS_RELEASE(1, 2, 1)},
};

void vs_compat_init(vs_compat *c) {
    memset(c, 0, sizeof *c);
    c->release = VS_RELEASE_DEFAULT;
}

const char *vs_compat_label(int site) { return site >= 0 && site < VS_COMPAT_NSITES ? kSites[site].label : ""; }

int vs_compat_fixed(vs_compat *c, int site) {
    if (!c) return VS_RELEASE_MAX >= kSites[site].fixed_in;
    c->reached |= 1u << site;
    if (c->release >= kSites[site].fixed_in) return 1;
    c->legacy[site]++;
    return 0;
}

void vs_compat_format_release(uint32_t release, char *buf, size_t len) {
    snprintf(buf, len, "%u.%u.%u", (unsigned)(release >> 16), (unsigned)((release >> 8) & 0xFF),
             (unsigned)(release & 0xFF));
}

static int is_space(uint8_t c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

/* absl::SimpleAtoi into an unsigned: ASCII space around, an optional '+'
 * ('-' refused), decimal digits, no overflow of 32 bits. */
static int atou(const uint8_t *s, size_t n, uint32_t *out) {
    size_t b = 0, e = n;
    while (b < e && is_space(s[b])) b++;
    while (e > b && is_space(s[e - 1])) e--;
    if (b == e) return 0;
    if (s[b] == '-') return 0;
    if (s[b] == '+' && ++b == e) return 0;
    uint64_t v = 0;
    for (size_t i = b; i < e; i++) {
        if (s[i] < '0' || s[i] > '9') return 0;
        v = v * 10 + (uint64_t)(s[i] - '0');
        if (v > UINT32_MAX) return 0;
    }
    *out = (uint32_t)v;
    return 1;
}

int vs_compat_parse_release(const uint8_t *s, size_t n, uint32_t *out, char *why, size_t whylen) {
    static const char *const kLabels[3] = {"major", "minor", "patch"};
    static const uint32_t kLimits[3] = {0xFFFF, 0xFF, 0xFF};
    /* why gets the whole text; the server keeps 255 bytes of it (Valkey's
     * CONFIG_ERR_SIZE): the caller's buffer is that size */
    int shown = n > 512 ? 512 : (int)n;
    size_t dots = 0;
    for (size_t i = 0; i < n; i++) dots += s[i] == '.';
    if (dots != 2) {
        snprintf(why, whylen, "Invalid version '%.*s': expected '<major>.<minor>.<patch>'", shown, (const char *)s);
        return -1;
    }
    uint32_t comp[3];
    size_t at = 0;
    for (int k = 0; k < 3; k++) {
        size_t end = at;
        while (end < n && s[end] != '.') end++;
        if (end == at || !atou(s + at, end - at, &comp[k])) {
            snprintf(why, whylen, "Invalid version '%.*s': %s is not a number", shown, (const char *)s, kLabels[k]);
            return -1;
        }
        if (comp[k] > kLimits[k]) {
            snprintf(why, whylen, "Invalid version '%.*s': %s out of range", shown, (const char *)s, kLabels[k]);
            return -1;
        }
        at = end + 1;
    }
    uint32_t r = VS_RELEASE(comp[0], comp[1], comp[2]);
    char b1[16];
    if (r > VS_RELEASE_MAX) { /* valkey-search: above the module's version without debug-mode */
        vs_compat_format_release(VS_RELEASE_MAX, b1, sizeof b1);
        snprintf(why, whylen, "emulate-release must be <= %s unless debug-mode is enabled", b1);
        return -1;
    }
    if (r < VS_RELEASE_MIN) { /* its range check: the type's bounds */
        vs_compat_format_release(VS_RELEASE_MIN, b1, sizeof b1);
        snprintf(why, whylen, "emulate-release must be between %s and 65535.255.255", b1);
        return -1;
    }
    *out = r;
    return 0;
}
