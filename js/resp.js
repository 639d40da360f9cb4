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

/**
 * What decode() returns when the bytes end before the value does: the
 * position past the end tells the caller to wait for more (as a bulk
 * string shorter than its length always did), whatever the reply type and
 * wherever its header or any nested value was cut.
 */
const INCOMPLETE = Object.freeze([undefined, Infinity]);

/** Index of the CR of the CRLF ending the line at pos, or -1 when the CRLF has not all come. */
function lineEnd(u8, pos) {
  const n = u8.length;
  while (pos < n && u8[pos] !== CR) pos++;
  return pos + 1 < n ? pos : -1;
}

/** Parse the signed decimal at u8[pos] up to CR; [value, index after CRLF], or INCOMPLETE. */
function readInt(u8, pos) {
  const e = lineEnd(u8, pos);
  if (e < 0) return INCOMPLETE;
  let neg = false;
  if (u8[pos] === 45) {
    neg = true;
    pos++;
  }
  let v = 0;
  while (pos < e) v = v * 10 + (u8[pos++] - 48);
  return [neg ? -v : v, e + 2];
}

/** n values from pos: [array, position after], or INCOMPLETE. */
function decodeN(u8, pos, n, binary) {
  const out = new Array(n);
  for (let i = 0; i < n; i++) {
    const r = decode(u8, pos, binary);
    if (r === INCOMPLETE) return INCOMPLETE;
    [out[i], pos] = r;
  }
  return [out, pos];
}

/**
 * Decode one RESP2/RESP3 value from u8 at pos.
 * @returns {[any, number]} the value and the position after it; when u8
 *   ends before the value does, a position past u8.length (Infinity), so
 *   `end > u8.length` means "wait for more bytes" (never a busy loop)
 */
export function decode(u8, pos, binary) {
  if (pos >= u8.length) return INCOMPLETE;
  const type = u8[pos++];
  switch (type) {
    case 58: // ':'
      return readInt(u8, pos);
    case 36: // '$'
    case 33: { // '!' blob error
      const [n, p] = readInt(u8, pos);
      if (p > u8.length) return INCOMPLETE;
      if (n < 0) return [null, p];
      if (p + n + 2 > u8.length) return INCOMPLETE;
      if (type === 33) return [new ReplyError(decodeUtf8(u8, p, p + n)), p + n + 2];
      const v = binary ? u8.slice(p, p + n) : decodeUtf8(u8, p, p + n);
      return [v, p + n + 2];
    }
    case 43: { // '+'
      const e = lineEnd(u8, pos);
      if (e < 0) return INCOMPLETE;
      return [decodeUtf8(u8, pos, e), e + 2];
    }
    case 45: { // '-'
      const e = lineEnd(u8, pos);
      if (e < 0) return INCOMPLETE;
      return [new ReplyError(decodeUtf8(u8, pos, e)), e + 2];
    }
    case 42: // '*'
    case 126: // '~' set
    case 62: { // '>' push
      const [n, p] = readInt(u8, pos);
      if (p > u8.length) return INCOMPLETE;
      if (n < 0) return [null, p];
      return decodeN(u8, p, n, binary);
    }
    case 37: { // '%' map: flattened as RESP2 sends it
      const [n, p] = readInt(u8, pos);
      if (p > u8.length) return INCOMPLETE;
      return decodeN(u8, p, n * 2, binary);
    }
    case 124: { // '|' attributes: skipped, the value they describe follows
      const [n, p] = readInt(u8, pos);
      if (p > u8.length) return INCOMPLETE;
      const a = decodeN(u8, p, n * 2, binary);
      if (a === INCOMPLETE) return INCOMPLETE;
      return decode(u8, a[1], binary);
    }
    case 95: // '_' null
      if (pos + 2 > u8.length) return INCOMPLETE;
      return [null, pos + 2];
    case 44: { // ',' double
      const e = lineEnd(u8, pos);
      if (e < 0) return INCOMPLETE;
      const s = decodeUtf8(u8, pos, e);
      return [s === 'inf' ? Infinity : s === '-inf' ? -Infinity : Number(s), e + 2];
    }
    case 40: { // '(' big number
      const e = lineEnd(u8, pos);
      if (e < 0) return INCOMPLETE;
      return [BigInt(decodeUtf8(u8, pos, e)), e + 2];
    }
    case 35: // '#' boolean
      if (pos + 3 > u8.length) return INCOMPLETE;
      return [u8[pos] === 116, pos + 3];
    case 61: { // '=' verbatim: drop the 4-byte format prefix
      const [n, p] = readInt(u8, pos);
      if (p > u8.length || p + n + 2 > u8.length) return INCOMPLETE;
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
