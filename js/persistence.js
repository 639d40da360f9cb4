// persistence.js - snapshots and the change journal over a storage
// adapter (js/storage/*): opening a store from its newest snapshot and
// journal, appending every acknowledged write to the journal with the
// chosen durability, saving new snapshots (on request and by autosave
// rules), all crash-safe.
//
// Blobs in the storage:
//   MANIFEST              { version, seq, snapshot, journal, savedAt } (JSON)
//   snapshot-NNNNNN.vsnap  a snapshot (docs/snapshot-format.md)
//   journal-NNNNNN.aof     the writes after that snapshot (RESP, as an AOF)
// A save writes the next snapshot and an empty journal, then swaps
// MANIFEST to them in one atomic write, then deletes the old pair: at any
// crash point the manifest names a complete snapshot and a journal holding
// every acknowledged write after it.
//
// Durability, as Redis's appendfsync: 'always' (a write's promise resolves
// once its record is durable; concurrent writes share one sync),
// 'everysec' (records are written at once and synced every second),
// 'no' (written at once, synced when the storage decides).

import { collect } from './storage/chunks.js';

const utf8 = new TextEncoder();
const utf8d = new TextDecoder();
const CHUNK = 1 << 20;

/** Redis's default save rules: [seconds, changes]. */
export const DEFAULT_AUTOSAVE = [
  [3600, 1],
  [300, 100],
  [60, 10000],
];

const pad = (n) => String(n).padStart(6, '0');

async function readAll(storage, name) {
  const src = await storage.read(name);
  return src ? collect(src) : null;
}

export class Persister {
  /**
   * @param {import('./engine.js').Engine} engine
   * @param {object} storage
   * @param {{ durability?: 'always'|'everysec'|'no', autosave?: Array<[number, number]>|false,
   *           repairJournal?: boolean, readOnly?: boolean, now?: () => number }} [opts]
   */
  constructor(engine, storage, opts = {}) {
    this.engine = engine;
    this.storage = storage;
    this.durability = opts.durability ?? 'everysec';
    if (!['always', 'everysec', 'no'].includes(this.durability)) {
      throw new TypeError(`vessel: durability must be 'always', 'everysec' or 'no'`);
    }
    this.autosave = opts.autosave === undefined ? DEFAULT_AUTOSAVE : opts.autosave || [];
    this.repairJournal = !!opts.repairJournal;
    // readOnly: true, false, or 'ifLocked' (read-only when another tab,
    // worker or process holds the store).
    this.readOnly = opts.readOnly === true || !!storage.readOnly?.();
    this.readOnlyIfLocked = opts.readOnly === 'ifLocked';
    this.now = opts.now ?? (() => Date.now());
    this.manifest = null;
    this.pending = []; // journal records not yet appended
    this.pendingBytes = 0;
    this.chain = Promise.resolve(); // serialises appends
    this.saving = null; // promise of the save in progress
    this.changes = 0; // writes since the last save
    this.journalBytes = 0; // size of the current journal
    this.broken = null; // storage error that stopped the journal
    this.timers = [];
    this.lock = null;
    this.report = null;
  }

  // ---- open ------------------------------------------------------------------

  async open() {
    if (!this.readOnly) {
      try {
        this.lock = await this.storage.lock();
      } catch (e) {
        if (e.code !== 'VESSEL_LOCKED' || !this.readOnlyIfLocked) throw e;
        this.readOnly = true;
      }
    }
    try {
      await this.load();
    } catch (e) {
      this.lock?.release();
      this.lock = null;
      throw e;
    }
    if (!this.readOnly) {
      await this.collect();
      this.engine.journalEnable(true);
      this.startTimers();
    }
    return this.report;
  }

  /** Delete snapshots and journals the manifest does not name (left by a crash mid-save). */
  async collect() {
    const live = new Set([this.manifest.snapshot, this.manifest.journal]);
    for (const name of await this.storage.list()) {
      if (/^(snapshot-\d+\.vsnap|journal-\d+\.aof)$/.test(name) && !live.has(name)) await this.storage.delete(name);
    }
  }

  async load() {
    const raw = await readAll(this.storage, 'MANIFEST');
    let m = raw ? JSON.parse(utf8d.decode(raw)) : null;
    if (m && m.version !== 1) throw new Error(`vessel: unknown manifest version ${m.version}`);
    if (!m) {
      m = { version: 1, seq: 1, snapshot: null, journal: `journal-${pad(1)}.aof`, savedAt: 0 };
      if (!this.readOnly) await this.writeManifest(m);
    } else if (!m.journal && !this.readOnly) {
      // A store opened from a read-only base snapshot: start its journal.
      m = { ...m, seq: m.seq + 1, journal: `journal-${pad(m.seq + 1)}.aof` };
      await this.writeManifest(m);
    }
    const t0 = performance.now();
    let snapshotBytes = 0;
    if (m.snapshot) {
      const size = await this.storage.size(m.snapshot);
      const src = size === null ? null : await this.storage.read(m.snapshot);
      if (!src) throw new Error(`vessel: the snapshot ${m.snapshot} named by the manifest is missing`);
      this.engine.reserve(Math.ceil(size * 1.05)); // the store takes about its snapshot's size
      this.engine.loadBegin(size);
      try {
        for await (const c of src) {
          this.engine.loadFeed(c);
          snapshotBytes += c.length;
        }
        this.engine.loadEnd();
      } catch (e) {
        this.engine.loadAbort();
        throw e;
      }
    }
    const tSnap = performance.now();
    // The journal: changes since the snapshot, integrated by backfill.
    this.engine.replayBegin();
    let journalBytes = 0;
    if (m.journal) {
      const src = await this.storage.read(m.journal);
      if (src) {
        for await (const c of src) {
          this.engine.replayFeed(c);
          journalBytes += c.length;
        }
      }
    }
    const r = this.engine.replayEnd(this.repairJournal);
    if (r.error) {
      throw new Error(`${r.error}; open with { repairJournal: true } to keep the ${r.valid} bytes before it`);
    }
    let truncated = 0;
    if (m.journal && r.valid < journalBytes) {
      // A torn last record (crash mid-append), or damage the caller chose
      // to cut: keep what was applied.
      truncated = journalBytes - r.valid;
      if (!this.readOnly) await this.storage.truncate(m.journal, r.valid);
    }
    this.manifest = m;
    this.journalBytes = r.valid;
    this.report = {
      snapshot: m.snapshot,
      snapshotBytes,
      loadMs: tSnap - t0,
      journal: m.journal,
      journalBytes,
      replayed: r.applied,
      tornBytes: r.torn,
      truncatedBytes: truncated,
      replayMs: performance.now() - tSnap,
    };
  }

  async writeManifest(m) {
    await this.storage.write('MANIFEST', [utf8.encode(JSON.stringify(m))]);
  }

  // ---- the journal -------------------------------------------------------------

  /**
   * Queue a write's journal records; resolves when they are as durable as
   * the durability setting promises.
   */
  record(bytes) {
    if (this.broken) return Promise.reject(this.broken);
    this.pending.push(bytes);
    this.pendingBytes += bytes.length;
    this.changes++;
    if (this.durability === 'always') return this.flush(true);
    this.scheduleFlush();
    return undefined;
  }

  scheduleFlush() {
    if (this.flushQueued) return;
    this.flushQueued = true;
    queueMicrotask(() => {
      this.flushQueued = false;
      this.flush(false).catch(() => {});
    });
  }

  /** Append everything pending (and sync); concurrent callers share the work. */
  flush(sync) {
    this.chain = this.chain.then(async () => {
      if (this.broken) throw this.broken;
      if (this.pending.length) {
        const parts = this.pending;
        const n = this.pendingBytes;
        this.pending = [];
        this.pendingBytes = 0;
        const bytes = new Uint8Array(n);
        let o = 0;
        for (const p of parts) {
          bytes.set(p, o);
          o += p.length;
        }
        try {
          await this.storage.append(this.manifest.journal, bytes);
          this.journalBytes += n;
          this.unsynced = true;
        } catch (e) {
          this.broken = new Error(`vessel: the journal could not be written (writes are refused from now on): ${e.message}`);
          throw this.broken;
        }
      }
      if (sync && this.unsynced) {
        this.unsynced = false;
        await this.storage.sync(this.manifest.journal);
      }
    });
    return this.chain;
  }

  startTimers() {
    const every = (ms, fn) => {
      const t = setInterval(fn, ms);
      t.unref?.();
      this.timers.push(t);
    };
    if (this.durability === 'everysec') every(1000, () => this.flush(true).catch(() => {}));
    if (this.autosave.length) {
      every(1000, () => {
        if (this.saving || !this.changes) return;
        const elapsed = (this.now() - (this.manifest.savedAt || this.openedAt || 0)) / 1000;
        if (this.autosave.some(([secs, changes]) => elapsed >= secs && this.changes >= changes)) {
          this.save().catch(() => {});
        }
      });
    }
    this.openedAt = this.now();
  }

  // ---- snapshots ----------------------------------------------------------------

  /**
   * Save a new snapshot; resolves when it is current.  Writes are held
   * back by the store while this runs (the snapshot reads the live store).
   * @param {() => void} [onBegin] called once the engine is ready to stream
   */
  save(onBegin) {
    if (this.readOnly) return Promise.reject(new Error('vessel: this store is read-only'));
    if (this.saving) return this.saving;
    this.saving = this.doSave(onBegin).finally(() => {
      this.saving = null;
    });
    return this.saving;
  }

  async doSave(onBegin) {
    await this.flush(true); // the old journal holds every write so far
    const seq = this.manifest.seq + 1;
    const snapshot = `snapshot-${pad(seq)}.vsnap`;
    const journal = `journal-${pad(seq)}.aof`;
    const t0 = performance.now();
    this.engine.saveBegin();
    onBegin?.();
    const size = this.engine.saveSize();
    const engine = this.engine;
    let written = 0;
    try {
      await this.storage.write(snapshot, (function* () {
        for (;;) {
          const c = engine.saveNext(CHUNK);
          if (!c.length) return;
          written += c.length;
          yield c;
        }
      })());
    } finally {
      this.engine.saveEnd();
    }
    if (written !== size) throw new Error(`vessel: snapshot size ${written} != ${size}`);
    await this.storage.write(journal, []);
    const old = this.manifest;
    const savedAt = this.now();
    const m = { version: 1, seq, snapshot, journal, savedAt };
    try {
      await this.writeManifest(m);
    } catch (e) {
      // Did the swap happen before the error?  The manifest decides which
      // journal later writes must go to.
      const now = await readAll(this.storage, 'MANIFEST').catch(() => null);
      if (!now || JSON.parse(utf8d.decode(now)).seq !== seq) throw e;
    }
    this.manifest = m;
    this.changes = 0;
    this.journalBytes = 0;
    for (const name of [old.snapshot, old.journal]) {
      if (name && name !== snapshot && name !== journal) await this.storage.delete(name).catch(() => {});
    }
    this.lastSave = { bytes: written, ms: performance.now() - t0, at: savedAt };
    return this.lastSave;
  }

  /** Figures for INFO persistence. */
  info() {
    return {
      savedAt: this.manifest?.savedAt ?? 0,
      changesSinceSave: this.changes,
      saving: !!this.saving,
      journal: this.manifest?.journal,
      journalBytes: this.journalBytes,
      pendingBytes: this.pendingBytes,
      durability: this.durability,
      lastSave: this.lastSave,
    };
  }

  async close() {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    if (this.saving) await this.saving.catch(() => {});
    try {
      if (!this.readOnly) await this.flush(true);
    } finally {
      await this.storage.close?.();
      await this.lock?.release();
      this.lock = null;
    }
  }
}
