// RDB transfers through the Web Worker client (js/worker-client.js and
// js/worker.js, run here in a Node worker thread): the file crosses in
// chunks both ways, a damaged file and a source that fails on the page
// are refused, and neither leaves the worker's store holding writes back.
import assert from 'node:assert/strict';
import test from 'node:test';
import { nodeWorker } from './fixtures/node-worker.js';
import { open } from '../../js/index.js';
import { VesselWorker } from '../../js/worker-client.js';

function startWorker() {
  return new VesselWorker(nodeWorker());
}

const within = (p, ms, what) => Promise.race([p, new Promise((_, reject) => setTimeout(() => reject(new Error(`${what}: still waiting after ${ms} ms`)), ms))]);

test('the worker client exports and imports RDB files in chunks; failures release the store', async () => {
  const vw = startWorker();
  await vw.call('open', [{}]);
  const src = await open();
  for (let i = 0; i < 300; i++) await src.hset(`doc:${i}`, { n: String(i), v: new Uint8Array(600).fill(i) });
  const parts = [];
  for await (const c of src.exportRdb()) parts.push(c);
  const file = Buffer.concat(parts);
  await src.close();

  await vw.command('FT.CREATE', 'idx', 'PREFIX', '1', 'doc:', 'SCHEMA', 'n', 'NUMERIC');
  let seen = 0;
  const report = await vw.importRdb(file, { onProgress: (p) => (seen = p.bytes) });
  assert.equal(report.hashes, 300);
  assert.equal(seen, file.length);
  await vw.indexReady('idx');
  assert.equal((await vw.search('idx', '@n:[10 19]')).total, 10);

  // Out again, in small chunks: the same keys, and writes wait meanwhile.
  const back = [];
  for await (const c of vw.exportRdb({ chunkSize: 4096 })) back.push(c);
  assert.ok(back.length > 10);
  const again = await open();
  assert.equal((await again.importRdb(Buffer.concat(back))).hashes, 300);
  await again.close();

  // An export left early releases the store.
  for await (const c of vw.exportRdb({ chunkSize: 1024 })) {
    assert.ok(c.length > 0);
    break;
  }
  assert.equal(await within(vw.command('SET', 'after-export', '1'), 3000, 'a write after an abandoned export'), 'OK');

  // A damaged file: Bad RDB, the store as it was, writes go on.
  const bad = Buffer.from(file);
  bad[bad.length - 5] ^= 4;
  await assert.rejects(vw.importRdb(bad, { replace: true }), /^Error: Bad RDB: /);
  assert.equal(await within(vw.command('SET', 'after-bad', '1'), 3000, 'a write after a damaged file'), 'OK');

  // A source that fails on the page ends the worker's import too.
  async function* failing() {
    yield new Uint8Array(file.subarray(0, 100));
    throw new Error('network dropped');
  }
  await assert.rejects(vw.importRdb(failing(), { replace: true }), /network dropped/);
  assert.equal(await within(vw.command('SET', 'after-failed-source', '1'), 3000, 'a write after a failed source'), 'OK');
  assert.equal(await vw.dbsize(), 303);
  await vw.close();
});
