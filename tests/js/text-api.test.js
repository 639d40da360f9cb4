// text-api.test.js - the JS API's text search and FT.HYBRID: the argument
// builders (exact argument lists), the reply parsers (RESP2 and RESP3
// shapes), and, on seeded random documents, search() and hybrid() against
// the same commands sent through db.command, plus a brute-force model of
// which documents a text query matches and of their BM25STD scores.
//
//   node --test tests/js/text-api.test.js      (SEED=n for one seed)
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { open, ReplyError } from '../../js/index.js';
import { createArgs, HYBRID_VECTOR_PARAM, hybridArgs, parseHybrid, parseSearch, searchArgs } from '../../js/search.js';
import { prng, seedList } from './helpers.js';

const enc = new TextEncoder();
const f32 = (a) => new Float32Array(a);

// ---- builders ------------------------------------------------------------------

test('createIndex: TEXT field options and the index text options, in valkey-search order', () => {
  assert.deepEqual(
    createArgs('i', {
      prefix: 'doc:',
      language: 'ENGLISH',
      skipInitialScan: true,
      minStemSize: 5,
      withOffsets: false,
      stopwords: ['foo', 'bar'],
      punctuation: ',.',
      schema: {
        title: { type: 'TEXT', noStem: true, withSuffixTrie: true, weight: 2, sortable: true },
        body: { type: 'text', withSuffixTrie: false },
        raw: 'TEXT',
        n: { type: 'NUMERIC', sortable: true },
      },
    }),
    ['i', 'ON', 'HASH', 'PREFIX', 1, 'doc:', 'LANGUAGE', 'ENGLISH', 'SKIPINITIALSCAN', 'MINSTEMSIZE', 5, 'NOOFFSETS',
      'STOPWORDS', 2, 'foo', 'bar', 'PUNCTUATION', ',.', 'SCHEMA',
      'title', 'TEXT', 'NOSTEM', 'WITHSUFFIXTRIE', 'WEIGHT', 2, 'SORTABLE', 'body', 'TEXT', 'NOSUFFIXTRIE', 'raw', 'TEXT',
      'n', 'NUMERIC', 'SORTABLE'],
  );
  assert.deepEqual(createArgs('i', { stopwords: false, withOffsets: true, schema: { t: 'TEXT' } }),
    ['i', 'ON', 'HASH', 'WITHOFFSETS', 'NOSTOPWORDS', 'SCHEMA', 't', 'TEXT']);
  assert.deepEqual(createArgs('i', { stopwords: [], schema: { t: 'TEXT' } }), ['i', 'ON', 'HASH', 'NOSTOPWORDS', 'SCHEMA', 't', 'TEXT']);
  assert.throws(() => createArgs('i', { stopwords: 'the', schema: { t: 'TEXT' } }), TypeError);
});

test('search: the text options become FT.SEARCH arguments', () => {
  assert.deepEqual(searchArgs('i', 'hello'), ['i', 'hello', 'DIALECT', 2]);
  assert.deepEqual(
    searchArgs('i', '"a b"', { noContent: true, withScores: true, scorer: 'TFIDF', verbatim: true, inOrder: true, slop: 2, limit: [0, 5] }),
    ['i', '"a b"', 'NOCONTENT', 'WITHSCORES', 'SCORER', 'TFIDF', 'VERBATIM', 'INORDER', 'SLOP', 2, 'LIMIT', 0, 5, 'DIALECT', 2],
  );
  assert.deepEqual(searchArgs('i', 'x', { slop: 0 }), ['i', 'x', 'SLOP', 0, 'DIALECT', 2]);
});

test('hybrid: Redis 8.4 FT.HYBRID arguments', () => {
  const v = f32([1, 2]);
  let { args, names } = hybridArgs('i', { search: 'hello', vsim: { field: 'v', vector: v } });
  assert.deepEqual(args, ['i', 'SEARCH', 'hello', 'VSIM', '@v', `$${HYBRID_VECTOR_PARAM}`, 'PARAMS', 2, HYBRID_VECTOR_PARAM, v]);
  assert.deepEqual(names, { score: '__score', text: undefined, vector: undefined });

  ({ args, names } = hybridArgs('i', {
    search: { query: '@t:cat', scorer: 'BM25', yieldScoreAs: 'ts' },
    vsim: { field: '@v', vector: '$q', knn: { k: 7, efRuntime: 40 }, filter: '@tag:{x}', yieldScoreAs: 'vs' },
    combine: { method: 'rrf', constant: 30, window: 50, yieldScoreAs: 'fused' },
    load: ['t', { field: 'tag', as: 'g' }],
    sortBy: [{ field: 'n', direction: 'desc' }, 't'],
    limit: { offset: 2, count: 3 },
    params: { q: v },
    timeout: 100,
  }));
  assert.deepEqual(args, ['i', 'SEARCH', '@t:cat', 'SCORER', 'BM25', 'YIELD_SCORE_AS', 'ts',
    'VSIM', '@v', '$q', 'KNN', 4, 'K', 7, 'EF_RUNTIME', 40, 'FILTER', '@tag:{x}', 'YIELD_SCORE_AS', 'vs',
    'COMBINE', 'RRF', 6, 'CONSTANT', 30, 'WINDOW', 50, 'YIELD_SCORE_AS', 'fused',
    'LOAD', 5, '@t', '@tag', 'AS', 'g', '@__key',
    'SORTBY', 3, '@n', 'DESC', '@t', 'LIMIT', 2, 3, 'PARAMS', 2, 'q', v, 'TIMEOUT', 100]);
  assert.deepEqual(names, { score: 'fused', text: 'ts', vector: 'vs' });

  ({ args } = hybridArgs('i', {
    search: { query: 'x' },
    vsim: { field: 'v', vector: 'q', range: { radius: 0.5, epsilon: 0.1 } },
    combine: { method: 'LINEAR', alpha: 0.6, beta: 0.4, window: 10 },
    load: '*',
    noSort: true,
  }));
  assert.deepEqual(args, ['i', 'SEARCH', 'x', 'VSIM', '@v', '$q', 'RANGE', 4, 'RADIUS', 0.5, 'EPSILON', 0.1,
    'COMBINE', 'LINEAR', 6, 'ALPHA', 0.6, 'BETA', 0.4, 'WINDOW', 10, 'LOAD', 2, '@__key', '@__score', 'NOSORT']);
  // k / efRuntime shorthand; LOAD gets __key and __score when not asked for.
  ({ args } = hybridArgs('i', { search: 'x', vsim: { field: 'v', vector: '$q', k: 3 }, load: ['t'] }));
  assert.deepEqual(args, ['i', 'SEARCH', 'x', 'VSIM', '@v', '$q', 'KNN', 2, 'K', 3, 'LOAD', 3, '@t', '@__key', '@__score']);
  // Bad options are TypeErrors before anything is sent.
  assert.throws(() => hybridArgs('i', { vsim: { field: 'v', vector: '$q' } }), TypeError);
  assert.throws(() => hybridArgs('i', { search: 'x' }), TypeError);
  assert.throws(() => hybridArgs('i', { search: 'x', vsim: { field: 'v' } }), TypeError);
  assert.throws(() => hybridArgs('i', { search: 'x', vsim: { field: 'v', vector: '$q', k: 1, range: { radius: 1 } } }), TypeError);
  assert.throws(() => hybridArgs('i', { search: 'x', vsim: { field: 'v', vector: '$q' }, combine: { method: 'MAX' } }), TypeError);
});

// ---- parsers -------------------------------------------------------------------

test('parseSearch: WITHSCORES puts a score after each key (with and without content)', () => {
  const b = (s) => enc.encode(s);
  const r = parseSearch([2, b('a'), b('1.5'), [b('t'), b('hi')], b('b'), b('0.25'), [b('t'), b('yo')]], { withScores: true });
  assert.deepEqual(r, { total: 2, results: [{ key: 'a', score: 1.5, fields: { t: 'hi' } }, { key: 'b', score: 0.25, fields: { t: 'yo' } }] });
  const n = parseSearch([2, b('a'), b('3'), b('b'), b('2')], { withScores: true, noContent: true });
  assert.deepEqual(n.results, [{ key: 'a', score: 3, fields: {} }, { key: 'b', score: 2, fields: {} }]);
  // With WITHSCORES a KNN score field stays among the fields.
  const k = parseSearch([1, b('a'), b('0.5'), [b('__v_score'), b('4')]], { withScores: true, score: '__v_score' });
  assert.deepEqual(k.results, [{ key: 'a', score: 0.5, fields: { __v_score: '4' } }]);
});

test('parseHybrid: the reply map, RESP2 (flat) and RESP3 (Map)', () => {
  const b = (s) => enc.encode(s);
  const names = { score: '__score', text: 'ts', vector: 'vs' };
  const flat = ['total_results', 2, 'results', [
    [b('__key'), b('k1'), b('__score'), b('0.5'), b('ts'), b('2.5'), b('title'), b('hello')],
    [b('__key'), b('k2'), b('__score'), b('0.25'), b('vs'), b('0.9')],
  ], 'warnings', ['w1'], 'execution_time', b('0.125')];
  const want = {
    total: 2,
    results: [
      { key: 'k1', score: 0.5, textScore: 2.5, fields: { title: 'hello' } },
      { key: 'k2', score: 0.25, vectorScore: 0.9, fields: {} },
    ],
    warnings: ['w1'],
    executionTime: 0.125,
  };
  assert.deepEqual(parseHybrid(flat, { names }), want);
  const resp3 = new Map([['total_results', 2], ['results', [
    new Map([['__key', 'k1'], ['__score', 0.5], ['ts', 2.5], ['title', 'hello']]),
    new Map([['__key', 'k2'], ['__score', 0.25], ['vs', 0.9]]),
  ]], ['warnings', ['w1']], ['execution_time', 0.125]]);
  assert.deepEqual(parseHybrid(resp3, { names }), want);
  // A COMBINE alias is the score.
  const aliased = parseHybrid(['total_results', 1, 'results', [[b('__key'), b('k'), b('f'), b('1')]]], { names: { score: 'f' } });
  assert.equal(aliased.results[0].score, 1);
});

// ---- against the engine --------------------------------------------------------

const VOCAB = ['apple', 'banana', 'cherry', 'date', 'elder', 'fig', 'grape', 'honeydew', 'kiwi', 'lemon', 'mango',
  'nectarine', 'olive', 'papaya', 'quince', 'raspberry', 'apricot', 'applesauce', 'bandana', 'cherub'];

/** Seeded documents: a few words each (NOSTEM, no stop words), a tag, a 4-d vector. */
function corpus(r, n) {
  const docs = [];
  for (let i = 0; i < n; i++) {
    const len = 1 + r.int(8);
    const words = Array.from({ length: len }, () => VOCAB[Math.min(VOCAB.length - 1, Math.floor(VOCAB.length * r() * r()))]);
    docs.push({ key: `doc:${i}`, words, tag: r.pick(['red', 'green', 'blue']), vec: f32([r(), r(), r(), r()]) });
  }
  return docs;
}

async function loaded(docs) {
  const db = await open();
  await db.createIndex('idx', {
    prefix: 'doc:',
    schema: { body: { type: 'TEXT', noStem: true }, tag: 'TAG', vec: { type: 'VECTOR', algorithm: 'FLAT', dim: 4, distance: 'L2' } },
  });
  for (const d of docs) await db.hset(d.key, { body: d.words.join(' '), tag: d.tag, vec: d.vec });
  await db.indexReady('idx');
  return db;
}

/** BM25STD of the documents matching every clause (k1 1.2, b 0.75).  A
 * clause is a word or a prefix `pre*`; a prefix adds one contribution per
 * matching word the document holds (that word's own tf and idf), as
 * RediSearch sums a union's children. */
function bm25(docs, clauses) {
  const N = docs.length;
  const avgdl = docs.reduce((a, d) => a + d.words.length, 0) / N;
  const score = new Map();
  const hits = (c, x) => (c.endsWith('*') ? x.startsWith(c.slice(0, -1)) : x === c);
  for (const d of docs) {
    let s = 0;
    let all = true;
    for (const c of clauses) {
      const held = [...new Set(d.words.filter((x) => hits(c, x)))];
      if (!held.length) {
        all = false;
        break;
      }
      for (const w of held) {
        const tf = d.words.filter((x) => x === w).length;
        const n = docs.filter((x) => x.words.includes(w)).length;
        const idf = Math.log(1 + (N - n + 0.5) / (n + 0.5));
        s += (idf * tf * 2.2) / (tf + 1.2 * (0.25 + (0.75 * d.words.length) / avgdl));
      }
    }
    if (all) score.set(d.key, s);
  }
  return score;
}

const close = (a, b) => Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(b));

for (const seed of seedList('TEXT_API_SEEDS', 3)) {
  test(`search(): text queries match db.command and a brute-force model (seed ${seed})`, async () => {
    const r = prng(seed);
    const docs = corpus(r, 60);
    const db = await loaded(docs);
    try {
      for (let q = 0; q < 40; q++) {
        // Some clauses are prefixes that expand to several words (ap*: apple,
        // apricot, applesauce; ch*: cherry, cherub; ba*: banana, bandana).
        const clause = () => (r() < 0.3 ? r.pick(['ap*', 'app*', 'ch*', 'ba*', 'a*']) : r.pick(VOCAB));
        const words = [...new Set([clause(), ...(r() < 0.4 ? [clause()] : [])])];
        const query = words.join(' ');
        const got = await db.search('idx', query, { withScores: true, noContent: true, limit: [0, 100] });
        const raw = await db.command('FT.SEARCH', 'idx', query, 'WITHSCORES', 'NOCONTENT', 'LIMIT', '0', '100', 'DIALECT', '2');
        // The API's rows are the command's reply, parsed.
        assert.equal(got.total, raw[0], `seed ${seed} ${query}`);
        assert.deepEqual(got.results.map((x) => [x.key, x.score]), Array.from({ length: (raw.length - 1) / 2 }, (_, i) => [raw[1 + 2 * i], Number(raw[2 + 2 * i])]));
        // Which documents match, with which scores, best first.
        const model = bm25(docs, words);
        assert.deepEqual(new Set(got.results.map((x) => x.key)), new Set(model.keys()), `seed ${seed} ${query}: matches`);
        for (const x of got.results) assert.ok(close(x.score, model.get(x.key)), `seed ${seed} ${query}: ${x.key} ${x.score} vs ${model.get(x.key)}`);
        for (let i = 1; i < got.results.length; i++) assert.ok(got.results[i - 1].score >= got.results[i].score - 1e-12, `seed ${seed} ${query}: order`);
      }
    } finally {
      await db.close();
    }
  });
}

test('search(): scorer, verbatim, inOrder, slop, return and prefixes reach FT.SEARCH as db.command sends them', async () => {
  const r = prng(11);
  const docs = corpus(r, 80);
  const db = await loaded(docs);
  try {
    const cases = [
      ['apple', { scorer: 'TFIDF', withScores: true }, ['SCORER', 'TFIDF', 'WITHSCORES']],
      ['apple', { scorer: 'BM25', withScores: true, return: ['tag'] }, ['SCORER', 'BM25', 'WITHSCORES', 'RETURN', '1', 'tag']],
      ['apple banana', { slop: 1, inOrder: true, withScores: true }, ['SLOP', '1', 'INORDER', 'WITHSCORES']],
      ['"apple banana"', { verbatim: true }, ['VERBATIM']],
      ['app*', { withScores: true, limit: [0, 50] }, ['WITHSCORES', 'LIMIT', '0', '50']],
      ['(cherry|fig) @tag:{red}', { withScores: true, scorer: 'DOCSCORE' }, ['WITHSCORES', 'SCORER', 'DOCSCORE']],
      ['-apple', { noContent: true, limit: [0, 100] }, ['NOCONTENT', 'LIMIT', '0', '100']],
    ];
    for (const [query, opts, raw] of cases) {
      const got = await db.search('idx', query, opts);
      const reply = await db.command('FT.SEARCH', 'idx', query, ...raw, 'DIALECT', '2');
      const ws = !!opts.withScores;
      const nc = !!opts.noContent;
      const step = 1 + (ws ? 1 : 0) + (nc ? 0 : 1);
      const want = [];
      for (let i = 1; i < reply.length; i += step) {
        const row = { key: reply[i], fields: {} };
        if (ws) row.score = Number(reply[i + 1]);
        if (!nc) {
          const f = reply[i + step - 1];
          for (let j = 0; j < f.length; j += 2) if (!(f[j] === 'vec')) row.fields[f[j]] = f[j + 1];
        }
        want.push(row);
      }
      assert.equal(got.total, reply[0], query);
      const strip = (rows) => rows.map((x) => ({ ...x, fields: Object.fromEntries(Object.entries(x.fields).filter(([k]) => k !== 'vec')) }));
      assert.deepEqual(strip(got.results), want, query);
    }
    // The prefix query's matches: every document with a word starting "app".
    const pre = await db.search('idx', 'app*', { noContent: true, limit: [0, 100] });
    assert.deepEqual(new Set(pre.results.map((x) => x.key)), new Set(docs.filter((d) => d.words.some((w) => w.startsWith('app'))).map((d) => d.key)));
  } finally {
    await db.close();
  }
});

test('search(): bad text queries reject with the engine error and change nothing', async () => {
  const db = await loaded(corpus(prng(5), 20));
  try {
    const before = await db.dbsize();
    for (const [q, o] of [['@nosuch:apple', {}], ['@body:(apple', {}], ['apple', { scorer: 'NOSUCH' }], ['apple', { slop: -1 }],
      ['x'.repeat(200), {}]]) {
      await assert.rejects(db.search('idx', q, o), (e) => e instanceof ReplyError && e.message.length > 0, q);
    }
    assert.equal(await db.dbsize(), before);
  } finally {
    await db.close();
  }
});

test('hybrid(): every option form parses the FT.HYBRID reply db.command gets', async () => {
  const r = prng(21);
  const docs = corpus(r, 60);
  const db = await loaded(docs);
  try {
    const q = f32([0.5, 0.5, 0.5, 0.5]);
    const cases = [
      [{ search: 'apple', vsim: { field: 'vec', vector: q } },
        ['SEARCH', 'apple', 'VSIM', '@vec', '$q'], { score: '__score' }],
      [{ search: { query: 'apple banana', yieldScoreAs: 'ts' }, vsim: { field: 'vec', vector: '$q', k: 5, yieldScoreAs: 'vs' }, limit: [0, 20] },
        ['SEARCH', 'apple banana', 'YIELD_SCORE_AS', 'ts', 'VSIM', '@vec', '$q', 'KNN', '2', 'K', '5', 'YIELD_SCORE_AS', 'vs', 'LIMIT', '0', '20'],
        { score: '__score', text: 'ts', vector: 'vs' }],
      [{ search: { query: 'cherry', scorer: 'TFIDF' }, vsim: { field: 'vec', vector: '$q', knn: { k: 8, efRuntime: 20 }, filter: '@tag:{red}' },
        combine: { method: 'LINEAR', alpha: 0.7, beta: 0.3, yieldScoreAs: 'fused' }, load: ['tag', { field: 'body', as: 'b' }] },
        ['SEARCH', 'cherry', 'SCORER', 'TFIDF', 'VSIM', '@vec', '$q', 'KNN', '4', 'K', '8', 'EF_RUNTIME', '20', 'FILTER', '@tag:{red}',
          'COMBINE', 'LINEAR', '6', 'ALPHA', '0.7', 'BETA', '0.3', 'YIELD_SCORE_AS', 'fused', 'LOAD', '5', '@tag', '@body', 'AS', 'b', '@__key'],
        { score: 'fused' }],
      [{ search: 'fig', vsim: { field: 'vec', vector: '$q', range: { radius: 0.6 } }, combine: { method: 'RRF', constant: 10, window: 30 },
        sortBy: { field: 'tag', direction: 'ASC' }, load: ['tag'] },
        ['SEARCH', 'fig', 'VSIM', '@vec', '$q', 'RANGE', '2', 'RADIUS', '0.6', 'COMBINE', 'RRF', '4', 'CONSTANT', '10', 'WINDOW', '30',
          'LOAD', '3', '@tag', '@__key', '@__score', 'SORTBY', '2', '@tag', 'ASC'], { score: '__score' }],
    ];
    for (const [opts, raw, names] of cases) {
      const got = await db.hybrid('idx', { ...opts, params: { q } });
      const reply = await db.command('FT.HYBRID', 'idx', ...raw, 'PARAMS', '2', 'q', q);
      const map = Object.fromEntries(Array.from({ length: reply.length / 2 }, (_, i) => [reply[2 * i], reply[2 * i + 1]]));
      assert.equal(got.total, map.total_results);
      assert.deepEqual(got.warnings, map.warnings);
      assert.equal(got.results.length, map.results.length);
      map.results.forEach((row, i) => {
        const want = { fields: {} };
        for (let j = 0; j < row.length; j += 2) {
          const [k, v] = [row[j], row[j + 1]];
          if (k === '__key') want.key = v;
          else if (k === names.score || k === '__score') want.score = Number(v);
          else if (k === names.text) want.textScore = Number(v);
          else if (k === names.vector) want.vectorScore = Number(v);
          else want.fields[k] = v;
        }
        assert.deepEqual({ ...got.results[i] }, { score: undefined, ...want }, JSON.stringify(raw));
        assert.equal(typeof got.results[i].key, 'string');
        assert.equal(typeof got.results[i].score, 'number');
      });
    }
    // load: '*': every row has its key, its score and its whole hash (Redis's
    // LOAD * rows carry no key, so the API reads the hashes).
    const all = await db.hybrid('idx', { search: 'apple', vsim: { field: 'vec', vector: q, k: 5 }, load: '*', vectors: true });
    const plain = await db.hybrid('idx', { search: 'apple', vsim: { field: 'vec', vector: q, k: 5 } });
    assert.ok(all.results.length > 0);
    assert.deepEqual(all.results.map((x) => [x.key, x.score]), plain.results.map((x) => [x.key, x.score]));
    for (const row of all.results) {
      const h = await db.hgetall(row.key);
      assert.deepEqual(Object.keys(row.fields).sort(), Object.keys(h).sort());
      assert.ok(row.fields.vec instanceof Float32Array);
      for (const k of Object.keys(h)) if (k !== 'vec') assert.equal(row.fields[k], h[k]);
    }
    // The default order is the fused score, best first; every key is a document.
    const h = await db.hybrid('idx', { search: 'apple', vsim: { field: 'vec', vector: q, k: 10 }, limit: [0, 50] });
    const keys = new Set(docs.map((d) => d.key));
    for (let i = 0; i < h.results.length; i++) {
      assert.ok(keys.has(h.results[i].key));
      if (i) assert.ok(h.results[i - 1].score >= h.results[i].score);
    }
    // A bad request is the engine's error; nothing changes.
    const before = await db.dbsize();
    await assert.rejects(db.hybrid('idx', { search: 'apple', vsim: { field: 'nosuch', vector: q } }), ReplyError);
    await assert.rejects(db.hybrid('nosuch', { search: 'apple', vsim: { field: 'vec', vector: q } }), ReplyError);
    await assert.rejects(db.hybrid('idx', { search: '@nosuch:x', vsim: { field: 'vec', vector: q } }), ReplyError);
    assert.equal(await db.dbsize(), before);
  } finally {
    await db.close();
  }
});

// FT.HYBRID's text list carries the scores FT.SEARCH WITHSCORES gives the
// same query with the same scorer, whatever LOAD, COMBINE and YIELD_SCORE_AS
// are given; also for a query without text clauses (DOCSCORE: 1).
test('hybrid(): textScore is the FT.SEARCH WITHSCORES score of the document', async () => {
  const docs = corpus(prng(31), 60);
  const db = await loaded(docs);
  try {
    const q = f32([0.5, 0.5, 0.5, 0.5]);
    const variants = [
      {},
      { scorer: 'TFIDF', load: ['body', 'ts'] },
      { scorer: 'BM25', combine: { method: 'LINEAR', alpha: 0.3, beta: 0.7, yieldScoreAs: 'f' } },
      { scorer: 'TFIDF.DOCNORM', load: ['tag'] },
      { scorer: 'DOCSCORE' },
    ];
    for (const query of ['apple', 'banana cherry', 'app*', 'apple | fig', '*', '@tag:{red}']) {
      for (const { scorer, load, combine } of variants) {
        const what = `${query} ${scorer ?? 'BM25STD'} ${JSON.stringify(load ?? null)}`;
        const text = await db.search('idx', query, { withScores: true, noContent: true, limit: [0, 100], scorer });
        const want = new Map(text.results.map((x) => [x.key, x.score]));
        const h = await db.hybrid('idx', {
          search: { query, scorer, yieldScoreAs: 'ts' }, vsim: { field: 'vec', vector: q }, combine, load, limit: [0, 100],
        });
        let seen = 0;
        for (const row of h.results) {
          if (row.textScore === undefined) continue;
          seen++;
          assert.ok(want.has(row.key), `${what}: ${row.key} is a text match`);
          assert.ok(close(row.textScore, want.get(row.key)), `${what}: ${row.key} ${row.textScore} vs ${want.get(row.key)}`);
          if (scorer === 'DOCSCORE') assert.equal(row.textScore, 1, what);
        }
        assert.ok(seen > 0, what);
      }
    }
  } finally {
    await db.close();
  }
});
