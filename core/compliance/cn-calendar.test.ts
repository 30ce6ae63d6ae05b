import { describe, expect, it } from "vitest";
import { CalendarRangeError, provisionalYears } from "./calendar.ts";
import { cnProvisionalPrefill, cnYearStatus, createCnCalendar } from "./cn-calendar.ts";
import { statutoryHolidays } from "./cn-holidays.ts";
import { eachDate, type IsoDate, isWeekend } from "./dates.ts";

const cn = createCnCalendar();

function yearCount(year: number): { working: number; blockDays: number; makeUp: number } {
  let working = 0;
  let blockDays = 0;
  let makeUp = 0;
  for (const date of eachDate(`${year}-01-01`, `${year}-12-31`)) {
    const day = cn.isWorkingDay(date);
    if (day.workingDay) working++;
    if (day.holiday) blockDays++;
    if (day.makeUpWorkday) makeUp++;
  }
  return { working, blockDays, makeUp };
}

const range = (from: IsoDate, to: IsoDate) => [...eachDate(from, to)];

// law-calendar.md §4: the State Council notices for 2025 (国办发明电〔2024〕12号) and 2026.
const blocks2025 = [
  ["2025-01-01", "2025-01-01", "New Year's Day"],
  ["2025-01-28", "2025-02-04", "Spring Festival"],
  ["2025-04-04", "2025-04-06", "Tomb-sweeping Day"],
  ["2025-05-01", "2025-05-05", "Labour Day"],
  ["2025-05-31", "2025-06-02", "Dragon Boat Festival"],
  ["2025-10-01", "2025-10-08", undefined],
] as const;
const makeUp2025 = ["2025-01-26", "2025-02-08", "2025-04-27", "2025-09-28", "2025-10-11"];
const blocks2026 = [
  ["2026-01-01", "2026-01-03", "New Year's Day"],
  ["2026-02-15", "2026-02-23", "Spring Festival"],
  ["2026-04-04", "2026-04-06", "Tomb-sweeping Day"],
  ["2026-05-01", "2026-05-05", "Labour Day"],
  ["2026-06-19", "2026-06-21", "Dragon Boat Festival"],
  ["2026-09-25", "2026-09-27", "Mid-autumn Festival"],
  ["2026-10-01", "2026-10-07", "National Day"],
] as const;
const makeUp2026 = ["2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"];

describe("CN calendar: the official 2025 and 2026 schedules", () => {
  it("has 248 working days in each year, with 28/33 block days and 5/6 make-up days", () => {
    expect(yearCount(2025)).toEqual({ working: 248, blockDays: 28, makeUp: 5 });
    expect(yearCount(2026)).toEqual({ working: 248, blockDays: 33, makeUp: 6 });
  });

  it.each([
    ["2025", blocks2025, makeUp2025],
    ["2026", blocks2026, makeUp2026],
  ] as const)(
    "%s: every block day is a rest day, every make-up day a working day",
    (_year, blocks, makeUp) => {
      for (const [from, to, name] of blocks) {
        for (const date of range(from, to)) {
          const day = cn.isWorkingDay(date);
          expect(day.workingDay, date).toBe(false);
          expect(cn.isRestDay(date), date).toBe(true);
          if (name) expect(day.holiday, date).toBe(name);
          expect(day.provisional).toBeUndefined();
        }
      }
      for (const date of makeUp) {
        expect(isWeekend(date), date).toBe(true);
        expect(cn.isWorkingDay(date)).toEqual({ date, workingDay: true, makeUpWorkday: true });
        expect(cn.isRestDay(date), date).toBe(false);
      }
    },
  );

  it("names the holiday with a stable key, and plain days with nothing", () => {
    expect(cn.isWorkingDay("2026-02-16")).toEqual({
      date: "2026-02-16",
      workingDay: false,
      holiday: "Spring Festival",
      holidayKey: "spring_festival",
    });
    expect(cn.isWorkingDay("2026-03-02")).toEqual({ date: "2026-03-02", workingDay: true });
    expect(cn.isWorkingDay("2026-03-07")).toEqual({ date: "2026-03-07", workingDay: false });
    expect(cn.isWorkingDay("2015-09-03").holidayKey).toBe("victory_day");
  });

  it("the statutory days of Holiday Measures Art. 2 match the derived list and lie inside the blocks", () => {
    expect(statutoryHolidays(2025).map((d) => d.date)).toEqual([
      "2025-01-01",
      "2025-01-28",
      "2025-01-29",
      "2025-01-30",
      "2025-01-31",
      "2025-04-04",
      "2025-05-01",
      "2025-05-02",
      "2025-05-31",
      "2025-10-01",
      "2025-10-02",
      "2025-10-03",
      "2025-10-06",
    ]);
    expect(statutoryHolidays(2026).map((d) => d.date)).toEqual([
      "2026-01-01",
      "2026-02-16",
      "2026-02-17",
      "2026-02-18",
      "2026-02-19",
      "2026-04-05",
      "2026-05-01",
      "2026-05-02",
      "2026-06-19",
      "2026-09-25",
      "2026-10-01",
      "2026-10-02",
      "2026-10-03",
    ]);
    for (const year of [2025, 2026]) {
      for (const day of statutoryHolidays(year))
        expect(cn.isWorkingDay(day.date).workingDay, day.date).toBe(false);
    }
  });

  it("counts working days strictly after the start, even from a rest day (R6)", () => {
    expect(cn.addWorkingDays("2026-02-13", 1)).toBe("2026-02-14"); // the make-up Saturday
    expect(cn.addWorkingDays("2026-02-15", 1)).toBe("2026-02-24"); // from inside the block
    expect(cn.addWorkingDays("2026-09-30", 1)).toBe("2026-10-08");
    expect(cn.addWorkingDays("2026-09-30", 3)).toBe("2026-10-10"); // Oct 8, 9, make-up Sat 10
    expect(cn.addWorkingDays("2025-12-31", 2)).toBe("2026-01-05"); // the make-up Sunday Jan 4 is the first
    expect(cn.nextWorkingDay("2026-03-06")).toBe("2026-03-09");
    expect(cn.subtractWorkingDays("2026-02-24", 1)).toBe("2026-02-14");
    expect(cn.subtractWorkingDays("2026-10-08", 2)).toBe("2026-09-29");
  });

  it("n = 0 answers the start date itself, working day or not", () => {
    expect(cn.addWorkingDays("2026-02-15", 0)).toBe("2026-02-15");
    expect(cn.addWorkingDays("2026-03-02", 0)).toBe("2026-03-02");
    expect(cn.subtractWorkingDays("2026-02-15", 0)).toBe("2026-02-15");
  });

  it("refuses bad counts and dates outside its range", () => {
    expect(() => cn.addWorkingDays("2026-03-02", -1)).toThrow(RangeError);
    expect(() => cn.addWorkingDays("2026-03-02", 1.5)).toThrow(RangeError);
    expect(() => cn.isWorkingDay("2026-02-30")).toThrow(RangeError);
    expect(() => cn.isWorkingDay("2003-12-31")).toThrow(CalendarRangeError);
    expect(() => cn.isWorkingDay("2101-01-01")).toThrow(CalendarRangeError);
    expect(() => cn.addWorkingDays("2100-12-20", 30)).toThrow(CalendarRangeError);
  });
});

describe("CN calendar: provisional years", () => {
  it("2027 and 2028 have no official schedule in chinese-days 1.5.7", () => {
    expect(cnYearStatus(2026)).toBe("official");
    expect(cnYearStatus(2004)).toBe("official");
    expect(cnYearStatus(2027)).toBe("provisional");
    expect(cnYearStatus(2028)).toBe("provisional");
  });

  it("pre-fills the statutory holidays of the 2024 Measures on Mon–Fri and marks every answer provisional", () => {
    expect(cnProvisionalPrefill(2027)).toEqual([
      { date: "2027-01-01", holiday: "New Year's Day" },
      { date: "2027-02-05", holiday: "Spring Festival" }, // 除夕 (腊月廿九)
      { date: "2027-02-06", holiday: "Spring Festival" }, // 正月初一
      { date: "2027-02-07", holiday: "Spring Festival" },
      { date: "2027-02-08", holiday: "Spring Festival" },
      { date: "2027-04-05", holiday: "Tomb-sweeping Day" },
      { date: "2027-05-01", holiday: "Labour Day" },
      { date: "2027-05-02", holiday: "Labour Day" },
      { date: "2027-06-09", holiday: "Dragon Boat Festival" },
      { date: "2027-09-15", holiday: "Mid-autumn Festival" },
      { date: "2027-10-01", holiday: "National Day" },
      { date: "2027-10-02", holiday: "National Day" },
      { date: "2027-10-03", holiday: "National Day" },
    ]);
    // 2028: Mid-Autumn falls on Oct 3, one rest day for both.
    expect(cnProvisionalPrefill(2028).map((d) => d.date)).toContain("2028-10-03");
    expect(cnProvisionalPrefill(2028)).toHaveLength(12);
    let working = 0;
    for (const date of eachDate("2027-01-01", "2027-12-31")) {
      const day = cn.isWorkingDay(date);
      expect(day.provisional, date).toBe(true);
      expect(day.makeUpWorkday).toBeUndefined();
      if (day.workingDay) working++;
    }
    // 261 weekdays in 2027, minus the pre-filled holidays that fall on one (Feb 6/7, May 1/2, Oct 2/3 are weekends).
    expect(working).toBe(261 - 7);
    expect(cn.isWorkingDay("2027-02-08")).toMatchObject({ workingDay: false, holidayKey: "spring_festival" });
    expect(cn.isWorkingDay("2027-03-01")).toEqual({
      date: "2027-03-01",
      workingDay: true,
      provisional: true,
    });
  });

  it("reports the provisional years an answer spans", () => {
    expect(provisionalYears(cn, "2026-12-30", "2027-01-04")).toEqual([2027]);
    expect(provisionalYears(cn, "2026-01-01", "2026-12-31")).toEqual([]);
    expect(provisionalYears(cn, "2028-02-01", "2025-01-01")).toEqual([2027, 2028]);
    expect(cn.isProvisional("2027-06-01")).toBe(true);
    expect(cn.isProvisional("2026-06-01")).toBe(false);
  });
});

describe("CN calendar: HR overrides", () => {
  const withOverrides = createCnCalendar({
    overrides: [
      { date: "2026-03-06", kind: "rest", reason: "Company anniversary" },
      { date: "2026-02-16", kind: "work", reason: "Stock-take" },
    ],
  });

  it("change working days, keep the holiday's name, and leave other days alone", () => {
    expect(withOverrides.isWorkingDay("2026-03-06")).toEqual({
      date: "2026-03-06",
      workingDay: false,
      override: { kind: "rest", reason: "Company anniversary" },
    });
    expect(withOverrides.isWorkingDay("2026-02-16")).toMatchObject({
      workingDay: true,
      holiday: "Spring Festival",
      override: { kind: "work", reason: "Stock-take" },
    });
    expect(withOverrides.addWorkingDays("2026-03-05", 1)).toBe("2026-03-09");
    expect(withOverrides.addWorkingDays("2026-02-15", 1)).toBe("2026-02-16");
  });

  it("are not public rest days for Civil Code Art. 203", () => {
    expect(withOverrides.isRestDay("2026-03-06")).toBe(false);
    expect(withOverrides.isRestDay("2026-02-16")).toBe(true);
  });
});
