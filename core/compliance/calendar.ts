import { compareDates, fromDayNumber, type IsoDate, isIsoDate, toDayNumber, yearOf } from "./dates.ts";

export type OverrideKind = "work" | "rest";

/** An HR decision for one date in one region: a company rest day, or a day worked. */
export type CalendarOverride = { date: IsoDate; kind: OverrideKind; reason: string };

/** Stable ids of the CN public holidays (the catalogue names them as `calendar.holiday.<key>`). */
export const holidayKeys = [
  "new_year",
  "spring_festival",
  "qingming",
  "labour_day",
  "dragon_boat",
  "mid_autumn",
  "national_day",
  "victory_day",
] as const;
export type HolidayKey = (typeof holidayKeys)[number];

/** What a calendar says about one date. */
export type DayInfo = {
  date: IsoDate;
  workingDay: boolean;
  /** The public holiday (or holiday block) this date belongs to, in English. */
  holiday?: string;
  holidayKey?: HolidayKey;
  /** A weekend day worked to make up for a holiday block (调休上班). */
  makeUpWorkday?: true;
  /** An HR override decided this date. */
  override?: { kind: OverrideKind; reason: string };
  /** The year's official schedule is not known yet; only the fixed statutory holidays are filled in. */
  provisional?: true;
};

export interface BusinessCalendar {
  readonly region: string;
  /** The first and last date this calendar can answer for. */
  readonly range: { first: IsoDate; last: IsoDate };
  isWorkingDay(date: IsoDate): DayInfo;
  /**
   * The n-th working day strictly after `from` (R6), even when `from` is itself a rest day.
   * n = 0 answers `from` unchanged: zero working days after D is D ("due at once").
   */
  addWorkingDays(from: IsoDate, n: number): IsoDate;
  /** The n-th working day strictly before `from`; n = 0 answers `from`. */
  subtractWorkingDays(from: IsoDate, n: number): IsoDate;
  /** The first working day strictly after `date` (= addWorkingDays(date, 1)). */
  nextWorkingDay(date: IsoDate): IsoDate;
  /**
   * A public rest day in the sense of Civil Code Art. 203 — a weekend or a day inside a holiday
   * block; make-up working days are not rest days. HR overrides are company decisions, not public
   * rest days, so they do not count here.
   */
  isRestDay(date: IsoDate): boolean;
  /** True when the date's year has no official schedule yet. */
  isProvisional(date: IsoDate): boolean;
}

/** A date outside what a calendar can answer for. */
export class CalendarRangeError extends RangeError {
  readonly date: string;
  readonly first: IsoDate;
  readonly last: IsoDate;

  constructor(date: string, range: { first: IsoDate; last: IsoDate }) {
    super(`${date} is outside the calendar (${range.first} to ${range.last})`);
    this.name = "CalendarRangeError";
    this.date = date;
    this.first = range.first;
    this.last = range.last;
  }
}

/** The parts a concrete calendar supplies; `calendarFrom` builds the rest. */
export type CalendarCore = {
  region: string;
  range: { first: IsoDate; last: IsoDate };
  /** Called only with real dates inside the range. */
  day(date: IsoDate): DayInfo;
  publicRestDay(date: IsoDate): boolean;
  provisionalYear(year: number): boolean;
};

function assertCount(n: number): void {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`Not a whole number ≥ 0: ${n}`);
}

/** Applies overrides to a day as the base calendar sees it. */
export function applyOverride(info: DayInfo, override: CalendarOverride | undefined): DayInfo {
  if (!override) return info;
  return {
    ...info,
    workingDay: override.kind === "work",
    override: { kind: override.kind, reason: override.reason },
  };
}

export function overrideIndex(overrides: readonly CalendarOverride[]): Map<IsoDate, CalendarOverride> {
  const index = new Map<IsoDate, CalendarOverride>();
  for (const override of overrides) {
    if (!isIsoDate(override.date)) throw new RangeError(`Override date is not a date: "${override.date}"`);
    index.set(override.date, override);
  }
  return index;
}

export function calendarFrom(core: CalendarCore): BusinessCalendar {
  const first = toDayNumber(core.range.first);
  const last = toDayNumber(core.range.last);
  const checked = (date: IsoDate): number => {
    if (!isIsoDate(date)) throw new RangeError(`Not a date in the form YYYY-MM-DD: "${date}"`);
    const n = toDayNumber(date);
    if (n < first || n > last) throw new CalendarRangeError(date, core.range);
    return n;
  };
  const working = (n: number): boolean => {
    if (n < first || n > last) throw new CalendarRangeError(fromDayNumber(n), core.range);
    return core.day(fromDayNumber(n)).workingDay;
  };
  const step = (from: IsoDate, n: number, direction: 1 | -1): IsoDate => {
    assertCount(n);
    let day = checked(from);
    let left = n;
    while (left > 0) {
      day += direction;
      if (working(day)) left--;
    }
    return fromDayNumber(day);
  };
  const calendar: BusinessCalendar = {
    region: core.region,
    range: core.range,
    isWorkingDay: (date) => {
      checked(date);
      return core.day(date);
    },
    addWorkingDays: (from, n) => step(from, n, 1),
    subtractWorkingDays: (from, n) => step(from, n, -1),
    nextWorkingDay: (date) => step(date, 1, 1),
    isRestDay: (date) => {
      checked(date);
      return core.publicRestDay(date);
    },
    isProvisional: (date) => {
      checked(date);
      return core.provisionalYear(yearOf(date));
    },
  };
  return calendar;
}

/** The provisional years among the dates from `from` to `to` (either order), for marking answers. */
export function provisionalYears(calendar: BusinessCalendar, from: IsoDate, to: IsoDate): number[] {
  const [a, b] = compareDates(from, to) <= 0 ? [from, to] : [to, from];
  const years: number[] = [];
  for (let year = yearOf(a); year <= yearOf(b); year++) {
    const probe = year === yearOf(a) ? a : `${String(year).padStart(4, "0")}-01-01`;
    if (calendar.isProvisional(probe)) years.push(year);
  }
  return years;
}
