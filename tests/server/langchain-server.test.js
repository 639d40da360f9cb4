// langchain-server.test.js - @langchain/redis's RedisVectorStore and
// FluentRedisVectorStore, unchanged, with the node-redis 4 client they
// bundle, against vessel-server.  A deterministic embeddings class (words
// hashed into 16 dimensions) lets every expected result be computed here.
//
// What the stores send: FT.INFO (does the index exist; RedisVectorStore also
// reads num_docs to number new keys); FT.CREATE ON HASH PREFIX 1 <prefix>
// SCHEMA <vector> VECTOR HNSW 6 TYPE FLOAT32 DIM d DISTANCE_METRIC COSINE
// content TEXT [metadata TEXT] plus the custom TAG/NUMERIC/TEXT fields (only
// when the index does not exist); MULTI, HSET per document, EXEC; FT.SEARCH
// "<filter> => [KNN k @content_vector $vector AS vector_score]" RETURN ...
// SORTBY vector_score LIMIT 0 k PARAMS 2 vector <blob> DIALECT 2;
// FT.DROPINDEX [DD]; DEL.  Adding documents needs MULTI, a new index and
// the text filters need TEXT fields and text queries: those cases probe the
// server once and skip with the reason until it supports them; the rest
// runs on an index created beforehand without TEXT fields (the stores then
// skip FT.CREATE) and documents written in the stores' own layout.
//
// RedisVectorStore keeps the metadata as JSON with - : " backslash-escaped
// in one TEXT field and filters with `@metadata:(a|b)`.  The lexer keeps an
// escaped separator in its word (valkey-search's, as RediSearch's), so
// `{\"category\"\:\"fruit\"}` is the single word `"category":"fruit"`, and
// a value of several words has its first word glued to its key and its
// last to the closing quote: only the words between are words of their own.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, test } from 'node:test';
import { Embeddings } from '@langchain/core/embeddings';
import { Document } from '@langchain/core/documents';
import { FluentRedisVectorStore, Num, RedisVectorStore, Tag, Text } from '@langchain/redis';
import { connect, startServer } from './helpers.js';

// The node-redis 4 that @langchain/redis bundles (and calls ft.* on).
const requireFromLangchain = createRequire(new URL('../../node_modules/@langchain/redis/package.json', import.meta.url));
const { createClient } = requireFromLangchain('redis');

const DIM = 16;
/**
 * Deterministic embeddings: each word adds ±1 at a hashed position, each
 * character trigram ±0.1 (so texts sharing no word still differ); unit length.
 */
class HashEmbeddings extends Embeddings {
  constructor() {
    super({});
  }
  static vector(text) {
    const v = new Array(DIM).fill(0);
    const add = (s, w) => {
      let h = 2166136261;
      for (const c of s) h = Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0;
      v[h % DIM] += h & 0x10000 ? w : -w;
    };
    for (const word of text.toLowerCase().split(/\W+/).filter(Boolean)) {
      add(word, 1);
      for (let i = 0; i + 3 <= word.length; i++) add(word.slice(i, i + 3), 0.1);
    }
    const n = Math.hypot(...v) || 1;
    return v.map((x) => x / n);
  }
  async embedDocuments(texts) {
    return texts.map((t) => HashEmbeddings.vector(t));
  }
  async embedQuery(text) {
    return HashEmbeddings.vector(text);
  }
}

const DOCS = [
  ['red apple pie', { category: 'fruit', year: 2001 }],
  ['green apple tart', { category: 'fruit', year: 2005 }],
  ['red sports car', { category: 'vehicle', year: 2010 }],
  ['blue sky ocean', { category: 'nature', year: 1999 }],
  ['red rose garden', { category: 'nature', year: 2015 }],
  ['fast green car', { category: 'vehicle', year: 2020 }],
].map(([pageContent, metadata]) => new Document({ pageContent, metadata }));
const QUERY = 'red apple';

/** Cosine distances as the engine computes them (float32 inputs). */
function cosineDistance(a, b) {
  const [x, y] = [a.map(Math.fround), b.map(Math.fround)];
  const dot = x.reduce((s, v, i) => s + v * y[i], 0);
  return 1 - dot / (Math.hypot(...x) * Math.hypot(...y));
}
/** The k nearest of `docs` (indexes into DOCS) to the query, nearest first. */
function nearest(k, pred = () => true) {
  const q = HashEmbeddings.vector(QUERY);
  const ranked = DOCS.map((d, i) => ({ i, d: cosineDistance(HashEmbeddings.vector(d.pageContent), q) }))
    .filter(({ i }) => pred(DOCS[i]))
    .sort((a, b) => a.d - b.d || a.i - b.i);
  // The data must not put two documents at the same distance across the cut.
  if (ranked.length > k) assert.ok(ranked[k].d - ranked[k - 1].d > 1e-4, 'test data: a tie at the k-th neighbour');
  return ranked.slice(0, k);
}
function checkRanked(got, want, msg) {
  assert.deepEqual(got.map(([doc]) => doc.pageContent), want.map(({ i }) => DOCS[i].pageContent), `${msg}: documents`);
  got.forEach(([, score], j) => assert.ok(Math.abs(score - want[j].d) < 1e-5, `${msg}: score ${score} != ${want[j].d}`));
}

const f32 = (v) => Buffer.from(new Float32Array(v).buffer);

// ---- the server, and what it supports (probed once) ------------------------

const srv = await startServer();
const probe = await connect(srv.port);
const multiReply = await probe.send(['MULTI']);
const NEEDS_MULTI = multiReply instanceof Error && /unknown command/.test(multiReply.message) ? 'needs MULTI (transactions)' : false;
if (!NEEDS_MULTI) await probe.send(['DISCARD']);
const textReply = await probe.send(['FT.CREATE', '__probe_text', 'PREFIX', '1', '__probe_text:', 'SCHEMA', 't', 'TEXT']);
const queryReply = textReply instanceof Error ? textReply : await probe.send(['FT.SEARCH', '__probe_text', 'word']);
const NEEDS_TEXT = textReply instanceof Error || queryReply instanceof Error ? 'needs TEXT fields and text queries (full-text search)' : false;
if (!(textReply instanceof Error)) await probe.send(['FT.DROPINDEX', '__probe_text']);
probe.sock.end();

const client = createClient({ url: `redis://127.0.0.1:${srv.port}` });
client.on('error', () => {});
await client.connect();

after(async () => {
  await client.quit();
  await srv.stop();
});

const embeddings = new HashEmbeddings();
const CUSTOM = { category: { type: 'TAG' }, year: { type: 'NUMERIC' } };

/** RedisVectorStore's index as its createIndex builds it, less the TEXT fields. */
async function createLegacyIndex(name, prefix, { text = false } = {}) {
  const schema = {
    content_vector: { type: 'VECTOR', TYPE: 'FLOAT32', DIM, ALGORITHM: 'HNSW', DISTANCE_METRIC: 'COSINE' },
    ...(text ? { content: 'TEXT', metadata: 'TEXT' } : {}),
    'metadata.category': { type: 'TAG', SEPARATOR: ',' },
    'metadata.year': { type: 'NUMERIC' },
  };
  await client.ft.create(name, schema, { ON: 'HASH', PREFIX: prefix });
}

/** Documents written as RedisVectorStore.addVectors writes them (it sends them in MULTI). */
async function writeLegacy(prefix, store, extra = () => ({})) {
  for (const [i, d] of DOCS.entries()) {
    await client.hSet(`${prefix}${i}`, {
      content_vector: f32(HashEmbeddings.vector(d.pageContent)),
      content: d.pageContent,
      metadata: store.escapeSpecialChars(JSON.stringify({ ...d.metadata, ...extra(d) })),
      'metadata.category': d.metadata.category,
      'metadata.year': d.metadata.year,
    });
  }
}

test('RedisVectorStore on an existing index: similarity search with and without scores, metadata, TAG/NUMERIC filters, delete by id, deleteAll', async () => {
  const indexName = 'lc-legacy';
  const prefix = `doc:${indexName}:`;
  await createLegacyIndex(indexName, prefix);
  const store = new RedisVectorStore(embeddings, { redisClient: client, indexName, customSchema: CUSTOM });
  assert.equal(await store.checkIndexExists(), true);
  await writeLegacy(prefix, store);

  checkRanked(await store.similaritySearchWithScore(QUERY, 3), nearest(3), 'similaritySearchWithScore');
  const docs = await store.similaritySearch(QUERY, 2);
  assert.deepEqual(docs.map((d) => [d.pageContent, d.metadata]), nearest(2).map(({ i }) => [DOCS[i].pageContent, DOCS[i].metadata]));

  // The custom schema's TAG and NUMERIC fields as filters.
  const q = await embeddings.embedQuery(QUERY);
  const fruit = await store.similaritySearchVectorWithScoreAndMetadata(q, 6, { category: 'fruit' });
  checkRanked(fruit, nearest(2, (d) => d.metadata.category === 'fruit'), 'TAG filter');
  assert.deepEqual(fruit[0][0].metadata, { category: 'fruit', year: '2001' }); // the indexed field's copy is a string
  const years = await store.similaritySearchVectorWithScoreAndMetadata(q, 6, { year: { min: 2005, max: 2015 } });
  checkRanked(years, nearest(3, (d) => d.metadata.year >= 2005 && d.metadata.year <= 2015), 'NUMERIC range filter');
  const both = await store.similaritySearchVectorWithScoreAndMetadata(q, 6, { category: 'vehicle', year: { min: 2010 } });
  checkRanked(both, nearest(2, (d) => d.metadata.category === 'vehicle' && d.metadata.year >= 2010), 'TAG and NUMERIC min');
  // A TAG list becomes `@metadata.category:({vehicle}|{nature})`: a field
  // applied to a group, which valkey-search reads as full-text syntax.
  await assert.rejects(store.similaritySearchVectorWithScoreAndMetadata(q, 6, { category: ['vehicle', 'nature'] }),
    { message: 'Invalid filter expression: `@metadata.category:({vehicle}|{nature})`. Index does not have any text field' });

  // delete({ ids }) is DEL of prefixed keys.
  const top = nearest(1)[0].i;
  await store.delete({ ids: [String(top)] });
  assert.equal(await client.exists(`${prefix}${top}`), 0);
  checkRanked(await store.similaritySearchWithScore(QUERY, 2), nearest(3).slice(1), 'after delete');

  // deleteAll is FT.DROPINDEX DD.
  await store.delete({ deleteAll: true });
  assert.equal(await store.checkIndexExists(), false);
  assert.equal((await client.keys(`${prefix}*`)).length, 0);
  assert.equal(await store.dropIndex(), false); // no index: the store reports false
});

test('FluentRedisVectorStore on an existing index: FilterExpressions (Tag, Num, and), scores, metadata types', async () => {
  const indexName = 'lc-fluent';
  const prefix = `doc:${indexName}:`;
  await client.ft.create(indexName, {
    content_vector: { type: 'VECTOR', TYPE: 'FLOAT32', DIM, ALGORITHM: 'HNSW', DISTANCE_METRIC: 'COSINE' },
    category: { type: 'TAG', SEPARATOR: ',' },
    year: { type: 'NUMERIC' },
  }, { ON: 'HASH', PREFIX: prefix });
  const customSchema = [{ name: 'category', type: 'tag' }, { name: 'year', type: 'numeric' }];
  const store = new FluentRedisVectorStore(embeddings, { redisClient: client, indexName, customSchema });
  assert.equal(await store.checkIndexState(), 'default');
  for (const [i, d] of DOCS.entries()) {
    await client.hSet(`${prefix}${i}`, { content_vector: f32(HashEmbeddings.vector(d.pageContent)), content: d.pageContent, ...d.metadata });
  }
  const all = await store.similaritySearchWithScore(QUERY, 4);
  checkRanked(all, nearest(4), 'no filter');
  assert.deepEqual(all[0][0].metadata, DOCS[nearest(1)[0].i].metadata); // year back as a number
  checkRanked(await store.similaritySearchWithScore(QUERY, 6, Tag('category').eq('vehicle')), nearest(2, (d) => d.metadata.category === 'vehicle'), 'Tag eq');
  checkRanked(await store.similaritySearchWithScore(QUERY, 6, Num('year').gt(2005)), nearest(3, (d) => d.metadata.year > 2005), 'Num gt');
  checkRanked(await store.similaritySearchWithScore(QUERY, 6, Tag('category').eq('fruit').and(Num('year').lt(2005))),
    nearest(1, (d) => d.metadata.category === 'fruit' && d.metadata.year < 2005), 'and');
  assert.equal(await store.dropIndex(true), true);
  assert.equal(await store.checkIndexState(), 'none');
});

test('RedisVectorStore: documents added in several batches, nothing overwritten, then found', { skip: NEEDS_MULTI }, async () => {
  const indexName = 'lc-batches';
  const prefix = `doc:${indexName}:`;
  await createLegacyIndex(indexName, prefix);
  const store = new RedisVectorStore(embeddings, { redisClient: client, indexName, customSchema: CUSTOM });
  await store.addDocuments(DOCS.slice(0, 2));
  await store.addDocuments(DOCS.slice(2, 5));
  await store.addDocuments(DOCS.slice(5));
  assert.deepEqual((await client.keys(`${prefix}*`)).sort(), DOCS.map((_, i) => `${prefix}${i}`).sort());
  for (const [i, d] of DOCS.entries()) assert.equal(await client.hGet(`${prefix}${i}`, 'content'), d.pageContent);
  checkRanked(await store.similaritySearchWithScore(QUERY, 6), nearest(6), 'all batches');
  await store.delete({ deleteAll: true });
});

test('FluentRedisVectorStore: addDocuments (MULTI) onto an existing index, then filtered search', { skip: NEEDS_MULTI }, async () => {
  const indexName = 'lc-fluent-add';
  await client.ft.create(indexName, {
    content_vector: { type: 'VECTOR', TYPE: 'FLOAT32', DIM, ALGORITHM: 'HNSW', DISTANCE_METRIC: 'COSINE' },
    category: { type: 'TAG', SEPARATOR: ',' },
    year: { type: 'NUMERIC' },
  }, { ON: 'HASH', PREFIX: `doc:${indexName}:` });
  const customSchema = [{ name: 'category', type: 'tag' }, { name: 'year', type: 'numeric' }];
  const store = new FluentRedisVectorStore(embeddings, { redisClient: client, indexName, customSchema });
  await store.addDocuments(DOCS);
  checkRanked(await store.similaritySearchWithScore(QUERY, 6, Tag('category').eq('nature')), nearest(2, (d) => d.metadata.category === 'nature'), 'Tag eq');
  assert.equal(await store.dropIndex(true), true);
});

const has = (word) => (d) => d.pageContent.split(' ').includes(word);
/** The words of a document's content that are words of their own in the escaped JSON (not its first or last). */
const inner = (word) => (d) => d.pageContent.split(' ').slice(1, -1).includes(word);

test('RedisVectorStore: string filters on the metadata TEXT field (@metadata:(a|b)), metadata back, TAG/NUMERIC beside TEXT', { skip: NEEDS_TEXT }, async () => {
  const indexName = 'lc-text';
  const prefix = `doc:${indexName}:`;
  await createLegacyIndex(indexName, prefix, { text: true });
  const store = new RedisVectorStore(embeddings, { redisClient: client, indexName, customSchema: CUSTOM });
  // The metadata carries the content's words too: {"category":..., "year":..., "about":"red apple pie"}.
  await writeLegacy(prefix, store, (d) => ({ about: d.pageContent }));
  const q = await embeddings.embedQuery(QUERY);
  // A list of words: @metadata:(apple), @metadata:(apple|rose).
  checkRanked(await store.similaritySearchVectorWithScore(q, 6, ['apple']), nearest(2, inner('apple')), 'one word');
  checkRanked(await store.similaritySearchVectorWithScore(q, 6, ['apple', 'rose']),
    nearest(3, (d) => inner('apple')(d) || inner('rose')(d)), 'either word');
  // A string is sent as it is: @metadata:(sports|sky); words are stemmed (sports: sport).
  checkRanked(await store.similaritySearchVectorWithScore(q, 6, 'sport|sky'),
    nearest(2, (d) => inner('sports')(d) || inner('sky')(d)), 'a string filter');
  // "green" opens "green apple tart": in the escaped JSON it is glued to its
  // key ("about":"green), so only "fast green car" has the word green.
  checkRanked(await store.similaritySearchVectorWithScore(q, 6, ['green']), nearest(1, inner('green')), 'a word glued to its key');
  assert.equal(DOCS.filter(has('green')).length, 2);
  // A whole "key":"value" word: the store escapes the quotes and the colon,
  // @metadata:(\"category\"\:\"vehicle\").
  checkRanked(await store.similaritySearchVectorWithScore(q, 6, ['"category":"vehicle"']),
    nearest(2, (d) => d.metadata.category === 'vehicle'), 'a key:value word');
  checkRanked(await store.similaritySearchVectorWithScore(q, 6, ['nothing']), [], 'no match');
  // The metadata comes back whole.
  const [[doc]] = await store.similaritySearchVectorWithScore(q, 1, ['apple']);
  const top = DOCS[nearest(1, inner('apple'))[0].i];
  assert.deepEqual(doc.metadata, { ...top.metadata, about: top.pageContent });
  // TAG and NUMERIC filters on an index with TEXT fields.
  checkRanked(await store.similaritySearchVectorWithScoreAndMetadata(q, 6, { category: 'fruit' }), nearest(2, (d) => d.metadata.category === 'fruit'), 'TAG with TEXT fields');
  checkRanked(await store.similaritySearchVectorWithScoreAndMetadata(q, 6, { category: 'nature', year: { max: 2000 } }),
    nearest(1, (d) => d.metadata.category === 'nature' && d.metadata.year <= 2000), 'TAG and NUMERIC with TEXT fields');
  await store.delete({ deleteAll: true });
  assert.equal(await store.checkIndexExists(), false);
});

test('FluentRedisVectorStore: Text filters on the content TEXT field (eq, ne, match, wildcard, fuzzy), with Tag and Num', { skip: NEEDS_TEXT }, async () => {
  const indexName = 'lc-fluent-text';
  const prefix = `doc:${indexName}:`;
  await client.ft.create(indexName, {
    content_vector: { type: 'VECTOR', TYPE: 'FLOAT32', DIM, ALGORITHM: 'HNSW', DISTANCE_METRIC: 'COSINE' },
    content: 'TEXT',
    category: { type: 'TAG', SEPARATOR: ',' },
    year: { type: 'NUMERIC' },
  }, { ON: 'HASH', PREFIX: prefix });
  const store = new FluentRedisVectorStore(embeddings, { redisClient: client, indexName, customSchema: [{ name: 'category', type: 'tag' }, { name: 'year', type: 'numeric' }] });
  for (const [i, d] of DOCS.entries()) {
    await client.hSet(`${prefix}${i}`, { content_vector: f32(HashEmbeddings.vector(d.pageContent)), content: d.pageContent, ...d.metadata });
  }
  // @content:("car"), (-@content:("car")), @content:(cars) (stemmed), @content:(green car) (both words).
  checkRanked(await store.similaritySearchWithScore(QUERY, 6, Text('content').eq('car')), nearest(2, has('car')), 'Text eq');
  checkRanked(await store.similaritySearchWithScore(QUERY, 6, Text('content').ne('car')), nearest(4, (d) => !has('car')(d)), 'Text ne');
  checkRanked(await store.similaritySearchWithScore(QUERY, 6, Text('content').match('cars')), nearest(2, has('car')), 'Text match, stemmed');
  checkRanked(await store.similaritySearchWithScore(QUERY, 6, Text('content').match('green car')),
    nearest(1, (d) => has('green')(d) && has('car')(d)), 'Text match, two words');
  checkRanked(await store.similaritySearchWithScore(QUERY, 6, Text('content').eq('red apple')), nearest(1, (d) => d.pageContent.includes('red apple')), 'Text eq, a phrase');
  // @content:(gar*), @content:(%%cat%%): car, tart and fast are within two edits of cat.
  checkRanked(await store.similaritySearchWithScore(QUERY, 6, Text('content').wildcard('gar*')), nearest(1, has('garden')), 'Text wildcard');
  checkRanked(await store.similaritySearchWithScore(QUERY, 6, Text('content').fuzzy('cat')),
    nearest(3, (d) => ['car', 'tart', 'fast'].some((w) => has(w)(d))), 'Text fuzzy');
  const mixed = await store.similaritySearchWithScore(QUERY, 6, Text('content').match('red').and(Tag('category').eq('nature')).or(Num('year').gt(2015)));
  checkRanked(mixed, nearest(2, (d) => (has('red')(d) && d.metadata.category === 'nature') || d.metadata.year > 2015), 'Text and Tag or Num');
  assert.deepEqual(mixed.map(([doc]) => doc.metadata).sort((a, b) => a.year - b.year), [DOCS[4].metadata, DOCS[5].metadata]);
  assert.equal(await store.dropIndex(true), true);
});

test('RedisVectorStore on a new index (FT.CREATE with TEXT fields): two batches, nothing overwritten, search, delete, dropIndex', { skip: NEEDS_MULTI || NEEDS_TEXT }, async () => {
  const indexName = 'lc-new';
  const prefix = `doc:${indexName}:`;
  const store = await RedisVectorStore.fromDocuments(DOCS.slice(0, 4), embeddings, { redisClient: client, indexName, customSchema: CUSTOM });
  const info = await client.ft.info(indexName);
  assert.deepEqual(info.attributes.map((a) => [a.identifier, a.type]),
    [['content_vector', 'VECTOR'], ['content', 'TEXT'], ['metadata', 'TEXT'], ['metadata.category', 'TAG'], ['metadata.year', 'NUMERIC']]);
  // The second batch is numbered from FT.INFO's num_docs: no key written twice.
  await store.addDocuments(DOCS.slice(4));
  assert.deepEqual((await client.keys(`${prefix}*`)).sort(), DOCS.map((_, i) => `${prefix}${i}`).sort());
  for (const [i, d] of DOCS.entries()) assert.equal(await client.hGet(`${prefix}${i}`, 'content'), d.pageContent);
  checkRanked(await store.similaritySearchWithScore(QUERY, 6), nearest(6), 'both batches');
  const docs = await store.similaritySearch(QUERY, 3);
  assert.deepEqual(docs.map((d) => d.metadata), nearest(3).map(({ i }) => DOCS[i].metadata));
  const q = await embeddings.embedQuery(QUERY);
  checkRanked(await store.similaritySearchVectorWithScore(q, 6, ['"category":"nature"']), nearest(2, (d) => d.metadata.category === 'nature'), 'metadata filter');
  checkRanked(await store.similaritySearchVectorWithScoreAndMetadata(q, 6, { year: { min: 2010 } }), nearest(3, (d) => d.metadata.year >= 2010), 'NUMERIC filter');
  await store.delete({ ids: ['0'] });
  checkRanked(await store.similaritySearchWithScore(QUERY, 6), nearest(6, (d) => d !== DOCS[0]), 'after delete');
  assert.equal(await store.dropIndex(true), true);
  assert.equal(await store.checkIndexExists(), false);
  assert.equal((await client.keys(`${prefix}*`)).length, 0);
});

test('FluentRedisVectorStore on a new index (FT.CREATE with content TEXT): two batches, filtered search, dropIndex', { skip: NEEDS_MULTI || NEEDS_TEXT }, async () => {
  const indexName = 'lc-fluent-new';
  const customSchema = [{ name: 'category', type: 'tag' }, { name: 'year', type: 'numeric' }];
  const store = await FluentRedisVectorStore.fromDocuments(DOCS.slice(0, 3), embeddings, { redisClient: client, indexName, customSchema });
  await store.addDocuments(DOCS.slice(3));
  assert.equal((await client.keys(`doc:${indexName}:*`)).length, DOCS.length);
  checkRanked(await store.similaritySearchWithScore(QUERY, 6), nearest(6), 'both batches');
  checkRanked(await store.similaritySearchWithScore(QUERY, 6, Num('year').between(2000, 2010)),
    nearest(3, (d) => d.metadata.year >= 2000 && d.metadata.year <= 2010), 'Num between');
  checkRanked(await store.similaritySearchWithScore(QUERY, 6, Text('content').match('apple').and(Tag('category').eq('fruit'))),
    nearest(2, (d) => has('apple')(d) && d.metadata.category === 'fruit'), 'Text and Tag');
  assert.equal(await store.dropIndex(true), true);
  assert.equal(await store.checkIndexState(), 'none');
});
