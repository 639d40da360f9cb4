/* lzf.c - LZF decompression, bounds-checked (see lzf.h). */
#include "base/lzf.h"

#include <string.h>

vs_status vs_lzf_decompress(const uint8_t *in, size_t in_len, uint8_t *out, size_t out_cap, size_t *out_len) {
    size_t ip = 0, op = 0;
    *out_len = 0;
    while (ip < in_len) {
        unsigned ctrl = in[ip++];
        if (ctrl < 32) {
            size_t run = (size_t)ctrl + 1;
            if (run > in_len - ip || run > out_cap - op) return VS_ERR_CORRUPT;
            if (out) memcpy(out + op, in + ip, run);
            ip += run;
            op += run;
            continue;
        }
        size_t len = ctrl >> 5;
        if (len == 7) {
            if (ip == in_len) return VS_ERR_CORRUPT;
            len += in[ip++];
        }
        if (ip == in_len) return VS_ERR_CORRUPT;
        size_t back = ((size_t)(ctrl & 0x1f) << 8) + in[ip++] + 1;
        len += 2;
        if (back > op || len > out_cap - op) return VS_ERR_CORRUPT;
        if (out) {
            /* Byte by byte: source and destination may overlap (a run). */
            const uint8_t *src = out + op - back;
            if (back >= len) {
                memcpy(out + op, src, len);
            } else {
                for (size_t i = 0; i < len; i++) out[op + i] = src[i];
            }
        }
        op += len;
    }
    *out_len = op;
    return VS_OK;
}
