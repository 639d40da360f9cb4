// bench/measure.js - what the side-by-side benchmarks (hnsw.js, scale.js)
// measure the same way for every library:
//   - each library runs in its own child process (runChild), so that one
//     library's freed or retained memory neither hides nor inflates
//     another's; the child prints one JSON line, its result;
//   - process RSS growth: the resident set size once settled (rss()), taken
//     after the library is loaded and its index created and again after
//     the build (needs node --expose-gc: needGc() re-runs the script with
//     it);
//   - queries/s: the median of repeated passes over the same queries (one
//     pass of fast queries lasts a fraction of a second and moves 30%
//     between runs).
import { spawn, spawnSync } from 'node:child_process';

/** Re-run this script under node --expose-gc when gc() is missing (exits the process then). */
export function needGc() {
  if (globalThis.gc) return;
  const r = spawnSync(process.execPath, ['--expose-gc', ...process.execArgv, ...process.argv.slice(1)], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}

const kept = [];
/** Keep `x` reachable until the process ends (data a library's build reads). */
export function keepAlive(x) {
  kept.push(x);
}

/**
 * Resident set size in bytes once it has settled: full garbage collections
 * with pauses, until two readings 200 ms apart differ by less than 1 MB
 * (at most 5 s).  V8 gives the pages of freed garbage (a parsed JSON
 * dataset, say) back to the system lazily; a baseline taken before that
 * would be too high and make the growth look smaller than it is (it did:
 * usearch's 31 MB on mnist read as 18 MB).
 */
export async function rss() {
  let last = -Infinity;
  for (let i = 0; i < 25; i++) {
    globalThis.gc();
    globalThis.gc();
    await new Promise((resolve) => setTimeout(resolve, 200));
    const now = process.memoryUsage.rss();
    if (Math.abs(now - last) < 1e6) return now;
    last = now;
  }
  return last;
}

/**
 * Run `script` with `args` in a child Node process (with --expose-gc);
 * resolves to the JSON value of the last stdout line that starts with `{`.
 * The child's stderr (progress) passes through.
 */
export function runChild(script, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', '--max-old-space-size=8192', script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const line = out.split('\n').filter((l) => l.startsWith('{')).pop();
      if (code !== 0 || !line) {
        reject(new Error(`${script} ${args.join(' ')}: exited with ${signal ?? code}${out ? `\n${out.slice(-2000)}` : ''}`));
        return;
      }
      resolve(JSON.parse(line));
    });
  });
}

/** The result line of a child process (runChild reads it). */
export function reply(value) {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/**
 * Queries/s of `search(i)` over queries 0..nq-1: a warm-up of up to 50
 * queries, then passes over all of them until at least `minPasses` passes
 * and `minMs` milliseconds (at most `maxPasses`); the median pass counts.
 * Returns { qps, passes, results } (results: the first pass's answers).
 */
export function timePasses(nq, search, { minPasses = 3, maxPasses = 15, minMs = 1000 } = {}) {
  for (let i = 0; i < Math.min(50, nq); i++) search(i);
  const rates = [];
  let results = null;
  let total = 0;
  while (rates.length < maxPasses && (rates.length < minPasses || total < minMs)) {
    const out = results ? null : new Array(nq);
    const t = performance.now();
    if (out) for (let i = 0; i < nq; i++) out[i] = search(i);
    else for (let i = 0; i < nq; i++) search(i);
    const ms = performance.now() - t;
    total += ms;
    rates.push(nq / (ms / 1000));
    results ??= out;
  }
  return { qps: median(rates), passes: rates.length, results };
}

/** recall@k of results (arrays of row numbers) against truth (arrays or typed rows of row numbers). */
export function recallOf(truth, results, k) {
  let hit = 0;
  for (let i = 0; i < truth.length; i++) {
    const t = new Set(Array.from(truth[i]).slice(0, k));
    for (const id of results[i].slice(0, k)) if (t.has(id)) hit++;
  }
  return hit / (truth.length * k);
}

export const MB = 1e6;
export const fmt = (x, d = 0) => x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
