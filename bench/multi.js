// bench/multi.js - transactions through vessel-server against Debian's
// redis-server, same client, one run: batches of MULTI / HSET x 100 / EXEC
// per second with node-redis 6 (`client.multi()...exec()`, how LangChain.js
// writes every batch), each HSET a document of a 384-dimension float32
// vector, a text and a tag, one batch in flight at a time (as LangChain
// awaits each), then 8 batches in flight.
//
//   node bench/multi.js [--quick]
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { freePort, waitForPort } from '../tests/net.js';
import { startServer } from '../tests/server/helpers.js';

const require = createRequire(import.meta.url);
const { createClient } = require('redis');
const quick = process.argv.includes('--quick');
const SECS = quick ? 2 : 5;
const BATCH = 100;
const DIM = 384;
const fmt = (x, d = 0) => x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

async function redisServer() {
  const port = await freePort();
  const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  if (!(await waitForPort(port, { alive: () => proc.exitCode === null }))) throw new Error('redis-server did not start');
  return { port, stop: () => proc.kill() };
}

function doc(i) {
  const v = new Float32Array(DIM);
  for (let d = 0; d < DIM; d++) v[d] = Math.sin(i * 31 + d);
  return { content: `document ${i}: ${'lorem ipsum '.repeat(8)}`, metadata: JSON.stringify({ source: `s${i % 17}` }),
    tag: `t${i % 5}`, vector: Buffer.from(v.buffer) };
}

/** Batches per second over SECS seconds with `inflight` batches at a time. */
async function run(port, inflight) {
  const client = createClient({ url: `redis://127.0.0.1:${port}` });
  client.on('error', () => {});
  await client.connect();
  await client.flushAll();
  let batches = 0;
  let next = 0;
  const until = performance.now() + SECS * 1000;
  const t0 = performance.now();
  const worker = async () => {
    while (performance.now() < until) {
      const m = client.multi();
      for (let i = 0; i < BATCH; i++) {
        const n = next++;
        m.hSet(`doc:${n % 200000}`, doc(n));
      }
      const replies = await m.exec();
      if (replies.length !== BATCH) throw new Error(`EXEC answered ${replies.length} replies`);
      batches++;
    }
  };
  await Promise.all(Array.from({ length: inflight }, worker));
  const secs = (performance.now() - t0) / 1000;
  const keys = await client.dbSize();
  await client.quit();
  return { rate: batches / secs, keys };
}

const redis = await redisServer();
const vessel = await startServer(['--no-cluster']);
try {
  console.log(`MULTI / HSET x ${BATCH} / EXEC batches per second, node-redis 6, ${DIM}-dim float32 vectors, ${SECS} s each`);
  for (const inflight of [1, 8]) {
    const r = await run(redis.port, inflight);
    const v = await run(vessel.port, inflight);
    console.log(`  ${inflight} in flight: redis-server ${fmt(r.rate)} batches/s (${fmt(r.rate * BATCH)} HSET/s), ` +
      `vessel-server ${fmt(v.rate)} batches/s (${fmt(v.rate * BATCH)} HSET/s), vessel/redis ${fmt(v.rate / r.rate, 2)}`);
  }
} finally {
  redis.stop();
  await vessel.stop();
}
