// demo.test.js - the browser demo end to end, in Debian's Chromium driven
// by playwright-core: first visit (import, indexing with progress), digit
// search (nearest first, mostly the same label), a label filter, document
// search with a tag filter, the keyboard, a reload that comes back from
// IndexedDB with the same answers, a narrow screen, and no console errors.
// Screenshots of each state go to test-output/e2e/.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { HAVE_CHROMIUM, newPage, startBrowser } from '../browser/chromium.js';

const skip = !HAVE_CHROMIUM && 'chromium is not installed (make test installs it)';
const shots = new URL('../../test-output/e2e/', import.meta.url).pathname;
const store = `e2e-${process.pid}`;
let env;
let context;
const errors = [];

before(async () => {
  if (skip) return;
  mkdirSync(shots, { recursive: true });
  env = await startBrowser();
  context = await env.browser.newContext({ viewport: { width: 1280, height: 900 } });
});

after(async () => {
  await env?.close();
});

async function openDemo(page) {
  await page.goto(`${env.url}demo/?store=${store}`);
  await page.waitForFunction(() => window.demo?.ready, null, { timeout: 90000 });
  await page.evaluate(() => window.demo.ready);
}

const hits = (page) => page.$$eval('#hits li', (lis) => lis.map((li) => ({ ...li.dataset })));

/** Run `act`, then wait until the page has shown one more search's results. */
async function searched(page, act) {
  const n = await page.evaluate(() => window.demo.searches);
  await act();
  await page.waitForFunction((c) => window.demo.searches > c, n);
}

async function clickAndWait(page, selector, from) {
  await searched(page, () => page.click(selector));
  if (from) assert.equal(await page.evaluate(() => window.demo.lastSearch.from), from);
}

let firstVisit;

test('first visit: imports, indexes with progress, and searches digits', { skip }, async () => {
  const page = await newPage(context, errors);
  await openDemo(page);
  await page.screenshot({ path: `${shots}01-first-visit.png`, fullPage: true });
  const d = await page.evaluate(() => ({ source: window.demo.source, t: window.demo.timings, first: window.demo.lastSearch }));
  assert.equal(d.source, 'import');
  assert.match(await page.textContent('#status'), /Imported and indexed in .* saved to IndexedDB/);
  assert.equal((await page.$$('#grid button')).length, 60);
  firstVisit = d.first;

  // Click a digit: nearest first, distances ascending, mostly its label.
  const btn = await page.$('#grid button:nth-child(7)');
  const key = await btn.getAttribute('data-key');
  const label = await btn.getAttribute('data-label');
  await clickAndWait(page, '#grid button:nth-child(7)', key);
  const r = await hits(page);
  assert.equal(r.length, 10);
  assert.equal(r[0].key, key);
  assert.equal(Number(r[0].score), 0);
  for (let i = 1; i < r.length; i++) assert.ok(Number(r[i].score) >= Number(r[i - 1].score), 'ascending distances');
  assert.ok(r.filter((x) => x.label === label).length >= 7, `most results are ${label}s`);
  assert.match(await page.textContent('#latency'), /10 of \d+ in [\d.]+ ms \(HNSW\)/);
  const cmd = await page.textContent('#cmd');
  assert.match(cmd, /^FT\.SEARCH digits "\*=>\[KNN 10 @vec \$q EF_RUNTIME 10 AS score\]" PARAMS 2 q "(\\x[0-9a-f]{2}|[^"\\])+" RETURN 3 score label vec LIMIT 0 10 DIALECT 2$/);
  await page.screenshot({ path: `${shots}02-digit-search.png`, fullPage: true });

  // A label filter: every result has that label.
  const other = label === '3' ? '8' : '3';
  await page.check(`#digit-filters input[value="${other}"]`);
  await clickAndWait(page, '#grid button:nth-child(7)', key);
  const f = await hits(page);
  assert.equal(f.length, 10);
  assert.ok(f.every((x) => x.label === other), 'every result has the filtered label');
  assert.match(await page.textContent('#cmd'), new RegExp(`"\\(@label:\\{${other}\\}\\)=>\\[KNN 10`));
  await page.screenshot({ path: `${shots}03-label-filter.png`, fullPage: true });
  await page.uncheck(`#digit-filters input[value="${other}"]`);

  // The keyboard: Tab to a digit and press Enter.
  await page.focus('#grid button:nth-child(2)');
  const key2 = await page.getAttribute('#grid button:nth-child(2)', 'data-key');
  await searched(page, () => page.keyboard.press('Enter'));
  assert.equal(await page.evaluate(() => window.demo.lastSearch.from), key2);

  // Drawing on the pad searches too.
  const box = await (await page.$('#pad')).boundingBox();
  await searched(page, async () => {
    await page.mouse.move(box.x + 140, box.y + 50);
    await page.mouse.down();
    await page.mouse.move(box.x + 140, box.y + 150, { steps: 8 });
    await page.mouse.move(box.x + 140, box.y + 240, { steps: 8 });
    await page.mouse.up();
  });
  assert.equal(await page.evaluate(() => window.demo.lastSearch.from), 'drawing');
  assert.equal((await hits(page)).length, 10);
  await page.screenshot({ path: `${shots}04-drawing.png`, fullPage: true });
  await page.close();
});

test('documents: more like this, with a tag filter', { skip }, async () => {
  const page = await newPage(context, errors);
  await openDemo(page);
  await page.click('#tab-docs');
  assert.equal(await page.getAttribute('#tab-docs', 'aria-selected'), 'true');
  await page.fill('#tags', 'annotations');
  const first = await page.getAttribute('#doc-list li:first-child button', 'data-key');
  await clickAndWait(page, '#doc-list li:first-child button', first);
  const r = await hits(page);
  assert.ok(r.length > 0);
  assert.ok(r.every((x) => x.tags.split(',').includes('annotations')), 'every result is tagged annotations');
  assert.ok(r.every((x) => x.key !== first), 'the document itself is left out');
  for (let i = 1; i < r.length; i++) assert.ok(Number(r[i].score) >= Number(r[i - 1].score));
  assert.match(await page.textContent('#cmd'), /^FT\.SEARCH docs "\(@tags:\{annotations\}\)=>\[KNN 11 @vec/);
  await page.screenshot({ path: `${shots}05-documents.png`, fullPage: true });
  // Rebuild the documents' index as FLAT: same data, exact answers.
  await page.selectOption('#algo', 'FLAT');
  await page.click('#rebuild');
  await page.waitForFunction(() => /Rebuilt docs as FLAT .* saved/.test(document.getElementById('status').textContent), null, { timeout: 60000 });
  await clickAndWait(page, '#doc-list li:first-child button', first);
  assert.match(await page.textContent('#latency'), /\(FLAT\)/);
  await page.close();
});

test('a reload comes back from IndexedDB with the same answers, no re-import', { skip }, async () => {
  const page = await newPage(context, errors);
  await openDemo(page);
  const d = await page.evaluate(() => ({ source: window.demo.source, first: window.demo.lastSearch }));
  assert.equal(d.source, 'snapshot');
  assert.match(await page.textContent('#status'), /Reopened from IndexedDB: snapshot of [\d.]+ MB loaded in [\d,]+ ms/); // a locale's thousands separator past 999 ms
  assert.deepEqual(d.first.results, firstVisit.results);
  // The FLAT documents index chosen before the reload is what came back.
  await page.click('#tab-docs');
  assert.equal(await page.inputValue('#algo'), 'FLAT');
  await page.screenshot({ path: `${shots}06-after-reload.png`, fullPage: true });
  await page.close();
});

test('a narrow screen, and no console errors anywhere', { skip }, async () => {
  const narrow = await env.browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const page = await newPage(narrow, errors);
  await openDemo(page);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `no horizontal scrolling (${overflow}px)`);
  await page.screenshot({ path: `${shots}07-narrow.png`, fullPage: true });
  // Reset: the store is deleted and the page imports again.
  await Promise.all([page.waitForNavigation(), page.click('#reset')]);
  await page.waitForFunction(() => window.demo?.ready, null, { timeout: 90000 });
  await page.evaluate(() => window.demo.ready);
  assert.equal(await page.evaluate(() => window.demo.source), 'import');
  await page.evaluate(async () => {
    await window.demo.db.close();
    const { IndexedDBStorage } = await import('/js/storage/indexeddb.js');
    await IndexedDBStorage.destroy(new URLSearchParams(location.search).get('store'));
  });
  await narrow.close();
  assert.deepEqual(errors, []);
});
