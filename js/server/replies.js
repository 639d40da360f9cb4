// server/replies.js - small pieces every vessel-server command module
// shares: the arity error, map/array splicing, and the engine's own reply to
// a request the server makes for itself.
//
// engineReply() only sends commands that never write (COMMAND, CONFIG,
// DBSIZE, SCAN): the store answers those at once, as bytes, never a
// promise.

import * as R from '../resp-write.js';

export const td = new TextDecoder();

/** Redis's arity error for a command (or 'command|subcommand'). */
export function arity(name) {
  return R.error(`ERR wrong number of arguments for '${name}' command`);
}

/** The engine's reply (RESP bytes) to a read-only request of the server's own. */
export function engineReply(db, args, proto = 2) {
  return db.commandRaw(args, { proto, persistence: false });
}

/** Split an engine array reply's header from its elements: [count, bytes of the elements]. */
export function splitArray(bytes) {
  let e = 1;
  while (bytes[e] !== 13) e++;
  return [Number(td.decode(bytes.subarray(1, e))), bytes.subarray(e + 2)];
}

/**
 * An engine map reply (%n in RESP3, *2n in RESP2) with more pairs
 * appended: the pairs are [key bytes, value bytes].
 */
export function extendMap(bytes, pairs, proto) {
  const [count, body] = splitArray(bytes);
  const n = count / (proto === 3 ? 1 : 2);
  const head = new TextEncoder().encode(proto === 3 ? `%${n + pairs.length}\r\n` : `*${(n + pairs.length) * 2}\r\n`);
  return R.concat([head, body, ...pairs.flat()]);
}
