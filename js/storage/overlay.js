// storage/overlay.js - a writable storage layered over a read-only one.
//
// Reads look in `upper` first, then in `base`; every write, append,
// truncate and delete goes to `upper`.  The edge uses it to open a store
// from a snapshot shipped with the worker (SnapshotStorage) and keep new
// writes in a key-value binding (KVStorage):
//
//   const storage = new OverlayStorage(new SnapshotStorage(bytes), new KVStorage(env.KV));
//
// The first open reads the shipped snapshot and starts a journal in the
// binding; after the first save the binding holds a complete store of its
// own and the shipped snapshot is no longer read.  A blob deleted from
// `upper` that also exists in `base` is hidden by a tombstone list kept in
// `upper` (blob OVERLAY-DELETED).

import { collect } from './chunks.js';

const utf8 = new TextEncoder();
const utf8d = new TextDecoder();
const TOMBSTONES = 'OVERLAY-DELETED';

export class OverlayStorage {
  /**
   * @param {object} base read-only storage (reads only)
   * @param {object} upper writable storage
   */
  constructor(base, upper) {
    this.base = base;
    this.upper = upper;
    this.hidden = null; // Set of names deleted from base's view
  }

  async tombstones() {
    if (!this.hidden) {
      const src = await this.upper.read(TOMBSTONES);
      const text = src ? utf8d.decode(await collect(src)) : '';
      this.hidden = new Set(text ? JSON.parse(text) : []);
    }
    return this.hidden;
  }

  async read(name) {
    const r = await this.upper.read(name);
    if (r) return r;
    if ((await this.tombstones()).has(name)) return null;
    return this.base.read(name);
  }

  async size(name) {
    const n = await this.upper.size(name);
    if (n !== null && n !== undefined) return n;
    if ((await this.tombstones()).has(name)) return null;
    return this.base.size ? this.base.size(name) : null;
  }

  write(name, chunks) {
    return this.upper.write(name, chunks);
  }

  append(name, bytes) {
    return this.upper.append(name, bytes);
  }

  sync(name) {
    return this.upper.sync(name);
  }

  async truncate(name, length) {
    if ((await this.upper.size(name)) !== null) return this.upper.truncate(name, length);
    const src = await this.read(name);
    if (!src) return undefined;
    await this.upper.write(name, [await collect(src)]);
    return this.upper.truncate(name, length);
  }

  async list() {
    const hidden = await this.tombstones();
    const names = new Set((await this.base.list()).filter((n) => !hidden.has(n)));
    for (const n of await this.upper.list()) if (n !== TOMBSTONES) names.add(n);
    return [...names];
  }

  async delete(name) {
    await this.upper.delete(name);
    const inBase = this.base.size ? (await this.base.size(name)) !== null : true;
    const hidden = await this.tombstones();
    if (inBase && !hidden.has(name)) {
      hidden.add(name);
      await this.upper.write(TOMBSTONES, [utf8.encode(JSON.stringify([...hidden]))]);
    }
  }

  lock() {
    return this.upper.lock();
  }

  readOnly() {
    return false;
  }

  async close() {
    await this.upper.close?.();
    await this.base.close?.();
  }
}

