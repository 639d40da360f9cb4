// lib.js - shared machinery of the crash loops (tests/crash/crash.test.js
// and its child tests/crash/writer-child.js): a seeded PRNG, the writes
// the writers make, the model of what the store must hold (per key: the
// last acknowledged state, plus the state a write still in flight at the
// kill would give), and the verification of a recovered store against it
// (keyspace, TAG/NUMERIC filters, exact KNN on FLAT, live-only KNN on
// HNSW, num_docs).
//
// A writer owns a disjoint set of keys and sends one write at a time, so
// at a kill it has at most one write in flight: after the restart its
// keys must be either all as the acknowledged writes left them, or all as
// the write in flight would leave them (a RENAME moves two keys at once).

export const DIM = 8;
export const TAGS = ['red', 'green', 'blue', 'gold'];
export const INDEXES = {
  h: ['idx_h', 'ON', 'HASH', 'PREFIX', '1', 'doc:', 'SCHEMA', 'v', 'VECTOR', 'HNSW', '6', 'TYPE', 'FLOAT32', 'DIM', String(DIM),
    'DISTANCE_METRIC', 'L2', 'tag', 'TAG', 'n', 'NUMERIC', 'b', 'TEXT', 'NOSTEM'],
  f: ['idx_f', 'ON', 'HASH', 'PREFIX', '1', 'doc:', 'SCHEMA', 'v', 'VECTOR', 'FLAT', '6', 'TYPE', 'FLOAT32', 'DIM', String(DIM),
    'DISTANCE_METRIC', 'L2', 'tag', 'TAG', 'n', 'NUMERIC', 'b', 'TEXT', 'NOSTEM'],
};
export const INDEX_FIELDS = ['v', 'tag', 'n', 'b'];
// The TEXT field's words: never stop words, so every value indexes.
export const WORDS = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot'];
export const CLOSED = Symbol.for('closed');

const td = new TextDecoder();
const str = (v) => (v === null || v === undefined ? v : typeof v === 'string' ? v : td.decode(v));

export { prng } from '../js/helpers.js';

/** A seed derived from several numbers. */
export function mix(...xs) {
  let h = 0x811c9dc5;
  for (const x of xs) {
    h = Math.imul(h ^ (x >>> 0), 0x01000193);
    h ^= h >>> 13;
    h = Math.imul(h, 0x5bd1e995);
  }
  return h >>> 0;
}

export const pick = (r, xs) => xs[Math.floor(r() * xs.length)];
export const between = (r, lo, hi) => lo + Math.floor(r() * (hi - lo + 1));
export const sleep = (ms) => new Promise((res) => setTimeout(res, ms));

/** The keys writer `w` owns: K indexed (doc:) and 3 outside every index (raw:). */
export function keysOf(w, K) {
  const out = [];
  for (let i = 0; i < K; i++) out.push(`doc:w${w}:${i}`);
  for (let i = 0; i < 3; i++) out.push(`raw:w${w}:${i}`);
  return out;
}

/** A vector of quarter steps in [-8, 8]: every squared L2 distance between two is exact in float32. */
export function randomVector(r) {
  const v = new Float32Array(DIM);
  for (let d = 0; d < DIM; d++) v[d] = Math.round((r() * 16 - 8) * 4) / 4;
  return Buffer.from(v.buffer);
}

// ---- states ----------------------------------------------------------------------------

// A key's state: null (absent) or a Map field -> Buffer.

export function canon(state) {
  if (!state) return '(absent)';
  return [...state.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([f, v]) => `${f}=${f === 'v' ? vecString(v) : f === 'pad' ? `pad(${v.length})#${hashBytes(v)}` : str(v)}`).join(' ');
}

function hashBytes(b) {
  let h = 0x811c9dc5;
  for (const x of b) h = Math.imul(h ^ x, 0x01000193);
  return (h >>> 0).toString(16);
}

function vecString(b) {
  if (b.length !== DIM * 4) return `<${b.length} bytes>`;
  return `[${Array.from(new Float32Array(Uint8Array.from(b).buffer)).join(',')}]`;
}

/** HGETALL's flat reply (binary) -> state. */
export function stateOfReply(flat) {
  if (!flat || !flat.length) return null;
  const m = new Map();
  for (let i = 0; i < flat.length; i += 2) m.set(str(flat[i]), Buffer.from(flat[i + 1]));
  return m;
}

export function sameState(a, b) {
  return canon(a) === canon(b);
}

// ---- writes --------------------------------------------------------------------------

/**
 * The next write of writer `w`: an array of command arguments (strings and
 * Buffers).  `get(key)` is the writer's current (acknowledged) state of a
 * key; `tag` makes every written value unique (writer.round.seq).
 */
/** One to four of WORDS, some capitalised, joined by spaces or commas. */
function randomWords(r) {
  const n = between(r, 1, 4);
  const ws = Array.from({ length: n }, () => {
    const w = pick(r, WORDS);
    return r() < 0.2 ? w.toUpperCase() : w;
  });
  return ws.join(r() < 0.5 ? ' ' : ', ');
}

export function nextWrite(r, w, K, get, tag) {
  const keys = keysOf(w, K);
  const key = pick(r, keys);
  const x = r();
  const fullDoc = () => {
    const args = ['HSET', key, 'v', randomVector(r), 'tag', r() < 0.15 ? `${pick(r, TAGS)},${pick(r, TAGS)}` : pick(r, TAGS),
      'n', String(between(r, -500, 500) + (r() < 0.3 ? 0.5 : 0)), 'w', tag, 'b', randomWords(r)];
    if (r() < 0.2) args.push('pad', Buffer.alloc(between(r, 1, 3000), between(r, 97, 122)));
    return args;
  };
  if (x < 0.45) return fullDoc();
  if (x < 0.55) return ['HSET', key, 'n', String(between(r, -500, 500)), 'w', tag];
  if (x < 0.62) return ['HSET', key, 'tag', pick(r, TAGS), 'w', tag];
  if (x < 0.70) return ['HSET', key, 'v', randomVector(r), 'w', tag];
  if (x < 0.80) return ['HDEL', key, pick(r, ['v', 'tag', 'n', 'pad', 'w', 'b'])];
  if (x < 0.90) return ['DEL', key];
  // RENAME within the writer's own keys (in and out of the indexes' prefix too)
  const live = keys.filter((k) => get(k));
  if (!live.length) return fullDoc();
  const src = pick(r, live);
  const dst = pick(r, keys.filter((k) => k !== src));
  return ['RENAME', src, dst];
}

/** A full document (the bulk writer's HSET). */
export function docWrite(r, key, tag) {
  return ['HSET', key, 'v', randomVector(r), 'tag', pick(r, TAGS), 'n', String(between(r, -500, 500)), 'w', tag];
}

/** What a write does to the states: [[key, newState], ...]. */
export function effectsOf(args, get) {
  const cmd = String(args[0]).toUpperCase();
  const key = String(args[1]);
  if (cmd === 'HSET') {
    const m = new Map(get(key) ?? []);
    for (let i = 2; i < args.length; i += 2) m.set(String(args[i]), Buffer.from(args[i + 1]));
    return [[key, m]];
  }
  if (cmd === 'HDEL') {
    const old = get(key);
    if (!old) return [[key, null]];
    const m = new Map(old);
    for (let i = 2; i < args.length; i++) m.delete(String(args[i]));
    return [[key, m.size ? m : null]];
  }
  if (cmd === 'DEL') return [[key, null]];
  if (cmd === 'RENAME') {
    const src = get(key);
    if (!src) throw new Error(`harness: RENAME of ${key}, which the model says is absent`);
    return [[key, null], [String(args[2]), src]];
  }
  throw new Error(`harness: no model of ${cmd}`);
}

/** The reply a write must get, when it is acknowledged. */
export function replyOk(args, reply) {
  if (reply instanceof Error) return false;
  const cmd = String(args[0]).toUpperCase();
  return cmd === 'RENAME' ? reply === 'OK' : typeof reply === 'number';
}

export function describe(args) {
  return args.map((a) => (typeof a === 'string' ? a : a.length === DIM * 4 ? vecString(a) : `<${a.length} bytes>`)).join(' ');
}

// ---- the model ----------------------------------------------------------------------

/**
 * What the store must hold: per key the acknowledged state, per writer the
 * write in flight (sent, not acknowledged), and per index whether its
 * FT.CREATE was acknowledged ('acked'), sent ('inflight') or not ('none').
 */
export class Model {
  /** `writers` writers of K keys each, and one more (number `writers`) owning `bulk` keys doc:bulk:<i>. */
  constructor(writers, K, bulk = 0) {
    this.writers = writers;
    this.K = K;
    this.bulk = bulk;
    this.state = new Map(); // key -> state (absent when missing)
    this.inflight = new Array(writers + 1).fill(null); // writer -> { args, effects }
    this.history = new Map(); // key -> last writes (for reports)
    this.index = { h: 'none', f: 'none' };
    this.acked = 0; // acknowledged writes since the last verification
  }

  get = (key) => this.state.get(key) ?? null;

  keysFor(w) {
    if (w < this.writers) return keysOf(w, this.K);
    return Array.from({ length: this.bulk }, (_, i) => `doc:bulk:${i}`);
  }

  universe() {
    const out = [];
    for (let w = 0; w <= this.writers; w++) out.push(...this.keysFor(w));
    return out;
  }

  /** A write acknowledged outside the kill window (a bulk load). */
  set(key, args) {
    for (const [k, s] of effectsOf(args, this.get)) {
      if (s) this.state.set(k, s);
      else this.state.delete(k);
    }
    this.acked++;
  }

  note(key, line) {
    const h = this.history.get(key) ?? [];
    h.push(line);
    if (h.length > 6) h.shift();
    this.history.set(key, h);
  }

  /** Writer w sends args (its previous write was acknowledged). */
  send(w, args, label = '') {
    if (this.inflight[w]) throw new Error(`harness: writer ${w} has two writes in flight`);
    const effects = effectsOf(args, this.get);
    this.inflight[w] = { args, effects, label };
    for (const [k] of effects) this.note(k, `sent ${label} ${describe(args)}`);
  }

  /** Writer w's write in flight was acknowledged. */
  ack(w) {
    const f = this.inflight[w];
    if (!f) throw new Error(`harness: writer ${w} acknowledged with nothing in flight`);
    for (const [k, s] of f.effects) {
      if (s) this.state.set(k, s);
      else this.state.delete(k);
      this.note(k, `acked ${f.label}`);
    }
    this.inflight[w] = null;
    this.acked++;
  }
}

// ---- verification ----------------------------------------------------------------------

/**
 * Check the recovered store against the model, then make the model what
 * the store holds (the writes in flight resolved).  `q(args, binary)`
 * runs a command and resolves to its decoded reply (a ReplyError as a
 * value).  Returns figures; throws an Error describing the first defect.
 */
export async function verify(q, model, r, { label = '', waitMs = 60000 } = {}) {
  const figures = { keys: 0, live: 0, queries: 0, acked: model.acked, hnswRecall: [] };
  const fail = (msg) => {
    throw new Error(`${label}: ${msg}`);
  };
  // -- indexes present?
  const list = (await q(['FT._LIST'])).map(str);
  for (const [id, def] of Object.entries(INDEXES)) {
    const present = list.includes(def[0]);
    if (model.index[id] === 'acked' && !present) fail(`index ${def[0]} was created (FT.CREATE acknowledged) but is missing after the restart; FT._LIST = ${JSON.stringify(list)}`);
    if (model.index[id] === 'none' && present) fail(`index ${def[0]} exists after the restart, but it was never created or its FT.DROPINDEX was acknowledged`);
    model.index[id] = present ? 'acked' : 'none';
  }
  for (const x of list) if (!Object.values(INDEXES).some((d) => d[0] === x)) fail(`unknown index ${x} after the restart`);
  // -- wait for the load's backfill
  const t0 = Date.now();
  for (const [id, def] of Object.entries(INDEXES)) {
    if (model.index[id] !== 'acked') continue;
    for (;;) {
      const info = infoOf(await q(['FT.INFO', def[0]]));
      if (info.backfill_in_progress === '0' && info.state === 'ready') break;
      if (Date.now() - t0 > waitMs) fail(`index ${def[0]} still backfilling after ${waitMs} ms: ${JSON.stringify(info)}`);
      await sleep(20);
    }
  }
  // -- the keyspace
  const universe = model.universe();
  const inUniverse = new Set(universe);
  const keys = (await q(['KEYS', '*'])).map(str);
  for (const k of keys) {
    if (!inUniverse.has(k)) fail(`key ${k} exists after the restart but no writer ever wrote it`);
  }
  const seen = new Map();
  const replies = await Promise.all(universe.map((k) => q(['HGETALL', k], true)));
  universe.forEach((k, i) => {
    if (replies[i] instanceof Error) fail(`HGETALL ${k}: ${replies[i].message}`);
    seen.set(k, stateOfReply(replies[i]));
  });
  const liveKeys = new Set(keys);
  for (const k of universe) {
    if (!!seen.get(k) !== liveKeys.has(k)) fail(`KEYS and HGETALL disagree on ${k}: KEYS ${liveKeys.has(k) ? 'has' : 'lacks'} it, HGETALL gives ${canon(seen.get(k))}`);
  }
  figures.keys = universe.length;
  figures.live = keys.length;
  // Per writer: all its keys as acknowledged, or all as its write in flight leaves them.
  for (let w = 0; w <= model.writers; w++) {
    const f = model.inflight[w];
    const touched = new Map(f ? f.effects : []);
    const allAcked = [...touched.keys()].every((k) => sameState(seen.get(k), model.get(k)));
    const allNew = f && [...touched.entries()].every(([k, s]) => sameState(seen.get(k), s));
    for (const k of model.keysFor(w)) {
      if (touched.has(k)) continue;
      if (!sameState(seen.get(k), model.get(k))) {
        fail(`${k}: after the restart it is\n    ${canon(seen.get(k))}\n  but the last acknowledged write left\n    ${canon(model.get(k))}\n` +
          `  (no write to it was in flight; writer ${w} in flight: ${f ? describe(f.args) : 'nothing'})\n  its last writes: ${(model.history.get(k) ?? []).join(' | ')}`);
      }
    }
    if (!allAcked && !allNew) {
      const lines = [...touched.entries()].map(([k, s]) => `    ${k}: found ${canon(seen.get(k))}\n      acknowledged ${canon(model.get(k))}\n      in flight    ${canon(s)}\n      last writes: ${(model.history.get(k) ?? []).join(' | ')}`);
      fail(`writer ${w}'s keys are neither as acknowledged nor as its write in flight (${describe(f.args)}) leaves them:\n${lines.join('\n')}`);
    }
  }
  // The store is the truth from here on.
  model.state = new Map([...seen].filter(([, s]) => s));
  model.inflight.fill(null);
  model.acked = 0;
  for (const [id, def] of Object.entries(INDEXES)) {
    if (model.index[id] === 'acked') await verifyIndex(q, def[0], id, model, r, figures, fail);
  }
  figures.waitMs = Date.now() - t0;
  return figures;
}

/** FT.INFO's flat reply -> object (top level only). */
export function infoOf(flat) {
  if (flat instanceof Error) throw flat;
  const o = {};
  for (let i = 0; i + 1 < flat.length; i += 2) o[str(flat[i])] = Array.isArray(flat[i + 1]) ? flat[i + 1] : typeof flat[i + 1] === 'number' ? flat[i + 1] : str(flat[i + 1]);
  return o;
}

function docs(model) {
  const out = [];
  for (const [k, s] of model.state) if (k.startsWith('doc:')) out.push([k, s]);
  return out;
}

const tagsOf = (s) => (s.has('tag') ? str(s.get('tag')).split(',').map((t) => t.trim().toLowerCase()).filter(Boolean) : []);
const wordsOf = (s) => (s.has('b') ? str(s.get('b')).toLowerCase().split(/[ ,]+/).filter(Boolean) : []);
const numOf = (s) => (s.has('n') ? Number(str(s.get('n'))) : NaN);
const vecOf = (s) => (s.has('v') && s.get('v').length === DIM * 4 ? new Float32Array(Uint8Array.from(s.get('v')).buffer) : null);

function dist(a, b) {
  let d = 0;
  for (let i = 0; i < DIM; i++) d += (a[i] - b[i]) ** 2;
  return d;
}

const sortedKeys = (xs) => [...xs].sort();

async function verifyIndex(q, name, id, model, r, figures, fail) {
  const all = docs(model);
  const info = infoOf(await q(['FT.INFO', name]));
  const expectDocs = all.filter(([, s]) => INDEX_FIELDS.some((f) => s.has(f))).length;
  if (info.num_docs !== expectDocs) {
    fail(`FT.INFO ${name} num_docs ${info.num_docs}, but ${expectDocs} keys have an indexed field (of ${all.length} doc: keys)`);
  }
  if (String(info.hash_indexing_failures) !== '0') fail(`FT.INFO ${name} hash_indexing_failures ${info.hash_indexing_failures}, expected 0`);
  const filterCheck = async (query, want) => {
    figures.queries++;
    const res = await q(['FT.SEARCH', name, query, 'NOCONTENT', 'LIMIT', '0', '100000', 'DIALECT', '2']);
    if (res instanceof Error) fail(`FT.SEARCH ${name} '${query}': ${res.message}`);
    const got = sortedKeys(res.slice(1).map(str));
    const exp = sortedKeys(want.map(([k]) => k));
    if (res[0] !== exp.length || JSON.stringify(got) !== JSON.stringify(exp)) {
      const gs = new Set(got);
      const es = new Set(exp);
      const extra = got.filter((k) => !es.has(k));
      const missing = exp.filter((k) => !gs.has(k));
      fail(`FT.SEARCH ${name} '${query}': total ${res[0]}, ${got.length} keys; expected ${exp.length}.\n  returned but should not match: ${extra.map((k) => `${k} (${canon(model.get(k))})`).join('; ') || '-'}\n  ` +
        `missing: ${missing.map((k) => `${k} (${canon(model.get(k))})`).join('; ') || '-'}`);
    }
  };
  for (const t of TAGS) await filterCheck(`@tag:{${t}}`, all.filter(([, s]) => tagsOf(s).includes(t)));
  for (let i = 0; i < 3; i++) {
    const a = between(r, -500, 400);
    const b = a + between(r, 0, 400);
    await filterCheck(`@n:[${a} ${b}]`, all.filter(([, s]) => numOf(s) >= a && numOf(s) <= b));
    const t = pick(r, TAGS);
    await filterCheck(`@tag:{${t}} @n:[${a} ${b}]`, all.filter(([, s]) => tagsOf(s).includes(t) && numOf(s) >= a && numOf(s) <= b));
  }
  // TEXT: every document holding a word, after the restart.
  for (let i = 0; i < 2; i++) {
    const w = pick(r, WORDS);
    await filterCheck(`@b:${w}`, all.filter(([, s]) => wordsOf(s).includes(w)));
  }
  // KNN: FLAT exact; HNSW returns live keys at their true distances.
  const withV = all.filter(([, s]) => vecOf(s));
  for (let i = 0; i < 3; i++) {
    const qv = randomVector(r);
    const qf = new Float32Array(Uint8Array.from(qv).buffer);
    const t = pick(r, TAGS);
    for (const [filter, pool] of [['*', withV], [`@tag:{${t}}`, withV.filter(([, s]) => tagsOf(s).includes(t))]]) {
      figures.queries++;
      const K = 10;
      const query = `${filter}=>[KNN ${K} @v $q${id === 'h' ? ' EF_RUNTIME 200' : ''} AS d]`;
      const res = await q(['FT.SEARCH', name, query, 'PARAMS', '2', 'q', qv, 'RETURN', '1', 'd', 'LIMIT', '0', String(K), 'DIALECT', '2']);
      if (res instanceof Error) fail(`FT.SEARCH ${name} '${query}': ${res.message}`);
      const got = [];
      for (let j = 1; j < res.length; j += 2) {
        const f = res[j + 1].map(str);
        got.push([str(res[j]), Number(f[f.indexOf('d') + 1])]);
      }
      const truth = new Map(pool.map(([k, s]) => [k, dist(vecOf(s), qf)]));
      const exp = [...truth].sort((a, b) => a[1] - b[1]).slice(0, K);
      for (const [k, d] of got) {
        if (!truth.has(k)) {
          fail(`KNN on ${name} '${query}' returned ${k}, which ${model.get(k) ? `does not qualify (${canon(model.get(k))})` : 'does not exist'}`);
        }
        if (Math.abs(truth.get(k) - d) > 1e-3 * Math.max(1, d)) fail(`KNN on ${name} '${query}' gives ${k} at distance ${d}; its vector is at ${truth.get(k)}`);
      }
      if (new Set(got.map(([k]) => k)).size !== got.length) fail(`KNN on ${name} '${query}' returned a key twice: ${JSON.stringify(got)}`);
      if (got.length !== exp.length) {
        fail(`KNN on ${name} '${query}' returned ${got.length} results, expected ${exp.length} (${pool.length} qualifying keys): ${JSON.stringify(got)}`);
      }
      if (id === 'f') {
        const gd = got.map(([, d]) => d).join(',');
        const ed = exp.map(([, d]) => d).join(',');
        if (gd !== ed) fail(`KNN on FLAT ${name} '${query}' is not exact: distances ${gd}, expected ${ed}\n  got ${JSON.stringify(got)}\n  expected ${JSON.stringify(exp)}`);
      } else if (exp.length) {
        const kth = exp.at(-1)[1];
        const hit = got.filter(([, d]) => d <= kth).length;
        figures.hnswRecall.push(hit / exp.length);
      }
    }
  }
}
