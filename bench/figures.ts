/** Arithmetic the benchmarks' tables share. */

/** The value at fraction `p` (0–1) of ascending `sorted`; 0 when empty. */
export const percentile = (sorted: Float64Array | number[], p: number) =>
  sorted.length === 0 ? 0 : (sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] as number);

export const round = (n: number, digits = 1) => Number(n.toFixed(digits));

/** The median of the runs' values (the upper middle one of an even count); 0 when there are none. */
export function middle(values: number[]): number {
  const sorted = values.slice().sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

/** Reads until `done` says so or `timeoutMs` has passed (every 10 ms); the last value read. */
export async function waitFor<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs: number,
): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || performance.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * A benchmark's report: its options without the database URL, the PostgreSQL server it
 * ran on, and each target's runs with their median.
 */
export function reportOf<T, F, O extends { serverUrl: string; targets: readonly T[] }>(
  options: O,
  results: Map<T, F[]>,
  median: (runs: F[]) => F,
) {
  const { serverUrl: _url, ...shown } = options;
  return {
    options: shown,
    database: `PostgreSQL (${new URL(options.serverUrl).host})`,
    targets: options.targets.map((target) => {
      const runs = results.get(target) ?? [];
      return { target, runs, median: median(runs) };
    }),
  };
}
