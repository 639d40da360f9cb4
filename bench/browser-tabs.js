// bench/browser-tabs.js - the many-tabs part of bench/browser.js: one
// store (the 100,000 x 128 snapshot, in OPFS) shared by two pages of one
// Chromium context through js/tabs.js.
//   - first answer: from openShared() to the first search's result, for
//     the first page (it becomes the owner: its worker loads the store)
//     and for a second page (a follower: its calls go to the owner);
//   - round trip: CALLS sequential HGETs, each awaited before the next,
//     in a plain in-thread store (open(), no worker), in the owner page
//     (through its worker) and in the follower page (forwarded to the
//     owner over a BroadcastChannel); the mean per call.

const fmt = (x, d = 0) => x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

/**
 * CALLS sequential calls of `db` (a window property) in `page`: the mean
 * ms per call (a page's clock is coarsened to 0.1 ms: one call is below it).
 */
function roundTrips(page, expr, calls) {
  return page.evaluate(
    async ([expr, calls]) => {
      const db = window[expr];
      const t = performance.now();
      for (let i = 0; i < calls; i++) {
        const v = await db.hget(`doc:${i}`, 'n');
        if (v !== String(i % 1000)) throw new Error(`doc:${i} n = ${v}`);
      }
      return (performance.now() - t) / calls;
    },
    [expr, calls],
  );
}

/** openShared() in `page` and its first KNN answer: { ms, knn, role }. */
function firstAnswer(page, probe) {
  return page.evaluate(async (probe) => {
    const t = performance.now();
    const db = await window.bench.openShared({ storage: { opfs: 'bench-tabs' }, autosave: false });
    const res = await db.command('FT.SEARCH', 'idx', '*=>[KNN 10 @v $q]', 'PARAMS', '2', 'q', new Float32Array(probe), 'NOCONTENT');
    const ms = performance.now() - t;
    window.shared = db;
    return { ms, knn: res.join(','), role: db.role };
  }, probe);
}

export async function run({ context, url, errors, snapshotUrl, probe, expected, calls, newPage }) {
  const open = async () => {
    const p = await newPage(context, errors);
    await p.goto(`${url}bench/browser.html`);
    await p.waitForFunction(() => document.title === 'ready', null, { polling: 25 }); // pages behind get no animation frames
    return p;
  };
  const a = await open();
  await a.evaluate(
    (msg) =>
      new Promise((resolve, reject) => {
        const w = new Worker('/bench/browser-storage-worker.js', { type: 'module' });
        w.onmessage = ({ data }) => {
          w.terminate();
          if (data.error) reject(new Error(data.error));
          else resolve(data);
        };
        w.postMessage(msg);
      }),
    { install: 'bench-tabs', kind: 'opfs', url: snapshotUrl },
  );
  const first = await firstAnswer(a, probe);
  const b = await open();
  const second = await firstAnswer(b, probe);
  if (first.role !== 'owner' || second.role !== 'follower') throw new Error(`roles ${first.role}, ${second.role}`);
  if (first.knn !== expected || second.knn !== expected) throw new Error('a shared store answers differently');

  // A plain in-thread store with the same keys, for the local reference.
  await a.evaluate(async (n) => {
    const { open } = await import('/js/index.js');
    const db = await open();
    const batch = [];
    for (let i = 0; i < n; i++) batch.push(['HSET', `doc:${i}`, 'n', String(i % 1000)]);
    await db.pipeline(batch);
    window.plain = db;
  }, calls);
  const inThread = await roundTrips(a, 'plain', calls);
  const owner = await roundTrips(a, 'shared', calls);
  const follower = await roundTrips(b, 'shared', calls);
  console.log(`\nMany tabs (one store in OPFS, two pages of one Chromium context):`);
  console.log(`- first answer after openShared(): first page (owner, loads the store) ${fmt(first.ms)} ms; ` +
    `second page (follower) ${fmt(second.ms)} ms`);
  console.log(`- HGET round trip, mean of ${fmt(calls)} sequential calls: in-thread store ${fmt(inThread * 1000)} µs; ` +
    `owner page, through its worker ${fmt(owner * 1000)} µs; follower page, forwarded to the owner ${fmt(follower * 1000)} µs ` +
    `(${fmt(follower / owner, 1)}x the owner's)`);
  await b.evaluate(() => window.shared.close());
  await a.evaluate(() => window.shared.close());
  await b.close();
  await a.close();
}
