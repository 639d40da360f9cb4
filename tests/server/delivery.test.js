// delivery.test.js - vessel-server must answer the same whatever way a
// request's bytes arrive: in one write, byte by byte, with a pause in the
// middle of a request, in random fragments, from a slow client, from a
// client that stops reading, from eight redis-py threads at once.  Replies
// and stored values are compared byte for byte with what one write gives.
//
// Seeded: VESSEL_SEED=<n> picks another seed; failures name it.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { spawn, spawnSync } from 'node:child_process';
import { after, before, test } from 'node:test';
import { encodeCommand } from '../../js/resp.js';
import { connect, rawClient, rssOf, startServer } from './helpers.js';
import { prng } from '../js/helpers.js';

const SEED = Number(process.env.VESSEL_SEED ?? 20240601) >>> 0;
const PY = '/usr/bin/python3';
const HAVE_PY = spawnSync(PY, ['-c', 'import redis, numpy']).status === 0;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const sha = (b) => createHash('sha1').update(b).digest('hex');
let srv;

before(async () => {
  srv = await startServer(['--save', '']);
});

after(async () => {
  await srv?.stop();
});


function randomValue(r, n) {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = r() < 0.25 ? r.pick([0, 13, 10, 42, 36, 32, 34, 255]) : r.int(256);
  return b;
}

const f32 = (xs) => Buffer.from(new Float32Array(xs).buffer);

/**
 * A mix of requests: hash and string writes and reads with binary values,
 * vectors under an index and KNN searches, commands the server itself
 * answers (CLIENT, CONFIG, ECHO), unknown ones, inline ones.  Returns
 * { bytes, replies: how many replies it gets }.
 */
function mixScript(seed, count, { big = false } = {}) {
  const r = prng(seed);
  const parts = [];
  let replies = 0;
  const add = (args) => {
    parts.push(encodeCommand(args));
    replies++;
  };
  add(['FT.CREATE', 'idx', 'ON', 'HASH', 'PREFIX', '1', 'v:', 'SCHEMA', 'e', 'VECTOR', 'FLAT', '6', 'TYPE', 'FLOAT32', 'DIM', '4',
    'DISTANCE_METRIC', 'L2', 't', 'TAG']);
  for (let i = 0; i < count; i++) {
    const k = r.int(16);
    const key = `k:${r.int(40)}`;
    const len = big && r() < 0.02 ? 70000 + r.int(300000) : r() < 0.2 ? 0 : r.int(r() < 0.1 ? 3000 : 40);
    switch (k) {
      case 0: case 1: case 2:
        add(['HSET', key, `f${r.int(5)}`, randomValue(r, len), `g${r.int(3)}`, randomValue(r, r.int(20))]);
        break;
      case 3: add(['HGET', key, `f${r.int(5)}`]); break;
      case 4: add(['HGETALL', key]); break;
      case 5: add(['SET', `s:${r.int(20)}`, randomValue(r, len)]); break;
      case 6: add(['GET', `s:${r.int(20)}`]); break;
      case 7: add(['DEL', key, `s:${r.int(20)}`]); break;
      case 8: add(['HSET', `v:${r.int(30)}`, 'e', f32([r(), r(), r(), r()]), 't', r.pick(['a', 'b', 'a,b'])]); break;
      case 9: add(['FT.SEARCH', 'idx', `${r.pick(['*', '@t:{a}'])}=>[KNN 3 @e $q]`, 'PARAMS', '2', 'q', f32([r(), r(), r(), r()]),
        'DIALECT', '2']); break;
      case 10: add(['HINCRBY', `n:${r.int(5)}`, 'c', String(r.int(100) - 50)]); break;
      case 11: add(r.pick([['PING'], ['ECHO', randomValue(r, r.int(30))], ['CLIENT', 'SETNAME', `c${r.int(9)}`], ['CLIENT', 'GETNAME'],
        ['CONFIG', 'GET', 'maxmemory'], ['DBSIZE'], ['EXISTS', key], ['NOPE', 'x']]));
        break;
      case 12: {
        // inline: quoted, escaped
        parts.push(Buffer.from(r.pick([`HSET inl "a b\\x00\\r\\n" 'it\\'s'\r\n`, 'PING\n', `HGET inl "a b\\x00\\r\\n"\r\n`, 'ECHO  "x y"  \r\n'])));
        replies++;
        break;
      }
      case 13: add(['HMGET', key, 'f0', 'f1', 'g0']); break;
      case 14: add(['HDEL', key, `f${r.int(5)}`]); break;
      default: add(['HLEN', key]);
    }
  }
  add(['PING', 'end']);
  return { bytes: Buffer.concat(parts), replies };
}

/** Every key with its type and value, sorted: the stored state. */
async function dump(port) {
  const c = await connect(port);
  const keys = (await c.send(['KEYS', '*'], true)).map((k) => Buffer.from(k)).sort(Buffer.compare);
  const out = [];
  for (const k of keys) {
    const type = await c.send(['TYPE', k]);
    const v = type === 'hash' ? await c.send(['HGETALL', k], true) : [await c.send(['GET', k], true)];
    out.push(`${k.toString('hex')} ${type} ${v.map((x) => Buffer.from(x).toString('hex')).join(',')}`);
  }
  c.close();
  return out;
}

/** Start from an empty store (no index), deliver bytes with `deliver`, take the replies and the stored state. */
async function run(script, deliver) {
  const admin = await connect(srv.port);
  await admin.send(['FLUSHALL']);
  await admin.send(['FT.DROPINDEX', 'idx']);
  admin.close();
  const c = await rawClient(srv.port);
  const got = c.replies(script.replies);
  await deliver(c, script.bytes);
  const replies = await got;
  c.close();
  return { replies, state: await dump(srv.port) };
}

const once = (c, bytes) => c.write(bytes);

function sameAs(ref, got, what) {
  assert.equal(got.replies.length, ref.replies.length, `${what}: reply count (seed ${SEED})`);
  for (let i = 0; i < ref.replies.length; i++) {
    if (!got.replies[i].equals(ref.replies[i])) {
      assert.fail(`${what}: reply #${i} differs (seed ${SEED}): got ${JSON.stringify(got.replies[i].toString('latin1').slice(0, 200))}, ` +
        `want ${JSON.stringify(ref.replies[i].toString('latin1').slice(0, 200))}`);
    }
  }
  assert.equal(got.state.length, ref.state.length, `${what}: key count (seed ${SEED})`);
  for (let i = 0; i < ref.state.length; i++) assert.equal(got.state[i], ref.state[i], `${what}: stored value (seed ${SEED})`);
}

test('a request with a 200 ms pause after a whole argument', { timeout: 10000 }, async () => {
  const c = await rawClient(srv.port);
  const reply = c.replies(2);
  await c.write(Buffer.from('*4\r\n$4\r\nHSET\r\n$3\r\nkey\r\n$5\r\nfield\r\n'));
  await sleep(200);
  await c.write(Buffer.from('$5\r\nvalue\r\n'));
  await c.write(encodeCommand(['HGET', 'key', 'field']));
  assert.deepEqual((await reply).map(String), [':1\r\n', '$5\r\nvalue\r\n']);
  c.close();
});

test('byte by byte, and bytes in twos and threes: the same replies and stored values as one write', { timeout: 60000 }, async () => {
  const script = mixScript(SEED, 60);
  const ref = await run(script, once);
  const byteWise = (step) => async (c, bytes) => {
    for (let i = 0; i < bytes.length; i += step) {
      c.sock.write(bytes.subarray(i, i + step));
      if (step === 1 ? i % 2 === 0 : true) await sleep(0); // separate reads on the server, mostly
    }
  };
  sameAs(ref, await run(script, byteWise(1)), 'byte by byte');
  sameAs(ref, await run(script, byteWise(3)), 'three bytes at a time');
});

test('HSET big2 f1 <70,000 random bytes> f2 <1 MiB> on a fresh connection, then HGET both', { timeout: 30000 }, async () => {
  const r = prng(SEED);
  const f1 = randomValue(r, 70000);
  const f2 = randomValue(r, 1 << 20);
  for (const name of ['big2', 'big3']) {
    const c = await rawClient(srv.port);
    const replies = c.replies(3);
    // big2 in one write; big3 in 1000-byte writes
    const bytes = encodeCommand(['HSET', name, 'f1', f1, 'f2', f2]);
    if (name === 'big2') await c.write(bytes);
    else for (let i = 0; i < bytes.length; i += 1000) c.sock.write(bytes.subarray(i, i + 1000));
    await c.write(encodeCommand(['HGET', name, 'f1']));
    await c.write(encodeCommand(['HGET', name, 'f2']));
    const [a, b, d] = await replies;
    assert.equal(a.toString(), ':2\r\n', name);
    assert.ok(b.equals(Buffer.concat([Buffer.from('$70000\r\n'), f1, Buffer.from('\r\n')])), `${name} f1 byte-exact (seed ${SEED})`);
    assert.ok(d.equals(Buffer.concat([Buffer.from(`$${1 << 20}\r\n`), f2, Buffer.from('\r\n')])), `${name} f2 byte-exact (seed ${SEED})`);
    c.close();
  }
});

test('50,000 pipelined HSETs in one write: every reply and every stored value', { timeout: 60000 }, async () => {
  const r = prng(SEED + 1);
  const N = 50000;
  const values = Array.from({ length: N }, () => randomValue(r, r() < 0.01 ? 2000 + r.int(20000) : r.int(60)));
  const c = await rawClient(srv.port);
  let got = c.replies(N);
  await c.write(Buffer.concat(values.map((v, i) => encodeCommand(['HSET', `p:${i}`, 'f', v, 'i', String(i)]))));
  let replies = await got;
  assert.equal(replies.length, N);
  const bad = replies.map((x, i) => [i, x.toString('latin1')]).filter(([, x]) => x !== ':2\r\n');
  assert.deepEqual(bad.slice(0, 5), [], `${bad.length} wrong HSET replies (seed ${SEED})`);
  got = c.replies(N);
  await c.write(Buffer.concat(values.map((_, i) => encodeCommand(['HMGET', `p:${i}`, 'f', 'i']))));
  replies = await got;
  let wrong = 0;
  let first = null;
  for (let i = 0; i < N; i++) {
    const v = values[i];
    const want = Buffer.concat([Buffer.from(`*2\r\n$${v.length}\r\n`), v, Buffer.from(`\r\n$${String(i).length}\r\n${i}\r\n`)]);
    if (!replies[i].equals(want)) {
      wrong++;
      first ??= i;
    }
  }
  assert.equal(wrong, 0, `${wrong} wrong stored values, first p:${first} (seed ${SEED})`);
  c.close();
});

test('a long pipeline in random fragments of 1 byte .. 64 KiB', { timeout: 90000 }, async () => {
  const script = mixScript(SEED + 2, 4000, { big: true });
  const ref = await run(script, once);
  for (const k of [0, 1]) {
    const r = prng(SEED + 3 + k);
    const frags = async (c, bytes) => {
      for (let i = 0; i < bytes.length;) {
        const n = 1 + (r() < 0.3 ? r.int(16) : r.int(65536));
        c.sock.write(bytes.subarray(i, i + n));
        i += n;
        if (r() < 0.3) await sleep(r.int(3));
      }
    };
    sameAs(ref, await run(script, frags), `random fragments, round ${k}`);
  }
});

test('a slow client: small writes with delays', { timeout: 60000 }, async () => {
  const script = mixScript(SEED + 5, 40);
  const ref = await run(script, once);
  const r = prng(SEED + 6);
  const slow = async (c, bytes) => {
    for (let i = 0; i < bytes.length;) {
      const n = 1 + r.int(r() < 0.9 ? 24 : 600);
      await c.write(bytes.subarray(i, i + n));
      i += n;
      await sleep(1 + r.int(4));
    }
  };
  sameAs(ref, await run(script, slow), 'slow client');
});

test('a client that does not read: the server stays bounded, serves others, then delivers it everything in order', { timeout: 90000 }, async () => {
  const r = prng(SEED + 7);
  const admin = await connect(srv.port);
  const big = randomValue(r, 1 << 20);
  assert.equal(await admin.send(['HSET', 'lazybig', 'f', big]), 1);
  const lazy = await rawClient(srv.port);
  lazy.sock.pause();
  const N = 150; // 150 MiB of replies if the server buffered them all
  const get = encodeCommand(['HGETALL', 'lazybig']);
  for (let i = 0; i < N; i++) lazy.sock.write(get);
  // ... and a request split across writes while the server waits for this client to drain
  const v = randomValue(r, 5000);
  const hset = encodeCommand(['HSET', 'lazy:split', 'f', v]);
  lazy.sock.write(hset.subarray(0, 2600));
  await sleep(600);
  lazy.sock.write(hset.subarray(2600));
  lazy.sock.write(encodeCommand(['HGET', 'lazy:split', 'f']));
  await sleep(600);
  const rss = rssOf(srv.proc.pid);
  assert.ok(rss > 0 && rss < 400 << 20, `server RSS ${(rss / 1048576).toFixed(0)} MiB`);
  const other = await connect(srv.port);
  assert.equal(await other.send(['PING']), 'PONG');
  assert.equal(await other.send(['HSET', 'other', 'f', 'v']), 1);
  other.close();
  // Now read: every reply, in order.
  const want = sha(Buffer.concat([Buffer.from(`*2\r\n$1\r\nf\r\n$${big.length}\r\n`), big, Buffer.from('\r\n')]));
  const all = lazy.replies(N + 2);
  lazy.sock.resume();
  const replies = await all;
  assert.equal(replies.length, N + 2);
  for (let i = 0; i < N; i++) assert.equal(sha(replies[i]), want, `HGETALL reply #${i}`);
  assert.equal(replies[N].toString(), ':1\r\n');
  assert.ok(replies[N + 1].equals(Buffer.concat([Buffer.from('$5000\r\n'), v, Buffer.from('\r\n')])), 'the split HSET stored its value');
  lazy.close();
  admin.close();
});

test('eight redis-py threads writing 1536-dimension float32 vectors, every value checked', { timeout: 120000, skip: !HAVE_PY && 'python3-redis / numpy are not installed' }, async () => {
  const script = `
import sys, threading, json, numpy as np, redis
port, seed = int(sys.argv[1]), int(sys.argv[2])
N, DIM, T = 250, 1536, 8
errors, wrong = [], []
def vec(t, i):
    return np.random.default_rng(seed * 1000003 + t * 10007 + i).random(DIM, dtype=np.float32)
def worker(t):
    r = redis.Redis(host='127.0.0.1', port=port)
    for i in range(N):
        try:
            r.hset(f'py:{t}:{i}', mapping={'embedding': vec(t, i).tobytes(), 'tag': f't{t}'})
        except Exception as e:
            errors.append(f'{t}/{i}: {str(e)[:120]}')
    p = r.pipeline(transaction=False)
    for i in range(N):
        p.hset(f'pyp:{t}:{i}', 'embedding', vec(t, i + N).tobytes())
    try:
        p.execute()
    except Exception as e:
        errors.append(f'pipeline {t}: {str(e)[:120]}')
ths = [threading.Thread(target=worker, args=(t,)) for t in range(T)]
for th in ths: th.start()
for th in ths: th.join()
r = redis.Redis(host='127.0.0.1', port=port)
for t in range(T):
    for i in range(N):
        if r.hget(f'py:{t}:{i}', 'embedding') != vec(t, i).tobytes(): wrong.append(f'py:{t}:{i}')
        if r.hget(f'pyp:{t}:{i}', 'embedding') != vec(t, i + N).tobytes(): wrong.append(f'pyp:{t}:{i}')
print(json.dumps({'errors': errors[:5], 'nerrors': len(errors), 'wrong': wrong[:5], 'nwrong': len(wrong)}))
`;
  const out = await new Promise((resolve, reject) => {
    const p = spawn(PY, ['-c', script, String(srv.port), String(SEED % 100000)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let o = '';
    let e = '';
    p.stdout.on('data', (d) => (o += d));
    p.stderr.on('data', (d) => (e += d));
    const timer = setTimeout(() => p.kill('SIGKILL'), 100000);
    p.on('close', (code) => {
      clearTimeout(timer);
      if (code !== 0) reject(new Error(`python exited ${code}: ${e}`));
      else resolve(JSON.parse(o));
    });
  });
  assert.deepEqual(out, { errors: [], nerrors: 0, wrong: [], nwrong: 0 }, `seed ${SEED}`);
});
