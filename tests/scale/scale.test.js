// scale.test.js - a store past 2 GiB of engine memory, and up to the
// 4 GiB limit of wasm32 (`make test-scale`; CI runs it after `make test`).
//
// WebAssembly addresses above 2 GiB come back to JavaScript as negative
// i32s; every address and length crossing the boundary must be read
// unsigned.  This fills the engine past 2 GiB with large values, then
// grows the argument buffer (so every later command's arguments, vectors
// and query strings live above 2 GiB), indexes vectors there (FLAT and
// HNSW), and checks: byte-exact reads of values above 2 GiB, exact FLAT
// KNN against a brute-force model, HNSW recall, filtered queries, a
// snapshot round trip of the whole store, and finally writes past the
// 4 GiB limit: each answers a clean OOM error, changes nothing, and the
// store goes on working once memory is freed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemoryStorage, open } from '../../js/node.js';
import { rng } from '../js/helpers.js';

const GiB = 2 ** 30;
const MiB = 2 ** 20;
const DIM = 128;
const N = 3000;

/** Distinct, reproducible filler bytes for value i. */
function filler(i, size) {
  const b = new Uint8Array(size);
  const u = new Uint32Array(b.buffer);
  let s = (i * 2654435761) >>> 0 || 1;
  for (let j = 0; j < u.length; j += 1024) u[j] = s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
  b[0] = i & 255;
  b[size - 1] = (i >> 8) & 255;
  return b;
}

function vectors(seed) {
  const r = rng(seed);
  const out = [];
  for (let i = 0; i < N; i++) {
    const v = new Float32Array(DIM);
    const c = i % 10;
    for (let d = 0; d < DIM; d++) v[d] = c + (r() - 0.5) * 2;
    out.push(v);
  }
  return out;
}

function l2(a, b) {
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.fround(a[i] - b[i]);
    s = Math.fround(s + Math.fround(d * d));
  }
  return s;
}

/** Exact top k of the model: [key, dist] nearest first, ties by key. */
function bruteKnn(model, q, k, keep = () => true) {
  const all = [];
  for (const [key, v] of model) if (keep(key)) all.push([key, l2(v, q)]);
  all.sort((x, y) => x[1] - y[1] || (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
  return all.slice(0, k);
}

const same = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);

async function checkQueries(db, vecs, label) {
  const model = new Map();
  for (let i = 0; i < N; i++) model.set(`v:${i}`, vecs[i]);
  let hits = 0;
  let total = 0;
  for (let qi = 0; qi < 40; qi++) {
    const q = vecs[(qi * 37) % N].map((x, d) => x + ((qi + d) % 3) * 0.01);
    const want = bruteKnn(model, q, 10);
    const flat = await db.search('flat', '*=>[KNN 10 @v $q AS d]', { params: { q }, return: ['d'] });
    assert.equal(flat.total, 10, label);
    assert.deepEqual(flat.results.map((r) => r.key), want.map((w) => w[0]), `${label}: FLAT KNN query ${qi}`);
    for (let j = 0; j < 10; j++) {
      assert.ok(Math.abs(flat.results[j].score - want[j][1]) <= 1e-3 * Math.max(1, want[j][1]), `${label}: distance`);
    }
    // A long query string (EF_RUNTIME 100, a filter) through the arguments above 2 GiB.
    const tag = `t${qi % 10}`;
    const hn = await db.search('hnsw', `(@t:{${tag}} @n:[-inf +inf])=>[KNN 10 @v $q EF_RUNTIME 100 AS d]`, {
      params: { q },
      return: ['d'],
    });
    const wantF = bruteKnn(model, q, 10, (k) => `t${Number(k.slice(2)) % 10}` === tag);
    assert.equal(hn.total, 10, `${label}: HNSW filtered total`);
    for (const r of hn.results) assert.equal(`t${Number(r.key.slice(2)) % 10}`, tag, `${label}: filter kept ${r.key}`);
    const got = new Set(hn.results.map((r) => r.key));
    hits += wantF.filter((w) => got.has(w[0])).length;
    total += wantF.length;
  }
  assert.ok(hits / total >= 0.95, `${label}: HNSW filtered recall ${hits / total}`);
  const tags = await db.search('flat', '@t:{t3}', { noContent: true, limit: [0, 0] });
  assert.equal(tags.total, N / 10, `${label}: TAG filter count`);
}

test('a store past 2 GiB, then at the 4 GiB limit', { timeout: 20 * 60_000 }, async () => {
  const storage = new MemoryStorage();
  const db = await open({ simd: true, storage, durability: 'no', autosave: false });
  const FILL = 32 * MiB;
  // Past 2 GiB with values (fast: a copy each).
  let fills = 0;
  while (db.usedMemory() < 2 * GiB + 256 * MiB) {
    assert.equal(await db.command('HSET', `fill:${fills}`, 'f', filler(fills, FILL)), 1);
    fills++;
  }
  // A value larger than any before: the argument buffer moves above 2 GiB.
  const big = filler(9999, 100 * MiB); // the buffer doubles to 128 MiB, above every freed block
  assert.equal(await db.command('HSET', 'big', 'f', big), 1);
  assert.ok(db.engine.argPtr >= 2 * GiB, `argument buffer at ${db.engine.argPtr}`);
  const back = await db.commandBuffer('HGET', 'big', 'f');
  assert.ok(Buffer.from(back).equals(Buffer.from(big)), 'HGET of a value above 2 GiB is byte-exact');

  await db.command('FT.CREATE', 'flat', 'PREFIX', '1', 'v:', 'SCHEMA', 'v', 'VECTOR', 'FLAT', '6', 'TYPE', 'FLOAT32', 'DIM', DIM,
    'DISTANCE_METRIC', 'L2', 't', 'TAG', 'n', 'NUMERIC');
  await db.command('FT.CREATE', 'hnsw', 'PREFIX', '1', 'v:', 'SCHEMA', 'v', 'VECTOR', 'HNSW', '10', 'TYPE', 'FLOAT32', 'DIM', DIM,
    'DISTANCE_METRIC', 'L2', 'M', '16', 'EF_CONSTRUCTION', '100', 't', 'TAG', 'n', 'NUMERIC');
  const vecs = vectors(7);
  for (let i = 0; i < N; i++) await db.hset(`v:${i}`, { v: vecs[i], t: `t${i % 10}`, n: i });
  await db.indexReady('flat');
  await db.indexReady('hnsw');
  assert.ok(db.usedMemory() > 2 * GiB);
  await checkQueries(db, vecs, 'live, past 2 GiB');

  // Every filler value reads back byte-exact (spot checks across the range).
  for (const i of [0, fills >> 1, fills - 1]) {
    const v = await db.commandBuffer('HGET', `fill:${i}`, 'f');
    assert.ok(Buffer.from(v).equals(Buffer.from(filler(i, FILL))), `fill:${i}`);
  }

  // A snapshot of the whole store, loaded into a new engine.
  await db.save();
  const before = await db.dbsize();
  await db.close();
  const db2 = await open({ simd: true, storage, durability: 'no', autosave: false });
  assert.equal(await db2.dbsize(), before);
  await db2.indexReady('flat');
  await db2.indexReady('hnsw');
  await checkQueries(db2, vecs, 'reloaded');
  const back2 = await db2.commandBuffer('HGET', 'big', 'f');
  assert.ok(Buffer.from(back2).equals(Buffer.from(big)), 'big value after reload');

  // Up to the 4 GiB limit: writes past it answer a clean OOM and change nothing.
  let more = 0;
  let oom = null;
  const CHUNK = 64 * MiB;
  for (; more < 100; more++) {
    try {
      await db2.command('HSET', `more:${more}`, 'f', filler(more + 5000, CHUNK));
    } catch (e) {
      oom = e;
      break;
    }
  }
  assert.ok(oom, 'a write past 4 GiB must fail');
  assert.match(oom.message, /^OOM /, `clean OOM error, got: ${oom.message}`);
  assert.equal(await db2.exists(`more:${more}`), 0, 'the failed write left nothing');
  const size = await db2.dbsize();
  // Smaller writes may still fit; keep going until they fail too, then check the store.
  let small = 0;
  for (; small < 4096; small++) {
    try {
      await db2.command('HSET', `small:${small}`, 'f', filler(small, MiB));
    } catch (e) {
      assert.match(e.message, /^OOM /);
      break;
    }
  }
  assert.equal(await db2.dbsize(), size + small);
  await checkQueries(db2, vecs, 'at the 4 GiB limit');
  // A read whose reply needs more memory than is left answers OOM too, cleanly.
  try {
    const v = await db2.commandBuffer('HGET', 'fill:0', 'f');
    assert.ok(Buffer.from(v).equals(Buffer.from(filler(0, FILL))), 'fill:0 at the limit');
  } catch (e) {
    assert.match(e.message, /^OOM /);
  }
  // Free memory: reads and writes work again, and nothing was damaged.
  for (let i = 0; i < more; i++) await db2.del(`more:${i}`);
  for (let i = 0; i < small; i++) await db2.del(`small:${i}`);
  for (const i of [0, fills - 1]) {
    const v = await db2.commandBuffer('HGET', `fill:${i}`, 'f');
    assert.ok(Buffer.from(v).equals(Buffer.from(filler(i, FILL))), `fill:${i} after the limit`);
  }
  assert.equal(await db2.command('HSET', 'after', 'f', filler(1, CHUNK)), 1);
  await db2.hset('v:new', { v: vecs[0], t: 'tnew', n: 1 });
  const r = await db2.search('flat', '@t:{tnew}=>[KNN 1 @v $q]', { params: { q: vecs[0] } });
  assert.equal(r.results[0].key, 'v:new');
  await db2.close();
});
