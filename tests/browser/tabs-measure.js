// tabs-measure.js - figures for a shared store (js/tabs.js) in headless
// Chromium, not a test: the round trip of an hget forwarded from another
// tab against one made by the owner tab (through its worker) and one on
// an in-thread store, and the time from a second tab's openShared() to
// its first search answer (follower: an owner is there; owner: it opens
// the store from IndexedDB itself).
//
//   NODE_PATH=/usr/share/nodejs node tests/browser/tabs-measure.js [docs] [indexeddb|opfs|browser]
import { startBrowser } from './chromium.js';

const DOCS = Number(process.argv[2] ?? 10000);
const KIND = process.argv[3] ?? 'indexeddb';
const CALLS = 3000;
const env = await startBrowser();
const context = await env.browser.newContext();
async function page() {
  const p = await context.newPage();
  p.on('pageerror', (e) => console.error(String(e)));
  await p.goto(`${env.url}tests/browser/tabs.html`);
  await p.waitForFunction(() => document.title === 'ready', null, { polling: 25 });
  return p;
}
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

const a = await page();
await a.evaluate(() => t.destroy('tabs-measure'));
await a.evaluate((k) => t.open('tabs-measure', k), KIND);
await a.evaluate(() => t.createIndex());
for (let i = 0; i < DOCS; i += 1000) await a.evaluate(([from, n]) => t.write(`m${from}`, from, n), [i, Math.min(1000, DOCS - i)]);
await a.evaluate(() => t.db.save());

const follower = [];
const firstAsFollower = [];
for (let r = 0; r < 5; r++) {
  const b = await page();
  firstAsFollower.push(await b.evaluate((k) => t.firstSearch('tabs-measure', k), KIND));
  follower.push(await b.evaluate((n) => t.timeHget(n), CALLS));
  await b.close();
}
const owner = await a.evaluate((n) => t.timeHget(n), CALLS);
const inThread = await a.evaluate((n) => t.timeHget(n, true), CALLS);
await a.evaluate(() => t.close());
await a.close();
const firstAsOwner = [];
for (let r = 0; r < 3; r++) {
  const c = await page();
  firstAsOwner.push(await c.evaluate((k) => t.firstSearch('tabs-measure', k), KIND));
  await c.evaluate(() => t.close());
  await c.close();
}
await env.close();

const ms = (xs) => `${median(xs.map((x) => x.ms)).toFixed(1)} ms (median of ${xs.length}; roles ${[...new Set(xs.map((x) => x.role))]})`;
console.log(`store: ${DOCS} docs, 16-dim FLAT index, storage { ${KIND} }`);
console.log(`hget round trip: in-thread ${inThread.toFixed(1)} us, owner tab (its worker) ${owner.toFixed(1)} us, forwarded from another tab ${median(follower).toFixed(1)} us (median of ${follower.length} tabs, mean of ${CALLS} calls each)`);
console.log(`second tab, openShared() to first KNN answer: as a follower ${ms(firstAsFollower)}; as the owner (store opened from storage) ${ms(firstAsOwner)}`);
