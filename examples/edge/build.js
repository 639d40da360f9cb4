// examples/edge/build.js - builds what the edge example ships, in dist/:
//   dist/digits.vsnap.gz     the store: 10,000 mnist digits (784 dims) in an HNSW
//                            index (M 16, EF_CONSTRUCTION 200, L2), label TAG, ink
//                            NUMERIC; a Vessel snapshot, gzip -9
//   dist/worker/index.js     worker.js bundled with esbuild (the package's "workerd"
//                            export; the engine and the snapshot stay separate modules)
//   dist/vessel.simd.wasm    the engine
//   dist/sizes.json          each part's size, raw and compressed
//
//   node examples/edge/build.js        (make edge)
import { copyFileSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { open } from '../../js/node.js';
import { mnist } from '../../bench/datasets.js';

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, 'dist');
mkdirSync(join(dist, 'worker'), { recursive: true });

// The store.
const mn = mnist();
const db = await open({ seed: 1 });
const x = (...a) => db.engine.exec(a.map(String));
for (let i = 0; i < mn.n; i++) {
  const vec = mn.vectors.subarray(i * 784, (i + 1) * 784);
  let ink = 0;
  for (const v of vec) if (v > 0.5) ink++;
  db.engine.execRaw(['HSET', `digit:${i}`, 'label', String(mn.labels[i]), 'ink', String(ink), 'vec', vec]);
}
x('FT.CREATE', 'digits', 'ON', 'HASH', 'PREFIX', '1', 'digit:', 'SCHEMA', 'vec', 'VECTOR', 'HNSW', '10', 'TYPE', 'FLOAT32', 'DIM', '784',
  'DISTANCE_METRIC', 'L2', 'M', '16', 'EF_CONSTRUCTION', '200', 'label', 'TAG', 'ink', 'NUMERIC');
while (db.engine.step(1 << 20));
db.engine.saveBegin();
const parts = [];
for (let c; (c = db.engine.saveNext(1 << 20)).length; ) parts.push(c);
db.engine.saveEnd();
await db.close();
const snapshot = Buffer.concat(parts);
writeFileSync(join(dist, 'digits.vsnap.gz'), gzipSync(snapshot, { level: 9 }));

// The worker bundle and the engine.
await build({
  entryPoints: [join(here, 'worker.js')],
  outfile: join(dist, 'worker', 'index.js'),
  bundle: true,
  format: 'esm',
  platform: 'neutral',
  conditions: ['workerd', 'worker'],
  external: ['*.wasm', '*.gz'],
  logLevel: 'warning',
});
copyFileSync(join(here, '..', '..', 'wasm', 'vessel.simd.wasm'), join(dist, 'vessel.simd.wasm'));

const size = (f) => statSync(join(dist, f)).size;
const gz = (f) => gzipSync(readFileSync(join(dist, f)), { level: 9 }).length;
const sizes = {
  snapshot: { raw: snapshot.length, shipped_gzip: size('digits.vsnap.gz') },
  worker: { raw: size('worker/index.js'), gzip: gz('worker/index.js') },
  wasm: { raw: size('vessel.simd.wasm'), gzip: gz('vessel.simd.wasm') },
};
sizes.bundle_gzip = sizes.snapshot.shipped_gzip + sizes.worker.gzip + sizes.wasm.gzip;
writeFileSync(join(dist, 'sizes.json'), `${JSON.stringify(sizes, null, 2)}\n`);
const mb = (n) => `${(n / 1048576).toFixed(2)} MiB`;
console.log(`edge example built in ${dist}: snapshot ${mb(snapshot.length)} (${mb(sizes.snapshot.shipped_gzip)} gzip), ` +
  `worker ${(sizes.worker.raw / 1024).toFixed(1)} KiB, engine ${(sizes.wasm.raw / 1024).toFixed(1)} KiB ` +
  `(${(sizes.wasm.gzip / 1024).toFixed(1)} KiB gzip); bundle compressed: ${mb(sizes.bundle_gzip)}`);
