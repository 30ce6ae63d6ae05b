import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  addDays,
  addMonths,
  dateInTimeZone,
  dayOfWeek,
  daysBetween,
  fromDayNumber,
  isIsoDate,
  parseIsoDate,
  toDayNumber,
} from "./dates.ts";

const dayNumbers = fc.integer({ min: toDayNumber("1900-01-01"), max: toDayNumber("2100-12-31") });

describe("ISO dates", () => {
  it("accepts real dates only", () => {
    expect(isIsoDate("2026-02-28")).toBe(true);
    expect(isIsoDate("2028-02-29")).toBe(true);
    expect(isIsoDate("2000-02-29")).toBe(true);
    for (const bad of [
      "2026-02-29",
      "2026-02-30",
      "2100-02-29",
      "2026-13-01",
      "2026-00-10",
      "2026-1-1",
      "20260101",
      " 2026-01-01",
      "2026-01-01T00:00",
      "",
    ]) {
      expect(isIsoDate(bad), bad).toBe(false);
    }
    expect(isIsoDate(20260101)).toBe(false);
    expect(parseIsoDate("2026-04-30")).toEqual({ year: 2026, month: 4, day: 30 });
  });

  it("knows the weekday", () => {
    expect(dayOfWeek("1970-01-01")).toBe(4);
    expect(dayOfWeek("2026-03-02")).toBe(1);
    expect(dayOfWeek("2025-01-26")).toBe(0);
    expect(dayOfWeek("2026-02-14")).toBe(6);
  });

  it("day numbers round-trip and agree with Date.UTC", () => {
    fc.assert(
      fc.property(dayNumbers, (n) => {
        const date = fromDayNumber(n);
        expect(toDayNumber(date)).toBe(n);
        expect(new Date(n * 86_400_000).toISOString().slice(0, 10)).toBe(date);
      }),
    );
  });

  it("adds days (R1: day N = start + N) and measures the difference", () => {
    expect(addDays("2026-01-31", 30)).toBe("2026-03-02");
    expect(addDays("2028-01-31", 30)).toBe("2028-03-01");
    expect(addDays("2026-12-31", 1)).toBe("2027-01-01");
    fc.assert(
      fc.property(dayNumbers, fc.integer({ min: -5000, max: 5000 }), (n, k) => {
        const date = fromDayNumber(n);
        expect(daysBetween(date, addDays(date, k))).toBe(k);
      }),
    );
  });

  it("adds months with the month-end rule of R5 (Civil Code Art. 202)", () => {
    expect(addMonths("2026-01-31", 1)).toBe("2026-02-28");
    expect(addMonths("2028-01-31", 1)).toBe("2028-02-29");
    expect(addMonths("2026-03-31", -1)).toBe("2026-02-28");
    expect(addMonths("2026-05-15", 24)).toBe("2028-05-15");
    expect(addMonths("2028-02-29", 12)).toBe("2029-02-28");
    expect(addMonths("2026-12-15", 1)).toBe("2027-01-15");
    fc.assert(
      fc.property(dayNumbers, fc.integer({ min: -600, max: 600 }), (n, k) => {
        const date = fromDayNumber(n);
        const result = addMonths(date, k);
        const a = parseIsoDate(date)!;
        const b = parseIsoDate(result)!;
        expect(b.year * 12 + b.month - (a.year * 12 + a.month)).toBe(k);
        expect(b.day).toBeLessThanOrEqual(a.day);
        if (b.day < a.day) expect(addDays(result, 1).slice(8)).toBe("01"); // clamped to the month's end
      }),
    );
  });

  it("takes the calendar date of an instant in a time zone (R2)", () => {
    const instant = new Date("2026-03-01T16:30:00Z");
    expect(dateInTimeZone(instant, "Asia/Shanghai")).toBe("2026-03-02");
    expect(dateInTimeZone(instant, "UTC")).toBe("2026-03-01");
    expect(dateInTimeZone(new Date("2026-03-02T03:00:00Z"), "America/New_York")).toBe("2026-03-01");
    expect(() => dateInTimeZone(instant, "Mars/Olympus")).toThrow(RangeError);
  });
});
