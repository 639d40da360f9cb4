// examples/node/hybrid.js - hybrid vector search: a TAG and NUMERIC filter
// combined with KNN, as in the README.
import { open } from 'vessel';

const db = await open();
await db.createIndex('products', {
  prefix: 'product:',
  schema: {
    embedding: { type: 'VECTOR', algorithm: 'FLAT', dim: 4, distance: 'COSINE' },
    category: { type: 'TAG' },
    price: { type: 'NUMERIC' },
  },
});
const products = [
  ['product:1', 'shoes', 60, [0.9, 0.1, 0.0, 0.1]],
  ['product:2', 'shoes', 120, [0.8, 0.2, 0.1, 0.0]],
  ['product:3', 'hats', 25, [0.1, 0.9, 0.2, 0.0]],
  ['product:4', 'shoes', 45, [0.2, 0.1, 0.9, 0.3]],
  ['product:5', 'socks', 8, [0.85, 0.15, 0.05, 0.1]],
];
for (const [key, category, price, v] of products) {
  await db.hset(key, { category, price, embedding: new Float32Array(v) });
}
await db.indexReady('products');

// Shoes under 100, nearest to the query vector first.
const { total, results } = await db.search(
  'products',
  '(@category:{shoes} @price:[-inf (100])=>[KNN 3 @embedding $q AS score]',
  { params: { q: new Float32Array([1, 0, 0, 0]) }, return: ['score', 'price'] },
);
console.log(`${total} results`);
for (const r of results) console.log(r.key, r.score.toFixed(4), r.fields.price);

// The same query as raw FT.SEARCH, exactly as Valkey/Memorystore take it.
const raw = await db.command('FT.SEARCH', 'products', '(@category:{shoes} @price:[-inf (100])=>[KNN 3 @embedding $q AS score]',
  'PARAMS', '2', 'q', new Float32Array([1, 0, 0, 0]), 'RETURN', '1', 'score', 'DIALECT', '2');
console.log(JSON.stringify(raw));
await db.close();
