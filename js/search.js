// search.js - the search API's argument builders and reply parsers, kept
// apart from the store so the same code serves the in-thread store and
// the Web Worker proxy.
//
// createIndex(name, definition) -> FT.CREATE arguments
// search(index, query, options) -> FT.SEARCH arguments, and its reply ->
//   { total, results: [{ key, score, fields }] }
// FT.INFO's nested key/value arrays -> plain objects.

const utf8 = new TextDecoder();
const asString = (v) => (typeof v === 'string' ? v : utf8.decode(v));

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
  }
  return out;
}

/**
 * FT.CREATE arguments (without the command name).
 * @param {string} name
 * @param {{ prefix?: string|string[], skipInitialScan?: boolean, schema: object|Array }} def
 */
export function createArgs(name, def) {
  const args = [name, 'ON', 'HASH'];
  const prefixes = def.prefix === undefined ? [] : Array.isArray(def.prefix) ? def.prefix : [def.prefix];
  if (prefixes.length) args.push('PREFIX', prefixes.length, ...prefixes);
  if (def.skipInitialScan) args.push('SKIPINITIALSCAN');
  args.push('SCHEMA');
  const schema = def.schema;
  if (!schema || typeof schema !== 'object') throw new TypeError('vessel: createIndex needs a schema');
  const entries = Array.isArray(schema) ? schema.map((f) => [f.name, f]) : Object.entries(schema);
  if (!entries.length) throw new TypeError('vessel: the schema has no fields');
  for (const [fname, f] of entries) args.push(...fieldArgs(fname, typeof f === 'string' ? { type: f } : f));
  return args;
}

/**
 * FT.SEARCH arguments (without the command name).
 * @param {string} index
 * @param {string} query
 * @param {object} [o] params, return, limit, sortBy, noContent, dialect, timeout
 */
export function searchArgs(index, query, o = {}) {
  const args = [index, query];
  if (o.noContent) args.push('NOCONTENT');
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
  if (o.limit) {
    const l = Array.isArray(o.limit) ? { offset: o.limit[0], count: o.limit[1] } : o.limit;
    args.push('LIMIT', l.offset ?? 0, l.count ?? l.num ?? 10);
  }
  if (o.params) {
    const p = Object.entries(o.params);
    args.push('PARAMS', p.length * 2, ...p.flat());
  }
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

/** Vector field identifiers (and their aliases) of an FT.INFO object. */
export function vectorFields(info) {
  const names = new Set();
  for (const a of info.attributes ?? []) {
    if (a.type === 'VECTOR') {
      names.add(a.identifier);
      names.add(a.attribute);
    }
  }
  return names;
}

/**
 * Parse an FT.SEARCH reply fetched with binary bulk strings.
 * @returns {{ total: number, results: Array<{ key: string, score?: number, fields: object }> }}
 */
export function parseSearch(reply, { noContent, score, vectors, vectorNames, binary }) {
  const total = reply[0];
  const results = [];
  const step = noContent ? 1 : 2;
  for (let i = 1; i < reply.length; i += step) {
    const row = { key: asString(reply[i]), fields: {} };
    if (!noContent) {
      const f = reply[i + 1];
      for (let j = 0; j < f.length; j += 2) {
        const name = asString(f[j]);
        const raw = f[j + 1];
        if (score && name === score) {
          row.score = Number(asString(raw));
          continue;
        }
        if (vectorNames?.has(name) && vectors) {
          row.fields[name] = raw.byteLength % 4 === 0
            ? new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength))
            : raw;
        } else if (vectorNames?.has(name) || binary) {
          row.fields[name] = raw;
        } else {
          row.fields[name] = asString(raw);
        }
      }
    }
    results.push(row);
  }
  return { total, results };
}
