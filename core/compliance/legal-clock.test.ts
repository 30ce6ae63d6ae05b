import { describe, expect, it } from "vitest";
import { createCnCalendar } from "./cn-calendar.ts";
import { exitDeadlines, extendPastRestDays, legalClock, legalLastDay, noticeDateOf } from "./legal-clock.ts";
import { createPlainCalendar } from "./plain-calendar.ts";

const cn = createCnCalendar();

describe("Art. 37 notice and last day (law-calendar R1–R3)", () => {
  it("adds 30 calendar days, 3 in probation, not counting the notice day", () => {
    expect(legalLastDay("2026-03-02", false)).toBe("2026-04-01");
    expect(legalLastDay("2026-03-02", true)).toBe("2026-03-05");
    expect(legalLastDay("2026-01-31", false)).toBe("2026-03-02");
    expect(legalLastDay("2028-01-31", false)).toBe("2028-03-01");
    expect(legalLastDay("2026-12-15", false)).toBe("2027-01-14");
  });

  it("does not move the last day off a rest day (R4 default: the notice period is a waiting period)", () => {
    expect(legalLastDay("2026-09-01", false)).toBe("2026-10-01"); // inside the National Day block
  });

  it("takes the notice date in the employee's time zone (R2)", () => {
    const arrived = new Date("2026-03-01T17:05:00Z");
    expect(noticeDateOf(arrived, "Asia/Shanghai")).toBe("2026-03-02");
    expect(noticeDateOf(arrived, "Europe/Berlin")).toBe("2026-03-01");
  });
});

describe("Art. 50 deadlines and Civil Code Art. 203 (R4)", () => {
  it("issues the certificate at termination and transfers within 15 calendar days", () => {
    expect(exitDeadlines(cn, "2026-03-10")).toEqual({
      certificateDue: "2026-03-10",
      transferDue: "2026-03-25",
      transferDueExtended: "2026-03-25",
      provisionalYears: [],
    });
  });

  it("moves day 15 off a weekend and off a whole holiday block", () => {
    expect(exitDeadlines(cn, "2026-03-06").transferDueExtended).toBe("2026-03-23"); // Sat 21 → Mon 23
    expect(exitDeadlines(cn, "2026-09-16")).toMatchObject({
      transferDue: "2026-10-01",
      transferDueExtended: "2026-10-08",
    });
    expect(exitDeadlines(cn, "2026-02-01")).toMatchObject({
      transferDue: "2026-02-16",
      transferDueExtended: "2026-02-24",
    });
  });

  it("does not treat a make-up working day as a rest day", () => {
    expect(exitDeadlines(cn, "2026-01-30")).toMatchObject({
      transferDue: "2026-02-14", // Saturday, worked (调休)
      transferDueExtended: "2026-02-14",
    });
  });

  it("uses the block as the schedule says: 2019 ended Oct 7, 2020 ran to Oct 8", () => {
    expect(extendPastRestDays(cn, "2019-10-01")).toBe("2019-10-08");
    expect(extendPastRestDays(cn, "2020-10-01")).toBe("2020-10-09");
  });

  it("ignores company rest days: they are not public rest days", () => {
    const company = createCnCalendar({
      overrides: [{ date: "2026-03-25", kind: "rest", reason: "offsite" }],
    });
    expect(exitDeadlines(company, "2026-03-10").transferDueExtended).toBe("2026-03-25");
  });

  it("marks the answer provisional when the extension depends on a provisional year", () => {
    const clock = legalClock(cn, { noticeDate: "2026-12-01", probation: false });
    expect(clock).toEqual({
      noticeDate: "2026-12-01",
      probation: false,
      legalLastDay: "2026-12-31",
      certificateDue: "2026-12-31",
      transferDue: "2027-01-15",
      transferDueExtended: "2027-01-15",
      provisionalYears: [2027],
    });
    // The pre-filled Spring Festival of 2027: Feb 5–8, then a weekend-free Tuesday.
    expect(exitDeadlines(cn, "2027-01-21")).toMatchObject({
      transferDue: "2027-02-05",
      transferDueExtended: "2027-02-09",
      provisionalYears: [2027],
    });
  });

  it("works on a plain calendar with its own holidays", () => {
    const sg = createPlainCalendar("SG", {
      holidays: [{ date: "2026-08-10", name: "National Day (observed)" }],
    });
    expect(exitDeadlines(sg, "2026-07-26").transferDueExtended).toBe("2026-08-11"); // Aug 10 Mon holiday
  });
});
