// tabs.js - one store shared by every tab of an origin: each tab gets the
// same async API as a Web Worker store (js/worker-client.js), and all of
// them read and write the same data.
//
//   import { openShared } from 'vessel/tabs';
//   const db = await openShared({ storage: { browser: 'notes' } });
//   db.onChange(() => refresh());            // after any tab's writes
//   await db.hset('doc:1', { title: 'hi' }); // from whichever tab
//
// Roles.  One tab, the owner, runs the store in its own Web Worker
// (openWorker) and holds the Web Lock 'vessel-owner:' + key for as long
// as it does; every other tab (a follower) waits on that lock, which puts
// it in line to take over, and forwards its calls to the owner over the
// BroadcastChannel 'vessel-tabs:' + key.  The key names the storage
// description ('indexeddb:NAME', 'opfs:NAME', 'browser:NAME').
//
// Messages on the channel (docs/tabs.md):
//   { type: 'who', from }                        a new tab asks for the owner
//   { type: 'owner', id, state: 'opening' }      a tab got the lock
//   { type: 'owner', id, state: 'ready', info }  ... and opened the store
//   { type: 'call', from, to, id, method, args, progress }
//   { type: 'reply', from, to, id, result | error | progress | retry }
//   { type: 'change' }                           writes were made
//   { type: 'bye', id, error? }                  the owner closed (after
//                                                answering every call it took)
//
// Invariants:
// - A call is executed by at most one owner: it is addressed to one (`to`),
//   and a tab only answers calls addressed to itself.
// - When a new owner appears, the calls sent to the old one and not
//   answered are resent if they only read, and rejected with code
//   'VESSEL_OWNER_LOST' otherwise (the old owner may have applied them).
//   After a 'bye', they are all resent: the owner answered what it ran.
// - An acknowledged write is durable (durability 'always' by default), so
//   the next owner, which opens the store from storage, has it.
// - A follower's RDB transfer ends (releasing the owner's store) when that
//   tab goes: the owner watches the tab's own Web Lock while it lasts.

import { openWorker, rebuildError, ReplyError, VesselWorker } from './worker-client.js';
import { FORWARDED, RDB_STEPS, WORKER_METHODS } from './worker-methods.js';

/** Calls that only read: resent to a new owner when the old one went. */
export const READ_ONLY = Object.freeze([
  'search', 'hget', 'hmget', 'hgetall', 'exists', 'keys', 'dbsize', 'listIndexes', 'indexInfo', 'hybrid',
  'usedMemory', 'indexReady', 'indexScript',
]);
const READS = new Set(READ_ONLY);

/** What an owner runs for other tabs. */
const RELAYED = new Set([...WORKER_METHODS.filter((m) => m !== 'close'), ...RDB_STEPS]);

/** How long a new owner retries while the old owner's storage lock is still held. */
const TAKEOVER_MS = 5000;

/** How long a write sent to an owner that was replaced may still be answered by it. */
const GRACE_MS = 500;

/** The key naming a persistent storage description. */
export function sharedKey(storage) {
  if (storage && typeof storage === 'object') {
    const kinds = ['indexeddb', 'opfs', 'browser'].filter((k) => k in storage);
    if (kinds.length === 1 && typeof storage[kinds[0]] === 'string' && storage[kinds[0]]) return `${kinds[0]}:${storage[kinds[0]]}`;
  }
  throw new TypeError('vessel: openShared needs a persistent storage: { browser: name }, { opfs: name } or { indexeddb: name }');
}

function errorOf(e) {
  return { message: e?.message ?? String(e), name: e?.name ?? 'Error', code: e?.code };
}

function ownerLost(method) {
  const e = new Error(
    `vessel: the tab that owned the store went away while running ${method}; the write may or may not have been applied`,
  );
  e.code = 'VESSEL_OWNER_LOST';
  return e;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function tabId() {
  return globalThis.crypto?.randomUUID?.() ?? `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}

export class SharedVessel {
  #key;
  #options;
  #locks;
  #channel;
  #openWorker;
  #takeoverMs;
  #id = tabId();
  #owner = null; // the id of the ready owner (this tab's own when it owns), or null
  #worker = null; // this tab's VesselWorker while it owns
  #calls = new Map(); // id -> { method, args, onProgress, resolve, reject, sentTo }
  #next = 1;
  #changeFns = new Set();
  #roleFns = new Set();
  #inflight = new Set(); // relayed calls running on this owner
  #transfers = new Map(); // this owner's RDB transfer id -> { from, method, stop }
  #closing = false;
  #left = false; // the channel is closed
  #abort = new AbortController(); // ends the wait for the owner lock, and the tab lock
  #release = null; // resolves the owner lock's promise
  #ready; // settles openShared
  #settle; // its { resolve, reject }
  #readyDone = false;
  #backoff = 500; // ms before queueing again after a failed takeover (doubles)

  constructor(options, { locks, BroadcastChannel: BC, openWorker: ow, takeoverMs } = {}) {
    this.#key = sharedKey(options.storage);
    this.#options = options;
    this.#locks = locks ?? globalThis.navigator?.locks;
    if (!this.#locks) throw new Error('vessel: openShared needs the Web Locks API (navigator.locks)');
    const Channel = BC ?? globalThis.BroadcastChannel;
    if (!Channel) throw new Error('vessel: openShared needs BroadcastChannel');
    this.#openWorker = ow ?? openWorker;
    this.#takeoverMs = takeoverMs ?? TAKEOVER_MS;
    this.#channel = new Channel(`vessel-tabs:${this.#key}`);
    this.#channel.onmessage = ({ data }) => this.#onMessage(data);
    this.role = null;
    this.closed = false;
    this.build = undefined;
    this.readOnly = false;
    this.loadReport = null;
    this.storage = undefined;
    this.#ready = new Promise((resolve, reject) => (this.#settle = { resolve, reject }));
  }

  /** The store's key ('indexeddb:NAME' ...) and this tab's id. */
  get key() {
    return this.#key;
  }
  get tabId() {
    return this.#id;
  }

  /** Join: hold this tab's own lock, queue for the owner lock, ask who owns. */
  async start() {
    await new Promise((held, failed) => {
      this.#locks
        .request(`vessel-tab:${this.#key}:${this.#id}`, { signal: this.#abort.signal }, () => {
          held();
          return new Promise((r) => this.#abort.signal.addEventListener('abort', r));
        })
        .catch(failed);
    });
    this.#queueForOwnership();
    this.#post({ type: 'who', from: this.#id });
    return this.#ready;
  }

  #queueForOwnership() {
    this.#locks
      .request(`vessel-owner:${this.#key}`, { signal: this.#abort.signal }, () => this.#own())
      .catch((e) => {
        if (!this.#abort.signal.aborted) this.#fail(e);
      });
  }

  /** Say something on the channel (a closing owner still answers what it ran, and says 'bye'). */
  #post(msg) {
    if (!this.#left) this.#channel.postMessage(msg);
  }

  #setRole(role) {
    if (this.role === role) return;
    this.role = role;
    for (const fn of [...this.#roleFns]) fn(role);
  }

  #changed() {
    for (const fn of [...this.#changeFns]) fn();
  }

  #fail(e) {
    if (!this.#readyDone) {
      this.#readyDone = true;
      this.#settle.reject(e);
    }
  }

  #becameReady() {
    if (this.#readyDone) return;
    this.#readyDone = true;
    this.#settle.resolve(this);
  }

  // ---- owning ------------------------------------------------------------

  /** The owner lock is ours: open the store and serve until closed. */
  async #own() {
    if (this.closed) return undefined;
    const takeover = this.#readyDone;
    this.#owner = null;
    this.#post({ type: 'owner', id: this.#id, state: 'opening' });
    this.#ownerChanged(this.#id);
    let worker;
    try {
      worker = await this.#openStore();
    } catch (e) {
      // Nobody can serve from here: tell the others, give the lock to the next tab.
      this.#post({ type: 'bye', id: this.#id, error: errorOf(e) });
      this.#failUnsent(e);
      if (!takeover) {
        this.#fail(e);
        this.#shut();
      } else {
        // In line again later, each failure waiting twice as long (up to
        // 30 s): a store no tab can open is not reopened every second.
        this.#backoff = Math.min(this.#backoff * 2, 30000);
        sleep(this.#backoff).then(() => !this.closed && this.#queueForOwnership());
      }
      return undefined;
    }
    if (this.closed) {
      await worker.close().catch(() => {});
      return undefined;
    }
    this.#worker = worker;
    this.#backoff = 500;
    const info = { build: worker.build, readOnly: worker.readOnly, loadReport: worker.loadReport, storage: worker.storage };
    Object.assign(this, info);
    worker.onChange(() => {
      this.#post({ type: 'change' });
      this.#changed();
    });
    this.#owner = this.#id;
    this.#setRole('owner');
    this.#post({ type: 'owner', id: this.#id, state: 'ready', info });
    this.#flush();
    this.#becameReady();
    if (takeover) this.#changed(); // calls lost with the old owner may have written
    return new Promise((r) => (this.#release = r));
  }

  /** openWorker, retrying while the old owner's storage lock is still held. */
  async #openStore() {
    const deadline = Date.now() + this.#takeoverMs;
    for (;;) {
      try {
        return await this.#openWorker({ durability: 'always', ...this.#options });
      } catch (e) {
        if (e?.code !== 'VESSEL_LOCKED' || Date.now() > deadline || this.closed) throw e;
        await sleep(50);
      }
    }
  }

  /** Run another tab's call on this tab's worker and answer it. */
  #relay({ from, id, method, args, progress }) {
    const reply = (m) => this.#post({ type: 'reply', from: this.#id, to: from, id, ...m });
    if (this.#closing || !this.#worker) return reply({ retry: true });
    if (!RELAYED.has(method)) return reply({ error: errorOf(new Error(`vessel: unknown method ${method}`)) });
    const onProgress = progress ? (p) => reply({ progress: p }) : undefined;
    const run = this.#worker
      .call(method, args, onProgress)
      .then(
        (result) => {
          this.#trackTransfer(from, method, args, result, null);
          reply({ result });
        },
        (e) => {
          this.#trackTransfer(from, method, args, undefined, e);
          reply({ error: errorOf(e) });
        },
      )
      .finally(() => this.#inflight.delete(run));
    this.#inflight.add(run);
    return undefined;
  }

  /** A follower's RDB transfer lasts no longer than the follower: watch its tab lock. */
  #trackTransfer(from, method, args, result, error) {
    if (method === 'exportRdb' || method === 'importRdb') {
      if (error) return;
      const tid = result;
      const stop = new AbortController();
      this.#transfers.set(tid, { from, stop });
      this.#locks
        .request(`vessel-tab:${this.#key}:${from}`, { signal: stop.signal }, () => {
          // Granted: that tab is gone, its transfer would hold the store's writes back.
          if (!this.#transfers.has(tid)) return undefined;
          this.#transfers.delete(tid);
          if (!this.#worker || this.#worker.closed) return undefined;
          const end = method === 'exportRdb' ? ['rdbExportEnd', [tid]] : ['rdbImportAbort', [tid, 'the tab that sent it went away']];
          return this.#worker.call(...end).catch(() => {});
        })
        .catch(() => {});
      return;
    }
    if (!RDB_STEPS.includes(method)) return;
    const tid = args[0];
    const over = method !== 'rdbExportNext' && method !== 'rdbImportFeed' ? true : error || (method === 'rdbExportNext' && result === null);
    const t = this.#transfers.get(tid);
    if (over && t) {
      this.#transfers.delete(tid);
      t.stop.abort();
    }
  }

  // ---- following ---------------------------------------------------------

  #onMessage(data) {
    if (!data || typeof data !== 'object') return;
    switch (data.type) {
      case 'who':
        if (this.#owner === this.#id && !this.#closing) {
          this.#post({ type: 'owner', id: this.#id, state: 'ready', info: this.#info() });
        }
        return;
      case 'owner':
        if (data.id === this.#id) return;
        this.#ownerChanged(data.id);
        if (data.state === 'ready') {
          const known = this.#owner === data.id;
          this.#owner = data.id;
          if (!known) {
            Object.assign(this, data.info ?? {});
            this.#setRole('follower');
            this.#flush();
            if (this.#readyDone) this.#changed(); // a takeover: lost calls may have written
            this.#becameReady();
          }
        } else {
          this.#owner = null;
        }
        return;
      case 'bye':
        if (data.id === this.#id) return;
        if (this.#owner === data.id) this.#owner = null;
        for (const c of this.#calls.values()) {
          if (c.sentTo !== data.id) continue;
          c.sentTo = null; // it answered all it ran: resend
          c.doubt = false;
        }
        if (data.error) this.#failUnsent(rebuildError(data.error));
        else this.#flush(); // a new owner may already be there
        return;
      case 'call':
        if (data.to === this.#id) this.#relay(data);
        return;
      case 'reply': {
        if (data.to !== this.#id) return;
        const c = this.#calls.get(data.id);
        if (!c || c.sentTo !== data.from) return;
        if ('progress' in data) {
          c.onProgress?.(data.progress);
          return;
        }
        if (data.retry) {
          c.sentTo = null; // not run: goes to the next owner
          c.doubt = false;
          if (this.#owner === data.from) this.#owner = null; // it is closing
          this.#flush();
          return;
        }
        this.#calls.delete(data.id);
        if (data.error) c.reject(rebuildError(data.error));
        else c.resolve(data.result);
        return;
      }
      case 'change':
        if (this.#owner !== this.#id) this.#changed();
        return;
      default:
    }
  }

  #info() {
    return { build: this.build, readOnly: this.readOnly, loadReport: this.loadReport, storage: this.storage };
  }

  /**
   * A new owner (`id`): calls sent to another are resent (reads) or lost
   * (writes).  A write is given up only after GRACE_MS: messages from two
   * tabs may arrive out of order, and the old owner's answers and 'bye'
   * (after which its unanswered calls are resent, not lost) may still come.
   */
  #ownerChanged(id) {
    for (const [cid, c] of this.#calls) {
      if (c.sentTo === null || c.sentTo === id) continue;
      if (READS.has(c.method)) {
        c.sentTo = null;
      } else if (!c.doubt) {
        c.doubt = true;
        const old = c.sentTo;
        setTimeout(() => {
          if (this.#calls.get(cid) !== c || c.sentTo !== old) return; // answered, or resent after a 'bye'
          this.#calls.delete(cid);
          c.reject(ownerLost(c.method));
        }, GRACE_MS);
      }
    }
  }

  /** Send the calls waiting for an owner. */
  #flush() {
    if (!this.#owner) return;
    for (const c of [...this.#calls.values()]) if (c.sentTo === null) this.#send(c);
  }

  #send(c) {
    if (this.#owner === this.#id) {
      this.#calls.delete(c.id);
      this.#worker.call(c.method, c.args, c.onProgress).then(c.resolve, c.reject);
      return;
    }
    c.sentTo = this.#owner;
    try {
      this.#post({ type: 'call', from: this.#id, to: c.sentTo, id: c.id, method: c.method, args: c.args, progress: !!c.onProgress });
    } catch (e) {
      this.#calls.delete(c.id); // its arguments cannot be cloned
      c.reject(e);
    }
  }

  #failUnsent(e) {
    for (const [id, c] of this.#calls) {
      if (c.sentTo !== null) continue;
      this.#calls.delete(id);
      c.reject(e);
    }
  }

  // ---- the API -----------------------------------------------------------

  /** Call a store method on the owner (this tab's worker when it owns). */
  call(method, args = [], onProgress) {
    if (this.closed) return Promise.reject(new Error('vessel: the store is closed'));
    if (this.#owner === this.#id) return this.#worker.call(method, args, onProgress);
    return new Promise((resolve, reject) => {
      const c = { id: this.#next++, method, args, onProgress, resolve, reject, sentTo: null };
      this.#calls.set(c.id, c);
      if (this.#owner) this.#send(c);
    });
  }

  /** Call fn() after writes made by any tab (coalesced); returns the function that stops it. */
  onChange(fn) {
    if (typeof fn !== 'function') throw new TypeError('vessel: onChange needs a function');
    this.#changeFns.add(fn);
    return () => {
      this.#changeFns.delete(fn);
    };
  }

  /** Call fn(role) when this tab's role changes ('owner' on a takeover); returns the function that stops it. */
  onRole(fn) {
    if (typeof fn !== 'function') throw new TypeError('vessel: onRole needs a function');
    this.#roleFns.add(fn);
    return () => {
      this.#roleFns.delete(fn);
    };
  }

  /**
   * Leave: a follower just goes; the owner answers the calls it took,
   * closes its store (flushing it) and hands the lock to the next tab.
   */
  async close() {
    if (this.closed) return;
    this.closed = true;
    try {
      if (this.#owner === this.#id) {
        this.#closing = true;
        await Promise.allSettled([...this.#inflight]);
        for (const t of this.#transfers.values()) t.stop.abort();
        try {
          await this.#worker.close();
        } finally {
          this.#post({ type: 'bye', id: this.#id });
          this.#release?.();
        }
      }
    } finally {
      this.#shut();
    }
  }

  #shut() {
    this.closed = true;
    this.#owner = null;
    this.#abort.abort();
    const e = new Error('vessel: the store is closed');
    for (const c of this.#calls.values()) c.reject(e);
    this.#calls.clear();
    this.#left = true;
    this.#channel.close();
  }
}

// The worker client's methods (the forwarded ones, and pipeline, execMulti,
// multi, indexReady, exportRdb, importRdb) work through call() as they are.
for (const m of [...FORWARDED, 'pipeline', 'execMulti', 'multi', 'indexReady', 'exportRdb', 'importRdb']) {
  Object.defineProperty(SharedVessel.prototype, m, { value: VesselWorker.prototype[m], writable: true, configurable: true });
}

/**
 * Open a store shared by the tabs of this origin.  Options are openWorker's
 * (durability defaults to 'always'); storage must be persistent:
 * { browser: name }, { opfs: name } or { indexeddb: name }.
 * @param {object} options
 * @param {{ locks?: LockManager, BroadcastChannel?: typeof BroadcastChannel, openWorker?: Function, takeoverMs?: number }} [how]
 *   stand-ins for tests
 */
export async function openShared(options = {}, how = {}) {
  const db = new SharedVessel(options, how);
  try {
    return await db.start();
  } catch (e) {
    if (!db.closed) await db.close().catch(() => {});
    throw e;
  }
}

export { ReplyError };
