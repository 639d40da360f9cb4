// sortby.test.js - FT.SEARCH SORTBY [ASC|DESC] and WITHSORTKEYS against a
// plain JS model of valkey-search's rules: seeded random documents with
// many ties, missing values and NUMERIC values that are not numbers;
// filters and KNN (the K nearest, then sorted), every direction, LIMIT
// windows, RETURN, NOCONTENT, sort keys ("#" and the hash value) for
// filter queries only; the errors.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { open } from '../../js/node.js';
import { prng, seedList } from './helpers.js';

const N = 120;

/** Random documents: id always (so '*' matches every one), n, t, s often missing or tied. */
function documents(r) {
  const docs = [];
  for (let i = 0; i < N; i++) {
    const d = { key: `d:${String(r.int(1000)).padStart(3, '0')}:${i}`, id: String(i), v: [r.int(4), r.int(4)] };
    if (r() < 0.8) d.n = r() < 0.1 ? 'x' : String(r.int(6) - 2 + (r() < 0.3 ? 0.5 : 0)); // 'x': not a number
    if (r() < 0.8) d.t = r.pick(['a', 'b', 'c', 'ab']);
    if (r() < 0.7) d.s = r.pick(['foo', 'bar', 'Foo', 'baz']);
    docs.push(d);
  }
  return docs;
}

const cmpBytes = (a, b) => (a < b ? -1 : a > b ? 1 : 0); // ASCII: JS order is byte order

/** valkey-search's ApplySorting: missing last either way; NUMERIC by number (not a number: 0). */
function sortRows(rows, field, desc, tieByIndex) {
  const val = (d) => {
    const raw = d[field];
    if (raw === undefined) return undefined;
    if (field === 'n') return Number.isFinite(Number(raw)) && raw !== '' ? Number(raw) : 0;
    return raw;
  };
  return rows
    .map((d, i) => ({ d, i, v: val(d) }))
    .sort((a, b) => {
      if (a.v === undefined || b.v === undefined) {
        if (a.v !== b.v) return a.v === undefined ? 1 : -1;
      } else {
        const c = typeof a.v === 'number' ? a.v - b.v : cmpBytes(a.v, b.v);
        if (c) return desc ? -c : c;
      }
      return tieByIndex ? a.i - b.i : cmpBytes(a.d.key, b.d.key);
    })
    .map((x) => x.d);
}

const dist = (d, q) => (d.v[0] - q[0]) ** 2 + (d.v[1] - q[1]) ** 2;

test('SORTBY and WITHSORTKEYS against the model', async () => {
  for (const seed of seedList('SORTBY_SEEDS', 4)) {
    const r = prng(seed);
    const db = await open();
    // n is known by its alias `num` (SORTBY takes the alias only).
    await db.command('FT.CREATE', 'idx', 'PREFIX', '1', 'd:', 'SCHEMA', 'id', 'NUMERIC', 'n', 'AS', 'num', 'NUMERIC',
      't', 'TAG', 's', 'TAG', 'v', 'VECTOR', 'FLAT', '6', 'TYPE', 'FLOAT32', 'DIM', '2', 'DISTANCE_METRIC', 'L2');
    const docs = documents(r);
    for (const d of docs) {
      const h = { id: d.id, v: new Float32Array(d.v) };
      for (const f of ['n', 't', 's']) if (d[f] !== undefined) h[f] = d[f];
      await db.hset(d.key, h);
    }
    await db.indexReady('idx');
    const fieldName = { n: 'num', t: 't', s: 's' };
    for (let qi = 0; qi < 120; qi++) {
      const field = r.pick(['n', 't', 's']);
      const dir = r.pick([undefined, 'ASC', 'DESC']);
      const desc = dir === 'DESC';
      const offset = r.int(N + 5), count = r.pick([0, 1, 3, 10, 50, 200]);
      const knn = r() < 0.4;
      const filter = r.pick(['*', '@t:{a|c}', '@num:[0 2]']);
      const matchF = filter === '*' ? () => true : filter === '@t:{a|c}' ? (d) => d.t === 'a' || d.t === 'c'
        : (d) => d.n !== undefined && d.n !== 'x' && Number(d.n) >= 0 && Number(d.n) <= 2;
      const mode = r.pick(['content', 'return', 'nocontent']);
      const withSortKeys = r() < 0.6;
      const opts = { sortBy: dir ? { field: fieldName[field], direction: dir } : fieldName[field], withSortKeys, limit: [offset, count] };
      if (mode === 'return') opts.return = ['id'];
      if (mode === 'nocontent') opts.noContent = true;
      let query = filter, want, total;
      const matched = docs.filter(matchF);
      if (knn) {
        const q = [r.int(4), r.int(4)], k = 1 + r.int(30);
        query = `${filter === '*' ? '*' : `(${filter})`}=>[KNN ${k} @v $q]`;
        opts.params = { q: new Float32Array(q) };
        const nearest = [...matched].sort((a, b) => dist(a, q) - dist(b, q) || cmpBytes(a.key, b.key)).slice(0, k);
        total = nearest.length;
        want = sortRows(nearest, field, desc, true);
      } else {
        total = matched.length;
        want = sortRows(matched, field, desc, false);
      }
      want = want.slice(offset, offset + count);
      const ctx = `seed ${seed} query ${qi}: FT.SEARCH idx ${query} ${JSON.stringify(opts)}`;
      const got = await db.search('idx', query, opts);
      assert.equal(got.total, total, ctx);
      assert.deepEqual(got.results.map((x) => x.key), want.map((d) => d.key), ctx);
      const keys = withSortKeys && !knn && mode !== 'nocontent';
      assert.deepEqual(got.results.map((x) => x.sortKey), want.map((d) => (keys ? d[field] ?? '' : undefined)), ctx);
      if (mode === 'return') for (const x of got.results) assert.deepEqual(Object.keys(x.fields), ['id'], ctx);
    }
    await db.close();
  }
});

test('SORTBY errors and the KNN score', async () => {
  const db = await open();
  await db.command('FT.CREATE', 'idx', 'SCHEMA', 'n', 'AS', 'num', 'NUMERIC', 'v', 'VECTOR', 'FLAT', '6', 'TYPE',
    'FLOAT32', 'DIM', '2', 'DISTANCE_METRIC', 'L2');
  for (let i = 0; i < 5; i++) await db.hset(`k${i}`, { n: 5 - i, v: new Float32Array([i, 0]) });
  await db.indexReady('idx');
  const q = new Uint8Array(new Float32Array([0, 0]).buffer);
  const err = (...a) => db.command(...a).then(() => 'OK', (e) => e.message);
  assert.equal(await err('FT.SEARCH', 'idx', '*=>[KNN 3 @v $q]', 'PARAMS', '2', 'q', q, 'SORTBY', '__v_score', 'DESC'),
    'SORTBY on `__v_score` is only supported in ascending order');
  assert.equal(await err('FT.SEARCH', 'idx', '*=>[KNN 3 @v $q AS d]', 'PARAMS', '2', 'q', q, 'SORTBY', 'd', 'DESC'),
    'SORTBY on `d` is only supported in ascending order');
  assert.equal(await err('FT.SEARCH', 'idx', '*', 'SORTBY', 'n'), 'Index field `n` does not exist');
  assert.equal(await err('FT.SEARCH', 'idx', '*', 'SORTBY', 'nope', 'DESC'), 'Index field `nope` does not exist');
  assert.match(await err('FT.SEARCH', 'idx', '*', 'SORTBY'), /SORTBY/);
  // The score ascending is the KNN order; WITHSORTKEYS adds nothing to KNN rows.
  assert.deepEqual(await db.command('FT.SEARCH', 'idx', '*=>[KNN 3 @v $q AS d]', 'PARAMS', '2', 'q', q, 'SORTBY', 'd',
    'ASC', 'WITHSORTKEYS', 'RETURN', '1', 'd'), [3, 'k0', ['d', '0'], 'k1', ['d', '1'], 'k2', ['d', '4']]);
  // An option after SORTBY field that is not ASC/DESC is the next option.
  assert.deepEqual(await db.command('FT.SEARCH', 'idx', '*', 'SORTBY', 'num', 'NOCONTENT', 'LIMIT', '0', '2'), [5, 'k4', 'k3']);
  await db.close();
});
