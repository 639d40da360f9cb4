// Type declarations for Vessel's public API.

/** A value a command can take: strings are sent as UTF-8, numbers in
 * decimal, typed arrays and ArrayBuffers as their bytes (a Float32Array
 * is a vector blob). */
export type Arg = string | number | bigint | ArrayBuffer | ArrayBufferView;

/** A decoded reply: integer -> number, simple/bulk string -> string (or
 * Uint8Array for binary replies), array -> array, nil -> null. */
export type Reply = number | string | Uint8Array | null | Reply[];

/** Where the WebAssembly module comes from. */
export type WasmSource = URL | string | ArrayBuffer | ArrayBufferView | WebAssembly.Module;

export interface OpenOptions {
  /** The module: one source, or both builds to choose from. Defaults to the
   * package's own wasm/ files. */
  wasm?: WasmSource | { simd?: WasmSource; scalar?: WasmSource };
  /** Force the SIMD128 (true) or scalar (false) build; default: detect. */
  simd?: boolean | 'auto';
  /** Refuse writes past this many bytes (Redis's maxmemory); 0 = no limit. */
  maxmemory?: number;
  /** Seed for randomised structures (reproducible builds). */
  seed?: number;
  /** Return bulk replies of `command()` as Uint8Array instead of strings. */
  binaryReplies?: boolean;
}

/** An error reply; `message` is the exact Redis/Valkey error text. */
export class ReplyError extends Error {
  name: 'ReplyError';
}

export interface ScanOptions {
  match?: string;
  count?: number;
  type?: 'hash' | 'string';
}

export type FieldValue = string | number | ArrayBuffer | ArrayBufferView;

export class Vessel {
  /** 'simd' or 'scalar'; undefined when one explicit module was given. */
  readonly build: 'simd' | 'scalar' | undefined;
  /** Run any command, e.g. command('HSET', 'doc:1', 'vec', new Float32Array(v)). */
  command(name: string, ...args: Arg[]): Promise<any>;
  /** Run a command with bulk replies as Uint8Array. */
  commandBuffer(name: string, ...args: Arg[]): Promise<any>;
  /** Run a command synchronously in this thread. */
  commandSync(name: string, ...args: Arg[]): any;
  /** HSET the fields of an object or Map; resolves to the number of new fields. */
  hset(key: Arg, fields: Record<string, FieldValue> | Map<Arg, FieldValue>): Promise<number>;
  hget(key: Arg, field: Arg, options?: { binary?: false }): Promise<string | null>;
  hget(key: Arg, field: Arg, options: { binary: true }): Promise<Uint8Array | null>;
  hmget(key: Arg, fields: Arg[], options?: { binary?: boolean }): Promise<Array<string | Uint8Array | null>>;
  hgetall(key: Arg, options?: { binary?: false }): Promise<Record<string, string>>;
  hgetall(key: Arg, options: { binary: true }): Promise<Record<string, Uint8Array>>;
  del(...keys: Arg[]): Promise<number>;
  exists(...keys: Arg[]): Promise<number>;
  keys(pattern?: string): Promise<string[]>;
  scan(options?: ScanOptions): AsyncIterableIterator<string>;
  dbsize(): Promise<number>;
  flushall(): Promise<'OK'>;
  /** Bytes allocated by the engine for the store. */
  usedMemory(): number;
  close(): Promise<void>;
}

/** Open a store. */
export function open(options?: OpenOptions): Promise<Vessel>;

/** Compile (once, cached) the module to use. */
export function loadModule(options?: OpenOptions): Promise<{ module: WebAssembly.Module; simd: boolean | undefined }>;

/** Does this runtime support WebAssembly SIMD128? */
export function simdSupported(): boolean;
