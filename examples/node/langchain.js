// examples/node/langchain.js - vessel/langchain as a LangChain.js vector
// store: documents with metadata, a filtered similarity search, MMR, and
// the store kept in a directory (run it twice: the second run finds the
// documents already there).  The toy embeddings stand in for a real model
// (OpenAIEmbeddings, a transformers.js pipeline, ...).
//
//   node examples/node/langchain.js [dir]
import { Document } from '@langchain/core/documents';
import { Embeddings } from '@langchain/core/embeddings';
import { VesselVectorStore } from 'vessel/langchain';

/** Letter counts: enough to make 'apple pie' nearer 'apples' than 'carrots'. */
class LetterEmbeddings extends Embeddings {
  constructor() {
    super({});
  }
  embed(text) {
    const v = new Array(26).fill(0);
    for (const c of text.toLowerCase()) if (c >= 'a' && c <= 'z') v[c.charCodeAt(0) - 97]++;
    return v;
  }
  async embedDocuments(texts) {
    return texts.map((t) => this.embed(t));
  }
  async embedQuery(text) {
    return this.embed(text);
  }
}

const config = {
  open: process.argv[2] ? { dir: process.argv[2] } : {}, // a directory persists; none: in memory
  indexName: 'recipes',
  indexOptions: { ALGORITHM: 'HNSW', DISTANCE_METRIC: 'COSINE' },
  customSchema: { course: 'TAG', minutes: 'NUMERIC' },
};
const store = new VesselVectorStore(new LetterEmbeddings(), config);
if (!(await store.checkIndexExists())) {
  await store.addDocuments([
    new Document({ pageContent: 'apple pie with cinnamon', metadata: { course: 'dessert', minutes: 90 } }),
    new Document({ pageContent: 'baked apples', metadata: { course: 'dessert', minutes: 40 } }),
    new Document({ pageContent: 'glazed carrots', metadata: { course: 'side', minutes: 25 } }),
    new Document({ pageContent: 'apple and celery salad', metadata: { course: ['side', 'starter'], minutes: 10 } }),
  ], { ids: ['pie', 'baked', 'carrots', 'salad'] });
  console.log('added 4 recipes');
} else {
  console.log('the recipes were already there');
}

// Nearest first; scores are cosine distances (lower is closer).
const quick = await store.similaritySearchWithScore('apples', 2, { minutes: { $lte: 45 } });
for (const [doc, distance] of quick) console.log(`${doc.id} ${distance.toFixed(4)} ${doc.metadata.course}`);
const sides = await store.similaritySearch('apples', 5, { course: ['side', 'starter'] });
console.log('sides:', sides.map((d) => d.id).join(' '));
const varied = await store.maxMarginalRelevanceSearch('apples', { k: 2, fetchK: 4, lambda: 0.5 });
console.log('mmr:', varied.map((d) => d.id).join(' '));
await store.close();
