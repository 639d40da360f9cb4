// examples/node/aggregate.js - FT.AGGREGATE (groups, expressions, a top
// list), FT.SEARCH sorted with its sort keys, an alias, and a second
// numbered database, as in the README.
import { open } from 'vessel';

const db = await open();
await db.createIndex('sales', {
  prefix: 'sale:',
  schema: { region: { type: 'TAG' }, amount: { type: 'NUMERIC' }, qty: { type: 'NUMERIC' } },
});
const sales = [
  ['north', 120, 3], ['north', 80, 1], ['south', 200, 4], ['south', 50, 2], ['east', 75, 5], ['north', 30, 1],
];
for (const [i, [region, amount, qty]] of sales.entries()) await db.hset(`sale:${i + 1}`, { region, amount, qty });
await db.indexReady('sales');

// Per region: how many sales, their total and average, biggest total first.
const perRegion = await db.aggregate('sales', '*', {
  load: ['region', 'amount'],
  steps: [
    { groupBy: 'region', reduce: [
      { fn: 'COUNT', as: 'n' },
      { fn: 'SUM', args: ['@amount'], as: 'total' },
      { fn: 'AVG', args: ['@amount'], as: 'avg' },
    ] },
    { sortBy: [{ by: '@total', desc: true }] },
  ],
});
for (const r of perRegion) console.log(`region ${r.region} n=${r.n} total=${r.total} avg=${r.avg}`);

// An expression per sale, a filter on it, the two largest.
const top = await db.aggregate('sales', '@amount:[50 +inf]', {
  load: ['__key', 'amount', 'qty'],
  steps: [
    { apply: '@amount / @qty', as: 'unit' },
    { filter: '@unit >= 20' },
    { sortBy: [{ by: '@unit', desc: true }], max: 2 },
  ],
});
for (const r of top) console.log(`unit ${r.__key} ${r.unit}`);

// The same through the command, as Valkey and Memorystore take it.
console.log(JSON.stringify(await db.command('FT.AGGREGATE', 'sales', '@region:{north}', 'LOAD', '2', '@region', '@qty',
  'GROUPBY', '1', '@region', 'REDUCE', 'SUM', '1', '@qty', 'AS', 'items')));

// FT.SEARCH sorted by a field, with the sort key beside each key; an alias.
await db.command('FT.ALIASADD', 'orders', 'sales');
const sorted = await db.search('orders', '@region:{north}', { sortBy: 'amount', withSortKeys: true, return: ['amount'] });
console.log('sorted', sorted.results.map((r) => `${r.key}:${r.sortKey}`).join(' '));

// Numbered databases: database 1 has its own keys and indexes.
await db.select(1);
await db.hset('sale:1', { region: 'west', amount: 10 });
console.log('db1 size', await db.dbsize());
try { await db.search('sales', '*'); } catch (e) { console.log('db1', e.message); }
await db.select(0);
console.log('db0 size', await db.dbsize());
await db.close();
