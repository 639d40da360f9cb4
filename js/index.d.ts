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
  /** Numbered databases (SELECT, SWAPDB, MOVE), as Redis's `databases`; default 16. */
  databases?: number;
  /** Return bulk replies of `command()` as Uint8Array instead of strings. */
  binaryReplies?: boolean;
  /** When the engine's memory grows, headroom added, as a fraction of its size
   * (default 0.5; 0.125 in workerd, where an isolate has 128 MB). */
  memoryHeadroom?: number;
  /** Milliseconds of background (backfill, expiry) work per event-loop turn (default 4). */
  backfillSliceMs?: number;
  /** The clock keys expire by: Unix time in milliseconds (default
   * Date.now).  Read once per command, batch and background step, as Redis
   * reads the time once per command; inject one to test expiry.  (A
   * function cannot cross postMessage: not for a Web Worker store.) */
  clock?: () => number;
  /** Reclaim expired keys in the background, in bounded steps (default
   * true).  Expired keys are gone for every read either way; false leaves
   * their memory until they are touched or `expireNow()` runs. */
  activeExpiry?: boolean;
  /** Persist to this storage (see docs/persistence.md). */
  storage?: Storage | SnapshotStorage;
  /** Node.js: persist to files in this directory (a FileStorage). */
  dir?: string;
  /** As Redis's appendfsync (default 'everysec'). */
  durability?: 'always' | 'everysec' | 'no';
  /** Snapshot rules as Redis's `save <seconds> <changes>` (default
   * [[3600, 1], [300, 100], [60, 10000]]); false: only explicit saves. */
  autosave?: Array<[seconds: number, changes: number]> | false;
  /** Keep what precedes damage in the journal (the cut bytes go to a side
   * blob), or start an empty journal when it is missing, instead of
   * refusing to open (as redis-check-aof --fix). */
  repairJournal?: boolean;
  /** Rebuild a lost MANIFEST from the newest snapshot and its journal
   * (reported in loadReport.recovered) instead of refusing to open. */
  recoverManifest?: boolean;
  /** Open read-only; 'ifLocked': read-only only when another tab/process holds the store. */
  readOnly?: boolean | 'ifLocked';
}

/**
 * Where a store's snapshots and journal live (docs/persistence.md).  A
 * full storage (a browser's quota, a full disk) throws an error with code
 * 'VESSEL_QUOTA' from write() and append() and changes nothing: the store
 * then refuses writes (MISCONF) until its held journal records go in,
 * tried again every second.
 */
export interface Storage {
  read(name: string): Promise<AsyncIterable<Uint8Array> | null>;
  size(name: string): Promise<number | null>;
  write(name: string, chunks: Iterable<Uint8Array> | AsyncIterable<Uint8Array>): Promise<void>;
  append(name: string, bytes: Uint8Array): Promise<void>;
  sync(name: string): Promise<void>;
  truncate(name: string, length: number): Promise<void>;
  list(): Promise<string[]>;
  delete(name: string): Promise<void>;
  /** One writer per store; `announce()` (optional) is called once the store opened. */
  lock(): Promise<{ release(): void | Promise<void>; announce?(): void | Promise<void> }>;
  /** Remove temporary blobs an interrupted write left (called after a successful open). */
  removeTemporary?(): Promise<void>;
  close?(): Promise<void>;
  readOnly?(): boolean;
}

// Each storage class has the Storage methods (class/interface merging).

/** Blobs in memory: tests and ephemeral stores. */
export interface MemoryStorage extends Storage {}
export class MemoryStorage {
  /** quota: bytes all blobs may hold; past it writes and appends change nothing and throw code 'VESSEL_QUOTA'. */
  constructor(options?: { quota?: number });
  quota: number;
}

/** IndexedDB (browsers, Web Workers): chunked blobs, atomic swaps, Web Locks. */
export interface IndexedDBStorage extends Storage {}
export class IndexedDBStorage {
  constructor(name: string, options?: { indexedDB?: IDBFactory; IDBKeyRange?: typeof IDBKeyRange; locks?: LockManager });
  /** Delete the whole store. */
  static destroy(name: string, indexedDB?: IDBFactory): Promise<void>;
}

export { OPFSStorage } from './storage/opfs.js';

/** A key-value binding with get/put/delete(/list): Workers KV, R2. */
export interface KVBinding {
  get(key: string, options: { type: 'arrayBuffer' }): Promise<ArrayBuffer | { arrayBuffer(): Promise<ArrayBuffer> } | null>;
  put(key: string, value: Uint8Array | ArrayBuffer | string): Promise<unknown>;
  delete(key: string): Promise<unknown>;
  list?(options: { prefix: string; cursor?: string }): Promise<unknown>;
}

/** Blobs in a key-value binding (edge functions). */
export interface KVStorage extends Storage {}
export class KVStorage {
  constructor(binding: KVBinding, options?: { prefix?: string });
}

/** A read-only store from one snapshot (shipped with a worker); reads only. */
export class SnapshotStorage {
  /** `gzip: true`: the bytes are the snapshot's gzip, decompressed while loading. */
  constructor(bytes: Uint8Array | ArrayBuffer, options?: { gzip?: boolean });
  read(name: string): Promise<AsyncIterable<Uint8Array> | null>;
  size(name: string): Promise<number | null>;
  list(): Promise<string[]>;
  lock(): Promise<{ release(): void }>;
  readOnly(): true;
}

/** Reads `upper` then `base`; writes go to `upper`. */
export interface OverlayStorage extends Storage {}
export class OverlayStorage {
  constructor(base: Storage | SnapshotStorage, upper: Storage);
}

/** What opening a persisted store found. */
export interface LoadReport {
  snapshot: string | null;
  snapshotBytes: number;
  loadMs: number;
  journal: string | null;
  journalBytes: number;
  /** Journal commands applied. */
  replayed: number;
  /** Bytes of a torn last journal record (dropped). */
  tornBytes: number;
  /** Bytes cut from the journal (torn tail, or damage with repairJournal). */
  truncatedBytes: number;
  /** 2: every command followed by its check record; 1: written before those. */
  journalFormat: 1 | 2;
  /** Where the cut bytes were kept (a blob beside the journal), or null. */
  cutBlob: string | null;
  /** What repairJournal repaired, or null. */
  repaired: string | null;
  /** What recoverManifest rebuilt, or null. */
  recovered: string | null;
  /** Files an interrupted save left that opening removed. */
  removed: string[];
  /** True when a format-1 journal was converted (by saving a snapshot). */
  migrated?: boolean;
  replayMs: number;
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

/** The element types a VECTOR field can hold (FT.CREATE ... TYPE). */
export type VectorType = 'FLOAT32' | 'FLOAT16' | 'BFLOAT16' | 'INT8' | 'UINT8';

export interface VectorFieldDef {
  type: 'VECTOR';
  algorithm?: 'FLAT' | 'HNSW';
  dim: number;
  distance?: 'L2' | 'IP' | 'COSINE';
  /** Element type of the vectors (default FLOAT32); blobs are dim x 4, 2, 2, 1, 1 bytes. */
  dataType?: VectorType;
  initialCap?: number;
  blockSize?: number;      // FLAT
  m?: number;              // HNSW
  efConstruction?: number; // HNSW
  efRuntime?: number;      // HNSW
  as?: string;
}
export interface TagFieldDef { type: 'TAG'; separator?: string; caseSensitive?: boolean; sortable?: boolean; as?: string }
export interface NumericFieldDef { type: 'NUMERIC'; sortable?: boolean; as?: string }
export interface TextFieldDef {
  type: 'TEXT';
  /** NOSTEM: index and match the words as written. */
  noStem?: boolean;
  /** WITHSUFFIXTRIE (true: suffix queries such as *llo work) or NOSUFFIXTRIE (false, the default). */
  withSuffixTrie?: boolean;
  /** WEIGHT: the field's factor in text scores (default 1). */
  weight?: number;
  /** SORTABLE (accepted). */
  sortable?: boolean;
  as?: string;
}
export type FieldDef = VectorFieldDef | TagFieldDef | NumericFieldDef | TextFieldDef | 'TAG' | 'NUMERIC' | 'TEXT';

export interface IndexDefinition {
  /** Key prefixes; none means every hash key. */
  prefix?: string | string[];
  /** Do not index existing keys (only later writes). */
  skipInitialScan?: boolean;
  /** LANGUAGE of the TEXT fields (stemming): only 'ENGLISH'. */
  language?: 'ENGLISH' | (string & {});
  /** MINSTEMSIZE: words shorter than this many bytes are not stemmed (default 4). */
  minStemSize?: number;
  /** WITHOFFSETS (true, the default: phrases and SLOP work) or NOOFFSETS (false). */
  withOffsets?: boolean;
  /** STOPWORDS: the words left out of TEXT fields and queries; false or [] is NOSTOPWORDS. */
  stopwords?: string[] | false;
  /** PUNCTUATION: the characters that split words, besides whitespace and control characters. */
  punctuation?: string;
  /** Fields by hash field name, in order (or an array with `name`). */
  schema: Record<string, FieldDef> | Array<(VectorFieldDef | TagFieldDef | NumericFieldDef | TextFieldDef) & { name: string }>;
}

/** Text scorers (SCORER); BM25STD is the default. */
export type Scorer = 'BM25STD' | 'BM25' | 'TFIDF' | 'TFIDF.DOCNORM' | 'DOCSCORE' | (string & {});

export interface SearchOptions {
  /** PARAMS: values for $name references (vectors as Float32Array). */
  params?: Record<string, Arg>;
  /** RETURN: field names, or { field, as }. An empty list means no content. */
  return?: Array<string | { field: string; as: string }>;
  /** LIMIT offset count (default 0 10). */
  limit?: [number, number] | { offset?: number; count?: number };
  /** SORTBY a field (or the KNN score name, ascending). */
  sortBy?: string | { field: string; direction?: 'ASC' | 'DESC' };
  /** WITHSORTKEYS: each result of a filter query (not KNN, not noContent) carries its SORTBY value in `sortKey`. */
  withSortKeys?: boolean;
  noContent?: boolean;
  dialect?: 2 | 3 | 4;
  timeout?: number;
  /** Vector fields as Float32Array (else raw bytes). */
  vectors?: boolean;
  /** Every field value as Uint8Array. */
  binary?: boolean;
  /** WITHSCORES: each result's text score in `score`. */
  withScores?: boolean;
  /** SCORER: how text matches are scored (default BM25STD). */
  scorer?: Scorer;
  /** VERBATIM: match the query's words as written (no stemming). */
  verbatim?: boolean;
  /** INORDER: the words of a proximity match must appear in the query's order. */
  inOrder?: boolean;
  /** SLOP: words allowed between the query's words in a proximity match. */
  slop?: number;
}

export interface SearchResult {
  key: string;
  /** With withScores, the text score; else, for a KNN query, the distance (L2 squared,
   * 1 - dot for IP, 1 - cosine for COSINE). */
  score?: number;
  /** With withSortKeys, the document's SORTBY value as stored ('' when it has none). */
  sortKey?: string;
  fields: Record<string, string | Uint8Array | Float32Array>;
}

/** FT.HYBRID's text part. */
export interface HybridSearch {
  /** A query in FT.SEARCH's language (text, TAG and NUMERIC clauses). */
  query: string;
  scorer?: Scorer;
  /** YIELD_SCORE_AS: returns the text score (as textScore) for documents the text query found. */
  yieldScoreAs?: string;
}

/** FT.HYBRID's vector part: KNN (the default, K 10) or RANGE. */
export interface HybridVsim {
  /** The vector field (with or without '@'). */
  field: string;
  /** The query vector, or the name of a PARAMS entry holding it ('$name' or 'name'). */
  vector: Float32Array | ArrayBuffer | ArrayBufferView | string;
  knn?: { k: number; efRuntime?: number };
  /** Shorthand for knn.k. */
  k?: number;
  /** Shorthand for knn.efRuntime. */
  efRuntime?: number;
  range?: { radius: number; epsilon?: number };
  /** FILTER: a pre-filter query for the vector part (TAG, NUMERIC, text clauses). */
  filter?: string;
  /** YIELD_SCORE_AS: returns the vector score (as vectorScore) for documents the vector query found. */
  yieldScoreAs?: string;
}

/** COMBINE: Reciprocal Rank Fusion (the default: CONSTANT 60, WINDOW 20) or a weighted sum. */
export type HybridCombine =
  | { method: 'RRF'; constant?: number; window?: number; yieldScoreAs?: string }
  | { method: 'LINEAR'; alpha?: number; beta?: number; window?: number; yieldScoreAs?: string };

/** One step of an FT.AGGREGATE pipeline. */
export type AggregateStep =
  | { apply: string; as: string }
  | { filter: string }
  | { groupBy: string | string[]; reduce?: { fn: string; args?: (string | number)[]; as?: string }[] }
  | { sortBy: string | { by: string; desc?: boolean } | (string | { by: string; desc?: boolean })[]; max?: number }
  | { limit: [number, number] | { offset: number; count: number } };

export interface AggregateOptions {
  /** '*' for every hash field, or field names ('@__key' for the key). */
  load?: '*' | string[];
  steps?: AggregateStep[];
  params?: Record<string, string | number | Float32Array | Uint8Array>;
  dialect?: number;
  timeout?: number;
  verbatim?: boolean;
  inOrder?: boolean;
  slop?: number;
  /** Values as bytes. */
  binary?: boolean;
}

/** An output record: name to value (reducer lists as arrays). */
export type AggregateRow = Record<string, any>;

export interface HybridOptions {
  /** The text query, or its string. */
  search: HybridSearch | string;
  vsim: HybridVsim;
  combine?: HybridCombine;
  /** LOAD: fields to return (names or { field, as }), or '*' for the whole hash (read after the
   *  search, as Redis's `LOAD *` rows carry no key); by default only key and score. */
  load?: Array<string | { field: string; as: string }> | '*';
  /** SORTBY fields (a hash field or a score name); by default the fused score, best first. */
  sortBy?: string | { field: string; direction?: 'ASC' | 'DESC' } | Array<string | { field: string; direction?: 'ASC' | 'DESC' }>;
  /** NOSORT: the two lists' order. */
  noSort?: boolean;
  /** LIMIT offset count (default 0 10). */
  limit?: [number, number] | { offset?: number; count?: number };
  params?: Record<string, Arg>;
  timeout?: number;
  vectors?: boolean;
  binary?: boolean;
}

export interface HybridResult {
  key: string;
  /** The fused score (RRF or LINEAR). */
  score: number;
  /** The text score, when search.yieldScoreAs is set and the text query found the document. */
  textScore?: number;
  /** The vector score, when vsim.yieldScoreAs is set and the vector query found the document. */
  vectorScore?: number;
  fields: Record<string, string | Uint8Array | Float32Array>;
}

export interface HybridReply {
  /** Documents in the fused list (before LIMIT). */
  total: number;
  results: HybridResult[];
  warnings: string[];
  executionTime: number;
}

export interface SearchReply {
  total: number;
  results: SearchResult[];
}

export interface IndexProgress {
  /** Backfill progress, 0-100. */
  percent: number;
  /** Documents indexed so far. */
  docs: number;
  state: 'ready' | 'backfill_in_progress' | 'backfill_paused_by_oom';
  done: boolean;
}

/** A source of bytes for importRdb. */
export type ByteSource = Uint8Array | ArrayBuffer | Blob | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array> | Iterable<Uint8Array>;

/** What importRdb loaded and skipped. */
export interface RdbImportReport {
  /** Bytes read. */
  bytes: number;
  hashes: number;
  strings: number;
  /** Keys skipped because they had expired. */
  expired: number;
  /** Keys skipped because Vessel does not hold their type. */
  skipped: { list: number; set: number; zset: number; stream: number; module: number };
  /** Keys of databases the store does not have (numbers from its `databases` on), skipped. */
  otherDatabases: number;
  /** Function libraries, skipped. */
  functions: number;
  /** The file's RDB version. */
  version: number;
  /** Empty hashes, skipped (as Redis skips them). */
  empty: number;
  ms: number;
}

export class Vessel {
  /** 'simd' or 'scalar'; undefined when one explicit module was given. */
  readonly build: 'simd' | 'scalar' | undefined;
  /** True when the store refuses writes (read-only storage or option). */
  readonly readOnly: boolean;
  /** With a storage: what opening found. */
  readonly loadReport: LoadReport | null;
  /** Save a snapshot now; writes wait while it streams. */
  save(): Promise<{ bytes: number; ms: number; at: number }>;
  /**
   * The store as an RDB file (version 10: Redis 7.0+, Valkey), in chunks;
   * writes wait until the last chunk is taken.  Index definitions: indexScript().
   */
  exportRdb(options?: { chunkSize?: number; onProgress?: (p: { keys: number; totalKeys: number; bytes: number }) => void }): AsyncGenerator<Uint8Array, void, undefined>;
  /**
   * Load an RDB file: its database 0's hashes and strings replace the
   * store's keys (refused on a store with keys unless replace), the
   * indexes rebuild over them; a damaged file changes nothing.
   */
  importRdb(source: ByteSource, options?: { replace?: boolean; size?: number; onProgress?: (p: { bytes: number; size: number }) => void }): Promise<RdbImportReport>;
  /** Every index's FT.CREATE command: text lines for redis-cli, or RESP for redis-cli --pipe. */
  indexScript(options?: { format?: 'text' }): Promise<string>;
  indexScript(options: { format: 'resp' }): Promise<Uint8Array>;
  /** Change the durability at once (as CONFIG SET appendfsync). */
  setDurability(mode: 'always' | 'everysec' | 'no'): Promise<void>;
  /** Change the autosave rules at once (as CONFIG SET save); false: none. */
  setAutosave(rules: Array<[seconds: number, changes: number]> | false): Promise<void>;
  /** Run any command, e.g. command('HSET', 'doc:1', 'vec', new Float32Array(v)). */
  command(name: string, ...args: Arg[]): Promise<any>;
  /** Run a command with bulk replies as Uint8Array. */
  commandBuffer(name: string, ...args: Arg[]): Promise<any>;
  /** Run a command synchronously in this thread. */
  commandSync(name: string, ...args: Arg[]): any;
  /** Many commands at once ([[name, ...args], ...]); error replies come back in place as ReplyError values. */
  pipeline(commands: Arg[][], options?: { binary?: boolean }): Promise<any[]>;
  /** A transaction builder: chain commands, then exec() runs them as MULTI ... EXEC on the default
   * client (keys WATCHed with command('WATCH', ...) abort it: exec() resolves to null). */
  multi(): Multi;
  /** [[name, ...args], ...] as one transaction: the replies (run-time errors in place), null when a
   * watched key changed; rejects with the EXECABORT ReplyError (its `errors`: the queue-time errors)
   * when a command could not be queued, nothing applied. */
  execMulti(commands: Arg[][], options?: { binary?: boolean }): Promise<any[] | null>;
  /** For front ends: an engine client of its own (its MULTI, queue and watched keys); its id. */
  openClient(): number;
  /** End an engine client: its transaction is discarded, its keys unwatched. */
  closeClient(id: number): void;
  /** Engine client `id`'s transaction (0: the default client's). */
  clientState(id?: number): { multi: boolean; dirty: boolean; doomed: boolean; queued: number };
  /** For front ends, inside client `id`'s MULTI: queue the place of a command the front end answers
   * itself (its index in the transaction, -1 when nothing was queued), refuse one (`reject`: EXEC
   * will answer EXECABORT), or discard the transaction and unwatch (`reset`, as RESET). */
  clientTransaction(id: number, options?: { reject?: boolean; reset?: boolean }): number | void;
  /** For front ends (vessel-cli, vessel-server): the reply as the RESP bytes a Redis server
   * sends (error replies included), at once when nothing is to be waited for, else a promise.
   * `persistence: false` leaves SAVE, BGSAVE, LASTSAVE, INFO and CONFIG to the engine; `client`: the
   * engine client (openClient()) it runs as, 0 (the default) otherwise. */
  commandRaw(args: Arg[], options?: { proto?: 2 | 3; persistence?: boolean; client?: number } | 2 | 3): Uint8Array | Promise<Uint8Array>;
  /** For servers: run the complete plain RESP requests at the start of `bytes` in one engine call;
   * null when the store cannot take that path now (read-only, a save holding writes, a broken
   * journal): use commandRaw per request then. `durable`: the promise of the batch's journal records. */
  pipelineRaw(bytes: Uint8Array, proto?: 2 | 3, client?: number): { consumed: number; ran: number; replies: Uint8Array; durable?: Promise<void> } | null;
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
  /** SELECT n: later commands of the in-process caller act on database n (0 at open). */
  select(n: number): Promise<'OK'>;
  /** The database a client (clientOpen(); 0: the in-process caller) has selected. */
  clientDb(client?: number): number;
  dbsize(): Promise<number>;
  flushall(): Promise<'OK'>;
  /** FT.CREATE; the index is backfilled in the background (see indexReady). */
  createIndex(name: string, definition: IndexDefinition): Promise<'OK'>;
  dropIndex(name: string, options?: { deleteDocuments?: boolean }): Promise<'OK'>;
  listIndexes(): Promise<string[]>;
  /** FT.INFO as an object. */
  indexInfo(name: string): Promise<Record<string, any>>;
  /** FT.SEARCH: filter, text and KNN (with a filter) queries. */
  search(index: string, query: string, options?: SearchOptions): Promise<SearchReply>;
  /** FT.AGGREGATE: the query's documents through APPLY / FILTER / GROUPBY / SORTBY / LIMIT steps. */
  aggregate(index: string, query: string, options?: AggregateOptions): Promise<AggregateRow[]>;
  /** FT.HYBRID: a text query and a vector query fused into one ranking (RRF or LINEAR). */
  hybrid(index: string, options: HybridOptions): Promise<HybridReply>;
  /** Resolves when the index's backfill is complete. */
  indexReady(name: string, options?: { onProgress?: (p: IndexProgress) => void }): Promise<IndexProgress>;
  /** Bytes allocated by the engine for the store. */
  usedMemory(): number;
  /** Bytes of WebAssembly memory the engine holds (allocated or free). */
  wasmMemory(): number;
  /** Delete keys past their expiry time now, at most `budget` of them
   * (default: all); returns how many.  The background does this in
   * bounded steps by itself unless `activeExpiry: false`. */
  expireNow(budget?: number): number;
  /** INFO's persistence section as text (CRLF lines, Redis's field names). */
  infoPersistence(): string;
  close(): Promise<void>;
}

/** Open a store. */
export function open(options?: OpenOptions): Promise<Vessel>;

/** Compile (once, cached) the module to use. */
export function loadModule(options?: OpenOptions): Promise<{ module: WebAssembly.Module; simd: boolean | undefined }>;

/** Does this runtime support WebAssembly SIMD128? */
export function simdSupported(): boolean;

/** A vector's little-endian bytes in an element type (FLOAT16 and BFLOAT16
 * rounded to nearest even; INT8/UINT8 take integers in range, else throw). */
export function vectorBytes(values: ArrayLike<number>, type?: VectorType): Uint8Array;
/** A vector's values from its bytes: Float32Array for the float types, Int8Array, Uint8Array. */
export function vectorValues(bytes: Uint8Array, type?: VectorType): Float32Array | Int8Array | Uint8Array;
/** Bytes per component of a vector type (4, 2, 2, 1, 1). */
export function vectorElementSize(type: VectorType): number;

/** A transaction being built by Vessel.multi(). */
export interface Multi {
  /** Queue any command. */
  command(name: string, ...args: Arg[]): Multi;
  hset(key: Arg, fields: Record<string, FieldValue> | Map<Arg, FieldValue>): Multi;
  hget(key: Arg, field: Arg): Multi;
  hmget(key: Arg, fields: Arg[]): Multi;
  /** Its reply comes back as an object. */
  hgetall(key: Arg): Multi;
  del(...keys: Arg[]): Multi;
  exists(...keys: Arg[]): Multi;
  createIndex(name: string, definition: IndexDefinition): Multi;
  dropIndex(name: string, options?: { deleteDocuments?: boolean }): Multi;
  /** Commands queued so far. */
  readonly length: number;
  /** MULTI, the commands, EXEC: the replies (run-time errors in place as ReplyError), null when a
   * watched key changed; rejects with the EXECABORT ReplyError when a command could not be queued. */
  exec(options?: { binary?: boolean }): Promise<any[] | null>;
}
