// persistence-faults.test.js - the trust issue's defects 5-9: a missing
// MANIFEST, journal or snapshot and a damaged MANIFEST are refused with
// nothing changed on disk; what an open may delete; checked journals
// (bit flips refused, old journals migrated, `redis-cli --pipe` into a
// real redis-server); a lock the OS releases when its holder dies;
// CONFIG SET appendfsync / save in effect at once.  Files and memory
// storage.  Seeded where random (the seed is printed).
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { open } from '../../js/node.js';
import { MemoryStorage } from '../../js/storage/memory.js';
import { dump, rng } from './helpers.js';
import { startServer, connect } from '../server/helpers.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const CLI = join(ROOT, 'js/cli.js');
const SEED = Number(process.env.VESSEL_TEST_SEED ?? 20240601);
console.log(`persistence-faults: seed ${SEED} (VESSEL_TEST_SEED to change)`);

const tmp = () => mkdtempSync(join(tmpdir(), 'vessel-faults-'));
const hashDir = (dir) =>
  Object.fromEntries(readdirSync(dir).sort().map((n) => [n, createHash('sha256').update(readFileSync(join(dir, n))).digest('hex')]));
const hashMem = (mem) =>
  Object.fromEntries([...mem.blobs.keys()].sort().map((n) => [n, createHash('sha256').update(Buffer.concat(mem.blobs.get(n))).digest('hex')]));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A store: snapshot with an index, then journaled writes.  Returns the expected dump. */
async function build(opts) {
  const db = await open({ ...opts, durability: 'always', autosave: false });
  await db.createIndex('i', { prefix: 'd:', schema: { v: { type: 'VECTOR', algorithm: 'FLAT', dim: 2, distance: 'L2' }, t: 'TAG' } });
  for (let i = 0; i < 10; i++) await db.hset(`d:${i}`, { v: new Float32Array([i, 1]), t: 'a' });
  await db.save();
  for (let i = 10; i < 20; i++) await db.hset(`d:${i}`, { v: new Float32Array([i, 2]), t: 'b' });
  await db.command('HDEL', 'd:3', 't');
  const expected = await dump(db);
  const m = { ...db.persister.manifest };
  await db.close();
  return { expected, manifest: m };
}

const kinds = {
  files: () => {
    const dir = tmp();
    return {
      opts: { dir },
      names: () => readdirSync(dir),
      hash: () => hashDir(dir),
      remove: (n) => unlinkSync(join(dir, n)),
      put: (n, b) => writeFileSync(join(dir, n), b),
      get: (n) => readFileSync(join(dir, n)),
      done: () => rmSync(dir, { recursive: true, force: true }),
    };
  },
  memory: () => {
    const mem = new MemoryStorage();
    return {
      opts: { storage: mem },
      names: () => [...mem.blobs.keys()],
      hash: () => hashMem(mem),
      remove: (n) => mem.blobs.delete(n),
      put: (n, b) => mem.blobs.set(n, [Uint8Array.from(b)]),
      get: (n) => Buffer.concat(mem.blobs.get(n)),
      done: () => {},
    };
  },
};

for (const [kind, make] of Object.entries(kinds)) {
  test(`a missing MANIFEST is refused and nothing is deleted (${kind})`, async () => {
    const s = make();
    const { expected } = await build(s.opts);
    s.remove('MANIFEST');
    const before = s.hash();
    await assert.rejects(open(s.opts), (e) => /MANIFEST is missing but the storage holds .*nothing was changed/.test(e.message) && /snapshot-000002\.vsnap/.test(e.message) && /journal-000002\.aof/.test(e.message));
    assert.deepEqual(s.hash(), before);
    assert.ok(s.names().includes('snapshot-000002.vsnap') && s.names().includes('journal-000002.aof'));
    // A new store still opens (no manifest, no store files), and an
    // interrupted first open (an empty journal-000001 only) too.
    const t = make();
    t.put('journal-000001.aof', Buffer.alloc(0));
    const db = await open(t.opts);
    await db.hset('a', { f: '1' });
    await db.close();
    const again = await open(t.opts);
    assert.equal(await again.hget('a', 'f'), '1');
    await again.close();
    // The store with its MANIFEST restored is intact.
    s.done();
    t.done();
    void expected;
  });

  test(`recoverManifest rebuilds a lost MANIFEST from the newest snapshot and its journal (${kind})`, async () => {
    // A saved store, and one never saved (journal-000001 only).
    for (const saved of [true, false]) {
      const s = make();
      let expected;
      if (saved) {
        ({ expected } = await build(s.opts));
      } else {
        const db = await open({ ...s.opts, durability: 'always', autosave: false });
        for (let i = 0; i < 5; i++) await db.hset(`k:${i}`, { f: `${i}` });
        expected = await dump(db);
        await db.close();
      }
      const good = s.get('MANIFEST');
      s.remove('MANIFEST');
      // An interrupted later save leaves an older superseded pair around too.
      if (saved) s.put('snapshot-000001.vsnap', Buffer.from('an old snapshot a save had not removed yet'));
      const db = await open({ ...s.opts, recoverManifest: true, autosave: false });
      assert.match(db.loadReport.recovered, saved ? /rebuilt from snapshot-000002\.vsnap and journal-000002\.aof/ : /rebuilt from no snapshot and journal-000001\.aof/);
      assert.equal(await dump(db), expected);
      await db.hset('after', { f: 'x' });
      await db.close();
      if (saved) assert.ok(s.names().includes('snapshot-000001.vsnap'), 'a rebuilt manifest removes nothing');
      const m = JSON.parse(s.get('MANIFEST'));
      assert.deepEqual({ ...m, savedAt: 0 }, { ...JSON.parse(good), savedAt: 0 });
      const again = await open({ ...s.opts, autosave: false });
      assert.equal(await again.hget('after', 'f'), 'x');
      await again.close();
      s.done();
    }
    // A non-empty journal newer than every snapshot cannot be placed: refused, unchanged.
    const s = make();
    await build(s.opts);
    s.remove('MANIFEST');
    s.put('journal-000003.aof', Buffer.from('*1\r\n$4\r\nPING\r\n'));
    const before = s.hash();
    await assert.rejects(open({ ...s.opts, recoverManifest: true }), /journal-000003\.aof is newer than every snapshot.*nothing was changed/);
    assert.deepEqual(s.hash(), before);
    // A damaged newest snapshot is refused, unchanged (never an empty store).
    s.remove('journal-000003.aof');
    const snap = s.get('snapshot-000002.vsnap');
    snap[snap.length >> 1] ^= 0x10;
    s.put('snapshot-000002.vsnap', snap);
    const before2 = s.hash();
    await assert.rejects(open({ ...s.opts, recoverManifest: true }), /Bad snapshot/);
    assert.deepEqual(s.hash(), before2);
    s.done();
  });

  test(`a missing journal is refused unless repairJournal; a missing snapshot is refused (${kind})`, async () => {
    const s = make();
    const { manifest } = await build(s.opts);
    const journal = s.get(manifest.journal);
    s.remove(manifest.journal);
    let before = s.hash();
    await assert.rejects(open(s.opts), /journal journal-000002\.aof named by the MANIFEST is missing.*repairJournal/);
    assert.deepEqual(s.hash(), before);
    const db = await open({ ...s.opts, repairJournal: true });
    assert.match(db.loadReport.repaired, /journal-000002\.aof was missing/);
    assert.equal(await db.exists('d:15'), 0); // lost, as reported
    assert.equal(await db.exists('d:5'), 1); // the snapshot's
    await db.close();
    s.put(manifest.journal, journal);
    s.remove(manifest.snapshot);
    before = s.hash();
    await assert.rejects(open(s.opts), /snapshot snapshot-000002\.vsnap named by the MANIFEST is missing/);
    assert.deepEqual(s.hash(), before);
    s.done();
  });

  test(`a damaged MANIFEST is a clear error, never a crash or an empty store (${kind})`, async () => {
    const s = make();
    const { expected } = await build(s.opts);
    const good = s.get('MANIFEST');
    const cases = [
      ['empty', Buffer.alloc(0), /MANIFEST is damaged \(not JSON/],
      ['truncated', good.subarray(0, good.length >> 1), /MANIFEST is damaged \(not JSON/],
      ['garbage', Buffer.from('\x00\xffgarbage'), /MANIFEST is damaged/],
      ['array', Buffer.from('[1,2]'), /MANIFEST is damaged \(not an object\)/],
      ['no journal key', Buffer.from(good.toString().replace('"journal"', '"jgurnal"')), /MANIFEST is damaged \(journal/],
      ['seq off', Buffer.from(good.toString().replace('"seq":2', '"seq":3')), /MANIFEST is damaged/],
      ['newer format', Buffer.from(good.toString().replace('"journalFormat":2', '"journalFormat":3')), /unknown journal format 3/],
    ];
    for (const [what, bytes, re] of cases) {
      s.put('MANIFEST', bytes);
      const before = s.hash();
      await assert.rejects(open(s.opts), re, what);
      assert.deepEqual(s.hash(), before, what);
    }
    s.put('MANIFEST', good);
    const db = await open(s.opts);
    assert.equal(await dump(db), expected);
    await db.close();
    s.done();
  });

  test(`open removes only what an interrupted save left; unknown store files are refused (${kind})`, async () => {
    const s = make();
    const { expected, manifest } = await build(s.opts);
    // An interrupted save: the next snapshot written, the next journal empty.
    s.put('snapshot-000003.vsnap', s.get(manifest.snapshot));
    s.put('journal-000003.aof', Buffer.alloc(0));
    s.put('snapshot-000001.vsnap', Buffer.from('an old one')); // superseded
    s.put('notes.txt', Buffer.from('not ours'));
    let db = await open(s.opts);
    assert.deepEqual(db.loadReport.removed.sort(), ['journal-000003.aof', 'snapshot-000001.vsnap', 'snapshot-000003.vsnap']);
    assert.equal(await dump(db), expected);
    await db.close();
    assert.ok(s.names().includes('notes.txt'));
    // A non-empty journal newer than the manifest: data the manifest does not know.
    s.put('journal-000003.aof', Buffer.from('*1\r\n$8\r\nFLUSHALL\r\n'));
    let before = s.hash();
    await assert.rejects(open(s.opts), /journal-000003\.aof is not accounted for by the MANIFEST/);
    assert.deepEqual(s.hash(), before);
    s.remove('journal-000003.aof');
    s.put('snapshot-000009.vsnap', Buffer.from('x'));
    before = s.hash();
    await assert.rejects(open(s.opts), /snapshot-000009\.vsnap is not accounted for/);
    assert.deepEqual(s.hash(), before);
    s.remove('snapshot-000009.vsnap');
    db = await open(s.opts);
    assert.equal(await dump(db), expected);
    await db.close();
    s.done();
  });

  test(`random bit flips in a checked journal are refused, never replayed as other data (${kind})`, async () => {
    const s = make();
    const { expected, manifest } = await build(s.opts);
    const good = s.get(manifest.journal);
    const r = rng(SEED);
    let refused = 0;
    let torn = 0;
    const flips = 40;
    for (let n = 0; n < flips; n++) {
      const bad = Buffer.from(good);
      const at = Math.floor(r() * bad.length);
      bad[at] ^= 1 << Math.floor(r() * 8);
      s.put(manifest.journal, bad);
      const before = s.hash();
      try {
        const db = await open(s.opts);
        // Only a flip in the last group can read as a torn tail: reported, a prefix.
        assert.ok(db.loadReport.tornBytes > 0, `flip at ${at} opened silently`);
        assert.ok(at >= good.length - db.loadReport.tornBytes, `flip at ${at}`);
        torn++;
        await db.close();
      } catch (e) {
        assert.match(e.message, /Bad journal: (checksum mismatch|damaged record|the records at offset \d+ are not followed)/, `flip at ${at}`);
        assert.deepEqual(s.hash(), before);
        refused++;
      }
      s.put(manifest.journal, good);
      // remove a side blob a torn open kept
      for (const name of s.names()) if (name.includes('.cut-')) s.remove(name);
    }
    console.log(`${kind}: ${flips} flips (seed ${SEED}): ${refused} refused, ${torn} torn tails reported, 0 replayed silently`);
    const db = await open(s.opts);
    assert.equal(await dump(db), expected);
    await db.close();
    s.done();
  });

  test(`repairJournal cuts before the damaged group, keeps the cut bytes and reports (${kind})`, async () => {
    const s = make();
    const { manifest } = await build(s.opts);
    const good = s.get(manifest.journal);
    const bad = Buffer.from(good);
    const at = good.indexOf('d:15');
    bad[at + 2] ^= 4; // d:15 -> d:11: a different key, caught by the check
    s.put(manifest.journal, bad);
    await assert.rejects(open(s.opts), /Bad journal: checksum mismatch in the records at offset (\d+).*repairJournal/);
    const db = await open({ ...s.opts, repairJournal: true });
    assert.match(db.loadReport.repaired, /damage at offset \d+/);
    assert.ok(db.loadReport.cutBlob);
    assert.equal(await db.exists('d:14'), 1);
    assert.equal(await db.exists('d:15'), 0);
    assert.equal(await db.exists('d:11'), 1);
    assert.deepEqual(await db.hgetall('d:11'), { v: Buffer.from(new Float32Array([11, 2]).buffer).toString('latin1'), t: 'b' });
    const cut = s.get(db.loadReport.cutBlob);
    await db.close();
    assert.ok(cut.length > 0 && bad.subarray(bad.length - cut.length).equals(cut));
    s.done();
  });

  test(`a journal of format 1 (before check records) opens and is migrated to a checked one (${kind})`, async () => {
    const s = make();
    const { expected, manifest } = await build(s.opts);
    // Strip the check records and the format field: what older versions wrote.
    const plain = Buffer.from(s.get(manifest.journal).toString('latin1').replace(/\*2\r\n\$4\r\nPING\r\n\$26\r\nvessel-ck:[0-9a-f]{16}\r\n/g, ''), 'latin1');
    s.put(manifest.journal, plain);
    const m = JSON.parse(s.get('MANIFEST'));
    delete m.journalFormat;
    s.put('MANIFEST', Buffer.from(JSON.stringify(m)));
    // Under format 2 it would be damage; as format 1 it replays.
    let db = await open(s.opts);
    assert.equal(db.loadReport.journalFormat, 1);
    assert.equal(db.loadReport.migrated, true);
    assert.equal(await dump(db), expected);
    assert.equal(db.persister.manifest.journalFormat, 2);
    await db.hset('after', { f: '1' });
    await db.close();
    const nm = JSON.parse(s.get('MANIFEST'));
    assert.equal(nm.journalFormat, 2);
    assert.match(s.get(nm.journal).toString('latin1'), /vessel-ck:[0-9a-f]{16}\r\n$/);
    assert.ok(!s.names().includes(manifest.journal), 'the old journal was superseded');
    db = await open(s.opts);
    assert.equal(await db.hget('after', 'f'), '1');
    await db.close();
    s.done();
  });

  test(`one writer per store; CONFIG SET appendfsync and save take effect at once (${kind})`, async () => {
    const s = make();
    const db = await open({ ...s.opts, durability: 'no', autosave: false });
    await assert.rejects(open(s.opts), (e) => e.code === 'VESSEL_LOCKED');
    assert.equal(db.persister.timers.sync, null);
    let syncs = 0;
    const sync = db.persister.storage.sync.bind(db.persister.storage);
    db.persister.storage.sync = (n) => (syncs++, sync(n));
    assert.equal(await db.command('CONFIG', 'SET', 'appendfsync', 'everysec'), 'OK');
    assert.deepEqual(await db.command('CONFIG', 'GET', 'appendfsync'), ['appendfsync', 'everysec']);
    assert.match(await db.command('INFO', 'persistence'), /appendfsync:everysec/);
    assert.notEqual(db.persister.timers.sync, null);
    await db.hset('a', { f: '1' });
    for (let t = 0; t < 30 && !syncs; t++) await sleep(100);
    assert.ok(syncs > 0, 'everysec synced within a second or so');
    assert.equal(await db.command('CONFIG', 'SET', 'appendfsync', 'no'), 'OK');
    assert.equal(db.persister.timers.sync, null);
    // save: armed at once
    assert.equal(db.persister.timers.autosave, null);
    assert.equal(await db.command('CONFIG', 'SET', 'save', '1 1'), 'OK');
    assert.deepEqual(await db.command('CONFIG', 'GET', 'save'), ['save', '1 1']);
    assert.notEqual(db.persister.timers.autosave, null);
    await db.hset('b', { f: '2' });
    for (let t = 0; t < 40 && !(await db.command('LASTSAVE')); t++) await sleep(100);
    assert.ok((await db.command('LASTSAVE')) > 0, 'autosave ran');
    assert.equal(await db.command('CONFIG', 'SET', 'save', ''), 'OK');
    assert.equal(db.persister.timers.autosave, null);
    await assert.rejects(db.command('CONFIG', 'SET', 'appendfsync', 'sometimes'), /must be one of/);
    await db.close();
    const again = await open(s.opts); // released
    await again.close();
    s.done();
  });
}

test('the LOCK: the OS releases it when the holder is SIGKILLed; a live holder blocks; a bare pid never does', async () => {
  const dir = tmp();
  const holder = (code) =>
    spawn(process.execPath, ['--input-type=module', '-e', `
      import { open } from ${JSON.stringify(join(ROOT, 'js/node.js'))};
      const db = await open({ dir: ${JSON.stringify(dir)}, autosave: false });
      await db.hset('k', { f: 'v' });
      ${code}
      process.stdout.write('open\\n');
      setInterval(() => {}, 1000);`], { stdio: ['ignore', 'pipe', 'inherit'] });
  const ready = (p) => new Promise((res, rej) => {
    p.stdout.on('data', (d) => String(d).includes('open') && res());
    p.once('exit', (c) => rej(new Error(`holder exited ${c}`)));
  });
  const child = holder('');
  await ready(child);
  assert.ok(existsSync(join(dir, 'LOCK')));
  assert.equal(JSON.parse(readFileSync(join(dir, 'LOCK'), 'utf8')).pid, child.pid);
  await assert.rejects(open({ dir }), (e) => e.code === 'VESSEL_LOCKED' && e.message.includes(`pid ${child.pid}`));
  const ro = await open({ dir, readOnly: 'ifLocked' });
  assert.equal(ro.readOnly, true);
  await ro.close();
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  assert.ok(existsSync(join(dir, 'LOCK')), 'the LOCK file stays (information only)');
  const db = await open({ dir });
  assert.equal(await db.hget('k', 'f'), 'v');
  await db.close();
  // A LOCK file naming a live, unrelated process (this one; pid 1) does not block.
  for (const pid of [process.pid, 1]) {
    writeFileSync(join(dir, 'LOCK'), JSON.stringify({ pid }));
    const d = await open({ dir });
    await d.close();
  }
  writeFileSync(join(dir, 'LOCK'), String(process.pid)); // the old format
  await (await open({ dir })).close();
  rmSync(dir, { recursive: true, force: true });
});

test('vessel-server: CONFIG SET save and appendfsync act at once; --repair-journal', async () => {
  const dir = tmp();
  const srv = await startServer(['--dir', dir, '--save', '', '--appendfsync', 'no']);
  const c = await connect(srv.port);
  assert.equal(await c.send(['CONFIG', 'SET', 'save', '1 1']), 'OK');
  assert.deepEqual(await c.send(['CONFIG', 'GET', 'save']), ['save', '1 1']);
  assert.equal(await c.send(['CONFIG', 'SET', 'appendfsync', 'always']), 'OK');
  assert.deepEqual(await c.send(['CONFIG', 'GET', 'appendfsync']), ['appendfsync', 'always']);
  assert.match(await c.send(['INFO', 'persistence']), /appendfsync:always/);
  await c.send(['HSET', 'h', 'f', 'v']);
  let last = 0;
  for (let t = 0; t < 40 && !last; t++) {
    await sleep(100);
    last = await c.send(['LASTSAVE']);
  }
  assert.ok(last > 0, 'the autosave armed by CONFIG SET save ran');
  await c.send(['HSET', 'h', 'g', 'w']);
  c.close?.();
  await srv.stop('SIGKILL');
  // Damage the journal's record of HSET h g w.
  const m = JSON.parse(readFileSync(join(dir, 'MANIFEST'), 'utf8'));
  const jp = join(dir, m.journal);
  const j = readFileSync(jp);
  j[j.indexOf('$1\r\ng') + 4] ^= 2;
  writeFileSync(jp, j);
  await assert.rejects(startServer(['--dir', dir]), /Bad journal: checksum mismatch.*--repair-journal/);
  const fixed = await startServer(['--dir', dir, '--repair-journal']);
  assert.match(fixed.log(), /journal repaired \(--repair-journal\)/);
  const c2 = await connect(fixed.port);
  assert.deepEqual(await c2.send(['HGETALL', 'h']), ['f', 'v']);
  c2.close?.();
  await fixed.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('vessel-cli: a damaged journal is refused; --repair-journal (documented in --help) repairs it', async () => {
  const dir = tmp();
  const { manifest } = await build({ dir });
  const jp = join(dir, manifest.journal);
  const j = readFileSync(jp);
  j[j.indexOf('d:15') + 3] ^= 1;
  writeFileSync(jp, j);
  assert.match(spawnSync(process.execPath, [CLI, '--help'], { encoding: 'utf8' }).stdout, /--repair-journal/);
  let r = spawnSync(process.execPath, [CLI, '--dir', dir, 'EXISTS', 'd:14'], { encoding: 'utf8' });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /Bad journal: checksum mismatch.*--repair-journal/);
  r = spawnSync(process.execPath, [CLI, '--dir', dir, '--repair-journal', 'EXISTS', 'd:14'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), '1');
  assert.match(r.stderr, /journal repaired/);
  rmSync(dir, { recursive: true, force: true });
});

test('a checked journal piped into a real redis-server with redis-cli --pipe gives the same keyspace', async (t) => {
  if (spawnSync('redis-server', ['--version']).status !== 0) return t.skip('no redis-server');
  const dir = tmp();
  const db = await open({ dir, durability: 'always', autosave: false });
  const r = rng(SEED);
  for (let i = 0; i < 300; i++) {
    const k = `k:${Math.floor(r() * 60)}`;
    const x = r();
    if (x < 0.5) await db.hset(k, { a: String(i), b: Buffer.from([0, 13, 10, Math.floor(r() * 256)]), c: 'x y' });
    else if (x < 0.6) await db.command('HDEL', k, 'a');
    else if (x < 0.7) await db.del(k);
    else if (x < 0.75) await db.command('RENAME', k, `k:${Math.floor(r() * 60)}`).catch(() => {});
    else if (x < 0.85) await db.command('HINCRBYFLOAT', k, 'n', '0.5').catch(() => {});
    else if (x < 0.9) await db.command('SET', `s:${i % 5}`, `v${i}`);
    else await db.command('DEL', k, `k:${Math.floor(r() * 60)}`);
  }
  const expected = await dump(db);
  const journal = join(dir, db.persister.manifest.journal);
  await db.close();
  // A free loopback port.
  const port = await new Promise((res) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = s.address().port;
      s.close(() => res(p));
    });
  });
  const rdir = tmp();
  const redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', rdir], { stdio: 'ignore' });
  try {
    for (let i = 0; i < 50 && spawnSync('redis-cli', ['-p', String(port), 'PING']).stdout?.toString().trim() !== 'PONG'; i++) await sleep(100);
    const piped = spawnSync('redis-cli', ['-p', String(port), '--pipe'], { input: readFileSync(journal) });
    assert.equal(piped.status, 0, String(piped.stdout) + piped.stderr);
    assert.match(String(piped.stdout), /errors: 0, replies: \d+/);
    // Dump redis's keyspace the same way, through a Vessel-like client.
    const c = await connect(port);
    const shim = {
      commandBuffer: async (...a) => c.send(a, true),
      command: async (...a) => c.send(a),
    };
    assert.equal(await dump(shim), expected);
    c.close?.();
  } finally {
    redis.kill('SIGKILL');
    rmSync(rdir, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  }
});

test('maxmemory does not apply while replaying the journal (acknowledged writes are never dropped)', async () => {
  const storage = new MemoryStorage();
  const db = await open({ storage, durability: 'always', autosave: false });
  for (let i = 0; i < 100; i++) await db.hset(`k:${i}`, { f: 'x'.repeat(10000) });
  await db.close();
  // Reopened with a limit below what it holds: all of it loads, as Redis loads its AOF.
  const again = await open({ storage, durability: 'always', autosave: false, maxmemory: 100000 });
  assert.equal(await again.dbsize(), 100);
  assert.equal((await again.hget('k:99', 'f')).length, 10000);
  await assert.rejects(again.hset('more', { f: 'y' }), { message: /^OOM command not allowed/ });
  await again.close();
});

test('a store opened from a base snapshot keeps the journal it starts, even one an interrupted save left empty', async () => {
  const storage = new MemoryStorage();
  const db = await open({ storage, durability: 'always', autosave: false });
  await db.hset('k', { f: 'v' });
  await db.save(); // snapshot-000002 + journal-000002
  await db.close();
  // As a shipped base snapshot: no journal named; plus an empty next journal left behind.
  const m = JSON.parse(Buffer.concat(storage.blobs.get('MANIFEST')));
  storage.blobs.delete(m.journal);
  storage.blobs.set('MANIFEST', [Buffer.from(JSON.stringify({ ...m, journal: null }))]);
  storage.blobs.set(`journal-${String(m.seq + 1).padStart(6, '0')}.aof`, []);
  const a = await open({ storage, durability: 'always', autosave: false });
  assert.deepEqual(a.loadReport.removed, []);
  await a.hset('after', { f: 'x' });
  await a.close();
  const b = await open({ storage, durability: 'always', autosave: false });
  assert.equal(await b.hget('after', 'f'), 'x');
  assert.equal(await b.hget('k', 'f'), 'v');
  await b.close();
});
