// protocol.test.js - the request parser (js/protocol.js) and the reply
// decoder (js/resp.js) must not care how bytes were split on the way:
// seeded property tests deliver random requests / replies cut at every
// point (small inputs), at random points and byte by byte (large ones),
// and compare with the same bytes delivered at once.
//
// The request side is consumed as vessel-server consumes it: arguments
// (views into the parser's buffer with copy: false) are used before the
// next push(), and sometimes whole plain requests are taken from
// unparsed() and skip()ped, as the engine fast path does.  Protocol errors
// must be the same as unsplit too.
//
// Seeds: VESSEL_SEED=<n> picks another base seed; a failure names the seed
// and case that reproduces it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createHash } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { LIMITS, RequestParser } from '../../js/protocol.js';
import { prng } from './helpers.js';
import { concat } from '../../js/bytes.js';

const BASE_SEED = Number(process.env.VESSEL_SEED ?? 20240601) >>> 0;


const enc = new TextEncoder();
const hex = (u8) => Buffer.from(u8.buffer, u8.byteOffset, u8.length).toString('hex');
/** An argument's fingerprint: its bytes in hex when short, else length and digest. */
const fp = (u8) => (u8.length <= 64 ? hex(u8) : `${u8.length}#${createHash('sha1').update(u8).digest('hex')}`);
const cat = (parts) => concat(parts);

// ---- requests ---------------------------------------------------------------------

const SPICY = [0, 13, 10, 0x2a, 0x24, 0x20, 0x22, 0x27, 0x5c, 0xff];

/** Random binary-safe bytes: empty, NUL, CR/LF and RESP's own markers included. */
function randomBytes(r, n) {
  const b = new Uint8Array(n);
  if (n > 4096) {
    for (let i = 0; i < n; i += 4) {
      const v = (r() * 4294967296) >>> 0;
      b[i] = v;
      if (i + 1 < n) b[i + 1] = v >>> 8;
      if (i + 2 < n) b[i + 2] = v >>> 16;
      if (i + 3 < n) b[i + 3] = v >>> 24;
    }
    for (let k = 0; k < 64; k++) b[r.int(n)] = r.pick(SPICY);
    return b;
  }
  for (let i = 0; i < n; i++) b[i] = r() < 0.3 ? r.pick(SPICY) : 0x61 + r.int(26);
  return b;
}

function argLength(r, big) {
  const x = r();
  if (x < 0.15) return 0;
  if (x < 0.8) return 1 + r.int(12);
  if (x < 0.97 || !big) return 13 + r.int(600);
  return 4096 + r.int(1 << 20); // up to ~1 MiB
}

function multibulk(args) {
  const parts = [enc.encode(`*${args.length}\r\n`)];
  for (const a of args) parts.push(enc.encode(`$${a.length}\r\n`), a, enc.encode('\r\n'));
  return cat(parts);
}

/** An inline command line, with "double" (\xHH, \n ...) and 'single' quotes. */
function inline(r) {
  const words = [];
  const n = 1 + r.int(5);
  for (let i = 0; i < n; i++) {
    const k = r.int(4);
    const plain = () => Array.from({ length: 1 + r.int(6) }, () => String.fromCharCode(0x61 + r.int(26))).join('');
    if (k === 0) words.push(`"${plain()} \\x41\\n\\"${plain()}"`);
    else if (k === 1) words.push(`'it\\'s ${plain()}'`);
    else words.push(plain());
  }
  return enc.encode(`${words.join(r() < 0.3 ? '  ' : ' ')}${r() < 0.5 ? '\r\n' : '\n'}`);
}

/** A request stream: plain requests, empty ones, inline ones, maybe a malformed tail. */
function requestStream(r, { count, big, limits }) {
  const parts = [];
  const expected = []; // args of the multibulk requests, for a sanity check of the unsplit parse
  for (let i = 0; i < count; i++) {
    const x = r();
    if (x < 0.07) parts.push(enc.encode(r.pick(['*0\r\n', '*-1\r\n', '\r\n', '\n', '   \r\n'])));
    else if (x < 0.25) parts.push(inline(r));
    else {
      const args = Array.from({ length: 1 + r.int(6) }, () => randomBytes(r, argLength(r, big)));
      parts.push(multibulk(args));
      expected.push(args);
    }
  }
  let malformed = false;
  if (r() < 0.35) {
    malformed = true;
    const m = limits.inlineMax;
    parts.push(enc.encode(r.pick([
      '*abc\r\n',
      '*1\r\n$x\r\n',
      '*2\r\n$3\r\nGET\r\nfoo\r\n',
      '*1\r\n$-5\r\n',
      `*${limits.maxArgs + 1}\r\n`,
      `*1\r\n$${limits.maxBulk + 1}\r\n`,
      'SET "unbalanced\r\n',
      "SET 'a'b\r\n",
      `*${'1'.repeat(m + 5)}\r\n`, // a count line over the limit, CRLF included
      `*${'1'.repeat(m + 5)}`, // ... and without its CRLF
      `*1\r\n$${'2'.repeat(m + 3)}\r\n`,
      `*1\r\n$${'2'.repeat(m + 3)}`,
      `${'x'.repeat(m + 7)}\r\n`, // an inline line over the limit
      `${'x'.repeat(m + 7)}`,
      `${'x'.repeat(m - 3)}\r\n`, // just under it: fine
    ])));
    if (r() < 0.5) parts.push(multibulk([enc.encode('PING')])); // never reached after an error
  }
  return { bytes: cat(parts), expected, malformed };
}

/**
 * The engine fast path's view of unparsed(): whole plain multibulk
 * requests at the start (strict CRLF, no leading zeros, 1..64 arguments),
 * stopping before anything else, as src/abi/pipeline.c does.
 */
function takeWhole(u8, maxRequests) {
  const reqs = [];
  let p = 0;
  const header = (q) => {
    let v = 0;
    const s = q;
    if (u8[q] === 0x30 && q + 1 < u8.length && u8[q + 1] !== 13) return null;
    while (q < u8.length && u8[q] >= 0x30 && u8[q] <= 0x39 && q - s < 12) v = v * 10 + (u8[q++] - 0x30);
    if (q === s || q + 1 >= u8.length || u8[q] !== 13 || u8[q + 1] !== 10) return null;
    return [v, q + 2];
  };
  while (p < u8.length && u8[p] === 0x2a && reqs.length < maxRequests) {
    const h = header(p + 1);
    if (!h || h[0] <= 0 || h[0] > 64) break;
    let [argc, q] = h;
    const args = [];
    for (; argc > 0; argc--) {
      if (q >= u8.length || u8[q] !== 0x24) break;
      const b = header(q + 1);
      if (!b) break;
      const [n, d] = b;
      if (u8.length - d < n + 2 || u8[d + n] !== 13 || u8[d + n + 1] !== 10) break;
      args.push(u8.slice(d, d + n));
      q = d + n + 2;
    }
    if (argc > 0) break;
    reqs.push(args);
    p = q;
  }
  return [reqs, p];
}

/**
 * Feed chunks to a RequestParser as vessel-server does; a canonical
 * transcript of what came out (one line per request, then the error).
 * Views handed out must keep their bytes until the next push().
 */
function transcript(chunks, { copy, limits, fast, r }) {
  const parser = new RequestParser({ ...limits, copy });
  const out = [];
  let live = [];
  for (const chunk of chunks) {
    for (const [view, was] of live) {
      if (fp(view) !== was) out.push(`VIEW CHANGED before the next push: ${was.slice(0, 40)}`);
    }
    live = [];
    parser.push(chunk);
    for (;;) {
      if (fast && r() < 0.5) {
        const v = parser.unparsed();
        if (v && v.length && v[0] === 0x2a) {
          const [reqs, n] = takeWhole(v, 1 + r.int(8));
          if (n > 0) {
            for (const args of reqs) out.push(args.map(fp).join(' '));
            parser.skip(n);
            continue;
          }
        }
      }
      const res = parser.next();
      if (!res) break;
      if (res.error) {
        out.push(`ERROR ${res.error}`);
        return out;
      }
      const line = res.args.map(fp);
      out.push(line.join(' '));
      if (!copy) res.args.forEach((a, i) => live.push([a, line[i]]));
    }
  }
  return out;
}

/** Cut bytes at the given sorted offsets. */
function cut(bytes, points) {
  const chunks = [];
  let prev = 0;
  for (const p of points) {
    if (p > prev && p < bytes.length) {
      chunks.push(bytes.slice(prev, p));
      prev = p;
    }
  }
  chunks.push(bytes.slice(prev));
  return chunks;
}

function randomCuts(r, n, maxFrag) {
  const pts = [];
  for (let p = 1 + r.int(maxFrag); p < n; p += 1 + r.int(maxFrag)) pts.push(p);
  return pts;
}

function byteByByte(bytes) {
  const chunks = new Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) chunks[i] = bytes.subarray(i, i + 1);
  return chunks;
}

function firstDiff(a, b) {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  const show = (x) => (x === undefined ? '(nothing)' : x.length > 120 ? `${x.slice(0, 120)}...` : x);
  return `request #${i}: got ${show(a[i])}, want ${show(b[i])} (${a.length} vs ${b.length} results)`;
}

function checkRequests(label, seed, bytes, splits, { limits, expected }) {
  const mode = (copy, fast) => ({ copy, limits, fast, r: prng(seed ^ 0x5bd1e995) });
  const want = transcript([bytes], mode(true, false));
  // Sanity: the unsplit parse returns the multibulk requests generated.
  const got = want.filter((l) => !l.startsWith('ERROR'));
  assert.ok(expected.every((args) => got.includes(args.map(fp).join(' '))) || want.some((l) => l.startsWith('ERROR')),
    `${label}: seed ${seed}: unsplit parse lost a request`);
  for (const [how, chunks] of splits) {
    for (const copy of [false, true]) {
      for (const fast of copy ? [false] : [false, true]) {
        const t = transcript(chunks, mode(copy, fast));
        if (t.length !== want.length || t.some((x, i) => x !== want[i])) {
          assert.fail(`${label}: seed ${seed}, ${how}, copy: ${copy}, fast path: ${fast}: ${firstDiff(t, want)}`);
        }
      }
    }
  }
}

const SMALL_LIMITS = { inlineMax: 48, maxArgs: 16, maxBulk: 4096 };

test('RequestParser: small request streams split at every point (and byte by byte) parse as unsplit', () => {
  for (let c = 0; c < 250; c++) {
    const seed = (BASE_SEED + c * 7919) >>> 0;
    const r = prng(seed);
    const limits = c % 3 === 0 ? { ...LIMITS } : SMALL_LIMITS;
    const { bytes, expected } = requestStream(r, { count: 1 + r.int(6), big: false, limits });
    const src = bytes.length > 320 ? bytes.subarray(0, 320) : bytes; // a cut-off tail is fine too
    const splits = [['byte by byte', byteByByte(src)]];
    for (let k = 1; k < src.length; k++) splits.push([`split at ${k}`, cut(src, [k])]);
    for (let k = 0; k < 4; k++) {
      const pts = randomCuts(r, src.length, 1 + r.int(16));
      splits.push([`cut at ${pts.join(',')}`, cut(src, pts)]);
    }
    checkRequests(`case ${c}`, seed, src, splits, { limits, expected: src === bytes ? expected : [] });
  }
});

test('RequestParser: large request streams (arguments up to 1 MiB) split at random points and byte by byte', () => {
  for (let c = 0; c < 12; c++) {
    const seed = (BASE_SEED + 1000003 * (c + 1)) >>> 0;
    const r = prng(seed);
    const limits = c % 2 ? { ...LIMITS } : { ...LIMITS, inlineMax: 1024 };
    const { bytes, expected } = requestStream(r, { count: 10 + r.int(60), big: true, limits });
    const splits = [];
    for (const maxFrag of [7, 1500, 65536, 300000]) {
      const pts = randomCuts(r, bytes.length, maxFrag);
      splits.push([`random fragments of 1..${maxFrag} bytes (${pts.length + 1} chunks)`, cut(bytes, pts)]);
    }
    checkRequests(`large case ${c} (${bytes.length} bytes)`, seed, bytes, splits, { limits, expected });
    if (c < 2) {
      const head = bytes.subarray(0, 1200000); // byte by byte: the first 1.2 MB
      checkRequests(`large case ${c}, first ${head.length} bytes`, seed, head, [['byte by byte', byteByByte(head)]], { limits, expected: [] });
    }
  }
});

test('RequestParser: the reported reproducers', () => {
  const t = (chunks) => transcript(chunks.map((s) => Buffer.from(s, 'latin1')), { copy: false, limits: {}, fast: false });
  const hset = ['*4\r\n$4\r\nHSET\r\n$3\r\nkey\r\n$5\r\nfield\r\n', '$5\r\nvalue\r\n'];
  assert.deepEqual(t(hset), [['HSET', 'key', 'field', 'value'].map((s) => Buffer.from(s).toString('hex')).join(' ')]);
  // 70,000 + 1 MiB arguments in 64 KiB reads
  const r = prng(BASE_SEED);
  const f1 = randomBytes(r, 70000);
  const f2 = randomBytes(r, 1 << 20);
  const bytes = multibulk([enc.encode('HSET'), enc.encode('big2'), enc.encode('f1'), f1, enc.encode('f2'), f2]);
  const out = transcript(cut(bytes, randomCuts(r, bytes.length, 65536)), { copy: false, limits: {}, fast: true, r });
  assert.equal(out.length, 1);
  assert.equal(out[0], ['HSET', 'big2', 'f1'].map((s) => fp(enc.encode(s))).concat(fp(f1), fp(enc.encode('f2')), fp(f2)).join(' '));
});

test('RequestParser: pending counts the request being read; unparsed() is null inside it', () => {
  const p = new RequestParser({ copy: false });
  p.push(enc.encode('*2\r\n$4\r\nECHO\r\n'));
  assert.equal(p.next(), null);
  assert.equal(p.unparsed(), null);
  assert.equal(p.pending, 14);
  p.push(enc.encode('$2\r\nhi\r\n*1\r\n$4\r\nPI'));
  const r = p.next();
  assert.deepEqual(r.args.map((a) => Buffer.from(a).toString()), ['ECHO', 'hi']);
  assert.equal(p.next(), null);
  p.push(enc.encode('NG\r\n'));
  assert.deepEqual(p.next().args.map((a) => Buffer.from(a).toString()), ['PING']);
  assert.equal(p.pending, 0);
});

// ---- replies ----------------------------------------------------------------------

/** A random reply: [RESP bytes (string, latin1), RESP3 only?]. */
function randomReply(r, depth = 0) {
  const s = (n) => Array.from({ length: n }, () => String.fromCharCode(r() < 0.2 ? r.pick(SPICY.filter((c) => c !== 13 && c !== 10)) : 0x41 + r.int(58))).join('');
  const bin = (n) => Array.from({ length: n }, () => String.fromCharCode(r() < 0.3 ? r.pick(SPICY) : 0x61 + r.int(26))).join('');
  const k = r.int(depth > 2 ? 14 : 19);
  switch (k) {
    case 0: return `:${r.pick([0, 7, -3, 12345, -987654321, 2 ** 40])}\r\n`;
    case 1: return `+${s(r.int(12))}\r\n`;
    case 2: return `-ERR ${s(r.int(20))}\r\n`;
    case 3: case 4: {
      const b = bin(r.int(5) === 0 ? 200 + r.int(300) : r.int(15));
      return `$${b.length}\r\n${b}\r\n`;
    }
    case 5: return '$-1\r\n';
    case 6: return '*-1\r\n';
    case 7: return '_\r\n';
    case 8: return `,${r.pick(['1.5', '-0.25', 'inf', '-inf', '3', '1e+300'])}\r\n`;
    case 9: return r() < 0.5 ? '#t\r\n' : '#f\r\n';
    case 10: {
      const b = `txt:${bin(r.int(20))}`;
      return `=${b.length}\r\n${b}\r\n`;
    }
    case 11: return `(${r.pick(['3492890328409238509324850943850943825024385', '-12', '0'])}\r\n`;
    case 12: {
      const b = `ERR ${s(r.int(20))}`;
      return `!${b.length}\r\n${b}\r\n`;
    }
    case 13: return '$0\r\n\r\n';
    default: {
      const n = r.int(5);
      const items = Array.from({ length: n * (k === 15 ? 2 : 1) }, () => randomReply(r, depth + 1)).join('');
      if (k === 14) return `*${n}\r\n${items}`;
      if (k === 15) return `%${n}\r\n${items}`;
      if (k === 16) return `~${n}\r\n${items}`;
      if (k === 17) return `>${n}\r\n${items}`;
      return `|1\r\n+key-popularity\r\n:${n}\r\n*${n}\r\n${items}`; // attributes, then the value
    }
  }
}

// Run in a worker, so a decoder that never returns fails the test instead
// of hanging it.  These functions are sent as source: self-contained.
function normalize(v) {
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (typeof v === 'bigint') return `big:${v}`;
  if (typeof v === 'number' || typeof v === 'boolean') return `${typeof v}:${Object.is(v, -0) ? '-0' : v}`;
  if (typeof v === 'string') return `str:${JSON.stringify(v)}`;
  if (v instanceof Uint8Array) return `bytes:${Buffer.from(v).toString('hex')}`;
  if (v instanceof Error) return `error:${v.name}:${JSON.stringify(v.message)}`;
  if (Array.isArray(v)) return `[${v.map(normalize).join(',')}]`;
  return `?${String(v)}`;
}

/** Decode every whole reply of a stream delivered in chunks, as tests/server/helpers.js's client does. */
function decodeStream(decode, chunks, binary) {
  const out = [];
  let buf = new Uint8Array(0);
  for (const c of chunks) {
    const nb = new Uint8Array(buf.length + c.length);
    nb.set(buf, 0);
    nb.set(c, buf.length);
    buf = nb;
    for (;;) {
      if (!buf.length) break;
      const [v, end] = decode(buf, 0, binary);
      if (Number.isNaN(end) || end > buf.length) break;
      if (!(end > 0)) throw new Error(`decode returned end ${end}`);
      out.push(normalize(v));
      buf = buf.subarray(end);
    }
  }
  if (buf.length) out.push(`leftover ${buf.length} bytes`);
  return out;
}

function checkReplies(decode, cases) {
  for (const { label, bytes } of cases) {
    for (const binary of [false, true]) {
      const want = decodeStream(decode, [bytes], binary).join('\n');
      const splits = [];
      for (let k = 1; k < bytes.length; k++) splits.push([`split at ${k}`, [bytes.subarray(0, k), bytes.subarray(k)]]);
      splits.push(['byte by byte', Array.from(bytes, (_, i) => bytes.subarray(i, i + 1))]);
      for (const [how, chunks] of splits) {
        const got = decodeStream(decode, chunks, binary).join('\n');
        if (got !== want) return `${label}, ${how}, binary: ${binary}: got\n${got.slice(0, 300)}\nwant\n${want.slice(0, 300)}`;
      }
    }
  }
  return null;
}

function inWorker(fnSources, call, data, ms) {
  const code = `
    const { parentPort, workerData } = require('node:worker_threads');
    ${fnSources.join('\n')}
    import(workerData.url).then((m) => parentPort.postMessage(${call}(m.decode, workerData.cases)),
      (e) => parentPort.postMessage('worker: ' + e.stack));
  `;
  return new Promise((resolve) => {
    const w = new Worker(code, { eval: true, workerData: { ...data, url: new URL('../../js/resp.js', import.meta.url).href } });
    const timer = setTimeout(() => {
      w.terminate();
      resolve(`no answer within ${ms} ms: the decoder loops (a reply split across chunks)`);
    }, ms);
    w.once('message', (m) => {
      clearTimeout(timer);
      w.terminate();
      resolve(m);
    });
    w.once('error', (e) => {
      clearTimeout(timer);
      resolve(`worker: ${e.stack}`);
    });
  });
}

test('resp.js decode: every reply type, RESP2 and RESP3, split at every point, decodes as unsplit', async () => {
  const cases = [];
  // Each type alone first, so a failure names it; then random mixes.
  const singles = [':123\r\n', ':-5\r\n', '+OK\r\n', '-ERR x\r\n', '$10\r\n0123456789\r\n', '$0\r\n\r\n', '$-1\r\n', '*-1\r\n',
    '*2\r\n$1\r\na\r\n:1\r\n', '%1\r\n+k\r\n+v\r\n', '~2\r\n:1\r\n:2\r\n', '>2\r\n+pubsub\r\n+x\r\n', '_\r\n', ',3.25\r\n',
    ',inf\r\n', '#t\r\n', '#f\r\n', '=8\r\ntxt:abcd\r\n', '(12345678901234567890\r\n', '!7\r\nERR bad\r\n',
    '|1\r\n+ttl\r\n:3\r\n+value\r\n', '*0\r\n', '%0\r\n'];
  for (const s of singles) cases.push({ label: JSON.stringify(s), bytes: Buffer.from(s + s, 'latin1') });
  for (let c = 0; c < 120; c++) {
    const seed = (BASE_SEED + 31 * c) >>> 0;
    const r = prng(seed);
    const s = Array.from({ length: 1 + r.int(4) }, () => randomReply(r)).join('');
    cases.push({ label: `seed ${seed} (${s.length} bytes)`, bytes: Buffer.from(s, 'latin1') });
  }
  const res = await inWorker([normalize.toString(), decodeStream.toString(), checkReplies.toString()], 'checkReplies',
    { cases: cases.map((x) => ({ label: x.label, bytes: new Uint8Array(x.bytes) })) }, 20000);
  assert.equal(res, null, `base seed ${BASE_SEED}: ${res}`);
});
