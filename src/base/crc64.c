/* crc64.c - CRC-64/Jones (Redis's RDB checksum), slicing-by-8.
 *
 * Reflected form: the polynomial's bits reversed (0x95ac9329ac4bc9b5),
 * the register shifted right.  table[0] is the byte-at-a-time table;
 * table[k][b] is the CRC of byte b followed by k zero bytes, so eight
 * input bytes fold into the register with eight lookups.  The tables are
 * computed on first use (the same values every time, so a repeated
 * initialisation is harmless). */
#include "base/crc64.h"

#include "base/le.h"

#define POLY_REFLECTED 0x95ac9329ac4bc9b5ull

static uint64_t table[8][256];
static int table_ready;

static void table_init(void) {
    for (unsigned b = 0; b < 256; b++) {
        uint64_t c = b;
        for (int i = 0; i < 8; i++) c = (c >> 1) ^ ((c & 1) ? POLY_REFLECTED : 0);
        table[0][b] = c;
    }
    for (unsigned b = 0; b < 256; b++)
        for (int k = 1; k < 8; k++)
            table[k][b] = (table[k - 1][b] >> 8) ^ table[0][table[k - 1][b] & 0xff];
    table_ready = 1;
}

uint64_t vs_crc64(uint64_t crc, const void *data, size_t n) {
    const uint8_t *p = data;
    if (!table_ready) table_init();
    for (; n >= 8; p += 8, n -= 8) {
        uint64_t x = crc ^ vs_le_get64(p);
        crc = table[7][x & 0xff] ^ table[6][(x >> 8) & 0xff] ^ table[5][(x >> 16) & 0xff] ^
              table[4][(x >> 24) & 0xff] ^ table[3][(x >> 32) & 0xff] ^ table[2][(x >> 40) & 0xff] ^
              table[1][(x >> 48) & 0xff] ^ table[0][x >> 56];
    }
    for (; n; p++, n--) crc = (crc >> 8) ^ table[0][(crc ^ *p) & 0xff];
    return crc;
}
