// gen.js - seeded random command sequences over Vessel's keyspace commands,
// for the differential test against redis-server
// (tests/server/differential.test.js), plus the RESP helpers it compares
// replies with.
//
// generate(seed, steps, opts) -> [{ args: Buffer[], cmp }] where cmp says
// how a reply is compared:
//   'exact'  byte for byte
//   'set'    an array whose order is the server's hash order (KEYS, HKEYS,
//            HVALS): same header, same multiset of elements
//   'pairs'  HGETALL: same header, same multiset of (field, value) pairs
//   'scan'   SCAN from a cursor that means 0: the caller iterates to the
//            end on both servers and compares the sets of keys returned
//   'scanany' SCAN from another cursor: only error-or-not (and the error's
//            text) is comparable, as cursors are each server's own
//   'near'   TTL, PTTL, EXPIRETIME, PEXPIRETIME: integers equal within a
//            tolerance (a relative time is set by each server's own clock,
//            a few milliseconds apart); errors and -1/-2 exactly
//
// Expiry times are chosen so no key expires while a sequence runs and so
// every comparison the servers make is decided the same way on both:
// relative times of 10^5 s and more, absolute times in 2096-2100 or long
// past (those delete the key at once), GT and LT only with absolute
// times (two relative times a millisecond apart would compare either
// way), and SET's EXAT/PXAT never in the past (such a key would linger
// until each server's own active expiry reclaims it: DBSIZE would vary).
//
// The keyspace is small (a dozen keys, a dozen fields) so commands hit
// existing keys, fields of the right and the wrong type, most of the time.

/** splitmix32-ish PRNG: deterministic from a 32-bit seed. */
export function makeRng(seed) {
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return ((z ^ (z >>> 16)) >>> 0) / 4294967296;
  };
  const r = {
    next,
    int: (n) => Math.floor(next() * n),
    range: (a, b) => a + Math.floor(next() * (b - a + 1)),
    chance: (p) => next() < p,
    pick: (arr) => arr[Math.floor(next() * arr.length)],
    bytes(n) {
      const b = Buffer.alloc(n);
      for (let i = 0; i < n; i++) b[i] = Math.floor(next() * 256);
      return b;
    },
  };
  return r;
}

const B = (s) => (Buffer.isBuffer(s) ? s : Buffer.from(s, 'latin1'));

// Keys: ordinary names, the empty key, NUL, CR/LF, high bytes, glob
// metacharacters (so KEYS/SCAN patterns meet them as data).
const KEYS = ['k0', 'k1', 'k2', 'h', 'hash', 's', 'str', '', '\0', 'a\r\nb', '\xff\xfe\x80', '*', '[a]', 'a*b', 'k\\', '?', 'K1', 'kk',
  'a'.repeat(1500)]
  .map(B);
const FIELDS = ['f', 'g', 'n', 'x', 'f1', '', '\0', '\r\n', '\xff', 'a b', 'F', 'num', 'fl'].map(B);

// Numbers for HINCRBY/HINCRBYFLOAT increments and for stored values.
export const NUMS = [
  '0', '1', '-1', '2', '10', '-10', '100', '9223372036854775807', '-9223372036854775808', '9223372036854775806',
  '-9223372036854775807', '9223372036854775808', '-9223372036854775809', '18446744073709551615',
  '18446744073709551616', '-0', '+1', '+0', ' 1', '1 ', '\t1', '1\n', '0x10', '010', '00', '1.5', '-1.5', '.5', '5.',
  '1e5', '1E5', '1e+5', '1e-5', '10.5', '-10.5', '3.0e3', '0.1', '0.2', '-0.0', '0.0', '1e308', '-1e308', '1e309',
  '-1e309', '1.7976931348623157e308', '1.8e308', '4.9e-324', '2.5e-324', '1e-320', '1e-400', '1e4932', '1e4933',
  '-1e4933', '1e-4950', '1e-5000', 'nan', 'NaN', '-nan', 'inf', '-inf', '+inf', 'Inf', 'infinity', 'Infinity',
  '-Infinity', 'abc', '1e', 'e5', '-', '+', '.', '', '1\0', '1 2', '0b1', '1_000', '١', '12345678901234567890',
  '1'.repeat(30), '9'.repeat(400), `0.${'0'.repeat(300)}1`, `1${'0'.repeat(5200)}`, `0.${'3'.repeat(5000)}`,
  '3.14159265358979323846264338327950288', '123456789.123456789', '0.30000000000000004', '5e-1', '-5e-1',
  '4503599627370496.5', '9007199254740993', '0x1p3', '1.0000000000000002', '1e22', '1e23', '-1e-10',
  '\0', '\0\0', '1\0x', '2.5\0', '\x001', `${'0'.repeat(5118)}1`, `${'0'.repeat(5119)}1`, `1.${'0'.repeat(5117)}`,
  `1.${'0'.repeat(5118)}`, '0x', '0x1P-2', '1e+', '  ', '\x85', '\xa01',
].map(B);

// Glob patterns for KEYS and SCAN MATCH.
export const PATTERNS = [
  '*', '**', '***', '?', '??', '*?', '?*', '[a-c]*', '[^a]*', '[c-a]*', '\\*', '[', '[^', '[a', 'a[', '[]', '[]]',
  '[\\]]*', '*\\', '\\', 'h*', 'k?', 'k[0-9]', 'k[0-9]*', '*[', '[*', '\\?', '\x80*', '[\x00-\x7f]*', '[a-\xff]*',
  '[\xff-a]*', '[\x80-\xff]*', '[^\x80-\xff]*', '*\xfe*', '', 'k*1', '*k*', 'a\r\n*', '*\0*', '\0', '[\0]',
  'K*', 'k[^0]', '[a-]*', '[-a]*', '[\\-]*', '*[\\', 'h*h', '*?*?*', '?*?', 'hash', 'h[a-z]*h', '[kK]*', '*]',
  '[[]*', '[\\\\]', 'k\\\\', 'a\\*b', 'a*b', '*b', '[!a]*',
  // Redis gives up past 1000 nested '*' (these meet the 1500-byte key)
  'a*'.repeat(1000), 'a*'.repeat(1001), 'a*'.repeat(1002), '*a'.repeat(999), '*a'.repeat(1001), `${'*a'.repeat(1000)}*`,
].map(B);

function randomPattern(r) {
  const toks = ['*', '?', 'k', 'h', 'a', 's', '0', '1', '[a-z]', '[^k]', '[0-2]', '\\*', '\\', '[', ']', '\xff', '\0',
    '\r', '-', '^'];
  let p = '';
  const n = r.range(0, 6);
  for (let i = 0; i < n; i++) p += r.pick(toks);
  return B(p);
}

function randomKey(r) {
  if (r.chance(0.9)) return r.pick(KEYS);
  return r.bytes(r.range(0, 6));
}

function randomField(r) {
  if (r.chance(0.85)) return r.pick(FIELDS);
  return r.bytes(r.range(0, 8));
}

function randomValue(r, big) {
  const x = r.next();
  if (big && x < 0.0004) return Buffer.alloc(r.range(1 << 20, 3 << 20), r.int(256)); // megabytes
  if (big && x < 0.003) return r.bytes(r.range(100 << 10, 600 << 10)); // past the server's fast path (256 KB)
  if (x < 0.35) return r.pick(NUMS);
  if (x < 0.45) return B(String(r.range(-1000, 1000)));
  if (x < 0.5) return B((r.next() * 2000 - 1000).toPrecision(r.range(1, 17)));
  if (x < 0.6) return r.bytes(r.range(0, 16));
  if (x < 0.66) return r.bytes(r.range(60, 300)); // past listpack's 64-byte values
  return B(r.pick(['v', 'value', '', 'x y', 'a\r\nb', '\0\0', '\xff', 'hello world', '-', 'OK', '$3', '*1']));
}

/** Random case of an ASCII command name. */
function casing(r, name) {
  const x = r.next();
  if (x < 0.6) return name;
  if (x < 0.8) return name.toLowerCase();
  let s = '';
  for (const ch of name) s += r.chance(0.5) ? ch.toLowerCase() : ch.toUpperCase();
  return s;
}

const SCAN_ZERO = ['0', '00', '+0', '-0', ''].map(B);
const SCAN_OTHER = ['1', '5', '17', '100', '-1', '+7', '18446744073709551615', '18446744073709551616', 'abc', ' 0',
  '0 ', '1e3', '0x1', '-', '+', '\t0', '4294967296', '-18446744073709551615', '9223372036854775808'].map(B);

// Redis compares these options as C strings: bytes after a NUL do not count.
const SET_OPTS = ['NX', 'XX', 'GET', 'nx', 'xx', 'get', 'KEEPTTL', 'keepttl', 'BOGUS', 'N', 'NXX', '', 'NX\0', 'get\0x',
  'KEEPTTL\0\0', '\0', 'XX\0NX'].map(B);

// Expiry times (see the top of the file).
const REL_S = ['100000', '200000', '100000\0'];
const REL_MS = ['150000000', '250000000'];
const ABS_S = ['4102444800', '4102444801', '4000000000'];
const ABS_MS = ['4102444800000', '4102444800500', '4000000000000', '4102444801000'];
const PAST_ABS = ['0', '1', '-1', '-100', '1000', '-9223372036854775'];
const PAST_REL = ['0', '-1', '-100', '-9223372036854775'];
/** Absolute times (ms) a key may keep: compared exactly at checkpoints. */
export const ABS_TIMES = new Set([...ABS_S.map((t) => `${t}000`), ...ABS_MS]);
const BAD_TIME = ['x', '1.5', '', ' 1', '9223372036854775807', '-9223372036854775808', '9223372036854775', '-9223372036854776',
  '9223372036854775808', '+5', '05'];
const EXPIRE_FLAGS = ['NX', 'XX', 'GT', 'LT', 'nx', 'gt', 'Lt', 'GT\0', 'bogus', ''];
// SET's expiry options: [option, time] pairs (and a missing time).
const SET_TIME_OPTS = [['EX', '100000'], ['PX', '150000000'], ['EXAT', '4102444800'], ['PXAT', '4102444800500'], ['ex', '200000'],
  ['EX', '0'], ['EX', '-1'], ['PX', '0'], ['PX', 'x'], ['EXAT', '0'], ['PXAT', '-5'], ['EX', '9223372036854775'],
  ['PX', '9223372036854775807'], ['EXAT', '9223372036854775'], ['EX'], ['PXAT'], ['EX\0', '100000']].map((o) => o.map(B));

/** A time for an EXPIRE-family command: relative or absolute, seconds or ms. */
function expireTime(r, abs, ms) {
  const x = r.next();
  if (x < 0.1) return r.pick(BAD_TIME);
  if (x < 0.3) return r.pick(abs ? PAST_ABS : PAST_REL);
  return abs ? r.pick(ms ? ABS_MS : ABS_S) : r.pick(ms ? REL_MS : REL_S);
}

/**
 * Generators per command: (r, big) -> [args, cmp] with args[0] the name.
 * Each produces mostly valid calls; `mutateArity` below adds wrong ones.
 */
const GEN = {
  PING: (r) => [['PING', ...(r.chance(0.5) ? [randomValue(r)] : [])]],
  ECHO: (r, big) => [['ECHO', randomValue(r, big)]],
  DBSIZE: () => [['DBSIZE']],
  FLUSHALL: (r) => [[r.pick(['FLUSHALL', 'FLUSHDB']), ...(r.chance(0.3) ? [B(r.pick(['ASYNC', 'sync', 'bogus', 'SYNC\0x', '']))] : [])]],
  HSET: (r, big) => {
    const n = r.chance(0.05) ? r.range(20, 140) : r.range(1, 4);
    const a = ['HSET', randomKey(r)];
    for (let i = 0; i < n; i++) a.push(n > 8 ? B(`f${r.int(200)}`) : randomField(r), randomValue(r, big && n <= 8));
    return [a];
  },
  HMSET: (r, big) => {
    const a = ['HMSET', randomKey(r)];
    for (let i = r.range(1, 3); i > 0; i--) a.push(randomField(r), randomValue(r, big));
    return [a];
  },
  HSETNX: (r, big) => [['HSETNX', randomKey(r), randomField(r), randomValue(r, big)]],
  HGET: (r) => [['HGET', randomKey(r), randomField(r)]],
  HMGET: (r) => [['HMGET', randomKey(r), ...Array.from({ length: r.range(1, 4) }, () => randomField(r))]],
  HGETALL: (r) => [['HGETALL', randomKey(r)], 'pairs'],
  HDEL: (r) => [['HDEL', randomKey(r), ...Array.from({ length: r.range(1, 3) }, () => randomField(r))]],
  HLEN: (r) => [['HLEN', randomKey(r)]],
  HEXISTS: (r) => [['HEXISTS', randomKey(r), randomField(r)]],
  HKEYS: (r) => [['HKEYS', randomKey(r)], 'set'],
  HVALS: (r) => [['HVALS', randomKey(r)], 'set'],
  HSTRLEN: (r) => [['HSTRLEN', randomKey(r), randomField(r)]],
  HINCRBY: (r) => [['HINCRBY', randomKey(r), r.chance(0.7) ? r.pick([B('n'), B('f'), B('num')]) : randomField(r),
    r.chance(0.6) ? B(String(r.range(-100, 100))) : r.pick(NUMS)]],
  HINCRBYFLOAT: (r) => [['HINCRBYFLOAT', randomKey(r), r.chance(0.7) ? r.pick([B('fl'), B('n'), B('f')]) : randomField(r),
    r.chance(0.4) ? B((r.next() * 200 - 100).toPrecision(r.range(1, 17))) : r.pick(NUMS)]],
  SET: (r, big) => {
    const a = ['SET', randomKey(r), randomValue(r, big)];
    for (let i = r.chance(0.5) ? r.range(1, 3) : 0; i > 0; i--) {
      if (r.chance(0.35)) a.push(...r.pick(SET_TIME_OPTS));
      else a.push(r.pick(SET_OPTS));
    }
    return [a];
  },
  SETEX: (r, big) => {
    const ms = r.chance(0.5);
    const t = r.chance(0.8) ? r.pick(ms ? REL_MS : REL_S) : r.pick([...BAD_TIME, '0', '-1']);
    return [[ms ? 'PSETEX' : 'SETEX', randomKey(r), t, randomValue(r, big)]];
  },
  EXPIRE: (r) => {
    const name = r.pick(['EXPIRE', 'PEXPIRE', 'EXPIREAT', 'PEXPIREAT']);
    const abs = name.endsWith('AT');
    const a = [name, randomKey(r), expireTime(r, abs, name[0] === 'P')];
    if (r.chance(0.4)) {
      if (abs) for (let i = r.range(1, 2); i > 0; i--) a.push(r.pick(EXPIRE_FLAGS));
      else a.push(...r.pick([['NX'], ['XX'], ['xx'], ['GT', 'LT'], ['NX', 'GT'], ['XX', 'NX'], ['LT', 'NX'], ['bogus'], ['NX', 'x']]));
    }
    return [a];
  },
  TTL: (r) => [[r.pick(['TTL', 'PTTL', 'EXPIRETIME', 'PEXPIRETIME']), randomKey(r)], 'near'],
  PERSIST: (r) => [['PERSIST', randomKey(r)]],
  GETEX: (r) => {
    const a = ['GETEX', randomKey(r)];
    const x = r.next();
    if (x < 0.15) a.push('EX', r.pick(REL_S));
    else if (x < 0.25) a.push('PX', r.pick(REL_MS));
    else if (x < 0.35) a.push('EXAT', r.pick([...ABS_S, '1', '100']));
    else if (x < 0.45) a.push('PXAT', r.pick([...ABS_MS, '1', '1000']));
    else if (x < 0.6) a.push('PERSIST');
    else if (x < 0.75) a.push(...r.pick([['EX', '0'], ['PX', '-1'], ['EX', 'x'], ['EX'], ['KEEPTTL'], ['NX'], ['GET'], ['PERSIST', 'EX', '100000'],
      ['EX', '100000', 'PX', '150000000'], ['persist'], ['EXAT', '9223372036854775'], ['bogus']]));
    return [a];
  },
  GET: (r) => [['GET', randomKey(r)]],
  DEL: (r) => [[r.pick(['DEL', 'UNLINK']), ...Array.from({ length: r.range(1, 3) }, () => randomKey(r))]],
  EXISTS: (r) => [['EXISTS', ...Array.from({ length: r.range(1, 4) }, () => randomKey(r))]],
  TYPE: (r) => [['TYPE', randomKey(r)]],
  RENAME: (r) => [[r.pick(['RENAME', 'RENAMENX']), randomKey(r), randomKey(r)]],
  KEYS: (r) => [['KEYS', r.chance(0.8) ? r.pick(PATTERNS) : randomPattern(r)], 'set'],
  SCAN: (r) => {
    const zero = r.chance(0.85);
    const a = ['SCAN', zero ? r.pick(SCAN_ZERO) : r.pick(SCAN_OTHER)];
    const opts = r.range(0, 3);
    for (let i = 0; i < opts; i++) {
      const o = r.int(10);
      if (o < 4) a.push(B(r.pick(['MATCH', 'match', 'MATCH\0'])), r.chance(0.8) ? r.pick(PATTERNS) : randomPattern(r));
      else if (o < 7) {
        a.push(B(r.pick(['COUNT', 'count', 'count\0x'])), B(r.pick(['1', '2', '3', '10', '1000', '0', '-1', 'x',
          '9223372036854775807', '9223372036854775808', '+5', '05', '2\0'])));
      } else if (o < 9) {
        a.push(B(r.pick(['TYPE', 'type', 'type\0'])), B(r.pick(['hash', 'string', 'HASH', 'String', 'list', 'none', 'bogus',
          '', 'hash\0x', 'string\0'])));
      }
      else a.push(B(r.pick(['MATCH', 'COUNT', 'TYPE', 'FOO'])));
    }
    return [a, zero ? 'scan' : 'scanany'];
  },
  SELECT: () => [['SELECT', '0']], // server only (vessel-server answers it, the engine does not)
  // No name is a real command followed by NUL ('HSET\0'): redis-server compares
  // command names with strcasecmp, which stops at the NUL, while it hashes every
  // byte, so such a name runs the command only when its hash (random seed per
  // process) lands in the real command's bucket, about one start in 256.
  UNKNOWN: (r) => [[r.pick(['NOSUCH', 'hsetx', 'GETT', 'x', 'NOSUCH\0', '\0get', 'a\r\nb', 'X'.repeat(200), '\xff']), ...Array.from({ length: r.range(0, 3) }, () => randomValue(r))]],
};

// Relative weights: writes and reads about evenly, keyspace commands often.
const WEIGHTS = {
  PING: 2, ECHO: 2, DBSIZE: 2, FLUSHALL: 0.15, HSET: 14, HMSET: 3, HSETNX: 4, HGET: 8, HMGET: 4, HGETALL: 6, HDEL: 6,
  HLEN: 3, HEXISTS: 3, HKEYS: 3, HVALS: 3, HSTRLEN: 3, HINCRBY: 9, HINCRBYFLOAT: 9, SET: 8, GET: 5, DEL: 4, EXISTS: 3,
  TYPE: 3, RENAME: 4, KEYS: 6, SCAN: 6, SELECT: 0.5, UNKNOWN: 0.5, SETEX: 1.5, EXPIRE: 6, TTL: 4, PERSIST: 1.5, GETEX: 3,
};

/** Arity mistakes: drop trailing arguments or add random ones. */
function mutateArity(r, args) {
  const a = args.slice();
  if (r.chance(0.5) && a.length > 1) a.length = r.range(1, a.length - 1);
  else for (let i = r.range(1, 3); i > 0; i--) a.push(r.chance(0.5) ? randomField(r) : randomValue(r));
  return a;
}

/**
 * A sequence of `steps` commands from `seed`.  opts.big: sometimes values of
 * hundreds of kilobytes or megabytes; opts.server: include commands only a
 * server answers (SELECT).
 */
export function generate(seed, steps, { big = true, server = true } = {}) {
  const r = makeRng(seed);
  const names = Object.keys(WEIGHTS).filter((n) => server || n !== 'SELECT');
  const total = names.reduce((s, n) => s + WEIGHTS[n], 0);
  const out = [];
  for (let i = 0; i < steps; i++) {
    let x = r.next() * total;
    let name = names[names.length - 1];
    for (const n of names) {
      x -= WEIGHTS[n];
      if (x < 0) {
        name = n;
        break;
      }
    }
    let [args, cmp = 'exact'] = GEN[name](r, big);
    if (name !== 'SELECT' && name !== 'UNKNOWN' && r.chance(0.04)) {
      args = mutateArity(r, args);
      if (cmp === 'scan') cmp = 'scanany';
    }
    args = args.map(B);
    args[0] = B(casing(r, args[0].toString('latin1')));
    out.push({ args, cmp });
  }
  return out;
}

// ---- RESP, raw --------------------------------------------------------------

/**
 * Parse one RESP2/RESP3 value at buf[pos]: { end, type, items } or
 * { need } (how many bytes the buffer must at least hold) when incomplete.
 * items: child values for aggregates (maps flattened), each { start, end, type, items }.
 */
export function parseRaw(buf, pos = 0) {
  if (pos >= buf.length) return { need: pos + 1 };
  const type = String.fromCharCode(buf[pos]);
  const cr = buf.indexOf(13, pos + 1);
  if (cr < 0 || cr + 1 >= buf.length) return { need: buf.length + 1 };
  const line = buf.toString('latin1', pos + 1, cr);
  let p = cr + 2;
  switch (type) {
    case '+': case '-': case ':': case ',': case '_': case '#': case '(':
      return { start: pos, end: p, type };
    case '$': case '=': case '!': {
      const n = Number(line);
      if (n < 0) return { start: pos, end: p, type };
      if (p + n + 2 > buf.length) return { need: p + n + 2 };
      return { start: pos, end: p + n + 2, type };
    }
    case '*': case '~': case '>': case '%': case '|': {
      let n = Number(line);
      if (n < 0) return { start: pos, end: p, type };
      if (type === '%' || type === '|') n *= 2;
      const items = [];
      for (let i = 0; i < n; i++) {
        const c = parseRaw(buf, p);
        if (c.need !== undefined) return c;
        items.push(c);
        p = c.end;
      }
      return { start: pos, end: p, type, items };
    }
    default:
      throw new Error(`bad RESP type byte ${buf[pos]} at ${pos}: ${show(buf.subarray(pos, pos + 40))}`);
  }
}

/** The payload of a bulk/simple value, as a Buffer. */
export function payload(buf, v) {
  const s = buf.subarray(v.start, v.end);
  if (v.type === '$' || v.type === '=') {
    const cr = s.indexOf(13);
    return s.subarray(cr + 2, s.length - 2);
  }
  return s.subarray(1, s.length - 2);
}

/** Printable form of bytes (JSON-ish escapes), cut at `max` characters. */
export function show(b, max = 400) {
  if (!b) return String(b);
  if (typeof b === 'string') b = Buffer.from(b, 'latin1');
  let s = '';
  for (const c of b.subarray(0, max)) {
    if (c === 0x5c) s += '\\\\';
    else if (c >= 0x20 && c < 0x7f) s += String.fromCharCode(c);
    else if (c === 13) s += '\\r';
    else if (c === 10) s += '\\n';
    else s += `\\x${c.toString(16).padStart(2, '0')}`;
  }
  if (b.length > max) s += `... (${b.length} bytes)`;
  return s;
}

/** A command for messages: arguments quoted, long ones cut. */
export function showCommand(args) {
  return args.map((a) => `"${show(a, 60)}"`).join(' ');
}

/**
 * Compare two complete raw replies under `cmp` ('exact' | 'set' | 'pairs');
 * returns null when equal, else a reason.
 */
export function compareRaw(a, b, cmp) {
  if (cmp === 'near' && a[0] === 0x3a && b[0] === 0x3a) {
    return nearInts(Number(a.subarray(1, -2).toString()), Number(b.subarray(1, -2).toString())) ? null : 'times differ';
  }
  if (cmp === 'exact' || cmp === 'near' || a[0] !== b[0] || (a[0] !== 0x2a && a[0] !== 0x25 && a[0] !== 0x7e)) {
    return a.equals(b) ? null : 'bytes differ';
  }
  const va = parseRaw(a);
  const vb = parseRaw(b);
  if (va.items.length !== vb.items.length) return 'lengths differ';
  const elems = (buf, v) => {
    const raw = v.items.map((c) => buf.subarray(c.start, c.end).toString('latin1'));
    if (cmp !== 'pairs') return raw.sort();
    const pairs = [];
    for (let i = 0; i < raw.length; i += 2) pairs.push(raw[i] + raw[i + 1]);
    return pairs.sort();
  };
  const ea = elems(a, va);
  const eb = elems(b, vb);
  for (let i = 0; i < ea.length; i++) if (ea[i] !== eb[i]) return `element differs: ${show(ea[i], 80)} / ${show(eb[i], 80)}`;
  return null;
}

/**
 * Two TTL-family replies that agree: equal, or both times (not -1/-2) and
 * within 1 (seconds) or 1500 (milliseconds, the large ones) of each other.
 */
export function nearInts(x, y) {
  if (x === y) return true;
  if (x < 0 || y < 0) return false;
  return Math.abs(x - y) <= (Math.max(x, y) > 1e6 ? 1500 : 1);
}

/** Encode a command as a RESP array of bulk strings. */
export function encode(args) {
  const parts = [Buffer.from(`*${args.length}\r\n`)];
  for (const a of args) parts.push(Buffer.from(`$${a.length}\r\n`), a, Buffer.from('\r\n'));
  return Buffer.concat(parts);
}

/**
 * A command as a client may send it: mostly RESP, sometimes an inline
 * command (arguments double-quoted with \xHH escapes where needed, as
 * redis-cli writes them; CRLF or a bare LF), sometimes after an empty
 * request ("*0" or a blank line), which servers skip without a reply.
 */
export function encodeVariant(r, args) {
  let out = encode(args);
  const size = args.reduce((n, a) => n + a.length, 0);
  if (size < 2000 && r.chance(0.1)) {
    const word = (a) => {
      if (a.length && /^[A-Za-z0-9_.:*?+\-]+$/.test(a.toString('latin1'))) return a.toString('latin1');
      let q = '"';
      for (const c of a) {
        if (c === 0x22 || c === 0x5c) q += `\\${String.fromCharCode(c)}`;
        else if (c >= 0x20 && c < 0x7f) q += String.fromCharCode(c);
        else q += `\\x${c.toString(16).padStart(2, '0')}`;
      }
      return `${q}"`;
    };
    out = Buffer.from(`${args.map(word).join(r.chance(0.8) ? ' ' : '  ')}${r.chance(0.8) ? '\r\n' : '\n'}`, 'latin1');
  }
  if (r.chance(0.02)) out = Buffer.concat([Buffer.from(r.pick(['*0\r\n', '\r\n', '*-1\r\n', '  \r\n'])), out]);
  return out;
}
