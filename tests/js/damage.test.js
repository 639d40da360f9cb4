// damage.test.js - damaged data directories.  A real directory (files
// storage: a snapshot with an HNSW and a FLAT index, TAG and NUMERIC
// fields, a journal of acknowledged writes after it, a LOCK and a
// temporary file left by a crash; and a store never saved), then for
// each file in it: missing, truncated (several lengths, 0 included),
// bit-flipped (seeded positions), replaced by garbage; and foreign files
// added.  Each case is opened in-process (and a subset by vessel-server).
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

const SEED = Number(process.env.VESSEL_TEST_SEED ?? 7001);
console.log(`damage: seed ${SEED} (VESSEL_TEST_SEED to change)`);
const tmp = () => mkdtempSync(join(tmpdir(), 'vessel-damage-'));
const hashDir = (dir) =>
  Object.fromEntries(readdirSync(dir).sort().map((n) => [n, createHash('sha256').update(readFileSync(join(dir, n))).digest('hex')]));

async function content(db) {
  const out = [await dump(db)];
  for (const name of (await db.listIndexes()).sort()) {
    await db.indexReady(name);
    const info = await db.indexInfo(name);
    out.push(`${name}:${info.num_docs}`);
    const res = await db.search(name, '*=>[KNN 5 @v $q AS d]', { params: { q: new Float32Array([0.5, 0.5, 0.5, 0.5]) }, noContent: true });
    out.push(res.results.map((x) => x.key).join(','));
  }
  return out.join('\n');
}

/** Build a directory; returns { dir, history } (content after each acknowledged write of the journal). */
async function buildDir(saved) {
  const dir = tmp();
  const r = rng(SEED);
  const vec = () => new Float32Array([r(), r(), r(), r()]);
  const db = await open({ dir, durability: 'always', autosave: false });
  const history = [];
  if (saved) {
    await db.createIndex('h', { prefix: 'doc:', schema: { v: { type: 'VECTOR', algorithm: 'HNSW', dim: 4, distance: 'L2', m: 4 }, tag: 'TAG', n: 'NUMERIC' } });
    await db.createIndex('f', { prefix: 'doc:', schema: { v: { type: 'VECTOR', algorithm: 'FLAT', dim: 4, distance: 'COSINE' }, tag: 'TAG' } });
    for (let i = 0; i < 40; i++) await db.hset(`doc:${i}`, { v: vec(), tag: i % 2 ? 'a' : 'b', n: i });
    await db.save();
  }
  history.push(await content(db));
  for (let i = 0; i < 12; i++) {
    const x = r();
    if (x < 0.6) await db.hset(`doc:${Math.floor(r() * 50)}`, { v: vec(), tag: 'c', n: i * 10 });
    else if (x < 0.75) await db.command('HDEL', `doc:${Math.floor(r() * 40)}`, 'tag');
    else if (x < 0.9) await db.del(`doc:${Math.floor(r() * 40)}`);
    else await db.command('SET', `s:${i}`, `v${i}`);
    history.push(await content(db));
  }
  await db.close();
  // What a crash leaves: a LOCK naming a dead process, a temporary file.
  writeFileSync(join(dir, 'LOCK'), JSON.stringify({ pid: 2147483000, started: 1 }));
  writeFileSync(join(dir, `snapshot-000009.vsnap.tmp-2147483000`), Buffer.from('partial snapshot bytes'));
  return { dir, history };
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
    const db = await open({ dir, autosave: false, ...opts });
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
    for (const [what, mutate, meta = {}] of mutations(pristine, r)) {
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
          assert.ok(meta.truncatedTo === 0 && /journal/.test(meta.name), `${what}: a silent prefix`);
          outcome = 'journal emptied: an undetectable prefix';
        }
      }
      if (!res.error) {
        // Nothing the store needs, nothing foreign was deleted.
        const m = JSON.parse(readFileSync(join(d, 'MANIFEST'), 'utf8'));
        for (const n of [m.snapshot, m.journal]) if (n) assert.ok(existsSync(join(d, n)), `${what}: ${n} gone`);
        if (meta.foreign && !/^(journal|snapshot)-/.test(meta.foreign)) assert.ok(existsSync(join(d, meta.foreign)), `${what}: foreign file deleted`);
      }
      tally[outcome] = (tally[outcome] ?? 0) + 1;
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
