// opfs-fake.test.js - OPFSStorage (js/storage/opfs.js) over an in-memory
// fake of the OPFS API that can fail, crash or run out of quota at any
// call.  For every operation (write, append in both modes, a new segment,
// truncate, delete) and every call it makes: an error leaves the blob as
// it was (or, when the operation resolved, as it should be now); a crash
// (the process gone, unflushed bytes lost) leaves the old blob or the whole
// new one, and a reopened storage's removeTemporary() leaves only current
// files; a full quota throws VESSEL_QUOTA with the blob unchanged and the
// space it wrote freed.  The fake follows Chromium where it matters:
// getFile() works while another context holds a sync access handle,
// createWritable() writes a swap file moved in on close, sync
// write() returns 4294967288 instead of throwing when over quota.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OPFSStorage } from '../../js/storage/opfs.js';

class Fault extends Error {
  constructor(what) {
    super(`injected failure at ${what}`);
    this.name = 'InjectedError';
  }
}
const domError = (name, message) => Object.assign(new Error(message), { name });

/** The fake file system: one root of directories of files; counts and fails calls. */
class FakeFS {
  constructor() {
    this.dirs = new Map(); // dir name -> Map file name -> { live, durable, locked }
    this.calls = 0;
    this.failAt = 0; // the call number that fails (0: none)
    this.how = 'error'; // 'error' | 'crash'
    this.crashed = false;
    this.quota = Infinity;
    this.swap = 0; // bytes held by open writables
    this.log = [];
  }

  step(what) {
    if (this.crashed) throw new Fault(`${what} after the crash`);
    this.calls++;
    this.log.push(what);
    if (this.calls === this.failAt) {
      if (this.how === 'crash') this.crashed = true;
      throw new Fault(what);
    }
  }

  used() {
    let n = this.swap;
    for (const d of this.dirs.values()) for (const f of d.values()) n += f.live.length;
    return n;
  }

  /** The browser restarts: unflushed bytes are gone, every handle released. */
  recover() {
    for (const d of this.dirs.values()) {
      for (const f of d.values()) {
        f.live = f.durable.slice();
        f.locked = false;
      }
    }
    this.crashed = false;
    this.failAt = 0;
    this.swap = 0;
  }

  root() {
    return new FakeDir(this, null);
  }

  snapshot(dir) {
    const d = this.dirs.get(dir);
    return d ? Object.fromEntries([...d].map(([n, f]) => [n, Buffer.from(f.live).toString('hex')])) : {};
  }
}

class FakeDir {
  constructor(fs, name) {
    this.fs = fs;
    this.name = name;
    this.kind = 'directory';
  }

  get files() {
    return this.fs.dirs.get(this.name);
  }

  async getDirectoryHandle(name, { create = false } = {}) {
    this.fs.step('getDirectoryHandle');
    if (!this.fs.dirs.has(name)) {
      if (!create) throw domError('NotFoundError', `no directory ${name}`);
      this.fs.dirs.set(name, new Map());
    }
    return new FakeDir(this.fs, name);
  }

  async getFileHandle(name, { create = false } = {}) {
    this.fs.step(`getFileHandle ${name}`);
    if (!this.files.has(name)) {
      if (!create) throw domError('NotFoundError', `no file ${name}`);
      this.files.set(name, { live: new Uint8Array(0), durable: new Uint8Array(0), locked: false });
    }
    return new FakeFile(this, name);
  }

  async removeEntry(name, { recursive = false } = {}) {
    this.fs.step(`removeEntry ${name}`);
    if (this.name === null) {
      if (!this.fs.dirs.has(name)) throw domError('NotFoundError', name);
      if (!recursive && this.fs.dirs.get(name).size) throw domError('InvalidModificationError', name);
      this.fs.dirs.delete(name);
      return;
    }
    const f = this.files.get(name);
    if (!f) throw domError('NotFoundError', name);
    if (f.locked) throw domError('NoModificationAllowedError', name);
    this.files.delete(name);
  }

  async *entries() {
    this.fs.step('entries');
    const names = this.name === null ? [...this.fs.dirs.keys()] : [...this.files.keys()];
    for (const n of names) yield [n, this.name === null ? new FakeDir(this.fs, n) : new FakeFile(this, n)];
  }
}

class FakeFile {
  constructor(dir, name) {
    this.dir = dir;
    this.fs = dir.fs;
    this.name = name;
    this.kind = 'file';
  }

  node() {
    const f = this.dir.files.get(this.name);
    if (!f) throw domError('NotFoundError', `no file ${this.name}`);
    return f;
  }

  async getFile() {
    this.fs.step(`getFile ${this.name}`);
    return new Blob([this.node().live.slice()]); // a snapshot of the file, as a File is
  }

  async move(to) {
    this.fs.step(`move ${this.name} ${to}`);
    const f = this.node();
    if (f.locked) throw domError('NoModificationAllowedError', this.name);
    this.dir.files.delete(this.name);
    this.dir.files.set(to, f); // a rename: durable at once, replaces `to`
    this.name = to;
  }

  async createWritable({ keepExistingData = false } = {}) {
    this.fs.step(`createWritable ${this.name}`);
    const f = this.node();
    if (f.locked) throw domError('NoModificationAllowedError', this.name);
    const fs = this.fs;
    let buf = keepExistingData ? f.live.slice() : new Uint8Array(0);
    let pos = 0;
    let open = true;
    const resize = (n) => {
      if (fs.used() - buf.length + n > fs.quota) throw domError('QuotaExceededError', 'over quota');
      const b = new Uint8Array(n);
      b.set(buf.subarray(0, Math.min(n, buf.length)));
      fs.swap += n - buf.length;
      buf = b;
    };
    fs.swap += buf.length;
    const end = () => {
      open = false;
      fs.swap -= buf.length;
    };
    return {
      write: async (arg) => {
        fs.step(`writable.write ${this.name}`);
        const { data, position } = arg instanceof Uint8Array ? { data: arg, position: pos } : { ...arg, position: arg.position ?? pos };
        if (position + data.length > buf.length) resize(position + data.length);
        buf.set(data, position);
        pos = position + data.length;
      },
      truncate: async (n) => {
        fs.step(`writable.truncate ${this.name}`);
        resize(n);
      },
      close: async () => {
        fs.step(`writable.close ${this.name}`);
        const node = this.node();
        end();
        node.live = buf;
        node.durable = buf.slice(); // the swap file moved in
      },
      abort: async () => {
        if (open) end();
      },
    };
  }

  async createSyncAccessHandle() {
    this.fs.step(`createSyncAccessHandle ${this.name}`);
    const f = this.node();
    if (f.locked) throw domError('NoModificationAllowedError', 'Access Handles cannot be created if there is another open Access Handle');
    f.locked = true;
    const fs = this.fs;
    let closed = false;
    const live = () => {
      if (closed) throw domError('InvalidStateError', 'closed');
      return f;
    };
    return {
      write: (data, { at }) => {
        fs.step(`handle.write ${this.name}`);
        const n = live();
        const end = at + data.length;
        const grow = Math.max(0, end - n.live.length);
        const room = fs.quota - fs.used();
        const fits = grow <= room;
        const len = fits ? data.length : Math.max(0, Math.min(data.length, n.live.length + room - at));
        if (at + len > n.live.length) {
          const b = new Uint8Array(at + len);
          b.set(n.live);
          n.live = b;
        }
        n.live.set(data.subarray(0, len), at);
        return fits ? data.length : 4294967288; // Chromium: -8 as uint32, part of the bytes written
      },
      read: (buf, { at }) => {
        fs.step(`handle.read ${this.name}`);
        const src = live().live.subarray(at, at + buf.length);
        buf.set(src);
        return src.length;
      },
      getSize: () => live().live.length,
      truncate: (n) => {
        fs.step(`handle.truncate ${this.name}`);
        const node = live();
        if (n > node.live.length && n - node.live.length > fs.quota - fs.used()) throw domError('QuotaExceededError', 'over quota');
        const b = new Uint8Array(n);
        b.set(node.live.subarray(0, n));
        node.live = b;
      },
      flush: () => {
        fs.step(`handle.flush ${this.name}`);
        const node = live();
        node.durable = node.live.slice();
      },
      close: () => {
        if (closed) return;
        closed = true;
        f.locked = false;
      },
    };
  }
}

const bytes = (n, seed) => Uint8Array.from({ length: n }, (_, i) => (i * 7 + seed) & 255);
const cat = (...parts) => Buffer.concat(parts.map((p) => Buffer.from(p)));

async function content(s, name) {
  const src = await s.read(name);
  if (!src) return null;
  const parts = [];
  for await (const c of src) parts.push(Buffer.from(c));
  return Buffer.concat(parts);
}

const noLocks = { request: (n, o, fn) => Promise.resolve(fn({ name: n })) };
const storage = (fs, sync) => new OPFSStorage('s', { root: fs.root(), sync, locks: noLocks });

/**
 * The operations under test: setup builds a state (no faults), op changes
 * it; old and new are the blob's bytes before and after.
 */
const BIG = 300 << 10; // above the async segment size: the next async append writes a segment
const OPS = [
  {
    what: 'write over a blob',
    setup: async (s) => {
      await s.write('b', [bytes(1000, 1)]);
      await s.append('b', bytes(50, 2));
    },
    op: (s) => s.write('b', [bytes(3000, 3), bytes(2000, 4)]),
    old: cat(bytes(1000, 1), bytes(50, 2)),
    new: cat(bytes(3000, 3), bytes(2000, 4)),
  },
  {
    what: 'write a new blob',
    setup: async () => {},
    op: (s) => s.write('b', [bytes(1500, 5)]),
    old: null,
    new: cat(bytes(1500, 5)),
  },
  {
    what: 'append to a blob (and sync)',
    setup: async (s) => s.write('b', [bytes(700, 6)]),
    op: async (s) => {
      await s.append('b', bytes(300, 7));
      s.appended = true; // a failed sync() may leave the appended bytes (as fsync may)
      await s.sync('b');
    },
    old: cat(bytes(700, 6)),
    new: cat(bytes(700, 6), bytes(300, 7)),
  },
  {
    what: 'append creating the blob',
    setup: async () => {},
    op: async (s) => {
      await s.append('b', bytes(300, 8));
      s.appended = true;
      await s.sync('b');
    },
    old: null,
    new: cat(bytes(300, 8)),
  },
  {
    what: 'append after a large file (async: a new segment)',
    setup: async (s) => s.write('b', [bytes(BIG, 9)]),
    op: async (s) => {
      await s.append('b', bytes(400, 10));
      s.appended = true;
      await s.sync('b');
    },
    old: cat(bytes(BIG, 9)),
    new: cat(bytes(BIG, 9), bytes(400, 10)),
  },
  {
    what: 'truncate',
    setup: async (s) => {
      await s.write('b', [bytes(BIG, 11)]);
      await s.append('b', bytes(900, 12));
    },
    op: (s) => s.truncate('b', BIG + 100),
    old: cat(bytes(BIG, 11), bytes(900, 12)),
    new: cat(bytes(BIG, 11), bytes(100, 12)),
  },
  {
    what: 'delete',
    setup: async (s) => {
      await s.write('b', [bytes(BIG, 13)]);
      await s.append('b', bytes(900, 14));
    },
    op: (s) => s.delete('b'),
    old: cat(bytes(BIG, 13), bytes(900, 14)),
    new: null,
  },
];

const same = (got, want) => (got === null || want === null ? got === want : Buffer.compare(got, want) === 0);

/** A fresh file system with the operation's starting state, durable, its storage closed. */
async function prepared(o, sync) {
  const fs = new FakeFS();
  const s = storage(fs, sync);
  await o.setup(s);
  await s.write('other', [bytes(10, 99)]); // a bystander blob that no operation may touch
  await s.sync();
  await s.close();
  return fs;
}

async function checkReopened(fs, sync, want, label) {
  const s = storage(fs, sync);
  const got = await content(s, 'b');
  assert.ok(want.some((w) => same(got, w)), `${label}: the blob is ${got ? `${got.length} bytes` : 'absent'}, none of the expected states`);
  assert.ok(same(await content(s, 'other'), cat(bytes(10, 99))), `${label}: the bystander blob changed`);
  await s.removeTemporary();
  const files = Object.keys(fs.snapshot('vessel-s')).sort();
  const names = (await s.list()).sort();
  assert.deepEqual(names, got ? ['b', 'other'] : ['other'], label);
  assert.ok(files.every((f) => /^(b|other)~\d+(~\d+)?$/.test(f)), `${label}: leftovers ${files}`);
  assert.equal(got ? got.length : null, await s.size('b'), label);
  await s.close();
  return got;
}

for (const sync of [true, false]) {
  const mode = sync ? 'sync' : 'async';
  for (const o of OPS) {
    test(`${mode} ${o.what}: an error or a crash at every call leaves the old blob or the whole new one`, async () => {
      // A dry run counts the calls the operation makes.
      const dry = await prepared(o, sync);
      const before = dry.calls;
      const s0 = storage(dry, sync);
      await s0.list(); // the directory scan is part of every first call
      const scanned = dry.calls;
      await o.op(s0);
      const total = dry.calls - scanned;
      assert.ok(same(await content(s0, 'b'), o.new), 'the operation without faults');
      await s0.close();
      assert.ok(total >= 1, `${total} calls`);
      for (let k = 1; k <= total; k++) {
        for (const how of ['error', 'crash']) {
          const fs = await prepared(o, sync);
          assert.equal(fs.calls, before);
          const s = storage(fs, sync);
          await s.list();
          fs.failAt = fs.calls + k;
          fs.how = how;
          let ok = true;
          try {
            await o.op(s);
          } catch (e) {
            ok = false;
            assert.equal(e.name, 'InjectedError', `call ${k} (${fs.log[fs.failAt - 1]}): ${e.stack}`);
          }
          const label = `${mode} ${o.what}, ${how} at call ${k} of ${total} (${fs.log[fs.failAt - 1]})`;
          if (how === 'error') {
            // The same storage goes on: it sees the outcome the promise gave.
            const got = await content(s, 'b').catch(() => 'unreadable');
            const want = ok ? [o.new] : s.appended ? [o.old, o.new] : [o.old];
            assert.ok(want.some((w) => same(got, w)), `${label}: ${ok ? 'resolved' : 'rejected'}, then read ${got?.length}`);
            await s.close();
            fs.recover();
            await checkReopened(fs, sync, ok ? [o.new] : want, label);
          } else {
            fs.recover(); // no close: the tab is gone
            await checkReopened(fs, sync, ok ? [o.new] : [o.old, o.new], label);
          }
        }
      }
    });
  }

  test(`${mode}: a full quota gives VESSEL_QUOTA, keeps every blob, frees what was written`, async () => {
    for (const o of OPS.filter((x) => x.what !== 'delete')) {
      const fs = await prepared(o, sync);
      const s = storage(fs, sync);
      await s.list();
      const used = fs.used();
      const snap = fs.snapshot('vessel-s');
      fs.quota = used + 100; // less than any of the operations adds
      let err = null;
      try {
        await o.op(s);
      } catch (e) {
        err = e;
      }
      assert.ok(err, `${o.what}: refused`);
      assert.equal(err.code, 'VESSEL_QUOTA', `${o.what}: ${err.stack}`);
      assert.equal(err.name, 'QuotaExceededError');
      assert.match(err.message, /^vessel: the storage is full: the OPFS store "s" could not .*; nothing was changed/);
      assert.ok(same(await content(s, 'b'), o.old), `${o.what}: the blob as it was`);
      assert.equal(fs.used(), used, `${o.what}: the space it wrote is freed`);
      await s.sync();
      await s.close();
      assert.deepEqual(fs.snapshot('vessel-s'), snap, `${o.what}: the files as they were`);
      fs.recover(); // and the same after a restart
      fs.quota = Infinity;
      await checkReopened(fs, sync, [o.old], o.what);
      // With room again, it works.
      const s2 = storage(fs, sync);
      await o.op(s2);
      assert.ok(same(await content(s2, 'b'), o.new), `${o.what}: after the quota was raised`);
      await s2.close();
    }
  });
}

test('sync access handles held by a closing context are waited for, then refused with VESSEL_LOCKED', async () => {
  const fs = new FakeFS();
  const s = storage(fs, true);
  await s.write('j', [bytes(10, 1)]);
  await s.append('j', bytes(5, 2)); // holds j's handle
  const other = storage(fs, true);
  const t0 = Date.now();
  await assert.rejects(other.append('j', bytes(5, 3)), (e) => {
    assert.equal(e.code, 'VESSEL_LOCKED');
    assert.match(e.message, /^vessel: the OPFS store "s" is open in another tab or worker \(its file j~1 stayed held for 2 s\)/);
    return true;
  });
  assert.ok(Date.now() - t0 >= 1900, 'retried for about 2 s');
  // Released meanwhile: the second one gets it.
  const waiting = other.append('j', bytes(5, 4));
  setTimeout(() => s.close(), 100);
  await waiting;
  await other.sync('j');
  assert.ok(same(await content(other, 'j'), cat(bytes(10, 1), bytes(5, 2), bytes(5, 4))));
  await other.close();
});

test('blob names, store names and the store directory', async () => {
  const fs = new FakeFS();
  const root = fs.root();
  assert.throws(() => new OPFSStorage(''), /needs a store name/);
  const s = new OPFSStorage('a b/ü', { root, locks: noLocks });
  await assert.rejects(s.write('x~1', []), /bad blob name/);
  await assert.rejects(s.append('../x', bytes(1, 1)), /bad blob name/);
  assert.equal(await OPFSStorage.exists('a b/ü', { root }), false);
  await s.write('MANIFEST', [bytes(3, 1)]);
  assert.deepEqual([...fs.dirs.keys()], ['vessel-a%20b%2F%C3%BC']);
  assert.equal(await OPFSStorage.exists('a b/ü', { root }), true);
  assert.equal(await OPFSStorage.exists('other', { root }), false);
  await s.close();
  await OPFSStorage.destroy('a b/ü', { root });
  assert.equal(fs.dirs.size, 0);
  await OPFSStorage.destroy('a b/ü', { root }); // gone already: fine
});
