// make-rdb-corpus.mjs - writes the seed corpus of the RDB fuzzer
// (tests/fuzz/corpus/rdb/): small files written by the real redis-server
// (hashes small and large, strings integer and LZF, expiry, lists, sets,
// sorted sets, a stream with a consumer group, several databases) and
// hand-made old encodings (zipmap, ziplist hashes, version 3 without a
// checksum).  Each file starts with fuzz_rdb.c's mode byte (bit 0: the
// checksum zeroed; bit 1: size unknown; bit 2: declared longer; the rest
// picks the chunk size).  Needs redis-server and redis-cli on the PATH.
//
//   node tests/fuzz/make-rdb-corpus.mjs
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = new URL('./corpus/rdb/', import.meta.url);
mkdirSync(dir, { recursive: true });
const put = (name, mode, bytes) => writeFileSync(new URL(name, dir), Buffer.concat([Buffer.from([mode]), bytes]));

// ---- files from redis-server --------------------------------------------------
const work = mkdtempSync(join(tmpdir(), 'vs-rdb-corpus-'));
const sock = join(work, 's');
execFileSync('redis-server', ['--port', '0', '--unixsocket', sock, '--dir', work, '--dbfilename', 'd.rdb', '--save', '',
  '--appendonly', 'no', '--daemonize', 'yes', '--pidfile', join(work, 'pid'), '--logfile', join(work, 'log')]);
const cli = (...args) => execFileSync('redis-cli', ['-s', sock, ...args.map(String)]).toString();
for (let i = 0; i < 100 && spawnSync('redis-cli', ['-s', sock, 'PING']).status !== 0; i++) execFileSync('sleep', ['0.05']);

function dataset(name, mode, build) {
  cli('FLUSHALL');
  build();
  cli('SAVE');
  put(name, mode, readFileSync(join(work, 'd.rdb')));
}

dataset('hashes.seed', 0x08, () => {
  cli('HSET', 'small', 'a', '1', 'b', '-4096', 'c', '2147483648', 'd', 'text', 'e', '');
  cli('HSET', 'wide', 'f', 'x'.repeat(80)); // a value past 64 bytes: a plain hash
  for (let i = 0; i < 130; i++) cli('HSET', 'large', `f${i}`, i); // past 128 fields
  cli('SET', 'int', '12345');
  cli('SET', 'neg', '-7');
  cli('SET', 'lzf', 'abcdefgh'.repeat(40));
  cli('SET', 'plain', 'hello world');
});
dataset('expiry.seed', 0x01, () => {
  cli('SET', 'a', 'v', 'PXAT', '4102444800000');
  cli('HSET', 'b', 'f', 'v');
  cli('PEXPIREAT', 'b', '1700000000001');
  cli('SET', 'c', 'v');
});
dataset('types.seed', 0x11, () => {
  cli('RPUSH', 'list', 'a', 'b', '3');
  for (let i = 0; i < 150; i++) cli('RPUSH', 'biglist', 'item-' + i);
  cli('SADD', 'intset', '1', '2', '3');
  cli('SADD', 'set', 'a', 'b');
  cli('ZADD', 'zset', '1', 'a', 'inf', 'b');
  for (let i = 0; i < 130; i++) cli('ZADD', 'bigzset', i / 3, 'm' + i);
  cli('HSET', 'h', 'f', 'v');
});
dataset('stream.seed', 0x00, () => {
  for (let i = 0; i < 4; i++) cli('XADD', 'st', '*', 'f', i);
  cli('XGROUP', 'CREATE', 'st', 'g', '0');
  cli('XREADGROUP', 'GROUP', 'g', 'alice', 'COUNT', '2', 'STREAMS', 'st', '>');
  cli('HSET', 'h', 'f', 'v');
});
dataset('databases.seed', 0x0b, () => {
  cli('SET', 'k', 'db0');
  execFileSync('redis-cli', ['-s', sock, '-n', '1', 'SET', 'k', 'db1']);
  execFileSync('redis-cli', ['-s', sock, '-n', '3', 'HSET', 'h', 'f', 'v']);
});
cli('SHUTDOWN', 'NOSAVE');
rmSync(work, { recursive: true, force: true });

// ---- hand-made old encodings ----------------------------------------------------
const POLY = 0x95ac9329ac4bc9b5n;
const table = Array.from({ length: 256 }, (_, b) => {
  let c = BigInt(b);
  for (let k = 0; k < 8; k++) c = c & 1n ? (c >> 1n) ^ POLY : c >> 1n;
  return c;
});
function crc64(buf) {
  let c = 0n;
  for (const b of buf) c = table[Number((c ^ BigInt(b)) & 0xffn)] ^ (c >> 8n);
  return c;
}
const len = (n) => (n < 64 ? [n] : [0x40 | (n >> 8), n & 0xff]);
const str = (s) => [...len(Buffer.byteLength(s)), ...Buffer.from(s)];
const blob = (bytes) => [...len(bytes.length), ...bytes];
function file(version, body) {
  const b = [...Buffer.from(`REDIS${String(version).padStart(4, '0')}`), ...body, 0xff];
  if (version >= 5) {
    const c = crc64(b);
    for (let i = 0; i < 8; i++) b.push(Number((c >> BigInt(8 * i)) & 0xffn));
  }
  return Buffer.from(b);
}
// zipmap: count, (len field len free value)..., 0xff
const zipmap = [2, 1, ...Buffer.from('a'), 1, 0, ...Buffer.from('1'), 2, ...Buffer.from('bb'), 3, 2, ...Buffer.from('xyz'), 0, 0, 0xff];
put('zipmap-v3.seed', 0x08, file(3, [9, ...str('zm'), ...blob(zipmap), 0, ...str('k'), ...str('v')]));
// ziplist: zlbytes, zltail, zllen, entries (prevlen, encoding, data), 0xff
function ziplist(entries) {
  const body = [];
  let prev = 0, tail = 10;
  for (const e of entries) {
    tail = 10 + body.length;
    const ent = [prev, ...e];
    body.push(...ent);
    prev = ent.length;
  }
  const total = 10 + body.length + 1;
  const le = (v, n) => Array.from({ length: n }, (_, i) => (v >> (8 * i)) & 0xff);
  return [...le(total, 4), ...le(tail, 4), ...le(entries.length, 2), ...body, 0xff];
}
const zl = ziplist([[2, ...Buffer.from('f1')], [0xc0, 0x39, 0x30], [2, ...Buffer.from('f2')], [0xf5], [2, ...Buffer.from('f3')], [0xfe, 0x80]]);
put('ziplist-v7.seed', 0x09, file(7, [0xfe, 0, 13, ...str('zl'), ...blob(zl), 0xfc, 0, 0x20, 0x9c, 0x5b, 0xba, 0x03, 0, 0, 0, ...str('s'), ...str('v')]));
console.log('wrote', new URL('.', dir).pathname);
