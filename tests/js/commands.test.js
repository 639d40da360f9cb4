// commands.test.js - the command language through db.command, with the
// exact Redis replies and error texts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { open, ReplyError } from '../../js/index.js';

async function rejects(p, message) {
  await assert.rejects(p, (e) => {
    assert.ok(e instanceof ReplyError, `expected ReplyError, got ${e}`);
    assert.equal(e.message, message);
    return true;
  });
}

test('connection commands', async () => {
  const db = await open();
  assert.equal(await db.command('PING'), 'PONG');
  assert.equal(await db.command('ping', 'hi'), 'hi');
  assert.equal(await db.command('ECHO', 'héllo wörld'), 'héllo wörld');
  await rejects(db.command('ECHO'), "ERR wrong number of arguments for 'echo' command");
  await rejects(db.command('NOPE', 'a', 1), "ERR unknown command 'NOPE', with args beginning with: 'a' '1' ");
  // A real name followed by NUL is no command (redis-server's answer on most starts;
  // see tests/diff/gen.js), and the text stops at the NUL as Redis's does.
  await rejects(db.command('HSET\0', 'h', 'f', 'v'), "ERR unknown command 'HSET', with args beginning with: 'h' 'f' 'v' ");
  assert.equal(await db.command('EXISTS', 'h'), 0);
  await db.close();
});

test('hash commands', async () => {
  const db = await open();
  assert.equal(await db.command('HSET', 'h', 'a', '1', 'b', 2), 2);
  assert.equal(await db.command('HSET', 'h', 'a', 'x'), 0);
  assert.equal(await db.command('HGET', 'h', 'a'), 'x');
  assert.equal(await db.command('HGET', 'h', 'zz'), null);
  assert.deepEqual(await db.command('HMGET', 'h', 'a', 'zz', 'b'), ['x', null, '2']);
  assert.deepEqual(await db.command('HGETALL', 'h'), ['a', 'x', 'b', '2']);
  assert.deepEqual(await db.command('HKEYS', 'h'), ['a', 'b']);
  assert.deepEqual(await db.command('HVALS', 'h'), ['x', '2']);
  assert.equal(await db.command('HLEN', 'h'), 2);
  assert.equal(await db.command('HEXISTS', 'h', 'a'), 1);
  assert.equal(await db.command('HSTRLEN', 'h', 'b'), 1);
  assert.equal(await db.command('HSETNX', 'h', 'a', 'y'), 0);
  assert.equal(await db.command('HSETNX', 'h', 'c', 'y'), 1);
  assert.equal(await db.command('HINCRBY', 'h', 'n', 41), 41);
  assert.equal(await db.command('HINCRBY', 'h', 'n', '1'), 42);
  assert.equal(await db.command('HINCRBYFLOAT', 'h', 'f', '10.5'), '10.5');
  assert.equal(await db.command('HINCRBYFLOAT', 'h', 'f', '0.1'), '10.6');
  assert.equal(await db.command('HDEL', 'h', 'a', 'zz'), 1);
  await rejects(db.command('HSET', 'h', 'a'), "ERR wrong number of arguments for 'hset' command");
  await rejects(db.command('HINCRBY', 'h', 'c', 1), 'ERR hash value is not an integer');
  await rejects(db.command('HINCRBY', 'h', 'n', 'x'), 'ERR value is not an integer or out of range');
  await rejects(db.command('HINCRBYFLOAT', 'h', 'c', 1), 'ERR hash value is not a float');
  await rejects(db.command('HINCRBYFLOAT', 'h', 'f', 'x'), 'ERR value is not a valid float');
  await db.close();
});

test('strings, types and key commands', async () => {
  const db = await open();
  assert.equal(await db.command('SET', 's', 'v'), 'OK');
  assert.equal(await db.command('GET', 's'), 'v');
  assert.equal(await db.command('SET', 's', 'w', 'NX'), null);
  assert.equal(await db.command('SET', 's', 'w', 'XX', 'GET'), 'v');
  await db.command('HSET', 'h', 'f', 'v');
  const wrongtype = 'WRONGTYPE Operation against a key holding the wrong kind of value';
  await rejects(db.command('GET', 'h'), wrongtype);
  await rejects(db.command('HGET', 's', 'f'), wrongtype);
  await rejects(db.command('HSET', 's', 'f', 'v'), wrongtype);
  assert.equal(await db.command('TYPE', 's'), 'string');
  assert.equal(await db.command('TYPE', 'h'), 'hash');
  assert.equal(await db.command('TYPE', 'nope'), 'none');
  assert.equal(await db.command('EXISTS', 's', 's', 'h', 'nope'), 3);
  assert.equal(await db.command('RENAME', 'h', 'h2'), 'OK');
  await rejects(db.command('RENAME', 'h', 'h3'), 'ERR no such key');
  assert.deepEqual((await db.command('KEYS', '*')).sort(), ['h2', 's']);
  assert.deepEqual(await db.command('KEYS', 'h?'), ['h2']);
  assert.equal(await db.command('DBSIZE'), 2);
  assert.equal(await db.command('UNLINK', 's', 'nope'), 1);
  assert.equal(await db.command('DEL', 'h2'), 1);
  assert.equal(await db.command('DBSIZE'), 0);
  await db.command('SET', 'x', '1');
  assert.equal(await db.command('FLUSHALL'), 'OK');
  assert.equal(await db.command('DBSIZE'), 0);
  await db.close();
});

test('SCAN returns every key present for the whole iteration, once', async () => {
  const db = await open();
  for (let i = 0; i < 1000; i++) await db.command('HSET', `k:${i}`, 'f', i);
  const seen = new Map();
  let cursor = '0';
  let extra = 0;
  do {
    const [next, keys] = await db.command('SCAN', cursor, 'MATCH', 'k:*', 'COUNT', 25);
    for (const k of keys) seen.set(k, (seen.get(k) ?? 0) + 1);
    // Grow the keyspace (past several table resizes) while scanning.
    for (let j = 0; j < 10; j++) await db.command('HSET', `other:${extra++}`, 'f', 1);
    cursor = next;
  } while (cursor !== '0');
  for (let i = 0; i < 1000; i++) assert.equal(seen.get(`k:${i}`), 1, `k:${i}`);
  await rejects(db.command('SCAN', 'x'), 'ERR invalid cursor');
  await rejects(db.command('SCAN', '0', 'COUNT', 0), 'ERR syntax error');
  await db.close();
});

test('CONFIG and maxmemory', async () => {
  const db = await open({ maxmemory: 0 });
  assert.deepEqual(await db.command('CONFIG', 'GET', 'maxmemory'), ['maxmemory', '0']);
  assert.equal(await db.command('CONFIG', 'SET', 'maxmemory', '10mb'), 'OK');
  assert.deepEqual(await db.command('CONFIG', 'GET', 'maxmemory'), ['maxmemory', String(10 * 1024 * 1024)]);
  await db.close();
});
