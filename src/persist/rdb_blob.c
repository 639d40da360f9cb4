/* rdb_blob.c - ziplist, listpack and zipmap walks (see rdb_blob.h).
 *
 * Positions are computed in 64 bits, so a length near 4 GiB cannot wrap
 * on wasm32 where size_t is 32 bits; every position is compared with the
 * blob's last byte (its end marker) before the byte is read. */
#include "persist/rdb_blob.h"

#include <stdio.h>

#include "base/le.h"

static vs_status damaged(const char **why, const char *what) {
    *why = what;
    return VS_ERR_CORRUPT;
}

/* An integer entry: its decimal text. */
static vs_status give_int(vs_rdb_entry_fn fn, void *ctx, int64_t v) {
    char buf[24];
    int len = snprintf(buf, sizeof buf, "%lld", (long long)v);
    return fn(ctx, (const uint8_t *)buf, (size_t)len);
}

static int64_t sign_extend(uint64_t v, unsigned bits) {
    uint64_t m = 1ull << (bits - 1);
    v &= bits == 64 ? ~0ull : (1ull << bits) - 1;
    return (int64_t)((v ^ m) - m);
}

static uint64_t le_n(const uint8_t *p, unsigned n) {
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++) v |= (uint64_t)p[i] << (8 * i);
    return v;
}

/* ---- ziplist ------------------------------------------------------------------
 * <zlbytes u32> <zltail u32> <zllen u16> entries... 0xFF; an entry is
 * <prevlen: 1 byte < 254, or 0xFE + u32> <encoding> <data>. */

vs_status vs_rdb_ziplist_walk(const uint8_t *b, size_t n, vs_rdb_entry_fn fn, void *ctx, const char **why) {
    if (n < 11) return damaged(why, "shorter than a ziplist header");
    if (vs_le_get32(b) != n) return damaged(why, "its size field does not match its length");
    if (b[n - 1] != 0xFF) return damaged(why, "no end marker");
    uint64_t last = n - 1; /* the end marker's position */
    uint64_t tail = vs_le_get32(b + 4);
    if (tail > last) return damaged(why, "its tail offset is outside it");
    uint32_t hcount = (uint32_t)b[8] | (uint32_t)b[9] << 8;
    uint64_t p = 10, prev_size = 0, prev_pos = 0;
    uint32_t count = 0;
    while (b[p] != 0xFF) {
        uint64_t prevlen, q;
        if (b[p] < 254) {
            prevlen = b[p];
            q = p + 1;
        } else {
            if (p + 5 > last) return damaged(why, "an entry runs past its end");
            prevlen = vs_le_get32(b + p + 1);
            q = p + 5;
        }
        if (q > last) return damaged(why, "an entry runs past its end");
        uint8_t enc = b[q];
        uint64_t hdr, len = 0;
        int ibytes = -1; /* integer width, or -1 for a string */
        if (enc < 0xC0) {
            switch (enc & 0xC0) {
            case 0x00: hdr = 1; len = enc & 0x3F; break;
            case 0x40: hdr = 2; break;
            default: hdr = 5; break;
            }
            if (q + hdr > last) return damaged(why, "an entry runs past its end");
            if (hdr == 2) len = (uint64_t)(enc & 0x3F) << 8 | b[q + 1];
            if (hdr == 5)
                len = (uint64_t)b[q + 1] << 24 | (uint64_t)b[q + 2] << 16 | (uint64_t)b[q + 3] << 8 | b[q + 4];
        } else {
            hdr = 1;
            switch (enc) {
            case 0xC0: ibytes = 2; break;
            case 0xD0: ibytes = 4; break;
            case 0xE0: ibytes = 8; break;
            case 0xF0: ibytes = 3; break;
            case 0xFE: ibytes = 1; break;
            default:
                if (enc >= 0xF1 && enc <= 0xFD)
                    ibytes = 0;
                else
                    return damaged(why, "an entry has an unknown encoding");
            }
            len = (uint64_t)ibytes;
        }
        uint64_t end = q + hdr + len;
        if (end > last) return damaged(why, "an entry runs past its end");
        if (prevlen != prev_size) return damaged(why, "an entry's previous length is wrong");
        vs_status st;
        const uint8_t *d = b + q + hdr;
        if (ibytes < 0)
            st = fn(ctx, d, (size_t)len);
        else if (ibytes == 0)
            st = give_int(fn, ctx, (int64_t)(enc & 0x0F) - 1);
        else
            st = give_int(fn, ctx, sign_extend(le_n(d, (unsigned)ibytes), (unsigned)ibytes * 8));
        if (st != VS_OK) return st;
        prev_size = end - p;
        prev_pos = p;
        p = end;
        count++;
    }
    if (p != last) return damaged(why, "an end marker inside it");
    if (count > 0 && prev_pos != tail) return damaged(why, "its tail offset is not its last entry");
    if (hcount != 0xFFFF && hcount != count) return damaged(why, "its entry count is wrong");
    return VS_OK;
}

/* ---- listpack -----------------------------------------------------------------
 * <total bytes u32> <count u16> entries... 0xFF; an entry is <encoding +
 * data> <backlen: the encoding + data size, 7 bits a byte, read from its
 * last byte backwards>. */

static unsigned backlen_size(uint64_t l) {
    return l <= 127 ? 1 : l < 16383 ? 2 : l < 2097151 ? 3 : l < 268435455 ? 4 : 5;
}

vs_status vs_rdb_listpack_walk(const uint8_t *b, size_t n, vs_rdb_entry_fn fn, void *ctx, const char **why) {
    if (n < 7) return damaged(why, "shorter than a listpack header");
    if (vs_le_get32(b) != n) return damaged(why, "its size field does not match its length");
    if (b[n - 1] != 0xFF) return damaged(why, "no end marker");
    uint64_t last = n - 1;
    uint32_t hcount = (uint32_t)b[4] | (uint32_t)b[5] << 8;
    uint64_t p = 6;
    uint32_t count = 0;
    while (b[p] != 0xFF) {
        uint8_t e = b[p];
        uint64_t hdr, size; /* encoding bytes; encoding + data */
        int ibits = 0;      /* integer width in bits, 0 for a string */
        uint64_t slen = 0;
        if ((e & 0x80) == 0) {
            hdr = 1, size = 1, ibits = 7;
        } else if ((e & 0xC0) == 0x80) {
            hdr = 1, slen = e & 0x3F, size = 1 + slen;
        } else if ((e & 0xE0) == 0xC0) {
            hdr = 1, size = 2, ibits = 13;
        } else if ((e & 0xF0) == 0xE0) {
            hdr = 2, size = 0; /* length below */
        } else if (e == 0xF1) {
            hdr = 1, size = 3, ibits = 16;
        } else if (e == 0xF2) {
            hdr = 1, size = 4, ibits = 24;
        } else if (e == 0xF3) {
            hdr = 1, size = 5, ibits = 32;
        } else if (e == 0xF4) {
            hdr = 1, size = 9, ibits = 64;
        } else if (e == 0xF0) {
            hdr = 5, size = 0;
        } else {
            return damaged(why, "an entry has an unknown encoding");
        }
        if (p + hdr > last) return damaged(why, "an entry runs past its end");
        if (hdr == 2) slen = (uint64_t)(e & 0x0F) << 8 | b[p + 1], size = 2 + slen;
        if (hdr == 5) slen = vs_le_get32(b + p + 1), size = 5 + slen;
        uint64_t total = size + backlen_size(size);
        if (p + total > last) return damaged(why, "an entry runs past its end");
        /* The back length, read as Redis reads it: from the entry's last
         * byte backwards, at most five bytes. */
        uint64_t bl = 0, at = p + total - 1;
        for (unsigned shift = 0;; shift += 7) {
            if (shift > 28) return damaged(why, "an entry's back length is wrong");
            bl |= (uint64_t)(b[at] & 127) << shift;
            if (!(b[at] & 128)) break;
            if (at == 0) return damaged(why, "an entry's back length is wrong");
            at--;
        }
        if (bl != size) return damaged(why, "an entry's back length is wrong");
        vs_status st;
        if (ibits == 0) {
            st = fn(ctx, b + p + hdr, (size_t)slen);
        } else if (ibits == 7) {
            st = give_int(fn, ctx, e & 0x7F);
        } else if (ibits == 13) {
            st = give_int(fn, ctx, sign_extend((uint64_t)(e & 0x1F) << 8 | b[p + 1], 13));
        } else {
            st = give_int(fn, ctx, sign_extend(le_n(b + p + 1, (unsigned)ibits / 8), (unsigned)ibits));
        }
        if (st != VS_OK) return st;
        p += total;
        count++;
    }
    if (p != last) return damaged(why, "an end marker inside it");
    if (hcount != 0xFFFF && hcount != count) return damaged(why, "its entry count is wrong");
    return VS_OK;
}

/* ---- zipmap ---------------------------------------------------------------------
 * <count: 1 byte, 254 = unknown> (<field len> field <value len> <free>
 * value <free bytes>)... 0xFF; a length is 1 byte < 254, or 254 + u32
 * (a value's length byte 255 reads as the long form too, as in Redis). */

static int zm_len(const uint8_t *b, uint64_t p, uint64_t last, uint64_t *len, uint64_t *hdr) {
    if (b[p] < 254) {
        *len = b[p];
        *hdr = 1;
        return 1;
    }
    if (p + 5 > last) return 0;
    *len = vs_le_get32(b + p + 1);
    *hdr = 5;
    return 1;
}

vs_status vs_rdb_zipmap_walk(const uint8_t *b, size_t n, vs_rdb_entry_fn fn, void *ctx, const char **why) {
    if (n < 2) return damaged(why, "shorter than a zipmap");
    if (b[n - 1] != 0xFF) return damaged(why, "no end marker");
    uint64_t last = n - 1, p = 1, len, hdr;
    uint32_t count = 0;
    while (b[p] != 0xFF) {
        if (!zm_len(b, p, last, &len, &hdr)) return damaged(why, "an entry runs past its end");
        uint64_t f = p + hdr, flen = len;
        p = f + flen;
        if (p > last) return damaged(why, "an entry runs past its end");
        if (!zm_len(b, p, last, &len, &hdr)) return damaged(why, "an entry runs past its end");
        p += hdr;
        if (p > last) return damaged(why, "an entry runs past its end");
        uint64_t free_bytes = b[p++];
        uint64_t v = p, vlen = len;
        p += vlen + free_bytes;
        if (p > last) return damaged(why, "an entry runs past its end");
        vs_status st = fn(ctx, b + f, (size_t)flen);
        if (st == VS_OK) st = fn(ctx, b + v, (size_t)vlen);
        if (st != VS_OK) return st;
        count++;
    }
    if (count == 0) return damaged(why, "an empty zipmap"); /* as Redis's integrity check */
    if (b[0] != 254 && b[0] != count) return damaged(why, "its entry count is wrong");
    return VS_OK;
}
