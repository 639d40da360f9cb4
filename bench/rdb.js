// bench/rdb.js - RDB export and import (Redis's dump format) for the
// 100,000 x 128 store of bench/persist.js (seeded clustered float32
// vectors, a TAG and a NUMERIC field per hash), against redis-server's own
// SAVE and load of the same data, in one run:
//   - Vessel: exportRdb's chunks taken in memory, and written to a file
//     (write + fsync);
//     importRdb from memory (the keys; then the indexes' backfill, apart);
//   - redis-server (Debian's 7.0): the same hashes written with
//     redis-cli --pipe, SAVE (its round trip), and a restart's load (the
//     time redis-server logs as "DB loaded from disk");
//   - each side reads the other's file: redis-server loads Vessel's
//     export, Vessel imports redis-server's dump.
// MB/s are the file's bytes over the time; medians of REPS runs.
//
//   node bench/rdb.js [--quick]
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as fsp from 'node:fs/promises';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { concat } from '../js/bytes.js';
import { open } from '../js/node.js';
import { encodeCommand } from '../js/resp.js';
import { freePort, waitForPort } from '../tests/net.js';
import { clustered, row } from './datasets.js';

const here = dirname(fileURLToPath(import.meta.url));
const quick = process.argv.includes('--quick');
const N = quick ? 20000 : 100000;
const DIM = 128;
const REPS = quick ? 3 : 5;
const MB = 1e6;
const work = join(here, '..', 'build', 'bench-rdb');
rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });

const fmt = (x, d = 0) => x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const CREATE = ['FT.CREATE', 'idx', 'PREFIX', '1', 'doc:', 'SCHEMA', 'v', 'VECTOR', 'FLAT', '6', 'TYPE', 'FLOAT32', 'DIM', String(DIM),
  'DISTANCE_METRIC', 'L2', 'tag', 'TAG', 'n', 'NUMERIC'];

const data = clustered(N, DIM, { seed: 42 });
const bytesOf = (f) => new Uint8Array(f.buffer, f.byteOffset, f.byteLength);
const hset = (i) => ['HSET', `doc:${i}`, 'v', bytesOf(row(data, DIM, i)), 'tag', `c${i % 100}`, 'n', String(i % 1000)];

async function collect(gen) {
  const parts = [];
  for await (const c of gen) parts.push(c);
  return concat(parts);
}

// ---- Vessel ------------------------------------------------------------------------------
const db = await open({ seed: 1 });
db.engine.exec(CREATE);
for (let i = 0; i < N; i++) db.engine.execRaw(hset(i));
await db.indexReady('idx');

const file = await collect(db.exportRdb()); // the bytes the imports read
const size = file.length;
const exportMem = []; // the chunks taken and dropped: the engine's work and the copy out
for (let r = 0; r < REPS; r++) {
  const t = performance.now();
  let n = 0;
  for await (const c of db.exportRdb()) n += c.length;
  exportMem.push(performance.now() - t);
  if (n !== size) throw new Error(`export sizes differ: ${n} != ${size}`);
}
const exportFile = [];
const vesselRdb = join(work, 'vessel.rdb');
for (let r = 0; r < REPS; r++) {
  const t = performance.now();
  const fh = await fsp.open(vesselRdb, 'w');
  for await (const c of db.exportRdb()) await fh.write(c);
  await fh.sync();
  await fh.close();
  exportFile.push(performance.now() - t);
}

const importMem = [];
const backfill = [];
for (let r = 0; r < REPS; r++) {
  const t = performance.now();
  await db.importRdb(file, { replace: true });
  importMem.push(performance.now() - t);
  const t2 = performance.now();
  await db.indexReady('idx');
  backfill.push(performance.now() - t2);
}
const keysAfter = await db.dbsize();
await db.close();
if (keysAfter !== N) throw new Error(`imported ${keysAfter} keys, expected ${N}`);

// ---- redis-server ---------------------------------------------------------------------------
async function startRedis(dir, dbfilename) {
  const port = await freePort();
  const proc = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--dbfilename', dbfilename,
    '--save', '', '--appendonly', 'no', '--loglevel', 'notice'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  proc.stdout.on('data', (d) => (log += d));
  if (!(await waitForPort(port, { tries: 2000, alive: () => proc.exitCode === null }))) throw new Error(`redis-server: ${log}`);
  return {
    port,
    log: () => log,
    cli: (...args) => spawnSync('redis-cli', ['-p', String(port), ...args]),
    async stop() {
      proc.kill('SIGKILL');
      await new Promise((r) => (proc.exitCode !== null ? r() : proc.once('exit', r)));
    },
  };
}

const haveRedis = spawnSync('redis-server', ['--version']).status === 0;
let redis = null;
if (haveRedis) {
  const dir = join(work, 'redis');
  mkdirSync(dir, { recursive: true });
  const srv = await startRedis(dir, 'dump.rdb');
  const parts = [];
  for (let i = 0; i < N; i++) parts.push(encodeCommand(hset(i)));
  const piped = spawnSync('redis-cli', ['-p', String(srv.port), '--pipe'], { input: Buffer.concat(parts.map((p) => Buffer.from(p))), maxBuffer: 1 << 26 });
  if (piped.status !== 0) throw new Error(`redis-cli --pipe: ${piped.stdout}${piped.stderr}`);
  const saves = [];
  for (let r = 0; r < REPS; r++) {
    const t = performance.now();
    const s = srv.cli('SAVE');
    saves.push(performance.now() - t);
    if (String(s.stdout).trim() !== 'OK') throw new Error(`SAVE: ${s.stdout}${s.stderr}`);
  }
  await srv.stop();
  const redisFile = join(dir, 'dump.rdb');
  const redisSize = statSync(redisFile).size;
  const loadTime = async (d, name) => {
    const times = [];
    for (let r = 0; r < REPS; r++) {
      const s = await startRedis(d, name);
      // It listens while it loads (answering -LOADING): wait for the log line.
      for (let i = 0; i < 6000 && !/DB loaded from disk/.test(s.log()); i++) await new Promise((res) => setTimeout(res, 10));
      const m = /DB loaded from disk: ([\d.]+) seconds/.exec(s.log());
      const keys = Number(String(s.cli('DBSIZE').stdout).trim());
      await s.stop();
      if (!m) throw new Error(`no load time in the log: ${s.log()}`);
      if (keys !== N) throw new Error(`redis-server loaded ${keys} keys, expected ${N}`);
      times.push(Number(m[1]) * 1000);
    }
    return median(times);
  };
  const loadOwn = await loadTime(dir, 'dump.rdb');
  const loadVessel = await loadTime(work, 'vessel.rdb');
  // Vessel imports redis-server's own dump.
  const redisBytes = readFileSync(redisFile);
  const v2 = await open({ seed: 1 });
  const imports = [];
  for (let r = 0; r < REPS; r++) {
    const t = performance.now();
    await v2.importRdb(redisBytes, { replace: true });
    imports.push(performance.now() - t);
  }
  if ((await v2.dbsize()) !== N) throw new Error('Vessel did not import every key of the dump');
  await v2.close();
  redis = { size: redisSize, save: median(saves), loadOwn, loadVessel, importTheirs: median(imports) };
}

// ---- report -----------------------------------------------------------------------------------
const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
const rate = (bytes, ms) => `${fmt(bytes / MB / (ms / 1000))} MB/s`;
console.log(`RDB export and import: ${fmt(N)} hashes (a ${DIM}-dim float32 vector, a TAG, a NUMERIC each), ` +
  `${os.cpus().length} x ${cpu}, Node ${process.version}; medians of ${REPS}`);
console.log('');
console.log('| | file | time | rate |');
console.log('|---|---|---|---|');
console.log(`| Vessel exportRdb, chunks taken in memory | ${fmt(size / MB, 1)} MB | ${fmt(median(exportMem), 1)} ms | ${rate(size, median(exportMem))} |`);
console.log(`| Vessel exportRdb, to a file (fsync) | ${fmt(size / MB, 1)} MB | ${fmt(median(exportFile), 1)} ms | ${rate(size, median(exportFile))} |`);
console.log(`| Vessel importRdb, its own file (keys) | ${fmt(size / MB, 1)} MB | ${fmt(median(importMem), 1)} ms | ${rate(size, median(importMem))} |`);
console.log(`| ... then the indexes' backfill (FLAT, TAG, NUMERIC) | | ${fmt(median(backfill), 1)} ms | |`);
if (redis) {
  console.log(`| Vessel importRdb, redis-server's dump (keys) | ${fmt(redis.size / MB, 1)} MB | ${fmt(redis.importTheirs, 1)} ms | ${rate(redis.size, redis.importTheirs)} |`);
  console.log(`| redis-server SAVE | ${fmt(redis.size / MB, 1)} MB | ${fmt(redis.save, 1)} ms | ${rate(redis.size, redis.save)} |`);
  console.log(`| redis-server load, its own dump | ${fmt(redis.size / MB, 1)} MB | ${fmt(redis.loadOwn, 1)} ms | ${rate(redis.size, redis.loadOwn)} |`);
  console.log(`| redis-server load, Vessel's export | ${fmt(size / MB, 1)} MB | ${fmt(redis.loadVessel, 1)} ms | ${rate(size, redis.loadVessel)} |`);
} else {
  console.log('(redis-server is not installed: no comparison)');
}
writeFileSync(join(work, 'result.json'), JSON.stringify({ N, DIM, size, exportMem, exportFile, importMem, backfill, redis }, null, 2));
