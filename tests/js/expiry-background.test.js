// expiry-background.test.js - the background expiry cycle never does much
// at once: 50,000 indexed hashes (FLAT vector, TAG, NUMERIC) due at the
// same moment under an injected clock, reclaimed by the scheduler alone
// (no command touches them), must go in many bounded engine steps spread
// over many event-loop turns, and leave the index empty.
//
// Speed is checked by benchmarks (bench/expiry.js), never by timed tests:
// this asserts counts that a slower machine only makes smaller (keys per
// engine step, which the scheduler's budget bounds and a slow step only
// halves), and prints the times.  The second case is the one that broke:
// a backfill over many keys no index wants (each costs next to nothing)
// had grown the shared budget to its maximum, so the first expiry step
// then deleted every indexed key at once.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { open } from '../../js/node.js';

const N = 50000;

async function fill(db, now, { unindexed = 0 } = {}) {
  await db.command('FT.CREATE', 'idx', 'PREFIX', '1', 'doc:', 'SCHEMA',
    'v', 'VECTOR', 'FLAT', '6', 'TYPE', 'FLOAT32', 'DIM', '8', 'DISTANCE_METRIC', 'L2', 't', 'TAG', 'n', 'NUMERIC');
  const v = new Float32Array(8);
  for (let i = 0; i < N; i += 5000) {
    const batch = [];
    for (let j = i; j < i + 5000; j++) {
      v[0] = j;
      batch.push(['HSET', `doc:${j}`, 'v', v, 't', `t${j % 10}`, 'n', j], ['PEXPIREAT', `doc:${j}`, now + 1000 + (j % 7)]);
    }
    await db.pipeline(batch);
  }
  for (let i = 0; i < unindexed; i += 10000) {
    const batch = [];
    for (let j = i; j < i + 10000; j++) batch.push(['SET', `other:${j}`, 'x']);
    await db.pipeline(batch);
  }
}

/** Advance the clock past every time and let the scheduler reclaim; per-step counts. */
async function reclaim(db, clock) {
  const steps = []; // [keys deleted, event-loop turn]
  let turn = 0;
  const orig = db.engine.expireStep.bind(db.engine);
  db.engine.expireStep = (budget) => {
    const before = db.engine.expiryStats().expiredKeys;
    const more = orig(budget);
    const n = db.engine.expiryStats().expiredKeys - before;
    if (n) steps.push([n, turn]);
    return more;
  };
  let ticking = true;
  let worstLag = 0;
  (async () => {
    let last = performance.now();
    while (ticking) {
      await new Promise((r) => setImmediate(r));
      const t = performance.now();
      worstLag = Math.max(worstLag, t - last);
      last = t;
      turn++;
    }
  })();
  db.background.longestStepMs = 0;
  clock.now += 5000;
  const t0 = performance.now();
  // The expiry timer looks again within a second; nothing else touches the keys.
  while (db.engine.expiryStats().expiredKeys < N) {
    assert.ok(performance.now() - t0 < 60000, `reclaimed ${db.engine.expiryStats().expiredKeys} of ${N} in a minute`);
    await new Promise((r) => setTimeout(r, 5));
  }
  ticking = false;
  db.engine.expireStep = orig;
  return { steps, ms: performance.now() - t0, worstLag, longest: db.background.longestStepMs };
}

async function run(name, opts) {
  const clock = { now: 1_700_000_000_000 };
  const db = await open({ clock: () => clock.now });
  try {
    await fill(db, clock.now, opts);
    if (opts.unindexed) {
      // A backfill over the unindexed keys: every key skipped at once.
      await db.command('FT.CREATE', 'other', 'PREFIX', '1', 'nothing:', 'SCHEMA', 't', 'TAG');
      await db.indexReady('other');
    }
    assert.equal((await db.indexInfo('idx')).num_docs, N);
    const { steps, ms, worstLag, longest } = await reclaim(db, clock);
    const most = Math.max(...steps.map((s) => s[0]));
    const turns = new Set(steps.map((s) => s[1])).size;
    console.log(`${name}: ${N} keys in ${steps.length} steps over ${turns} event-loop turns, at most ${most} keys per step; ` +
      `${ms.toFixed(0)} ms in all, longest step ${longest.toFixed(2)} ms, longest event-loop turn ${worstLag.toFixed(2)} ms (not asserted)`);
    assert.equal(steps.reduce((a, s) => a + s[0], 0), N);
    assert.ok(most <= N / 10, `${name}: an engine step deleted ${most} of ${N} keys at once`);
    assert.ok(turns >= 5, `${name}: the cycle ran in ${turns} event-loop turns`);
    assert.equal(await db.dbsize(), opts.unindexed ?? 0);
    assert.equal((await db.indexInfo('idx')).num_docs, 0);
    assert.equal((await db.search('idx', '*', { noContent: true })).total, 0);
  } finally {
    await db.close();
  }
}

test('background expiry: 50,000 indexed keys due at once go in bounded steps between event-loop turns', async () => {
  await run('fresh store', {});
});

test('background expiry: a backfill over cheap keys leaves no large budget to the expiry cycle', async () => {
  await run('after a backfill of 100,000 skipped keys', { unindexed: 100000 });
});
