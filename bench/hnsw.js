// bench/hnsw.js - HNSW in one run, on the same data: Vessel (SIMD128
// build, through FT.SEARCH), hnswlib-wasm (Emscripten), edgevec (Rust
// WebAssembly) and hnswlib-node (native hnswlib addon); M = 16,
// EF_CONSTRUCTION = 200, single thread, k = 10.
//
// Datasets: mnist (9,000 base vectors, 1,000 held-out queries, L2) and
// 100,000 x 128 seeded clustered vectors (1,000 queries).  Ground truth:
// Vessel's exact FLAT index.  Prints build throughput, and for EF_RUNTIME
// 10, 20, 50, 100, 200 the recall@10 and queries/s of each library, plus
// Vessel's bytes per vector.
//
//   make bench-hnsw            (installs the peers: npm ci --prefix bench)
//   node bench/hnsw.js [--quick] [--no-edgevec]
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { open } from '../js/index.js';
import { clustered, mnist, pickRows, row, splitQueries } from './datasets.js';

const require = createRequire(import.meta.url);
const quick = process.argv.includes('--quick');
const withEdgevec = !process.argv.includes('--no-edgevec');
const M = 16;
const EFC = 200;
const EFS = [10, 20, 50, 100, 200];
const K = 10;

function datasets() {
  const mn = mnist();
  const { base, queries } = splitQueries(mn.n, 1000, 1);
  const pick = (rows) => pickRows(mn.vectors, 784, rows);
  const n = quick ? 20000 : 100000;
  return [
    { name: 'mnist 9,000 x 784 (L2)', dim: 784, base: pick(base), queries: pick(queries.slice(0, quick ? 300 : 1000)) },
    {
      name: `synthetic ${n.toLocaleString('en-US')} x 128 (L2)`,
      dim: 128,
      base: clustered(n, 128, { seed: 42 }),
      queries: clustered(quick ? 300 : 1000, 128, { seed: 4242 }),
    },
  ];
}

const count = (m, dim) => m.length / dim;

/** Exact top-K with Vessel's FLAT index. */
async function groundTruth(ds) {
  const db = await open();
  db.engine.exec(['FT.CREATE', 'gt', 'SCHEMA', 'v', 'VECTOR', 'FLAT', '6', 'TYPE', 'FLOAT32', 'DIM', String(ds.dim), 'DISTANCE_METRIC', 'L2']);
  for (let i = 0; i < count(ds.base, ds.dim); i++) db.engine.execRaw(['HSET', String(i), 'v', row(ds.base, ds.dim, i)]);
  const truth = [];
  for (let i = 0; i < count(ds.queries, ds.dim); i++) {
    const r = db.engine.exec(['FT.SEARCH', 'gt', `*=>[KNN ${K} @v $q]`, 'PARAMS', '2', 'q', row(ds.queries, ds.dim, i), 'NOCONTENT']);
    truth.push(new Set(r.slice(1).map(Number)));
  }
  await db.close();
  return truth;
}

function recallOf(truth, results) {
  let hit = 0;
  for (let i = 0; i < truth.length; i++) for (const id of results[i]) if (truth[i].has(id)) hit++;
  return hit / (truth.length * K);
}

/** Run queries; returns { qps, recall }. */
function measure(ds, truth, search) {
  const nq = count(ds.queries, ds.dim);
  for (let i = 0; i < Math.min(50, nq); i++) search(row(ds.queries, ds.dim, i)); // warm up
  const out = new Array(nq);
  const t = performance.now();
  for (let i = 0; i < nq; i++) out[i] = search(row(ds.queries, ds.dim, i));
  const qps = nq / ((performance.now() - t) / 1000);
  return { qps, recall: recallOf(truth, out) };
}

async function vessel(ds, truth) {
  const db = await open({ simd: true });
  const n = count(ds.base, ds.dim);
  db.engine.exec(['FT.CREATE', 'h', 'SCHEMA', 'v', 'VECTOR', 'HNSW', '12', 'TYPE', 'FLOAT32', 'DIM', String(ds.dim),
    'DISTANCE_METRIC', 'L2', 'M', String(M), 'EF_CONSTRUCTION', String(EFC), 'INITIAL_CAP', String(n)]);
  const t = performance.now();
  for (let i = 0; i < n; i++) db.engine.execRaw(['HSET', String(i), 'v', row(ds.base, ds.dim, i)]);
  const build = n / ((performance.now() - t) / 1000);
  const runs = EFS.map((ef) => measure(ds, truth, (q) => {
    const r = db.engine.exec(['FT.SEARCH', 'h', `*=>[KNN ${K} @v $q EF_RUNTIME ${ef}]`, 'PARAMS', '2', 'q', q, 'NOCONTENT']);
    return r.slice(1).map(Number);
  }));
  const info = await db.indexInfo('h');
  const bytes = info.attributes[0].user_indexed_memory / n;
  await db.close();
  return { name: 'Vessel (wasm SIMD128)', build, runs, bytes };
}

async function hnswlibWasm(ds, truth) {
  globalThis.window ??= globalThis;
  const factory = (await import('hnswlib-wasm/dist/hnswlib-317962d7.js')).default;
  const lib = await factory();
  const n = count(ds.base, ds.dim);
  const index = new lib.HierarchicalNSW('l2', ds.dim, '');
  index.initIndex(n, M, EFC, 100);
  const t = performance.now();
  for (let i = 0; i < n; i++) index.addPoint(row(ds.base, ds.dim, i), i, false);
  const build = n / ((performance.now() - t) / 1000);
  const runs = EFS.map((ef) => {
    index.setEfSearch(ef);
    return measure(ds, truth, (q) => index.searchKnn(q, K, undefined).neighbors);
  });
  return { name: 'hnswlib-wasm 0.8.2', build, runs };
}

async function hnswlibNode(ds, truth) {
  const { HierarchicalNSW } = require('hnswlib-node');
  const n = count(ds.base, ds.dim);
  const index = new HierarchicalNSW('l2', ds.dim);
  index.initIndex(n, M, EFC, 100);
  const base = Array.from({ length: n }, (_, i) => Array.from(row(ds.base, ds.dim, i)));
  const t = performance.now();
  for (let i = 0; i < n; i++) index.addPoint(base[i], i);
  const build = n / ((performance.now() - t) / 1000);
  const qs = new Map();
  const runs = EFS.map((ef) => {
    index.setEf(ef);
    return measure(ds, truth, (q) => {
      let a = qs.get(q.byteOffset);
      if (!a) qs.set(q.byteOffset, (a = Array.from(q))); // plain arrays, converted once (its API needs them)
      return index.searchKnn(a, K).neighbors;
    });
  });
  return { name: 'hnswlib-node 3.0.0 (native)', build, runs };
}

async function edgevec(ds, truth) {
  // edgevec logs a line per search that hits its traversal limit: mute it.
  const log = console.log;
  const warn = console.warn;
  console.log = console.warn = (...a) => (String(a[0]).includes('traversal limit') ? undefined : log(...a));
  try {
    return await edgevecRun(ds, truth);
  } finally {
    console.log = log;
    console.warn = warn;
  }
}

async function edgevecRun(ds, truth) {
  const mod = await import('edgevec');
  const wasm = readFileSync(join(dirname(require.resolve('edgevec')), 'edgevec_bg.wasm'));
  await mod.default({ module_or_path: wasm });
  const n = count(ds.base, ds.dim);
  let build = 0;
  const runs = [];
  for (const ef of EFS) {
    // ef_search is fixed when the index is built: build once per ef.
    const cfg = new mod.EdgeVecConfig(ds.dim);
    cfg.metric = 'l2';
    cfg.m = M;
    cfg.m0 = 2 * M;
    cfg.ef_construction = EFC;
    cfg.ef_search = ef;
    const index = new mod.EdgeVec(cfg);
    const ids = new Uint32Array(n);
    const t = performance.now();
    for (let i = 0; i < n; i++) ids[i] = index.insert(row(ds.base, ds.dim, i));
    if (!build) build = n / ((performance.now() - t) / 1000);
    const label = new Map();
    ids.forEach((id, i) => label.set(id, i));
    runs.push(measure(ds, truth, (q) => index.search(q, K).map((r) => label.get(r.id))));
    index.free?.();
  }
  return { name: 'edgevec 0.9.0', build, runs };
}

const fmt = (x) => Math.round(x).toLocaleString('en-US');
const best = (r) => {
  // Fastest setting reaching recall@10 >= 0.95.
  const ok = r.runs.filter((x) => x.recall >= 0.95);
  return ok.length ? Math.max(...ok.map((x) => x.qps)) : 0;
};

console.log(`HNSW M=${M} EF_CONSTRUCTION=${EFC} k=${K}, single thread; node ${process.version}, ${os.cpus()[0].model}, ${os.cpus().length} cores`);
let allOk = true;
for (const ds of datasets()) {
  const truth = await groundTruth(ds);
  const libs = [await vessel(ds, truth), await hnswlibWasm(ds, truth), await hnswlibNode(ds, truth)];
  if (withEdgevec) libs.push(await edgevec(ds, truth));
  console.log(`\n${ds.name}, ${truth.length} queries`);
  console.log(`| library | build vec/s | ${EFS.map((e) => `ef ${e}: recall / QPS`).join(' | ')} |`);
  console.log(`|---|---|${EFS.map(() => '---').join('|')}|`);
  for (const l of libs) {
    console.log(`| ${l.name} | ${fmt(l.build)} | ${l.runs.map((r) => `${r.recall.toFixed(3)} / ${fmt(r.qps)}`).join(' | ')} |`);
  }
  const [v, hw, hn] = libs;
  const limit = ds.dim * 4 + M * 8 + 64;
  console.log(`Vessel bytes per vector: ${v.bytes.toFixed(1)} (target <= ${limit})`);
  const checks = [
    [best(v) >= 2 * best(hw), `QPS at recall>=0.95 >= 2x hnswlib-wasm (${(best(v) / best(hw)).toFixed(2)}x)`],
    [best(v) >= best(hn), `QPS at recall>=0.95 >= 1x hnswlib-node (${(best(v) / best(hn)).toFixed(2)}x)`],
    [v.build >= 2 * hw.build, `build >= 2x hnswlib-wasm (${(v.build / hw.build).toFixed(2)}x)`],
    [v.build >= hn.build, `build >= 1x hnswlib-node (${(v.build / hn.build).toFixed(2)}x)`],
    [v.bytes <= limit, `bytes per vector <= dim*4 + M*8 + 64`],
  ];
  for (const [ok, what] of checks) {
    console.log(`  ${ok ? 'PASS' : 'MISS'}  ${what}`);
    allOk &&= ok;
  }
}
process.exitCode = allOk ? 0 : 1;
