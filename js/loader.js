// loader.js - finds, compiles and caches Vessel's WebAssembly module.
//
// The same code runs in browsers, Node.js and workerd:
//  - a URL (or string) is fetched in browsers and read from disk for file:
//    URLs under Node;
//  - bytes (ArrayBuffer or a view) are compiled;
//  - a precompiled WebAssembly.Module is used as is (workerd imports .wasm
//    files as modules and forbids compiling bytes at run time).
// The SIMD128 build is chosen when WebAssembly.validate accepts a SIMD
// instruction, the scalar build otherwise; `simd: true | false` forces one.
// Compiled modules are cached per source, so opening many stores compiles
// once.

/** Smallest module using a SIMD128 instruction (i8x16.splat, i8x16.popcnt). */
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253,
  98, 11,
]);

let simdCache;
/** Does this runtime support WebAssembly SIMD128? */
export function simdSupported() {
  if (simdCache === undefined) {
    try {
      simdCache = WebAssembly.validate(SIMD_PROBE);
    } catch {
      simdCache = false;
    }
  }
  return simdCache;
}

/**
 * The package's own builds, next to this file.  Computed on demand: some
 * runtimes (workerd) have no import.meta.url, and there the engine is
 * passed in as a module instead (js/workerd.js).  The `new URL(...,
 * import.meta.url)` form is also what bundlers (Vite, webpack, Parcel)
 * recognise to ship the .wasm files as assets.
 */
function defaultUrl(simd) {
  try {
    return simd ? new URL('../wasm/vessel.simd.wasm', import.meta.url) : new URL('../wasm/vessel.scalar.wasm', import.meta.url);
  } catch {
    throw new Error('vessel: this runtime gives no module URL to find the engine from; pass open({ wasm })');
  }
}

const moduleCache = new Map(); // source -> Promise<WebAssembly.Module>

async function readUrl(url) {
  if (url.protocol === 'file:') {
    // Node.js (and Deno/Bun): read from disk; the specifiers are only
    // reached under a file: URL, so browsers never load them.
    const fs = 'node:fs/promises';
    const { readFile } = await import(/* @vite-ignore */ fs);
    return readFile(url);
  }
  const res = await fetch(url);
  if (!res.ok) throw new Error(`vessel: cannot load ${url.href}: HTTP ${res.status}`);
  if (WebAssembly.compileStreaming && res.headers.get('content-type') === 'application/wasm') {
    return WebAssembly.compileStreaming(res);
  }
  return res.arrayBuffer();
}

async function compile(source) {
  if (source instanceof WebAssembly.Module) return source;
  if (typeof source === 'string') source = new URL(source, globalThis.location?.href ?? import.meta.url);
  if (source instanceof URL) source = await readUrl(source);
  if (source instanceof WebAssembly.Module) return source;
  if (source instanceof ArrayBuffer || ArrayBuffer.isView(source)) return WebAssembly.compile(source);
  throw new TypeError('vessel: wasm must be a URL, a path string, bytes or a WebAssembly.Module');
}

/**
 * Resolve the module to instantiate.
 * @param {object} [options]
 * @param {*} [options.wasm] one source, or { simd, scalar } sources
 * @param {boolean|'auto'} [options.simd] force the SIMD or the scalar build
 * @returns {Promise<{ module: WebAssembly.Module, simd: boolean }>}
 */
export async function loadModule(options = {}) {
  const wantSimd = options.simd === undefined || options.simd === 'auto' ? simdSupported() : !!options.simd;
  let source = options.wasm;
  let simd = wantSimd;
  if (source === undefined || source === null) {
    source = defaultUrl(wantSimd);
  } else if (typeof source === 'object' && !(source instanceof URL) && !(source instanceof WebAssembly.Module) &&
      !(source instanceof ArrayBuffer) && !ArrayBuffer.isView(source)) {
    // { simd, scalar }: pick one, falling back to what is there.
    const pick = wantSimd ? source.simd ?? source.scalar : source.scalar ?? source.simd;
    simd = pick === source.simd && pick !== undefined;
    source = pick;
  } else {
    simd = options.simd === undefined ? undefined : wantSimd; // unknown: a single given module
  }
  const key = source instanceof URL ? source.href : source;
  let p = moduleCache.get(key);
  if (!p) {
    p = compile(source);
    moduleCache.set(key, p);
    p.catch(() => moduleCache.delete(key));
  }
  return { module: await p, simd };
}
