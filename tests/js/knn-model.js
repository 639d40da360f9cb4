// knn-model.js - the brute-force side of the model tests' KNN checks: the
// engine's distances computed plainly, and the checks every KNN answer
// must pass against the model's candidates.

import assert from 'node:assert/strict';

/** The distance an index reports for metric (L2: squared; IP, COSINE: 1 - similarity). */
export function distance(metric, a, b) {
  let s = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    s += metric === 'L2' ? (a[i] - b[i]) ** 2 : a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  if (metric === 'L2') return s;
  if (metric === 'IP') return 1 - s;
  return 1 - s / Math.sqrt(na * nb);
}

/** float32 arithmetic in the engine against float64 here. */
export const close = (a, b) => Math.abs(a - b) <= 1e-4 + 1e-4 * Math.abs(b);

/**
 * Each result is a candidate (key -> model distance), once, at its model
 * distance; returns the keys seen.  `what` names the query, `msg` adds the
 * test's context (seed, last operations) to a failure.
 */
export function checkResults(got, cand, what, msg) {
  const seen = new Set();
  for (const x of got) {
    assert.ok(cand.has(x.key), msg(`${what}: ${x.key} is not a live matching document`));
    assert.ok(!seen.has(x.key), msg(`${what}: ${x.key} twice`));
    seen.add(x.key);
    assert.ok(close(Number(x.score), cand.get(x.key)), msg(`${what}: ${x.key} at ${x.score}, model ${cand.get(x.key)}`));
  }
  return seen;
}

/** An exact (FLAT) answer: no candidate left out is closer than the last result. */
export function checkExact(got, cand, seen, what, msg) {
  const last = got.length ? Number(got.at(-1).score) : -Infinity;
  for (const [key, d] of cand) {
    if (!seen.has(key)) assert.ok(d >= last - 1e-4, msg(`${what}: ${key} at ${d} missing, last returned ${last}`));
  }
}
