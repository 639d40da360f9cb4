// worker-methods.js - the store methods a Web Worker store offers, listed
// once: js/worker.js answers exactly these, js/worker-client.js forwards
// them, and js/worker-client.d.ts declares them (tests/js/worker-methods
// .test.js checks the declarations against this list).
//
// FORWARDED methods cross unchanged: the page's arguments are the store
// method's arguments, its result the store's.  The others need their own
// code on the page: `pipeline` and `execMulti` (error replies cross as plain objects),
// `indexReady` (progress messages), `exportRdb` and `importRdb` (the file
// crosses in chunks, RDB_STEPS below) and `close` (ends the worker).

/** Methods whose call and result cross postMessage as they are. */
export const FORWARDED = Object.freeze([
  'command', 'commandBuffer', 'hset', 'hget', 'hmget', 'hgetall', 'del', 'exists', 'keys', 'dbsize', 'flushall', 'select',
  'createIndex', 'dropIndex', 'listIndexes', 'indexInfo', 'search', 'aggregate', 'hybrid', 'save', 'usedMemory', 'expireNow',
  'indexScript',
]);

/** Every method the page may call on the worker's store. */
export const WORKER_METHODS = Object.freeze([...FORWARDED, 'pipeline', 'execMulti', 'indexReady', 'exportRdb', 'importRdb', 'close']);

/** The messages an RDB transfer is made of (not methods of the page's store). */
export const RDB_STEPS = Object.freeze(['rdbExportNext', 'rdbExportEnd', 'rdbImportFeed', 'rdbImportEnd', 'rdbImportAbort']);

/** Methods the client answers on the page itself, sending no store call
 * of their own: `multi` builds a transaction that crosses as one execMulti;
 * `onChange` subscribes to change events (its first use sends CHANGE_WATCH). */
export const PAGE_METHODS = Object.freeze(['multi', 'onChange']);

/** The message that asks the worker for { event: 'change' } messages
 * (it then follows the store's journal with db.replicate). */
export const CHANGE_WATCH = 'watchChanges';
