// scheduler.js - runs the engine's background work (index backfill) in
// short slices, yielding to the event loop between slices so a page stays
// responsive however much there is to index.
//
// Each slice calls step(budget) until about `sliceMs` have passed; the key
// budget per call adapts so one call takes roughly a millisecond.  Where
// the clock does not move during a task (workerd freezes time between
// I/O), a cap on calls per slice still bounds the slice.

/** Resolve on the next turn of the event loop, without timer clamping. */
export const nextTick = (() => {
  if (typeof setImmediate === 'function') return () => new Promise((r) => setImmediate(r));
  if (typeof MessageChannel === 'function') {
    const ch = new MessageChannel();
    const waiting = [];
    ch.port1.onmessage = () => waiting.shift()?.();
    return () => new Promise((r) => {
      waiting.push(r);
      ch.port2.postMessage(0);
    });
  }
  return () => new Promise((r) => setTimeout(r, 0));
})();

const now = () => (globalThis.performance ? performance.now() : Date.now());

export class BackgroundWork {
  /**
   * @param {(budget: number) => boolean} step does work, returns true while more remains
   * @param {{ sliceMs?: number, onSlice?: () => void, onError?: (e: Error) => void }} [opts]
   */
  constructor(step, opts = {}) {
    this.step = step;
    this.sliceMs = opts.sliceMs ?? 4;
    this.onSlice = opts.onSlice;
    this.onError = opts.onError;
    this.budget = 64;
    this.running = null;
    this.stopped = false;
    this.longestStepMs = 0;
  }

  /** Start the loop if it is not running; resolves when idle. */
  kick() {
    if (!this.running && !this.stopped) {
      this.running = this.loop().finally(() => {
        this.running = null;
      });
    }
    return this.running;
  }

  async loop() {
    let more = true;
    while (more && !this.stopped) {
      const start = now();
      let calls = 0;
      do {
        const t0 = now();
        try {
          more = this.step(this.budget);
        } catch (e) {
          this.onError?.(e);
          return;
        }
        const took = now() - t0;
        if (took > this.longestStepMs) this.longestStepMs = took;
        // Grow only on a step that used its budget (more remains): an idle
        // step is fast whatever the budget, and must not leave a budget
        // that freezes the page when work arrives (keys all expiring at once).
        if (more && took < 0.5 && this.budget < 1 << 16) this.budget *= 2;
        else if (took > 2 && this.budget > 1) this.budget = Math.max(1, this.budget >> 1);
        calls++;
      } while (more && now() - start < this.sliceMs && calls < 256);
      this.onSlice?.();
      if (more) await nextTick();
    }
  }

  stop() {
    this.stopped = true;
  }
}
