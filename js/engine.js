// engine.js - one instance of the WebAssembly engine and its ABI calls.
//
// This is the only file that touches the exports of vessel.*.wasm (see
// src/abi/vessel.h and wasm/exports.txt).  Arguments are written into one
// reusable buffer inside the engine's memory: argc pointers, argc
// lengths, then the bytes; the reply is read from the engine-owned reply
// buffer and decoded before the next call overwrites it.

import { decode, ReplyError } from './resp.js';

const encoder = new TextEncoder();
const INITIAL_ARG_BYTES = 64 * 1024;
const FLAG_CACHE_MAX = 1024; // command names whose flags are cached

/** Bytes of an argument: strings as UTF-8, numbers in decimal, views as their bytes. */
function argBytesUpperBound(a) {
  if (typeof a === 'string') return a.length * 3;
  if (ArrayBuffer.isView(a) || a instanceof ArrayBuffer) return a.byteLength;
  if (typeof a === 'number' || typeof a === 'bigint') return 32;
  throw new TypeError(`vessel: unsupported argument type ${a === null ? 'null' : typeof a}`);
}

export class Engine {
  /**
   * @param {WebAssembly.Instance} instance
   * @param {{ maxmemory?: number, seed?: number, databases?: number, simd?: boolean, clock?: () => number }} options
   */
  constructor(instance, options = {}) {
    this.exports = instance.exports;
    // The engine has no clock: the time (Unix ms) is given before each
    // command, batch or background step, as Redis reads it once per
    // command.  `hold` says whether expired keys may be deleted now
    // (0) or only hidden (1); the store sets it.
    this.clock = options.clock ?? Date.now;
    this.hold = () => 0;
    this.simd = options.simd;
    this.memory = this.exports.memory;
    this.exports._initialize?.();
    this.u8 = new Uint8Array(this.memory.buffer);
    this.u32 = new Uint32Array(this.memory.buffer);
    this.argCap = 0;
    this.argPtr = 0;
    this.flagCache = new Map(); // command name -> VS_CMD_* flags
    this.ensureArgs(INITIAL_ARG_BYTES);
    // vs_options: uint64 maxmemory, uint32 seed, uint32 databases (0: 16).
    const opt = this.argPtr;
    const dv = new DataView(this.memory.buffer);
    const databases = options.databases ?? 0;
    if (!Number.isInteger(databases) || databases < 0 || databases > 65536) {
      throw new RangeError('vessel: databases must be an integer from 1 to 65536');
    }
    dv.setBigUint64(opt, BigInt(Math.max(0, Math.floor(options.maxmemory ?? 0))), true);
    dv.setUint32(opt + 8, (options.seed ?? 0) >>> 0, true);
    dv.setUint32(opt + 12, databases, true);
    this.db = this.exports.vs_open(opt) >>> 0;
    if (!this.db) throw new Error('vessel: out of memory opening the store');
    this.client = 0; // the selected engine client (0: the default)
  }

  /** Re-create views after the engine's memory grew. */
  refresh() {
    if (this.u8.buffer !== this.memory.buffer) {
      this.u8 = new Uint8Array(this.memory.buffer);
      this.u32 = new Uint32Array(this.memory.buffer);
    }
  }

  ensureArgs(bytes) {
    if (bytes <= this.argCap) return;
    let cap = Math.max(this.argCap * 2, INITIAL_ARG_BYTES);
    while (cap < bytes) cap *= 2;
    if (this.argPtr) this.exports.vs_buffer_free(this.argPtr);
    this.argPtr = this.exports.vs_buffer_alloc(cap) >>> 0;
    if (!this.argPtr) {
      this.argCap = 0;
      throw new Error('vessel: out of memory for command arguments');
    }
    this.argCap = cap;
    this.refresh();
  }

  /**
   * Execute a command and return its raw RESP reply bytes (a view into
   * engine memory, valid until the next call) and whether it is an error.
   * @param {Array<string|number|ArrayBufferView|ArrayBuffer>} args
   * @param {number} [proto] 2 or 3
   */
  execRaw(args, proto = 2) {
    const argc = args.length;
    let need = argc * 8;
    for (let i = 0; i < argc; i++) need += argBytesUpperBound(args[i]);
    this.refresh(); // memory may have grown in any export call since the last one
    this.ensureArgs(need);
    let u8 = this.u8;
    const base = this.argPtr;
    const ptrs = base >>> 2;
    const lens = ptrs + argc;
    const u32 = this.u32;
    let off = base + argc * 8;
    for (let i = 0; i < argc; i++) {
      let a = args[i];
      let n;
      if (typeof a === 'number' || typeof a === 'bigint') a = String(a);
      if (typeof a === 'string') {
        if (a.length < 32) {
          // Short strings: ASCII fast path, UTF-8 encoder otherwise.
          n = 0;
          for (; n < a.length; n++) {
            const c = a.charCodeAt(n);
            if (c >= 0x80) break;
            u8[off + n] = c;
          }
          if (n < a.length) n = encoder.encodeInto(a, u8.subarray(off, off + a.length * 3)).written;
        } else {
          // A bounded view: encodeInto writes nothing into a view over 2 GiB long.
          n = encoder.encodeInto(a, u8.subarray(off, off + a.length * 3)).written;
        }
      } else if (a instanceof Uint8Array && a.length <= 16) {
        n = a.length; // small: a loop beats set()'s call
        for (let j = 0; j < n; j++) u8[off + j] = a[j];
      } else {
        const view = a instanceof ArrayBuffer ? new Uint8Array(a)
          : a instanceof Uint8Array ? a : new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
        u8.set(view, off);
        n = view.length;
      }
      u32[ptrs + i] = off;
      u32[lens + i] = n;
      off += n;
    }
    this.exports.vs_set_time(this.db, this.clock(), this.hold());
    const st = this.exports.vs_exec(this.db, argc, base, base + argc * 4, proto);
    this.refresh();
    u8 = this.u8;
    const ptr = this.exports.vs_reply_data(this.db) >>> 0;
    const len = this.exports.vs_reply_len(this.db) >>> 0;
    return { ok: st === 0, bytes: u8.subarray(ptr, ptr + len) };
  }

  /** Execute and decode; throws ReplyError on an error reply. */
  exec(args, binary = false) {
    const { bytes } = this.execRaw(args, 2);
    const [value] = decode(bytes, 0, binary);
    if (value instanceof ReplyError) throw value;
    return value;
  }

  /**
   * Run the complete requests at the start of `bytes` (RESP) that the
   * engine answers itself (src/abi/pipeline.c).  Returns { consumed, ran,
   * flags, replies } (replies: the batch's RESP bytes, copied).
   */
  execPipeline(bytes, proto = 2) {
    if (!this.infoPtr) {
      this.infoPtr = this.exports.vs_buffer_alloc(16) >>> 0;
      if (!this.infoPtr) throw new Error('vessel: out of memory');
    }
    const p = this.io(Math.max(bytes.length, 1));
    this.refresh();
    this.u8.set(bytes, p);
    this.exports.vs_set_time(this.db, this.clock(), this.hold());
    const consumed = this.exports.vs_exec_pipeline(this.db, p, bytes.length, proto, this.infoPtr);
    this.refresh();
    const i = this.infoPtr >>> 2;
    const ran = this.u32[i];
    const flags = this.u32[i + 1];
    const d = this.exports.vs_batch_data(this.db) >>> 0;
    const n = this.exports.vs_batch_len(this.db) >>> 0;
    let replies = this.u8.slice(d, d + n);
    if (this.u32[i + 2]) {
      const rp = this.exports.vs_reply_data(this.db) >>> 0;
      const rn = this.exports.vs_reply_len(this.db) >>> 0;
      const all = new Uint8Array(n + rn);
      all.set(replies, 0);
      all.set(this.u8.subarray(rp, rp + rn), n);
      replies = all;
    }
    return { consumed, ran, flags, replies };
  }

  /** Background work (index backfill): up to `budget` keys; true while more remains. */
  step(budget) {
    if (!this.db) return false;
    const more = this.exports.vs_step(this.db, budget >>> 0) !== 0;
    this.refresh();
    return more;
  }

  /**
   * Active expiry: delete up to `budget` keys past their time (earliest
   * first); true while more are due.  Their DEL records wait in the
   * journal buffer like a command's.
   */
  expireStep(budget) {
    if (!this.db) return false;
    this.exports.vs_set_time(this.db, this.clock(), this.hold());
    const more = this.exports.vs_expire_step(this.db, budget >>> 0) !== 0;
    this.refresh();
    return more;
  }

  /** The earliest expiry time of any key (Unix ms), Infinity when none. */
  nextExpiry() {
    return this.db ? this.exports.vs_expire_next(this.db) : Infinity;
  }

  /** { keysWithTtl, expiredKeys }: keys with a time now, keys deleted because they expired. */
  /** The next journal record selects its database (a replica's stream starts in database 0). */
  journalReselect() {
    this.exports.vs_journal_reselect_db(this.db);
  }

  /** How many numbered databases the store has. */
  databases() {
    return this.exports.vs_databases(this.db);
  }

  /** Database n's keys, keys with a time and average TTL (ms); null when never used. */
  dbStats(n) {
    const keys = this.exports.vs_db_stat(this.db, n, 0);
    if (keys < 0) return null;
    return { keys, expires: this.exports.vs_db_stat(this.db, n, 1), avgTtl: this.exports.vs_db_stat(this.db, n, 2) };
  }

  /** The current client's selected database. */
  selectedDb() {
    return this.exports.vs_client_db(this.db);
  }

  expiryStats() {
    return { keysWithTtl: this.exports.vs_expire_stat(this.db, 0), expiredKeys: this.exports.vs_expire_stat(this.db, 1) };
  }

  // ---- snapshots, journal, replay (see src/abi/vessel.h) ------------------------

  /** A transport buffer of at least n bytes in engine memory (reused). */
  io(n) {
    if (n > (this.ioCap ?? 0)) {
      if (this.ioPtr) this.exports.vs_buffer_free(this.ioPtr);
      this.ioPtr = this.exports.vs_buffer_alloc(n) >>> 0;
      if (!this.ioPtr) {
        this.ioCap = 0;
        throw new Error('vessel: out of memory for an I/O buffer');
      }
      this.ioCap = n;
      this.refresh();
    }
    return this.ioPtr;
  }

  errorText() {
    this.refresh();
    const p = this.exports.vs_error_text(this.db) >>> 0;
    let e = p;
    while (this.u8[e]) e++;
    return new TextDecoder().decode(this.u8.subarray(p, e));
  }

  check(st) {
    if (st !== 0) throw new Error(this.errorText() || `vessel: engine error ${st}`);
  }

  saveBegin() {
    this.check(this.exports.vs_save_begin(this.db));
  }

  saveSize() {
    return this.exports.vs_save_size(this.db);
  }

  /** The next chunk of the snapshot (empty when complete). */
  saveNext(cap) {
    const p = this.io(cap);
    const n = this.exports.vs_save_next(this.db, p, cap);
    if (n < 0) this.check(n);
    this.refresh();
    return this.u8.slice(p, p + n);
  }

  saveEnd() {
    this.exports.vs_save_end(this.db);
  }

  /** Feed bytes to the engine through the transport buffer, in pieces. */
  feed(fn, bytes) {
    const step = 1 << 20;
    for (let off = 0; off < bytes.length; off += step) {
      const part = bytes.subarray(off, off + step);
      const p = this.io(Math.max(part.length, 1));
      this.refresh();
      this.u8.set(part, p);
      this.check(fn(this.db, p, part.length));
      this.refresh();
    }
  }

  /**
   * Grow the engine's memory once so `bytes` more can be allocated
   * without growing again (a load of known size), instead of in steps.
   */
  reserve(bytes) {
    const have = this.memory.buffer.byteLength;
    const want = this.usedMemory() + bytes + (8 << 20);
    if (want > have) {
      try {
        this.memory.grow(Math.ceil((want - have) / 65536));
      } catch {
        // Not possible now: the engine grows on demand (and reports OOM).
      }
      this.refresh();
    }
  }

  /** Begin loading a snapshot of `size` bytes (its lengths are checked against it). */
  loadBegin(size) {
    this.check(this.exports.vs_load_begin(this.db, size));
  }

  loadFeed(bytes) {
    this.feed(this.exports.vs_load_feed, bytes);
  }

  loadEnd() {
    this.check(this.exports.vs_load_end(this.db));
    this.refresh();
  }

  loadAbort() {
    this.exports.vs_load_abort(this.db);
  }

  // ---- RDB: Redis's dump format (src/persist/rdb.h) ------------------------------

  /** Begin writing the store as an RDB file (keys expired now are left out). */
  rdbSaveBegin() {
    this.exports.vs_set_time(this.db, this.clock(), 1);
    this.check(this.exports.vs_rdb_save_begin(this.db));
  }

  /** The next chunk of the RDB file (empty when complete). */
  rdbSaveNext(cap) {
    const p = this.io(cap);
    const n = this.exports.vs_rdb_save_next(this.db, p, cap);
    if (n < 0) this.check(n);
    this.refresh();
    return this.u8.slice(p, p + n);
  }

  /** { keys, totalKeys, bytes } of the RDB file being written. */
  rdbSaveProgress() {
    const s = (i) => this.exports.vs_rdb_save_stat(this.db, i);
    return { keys: s(0), totalKeys: s(1), bytes: s(2) };
  }

  rdbSaveEnd() {
    if (this.db) this.exports.vs_rdb_save_end(this.db);
  }

  /** Begin reading an RDB file (size 0: unknown); replace: a store with keys may be replaced. */
  rdbLoadBegin(size, replace) {
    this.exports.vs_set_time(this.db, this.clock(), 1);
    this.check(this.exports.vs_rdb_load_begin(this.db, size, replace ? 1 : 0));
  }

  rdbLoadFeed(bytes) {
    this.feed(this.exports.vs_rdb_load_feed, bytes);
  }

  rdbLoadEnd() {
    this.check(this.exports.vs_rdb_load_end(this.db));
    this.refresh();
  }

  rdbLoadAbort() {
    if (this.db) this.exports.vs_rdb_load_abort(this.db);
  }

  /** The figures of the RDB load in progress, or of the last one (VS_RDB_STAT_*). */
  rdbLoadStats() {
    const s = (i) => this.exports.vs_rdb_load_stat(this.db, i);
    return {
      bytes: s(0),
      hashes: s(1),
      strings: s(2),
      expired: s(3),
      skipped: { list: s(4), set: s(5), zset: s(6), stream: s(7), module: s(8) },
      otherDatabases: s(9),
      functions: s(10),
      version: s(11),
      empty: s(12),
    };
  }

  /** The reply an ABI call (status rc) left in the reply buffer, decoded. */
  #replyOf(rc, binary) {
    this.check(rc);
    this.refresh();
    const p = this.exports.vs_reply_data(this.db) >>> 0;
    const n = this.exports.vs_reply_len(this.db) >>> 0;
    return decode(this.u8.subarray(p, p + n), 0, binary)[0];
  }

  /** INFO search_compatibility's lines: the gated sites reached, with their legacy runs. */
  compatInfo() {
    return this.#replyOf(this.exports.vs_compat_info(this.db), false);
  }

  /** Every index's FT.CREATE command, as given: [[name, ...args as bytes], ...]. */
  indexScript() {
    return this.#replyOf(this.exports.vs_index_script(this.db), true);
  }

  journalEnable(on) {
    this.exports.vs_journal_enable(this.db, on ? 1 : 0);
  }

  /** Take (copy and drain) the journal records the last commands produced. */
  journalTake() {
    const n = this.exports.vs_journal_len(this.db) >>> 0;
    if (!n) return null;
    this.refresh();
    const p = this.exports.vs_journal_data(this.db) >>> 0;
    const out = this.u8.slice(p, p + n);
    this.exports.vs_journal_drain(this.db, n);
    return out;
  }

  /** A new journal file begins: the next check record starts a new chain. */
  journalRestart() {
    this.exports.vs_journal_restart_chain(this.db);
  }

  /**
   * Begin replaying a journal.
   * @param {1|2} [format] 1: plain RESP (journals written before check
   *   records); 2 (the default): records sealed by check records
   */
  replayBegin(format = 2) {
    this.check(this.exports.vs_journal_replay_begin(this.db, format));
  }

  replayFeed(bytes) {
    this.feed(this.exports.vs_journal_replay_feed, bytes);
  }

  /** End replay; { valid, torn, applied, failed, error }. */
  replayEnd(keepPrefix) {
    const st = this.exports.vs_journal_replay_end(this.db, keepPrefix ? 1 : 0);
    const stat = (i) => this.exports.vs_journal_replay_stat(this.db, i);
    return { valid: stat(0), torn: stat(1), applied: stat(2), failed: stat(3), error: st === 0 ? null : this.errorText() };
  }

  /**
   * VS_CMD_* flags of a command name (-1 unknown).  Cached by the name as
   * given (a command runs under the same spelling again and again); the
   * cache is emptied when full, so names from clients cannot grow it.
   */
  commandFlags(name) {
    const text = typeof name === 'string';
    if (text) {
      const hit = this.flagCache.get(name);
      if (hit !== undefined) return hit;
    }
    const bytes = text ? encoder.encode(name) : name;
    const p = this.io(Math.max(bytes.length, 1));
    this.refresh();
    this.u8.set(bytes, p);
    const f = this.exports.vs_command_flags(p, bytes.length);
    if (text) {
      if (this.flagCache.size >= FLAG_CACHE_MAX) this.flagCache.clear();
      this.flagCache.set(name, f);
    }
    return f;
  }

  // ---- clients (transactions; src/commands/client.h) ----------------------------

  /** A new engine client (its own MULTI, queue and watched keys): its id. */
  clientOpen() {
    const id = this.exports.vs_client_open(this.db);
    if (id <= 0) throw new Error('vessel: out of memory opening a client');
    return id;
  }

  /** End a client: its transaction is discarded, its keys unwatched. */
  clientClose(id) {
    if (!this.db || !id) return;
    this.exports.vs_client_close(this.db, id);
    if (this.client === id) this.client = 0;
  }

  /** Run the next commands as client `id` (0: the default). */
  selectClient(id = 0) {
    if (this.client === id) return;
    if (this.exports.vs_client_select(this.db, id) !== 0) throw new Error(`vessel: no client ${id}`);
    this.client = id;
  }

  /**
   * The selected client's transaction: { multi, dirty, doomed, queued }
   * (queued: the OR of the queued commands' VS_CMD_* flags).
   */
  clientState() {
    const s = this.exports.vs_client_state(this.db);
    return { multi: (s & 1) !== 0, dirty: (s & 2) !== 0, doomed: (s & 4) !== 0, queued: s >>> 8 };
  }

  /** A front end refused a command inside the selected client's MULTI: EXEC will answer EXECABORT. */
  clientReject() {
    this.exports.vs_client_reject(this.db);
  }

  /** Discard the selected client's transaction and unwatch its keys (RESET, EXEC refused). */
  clientReset() {
    this.exports.vs_client_reset(this.db);
  }

  /**
   * Queue, in the selected client's transaction, the place of a command the
   * front end answers itself: its index in the transaction (EXEC replies a
   * null there), or -1 when nothing was queued.
   */
  queuePlaceholder() {
    return this.exports.vs_client_queue_placeholder(this.db);
  }

  /** Bytes allocated by the engine. */
  usedMemory() {
    return this.exports.vs_used_memory() >>> 0;
  }

  /** Testing hook: fail the nth allocation from now (0 = off). */
  faultInject(n, persist = false) {
    return this.exports.vs_fault_inject(n >>> 0, persist ? 1 : 0) >>> 0;
  }

  close() {
    if (!this.db) return;
    this.exports.vs_close(this.db);
    if (this.argPtr) this.exports.vs_buffer_free(this.argPtr);
    if (this.ioPtr) this.exports.vs_buffer_free(this.ioPtr);
    if (this.infoPtr) this.exports.vs_buffer_free(this.infoPtr);
    this.infoPtr = 0;
    this.db = 0;
    this.argPtr = 0;
    this.ioPtr = 0;
    this.ioCap = 0;
    this.argCap = 0;
  }
}
