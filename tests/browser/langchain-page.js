// langchain-page.js - bundled with esbuild by tests/browser/langchain.test.js
// (vessel/langchain and @langchain/core into one module; 'vessel' and
// 'vessel/worker' left to the page's import map, so the engine loads from
// /wasm/ as in any page).  The test drives it with page.evaluate().
import { Document } from '@langchain/core/documents';
import { IndexedDBStorage } from 'vessel';
import { VesselVectorStore } from 'vessel/langchain';
import { openWorker } from 'vessel/worker';
import { corpus, HashEmbeddings, prng, queryText, randomFilter, SCHEMA } from '../js/fixtures/langchain.js';

const embeddings = new HashEmbeddings(16);
let store = null;

/** The same queries every time: [text, filter, k]. */
function queries() {
  const r = prng(4242);
  return Array.from({ length: 24 }, (_, i) => [queryText(r), i % 3 ? randomFilter(r) : undefined, r.pick([3, 10])]);
}

const config = (extra) => ({ indexName: 'kb', customSchema: SCHEMA, indexOptions: { algorithm: 'FLAT', distance: 'COSINE' }, ...extra });

window.t = {
  async destroy(name) {
    await IndexedDBStorage.destroy(name);
  },
  /** Open a store: in this page on IndexedDB, or in a Web Worker on IndexedDB. */
  async open(name, { worker = false, existing = false } = {}) {
    const c = worker
      ? config({ store: await openWorker({ storage: { indexeddb: name }, durability: 'always' }) })
      : config({ open: { storage: new IndexedDBStorage(name), durability: 'always' } });
    store = existing ? await VesselVectorStore.fromExistingIndex(embeddings, c) : new VesselVectorStore(embeddings, c);
    const db = await store.getStore();
    return { build: db.build, replayed: db.loadReport?.replayed ?? null, worker: typeof db.worker === 'object' };
  },
  /** Add documents [from, to) of the seeded corpus with ids d<i>. */
  async add(from, to) {
    const docs = corpus(31, to).slice(from).map((d) => new Document(d));
    return store.addDocuments(docs, { ids: docs.map((_, i) => `d${from + i}`) });
  },
  async remove(ids) {
    await store.delete({ ids });
  },
  /** Every query's results as [id, score, metadata] (and an MMR pick). */
  async search() {
    const out = [];
    for (const [text, filter, k] of queries()) {
      const hits = await store.similaritySearchWithScore(text, k, filter);
      out.push({ text, filter, k, hits: hits.map(([d, s]) => [d.id, s, d.metadata, d.pageContent]) });
    }
    const mmr = await store.maxMarginalRelevanceSearch('alpha beta gamma', { k: 4, fetchK: 15, lambda: 0.3, filter: { n: { $lt: 70 } } });
    return { out, mmr: mmr.map((d) => d.id) };
  },
  /** A transaction through the store (the worker client's multi() when in a worker). */
  async tx() {
    const db = await store.getStore();
    const ran = await db.multi().hset('tx:1', { a: 1 }).hgetall('tx:1').command('EXISTS', 'tx:1').exec();
    await db.command('WATCH', 'tx:1');
    await db.command('HSET', 'tx:1', 'a', '2'); // a watched key changed: EXEC aborts
    const aborted = await db.multi().del('tx:1').exec();
    const kept = await db.hget('tx:1', 'a');
    await db.del('tx:1');
    // Expiry through the store: a key with a 1 ms TTL is gone, and expireNow answers a count.
    await db.command('SET', 'tx:e', 'x', 'PX', '1');
    await new Promise((r) => setTimeout(r, 20));
    const reclaimed = await db.expireNow();
    const gone = await db.exists('tx:e');
    return { ran, aborted, kept, reclaimed: typeof reclaimed, gone };
  },
  /**
   * The store out as an RDB file and back in (chunks, a Blob), its index
   * script, and a damaged copy refused: through the worker client too.
   */
  async rdb() {
    const db = await store.getStore();
    const keys = await db.dbsize();
    const chunks = [];
    let progress = 0;
    for await (const c of db.exportRdb({ chunkSize: 4096, onProgress: () => progress++ })) chunks.push(c);
    const size = chunks.reduce((n, c) => n + c.length, 0);
    const magic = new TextDecoder().decode(chunks[0].subarray(0, 9));
    const script = await db.indexScript();
    const report = await db.importRdb(new Blob(chunks), { replace: true });
    await db.indexReady('kb'); // rebuilt over the imported keys
    const bad = new Uint8Array(await new Blob(chunks).arrayBuffer());
    bad[bad.length - 3] ^= 1;
    let refused = '';
    try {
      await db.importRdb(bad, { replace: true });
    } catch (e) {
      refused = e.message;
    }
    return { keys, after: await db.dbsize(), hashes: report.hashes, size: size > 1000, magic, chunked: progress > 1 && chunks.length > 1, script, refused };
  },
  async tryBad() {
    const errors = [];
    for (const f of [() => store.similaritySearch('x', 2, { nope: 1 }), () => store.addVectors([[1, 2]], [new Document({ pageContent: 'x', metadata: {} })])]) {
      try {
        await f();
        errors.push('no error');
      } catch (e) {
        errors.push(e.message);
      }
    }
    return errors;
  },
  async close() {
    const db = await store.getStore();
    await store.close();
    if (db.worker) await db.close(); // a given store: its owner closes it
    store = null;
  },
};
document.title = 'ready';
