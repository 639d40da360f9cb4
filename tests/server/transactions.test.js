// transactions.test.js - MULTI/EXEC/DISCARD/WATCH/UNWATCH against the real
// redis-server: seeded random sequences over two connections (binary keys,
// the other connection writing to watched keys, queue-time mistakes,
// run-time errors inside EXEC), every reply compared byte for byte, one
// request at a time, pipelined, cut into random fragments, in RESP3 and
// through the in-process API with two engine clients; the keyspaces
// compared at checkpoints.  Then the client libraries' own transaction
// APIs (node-redis 6 and 4, ioredis, redis-py's pipeline) run the same
// scenario against both servers, with the same outcome.
//
// SEED=<n> (or random) picks the sequences; TX_STEPS=<n> their length
// (default 2500 per mode).
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { open } from '../../js/index.js';
import { decode } from '../../js/resp.js';
import { encode, makeRng, show, showCommand } from '../diff/gen.js';
import { generateTx } from '../diff/tx-gen.js';
import { freePort, waitForPort } from '../net.js';
import { rawClient, startServer } from './helpers.js';

const HAVE_REDIS = spawnSync('redis-server', ['--version']).status === 0;
const SKIP = !HAVE_REDIS && 'redis-server is not installed (make test installs it)';
const PY = '/usr/bin/python3';
const HAVE_PY = spawnSync(PY, ['-c', 'import redis'], { stdio: 'ignore' }).status === 0;
const SEED = process.env.SEED === 'random' ? (Math.random() * 2 ** 31) >>> 0 : Number(process.env.SEED ?? 1);
const STEPS = Number(process.env.TX_STEPS ?? 2500);

let redis;
let redisDir;
let redisPort;
let vessel;

before(async () => {
  if (!HAVE_REDIS) return;
  redisDir = mkdtempSync(join(tmpdir(), 'vessel-tx-'));
  redisPort = await freePort();
  redis = spawn('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no',
    '--dir', redisDir], { stdio: 'ignore', cwd: redisDir });
  if (!(await waitForPort(redisPort, { alive: () => redis.exitCode === null }))) throw new Error('redis-server did not start');
  vessel = await startServer(['--no-cluster']);
});

after(async () => {
  redis?.kill();
  await vessel?.stop();
  if (redisDir) rmSync(redisDir, { recursive: true, force: true });
});

/** Every key with its type and contents, canonical; call(args) -> raw reply. */
async function dump(call) {
  const [keys] = decode(await call(['KEYS', '*']), 0, true);
  const out = [];
  for (const k of keys.map((x) => Buffer.from(x)).sort(Buffer.compare)) {
    const [type] = decode(await call(['TYPE', k]), 0, false);
    let content;
    if (type === 'hash') {
      const [flat] = decode(await call(['HGETALL', k]), 0, true);
      const pairs = [];
      for (let j = 0; j < flat.length; j += 2) pairs.push(`${Buffer.from(flat[j]).toString('hex')}=${Buffer.from(flat[j + 1]).toString('hex')}`);
      content = pairs.sort().join(',');
    } else content = Buffer.from(decode(await call(['GET', k]), 0, true)[0]).toString('hex');
    out.push(`${k.toString('hex')} ${type} ${content}`);
  }
  return out.join('\n');
}

/** A side: two connections (or engine clients) that take requests and give raw replies. */
async function netSide(port, proto) {
  const conns = [await rawClient(port), await rawClient(port)];
  for (const c of conns) {
    await c.write(encode([Buffer.from('RESET')]));
    await c.replies(1);
    if (proto === 3) {
      await c.write(encode([Buffer.from('HELLO'), Buffer.from('3')]));
      await c.replies(1);
    }
  }
  return {
    conns,
    async call(args, conn = 0) {
      await conns[conn].write(encode(args.map((a) => (Buffer.isBuffer(a) ? a : Buffer.from(a, 'latin1')))));
      return (await conns[conn].replies(1))[0];
    },
    close() {
      for (const c of conns) c.close();
    },
  };
}

/** Write bytes in random fragments, down to single bytes, as separate reads. */
async function writeFragments(c, bytes, r) {
  for (let p = 0; p < bytes.length;) {
    const n = Math.min(bytes.length - p, r.chance(0.4) ? 1 : r.range(2, 40));
    c.sock.write(bytes.subarray(p, p + n));
    p += n;
    await new Promise((res) => setImmediate(res));
  }
}

async function runNetwork(t, { seed, proto = 2, batchMax = 1, fragment = false }) {
  const rs = await netSide(redisPort, proto);
  const vs = await netSide(vessel.port, proto);
  const seq = generateTx(seed, STEPS);
  const r = makeRng(seed ^ 0x1234567);
  let compared = 0;
  const seen = { nullExec: 0, execAbort: 0, queued: 0, execArray: 0 };
  try {
    await rs.call([Buffer.from('FLUSHALL')]);
    await vs.call([Buffer.from('FLUSHALL')]);
    for (let i = 0; i < seq.length;) {
      // A run of requests of one connection, sent together.
      const conn = seq[i].conn;
      let end = i + 1;
      const limit = Math.min(seq.length, i + (batchMax > 1 ? r.range(1, batchMax) : 1));
      while (end < limit && seq[end].conn === conn) end++;
      const bytes = Buffer.concat(seq.slice(i, end).map((s) => encode(s.args)));
      await rs.conns[conn].write(bytes);
      if (fragment) await writeFragments(vs.conns[conn], bytes, r);
      else await vs.conns[conn].write(bytes);
      const [want, got] = await Promise.all([rs.conns[conn].replies(end - i), vs.conns[conn].replies(end - i)]);
      for (let j = 0; j < end - i; j++) {
        if (!want[j].equals(got[j])) {
          assert.fail(`difference (SEED=${seed} step ${i + j}, connection ${conn}):\n  command: ${showCommand(seq[i + j].args)}\n` +
            `  redis:   ${show(want[j])}\n  vessel:  ${show(got[j])}`);
        }
        compared++;
        const g = got[j].toString('latin1', 0, 11);
        if (g === '*-1\r\n' || g.startsWith('_\r\n')) seen.nullExec++;
        if (g.startsWith('-EXECABORT')) seen.execAbort++;
        if (g.startsWith('+QUEUED')) seen.queued++;
        if (/^EXEC$/i.test(seq[i + j].args[0].toString('latin1')) && g[0] === '*' && g[1] !== '-') seen.execArray++;
      }
      i = end;
      if (Math.floor(i / 300) !== Math.floor((i - (end - i)) / 300) || i === seq.length) {
        // Checkpoint: both connections out of MULTI first (DISCARD answers alike either way).
        for (const c of [0, 1]) assert.deepEqual(await rs.call([Buffer.from('DISCARD')], c), await vs.call([Buffer.from('DISCARD')], c));
        assert.equal(await dump((a) => vs.call(a)), await dump((a) => rs.call(a)), `keyspaces differ at step ${i} (SEED=${seed})`);
      }
    }
  } finally {
    rs.close();
    vs.close();
  }
  t.diagnostic(`SEED=${seed}: ${compared} replies compared: ${JSON.stringify(seen)}`);
  // The sequence met every outcome (the comparison cannot pass vacuously).
  for (const [k, n] of Object.entries(seen)) assert.ok(n > 5, `only ${n} ${k} (SEED=${seed})`);
}

test('two connections, one request at a time (RESP2)', { skip: SKIP }, (t) => runNetwork(t, { seed: SEED }));
test('two connections, RESP3 (EXEC aborted by WATCH is _)', { skip: SKIP }, (t) => runNetwork(t, { seed: SEED + 1, proto: 3 }));
test('two connections, pipelined runs', { skip: SKIP }, (t) => runNetwork(t, { seed: SEED + 2, batchMax: 12 }));
test('two connections, pipelined and cut into random fragments', { skip: SKIP }, (t) => runNetwork(t, { seed: SEED + 3, batchMax: 8, fragment: true }));

test('the in-process API: two engine clients against two redis connections', { skip: SKIP }, async (t) => {
  const rs = await netSide(redisPort, 2);
  const db = await open();
  const ids = [db.openClient(), db.openClient()];
  const seed = SEED + 4;
  const seq = generateTx(seed, STEPS);
  try {
    await rs.call([Buffer.from('FLUSHALL')]);
    for (let i = 0; i < seq.length; i++) {
      const { conn, args } = seq[i];
      const want = await rs.call(args, conn);
      const got = Buffer.from(await db.commandRaw(args, { client: ids[conn] }));
      if (!want.equals(got)) {
        assert.fail(`difference (SEED=${seed} step ${i}, client ${conn}):\n  command: ${showCommand(args)}\n  redis:   ${show(want)}\n  vessel:  ${show(got)}`);
      }
    }
    for (const c of [0, 1]) await rs.call(['DISCARD'], c); // the dump runs outside any MULTI
    assert.equal(await dump(async (a) => Buffer.from(await db.commandRaw(a))), await dump((a) => rs.call(a)));
  } finally {
    rs.close();
    for (const id of ids) db.closeClient(id);
    await db.close();
  }
});

// ---- the client libraries -------------------------------------------------------

/**
 * One scenario, run by a client library against a server: a transaction
 * with a run-time error, WATCH aborted by another connection, WATCH not
 * aborted, a queue-time error.  Returns what the library reported.
 */
async function nodeRedisScenario(lib, port) {
  const { createClient } = await import(lib);
  const url = `redis://127.0.0.1:${port}`;
  const a = createClient({ url });
  const b = createClient({ url });
  a.on('error', () => {});
  b.on('error', () => {});
  await a.connect();
  await b.connect();
  const out = {};
  try {
    await a.flushAll();
    out.exec = await a.multi().hSet('doc:1', { a: '1', b: '2' }).set('s', 'x').hGet('doc:1', 'a').hSet('s', 'f', 'v').get('s').exec()
      .catch((e) => ({ thrown: e.constructor.name, message: e.message, replies: e.replies?.map(String) }));
    if (Array.isArray(out.exec)) out.exec = out.exec.map((v) => (v instanceof Error ? `error:${v.message}` : v));
    // WATCH on a connection of its own, the key changed by another one.
    const w = a.duplicate();
    w.on('error', () => {});
    await w.connect();
    await w.watch('doc:1');
    await b.hSet('doc:1', 'a', 'changed');
    out.watched = await w.multi().hSet('doc:1', 'a', 'mine').exec().then((r) => r, (e) => `rejected:${e.constructor.name}`);
    await w.watch('doc:1');
    out.unchanged = await w.multi().hSet('doc:1', 'a', 'mine').hGet('doc:1', 'a').exec();
    await w.quit().catch(() => {});
    out.queueError = await a.multi().addCommand(['HSET', 'k']).set('t', '1').exec()
      .then((r) => r, (e) => `rejected:${e.message}`);
    out.after = [await a.hGetAll('doc:1'), await a.get('t')];
  } finally {
    await a.quit().catch(() => {});
    await b.quit().catch(() => {});
  }
  return out;
}

async function ioredisScenario(port) {
  const { default: Redis } = await import('ioredis');
  const a = new Redis({ port, host: '127.0.0.1', lazyConnect: true });
  const b = new Redis({ port, host: '127.0.0.1', lazyConnect: true });
  await a.connect();
  await b.connect();
  const out = {};
  try {
    await a.flushall();
    out.exec = await a.multi().hset('doc:1', 'a', '1', 'b', '2').set('s', 'x').hget('doc:1', 'a').hset('s', 'f', 'v').get('s').exec();
    out.exec = out.exec.map(([e, v]) => (e ? `error:${e.message}` : v));
    await a.watch('doc:1');
    await b.hset('doc:1', 'a', 'changed');
    out.watched = await a.multi().hset('doc:1', 'a', 'mine').exec();
    await a.watch('doc:1');
    out.unchanged = (await a.multi().hset('doc:1', 'a', 'mine').hget('doc:1', 'a').exec()).map(([e, v]) => (e ? e.message : v));
    out.queueError = await a.multi().call('HSET', 'k').set('t', '1').exec().then((r) => r, (e) => `rejected:${e.message}`);
    out.after = [await a.hgetall('doc:1'), await a.get('t')];
  } finally {
    a.disconnect();
    b.disconnect();
  }
  return out;
}

const PY_SCENARIO = `
import json, sys, redis
port = int(sys.argv[1])
a = redis.Redis(port=port)
b = redis.Redis(port=port)
a.flushall()
out = {}
p = a.pipeline(transaction=True)
p.hset('doc:1', mapping={'a': '1', 'b': '2'}).set('s', 'x').hget('doc:1', 'a').hset('s', 'f', 'v').get('s')
out['exec'] = [('error:' + str(r)) if isinstance(r, Exception) else (r.decode() if isinstance(r, bytes) else r)
               for r in p.execute(raise_on_error=False)]
with a.pipeline(transaction=True) as p:
    p.watch('doc:1')
    b.hset('doc:1', 'a', 'changed')
    p.multi()
    p.hset('doc:1', 'a', 'mine')
    try:
        p.execute()
        out['watched'] = 'ran'
    except redis.WatchError:
        out['watched'] = 'WatchError'
with a.pipeline(transaction=True) as p:
    p.watch('doc:1')
    p.multi()
    p.hset('doc:1', 'a', 'mine')
    out['unchanged'] = [str(x) for x in p.execute()]
try:
    p = a.pipeline(transaction=True)
    p.execute_command('HSET', 'k')
    p.set('t', '1')
    p.execute()
    out['queueError'] = 'ran'
except redis.ResponseError as e:
    out['queueError'] = 'ResponseError:' + str(e)
out['after'] = [{k.decode(): v.decode() for k, v in a.hgetall('doc:1').items()}, a.get('t')]
print(json.dumps(out))
`;

function pyScenario(port) {
  const r = spawnSync(PY, ['-c', PY_SCENARIO, String(port)], { encoding: 'utf8', timeout: 60000 });
  if (r.status !== 0) throw new Error(`redis-py scenario failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

async function sameOnBoth(scenario) {
  const want = await scenario(redisPort);
  const got = await scenario(vessel.port);
  assert.deepEqual(got, want);
  return got;
}

test('node-redis 6: multi().exec(), WATCH on an isolated connection', { skip: SKIP }, async () => {
  const r = await sameOnBoth((port) => nodeRedisScenario('redis', port));
  // the scenario really ran: the transaction's run-time error is reported in place
  assert.equal(r.exec.thrown, 'MultiErrorReply');
  assert.equal(r.exec.replies.length, 5);
  assert.equal(r.watched, 'rejected:WatchError');
});

test('node-redis 4 (redis4): multi().exec(), WATCH on an isolated connection', { skip: SKIP }, async () => {
  const r = await sameOnBoth((port) => nodeRedisScenario('redis4', port));
  assert.equal(r.exec.replies.length, 5);
  assert.equal(r.watched, 'rejected:WatchError');
});

test('ioredis: multi().exec(), WATCH', { skip: SKIP }, async () => {
  const r = await sameOnBoth(ioredisScenario);
  assert.equal(r.watched, null);
});

test('redis-py: pipeline(transaction=True), WATCH', { skip: SKIP || (!HAVE_PY && 'python3-redis is not installed') }, async () => {
  const r = await sameOnBoth(pyScenario);
  assert.equal(r.watched, 'WatchError');
});
