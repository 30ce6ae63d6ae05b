import { addDays, formatIsoDate, type IsoDate, isWeekend, parseIsoDate } from "../compliance/dates.ts";

/**
 * Messages to people go out in working hours, 09:00–19:00 on working days in their own time zone
 * (DESIGN §6). These helpers find the moment a training message may go out.
 */
export const workingHours = { start: 9, end: 19 } as const;

export type LocalClock = { date: IsoDate; hour: number; minute: number };

export function localClock(instant: Date, timeZone: string): LocalClock {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
    calendar: "gregory",
    numberingSystem: "latn",
  }).formatToParts(instant);
  const part = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return {
    date: formatIsoDate(part("year"), part("month"), part("day")),
    hour: part("hour"),
    minute: part("minute"),
  };
}

/** The instant it is `hour`:00 on `date` in the time zone (two passes settle any UTC offset). */
export function instantAtLocalHour(date: IsoDate, hour: number, timeZone: string): Date {
  const parts = parseIsoDate(date);
  if (!parts) throw new RangeError(`Not a date: ${date}`);
  const wanted = Date.UTC(parts.year, parts.month - 1, parts.day, hour);
  let guess = wanted;
  for (let i = 0; i < 2; i++) {
    const seen = localClock(new Date(guess), timeZone);
    const seenParts = parseIsoDate(seen.date) as { year: number; month: number; day: number };
    const seenUtc = Date.UTC(seenParts.year, seenParts.month - 1, seenParts.day, seen.hour, seen.minute);
    guess += wanted - seenUtc;
  }
  return new Date(guess);
}

export type WorkingDayTest = (date: IsoDate) => boolean;

export const weekdaysOnly: WorkingDayTest = (date) => !isWeekend(date);

/** When a message to a person may go out: now inside working hours, else the next start of them. */
export function nextWorkingMoment(
  now: Date,
  timeZone: string,
  isWorkingDay: WorkingDayTest = weekdaysOnly,
): Date {
  const local = localClock(now, timeZone);
  if (isWorkingDay(local.date) && local.hour >= workingHours.start && local.hour < workingHours.end)
    return now;
  let date = local.hour < workingHours.start ? local.date : addDays(local.date, 1);
  for (let i = 0; i < 60 && !isWorkingDay(date); i++) date = addDays(date, 1);
  return instantAtLocalHour(date, workingHours.start, timeZone);
}
