// bench/browser.js - browser storage and many tabs, in Debian's Chromium
// (headless, driven by playwright-core), one run:
//   - the 100,000 x 128 snapshot of bench/persist.js (seeded clustered
//     float32 vectors in HNSW, M 16, EF_CONSTRUCTION 200, a TAG and a
//     NUMERIC field per hash) saved and loaded through OPFS (synchronous
//     access handles in a Web Worker) and IndexedDB (the same worker):
//     the storage's own write and read, open() (load, ready for queries)
//     and save(), as MB/s of the snapshot's bytes, medians of REPS runs;
//   - many tabs on one store (js/tabs.js): the time from a second tab's
//     openShared() to its first search answer, against the first tab's
//     (which loads the store); and the round trip of a command forwarded
//     by a follower tab against the same command in the owner tab (local,
//     through its worker), means of CALLS sequential calls.
//
//   node bench/browser.js [--quick]
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { open } from '../js/node.js';
import { concat } from '../js/bytes.js';
import { HAVE_CHROMIUM, newPage, startBrowser } from '../tests/browser/chromium.js';
import { clustered, row } from './datasets.js';

const here = dirname(fileURLToPath(import.meta.url));
const quick = process.argv.includes('--quick');
const N = quick ? 20000 : 100000;
const DIM = 128;
const REPS = quick ? 2 : 3;
const CALLS = quick ? 300 : 2000;
const MB = 1e6;

const fmt = (x, d = 0) => x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

if (!HAVE_CHROMIUM) {
  console.log('bench/browser.js: chromium is not installed (make deps installs it)');
  process.exit(0);
}

// ---- the snapshot (built in Node: the same engine) -------------------------------
const CREATE = ['FT.CREATE', 'idx', 'PREFIX', '1', 'doc:', 'SCHEMA', 'v', 'VECTOR', 'HNSW', '10', 'TYPE', 'FLOAT32', 'DIM', String(DIM),
  'DISTANCE_METRIC', 'L2', 'M', '16', 'EF_CONSTRUCTION', '200', 'tag', 'TAG', 'n', 'NUMERIC'];
const data = clustered(N, DIM, { seed: 42 });
const db = await open({ seed: 1 });
db.engine.exec(CREATE);
for (let i = 0; i < N; i++) db.engine.execRaw(['HSET', `doc:${i}`, 'v', row(data, DIM, i), 'tag', `c${i % 100}`, 'n', String(i % 1000)]);
const probe = Array.from(row(data, DIM, 123));
const expected = db.engine.exec(['FT.SEARCH', 'idx', '*=>[KNN 10 @v $q]', 'PARAMS', '2', 'q', new Float32Array(probe), 'NOCONTENT']).join(',');
db.engine.saveBegin();
const parts = [];
for (let c; (c = db.engine.saveNext(1 << 20)).length; ) parts.push(c);
db.engine.saveEnd();
await db.close();
const snapshot = concat(parts);
const rel = 'build/bench-browser/snapshot.vsnap';
mkdirSync(join(here, '..', 'build', 'bench-browser'), { recursive: true });
writeFileSync(join(here, '..', rel), snapshot);
const sizeMB = snapshot.length / MB;

const env = await startBrowser();
const errors = [];
try {
  const context = await env.browser.newContext();
  const page = await newPage(context, errors);
  await page.goto(`${env.url}bench/browser.html`);
  await page.waitForFunction(() => document.title === 'ready');

  // ---- storage: OPFS against IndexedDB ------------------------------------------
  const out = await page.evaluate(
    (msg) =>
      new Promise((resolve) => {
        const w = new Worker('/bench/browser-storage-worker.js', { type: 'module' });
        w.onmessage = ({ data }) => {
          w.terminate();
          resolve(data);
        };
        w.postMessage(msg);
      }),
    { url: `/${rel}`, kinds: ['opfs', 'indexeddb'], reps: REPS, probe },
  );
  if (out.error) throw new Error(out.error);
  console.log(`Browser storage: ${fmt(N)} x ${DIM} float32 in HNSW (M 16, EF_CONSTRUCTION 200) + TAG + NUMERIC, ` +
    `snapshot ${fmt(sizeMB, 1)} MB; Chromium ${out.userAgent} headless, node ${process.version}, ` +
    `${os.cpus()[0].model.trim()}, ${os.cpus().length} cores; medians of ${REPS} runs in one module worker\n`);
  console.log('| storage | write (storage only) | read (storage only) | save (db.save) | load (open, ready to query) |');
  console.log('|---|---|---|---|---|');
  const rate = (ms) => `${fmt(sizeMB / (ms / 1000))} MB/s (${fmt(ms)} ms)`;
  const figures = {};
  for (const [kind, runs] of Object.entries(out.results)) {
    for (const r of runs) if (r.knn !== expected) throw new Error(`${kind}: the loaded store answers differently`);
    const m = (k) => median(runs.map((r) => r[k]));
    figures[kind] = { write: m('writeMs'), read: m('readMs'), save: m('saveMs'), open: m('openMs') };
    const f = figures[kind];
    console.log(`| ${kind === 'opfs' ? 'OPFS (sync access handles)' : 'IndexedDB'} | ${rate(f.write)} | ${rate(f.read)} | ${rate(f.save)} | ${rate(f.open)} |`);
  }
  const o = figures.opfs;
  const i = figures.indexeddb;
  console.log(`\nOPFS / IndexedDB: save ${fmt(i.save / o.save, 2)}x, load ${fmt(i.open / o.open, 2)}x, ` +
    `raw write ${fmt(i.write / o.write, 2)}x, raw read ${fmt(i.read / o.read, 2)}x`);

  // ---- many tabs --------------------------------------------------------------
  const tabs = await import('./browser-tabs.js');
  await tabs.run({ context, url: env.url, errors, snapshotUrl: `/${rel}`, probe, expected, calls: CALLS, newPage });
} finally {
  await env.close();
}
if (errors.length) {
  console.error(errors.join('\n'));
  process.exit(1);
}
