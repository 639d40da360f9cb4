// persistence.test.js - snapshots, the change journal and the storage
// adapters: round trips of every command's effect (FLAT and HNSW answer
// the same after reopening), durability modes, torn and damaged journals,
// corrupt snapshots, locking, autosave and the persistence commands,
// backfill on load, IndexedDB (fake-indexeddb), key-value and overlay
// storages, and crash safety: SIGKILL in the middle of a stream of
// acknowledged writes and in the middle of a save.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { open, ReplyError } from '../../js/node.js';
import { FileStorage } from '../../js/storage/files.js';
import { IndexedDBStorage } from '../../js/storage/indexeddb.js';
import { KVStorage, SnapshotStorage } from '../../js/storage/kv.js';
import { MemoryStorage } from '../../js/storage/memory.js';
import { OverlayStorage } from '../../js/storage/overlay.js';
import { dump, rng } from './helpers.js';
import { vectorOf } from './fixtures/writer.mjs';

const DIM = 8;
const tmp = () => mkdtempSync(join(tmpdir(), 'vessel-persist-'));
const files = (dir) => Object.fromEntries(readdirSync(dir).filter((n) => n !== 'LOCK').map((n) => [n, readFileSync(join(dir, n))]));

function vec(r) {
  const v = new Float32Array(DIM);
  for (let d = 0; d < DIM; d++) v[d] = Math.round((r() * 2 - 1) * 1000) / 100;
  return v;
}

const SCHEMA = (algorithm) => ({
  prefix: 'doc:',
  schema: {
    v: { type: 'VECTOR', algorithm, dim: DIM, distance: 'L2', ...(algorithm === 'HNSW' ? { m: 8, efRuntime: 400 } : {}) },
    tag: 'TAG',
    n: 'NUMERIC',
  },
});

/** A random stream of writes of every kind over doc:0..199. */
async function churn(db, r, count) {
  const tags = ['a', 'b', 'c'];
  for (let i = 0; i < count; i++) {
    const k = `doc:${Math.floor(r() * 200)}`;
    const x = r();
    if (x < 0.45) await db.hset(k, { v: vec(r), tag: tags[Math.floor(r() * 3)], n: Math.floor(r() * 100) });
    else if (x < 0.55) await db.command('HDEL', k, r() < 0.5 ? 'v' : 'tag');
    else if (x < 0.62) await db.del(k);
    else if (x < 0.66) await db.command('UNLINK', k, 'nope');
    else if (x < 0.7) await db.command('RENAME', k, `doc:${Math.floor(r() * 200)}`).catch(() => {});
    else if (x < 0.75) await db.command('HINCRBY', k, 'n', 3).catch(() => {});
    else if (x < 0.78) await db.command('HINCRBYFLOAT', k, 'n', '0.25').catch(() => {});
    else if (x < 0.82) await db.command('HSETNX', k, 'extra', String(i));
    else if (x < 0.85) await db.command('SET', `str:${i % 7}`, `s${i}`);
    else if (x < 0.88) await db.hset(k, { v: new Uint8Array(5) }); // wrong size: stored, not indexed
    else await db.hset(k, { v: vec(r) });
  }
}

/** Everything observable: the keyspace, index counts and KNN answers. */
async function observe(db) {
  const out = { dump: await dump(db), indexes: {} };
  for (const name of (await db.listIndexes()).sort()) {
    await db.indexReady(name);
    const info = await db.indexInfo(name);
    const r = rng(99);
    const answers = [];
    for (let q = 0; q < 10; q++) {
      const res = await db.search(name, `${q % 2 ? '@tag:{a|b}' : '*'}=>[KNN 10 @v $q AS d]`, { params: { q: vec(r) }, noContent: true });
      answers.push(res.results.map((x) => `${x.key}:${x.score}`).join(' '));
    }
    const tagged = await db.search(name, '@tag:{c} @n:[10 60]', { noContent: true, limit: [0, 1000] });
    out.indexes[name] = { docs: info.num_docs, failures: info.hash_indexing_failures, answers, tagged: tagged.results.map((x) => x.key).sort() };
  }
  return out;
}

for (const storageKind of ['memory', 'files']) {
  test(`every command's effect survives snapshot + journal (${storageKind}), FLAT and HNSW answer the same`, async () => {
    const dir = storageKind === 'files' ? tmp() : null;
    const mem = new MemoryStorage();
    const opts = () => (dir ? { dir, autosave: false } : { storage: mem, autosave: false });
    const r = rng(7);
    let db = await open(opts());
    await db.createIndex('flat', SCHEMA('FLAT'));
    await db.createIndex('hnsw', SCHEMA('HNSW'));
    await churn(db, r, 400);
    const beforeSave = await observe(db);
    await db.close();

    // Journal only (no snapshot yet).
    db = await open(opts());
    assert.equal(db.loadReport.snapshot, null);
    assert.ok(db.loadReport.replayed > 300);
    assert.deepEqual(await observe(db), beforeSave);
    assert.equal(await db.command('SAVE'), 'OK');
    assert.deepEqual(await observe(db), beforeSave);
    // Snapshot, then more writes of every kind in the journal, an index
    // dropped and another created after the snapshot.
    await churn(db, r, 400);
    await db.dropIndex('flat');
    await db.createIndex('flat2', SCHEMA('FLAT'));
    await churn(db, r, 200);
    const after = await observe(db);
    await db.close();

    db = await open(opts());
    assert.match(db.loadReport.snapshot, /^snapshot-\d+\.vsnap$/);
    assert.ok(db.loadReport.replayed > 400, `replayed ${db.loadReport.replayed}`);
    assert.deepEqual(await observe(db), after);
    // FLUSHALL goes through the journal too.
    await db.flushall();
    await db.hset('doc:1', { v: vectorOf(1).subarray(0, DIM), tag: 'a', n: 1 });
    const flushed = await observe(db);
    await db.close();
    db = await open(opts());
    assert.deepEqual(await observe(db), flushed);
    assert.equal(await db.dbsize(), 1);
    await db.close();
    if (dir) rmSync(dir, { recursive: true });
  });
}

test('the journal is a Redis append-only file; durability modes; INFO persistence, SAVE, BGSAVE, LASTSAVE', async () => {
  for (const durability of ['always', 'everysec', 'no']) {
    const dir = tmp();
    const db = await open({ dir, durability, autosave: false });
    await db.hset('h', { a: '1', 'b c': 'x\r\ny' });
    await db.command('HDEL', 'h', 'a');
    await db.command('HSET', 'h', 'a', '2'); // same effect twice: both recorded
    await assert.rejects(db.command('HINCRBY', 'h', 'b c', 1), ReplyError); // an error writes nothing
    await db.command('DEL', 'missing'); // changes nothing: not recorded
    const journal = db.persister.manifest.journal;
    if (durability === 'always') {
      // Resolved writes are on disk already.
      // Each command's records, then its check record (a PING Redis answers harmlessly).
      const ck = '\\*2\\r\\n\\$4\\r\\nPING\\r\\n\\$26\\r\\nvessel-ck:[0-9a-f]{16}\\r\\n';
      const esc = (t) => t.replace(/[$*\r\n]/g, (c) => ({ '$': '\\$', '*': '\\*', '\r': '\\r', '\n': '\\n' })[c]);
      assert.match(
        readFileSync(join(dir, journal), 'latin1'),
        new RegExp('^' + esc('*6\r\n$4\r\nHSET\r\n$1\r\nh\r\n$1\r\na\r\n$1\r\n1\r\n$3\r\nb c\r\n$4\r\nx\r\ny\r\n') + ck +
          esc('*3\r\n$4\r\nHDEL\r\n$1\r\nh\r\n$1\r\na\r\n') + ck +
          esc('*4\r\n$4\r\nHSET\r\n$1\r\nh\r\n$1\r\na\r\n$1\r\n2\r\n') + ck + '$'),
      );
    }
    const info = await db.command('INFO', 'persistence');
    assert.match(info, /^# Persistence\r\n/);
    assert.match(info, /rdb_changes_since_last_save:3\r\n/);
    assert.match(info, new RegExp(`appendfsync:${durability}\\r\\n`));
    assert.equal(await db.command('LASTSAVE'), 0);
    assert.equal(await db.command('BGSAVE'), 'Background saving started');
    await db.persister.saving;
    assert.ok((await db.command('LASTSAVE')) >= Math.floor(Date.now() / 1000) - 5);
    assert.match(await db.command('INFO', 'persistence'), /rdb_changes_since_last_save:0\r\n/);
    await assert.rejects(db.command('SAVE', 'x'), /wrong number of arguments for 'save' command/);
    await db.hset('h', { c: '3' });
    await db.close(); // flushes
    const again = await open({ dir });
    assert.deepEqual(await again.hgetall('h'), { 'b c': 'x\r\ny', a: '2', c: '3' });
    await again.close();
    rmSync(dir, { recursive: true });
  }
  const eph = await open();
  await assert.rejects(eph.command('SAVE'), /no storage/);
  await eph.close();
});

test('a torn journal tail is dropped and reported; damage before it is an error unless repairJournal', async () => {
  const dir = tmp();
  let db = await open({ dir, durability: 'always', autosave: false });
  for (let i = 0; i < 20; i++) await db.hset(`k${i}`, { f: String(i) });
  const journal = join(dir, db.persister.manifest.journal);
  await db.close();
  const intact = readFileSync(journal);
  appendFileSync(journal, '*3\r\n$4\r\nHSET\r\n$2\r\nk9'); // a crash mid-append
  db = await open({ dir });
  assert.equal(db.loadReport.replayed, 20);
  assert.ok(db.loadReport.tornBytes > 0);
  assert.equal(db.loadReport.truncatedBytes, db.loadReport.tornBytes);
  assert.equal(await db.dbsize(), 20);
  await db.close();
  assert.deepEqual(readFileSync(journal), intact); // the tail was cut

  // Damage in the middle: refused, and nothing on disk changes.
  const damaged = Buffer.from(intact);
  const at = damaged.indexOf('*4', 200);
  assert.ok(at > 0);
  damaged[at] = '!'.charCodeAt(0);
  writeFileSync(journal, damaged);
  const before = files(dir);
  await assert.rejects(open({ dir }), (e) => /journal/i.test(e.message) && /repairJournal/.test(e.message));
  assert.deepEqual(files(dir), before);
  // The caller opts in to keep what precedes the damage.
  db = await open({ dir, repairJournal: true });
  const kept = await db.dbsize();
  assert.ok(kept > 0 && kept < 20, `kept ${kept}`);
  assert.equal(db.loadReport.truncatedBytes, damaged.length - at);
  for (let i = 0; i < kept; i++) assert.equal(await db.hget(`k${i}`, 'f'), String(i));
  await db.close();
  rmSync(dir, { recursive: true });
});

test('corrupt, truncated, foreign and newer snapshots are refused and nothing is lost', async () => {
  const dir = tmp();
  let db = await open({ dir, autosave: false });
  await db.createIndex('idx', SCHEMA('HNSW'));
  const r = rng(3);
  for (let i = 0; i < 300; i++) await db.hset(`doc:${i}`, { v: vec(r), tag: 'a', n: i });
  await db.save();
  const snapName = db.persister.manifest.snapshot;
  await db.close();
  const path = join(dir, snapName);
  const good = readFileSync(path);
  const cases = [
    ['truncated', good.subarray(0, good.length - 9), /Bad snapshot/],
    ['bit flip in keys', Buffer.from(good).fill(good[100] ^ 1, 100, 101), /Bad snapshot: checksum mismatch in section 'keys'/],
    ['bit flip in the graph', Buffer.from(good).fill(good[good.length - 200] ^ 4, good.length - 200, good.length - 199), /Bad snapshot: checksum mismatch/],
    ['foreign file', Buffer.from('REDIS0011\xfa\x09redis-ver'), /Bad snapshot: not a Vessel snapshot/],
    ['newer version', Buffer.from(good).fill(9, 8, 9), /Bad snapshot: .*version 9/],
    ['empty', Buffer.alloc(0), /Bad snapshot/],
  ];
  for (const [what, bytes, msg] of cases) {
    writeFileSync(path, bytes);
    const before = files(dir);
    await assert.rejects(open({ dir }), msg, what);
    assert.deepEqual(files(dir), before, `${what}: files unchanged`);
  }
  writeFileSync(path, good);
  db = await open({ dir });
  assert.equal(await db.dbsize(), 300);
  assert.equal((await db.indexInfo('idx')).num_docs, 300);

  // Into a store that is open and full: a bad snapshot leaves it as it was.
  const whole = await dump(db);
  const engine = db.engine;
  engine.loadBegin(good.length);
  engine.loadFeed(good.subarray(0, 5000));
  assert.throws(() => engine.loadFeed(Buffer.from(good.subarray(5000)).fill(0, 0, 40)), /Bad snapshot/);
  engine.loadAbort();
  assert.equal(await dump(db), whole);
  assert.equal((await db.search('idx', '*=>[KNN 3 @v $q]', { params: { q: vec(rng(3)) }, noContent: true })).results[0].key, 'doc:0');
  await db.close();
  rmSync(dir, { recursive: true });
});

test('one writer per store: a second open fails, or opens read-only when asked', async () => {
  const dir = tmp();
  const db = await open({ dir, autosave: false });
  await db.hset('a', { f: '1' });
  await assert.rejects(open({ dir }), (e) => e.code === 'VESSEL_LOCKED' && /is open in this process already/.test(e.message));
  const ro = await open({ dir, readOnly: 'ifLocked' });
  assert.equal(ro.readOnly, true);
  assert.equal(await ro.hget('a', 'f'), '1'); // the journal was already durable? written at once with everysec
  await assert.rejects(ro.hset('b', { f: '2' }), (e) => e instanceof ReplyError && e.message === "READONLY You can't write against a read only replica.");
  await assert.rejects(ro.command('SAVE'), /read-only/);
  await ro.close();
  await db.close();
  const again = await open({ dir }); // the lock was released
  await again.close();
  rmSync(dir, { recursive: true });
});

test('autosave follows save <seconds> <changes> rules; the journal restarts after a save', async () => {
  const mem = new MemoryStorage();
  let now = 1_000_000;
  const db = await open({ storage: mem, autosave: [[5, 3]], now: () => now });
  await db.hset('a', { f: '1' });
  await db.hset('b', { f: '1' });
  now += 10_000;
  await new Promise((r) => setTimeout(r, 1200));
  assert.equal(db.persister.manifest.snapshot, null, '2 changes < 3: no save');
  await db.hset('c', { f: '1' });
  await new Promise((r) => setTimeout(r, 1200));
  assert.match(db.persister.manifest.snapshot ?? '', /snapshot-000002/);
  assert.equal(db.persister.info().changesSinceSave, 0);
  assert.deepEqual((await mem.list()).sort(), ['MANIFEST', 'journal-000002.aof', 'snapshot-000002.vsnap']);
  assert.equal(await mem.size('journal-000002.aof'), 0);
  await db.close();
});

test('backfill on load: FT.INFO shows progress, queries answer during it, indexReady reports it', async () => {
  const mem = new MemoryStorage();
  let db = await open({ storage: mem, autosave: false });
  await db.createIndex('idx', SCHEMA('HNSW'));
  const r = rng(11);
  for (let i = 0; i < 200; i++) await db.hset(`doc:${i}`, { v: vec(r), tag: 'a', n: i });
  await db.save();
  for (let i = 200; i < 5000; i++) await db.hset(`doc:${i}`, { v: vec(r), tag: 'b', n: i });
  await db.close();

  db = await open({ storage: mem, backfillSliceMs: 1 });
  const info = await db.indexInfo('idx');
  assert.equal(info.backfill_in_progress, '1');
  assert.equal(info.state, 'backfill_in_progress');
  assert.ok(Number(info.backfill_complete_percent) < 1);
  // Queries answer during the backfill (over what is integrated so far).
  const early = await db.search('idx', '*=>[KNN 5 @v $q]', { params: { q: vec(rng(1)) }, noContent: true });
  assert.equal(early.results.length, 5);
  const seen = [];
  const done = await db.indexReady('idx', { onProgress: (p) => seen.push(p.percent) });
  assert.equal(done.docs, 5000);
  assert.equal(done.state, 'ready');
  assert.ok(seen.length > 2, `progress reported ${seen.length} times`);
  for (let i = 1; i < seen.length; i++) assert.ok(seen[i] >= seen[i - 1]);
  assert.equal(seen.at(-1), 100);
  // Every document written after the snapshot is found by its own vector.
  const r2 = rng(11);
  for (let i = 0; i < 5000; i++) {
    const v = vec(r2);
    if (i % 250 === 7) {
      const res = await db.search('idx', '*=>[KNN 1 @v $q AS d]', { params: { q: v }, return: ['d', 'tag'] });
      assert.equal(res.results[0].score, 0, `doc:${i}`);
    }
  }
  await db.close();
});

test('IndexedDB storage (fake-indexeddb): round trip, atomic writes, reopen', async () => {
  const indexedDB = new IDBFactory();
  const storage = () => new IndexedDBStorage('t1', { indexedDB, IDBKeyRange });
  let db = await open({ storage: storage(), durability: 'always', autosave: false });
  await db.createIndex('idx', SCHEMA('FLAT'));
  const r = rng(5);
  await churn(db, r, 200);
  await db.save();
  await churn(db, r, 200);
  const before = await observe(db);
  await db.close();
  db = await open({ storage: storage() });
  assert.ok(db.loadReport.snapshot && db.loadReport.replayed > 0);
  assert.deepEqual(await observe(db), before);
  await db.close();

  // A write interrupted midway leaves the previous blob intact.
  const s = storage();
  await s.write('blob', [new Uint8Array([1, 2, 3])]);
  await assert.rejects(
    s.write('blob', (async function* () {
      yield new Uint8Array([9, 9]);
      throw new Error('tab closed');
    })()),
    /tab closed/,
  );
  const back = [];
  for await (const c of await s.read('blob')) back.push(...c);
  assert.deepEqual(back, [1, 2, 3]);
  await s.close();
  // Orphan chunks of the interrupted write are collected on the next open.
  const s2 = storage();
  assert.deepEqual((await s2.list()).sort(), ['MANIFEST', 'blob', db.persister.manifest.journal, db.persister.manifest.snapshot].sort());
  await s2.close();
  await IndexedDBStorage.destroy('t1', indexedDB);
});

/** A Workers-KV-like binding over a Map (get with type arrayBuffer, put, delete, list). */
function fakeKV() {
  const m = new Map();
  return {
    m,
    async get(k, o) {
      const v = m.get(k);
      if (v === undefined) return null;
      return o?.type === 'arrayBuffer' ? v.buffer.slice(v.byteOffset, v.byteOffset + v.byteLength) : new TextDecoder().decode(v);
    },
    async put(k, v) {
      m.set(k, typeof v === 'string' ? new TextEncoder().encode(v) : new Uint8Array(v).slice());
    },
    async delete(k) {
      m.delete(k);
    },
    async list({ prefix = '', cursor } = {}) {
      const keys = [...m.keys()].filter((k) => k.startsWith(prefix)).sort();
      const start = cursor ? Number(cursor) : 0;
      const page = keys.slice(start, start + 2);
      const complete = start + 2 >= keys.length;
      return { keys: page.map((name) => ({ name })), list_complete: complete, cursor: complete ? undefined : String(start + 2) };
    },
  };
}

test('edge: a shipped read-only snapshot, a key-value binding, and writes layered over the snapshot', async () => {
  // Build the snapshot the worker ships.
  const src = new MemoryStorage();
  let db = await open({ storage: src, autosave: false });
  await db.createIndex('idx', SCHEMA('HNSW'));
  const r = rng(21);
  for (let i = 0; i < 100; i++) await db.hset(`doc:${i}`, { v: vec(r), tag: 'a', n: i });
  await db.save();
  const shipped = new Uint8Array(Buffer.concat(src.blobs.get(db.persister.manifest.snapshot)));
  await db.close();

  // Read-only: answers queries, refuses writes.
  const ro = await open({ storage: new SnapshotStorage(shipped) });
  assert.equal(ro.readOnly, true);
  assert.equal(await ro.dbsize(), 100);
  await assert.rejects(ro.hset('doc:x', { tag: 'b' }), /READONLY/);
  await ro.close();

  // Writes go to the binding; a second "isolate" sees them.
  const kv = fakeKV();
  const layered = () => new OverlayStorage(new SnapshotStorage(shipped), new KVStorage(kv, { prefix: 's/' }));
  db = await open({ storage: layered(), durability: 'always' });
  await db.hset('doc:500', { v: vec(r), tag: 'b', n: 500 });
  await db.del('doc:0');
  await db.close();
  db = await open({ storage: layered() });
  await db.indexReady('idx');
  assert.equal(await db.dbsize(), 100);
  assert.equal(await db.exists('doc:0'), 0);
  assert.equal((await db.search('idx', '@tag:{b}', { noContent: true })).results[0].key, 'doc:500');
  await db.save(); // the binding now holds a complete store of its own
  await db.close();
  const own = await open({ storage: new KVStorage(kv, { prefix: 's/' }) });
  assert.equal(await own.dbsize(), 100);
  assert.equal(await own.exists('doc:500'), 1);
  assert.ok((await own.persister.storage.list()).includes('MANIFEST'));
  await own.close();
});

/** Spawn the writer; resolves with the acknowledged ids when `until` says stop (then SIGKILL). */
function runWriter(dir, args, until) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [new URL('./fixtures/writer.mjs', import.meta.url).pathname, dir, ...args], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const acked = [];
    let buf = '';
    let killed = false;
    child.stdout.on('data', (d) => {
      buf += d;
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (line.startsWith('ack ')) acked.push(Number(line.slice(4)));
        if (!killed && until(line, acked)) {
          killed = true;
          const kill = () => child.kill('SIGKILL');
          const delay = typeof killed === 'number' ? killed : 0;
          if (delay) setTimeout(kill, delay);
          else kill();
        }
      }
    });
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve(acked);
      else reject(new Error(`writer exited with ${code}`));
    });
  });
}

async function checkAcked(dir, acked) {
  const db = await open({ dir });
  await db.indexReady('idx');
  for (const i of acked) {
    const v = vectorOf(i);
    const h = await db.hgetall(`doc:${i}`);
    assert.equal(h.n, String(i), `doc:${i} acknowledged, then lost`);
    if (i % 37 === 0 || i === acked.at(-1)) {
      for (const field of ['v', 'f']) {
        const res = await db.search('idx', `@n:[${i} ${i}]=>[KNN 1 @${field} $q AS d]`, { params: { q: v }, return: ['d', 'n'] });
        assert.equal(res.results[0]?.key, `doc:${i}`, `indexes answer for doc:${i} (${field})`);
        assert.equal(res.results[0].score, 0);
      }
    }
  }
  const n = await db.dbsize();
  await db.close();
  return n;
}

test('SIGKILL in the middle of acknowledged writes (durability always): nothing acknowledged is lost', async () => {
  const dir = tmp();
  let start = 0;
  for (let round = 0; round < 3; round++) {
    const stopAt = 150 + round * 97;
    const acked = await runWriter(dir, ['--start', String(start)], (line, a) => a.length >= stopAt);
    assert.ok(acked.length >= stopAt);
    const n = await checkAcked(dir, acked);
    assert.ok(n >= acked.at(-1) + 1);
    start = acked.at(-1) + 1;
  }
  rmSync(dir, { recursive: true });
});

test('SIGKILL in the middle of saves: the store opens with all acknowledged data', async () => {
  const dir = tmp();
  let start = 0;
  const all = [];
  for (let round = 0; round < 6; round++) {
    let saves = 0;
    const delayMs = round * 2;
    const acked = await runWriter(dir, ['--start', String(start), '--save-every', '400'], (line) => {
      if (line === 'save-begin' && ++saves === 2) {
        // kill `delayMs` after the save began: at different points of it
        const t = Date.now();
        while (Date.now() - t < delayMs);
        return true;
      }
      return false;
    });
    all.push(...acked);
    await checkAcked(dir, all.slice(-600));
    start = acked.at(-1) + 1;
  }
  const db = await open({ dir });
  for (const i of all) assert.equal(await db.exists(`doc:${i}`), 1);
  await db.close();
  rmSync(dir, { recursive: true });
});

/**
 * A storage that "dies" at its nth mutating operation: that operation and
 * every later one fail, as if the process had been killed there.  The
 * underlying MemoryStorage is what a restart finds.
 */
class DyingStorage {
  constructor(under, n) {
    this.under = under;
    this.left = n;
  }

  step() {
    if (this.left-- <= 0) throw new Error('killed');
  }

  read(name) {
    return this.under.read(name);
  }

  size(name) {
    return this.under.size(name);
  }

  list() {
    return this.under.list();
  }

  lock() {
    return this.under.lock();
  }

  sync(name) {
    this.step();
    return this.under.sync(name);
  }

  async write(name, chunks) {
    this.step();
    const parts = [];
    for await (const c of chunks) parts.push(c);
    this.step(); // dying after the data but before it is complete
    return this.under.write(name, parts);
  }

  append(name, bytes) {
    this.step();
    return this.under.append(name, bytes);
  }

  truncate(name, n) {
    this.step();
    return this.under.truncate(name, n);
  }

  delete(name) {
    this.step();
    return this.under.delete(name);
  }
}

test('a crash at every step of a save leaves a store that opens with every acknowledged write', async () => {
  let crashPoints = 0;
  for (let n = 0; ; n++) {
    const mem = new MemoryStorage();
    let db = await open({ storage: mem, durability: 'always', autosave: false });
    await db.createIndex('idx', SCHEMA('HNSW'));
    const r = rng(n + 1);
    for (let i = 0; i < 50; i++) await db.hset(`doc:${i}`, { v: vec(r), tag: 'a', n: i });
    await db.save();
    for (let i = 50; i < 80; i++) await db.hset(`doc:${i}`, { v: vec(r), tag: 'b', n: i });
    const expected = await observe(db);
    // The same store, now on a storage that dies at its nth operation.
    db.persister.storage = new DyingStorage(mem, n);
    let died = false;
    try {
      await db.save();
    } catch (e) {
      assert.match(e.message, /killed/);
      died = true;
    }
    db.background.stop();
    db.engine.close();
    db.closed = true;
    db.persister.lock.release(); // the process died: the OS would release its lock
    const back = await open({ storage: mem });
    assert.deepEqual(await observe(back), expected, `crash at operation ${n}`);
    await back.close();
    if (!died) break;
    crashPoints++;
  }
  assert.ok(crashPoints >= 5, `${crashPoints} crash points`);
});

test('a journal that cannot be synced: the write is not acknowledged, later writes get MISCONF', async () => {
  const mem = new MemoryStorage();
  const db = await open({ storage: mem, durability: 'always', autosave: false });
  await db.hset('a', { f: '1' });
  mem.sync = async () => {
    throw new Error('EIO: i/o error, fdatasync');
  };
  await assert.rejects(db.hset('b', { f: '2' }), (e) => e instanceof ReplyError && /^MISCONF Errors writing to the AOF file: vessel: the journal could not be synced .*EIO/.test(e.message));
  await assert.rejects(db.hset('c', { f: '3' }), (e) => e instanceof ReplyError && /^MISCONF .*could not be synced/.test(e.message));
  delete mem.sync; // a later sync that works does not make the lost one good
  await assert.rejects(db.hset('c', { f: '3' }), (e) => /^MISCONF .*could not be synced/.test(e.message));
  assert.equal(await db.hget('a', 'f'), '1');
  assert.match(await db.command('INFO', 'persistence'), /aof_last_write_status:err/);
});

test('a journal that cannot be written: the write is not acknowledged, later writes get MISCONF, reads go on', async () => {
  for (const durability of ['always', 'everysec']) {
    const mem = new MemoryStorage();
    const db = await open({ storage: mem, durability, autosave: false });
    await db.hset('a', { f: '1' });
    await db.persister.flush(true);
    db.persister.storage = new DyingStorage(mem, 0);
    if (durability === 'always') {
      await assert.rejects(db.hset('b', { f: '2' }), /journal could not be written/);
    } else {
      await db.hset('b', { f: '2' }); // acknowledged before the (failing) write, as Redis's everysec
      await assert.rejects(db.persister.flush(true), /journal could not be written/);
    }
    await assert.rejects(db.hset('c', { f: '3' }), (e) => e instanceof ReplyError && /^MISCONF Errors writing to the AOF file/.test(e.message));
    assert.equal(await db.hget('a', 'f'), '1');
    assert.equal(await db.exists('c'), 0);
    await assert.rejects(db.close(), /journal could not be written/);
    assert.equal(db.closed, true);
  }
});

/** A storage whose appends take a while (a slow disk), counting what is on its way. */
class SlowStorage extends MemoryStorage {
  appends = 0;
  inFlight = 0;
  async append(name, bytes) {
    this.appends++;
    this.inFlight += bytes.length;
    await new Promise((r) => setTimeout(r, 2));
    this.inFlight -= bytes.length;
    return super.append(name, bytes);
  }
}

test('the journal has back-pressure: awaited writes wait for the storage once a bounded queue is full', async () => {
  const value = 'x'.repeat(1000);
  for (const durability of ['no', 'everysec']) {
    const mem = new SlowStorage();
    const db = await open({ storage: mem, durability, autosave: false });
    const p = db.persister;
    p.backlog = 64 << 10;
    const batch = 40;
    const batchBytes = batch * 1100; // a pipeline's journal records, at most
    let most = 0; // journal bytes queued or on their way to the storage, at most
    const record = p.record.bind(p);
    p.record = (bytes) => {
      const r = record(bytes);
      most = Math.max(most, p.pendingBytes + mem.inFlight);
      return r;
    };
    for (let b = 0; b < 100; b++) {
      const cmds = [];
      for (let i = 0; i < batch; i++) cmds.push(['HSET', `k:${b}:${i}`, 'f', value, 'n', String(i)]);
      await db.pipeline(cmds);
    }
    // 4 MB went to a storage slower than the loop; what was queued or on
    // its way stayed within the bound twice (the queue, the append under
    // way), plus the batch that crossed it.
    assert.ok(most > p.backlog, `${durability}: the storage was slower than the loop (${most} bytes queued at most)`);
    assert.ok(most <= 2 * (p.backlog + batchBytes), `${durability}: ${most} bytes queued at most`);
    await db.close();
    const back = await open({ storage: mem });
    assert.equal(await back.dbsize(), 100 * batch, durability);
    assert.equal(await back.hget('k:99:39', 'f'), value);
    await back.close();
  }

  // A loop that does not wait (the sync API): the writes over the bound
  // share one pending append instead of queueing one each.
  const mem = new SlowStorage();
  const db = await open({ storage: mem, durability: 'no', autosave: false });
  db.persister.backlog = 64 << 10;
  let flushes = 0;
  const flush = db.persister.flush.bind(db.persister);
  db.persister.flush = (sync) => (flushes++, flush(sync));
  for (let i = 0; i < 2000; i++) db.commandSync('HSET', `s:${i}`, 'f', value);
  assert.ok(flushes <= 2, `${flushes} flushes queued`);
  await db.persister.flush(false);
  await db.close();
  const back = await open({ storage: mem });
  assert.equal(await back.dbsize(), 2000);
  await back.close();

  // An append that fails while a write waits on it: that write ran (its
  // reply stands), later writes get MISCONF, as when the failure comes later.
  const mem2 = new MemoryStorage();
  const db2 = await open({ storage: mem2, durability: 'no', autosave: false });
  db2.persister.backlog = 1000;
  await db2.hset('a', { f: '1' });
  await db2.persister.flush(false);
  db2.persister.storage = new DyingStorage(mem2, 0);
  assert.equal(await db2.hset('b', { f: value, g: value }), 2);
  await assert.rejects(db2.hset('c', { f: '3' }), (e) => e instanceof ReplyError && /^MISCONF /.test(e.message));
  assert.equal(await db2.hget('b', 'g'), value);
  await assert.rejects(db2.close(), /journal could not be written/);
});

test('the same snapshot bytes come from, and load in, the SIMD and scalar builds', async () => {
  const snapshots = [];
  const answers = [];
  for (const simd of [true, false]) {
    const mem = new MemoryStorage();
    const db = await open({ storage: mem, simd, seed: 5, autosave: false });
    assert.equal(db.build, simd ? 'simd' : 'scalar');
    await db.createIndex('h', SCHEMA('HNSW'));
    await db.createIndex('f', SCHEMA('FLAT'));
    await churn(db, rng(17), 500);
    await db.save();
    snapshots.push(Buffer.concat(mem.blobs.get(db.persister.manifest.snapshot)));
    answers.push(await observe(db));
    await db.close();
  }
  assert.ok(snapshots[0].equals(snapshots[1]), 'byte-identical snapshots');
  assert.deepEqual(answers[0], answers[1]);
  // Each build loads the other's snapshot and answers the same.
  for (const [simd, bytes] of [[false, snapshots[0]], [true, snapshots[1]]]) {
    const db = await open({ storage: new SnapshotStorage(bytes), simd });
    assert.deepEqual(await observe(db), answers[0]);
    await db.close();
  }
});
