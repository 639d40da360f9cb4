// The shared store's protocol (js/tabs.js) in Node: tabs are SharedVessel
// objects in one process, talking over Node's BroadcastChannel, electing
// with an in-process stand-in for the Web Locks API, each owner's store in
// a worker thread running js/worker.js.  Checked: forwarding with errors
// of the same class and text, change and role events, a crashed owner
// (reads resent, writes rejected VESSEL_OWNER_LOST), a closing owner
// (nothing lost), and a follower gone in the middle of an RDB export (the
// owner's store takes writes again).
import assert from 'node:assert/strict';
import test from 'node:test';
import { nodeWorker } from './fixtures/node-worker.js';
import { open } from '../../js/index.js';
import { openShared, sharedKey } from '../../js/tabs.js';
import { openWorker, ReplyError } from '../../js/worker-client.js';

/** Web Locks in one process: exclusive locks granted in request order; a client can crash (losing its locks). */
class Locks {
  queues = new Map(); // name -> [{ client, cb, resolve, reject, held }]
  client() {
    const locks = this;
    const mine = new Set();
    return {
      request(name, opts, cb) {
        if (typeof opts === 'function') [opts, cb] = [{}, opts];
        return new Promise((resolve, reject) => {
          const q = locks.queues.get(name) ?? [];
          locks.queues.set(name, q);
          if (opts.ifAvailable && q.length) {
            Promise.resolve(cb(null)).then(resolve, reject);
            return;
          }
          const r = { cb, resolve, reject, held: false, owner: mine };
          q.push(r);
          mine.add(r);
          opts.signal?.addEventListener('abort', () => {
            if (r.held || !q.includes(r)) return;
            q.splice(q.indexOf(r), 1);
            mine.delete(r);
            reject(Object.assign(new Error('aborted'), { name: 'AbortError' }));
          });
          locks.grant(name);
        });
      },
      /** The tab is gone: its locks are released, its requests dropped. */
      crash() {
        for (const r of mine) {
          const [name, q] = [...locks.queues].find(([, q]) => q.includes(r)) ?? [];
          if (!q) continue;
          q.splice(q.indexOf(r), 1);
          locks.grant(name);
        }
        mine.clear();
      },
    };
  }
  grant(name) {
    const q = this.queues.get(name);
    const r = q[0];
    if (!r || r.held) return;
    r.held = true;
    Promise.resolve()
      .then(() => r.cb({ name }))
      .then(r.resolve, r.reject)
      .finally(() => {
        if (!q.includes(r)) return; // crashed meanwhile
        q.splice(q.indexOf(r), 1);
        r.owner.delete(r);
        this.grant(name);
      });
  }
}

/** A tab: its locks client, its channel, its worker when it owns; crash() ends it without a word. */
const ran = []; // [store name, method] of every call a tab's worker ran

async function tab(locks, name) {
  const t = { locks: locks.client(), channels: [], workers: [] };
  t.db = await openShared(
    { storage: { indexeddb: name } },
    {
      locks: t.locks,
      BroadcastChannel: class extends BroadcastChannel {
        constructor(n) {
          super(n);
          t.channels.push(this);
        }
        postMessage(m) {
          if (!this.dead) super.postMessage(m);
        }
      },
      // Each owner's store in memory, in a worker thread (the protocol is what is tested here).
      openWorker: async (options) => {
        const w = await openWorker({ ...options, storage: 'memory' }, { worker: nodeWorker() });
        const call = w.call.bind(w);
        w.call = (method, ...rest) => {
          ran.push([name, method]);
          return call(method, ...rest);
        };
        t.workers.push(w);
        return w;
      },
    },
  );
  /** The tab hangs: it hears and says nothing from now on. */
  t.hang = () => {
    for (const c of t.channels) {
      c.dead = true;
      c.onmessage = null;
    }
  };
  t.crash = () => {
    t.hang();
    for (const c of t.channels) c.close();
    for (const w of t.workers) w.worker.terminate();
    t.locks.crash();
  };
  return t;
}

const until = async (what, check, ms = 5000) => {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`still waiting after ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
};

test('sharedKey names persistent storages only', () => {
  assert.equal(sharedKey({ indexeddb: 'a' }), 'indexeddb:a');
  assert.equal(sharedKey({ opfs: 'a' }), 'opfs:a');
  assert.equal(sharedKey({ browser: 'a' }), 'browser:a');
  for (const bad of ['memory', undefined, {}, { indexeddb: '' }, { indexeddb: 'a', opfs: 'a' }]) {
    assert.throws(() => sharedKey(bad), /openShared needs a persistent storage/);
  }
});

test('a follower gets the owner\'s replies, errors of the same class, and change events', async () => {
  const locks = new Locks();
  const a = await tab(locks, 's1');
  const b = await tab(locks, 's1');
  assert.equal(a.db.role, 'owner');
  assert.equal(b.db.role, 'follower');
  assert.equal(b.db.build, a.db.build);
  let changesA = 0;
  let changesB = 0;
  a.db.onChange(() => changesA++);
  b.db.onChange(() => changesB++);
  assert.equal(await b.db.hset('doc:1', { n: 1, v: new Float32Array([1, 2]) }), 2);
  assert.equal(await a.db.hget('doc:1', 'n'), '1');
  assert.deepEqual(await b.db.hmget('doc:1', ['n', 'x']), ['1', null]);
  await until('change events in both tabs', () => changesA > 0 && changesB > 0);
  const local = await open();
  for (const cmd of [['HSET', 'k'], ['NOSUCH']]) {
    const want = await local.command(...cmd).catch((e) => e);
    const got = await b.db.command(...cmd).catch((e) => e);
    assert.ok(got instanceof ReplyError);
    assert.equal(got.message, want.message);
  }
  const replies = await b.db.pipeline([['HGET', 'doc:1', 'n'], ['HSET', 'k'], ['EXISTS', 'doc:1']]);
  assert.equal(replies[0], '1');
  assert.ok(replies[1] instanceof ReplyError);
  assert.equal(replies[2], 1);
  assert.deepEqual(await b.db.multi().hset('doc:2', { n: 2 }).hgetall('doc:2').exec(), [1, { n: '2' }]);
  await local.close();
  await b.db.close();
  await a.db.close();
});

test('a crashed owner: a follower takes over; its pending reads are resent, its pending writes lost', async () => {
  const locks = new Locks();
  const a = await tab(locks, 's2');
  const b = await tab(locks, 's2');
  const c = await tab(locks, 's2');
  const roles = [];
  b.db.onRole((r) => roles.push(r));
  await b.db.hset('doc:1', { n: 1 });
  a.hang();
  const read = b.db.dbsize();
  const write = b.db.hset('doc:2', { n: 2 });
  const cRead = c.db.exists('doc:1');
  await new Promise((r) => setTimeout(r, 20));
  a.crash();
  await assert.rejects(write, (e) => e.code === 'VESSEL_OWNER_LOST' && /may or may not have been applied/.test(e.message));
  assert.equal(typeof (await read), 'number'); // resent to the new owner (a memory store here: 0)
  assert.equal(await cRead, 0);
  assert.equal(b.db.role, 'owner');
  assert.deepEqual(roles, ['owner']);
  assert.equal(c.db.role, 'follower');
  assert.equal(await c.db.hset('doc:3', { n: 3 }), 1); // writes go on, to the new owner
  assert.equal(await b.db.hget('doc:3', 'n'), '3');
  await c.db.close();
  await b.db.close();
});

test('a closing owner answers what it ran and hands over: no call is lost', async () => {
  const locks = new Locks();
  const a = await tab(locks, 's3');
  const b = await tab(locks, 's3');
  const c = await tab(locks, 's3');
  const calls = [];
  for (let i = 0; i < 200; i++) calls.push((i % 2 ? b : c).db.hset(`doc:${i}`, { n: i }));
  await new Promise((r) => setTimeout(r, 2));
  const closing = a.db.close();
  for (let i = 200; i < 300; i++) calls.push((i % 2 ? b : c).db.hset(`doc:${i}`, { n: i }));
  const results = await Promise.allSettled(calls);
  await closing;
  assert.deepEqual(results.filter((r) => r.status === 'rejected').map((r) => r.reason.message), []);
  // Each ran once: the closing owner answered what it ran, the new one ran the rest.
  assert.equal(ran.filter(([n, m]) => n === 's3' && m === 'hset').length, 300);
  assert.deepEqual([b.db.role, c.db.role].sort(), ['follower', 'owner']);
  assert.equal(a.db.closed, true);
  await assert.rejects(a.db.hget('doc:1', 'n'), /the store is closed/);
  await b.db.close();
  await c.db.close();
});

test('a follower gone in the middle of an RDB export no longer holds the owner\'s writes back', async () => {
  const locks = new Locks();
  const a = await tab(locks, 's4');
  const b = await tab(locks, 's4');
  for (let i = 0; i < 50; i++) await a.db.hset(`doc:${i}`, { n: i, pad: 'x'.repeat(2000) });
  const it = b.db.exportRdb({ chunkSize: 4096 });
  assert.ok((await it.next()).value.length > 0);
  const held = a.db.hset('doc:held', { n: 1 }); // waits for the export
  const first = await Promise.race([held.then(() => 'written'), new Promise((r) => setTimeout(() => r('held'), 50))]);
  assert.equal(first, 'held');
  b.crash();
  assert.equal(await held, 1);
  await a.db.close();
});
