// bench/edge.js - the edge example (examples/edge/) in local workerd:
// cold start (a new workerd process: the first request, which
// instantiates the engine and loads the shipped snapshot of 10,000 x 784
// mnist vectors in HNSW), warm KNN request latency (K 10, through HTTP on
// loopback), the worker's memory, the package's size and the compressed
// engine.
//
//   node bench/edge.js          (after make edge; make bench runs both)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { startWorkerd } from '../tests/edge/workerd.js';

const root = new URL('../', import.meta.url).pathname;
const fmt = (x, d = 0) => x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
const kvDir = mkdtempSync(join(tmpdir(), 'vessel-kv-'));
const colds = [];
let warm = [];
let info;
try {
  for (let run = 0; run < 5; run++) {
    const wd = await startWorkerd({ kvDir });
    const t = performance.now();
    const r = await fetch(`${wd.url}/search?key=digit:${run * 101}&k=10`);
    await r.json();
    colds.push(performance.now() - t);
    if (run === 4) {
      for (let i = 0; i < 50; i++) await (await fetch(`${wd.url}/search?key=digit:${i}&k=10`)).json();
      for (let i = 0; i < 500; i++) {
        const t1 = performance.now();
        await (await fetch(`${wd.url}/search?key=digit:${(i * 37) % 10000}&k=10`)).json();
        warm.push(performance.now() - t1);
      }
      info = await (await fetch(`${wd.url}/info`)).json();
    }
    await wd.stop();
  }
} finally {
  rmSync(kvDir, { recursive: true, force: true });
}
warm.sort((a, b) => a - b);
colds.sort((a, b) => a - b);
const sizes = JSON.parse(readFileSync(join(root, 'examples/edge/dist/sizes.json'), 'utf8'));
const pack = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--loglevel=error'], { cwd: root, encoding: 'utf8' }))[0];
const wasm = readFileSync(join(root, 'wasm/vessel.simd.wasm'));
const version = execFileSync(join(root, 'node_modules/.bin/workerd'), ['--version'], { encoding: 'utf8' }).trim();
console.log(`Edge example in local ${version} (127.0.0.1), 10,000 x 784 mnist vectors, HNSW M 16\n`);
console.log(`cold start (new process, first /search: engine instantiation + snapshot load + query): median ${fmt(colds[2])} ms ` +
  `(${colds.map((x) => fmt(x)).join(', ')})`);
console.log(`warm /search (K 10, by key) over HTTP: median ${fmt(warm[250], 2)} ms, p99 ${fmt(warm[495], 2)} ms`);
console.log(`worker memory: engine ${fmt(info.wasm_memory_bytes / 1048576, 1)} MiB (heap ${fmt(info.engine_heap_bytes / 1048576, 1)} MiB) ` +
  `+ shipped snapshot ${fmt(info.shipped_snapshot_bytes / 1048576, 1)} MiB = ${fmt((info.wasm_memory_bytes + info.shipped_snapshot_bytes) / 1048576, 1)} MiB of the isolate's 128 MB`);
console.log(`bundle: worker ${fmt(sizes.worker.gzip / 1024, 1)} KiB + engine ${fmt(sizes.wasm.gzip / 1024, 1)} KiB + snapshot ` +
  `${fmt(sizes.snapshot.shipped_gzip / 1048576, 2)} MiB (gzip; ${fmt(sizes.snapshot.raw / 1048576, 1)} MiB raw) = ${fmt(sizes.bundle_gzip / 1048576, 2)} MiB compressed`);
console.log(`npm package: ${fmt(pack.size / 1024, 1)} KiB packed, ${fmt(pack.unpackedSize / 1024, 1)} KiB unpacked, ${pack.entryCount} files`);
console.log(`engine (SIMD build): ${fmt(wasm.length / 1024, 1)} KiB, ${fmt(gzipSync(wasm, { level: 9 }).length / 1024, 1)} KiB gzip, ` +
  `${fmt(brotliCompressSync(wasm).length / 1024, 1)} KiB brotli`);
