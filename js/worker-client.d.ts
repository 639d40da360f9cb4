// Type declarations for js/worker-client.js: a store whose engine runs in a Web Worker.
import type { LoadReport, OpenOptions, Vessel } from './index.js';
export { ReplyError } from './index.js';

/**
 * A storage, described (it is built inside the worker): OPFS, IndexedDB,
 * automatic (`browser`: OPFS where usable, except when an IndexedDB store of
 * that name holds data and no OPFS store of that name exists), or memory.
 */
export type StorageDescription = { opfs: string } | { indexeddb: string } | { browser: string } | 'memory';

/** The storage a worker chose for a description, and why. */
export interface StorageInfo {
  kind: 'opfs' | 'indexeddb' | 'memory';
  /** OPFS only: 'sync' (sync access handles, in a worker) or 'async'. */
  mode?: 'sync' | 'async';
  why: string;
}

/** open()'s options, with the storage described instead of given. */
export interface WorkerOpenOptions extends Omit<OpenOptions, 'storage' | 'dir' | 'wasm'> {
  storage?: StorageDescription;
}

/** The same async API as Vessel (the methods picked here), over postMessage. */
export interface VesselWorker extends Pick<Vessel,
  'build' | 'readOnly' | 'command' | 'commandBuffer' | 'pipeline' | 'execMulti' | 'multi' | 'hset' | 'hget' | 'hmget' | 'hgetall' |
  'del' | 'exists' | 'keys' | 'dbsize' | 'flushall' | 'select' | 'createIndex' | 'dropIndex' | 'listIndexes' | 'indexInfo' | 'search' | 'aggregate' | 'hybrid' |
  'indexReady' | 'save' | 'importRdb' | 'indexScript' | 'close'> {}
export class VesselWorker {
  /** The storage the worker chose (also in loadReport.storage). */
  readonly storage: StorageInfo;
  readonly loadReport: (LoadReport & { storage: StorageInfo }) | null;
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
