// Type declarations for js/worker-client.js: a store whose engine runs in a Web Worker.
import type { OpenOptions, Vessel } from './index.js';
export { ReplyError } from './index.js';

/** open()'s options, with the storage described instead of given. */
export interface WorkerOpenOptions extends Omit<OpenOptions, 'storage' | 'dir' | 'wasm'> {
  storage?: { indexeddb: string } | 'memory';
}

/** The same async API as Vessel (the methods picked here), over postMessage. */
export interface VesselWorker extends Pick<Vessel,
  'build' | 'readOnly' | 'loadReport' | 'command' | 'commandBuffer' | 'pipeline' | 'execMulti' | 'multi' | 'hset' | 'hget' | 'hmget' | 'hgetall' |
  'del' | 'exists' | 'keys' | 'dbsize' | 'flushall' | 'createIndex' | 'dropIndex' | 'listIndexes' | 'indexInfo' | 'search' | 'hybrid' |
  'indexReady' | 'save' | 'importRdb' | 'indexScript' | 'close'> {}
export class VesselWorker {
  /** Bytes allocated by the engine (asynchronous here: the engine is in the worker). */
  usedMemory(): Promise<number>;
  /** Reclaim expired keys now, at most `budget` (all when omitted): the number deleted. */
  expireNow(budget?: number): Promise<number>;
  /** The store as an RDB file, in chunks fetched from the worker one at a time (progress counts bytes). */
  exportRdb(options?: { chunkSize?: number; onProgress?: (p: { bytes: number }) => void }): AsyncGenerator<Uint8Array, void, undefined>;
  /** Call fn after writes to the store (coalesced); returns the function that stops it. */
  onChange(fn: () => void): () => void;
}

/** Open a store in a new module worker (or in `worker`, running js/worker.js). */
export function openWorker(options?: WorkerOpenOptions, how?: { worker?: Worker }): Promise<VesselWorker>;
