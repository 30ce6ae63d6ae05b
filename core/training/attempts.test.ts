import { describe, expect, it } from "vitest";
import { type AttemptSummary, decideStart } from "./attempts.ts";

const now = new Date("2026-03-02T10:00:00Z");
const minutes = (n: number) => new Date(now.getTime() - n * 60_000);
const base = { status: "open" as const, attemptLimit: 3, coolDownMinutes: 60, now };
const failed = (number: number, submittedAt: Date): AttemptSummary => ({
  id: `a${number}`,
  number,
  submittedAt,
  passed: false,
});

describe("starting an attempt", () => {
  it("starts the first attempt", () => {
    expect(decideStart({ ...base, attempts: [] })).toEqual({ kind: "start", number: 1 });
  });

  it("resumes the attempt in progress instead of starting another", () => {
    const open = { id: "a2", number: 2, submittedAt: null, passed: null };
    expect(decideStart({ ...base, attempts: [failed(1, minutes(120)), open] })).toEqual({
      kind: "resume",
      attemptId: "a2",
    });
  });

  it("waits out the cool-down after a failed attempt, to the minute", () => {
    expect(decideStart({ ...base, attempts: [failed(1, minutes(59))] })).toEqual({
      kind: "refuse",
      reason: "cool_down",
      availableAt: new Date(now.getTime() + 60_000),
    });
    expect(decideStart({ ...base, attempts: [failed(1, minutes(60))] })).toEqual({
      kind: "start",
      number: 2,
    });
  });

  it("stops at the attempt limit, and for passed or closed assignments", () => {
    const three = [failed(1, minutes(300)), failed(2, minutes(200)), failed(3, minutes(100))];
    expect(decideStart({ ...base, attempts: three })).toEqual({ kind: "refuse", reason: "limit" });
    expect(decideStart({ ...base, status: "passed", attempts: [] })).toEqual({
      kind: "refuse",
      reason: "passed",
    });
    expect(decideStart({ ...base, status: "failed", attempts: [] })).toEqual({
      kind: "refuse",
      reason: "closed",
    });
  });
});
