// storage/memory.js - a storage adapter that keeps blobs in memory: for
// tests and ephemeral stores.  Implements the storage interface of
// docs/persistence.md: read, write (atomic), append, sync, truncate,
// list, delete.
//
// A quota ({ quota: bytes }) makes it behave as a full browser storage
// does under the storage contract: a write or append that would pass it
// changes nothing and throws code 'VESSEL_QUOTA'; raising `quota` later
// (or deleting blobs) makes room again.

import { prefix, quotaError } from './chunks.js';

const copy = (c) => (c instanceof Uint8Array ? c.slice() : new Uint8Array(c));
const sizeOf = (chunks) => chunks.reduce((n, c) => n + c.length, 0);

export class MemoryStorage {
  /** @param {{ quota?: number }} [opts] quota: bytes all blobs together may hold */
  constructor(opts = {}) {
    this.blobs = new Map(); // name -> Uint8Array[] (chunks)
    this.quota = opts.quota ?? Infinity;
  }

  /** Throw the quota error when `extra` more bytes would not fit. */
  #room(extra) {
    let used = 0;
    for (const chunks of this.blobs.values()) used += sizeOf(chunks);
    if (used + extra > this.quota) {
      throw quotaError(`the MemoryStorage (quota ${this.quota} bytes, ${used} used)`, `take ${extra} more bytes`);
    }
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
    this.#room(sizeOf(out) - sizeOf(this.blobs.get(name) ?? []));
    this.blobs.set(name, out); // visible only once complete
  }

  async append(name, bytes) {
    this.#room(bytes.length);
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
    return chunks ? sizeOf(chunks) : null;
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
