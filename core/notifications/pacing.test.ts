import { describe, expect, it } from "vitest";
import { nextTokenAt, parseRetryAfter, retryDelayMs, tokensAt } from "./pacing.ts";

const policy = { baseMs: 1000, maxMs: 60_000 };

describe("retry backoff", () => {
  it("doubles per try up to the cap, with equal jitter between half and the whole step", () => {
    expect([1, 2, 3, 4].map((n) => retryDelayMs(n, policy, () => 0))).toEqual([500, 1000, 2000, 4000]);
    expect([1, 2, 3, 4].map((n) => retryDelayMs(n, policy, () => 1))).toEqual([1000, 2000, 4000, 8000]);
    expect(retryDelayMs(20, policy, () => 1)).toBe(60_000);
    expect(retryDelayMs(1000, policy, () => 0.5)).toBe(45_000);
  });
});

describe("token bucket", () => {
  const rate = { ratePerSecond: 1, burst: 3 };
  const t0 = new Date("2026-03-02T00:00:00Z");
  const at = (s: number) => new Date(t0.getTime() + s * 1000);

  it("refills at the rate up to the burst", () => {
    expect(tokensAt({ tokens: 0, refilledAt: t0 }, at(1.5), rate)).toBe(1.5);
    expect(tokensAt({ tokens: 2, refilledAt: t0 }, at(10), rate)).toBe(3);
    expect(tokensAt({ tokens: 1, refilledAt: at(5) }, t0, rate)).toBe(1); // a refill time ahead (Retry-After)
  });

  it("says when the next whole token comes", () => {
    expect(nextTokenAt(0.25, t0, rate)).toEqual(at(0.75));
    expect(nextTokenAt(-1, t0, { ratePerSecond: 4, burst: 1 })).toEqual(at(0.5));
    expect(nextTokenAt(1, t0, rate)).toEqual(t0);
  });
});

describe("Retry-After", () => {
  const now = new Date("2026-03-02T00:00:00Z");
  it("reads seconds and HTTP dates, and caps absurd values", () => {
    expect(parseRetryAfter("30", now)).toBe(30);
    expect(parseRetryAfter(" 0 ", now)).toBe(0);
    expect(parseRetryAfter("Mon, 02 Mar 2026 00:01:00 GMT", now)).toBe(60);
    expect(parseRetryAfter("Sun, 01 Mar 2026 00:01:00 GMT", now)).toBe(0);
    expect(parseRetryAfter("99999999", now)).toBe(86_400);
    expect(parseRetryAfter("soon", now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});
