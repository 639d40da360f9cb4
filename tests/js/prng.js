// prng.js - the tests' seeded PRNG, with no imports, so that code bundled
// for the browser (tests/js/fixtures/) shares it with the Node tests.

/**
 * mulberry32, a small seeded PRNG: r() in [0, 1), r.int(n) in [0, n),
 * r.pick(xs) one of xs.  The same sequence for a seed on every machine.
 */
export function prng(seed) {
  let a = seed >>> 0;
  const r = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  r.int = (n) => Math.floor(r() * n);
  r.pick = (xs) => xs[r.int(xs.length)];
  return r;
}
