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
