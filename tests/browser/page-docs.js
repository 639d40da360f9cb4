// page-docs.js - the documents the persistence test pages (idb.html,
// opfs.html) write and check: seeded 32-dimension vectors with a NUMERIC
// field, indexed by HNSW, written in acknowledged batches.

export const DIM = 32;

/** Document i's vector (the same on every run). */
export function vectorOf(i) {
  const v = new Float32Array(DIM);
  for (let d = 0; d < DIM; d++) v[d] = Math.sin(i * 0.37 + d * 1.3) * 10 + (i % 97);
  return v;
}

/**
 * Write doc:from .. doc:to-1 (creating index `idx` first if needed), in
 * batches of 250: one durable journal write per batch, as a pipelining
 * client's writes are.  Returns the number written.
 */
export async function writeDocs(db, from, to) {
  const names = await db.listIndexes();
  if (!names.includes('idx')) {
    await db.createIndex('idx', {
      prefix: 'doc:',
      schema: { v: { type: 'VECTOR', algorithm: 'HNSW', dim: DIM, distance: 'L2' }, n: 'NUMERIC' },
    });
  }
  for (let i = from; i < to; i += 250) {
    const batch = [];
    for (let j = i; j < Math.min(to, i + 250); j++) {
      const v = vectorOf(j);
      batch.push(['HSET', `doc:${j}`, 'v', new Uint8Array(v.buffer), 'n', String(j)]);
    }
    await db.pipeline(batch);
  }
  return to - from;
}

/** The store as the tests compare it: its key count and the 3 nearest of doc:probe. */
export async function stateOf(db, probe) {
  await db.indexReady('idx');
  const res = await db.search('idx', '*=>[KNN 3 @v $q AS d]', { params: { q: vectorOf(probe) }, return: ['d', 'n'] });
  return { dbsize: await db.dbsize(), knn: res.results.map((r) => [r.key, r.score]) };
}
