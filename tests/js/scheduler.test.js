// The background scheduler (js/scheduler.js): work that arrives while the
// loop is finishing, in the same turn, is still done; budgets stay
// bounded and go back to their start when a task runs out of work.

import assert from 'node:assert/strict';
import test from 'node:test';
import { BackgroundWork } from '../../js/scheduler.js';

test('a kick in the same turn as the loop finishing is not lost', async () => {
  let pending = 0;
  let steps = 0;
  const bw = new BackgroundWork((budget) => {
    steps++;
    pending = Math.max(0, pending - budget);
    return pending > 0;
  });
  const first = bw.kick(); // nothing to do: the loop ends without yielding
  pending = 1000; // work arrives in the same turn
  const second = bw.kick();
  await first;
  await second;
  assert.equal(pending, 0, 'the work that arrived was done');
  assert.ok(steps >= 2);
  assert.equal(bw.running, null);
  // And once idle, a kick starts it again.
  pending = 5;
  await bw.kick();
  assert.equal(pending, 0);
});

test('budgets grow while a task has work, and start again from the bottom after it', async () => {
  let pending = 200000;
  const seen = [];
  const bw = new BackgroundWork((budget) => {
    seen.push(budget);
    pending = Math.max(0, pending - budget);
    return pending > 0;
  });
  await bw.kick();
  assert.equal(pending, 0);
  assert.ok(Math.max(...seen) <= 1 << 16);
  assert.equal(bw.budget, 64);
});

test('a stopped scheduler does nothing', async () => {
  let calls = 0;
  const bw = new BackgroundWork(() => {
    calls++;
    return false;
  });
  bw.stop();
  await bw.kick();
  assert.equal(calls, 0);
});
