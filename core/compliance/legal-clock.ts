import { type BusinessCalendar, provisionalYears } from "./calendar.ts";
import { addDays, dateInTimeZone, type IsoDate } from "./dates.ts";

/** Notice periods of Labor Contract Law Art. 37, in calendar days. */
export const noticePeriodDays = { regular: 30, probation: 3 } as const;

/** Art. 50: personnel file and social-insurance transfer within 15 days of termination. */
export const transferPeriodDays = 15;

/**
 * The date a notice counts from (R2): the day it reached the employer (Civil Code Art. 137,
 * Electronic Signature Law Art. 11), as a calendar date in the employee's time zone.
 */
export function noticeDateOf(arrivedAt: Date, timeZone: string): IsoDate {
  return dateInTimeZone(arrivedAt, timeZone);
}

/**
 * The last day of employment after an Art. 37 notice (R1, R3): notice date + 30 calendar days,
 * + 3 in probation. The start day is not counted (Civil Code Art. 201), weekends and holidays
 * inside count, and the day is not moved off a rest day: Art. 203's extension is for deadlines to
 * act, and the notice period is a waiting period (R4 default).
 */
export function legalLastDay(noticeDate: IsoDate, probation: boolean): IsoDate {
  return addDays(noticeDate, probation ? noticePeriodDays.probation : noticePeriodDays.regular);
}

/**
 * Civil Code Art. 203 para 1 (R4): a period whose last day is a public rest day — a weekend or a
 * day in a holiday block, make-up working days excluded — ends on the first day after that is not
 * one. A last day that is not a rest day stays.
 */
export function extendPastRestDays(calendar: BusinessCalendar, lastDay: IsoDate): IsoDate {
  let day = lastDay;
  while (calendar.isRestDay(day)) day = addDays(day, 1);
  return day;
}

export type ExitDeadlines = {
  /** Art. 50 para 1, Regs Art. 24: the separation certificate is issued at termination. */
  certificateDue: IsoDate;
  /** Art. 50 para 1: termination + 15 calendar days, the start day not counted (CC Art. 201). */
  transferDue: IsoDate;
  /** `transferDue` moved off a public rest day (CC Art. 203); the same date when it is a working day. */
  transferDueExtended: IsoDate;
  /** Years whose schedule is provisional and that the extension depended on. */
  provisionalYears: number[];
};

/** The employer's deadlines at termination. Finishing by `transferDue` is the safe course. */
export function exitDeadlines(calendar: BusinessCalendar, terminationDate: IsoDate): ExitDeadlines {
  const transferDue = addDays(terminationDate, transferPeriodDays);
  const transferDueExtended = extendPastRestDays(calendar, transferDue);
  return {
    certificateDue: terminationDate,
    transferDue,
    transferDueExtended,
    provisionalYears: provisionalYears(calendar, transferDue, transferDueExtended),
  };
}

export type LegalClock = {
  noticeDate: IsoDate;
  probation: boolean;
  legalLastDay: IsoDate;
} & ExitDeadlines;

/** The Art. 37 clock with the Art. 50 deadlines that follow when the contract ends on the legal last day. */
export function legalClock(
  calendar: BusinessCalendar,
  input: { noticeDate: IsoDate; probation: boolean },
): LegalClock {
  const lastDay = legalLastDay(input.noticeDate, input.probation);
  return {
    noticeDate: input.noticeDate,
    probation: input.probation,
    legalLastDay: lastDay,
    ...exitDeadlines(calendar, lastDay),
  };
}
