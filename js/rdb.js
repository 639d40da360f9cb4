// rdb.js - what the JS side of an RDB transfer needs besides the engine
// (src/persist/rdb.h does the format): byte sources of every kind read as
// chunks, and the index definitions written as a script Redis's own
// tools run.
//
// An RDB file carries keys only; a server with a search module (Valkey
// with valkey-search, Redis with RediSearch) rebuilds its indexes from
// the hashes once the FT.CREATE commands have run.  The script has one
// command per line, each argument quoted as redis-cli quotes it
// (sdscatrepr), so `redis-cli < script` runs it whatever bytes the
// arguments hold; or RESP, for `redis-cli --pipe`.

import { concat } from './bytes.js';
import { repr } from './cli-format.js';

const utf8 = new TextEncoder();
const CHUNK = 1 << 20;

/**
 * The chunks of a byte source: a Uint8Array (or any view, or an
 * ArrayBuffer), a Blob, a WHATWG ReadableStream, or an (async) iterable
 * of chunks (a Node.js Readable is one).  Chunks are Uint8Array views;
 * a large array is cut in CHUNK pieces so progress can be reported.
 * @returns {AsyncGenerator<Uint8Array>}
 */
export async function* chunksOf(source) {
  if (source instanceof ArrayBuffer) source = new Uint8Array(source);
  if (ArrayBuffer.isView(source)) {
    const u8 = new Uint8Array(source.buffer, source.byteOffset, source.byteLength);
    for (let o = 0; o < u8.length; o += CHUNK) yield u8.subarray(o, o + CHUNK);
    return;
  }
  if (typeof Blob !== 'undefined' && source instanceof Blob) source = source.stream();
  if (source && typeof source.getReader === 'function' && !source[Symbol.asyncIterator]) {
    const reader = source.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        yield toBytes(value);
      }
    } finally {
      reader.releaseLock();
    }
  }
  if (source && (source[Symbol.asyncIterator] || source[Symbol.iterator]) && typeof source !== 'string') {
    for await (const c of source) yield toBytes(c);
    return;
  }
  throw new TypeError('vessel: an RDB source is a Uint8Array, ArrayBuffer, Blob, ReadableStream or (async) iterable of Uint8Array');
}

function toBytes(c) {
  if (c instanceof Uint8Array) return c;
  if (c instanceof ArrayBuffer) return new Uint8Array(c);
  if (ArrayBuffer.isView(c)) return new Uint8Array(c.buffer, c.byteOffset, c.byteLength);
  if (typeof c === 'string') return utf8.encode(c);
  throw new TypeError(`vessel: an RDB chunk must be bytes, not ${typeof c}`);
}

/** Throws the TypeError chunksOf would, before anything is read. */
export function checkSource(source) {
  const ok = source instanceof ArrayBuffer || ArrayBuffer.isView(source) ||
    (typeof Blob !== 'undefined' && source instanceof Blob) ||
    (source && typeof source === 'object' && (typeof source.getReader === 'function' || source[Symbol.asyncIterator] || source[Symbol.iterator]));
  if (!ok) throw new TypeError('vessel: an RDB source is a Uint8Array, ArrayBuffer, Blob, ReadableStream or (async) iterable of Uint8Array');
}

/** The size of a source when it is known without reading it (0 otherwise). */
export function sizeOf(source) {
  if (source instanceof ArrayBuffer) return source.byteLength;
  if (ArrayBuffer.isView(source)) return source.byteLength;
  if (typeof Blob !== 'undefined' && source instanceof Blob) return source.size;
  return 0;
}

/** An argument as redis-cli reads it from a line: bare when it can be, else quoted. */
function quote(bytes) {
  if (bytes.length === 0) return '""';
  for (const c of bytes) {
    if (c <= 0x20 || c >= 0x7f || c === 0x22 || c === 0x27 || c === 0x5c) return repr(bytes);
  }
  return String.fromCharCode(...bytes);
}

function bulk(bytes) {
  const head = utf8.encode(`$${bytes.length}\r\n`);
  const out = new Uint8Array(head.length + bytes.length + 2);
  out.set(head);
  out.set(bytes, head.length);
  out.set([13, 10], head.length + bytes.length);
  return out;
}

/**
 * The FT.CREATE commands ([[...args as bytes]], as the engine's
 * vs_index_script gives them) as a script: 'text' (a string, one command
 * per line for `redis-cli < file`) or 'resp' (a Uint8Array for
 * `redis-cli --pipe`).
 */
export function formatIndexScript(commands, format = 'text') {
  if (format === 'text') return commands.map((argv) => argv.map(quote).join(' ') + '\n').join('');
  if (format !== 'resp') throw new TypeError(`vessel: an index script's format is 'text' or 'resp', not ${JSON.stringify(format)}`);
  const parts = [];
  for (const argv of commands) {
    parts.push(utf8.encode(`*${argv.length}\r\n`));
    for (const a of argv) parts.push(bulk(a));
  }
  return concat(parts);
}
