// Type declarations for js/worker-client.js: a store whose engine runs in a Web Worker.
import type {
  Arg, IndexDefinition, IndexProgress, LoadReport, OpenOptions, SearchOptions, SearchReply, FieldValue,
} from './index.js';
export { ReplyError } from './index.js';

/** open()'s options, with the storage described instead of given. */
export interface WorkerOpenOptions extends Omit<OpenOptions, 'storage' | 'dir' | 'wasm'> {
  storage?: { indexeddb: string } | 'memory';
}

/** The same async API as Vessel, over postMessage. */
export class VesselWorker {
  readonly build: 'simd' | 'scalar' | undefined;
  readonly readOnly: boolean;
  readonly loadReport: LoadReport | null;
  command(name: string, ...args: Arg[]): Promise<any>;
  commandBuffer(name: string, ...args: Arg[]): Promise<any>;
  /** Many commands in one message; error replies come back as ReplyError values in place. */
  pipeline(commands: Arg[][], options?: { binary?: boolean }): Promise<any[]>;
  hset(key: Arg, fields: Record<string, FieldValue> | Map<Arg, FieldValue>): Promise<number>;
  hget(key: Arg, field: Arg, options?: { binary?: boolean }): Promise<string | Uint8Array | null>;
  hmget(key: Arg, fields: Arg[], options?: { binary?: boolean }): Promise<Array<string | Uint8Array | null>>;
  hgetall(key: Arg, options?: { binary?: boolean }): Promise<Record<string, string | Uint8Array>>;
  del(...keys: Arg[]): Promise<number>;
  exists(...keys: Arg[]): Promise<number>;
  keys(pattern?: string): Promise<string[]>;
  dbsize(): Promise<number>;
  flushall(): Promise<'OK'>;
  createIndex(name: string, definition: IndexDefinition): Promise<'OK'>;
  dropIndex(name: string, options?: { deleteDocuments?: boolean }): Promise<'OK'>;
  listIndexes(): Promise<string[]>;
  indexInfo(name: string): Promise<Record<string, any>>;
  search(index: string, query: string, options?: SearchOptions): Promise<SearchReply>;
  indexReady(name: string, options?: { onProgress?: (p: IndexProgress) => void }): Promise<IndexProgress>;
  save(): Promise<{ bytes: number; ms: number; at: number }>;
  usedMemory(): Promise<number>;
  /** Close the store (flushing its journal) and end the worker. */
  close(): Promise<void>;
}

/** Open a store in a new module worker (or in `worker`, running js/worker.js). */
export function openWorker(options?: WorkerOpenOptions, how?: { worker?: Worker }): Promise<VesselWorker>;
