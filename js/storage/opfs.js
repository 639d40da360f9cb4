// storage/opfs.js - a storage adapter over the Origin Private File System
// (browsers): synchronous access handles in a dedicated Web Worker ("sync"
// mode), the asynchronous API elsewhere (main thread, SharedWorker: "async"
// mode).
//
//   import { OPFSStorage } from 'vessel/storage/opfs';
//   const db = await open({ storage: new OPFSStorage('my-store') });
//
// A store is the OPFS directory "vessel-" + encodeURIComponent(name).  Blob
// `name` (persistence's names match /^[A-Za-z0-9._-]+$/, so "~" never
// clashes) is held in files of one generation g:
//   name~g        its bytes (the whole blob in sync mode)
//   name~g~s      segments s = 1, 2, ...: appends made in async mode; the
//                 blob is name~g followed by its segments in order
// Invariants:
// - A file named without ".tmp" is complete: write() streams the new
//   version into name~(g+1).tmp, flushes and closes it, then move()s it to
//   name~(g+1) (a rename: atomic), then removes generation g.  The current
//   generation is the highest one whose name~g exists; a crash at any point
//   leaves the old blob or the whole new one.  Generation numbers are never
//   reused while a file of that number exists (orphan segments of a deleted
//   generation cannot be adopted).
// - append() in sync mode writes at the end of the blob's last file through
//   a cached sync access handle; sync() flushes it.  In async mode an
//   append rewrites the last file through createWritable({ keepExistingData })
//   (the browser writes a copy and swaps it in on close: atomic) while that
//   file is below SEGMENT bytes, else writes a new segment (tmp + move): an
//   append never copies more than SEGMENT bytes.
// - Reads stream, never holding the whole blob: the file's own stream, or
//   CHUNK bytes at a time through this store's append handle.
// - Quota: a failed append or write leaves the blob as it was, frees what it
//   wrote and throws code VESSEL_QUOTA.  Chromium's SyncAccessHandle.write()
//   does not throw when the quota is exceeded: it returns a short count
//   (4294967288), so every count is checked.
// - Leftovers of interrupted writes (.tmp files, older generations, the
//   browser's .crswap files) are ignored by readers and removed by
//   removeTemporary(), which persistence calls after an open under the lock.
// - Sync access handles are exclusive across contexts: creating one while a
//   closing worker still holds it is retried for up to HANDLE_WAIT_MS.
// - lock(): one writer per store across tabs and workers (Web Locks).

import { head, isQuota, quotaError, regroup, webLock } from './chunks.js';

const CHUNK = 1 << 20; // bytes per read chunk
const WRITE_BATCH = 4 << 20; // bytes per sync write of a whole file
const SEGMENT = 256 << 10; // async mode: appends extend the last file below this size
const HANDLE_WAIT_MS = 2000;
const FILE = /^([A-Za-z0-9._-]+)~(\d+)(?:~(\d+))?(\.tmp|\.crswap)?$/;
const BLOB_NAME = /^[A-Za-z0-9._-]+$/;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const toBytes = (c) => (c instanceof Uint8Array ? c : ArrayBuffer.isView(c) ? new Uint8Array(c.buffer, c.byteOffset, c.byteLength) : new Uint8Array(c));

/** A short count from SyncAccessHandle.write(): the quota was exceeded (Chromium returns -8 as uint32). */
class ShortWrite extends Error {
  constructor(n, want) {
    super(`a write of ${want} bytes wrote ${n}`);
    this.name = 'QuotaExceededError';
  }
}

async function removeQuietly(dir, fname) {
  try {
    await dir.removeEntry(fname);
  } catch {
    // gone already, or removed at the next open (removeTemporary)
  }
}

export class OPFSStorage {
  /**
   * @param {string} name store name (the OPFS directory is "vessel-" + encodeURIComponent(name))
   * @param {{ root?: FileSystemDirectoryHandle, locks?: LockManager, sync?: boolean }} [opts]
   *   root: the directory holding stores (default navigator.storage.getDirectory());
   *   sync: use sync access handles (default: when available, i.e. in a dedicated worker)
   */
  constructor(name, opts = {}) {
    if (typeof name !== 'string' || !name) throw new TypeError('vessel: OPFSStorage needs a store name (a non-empty string)');
    if (!opts.root && typeof globalThis.navigator?.storage?.getDirectory !== 'function') {
      throw new Error('vessel: OPFS is not available here (no navigator.storage.getDirectory)');
    }
    const can = opts.root ? true : OPFSStorage.syncAvailable();
    if (opts.sync && !can) throw new TypeError('vessel: OPFS sync access handles are not available here (only in a dedicated Web Worker)');
    this.name = name;
    this.dirName = `vessel-${encodeURIComponent(name)}`;
    this.root = opts.root ?? null;
    this.locks = opts.locks ?? globalThis.navigator?.locks;
    this.syncHandles = opts.sync ?? can;
    this.mode = this.syncHandles ? 'sync' : 'async';
    this.dirp = null;
    this.indexp = null; // promise of Map blob -> { gen, files: [{ name, size }], nextSeg }
    this.maxGen = new Map(); // blob -> highest generation any file of it carries
    this.handles = new Map(); // file name -> { blob, h }: cached sync access handles (append targets)
    this.queues = new Map(); // blob -> promise: one operation per blob at a time
  }

  /** True where sync access handles exist (a dedicated Web Worker). */
  static syncAvailable() {
    return typeof globalThis.FileSystemFileHandle === 'function' &&
      typeof globalThis.FileSystemFileHandle.prototype.createSyncAccessHandle === 'function';
  }

  static async rootOf(root) {
    return root ?? (await navigator.storage.getDirectory());
  }

  /** True when an OPFS store of that name exists (it holds a MANIFEST). */
  static async exists(name, { root } = {}) {
    let dir;
    try {
      dir = await (await OPFSStorage.rootOf(root)).getDirectoryHandle(`vessel-${encodeURIComponent(name)}`);
    } catch (e) {
      if (e?.name === 'NotFoundError' || e?.name === 'TypeMismatchError') return false;
      throw e;
    }
    for await (const [fname, h] of dir.entries()) {
      const m = FILE.exec(fname);
      if (h.kind === 'file' && m && m[1] === 'MANIFEST' && !m[3] && !m[4]) return true;
    }
    return false;
  }

  /** Remove the whole store (retried while a closing worker still holds its files). */
  static async destroy(name, { root } = {}) {
    const r = await OPFSStorage.rootOf(root);
    const t0 = Date.now();
    for (let wait = 10; ; wait = Math.min(wait * 2, 200)) {
      try {
        await r.removeEntry(`vessel-${encodeURIComponent(name)}`, { recursive: true });
        return;
      } catch (e) {
        if (e?.name === 'NotFoundError') return;
        if (e?.name !== 'NoModificationAllowedError' || Date.now() - t0 >= HANDLE_WAIT_MS) throw e;
        await sleep(wait);
      }
    }
  }

  dir() {
    if (!this.dirp) {
      this.dirp = OPFSStorage.rootOf(this.root).then((r) => r.getDirectoryHandle(this.dirName, { create: true }));
      this.dirp.catch(() => (this.dirp = null));
    }
    return this.dirp;
  }

  /** The blobs and their current files, from the directory (once per open). */
  index() {
    if (!this.indexp) {
      this.indexp = this.scan();
      this.indexp.catch(() => (this.indexp = null));
    }
    return this.indexp;
  }

  async scan() {
    const dir = await this.dir();
    const found = new Map(); // blob -> Map gen -> { base: handle|null, segs: [[seg, handle]] }
    for await (const [fname, h] of dir.entries()) {
      const m = h.kind === 'file' && FILE.exec(fname);
      if (!m) continue;
      const [, blob, g, s, suffix] = m;
      const gen = Number(g);
      this.maxGen.set(blob, Math.max(this.maxGen.get(blob) ?? 0, gen));
      if (suffix) continue;
      let gens = found.get(blob);
      if (!gens) found.set(blob, (gens = new Map()));
      let v = gens.get(gen);
      if (!v) gens.set(gen, (v = { base: null, segs: [] }));
      if (s === undefined) v.base = h;
      else v.segs.push([Number(s), h]);
    }
    const index = new Map();
    for (const [blob, gens] of found) {
      const live = [...gens].filter(([, v]) => v.base).sort((a, b) => b[0] - a[0])[0];
      if (!live) continue; // only segments of a deleted generation
      const [gen, v] = live;
      v.segs.sort((a, b) => a[0] - b[0]);
      const files = [];
      for (const [fname, h] of [[`${blob}~${gen}`, v.base], ...v.segs.map(([s, sh]) => [`${blob}~${gen}~${s}`, sh])]) {
        files.push({ name: fname, size: (await h.getFile()).size });
      }
      index.set(blob, { gen, files, nextSeg: v.segs.length ? v.segs[v.segs.length - 1][0] + 1 : 1 });
    }
    return index;
  }

  /** Run fn after the blob's previous operation (appends, writes, deletes never interleave). */
  serial(blob, fn) {
    const prev = this.queues.get(blob) ?? Promise.resolve();
    const run = prev.then(fn, fn);
    const tail = run.catch(() => {});
    this.queues.set(blob, tail);
    tail.then(() => {
      if (this.queues.get(blob) === tail) this.queues.delete(blob);
    });
    return run;
  }

  checkName(name) {
    if (typeof name !== 'string' || !BLOB_NAME.test(name)) throw new Error(`vessel: bad blob name ${name}`);
  }

  /** A sync access handle, retried while another context (a closing worker) still holds the file. */
  async accessHandle(fh, fname) {
    const t0 = Date.now();
    for (let wait = 5; ; wait = Math.min(wait * 2, 200)) {
      try {
        return await fh.createSyncAccessHandle();
      } catch (e) {
        if (e?.name !== 'NoModificationAllowedError') throw e;
        if (Date.now() - t0 >= HANDLE_WAIT_MS) {
          const err = new Error(`vessel: the OPFS store "${this.name}" is open in another tab or worker ` +
            `(its file ${fname} stayed held for ${HANDLE_WAIT_MS / 1000} s)`);
          err.code = 'VESSEL_LOCKED';
          throw err;
        }
        await sleep(wait);
      }
    }
  }

  /** The cached sync access handle of file `fname` of `blob`. */
  async handleOf(blob, fname) {
    let c = this.handles.get(fname);
    if (!c) {
      const fh = await (await this.dir()).getFileHandle(fname);
      c = { blob, h: await this.accessHandle(fh, fname) };
      this.handles.set(fname, c);
    }
    return c.h;
  }

  dropHandle(fname) {
    const c = this.handles.get(fname);
    if (!c) return;
    this.handles.delete(fname);
    try {
      c.h.close();
    } catch {
      // closed already
    }
  }

  async read(name) {
    const e = (await this.index()).get(name);
    if (!e) return null;
    const dir = await this.dir();
    const files = e.files.map((f) => f.name);
    const self = this;
    return (async function* () {
      for (const fname of files) {
        const cached = self.handles.get(fname);
        if (cached) {
          // Our own append target: read through its handle (the file is ours alone).
          const size = cached.h.getSize();
          for (let at = 0; at < size; at += CHUNK) {
            const buf = new Uint8Array(Math.min(CHUNK, size - at));
            const n = cached.h.read(buf, { at });
            if (n !== buf.length) throw new Error(`vessel: OPFS read of ${fname} returned ${n} of ${buf.length} bytes`);
            yield buf;
          }
          continue;
        }
        // The file's own stream: read ahead by the browser, several times
        // faster than a slice per chunk (bench/browser.js).
        const file = await (await dir.getFileHandle(fname)).getFile();
        const reader = file.stream().getReader();
        try {
          for (let r; !(r = await reader.read()).done; ) yield r.value;
        } finally {
          reader.cancel().catch(() => {}); // a reader that stopped early
        }
      }
    })();
  }

  /** Write a whole file `fname` (new or replaced) from chunks; flushed and closed.  Removes it on failure. */
  async writeFile(fname, chunks) {
    const dir = await this.dir();
    const fh = await dir.getFileHandle(fname, { create: true });
    let size = 0;
    if (this.syncHandles) {
      const h = await this.accessHandle(fh, fname);
      try {
        h.truncate(0);
        // Writes of WRITE_BATCH bytes: Chromium's sync write costs per
        // call, 4 MiB writes ran up to twice as fast as 1 MiB ones
        // (bench/browser.js).
        for await (const b of regroup(chunks, WRITE_BATCH)) {
          const n = h.write(b, { at: size });
          if (n !== b.length) throw new ShortWrite(n, b.length);
          size += b.length;
        }
        h.flush();
        h.close();
      } catch (e) {
        try {
          h.close();
        } catch {
          // closed already
        }
        await removeQuietly(dir, fname);
        throw e;
      }
      return size;
    }
    const w = await fh.createWritable({ keepExistingData: false });
    try {
      for await (const c of chunks) {
        const b = toBytes(c);
        await w.write(b);
        size += b.length;
      }
      await w.close();
    } catch (e) {
      await w.abort().catch(() => {});
      await removeQuietly(dir, fname);
      throw e;
    }
    return size;
  }

  /** Move `from` to `to` (atomic); removes `from` on failure. */
  async moveFile(from, to) {
    const dir = await this.dir();
    const fh = await dir.getFileHandle(from);
    try {
      await fh.move(to);
    } catch (e) {
      await removeQuietly(dir, from);
      throw e;
    }
  }

  async removeFiles(files) {
    const dir = await this.dir();
    for (const f of files) {
      this.dropHandle(f.name);
      await removeQuietly(dir, f.name);
    }
  }

  nextGen(blob, index) {
    const gen = Math.max(this.maxGen.get(blob) ?? 0, index.get(blob)?.gen ?? 0) + 1;
    this.maxGen.set(blob, gen);
    return gen;
  }

  async write(name, chunks) {
    this.checkName(name);
    return this.serial(name, () => this.writeNow(name, chunks));
  }

  async writeNow(name, chunks, what = `write ${name}`) {
    const index = await this.index();
    const gen = this.nextGen(name, index);
    const final = `${name}~${gen}`;
    let size;
    try {
      size = await this.writeFile(`${final}.tmp`, chunks);
      await this.moveFile(`${final}.tmp`, final);
    } catch (e) {
      throw isQuota(e) ? quotaError(`the OPFS store "${this.name}"`, what, e) : e;
    }
    const old = index.get(name);
    index.set(name, { gen, files: [{ name: final, size }], nextSeg: 1 });
    if (old) await this.removeFiles(old.files);
  }

  async append(name, bytes) {
    this.checkName(name);
    return this.serial(name, () => this.appendNow(name, toBytes(bytes)));
  }

  async appendNow(name, bytes) {
    const index = await this.index();
    const what = `append ${bytes.length} bytes to ${name}`;
    // A new blob is written whole (tmp + move): it appears with its bytes or not at all.
    if (!index.has(name)) return this.writeNow(name, [bytes], what);
    const e = index.get(name);
    try {
      if (this.syncHandles) await this.appendSync(e, name, bytes);
      else await this.appendAsync(e, name, bytes);
    } catch (err) {
      throw isQuota(err) ? quotaError(`the OPFS store "${this.name}"`, what, err) : err;
    }
  }

  async appendSync(e, name, bytes) {
    const last = e.files[e.files.length - 1];
    const h = await this.handleOf(name, last.name);
    const at = last.size;
    try {
      const n = h.write(bytes, { at });
      if (n !== bytes.length) throw new ShortWrite(n, bytes.length);
    } catch (err) {
      try {
        h.truncate(at); // what part of the bytes went in goes
        h.flush();
      } catch {
        // the next open cuts a torn tail
      }
      throw err;
    }
    last.size += bytes.length;
  }

  async appendAsync(e, name, bytes) {
    const dir = await this.dir();
    const last = e.files[e.files.length - 1];
    if (last.size < SEGMENT) {
      // Below SEGMENT bytes: the browser copies the file, appends, and
      // swaps the copy in when the stream closes.
      const w = await (await dir.getFileHandle(last.name)).createWritable({ keepExistingData: true });
      try {
        await w.write({ type: 'write', position: last.size, data: bytes });
        await w.close();
      } catch (err) {
        await w.abort().catch(() => {});
        throw err;
      }
      last.size += bytes.length;
      return;
    }
    const seg = `${name}~${e.gen}~${e.nextSeg}`;
    const size = await this.writeFile(`${seg}.tmp`, [bytes]);
    await this.moveFile(`${seg}.tmp`, seg);
    e.nextSeg++;
    e.files.push({ name: seg, size });
  }

  /** Make the appends to `name` so far durable (async mode: done when each append's stream closed). */
  async sync(name) {
    if (name !== undefined) await this.queues.get(name);
    for (const c of this.handles.values()) {
      if (name === undefined || c.blob === name) c.h.flush();
    }
  }

  /** Cut the blob to `length` bytes: its prefix is written as a new version (atomic). */
  async truncate(name, length) {
    this.checkName(name);
    return this.serial(name, async () => {
      const src = await this.read(name);
      if (!src) return;
      const size = await this.size(name);
      if (length >= size) return;
      await this.writeNow(name, head(src, length), `truncate ${name}`);
    });
  }

  async size(name) {
    const e = (await this.index()).get(name);
    return e ? e.files.reduce((n, f) => n + f.size, 0) : null;
  }

  async list() {
    return [...(await this.index()).keys()];
  }

  async delete(name) {
    this.checkName(name);
    return this.serial(name, async () => {
      const index = await this.index();
      const e = index.get(name);
      if (!e) return;
      // The base first, and not quietly: once it is gone the blob is gone
      // (its segments are orphans, ignored and removed at the next open).
      const [base, ...segs] = e.files;
      this.dropHandle(base.name);
      await (await this.dir()).removeEntry(base.name);
      index.delete(name);
      await this.removeFiles(segs);
    });
  }

  /** Remove what interrupted writes left: .tmp and .crswap files, older generations (under the lock only). */
  async removeTemporary() {
    const index = await this.index();
    const live = new Set();
    for (const e of index.values()) for (const f of e.files) live.add(f.name);
    const dir = await this.dir();
    const dead = [];
    for await (const [fname, h] of dir.entries()) {
      if (h.kind === 'file' && FILE.test(fname) && !live.has(fname)) dead.push(fname);
    }
    for (const fname of dead) await removeQuietly(dir, fname);
  }

  /** One writer per store across tabs and workers (Web Locks). */
  lock() {
    return webLock(this.locks, `vessel-opfs:${this.name}`, this.name);
  }

  /** Release every handle (the next use scans the directory again). */
  async close() {
    await Promise.all([...this.queues.values()]);
    for (const fname of [...this.handles.keys()]) this.dropHandle(fname);
    this.indexp = null;
  }
}
