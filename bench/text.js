// bench/text.js - full-text search in one run, on the same documents and
// queries: Vessel (TEXT field through FT.CREATE / HSET / FT.SEARCH, in
// process), MiniSearch, FlexSearch and Orama (npm), against a plain BM25
// reference computed here.
//
// Dataset: npm `nlp-corpus` (MIT; 100,000 English sentences from varied
// sources: fiction, transcripts, speeches, forums, legal text), one
// sentence per document.  Installed with the other bench peers; nothing is
// downloaded at run time.
//
// Queries (seeded, drawn from the corpus, so each has at least one match):
//   one-term   a word of a random document
//   two-term   two words of one document, AND
//   prefix     the first 4 letters of a word of 5 letters or more, `abcd*`
//   phrase     2 or 3 adjacent words of one document, "a b c"
// Words are ASCII letters, 3 or more, and never stop words.
//
// The reference is BM25 as RediSearch's BM25STD defines it: idf =
// log(1 + (N - n + 0.5) / (n + 0.5)), k1 1.2, b 0.75, document length in
// tokens, a document's score the sum over the query's terms (a prefix: over
// every word it expands to); documents tokenized as Vessel does
// (valkey-search's default punctuation, lower-case, its default English
// stop words dropped without taking a position), stemming off on both
// sides (the Vessel field is NOSTEM).  A phrase matches where its words
// hold consecutive positions.
//
// Agreement: agree@10 is the share of an engine's top 10 that the
// reference also ranks in its top 10 (ties at the 10th score count as
// top 10), over min(10, matches); "same" is the share of queries whose top
// 10 is the reference's, rank by rank, up to ties.
//
// Peers without phrase queries (MiniSearch, FlexSearch, Orama) run the
// words as an AND query and keep the documents where they stand next to
// each other (checked on the reference tokens), inside the timed call.
// FlexSearch finds prefixes only in an index built with tokenize
// 'forward' (which would also turn every term into a prefix): the prefix
// queries use a second FlexSearch index built that way.  Each peer keeps
// its own tokenizer and scoring (MiniSearch BM25+, Orama BM25, FlexSearch
// its positional resolution).
//
// Memory: heap growth (heapUsed + external, after gc) while the engine
// holds its index, the same for all; Vessel's own figures are its engine
// memory (documents and index) and the index alone (the same documents
// stored without the index, subtracted).
//
//   make bench-text                    (installs the peers: npm ci --prefix bench)
//   node bench/text.js [--quick] [--docs N] [--queries N] [--seed S]
//   node bench/text.js --dump PREFIX [...]   writes the documents (PREFIX.docs,
//     NUL-terminated) and queries (PREFIX.queries, "type<TAB>query" lines) and
//     exits: the input of bench/text_native.c (the engine compiled natively,
//     for profiling with perf or callgrind).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { open } from '../js/index.js';
import { prng } from './datasets.js';

if (typeof globalThis.gc !== 'function') {
  // Memory is measured after a full collection: run again with --expose-gc.
  const r = spawnSync(process.execPath, ['--expose-gc', fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}

const here = dirname(fileURLToPath(import.meta.url));
// The peers and the corpus live in bench/node_modules (some packages
// export no package.json, so their folders are found by name).
const pkgDir = (pkg) => join(here, 'node_modules', pkg);
const argv = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = argv.indexOf(name);
  return i >= 0 ? Number(argv[i + 1]) : dflt;
};
const quick = argv.includes('--quick');
const NDOCS = opt('--docs', quick ? 20000 : 100000);
const NQ = opt('--queries', quick ? 200 : 1000);
const SEED = opt('--seed', 7);
const K = 10;
const TYPES = ['one-term', 'two-term', 'prefix', 'phrase'];

// ---- the corpus ----------------------------------------------------------------

function corpus() {
  const dir = join(pkgDir('nlp-corpus'), 'builds');
  const docs = [];
  for (let i = 0; docs.length < NDOCS; i++) {
    let part;
    try {
      part = JSON.parse(readFileSync(join(dir, `doc-${i}.json`), 'utf8'));
    } catch {
      break;
    }
    for (const s of part) if (typeof s === 'string' && s.trim() && docs.length < NDOCS) docs.push(s);
  }
  return docs;
}

// ---- Vessel's tokenizer, in JS (index/tokenize.h) --------------------------------

const PUNCT = ',.<>{}[]"\':;!@#$%^&*()-+=~/\\|?';
const STOP = new Set(['a', 'is', 'the', 'an', 'and', 'are', 'as', 'at', 'be', 'but', 'by', 'for', 'if', 'in', 'into', 'it',
  'no', 'not', 'of', 'on', 'or', 'such', 'that', 'their', 'then', 'there', 'these', 'they', 'this', 'to', 'was', 'will', 'with']);
const isSep = (c) => c <= 0x20 || c === 0x7f || (c < 0x80 && PUNCT.includes(String.fromCharCode(c)));
const MAX_WORD = 128; // bytes; longer document words are skipped
const utf8 = new TextEncoder();

/** Words of s as Vessel indexes them; each { w, raw } where raw counts
 * every word (stop words too), to tell words that stood side by side. */
function tokenize(s) {
  const out = [];
  let raw = 0;
  let i = 0;
  const n = s.length;
  while (i < n) {
    while (i < n && isSep(s.charCodeAt(i))) {
      if (s[i] === '\\' && i + 1 < n) break;
      i++;
    }
    if (i === n) break;
    let w = '';
    while (i < n) {
      const c = s.charCodeAt(i);
      if (c === 0x5c && i + 1 < n) {
        const next = s.charCodeAt(++i);
        if (next === 0x5c || isSep(next)) w += s[i++];
        else break; // the backslash is a separator by default
      } else if (isSep(c)) {
        break;
      } else {
        w += s[i++];
      }
    }
    if (!w) continue;
    // ASCII lower-casing, else case folding (toLowerCase plus the two full
    // foldings it lacks that matter for this corpus).
    w = /^[\x00-\x7f]*$/.test(w) ? w.toLowerCase() : w.toLowerCase().replace(/ß/g, 'ss').replace(/ς/g, 'σ');
    raw++;
    if (STOP.has(w)) continue;
    if (utf8.encode(w).length > MAX_WORD) continue;
    out.push({ w, raw });
  }
  return out;
}

// ---- the BM25 reference ----------------------------------------------------------

class Reference {
  constructor(docs) {
    this.termId = new Map();
    this.words = [];
    this.postings = []; // term -> [doc, tf, doc, tf, ...]
    this.docTerms = new Array(docs.length); // doc -> Int32Array of term ids by position
    this.docRaw = new Array(docs.length); // doc -> raw word numbers
    this.len = new Uint32Array(docs.length);
    let total = 0;
    for (let d = 0; d < docs.length; d++) {
      const toks = tokenize(docs[d]);
      const ids = new Int32Array(toks.length);
      const raw = new Int32Array(toks.length);
      const tf = new Map();
      toks.forEach((t, p) => {
        let id = this.termId.get(t.w);
        if (id === undefined) {
          id = this.words.length;
          this.termId.set(t.w, id);
          this.words.push(t.w);
          this.postings.push([]);
        }
        ids[p] = id;
        raw[p] = t.raw;
        tf.set(id, (tf.get(id) ?? 0) + 1);
      });
      for (const [id, f] of tf) this.postings[id].push(d, f);
      this.docTerms[d] = ids;
      this.docRaw[d] = raw;
      this.len[d] = toks.length;
      total += toks.length;
    }
    this.N = docs.length;
    this.avgdl = total / docs.length;
    this.totalTokens = total;
    this.sorted = this.words.map((w, id) => [w, id]).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  }

  idf(id) {
    const n = this.postings[id].length / 2;
    return Math.log(1 + (this.N - n + 0.5) / (n + 0.5));
  }

  /** doc -> BM25 of one term, for its documents. */
  termScores(id) {
    const k1 = 1.2;
    const b = 0.75;
    const idf = this.idf(id);
    const p = this.postings[id];
    const m = new Map();
    for (let i = 0; i < p.length; i += 2) {
      const tf = p[i + 1];
      m.set(p[i], (idf * tf * (k1 + 1)) / (tf + k1 * (1 - b + (b * this.len[p[i]]) / this.avgdl)));
    }
    return m;
  }

  /** Terms starting with pre. */
  expand(pre) {
    let lo = 0;
    let hi = this.sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.sorted[mid][0] < pre) lo = mid + 1;
      else hi = mid;
    }
    const ids = [];
    for (let i = lo; i < this.sorted.length && this.sorted[i][0].startsWith(pre); i++) ids.push(this.sorted[i][1]);
    return ids;
  }

  /** Whether doc holds the terms at consecutive positions. */
  hasPhrase(doc, ids) {
    const t = this.docTerms[doc];
    for (let p = 0; p + ids.length <= t.length; p++) {
      let ok = true;
      for (let j = 0; j < ids.length && ok; j++) ok = t[p + j] === ids[j];
      if (ok) return true;
    }
    return false;
  }

  /** All matches of a query, best first: [[doc, score], ...]. */
  run(q) {
    let scores;
    if (q.type === 'prefix') {
      scores = new Map();
      for (const id of this.expand(q.words[0])) for (const [d, s] of this.termScores(id)) scores.set(d, (scores.get(d) ?? 0) + s);
    } else {
      const ids = q.words.map((w) => this.termId.get(w));
      const per = ids.map((id) => this.termScores(id));
      scores = new Map();
      for (const [d, s] of per[0]) {
        let sum = s;
        let all = true;
        for (let j = 1; j < per.length && all; j++) {
          const x = per[j].get(d);
          if (x === undefined) all = false;
          else sum += x;
        }
        if (all && (q.type !== 'phrase' || this.hasPhrase(d, ids))) scores.set(d, sum);
      }
      // A repeated word counts once per occurrence in the query, as a
      // term list does: the words here are distinct by construction.
    }
    return [...scores].sort((a, b) => b[1] - a[1] || a[0] - b[0]);
  }
}

// ---- queries -----------------------------------------------------------------------

const WORD = /^[a-z]{3,}$/;

function makeQueries(ref, n, seed) {
  const rand = prng(seed);
  const pick = (a) => a[Math.floor(rand() * a.length)];
  const out = Object.fromEntries(TYPES.map((t) => [t, []]));
  const words = (d) => [...ref.docTerms[d]].map((id, p) => ({ w: ref.words[id], p })).filter((x) => WORD.test(x.w));
  let guard = 0;
  while (TYPES.some((t) => out[t].length < n) && guard++ < n * 1000) {
    const d = Math.floor(rand() * ref.N);
    const ws = words(d);
    if (!ws.length) continue;
    if (out['one-term'].length < n) out['one-term'].push({ type: 'one-term', words: [pick(ws).w] });
    const distinct = [...new Set(ws.map((x) => x.w))];
    if (out['two-term'].length < n && distinct.length >= 2) {
      const a = pick(distinct);
      let b = pick(distinct);
      while (b === a) b = pick(distinct);
      out['two-term'].push({ type: 'two-term', words: [a, b] });
    }
    const long = ws.filter((x) => x.w.length >= 5);
    if (out.prefix.length < n && long.length) out.prefix.push({ type: 'prefix', words: [pick(long).w.slice(0, 4)] });
    if (out.phrase.length < n) {
      const len = rand() < 0.5 ? 2 : 3;
      const t = ref.docTerms[d];
      const raw = ref.docRaw[d];
      const starts = [];
      for (let p = 0; p + len <= t.length; p++) {
        const seq = [...t.slice(p, p + len)].map((id) => ref.words[id]);
        let ok = seq.every((w) => WORD.test(w)) && new Set(seq).size === len;
        for (let j = 1; j < len && ok; j++) ok = raw[p + j] === raw[p] + j; // no stop word between
        if (ok) starts.push(seq);
      }
      if (starts.length) out.phrase.push({ type: 'phrase', words: pick(starts) });
    }
  }
  return out;
}

// ---- engines -------------------------------------------------------------------------

function heap() {
  globalThis.gc();
  globalThis.gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}

function version(pkg) {
  return JSON.parse(readFileSync(join(pkgDir(pkg), 'package.json'), 'utf8')).version;
}

/** Keep the AND matches (ids, best first) whose words stand side by side. */
function phraseFilter(ref, q, ids) {
  const tids = q.words.map((w) => ref.termId.get(w));
  const out = [];
  for (const id of ids) {
    if (ref.hasPhrase(id, tids)) out.push(id);
    if (out.length === K) break;
  }
  return out;
}

/** A query in Vessel's query language. */
function vesselQuery(q) {
  if (q.type === 'prefix') return `${q.words[0]}*`;
  if (q.type === 'phrase') return `"${q.words.join(' ')}"`;
  return q.words.join(' ');
}

async function vessel(docs) {
  const name = 'Vessel (wasm SIMD128)';
  const db = await open({ simd: true });
  const e = db.engine;
  // The documents alone, without an index: what the index adds is the rest.
  const m0 = db.usedMemory();
  for (let i = 0; i < docs.length; i++) e.execRaw(['HSET', String(i), 'text', docs[i]]);
  const plain = db.usedMemory() - m0;
  e.exec(['FLUSHALL']);
  await db.close();

  const h0 = heap();
  const db2 = await open({ simd: true });
  const e2 = db2.engine;
  const e0 = db2.usedMemory();
  e2.exec(['FT.CREATE', 't', 'ON', 'HASH', 'SCHEMA', 'text', 'TEXT', 'NOSTEM']);
  const t = performance.now();
  for (let i = 0; i < docs.length; i++) e2.execRaw(['HSET', String(i), 'text', docs[i]]);
  const secs = (performance.now() - t) / 1000;
  const engine = db2.usedMemory() - e0;
  const heapGrowth = heap() - h0;
  let info = {};
  try {
    info = await db2.indexInfo('t');
  } catch {}
  const search = (q) => {
    const r = e2.exec(['FT.SEARCH', 't', vesselQuery(q), 'NOCONTENT', 'LIMIT', '0', String(K), 'DIALECT', '2']);
    return r.slice(1).map(Number);
  };
  return {
    name,
    docsPerSec: docs.length / secs,
    heap: heapGrowth,
    engine,
    index: engine - plain,
    info,
    search,
    close: () => db2.close(),
  };
}

async function minisearch(docs, ref) {
  const { default: MiniSearch } = await import('minisearch');
  const h0 = heap();
  const ms = new MiniSearch({ fields: ['text'], idField: 'id' });
  const t = performance.now();
  for (let i = 0; i < docs.length; i++) ms.add({ id: i, text: docs[i] });
  const secs = (performance.now() - t) / 1000;
  const heapGrowth = heap() - h0;
  const search = (q) => {
    if (q.type === 'prefix') return ms.search(q.words[0], { prefix: true }).slice(0, K).map((r) => r.id);
    const r = ms.search(q.words.join(' '), { combineWith: 'AND' });
    if (q.type === 'phrase') return phraseFilter(ref, q, r.map((x) => x.id));
    return r.slice(0, K).map((x) => x.id);
  };
  return { name: `MiniSearch ${version('minisearch')}`, docsPerSec: docs.length / secs, heap: heapGrowth, search };
}

async function flexsearch(docs, ref) {
  const { Index } = await import('flexsearch');
  const h0 = heap();
  const ix = new Index({ tokenize: 'strict' });
  const t = performance.now();
  for (let i = 0; i < docs.length; i++) ix.add(i, docs[i]);
  const secs = (performance.now() - t) / 1000;
  const heapGrowth = heap() - h0;
  // Prefixes need an index built with tokenize 'forward'.
  const h1 = heap();
  const fwd = new Index({ tokenize: 'forward' });
  const t1 = performance.now();
  for (let i = 0; i < docs.length; i++) fwd.add(i, docs[i]);
  const fwdSecs = (performance.now() - t1) / 1000;
  const fwdHeap = heap() - h1;
  const search = (q) => {
    if (q.type === 'prefix') return fwd.search(q.words[0], { limit: K });
    if (q.type === 'phrase') return phraseFilter(ref, q, ix.search(q.words.join(' '), { limit: docs.length }));
    return ix.search(q.words.join(' '), { limit: K });
  };
  return {
    name: `FlexSearch ${version('flexsearch')}`,
    docsPerSec: docs.length / secs,
    heap: heapGrowth,
    note: `prefix index (tokenize 'forward'): ${fmt(docs.length / fwdSecs)} docs/s, ${mb(fwdHeap)} MB more`,
    search,
  };
}

async function orama(docs, ref) {
  const { create, insert, search: oramaSearch } = await import('@orama/orama');
  // Orama's exact mode checks the words against the stored text case-
  // sensitively: it is given the documents lower-cased (prepared before
  // the memory baseline, as the other engines' inputs are).
  const lower = docs.map((s, i) => ({ id: String(i), text: s.toLowerCase() }));
  const h0 = heap();
  const db = create({ schema: { text: 'string' } });
  const t = performance.now();
  for (let i = 0; i < lower.length; i++) {
    const r = insert(db, lower[i]);
    if (r && typeof r.then === 'function') await r;
  }
  const secs = (performance.now() - t) / 1000;
  const heapGrowth = heap() - h0;
  const run = (params) => {
    const r = oramaSearch(db, { properties: ['text'], ...params });
    if (r && typeof r.then === 'function') throw new Error('orama: search is asynchronous');
    return r.hits.map((h) => Number(h.id));
  };
  const search = (q) => {
    if (q.type === 'prefix') return run({ term: q.words[0], exact: false, limit: K });
    if (q.type === 'phrase') return phraseFilter(ref, q, run({ term: q.words.join(' '), exact: true, threshold: 0, limit: docs.length }));
    return run({ term: q.words.join(' '), exact: true, threshold: 0, limit: K });
  };
  return { name: `Orama ${version('@orama/orama')}`, docsPerSec: docs.length / secs, heap: heapGrowth, search };
}

// ---- measuring -------------------------------------------------------------------------

function timeQueries(search, qs) {
  for (let i = 0; i < Math.min(50, qs.length); i++) search(qs[i]); // warm up
  const lat = new Float64Array(qs.length);
  const out = new Array(qs.length);
  const t = performance.now();
  for (let i = 0; i < qs.length; i++) {
    const s = performance.now();
    out[i] = search(qs[i]);
    lat[i] = performance.now() - s;
  }
  const total = (performance.now() - t) / 1000;
  lat.sort();
  return { qps: qs.length / total, p99: lat[Math.min(lat.length - 1, Math.floor(lat.length * 0.99))], out };
}

/** agree@10 and "same top 10, rank by rank (up to ties)" against the reference. */
function agreement(refRuns, outs) {
  let agree = 0;
  let same = 0;
  for (let i = 0; i < refRuns.length; i++) {
    const ref = refRuns[i];
    const want = Math.min(K, ref.length);
    if (!want) {
      agree += 1;
      if (!outs[i].length) same++;
      continue;
    }
    const score = new Map(ref);
    const eps = (x) => 1e-6 * Math.max(1, Math.abs(x));
    const tenth = ref[want - 1][1];
    const got = outs[i].slice(0, K);
    let hits = 0;
    for (const d of got) if (score.has(d) && score.get(d) >= tenth - eps(tenth)) hits++;
    agree += Math.min(hits, want) / want;
    let ranked = got.length === want;
    for (let r = 0; r < want && ranked; r++) ranked = score.has(got[r]) && Math.abs(score.get(got[r]) - ref[r][1]) <= eps(ref[r][1]);
    if (ranked && new Set(got).size === want) same++;
  }
  return { agree: agree / refRuns.length, same: same / refRuns.length };
}

const fmt = (x) => Math.round(x).toLocaleString('en-US');
const mb = (b) => (b / 1048576).toFixed(1);
const pad = (s, n) => String(s).padEnd(n);
const lpad = (s, n) => String(s).padStart(n);

async function main() {
  const docs = corpus();
  const cpus = os.cpus();
  console.log('Full-text search: Vessel against MiniSearch, FlexSearch and Orama, one run');
  console.log(`Dataset: nlp-corpus ${version('nlp-corpus')} (npm), ${fmt(docs.length)} sentences, one per document, ` +
    `${fmt(docs.reduce((a, s) => a + s.length, 0) / docs.length)} characters on average`);
  console.log(`Machine: ${cpus[0]?.model} x ${cpus.length}, ${os.platform()} ${os.release()}, Node ${process.version}`);

  const t0 = performance.now();
  const ref = new Reference(docs);
  console.log(`Reference BM25 (BM25STD: k1 1.2, b 0.75; Vessel's tokenizer, no stemming): ${fmt(ref.words.length)} words, ` +
    `${fmt(ref.totalTokens)} tokens, ${(ref.totalTokens / ref.N).toFixed(1)} per document (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  const queries = makeQueries(ref, NQ, SEED);
  const dump = argv.indexOf('--dump');
  if (dump >= 0) {
    const { writeFileSync } = await import('node:fs');
    const prefix = argv[dump + 1];
    writeFileSync(`${prefix}.docs`, docs.map((d) => `${d}\0`).join(''));
    const lines = TYPES.flatMap((t) => queries[t].map((q) => `${t}\t${vesselQuery(q)}\n`));
    writeFileSync(`${prefix}.queries`, lines.join(''));
    console.log(`wrote ${prefix}.docs and ${prefix}.queries`);
    return;
  }
  console.log(`Queries: seed ${SEED}, ${TYPES.map((t) => `${queries[t].length} ${t}`).join(', ')}; top ${K}; e.g. ` +
    TYPES.map((t) => JSON.stringify(queries[t][0].words.join(' ') + (t === 'prefix' ? '*' : ''))).join(', '));
  const refRuns = Object.fromEntries(TYPES.map((t) => [t, queries[t].map((q) => ref.run(q))]));
  const avgMatches = (t) => refRuns[t].reduce((a, r) => a + r.length, 0) / refRuns[t].length;
  console.log(`Matches per query (reference): ${TYPES.map((t) => `${t} ${fmt(avgMatches(t))}`).join(', ')}`);
  console.log();

  const rows = [];
  for (const make of [vessel, minisearch, flexsearch, orama]) {
    let eng;
    process.stderr.write(`${make.name}: indexing...`);
    try {
      eng = await make(docs, ref);
    } catch (e) {
      rows.push({ name: make.name, error: String(e.message ?? e).split('\n')[0] });
      process.stderr.write(' failed\n');
      continue;
    }
    const res = {};
    for (const t of TYPES) {
      process.stderr.write(` ${t}...`);
      try {
        const m = timeQueries(eng.search, queries[t]);
        res[t] = { ...m, ...agreement(refRuns[t], m.out) };
      } catch (e) {
        res[t] = { error: String(e.message ?? e).split('\n')[0] };
      }
    }
    process.stderr.write(' done\n');
    rows.push({ ...eng, res });
    await eng.close?.();
    eng = null;
  }

  console.log(`${pad('engine', 24)}${lpad('index docs/s', 14)}${lpad('heap MB', 10)}  notes`);
  for (const r of rows) {
    if (r.error) {
      console.log(`${pad(r.name, 24)}  failed: ${r.error}`);
      continue;
    }
    let note = r.note ?? '';
    if (r.engine !== undefined) {
      note = `engine ${mb(r.engine)} MB (documents and index), index ${mb(r.index)} MB = ` +
        `${(r.index / ref.totalTokens).toFixed(1)} bytes per indexed token`;
    }
    console.log(`${pad(r.name, 24)}${lpad(fmt(r.docsPerSec), 14)}${lpad(mb(r.heap), 10)}  ${note}`);
  }
  console.log();
  console.log(`${pad('query', 10)}${pad('engine', 24)}${lpad('QPS', 10)}${lpad('p99 ms', 9)}${lpad('agree@10', 10)}${lpad('same', 7)}`);
  for (const t of TYPES) {
    for (const r of rows) {
      if (r.error) continue;
      const x = r.res[t];
      if (x.error) {
        console.log(`${pad(t, 10)}${pad(r.name, 24)}  failed: ${x.error}`);
        continue;
      }
      console.log(`${pad(t, 10)}${pad(r.name, 24)}${lpad(fmt(x.qps), 10)}${lpad(x.p99.toFixed(3), 9)}` +
        `${lpad(x.agree.toFixed(3), 10)}${lpad(x.same.toFixed(3), 7)}`);
    }
  }
  console.log();
  console.log('Phrases: MiniSearch, FlexSearch and Orama have none; they run an AND query and the benchmark keeps the ' +
    'documents whose words stand side by side (inside the timed call).');
}

await main();
