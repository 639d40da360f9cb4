// RDB export and import against the real thing: Debian's redis-server.
//
//  - Vessel -> exportRdb -> redis-server started with that file: every key,
//    value and expiry time the same (and redis-check-rdb accepts the file).
//  - redis-server (every type, old and new encodings, several databases,
//    expired keys) -> SAVE -> importRdb: every hash and string the same,
//    the rest counted, an index rebuilt over the keys.
//  - vessel-server as a primary: `redis-cli --rdb` takes its file, and a
//    redis-server that runs REPLICAOF gets the file and then every write.
//  - A store moved by its files: the newest snapshot as RDB, then its
//    journal through `redis-cli --pipe`.
//  - vessel-cli --rdb-export / --rdb-import, damaged files refused with
//    the store unchanged, a persisted import surviving a reopen.
//
// Data is seeded (SEED=n to choose; printed on failure): binary keys,
// fields and values, sizes on both sides of Redis's listpack limits,
// integer-looking text, a 1 MiB value, expiry times past and future.

import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { open } from '../../js/node.js';
import { startRedisServer } from '../net.js';
import { connect, startServer } from './helpers.js';

const HAVE_REDIS = spawnSync('redis-server', ['--version']).status === 0 && spawnSync('redis-cli', ['--version']).status === 0;
const SKIP = !HAVE_REDIS && 'redis-server/redis-cli are not installed (make test installs them)';
const SEED = process.env.SEED === 'random' ? (Math.random() * 2 ** 31) >>> 0 : Number(process.env.SEED ?? 1);
const CLI = new URL('../../js/cli.js', import.meta.url).pathname;
const dirs = [];
const procs = [];

after(() => {
  for (const p of procs) if (p.exitCode === null) p.kill('SIGKILL');
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tempDir() {
  const d = mkdtempSync(join(tmpdir(), 'vessel-rdb-'));
  dirs.push(d);
  return d;
}

function prng(seed) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
}

/** Start redis-server (its own dir, no saves unless asked); resolves to { port, conn, proc, dir, stop }. */
async function startRedis({ dir = tempDir(), dbfilename = 'dump.rdb', args = [] } = {}) {
  // Ready once its log says so: the file, if any, is loaded by then.
  const { port, proc, log } = await startRedisServer(['--dir', dir, '--dbfilename', dbfilename,
    '--save', '', '--appendonly', 'no', '--daemonize', 'no', ...args]);
  procs.push(proc);
  const conn = await connect(port);
  assert.equal(Number(/process_id:(\d+)/.exec(await conn.send(['INFO', 'server']))?.[1]), proc.pid, 'connected to the redis-server started');
  return {
    port, conn, proc, dir, log,
    async stop() {
      conn.close();
      proc.kill('SIGKILL');
      await new Promise((r) => (proc.exitCode !== null ? r() : proc.once('exit', r)));
    },
  };
}

// ---- data --------------------------------------------------------------------------

const INTS = ['0', '1', '-1', '127', '128', '-4096', '4095', '4096', '32767', '-32768', '8388607', '-8388608', '2147483647',
  '-2147483648', '9223372036854775807', '-9223372036854775808', '9223372036854775808', '007', '-0', '+1', ' 1', '1 ',
  '12345678901234567890', '3.14', '1e5', ''];

function bytesOf(rng, n) {
  const b = Buffer.alloc(n);
  const mode = rng();
  for (let i = 0; i < n; i++) {
    if (mode < 0.4) b[i] = 97 + Math.floor(rng() * 26);
    else if (mode < 0.6) b[i] = [0, 255, 10, 13, 32, 34, 92][Math.floor(rng() * 7)];
    else b[i] = Math.floor(rng() * 256);
  }
  return b;
}

function valueOf(rng) {
  const r = rng();
  if (r < 0.3) return Buffer.from(INTS[Math.floor(rng() * INTS.length)]);
  const lens = [0, 1, 20, 21, 63, 64, 65, 200, 4096];
  return bytesOf(rng, lens[Math.floor(rng() * lens.length)]);
}

/**
 * Seeded writes through `send(args)` (a Vessel or a redis-server):
 * hashes around the listpack limits (128 fields, 64-byte values), strings,
 * expiry times (future ones absolute; a few already past when `past`).
 */
async function fill(send, rng, { keys = 160, big = true, prefix = 'k:' } = {}) {
  const now = Date.now();
  for (let i = 0; i < keys; i++) {
    const key = Buffer.concat([Buffer.from(prefix), rng() < 0.3 ? bytesOf(rng, 1 + Math.floor(rng() * 12)) : Buffer.from(String(i)), Buffer.from(`#${i}`)]);
    if (rng() < 0.75) {
      const sizes = [1, 2, 5, 127, 128, 129, 300];
      const n = sizes[Math.floor(rng() * sizes.length)];
      const args = ['HSET', key];
      const seen = new Set();
      for (let f = 0; f < n; f++) {
        const field = rng() < 0.5 ? Buffer.from(`f${f}`) : valueOf(rng);
        const hex = field.toString('hex');
        if (seen.has(hex)) continue;
        seen.add(hex);
        args.push(field, rng() < 0.1 ? Buffer.from(`vec${f}`) : valueOf(rng));
      }
      await send(args);
    } else {
      await send(['SET', key, valueOf(rng)]);
    }
    if (rng() < 0.2) await send(['PEXPIREAT', key, String(now + 3600_000 + Math.floor(rng() * 1e9))]);
  }
  if (big) {
    await send(['HSET', `${prefix}big-hash`, 'small', 'x', 'large', bytesOf(rng, 1 << 20)]);
    await send(['SET', `${prefix}big-string`, bytesOf(rng, (1 << 20) + 7)]);
  }
}

/** Every key of a server or store: hex key -> "type:contents:expiry". */
async function snapshotOf(send) {
  const keys = [];
  let cursor = '0';
  do {
    const [next, batch] = await send(['SCAN', cursor, 'COUNT', '1000'], true);
    cursor = Buffer.from(next).toString();
    keys.push(...batch.map((k) => Buffer.from(k)));
  } while (cursor !== '0');
  const out = new Map();
  for (const key of keys) {
    const type = Buffer.from(await send(['TYPE', key], true)).toString();
    let body;
    if (type === 'hash') {
      const flat = await send(['HGETALL', key], true);
      const pairs = [];
      for (let i = 0; i < flat.length; i += 2) pairs.push(`${Buffer.from(flat[i]).toString('hex')}=${Buffer.from(flat[i + 1]).toString('hex')}`);
      body = pairs.sort().join(',');
    } else if (type === 'string') {
      body = Buffer.from(await send(['GET', key], true)).toString('hex');
    } else {
      body = '?';
    }
    const at = await send(['PEXPIRETIME', key]);
    out.set(key.toString('hex'), `${type}:${body}:${at}`);
  }
  return out;
}

function assertSame(got, want, what) {
  const diff = [];
  for (const [k, v] of want) if (got.get(k) !== v) diff.push(`${k}: want ${v.slice(0, 120)} got ${String(got.get(k)).slice(0, 120)}`);
  for (const k of got.keys()) if (!want.has(k)) diff.push(`${k}: not expected`);
  assert.equal(diff.length, 0, `${what} (SEED=${SEED}): ${diff.length} differences, first: ${diff.slice(0, 5).join('\n')}`);
}

const vesselSend = (db) => (args, binary = false) => (binary ? db.commandBuffer(...args) : db.command(...args));

async function collect(gen) {
  const parts = [];
  for await (const c of gen) parts.push(Buffer.from(c));
  return Buffer.concat(parts);
}

// ---- Vessel -> Redis -----------------------------------------------------------------

test('exportRdb: redis-server 7.0 starts with the file and holds every key, value and expiry time', { skip: SKIP }, async () => {
  const rng = prng(SEED);
  const db = await open();
  await fill(vesselSend(db), rng);
  // Keys whose time has passed are left out of the file.
  await db.command('SET', 'gone', 'x', 'PX', '1');
  await db.hset('gone-hash', { a: 'b' });
  await db.command('PEXPIRE', 'gone-hash', '1');
  await new Promise((r) => setTimeout(r, 5));
  await db.command('FT.CREATE', 'idx', 'ON', 'HASH', 'PREFIX', '1', 'k:', 'SCHEMA', 'f0', 'TAG', 'f1', 'AS', 'n', 'NUMERIC');
  const want = await snapshotOf(vesselSend(db));
  // The same bytes whatever the chunk size (the file has no time in it but ctime).
  const file = await collect(db.exportRdb({ chunkSize: 16 + Math.floor(rng() * 5000) }));
  assert.equal(file.subarray(0, 9).toString(), 'REDIS0010');
  const dir = tempDir();
  writeFileSync(join(dir, 'dump.rdb'), file);
  const check = spawnSync('redis-check-rdb', [join(dir, 'dump.rdb')]);
  assert.equal(check.status, 0, String(check.stdout) + String(check.stderr));
  const redis = await startRedis({ dir });
  try {
    const got = await snapshotOf((args, binary) => redis.conn.send(args, binary));
    assertSame(got, want, 'redis-server after loading the export');
    assert.equal(await redis.conn.send(['EXISTS', 'gone', 'gone-hash']), 0);
  } finally {
    await redis.stop();
  }
  // The index definitions go alongside, as FT.CREATE commands.
  assert.equal(await db.indexScript(), 'FT.CREATE idx ON HASH PREFIX 1 k: SCHEMA f0 TAG f1 AS n NUMERIC\n');
  assert.equal(Buffer.from(await db.indexScript({ format: 'resp' })).toString(),
    '*14\r\n$9\r\nFT.CREATE\r\n$3\r\nidx\r\n$2\r\nON\r\n$4\r\nHASH\r\n$6\r\nPREFIX\r\n$1\r\n1\r\n$2\r\nk:\r\n$6\r\nSCHEMA\r\n' +
    '$2\r\nf0\r\n$3\r\nTAG\r\n$2\r\nf1\r\n$2\r\nAS\r\n$1\r\nn\r\n$7\r\nNUMERIC\r\n');
  await db.close();
});

test('exportRdb holds writes until the last chunk is taken, and an abandoned export releases them', async () => {
  const db = await open();
  await db.hset('a', { x: '1' });
  const it = db.exportRdb({ chunkSize: 16 });
  await it.next();
  let wrote = false;
  const w = db.hset('b', { y: '2' }).then(() => (wrote = true));
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(wrote, false, 'a write waits while the file streams');
  assert.throws(() => db.commandSync('HSET', 'c', 'z', '3'), /an RDB transfer is in progress/);
  await it.return();
  await w;
  assert.equal(await db.hget('b', 'y'), '2');
  await db.close();
});

// ---- Redis -> Vessel -----------------------------------------------------------------

test('importRdb: a dump written by redis-server 7.0 loads every hash and string, each in its database; other types and expired keys are counted', { skip: SKIP }, async () => {
  const rng = prng(SEED + 1);
  // DEBUG is refused unless enabled (Redis 7.0): without it the active
  // expiry cycle could reclaim `dying` before SAVE, on a busy machine.
  const redis = await startRedis({ args: ['--enable-debug-command', 'local'] });
  const send = (args, binary) => redis.conn.send(args, binary);
  try {
    assert.equal(await send(['DEBUG', 'SET-ACTIVE-EXPIRE', '0']), 'OK');
    await fill(send, rng, { keys: 120 });
    // Old and alternative encodings: small limits make some hashes plain
    // hash tables, integers are stored as integers, long text compressed.
    await send(['CONFIG', 'SET', 'hash-max-listpack-entries', '4']);
    await fill(send, rng, { keys: 40, big: false, prefix: 'p:' });
    await send(['SET', 'int:small', '12']);
    await send(['SET', 'int:big', '-2147483648']);
    await send(['SET', 'lzf', 'abcabcabcabcabcabcabcabcabcabcabcabcabcabcabcabc']);
    await send(['HSET', 'doc:1', 'tag', 'red', 'n', '5']);
    await send(['HSET', 'doc:2', 'tag', 'blue', 'n', '7']);
    await send(['RPUSH', 'list', 'a', 'b', 'c']);
    await send(['SADD', 'intset', '1', '2', '3']);
    await send(['SADD', 'set', 'a', 'b']);
    await send(['ZADD', 'zset', '1.5', 'a', '2', 'b']);
    await send(['ZADD', 'zbig', ...Array.from({ length: 200 }, (_, i) => [String(i), `m${i}`]).flat()]);
    await send(['XADD', 'stream', '*', 'f', 'v']);
    await send(['XGROUP', 'CREATE', 'stream', 'g', '0']);
    await send(['XREADGROUP', 'GROUP', 'g', 'c1', 'COUNT', '1', 'STREAMS', 'stream', '>']);
    await send(['SET', 'dying', 'x', 'PX', '1']);
    await send(['SELECT', '1']);
    await send(['SET', 'db1-key', 'x']);
    await send(['HSET', 'db1-hash', 'a', 'b']);
    await send(['SELECT', '0']);
    await new Promise((r) => setTimeout(r, 10));
    // SAVE first: reading every key would expire `dying` before it is written.
    assert.equal(await send(['SAVE']), 'OK');
    const want = await snapshotOf(send);
    for (const k of ['list', 'intset', 'set', 'zset', 'zbig', 'stream']) want.delete(Buffer.from(k).toString('hex'));
    const file = readFileSync(join(redis.dir, 'dump.rdb'));

    const db = await open();
    await db.command('FT.CREATE', 'docs', 'ON', 'HASH', 'PREFIX', '1', 'doc:', 'SCHEMA', 'tag', 'TAG', 'n', 'NUMERIC');
    // Fed in chunks of random sizes, as a stream would deliver them.
    const chunks = [];
    for (let o = 0; o < file.length;) {
      const n = 1 + Math.floor(rng() * 9000);
      chunks.push(file.subarray(o, o + n));
      o += n;
    }
    let last = 0;
    const report = await db.importRdb((async function* () { yield* chunks; })(), { size: file.length, onProgress: (p) => (last = p.bytes) });
    assert.equal(last, file.length);
    assert.equal(report.version, 10);
    assert.equal(report.bytes, file.length);
    assert.deepEqual(report.skipped, { list: 1, set: 2, zset: 2, stream: 1, module: 0 });
    assert.equal(report.otherDatabases, 0);
    assert.equal(report.expired, 1);
    assert.equal(report.hashes + report.strings, want.size + 2); // database 1's two keys
    assertSame(await snapshotOf(vesselSend(db)), want, 'Vessel after importing the dump');
    // Database 1's keys went to database 1.
    await db.select(1);
    assert.equal(await db.dbsize(), 2);
    assert.equal(await db.command('GET', 'db1-key'), 'x');
    assert.equal(await db.command('HGET', 'db1-hash', 'a'), 'b');
    await db.select(0);
    await db.indexReady('docs');
    const r = await db.search('docs', '@tag:{red|blue} @n:[6 +inf]');
    assert.deepEqual(r.results.map((x) => x.key), ['doc:2']);
    // A store with keys is replaced only when asked.
    await assert.rejects(db.importRdb(file), /ERR the store is not empty/);
    await db.hset('doc:3', { tag: 'red', n: '1' });
    await db.importRdb(file, { replace: true });
    assert.equal(await db.exists('doc:3'), 0);
    await db.close();
  } finally {
    await redis.stop();
  }
});

test('importRdb refuses a truncated or damaged file and leaves the store as it was', async () => {
  const src = await open();
  await fill(vesselSend(src), prng(SEED + 2), { keys: 30, big: false });
  const file = await collect(src.exportRdb());
  await src.close();
  const db = await open();
  await db.hset('mine', { a: '1' });
  const before = await snapshotOf(vesselSend(db));
  const rng = prng(SEED + 3);
  for (let i = 0; i < 40; i++) {
    const bad = Buffer.from(file);
    let damaged;
    if (i % 2) {
      damaged = bad.subarray(0, Math.floor(rng() * file.length));
    } else {
      bad[Math.floor(rng() * bad.length)] ^= 1 << Math.floor(rng() * 8);
      damaged = bad;
    }
    await assert.rejects(db.importRdb(damaged, { replace: true }), /Bad RDB/, `case ${i} (SEED=${SEED})`);
    assertSame(await snapshotOf(vesselSend(db)), before, `after damaged file ${i}`);
  }
  await assert.rejects(db.importRdb('not bytes'), /an RDB source is/);
  await db.close();
});

test('a persisted store saves a snapshot after an import: reopening finds the imported keys', async () => {
  const dir = tempDir();
  const src = await open();
  await src.hset('doc:1', { a: '1' });
  await src.command('SET', 's', 'v');
  const file = await collect(src.exportRdb());
  await src.close();
  let db = await open({ dir, autosave: false });
  await db.hset('old', { b: '2' });
  await db.importRdb(file, { replace: true });
  await db.hset('after', { c: '3' });
  await db.close();
  db = await open({ dir });
  assert.deepEqual((await db.keys('*')).sort(), ['after', 'doc:1', 's']);
  await db.close();
});

// ---- several databases ------------------------------------------------------------------

/** Every database's keys (see snapshotOf) through `send`, which SELECTs: db -> Map. */
async function databasesOf(send, dbs) {
  const out = new Map();
  for (const d of dbs) {
    assert.equal(await send(['SELECT', String(d)]), 'OK');
    out.set(d, await snapshotOf(send));
  }
  await send(['SELECT', '0']);
  return out;
}

function assertSameDatabases(got, want, what) {
  for (const [d, keys] of want) assertSame(got.get(d), keys, `${what}, database ${d}`);
}

const ALL_DBS = Array.from({ length: 16 }, (_, i) => i);
const redisSend = (redis) => (args, binary) => redis.conn.send(args, binary);

test('exportRdb of databases 0, 1 and 15: redis-server loads each key, value and expiry time into its database', { skip: SKIP }, async () => {
  const rng = prng(SEED + 10);
  const db = await open();
  const send = vesselSend(db);
  for (const d of [15, 0, 1]) {
    await db.select(d);
    await fill(send, rng, { keys: 40, big: d === 1, prefix: `d${d}:` });
    // The same names in each database, different contents.
    await db.hset('same', { db: String(d) });
    await db.command('SET', 'same-string', `s${d}`, 'PX', String(3600_000 + d));
  }
  await db.select(7);
  await db.command('SET', 'gone', 'x', 'PX', '1'); // expired before the export: database 7 has nothing to write
  await new Promise((r) => setTimeout(r, 5));
  await db.select(0);
  const want = await databasesOf(send, ALL_DBS);
  assert.equal(want.get(7).size, 0);
  const file = await collect(db.exportRdb({ chunkSize: 16 + Math.floor(rng() * 5000) }));
  await db.close();
  const dir = tempDir();
  writeFileSync(join(dir, 'dump.rdb'), file);
  const check = spawnSync('redis-check-rdb', [join(dir, 'dump.rdb')]);
  assert.equal(check.status, 0, String(check.stdout) + String(check.stderr));
  const redis = await startRedis({ dir });
  try {
    assertSameDatabases(await databasesOf(redisSend(redis), ALL_DBS), want, 'redis-server after loading the export');
    const keyspace = String(await redis.conn.send(['INFO', 'keyspace'])).split('\r\n').filter((l) => l.startsWith('db')).map((l) => l.split(':')[0]);
    assert.deepEqual(keyspace, ['db0', 'db1', 'db15']);
  } finally {
    await redis.stop();
  }
});

// ---- vessel-server as a primary ----------------------------------------------------------

test('vessel-server: redis-cli --rdb takes the file, and a redis-server replica follows every write', { skip: SKIP }, async () => {
  const vs = await startServer(['--save', '']);
  procs.push(vs.proc);
  const v = await connect(vs.port);
  const vsend = (args, binary) => v.send(args, binary);
  const rng = prng(SEED + 4);
  await fill(vsend, rng, { keys: 80 });
  await vsend(['FT.CREATE', 'idx', 'ON', 'HASH', 'PREFIX', '1', 'k:', 'SCHEMA', 'f0', 'TAG']);
  const dir = tempDir();
  const got = spawnSync('redis-cli', ['-p', String(vs.port), '--rdb', join(dir, 'cli.rdb')]);
  assert.equal(got.status, 0, String(got.stderr));
  const viaCli = await open();
  await viaCli.importRdb(readFileSync(join(dir, 'cli.rdb')));
  assertSame(await snapshotOf(vesselSend(viaCli)), await snapshotOf(vsend), 'the file redis-cli --rdb took');
  await viaCli.close();

  const redis = await startRedis();
  try {
    assert.equal(await redis.conn.send(['REPLICAOF', '127.0.0.1', String(vs.port)]), 'OK');
    const linkUp = async () => {
      for (let i = 0; i < 400; i++) {
        const info = String(await redis.conn.send(['INFO', 'replication']));
        if (/master_link_status:up/.test(info)) return true;
        await new Promise((r) => setTimeout(r, 25));
      }
      return false;
    };
    assert.ok(await linkUp(), `the replica's link came up: ${redis.log().slice(-2000)}`);
    // Writes while the replica is attached: every kind of record.
    await fill(vsend, rng, { keys: 40, big: false, prefix: 'live:' });
    await vsend(['HDEL', 'k:1#1', 'f0']);
    await vsend(['DEL', 'k:2#2', 'k:3#3']);
    await vsend(['EXPIRE', 'live:5#5', '1000']);
    await vsend(['PERSIST', 'live:6#6']);
    await vsend(['RENAME', 'live:7#7', 'renamed']);
    await vsend(['HINCRBY', 'counter', 'n', '5']);
    await vsend(['MULTI']);
    await vsend(['HSET', 'tx', 'a', '1']);
    await vsend(['SET', 'tx2', 'b']);
    await vsend(['EXEC']);
    await vsend(['SET', 'last', 'marker']);
    // WAIT counts the replicas that applied every write so far (REPLCONF ACK).
    assert.equal(await vsend(['WAIT', '1', '10000']), 1, 'the replica acknowledged the writes');
    assert.equal(await redis.conn.send(['GET', 'last']), 'marker');
    assertSame(await snapshotOf((args, binary) => redis.conn.send(args, binary)), await snapshotOf(vsend), 'the replica after live writes');
    const info = String(await vsend(['INFO', 'replication']));
    assert.match(info, /connected_slaves:1/);
    assert.equal(await redis.conn.send(['REPLICAOF', 'NO', 'ONE']), 'OK');
  } finally {
    await redis.stop();
    v.close();
    await vs.stop();
  }
});

/** REPLICAOF vessel-server on `redis`, waiting until the link is up. */
async function replicate(redis, port) {
  assert.equal(await redis.conn.send(['REPLICAOF', '127.0.0.1', String(port)]), 'OK');
  for (let i = 0; i < 400; i++) {
    const info = String(await redis.conn.send(['INFO', 'replication']));
    if (/master_link_status:up/.test(info)) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  assert.fail(`the replica's link did not come up: ${redis.log().slice(-2000)}`);
}

test('vessel-server --no-cluster: a redis-server replica follows writes in several databases (SWAPDB, MOVE, FLUSHDB, MULTI across two, SELECT inside MULTI)', { skip: SKIP }, async () => {
  const vs = await startServer(['--save', '', '--no-cluster']);
  procs.push(vs.proc);
  const v = await connect(vs.port);
  const vsend = (args, binary) => v.send(args, binary);
  const rng = prng(SEED + 11);
  // In the file the replica loads: databases 0, 2 (with an index: its
  // FT.CREATE goes to the replica after a SELECT) and 5.
  for (const d of [2, 5, 0]) {
    assert.equal(await vsend(['SELECT', String(d)]), 'OK');
    await fill(vsend, rng, { keys: 25, big: false, prefix: `f${d}:` });
  }
  await vsend(['SELECT', '2']);
  await vsend(['FT.CREATE', 'idx', 'ON', 'HASH', 'PREFIX', '1', 'f2:', 'SCHEMA', 'f0', 'TAG']);
  const redis = await startRedis();
  const rsend = redisSend(redis);
  try {
    await replicate(redis, vs.port);
    // A second connection writing in its own database meanwhile.
    const w = await connect(vs.port);
    assert.equal(await w.send(['SELECT', '9']), 'OK');
    const ops = [
      () => vsend(['SET', 'in2', 'x']), // still database 2
      () => w.send(['HSET', 'nine', 'a', '1']),
      () => vsend(['SELECT', '3']),
      () => fill(vsend, rng, { keys: 20, big: false, prefix: 'live3:' }),
      () => vsend(['SET', 'same', 'three']),
      () => vsend(['EXPIRE', 'same', '5000']),
      () => w.send(['SET', 'same', 'nine']),
      () => vsend(['MOVE', 'same', '4']),
      () => vsend(['MOVE', 'live3:1#1', '0']),
      () => vsend(['SWAPDB', '0', '5']),
      () => vsend(['SWAPDB', '3', '9']), // database 3 is the selected one: its writes now go to the keys that were 9's
      () => vsend(['HSET', 'after-swap', 'f', 'v']),
      () => w.send(['HSET', 'after-swap-w', 'f', 'v']),
      () => vsend(['SELECT', '5']),
      () => vsend(['FLUSHDB']),
      () => vsend(['SET', 'after-flush', '1']),
      // A transaction over two databases, its SELECT inside.
      async () => {
        assert.equal(await vsend(['MULTI']), 'OK');
        for (const c of [['HSET', 'tx', 'db', '5'], ['SELECT', '6'], ['HSET', 'tx', 'db', '6'], ['SET', 'tx6', 'x', 'PX', '9000000'],
          ['MOVE', 'tx', '7'], ['SELECT', '1'], ['SET', 'tx1', 'y']]) assert.equal(await vsend(c), 'QUEUED');
        assert.deepEqual(await vsend(['EXEC']), [1, 'OK', 1, 'OK', 1, 'OK', 'OK']);
      },
      () => vsend(['SET', 'still-1', 'z']), // the SELECT inside the transaction stays
      async () => {
        assert.equal(await w.send(['MULTI']), 'OK');
        for (const c of [['SWAPDB', '1', '2'], ['SELECT', '1'], ['DEL', 'in2'], ['FLUSHDB']]) assert.equal(await w.send(c), 'QUEUED');
        assert.deepEqual(await w.send(['EXEC']), ['OK', 'OK', 1, 'OK']);
      },
      () => w.send(['SET', 'w-in-1', 'v']),
      () => vsend(['SELECT', '0']),
      () => vsend(['SET', 'last', 'marker']),
    ];
    for (const op of ops) await op();
    assert.equal(await vsend(['WAIT', '1', '10000']), 1, 'the replica acknowledged the writes');
    assert.equal(await redis.conn.send(['GET', 'last']), 'marker');
    const want = await databasesOf(vsend, ALL_DBS);
    assert.ok([...want.values()].filter((m) => m.size).length >= 6, 'several databases hold keys');
    assertSameDatabases(await databasesOf(rsend, ALL_DBS), want, 'the replica after writes in several databases');
    w.close();
  } finally {
    await redis.stop();
    v.close();
    await vs.stop();
  }
});

// ---- a store moved by its files ------------------------------------------------------------

/**
 * A redis-server holding what a persisted store in `dir` holds: vessel-cli
 * exports its newest snapshot as an RDB file (and names the journal to pipe
 * next), redis-server starts on that file, the journal goes in through
 * `redis-cli --pipe` with no error.  The caller stops the server.
 */
async function redisFromSnapshotAndJournal(dir) {
  const rdb = join(dir, 'at-snapshot.rdb');
  const cli = spawnSync(process.execPath, [CLI, '--dir', dir, '--rdb-export', rdb, '--at-snapshot']);
  assert.equal(cli.status, 0, String(cli.stderr));
  const journal = readdirSync(dir).find((f) => /^journal-\d+\.aof$/.test(f));
  assert.match(String(cli.stdout), new RegExp(`redis-cli --pipe < .*${journal}`));
  const rdir = tempDir();
  copyFileSync(rdb, join(rdir, 'dump.rdb'));
  const redis = await startRedis({ dir: rdir });
  const piped = spawnSync('redis-cli', ['-p', String(redis.port), '--pipe'], { input: readFileSync(join(dir, journal)) });
  try {
    assert.equal(piped.status, 0, String(piped.stdout) + String(piped.stderr));
    assert.match(String(piped.stdout), /errors: 0,/);
  } catch (e) {
    await redis.stop();
    throw e;
  }
  return redis;
}

test('the newest snapshot as an RDB file, then its journal through redis-cli --pipe: redis-server holds the store', { skip: SKIP }, async () => {
  const dir = tempDir();
  const rng = prng(SEED + 5);
  const db = await open({ dir, autosave: false, durability: 'always' });
  await fill(vesselSend(db), rng, { keys: 60, big: false });
  await db.hset('r:1', { a: '1' });
  await db.hset('r:2', { b: '2' });
  await db.save();
  // Written after the snapshot: only in the journal.
  await fill(vesselSend(db), rng, { keys: 30, big: false, prefix: 'j:' });
  await db.command('DEL', 'r:1');
  await db.command('RENAME', 'r:2', 'moved');
  await db.command('HINCRBY', 'moved', 'count', '3');
  await db.command('PEXPIREAT', 'moved', String(Date.now() + 3600_000));
  const want = await snapshotOf(vesselSend(db));
  await db.close();
  const redis = await redisFromSnapshotAndJournal(dir);
  try {
    assertSame(await snapshotOf((args, binary) => redis.conn.send(args, binary)), want, 'redis-server after the snapshot and the journal');
  } finally {
    await redis.stop();
  }
});

test('several databases: the newest snapshot as an RDB file, then its journal (SELECT records, SWAPDB, MOVE) through redis-cli --pipe', { skip: SKIP }, async () => {
  const dir = tempDir();
  const rng = prng(SEED + 12);
  const db = await open({ dir, autosave: false, durability: 'always' });
  const send = vesselSend(db);
  for (const d of [0, 1, 4, 15]) {
    await db.select(d);
    await fill(send, rng, { keys: 20, big: false, prefix: `s${d}:` });
  }
  await db.select(4);
  await db.command('FT.CREATE', 'idx', 'ON', 'HASH', 'PREFIX', '1', 's4:', 'SCHEMA', 'f0', 'TAG');
  await db.save();
  // After the snapshot, only in the journal.  Database 4 is still
  // selected: the new journal's first record must say so.
  await db.command('SET', 'j4', 'x');
  await fill(send, rng, { keys: 10, big: false, prefix: 'j4:' });
  await db.select(1);
  await db.command('HSET', 'j1', 'a', '1');
  await db.command('PEXPIREAT', 'j1', String(Date.now() + 3600_000));
  assert.equal(await db.command('MOVE', 'j1', '15'), 1); // with its time
  assert.equal(await db.command('SWAPDB', '0', '4'), 'OK');
  await db.command('SET', 'after-swap', '1');
  await db.select(0);
  await db.command('HSET', 's4:new', 'f0', 'red'); // into the index that moved to database 0
  await db.select(9);
  await db.command('SET', 'nine', '9');
  await db.select(15);
  await db.command('FLUSHDB');
  await db.command('SET', 'fifteen', '15');
  await db.select(1);
  await db.command('MULTI');
  await db.command('SELECT', '2');
  await db.command('SET', 'two', '2');
  await db.command('MOVE', 'two', '3');
  await db.command('EXEC');
  await db.command('SET', 'in-2', 'x'); // the transaction's SELECT stays
  const want = await databasesOf(send, ALL_DBS);
  await db.close();
  const redis = await redisFromSnapshotAndJournal(dir);
  try {
    assertSameDatabases(await databasesOf(redisSend(redis), ALL_DBS), want, 'redis-server after the snapshot and the journal');
  } finally {
    await redis.stop();
  }
});

test('vessel-cli --rdb-export and --rdb-import move a store, indexes included', async () => {
  const a = tempDir();
  const b = tempDir();
  let db = await open({ dir: a });
  await db.createIndex('idx', { prefix: 'doc:', schema: { tag: { type: 'TAG' } } });
  await db.hset('doc:1', { tag: 'red' });
  await db.hset('doc:2', { tag: 'blue' });
  await db.command('SET', 'plain', 'v');
  await db.close();
  const file = join(a, 'out.rdb');
  const ex = spawnSync(process.execPath, [CLI, '--dir', a, '--rdb-export', file]);
  assert.equal(ex.status, 0, String(ex.stderr));
  assert.match(String(ex.stdout), /wrote .*out\.rdb: 3 keys; FT\.CREATE commands in .*out\.rdb\.indexes/);
  const script = readFileSync(`${file}.indexes`, 'utf8');
  assert.match(script, /^FT\.CREATE idx ON HASH PREFIX 1 doc: SCHEMA tag TAG\n$/);
  // Import into a new store; its index comes from the script.
  const im = spawnSync(process.execPath, [CLI, '--dir', b, '--rdb-import', file]);
  assert.equal(im.status, 0, String(im.stderr));
  assert.match(String(im.stdout), /loaded .*out\.rdb \(RDB version 10\): 2 hashes; 1 strings/);
  const run = spawnSync(process.execPath, [CLI, '--dir', b], { input: script });
  assert.equal(run.status, 0, String(run.stderr));
  db = await open({ dir: b });
  await db.indexReady('idx');
  assert.equal((await db.search('idx', '@tag:{red}')).total, 1);
  await db.close();
  // A store with keys: refused without --replace, the reason said.
  const again = spawnSync(process.execPath, [CLI, '--dir', b, '--rdb-import', file]);
  assert.equal(again.status, 1);
  assert.match(String(again.stderr), /ERR the store is not empty \(3 keys\); load with replace/);
  const bad = join(a, 'bad.rdb');
  writeFileSync(bad, readFileSync(file).subarray(0, 20));
  const broken = spawnSync(process.execPath, [CLI, '--dir', b, '--rdb-import', bad, '--replace']);
  assert.equal(broken.status, 1);
  assert.match(String(broken.stderr), /Bad RDB/);
});

test('closing the store during a transfer ends it with a clear error', async () => {
  const db = await open();
  for (let i = 0; i < 50; i++) await db.hset(`k${i}`, { v: 'x'.repeat(100) });
  const it = db.exportRdb({ chunkSize: 64 });
  await it.next();
  await db.close();
  await assert.rejects(it.next(), /the store is closed/);
  const db2 = await open();
  let release;
  const slow = (async function* () {
    yield new Uint8Array(Buffer.from('REDIS0010'));
    await new Promise((r) => (release = r));
    yield new Uint8Array([0xff]);
  })();
  const importing = db2.importRdb(slow);
  while (!release) await new Promise((r) => setTimeout(r, 5));
  await db2.close();
  release();
  await assert.rejects(importing, /the store is closed/);
});

test('vessel-server: a replica that stops reading is dropped after --repl-timeout, and WAIT never writes into its file', { skip: SKIP }, async () => {
  const vs = await startServer(['--save', '', '--repl-timeout', '1']);
  procs.push(vs.proc);
  const v = await connect(vs.port);
  const big = Buffer.alloc(1 << 20, 7);
  for (let i = 0; i < 24; i++) await v.send(['SET', `big:${i}`, big]);
  const net = await import('node:net');
  const stalled = net.connect(vs.port, '127.0.0.1');
  await new Promise((r) => stalled.once('connect', r));
  stalled.write('PSYNC ? -1\r\n'); // inline, as any client may send it
  let got = 0;
  await new Promise((r) => stalled.once('data', (d) => {
    got += d.length;
    stalled.pause(); // reads nothing more: the socket's buffers fill
    r();
  }));
  try {
    // Not yet live: WAIT counts it as nothing and sends it nothing.
    assert.equal(await v.send(['WAIT', '1', '50']), 0);
    // Writes wait for the file, then go on once the stalled replica is dropped.
    const t0 = Date.now();
    assert.equal(await v.send(['SET', 'after', '1']), 'OK');
    assert.ok(Date.now() - t0 < 10000);
    assert.match(vs.log(), /no progress in 1000 ms \(the file\), disconnected/);
    assert.match(String(await v.send(['INFO', 'replication'])), /connected_slaves:0/);
  } finally {
    stalled.destroy();
    v.close();
    await vs.stop();
  }
  assert.ok(got > 0);
});
