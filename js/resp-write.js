// resp-write.js - RESP2/RESP3 replies built in JS, for what a server
// answers itself (HELLO, CLIENT, CLUSTER, INFO, CONFIG ...).  The engine's
// own replies are already RESP bytes and pass through untouched.
//
// Every function returns a Uint8Array; composite replies take already
// encoded parts.  `proto` is 2 or 3.

import { concat } from './bytes.js';

export { concat };

const enc = new TextEncoder();
const CRLF = '\r\n';

export const status = (s) => enc.encode(`+${s}${CRLF}`);
export const error = (s) => enc.encode(`-${String(s).replace(/[\r\n]+/g, ' ')}${CRLF}`);
export const int = (n) => enc.encode(`:${n}${CRLF}`);
export const OK = status('OK');

export function bulk(v) {
  const body = typeof v === 'string' ? enc.encode(v) : v;
  const head = enc.encode(`$${body.length}${CRLF}`);
  const out = new Uint8Array(head.length + body.length + 2);
  out.set(head, 0);
  out.set(body, head.length);
  out[out.length - 2] = 13;
  out[out.length - 1] = 10;
  return out;
}

export const nil = (proto) => enc.encode(proto === 3 ? `_${CRLF}` : `$-1${CRLF}`);
export const nilArray = (proto) => enc.encode(proto === 3 ? `_${CRLF}` : `*-1${CRLF}`);

export const array = (items) => concat([enc.encode(`*${items.length}${CRLF}`), ...items]);
export const set = (items, proto) => concat([enc.encode(`${proto === 3 ? '~' : '*'}${items.length}${CRLF}`), ...items]);

/** A map from [key, value] pairs of encoded parts (a flat array in RESP2). */
export function map(pairs, proto) {
  const head = enc.encode(proto === 3 ? `%${pairs.length}${CRLF}` : `*${pairs.length * 2}${CRLF}`);
  return concat([head, ...pairs.flat()]);
}

/** Text a human reads (INFO, CLIENT INFO): verbatim in RESP3, bulk in RESP2. */
export function text(s, proto) {
  return proto === 3 ? verbatim(s) : bulk(s);
}

function verbatim(s) {
  const body = enc.encode(`txt:${s}`);
  return concat([enc.encode(`=${body.length}${CRLF}`), body, enc.encode(CRLF)]);
}

/** Encode a plain JS value: string -> bulk, number -> integer, null -> nil, array -> array, object -> map. */
export function value(v, proto) {
  if (v === null || v === undefined) return nil(proto);
  if (typeof v === 'number') return int(v);
  if (typeof v === 'string' || v instanceof Uint8Array) return bulk(v);
  if (Array.isArray(v)) return array(v.map((x) => value(x, proto)));
  return map(Object.entries(v).map(([k, x]) => [bulk(k), value(x, proto)]), proto);
}
