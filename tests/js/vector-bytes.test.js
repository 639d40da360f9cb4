// vector-bytes.test.js - js/vectors.js: numbers to a vector type's bytes and
// back.  Rounding is checked against the definition (the nearest
// representable value, ties to the even one) rather than against a second
// implementation of the same bit tricks.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { vectorBytes, vectorElementSize, vectorValues } from '../../js/index.js';
import { bfloat16Bits, bfloat16Value, float16Bits, float16Value } from '../../js/vectors.js';
import { prng } from './prng.js';

/** The value nearest to x among the finite values of a 16-bit format,
 * ties to the even bit pattern; +-Infinity past the largest rounding edge. */
function nearest(x, valueOf, maxBits) {
  let best = null;
  let bestD = Infinity;
  // Binary search over the ordered positive patterns, then look around.
  const ax = Math.abs(x);
  let lo = 0;
  let hi = maxBits;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (valueOf(mid) <= ax) lo = mid;
    else hi = mid;
  }
  for (const b of [lo, hi]) {
    const d = Math.abs(valueOf(b) - ax);
    if (d < bestD || (d === bestD && (b & 1) === 0)) {
      best = b;
      bestD = d;
    }
  }
  // Past the largest finite value by half an ulp or more: infinity.
  const top = valueOf(maxBits);
  const ulp = top - valueOf(maxBits - 1);
  if (ax >= top + ulp / 2) best = -1;
  return { bits: best, neg: x < 0 || Object.is(x, -0) };
}

test('every finite FLOAT16 and BFLOAT16 value round-trips through its bits', () => {
  for (let h = 0; h < 65536; h++) {
    const v = float16Value(h);
    if (!Number.isNaN(v)) assert.equal(float16Bits(v), h, `half ${h.toString(16)}`);
    const b = bfloat16Value(h);
    if (!Number.isNaN(b)) assert.equal(bfloat16Bits(b), h, `bfloat16 ${h.toString(16)}`);
  }
});

test('FLOAT16 and BFLOAT16 round to nearest, ties to even (seeded)', () => {
  const seed = 1501;
  const rand = prng(seed);
  const f32 = new Float32Array(1);
  const u32 = new Uint32Array(f32.buffer);
  for (let i = 0; i < 20000; i++) {
    // Random binary32 patterns across the range, and exact ties.
    u32[0] = (rand() * 2 ** 32) >>> 0;
    let x = f32[0];
    if (!Number.isFinite(x)) continue;
    if (i % 4 === 0) x = (float16Value((rand() * 0x7bff) | 0) + float16Value(((rand() * 0x7bff) | 0))) / 2;
    x = Math.fround(x);
    const h = nearest(x, float16Value, 0x7bff);
    const want = h.bits < 0 ? (h.neg ? 0xfc00 : 0x7c00) : (h.neg ? 0x8000 : 0) | h.bits;
    assert.equal(float16Bits(x), want, `seed ${seed}: FLOAT16 of ${x}`);
    const b = nearest(x, bfloat16Value, 0x7f7f);
    const wantB = b.bits < 0 ? (b.neg ? 0xff80 : 0x7f80) : (b.neg ? 0x8000 : 0) | b.bits;
    assert.equal(bfloat16Bits(x), wantB, `seed ${seed}: BFLOAT16 of ${x}`);
  }
});

test('vectorBytes and vectorValues: sizes, little-endian layout, integer ranges', () => {
  assert.deepEqual([...['FLOAT32', 'FLOAT16', 'BFLOAT16', 'INT8', 'UINT8'].map(vectorElementSize)], [4, 2, 2, 1, 1]);
  assert.deepEqual([...vectorBytes([1, -2], 'FLOAT32')], [0, 0, 0x80, 0x3f, 0, 0, 0, 0xc0]);
  assert.deepEqual([...vectorBytes([1, -2], 'FLOAT16')], [0, 0x3c, 0, 0xc0]);
  assert.deepEqual([...vectorBytes([1, -2], 'BFLOAT16')], [0x80, 0x3f, 0, 0xc0]);
  assert.deepEqual([...vectorBytes([-128, 127, 0], 'INT8')], [0x80, 0x7f, 0]);
  assert.deepEqual([...vectorBytes([0, 255], 'uint8')], [0, 255]);
  assert.deepEqual([...vectorValues(vectorBytes([0.25, -3, 65504], 'FLOAT16'), 'FLOAT16')], [0.25, -3, 65504]);
  assert.deepEqual([...vectorValues(new Uint8Array([0x80, 0x7f]), 'INT8')], [-128, 127]);
  assert.equal(float16Bits(65520), 0x7c00, 'halfway past the largest half rounds to infinity');
  assert.equal(float16Bits(65519.99), 0x7bff);
  for (const [v, t] of [[128, 'INT8'], [-129, 'INT8'], [256, 'UINT8'], [-1, 'UINT8'], [0.5, 'INT8'], [NaN, 'UINT8']]) {
    assert.throws(() => vectorBytes([v], t), RangeError, `${t} ${v}`);
  }
  assert.throws(() => vectorBytes([1], 'FLOAT64'), /unknown vector type/);
  assert.throws(() => vectorValues(new Uint8Array(3), 'FLOAT16'), /not a whole FLOAT16 vector/);
});
