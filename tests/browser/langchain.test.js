// langchain.test.js - vessel/langchain in headless Chromium: the entry and
// @langchain/core bundled by esbuild into a page, a store on IndexedDB
// (adds, deletes, filtered searches, MMR) that comes back after a reload,
// and the same through the Web Worker client; every answer equal to the
// same operations' answers in Node (which tests/js/langchain.test.js
// checks against a brute-force model).
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Document } from '@langchain/core/documents';
import { HAVE_CHROMIUM, newPage, startBrowser } from './chromium.js';
import { MemoryStorage } from '../../js/node.js';
import { VesselVectorStore } from '../../js/langchain.js';
import { corpus, HashEmbeddings, matches, prng, queryText, randomFilter, SCHEMA } from '../js/fixtures/langchain.js';

const skip = !HAVE_CHROMIUM && 'chromium is not installed (make test installs it)';
const root = fileURLToPath(new URL('../../', import.meta.url));
const out = `${root}build/test-langchain/`;
let env;
let context;
let expected;
const errors = [];

/** The page's operations, in Node: add 0-250, delete d3 and d7, add 250-300. */
async function inNode() {
  const embeddings = new HashEmbeddings(16);
  const store = new VesselVectorStore(embeddings, { open: { storage: new MemoryStorage() }, indexName: 'kb', customSchema: SCHEMA, indexOptions: { algorithm: 'FLAT', distance: 'COSINE' } });
  const docs = corpus(31, 300).map((d) => new Document(d));
  await store.addDocuments(docs.slice(0, 250), { ids: docs.slice(0, 250).map((_, i) => `d${i}`) });
  await store.delete({ ids: ['d3', 'd7'] });
  await store.addDocuments(docs.slice(250), { ids: docs.slice(250).map((_, i) => `d${250 + i}`) });
  const r = prng(4242);
  const res = [];
  for (let i = 0; i < 24; i++) {
    const [text, filter, k] = [queryText(r), i % 3 ? randomFilter(r) : undefined, r.pick([3, 10])];
    const hits = await store.similaritySearchWithScore(text, k, filter);
    res.push({ text, filter, k, hits: hits.map(([d, s]) => [d.id, s, d.metadata, d.pageContent]) });
  }
  const mmr = await store.maxMarginalRelevanceSearch('alpha beta gamma', { k: 4, fetchK: 15, lambda: 0.3, filter: { n: { $lt: 70 } } });
  await store.close();
  return { out: JSON.parse(JSON.stringify(res)), mmr: mmr.map((d) => d.id) };
}

before(async () => {
  if (skip) return;
  expected = await inNode();
  let filtered = 0;
  for (const q of expected.out) {
    assert.ok(q.hits.length > 0 || q.filter, 'unfiltered queries find documents');
    if (q.filter && q.hits.length) filtered++;
    for (const [, , metadata] of q.hits) assert.ok(!q.filter || matches(metadata, q.filter));
  }
  assert.ok(filtered >= 8, 'filtered queries with results');
  mkdirSync(out, { recursive: true });
  const { build } = await import('esbuild');
  await build({
    entryPoints: [fileURLToPath(new URL('./langchain-page.js', import.meta.url))],
    outfile: `${out}page.js`,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    // Exactly these two stay imports (esbuild's `external` would take vessel/langchain too).
    plugins: [{ name: 'page-imports', setup: (b) => b.onResolve({ filter: /^vessel(\/worker)?$/ }, (a) => ({ path: a.path, external: true })) }],
    logLevel: 'error',
  });
  writeFileSync(`${out}index.html`, `<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><title>loading</title>
<script type="importmap">{ "imports": { "vessel": "/js/index.js", "vessel/worker": "/js/worker-client.js" } }</script>
<script type="module" src="./page.js"></script>`);
  env = await startBrowser();
  context = await env.browser.newContext();
});

after(async () => {
  await env?.close();
});

async function page() {
  const p = await newPage(context, errors);
  await p.goto(`${env.url}build/test-langchain/`);
  await p.waitForFunction(() => document.title === 'ready');
  return p;
}

/** The page's answers, as JSON (as the expected ones). */
async function searched(p) {
  return JSON.parse(JSON.stringify(await p.evaluate(() => t.search())));
}

async function fillAndCheck(p, name, worker) {
  await p.evaluate((n) => t.destroy(n), name);
  const opened = await p.evaluate(([n, w]) => t.open(n, { worker: w }), [name, worker]);
  assert.equal(opened.build, 'simd');
  assert.equal(opened.worker, worker);
  await p.evaluate(() => t.add(0, 250));
  await p.evaluate(() => t.remove(['d3', 'd7']));
  await p.evaluate(() => t.add(250, 300));
  assert.deepEqual(await searched(p), expected);
}

/** exportRdb / importRdb / indexScript in the page (or through its worker): the store goes out and comes back whole. */
async function checkRdb(a) {
  const r = await a.evaluate(() => t.rdb());
  assert.equal(r.magic, 'REDIS0010');
  assert.ok(r.size && r.chunked, 'the file came in several chunks');
  assert.equal(r.after, r.keys);
  assert.equal(r.hashes, r.keys);
  assert.match(r.script, /^FT\.CREATE kb /);
  assert.match(r.refused, /^Bad RDB: /);
}

test('Chromium: a store on IndexedDB answers as in Node and survives a reload', { skip }, async () => {
  const a = await page();
  await fillAndCheck(a, 'lc-page', false);
  const bad = await a.evaluate(() => t.tryBad());
  assert.match(bad[0], /"nope" is not a filterable metadata field/);
  assert.match(bad[1], /vectors\[0\] has 2 dimensions; the index has 16/);
  await a.reload(); // no close(): the page just goes away
  await a.waitForFunction(() => document.title === 'ready');
  const again = await a.evaluate(() => t.open('lc-page', { existing: true }));
  assert.ok(again.replayed > 0, 'the journal replayed');
  assert.deepEqual(await searched(a), expected);
  await checkRdb(a); // out and back in: the same answers, saved to IndexedDB
  assert.deepEqual(await searched(a), expected);
  await a.evaluate(() => t.close());
  await a.evaluate(() => t.destroy('lc-page'));
  await a.close();
  assert.deepEqual(errors, []);
});

test('Chromium: the same through the Web Worker client, reopened in a new worker', { skip }, async () => {
  const a = await page();
  await fillAndCheck(a, 'lc-worker', true);
  // The worker client builds transactions too (multi() on the page, one execMulti message).
  assert.deepEqual(await a.evaluate(() => t.tx()), { ran: [1, { a: '1' }, 1], aborted: null, kept: '2', reclaimed: 'number', gone: 0 });
  await checkRdb(a);
  await a.evaluate(() => t.close());
  const again = await a.evaluate(() => t.open('lc-worker', { worker: true, existing: true }));
  assert.ok(again.worker);
  assert.deepEqual(await searched(a), expected);
  await a.evaluate(() => t.close());
  await a.evaluate(() => t.destroy('lc-worker'));
  await a.close();
  assert.deepEqual(errors, []);
});
