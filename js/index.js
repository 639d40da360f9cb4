// index.js - Vessel's public entry point.
//
//   import { open } from 'vessel';
//   const db = await open();
//   await db.hset('doc:1', { title: 'hello', vec: new Float32Array([1, 2, 3]) });

export { open, Vessel } from './vessel.js';
export { ReplyError } from './resp.js';
export { vectorBytes, vectorValues, vectorElementSize } from './vectors.js';
export { loadModule, simdSupported } from './loader.js';
// Storages that run anywhere; FileStorage (Node) is 'vessel/storage/files'.
export { MemoryStorage } from './storage/memory.js';
export { IndexedDBStorage } from './storage/indexeddb.js';
export { OPFSStorage } from './storage/opfs.js';
export { KVStorage, SnapshotStorage } from './storage/kv.js';
export { OverlayStorage } from './storage/overlay.js';
