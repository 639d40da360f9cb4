// vector-types.test.js - vector element types (TYPE FLOAT32 | FLOAT16 |
// BFLOAT16 | INT8 | UINT8) and vectors held once:
//  - for each type x metric x {FLAT, HNSW}: seeded random vectors, KNN
//    answers and distances against a brute-force model computing in the
//    engine's arithmetic (the FLOAT32 kernel's float32 accumulation order,
//    float16/bfloat16 widened exactly, INT8/UINT8 in exact integers;
//    COSINE from the inverse norms): FLAT exactly, HNSW's distances
//    exactly and its recall high;
//  - HGET gives back exactly the bytes written after HSET, overwrite,
//    RENAME, MOVE, and after reopening from a snapshot and from the
//    journal (answers unchanged);
//  - invalid blobs (wrong size; NaN or infinity in float types) are
//    indexing failures; FT.CREATE and FT.SEARCH error texts;
//  - a snapshot whose hash holds a vector that is not valid any more for
//    its index, or that the index misses, is refused as damage.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemoryStorage, open } from '../../js/node.js';
import { prng } from './prng.js';
import { buildSnapshot, loadInto } from './snapshot-file.js';

const TYPES = ['FLOAT32', 'FLOAT16', 'BFLOAT16', 'INT8', 'UINT8'];
const METRICS = ['L2', 'IP', 'COSINE'];
const SIZE = { FLOAT32: 4, FLOAT16: 2, BFLOAT16: 2, INT8: 1, UINT8: 1 };
const f = Math.fround;

// ---- the model's arithmetic ----

const f32buf = new Float32Array(1);
const u32buf = new Uint32Array(f32buf.buffer);
function f16ToF32(h) {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}
function bf16ToF32(h) {
  u32buf[0] = h << 16;
  return f32buf[0];
}

/** The components of a blob as numbers (float32 values for float types). */
function decode(type, b) {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const n = b.length / SIZE[type];
  const out = new Array(n);
  for (let i = 0; i < n; i++) {
    if (type === 'FLOAT32') out[i] = dv.getFloat32(4 * i, true);
    else if (type === 'FLOAT16') out[i] = f16ToF32(dv.getUint16(2 * i, true));
    else if (type === 'BFLOAT16') out[i] = bf16ToF32(dv.getUint16(2 * i, true));
    else if (type === 'INT8') out[i] = dv.getInt8(i);
    else out[i] = dv.getUint8(i);
  }
  return out;
}

/** The FLOAT32 kernel's sum: 16 lanes, then blocks of 4, a fixed reduction, the tail. */
function f32sum(a, b, term) {
  const acc = new Array(16).fill(0);
  let i = 0;
  const n = a.length;
  for (; i + 16 <= n; i += 16) for (let j = 0; j < 16; j++) acc[j] = f(acc[j] + term(a[i + j], b[i + j]));
  for (; i + 4 <= n; i += 4) for (let j = 0; j < 4; j++) acc[j] = f(acc[j] + term(a[i + j], b[i + j]));
  const v = [0, 1, 2, 3].map((l) => f(f(acc[l] + acc[4 + l]) + f(acc[8 + l] + acc[12 + l])));
  let s = f(f(v[0] + v[1]) + f(v[2] + v[3]));
  for (; i < n; i++) s = f(s + term(a[i], b[i]));
  return s;
}
const l2term = (x, y) => {
  const d = f(x - y);
  return f(d * d);
};
const dotterm = (x, y) => f(x * y);

function sums(type, a, b) {
  if (type === 'INT8' || type === 'UINT8') {
    let l2 = 0;
    let dot = 0;
    for (let i = 0; i < a.length; i++) {
      l2 += (a[i] - b[i]) ** 2;
      dot += a[i] * b[i];
    }
    return { l2: f(l2), dot: f(dot) };
  }
  return { l2: f32sum(a, b, l2term), dot: f32sum(a, b, dotterm) };
}

function invNorm(type, a) {
  const ss = sums(type, a, a).dot;
  if (!(ss > 0)) return 0;
  return f(1 / f(Math.sqrt(ss)));
}

/** The distance the engine reports (float32). */
function modelDistance(type, metric, q, v) {
  const { l2, dot } = sums(type, q, v);
  if (metric === 'L2') return l2;
  if (metric === 'IP') return f(1 - dot);
  const r = f(1 - f(f(dot * invNorm(type, q)) * invNorm(type, v)));
  return Number.isNaN(r) ? 1 : r;
}

// ---- seeded vectors of each type ----

function randomBlob(type, dim, r) {
  const b = new Uint8Array(dim * SIZE[type]);
  const dv = new DataView(b.buffer);
  for (let i = 0; i < dim; i++) {
    const x = (r() * 2 - 1) * 4;
    if (type === 'FLOAT32') dv.setFloat32(4 * i, x, true);
    else if (type === 'FLOAT16') dv.setUint16(2 * i, (r() < 0.5 ? 0x8000 : 0) | ((5 + r.int(14)) << 10) | r.int(1024), true);
    else if (type === 'BFLOAT16') {
      f32buf[0] = x;
      dv.setUint16(2 * i, u32buf[0] >>> 16, true);
    } else if (type === 'INT8') dv.setInt8(i, r.int(256) - 128);
    else dv.setUint8(i, r.int(256));
  }
  return b;
}

/** A blob of type whose first component is not finite (float types). */
function badBlob(type, dim, what) {
  const b = new Uint8Array(dim * SIZE[type]);
  const dv = new DataView(b.buffer);
  const x = what === 'nan' ? NaN : Infinity;
  if (type === 'FLOAT32') dv.setFloat32(0, x, true);
  else if (type === 'FLOAT16') dv.setUint16(0, what === 'nan' ? 0x7e00 : 0x7c00, true);
  else {
    f32buf[0] = x;
    dv.setUint16(0, u32buf[0] >>> 16, true);
  }
  return b;
}

const schemaOf = (algo, type, dim, metric) => ['VECTOR', algo, ...(algo === 'HNSW' ? ['10', 'M', '16', 'EF_CONSTRUCTION', '200'] : ['6']),
  'TYPE', type, 'DIM', String(dim), 'DISTANCE_METRIC', metric];

async function knn(db, index, q, k, ef) {
  const r = await db.commandBuffer('FT.SEARCH', index, `*=>[KNN ${k} @v $q${ef ? ` EF_RUNTIME ${ef}` : ''} AS d]`, 'PARAMS', '2', 'q', q,
    'RETURN', '1', 'd', 'DIALECT', '2');
  const out = [];
  for (let i = 1; i < r.length; i += 2) out.push({ key: Buffer.from(r[i]).toString(), d: Number(Buffer.from(r[i + 1][1]).toString()) });
  return out;
}

const DIM = 37; // 2 blocks of 16, a block of 4, a tail of 1

for (const type of TYPES) {
  test(`${type}: KNN answers and distances of FLAT and HNSW against the model, every metric`, async () => {
    const seed = 1500 + TYPES.indexOf(type);
    const r = prng(seed);
    const msg = `seed ${seed}`;
    const db = await open();
    for (const algo of ['FLAT', 'HNSW'])
      for (const metric of METRICS) {
        // COSINE indexes also hold a zero vector (at distance 1 from all);
        // not the others, where it would sit at the centre of all vectors
        // as a hub that lowers recall at small EF_RUNTIME.
        const prefixes = metric === 'COSINE' ? ['2', 'd:', 'z:'] : ['1', 'd:'];
        await db.command('FT.CREATE', `${algo}_${metric}`, 'PREFIX', ...prefixes, 'SCHEMA', 'v', ...schemaOf(algo, type, DIM, metric));
      }
    const zero = new Uint8Array(DIM * SIZE[type]);
    await db.hset('z:0', { v: zero });
    const docs = new Map();
    const N = 150;
    for (let i = 0; i < N; i++) {
      const b = randomBlob(type, DIM, r);
      docs.set(`d:${i}`, b);
      await db.hset(`d:${i}`, { v: b });
    }
    // Overwrites and deletions, so HNSW reuses slots and routes through deleted elements.
    for (let i = 0; i < 30; i++) {
      const key = `d:${r.int(N)}`;
      if (r() < 0.3) {
        await db.del(key);
        docs.delete(key);
      } else {
        const b = randomBlob(type, DIM, r);
        docs.set(key, b);
        await db.hset(key, { v: b });
      }
    }
    const info = await db.command('FT.INFO', 'FLAT_L2');
    const attr = info[info.indexOf('attributes') + 1][0];
    const idx = attr[attr.indexOf('index') + 1];
    assert.equal(idx[idx.indexOf('data_type') + 1], type);
    const stats = {};
    for (let qi = 0; qi < 12; qi++) {
      const q = randomBlob(type, DIM, r);
      const qv = decode(type, q);
      for (const metric of METRICS) {
        const held = metric === 'COSINE' ? [...docs, ['z:0', zero]] : [...docs];
        const model = held.map(([key, b]) => ({ key, d: modelDistance(type, metric, qv, decode(type, b)) }));
        model.sort((a, b) => a.d - b.d);
        const byKey = new Map(model.map((x) => [x.key, x.d]));
        const k = 10;
        const flat = await knn(db, `FLAT_${metric}`, q, k);
        assert.equal(flat.length, k, `${msg}: FLAT ${metric} returns k`);
        for (const x of flat) assert.equal(f(x.d), byKey.get(x.key), `${msg}: FLAT ${metric} distance of ${x.key}`);
        assert.deepEqual(flat.map((x) => f(x.d)), model.slice(0, k).map((x) => x.d), `${msg}: FLAT ${metric}: the k nearest distances`);
        const kth = model[k - 1].d;
        for (const ef of [20, 200]) {
          const hnsw = await knn(db, `HNSW_${metric}`, q, k, ef);
          for (const x of hnsw) assert.equal(f(x.d), byKey.get(x.key), `${msg}: HNSW ${metric} distance of ${x.key}`);
          const s = (stats[`${metric} ${ef}`] ??= { hit: 0, total: 0 });
          s.hit += hnsw.filter((x) => f(x.d) <= kth).length;
          s.total += k;
        }
      }
    }
    // EF_RUNTIME 200 exceeds the documents: the search reaches them all
    // (the graph stays connected through updates and deletions).
    if (process.env.VT_DEBUG) console.log(type, JSON.stringify(stats));
    for (const [what, { hit, total }] of Object.entries(stats))
      assert.ok(hit / total >= (what.endsWith(' 200') ? 1 : 0.85), `${msg}: HNSW ${what}: recall ${hit / total}`);
    await db.close();
  });
}

test('HGET gives back the bytes written: HSET, overwrite, RENAME, MOVE, snapshot and journal reopen', async () => {
  const r = prng(77);
  const storage = new MemoryStorage();
  const opts = { storage, autosave: false };
  let db = await open(opts);
  const want = new Map();
  for (const type of TYPES) {
    for (const algo of ['FLAT', 'HNSW'])
      await db.command('FT.CREATE', `${type}_${algo}`, 'PREFIX', '1', `${type}:`, 'SCHEMA', 'v', ...schemaOf(algo, type, 5, 'COSINE'));
    for (let i = 0; i < 6; i++) {
      const b = randomBlob(type, 5, r);
      want.set(`${type}:${i}`, b);
      // An odd-length field name before v: the value still comes back as written.
      await db.hset(`${type}:${i}`, { abc: 'x', v: b });
    }
    const b = randomBlob(type, 5, r);
    await db.hset(`${type}:0`, { v: b });
    want.set(`${type}:0`, b);
    await db.command('RENAME', `${type}:1`, `${type}:r`);
    want.set(`${type}:r`, want.get(`${type}:1`));
    want.delete(`${type}:1`);
    await db.command('MOVE', `${type}:3`, '1');
    want.delete(`${type}:3`);
  }
  const check = async (what) => {
    for (const [key, b] of want) assert.deepEqual(new Uint8Array(await db.hget(key, 'v', { binary: true })), b, `${what}: ${key}`);
    for (const type of TYPES) {
      const q = randomBlob(type, 5, prng(5));
      const a = await knn(db, `${type}_FLAT`, q, 5);
      const h = await knn(db, `${type}_HNSW`, q, 5, 50);
      assert.deepEqual(h, a, `${what}: ${type}: HNSW and FLAT agree on 5 of 5 documents`);
      assert.equal(a.length, 5, `${what}: ${type}: 5 documents indexed (${a.map((x) => x.key)})`);
    }
  };
  await check('live');
  await db.select(1);
  for (const type of TYPES) assert.equal((await db.hget(`${type}:3`, 'v', { binary: true })).length, 5 * SIZE[type], 'MOVE kept the bytes');
  await db.select(0);
  await db.save();
  // Changes after the snapshot come back from the journal.
  for (const type of TYPES) {
    const b = randomBlob(type, 5, r);
    await db.hset(`${type}:4`, { v: b });
    want.set(`${type}:4`, b);
  }
  await check('before reopening');
  await db.close();
  db = await open(opts);
  await check('reopened (snapshot and journal)');
  await db.save();
  await db.close();
  db = await open(opts);
  await check('reopened (snapshot)');
  await db.close();
});

test('invalid vectors are indexing failures; FT.CREATE and FT.SEARCH errors', async () => {
  const db = await open();
  for (const type of TYPES) {
    await db.command('FT.CREATE', type, 'PREFIX', '1', `${type}:`, 'SCHEMA', 'v', ...schemaOf('HNSW', type.toLowerCase(), 4, 'L2'));
    await db.hset(`${type}:ok`, { v: randomBlob(type, 4, prng(1)) });
    await db.hset(`${type}:short`, { v: new Uint8Array(4 * SIZE[type] - 1) });
    await db.hset(`${type}:long`, { v: new Uint8Array(4 * SIZE[type] + 1) });
    let bad = 2;
    if (SIZE[type] >= 2) {
      await db.hset(`${type}:nan`, { v: badBlob(type, 4, 'nan') });
      await db.hset(`${type}:inf`, { v: badBlob(type, 4, 'inf') });
      bad += 2;
    }
    const info = await db.command('FT.INFO', type);
    assert.equal(Number(info[info.indexOf('num_docs') + 1]), 1, type);
    assert.equal(Number(info[info.indexOf('hash_indexing_failures') + 1]), bad, type);
    // The query blob in the index's type.
    await assert.rejects(db.command('FT.SEARCH', type, '*=>[KNN 1 @v $q]', 'PARAMS', '2', 'q', new Uint8Array(4 * SIZE[type] + 2)),
      { message: `Error parsing vector similarity parameters: query vector blob size (${4 * SIZE[type] + 2}) does not match index's expected size (${4 * SIZE[type]}).` });
    if (SIZE[type] >= 2)
      await assert.rejects(db.command('FT.SEARCH', type, '*=>[KNN 1 @v $q]', 'PARAMS', '2', 'q', badBlob(type, 4, 'nan')),
        { message: 'Error parsing vector similarity parameters: query vector contains NaN or infinite values' });
    const r = await db.command('FT.SEARCH', type, '*=>[KNN 3 @v $q]', 'PARAMS', '2', 'q', randomBlob(type, 4, prng(1)), 'NOCONTENT');
    assert.deepEqual(r, [1, `${type}:ok`]);
  }
  await assert.rejects(db.command('FT.CREATE', 'x', 'SCHEMA', 'v', 'VECTOR', 'FLAT', '6', 'TYPE', 'FLOAT64', 'DIM', '2', 'DISTANCE_METRIC', 'L2'),
    { message: 'Invalid field type for field `v`: Error parsing value for the parameter `TYPE` - Unknown argument `FLOAT64`' });
  await db.close();
});

/** A snapshot's sections ({ t, p }) and its bytes. */
async function snapshotOf(db) {
  const engine = db.engine;
  engine.saveBegin();
  const chunks = [];
  for (let c; (c = engine.saveNext(1 << 16)) && c.length;) chunks.push(Buffer.from(c));
  engine.saveEnd();
  const good = Buffer.concat(chunks);
  const secs = [];
  for (let at = 16; at + 12 <= good.length;) {
    const t = good.readUInt32LE(at);
    const len = Number(good.readBigUInt64LE(at + 4));
    if (t === 0xffffffff) break;
    secs.push({ t, p: Buffer.from(good.subarray(at + 12, at + 12 + len)) });
    at += 12 + len + 8;
  }
  return { good, secs };
}


for (const algo of ['FLAT', 'HNSW']) {
  test(`${algo}: a snapshot whose hash vector no longer fits its index is refused as damage`, async () => {
    const src = await open();
    await src.command('FT.CREATE', 'i', 'PREFIX', '1', 'd:', 'SCHEMA', 'v', ...schemaOf(algo, 'FLOAT32', 4, 'L2'));
    const marker = new Float32Array([1.5, 2.5, 3.5, 4.5]);
    await src.hset('d:0', { v: marker });
    await src.hset('d:bad', { v: new Float32Array([NaN, 1, 2, 3]) }); // an indexing failure
    for (let i = 1; i < 6; i++) await src.hset(`d:${i}`, { v: new Float32Array([i, 0, 0, 1]) });
    const { good, secs } = await snapshotOf(src);
    await src.close();
    const keys = secs.findIndex((s) => s.t === 2);
    const withKeys = (fn) => {
      const p = Buffer.from(secs[keys].p);
      fn(p);
      return buildSnapshot(good, good.readUInt32LE(8), secs.map((s, i) => (i === keys ? { t: 2, p } : s)));
    };
    const mb = Buffer.from(marker.buffer);
    const nanb = Buffer.from(new Float32Array([NaN, 1, 2, 3]).buffer);
    const db = await open();
    await db.hset('mine', { a: 'b' });
    assert.equal(loadInto(db, buildSnapshot(good, good.readUInt32LE(8), secs)), null, 'the rebuilt snapshot loads');
    // An indexed vector turned into NaN: the index holds a key whose value is not a vector.
    let err = loadInto(db, withKeys((p) => p.set(nanb, p.indexOf(mb))));
    assert.match(String(err), new RegExp(`Bad snapshot: .*an? ${algo} index holds a key whose value is not a valid vector`));
    // The failed vector made valid: a valid vector the index does not hold.
    err = loadInto(db, withKeys((p) => p.set(mb, p.indexOf(nanb))));
    assert.match(String(err), /Bad snapshot: the indexes do not agree with the keys/);
    // A changed but valid vector loads (the index holds the key's value, not a copy).
    const other = Buffer.from(new Float32Array([9, 9, 9, 9]).buffer);
    assert.equal(loadInto(db, withKeys((p) => p.set(other, p.indexOf(mb)))), null);
    const r = await db.command('FT.SEARCH', 'i', '*=>[KNN 1 @v $q]', 'PARAMS', '2', 'q', other, 'NOCONTENT');
    assert.deepEqual(r, [1, 'd:0'], 'the loaded index reads the key\'s vector');
    await db.close();
  });
}

// A snapshot written before vectors were held once (format 1, FLAT and
// HNSW sections of type 4 and 5 with the vectors inside, COSINE ones
// normalised, deleted HNSW elements on the free list): it loads, its
// elements read the keys' values, and it saves again in today's format.
test('a snapshot with the vectors inside its index sections (the format before) loads and saves anew', async () => {
  const { readFileSync } = await import('node:fs');
  const old = readFileSync(new URL('./fixtures/snapshot-vectors-inside.bin', import.meta.url));
  // The fixture's data (its generator): 40 docs d:0..39 of 5 components,
  // d:0, d:3, ..., d:15 deleted, d:bad not a vector.
  const r = prng(2024);
  const docs = new Map();
  for (let i = 0; i < 40; i++) {
    const a = new Float32Array(5);
    for (let j = 0; j < 5; j++) a[j] = Math.round((r() * 2 - 1) * 100) / 8;
    if (!(i % 3 === 0 && i < 18)) docs.set(`d:${i}`, new Uint8Array(a.buffer));
  }
  const db = await open();
  assert.equal(loadInto(db, old), null);
  const checkAll = async (what) => {
    for (const [key, b] of docs) assert.deepEqual(new Uint8Array(await db.hget(key, 'v', { binary: true })), b, `${what}: ${key}`);
    const qr = prng(9);
    for (let i = 0; i < 8; i++) {
      const q = randomBlob('FLOAT32', 5, qr);
      const qv = decode('FLOAT32', q);
      for (const metric of ['L2', 'COSINE']) {
        const model = [...docs].map(([key, b]) => ({ key, d: modelDistance('FLOAT32', metric, qv, decode('FLOAT32', b)) }));
        model.sort((a, b) => a.d - b.d);
        const byKey = new Map(model.map((x) => [x.key, x.d]));
        for (const algo of ['flat', 'hnsw']) {
          const got = await knn(db, `${algo}_${metric}`, q, 5, algo === 'hnsw' ? 100 : 0);
          for (const x of got) assert.equal(f(x.d), byKey.get(x.key), `${what}: ${algo} ${metric}: ${x.key}`);
          assert.deepEqual(got.map((x) => f(x.d)), model.slice(0, 5).map((x) => x.d), `${what}: ${algo} ${metric}: the 5 nearest`);
        }
      }
    }
    const info = await db.command('FT.INFO', 'hnsw_L2');
    assert.equal(Number(info[info.indexOf('num_docs') + 1]), docs.size, what);
    assert.equal(Number(info[info.indexOf('hash_indexing_failures') + 1]), 1, what);
  };
  await checkAll('loaded');
  // New documents take the deleted elements' slots; then today's format.
  const w = prng(3);
  for (let i = 0; i < 4; i++) {
    const b = randomBlob('FLOAT32', 5, w);
    docs.set(`d:n${i}`, b);
    await db.hset(`d:n${i}`, { v: b });
  }
  await checkAll('written to');
  const { good, secs } = await snapshotOf(db);
  assert.deepEqual(secs.filter((s) => s.t === 4 || s.t === 5), [], 'no section with the vectors inside');
  assert.equal(secs.filter((s) => s.t === 10 || s.t === 11).length, 4);
  await db.close();
  const db2 = await open();
  assert.equal(loadInto(db2, good), null);
  await db2.close();
});
