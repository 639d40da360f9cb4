/* text_stub_provisional.c - PROVISIONAL (textquery branch only): weak
 * stand-ins for text.h until the textidx branch's text.c is merged. */
#include "index/text.h"

__attribute__((weak)) vs_status vs_text_terms(const vs_field_index *fi, vs_text_match how, const uint8_t *w, size_t n,
                                              uint32_t dist, vs_text_term_fn fn, void *ctx, vs_err *err) {
    return VS_OK;
}
__attribute__((weak)) void vs_text_iter_init(const vs_field_index *fi, uint32_t term, vs_text_iter *it) {}
__attribute__((weak)) int vs_text_iter_next(vs_text_iter *it) { return 0; }
__attribute__((weak)) int vs_text_iter_seek(vs_text_iter *it, uint32_t target) { return 0; }
__attribute__((weak)) uint32_t vs_text_iter_positions(const vs_text_iter *it, uint32_t *out, uint32_t cap) { return 0; }
__attribute__((weak)) uint32_t vs_text_doc_len(const vs_field_index *fi, uint32_t id) { return 0; }
__attribute__((weak)) void vs_text_stats_get(const vs_field_index *fi, vs_text_stats *s) {}
