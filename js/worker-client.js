// worker-client.js - a store whose engine runs in a Web Worker, with the
// same async API as the in-thread Vessel (js/vessel.js): the page never
// runs engine work, so it never freezes, whatever is being indexed.
//
//   import { openWorker } from 'vessel/worker';
//   const db = await openWorker({ storage: { browser: 'my-store' } });
//   db.storage; // { kind: 'opfs', mode: 'sync', why: '...' }: what was chosen
//   await db.hset('doc:1', { vec: new Float32Array([1, 2, 3]) });
//   await db.indexReady('idx', { onProgress: (p) => bar.value = p.percent });
//
// Arguments and results cross by structured clone; typed arrays in
// results are transferred.  Errors keep their class (ReplyError for error
// replies) and message.  onChange(fn) calls fn after writes (coalesced:
// one call may stand for many writes), as the worker reports them.

import { Multi } from './multi.js';
import { checkSource, chunksOf, sizeOf } from './rdb.js';
import { ReplyError } from './resp.js';
import { CHANGE_WATCH, FORWARDED } from './worker-methods.js';

/** An error as it crossed postMessage ({ message, name, code }), rebuilt with its class. */
export function rebuildError(e) {
  const err = e.name === 'ReplyError' ? new ReplyError(e.message) : new Error(e.message);
  if (e.code !== undefined) err.code = e.code;
  return err;
}

export class VesselWorker {
  /** @param {Worker} worker */
  constructor(worker) {
    this.worker = worker;
    this.next = 1;
    this.pending = new Map(); // id -> { resolve, reject, onProgress }
    this.closed = false;
    this.build = undefined;
    this.readOnly = false;
    this.loadReport = null;
    this.changeListeners = new Set();
    this.watching = null; // the CHANGE_WATCH call, once onChange was first used
    worker.onmessage = ({ data }) => {
      if (data.event === 'change') {
        for (const fn of [...this.changeListeners]) fn();
        return;
      }
      const p = this.pending.get(data.id);
      if (!p) return;
      if ('progress' in data) {
        p.onProgress?.(data.progress);
        return;
      }
      this.pending.delete(data.id);
      if (data.error) p.reject(rebuildError(data.error));
      else p.resolve(data.result);
    };
    worker.onerror = (ev) => {
      const err = new Error(`vessel worker: ${ev.message ?? 'failed'}`);
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
  }

  call(method, args = [], onProgress) {
    if (this.closed) return Promise.reject(new Error('vessel: the store is closed'));
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, onProgress });
      this.worker.postMessage({ id, method, args, progress: !!onProgress });
    });
  }

  /**
   * Many commands in one message: [[name, ...args], ...] -> replies
   * (ReplyError in place of errors); { binary: true } for Uint8Array bulks.
   */
  async pipeline(commands, { binary = false } = {}) {
    const out = await this.call('pipeline', [commands, { errorsAsValues: true, binary }]);
    return out.map((r) => (r && r.__vesselError ? rebuildError(r.__vesselError) : r));
  }

  /**
   * One transaction (MULTI ... EXEC) in one message: the replies
   * (ReplyError in place of run-time errors), null when a WATCH aborted it.
   */
  async execMulti(commands, { binary = false } = {}) {
    const out = await this.call('execMulti', [commands, { errorsAsValues: true, binary }]);
    return out && out.map((r) => (r && r.__vesselError ? rebuildError(r.__vesselError) : r));
  }

  /**
   * A transaction builder, as Vessel.multi(): the commands are queued on
   * the page and cross in one execMulti message.
   */
  multi() {
    return new Multi(this);
  }

  /**
   * Call fn() after writes to the store (coalesced: one call may stand for
   * many writes, and comes after them).  Returns the function that stops it.
   */
  onChange(fn) {
    if (typeof fn !== 'function') throw new TypeError('vessel: onChange needs a function');
    this.changeListeners.add(fn);
    this.watching ??= this.call(CHANGE_WATCH).catch(() => {});
    return () => {
      this.changeListeners.delete(fn);
    };
  }

  /** Resolve when the index has finished backfilling; onProgress gets each step. */
  indexReady(name, { onProgress } = {}) {
    return this.call('indexReady', [name], onProgress);
  }

  /**
   * The store as an RDB file, in chunks fetched from the worker one at a
   * time (writes wait until the last one is taken or the loop is left).
   */
  async *exportRdb({ chunkSize, onProgress } = {}) {
    const tid = await this.call('exportRdb', [{ chunkSize }]);
    let bytes = 0;
    let done = false;
    try {
      for (;;) {
        const chunk = await this.call('rdbExportNext', [tid]);
        if (!chunk) {
          done = true;
          return;
        }
        bytes += chunk.length;
        onProgress?.({ bytes });
        yield chunk;
      }
    } finally {
      if (!done && !this.closed) await this.call('rdbExportEnd', [tid]).catch(() => {});
    }
  }

  /** Load an RDB file (see Vessel.importRdb): its chunks cross to the worker one at a time. */
  async importRdb(source, { replace = false, size, onProgress } = {}) {
    checkSource(source);
    const total = size ?? sizeOf(source);
    const tid = await this.call('importRdb', [{ replace, size: total }]);
    let bytes = 0;
    let fed = false; // true once the worker's import is known to be over (failed feed)
    try {
      for await (const chunk of chunksOf(source)) {
        const copy = chunk.slice(); // the page's source keeps its bytes
        fed = true;
        await this.call('rdbImportFeed', [tid, copy]);
        fed = false;
        bytes += copy.length;
        onProgress?.({ bytes, size: total });
      }
    } catch (e) {
      // A failed feed ended the worker's import; a failed source must end it
      // too, or the worker's store would hold writes back for good.
      if (!fed && !this.closed) await this.call('rdbImportAbort', [tid, e?.message ?? String(e)]).catch(() => {});
      throw e;
    }
    return this.call('rdbImportEnd', [tid]);
  }

  /** Close the store (flushing its journal) and end the worker. */
  async close() {
    if (this.closed) return;
    try {
      await this.call('close');
    } finally {
      this.closed = true;
      this.worker.terminate();
    }
  }
}

// The forwarded methods (command, hset, search ...; js/worker-methods.js):
// each sends its arguments to the worker's store as they are.
for (const method of FORWARDED) {
  Object.defineProperty(VesselWorker.prototype, method, {
    value(...args) {
      return this.call(method, args);
    },
    writable: true,
    configurable: true,
  });
}

/**
 * Open a store in a new module Web Worker.  Options are those of open()
 * (js/index.d.ts), except `storage`, which is described rather than
 * given: { opfs: 'name' } (OPFSStorage, sync access handles),
 * { indexeddb: 'name' }, { browser: 'name' } (OPFS where the worker can
 * use it, except when an IndexedDB store of that name holds data and no
 * OPFS store of that name exists; else IndexedDB) or 'memory'.  The store's
 * `storage` (and `loadReport.storage`) says what was chosen and why:
 * { kind: 'opfs'|'indexeddb'|'memory', mode?: 'sync'|'async', why }.
 * @param {object} [options]
 * @param {{ worker?: Worker }} [how] an already created worker running js/worker.js
 */
export async function openWorker(options = {}, { worker } = {}) {
  const w = worker ?? new Worker(new URL('./worker.js', import.meta.url), { type: 'module', name: 'vessel' });
  const db = new VesselWorker(w);
  try {
    const info = await db.call('open', [options]);
    Object.assign(db, info);
  } catch (e) {
    w.terminate();
    throw e;
  }
  return db;
}

export { ReplyError };
