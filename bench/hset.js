// bench/hset.js - HSET and HGETALL throughput through the JS API (issue 2).
//
// Dataset: N hashes `doc:<i>`, each with a 512-byte vector (128 float32)
// and two small fields, written with `await db.hset(...)` one at a time,
// then read back with `await db.hgetall(...)`.  Prints ops/s per build.
// Usage: node bench/hset.js [N]

import os from 'node:os';
import { open } from '../js/index.js';

const N = Number(process.argv[2] ?? 200000);
const DIM = 128;

function rng(seed) {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 4294967296);
}

async function run(simd) {
  const db = await open({ simd });
  const rand = rng(42);
  const vecs = [];
  for (let i = 0; i < 1024; i++) {
    const v = new Float32Array(DIM);
    for (let j = 0; j < DIM; j++) v[j] = rand();
    vecs.push(v);
  }
  const keys = Array.from({ length: N }, (_, i) => `doc:${i}`);
  const tags = ['red', 'green', 'blue', 'black'];
  // Warm-up (JIT), then a clean store.
  for (let i = 0; i < 20000; i++) await db.hset(keys[i], { vec: vecs[i & 1023], tag: tags[i & 3], n: i });
  await db.flushall();

  let t0 = performance.now();
  for (let i = 0; i < N; i++) await db.hset(keys[i], { vec: vecs[i & 1023], tag: tags[i & 3], n: i });
  const hsetMs = performance.now() - t0;

  t0 = performance.now();
  let bytes = 0;
  for (let i = 0; i < N; i++) {
    const h = await db.hgetall(keys[i], { binary: true });
    bytes += h.vec.length;
  }
  const hgetallMs = performance.now() - t0;
  if (bytes !== N * DIM * 4) throw new Error('bench: wrong data read back');
  const mem = db.usedMemory();
  await db.close();
  return { build: db.build, hset: N / (hsetMs / 1000), hgetall: N / (hgetallMs / 1000), mem };
}

console.log(`HSET/HGETALL via db.hset/db.hgetall: ${N} hashes {vec: ${DIM * 4} B, tag, n}`);
console.log(`node ${process.version}, ${os.cpus()[0].model}, ${os.cpus().length} cores`);
for (const simd of [true, false]) {
  const r = await run(simd);
  console.log(`${r.build.padEnd(6)}  HSET ${Math.round(r.hset).toLocaleString('en-US')}/s   ` +
    `HGETALL ${Math.round(r.hgetall).toLocaleString('en-US')}/s   engine memory ${(r.mem / 1048576).toFixed(1)} MiB ` +
    `(${Math.round(r.mem / N)} B/hash)`);
}
