// bench/server.js - vessel-server against Debian's redis-server, on
// loopback, in one run: redis-benchmark (Debian's redis-tools) PING, SET,
// HSET, 50 clients, without and with pipelining (-P 16); then FT.SEARCH
// KNN (K 10) throughput over the network for 100,000 x 128 vectors in an
// HNSW index (M 16, EF_CONSTRUCTION 200), from 50 connections.
//
//   node bench/server.js [--quick]
import { execFileSync, spawn } from 'node:child_process';
import net from 'node:net';
import os from 'node:os';
import { encodeCommand } from '../js/resp.js';
import { clustered } from './datasets.js';
import { freePort } from '../tests/net.js';
import { startServer } from '../tests/server/helpers.js';

const quick = process.argv.includes('--quick');
const fmt = (x, d = 0) => x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

async function redisServer() {
  const port = await freePort();
  const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    try {
      if (execFileSync('redis-cli', ['-p', String(port), 'PING'], { encoding: 'utf8' }).trim() === 'PONG') break;
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { port, stop: () => proc.kill() };
}

function benchmark(port, pipeline) {
  const n = quick ? 200000 : pipeline > 1 ? 2000000 : 300000;
  const out = execFileSync('redis-benchmark', ['-p', String(port), '-t', 'ping,set,hset', '-n', String(n), '-c', '50', '-P', String(pipeline), '-q'], { encoding: 'utf8' });
  const rps = {};
  for (const m of out.replace(/\r/g, '\n').matchAll(/^\s*([A-Z_]+): ([\d.]+) requests per second/gm)) rps[m[1]] = Number(m[2]);
  return rps;
}

/** KNN over the network: `conns` connections, each keeping `depth` FT.SEARCH in flight, for `secs` seconds. */
async function knnLoad(port, queries, dim, { conns = 50, depth = 4, secs = quick ? 3 : 10 } = {}) {
  let done = 0;
  const lat = [];
  const until = performance.now() + secs * 1000;
  const nq = queries.length / dim;
  await Promise.all(Array.from({ length: conns }, (_, ci) => new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    let buf = Buffer.alloc(0);
    const sent = [];
    let qi = ci * 7919;
    const send = () => {
      const q = queries.subarray((qi % nq) * dim, (qi % nq + 1) * dim);
      qi++;
      sent.push(performance.now());
      sock.write(encodeCommand(['FT.SEARCH', 'bench', '*=>[KNN 10 @v $q]', 'PARAMS', '2', 'q', new Uint8Array(q.buffer, q.byteOffset, q.byteLength), 'NOCONTENT', 'DIALECT', '2']));
    };
    sock.on('connect', () => {
      for (let i = 0; i < depth; i++) send();
    });
    sock.on('data', (d) => {
      buf = buf.length ? Buffer.concat([buf, d]) : d;
      // Each reply: *11\r\n:10\r\n then 10 bulk keys; count complete replies by structure.
      for (;;) {
        const end = replyEnd(buf);
        if (end < 0) break;
        buf = buf.subarray(end);
        lat.push(performance.now() - sent.shift());
        done++;
        if (performance.now() < until) send();
      }
      if (!sent.length) {
        sock.end();
        resolve();
      }
    });
    sock.on('error', reject);
  })));
  lat.sort((a, b) => a - b);
  return { qps: done / secs, p50: lat[lat.length >> 1], p99: lat[Math.floor(lat.length * 0.99)] };
}

/** End of one RESP reply at the start of buf (arrays of integers/bulks), or -1. */
function replyEnd(buf) {
  let p = 0;
  const line = () => {
    const e = buf.indexOf(13, p);
    if (e < 0 || e + 1 >= buf.length) return null;
    const s = buf.toString('latin1', p, e);
    p = e + 2;
    return s;
  };
  const one = () => {
    const l = line();
    if (l === null) return false;
    if (l[0] === '*') {
      const n = Number(l.slice(1));
      for (let i = 0; i < n; i++) if (!one()) return false;
      return true;
    }
    if (l[0] === '$') {
      const n = Number(l.slice(1));
      if (n < 0) return true;
      if (p + n + 2 > buf.length) return false;
      p += n + 2;
      return true;
    }
    return true;
  };
  return one() ? p : -1;
}

const redis = await redisServer();
const vessel = await startServer(['--save', '']);
const version = execFileSync('redis-server', ['--version'], { encoding: 'utf8' }).match(/v=([\d.]+)/)[1];
console.log(`vessel-server vs redis-server ${version} on loopback, redis-benchmark -c 50; node ${process.version}, ` +
  `${os.cpus()[0].model.trim()}, ${os.cpus().length} cores (client and server share them)\n`);
const rows = [];
for (const P of [1, 16]) {
  const r = benchmark(redis.port, P);
  const v = benchmark(vessel.port, P);
  for (const t of ['PING_INLINE', 'PING_MBULK', 'SET', 'HSET']) rows.push({ t, P, redis: r[t], vessel: v[t] });
}
console.log('| command | pipeline | redis-server req/s | vessel-server req/s | ratio |\n|---|---|---|---|---|');
for (const x of rows) console.log(`| ${x.t} | ${x.P} | ${fmt(x.redis)} | ${fmt(x.vessel)} | ${(x.vessel / x.redis).toFixed(2)}x |`);
redis.stop();

// KNN over the network.
const N = quick ? 20000 : 100000;
const DIM = 128;
const data = clustered(N, DIM, { seed: 42 });
const queries = clustered(1000, DIM, { seed: 4242 });
const load = net.connect(vessel.port, '127.0.0.1');
await new Promise((r) => load.once('connect', r));
const t0 = performance.now();
load.write(encodeCommand(['FT.CREATE', 'bench', 'PREFIX', '1', 'v:', 'SCHEMA', 'v', 'VECTOR', 'HNSW', '10', 'TYPE', 'FLOAT32', 'DIM', String(DIM),
  'DISTANCE_METRIC', 'L2', 'M', '16', 'EF_CONSTRUCTION', '200']));
for (let i = 0; i < N; i++) {
  const v = data.subarray(i * DIM, (i + 1) * DIM);
  load.write(encodeCommand(['HSET', `v:${i}`, 'v', new Uint8Array(v.buffer, v.byteOffset, v.byteLength)]));
}
load.write(encodeCommand(['PING']));
await new Promise((resolve) => {
  let tail = '';
  load.on('data', (d) => {
    tail = (tail + d.toString('latin1')).slice(-16);
    if (tail.endsWith('+PONG\r\n')) resolve();
  });
});
load.end();
const loadSecs = (performance.now() - t0) / 1000;
const knn = await knnLoad(vessel.port, queries, DIM);
console.log(`\nFT.SEARCH KNN 10 over the network, ${fmt(N)} x ${DIM} HNSW (loaded through the server in ${loadSecs.toFixed(1)} s, ` +
  `${fmt(N / loadSecs)} HSET/s indexed as written): ${fmt(knn.qps)} queries/s from 50 connections (4 in flight each), ` +
  `p50 ${knn.p50.toFixed(2)} ms, p99 ${knn.p99.toFixed(2)} ms`);
await vessel.stop();
const hset16 = rows.find((x) => x.t === 'HSET' && x.P === 16);
console.log(`\n  ${hset16.vessel >= 0.5 * hset16.redis ? 'PASS' : 'MISS'}  HSET -P 16 >= 0.5x redis-server (${(hset16.vessel / hset16.redis).toFixed(2)}x)`);
