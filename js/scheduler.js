// scheduler.js - runs the engine's background work (index backfill,
// active expiry) in short slices, yielding to the event loop between
// slices so a page stays responsive however much there is to do.
//
// Each slice calls every task's step(budget) in turn until about `sliceMs`
// have passed.  Each task has its own key budget, adapted so one call
// takes roughly a millisecond, and set back to its start when the task
// runs out of work: what a key costs differs between tasks (skipping a key
// no index wants, deleting an indexed one) and between bursts of work, so
// a budget learned on cheap keys must never meet expensive ones.  Where
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

const START_BUDGET = 64;
const MAX_BUDGET = 1 << 16;

export class BackgroundWork {
  /**
   * @param {((budget: number) => boolean) | Array<(budget: number) => boolean>} steps
   *   the tasks: each does up to `budget` units of work, returns true while more remains
   * @param {{ sliceMs?: number, onSlice?: () => void, onError?: (e: Error) => void }} [opts]
   */
  constructor(steps, opts = {}) {
    this.tasks = (Array.isArray(steps) ? steps : [steps]).map((step) => ({ step, budget: START_BUDGET }));
    this.sliceMs = opts.sliceMs ?? 4;
    this.onSlice = opts.onSlice;
    this.onError = opts.onError;
    this.running = null;
    this.rekick = false;
    this.stopped = false;
    this.longestStepMs = 0;
  }

  /** The first task's budget (the only one of a single-task worker). */
  get budget() {
    return this.tasks[0].budget;
  }

  /**
   * Start the loop if it is not running; resolves when idle.  A kick while
   * it runs makes it go round once more before it stops, so work that
   * arrives as the loop finishes (even in the same turn) is never left
   * waiting for the next kick.
   */
  kick() {
    if (this.running) {
      this.rekick = true;
      return this.running;
    }
    if (this.stopped) return Promise.resolve();
    const run = (async () => {
      try {
        do {
          this.rekick = false;
          await this.loop();
        } while (this.rekick && !this.stopped);
      } finally {
        // Synchronously with the loop's end: no turn in between where a
        // kick would find `running` set and be ignored.
        if (this.running === run) this.running = null;
      }
    })();
    this.running = run;
    return run;
  }

  async loop() {
    let more = true;
    while (more && !this.stopped) {
      const start = now();
      let calls = 0;
      do {
        more = false;
        for (const task of this.tasks) {
          const t0 = now();
          let again;
          try {
            again = task.step(task.budget);
          } catch (e) {
            this.onError?.(e);
            return;
          }
          const took = now() - t0;
          if (took > this.longestStepMs) this.longestStepMs = took;
          // Grow only on a step that used its budget (more remains): an
          // idle step is fast whatever the budget.  Out of work, start
          // again from the bottom: the next burst (keys all expiring at
          // once, a new index) may cost far more per key.
          if (!again) task.budget = START_BUDGET;
          else if (took < 0.5 && task.budget < MAX_BUDGET) task.budget *= 2;
          else if (took > 2 && task.budget > 1) task.budget = Math.max(1, task.budget >> 1);
          more ||= again;
        }
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
