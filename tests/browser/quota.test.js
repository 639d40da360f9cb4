// quota.test.js - a full browser storage in real Chromium: the origin's
// quota is set small through the DevTools protocol
// (Storage.overrideQuotaForOrigin), a store in a Web Worker is written
// until it is full.  The write that meets the quota gets a clear MISCONF
// error ("the storage is full"), later writes are refused while reads go
// on, a reload finds every acknowledged write, and once the quota is
// raised the store takes writes again by itself.  For IndexedDB and OPFS.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { HAVE_CHROMIUM, newPage, startBrowser } from './chromium.js';

const skip = !HAVE_CHROMIUM && 'chromium is not installed (make test installs it)';
const SIZE = 4000; // bytes per value
const PER = 20; // hashes per acknowledged batch
const QUOTA = 6 << 20; // the origin's quota while full
const MAX_BATCHES = 300; // 24 MB: far past the quota
const FULL = /^ReplyError\|VESSEL_QUOTA\|MISCONF Errors writing to the AOF file: vessel: the storage is full/;
let env;
let context; // one per test: an origin storage (and quota) of its own
let cdp;
let origin;
const errors = [];

before(async () => {
  if (skip) return;
  env = await startBrowser();
  origin = new URL(env.url).origin;
});

after(async () => {
  await env?.close();
});

async function page() {
  const p = await newPage(context, errors);
  await p.goto(`${env.url}tests/browser/quota.html`);
  await p.waitForFunction(() => document.title === 'ready');
  return p;
}

const quota = (bytes) => cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: bytes });

for (const kind of ['indexeddb', 'opfs']) {
  test(`a full ${kind} storage: a clear error, reads go on, nothing acknowledged lost, writes again once there is room`, { skip }, async () => {
    const name = `quota-${kind}`;
    context = await env.browser.newContext();
    const a = await page();
    cdp = await context.newCDPSession(a);
    // A small quota (set before the store opens: Chromium's IndexedDB
    // takes an open database's quota from when it opened), filled within
    // MAX_BATCHES batches.
    await quota(QUOTA);
    const storage = await a.evaluate((d) => t.open(d), { [kind]: name });
    assert.equal(storage?.kind, kind);
    const first = await a.evaluate(([p, s]) => t.fill(0, p, s, 5), [PER, SIZE]);
    assert.equal(first.error, null);
    const filled = await a.evaluate(([from, p, s, max]) => t.fill(from, p, s, max), [first.acked, PER, SIZE, MAX_BATCHES]);
    assert.match(String(filled.error), FULL, 'the write that meets the quota');
    assert.ok(filled.acked > first.acked, 'some writes fit before the quota');
    assert.match(await a.evaluate(() => t.tryWrite()), FULL, 'refused while full');
    assert.deepEqual(await a.evaluate(([n, s]) => t.check(0, n, s), [filled.acked, SIZE]), { good: filled.acked, dbsize: filled.acked + PER });
    assert.match(await a.evaluate(() => t.info()), /aof_last_write_status:err/);

    // A reload (the tab goes away, no close()): every acknowledged write is there.
    await a.reload();
    await a.waitForFunction(() => document.title === 'ready');
    await a.evaluate((d) => t.open(d), { [kind]: name });
    const after = await a.evaluate(([n, s]) => t.check(0, n, s), [filled.acked, SIZE]);
    assert.equal(after.good, filled.acked);
    assert.ok(after.dbsize === filled.acked || after.dbsize === filled.acked + PER, `dbsize ${after.dbsize}`);
    // Still full: refused again; then room: accepted within a few seconds.
    const again = await a.evaluate(([from, p, s, max]) => t.fill(from, p, s, max), [after.dbsize, PER, SIZE, MAX_BATCHES]);
    assert.match(String(again.error), FULL);
    await quota(1 << 30);
    let ok = 'never';
    for (let i = 0; i < 40 && ok !== 'ok'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      ok = await a.evaluate(() => t.tryWrite());
    }
    assert.equal(ok, 'ok', 'writes accepted again once there is room');
    assert.match(await a.evaluate(() => t.info()), /aof_last_write_status:ok/);
    const more = await a.evaluate(([from, p, s]) => t.fill(from, p, s, 3), [again.acked + PER, PER, SIZE]);
    assert.equal(more.error, null);
    await a.evaluate(() => t.db.save());
    await a.evaluate(() => t.close());
    await a.reload();
    await a.waitForFunction(() => document.title === 'ready');
    await a.evaluate((d) => t.open(d), { [kind]: name });
    // Every acknowledged batch (the refused ones may or may not be there).
    for (const [from, to] of [[0, filled.acked], [after.dbsize, again.acked], [again.acked + PER, more.acked]]) {
      assert.equal((await a.evaluate(([f, n, s]) => t.check(f, n, s), [from, to, SIZE])).good, to - from, `k:${from} .. k:${to - 1}`);
    }
    await a.evaluate(() => t.close());
    await a.evaluate(([k, n]) => t.destroy(k, n), [kind, name]);
    await a.close();
    await context.close();
    assert.deepEqual(errors, []);
  });
}
