// hnsw.test.js - the HNSW index: recall against exact FLAT results on real
// and synthetic data, updates and deletes interleaved with queries, churn
// (memory and recall after replacing every vector three times), filtered
// search recall at 1%, 10% and 50% selectivity, identical answers from the
// SIMD and scalar builds, FT.INFO and parameter errors.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clustered, fiori, mnist, prng, row, splitQueries } from '../../bench/datasets.js';
import { open, ReplyError } from '../../js/index.js';

const K = 10;

function vectorDef(algo, dim, metric, extra = {}) {
  return { type: 'VECTOR', algorithm: algo, dim, distance: metric, ...extra };
}

/** Two indexes over the same keys: exact FLAT and HNSW. */
async function pair(db, dim, metric, hnswExtra = {}, extraSchema = {}) {
  await db.createIndex('flat', { prefix: 'd:', schema: { v: vectorDef('FLAT', dim, metric), ...extraSchema } });
  await db.createIndex('hnsw', { prefix: 'd:', schema: { v: vectorDef('HNSW', dim, metric, hnswExtra), ...extraSchema } });
}

async function keysOf(db, index, query, q, ef) {
  const r = await db.search(index, query.replace(']', ef ? ` EF_RUNTIME ${ef}]` : ']'), { params: { q }, noContent: true, limit: [0, K] });
  return r.results.map((x) => x.key);
}

async function recall(db, queries, dim, { filter = '*', ef } = {}) {
  let hit = 0;
  let total = 0;
  for (let i = 0; i < queries.length / dim; i++) {
    const q = row(queries, dim, i);
    const truth = new Set(await keysOf(db, 'flat', `${filter}=>[KNN ${K} @v $q]`, q));
    const got = await keysOf(db, 'hnsw', `${filter}=>[KNN ${K} @v $q]`, q, ef);
    assert.equal(got.length, truth.size, 'HNSW returns K results whenever K matches exist');
    for (const k of got) hit += truth.has(k);
    total += truth.size;
  }
  return hit / total;
}

test('recall@10 against FLAT: mnist (L2), fiori embeddings (COSINE), synthetic', async () => {
  const db = await open();
  const mn = mnist();
  const { base, queries } = splitQueries(mn.n, 100, 9);
  await pair(db, 784, 'L2');
  for (const r of base.slice(0, 5000)) await db.hset(`d:${r}`, { v: row(mn.vectors, 784, r) });
  const qs = new Float32Array(queries.length * 784);
  queries.forEach((r, i) => qs.set(row(mn.vectors, 784, r), i * 784));
  const rMnist = await recall(db, qs, 784, { ef: 50 });
  console.log(`mnist recall@10 (ef 50): ${rMnist}`);
  assert.ok(rMnist >= 0.98, `mnist recall ${rMnist}`);
  await db.close();

  const db2 = await open();
  const fi = fiori();
  await pair(db2, 384, 'COSINE');
  const split = splitQueries(fi.n, 50, 3);
  for (const r of split.base) await db2.hset(`d:${r}`, { v: row(fi.vectors, 384, r) });
  const fq = new Float32Array(split.queries.length * 384);
  split.queries.forEach((r, i) => fq.set(row(fi.vectors, 384, r), i * 384));
  const rFiori = await recall(db2, fq, 384, { ef: 50 });
  console.log(`fiori recall@10 (ef 50): ${rFiori}`);
  assert.ok(rFiori >= 0.98, `fiori recall ${rFiori}`);
  await db2.close();

  const db3 = await open();
  await pair(db3, 32, 'IP');
  const data = clustered(4000, 32, { seed: 5 });
  for (let i = 0; i < 4000; i++) await db3.hset(`d:${i}`, { v: row(data, 32, i) });
  const rSynth = await recall(db3, clustered(50, 32, { seed: 6 }), 32, { ef: 100 });
  assert.ok(rSynth >= 0.97, `synthetic IP recall ${rSynth}`);
  await db3.close();
});

test('updates and deletes interleaved with queries never return stale or deleted documents', async () => {
  const db = await open();
  const dim = 16;
  await pair(db, dim, 'L2', { m: 8, efConstruction: 64 });
  const rand = prng(77);
  const live = new Map();
  const vec = () => Float32Array.from({ length: dim }, () => rand());
  for (let step = 0; step < 6000; step++) {
    const key = `d:${Math.floor(rand() * 800)}`;
    const r = rand();
    if (r < 0.55) {
      const v = vec();
      await db.hset(key, { v });
      live.set(key, v);
    } else if (r < 0.7) {
      await db.del(key);
      live.delete(key);
    } else if (r < 0.75) {
      await db.command('HDEL', key, 'v');
      live.delete(key);
    } else if (r < 0.8) {
      const to = `d:${Math.floor(rand() * 800)}`;
      if (live.has(key)) {
        await db.command('RENAME', key, to);
        live.set(to, live.get(key));
        if (to !== key) live.delete(key);
      }
    } else {
      const q = vec();
      const res = await db.search('hnsw', '*=>[KNN 10 @v $q EF_RUNTIME 64]', { params: { q }, vectors: true });
      assert.equal(res.total, Math.min(10, live.size));
      for (const x of res.results) {
        assert.ok(live.has(x.key), `${x.key} is deleted but was returned`);
        assert.deepEqual(x.fields.v, live.get(x.key), `${x.key} returned with a stale vector`);
      }
    }
  }
  const info = await db.indexInfo('hnsw');
  assert.equal(Number(info.attributes[0].index.size), live.size);
  // Recall is still good after all that churn.
  const r = await recall(db, clustered(30, dim, { seed: 8 }).map((x) => Math.abs(x) / 3), dim, { ef: 100 });
  console.log(`recall after interleaved churn: ${r}`);
  assert.ok(r >= 0.95, `recall after churn ${r}`);
  await db.close();
});

test('replacing every vector three times: memory <= 1.3x a fresh build, recall within 0.01', async () => {
  const dim = 64;
  const n = 4000;
  const data = clustered(n, dim, { seed: 21 });
  const queries = clustered(60, dim, { seed: 22 });
  const fresh = await open();
  // A small INITIAL_CAP, so capacity follows the number of slots used.
  await pair(fresh, dim, 'L2', { initialCap: 64 });
  for (let i = 0; i < n; i++) await fresh.hset(`d:${i}`, { v: row(data, dim, i) });
  const freshMem = (await fresh.indexInfo('hnsw')).attributes[0].user_indexed_memory;
  const freshRecall = await recall(fresh, queries, dim, { ef: 10 });
  await fresh.close();

  const churned = await open();
  await pair(churned, dim, 'L2', { initialCap: 64 });
  for (let round = 0; round < 3; round++) {
    const other = clustered(n, dim, { seed: 100 + round });
    for (let i = 0; i < n; i++) await churned.hset(`d:${i}`, { v: row(other, dim, i) });
  }
  for (let i = 0; i < n; i++) await churned.hset(`d:${i}`, { v: row(data, dim, i) });
  const mem = (await churned.indexInfo('hnsw')).attributes[0].user_indexed_memory;
  const churnedRecall = await recall(churned, queries, dim, { ef: 10 });
  await churned.close();
  console.log(`churn: memory ${mem} vs fresh ${freshMem}; recall ${churnedRecall} vs fresh ${freshRecall}`);
  assert.ok(mem <= 1.3 * freshMem, `memory ${mem} vs fresh ${freshMem}`);
  assert.ok(churnedRecall >= freshRecall - 0.01, `recall ${churnedRecall} vs fresh ${freshRecall}`);
});

test('filtered KNN: recall >= 0.95 at 1%, 10% and 50% selectivity, K results when K match', async () => {
  const db = await open();
  const dim = 32;
  const n = 10000;
  const data = clustered(n, dim, { seed: 31 });
  await pair(db, dim, 'L2', {}, { t: { type: 'TAG' }, n: { type: 'NUMERIC' } });
  const rand = prng(3);
  for (let i = 0; i < n; i++) {
    const u = rand();
    const t = u < 0.01 ? 'one' : u < 0.1 ? 'ten' : u < 0.5 ? 'fifty' : 'rest';
    await db.hset(`d:${i}`, { v: row(data, dim, i), t, n: i });
  }
  const queries = clustered(40, dim, { seed: 32 });
  for (const [filter, label] of [['@t:{one}', '1%'], ['@t:{one|ten}', '10%'], ['@t:{one|ten|fifty}', '50%'], ['@n:[0 (5000]', '50% numeric']]) {
    const r = await recall(db, queries, dim, { filter });
    console.log(`filtered ${label}: recall ${r}`);
    assert.ok(r >= 0.95, `${label}: recall ${r}`);
  }
  // A filter with fewer than K matches returns exactly those.
  await db.hset('d:x1', { v: row(data, dim, 0), t: 'tiny' });
  await db.hset('d:x2', { v: row(data, dim, 1), t: 'tiny' });
  const few = await db.search('hnsw', '@t:{tiny}=>[KNN 10 @v $q]', { params: { q: row(queries, dim, 0) }, noContent: true });
  assert.equal(few.total, 2);
  await db.close();
});

test('the SIMD and scalar builds build the same graph and answer identically', async () => {
  const dbs = [await open({ simd: true, seed: 9 }), await open({ simd: false, seed: 9 })];
  const dim = 48;
  const data = clustered(3000, dim, { seed: 41 });
  for (const db of dbs) {
    await db.createIndex('h', { schema: { v: vectorDef('HNSW', dim, 'COSINE', { m: 12, efConstruction: 100 }) } });
    for (let i = 0; i < 3000; i++) await db.hset(`k${i}`, { v: row(data, dim, i) });
    for (let i = 0; i < 300; i += 3) await db.del(`k${i}`);
    for (let i = 0; i < 300; i += 3) await db.hset(`k${i}`, { v: row(data, dim, 2999 - i) });
  }
  const queries = clustered(50, dim, { seed: 42 });
  for (let i = 0; i < 50; i++) {
    const args = ['FT.SEARCH', 'h', `*=>[KNN 10 @v $q EF_RUNTIME ${10 + i}]`, 'PARAMS', '2', 'q', row(queries, dim, i), 'RETURN', '1', '__v_score'];
    const [a, b] = dbs.map((db) => db.engine.execRaw(args).bytes.slice());
    assert.deepEqual(a, b, `query ${i}`);
  }
  for (const db of dbs) await db.close();
});

test('FT.INFO for HNSW, defaults, parameter errors, capacity growth', async () => {
  const db = await open();
  await db.command('FT.CREATE', 'h', 'SCHEMA', 'v', 'VECTOR', 'HNSW', '6', 'TYPE', 'FLOAT32', 'DIM', '4', 'DISTANCE_METRIC', 'L2');
  let info = await db.indexInfo('h');
  assert.deepEqual(info.attributes[0].index, {
    capacity: 10240,
    dimensions: 4,
    distance_metric: 'L2',
    size: '0',
    data_type: 'FLOAT32',
    algorithm: { name: 'HNSW', m: 16, ef_construction: 200, ef_runtime: 10 },
  });
  await db.command('FT.CREATE', 'small', 'SCHEMA', 'v', 'VECTOR', 'HNSW', '8', 'TYPE', 'FLOAT32', 'DIM', '4', 'DISTANCE_METRIC', 'L2', 'INITIAL_CAP', '10');
  for (let i = 0; i < 100; i++) await db.hset(`k${i}`, { v: new Float32Array([i, 1, 2, 3]) });
  info = await db.indexInfo('small');
  assert.equal(info.attributes[0].index.size, '100');
  assert.ok(info.attributes[0].index.capacity >= 100, 'capacity grew past INITIAL_CAP');
  const r = await db.search('small', '*=>[KNN 3 @v $q]', { params: { q: new Float32Array([50, 1, 2, 3]) }, noContent: true });
  assert.deepEqual(r.results.map((x) => x.key), ['k50', 'k49', 'k51']);
  await assert.rejects(
    db.command('FT.CREATE', 'bad', 'SCHEMA', 'v', 'VECTOR', 'HNSW', '8', 'TYPE', 'FLOAT32', 'DIM', '4', 'DISTANCE_METRIC', 'L2', 'M', '1'),
    (e) => e instanceof ReplyError && e.message === 'Invalid field type for field `v`: Invalid range: Value below minimum; M must be a positive integer greater than 2 and cannot exceed 2000000.',
  );
  // K up to 10000 (ef follows K).
  const big = await db.search('small', '*=>[KNN 10000 @v $q]', { params: { q: new Float32Array([0, 1, 2, 3]) }, noContent: true, limit: [0, 0] });
  assert.equal(big.total, 100);
  await db.close();
});

test('updating the only live key, whose element is the entry point, keeps it findable (seed 79)', async () => {
  // The deleted element (k1) had a lower level; the update reused the
  // entry's slot without linking it, and KNN found nothing.
  let bad = 0;
  for (let seed = 0; seed < 200; seed++) {
    const db = await open({ seed });
    await db.createIndex('h', { schema: { v: vectorDef('HNSW', 4, 'COSINE', { m: 4 }) } });
    await db.hset('k5', { v: new Float32Array([-0.5, 0.99, -0.94, 0]) });
    await db.hset('k1', { v: new Float32Array([1, 1, -0.84, 1]) });
    await db.del('k1');
    await db.hset('k5', { v: new Float32Array([0.36, 0.42, 0.47, -0.72]) });
    const r = await db.search('h', '*=>[KNN 5 @v $q]', { params: { q: new Float32Array([1, 0, 0, 0]) }, noContent: true });
    if (r.total !== 1 || r.results[0]?.key !== 'k5') bad++;
    assert.equal((await db.indexInfo('h')).num_docs, 1);
    await db.close();
  }
  assert.equal(bad, 0, `${bad} of 200 seeds lost the only live key`);
});
