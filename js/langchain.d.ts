// Type declarations for js/langchain.js ('vessel/langchain'): a LangChain.js
// VectorStore backed by an embedded Vessel store.
import type { DocumentInterface } from '@langchain/core/documents';
import { Document } from '@langchain/core/documents';
import type { EmbeddingsInterface } from '@langchain/core/embeddings';
import type { Callbacks } from '@langchain/core/callbacks/manager';
import { VectorStore, type MaxMarginalRelevanceSearchOptions } from '@langchain/core/vectorstores';
import type { OpenOptions, Vessel } from './index.js';
import type { VesselWorker } from './worker-client.js';

/** The vector index: RedisVectorStore's spelling (ALGORITHM, DISTANCE_METRIC, ...) or Vessel's. */
export interface VesselIndexOptions {
  ALGORITHM?: 'HNSW' | 'FLAT';
  algorithm?: 'HNSW' | 'FLAT';
  /** Default COSINE. */
  DISTANCE_METRIC?: 'COSINE' | 'L2' | 'IP';
  distance?: 'COSINE' | 'L2' | 'IP';
  INITIAL_CAP?: number;
  initialCap?: number;
  /** FLAT */
  BLOCK_SIZE?: number;
  blockSize?: number;
  /** HNSW */
  M?: number;
  m?: number;
  EF_CONSTRUCTION?: number;
  efConstruction?: number;
  EF_RUNTIME?: number;
  efRuntime?: number;
}

/** A metadata field indexed for filters, stored in the hash as `metadata.<name>`. */
export type VesselSchemaField =
  | 'TAG'
  | 'NUMERIC'
  | { type: 'TAG'; separator?: string; SEPARATOR?: string; caseSensitive?: boolean; CASESENSITIVE?: boolean }
  | { type: 'NUMERIC' };

export type TagValue = string | number | boolean;

/** TAG: a tag, any of a list of tags, or operators. */
export type TagCondition = TagValue | TagValue[] | { $eq?: TagValue; $ne?: TagValue; $in?: TagValue[]; $nin?: TagValue[] };

/** NUMERIC: a value, or a range and operators (min/max: RedisVectorStore's inclusive bounds). */
export type NumericCondition =
  | number
  | {
      $eq?: number; $ne?: number; $gt?: number; $gte?: number; $lt?: number; $lte?: number;
      $in?: number[]; $nin?: number[]; min?: number; max?: number;
    };

/**
 * A filter: metadata fields of `customSchema` with their conditions, all
 * of which must hold; `$and`, `$or` and `$not` combine filters.  A string
 * is a raw valkey-search filter (`@metadata.tag:{a} @metadata.n:[1 5]`).
 */
export type VesselFilter =
  | string
  | ({ $and?: VesselFilter[]; $or?: VesselFilter[]; $not?: VesselFilter } & { [field: string]: TagCondition | NumericCondition | VesselFilter[] | VesselFilter | undefined });

export interface VesselVectorStoreConfig {
  /** An open store: any runtime's open() result or openWorker()'s. */
  store?: Vessel | VesselWorker;
  /** Or options to open one (in memory by default; `storage`, or `dir` under Node, to persist). */
  open?: OpenOptions;
  /** Default 'langchain'. */
  indexName?: string;
  /** Default `doc:${indexName}:`; a document's key is the prefix and its id. */
  keyPrefix?: string;
  /** Hash fields: default 'content', 'metadata' (JSON), 'content_vector'. */
  contentKey?: string;
  metadataKey?: string;
  vectorKey?: string;
  /** Default HNSW, COSINE. */
  indexOptions?: VesselIndexOptions;
  /** Metadata fields to index for filters. */
  customSchema?: Record<string, VesselSchemaField>;
  /** A filter every search also applies. */
  filter?: VesselFilter;
  /** Commands per pipeline when adding (default 1000). */
  batchSize?: number;
}

export interface VesselAddOptions {
  /** One id per document (default: each document's id, else a new UUID). */
  ids?: string[];
  batchSize?: number;
}

export declare class VesselVectorStore extends VectorStore {
  FilterType: VesselFilter;
  indexName: string;
  keyPrefix: string;
  contentKey: string;
  metadataKey: string;
  vectorKey: string;
  filter?: VesselFilter;
  batchSize: number;
  constructor(embeddings: EmbeddingsInterface, config?: VesselVectorStoreConfig);
  _vectorstoreType(): string;
  /** The Vessel store (opened on first use when the config gave `open`). */
  getStore(): Promise<Vessel | VesselWorker>;
  checkIndexExists(): Promise<boolean>;
  /** FT.CREATE with this dimension unless the index exists (addVectors does it on first use). */
  createIndex(dimensions: number): Promise<{ dim: number; distance: string; algorithm: string }>;
  /** FT.DROPINDEX (DD with deleteDocuments); false when there was no index. */
  dropIndex(deleteDocuments?: boolean): Promise<boolean>;
  /** Returns the ids of the documents added (replaced when an id exists). */
  addDocuments(documents: DocumentInterface[], options?: VesselAddOptions): Promise<string[]>;
  addVectors(vectors: number[][], documents: DocumentInterface[], options?: VesselAddOptions): Promise<string[]>;
  /** Scores are distances, nearest first: 1 - cosine (COSINE), squared L2 (L2), 1 - dot (IP). */
  similaritySearchVectorWithScore(query: number[], k: number, filter?: VesselFilter): Promise<[Document, number][]>;
  /** The fetchK (default 20) nearest documents passing the filter, re-ranked for diversity with their stored vectors (lambda 1: relevance only, 0: diversity only; default 0.5). */
  maxMarginalRelevanceSearch(query: string, options: MaxMarginalRelevanceSearchOptions<this['FilterType']>, callbacks?: Callbacks): Promise<Document[]>;
  maxMarginalRelevanceSearchByVector(query: number[], options: MaxMarginalRelevanceSearchOptions<this['FilterType']>): Promise<Document[]>;
  /** `{ ids }`: delete those documents; `{ deleteAll: true }`: every key under the prefix (the index stays). */
  delete(params: { ids: string[] } | { deleteAll: true }): Promise<void>;
  /** Save a snapshot now (a store with a storage). */
  save(): Promise<{ bytes: number; ms: number; at: number }>;
  /** Close the store if it was opened from `open` options. */
  close(): Promise<void>;
  static fromTexts(texts: string[], metadatas: object[] | object, embeddings: EmbeddingsInterface, config?: VesselVectorStoreConfig, options?: VesselAddOptions): Promise<VesselVectorStore>;
  static fromDocuments(docs: DocumentInterface[], embeddings: EmbeddingsInterface, config?: VesselVectorStoreConfig, options?: VesselAddOptions): Promise<VesselVectorStore>;
  /** A store over an existing index; rejects when there is none. */
  static fromExistingIndex(embeddings: EmbeddingsInterface, config?: VesselVectorStoreConfig): Promise<VesselVectorStore>;
}

/** The valkey-search filter a filter object stands for (null: every document). */
export declare function filterToQuery(filter: VesselFilter | undefined | null, schema: Map<string, { type: 'TAG' | 'NUMERIC'; field: string }>): string | null;
