// expiry.test.js - SIGKILL a writer of keys with expiry times (random
// moments, a few rounds), then open its directory again: every
// acknowledged write's absolute expiry time is there, every key the
// writer reclaimed before its last acknowledged write is gone (its DEL
// was journaled), whatever the clock says, and keys past their time are
// never returned.  Seeded: SEED=<n>.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { open } from '../../js/node.js';

const SEED = Number(process.env.SEED ?? 1);
const CHILD = new URL('./expiry-writer.js', import.meta.url).pathname;

function rng(seed) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296);
}

/** Run the writer until `acks` writes are acknowledged (plus a random delay), then SIGKILL it. */
function runAndKill(dir, acks, delayMs) {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [CHILD, dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let last = null;
    let buf = '';
    let err = '';
    let killing = false;
    proc.stdout.on('data', (d) => {
      buf += d;
      const lines = buf.split('\n');
      buf = lines.pop();
      for (const l of lines) {
        const [, i, now] = l.split(' ').map(Number);
        last = { i, now };
        if (i + 1 >= acks && !killing) {
          killing = true;
          setTimeout(() => proc.kill('SIGKILL'), delayMs);
        }
      }
    });
    proc.stderr.on('data', (d) => (err += d));
    proc.on('exit', (code, signal) => (signal === 'SIGKILL' ? resolve(last) : reject(new Error(`writer exited ${code}: ${err}`))));
  });
}

test('expiry survives SIGKILL: absolute times and journaled expired deletions come back', { timeout: 120000 }, async () => {
  const r = rng(SEED);
  for (let round = 0; round < 3; round++) {
    const dir = mkdtempSync(join(tmpdir(), 'vessel-expiry-crash-'));
    try {
      const last = await runAndKill(dir, 20 + Math.floor(r() * 120), Math.floor(r() * 15));
      assert.ok(last, `SEED=${SEED} round ${round}: no write acknowledged`);
      const m = last.i; // writes 0..m are durable, m + 1 may be
      if (process.env.EXPIRY_DEBUG) console.log(`round ${round}: last acknowledged write ${m}`);
      // Clock 0: nothing is past its time, so only journaled deletions remove keys.
      const db = await open({ dir, clock: () => 0, activeExpiry: false, readOnly: true });
      try {
        for (let i = 0; i <= m; i++) {
          const k = `k${i}`;
          const when = 1_000_000 + i * 1000 + 5000;
          const at = await db.command('PEXPIRETIME', k);
          const ctx = `SEED=${SEED} round ${round}: ${k} (last acknowledged write ${m})`;
          if (i % 3 === 2) {
            assert.equal(at, -1, `${ctx}: PERSIST was undone`);
          } else if (when <= 1_000_000 + (m - 1) * 1000) {
            // reclaimed after write m - 1 at the latest, flushed with write m
            assert.equal(at, -2, `${ctx}: the expired key's DEL is missing`);
          } else if (when > 1_000_000 + (m + 1) * 1000) {
            assert.equal(at, when, `${ctx}: its expiry time was not restored`);
          }
        }
      } finally {
        await db.close();
      }
      // At the writer's clock, every key past its time is gone for readers.
      const now = 1_000_000 + m * 1000;
      const db2 = await open({ dir, clock: () => now, activeExpiry: false, readOnly: true });
      try {
        const keys = await db2.keys('k*');
        for (const k of keys) {
          const i = Number(k.slice(1));
          if (i % 3 !== 2) assert.ok(1_000_000 + i * 1000 + 5000 > now, `SEED=${SEED} round ${round}: expired ${k} returned`);
        }
      } finally {
        await db2.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
});
