// tx-gen.js - seeded random transaction sequences over two connections, for
// the differential test against redis-server (tests/server/transactions
// .test.js): MULTI, EXEC, DISCARD, WATCH, UNWATCH interleaved with writes
// and reads of a few binary keys from both connections, and the mistakes
// Redis answers in its own words (nested MULTI, EXEC/DISCARD without MULTI,
// WATCH inside MULTI, unknown commands and wrong arities while queueing,
// run-time errors inside EXEC).
//
// generateTx(seed, steps) -> [{ conn: 0 | 1, args: Buffer[] }].  Every reply
// compares byte for byte: the commands are chosen so no reply depends on a
// server's hash order (no HGETALL, KEYS or SCAN).
import { makeRng } from './gen.js';

const B = (s) => (Buffer.isBuffer(s) ? s : Buffer.from(s, 'latin1'));

// A few keys, so the two connections keep meeting on the same ones.
const KEYS = ['k', 'h', 's', '', '\0', 'a\r\nb', '\xff\xfe', 'w*'].map(B);
const FIELDS = ['f', 'g', '', '\0x', '\xff'].map(B);
const VALUES = ['1', '2', '-3', 'v', '', '\0\r\n', '10.5', 'abc', '\xff'].map(B);

function pick(r, arr) {
  return arr[r.int(arr.length)];
}

/** A keyspace command (mostly valid; the mistakes are picked separately). */
function keyCommand(r) {
  const k = () => pick(r, KEYS);
  const f = () => pick(r, FIELDS);
  const v = () => pick(r, VALUES);
  switch (r.int(14)) {
    case 0: case 1: return ['HSET', k(), f(), v(), ...(r.chance(0.3) ? [f(), v()] : [])];
    case 2: return ['SET', k(), v()];
    case 3: return ['DEL', k(), ...(r.chance(0.3) ? [k()] : [])];
    case 4: return [r.chance(0.7) ? 'RENAME' : 'RENAMENX', k(), k()];
    case 5: return ['HDEL', k(), f()];
    case 6: return ['HINCRBY', k(), f(), pick(r, ['1', '-2', 'x', '9223372036854775807'].map(B))];
    case 7: return ['GET', k()];
    case 8: return ['HGET', k(), f()];
    case 9: return ['EXISTS', k(), k()];
    case 10: return ['TYPE', k()];
    case 11: return ['HLEN', k()];
    case 12: return ['HSETNX', k(), f(), v()];
    default: return r.chance(0.15) ? ['FLUSHALL'] : ['HMGET', k(), f(), f()];
  }
}

/** A mistake Redis refuses while queueing (or always). */
function mistake(r) {
  switch (r.int(7)) {
    case 0: return [pick(r, ['NOSUCH', 'hsetx', 'MULTIX']), ...(r.chance(0.5) ? [pick(r, KEYS)] : [])];
    case 1: return ['HSET', pick(r, KEYS), pick(r, FIELDS)]; // arity
    case 2: return ['GET']; // arity
    case 3: return ['EXEC', 'extra']; // EXEC's arity: EXECABORT, ends the transaction
    case 4: return ['MULTI', 'extra'];
    case 5: return ['DISCARD', 'extra'];
    default: return ['WATCH']; // arity
  }
}

/** Random case of a command name. */
function casing(r, name) {
  if (r.chance(0.7)) return name;
  let s = '';
  for (const ch of name) s += r.chance(0.5) ? ch.toLowerCase() : ch.toUpperCase();
  return s;
}

/**
 * `steps` commands from `seed`, on connection 0 or 1.  Each connection
 * wanders through transactions: WATCH some keys, MULTI, a few commands
 * (sometimes a mistake), EXEC or DISCARD, while the other connection
 * writes to the same keys, sometimes between the WATCH and the EXEC.
 */
export function generateTx(seed, steps) {
  const r = makeRng(seed);
  const out = [];
  const inMulti = [false, false];
  let conn = 0;
  for (let i = 0; i < steps; i++) {
    if (r.chance(0.35)) conn = 1 - conn;
    let args;
    const x = r.next();
    if (!inMulti[conn]) {
      if (x < 0.18) args = ['WATCH', ...Array.from({ length: r.range(1, 3) }, () => pick(r, KEYS))];
      else if (x < 0.4) args = ['MULTI'];
      else if (x < 0.43) args = [pick(r, ['EXEC', 'DISCARD', 'UNWATCH'])];
      else if (x < 0.46) args = mistake(r);
      else args = keyCommand(r);
    } else if (x < 0.15) args = ['EXEC'];
    else if (x < 0.2) args = ['DISCARD'];
    else if (x < 0.23) args = [pick(r, ['MULTI', 'WATCH', 'UNWATCH'])].concat(r.chance(0.5) ? [] : [pick(r, KEYS)]);
    else if (x < 0.27) args = mistake(r);
    else args = keyCommand(r);
    const name = String(args[0]).toUpperCase();
    // Track MULTI as both servers will (the differential check is what
    // verifies it; this only steers the generator).
    if (name === 'MULTI' && args.length === 1) inMulti[conn] = true;
    if (name === 'EXEC' || (name === 'DISCARD' && args.length === 1)) inMulti[conn] = false; // EXEC x ends it too
    args = args.map(B);
    args[0] = B(casing(r, args[0].toString('latin1')));
    out.push({ conn, args });
  }
  return out;
}
