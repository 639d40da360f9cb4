// databases.test.js - numbered databases through the in-process API:
// indexes per database (the same name in two, searched apart, SWAPDB
// moving them with their keys, valkey-search's error texts naming the
// database), and a store written in several databases reopened from its
// snapshot and journal with every database's keys and indexes back.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { open } from '../../js/node.js';

const vec = (...v) => new Uint8Array(new Float32Array(v).buffer);

async function fill(db) {
  for (const d of [1, 2]) {
    await db.select(d);
    await db.command('FT.CREATE', 'idx', 'ON', 'HASH', 'SCHEMA', 'tag', 'TAG', 'v', 'VECTOR', 'FLAT', '6', 'TYPE', 'FLOAT32', 'DIM', '2', 'DISTANCE_METRIC', 'L2');
    for (let i = 0; i < 5; i++) await db.hset(`d${d}:${i}`, { tag: `db${d}`, v: vec(d, i) });
    await db.indexReady('idx');
  }
  await db.select(0);
  await db.command('SET', 'zero', '0');
}

async function tags(db, d) {
  await db.select(d);
  const r = await db.search('idx', '@tag:{db1|db2}');
  return r.results.map((x) => x.key).sort();
}

test('indexes per database: same name in two, searched apart, SWAPDB moves them, errors name the database', async () => {
  const db = await open();
  await fill(db);
  assert.deepEqual(await tags(db, 1), ['d1:0', 'd1:1', 'd1:2', 'd1:3', 'd1:4']);
  assert.deepEqual(await tags(db, 2), ['d2:0', 'd2:1', 'd2:2', 'd2:3', 'd2:4']);
  await db.select(0);
  await assert.rejects(db.command('FT.SEARCH', 'idx', '*'), /Index with name 'idx' not found in database 0/);
  await db.select(2);
  await assert.rejects(db.command('FT.CREATE', 'idx', 'SCHEMA', 't', 'TAG'), /Index idx in database 2 already exists\./);
  assert.equal(await db.command('SWAPDB', '1', '2'), 'OK');
  assert.deepEqual(await tags(db, 1), ['d2:0', 'd2:1', 'd2:2', 'd2:3', 'd2:4']);
  assert.deepEqual(await tags(db, 2), ['d1:0', 'd1:1', 'd1:2', 'd1:3', 'd1:4']);
  // A write after the swap reaches the index that moved with the keys.
  await db.select(1);
  await db.hset('new', { tag: 'db2', v: vec(9, 9) });
  assert.ok((await tags(db, 1)).includes('new'));
  await db.select(3);
  await assert.rejects(db.command('FT.INFO', 'idx'), /not found in database 3/);
  // MOVE carries the key to the other database's index.
  await db.select(1);
  assert.equal(await db.command('MOVE', 'new', '2'), 1);
  assert.ok(!(await tags(db, 1)).includes('new'));
  assert.ok((await tags(db, 2)).includes('new'));
  await db.close();
});

test('databases persist: snapshot + journal bring back every database and its indexes', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vessel-dbs-'));
  try {
    let db = await open({ dir, durability: 'always', autosave: false });
    await fill(db);
    await db.save(); // snapshot of three databases
    await db.select(2);
    await db.command('HSET', 'late', 'tag', 'db2', 'v', vec(5, 5)); // journal: SELECT 2 then HSET
    await db.command('PEXPIRE', 'd2:0', '3600000');
    await db.select(5);
    await db.command('SET', 'five', '5');
    await db.select(0);
    await db.command('DEL', 'zero');
    await db.close();

    db = await open({ dir });
    assert.equal(await db.dbsize(), 0);
    await db.select(5);
    assert.equal(await db.command('GET', 'five'), '5');
    await db.select(2);
    await db.indexReady('idx');
    assert.deepEqual(await tags(db, 2), ['d2:0', 'd2:1', 'd2:2', 'd2:3', 'd2:4', 'late']);
    assert.ok((await db.command('PTTL', 'd2:0')) > 0);
    await db.select(1);
    await db.indexReady('idx');
    assert.deepEqual(await tags(db, 1), ['d1:0', 'd1:1', 'd1:2', 'd1:3', 'd1:4']);
    await db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// Aliases and indexes in databases 1 and 2 (the same alias name in both,
// pointing at different indexes), reopened from the snapshot alone, then
// from the snapshot and a journal holding SELECT records, a SWAPDB and
// FT.ALIASUPDATE / ALIASADD / ALIASDEL after it, then from a snapshot of
// that: every database's FT._LIST, every name's FT.SEARCH answer (by index
// and by alias, KNN and filters) the same as the store gave before closing.
const NAMES = ['idx', 'other', 'a', 'shared', 'b', 'nope'];

async function searchState(db) {
  const out = [];
  for (let d = 0; d < 4; d++) {
    await db.select(d);
    const list = (await db.command('FT._LIST')).map(String).sort();
    for (const n of list) await db.indexReady(n);
    out.push(`db${d} ${list.join(',')} keys=${await db.dbsize()}`);
    for (const n of NAMES) {
      const ask = async (...args) => {
        try {
          return JSON.stringify(await db.command('FT.SEARCH', n, ...args));
        } catch (e) {
          return `! ${e.message}`;
        }
      };
      out.push(`  ${n} tags: ${await ask('@tag:{t0|t1|late}', 'SORTBY', 'n', 'NOCONTENT', 'LIMIT', '0', '100')}`);
      out.push(`  ${n} knn: ${await ask('*=>[KNN 3 @v $q AS d]', 'PARAMS', '2', 'q', vec(1, 1), 'RETURN', '1', 'd', 'SORTBY', 'd', 'DIALECT', '2')}`);
    }
  }
  await db.select(0);
  return out.join('\n');
}

async function fillAliases(db) {
  for (const d of [1, 2]) {
    await db.select(d);
    const hnsw = d === 2 ? ['HNSW', '8', 'M', '4'] : ['FLAT', '6'];
    await db.command('FT.CREATE', 'idx', 'ON', 'HASH', 'PREFIX', '1', 'doc:', 'SCHEMA', 'tag', 'TAG', 'n', 'NUMERIC', 'SORTABLE',
      'v', 'VECTOR', ...hnsw, 'TYPE', 'FLOAT32', 'DIM', '2', 'DISTANCE_METRIC', 'L2');
    await db.command('FT.CREATE', 'other', 'ON', 'HASH', 'PREFIX', '1', `o${d}:`, 'SCHEMA', 'tag', 'TAG', 'n', 'NUMERIC', 'SORTABLE',
      'v', 'VECTOR', 'FLAT', '6', 'TYPE', 'FLOAT32', 'DIM', '2', 'DISTANCE_METRIC', 'L2');
    for (let i = 0; i < 8; i++) await db.hset(`doc:${d}:${i}`, { tag: `t${i % 2}`, n: d * 100 + i, v: vec(d + i, i) });
    for (let i = 0; i < 4; i++) await db.hset(`o${d}:${i}`, { tag: 't1', n: i, v: vec(i, d) });
    await db.command('FT.ALIASADD', 'a', d === 1 ? 'idx' : 'other');
    await db.command('FT.ALIASADD', 'shared', d === 1 ? 'other' : 'idx');
  }
  await db.select(0);
  await db.command('SET', 'zero', '0');
}

test('aliases and indexes in databases 1 and 2: reopened from the snapshot alone, and from the snapshot and a journal with SELECT, SWAPDB and FT.ALIASUPDATE', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vessel-dbs-'));
  try {
    let db = await open({ dir, durability: 'always', autosave: false });
    await fillAliases(db);
    await db.save();
    const saved = await searchState(db);
    assert.match(saved, /db2 idx,other keys=12/);
    await db.close();

    db = await open({ dir, durability: 'always', autosave: false });
    assert.equal(await searchState(db), saved, 'reopened from the snapshot alone');
    // After the snapshot, only in the journal.
    await db.select(2);
    await db.hset('doc:late', { tag: 'late', n: 7, v: vec(1, 1) });
    await db.command('FT.ALIASUPDATE', 'a', 'idx'); // moved within database 2
    await db.select(1);
    await db.command('FT.ALIASADD', 'b', 'other');
    assert.equal(await db.command('SWAPDB', '1', '2'), 'OK'); // the aliases go with their indexes
    await db.command('FT.ALIASUPDATE', 'shared', 'other'); // database 1 is now the old 2
    await db.command('FT.ALIASDEL', 'a');
    await db.hset('doc:1:0', { tag: 'late', n: 1, v: vec(0, 0) });
    await db.select(3);
    await db.command('SWAPDB', '3', '2'); // database 3 gets the old 1's indexes and aliases
    await db.command('FT.ALIASUPDATE', 'a', 'idx');
    await db.command('FT.DROPINDEX', 'other'); // and its aliases (b)
    const journaled = await searchState(db);
    assert.notEqual(journaled, saved);
    await db.close();

    db = await open({ dir, durability: 'always', autosave: false });
    assert.equal(db.loadReport?.tornBytes ?? 0, 0);
    assert.equal(await searchState(db), journaled, 'reopened from the snapshot and the journal');
    await db.save();
    await db.close();
    db = await open({ dir });
    assert.equal(await searchState(db), journaled, 'reopened from a snapshot of that');
    await db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('search() decodes fields by the schema of the selected database\'s index of that name', async () => {
  const db = await open();
  try {
    await db.command('FT.CREATE', 'idx', 'ON', 'HASH', 'SCHEMA', 'v', 'VECTOR', 'FLAT', '6', 'TYPE', 'FLOAT32', 'DIM', '2', 'DISTANCE_METRIC', 'L2');
    await db.hset('d0', { v: vec(1, 2) });
    assert.ok((await db.search('idx', '*')).results[0].fields.v instanceof Uint8Array);
    await db.select(1);
    await db.command('FT.CREATE', 'idx', 'ON', 'HASH', 'SCHEMA', 'v', 'TAG', 'emb', 'VECTOR', 'FLAT', '6', 'TYPE', 'FLOAT32', 'DIM', '2', 'DISTANCE_METRIC', 'L2');
    await db.hset('d1', { v: 'hello', emb: vec(3, 4) });
    const one = (await db.search('idx', '*')).results[0].fields;
    assert.equal(one.v, 'hello');
    assert.ok(one.emb instanceof Uint8Array);
    for (const [d, check] of [[0, (f) => assert.ok(f.v instanceof Uint8Array, 'database 0: v is a vector')],
      [1, (f) => assert.equal(f.v, 'hello', 'database 1: v is a tag')]]) {
      await db.command('SELECT', String(d)); // through command() as well as select()
      check((await db.search('idx', '*')).results[0].fields);
    }
  } finally {
    await db.close();
  }
});

test('a journal written with more databases than the store is opened with is refused, nothing applied elsewhere', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vessel-dbs-'));
  try {
    let db = await open({ dir, durability: 'always', autosave: false });
    await db.command('SET', 'a', '1');
    await db.select(10);
    await db.command('SET', 'b', '2');
    await db.command('SET', 'a', '9');
    await db.close();
    await assert.rejects(open({ dir, databases: 4 }), /the journal uses a database past this store's 4 at offset \d+ \(SELECT 10\)/);
    db = await open({ dir }); // 16, as written: everything where it was
    assert.equal(await db.command('GET', 'a'), '1');
    await db.select(10);
    assert.equal(await db.command('GET', 'a'), '9');
    assert.equal(await db.command('GET', 'b'), '2');
    await db.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
