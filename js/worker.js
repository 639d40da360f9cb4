// worker.js - the engine inside a Web Worker (module worker).  The page
// talks to it through js/worker-client.js, which gives the same async API
// as an in-thread store; this file only answers its messages.
//
// Message in:  { id, method, args, progress? }
// Message out: { id, result } | { id, error: { message, name, code } } |
//              { id, progress }   (indexReady's onProgress)
// Typed arrays in results are transferred, not copied.
//
// A storage cannot cross postMessage, so the worker builds it from a
// description: { storage: { indexeddb: 'name' } } or { storage: 'memory' }.

import { MemoryStorage } from './storage/memory.js';
import { IndexedDBStorage } from './storage/indexeddb.js';
import { open } from './vessel.js';
import { WORKER_METHODS } from './worker-methods.js';

/** The methods the page may call (everything else is refused). */
const METHODS = new Set(WORKER_METHODS);

let db = null;
let opening = null;

function storageFrom(desc) {
  if (!desc) return undefined;
  if (desc === 'memory') return new MemoryStorage();
  if (typeof desc === 'object' && typeof desc.indexeddb === 'string') return new IndexedDBStorage(desc.indexeddb);
  throw new TypeError('vessel worker: storage must be { indexeddb: name } or "memory"');
}

/** Buffers of typed arrays in a result, to transfer. */
function transferables(v, out = [], depth = 0) {
  if (depth > 6 || v === null || typeof v !== 'object') return out;
  if (ArrayBuffer.isView(v)) {
    if (v.byteOffset === 0 && v.byteLength === v.buffer.byteLength && !out.includes(v.buffer)) out.push(v.buffer);
    return out;
  }
  for (const k in v) transferables(v[k], out, depth + 1);
  return out;
}

function errorOf(e) {
  return { message: e?.message ?? String(e), name: e?.name ?? 'Error', code: e?.code };
}

async function handle({ id, method, args = [], progress }) {
  if (method === 'open') {
    if (opening) throw new Error('vessel worker: already open');
    const [options = {}] = args;
    opening = open({ ...options, storage: storageFrom(options.storage) });
    db = await opening;
    return { build: db.build, readOnly: db.readOnly, loadReport: db.loadReport };
  }
  if (!db) throw new Error('vessel worker: the store is not open');
  if (!METHODS.has(method)) throw new Error(`vessel worker: unknown method ${method}`);
  if (method === 'indexReady' && progress) {
    return db.indexReady(args[0], { onProgress: (p) => self.postMessage({ id, progress: p }) });
  }
  const result = await db[method](...args);
  if (method === 'close') self.close?.();
  return result;
}

self.onmessage = async ({ data }) => {
  try {
    const result = await handle(data);
    self.postMessage({ id: data.id, result }, transferables(result));
  } catch (e) {
    self.postMessage({ id: data.id, error: errorOf(e) });
  }
};
