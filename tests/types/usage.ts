// usage.ts - compiled with `tsc --noEmit` by the tests: the declarations
// must accept the README's examples and reject misuse.
import { open, ReplyError, simdSupported, type Vessel } from '../../js/index.js';

async function main(): Promise<void> {
  const db: Vessel = await open({ simd: simdSupported(), maxmemory: 64 * 1024 * 1024 });
  const added: number = await db.hset('doc:1', { title: 'hello', n: 1, vec: new Float32Array([1, 2, 3]) });
  const title: string | null = await db.hget('doc:1', 'title');
  const bytes: Uint8Array | null = await db.hget('doc:1', 'vec', { binary: true });
  const all: Record<string, string> = await db.hgetall('doc:1');
  for await (const key of db.scan({ match: 'doc:*', count: 100 })) key.toUpperCase();
  try {
    await db.command('HSET', 'doc:1');
  } catch (e) {
    if (e instanceof ReplyError) console.log(e.message);
  }
  // @ts-expect-error: values must be strings, numbers or bytes
  await db.hset('doc:2', { bad: { nested: true } });
  await db.createIndex('idx', {
    prefix: 'doc:',
    schema: { vec: { type: 'VECTOR', algorithm: 'FLAT', dim: 3, distance: 'COSINE' }, tag: 'TAG', n: { type: 'NUMERIC' } },
  });
  const ready = await db.indexReady('idx', { onProgress: (p) => console.log(p.percent) });
  const r = await db.search('idx', '(@tag:{a})=>[KNN 3 @vec $q AS score]', {
    params: { q: new Float32Array([1, 0, 0]) },
    return: ['score', { field: 'n', as: 'num' }],
    vectors: true,
  });
  for (const hit of r.results) console.log(hit.key, hit.score, hit.fields.num);
  // @ts-expect-error: distance must be one of the metrics
  await db.createIndex('bad', { schema: { v: { type: 'VECTOR', dim: 3, distance: 'HAMMING' } } });
  console.log(added, title, bytes, all, db.build, db.usedMemory(), ready.done);
  await db.close();
}
void main;

async function textAndHybrid(db: Vessel): Promise<void> {
  await db.createIndex('docs', {
    prefix: 'doc:',
    language: 'ENGLISH',
    minStemSize: 4,
    withOffsets: true,
    stopwords: ['the', 'a'],
    punctuation: ',.;',
    schema: {
      title: { type: 'TEXT', weight: 2, noStem: true },
      body: { type: 'TEXT', withSuffixTrie: false, sortable: true },
      raw: 'TEXT',
      v: { type: 'VECTOR', algorithm: 'HNSW', dim: 4, distance: 'COSINE' },
    },
  });
  await db.createIndex('nostop', { stopwords: false, schema: { t: 'TEXT' } });
  const r = await db.search('docs', '@title:hello', { withScores: true, scorer: 'BM25STD', verbatim: true, inOrder: true, slop: 1 });
  const best: number | undefined = r.results[0]?.score;
  const h = await db.hybrid('docs', {
    search: { query: '@body:kitten', scorer: 'TFIDF', yieldScoreAs: 'ts' },
    vsim: { field: 'v', vector: new Float32Array(4), knn: { k: 20, efRuntime: 50 }, filter: '@title:cat', yieldScoreAs: 'vs' },
    combine: { method: 'RRF', constant: 60, window: 20 },
    load: ['title', { field: 'body', as: 'b' }],
    sortBy: { field: 'title', direction: 'DESC' },
    limit: [0, 5],
  });
  for (const hit of h.results) console.log(hit.key, hit.score.toFixed(3), hit.textScore, hit.vectorScore, hit.fields.b);
  await db.hybrid('docs', {
    search: 'kitten',
    vsim: { field: '@v', vector: '$q', range: { radius: 0.5, epsilon: 0.01 } },
    combine: { method: 'LINEAR', alpha: 0.7, beta: 0.3 },
    load: '*',
    params: { q: new Float32Array(4) },
  });
  // @ts-expect-error: the fusion is RRF or LINEAR
  await db.hybrid('docs', { search: 'a', vsim: { field: 'v', vector: '$q' }, combine: { method: 'MAX' } });
  // @ts-expect-error: hybrid needs a vector part
  await db.hybrid('docs', { search: 'a' });
  // @ts-expect-error: stopwords is a list or false
  await db.createIndex('bad', { stopwords: 'the', schema: { t: 'TEXT' } });
  console.log(best, h.total, h.warnings.length, h.executionTime);
}
void textAndHybrid;

import { IndexedDBStorage, KVStorage, MemoryStorage, OverlayStorage, SnapshotStorage, type Storage } from '../../js/index.js';
import { FileStorage } from '../../js/storage/files.js';

async function persisted(kv: { get(k: string, o: { type: 'arrayBuffer' }): Promise<ArrayBuffer | null>; put(k: string, v: Uint8Array | ArrayBuffer | string): Promise<void>; delete(k: string): Promise<void> }, shipped: Uint8Array): Promise<void> {
  const files: Storage = new FileStorage('./data');
  const db = await open({ storage: files, durability: 'always', autosave: [[60, 100]], repairJournal: false });
  const report = db.loadReport;
  if (report) console.log(report.replayed, report.tornBytes);
  const saved = await db.save();
  console.log(saved.bytes, db.readOnly);
  await db.close();
  await open({ dir: './data', readOnly: 'ifLocked', autosave: false });
  await open({ storage: new IndexedDBStorage('s') });
  await open({ storage: new MemoryStorage() });
  await open({ storage: new SnapshotStorage(shipped) });
  await open({ storage: new OverlayStorage(new SnapshotStorage(shipped), new KVStorage(kv, { prefix: 'v/' })) });
  await IndexedDBStorage.destroy('s');
  // @ts-expect-error: durability is one of Redis's appendfsync values
  await open({ dir: './data', durability: 'sometimes' });
}
void persisted;

async function transactions(): Promise<void> {
  const db = await open();
  await db.command('WATCH', 'doc:1');
  const out: any[] | null = await db.multi().hset('doc:1', { n: 1 }).hgetall('doc:1').command('GET', 'k').exec();
  if (out === null) console.log('a watched key changed');
  const id: number = db.openClient();
  const raw = db.commandRaw(['MULTI'], { client: id, proto: 3 });
  console.log(raw, db.clientState(id).multi, db.pipelineRaw(new Uint8Array(0), 2, id));
  db.closeClient(id);
  // @ts-expect-error: exec's options are { binary }
  await db.multi().exec({ errorsAsValues: 1 });
}
void transactions;

import { openWorker } from '../../js/worker-client.js';

async function inWorker(): Promise<void> {
  const db = await openWorker({ storage: { indexeddb: 'demo' }, durability: 'everysec' });
  const replies = await db.pipeline([['HSET', 'doc:1', 'v', new Float32Array(4)], ['HGET', 'doc:1', 'v']], { binary: true });
  const tx: any[] | null = await db.execMulti([['HSET', 'doc:2', 'n', 1], ['HGET', 'doc:2', 'n']]);
  void tx;
  await db.indexReady('idx', { onProgress: (p) => console.log(p.percent) });
  const r = await db.search('idx', '*=>[KNN 3 @v $q]', { params: { q: new Float32Array(4) } });
  const h = await db.hybrid('idx', { search: 'hello', vsim: { field: 'v', vector: new Float32Array(4), k: 5 } });
  console.log(replies.length, r.total, h.total, db.build, db.loadReport?.replayed);
  // @ts-expect-error: a storage object cannot cross postMessage; describe it instead
  await openWorker({ storage: new MemoryStorage() });
  await db.close();
}
void inWorker;

import { OPFSStorage } from '../../js/index.js';
import { openShared, type SharedVessel } from '../../js/tabs.js';

async function inTabs(): Promise<void> {
  await open({ storage: new OPFSStorage('s') });
  const mode: 'sync' | 'async' = new OPFSStorage('s').mode;
  await OPFSStorage.destroy('s');
  const w = await openWorker({ storage: { browser: 'demo' } });
  const kind: 'opfs' | 'indexeddb' | 'memory' | undefined = w.storage?.kind;
  const db: SharedVessel = await openShared({ storage: { browser: 'demo' } });
  const role: 'owner' | 'follower' = db.role;
  const stop: () => void = db.onChange(() => {});
  db.onRole((r) => console.log(r === 'owner'));
  const r = await db.search('idx', '*=>[KNN 3 @v $q]', { params: { q: new Float32Array(4) } });
  console.log(mode, kind, role, r.total, await db.pipeline([['DBSIZE']]));
  stop();
  // @ts-expect-error: a shared store is a persistent one
  await openShared({ storage: 'memory' });
  await db.close();
}
void inTabs;

import { Document } from '@langchain/core/documents';
import type { EmbeddingsInterface } from '@langchain/core/embeddings';
import type { VectorStore } from '@langchain/core/vectorstores';
import { VesselVectorStore, type VesselFilter } from '../../js/langchain.js';

async function withLangChain(embeddings: EmbeddingsInterface): Promise<void> {
  const store = new VesselVectorStore(embeddings, {
    open: { dir: './data' },
    indexName: 'docs',
    indexOptions: { ALGORITHM: 'HNSW', DISTANCE_METRIC: 'COSINE', M: 16 },
    customSchema: { category: 'TAG', year: { type: 'NUMERIC' }, labels: { type: 'TAG', separator: ';' } },
  });
  const asBase: VectorStore = store;
  const ids: string[] = await store.addDocuments([new Document({ pageContent: 'hello', metadata: { category: 'a', year: 2024 } })], { ids: ['1'] });
  const filter: VesselFilter = { category: ['a', 'b'], year: { $gte: 2020, $lt: 2030 }, $not: { labels: 'x' } };
  const hits: Array<[Document, number]> = await store.similaritySearchWithScore('hello', 4, filter);
  const docs: Document[] = await store.maxMarginalRelevanceSearch('hello', { k: 2, fetchK: 10, lambda: 0.5, filter: '@metadata.category:{a}' });
  await store.delete({ ids });
  await store.delete({ deleteAll: true });
  const fromTexts: VesselVectorStore = await VesselVectorStore.fromTexts(['a', 'b'], [{ n: 1 }, { n: 2 }], embeddings, { store: await open() });
  await VesselVectorStore.fromExistingIndex(embeddings, { store: await openWorker(), indexName: 'docs' });
  // @ts-expect-error: the algorithm is HNSW or FLAT
  new VesselVectorStore(embeddings, { indexOptions: { ALGORITHM: 'IVF' } });
  // @ts-expect-error: delete takes ids or deleteAll
  await store.delete({ keys: ['1'] });
  console.log(asBase, hits.length, docs.length, fromTexts.indexName);
  await store.close();
}
void withLangChain;
