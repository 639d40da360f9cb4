// databases.test.js - numbered databases against a real redis-server:
// seeded random sequences over SELECT, SWAPDB, MOVE, FLUSHDB, DBSIZE,
// SET, HSET, DEL, RENAME, EXPIRE, KEYS and MULTI/EXEC (SELECT inside),
// with a second connection WATCHing keys of its own database, sent to
// redis-server and to vessel-server (--no-cluster), every reply compared
// byte for byte (KEYS as a set); at the end every database's keys and
// INFO keyspace (keys, expires) compared.  SEED=<n> repeats a sequence.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { makeRng } from '../diff/gen.js';
import { freePort, waitForPort } from '../net.js';
import { connect, startServer } from './helpers.js';

const HAVE_REDIS = spawnSync('redis-server', ['--version']).status === 0;
const SKIP = !HAVE_REDIS && 'redis-server is not installed';
const SEED = process.env.SEED === 'random' ? (Math.random() * 2 ** 31) >>> 0 : Number(process.env.SEED ?? 1);
const STEPS = Number(process.env.DB_STEPS ?? 3000);

let redis;
let redisDir;
let redisPort;
let vessel;

before(async () => {
  if (SKIP) return;
  redisDir = mkdtempSync(join(tmpdir(), 'vessel-dbs-'));
  redisPort = await freePort();
  redis = spawn('redis-server', ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no',
    '--dir', redisDir], { stdio: 'ignore' });
  await waitForPort(redisPort);
  vessel = await startServer(['--no-cluster']);
});

after(async () => {
  redis?.kill('SIGKILL');
  await vessel?.stop();
  if (redisDir) rmSync(redisDir, { recursive: true, force: true });
});

const show = (v) => JSON.stringify(v, (k, x) => (Buffer.isBuffer(x) ? x.toString() : x));

/** One command of the sequence (dbs 0..3 mostly, a few out of range or malformed). */
function command(r) {
  const key = () => `k${r.int(5)}`;
  const db = () => (r.chance(0.08) ? r.pick(['-1', '16', '99999999999', 'x', '01']) : String(r.int(4)));
  switch (r.int(16)) {
    case 0: return ['SELECT', db()];
    case 1: return ['SWAPDB', db(), db()];
    case 2: return ['MOVE', key(), db()];
    case 3: return r.chance(0.3) ? ['FLUSHDB', r.pick(['ASYNC', 'SYNC', 'x'])] : ['DBSIZE'];
    case 4: case 5: return ['SET', key(), `v${r.int(100)}`];
    case 6: case 7: return ['HSET', key(), `f${r.int(3)}`, `${r.int(100)}`];
    case 8: return ['DEL', key()];
    case 9: return ['RENAME', key(), key()];
    case 10: return ['EXPIRE', key(), String(100 + r.int(1000))];
    case 11: return ['KEYS', '*'];
    case 12: return ['GET', key()];
    case 13: return ['HGET', key(), `f${r.int(3)}`];
    case 14: return ['TTL', key()];
    default: return r.chance(0.05) ? ['FLUSHALL'] : ['EXISTS', key(), key()];
  }
}

const plain = (v) => (v instanceof Error ? { error: v.message } : Array.isArray(v) ? v.map(plain) : v);
const normal = (cmd, reply) => (cmd[0] === 'KEYS' && Array.isArray(reply) ? [...reply].map(String).sort() : plain(reply));

test(`databases: random sequences against redis-server, byte for byte (seed ${SEED})`, { skip: SKIP, timeout: 120_000 }, async () => {
  const r = makeRng(SEED);
  const conns = [await connect(redisPort), await connect(vessel.port)];
  const watchers = [await connect(redisPort), await connect(vessel.port)];
  const both = async (cs, cmd) => {
    const [a, b] = await Promise.all(cs.map((c) => c.send(cmd).catch((e) => ({ error: e.message }))));
    return [normal(cmd, a), normal(cmd, b)];
  };
  for (const cs of [conns, watchers]) await both(cs, ['FLUSHALL']);
  let watching = false;
  for (let i = 0; i < STEPS; i++) {
    let cmds;
    if (r.chance(0.05)) { // a transaction, SELECT possibly inside
      cmds = [['MULTI']];
      for (let n = 1 + r.int(4); n > 0; n--) {
        let c = command(r);
        if (c[0] === 'KEYS') c = ['DBSIZE'];
        cmds.push(c);
      }
      cmds.push(r.chance(0.1) ? ['DISCARD'] : ['EXEC']);
    } else {
      cmds = [command(r)];
    }
    for (const cmd of cmds) {
      const [a, b] = await both(conns, cmd);
      assert.equal(show(b), show(a), `seed ${SEED} step ${i}: ${cmd.join(' ')}`);
    }
    // The watching connection: WATCH a key of its database, later EXEC.
    if (!watching && r.chance(0.03)) {
      for (const cmd of [['SELECT', String(r.int(4))], ['WATCH', `k${r.int(5)}`]]) {
        const [a, b] = await both(watchers, cmd);
        assert.equal(show(b), show(a), `seed ${SEED} step ${i} (watcher): ${cmd.join(' ')}`);
      }
      watching = true;
    } else if (watching && r.chance(0.1)) {
      for (const cmd of [['MULTI'], ['SET', 'watched', 'x'], ['EXEC']]) {
        const [a, b] = await both(watchers, cmd);
        assert.equal(show(b), show(a), `seed ${SEED} step ${i} (watcher): ${cmd.join(' ')}`);
      }
      watching = false;
    }
  }
  // Every database's keys and what INFO keyspace says of them.
  for (let d = 0; d < 16; d++) {
    await both(conns, ['SELECT', String(d)]);
    const [a, b] = await both(conns, ['KEYS', '*']);
    assert.deepEqual(b, a, `seed ${SEED}: database ${d}'s keys`);
  }
  const info = async (c) => String(await c.send(['INFO', 'keyspace'])).split('\r\n')
    .filter((l) => l.startsWith('db')).map((l) => l.replace(/,avg_ttl=\d+/, ''));
  assert.deepEqual(await info(conns[1]), await info(conns[0]), `seed ${SEED}: INFO keyspace`);
  for (const c of [...conns, ...watchers]) c.close();
});

test('databases: errors and cluster mode refusals as Redis words them', { skip: SKIP }, async () => {
  const c = await connect(vessel.port);
  const rc = await connect(redisPort);
  for (const cmd of [['SELECT', '99999999999'], ['SWAPDB', '0', 'x'], ['SWAPDB', 'x', '0'], ['MOVE', 'k', '0'],
    ['MOVE', 'k', '99999999999'], ['SELECT'], ['SWAPDB', '1'], ['FLUSHDB', 'a', 'b']]) {
    assert.equal(show(plain(await c.send(cmd))), show(plain(await rc.send(cmd))), cmd.join(' '));
  }
  c.close();
  rc.close();
  const cl = await startServer([]);
  try {
    const k = await connect(cl.port);
    const m = async (cmd) => plain(await k.send(cmd)).error;
    assert.equal(await k.send(['SELECT', '0']), 'OK');
    assert.equal(await m(['SELECT', '1']), 'ERR SELECT is not allowed in cluster mode');
    assert.equal(await m(['SELECT', 'x']), 'ERR value is not an integer or out of range');
    assert.equal(await m(['MOVE', 'k', '1']), 'ERR MOVE is not allowed in cluster mode');
    assert.equal(await m(['SWAPDB', '0', '1']), 'ERR SWAPDB is not allowed in cluster mode');
    k.close();
  } finally {
    await cl.stop();
  }
});
