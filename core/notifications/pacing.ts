import type { RatePolicy } from "./delivery.ts";

export type BackoffPolicy = {
  /** The wait after the first failure. */
  baseMs: number;
  /** The longest wait between two tries. */
  maxMs: number;
};

export const defaultBackoff: BackoffPolicy = { baseMs: 5_000, maxMs: 60 * 60_000 };

/**
 * How long to wait after the `attempt`-th failed try (1-based): exponential, capped, with "equal
 * jitter" — half the step fixed, half random — so retries of many rows that failed together
 * spread out, and no retry comes sooner than half its step.
 */
export function retryDelayMs(attempt: number, policy: BackoffPolicy, random: () => number): number {
  const exponent = Math.max(0, Math.min(attempt - 1, 30));
  const step = Math.min(policy.maxMs, policy.baseMs * 2 ** exponent);
  return Math.round(step / 2 + random() * (step / 2));
}

/** A token bucket's stored state. */
export type BucketState = { tokens: number; refilledAt: Date };

/** The tokens a bucket holds at `now`: refilled at the policy's rate since `refilledAt`, at most `burst`. */
export function tokensAt(state: BucketState, now: Date, policy: RatePolicy): number {
  const elapsed = Math.max(0, now.getTime() - state.refilledAt.getTime()) / 1000;
  return Math.min(policy.burst, state.tokens + elapsed * policy.ratePerSecond);
}

/** When a bucket holding `tokens` (< 1) next has a whole one. */
export function nextTokenAt(tokens: number, now: Date, policy: RatePolicy): Date {
  if (tokens >= 1) return now;
  return new Date(now.getTime() + Math.ceil(((1 - tokens) / policy.ratePerSecond) * 1000));
}

/** Longest Retry-After we honour; a longer one (or a garbled one) is treated as this. */
export const maxRetryAfterSeconds = 24 * 60 * 60;

/** Parses an HTTP Retry-After header (seconds or an HTTP date) into seconds from `now`. */
export function parseRetryAfter(value: string | null | undefined, now: Date): number | undefined {
  if (value === null || value === undefined || value.trim() === "") return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Math.min(Number(text), maxRetryAfterSeconds);
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.min(Math.max(0, Math.ceil((at - now.getTime()) / 1000)), maxRetryAfterSeconds);
}
