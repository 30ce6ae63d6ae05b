/**
 * Calendar dates as "YYYY-MM-DD" strings (proleptic Gregorian, no time, no zone). All arithmetic
 * goes through day numbers, so it is exact and the same on every runtime.
 */
export type IsoDate = string;

const isoPattern = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** The parts of a well-formed, real date (2026-02-30 is not one), or undefined. */
export function parseIsoDate(value: string): { year: number; month: number; day: number } | undefined {
  const match = isoPattern.exec(value);
  if (!match) return undefined;
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  return { year, month, day };
}

export function isIsoDate(value: unknown): value is IsoDate {
  return typeof value === "string" && parseIsoDate(value) !== undefined;
}

function partsOf(date: IsoDate): { year: number; month: number; day: number } {
  const parts = parseIsoDate(date);
  if (!parts) throw new RangeError(`Not a date in the form YYYY-MM-DD: "${date}"`);
  return parts;
}

export function formatIsoDate(year: number, month: number, day: number): IsoDate {
  if (year < 0 || year > 9999) throw new RangeError(`Year ${year} is outside 0000–9999`);
  return `${String(year).padStart(4, "0")}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
}

/** Days since 1970-01-01 (H. Hinnant's days_from_civil). */
export function toDayNumber(date: IsoDate): number {
  const { year, month, day } = partsOf(date);
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

export function fromDayNumber(dayNumber: number): IsoDate {
  const z = dayNumber + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return formatIsoDate(yoe + era * 400 + (month <= 2 ? 1 : 0), month, day);
}

export function addDays(date: IsoDate, days: number): IsoDate {
  if (!Number.isSafeInteger(days)) throw new RangeError(`Not a whole number of days: ${days}`);
  return fromDayNumber(toDayNumber(date) + days);
}

/** `to − from` in calendar days. */
export function daysBetween(from: IsoDate, to: IsoDate): number {
  return toDayNumber(to) - toDayNumber(from);
}

/** 0 = Sunday … 6 = Saturday. */
export function dayOfWeek(date: IsoDate): number {
  return (((toDayNumber(date) + 4) % 7) + 7) % 7; // 1970-01-01 was a Thursday
}

export function isWeekend(date: IsoDate): boolean {
  const weekday = dayOfWeek(date);
  return weekday === 0 || weekday === 6;
}

export function yearOf(date: IsoDate): number {
  return partsOf(date).year;
}

/** Negative, zero or positive like a comparator; ISO strings of the same length sort as dates. */
export function compareDates(a: IsoDate, b: IsoDate): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function maxDate(a: IsoDate, b: IsoDate): IsoDate {
  return a >= b ? a : b;
}

export function minDate(a: IsoDate, b: IsoDate): IsoDate {
  return a <= b ? a : b;
}

/**
 * `n` months after `date` (R5, Civil Code Art. 202): the period ends on the corresponding day of
 * the final month, or on that month's last day when it has none (2026-01-31 + 1 → 2026-02-28).
 * `n` may be negative.
 */
export function addMonths(date: IsoDate, n: number): IsoDate {
  if (!Number.isSafeInteger(n)) throw new RangeError(`Not a whole number of months: ${n}`);
  const { year, month, day } = partsOf(date);
  const index = year * 12 + (month - 1) + n;
  const targetYear = Math.floor(index / 12);
  const targetMonth = index - targetYear * 12 + 1;
  return formatIsoDate(targetYear, targetMonth, Math.min(day, daysInMonth(targetYear, targetMonth)));
}

/** Every date from `from` to `to`, both included. */
export function* eachDate(from: IsoDate, to: IsoDate): Generator<IsoDate> {
  const last = toDayNumber(to);
  for (let n = toDayNumber(from); n <= last; n++) yield fromDayNumber(n);
}

const dateFormatters = new Map<string, Intl.DateTimeFormat>();

/** One formatter per zone (as local-time.ts): building an Intl.DateTimeFormat costs far more than using one. */
function dateFormatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = dateFormatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("en-US", {
      timeZone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      calendar: "gregory",
      numberingSystem: "latn",
    });
    if (dateFormatters.size >= 1000) dateFormatters.clear();
    dateFormatters.set(timeZone, formatter);
  }
  return formatter;
}

/** The calendar date of an instant in an IANA time zone (throws RangeError for an unknown zone). */
export function dateInTimeZone(instant: Date, timeZone: string): IsoDate {
  if (Number.isNaN(instant.getTime())) throw new RangeError("Invalid instant");
  const parts = dateFormatterFor(timeZone).formatToParts(instant);
  const part = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return formatIsoDate(part("year"), part("month"), part("day"));
}

/** True for an IANA time zone name the runtime knows, such as Asia/Shanghai. */
export function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: value });
    return true;
  } catch {
    return false;
  }
}
