// examples/node/ingest.js - load embeddings into a file-backed store with
// a vector index, showing progress and throughput.
//
//   node examples/node/ingest.js --dir ./data --input vectors.npy
//   node examples/node/ingest.js --dir ./data --input vectors.f32 --dim 384 --algorithm HNSW --metric COSINE
//   node examples/node/ingest.js --dir ./data --input docs.jsonl --tag category --numeric year
//
// Inputs:
//   .jsonl   one JSON object per line: { "id": ..., "vector": [...], other fields };
//            --vector-field and --id-field name the two (default "vector" and "id")
//   .npy     a NumPy float32 array of shape (n, dim)  (np.save(path, x.astype(np.float32)))
//   .f32     raw little-endian float32, n x dim (give --dim)
// Each row becomes a hash <prefix><id> (id = the row number for .npy/.f32)
// with the vector in field `vec`; the index (created if missing) covers
// the prefix.  The store is saved (a snapshot) at the end.
import { closeSync, createReadStream, openSync, readSync, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { open } from 'vessel';

function options(argv) {
  const o = { dir: null, input: null, index: 'idx', prefix: 'doc:', dim: 0, algorithm: 'HNSW', metric: 'COSINE', m: 16, efc: 200,
    tag: [], numeric: [], idField: 'id', vectorField: 'vector', batch: 500 };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i].replace(/^--/, '');
    const v = argv[++i];
    if (v === undefined) throw new Error(`--${k} needs a value`);
    switch (k) {
      case 'dir': o.dir = v; break;
      case 'input': o.input = v; break;
      case 'index': o.index = v; break;
      case 'prefix': o.prefix = v; break;
      case 'dim': o.dim = Number(v); break;
      case 'algorithm': o.algorithm = v.toUpperCase(); break;
      case 'metric': o.metric = v.toUpperCase(); break;
      case 'm': o.m = Number(v); break;
      case 'ef-construction': o.efc = Number(v); break;
      case 'tag': o.tag.push(v); break;
      case 'numeric': o.numeric.push(v); break;
      case 'id-field': o.idField = v; break;
      case 'vector-field': o.vectorField = v; break;
      default: throw new Error(`unknown option --${k}`);
    }
  }
  if (!o.dir || !o.input) throw new Error('usage: ingest.js --dir <store> --input <file.jsonl|.npy|.f32> [--dim d] [--index name] ...');
  return o;
}

/** Rows of a .npy or .f32 file: { id, vector }, read in blocks. */
function* binaryRows(path, dimGiven) {
  const fd = openSync(path, 'r');
  try {
    let offset = 0;
    let dim = dimGiven;
    let n;
    if (path.endsWith('.npy')) {
      const head = Buffer.alloc(10);
      readSync(fd, head, 0, 10, 0);
      if (head.toString('latin1', 0, 6) !== '\x93NUMPY') throw new Error(`${path}: not a .npy file`);
      const major = head[6];
      const hlenBytes = major >= 2 ? 4 : 2;
      const lenBuf = Buffer.alloc(hlenBytes);
      readSync(fd, lenBuf, 0, hlenBytes, 8);
      const hlen = hlenBytes === 4 ? lenBuf.readUInt32LE(0) : lenBuf.readUInt16LE(0);
      const header = Buffer.alloc(hlen);
      readSync(fd, header, 0, hlen, 8 + hlenBytes);
      const h = header.toString('latin1');
      if (!/'descr':\s*'<f4'/.test(h)) throw new Error(`${path}: float32 little-endian ('<f4') expected, header ${h.trim()}`);
      if (/'fortran_order':\s*True/.test(h)) throw new Error(`${path}: C order expected`);
      const shape = /'shape':\s*\((\d+),\s*(\d+)\)/.exec(h);
      if (!shape) throw new Error(`${path}: a 2-d shape expected, header ${h.trim()}`);
      n = Number(shape[1]);
      dim = Number(shape[2]);
      offset = 8 + hlenBytes + hlen;
    } else {
      if (!dim) throw new Error('--dim is needed for a raw float32 file');
      const size = statSync(path).size;
      if (size % (dim * 4)) throw new Error(`${path}: ${size} bytes is not a whole number of ${dim}-dim float32 rows`);
      n = size / (dim * 4);
    }
    yield { meta: { n, dim } };
    const rowBytes = dim * 4;
    const block = Buffer.alloc(rowBytes * 1024);
    for (let i = 0; i < n; ) {
      const rows = Math.min(1024, n - i);
      readSync(fd, block, 0, rows * rowBytes, offset + i * rowBytes);
      for (let r = 0; r < rows; r++, i++) {
        yield { id: String(i), vector: new Float32Array(block.buffer.slice(block.byteOffset + r * rowBytes, block.byteOffset + (r + 1) * rowBytes)) };
      }
    }
  } finally {
    closeSync(fd);
  }
}

/** Rows of a JSON Lines file. */
async function* jsonRows(path, o) {
  const size = statSync(path).size;
  yield { meta: { n: null, bytes: size } };
  const rl = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  let line = 0;
  for await (const text of rl) {
    line++;
    if (!text.trim()) continue;
    const obj = JSON.parse(text);
    const v = obj[o.vectorField];
    if (!Array.isArray(v)) throw new Error(`${path}:${line}: no "${o.vectorField}" array`);
    const fields = {};
    for (const [k, val] of Object.entries(obj)) {
      if (k === o.vectorField || k === o.idField) continue;
      fields[k] = Array.isArray(val) ? val.join(',') : typeof val === 'object' ? JSON.stringify(val) : String(val);
    }
    yield { id: String(obj[o.idField] ?? line), vector: Float32Array.from(v), fields, bytes: text.length + 1 };
  }
}

function bar(done, total, rate) {
  if (!process.stderr.isTTY) return;
  const f = total ? Math.min(1, done / total) : 0;
  const w = 30;
  process.stderr.write(`\r[${'#'.repeat(Math.round(f * w))}${' '.repeat(w - Math.round(f * w))}] ${(f * 100).toFixed(0).padStart(3)}% ` +
    `${done.toLocaleString('en-US')} vectors, ${Math.round(rate).toLocaleString('en-US')}/s\x1b[K`);
}

async function main() {
  const o = options(process.argv.slice(2));
  const rows = o.input.endsWith('.jsonl') || o.input.endsWith('.json') ? jsonRows(o.input, o) : binaryRows(o.input, o.dim);
  const db = await open({ dir: o.dir, durability: 'no', autosave: false });
  const t0 = performance.now();
  let total = 0;
  let done = 0;
  let bytesDone = 0;
  let byBytes = false;
  let dim = o.dim;
  let batch = [];
  let indexReady = (await db.listIndexes()).includes(o.index);
  const flush = async () => {
    const replies = await db.pipeline(batch);
    const err = replies.find((r) => r instanceof Error);
    if (err) throw new Error(`HSET failed: ${err.message}`);
    done += batch.length;
    batch = [];
    const secs = (performance.now() - t0) / 1000;
    bar(byBytes ? bytesDone : done, total, done / secs);
  };
  for await (const row of rows) {
    if (row.meta) {
      byBytes = row.meta.n === null;
      total = byBytes ? row.meta.bytes : row.meta.n;
      if (row.meta.dim) dim = row.meta.dim;
      continue;
    }
    if (!indexReady) {
      dim = dim || row.vector.length;
      const schema = { vec: { type: 'VECTOR', algorithm: o.algorithm, dim, distance: o.metric, ...(o.algorithm === 'HNSW' ? { m: o.m, efConstruction: o.efc } : {}) } };
      for (const t of o.tag) schema[t] = 'TAG';
      for (const n of o.numeric) schema[n] = 'NUMERIC';
      await db.createIndex(o.index, { prefix: o.prefix, schema });
      indexReady = true;
    }
    if (row.vector.length !== dim) throw new Error(`row ${row.id}: ${row.vector.length} values, the index has ${dim}`);
    const args = ['HSET', `${o.prefix}${row.id}`, 'vec', row.vector];
    for (const [k, v] of Object.entries(row.fields ?? {})) args.push(k, v);
    batch.push(args);
    bytesDone += row.bytes ?? 0;
    if (batch.length >= o.batch) await flush();
  }
  if (batch.length) await flush();
  await db.indexReady(o.index);
  const secs = (performance.now() - t0) / 1000;
  if (process.stderr.isTTY) process.stderr.write('\n');
  const t1 = performance.now();
  const saved = await db.save();
  const info = await db.indexInfo(o.index);
  console.log(`imported ${done.toLocaleString('en-US')} vectors (${dim} dims) into ${o.index} (${o.algorithm} ${o.metric}) ` +
    `in ${secs.toFixed(1)} s: ${Math.round(done / secs).toLocaleString('en-US')} vectors/s; ` +
    `snapshot ${(saved.bytes / 1048576).toFixed(1)} MiB saved in ${((performance.now() - t1) / 1000).toFixed(1)} s; ` +
    `index holds ${Number(info.num_docs).toLocaleString('en-US')} documents`);
  await db.close();
}

main().catch((e) => {
  console.error(`ingest: ${e.message}`);
  process.exit(1);
});
