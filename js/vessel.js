// vessel.js - the store: `open(options)` and the Vessel class.
//
// A Vessel wraps one engine instance.  `command()` speaks the Redis
// command language exactly; the idiomatic methods (hset, search, ...) are
// thin conveniences over it.  Every method returns a promise, so the same
// API runs over a Web Worker and waits for durable storage when asked.
//
// Every command, whatever the entry point (command, commandBuffer,
// commandSync, commandRaw, pipelineRaw, pipeline and the conveniences),
// passes one gate (#gate, and #admit/#settle for engine batches): it
// refuses writes on a read-only store or after a journal failure, hands
// the journal records a write produced to the persister, and does the
// work after a change to the set of indexes (known by the engine's
// command flags: backfill, schema cache, indexReady waiters).  While a
// snapshot is being saved, writes wait (the snapshot reads the live
// store); only the synchronous entry points refuse them instead.
//
// Transactions live in the engine, per engine client: the in-process
// caller is client 0 (command('MULTI') ... command('EXEC') queue there);
// front ends pass their own client ids (vessel-server: one per
// connection).  EXEC counts as the commands it will run: held back by a
// save and refused on a read-only store when they write, and followed by
// the index-change work when they change the set of indexes.  A command
// the gate refuses inside MULTI dooms the transaction, as in Redis.

import { concat } from './bytes.js';
import { Engine } from './engine.js';
import { loadModule } from './loader.js';
import { Persister } from './persistence.js';
import { checkSource, chunksOf, formatIndexScript, sizeOf } from './rdb.js';
import { Multi } from './multi.js';
import { ReplyError } from './resp.js';
import { error as respError } from './resp-write.js';
import { BackgroundWork } from './scheduler.js';
import { aggregateArgs, createArgs, fillHybridFields, hybridArgs, parseAggregate, parseHybrid, parseInfo, parseSearch, scoreName, searchArgs, vectorFields } from './search.js';

const PAGE = 65536;
const MAX_PAGES = 65536; // 4 GiB
const MAX_STEP_PAGES = 4096; // 256 MiB
// VS_CMD_* flags (src/commands/command.h), as vs_command_flags reports them.
const WRITE_FLAG = 1;
const JOURNALED = 128; // VS_CMD_JOURNAL: changes the set of indexes (FT.CREATE, FT.DROPINDEX, FT.DROP)
const TX_FLAG = 512; // VS_CMD_TX: MULTI, EXEC, DISCARD, WATCH (run inside MULTI, never queued)

/** Commands the store may answer itself (see #persistenceCommand). */
const PERSISTENCE_COMMANDS = new Set(['SAVE', 'BGSAVE', 'LASTSAVE', 'INFO', 'CONFIG']);

/**
 * The error reply for writes the journal did not take (Redis's text after
 * a failed AOF write), keeping the storage's code (VESSEL_QUOTA: full).
 */
function misconf(e) {
  const err = new ReplyError(`MISCONF Errors writing to the AOF file: ${e.message}`);
  if (e.code) err.code = e.code;
  return err;
}

/**
 * The engine's only import.  The C heap grows memory by exactly what one
 * allocation needs; growing in many small steps is slow in every runtime,
 * so when it grows we add headroom geometrically (`memoryHeadroom` of
 * the current size, 50% by default, at least 16 MiB and at most 256 MiB),
 * the way a vector doubles its capacity.  Where memory is tight (a 128 MB
 * edge isolate) a smaller headroom wastes less.
 */
function makeImports(options) {
  const state = { memory: null };
  const factor = options.memoryHeadroom ?? 0.5;
  const minStep = factor >= 0.25 ? 256 : 16; // 16 MiB, or 1 MiB when tight
  const env = {
    emscripten_notify_memory_growth() {
      const mem = state.memory;
      if (!mem) return;
      const pages = mem.buffer.byteLength / PAGE;
      const step = Math.min(MAX_STEP_PAGES, Math.max(minStep, Math.floor(pages * factor)), MAX_PAGES - pages);
      if (step > 0) {
        try {
          mem.grow(step);
        } catch {
          // Headroom is an optimisation: the engine grows again on demand.
        }
      }
    },
  };
  return { imports: { env }, state };
}

/** The storage option.  `{ dir }` is resolved by the Node entry (js/node.js). */
function resolveStorage(options) {
  if (options.storage) return options.storage;
  if (options.dir) throw new TypeError("vessel: { dir } needs Node.js (import 'vessel' there); here, pass { storage }");
  return null;
}

/**
 * Open a store.
 * @param {import('./index.js').OpenOptions} [options]
 * @returns {Promise<Vessel>}
 */
export async function open(options = {}) {
  const { module, simd } = await loadModule(options);
  const { imports, state } = makeImports(options);
  const instance = await WebAssembly.instantiate(module, imports);
  state.memory = instance.exports.memory;
  const engine = new Engine(instance, { ...options, simd });
  const db = new Vessel(engine, options);
  const storage = resolveStorage(options);
  if (storage) {
    const p = new Persister(engine, storage, options);
    try {
      db.loadReport = await p.open();
    } catch (e) {
      engine.close();
      throw e;
    }
    db.persister = p;
    db.readOnly = p.readOnly;
    db.background.kick(); // backfill on load
  }
  db.startExpiry();
  return db;
}

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder();

/** Redis's save parameter ("3600 1 300 100") -> [[3600, 1], [300, 100]]; null if malformed. */
export function parseSaveRules(text) {
  const parts = String(text).trim().split(/\s+/).filter(Boolean);
  if (parts.length % 2 || parts.some((p) => !/^\d+$/.test(p))) return null;
  const rules = [];
  for (let i = 0; i < parts.length; i += 2) rules.push([Number(parts[i]), Number(parts[i + 1])]);
  return rules;
}

/** [[3600, 1], [300, 100]] -> "3600 1 300 100". */
export function formatSave(rules) {
  return (rules || []).flat().join(' ');
}

/** RESP bytes of a { value, type } or { error } answer. */
function respOf(r) {
  if (r.error) return utf8.encode(`-${r.error}\r\n`);
  if (r.type === 'array') {
    return concat([utf8.encode(`*${r.value.length}\r\n`), ...r.value.map((v) => respOf({ value: v, type: 'bulk' }))]);
  }
  if (r.type === 'int') return utf8.encode(`:${r.value}\r\n`);
  if (r.type === 'status') return utf8.encode(`+${r.value}\r\n`);
  const body = utf8.encode(String(r.value));
  const out = new Uint8Array(body.length + 32);
  const head = utf8.encode(`$${body.length}\r\n`);
  out.set(head, 0);
  out.set(body, head.length);
  out.set([13, 10], head.length + body.length);
  return out.subarray(0, head.length + body.length + 2);
}

function toArgs(name, args) {
  const out = new Array(args.length + 1);
  out[0] = name;
  for (let i = 0; i < args.length; i++) out[i + 1] = args[i];
  return out;
}

/** The name of a command (or an argument) as text. */
function nameOf(a) {
  if (typeof a === 'string') return a;
  if (!ArrayBuffer.isView(a)) return String(a);
  if (a instanceof Uint8Array && a.length < 32) {
    // Short names: an ASCII loop beats the decoder's call.
    let s = '';
    for (let i = 0; i < a.length; i++) {
      if (a[i] >= 0x80) return fromUtf8.decode(a);
      s += String.fromCharCode(a[i]);
    }
    return s;
  }
  return fromUtf8.decode(a);
}

// How the gate returns an engine reply (the `binary` flag of the decoded
// forms doubles as the mode).
const DECODED = false; // decoded, bulk strings as strings; an error reply is thrown
const BINARY = true; // decoded, bulk strings as Uint8Array; an error reply is thrown
const RESP = 'resp'; // the RESP bytes (copied), error replies included

// Active expiry: when the earliest expiry time is due, the background
// work reclaims expired keys in bounded steps (as Redis's cycle); the
// timer looks again at most this often (an injected clock does not move
// with real time).
const EXPIRY_RECHECK_MS = 1000;
const EXPIRY_MIN_DELAY_MS = 10;

export class Vessel {
  #binaryReplies;
  #activeExpiry;
  #expiryTimer = null;
  #schemas = new Map(); // database and index name -> FT.INFO object (cached)
  #waiters = new Set(); // indexReady() promises to settle after each slice
  #transfer = null; // promise of the RDB export or import in progress (writes wait for it)
  #endTransfer = null; // releases it (close() does, for a transfer left hanging)
  #feeds = new Set(); // replicate() listeners: every write's journal records

  /** @param {Engine} engine */
  constructor(engine, options = {}) {
    // engine, persister and background are internal (tests and benchmarks
    // drive them directly); the public API is the methods below.
    this.engine = engine;
    this.#binaryReplies = !!options.binaryReplies;
    this.closed = false;
    this.readOnly = false;
    this.persister = null;
    this.loadReport = null;
    // Two tasks with budgets of their own: reclaiming expired keys, and
    // the backfill (a key skipped by a backfill costs far less than an
    // indexed key deleted).
    this.background = new BackgroundWork([(budget) => this.#expiryStep(budget), (budget) => this.#backfillStep(budget)], {
      sliceMs: options.backfillSliceMs ?? 4,
      onSlice: () => this.#notifyWaiters(),
      onError: (e) => this.#failWaiters(e),
    });
    // Expired keys are deleted (on access, by the cycle) unless the store
    // cannot write now: then they are only hidden.
    engine.hold = () => (this.readOnly || this.#busy || this.persister?.broken ? 1 : 0);
    this.#activeExpiry = options.activeExpiry ?? true;
  }

  /** The promise of the save or RDB transfer that holds writes back now, or null. */
  get #busy() {
    return this.persister?.saving || this.#transfer;
  }

  /** Start the active expiry timer (open() does; internal). */
  startExpiry() {
    this.#armExpiry();
  }

  /** 'simd', 'scalar', or undefined when a single module was given. */
  get build() {
    return this.engine.simd === undefined ? undefined : this.engine.simd ? 'simd' : 'scalar';
  }

  #checkOpen() {
    if (this.closed) throw new Error('vessel: the store is closed');
  }

  #expiryStep(budget) {
    if (this.#busy) return false; // resumed when the save or RDB transfer ends
    if (!this.#activeExpiry || this.readOnly || this.persister?.broken) return false;
    const more = this.engine.expireStep(budget);
    this.#settle(0)?.catch(() => {}); // the deletions' journal records, as a command's
    return more;
  }

  #backfillStep(budget) {
    if (this.#busy) return false; // resumed when the save or RDB transfer ends
    return this.engine.step(budget);
  }

  /**
   * Arm the expiry timer: when the earliest time is due the background
   * work runs (it reclaims in bounded steps, then looks again).
   */
  #armExpiry() {
    if (!this.#activeExpiry || this.#expiryTimer || this.closed) return;
    const next = this.engine.nextExpiry();
    if (next === Infinity) return;
    const wait = Math.min(Math.max(next - this.engine.clock(), EXPIRY_MIN_DELAY_MS), EXPIRY_RECHECK_MS);
    this.#expiryTimer = setTimeout(() => {
      this.#expiryTimer = null;
      if (this.closed) return;
      if (this.engine.nextExpiry() <= this.engine.clock()) this.background.kick().then(() => this.#armExpiry(), () => {});
      else this.#armExpiry();
    }, wait);
    this.#expiryTimer.unref?.(); // never keeps a Node process alive
  }

  /**
   * Reclaim expired keys now, at most `budget` (all when omitted): the
   * active cycle's step, for tests and for embedders that drive it.
   * Returns the number of keys deleted.
   */
  expireNow(budget = Infinity) {
    this.#checkOpen();
    const before = this.engine.expiryStats().expiredKeys;
    let left = budget;
    while (left > 0) {
      const step = Math.min(left, 1 << 16);
      const more = this.engine.expireStep(step);
      this.#settle(0)?.catch(() => {});
      left -= step;
      if (!more) break;
    }
    return this.engine.expiryStats().expiredKeys - before;
  }

  // ---- the gate ----------------------------------------------------------------
  //
  // Every command reaches the engine through here: #flagsOf (the store is
  // open; the command's VS_CMD_* flags, which every later step reads),
  // #held (a save in progress holds writes back), #admit (read-only
  // store, broken journal), the engine call, then #settle (journal
  // hand-off, which also counts the changes autosave looks at, and the
  // work after a change to the set of indexes).  #gate runs one command;
  // pipelineRaw runs a batch under the same rules.

  /** The VS_CMD_* flags of a command (-1: unknown to the engine); throws once the store is closed. */
  #flagsOf(name) {
    this.#checkOpen();
    return this.engine.commandFlags(name);
  }

  /** The promise of the end of a save that holds this command back, or null. */
  #held(flags) {
    const busy = this.#busy;
    return busy && flags & WRITE_FLAG ? busy.catch(() => {}) : null;
  }

  /** Refuse a command the store cannot take now (throws). */
  #admit(flags) {
    const p = this.persister;
    if ((this.readOnly || this.#busy || p?.broken) && flags & WRITE_FLAG) {
      if (this.readOnly) throw new ReplyError("READONLY You can't write against a read only replica.");
      // As Redis after a failed AOF write: refuse writes, keep reads.
      if (p?.broken) throw misconf(p.broken);
      throw new Error(`vessel: ${p?.saving ? 'a save' : 'an RDB transfer'} is in progress; use the async API, which waits for it`);
    }
  }

  /**
   * After commands ran (with these VS_CMD_* flags, or'ed): hand their
   * journal records to the persister; the promise of their durability.
   */
  #settle(flags) {
    let durable;
    if (this.persister || this.#feeds.size) {
      const bytes = this.engine.journalTake();
      if (bytes) {
        if (this.persister) durable = this.persister.record(bytes)?.catch((e) => {
          throw misconf(e);
        });
        for (const feed of this.#feeds) feed(bytes);
      }
    }
    if (flags > 0 && flags & WRITE_FLAG && !this.#expiryTimer) this.#armExpiry();
    if (flags > 0 && flags & JOURNALED) {
      // The set of indexes changed (FT.CREATE, FT.DROPINDEX, FT.DROP): schemas are
      // read again, a new index is backfilled, waiters look again.
      this.#schemas.clear();
      this.background.kick();
      this.#notifyWaiters();
    }
    return durable;
  }

  /**
   * EXEC's flags: its own or'ed with those of the commands it will run
   * (the queue of engine client `client`).
   */
  #txFlags(args, flags, client) {
    if (!(flags > 0 && flags & TX_FLAG) || nameOf(args[0]).toUpperCase() !== 'EXEC') return flags;
    this.engine.selectClient(client);
    const st = this.engine.clientState();
    return st.multi ? flags | st.queued : flags;
  }

  /**
   * A command refused by #admit while its client is in MULTI: a queued
   * command dooms the transaction (EXEC will answer EXECABORT); a refused
   * EXEC ends it (Redis's execCommandAbort).  The error to answer.
   */
  #refusedInMulti(args, e) {
    const st = this.engine.clientState();
    if (!st.multi) return e;
    if (nameOf(args[0]).toUpperCase() === 'EXEC') {
      this.engine.clientReset();
      return new ReplyError(`EXECABORT Transaction discarded because of: ${e.message}`);
    }
    this.engine.clientReject();
    return e;
  }

  /** Run one command now, as engine client `client`: { value, durable } (value as `mode` asks). */
  #gate(args, flags, mode, proto = 2, client = 0) {
    let value;
    let durable;
    this.engine.selectClient(client);
    flags = this.#txFlags(args, flags, client);
    try {
      this.#admit(flags);
    } catch (e) {
      const err = e instanceof ReplyError ? this.#refusedInMulti(args, e) : e;
      if (mode === RESP && err instanceof ReplyError) return { value: respOf({ error: err.message }), durable };
      throw err;
    }
    // Queued in a MULTI, FT.CREATE changes no index yet: its EXEC will.
    if (flags > 0 && flags & JOURNALED && !(flags & TX_FLAG) && this.engine.clientState().multi) flags &= ~JOURNALED;
    try {
      value = mode === RESP ? this.engine.execRaw(args, proto).bytes.slice() : this.engine.exec(args, mode === BINARY);
    } finally {
      durable = this.#settle(flags);
    }
    return { value, durable };
  }

  /** Run one command, waiting for a save that holds it back and for its durability. */
  async #run(args, mode = DECODED) {
    const flags = this.#flagsOf(nameOf(args[0]));
    for (let held; (held = this.#held(this.#txFlags(args, flags, 0))); ) await held;
    const { value, durable } = this.#gate(args, flags, mode);
    if (durable) await durable;
    return value;
  }

  // ---- commands ------------------------------------------------------------------

  /**
   * Run any command.  Bulk replies are strings (UTF-8) unless the store
   * was opened with `binaryReplies`; use commandBuffer for bytes.  An
   * error reply rejects with a ReplyError.  With a storage, SAVE, BGSAVE,
   * LASTSAVE, INFO persistence and CONFIG GET/SET appendfsync|save are
   * answered here.
   */
  async command(name, ...args) {
    const special = this.#persistenceCommand(name, args, 0);
    if (special) {
      const r = await special;
      if (r.error) throw new ReplyError(r.error);
      return r.value;
    }
    return this.#run(toArgs(name, args), this.#binaryReplies ? BINARY : DECODED);
  }

  /** Run a command with bulk replies as Uint8Array. */
  async commandBuffer(name, ...args) {
    return this.#run(toArgs(name, args), BINARY);
  }

  /**
   * Run a command synchronously in this thread.  Throws while a save is
   * in progress and the command writes (the async API waits instead).
   */
  commandSync(name, ...args) {
    return this.#gate(toArgs(name, args), this.#flagsOf(nameOf(name)), this.#binaryReplies ? BINARY : DECODED).value;
  }

  /**
   * Run a command and return its reply as RESP bytes, exactly as a Redis
   * server would send them (for front ends: vessel-cli, vessel-server).
   * Error replies are returned, not thrown; a write whose journal records
   * could not be made durable gets a MISCONF error reply.  The bytes come
   * at once when nothing is to be waited for, else a promise of them.
   * @param {Array<string|number|ArrayBufferView|ArrayBuffer>} args
   * @param {{ proto?: 2 | 3, persistence?: boolean, client?: number } | 2 | 3} [options] `persistence: false`
   *   leaves SAVE, BGSAVE, LASTSAVE, INFO and CONFIG to the engine (for a
   *   front end that answers those itself); `client`: the engine client
   *   (clientOpen()) the command runs as, 0 the default; a plain number is
   *   the protocol (the form of earlier versions)
   * @returns {Uint8Array | Promise<Uint8Array>}
   */
  commandRaw(args, options = {}) {
    const { proto = 2, persistence = true, client = 0 } = typeof options === 'number' ? { proto: options } : options;
    const name = nameOf(args[0]);
    if (persistence && PERSISTENCE_COMMANDS.has(name.toUpperCase())) {
      const special = this.#persistenceCommand(name, args.slice(1).map(nameOf), client);
      if (special) return special.then(respOf);
    }
    const flags = this.#flagsOf(name);
    const held = this.#held(this.#txFlags(args, flags, client));
    if (held) return held.then(() => this.commandRaw(args, { proto, persistence, client }));
    const { value, durable } = this.#gate(args, flags, RESP, proto, client);
    if (!durable) return value;
    return durable.then(() => value, (e) => respError(e.message));
  }

  /**
   * For servers: run the plain requests at the start of `bytes` (RESP
   * arrays naming engine commands) in one engine call.  Returns
   * { consumed, ran, replies, durable } (replies: their RESP bytes;
   * durable: the promise of their journal records, when the durability
   * setting makes replies wait or the journal's back-pressure holds them
   * back), or null when the store cannot take this
   * path now (read-only, a save holding writes, a broken journal): then
   * use commandRaw per request.
   * The requests run as engine client `client` (0: the default).
   * @param {Uint8Array} bytes
   * @param {2 | 3} [proto]
   * @param {number} [client]
   */
  pipelineRaw(bytes, proto = 2, client = 0) {
    this.#checkOpen();
    if (this.readOnly || this.#busy || this.persister?.broken) return null;
    this.engine.selectClient(client);
    const r = this.engine.execPipeline(bytes, proto);
    r.durable = r.ran ? this.#settle(r.flags) : undefined;
    return r;
  }

  /**
   * Run many commands ([[name, ...args], ...]) at once, as a pipeline:
   * replies in order, an error reply in place as a ReplyError (or, with
   * errorsAsValues, a plain { __vesselError } object that survives
   * postMessage).  Durable writes are awaited together at the end.
   * `binary`: bulk replies as Uint8Array.
   */
  async pipeline(commands, { errorsAsValues = false, binary = this.#binaryReplies } = {}) {
    const out = new Array(commands.length);
    const durable = [];
    for (let i = 0; i < commands.length; i++) {
      const args = commands[i];
      const flags = this.#flagsOf(nameOf(args[0]));
      for (let held; (held = this.#held(flags)); ) await held;
      try {
        const r = this.#gate(args, flags, binary ? BINARY : DECODED);
        out[i] = r.value;
        if (r.durable) durable.push(r.durable);
      } catch (e) {
        if (!(e instanceof ReplyError)) throw e;
        out[i] = errorsAsValues ? { __vesselError: { name: e.name, message: e.message } } : e;
      }
    }
    await Promise.all(durable);
    return out;
  }

  // ---- transactions ----------------------------------------------------------

  /**
   * A transaction builder: queue commands with the chainable methods
   * (command, hset, hget, ...), then exec() runs MULTI, them and EXEC on
   * the default client in one engine turn (nothing else interleaves), so
   * keys WATCHed with command('WATCH', ...) abort it when they changed.
   */
  multi() {
    this.#checkOpen();
    return new Multi(this);
  }

  /**
   * Run [[name, ...args], ...] as one transaction (MULTI ... EXEC) on the
   * default client: the array of replies (run-time errors in place, as
   * ReplyError or with errorsAsValues as { __vesselError }), or null when a
   * watched key changed.  A command refused while queueing (unknown name,
   * wrong arity ...) rejects with the EXECABORT error, nothing applied; its
   * own errors are in `errors`.
   */
  async execMulti(commands, { errorsAsValues = false, binary = this.#binaryReplies } = {}) {
    let flags = 0;
    for (const args of commands) {
      const f = this.#flagsOf(nameOf(args[0]));
      if (f > 0) flags |= f;
    }
    for (let held; (held = this.#held(flags)); ) await held;
    // From here on, one synchronous turn: MULTI, the queue, EXEC.
    const mode = binary ? BINARY : DECODED;
    const errors = [];
    const durable = [];
    const step = (args) => {
      const r = this.#gate(args, this.#flagsOf(nameOf(args[0])), mode);
      if (r.durable) durable.push(r.durable);
      return r.value;
    };
    step(['MULTI']); // throws when the default client is already in MULTI
    for (const args of commands) {
      try {
        step(args);
      } catch (e) {
        if (!(e instanceof ReplyError)) {
          this.engine.clientReset();
          throw e;
        }
        errors.push(e); // the engine dooms the transaction
      }
    }
    let out;
    try {
      out = step(['EXEC']);
    } catch (e) {
      if (e instanceof ReplyError) e.errors = errors;
      throw e;
    }
    await Promise.all(durable);
    if (out === null) return null;
    if (errorsAsValues) {
      return out.map((v) => (v instanceof ReplyError ? { __vesselError: { name: v.name, message: v.message } } : v));
    }
    return out;
  }

  /**
   * An engine client of its own, for a front end serving several
   * connections (vessel-server opens one per connection): pass its id as
   * commandRaw's `client` and pipelineRaw's third argument.  Close it with
   * closeClient (its transaction is discarded, its keys unwatched).
   */
  openClient() {
    this.#checkOpen();
    return this.engine.clientOpen();
  }

  closeClient(id) {
    if (this.closed) return;
    this.engine.clientClose(id);
  }

  /**
   * Engine client `id`'s transaction: { multi, dirty, doomed, queued }.
   * For front ends deciding how to treat their own commands inside MULTI.
   */
  clientState(id = 0) {
    this.#checkOpen();
    this.engine.selectClient(id);
    return this.engine.clientState();
  }

  /**
   * For front ends: inside client `id`'s MULTI, queue the place of a
   * command the front end answers itself (`reject: false`: its index in the
   * transaction; EXEC's reply holds a null there for the front end to
   * replace), or refuse one (`reject: true`: EXEC will answer EXECABORT).
   * RESET: `reset: true` discards the transaction and unwatches.
   */
  clientTransaction(id, { reject = false, reset = false } = {}) {
    this.#checkOpen();
    this.engine.selectClient(id);
    if (reset) return this.engine.clientReset();
    if (reject) return this.engine.clientReject();
    return this.engine.queuePlaceholder();
  }

  // ---- persistence -----------------------------------------------------------

  /**
   * SAVE, BGSAVE, LASTSAVE and INFO persistence, answered here (they
   * concern the storage, which the engine does not see).  A promise of
   * { value, type } or { error }, or null for any other command.
   */
  #persistenceCommand(name, args, client = 0) {
    if (typeof name !== 'string') return null;
    const cmd = name.toUpperCase();
    if (!PERSISTENCE_COMMANDS.has(cmd)) return null;
    // Inside MULTI these cannot be queued in the engine: refused, and the
    // transaction doomed (SAVE with Redis's own text: it is no-multi there).
    this.#checkOpen();
    this.engine.selectClient(client);
    const inMulti = this.engine.clientState().multi;
    const refuse = (error) => {
      if (inMulti) this.engine.clientReject();
      return Promise.resolve({ error });
    };
    if (inMulti && (cmd === 'SAVE' || cmd === 'BGSAVE' || cmd === 'LASTSAVE')) {
      if (cmd === 'SAVE' && !args.length) return refuse('ERR Command not allowed inside a transaction');
      if (!args.length || cmd === 'BGSAVE') return refuse(`ERR ${cmd} cannot be queued in a transaction by this store`);
    }
    if (cmd === 'SAVE' || cmd === 'BGSAVE' || cmd === 'LASTSAVE') {
      if (args.length) return refuse(`ERR wrong number of arguments for '${name.toLowerCase()}' command`);
      if (!this.persister) return Promise.resolve({ error: 'ERR this store has no storage to save to' });
      if (cmd === 'LASTSAVE') return Promise.resolve({ value: Math.floor((this.persister.info().savedAt || 0) / 1000), type: 'int' });
      if (cmd === 'BGSAVE') {
        if (this.persister.saving) return Promise.resolve({ error: 'ERR Background save already in progress' });
        this.save().catch(() => {});
        return Promise.resolve({ value: 'Background saving started', type: 'status' });
      }
      return this.save().then(() => ({ value: 'OK', type: 'status' }), (e) => ({ error: `ERR ${e.message}` }));
    }
    if (cmd === 'INFO' && args.length === 1 && String(args[0]).toLowerCase() === 'persistence') {
      if (inMulti) return refuse('ERR INFO cannot be queued in a transaction by this store');
      return Promise.resolve({ value: this.infoPersistence(), type: 'bulk' });
    }
    if (cmd === 'CONFIG' && this.persister && args.length >= 2) {
      // appendfsync and save concern the storage: set here, at once.
      const sub = String(args[0]).toUpperCase();
      const keys = args.slice(1).map((a) => String(a).toLowerCase());
      if (inMulti && (sub === 'GET' || sub === 'SET') && keys.some((k) => k === 'appendfsync' || k === 'save')) {
        return refuse('ERR CONFIG of appendfsync or save cannot be queued in a transaction by this store');
      }
      if (sub === 'GET' && keys.every((k) => k === 'appendfsync' || k === 'save')) {
        const out = [];
        for (const k of new Set(keys)) out.push(k, k === 'save' ? formatSave(this.persister.autosave) : this.persister.durability);
        return Promise.resolve({ value: out, type: 'array' });
      }
      if (sub === 'SET' && keys.length % 2 === 0 && keys.filter((_, i) => i % 2 === 0).every((k) => k === 'appendfsync' || k === 'save')) {
        try {
          const changes = [];
          for (let i = 1; i < args.length; i += 2) {
            const k = String(args[i]).toLowerCase();
            const v = String(args[i + 1]);
            if (k === 'appendfsync') {
              if (!['always', 'everysec', 'no'].includes(v)) throw new Error(`ERR CONFIG SET failed (possibly related to argument 'appendfsync') - argument(s) must be one of the following: always, everysec, no`);
              changes.push(() => this.setDurability(v));
            } else {
              const rules = parseSaveRules(v);
              if (!rules) throw new Error(`ERR CONFIG SET failed (possibly related to argument 'save') - Invalid save parameters`);
              changes.push(() => this.setAutosave(rules));
            }
          }
          return Promise.all(changes.map((f) => f())).then(() => ({ value: 'OK', type: 'status' }), (e) => ({ error: `ERR ${e.message}` }));
        } catch (e) {
          return Promise.resolve({ error: e.message });
        }
      }
    }
    return null;
  }

  /**
   * Change the durability of the running store (as CONFIG SET
   * appendfsync): 'always' | 'everysec' | 'no', in effect at once.
   */
  async setDurability(mode) {
    this.#checkOpen();
    if (!this.persister) throw new Error('vessel: this store has no storage');
    await this.persister.setDurability(mode);
  }

  /**
   * Change the autosave rules of the running store (as CONFIG SET save):
   * [[seconds, changes], ...] or false, in effect at once.
   */
  async setAutosave(rules) {
    this.#checkOpen();
    if (!this.persister) throw new Error('vessel: this store has no storage');
    this.persister.setAutosave(rules);
  }

  /**
   * INFO's persistence section as text (CRLF lines, Redis's field names
   * where they apply), for front ends that build INFO themselves.
   */
  infoPersistence() {
    const p = this.persister?.info();
    const lines = ['# Persistence', `loading:0`];
    if (p) {
      lines.push(
        `rdb_changes_since_last_save:${p.changesSinceSave}`,
        `rdb_bgsave_in_progress:${p.saving ? 1 : 0}`,
        `rdb_last_save_time:${Math.floor(p.savedAt / 1000)}`,
        `rdb_last_bgsave_status:${p.saveFailed ? 'err' : 'ok'}`,
        `aof_enabled:1`,
        `aof_last_write_status:${p.writeFailed ? 'err' : 'ok'}`,
        `aof_current_size:${p.journalBytes}`,
        `aof_buffer_length:${p.pendingBytes}`,
        `appendfsync:${p.durability}`,
      );
    } else {
      lines.push('rdb_changes_since_last_save:0', 'aof_enabled:0');
    }
    return lines.join('\r\n') + '\r\n';
  }

  /** Save a snapshot now (writes wait meanwhile). */
  async save() {
    this.#checkOpen();
    if (!this.persister) throw new Error('vessel: this store has no storage to save to');
    while (this.#transfer) await this.#transfer.catch(() => {});
    const r = await this.persister.save();
    this.background.kick(); // resume backfill and expiry held back during the save
    return r;
  }

  // ---- RDB: Redis's dump format (src/persist/rdb.h, docs/rdb.md) ---------------

  /** Wait for a save or transfer in progress, then hold writes back for a new transfer. */
  async #beginTransfer() {
    for (let busy; (busy = this.#busy); ) await busy.catch(() => {});
    this.#checkOpen();
    let done;
    const transfer = new Promise((resolve) => {
      done = resolve;
    });
    this.#transfer = transfer;
    const end = () => {
      if (this.#transfer !== transfer) return;
      this.#transfer = null;
      this.#endTransfer = null;
      done();
      if (!this.closed) this.background.kick(); // resume backfill and expiry held back meanwhile
    };
    this.#endTransfer = end;
    return end;
  }

  /**
   * The store as an RDB file Redis 7.0+ and Valkey load (version 10):
   * every key not expired, with its expiry time, the CRC-64 at the end.
   * An async iterable of chunks (about `chunkSize` bytes each); writes
   * wait until the last chunk was taken (or the loop was left).  The
   * index definitions are not in the file: see indexScript().
   * `onBegin` is called once the file's contents are fixed (writes held).
   * @param {{ chunkSize?: number, onBegin?: () => void, onProgress?: (p: { keys: number, totalKeys: number, bytes: number }) => void }} [options]
   * @returns {AsyncGenerator<Uint8Array>}
   */
  async *exportRdb({ chunkSize = 1 << 20, onProgress, onBegin } = {}) {
    this.#checkOpen();
    const cap = Math.max(16, Math.floor(chunkSize));
    const end = await this.#beginTransfer();
    try {
      this.engine.rdbSaveBegin();
      try {
        onBegin?.();
        for (;;) {
          const c = this.engine.rdbSaveNext(cap);
          if (!c.length) break;
          onProgress?.(this.engine.rdbSaveProgress());
          yield c;
          this.#checkOpen(); // closed while the chunk was away: the export is over
        }
      } finally {
        this.engine.rdbSaveEnd();
      }
    } finally {
      end();
    }
  }

  /**
   * Load an RDB file written by Redis (any version up to 7.4's 12) or by
   * exportRdb: the hashes and strings of its database 0 replace the
   * store's keys (the store's indexes are kept and rebuilt over them, in
   * the background: see indexReady); keys already expired, other types
   * and other databases are skipped and counted.  A store that has keys
   * is refused unless `replace` is true.  A damaged or truncated file
   * rejects with "Bad RDB: ..." and leaves the store as it was.  With a
   * storage, a snapshot is saved before the promise resolves (the
   * journal does not carry an import).  Writes wait meanwhile.
   * @param {Uint8Array | ArrayBuffer | Blob | ReadableStream | AsyncIterable<Uint8Array> | Iterable<Uint8Array>} source
   * @param {{ replace?: boolean, size?: number, onProgress?: (p: { bytes: number, size: number }) => void }} [options]
   */
  async importRdb(source, { replace = false, size, onProgress } = {}) {
    this.#checkOpen();
    if (this.readOnly) throw new ReplyError("READONLY You can't write against a read only replica.");
    checkSource(source);
    const total = size ?? sizeOf(source);
    const end = await this.#beginTransfer();
    let report;
    try {
      if (this.persister?.broken) throw misconf(this.persister.broken);
      const t0 = performance.now();
      this.engine.rdbLoadBegin(total, replace);
      let bytes = 0;
      try {
        if (total) this.engine.reserve(total); // once the load is accepted: wasm memory never shrinks
        for await (const chunk of chunksOf(source)) {
          this.#checkOpen(); // closed while the source was read
          this.engine.rdbLoadFeed(chunk);
          bytes += chunk.length;
          onProgress?.({ bytes, size: total });
        }
        this.engine.rdbLoadEnd();
      } catch (e) {
        this.engine.rdbLoadAbort();
        throw e;
      }
      this.#schemas.clear();
      report = { ...this.engine.rdbLoadStats(), ms: performance.now() - t0 };
      if (this.persister) {
        // The keys changed wholesale: the next snapshot holds them.  Until
        // it is current, a crash reopens the store as it was before.
        try {
          await this.persister.save();
        } catch (e) {
          this.persister.broken ??= new Error(`the snapshot after an RDB import could not be saved (writes are refused from now on): ${e.message}`);
          throw e;
        }
      }
    } finally {
      end();
    }
    this.#notifyWaiters();
    return report;
  }

  /**
   * Hand every later write's journal records to `feed(bytes)`, as they
   * are made: RESP commands of each write's effect, as Redis's AOF and
   * replication stream carry them (docs/persistence.md).  For front ends
   * that replicate (vessel-server's SYNC); call it from exportRdb's
   * onBegin so the records continue the file exactly.  An importRdb is
   * not carried (it is not journaled either): a replica must synchronize
   * again after one.  Returns the function that stops it.
   * @param {(bytes: Uint8Array) => void} feed
   */
  replicate(feed) {
    this.#checkOpen();
    this.#feeds.add(feed);
    this.engine.journalEnable(true);
    this.engine.journalReselect(); // the stream starts in database 0: its first record selects
    return () => {
      if (!this.#feeds.delete(feed)) return;
      if (!this.#feeds.size && !this.persister && !this.closed) this.engine.journalEnable(false);
    };
  }

  /**
   * Every index's FT.CREATE command as given, as a script: 'text' (one
   * command per line, arguments quoted as redis-cli quotes them, for
   * `redis-cli < file`) or 'resp' (a Uint8Array for `redis-cli --pipe`).
   * Run it on the server an RDB export is loaded into.
   */
  async indexScript({ format = 'text' } = {}) {
    this.#checkOpen();
    return formatIndexScript(this.engine.indexScript(), format);
  }

  // ---- hashes ------------------------------------------------------------------

  /**
   * HSET key with the fields of an object or Map.  Values may be strings,
   * numbers, Uint8Array or any typed array (a Float32Array is stored as
   * its little-endian bytes, ready to be a vector).
   * @returns {Promise<number>} the number of new fields
   */
  async hset(key, fields) {
    const args = ['HSET', key];
    if (fields instanceof Map) {
      for (const [f, v] of fields) args.push(f, v);
    } else {
      for (const f in fields) args.push(f, fields[f]);
    }
    return this.#run(args, false);
  }

  /** HGET; `binary` gives a Uint8Array. */
  async hget(key, field, { binary = false } = {}) {
    return this.#run(['HGET', key, field], binary);
  }

  /** HMGET of a list of fields; `binary` gives Uint8Array values. */
  async hmget(key, fields, { binary = false } = {}) {
    return this.#run(['HMGET', key, ...fields], binary);
  }

  /** HGETALL as an object; `binary` gives Uint8Array values. */
  async hgetall(key, { binary = false } = {}) {
    const flat = await this.#run(['HGETALL', key], binary);
    const out = {};
    for (let i = 0; i < flat.length; i += 2) {
      const f = flat[i];
      out[typeof f === 'string' ? f : new TextDecoder().decode(f)] = flat[i + 1];
    }
    return out;
  }

  /** DEL: the number of keys removed. */
  async del(...keys) {
    return this.#run(['DEL', ...keys]);
  }

  /** EXISTS: how many of the keys exist. */
  async exists(...keys) {
    return this.#run(['EXISTS', ...keys]);
  }

  /** KEYS matching a glob pattern. */
  async keys(pattern = '*') {
    return this.#run(['KEYS', pattern]);
  }

  /**
   * Iterate keys with SCAN.
   * @param {{ match?: string, count?: number, type?: string }} [opts]
   */
  async *scan({ match, count, type } = {}) {
    let cursor = '0';
    do {
      const args = ['SCAN', cursor];
      if (match !== undefined) args.push('MATCH', match);
      if (count !== undefined) args.push('COUNT', count);
      if (type !== undefined) args.push('TYPE', type);
      const [next, keys] = this.#gate(args, this.#flagsOf('SCAN'), DECODED).value;
      cursor = next;
      for (const k of keys) yield k;
    } while (cursor !== '0');
  }

  /**
   * SELECT n: the in-process caller's commands (command(), hset(), search()
   * ...) act on database n from now on (0 at open; `open({ databases })`
   * says how many there are, 16 by default).  Keys and indexes are per
   * database, as in Redis and valkey-search.
   */
  async select(n) {
    return this.#run(['SELECT', String(n)]);
  }

  /** The database a client (clientOpen(); 0: the in-process caller) has selected. */
  clientDb(client = 0) {
    this.#checkOpen();
    this.engine.selectClient(client);
    return this.engine.selectedDb();
  }

  /** DBSIZE: the number of keys of the selected database. */
  async dbsize() {
    return this.#run(['DBSIZE']);
  }

  /** FLUSHALL: remove every key of every database. */
  async flushall() {
    return this.#run(['FLUSHALL']);
  }

  // ---- search --------------------------------------------------------------------

  /**
   * FT.CREATE from a definition: { prefix, skipInitialScan, schema }.
   * The index is backfilled in the background; see indexReady().
   */
  async createIndex(name, definition) {
    return this.#run(['FT.CREATE', ...createArgs(name, definition)]);
  }

  /** FT.DROPINDEX; `deleteDocuments` also deletes the indexed hashes (DD). */
  async dropIndex(name, { deleteDocuments = false } = {}) {
    return this.#run(deleteDocuments ? ['FT.DROPINDEX', name, 'DD'] : ['FT.DROPINDEX', name]);
  }

  /** FT._LIST: the names of the indexes. */
  async listIndexes() {
    return this.#run(['FT._LIST']);
  }

  /** FT.INFO as an object. */
  async indexInfo(name) {
    return parseInfo(await this.#run(['FT.INFO', name]));
  }

  #cachedInfo(name) {
    // Per database: each has its own indexes, one name may be two schemas.
    const key = `${this.engine.selectedDb()}\0${name}`;
    let info = this.#schemas.get(key);
    if (!info) {
      info = parseInfo(this.engine.exec(['FT.INFO', name]));
      this.#schemas.set(key, info);
    }
    return info;
  }

  /**
   * FT.SEARCH: filters, KNN and text queries.
   *
   * Options: params, return, limit, sortBy, noContent, dialect, timeout;
   * for text queries withScores (WITHSCORES), scorer (SCORER: 'BM25STD',
   * the default, 'BM25', 'TFIDF', 'TFIDF.DOCNORM', 'DOCSCORE'), verbatim
   * (VERBATIM: no stemming of the query's words), inOrder (INORDER) and
   * slop (SLOP n); vectors (vector fields as Float32Array), binary (every
   * value as bytes).
   *
   * Resolves to { total, results: [{ key, score, fields }] }.  score is
   * the text score with `withScores`; else, for a KNN query, the distance
   * (then not among the fields).
   * @param {string} index
   * @param {string} query
   * @param {object} [options]
   */
  async search(index, query, options = {}) {
    const reply = await this.#run(['FT.SEARCH', ...searchArgs(index, query, options)], true);
    const score = scoreName(query, options.params);
    return parseSearch(reply, {
      noContent: options.noContent || (options.return && options.return.length === 0),
      withScores: options.withScores,
      score: score?.name,
      vectors: options.vectors,
      binary: options.binary,
      vectorNames: vectorFields(this.#cachedInfo(index)),
    });
  }

  /**
   * FT.AGGREGATE: the query's documents through a pipeline of steps
   * (search.js aggregateArgs: load, steps [{ apply, as } | { filter } |
   * { groupBy, reduce } | { sortBy, max } | { limit }], params ...).
   * Resolves to the output records as objects, field name to value
   * (reducer lists as arrays); a missing value is left out.
   * @param {string} index
   * @param {string} query
   * @param {object} [options]
   */
  async aggregate(index, query, options = {}) {
    const reply = await this.#run(['FT.AGGREGATE', ...aggregateArgs(index, query, options)], true);
    return parseAggregate(reply, { binary: options.binary });
  }

  /**
   * FT.HYBRID (Redis 8.4): a text query and a vector query over one index,
   * fused into one ranking.
   *
   *   search   { query, scorer, yieldScoreAs } (or the query string)
   *   vsim     { field, vector (Float32Array, bytes, or '$param'),
   *              knn: { k, efRuntime } (or k, efRuntime) | range: { radius, epsilon },
   *              filter, yieldScoreAs }
   *   combine  { method: 'RRF', constant, window, yieldScoreAs }
   *            | { method: 'LINEAR', alpha, beta, window, yieldScoreAs }
   *   load     field names (or { field, as }), or '*'
   *   sortBy   a field, { field, direction }, or a list of them; noSort
   *   limit    [offset, count] or { offset, count }; params; timeout
   *   vectors, binary   as for search()
   *
   * Resolves to { total, results: [{ key, score, textScore?, vectorScore?,
   * fields }], warnings, executionTime }: score is the fused score;
   * textScore and vectorScore are there when search / vsim name them with
   * yieldScoreAs and the document was in that list.
   * @param {string} index
   * @param {object} options
   */
  async hybrid(index, options) {
    const { args, names } = hybridArgs(index, options);
    const reply = await this.#run(['FT.HYBRID', ...args], true);
    const how = { names, vectors: options.vectors, binary: options.binary, vectorNames: vectorFields(this.#cachedInfo(index)) };
    const out = parseHybrid(reply, how);
    if (options.load !== '*' || out.results.length === 0) return out;
    const hashes = await this.pipeline(out.results.map((r) => ['HGETALL', r.key]), { binary: true, errorsAsValues: true });
    return fillHybridFields(out, hashes, how);
  }

  /**
   * Resolve when the index has finished backfilling.  onProgress gets
   * { percent, docs, state } after each slice of background work.
   */
  indexReady(name, { onProgress } = {}) {
    this.#checkOpen();
    return new Promise((resolve, reject) => {
      const w = { name, onProgress, resolve, reject };
      this.#waiters.add(w);
      this.#checkWaiter(w);
      if (this.#waiters.has(w)) this.background.kick();
    });
  }

  #progressOf(name) {
    const info = parseInfo(this.engine.exec(['FT.INFO', name]));
    return {
      percent: Number(info.backfill_complete_percent) * 100,
      docs: info.num_docs,
      state: info.state,
      done: info.backfill_in_progress === '0',
    };
  }

  #checkWaiter(w) {
    let p;
    try {
      p = this.#progressOf(w.name);
    } catch (e) {
      this.#waiters.delete(w);
      w.reject(e);
      return;
    }
    w.onProgress?.(p);
    if (p.done) {
      this.#waiters.delete(w);
      w.resolve(p);
    }
  }

  #notifyWaiters() {
    if (this.closed) return;
    for (const w of [...this.#waiters]) this.#checkWaiter(w);
  }

  #failWaiters(e) {
    for (const w of this.#waiters) w.reject(e);
    this.#waiters.clear();
  }

  /** Bytes allocated by the engine. */
  usedMemory() {
    this.#checkOpen();
    return this.engine.usedMemory();
  }

  /** Bytes of WebAssembly memory the engine holds (allocated or free). */
  wasmMemory() {
    this.#checkOpen();
    return this.engine.memory.buffer.byteLength;
  }

  /** Flush the journal (durably), stop background work, release the store. */
  async close() {
    if (this.closed) return;
    this.background.stop();
    if (this.#expiryTimer) clearTimeout(this.#expiryTimer);
    this.#expiryTimer = null;
    try {
      if (this.persister) await this.persister.close();
    } finally {
      // Released even when the final flush failed (the error is thrown).
      this.closed = true;
      this.#endTransfer?.(); // an export or import left hanging ends with "the store is closed"
      this.#feeds.clear();
      this.#failWaiters(new Error('vessel: the store was closed'));
      this.engine.close();
    }
  }
}

export { Multi, ReplyError };
