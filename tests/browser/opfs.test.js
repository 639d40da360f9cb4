// opfs.test.js - OPFS storage in real headless Chromium (Debian's
// chromium, driven by playwright-core): a store in a Web Worker (sync
// access handles) and on the page (the asynchronous API) survives reloads
// with every acknowledged write; a tab closed in the middle of a save
// leaves a store that opens with all its data; { browser } picks OPFS, or
// IndexedDB when an IndexedDB store of that name holds data; a second tab
// gets VESSEL_LOCKED or a read-only store; a full storage (a small quota
// forced over CDP) refuses appends and writes with VESSEL_QUOTA, keeps
// every blob as it was, frees what it wrote, and works again once there is
// room; damaged files are refused with the reason and nothing deleted.
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

async function page(ctx = context) {
  const p = await newPage(ctx, errors);
  await p.goto(`${env.url}tests/browser/opfs.html`);
  await p.waitForFunction(() => document.title === 'ready');
  return p;
}

async function reload(p) {
  await p.reload(); // no close(): the page just goes away
  await p.waitForFunction(() => document.title === 'ready');
}

test('a store in OPFS (worker: sync handles; page: async API) survives reloads with every acknowledged write', { skip }, async () => {
  const a = await page();
  await a.evaluate(() => Promise.all([t.destroy('w'), t.destroy('p')]));
  for (const [name, how, mode] of [['w', 'openW', 'sync'], ['p', 'openA', 'async']]) {
    const first = await a.evaluate(([h, n]) => t[h](h === 'openW' ? { opfs: n } : n), [how, name]);
    if (how === 'openW') {
      assert.deepEqual(first.storage, { kind: 'opfs', mode: 'sync', why: 'asked for OPFS' });
      assert.deepEqual(first.report.storage, first.storage);
    } else {
      assert.equal(first.mode, mode);
    }
    assert.equal(first.report.snapshot, null);
    await a.evaluate(() => t.write(0, 400));
    await a.evaluate(() => t.db.save());
    await a.evaluate(() => t.write(400, 3400)); // after the snapshot: in the journal (async: ~600 KB, in segments)
    const expected = await a.evaluate(() => t.state(1350));
    assert.equal(expected.dbsize, 3400);
    assert.deepEqual(expected.knn[0], ['doc:1350', 0]);

    await reload(a);
    const again = await a.evaluate(([h, n]) => t[h](h === 'openW' ? { opfs: n } : n), [how, name]);
    assert.match(again.report.snapshot, /^snapshot-/, name);
    assert.equal(again.report.replayed, 3000, name); // the writes after the snapshot
    assert.deepEqual(await a.evaluate(() => t.state(1350)), expected, name);
    const files = await a.evaluate((n) => t.files(n), name);
    // One generation per blob once open; async appends went to segments.
    const names = Object.keys(files).sort();
    assert.ok(names.every((f) => /^(MANIFEST|snapshot-\d+\.vsnap|journal-\d+\.aof)~\d+(~\d+)?$/.test(f)), names.join());
    if (mode === 'async') assert.ok(names.some((f) => /^journal-.*~\d+~\d+$/.test(f)), `segments: ${names.join()}`);
    else assert.ok(!names.some((f) => /~\d+~\d+$/.test(f)), names.join());
    await a.evaluate(() => t.close());
  }
  await a.close();
  assert.deepEqual(errors, []);
});

test('a tab closed in the middle of a save leaves a store that opens with all its data', { skip }, async () => {
  const p = await page();
  await p.evaluate(() => t.destroy('crash'));
  await p.close();
  let size = 0;
  for (const delayMs of [0, 5, 20, 60]) {
    const a = await page();
    await a.evaluate(() => t.openW({ opfs: 'crash' }));
    await a.evaluate(([from, to]) => t.write(from, to), [size, size + 1500]);
    size += 1500;
    await a.evaluate(() => t.save());
    await new Promise((r) => setTimeout(r, delayMs));
    await a.close(); // mid-save (or just after): the worker dies with its handles open
    const b = await page();
    const opened = await b.evaluate(() => t.openW({ opfs: 'crash' })); // handles are retried while released
    assert.equal(opened.storage.kind, 'opfs');
    const s = await b.evaluate((n) => t.state(n - 1), size);
    assert.equal(s.dbsize, size, `closed ${delayMs} ms into a save`);
    assert.deepEqual(s.knn[0], [`doc:${size - 1}`, 0]);
    await b.evaluate(() => t.close());
    const files = Object.keys(await b.evaluate(() => t.files('crash')));
    assert.ok(!files.some((f) => f.endsWith('.tmp') || f.endsWith('.crswap')), `no leftovers: ${files.join()}`);
    await b.close();
  }
  assert.deepEqual(errors, []);
});

test('{ browser } picks OPFS and says so, or IndexedDB when an IndexedDB store of that name holds data', { skip }, async () => {
  const a = await page();
  await a.evaluate(() => Promise.all([t.destroy('auto'), t.destroy('legacy')]));
  const auto = await a.evaluate(() => t.openW({ browser: 'auto' }));
  assert.deepEqual(auto.storage, { kind: 'opfs', mode: 'sync', why: 'OPFS with sync access handles is available here' });
  await a.evaluate(() => t.write(0, 10));
  await a.evaluate(() => t.close());
  const again = await a.evaluate(() => t.openW({ browser: 'auto' }));
  assert.equal(again.storage.why, 'an OPFS store of this name exists');
  await a.evaluate(() => t.close());
  // An IndexedDB store made before OPFS was used: kept where its data is.
  await a.evaluate(() => t.openIDB('legacy'));
  await a.evaluate(() => t.write(0, 20));
  await a.evaluate(() => t.close());
  const legacy = await a.evaluate(() => t.openW({ browser: 'legacy' }));
  assert.deepEqual(legacy.storage, { kind: 'indexeddb', why: 'an IndexedDB store of this name holds data (no OPFS store of this name exists)' });
  assert.equal((await a.evaluate(() => t.state(5))).dbsize, 20);
  await a.evaluate(() => t.close());
  assert.equal(await a.evaluate(() => t.syncAvailableHere()), false); // the page itself: async only
  // Unknown descriptions: a clear TypeError, nothing opened.
  const bad = await a.evaluate(() => t.tryOpen('openW', { opfs: 'x', indexeddb: 'y' }));
  assert.match(bad, /storage must be \{ opfs: 'name' \}, \{ indexeddb: 'name' \}, \{ browser: 'name' \} or 'memory'/);
  assert.match(await a.evaluate(() => t.tryOpen('openW', { files: 'x' })), /got \{"files":"x"\}/);
  const mem = await a.evaluate(() => t.openW('memory'));
  assert.deepEqual(mem.storage, { kind: 'memory', why: "asked for 'memory'" });
  await a.evaluate(() => t.close());
  await a.evaluate(() => Promise.all([t.destroy('auto'), t.destroy('legacy')]));
  await a.close();
  assert.deepEqual(errors, []);
});

test('two tabs: the second gets VESSEL_LOCKED, or a read-only store when it asks', { skip }, async () => {
  const a = await page();
  await a.evaluate(() => t.destroy('two'));
  await a.evaluate(() => t.openW({ opfs: 'two' }));
  await a.evaluate(() => t.write(0, 300));
  const b = await page();
  const refused = await b.evaluate(() => t.tryOpen('openW', { opfs: 'two' }));
  assert.match(refused, /^VESSEL_LOCKED: vessel: the store "two" is open in another tab or worker/);
  const ro = await b.evaluate(() => t.tryOpen('openW', { opfs: 'two' }, { readOnly: 'ifLocked' }));
  assert.equal(ro, 'opened');
  assert.equal(await b.evaluate(() => t.db.readOnly), true);
  assert.equal((await b.evaluate(() => t.state(10))).dbsize, 300); // read while the writer holds its handles
  // The page's async mode is refused the same way.
  assert.match(await b.evaluate(() => t.tryOpen('openA', 'two')), /^VESSEL_LOCKED: /);
  await a.evaluate(() => t.write(300, 310));
  await a.close();
  const c = await page();
  assert.equal(await c.evaluate(() => t.tryOpen('openW', { opfs: 'two' })), 'opened');
  assert.equal((await c.evaluate(() => t.state(305))).dbsize, 310);
  await c.evaluate(() => t.close());
  await c.evaluate(() => t.destroy('two'));
  await b.close();
  await c.close();
  assert.deepEqual(errors, []);
});

test('a full storage: VESSEL_QUOTA, blobs as they were, space freed, usable again with room', { skip }, async () => {
  const ctx = await env.browser.newContext(); // its own origin storage: a quota of its own
  const a = await page(ctx);
  const origin = new URL(env.url).origin;
  const cdp = await ctx.newCDPSession(a);
  const usage = await a.evaluate(async () => (await navigator.storage.estimate()).usage);
  const setQuota = (bytes) => cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: bytes });
  await setQuota(usage + (8 << 20));
  for (const [name, fill, after] of [['qw', 'quotaInWorker', 'quotaAfterInWorker'], ['qp', 'quotaHere', 'quotaAfterHere']]) {
    await a.evaluate((n) => t.destroy(n), name);
    const r = await a.evaluate(([f, n]) => t[f](n), [fill, name]);
    assert.equal(r.mode, name === 'qw' ? 'sync' : 'async');
    // Chromium's sync write() over quota: no exception, a count of 4294967288.
    if (r.mode === 'sync') assert.match(r.appendError.message, /\(a write of \d+ bytes wrote 4294967288\)$/);
    for (const e of [r.bigWrite, r.appendError, r.freshAppend]) {
      assert.equal(e.code, 'VESSEL_QUOTA', JSON.stringify(r));
      assert.equal(e.name, 'QuotaExceededError');
      assert.match(e.message, new RegExp(`^vessel: the storage is full: the OPFS store "${name}" could not .*; nothing was changed`));
    }
    assert.equal(r.keepAfterBigWrite, 'same');
    assert.equal(r.keepSize, 100000);
    assert.equal(r.roomWrite, 'ok', 'the failed write freed its bytes');
    // The failed 64 MiB write had filled the 8 MiB of room; it freed it all.
    assert.ok(r.journalSize > 5 << 20, `${r.journalSize} bytes appended before full`);
    assert.equal(r.journal, 'same', 'the journal holds exactly the acknowledged appends');
    assert.equal(r.journalSize, r.wantSize);
    assert.equal(r.freshSize, null, 'a blob a failed append would have created is not there');
    assert.deepEqual(r.list, ['journal', 'keep', 'room']);
    await setQuota(usage + (1 << 30));
    const b = await a.evaluate(([f, n]) => t[f](n), [after, name]);
    assert.equal(b.journalSize, r.wantSize);
    assert.equal(b.journalAfter, r.wantSize + 300000);
    assert.equal(b.big, 4 << 20);
    assert.ok(b.files.every((f) => /^(journal|keep|room|big)~\d+(~\d+)?$/.test(f)), b.files.join());
    await a.evaluate((n) => t.destroy(n), name);
    await setQuota(usage + (8 << 20));
  }
  // IndexedDBStorage keeps the same contract (a failed write's chunks deleted at once).
  await a.evaluate(() => t.destroy('qi'));
  const r = await a.evaluate(() => t.quotaIDB('qi'));
  for (const e of [r.bigWrite, r.appendError, r.freshAppend]) {
    assert.equal(e.code, 'VESSEL_QUOTA', JSON.stringify(r));
    assert.match(e.message, /^vessel: the storage is full: the IndexedDB store "qi" could not .*; nothing was changed/);
  }
  assert.equal(r.keepAfterBigWrite, 'same');
  assert.equal(r.roomWrite, 'ok');
  assert.ok(r.journalSize > 4 << 20, `${r.journalSize} bytes appended before full`);
  assert.equal(r.journal, 'same');
  assert.equal(r.freshSize, null);
  assert.deepEqual(r.list, ['journal', 'keep', 'room']);
  await setQuota(usage + (1 << 30));
  const ri = await a.evaluate(() => t.quotaAfterIDB('qi'));
  assert.equal(ri.journalAfter, r.wantSize + 300000);
  assert.equal(ri.big, 4 << 20);
  await a.evaluate(() => t.destroy('qi'));
  await setQuota(usage + (8 << 20));

  // Through a store in a worker (persistence's side: js/persistence.js): the
  // write that meets the full storage is refused with the storage's error,
  // its record held; with room again the held record goes in by itself and
  // writes are accepted; reopened, the store holds all of them.
  await a.evaluate(() => t.destroy('qs'));
  await a.evaluate(() => t.openW({ opfs: 'qs' }));
  const full = await a.evaluate(() => t.writeUntilFull(0, 2000));
  assert.ok(full.written > 10 && full.error, JSON.stringify(full).slice(0, 300));
  assert.equal(full.error.code, 'VESSEL_QUOTA');
  assert.match(full.error.message, /the storage is full: the OPFS store "qs" could not append \d+ bytes to journal-\d+\.aof; nothing was changed/);
  await setQuota(usage + (1 << 30));
  let after;
  for (let i = 0; i < 40 && after !== 'ok'; i++) {
    after = await a.evaluate(() => t.tryHset('after'));
    if (after !== 'ok') await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(after, 'ok', 'writes are accepted again once there is room');
  await a.evaluate(() => t.close());
  await a.evaluate(() => t.openW({ opfs: 'qs' }));
  assert.equal(await a.evaluate(() => t.db.dbsize()), full.written + 2, 'the acknowledged writes, the held one, the one after');
  await a.evaluate(() => t.close());
  await a.evaluate(() => t.destroy('qs'));
  await ctx.close();
  assert.deepEqual(errors, []);
});

test('damaged files are refused with the reason, and nothing is deleted', { skip }, async () => {
  const a = await page();
  const setup = async () => {
    await a.evaluate(() => t.destroy('dmg'));
    await a.evaluate(() => t.openW({ opfs: 'dmg' }));
    await a.evaluate(() => t.write(0, 300));
    await a.evaluate(() => t.db.save());
    await a.evaluate(() => t.write(300, 320));
    await a.evaluate(() => t.close());
    return a.evaluate(() => t.files('dmg'));
  };
  const cases = [
    ['snapshot', 'truncate', /^VESSEL_DAMAGED: vessel: snapshot-000002\.vsnap: Bad snapshot.*nothing was changed on disk/],
    ['snapshot', 'flip', /^VESSEL_DAMAGED: vessel: snapshot-000002\.vsnap: Bad snapshot: checksum mismatch.*nothing was changed on disk/],
    ['MANIFEST', 'remove', /^VESSEL_DAMAGED: vessel: the MANIFEST is missing but the storage holds .*snapshot-000002\.vsnap/],
  ];
  for (const [which, how, want] of cases) {
    const before = await setup();
    const fname = Object.keys(before).find((f) => f.startsWith(which));
    const size = await a.evaluate(([f, h, at]) => t.damage('dmg', f, h, at), [fname, how, Math.floor(before[fname] / 2)]);
    assert.equal(size, before[fname]);
    const expectFiles = { ...before };
    if (how === 'remove') delete expectFiles[fname];
    else if (how === 'truncate') expectFiles[fname] = Math.floor(size / 2);
    assert.match(await a.evaluate(() => t.tryOpen('openW', { opfs: 'dmg' })), want, `${which} ${how}`);
    assert.deepEqual(await a.evaluate(() => t.files('dmg')), expectFiles, `${which} ${how}: nothing deleted`);
    assert.match(await a.evaluate(() => t.tryOpen('openA', 'dmg')), want, `${which} ${how} (async mode)`);
    assert.deepEqual(await a.evaluate(() => t.files('dmg')), expectFiles);
  }
  await a.evaluate(() => t.destroy('dmg'));
  await a.close();
  assert.deepEqual(errors, []);
});
