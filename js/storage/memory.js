// storage/memory.js - a storage adapter that keeps blobs in memory: for
// tests and ephemeral stores.  Implements the storage interface of
// docs/persistence.md: read, write (atomic), append, sync, truncate,
// list, delete.

import { prefix } from './chunks.js';

const copy = (c) => (c instanceof Uint8Array ? c.slice() : new Uint8Array(c));

export class MemoryStorage {
  constructor() {
    this.blobs = new Map(); // name -> Uint8Array[] (chunks)
  }

  async read(name) {
    const chunks = this.blobs.get(name);
    if (!chunks) return null;
    return (async function* () {
      for (const c of chunks) yield c;
    })();
  }

  async write(name, chunks) {
    const out = [];
    for await (const c of chunks) out.push(copy(c));
    this.blobs.set(name, out); // visible only once complete
  }

  async append(name, bytes) {
    let chunks = this.blobs.get(name);
    if (!chunks) this.blobs.set(name, (chunks = []));
    chunks.push(copy(bytes));
  }

  async sync() {}

  async truncate(name, length) {
    const chunks = this.blobs.get(name);
    if (!chunks) return;
    this.blobs.set(name, await prefix(chunks, length));
  }

  async size(name) {
    const chunks = this.blobs.get(name);
    return chunks ? chunks.reduce((n, c) => n + c.length, 0) : null;
  }

  async list() {
    return [...this.blobs.keys()];
  }

  async delete(name) {
    this.blobs.delete(name);
  }

  /** One writer per MemoryStorage: a second lock() rejects with VESSEL_LOCKED until release. */
  async lock() {
    if (this.locked) {
      const e = new Error('vessel: this MemoryStorage is open in another store');
      e.code = 'VESSEL_LOCKED';
      throw e;
    }
    this.locked = true;
    let released = false;
    return {
      release: () => {
        if (!released) this.locked = false;
        released = true;
      },
    };
  }

  async close() {}
}
