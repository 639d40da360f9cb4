// bench/persist.js - snapshot save and load for 100,000 x 128 vectors
// (seeded clustered float32) in an HNSW index (M 16, EF_CONSTRUCTION 200),
// with a TAG and a NUMERIC field per document:
//   - in memory (the engine's chunked save/load through the ABI, 1 MiB
//     chunks copied out to / in from JS), MB/s;
//   - Node, files (js/storage/files.js: write, fsync, rename; read back);
//   - Chromium, IndexedDB (js/storage/indexeddb.js; Debian's chromium via
//     playwright-core), same snapshot;
//   - the snapshot's size against the raw data (keys and fields, vectors,
//     graph links), and load time against building the index from scratch.
// Targets (issue 5): load >= 20x faster than a rebuild; save and load
// >= 500 MB/s in memory; size <= 1.1x the raw data.
//
//   node bench/persist.js [--quick] [--no-browser]
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { concat } from '../js/bytes.js';
import { open } from '../js/node.js';
import { clustered, row } from './datasets.js';

const here = dirname(fileURLToPath(import.meta.url));
const quick = process.argv.includes('--quick');
const browser = !process.argv.includes('--no-browser');
const N = quick ? 20000 : 100000;
const DIM = 128;
const M = 16;
const MB = 1e6;
const work = join(here, '..', 'build', 'bench-persist');
rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });

const ms = (t) => performance.now() - t;
const fmt = (x, d = 0) => x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

const CREATE = ['FT.CREATE', 'idx', 'PREFIX', '1', 'doc:', 'SCHEMA', 'v', 'VECTOR', 'HNSW', '10', 'TYPE', 'FLOAT32', 'DIM', String(DIM),
  'DISTANCE_METRIC', 'L2', 'M', String(M), 'EF_CONSTRUCTION', '200', 'tag', 'TAG', 'n', 'NUMERIC'];

const data = clustered(N, DIM, { seed: 42 });
const docs = [];
let keyFieldBytes = 0;
for (let i = 0; i < N; i++) {
  const key = `doc:${i}`;
  const tag = `c${i % 100}`;
  const n = String(i % 1000);
  docs.push([key, tag, n]);
  keyFieldBytes += key.length + 1 + DIM * 4 + 3 + tag.length + 1 + n.length; // key, v, tag, n with their names
}

/** Build the store from scratch: FT.CREATE, then HSET every document (indexed as written). */
async function build() {
  const db = await open({ seed: 1 });
  const t = performance.now();
  db.engine.exec(CREATE);
  for (let i = 0; i < N; i++) {
    const [key, tag, n] = docs[i];
    db.engine.execRaw(['HSET', key, 'v', row(data, DIM, i), 'tag', tag, 'n', n]);
  }
  return { db, ms: ms(t) };
}

function saveToMemory(engine) {
  const t = performance.now();
  engine.saveBegin();
  const chunks = [];
  for (let c; (c = engine.saveNext(1 << 20)).length; ) chunks.push(c);
  engine.saveEnd();
  const time = ms(t);
  return { chunks, size: chunks.reduce((s, c) => s + c.length, 0), ms: time };
}

async function loadFromMemory(chunks, size) {
  const db = await open();
  const t = performance.now();
  db.engine.loadBegin(size);
  for (const c of chunks) db.engine.loadFeed(c);
  db.engine.loadEnd();
  const loaded = ms(t);
  while (db.engine.step(1 << 20));
  return { db, ms: loaded, readyMs: ms(t) };
}

/** Raw bytes of the graph: every element's layer-0 list (count + 2M ids), upper lists (count + M ids). */
function graphBytes(snapshot) {
  // Walk the sections (docs/snapshot-format.md) to the HNSW one and read its levels.
  const dv = new DataView(snapshot.buffer, snapshot.byteOffset, snapshot.byteLength);
  let off = 16;
  for (;;) {
    const type = dv.getUint32(off, true);
    const len = Number(dv.getBigUint64(off + 4, true));
    if (type === 5) {
      const p = off + 12;
      const count = dv.getUint32(p + 16, true);
      let upper = 0;
      for (let i = 0; i < count; i++) upper += snapshot[p + 52 + i];
      return { layer0: count * (4 + 8 * M), upper: upper * (4 + 4 * M) };
    }
    if (type === 0xffffffff) throw new Error('no hnsw section');
    off += 12 + len + 8;
  }
}


async function browserBench(snapshotPath) {
  const { HAVE_CHROMIUM, startBrowser } = await import('../tests/browser/chromium.js');
  if (!HAVE_CHROMIUM) return null;
  const env = await startBrowser();
  try {
    const page = await env.browser.newPage();
    page.on('console', (m) => m.type() === 'error' && console.error('page:', m.text()));
    await page.goto(`${env.url}bench/persist-idb.html`);
    await page.waitForFunction(() => document.title === 'ready');
    const saved = await page.evaluate((url) => window.benchSave(url), `/${snapshotPath}`);
    await page.reload(); // the next visit
    await page.waitForFunction(() => document.title === 'ready');
    return { ...saved, ...(await page.evaluate(() => window.benchOpen())) };
  } finally {
    await env.close();
  }
}

console.log(`Snapshots: ${fmt(N)} x ${DIM} float32 in HNSW (M ${M}, EF_CONSTRUCTION 200) + TAG + NUMERIC; ` +
  `node ${process.version}, ${os.cpus()[0].model.trim()}, ${os.cpus().length} cores\n`);

const built = await build();
console.log(`build from scratch (FT.CREATE + HSET, indexed as written): ${fmt(built.ms)} ms`);
const probe = row(data, DIM, 123);
const knn = (db) => db.engine.exec(['FT.SEARCH', 'idx', '*=>[KNN 10 @v $q]', 'PARAMS', '2', 'q', probe, 'NOCONTENT']).join(',');
const expected = knn(built.db);

// In memory.
const saves = [];
let snap;
for (let i = 0; i < 3; i++) saves.push((snap = saveToMemory(built.db.engine)).ms);
const saveMs = Math.min(...saves);
const loads = [];
let loaded;
for (let i = 0; i < 3; i++) {
  loaded = await loadFromMemory(snap.chunks, snap.size);
  loads.push(loaded);
  if (i < 2) await loaded.db.close();
}
const best = loads.reduce((a, b) => (a.ms < b.ms ? a : b));
if (knn(loaded.db) !== expected) throw new Error('the loaded store answers differently');
await loaded.db.close();
const sizeMB = snap.size / MB;
console.log(`snapshot: ${fmt(sizeMB, 1)} MB`);
console.log(`in memory: save ${fmt(saveMs)} ms (${fmt(sizeMB / (saveMs / 1000))} MB/s), ` +
  `load ${fmt(best.ms)} ms (${fmt(sizeMB / (best.ms / 1000))} MB/s), ready for queries with TAG/NUMERIC rebuilt ${fmt(best.readyMs)} ms`);

// Size against the raw data.
const bytes = concat(snap.chunks);
const g = graphBytes(bytes);
const vectors = N * DIM * 4;
const raw = keyFieldBytes + vectors + g.layer0 + g.upper;
console.log(`raw data: keys and fields ${fmt(keyFieldBytes / MB, 1)} MB (vector blobs included), index vectors ${fmt(vectors / MB, 1)} MB, ` +
  `graph ${fmt((g.layer0 + g.upper) / MB, 1)} MB = ${fmt(raw / MB, 1)} MB; snapshot / raw = ${fmt(snap.size / raw, 3)}x`);

// Files (Node).
const dir = join(work, 'files');
const fdb = await open({ dir, autosave: false });
fdb.engine.loadBegin(snap.size);
for (const c of snap.chunks) fdb.engine.loadFeed(c);
fdb.engine.loadEnd();
let t = performance.now();
await fdb.save();
const fileSaveMs = ms(t);
await fdb.close();
// Opened by a fresh process, as a restart would (best of 3).
const opener = `import { open } from ${JSON.stringify(new URL('../js/node.js', import.meta.url).href)};
const t = performance.now(); const db = await open({ dir: ${JSON.stringify(dir)} }); const ms = performance.now() - t;
const q = new Float32Array(${JSON.stringify(Array.from(probe))});
const knn = db.engine.exec(['FT.SEARCH', 'idx', '*=>[KNN 10 @v $q]', 'PARAMS', '2', 'q', q, 'NOCONTENT']).join(',');
console.log(JSON.stringify({ ms, knn })); await db.close();`;
let fileLoadMs = Infinity;
for (let i = 0; i < 3; i++) {
  const out = JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', opener], { encoding: 'utf8' }));
  if (out.knn !== expected) throw new Error('the reopened store answers differently');
  fileLoadMs = Math.min(fileLoadMs, out.ms);
}
console.log(`files (Node): save ${fmt(fileSaveMs)} ms (${fmt(sizeMB / (fileSaveMs / 1000))} MB/s, with fsync), ` +
  `open in a new process ${fmt(fileLoadMs)} ms (${fmt(sizeMB / (fileLoadMs / 1000))} MB/s)`);

// IndexedDB (Chromium).
let idb = null;
if (browser) {
  const rel = 'build/bench-persist/snapshot.vsnap';
  writeFileSync(join(here, '..', rel), bytes);
  idb = await browserBench(rel);
  if (idb) {
    if (idb.knn !== expected) throw new Error('Chromium answers differently');
    console.log(`IndexedDB (Chromium ${idb.userAgent}): save ${fmt(idb.saveMs)} ms (${fmt(sizeMB / (idb.saveMs / 1000))} MB/s), ` +
      `open after a reload ${fmt(idb.openMs)} ms (${fmt(sizeMB / (idb.openMs / 1000))} MB/s; reading the blob alone ` +
      `${fmt(idb.readMs)} ms), in-page load from memory ${fmt(idb.memLoadMs)} ms; ` +
      `the same index built from scratch in the page: ${fmt(idb.rebuildMs)} ms`);
  } else {
    console.log('IndexedDB: chromium not installed, skipped');
  }
}

const check = (cond, what) => console.log(`  ${cond ? 'PASS' : 'MISS'}  ${what}`);
console.log('');
check(built.ms >= 20 * best.readyMs && built.ms >= 20 * fileLoadMs && (!idb || idb.rebuildMs >= 20 * idb.openMs), `load >= 20x faster than a rebuild (${fmt(built.ms / best.readyMs, 0)}x in memory, ` +
  `${fmt(built.ms / fileLoadMs, 0)}x from files${idb ? `, ${fmt(idb.rebuildMs / idb.openMs, 0)}x from IndexedDB against a rebuild in Chromium` : ''})`);
check(sizeMB / (saveMs / 1000) >= 500, `save >= 500 MB/s in memory (${fmt(sizeMB / (saveMs / 1000))})`);
check(sizeMB / (best.ms / 1000) >= 500, `load >= 500 MB/s in memory (${fmt(sizeMB / (best.ms / 1000))})`);
check(snap.size <= 1.1 * raw, `snapshot <= 1.1x raw data (${fmt(snap.size / raw, 3)}x)`);
await built.db.close();
