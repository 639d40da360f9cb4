// storage/indexeddb.js - a storage adapter over IndexedDB (browsers, Web
// Workers; fake-indexeddb under Node for tests).
//
// Blobs are stored as chunks under a fresh id ("chunks": [id, i] -> bytes);
// "meta" maps a blob name to { id, chunks, size }.  write() puts the new
// chunks first, then swaps the name to the new id and deletes the old
// chunks in one transaction: a tab closed mid-write leaves the previous
// blob intact (and orphan chunks, collected on the next open).  append()
// adds a chunk and bumps the count in one transaction, committed with
// strict durability when asked.  lock(): one writer per store across tabs,
// with the Web Locks API.
//
// Quota: a write that fails deletes the chunks it put at once (the old
// blob stays current); an append is one transaction (it aborts whole).
// Either throws code VESSEL_QUOTA when the storage is full.

import { blobId, isQuota, quotaError, regroup, rewritePrefix, webLock } from './chunks.js';

const DB_VERSION = 1;
const RECORD = 4 << 20; // bytes per stored chunk of a written blob
const BATCH = 1; // chunks per read request (the next one is prefetched)
const INFLIGHT = 2; // chunk writes in flight

function req(r) {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

function done(tx) {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error ?? new Error('vessel: IndexedDB transaction aborted'));
  });
}

const toBytes = (v) => (v instanceof Uint8Array ? v : new Uint8Array(v));

export class IndexedDBStorage {
  /**
   * @param {string} name store name (the IndexedDB database is "vessel:" + name)
   * @param {{ indexedDB?: IDBFactory, IDBKeyRange?: typeof IDBKeyRange, locks?: LockManager }} [opts]
   *   injectable (fake-indexeddb in tests)
   */
  constructor(name, opts = {}) {
    this.name = name;
    this.idb = opts.indexedDB ?? globalThis.indexedDB;
    this.keyRange = opts.IDBKeyRange ?? globalThis.IDBKeyRange;
    this.locks = opts.locks ?? globalThis.navigator?.locks;
    if (!this.idb) throw new Error('vessel: IndexedDB is not available here');
    this.dbp = null;
    this.strict = true;
  }

  db() {
    if (!this.dbp) {
      const r = this.idb.open(`vessel:${this.name}`, DB_VERSION);
      r.onupgradeneeded = () => {
        const db = r.result;
        if (!db.objectStoreNames.contains('meta')) db.createObjectStore('meta');
        if (!db.objectStoreNames.contains('chunks')) db.createObjectStore('chunks');
      };
      this.dbp = req(r).then(async (db) => {
        await this.collect(db);
        return db;
      });
    }
    return this.dbp;
  }

  tx(db, stores, mode, strict = false) {
    return db.transaction(stores, mode, { durability: strict ? 'strict' : 'relaxed' });
  }

  /** The key range of every chunk of blob version `id`. */
  chunksOf(id) {
    return this.keyRange.bound([id, 0], [id, Infinity]);
  }

  /** Delete chunks no blob refers to (left by an interrupted write). */
  async collect(db) {
    const tx = this.tx(db, ['meta', 'chunks'], 'readwrite');
    const meta = tx.objectStore('meta');
    const live = new Set((await req(meta.getAll())).map((m) => m.id));
    const chunks = tx.objectStore('chunks');
    const keys = await req(chunks.getAllKeys());
    const dead = new Set(keys.map((k) => k[0]).filter((id) => !live.has(id)));
    for (const id of dead) chunks.delete(this.chunksOf(id));
    await done(tx);
  }

  async meta(name) {
    const db = await this.db();
    return req(this.tx(db, ['meta'], 'readonly').objectStore('meta').get(name));
  }

  async read(name) {
    const m = await this.meta(name);
    if (!m) return null;
    const db = await this.db();
    const self = this;
    // Chunks are fetched BATCH at a time (one getAll), the next batch
    // while the caller consumes this one: at most 2 x BATCH chunks held.
    const batch = (i) => {
      const last = Math.min(i + BATCH, m.chunks) - 1;
      const range = self.keyRange.bound([m.id, i], [m.id, last]);
      return req(self.tx(db, ['chunks'], 'readonly').objectStore('chunks').getAll(range)).then((got) => {
        if (got.length !== last - i + 1) throw new Error(`vessel: IndexedDB blob ${name} is missing chunks ${i}-${last}`);
        return got;
      });
    };
    return (async function* () {
      let next = m.chunks ? batch(0) : null;
      for (let i = 0; i < m.chunks; i += BATCH) {
        const got = await next;
        next = i + BATCH < m.chunks ? batch(i + BATCH) : null;
        next?.catch(() => {}); // reported when awaited
        for (const c of got) yield toBytes(c);
      }
    })();
  }

  async write(name, chunks) {
    const db = await this.db();
    const id = blobId(name);
    try {
      await this.writeChunks(db, name, id, chunks);
    } catch (e) {
      // The old blob is still current: free what was put of the new one.
      const tx = this.tx(db, ['chunks'], 'readwrite');
      tx.objectStore('chunks').delete(this.chunksOf(id));
      await done(tx).catch(() => {}); // else collected at the next open
      throw isQuota(e) ? quotaError(`the IndexedDB store "${this.name}"`, `write ${name}`, e) : e;
    }
  }

  async writeChunks(db, name, id, chunks) {
    let n = 0;
    let size = 0;
    // Incoming chunks are gathered into records of RECORD bytes (fewer,
    // larger values read and write faster), one transaction per record,
    // up to INFLIGHT of them pipelined (put() clones the bytes at once).
    const inflight = [];
    try {
      for await (const record of regroup(chunks, RECORD)) {
        const tx = this.tx(db, ['chunks'], 'readwrite');
        tx.objectStore('chunks').put(record, [id, n++]);
        size += record.length;
        inflight.push(done(tx));
        if (inflight.length >= INFLIGHT) await inflight.shift();
      }
    } finally {
      await Promise.allSettled(inflight);
    }
    await Promise.all(inflight);
    // The swap: one transaction makes the new blob current.
    const tx = this.tx(db, ['meta', 'chunks'], 'readwrite', true);
    const meta = tx.objectStore('meta');
    const old = await req(meta.get(name));
    meta.put({ id, chunks: n, size }, name);
    if (old) tx.objectStore('chunks').delete(this.chunksOf(old.id));
    await done(tx);
  }

  async append(name, bytes) {
    const db = await this.db();
    const tx = this.tx(db, ['meta', 'chunks'], 'readwrite', this.strict);
    const meta = tx.objectStore('meta');
    try {
      let m = await req(meta.get(name));
      if (!m) m = { id: blobId(name), chunks: 0, size: 0 };
      tx.objectStore('chunks').put(bytes, [m.id, m.chunks]);
      meta.put({ id: m.id, chunks: m.chunks + 1, size: m.size + bytes.length }, name);
      await done(tx); // committed (strictly durable with strict)
    } catch (e) {
      // One transaction: aborted whole, the blob is as it was.
      throw isQuota(e) ? quotaError(`the IndexedDB store "${this.name}"`, `append ${bytes.length} bytes to ${name}`, e) : e;
    }
  }

  async sync() {}

  truncate(name, length) {
    return rewritePrefix(this, name, length);
  }

  async size(name) {
    const m = await this.meta(name);
    return m ? m.size : null;
  }

  async list() {
    const db = await this.db();
    return req(this.tx(db, ['meta'], 'readonly').objectStore('meta').getAllKeys());
  }

  async delete(name) {
    const db = await this.db();
    const tx = this.tx(db, ['meta', 'chunks'], 'readwrite');
    const meta = tx.objectStore('meta');
    const m = await req(meta.get(name));
    if (m) {
      meta.delete(name);
      tx.objectStore('chunks').delete(this.chunksOf(m.id));
    }
    await done(tx);
  }

  /** One writer per store across tabs and workers (Web Locks). */
  lock() {
    return webLock(this.locks, `vessel:${this.name}`, this.name);
  }

  async close() {
    if (this.dbp) (await this.dbp).close();
    this.dbp = null;
  }

  /** Remove the whole store (the demo's reset button). */
  static async destroy(name, idb = globalThis.indexedDB) {
    await req(idb.deleteDatabase(`vessel:${name}`));
  }

  /** True when the store `name` exists and holds a blob; never creates its database. */
  static async holdsData(name, idb = globalThis.indexedDB) {
    if (!idb) return false;
    if (typeof idb.databases === 'function') {
      const dbs = await idb.databases();
      if (!dbs.some((d) => d.name === `vessel:${name}`)) return false;
    }
    const db = await new Promise((resolve, reject) => {
      const r = idb.open(`vessel:${name}`);
      r.onupgradeneeded = () => r.transaction.abort(); // it did not exist: leave it so
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => (r.error?.name === 'AbortError' ? resolve(null) : reject(r.error));
    });
    if (!db) return false;
    try {
      if (!db.objectStoreNames.contains('meta')) return false;
      return (await req(db.transaction(['meta'], 'readonly').objectStore('meta').count())) > 0;
    } finally {
      db.close();
    }
  }
}
