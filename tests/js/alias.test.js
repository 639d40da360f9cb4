// alias.test.js - FT.ALIASADD / FT.ALIASUPDATE / FT.ALIASDEL against a
// plain JS model of RediSearch's rules: seeded random sequences of
// FT.CREATE, FT.DROPINDEX and the alias commands over a small pool of
// names (so names collide: an alias named like an index, an index created
// under an alias's name), every reply compared (OK or the exact error),
// every name resolved through FT.INFO and FT.SEARCH; then the same store
// reopened from its journal and from a snapshot, and rebuilt from its
// index script, each answering the same.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { open } from '../../js/node.js';
import { prng, seedList } from './helpers.js';

const NAMES = ['i0', 'i1', 'i2', 'a0', 'a1', 'a2'];

/** RediSearch's alias rules over names: indexes (creation order) and aliases. */
class Model {
  constructor() {
    this.indexes = [];
    this.aliases = new Map(); // alias -> index name
  }
  has(n) { return this.indexes.includes(n); }
  resolve(n) { return this.has(n) ? n : this.aliases.get(n); }
  apply(cmd) {
    const [op, a, b] = cmd;
    switch (op) {
      case 'FT.CREATE':
        if (this.has(a)) return `!Index ${a} in database 0 already exists.`;
        this.indexes.push(a);
        return 'OK';
      case 'FT.DROPINDEX': {
        const x = this.resolve(a);
        if (x === undefined) return `!Index with name '${a}' not found in database 0`;
        this.indexes = this.indexes.filter((n) => n !== x);
        for (const [k, v] of [...this.aliases]) if (v === x) this.aliases.delete(k);
        return 'OK';
      }
      case 'FT.ALIASADD':
        if (!this.has(b)) return '!Unknown index name (or name is an alias itself)';
        if (this.has(a)) return '!Alias conflicts with an existing index name';
        if (this.aliases.has(a)) return '!Alias already exists';
        this.aliases.set(a, b);
        return 'OK';
      case 'FT.ALIASUPDATE':
        if (this.has(a)) return '!Alias does not belong to provided spec';
        if (!this.has(b)) return '!Unknown index name (or name is an alias itself)';
        this.aliases.set(a, b);
        return 'OK';
      case 'FT.ALIASDEL':
        if (this.has(a)) return '!Alias does not belong to provided spec';
        if (!this.aliases.has(a)) return '!Alias does not exist';
        this.aliases.delete(a);
        return 'OK';
    }
    throw new Error(op);
  }
}

const run = (db, ...args) => db.command(...args).then((v) => v, (e) => `!${e.message}`);

/** Each index is over its own key (k:<name>), so a search shows which one answered. */
const create = (name) => ['FT.CREATE', name, 'PREFIX', '1', `k:${name}`, 'SCHEMA', 'n', 'NUMERIC'];

function randomCommand(r) {
  const x = r();
  const n = r.pick(NAMES), m = r.pick(NAMES);
  if (x < 0.2) return ['FT.CREATE', n];
  if (x < 0.3) return ['FT.DROPINDEX', n];
  if (x < 0.6) return ['FT.ALIASADD', n, m];
  if (x < 0.8) return ['FT.ALIASUPDATE', n, m];
  return ['FT.ALIASDEL', n];
}

/** What every name resolves to, as the store answers. */
async function resolutions(db) {
  for (const n of await db.command('FT._LIST')) await db.indexReady(n);
  const out = {};
  for (const n of NAMES) {
    const info = await run(db, 'FT.INFO', n);
    if (typeof info === 'string') {
      out[n] = info;
      continue;
    }
    const name = info[info.indexOf('index_name') + 1];
    const s = await run(db, 'FT.SEARCH', n, '*', 'NOCONTENT');
    assert.deepEqual(s, [1, `k:${name}`], `FT.SEARCH ${n}`);
    out[n] = name;
  }
  return out;
}

function expected(model) {
  const out = {};
  for (const n of NAMES) {
    const x = model.resolve(n);
    out[n] = x === undefined ? `!Index with name '${n}' not found in database 0` : x;
  }
  return out;
}

test('alias commands against the model, through reopening and the index script', async () => {
  for (const seed of seedList('ALIAS_SEEDS', 6)) {
    const r = prng(seed);
    const dir = mkdtempSync(join(tmpdir(), 'vessel-alias-'));
    const ctx = `seed ${seed}`;
    try {
      let db = await open({ dir, autosave: false });
      for (const n of NAMES) await db.hset(`k:${n}`, { n: 1 });
      const model = new Model();
      const steps = 60;
      for (let i = 0; i < steps; i++) {
        const cmd = randomCommand(r);
        const want = model.apply(cmd);
        const got = await run(db, ...(cmd[0] === 'FT.CREATE' ? create(cmd[1]) : cmd));
        assert.equal(got, want, `${ctx} step ${i}: ${cmd.join(' ')}`);
        if (i === steps / 2) await db.save(); // half in the snapshot, half in the journal
      }
      const want = expected(model);
      assert.deepEqual(await resolutions(db), want, ctx);
      assert.deepEqual((await db.command('FT._LIST')).sort(), [...model.indexes].sort(), ctx);
      const script = await db.indexScript();
      await db.close();

      // Reopened: the snapshot's aliases, then the journal's commands.
      db = await open({ dir, autosave: false });
      assert.deepEqual(await resolutions(db), want, `${ctx} (reopened from snapshot + journal)`);
      await db.save();
      await db.close();
      db = await open({ dir, autosave: false });
      assert.deepEqual(await resolutions(db), want, `${ctx} (reopened from a snapshot)`);
      await db.close();

      // The index script rebuilds the same names in a fresh store.
      const fresh = await open();
      for (const n of NAMES) await fresh.hset(`k:${n}`, { n: 1 });
      for (const line of script.split('\n').filter(Boolean)) {
        const args = line.split(' ');
        assert.equal(await run(fresh, ...args), 'OK', `${ctx}: ${line}`);
      }
      assert.deepEqual(await resolutions(fresh), want, `${ctx} (index script)`);
      await fresh.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
});

test('aliases wherever an index name goes; FT.INFO names the index', async () => {
  const db = await open();
  await db.createIndex('idx', { prefix: 'doc:', schema: { v: { type: 'VECTOR', dim: 2 }, t: 'TAG', body: 'TEXT' } });
  await db.hset('doc:1', { v: new Float32Array([1, 0]), t: 'a', body: 'hello world' });
  await db.hset('doc:2', { v: new Float32Array([0, 1]), t: 'b', body: 'hello there' });
  await db.indexReady('idx');
  assert.equal(await db.command('FT.ALIASADD', 'al', 'idx'), 'OK');
  const info = await db.indexInfo('al');
  assert.equal(info.index_name, 'idx');
  const s = await db.search('al', '*=>[KNN 1 @v $q]', { params: { q: new Float32Array([1, 0]) } });
  assert.deepEqual(s.results.map((x) => x.key), ['doc:1']);
  const h = await db.command('FT.HYBRID', 'al', 'SEARCH', 'hello', 'VSIM', '@v', '$q', 'PARAMS', '2', 'q',
    new Uint8Array(new Float32Array([0, 1]).buffer));
  assert.ok(JSON.stringify(h).includes('doc:2'));
  assert.deepEqual(await db.command('FT._LIST'), ['idx']);
  // COMMAND INFO / DOCS know the commands.
  const ci = await db.command('COMMAND', 'INFO', 'FT.ALIASADD', 'FT.ALIASUPDATE', 'FT.ALIASDEL');
  assert.deepEqual(ci.map((c) => [c[0], c[1]]), [['ft.aliasadd', 3], ['ft.aliasupdate', 3], ['ft.aliasdel', 2]]);
  // FT.DROPINDEX through the alias drops the index and the alias.
  assert.equal(await db.command('FT.DROPINDEX', 'al'), 'OK');
  assert.equal(await run(db, 'FT.ALIASDEL', 'al'), '!Alias does not exist');
  await db.close();
});
