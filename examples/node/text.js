// examples/node/text.js - full-text search and FT.HYBRID, as in the README:
// TEXT fields ranked by BM25, a phrase and a prefix mixed with a TAG
// clause, then keyword and vector results fused with RRF.
import { open } from 'vessel';

const db = await open();
await db.createIndex('docs', {
  prefix: 'doc:',
  schema: {
    title: { type: 'TEXT', weight: 2 },
    body: { type: 'TEXT' },
    category: { type: 'TAG' },
    embedding: { type: 'VECTOR', algorithm: 'FLAT', dim: 3, distance: 'COSINE' },
  },
});
const docs = [
  ['doc:1', 'Deploying an app', 'Deploy the application to the cloud with one command.', 'guide', [0.9, 0.1, 0.1]],
  ['doc:2', 'Fiori elements', 'Fiori elements builds pages from annotations.', 'guide', [0.1, 0.9, 0.2]],
  ['doc:3', 'Annotations', 'Annotations describe how fiori elements renders a page.', 'reference', [0.2, 0.8, 0.3]],
  ['doc:4', 'Release notes', 'This release deploys faster and fixes annotations.', 'draft', [0.7, 0.3, 0.1]],
];
for (const [key, title, body, category, v] of docs) {
  await db.hset(key, { title, body, category, embedding: new Float32Array(v) });
}
await db.indexReady('docs');

// Best BM25 first: 'deploy*' matches deploying, deploy and deploys; the draft is left out.
const hits = await db.search('docs', 'deploy* -@category:{draft}', { withScores: true, return: ['title'] });
for (const r of hits.results) console.log('text', r.key, r.score.toFixed(3), r.fields.title);

// An exact phrase in one field.
const phrase = await db.search('docs', '@body:"fiori elements"', { noContent: true });
console.log('phrase', phrase.results.map((r) => r.key).join(' '));

// Keyword and vector results fused by Reciprocal Rank Fusion.
const fused = await db.hybrid('docs', {
  search: { query: 'annotations' },
  vsim: { field: 'embedding', vector: new Float32Array([0.1, 1, 0.2]), knn: { k: 3 } },
  combine: { method: 'RRF', constant: 60, window: 20 },
});
for (const r of fused.results) console.log('hybrid', r.key, r.score.toFixed(5));
await db.close();
