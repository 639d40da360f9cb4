// examples/node/hashes.js - store and read hashes with Vessel under Node.js.
//
//   make example        (or: node examples/node/hashes.js after `make`)
import { open } from 'vessel';

const db = await open();
console.log(`Vessel ${db.build} build`);

// Hashes: any fields; a Float32Array is stored as its little-endian bytes.
await db.hset('doc:1', { title: 'Vessel', lang: 'C', stars: 42, vec: new Float32Array([0.1, 0.2, 0.3]) });
await db.hset('doc:2', { title: 'Redis', lang: 'C', stars: 60000 });
await db.command('HINCRBY', 'doc:1', 'stars', 1);

console.log('doc:1 title =', await db.hget('doc:1', 'title'));
const doc = await db.hgetall('doc:1', { binary: true });
console.log('doc:1 stars =', new TextDecoder().decode(doc.stars));
console.log('doc:1 vec   =', Array.from(new Float32Array(doc.vec.buffer, doc.vec.byteOffset, 3)));

for await (const key of db.scan({ match: 'doc:*' })) {
  console.log('scan:', key, (await db.command('HLEN', key)) + ' fields');
}
try {
  await db.command('GET', 'doc:1');
} catch (e) {
  console.log('error reply:', e.message);
}
console.log('keys:', await db.dbsize(), ' engine memory:', db.usedMemory(), 'bytes');
await db.close();
