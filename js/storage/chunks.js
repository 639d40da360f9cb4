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

/** The chunks of `src` cut at `length` bytes. */
export async function prefix(src, length) {
  const out = [];
  let left = length;
  for await (const c of src) {
    if (left <= 0) break;
    out.push(c.length <= left ? c : c.slice(0, left));
    left -= c.length;
  }
  return out;
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
