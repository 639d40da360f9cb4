// crash.test.js - crash loops: SIGKILL at random moments while several
// writers have acknowledged writes in flight under appendfsync always,
// including during SAVE, BGSAVE and autosave; restart on the same
// directory and check every acknowledged write and the indexes
// (tests/crash/lib.js verify()); go on writing on the recovered store.
//
//  1. vessel-server: 4-8 raw-socket writers (HSET with vectors, TAG and
//     NUMERIC and TEXT fields, overwrites, HDEL, DEL, RENAME in their own keys), a
//     bulk writer (1,000-4,000 documents loaded first, then deletes among
//     the newest and re-creates), an admin connection sending SAVE/BGSAVE,
//     FT.CREATE (an HNSW and a FLAT index, at the start or once data
//     exists, so backfill is in flight; sometimes dropped and created
//     again), autosave every second.  Kill: after 20-800 ms, 0-12 ms after
//     a SAVE/BGSAVE is sent, while INFO says an autosave runs, or later.
//  2. the in-process API: a child (writer-child.js) writing with
//     `await db.hset(...)` etc. and saving at random, autosave every
//     second, killed; the parent reopens the directory in-process and checks.
//  3. large saves (a store of CRASH_BIG_MB of values) killed at random
//     points of the save: the store opens with all acknowledged data, and
//     the files the manifest names are there.
//  4. a deterministic case: SAVE while a new index backfills, SIGKILL, restart.
// After every kill the files MANIFEST names must exist.
//
// Seeded: SEED=<n> replays the same writes and kill plans (the kills'
// exact moments still depend on timing).  A failure names its seed.
// CRASH_ROUNDS (kills per target, default 28; `make test-long` runs 90), CRASH_ROUNDS_PER_SEED (kills
// on one store before a fresh one, default 6), CRASH_BIG_KILLS (default 4),
// CRASH_BIG_MB (default 200), CRASH_KEEP=1 keeps a failed run's directory.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { open } from '../../js/node.js';
import { ReplyError } from '../../js/resp.js';
import { connect } from '../server/helpers.js';
import { CLOSED, INDEXES, Model, between, describe, docWrite, mix, nextWrite, prng, replyOk, sleep, verify } from './lib.js';

const SERVER = new URL('../../js/server.js', import.meta.url).pathname;
const CHILD = new URL('./writer-child.js', import.meta.url).pathname;
const SEED = process.env.SEED !== undefined ? Number(process.env.SEED) : Math.floor(Math.random() * 1e9);
const ROUNDS = Number(process.env.CRASH_ROUNDS ?? 28);
const PER_SEED = Number(process.env.CRASH_ROUNDS_PER_SEED ?? 6);
const BIG_KILLS = Number(process.env.CRASH_BIG_KILLS ?? 4);
const BIG_MB = Number(process.env.CRASH_BIG_MB ?? 200);
const KEEP = !!process.env.CRASH_KEEP; // keep the directories of failed runs

const procs = new Set(); // every child process still alive: killed in after()
const dirs = new Set();
const totals = { kills: 0, killsInSave: 0, midSave: 0, acked: 0, keysChecked: 0, queries: 0, rounds: 0, recall: [] };

after(() => {
  for (const p of procs) p.kill('SIGKILL');
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  const recall = totals.recall.length ? (totals.recall.reduce((a, b) => a + b, 0) / totals.recall.length).toFixed(3) : '-';
  console.log(`crash loops: seed=${SEED}, ${totals.kills} SIGKILLs survived (${totals.killsInSave} timed into a save, ` +
    `${totals.midSave} left a partly written snapshot behind), ` +
    `${totals.acked} acknowledged writes verified, ${totals.keysChecked} key states and ${totals.queries} index queries checked, ` +
    `HNSW recall@10 ${recall}`);
});

function tmp(name) {
  const d = mkdtempSync(join(tmpdir(), `vessel-crash-${name}-`));
  dirs.add(d);
  return d;
}

/** Tag a failure with its seed (and keep its directory with CRASH_KEEP=1). */
function seeded(seed, dir, e) {
  if (KEEP) dirs.delete(dir);
  e.message = `seed=${seed} (SEED=${seed} reproduces${KEEP ? `; dir ${dir}` : ''}): ${e.message}`;
  return e;
}

function withTimeout(p, ms, what) {
  let t;
  return Promise.race([p, new Promise((_, rej) => {
    t = setTimeout(() => rej(new Error(`harness: timeout after ${ms} ms: ${what}`)), ms);
  })]).finally(() => clearTimeout(t));
}

/** Spawn a process, tracked for after(); { proc, exited, log() }. */
function track(args, stdio = ['ignore', 'pipe', 'pipe']) {
  const proc = spawn(process.execPath, args, { stdio });
  procs.add(proc);
  let log = '';
  proc.stderr?.on('data', (d) => {
    log += d;
    if (log.length > 1e5) log = log.slice(-5e4);
  });
  const exited = new Promise((res) => proc.once('exit', (code, signal) => {
    procs.delete(proc);
    res({ code, signal });
  }));
  return { proc, exited, log: () => log };
}

async function kill(p) {
  if (p.proc.exitCode === null && p.proc.signalCode === null) p.proc.kill('SIGKILL');
  return withTimeout(p.exited, 10000, 'a SIGKILLed process to exit');
}

/** vessel-server on `dir` (a free port), appendfsync always, autosave every second. */
async function startServer(dir) {
  const s = track([SERVER, '--dir', dir, '--port', '0', '--appendfsync', 'always', '--save', '1 1']);
  try {
    s.port = await withTimeout(new Promise((res, rej) => {
      const onData = () => {
        const m = /ready on [^:]+:(\d+)/.exec(s.log());
        if (m) {
          s.proc.stderr.off('data', onData);
          res(Number(m[1]));
        }
      };
      s.proc.stderr.on('data', onData);
      s.exited.then(({ code, signal }) => rej(new Error(`vessel-server did not start on the recovered store (exit ${code ?? signal}): ${s.log()}`)));
    }), 60000, `vessel-server to start on ${dir}`);
  } catch (e) {
    await kill(s);
    throw e;
  }
  return s;
}

/** A raw connection whose send() answers CLOSED once the server is gone (never hangs). */
async function conn(port) {
  const c = await connect(port);
  c.sock.on('error', () => {});
  return {
    get closed() {
      return c.closed;
    },
    send(args, binary) {
      if (c.closed) return Promise.resolve(CLOSED);
      return c.send(args, binary);
    },
    close: () => c.close(),
  };
}

/** The RENAMEs sent since the last check (for reports). */
function renames(model) {
  const out = [];
  for (const [k, h] of model.history) for (const l of h) if (/ RENAME /.test(l) && l.includes(` RENAME ${k} `)) out.push(l.replace(/^sent \S+ /, ''));
  return out.slice(-8);
}

const serverQuery = (c) => async (args, binary) => {
  const r = await withTimeout(c.send(args, binary), 60000, `reply to ${describe(args).slice(0, 80)}`);
  if (r === CLOSED) throw new Error(`harness: the server closed the connection during verification (${describe(args).slice(0, 80)})`);
  return r;
};

function addFigures(f) {
  totals.keysChecked += f.keys;
  totals.queries += f.queries;
  totals.acked += f.acked;
  totals.recall.push(...f.hnswRecall);
}

/** After a kill: the manifest's files are there; count kills that interrupted a snapshot write. */
function afterKill(dir, label) {
  checkManifest(dir, label);
  if (readdirSync(dir).some((n) => /^snapshot-.*\.tmp-/.test(n))) totals.midSave++;
}

/** The writes in flight at the kill, for failure reports. */
function inflight(model) {
  const f = model.inflight.map((x, w) => (x ? `writer ${w}: ${describe(x.args)}` : null)).filter(Boolean);
  return f.length ? `writes in flight at the kill: ${f.join('; ')}` : 'no write in flight at the kill';
}

// ---- 1. vessel-server -----------------------------------------------------------------

/** One store: `rounds` kills, each followed by a restart and a check. */
async function serverSeed(seed, rounds) {
  const dir = tmp('server');
  const r = prng(mix(seed, 1));
  const W = between(r, 4, 8);
  const K = between(r, 10, 30);
  const model = new Model(W, K, r() < 0.7 ? between(r, 1000, 4000) : 0);
  const plan = { h: r() < 0.6 ? 'start' : 'later', f: r() < 0.6 ? 'start' : 'later' };
  console.log(`# vessel-server seed=${seed}: ${W} writers x ${K + 3} keys, ${model.bulk} bulk docs, HNSW index ${plan.h}, FLAT index ${plan.f}`);
  let srv = await startServer(dir);
  let label = `vessel-server seed=${seed}`;
  try {
    for (let round = 0; round <= rounds; round++) {
      label = `vessel-server seed=${seed} round=${round}`;
      const admin = await conn(srv.port);
      if (round > 0) {
        const f = await verify(serverQuery(admin), model, prng(mix(seed, round, 7)), { label });
        addFigures(f);
        totals.kills++; // survived: restarted and checked
      }
      if (round === rounds) {
        admin.close();
        break;
      }
      const rr = prng(mix(seed, round, 2));
      for (const id of ['h', 'f']) {
        if (model.index[id] === 'none' && plan[id] === 'start') {
          const x = await admin.send(['FT.CREATE', ...INDEXES[id]]);
          assert.equal(x, 'OK', `${label}: FT.CREATE ${INDEXES[id][0]}: ${x}`);
          model.index[id] = 'acked';
        }
      }
      if (round === 0 && model.bulk) await bulkLoad(admin, model, rr);
      if (round > 0 && rr() < 0.25) {
        // Drop an index (acknowledged): it is created again during the round, over the data.
        const id = rr() < 0.5 ? 'h' : 'f';
        if (model.index[id] === 'acked') {
          const x = await admin.send(['FT.DROPINDEX', INDEXES[id][0]]);
          assert.equal(x, 'OK', `${label}: FT.DROPINDEX ${INDEXES[id][0]}: ${x}`);
          model.index[id] = 'none';
        }
      }
      const later = ['h', 'f'].filter((id) => model.index[id] === 'none');
      await serverRound(srv, admin, model, rr, round, later, label);
      await kill(srv);
      totals.rounds++;
      admin.close();
      afterKill(dir, label);
      try {
        srv = await startServer(dir);
      } catch (e) {
        e.message = `${label}: ${e.message}\n  ${inflight(model)}\n  recent RENAMEs: ${renames(model).join('; ') || '-'}`;
        throw e;
      }
    }
    await srv.proc.kill('SIGTERM');
    await withTimeout(srv.exited, 30000, 'vessel-server to stop on SIGTERM');
  } catch (e) {
    await kill(srv);
    if (!e.message.includes('seed=')) e.message = `${label}: ${e.message}`;
    throw seeded(seed, dir, e);
  }
  rmSync(dir, { recursive: true, force: true });
  dirs.delete(dir);
}

/** Write the bulk writer's documents (acknowledged before any kill), pipelined. */
async function bulkLoad(c, model, r) {
  const cmds = model.keysFor(model.writers).map((k, i) => docWrite(r, k, `bulk.${i}`));
  const replies = await withTimeout(Promise.all(cmds.map((a) => c.send(a))), 120000, 'the bulk load');
  replies.forEach((x, i) => {
    if (!replyOk(cmds[i], x)) throw new Error(`bulk load: ${describe(cmds[i])} answered ${x}`);
    model.set(cmds[i][1], cmds[i]);
  });
}

/** Writers and the admin run until the kill (the returned promise resolves once it happened). */
async function serverRound(srv, admin, model, r, round, later, label) {
  const conns = [];
  for (let w = 0; w <= model.writers; w++) conns.push(await conn(srv.port));
  const x = r();
  const mode = x < 0.45 ? 'timer' : x < 0.7 ? 'save' : x < 0.85 ? 'autosave' : 'long';
  let killed = false;
  let inSave = false;
  let errors = [];
  const doKill = (why) => {
    if (killed) return;
    killed = true;
    if (why) inSave = true;
    srv.proc.kill('SIGKILL');
  };
  const fallback = mode === 'timer' ? between(r, 20, 800) : mode === 'long' ? between(r, 800, 2500) : between(r, 900, 2600);
  const timer = setTimeout(() => doKill(null), fallback);
  const bulkKeys = model.keysFor(model.writers);
  const writer = async (w) => {
    const wr = prng(mix(r() * 2 ** 32, w));
    const c = conns[w];
    const bulk = w === model.writers;
    if (bulk && !model.bulk) return;
    for (let seq = 0; !killed; seq++) {
      let args;
      if (bulk) {
        // The bulk writer: deletes among the highest ids (the end of a backfill's range), re-creates.
        await sleep(between(wr, 1, 25));
        if (killed) return;
        const key = wr() < 0.6 ? bulkKeys[bulkKeys.length - 1 - Math.floor(wr() * bulkKeys.length * 0.15)] : bulkKeys[Math.floor(wr() * bulkKeys.length)];
        args = wr() < 0.6 ? ['DEL', key] : docWrite(wr, key, `bulk.${round}.${seq}`);
      } else {
        args = nextWrite(wr, w, model.K, model.get, `${w}.${round}.${seq}`);
      }
      model.send(w, args, `${round}.${seq}`);
      const reply = await c.send(args);
      if (reply === CLOSED) return;
      if (!replyOk(args, reply)) {
        errors.push(`${describe(args)} answered ${reply instanceof Error ? reply.message : JSON.stringify(reply)}`);
        doKill(null);
        return;
      }
      model.ack(w);
    }
  };
  const adminLoop = async () => {
    const ar = prng(mix(r() * 2 ** 32, 99));
    const creates = [...later];
    const t0 = Date.now();
    while (!killed) {
      if (creates.length && (mode === 'autosave' ? Date.now() - t0 > between(ar, 20, 300) : ar() < 0.5)) {
        await sleep(between(ar, 10, 200));
        if (killed) return;
        const id = creates.shift();
        model.index[id] = 'inflight';
        const x = await admin.send(['FT.CREATE', ...INDEXES[id]]);
        if (x === CLOSED) return;
        if (x !== 'OK') errors.push(`FT.CREATE ${INDEXES[id][0]} answered ${x}`);
        model.index[id] = 'acked';
        if (ar() < 0.5) {
          // Save while the new index's backfill is in flight.
          const cmd = ar() < 0.5 ? 'SAVE' : 'BGSAVE';
          const p = admin.send([cmd]);
          if (mode === 'save') setTimeout(() => doKill(cmd), between(ar, 0, 12));
          const y = await p;
          if (y === CLOSED) return;
          if (y instanceof Error && !/Background save already in progress/.test(y.message)) errors.push(`${cmd} answered ${y.message}`);
        }
        continue;
      }
      if (mode === 'autosave') {
        // Autosave fires once a second: kill while INFO says a save runs.
        const info = await admin.send(['INFO', 'persistence']);
        if (info === CLOSED) return;
        if (/rdb_bgsave_in_progress:1/.test(info)) doKill('autosave');
        await sleep(3);
        continue;
      }
      await sleep(between(ar, 30, 250));
      if (killed) return;
      const cmd = ar() < 0.5 ? 'SAVE' : 'BGSAVE';
      const p = admin.send([cmd]);
      if (mode === 'save' && Date.now() - t0 > 40) setTimeout(() => doKill(cmd), between(ar, 0, 12));
      const x = await p;
      if (x === CLOSED) return;
      if (x instanceof Error && !/Background save already in progress/.test(x.message)) errors.push(`${cmd} answered ${x.message}`);
    }
  };
  await withTimeout(Promise.all([...model.inflight.map((_, w) => writer(w)), adminLoop(), srv.exited]), 60000, `${label}: the round to end`);
  clearTimeout(timer);
  for (const c of conns) c.close();
  if (inSave) totals.killsInSave++;
  if (errors.length) throw new Error(`${label}: unexpected replies before the kill: ${errors.join('; ')}`);
}

test('vessel-server: SIGKILL at random moments (writes, SAVE, BGSAVE, autosave), restart, every acknowledged write and the indexes are there', { timeout: 30 * 60000 }, async () => {
  let done = 0;
  for (let seed = SEED; done < ROUNDS; seed++) {
    const n = Math.min(PER_SEED, ROUNDS - done);
    await serverSeed(seed, n);
    done += n;
  }
});

// ---- 2. the in-process API -------------------------------------------------------------

const decodeArgs = (json) => JSON.parse(json).map((a) => (typeof a === 'string' ? a : Buffer.from(a.b, 'base64')));

/** Open the directory in this process, check it against the model, close it. */
async function verifyInProcess(dir, model, r, label) {
  const db = await withTimeout(open({ dir, autosave: false }), 60000, `${label}: open`);
  try {
    const q = async (args, binary) => {
      try {
        return binary ? await db.commandBuffer(...args) : await db.command(...args);
      } catch (e) {
        if (e instanceof ReplyError) return e;
        throw e;
      }
    };
    return await verify(q, model, r, { label });
  } finally {
    await db.close();
  }
}

async function inProcessSeed(seed, rounds) {
  const dir = tmp('api');
  const r = prng(mix(seed, 5));
  const W = between(r, 3, 6);
  const K = between(r, 10, 25);
  const model = new Model(W, K, r() < 0.6 ? between(r, 1000, 3000) : 0);
  const plan = { h: r() < 0.5 ? 'start' : 'later', f: r() < 0.5 ? 'start' : 'later' };
  console.log(`# in-process API seed=${seed}: ${W} writers x ${K + 3} keys, ${model.bulk} bulk docs, HNSW index ${plan.h}, FLAT index ${plan.f}`);
  try {
    if (model.bulk) {
      // Data first (acknowledged): indexes created later by the child backfill over it.
      const db = await open({ dir, durability: 'always', autosave: false });
      const cmds = model.keysFor(model.writers).map((k, i) => docWrite(r, k, `bulk.${i}`));
      await db.pipeline(cmds);
      for (const c of cmds) model.set(c[1], c);
      await db.close();
    }
    for (let round = 0; round <= rounds; round++) {
      const label = `in-process API seed=${seed} round=${round}`;
      if (round > 0) {
        try {
          addFigures(await verifyInProcess(dir, model, prng(mix(seed, round, 8)), label));
          totals.kills++;
        } catch (e) {
          if (!e.message.startsWith(label)) e.message = `${label}: ${e.message}\n  ${inflight(model)}\n  recent RENAMEs: ${renames(model).join('; ') || '-'}`;
          throw e;
        }
      }
      if (round === rounds) break;
      const rr = prng(mix(seed, round, 6));
      const missing = ['h', 'f'].filter((id) => model.index[id] === 'none');
      const opts = {
        mode: 'writers', dir, seed, round, writers: W, K,
        createNow: missing.filter((id) => plan[id] === 'start' || round > 1),
        createLater: missing.filter((id) => plan[id] === 'later' && round <= 1),
      };
      await childRound(opts, model, rr, label);
      afterKill(dir, label);
      totals.rounds++;
    }
  } catch (e) {
    throw seeded(seed, dir, e);
  }
  rmSync(dir, { recursive: true, force: true });
  dirs.delete(dir);
}

async function childRound(opts, model, r, label) {
  const c = track([CHILD, JSON.stringify(opts)]);
  const x = r();
  const mode = x < 0.5 ? 'timer' : x < 0.85 ? 'save' : 'long';
  const delay = mode === 'timer' ? between(r, 20, 800) : mode === 'long' ? between(r, 800, 2500) : between(r, 900, 3000);
  const saveSkip = between(r, 0, 3); // kill in the (saveSkip+1)th save after ready
  let killed = false;
  let inSave = false;
  let ready = false;
  let error = null;
  const doKill = () => {
    if (killed) return;
    killed = true;
    c.proc.kill('SIGKILL');
  };
  let buf = '';
  let saves = 0;
  c.proc.stdout.on('data', (d) => {
    buf += d;
    let nl;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      try {
        if (line.startsWith('S ')) {
          const sp = line.indexOf(' ', 2);
          model.send(Number(line.slice(2, sp)), decodeArgs(line.slice(sp + 1)), `${opts.round}`);
        } else if (line.startsWith('A ')) model.ack(Number(line.slice(2)));
        else if (line.startsWith('C ')) model.index[line.slice(2)] = 'inflight';
        else if (line.startsWith('CA ')) model.index[line.slice(3)] = 'acked';
        else if (line === 'ready') {
          ready = true;
          setTimeout(doKill, delay);
        } else if (line === 'save-begin' && ready && mode === 'save' && saves++ === saveSkip) {
          inSave = true;
          setTimeout(doKill, between(r, 0, 3));
        } else if (line.startsWith('save-error')) error ??= line;
      } catch (e) {
        error ??= e.message;
        doKill();
      }
    }
  });
  const { code, signal } = await withTimeout(c.exited, 60000, `${label}: the writer child to be killed`).catch(async (e) => {
    await kill(c);
    throw e;
  });
  if (signal !== 'SIGKILL' || !killed) throw new Error(`${label}: the writer child exited by itself (${code ?? signal}): ${c.log()}`);
  if (error) throw new Error(`${label}: ${error}`);
  if (inSave) totals.killsInSave++;
}

test('in-process API: SIGKILL a child with concurrent awaited writes, saves and autosave; reopen, every acknowledged write and the indexes are there', { timeout: 30 * 60000 }, async () => {
  let done = 0;
  for (let seed = SEED; done < ROUNDS; seed++) {
    const n = Math.min(PER_SEED, ROUNDS - done);
    await inProcessSeed(seed, n);
    done += n;
  }
});

// ---- 3. large saves -----------------------------------------------------------------------

/** The files the manifest names must be there (a crash mid-save deletes nothing still needed). */
function checkManifest(dir, label) {
  const p = join(dir, 'MANIFEST');
  if (!existsSync(p)) return null;
  const m = JSON.parse(readFileSync(p, 'utf8'));
  const files = readdirSync(dir);
  if (m.snapshot) {
    assert.ok(existsSync(join(dir, m.snapshot)), `${label}: MANIFEST names ${m.snapshot}, which is gone (dir: ${files.join(' ')})`);
    assert.ok(statSync(join(dir, m.snapshot)).size > 0, `${label}: ${m.snapshot} is empty`);
    assert.ok(existsSync(join(dir, m.journal)), `${label}: MANIFEST names ${m.journal}, which is gone (dir: ${files.join(' ')})`);
  }
  return { m, files };
}

test(`large saves (${BIG_MB} MB) killed at random points: the store opens with all acknowledged data, the manifest's files are kept`, { timeout: 30 * 60000 }, async () => {
  const seed = SEED;
  const dir = tmp('big');
  const expectFile = join(tmp('big-expect'), 'expect.json');
  const r = prng(mix(seed, 9));
  const valueBytes = 2 << 20;
  const count = Math.max(4, Math.round((BIG_MB << 20) / valueBytes));
  const expect = { keys: {}, inflight: null };
  let saveMs = null;
  const seen = [];
  try {
    for (let round = 0; round <= BIG_KILLS; round++) {
      const label = `large save seed=${seed} round=${round}`;
      writeFileSync(expectFile, JSON.stringify(expect));
      const c = track([CHILD, JSON.stringify({ mode: 'big', dir, seed, round, count, valueBytes, rewrites: 3, expectFile })]);
      let buf = '';
      let error = null;
      let ready = false;
      let killed = false;
      let killAt = null;
      const done = new Promise((res) => {
        c.proc.stdout.on('data', (d) => {
          buf += d;
          let nl;
          while ((nl = buf.indexOf('\n')) >= 0) {
            const line = buf.slice(0, nl);
            buf = buf.slice(nl + 1);
            const f = line.split(' ');
            if (f[0] === 'S') expect.inflight = { key: f[1], ver: Number(f[2]) };
            else if (f[0] === 'A') {
              expect.keys[f[1]] = Number(f[2]);
              expect.inflight = null;
            } else if (f[0] === 'verified') {
              seen.push(line);
              if (round > 0) totals.kills++;
            }
            else if (f[0] === 'error' || f[0] === 'save-error') {
              error = line;
              res();
            } else if (f[0] === 'ready') ready = true;
            else if (f[0] === 'save-end' && ready && saveMs === null) saveMs = Number(f[1]); // the first round measures a whole save
            else if (f[0] === 'save-begin' && ready && saveMs !== null && killAt === null) {
              killAt = Math.floor(r() * saveMs * 1.1);
              setTimeout(() => {
                killed = true;
                c.proc.kill('SIGKILL');
                res();
              }, killAt);
            }
            if (round === BIG_KILLS && f[0] === 'verified') res(); // the last round only checks
          }
        });
        c.exited.then(() => res());
      });
      await withTimeout(done, 300000, `${label}: the large-save child`).catch(async (e) => {
        await kill(c);
        throw e;
      });
      await kill(c);
      if (error) throw new Error(`${label}: ${error}`);
      if (round < BIG_KILLS && !killed) throw new Error(`${label}: the child exited by itself: ${c.log()}`);
      if (round === BIG_KILLS) break;
      totals.killsInSave++;
      const mf = checkManifest(dir, label);
      console.log(`# ${label}: killed ${killAt} ms into a save of ~${saveMs} ms; manifest ${mf?.m.snapshot}; files ${mf?.files.join(' ')}`);
    }
    assert.equal(seen.length, BIG_KILLS + 1, `every reopen checked the data: ${seen.join('; ')}`);
    for (const s of seen) console.log(`# large save reopen: ${s}`);
    totals.acked += Object.keys(expect.keys).length;
  } catch (e) {
    throw seeded(seed, dir, e);
  }
  rmSync(dir, { recursive: true, force: true });
  dirs.delete(dir);
});

// ---- 4. a save while a backfill is in flight, then a kill --------------------------------

test('vessel-server: SAVE while a new index backfills (after the newest key was deleted), SIGKILL, restart: the store opens with everything', { timeout: 5 * 60000 }, async () => {
  const seed = SEED;
  const dir = tmp('backfill');
  const r = prng(mix(seed, 4));
  const model = new Model(0, 0, 3000);
  let srv = await startServer(dir);
  let label = `save mid-backfill seed=${seed}`;
  try {
    const c = await conn(srv.port);
    await bulkLoad(c, model, r);
    const last = model.keysFor(0).at(-1);
    model.set(last, ['DEL', last]); // frees the highest key id
    assert.equal(await c.send(['DEL', last]), 1);
    for (const id of ['h', 'f']) {
      assert.equal(await c.send(['FT.CREATE', ...INDEXES[id]]), 'OK');
      model.index[id] = 'acked';
    }
    const info = String(await c.send(['FT.INFO', INDEXES.h[0]]));
    assert.equal(await c.send(['SAVE']), 'OK');
    c.close();
    await kill(srv);
    afterKill(dir, label);
    label += ` (FT.INFO before SAVE: backfill_in_progress ${/backfill_in_progress,(\d)/.exec(info)?.[1]})`;
    srv = await startServer(dir);
    const q = await conn(srv.port);
    addFigures(await verify(serverQuery(q), model, r, { label }));
    totals.kills++;
    q.close();
    await kill(srv);
  } catch (e) {
    await kill(srv);
    if (!e.message.includes(label)) e.message = `${label}: ${e.message}`;
    throw seeded(seed, dir, e);
  }
  rmSync(dir, { recursive: true, force: true });
  dirs.delete(dir);
});
