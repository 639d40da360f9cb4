// range.test.js - FT.SEARCH's VECTOR_RANGE clause (RediSearch's syntax:
// `@v:[VECTOR_RANGE r $blob]=>{$YIELD_DISTANCE_AS: d; $EPSILON: e}`) against
// a brute-force JS model: seeded random vectors for L2, IP and COSINE on
// FLAT (the result set must equal the model's) and HNSW (recall of the
// range set >= 0.95, never a document outside the radius, and a larger
// EPSILON never finding less); the clause combined with TAG, NUMERIC and
// TEXT filters, OR and negation; two clauses; a KNN prefix over a range
// filter; SORTBY the yielded distance both ways with LIMIT windows;
// RETURN, NOCONTENT; parameters; the error texts; the reply bytes in RESP2
// and RESP3.  Radii are placed halfway between two model distances far
// apart, so float rounding never decides a boundary.  Seeds print on
// failure (SEED=n reruns one).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { open } from '../../js/node.js';
import { prng, seedList } from './helpers.js';

const DIM = 8;
const N = 300;
const WORDS = ['red', 'green', 'blue', 'cyan'];
const TAGS = ['a', 'b', 'c'];

const f32 = (a) => Buffer.from(new Float32Array(a).buffer);
const dot = (a, b) => a.reduce((s, x, i) => s + x * b[i], 0);
const norm = (a) => Math.sqrt(dot(a, a));

/** The engine's distances (contract: L2 squared, IP 1 - dot, COSINE 1 - cosine). */
function distance(metric, q, v) {
  if (metric === 'L2') return q.reduce((s, x, i) => s + (x - v[i]) ** 2, 0);
  if (metric === 'IP') return 1 - dot(q, v);
  return 1 - dot(q, v) / (norm(q) * norm(v));
}

function documents(r, metric) {
  const docs = [];
  for (let i = 0; i < N; i++) {
    // Clustered vectors: 6 centres, so radii cut through dense regions.
    const c = i % 6;
    const v = Array.from({ length: DIM }, (_, j) => (metric === 'IP' ? 0.3 : 1) * (((c * 7 + j * 3) % 5) / 5 - 0.4 + (r() - 0.5) * 0.6));
    docs.push({ key: `d:${String(r.int(1000)).padStart(3, '0')}:${i}`, v, t: r.pick(TAGS), n: r.int(50), w: r.pick(WORDS) });
  }
  return docs;
}

/** A radius taking about `frac` of the documents, halfway between two distances far apart. */
function radiusFor(ds, frac) {
  const s = [...ds].sort((a, b) => a - b);
  for (let k = Math.max(1, Math.floor(s.length * frac)); k < s.length; k++) {
    const gap = s[k] - s[k - 1];
    if (gap > 1e-4 * Math.max(1, Math.abs(s[k]))) return (s[k] + s[k - 1]) / 2;
  }
  return s[s.length - 1] + 1;
}

async function setup(r, metric, algo, extra = []) {
  const db = await open();
  const params = algo === 'HNSW' ? ['M', '16', 'EF_CONSTRUCTION', '100', ...extra] : extra;
  await db.command('FT.CREATE', 'idx', 'PREFIX', '1', 'd:', 'SCHEMA', 'v', 'VECTOR', algo, String(6 + params.length),
    'TYPE', 'FLOAT32', 'DIM', String(DIM), 'DISTANCE_METRIC', metric, ...params, 't', 'TAG', 'n', 'NUMERIC', 'w', 'TEXT');
  const docs = documents(r, metric);
  for (const d of docs) await db.command('HSET', d.key, 'v', f32(d.v), 't', d.t, 'n', String(d.n), 'w', d.w);
  return { db, docs };
}

/** Map key -> distance from an FT.SEARCH reply with RETURN 1 dist (or the yield in the fields). */
function rows(reply, name = 'dist') {
  const out = new Map();
  for (let i = 1; i < reply.length; i += 2) {
    const f = reply[i + 1];
    let d;
    for (let j = 0; j < f.length; j += 2) if (f[j] === name) d = Number(f[j + 1]);
    out.set(reply[i], d);
  }
  return out;
}

const near = (a, b) => Math.abs(a - b) <= 1e-4 * Math.max(1, Math.abs(b));
const queryVec = (r, docs) => docs[r.int(docs.length)].v.map((x) => x + (r() - 0.5) * 0.2);

for (const metric of ['L2', 'IP', 'COSINE']) {
  test(`VECTOR_RANGE ${metric}: FLAT exact, HNSW recall >= 0.95, distances`, async () => {
    for (const seed of seedList('RANGE_SEEDS', 2)) {
      const msg = `seed ${seed} ${metric}`;
      for (const algo of ['FLAT', 'HNSW']) {
        const r = prng(seed * 31 + algo.length);
        const { db, docs } = await setup(r, metric, algo);
        let want = 0, got = 0;
        for (let qi = 0; qi < 8; qi++) {
          const q = queryVec(r, docs);
          const ds = docs.map((d) => distance(metric, q, d.v));
          const rad = radiusFor(ds, [0.02, 0.1, 0.3][qi % 3]);
          const expect = new Map(docs.map((d, i) => [d.key, ds[i]]).filter(([, d]) => d <= rad));
          const reply = await db.command('FT.SEARCH', 'idx', '@v:[VECTOR_RANGE $r $q]=>{$YIELD_DISTANCE_AS: dist}',
            'PARAMS', '4', 'q', f32(q), 'r', String(rad), 'RETURN', '1', 'dist', 'LIMIT', '0', String(N));
          const m = rows(reply);
          assert.equal(reply[0], m.size, msg);
          for (const [k, d] of m) {
            assert.ok(expect.has(k), `${msg} ${algo}: ${k} outside the radius`);
            assert.ok(near(d, expect.get(k)), `${msg} ${algo}: ${k} distance ${d} vs ${expect.get(k)}`);
          }
          if (algo === 'FLAT') assert.equal(m.size, expect.size, `${msg} FLAT q${qi}: ${m.size} of ${expect.size}`);
          want += expect.size;
          got += m.size;
        }
        if (algo === 'HNSW') assert.ok(got >= 0.95 * want, `${msg} HNSW recall ${got}/${want}`);
        await db.close();
      }
    }
  });
}

test('VECTOR_RANGE on HNSW: a larger EPSILON never finds less', async () => {
  for (const seed of seedList('RANGE_SEEDS', 2)) {
    const r = prng(seed);
    // A sparse graph (M 2, EF_CONSTRUCTION 4): the default epsilon misses some.
    const { db, docs } = await setup(r, 'L2', 'HNSW', ['M', '2', 'EF_CONSTRUCTION', '4']);
    await db.command('FT.CREATE', 'flat', 'PREFIX', '1', 'd:', 'SCHEMA', 'v', 'VECTOR', 'FLAT', '6', 'TYPE', 'FLOAT32', 'DIM',
      String(DIM), 'DISTANCE_METRIC', 'L2');
    for (const d of docs) await db.command('HSET', d.key, 'v', f32(d.v));
    const found = {}; // epsilon -> total found
    for (const eps of ['0.01', '0.2', '10']) found[eps] = 0;
    let total = 0;
    for (let qi = 0; qi < 10; qi++) {
      const q = queryVec(r, docs);
      const rad = radiusFor(docs.map((d) => distance('L2', q, d.v)), 0.1);
      const exact = await db.command('FT.SEARCH', 'flat', '@v:[VECTOR_RANGE $r $q]', 'PARAMS', '4', 'q', f32(q), 'r',
        String(rad), 'NOCONTENT', 'LIMIT', '0', '0');
      total += exact[0];
      let prev = -1;
      for (const eps of ['0.01', '0.2', '10']) {
        const got = await db.command('FT.SEARCH', 'idx', `@v:[VECTOR_RANGE $r $q]=>{$EPSILON: ${eps}}`, 'PARAMS', '4',
          'q', f32(q), 'r', String(rad), 'NOCONTENT', 'LIMIT', '0', '0');
        assert.ok(got[0] <= exact[0], `seed ${seed}`);
        assert.ok(got[0] >= prev, `seed ${seed} q${qi}: EPSILON ${eps} found ${got[0]} < ${prev}`);
        prev = got[0];
        found[eps] += got[0];
      }
    }
    // Epsilon 10 explores the whole reachable graph: everything.
    assert.equal(found['10'], total, `seed ${seed}`);
    assert.ok(found['0.01'] <= found['0.2'], `seed ${seed}`);
    await db.close();
  }
});

/** Model of the filters: which documents a predicate keeps. */
function filterCases(inRange) {
  return [
    ['@v:[VECTOR_RANGE $r $q]=>{$YIELD_DISTANCE_AS: dist} @t:{a}', (d) => inRange(d) && d.t === 'a'],
    ['@t:{b|c} @v:[VECTOR_RANGE $r $q]=>{$YIELD_DISTANCE_AS: dist} @n:[10 30]', (d) => inRange(d) && d.t !== 'a' && d.n >= 10 && d.n <= 30],
    ['@v:[VECTOR_RANGE $r $q]=>{$YIELD_DISTANCE_AS: dist} | @n:[45 49]', (d) => inRange(d) || d.n >= 45],
    ['-@v:[VECTOR_RANGE $r $q]=>{$YIELD_DISTANCE_AS: dist} @t:{a}', (d) => !inRange(d) && d.t === 'a'],
    ['@w:red @v:[VECTOR_RANGE $r $q]=>{$YIELD_DISTANCE_AS: dist}', (d) => inRange(d) && d.w === 'red'],
    ['(@v:[VECTOR_RANGE $r $q]=>{$YIELD_DISTANCE_AS: dist} -@t:{c}) | blue', (d) => (inRange(d) && d.t !== 'c') || d.w === 'blue'],
  ];
}

const cmpKey = (a, b) => (a < b ? -1 : a > b ? 1 : 0);

test('VECTOR_RANGE with TAG, NUMERIC, TEXT, OR, negation; SORTBY the distance with LIMIT', async () => {
  for (const seed of seedList('RANGE_SEEDS', 2)) {
    const r = prng(seed + 100);
    const { db, docs } = await setup(r, 'L2', 'FLAT');
    for (let qi = 0; qi < 3; qi++) {
      const q = queryVec(r, docs);
      const ds = new Map(docs.map((d) => [d.key, distance('L2', q, d.v)]));
      const rad = radiusFor([...ds.values()], 0.3);
      const inRange = (d) => ds.get(d.key) <= rad;
      for (const [query, keep] of filterCases(inRange)) {
        const msg = `seed ${seed} q${qi} ${query}`;
        const model = docs.filter(keep);
        const base = ['PARAMS', '4', 'q', f32(q), 'r', String(rad)];
        // Default order: the filter's (key order; text clauses order by score).
        const all = await db.command('FT.SEARCH', 'idx', query, ...base, 'RETURN', '1', 'dist', 'LIMIT', '0', String(N));
        assert.equal(all[0], model.length, msg);
        const m = rows(all);
        assert.deepEqual([...m.keys()].sort(), model.map((d) => d.key).sort(), msg);
        for (const d of model) {
          // The distance only where the document is within the radius (OR, NOT).
          if (inRange(d) && !query.startsWith('-')) assert.ok(near(m.get(d.key), ds.get(d.key)), msg);
          else assert.equal(m.get(d.key), undefined, msg);
        }
        if (!/red|blue/.test(query)) assert.deepEqual([...m.keys()], model.map((d) => d.key).sort(cmpKey), msg);
        // SORTBY dist, both ways, in LIMIT windows: missing distances last.
        for (const desc of [false, true]) {
          const sorted = [...model].sort((a, b) => {
            const da = inRange(a) ? ds.get(a.key) : undefined, db2 = inRange(b) ? ds.get(b.key) : undefined;
            if (query.startsWith('-') || da === undefined || db2 === undefined) {
              const ha = !query.startsWith('-') && da !== undefined, hb = !query.startsWith('-') && db2 !== undefined;
              if (ha !== hb) return ha ? -1 : 1;
              return cmpKey(a.key, b.key);
            }
            if (da !== db2) return desc ? db2 - da : da - db2;
            return cmpKey(a.key, b.key);
          }).map((d) => d.key);
          for (const [off, num] of [[0, 7], [5, 11], [model.length - 3, 10]]) {
            const o = Math.max(0, off);
            const page = await db.command('FT.SEARCH', 'idx', query, ...base, 'SORTBY', 'dist', ...(desc ? ['DESC'] : ['ASC']),
              'NOCONTENT', 'LIMIT', String(o), String(num));
            assert.equal(page[0], model.length, msg);
            assert.deepEqual(page.slice(1), sorted.slice(o, o + num), `${msg} ${desc ? 'DESC' : 'ASC'} LIMIT ${o} ${num}`);
          }
        }
      }
    }
    await db.close();
  }
});

test('two VECTOR_RANGE clauses, and a KNN over a range filter', async () => {
  const r = prng(5);
  const db = await open();
  await db.command('FT.CREATE', 'idx', 'SCHEMA', 'a', 'VECTOR', 'FLAT', '6', 'TYPE', 'FLOAT32', 'DIM', '2', 'DISTANCE_METRIC',
    'L2', 'b', 'VECTOR', 'HNSW', '6', 'TYPE', 'FLOAT32', 'DIM', '2', 'DISTANCE_METRIC', 'L2', 'n', 'NUMERIC');
  // Document i: a = b = (i, i) for i in 1..40 (distances are exact integers).
  for (let i = 1; i <= 40; i++) await db.command('HSET', `k${String(i).padStart(2, '0')}`, 'a', f32([i, i]), 'b', f32([i, i]), 'n', String(i));
  const qa = f32([10, 10]), qb = f32([20, 20]);
  const P = ['PARAMS', '6', 'qa', qa, 'qb', qb, 'r', '200']; // within 10 of the centre on each axis
  const both = '@a:[VECTOR_RANGE $r $qa]=>{$YIELD_DISTANCE_AS: da} @b:[VECTOR_RANGE $r $qb]=>{$YIELD_DISTANCE_AS: db}';
  const inter = await db.command('FT.SEARCH', 'idx', both, ...P, 'SORTBY', 'db', 'RETURN', '2', 'da', 'db');
  assert.deepEqual(inter, [11, 'k20', ['da', '200', 'db', '0'], 'k19', ['da', '162', 'db', '2'], 'k18', ['da', '128', 'db', '8'],
    'k17', ['da', '98', 'db', '18'], 'k16', ['da', '72', 'db', '32'], 'k15', ['da', '50', 'db', '50'], 'k14', ['da', '32', 'db', '72'],
    'k13', ['da', '18', 'db', '98'], 'k12', ['da', '8', 'db', '128'], 'k11', ['da', '2', 'db', '162']]);
  const union = await db.command('FT.SEARCH', 'idx', both.replace(' @b', ' | @b'), ...P, 'SORTBY', 'n', 'RETURN', '2', 'da', 'db',
    'LIMIT', '0', '40');
  assert.equal(union[0], 30);
  assert.deepEqual(union.slice(1, 5), ['k01', ['da', '162'], 'k02', ['da', '128']]);
  assert.deepEqual(union.slice(-4), ['k29', ['db', '162'], 'k30', ['db', '200']]);
  // KNN 3 over the range filter: nearest to (0,0) among those within the range of qb.
  const knn = await db.command('FT.SEARCH', 'idx', '@b:[VECTOR_RANGE $r $qb]=>{$YIELD_DISTANCE_AS: db}=>[KNN 3 @a $z AS k]',
    'PARAMS', '6', 'qb', qb, 'r', '200', 'z', f32([0, 0]), 'RETURN', '2', 'k', 'db');
  assert.deepEqual(knn, [3, 'k10', ['k', '200', 'db', '200'], 'k11', ['k', '242', 'db', '162'], 'k12', ['k', '288', 'db', '128']]);
  // Without RETURN: the KNN score, then the yielded distance, then the hash fields.
  const full = await db.command('FT.SEARCH', 'idx', '@b:[VECTOR_RANGE $r $qb]=>{$YIELD_DISTANCE_AS: db}=>[KNN 1 @a $z]',
    'PARAMS', '6', 'qb', qb, 'r', '200', 'z', f32([0, 0]));
  assert.deepEqual(full[2].slice(0, 5), ['__a_score', '200', 'db', '200', 'a']);
  // No yield name: no distance in the reply; a literal radius.
  const plain = await db.command('FT.SEARCH', 'idx', '@a:[vector_range 2 $qa]', 'PARAMS', '2', 'qa', qa, 'RETURN', '1', 'n');
  assert.deepEqual(plain, [3, 'k09', ['n', '9'], 'k10', ['n', '10'], 'k11', ['n', '11']]);
  // The yield name through a parameter, WITHSCORES, FT.AGGREGATE over a range filter.
  const wp = await db.command('FT.SEARCH', 'idx', '@a:[VECTOR_RANGE 2 $qa]=>{$YIELD_DISTANCE_AS: $y}', 'PARAMS', '4', 'qa', qa, 'y',
    'dd', 'SORTBY', 'dd', 'DESC', 'WITHSCORES', 'NOCONTENT');
  assert.deepEqual(wp.slice(0, 2), [3, 'k09']);
  const agg = await db.command('FT.AGGREGATE', 'idx', '@a:[VECTOR_RANGE 2 $qa]', 'PARAMS', '2', 'qa', qa, 'LOAD', '1', '@n',
    'SORTBY', '2', '@n', 'DESC');
  assert.deepEqual(agg, [3, ['n', '11'], ['n', '10'], ['n', '9']]);
  await assert.rejects(db.command('FT.HYBRID', 'idx', 'SEARCH', '@a:[VECTOR_RANGE 2 $qa]', 'VSIM', '@a', '$qa', 'PARAMS', '2', 'qa', qa),
    /Vector expressions are not allowed in FT.HYBRID SEARCH/);
  // An empty index, and a radius past every distance.
  await db.command('FT.CREATE', 'empty', 'PREFIX', '1', 'none:', 'SCHEMA', 'a', 'VECTOR', 'HNSW', '6', 'TYPE', 'FLOAT32', 'DIM', '2',
    'DISTANCE_METRIC', 'L2');
  assert.deepEqual(await db.command('FT.SEARCH', 'empty', '@a:[VECTOR_RANGE 1e30 $qa]', 'PARAMS', '2', 'qa', qa), [0]);
  assert.equal((await db.command('FT.SEARCH', 'idx', '@b:[VECTOR_RANGE inf $qa]', 'PARAMS', '2', 'qa', qa, 'NOCONTENT'))[0], 40);
  void r;
  await db.close();
});

test('VECTOR_RANGE errors (RediSearch texts)', async () => {
  const db = await open();
  await db.command('FT.CREATE', 'idx', 'SCHEMA', 'v', 'VECTOR', 'HNSW', '6', 'TYPE', 'FLOAT32', 'DIM', '2', 'DISTANCE_METRIC', 'L2',
    'f', 'VECTOR', 'FLAT', '6', 'TYPE', 'FLOAT32', 'DIM', '2', 'DISTANCE_METRIC', 'L2', 't', 'TAG');
  const b = f32([1, 2]);
  const cases = [
    [['@v:[VECTOR_RANGE 0.1 $b]', 'PARAMS', '2', 'b', 'abcdefg'],
      "Error parsing vector similarity query: query vector blob size (7) does not match index's expected size (8)."],
    [['@v:[VECTOR_RANGE -1 $b]', 'PARAMS', '2', 'b', b], 'Error parsing vector similarity query: negative radius (-1) given in a range query'],
    [['@v:[VECTOR_RANGE $r $b]', 'PARAMS', '4', 'b', b, 'r', '-0.5'],
      'Error parsing vector similarity query: negative radius (-0.5) given in a range query'],
    [['@v:[VECTOR_RANGE $r $b]', 'PARAMS', '4', 'b', b, 'r', 'x'], 'Invalid numeric value (x) for parameter `r`'],
    [['@v:[VECTOR_RANGE 1 $b]', 'PARAMS', '2', 'c', b], 'Parameter b not found.'],
    [['@v:[VECTOR_RANGE 1 $b]=>{$yield_distance_as: t}', 'PARAMS', '2', 'b', b], 'Property `t` already exists in schema'],
    [['@v:[VECTOR_RANGE 1 $b]=>{$yield_distance_as: d} @f:[VECTOR_RANGE 1 $b]=>{$yield_distance_as: d}', 'PARAMS', '2', 'b', b],
      'Property `d` specified more than once'],
    [['@v:[VECTOR_RANGE 1 $b]=>{$yield_distance_as: k}=>[KNN 2 @f $b AS k]', 'PARAMS', '2', 'b', b], 'Property `k` specified more than once'],
    [['@v:[VECTOR_RANGE 1 $b]=>{$EF_RUNTIME: 10}', 'PARAMS', '2', 'b', b], 'Error parsing vector similarity parameters: Invalid option'],
    [['@v:[VECTOR_RANGE 1 $b]=>{$HYBRID_POLICY: BATCHES}', 'PARAMS', '2', 'b', b],
      'Error parsing vector similarity parameters: hybrid query attributes were sent for a non-hybrid query'],
    [['@v:[VECTOR_RANGE 1 $b]=>{$EPSILON: -1}', 'PARAMS', '2', 'b', b], 'Error parsing vector similarity parameters: Invalid value was given'],
    [['@v:[VECTOR_RANGE 1 $b]=>{$EPSILON: 0}', 'PARAMS', '2', 'b', b], 'Error parsing vector similarity parameters: Invalid value was given'],
    [['@v:[VECTOR_RANGE 1 $b]=>{$EPSILON: x}', 'PARAMS', '2', 'b', b], 'Error parsing vector similarity parameters: Invalid value was given'],
    [['@v:[VECTOR_RANGE 1 $b]=>{$EPSILON: 0.1; $EPSILON: 0.2}', 'PARAMS', '2', 'b', b],
      'Error parsing vector similarity parameters: Parameter was specified twice'],
    [['@f:[VECTOR_RANGE 1 $b]=>{$epsilon: 0.1}', 'PARAMS', '2', 'b', b], 'Error parsing vector similarity parameters: Invalid option'],
    [['@v:[VECTOR_RANGE 1 $b]=>{$foo: 1}', 'PARAMS', '2', 'b', b], 'Invalid attribute foo'],
    [['@v:[VECTOR_RANGE 1 $b]=>{$weight: -1}', 'PARAMS', '2', 'b', b], 'Invalid value (-1) for `weight`'],
    [['@v:[VECTOR_RANGE 1 $b]', 'PARAMS', '2', 'b', f32([1, NaN])],
      'Error parsing vector similarity parameters: query vector contains NaN or infinite values'],
    [['@v:[VECTOR_RANGE 1 $b]', 'PARAMS', '4', 'b', b, 'x', '1'], 'Parameter `x` not used.'],
    [['@t:[VECTOR_RANGE 1 $b]', 'PARAMS', '2', 'b', b], 'Invalid filter expression: `@t:[VECTOR_RANGE 1 $b]`. `t` is not indexed as a vector field'],
    [['@v:[VECTOR_RANGE 1 b]', 'PARAMS', '2', 'b', b],
      'Invalid filter expression: `@v:[VECTOR_RANGE 1 b]`. Syntax error: expecting `[VECTOR_RANGE radius $blob]`'],
    [['@v:[VECTOR_RANGE abc $b]', 'PARAMS', '2', 'b', b], 'Invalid filter expression: `@v:[VECTOR_RANGE abc $b]`. Invalid number: abc'],
    [['@v:[VECTOR_RANGE 1 $b]=>{yield_distance_as: d}', 'PARAMS', '2', 'b', b],
      'Invalid filter expression: `@v:[VECTOR_RANGE 1 $b]=>{yield_distance_as: d}`. Syntax error: expecting `$name: value` in attributes, got `yield_distance_as: d`'],
  ];
  for (const [args, text] of cases) {
    await assert.rejects(db.command('FT.SEARCH', 'idx', ...args), (e) => {
      assert.equal(e.message, text, args[0]);
      return true;
    });
  }
  // Attributes RediSearch accepts on any clause are accepted; a trailing ';' too.
  await db.command('FT.SEARCH', 'idx', '@v:[VECTOR_RANGE 1 $b]=>{$weight: 2; $slop: -1; $inorder: true; $EPSILON: 0.5;}', 'PARAMS', '2', 'b', b);
  await db.close();
});

test('VECTOR_RANGE reply bytes in RESP2 and RESP3', async () => {
  const db = await open();
  await db.command('FT.CREATE', 'idx', 'SCHEMA', 'v', 'VECTOR', 'FLAT', '6', 'TYPE', 'FLOAT32', 'DIM', '2', 'DISTANCE_METRIC', 'L2');
  await db.command('HSET', 'a', 'v', f32([0, 1]));
  await db.command('HSET', 'b', 'v', f32([0, 0.5]));
  await db.command('HSET', 'c', 'v', f32([3, 3]));
  const args = ['FT.SEARCH', 'idx', '@v:[VECTOR_RANGE 1 $q]=>{$YIELD_DISTANCE_AS: d}', 'PARAMS', '2', 'q', f32([0, 0]),
    'SORTBY', 'd', 'RETURN', '1', 'd'];
  const text = (u8) => Buffer.from(u8).toString('latin1');
  const want = '*5\r\n:2\r\n$1\r\nb\r\n*2\r\n$1\r\nd\r\n$4\r\n0.25\r\n$1\r\na\r\n*2\r\n$1\r\nd\r\n$1\r\n1\r\n';
  assert.equal(text(await db.commandRaw(args, { proto: 2 })), want);
  assert.equal(text(await db.commandRaw(args, { proto: 3 })), want);
  await db.close();
});
