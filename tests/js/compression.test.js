// compression.test.js - HNSW COMPRESSION SQ8: FT.CREATE and FT.INFO, its
// errors; answers (exact distances) through updates, deletes and a reopen
// from snapshot and journal, for FLOAT32, FLOAT16 and BFLOAT16; recall of
// a compressed index within 0.005 of the same graph uncompressed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clustered, prng } from '../../bench/datasets.js';
import { MemoryStorage, open, ReplyError, vectorBytes } from '../../js/node.js';

const hnsw = (type, dim, metric, extra = []) =>
  ['VECTOR', 'HNSW', String(6 + extra.length), 'TYPE', type, 'DIM', String(dim), 'DISTANCE_METRIC', metric, ...extra];

async function knn(db, index, q, k, ef) {
  const r = await db.commandBuffer('FT.SEARCH', index, `*=>[KNN ${k} @v $q${ef ? ` EF_RUNTIME ${ef}` : ''} AS d]`, 'PARAMS', '2', 'q', q,
    'RETURN', '1', 'd', 'DIALECT', '2', 'LIMIT', '0', String(k));
  const out = [];
  for (let i = 1; i < r.length; i += 2) out.push({ key: Buffer.from(r[i]).toString(), d: Number(Buffer.from(r[i + 1][1]).toString()) });
  return out;
}

test('COMPRESSION SQ8: FT.CREATE, FT.INFO, errors', async () => {
  const db = await open();
  await db.command('FT.CREATE', 'c', 'SCHEMA', 'v', ...hnsw('FLOAT32', 4, 'L2', ['compression', 'sq8']));
  await db.command('FT.CREATE', 'p', 'SCHEMA', 'v', ...hnsw('BFLOAT16', 4, 'L2'));
  assert.deepEqual((await db.indexInfo('c')).attributes[0].index.algorithm,
    { name: 'HNSW', m: 16, ef_construction: 200, ef_runtime: 10, compression: 'SQ8' });
  assert.deepEqual((await db.indexInfo('p')).attributes[0].index.algorithm,
    { name: 'HNSW', m: 16, ef_construction: 200, ef_runtime: 10 }, 'no compression: FT.INFO as before');
  const refused = async (args, message) => {
    await assert.rejects(db.command('FT.CREATE', 'bad', 'SCHEMA', 'v', ...args), (e) => e instanceof ReplyError && e.message === message);
  };
  const field = 'Invalid field type for field `v`: ';
  await refused(hnsw('FLOAT32', 4, 'L2', ['COMPRESSION', 'LVQ8']),
    `${field}Error parsing value for the parameter \`COMPRESSION\` - Unknown argument \`LVQ8\``);
  await refused(hnsw('FLOAT32', 4, 'L2', ['COMPRESSION', '']),
    `${field}Error parsing value for the parameter \`COMPRESSION\` - Argument value is empty`);
  for (const type of ['INT8', 'UINT8'])
    await refused(hnsw(type, 4, 'L2', ['COMPRESSION', 'SQ8']),
      `${field}COMPRESSION SQ8 requires a floating point vector TYPE (FLOAT32, FLOAT16 or BFLOAT16), not ${type}.`);
  await refused(['VECTOR', 'FLAT', '8', 'TYPE', 'FLOAT32', 'DIM', '4', 'DISTANCE_METRIC', 'L2', 'COMPRESSION', 'SQ8'],
    `${field}Unexpected argument \`COMPRESSION\``);
  assert.equal((await db.command('FT._LIST')).length, 2, 'nothing created by the refused commands');
  await db.close();
});

test('COMPRESSION SQ8: exact answers through updates, deletes, snapshot and journal reopen', async () => {
  const r = prng(15);
  const storage = new MemoryStorage();
  const opts = { storage, autosave: false };
  const DIM = 19;
  const TYPES = ['FLOAT32', 'FLOAT16', 'BFLOAT16'];
  const blob = (type) => vectorBytes(Float32Array.from({ length: DIM }, () => r() * 4 - 2), type);
  let db = await open(opts);
  for (const type of TYPES) {
    for (const metric of ['L2', 'IP', 'COSINE']) {
      const p = `${type}:`;
      await db.command('FT.CREATE', `f_${type}_${metric}`, 'PREFIX', '1', p, 'SCHEMA', 'v', 'VECTOR', 'FLAT', '6', 'TYPE', type, 'DIM', String(DIM), 'DISTANCE_METRIC', metric);
      await db.command('FT.CREATE', `c_${type}_${metric}`, 'PREFIX', '1', p, 'SCHEMA', 'v', ...hnsw(type, DIM, metric, ['M', '4', 'COMPRESSION', 'SQ8']));
      await db.command('FT.CREATE', `p_${type}_${metric}`, 'PREFIX', '1', p, 'SCHEMA', 'v', ...hnsw(type, DIM, metric, ['M', '4']));
    }
    for (let i = 0; i < 150; i++) await db.hset(`${type}:${i}`, { v: blob(type) });
    for (let i = 0; i < 150; i += 7) await db.del(`${type}:${i}`); // tombstones route
    for (let i = 1; i < 150; i += 11) await db.hset(`${type}:${i}`, { v: blob(type) }); // updates
  }
  const queries = Object.fromEntries(TYPES.map((t) => [t, Array.from({ length: 5 }, () => blob(t))]));
  // Every answer carries its exact distance; with a walk wider than the
  // index (it visits every element it reaches) the answers are the exact
  // ones (L2, COSINE: IP is no metric, the graph may not lead to every
  // answer); at EF_RUNTIME 10 recall stays near the
  // uncompressed index's (codes recomputed on load).
  const answers = async (stage) => {
    const hits = { c: 0, p: 0 };
    for (const type of TYPES)
      for (const metric of ['L2', 'IP', 'COSINE'])
        for (const q of queries[type]) {
          const all = new Map((await knn(db, `f_${type}_${metric}`, q, 200)).map((x) => [x.key, x.d]));
          const exact = await knn(db, `f_${type}_${metric}`, q, 10);
          const top = new Set(exact.map((x) => x.key));
          for (const ix of ['c', 'p'])
            for (const ef of [10, 200]) {
              const got = await knn(db, `${ix}_${type}_${metric}`, q, 10, ef);
              assert.equal(got.length, 10);
              for (const x of got) assert.equal(x.d, all.get(x.key), `${stage}: ${ix} ${type} ${metric} EF ${ef}: ${x.key} at its exact distance`);
              if (ef === 200 && metric !== 'IP')
                assert.deepEqual(got, exact, `${stage}: ${type} ${metric}: EF_RUNTIME 200 over ${all.size} documents`);
              if (ef === 10) for (const x of got) hits[ix] += top.has(x.key);
            }
        }
    assert.ok(hits.c >= hits.p - 0.01 * TYPES.length * 3 * 5 * 10, `${stage}: ${hits.c} of the exact answers found with SQ8 at EF_RUNTIME 10, ${hits.p} without`);
    return hits;
  };
  await answers('live');
  await db.save();
  for (const type of TYPES) {
    for (let i = 2; i < 150; i += 13) await db.hset(`${type}:${i}`, { v: blob(type) }); // journal
    await db.del(`${type}:3`);
  }
  await answers('journaled');
  await db.close();
  db = await open(opts);
  // The keys written after the save are indexed again in the background
  // once the store reopens: wait for it, then every answer is exact again.
  for (const name of await db.command('FT._LIST')) await db.indexReady(name);
  await answers('reopened');
  assert.deepEqual((await db.indexInfo('c_FLOAT16_L2')).attributes[0].index.algorithm.compression, 'SQ8');
  await db.close();
});

test('COMPRESSION SQ8: recall within 0.005 of the same graph uncompressed (EF_RUNTIME 10, 50)', async () => {
  const N = 3000;
  const DIM = 32;
  const NQ = 100;
  const base = clustered(N, DIM, { seed: 5 });
  const queries = clustered(NQ, DIM, { seed: 55 });
  const row = (m, i) => m.subarray(i * DIM, (i + 1) * DIM);
  const dbs = [];
  for (const extra of [[], ['COMPRESSION', 'SQ8']]) {
    const db = await open();
    await db.command('FT.CREATE', 'h', 'SCHEMA', 'v', ...hnsw('FLOAT32', DIM, 'L2', ['M', '8', 'EF_CONSTRUCTION', '64', ...extra]));
    await db.command('FT.CREATE', 'f', 'SCHEMA', 'v', 'VECTOR', 'FLAT', '6', 'TYPE', 'FLOAT32', 'DIM', String(DIM), 'DISTANCE_METRIC', 'L2');
    for (let i = 0; i < N; i++) await db.hset(`d${i}`, { v: row(base, i) });
    dbs.push(db);
  }
  for (const ef of [10, 50]) {
    const hits = [0, 0];
    for (let i = 0; i < NQ; i++) {
      const q = new Uint8Array(row(queries, i).slice().buffer);
      const truth = new Set((await knn(dbs[0], 'f', q, 10)).map((x) => x.key));
      for (const d of [0, 1]) for (const x of await knn(dbs[d], 'h', q, 10, ef)) hits[d] += truth.has(x.key);
    }
    const [plain, sq8] = hits.map((h) => h / (NQ * 10));
    assert.ok(sq8 >= plain - 0.005, `EF_RUNTIME ${ef}: recall ${sq8} with SQ8, ${plain} without`);
  }
  for (const db of dbs) await db.close();
});
