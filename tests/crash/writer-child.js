// writer-child.js - the process the crash loops SIGKILL (tests/crash/crash.test.js).
//
//   node writer-child.js '<json options>'
//
// mode "writers": opens the store in `dir` with durability 'always' and an
// autosave that fires every second, creates the indexes it is told to
// (some at once, some after data exists), and runs `writers` concurrent
// writers (await db.hset / db.del / HDEL / RENAME through db.command) on
// disjoint keys plus a saver calling db.save() at random.  It reports on
// stdout (blocking writes to fd 1, in the pipe before the write starts) before each write "S <w> <json>"
// and after its promise resolved "A <w>", "save-begin"/"save-end" around
// every save (autosave included), "C <id>"/"CA <id>" around FT.CREATE.
//
// mode "big": a store of large values (`count` keys of `valueBytes`):
// opens it, checks every key against `expect` (key -> version, with the
// versions in flight allowed too), rewrites a few keys, then saves in a
// loop ("save-begin", "save-end <ms>") so the parent can kill it mid-save.
import { readFileSync, writeSync } from 'node:fs';
import { open } from '../../js/node.js';
import { INDEXES, keysOf, nextWrite, prng, mix, sleep, between } from './lib.js';

const opts = JSON.parse(process.argv[2]);
// Reports go straight to fd 1 with a blocking write: process.stdout queues
// in this process when the pipe is full, and a SIGKILL would lose what it
// queued (the parent would miss a write that reached the store).
const out = (line) => {
  const b = Buffer.from(`${line}\n`);
  for (let o = 0; o < b.length;) {
    try {
      o += writeSync(1, b, o);
    } catch (e) {
      if (e.code !== 'EAGAIN') throw e;
    }
  }
};
const enc = (args) => JSON.stringify(args.map((a) => (typeof a === 'string' ? a : { b: Buffer.from(a).toString('base64') })));

function watchSaves(db) {
  const p = db.persister;
  const save = p.save.bind(p);
  p.save = (...a) => {
    const fresh = !p.saving;
    const t0 = performance.now();
    const pr = save(...a);
    if (fresh) {
      out('save-begin');
      pr.then(() => out(`save-end ${Math.round(performance.now() - t0)}`), (e) => out(`save-error ${e.message}`));
    }
    return pr;
  };
}

async function writers() {
  const db = await open({ dir: opts.dir, durability: 'always', autosave: opts.autosave ?? [[0, 1]] });
  watchSaves(db);
  const existing = await db.listIndexes();
  const create = async (id) => {
    if (existing.includes(INDEXES[id][0])) return;
    out(`C ${id}`);
    await db.command('FT.CREATE', ...INDEXES[id].slice(0));
    out(`CA ${id}`);
  };
  for (const id of opts.createNow ?? []) await create(id);
  // The writers' view of their keys: what the store holds now.
  const state = new Map();
  for (let w = 0; w < opts.writers; w++) {
    for (const k of keysOf(w, opts.K)) {
      const h = await db.hgetall(k, { binary: true });
      if (Object.keys(h).length) state.set(k, h);
    }
  }
  out('ready');
  let done = 0;
  const writer = async (w) => {
    const r = prng(mix(opts.seed, opts.round, w, 11));
    for (let seq = 0; ; seq++) {
      const args = nextWrite(r, w, opts.K, (k) => state.get(k) ?? null, `${w}.${opts.round}.${seq}`);
      out(`S ${w} ${enc(args)}`);
      const [cmd, key] = args;
      if (cmd === 'HSET') {
        const fields = {};
        for (let i = 2; i < args.length; i += 2) fields[args[i]] = args[i + 1];
        await db.hset(key, fields);
        state.set(key, { ...(state.get(key) ?? {}), ...fields });
      } else if (cmd === 'DEL') {
        await db.del(key);
        state.delete(key);
      } else if (cmd === 'HDEL') {
        await db.command('HDEL', key, args[2]);
        const h = { ...(state.get(key) ?? {}) };
        delete h[args[2]];
        if (Object.keys(h).length) state.set(key, h);
        else state.delete(key);
      } else {
        await db.command('RENAME', key, args[2]);
        state.set(args[2], state.get(key));
        state.delete(key);
      }
      out(`A ${w}`);
      done++;
      if (seq % 8 === 7) await sleep(0); // let the saver and the timers in
    }
  };
  const saver = async () => {
    const r = prng(mix(opts.seed, opts.round, 99));
    for (;;) {
      await sleep(between(r, 20, 250));
      if (r() < 0.6) await db.save();
    }
  };
  const later = async () => {
    const r = prng(mix(opts.seed, opts.round, 77));
    for (const id of opts.createLater ?? []) {
      await sleep(between(r, 10, 200));
      await create(id);
    }
  };
  await Promise.all([...Array.from({ length: opts.writers }, (_, w) => writer(w)), saver(), later()]);
}

/** The deterministic bytes of big key i at version v. */
export function bigValue(i, v, n) {
  const b = Buffer.allocUnsafe(n);
  let x = mix(i, v, 5) | 1;
  let o = 0;
  for (; o + 4 <= n; o += 4) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b.writeUInt32LE(x >>> 0, o);
  }
  for (; o < n; o++) b[o] = o & 255;
  return b;
}

async function big() {
  const t0 = performance.now();
  const db = await open({ dir: opts.dir, durability: 'always', autosave: false });
  watchSaves(db);
  const tOpen = performance.now() - t0;
  // Check everything acknowledged (or in flight) is there.
  const expect = opts.expectFile ? JSON.parse(readFileSync(opts.expectFile, 'utf8')) : { keys: {}, inflight: null };
  let verified = 0;
  for (const [k, v] of Object.entries(expect.keys)) {
    const i = Number(k.slice(4));
    const h = await db.hgetall(k, { binary: true });
    const allowed = [v];
    if (expect.inflight && expect.inflight.key === k) allowed.push(expect.inflight.ver);
    const ver = h.ver ? Number(Buffer.from(h.ver).toString()) : null;
    if (!allowed.includes(ver)) {
      out(`error ${k}: version ${ver} after the restart, expected ${allowed.join(' or ')} (acknowledged${expect.inflight?.key === k ? ' / in flight' : ''})`);
      process.exit(3);
    }
    if (!h.blob || !Buffer.from(h.blob).equals(bigValue(i, ver, opts.valueBytes))) {
      out(`error ${k}: version ${ver} but its ${h.blob?.length ?? 0}-byte value is not that version's`);
      process.exit(3);
    }
    verified++;
  }
  if (expect.inflight && !(expect.inflight.key in expect.keys)) {
    const h = await db.hgetall(expect.inflight.key, { binary: true });
    const ver = h.ver ? Number(Buffer.from(h.ver).toString()) : null;
    if (ver !== null && ver !== expect.inflight.ver) {
      out(`error ${expect.inflight.key}: version ${ver}, never written`);
      process.exit(3);
    }
  }
  const size = await db.dbsize();
  out(`verified ${verified} dbsize ${size} open ${Math.round(tOpen)} replayed ${db.loadReport.replayed} torn ${db.loadReport.tornBytes}`);
  // Fill up to `count` keys, then rewrite a few, each acknowledged.
  const r = prng(mix(opts.seed, opts.round, 3));
  const writes = [];
  for (let i = 0; i < opts.count; i++) if (!(`big:${i}` in expect.keys)) writes.push(i);
  for (let j = 0; j < opts.rewrites; j++) writes.push(between(r, 0, opts.count - 1));
  let n = 0;
  for (const i of writes) {
    const key = `big:${i}`;
    const ver = opts.round * 100000 + n++; // never written before
    out(`S ${key} ${ver}`);
    await db.hset(key, { blob: bigValue(i, ver, opts.valueBytes), ver: String(ver) });
    out(`A ${key} ${ver}`);
  }
  out('ready');
  for (;;) await db.save();
}

if (opts.mode === 'big') await big();
else await writers();
