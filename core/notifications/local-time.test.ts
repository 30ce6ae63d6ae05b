import { describe, expect, it } from "vitest";
import { mayBindChannels } from "./channels.ts";
import { isAtOrAfter, localTime } from "./local-time.ts";

describe("local time", () => {
  it("gives the wall-clock date and time in a zone", () => {
    expect(localTime(new Date("2026-03-02T01:00:00Z"), "Asia/Shanghai")).toEqual({
      date: "2026-03-02",
      hour: 9,
      minute: 0,
    });
    expect(localTime(new Date("2026-03-01T16:00:00Z"), "Asia/Shanghai")).toMatchObject({
      date: "2026-03-02",
      hour: 0,
    });
    expect(localTime(new Date("2026-03-02T01:00:00Z"), "America/New_York")).toMatchObject({
      date: "2026-03-01",
      hour: 20,
    });
  });

  it("is at or after a time of day until midnight", () => {
    expect(isAtOrAfter({ date: "2026-03-02", hour: 8, minute: 59 }, 9)).toBe(false);
    expect(isAtOrAfter({ date: "2026-03-02", hour: 9, minute: 0 }, 9)).toBe(true);
    expect(isAtOrAfter({ date: "2026-03-02", hour: 23, minute: 59 }, 9)).toBe(true);
  });
});

describe("who binds channels", () => {
  it("HR people and systems; nobody else", () => {
    expect(mayBindChannels({ principal: "employee:H1", functions: ["hr"] })).toBe(true);
    expect(mayBindChannels({ principal: "employee:F1", functions: ["finance"] })).toBe(false);
    expect(mayBindChannels({ principal: "system:hris", functions: [] })).toBe(true);
    expect(mayBindChannels({ principal: "nonsense", functions: ["hr"] })).toBe(false);
  });
});
