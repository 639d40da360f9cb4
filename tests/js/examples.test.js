// examples.test.js - the runnable examples (which the README quotes) run
// and print what they promise.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';

const run = (file) => execFileSync(process.execPath, [file], { encoding: 'utf8' });

test('examples/node/hashes.js stores and reads hashes', () => {
  const out = run('examples/node/hashes.js');
  assert.match(out, /doc:1 title = Vessel/);
  assert.match(out, /doc:1 stars = 43/);
  assert.match(out, /error reply: WRONGTYPE Operation against a key holding the wrong kind of value/);
});

test('examples/node/hybrid.js finds the two cheap shoes, nearest first', () => {
  const out = run('examples/node/hybrid.js');
  assert.match(out, /^2 results\nproduct:1 0\.0121 60\nproduct:4 0\.7948 45\n/);
  assert.match(out, /\[2,"product:1",\["score","0\.012121617794"\],"product:4",\["score","0\.794804334641"\]\]/);
});

test('examples/node/aggregate.js: groups, an expression with a top list, sort keys, an alias, database 1', () => {
  const out = run('examples/node/aggregate.js');
  assert.equal(out, [
    'region south n=2 total=250 avg=125',
    'region north n=3 total=230 avg=76.66666666666667',
    'region east n=1 total=75 avg=75',
    'unit sale:2 80',
    'unit sale:3 50',
    '[1,["region","north","items","5"]]',
    'sorted sale:6:30 sale:2:80 sale:1:120',
    'db1 size 1',
    "db1 Index with name 'sales' not found in database 1",
    'db0 size 6',
    '',
  ].join('\n'));
});

test('examples/node/vectors.js: FLOAT16 vectors, a range query with a TAG filter sorted by distance, a KNN', () => {
  const out = run('examples/node/vectors.js');
  assert.equal(out, [
    'cafe place:4 at 0.3125',
    'cafe place:1 at 0.5',
    'nearest place:4 d=0.3125 pos=0.25,-0.5',
    'nearest place:1 d=0.5 pos=0.5,0.5',
    'place:2 1,1',
    '',
  ].join('\n'));
});

test('examples/node/text.js: BM25 with a prefix and a negated TAG, a phrase, RRF fusion', () => {
  const out = run('examples/node/text.js');
  assert.match(out, /^text doc:1 \d\.\d{3} Deploying an app\n/);
  assert.doesNotMatch(out, /text doc:4/); // the draft is excluded
  assert.match(out, /\nphrase doc:\d doc:\d\n/);
  assert.match(out, /\nphrase (doc:2 doc:3|doc:3 doc:2)\n/);
  // RRF over two lists: 1/(60+1) + 1/(60+r) at most.
  const fused = [...out.matchAll(/^hybrid (doc:\d) (\S+)$/gm)].map((m) => [m[1], Number(m[2])]);
  assert.equal(fused.length, 3);
  assert.ok(fused[0][1] >= fused[1][1] && fused[1][1] >= fused[2][1]);
  assert.ok(fused[0][1] <= 2 / 61 + 1e-5);
});

test('examples/node/langchain.js: filtered search and MMR, and a second run finds the store in its directory', async () => {
  const { mkdtempSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const dir = mkdtempSync(join(tmpdir(), 'vessel-langchain-example-'));
  try {
    const results = 'baked 0.1425 dessert\nsalad 0.2264 side,starter\nsides: salad carrots\nmmr: baked pie\n';
    assert.equal(execFileSync(process.execPath, ['examples/node/langchain.js', join(dir, 'data')], { encoding: 'utf8' }), `added 4 recipes\n${results}`);
    assert.equal(execFileSync(process.execPath, ['examples/node/langchain.js', join(dir, 'data')], { encoding: 'utf8' }), `the recipes were already there\n${results}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('examples/node/ingest.js loads .npy, raw float32 and JSON Lines; query.js searches the store', async () => {
  const { mkdtempSync, rmSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const dir = mkdtempSync(join(tmpdir(), 'vessel-ingest-'));
  try {
    const n = 500;
    const dim = 16;
    const v = new Float32Array(n * dim);
    for (let i = 0; i < v.length; i++) v[i] = Math.sin(i * 0.7) + (i % dim === 0 ? i / dim / 50 : 0);
    // A NumPy .npy file (version 1.0 header, padded to 64 bytes).
    let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${n}, ${dim}), }`;
    header += `${' '.repeat((64 - ((10 + header.length + 1) % 64)) % 64)}\n`;
    const npy = Buffer.concat([Buffer.from([0x93]), Buffer.from('NUMPY'), Buffer.from([1, 0]), Buffer.from([header.length, 0]), Buffer.from(header, 'latin1'), Buffer.from(v.buffer)]);
    writeFileSync(join(dir, 'v.npy'), npy);
    writeFileSync(join(dir, 'v.f32'), Buffer.from(v.buffer));
    const jsonl = Array.from({ length: 50 }, (_, i) => JSON.stringify({ id: `p${i}`, vector: Array.from(v.subarray(i * dim, (i + 1) * dim)), kind: i % 2 ? 'odd' : 'even', n: i })).join('\n');
    writeFileSync(join(dir, 'd.jsonl'), `${jsonl}\n`);
    const ingest = (...args) => execFileSync(process.execPath, ['examples/node/ingest.js', ...args], { encoding: 'utf8' });
    const query = (...args) => execFileSync(process.execPath, ['examples/node/query.js', ...args], { encoding: 'utf8' });
    assert.match(ingest('--dir', join(dir, 's1'), '--input', join(dir, 'v.npy')), /^imported 500 vectors \(16 dims\) into idx \(HNSW COSINE\) in [\d.]+ s: [\d,]+ vectors\/s; .* index holds 500 documents\n$/);
    assert.match(ingest('--dir', join(dir, 's2'), '--input', join(dir, 'v.f32'), '--dim', '16', '--algorithm', 'FLAT', '--metric', 'L2'), /imported 500 vectors .* \(FLAT L2\)/);
    assert.match(ingest('--dir', join(dir, 's3'), '--input', join(dir, 'd.jsonl'), '--prefix', 'p:', '--tag', 'kind', '--numeric', 'n'), /imported 50 vectors/);
    const q1 = query('--dir', join(dir, 's2'), '--key', 'doc:7', '--k', '3');
    assert.match(q1, /^3 of 3 in [\d.]+ ms\ndoc:7\t0\.000000\t\n/);
    const q3 = query('--dir', join(dir, 's3'), '--key', 'p:p4', '--k', '3', '--filter', '@kind:{even} @n:[0 20]');
    const lines = q3.trim().split('\n').slice(1);
    assert.equal(lines.length, 3);
    assert.match(lines[0], /^p:p4\t-?0\.000000\tkind=even n=4$/); // COSINE: 1 - cos may round below 0
    assert.ok(lines.every((l) => l.includes('kind=even')));
    assert.throws(() => execFileSync(process.execPath, ['examples/node/ingest.js', '--dir', join(dir, 's4'), '--input', join(dir, 'v.f32')], { stdio: 'pipe' }), /--dim is needed/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('examples/semantic-cache/cache.js: near prompts hit, far ones miss, entries expire after their TTL', () => {
  const out = run('examples/semantic-cache/cache.js');
  assert.match(out, /^What is the capital of France\? -> miss, asked the model: \(model answer #1/m);
  assert.match(out, /^what is the capital of france -> hit, distance 0\.000: \(model answer #1/m);
  assert.match(out, /^What is the capital city of France\? -> hit, distance 0\.\d+: \(model answer #1/m);
  assert.match(out, /^How do I bake sourdough bread\? -> miss, asked the model: \(model answer #2/m);
  assert.match(out, /^entries: 2, ttl of one: 3600 s$/m);
  // an hour later the entry has expired: the model is asked again
  assert.match(out, /^What is the capital of France\? -> miss, asked the model: \(model answer #3/m);
  assert.match(out, /^model calls: 3$/m);
});
