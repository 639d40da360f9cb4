// bench/aggregate.js - FT.AGGREGATE against the same work done in
// JavaScript over db.search() results, in process, one run: 100,000
// documents with a TAG (50 values) and a NUMERIC field;
//   1. GROUPBY 1 @tag REDUCE COUNT 0 AS n REDUCE AVG 1 @num AS avg
//   2. APPLY @num * 2 AS x, FILTER @x > 500, SORTBY 2 @x DESC MAX 10
// each as FT.AGGREGATE (LOAD 2 @tag @num: valkey-search reads only loaded
// fields) and as db.search('*', { return, limit }) then the same steps in
// plain JS.  Medians of repeated runs.
//
//   node bench/aggregate.js [--quick]      (make bench-aggregate)
import os from 'node:os';
import { open } from '../js/index.js';

const quick = process.argv.includes('--quick');
const N = quick ? 20000 : 100000;
const REPS = quick ? 3 : 7;
const TAGS = 50;

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
async function time(fn) {
  const ts = [];
  let out;
  for (let i = 0; i < REPS; i++) {
    const t0 = performance.now();
    out = await fn();
    ts.push(performance.now() - t0);
  }
  return { ms: median(ts), out };
}

const db = await open();
await db.createIndex('idx', { prefix: ['d:'], schema: { tag: { type: 'TAG' }, num: { type: 'NUMERIC' } } });
for (let i = 0; i < N; i++) await db.hset(`d:${i}`, { tag: `t${(i * 7919) % TAGS}`, num: String((i * 104729) % 1000) });
await db.indexReady('idx');

const all = () => db.search('idx', '*', { return: ['tag', 'num'], limit: [0, N] });

const group = await time(() =>
  db.aggregate('idx', '*', {
    load: ['tag', 'num'],
    steps: [{ groupBy: 'tag', reduce: [{ fn: 'COUNT', as: 'n' }, { fn: 'AVG', args: ['@num'], as: 'avg' }] }],
  }),
);
const groupJs = await time(async () => {
  const r = await all();
  const g = new Map();
  for (const { fields } of r.results) {
    let s = g.get(fields.tag);
    if (!s) g.set(fields.tag, (s = { n: 0, sum: 0 }));
    s.n++;
    s.sum += Number(fields.num);
  }
  return [...g].map(([tag, s]) => ({ tag, n: s.n, avg: s.sum / s.n }));
});
const pipe = await time(() =>
  db.aggregate('idx', '*', {
    load: ['tag', 'num'],
    steps: [{ apply: '@num * 2', as: 'x' }, { filter: '@x > 500' }, { sortBy: [{ by: '@x', desc: true }], max: 10 }],
  }),
);
const pipeJs = await time(async () => {
  const r = await all();
  const rows = [];
  for (const { fields } of r.results) {
    const x = Number(fields.num) * 2;
    if (x > 500) rows.push({ ...fields, x });
  }
  rows.sort((a, b) => b.x - a.x);
  return rows.slice(0, 10);
});
if (group.out.length !== TAGS || groupJs.out.length !== TAGS) throw new Error('group counts differ');
if (pipe.out.length !== 10 || Number(pipe.out[0].x) !== pipeJs.out[0].x) throw new Error('pipelines differ');

console.log(`dataset: ${N.toLocaleString('en-US')} hashes {tag: TAG (${TAGS} values), num: NUMERIC}; medians of ${REPS} runs`);
console.log(`machine: ${os.cpus()[0].model}, ${os.cpus().length} cpus, node ${process.version}`);
const row = (name, a, b) =>
  console.log(`${name.padEnd(44)} FT.AGGREGATE ${a.ms.toFixed(1).padStart(7)} ms   JS over db.search() ${b.ms.toFixed(1).padStart(7)} ms   x${(b.ms / a.ms).toFixed(1)}`);
row('GROUPBY @tag REDUCE COUNT, AVG(@num)', group, groupJs);
row('APPLY @num*2, FILTER @x>500, SORTBY @x DESC MAX 10', pipe, pipeJs);
console.log('rerun: make bench-aggregate   (or node bench/aggregate.js [--quick])');
await db.close();
