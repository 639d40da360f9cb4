// expiry-model.test.js - seeded random sequences of writes, expiry
// commands and clock moves through the public JS API, checked after every
// step against a plain JS model of the keyspace that keeps absolute expiry
// times.
//
// The store is opened with an injected clock (`open({ clock })`) that the
// test moves in random steps (sometimes to a key's exact expiry time, or
// one millisecond before it), on memory storage or files in a temporary
// directory, with a FLAT and an HNSW index (TAG and NUMERIC fields) over
// most of the keys.  Operations: HSET, HDEL, DEL, RENAME / RENAMENX, SET
// with and without EX / PX / EXAT / PXAT / KEEPTTL / NX / XX / GET,
// GETEX, EXPIRE / PEXPIRE / EXPIREAT / PEXPIREAT with NX / XX / GT / LT,
// PERSIST, FLUSHALL, FT.DROPINDEX and FT.CREATE again (a backfill over
// keys already past their time), the active cycle (`expireNow` with small
// budgets, or not at all for a while), a snapshot, and closing and
// reopening the store (snapshot + journal replay) with the clock moved.
//
// The model knows which keys the engine still holds (an expired key stays
// until a command touches it or the cycle reclaims it, and DBSIZE counts
// it, as Redis does), so after every step it checks DBSIZE and FT.INFO's
// num_docs exactly, KEYS and a full SCAN walk (live keys only, each once),
// exact FT.SEARCH filter results and FLAT KNN against brute force over the
// live documents, HNSW KNN validity (only live matching documents, K of
// them when K exist), and for some keys (all of them now and then, and
// after every reopen) EXISTS, TYPE, GET / HGETALL, TTL, PTTL, EXPIRETIME,
// PEXPIRETIME.  Every fourth seed runs with the background expiry timer
// on, where what it reclaimed is not known: DBSIZE and num_docs are then
// checked within bounds.
//
// SEED=<n> runs one seed; EXPIRY_SEEDS=<n> runs seeds 1..n (default 30);
// EXPIRY_OPS=<n> operations per seed (default 160); VESSEL_WASM=<file>
// tests another build of the engine.  A failure names its seed and the
// last operations.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { open } from '../../js/node.js';
import { MemoryStorage } from '../../js/storage/memory.js';
import { prng, seedList } from './helpers.js';
import { checkExact, checkResults, distance } from './knn-model.js';

const OPS = Number(process.env.EXPIRY_OPS ?? 160);
const SEEDS = seedList('EXPIRY_SEEDS', 30);
const WASM = process.env.VESSEL_WASM ? readFileSync(process.env.VESSEL_WASM) : undefined;

// ---- indexes and values ----------------------------------------------------------

const METRICS = ['L2', 'IP', 'COSINE'];

function indexDefs(r) {
  return [
    { name: 'fi', prefixes: ['d:'], algo: 'FLAT', metric: r.pick(METRICS) },
    { name: 'hi', prefixes: ['d:', 'e:'], algo: 'HNSW', metric: r.pick(METRICS) },
  ];
}

function createArgs(def) {
  const p = ['TYPE', 'FLOAT32', 'DIM', '3', 'DISTANCE_METRIC', def.metric];
  if (def.algo === 'HNSW') p.push('M', '4');
  return ['FT.CREATE', def.name, 'PREFIX', String(def.prefixes.length), ...def.prefixes, 'SCHEMA',
    'v', 'VECTOR', def.algo, String(p.length), ...p, 't', 'TAG', 'n', 'NUMERIC'];
}

const TAGS = ['red', 'blue', 'red,blue', 'Green', ''];
const NUMBERS = ['1', '5', '10', '-3', '2.5', 'x'];

function vector(r, dim = 3) {
  const v = new Float32Array(dim);
  for (let i = 0; i < dim; i++) v[i] = Math.round((r() * 2 - 1) * 1000) / 1000 || 0.001;
  return v;
}
const bytesOf = (f32) => new Uint8Array(f32.buffer.slice(0));

function randomFields(r) {
  const out = {};
  if (r() < 0.6) out.t = r.pick(TAGS);
  if (r() < 0.6) out.n = r.pick(NUMBERS);
  if (r() < 0.7) out.v = r() < 0.1 ? bytesOf(vector(r, 4)) : bytesOf(vector(r));
  if (r() < 0.2) out.x = `x${r.int(10)}`;
  if (!Object.keys(out).length) out.v = bytesOf(vector(r));
  return out;
}

function parseField(f, value) {
  if (f === 't') {
    const tags = new Set(value.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean));
    return tags.size ? tags : null;
  }
  if (f === 'n') return /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : null;
  if (value.length !== 12) return null;
  return new Float32Array(value.buffer.slice(value.byteOffset, value.byteOffset + 12));
}


const has = (t) => (d) => d.values.t?.has(t) ?? false;
const inRange = (lo, hi) => (d) => d.values.n !== undefined && d.values.n >= lo && d.values.n <= hi;
const FILTERS = [
  ['*', () => true],
  ['@t:{red}', has('red')],
  ['@t:{blue | green}', (d) => has('blue')(d) || has('green')(d)],
  ['@n:[0 6]', inRange(0, 6)],
  ['@t:{blue} @n:[5 +inf]', (d) => has('blue')(d) && inRange(5, Infinity)(d)],
  ['-@t:{red}', (d) => !has('red')(d)],
];

// ---- the model -----------------------------------------------------------------------
//
// keys: every key the engine holds, expired or not: { type, fields | value, when }
// (when: absolute ms, or null).  A key is live while when is null or > now.
// `certain`: false while a background cycle may have reclaimed expired keys
// the model still holds (then keys holds a superset of the engine's).

class Model {
  constructor(now) {
    this.keys = new Map();
    this.now = now;
    this.indexes = new Map();
    this.certain = true;
  }

  live(k) {
    const e = this.keys.get(k);
    return e && (e.when === null || e.when > this.now) ? e : undefined;
  }

  /** A command looked k up: an expired key is deleted; the live entry or undefined. */
  touch(k) {
    const e = this.keys.get(k);
    if (e && !(e.when === null || e.when > this.now)) this.keys.delete(k);
    return this.live(k);
  }

  liveKeys() {
    return [...this.keys.keys()].filter((k) => this.live(k)).sort();
  }

  /** The documents of an index: { key, values } of hashes with an indexed field (live ones unless all). */
  docs(def, all = false) {
    const out = [];
    for (const [key, e] of this.keys) {
      if (e.type !== 'hash' || !def.prefixes.some((p) => key.startsWith(p))) continue;
      if (!all && !this.live(key)) continue;
      const values = {};
      for (const f of ['t', 'n', 'v']) {
        if (!e.fields.has(f)) continue;
        const p = parseField(f, e.fields.get(f));
        if (p !== null) values[f] = p;
      }
      if (Object.keys(values).length) out.push({ key, values });
    }
    return out;
  }
}

const text = (v) => (typeof v === 'string' ? v : new TextDecoder().decode(v));

// ---- checks ----------------------------------------------------------------------------

async function checkKey(db, model, k, msg) {
  const e = model.touch(k); // the first read deletes an expired key; the model follows
  assert.equal(await db.command('EXISTS', k), e ? 1 : 0, msg(`EXISTS ${k}`));
  assert.equal(await db.command('TYPE', k), e ? e.type : 'none', msg(`TYPE ${k}`));
  const when = e ? e.when ?? -1 : -2;
  assert.equal(await db.command('PEXPIRETIME', k), when, msg(`PEXPIRETIME ${k}`));
  assert.equal(await db.command('EXPIRETIME', k), when < 0 ? when : Math.floor((when + 500) / 1000), msg(`EXPIRETIME ${k}`));
  const left = when < 0 ? when : when - model.now;
  assert.equal(await db.command('PTTL', k), left, msg(`PTTL ${k}`));
  assert.equal(await db.command('TTL', k), left < 0 ? left : Math.floor((left + 500) / 1000), msg(`TTL ${k}`));
  if (!e || e.type === 'string') {
    assert.equal(await db.command('GET', k), e ? e.value : null, msg(`GET ${k}`));
  } else {
    const got = await db.hgetall(k, { binary: true });
    const want = Object.fromEntries([...e.fields].map(([f, v]) => [f, typeof v === 'string' ? new TextEncoder().encode(v) : v]));
    assert.deepEqual(Object.fromEntries(Object.entries(got).map(([f, v]) => [f, [...v]])),
      Object.fromEntries(Object.entries(want).map(([f, v]) => [f, [...v]])), msg(`HGETALL ${k}`));
  }
}

async function check(db, model, r, keyNames, stats, msg, everyKey = false) {
  const live = model.liveKeys();
  const dbsize = await db.dbsize();
  if (model.certain) assert.equal(dbsize, model.keys.size, msg('DBSIZE (keys not reclaimed yet count)'));
  else assert.ok(dbsize >= live.length && dbsize <= model.keys.size, msg(`DBSIZE ${dbsize} not within [${live.length}, ${model.keys.size}]`));
  assert.deepEqual((await db.command('KEYS', '*')).map(String).sort(), live, msg('KEYS *'));
  const count = 1 + r.int(6);
  const type = r() < 0.25 ? r.pick(['hash', 'string']) : undefined;
  const seen = [];
  for await (const k of db.scan({ count, type })) seen.push(String(k));
  const wantScan = type ? live.filter((k) => model.keys.get(k).type === type) : live;
  assert.deepEqual(seen.sort(), wantScan, msg(`SCAN COUNT ${count}${type ? ` TYPE ${type}` : ''} full walk`));

  for (const def of model.indexes.values()) {
    const docs = model.docs(def);
    const info = await db.indexInfo(def.name);
    const held = model.docs(def, true).length;
    if (model.certain && info.backfill_in_progress === '0') assert.equal(info.num_docs, held, msg(`${def.name} num_docs (unreclaimed documents count)`));
    else assert.ok(info.num_docs <= held, msg(`${def.name} num_docs ${info.num_docs} > ${held}`));
    for (const [q, pred] of FILTERS) {
      const res = await db.search(def.name, q, { noContent: true, limit: [0, 1000] });
      stats.queries++;
      const want = docs.filter(pred).map((d) => d.key).sort();
      assert.deepEqual(res.results.map((x) => x.key).sort(), want, msg(`${def.name} ${q}`));
      assert.equal(res.total, want.length, msg(`${def.name} ${q} total`));
    }
    await checkKnn(db, def, docs, r, stats, msg);
  }

  const names = everyKey ? keyNames : [r.pick(keyNames), r.pick(keyNames), ...(model.keys.size ? [r.pick([...model.keys.keys()])] : [])];
  for (const k of names) await checkKey(db, model, k, msg);
}

async function checkKnn(db, def, docs, r, stats, msg) {
  const [filter, pred] = r() < 0.5 ? FILTERS[0] : r.pick(FILTERS.filter(([q]) => !q.startsWith('-')));
  const k = 1 + r.int(6);
  const q = vector(r);
  const query = `${filter === '*' ? '*' : `(${filter})`}=>[KNN ${k} @v $q AS d]`;
  const res = await db.search(def.name, query, { params: { q }, return: ['d'], limit: [0, 100] });
  stats.queries++;
  const cand = new Map();
  for (const d of docs) if (d.values.v && pred(d)) cand.set(d.key, distance(def.metric, q, d.values.v));
  const what = `${def.name} ${def.algo} ${def.metric} ${query}`;
  const got = res.results;
  const seen = checkResults(got, cand, what, msg);
  assert.equal(got.length, Math.min(k, cand.size), msg(`${what}: ${got.length} results, ${cand.size} live candidates`));
  if (def.algo === 'FLAT') {
    checkExact(got, cand, seen, what, msg);
  }
}

// ---- operations -------------------------------------------------------------------------

/** A time for the EXPIRE family: [command, argument] (relative or absolute, sometimes past). */
function expireTime(r, model, k) {
  const now = model.now;
  const cur = model.live(k)?.when;
  const x = r();
  if (x < 0.2) return ['EXPIRE', r.int(10) - 2];
  if (x < 0.4) return ['PEXPIRE', r.int(8500) - 500];
  if (x < 0.55) return ['EXPIREAT', Math.floor(now / 1000) + r.int(11) - 3];
  if (x < 0.7 && cur) return ['PEXPIREAT', cur + r.pick([-1, 0, 0, 1, 500])]; // at, just before, just after the current time
  if (x < 0.75) return ['PEXPIREAT', now];
  return ['PEXPIREAT', now + r.int(9000) - 1000];
}

/** The absolute time of an EXPIRE-family argument. */
function absolute(cmd, arg, now) {
  if (cmd === 'EXPIRE') return now + arg * 1000;
  if (cmd === 'PEXPIRE') return now + arg;
  if (cmd === 'EXPIREAT') return arg * 1000;
  return arg;
}

async function step(db, model, r, keyNames, ctx) {
  const key = () => r.pick(keyNames);
  const existing = () => (model.keys.size && r() < 0.8 ? r.pick([...model.keys.keys()]) : key());
  const x = r();
  if (x < 0.16) {
    const k = existing();
    const fields = randomFields(r);
    const e = model.touch(k);
    if (e && e.type !== 'hash') {
      await assert.rejects(db.hset(k, fields), /WRONGTYPE/);
      return `HSET ${k} (string)`;
    }
    await db.hset(k, fields);
    const entry = e ?? { type: 'hash', fields: new Map(), when: null };
    for (const [f, v] of Object.entries(fields)) entry.fields.set(f, v);
    model.keys.set(k, entry);
    return `HSET ${k} ${Object.keys(fields)}`;
  }
  if (x < 0.21) {
    const k = existing();
    const fs = ['t', 'n', 'v', 'x'].filter(() => r() < 0.4);
    if (!fs.length) fs.push('v');
    const e = model.touch(k);
    if (e && e.type !== 'hash') {
      await assert.rejects(db.command('HDEL', k, ...fs), /WRONGTYPE/);
      return `HDEL ${k} (string)`;
    }
    let n = 0;
    if (e) for (const f of fs) n += e.fields.delete(f) ? 1 : 0;
    if (e && e.fields.size === 0) model.keys.delete(k);
    assert.equal(await db.command('HDEL', k, ...fs), n, `HDEL ${k} ${fs}`);
    return `HDEL ${k} ${fs}`;
  }
  if (x < 0.25) {
    const ks = [existing(), ...(r() < 0.3 ? [existing()] : [])];
    let n = 0;
    for (const k of ks) if (model.touch(k)) n += model.keys.delete(k) ? 1 : 0;
    assert.equal(await db.command(r() < 0.5 ? 'DEL' : 'UNLINK', ...ks), n, `DEL ${ks}`);
    return `DEL ${ks}`;
  }
  if (x < 0.31) {
    const src = existing();
    const dst = r() < 0.08 ? src : r() < 0.5 ? existing() : key();
    const nx = r() < 0.3;
    const cmd = nx ? 'RENAMENX' : 'RENAME';
    const e = model.touch(src);
    if (!e) {
      await assert.rejects(db.command(cmd, src, dst), /no such key/);
      return `${cmd} ${src} ${dst} (missing)`;
    }
    const d = model.touch(dst);
    const reply = await db.command(cmd, src, dst);
    if (nx && d) {
      assert.equal(reply, 0, `${cmd} ${src} ${dst}`);
    } else {
      assert.equal(reply, nx ? 1 : 'OK', `${cmd} ${src} ${dst}`);
      model.keys.delete(src);
      model.keys.set(dst, e); // the source's time goes with it
    }
    return `${cmd} ${src} ${dst}`;
  }
  if (x < 0.45) return set(db, model, r, existing());
  if (x < 0.51) return getex(db, model, r, existing());
  if (x < 0.66) {
    const k = existing();
    const [cmd, arg] = expireTime(r, model, k);
    const flags = r() < 0.5 ? [] : [r.pick(['NX', 'XX', 'GT', 'LT'])];
    if (r() < 0.03) {
      await assert.rejects(db.command(cmd, k, arg, 'GT', 'LT'), /GT and LT options at the same time/);
      return `${cmd} GT LT (refused)`; // refused before the key is looked up
    }
    const when = absolute(cmd, arg, model.now);
    const e = model.touch(k);
    const cur = e?.when ?? null;
    const f = flags[0];
    let want = 0;
    if (e && !((f === 'NX' && cur !== null) || (f === 'XX' && cur === null) || (f === 'GT' && (cur === null || when <= cur)) || (f === 'LT' && cur !== null && when >= cur))) {
      want = 1;
      if (when <= model.now) model.keys.delete(k); // a time already past deletes the key
      else e.when = when;
    }
    assert.equal(await db.command(cmd, k, arg, ...flags), want, `${cmd} ${k} ${arg} ${flags}`);
    return `${cmd} ${k} ${arg} ${flags} (${when - model.now} ms from now)`;
  }
  if (x < 0.69) {
    const k = existing();
    const e = model.touch(k);
    const want = e && e.when !== null ? 1 : 0;
    if (want) e.when = null;
    assert.equal(await db.command('PERSIST', k), want, `PERSIST ${k}`);
    return `PERSIST ${k}`;
  }
  if (x < 0.80) {
    // The clock moves: a little, a lot, or onto a key's time (or 1 ms before it).
    const times = [...model.keys.values()].map((e) => e.when).filter((w) => w !== null && w > model.now);
    const y = r();
    if (y < 0.35 && times.length) model.now = r.pick(times) - (r() < 0.3 ? 1 : 0);
    else if (y < 0.9) model.now += r.int(1500);
    else model.now += r.int(20000);
    return `clock +${model.now - ctx.start} ms`;
  }
  if (x < 0.88) {
    // The active cycle, a small budget (or everything).
    const budget = r() < 0.2 ? Infinity : 1 + r.int(3);
    const due = [...model.keys].filter(([, e]) => e.when !== null && e.when <= model.now).sort((a, b) => a[1].when - b[1].when);
    const n = db.expireNow(budget);
    if (!model.certain) {
      assert.ok(n <= Math.min(budget, due.length), `expireNow(${budget}) reclaimed ${n} of ${due.length}`);
      if (budget === Infinity) for (const [k] of due) model.keys.delete(k);
      return `expireNow(${budget})`;
    }
    assert.equal(n, Math.min(budget, due.length), `expireNow(${budget}) with ${due.length} due`);
    // Earliest first: the first n go; keys tied with the last one taken may
    // go in any order, so the model looks them up (deleting the rest).
    for (const [k] of due.slice(0, n)) model.keys.delete(k);
    if (n > 0 && n < due.length && due[n][1].when === due[n - 1][1].when) {
      for (const [k, e] of due) if (e.when === due[n - 1][1].when) {
        await db.command('EXISTS', k);
        model.keys.delete(k);
      }
    }
    return `expireNow(${budget}): ${n}`;
  }
  if (x < 0.885) {
    await db.flushall();
    model.keys.clear();
    return 'FLUSHALL';
  }
  if (x < 0.9) {
    const def = r.pick([...ctx.defs]);
    if (model.indexes.has(def.name)) {
      assert.equal(await db.command('FT.DROPINDEX', def.name), 'OK');
      model.indexes.delete(def.name);
      return `FT.DROPINDEX ${def.name}`;
    }
    assert.equal(await db.command(...createArgs(def)), 'OK');
    model.indexes.set(def.name, def);
    await db.indexReady(def.name); // the backfill meets expired keys
    return `FT.CREATE ${def.name}`;
  }
  if (x < 0.94) {
    await db.save();
    return 'SAVE';
  }
  return 'REOPEN';
}

async function set(db, model, r, k) {
  const v = `v${r.int(1000)}`;
  const opts = [];
  let when = null;
  let keepttl = false;
  const y = r();
  const now = model.now;
  if (y < 0.03) {
    const bad = r.pick([['EX', 0], ['PX', -5], ['EXAT', 0]]);
    await assert.rejects(db.command('SET', k, v, ...bad), /invalid expire time in 'set' command/);
    return `SET ${k} ${bad} (refused)`; // refused before the key is looked up
  }
  if (y < 0.15) { const s = 1 + r.int(8); opts.push('EX', s); when = now + s * 1000; }
  else if (y < 0.27) { const ms = 1 + r.int(8000); opts.push('PX', ms); when = now + ms; }
  else if (y < 0.37) { const s = Math.floor(now / 1000) + r.int(10) - 2; opts.push('EXAT', s); when = s * 1000; }
  else if (y < 0.5) { const ms = now + r.int(9000) - 1000; opts.push('PXAT', ms); when = ms; }
  else if (y < 0.65) { opts.push('KEEPTTL'); keepttl = true; }
  const cond = r() < 0.3 ? r.pick(['NX', 'XX']) : null;
  if (cond) opts.push(cond);
  const get = r() < 0.25;
  if (get) opts.push('GET');
  for (let i = opts.length - 1; i > 0; i--) { const j = r.int(i + 1); [opts[i], opts[j]] = [opts[j], opts[i]]; }
  // Keep each option's value right after it.
  const args = [];
  for (let i = 0; i < opts.length; i++) {
    if (typeof opts[i] === 'number') continue;
    args.push(opts[i]);
    if (['EX', 'PX', 'EXAT', 'PXAT'].includes(opts[i])) args.push(opts.find((o) => typeof o === 'number'));
  }
  const e = model.touch(k);
  const what = `SET ${k} ${v} ${args.join(' ')}${when !== null ? ` (${when - now} ms from now)` : ''}`;
  if (get && e && e.type !== 'string') {
    await assert.rejects(db.command('SET', k, v, ...args), /WRONGTYPE/, what);
    return `${what} (WRONGTYPE)`;
  }
  const reply = await db.command('SET', k, v, ...args);
  const skip = (cond === 'NX' && e) || (cond === 'XX' && !e);
  assert.equal(reply, get ? (e ? e.value : null) : skip ? null : 'OK', what);
  if (!skip) {
    // A time already past is set as it is (Redis 7.0): the key is there, expired.
    model.keys.set(k, { type: 'string', value: v, when: keepttl && e ? e.when : when });
  }
  return what;
}

async function getex(db, model, r, k) {
  const now = model.now;
  const y = r();
  let args = [];
  let when;
  if (y < 0.2) { const s = 1 + r.int(8); args = ['EX', s]; when = now + s * 1000; }
  else if (y < 0.4) { const ms = 1 + r.int(8000); args = ['PX', ms]; when = now + ms; }
  else if (y < 0.5) { const s = Math.floor(now / 1000) + r.int(10) - 2; args = ['EXAT', s]; when = s * 1000; }
  else if (y < 0.65) { const ms = now + r.int(9000) - 1000; args = ['PXAT', ms]; when = ms; }
  else if (y < 0.8) args = ['PERSIST'];
  const what = `GETEX ${k} ${args.join(' ')}`;
  const e = model.touch(k);
  if (e && e.type !== 'string') {
    await assert.rejects(db.command('GETEX', k, ...args), /WRONGTYPE/, what);
    return `${what} (WRONGTYPE)`;
  }
  assert.equal(await db.command('GETEX', k, ...args), e ? e.value : null, what);
  if (e) {
    if (args[0] === 'PERSIST') e.when = null;
    else if (when !== undefined) {
      if (when <= now) model.keys.delete(k); // a past EXAT / PXAT deletes it after the reply
      else e.when = when;
    }
  }
  return what;
}

// ---- a run ---------------------------------------------------------------------------------

async function runSeed(seed) {
  const r = prng(seed);
  const files = seed % 2 === 0;
  const background = seed % 4 === 3;
  const dir = files ? mkdtempSync(join(tmpdir(), 'vessel-expiry-model-')) : null;
  const storage = files ? null : new MemoryStorage();
  const model = new Model(1_700_000_000_000 + seed * 7919 + r.int(1000));
  model.certain = !background;
  const ctx = { start: model.now, defs: indexDefs(r) };
  const nk = 3 + r.int(5);
  const keyNames = [];
  for (const p of ['d:', 'e:', 's:']) for (let i = 0; i < (p === 's:' ? 2 : nk); i++) keyNames.push(`${p}${i}`);
  const reopen = () => open({
    ...(files ? { dir } : { storage }),
    ...(WASM ? { wasm: WASM } : {}),
    clock: () => model.now,
    activeExpiry: background,
    autosave: false,
    durability: r() < 0.5 ? 'always' : 'no',
    seed,
  });
  let db = await reopen();
  const stats = { queries: 0, reopens: 0 };
  const log = [];
  try {
    for (const def of ctx.defs) {
      assert.equal(await db.command(...createArgs(def)), 'OK');
      model.indexes.set(def.name, def);
    }
    for (let i = 0; i < OPS; i++) {
      let what = await step(db, model, r, keyNames, ctx);
      let everyKey = r() < 0.1;
      if (what === 'REOPEN') {
        await db.close();
        if (r() < 0.7) model.now += r.int(8000);
        db = await reopen();
        for (const name of model.indexes.keys()) await db.indexReady(name);
        stats.reopens++;
        what = `close, reopen at clock +${model.now - ctx.start} ms`;
        everyKey = true; // every absolute time came back, nothing acknowledged was lost
      }
      log.push(what);
      const msg = (s) => `op ${i} (${what}): ${s}\n  last ops: ${log.slice(-8).join(' / ')}`;
      await check(db, model, r, keyNames, stats, msg, everyKey);
    }
    // The end: the clock past every time, the cycle reclaims everything.
    model.now += 60_000;
    await db.close();
    db = await reopen();
    for (const name of model.indexes.keys()) await db.indexReady(name);
    db.expireNow();
    for (const [k, e] of [...model.keys]) if (e.when !== null && e.when <= model.now) model.keys.delete(k);
    model.certain = true;
    await check(db, model, r, keyNames, stats, (s) => `end: ${s}`, true);
    assert.equal(db.engine.expiryStats().keysWithTtl, 0, 'keys with a TTL after everything expired');
  } finally {
    await db.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
  return stats;
}

for (const seed of SEEDS) {
  test(`expiry model: random writes, expiry and clock moves, seed=${seed}`, async () => {
    try {
      const stats = await runSeed(seed);
      if (process.env.MODEL_VERBOSE) console.log(`seed=${seed} queries ${stats.queries} reopens ${stats.reopens}`);
    } catch (e) {
      e.message = `seed=${seed} (reproduce: SEED=${seed}): ${e.message}`;
      throw e;
    }
  });
}
