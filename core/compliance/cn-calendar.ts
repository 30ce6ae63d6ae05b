import {
  applyOverride,
  type BusinessCalendar,
  type CalendarOverride,
  calendarFrom,
  type DayInfo,
  overrideIndex,
} from "./calendar.ts";
import {
  hasOfficialSchedule,
  libraryScheduleDays,
  type ScheduleDay,
  statutoryHolidays,
} from "./cn-holidays.ts";
import { type IsoDate, isWeekend, yearOf } from "./dates.ts";

/**
 * chinese-days' data starts with 2004; its lunar tables end with 2100. Earlier years would need
 * the pre-2025 holiday rules, so they are out of range rather than guessed.
 */
export const cnCalendarRange = { first: "2004-01-01", last: "2100-12-31" } as const;

type CnYear = { provisional: boolean; days: Map<IsoDate, ScheduleDay> };

const years = new Map<number, CnYear>();

function cnYear(year: number): CnYear {
  let found = years.get(year);
  if (!found) {
    const provisional = !hasOfficialSchedule(year);
    const days = new Map<IsoDate, ScheduleDay>();
    if (provisional) for (const day of statutoryHolidays(year)) days.set(day.date, day);
    // Whatever the library lists wins over the pre-fill.
    for (const day of libraryScheduleDays(year)) days.set(day.date, day);
    found = { provisional, days };
    years.set(year, found);
  }
  return found;
}

/** Whether `year` has the State Council schedule ("official") or only the statutory pre-fill. */
export function cnYearStatus(year: number): "official" | "provisional" {
  return hasOfficialSchedule(year) ? "official" : "provisional";
}

/** The statutory holidays pre-filled for a provisional year (what an evidence entry records). */
export function cnProvisionalPrefill(year: number): { date: IsoDate; holiday: string }[] {
  return statutoryHolidays(year).map((d) => ({ date: d.date, holiday: d.name }));
}

/** The CN public calendar without overrides: the State Council schedule or the pre-fill. */
function cnPublicDay(date: IsoDate, confirmedYears: ReadonlySet<number> = new Set()): DayInfo {
  const year = cnYear(yearOf(date));
  const entry = year.days.get(date);
  const info: DayInfo = entry
    ? entry.work
      ? { date, workingDay: true, makeUpWorkday: true }
      : { date, workingDay: false, holiday: entry.name, ...(entry.key ? { holidayKey: entry.key } : {}) }
    : { date, workingDay: !isWeekend(date) };
  if (year.provisional && !confirmedYears.has(yearOf(date))) info.provisional = true;
  return info;
}

/**
 * The CN business calendar: Mon–Fri, the State Council's rest blocks and make-up working days
 * (调休) from chinese-days, and HR overrides on top. A year the library lacks is provisional, until
 * HR has entered that year's schedule as overrides and confirmed it (`confirmedYears`).
 */
export function createCnCalendar(
  options: { overrides?: readonly CalendarOverride[]; confirmedYears?: readonly number[] } = {},
): BusinessCalendar {
  const overrides = overrideIndex(options.overrides ?? []);
  const confirmed = new Set(options.confirmedYears ?? []);
  return calendarFrom({
    region: "CN",
    range: cnCalendarRange,
    day: (date) => applyOverride(cnPublicDay(date, confirmed), overrides.get(date)),
    publicRestDay: (date) => !cnPublicDay(date).workingDay,
    provisionalYear: (year) => cnYear(year).provisional && !confirmed.has(year),
  });
}
