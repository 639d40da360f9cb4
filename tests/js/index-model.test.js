// index-model.test.js - seeded random churn through the JS API against a
// plain JS model of the keyspace and of every index.
//
// Each seed builds a few indexes (FLAT and HNSW; L2, IP and COSINE;
// overlapping prefixes, no prefix, TAG with another separator and case
// sensitivity, NUMERIC) and runs random operations: HSET of new and
// existing keys (right-size vectors, wrong-size blobs, NaN, numbers that
// do not parse, empty tags, tags with separators, spaces and case), HDEL,
// DEL, UNLINK, SET over hashes, RENAME / RENAMENX of every kind (indexed
// or not, onto missing keys, indexed keys of the same or another index,
// unindexed hashes, strings, itself), FLUSHALL, FT.DROPINDEX with and
// without DD and FT.CREATE again while keys exist (backfill driven in
// small steps between writes).  After every operation the store is
// checked against the model: keys, FT.INFO counters, exact TAG / NUMERIC
// / combined filter results, exact FLAT KNN (brute force in the model,
// distances within a tolerance), HNSW KNN (only live matching keys, right
// distances, K results whenever K exist; recall at the end).  At the end a
// store replayed from the journal must agree with the model too, and the
// engine's memory returns to its baseline once everything is deleted.
//
// SEED=<n> runs one seed; MODEL_SEEDS=<n> runs seeds 1..n (default 80);
// MODEL_OPS=<n> operations per seed (default 300); VESSEL_WASM=<file> tests
// another build of the engine.  A failure names its seed (seed=<n>).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { open } from '../../js/index.js';
import { MemoryStorage } from '../../js/storage/memory.js';
import { prng, seedList } from './helpers.js';
import { checkExact, checkResults, distance } from './knn-model.js';

const OPS = Number(process.env.MODEL_OPS ?? 300);
const SEEDS = seedList('MODEL_SEEDS', 80);
const WASM = process.env.VESSEL_WASM ? readFileSync(process.env.VESSEL_WASM) : undefined;

// ---- the indexes ----------------------------------------------------------------

const METRICS = ['L2', 'IP', 'COSINE'];

/** Index templates; metrics are drawn per seed. */
function templates(r) {
  const metric = () => METRICS[Math.floor(r() * 3)];
  return [
    { name: 'ia', prefixes: ['a:'], fields: [
      { f: 't', type: 'TAG' }, { f: 'n', type: 'NUMERIC' }, { f: 'v', type: 'VECTOR', algo: 'FLAT', dim: 4, metric: metric() }] },
    { name: 'ib', prefixes: ['b:', 'a:'], fields: [
      { f: 't', type: 'TAG', sep: '|', cs: true }, { f: 'v', type: 'VECTOR', algo: 'HNSW', dim: 4, metric: metric(), m: 4 },
      { f: 'n', type: 'NUMERIC' }] },
    { name: 'ic', prefixes: [], fields: [
      { f: 'u', type: 'VECTOR', algo: 'HNSW', dim: 3, metric: metric(), m: 16 }, { f: 'n', type: 'NUMERIC' }] },
    { name: 'id', prefixes: ['c:', 'a:1'], fields: [
      { f: 'u', type: 'VECTOR', algo: 'FLAT', dim: 3, metric: metric() }, { f: 't', type: 'TAG' }] },
  ];
}

function createArgs(def) {
  const args = ['FT.CREATE', def.name];
  if (def.prefixes.length) args.push('PREFIX', String(def.prefixes.length), ...def.prefixes);
  args.push('SCHEMA');
  for (const fd of def.fields) {
    if (fd.type === 'TAG') {
      args.push(fd.f, 'TAG');
      if (fd.sep) args.push('SEPARATOR', fd.sep);
      if (fd.cs) args.push('CASESENSITIVE');
    } else if (fd.type === 'NUMERIC') {
      args.push(fd.f, 'NUMERIC');
    } else {
      const p = ['TYPE', 'FLOAT32', 'DIM', String(fd.dim), 'DISTANCE_METRIC', fd.metric];
      if (fd.m) p.push('M', String(fd.m));
      args.push(fd.f, 'VECTOR', fd.algo, String(p.length), ...p);
    }
  }
  return args;
}

// ---- values -------------------------------------------------------------------------

const TAGS = ['red', 'Red', 'blue', ' green ', 'yel low', 'red,blue', 'blue|green', 'RED|red', '', ' , ', ' | ', 'a,b|c', 'Blue , yel low'];
const NUMBERS = ['1', '-2.5', ' 7 ', '1e1', '0.25', '42', '100', '7', 'abc', '1x', '', '--1'];

function numberOf(s) {
  const t = s.trim();
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) return null;
  return Number(t);
}

const bytesOf = (f32) => new Uint8Array(f32.buffer.slice(0));

function randomVector(r, dim) {
  const v = new Float32Array(dim);
  for (let i = 0; i < dim; i++) v[i] = Math.round((r() * 2 - 1) * 1000) / 1000 || 0.001;
  return v;
}

/** A value for field f: mostly well-formed, sometimes not. */
function randomValue(r, f) {
  if (f === 't') return TAGS[Math.floor(r() * TAGS.length)];
  if (f === 'n') return NUMBERS[Math.floor(r() * NUMBERS.length)];
  if (f === 'x') return `x${Math.floor(r() * 100)}`;
  const dim = f === 'v' ? 4 : 3;
  const x = r();
  if (x < 0.08) return bytesOf(randomVector(r, dim === 4 ? 3 : 4)); // the other field's size
  if (x < 0.12) return new Uint8Array([1, 2, 3, 4, 5]);
  if (x < 0.15) {
    const v = randomVector(r, dim);
    v[Math.floor(r() * dim)] = NaN;
    return bytesOf(v);
  }
  return bytesOf(randomVector(r, dim));
}

// ---- the model --------------------------------------------------------------------

const isSpace = (c) => c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v';
function trimSpace(s) {
  let a = 0;
  let b = s.length;
  while (a < b && isSpace(s[a])) a++;
  while (b > a && isSpace(s[b - 1])) b--;
  return s.slice(a, b);
}

function parseField(fd, value) {
  if (fd.type === 'TAG') {
    if (typeof value !== 'string') value = new TextDecoder().decode(value);
    const tags = new Set();
    for (const piece of value.split(fd.sep ?? ',')) {
      const t = trimSpace(piece);
      if (t) tags.add(fd.cs ? t : t.toLowerCase());
    }
    return tags.size ? tags : null;
  }
  if (fd.type === 'NUMERIC') return typeof value === 'string' ? numberOf(value) : null;
  if (typeof value === 'string' || value.length !== fd.dim * 4) return null;
  const v = new Float32Array(value.buffer.slice(value.byteOffset, value.byteOffset + value.length));
  return v.every(Number.isFinite) ? v : null;
}

function matches(def, key) {
  return def.prefixes.length === 0 || def.prefixes.some((p) => key.startsWith(p));
}

/** The documents an index must hold, from the model's keyspace. */
function derive(model, def) {
  const docs = new Map();
  let records = 0;
  let failures = 0;
  for (const [key, entry] of model.keys) {
    if (entry.type !== 'hash' || !matches(def, key)) continue;
    const doc = { key, values: {} };
    for (const fd of def.fields) {
      if (!entry.fields.has(fd.f)) continue;
      const parsed = parseField(fd, entry.fields.get(fd.f));
      if (parsed === null) failures++;
      else {
        doc.values[fd.f] = parsed;
        records++;
      }
    }
    doc.indexed = Object.keys(doc.values).length > 0;
    docs.set(key, doc);
  }
  const indexed = [...docs.values()].filter((d) => d.indexed);
  return { docs, indexed, records, failures };
}



// ---- queries --------------------------------------------------------------------------

const has = (f, t) => (d) => d.values[f]?.has(t) ?? false;
const inRange = (f, lo, hi, loEx = false, hiEx = false) => (d) => {
  const x = d.values[f];
  if (x === undefined) return false;
  return (loEx ? x > lo : x >= lo) && (hiEx ? x < hi : x <= hi);
};

/** Filter queries for an index: [query text, predicate over indexed docs]. */
function filterQueries(def) {
  const tag = def.fields.find((f) => f.type === 'TAG');
  const num = def.fields.find((f) => f.type === 'NUMERIC');
  const qs = [['*', () => true]];
  const norm = (t) => (tag.cs ? t : t.toLowerCase());
  if (tag) {
    const t = tag.f;
    qs.push([`@${t}:{red}`, has(t, 'red')]);
    qs.push([`@${t}:{RED}`, has(t, norm('RED'))]);
    qs.push([`@${t}:{blue | green}`, (d) => has(t, 'blue')(d) || has(t, 'green')(d)]);
    qs.push([`@${t}:{yel\\ low}`, has(t, 'yel low')]);
    qs.push([`-@${t}:{red}`, (d) => !has(t, 'red')(d)]);
  }
  if (num) {
    const n = num.f;
    qs.push([`@${n}:[0 10]`, inRange(n, 0, 10)]);
    qs.push([`@${n}:[(1 +inf]`, inRange(n, 1, Infinity, true)]);
    qs.push([`@${n}:[-inf (7]`, inRange(n, -Infinity, 7, false, true)]);
    qs.push([`-@${n}:[0 10]`, (d) => !inRange(n, 0, 10)(d)]);
  }
  if (tag && num) {
    const t = tag.f;
    const n = num.f;
    qs.push([`@${t}:{red} @${n}:[-inf 50]`, (d) => has(t, 'red')(d) && inRange(n, -Infinity, 50)(d)]);
    qs.push([`@${t}:{blue} | @${n}:[1 1]`, (d) => has(t, 'blue')(d) || inRange(n, 1, 1)(d)]);
    qs.push([`(@${t}:{red} | @${t}:{blue}) -@${n}:[7 7]`, (d) => (has(t, 'red')(d) || has(t, 'blue')(d)) && !inRange(n, 7, 7)(d)]);
  }
  return qs;
}

// ---- checking ------------------------------------------------------------------------

async function keysOf(db) {
  return (await db.command('KEYS', '*')).map(String).sort();
}

/**
 * Check the store against the model.  `stats` collects HNSW recall.
 * During an index's backfill its answers need only be subsets.
 */
async function check(db, model, r, stats, where) {
  const msg = (s) => `${where}: ${s}`;
  assert.deepEqual(await keysOf(db), [...model.keys.keys()].sort(), msg('keys'));
  assert.deepEqual((await db.command('FT._LIST')).map(String).sort(), [...model.indexes.keys()].sort(), msg('FT._LIST'));
  for (const def of model.indexes.values()) {
    const info = await db.indexInfo(def.name);
    const exact = info.backfill_in_progress === '0';
    const want = derive(model, def);
    if (exact) {
      assert.equal(info.num_docs, want.indexed.length, msg(`${def.name} num_docs`));
      assert.equal(info.num_records, want.records, msg(`${def.name} num_records`));
      assert.equal(Number(info.hash_indexing_failures), want.failures, msg(`${def.name} hash_indexing_failures`));
    } else {
      assert.ok(info.num_docs <= want.indexed.length, msg(`${def.name} num_docs during backfill`));
    }
    for (const [q, pred] of filterQueries(def)) {
      const res = await db.search(def.name, q, { noContent: true, limit: [0, 1000] });
      stats.queries++;
      const got = res.results.map((x) => x.key).sort();
      const expected = want.indexed.filter(pred).map((d) => d.key).sort();
      if (exact) {
        assert.deepEqual(got, expected, msg(`${def.name} ${q}`));
        assert.equal(res.total, expected.length, msg(`${def.name} ${q} total`));
      } else {
        const allowed = new Set(expected);
        for (const k of got) assert.ok(allowed.has(k), msg(`${def.name} ${q} during backfill returned ${k}`));
      }
    }
    for (const fd of def.fields.filter((f) => f.type === 'VECTOR')) await checkKnn(db, def, fd, want, r, stats, exact, msg);
  }
}

async function checkKnn(db, def, fd, want, r, stats, exact, msg) {
  const filters = filterQueries(def).filter(([q]) => !q.startsWith('-'));
  const [filter, pred] = r() < 0.5 ? filters[0] : filters[Math.floor(r() * filters.length)];
  const k = 1 + Math.floor(r() * 8);
  const q = randomVector(r, fd.dim);
  const text = `${filter === '*' ? '*' : `(${filter})`}=>[KNN ${k} @${fd.f} $q AS d]`;
  const res = await db.search(def.name, text, { params: { q }, return: ['d'], limit: [0, 100] });
  stats.queries++;
  const cand = new Map();
  for (const d of want.indexed) if (d.values[fd.f] && pred(d)) cand.set(d.key, distance(fd.metric, q, d.values[fd.f]));
  const what = `${def.name} ${fd.algo} ${fd.metric} ${text}`;
  const got = res.results;
  const seen = checkResults(got, cand, what, msg);
  for (let i = 1; i < got.length; i++) assert.ok(Number(got[i].score) >= Number(got[i - 1].score) - 1e-4, msg(`${what}: order`));
  if (!exact) return;
  const n = Math.min(k, cand.size);
  assert.equal(got.length, n, msg(`${what}: ${got.length} results, ${cand.size} candidates (${got.map((x) => x.key)})`));
  const truth = [...cand].sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1)).slice(0, n);
  if (fd.algo === 'FLAT') {
    checkExact(got, cand, seen, what, msg);
  } else if (n) {
    const kth = truth.at(-1)[1];
    stats.hits += got.filter((x) => cand.get(x.key) <= kth + 1e-4).length;
    stats.total += n;
  }
}

// ---- operations --------------------------------------------------------------------------

/** Apply one random operation to the store and the model. */
async function step(db, model, r, defs, keyNames) {
  const key = () => keyNames[Math.floor(r() * keyNames.length)];
  const existing = () => {
    const ks = [...model.keys.keys()];
    return ks.length && r() < 0.85 ? ks[Math.floor(r() * ks.length)] : key();
  };
  const x = r();
  if (x < 0.36) {
    const k = r() < 0.5 ? existing() : key();
    const fields = {};
    for (const f of ['t', 'n', 'v', 'u', 'x']) if (r() < 0.45) fields[f] = randomValue(r, f);
    if (!Object.keys(fields).length) fields.v = randomValue(r, 'v');
    const e = model.keys.get(k);
    if (e && e.type !== 'hash') {
      await assert.rejects(db.hset(k, fields), /WRONGTYPE/);
      return `HSET ${k} (string)`;
    }
    await db.hset(k, fields);
    const entry = e ?? { type: 'hash', fields: new Map() };
    for (const [f, v] of Object.entries(fields)) entry.fields.set(f, v);
    model.keys.set(k, entry);
    return `HSET ${k} ${Object.keys(fields).join(',')}`;
  }
  if (x < 0.44) {
    const k = existing();
    const fs = ['t', 'n', 'v', 'u', 'x'].filter(() => r() < 0.4);
    if (!fs.length) fs.push('v');
    const e = model.keys.get(k);
    if (e && e.type !== 'hash') {
      await assert.rejects(db.command('HDEL', k, ...fs), /WRONGTYPE/);
      return `HDEL ${k} (string)`;
    }
    const n = await db.command('HDEL', k, ...fs);
    let removed = 0;
    if (e) for (const f of fs) removed += e.fields.delete(f) ? 1 : 0;
    assert.equal(n, removed, `HDEL ${k} reply`);
    if (e && e.fields.size === 0) model.keys.delete(k);
    return `HDEL ${k} ${fs}`;
  }
  if (x < 0.52) {
    const ks = [existing(), ...(r() < 0.3 ? [key()] : [])];
    const cmd = r() < 0.5 ? 'DEL' : 'UNLINK';
    const n = await db.command(cmd, ...ks);
    let removed = 0;
    for (const k of new Set(ks)) removed += model.keys.delete(k) ? 1 : 0;
    // A repeated key counts once (it is gone the second time).
    assert.equal(n, removed, `${cmd} reply`);
    return `${cmd} ${ks}`;
  }
  if (x < 0.56) {
    const k = existing();
    await db.command('SET', k, 'str');
    model.keys.set(k, { type: 'string', value: 'str' });
    return `SET ${k}`;
  }
  if (x < 0.78) {
    const src = existing();
    const dst = r() < 0.08 ? src : r() < 0.6 ? existing() : key();
    const nx = r() < 0.3;
    const cmd = nx ? 'RENAMENX' : 'RENAME';
    const e = model.keys.get(src);
    if (!e) {
      await assert.rejects(db.command(cmd, src, dst), /no such key/);
      return `${cmd} ${src} ${dst} (missing)`;
    }
    const reply = await db.command(cmd, src, dst);
    if (nx && model.keys.has(dst)) {
      assert.equal(reply, 0, `${cmd} ${src} ${dst}`);
    } else {
      assert.equal(reply, nx ? 1 : 'OK', `${cmd} ${src} ${dst}`);
      model.keys.delete(src);
      model.keys.set(dst, e);
    }
    return `${cmd} ${src} ${dst}`;
  }
  if (x < 0.9) {
    // Backfill: a few keys at a time, between the writes.
    db.engine.step(1 + Math.floor(r() * 4));
    return 'step';
  }
  if (x < 0.93) {
    const def = defs[Math.floor(r() * defs.length)];
    if (model.indexes.has(def.name)) {
      const dd = r() < 0.4;
      if (dd) {
        // DD deletes the index's documents once the walk is over: the
        // matching hashes with at least one attribute indexed (a hash
        // whose every field failed, or that has none, stays).
        while (db.engine.step(1000));
        for (const d of derive(model, def).indexed) model.keys.delete(d.key);
      }
      assert.equal(await db.command('FT.DROPINDEX', def.name, ...(dd ? ['DD'] : [])), 'OK');
      model.indexes.delete(def.name);
      return `FT.DROPINDEX ${def.name}${dd ? ' DD' : ''}`;
    }
    assert.equal(await db.command(...createArgs(def)), 'OK');
    model.indexes.set(def.name, def);
    return `FT.CREATE ${def.name}`;
  }
  if (x < 0.935) {
    await db.flushall();
    model.keys.clear();
    return 'FLUSHALL';
  }
  while (db.engine.step(1000));
  return 'backfill to the end';
}

// ---- a run --------------------------------------------------------------------------------

async function openStore(options) {
  const db = await open({ ...options, ...(WASM ? { wasm: WASM } : {}) });
  db.background.stop(); // the test drives backfill itself
  return db;
}

async function dropAll(db) {
  for (const name of await db.command('FT._LIST')) await db.command('FT.DROPINDEX', String(name));
  await db.flushall();
}

async function runSeed(seed) {
  const r = prng(seed);
  const defs = templates(r);
  const keyNames = [];
  // Mostly a few keys per prefix (every kind of collision is frequent);
  // every fourth seed more (larger graphs, longer posting lists).
  const nk = seed % 4 === 0 ? 20 + Math.floor(r() * 40) : 4 + Math.floor(r() * 6);
  for (const p of ['a:', 'b:', 'c:', 'u:']) for (let i = 0; i < nk; i++) keyNames.push(`${p}${i}`);
  const storage = new MemoryStorage();
  const db = await openStore({ storage, autosave: false, durability: 'always', seed });
  // Baseline memory after one warm-up round (buffers that grow once).
  for (const def of defs) await db.command(...createArgs(def));
  for (const k of keyNames.slice(0, 8)) await db.hset(k, { t: 'red', n: '1', v: randomValue(r, 'v'), u: randomValue(r, 'u') });
  for (const def of defs) await db.indexInfo(def.name); // the reply buffer grows to FT.INFO's size
  await dropAll(db);
  const baseline = db.usedMemory();

  const model = { keys: new Map(), indexes: new Map() };
  for (const def of defs.slice(0, 2 + Math.floor(r() * 3))) {
    assert.equal(await db.command(...createArgs(def)), 'OK');
    model.indexes.set(def.name, def);
  }
  const stats = { hits: 0, total: 0, queries: 0 };
  const log = [];
  for (let i = 0; i < OPS; i++) {
    const what = await step(db, model, r, defs, keyNames);
    log.push(what);
    await check(db, model, r, stats, `op ${i} (${what}); last ops: ${log.slice(-6).join(' / ')}`);
  }
  while (db.engine.step(1000));
  await check(db, model, r, stats, 'end');
  if (stats.total >= 50) assert.ok(stats.hits / stats.total >= 0.95, `HNSW recall ${stats.hits}/${stats.total}`);

  // A store replayed from the journal agrees with the model.
  const copy = new MemoryStorage();
  for (const [name, chunks] of storage.blobs) copy.blobs.set(name, chunks.map((c) => c.slice()));
  const again = await openStore({ storage: copy, autosave: false, seed });
  while (again.engine.step(1000));
  await check(again, model, r, stats, 'replayed store');
  await again.close();

  // Everything deleted, every index dropped: memory back to the baseline.
  await dropAll(db);
  assert.equal(db.usedMemory(), baseline, 'used memory after deleting everything');
  await db.close();
  return stats;
}

for (const seed of SEEDS) {
  test(`index model: random churn, seed=${seed}`, async () => {
    try {
      const stats = await runSeed(seed);
      if (process.env.MODEL_VERBOSE) console.log(`seed=${seed} ops ${OPS} queries checked ${stats.queries} HNSW recall ${stats.hits}/${stats.total}`);
    } catch (e) {
      e.message = `seed=${seed} (reproduce: SEED=${seed}): ${e.message}`;
      throw e;
    }
  });
}
