// storage/kv.js - a storage adapter over a key-value binding, for edge
// functions: anything with get/put/delete/list, such as a Workers KV
// namespace or an R2 bucket (both shapes are understood).
//
//   import { KVStorage } from 'vessel/storage/kv';
//   const db = await open({ storage: new KVStorage(env.VECTORS, { prefix: 'store1/' }) });
//
// Blob "name" is a small JSON record at prefix + name ({ id, chunks, size })
// pointing at chunk values prefix + id + "/" + i.  write() stores the chunks
// under a fresh id, then replaces the record (one put: atomic), then
// deletes the old chunks.  append() puts a chunk, then the record.  Values
// stay below the per-value limits of Workers KV (25 MiB) and R2.
//
// Workers KV is eventually consistent between locations: a store is meant
// to be written from one place at a time (as a Durable Object or a single
// writer does); readers elsewhere see the writes within KV's propagation
// time.

import { blobId, rewritePrefix } from './chunks.js';

const utf8 = new TextEncoder();
const utf8d = new TextDecoder();
const MAX_VALUE = 8 << 20;

export class KVStorage {
  /**
   * @param {{ get: Function, put: Function, delete: Function, list?: Function }} binding
   * @param {{ prefix?: string }} [opts]
   */
  constructor(binding, opts = {}) {
    this.kv = binding;
    this.prefix = opts.prefix ?? 'vessel/';
  }

  async getBytes(key) {
    const r = await this.kv.get(key, { type: 'arrayBuffer' });
    if (r === null || r === undefined) return null;
    if (r instanceof ArrayBuffer) return new Uint8Array(r);
    if (ArrayBuffer.isView(r)) return new Uint8Array(r.buffer, r.byteOffset, r.byteLength);
    if (typeof r.arrayBuffer === 'function') return new Uint8Array(await r.arrayBuffer()); // R2 object
    if (typeof r === 'string') return utf8.encode(r);
    throw new Error('vessel: unexpected value from the key-value binding');
  }

  async record(name) {
    const b = await this.getBytes(this.prefix + name);
    return b ? JSON.parse(utf8d.decode(b)) : null;
  }

  async putRecord(name, rec) {
    await this.kv.put(this.prefix + name, utf8.encode(JSON.stringify(rec)));
  }

  async read(name) {
    const rec = await this.record(name);
    if (!rec) return null;
    const self = this;
    return (async function* () {
      for (let i = 0; i < rec.chunks; i++) {
        const c = await self.getBytes(`${self.prefix}${rec.id}/${i}`);
        if (!c) throw new Error(`vessel: blob ${name} is missing chunk ${i}`);
        yield c;
      }
    })();
  }

  async dropChunks(rec) {
    for (let i = 0; i < rec.chunks; i++) await this.kv.delete(`${this.prefix}${rec.id}/${i}`);
  }

  async write(name, chunks) {
    const id = blobId(name);
    let n = 0;
    let size = 0;
    for await (const c of chunks) {
      for (let off = 0; off < c.length; off += MAX_VALUE) {
        await this.kv.put(`${this.prefix}${id}/${n++}`, c.slice(off, off + MAX_VALUE));
      }
      size += c.length;
    }
    const old = await this.record(name);
    await this.putRecord(name, { id, chunks: n, size });
    if (old) await this.dropChunks(old);
  }

  async append(name, bytes) {
    let rec = await this.record(name);
    if (!rec) rec = { id: blobId(name), chunks: 0, size: 0 };
    await this.kv.put(`${this.prefix}${rec.id}/${rec.chunks}`, bytes.slice());
    await this.putRecord(name, { id: rec.id, chunks: rec.chunks + 1, size: rec.size + bytes.length });
  }

  async sync() {}

  truncate(name, length) {
    return rewritePrefix(this, name, length);
  }

  async size(name) {
    const rec = await this.record(name);
    return rec ? rec.size : null;
  }

  async list() {
    if (!this.kv.list) return [];
    const names = [];
    let cursor;
    do {
      const r = await this.kv.list({ prefix: this.prefix, cursor });
      const keys = r.keys ? r.keys.map((k) => k.name) : (r.objects ?? []).map((o) => o.key);
      for (const k of keys) {
        const rest = k.slice(this.prefix.length);
        if (!rest.includes('#')) names.push(rest);
      }
      cursor = r.list_complete === false || r.truncated ? r.cursor : undefined;
    } while (cursor);
    return names;
  }

  async delete(name) {
    const rec = await this.record(name);
    if (rec) await this.dropChunks(rec);
    await this.kv.delete(this.prefix + name);
  }

  async lock() {
    return { release() {} };
  }

  async close() {}
}

/**
 * A read-only storage holding one snapshot, shipped with the code (an
 * imported binary module, an asset, bytes): open({ storage: new
 * SnapshotStorage(bytes) }) gives a store that answers queries and refuses
 * writes.  Combine with a KVStorage through open({ base }) to layer new
 * writes over it.
 */
export class SnapshotStorage {
  /**
   * @param {Uint8Array|ArrayBuffer} bytes the snapshot, or with { gzip: true } its gzip
   * @param {{ gzip?: boolean }} [opts] gzip: decompressed while loading (DecompressionStream),
   *   so a compressed snapshot ships small and never exists uncompressed in memory
   */
  constructor(bytes, opts = {}) {
    this.bytes = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
    this.gzip = !!opts.gzip;
    if (this.gzip) {
      // The uncompressed size is gzip's ISIZE trailer (mod 2^32: snapshots
      // shipped this way are far below 4 GiB).
      const b = this.bytes;
      if (b.length < 18 || b[0] !== 0x1f || b[1] !== 0x8b) throw new Error('vessel: SnapshotStorage: not gzip data');
      this.rawSize = new DataView(b.buffer, b.byteOffset + b.length - 4, 4).getUint32(0, true);
    } else {
      this.rawSize = this.bytes.length;
    }
  }

  async read(name) {
    if (name === 'MANIFEST') {
      const m = utf8.encode(JSON.stringify({ version: 1, seq: 0, snapshot: 'base.vsnap', journal: null }));
      return (async function* () {
        yield m;
      })();
    }
    if (name !== 'base.vsnap') return null;
    const b = this.bytes;
    if (this.gzip) {
      const stream = new Blob([b]).stream().pipeThrough(new DecompressionStream('gzip'));
      return (async function* () {
        const reader = stream.getReader();
        for (;;) {
          const { value, done } = await reader.read();
          if (done) return;
          yield value;
        }
      })();
    }
    return (async function* () {
      for (let off = 0; off < b.length; off += 1 << 20) yield b.subarray(off, off + (1 << 20));
    })();
  }

  async size(name) {
    return name === 'base.vsnap' ? this.rawSize : null;
  }

  readOnly() {
    return true;
  }

  async list() {
    return ['MANIFEST', 'base.vsnap'];
  }

  async lock() {
    return { release() {} };
  }

  async close() {}
}
