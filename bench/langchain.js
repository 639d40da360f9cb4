// bench/langchain.js - vessel/langchain's VesselVectorStore (in process,
// FLAT and HNSW) against LangChain's own MemoryVectorStore
// (@langchain/classic) on the same 10,000 documents: documents/s added and
// queries/s of similaritySearchVectorWithScore, k = 10, unfiltered and
// with a metadata filter (one category of ten).  The embeddings (384
// dimensions, seeded clusters) are computed once and shared, so only the
// stores are timed; every store runs in this one process, one after the
// other; each store's queries are run in whole passes for at least a
// second.  HNSW's recall@10 is measured against the exact answers.
//
//   make bench-langchain       (installs the peers: npm ci --prefix bench)
//   node bench/langchain.js
import os from 'node:os';
import { Document } from '@langchain/core/documents';
import { MemoryVectorStore } from '@langchain/classic/vectorstores/memory';
import { VesselVectorStore } from '../js/langchain.js';
import { clustered, prng, row } from './datasets.js';

const N = 10000;
const DIM = 384;
const QUERIES = 300;
const K = 10;
const CATEGORIES = 10;

// The dataset: vectors as LangChain hands them over (number[]), documents with metadata.
const base = clustered(N, DIM, { seed: 42 });
const vectors = Array.from({ length: N }, (_, i) => Array.from(row(base, DIM, i)));
const rand = prng(5);
const docs = vectors.map((_, i) => new Document({ pageContent: `document ${i}`, metadata: { category: `c${Math.floor(rand() * CATEGORIES)}`, n: i } }));
const qm = clustered(QUERIES, DIM, { seed: 4242 });
const queries = Array.from({ length: QUERIES }, (_, i) => Array.from(row(qm, DIM, i)));
const embeddings = { embedDocuments: async () => { throw new Error('not used'); }, embedQuery: async () => { throw new Error('not used'); } };

async function run(name, store, filter) {
  let t = performance.now();
  await store.addVectors(vectors, docs);
  const addMs = performance.now() - t;
  const answers = { plain: [], filtered: [] };
  const qps = {};
  for (const [kind, f] of [['plain', undefined], ['filtered', filter]]) {
    await store.similaritySearchVectorWithScore(queries[0], K, f); // warm up
    // Whole passes over the queries until a second has gone by (one for the slow store).
    let passes = 0;
    t = performance.now();
    do {
      for (const q of queries) {
        const ids = (await store.similaritySearchVectorWithScore(q, K, f)).map(([d]) => d.metadata.n);
        if (!passes) answers[kind].push(ids);
      }
      passes++;
    } while (performance.now() - t < 1000);
    qps[kind] = (passes * QUERIES * 1000) / (performance.now() - t);
  }
  return { name, add: (N * 1000) / addMs, addMs, qps, answers };
}

const recall = (got, truth) => {
  let hit = 0;
  let all = 0;
  got.forEach((ids, i) => {
    const want = new Set(truth[i]);
    hit += ids.filter((x) => want.has(x)).length;
    all += want.size;
  });
  return hit / all;
};

const memory = await run('LangChain MemoryVectorStore', new MemoryVectorStore(embeddings), (d) => d.metadata.category === 'c3');
const vessel = (indexOptions) => new VesselVectorStore(embeddings, { indexOptions, customSchema: { category: 'TAG', n: 'NUMERIC' } });
const flat = await run('VesselVectorStore FLAT', vessel({ algorithm: 'FLAT', distance: 'COSINE' }), { category: 'c3' });
const hnsw = await run('VesselVectorStore HNSW (M 16, EF_CONSTRUCTION 200, EF_RUNTIME 50)', vessel({ algorithm: 'HNSW', distance: 'COSINE', m: 16, efConstruction: 200, efRuntime: 50 }), { category: 'c3' });

const fmt = (x) => Math.round(x).toLocaleString('en-US');
console.log(`LangChain.js vector stores, ${N.toLocaleString('en-US')} documents x ${DIM} dimensions (seeded clusters), COSINE, k = ${K}, ` +
  `${QUERIES} queries through similaritySearchVectorWithScore; filtered: one category of ${CATEGORIES}.`);
console.log(`node ${process.version}, ${os.cpus()[0].model.trim()}, ${os.cpus().length} cores; @langchain/core 1.4.0, @langchain/classic 1.0.50\n`);
console.log('| store | add docs/s | queries/s | filtered queries/s | recall@10 (filtered) |');
console.log('|---|---|---|---|---|');
for (const r of [memory, flat, hnsw]) {
  const rc = r === memory ? 'exact' : `${recall(r.answers.plain, flat.answers.plain).toFixed(3)} (${recall(r.answers.filtered, flat.answers.filtered).toFixed(3)})`;
  console.log(`| ${r.name} | ${fmt(r.add)} | ${fmt(r.qps.plain)} | ${fmt(r.qps.filtered)} | ${rc} |`);
}
const agree = recall(flat.answers.plain, memory.answers.plain);
console.log(`\nFLAT vs MemoryVectorStore: ${(agree * 100).toFixed(1)}% of the same top-${K} (float32 vs float64 ties aside).`);
console.log('MemoryVectorStore\'s add only appends the arrays it is given; Vessel copies each document into the engine and indexes it.');
console.log(`Queries over MemoryVectorStore: ${(flat.qps.plain / memory.qps.plain).toFixed(1)}x (FLAT), ${(hnsw.qps.plain / memory.qps.plain).toFixed(1)}x (HNSW); ` +
  `filtered ${(flat.qps.filtered / memory.qps.filtered).toFixed(1)}x (FLAT), ${(hnsw.qps.filtered / memory.qps.filtered).toFixed(1)}x (HNSW).`);
