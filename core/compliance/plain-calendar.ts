import {
  applyOverride,
  type BusinessCalendar,
  type CalendarOverride,
  calendarFrom,
  type DayInfo,
  overrideIndex,
} from "./calendar.ts";
import { type IsoDate, isIsoDate, isWeekend } from "./dates.ts";

export const plainCalendarRange = { first: "1900-01-01", last: "2100-12-31" } as const;

export type NamedHoliday = { date: IsoDate; name: string };

/**
 * Mon–Fri with a list of public holidays and HR overrides: the calendar for jurisdictions other
 * than CN. It has no official source, so it is never provisional.
 */
export function createPlainCalendar(
  region: string,
  options: { holidays?: readonly NamedHoliday[]; overrides?: readonly CalendarOverride[] } = {},
): BusinessCalendar {
  const holidays = new Map<IsoDate, string>();
  for (const holiday of options.holidays ?? []) {
    if (!isIsoDate(holiday.date)) throw new RangeError(`Holiday date is not a date: "${holiday.date}"`);
    holidays.set(holiday.date, holiday.name);
  }
  const overrides = overrideIndex(options.overrides ?? []);
  const publicDay = (date: IsoDate): DayInfo => {
    const holiday = holidays.get(date);
    return holiday !== undefined
      ? { date, workingDay: false, holiday }
      : { date, workingDay: !isWeekend(date) };
  };
  return calendarFrom({
    region,
    range: plainCalendarRange,
    day: (date) => applyOverride(publicDay(date), overrides.get(date)),
    publicRestDay: (date) => !publicDay(date).workingDay,
    provisionalYear: () => false,
  });
}
