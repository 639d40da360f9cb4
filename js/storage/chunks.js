// storage/chunks.js - helpers the storage adapters share for blobs held
// as sequences of byte chunks.

import { concat } from '../bytes.js';

export { concat } from '../bytes.js';

/** Every chunk of a (sync or async) iterable, collected into one array. */
export async function collect(src) {
  const parts = [];
  for await (const c of src) parts.push(c);
  return concat(parts);
}

/** The chunks of `src` cut at `length` bytes, as they are read (views, not copies). */
export async function* head(src, length) {
  let left = length;
  for await (const c of src) {
    if (left <= 0) return;
    yield c.length <= left ? c : c.subarray(0, left);
    left -= c.length;
  }
}

/** The chunks of `src` cut at `length` bytes, collected. */
export async function prefix(src, length) {
  const out = [];
  for await (const c of head(src, length)) out.push(c);
  return out;
}

/**
 * The bytes of `chunks` regrouped into pieces of `size` bytes (the last
 * one shorter), for storages whose cost is per write.  Each piece is a
 * view of one reused buffer: the caller writes or copies it before it
 * asks for the next.
 */
export async function* regroup(chunks, size) {
  const buf = new Uint8Array(size);
  let fill = 0;
  for await (const c of chunks) {
    for (let off = 0; off < c.length; ) {
      const k = Math.min(size - fill, c.length - off);
      buf.set(c.subarray(off, off + k), fill);
      fill += k;
      off += k;
      if (fill === size) {
        yield buf;
        fill = 0;
      }
    }
  }
  if (fill) yield buf.subarray(0, fill);
}

/** Whether an error is a storage's "full" (QuotaExceededError; DOMException code 22). */
export const isQuota = (e) => e?.name === 'QuotaExceededError' || e?.code === 22;

/**
 * The storage contract's error for a full storage (docs/persistence.md):
 * code 'VESSEL_QUOTA', thrown once the blob is as it was.
 * @param {string} where which store ('the OPFS store "x"')
 * @param {string} what what could not be done ('append 10 bytes to journal-000001.aof')
 * @param {Error} [cause] the platform's error
 */
export function quotaError(where, what, cause) {
  const e = new Error(`vessel: the storage is full: ${where} could not ${what}; nothing was changed` +
    (cause?.message ? ` (${cause.message})` : ''));
  e.name = 'QuotaExceededError';
  e.code = 'VESSEL_QUOTA';
  if (cause) e.cause = cause;
  return e;
}

/**
 * lock() for the browser storages: the Web Lock `lockName`, held until
 * release(); held elsewhere, a VESSEL_LOCKED error naming store `store`.
 * Without the Web Locks API (old browsers, fakes), no lock.
 * @param {LockManager|undefined} locks
 */
export function webLock(locks, lockName, store) {
  if (!locks) return Promise.resolve({ release() {} });
  return new Promise((resolve, reject) => {
    locks
      .request(lockName, { ifAvailable: true }, (lock) => {
        if (!lock) {
          const e = new Error(`vessel: the store "${store}" is open in another tab or worker`);
          e.code = 'VESSEL_LOCKED';
          reject(e);
          return undefined;
        }
        return new Promise((release) => resolve({ release }));
      })
      .catch(reject);
  });
}

/** A fresh id for the chunks of a new version of blob `name`. */
export function blobId(name) {
  return `${name}#${Date.now().toString(36)}${Math.random().toString(36).slice(2, 10)}`;
}

/** truncate() for storages that rewrite a blob: keep its first `length` bytes. */
export async function rewritePrefix(storage, name, length) {
  const src = await storage.read(name);
  if (src) await storage.write(name, await prefix(src, length));
}
