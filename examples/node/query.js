// examples/node/query.js - nearest neighbours from a file-backed store
// made by ingest.js.
//
//   node examples/node/query.js --dir ./data --key doc:42 [--k 5] [--filter '@category:{news}'] [--ef 50]
//   node examples/node/query.js --dir ./data --vector '[0.1, 0.2, ...]'
//
// Prints one line per result: key, distance, and the document's other fields.
import { open } from 'vessel';

const argv = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : dflt;
};
const dir = opt('dir');
const index = opt('index', 'idx');
if (!dir || (!opt('key') && !opt('vector'))) {
  console.error('usage: query.js --dir <store> (--key <key> | --vector <json array>) [--index idx] [--k 10] [--filter expr] [--ef n]');
  process.exit(1);
}

// readOnly 'ifLocked': works while another process (an ingest) holds the store.
const db = await open({ dir, readOnly: 'ifLocked', autosave: false });
try {
  let vec;
  if (opt('key')) {
    const bytes = await db.hget(opt('key'), 'vec', { binary: true });
    if (!bytes) throw new Error(`no vector at ${opt('key')}`);
    vec = new Float32Array(bytes.slice().buffer);
  } else {
    vec = Float32Array.from(JSON.parse(opt('vector')));
  }
  const k = Number(opt('k', 10));
  const filter = opt('filter') ? `(${opt('filter')})` : '*';
  const ef = opt('ef') ? ` EF_RUNTIME ${Number(opt('ef'))}` : '';
  const t = performance.now();
  const { total, results } = await db.search(index, `${filter}=>[KNN ${k} @vec $q${ef} AS score]`, { params: { q: vec }, limit: [0, k] });
  const ms = performance.now() - t;
  console.log(`${results.length} of ${total} in ${ms.toFixed(2)} ms`);
  for (const r of results) {
    const rest = Object.entries(r.fields)
      .filter(([f]) => f !== 'vec' && f !== 'score')
      .map(([f, v]) => `${f}=${v instanceof Uint8Array ? `<${v.length} bytes>` : v}`)
      .join(' ');
    console.log(`${r.key}\t${r.score.toFixed(6)}\t${rest}`);
  }
} catch (e) {
  console.error(`query: ${e.message}`);
  process.exitCode = 1;
} finally {
  await db.close();
}
