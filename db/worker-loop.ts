/**
 * The loop behind a background worker (the outbox dispatcher, the inbox worker): one run at a
 * time, a run soon after each wake (debounced, and again after the current run when woken during
 * it), a run when the last one asked for one at a given time, and a poll for work that nobody woke
 * us for (another instance's commits, rows whose time has come).
 */
export type WorkerLoop<Report> = {
  wake(): void;
  /** One run now, after any run in progress. */
  runOnce(): Promise<Report>;
  start(): void;
  /** Stops the timers and waits for a run in progress. */
  stop(): Promise<void>;
};

export function createWorkerLoop<Report>(
  run: () => Promise<Report>,
  options: {
    pollMs: number;
    debounceMs: number;
    /** In how many ms to run again after a report (undefined: at the next wake or poll). */
    nextIn: (report: Report) => number | undefined;
    onError: (error: unknown) => void;
  },
): WorkerLoop<Report> {
  let queue: Promise<unknown> = Promise.resolve();
  let started = false;
  let draining = false;
  let again = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let timerAt = Number.POSITIVE_INFINITY;
  let interval: ReturnType<typeof setInterval> | undefined;

  function runOnce(): Promise<Report> {
    const result = queue.then(run);
    queue = result.catch(() => {});
    return result;
  }

  function scheduleIn(ms: number): void {
    if (!started) return;
    const delay = Math.max(0, Math.min(ms, options.pollMs));
    const at = Date.now() + delay;
    if (timer && timerAt <= at) return;
    if (timer) clearTimeout(timer);
    timerAt = at;
    timer = setTimeout(() => {
      timer = undefined;
      timerAt = Number.POSITIVE_INFINITY;
      void drain();
    }, delay);
    timer.unref?.();
  }

  async function drain(): Promise<void> {
    if (!started) return;
    if (draining) {
      again = true;
      return;
    }
    draining = true;
    try {
      do {
        again = false;
        try {
          const next = options.nextIn(await runOnce());
          if (next !== undefined) scheduleIn(next);
        } catch (error) {
          options.onError(error);
          scheduleIn(options.pollMs);
        }
      } while (again && started);
    } finally {
      draining = false;
    }
  }

  return {
    wake: () => scheduleIn(options.debounceMs),
    runOnce,
    start() {
      if (started) return;
      started = true;
      interval = setInterval(() => void drain(), options.pollMs);
      interval.unref?.();
      void drain();
    },
    async stop() {
      started = false;
      if (timer) clearTimeout(timer);
      if (interval) clearInterval(interval);
      timer = undefined;
      interval = undefined;
      await queue;
    },
  };
}
