// vessel.js - the store: `open(options)` and the Vessel class.
//
// A Vessel wraps one engine instance.  `command()` speaks the Redis
// command language exactly; the idiomatic methods (hset, hgetall, scan,
// ...) are thin conveniences over it.  Every method returns a promise so
// the same API can run over a Web Worker or wait for durable storage.

import { Engine } from './engine.js';
import { loadModule } from './loader.js';
import { ReplyError } from './resp.js';
import { BackgroundWork } from './scheduler.js';
import { createArgs, parseInfo, parseSearch, scoreName, searchArgs, vectorFields } from './search.js';

const PAGE = 65536;
const MAX_PAGES = 65536; // 4 GiB
const MIN_STEP_PAGES = 256; // 16 MiB
const MAX_STEP_PAGES = 4096; // 256 MiB

/**
 * The engine's only import.  The C heap grows memory by exactly what one
 * allocation needs; growing in many small steps is slow in every runtime,
 * so when it grows we add headroom geometrically (50%, 16-256 MiB), the
 * way a vector doubles its capacity.
 */
function makeImports() {
  const state = { memory: null };
  const env = {
    emscripten_notify_memory_growth() {
      const mem = state.memory;
      if (!mem) return;
      const pages = mem.buffer.byteLength / PAGE;
      const step = Math.min(MAX_STEP_PAGES, Math.max(MIN_STEP_PAGES, pages >>> 1), MAX_PAGES - pages);
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

/**
 * Open a store.
 * @param {import('./index.js').OpenOptions} [options]
 * @returns {Promise<Vessel>}
 */
export async function open(options = {}) {
  const { module, simd } = await loadModule(options);
  const { imports, state } = makeImports();
  const instance = await WebAssembly.instantiate(module, imports);
  state.memory = instance.exports.memory;
  const engine = new Engine(instance, { ...options, simd });
  return new Vessel(engine, options);
}

function toArgs(name, args) {
  const out = new Array(args.length + 1);
  out[0] = name;
  for (let i = 0; i < args.length; i++) out[i + 1] = args[i];
  return out;
}

/** Commands after which the set of indexes (and their schemas) changed. */
const SCHEMA_COMMANDS = new Set(['FT.CREATE', 'FT.DROPINDEX']);

export class Vessel {
  /** @param {Engine} engine */
  constructor(engine, options = {}) {
    this.engine = engine;
    this.binaryReplies = !!options.binaryReplies;
    this.closed = false;
    this.schemas = new Map(); // index name -> FT.INFO object (cached)
    this.waiters = new Set(); // indexReady() promises to settle after each slice
    this.background = new BackgroundWork((budget) => engine.step(budget), {
      sliceMs: options.backfillSliceMs ?? 4,
      onSlice: () => this.notifyWaiters(),
      onError: (e) => this.failWaiters(e),
    });
  }

  /** 'simd', 'scalar', or undefined when a single module was given. */
  get build() {
    return this.engine.simd === undefined ? undefined : this.engine.simd ? 'simd' : 'scalar';
  }

  checkOpen() {
    if (this.closed) throw new Error('vessel: the store is closed');
  }

  /** Run a command synchronously (the engine is in this thread). */
  commandSync(name, ...args) {
    this.checkOpen();
    try {
      return this.engine.exec(toArgs(name, args), this.binaryReplies);
    } finally {
      this.afterCommand(name);
    }
  }

  /** Bookkeeping after commands that change indexes. */
  afterCommand(name) {
    if (typeof name !== 'string' || name.length < 7 || (name[0] !== 'F' && name[0] !== 'f')) return;
    const cmd = name.toUpperCase();
    if (SCHEMA_COMMANDS.has(cmd)) {
      this.schemas.clear();
      if (cmd === 'FT.CREATE') this.background.kick();
      this.notifyWaiters();
    }
  }

  /**
   * Run any command.  Bulk replies are strings (UTF-8) unless the store
   * was opened with `binaryReplies`; use commandBuffer for bytes.
   */
  async command(name, ...args) {
    return this.commandSync(name, ...args);
  }

  /** Run a command with bulk replies as Uint8Array. */
  async commandBuffer(name, ...args) {
    this.checkOpen();
    try {
      return this.engine.exec(toArgs(name, args), true);
    } finally {
      this.afterCommand(name);
    }
  }

  // ---- search --------------------------------------------------------------

  /**
   * FT.CREATE from a definition: { prefix, skipInitialScan, schema }.
   * The index is backfilled in the background; see indexReady().
   */
  async createIndex(name, definition) {
    return this.commandSync('FT.CREATE', ...createArgs(name, definition));
  }

  async dropIndex(name, { deleteDocuments = false } = {}) {
    return deleteDocuments ? this.commandSync('FT.DROPINDEX', name, 'DD') : this.commandSync('FT.DROPINDEX', name);
  }

  async listIndexes() {
    return this.commandSync('FT._LIST');
  }

  /** FT.INFO as an object. */
  async indexInfo(name) {
    return parseInfo(this.commandSync('FT.INFO', name));
  }

  cachedInfo(name) {
    let info = this.schemas.get(name);
    if (!info) {
      info = parseInfo(this.engine.exec(['FT.INFO', name]));
      this.schemas.set(name, info);
    }
    return info;
  }

  /**
   * FT.SEARCH with options { params, return, limit, sortBy, noContent,
   * dialect, timeout, vectors, binary }.  Resolves to
   * { total, results: [{ key, score, fields }] }; with `vectors: true`
   * vector fields come back as Float32Array.
   */
  async search(index, query, options = {}) {
    this.checkOpen();
    const reply = this.engine.exec(['FT.SEARCH', ...searchArgs(index, query, options)], true);
    const score = scoreName(query, options.params);
    return parseSearch(reply, {
      noContent: options.noContent || (options.return && options.return.length === 0),
      score: score?.name,
      vectors: options.vectors,
      binary: options.binary,
      vectorNames: vectorFields(this.cachedInfo(index)),
    });
  }

  /**
   * Resolve when the index has finished backfilling.  onProgress gets
   * { percent, docs, state } after each slice of background work.
   */
  indexReady(name, { onProgress } = {}) {
    this.checkOpen();
    return new Promise((resolve, reject) => {
      const w = { name, onProgress, resolve, reject };
      this.waiters.add(w);
      this.checkWaiter(w);
      if (this.waiters.has(w)) this.background.kick();
    });
  }

  progressOf(name) {
    const info = parseInfo(this.engine.exec(['FT.INFO', name]));
    return {
      percent: Number(info.backfill_complete_percent) * 100,
      docs: info.num_docs,
      state: info.state,
      done: info.backfill_in_progress === '0',
    };
  }

  checkWaiter(w) {
    let p;
    try {
      p = this.progressOf(w.name);
    } catch (e) {
      this.waiters.delete(w);
      w.reject(e);
      return;
    }
    w.onProgress?.(p);
    if (p.done) {
      this.waiters.delete(w);
      w.resolve(p);
    }
  }

  notifyWaiters() {
    if (this.closed) return;
    for (const w of [...this.waiters]) this.checkWaiter(w);
  }

  failWaiters(e) {
    for (const w of this.waiters) w.reject(e);
    this.waiters.clear();
  }

  /**
   * HSET key with the fields of an object or Map.  Values may be strings,
   * numbers, Uint8Array or any typed array (a Float32Array is stored as
   * its little-endian bytes, ready to be a vector).
   * @returns {Promise<number>} the number of new fields
   */
  async hset(key, fields) {
    this.checkOpen();
    const args = ['HSET', key];
    if (fields instanceof Map) {
      for (const [f, v] of fields) args.push(f, v);
    } else {
      for (const f in fields) args.push(f, fields[f]);
    }
    return this.engine.exec(args, false);
  }

  async hget(key, field, { binary = false } = {}) {
    this.checkOpen();
    return this.engine.exec(['HGET', key, field], binary);
  }

  async hmget(key, fields, { binary = false } = {}) {
    this.checkOpen();
    return this.engine.exec(['HMGET', key, ...fields], binary);
  }

  /** HGETALL as an object; `binary` gives Uint8Array values. */
  async hgetall(key, { binary = false } = {}) {
    this.checkOpen();
    const flat = this.engine.exec(['HGETALL', key], binary);
    const out = {};
    for (let i = 0; i < flat.length; i += 2) {
      const f = flat[i];
      out[typeof f === 'string' ? f : new TextDecoder().decode(f)] = flat[i + 1];
    }
    return out;
  }

  async del(...keys) {
    this.checkOpen();
    return this.engine.exec(['DEL', ...keys]);
  }

  async exists(...keys) {
    this.checkOpen();
    return this.engine.exec(['EXISTS', ...keys]);
  }

  async keys(pattern = '*') {
    this.checkOpen();
    return this.engine.exec(['KEYS', pattern]);
  }

  /**
   * Iterate keys with SCAN.
   * @param {{ match?: string, count?: number, type?: string }} [opts]
   */
  async *scan({ match, count, type } = {}) {
    let cursor = '0';
    do {
      this.checkOpen();
      const args = ['SCAN', cursor];
      if (match !== undefined) args.push('MATCH', match);
      if (count !== undefined) args.push('COUNT', count);
      if (type !== undefined) args.push('TYPE', type);
      const [next, keys] = this.engine.exec(args);
      cursor = next;
      for (const k of keys) yield k;
    } while (cursor !== '0');
  }

  async dbsize() {
    this.checkOpen();
    return this.engine.exec(['DBSIZE']);
  }

  async flushall() {
    this.checkOpen();
    return this.engine.exec(['FLUSHALL']);
  }

  /** Bytes allocated by the engine. */
  usedMemory() {
    this.checkOpen();
    return this.engine.usedMemory();
  }

  async close() {
    if (this.closed) return;
    this.closed = true;
    this.background.stop();
    this.failWaiters(new Error('vessel: the store was closed'));
    this.engine.close();
  }
}

export { ReplyError };
