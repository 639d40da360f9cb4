// oom.test.js - allocation failure and maxmemory in the WebAssembly build.
//
// For each write, fail the 1st, 2nd, ... allocation inside it until it
// runs clean: a failed command answers an OOM error, the keyspace is
// exactly as before, and closing the store frees every byte (no leak).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { open, ReplyError } from '../../js/index.js';
import { dump } from './helpers.js';

async function setup(db) {
  await db.command('HSET', 'h', 'a', '1', 'b', '2');
  await db.command('SET', 's', 'str');
  for (let i = 0; i < 40; i++) await db.command('HSET', 'big', `f${i}`, 'v');
  for (let i = 0; i < 60; i++) await db.command('HSET', `k${i}`, 'x', '1');
}

const WRITES = [
  ['HSET', 'new', 'a', '1', 'vec', new Float32Array(128)],
  ['HSET', 'h', 'a', '10', 'c', '3'],
  ['HSET', 'big', 'f1', 'x', 'g1', 'y'],
  ['HSET', 'h', ...Array.from({ length: 40 }, (_, i) => [`c${i}`, 'v']).flat()],
  ['HSETNX', 'h', 'zz', '1'],
  ['HINCRBY', 'h', 'a', '5'],
  ['HINCRBYFLOAT', 'new', 'f', '1.5'],
  ['HDEL', 'h', 'a'],
  ['SET', 's2', 'v'],
  ['SET', 'h', 'v'],
  ['RENAME', 'h', 'h2'],
  ['RENAME', 'h', 's'],
  ['DEL', 'h', 's'],
];

test('a failed allocation inside any write changes nothing', async () => {
  let failures = 0;
  for (const cmd of WRITES) {
    for (const persist of [false, true]) {
      const ref = await open();
      await setup(ref);
      const before = await dump(ref);
      await ref.command(...cmd);
      const after = await dump(ref);
      await ref.close();
      for (let nth = 1; nth < 1000; nth++) {
        const db = await open();
        await setup(db);
        db.engine.faultInject(nth, persist);
        let error = null;
        try {
          await db.command(...cmd);
        } catch (e) {
          error = e;
        }
        const faults = db.engine.faultInject(0);
        const state = await dump(db);
        if (error) {
          failures++;
          assert.ok(error instanceof ReplyError);
          assert.match(error.message, /^OOM /);
          assert.equal(state, before, `${cmd[0]} fault ${nth}: state changed`);
        } else {
          assert.equal(state, after, `${cmd[0]} fault ${nth}: wrong state after success`);
        }
        await db.close();
        // Leak check: with the store closed the engine holds nothing.
        assert.equal(db.engine.exports.vs_used_memory(), 0, `${cmd[0]} fault ${nth}: leaked`);
        if (faults === 0) break;
      }
    }
  }
  assert.ok(failures > 20, `only ${failures} injected failures`);
});

test('maxmemory refuses writes with the Redis error, keeps reads and deletes', async () => {
  const db = await open();
  await db.hset('keep', { f: 'v' });
  await db.command('CONFIG', 'SET', 'maxmemory', String(db.usedMemory() + 65536));
  const big = new Uint8Array(200000);
  await assert.rejects(db.command('HSET', 'new', 'f', big), {
    message: "OOM command not allowed when used memory > 'maxmemory'.",
  });
  await assert.rejects(db.hset('new', { f: big }), /OOM command not allowed/);
  assert.equal(await db.exists('new'), 0);
  assert.equal(await db.hget('keep', 'f'), 'v');
  // Small writes under the limit still work, until the limit is reached.
  let n = 0;
  try {
    for (;; n++) await db.hset(`k${n}`, { f: 'x'.repeat(1000) });
  } catch (e) {
    assert.match(e.message, /^OOM command not allowed/);
  }
  assert.ok(n > 10 && n < 100, `wrote ${n}`);
  assert.ok(db.usedMemory() <= Number((await db.command('CONFIG', 'GET', 'maxmemory'))[1]));
  assert.equal(await db.del('keep'), 1);
  await db.close();

  const limited = await open({ maxmemory: 1 });
  await assert.rejects(limited.hset('k', { f: 'v' }), /OOM command not allowed/);
  await limited.close();
});
