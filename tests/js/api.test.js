// api.test.js - the idiomatic methods, argument types, binary safety.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { open, ReplyError } from '../../js/index.js';

test('hset/hget/hgetall/del/exists/keys/dbsize/flushall', async () => {
  const db = await open();
  assert.equal(await db.hset('doc:1', { title: 'Hello', n: 3 }), 2);
  assert.equal(await db.hset('doc:1', new Map([['title', 'Bye'], ['extra', 'e']])), 1);
  assert.equal(await db.hget('doc:1', 'title'), 'Bye');
  assert.deepEqual(await db.hgetall('doc:1'), { title: 'Bye', n: '3', extra: 'e' });
  assert.deepEqual(await db.hgetall('missing'), {});
  assert.deepEqual(await db.hmget('doc:1', ['n', 'zz']), ['3', null]);
  assert.equal(await db.exists('doc:1', 'doc:1', 'zz'), 2);
  assert.deepEqual(await db.keys(), ['doc:1']);
  assert.equal(await db.dbsize(), 1);
  assert.equal(await db.del('doc:1', 'zz'), 1);
  await db.hset('a', { f: 1 });
  assert.equal(await db.flushall(), 'OK');
  assert.equal(await db.dbsize(), 0);
  await db.close();
  await assert.rejects(db.hget('a', 'f'), /closed/);
});

test('scan is an async iterator over all keys', async () => {
  const db = await open();
  for (let i = 0; i < 300; i++) await db.hset(`k${i}`, { f: i });
  await db.command('SET', 'str', 'x');
  const all = [];
  for await (const k of db.scan({ count: 7 })) all.push(k);
  assert.equal(all.length, 301);
  assert.equal(new Set(all).size, 301);
  const hashes = [];
  for await (const k of db.scan({ match: 'k1*', type: 'hash' })) hashes.push(k);
  assert.deepEqual(hashes.sort(), all.filter((k) => k.startsWith('k1')).sort());
  await db.close();
});

test('typed arrays go in as their little-endian bytes', async () => {
  const db = await open();
  const v = new Float32Array([1.5, -2, 3.25]);
  await db.hset('v', { vec: v });
  const bytes = await db.hget('v', 'vec', { binary: true });
  assert.ok(bytes instanceof Uint8Array);
  assert.deepEqual(new Float32Array(bytes.buffer, bytes.byteOffset, 3), v);
  // A view with an offset into a bigger buffer sends only its own bytes.
  const big = new Float32Array([9, 9, 1, 2, 9]);
  await db.hset('v2', { vec: big.subarray(2, 4) });
  const b2 = await db.hget('v2', 'vec', { binary: true });
  assert.deepEqual(Array.from(new Float32Array(b2.buffer.slice(b2.byteOffset, b2.byteOffset + 8))), [1, 2]);
  // Other views and raw ArrayBuffers.
  await db.hset('v3', { a: new Uint16Array([1, 258]), b: new Uint8Array([0, 255]).buffer, c: new DataView(new ArrayBuffer(2)) });
  assert.deepEqual(Array.from(await db.hget('v3', 'a', { binary: true })), [1, 0, 2, 1]);
  assert.deepEqual(Array.from(await db.hget('v3', 'b', { binary: true })), [0, 255]);
  assert.deepEqual(Array.from(await db.hget('v3', 'c', { binary: true })), [0, 0]);
  await assert.rejects(db.command('SET', 'x', null), TypeError);
  await assert.rejects(db.command('SET', 'x', {}), TypeError);
  await db.close();
});

test('binary safety: NUL bytes, empty values, 1 MiB values, UTF-8', async () => {
  const db = await open();
  const key = new Uint8Array([107, 0, 120]);
  const field = new Uint8Array([0]);
  assert.equal(await db.command('HSET', key, field, ''), 1);
  assert.deepEqual(await db.commandBuffer('HGET', key, field), new Uint8Array(0));
  assert.equal(await db.command('EXISTS', 'k'), 0);
  assert.deepEqual(await db.commandBuffer('KEYS', '*'), [key]);
  assert.equal(await db.command('HSET', '', '', ''), 1);
  assert.equal(await db.command('HGET', '', ''), '');
  const big = new Uint8Array(1 << 20);
  for (let i = 0; i < big.length; i++) big[i] = (i * 31) & 255;
  await db.command('HSET', 'big', 'f', big);
  assert.deepEqual(await db.commandBuffer('HGET', 'big', 'f'), big);
  assert.equal(await db.command('HSTRLEN', 'big', 'f'), 1 << 20);
  const text = 'naïve 日本語 🚀';
  await db.hset('u', { [text]: text });
  assert.deepEqual(await db.hgetall('u'), { [text]: text });
  const huge = 'x'.repeat(3 << 20); // a 3 MiB string argument grows the arg buffer
  await db.command('SET', 'huge', huge);
  assert.equal((await db.command('GET', 'huge')).length, 3 << 20);
  await db.close();
});

test('binaryReplies option and ReplyError', async () => {
  const db = await open({ binaryReplies: true });
  await db.command('SET', 'k', 'v');
  assert.deepEqual(await db.command('GET', 'k'), new Uint8Array([118]));
  try {
    await db.command('GET');
    assert.fail('no error');
  } catch (e) {
    assert.ok(e instanceof ReplyError);
    assert.ok(e instanceof Error);
    assert.equal(e.name, 'ReplyError');
    assert.equal(e.message, "ERR wrong number of arguments for 'get' command");
  }
  await db.close();
});

test('commandRaw: RESP bytes as a server sends them, in RESP2 or RESP3, error replies returned', async () => {
  const db = await open();
  await db.hset('h', { f: 'v' });
  const text = async (r) => new TextDecoder().decode(await r);
  assert.equal(await text(db.commandRaw(['HGETALL', 'h'])), '*2\r\n$1\r\nf\r\n$1\r\nv\r\n');
  assert.equal(await text(db.commandRaw(['HGETALL', 'h'], { proto: 3 })), '%1\r\n$1\r\nf\r\n$1\r\nv\r\n');
  assert.equal(await text(db.commandRaw(['HGETALL', 'h'], 3)), '%1\r\n$1\r\nf\r\n$1\r\nv\r\n'); // the older form
  assert.match(await text(db.commandRaw(['HGET', 'h'])), /^-ERR wrong number of arguments for 'hget' command\r\n$/);
  await db.close();
});
