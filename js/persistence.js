// persistence.js - snapshots and the change journal over a storage
// adapter (js/storage/*): opening a store from its newest snapshot and
// journal, appending every acknowledged write to the journal with the
// chosen durability, saving new snapshots (on request and by autosave
// rules), all crash-safe.
//
// Blobs in the storage:
//   MANIFEST              { version, seq, snapshot, journal, savedAt, journalFormat } (JSON)
//   snapshot-NNNNNN.vsnap  a snapshot (docs/snapshot-format.md)
//   journal-NNNNNN.aof     the writes after that snapshot (RESP, as an AOF;
//                          journalFormat 2: each command's records sealed
//                          by a check record, src/data/journal.h)
// A save writes the next snapshot and an empty journal, then swaps
// MANIFEST to them in one atomic write, then deletes the old pair: at any
// crash point the manifest names a complete snapshot and a journal holding
// every acknowledged write after it.
//
// Opening never deletes or changes what it cannot account for: a missing
// or damaged MANIFEST, a missing journal or snapshot, a damaged journal,
// store files newer than the MANIFEST are refused with the reason and
// nothing changed on disk.  The only changes an open makes on its own are
// cutting a torn last record (kept in a side blob, reported) and removing
// what an interrupted save left (files the MANIFEST supersedes).
//
// Durability, as Redis's appendfsync: 'always' (a write's promise resolves
// once its record is durable; concurrent writes share one sync),
// 'everysec' (records are written at once and synced every second),
// 'no' (written at once, synced when the storage decides).

import { collect } from './storage/chunks.js';

const utf8 = new TextEncoder();
const utf8d = new TextDecoder();
const CHUNK = 1 << 20;
/**
 * Journal bytes that may wait for the storage before a write's promise
 * waits too: without a bound, an awaited loop of writes outruns the
 * appends and the queue grows without end (a million-vector import held
 * most of a gigabyte).  A write that finds more queued waits for the
 * append under way or next (not for its own records, not for a sync): so
 * at most about twice this, plus a batch per writer, is in memory.
 */
export const JOURNAL_BACKLOG = 4 << 20;

/** Redis's default save rules: [seconds, changes]. */
export const DEFAULT_AUTOSAVE = [
  [3600, 1],
  [300, 100],
  [60, 10000],
];

const pad = (n) => String(n).padStart(6, '0');

/** The journal format this version writes (1: plain RESP, no check records). */
export const JOURNAL_FORMAT = 2;
const STORE_FILE = /^(snapshot|journal)-(\d+)\.(vsnap|aof)$/;
const BLOB_NAME = /^[A-Za-z0-9._-]+$/;

function refuse(what) {
  const e = new Error(`vessel: ${what}; nothing was changed on disk`);
  e.code = 'VESSEL_DAMAGED';
  return e;
}

/** Parse and check a MANIFEST's bytes; throws a clear error when damaged. */
export function parseManifest(raw) {
  let m;
  try {
    m = JSON.parse(utf8d.decode(raw));
  } catch (e) {
    throw refuse(`the MANIFEST is damaged (not JSON: ${e.message}; ${raw.length} bytes)`);
  }
  const bad = (why) => refuse(`the MANIFEST is damaged (${why})`);
  if (!m || typeof m !== 'object' || Array.isArray(m)) throw bad('not an object');
  if (m.version !== 1) {
    if (Number.isInteger(m.version) && m.version > 1) throw refuse(`unknown manifest version ${m.version} (written by a newer Vessel?)`);
    throw bad(`version ${JSON.stringify(m.version)}`);
  }
  if (!Number.isSafeInteger(m.seq) || m.seq < 0) throw bad(`seq ${JSON.stringify(m.seq)}`);
  if (!('snapshot' in m) || !(m.snapshot === null || (typeof m.snapshot === 'string' && BLOB_NAME.test(m.snapshot)))) {
    throw bad(`snapshot ${JSON.stringify(m.snapshot)}`);
  }
  if (!('journal' in m) || !(m.journal === null || m.journal === `journal-${pad(m.seq)}.aof`)) {
    throw bad(`journal ${JSON.stringify(m.journal)} with seq ${m.seq}`);
  }
  const sm = typeof m.snapshot === 'string' && STORE_FILE.exec(m.snapshot);
  if (m.snapshot !== null && STORE_FILE.test(m.snapshot) && (sm[1] !== 'snapshot' || sm[3] !== 'vsnap' || Number(sm[2]) > m.seq)) {
    throw bad(`snapshot ${m.snapshot} with seq ${m.seq}`);
  }
  if (m.journalFormat !== undefined && m.journalFormat !== 1 && m.journalFormat !== 2) {
    if (Number.isInteger(m.journalFormat) && m.journalFormat > 2) throw refuse(`unknown journal format ${m.journalFormat} (written by a newer Vessel?)`);
    throw bad(`journalFormat ${JSON.stringify(m.journalFormat)}`);
  }
  if (m.savedAt !== undefined && typeof m.savedAt !== 'number') throw bad(`savedAt ${JSON.stringify(m.savedAt)}`);
  return m;
}

/** The chunks of a blob from byte `from` on. */
async function* tail(src, from) {
  let at = 0;
  for await (const c of src) {
    if (at + c.length > from) yield c.subarray(Math.max(0, from - at));
    at += c.length;
  }
}

/** What every check record of a format-2 journal holds (see src/data/journal.c). */
const CHECK_MARK = utf8.encode('\r\nvessel-ck:');

/** Index of `needle` in `hay`, or -1. */
function findBytes(hay, needle) {
  for (let i = hay.indexOf(needle[0]); i >= 0 && i + needle.length <= hay.length; i = hay.indexOf(needle[0], i + 1)) {
    let j = 1;
    while (j < needle.length && hay[i + j] === needle[j]) j++;
    if (j === needle.length) return i;
  }
  return -1;
}

async function readAll(storage, name) {
  const src = await storage.read(name);
  return src ? collect(src) : null;
}

/**
 * What an open repaired, dropped, rebuilt or converted, as lines for a
 * log (vessel-server, vessel-cli); none when the store opened as it was.
 * @param {object|null} lr a load report
 */
export function describeLoad(lr) {
  if (!lr) return [];
  const kept = lr.cutBlob ? `; the cut bytes are kept in ${lr.cutBlob}` : '';
  const out = [];
  if (lr.repaired) out.push(`journal repaired (--repair-journal): ${lr.repaired}${kept}`);
  if (lr.tornBytes) out.push(`dropped a torn last journal record (${lr.tornBytes} bytes${kept})`);
  if (lr.recovered) out.push(`${lr.recovered} (--recover-manifest)`);
  if (lr.migrated) out.push('the journal was converted to the checked format (a snapshot was saved)');
  return out;
}

export class Persister {
  /**
   * @param {import('./engine.js').Engine} engine
   * @param {object} storage
   * @param {{ durability?: 'always'|'everysec'|'no', autosave?: Array<[number, number]>|false,
   *           repairJournal?: boolean, readOnly?: boolean|'ifLocked', now?: () => number }} [opts]
   */
  constructor(engine, storage, opts = {}) {
    this.engine = engine;
    this.storage = storage;
    this.durability = checkDurability(opts.durability ?? 'everysec');
    this.autosave = checkAutosave(opts.autosave);
    // repairJournal: open a damaged journal by keeping what precedes the
    // damage, or a missing journal by starting an empty one (the loss is
    // reported in loadReport.repaired), as redis-check-aof --fix.
    this.repairJournal = !!opts.repairJournal;
    // recoverManifest: rebuild a lost MANIFEST from the newest snapshot and
    // its journal (reported) instead of refusing to open.
    this.recoverManifest = !!opts.recoverManifest;
    // readOnly: true, false, or 'ifLocked' (read-only when another tab,
    // worker or process holds the store).
    this.readOnly = opts.readOnly === true || !!storage.readOnly?.();
    this.readOnlyIfLocked = opts.readOnly === 'ifLocked';
    this.now = opts.now ?? (() => Date.now());
    this.manifest = null;
    this.pending = []; // journal records not yet appended
    this.pendingBytes = 0;
    this.backlog = JOURNAL_BACKLOG; // see there
    this.pressure = null; // the append writes over the backlog wait for
    this.chain = Promise.resolve(); // serialises appends
    this.saving = null; // promise of the save in progress
    this.changes = 0; // writes since the last save
    this.journalBytes = 0; // size of the current journal
    this.broken = null; // storage error that stopped the journal
    this.timers = { sync: null, autosave: null, retry: null };
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
      if (!this.readOnly) {
        await this.collect();
        this.engine.journalEnable(true);
        if (this.migrate) {
          // A journal of format 1 (no check records): start a checked one
          // with a snapshot of everything, never mixing the formats.
          await this.save();
          this.report.migrated = true;
        }
      }
    } catch (e) {
      this.engine.journalEnable(false);
      await this.storage.close?.();
      await this.lock?.release();
      this.lock = null;
      throw e;
    }
    if (!this.readOnly) {
      await this.lock?.announce?.(); // opened: say who holds it (a LOCK file)
      this.openedAt = this.now();
      this.startTimers();
    }
    return this.report;
  }

  /** Store files (snapshots, journals) in the storage, as [name, kind, seq]. */
  async storeFiles() {
    const out = [];
    for (const name of await this.storage.list()) {
      const m = STORE_FILE.exec(name);
      if (m && (m[1] === 'snapshot') === (m[3] === 'vsnap')) out.push([name, m[1], Number(m[2])]);
    }
    return out;
  }

  /**
   * Before anything is changed: every store file must be accounted for by
   * the manifest (its pair, files it supersedes, or the leftovers of an
   * interrupted save: the next snapshot and an empty next journal).
   * Returns the names an open may remove.
   */
  async audit(m) {
    const live = new Set([m.snapshot, m.journal]);
    const removable = [];
    for (const [name, kind, seq] of await this.storeFiles()) {
      if (live.has(name)) continue;
      if (seq < m.seq) {
        removable.push(name); // superseded by the manifest's pair (a save's old pair)
      } else if (seq === m.seq + 1 && (kind === 'snapshot' || (await this.storage.size(name)) === 0)) {
        removable.push(name); // an interrupted save's (its journal never written)
      } else {
        throw refuse(`${name} is not accounted for by the MANIFEST (seq ${m.seq}, ${m.snapshot ?? 'no snapshot'}, ` +
          `${m.journal}): the MANIFEST may be stale or another program wrote here; move the file away or restore the MANIFEST`);
      }
    }
    return removable;
  }

  /**
   * A manifest for store files whose MANIFEST is lost (recoverManifest):
   * the newest snapshot and the journal of the same sequence number (a
   * save writes both before it swaps the manifest, and writes go to that
   * journal only after the swap).  The pair is then loaded and checked as
   * any other; the manifest is written only once it loaded.  Refused when
   * the files cannot be one store's (a non-empty journal newer than every
   * snapshot, a journal whose snapshot is gone).
   */
  async rebuildManifest(files) {
    const snaps = files.filter((f) => f[1] === 'snapshot').sort((a, b) => b[2] - a[2]);
    const journals = files.filter((f) => f[1] === 'journal').sort((a, b) => b[2] - a[2]);
    const seq = snaps.length ? snaps[0][2] : journals[0][2];
    for (const [name, , n] of journals) {
      if (n > seq && (await this.storage.size(name)) > 0) {
        throw refuse(`the MANIFEST is missing and ${name} is newer than every snapshot: cannot tell which store it belongs to`);
      }
    }
    if (!snaps.length && seq !== 1) {
      throw refuse(`the MANIFEST is missing and the snapshot journal-${pad(seq)}.aof follows is gone: cannot rebuild it`);
    }
    const journal = `journal-${pad(seq)}.aof`;
    let journalFormat = JOURNAL_FORMAT;
    const size = await this.storage.size(journal);
    if (size === null) {
      if (!this.repairJournal) {
        throw refuse(`the MANIFEST is missing and so is ${journal}, the journal of the newest snapshot; ` +
          'add { repairJournal: true } (--repair-journal) to accept losing the writes it held');
      }
    } else if (size > 0) {
      // Format 2 journals end every command with a check record.
      const bytes = await readAll(this.storage, journal);
      journalFormat = findBytes(bytes, CHECK_MARK) >= 0 ? 2 : 1;
    }
    return { version: 1, seq, snapshot: snaps.length ? snaps[0][0] : null, journal, savedAt: 0, journalFormat };
  }

  /** Remove what an interrupted save left (as audited at load). */
  async collect() {
    for (const name of this.removable ?? []) await this.storage.delete(name);
    this.removable = null;
    await this.storage.removeTemporary?.();
  }

  async load() {
    const raw = await readAll(this.storage, 'MANIFEST');
    let m;
    let fresh = false;
    if (raw === null) {
      // No manifest: a new store, unless store files are here.
      const files = await this.storeFiles();
      const leftover = files.length === 1 && files[0][0] === `journal-${pad(1)}.aof` && (await this.storage.size(files[0][0])) === 0;
      if (files.length && !leftover) {
        if (!this.recoverManifest) {
          throw refuse(`the MANIFEST is missing but the storage holds ${files.map((f) => f[0]).join(', ')}; ` +
            'open with { recoverManifest: true } (--recover-manifest) to rebuild it from the newest snapshot and its journal, ' +
            'or restore the MANIFEST, or move the files away to start an empty store');
        }
        m = await this.rebuildManifest(files);
        this.recovered = `the MANIFEST was missing: rebuilt from ${m.snapshot ?? 'no snapshot'} and ${m.journal}`;
      } else {
        m = { version: 1, seq: 1, snapshot: null, journal: `journal-${pad(1)}.aof`, savedAt: 0, journalFormat: JOURNAL_FORMAT };
        fresh = true;
      }
    } else {
      m = parseManifest(raw);
    }
    // A rebuilt manifest removes nothing: older files stay for the user.
    this.removable = fresh || this.recovered ? [] : await this.audit(m);
    const format = m.journalFormat ?? 1;
    let repaired = null;
    let journalMissing = false;
    if (m.journal && !fresh && (await this.storage.size(m.journal)) === null) {
      journalMissing = true;
      if (!this.repairJournal) {
        throw refuse(`the journal ${m.journal} named by the MANIFEST is missing: the writes acknowledged since ` +
          `${m.snapshot ? `the snapshot ${m.snapshot}` : 'the store was created'} are lost; open with { repairJournal: true } ` +
          '(--repair-journal) to accept the loss and start an empty journal');
      }
      repaired = `the journal ${m.journal} was missing: started an empty one (the writes it held are lost)`;
    }
    const t0 = performance.now();
    let snapshotBytes = 0;
    if (m.snapshot) {
      const size = await this.storage.size(m.snapshot);
      const src = size === null ? null : await this.storage.read(m.snapshot);
      if (!src) throw refuse(`the snapshot ${m.snapshot} named by the MANIFEST is missing`);
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
        if (/^Bad snapshot/.test(e.message)) throw refuse(`${m.snapshot}: ${e.message}`);
        throw e;
      }
    }
    const tSnap = performance.now();
    // The journal: changes since the snapshot, integrated by backfill.
    this.engine.replayBegin(format);
    let journalBytes = 0;
    if (m.journal && !journalMissing && !fresh) {
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
      throw refuse(`${m.journal}: ${r.error}; open with { repairJournal: true } (--repair-journal) to keep the ` +
        `${r.valid} bytes before it (the rest is kept in a side file)`);
    }
    if (m.journal && r.valid < journalBytes && !r.torn) {
      repaired = `${m.journal}: damage at offset ${r.valid}: kept the ${r.valid} bytes before it, cut ${journalBytes - r.valid}`;
    }
    if (this.readOnly) {
      if (!m.journal || fresh || journalMissing) m = { ...m, journal: null }; // nothing to read later
    } else {
      // Every change below is accounted for: a torn tail or the damage the
      // caller chose to cut (their bytes kept in a side blob), a journal
      // to start, the manifest naming them.
      let cutBlob = null;
      if (m.journal && r.valid < journalBytes) {
        cutBlob = `${m.journal}.cut-${r.valid}-${this.now()}`;
        await this.storage.write(cutBlob, tail(await this.storage.read(m.journal), r.valid));
        await this.storage.truncate(m.journal, r.valid);
      }
      this.cutBlob = cutBlob;
      if (this.recovered && !journalMissing) await this.writeManifest(m); // loaded: the rebuilt manifest holds
      if (!m.journal) {
        // A store opened from a read-only base snapshot: start its journal.
        m = { ...m, seq: m.seq + 1, journal: `journal-${pad(m.seq + 1)}.aof`, journalFormat: JOURNAL_FORMAT };
        await this.storage.write(m.journal, []);
        await this.writeManifest(m);
      } else if (fresh || journalMissing) {
        await this.storage.write(m.journal, []);
        m = { ...m, journalFormat: JOURNAL_FORMAT };
        await this.writeManifest(m);
      } else if (format !== JOURNAL_FORMAT) {
        if (r.valid === 0) {
          m = { ...m, journalFormat: JOURNAL_FORMAT }; // empty: it simply goes on checked
          await this.writeManifest(m);
        } else {
          this.migrate = true;
        }
      }
    }
    // Never remove what the manifest now names (a base-snapshot store
    // starts the journal an interrupted save may have left empty).
    this.removable = (this.removable ?? []).filter((n) => n !== m.journal && n !== m.snapshot);
    this.manifest = m;
    this.journalBytes = r.valid;
    this.report = {
      snapshot: m.snapshot,
      snapshotBytes,
      loadMs: tSnap - t0,
      journal: m.journal,
      journalFormat: format,
      journalBytes,
      replayed: r.applied,
      tornBytes: r.torn,
      truncatedBytes: m.journal ? journalBytes - r.valid : 0,
      cutBlob: this.cutBlob ?? null,
      repaired,
      recovered: this.recovered ?? null,
      removed: this.readOnly ? [] : [...(this.removable ?? [])],
      replayMs: performance.now() - tSnap,
    };
  }

  async writeManifest(m) {
    await this.storage.write('MANIFEST', [utf8.encode(JSON.stringify(m))]);
  }

  // ---- the journal -------------------------------------------------------------

  /**
   * Queue a write's journal records; the promise (or undefined: nothing to
   * wait for) resolves when they are as durable as the durability setting
   * promises.  With 'everysec' and 'no', once more than this.backlog bytes
   * wait for the storage, it is the promise of their append: the caller's
   * back-pressure.  A failed append is not this write's failure then (it
   * ran and is journaled once the storage takes it): it stops later writes
   * (#admit), as the flush left this.broken.
   */
  record(bytes) {
    if (this.stopped) return Promise.reject(this.broken);
    this.pending.push(bytes);
    this.pendingBytes += bytes.length;
    this.changes++;
    if (this.durability === 'always') return this.flush(true);
    this.scheduleFlush();
    if (this.pendingBytes <= this.backlog || this.broken) return undefined;
    // One append answers every write that finds the queue over the bound
    // until it ends (a loop that does not wait does not queue one each).
    this.pressure ??= this.flush(false)
      .catch(() => {})
      .finally(() => {
        this.pressure = null;
      });
    return this.pressure;
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
    // Each flush runs after the one before, whatever its outcome.
    this.chain = this.chain.catch(() => {}).then(async () => {
      if (this.stopped) throw this.broken;
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
          if (e?.code === 'VESSEL_QUOTA' || e?.code === 'VESSEL_LOCKED') {
            // Full (or the journal still held by a context that is going
            // away): the storage appended nothing (its contract), so the
            // records stay first in line and are tried again every second;
            // writes are refused meanwhile (as Redis after a failed AOF
            // write) and accepted again once they are in.  What went in
            // before is synced now, as the durability setting promised.
            this.pending.unshift(bytes);
            this.pendingBytes += n;
            if (!this.stopped) this.broken = journalHeld(e);
            this.armRetry();
            if (sync && this.unsynced) await this.syncJournal();
            throw this.broken;
          }
          this.broken = new Error(`vessel: the journal could not be written (writes are refused from now on): ${e.message}`);
          throw this.broken;
        }
        if (this.broken?.recoverable) this.broken = null; // room again: writes are accepted
      }
      if (sync && this.unsynced) await this.syncJournal();
    });
    return this.chain;
  }

  /** Sync what was appended to the journal (inside a flush). */
  async syncJournal() {
    this.unsynced = false;
    try {
      await this.storage.sync(this.manifest.journal);
    } catch (e) {
      // What the failed sync covered may be lost whatever comes next
      // (an OS may drop the pages): as Redis, no write is taken after.
      this.broken = new Error(`vessel: the journal could not be synced (writes are refused from now on): ${e.message}`);
      throw this.broken;
    }
  }

  /** A journal error that stopped writes for good (not a full storage's, which passes). */
  get stopped() {
    return !!this.broken && !this.broken.recoverable;
  }

  /**
   * While the storage is full: try the held records again every second
   * until they are in (then writes are accepted again) or the store closes.
   */
  armRetry() {
    if (this.timers.retry || this.closed) return;
    this.timers.retry = setInterval(() => {
      if (!this.broken?.recoverable || this.closed) {
        clearInterval(this.timers.retry);
        this.timers.retry = null;
        return;
      }
      this.flush(this.durability !== 'no').catch(() => {});
    }, 1000);
    this.timers.retry.unref?.();
  }

  /** Arm the timers the durability and autosave settings call for (and only those). */
  startTimers() {
    const every = (ms, fn) => {
      const t = setInterval(fn, ms);
      t.unref?.();
      return t;
    };
    clearInterval(this.timers.sync);
    clearInterval(this.timers.autosave);
    this.timers.sync = null;
    this.timers.autosave = null;
    if (this.closed || this.readOnly) return;
    if (this.durability === 'everysec') this.timers.sync = every(1000, () => this.flush(true).catch(() => {}));
    if (this.autosave.length) {
      this.timers.autosave = every(1000, () => {
        if (this.saving || !this.changes || this.broken) return;
        if (this.autosaveDue()) this.save().catch(() => {});
      });
    }
  }

  autosaveDue() {
    const elapsed = (this.now() - (this.manifest.savedAt || this.openedAt || 0)) / 1000;
    return this.autosave.some(([secs, changes]) => elapsed >= secs && this.changes >= changes);
  }

  /**
   * Change the durability of a running store (CONFIG SET appendfsync):
   * takes effect at once.  Leaving 'no' or 'everysec' for 'always' syncs
   * what was written so far.
   * @returns {Promise<void>}
   */
  setDurability(mode) {
    checkDurability(mode);
    const was = this.durability;
    this.durability = mode;
    if (was !== mode) this.startTimers();
    if (mode === 'always' && was !== 'always' && this.manifest?.journal && !this.readOnly) return this.flush(true);
    return Promise.resolve();
  }

  /**
   * Change the autosave rules of a running store (CONFIG SET save):
   * takes effect at once.  `false` or [] disables autosave.
   */
  setAutosave(rules) {
    this.autosave = checkAutosave(rules === undefined ? [] : rules);
    this.startTimers();
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
    this.saving = this.doSave(onBegin).then(
      (r) => {
        this.saveFailed = null;
        return r;
      },
      (e) => {
        this.saveFailed = e; // INFO's rdb_last_bgsave_status
        throw e;
      },
    ).finally(() => {
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
    const old = this.manifest;
    const savedAt = this.now();
    const m = { version: 1, seq, snapshot, journal, savedAt, journalFormat: JOURNAL_FORMAT };
    let unknown = false; // the MANIFEST could not be read back: leave every file
    try {
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
      try {
        await this.writeManifest(m);
      } catch (e) {
        // Did the swap happen before the error?  The manifest decides which
        // journal later writes must go to; when that cannot be told, stop
        // taking writes rather than journal them to the wrong file.
        let now;
        try {
          now = parseManifest(await readAll(this.storage, 'MANIFEST'));
        } catch (e2) {
          unknown = true;
          this.broken = new Error(`vessel: the MANIFEST could not be written nor read back (writes are refused from now on): ${e.message}`);
          throw e;
        }
        if (now.seq !== seq) throw e;
      }
    } catch (e) {
      // Not swapped in: the new pair goes, so that a full storage is not
      // kept full by a failed save's own files.
      if (!unknown) for (const name of [snapshot, journal]) await this.storage.delete(name).catch(() => {});
      throw e;
    }
    this.manifest = m;
    this.engine.journalRestart(); // the next records start journal-(seq)'s check chain
    this.changes = 0;
    this.journalBytes = 0;
    for (const name of [old.snapshot, old.journal]) {
      if (name && name !== snapshot && name !== journal) await this.storage.delete(name).catch(() => {});
    }
    this.lastSave = { bytes: written, ms: performance.now() - t0, at: savedAt };
    return this.lastSave;
  }

  /** Figures for INFO persistence and CONFIG GET. */
  info() {
    return {
      savedAt: this.manifest?.savedAt ?? 0,
      changesSinceSave: this.changes,
      saving: !!this.saving,
      journal: this.manifest?.journal,
      journalBytes: this.journalBytes,
      pendingBytes: this.pendingBytes,
      durability: this.durability,
      autosave: this.autosave,
      lastSave: this.lastSave,
      saveFailed: this.saveFailed ?? null,
      writeFailed: this.broken,
    };
  }

  async close() {
    this.closed = true;
    this.startTimers(); // clears them
    clearInterval(this.timers.retry);
    this.timers.retry = null;
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

/**
 * The error a full storage (or a journal still held elsewhere) leaves the
 * journal in: writes are refused with it (MISCONF) until the held records
 * are in.  Recoverable, unlike the other journal errors.
 */
function journalHeld(e) {
  const quota = e.code === 'VESSEL_QUOTA';
  const what = !quota || /^vessel: the storage is full/.test(e.message) ? e.message : `vessel: the storage is full (${e.message})`;
  const err = new Error(`${what}; writes are refused until ${quota ? 'space is freed' : 'the journal can be written'}`);
  err.code = e.code;
  err.recoverable = true;
  return err;
}

function checkDurability(mode) {
  if (!['always', 'everysec', 'no'].includes(mode)) {
    throw new TypeError(`vessel: durability must be 'always', 'everysec' or 'no'`);
  }
  return mode;
}

function checkAutosave(rules) {
  if (rules === undefined) return DEFAULT_AUTOSAVE;
  if (!rules) return [];
  if (!Array.isArray(rules) || rules.some((r) => !Array.isArray(r) || r.length !== 2 || !r.every((x) => Number.isFinite(x) && x >= 0))) {
    throw new TypeError('vessel: autosave must be false or [[seconds, changes], ...]');
  }
  return rules.map(([s, c]) => [s, c]);
}
