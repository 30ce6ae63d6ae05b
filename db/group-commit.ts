/**
 * Group commit: callers submit one item each and wait for its result; the items that arrive while
 * a flush is in flight go together into the next one. No timer: an item on an idle queue is flushed
 * at the end of the current turn of the event loop (with whatever else arrived in that turn), so a
 * lone request waits for nothing, and under load the batches grow by themselves to what arrived
 * during the previous flush.
 */

export type Settled<R> = { value: R } | { error: unknown };

export type GroupCommitStats = {
  batches: number;
  items: number;
  largest: number;
  /** Milliseconds spent in flushes (summed over the flushes in flight). */
  flushMs: number;
};

export type GroupCommit<T, R> = {
  /** Resolves with this item's result once the flush that carried it has finished. */
  submit(item: T): Promise<R>;
  /** Resolves when nothing is queued or in flight. */
  idle(): Promise<void>;
  /** Items queued or being flushed now. */
  pending(): number;
  readonly stats: GroupCommitStats;
};

export type GroupCommitOptions = {
  /** Items a flush takes at most. Default 500. */
  maxBatch?: number;
  /** Flushes in flight at once. Default 1. */
  concurrency?: number;
};

type Waiting<T, R> = { item: T; resolve(value: R): void; reject(error: unknown): void };

/**
 * `flush` gets the items in arrival order and answers one `Settled` per item, in the same order
 * (throwing fails every item of the batch).
 */
export function groupCommit<T, R>(
  flush: (items: readonly T[]) => Promise<readonly Settled<R>[]>,
  options: GroupCommitOptions = {},
): GroupCommit<T, R> {
  const maxBatch = Math.max(1, options.maxBatch ?? 500);
  const concurrency = Math.max(1, options.concurrency ?? 1);
  const queue: Waiting<T, R>[] = [];
  const stats: GroupCommitStats = { batches: 0, items: 0, largest: 0, flushMs: 0 };
  let running = 0;
  let inFlight = 0;
  let scheduled = false;
  let idleWaiters: (() => void)[] = [];

  function settleIdle(): void {
    if (running > 0 || queue.length > 0 || scheduled) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const done of waiters) done();
  }

  async function run(batch: Waiting<T, R>[]): Promise<void> {
    stats.batches += 1;
    stats.items += batch.length;
    stats.largest = Math.max(stats.largest, batch.length);
    const started = performance.now();
    try {
      const results = await flush(batch.map((w) => w.item));
      batch.forEach((waiting, i) => {
        const result = results[i];
        if (result === undefined) waiting.reject(new Error("group commit: no result for an item"));
        else if ("error" in result) waiting.reject(result.error);
        else waiting.resolve(result.value);
      });
    } catch (error) {
      for (const waiting of batch) waiting.reject(error);
    } finally {
      stats.flushMs += performance.now() - started;
    }
  }

  function pump(): void {
    scheduled = false;
    while (running < concurrency && queue.length > 0) {
      const batch = queue.splice(0, maxBatch);
      running += 1;
      inFlight += batch.length;
      void run(batch).finally(() => {
        running -= 1;
        inFlight -= batch.length;
        pump();
      });
    }
    settleIdle();
  }

  return {
    submit(item) {
      return new Promise<R>((resolve, reject) => {
        queue.push({ item, resolve, reject });
        if (running < concurrency && !scheduled) {
          scheduled = true;
          setImmediate(pump);
        }
      });
    },
    idle() {
      return new Promise<void>((resolve) => {
        idleWaiters.push(resolve);
        settleIdle();
      });
    },
    pending: () => queue.length + inFlight,
    stats,
  };
}
