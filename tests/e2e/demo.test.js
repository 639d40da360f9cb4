// demo.test.js - the browser demo end to end, in Debian's Chromium driven
// by playwright-core: first visit (import, indexing with progress), digit
// search (nearest first, mostly the same label), a label filter, document
// search with a tag filter, full-text search of the documents (keyword,
// vector and FT.HYBRID columns, matched words highlighted, phrases and
// prefixes, filters on all three), the keyboard, a reload that comes back
// from OPFS with the same answers, a narrow screen where the columns
// stack, two tabs sharing the store (a write in either shows in the
// other, the other takes over when the owner's tab closes), and no
// console errors.
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
  await page.waitForFunction(() => window.demo?.ready, null, { timeout: 90000, polling: 25 });
  await page.evaluate(() => window.demo.ready);
}

const hits = (page, list = '#hits') => page.$$eval(`${list} li`, (lis) => lis.map((li) => ({ ...li.dataset })));
/** A documents column's hits with the words marked in each. */
const column = (page, id) => page.$$eval(`#${id}-hits li`, (lis) => lis.map((li) => ({
  ...li.dataset,
  marks: [...li.querySelectorAll('mark')].map((m) => m.textContent),
  titleMarks: [...li.querySelectorAll('.doc-title mark')].map((m) => m.textContent),
})));

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
  assert.match(await page.textContent('#status'), /Imported and indexed in .* saved to OPFS/);
  assert.equal(await page.evaluate(() => window.demo.role), 'owner');
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
  // FT.AGGREGATE's vote of the 10 nearest other digits: the digit's own label wins.
  const vote = await page.evaluate(() => window.demo.lastVote);
  assert.equal(vote.reduce((a, v) => a + v.votes, 0), 10);
  assert.equal(vote[0].label, label);
  for (let i = 1; i < vote.length; i++) assert.ok(vote[i].votes <= vote[i - 1].votes, 'most votes first');
  assert.match(await page.textContent('#vote'), new RegExp(`^The 10 nearest vote ${label}: ${label} ×${vote[0].votes}`));
  assert.match(await page.textContent('#cmd-vote'), /^FT\.AGGREGATE digits "\*=>\[KNN 11 @vec \$q EF_RUNTIME 10 AS score\]" LOAD 3 @__key @label @score FILTER "@__key != \$self" LIMIT 0 10 GROUPBY 1 @label REDUCE COUNT 0 AS votes REDUCE MIN 1 @score AS nearest SORTBY 3 @votes DESC @nearest MAX 10 PARAMS 4 q ".+" self "digit:\d+" DIALECT 2$/);
  await page.screenshot({ path: `${shots}02-digit-search.png`, fullPage: true });

  // A label filter: every result has that label.
  const other = label === '3' ? '8' : '3';
  await page.check(`#digit-filters input[value="${other}"]`);
  await clickAndWait(page, '#grid button:nth-child(7)', key);
  const f = await hits(page);
  assert.equal(f.length, 10);
  assert.ok(f.every((x) => x.label === other), 'every result has the filtered label');
  assert.deepEqual((await page.evaluate(() => window.demo.lastVote)).map((v) => [v.label, v.votes]), [[other, 10]]);
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
  const r = await hits(page, '#vec-hits');
  assert.ok(r.length > 0);
  assert.match(await page.textContent('#vec-source'), /“more like this” of doc:\d+/);
  assert.equal((await hits(page, '#kw-hits')).length, 0, 'no words: no keyword results');
  assert.ok(r.every((x) => x.tags.split(',').includes('annotations')), 'every result is tagged annotations');
  assert.ok(r.every((x) => x.key !== first), 'the document itself is left out');
  for (let i = 1; i < r.length; i++) assert.ok(Number(r[i].score) >= Number(r[i - 1].score));
  assert.match(await page.textContent('#cmd-vec'), /^FT\.SEARCH docs "\(@tags:\{annotations\}\)=>\[KNN 11 @vec/);
  await page.screenshot({ path: `${shots}05-documents.png`, fullPage: true });
  // Rebuild the documents' index as FLAT: same data, exact answers.
  await page.selectOption('#algo', 'FLAT');
  await page.click('#rebuild');
  await page.waitForFunction(() => /Rebuilt docs as FLAT .* saved/.test(document.getElementById('status').textContent), null, { timeout: 60000 });
  await clickAndWait(page, '#doc-list li:first-child button', first);
  assert.match(await page.textContent('#col-vec .col-info'), /\(FLAT\)/);
  await page.close();
});

/**
 * Run `act`, then wait until the page shows the documents search started
 * last (a filter's change event may start one more before it).
 */
async function docsSearched(page, act) {
  const n = await page.evaluate(() => window.demo.docRun ?? 0);
  await act();
  await page.waitForFunction((c) => window.demo.docRun > c && window.demo.docsShown === window.demo.docRun, n);
}

/** Type words in the documents' search box and press Enter. */
async function searchWords(page, words) {
  await page.fill('#doc-query', words);
  await docsSearched(page, () => page.press('#doc-query', 'Enter'));
  assert.equal(await page.evaluate(() => window.demo.lastDocs.text), words);
}

const startsWithAll = (marks, prefix) => marks.length > 0 && marks.every((m) => m.toLowerCase().startsWith(prefix));

test('documents: words in three columns (keyword BM25, vector, FT.HYBRID), matches highlighted', { skip }, async () => {
  const page = await newPage(context, errors);
  await openDemo(page);
  await page.click('#tab-docs');
  const k = 10;

  // A word: the three columns fill; the keyword column best first, its
  // hits holding the word (or a word of the same stem) in a <mark>.
  await searchWords(page, 'deploy');
  const kw = await column(page, 'kw');
  const vec = await column(page, 'vec');
  const hyb = await column(page, 'hyb');
  assert.equal(kw.length, k, 'keyword results');
  assert.equal(vec.length, k, 'vector results');
  assert.equal(hyb.length, k, 'hybrid results');
  assert.ok(startsWithAll(kw[0].marks, 'deploy'), `first keyword hit marks "deploy…": ${kw[0].marks}`);
  assert.ok(kw.every((x) => x.marks.some((m) => /^deploy/i.test(m))), 'every keyword hit shows a matched word');
  assert.ok(kw[0].titleMarks.length > 0, 'the first hit has the word in its title (WEIGHT 2)');
  for (let i = 1; i < kw.length; i++) assert.ok(Number(kw[i].score) <= Number(kw[i - 1].score), 'BM25 scores descending');
  assert.ok(Number(kw[k - 1].score) > 0);
  for (let i = 1; i < vec.length; i++) assert.ok(Number(vec[i].score) >= Number(vec[i - 1].score), 'distances ascending');
  for (let i = 1; i < hyb.length; i++) assert.ok(Number(hyb[i].score) <= Number(hyb[i - 1].score), 'RRF scores descending');
  // Fused by RRF (constant 60): a document in both columns scores
  // 1/(60 + rank) twice (the index is FLAT since the test above, so the
  // hybrid's KNN ranks are the vector column's).
  assert.equal(await page.inputValue('#algo'), 'FLAT');
  const rank = (list, key) => list.findIndex((x) => x.key === key) + 1;
  let both = 0;
  for (const h of hyb) {
    const [a, b] = [rank(kw, h.key), rank(vec, h.key)];
    if (!a || !b) continue;
    both++;
    assert.ok(Math.abs(Number(h.score) - (1 / (60 + a) + 1 / (60 + b))) < 1e-6, `RRF score of ${h.key}`);
  }
  assert.ok(both > 0, 'some documents are in both the keyword and the vector columns');
  // The vector side: pseudo-relevance feedback from the top 3 keyword hits, said so.
  assert.match(await page.textContent('#vec-source'), /no embedding model.*mean of the embeddings of the keyword search's top 3 hits/s);
  assert.match(await page.textContent('#vec-source'), new RegExp(kw.slice(0, 3).map((x) => x.key).join(', ')));
  // The commands.
  await page.click('#cmd-box summary');
  assert.equal(await page.textContent('#cmd-kw'),
    'FT.SEARCH docs "deploy" WITHSCORES RETURN 5 title category tags words text LIMIT 0 10 DIALECT 2');
  assert.match(await page.textContent('#cmd-vec'), /^FT\.SEARCH docs "\*=>\[KNN 10 @vec \$q AS score\]" PARAMS 2 q "/);
  assert.match(await page.textContent('#cmd-hyb'),
    /^FT\.HYBRID docs SEARCH "deploy" VSIM @vec \$q KNN 2 K 20 COMBINE RRF 4 CONSTANT 60 WINDOW 20 LOAD 7 @__key @__score @title @category @tags @words @text LIMIT 0 10 PARAMS 2 q "(\\x[0-9a-f]{2}|\\["\\]|[^"\\])+"$/);
  await page.screenshot({ path: `${shots}06-words.png`, fullPage: true });

  // A phrase: both words, marked.
  await searchWords(page, '"fiori elements"');
  const phrase = await column(page, 'kw');
  assert.equal(phrase.length, k);
  for (const x of phrase) {
    const m = x.marks.map((w) => w.toLowerCase());
    assert.ok(m.includes('fiori') && m.some((w) => w.startsWith('element')), `${x.key} marks both words: ${m}`);
  }
  assert.match(await page.textContent('#cmd-kw'), /^FT\.SEARCH docs "\\"fiori elements\\"" WITHSCORES/);
  assert.ok((await column(page, 'hyb')).length > 0);

  // A prefix: every marked word starts with it.
  await searchWords(page, 'annot*');
  const prefix = await column(page, 'kw');
  assert.equal(prefix.length, k);
  assert.ok(prefix.every((x) => startsWithAll(x.marks, 'annot')), 'marks start with "annot"');
  await page.screenshot({ path: `${shots}07-prefix.png`, fullPage: true });

  // A word no document has: no keyword hits, so no vector either.
  await searchWords(page, 'zzyzx');
  assert.equal((await column(page, 'kw')).length, 0);
  assert.match(await page.textContent('#col-kw .col-info'), /^0 of 0 /);
  assert.equal((await column(page, 'hyb')).length, 0);

  // The TAG filter applies to all three columns.
  await page.fill('#tags', 'deployment');
  await searchWords(page, 'configuration');
  for (const id of ['kw', 'vec', 'hyb']) {
    const r = await column(page, id);
    assert.ok(r.length > 0, `${id} results with the filter`);
    assert.ok(r.every((x) => x.tags.split(',').includes('deployment')), `every ${id} result is tagged deployment`);
  }
  assert.match(await page.textContent('#cmd-kw'), /^FT\.SEARCH docs "\(configuration\) \(@tags:\{deployment\}\)" WITHSCORES/);
  assert.match(await page.textContent('#cmd-hyb'), /FILTER "\(@tags:\{deployment\}\)" COMBINE RRF/);

  // A picked document is the vector side ("more like this"), words kept.
  await page.fill('#tags', '');
  await page.fill('#doc-find', 'deploy');
  const pick = await page.getAttribute('#doc-list li:first-child button', 'data-key');
  await docsSearched(page, () => page.click('#doc-list li:first-child button'));
  assert.equal(await page.evaluate(() => window.demo.lastDocs.from), pick);
  assert.match(await page.textContent('#vec-source'), new RegExp(`“more like this” of ${pick}`));
  assert.ok((await column(page, 'vec')).every((x) => x.key !== pick));
  assert.ok((await column(page, 'kw')).length > 0 && (await column(page, 'hyb')).length > 0);
  // Forget it: back to the keyword hits' mean, by keyboard.
  await page.focus('#unpick');
  await docsSearched(page, () => page.keyboard.press('Enter'));
  assert.match(await page.textContent('#vec-source'), /top 3 hits/);
  await page.close();
});

test('a reload comes back from OPFS with the same answers, no re-import', { skip }, async () => {
  const page = await newPage(context, errors);
  await openDemo(page);
  const d = await page.evaluate(() => ({ source: window.demo.source, first: window.demo.lastSearch }));
  assert.equal(d.source, 'snapshot');
  assert.match(await page.textContent('#status'), /Reopened from OPFS: snapshot of [\d.]+ MB loaded in [\d,]+ ms/); // a locale's thousands separator past 999 ms
  assert.deepEqual(d.first.results, firstVisit.results);
  // The FLAT documents index chosen before the reload is what came back.
  await page.click('#tab-docs');
  assert.equal(await page.inputValue('#algo'), 'FLAT');
  await page.screenshot({ path: `${shots}08-after-reload.png`, fullPage: true });
  await page.close();
});

/** Strokes, as points in the pad's [0, 1] square. */
const ONE = Array.from({ length: 11 }, (_, i) => [0.5 - i * 0.01, 0.15 + i * 0.07]);
const SEVEN = [[0.25, 0.2], [0.5, 0.2], [0.75, 0.2], [0.65, 0.45], [0.55, 0.65], [0.45, 0.85]];

/** Clear the page's pad, draw `stroke`, choose `label`, add it to the store: the new key. */
async function addDrawing(page, label, stroke) {
  await page.click('#pad-clear');
  const box = await (await page.$('#pad')).boundingBox();
  const at = ([x, y]) => [box.x + box.width * x, box.y + box.height * y];
  await page.mouse.move(...at(stroke[0]));
  await page.mouse.down();
  for (const p of stroke.slice(1)) await page.mouse.move(...at(p), { steps: 3 });
  await page.mouse.up();
  await page.selectOption('#pad-label', label);
  const n = await page.evaluate(() => window.demo.added);
  await page.click('#pad-add');
  await page.waitForFunction((c) => window.demo.added > c, n, { polling: 25 });
  return page.evaluate(() => window.demo.lastSearch.from);
}

test('two tabs share the store: a write in either shows in the other; the other takes over when the owner closes', { skip }, async () => {
  const a = await newPage(context, errors);
  const b = await newPage(context, errors);
  try {
    await twoTabs(a, b);
  } finally {
    // Whatever happened, no page of this test stays to own the store.
    if (!a.isClosed()) await a.close();
    if (!b.isClosed()) await b.close();
  }
});

async function twoTabs(a, b) {
  await openDemo(a);
  await openDemo(b);
  assert.equal(await a.evaluate(() => window.demo.role), 'owner');
  assert.equal(await b.evaluate(() => window.demo.role), 'follower');
  assert.equal(await b.evaluate(() => window.demo.source), 'another tab');
  assert.match(await b.textContent('#tab-role'), /Another tab owns the store/);
  assert.match(await b.textContent('#store-info'), /store “e2e-\d+” in OPFS \(sync access\)/);
  assert.match(await b.textContent('#storage-info'), /Storage: [\d.,]+ MiB used of this site's [\d.,]+ MiB quota/);
  // The follower answers as the owner does.
  assert.deepEqual(await b.evaluate(() => window.demo.lastSearch.results), await a.evaluate(() => window.demo.lastSearch.results));
  const keys = await b.evaluate(() => window.demo.keys);

  // A drawing added in the owner's tab shows in the follower's (its key count, and a search finds it).
  const key = await addDrawing(a, '1', ONE);
  assert.match(key, /^digit:u:/);
  await b.waitForFunction((n) => window.demo.keys === n + 1, keys, { polling: 25 });
  // (HNSW is approximate at EF_RUNTIME 10: the new digit is read back, not looked for by rank.)
  assert.deepEqual(await b.evaluate((k) => window.demo.db.hmget(k, ['label', 'ink']), key), ['1', await a.evaluate((k) => window.demo.db.hget(k, 'ink'), key)]);
  assert.match(await b.textContent('#store-info'), new RegExp(`^${(keys + 1).toLocaleString('en-US')} keys`));
  // And one added in the follower's tab shows in the owner's.
  const key2 = await addDrawing(b, '7', SEVEN);
  await a.waitForFunction((n) => window.demo.keys === n + 2, keys, { polling: 25 });
  assert.equal(await a.evaluate((k) => window.demo.db.hget(k, 'label'), key2), '7');
  await a.screenshot({ path: `${shots}08b-two-tabs-owner.png`, fullPage: true });
  await b.screenshot({ path: `${shots}08c-two-tabs-follower.png`, fullPage: true });

  // The owner's tab closes: the other takes the store over and keeps writing.
  await a.close();
  await b.waitForFunction(() => window.demo.role === 'owner', null, { polling: 25, timeout: 30000 });
  assert.match(await b.textContent('#status'), /The tab that owned the store closed: this tab took it over from OPFS/);
  assert.match(await b.textContent('#tab-role'), /This tab owns the store/);
  const key3 = await addDrawing(b, '1', ONE);
  await b.waitForFunction((n) => window.demo.keys === n + 3, keys, { polling: 25 });
  // Leave the store as the later tests expect it.
  await b.evaluate((ks) => window.demo.db.del(...ks), [key, key2, key3]);
  await b.evaluate(() => window.demo.db.save());
}

test('a narrow screen, and no console errors anywhere', { skip }, async () => {
  // The store the earlier tests saved opens from OPFS (the import
  // itself is tested above, and again by the reset below).
  const page = await newPage(context, errors);
  await page.setViewportSize({ width: 390, height: 844 });
  await openDemo(page);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `no horizontal scrolling (${overflow}px)`);
  await page.screenshot({ path: `${shots}09-narrow.png`, fullPage: true });
  // The documents' three columns stack.
  await page.click('#tab-docs');
  await searchWords(page, 'launchpad');
  const boxes = await Promise.all(['#col-kw', '#col-vec', '#col-hyb'].map(async (s) => (await page.$(s)).boundingBox()));
  assert.ok(boxes[0].x === boxes[1].x && boxes[1].x === boxes[2].x, 'one column under the other');
  assert.ok(boxes[0].y < boxes[1].y && boxes[1].y < boxes[2].y);
  const overflow2 = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow2 <= 0, `no horizontal scrolling with results (${overflow2}px)`);
  await page.screenshot({ path: `${shots}10-narrow-words.png`, fullPage: true });
  // Reset: the store is deleted and the page imports again.
  await Promise.all([page.waitForNavigation(), page.click('#reset')]);
  await page.waitForFunction(() => window.demo?.ready, null, { timeout: 90000 });
  await page.evaluate(() => window.demo.ready);
  assert.equal(await page.evaluate(() => window.demo.source), 'import');
  await page.evaluate(async () => {
    await window.demo.db.close();
    const { OPFSStorage } = await import('/js/storage/opfs.js');
    await OPFSStorage.destroy(new URLSearchParams(location.search).get('store'));
  });
  await page.close();
  assert.deepEqual(errors, []);
});
