// text-index.test.js - TEXT fields in the wasm build: FT.CREATE backfills
// the existing hashes, writes (HSET, HDEL, DEL, RENAME, FLUSHALL) keep the
// text counters of FT.INFO right, and a snapshot holding a text index
// reloads with the same counters and keeps indexing.  The counters are
// checked against a small model (words per document after the default
// stop words); queries other than '*' belong to the query layer's tests.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemoryStorage, open } from '../../js/node.js';

const STOP = new Set(['a', 'is', 'the', 'an', 'and', 'are', 'as', 'at', 'be', 'but', 'by', 'for', 'if', 'in', 'into', 'it',
  'no', 'not', 'of', 'on', 'or', 'such', 'that', 'their', 'then', 'there', 'these', 'they', 'this', 'to', 'was', 'will', 'with']);
const tokens = (s) => s.toLowerCase().split(/[\s,.]+/).filter((w) => w && !STOP.has(w));

function field(info, name) {
  const i = info.indexOf(name);
  assert.ok(i >= 0, `FT.INFO has ${name}`);
  return info[i + 1];
}

// num_terms, total_term_occurrences, num_docs from the model.
function expected(docs) {
  const terms = new Set();
  let occ = 0;
  let n = 0;
  for (const body of docs.values()) {
    const t = tokens(body);
    if (!t.length) continue;
    n++;
    occ += t.length;
    for (const w of t) terms.add(w);
  }
  return { terms: terms.size, occ, n };
}

async function checkCounters(db, docs) {
  const info = await db.command('FT.INFO', 'ti');
  const e = expected(docs);
  assert.equal(field(info, 'num_terms'), e.terms);
  assert.equal(field(info, 'total_term_occurrences'), e.occ);
  assert.equal(field(info, 'num_docs'), e.n);
  const all = await db.command('FT.SEARCH', 'ti', '*', 'LIMIT', '0', '0');
  assert.equal(all[0], e.n);
}

const WORDS = ['running', 'runs', 'Hello', 'world', 'vessel', 'the', 'of', 'snapshot', 'text', 'index', 'alpha', 'beta'];

test('FT.CREATE with TEXT fields backfills, writes follow, a snapshot reloads without loss', async () => {
  const storage = new MemoryStorage();
  const opts = { storage, durability: 'no', autosave: false };
  const db = await open(opts);
  const docs = new Map();
  let seed = 7;
  const rnd = (n) => ((seed = (seed * 1103515245 + 12345) % 2147483648) % n);
  const body = () => Array.from({ length: 1 + rnd(9) }, () => WORDS[rnd(WORDS.length)]).join(rnd(2) ? ' ' : ', ');
  for (let i = 0; i < 400; i++) {
    const b = body();
    docs.set(`doc:${i}`, b);
    await db.hset(`doc:${i}`, { body: b, n: i });
  }
  await db.command('FT.CREATE', 'ti', 'PREFIX', '1', 'doc:', 'SCHEMA', 'body', 'TEXT', 'WITHSUFFIXTRIE');
  await db.indexReady('ti');
  await checkCounters(db, docs);
  const info = await db.command('FT.INFO', 'ti');
  const attrs = field(info, 'attributes');
  const text = attrs.find((a) => a.includes('TEXT'));
  assert.deepEqual(text.slice(text.indexOf('type')), ['type', 'TEXT', 'WITH_SUFFIX_TRIE', '1', 'NO_STEM', '0', 'WEIGHT', '1']);
  assert.equal(field(info, 'min_stem_size'), 4);
  assert.equal(field(info, 'with_offsets'), '1');

  // Writes: replace, delete field, delete key, rename, stop words only, not UTF-8.
  for (let i = 0; i < 300; i++) {
    const k = `doc:${rnd(450)}`;
    const op = rnd(10);
    if (op < 5) {
      const b = body();
      await db.hset(k, { body: b });
      docs.set(k, b);
    } else if (op < 7) {
      await db.command('HDEL', k, 'body');
      docs.delete(k);
    } else if (op < 8) {
      await db.command('DEL', k);
      docs.delete(k);
    } else if (op < 9) {
      const to = `doc:${rnd(450)}`;
      if ((await db.command('RENAME', k, to).catch(() => null)) === 'OK') {
        if (docs.has(k)) docs.set(to, docs.get(k));
        else docs.delete(to);
        docs.delete(k);
      }
    } else {
      await db.hset(k, { body: 'the of and' });
      docs.set(k, 'the of and');
    }
  }
  await db.command('HSET', 'doc:bad', 'body', Buffer.from([0x61, 0xff]));
  await checkCounters(db, docs);
  const failures = field(await db.command('FT.INFO', 'ti'), 'hash_indexing_failures');
  assert.equal(failures, '1');

  await db.save();
  await db.close();
  const db2 = await open(opts);
  await checkCounters(db2, docs);
  assert.equal(field(await db2.command('FT.INFO', 'ti'), 'hash_indexing_failures'), '1');
  // The reloaded index keeps indexing.
  await db2.hset('doc:new', { body: 'fresh words here' });
  docs.set('doc:new', 'fresh words here');
  await checkCounters(db2, docs);
  await db2.command('FLUSHALL');
  docs.clear();
  await checkCounters(db2, docs);
  await db2.close();
});

// An expired key leaves text results at its time, before the active cycle
// reclaims it: FT.SEARCH (one-pass and general text paths), WITHSCORES,
// FT.HYBRID, and the scores of the others do not count it.
test('expired documents leave text results, scores and FT.HYBRID at their time', async () => {
  let now = 1_000_000;
  const db = await open({ clock: () => now, activeExpiry: false });
  try {
    await db.command('FT.CREATE', 'i', 'ON', 'HASH', 'PREFIX', '1', 'd:', 'SCHEMA', 't', 'TEXT', 'g', 'TAG',
      'v', 'VECTOR', 'FLAT', '6', 'TYPE', 'FLOAT32', 'DIM', '2', 'DISTANCE_METRIC', 'L2');
    await db.hset('d:1', { t: 'hello world', g: 'a', v: new Float32Array([0, 0]) });
    await db.hset('d:2', { t: 'hello there friend', g: 'a', v: new Float32Array([1, 0]) });
    await db.hset('d:3', { t: 'goodbye world', g: 'b', v: new Float32Array([0, 1]) });
    await db.command('PEXPIRE', 'd:1', '100');
    const queries = [['hello'], ['hello world'], ['hello | goodbye'], ['hello @g:{a}'], ['"hello world"'], ['hel*']];
    const run = async () => {
      const out = [];
      for (const [q] of queries) out.push(await db.command('FT.SEARCH', 'i', q, 'WITHSCORES', 'NOCONTENT'));
      const h = await db.command('FT.HYBRID', 'i', 'SEARCH', 'hello', 'VSIM', '@v', '$q', 'PARAMS', '2', 'q', new Float32Array([0, 0]));
      out.push(h[3].map((row) => row[row.indexOf('__key') + 1]).sort());
      return out;
    };
    const before = await run();
    assert.ok(before[0].includes('d:1'));
    now += 100; // the key's exact time: expired
    const after = await run();
    for (const r of after.slice(0, -1)) assert.ok(!r.includes('d:1'), JSON.stringify(r));
    assert.deepEqual(after.at(-1), ['d:2', 'd:3']);
    // Once reclaimed, the scores are exactly those of the store without it.
    await db.expireNow();
    const reclaimed = await run();
    // The same documents as a store where d:1 was never written.  (Their
    // scores may differ until the key is reclaimed: document counts and
    // lengths still include it then, as num_docs does.)
    const ref = await open();
    try {
      await ref.command('FT.CREATE', 'i', 'ON', 'HASH', 'PREFIX', '1', 'd:', 'SCHEMA', 't', 'TEXT', 'g', 'TAG',
        'v', 'VECTOR', 'FLAT', '6', 'TYPE', 'FLOAT32', 'DIM', '2', 'DISTANCE_METRIC', 'L2');
      await ref.hset('d:2', { t: 'hello there friend', g: 'a', v: new Float32Array([1, 0]) });
      await ref.hset('d:3', { t: 'goodbye world', g: 'b', v: new Float32Array([0, 1]) });
      for (let i = 0; i < queries.length; i++) {
        const got = after[i];
        const want = await ref.command('FT.SEARCH', 'i', queries[i][0], 'WITHSCORES', 'NOCONTENT');
        const keys = (r) => [r[0], ...r.filter((x, j) => j % 2 === 1).sort()];
        assert.deepEqual(keys(got), keys(want), queries[i][0]);
        assert.deepEqual(reclaimed[i], want, queries[i][0]);
      }
    } finally {
      await ref.close();
    }
  } finally {
    await db.close();
  }
});
