// examples/node/vectors.js - vectors in a smaller type (FLOAT16 here; also
// BFLOAT16, INT8, UINT8), a range query combined with a TAG filter and
// sorted by the distance it yields, and a KNN, as in the README.
import { open, vectorBytes, vectorValues } from 'vessel';

const db = await open();
await db.createIndex('places', {
  prefix: 'place:',
  schema: {
    kind: { type: 'TAG' },
    pos: { type: 'VECTOR', algorithm: 'HNSW', dataType: 'FLOAT16', dim: 2, distance: 'L2' },
  },
});
const places = [
  ['cafe', [0.5, 0.5]], ['park', [1, 1]], ['cafe', [2, 0]], ['cafe', [0.25, -0.5]], ['park', [-3, 3]],
];
for (const [i, [kind, pos]] of places.entries()) {
  // Two bytes per component: half the memory of FLOAT32.
  await db.hset(`place:${i + 1}`, { kind, pos: vectorBytes(pos, 'FLOAT16') });
}
await db.indexReady('places');
const here = vectorBytes([0, 0], 'FLOAT16');

// Cafes within squared distance 1.5 of here, nearest first.
const near = await db.search('places', '@kind:{cafe} @pos:[VECTOR_RANGE 1.5 $here]=>{$YIELD_DISTANCE_AS: dist}', {
  params: { here },
  return: ['dist'],
  sortBy: 'dist',
});
for (const r of near.results) console.log(`cafe ${r.key} at ${r.fields.dist}`);

// The two nearest of any kind, with their positions decoded.
const knn = await db.search('places', '*=>[KNN 2 @pos $here AS d]', { params: { here }, return: ['d', 'pos'], vectors: true });
for (const r of knn.results) console.log(`nearest ${r.key} d=${r.score} pos=${[...r.fields.pos].join(',')}`);

// What the hash holds is the bytes written, decoded here.
console.log('place:2', [...vectorValues(await db.hget('place:2', 'pos', { binary: true }), 'FLOAT16')].join(','));
await db.close();
