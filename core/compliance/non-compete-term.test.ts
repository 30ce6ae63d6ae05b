import { describe, expect, it } from "vitest";
import {
  employeeMayEnd,
  latestRestrictionEnd,
  periodStandings,
  planEnforcement,
  rescissionCompensationFen,
  restrictionEndDate,
  restrictionPeriods,
} from "./non-compete-term.ts";

describe("non-compete term (LCL Art. 24, CC Arts. 201–202, SPC-I Arts. 38–39)", () => {
  it("ends on the corresponding day of the final month, counted from the day before the start", () => {
    expect(restrictionEndDate("2026-04-01", 24)).toBe("2028-03-31");
    expect(restrictionEndDate("2026-02-01", 1)).toBe("2026-02-28");
    expect(restrictionEndDate("2026-03-01", 1)).toBe("2026-03-28");
    // The corresponding day of the day before the start (Feb 28), not the month's end.
    expect(restrictionEndDate("2027-03-01", 12)).toBe("2028-02-28");
  });

  it("allows at most 24 months after the last day", () => {
    expect(latestRestrictionEnd("2026-03-31")).toBe("2028-03-31");
    expect(restrictionEndDate("2026-04-01", 24) <= latestRestrictionEnd("2026-03-31")).toBe(true);
    expect(restrictionEndDate("2026-04-02", 24) <= latestRestrictionEnd("2026-03-31")).toBe(false);
  });

  it("cuts the term into monthly periods named by the month they end in", () => {
    const periods = restrictionPeriods("2026-01-31", 3);
    expect(periods).toEqual([
      { index: 1, from: "2026-01-31", to: "2026-02-28", month: "2026-02" },
      { index: 2, from: "2026-03-01", to: "2026-03-30", month: "2026-03" },
      { index: 3, from: "2026-03-31", to: "2026-04-30", month: "2026-04" },
    ]);
    expect(new Set(restrictionPeriods("2026-04-01", 24).map((p) => p.month)).size).toBe(24);
  });

  it("counts three overdue months in total as letting the employee end it", () => {
    const periods = restrictionPeriods("2026-04-01", 12);
    const paid = new Map([["2026-05", 500000]]);
    const at = (today: string) =>
      periodStandings({ periods, monthlyPayFen: 500000, paidByMonth: paid, today });
    expect(
      at("2026-04-15")
        .map((s) => s.status)
        .slice(0, 3),
    ).toEqual(["due", "paid", "upcoming"]);
    expect(employeeMayEnd(at("2026-06-30"))).toBe(false);
    expect(
      at("2026-07-01")
        .filter((s) => s.status === "overdue")
        .map((s) => s.month),
    ).toEqual(["2026-04", "2026-06"]);
    expect(employeeMayEnd(at("2026-08-01"))).toBe(true);
    const short = periodStandings({
      periods,
      monthlyPayFen: 500000,
      paidByMonth: new Map([["2026-04", 1]]),
      today: "2026-05-01",
    });
    expect(short[0]?.status).toBe("overdue");
  });

  it("stops counting periods after the restriction ended early, and prices rescission at 3 months", () => {
    const periods = restrictionPeriods("2026-04-01", 12);
    const standings = periodStandings({
      periods,
      monthlyPayFen: 1,
      paidByMonth: new Map(),
      today: "2027-12-01",
      endedOn: "2026-05-15",
    });
    expect(standings.map((s) => s.month)).toEqual(["2026-04", "2026-05"]);
    expect(rescissionCompensationFen(600000)).toBe(1800000);
  });
});

describe("planEnforcement", () => {
  const context = { lastDay: "2026-03-31", defaultMonthlyPayFen: 300000 };
  it("defaults to the day after the last day and the default pay", () => {
    expect(planEnforcement({ months: 24 }, context)).toEqual({
      plan: { months: 24, monthlyPayFen: 300000, startDate: "2026-04-01", endDate: "2028-03-31" },
    });
  });

  it("refuses more than 24 months, a start on or before the last day, a late end and pay below the default", () => {
    expect(planEnforcement({ months: 25 }, context)).toEqual({
      problem: { problem: "too_long", months: 25 },
    });
    expect(planEnforcement({ months: 6, startDate: "2026-03-31" }, context)).toMatchObject({
      problem: { problem: "start_before_exit" },
    });
    expect(planEnforcement({ months: 24, startDate: "2026-04-02" }, context)).toEqual({
      problem: { problem: "end_too_late", endDate: "2028-04-01", latest: "2028-03-31" },
    });
    expect(planEnforcement({ months: 6, monthlyPayFen: 299999 }, context)).toMatchObject({
      problem: { problem: "pay_below_default", defaultFen: 300000 },
    });
    expect(planEnforcement({ months: 6, monthlyPayFen: 500000, startDate: "2026-06-01" }, context)).toEqual({
      plan: { months: 6, monthlyPayFen: 500000, startDate: "2026-06-01", endDate: "2026-11-30" },
    });
  });
});
