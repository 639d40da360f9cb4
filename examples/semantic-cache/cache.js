// examples/semantic-cache/cache.js - an LLM-answer cache keyed by
// embedding: a prompt close enough to one answered before (cosine
// distance under a threshold) gets the stored answer instead of a new
// model call, and every entry expires after a TTL, so answers go stale
// on their own.  Runs offline: the embedding is a deterministic hashing
// of character trigrams (a stand-in for a real embedding model), the
// "LLM" a function that counts its calls, and the store's clock is
// injected so the hour of expiry passes at once.
import { createHash } from 'node:crypto';
import { open } from 'vessel';

const DIM = 256;

/** A deterministic embedding: character trigrams hashed into DIM buckets, normalised. */
export function embed(text) {
  const v = new Float32Array(DIM);
  const t = ` ${text.toLowerCase().replace(/[^a-z0-9 ]/g, '').replace(/\s+/g, ' ').trim()} `;
  for (let i = 0; i + 3 <= t.length; i++) {
    const h = createHash('sha1').update(t.slice(i, i + 3)).digest();
    v[h.readUInt16LE(0) % DIM] += h[2] & 1 ? 1 : -1;
  }
  const norm = Math.hypot(...v) || 1;
  for (let i = 0; i < DIM; i++) v[i] /= norm;
  return v;
}

export class SemanticCache {
  /**
   * @param {import('vessel').Vessel} db
   * @param {{ threshold?: number, ttlSeconds?: number, index?: string }} [opts]
   *   threshold: the largest cosine distance that counts as the same question
   */
  constructor(db, { threshold = 0.25, ttlSeconds = 3600, index = 'llmcache' } = {}) {
    this.db = db;
    this.threshold = threshold;
    this.ttl = ttlSeconds;
    this.index = index;
  }

  async init() {
    await this.db.createIndex(this.index, {
      prefix: 'llmcache:',
      schema: { embedding: { type: 'VECTOR', algorithm: 'HNSW', dim: DIM, distance: 'COSINE' } },
    });
  }

  /** The cached answer for a prompt like this one, or null. */
  async lookup(prompt) {
    const { results } = await this.db.search(this.index, '*=>[KNN 1 @embedding $q AS distance]', {
      params: { q: embed(prompt) },
      return: ['distance', 'prompt', 'answer'],
    });
    const best = results[0]; // its score is the cosine distance
    if (!best || best.score > this.threshold) return null;
    return { answer: best.fields.answer, prompt: best.fields.prompt, distance: best.score };
  }

  /** Store an answer for `ttlSeconds` (HSET and EXPIRE in one pipeline). */
  async store(prompt, answer) {
    const key = `llmcache:${createHash('sha1').update(prompt).digest('hex').slice(0, 16)}`;
    await this.db.pipeline([
      ['HSET', key, 'prompt', prompt, 'answer', answer, 'embedding', embed(prompt)],
      ['EXPIRE', key, this.ttl],
    ]);
    return key;
  }

  /** Answer from the cache, or ask the model and cache its answer. */
  async ask(prompt, llm) {
    const hit = await this.lookup(prompt);
    if (hit) return { ...hit, cached: true };
    const answer = await llm(prompt);
    await this.store(prompt, answer);
    return { answer, cached: false };
  }
}

// ---- the demonstration -------------------------------------------------------------

let now = Date.UTC(2030, 0, 1); // the store's clock: real time would do, this one is quick
const db = await open({ clock: () => now });
const cache = new SemanticCache(db, { threshold: 0.25, ttlSeconds: 3600 });
await cache.init();

let calls = 0;
const llm = async (prompt) => {
  calls++;
  return `(model answer #${calls} to "${prompt}")`;
};

const show = async (prompt) => {
  const r = await cache.ask(prompt, llm);
  const how = r.cached ? `hit, distance ${r.distance.toFixed(3)}` : 'miss, asked the model';
  console.log(`${prompt} -> ${how}: ${r.answer}`);
};

await show('What is the capital of France?');
await show('what is the capital of france');
await show('What is the capital city of France?');
await show('How do I bake sourdough bread?');
const [key] = await db.keys('llmcache:*');
console.log(`entries: ${await db.dbsize()}, ttl of one: ${await db.command('TTL', key)} s`);
now += 3601 * 1000; // an hour later: every entry has expired
await show('What is the capital of France?');
console.log(`model calls: ${calls}`);
await db.close();
