// million.test.js - 1,000,000 x 128 vectors in one Node process (`make
// test-scale`; CI runs it): built into HNSW, queried at every EF_RUNTIME
// from 10 to 500, saved to files, reopened, and queried again.
//
// The data is bench/datasets.js's seeded clustered set (100 centres), the
// same the scale benchmark (`make bench-scale`) compares with usearch.
// Ground truth comes from an exact FLAT index over the same hashes: both
// indexes point at the one copy of each vector the hash holds, which is
// itself under test here (the engine's memory must stay near one copy).
// Checks: the counts, recall at each EF_RUNTIME (never lower at a larger
// one, and high at 500), memory per vector, and after the reopen the same
// answers, key for key and distance for distance, as before the save.
//
// MILLION_N sets a smaller size for a quick run (e.g. MILLION_N=20000).
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { clustered, row } from '../../bench/datasets.js';
import { open } from '../../js/node.js';

const N = Number(process.env.MILLION_N ?? 1_000_000);
const DIM = 128;
const NQ = 100;
const K = 10;
const EFS = [10, 50, 100, 200, 500];

const bytesOf = (v) => new Uint8Array(v.buffer, v.byteOffset, v.byteLength);

async function knn(db, index, q, ef) {
  const query = ef ? `*=>[KNN ${K} @v $q EF_RUNTIME ${ef} AS d]` : `*=>[KNN ${K} @v $q AS d]`;
  const r = await db.search(index, query, { params: { q: bytesOf(q) }, return: ['d'] });
  return r.results.map((x) => [x.key, x.score]);
}

test(`${N.toLocaleString('en-US')} x ${DIM} vectors: build, query at EF_RUNTIME up to 500, save, reopen`, { timeout: 60 * 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vessel-million-'));
  try {
    const base = clustered(N, DIM, { seed: 42 });
    const queries = clustered(NQ, DIM, { seed: 4242 });
    let db = await open({ dir, autosave: false });
    await db.command('FT.CREATE', 'hnsw', 'ON', 'HASH', 'PREFIX', '1', 'v:', 'SCHEMA', 'v', 'VECTOR', 'HNSW', '12', 'TYPE', 'FLOAT32',
      'DIM', String(DIM), 'DISTANCE_METRIC', 'L2', 'M', '16', 'EF_CONSTRUCTION', '200', 'INITIAL_CAP', String(N));
    await db.command('FT.CREATE', 'flat', 'ON', 'HASH', 'PREFIX', '1', 'v:', 'SCHEMA', 'v', 'VECTOR', 'FLAT', '8', 'TYPE', 'FLOAT32',
      'DIM', String(DIM), 'DISTANCE_METRIC', 'L2', 'INITIAL_CAP', String(N));
    const before = db.engine.usedMemory?.() ?? 0;
    const t0 = performance.now();
    for (let i = 0; i < N; i += 1000) {
      const cmds = [];
      for (let j = i; j < Math.min(N, i + 1000); j++) cmds.push(['HSET', `v:${j}`, 'v', bytesOf(row(base, DIM, j))]);
      await db.pipeline(cmds);
    }
    const buildS = (performance.now() - t0) / 1000;
    assert.equal(await db.command('DBSIZE'), N);
    const info = await db.indexInfo('hnsw');
    assert.equal(Number(info.num_docs), N);
    assert.equal(Number(info.hash_indexing_failures), 0);

    const truth = [];
    for (let i = 0; i < NQ; i++) truth.push(await knn(db, 'flat', row(queries, DIM, i), 0));
    const recalls = [];
    const answers = new Map();
    for (const ef of EFS) {
      let hit = 0;
      const got = [];
      for (let i = 0; i < NQ; i++) {
        const r = await knn(db, 'hnsw', row(queries, DIM, i), ef);
        assert.equal(r.length, K, `ef ${ef} query ${i}: ${r.length} results`);
        const want = new Set(truth[i].map((x) => x[0]));
        hit += r.filter((x) => want.has(x[0])).length;
        got.push(r);
      }
      recalls.push(hit / (NQ * K));
      answers.set(ef, got);
    }
    const used = db.engine.usedMemory?.() ?? 0;
    console.log(`# ${N} x ${DIM}: build ${(N / buildS).toFixed(0)} vectors/s (${buildS.toFixed(0)} s); recall@10 ${EFS.map((e, i) => `ef ${e}: ${recalls[i].toFixed(3)}`).join(', ')}` +
      (used ? `; engine memory ${((used - before) / N).toFixed(0)} bytes per vector` : ''));
    for (let i = 1; i < EFS.length; i++) assert.ok(recalls[i] >= recalls[i - 1] - 0.01, `recall falls from ef ${EFS[i - 1]} to ${EFS[i]}: ${recalls}`);
    assert.ok(recalls.at(-1) >= 0.95, `recall@10 at EF_RUNTIME 500: ${recalls.at(-1)}`);
    // Held once: the vector bytes (512 per vector) are in the engine once,
    // with the graph, the FLAT slot tables, the key and its hash beside them.
    if (used) assert.ok((used - before) / N < 512 + 400, `engine memory per vector ${((used - before) / N).toFixed(0)}`);

    const ts = performance.now();
    await db.save();
    await db.close();
    const saveS = (performance.now() - ts) / 1000;
    const size = readdirSync(dir).reduce((s, f) => s + statSync(join(dir, f)).size, 0);
    const tl = performance.now();
    db = await open({ dir, autosave: false });
    await db.indexReady('hnsw');
    const loadS = (performance.now() - tl) / 1000;
    console.log(`# saved in ${saveS.toFixed(1)} s (${(size / 2 ** 20).toFixed(0)} MiB), reopened in ${loadS.toFixed(1)} s`);
    assert.equal(await db.command('DBSIZE'), N);
    for (const ef of EFS) {
      for (let i = 0; i < NQ; i += ef === 50 ? 1 : 10) {
        const r = await knn(db, 'hnsw', row(queries, DIM, i), ef);
        assert.deepEqual(r, answers.get(ef)[i], `after reopen: ef ${ef} query ${i}`);
      }
    }
    for (let i = 0; i < NQ; i += 10) assert.deepEqual(await knn(db, 'flat', row(queries, DIM, i), 0), truth[i], `after reopen: FLAT query ${i}`);
    const v = await db.hget('v:123', 'v', { binary: true });
    assert.deepEqual(v, bytesOf(row(base, DIM, 123)), 'HGET gives back the bytes written');
    await db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
