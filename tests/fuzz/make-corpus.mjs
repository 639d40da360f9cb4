// make-corpus.mjs - writes the seed corpus of the snapshot fuzzer
// (tests/fuzz/corpus/snapshot/): real snapshots and journals made by the
// engine, so libFuzzer mutates valid files rather than noise.  Each file
// starts with fuzz_snapshot.c's mode byte (bit 0: journal, else snapshot;
// bit 1: a snapshot declared longer than it is / a journal replayed with
// repair; the rest picks the chunk size).
//
//   make fuzz-corpus
import { mkdirSync, writeFileSync } from 'node:fs';
import { open } from '../../js/index.js';

const dir = new URL('./corpus/snapshot/', import.meta.url);
mkdirSync(dir, { recursive: true });

function snapshotOf(db) {
  const e = db.engine;
  e.saveBegin();
  const parts = [];
  for (let c; (c = e.saveNext(4096)).length; ) parts.push(c);
  e.saveEnd();
  return Buffer.concat(parts);
}

const put = (name, mode, bytes) => writeFileSync(new URL(name, dir), Buffer.concat([Buffer.from([mode]), bytes]));
const v = (...xs) => new Float32Array(xs);

async function store(build) {
  const db = await open({ seed: 1 });
  const x = (...a) => db.engine.exec(a.map((s) => (typeof s === 'number' ? String(s) : s)));
  build(x);
  while (db.engine.step(64));
  return db;
}

// FLAT, TAG, NUMERIC; a string key; a wrong-size vector.
let db = await store((x) => {
  x('FT.CREATE', 'f', 'PREFIX', '1', 'd:', 'SCHEMA', 'v', 'VECTOR', 'FLAT', '6', 'TYPE', 'FLOAT32', 'DIM', '2', 'DISTANCE_METRIC', 'COSINE',
    't', 'TAG', 'SEPARATOR', '|', 'n', 'NUMERIC');
  for (let i = 0; i < 6; i++) x('HSET', `d:${i}`, 'v', v(i, 1), 't', `a|b${i % 2}`, 'n', i * 1.5);
  x('HSET', 'd:bad', 'v', 'xyz', 'n', 'nan?');
  x('SET', 's', 'str');
});
put('flat.seed', 0x20, snapshotOf(db));
await db.close();

// HNSW with deletions (free slots) and upper layers.
db = await store((x) => {
  x('FT.CREATE', 'h', 'SCHEMA', 'v', 'VECTOR', 'HNSW', '10', 'TYPE', 'FLOAT32', 'DIM', '2', 'DISTANCE_METRIC', 'L2', 'M', '3',
    'INITIAL_CAP', '4', 'g', 'TAG');
  for (let i = 0; i < 24; i++) x('HSET', `k${i}`, 'v', v(Math.sin(i), Math.cos(i)), 'g', i % 3 ? 'x' : 'y');
  for (let i = 0; i < 24; i += 5) x('DEL', `k${i}`);
});
put('hnsw.seed', 0x24, snapshotOf(db));
put('hnsw-declared-longer.seed', 0x26, snapshotOf(db)); // bit 1: declared 1000 bytes longer
await db.close();

// Keys with expiry times (the expires section), indexed and not.
db = await store((x) => {
  x('FT.CREATE', 'e', 'PREFIX', '1', 'd:', 'SCHEMA', 'v', 'VECTOR', 'FLAT', '6', 'TYPE', 'FLOAT32', 'DIM', '2', 'DISTANCE_METRIC', 'L2');
  for (let i = 0; i < 8; i++) x('HSET', `d:${i}`, 'v', v(i, 2));
  for (let i = 0; i < 8; i += 2) x('PEXPIREAT', `d:${i}`, String(4102444800000 + i));
  x('SET', 's', 'str', 'PXAT', '4102444800123');
  x('SET', 't', 'str');
});
put('expires.seed', 0x20, snapshotOf(db));
await db.close();

// TEXT fields (the text section): stemming, suffixes, NOOFFSETS on another
// index, a value that is not UTF-8, one with only stop words, removals.
db = await store((x) => {
  x('FT.CREATE', 'w', 'PREFIX', '1', 'd:', 'STOPWORDS', '2', 'the', 'of', 'SCHEMA', 'body', 'TEXT', 'WITHSUFFIXTRIE',
    'title', 'TEXT', 'NOSTEM', 'WEIGHT', '2');
  x('FT.CREATE', 'o', 'NOOFFSETS', 'SCHEMA', 'body', 'TEXT');
  const words = ['running', 'runs', 'ran', 'hello', 'world', 'vessel', 'of', 'the', 'snapshot', 'Über', 'naïve'];
  for (let i = 0; i < 30; i++) {
    const body = Array.from({ length: 1 + (i % 7) }, (_, k) => words[(i * 7 + k * 3) % words.length]).join(i % 2 ? ' ' : ', ');
    x('HSET', `d:${i}`, 'body', body, 'title', `Title ${i % 4}`);
  }
  x('HSET', 'd:bad', 'body', Buffer.from([0x61, 0xff, 0x62]));
  x('HSET', 'd:stop', 'body', 'the of the');
  for (let i = 0; i < 30; i += 6) x('DEL', `d:${i}`);
});
put('text.seed', 0x20, snapshotOf(db));
await db.close();

// An index saved in the middle of its backfill; hashes only.
db = await open({ seed: 2 });
for (let i = 0; i < 50; i++) db.engine.exec(['HSET', `p:${i}`, 'v', v(i, -i), 'n', String(i)]);
db.engine.exec(['FT.CREATE', 'b', 'SCHEMA', 'v', 'VECTOR', 'FLAT', '6', 'TYPE', 'FLOAT32', 'DIM', '2', 'DISTANCE_METRIC', 'IP', 'n', 'NUMERIC']);
db.engine.step(10);
put('backfill.seed', 0x00, snapshotOf(db));
await db.close();

// Empty store.
db = await open();
put('empty.seed', 0x04, snapshotOf(db));
await db.close();

// Journals: every kind of write, FT.CREATE / FT.DROPINDEX, and a torn tail.
db = await open();
db.engine.journalEnable(true);
const cmds = [
  ['FT.CREATE', 'j', 'SCHEMA', 'v', 'VECTOR', 'HNSW', '6', 'TYPE', 'FLOAT32', 'DIM', '2', 'DISTANCE_METRIC', 'L2', 't', 'TAG'],
  ['HSET', 'a', 'v', v(1, 2), 't', 'x'],
  ['HSET', 'b', 'v', v(3, 4), 't', 'y'],
  ['HDEL', 'a', 't'],
  ['HINCRBYFLOAT', 'b', 'n', '1.5'],
  ['RENAME', 'b', 'c'],
  ['SET', 's', '1'],
  ['DEL', 's'],
  ['FT.DROPINDEX', 'j'],
  ['FLUSHALL'],
  ['HSET', 'z', 'f', 'v'],
];
for (const c of cmds) db.engine.exec(c);
const journal = Buffer.from(db.engine.journalTake());
await db.close();
put('journal.seed', 0x21, journal);
put('journal-torn.seed', 0x03, journal.subarray(0, journal.length - 7));
// A journal of expiry records (absolute times, PERSIST, DEL of expired keys).
db = await open({ clock: () => 1000 });
db.engine.journalEnable(true);
for (const c of [['SET', 'a', 'v', 'EX', '100'], ['HSET', 'h', 'f', 'v'], ['PEXPIREAT', 'h', '5000'], ['GETEX', 'a', 'PERSIST'],
  ['SET', 'b', 'v', 'KEEPTTL'], ['EXPIRE', 'b', '-1'], ['SET', 'c', 'v', 'PXAT', '900'], ['GET', 'c']]) db.engine.exec(c);
put('journal-expiry.seed', 0x21, Buffer.from(db.engine.journalTake()));
await db.close();
put('journal-inline.seed', 0x01, Buffer.from('PING\r\n*2\r\n$3\r\nDEL\r\n$1\r\nz\r\n'));
console.log('seed corpus written to', dir.pathname);
