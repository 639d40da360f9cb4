// resp.js - RESP2/RESP3 reply decoding and command encoding.
//
// The engine answers every command with the bytes a Redis server would
// send; this module turns them into JavaScript values:
//   integer -> number, simple string -> string, bulk string -> string
//   (UTF-8) or Uint8Array (binary mode), array -> array, nil -> null,
//   error -> ReplyError (returned, the caller throws), RESP3 map -> array
//   of pairs flattened like RESP2 (so both protocols decode alike).

/** An error reply from the engine; `message` is the exact Redis text. */
import { concat } from './bytes.js';

export class ReplyError extends Error {
  constructor(message) {
    super(message);
    this.name = 'ReplyError';
  }
}

const utf8 = new TextDecoder('utf-8');
const CR = 13;

/** Decode bytes [start, end) as UTF-8, fast for short ASCII. */
export function decodeUtf8(u8, start, end) {
  const n = end - start;
  if (n < 48) {
    let s = '';
    for (let i = start; i < end; i++) {
      const c = u8[i];
      if (c >= 0x80) return utf8.decode(u8.subarray(start, end));
      s += String.fromCharCode(c);
    }
    return s;
  }
  return utf8.decode(u8.subarray(start, end));
}

/** Parse the signed decimal at u8[pos] up to CR; returns [value, index after CRLF]. */
function readInt(u8, pos) {
  let neg = false;
  if (u8[pos] === 45) {
    neg = true;
    pos++;
  }
  let v = 0;
  while (u8[pos] !== CR) v = v * 10 + (u8[pos++] - 48);
  return [neg ? -v : v, pos + 2];
}

function lineEnd(u8, pos) {
  while (u8[pos] !== CR) pos++;
  return pos;
}

/**
 * Decode one RESP value from u8 at pos.
 * @returns {[any, number]} the value and the position after it
 */
export function decode(u8, pos, binary) {
  const type = u8[pos++];
  switch (type) {
    case 58: // ':'
      return readInt(u8, pos);
    case 36: { // '$'
      const [n, p] = readInt(u8, pos);
      if (n < 0) return [null, p];
      const v = binary ? u8.slice(p, p + n) : decodeUtf8(u8, p, p + n);
      return [v, p + n + 2];
    }
    case 43: { // '+'
      const e = lineEnd(u8, pos);
      return [decodeUtf8(u8, pos, e), e + 2];
    }
    case 45: { // '-'
      const e = lineEnd(u8, pos);
      return [new ReplyError(decodeUtf8(u8, pos, e)), e + 2];
    }
    case 42: // '*'
    case 126: // '~' set
    case 62: { // '>' push
      let [n, p] = readInt(u8, pos);
      if (n < 0) return [null, p];
      const out = new Array(n);
      for (let i = 0; i < n; i++) [out[i], p] = decode(u8, p, binary);
      return [out, p];
    }
    case 37: { // '%' map: flattened as RESP2 sends it
      let [n, p] = readInt(u8, pos);
      const out = new Array(n * 2);
      for (let i = 0; i < n * 2; i++) [out[i], p] = decode(u8, p, binary);
      return [out, p];
    }
    case 95: // '_' null
      return [null, pos + 2];
    case 44: { // ',' double
      const e = lineEnd(u8, pos);
      const s = decodeUtf8(u8, pos, e);
      return [s === 'inf' ? Infinity : s === '-inf' ? -Infinity : Number(s), e + 2];
    }
    case 35: // '#' boolean
      return [u8[pos] === 116, pos + 3];
    case 61: { // '=' verbatim: drop the 4-byte format prefix
      const [n, p] = readInt(u8, pos);
      const v = binary ? u8.slice(p + 4, p + n) : decodeUtf8(u8, p + 4, p + n);
      return [v, p + n + 2];
    }
    default:
      throw new Error(`vessel: bad RESP type byte ${type} at ${pos - 1}`);
  }
}

const utf8enc = new TextEncoder();

/** Encode a command as a RESP array of bulk strings (as clients send it). */
export function encodeCommand(args) {
  const parts = [];
  let size = 0;
  const head = utf8enc.encode(`*${args.length}\r\n`);
  parts.push(head);
  size += head.length;
  for (const a of args) {
    const bytes = typeof a === 'string' ? utf8enc.encode(a) : a;
    const h = utf8enc.encode(`$${bytes.length}\r\n`);
    parts.push(h, bytes, CRLF);
    size += h.length + bytes.length + 2;
  }
  return concat(parts, size);
}
const CRLF = new Uint8Array([13, 10]);
