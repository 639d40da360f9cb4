// helpers.js - shared helpers for the JS tests.
import { open } from '../../js/node.js';

/** Open one store per build, for tests that must hold in both. */
export async function openBoth(options = {}) {
  return [await open({ ...options, simd: true }), await open({ ...options, simd: false })];
}

/** A canonical dump of the whole keyspace (keys sorted, fields sorted). */
export async function dump(db) {
  const keys = (await db.commandBuffer('KEYS', '*')).map((k) => Buffer.from(k).toString('hex')).sort();
  const out = [];
  for (const hex of keys) {
    const key = Buffer.from(hex, 'hex');
    const type = await db.command('TYPE', key);
    if (type === 'hash') {
      const flat = await db.commandBuffer('HGETALL', key);
      const pairs = [];
      for (let i = 0; i < flat.length; i += 2) {
        pairs.push(Buffer.from(flat[i]).toString('hex') + '=' + Buffer.from(flat[i + 1]).toString('hex'));
      }
      out.push(`${hex}:hash:${pairs.sort().join(',')}`);
    } else {
      out.push(`${hex}:${type}:${Buffer.from(await db.commandBuffer('GET', key)).toString('hex')}`);
    }
  }
  return out.join('\n');
}

/** Seeded PRNG (LCG), deterministic across runs. */
export function rng(seed = 1) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296);
}

export { prng } from './prng.js';

/** The seeds of a model test: SEED alone, or 1..process.env[countVar] (default n). */
export function seedList(countVar, n) {
  if (process.env.SEED !== undefined) return [Number(process.env.SEED)];
  return Array.from({ length: Number(process.env[countVar] ?? n) }, (_, i) => i + 1);
}
