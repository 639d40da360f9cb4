// clients.test.js - client libraries, unchanged, against vessel-server:
// node-redis 4 (what LangChain.js pins), node-redis 6, ioredis and redis-py
// 4.3 (tests/server/clients_redis_py.py).  Each one creates an index through
// its schema helpers (FLAT and HNSW vectors with their attributes, TAG,
// NUMERIC), writes hashes with float32 vector bytes, reads FT.INFO through
// its info helper (node-redis 4 reads it by position: every field it reads
// is compared with the field of that name), searches through its search
// helper (RETURN, SORTBY, LIMIT, DIALECT, PARAMS with a vector blob,
// NOCONTENT, filters), lists and drops indexes with and without their
// documents.  Expected results are computed here from the vectors written.
// Then every search command the clients' helpers can send that Vessel does
// not implement: each client must surface an error, and its text must be
// what Debian's redis-server 7.0 answers for the same unknown command.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import net from 'node:net';
import { after, before, test } from 'node:test';
import { startServer } from './helpers.js';

const PY = '/usr/bin/python3';
const HAVE_PY = spawnSync(PY, ['-c', 'import redis']).status === 0;
const HAVE_REDIS = spawnSync('redis-server', ['--version']).status === 0;
const PY_SCRIPT = new URL('./clients_redis_py.py', import.meta.url).pathname;

const f32 = (v) => Buffer.from(new Float32Array(v).buffer);
const N = 8;
/** The documents: FLAT vector v (L2), HNSW vector h (COSINE), TAG t, NUMERIC n, an unindexed title. */
const DOCS = Array.from({ length: N }, (_, i) => ({
  v: [i, i % 3, 0, 1],
  h: [1, i, 8 - i, 0.5],
  t: i % 2 ? 'a' : 'b,c',
  n: String(i),
  title: `doc ${i}`,
}));
const Q_V = [2.4, 0.2, 0, 1];
const Q_H = [1, 2, 3, 4];

const fround = (v) => v.map(Math.fround);
const l2 = (a, b) => fround(a).reduce((s, x, i) => s + (x - fround(b)[i]) ** 2, 0);
const cosine = (a, b) => {
  const [x, y] = [fround(a), fround(b)];
  const dot = x.reduce((s, v, i) => s + v * y[i], 0);
  const norm = (z) => Math.sqrt(z.reduce((s, v) => s + v * v, 0));
  return 1 - dot / (norm(x) * norm(y));
};

/** The queries every client runs, and what each must return (computed from DOCS). */
function scenario(prefix) {
  const key = (i) => `${prefix}${i}`;
  const ids = [...DOCS.keys()];
  const knn = (field, dist, q, pred, k) =>
    ids.filter(pred).map((i) => ({ i, d: dist(DOCS[i][field], q) })).sort((a, b) => a.d - b.d).slice(0, k);
  const isA = (i) => DOCS[i].t.split(',').includes('a');
  const flat = knn('v', l2, Q_V, isA, 3);
  const hnsw = knn('h', cosine, Q_H, () => true, 5);
  const range = ids.filter((i) => Number(DOCS[i].n) >= 2 && Number(DOCS[i].n) <= 5).sort((a, b) => Number(DOCS[b].n) - Number(DOCS[a].n));
  const b = ids.filter((i) => DOCS[i].t.split(',').includes('b'));
  return [
    {
      name: 'KNN on FLAT with a TAG filter, RETURN, SORTBY the score, LIMIT, DIALECT 2',
      query: '@t:{a}=>[KNN 3 @v $q AS dist]', params: { q: Q_V }, return: ['dist', 't', 'n', 'title'], sortby: ['dist', 'ASC'], limit: [0, 3], dialect: 2,
      want: { total: flat.length, docs: flat.map(({ i, d }) => ({ id: key(i), fields: { dist: d, t: DOCS[i].t, n: DOCS[i].n, title: DOCS[i].title } })) },
    },
    {
      name: 'KNN on HNSW (COSINE), LIMIT past the first two, default score name',
      query: '*=>[KNN 5 @h $q]', params: { q: Q_H }, return: ['__h_score', 'title'], limit: [2, 10], dialect: 2,
      want: { total: 5, docs: hnsw.slice(2).map(({ i, d }) => ({ id: key(i), fields: { __h_score: d, title: DOCS[i].title } })) },
    },
    {
      name: 'a NUMERIC range, SORTBY n DESC, LIMIT 1 2',
      query: '@n:[2 5]', return: ['n', 't'], sortby: ['n', 'DESC'], limit: [1, 2], dialect: 2,
      want: { total: range.length, docs: range.slice(1, 3).map((i) => ({ id: key(i), fields: { n: DOCS[i].n, t: DOCS[i].t } })) },
    },
    {
      name: 'NOCONTENT with a TAG filter',
      query: '@t:{b}', nocontent: true, limit: [0, 100], dialect: 2,
      want: { total: b.length, docs: b.map((i) => ({ id: key(i) })) },
    },
    {
      name: 'every field of a document, without RETURN (the text fields as written)',
      query: '@n:[3 3]', limit: [0, 10], dialect: 2,
      want: { total: 1, docs: [{ id: key(3), fields: { t: DOCS[3].t, n: DOCS[3].n, title: DOCS[3].title } }] },
    },
  ];
}

/** Compare a client's parsed result with the expectation (scores numerically). */
function checkResult(got, want, msg) {
  assert.equal(Number(got.total), want.total, `${msg}: total`);
  assert.deepEqual(got.docs.map((d) => d.id), want.docs.map((d) => d.id), `${msg}: ids`);
  want.docs.forEach((w, j) => {
    if (!w.fields) return;
    for (const [k, v] of Object.entries(w.fields)) {
      const g = got.docs[j].fields[k];
      if (typeof v === 'number') assert.ok(Math.abs(Number(g) - v) <= 1e-5 * Math.max(1, v), `${msg}: ${w.id} ${k}: ${g} != ${v}`);
      else assert.equal(String(g), v, `${msg}: ${w.id} ${k}`);
    }
    if (!Object.keys(w.fields).some((k) => k.includes('score') || k === 'dist') && w.fields.title) {
      // Without RETURN every field comes back: the vector bytes too.
      for (const f of ['v', 'h']) assert.ok(f in got.docs[j].fields, `${msg}: ${w.id} lacks ${f}`);
    }
  });
}

/** FT.INFO as the server sends it, by name (nested pairs left as arrays). */
function infoByName(raw) {
  if (!Array.isArray(raw)) return raw; // a RESP3 map, decoded
  const o = {};
  for (let i = 0; i < raw.length; i += 2) o[String(raw[i])] = raw[i + 1];
  return o;
}
const pairs = (a) => {
  const o = {};
  for (let i = 0; i < a.length; i += 2) o[String(a[i])] = Array.isArray(a[i + 1]) && a[i + 1].length % 2 === 0 && a[i + 1].length && typeof a[i + 1][0] === 'string' ? pairs(a[i + 1]) : a[i + 1];
  return o;
};

/** The attributes every client's FT.INFO must describe (as plain objects). */
function checkAttributes(attrs, msg) {
  const obj = (x) => (Array.isArray(x) ? pairs(x) : x);
  const by = Object.fromEntries(attrs.map(obj).map((a) => [String(a.identifier), a]));
  assert.deepEqual(Object.keys(by).sort(), ['h', 'n', 't', 'v'], `${msg}: attribute identifiers`);
  assert.equal(String(by.t.type), 'TAG');
  assert.equal(String(by.n.type), 'NUMERIC');
  for (const f of ['v', 'h']) assert.equal(String(by[f].type), 'VECTOR', `${msg}: ${f} type`);
  const v = obj(by.v.index);
  assert.equal(Number(v.dimensions), 4);
  assert.equal(String(v.distance_metric), 'L2');
  assert.equal(String(v.algorithm.name), 'FLAT');
  assert.equal(Number(v.algorithm.block_size), 64);
  assert.equal(Number(v.capacity), 100);
  const h = obj(by.h.index);
  assert.equal(String(h.distance_metric), 'COSINE');
  assert.equal(String(h.algorithm.name), 'HNSW');
  assert.equal(Number(h.algorithm.m), 8);
  assert.equal(Number(h.algorithm.ef_construction), 50);
  assert.equal(Number(h.algorithm.ef_runtime), 20);
}

// The search commands the clients' helpers can send that Vessel does not
// implement, as [helper, args] per client (node-redis 4 and 6 share names).
const NODE_UNSUPPORTED = [
  ['alter', (i) => [i, { extra: 'TAG' }]],
  ['configGet', () => ['TIMEOUT']],
  ['configSet', () => ['TIMEOUT', '100']],
  ['cursorDel', (i) => [i, 1]],
  ['cursorRead', (i) => [i, 1]],
  ['dictAdd', () => ['d', 'w']],
  ['dictDel', () => ['d', 'w']],
  ['dictDump', () => ['d']],
  ['explain', (i) => [i, '*']],
  ['explainCli', (i) => [i, '*']],
  ['profileSearch', (i) => [i, '*']],
  ['profileAggregate', (i) => [i, '*']],
  ['spellCheck', (i) => [i, 'helo']],
  ['sugAdd', () => ['s', 'hello', 1]],
  ['sugDel', () => ['s', 'hello']],
  ['sugGet', () => ['s', 'he']],
  ['sugGetWithPayloads', () => ['s', 'he']],
  ['sugGetWithScores', () => ['s', 'he']],
  ['sugGetWithScoresWithPayloads', () => ['s', 'he']],
  ['sugLen', () => ['s']],
  ['synDump', (i) => [i]],
  ['synUpdate', (i) => [i, 'g', ['a', 'b']]],
  ['tagVals', (i) => [i, 't']],
];
const NODE6_ONLY_UNSUPPORTED = [
  ['aliasList', (i) => [i]],
];

let srv;
let ref; // Debian's redis-server: the unknown-command texts
let refPort;

async function freePort() {
  const s = net.createServer().listen(0, '127.0.0.1');
  await new Promise((r) => s.once('listening', r));
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return port;
}

before(async () => {
  srv = await startServer();
  if (HAVE_REDIS) {
    refPort = await freePort();
    ref = spawn('redis-server', ['--port', String(refPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    for (let i = 0; i < 100; i++) {
      const ok = await new Promise((r) => net.connect(refPort, '127.0.0.1').once('connect', function () { this.end(); r(true); }).once('error', () => r(false)));
      if (ok) break;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
});

after(async () => {
  await srv?.stop();
  ref?.kill();
});

const CREATE_SCHEMA = (types) => ({
  v: { type: types.VECTOR, ALGORITHM: 'FLAT', TYPE: 'FLOAT32', DIM: 4, DISTANCE_METRIC: 'L2', INITIAL_CAP: 100, BLOCK_SIZE: 64 },
  h: { type: types.VECTOR, ALGORITHM: 'HNSW', TYPE: 'FLOAT32', DIM: 4, DISTANCE_METRIC: 'COSINE', INITIAL_CAP: 100, M: 8, EF_CONSTRUCTION: 50, EF_RUNTIME: 20 },
  t: { type: types.TAG, SEPARATOR: ',' },
  n: { type: types.NUMERIC, SORTABLE: true },
});

const hashOf = (d) => ({ v: f32(d.v), h: f32(d.h), t: d.t, n: d.n, title: d.title });

/** node-redis search options from a scenario step. */
function nodeOptions(s) {
  const o = { LIMIT: { from: s.limit[0], size: s.limit[1] }, DIALECT: s.dialect };
  if (s.params) o.PARAMS = Object.fromEntries(Object.entries(s.params).map(([k, v]) => [k, f32(v)]));
  if (s.return) o.RETURN = s.return;
  if (s.sortby) o.SORTBY = { BY: s.sortby[0], DIRECTION: s.sortby[1] };
  return o;
}

/** node-redis 4 and 6: the whole scenario through the client's helpers. */
async function nodeRedis(createClient, types, label, refClient) {
  const client = createClient({ url: `redis://127.0.0.1:${srv.port}` });
  client.on('error', () => {});
  await client.connect();
  const idx = `${label}-idx`;
  const prefix = `${label}:`;
  try {
    assert.equal(await client.ft.create(idx, CREATE_SCHEMA(types), { ON: 'HASH', PREFIX: prefix }), 'OK');
    for (const [i, d] of DOCS.entries()) await client.hSet(`${prefix}${i}`, hashOf(d));

    // FT.INFO through the helper, against the reply read by name.
    const info = await client.ft.info(idx);
    const raw = infoByName(await client.sendCommand(['FT.INFO', idx]));
    if (label === 'node-redis-4') {
      const byPosition = {
        indexName: 'index_name', indexOptions: 'index_options', numDocs: 'num_docs', maxDocId: 'max_doc_id', numTerms: 'num_terms',
        numRecords: 'num_records', invertedSzMb: 'inverted_sz_mb', vectorIndexSzMb: 'vector_index_sz_mb',
        totalInvertedIndexBlocks: 'total_inverted_index_blocks', offsetVectorsSzMb: 'offset_vectors_sz_mb', docTableSizeMb: 'doc_table_size_mb',
        sortableValuesSizeMb: 'sortable_values_size_mb', keyTableSizeMb: 'key_table_size_mb', recordsPerDocAvg: 'records_per_doc_avg',
        bytesPerRecordAvg: 'bytes_per_record_avg', offsetsPerTermAvg: 'offsets_per_term_avg', offsetBitsPerRecordAvg: 'offset_bits_per_record_avg',
        hashIndexingFailures: 'hash_indexing_failures', indexing: 'indexing', percentIndexed: 'percent_indexed', stopWords: 'stopwords_list',
      };
      for (const [camel, name] of Object.entries(byPosition)) assert.deepEqual(info[camel], raw[name], `node-redis 4 info.${camel} is not ${name}`);
      assert.equal(info.indexName, idx);
      assert.equal(Number(info.numDocs), N);
      assert.equal(Number(info.maxDocId) >= N, true);
      assert.equal(Number(info.numRecords), 4 * N);
      assert.equal(Number(info.recordsPerDocAvg), 4);
      assert.equal(Number(info.hashIndexingFailures), 0);
      assert.equal(Number(info.indexing), 0);
      assert.equal(Number(info.percentIndexed), 1);
      assert.ok(Number(info.vectorIndexSzMb) > 0);
      assert.deepEqual(info.stopWords, []);
      assert.deepEqual(info.indexDefinition.key_type, 'HASH');
      assert.deepEqual(info.indexDefinition.prefixes, [prefix]);
      assert.deepEqual(info.gcStats, { bytesCollected: '0', totalMsRun: '0', totalCycles: '0', averageCycleTimeMs: 'nan', lastRunTimeMs: '0', gcNumericTreesMissed: '0', gcBlocksDenied: '0' });
      assert.deepEqual(info.cursorStats, { globalIdle: 0, globalTotal: 0, indexCapacity: 0, idnexTotal: 0 });
      checkAttributes(info.attributes, label);
    } else {
      // node-redis 6 speaks RESP3 (FT.INFO is a map there); its RESP2 parser reads the pairs by name.
      const c2 = createClient({ url: `redis://127.0.0.1:${srv.port}`, RESP: 2 });
      await c2.connect();
      const info2 = await c2.ft.info(idx);
      await c2.quit();
      assert.equal(info2.index_name, idx);
      assert.equal(info2.num_docs, N);
      assert.equal(info2.max_doc_id, raw.max_doc_id);
      assert.equal(info2.percent_indexed, 1);
      assert.equal(info2.records_per_doc_avg, 4);
      assert.ok(Number.isNaN(info2.offset_bits_per_record_avg));
      assert.ok(info2.vector_index_sz_mb > 0);
      assert.deepEqual(info2.cursor_stats, { global_idle: 0, global_total: 0, index_capacity: 0, index_total: 0 });
      assert.deepEqual(info2.index_definition, { key_type: 'HASH', prefixes: [prefix], default_score: '1', score_field: '' });
      checkAttributes(info2.attributes, `${label} RESP2`);
      assert.equal(info.index_name, idx);
      assert.equal(info.num_docs, N);
      assert.equal(info.num_records, 4 * N);
      assert.equal(info.max_doc_id, raw.max_doc_id);
      assert.equal(info.percent_indexed, '1');
      assert.equal(info.indexing, '0');
      assert.equal(info.hash_indexing_failures, '0');
      assert.ok(info.vector_index_sz_mb > 0);
      assert.deepEqual(info.index_definition, { key_type: 'HASH', prefixes: [prefix], default_score: '1', score_field: '' });
      assert.deepEqual(info.gc_stats.average_cycle_time_ms, 'nan');
      assert.deepEqual(info.cursor_stats, { global_idle: 0, global_total: 0, index_capacity: 0, index_total: 0 });
      checkAttributes(info.attributes, label);
    }

    // FT.SEARCH through the helper.
    for (const s of scenario(prefix)) {
      let got;
      if (s.nocontent) {
        const r = await client.ft.searchNoContent(idx, s.query, nodeOptions(s));
        got = { total: r.total, docs: r.documents.map((id) => ({ id })) };
      } else {
        const r = await client.ft.search(idx, s.query, nodeOptions(s));
        got = { total: r.total, docs: r.documents.map((d) => ({ id: d.id, fields: { ...d.value } })) };
      }
      checkResult(got, s.want, `${label}: ${s.name}`);
    }

    // FT._LIST; FT.DROPINDEX keeps the documents, with DD deletes them.
    assert.ok((await client.ft._list()).includes(idx));
    assert.equal(await client.ft.dropIndex(idx), 'OK');
    assert.ok(!(await client.ft._list()).includes(idx));
    assert.equal(await client.exists(DOCS.map((_, i) => `${prefix}${i}`)), N);
    await client.ft.create(idx, CREATE_SCHEMA(types), { ON: 'HASH', PREFIX: prefix });
    assert.equal(await client.ft.dropIndex(idx, { DD: true }), 'OK');
    assert.equal(await client.exists(DOCS.map((_, i) => `${prefix}${i}`)), 0);
    await assert.rejects(client.ft.dropIndex(idx), { message: `Index with name '${idx}' not found in database 0` });

    // node-redis 6's ft.hybrid (FT.HYBRID, Redis 8.4) reads Vessel's reply
    // map: the same rows, keys and scores as the raw command.
    if (label === 'node-redis-6') {
      const hy = `${label}-hybrid`;
      await client.ft.create(hy, { v: { type: types.VECTOR, ALGORITHM: 'FLAT', TYPE: 'FLOAT32', DIM: 2, DISTANCE_METRIC: 'L2' },
        body: types.TEXT }, { ON: 'HASH', PREFIX: 'hy:' });
      const vec = (x, y) => Buffer.from(new Float32Array([x, y]).buffer);
      await client.hSet('hy:1', { v: vec(0, 0), body: 'hello world' });
      await client.hSet('hy:2', { v: vec(1, 0), body: 'hello hello there' });
      await client.hSet('hy:3', { v: vec(0, 1), body: 'nothing here' });
      const opts = {
        SEARCH: { query: 'hello', YIELD_SCORE_AS: 'ts' },
        VSIM: { field: '@v', vector: '$q', method: { type: 'KNN', K: 3 }, YIELD_SCORE_AS: 'vs' },
        COMBINE: { method: { type: 'RRF', CONSTANT: 60, WINDOW: 10 }, YIELD_SCORE_AS: 'fused' },
        LOAD: ['@__key', '@body'],
        PARAMS: { q: vec(0.9, 0.1) },
      };
      const got = await client.ft.hybrid(hy, opts);
      const raw = await client.sendCommand(['FT.HYBRID', hy, 'SEARCH', 'hello', 'YIELD_SCORE_AS', 'ts', 'VSIM', '@v', '$q',
        'KNN', '2', 'K', '3', 'YIELD_SCORE_AS', 'vs', 'COMBINE', 'RRF', '6', 'WINDOW', '10', 'CONSTANT', '60',
        'YIELD_SCORE_AS', 'fused', 'LOAD', '2', '@__key', '@body', 'PARAMS', '2', 'q', vec(0.9, 0.1)]);
      // node-redis 6 hands even a raw RESP2 map-shaped reply back as an object.
      const pairs = (a) => (Array.isArray(a) ? Object.fromEntries(Array.from({ length: a.length / 2 }, (_, i) => [String(a[2 * i]), a[2 * i + 1]])) : a);
      const map = pairs(raw);
      assert.equal(got.totalResults, Number(map.total_results));
      assert.equal(got.totalResults, 3);
      const rows = map.results.map(pairs);
      assert.deepEqual(got.results.map((d) => d.__key), rows.map((r) => r.__key));
      assert.deepEqual(got.results.map((d) => d.__key), ['hy:2', 'hy:1', 'hy:3']); // in both lists, nearest; in both; vector only
      assert.deepEqual(got.results.map((d) => Number(d.fused)), rows.map((r) => Number(r.fused)));
      assert.ok(Math.abs(Number(got.results[0].fused) - 2 / 61) < 1e-12); // printed with 12 digits
      assert.equal(got.results[0].body, 'hello hello there');
      assert.ok(Number(got.results[0].ts) > Number(got.results[1].ts)); // two hellos score higher
      assert.deepEqual(got.warnings, []);
      await client.ft.dropIndex(hy, { DD: true });
    }

    // FT.AGGREGATE and the aliases through the client's own helpers and reply
    // parsers (node-redis 6 reads RESP3's map, node-redis 4 the RESP2 array).
    const ag = `${label}-agg`;
    await client.ft.create(ag, { t: types.TAG, n: types.NUMERIC }, { ON: 'HASH', PREFIX: `${prefix}agg:` });
    for (const [i, t, n] of [[1, 'a', 1], [2, 'a', 3], [3, 'b', 5]]) await client.hSet(`${prefix}agg:${i}`, { t, n: String(n) });
    const agg = await client.ft.aggregate(ag, '*', {
      LOAD: ['@t', '@n'],
      STEPS: [
        { type: 'GROUPBY', properties: '@t', REDUCE: [{ type: 'COUNT', AS: 'c' }, { type: 'SUM', property: '@n', AS: 's' }] },
        { type: 'SORTBY', BY: { BY: '@s', DIRECTION: 'DESC' } },
        { type: 'APPLY', expression: 'upper(@t)', AS: 'up' },
      ],
    });
    assert.equal(agg.total, 2, `${label} ft.aggregate total`);
    assert.deepEqual(agg.results.map((r) => ({ ...r })), [{ t: 'b', c: '1', s: '5', up: 'B' }, { t: 'a', c: '2', s: '4', up: 'A' }], `${label} ft.aggregate rows`);
    const cursorErr = await client.ft.aggregateWithCursor(ag, '*', { COUNT: 1 }).then(() => null, (e) => e.message);
    assert.equal(cursorErr, 'Unexpected argument `WITHCURSOR`'); // valkey-search has no cursors
    assert.equal(await client.ft.aliasAdd('al', ag), 'OK');
    assert.equal((await client.ft.search('al', '@t:{a}')).total, 2);
    assert.equal(await client.ft.aliasUpdate('al', ag), 'OK');
    if (label === 'node-redis-4') {
      // node-redis 4's aliasDel sends the index as well, which RediSearch refuses too.
      await assert.rejects(client.ft.aliasDel('al', ag), /wrong number of arguments for 'FT\.ALIASDEL' command/);
      assert.equal(await client.sendCommand(['FT.ALIASDEL', 'al']), 'OK');
    } else {
      assert.equal(await client.ft.aliasDel('al'), 'OK');
    }
    await client.ft.dropIndex(ag, { DD: true });

    // Every helper for a command Vessel lacks: an error, Redis's text.
    await client.ft.create(idx, { t: types.TAG }, { ON: 'HASH', PREFIX: prefix });
    const list = label === 'node-redis-6' ? [...NODE_UNSUPPORTED, ...NODE6_ONLY_UNSUPPORTED] : NODE_UNSUPPORTED;
    for (const [name, args] of list) {
      assert.equal(typeof client.ft[name], 'function', `${label} has no ft.${name}`);
      const err = await client.ft[name](...args(idx)).then((v) => assert.fail(`${label} ft.${name} answered ${JSON.stringify(v)}`), (e) => e);
      assert.match(err.message, /^ERR unknown command 'FT\.[A-Z_]+', with args beginning with: /, `${label} ft.${name}`);
      if (refClient) {
        const want = await refClient.ft[name](...args(idx)).then(() => null, (e) => e.message);
        assert.equal(err.message, want, `${label} ft.${name}: not redis-server's text`);
      }
    }
    assert.equal(await client.ping(), 'PONG'); // the connection is still in step
    await client.ft.dropIndex(idx);
  } finally {
    await client.quit();
  }
}

async function refClientOf(createClient) {
  if (!HAVE_REDIS) return null;
  const c = createClient({ url: `redis://127.0.0.1:${refPort}` });
  c.on('error', () => {});
  await c.connect();
  return c;
}

test('node-redis 4 (LangChain.js pins it): schema helpers, FT.INFO read by position, search helpers, drops, unsupported helpers', async () => {
  const { createClient, SchemaFieldTypes } = await import('redis4');
  const refc = await refClientOf(createClient);
  try {
    await nodeRedis(createClient, SchemaFieldTypes, 'node-redis-4', refc);
  } finally {
    await refc?.quit();
  }
});

test('node-redis 6: schema helpers, FT.INFO, search helpers, drops, unsupported helpers', async () => {
  const { createClient, SCHEMA_FIELD_TYPE } = await import('redis');
  const refc = await refClientOf(createClient);
  try {
    await nodeRedis(createClient, SCHEMA_FIELD_TYPE, 'node-redis-6', refc);
  } finally {
    await refc?.quit();
  }
});

/** ioredis has no search helpers: raw commands, replies parsed here (binary-safe). */
test('ioredis: FT.CREATE / FT.INFO / FT.SEARCH / FT.DROP with raw replies, errors as ReplyErrors', async () => {
  const { default: Redis } = await import('ioredis');
  const r = new Redis({ port: srv.port, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0 });
  await r.connect();
  const refr = HAVE_REDIS ? new Redis({ port: refPort, host: '127.0.0.1', lazyConnect: true, maxRetriesPerRequest: 0 }) : null;
  await refr?.connect();
  const idx = 'ioredis-idx';
  const prefix = 'ioredis:';
  try {
    assert.equal(await r.call('FT.CREATE', idx, 'ON', 'HASH', 'PREFIX', '1', prefix, 'SCHEMA',
      'v', 'VECTOR', 'FLAT', '10', 'TYPE', 'FLOAT32', 'DIM', '4', 'DISTANCE_METRIC', 'L2', 'INITIAL_CAP', '100', 'BLOCK_SIZE', '64',
      'h', 'VECTOR', 'HNSW', '14', 'TYPE', 'FLOAT32', 'DIM', '4', 'DISTANCE_METRIC', 'COSINE', 'INITIAL_CAP', '100', 'M', '8', 'EF_CONSTRUCTION', '50', 'EF_RUNTIME', '20',
      't', 'TAG', 'SEPARATOR', ',', 'n', 'NUMERIC', 'SORTABLE'), 'OK');
    for (const [i, d] of DOCS.entries()) await r.hset(`${prefix}${i}`, hashOf(d));
    const info = infoByName(await r.call('FT.INFO', idx));
    assert.equal(info.index_name, idx);
    assert.equal(info.num_docs, N);
    checkAttributes(info.attributes.map(pairs), 'ioredis');

    for (const s of scenario(prefix)) {
      const args = ['FT.SEARCH', idx, s.query];
      if (s.nocontent) args.push('NOCONTENT');
      if (s.return) args.push('RETURN', String(s.return.length), ...s.return);
      if (s.sortby) args.push('SORTBY', ...s.sortby);
      args.push('LIMIT', ...s.limit.map(String));
      if (s.params) args.push('PARAMS', String(2 * Object.keys(s.params).length), ...Object.entries(s.params).flatMap(([k, v]) => [k, f32(v)]));
      args.push('DIALECT', String(s.dialect));
      const reply = await r.callBuffer(...args);
      const docs = [];
      for (let i = 1; i < reply.length; i += s.nocontent ? 1 : 2) {
        const fields = {};
        if (!s.nocontent) for (let j = 0; j < reply[i + 1].length; j += 2) fields[reply[i + 1][j].toString()] = reply[i + 1][j + 1];
        docs.push({ id: reply[i].toString(), fields: Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, k === 'v' || k === 'h' ? v : v.toString()])) });
      }
      checkResult({ total: reply[0], docs }, s.want, `ioredis: ${s.name}`);
      // The vector bytes come back as written.
      for (const d of docs) if (d.fields.v) assert.deepEqual(d.fields.v, f32(DOCS[Number(d.id.slice(prefix.length))].v));
    }

    // FT.DROP (RediSearch's legacy form): KEEPDOCS keeps, otherwise deleted.
    const keys = DOCS.map((_, i) => `${prefix}${i}`);
    await assert.rejects(r.call('FT.DROP', idx, 'KEEPDOC'), { name: 'ReplyError', message: 'Unexpected argument `KEEPDOC`' });
    await assert.rejects(r.call('FT.DROP', 'nosuch'), { message: "Index with name 'nosuch' not found in database 0" });
    await assert.rejects(r.call('FT.DROP'), { message: "ERR wrong number of arguments for 'FT.DROP' command" });
    assert.deepEqual(await r.call('FT._LIST'), [idx]);
    assert.equal(await r.call('FT.DROP', idx, 'KEEPDOCS'), 'OK');
    assert.equal(await r.exists(...keys), N);
    await r.call('FT.CREATE', idx, 'ON', 'HASH', 'PREFIX', '1', prefix, 'SCHEMA', 't', 'TAG');
    assert.equal(await r.call('FT.DROP', idx), 'OK');
    assert.equal(await r.exists(...keys), 0);
    assert.deepEqual(await r.call('FT._LIST'), []);

    // Commands no client of these has helpers for, and every command name
    // the helpers of the others send: unknown, with Redis's exact text.
    const missing = await r.call('FT.AGGREGATE', idx, '*').then(() => null, (e) => e);
    assert.equal(missing.name, 'ReplyError');
    assert.equal(missing.message, `Index with name '${idx}' not found in database 0`);
    const names = ['FT.ALIASLIST', 'FT.ALTER', 'FT.CONFIG', 'FT.CURSOR',
      'FT.DICTADD', 'FT.DICTDEL', 'FT.DICTDUMP', 'FT.EXPLAIN', 'FT.EXPLAINCLI', 'FT.PROFILE', 'FT.SPELLCHECK', 'FT.SUGADD', 'FT.SUGDEL',
      'FT.SUGGET', 'FT.SUGLEN', 'FT.SYNDUMP', 'FT.SYNUPDATE', 'FT.TAGVALS', 'FT.ADD', 'FT.ADDHASH', 'FT.DEL', 'FT.GET', 'FT.MGET'];
    for (const name of names) {
      const args = [name, idx, '*', f32([1, 2, 3, 4])];
      const err = await r.call(...args).then((v) => assert.fail(`${name} answered ${v}`), (e) => e);
      assert.equal(err.name, 'ReplyError');
      assert.ok(err.message.startsWith(`ERR unknown command '${name}', with args beginning with: `), err.message);
      if (refr) assert.equal(err.message, await refr.call(...args).then(() => null, (e) => e.message), name);
    }
    assert.equal(await r.ping(), 'PONG');
  } finally {
    r.disconnect();
    refr?.disconnect();
  }
});

test('redis-py 4.3: create_index with field classes, info(), search(Query) with query_params, dropindex (FT.DROP), unsupported helpers',
  { skip: !HAVE_PY && 'python3-redis is not installed' }, async () => {
    const prefix = 'py:';
    const input = JSON.stringify({
      port: srv.port, ref: HAVE_REDIS ? refPort : null, prefix, docs: DOCS,
      scenario: scenario(prefix).map(({ want, name, ...s }) => s),
    });
    const run = spawnSync(PY, [PY_SCRIPT], { input, encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    const out = JSON.parse(run.stdout);
    assert.equal(out.create, 'OK');
    assert.equal(out.info.index_name, 'py-idx');
    assert.equal(out.info.num_docs, N);
    assert.equal(out.info.num_records, 4 * N);
    assert.equal(out.info.percent_indexed, '1');
    assert.deepEqual(out.info.index_definition, ['key_type', 'HASH', 'prefixes', [prefix], 'default_score', '1', 'score_field', '']);
    checkAttributes(out.info.attributes.map(pairs), 'redis-py');
    scenario(prefix).forEach((s, j) => checkResult(out.search[j], s.want, `redis-py: ${s.name}`));
    assert.ok(out.list_before.includes('py-idx'));
    assert.deepEqual(out.dropindex_keep, { reply: 'OK', exists: N, listed: false });
    assert.deepEqual(out.dropindex_delete, { reply: 'OK', exists: 0, listed: false });
    assert.deepEqual(out.aggregate, [['t', 'b', 'c', '1', 's', '5'], ['t', 'a', 'c', '2', 's', '4']]);
    assert.deepEqual([out.aliasadd, out.alias_search, out.aliasupdate, out.aliasdel], ['OK', 2, 'OK', 'OK']);
    assert.ok(out.unsupported.length >= 18);
    for (const u of out.unsupported) {
      assert.equal(u.error_class, 'ResponseError', `redis-py ${u.helper}`);
      // (redis-py's pipeline-sent helpers, sugadd, prefix the command: "Command # 1 (FT.SUGADD ...) of pipeline caused error: ")
      assert.match(u.error, /^(Command # 1 \(FT\.[A-Z]+ .*\) of pipeline caused error: )?unknown command 'FT\.[A-Z_]+', with args beginning with: /, `redis-py ${u.helper}`);
      if (HAVE_REDIS) assert.equal(u.error, u.ref_error, `redis-py ${u.helper}: not redis-server's text`);
    }
    assert.equal(out.ping, true);
  });
