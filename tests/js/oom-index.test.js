// oom-index.test.js - allocation failure at every allocation of writes on a
// store with search indexes, and of backfill, snapshots and journal replay.
//
// The rule (docs/ARCHITECTURE.md, "Two-phase writes"): a failed allocation
// answers an OOM error and leaves everything exactly as it was - the
// keyspace, every index (FT.INFO counters, backfill state, what TAG,
// NUMERIC and KNN queries answer), the journal records produced - and
// nothing leaks.  For each write, fail the 1st, 2nd, ... allocation inside
// it (once, and from then on) until it runs clean; after a failure the
// observable state must equal the state before, after a clean run it must
// equal a twin store that ran the write without faults.  Then everything
// is deleted and the indexes dropped: memory must come back to the twin's
// level, and closing the store must free every byte.
//
// The engine is driven directly (db.engine), with the background backfill
// stopped, so backfill progress is under the test's control (one index is
// left mid-backfill on purpose).  Random vectors and tags are seeded:
// VESSEL_OOM_SEED=<n> reproduces a run (the seed is printed).
// VESSEL_OOM_FULL=1 also sweeps the persistent mode (every allocation after
// the nth fails too) for the RENAME matrix.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { open, ReplyError } from '../../js/node.js';
import { rng } from './helpers.js';

const SEED = Number(process.env.VESSEL_OOM_SEED ?? 20240601) >>> 0;
const FULL = process.env.VESSEL_OOM_FULL === '1';
console.log(`oom-index: seed ${SEED} (VESSEL_OOM_SEED=${SEED} reproduces)`);

const DIM = 4;
const latin1 = (u8) => Buffer.from(u8).toString('latin1');

// ---- a store driven through the engine -------------------------------------

class Store {
  static async open() {
    const db = await open({ seed: 7 });
    db.background.stop(); // backfill only when the test steps it
    const s = new Store(db);
    s.e.journalEnable(true);
    // The reply buffer grown now to its final size (FT.INFO and the KNN
    // replies fit in 4 KiB): grown later, by whichever command first needs
    // it, its usable size would depend on the heap's layout at that moment
    // and differ by a few bytes between a store and its twin.
    s.ok('ECHO', 'x'.repeat(3000));
    return s;
  }

  constructor(db) {
    this.db = db;
    this.e = db.engine;
  }

  /** Run a command; the decoded reply (binary), or the ReplyError. */
  x(...args) {
    try {
      return this.e.exec(args, true);
    } catch (e) {
      if (e instanceof ReplyError) return e;
      throw e;
    }
  }

  /** Like x, but a failure is a test failure. */
  ok(...args) {
    const r = this.x(...args);
    if (r instanceof ReplyError) throw new Error(`${args.slice(0, 3).join(' ')}: ${r.message}`);
    return r;
  }

  journal() {
    const j = this.e.journalTake();
    return j ? latin1(j) : '';
  }

  lost() {
    return this.e.exports.vs_journal_lost(this.e.db);
  }

  mem() {
    return this.e.usedMemory();
  }

  stepAll() {
    let n = 0;
    while (this.e.step(1000)) if (++n > 10000) throw new Error('backfill does not end');
  }

  async close() {
    await this.db.close();
    return this.e.exports.vs_used_memory() >>> 0;
  }
}

/** A reply as comparable text (bulk strings as latin1, errors marked). */
function fmt(v) {
  if (v instanceof ReplyError) return `(error) ${v.message}`;
  if (v instanceof Uint8Array) return JSON.stringify(latin1(v));
  if (Array.isArray(v)) return `[${v.map(fmt).join(',')}]`;
  if (v === null || v === undefined) return 'nil';
  return String(v);
}

const vec = (...xs) => new Uint8Array(new Float32Array(xs).buffer);

// ---- the store under test -------------------------------------------------

const FLAT = (metric, extra = []) => ['VECTOR', 'FLAT', String(6 + extra.length), 'TYPE', 'FLOAT32', 'DIM', String(DIM),
  'DISTANCE_METRIC', metric, ...extra];
const HNSW = (metric, cap = 4) => ['VECTOR', 'HNSW', '12', 'TYPE', 'FLOAT32', 'DIM', String(DIM), 'DISTANCE_METRIC', metric,
  'M', '4', 'EF_CONSTRUCTION', '32', 'INITIAL_CAP', String(cap)];

/** Index name -> { kind of its vector field, has tag, has num }. */
const INDEXES = {
  iflat: { vec: 'flat', tag: true, num: true },       // doc:  FLAT L2 + TAG + NUMERIC
  icos: { vec: 'hnsw', tag: true, num: false },       // doc: other:  HNSW COSINE + TAG
  il2: { vec: 'hnsw', tag: false, num: true },        // doc:a  HNSW L2 + NUMERIC (overlaps doc:)
  ifc: { vec: 'flat', tag: true, num: false },        // other:  FLAT COSINE + TAG
  ibf: { vec: 'flat', tag: true, num: true },         // doc:  created last, left mid-backfill
  inew: { vec: 'flat', tag: true, num: true },        // made by the FT.CREATE cases
};
const TAGS = ['red', 'green', 'blue', 'new'];

function makeData(seed) {
  const r = rng(seed);
  const v = () => vec(...Array.from({ length: DIM }, () => Math.round((r() * 2 - 1) * 64) / 16));
  const tag = () => TAGS.slice(0, 3).filter(() => r() < 0.5).join(',') || 'red';
  const docs = [];
  for (let i = 0; i < 10; i++) docs.push([`doc:${i}`, { vec: v(), tag: tag(), num: String(Math.floor(r() * 100)), title: `t${i}` }]);
  for (let i = 0; i < 5; i++) docs.push([`doc:a${i}`, { vec: v(), tag: tag(), num: String(Math.floor(r() * 100)) }]);
  for (let i = 0; i < 4; i++) docs.push([`other:${i}`, { vec: v(), tag: tag(), title: `o${i}` }]);
  for (let i = 0; i < 3; i++) docs.push([`plain:${i}`, { vec: v(), tag: 'red', num: '5' }]);
  docs.push(['doc:bad', { vec: new Uint8Array(12), tag: 'red', num: 'NaNx' }]);
  return { docs, v, tag, queries: [v(), v()] };
}

const DATA = makeData(SEED);

/** The main store: five indexes, data, one index mid-backfill. */
async function buildMain() {
  const s = await Store.open();
  s.ok('FT.CREATE', 'iflat', 'PREFIX', '1', 'doc:', 'SCHEMA', 'vec', ...FLAT('L2', ['BLOCK_SIZE', '4']), 'tag', 'TAG', 'num', 'NUMERIC');
  s.ok('FT.CREATE', 'icos', 'PREFIX', '2', 'doc:', 'other:', 'SCHEMA', 'vec', ...HNSW('COSINE'), 'tag', 'TAG');
  s.ok('FT.CREATE', 'il2', 'PREFIX', '1', 'doc:a', 'SCHEMA', 'vec', ...HNSW('L2'), 'num', 'NUMERIC');
  s.ok('FT.CREATE', 'ifc', 'PREFIX', '1', 'other:', 'SCHEMA', 'vec', ...FLAT('COSINE'), 'tag', 'TAG');
  for (const [k, h] of DATA.docs) s.ok('HSET', k, ...Object.entries(h).flat());
  s.ok('SET', 'str', 'a string');
  s.ok('SET', 'doc:s', 'a string under an indexed prefix');
  s.ok('SET', 'str2', 'another string');
  s.stepAll();
  s.ok('FT.CREATE', 'ibf', 'PREFIX', '1', 'doc:', 'SCHEMA', 'tag', 'TAG', 'num', 'NUMERIC', 'vec', ...FLAT('COSINE'));
  s.e.step(9); // ibf has seen about a third of the keys
  s.journal();
  return s;
}

/** HNSW at the edge of its capacity: INITIAL_CAP 4 holding 4 vectors. */
async function buildEdge() {
  const s = await Store.open();
  s.ok('FT.CREATE', 'icos', 'PREFIX', '1', 'doc:', 'SCHEMA', 'vec', ...HNSW('COSINE', 4), 'tag', 'TAG');
  s.ok('FT.CREATE', 'il2', 'PREFIX', '1', 'doc:a', 'SCHEMA', 'vec', ...HNSW('L2', 4), 'num', 'NUMERIC');
  s.ok('FT.CREATE', 'iflat', 'PREFIX', '1', 'doc:', 'SCHEMA', 'vec', ...FLAT('L2', ['BLOCK_SIZE', '4']), 'num', 'NUMERIC');
  for (let i = 0; i < 4; i++) s.ok('HSET', `doc:a${i}`, 'vec', DATA.docs[i][1].vec, 'tag', 'red', 'num', String(i));
  s.journal();
  return s;
}

// ---- observable state -----------------------------------------------------

function dumpKeys(s) {
  const keys = s.ok('KEYS', '*').map(latin1).sort();
  return keys.map((k) => {
    const type = s.ok('TYPE', k);
    if (type === 'hash') {
      const flat = s.ok('HGETALL', k);
      const pairs = [];
      for (let i = 0; i < flat.length; i += 2) pairs.push(`${latin1(flat[i])}=${Buffer.from(flat[i + 1]).toString('hex')}`);
      return `${k}:hash:${pairs.sort().join(',')}`;
    }
    return `${k}:${type}:${latin1(s.ok('GET', k))}`;
  }).join('\n');
}

const INFO_FIELDS = ['num_docs', 'num_records', 'hash_indexing_failures', 'backfill_in_progress',
  'backfill_complete_percent', 'state'];

function info(s, name) {
  const r = s.x('FT.INFO', name);
  if (r instanceof ReplyError) return fmt(r);
  const out = [];
  for (let i = 0; i < r.length; i += 2) {
    const k = latin1(r[i]);
    if (INFO_FIELDS.includes(k)) out.push(`${k}=${fmt(r[i + 1])}`);
  }
  return out.join(' ');
}

/** Keys of an FT.SEARCH reply ([total, key, fields, key, fields...] or NOCONTENT). */
function searchKeys(r, nocontent) {
  if (!Array.isArray(r)) return fmt(r);
  const keys = [];
  for (let i = 1; i < r.length; i += nocontent ? 1 : 2) keys.push(latin1(r[i]));
  return `${r[0]}:${keys.sort().join(',')}`;
}

/**
 * Everything observable: { keys, list, info: {idx: text}, exact: [query
 * replies that must match byte for byte], hnswKeys: [HNSW KNN key sets] }.
 */
function state(s) {
  const out = { keys: dumpKeys(s), list: s.ok('FT._LIST').map(latin1).sort().join(','), info: {}, exact: [], hnswKeys: [] };
  for (const [name, d] of Object.entries(INDEXES)) {
    out.info[name] = info(s, name);
    if (out.info[name].startsWith('(error)')) continue;
    const q = (...a) => s.x('FT.SEARCH', name, ...a);
    if (d.tag) {
      out.exact.push(`${name} tag ${searchKeys(q('@tag:{red|green|blue|new}', 'NOCONTENT', 'LIMIT', '0', '1000'), true)}`);
      out.exact.push(`${name} tag-new ${searchKeys(q('@tag:{new}', 'NOCONTENT', 'LIMIT', '0', '1000'), true)}`);
    }
    if (d.num) {
      out.exact.push(`${name} num ${searchKeys(q('@num:[-inf +inf]', 'NOCONTENT', 'LIMIT', '0', '1000'), true)}`);
      out.exact.push(`${name} num-range ${fmt(q('@num:[20 60]', 'SORTBY', 'num', 'NOCONTENT', 'LIMIT', '0', '1000'))}`);
    }
    for (const [qi, blob] of DATA.queries.entries()) {
      const knn = q('*=>[KNN 6 @vec $q]', 'PARAMS', '2', 'q', blob, 'RETURN', '1', '__vec_score');
      const all = q('*=>[KNN 1000 @vec $q]', 'PARAMS', '2', 'q', blob, 'NOCONTENT', 'LIMIT', '0', '1000');
      if (d.vec === 'flat') {
        out.exact.push(`${name} knn${qi} ${fmt(knn)}`);
        out.exact.push(`${name} knn-all${qi} ${fmt(all)}`);
        if (d.tag) out.exact.push(`${name} knn-tag${qi} ${fmt(q('@tag:{red}=>[KNN 4 @vec $q]', 'PARAMS', '2', 'q', blob, 'RETURN', '1', '__vec_score'))}`);
      } else {
        // HNSW: the set of keys (a graph built in another order may rank
        // near-ties differently); with K past the size, every live vector.
        out.exact.push(`${name} knn${qi} ${fmt(knn)}`);
        out.hnswKeys.push(`${name} knn-all${qi} ${searchKeys(all, true)}`);
      }
    }
  }
  return out;
}

/** Compare two states; `hnswExact` also compares HNSW replies byte for byte. */
function sameState(got, want, msg, { hnswExact = true } = {}) {
  assert.equal(got.keys, want.keys, `${msg}: keyspace`);
  assert.equal(got.list, want.list, `${msg}: FT._LIST`);
  assert.deepEqual(got.info, want.info, `${msg}: FT.INFO`);
  if (hnswExact) {
    assert.deepEqual(got.exact, want.exact, `${msg}: query results`);
  } else {
    const flatOnly = (xs) => xs.filter((l) => !/^(icos|il2) knn\d/.test(l));
    assert.deepEqual(flatOnly(got.exact), flatOnly(want.exact), `${msg}: query results`);
  }
  assert.deepEqual(got.hnswKeys, want.hnswKeys, `${msg}: HNSW key sets`);
}

/** Delete everything, drop every index; the memory left. */
function cleanup(s) {
  s.ok('FLUSHALL');
  for (const name of s.ok('FT._LIST').map(latin1)) s.ok('FT.DROPINDEX', name);
  s.journal();
  return s.mem();
}

// ---- the sweep --------------------------------------------------------------

const stats = { sweeps: 0, points: 0, oom: 0, cases: 0, perCase: {} };

/**
 * Fail the nth allocation of `action(s)` for n = 1, 2, ... until it runs
 * clean.  action returns { failed: boolean, reply: text }; `check(s, ref)`
 * (optional) adds case-specific checks after a failure.
 */
async function sweep(label, build, action, { persistModes = [false, true], afterFail, hnswExact = true } = {}) {
  stats.cases++;
  // The twin: the same store, the action without faults.
  const twin = await build();
  const before = state(twin);
  const snapBefore = saveAll(twin);
  const ref = action(twin);
  assert.ok(!ref.failed, `${label}: fails without faults: ${ref.reply}`);
  const refJournal = twin.journal();
  assert.equal(twin.lost(), 0, `${label}: journal records lost without faults`);
  const after = state(twin);
  const twinClean = cleanup(twin);
  assert.equal(await twin.close(), 0, `${label}: twin leaked`);

  for (const persist of persistModes) {
    stats.sweeps++;
    for (let nth = 1; ; nth++) {
      assert.ok(nth < 5000, `${label}: does not finish`);
      const s = await build();
      s.e.faultInject(nth, persist);
      let r;
      try {
        r = action(s);
      } finally {
        var faults = s.e.faultInject(0);
      }
      const journal = s.journal();
      const at = `${label} (fault at allocation ${nth}${persist ? ', persistent' : ''})`;
      stats.points++;
      if (!persist) stats.perCase[label] = nth;
      const st = state(s);
      assert.equal(s.lost(), 0, `${at}: journal records lost`);
      if (r.failed) {
        stats.oom++;
        assert.match(r.reply, /^\(error\) OOM |^OOM |out of memory/i, `${at}: not an OOM error`);
        sameState(st, before, `${at}: failed but changed`);
        assert.equal(journal, '', `${at}: failed but journaled`);
        // The whole store, byte for byte as a snapshot sees it (HNSW
        // graphs, FLAT blocks, ids, backfill cursor).
        // Capacity a failed write reserved may stay (HNSW capacity, room in
        // bit maps): normalized away; everything else must be identical.
        assert.equal(snapshotText(saveAll(s)), snapshotText(snapBefore), `${at}: failed, and the snapshot of the store differs`);
        if (afterFail) {
          afterFail(s, at, { before, after, ref });
        } else {
          // Retried without faults: exactly what the twin did.
          const again = action(s);
          assert.equal(again.reply, ref.reply, `${at}: retry after the failure: reply`);
          sameState(state(s), after, `${at}: retry after the failure`);
          assert.equal(s.journal(), refJournal, `${at}: retry after the failure: journal records`);
        }
      } else {
        assert.equal(r.reply, ref.reply, `${at}: reply`);
        sameState(st, after, `${at}: succeeded with another state`, { hnswExact });
        assert.equal(journal, refJournal, `${at}: journal records`);
      }
      const left = cleanup(s);
      assert.equal(left, twinClean, `${at}: ${left - twinClean} bytes more than the twin after deleting everything`);
      assert.equal(await s.close(), 0, `${at}: leaked after close`);
      if (faults === 0) break; // ran past every allocation
    }
  }
}

/** A command as an action. */
const cmd = (...args) => (s) => {
  const r = s.x(...args);
  return { failed: r instanceof ReplyError && /^OOM /.test(r.message), reply: fmt(r) };
};

// ---- writes ---------------------------------------------------------------

const NV = () => vec(0.5, -1.25, 2, 0.75);
const WRITES = [
  ['HSET', 'doc:new', 'vec', NV(), 'tag', 'new,red', 'num', '42', 'title', 'x'],
  ['HSET', 'doc:anew', 'vec', NV(), 'tag', 'new', 'num', '7'], // iflat, icos, il2, ibf (above its cursor)
  ['HSET', 'other:new', 'vec', NV(), 'tag', 'new'],
  ['HSET', 'plain:new', 'vec', NV(), 'tag', 'new'],
  ['HSET', 'doc:1', 'vec', NV()],
  ['HSET', 'doc:1', 'tag', 'new,blue'],
  ['HSET', 'doc:1', 'num', '77.5'],
  ['HSET', 'doc:1', 'title', 'not indexed'],
  ['HSET', 'doc:8', 'vec', NV(), 'tag', 'new', 'num', '-3'], // beyond ibf's cursor
  ['HSET', 'doc:a1', 'vec', NV(), 'tag', 'green', 'num', '1e3'],
  ['HSET', 'other:2', 'vec', NV(), 'tag', 'blue,new'],
  ['HSET', 'doc:2', 'vec', new Uint8Array(12)], // wrong size
  ['HSET', 'doc:bad', 'vec', NV(), 'num', '12'], // a failed document becomes valid
  ['HSET', 'doc:a2', 'vec', new Uint8Array(20), 'num', 'abc'],
  ['HDEL', 'doc:3', 'vec', 'tag'],
  ['HDEL', 'doc:a3', 'num'],
  ['HDEL', 'other:1', 'vec', 'tag', 'title'], // the key goes
  ['DEL', 'doc:4'],
  ['DEL', 'doc:5', 'other:0', 'plain:0', 'str', 'nosuch'],
  ['UNLINK', 'doc:a4', 'doc:9'],
  ['SET', 'doc:6', 'a string over an indexed hash'],
  ['HSET', 'doc:s', 'vec', NV()], // WRONGTYPE
  ['FLUSHALL'],
  ['FT.CREATE', 'inew', 'PREFIX', '2', 'doc:', 'other:', 'SCHEMA', 'vec', ...FLAT('L2'), 'tag', 'TAG', 'num', 'NUMERIC'],
  ['FT.CREATE', 'inew', 'SKIPINITIALSCAN', 'PREFIX', '1', 'doc:', 'SCHEMA', 'vec', ...FLAT('L2'), 'tag', 'TAG', 'num', 'NUMERIC'],
  ['FT.DROPINDEX', 'iflat'],
  ['FT.DROPINDEX', 'icos', 'DD'],
  ['FT.DROPINDEX', 'ibf', 'DD'],
];

test('a failed allocation inside a write leaves keyspace, indexes and journal as they were', async () => {
  const t0 = Date.now();
  for (const w of WRITES) {
    await sweep(w.map((a) => (typeof a === 'string' ? a : `<${a.length} bytes>`)).join(' '), buildMain, cmd(...w));
  }
  console.log(`oom-index: writes: ${WRITES.length} writes, ${stats.points} runs, ${stats.oom} OOM, ${Date.now() - t0} ms`);
});

// RENAME / RENAMENX: source indexed or not (or a string), destination new
// (same prefix, another index's prefix, no index), existing indexed,
// existing not indexed, a string.
const RENAME_SRC = ['doc:1', 'doc:a1', 'other:1', 'plain:1', 'str', 'doc:s'];
const RENAME_DST = ['doc:new', 'doc:anew', 'other:new', 'plain:new', 'doc:2', 'doc:a2', 'other:2', 'plain:2', 'str2', 'doc:s', 'doc:1'];

test('a failed allocation inside RENAME / RENAMENX changes nothing, in every combination', async () => {
  const t0 = Date.now();
  const p0 = stats.points;
  for (const src of RENAME_SRC) {
    for (const dst of RENAME_DST) {
      for (const name of ['RENAME', 'RENAMENX']) {
        await sweep(`${name} ${src} ${dst}`, buildMain, cmd(name, src, dst), { persistModes: FULL ? [false, true] : [false] });
      }
    }
  }
  console.log(`oom-index: renames: ${RENAME_SRC.length * RENAME_DST.length * 2} commands, ${stats.points - p0} runs, ${Date.now() - t0} ms`);
});

test('HNSW inserts that grow capacity past INITIAL_CAP, under fault', async () => {
  for (const w of [
    ['HSET', 'doc:a9', 'vec', NV(), 'tag', 'new', 'num', '9'], // both HNSW indexes grow
    ['HSET', 'doc:x', 'vec', NV(), 'tag', 'blue'],             // one grows
    ['RENAME', 'doc:a0', 'doc:x'],                             // leaves il2, stays in icos
    ['HSET', 'doc:a1', 'vec', NV()],                           // update: slot reuse, no growth
  ]) {
    await sweep(`edge ${w[0]} ${w[1]}`, buildEdge, cmd(...w));
  }
  // Growth step after growth step: each insert swept on the store the
  // previous ones made (capacity 4 -> 6 -> 9 -> 13).
  const prior = [];
  for (let i = 10; i < 20; i++) {
    const w = ['HSET', `doc:a${i}`, 'vec', DATA.docs[i % DATA.docs.length][1].vec, 'tag', 'blue', 'num', String(i)];
    const steps = prior.slice();
    await sweep(`edge insert ${i - 5} vectors`, async () => {
      const s = await buildEdge();
      for (const p of steps) s.ok(...p);
      s.journal();
      return s;
    }, cmd(...w));
    prior.push(w);
  }
});

// ---- backfill steps -------------------------------------------------------

/** Every key ibf answers for is whole: in all three fields or in none. */
function checkWhole(s, at) {
  const q = (...a) => s.ok('FT.SEARCH', 'ibf', ...a);
  const keysOf = (r) => new Set(r.slice(1).map(latin1));
  const byVec = keysOf(q('*=>[KNN 1000 @vec $q]', 'PARAMS', '2', 'q', DATA.queries[0], 'NOCONTENT', 'LIMIT', '0', '1000'));
  const byNum = keysOf(q('@num:[-inf +inf]', 'NOCONTENT', 'LIMIT', '0', '1000'));
  const byTag = keysOf(q('@tag:{red|green|blue|new}', 'NOCONTENT', 'LIMIT', '0', '1000'));
  const whole = new Set(DATA.docs.map(([k]) => k).filter((k) => k.startsWith('doc:') && k !== 'doc:bad'));
  const pick = (set) => [...set].filter((k) => whole.has(k)).sort().join(',');
  assert.equal(pick(byNum), pick(byVec), `${at}: ibf: NUMERIC and vector disagree (half-indexed document)`);
  assert.equal(pick(byTag), pick(byVec), `${at}: ibf: TAG and vector disagree (half-indexed document)`);
  const all = new Set([...byVec, ...byNum, ...byTag]);
  const docs = /num_docs=(\d+)/.exec(info(s, 'ibf'))[1];
  assert.equal(String(all.size), docs, `${at}: ibf: num_docs is not the documents it answers for`);
}

test('a backfill step that fails for memory is retried and leaves nothing half-done', async () => {
  for (const budget of [1, 3, 1000]) {
    const twin = await buildMain();
    twin.stepAll();
    const done = state(twin);
    assert.equal(await twin.close(), 0);
    for (const persist of [false, true]) {
      for (let nth = 1; ; nth++) {
        assert.ok(nth < 5000);
        const s = await buildMain();
        const before = state(s);
        s.e.faultInject(nth, persist);
        s.e.step(budget);
        const faults = s.e.faultInject(0);
        const at = `step(${budget}) (fault at allocation ${nth}${persist ? ', persistent' : ''})`;
        stats.points++;
        const st = state(s);
        assert.equal(s.journal(), '', `${at}: a step journaled`);
        if (faults) {
          stats.oom++;
          // Other indexes untouched; ibf paused, whole documents only.
          for (const name of ['iflat', 'icos', 'il2', 'ifc']) assert.equal(st.info[name], before.info[name], `${at}: ${name} changed`);
          assert.equal(st.keys, before.keys, `${at}: keyspace changed`);
          checkWhole(s, at);
        }
        // Retried later, without faults: the same index as the twin's.
        s.stepAll();
        sameState(state(s), done, `${at}: after the retried backfill`, { hnswExact: true });
        cleanup(s);
        assert.equal(await s.close(), 0, `${at}: leaked`);
        if (faults === 0) break;
      }
    }
  }
});

// ---- snapshots -----------------------------------------------------------

/**
 * A snapshot as comparable text, without what may legitimately differ
 * after a failed write: checksums, HNSW `capacity`, trailing zero words of
 * an index's tracked-key bitmap (docs/snapshot-format.md).
 */
function snapshotText(buf) {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const out = [latin1(buf.subarray(0, 16)).replace(/[^\x20-\x7e]/g, '.')];
  let o = 16;
  while (o + 12 <= buf.length) {
    const type = dv.getUint32(o, true);
    const len = Number(dv.getBigUint64(o + 4, true));
    if (type === 0xffffffff) break;
    let payload = Buffer.from(buf.subarray(o + 12, o + 12 + len));
    if (type === 5 || type === 11) payload.writeUInt32LE(0, 20); // hnsw capacity
    if (type === 3) {
      // index: argc, args, backfilling u8, cursor u32, end u32, nwords u32, words
      let p = 0;
      const argc = payload.readUInt32LE(p);
      p += 4;
      for (let i = 0; i < argc; i++) p += 4 + payload.readUInt32LE(p);
      p += 9;
      let nwords = payload.readUInt32LE(p);
      const words = payload.subarray(p + 4);
      while (nwords > 0 && words.readBigUInt64LE((nwords - 1) * 8) === 0n) nwords--;
      payload = Buffer.concat([payload.subarray(0, p), words.subarray(0, nwords * 8)]);
    }
    out.push(`section ${type} ${payload.toString('hex')}`);
    o += 12 + len + 8;
  }
  return out.join('\n');
}

function saveAll(s, cap = 1024) {
  s.e.saveBegin();
  const parts = [];
  try {
    for (;;) {
      const c = s.e.saveNext(cap);
      if (!c.length) break;
      parts.push(c);
    }
  } finally {
    s.e.saveEnd();
  }
  return Buffer.concat(parts);
}

test('a snapshot save that fails for memory changes nothing and can be retried', async () => {
  const twin = await buildMain();
  const ref = saveAll(twin);
  assert.equal(await twin.close(), 0);
  await sweep('save', buildMain, (s) => {
    try {
      const bytes = saveAll(s);
      return { failed: false, reply: `${bytes.length} bytes ${bytes.equals(ref) ? 'same' : 'DIFFERENT'}` };
    } catch (e) {
      return { failed: true, reply: e.message, retry: () => saveAll(s) };
    }
  }, {
    afterFail: (s, at) => {
      assert.ok(saveAll(s).equals(ref), `${at}: the retried save differs`);
    },
  });
});

test('a snapshot load that fails for memory leaves the open store as it was, then loads', async () => {
  const src = await buildMain();
  const bytes = saveAll(src);
  const want = state(src);
  assert.equal(await src.close(), 0);
  const fresh = async () => {
    const s = await Store.open();
    s.ok('HSET', 'mine', 'f', 'v');
    s.ok('FT.CREATE', 'iflat', 'PREFIX', '1', 'mine', 'SCHEMA', 'f', 'TAG');
    s.journal();
    return s;
  };
  for (const persist of [false, true]) {
    for (let nth = 1; ; nth++) {
      assert.ok(nth < 20000);
      const s = await fresh();
      const before = state(s);
      const mem0 = s.mem();
      const at = `load (fault at allocation ${nth}${persist ? ', persistent' : ''})`;
      s.e.faultInject(nth, persist);
      let error = null;
      try {
        s.e.loadBegin(bytes.length);
        for (let o = 0; o < bytes.length; o += 700) s.e.loadFeed(bytes.subarray(o, o + 700));
        s.e.loadEnd();
      } catch (e) {
        error = e;
        s.e.loadAbort();
      }
      const faults = s.e.faultInject(0);
      stats.points++;
      if (error) {
        stats.oom++;
        assert.match(error.message, /OOM|out of memory/i, `${at}: not an OOM error`);
        sameState(state(s), before, `${at}: the open store changed`);
        assert.equal(s.mem(), mem0, `${at}: memory of the failed load not freed`);
        // Then it loads.
        s.e.loadBegin(bytes.length);
        s.e.loadFeed(bytes);
        s.e.loadEnd();
      }
      sameState(state(s), want, `${at}: loaded store`);
      cleanup(s);
      assert.equal(await s.close(), 0, `${at}: leaked`);
      if (faults === 0) break;
    }
  }
});

// ---- journal replay --------------------------------------------------------

test('journal replay under fault fails cleanly or replays everything', async () => {
  // A snapshot, then writes whose journal is replayed on top of it.
  const src = await buildMain();
  src.stepAll();
  const snap = saveAll(src);
  src.e.journalRestart();
  for (const w of [
    ['HSET', 'doc:new', 'vec', NV(), 'tag', 'new', 'num', '1'],
    ['HSET', 'doc:1', 'num', '55'],
    ['HDEL', 'doc:2', 'vec'],
    ['DEL', 'doc:3'],
    ['RENAME', 'doc:4', 'doc:5'],
    ['RENAME', 'other:1', 'doc:a7'],
    ['HSET', 'doc:a8', 'vec', NV(), 'num', '3'],
    ['FT.CREATE', 'inew', 'PREFIX', '1', 'doc:', 'SCHEMA', 'vec', ...FLAT('L2'), 'tag', 'TAG', 'num', 'NUMERIC'],
    ['FT.DROPINDEX', 'ifc'],
  ]) src.ok(...w);
  const journal = src.e.journalTake();
  src.stepAll();
  const want = state(src);
  assert.equal(await src.close(), 0);

  const base = async () => {
    const s = await Store.open();
    s.e.loadBegin(snap.length);
    s.e.loadFeed(snap);
    s.e.loadEnd();
    return s;
  };
  let silentLoss = null;
  for (const persist of [false, true]) {
    for (let nth = 1; ; nth++) {
      assert.ok(nth < 20000);
      const s = await base();
      const at = `replay (fault at allocation ${nth}${persist ? ', persistent' : ''})`;
      s.e.faultInject(nth, persist);
      let error = null;
      let end = null;
      try {
        s.e.replayBegin(2);
        for (let o = 0; o < journal.length; o += 300) s.e.replayFeed(journal.subarray(o, o + 300));
      } catch (e) {
        error = e;
      }
      try {
        end = s.e.replayEnd(false);
      } catch (e) {
        error ??= e;
      }
      const faults = s.e.faultInject(0);
      stats.points++;
      if (end?.error) error ??= new Error(end.error);
      if (error) {
        stats.oom++;
        assert.match(error.message, /OOM|out of memory/i, `${at}: not an OOM error: ${error.message}`);
      } else {
        // Replay said it succeeded: every record must be in.
        s.stepAll();
        const got = state(s);
        if (end.failed !== 0 || got.keys !== want.keys) {
          silentLoss ??= `${at}: replay reported success with ${end.failed} failed command(s) ` +
            `(applied ${end.applied}); keyspace ${got.keys === want.keys ? 'equal' : 'DIFFERENT'}`;
        } else {
          sameState(got, want, `${at}: replayed store`, { hnswExact: false });
        }
      }
      await s.close();
      assert.equal(s.e.exports.vs_used_memory() >>> 0, 0, `${at}: leaked`);
      if (faults === 0) break;
    }
  }
  assert.equal(silentLoss, null, 'journal replay dropped records silently under OOM');
});

test('summary', () => {
  console.log(`oom-index: ${stats.cases} cases, ${stats.points} fault points, ${stats.oom} answered OOM`);
  assert.ok(stats.oom > 200, `only ${stats.oom} injected failures`);
});
