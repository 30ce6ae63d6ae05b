import { formatIsoDate, type IsoDate } from "../compliance/dates.ts";

/** The wall-clock date and time of an instant in an IANA time zone. */
export type LocalTime = { date: IsoDate; hour: number; minute: number };

export function localTime(instant: Date, timeZone: string): LocalTime {
  if (Number.isNaN(instant.getTime())) throw new RangeError("Invalid instant");
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

/** True from `hour`:`minute` local time on (until midnight): a daily job that missed its minute still runs that day. */
export function isAtOrAfter(local: LocalTime, hour: number, minute = 0): boolean {
  return local.hour > hour || (local.hour === hour && local.minute >= minute);
}
