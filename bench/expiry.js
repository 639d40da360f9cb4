// bench/expiry.js - the cost of key expiry (issue 14): 100,000 hashes
// (a 32-dim float32 vector each, in a FLAT index) written with HSET and
// PEXPIRE in a pipeline, and 100,000 strings with SET ... EX, all due at
// about the same moment; then, with the background cycle reclaiming them
// in bounded steps, the wall time until every key is gone, the longest
// single step, and the longest the event loop was held (a 1 ms timer's
// worst lateness: what a page would feel).  Also the memory a TTL adds.
// Usage: node bench/expiry.js [N]

import { open } from '../js/index.js';

const N = Number(process.argv[2] ?? 100000);
const DIM = 32;
const BATCH = 1000;

const db = await open();
await db.createIndex('idx', { prefix: 'doc:', schema: { v: { type: 'VECTOR', algorithm: 'FLAT', dim: DIM, distance: 'L2' } } });
const vec = new Float32Array(DIM);

// Memory of a TTL: the same keys with and without one.
const m0 = db.usedMemory();
const t0 = performance.now();
const ttlMs = 4000 + Math.ceil(N / 25); // due after all writes finish
for (let i = 0; i < N; i += BATCH) {
  const cmds = [];
  for (let j = i; j < Math.min(N, i + BATCH); j++) {
    vec[0] = j;
    cmds.push(['HSET', `doc:${j}`, 'v', vec, 'n', j]);
  }
  await db.pipeline(cmds);
}
const m1 = db.usedMemory();
for (let i = 0; i < N; i += BATCH) {
  const cmds = [];
  for (let j = i; j < Math.min(N, i + BATCH); j++) cmds.push(['PEXPIRE', `doc:${j}`, ttlMs]);
  await db.pipeline(cmds);
}
const m2 = db.usedMemory();
for (let i = 0; i < N; i += BATCH) {
  const cmds = [];
  for (let j = i; j < Math.min(N, i + BATCH); j++) cmds.push(['SET', `s:${j}`, 'value', 'EX', Math.ceil(ttlMs / 1000)]);
  await db.pipeline(cmds);
}
const wrote = performance.now() - t0;
const total = await db.dbsize();
console.log(`wrote ${total} keys with TTLs in ${(wrote / 1000).toFixed(2)} s (${Math.round(total / (wrote / 1000)).toLocaleString('en-US')} keys/s, HSET+PEXPIRE and SET EX pipelined)`);
console.log(`memory a TTL adds: ${((m2 - m1) / N).toFixed(1)} bytes per key (the keys themselves: ${((m1 - m0) / N).toFixed(0)} bytes each, vector and index included)`);

// Wait for the first due time, then watch the cycle reclaim everything.
const due = db.engine.nextExpiry();
let worstLag = 0;
let last = performance.now();
const probe = setInterval(() => {
  const t = performance.now();
  worstLag = Math.max(worstLag, t - last - 1);
  last = t;
}, 1);
await new Promise((r) => setTimeout(r, Math.max(0, due - Date.now())));
const start = performance.now();
worstLag = 0;
last = start;
db.background.longestStepMs = 0;
while ((await db.dbsize()) > 0) await new Promise((r) => setTimeout(r, 5));
const took = performance.now() - start;
clearInterval(probe);
const info = await db.indexInfo('idx');
console.log(`all ${total} expired keys reclaimed in ${(took / 1000).toFixed(2)} s after the first was due (${Math.round(total / (took / 1000)).toLocaleString('en-US')} keys/s, the FLAT index emptied: num_docs ${info.num_docs})`);
console.log(`longest step ${db.background.longestStepMs.toFixed(2)} ms; longest event-loop stall ${worstLag.toFixed(2)} ms`);
await db.close();
