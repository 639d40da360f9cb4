// differential.test.js - seeded random command sequences over every keyspace
// command, sent to a real redis-server and to vessel-server (and to the
// in-process API), every reply compared.
//
// Modes:
//   a  one request at a time (RESP2, then a RESP3 connection after HELLO 3)
//   b  pipelined in random batches
//   c  pipelined, the bytes to vessel-server delivered in random fragments
//      down to single bytes
//   d  the in-process API (db.commandBuffer), replies compared decoded
// Replies are compared byte for byte, except those whose order is a hash
// table's (HGETALL: pairs as a multiset; HKEYS, HVALS, KEYS: multisets;
// SCAN: the set of keys over a full iteration).  At checkpoints the whole
// keyspace (every key's TYPE and contents) is compared too.
//
// Environment: SEED=<n> (or SEED=random) picks the sequences (default 1);
// DIFF_STEPS=<n> is the length of mode a's RESP2 sequence, the others
// scaled alike (default 12000: 90,000 replies compared, about 30 s);
// DIFF_MODES=a,c runs only those; DIFF_KEEP_GOING=1 logs every difference
// and goes on (the keyspaces are resynchronised after a checkpoint
// difference) instead of stopping at the first; DIFF_VESSEL_PORT=<port>
// compares a vessel-server already running there (its data is flushed).
//
// Expiry commands are generated with times that keep every reply
// deterministic (tests/diff/gen.js); TTLs of relative times compare within
// a tolerance, and the checkpoints compare each key's expiry (absolute
// times exactly, relative ones as present).  Left out on purpose
// (docs/compatibility.md): SCAN's cursor values (each server's own: only
// full iterations are compared), server-level commands other than PING,
// ECHO, SELECT 0, DBSIZE and FLUSHALL/FLUSHDB.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { open, ReplyError } from '../../js/index.js';
import { decode } from '../../js/resp.js';
import { ABS_TIMES, compareRaw, encode, encodeVariant, generate, makeRng, nearInts, parseRaw, show, showCommand } from '../diff/gen.js';
import { freePort, waitForPort } from '../net.js';
import { startServer } from './helpers.js';

const HAVE_REDIS = spawnSync('redis-server', ['--version']).status === 0;
const SKIP = !HAVE_REDIS && 'redis-server is not installed (make test installs it)';
const SEED = process.env.SEED === 'random' ? (Math.random() * 2 ** 31) >>> 0 : Number(process.env.SEED ?? 1);
const SCALE = process.env.DIFF_STEPS ? Number(process.env.DIFF_STEPS) / 12000 : 1;
const MODES = new Set((process.env.DIFF_MODES ?? 'a,b,c,d').split(','));
const KEEP_GOING = !!process.env.DIFF_KEEP_GOING;
const CHECK_EVERY = 250;
const steps = (n) => Math.max(1, Math.round(n * SCALE));

let redis;
let redisDir;
let redisPort;
let vessel;
const differences = [];

/** A raw RESP connection: write bytes, read whole replies as Buffers. */
class RawConn {
  static open(port) {
    return new Promise((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1', () => resolve(new RawConn(s))).on('error', reject);
    });
  }

  constructor(sock) {
    this.sock = sock;
    sock.setNoDelay(true);
    this.buf = Buffer.alloc(0);
    this.chunks = [];
    this.len = 0;
    this.need = 1;
    this.replies = [];
    this.waiters = [];
    this.closed = false;
    sock.on('data', (d) => {
      this.chunks.push(d);
      this.len += d.length;
      this.pump();
    });
    sock.on('close', () => {
      this.closed = true;
      for (const w of this.waiters.splice(0)) w.reject(new Error('connection closed'));
    });
    sock.on('error', () => {});
  }

  pump() {
    if (this.len < this.need) return;
    if (this.chunks.length) {
      this.buf = Buffer.concat([this.buf, ...this.chunks]);
      this.chunks = [];
    }
    for (;;) {
      if (!this.buf.length) {
        this.need = 1;
        return;
      }
      const r = parseRaw(this.buf, 0);
      if (r.need !== undefined) {
        this.need = r.need;
        return;
      }
      const reply = Buffer.from(this.buf.subarray(0, r.end));
      this.buf = this.buf.subarray(r.end);
      this.len = this.buf.length;
      const w = this.waiters.shift();
      if (w) {
        clearTimeout(w.timer);
        w.resolve(reply);
      } else this.replies.push(reply);
    }
  }

  /** The next reply (rejects after 30 s: a server that hangs fails the test). */
  next() {
    if (this.replies.length) return Promise.resolve(this.replies.shift());
    if (this.closed) return Promise.reject(new Error('connection closed'));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        reject(new Error('no reply within 30 s'));
      }, 30000);
      const w = { resolve, reject, timer };
      this.waiters.push(w);
    });
  }

  write(bytes) {
    return this.sock.write(bytes);
  }

  async call(args) {
    this.write(encode(args.map((a) => (Buffer.isBuffer(a) ? a : Buffer.from(a, 'latin1')))));
    return this.next();
  }

  close() {
    this.sock.destroy();
  }
}

before(async () => {
  if (!HAVE_REDIS) return;
  redisDir = mkdtempSync(join(tmpdir(), 'vessel-diff-'));
  redisPort = await freePort();
  redis = spawn('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no',
    '--dir', redisDir], { stdio: 'ignore', cwd: redisDir });
  if (!(await waitForPort(redisPort, { alive: () => redis.exitCode === null }))) throw new Error('redis-server did not start');
  vessel = process.env.DIFF_VESSEL_PORT
    ? { port: Number(process.env.DIFF_VESSEL_PORT), stop: async () => {} }
    : await startServer(['--no-cluster']);
});

after(async () => {
  redis?.kill();
  await vessel?.stop();
  if (redisDir) rmSync(redisDir, { recursive: true, force: true });
});

/** A difference: thrown at once, or logged and counted with DIFF_KEEP_GOING. */
function differ(ctx, i, args, want, got, why) {
  const msg = `difference (SEED=${ctx.seed} DIFF_MODES=${ctx.mode}, ${ctx.label} step ${i}${why ? `, ${why}` : ''}):\n` +
    `  command: ${showCommand(args)}\n  redis:   ${show(want)}\n  vessel:  ${show(got)}`;
  if (!KEEP_GOING) throw new assert.AssertionError({ message: msg });
  differences.push(msg);
  console.log(msg);
}

const isError = (b) => b[0] === 0x2d; // '-'

// ---- keyspace checkpoints -----------------------------------------------------

/** Every key with its type and contents, canonical (sorted); exec(args) -> decoded reply. */
async function dumpKeyspace(exec) {
  const keys = (await exec(['KEYS', '*'])).map((k) => Buffer.from(k).toString('latin1')).sort();
  const out = [];
  for (const k of keys) {
    const kb = Buffer.from(k, 'latin1');
    const type = await exec(['TYPE', kb]);
    let content;
    if (type === 'hash') {
      const flat = await exec(['HGETALL', kb]);
      const pairs = [];
      for (let j = 0; j < flat.length; j += 2) pairs.push(`${Buffer.from(flat[j]).toString('hex')}=${Buffer.from(flat[j + 1]).toString('hex')}`);
      content = pairs.sort().join(',');
    } else if (type === 'string') {
      content = Buffer.from(await exec(['GET', kb])).toString('hex');
    } else content = String(type);
    // The expiry: none, an absolute time (exactly), or a relative one (set
    // by each server's clock: present, not compared to the millisecond).
    const at = Number(await exec(['PEXPIRETIME', kb]));
    const ttl = at === -1 ? 'persistent' : ABS_TIMES.has(String(at)) ? `at ${at}` : 'relative';
    out.push(`${Buffer.from(k, 'latin1').toString('hex')} ${type} ${content} ${ttl}`);
  }
  return out;
}

async function checkpoint(ctx, i, execRedis, execVessel, resync) {
  const [a, b] = [await dumpKeyspace(execRedis), await dumpKeyspace(execVessel)];
  ctx.checkpoints++;
  if (a.join('\n') === b.join('\n')) return;
  const sa = new Set(a);
  const sb = new Set(b);
  const onlyA = a.filter((x) => !sb.has(x)).slice(0, 3);
  const onlyB = b.filter((x) => !sa.has(x)).slice(0, 3);
  differ(ctx, i, [Buffer.from('<keyspace checkpoint>')], Buffer.from(onlyA.join(' | ')), Buffer.from(onlyB.join(' | ')),
    `keyspaces differ (${a.length} / ${b.length} keys; entries are hex key, type, hex contents)`);
  await resync();
}

const netExec = (conn) => async (args) => {
  const [v] = decode(await conn.call(args), 0, true);
  if (v instanceof ReplyError) throw v;
  return v;
};

// ---- SCAN ---------------------------------------------------------------------

/** Iterate SCAN from args' cursor to the end; { error } (raw bytes) or { keys } (sorted, unique, latin1). */
async function scanAll(call, args) {
  const keys = new Set();
  let a = args;
  for (let n = 0; n < 1e6; n++) {
    const reply = await call(a);
    if (reply.error) return reply;
    const [cursor, batch] = reply.value;
    for (const k of batch) keys.add(Buffer.from(k).toString('latin1'));
    const c = Buffer.from(cursor).toString('latin1');
    if (c === '0') return { keys: [...keys].sort() };
    a = [a[0], Buffer.from(c), ...a.slice(2)];
  }
  return { error: 'SCAN did not finish' };
}

const netScanCall = (conn) => async (args) => {
  const raw = await conn.call(args);
  if (isError(raw)) return { error: raw };
  return { value: decode(raw, 0, true)[0], raw };
};

function compareScan(ctx, i, args, ra, rb) {
  if (ra.error || rb.error) {
    const ea = ra.error ? Buffer.from(ra.error) : Buffer.from('(keys)');
    const eb = rb.error ? Buffer.from(rb.error) : Buffer.from('(keys)');
    if (!ea.equals(eb)) differ(ctx, i, args, ea, eb, 'SCAN iteration');
    return;
  }
  const ja = ra.keys.join('\0');
  const jb = rb.keys.join('\0');
  if (ja !== jb) {
    differ(ctx, i, args, Buffer.from(ra.keys.map((k) => `"${show(k, 40)}"`).join(' ')),
      Buffer.from(rb.keys.map((k) => `"${show(k, 40)}"`).join(' ')), 'SCAN iteration: keys differ');
  }
}

/** 'scanany': a SCAN from a cursor of each server's own; only the error (or none) compares. */
function compareScanShape(ctx, i, args, a, b) {
  if (isError(a) || isError(b)) {
    if (!a.equals(b)) differ(ctx, i, args, a, b, 'SCAN error');
    return;
  }
  const va = parseRaw(a);
  const vb = parseRaw(b);
  if (va.type !== vb.type || va.items?.length !== 2 || vb.items?.length !== 2) differ(ctx, i, args, a, b, 'SCAN shape');
}

// ---- network modes ----------------------------------------------------------------

/** Write bytes to a connection in random fragments, yielding between them so they arrive as separate reads. */
async function writeFragments(conn, bytes, r) {
  let p = 0;
  while (p < bytes.length) {
    const left = bytes.length - p;
    const x = r.next();
    let n;
    if (left > 65536 && x < 0.9) n = r.range(4096, 65536);
    else if (x < 0.45) n = 1;
    else if (x < 0.8) n = r.range(2, 16);
    else n = r.range(17, 600);
    n = Math.min(n, left);
    conn.write(bytes.subarray(p, p + n));
    p += n;
    if (r.chance(0.05)) await new Promise((res) => setTimeout(res, 1));
    else await new Promise((res) => setImmediate(res));
  }
}

async function runNetwork(ctx, { seed, nsteps, proto = 2, batchMax = 1, fragment = false }) {
  const rc = await RawConn.open(redisPort);
  const vc = await RawConn.open(vessel.port);
  try {
    if (proto === 3) {
      for (const c of [rc, vc]) {
        const hello = await c.call(['HELLO', '3']);
        assert.equal(hello[0], 0x25, `HELLO 3: ${show(hello)}`);
      }
    }
    for (const c of [rc, vc]) assert.equal((await c.call(['FLUSHALL'])).toString(), '+OK\r\n');
    const seq = generate(seed, nsteps, { big: true, server: true });
    const r = makeRng(seed ^ 0x5bd1e995);
    const resync = async () => {
      await rc.call(['FLUSHALL']);
      await vc.call(['FLUSHALL']);
    };
    let nextCheck = CHECK_EVERY;
    let i = 0;
    while (i < seq.length) {
      if (seq[i].cmp === 'scan') {
        const { args } = seq[i];
        const [ra, rb] = await Promise.all([scanAll(netScanCall(rc), args), scanAll(netScanCall(vc), args)]);
        compareScan(ctx, i, args, ra, rb);
        ctx.compared++;
        i++;
      } else {
        let end = i + 1;
        const limit = Math.min(seq.length, i + (batchMax > 1 ? r.range(1, batchMax) : 1));
        while (end < limit && seq[end].cmp !== 'scan') end++;
        const bytes = Buffer.concat(seq.slice(i, end).map((s) => encodeVariant(r, s.args)));
        rc.write(bytes);
        if (fragment) await writeFragments(vc, bytes, r);
        else vc.write(bytes);
        for (let j = i; j < end; j++) {
          const [a, b] = await Promise.all([rc.next(), vc.next()]);
          const { args, cmp } = seq[j];
          if (cmp === 'scanany') compareScanShape(ctx, j, args, a, b);
          else {
            const why = compareRaw(a, b, cmp);
            if (why) differ(ctx, j, args, a, b, why);
          }
          ctx.compared++;
        }
        i = end;
      }
      if (i >= nextCheck || i === seq.length) {
        await checkpoint(ctx, i, netExec(rc), netExec(vc), resync);
        nextCheck += CHECK_EVERY;
      }
    }
  } finally {
    rc.close();
    vc.close();
  }
}

// ---- in-process mode ------------------------------------------------------------------

/** A decoded reply as a canonical string (bytes as hex); orderless replies sorted. */
function canon(v, cmp = 'exact') {
  if (v instanceof ReplyError) return `error:${v.message}`;
  if (v === null || v === undefined) return 'null';
  if (v instanceof Uint8Array) return `b:${Buffer.from(v).toString('hex')}`;
  if (typeof v === 'number') return `n:${v}`;
  if (typeof v === 'string') return `s:${v}`;
  if (Array.isArray(v)) {
    let items = v.map((x) => canon(x));
    if (cmp === 'set') items.sort();
    if (cmp === 'pairs') {
      const pairs = [];
      for (let j = 0; j < items.length; j += 2) pairs.push(`${items[j]}=${items[j + 1]}`);
      items = pairs.sort();
    }
    return `[${items.join(',')}]`;
  }
  return `${typeof v}:${String(v)}`;
}

async function runInProcess(ctx, { seed, nsteps, batchMax = 32 }) {
  const rc = await RawConn.open(redisPort);
  const db = await open();
  const run = async (args) => {
    try {
      return await db.commandBuffer(args[0], ...args.slice(1));
    } catch (e) {
      if (e instanceof ReplyError) return e;
      throw e;
    }
  };
  const redisValue = (raw) => decode(raw, 0, true)[0];
  try {
    assert.equal((await rc.call(['FLUSHALL'])).toString(), '+OK\r\n');
    const seq = generate(seed, nsteps, { big: true, server: false });
    const r = makeRng(seed ^ 0x2545f491);
    const resync = async () => {
      await rc.call(['FLUSHALL']);
      await run([Buffer.from('FLUSHALL')]);
    };
    const execVessel = async (args) => {
      const v = await run(args.map((a) => (Buffer.isBuffer(a) ? a : Buffer.from(a, 'latin1'))));
      if (v instanceof ReplyError) throw v;
      return v;
    };
    let nextCheck = CHECK_EVERY;
    let i = 0;
    while (i < seq.length) {
      const { args, cmp } = seq[i];
      if (cmp === 'scan') {
        const vcall = async (a) => {
          const v = await run(a);
          return v instanceof ReplyError ? { error: `-${v.message}\r\n` } : { value: v };
        };
        const [ra, rb] = [await scanAll(netScanCall(rc), args), await scanAll(vcall, args)];
        compareScan(ctx, i, args, ra, rb);
        ctx.compared++;
        i++;
      } else {
        // Redis gets the batch pipelined (faster); the store runs it one by one.
        let end = i + 1;
        const limit = Math.min(seq.length, i + r.range(1, batchMax));
        while (end < limit && seq[end].cmp !== 'scan') end++;
        rc.write(Buffer.concat(seq.slice(i, end).map((s) => encode(s.args))));
        for (let j = i; j < end; j++) {
          const want = redisValue(await rc.next());
          const got = await run(seq[j].args);
          const c = seq[j].cmp;
          if (c === 'scanany') {
            const ea = want instanceof ReplyError ? want.message : 'ok';
            const eb = got instanceof ReplyError ? got.message : 'ok';
            if (ea !== eb) differ(ctx, j, seq[j].args, Buffer.from(ea), Buffer.from(eb), 'SCAN error');
          } else if (c === 'near' && typeof want === 'number' && typeof got === 'number') {
            if (!nearInts(want, got)) differ(ctx, j, seq[j].args, Buffer.from(String(want)), Buffer.from(String(got)), 'times differ');
          } else {
            const [ca, cb] = [canon(want, c), canon(got, c)];
            if (ca !== cb) differ(ctx, j, seq[j].args, Buffer.from(ca), Buffer.from(cb), 'decoded values differ');
          }
          ctx.compared++;
        }
        i = end;
      }
      if (i >= nextCheck || i === seq.length) {
        await checkpoint(ctx, i, netExec(rc), execVessel, resync);
        nextCheck += CHECK_EVERY;
      }
    }
  } finally {
    rc.close();
    await db.close();
  }
}

// ---- the tests ---------------------------------------------------------------------

async function mode(t, name, label, fn) {
  const ctx = { seed: SEED, mode: name, label, compared: 0, checkpoints: 0 };
  const t0 = Date.now();
  await fn(ctx);
  t.diagnostic(`SEED=${SEED} mode ${name} (${label}): ${ctx.compared} replies, ${ctx.checkpoints} keyspace checkpoints, ${Date.now() - t0} ms`);
}

test('a: one request at a time, RESP2 and RESP3', { skip: SKIP || (!MODES.has('a') && 'DIFF_MODES') }, async (t) => {
  await mode(t, 'a', 'RESP2', (ctx) => runNetwork(ctx, { seed: SEED, nsteps: steps(12000) }));
  await mode(t, 'a', 'RESP3', (ctx) => runNetwork(ctx, { seed: SEED + 1, nsteps: steps(6000), proto: 3 }));
});

test('b: pipelined batches', { skip: SKIP || (!MODES.has('b') && 'DIFF_MODES') }, async (t) => {
  await mode(t, 'b', 'pipelined', (ctx) => runNetwork(ctx, { seed: SEED, nsteps: steps(30000), batchMax: 60 }));
  await mode(t, 'b', 'pipelined RESP3', (ctx) => runNetwork(ctx, { seed: SEED + 2, nsteps: steps(9000), batchMax: 60, proto: 3 }));
});

test('c: pipelined, delivered in random fragments', { skip: SKIP || (!MODES.has('c') && 'DIFF_MODES') }, async (t) => {
  await mode(t, 'c', 'fragments', (ctx) => runNetwork(ctx, { seed: SEED, nsteps: steps(9000), batchMax: 30, fragment: true }));
});

test('d: the in-process API against redis-server', { skip: SKIP || (!MODES.has('d') && 'DIFF_MODES') }, async (t) => {
  await mode(t, 'd', 'db.commandBuffer', (ctx) => runInProcess(ctx, { seed: SEED, nsteps: steps(24000) }));
});

test('no differences (DIFF_KEEP_GOING)', { skip: !KEEP_GOING && 'only with DIFF_KEEP_GOING' }, () => {
  assert.equal(differences.length, 0, `${differences.length} differences, first:\n${differences[0]}`);
});
