// bench/scale.js - a million vectors: 1,000,000 x 128 seeded clustered
// float32 (bench/datasets.js clustered(), the generator and seeds of the
// 100,000 x 128 set), 1,000 queries, k = 10, L2, single thread, M 16,
// EF_CONSTRUCTION 200; Vessel (SIMD128 build, through FT.SEARCH) against
// usearch 2.25.3 (native), each in its own child process:
//   - build vectors/s and the process RSS growth of the build;
//   - recall@10 and queries/s (median of passes) at EF_RUNTIME 10, 50,
//     100, 200, 500 (usearch: expansion_search is fixed when an index is
//     made, so the built index is saved once and loaded into a new index
//     per ef);
//   - Vessel twice: on the full vectors, and with COMPRESSION SQ8 (the
//     graph walked on 8-bit codes, candidates re-ranked on the full
//     vectors; --no-sq8 skips it), both against the same usearch run;
//   - Vessel: the store lives in a directory (open({ dir }), journal on,
//     durability 'no'); db.save(), close, open again in the same process:
//     save and load times, the files' size, the same answers after the
//     reload.
// Ground truth: exact, by a plain C scan (bench/flat_plain.c, gcc -O3
// -march=native), cached in bench/.cache/.
// Checks (issue 15), for each Vessel run: build and QPS at ef 10/50/100/200
// >= 1.5x usearch's, recall within 0.01 of usearch's at every ef, RSS
// growth <= 1.2x usearch's.
// A MISS is a finding: the exit status is non-zero only when something
// crashed.
//
//   make bench-scale           (installs the peers first)
//   node bench/scale.js [--n 100000] [--nq 1000] [--no-sq8]
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { clustered, row } from './datasets.js';
import { fmt, MB, needGc, recallOf, reply, rss, runChild, timePasses } from './measure.js';

needGc();
const here = dirname(fileURLToPath(import.meta.url));
const script = fileURLToPath(import.meta.url);
const argOf = (name, dflt) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const N = Number(argOf('--n', 1000000));
const NQ = Number(argOf('--nq', 1000));
const DIM = 128;
const M = 16;
const EFC = 200;
const K = 10;
const EFS = [10, 50, 100, 200, 500];
const cache = join(here, '.cache');
mkdirSync(cache, { recursive: true });

const data = () => ({ base: clustered(N, DIM, { seed: 42 }), queries: clustered(NQ, DIM, { seed: 4242 }) });
const log = (...a) => console.error(`[${new Date().toISOString().slice(11, 19)}]`, ...a);

// ---- children ------------------------------------------------------------------

async function vesselChild(sq8) {
  const { open } = await import('../js/node.js');
  const { base, queries } = data();
  const dir = join(cache, `scale-${N}-store`);
  rmSync(dir, { recursive: true, force: true });
  const opts = { dir, simd: true, durability: 'no', autosave: false };
  let db = await open(opts);
  const extra = sq8 ? ['COMPRESSION', 'SQ8'] : [];
  db.engine.exec(['FT.CREATE', 'h', 'SCHEMA', 'v', 'VECTOR', 'HNSW', String(12 + extra.length), 'TYPE', 'FLOAT32', 'DIM', String(DIM),
    'DISTANCE_METRIC', 'L2', 'M', String(M), 'EF_CONSTRUCTION', String(EFC), 'INITIAL_CAP', String(N), ...extra]);
  const before = await rss();
  const t = performance.now();
  const BATCH = 1000;
  for (let i = 0; i < N; i += BATCH) {
    const cmds = [];
    for (let j = i; j < Math.min(N, i + BATCH); j++) cmds.push(['HSET', String(j), 'v', row(base, DIM, j)]);
    await db.pipeline(cmds);
    if ((i + BATCH) % 100000 === 0) log(`vessel: ${i + BATCH} vectors, ${fmt((i + BATCH) / ((performance.now() - t) / 1000))}/s`);
  }
  const buildS = (performance.now() - t) / 1000;
  const after = await rss();
  const search = (d, ef) => (i) =>
    d.engine.exec(['FT.SEARCH', 'h', `*=>[KNN ${K} @v $q EF_RUNTIME ${ef}]`, 'PARAMS', '2', 'q', row(queries, DIM, i), 'NOCONTENT'])
      .slice(1).map(Number);
  const runs = EFS.map((ef) => {
    const r = timePasses(NQ, search(db, ef));
    log(`vessel: ef ${ef}: ${fmt(r.qps)} QPS (${r.passes} passes)`);
    return r;
  });
  const usedMemory = db.usedMemory();
  let ts = performance.now();
  await db.save();
  const saveMs = performance.now() - ts;
  const bytes = readdirSync(dir).reduce((s, f) => s + statSync(join(dir, f)).size, 0);
  await db.close();
  db = null;
  ts = performance.now();
  db = await open(opts);
  await db.indexReady('h');
  const loadMs = performance.now() - ts;
  // The reopened store answers as the saved one did (every query, ef 50).
  const again = timePasses(NQ, search(db, 50), { minPasses: 1, maxPasses: 1, minMs: 0 }).results;
  const same = again.filter((ids, i) => ids.join() === runs[1].results[i].join()).length;
  const afterReload = await rss();
  await db.close();
  rmSync(dir, { recursive: true, force: true });
  reply({
    name: `Vessel${sq8 ? ' + COMPRESSION SQ8' : ''} (wasm SIMD128)`, build: N / buildS, rssGrowth: after - before, afterReload: afterReload - before, usedMemory,
    runs: runs.map((r) => ({ qps: r.qps, passes: r.passes, results: r.results })),
    saveMs, loadMs, bytes, same,
  });
}

async function usearchChild() {
  const require = createRequire(import.meta.url);
  const { Index } = require('usearch');
  const { base, queries } = data();
  const make = (ef) => new Index({ dimensions: DIM, metric: 'l2sq', connectivity: M, expansion_add: EFC, expansion_search: ef });
  const keys = BigUint64Array.from({ length: N }, (_, i) => BigInt(i));
  let index = make(EFS[0]);
  const before = await rss();
  const t = performance.now();
  const BATCH = 50000;
  for (let i = 0; i < N; i += BATCH) {
    const end = Math.min(N, i + BATCH);
    index.add(keys.subarray(i, end), base.subarray(i * DIM, end * DIM), 1);
    if (end % 100000 === 0) log(`usearch: ${end} vectors, ${fmt(end / ((performance.now() - t) / 1000))}/s`);
  }
  const buildS = (performance.now() - t) / 1000;
  const after = await rss();
  const file = join(cache, `scale-${N}.usearch`);
  let ts = performance.now();
  index.save(file);
  const saveMs = performance.now() - ts;
  const bytes = statSync(file).size;
  index = null;
  await rss();
  const runs = [];
  let loadMs = 0;
  for (const ef of EFS) {
    index = make(ef);
    ts = performance.now();
    index.load(file);
    loadMs ||= performance.now() - ts;
    const r = timePasses(NQ, (i) => Array.from(index.search(row(queries, DIM, i), K, 1).keys, Number));
    log(`usearch: ef ${ef}: ${fmt(r.qps)} QPS (${r.passes} passes)`);
    runs.push({ qps: r.qps, passes: r.passes, results: r.results });
    index = null;
    await rss();
  }
  rmSync(file, { force: true });
  reply({ name: 'usearch 2.25.3 (native)', build: N / buildS, rssGrowth: after - before, runs, saveMs, loadMs, bytes });
}

// ---- the parent ----------------------------------------------------------------------

/** Exact top-K of every query (cached): a plain C scan over the float32 rows. */
function groundTruth() {
  const file = join(cache, `scale-${N}-${NQ}.truth.u32`);
  if (!existsSync(file)) {
    const { base, queries } = data();
    const bin = join(here, '..', 'build', 'bench', 'flat_plain');
    mkdirSync(dirname(bin), { recursive: true });
    execFileSync('gcc', ['-std=gnu11', '-O3', '-march=native', '-o', bin, join(here, 'flat_plain.c')]);
    const b = join(cache, `scale-${N}.base.f32`);
    const q = join(cache, `scale-${N}-${NQ}.queries.f32`);
    writeFileSync(b, base);
    writeFileSync(q, queries);
    log('ground truth: exact scan...');
    execFileSync(bin, [b, String(N), String(DIM), q, String(NQ), String(K), file]);
    rmSync(b);
    rmSync(q);
  }
  const buf = readFileSync(file);
  const ids = new Uint32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
  return Array.from({ length: NQ }, (_, i) => ids.subarray(i * K, (i + 1) * K));
}

async function main() {
  console.log(`Scale: ${fmt(N)} x ${DIM} float32 (clustered, seed 42), ${fmt(NQ)} queries, k=${K}, L2, M=${M}, ` +
    `EF_CONSTRUCTION=${EFC}, single thread, each library in its own process; node ${process.version}, ` +
    `${os.cpus()[0].model.trim()}, ${os.cpus().length} cores`);
  const truth = groundTruth();
  const sizes = ['--n', String(N), '--nq', String(NQ)];
  const vessels = [];
  for (const kind of process.argv.includes('--no-sq8') ? ['vessel'] : ['vessel', 'vessel-sq8']) {
    log(`${kind}...`);
    vessels.push(await runChild(script, ['--child', kind, ...sizes]));
  }
  log('usearch...');
  const u = await runChild(script, ['--child', 'usearch', ...sizes]);
  for (const l of [...vessels, u]) for (const r of l.runs) r.recall = recallOf(truth, r.results, K);

  console.log(`\n| library | build vec/s | RSS growth | ${EFS.map((e) => `ef ${e}: recall / QPS`).join(' | ')} |`);
  console.log(`|---|---|---|${EFS.map(() => '---').join('|')}|`);
  for (const l of [...vessels, u]) {
    console.log(`| ${l.name} | ${fmt(l.build)} | ${fmt(l.rssGrowth / MB)} MB | ` +
      `${l.runs.map((r) => `${r.recall.toFixed(3)} / ${fmt(r.qps)}`).join(' | ')} |`);
  }
  for (const v of vessels) {
    console.log(`\n${v.name}: engine memory ${fmt(v.usedMemory / MB)} MB; db.save() ${fmt(v.saveMs)} ms, ` +
      `open + index ready ${fmt(v.loadMs)} ms, files ${fmt(v.bytes / MB)} MB; after the reload ${v.same}/${NQ} queries ` +
      `(ef 50) answer as before; RSS growth after the reload ${fmt(v.afterReload / MB)} MB`);
  }
  console.log(`usearch: save ${fmt(u.saveMs)} ms, load ${fmt(u.loadMs)} ms, file ${fmt(u.bytes / MB)} MB`);

  for (const v of vessels) {
    const checks = [
      [v.build >= 1.5 * u.build, `build >= 1.5x usearch (${(v.build / u.build).toFixed(2)}x)`],
      ...EFS.filter((e) => e <= 200).map((ef) => {
        const i = EFS.indexOf(ef);
        const x = v.runs[i].qps / u.runs[i].qps;
        return [x >= 1.5, `QPS at ef ${ef} >= 1.5x usearch (${x.toFixed(2)}x)`];
      }),
      ...EFS.map((ef, i) => {
        const d = v.runs[i].recall - u.runs[i].recall;
        return [d >= -0.01, `recall at ef ${ef} within 0.01 of usearch (${d >= 0 ? '+' : ''}${d.toFixed(3)})`];
      }),
      [v.rssGrowth <= 1.2 * u.rssGrowth, `RSS growth <= 1.2x usearch (${(v.rssGrowth / u.rssGrowth).toFixed(2)}x)`],
      [v.same === NQ, 'the reloaded store answers every query as before'],
    ];
    console.log(`\n${v.name}:`);
    for (const [ok, what] of checks) console.log(`  ${ok ? 'PASS' : 'MISS'}  ${what}`);
  }
}

const child = argOf('--child');
if (child === 'vessel' || child === 'vessel-sq8') await vesselChild(child === 'vessel-sq8');
else if (child === 'usearch') await usearchChild();
else await main();
