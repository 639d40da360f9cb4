/* test_ft_alias.c - FT.ALIASADD / ALIASUPDATE / ALIASDEL: RediSearch's
 * answers and errors, aliases wherever an index name goes, FT.DROPINDEX
 * dropping an index's aliases, an index hiding an alias of its name, the
 * index script, the snapshot's alias section (round trip, damage
 * refused, older snapshots without it), journal replay, and allocation
 * failure leaving everything as it was. */
#include "../../src/base/alloc.h"
#include "../../src/base/checksum.h"
#include "vt_cmd.h"

#define E(msg) "!" msg
/* The current reply (after an ABI call) as vt_text shows it. */
#define VT_TEXT_REPLY(db, want) VT_EQ_MEM(vt_text(db), strlen(vt_text(db)), (want))

static vs_db *fixture(void) {
    vs_db *db = vs_open(NULL);
    for (int i = 0; i < 6; i++) {
        char key[16], n[16];
        snprintf(key, sizeof key, "%s:%d", i % 2 ? "b" : "a", i);
        snprintf(n, sizeof n, "%d", i);
        vt_run(db, "HSET", key, "n", n, "t", i % 3 ? "x" : "y", NULL);
    }
    vt_run(db, "FT.CREATE", "ia", "PREFIX", "1", "a:", "SCHEMA", "n", "NUMERIC", "t", "TAG", NULL);
    vt_run(db, "FT.CREATE", "ib", "PREFIX", "1", "b:", "SCHEMA", "n", "NUMERIC", NULL);
    while (vs_step(db, 1000)) {
    }
    return db;
}

static void test_commands(void) {
    vs_db *db = fixture();
    VT_TEXT(db, "OK", "FT.ALIASADD", "al", "ia");
    VT_TEXT(db, "[3,a:0,a:2,a:4]", "FT.SEARCH", "al", "*", "NOCONTENT");
    VT_TEXT(db, E("Alias already exists"), "FT.ALIASADD", "al", "ib");
    VT_TEXT(db, E("Unknown index name (or name is an alias itself)"), "FT.ALIASADD", "a2", "al");
    VT_TEXT(db, E("Unknown index name (or name is an alias itself)"), "FT.ALIASADD", "a2", "nosuch");
    VT_TEXT(db, E("Alias conflicts with an existing index name"), "FT.ALIASADD", "ib", "ia");
    VT_TEXT(db, E("ERR wrong number of arguments for 'FT.ALIASADD' command"), "FT.ALIASADD", "x");
    VT_TEXT(db, E("ERR wrong number of arguments for 'FT.ALIASDEL' command"), "FT.ALIASDEL", "x", "y");
    /* Names are case-sensitive, as index names. */
    VT_TEXT(db, E("Index with name 'AL' not found in database 0"), "FT.SEARCH", "AL", "*");
    /* FT.INFO through an alias names the index. */
    vt_run(db, "FT.INFO", "al", NULL);
    VT_CHECK(strncmp(vt_text(db), "[index_name,ia,", 15) == 0);
    /* FT._LIST: indexes only. */
    VT_TEXT(db, "[ia,ib]", "FT._LIST");
    /* ALIASUPDATE moves an alias, or adds one. */
    VT_TEXT(db, "OK", "FT.ALIASUPDATE", "al", "ib");
    VT_TEXT(db, "[3,b:1,b:3,b:5]", "FT.SEARCH", "al", "*", "NOCONTENT");
    VT_TEXT(db, "OK", "FT.ALIASUPDATE", "al", "ib");
    VT_TEXT(db, "OK", "FT.ALIASUPDATE", "new", "ia");
    VT_TEXT(db, E("Unknown index name (or name is an alias itself)"), "FT.ALIASUPDATE", "al", "nosuch");
    VT_TEXT(db, "[3,b:1,b:3,b:5]", "FT.SEARCH", "al", "*", "NOCONTENT");
    VT_TEXT(db, E("Alias does not belong to provided spec"), "FT.ALIASUPDATE", "ia", "ib");
    /* ALIASDEL */
    VT_TEXT(db, E("Alias does not exist"), "FT.ALIASDEL", "nosuch");
    VT_TEXT(db, E("Alias does not belong to provided spec"), "FT.ALIASDEL", "ia");
    VT_TEXT(db, "OK", "FT.ALIASDEL", "new");
    VT_TEXT(db, E("Index with name 'new' not found in database 0"), "FT.SEARCH", "new", "*");
    /* FT.DROPINDEX through an alias drops the index and its aliases. */
    VT_TEXT(db, "OK", "FT.ALIASADD", "a3", "ib");
    VT_TEXT(db, "OK", "FT.ALIASADD", "a4", "ia");
    VT_TEXT(db, "OK", "FT.DROPINDEX", "al");
    VT_TEXT(db, "[ia]", "FT._LIST");
    VT_TEXT(db, E("Alias does not exist"), "FT.ALIASDEL", "a3");
    VT_TEXT(db, E("Alias does not exist"), "FT.ALIASDEL", "al");
    VT_TEXT(db, "[3,a:0,a:2,a:4]", "FT.SEARCH", "a4", "*", "NOCONTENT");
    /* An index created under an alias's name hides it until dropped. */
    VT_TEXT(db, "OK", "FT.CREATE", "a4", "PREFIX", "1", "b:", "SCHEMA", "n", "NUMERIC");
    while (vs_step(db, 1000)) {
    }
    VT_TEXT(db, "[3,b:1,b:3,b:5]", "FT.SEARCH", "a4", "*", "NOCONTENT");
    VT_TEXT(db, E("Alias does not belong to provided spec"), "FT.ALIASDEL", "a4");
    VT_CHECK(vs_index_script(db) == 0);
    VT_TEXT_REPLY(db, "[[FT.CREATE,ia,PREFIX,1,a:,SCHEMA,n,NUMERIC,t,TAG],[FT.ALIASADD,a4,ia],"
                      "[FT.CREATE,a4,PREFIX,1,b:,SCHEMA,n,NUMERIC]]");
    VT_TEXT(db, "OK", "FT.DROPINDEX", "a4");
    VT_TEXT(db, "[3,a:0,a:2,a:4]", "FT.SEARCH", "a4", "*", "NOCONTENT");
    /* FT.DROP through an alias, too. */
    VT_TEXT(db, "OK", "FT.DROP", "a4", "KEEPDOCS");
    VT_TEXT(db, "[]", "FT._LIST");
    VT_TEXT(db, E("Alias does not exist"), "FT.ALIASDEL", "a4");
    vs_close(db);
}

/* The index script: FT.CREATEs, then FT.ALIASADDs. */
static void test_script(void) {
    vs_db *db = fixture();
    vt_run(db, "FT.ALIASADD", "x", "ib", NULL);
    vt_run(db, "FT.ALIASADD", "y", "ia", NULL);
    VT_EQ_INT(vs_index_script(db), 0);
    VT_TEXT_REPLY(db, "[[FT.CREATE,ia,PREFIX,1,a:,SCHEMA,n,NUMERIC,t,TAG],[FT.CREATE,ib,PREFIX,1,b:,SCHEMA,n,NUMERIC],"
                      "[FT.ALIASADD,x,ib],[FT.ALIASADD,y,ia]]");
    vs_close(db);
}

/* Allocation failure in FT.ALIASADD / ALIASUPDATE: an OOM error and no
 * alias, or the alias. */
static void test_oom(void) {
    vs_db *db = fixture();
    for (int cmd = 0; cmd < 2; cmd++) {
        const char *name = cmd ? "FT.ALIASUPDATE" : "FT.ALIASADD";
        char alias[16];
        snprintf(alias, sizeof alias, "oom%d", cmd);
        for (unsigned long n = 1; n < 20; n++) {
            vs_mem_inject(n, 1);
            int rc = vt_run(db, name, alias, "ia", NULL);
            unsigned long faults = vs_mem_faults();
            vs_mem_inject(0, 0);
            if (rc == 0) {
                VT_CHECK(faults == 0);
                break;
            }
            VT_CHECK(vs_reply_data(db)[0] == '-');
            VT_TEXT(db, E("Alias does not exist"), "FT.ALIASDEL", alias);
        }
        VT_TEXT(db, "[3,a:0,a:2,a:4]", "FT.SEARCH", alias, "*", "NOCONTENT");
    }
    vs_close(db);
}

/* ---- snapshots ------------------------------------------------------------------ */

static uint8_t *save(vs_db *db, size_t *len) {
    VT_EQ_INT(vs_save_begin(db), 0);
    size_t total = (size_t)vs_save_size(db), n = 0;
    uint8_t *buf = malloc(total + 1);
    for (;;) {
        long k = vs_save_next(db, buf + n, 7 < total + 1 - n ? 7 : total + 1 - n);
        VT_CHECK(k >= 0);
        if (k <= 0) break;
        n += (size_t)k;
    }
    vs_save_end(db);
    VT_EQ_INT(n, total);
    *len = n;
    return buf;
}

static int load(vs_db *db, const uint8_t *p, size_t n) {
    if (vs_load_begin(db, (double)n) != 0) return -1;
    int st = 0;
    for (size_t off = 0; off < n && st == 0; off += 5) st = vs_load_feed(db, p + off, n - off < 5 ? n - off : 5);
    if (st != 0) {
        vs_load_abort(db);
        return st;
    }
    return vs_load_end(db);
}

static uint32_t rd32(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }
static uint64_t rd64(const uint8_t *p) { return rd32(p) | (uint64_t)rd32(p + 4) << 32; }
static void wr32(uint8_t *p, uint32_t v) {
    for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}
static void wr64(uint8_t *p, uint64_t v) {
    for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i));
}

static size_t find_section(const uint8_t *s, size_t len, uint32_t type) {
    for (size_t off = 16; off + 12 <= len;) {
        if (rd32(s + off) == type) return off;
        if (rd32(s + off) == 0xFFFFFFFFu) return 0;
        off += 12 + (size_t)rd64(s + off + 4) + 8;
    }
    return 0;
}

/* Every checksum recomputed: a crafted file, not a damaged one. */
static void resum(uint8_t *s, size_t len) {
    size_t off = 16;
    while (off + 12 <= len && rd32(s + off) != 0xFFFFFFFFu) {
        size_t plen = (size_t)rd64(s + off + 4);
        wr64(s + off + 12 + plen, vs_xxh64(s + off + 12, plen, rd32(s + off)));
        off += 12 + plen + 8;
    }
    wr64(s + off + 12, vs_xxh64(s, off, 0));
    wr64(s + off + 20, vs_xxh64(s + off + 12, 8, 0xFFFFFFFFu));
}

/* The aliases a store answers, as text. */
static const char *aliases(vs_db *db) {
    static char out[256];
    size_t n = 0;
    const char *names[] = {"x", "y", "zz", "ia", "ib"};
    for (size_t i = 0; i < 5; i++) {
        vt_run(db, "FT.SEARCH", names[i], "*", "NOCONTENT", "LIMIT", "0", "1", NULL);
        n += (size_t)snprintf(out + n, sizeof out - n, "%s=%s;", names[i], vt_text(db));
    }
    return out;
}

static void test_snapshot(void) {
    vs_db *a = fixture();
    size_t len;
    /* Without aliases, no alias section (older snapshots look the same). */
    uint8_t *plain = save(a, &len);
    VT_CHECK(find_section(plain, len, 8) == 0);
    free(plain);
    vt_run(a, "FT.ALIASADD", "x", "ib", NULL);
    vt_run(a, "FT.ALIASADD", "y", "ia", NULL);
    vt_run(a, "FT.ALIASADD", "zz", "ib", NULL);
    vt_run(a, "FT.ALIASDEL", "y", NULL);
    vt_run(a, "FT.ALIASUPDATE", "y", "ib", NULL);
    char want[256];
    snprintf(want, sizeof want, "%s", aliases(a));
    uint8_t *snap = save(a, &len);
    size_t at = find_section(snap, len, 8);
    VT_CHECK(at > 0);

    vs_db *b = vs_open(NULL);
    VT_EQ_INT(load(b, snap, len), 0);
    VT_EQ_MEM(aliases(b), strlen(aliases(b)), want);
    VT_CHECK(vs_index_script(b) == 0);
    VT_TEXT_REPLY(b, "[[FT.CREATE,ia,PREFIX,1,a:,SCHEMA,n,NUMERIC,t,TAG],[FT.CREATE,ib,PREFIX,1,b:,SCHEMA,n,NUMERIC],"
                     "[FT.ALIASADD,x,ib],[FT.ALIASADD,zz,ib],[FT.ALIASADD,y,ib]]");

    /* Damage: each refused, the open store unchanged. */
    uint8_t *bad = malloc(len);
    const uint8_t *payload = snap + at + 12;
    size_t plen = (size_t)rd64(snap + at + 4);
    VT_EQ_INT(rd32(payload), 3);
    struct {
        size_t off;
        uint32_t v;
        const char *why;
    } cases[] = {
        {0, 1000, "Bad snapshot: section 'aliases' is damaged: impossible alias count"},
        {0, 2, "Bad snapshot: section 'aliases' is damaged: the section has bytes after its contents"},
        {0, 4, "Bad snapshot: section 'aliases' is damaged: impossible alias count"},
        {4, 2, "Bad snapshot: section 'aliases' is damaged: an alias names a missing index"},
        {8, 100, "Bad snapshot: section 'aliases' is damaged: an alias runs past the end of its section"},
        {8, 0, "Bad snapshot: section 'aliases' is damaged: an alias names a missing index"},
    };
    for (size_t c = 0; c < VS_ARRAY_LEN(cases); c++) {
        memcpy(bad, snap, len);
        wr32(bad + at + 12 + cases[c].off, cases[c].v);
        resum(bad, len);
        VT_CHECK(load(b, bad, len) != 0);
        VT_EQ_MEM(vs_error_text(b), strlen(vs_error_text(b)), cases[c].why);
        VT_EQ_MEM(aliases(b), strlen(aliases(b)), want);
    }
    /* A name twice: the first alias "x" renamed "y" (the third's name). */
    memcpy(bad, snap, len);
    uint8_t *xn = bad + at + 12 + 4 + 8;
    VT_CHECK(*xn == 'x');
    *xn = 'y';
    resum(bad, len);
    VT_CHECK(load(b, bad, len) != 0);
    VT_EQ_MEM(vs_error_text(b), strlen(vs_error_text(b)), "Bad snapshot: section 'aliases' is damaged: an alias appears twice");
    /* A flipped bit: the checksum names it. */
    memcpy(bad, snap, len);
    bad[at + 12 + plen - 1] ^= 1;
    VT_CHECK(load(b, bad, len) != 0);
    VT_EQ_MEM(vs_error_text(b), strlen(vs_error_text(b)), "Bad snapshot: checksum mismatch in section 'aliases'");
    /* Two alias sections. */
    size_t slen = 12 + plen + 8;
    uint8_t *two = malloc(len + slen);
    memcpy(two, snap, at + slen);
    memcpy(two + at + slen, snap + at, len - at);
    resum(two, len + slen);
    VT_CHECK(load(b, two, len + slen) != 0);
    VT_EQ_MEM(vs_error_text(b), strlen(vs_error_text(b)), "Bad snapshot: section 'aliases' is damaged: two alias sections");
    VT_EQ_MEM(aliases(b), strlen(aliases(b)), want);
    free(two);
    /* Allocation failure while loading: refused, store unchanged. */
    for (unsigned long n = 1; n < 400; n++) {
        vs_mem_inject(n, 0);
        int rc = load(b, snap, len);
        unsigned long faults = vs_mem_faults();
        vs_mem_inject(0, 0);
        if (!faults) {
            VT_EQ_INT(rc, 0);
            break;
        }
        VT_EQ_MEM(aliases(b), strlen(aliases(b)), want);
    }
    free(bad);
    free(snap);
    vs_close(b);
    vs_close(a);
}

/* The alias commands are journaled as given; replay restores them. */
static void test_journal(void) {
    vs_db *a = vs_open(NULL);
    VT_EQ_INT(vs_journal_enable(a, 1), 0);
    vt_run(a, "HSET", "a:1", "n", "1", NULL);
    vt_run(a, "FT.CREATE", "ia", "PREFIX", "1", "a:", "SCHEMA", "n", "NUMERIC", NULL);
    vt_run(a, "FT.CREATE", "ib", "PREFIX", "1", "b:", "SCHEMA", "n", "NUMERIC", NULL);
    vt_run(a, "FT.ALIASADD", "x", "ia", NULL);
    vt_run(a, "FT.ALIASADD", "y", "ia", NULL);
    vt_run(a, "FT.ALIASADD", "x", "ib", NULL); /* refused: not journaled */
    vt_run(a, "FT.ALIASUPDATE", "zz", "ib", NULL);
    vt_run(a, "FT.ALIASDEL", "y", NULL);
    while (vs_step(a, 1000)) {
    }
    size_t jlen = vs_journal_len(a);
    uint8_t *j = malloc(jlen);
    memcpy(j, vs_journal_data(a), jlen);
    char want[256];
    snprintf(want, sizeof want, "%s", aliases(a));
    vs_db *b = vs_open(NULL);
    VT_EQ_INT(vs_journal_replay_begin(b, 2), 0);
    VT_EQ_INT(vs_journal_replay_feed(b, j, jlen), 0);
    VT_EQ_INT(vs_journal_replay_end(b, 0), 0);
    while (vs_step(b, 1000)) {
    }
    VT_EQ_MEM(aliases(b), strlen(aliases(b)), want);
    free(j);
    vs_close(a);
    vs_close(b);
}

/* ---- FT.SEARCH WITHSORTKEYS ------------------------------------------------------ */

static void test_sortkeys(void) {
    vs_db *db = vs_open(NULL);
    vt_run(db, "HSET", "d:1", "n", "10", "t", "b", NULL);
    vt_run(db, "HSET", "d:2", "n", "9", "t", "a", "x", "1", NULL);
    vt_run(db, "HSET", "d:3", "n", "oops", "t", "c", NULL); /* not a number: sorts as 0 */
    vt_run(db, "HSET", "d:4", "t", "a", NULL);              /* no n: last either way */
    vt_run(db, "FT.CREATE", "i", "PREFIX", "1", "d:", "SCHEMA", "n", "AS", "num", "NUMERIC", "t", "TAG", NULL);
    while (vs_step(db, 1000)) {
    }
    VT_TEXT(db, "[4,d:3,d:2,d:1,d:4]", "FT.SEARCH", "i", "*", "SORTBY", "num", "NOCONTENT");
    VT_TEXT(db, "[4,d:1,d:2,d:3,d:4]", "FT.SEARCH", "i", "*", "SORTBY", "num", "DESC", "NOCONTENT");
    VT_TEXT(db, "[4,d:1,#10,[t,b],d:2,#9,[t,a]]", "FT.SEARCH", "i", "*", "SORTBY", "num", "DESC", "WITHSORTKEYS",
            "RETURN", "1", "t", "LIMIT", "0", "2");
    VT_TEXT(db, "[4,d:1,#10,[t,b],d:4,#,[t,a]]", "FT.SEARCH", "i", "*", "SORTBY", "num", "WITHSORTKEYS", "RETURN",
            "1", "t", "LIMIT", "2", "2");
    /* Ties by key; a TAG by its bytes. */
    VT_TEXT(db, "[4,d:2,#a,[t,a],d:4,#a,[t,a],d:1,#b,[t,b],d:3,#c,[t,c]]", "FT.SEARCH", "i", "*", "SORTBY", "t",
            "WITHSORTKEYS", "RETURN", "1", "t");
    /* RETURN 0 is NOCONTENT: no sort keys. */
    VT_TEXT(db, "[4,d:2,d:4,d:1,d:3]", "FT.SEARCH", "i", "*", "SORTBY", "t", "WITHSORTKEYS", "RETURN", "0");
    VT_TEXT(db, "[4,d:2,#a,[n,9,t,a,x,1]]", "FT.SEARCH", "i", "*", "SORTBY", "t", "WITHSORTKEYS", "LIMIT", "0", "1");
    /* NOCONTENT: keys only; without SORTBY: "#". */
    VT_TEXT(db, "[4,d:2,d:4]", "FT.SEARCH", "i", "*", "SORTBY", "t", "WITHSORTKEYS", "NOCONTENT", "LIMIT", "0", "2");
    VT_TEXT(db, "[4,d:1,#,[t,b]]", "FT.SEARCH", "i", "*", "WITHSORTKEYS", "RETURN", "1", "t", "LIMIT", "0", "1");
    /* The attribute by its alias only, as valkey-search. */
    VT_TEXT(db, E("Index field `n` does not exist"), "FT.SEARCH", "i", "*", "SORTBY", "n");
    VT_TEXT(db, "[4,d:3,d:2,d:1,d:4]", "FT.SEARCH", "i", "*", "SORTBY", "num", "ASC", "NOCONTENT");
    vs_close(db);
}

int main(void) {
    VT_RUN(test_commands);
    VT_RUN(test_script);
    VT_RUN(test_oom);
    VT_RUN(test_snapshot);
    VT_RUN(test_journal);
    VT_RUN(test_sortkeys);
    VT_DONE();
}
