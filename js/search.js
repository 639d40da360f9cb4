// search.js - the search API's argument builders and reply parsers, kept
// apart from the store so the same code serves the in-thread store and
// the Web Worker proxy.
//
// createIndex(name, definition) -> FT.CREATE arguments
// search(index, query, options) -> FT.SEARCH arguments, and its reply ->
//   { total, results: [{ key, score, sortKey, fields }] } (score: the KNN
//   distance, or with withScores the text score WITHSCORES puts after each
//   key; sortKey: the SORTBY value with withSortKeys)
// hybrid(index, options) -> FT.HYBRID arguments (Redis 8.4's syntax), and
//   its reply map -> { total, results: [{ key, score, textScore,
//   vectorScore, fields }], warnings, executionTime }
// FT.INFO's nested key/value arrays -> plain objects.

import { vectorElementSize, vectorValues } from './vectors.js';

const utf8 = new TextDecoder();
const asString = (v) => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : utf8.decode(v));

function upper(v, what) {
  if (typeof v !== 'string') throw new TypeError(`vessel: ${what} must be a string`);
  return v.toUpperCase();
}

/** Turn a schema entry into FT.CREATE tokens. */
function fieldArgs(name, f) {
  const out = [name];
  if (f.as !== undefined) out.push('AS', f.as);
  const type = upper(f.type, `schema.${name}.type`);
  out.push(type);
  if (type === 'VECTOR') {
    const algo = upper(f.algorithm ?? 'FLAT', `schema.${name}.algorithm`);
    const params = ['TYPE', f.dataType ?? 'FLOAT32', 'DIM', f.dim, 'DISTANCE_METRIC', upper(f.distance ?? f.metric ?? 'L2', 'distance')];
    if (f.initialCap !== undefined) params.push('INITIAL_CAP', f.initialCap);
    if (algo === 'FLAT' && f.blockSize !== undefined) params.push('BLOCK_SIZE', f.blockSize);
    if (algo === 'HNSW') {
      if (f.m !== undefined) params.push('M', f.m);
      if (f.efConstruction !== undefined) params.push('EF_CONSTRUCTION', f.efConstruction);
      if (f.efRuntime !== undefined) params.push('EF_RUNTIME', f.efRuntime);
    }
    out.push(algo, params.length, ...params);
  } else if (type === 'TAG') {
    if (f.separator !== undefined) out.push('SEPARATOR', f.separator);
    if (f.caseSensitive) out.push('CASESENSITIVE');
  } else if (type === 'TEXT') {
    if (f.noStem) out.push('NOSTEM');
    if (f.withSuffixTrie !== undefined) out.push(f.withSuffixTrie ? 'WITHSUFFIXTRIE' : 'NOSUFFIXTRIE');
    if (f.weight !== undefined) out.push('WEIGHT', f.weight);
  }
  if (f.sortable) out.push('SORTABLE');
  return out;
}

/** FT.CREATE's index options before SCHEMA, in valkey-search's order. */
function indexOptionArgs(def) {
  const out = [];
  if (def.language !== undefined) out.push('LANGUAGE', def.language);
  if (def.skipInitialScan) out.push('SKIPINITIALSCAN');
  if (def.minStemSize !== undefined) out.push('MINSTEMSIZE', def.minStemSize);
  if (def.withOffsets !== undefined) out.push(def.withOffsets ? 'WITHOFFSETS' : 'NOOFFSETS');
  if (def.stopwords !== undefined) {
    if (def.stopwords === false || (Array.isArray(def.stopwords) && def.stopwords.length === 0)) out.push('NOSTOPWORDS');
    else if (Array.isArray(def.stopwords)) out.push('STOPWORDS', def.stopwords.length, ...def.stopwords);
    else throw new TypeError('vessel: stopwords must be an array of words or false');
  }
  if (def.punctuation !== undefined) out.push('PUNCTUATION', def.punctuation);
  return out;
}

/**
 * FT.CREATE arguments (without the command name).
 * @param {string} name
 * @param {{ prefix?: string|string[], skipInitialScan?: boolean, language?: string, minStemSize?: number,
 *   withOffsets?: boolean, stopwords?: string[]|false, punctuation?: string, schema: object|Array }} def
 */
export function createArgs(name, def) {
  const args = [name, 'ON', 'HASH'];
  const prefixes = def.prefix === undefined ? [] : Array.isArray(def.prefix) ? def.prefix : [def.prefix];
  if (prefixes.length) args.push('PREFIX', prefixes.length, ...prefixes);
  args.push(...indexOptionArgs(def), 'SCHEMA');
  const schema = def.schema;
  if (!schema || typeof schema !== 'object') throw new TypeError('vessel: createIndex needs a schema');
  const entries = Array.isArray(schema) ? schema.map((f) => [f.name, f]) : Object.entries(schema);
  if (!entries.length) throw new TypeError('vessel: the schema has no fields');
  for (const [fname, f] of entries) args.push(...fieldArgs(fname, typeof f === 'string' ? { type: f } : f));
  return args;
}

/** PARAMS n name value ... from an object. */
function paramArgs(params) {
  const p = Object.entries(params);
  return ['PARAMS', p.length * 2, ...p.flat()];
}

/** LIMIT offset count from [offset, count] or { offset, count }. */
function limitArgs(limit) {
  const l = Array.isArray(limit) ? { offset: limit[0], count: limit[1] } : limit;
  return ['LIMIT', l.offset ?? 0, l.count ?? l.num ?? 10];
}

/**
 * FT.SEARCH arguments (without the command name).
 * @param {string} index
 * @param {string} query
 * @param {object} [o] params, return, limit, sortBy ('field' or { field, direction: 'ASC'|'DESC' }),
 *   withSortKeys, noContent, dialect, timeout;
 *   for text queries withScores, scorer, verbatim, inOrder, slop
 */
export function searchArgs(index, query, o = {}) {
  const args = [index, query];
  if (o.noContent) args.push('NOCONTENT');
  if (o.withScores) args.push('WITHSCORES');
  if (o.scorer !== undefined) args.push('SCORER', o.scorer);
  if (o.verbatim) args.push('VERBATIM');
  if (o.inOrder) args.push('INORDER');
  if (o.slop !== undefined) args.push('SLOP', o.slop);
  if (o.return) {
    const ret = [];
    for (const r of o.return) {
      if (typeof r === 'string') ret.push(r);
      else ret.push(r.field, 'AS', r.as);
    }
    args.push('RETURN', ret.length, ...ret);
  }
  if (o.sortBy) {
    const s = typeof o.sortBy === 'string' ? { field: o.sortBy } : o.sortBy;
    args.push('SORTBY', s.field, s.direction ?? (s.desc ? 'DESC' : 'ASC'));
  }
  if (o.withSortKeys) args.push('WITHSORTKEYS');
  if (o.limit) args.push(...limitArgs(o.limit));
  if (o.params) args.push(...paramArgs(o.params));
  if (o.timeout !== undefined) args.push('TIMEOUT', o.timeout);
  args.push('DIALECT', o.dialect ?? 2);
  return args;
}

/** The score field name a KNN query will use (null for pure filters). */
export function scoreName(query, params = {}) {
  const m = /=>\s*\[\s*KNN\s+\S+\s+@(\S+)\s+\S+(.*)\]\s*$/is.exec(query);
  if (!m) return null;
  const as = /(?:^|\s)AS\s+(\S+)/i.exec(m[2]);
  if (!as) return { field: m[1], name: `__${m[1]}_score` };
  let name = as[1];
  if (name.startsWith('$') && params[name.slice(1)] !== undefined) name = String(params[name.slice(1)]);
  return { field: m[1], name };
}

/** Convert FT.INFO-style [k, v, k, v] arrays to objects, recursively. */
export function pairsToObject(a) {
  if (!Array.isArray(a)) return a;
  const isPairs = a.length % 2 === 0 && a.every((x, i) => i % 2 === 1 || typeof x === 'string');
  if (!isPairs || a.length === 0) return a.map(pairsToObject);
  const o = {};
  for (let i = 0; i < a.length; i += 2) o[a[i]] = pairsToObject(a[i + 1]);
  return o;
}

/** FT.INFO reply -> object, with the attribute list kept as an array. */
export function parseInfo(flat) {
  const info = {};
  for (let i = 0; i < flat.length; i += 2) {
    const k = flat[i];
    const v = flat[i + 1];
    info[k] = k === 'attributes' ? v.map(pairsToObject) : pairsToObject(v);
  }
  return info;
}

/** Vector field identifiers (and their aliases) of an FT.INFO object,
 * each to its element type ('FLOAT32', 'FLOAT16', ...). */
export function vectorFields(info) {
  const names = new Map();
  for (const a of info.attributes ?? []) {
    if (a.type === 'VECTOR') {
      const type = a.index?.data_type ?? 'FLOAT32';
      names.set(a.identifier, type);
      names.set(a.attribute, type);
    }
  }
  return names;
}

/** A field value as the search options ask: with `vectors`, vector fields
 * as numbers in their type's array (js/vectors.js vectorValues: a
 * Float32Array for the float types, Int8Array, Uint8Array); bytes for
 * vector fields and with `binary`, else text.  A value that is not a
 * whole vector of its type stays bytes. */
function fieldValue(name, raw, { vectors, vectorNames, binary }) {
  if (typeof raw === 'string' || typeof raw === 'number') return binary ? raw : String(raw);
  if (vectorNames?.has(name) && vectors) {
    const type = vectorNames.get(name);
    return raw.byteLength % vectorElementSize(type) === 0 ? vectorValues(raw, type) : raw;
  }
  if (vectorNames?.has(name) || binary) return raw;
  return asString(raw);
}

/**
 * Parse an FT.SEARCH reply fetched with binary bulk strings.  With
 * `withScores` each key is followed by its score (RediSearch's WITHSCORES
 * shape), which becomes row.score; without it row.score is the KNN score
 * field `score` names, taken out of the fields.  A WITHSORTKEYS sort key
 * ('#' and the value) becomes row.sortKey (the value).
 * @returns {{ total: number, results: Array<{ key: string, score?: number, sortKey?: string, fields: object }> }}
 */
export function parseSearch(reply, { noContent, withScores, score, vectors, vectorNames, binary }) {
  const total = reply[0];
  const results = [];
  for (let i = 1; i < reply.length;) {
    const row = { key: asString(reply[i++]), fields: {} };
    if (withScores) row.score = Number(asString(reply[i++]));
    // WITHSORTKEYS: a string ('#' and the SORTBY value) before the fields.
    if (!noContent && i < reply.length && !Array.isArray(reply[i])) row.sortKey = asString(reply[i++]).slice(1);
    if (!noContent) {
      const f = reply[i++];
      for (let j = 0; j < f.length; j += 2) {
        const name = asString(f[j]);
        const raw = f[j + 1];
        if (!withScores && score && name === score) {
          row.score = Number(asString(raw));
          continue;
        }
        row.fields[name] = fieldValue(name, raw, { vectors, vectorNames, binary });
      }
    }
    results.push(row);
  }
  return { total, results };
}

/** '@name' for a field name given with or without its '@'. */
const at = (name) => (String(name).startsWith('@') ? String(name) : `@${name}`);

/** The parameter name FT.HYBRID's VSIM reads the query vector from, when
 * the vector is given as a value rather than as '$name'. */
export const HYBRID_VECTOR_PARAM = '__vessel_vsim';

/** The COMBINE clause: RRF or LINEAR, with their counted arguments. */
function combineArgs(c) {
  const method = upper(c.method ?? 'RRF', 'combine.method');
  const a = [];
  if (method === 'RRF') {
    if (c.constant !== undefined) a.push('CONSTANT', c.constant);
  } else if (method === 'LINEAR') {
    if (c.alpha !== undefined || c.beta !== undefined) a.push('ALPHA', c.alpha ?? 0.3, 'BETA', c.beta ?? 0.7);
  } else {
    throw new TypeError(`vessel: combine.method must be 'RRF' or 'LINEAR', not ${c.method}`);
  }
  if (c.window !== undefined) a.push('WINDOW', c.window);
  if (c.yieldScoreAs !== undefined) a.push('YIELD_SCORE_AS', c.yieldScoreAs);
  return ['COMBINE', method, a.length, ...a];
}

/**
 * FT.HYBRID arguments (without the command name), Redis 8.4's syntax:
 *   index SEARCH query [SCORER s] [YIELD_SCORE_AS a]
 *   VSIM @field $param [KNN n K k [EF_RUNTIME e] | RANGE n RADIUS r [EPSILON e]]
 *     [FILTER expr] [YIELD_SCORE_AS a]
 *   [COMBINE RRF|LINEAR n ...] [LOAD n @f [AS a] ... | LOAD *]
 *   [SORTBY n @f [ASC|DESC] ... | NOSORT] [LIMIT o n] [PARAMS n ...] [TIMEOUT t]
 * A vector given as a value goes into PARAMS under HYBRID_VECTOR_PARAM.
 * With `load`, __key and the fused score are loaded too (the reply shows
 * neither by itself then), so every row has its key and score; `load: '*'`
 * loads those two, and hybrid() then reads each row's hash (HGETALL in one
 * pipeline), since Redis's `LOAD *` rows carry no key.
 * @returns {{ args: Array, names: { score: string, text?: string, vector?: string } }}
 */
export function hybridArgs(index, o = {}) {
  const s = typeof o.search === 'string' ? { query: o.search } : o.search;
  if (!s || typeof s.query !== 'string') throw new TypeError('vessel: hybrid needs search.query (a string)');
  const v = o.vsim;
  if (!v || typeof v.field !== 'string') throw new TypeError('vessel: hybrid needs vsim.field');
  if (v.vector === undefined) throw new TypeError('vessel: hybrid needs vsim.vector (a vector or a $parameter name)');
  const params = { ...(o.params ?? {}) };
  let vparam;
  if (typeof v.vector === 'string') {
    vparam = v.vector.startsWith('$') ? v.vector : `$${v.vector}`;
  } else {
    vparam = `$${HYBRID_VECTOR_PARAM}`;
    params[HYBRID_VECTOR_PARAM] = v.vector;
  }
  const args = [index, 'SEARCH', s.query];
  if (s.scorer !== undefined) args.push('SCORER', s.scorer);
  if (s.yieldScoreAs !== undefined) args.push('YIELD_SCORE_AS', s.yieldScoreAs);
  args.push('VSIM', at(v.field), vparam);
  const knn = v.knn ?? (v.k !== undefined ? { k: v.k, efRuntime: v.efRuntime } : undefined);
  if (knn && v.range) throw new TypeError('vessel: vsim takes knn or range, not both');
  if (knn) {
    const a = ['K', knn.k];
    if (knn.efRuntime !== undefined) a.push('EF_RUNTIME', knn.efRuntime);
    args.push('KNN', a.length, ...a);
  } else if (v.range) {
    const a = ['RADIUS', v.range.radius];
    if (v.range.epsilon !== undefined) a.push('EPSILON', v.range.epsilon);
    args.push('RANGE', a.length, ...a);
  }
  if (v.filter !== undefined) args.push('FILTER', v.filter);
  if (v.yieldScoreAs !== undefined) args.push('YIELD_SCORE_AS', v.yieldScoreAs);
  if (o.combine) args.push(...combineArgs(o.combine));
  const score = o.combine?.yieldScoreAs ?? '__score';
  if (o.load === '*') {
    // Redis's LOAD * rows hold the fields but not the key: the key and
    // score are loaded here, and hybrid() reads the hashes after.
    args.push('LOAD', o.combine?.yieldScoreAs ? 1 : 2, '@__key', ...(o.combine?.yieldScoreAs ? [] : ['@__score']));
  } else if (o.load) {
    const l = [];
    const names = new Set();
    for (const f of o.load) {
      const field = typeof f === 'string' ? f : f.field;
      l.push(at(field));
      names.add(typeof f === 'string' || f.as === undefined ? field.replace(/^@/, '') : f.as);
      if (typeof f !== 'string' && f.as !== undefined) l.push('AS', f.as);
    }
    if (!names.has('__key')) l.push('@__key');
    // A COMBINE YIELD_SCORE_AS name is shown with LOAD by itself.
    if (!o.combine?.yieldScoreAs && !names.has('__score')) l.push('@__score');
    args.push('LOAD', l.length, ...l); // AS and its name are counted, as RediSearch counts them
  }
  if (o.sortBy) {
    const list = Array.isArray(o.sortBy) ? o.sortBy : [o.sortBy];
    const a = [];
    for (const e of list) {
      const x = typeof e === 'string' ? { field: e } : e;
      a.push(at(x.field));
      const dir = x.direction ?? (x.desc ? 'DESC' : undefined);
      if (dir !== undefined) a.push(upper(dir, 'sortBy.direction'));
    }
    args.push('SORTBY', a.length, ...a);
  } else if (o.noSort) {
    args.push('NOSORT');
  }
  if (o.limit) args.push(...limitArgs(o.limit));
  if (Object.keys(params).length) args.push(...paramArgs(params));
  if (o.timeout !== undefined) args.push('TIMEOUT', o.timeout);
  return { args, names: { score, text: s.yieldScoreAs, vector: v.yieldScoreAs } };
}

/** A RESP2 map (a flat [name, value, ...] array) or a RESP3 one, as entries. */
function mapEntries(m) {
  if (m instanceof Map) return [...m].map(([k, val]) => [asString(k), val]);
  if (Array.isArray(m)) {
    const out = [];
    for (let i = 0; i + 1 < m.length; i += 2) out.push([asString(m[i]), m[i + 1]]);
    return out;
  }
  return Object.entries(m ?? {});
}

/**
 * Parse an FT.HYBRID reply (fetched with binary bulk strings): the map
 * { total_results, results, warnings, execution_time }, each result a map
 * of fields.  __key becomes row.key, the fused score row.score, the SEARCH
 * and VSIM score aliases row.textScore and row.vectorScore (each only for
 * the documents that list held); the rest stays in row.fields.
 * @returns {{ total: number, results: Array<object>, warnings: string[], executionTime: number }}
 */
/**
 * Fill each row's fields from its hash (HGETALL replies fetched with
 * binary bulk strings, in row order): what `load: '*'` gives, since Redis's
 * `LOAD *` rows carry no key.
 */
export function fillHybridFields(out, hashes, { vectors, vectorNames, binary }) {
  out.results.forEach((row, i) => {
    const flat = hashes[i];
    if (!Array.isArray(flat)) return; // deleted in between, or an error
    for (let j = 0; j + 1 < flat.length; j += 2) {
      const name = asString(flat[j]);
      row.fields[name] = fieldValue(name, flat[j + 1], { vectors, vectorNames, binary });
    }
  });
  return out;
}

export function parseHybrid(reply, { names, vectors, vectorNames, binary }) {
  const out = { total: 0, results: [], warnings: [], executionTime: 0 };
  for (const [k, val] of mapEntries(reply)) {
    if (k === 'total_results') out.total = Number(typeof val === 'number' ? val : asString(val));
    else if (k === 'warnings') out.warnings = (val ?? []).map(asString);
    else if (k === 'execution_time') out.executionTime = Number(asString(val));
    else if (k === 'results') {
      for (const r of val) {
        const row = { key: undefined, score: undefined, fields: {} };
        for (const [name, raw] of mapEntries(r)) {
          const num = () => Number(typeof raw === 'number' ? raw : asString(raw));
          if (name === '__key') row.key = asString(raw);
          else if (name === names.score || name === '__score') row.score = num();
          else if (names.text !== undefined && name === names.text) row.textScore = num();
          else if (names.vector !== undefined && name === names.vector) row.vectorScore = num();
          else row.fields[name] = fieldValue(name, raw, { vectors, vectorNames, binary });
        }
        out.results.push(row);
      }
    }
  }
  return out;
}

/**
 * FT.AGGREGATE's arguments.  Options: load ('*' or field names), params,
 * dialect, timeout, verbatim, inOrder, slop, and steps: a list run in
 * order, each one of
 *   { apply: expr, as: name }            { filter: expr }
 *   { groupBy: fields, reduce: [{ fn, args: [...], as }] }
 *   { sortBy: [expr | { by: expr, desc }], max }   { limit: [offset, count] }
 * @param {string} index
 * @param {string} query
 * @param {object} [o]
 */
export function aggregateArgs(index, query, o = {}) {
  const args = [index, query];
  if (o.verbatim) args.push('VERBATIM');
  if (o.inOrder) args.push('INORDER');
  if (o.slop !== undefined) args.push('SLOP', o.slop);
  if (o.load === '*') args.push('LOAD', '*');
  else if (o.load) args.push('LOAD', o.load.length, ...o.load.map(at));
  for (const s of o.steps ?? []) {
    if (s.apply !== undefined) args.push('APPLY', s.apply, 'AS', s.as);
    else if (s.filter !== undefined) args.push('FILTER', s.filter);
    else if (s.groupBy !== undefined) {
      const g = [].concat(s.groupBy).map(at);
      args.push('GROUPBY', g.length, ...g);
      for (const r of s.reduce ?? []) {
        const ra = r.args ?? [];
        args.push('REDUCE', r.fn, ra.length, ...ra);
        if (r.as !== undefined) args.push('AS', r.as);
      }
    } else if (s.sortBy !== undefined) {
      const keys = [];
      for (const k of [].concat(s.sortBy)) {
        if (typeof k === 'string') keys.push(k);
        else keys.push(k.by, k.desc ? 'DESC' : 'ASC');
      }
      args.push('SORTBY', keys.length, ...keys);
      if (s.max !== undefined) args.push('MAX', s.max);
    } else if (s.limit !== undefined) args.push(...limitArgs(s.limit));
    else throw new TypeError(`aggregate: unknown step ${JSON.stringify(s)}`);
  }
  if (o.params) args.push(...paramArgs(o.params));
  if (o.timeout !== undefined) args.push('TIMEOUT', o.timeout);
  args.push('DIALECT', o.dialect ?? 2);
  return args;
}

/** FT.AGGREGATE's reply as rows of { name: value } (lists as arrays). */
export function parseAggregate(reply, { binary } = {}) {
  const value = (v) => (Array.isArray(v) ? v.map(value) : v === null || binary ? v : asString(v));
  const rows = [];
  for (let i = 1; i < reply.length; i++) {
    const row = {};
    const f = reply[i];
    for (let j = 0; j < f.length; j += 2) row[asString(f[j])] = value(f[j + 1]);
    rows.push(row);
  }
  return rows;
}
