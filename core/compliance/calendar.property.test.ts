import chineseDays from "chinese-days";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { BusinessCalendar, CalendarOverride } from "./calendar.ts";
import { createCnCalendar } from "./cn-calendar.ts";
import { addDays, eachDate, fromDayNumber, type IsoDate, toDayNumber } from "./dates.ts";
import { legalClock } from "./legal-clock.ts";
import { createPlainCalendar } from "./plain-calendar.ts";

// Official years 2004–2026 and the provisional 2027–2029.
const dates = (from = "2004-01-01", to = "2029-06-30") =>
  fc.integer({ min: toDayNumber(from), max: toDayNumber(to) }).map(fromDayNumber);

const overrides = fc
  .uniqueArray(
    fc.record({
      date: dates("2025-06-01", "2027-06-30"),
      kind: fc.constantFrom<"work" | "rest">("work", "rest"),
      reason: fc.constant("test"),
    }),
    { selector: (o) => o.date, maxLength: 40 },
  )
  .map((list): CalendarOverride[] => list);

const calendars = fc.oneof(
  fc.constant(createCnCalendar()),
  overrides.map((list) => createCnCalendar({ overrides: list })),
  overrides.map((list) => createPlainCalendar("SG", { overrides: list })),
);

const working = (calendar: BusinessCalendar, date: IsoDate) => calendar.isWorkingDay(date).workingDay;

function workingDaysIn(calendar: BusinessCalendar, afterDate: IsoDate, through: IsoDate): number {
  let count = 0;
  for (const date of eachDate(addDays(afterDate, 1), through)) if (working(calendar, date)) count++;
  return count;
}

describe("business calendar invariants", () => {
  it("addWorkingDays(d, n ≥ 1) is a working day strictly after d, with exactly n working days in (d, result]", () => {
    fc.assert(
      fc.property(calendars, dates(), fc.integer({ min: 1, max: 120 }), (calendar, from, n) => {
        const result = calendar.addWorkingDays(from, n);
        expect(result > from).toBe(true);
        expect(working(calendar, result)).toBe(true);
        expect(workingDaysIn(calendar, from, result)).toBe(n);
      }),
      { numRuns: 300 },
    );
  });

  it("is monotonic in n and composes: add(add(d, n), m) = add(d, n + m)", () => {
    fc.assert(
      fc.property(
        calendars,
        dates(),
        fc.integer({ min: 0, max: 80 }),
        fc.integer({ min: 0, max: 80 }),
        (calendar, from, n, m) => {
          const a = calendar.addWorkingDays(from, n);
          expect(calendar.addWorkingDays(from, n + 1) > a).toBe(true);
          expect(calendar.addWorkingDays(a, m)).toBe(calendar.addWorkingDays(from, n + m));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("nextWorkingDay is addWorkingDays(d, 1); n = 0 is d itself", () => {
    fc.assert(
      fc.property(calendars, dates(), (calendar, date) => {
        expect(calendar.nextWorkingDay(date)).toBe(calendar.addWorkingDays(date, 1));
        expect(calendar.addWorkingDays(date, 0)).toBe(date);
      }),
    );
  });

  it("subtractWorkingDays undoes addWorkingDays back to the last working day on or before d", () => {
    fc.assert(
      fc.property(calendars, dates("2004-03-01"), fc.integer({ min: 1, max: 60 }), (calendar, from, n) => {
        const back = calendar.subtractWorkingDays(calendar.addWorkingDays(from, n), n);
        expect(back).toBe(working(calendar, from) ? from : calendar.subtractWorkingDays(from, 1));
      }),
      { numRuns: 200 },
    );
  });

  it("agrees with chinese-days' findWorkday in official years without overrides", () => {
    const cn = createCnCalendar();
    fc.assert(
      fc.property(dates("2004-01-01", "2026-10-31"), fc.integer({ min: 1, max: 40 }), (from, n) => {
        expect(cn.addWorkingDays(from, n)).toBe(chineseDays.findWorkday(n, from));
      }),
      { numRuns: 300 },
    );
  });

  it("without overrides, a public rest day is exactly a day that is not a working day", () => {
    const cn = createCnCalendar();
    fc.assert(
      fc.property(dates(), (date) => {
        expect(cn.isRestDay(date)).toBe(!cn.isWorkingDay(date).workingDay);
      }),
    );
  });
});

describe("legal clock invariants", () => {
  it("notice < legal last day = certificate due < transfer due ≤ extended, and the extension skips only rest days", () => {
    fc.assert(
      fc.property(
        calendars,
        dates("2004-01-01", "2029-10-31"),
        fc.boolean(),
        (calendar, noticeDate, probation) => {
          const clock = legalClock(calendar, { noticeDate, probation });
          expect(clock.noticeDate < clock.legalLastDay).toBe(true);
          expect(clock.certificateDue).toBe(clock.legalLastDay);
          expect(clock.transferDue > clock.certificateDue).toBe(true);
          expect(clock.transferDueExtended >= clock.transferDue).toBe(true);
          expect(calendar.isRestDay(clock.transferDueExtended)).toBe(false);
          for (const date of eachDate(clock.transferDue, addDays(clock.transferDueExtended, -1))) {
            expect(calendar.isRestDay(date)).toBe(true);
          }
          expect(toDayNumber(clock.transferDueExtended) - toDayNumber(clock.transferDue)).toBeLessThan(12);
        },
      ),
      { numRuns: 300 },
    );
  });
});
