// loader.test.js - module sources, SIMD selection and caching.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { loadModule, open, simdSupported } from '../../js/index.js';

const simdUrl = new URL('../../wasm/vessel.simd.wasm', import.meta.url);
const scalarUrl = new URL('../../wasm/vessel.scalar.wasm', import.meta.url);

test('Node supports SIMD and picks the SIMD build by default', async () => {
  assert.equal(simdSupported(), true);
  const db = await open();
  assert.equal(db.build, 'simd');
  await db.close();
  const s = await open({ simd: false });
  assert.equal(s.build, 'scalar');
  await s.close();
});

test('the module can be given as a URL, a path, bytes or a compiled Module', async () => {
  const bytes = await readFile(scalarUrl);
  const compiled = await WebAssembly.compile(bytes);
  for (const wasm of [scalarUrl, scalarUrl.href, bytes, new Uint8Array(bytes).buffer, compiled, { simd: simdUrl, scalar: scalarUrl }]) {
    const db = await open({ wasm });
    assert.equal(await db.command('ECHO', 'x'), 'x');
    await db.close();
  }
  const pair = await open({ wasm: { simd: simdUrl, scalar: compiled }, simd: false });
  assert.equal(pair.build, 'scalar');
  await pair.close();
  await assert.rejects(open({ wasm: 42 }), TypeError);
});

test('compiled modules are cached per source', async () => {
  const a = await loadModule({ simd: true });
  const b = await loadModule({ simd: true });
  assert.equal(a.module, b.module);
  const c = await loadModule({ simd: false });
  assert.notEqual(a.module, c.module);
});

test('the wasm needs exactly one import', async () => {
  for (const url of [simdUrl, scalarUrl]) {
    const m = await WebAssembly.compile(await readFile(url));
    assert.deepEqual(WebAssembly.Module.imports(m), [
      { module: 'env', name: 'emscripten_notify_memory_growth', kind: 'function' },
    ]);
  }
});
