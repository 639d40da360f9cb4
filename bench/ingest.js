// bench/ingest.js - bulk import: 100,000 x 384 seeded clustered float32
// vectors written to a raw float32 file, then loaded by
// examples/node/ingest.js into a file-backed store with an HNSW index
// (M 16, EF_CONSTRUCTION 200, COSINE), which prints its throughput.
//
//   node bench/ingest.js [--quick]
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { clustered } from './datasets.js';

const here = dirname(fileURLToPath(import.meta.url));
const n = process.argv.includes('--quick') ? 20000 : 100000;
const work = join(here, '..', 'build', 'bench-ingest');
rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });
const file = join(work, 'vectors.f32');
const v = clustered(n, 384, { seed: 7 });
writeFileSync(file, new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
console.log(`Bulk import: ${n.toLocaleString('en-US')} x 384 float32 (${(v.byteLength / 1048576).toFixed(0)} MiB file), HNSW M 16, ` +
  `EF_CONSTRUCTION 200, COSINE; node ${process.version}, ${os.cpus()[0].model.trim()}, ${os.cpus().length} cores`);
const out = execFileSync(process.execPath, [join(here, '..', 'examples', 'node', 'ingest.js'), '--dir', join(work, 'store'),
  '--input', file, '--dim', '384', '--algorithm', 'HNSW', '--metric', 'COSINE'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
process.stdout.write(out);
