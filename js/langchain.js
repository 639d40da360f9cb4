// langchain.js - a LangChain.js VectorStore backed by an embedded Vessel
// store ('vessel/langchain'), in browsers, Web Workers, workerd and Node.
//
//   import { VesselVectorStore } from 'vessel/langchain';
//   const store = await VesselVectorStore.fromTexts(texts, metadatas, embeddings, {
//     indexName: 'docs',
//     customSchema: { category: 'TAG', year: 'NUMERIC' },
//   });
//   await store.similaritySearch('query', 4, { category: ['a', 'b'], year: { $gte: 2020 } });
//
// Documents are hashes laid out as @langchain/redis's RedisVectorStore lays
// them out (key `${keyPrefix}${id}`; fields `content`, `metadata` as JSON,
// `content_vector` as a FLOAT32 blob, and `metadata.<name>` for each
// metadata field of `customSchema`, indexed as TAG or NUMERIC), under an
// index made by FT.CREATE on first use with the embeddings' dimension.
// Searches are FT.SEARCH KNN queries, pre-filtered by TAG and NUMERIC
// clauses; scores are the index's distances (lower is closer), as
// RedisVectorStore returns them.
//
// The store is any runtime's `open()` result or the Web Worker client
// (`store`), or is opened here from `open` options through the package's
// own entry for the runtime (so `dir` works under Node and the engine
// module is preset under workerd).  Nothing here needs Node.

import { Document } from '@langchain/core/documents';
import { maximalMarginalRelevance } from '@langchain/core/utils/math';
import { VectorStore } from '@langchain/core/vectorstores';

const SCORE = 'vector_score';
const MAX_K = 10000; // valkey-search's limit on KNN's K
const FIELD_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

function fail(message) {
  return new Error(`vessel/langchain: ${message}`);
}

function failType(message) {
  return new TypeError(`vessel/langchain: ${message}`);
}

const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Pick an option given in RedisVectorStore's spelling or in Vessel's. */
function pick(o, upper, lower) {
  return o[upper] !== undefined ? o[upper] : o[lower];
}

/** indexOptions ({ ALGORITHM, DISTANCE_METRIC, M, ... } or { algorithm, distance, m, ... }). */
function normaliseIndexOptions(o = {}) {
  if (!isObject(o)) throw failType('indexOptions must be an object');
  const algorithm = String(pick(o, 'ALGORITHM', 'algorithm') ?? 'HNSW').toUpperCase();
  if (algorithm !== 'HNSW' && algorithm !== 'FLAT') throw failType(`indexOptions.algorithm must be HNSW or FLAT, not ${algorithm}`);
  const distance = String(pick(o, 'DISTANCE_METRIC', 'distance') ?? o.metric ?? 'COSINE').toUpperCase();
  if (!['COSINE', 'L2', 'IP'].includes(distance)) throw failType(`indexOptions.distance must be COSINE, L2 or IP, not ${distance}`);
  const out = { algorithm, distance };
  const params = [['INITIAL_CAP', 'initialCap'], ['BLOCK_SIZE', 'blockSize'], ['M', 'm'], ['EF_CONSTRUCTION', 'efConstruction'], ['EF_RUNTIME', 'efRuntime']];
  for (const [upper, lower] of params) {
    const v = pick(o, upper, lower);
    if (v === undefined) continue;
    if (!Number.isInteger(v) || v <= 0) throw failType(`indexOptions.${lower} must be a positive integer`);
    out[lower] = v;
  }
  return out;
}

/** customSchema: { name: 'TAG' | 'NUMERIC' | { type, separator?, caseSensitive? } } -> Map. */
function normaliseSchema(schema, reserved) {
  const out = new Map();
  if (schema === undefined) return out;
  if (!isObject(schema)) throw failType('customSchema must be an object of metadata field names');
  for (const [name, def] of Object.entries(schema)) {
    if (!FIELD_NAME.test(name)) throw failType(`customSchema: "${name}" is not a usable field name (letters, digits, _ . -)`);
    const d = typeof def === 'string' ? { type: def } : def;
    if (!isObject(d)) throw failType(`customSchema.${name} must be 'TAG', 'NUMERIC' or { type }`);
    const type = String(d.type ?? '').toUpperCase();
    if (type !== 'TAG' && type !== 'NUMERIC') throw failType(`customSchema.${name}: type must be TAG or NUMERIC, not ${d.type}`);
    const f = { type, field: null };
    if (type === 'TAG') {
      f.separator = pick(d, 'SEPARATOR', 'separator') ?? ',';
      if (typeof f.separator !== 'string' || f.separator.length !== 1) throw failType(`customSchema.${name}: the separator must be one character`);
      f.caseSensitive = !!pick(d, 'CASESENSITIVE', 'caseSensitive');
    }
    out.set(name, f);
  }
  for (const [name, f] of out) {
    f.field = `${reserved.metadataKey}.${name}`;
    if (Object.values(reserved).includes(f.field)) throw failType(`customSchema.${name} collides with ${f.field}`);
  }
  return out;
}

/** A tag for the query language: trimmed (as the index trims), punctuation escaped. */
function escapeTag(v) {
  return v.replace(/[\x00-\x2f\x3a-\x40\x5b-\x5e\x60\x7b-\x7f]/g, '\\$&');
}

function tagValue(name, v) {
  if (typeof v === 'number' && !Number.isFinite(v)) throw failType(`filter: ${name}: ${v} is not a tag`);
  if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') {
    throw failType(`filter: ${name}: tags are strings, numbers or booleans, not ${v === null ? 'null' : typeof v}`);
  }
  const s = String(v).trim();
  if (!s) throw failType(`filter: ${name}: an empty tag matches nothing`);
  return escapeTag(s);
}

function tagList(name, list) {
  if (!Array.isArray(list)) throw failType(`filter: ${name}: expected an array of tags`);
  if (!list.length) throw failType(`filter: ${name}: an empty list of tags matches nothing`);
  return list.map((v) => tagValue(name, v)).join(' | ');
}

function tagClause(name, f, cond) {
  const at = `@${f.field}:`;
  if (Array.isArray(cond)) return `${at}{${tagList(name, cond)}}`;
  if (!isObject(cond)) return `${at}{${tagValue(name, cond)}}`;
  const parts = [];
  for (const [op, v] of Object.entries(cond)) {
    if (op === '$eq') parts.push(`${at}{${tagValue(name, v)}}`);
    else if (op === '$in') parts.push(`${at}{${tagList(name, v)}}`);
    else if (op === '$ne') parts.push(`-${at}{${tagValue(name, v)}}`);
    else if (op === '$nin') parts.push(`-${at}{${tagList(name, v)}}`);
    else throw failType(`filter: unknown operator ${op} for the TAG field ${name} (use $eq, $ne, $in, $nin)`);
  }
  if (!parts.length) throw failType(`filter: ${name}: no condition`);
  return parts.join(' ');
}

function num(name, v) {
  if (typeof v !== 'number' || Number.isNaN(v)) throw failType(`filter: ${name}: ${JSON.stringify(v) ?? String(v)} is not a number`);
  return v === Infinity ? '+inf' : v === -Infinity ? '-inf' : String(v);
}

function numericClause(name, f, cond) {
  const at = `@${f.field}:`;
  if (!isObject(cond)) return `${at}[${num(name, cond)} ${num(name, cond)}]`;
  // Bounds: [value, exclusive]; the tightest of each side is kept.
  let lo = null;
  let hi = null;
  const parts = [];
  const lower = (v, excl) => {
    if (!lo || v > lo[0] || (v === lo[0] && excl)) lo = [v, excl];
  };
  const upper = (v, excl) => {
    if (!hi || v < hi[0] || (v === hi[0] && excl)) hi = [v, excl];
  };
  for (const [op, v] of Object.entries(cond)) {
    if (op === '$in' || op === '$nin') {
      if (!Array.isArray(v) || !v.length) throw failType(`filter: ${name}: ${op} needs a non-empty array of numbers`);
      const any = v.map((x) => `${at}[${num(name, x)} ${num(name, x)}]`).join(' | ');
      parts.push(op === '$in' ? `(${any})` : `-(${any})`);
      continue;
    }
    num(name, v); // a number, or a clear error
    const x = v;
    if (op === '$eq') lower(x, false), upper(x, false);
    else if (op === '$ne') parts.push(`-${at}[${num(name, x)} ${num(name, x)}]`);
    else if (op === '$gt') lower(x, true);
    else if (op === '$gte' || op === 'min') lower(x, false);
    else if (op === '$lt') upper(x, true);
    else if (op === '$lte' || op === 'max') upper(x, false);
    else throw failType(`filter: unknown operator ${op} for the NUMERIC field ${name} (use $eq, $ne, $gt, $gte, $lt, $lte, $in, $nin)`);
  }
  if (lo || hi) {
    const l = lo ?? [-Infinity, false];
    const h = hi ?? [Infinity, false];
    if (l[0] > h[0] || (l[0] === h[0] && (l[1] || h[1]))) throw failType(`filter: ${name}: the range ${JSON.stringify(cond)} is empty`);
    parts.unshift(`${at}[${l[1] ? '(' : ''}${num(name, l[0])} ${h[1] ? '(' : ''}${num(name, h[0])}]`);
  }
  if (!parts.length) throw failType(`filter: ${name}: no condition`);
  return parts.join(' ');
}

/**
 * A filter (object, or a raw valkey-search query string) -> the query's
 * filter part, or null for "every document".
 */
export function filterToQuery(filter, schema) {
  if (filter === undefined || filter === null) return null;
  if (typeof filter === 'string') return filter.trim() && filter.trim() !== '*' ? filter.trim() : null;
  if (!isObject(filter)) throw failType('a filter is an object ({ field: value, ... }) or a query string');
  const parts = [];
  const sub = (f, op) => {
    const q = filterToQuery(f, schema);
    if (q === null) throw failType(`filter: ${op} has an empty filter`);
    return q;
  };
  for (const [key, cond] of Object.entries(filter)) {
    if (key === '$and' || key === '$or') {
      if (!Array.isArray(cond) || !cond.length) throw failType(`filter: ${key} needs a non-empty array of filters`);
      const qs = cond.map((c) => `(${sub(c, key)})`);
      parts.push(key === '$and' ? qs.join(' ') : `(${qs.join(' | ')})`);
    } else if (key === '$not') {
      parts.push(`-(${sub(cond, key)})`);
    } else if (key.startsWith('$')) {
      throw failType(`filter: unknown operator ${key} (use $and, $or, $not, or a metadata field)`);
    } else {
      const f = schema.get(key);
      if (!f) {
        const known = [...schema.keys()];
        throw failType(`filter: "${key}" is not a filterable metadata field (customSchema has ${known.length ? known.join(', ') : 'none'})`);
      }
      if (cond === undefined) throw failType(`filter: ${key} is undefined`);
      parts.push(f.type === 'TAG' ? tagClause(key, f, cond) : numericClause(key, f, cond));
    }
  }
  return parts.length ? parts.join(' ') : null;
}

/** A metadata value -> what the hash field holds, or null to leave it out. */
function indexedValue(name, f, v) {
  if (v === undefined || v === null) return null;
  if (f.type === 'NUMERIC') {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw failType(`metadata.${name} must be a finite number (customSchema says NUMERIC), not ${JSON.stringify(v) ?? typeof v}`);
    return String(v);
  }
  const list = Array.isArray(v) ? v : [v];
  const tags = [];
  for (const t of list) {
    if ((typeof t !== 'string' && typeof t !== 'number' && typeof t !== 'boolean') || (typeof t === 'number' && !Number.isFinite(t))) {
      throw failType(`metadata.${name} must be tags (strings, numbers, booleans or an array of them; customSchema says TAG)`);
    }
    const s = String(t);
    if (s.includes(f.separator)) throw failType(`metadata.${name}: the tag ${JSON.stringify(s)} contains the separator "${f.separator}"`);
    if (s.trim()) tags.push(s.trim());
  }
  return tags.length ? tags.join(f.separator) : null;
}

function randomId() {
  const c = globalThis.crypto;
  if (c?.randomUUID) return c.randomUUID();
  const b = new Uint8Array(16);
  if (c?.getRandomValues) c.getRandomValues(b);
  else for (let i = 0; i < 16; i++) b[i] = Math.floor(Math.random() * 256);
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function checkIds(ids, what) {
  if (!Array.isArray(ids)) throw failType(`${what} must be an array of strings`);
  const seen = new Set();
  for (const id of ids) {
    if (typeof id !== 'string' || id === '') throw failType(`${what}: ${JSON.stringify(id) ?? String(id)} is not an id (a non-empty string)`);
    if (seen.has(id)) throw failType(`${what}: "${id}" appears twice`);
    seen.add(id);
  }
}

/** A vector (number[] or Float32Array) of `dim` finite numbers -> Float32Array. */
function toVector(v, dim, what) {
  if (!Array.isArray(v) && !(v instanceof Float32Array) && !(ArrayBuffer.isView(v) && !(v instanceof DataView))) {
    throw failType(`${what} is not a vector (an array of numbers)`);
  }
  if (v.length !== dim) throw fail(`${what} has ${v.length} dimensions; the index has ${dim}`);
  const out = new Float32Array(v);
  for (let i = 0; i < out.length; i++) {
    if (!Number.isFinite(out[i])) throw failType(`${what}[${i}] is ${v[i]}, not a finite number`);
  }
  return out;
}

function firstError(replies) {
  for (const r of replies) if (r instanceof Error) return r;
  return null;
}

/** Glob-escape a prefix for SCAN MATCH. */
const globEscape = (s) => s.replace(/[*?[\]\\]/g, '\\$&');

export class VesselVectorStore extends VectorStore {
  #store = null;
  #opening = null;
  #owned = false;
  #openOptions;
  #index = undefined; // undefined: not looked at; null: none; else { dim, distance, algorithm }
  #lock = Promise.resolve();

  _vectorstoreType() {
    return 'vessel';
  }

  /**
   * @param {import('@langchain/core/embeddings').EmbeddingsInterface} embeddings
   * @param {object} [config] see js/langchain.d.ts
   */
  constructor(embeddings, config = {}) {
    super(embeddings, config);
    if (!isObject(config)) throw failType('the config must be an object');
    this.indexName = config.indexName ?? 'langchain';
    if (typeof this.indexName !== 'string' || !this.indexName) throw failType('indexName must be a non-empty string');
    this.keyPrefix = config.keyPrefix ?? `doc:${this.indexName}:`;
    if (typeof this.keyPrefix !== 'string' || !this.keyPrefix) throw failType('keyPrefix must be a non-empty string');
    this.contentKey = config.contentKey ?? 'content';
    this.metadataKey = config.metadataKey ?? 'metadata';
    this.vectorKey = config.vectorKey ?? 'content_vector';
    const reserved = { contentKey: this.contentKey, metadataKey: this.metadataKey, vectorKey: this.vectorKey };
    for (const [k, v] of Object.entries(reserved)) {
      if (typeof v !== 'string' || !FIELD_NAME.test(v)) throw failType(`${k} must be a field name (letters, digits, _ . -)`);
    }
    if (new Set(Object.values(reserved)).size !== 3) throw failType('contentKey, metadataKey and vectorKey must differ');
    this.indexOptions = normaliseIndexOptions(config.indexOptions);
    this.schema = normaliseSchema(config.customSchema, reserved);
    this.filter = config.filter;
    if (this.filter !== undefined) filterToQuery(this.filter, this.schema); // refuse a bad default filter now
    this.batchSize = config.batchSize ?? 1000;
    if (!Number.isInteger(this.batchSize) || this.batchSize <= 0) throw failType('batchSize must be a positive integer');
    if (config.store && config.open) throw failType('give either `store` (an open store) or `open` (options to open one), not both');
    if (config.store) {
      if (typeof config.store.command !== 'function' || typeof config.store.search !== 'function') {
        throw failType('`store` must be an open Vessel store (open()) or a Web Worker store (openWorker())');
      }
      this.#store = config.store;
    } else {
      this.#openOptions = config.open ?? {};
      if (!isObject(this.#openOptions)) throw failType('`open` must be open() options');
    }
  }

  /** The Vessel store (opened on first use when the config gave `open` options). */
  async getStore() {
    if (this.#store) return this.#store;
    this.#opening ??= import('vessel')
      .then((m) => m.open(this.#openOptions))
      .then((db) => {
        this.#store = db;
        this.#owned = true;
        return db;
      })
      .catch((e) => {
        this.#opening = null;
        throw e;
      });
    return this.#opening;
  }

  /** Run `fn` after the index operations before it (creation, drop). */
  #serial(fn) {
    const run = this.#lock.then(fn);
    this.#lock = run.catch(() => {});
    return run;
  }

  /** The index's state: null when there is none yet. Waits for a backfill (a reopened store). */
  async #indexState(db) {
    if (this.#index !== undefined) return this.#index;
    const names = await db.listIndexes();
    if (!names.includes(this.indexName)) return null;
    const info = await db.indexInfo(this.indexName);
    const attr = (info.attributes ?? []).find((a) => a.type === 'VECTOR' && (a.attribute === this.vectorKey || a.identifier === this.vectorKey));
    if (!attr) throw fail(`the index "${this.indexName}" has no vector field "${this.vectorKey}"`);
    await db.indexReady(this.indexName);
    this.#index = { dim: Number(attr.index.dimensions), distance: attr.index.distance_metric, algorithm: attr.index.algorithm?.name };
    return this.#index;
  }

  /** Does the index exist? */
  async checkIndexExists() {
    const db = await this.getStore();
    return this.#serial(async () => (await this.#indexState(db)) !== null);
  }

  /**
   * Create the index (FT.CREATE) with this dimension, unless it exists;
   * addVectors does it on first use.
   */
  async createIndex(dimensions) {
    if (!Number.isInteger(dimensions) || dimensions <= 0) throw failType('createIndex needs the dimension, a positive integer');
    const db = await this.getStore();
    return this.#serial(() => this.#create(db, dimensions));
  }

  async #create(db, dim) {
    const state = await this.#indexState(db);
    if (state) return state;
    const o = this.indexOptions;
    const schema = { [this.vectorKey]: { type: 'VECTOR', algorithm: o.algorithm, dim, distance: o.distance } };
    for (const k of ['initialCap', 'blockSize', 'm', 'efConstruction', 'efRuntime']) {
      if (o[k] === undefined) continue;
      if ((k === 'blockSize' && o.algorithm !== 'FLAT') || (['m', 'efConstruction', 'efRuntime'].includes(k) && o.algorithm !== 'HNSW')) continue;
      schema[this.vectorKey][k] = o[k];
    }
    for (const f of this.schema.values()) {
      schema[f.field] = f.type === 'TAG' ? { type: 'TAG', separator: f.separator, caseSensitive: f.caseSensitive } : { type: 'NUMERIC' };
    }
    await db.createIndex(this.indexName, { prefix: this.keyPrefix, schema });
    await db.indexReady(this.indexName); // keys already under the prefix
    this.#index = { dim, distance: o.distance, algorithm: o.algorithm };
    return this.#index;
  }

  /**
   * Drop the index (FT.DROPINDEX), with the documents when asked; true
   * when there was one.
   */
  async dropIndex(deleteDocuments = false) {
    const db = await this.getStore();
    return this.#serial(async () => {
      const state = await this.#indexState(db);
      this.#index = undefined;
      if (!state) return false;
      await db.dropIndex(this.indexName, { deleteDocuments: !!deleteDocuments });
      return true;
    });
  }

  /**
   * Add documents: embedded with the store's embeddings, then addVectors.
   * @param {Array<import('@langchain/core/documents').DocumentInterface>} documents
   * @param {{ ids?: string[], batchSize?: number }} [options]
   */
  async addDocuments(documents, options = {}) {
    if (!Array.isArray(documents)) throw failType('addDocuments takes an array of documents');
    const texts = documents.map((d, i) => {
      if (!d || typeof d.pageContent !== 'string') throw failType(`documents[${i}] has no pageContent string`);
      return d.pageContent;
    });
    if (!documents.length) return [];
    return this.addVectors(await this.embeddings.embedDocuments(texts), documents, options);
  }

  /**
   * Add (or replace, by id) documents with their vectors, in pipelines of
   * `batchSize` commands; creates the index with the vectors' dimension
   * on first use.  Everything is checked before anything is written.
   * Returns the ids (options.ids, else each document's id, else new UUIDs).
   * @param {number[][]} vectors
   * @param {Array<import('@langchain/core/documents').DocumentInterface>} documents
   * @param {{ ids?: string[], batchSize?: number }} [options]
   */
  async addVectors(vectors, documents, options = {}) {
    if (!Array.isArray(vectors) || !Array.isArray(documents)) throw failType('addVectors takes an array of vectors and an array of documents');
    if (vectors.length !== documents.length) throw failType(`${vectors.length} vectors for ${documents.length} documents`);
    const { ids: given, batchSize = this.batchSize } = options ?? {};
    if (!Number.isInteger(batchSize) || batchSize <= 0) throw failType('batchSize must be a positive integer');
    if (given !== undefined && (!Array.isArray(given) || given.length !== documents.length)) {
      throw failType(`options.ids must be an array of ${documents.length} ids (one per document)`);
    }
    const ids = documents.map((d, i) => (given ? given[i] : d?.id ?? randomId()));
    checkIds(ids, given ? 'options.ids' : 'the documents\' ids');
    if (!documents.length) return [];
    const dim0 = vectors[0]?.length;
    if (!Number.isInteger(dim0) || dim0 <= 0) throw failType('vectors[0] is not a vector (an array of numbers)');

    // Every command is built (and so every input checked) before any write.
    const build = (dim) => {
      const commands = [];
      for (let i = 0; i < documents.length; i++) {
        const d = documents[i];
        if (!d || typeof d.pageContent !== 'string') throw failType(`documents[${i}] has no pageContent string`);
        const metadata = d.metadata ?? {};
        if (!isObject(metadata)) throw failType(`documents[${i}].metadata must be an object`);
        let json;
        try {
          json = JSON.stringify(metadata);
        } catch (e) {
          throw failType(`documents[${i}].metadata is not JSON: ${e.message}`);
        }
        const key = this.keyPrefix + ids[i];
        const hset = ['HSET', key, this.contentKey, d.pageContent, this.metadataKey, json, this.vectorKey, toVector(vectors[i], dim, `vectors[${i}]`)];
        const absent = [];
        for (const [name, f] of this.schema) {
          let v;
          try {
            v = indexedValue(name, f, metadata[name]);
          } catch (e) {
            throw failType(`documents[${i}]: ${e.message.replace(/^vessel\/langchain: /, '')}`);
          }
          if (v === null) absent.push(f.field);
          else hset.push(f.field, v);
        }
        commands.push(hset);
        // A replaced document loses the indexed fields it no longer has.
        if (absent.length) commands.push(['HDEL', key, ...absent]);
      }
      return commands;
    };
    const db = await this.getStore();
    const commands = await this.#serial(async () => {
      const state = await this.#indexState(db);
      const cmds = build(state ? state.dim : dim0);
      if (!state) await this.#create(db, dim0);
      return cmds;
    });
    for (let i = 0; i < commands.length; i += batchSize) {
      const err = firstError(await db.pipeline(commands.slice(i, i + batchSize)));
      if (err) throw err;
    }
    return ids;
  }

  /** The filter of a search: the argument's, AND-ed with the store's default `filter`. */
  #filterQuery(filter) {
    const parts = [filterToQuery(this.filter, this.schema), filterToQuery(filter, this.schema)].filter((q) => q !== null);
    return parts.length ? parts.map((q) => `(${q})`).join(' ') : null;
  }

  async #knn(query, k, filter, withVectors) {
    if (!Number.isInteger(k) || k < 0) throw failType(`k must be a non-negative integer, not ${k}`);
    if (k > MAX_K) throw failType(`k is at most ${MAX_K}`);
    const where = this.#filterQuery(filter);
    const db = await this.getStore();
    const state = await this.#serial(() => this.#indexState(db));
    if (!state) {
      toVector(query, query?.length, 'the query vector');
      return [];
    }
    const q = toVector(query, state.dim, 'the query vector');
    if (k === 0) return [];
    const ret = [this.contentKey, this.metadataKey, SCORE];
    if (withVectors) ret.push(this.vectorKey);
    const { results } = await db.search(this.indexName, `${where === null ? '*' : `(${where})`}=>[KNN ${k} @${this.vectorKey} $vector AS ${SCORE}]`, {
      params: { vector: q },
      return: ret,
      limit: [0, k],
      vectors: withVectors,
    });
    return results.map((r) => {
      let metadata = {};
      const m = r.fields[this.metadataKey];
      if (typeof m === 'string') {
        try {
          metadata = JSON.parse(m);
        } catch {
          metadata = {};
        }
      }
      const doc = new Document({
        pageContent: typeof r.fields[this.contentKey] === 'string' ? r.fields[this.contentKey] : '',
        metadata,
        id: r.key.startsWith(this.keyPrefix) ? r.key.slice(this.keyPrefix.length) : r.key,
      });
      return { doc, score: r.score, vector: r.fields[this.vectorKey] };
    });
  }

  /**
   * The k documents nearest the vector that pass the filter, with their
   * distances (lower is closer: 1 - cosine for COSINE, squared L2, 1 - dot
   * for IP), nearest first.
   * @param {number[]} query
   * @param {number} k
   * @param {object | string} [filter]
   * @returns {Promise<Array<[Document, number]>>}
   */
  async similaritySearchVectorWithScore(query, k, filter) {
    return (await this.#knn(query, k, filter, false)).map((r) => [r.doc, r.score]);
  }

  /**
   * Maximal marginal relevance: the fetchK nearest (filtered) documents,
   * re-ranked with their stored vectors for relevance and diversity.
   * @param {string} query
   * @param {{ k?: number, fetchK?: number, lambda?: number, filter?: object | string }} options
   */
  async maxMarginalRelevanceSearch(query, options = {}) {
    return this.maxMarginalRelevanceSearchByVector(await this.embeddings.embedQuery(query), options);
  }

  /** maxMarginalRelevanceSearch from a query vector. */
  async maxMarginalRelevanceSearchByVector(queryVector, { k = 4, fetchK = 20, lambda = 0.5, filter } = {}) {
    if (!Number.isInteger(k) || k < 0) throw failType(`k must be a non-negative integer, not ${k}`);
    if (typeof lambda !== 'number' || !(lambda >= 0 && lambda <= 1)) throw failType('lambda must be between 0 and 1');
    const found = await this.#knn(queryVector, Math.max(fetchK, k), filter, true);
    if (!found.length || k === 0) return [];
    const picked = maximalMarginalRelevance(Array.from(queryVector), found.map((r) => Array.from(r.vector)), lambda, k);
    return picked.map((i) => found[i].doc);
  }

  /**
   * Delete documents: `{ ids }` deletes those (missing ones are ignored);
   * `{ deleteAll: true }` deletes every key under the prefix and keeps
   * the index.
   */
  async delete(params = {}) {
    if (!isObject(params)) throw failType('delete takes { ids } or { deleteAll: true }');
    const db = await this.getStore();
    if (params.deleteAll === true) {
      let cursor = '0';
      do {
        const [next, keys] = await db.command('SCAN', cursor, 'MATCH', `${globEscape(this.keyPrefix)}*`, 'COUNT', 1000);
        if (keys.length) await db.command('DEL', ...keys);
        cursor = String(next);
      } while (cursor !== '0');
      return;
    }
    if (params.ids === undefined) throw failType('delete takes { ids } or { deleteAll: true }');
    checkIds(params.ids, 'ids');
    for (let i = 0; i < params.ids.length; i += this.batchSize) {
      const batch = params.ids.slice(i, i + this.batchSize).map((id) => this.keyPrefix + id);
      if (batch.length) await db.command('DEL', ...batch);
    }
  }

  /** Save a snapshot now (a store opened with a storage). */
  async save() {
    return (await this.getStore()).save();
  }

  /**
   * Close the store if it was opened here (from `open` options; a later
   * call opens it again); a given store stays open and in use.
   */
  async close() {
    const db = this.#store ?? (this.#opening ? await this.#opening.catch(() => null) : null);
    if (!db || !this.#owned) return;
    this.#store = null;
    this.#opening = null;
    this.#owned = false;
    this.#index = undefined;
    await db.close();
  }

  /**
   * A store over these texts (metadatas: one per text, or one for all).
   */
  static async fromTexts(texts, metadatas, embeddings, config = {}, options = {}) {
    if (!Array.isArray(texts)) throw failType('fromTexts takes an array of texts');
    const docs = texts.map((pageContent, i) => new Document({ pageContent, metadata: (Array.isArray(metadatas) ? metadatas[i] : metadatas) ?? {} }));
    return this.fromDocuments(docs, embeddings, config, options);
  }

  /** A store over these documents. */
  static async fromDocuments(docs, embeddings, config = {}, options = {}) {
    const store = new this(embeddings, config);
    await store.addDocuments(docs, options);
    return store;
  }

  /** A store over an index that exists (in a store opened from a storage); throws when it does not. */
  static async fromExistingIndex(embeddings, config = {}) {
    const store = new this(embeddings, config);
    if (!(await store.checkIndexExists())) {
      await store.close();
      throw fail(`there is no index named "${store.indexName}"`);
    }
    return store;
  }
}
