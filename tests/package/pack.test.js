// pack.test.js - the npm package as users get it: `npm pack`, install the
// tarball into a fresh project, and use it from Node (API, types, the
// vessel-cli bin), from workerd (bundled with esbuild under the "workerd"
// condition, the .wasm as a module) and from a browser page bundled by
// Vite, running one search in each; and vessel/langchain with its
// @langchain/core peer, in Node and in workerd.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { HAVE_CHROMIUM, LAUNCH_ARGS, CHROMIUM } from '../browser/chromium.js';
import { startWorkerd, workerdBinary } from '../edge/workerd.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = (name) => join(root, 'node_modules', '.bin', name);
let dir;
let tarball;

// The same search everywhere: three vectors, an HNSW index, KNN 2.
const SEARCH = `
  const db = await open();
  await db.command('FT.CREATE', 'idx', 'PREFIX', '1', 'd:', 'SCHEMA', 'v', 'VECTOR', 'HNSW', '6', 'TYPE', 'FLOAT32', 'DIM', '3', 'DISTANCE_METRIC', 'L2', 't', 'TAG');
  await db.hset('d:1', { v: new Float32Array([1, 0, 0]), t: 'a' });
  await db.hset('d:2', { v: new Float32Array([0, 1, 0]), t: 'b' });
  await db.hset('d:3', { v: new Float32Array([0.9, 0.1, 0]), t: 'a' });
  const r = await db.search('idx', '@t:{a}=>[KNN 2 @v $q AS score]', { params: { q: new Float32Array([1, 0, 0]) } });
  const result = { build: db.build, keys: r.results.map((x) => x.key), scores: r.results.map((x) => x.score) };
  await db.close();
`;
const EXPECTED = { keys: ['d:1', 'd:3'], scores: [0, 0.0200000051409] };

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'vessel-pack-'));
  const out = execFileSync('npm', ['pack', '--pack-destination', dir, '--json', '--loglevel=error'], { cwd: root, encoding: 'utf8' });
  tarball = join(dir, JSON.parse(out)[0].filename);
  const app = join(dir, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
  execFileSync('npm', ['install', tarball, '--offline', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: app });
  // The optional peer of vessel/langchain, as an app that uses it has it.
  mkdirSync(join(app, 'node_modules', '@langchain'), { recursive: true });
  symlinkSync(join(root, 'node_modules', '@langchain', 'core'), join(app, 'node_modules', '@langchain', 'core'), 'dir');
});

// vessel/langchain: three documents, a TAG filter, KNN 2.
const LANGCHAIN = `
  const v = (t) => [t.length, t.charCodeAt(0) % 7, 1];
  const embeddings = { embedDocuments: async (ts) => ts.map(v), embedQuery: async (t) => v(t) };
  const docs = [new Document({ pageContent: 'apple', metadata: { kind: 'fruit' } }), new Document({ pageContent: 'carrot', metadata: { kind: 'vegetable' } }),
    new Document({ pageContent: 'banana', metadata: { kind: 'fruit' } })];
  const store = await VesselVectorStore.fromDocuments(docs, embeddings, { ...STORE, customSchema: { kind: 'TAG' }, indexOptions: { algorithm: 'FLAT' } }, { ids: ['a', 'c', 'b'] });
  const hits = await store.similaritySearchWithScore('apples', 2, { kind: 'fruit' });
  const result = { build: (await store.getStore()).build, hits: hits.map(([d, s]) => [d.id, s, d.metadata.kind]) };
  await store.close();
`;
// COSINE in float32 as the engine computes it: 1 - dot(q, v) * (1/|q|) * (1/|v|).
const LANGCHAIN_EXPECTED = [['a', 0.00409591197968, 'fruit'], ['b', 0.288066506386, 'fruit']];

after(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('the tarball holds the engine, the JS, the types and the bins, and nothing else', () => {
  const files = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--loglevel=error'], { cwd: root, encoding: 'utf8' }))[0].files.map((f) => f.path);
  for (const f of ['wasm/vessel.simd.wasm', 'wasm/vessel.scalar.wasm', 'js/index.js', 'js/index.d.ts', 'js/node.js', 'js/workerd.js', 'js/cli.js', 'js/worker-client.js', 'js/langchain.js', 'js/langchain.d.ts', 'package.json', 'README.md']) {
    assert.ok(files.includes(f), `${f} is packed`);
  }
  assert.ok(files.every((f) => /^(js\/|wasm\/|package\.json|README\.md|LICENSE)/.test(f)), files.join(' '));
});

test('Node: import, search, types, and the vessel-cli bin', () => {
  const app = join(dir, 'app');
  writeFileSync(join(app, 'node.mjs'), `import { open, FileStorage } from 'vessel';\n${SEARCH}\nconsole.log(JSON.stringify({ ...result, files: typeof FileStorage }));`);
  const r = JSON.parse(execFileSync(process.execPath, ['node.mjs'], { cwd: app, encoding: 'utf8' }));
  assert.deepEqual({ keys: r.keys, scores: r.scores }, EXPECTED);
  assert.equal(r.build, 'simd');
  assert.equal(r.files, 'function');
  // Types resolve through the export conditions.
  writeFileSync(join(app, 'check.ts'), `import { open, FileStorage, type Vessel } from 'vessel';\nimport { openWorker } from 'vessel/worker';\n` +
    `import { openShared } from 'vessel/tabs';\nimport { OPFSStorage } from 'vessel/storage/opfs';\n` +
    `const db: Vessel = await open({ dir: './d', durability: 'always' });\nvoid FileStorage; void openWorker; void openShared; void OPFSStorage;\nawait db.close();\n`);
  writeFileSync(join(app, 'tsconfig.json'), JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, lib: ['ES2022', 'DOM'] }, files: ['check.ts'] }));
  execFileSync(bin('tsc'), ['-p', 'tsconfig.json'], { cwd: app, encoding: 'utf8' });
  // The bin.
  const cli = execFileSync(join(app, 'node_modules', '.bin', 'vessel-cli'), ['--dir', join(dir, 'clidata'), 'HSET', 'k', 'f', 'v'], { encoding: 'utf8' });
  assert.equal(cli, '1\n');
  assert.equal(execFileSync(join(app, 'node_modules', '.bin', 'vessel-cli'), ['--dir', join(dir, 'clidata'), 'HGET', 'k', 'f'], { encoding: 'utf8' }), 'v\n');
});

test('Node: vessel/langchain with the @langchain/core peer, persisted in a directory, and its types', () => {
  const app = join(dir, 'app');
  writeFileSync(join(app, 'lc.mjs'), `import { VesselVectorStore } from 'vessel/langchain';\nimport { Document } from '@langchain/core/documents';\n` +
    `const STORE = { open: { dir: './lcdata' } };\n${LANGCHAIN}\nconst again = await VesselVectorStore.fromExistingIndex(embeddings, STORE);\n` +
    `result.reopened = (await again.similaritySearch('apples', 1))[0].id;\nawait again.close();\nconsole.log(JSON.stringify(result));`);
  const r = JSON.parse(execFileSync(process.execPath, ['lc.mjs'], { cwd: app, encoding: 'utf8' }));
  assert.deepEqual(r, { build: 'simd', hits: LANGCHAIN_EXPECTED, reopened: 'a' });
  writeFileSync(join(app, 'lc-check.ts'), `import { VesselVectorStore, type VesselFilter } from 'vessel/langchain';\nimport type { EmbeddingsInterface } from '@langchain/core/embeddings';\n` +
    `export async function f(e: EmbeddingsInterface): Promise<number> {\n  const filter: VesselFilter = { kind: ['fruit'] };\n` +
    `  const s = await VesselVectorStore.fromTexts(['a'], {}, e, { open: { dir: './d' }, customSchema: { kind: 'TAG' } });\n  return (await s.similaritySearch('a', 1, filter)).length;\n}\n`);
  writeFileSync(join(app, 'tsconfig.lc.json'), JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, lib: ['ES2022', 'ESNext.Disposable', 'DOM'] }, files: ['lc-check.ts'] }));
  execFileSync(bin('tsc'), ['-p', 'tsconfig.lc.json'], { cwd: app, encoding: 'utf8' });
});

test('workerd: vessel/langchain bundled under the "workerd" condition (@langchain/core asks for nodejs_compat)', { skip: !workerdBinary() && 'workerd is not installed' }, async () => {
  const app = join(dir, 'app');
  const w = join(dir, 'lc-worker');
  mkdirSync(join(w, 'dist', 'worker'), { recursive: true });
  writeFileSync(join(app, 'lc-worker.js'), `import { VesselVectorStore } from 'vessel/langchain';\nimport { Document } from '@langchain/core/documents';\n` +
    `const STORE = {};\nexport default { async fetch() {\n${LANGCHAIN}\nreturn Response.json(result); } };\n`);
  const { build } = await import('esbuild');
  await build({ entryPoints: [join(app, 'lc-worker.js')], absWorkingDir: app, outfile: join(w, 'dist', 'worker', 'index.js'), bundle: true, format: 'esm',
    platform: 'neutral', mainFields: ['module', 'main'], conditions: ['workerd', 'worker'], external: ['*.wasm', 'node:*'], logLevel: 'error' });
  copyFileSync(join(app, 'node_modules', 'vessel', 'wasm', 'vessel.simd.wasm'), join(w, 'dist', 'vessel.simd.wasm'));
  writeFileSync(join(w, 'config.capnp'), `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (services = [(name = "main", worker = .w)], sockets = [(name = "http", address = "127.0.0.1:0", http = (), service = "main")]);
const w :Workerd.Worker = (modules = [(name = "worker/index.js", esModule = embed "dist/worker/index.js"), (name = "wasm/vessel.simd.wasm", wasm = embed "dist/vessel.simd.wasm")],
  compatibilityDate = "2026-06-01", compatibilityFlags = ["nodejs_compat"]);
`);
  const wd = await startWorkerd({ config: join(w, 'config.capnp') });
  try {
    const r = await (await fetch(wd.url)).json();
    assert.deepEqual(r, { build: 'simd', hits: LANGCHAIN_EXPECTED }, wd.log());
  } finally {
    await wd.stop();
  }
});

test('workerd: bundled under the "workerd" condition, the engine as a wasm module', { skip: !workerdBinary() && 'workerd is not installed' }, async () => {
  const app = join(dir, 'app');
  const w = join(dir, 'worker');
  mkdirSync(join(w, 'dist', 'worker'), { recursive: true });
  writeFileSync(join(app, 'worker.js'), `import { open } from 'vessel';\nexport default { async fetch() {\n${SEARCH}\nreturn Response.json(result); } };\n`);
  const { build } = await import('esbuild');
  await build({ entryPoints: [join(app, 'worker.js')], absWorkingDir: app, outfile: join(w, 'dist', 'worker', 'index.js'), bundle: true, format: 'esm',
    platform: 'neutral', conditions: ['workerd', 'worker'], external: ['*.wasm'], logLevel: 'error' });
  copyFileSync(join(app, 'node_modules', 'vessel', 'wasm', 'vessel.simd.wasm'), join(w, 'dist', 'vessel.simd.wasm'));
  writeFileSync(join(w, 'config.capnp'), `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (services = [(name = "main", worker = .w)], sockets = [(name = "http", address = "127.0.0.1:0", http = (), service = "main")]);
const w :Workerd.Worker = (modules = [(name = "worker/index.js", esModule = embed "dist/worker/index.js"), (name = "wasm/vessel.simd.wasm", wasm = embed "dist/vessel.simd.wasm")], compatibilityDate = "2025-09-01");
`);
  const wd = await startWorkerd({ config: join(w, 'config.capnp') });
  try {
    const r = await (await fetch(wd.url)).json();
    assert.deepEqual({ keys: r.keys, scores: r.scores }, EXPECTED, wd.log());
    assert.equal(r.build, 'simd');
  } finally {
    await wd.stop();
  }
});

test('a browser page bundled by Vite', { skip: !HAVE_CHROMIUM && 'chromium is not installed' }, async () => {
  const app = join(dir, 'app');
  const site = join(app, 'site');
  mkdirSync(site);
  writeFileSync(join(site, 'index.html'), '<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><title>loading</title><script type="module" src="./main.js"></script>');
  writeFileSync(join(site, 'main.js'), `import { open } from 'vessel';\n(async () => {\n${SEARCH}\ndocument.title = JSON.stringify(result);\n})().catch((e) => { document.title = 'error: ' + e.message; });\n`);
  execFileSync(bin('vite'), ['build', '--logLevel', 'error', '--outDir', join(dir, 'site-dist'), site], { cwd: app, encoding: 'utf8' });
  const assets = readdirSync(join(dir, 'site-dist', 'assets'));
  assert.ok(assets.some((f) => f.endsWith('.wasm')), `the engine is an asset of the bundle: ${assets.join(' ')}`);
  const { serve } = await import('../../scripts/serve.js');
  const server = await serve(join(dir, 'site-dist'), 0);
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS, headless: true });
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    await page.goto(server.url);
    await page.waitForFunction(() => document.title !== 'loading');
    const title = await page.title();
    assert.ok(!title.startsWith('error'), title);
    const r = JSON.parse(title);
    assert.deepEqual({ keys: r.keys, scores: r.scores }, EXPECTED);
    assert.equal(r.build, 'simd');
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    await server.close();
  }
});
