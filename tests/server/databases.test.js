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

test('databases: errors as Redis words them', { skip: SKIP }, async () => {
  const c = await connect(vessel.port);
  const rc = await connect(redisPort);
  for (const cmd of [['SELECT', '99999999999'], ['SWAPDB', '0', 'x'], ['SWAPDB', 'x', '0'], ['MOVE', 'k', '0'],
    ['MOVE', 'k', '99999999999'], ['SELECT'], ['SWAPDB', '1'], ['FLUSHDB', 'a', 'b']]) {
    assert.equal(show(plain(await c.send(cmd))), show(plain(await rc.send(cmd))), cmd.join(' '));
  }
  c.close();
  rc.close();
});

// Cluster mode follows Valkey 9 (cluster-databases, default 1, immutable;
// its multidb cluster tests): SELECT and MOVE work across the databases
// and answer "DB index is out of range" past them, SWAPDB is refused
// whatever the count, FLUSHDB and DBSIZE are the selected database's,
// CLUSTER COUNTKEYSINSLOT / GETKEYSINSLOT read the selected database.
test('databases in cluster mode: Valkey 9 cluster-databases', async () => {
  const one = await startServer([]);
  try {
    const k = await connect(one.port);
    const m = async (cmd) => plain(await k.send(cmd)).error;
    assert.equal(await k.send(['SELECT', '0']), 'OK');
    assert.equal(await m(['SELECT', '1']), 'ERR DB index is out of range');
    assert.equal(await m(['SELECT', 'x']), 'ERR value is not an integer or out of range');
    assert.equal(await m(['MOVE', 'k', '1']), 'ERR DB index is out of range');
    assert.equal(await m(['SWAPDB', '0', '0']), 'ERR SWAPDB is not allowed in cluster mode');
    assert.deepEqual(await k.send(['CONFIG', 'GET', 'cluster-databases']), ['cluster-databases', '1']);
    assert.match(await m(['CONFIG', 'SET', 'cluster-databases', '4']), /can't set immutable config/);
    k.close();
  } finally {
    await one.stop();
  }
  const four = await startServer(['--cluster-databases', '4']);
  try {
    const k = await connect(four.port);
    const w = await connect(four.port);
    const m = async (cmd) => plain(await k.send(cmd)).error;
    assert.deepEqual(await k.send(['CONFIG', 'GET', 'cluster-databases']), ['cluster-databases', '4']);
    const slot = await k.send(['CLUSTER', 'KEYSLOT', '{t}a']);
    for (const d of ['0', '3']) {
      assert.equal(await k.send(['SELECT', d]), 'OK');
      assert.equal(await k.send(['SET', '{t}a', `v${d}`]), 'OK');
      assert.equal(await k.send(['CLUSTER', 'KEYSLOT', '{t}a']), slot); // the slot is the key's, whatever the database
    }
    assert.equal(await k.send(['SET', '{t}b', 'x']), 'OK');
    assert.equal(await k.send(['CLUSTER', 'COUNTKEYSINSLOT', String(slot)]), 2);
    assert.deepEqual((await k.send(['CLUSTER', 'GETKEYSINSLOT', String(slot), '10'])).sort(), ['{t}a', '{t}b']);
    assert.equal(await k.send(['MOVE', '{t}b', '1']), 1);
    assert.equal(await k.send(['MOVE', '{t}a', '0']), 0); // database 0 has one
    assert.equal(await m(['MOVE', '{t}a', '4']), 'ERR DB index is out of range');
    assert.equal(await m(['SELECT', '4']), 'ERR DB index is out of range');
    assert.equal(await m(['SWAPDB', '1', '2']), 'ERR SWAPDB is not allowed in cluster mode');
    assert.equal(await k.send(['DBSIZE']), 1);
    assert.match(await k.send(['CLIENT', 'INFO']), / db=3 /);
    assert.equal(await w.send(['SELECT', '1']), 'OK');
    assert.equal(await w.send(['GET', '{t}b']), 'x');
    assert.equal(await w.send(['CLUSTER', 'COUNTKEYSINSLOT', String(slot)]), 1);
    assert.equal(await w.send(['FLUSHDB']), 'OK');
    assert.equal(await w.send(['DBSIZE']), 0);
    assert.equal(await k.send(['GET', '{t}a']), 'v3'); // database 3 untouched
    assert.equal(await k.send(['SELECT', '0']), 'OK');
    assert.equal(await k.send(['GET', '{t}a']), 'v0');
    const keyspace = (await k.send(['INFO', 'keyspace'])).split('\r\n').filter((l) => l.startsWith('db'));
    assert.deepEqual(keyspace.map((l) => l.split(':')[0]), ['db0', 'db3']);
    k.close();
    w.close();
  } finally {
    await four.stop();
  }
});
