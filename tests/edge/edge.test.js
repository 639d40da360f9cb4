// edge.test.js - the edge example (examples/edge/) in real workerd: load
// the shipped data, query it (by key, by base64 vector, with filters and
// EF_RUNTIME), read a document, write documents through the key-value
// binding, restart workerd and read the writes back; memory within a
// Workers isolate's 128 MB.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startWorkerd, workerdBinary } from './workerd.js';

const built = existsSync(new URL('../../examples/edge/dist/digits.vsnap.gz', import.meta.url));
const skip = (!workerdBinary() && 'the workerd npm package is not installed (make test installs it)') ||
  (!built && 'examples/edge/dist is not built (make test builds it: make edge)');

const get = async (url) => {
  const r = await fetch(url);
  return { status: r.status, body: await r.json() };
};

test('the edge worker in workerd: search, documents, writes that survive a restart', { skip }, async () => {
  const kvDir = mkdtempSync(join(tmpdir(), 'vessel-kv-'));
  let wd = await startWorkerd({ kvDir });
  try {
    // By key: the document itself first, distances ascending, mostly its label.
    const { status, body } = await get(`${wd.url}/search?key=digit:7&k=10`);
    assert.equal(status, 200, JSON.stringify(body));
    assert.equal(body.results.length, 10);
    assert.deepEqual(body.results[0], { key: 'digit:7', score: 0, label: body.results[0].label });
    for (let i = 1; i < 10; i++) assert.ok(body.results[i].score >= body.results[i - 1].score);
    const label = body.results[0].label;
    assert.ok(body.results.filter((r) => r.label === label).length >= 8);
    // Filters and EF_RUNTIME.
    const other = label === '3' ? '8' : '3';
    const f = await get(`${wd.url}/search?key=digit:7&k=5&ef=100&filter=${encodeURIComponent(`@label:{${other}} @ink:[50 300]`)}`);
    assert.equal(f.status, 200, JSON.stringify(f.body));
    assert.equal(f.body.query, `(@label:{${other}} @ink:[50 300])=>[KNN 5 @vec $q EF_RUNTIME 100 AS score]`);
    assert.equal(f.body.results.length, 5);
    assert.ok(f.body.results.every((r) => r.label === other));
    // A document, and the same vector as base64 float32.
    const doc = await get(`${wd.url}/doc/digit:7`);
    assert.equal(doc.body.fields.vec.length, 784);
    assert.equal(doc.body.fields.label, label);
    const b64 = Buffer.from(new Float32Array(doc.body.fields.vec).buffer).toString('base64url');
    const byVec = await get(`${wd.url}/search?k=3&vector=${b64}`);
    assert.equal(byVec.body.results[0].key, 'digit:7');
    // Errors come back with the engine's exact text.
    const bad = await get(`${wd.url}/search?key=digit:7&filter=${encodeURIComponent('@nope:{x}')}`);
    assert.equal(bad.status, 400);
    assert.match(bad.body.error, /nope/);
    // Writes go to the key-value binding.
    const vec = Array.from({ length: 784 }, (_, i) => (i % 28 > 11 && i % 28 < 16 ? 1 : 0));
    const w = await fetch(`${wd.url}/docs`, {
      method: 'POST',
      body: JSON.stringify([{ key: 'digit:edge-1', label: '1', note: 'written at the edge', vector: vec }]),
    });
    assert.deepEqual(await w.json(), { written: 1 });
    const found = await get(`${wd.url}/search?k=1&vector=${Buffer.from(new Float32Array(vec).buffer).toString('base64url')}`);
    assert.equal(found.body.results[0].key, 'digit:edge-1');
    const info = await get(`${wd.url}/info`);
    assert.equal(info.body.num_docs, 10001);
    // Within a Workers isolate's 128 MB: the engine's memory and the shipped snapshot.
    assert.ok(info.body.wasm_memory_bytes + info.body.shipped_snapshot_bytes < 100 * 1048576, JSON.stringify(info.body));

    // A restart (a new isolate) reads the write back from the binding.
    await wd.stop();
    wd = await startWorkerd({ kvDir });
    const again = await get(`${wd.url}/doc/digit:edge-1`);
    assert.equal(again.status, 200);
    assert.equal(again.body.fields.note, 'written at the edge');
    const info2 = await get(`${wd.url}/info`);
    assert.equal(info2.body.num_docs, 10001);
    assert.equal(info2.body.load.replayed, 1);
  } finally {
    await wd.stop();
    rmSync(kvDir, { recursive: true, force: true });
  }
});
