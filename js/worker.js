// worker.js - the engine inside a Web Worker (module worker).  The page
// talks to it through js/worker-client.js, which gives the same async API
// as an in-thread store; this file only answers its messages.
//
// Message in:  { id, method, args, progress? }
// Message out: { id, result } | { id, error: { message, name, code } } |
//              { id, progress }   (indexReady's onProgress) |
//              { event: 'change' } (after writes, once the page sent
//              'watchChanges'; coalesced: at most one per CHANGE_MS)
// Typed arrays in results are transferred, not copied.
//
// A storage cannot cross postMessage, so the worker builds it from a
// description (storageFrom): { opfs: 'name' }, { indexeddb: 'name' },
// { browser: 'name' } (OPFS when usable, else IndexedDB) or 'memory'.  The
// open reply says what was chosen: storage: { kind, mode?, why }, also
// in loadReport.storage.

import { MemoryStorage } from './storage/memory.js';
import { IndexedDBStorage } from './storage/indexeddb.js';
import { OPFSStorage } from './storage/opfs.js';
import { open } from './vessel.js';
import { CHANGE_WATCH, RDB_STEPS, WORKER_METHODS } from './worker-methods.js';

/** The methods the page may call (everything else is refused), and the change watch. */
const METHODS = new Set([...WORKER_METHODS, CHANGE_WATCH]);

let db = null;
let opening = null;
let chosen = null; // the storage the open chose: { kind, mode?, why }
const transfers = new Map(); // RDB transfer id -> export generator, or import { push, done }

/** Change events: the store's journal feed (db.replicate) marks a change;
 * one { event: 'change' } message goes out per CHANGE_MS at most, after
 * the writes it reports were made (a trailing, coalescing timer). */
const CHANGE_MS = 10;
let changeTimer = null;
let unwatch = null;
function changed() {
  changeTimer ??= setTimeout(() => {
    changeTimer = null;
    self.postMessage({ event: 'change' });
  }, CHANGE_MS);
}

/** An async iterable fed by messages: each push resolves once its chunk was taken. */
function feedQueue() {
  const chunks = [];
  let wake = null;
  let ended = false;
  let failed = null;
  const kick = () => {
    wake?.();
    wake = null;
  };
  return {
    push(chunk) {
      return new Promise((taken) => {
        chunks.push({ chunk, taken });
        kick();
      });
    },
    end() {
      ended = true;
      kick();
    },
    /** The page's source failed: the import fails with this error. */
    fail(error) {
      failed = error;
      kick();
    },
    async *[Symbol.asyncIterator]() {
      for (;;) {
        if (failed) {
          throw failed;
        } else if (chunks.length) {
          const { chunk, taken } = chunks.shift();
          taken();
          yield chunk;
        } else if (ended) {
          return;
        } else {
          await new Promise((r) => (wake = r));
        }
      }
    },
  };
}

/** The steps of an RDB transfer (js/worker-client.js drives them). */
async function rdbStep(method, [tid, arg]) {
  const t = transfers.get(tid);
  if (!t) throw new Error('vessel worker: no such RDB transfer');
  if (method === 'rdbExportNext') {
    const r = await t.next();
    if (r.done) transfers.delete(tid);
    return r.done ? null : r.value;
  }
  if (method === 'rdbExportEnd') {
    transfers.delete(tid);
    await t.return();
    return null;
  }
  if (method === 'rdbImportFeed') {
    try {
      await Promise.race([t.queue.push(arg), t.done]);
    } catch (e) {
      transfers.delete(tid); // the import failed: its end is this error
      throw e;
    }
    return null;
  }
  transfers.delete(tid);
  if (method === 'rdbImportAbort') {
    t.queue.fail(new Error(`vessel: the RDB source failed on the page: ${arg}`));
    await t.done.catch(() => {});
    return null;
  }
  // rdbImportEnd
  t.queue.end();
  const report = await t.done;
  if (unwatch) changed(); // an import is not journaled: the feed did not see it
  return report;
}

/** Why OPFS with sync access handles cannot be used here, or null when it can. */
async function opfsUnavailable() {
  if (!OPFSStorage.syncAvailable()) return 'OPFS sync access handles are not available in this context';
  try {
    await navigator.storage.getDirectory();
  } catch (e) {
    return `OPFS is not available (${e?.message ?? e})`;
  }
  return null;
}

const DESCRIPTIONS = "{ opfs: 'name' }, { indexeddb: 'name' }, { browser: 'name' } or 'memory'";

/**
 * The storage a description names, and what was chosen:
 * { storage, info: { kind, mode?, why } }.
 *   'memory'; { indexeddb: name }; { opfs: name };
 *   { browser: name }: OPFS when this worker can use sync access handles,
 *   except when an IndexedDB store of that name holds data and no OPFS store
 *   of that name exists (existing data is never hidden); else IndexedDB.
 */
async function storageFrom(desc) {
  if (desc === undefined || desc === null) return { storage: undefined, info: { kind: 'memory', why: 'no storage was asked for' } };
  if (desc === 'memory') return { storage: new MemoryStorage(), info: { kind: 'memory', why: "asked for 'memory'" } };
  const keys = desc && typeof desc === 'object' && !Array.isArray(desc) ? Object.keys(desc) : [];
  if (keys.length !== 1 || !['opfs', 'indexeddb', 'browser'].includes(keys[0]) || typeof desc[keys[0]] !== 'string' || !desc[keys[0]]) {
    let shown;
    try {
      shown = JSON.stringify(desc);
    } catch {
      shown = String(desc);
    }
    throw new TypeError(`vessel worker: storage must be ${DESCRIPTIONS} (a non-empty store name); got ${shown}`);
  }
  const [kind] = keys;
  const name = desc[kind];
  const idb = (why) => ({ storage: new IndexedDBStorage(name), info: { kind: 'indexeddb', why } });
  const opfs = (why) => {
    const storage = new OPFSStorage(name);
    return { storage, info: { kind: 'opfs', mode: storage.mode, why } };
  };
  if (kind === 'indexeddb') return idb('asked for IndexedDB');
  if (kind === 'opfs') return opfs('asked for OPFS');
  // { browser }: automatic.
  const no = await opfsUnavailable();
  if (no) return idb(`${no}: IndexedDB instead`);
  if (await OPFSStorage.exists(name)) return opfs('an OPFS store of this name exists');
  if (await IndexedDBStorage.holdsData(name)) return idb('an IndexedDB store of this name holds data (no OPFS store of this name exists)');
  return opfs('OPFS with sync access handles is available here');
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
    opening = storageFrom(options.storage).then(({ storage, info }) => {
      chosen = info;
      return open({ ...options, storage });
    });
    try {
      db = await opening;
    } catch (e) {
      opening = null; // a failed open may be retried (another tab still held the store)
      throw e;
    }
    const loadReport = db.loadReport ? { ...db.loadReport, storage: chosen } : null;
    return { build: db.build, readOnly: db.readOnly, loadReport, storage: chosen };
  }
  if (!db) throw new Error('vessel worker: the store is not open');
  if (RDB_STEPS.includes(method)) return rdbStep(method, args);
  if (!METHODS.has(method)) throw new Error(`vessel worker: unknown method ${method}`);
  if (method === 'exportRdb') {
    transfers.set(id, db.exportRdb({ chunkSize: args[0]?.chunkSize }));
    return id;
  }
  if (method === 'importRdb') {
    const queue = feedQueue();
    const done = db.importRdb(queue, { replace: args[0]?.replace, size: args[0]?.size });
    done.catch(() => {}); // reported by rdbImportEnd (or the feed that meets it)
    transfers.set(id, { queue, done });
    return id;
  }
  if (method === CHANGE_WATCH) {
    unwatch ??= db.replicate(changed);
    return null;
  }
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
