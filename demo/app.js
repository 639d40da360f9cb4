// app.js - the Vessel demo page.  The store runs in a Web Worker and
// persists to the Origin Private File System (IndexedDB where OPFS is not
// available, or where an older visit left the store); every tab of the
// site shares it (js/tabs.js): one tab owns the engine, the others'
// commands go to it, and each tab follows the others' writes.  The first
// visit imports the datasets (demo/data/, made by demo/prepare.js) and
// builds the indexes with a progress bar; later visits reopen the store
// from its snapshot and journal and search at once.
//
// window.demo exposes the state the end-to-end tests and the benchmark
// read: { ready, timings, longestTaskMs, lastSearch, lastDocs, follows, ... }.

import { openShared } from '../js/tabs.js';
import { highlight, matcher, queryTerms } from './text.js';

const params = new URLSearchParams(location.search);
const STORE = params.get('store') || 'vessel-demo';
const GRID = 60;
const $ = (id) => document.getElementById(id);

const demo = {
  timings: { start: performance.now() },
  longestTaskMs: 0, // longest main-thread stall seen (heartbeat + long tasks)
  lastSearch: null,
  searches: 0, // completed searches (results shown)
  source: null, // 'import' | 'snapshot' | 'another tab'
  follows: 0, // times this tab caught up with a write (its own or another tab's)
  added: 0, // digits this tab added to the store
};
window.demo = demo;

// ---- main-thread responsiveness: a heartbeat and the Long Tasks API ----------
{
  let last = performance.now();
  setInterval(() => {
    const now = performance.now();
    demo.longestTaskMs = Math.max(demo.longestTaskMs, now - last - 10);
    last = now;
  }, 10);
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) demo.longestTaskMs = Math.max(demo.longestTaskMs, e.duration);
    }).observe({ type: 'longtask', buffered: true });
  } catch {
    // Long Tasks API unavailable: the heartbeat still measures.
  }
}

// ---- status -----------------------------------------------------------------
function status(text, percent) {
  $('status').textContent = text;
  const bar = $('progress');
  if (percent === undefined) {
    bar.hidden = true;
  } else {
    bar.hidden = false;
    bar.value = percent;
    bar.setAttribute('aria-valuetext', `${Math.round(percent)}%`);
  }
}

const fmt = (x, d = 0) => Number(x).toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

// ---- the datasets -------------------------------------------------------------
const INDEXES = {
  digits: { name: 'digits', prefix: 'digit:', dim: 784, metric: 'L2' },
  docs: { name: 'docs', prefix: 'doc:', dim: 384, metric: 'COSINE' },
};

function schemaArgs(kind, { algo, metric, m, efc }) {
  const ix = INDEXES[kind];
  const vec = algo === 'HNSW'
    ? ['vec', 'VECTOR', 'HNSW', '10', 'TYPE', 'FLOAT32', 'DIM', ix.dim, 'DISTANCE_METRIC', metric, 'M', m, 'EF_CONSTRUCTION', efc]
    : ['vec', 'VECTOR', 'FLAT', '6', 'TYPE', 'FLOAT32', 'DIM', ix.dim, 'DISTANCE_METRIC', metric];
  const rest = kind === 'digits'
    ? ['label', 'TAG', 'ink', 'NUMERIC']
    : ['title', 'TEXT', 'WEIGHT', '2', 'text', 'TEXT', 'category', 'TAG', 'tags', 'TAG', 'SEPARATOR', ',', 'words', 'NUMERIC'];
  return ['FT.CREATE', ix.name, 'ON', 'HASH', 'PREFIX', '1', ix.prefix, 'SCHEMA', ...vec, ...rest].map(String);
}

/** Whether argument i of an FT.CREATE belongs to a TEXT field (name TEXT [WEIGHT w]). */
function isTextArg(a, i) {
  const textAt = (j) => a[j] === 'TEXT';
  return textAt(i) || textAt(i + 1) || (a[i] === 'WEIGHT' && textAt(i - 1)) || (a[i - 1] === 'WEIGHT' && textAt(i - 2));
}

async function fetchBytes(path) {
  const res = await fetch(path);
  if (!res.ok) throw new Error(`cannot load ${path}: HTTP ${res.status} (run make demo, which prepares demo/data/)`);
  return new Uint8Array(await res.arrayBuffer());
}

/** First visit: HSET every digit and document (in batches), build the indexes. */
async function importData(db) {
  status('Downloading the datasets from this server…', 0);
  const [digits, docVecs, docsJson] = await Promise.all([
    fetchBytes('data/digits.bin'),
    fetchBytes('data/docs.f32'),
    fetch('data/docs.json').then((r) => r.json()),
  ]);
  const n = new DataView(digits.buffer).getUint32(0, true);
  const BATCH = 500;
  for (let start = 0; start < n; start += BATCH) {
    const cmds = [];
    for (let i = start; i < Math.min(n, start + BATCH); i++) {
      const o = 4 + i * 785;
      const vec = new Float32Array(784);
      let ink = 0;
      for (let p = 0; p < 784; p++) {
        vec[p] = digits[o + 1 + p] / 255;
        if (vec[p] > 0.5) ink++;
      }
      cmds.push(['HSET', `digit:${i}`, 'label', String(digits[o]), 'ink', String(ink), 'vec', vec]);
    }
    await db.pipeline(cmds);
    status(`Importing digits: ${fmt(Math.min(n, start + BATCH))} / ${fmt(n)}`, (50 * (start + BATCH)) / n);
  }
  const vecs = new Float32Array(docVecs.buffer, docVecs.byteOffset, docVecs.byteLength / 4);
  const cmds = docsJson.map((d, i) => [
    'HSET', `doc:${i}`, 'title', d.title, 'category', d.category, 'tags', d.tags.join(','), 'words', String(d.words),
    'text', d.text, 'vec', vecs.slice(i * 384, (i + 1) * 384),
  ]);
  await db.pipeline(cmds);
  status(`Imported ${fmt(n)} digits and ${fmt(docsJson.length)} documents`, 50);
}

// ---- index settings -------------------------------------------------------------
const settings = { digits: null, docs: null }; // what each index is now

async function readIndex(kind) {
  const info = await db.indexInfo(INDEXES[kind].name);
  const attr = info.attributes.find((a) => a.type === 'VECTOR');
  const alg = attr.index.algorithm;
  settings[kind] = {
    algo: alg.name,
    metric: attr.index.distance_metric,
    m: alg.m ?? 16,
    efc: alg.ef_construction ?? 200,
    ef: alg.ef_runtime ?? 10,
    docs: info.num_docs,
    memory: info.index_memory,
    text: info.attributes.some((a) => a.type === 'TEXT'),
  };
  return settings[kind];
}

function showSettings(kind) {
  const s = settings[kind];
  if (!s) return;
  $('algo').value = s.algo;
  $('metric').value = s.metric;
  $('m').value = s.m;
  $('efc').value = s.efc;
  $('ef').value = s.ef;
  for (const el of document.querySelectorAll('.hnsw-only')) el.hidden = s.algo !== 'HNSW';
  $('index-info').textContent = `${INDEXES[kind].name}: ${s.algo} ${s.metric}, ${fmt(s.docs)} documents` +
    (s.memory ? `, ${fmt(Number(s.memory) / 1048576, 1)} MiB` : '');
}

/** Create (or re-create) an index and follow its backfill. */
async function buildIndex(kind, want, { label = 'Indexing', from = 0, to = 100 } = {}) {
  const ix = INDEXES[kind];
  if ((await db.listIndexes()).includes(ix.name)) await db.command('FT.DROPINDEX', ix.name);
  try {
    await db.command(...schemaArgs(kind, want));
    if (kind === 'docs') demo.textError = null;
  } catch (e) {
    if (kind !== 'docs') throw e;
    // An engine without TEXT fields: the vector, TAG and NUMERIC fields
    // alone, and the keyword and hybrid columns say why they are empty.
    demo.textError = e.message;
    await db.command(...schemaArgs(kind, want).filter((_, i, a) => !isTextArg(a, i)));
  }
  const t = performance.now();
  await db.indexReady(ix.name, {
    onProgress: (p) => status(`${label} ${ix.name} (${want.algo}): ${fmt(p.percent, 0)}% (${fmt(p.docs)} documents)`,
      from + ((to - from) * p.percent) / 100),
  });
  await readIndex(kind);
  return performance.now() - t;
}

// ---- digits ---------------------------------------------------------------------
function drawDigit(canvas, vec) {
  const ctx = canvas.getContext('2d');
  const img = ctx.createImageData(28, 28);
  for (let p = 0; p < 784; p++) {
    const v = Math.max(0, Math.min(255, Math.round(vec[p] * 255)));
    img.data[p * 4] = img.data[p * 4 + 1] = img.data[p * 4 + 2] = v;
    img.data[p * 4 + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
}

function digitCanvas(vec, cls) {
  const c = document.createElement('canvas');
  c.width = 28;
  c.height = 28;
  if (cls) c.className = cls;
  drawDigit(c, vec);
  return c;
}

const asVec = (bytes) => new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
let gridOffset = 0;
const digitVecs = new Map(); // key -> Float32Array (for searching by click)

async function showGrid() {
  const keys = Array.from({ length: GRID }, (_, i) => `digit:${(gridOffset + i) % 10000}`);
  const replies = await db.pipeline(keys.map((k) => ['HMGET', k, 'vec', 'label']), { binary: true });
  const grid = $('grid');
  grid.replaceChildren();
  replies.forEach(([vecBytes, label], i) => {
    if (!vecBytes) return;
    const vec = asVec(vecBytes);
    digitVecs.set(keys[i], vec);
    const b = document.createElement('button');
    b.type = 'button';
    b.dataset.key = keys[i];
    b.dataset.label = new TextDecoder().decode(label);
    b.setAttribute('aria-label', `Search digits like ${keys[i]} (a ${b.dataset.label})`);
    b.append(digitCanvas(vec));
    b.addEventListener('click', () => searchDigits(vec, keys[i]));
    grid.append(b);
  });
}

function digitFilter() {
  const labels = [...document.querySelectorAll('#digit-filters input[name="label"]:checked')].map((x) => x.value);
  const parts = [];
  if (labels.length) parts.push(`@label:{${labels.join(' | ')}}`);
  const lo = $('ink-min').value;
  const hi = $('ink-max').value;
  if (lo !== '' || hi !== '') parts.push(`@ink:[${lo === '' ? '-inf' : Number(lo)} ${hi === '' ? '+inf' : Number(hi)}]`);
  return parts.length ? `(${parts.join(' ')})` : '*';
}

// ---- documents ------------------------------------------------------------------
const tagEscape = (s) => s.replace(/[,.<>{}[\]"':;!@#$%^&*()\-+=~|/\\ ]/g, (c) => `\\${c}`);
let docTitles = []; // [{ key, title, category }]

async function loadDocList() {
  const n = Number((await db.search('docs', '*', { noContent: true, limit: [0, 0] })).total);
  const keys = Array.from({ length: n }, (_, i) => `doc:${i}`);
  const replies = await db.pipeline(keys.map((k) => ['HMGET', k, 'title', 'category']));
  docTitles = replies.map(([title, category], i) => ({ key: keys[i], title, category })).filter((d) => d.title !== null);
  const cats = [...new Set(docTitles.map((d) => d.category))].sort();
  $('category').replaceChildren(new Option('any', ''), ...cats.map((c) => new Option(c, c)));
  renderDocList();
}

function renderDocList() {
  const q = $('doc-find').value.trim().toLowerCase();
  const list = $('doc-list');
  list.replaceChildren();
  for (const d of docTitles.filter((x) => !q || x.title.toLowerCase().includes(q)).slice(0, 80)) {
    const li = document.createElement('li');
    const span = document.createElement('span');
    span.textContent = d.title;
    span.title = d.category;
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = 'More like this';
    b.dataset.key = d.key;
    b.setAttribute('aria-label', `More like “${d.title}”`);
    b.addEventListener('click', async () => {
      const v = await db.commandBuffer('HGET', d.key, 'vec');
      picked = { key: d.key, title: d.title, vec: asVec(v) };
      await searchDocs();
    });
    li.append(span, b);
    list.append(li);
  }
}

function docFilter() {
  const parts = [];
  const cat = $('category').value;
  if (cat) parts.push(`@category:{${tagEscape(cat)}}`);
  const tags = $('tags').value.split(',').map((t) => t.trim().toLowerCase()).filter(Boolean);
  if (tags.length) parts.push(`@tags:{${tags.map(tagEscape).join(' | ')}}`);
  const lo = $('words-min').value;
  const hi = $('words-max').value;
  if (lo !== '' || hi !== '') parts.push(`@words:[${lo === '' ? '-inf' : Number(lo)} ${hi === '' ? '+inf' : Number(hi)}]`);
  return parts.length ? `(${parts.join(' ')})` : '*';
}

// ---- searching ------------------------------------------------------------------
/** A redis-cli double-quoted argument: runs unchanged in redis-cli / valkey-cli. */
function cliQuote(bytesOrString) {
  const b = typeof bytesOrString === 'string' ? new TextEncoder().encode(bytesOrString) : bytesOrString;
  let s = '"';
  for (const c of b) {
    if (c === 0x22) s += '\\"';
    else if (c === 0x5c) s += '\\\\';
    else if (c >= 0x20 && c < 0x7f) s += String.fromCharCode(c);
    else s += `\\x${c.toString(16).padStart(2, '0')}`;
  }
  return `${s}"`;
}

function knnClause(kind, k) {
  const s = settings[kind];
  const ef = Number($('ef').value);
  const efPart = s.algo === 'HNSW' && ef > 0 ? ` EF_RUNTIME ${ef}` : '';
  return `KNN ${k} @vec $q${efPart} AS score`;
}

const kValue = () => Math.max(1, Math.min(100, Number($('k').value) || 10));

/** A KNN search (filtered by `filter`), `exclude` left out of the k results; its command as text. */
async function knnSearch(kind, vec, returnFields, exclude, filter) {
  const k = kValue();
  const query = `${filter}=>[${knnClause(kind, exclude ? k + 1 : k)}]`;
  const t = performance.now();
  const r = await db.search(INDEXES[kind].name, query, {
    params: { q: vec },
    return: returnFields,
    vectors: true,
    dialect: 2,
    limit: [0, exclude ? k + 1 : k],
  });
  const ms = performance.now() - t;
  let results = r.results;
  if (exclude) results = results.filter((x) => x.key !== exclude).slice(0, k);
  const cmd = `FT.SEARCH ${INDEXES[kind].name} ${cliQuote(query)} PARAMS 2 q ${cliQuote(vecBytes(vec))} ` +
    `RETURN ${returnFields.length} ${returnFields.join(' ')} LIMIT 0 ${exclude ? k + 1 : k} DIALECT 2`;
  return { query, ms, total: r.total, results, cmd };
}

const vecBytes = (vec) => new Uint8Array(vec.buffer, vec.byteOffset, vec.byteLength);

async function search(kind, vec, returnFields, exclude) {
  const { query, ms, total, results, cmd } = await knnSearch(kind, vec, returnFields, exclude,
    kind === 'digits' ? digitFilter() : docFilter());
  demo.lastSearch = { kind, query, ms, total, results: results.map((x) => ({ key: x.key, score: x.score, fields: x.fields })) };
  demo.timings.firstResult ??= performance.now();
  $('latency').textContent = `— ${results.length} of ${total} in ${fmt(ms, 2)} ms (${settings[kind].algo})`;
  $('cmd').textContent = cmd;
  $('no-results').hidden = results.length > 0;
  if (!results.length) $('no-results').textContent = 'No document matches the filters.';
  return results;
}

async function searchDigits(vec, key) {
  const results = await search('digits', vec, ['score', 'label', 'vec']);
  const hits = $('hits');
  hits.className = 'hits';
  hits.replaceChildren(...results.map((x) => {
    const li = document.createElement('li');
    li.dataset.key = x.key;
    li.dataset.label = x.fields.label;
    li.dataset.score = x.score;
    const info = document.createElement('div');
    info.innerHTML = `<strong>${x.fields.label}</strong> <span class="muted">${x.key}</span><br><span class="dist">${fmt(x.score, 3)}</span>`;
    li.append(digitCanvas(x.fields.vec, 'thumb'), info);
    return li;
  }));
  demo.lastSearch.from = key ?? 'drawing';
  lastDigits = { vec, key };
  await voteDigits(vec, key);
  demo.searches++;
}

/**
 * What the K nearest digits say the digit is: FT.AGGREGATE groups them by
 * label, counts the votes and keeps each label's nearest distance (the
 * tie-break), most votes first.  A picked digit does not vote for itself.
 */
async function voteDigits(vec, key) {
  const k = kValue();
  const query = `${digitFilter()}=>[${knnClause('digits', key ? k + 1 : k)}]`;
  const steps = [
    ...(key ? [{ filter: `@__key != $self` }, { limit: [0, k] }] : []), // in distance order: the k nearest others
    { groupBy: 'label', reduce: [{ fn: 'COUNT', as: 'votes' }, { fn: 'MIN', args: ['@score'], as: 'nearest' }] },
    { sortBy: [{ by: '@votes', desc: true }, '@nearest'], max: 10 },
  ];
  const params = { q: vec, ...(key ? { self: key } : {}) };
  const rows = await db.aggregate(INDEXES.digits.name, query, { load: ['__key', 'label', 'score'], steps, params });
  const vote = $('vote');
  vote.hidden = !rows.length;
  vote.replaceChildren();
  if (rows.length) {
    const n = rows.reduce((a, r) => a + Number(r.votes), 0);
    vote.append(`The ${n} nearest vote `, Object.assign(document.createElement('strong'), { textContent: rows[0].label }),
      `: ${rows.map((r) => `${r.label} ×${r.votes}`).join(', ')}`);
  }
  demo.lastVote = rows.map((r) => ({ label: r.label, votes: Number(r.votes), nearest: Number(r.nearest) }));
  const cmd = ['FT.AGGREGATE', INDEXES.digits.name, cliQuote(query), 'LOAD', '3', '@__key', '@label', '@score'];
  if (key) cmd.push('FILTER', cliQuote('@__key != $self'), 'LIMIT', '0', String(k));
  cmd.push('GROUPBY', '1', '@label', 'REDUCE', 'COUNT', '0', 'AS', 'votes', 'REDUCE', 'MIN', '1', '@score', 'AS', 'nearest',
    'SORTBY', '3', '@votes', 'DESC', '@nearest', 'MAX', '10',
    'PARAMS', key ? '4' : '2', 'q', cliQuote(vecBytes(vec)), ...(key ? ['self', cliQuote(key)] : []), 'DIALECT', '2');
  $('cmd-vote').textContent = cmd.join(' ');
  $('vote-cmds').hidden = false;
}

let lastDigits = null; // the digit search shown, run again when the store changes

// ---- documents: keyword, vector and hybrid results side by side ----------------
const DOC_FIELDS = ['title', 'category', 'tags', 'words', 'text'];
const PRF_DOCS = 3; // keyword hits whose mean embedding is the vector query
const RRF_CONSTANT = 60;
let picked = null; // { key, title, vec }: the vector side's "more like this"
let docRun = 0; // the latest documents search; older ones are not shown

/** The words query with the TAG/NUMERIC filters. */
function withFilter(text, filter) {
  return filter === '*' ? text : `(${text}) ${filter}`;
}

const fieldsOf = (a) => {
  const o = {};
  for (let i = 0; i + 1 < (a?.length ?? 0); i += 2) o[a[i]] = a[i + 1];
  return o;
};

/** FT.SEARCH ... WITHSCORES: total, then key, score, [field, value, ...] per hit. */
async function keywordSearch(text, filter, k) {
  const query = withFilter(text, filter);
  const args = ['docs', query, 'WITHSCORES', 'RETURN', DOC_FIELDS.length, ...DOC_FIELDS, 'LIMIT', 0, k, 'DIALECT', 2];
  const t = performance.now();
  const r = await db.command('FT.SEARCH', ...args.map(String));
  const ms = performance.now() - t;
  const results = [];
  for (let i = 1; i < r.length; ) {
    const key = r[i++];
    const score = Array.isArray(r[i]) ? null : Number(r[i++]);
    results.push({ key, score, fields: fieldsOf(r[i++]) });
  }
  return { query, ms, total: Number(r[0]), results, cmd: `FT.SEARCH ${args.map((a, i) => (i === 1 ? cliQuote(a) : a)).join(' ')}` };
}

/**
 * FT.HYBRID (Redis 8.4): the words query and the KNN query fused by
 * Reciprocal Rank Fusion.  Its reply (RESP2): total_results, n, results,
 * [[field, value, ...] per row: the LOADed fields, __key and __score
 * among them], warnings, ...
 */
async function hybridSearch(text, filter, vec, k) {
  const s = settings.docs;
  const ef = Number($('ef').value);
  const window = Math.max(20, k);
  const knn = s.algo === 'HNSW' && ef > 0 ? ['KNN', 4, 'K', window, 'EF_RUNTIME', ef] : ['KNN', 2, 'K', window];
  const args = ['docs', 'SEARCH', withFilter(text, filter), 'VSIM', '@vec', '$q', ...knn,
    ...(filter === '*' ? [] : ['FILTER', filter]),
    'COMBINE', 'RRF', 4, 'CONSTANT', RRF_CONSTANT, 'WINDOW', window,
    'LOAD', DOC_FIELDS.length + 2, '@__key', '@__score', ...DOC_FIELDS.map((f) => `@${f}`), 'LIMIT', 0, k];
  const t = performance.now();
  const r = await db.command('FT.HYBRID', ...args.map(String), 'PARAMS', '2', 'q', vec);
  const ms = performance.now() - t;
  const reply = fieldsOf(r);
  const results = (reply.results ?? []).map((row) => {
    const f = fieldsOf(row);
    return { key: f.__key, score: Number(f.__score), fields: f };
  });
  // Rows without their fields (a LOAD the engine left out): read them.
  const missing = results.filter((x) => x.fields.title === undefined);
  if (missing.length) {
    const rows = await db.pipeline(missing.map((x) => ['HMGET', x.key, ...DOC_FIELDS]));
    missing.forEach((x, i) => DOC_FIELDS.forEach((f, j) => (x.fields[f] = rows[i][j])));
  }
  const quoted = new Set([2, filter === '*' ? -1 : args.indexOf('FILTER') + 1]);
  const cmd = `FT.HYBRID ${args.map((a, i) => (quoted.has(i) ? cliQuote(a) : a)).join(' ')} PARAMS 2 q ${cliQuote(vecBytes(vec))}`;
  return { ms, total: Number(reply.total_results ?? results.length), results, cmd };
}

/** The mean of the embeddings of `keys` (pseudo-relevance feedback). */
async function meanVector(keys) {
  const vecs = (await db.pipeline(keys.map((key) => ['HGET', key, 'vec']), { binary: true })).filter(Boolean).map(asVec);
  const mean = new Float32Array(INDEXES.docs.dim);
  for (const v of vecs) for (let i = 0; i < mean.length; i++) mean[i] += v[i] / vecs.length;
  return mean;
}

/** Text as text nodes and <mark>s for the matched words. */
function marked(el, pieces) {
  el.replaceChildren(...pieces.map((p) => {
    if (!p.mark) return document.createTextNode(p.text);
    const m = document.createElement('mark');
    m.textContent = p.text;
    return m;
  }));
  return el;
}

function docItem(x, match, scoreText, ranks) {
  const li = document.createElement('li');
  li.dataset.key = x.key;
  li.dataset.score = x.score;
  li.dataset.category = x.fields.category;
  li.dataset.tags = x.fields.tags;
  li.dataset.title = x.fields.title;
  const h = marked(document.createElement('div'), highlight(x.fields.title, match));
  h.className = 'doc-title';
  const meta = document.createElement('div');
  meta.className = 'muted';
  meta.textContent = `${x.key} · ${scoreText} · ${x.fields.category} · ${x.fields.words} words`;
  const tags = document.createElement('div');
  for (const t of String(x.fields.tags ?? '').split(',').filter(Boolean)) {
    const s = document.createElement('span');
    s.className = 'tag';
    s.textContent = t;
    tags.append(s);
  }
  const text = marked(document.createElement('div'), highlight(x.fields.text, match, { around: 280 }));
  text.className = 'doc-text';
  li.append(h, meta);
  if (ranks) {
    const r = document.createElement('div');
    r.className = 'ranks muted';
    r.textContent = ranks;
    li.append(r);
  }
  li.append(tags, text);
  return li;
}

/** One column: its line of information (or error) and its hits. */
function showColumn(id, { info = '', error = null, items = [] }) {
  const col = $(`col-${id}`);
  const p = col.querySelector('.col-info');
  p.textContent = error ?? info;
  p.classList.toggle('error', !!error);
  p.setAttribute('role', error ? 'alert' : 'status');
  $(`${id}-hits`).replaceChildren(...items);
}

const errorText = (e) => String(e?.message ?? e);

/**
 * The documents' three searches: the words (BM25), the vector (the picked
 * document's embedding, or the mean of the top keyword hits'), and both
 * fused by FT.HYBRID; each with the filters.
 */
async function searchDocs() {
  const run = demo.docRun = ++docRun;
  const text = $('doc-query').value.trim();
  const k = kValue();
  const filter = docFilter();
  const match = matcher(text ? queryTerms(text) : []);
  const out = { kind: 'docs', from: picked?.key ?? null, text, filter };

  let kw = null;
  if (text && demo.timings.ready === undefined) {
    kw = { error: 'The documents are still being imported and indexed: search again when the status above says it is done.' };
  } else if (text) {
    try {
      kw = await keywordSearch(text, filter, k);
    } catch (e) {
      kw = { error: errorText(e) };
    }
  }

  let vec = null;
  let vecFrom;
  if (picked) {
    vec = picked.vec;
    vecFrom = `Vector side: “more like this” of ${picked.key}, “${picked.title}”: its stored embedding is the query vector ` +
      '(the document itself left out of the vector column).';
  } else if (kw?.results?.length) {
    const top = kw.results.slice(0, PRF_DOCS).map((x) => x.key);
    vec = await meanVector(top);
    vecFrom = 'Vector side: this page has no embedding model to turn your words into a vector, so the query vector is ' +
      `the mean of the embeddings of the keyword search's top ${top.length} hit${top.length > 1 ? 's' : ''} ` +
      `(${top.join(', ')}): pseudo-relevance feedback. Pick a document below for “more like this” instead.`;
  } else {
    vecFrom = 'Vector side: this page has no embedding model; its query vector is the mean embedding of the keyword ' +
      'search\'s top 3 hits (pseudo-relevance feedback), or a picked document\'s embedding (“more like this”).';
  }

  let vr = null;
  if (vec) {
    try {
      vr = await knnSearch('docs', vec, ['score', ...DOC_FIELDS], picked?.key, filter);
    } catch (e) {
      vr = { error: errorText(e) };
    }
  }

  let hy = null;
  if (text && vec) {
    try {
      hy = await hybridSearch(text, filter, vec, k);
    } catch (e) {
      hy = { error: errorText(e) };
    }
  }
  if (run !== docRun) return; // a newer search is on its way

  const textNote = demo.textError ? ` (the index has no TEXT fields: ${demo.textError})` : '';
  const rankOf = (list) => new Map((list?.results ?? []).map((x, i) => [x.key, i + 1]));
  const kwRank = rankOf(kw);
  const vecRank = rankOf(vr);
  showColumn('kw', !text
    ? { info: 'Type words above to search the TEXT fields.' }
    : kw.error
      ? { error: `${kw.error}${textNote}` }
      : {
        info: `${kw.results.length} of ${kw.total} in ${fmt(kw.ms, 2)} ms, best first (BM25 scores, WITHSCORES)`,
        items: kw.results.map((x) => docItem(x, match, `BM25 ${fmt(x.score, 3)}`)),
      });
  showColumn('vec', !vec
    ? { info: text ? 'No keyword hits to take a vector from: pick a document below.' : 'Pick a document, or type words.' }
    : vr.error
      ? { error: vr.error }
      : {
        info: `${vr.results.length} of ${vr.total} in ${fmt(vr.ms, 2)} ms (${settings.docs.algo}), nearest first`,
        items: vr.results.map((x) => docItem(x, match, `distance ${fmt(x.score, 4)}`)),
      });
  const rrfInfo = `Reciprocal Rank Fusion (RRF, constant ${RRF_CONSTANT}): each document scores the sum of ` +
    `1 / (${RRF_CONSTANT} + its rank) over the keyword and vector lists`;
  showColumn('hyb', !text || !vec
    ? { info: 'Fuses the keyword and vector results once both have a query.' }
    : hy.error
      ? { error: `${hy.error}${textNote}` }
      : {
        info: `${hy.results.length} in ${fmt(hy.ms, 2)} ms. ${rrfInfo}.`,
        items: hy.results.map((x) => docItem(x, match, `RRF ${fmt(x.score, 4)}`,
          `keyword #${kwRank.get(x.key) ?? '–'} · vector #${vecRank.get(x.key) ?? '–'} (of the columns shown)`)),
      });

  $('vec-source').textContent = vecFrom;
  $('unpick').hidden = !picked;
  $('cmd-kw').textContent = kw?.cmd ?? (kw?.error ? `(failed: ${kw.error})` : '(no words to search)');
  $('cmd-vec').textContent = vr?.cmd ?? '(no query vector)';
  $('cmd-hyb').textContent = hy?.cmd ?? (hy?.error ? `(failed: ${hy.error})` : '(needs words and a query vector)');
  const parts = [];
  if (kw?.results) parts.push(`keyword ${kw.results.length}`);
  if (vr?.results) parts.push(`vector ${vr.results.length}`);
  if (hy?.results) parts.push(`hybrid ${hy.results.length}`);
  $('latency').textContent = parts.length ? `— ${parts.join(' · ')}${picked ? ` · like “${picked.title}”` : ''}` : '';
  $('no-results').hidden = true;

  const brief = (r) => (r?.results ? { ms: r.ms, total: r.total, cmd: r.cmd, results: r.results.map((x) => ({ key: x.key, score: x.score, fields: x.fields })) } : r && { error: r.error });
  Object.assign(out, { keyword: brief(kw), vector: brief(vr), hybrid: brief(hy) });
  demo.lastSearch = { ...out, query: vr?.query, ms: vr?.ms, total: vr?.total, results: out.vector?.results ?? [] };
  demo.lastDocs = out;
  demo.docsShown = run;
  demo.searches++;
}

// ---- the drawing pad ------------------------------------------------------------
function setupPad() {
  const pad = $('pad');
  const ctx = pad.getContext('2d');
  const clear = () => {
    ctx.fillStyle = '#000';
    ctx.fillRect(0, 0, pad.width, pad.height);
  };
  clear();
  let drawing = false;
  const pos = (e) => {
    const r = pad.getBoundingClientRect();
    return [((e.clientX - r.left) * pad.width) / r.width, ((e.clientY - r.top) * pad.height) / r.height];
  };
  pad.addEventListener('pointerdown', (e) => {
    drawing = true;
    pad.setPointerCapture(e.pointerId);
    ctx.beginPath();
    ctx.moveTo(...pos(e));
  });
  pad.addEventListener('pointermove', (e) => {
    if (!drawing) return;
    ctx.strokeStyle = '#fff';
    ctx.lineWidth = 22;
    ctx.lineCap = ctx.lineJoin = 'round';
    ctx.lineTo(...pos(e));
    ctx.stroke();
  });
  const end = () => {
    if (!drawing) return;
    drawing = false;
    searchDigits(padVector(), null);
  };
  pad.addEventListener('pointerup', end);
  pad.addEventListener('pointercancel', end);
  $('pad-clear').addEventListener('click', clear);
  $('pad-search').addEventListener('click', () => searchDigits(padVector(), null));
  const label = $('pad-label');
  for (let d = 0; d <= 9; d++) label.append(new Option(String(d), String(d)));
  $('pad-add').addEventListener('click', () => addDrawing(padVector(), label.value));
}

/**
 * A write: the drawing joins the store as a digit of the chosen label
 * (key digit:u:...), indexed at once; every tab of the store sees it.
 */
async function addDrawing(vec, label) {
  let ink = 0;
  for (const v of vec) if (v > 0.5) ink++;
  if (!ink) {
    status('Draw a digit first, then add it.');
    return;
  }
  const key = `digit:u:${Math.random().toString(36).slice(2, 8)}`;
  try {
    await db.hset(key, { label, ink: String(ink), vec });
    demo.added++;
    status(`Added ${key} (a ${label}) to the store; every open tab of this demo sees it.`);
    await searchDigits(vec, key);
  } catch (e) {
    status(`Could not add the digit: ${e.message}`);
  }
}

/**
 * The drawing as MNIST prepares its digits: the ink's bounding box scaled
 * into 20 x 20, centred by its centre of mass in a 28 x 28 image, [0, 1].
 */
function padVector() {
  const pad = $('pad');
  const src = pad.getContext('2d').getImageData(0, 0, pad.width, pad.height).data;
  let x0 = pad.width, y0 = pad.height, x1 = -1, y1 = -1;
  for (let y = 0; y < pad.height; y++) {
    for (let x = 0; x < pad.width; x++) {
      if (src[(y * pad.width + x) * 4] > 40) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
  }
  const out = new Float32Array(784);
  if (x1 < 0) return out;
  const w = x1 - x0 + 1, h = y1 - y0 + 1;
  const scale = 20 / Math.max(w, h);
  const tmp = document.createElement('canvas');
  tmp.width = tmp.height = 28;
  const t = tmp.getContext('2d');
  t.fillStyle = '#000';
  t.fillRect(0, 0, 28, 28);
  t.imageSmoothingQuality = 'high';
  const dw = w * scale, dh = h * scale;
  t.drawImage(pad, x0, y0, w, h, (28 - dw) / 2, (28 - dh) / 2, dw, dh);
  const px = t.getImageData(0, 0, 28, 28).data;
  let mx = 0, my = 0, mass = 0;
  for (let p = 0; p < 784; p++) {
    const v = px[p * 4] / 255;
    mass += v;
    mx += v * (p % 28);
    my += v * Math.floor(p / 28);
  }
  const sx = Math.round(13.5 - mx / mass), sy = Math.round(13.5 - my / mass);
  for (let y = 0; y < 28; y++) {
    for (let x = 0; x < 28; x++) {
      const fx = x - sx, fy = y - sy;
      out[y * 28 + x] = fx >= 0 && fx < 28 && fy >= 0 && fy < 28 ? px[(fy * 28 + fx) * 4] / 255 : 0;
    }
  }
  return out;
}

// ---- tabs and controls ---------------------------------------------------------------
let tab = 'digits';
function selectTab(kind, focus = false) {
  tab = kind;
  for (const k of ['digits', 'docs']) {
    const t = $(`tab-${k}`);
    t.setAttribute('aria-selected', String(k === kind));
    t.tabIndex = k === kind ? 0 : -1;
    $(`panel-${k}`).hidden = k !== kind;
    if (k === kind && focus) t.focus();
  }
  $('digit-filters').hidden = kind !== 'digits';
  $('doc-filters').hidden = kind !== 'docs';
  $('hits').replaceChildren();
  $('hits').hidden = kind !== 'digits';
  $('doc-results').hidden = kind !== 'docs';
  $('cmd').hidden = kind !== 'digits';
  $('doc-cmds').hidden = kind !== 'docs';
  $('vote-cmds').hidden = true;
  $('vote').hidden = true;
  $('cmd-what').innerHTML = kind === 'digits'
    ? 'queries as commands (<code>FT.SEARCH</code>, <code>FT.AGGREGATE</code>)'
    : 'queries as commands (<code>FT.SEARCH</code>, <code>FT.HYBRID</code>)';
  for (const id of ['kw', 'vec', 'hyb']) showColumn(id, {});
  for (const id of ['cmd', 'cmd-kw', 'cmd-vec', 'cmd-hyb']) $(id).textContent = '';
  $('vec-source').textContent = '';
  $('unpick').hidden = true;
  picked = null;
  $('latency').textContent = '';
  $('no-results').hidden = false;
  $('no-results').textContent = kind === 'digits' ? 'Pick a digit or draw one.' : 'Type words to search, or pick a document.';
  showSettings(kind);
}

function setupControls() {
  const labels = document.querySelector('#digit-filters .labels');
  for (let d = 0; d <= 9; d++) {
    const l = document.createElement('label');
    const c = document.createElement('input');
    c.type = 'checkbox';
    c.name = 'label';
    c.value = String(d);
    l.append(c, String(d));
    labels.append(l);
  }
  for (const k of ['digits', 'docs']) $(`tab-${k}`).addEventListener('click', () => selectTab(k));
  document.querySelector('.tabs').addEventListener('keydown', (e) => {
    if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') selectTab(tab === 'digits' ? 'docs' : 'digits', true);
  });
  $('algo').addEventListener('change', () => {
    for (const el of document.querySelectorAll('.hnsw-only')) el.hidden = $('algo').value !== 'HNSW';
  });
  $('more-digits').addEventListener('click', () => {
    gridOffset = (gridOffset + GRID) % 10000;
    showGrid();
  });
  $('doc-find').addEventListener('input', renderDocList);
  let typing;
  $('text-search').addEventListener('submit', (e) => {
    e.preventDefault();
    clearTimeout(typing);
    searchDocs();
  });
  $('doc-query').addEventListener('input', () => {
    clearTimeout(typing);
    typing = setTimeout(() => {
      if ($('doc-query').value.trim() || picked) searchDocs();
    }, 300);
  });
  $('unpick').addEventListener('click', () => {
    picked = null;
    searchDocs();
    $('doc-query').focus();
  });
  $('doc-filters').addEventListener('change', () => {
    if (tab === 'docs' && ($('doc-query').value.trim() || picked)) searchDocs();
  });
  $('rebuild').addEventListener('click', rebuild);
  $('reset').addEventListener('click', reset);
  $('copy-cmd').addEventListener('click', () => {
    const text = tab === 'digits'
      ? $('cmd').textContent
      : ['cmd-kw', 'cmd-vec', 'cmd-hyb'].map((id) => $(id).textContent).filter((c) => /^FT\./.test(c)).join('\n');
    navigator.clipboard?.writeText(text).catch(() => {});
  });
}

async function rebuild() {
  const want = {
    algo: $('algo').value,
    metric: $('metric').value,
    m: Math.max(2, Number($('m').value) || 16),
    efc: Math.max(1, Number($('efc').value) || 200),
  };
  $('rebuild').disabled = true;
  try {
    const ms = await buildIndex(tab, want, { label: 'Rebuilding' });
    showSettings(tab);
    status(`Rebuilt ${INDEXES[tab].name} as ${want.algo} ${want.metric} in ${fmt(ms / 1000, 1)} s; saving…`);
    await db.save();
    status(`Rebuilt ${INDEXES[tab].name} as ${want.algo} ${want.metric} in ${fmt(ms / 1000, 1)} s, saved to ${where()}.`);
  } catch (e) {
    status(`Could not rebuild: ${e.message}`);
  } finally {
    $('rebuild').disabled = false;
  }
}

/** Empty the store (every tab's: they reload and import again) and start over. */
async function reset() {
  $('reset').disabled = true;
  status(`Emptying the store in ${where()}…`);
  resetting = true;
  try {
    for (const name of await db.listIndexes()) await db.dropIndex(name);
    await db.flushall();
    await db.save();
  } catch (e) {
    status(`Could not empty the store: ${e.message}`);
    $('reset').disabled = false;
    resetting = false;
    return;
  }
  location.reload();
}

// ---- the store: where it lives, who owns it, following the other tabs ----------
const KINDS = { opfs: 'OPFS', indexeddb: 'IndexedDB', memory: 'memory' };
const where = () => KINDS[db?.storage?.kind] ?? 'storage';
let resetting = false;

async function storeInfo() {
  const keys = await db.dbsize();
  const mem = await db.usedMemory();
  $('store-info').textContent = `${fmt(keys)} keys, ${fmt(mem / 1048576, 1)} MiB in the engine (${db.build} build), ` +
    `store “${STORE}” in ${where()}${db.storage?.mode ? ` (${db.storage.mode} access)` : ''}.`;
  demo.keys = keys;
}

function showRole() {
  $('tab-role').textContent = db.role === 'owner'
    ? 'This tab owns the store: its engine runs here, and other tabs of this demo send their commands to it.'
    : 'Another tab owns the store: this tab\'s searches and writes go to it, and its writes show here.';
  demo.role = db.role;
}

/** Usage and quota of this site's storage, and whether it is kept persistently. */
async function showStorage() {
  const sm = navigator.storage;
  if (!sm?.estimate) {
    $('storage-info').textContent = 'This browser does not report storage usage.';
    return;
  }
  const [{ usage = 0, quota = 0 }, persisted] = await Promise.all([sm.estimate(), sm.persisted?.() ?? false]);
  const mb = (x) => fmt(x / 1048576, x < 1048576 * 10 ? 1 : 0);
  $('storage-info').textContent = `Storage: ${mb(usage)} MiB used of this site's ${mb(quota)} MiB quota; ` +
    (persisted ? 'kept persistently (the browser will not evict it).' : 'the browser may evict it under storage pressure.');
  $('persist').hidden = persisted || !sm.persist;
  demo.storage = { usage, quota, persisted };
}

async function askPersist() {
  const granted = await navigator.storage.persist().catch(() => false);
  status(granted ? 'The browser will keep this site\'s data.' : 'The browser declined to keep the data persistently (it decides by how the site is used; bookmarking it helps).');
  await showStorage();
}

/**
 * After a write by any tab (and after this tab took the store over):
 * the key count, the index settings and the digit search shown are read
 * again.  Coalesced: one catch-up at a time, one more if writes came
 * meanwhile.
 */
let following = null;
let followAgain = false;
function follow() {
  if (following) {
    followAgain = true;
    return;
  }
  following = (async () => {
    do {
      followAgain = false;
      if (resetting || !demo.timings.ready) return;
      const keys = await db.dbsize();
      if (keys === 0 && demo.timings.ready) {
        status('The store was emptied in another tab: reloading to import the datasets again…');
        location.reload();
        return;
      }
      await storeInfo();
      const names = await db.listIndexes();
      for (const kind of ['digits', 'docs']) if (names.includes(INDEXES[kind].name)) await readIndex(kind);
      showSettings(tab);
      if (tab === 'digits' && lastDigits) await searchDigits(lastDigits.vec, lastDigits.key);
      await showStorage();
      demo.follows++;
    } while (followAgain);
  })()
    .catch(() => {}) // the next change tries again
    .finally(() => {
      following = null;
    });
}

// ---- start ----------------------------------------------------------------------
let db;

async function start() {
  setupControls();
  setupPad();
  $('persist').addEventListener('click', askPersist);
  status('Opening the store (engine in a Web Worker, data in OPFS or IndexedDB, shared by this demo\'s tabs)…');
  db = await openShared({ storage: { browser: STORE } });
  demo.db = db;
  demo.timings.opened = performance.now();
  showRole();
  db.onRole(() => {
    showRole();
    if (db.role === 'owner') status(`The tab that owned the store closed: this tab took it over from ${where()}.`);
    follow();
  });
  showStorage();
  const report = db.loadReport;
  // The datasets are imported once, by the tab that owns the store; the
  // others wait for it (and take over the import if that tab closes).
  const imported = async () => {
    const names = await db.listIndexes();
    return names.includes(INDEXES.digits.name) && names.includes(INDEXES.docs.name);
  };
  let waited = false;
  let lastWrite = performance.now(); // the importing tab's last write seen here
  db.onChange(() => (lastWrite = performance.now()));
  while (!(await imported())) {
    if (db.role === 'owner') {
      demo.source = 'import';
      await importData(db);
      const t = performance.now();
      await buildIndex('digits', { algo: 'HNSW', metric: 'L2', m: 16, efc: 200 }, { from: 50, to: 90 });
      await buildIndex('docs', { algo: 'HNSW', metric: 'COSINE', m: 16, efc: 200 }, { from: 90, to: 98 });
      demo.timings.indexMs = performance.now() - t;
      status(`Saving the store to ${where()}…`, 99);
      const saved = await db.save();
      status(`Imported and indexed in ${fmt((performance.now() - demo.timings.start) / 1000, 1)} s; saved to ${where()} ` +
        `(${fmt(saved.bytes / 1048576, 1)} MB). Reload the page, or open it in another tab: it comes back from there.`);
      break;
    }
    waited = true;
    const quiet = (performance.now() - lastWrite) / 1000;
    status(quiet < 20
      ? 'Another tab is importing the datasets into the store; this tab follows it…'
      : `Another tab began importing the datasets but has written nothing for ${fmt(quiet)} s: it may have failed ` +
        '(its page says why). This tab goes on waiting; close that tab and this one imports them.');
    await new Promise((resolve) => {
      const stop = [db.onChange(done), db.onRole(done)];
      const timer = setTimeout(done, 1000);
      function done() {
        clearTimeout(timer);
        for (const f of stop) f();
        resolve();
      }
    });
  }
  if (demo.source !== 'import') {
    demo.source = waited || db.role !== 'owner' ? 'another tab' : 'snapshot';
    const what = db.role !== 'owner'
      ? 'the store is open in another tab of this demo, which answers this one'
      : report?.snapshot
        ? `snapshot of ${fmt(report.snapshotBytes / 1048576, 1)} MB loaded in ${fmt(report.loadMs)} ms` +
          (report.replayed ? `, ${fmt(report.replayed)} later writes replayed from the journal` : '')
        : `${fmt(report?.replayed ?? 0)} writes replayed from the journal`;
    const from = db.role === 'owner' ? `Reopened from ${where()}` : 'Joined';
    status(`${from}: ${what}.`);
    for (const kind of ['digits', 'docs']) {
      await db.indexReady(INDEXES[kind].name, {
        onProgress: (p) => {
          if (p.percent < 100) status(`Backfill of ${INDEXES[kind].name}: ${fmt(p.percent)}%`, p.percent);
        },
      });
    }
    if (!$('progress').hidden) status(`${from}: ${what}; indexes up to date.`);
  }
  await readIndex('digits');
  await readIndex('docs');
  if (!settings.docs.text && db.role === 'owner' && demo.source === 'snapshot') {
    // A store saved by an older page: the documents' index gains its TEXT fields.
    await buildIndex('docs', settings.docs, { label: 'Adding TEXT fields to' });
    if (!demo.textError) {
      await db.save();
      status(`The documents' index now has TEXT fields (title, text); saved to ${where()}.`);
    }
  }
  selectTab(tab); // the tab the visitor chose while the store was loading, if any
  await showGrid();
  await loadDocList();
  await storeInfo();
  // A first search right away, so the page shows what it does.
  const first = digitVecs.get('digit:0');
  if (first) await searchDigits(first, 'digit:0');
  demo.timings.ready = performance.now();
  db.onChange(follow); // from now on, every tab's writes show here
}

/**
 * For bench/demo.js: n KNN searches (K 10, no filter) through the worker,
 * as the page runs them, with the vectors of stored documents as queries.
 * Returns the median and mean round-trip milliseconds.
 */
demo.measure = async (kind, n = 200) => {
  const ix = INDEXES[kind];
  const keys = Array.from({ length: n }, (_, i) => `${ix.prefix}${(i * 37) % (kind === 'digits' ? 10000 : 778)}`);
  const vecs = (await db.pipeline(keys.map((k) => ['HGET', k, 'vec']), { binary: true })).map(asVec);
  const times = [];
  for (const v of vecs) {
    const t = performance.now();
    await db.search(ix.name, `*=>[KNN 10 @vec $q AS score]`, { params: { q: v }, noContent: true, dialect: 2 });
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return { median: times[n >> 1], mean: times.reduce((a, b) => a + b, 0) / n, algo: settings[kind].algo };
};
demo.rebuild = async (kind, want) => {
  await buildIndex(kind, { m: 16, efc: 200, metric: INDEXES[kind].metric, ...want });
  showSettings(tab);
};

demo.ready = start().catch((e) => {
  status(`Error: ${e.message}`);
  console.error(e);
  throw e;
});
demo.ready.catch(() => {});
