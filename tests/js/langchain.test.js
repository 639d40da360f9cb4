// langchain.test.js - vessel/langchain's VesselVectorStore in Node: seeded
// documents with metadata checked against a brute-force model (exact
// ranking and distances for FLAT in each metric, recall for HNSW, every
// filter shape), ids, replacing and deleting, batching, MMR, the static
// constructors, reopening from memory and file storages, and bad input
// refused with a clear error and nothing changed.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Document } from '@langchain/core/documents';
import { maximalMarginalRelevance } from '@langchain/core/utils/math';
import { VectorStore } from '@langchain/core/vectorstores';
import { MemoryStorage, open } from '../../js/node.js';
import { VesselVectorStore } from 'vessel/langchain';
import { bruteForce, corpus, distance, HashEmbeddings, matches, prng, queryText, randomFilter, SCHEMA } from './fixtures/langchain.js';

const EPS = 1e-5;

/** Add `docs` with ids d0..dn and return the model: id -> { id, vector, metadata, pageContent }. */
async function fill(store, docs, embeddings, options = {}) {
  const ids = docs.map((_, i) => `d${i}`);
  const vectors = await embeddings.embedDocuments(docs.map((d) => d.pageContent));
  assert.deepEqual(await store.addVectors(vectors, docs.map((d) => new Document(d)), { ids, ...options }), ids);
  const model = new Map();
  docs.forEach((d, i) => model.set(ids[i], { id: ids[i], vector: vectors[i], metadata: d.metadata, pageContent: d.pageContent }));
  return model;
}

/** The results are the model's exact top k (ties within EPS may swap), with its distances, documents intact. */
function checkExact(results, expected, k, model, what) {
  assert.equal(results.length, Math.min(k, expected.length), `${what}: count`);
  const dist = new Map(expected.map((e) => [e.id, e.d]));
  for (let i = 0; i < results.length; i++) {
    const [doc, score] = results[i];
    assert.ok(dist.has(doc.id), `${what}: ${doc.id} passes the filter`);
    assert.ok(Math.abs(score - dist.get(doc.id)) <= EPS * Math.max(1, Math.abs(score)), `${what}: ${doc.id} score ${score} vs ${dist.get(doc.id)}`);
    if (i) assert.ok(score >= results[i - 1][1], `${what}: nearest first`);
    const m = model.get(doc.id);
    assert.equal(doc.pageContent, m.pageContent);
    assert.deepEqual(doc.metadata, m.metadata);
  }
  if (results.length && results.length < expected.length) {
    const last = results.at(-1)[1];
    const returned = new Set(results.map(([d]) => d.id));
    for (const e of expected) if (!returned.has(e.id)) assert.ok(e.d >= last - EPS * Math.max(1, Math.abs(last)), `${what}: ${e.id} (${e.d}) is nearer than the last result (${last})`);
  }
}

for (const metric of ['COSINE', 'L2', 'IP']) {
  test(`FLAT ${metric}: exact ranking and distances against brute force, with and without filters`, async () => {
    const embeddings = new HashEmbeddings(16);
    const store = new VesselVectorStore(embeddings, { indexName: `flat${metric}`, indexOptions: { ALGORITHM: 'FLAT', DISTANCE_METRIC: metric }, customSchema: SCHEMA });
    assert.ok(store instanceof VectorStore);
    assert.equal(store._vectorstoreType(), 'vessel');
    const model = await fill(store, corpus(11, 600), embeddings);
    const r = prng(metric.length);
    let filtered = 0;
    for (let q = 0; q < 60; q++) {
      const query = embeddings.embed(queryText(r));
      const filter = q % 4 === 0 ? undefined : randomFilter(r);
      const k = r.pick([1, 5, 10, 37]);
      const expected = bruteForce(model, metric, query, filter);
      if (filter && expected.length < model.size) filtered++;
      checkExact(await store.similaritySearchVectorWithScore(query, k, filter), expected, k, model, `${metric} ${JSON.stringify(filter)} k=${k}`);
    }
    assert.ok(filtered > 30);
    // similaritySearch and similaritySearchWithScore embed the query.
    const text = 'alpha beta gamma';
    const expected = bruteForce(model, metric, embeddings.embed(text), { cat: 'news' });
    checkExact(await store.similaritySearchWithScore(text, 4, { cat: 'news' }), expected, 4, model, 'similaritySearchWithScore');
    assert.deepEqual((await store.similaritySearch(text, 4, { cat: 'news' })).map((d) => d.id), (await store.similaritySearchWithScore(text, 4, { cat: 'news' })).map(([d]) => d.id));
    await store.close();
  });
}

test('HNSW COSINE: recall@10 against brute force, filtered results pass their filters', async () => {
  const embeddings = new HashEmbeddings(24);
  const db = await open();
  const store = new VesselVectorStore(embeddings, { store: db, indexName: 'hnsw', indexOptions: { algorithm: 'HNSW', m: 16, efConstruction: 100, efRuntime: 50 }, customSchema: SCHEMA });
  const model = await fill(store, corpus(5, 3000), embeddings, { batchSize: 500 });
  const info = await db.indexInfo('hnsw');
  assert.equal(info.num_docs, 3000);
  assert.equal(info.attributes[0].index.algorithm.name, 'HNSW');
  assert.equal(info.attributes[0].index.algorithm.ef_runtime, 50);
  const r = prng(99);
  let hits = 0;
  let wanted = 0;
  for (let q = 0; q < 80; q++) {
    const query = embeddings.embed(queryText(r));
    const filter = q % 2 ? randomFilter(r) : undefined;
    const expected = bruteForce(model, 'COSINE', query, filter).slice(0, 10);
    const got = await store.similaritySearchVectorWithScore(query, 10, filter);
    for (const [doc] of got) assert.ok(!filter || matches(doc.metadata, filter), `${doc.id} passes ${JSON.stringify(filter)}`);
    const ids = new Set(got.map(([d]) => d.id));
    hits += expected.filter((e) => ids.has(e.id)).length;
    wanted += expected.length;
  }
  assert.ok(hits / wanted >= 0.95, `recall@10 ${hits / wanted}`);
  await store.close();
  assert.equal(await db.dbsize(), 3000, 'a given store stays open');
  assert.equal((await store.similaritySearch('alpha', 3)).length, 3, 'and in use');
  await db.close();
});

test('filters: escaping of tag values, raw query strings, the default filter, operators and their errors', async () => {
  const embeddings = new HashEmbeddings(8);
  const db = await open();
  const store = new VesselVectorStore(embeddings, { store: db, indexName: 'f', customSchema: SCHEMA, indexOptions: { algorithm: 'FLAT' } });
  const docs = ['news', 'a-b', 'x:y', 'c|d', 'q{1}', 'star*', 'back\\slash', 'sp ace', 'UPPER', 'été', 'star'].map((cat, i) => ({ pageContent: `alpha ${i}`, metadata: { cat, n: i, labels: i % 2 ? ['red', 'x.y'] : 'blue' } }));
  await store.addDocuments(docs.map((d) => new Document(d)), { ids: docs.map((_, i) => `t${i}`) });
  const q = embeddings.embed('alpha');
  const ids = async (filter, k = 20) => (await store.similaritySearchVectorWithScore(q, k, filter)).map(([d]) => d.id).sort();
  for (const [i, d] of docs.entries()) assert.deepEqual(await ids({ cat: d.metadata.cat }), [`t${i}`], d.metadata.cat);
  assert.deepEqual(await ids({ cat: 'upper' }), ['t8'], 'TAG is case-insensitive');
  assert.deepEqual(await ids({ cat: '  news ' }), ['t0'], 'tags are trimmed');
  assert.deepEqual(await ids({ cat: ['a-b', 'x:y'] }), ['t1', 't2']);
  assert.deepEqual(await ids({ labels: 'x.y', n: { $gt: 2, $lte: 7 } }), ['t3', 't5', 't7']);
  assert.deepEqual(await ids({ $or: [{ n: 0 }, { n: { $gte: 10 } }] }), ['t0', 't10']);
  assert.deepEqual(await ids({ $not: { labels: 'red' }, n: { $in: [0, 1, 2, 3] } }), ['t0', 't2']);
  assert.deepEqual(await ids({ $and: [{ n: { min: 1, max: 3 } }, { cat: { $nin: ['a-b'] } }] }), ['t2', 't3']);
  assert.deepEqual(await ids({ n: { $ne: 4, $lt: 6 }, cat: { $ne: 'news' } }), ['t1', 't2', 't3', 't5']);
  assert.deepEqual(await ids({ n: { $gt: -Infinity, $lt: Infinity } }), docs.map((_, i) => `t${i}`).sort());
  assert.deepEqual(await ids('@metadata.cat:{star}'), ['t10'], 'a raw filter string');
  assert.deepEqual(await ids({}), docs.map((_, i) => `t${i}`).sort());
  const byDefault = new VesselVectorStore(embeddings, { store: db, indexName: 'f', customSchema: SCHEMA, filter: { labels: 'blue' } });
  assert.deepEqual((await byDefault.similaritySearchVectorWithScore(q, 20, { n: { $lt: 5 } })).map(([d]) => d.id).sort(), ['t0', 't2', 't4'], 'the default filter AND the argument');
  const bad = [
    [{ cat: { $regex: 'a' } }, /unknown operator \$regex for the TAG field cat/],
    [{ n: { $foo: 1 } }, /unknown operator \$foo for the NUMERIC field n/],
    [{ $nor: [] }, /unknown operator \$nor/],
    [{ color: 'red' }, /"color" is not a filterable metadata field \(customSchema has cat, labels, n, price\)/],
    [{ n: 'seven' }, /n: "seven" is not a number/],
    [{ n: { $gt: 5, $lt: 5 } }, /the range .* is empty/],
    [{ cat: [] }, /an empty list of tags matches nothing/],
    [{ cat: '  ' }, /an empty tag matches nothing/],
    [{ cat: { x: 1 } }, /unknown operator x/],
    [{ $or: [] }, /\$or needs a non-empty array/],
    [{ $or: [{}] }, /\$or has an empty filter/],
    [['cat'], /a filter is an object/],
  ];
  for (const [filter, re] of bad) await assert.rejects(store.similaritySearchVectorWithScore(q, 3, filter), re, JSON.stringify(filter));
  await assert.rejects(store.similaritySearchVectorWithScore(q, 3, '@metadata.nope:{a}'), /`metadata.nope` is not indexed as a tag field/);
  assert.throws(() => new VesselVectorStore(embeddings, { store: db, customSchema: SCHEMA, filter: { cat: { $bad: 1 } } }), /unknown operator \$bad/);
  await db.close();
});

test('ids: given, from the documents, generated; re-adding an id replaces the document', async () => {
  const embeddings = new HashEmbeddings(8);
  const db = await open();
  const store = new VesselVectorStore(embeddings, { store: db, customSchema: SCHEMA });
  assert.equal(store.keyPrefix, 'doc:langchain:');
  const given = await store.addDocuments([new Document({ pageContent: 'alpha', metadata: { cat: 'news' } })], { ids: ['one'] });
  assert.deepEqual(given, ['one']);
  const own = await store.addDocuments([new Document({ pageContent: 'beta', metadata: {}, id: 'two' })]);
  assert.deepEqual(own, ['two']);
  const generated = await store.addDocuments([new Document({ pageContent: 'gamma', metadata: {} }), new Document({ pageContent: 'delta', metadata: {} })]);
  assert.equal(generated.length, 2);
  for (const id of generated) assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.notEqual(generated[0], generated[1]);
  assert.deepEqual((await db.keys('doc:langchain:*')).sort(), ['doc:langchain:one', 'doc:langchain:two', ...generated.map((g) => `doc:langchain:${g}`)].sort());
  const h = await db.hgetall('doc:langchain:one');
  assert.deepEqual(Object.keys(h).sort(), ['content', 'content_vector', 'metadata', 'metadata.cat']);
  assert.equal(h.metadata, '{"cat":"news"}');
  const [top] = await store.similaritySearch('alpha', 1);
  assert.equal(top.id, 'one');
  assert.deepEqual(top.metadata, { cat: 'news' });
  // Replace: new content and vector, and the indexed tag is gone with the metadata.
  await store.addDocuments([new Document({ pageContent: 'omega', metadata: { n: 5 } })], { ids: ['one'] });
  assert.equal(await db.dbsize(), 4);
  assert.deepEqual(await store.similaritySearch('alpha', 5, { cat: 'news' }), []);
  const [again] = await store.similaritySearchWithScore('omega', 1, { n: 5 });
  assert.equal(again[0].id, 'one');
  assert.ok(Math.abs(again[1]) < 1e-6);
  assert.deepEqual(Object.keys(await db.hgetall('doc:langchain:one')).sort(), ['content', 'content_vector', 'metadata', 'metadata.n']);
  await db.close();
});

test('writes go in one pipeline per batch', async () => {
  const embeddings = new HashEmbeddings(8);
  const db = await open();
  const calls = [];
  const pipeline = db.pipeline.bind(db);
  db.pipeline = (commands, o) => {
    calls.push(commands.length);
    return pipeline(commands, o);
  };
  const store = new VesselVectorStore(embeddings, { store: db, batchSize: 40, customSchema: { n: 'NUMERIC' } });
  const docs = Array.from({ length: 100 }, (_, i) => new Document({ pageContent: `alpha ${i}`, metadata: { n: i } }));
  await store.addDocuments(docs);
  assert.deepEqual(calls, [40, 40, 20]);
  assert.equal(embeddings.calls.documents, 1, 'one embedDocuments call');
  calls.length = 0;
  await store.addDocuments(docs.slice(0, 10).map((d) => new Document({ ...d, metadata: {} })), { batchSize: 7 }); // HSET + HDEL each
  assert.deepEqual(calls, [7, 7, 6]);
  assert.equal((await db.indexInfo('langchain')).num_docs, 110);
  await db.close();
});

test('delete: by ids (missing ones ignored), and everything under the prefix', async () => {
  const embeddings = new HashEmbeddings(8);
  const db = await open();
  await db.hset('other:1', { content: 'not ours' });
  const store = await VesselVectorStore.fromTexts(Array.from({ length: 50 }, (_, i) => `alpha beta ${i}`), { src: 't' }, embeddings, { store: db, batchSize: 16 });
  const all = (await store.similaritySearch('alpha', 100)).map((d) => d.id);
  assert.equal(all.length, 50);
  await store.delete({ ids: [all[0], all[1], 'nope'] });
  const left = (await store.similaritySearch('alpha', 100)).map((d) => d.id);
  assert.equal(left.length, 48);
  assert.ok(!left.includes(all[0]) && !left.includes(all[1]));
  await assert.rejects(store.delete({ ids: [all[2], 7] }), /7 is not an id/);
  await assert.rejects(store.delete({}), /delete takes \{ ids \} or \{ deleteAll: true \}/);
  assert.equal((await store.similaritySearch('alpha', 100)).length, 48, 'a bad delete deletes nothing');
  await store.delete({ deleteAll: true });
  assert.deepEqual(await db.keys('*'), ['other:1']);
  assert.equal(await store.checkIndexExists(), true, 'the index stays');
  assert.deepEqual(await store.similaritySearch('alpha', 5), []);
  await store.addDocuments([new Document({ pageContent: 'alpha', metadata: {} })], { ids: ['x'] });
  assert.deepEqual((await store.similaritySearch('alpha', 5)).map((d) => d.id), ['x']);
  assert.equal(await store.dropIndex(true), true);
  assert.equal(await store.checkIndexExists(), false);
  assert.equal(await store.dropIndex(), false);
  assert.deepEqual(await db.keys('*'), ['other:1']);
  await db.close();
});

test('maxMarginalRelevanceSearch: the fetchK nearest (filtered), re-ranked with the stored vectors', async () => {
  const embeddings = new HashEmbeddings(16);
  const store = new VesselVectorStore(embeddings, { indexOptions: { algorithm: 'FLAT' }, customSchema: SCHEMA });
  const model = await fill(store, corpus(3, 400), embeddings);
  const r = prng(7);
  for (let i = 0; i < 10; i++) {
    const text = queryText(r);
    const query = embeddings.embed(text);
    const filter = i % 2 ? randomFilter(r) : undefined;
    const lambda = [0, 0.25, 0.5, 1][i % 4];
    const near = bruteForce(model, 'COSINE', query, filter).slice(0, 20);
    const want = maximalMarginalRelevance(query, near.map((e) => Array.from(Float32Array.from(model.get(e.id).vector))), lambda, 5).map((j) => near[j].id);
    const got = await store.maxMarginalRelevanceSearch(text, { k: 5, fetchK: 20, lambda, filter });
    assert.deepEqual(got.map((d) => d.id), want, `${text} ${JSON.stringify(filter)} lambda ${lambda}`);
    for (const d of got) assert.deepEqual(d.metadata, model.get(d.id).metadata);
  }
  // As a retriever.
  const docs = await store.asRetriever({ k: 3, searchType: 'mmr', searchKwargs: { fetchK: 10, lambda: 0.5 }, filter: { cat: 'news' } }).invoke('alpha beta');
  assert.equal(docs.length, 3);
  for (const d of docs) assert.equal(d.metadata.cat, 'news');
  await store.close();
});

test('fromTexts, fromDocuments, fromExistingIndex', async () => {
  const embeddings = new HashEmbeddings(8);
  const db = await open();
  await assert.rejects(VesselVectorStore.fromExistingIndex(embeddings, { store: db, indexName: 'none' }), /there is no index named "none"/);
  const a = await VesselVectorStore.fromTexts(['alpha', 'beta', 'gamma'], [{ i: 0 }, { i: 1 }, { i: 2 }], embeddings, { store: db, indexName: 'a' });
  assert.deepEqual((await a.similaritySearch('beta', 1))[0].metadata, { i: 1 });
  const b = await VesselVectorStore.fromDocuments([new Document({ pageContent: 'delta', metadata: { j: 1 }, id: 'd' })], embeddings, { store: db, indexName: 'b' });
  assert.equal((await b.similaritySearch('delta', 1))[0].id, 'd');
  const c = await VesselVectorStore.fromExistingIndex(embeddings, { store: db, indexName: 'a' });
  assert.deepEqual((await c.similaritySearch('gamma', 1))[0].metadata, { i: 2 });
  assert.deepEqual((await db.listIndexes()).sort(), ['a', 'b']);
  await db.close();
});

test('persistence: documents survive reopening from a memory storage and from a directory', async () => {
  const embeddings = new HashEmbeddings(16);
  const docs = corpus(21, 300).map((d) => new Document(d));
  const dir = mkdtempSync(join(tmpdir(), 'vessel-langchain-'));
  try {
    for (const [what, openOptions] of [['memory', { storage: new MemoryStorage() }], ['files', { dir }]]) {
      const config = { open: { ...openOptions, durability: 'always' }, indexName: 'kb', customSchema: SCHEMA, indexOptions: { algorithm: 'HNSW' } };
      const first = new VesselVectorStore(embeddings, config);
      const ids = await first.addDocuments(docs.slice(0, 200));
      await first.save(); // a snapshot, then more in the journal
      await first.addDocuments(docs.slice(200));
      await first.delete({ ids: ids.slice(0, 10) });
      const probe = async (s) => Promise.all(['alpha beta', 'omega pi rho', 'kappa'].map((t) => s.similaritySearchWithScore(t, 5, { n: { $lt: 60 } })));
      const before = await probe(first);
      await first.close();
      const again = await VesselVectorStore.fromExistingIndex(embeddings, config);
      const db = await again.getStore();
      assert.equal(db.loadReport.replayed > 0, true, `${what}: the journal replayed`);
      assert.equal(await db.dbsize(), 290, what);
      assert.deepEqual(await probe(again), before, what);
      await again.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bad input: a clear error and nothing changed', async () => {
  const embeddings = new HashEmbeddings(8);
  const db = await open();
  const store = new VesselVectorStore(embeddings, { store: db, customSchema: { cat: 'TAG', n: 'NUMERIC' } });
  const doc = (i, metadata = {}) => new Document({ pageContent: `alpha ${i}`, metadata });
  await store.addDocuments([doc(0), doc(1)], { ids: ['a', 'b'] });
  const state = async () => [await db.dbsize(), (await db.indexInfo('langchain')).num_docs, await db.hgetall('doc:langchain:a')];
  const before = await state();
  const v = (d) => Array.from({ length: d }, (_, i) => i / 10 + 0.1);
  const cases = [
    [() => store.addVectors([v(8), v(9)], [doc(2), doc(3)]), /vectors\[1\] has 9 dimensions; the index has 8/],
    [() => store.addVectors([v(8), [1, 2, 3, 4, 5, 6, 7, NaN]], [doc(2), doc(3)]), /vectors\[1\]\[7\] is NaN, not a finite number/],
    [() => store.addVectors([v(8), 'x'], [doc(2), doc(3)]), /vectors\[1\] is not a vector/],
    [() => store.addVectors([v(8)], [doc(2), doc(3)]), /1 vectors for 2 documents/],
    [() => store.addDocuments([doc(2), doc(3)], { ids: ['c', 'c'] }), /"c" appears twice/],
    [() => store.addDocuments([doc(2), doc(3)], { ids: ['c', ''] }), /"" is not an id/],
    [() => store.addDocuments([doc(2), doc(3)], { ids: ['c', 5] }), /5 is not an id/],
    [() => store.addDocuments([doc(2), doc(3)], { ids: ['c'] }), /options.ids must be an array of 2 ids/],
    [() => store.addDocuments([doc(2, { n: 'five' })], { ids: ['a'] }), /documents\[0\]: metadata.n must be a finite number/],
    [() => store.addDocuments([doc(2), doc(3, { cat: 'x,y' })]), /documents\[1\]: metadata.cat: the tag "x,y" contains the separator ","/],
    [() => store.addDocuments([doc(2), doc(3, { cat: { deep: 1 } })]), /metadata.cat must be tags/],
    [() => store.addDocuments([doc(2), new Document({ pageContent: 'x', metadata: { big: 1n } })]), /documents\[1\].metadata is not JSON/],
    [() => store.addDocuments([{ metadata: {} }]), /documents\[0\] has no pageContent string/],
    [() => store.addDocuments([doc(2)], { batchSize: 0 }), /batchSize must be a positive integer/],
    [() => store.similaritySearchVectorWithScore(v(9), 3), /the query vector has 9 dimensions; the index has 8/],
    [() => store.similaritySearchVectorWithScore(v(8), -1), /k must be a non-negative integer/],
    [() => store.similaritySearchVectorWithScore(v(8), 10001), /k is at most 10000/],
    [() => store.maxMarginalRelevanceSearch('alpha', { k: 2, lambda: 2 }), /lambda must be between 0 and 1/],
  ];
  for (const [fn, re] of cases) {
    await assert.rejects(fn(), re);
    assert.deepEqual(await state(), before, String(re));
  }
  assert.deepEqual(await store.similaritySearchVectorWithScore(v(8), 0), []);
  const ctor = [
    [{ indexOptions: { ALGORITHM: 'IVF' } }, /algorithm must be HNSW or FLAT/],
    [{ indexOptions: { distance: 'HAMMING' } }, /distance must be COSINE, L2 or IP/],
    [{ indexOptions: { M: 0 } }, /m must be a positive integer/],
    [{ customSchema: { t: 'TEXT' } }, /type must be TAG or NUMERIC/],
    [{ customSchema: { 'a b': 'TAG' } }, /"a b" is not a usable field name/],
    [{ customSchema: { t: { type: 'TAG', separator: '||' } } }, /the separator must be one character/],
    [{ contentKey: 'x', vectorKey: 'x' }, /must differ/],
    [{ store: db, open: {} }, /give either `store`/],
    [{ store: {} }, /`store` must be an open Vessel store/],
  ];
  for (const [config, re] of ctor) assert.throws(() => new VesselVectorStore(embeddings, config), re);
  // A store with another dimension's index: refused before any write.
  const other = new VesselVectorStore(new HashEmbeddings(4), { store: db });
  await assert.rejects(other.addDocuments([doc(9)]), /vectors\[0\] has 4 dimensions; the index has 8/);
  assert.deepEqual(await state(), before);
  // A read-only store answers writes with READONLY.
  const storage = new MemoryStorage();
  const w = await open({ storage });
  await w.save();
  await w.close();
  const ro = new VesselVectorStore(embeddings, { open: { storage, readOnly: true } });
  await assert.rejects(ro.addDocuments([doc(1)]), /READONLY/);
  await ro.close();
  await db.close();
});

test('distances follow the metric: COSINE 1 - cosine, L2 squared, IP 1 - dot', async () => {
  const db = await open();
  for (const metric of ['COSINE', 'L2', 'IP']) {
    const store = new VesselVectorStore(new HashEmbeddings(3), { store: db, indexName: metric, indexOptions: { algorithm: 'FLAT', distance: metric } });
    await store.addVectors([[1, 0, 0], [0.6, 0.8, 0]], [new Document({ pageContent: 'x', metadata: {} }), new Document({ pageContent: 'y', metadata: {} })], { ids: ['x', 'y'] });
    const got = await store.similaritySearchVectorWithScore([0, 1, 0], 2);
    assert.deepEqual(got.map(([d]) => d.id), ['y', 'x']);
    for (const [d, s] of got) assert.ok(Math.abs(s - distance(metric, d.id === 'x' ? [1, 0, 0] : [0.6, 0.8, 0], [0, 1, 0])) < 1e-6, `${metric} ${d.id} ${s}`);
  }
  await db.close();
});
