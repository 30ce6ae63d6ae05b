import { addDays, formatIsoDate, type IsoDate, isWeekend, parseIsoDate } from "./dates.ts";

/**
 * Local time in a time zone, and working hours: messages to people go out from 09:00 to 19:00 in
 * their time zone, on working days (DESIGN §6). The one implementation every reminder uses.
 */
export const workingHours = { start: 9, end: 19 } as const;

const formatters = new Map<string, Intl.DateTimeFormat>();

/** One formatter per zone: building an Intl.DateTimeFormat costs far more than using one. */
function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      calendar: "gregory",
      numberingSystem: "latn",
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

function wallClock(instant: Date, timeZone: string) {
  const parts = formatterFor(timeZone).formatToParts(instant);
  const part = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return {
    year: part("year"),
    month: part("month"),
    day: part("day"),
    hour: part("hour"),
    minute: part("minute"),
    second: part("second"),
  };
}

/** The calendar date of an instant in a time zone. */
function localDate(instant: Date, timeZone: string): IsoDate {
  const w = wallClock(instant, timeZone);
  return formatIsoDate(w.year, w.month, w.day);
}

/** How far the zone's wall clock is ahead of UTC at `instant`, in milliseconds. */
export function zoneOffset(instant: Date, timeZone: string): number {
  const w = wallClock(instant, timeZone);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return asUtc - Math.floor(instant.getTime() / 1000) * 1000;
}

/** The instant when the wall clock in `timeZone` shows `hour`:00 on `date` (the later one across a DST gap). */
export function instantAt(date: IsoDate, hour: number, timeZone: string): Date {
  const parts = parseIsoDate(date);
  if (!parts) throw new RangeError(`Not a date in the form YYYY-MM-DD: "${date}"`);
  const wall = Date.UTC(parts.year, parts.month - 1, parts.day, hour);
  const first = wall - zoneOffset(new Date(wall), timeZone);
  const second = wall - zoneOffset(new Date(first), timeZone);
  const shows = (t: number) => {
    const w = wallClock(new Date(t), timeZone);
    return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute) === wall;
  };
  if (shows(second)) return new Date(second);
  if (shows(first)) return new Date(first);
  // The hour does not exist that day (clocks jumped over it): the first moment after the jump.
  return new Date(Math.max(first, second));
}

/** Whether a date is a working day: a business calendar's answer, or Mon–Fri by default. */
export type WorkingDayTest = (date: IsoDate) => boolean;

export const weekdaysOnly: WorkingDayTest = (date) => !isWeekend(date);

/** The wall-clock date, hour and minute of an instant in an IANA time zone. */
export function localTime(instant: Date, timeZone: string): { date: IsoDate; hour: number; minute: number } {
  if (Number.isNaN(instant.getTime())) throw new RangeError("Invalid instant");
  const w = wallClock(instant, timeZone);
  return { date: formatIsoDate(w.year, w.month, w.day), hour: w.hour, minute: w.minute };
}

/**
 * The first moment at or after `now` inside working hours in `timeZone` on a working day:
 * `now` itself when it already is one.
 */
export function nextWorkingMoment(
  now: Date,
  timeZone: string,
  isWorkingDay: WorkingDayTest = weekdaysOnly,
  hours: { start: number; end: number } = workingHours,
): Date {
  const today = localDate(now, timeZone);
  if (isWorkingDay(today)) {
    const { hour } = wallClock(now, timeZone);
    if (hour >= hours.start && hour < hours.end) return now;
    if (hour < hours.start) return instantAt(today, hours.start, timeZone);
  }
  let date = addDays(today, 1);
  for (let i = 0; i < 370 && !isWorkingDay(date); i++) date = addDays(date, 1);
  return instantAt(date, hours.start, timeZone);
}
