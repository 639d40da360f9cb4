// builds.test.js - the SIMD and scalar builds give identical replies.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openBoth, rng } from './helpers.js';

test('a random command stream gets byte-identical replies from both builds', async () => {
  const [simd, scalar] = await openBoth();
  assert.equal(simd.build, 'simd');
  assert.equal(scalar.build, 'scalar');
  const rand = rng(7);
  const pick = (a) => a[Math.floor(rand() * a.length)];
  const keys = Array.from({ length: 50 }, (_, i) => `key:${i}`);
  const fields = ['a', 'b', 'vec', 'n', ''];
  for (let i = 0; i < 5000; i++) {
    const k = pick(keys);
    const r = rand();
    let cmd;
    if (r < 0.4) cmd = ['HSET', k, pick(fields), new Float32Array([rand(), rand(), rand()])];
    else if (r < 0.5) cmd = ['HINCRBYFLOAT', k, 'n', (rand() * 10).toFixed(3)];
    else if (r < 0.6) cmd = ['HDEL', k, pick(fields)];
    else if (r < 0.65) cmd = ['DEL', k];
    else if (r < 0.7) cmd = ['RENAME', k, pick(keys)];
    else if (r < 0.75) cmd = ['SET', k, String(rand())];
    else if (r < 0.85) cmd = ['HGETALL', k];
    else if (r < 0.9) cmd = ['SCAN', String(Math.floor(rand() * 60)), 'COUNT', 5];
    else cmd = ['KEYS', 'key:1*'];
    const a = simd.engine.execRaw(cmd).bytes.slice();
    const b = scalar.engine.execRaw(cmd).bytes.slice();
    assert.deepEqual(a, b, `reply differs for ${cmd[0]}`);
  }
  await simd.close();
  await scalar.close();
});
