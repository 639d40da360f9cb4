// examples/edge/worker.js - Vessel in a Cloudflare-style module worker.
//
// The store opens from a snapshot shipped with the worker (10,000 mnist
// digits in an HNSW index, gzip-compressed, imported as a data module)
// layered under a key-value binding (env.VECTORS: a Workers KV namespace,
// or the local one in workerd.capnp) that keeps every write, so another
// isolate or a restart sees it.  One store per isolate, opened on the
// first request.
//
//   GET  /search?vector=<base64 float32>|key=<key>&k=10&filter=@label:{3}&ef=50
//   GET  /doc/<key>
//   POST /docs          [{ "key": "digit:new", "label": "3", "vector": [784 floats] }, ...]
//   GET  /info          index figures, engine memory, how the store was opened
//
// Errors answer { "error": "<exact Redis/Valkey error text>" } with 400.

import { KVStorage, open, OverlayStorage, ReplyError, SnapshotStorage } from 'vessel';
import shipped from './digits.vsnap.gz';

const INDEX = 'digits';
const DIM = 784;
let store = null; // Promise<{ db, openedMs }>

function openStore(env) {
  if (!store) {
    store = (async () => {
      const t = Date.now();
      const storage = new OverlayStorage(
        new SnapshotStorage(shipped, { gzip: true }),
        new KVStorage(env.VECTORS, { prefix: 'vessel/digits/' }),
      );
      // 'always': a write's response is sent once it is in the binding.
      const db = await open({ storage, durability: 'always', autosave: false });
      await db.indexReady(INDEX);
      return { db, openedMs: Date.now() - t };
    })();
    store.catch(() => {
      store = null; // try again on the next request
    });
  }
  return store;
}

const json = (body, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

function base64ToFloats(s) {
  const bin = atob(s.replace(/-/g, '+').replace(/_/g, '/'));
  if (bin.length % 4) throw new TypeError('vector: base64 of float32 bytes expected');
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return new Float32Array(bytes.buffer);
}

function fieldsOut(fields) {
  const out = {};
  for (const [k, v] of Object.entries(fields)) out[k] = v instanceof Float32Array ? Array.from(v) : v;
  return out;
}

async function search(db, url) {
  const q = url.searchParams;
  let vec;
  if (q.has('vector')) {
    vec = base64ToFloats(q.get('vector'));
  } else if (q.has('key')) {
    const bytes = await db.commandBuffer('HGET', q.get('key'), 'vec');
    if (!bytes) return json({ error: `no vector stored at key ${q.get('key')}` }, 404);
    vec = new Float32Array(bytes.slice().buffer);
  } else {
    return json({ error: 'give ?vector=<base64 float32> or ?key=<key>' }, 400);
  }
  const k = Math.min(Math.max(parseInt(q.get('k') ?? '10', 10) || 10, 1), 1000);
  const ef = q.has('ef') ? ` EF_RUNTIME ${parseInt(q.get('ef'), 10)}` : '';
  const filter = q.get('filter') || '*';
  const query = `${filter === '*' ? '*' : `(${filter})`}=>[KNN ${k} @vec $q${ef} AS score]`;
  const t = performance.now();
  const r = await db.search(INDEX, query, { params: { q: vec }, return: ['score', 'label'], limit: [0, k], dialect: 2 });
  return json({ query, took_ms: performance.now() - t, total: r.total, results: r.results.map((x) => ({ key: x.key, score: x.score, label: x.fields.label })) });
}

async function getDoc(db, key) {
  const h = await db.hgetall(key, { binary: true });
  if (!Object.keys(h).length) return json({ error: `no such key ${key}` }, 404);
  const out = {};
  for (const [f, v] of Object.entries(h)) {
    out[f] = f === 'vec' && v.length === DIM * 4 ? Array.from(new Float32Array(v.slice().buffer)) : new TextDecoder().decode(v);
  }
  return json({ key, fields: out });
}

async function putDocs(db, request) {
  const docs = await request.json();
  if (!Array.isArray(docs) || !docs.length || docs.length > 1000) return json({ error: 'a JSON array of 1 to 1000 documents expected' }, 400);
  const cmds = [];
  for (const d of docs) {
    if (typeof d.key !== 'string' || !d.key.startsWith('digit:')) return json({ error: 'each document needs a "key" starting with digit:' }, 400);
    const vec = typeof d.vector === 'string' ? base64ToFloats(d.vector) : new Float32Array(d.vector ?? []);
    if (vec.length !== DIM) return json({ error: `"vector" must have ${DIM} values` }, 400);
    const fields = ['vec', vec];
    for (const [f, v] of Object.entries(d)) if (f !== 'key' && f !== 'vector') fields.push(f, String(v));
    cmds.push(['HSET', d.key, ...fields]);
  }
  const replies = await db.pipeline(cmds); // resolves once durable in the binding
  const failed = replies.find((r) => r instanceof ReplyError);
  if (failed) return json({ error: failed.message }, 400);
  return json({ written: replies.length });
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    try {
      const { db, openedMs } = await openStore(env);
      if (request.method === 'GET' && url.pathname === '/search') return await search(db, url);
      if (request.method === 'GET' && url.pathname.startsWith('/doc/')) return await getDoc(db, decodeURIComponent(url.pathname.slice(5)));
      if (request.method === 'POST' && url.pathname === '/docs') return await putDocs(db, request);
      if (request.method === 'GET' && url.pathname === '/info') {
        const info = await db.indexInfo(INDEX);
        return json({
          num_docs: info.num_docs,
          index_memory: info.index_memory,
          engine_heap_bytes: db.usedMemory(),
          wasm_memory_bytes: db.wasmMemory(),
          shipped_snapshot_bytes: shipped.byteLength,
          opened_ms: openedMs,
          load: db.loadReport,
        });
      }
      return json({ error: 'not found: GET /search, GET /doc/<key>, POST /docs, GET /info' }, 404);
    } catch (e) {
      return json({ error: e.message }, e instanceof ReplyError || e instanceof TypeError || e instanceof SyntaxError ? 400 : 500);
    }
  },
};
