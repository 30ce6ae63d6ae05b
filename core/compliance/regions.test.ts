import { describe, expect, it } from "vitest";
import { createCalendar, isCalendarRegion, normaliseRegion } from "./regions.ts";

describe("calendar regions", () => {
  it("knows CN and the other ISO 3166-1 country codes, nothing else", () => {
    expect(isCalendarRegion("CN")).toBe(true);
    expect(isCalendarRegion("SG")).toBe(true);
    for (const bad of ["cn", "XX", "ZZ", "EU", "CHN", "", "CN-SH", 5])
      expect(isCalendarRegion(bad), String(bad)).toBe(false);
    expect(normaliseRegion(" us ")).toBe("US");
    expect(normaliseRegion("mars")).toBeUndefined();
  });

  it("builds the CN calendar for CN and a plain Mon–Fri calendar elsewhere", () => {
    expect(createCalendar("CN").isWorkingDay("2026-02-14").workingDay).toBe(true); // make-up Saturday
    const us = createCalendar("US", {
      holidays: [{ date: "2026-07-03", name: "Independence Day (observed)" }],
      overrides: [{ date: "2026-02-14", kind: "work", reason: "launch" }],
    });
    expect(us.isWorkingDay("2026-07-03")).toEqual({
      date: "2026-07-03",
      workingDay: false,
      holiday: "Independence Day (observed)",
    });
    expect(us.isWorkingDay("2026-02-16")).toEqual({ date: "2026-02-16", workingDay: true });
    expect(us.isWorkingDay("2026-02-14").workingDay).toBe(true);
    expect(us.isRestDay("2026-02-14")).toBe(true);
    expect(us.isProvisional("2030-01-01")).toBe(false);
    expect(() => createCalendar("XX")).toThrow(RangeError);
  });
});
