// quota.test.js - a full storage (a browser's quota): the write that
// meets it gets a clear MISCONF error, later writes are refused while
// reads go on, nothing acknowledged is lost (a copy of the storage opens
// with every acknowledged write), a save that does not fit leaves the
// previous snapshot, and once there is room again the held journal
// records go in and writes are accepted, with no call from the user.
// MemoryStorage's quota follows the storage contract the browser
// storages follow (tests/browser/ checks those against Chromium's own
// quota).  Seeded (the seed is printed).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { open } from '../../js/index.js';
import { MemoryStorage } from '../../js/storage/memory.js';
import { dump, rng } from './helpers.js';

const SEED = Number(process.env.VESSEL_TEST_SEED ?? 20261203);
console.log(`quota: seed ${SEED} (VESSEL_TEST_SEED to change)`);

const FULL = /^MISCONF Errors writing to the AOF file: vessel: the storage is full: the MemoryStorage \(quota \d+ bytes, \d+ used\) could not take \d+ more bytes; nothing was changed; writes are refused until space is freed$/;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A copy of a MemoryStorage's blobs, as a reopen after a crash would find them. */
function copyOf(mem) {
  const c = new MemoryStorage();
  for (const [name, chunks] of mem.blobs) c.blobs.set(name, chunks.map((x) => x.slice()));
  return c;
}

const used = (mem) => [...mem.blobs.values()].flat().reduce((n, c) => n + c.length, 0);

function valueOf(r, i) {
  const n = 1 + Math.floor(r() * 3000);
  const b = new Uint8Array(n);
  for (let j = 0; j < n; j++) b[j] = Math.floor(r() * 256);
  b[0] = i & 255; // never two equal values in a row
  return b;
}

async function openOn(mem, durability) {
  return open({ storage: mem, durability, autosave: false });
}

for (const durability of ['always', 'everysec', 'no']) {
  test(`a full storage refuses writes with a clear error and keeps every acknowledged write (${durability})`, async () => {
    const r = rng(SEED + durability.length);
    const mem = new MemoryStorage();
    const db = await openOn(mem, durability);
    await db.createIndex('i', { prefix: 'k:', schema: { n: 'NUMERIC', t: 'TAG' } });
    for (let i = 0; i < 50; i++) await db.hset(`k:${i}`, { n: String(i), t: 'a', blob: valueOf(r, i) });
    await db.save();
    // Room for a few more writes only.
    mem.quota = used(mem) + 20000 + Math.floor(r() * 20000);
    const acked = new Map();
    let failed = null;
    for (let i = 50; i < 400 && !failed; i++) {
      const v = valueOf(r, i);
      try {
        await db.hset(`k:${i}`, { n: String(i), t: 'b', blob: v });
        acked.set(`k:${i}`, v);
        if (durability !== 'always') await sleep(0); // let the flush run
      } catch (e) {
        failed = e;
      }
    }
    assert.ok(failed, `seed ${SEED}: the quota was never met`);
    assert.match(failed.message, FULL, `seed ${SEED}`);
    // Refused while full, reads go on.
    await assert.rejects(db.hset('k:new', { n: '1' }), (e) => FULL.test(e.message));
    await assert.rejects(db.command('DEL', 'k:1'), (e) => FULL.test(e.message));
    assert.equal(await db.hget('k:3', 'n'), '3');
    const res = await db.search('i', '@n:[0 5]', { limit: [0, 100] });
    assert.equal(res.total, 6);
    assert.match(await db.command('INFO', 'persistence'), /aof_last_write_status:err/);
    // A save does not fit either: refused, the previous snapshot stays.
    const before = JSON.stringify([...mem.blobs.keys()].sort());
    await assert.rejects(db.save(), /the storage is full/);
    assert.equal(JSON.stringify([...mem.blobs.keys()].sort()), before);
    // What a crash now would leave: every acknowledged write (everysec and
    // no acknowledge before the journal: those still in memory are the
    // ones the durability setting allows to lose, and none was synced
    // before this point without being in).
    const crashed = await openOn(copyOf(mem), 'always');
    for (const [key, v] of acked) {
      const got = await crashed.commandBuffer('HGET', key, 'blob');
      if (durability === 'always') assert.deepEqual(got && Buffer.from(got), Buffer.from(v), `seed ${SEED}: ${key}`);
    }
    await crashed.close();
    // Room again: the held records go in within a second or two, writes are accepted.
    mem.quota = Infinity;
    let ok = false;
    for (let t = 0; t < 40 && !ok; t++) {
      await sleep(100);
      ok = await db.hset('k:after', { n: '7', t: 'c' }).then(() => true, () => false);
    }
    assert.ok(ok, 'writes accepted again once there is room');
    assert.match(await db.command('INFO', 'persistence'), /aof_last_write_status:ok/);
    await db.save(); // and saves
    const expected = await dump(db);
    await db.close();
    const again = await openOn(mem, 'always');
    assert.deepEqual(await dump(again), expected, `seed ${SEED}`);
    for (const [key, v] of acked) assert.deepEqual(Buffer.from(await again.commandBuffer('HGET', key, 'blob')), Buffer.from(v));
    await again.close();
  });
}

test('a full storage at a save: the save fails, writes go on while the journal has room', async () => {
  const mem = new MemoryStorage();
  const db = await openOn(mem, 'always');
  for (let i = 0; i < 200; i++) await db.hset(`h:${i}`, { f: 'x'.repeat(500) });
  await db.save();
  const snap = [...mem.blobs.keys()].find((n) => n.startsWith('snapshot-'));
  // Room for the journal, not for a second snapshot beside the first.
  mem.quota = used(mem) + 20000;
  await db.hset('h:one', { f: 'y' });
  await assert.rejects(db.save(), (e) => e.code === 'VESSEL_QUOTA' && /the storage is full/.test(e.message));
  assert.match(await db.command('INFO', 'persistence'), /rdb_last_bgsave_status:err/);
  assert.ok(mem.blobs.has(snap), 'the previous snapshot stays');
  await db.hset('h:two', { f: 'z' }); // the journal still takes writes
  const expected = await dump(db);
  await db.close();
  const again = await openOn(mem, 'always');
  assert.deepEqual(await dump(again), expected);
  await again.close();
});

test('closing a store whose storage is full says so', async () => {
  const mem = new MemoryStorage();
  const db = await openOn(mem, 'everysec');
  await db.hset('a', { f: '1' });
  await db.save();
  mem.quota = used(mem);
  await db.hset('b', { f: '2' }); // acknowledged before the journal (everysec)
  await sleep(20);
  await assert.rejects(db.hset('c', { f: '3' }), (e) => FULL.test(e.message));
  await assert.rejects(db.close(), /the storage is full/);
});

test('a full disk under a file storage (ENOSPC half-way through an append): cut back, refused, then taken', async () => {
  const { mkdtempSync, rmSync, statSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { open: openNode } = await import('../../js/node.js');
  const dir = mkdtempSync(join(tmpdir(), 'vessel-quota-'));
  try {
    const db = await openNode({ dir, durability: 'always', autosave: false });
    await db.hset('a', { f: '1' });
    const journal = db.persister.manifest.journal;
    const handle = db.persister.storage.appenders.get(journal);
    const write = handle.write.bind(handle);
    let diskFull = true;
    // The disk fills half-way through the next append: part of its bytes
    // reach the file before the kernel says ENOSPC.
    handle.write = async (buf, off, len) => {
      if (!diskFull) return write(buf, off, len);
      await write(buf, off, len >> 1);
      const e = new Error('ENOSPC: no space left on device, write');
      e.code = 'ENOSPC';
      throw e;
    };
    const size = statSync(join(dir, journal)).size;
    await assert.rejects(db.hset('b', { f: '2' }), (e) => /^MISCONF Errors writing to the AOF file: vessel: the storage is full: the directory \S+ could not append \d+ bytes to journal-\d+\.aof; nothing was changed \(ENOSPC: no space left on device, write\); writes are refused until space is freed$/.test(e.message));
    assert.equal(statSync(join(dir, journal)).size, size, 'the half-written record was cut');
    await assert.rejects(db.hset('c', { f: '3' }), /MISCONF .*storage is full/);
    diskFull = false;
    let ok = false;
    for (let t = 0; t < 40 && !ok; t++) {
      await sleep(100);
      ok = await db.hset('c', { f: '3' }).then(() => true, () => false);
    }
    assert.ok(ok, 'writes accepted again once the disk has room');
    const expected = await dump(db);
    await db.close();
    const again = await openNode({ dir });
    assert.deepEqual(await dump(again), expected);
    assert.equal(await again.hget('b', 'f'), '2'); // refused, yet in memory: journaled once there was room
    await again.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('everysec: what went in before the storage filled is synced all the same (each second, and at close)', async () => {
  const mem = new MemoryStorage();
  let syncs = 0;
  mem.sync = async () => {
    syncs++;
  };
  const db = await openOn(mem, 'everysec');
  await db.save();
  await sleep(1100);
  const before = syncs;
  await db.hset('w1', { f: '1' }); // acknowledged, appended at once, synced within a second
  await sleep(0);
  mem.quota = used(mem);
  await db.hset('w2', { f: '2' }); // acknowledged; its append meets the full storage
  await sleep(1300);
  assert.ok(syncs > before, 'w1 was synced while the storage stayed full');
  await assert.rejects(db.close(), /the storage is full/);
  const again = await openOn(copyOf(mem), 'always');
  assert.equal(await again.hget('w1', 'f'), '1');
  await again.close();
});

test('a save whose MANIFEST does not fit leaves no file of its own behind', async () => {
  const mem = new MemoryStorage();
  const db = await openOn(mem, 'always');
  for (let i = 0; i < 50; i++) await db.hset(`h:${i}`, { f: 'x'.repeat(300) });
  await db.save();
  await db.hset('h:more', { f: 'y' });
  const before = [...mem.blobs.keys()].sort();
  const write = mem.write.bind(mem);
  mem.write = async (name, chunks) => {
    if (name === 'MANIFEST') {
      const e = new Error('vessel: the storage is full: the test could not write MANIFEST; nothing was changed');
      e.code = 'VESSEL_QUOTA';
      throw e;
    }
    return write(name, chunks);
  };
  await assert.rejects(db.save(), /could not write MANIFEST/);
  assert.deepEqual([...mem.blobs.keys()].sort(), before, 'the failed save took its snapshot and journal away');
  mem.write = write;
  await db.hset('h:after', { f: 'z' });
  const expected = await dump(db);
  await db.close();
  const again = await openOn(mem, 'always');
  assert.deepEqual(await dump(again), expected);
  await again.close();
});

test('a journal still held by a context going away (VESSEL_LOCKED on append): refused, then taken by itself', async () => {
  const mem = new MemoryStorage();
  const db = await openOn(mem, 'always');
  await db.hset('a', { f: '1' });
  const append = mem.append.bind(mem);
  let held = true;
  mem.append = async (name, bytes) => {
    if (held) {
      const e = new Error('vessel: the OPFS store "x" is open in another tab or worker');
      e.code = 'VESSEL_LOCKED';
      throw e;
    }
    return append(name, bytes);
  };
  await assert.rejects(db.hset('b', { f: '2' }), (e) => e.code === 'VESSEL_LOCKED' &&
    /^MISCONF Errors writing to the AOF file: vessel: the OPFS store "x" is open in another tab or worker; writes are refused until the journal can be written$/.test(e.message));
  await assert.rejects(db.hset('c', { f: '3' }), /writes are refused until the journal can be written/);
  held = false;
  let ok = false;
  for (let t = 0; t < 30 && !ok; t++) {
    await sleep(100);
    ok = await db.hset('c', { f: '3' }).then(() => true, () => false);
  }
  assert.ok(ok, 'writes accepted once the journal is free');
  const expected = await dump(db);
  await db.close();
  const again = await openOn(mem, 'always');
  assert.deepEqual(await dump(again), expected);
  await again.close();
});
