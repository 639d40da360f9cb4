// transactions.test.js - a stream of acknowledged transactions (durability
// 'always') SIGKILLed at random moments; after each kill the store is
// reopened and every transaction is wholly present or wholly absent,
// every acknowledged one present, and the counter every transaction
// increments equals the number present: replay applied each transaction's
// MULTI ... EXEC records whole or not at all (tests/unit/test_multi.c cuts
// the journal at every byte of a transaction).
//
// SEED=<n> picks the transactions and kill times; TX_CRASH_ROUNDS (default 8).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { open } from '../../js/node.js';
import { prng, sleep } from './lib.js';
import { txCommands } from './tx-child.js';

const CHILD = new URL('./tx-child.js', import.meta.url).pathname;
const SEED = process.env.SEED === 'random' ? (Math.random() * 2 ** 31) >>> 0 : Number(process.env.SEED ?? 1);
const ROUNDS = Number(process.env.TX_CRASH_ROUNDS ?? 8);

/** Run the child until it is killed after `ms` of writing; its reports. */
function runAndKill(opts, ms) {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [CHILD, JSON.stringify(opts)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    let err = '';
    proc.stdout.on('data', (d) => {
      text += d;
      if (text.startsWith('ready') && !proc.timer) proc.timer = setTimeout(() => proc.kill('SIGKILL'), ms);
    });
    proc.stderr.on('data', (d) => (err += d));
    proc.on('exit', (code, signal) => {
      clearTimeout(proc.timer);
      if (signal !== 'SIGKILL') reject(new Error(`the child exited (${code}): ${err}`));
      else resolve(text.split('\n').filter(Boolean));
    });
  });
}

test('SIGKILL during a stream of acknowledged transactions: each one whole or absent, every acknowledged one present', { timeout: 5 * 60000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'vessel-tx-crash-'));
  const r = prng(SEED);
  let next = 0; // the first transaction number of the next round
  let acknowledged = 0;
  let torn = 0;
  const lost = new Set(); // transactions a kill caught before they were acknowledged, absent
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const via = round % 2 ? 'command' : 'api';
      const lines = await runAndKill({ dir, seed: SEED, from: next, via }, 150 + Math.floor(r() * 600));
      const started = lines.filter((l) => l.startsWith('S ')).map((l) => Number(l.split(' ')[1]));
      const acked = new Set(lines.filter((l) => l.startsWith('A ')).map((l) => Number(l.split(' ')[1])));
      const last = started.length ? started[started.length - 1] : next - 1;
      const db = await open({ dir });
      try {
        let present = 0;
        for (let tx = 0; tx <= last; tx++) {
          const cmds = txCommands(SEED, tx);
          const keys = cmds.slice(0, -2).map((c) => c[1]).concat(`tx:${tx}:s`);
          const n = await db.exists(...keys);
          const label = `SEED=${SEED} round ${round} transaction ${tx}`;
          assert.ok(n === 0 || n === keys.length, `${label}: ${n} of its ${keys.length} keys are present`);
          if (tx >= next && acked.has(tx)) assert.equal(n, keys.length, `${label}: acknowledged but absent`);
          if (n) {
            present++;
            // This round's: every field of every hash, as written.
            for (const c of tx >= next ? cmds.slice(0, -2) : []) {
              const h = await db.hgetall(c[1]);
              assert.equal(Object.keys(h).length * 2, c.length - 2, `${label}: ${c[1]} lacks fields`);
              for (let i = 2; i < c.length; i += 2) assert.equal(h[c[i]], c[i + 1]);
            }
          } else if (tx >= next && started.includes(tx) && !acked.has(tx)) {
            torn++;
            lost.add(tx);
          } else if (!lost.has(tx)) {
            assert.fail(`${label}: an earlier round's transaction is gone`);
          }
        }
        assert.equal(Number((await db.hget('count', 'n')) ?? 0), present, `SEED=${SEED} round ${round}: the counter`);
        acknowledged += acked.size;
      } finally {
        await db.close();
      }
      next = last + 1;
      // Absent transactions of this round stay absent: the next round
      // starts after them (their numbers are not reused).
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  t.diagnostic(`SEED=${SEED}: ${ROUNDS} kills, ${acknowledged} acknowledged transactions kept, ${torn} in flight lost whole`);
  assert.ok(acknowledged > ROUNDS, 'the child acknowledged transactions before being killed');
});
