// damage.test.js - damaged data directories.  A real directory (files
// storage: a snapshot with an HNSW and a FLAT index, TAG and NUMERIC
// fields, a journal of acknowledged writes after it, a LOCK and a
// temporary file left by a crash; and a store never saved), then for
// each file in it: missing, truncated (several lengths, 0 included),
// bit-flipped (seeded positions), replaced by garbage; and foreign files
// added.  Damage aimed at expiry too: the directory's keys have times (an
// `expires` section in the snapshot; PEXPIREAT, PERSIST, SET ... PXAT and
// DEL of expired keys in the journal), the contents compared include every
// key's absolute time, and the expires section and each kind of expiry
// record are bit-flipped, changed and truncated where they lie.  Each case
// is opened in-process (and a subset by vessel-server).  A last test feeds
// a snapshot damaged at every byte of its expires section into an open
// store with times of its own: refused, and the store, times and expiry
// heap included, as it was.
// The outcome must be one of:
//   refused   a clear error naming the problem, every file byte-identical
//   intact    a store holding exactly the acknowledged content
//   torn      a torn last record dropped and reported (loadReport.tornBytes,
//             its bytes kept in a side file): a prefix of the history
//   prefix    the journal cut at a record-group boundary (truncation to
//             0 bytes): undetectable, a prefix of the history (as in Redis)
// and a refused damaged journal opened with repairJournal must give a
// reported prefix of the history.  Never silently other data, never a
// deleted file the manifest needs.  The cases are counted and printed.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { open } from '../../js/node.js';
import { connect, startServer } from '../server/helpers.js';
import { dump, rng } from './helpers.js';
import { buildSnapshot, loadInto } from './snapshot-file.js';

const SEED = Number(process.env.VESSEL_TEST_SEED ?? 7001);
console.log(`damage: seed ${SEED} (VESSEL_TEST_SEED to change)`);
const tmp = () => mkdtempSync(join(tmpdir(), 'vessel-damage-'));
const hashDir = (dir) =>
  Object.fromEntries(readdirSync(dir).sort().map((n) => [n, createHash('sha256').update(readFileSync(join(dir, n))).digest('hex')]));

async function content(db) {
  const out = [await dump(db)];
  // Expiry times, absolute (read at clock 0, where nothing has expired).
  const keys = (await db.commandBuffer('KEYS', '*')).map((k) => Buffer.from(k)).sort(Buffer.compare);
  const times = [];
  for (const k of keys) times.push(await db.command('PEXPIRETIME', k));
  out.push(times.join(','));
  for (const name of (await db.listIndexes()).sort()) {
    await db.indexReady(name);
    const info = await db.indexInfo(name);
    out.push(`${name}:${info.num_docs}`);
    const res = await db.search(name, '*=>[KNN 5 @v $q AS d]', { params: { q: new Float32Array([0.5, 0.5, 0.5, 0.5]) }, noContent: true });
    out.push(res.results.map((x) => x.key).join(','));
  }
  return out.join('\n');
}

// The store's clock: far in the future, so that vessel-server (the real
// clock) sees no key past its time; contents are read at clock 0, where
// none is, so that every key the store still holds shows with its time.
const BASE = 4_000_000_000_000;

/** Build a directory; returns { dir, history } (content after each acknowledged write of the journal). */
async function buildDir(saved) {
  const dir = tmp();
  const r = rng(SEED);
  const vec = () => new Float32Array([r(), r(), r(), r()]);
  const clock = { now: BASE };
  const db = await open({ dir, durability: 'always', autosave: false, clock: () => clock.now, activeExpiry: false });
  const at0 = async () => {
    const t = clock.now;
    clock.now = 0;
    try {
      return await content(db);
    } finally {
      clock.now = t;
    }
  };
  const history = [];
  if (saved) {
    await db.createIndex('h', { prefix: 'doc:', schema: { v: { type: 'VECTOR', algorithm: 'HNSW', dim: 4, distance: 'L2', m: 4 }, tag: 'TAG', n: 'NUMERIC' } });
    await db.createIndex('f', { prefix: 'doc:', schema: { v: { type: 'VECTOR', algorithm: 'FLAT', dim: 4, distance: 'COSINE' }, tag: 'TAG' } });
    for (let i = 0; i < 40; i++) await db.hset(`doc:${i}`, { v: vec(), tag: i % 2 ? 'a' : 'b', n: i });
    // Times in the snapshot's expires section.
    for (let i = 0; i < 40; i += 4) await db.command('PEXPIREAT', `doc:${i}`, BASE + 500_000 + i);
    for (let j = 0; j < 2; j++) await db.command('SET', `s:pre:${j}`, `p${j}`, 'PXAT', BASE + 600_000 + j);
    await db.save();
  }
  history.push(await at0());
  // The journal's expiry records, among random writes: PEXPIREAT (the
  // EXPIRE family and GETEX), PERSIST, SET ... PXAT, DEL of a key given a
  // past time, of a key deleted on access, of keys the cycle reclaimed.
  const expiryOps = [
    () => db.command('PEXPIRE', 'doc:1', 100_000),
    () => db.command('PERSIST', 'doc:0'),
    () => db.command('SET', 's:a', 'va', 'PX', 50_000),
    () => db.command('GETEX', 's:a', 'EX', 100),
    () => db.command('EXPIRE', 'doc:2', -1),
    () => db.command('PEXPIREAT', 'doc:3', BASE + 10),
    async () => {
      clock.now = BASE + 20;
      await db.command('EXISTS', 'doc:3'); // deleted on access: DEL
    },
    () => db.command('PEXPIREAT', 'doc:5', BASE + 30),
    () => db.command('PEXPIREAT', 'doc:6', BASE + 31),
    async () => {
      clock.now = BASE + 40;
      db.expireNow(); // the cycle: DEL, DEL
      await db.command('PING'); // (its records go out with the next command's)
    },
  ];
  const ops = [];
  if (!saved) for (let i = 0; i < 8; i++) ops.push(() => db.hset(`doc:${i}`, { v: vec(), tag: 'a', n: i }));
  for (let i = 0; i < 12; i++) {
    ops.push(() => {
      const x = r();
      if (x < 0.6) return db.hset(`doc:${Math.floor(r() * 50)}`, { v: vec(), tag: 'c', n: i * 10 });
      if (x < 0.75) return db.command('HDEL', `doc:${Math.floor(r() * 40)}`, 'tag');
      if (x < 0.9) return db.del(`doc:${Math.floor(r() * 40)}`);
      return db.command('SET', `s:${i}`, `v${i}`);
    });
    if (expiryOps.length && i % 2 === 0) ops.push(expiryOps.shift(), ...(i >= 6 ? [expiryOps.shift()] : []));
  }
  ops.push(...expiryOps);
  for (const op of ops.filter(Boolean)) {
    await op();
    history.push(await at0());
  }
  await db.close();
  // What a crash leaves: a LOCK naming a dead process, a temporary file.
  writeFileSync(join(dir, 'LOCK'), JSON.stringify({ pid: 2147483000, started: 1 }));
  writeFileSync(join(dir, `snapshot-000009.vsnap.tmp-2147483000`), Buffer.from('partial snapshot bytes'));
  return { dir, history };
}

/** [offset, end] of the snapshot section of this type (header, payload, check), or null. */
function sectionOf(b, type) {
  let at = 16;
  while (at + 12 <= b.length) {
    const t = b.readUInt32LE(at);
    const len = Number(b.readBigUInt64LE(at + 4));
    if (t === type) return [at, at + 12 + len + 8];
    if (t === 0xffffffff) return null;
    at += 12 + len + 8;
  }
  return null;
}

const flip = (name, at, bit) => (d) => {
  const b = readFileSync(join(d, name));
  b[at] ^= 1 << bit;
  writeFileSync(join(d, name), b);
};

/** Damage aimed at the expiry parts: the snapshot's expires section, the journal's expiry records. */
function expiryMutations(dir, r) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const b = readFileSync(join(dir, name));
    if (/^snapshot-\d+\.vsnap$/.test(name)) {
      const sec = sectionOf(b, 6);
      assert.ok(sec, `${name} has no expires section`);
      const [s, e] = sec;
      const at = { type: s, length: s + 4, count: s + 12, id: s + 20, time: s + 24, 'time high byte': s + 31, 'last time': e - 9, check: e - 8 };
      for (const [what, pos] of Object.entries(at)) {
        const bit = Math.floor(r() * 8);
        out.push([`${name} expires section: bit ${bit} of its ${what} (byte ${pos}) flipped`, flip(name, pos, bit), { name }]);
      }
      for (const n of [s, s + 16, (s + e) >> 1, e - 1, e]) out.push([`${name} truncated to ${n} (expires section at ${s}..${e})`, (d) => truncateSync(join(d, name), n), { truncatedTo: n, name }]);
    }
    if (/^journal-\d+\.aof$/.test(name)) {
      const text = b.toString('latin1');
      for (const [rec, pattern] of [['PEXPIREAT', 'PEXPIREAT'], ['PERSIST', 'PERSIST'], ['SET ... PXAT', 'PXAT'], ['DEL', '$3\r\nDEL']]) {
        const i = text.indexOf(pattern);
        if (i < 0) continue;
        const start = text.lastIndexOf('*', i);
        const check = text.indexOf('vessel-ck:', i);
        const groupEnd = text.indexOf('\r\n', check + 10) + 2; // the end of its check record
        const checkStart = text.lastIndexOf('*', check);
        out.push([`${name} ${rec} record: bit flipped in its name`, flip(name, i + pattern.length - 1, Math.floor(r() * 8)), { name }]);
        // A digit of its last argument (a time, or the key) made another digit: still well-formed RESP.
        const p = text.lastIndexOf('\r\n$', checkStart - 3);
        const arg = text.indexOf('\r\n', p + 3) + 2;
        const digit = [...text.slice(arg, checkStart - 2)].findIndex((c) => c >= '0' && c <= '9');
        if (digit >= 0) {
          out.push([`${name} ${rec} record: a digit of its last argument changed`, (d) => {
            const c = readFileSync(join(d, name));
            c[arg + digit] = c[arg + digit] === 0x39 ? 0x30 : c[arg + digit] + 1;
            writeFileSync(join(d, name), c);
          }, { name }]);
        }
        for (const [where, n] of [['in the middle of', (start + checkStart) >> 1], ['before the check record of', checkStart], ['after the check record of', groupEnd]]) {
          out.push([`${name} truncated ${where} its ${rec} record (at ${n})`, (d) => truncateSync(join(d, name), n), { truncatedTo: n, name, boundary: where.startsWith('after') }]);
        }
      }
    }
  }
  return out;
}

function mutations(dir, r) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const len = readFileSync(join(dir, name)).length;
    out.push([`${name} missing`, (d) => unlinkSync(join(d, name))]);
    for (const n of [...new Set([0, 1, len >> 1, len - 1])].filter((n) => n >= 0 && n < len)) {
      out.push([`${name} truncated to ${n}`, (d) => truncateSync(join(d, name), n), { truncatedTo: n, name }]);
    }
    for (let k = 0; k < 6 && len; k++) {
      const at = Math.floor(r() * len);
      const bit = Math.floor(r() * 8);
      out.push([`${name} bit ${bit} of byte ${at} flipped`, (d) => {
        const b = readFileSync(join(d, name));
        b[at] ^= 1 << bit;
        writeFileSync(join(d, name), b);
      }, { name }]);
    }
    out.push([`${name} replaced by garbage`, (d) => writeFileSync(join(d, name), Buffer.from(Array.from({ length: Math.max(len, 16) }, () => Math.floor(r() * 256)))), { name }]);
  }
  for (const [f, bytes] of [['journal-000099.aof', '*1\r\n$8\r\nFLUSHALL\r\n'], ['snapshot-000000.vsnap', 'old'], ['notes.txt', 'mine'], ['MANIFEST.bak', '{}']]) {
    out.push([`foreign ${f} added`, (d) => writeFileSync(join(d, f), bytes), { foreign: f }]);
  }
  return out;
}

async function tryOpen(dir, opts = {}) {
  try {
    const db = await open({ dir, autosave: false, clock: () => 0, activeExpiry: false, ...opts });
    const c = await content(db);
    const report = db.loadReport;
    await db.close();
    return { c, report };
  } catch (e) {
    return { error: e };
  }
}

for (const saved of [true, false]) {
  test(`damaged directories (${saved ? 'snapshot + journal' : 'a store never saved'}): refused unchanged, intact, or a reported prefix`, async () => {
    const { dir: pristine, history } = await buildDir(saved);
    const expected = history[history.length - 1];
    const r = rng(SEED + (saved ? 1 : 2));
    const tally = {};
    let cases = 0;
    const serverCases = [];
    for (const [what, mutate, meta = {}] of [...mutations(pristine, r), ...expiryMutations(pristine, r)]) {
      const d = tmp();
      cpSync(pristine, d, { recursive: true });
      mutate(d);
      const before = hashDir(d);
      const res = await tryOpen(d);
      cases++;
      let outcome;
      if (res.error) {
        const m = res.error.message;
        assert.match(m, /^vessel: .*(MANIFEST|journal|snapshot|Bad)/, `${what}: unclear error ${m}`);
        assert.match(m, /nothing was changed on disk/, `${what}: ${m}`);
        assert.deepEqual(hashDir(d), before, `${what}: refused but the directory changed`);
        outcome = 'refused';
        if (/Bad journal/.test(m)) {
          const rep = await tryOpen(d, { repairJournal: true });
          assert.ok(!rep.error, `${what}: repairJournal failed: ${rep.error?.message}`);
          assert.ok(history.includes(rep.c), `${what}: the repaired store is not a prefix of the history`);
          assert.ok(rep.report.repaired && rep.report.cutBlob, `${what}: repair not reported`);
          outcome = 'refused, repaired to a prefix';
        }
      } else if (res.c === expected) {
        outcome = 'intact';
      } else {
        const k = history.indexOf(res.c);
        assert.ok(k >= 0, `${what}: opened with content that is not in the acknowledged history`);
        if (res.report.tornBytes > 0) {
          assert.ok(res.report.cutBlob && existsSync(join(d, res.report.cutBlob)), `${what}: torn bytes not kept`);
          outcome = 'torn tail dropped (reported), a prefix';
        } else {
          assert.ok((meta.truncatedTo === 0 || meta.boundary) && /journal/.test(meta.name), `${what}: a silent prefix`);
          outcome = meta.boundary ? 'journal cut after a check record: an undetectable prefix' : 'journal emptied: an undetectable prefix';
        }
      }
      if (!res.error) {
        // Nothing the store needs, nothing foreign was deleted.
        const m = JSON.parse(readFileSync(join(d, 'MANIFEST'), 'utf8'));
        for (const n of [m.snapshot, m.journal]) if (n) assert.ok(existsSync(join(d, n)), `${what}: ${n} gone`);
        if (meta.foreign && !/^(journal|snapshot)-/.test(meta.foreign)) assert.ok(existsSync(join(d, meta.foreign)), `${what}: foreign file deleted`);
      }
      tally[outcome] = (tally[outcome] ?? 0) + 1;
      if (process.env.DAMAGE_VERBOSE) console.log(`${what}: ${outcome}`);
      if (/missing|garbage|journal-000099/.test(what) || (/bit/.test(what) && serverCases.filter((c) => /bit/.test(c[0])).length < 3)) serverCases.push([what, d, before, outcome]);
      else rmSync(d, { recursive: true, force: true });
    }
    // The same through vessel-server, for a subset (fresh copies).
    for (const [what, , , outcome] of serverCases.splice(0, 8)) {
      const d = tmp();
      cpSync(pristine, d, { recursive: true });
      mutations(pristine, rng(SEED + (saved ? 1 : 2))).find((m) => m[0] === what)?.[1](d);
      const before = hashDir(d);
      cases++;
      try {
        const srv = await startServer(['--dir', d, '--save', '']);
        const c = await connect(srv.port);
        const shim = { commandBuffer: (...a) => c.send(a, true), command: (...a) => c.send(a) };
        const keys = await dump(shim);
        c.close();
        await srv.stop();
        assert.ok(!/^refused/.test(outcome), `${what}: vessel-server opened what open() refused`);
        assert.ok(history.some((h) => h.startsWith(`${keys}\n`) || h === keys), `${what}: vessel-server content not in the history`);
      } catch (e) {
        if (e.code === 'ERR_ASSERTION') throw e;
        assert.match(e.message, /vessel-server: vessel: .*nothing was changed on disk/, what);
        assert.deepEqual(hashDir(d), before, `${what}: vessel-server refused but changed the directory`);
      }
      rmSync(d, { recursive: true, force: true });
    }
    for (const [, d] of serverCases) rmSync(d, { recursive: true, force: true });
    rmSync(pristine, { recursive: true, force: true });
    console.log(`damage (${saved ? 'saved' : 'never saved'}): ${cases} cases: ${JSON.stringify(tally)}`);
  });
}


test('a damaged expires section fed into an open store with TTLs: refused, the store (times included) as it was', async () => {
  // A snapshot with times; then an open store with other keys and times.
  const clock = { now: BASE };
  const src = await open({ clock: () => clock.now, activeExpiry: false });
  await src.createIndex('f', { prefix: 'doc:', schema: { v: { type: 'VECTOR', algorithm: 'FLAT', dim: 4, distance: 'L2' }, tag: 'TAG' } });
  for (let i = 0; i < 12; i++) {
    await src.hset(`doc:${i}`, { v: new Float32Array([i, 1, 2, 3]), tag: 'a' });
    if (i % 2) await src.command('PEXPIREAT', `doc:${i}`, BASE + 1000 * i);
  }
  await src.command('SET', 's:1', 'x', 'PXAT', BASE + 777);
  const engine = src.engine;
  engine.saveBegin();
  const chunks = [];
  for (let c; (c = engine.saveNext(1 << 16)) && c.length;) chunks.push(Buffer.from(c));
  engine.saveEnd();
  await src.close();
  const good = Buffer.concat(chunks);
  const [s, e] = sectionOf(good, 6);

  const db = await open({ clock: () => clock.now, activeExpiry: false });
  await db.createIndex('f', { prefix: 'doc:', schema: { v: { type: 'VECTOR', algorithm: 'FLAT', dim: 4, distance: 'L2' }, tag: 'TAG' } });
  for (let i = 0; i < 20; i += 3) {
    await db.hset(`doc:${i}`, { v: new Float32Array([0, i, 0, 0]), tag: 'b' });
    await db.command('PEXPIREAT', `doc:${i}`, BASE + 500 * (i + 1));
  }
  const state = async () => {
    const keys = (await db.command('KEYS', '*')).map(String).sort();
    const times = [];
    for (const k of keys) times.push(`${k}@${await db.command('PEXPIRETIME', k)}`);
    const knn = await db.search('f', '*=>[KNN 20 @v $q]', { params: { q: new Float32Array([0, 0, 0, 0]) }, noContent: true });
    return [await dump(db), times.join(','), db.engine.nextExpiry(), db.engine.expiryStats().keysWithTtl, knn.results.map((x) => x.key).join(',')].join('\n');
  };
  const before = await state();
  const load = (bytes, size = bytes.length) => loadInto(db, bytes, size);
  const r = rng(SEED + 3);
  let cases = 0;
  // Every byte of the section (a seeded bit of each), then truncations within it.
  for (let at = s; at < e; at++) {
    const bad = Buffer.from(good);
    bad[at] ^= 1 << Math.floor(r() * 8);
    const err = load(bad);
    assert.ok(err && /^Bad snapshot/.test(err.message), `bit flip at ${at} (section ${s}..${e}) was loaded: ${err?.message}`);
    cases++;
  }
  for (let n = s; n <= e; n += 5) {
    const err = load(good.subarray(0, n), r() < 0.5 ? n : good.length);
    assert.ok(err && /^Bad snapshot/.test(err.message), `truncated to ${n} was loaded: ${err?.message}`);
    cases++;
  }
  assert.equal(await state(), before, 'the open store changed');
  // Its expiry still works: every time comes due and is reclaimed.
  clock.now = BASE + 1_000_000;
  assert.equal(db.expireNow(), 7);
  assert.equal(await db.dbsize(), 0);
  assert.equal((await db.indexInfo('f')).num_docs, 0);
  // And the good snapshot loads, times included.
  clock.now = BASE;
  assert.equal(load(good), null);
  assert.equal(await db.command('PEXPIRETIME', 'doc:3'), BASE + 3000);
  assert.equal(await db.command('PEXPIRETIME', 's:1'), BASE + 777);
  assert.equal(await db.dbsize(), 13);
  await db.close();
  console.log(`damage (expires section into an open store): ${cases} cases refused, the store unchanged`);
});


// A snapshot of several databases (format 2: a database section before
// each database's sections; indexes, aliases and times in several), damaged
// at sampled offsets of every section and at every byte of its database
// and aliases sections, and truncated at sampled lengths (each section's
// edges among them): fed into an open store that has databases, indexes,
// aliases and times of its own, each is refused and the store, every
// database of it, as it was; a sample opened as a data directory is
// refused with every file byte-identical.
test('a damaged snapshot of several databases: refused, every database of an open store and every file as it was', async () => {
  const clock = { now: BASE };
  const opts = { clock: () => clock.now, activeExpiry: false };
  const schema = (algo) => ['ON', 'HASH', 'PREFIX', '1', 'doc:', 'SCHEMA', 'tag', 'TAG', 'n', 'NUMERIC',
    'v', 'VECTOR', algo, ...(algo === 'HNSW' ? ['8', 'M', '4'] : ['6']), 'TYPE', 'FLOAT32', 'DIM', '4', 'DISTANCE_METRIC', 'L2'];
  const fillDbs = async (db, dbs, mark) => {
    for (const d of dbs) {
      await db.select(d);
      await db.command('FT.CREATE', 'idx', ...schema(d % 2 ? 'HNSW' : 'FLAT'));
      await db.command('FT.CREATE', `only${d}`, ...schema('FLAT'));
      await db.command('FT.ALIASADD', 'al', d % 2 ? 'idx' : `only${d}`);
      await db.command('FT.ALIASADD', `al${d}`, 'idx');
      for (let i = 0; i < 10; i++) {
        await db.hset(`doc:${mark}${i}`, { tag: `${mark}${d}`, n: i, v: new Float32Array([d, i, 1, 2]) });
        if (i % 3 === 0) await db.command('PEXPIREAT', `doc:${mark}${i}`, BASE + 1000 * (d + 1) + i);
      }
      await db.command('SET', `s:${mark}${d}`, 'x', 'PXAT', BASE + 5000 + d);
    }
    await db.select(0);
  };
  const dir = tmp();
  const src = await open({ dir, autosave: false, ...opts });
  await fillDbs(src, [0, 1, 2, 7], 'a');
  await src.select(15);
  await src.command('SET', 'last', 'db');
  await src.save();
  await src.close();
  const snapName = readdirSync(dir).find((n) => /^snapshot-\d+\.vsnap$/.test(n));
  const good = readFileSync(join(dir, snapName));
  assert.equal(good.readUInt32LE(8), 2, 'format 2: several databases');
  const sections = [];
  for (let at = 16; at + 12 <= good.length;) {
    const t = good.readUInt32LE(at);
    const end = at + 12 + Number(good.readBigUInt64LE(at + 4)) + 8;
    sections.push([t, at, end]);
    if (t === 0xffffffff) break;
    at = end;
  }
  const count = (t) => sections.filter((s) => s[0] === t).length;
  assert.equal(count(9), 4, 'a database section for each of 1, 2, 7, 15 (database 0\'s sections come first)');
  assert.equal(count(8), 4, 'an aliases section for each of 0, 1, 2, 7');

  const db = await open(opts);
  await fillDbs(db, [0, 1, 3], 'b');
  const state = async () => {
    const out = [];
    for (let d = 0; d < 16; d++) {
      await db.select(d);
      const list = (await db.command('FT._LIST')).map(String).sort();
      out.push(`db${d}: ${list.join(',')}`, await dump(db));
      const keys = (await db.command('KEYS', '*')).map(String).sort();
      const times = [];
      for (const k of keys) times.push(`${k}@${await db.command('PEXPIRETIME', k)}`);
      out.push(times.join(','));
      for (const n of [...list, 'al', `al${d}`]) {
        try {
          const r = await db.command('FT.SEARCH', n, '*=>[KNN 20 @v $q]', 'PARAMS', '2', 'q', new Float32Array([0, 0, 0, 0]), 'NOCONTENT', 'DIALECT', '2');
          out.push(`${n}: ${r.slice(1).map(String).join(',')}`);
        } catch (e) {
          out.push(`${n}: ${e.message}`);
        }
      }
    }
    await db.select(0);
    out.push(`next expiry ${db.engine.nextExpiry()} ttl keys ${db.engine.expiryStats().keysWithTtl}`);
    return out.join('\n');
  };
  const before = await state();
  const load = (bytes, size = bytes.length) => loadInto(db, bytes, size);
  const r = rng(SEED + 4);
  const damaged = []; // [what, bytes, size]
  for (const [t, s, e] of sections) {
    // Database and aliases sections: every byte; the others: their header, check and sampled payload bytes.
    const at = t === 9 || t === 8 ? Array.from({ length: e - s }, (_, i) => s + i)
      : [s, s + 4, s + 11, e - 8, e - 1, ...Array.from({ length: 6 }, () => s + 12 + Math.floor(r() * (e - s - 20)))];
    for (const pos of at) {
      const bad = Buffer.from(good);
      const bit = Math.floor(r() * 8);
      bad[pos] ^= 1 << bit;
      damaged.push([`section ${t} at ${s}..${e}: bit ${bit} of byte ${pos} flipped`, bad, bad.length]);
    }
    for (const n of [s, s + 1, s + 12, (s + e) >> 1, e - 1]) {
      damaged.push([`truncated to ${n} (section ${t} at ${s}..${e})`, good.subarray(0, n), r() < 0.5 ? n : good.length]);
    }
  }
  for (let k = 0; k < 10; k++) {
    const n = Math.floor(r() * good.length);
    damaged.push([`truncated to ${n}`, good.subarray(0, n), n]);
  }
  damaged.push(['header version 1 (database sections in a version 1 file)', Buffer.from(good).fill(1, 8, 9), good.length]);
  for (const [i, [what, bytes, size]] of damaged.entries()) {
    const err = load(bytes, size);
    assert.ok(err && /^Bad snapshot/.test(err.message), `${what} was loaded: ${err?.message}`);
    if (i % 40 === 0) assert.equal(await state(), before, `the open store changed after: ${what}`);
  }
  // Well-formed (every checksum right) but wrong: the database sections out
  // of order, repeated, out of range, a database without its keys, aliases
  // twice, naming a missing index, before the indexes, times in another
  // database, a version 1 header over database sections.
  const secs = sections.filter(([t]) => t !== 0xffffffff).map(([t, s, e]) => ({ t, p: Buffer.from(good.subarray(s + 12, e - 8)) }));
  const at = (t, k) => secs.map((x, i) => (x.t === t ? i : -1)).filter((i) => i >= 0)[k];
  const dbSec = (n) => ({ t: 9, p: Buffer.from(new Uint32Array([n]).buffer) });
  const aliasSec = (index, name) => {
    const p = Buffer.alloc(12 + name.length);
    p.writeUInt32LE(1);
    p.writeUInt32LE(index, 4);
    p.writeUInt32LE(name.length, 8);
    p.write(name, 12);
    return { t: 8, p };
  };
  const moved = (from, to) => {
    const x = [...secs];
    const [m] = x.splice(from, 1);
    x.splice(to, 0, m);
    return x;
  };
  const replaced = (i, by) => secs.map((x, j) => (j === i ? by : x));
  assert.equal(buildSnapshot(good, 2, secs).compare(good), 0, 'the snapshot rebuilt from its sections is the same file');
  const wrong = [
    ['version 1 over database sections', buildSnapshot(good, 1, secs), /two key sections/],
    ['database 2 then 1', buildSnapshot(good, 2, replaced(at(9, 1), dbSec(1))), /databases are out of order/],
    ['a database section naming 0', buildSnapshot(good, 2, replaced(at(9, 0), dbSec(0))), /databases are out of order/],
    ['a database section twice', buildSnapshot(good, 2, secs.flatMap((x, i) => (i === at(9, 0) ? [x, x] : [x]))), /databases are out of order/],
    ['database 16', buildSnapshot(good, 2, replaced(at(9, 3), dbSec(16))), /database number is out of range/],
    ['database 1 without its keys', buildSnapshot(good, 2, secs.filter((x, i) => i !== at(2, 1))), /Bad snapshot/],
    ['the file ending after a database section', buildSnapshot(good, 2, secs.slice(0, at(9, 3) + 1)), /a section is missing/],
    ['two aliases sections', buildSnapshot(good, 2, secs.flatMap((x, i) => (i === at(8, 1) ? [x, x] : [x]))), /two alias sections/],
    ['an alias naming a missing index', buildSnapshot(good, 2, replaced(at(8, 1), aliasSec(2, 'x'))), /alias names a missing index/],
    ['the aliases before the indexes', buildSnapshot(good, 2, moved(at(8, 1), at(9, 0) + 2)), /alias names a missing index/],
    ['database 1\'s times in database 2', buildSnapshot(good, 2, moved(at(6, 1), at(9, 1) + 2)), /Bad snapshot/],
  ];
  for (const [what, bytes, why] of wrong) {
    const err = load(bytes);
    assert.ok(err && /^Bad snapshot/.test(err.message), `${what} was loaded: ${err?.message}`);
    assert.match(err.message, why, what);
  }
  assert.equal(await state(), before, 'the open store changed by a well-formed wrong snapshot');
  assert.equal(await state(), before, 'the open store changed');
  // The good one loads: the source's databases replace the store's.
  assert.equal(load(good), null);
  await db.select(7);
  assert.equal(await db.dbsize(), 11);
  assert.equal((await db.command('FT.SEARCH', 'al', '@tag:{a7}', 'NOCONTENT', 'LIMIT', '0', '0'))[0], 10);
  await db.select(3);
  assert.equal(await db.dbsize(), 0);
  await db.close();

  // A sample as data directories: refused, nothing changed on disk.
  let opened = 0;
  for (let k = 0; k < damaged.length; k += Math.ceil(damaged.length / 12)) {
    const [what, bytes] = damaged[k];
    const d = tmp();
    cpSync(dir, d, { recursive: true });
    writeFileSync(join(d, snapName), bytes);
    const hashes = hashDir(d);
    const res = await tryOpen(d);
    assert.ok(res.error, `${what}: a damaged directory opened`);
    assert.match(res.error.message, /snapshot.*nothing was changed on disk/, what);
    assert.deepEqual(hashDir(d), hashes, `${what}: refused but the directory changed`);
    rmSync(d, { recursive: true, force: true });
    opened++;
  }
  // A store of 8 databases is refused a file with database 15, unchanged on disk.
  const small = await tryOpen(dir, { databases: 8 });
  assert.match(small.error?.message ?? '', /database number is out of range.*nothing was changed on disk/);
  rmSync(dir, { recursive: true, force: true });
  console.log(`damage (a snapshot of several databases): ${damaged.length} damaged and ${wrong.length} well-formed wrong snapshots refused by an open store, ${opened + 1} directories refused`);
});
