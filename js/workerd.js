// workerd.js - Vessel's entry point in Cloudflare Workers and workerd
// (the package's "workerd" and "worker" export conditions).  Workers may
// not compile WebAssembly from bytes at run time, so the engine comes in
// as a module the platform compiles at deploy time: this file imports
// the SIMD128 build (every Workers runtime has SIMD) and hands it to
// open().  Bundlers for Workers (wrangler, esbuild with a .wasm rule)
// attach it; with a raw workerd config, list it as a `wasm` module named
// as the import below resolves (see examples/edge/).

import simd from '../wasm/vessel.simd.wasm';
import { open as openStore } from './vessel.js';

export * from './index.js';

/**
 * open() with the engine module preset (pass `wasm` to use another).
 * @param {import('./index.js').OpenOptions} [options]
 */
export function open(options = {}) {
  return openStore({ wasm: simd, simd: true, memoryHeadroom: 0.125, ...options });
}
