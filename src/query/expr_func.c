/* expr_func.c - the functions of the expression language (expr.h): the
 * table of names and argument counts of valkey-search's expr.cc, and the
 * functions as its value.cc computes them (the behaviour of its 1.2.1
 * compatibility fixes, which match RediSearch: see below).
 *
 *  numbers  abs ceil exp floor log log2 sqrt: nil stays nil, a value that
 *           does not read as a number gives NaN ("nan"); arrays map;
 *  strings  lower upper (strings only, else nil; ASCII letters changed,
 *           bytes re-encoded as valkey-search's UTF-8 scanner reads them),
 *           strlen (bytes of the text; a number's text), startswith,
 *           contains (non-overlapping count; "" counts length + 1),
 *           substr(s, offset, length) (negative offset from the end,
 *           negative length leaves that many off the end), concat(0..50);
 *  time     dayofweek dayofmonth dayofyear monthofyear year (calendar
 *           fields of a UTC Unix time), minute hour day (the time rounded
 *           down to its minute, hour, day), month (the first of its
 *           month): nil for a non-number, a non-finite or a negative time;
 *           timefmt(t [, fmt]) and parsetime(s [, fmt]), fmt defaulting to
 *           "%FT%TZ": strftime and strptime as glibc's do in the C locale,
 *           written here (emscripten's strptime is a JavaScript import, and
 *           both must answer alike in every build), the server's zone
 *           being UTC;
 *  exists   0 for nil, else 1.
 *
 * Before 1.2.1 (search.emulate-release below it, the default: each site
 * asks vs_compat_fixed, which counts the legacy runs): a value that does
 * not read as a number gives nil in the number functions; lower and upper
 * change a number's text too; the date functions compute a time before
 * the epoch like any other; month gives the last day of the month before
 * (mktime of day 0); timefmt with an empty format gives ""; parsetime
 * whose text does not match gives mktime of the fields strptime had set
 * (-2209075200 when none).
 *
 * Invariants: a function fails only for memory; anything else is a value
 * (often nil).
 */
#include <math.h>
#include <string.h>

#include "base/alloc.h"
#include "query/expr_int.h"

#define NIL(out) (*(out) = vs_value_nil(), VS_OK)

/* ---- numbers ------------------------------------------------------------------- */

typedef double (*math1)(double);

static vs_status num_fn(vs_expr_ctx *cx, const vs_value *a, vs_value *out, math1 f, int fix_nan) {
    double d;
    int r = vs_expr_as_num(a, &d);
    if (r < 0) return VS_ERR_NOMEM;
    if (!r) {
        /* nil stays nil; a value that does not read as a number: 1.2.1 NaN,
         * before nil */
        if (a->type == VS_V_NIL || !vs_compat_fixed(cx->compat, VS_COMPAT_NUMERIC_UNARY_NAN_ON_UNPARSABLE))
            *out = vs_value_nil();
        else
            *out = vs_value_num(NAN);
        return VS_OK;
    }
    double x = f(d);
    *out = vs_value_num(fix_nan ? vs_expr_nan_of(x, d, d) : x);
    return VS_OK;
}

#define NUMFN(name, f, fix)                                                            \
    static vs_status name##1(vs_expr_ctx *cx, const vs_value *a, vs_value *out) {      \
        return num_fn(cx, a, out, f, fix);                                             \
    }                                                                                  \
    static vs_status fn_##name(vs_expr_ctx *cx, const vs_value *argv, uint32_t argc, vs_value *out) { \
        (void)argc;                                                                    \
        if (argv[0].type == VS_V_ARR) return vs_expr_map1(cx, name##1, &argv[0], out); \
        return name##1(cx, &argv[0], out);                                             \
    }
NUMFN(abs, fabs, 0)
NUMFN(ceil, ceil, 1)
NUMFN(exp, exp, 1)
NUMFN(floor, floor, 1)
NUMFN(log, log, 1)
NUMFN(log2, log2, 1)
NUMFN(sqrt, sqrt, 1)

static vs_status fn_exists(vs_expr_ctx *cx, const vs_value *argv, uint32_t argc, vs_value *out) {
    (void)cx;
    (void)argc;
    *out = vs_value_num(argv[0].type != VS_V_NIL);
    return VS_OK;
}

/* ---- strings ------------------------------------------------------------------- */

static vs_status casefn(vs_expr_ctx *cx, const vs_value *a, vs_value *out, int upper) {
    /* 1.2.1: strings only; before, a number's text was changed too */
    if (a->type != VS_V_STR &&
        vs_compat_fixed(cx->compat, upper ? VS_COMPAT_UPPER_NON_STRING_TO_NIL : VS_COMPAT_LOWER_NON_STRING_TO_NIL))
        return NIL(out);
    char buf[VS_EXPR_NUM_MAX];
    const uint8_t *s;
    size_t n;
    if (!vs_expr_as_text(a, buf, &s, &n)) return NIL(out);
    if (n > SIZE_MAX / 2) return VS_ERR_NOMEM;
    /* a byte that is not UTF-8 becomes two bytes (its code point encoded) */
    uint8_t *b = vs_arena_alloc(cx->ar, n * 2 + 1);
    if (!b) return VS_ERR_NOMEM;
    size_t o = 0, pos = 0;
    while (pos < n) {
        size_t at = pos;
        uint32_t c = vs_expr_utf8_next(s, n, &pos);
        if (c < 0x80) {
            if (upper && c >= 'a' && c <= 'z') c -= 32;
            if (!upper && c >= 'A' && c <= 'Z') c += 32;
        }
        if (c > 0x10FFFF) { /* see vs_expr_utf8_put */
            memcpy(b + o, s + at, pos - at);
            o += pos - at;
        } else {
            o += vs_expr_utf8_put(b + o, c);
        }
    }
    *out = vs_value_str(b, o);
    return VS_OK;
}
static vs_status lower1(vs_expr_ctx *cx, const vs_value *a, vs_value *out) { return casefn(cx, a, out, 0); }
static vs_status upper1(vs_expr_ctx *cx, const vs_value *a, vs_value *out) { return casefn(cx, a, out, 1); }
static vs_status fn_lower(vs_expr_ctx *cx, const vs_value *argv, uint32_t argc, vs_value *out) {
    (void)argc;
    return argv[0].type == VS_V_ARR ? vs_expr_map1(cx, lower1, &argv[0], out) : lower1(cx, &argv[0], out);
}
static vs_status fn_upper(vs_expr_ctx *cx, const vs_value *argv, uint32_t argc, vs_value *out) {
    (void)argc;
    return argv[0].type == VS_V_ARR ? vs_expr_map1(cx, upper1, &argv[0], out) : upper1(cx, &argv[0], out);
}

static vs_status strlen1(vs_expr_ctx *cx, const vs_value *a, vs_value *out) {
    (void)cx;
    char buf[VS_EXPR_NUM_MAX];
    const uint8_t *s;
    size_t n;
    if (!vs_expr_as_text(a, buf, &s, &n)) return NIL(out);
    *out = vs_value_num((double)n);
    return VS_OK;
}
static vs_status fn_strlen(vs_expr_ctx *cx, const vs_value *argv, uint32_t argc, vs_value *out) {
    (void)argc;
    return argv[0].type == VS_V_ARR ? vs_expr_map1(cx, strlen1, &argv[0], out) : strlen1(cx, &argv[0], out);
}

static vs_status startswith2(vs_expr_ctx *cx, const vs_value *a, const vs_value *b, vs_value *out) {
    (void)cx;
    char ba[VS_EXPR_NUM_MAX], bb[VS_EXPR_NUM_MAX];
    const uint8_t *s, *t;
    size_t n, m;
    if (!vs_expr_as_text(a, ba, &s, &n) || !vs_expr_as_text(b, bb, &t, &m)) return NIL(out);
    *out = vs_value_num(m <= n && (m == 0 || memcmp(s, t, m) == 0));
    return VS_OK;
}
static vs_status fn_startswith(vs_expr_ctx *cx, const vs_value *argv, uint32_t argc, vs_value *out) {
    (void)argc;
    return vs_expr_map2(cx, startswith2, &argv[0], &argv[1], out);
}

static vs_status contains2(vs_expr_ctx *cx, const vs_value *a, const vs_value *b, vs_value *out) {
    (void)cx;
    char ba[VS_EXPR_NUM_MAX], bb[VS_EXPR_NUM_MAX];
    const uint8_t *s, *t;
    size_t n, m;
    if (!vs_expr_as_text(a, ba, &s, &n) || !vs_expr_as_text(b, bb, &t, &m)) return NIL(out);
    if (m == 0) {
        *out = vs_value_num((double)n + 1);
        return VS_OK;
    }
    size_t count = 0;
    for (size_t i = 0; i + m <= n;) {
        if (s[i] == t[0] && memcmp(s + i, t, m) == 0) {
            count++;
            i += m;
        } else {
            i++;
        }
    }
    *out = vs_value_num((double)count);
    return VS_OK;
}
static vs_status fn_contains(vs_expr_ctx *cx, const vs_value *argv, uint32_t argc, vs_value *out) {
    (void)argc;
    return vs_expr_map2(cx, contains2, &argv[0], &argv[1], out);
}

static vs_status fn_substr(vs_expr_ctx *cx, const vs_value *argv, uint32_t argc, vs_value *out) {
    (void)argc;
    if (argv[0].type == VS_V_ARR || argv[1].type == VS_V_ARR || argv[2].type == VS_V_ARR) return NIL(out);
    char buf[VS_EXPR_NUM_MAX];
    const uint8_t *s;
    size_t n;
    if (!vs_expr_as_text(&argv[0], buf, &s, &n)) return NIL(out);
    double od, ld;
    int r1 = vs_expr_as_num(&argv[1], &od), r2 = vs_expr_as_num(&argv[2], &ld);
    if (r1 < 0 || r2 < 0) return VS_ERR_NOMEM;
    if (!r1 || !r2) return NIL(out);
    int64_t off = vs_expr_to_i64(od), len = vs_expr_to_i64(ld);
    /* int64 arithmetic as valkey-search's, wrapping where its does */
    int64_t o = off >= 0 ? off : (int64_t)((uint64_t)off + (uint64_t)n);
    if (o > (int64_t)n || o < 0 || len == 0) return vs_expr_make_str(cx, "", 0, out);
    size_t rest = n - (size_t)o;
    if (len >= 0) {
        size_t take = (uint64_t)len < rest ? (size_t)len : rest;
        return vs_expr_make_str(cx, s + o, take, out);
    }
    int64_t l2 = (int64_t)((uint64_t)rest + (uint64_t)len);
    if (l2 < 0) return vs_expr_make_str(cx, "", 0, out);
    return vs_expr_make_str(cx, s + o, (size_t)l2 < rest ? (size_t)l2 : rest, out);
}

static vs_status fn_concat(vs_expr_ctx *cx, const vs_value *argv, uint32_t argc, vs_value *out) {
    char buf[VS_EXPR_NUM_MAX];
    const uint8_t *s;
    size_t n, total = 0;
    for (uint32_t i = 0; i < argc; i++) {
        if (!vs_expr_as_text(&argv[i], buf, &s, &n)) return NIL(out);
        if (n > SIZE_MAX - total) return VS_ERR_NOMEM;
        total += n;
    }
    uint8_t *b = vs_arena_alloc(cx->ar, total ? total : 1);
    if (!b) return VS_ERR_NOMEM;
    size_t o = 0;
    for (uint32_t i = 0; i < argc; i++) {
        vs_expr_as_text(&argv[i], buf, &s, &n);
        if (n) memcpy(b + o, s, n);
        o += n;
    }
    *out = vs_value_str(b, total);
    return VS_OK;
}

/* ---- calendar ------------------------------------------------------------------ */

static int64_t floordiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }
static int is_leap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

/* days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant) */
static int64_t days_from_civil(int64_t y, int64_t m, int64_t d) {
    y -= m <= 2;
    int64_t era = floordiv(y, 400);
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

int vs_expr_gmtime(int64_t t, vs_expr_tm *tm) {
    /* past +-1e17 s the year leaves int's range (glibc gmtime fails) */
    if (t > 100000000000000000LL || t < -100000000000000000LL) return 0;
    int64_t days = floordiv(t, 86400), secs = t - days * 86400;
    int64_t z = days + 719468;
    int64_t era = floordiv(z, 146097);
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = yoe + era * 400;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t d = doy - (153 * mp + 2) / 5 + 1;
    int64_t m = mp < 10 ? mp + 3 : mp - 9;
    y += m <= 2;
    if (y - 1900 > 2147483647 || y - 1900 < -2147483647 - 1) return 0;
    tm->year = (int)(y - 1900);
    tm->mon = (int)m - 1;
    tm->mday = (int)d;
    tm->hour = (int)(secs / 3600);
    tm->min = (int)(secs / 60 % 60);
    tm->sec = (int)(secs % 60);
    tm->wday = (int)(((days + 4) % 7 + 7) % 7);
    tm->yday = (int)(days - days_from_civil(y, 1, 1));
    return 1;
}

double vs_expr_timegm(const vs_expr_tm *tm) {
    int64_t mon = tm->mon;
    int64_t y = (int64_t)tm->year + 1900 + floordiv(mon, 12);
    mon -= floordiv(mon, 12) * 12;
    int64_t days = days_from_civil(y, mon + 1, 1) + (int64_t)tm->mday - 1;
    return (double)days * 86400.0 + (double)tm->hour * 3600.0 + (double)tm->min * 60.0 + (double)tm->sec;
}

/* The time argument of the date functions: 1 and *t, or 0 for nil. */
static int date_arg(vs_expr_ctx *cx, const vs_value *a, double *t, int *nomem) {
    int r = vs_expr_as_num(a, t);
    if (r < 0) *nomem = 1;
    if (r != 1) return 0;
    if (vs_expr_isnan(*t) || vs_expr_isinf(*t)) return 0;
    /* 1.2.1: before the epoch is nil; before, computed as any time */
    return !(*t < 0 && vs_compat_fixed(cx->compat, VS_COMPAT_DATE_FN_NEGATIVE_TS_TO_NIL));
}

enum { DF_MDAY, DF_YDAY, DF_MON, DF_YEAR, DF_WDAY, DF_MONTH, DF_MINUTE, DF_HOUR, DF_DAY };

static vs_status datefn(vs_expr_ctx *cx, const vs_value *a, vs_value *out, int which) {
    double t;
    int nomem = 0;
    if (!date_arg(cx, a, &t, &nomem)) return nomem ? VS_ERR_NOMEM : NIL(out);
    switch (which) {
    case DF_MINUTE: *out = vs_value_num(floor(t / 60.0) * 60.0); return VS_OK;
    case DF_HOUR: *out = vs_value_num(floor(t / 3600.0) * 3600.0); return VS_OK;
    case DF_DAY: *out = vs_value_num(floor(t / 86400.0) * 86400.0); return VS_OK;
    case DF_WDAY: {
        double days = floor(t / 86400.0);
        int64_t d = vs_expr_to_i64(days);
        *out = vs_value_num((double)(((d % 7) + 4 + 7) % 7));
        return VS_OK;
    }
    default: break;
    }
    vs_expr_tm tm;
    if (!vs_expr_gmtime(vs_expr_to_i64(t), &tm)) return NIL(out);
    switch (which) {
    case DF_MDAY: *out = vs_value_num(tm.mday); break;
    case DF_YDAY: *out = vs_value_num(tm.yday); break;
    case DF_MON: *out = vs_value_num(tm.mon); break;
    case DF_YEAR: *out = vs_value_num((double)tm.year + 1900); break;
    default: /* DF_MONTH: 1.2.1, the first of the month; before, the day
                before it (mktime of day 0) */
        tm.sec = tm.min = tm.hour = 0;
        tm.mday = vs_compat_fixed(cx->compat, VS_COMPAT_MONTH_MDAY_OFF_BY_ONE) ? 1 : 0;
        *out = vs_value_num(vs_expr_timegm(&tm));
        break;
    }
    return VS_OK;
}

#define DATEFN(name, which)                                                                               \
    static vs_status fn_##name(vs_expr_ctx *cx, const vs_value *argv, uint32_t argc, vs_value *out) { \
        (void)argc;                                                                                   \
        return datefn(cx, &argv[0], out, which);                                                      \
    }
DATEFN(dayofmonth, DF_MDAY)
DATEFN(dayofyear, DF_YDAY)
DATEFN(monthofyear, DF_MON)
DATEFN(year, DF_YEAR)
DATEFN(dayofweek, DF_WDAY)
DATEFN(month, DF_MONTH)
DATEFN(minute, DF_MINUTE)
DATEFN(hour, DF_HOUR)
DATEFN(day, DF_DAY)

/* ---- strftime (glibc, C locale) -------------------------------------------------- */

static const char *const kDays[] = {"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"};
static const char *const kMonths[] = {"January", "February", "March",     "April",   "May",      "June",
                                      "July",    "August",   "September", "October", "November", "December"};

typedef struct obuf {
    uint8_t *b;
    size_t n, cap;
    int fail;
} obuf;

static void put(obuf *o, const void *s, size_t n) {
    if (o->fail || !n) return;
    if (!vs_grow_bytes(&o->b, &o->cap, o->n + n, 64)) {
        o->fail = 1;
        return;
    }
    memcpy(o->b + o->n, s, n);
    o->n += n;
}
static void putc1(obuf *o, int c) {
    uint8_t ch = (uint8_t)c;
    put(o, &ch, 1);
}
static void pad(obuf *o, int c, int k) {
    while (k-- > 0 && !o->fail) putc1(o, c);
}

/* A field: text s[n] padded to width; numbers pad with '0' or ' ' by
 * default and flags change it ('_' space, '0' zero, '-' none). */
static void field_str(obuf *o, const char *s, size_t n, int flag, int width, int upcase) {
    int padc = flag == '0' ? '0' : ' ';
    if (flag != '-' && width > (int)n) pad(o, padc, width - (int)n);
    for (size_t i = 0; i < n; i++) {
        int c = (unsigned char)s[i];
        if (upcase && c >= 'a' && c <= 'z') c -= 32;
        putc1(o, c);
    }
}
static void field_num(obuf *o, int64_t v, int digits, int defpad, int flag, int width) {
    char tmp[32];
    int neg = v < 0;
    uint64_t u = neg ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    int k = 0;
    do {
        tmp[k++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    int padc = flag == '_' ? ' ' : flag == '0' ? '0' : defpad;
    int w = width >= 0 ? width : digits;
    int len = k + neg;
    if (flag == '-') w = 0;
    if (padc == ' ') {
        pad(o, ' ', w - len);
        if (neg) putc1(o, '-');
    } else {
        if (neg) putc1(o, '-');
        pad(o, '0', w - len);
    }
    while (k) putc1(o, tmp[--k]);
}

static int iso_week_days(int yday, int wday) { return yday - (yday - wday + 382) % 7 + 3; }

static void vs_strftime(obuf *o, const uint8_t *f, size_t fn, const vs_expr_tm *tm, int64_t t, int depth);

static void sub(obuf *o, const char *f, const vs_expr_tm *tm, int64_t t, int depth) {
    vs_strftime(o, (const uint8_t *)f, strlen(f), tm, t, depth + 1);
}

static void vs_strftime(obuf *o, const uint8_t *f, size_t fn, const vs_expr_tm *tm, int64_t t, int depth) {
    for (size_t i = 0; i < fn && !o->fail;) {
        if (f[i] != '%') {
            putc1(o, f[i++]);
            continue;
        }
        size_t start = i++;
        int flag = 0, upcase = 0, swapcase = 0, width = -1;
        while (i < fn && (f[i] == '_' || f[i] == '-' || f[i] == '0' || f[i] == '^' || f[i] == '#')) {
            if (f[i] == '^') upcase = 1;
            else if (f[i] == '#') swapcase = 1;
            else flag = f[i];
            i++;
        }
        while (i < fn && f[i] >= '0' && f[i] <= '9') {
            if (width < 0) width = 0;
            if (width < 4096) width = width * 10 + (f[i] - '0');
            i++;
        }
        if (width > 4096) width = 4096;
        while (i < fn && (f[i] == 'E' || f[i] == 'O')) i++;
        if (i >= fn) { /* an unfinished conversion is copied as it is */
            put(o, f + start, fn - start);
            return;
        }
        int c = f[i++];
        int64_t year = (int64_t)tm->year + 1900;
        int hour12 = tm->hour % 12 ? tm->hour % 12 : 12;
        switch (c) {
        case '%': field_str(o, "%", 1, flag, width, 0); break;
        case 'a': field_str(o, kDays[tm->wday], 3, flag, width, upcase || swapcase); break;
        case 'A': field_str(o, kDays[tm->wday], strlen(kDays[tm->wday]), flag, width, upcase || swapcase); break;
        case 'b':
        case 'h': field_str(o, kMonths[tm->mon], 3, flag, width, upcase || swapcase); break;
        case 'B': field_str(o, kMonths[tm->mon], strlen(kMonths[tm->mon]), flag, width, upcase || swapcase); break;
        case 'c': sub(o, "%a %b %e %H:%M:%S %Y", tm, t, depth); break;
        case 'C': field_num(o, floordiv(year, 100), 1, '0', flag, width); break;
        case 'd': field_num(o, tm->mday, 2, '0', flag, width); break;
        case 'D': sub(o, "%m/%d/%y", tm, t, depth); break;
        case 'e': field_num(o, tm->mday, 2, ' ', flag, width); break;
        case 'F': /* glibc: the year unpadded, or space-padded to width - 6 */
            field_num(o, year, 1, ' ', flag, width >= 0 ? (width > 6 ? width - 6 : 0) : -1);
            sub(o, "-%m-%d", tm, t, depth);
            break;
        case 'g':
        case 'G':
        case 'V': {
            int64_t y = year;
            int days = iso_week_days(tm->yday, tm->wday);
            if (days < 0) {
                y--;
                days = iso_week_days(tm->yday + (365 + is_leap(y)), tm->wday);
            } else {
                int d = iso_week_days(tm->yday - (365 + is_leap(y)), tm->wday);
                if (d >= 0) {
                    y++;
                    days = d;
                }
            }
            if (c == 'g') field_num(o, ((y % 100) + 100) % 100, 2, '0', flag, width);
            else if (c == 'G') field_num(o, y, 1, '0', flag, width);
            else field_num(o, days / 7 + 1, 2, '0', flag, width);
            break;
        }
        case 'H': field_num(o, tm->hour, 2, '0', flag, width); break;
        case 'I': field_num(o, hour12, 2, '0', flag, width); break;
        case 'j': field_num(o, tm->yday + 1, 3, '0', flag, width); break;
        case 'k': field_num(o, tm->hour, 2, ' ', flag, width); break;
        case 'l': field_num(o, hour12, 2, ' ', flag, width); break;
        case 'm': field_num(o, tm->mon + 1, 2, '0', flag, width); break;
        case 'M': field_num(o, tm->min, 2, '0', flag, width); break;
        case 'n': field_str(o, "\n", 1, flag, width, 0); break;
        case 'p': field_str(o, tm->hour >= 12 ? (swapcase ? "pm" : "PM") : (swapcase ? "am" : "AM"), 2, flag, width, 0); break;
        case 'P': field_str(o, tm->hour >= 12 ? "pm" : "am", 2, flag, width, upcase); break;
        case 'r': sub(o, "%I:%M:%S %p", tm, t, depth); break;
        case 'R': sub(o, "%H:%M", tm, t, depth); break;
        case 's': field_num(o, t, 1, '0', flag, width); break;
        case 'S': field_num(o, tm->sec, 2, '0', flag, width); break;
        case 't': field_str(o, "\t", 1, flag, width, 0); break;
        case 'T': sub(o, "%H:%M:%S", tm, t, depth); break;
        case 'u': field_num(o, (tm->wday + 6) % 7 + 1, 1, '0', flag, width); break;
        case 'U': field_num(o, (tm->yday - tm->wday + 7) / 7, 2, '0', flag, width); break;
        case 'w': field_num(o, tm->wday, 1, '0', flag, width); break;
        case 'W': field_num(o, (tm->yday - (tm->wday - 1 + 7) % 7 + 7) / 7, 2, '0', flag, width); break;
        case 'x': sub(o, "%m/%d/%y", tm, t, depth); break;
        case 'X': sub(o, "%H:%M:%S", tm, t, depth); break;
        case 'y': field_num(o, ((year % 100) + 100) % 100, 2, '0', flag, width); break;
        case 'Y': field_num(o, year, 1, '0', flag, width); break;
        case 'z': field_str(o, "+0000", 5, flag, width, 0); break;
        case 'Z': field_str(o, swapcase ? "gmt" : "GMT", 3, flag, width, 0); break;
        default: put(o, f + start, i - start); break; /* unknown: copied */
        }
    }
}

static vs_status fn_timefmt(vs_expr_ctx *cx, const vs_value *argv, uint32_t argc, vs_value *out) {
    double t;
    int r = vs_expr_as_num(&argv[0], &t);
    if (r < 0) return VS_ERR_NOMEM;
    if (!r || vs_expr_isinf(t) || vs_expr_isnan(t)) return NIL(out);
    char buf[VS_EXPR_NUM_MAX];
    const uint8_t *f = (const uint8_t *)"%FT%TZ";
    size_t fn = 6;
    if (argc > 1 && !vs_expr_as_text(&argv[1], buf, &f, &fn)) return NIL(out);
    if (fn == 0) /* 1.2.1: an empty format is nil; before, "" */
        return vs_compat_fixed(cx->compat, VS_COMPAT_TIMEFMT_EMPTY_FORMAT_TO_NIL) ? NIL(out)
                                                                                 : vs_expr_make_str(cx, "", 0, out);
    const uint8_t *nul = memchr(f, 0, fn);
    if (nul) fn = (size_t)(nul - f); /* strftime reads to the NUL */
    vs_expr_tm tm;
    int64_t secs = vs_expr_to_i64(t);
    if (!vs_expr_gmtime(secs, &tm)) return NIL(out);
    obuf o = {0};
    vs_strftime(&o, f, fn, &tm, secs, 0);
    if (o.fail) {
        vs_free(o.b);
        return VS_ERR_NOMEM;
    }
    vs_status st = vs_expr_make_str(cx, o.b, o.n, out);
    vs_free(o.b);
    return st;
}

/* ---- strptime (glibc, C locale) -------------------------------------------------- */

typedef struct ptstate {
    vs_expr_tm tm;
    int have_I, is_pm, century, want_century, want_xday, have_wday, have_yday, have_mon, have_mday;
    int have_uweek, have_wweek, week_no;
} ptstate;

static int sp(int c) { return c == ' ' || (c >= '\t' && c <= '\r'); }
static int lcase(int c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }

/* glibc's get_number: skip space, then up to n digits while val*10 <= to */
static const char *getnum(const char *rp, int from, int to, int n, int *val) {
    while (sp(*rp)) rp++;
    if (*rp < '0' || *rp > '9') return NULL;
    int v = 0;
    do {
        v = v * 10 + (*rp++ - '0');
    } while (--n > 0 && v * 10 <= to && *rp >= '0' && *rp <= '9');
    if (v < from || v > to) return NULL;
    *val = v;
    return rp;
}

static const char *match_name(const char *rp, const char *const *names, int count, int *idx) {
    for (int i = 0; i < count; i++) {
        size_t full = strlen(names[i]);
        for (int pass = 0; pass < 2; pass++) {
            size_t k = pass == 0 ? full : 3;
            size_t j = 0;
            while (j < k && rp[j] && lcase((unsigned char)rp[j]) == lcase((unsigned char)names[i][j])) j++;
            if (j == k) {
                *idx = i;
                return rp + k;
            }
        }
    }
    return NULL;
}

static const char *vs_strptime(const char *rp, const char *fmt, ptstate *s, int depth);

/* A conversion made of others (%F, %T, %c ...): as glibc, on a copy of
 * the fields and state, kept only when all of it matched. */
static const char *recurse(const char *rp, const char *fmt, ptstate *s, int depth) {
    ptstate inner = *s;
    rp = vs_strptime(rp, fmt, &inner, depth + 1);
    if (rp) *s = inner;
    return rp;
}

static const char *vs_strptime(const char *rp, const char *fmt, ptstate *s, int depth) {
    int val;
    if (depth > 4) return NULL;
    while (*fmt) {
        if (sp((unsigned char)*fmt)) {
            while (sp((unsigned char)*rp)) rp++;
            fmt++;
            continue;
        }
        if (*fmt != '%') {
            if (*fmt++ != *rp++) return NULL;
            continue;
        }
        fmt++;
        while (*fmt == '-' || *fmt == '_' || *fmt == '0' || *fmt == '^' || *fmt == '#') fmt++;
        while (*fmt >= '0' && *fmt <= '9') fmt++;
        while (*fmt == 'E' || *fmt == 'O') fmt++;
        switch (*fmt++) {
        case '%':
            if (*rp++ != '%') return NULL;
            break;
        case 'a':
        case 'A':
            if (!(rp = match_name(rp, kDays, 7, &val))) return NULL;
            s->tm.wday = val;
            s->have_wday = 1;
            break;
        case 'b':
        case 'B':
        case 'h':
            if (!(rp = match_name(rp, kMonths, 12, &val))) return NULL;
            s->tm.mon = val;
            s->have_mon = 1;
            s->want_xday = 1;
            break;
        case 'c':
            if (!(rp = recurse(rp, "%a %b %e %H:%M:%S %Y", s, depth))) return NULL;
            s->want_xday = 1;
            break;
        case 'C':
            if (!(rp = getnum(rp, 0, 99, 2, &val))) return NULL;
            s->century = val;
            s->want_xday = 1;
            break;
        case 'd':
        case 'e':
            if (!(rp = getnum(rp, 1, 31, 2, &val))) return NULL;
            s->tm.mday = val;
            s->have_mday = 1;
            s->want_xday = 1;
            break;
        case 'F':
            if (!(rp = recurse(rp, "%Y-%m-%d", s, depth))) return NULL;
            s->want_xday = 1;
            break;
        case 'x':
        case 'D':
            if (!(rp = recurse(rp, "%m/%d/%y", s, depth))) return NULL;
            s->want_xday = 1;
            break;
        case 'k':
        case 'H':
            if (!(rp = getnum(rp, 0, 23, 2, &val))) return NULL;
            s->tm.hour = val;
            s->have_I = 0;
            break;
        case 'l':
        case 'I':
            if (!(rp = getnum(rp, 1, 12, 2, &val))) return NULL;
            s->tm.hour = val % 12;
            s->have_I = 1;
            break;
        case 'j':
            if (!(rp = getnum(rp, 1, 366, 3, &val))) return NULL;
            s->tm.yday = val - 1;
            s->have_yday = 1;
            break;
        case 'm':
            if (!(rp = getnum(rp, 1, 12, 2, &val))) return NULL;
            s->tm.mon = val - 1;
            s->have_mon = 1;
            s->want_xday = 1;
            break;
        case 'M':
            if (!(rp = getnum(rp, 0, 59, 2, &val))) return NULL;
            s->tm.min = val;
            break;
        case 'n':
        case 't':
            while (sp((unsigned char)*rp)) rp++;
            break;
        case 'p':
        case 'P':
            if (lcase((unsigned char)rp[0]) == 'a' && lcase((unsigned char)rp[1]) == 'm') s->is_pm = 0;
            else if (lcase((unsigned char)rp[0]) == 'p' && lcase((unsigned char)rp[1]) == 'm') s->is_pm = 1;
            else return NULL;
            rp += 2;
            break;
        case 'r':
            if (!(rp = recurse(rp, "%I:%M:%S %p", s, depth))) return NULL;
            break;
        case 'R':
            if (!(rp = recurse(rp, "%H:%M", s, depth))) return NULL;
            break;
        case 's': {
            /* seconds since the epoch, read as localtime (UTC here) */
            int neg = 0;
            int64_t secs = 0;
            if (*rp == '-') {
                neg = 1;
                rp++;
            }
            if (*rp < '0' || *rp > '9') return NULL;
            while (*rp >= '0' && *rp <= '9') {
                if (secs > (INT64_MAX - 9) / 10) return NULL;
                secs = secs * 10 + (*rp++ - '0');
            }
            if (neg) secs = -secs;
            if (!vs_expr_gmtime(secs, &s->tm)) return NULL;
            break;
        }
        case 'S':
            if (!(rp = getnum(rp, 0, 61, 2, &val))) return NULL;
            s->tm.sec = val;
            break;
        case 'X':
        case 'T':
            if (!(rp = recurse(rp, "%H:%M:%S", s, depth))) return NULL;
            break;
        case 'u':
            if (!(rp = getnum(rp, 1, 7, 1, &val))) return NULL;
            s->tm.wday = val % 7;
            s->have_wday = 1;
            break;
        case 'g':
            if (!(rp = getnum(rp, 0, 99, 2, &val))) return NULL;
            break;
        case 'G':
            if (*rp < '0' || *rp > '9') return NULL;
            while (*rp >= '0' && *rp <= '9') rp++;
            break;
        case 'U':
        case 'W':
            if (!(rp = getnum(rp, 0, 53, 2, &val))) return NULL;
            s->week_no = val;
            s->have_uweek = fmt[-1] == 'U';
            s->have_wweek = fmt[-1] == 'W';
            break;
        case 'V':
            if (!(rp = getnum(rp, 0, 53, 2, &val))) return NULL;
            break;
        case 'w':
            if (!(rp = getnum(rp, 0, 6, 1, &val))) return NULL;
            s->tm.wday = val;
            s->have_wday = 1;
            break;
        case 'y':
            if (!(rp = getnum(rp, 0, 99, 2, &val))) return NULL;
            s->tm.year = val >= 69 ? val : val + 100;
            s->want_century = 1;
            s->want_xday = 1;
            break;
        case 'Y':
            if (!(rp = getnum(rp, 0, 9999, 4, &val))) return NULL;
            s->tm.year = val - 1900;
            s->want_century = 0;
            s->want_xday = 1;
            break;
        case 'Z': break; /* glibc reads nothing */
        case 'z': {
            while (sp((unsigned char)*rp)) rp++;
            if (*rp == 'Z') {
                rp++;
                break;
            }
            if (*rp != '+' && *rp != '-') return NULL;
            rp++;
            int nd = 0;
            while (nd < 4 && rp[0] >= '0' && rp[0] <= '9') {
                rp++;
                nd++;
                if (nd == 2 && *rp == ':' && rp[1] >= '0' && rp[1] <= '9') rp++;
            }
            if (nd != 2 && nd != 4) return NULL;
            break;
        }
        default: return NULL;
        }
    }
    return rp;
}

static const int kCum[2][13] = {{0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365},
                                {0, 31, 60, 91, 121, 152, 182, 213, 244, 274, 305, 335, 366}};

static vs_status fn_parsetime(vs_expr_ctx *cx, const vs_value *argv, uint32_t argc, vs_value *out) {
    char b1[VS_EXPR_NUM_MAX], b2[VS_EXPR_NUM_MAX];
    const uint8_t *ts, *f = (const uint8_t *)"%FT%TZ";
    size_t tn, fn = 6;
    /* AsString: numbers' text, an array's "" */
    static const vs_value empty = {VS_V_STR, 0, (const uint8_t *)"", 0, NULL};
    const vs_value *a = argv[0].type == VS_V_ARR ? &empty : &argv[0];
    if (!vs_expr_as_text(a, b1, &ts, &tn)) return NIL(out);
    if (argc > 1) {
        const vs_value *fv = argv[1].type == VS_V_ARR ? &empty : &argv[1];
        if (!vs_expr_as_text(fv, b2, &f, &fn)) return NIL(out);
    }
    /* terminated copies: the C functions read to the first NUL */
    char *tz = vs_arena_alloc(cx->ar, tn + 1), *fz = vs_arena_alloc(cx->ar, fn + 1);
    if (!tz || !fz) return VS_ERR_NOMEM;
    if (tn) memcpy(tz, ts, tn);
    if (fn) memcpy(fz, f, fn);
    tz[tn] = fz[fn] = '\0';
    ptstate s;
    memset(&s, 0, sizeof s);
    s.century = -1;
    if (!vs_strptime(tz, fz, &s, 0)) {
        /* 1.2.1: a mismatch is nil; before, mktime of what strptime had
         * set (its top level writes the fields as it reads them; a
         * recursive conversion such as %F only when all of it matched) */
        if (vs_compat_fixed(cx->compat, VS_COMPAT_PARSETIME_FORMAT_MISMATCH_TO_NIL)) return NIL(out);
        *out = vs_value_num(vs_expr_timegm(&s.tm));
        return VS_OK;
    }
    if (s.have_I && s.is_pm) s.tm.hour += 12;
    if (s.century != -1) s.tm.year = s.want_century ? s.tm.year % 100 + (s.century - 19) * 100 : (s.century - 19) * 100;
    if (s.want_xday && !s.have_wday && !(s.have_mon && s.have_mday) && s.have_yday) {
        /* glibc: month and day from the day of the year */
        int64_t y = (int64_t)s.tm.year + 1900;
        int t_mon = 0;
        int lp = is_leap(y);
        while (t_mon < 12 && kCum[lp][t_mon] <= s.tm.yday) t_mon++;
        if (t_mon > 0) {
            if (!s.have_mon) s.tm.mon = t_mon - 1;
            if (!s.have_mday) s.tm.mday = s.tm.yday - kCum[lp][t_mon - 1] + 1;
        }
    }
    if ((s.have_uweek || s.have_wweek) && s.have_wday) {
        /* glibc: the day from the week number and the weekday */
        int w_offset = s.have_uweek ? 0 : 1;
        int64_t y = (int64_t)s.tm.year + 1900;
        int jan1 = (int)(((days_from_civil(y, 1, 1) + 4) % 7 + 7) % 7);
        int lp = is_leap(y);
        if (!s.have_yday) s.tm.yday = (7 - (jan1 - w_offset)) % 7 + (s.week_no - 1) * 7 + (s.tm.wday - w_offset + 7) % 7;
        if (!s.have_mday || !s.have_mon) {
            int t_mon = 0;
            while (t_mon < 12 && kCum[lp][t_mon] <= s.tm.yday) t_mon++;
            if (t_mon > 0) {
                if (!s.have_mon) s.tm.mon = t_mon - 1;
                if (!s.have_mday) s.tm.mday = s.tm.yday - kCum[lp][t_mon - 1] + 1;
            }
        }
    }
    *out = vs_value_num(vs_expr_timegm(&s.tm));
    return VS_OK;
}

/* ---- the table ------------------------------------------------------------------- */

const vs_expr_func vs_expr_funcs[] = {
    {"abs", 1, 1, fn_abs},
    {"ceil", 1, 1, fn_ceil},
    {"concat", 0, VS_EXPR_MAX_ARGS, fn_concat},
    {"contains", 2, 2, fn_contains},
    {"day", 1, 1, fn_day},
    {"dayofmonth", 1, 1, fn_dayofmonth},
    {"dayofweek", 1, 1, fn_dayofweek},
    {"dayofyear", 1, 1, fn_dayofyear},
    {"exists", 1, 1, fn_exists},
    {"exp", 1, 1, fn_exp},
    {"floor", 1, 1, fn_floor},
    {"hour", 1, 1, fn_hour},
    {"log", 1, 1, fn_log},
    {"log2", 1, 1, fn_log2},
    {"lower", 1, 1, fn_lower},
    {"minute", 1, 1, fn_minute},
    {"month", 1, 1, fn_month},
    {"monthofyear", 1, 1, fn_monthofyear},
    {"parsetime", 1, 2, fn_parsetime},
    {"sqrt", 1, 1, fn_sqrt},
    {"startswith", 2, 2, fn_startswith},
    {"strlen", 1, 1, fn_strlen},
    {"substr", 3, 3, fn_substr},
    {"timefmt", 1, 2, fn_timefmt},
    {"upper", 1, 1, fn_upper},
    {"year", 1, 1, fn_year},
};
const size_t vs_expr_nfuncs = sizeof vs_expr_funcs / sizeof vs_expr_funcs[0];

int vs_expr_func_find(const uint8_t *name, size_t len) {
    for (size_t i = 0; i < vs_expr_nfuncs; i++)
        if (strlen(vs_expr_funcs[i].name) == len && memcmp(vs_expr_funcs[i].name, name, len) == 0) return (int)i;
    return -1;
}
