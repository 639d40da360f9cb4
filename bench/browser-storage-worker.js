// bench/browser-storage-worker.js - run by bench/browser.js in Chromium,
// as a module Web Worker (where OPFS's synchronous access handles are):
// one snapshot, saved and loaded through each browser storage.
//
// Message in: { url, kinds, reps, probe } (or { install, kind, url }: see
// install()).  For each kind ('opfs',
// 'indexeddb') and each repetition: the storage emptied; the snapshot
// file written as a store's snapshot (the storage's own write, timed);
// open() on it (read, parse, ready for queries: the load, timed, checked
// by a KNN query); save() (the engine's stream into the storage: the
// save, timed); a raw read of the saved blob (timed).  Message out:
// { results: { kind: [{ writeMs, openMs, saveMs, readMs, bytes, knn }] } }.

import { open } from '../js/index.js';
import { IndexedDBStorage } from '../js/storage/indexeddb.js';
import { OPFSStorage } from '../js/storage/opfs.js';

const STORES = {
  opfs: { make: (n) => new OPFSStorage(n), destroy: (n) => OPFSStorage.destroy(n) },
  indexeddb: { make: (n) => new IndexedDBStorage(n), destroy: (n) => IndexedDBStorage.destroy(n) },
};
const utf8 = new TextEncoder();
const utf8d = new TextDecoder();
const CHUNK = 1 << 20;

function* chunks(bytes) {
  for (let o = 0; o < bytes.length; o += CHUNK) yield bytes.subarray(o, o + CHUNK);
}

async function readAll(storage, name) {
  let n = 0;
  for await (const c of await storage.read(name)) n += c.length;
  return n;
}

async function once(kind, bytes, probe) {
  const { make, destroy } = STORES[kind];
  const name = 'bench-storage';
  await destroy(name);
  // The snapshot as a store's first snapshot, written by the storage alone.
  let storage = make(name);
  let t = performance.now();
  await storage.write('snapshot-000001.vsnap', chunks(bytes));
  const writeMs = performance.now() - t;
  await storage.write('journal-000001.aof', []);
  const manifest = { version: 1, seq: 1, snapshot: 'snapshot-000001.vsnap', journal: 'journal-000001.aof', savedAt: Date.now(), journalFormat: 2 };
  await storage.write('MANIFEST', [utf8.encode(JSON.stringify(manifest))]);
  await storage.close();
  // The load: open() reads and parses it, ready for queries.
  t = performance.now();
  const db = await open({ storage: make(name), autosave: false });
  const openMs = performance.now() - t;
  const knn = (await db.command('FT.SEARCH', 'idx', '*=>[KNN 10 @v $q]', 'PARAMS', '2', 'q', probe, 'NOCONTENT')).join(',');
  // The save: the engine's stream into the storage, swapped in.
  t = performance.now();
  await db.save();
  const saveMs = performance.now() - t;
  await db.close();
  // A raw read of the blob just saved.
  storage = make(name);
  const m = JSON.parse(utf8d.decode((await (await storage.read('MANIFEST')).next()).value));
  t = performance.now();
  const read = await readAll(storage, m.snapshot);
  const readMs = performance.now() - t;
  await storage.close();
  await destroy(name);
  if (read !== bytes.length) throw new Error(`${kind}: read ${read} bytes of ${bytes.length}`);
  return { writeMs, openMs, saveMs, readMs, bytes: bytes.length, knn };
}

/** { install: name, kind, url }: the snapshot as store `name`'s, for the many-tabs part. */
async function install({ install: name, kind, url }) {
  const bytes = new Uint8Array(await (await fetch(url)).arrayBuffer());
  await STORES[kind].destroy(name);
  const storage = STORES[kind].make(name);
  await storage.write('snapshot-000001.vsnap', chunks(bytes));
  await storage.write('journal-000001.aof', []);
  const manifest = { version: 1, seq: 1, snapshot: 'snapshot-000001.vsnap', journal: 'journal-000001.aof', savedAt: Date.now(), journalFormat: 2 };
  await storage.write('MANIFEST', [utf8.encode(JSON.stringify(manifest))]);
  await storage.close();
  return { installed: bytes.length };
}

self.onmessage = async ({ data }) => {
  try {
    if (data.install) {
      self.postMessage(await install(data));
      return;
    }
    const bytes = new Uint8Array(await (await fetch(data.url)).arrayBuffer());
    const probe = new Float32Array(data.probe);
    const results = {};
    for (const kind of data.kinds) {
      results[kind] = [];
      for (let i = 0; i < data.reps; i++) results[kind].push(await once(kind, bytes, probe));
    }
    self.postMessage({ results, userAgent: navigator.userAgent.match(/Chrome\/[\d.]+/)?.[0] });
  } catch (e) {
    self.postMessage({ error: `${e.name}: ${e.message}` });
  }
};
