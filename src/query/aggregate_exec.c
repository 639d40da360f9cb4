/* aggregate_exec.c - FT.AGGREGATE's execute and render stages
 * (aggregate.h).
 *
 * The documents come from FT.SEARCH's execute stage (every match, in its
 * order: nearest first for KNN, best score first for text, key order
 * otherwise).  Each becomes a record (LOADed fields read from the hash,
 * NUMERIC ones as numbers, `__key` and the KNN distance), which is pushed
 * through the stages: APPLY sets a slot, FILTER drops records whose
 * expression is false, LIMIT passes a slice, GROUPBY folds records into
 * its groups and SORTBY into its heap, each emitting its records to the
 * next stage once its input ends.  The last stage's records are packed
 * into the result.
 *
 * Order: GROUPBY emits groups in the order their first record arrived;
 * SORTBY orders by its keys, a nil key after every value whatever the
 * direction, unordered pairs as ties, ties in arrival order (so it is a
 * stable sort, cut at MAX).  Temporaries of one record live in a scratch
 * arena reset before the next.
 */
#include <string.h>

#include "base/alloc.h"
#include "base/util.h"
#include "query/aggregate.h"

/* A group of a GROUPBY. */
typedef struct group {
    void *keys;          /* packed group values */
    vs_red_state *st;    /* nred states */
    uint32_t hash;
} group;

/* A record kept by SORTBY: packed [slots | sort keys] and extras. */
typedef struct kept {
    void *blk;
    uint64_t seq;
} kept;

typedef struct stage_run {
    uint64_t seen;       /* LIMIT: records arrived */
    int full;            /* LIMIT: passed its last record */
    group *g;            /* GROUPBY */
    uint32_t ng, capg;
    uint32_t *tab;       /* GROUPBY: open addressing, group index + 1 */
    uint32_t tabcap;
    kept *h;             /* SORTBY: heap whose root is the worst kept */
    size_t nh, caph;
    uint64_t seq;
} stage_run;

typedef struct run {
    const vs_agg_plan *p;
    stage_run *sr;
    int *stop_at;        /* per stage: the LIMIT whose end stops its input (-1: none) */
    vs_arena scratch;
    vs_value *tmp;       /* nslots + sort keys: a record being built */
    vs_value *tmp2;
    uint32_t ntmp;
    vs_agg_rows *out;
    uint64_t rng;
} run;

static void scratch_reset(vs_arena *a) {
    if (!a->head) return;
    vs_arena_block *keep = a->head;
    while (keep->next) { /* free every block but the newest */
        vs_arena_block *n = keep->next->next;
        vs_free(keep->next);
        keep->next = n;
    }
    keep->used = 0;
}

static vs_status push(run *r, uint32_t i, vs_agg_rec *rec);
static vs_status finish(run *r, uint32_t i);

/* ---- SORTBY ----------------------------------------------------------------- */

/* < 0 when record a (keys ka) comes before b. */
static int sort_cmp(const vs_agg_stage *s, const vs_value *ka, uint64_t sa, const vs_value *kb, uint64_t sb) {
    for (uint32_t k = 0; k < s->nkeys; k++) {
        const vs_value *a = &ka[k], *b = &kb[k];
        if (a->type == VS_V_NIL || b->type == VS_V_NIL) {
            if (a->type == b->type) continue;
            return a->type == VS_V_NIL ? 1 : -1;
        }
        int c = vs_value_cmp(a, b);
        if (c == 2 || c == 0) continue;
        return s->keys[k].desc ? -c : c;
    }
    return (sa > sb) - (sa < sb);
}

static const vs_value *kept_keys(const run *r, const kept *k) {
    vs_agg_rec v;
    vs_agg_unpack(k->blk, 0, &v);
    return v.v + r->p->nslots;
}

static int kept_cmp(const run *r, const vs_agg_stage *s, const kept *a, const kept *b) {
    return sort_cmp(s, kept_keys(r, a), a->seq, kept_keys(r, b), b->seq);
}

/* Max-heap by sort order: the root comes last among the kept. */
static void sift_down(const run *r, const vs_agg_stage *s, kept *h, size_t n, size_t i) {
    kept v = h[i];
    for (;;) {
        size_t l = 2 * i + 1, w = i;
        const kept *wv = &v;
        if (l < n && kept_cmp(r, s, &h[l], wv) > 0) w = l, wv = &h[l];
        if (l + 1 < n && kept_cmp(r, s, &h[l + 1], wv) > 0) w = l + 1;
        if (w == i) break;
        h[i] = h[w];
        i = w;
    }
    h[i] = v;
}

static vs_status sortby_push(run *r, uint32_t i, vs_agg_rec *rec) {
    const vs_agg_stage *s = &r->p->stage[i];
    stage_run *sr = &r->sr[i];
    const uint32_t ns = r->p->nslots;
    uint64_t seq = sr->seq++;
    if (s->max == 0) return VS_OK;
    vs_value *all = r->tmp2;
    memcpy(all, rec->v, ns * sizeof *all);
    for (uint32_t k = 0; k < s->nkeys; k++) {
        vs_status st = vs_expr_eval_compat(s->keys[k].e, rec->v, &r->scratch, r->p->compat, &all[ns + k]);
        if (st != VS_OK) return st;
    }
    if (sr->nh == s->max) { /* full: only a record before the root enters */
        if (sort_cmp(s, all + ns, seq, kept_keys(r, &sr->h[0]), sr->h[0].seq) >= 0) return VS_OK;
        void *blk = vs_agg_pack(all, ns + s->nkeys, rec->x, rec->nx);
        if (!blk) return VS_ERR_NOMEM;
        vs_free(sr->h[0].blk);
        sr->h[0] = (kept){blk, seq};
        sift_down(r, s, sr->h, sr->nh, 0);
        return VS_OK;
    }
    if (sr->nh == sr->caph) {
        size_t ncap = sr->caph ? sr->caph * 2 : 16;
        if (ncap > s->max) ncap = (size_t)s->max;
        kept *h = vs_realloc(sr->h, ncap * sizeof *h);
        if (!h) return VS_ERR_NOMEM;
        sr->h = h;
        sr->caph = ncap;
    }
    void *blk = vs_agg_pack(all, ns + s->nkeys, rec->x, rec->nx);
    if (!blk) return VS_ERR_NOMEM;
    size_t at = sr->nh++;
    kept v = {blk, seq};
    while (at > 0 && kept_cmp(r, s, &sr->h[(at - 1) / 2], &v) < 0) {
        sr->h[at] = sr->h[(at - 1) / 2];
        at = (at - 1) / 2;
    }
    sr->h[at] = v;
    return VS_OK;
}

static int downstream_full(const run *r, uint32_t i) {
    int l = i < r->p->nstages ? r->stop_at[i] : -1;
    return l >= 0 && r->sr[l].full;
}

static vs_status sortby_finish(run *r, uint32_t i) {
    const vs_agg_stage *s = &r->p->stage[i];
    stage_run *sr = &r->sr[i];
    for (size_t m = sr->nh; m > 1; m--) { /* the root (last in order) to the back */
        kept last = sr->h[0];
        sr->h[0] = sr->h[m - 1];
        sift_down(r, s, sr->h, m - 1, 0);
        sr->h[m - 1] = last;
    }
    vs_status st = VS_OK;
    for (size_t k = 0; st == VS_OK && k < sr->nh && !downstream_full(r, i + 1); k++) {
        scratch_reset(&r->scratch);
        vs_agg_rec rec;
        vs_agg_unpack(sr->h[k].blk, 0, &rec);
        rec.seq = k;
        st = push(r, i + 1, &rec);
        vs_free(sr->h[k].blk);
        sr->h[k].blk = NULL;
    }
    return st;
}

/* ---- GROUPBY ---------------------------------------------------------------- */

static vs_status group_tab_grow(stage_run *sr) {
    uint32_t ncap = sr->tabcap ? sr->tabcap * 2 : 64;
    uint32_t *tab = vs_calloc(ncap, sizeof *tab);
    if (!tab) return VS_ERR_NOMEM;
    for (uint32_t i = 0; i < sr->ng; i++) {
        uint32_t at = sr->g[i].hash & (ncap - 1);
        while (tab[at]) at = (at + 1) & (ncap - 1);
        tab[at] = i + 1;
    }
    vs_free(sr->tab);
    sr->tab = tab;
    sr->tabcap = ncap;
    return VS_OK;
}

static vs_status groupby_push(run *r, uint32_t i, vs_agg_rec *rec) {
    const vs_agg_stage *s = &r->p->stage[i];
    stage_run *sr = &r->sr[i];
    vs_value *key = r->tmp2;
    uint32_t h = 0;
    for (uint32_t g = 0; g < s->ngroups; g++) {
        key[g] = rec->v[s->groups[g]];
        h = vs_agg_value_hash(&key[g], h);
    }
    if ((sr->ng + 1) * 2 > sr->tabcap) {
        vs_status st = group_tab_grow(sr);
        if (st != VS_OK) return st;
    }
    uint32_t mask = sr->tabcap - 1, at = h & mask;
    group *gr = NULL;
    for (; sr->tab[at]; at = (at + 1) & mask) {
        group *c = &sr->g[sr->tab[at] - 1];
        if (c->hash != h) continue;
        vs_agg_rec kv;
        vs_agg_unpack(c->keys, 0, &kv);
        uint32_t g = 0;
        while (g < s->ngroups && vs_agg_value_eq(&kv.v[g], &key[g])) g++;
        if (g == s->ngroups) {
            gr = c;
            break;
        }
    }
    if (!gr) {
        if (sr->ng == sr->capg) {
            uint32_t ncap = sr->capg ? sr->capg * 2 : 16;
            group *ng = vs_realloc(sr->g, ncap * sizeof *ng);
            if (!ng) return VS_ERR_NOMEM;
            sr->g = ng;
            sr->capg = ncap;
        }
        void *kb = vs_agg_pack(key, s->ngroups, NULL, 0);
        vs_red_state *rs = s->nred ? vs_calloc(s->nred, sizeof *rs) : NULL;
        if (!kb || (s->nred && !rs)) {
            vs_free(kb);
            vs_free(rs);
            return VS_ERR_NOMEM;
        }
        gr = &sr->g[sr->ng];
        *gr = (group){kb, rs, h};
        sr->tab[at] = ++sr->ng;
    }
    for (uint32_t k = 0; k < s->nred; k++) {
        const vs_agg_reducer *red = &s->red[k];
        vs_value a = vs_value_nil(), b = vs_value_nil();
        vs_status st = VS_OK;
        if (red->arg) st = vs_expr_eval_compat(red->arg, rec->v, &r->scratch, r->p->compat, &a);
        if (st == VS_OK && red->by) st = vs_expr_eval_compat(red->by, rec->v, &r->scratch, r->p->compat, &b);
        if (st == VS_OK) st = vs_reduce_add(red, &gr->st[k], &a, &b, &r->rng);
        if (st != VS_OK) return st;
    }
    return VS_OK;
}

static void group_free(const vs_agg_stage *s, group *g) {
    for (uint32_t k = 0; g->st && k < s->nred; k++) vs_reduce_free(&g->st[k]);
    vs_free(g->st);
    vs_free(g->keys);
    g->st = NULL;
    g->keys = NULL;
}

static vs_status groupby_finish(run *r, uint32_t i) {
    const vs_agg_stage *s = &r->p->stage[i];
    stage_run *sr = &r->sr[i];
    const uint32_t ns = r->p->nslots;
    vs_status st = VS_OK;
    for (uint32_t k = 0; st == VS_OK && k < sr->ng && !downstream_full(r, i + 1); k++) {
        scratch_reset(&r->scratch);
        group *g = &sr->g[k];
        vs_value *v = r->tmp;
        for (uint32_t j = 0; j < ns; j++) v[j] = vs_value_nil();
        vs_agg_rec kv;
        vs_agg_unpack(g->keys, 0, &kv);
        for (uint32_t j = 0; j < s->ngroups; j++) v[s->groups[j]] = kv.v[j];
        for (uint32_t j = 0; st == VS_OK && j < s->nred; j++)
            st = vs_reduce_result(&s->red[j], &g->st[j], &r->scratch, &v[s->red[j].out]);
        vs_agg_rec rec = {v, NULL, 0, k};
        if (st == VS_OK) st = push(r, i + 1, &rec);
        group_free(s, g);
    }
    return st;
}

/* ---- the stages ------------------------------------------------------------- */

static vs_status sink(run *r, vs_agg_rec *rec) {
    vs_agg_rows *o = r->out;
    if (o->n == o->cap) {
        size_t ncap = o->cap ? o->cap * 2 : 16;
        void **nr = vs_realloc(o->rec, ncap * sizeof *nr);
        if (!nr) return VS_ERR_NOMEM;
        o->rec = nr;
        o->cap = ncap;
    }
    void *blk = vs_agg_pack(rec->v, r->p->nslots, rec->x, rec->nx);
    if (!blk) return VS_ERR_NOMEM;
    o->rec[o->n++] = blk;
    return VS_OK;
}

static vs_status push(run *r, uint32_t i, vs_agg_rec *rec) {
    const vs_agg_plan *p = r->p;
    for (; i < p->nstages; i++) {
        const vs_agg_stage *s = &p->stage[i];
        stage_run *sr = &r->sr[i];
        vs_value v;
        vs_status st;
        switch (s->kind) {
        case VS_AGG_APPLY:
            if ((st = vs_expr_eval_compat(s->expr, rec->v, &r->scratch, r->p->compat, &v)) != VS_OK) return st;
            rec->v[s->slot] = v;
            break;
        case VS_AGG_FILTER:
            if ((st = vs_expr_eval_compat(s->expr, rec->v, &r->scratch, r->p->compat, &v)) != VS_OK) return st;
            if (!vs_value_true_compat(&v, r->p->compat)) return VS_OK;
            break;
        case VS_AGG_LIMIT: {
            uint64_t n = sr->seen++;
            uint64_t end = s->offset + s->num < s->offset ? UINT64_MAX : s->offset + s->num;
            if (n + 1 >= end) sr->full = 1;
            if (n < s->offset || n >= end) return VS_OK;
            break;
        }
        case VS_AGG_GROUPBY:
            return groupby_push(r, i, rec);
        case VS_AGG_SORTBY:
            return sortby_push(r, i, rec);
        default:
            break;
        }
    }
    return sink(r, rec);
}

static vs_status finish(run *r, uint32_t i) {
    const vs_agg_plan *p = r->p;
    for (; i < p->nstages; i++) {
        vs_status st = VS_OK;
        if (p->stage[i].kind == VS_AGG_GROUPBY)
            st = groupby_finish(r, i);
        else if (p->stage[i].kind == VS_AGG_SORTBY)
            st = sortby_finish(r, i);
        else
            continue;
        if (st != VS_OK) return st;
        return finish(r, i + 1);
    }
    return VS_OK;
}

/* ---- the documents ---------------------------------------------------------- */

static vs_status set_field(const vs_agg_plan *p, int s, const vs_hfield *hv, vs_value *out) {
    const uint8_t *val = vs_hfield_value(hv);
    if (p->slot[s].numeric) {
        double d;
        *out = vs_parse_double(val, hv->vlen, &d) ? vs_value_num(d) : vs_value_nil();
    } else {
        *out = vs_value_str(val, hv->vlen);
    }
    return VS_OK;
}

/* The slot a hash field LOAD * brings fills: by alias, then identifier. */
static int slot_of_field(const vs_agg_plan *p, const uint8_t *name, size_t n) {
    for (uint32_t s = 0; s < p->nslots; s++)
        if (p->slot[s].alias.n == n && memcmp(p->slot[s].alias.p, name, n) == 0) return (int)s;
    for (uint32_t s = 0; s < p->nslots; s++)
        if (p->slot[s].name.n == n && memcmp(p->slot[s].name.p, name, n) == 0) return (int)s;
    return -1;
}

static vs_status source(run *r, const vs_search_rows *rows) {
    const vs_agg_plan *p = r->p;
    const vs_ftindex *x = p->sp.x;
    const int knn = p->sp.q.knn.present;
    vs_agg_extra *xs = NULL;
    uint32_t capx = 0;
    vs_status st = VS_OK;
    for (size_t i = 0; st == VS_OK && i < rows->n && !downstream_full(r, p->first); i++) {
        scratch_reset(&r->scratch);
        const vs_kentry *e = vs_ks_by_id(x->ks, rows->row[i].id);
        if (!e) continue;
        const vs_hash *h = e->type == VS_TYPE_HASH ? e->v.hash : NULL;
        vs_value *v = r->tmp;
        for (uint32_t s = 0; s < p->nslots; s++) v[s] = vs_value_nil();
        uint32_t nx = 0;
        if (p->load_key) v[VS_AGG_SLOT_KEY] = vs_value_str(e->key, e->klen);
        if (knn) v[VS_AGG_SLOT_SCORE] = vs_value_num((double)rows->row[i].dist);
        if (h && p->load_all) {
            if (h->n > capx) {
                vs_agg_extra *nx2 = vs_realloc(xs, h->n * sizeof *nx2);
                if (!nx2) {
                    st = VS_ERR_NOMEM;
                    break;
                }
                xs = nx2;
                capx = h->n;
            }
            for (uint32_t f = 0; f < h->n; f++) {
                const vs_hfield *hv = h->f[f];
                int s = slot_of_field(p, vs_hfield_name(hv), hv->flen);
                if (s >= 0) {
                    set_field(p, s, hv, &v[s]);
                } else {
                    xs[nx].name = vs_hfield_name(hv);
                    xs[nx].nlen = hv->flen;
                    xs[nx].v = vs_value_str(vs_hfield_value(hv), hv->vlen);
                    nx++;
                }
            }
        } else if (h) {
            for (uint32_t s = 2; s < p->nslots; s++) {
                if (!p->slot[s].loaded) continue;
                const vs_hfield *hv = vs_hash_get(h, p->slot[s].name.p, p->slot[s].name.n);
                if (hv) set_field(p, (int)s, hv, &v[s]);
            }
        }
        vs_agg_rec rec = {v, xs, nx, i};
        st = push(r, p->first, &rec);
    }
    vs_free(xs);
    return st;
}

vs_status vs_agg_exec(const vs_agg_plan *p, vs_agg_rows *out) {
    memset(out, 0, sizeof *out);
    run r;
    memset(&r, 0, sizeof r);
    r.p = p;
    r.out = out;
    r.rng = 0x853c49e6748fea9bull;
    uint32_t extra = 0;
    for (uint32_t i = 0; i < p->nstages; i++) {
        if (p->stage[i].kind == VS_AGG_SORTBY && p->stage[i].nkeys > extra) extra = p->stage[i].nkeys;
        if (p->stage[i].kind == VS_AGG_GROUPBY && p->stage[i].ngroups > extra) extra = p->stage[i].ngroups;
    }
    size_t nst = p->nstages ? p->nstages : 1;
    r.sr = vs_calloc(nst, sizeof *r.sr);
    r.stop_at = vs_malloc((nst + 1) * sizeof *r.stop_at);
    r.tmp = vs_malloc(((size_t)p->nslots + 1) * sizeof *r.tmp);
    r.tmp2 = vs_malloc(((size_t)p->nslots + extra + 1) * sizeof *r.tmp2);
    vs_search_rows rows;
    memset(&rows, 0, sizeof rows);
    vs_status st = r.sr && r.stop_at && r.tmp && r.tmp2 ? VS_OK : VS_ERR_NOMEM;
    /* stop_at[i]: the first LIMIT at or after stage i with only APPLY and
     * FILTER between: once it has passed its rows, stage i's input can end. */
    for (uint32_t i = p->nstages; st == VS_OK && i-- > 0;) {
        int k = p->stage[i].kind;
        r.stop_at[i] = k == VS_AGG_LIMIT ? (int)i : (k == VS_AGG_APPLY || k == VS_AGG_FILTER) && i + 1 < p->nstages
                                                        ? r.stop_at[i + 1]
                                                        : -1;
    }
    if (st == VS_OK) st = vs_search_exec(&p->sp, &rows);
    if (st == VS_OK) st = source(&r, &rows);
    if (st == VS_OK) st = finish(&r, p->first);
    vs_search_rows_free(&rows);
    for (uint32_t i = 0; r.sr && i < p->nstages; i++) {
        stage_run *sr = &r.sr[i];
        for (uint32_t g = 0; g < sr->ng; g++) group_free(&p->stage[i], &sr->g[g]);
        for (size_t k = 0; k < sr->nh; k++) vs_free(sr->h[k].blk);
        vs_free(sr->g);
        vs_free(sr->tab);
        vs_free(sr->h);
    }
    vs_free(r.sr);
    vs_free(r.stop_at);
    vs_free(r.tmp);
    vs_free(r.tmp2);
    vs_arena_free(&r.scratch);
    if (st != VS_OK) vs_agg_rows_free(out);
    return st;
}

void vs_agg_rows_free(vs_agg_rows *rows) {
    for (size_t i = 0; i < rows->n; i++) vs_free(rows->rec[i]);
    vs_free(rows->rec);
    memset(rows, 0, sizeof *rows);
}

/* ---- the reply -------------------------------------------------------------- */

static void reply_name(vs_reply *r, const uint8_t *p, size_t n) {
    int simple = 1;
    for (size_t i = 0; i < n && simple; i++)
        if (p[i] == '\r' || p[i] == '\n' || p[i] == 0) simple = 0;
    if (!simple) {
        vs_reply_bulk(r, p, n);
        return;
    }
    vs_reply_raw(r, "+", 1);
    vs_reply_raw(r, p, n);
    vs_reply_raw(r, "\r\n", 2);
}

static vs_status reply_value(vs_reply *r, const vs_value *v, vs_arena *ar) {
    size_t n;
    const uint8_t *t;
    switch (v->type) {
    case VS_V_NIL:
        vs_reply_null(r);
        return VS_OK;
    case VS_V_ARR:
        vs_reply_array(r, v->n);
        for (size_t i = 0; i < v->n; i++) {
            vs_status st = reply_value(r, &v->items[i], ar);
            if (st != VS_OK) return st;
        }
        return VS_OK;
    default:
        t = vs_value_text(v, ar, &n);
        if (!t) return VS_ERR_NOMEM;
        vs_reply_bulk(r, t, n);
        return VS_OK;
    }
}

/* One row's name/value pairs: an array (RESP2, valkey-search's form) or a
 * map (RESP3's extra_attributes). */
static vs_status render_row(vs_reply *r, const vs_agg_plan *p, void *packed, int map, vs_arena *ar) {
    vs_status st = VS_OK;
    vs_agg_rec rec;
    vs_agg_unpack(packed, p->nslots, &rec);
    size_t at = vs_reply_defer(r), pairs = 0;
    for (uint32_t s = 0; st == VS_OK && s < p->nslots; s++) {
        if (rec.v[s].type == VS_V_NIL) continue;
        reply_name(r, p->slot[s].name.p, p->slot[s].name.n);
        st = reply_value(r, &rec.v[s], ar);
        pairs++;
    }
    for (uint32_t k = 0; st == VS_OK && k < rec.nx; k++) {
        reply_name(r, rec.x[k].name, rec.x[k].nlen);
        st = reply_value(r, &rec.x[k].v, ar);
        pairs++;
    }
    if (map) vs_reply_defer_map(r, at, pairs);
    else vs_reply_defer_array(r, at, 2 * pairs);
    return st;
}

/* RESP2: valkey-search's array, [count, [name, value, ...], ...].  RESP3:
 * RediSearch's map (valkey-search sends the array there too, which
 * node-redis 6, speaking RESP3, reads as no results), as FT.INFO does:
 * attributes, format, results (each {extra_attributes, values}),
 * total_results, warning. */
vs_status vs_agg_render(vs_reply *r, const vs_agg_plan *p, const vs_agg_rows *rows) {
    vs_arena ar = {0};
    vs_status st = VS_OK;
    int resp3 = r->proto == 3;
    if (resp3) {
        vs_reply_map(r, 5);
        vs_reply_simple(r, "attributes");
        vs_reply_array(r, 0);
        vs_reply_simple(r, "format");
        vs_reply_simple(r, "STRING");
        vs_reply_simple(r, "results");
        vs_reply_array(r, rows->n);
    } else {
        vs_reply_array(r, 1 + rows->n);
        vs_reply_int(r, (long long)rows->n);
    }
    for (size_t i = 0; st == VS_OK && i < rows->n; i++) {
        if (resp3) {
            vs_reply_map(r, 2);
            vs_reply_simple(r, "extra_attributes");
        }
        st = render_row(r, p, rows->rec[i], resp3, &ar);
        if (resp3) {
            vs_reply_simple(r, "values");
            vs_reply_array(r, 0);
        }
        scratch_reset(&ar);
    }
    if (resp3) {
        vs_reply_simple(r, "total_results");
        vs_reply_int(r, (long long)rows->n);
        vs_reply_simple(r, "warning");
        vs_reply_array(r, 0);
    }
    vs_arena_free(&ar);
    if (st == VS_OK && r->failed) st = VS_ERR_NOMEM;
    return st;
}
