// bench/hnsw-ab.js - two builds of the engine against each other on the
// same HNSW workload, runs interleaved (A B A B ...) so that a machine
// whose speed drifts (a shared VM: 10-30% between minutes here) moves both
// alike.  For a change to the graph code: build the engine before and
// after it (`make all`, copy wasm/vessel.simd.wasm aside), then
//
//   node bench/hnsw-ab.js A.wasm B.wasm [--ds synthetic|mnist] [--n 100000] [--rounds 2] [--type FLOAT32]
//
// Each round builds the index in a fresh child process per build (M 16,
// EF_CONSTRUCTION 200, one HSET per vector, as bench/hnsw.js), then
// measures recall@10 against the exact answers (FLAT, computed once) and
// queries/s (median of 5 passes over the queries) at EF_RUNTIME 10, 20,
// 50, 100.  Prints one line per build and round.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { open } from '../js/index.js';
import { asType, clustered, mnist, pickRows, splitQueries } from './datasets.js';
import { fmt, recallOf, reply, runChild } from './measure.js';

const script = fileURLToPath(import.meta.url);
const argOf = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const DS = argOf('--ds', 'synthetic');
const N = Number(argOf('--n', 100000));
const TYPE = argOf('--type', 'FLOAT32');
const ROUNDS = Number(argOf('--rounds', 2));
const EFS = [10, 20, 50, 100];
const K = 10;

function dataset() {
  if (DS === 'mnist') {
    const cache = join(dirname(script), '.cache', 'mnist-split-1.f32'); // written by bench/hnsw.js
    let base, queries;
    try {
      const b = readFileSync(cache);
      const all = new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
      base = all.subarray(0, 9000 * 784);
      queries = all.subarray(9000 * 784);
    } catch {
      const mn = mnist();
      const split = splitQueries(mn.n, 1000, 1);
      base = pickRows(mn.vectors, 784, split.base);
      queries = pickRows(mn.vectors, 784, split.queries);
    }
    return { dim: 784, ...asType(base, queries, TYPE) };
  }
  return { dim: 128, ...asType(clustered(N, 128, { seed: 42 }), clustered(1000, 128, { seed: 4242 }), TYPE) };
}

const rows = (bytes, rb) => Array.from({ length: bytes.length / rb }, (_, i) => bytes.subarray(i * rb, (i + 1) * rb));

async function truth() {
  const d = dataset();
  const rb = d.dim * d.size;
  const db = await open({ simd: true });
  db.engine.exec(['FT.CREATE', 'g', 'SCHEMA', 'v', 'VECTOR', 'FLAT', '6', 'TYPE', TYPE, 'DIM', String(d.dim), 'DISTANCE_METRIC', 'L2']);
  rows(d.base, rb).forEach((v, i) => db.engine.execRaw(['HSET', String(i), 'v', v]));
  const t = rows(d.queries, rb).map((q) =>
    db.engine.exec(['FT.SEARCH', 'g', `*=>[KNN ${K} @v $q]`, 'PARAMS', '2', 'q', q, 'NOCONTENT']).slice(1).map(Number));
  await db.close();
  return t;
}

async function child(wasm) {
  const d = dataset();
  const rb = d.dim * d.size;
  const base = rows(d.base, rb);
  const queries = rows(d.queries, rb);
  const db = await open({ wasm, simd: true });
  db.engine.exec(['FT.CREATE', 'h', 'SCHEMA', 'v', 'VECTOR', 'HNSW', '12', 'TYPE', TYPE, 'DIM', String(d.dim),
    'DISTANCE_METRIC', 'L2', 'M', '16', 'EF_CONSTRUCTION', '200', 'INITIAL_CAP', String(base.length)]);
  let start = performance.now();
  base.forEach((v, i) => db.engine.execRaw(['HSET', String(i), 'v', v]));
  const build = base.length / ((performance.now() - start) / 1000);
  const runs = [];
  for (const ef of EFS) {
    const qps = [];
    let results;
    for (let pass = 0; pass < 5; pass++) {
      start = performance.now();
      const got = queries.map((q) => db.engine.exec(['FT.SEARCH', 'h', `*=>[KNN ${K} @v $q EF_RUNTIME ${ef}]`,
        'PARAMS', '2', 'q', q, 'NOCONTENT']).slice(1).map(Number));
      qps.push(queries.length / ((performance.now() - start) / 1000));
      results ??= got;
    }
    qps.sort((a, b) => a - b);
    runs.push({ ef, qps: qps[2], results });
  }
  await db.close();
  reply({ build, runs });
}

async function main() {
  const [a, b] = process.argv.slice(2).filter((x, i, all) => !x.startsWith('--') && !all[i - 1]?.startsWith('--'));
  if (!a || !b) throw new Error('usage: node bench/hnsw-ab.js A.wasm B.wasm [--ds synthetic|mnist] [--n N] [--rounds R] [--type T]');
  const t = await truth();
  console.log(`${DS === 'mnist' ? 'mnist 9,000 x 784' : `synthetic ${fmt(N)} x 128`} ${TYPE}, ${t.length} queries, ` +
    `M 16, EF_CONSTRUCTION 200; recall@10 / QPS (median of 5 passes)`);
  for (let round = 1; round <= ROUNDS; round++) {
    for (const w of [a, b]) {
      const r = await runChild(script, ['--child', w, '--ds', DS, '--n', String(N), '--type', TYPE]);
      const cols = r.runs.map((x) => `ef ${x.ef} ${recallOf(t, x.results, K).toFixed(3)} / ${fmt(x.qps)}`);
      console.log(`round ${round} ${w === a ? 'A' : 'B'} ${w.split('/').pop()}: build ${fmt(r.build)}/s | ${cols.join(' | ')}`);
    }
  }
}

const ci = process.argv.indexOf('--child');
if (ci > 0) await child(process.argv[ci + 1]);
else await main();
