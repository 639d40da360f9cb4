// run-wasi.mjs - run a C unit test compiled to WebAssembly (WASI) under
// Node, so the engine's own tests also run on the SIMD128 and scalar
// builds: node tests/wasm/run-wasi.mjs build/wasm-simd/test_distance.wasm
import { readFile } from 'node:fs/promises';
import { WASI } from 'node:wasi';

const file = process.argv[2];
const wasi = new WASI({ version: 'preview1', args: [file], env: {}, returnOnExit: true });
const module = await WebAssembly.compile(await readFile(file));
const imports = { wasi_snapshot_preview1: wasi.wasiImport, env: { emscripten_notify_memory_growth() {} } };
const instance = await WebAssembly.instantiate(module, imports);
const code = wasi.start(instance);
process.exitCode = code;
