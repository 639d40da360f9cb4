// indexeddb.test.js - persistence in real headless Chromium (Debian's
// chromium, driven by playwright-core): a store saved to IndexedDB comes
// back after a reload with every acknowledged write, a second tab gets a
// clear error or a read-only store, and a tab closed in the middle of a
// save leaves a store that opens with all its data.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { HAVE_CHROMIUM, newPage, startBrowser } from './chromium.js';

const skip = !HAVE_CHROMIUM && 'chromium is not installed (make test installs it)';
let env;
let context;
const errors = [];

before(async () => {
  if (skip) return;
  env = await startBrowser();
  context = await env.browser.newContext();
});

after(async () => {
  await env?.close();
});

async function page() {
  const p = await newPage(context, errors);
  await p.goto(`${env.url}tests/browser/idb.html`);
  await p.waitForFunction(() => document.title === 'ready');
  return p;
}

test('a store in IndexedDB survives reloads with every acknowledged write', { skip }, async () => {
  const a = await page();
  await a.evaluate(() => t.destroy());
  const first = await a.evaluate(() => t.open());
  assert.equal(first.build, 'simd');
  assert.equal(first.report.snapshot, null);
  await a.evaluate(() => t.write(0, 400));
  await a.evaluate(() => t.db.save());
  await a.evaluate(() => t.write(400, 500)); // after the snapshot: in the journal
  const expected = await a.evaluate(() => t.state(450));
  assert.equal(expected.dbsize, 500);
  assert.deepEqual(expected.knn[0], ['doc:450', 0]);

  await a.reload(); // no close(): the page just goes away
  await a.waitForFunction(() => document.title === 'ready');
  const again = await a.evaluate(() => t.open());
  assert.match(again.report.snapshot, /^snapshot-/);
  assert.equal(again.report.replayed, 100);
  assert.deepEqual(await a.evaluate(() => t.state(450)), expected);
  await a.close();
  assert.deepEqual(errors, []);
});

test('two tabs: the second gets a clear error, or a read-only store when it asks', { skip }, async () => {
  const a = await page();
  await a.evaluate(() => t.open());
  const b = await page();
  const refused = await b.evaluate(() => t.tryOpen());
  assert.match(refused, /^VESSEL_LOCKED: vessel: the store "e2e" is open in another tab or worker/);
  const ro = await b.evaluate(() => t.tryOpen({ readOnly: 'ifLocked' }));
  assert.equal(ro, 'opened');
  assert.equal(await b.evaluate(() => t.db.readOnly), true);
  assert.equal((await b.evaluate(() => t.state(10))).dbsize, 500);
  assert.equal(await b.evaluate(() => t.tryWrite()), "ReplyError: READONLY You can't write against a read only replica.");
  // The writer goes on meanwhile; closing its tab releases the lock.
  await a.evaluate(() => t.write(500, 510));
  await a.close();
  const c = await page();
  assert.equal(await c.evaluate(() => t.tryOpen()), 'opened');
  assert.equal((await c.evaluate(() => t.state(505))).dbsize, 510);
  await b.close();
  await c.close();
  assert.deepEqual(errors, []);
});

test('a tab closed in the middle of a save leaves a store that opens with all its data', { skip }, async () => {
  let size = 510;
  for (const delayMs of [0, 5, 20, 60]) {
    const a = await page();
    await a.evaluate(() => t.open());
    await a.evaluate(([from, to]) => t.write(from, to), [size, size + 1500]);
    size += 1500;
    await a.evaluate(() => t.save());
    await new Promise((r) => setTimeout(r, delayMs));
    await a.close(); // mid-save (or just after)
    const b = await page();
    await b.evaluate(() => t.open());
    const s = await b.evaluate((n) => t.state(n - 1), size);
    assert.equal(s.dbsize, size, `closed ${delayMs} ms into a save`);
    assert.deepEqual(s.knn[0], [`doc:${size - 1}`, 0]);
    await b.evaluate(() => t.close());
    await b.close();
  }
  const z = await page();
  await z.evaluate(() => t.destroy());
  await z.close();
  assert.deepEqual(errors, []);
});
