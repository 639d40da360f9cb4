// redis-compat.test.js - differential test against a real redis-server.
//
// The same command script runs against Vessel's engine and against
// Debian's redis-server (started here on a free loopback port); every
// reply must be byte-identical.  Replies whose order Redis leaves to its
// hash table (KEYS) are compared sorted.  `make test` installs
// redis-server (scripts/deps.sh).
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import net from 'node:net';
import { after, before, test } from 'node:test';
import { open } from '../../js/index.js';
import { decode, encodeCommand } from '../../js/resp.js';
import { freePort, waitForPort } from '../net.js';

const HAVE_REDIS = spawnSync('redis-server', ['--version']).status === 0;
let server;
let port;


/** A minimal RESP client: send one command, get the raw reply bytes. */
class RawClient {
  constructor(sock) {
    this.sock = sock;
    this.buf = Buffer.alloc(0);
    this.waiters = [];
    sock.on('data', (d) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.pump();
    });
  }
  pump() {
    while (this.waiters.length) {
      let end;
      try {
        end = decode(this.buf, 0, true)[1];
      } catch {
        return; // incomplete (reads past the end)
      }
      if (end > this.buf.length || Number.isNaN(end)) return;
      const reply = this.buf.subarray(0, end);
      this.buf = this.buf.subarray(end);
      this.waiters.shift()(Buffer.from(reply));
    }
  }
  send(args) {
    return new Promise((resolve) => {
      this.waiters.push(resolve);
      this.sock.write(encodeCommand(args.map((a) => (typeof a === 'number' ? String(a) : a))));
    });
  }
}

before(async () => {
  if (!HAVE_REDIS) return;
  port = await freePort();
  server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  });
  if (!(await waitForPort(port))) throw new Error('redis-server did not start');
});

after(() => server?.kill());

const bin = (...b) => new Uint8Array(b);

// [command, compare mode]
const SCRIPT = [
  ['PING'], ['PING', 'hello'], ['PING', 'a', 'b'], ['ECHO', 'x'], ['ECHO'],
  ['NOSUCH', 'a', 'b'], ['nosuch'],
  ['HSET', 'h', 'a', '1', 'b', '2'], ['HSET', 'h', 'a', '1', 'b'], ['HSET', 'h'],
  ['HSET', 'h', 'c', '1', 'c', '2'], ['HGET', 'h', 'c'], ['HGET', 'h', 'zz'], ['HGET', 'nokey', 'a'],
  ['HMGET', 'h', 'a', 'zz', 'b'], ['HMGET', 'h'], ['HGETALL', 'h'], ['HGETALL', 'nokey'],
  ['HKEYS', 'h'], ['HVALS', 'h'], ['HLEN', 'h'], ['HLEN', 'nokey'], ['HEXISTS', 'h', 'a'], ['HEXISTS', 'h', 'q'],
  ['HSTRLEN', 'h', 'a'], ['HSTRLEN', 'h', 'q'], ['HSETNX', 'h', 'a', 'x'], ['HSETNX', 'h', 'd', 'x'],
  ['HMSET', 'h', 'e', '5'], ['HDEL', 'h', 'e', 'zz'], ['HDEL', 'h'], ['HDEL', 'nokey', 'a'],
  ['HINCRBY', 'h', 'n', '5'], ['HINCRBY', 'h', 'n', '-7'], ['HINCRBY', 'h', 'n', 'x'], ['HINCRBY', 'h', 'n', '1.5'],
  ['HINCRBY', 'h', 'd', '1'], ['HSET', 'h', 'max', '9223372036854775807'], ['HINCRBY', 'h', 'max', '1'],
  ['HINCRBY', 'h', 'min', '-9223372036854775808'], ['HINCRBY', 'h', 'min', '-1'],
  ['HINCRBYFLOAT', 'h', 'f', '10.5'], ['HINCRBYFLOAT', 'h', 'f', '0.1'], ['HINCRBYFLOAT', 'h', 'f', '-10.6'],
  ['HINCRBYFLOAT', 'h', 'g', '5.0e3'], ['HINCRBYFLOAT', 'h', 'g', '1e-3'], ['HINCRBYFLOAT', 'h', 'g', 'abc'],
  ['HINCRBYFLOAT', 'h', 'g', 'inf'], ['HINCRBYFLOAT', 'h', 'g', 'nan'], ['HINCRBYFLOAT', 'h', 'd', '1'],
  ['HINCRBYFLOAT', 'h', 'z', '-0.0'], ['HINCRBYFLOAT', 'h', 'y', '3.0'],
  ['HGETALL', 'h'],
  ['SET', 's', 'v'], ['GET', 's'], ['GET', 'nokey'], ['SET', 's', 'w', 'NX'], ['SET', 's', 'w', 'XX'],
  ['SET', 't', 'w', 'XX'], ['SET', 's', 'x', 'GET'], ['SET', 'u', 'x', 'GET'], ['SET', 's', 'v', 'NX', 'XX'],
  ['SET', 's', 'v', 'BOGUS'], ['SET', 'h', 'v', 'GET'], ['GET', 'h'], ['HGET', 's', 'f'], ['HSET', 's', 'f', 'v'],
  ['HGETALL', 's'], ['HLEN', 's'], ['HDEL', 's', 'f'], ['HINCRBY', 's', 'f', '1'], ['HINCRBY', 's', 'f', 'x'],
  ['TYPE', 's'], ['TYPE', 'h'], ['TYPE', 'nokey'],
  ['EXISTS', 's', 's', 'h', 'nokey'], ['EXISTS'],
  ['RENAME', 'nokey', 'x'], ['RENAME', 's', 's'], ['RENAME', 's', 's2'], ['GET', 's2'], ['RENAME', 's2', 'h'],
  ['TYPE', 'h'], ['RENAMENX', 'h', 'u'], ['RENAMENX', 'h', 'h3'], ['RENAMENX', 'nokey', 'x'], ['RENAME', 'a'],
  ['KEYS', '*', 'sorted'], ['KEYS', 'h*', 'sorted'], ['KEYS', '[hu]*', 'sorted'], ['KEYS', 'nothing'], ['KEYS'],
  ['DBSIZE'], ['DEL', 'h3', 'u', 'nokey'], ['UNLINK', 't'], ['DEL'], ['DBSIZE'],
  ['HSET', bin(0, 1, 0), bin(0), bin()], ['HGET', bin(0, 1, 0), bin(0)], ['HGETALL', bin(0, 1, 0)],
  ['EXISTS', bin(0)], ['SET', bin(255, 254), bin(0, 0, 0)], ['GET', bin(255, 254)],
  ['SCAN', 'abc'], ['SCAN', '0', 'COUNT', '0'], ['SCAN', '0', 'COUNT', 'x'], ['SCAN', '0', 'MATCH'],
  ['SCAN', '0', 'FOO', 'bar'],
  // Found by tests/server/differential.test.js: the empty key and "**",
  // signed-char class ranges, SCAN cursors read as strtoul reads them,
  // option keywords read as C strings.
  ['SET', '', 'empty'], ['KEYS', '*', 'sorted'], ['KEYS', '**', 'sorted'], ['KEYS', '?*', 'sorted'], ['KEYS', ''],
  ['KEYS', bin(91, 97, 45, 255, 93), 'sorted'], ['KEYS', bin(91, 128, 45, 255, 93, 42), 'sorted'],
  ['SCAN', ' 0'], ['SCAN', '0 '], ['SCAN', '+'], ['SCAN', '-'], ['SCAN', '18446744073709551616'], ['SCAN', '0x1'],
  ['SCAN', '0', 'COUNT', '1', bin(67, 79, 85, 78, 84, 0)], ['SCAN', '0', bin(99, 111, 117, 110, 116, 0, 120), '0'],
  ['SET', 'nx', 'v', bin(78, 88, 0, 120)], ['SET', 'nx', 'w', bin(78, 88, 0)], ['GET', 'nx'],
  ['SET', 'nx', 'w', bin(120, 120, 0), bin(103, 101, 116, 0)], ['SET', 'nx', 'v', bin(0, 78, 88)],
  ['HINCRBYFLOAT', 'hf', 'f', bin(49, 0)], ['HINCRBYFLOAT', 'hf', 'f', `${'0'.repeat(5118)}1`],
  ['HINCRBYFLOAT', 'hf', 'f', `${'0'.repeat(5119)}1`], ['DEL', '', 'nx', 'hf'],
  ['CONFIG', 'GET', 'maxmemory'], ['CONFIG', 'GET'], ['CONFIG', 'SET', 'maxmemory'], ['CONFIG', 'foo'],
  ['CONFIG', 'SET', 'maxmemory', '-1'], ['CONFIG', 'SET', 'nosuchparam', '1'],
  ['FLUSHALL', 'x'], ['FLUSHALL'], ['DBSIZE'],
  // COMMAND: the entries of commands both servers have, and the errors.
  ['COMMAND', 'INFO', 'hget'], ['COMMAND', 'INFO', 'hset', 'nosuch', 'get'], ['COMMAND', 'COUNT', 'x'],
  ['COMMAND', 'GETKEYS', 'HSET', 'k', 'f', 'v'], ['COMMAND', 'GETKEYS', 'nosuch', 'a'], ['COMMAND', 'GETKEYS', 'get'],
  ['COMMAND', 'GETKEYS', 'ping'], ['COMMAND', 'GETKEYS'], ['COMMAND', 'foo'], ['COMMAND', 'LIST', 'x'], ['COMMAND', 'HELP', 'x'],
];

function sortedArray(bytes) {
  const [arr] = decode(bytes, 0, true);
  return arr.map((b) => Buffer.from(b).toString('hex')).sort();
}

test('replies are byte-identical to redis-server', { skip: !HAVE_REDIS && 'redis-server is not installed (make test installs it)' }, async () => {
  const db = await open();
  const sock = await new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => resolve(s)).on('error', reject);
  });
  const redis = new RawClient(sock);
  await redis.send(['FLUSHALL']);
  let compared = 0;
  for (const entry of SCRIPT) {
    const sorted = entry[entry.length - 1] === 'sorted';
    const cmd = sorted ? entry.slice(0, -1) : entry;
    const want = await redis.send(cmd);
    const got = Buffer.from(db.engine.execRaw(cmd).bytes);
    const label = cmd.map((a) => (typeof a === 'string' ? a : `<${a.length} bytes>`)).join(' ');
    if (sorted) assert.deepEqual(sortedArray(got), sortedArray(want), label);
    else assert.equal(got.toString('latin1'), want.toString('latin1'), label);
    compared++;
  }
  assert.equal(compared, SCRIPT.length);
  // HINCRBYFLOAT's digits depend on x87 extended precision: fuzz it.
  let seed = 12345;
  const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296);
  for (let i = 0; i < 300; i++) {
    const mag = 10 ** Math.floor(rand() * 12 - 6);
    const inc = ((rand() - 0.5) * mag).toPrecision(1 + Math.floor(rand() * 17));
    const cmd = ['HINCRBYFLOAT', 'fz', `f${i % 7}`, inc];
    const want = await redis.send(cmd);
    const got = Buffer.from(db.engine.execRaw(cmd).bytes);
    assert.equal(got.toString('latin1'), want.toString('latin1'), cmd.join(' '));
  }
  sock.destroy();
  await db.close();
});

test('the journal is an append-only file redis-cli --pipe replays into redis-server', {
  skip: (!HAVE_REDIS || spawnSync('redis-cli', ['--version']).status !== 0) && 'redis-server/redis-cli are not installed (make test installs them)',
}, async () => {
  const { MemoryStorage } = await import('../../js/storage/memory.js');
  const { dump } = await import('./helpers.js');
  const mem = new MemoryStorage();
  const db = await open({ storage: mem, durability: 'always', autosave: false });
  await db.hset('h:1', { a: '1', b: 'x y\r\nz', bin: new Uint8Array([0, 255, 10, 13]) });
  await db.hset('h:2', { n: '10', f: '1.5' });
  await db.command('HINCRBY', 'h:2', 'n', '5');
  await db.command('HINCRBYFLOAT', 'h:2', 'f', '0.1');
  await db.command('HDEL', 'h:1', 'a');
  await db.command('HSETNX', 'h:1', 'c', 'new');
  await db.command('SET', 's', 'v');
  await db.command('RENAME', 'h:2', 'h:3');
  await db.command('DEL', 's', 'missing');
  await db.hset('', { '': '' }); // empty key, field and value
  const journal = Buffer.concat(mem.blobs.get(db.persister.manifest.journal));
  const sock = await new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => resolve(s)).on('error', reject);
  });
  const redis = new RawClient(sock);
  await redis.send(['FLUSHALL']);
  const r = spawnSync('redis-cli', ['-p', String(port), '--pipe'], { input: journal });
  assert.equal(r.status, 0, String(r.stdout) + String(r.stderr));
  // 10 writes, plus the journal's check records (PINGs to Redis) if it has them.
  const checks = Buffer.from(journal).toString('latin1').split('vessel-ck:').length - 1;
  assert.match(String(r.stdout), new RegExp(`errors: 0, replies: ${10 + checks}\\b`));
  // Redis now holds exactly what Vessel holds.
  const mirror = await open();
  const keys = decode(await redis.send(['KEYS', '*']), 0, true)[0];
  for (const k of keys) {
    const type = decode(await redis.send(['TYPE', k]), 0, false)[0];
    if (type === 'hash') {
      const flat = decode(await redis.send(['HGETALL', k]), 0, true)[0];
      mirror.engine.exec(['HSET', k, ...flat]);
    } else {
      mirror.engine.exec(['SET', k, decode(await redis.send(['GET', k]), 0, true)[0]]);
    }
  }
  assert.equal(await dump(mirror), await dump(db));
  sock.destroy();
  await mirror.close();
  await db.close();
});
