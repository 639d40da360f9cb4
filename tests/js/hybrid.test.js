// hybrid.test.js - FT.HYBRID end to end through db.command: seeded random
// documents and commands against a brute-force model (the SEARCH part's
// TAG/NUMERIC matches in key order, exact KNN or RANGE by brute force on
// FLAT with the FILTER applied first, fused by Redis 8.4's formulas:
// RRF 1/(CONSTANT + rank) summed, LINEAR ALPHA*text + BETA*vector with the
// vector score 1/(1 + squared L2)); the RESP2 and RESP3 shapes; bad input
// answered with an error and the store unchanged.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { open, ReplyError } from '../../js/index.js';
import { dump, rng, seedList } from './helpers.js';

const DIM = 4;
const TAGS = ['a', 'b', 'c'];
const WORDS = ['red', 'green', 'shoes', 'running', 'gear', 'blue', 'kitten', 'garden'];

/** Integer coordinates: squared L2 distances are exact in float32. */
async function setup(r, n) {
  const db = await open();
  await db.command('FT.CREATE', 'idx', 'PREFIX', '1', 'doc:', 'SCHEMA', 'vec', 'VECTOR', 'FLAT', '6', 'TYPE', 'FLOAT32',
    'DIM', String(DIM), 'DISTANCE_METRIC', 'L2', 'tag', 'TAG', 'n', 'NUMERIC', 'body', 'TEXT');
  const docs = new Map();
  for (let i = 0; i < n; i++) {
    const key = `doc:${i}`;
    const d = { tag: TAGS[Math.floor(r() * 3)], n: Math.floor(r() * 100) };
    const fields = { tag: d.tag, n: String(d.n) };
    if (r() < 0.8) fields.body = Array.from({ length: 1 + Math.floor(r() * 6) }, () => WORDS[Math.floor(r() * WORDS.length)]).join(' ');
    if (r() < 0.9) { // some documents have no vector
      d.vec = Array.from({ length: DIM }, () => Math.floor(r() * 8));
      fields.vec = new Float32Array(d.vec);
    }
    await db.hset(key, fields);
    docs.set(key, d);
  }
  return { db, docs };
}

const byKey = (a, b) => (a < b ? -1 : a > b ? 1 : 0);
const l2 = (a, b) => a.reduce((s, x, i) => s + (x - b[i]) ** 2, 0);

/** A random SEARCH or FILTER query and its predicate. */
function randomQuery(r) {
  const k = Math.floor(r() * 4);
  if (k === 0) return ['*', () => true];
  if (k === 1) {
    const t = TAGS[Math.floor(r() * 3)];
    return [`@tag:{${t}}`, (d) => d.tag === t];
  }
  const lo = Math.floor(r() * 80);
  const hi = lo + Math.floor(r() * 40);
  if (k === 2) return [`@n:[${lo} ${hi}]`, (d) => d.n >= lo && d.n <= hi];
  const t = TAGS[Math.floor(r() * 3)];
  return [`@tag:{${t}} -@n:[${lo} ${hi}]`, (d) => d.tag === t && !(d.n >= lo && d.n <= hi)];
}

/** The model's answer: [total, [[key, fused, textScore|undefined, vectorScore|undefined]...]] after LIMIT. */
function model(docs, c) {
  const keys = [...docs.keys()].sort(byKey);
  const text = c.textList ?? keys.filter((k) => c.search(docs.get(k))).slice(0, c.window);
  let vec = keys.filter((k) => docs.get(k).vec && c.filter(docs.get(k)))
    .map((k) => [k, l2(docs.get(k).vec, c.q)])
    .sort((a, b) => a[1] - b[1] || byKey(a[0], b[0]));
  if (c.range !== undefined) vec = vec.filter(([, d]) => d <= c.range).slice(0, c.window);
  else vec = vec.slice(0, Math.min(c.k, c.window));
  const hits = new Map();
  const hit = (k) => hits.get(k) ?? hits.set(k, { key: k, s: [undefined, undefined], rank: [0, 0] }).get(k);
  text.forEach((k, i) => { const h = hit(k); h.s[0] = c.textScores?.[i] ?? 0; h.rank[0] = i + 1; });
  vec.forEach(([k, d], i) => { const h = hit(k); h.s[1] = 1 / (1 + d); h.rank[1] = i + 1; });
  for (const h of hits.values()) {
    let f = 0;
    for (const l of [0, 1]) {
      if (h.s[l] === undefined) continue;
      f += c.linear ? (l === 0 ? c.alpha : c.beta) * h.s[l] : 1 / (c.constant + h.rank[l]);
    }
    h.fused = f;
  }
  const all = [...hits.values()].sort((a, b) => b.fused - a.fused || byKey(a.key, b.key));
  return [all.length, all.slice(c.offset, c.offset + c.num)];
}

/** Pairs [k, v, k, v] as an object. */
const obj = (flat) => Object.fromEntries(Array.from({ length: flat.length / 2 }, (_, i) => [flat[2 * i], flat[2 * i + 1]]));

for (const seed of seedList('HYBRID_SEEDS', 3)) {
  test(`FT.HYBRID against a brute-force model (seed ${seed})`, async () => {
    const r = rng(seed);
    const { db, docs } = await setup(r, 120);
    for (let it = 0; it < 60; it++) {
      const [sq, search] = randomQuery(r);
      const [fq, filter] = r() < 0.5 ? ['*', () => true] : randomQuery(r);
      const q = Array.from({ length: DIM }, () => Math.floor(r() * 8));
      const c = {
        search, filter, q,
        linear: r() < 0.5,
        window: 1 + Math.floor(r() * 30),
        k: 1 + Math.floor(r() * 30),
        constant: [60, 1, 0.5, 100][Math.floor(r() * 4)],
        alpha: Math.round(r() * 100) / 100,
        beta: Math.round(r() * 100) / 100,
        offset: Math.floor(r() * 5),
        num: 1 + Math.floor(r() * 15),
        range: r() < 0.3 ? Math.floor(r() * 40) : undefined,
      };
      const args = ['FT.HYBRID', 'idx', 'SEARCH', sq, 'YIELD_SCORE_AS', 'ts', 'VSIM', '@vec', '$q'];
      if (c.range !== undefined) args.push('RANGE', '2', 'RADIUS', String(c.range));
      else args.push('KNN', '2', 'K', String(c.k));
      if (fq !== '*' || r() < 0.5) args.push('FILTER', fq);
      args.push('YIELD_SCORE_AS', 'vs');
      if (c.linear) args.push('COMBINE', 'LINEAR', '6', 'ALPHA', String(c.alpha), 'BETA', String(c.beta), 'WINDOW', String(c.window));
      else args.push('COMBINE', 'RRF', '4', 'CONSTANT', String(c.constant), 'WINDOW', String(c.window));
      args.push('LIMIT', String(c.offset), String(c.num), 'PARAMS', '2', 'q', new Float32Array(q));
      const what = `seed ${seed} iteration ${it}: ${args.slice(0, -1).join(' ')}`;
      const got = obj(await db.command(...args));
      const [total, rows] = model(docs, c);
      assert.equal(got.total_results, total, what);
      assert.deepEqual(got.warnings, [], what);
      assert.deepEqual(got.results.map((x) => obj(x).__key), rows.map((x) => x.key), what);
      got.results.forEach((x, i) => {
        const row = obj(x);
        const m = rows[i];
        assert.ok(Math.abs(Number(row.__score) - m.fused) <= 1e-11 * (1 + m.fused), `${what}: ${m.key} fused`);
        assert.equal(row.ts === undefined, m.s[0] === undefined, `${what}: ${m.key} text alias`);
        assert.equal(row.vs === undefined, m.s[1] === undefined, `${what}: ${m.key} vector alias`);
        if (m.s[1] !== undefined) assert.ok(Math.abs(Number(row.vs) - m.s[1]) <= 1e-11, `${what}: ${m.key} vector score`);
      });
    }
    await db.close();
  });
}

test('FT.HYBRID reply shapes: RESP2 flat array, RESP3 map', async () => {
  const r = rng(7);
  const { db } = await setup(r, 10);
  const q = new Float32Array([0, 0, 0, 0]);
  const args = ['FT.HYBRID', 'idx', 'SEARCH', '@tag:{a}', 'VSIM', '@vec', '$q', 'KNN', '2', 'K', '1', 'LIMIT', '0', '1',
    'PARAMS', '2', 'q', q];
  const text = (u8) => Buffer.from(u8).toString('latin1');
  const r2 = text(await db.commandRaw(args, { proto: 2 }));
  const r3 = text(await db.commandRaw(args, { proto: 3 }));
  assert.match(r2, /^\*8\r\n\+total_results\r\n:\d+\r\n\+results\r\n\*1\r\n\*4\r\n\$5\r\n__key\r\n\$5\r\ndoc:\d\r\n\$7\r\n__score\r\n\$\d+\r\n[0-9.e-]+\r\n\+warnings\r\n\*0\r\n\+execution_time\r\n\$1\r\n0\r\n$/);
  assert.match(r3, /^%4\r\n\+total_results\r\n:\d+\r\n\+results\r\n\*1\r\n%2\r\n\$5\r\n__key\r\n\$5\r\ndoc:\d\r\n\$7\r\n__score\r\n\$\d+\r\n[0-9.e-]+\r\n\+warnings\r\n\*0\r\n\+execution_time\r\n,0\r\n$/);
  // FORMAT EXPAND: scores as numbers (RESP3 doubles).
  const r3e = text(await db.commandRaw([...args.slice(0, -4), 'FORMAT', 'EXPAND', ...args.slice(-4)], { proto: 3 }));
  assert.match(r3e, /\$7\r\n__score\r\n,[0-9.e-]+\r\n/);
  // LOAD * with the score aliases: hash fields, then ts / vs when the document is in that list.
  const got = obj(await db.command('FT.HYBRID', 'idx', 'SEARCH', '@tag:{a}', 'YIELD_SCORE_AS', 'ts', 'VSIM', '@vec', '$q',
    'YIELD_SCORE_AS', 'vs', 'COMBINE', 'LINEAR', '2', 'YIELD_SCORE_AS', 'f', 'LOAD', '*', 'PARAMS', '2', 'q', q));
  for (const row of got.results.map(obj)) {
    assert.ok('tag' in row && 'n' in row && 'f' in row && !('__key' in row));
    assert.ok('ts' in row || 'vs' in row);
    if ('ts' in row) assert.equal(row.tag, 'a');
  }
  await db.close();
});

test('FT.HYBRID bad input: clear errors, the store unchanged', async () => {
  const r = rng(11);
  const { db } = await setup(r, 20);
  const before = await dump(db);
  const q = new Float32Array([1, 2, 3, 4]);
  const bad = [
    [['FT.HYBRID', 'nope', 'SEARCH', '*', 'VSIM', '@vec', '$q', 'PARAMS', '2', 'q', q], /^No such index nope$/],
    [['FT.HYBRID', 'idx', 'SEARCH', '*', 'VSIM', '@vec', '$q'], /^No such parameter `q`$/],
    [['FT.HYBRID', 'idx', 'SEARCH', '*', 'VSIM', '@vec', '$q', 'PARAMS', '2', 'q', 'short'], /blob size \(5\)/],
    [['FT.HYBRID', 'idx', 'SEARCH', '@nosuch:{x}', 'VSIM', '@vec', '$q', 'PARAMS', '2', 'q', q], /./],
    [['FT.HYBRID', 'idx', 'SEARCH', '*', 'VSIM', '@vec', '$q', 'FILTER', '@n:[x', 'PARAMS', '2', 'q', q], /./],
    [['FT.HYBRID', 'idx', 'SEARCH', '*', 'VSIM', '@vec', '$q', 'COMBINE', 'RRF', '2', 'WINDOW', '-1', 'PARAMS', '2', 'q', q], /^WINDOW: Value below minimum$/],
    [['FT.HYBRID', 'idx', 'SEARCH', '*', 'VSIM', '@vec', '$q', 'KNN', '2', 'K', '99999999999999999999', 'PARAMS', '2', 'q', q], /^Invalid K value$/],
    [['FT.HYBRID', 'idx', 'SEARCH', 'x'.repeat(20000), 'VSIM', '@vec', '$q', 'PARAMS', '2', 'q', q], /./],
    [['FT.HYBRID', 'idx', 'SEARCH', '*', 'VSIM', '@vec', '$q', 'GROUPBY', '1', '@tag', 'PARAMS', '2', 'q', q], /GROUPBY is not supported/],
  ];
  for (const [args, re] of bad) {
    await assert.rejects(db.command(...args), (e) => e instanceof ReplyError && re.test(e.message), args.slice(0, 8).join(' '));
  }
  // Huge K and WINDOW are fine: the lists are as long as the data.
  const ok = obj(await db.command('FT.HYBRID', 'idx', 'SEARCH', '*', 'VSIM', '@vec', '$q', 'KNN', '2', 'K', '1000000000000',
    'COMBINE', 'RRF', '2', 'WINDOW', '2147483647', 'LIMIT', '0', '1000', 'PARAMS', '2', 'q', q));
  assert.equal(ok.total_results, 20);
  assert.equal(await dump(db), before);
  await db.close();
});

/** A random text query (bare words, AND, OR, prefix, a field clause). */
function randomText(r) {
  const w = () => WORDS[Math.floor(r() * WORDS.length)];
  switch (Math.floor(r() * 5)) {
    case 0: return w();
    case 1: return `${w()} ${w()}`;
    case 2: return `${w()}|${w()}`;
    case 3: return `${w().slice(0, 3)}*`;
    default: return `@body:${w()} @tag:{${TAGS[Math.floor(r() * 3)]}}`;
  }
}

for (const seed of seedList('HYBRID_SEEDS', 3)) {
  test(`FT.HYBRID with text queries: the SEARCH list is FT.SEARCH's WITHSCORES ranking, fused (seed ${seed})`, async () => {
    const r = rng(1000 + seed);
    const { db, docs } = await setup(r, 150);
    for (let it = 0; it < 50; it++) {
      const sq = randomText(r);
      const scorer = ['BM25STD', 'TFIDF', 'BM25', 'DOCSCORE'][Math.floor(r() * 4)];
      const q = Array.from({ length: DIM }, () => Math.floor(r() * 8));
      const c = {
        filter: () => true, q,
        linear: r() < 0.5,
        window: 1 + Math.floor(r() * 30),
        k: 1 + Math.floor(r() * 30),
        constant: 60,
        alpha: Math.round(r() * 100) / 100,
        beta: Math.round(r() * 100) / 100,
        offset: 0,
        num: 1 + Math.floor(r() * 20),
      };
      const fs = await db.command('FT.SEARCH', 'idx', sq, 'WITHSCORES', 'NOCONTENT', 'SCORER', scorer, 'LIMIT', '0', String(c.window));
      c.textList = [];
      c.textScores = [];
      for (let i = 1; i < fs.length; i += 2) { c.textList.push(fs[i]); c.textScores.push(Number(fs[i + 1])); }
      const args = ['FT.HYBRID', 'idx', 'SEARCH', sq, 'SCORER', scorer, 'YIELD_SCORE_AS', 'ts', 'VSIM', '@vec', '$q', 'KNN', '2', 'K', String(c.k)];
      if (c.linear) args.push('COMBINE', 'LINEAR', '6', 'ALPHA', String(c.alpha), 'BETA', String(c.beta), 'WINDOW', String(c.window));
      else args.push('COMBINE', 'RRF', '2', 'WINDOW', String(c.window));
      args.push('LIMIT', '0', String(c.num), 'PARAMS', '2', 'q', new Float32Array(q));
      const what = `seed ${seed} iteration ${it}: ${args.slice(0, -1).join(' ')}`;
      const got = obj(await db.command(...args));
      const [total, rows] = model(docs, c);
      assert.equal(got.total_results, total, what);
      assert.deepEqual(got.results.map((x) => obj(x).__key), rows.map((x) => x.key), what);
      got.results.forEach((x, i) => {
        const row = obj(x);
        assert.ok(Math.abs(Number(row.__score) - rows[i].fused) <= 1e-11 * (1 + rows[i].fused), `${what}: fused`);
        if (rows[i].s[0] !== undefined) assert.ok(Math.abs(Number(row.ts) - rows[i].s[0]) <= 1e-11 * (1 + rows[i].s[0]), `${what}: text score`);
      });
    }
    await assert.rejects(db.command('FT.HYBRID', 'idx', 'SEARCH', 'red', 'SCORER', 'NOPE', 'VSIM', '@vec', '$q', 'PARAMS', '2', 'q', new Float32Array(DIM)),
      (e) => e instanceof ReplyError && e.message === 'No such scorer NOPE');
    await db.close();
  });
}
