import { daysBetween, formatIsoDate, type IsoDate, maxDate, yearOf } from "./dates.ts";
import { assertFen, divideRounded, type Fen, type MoneyResult } from "./money.ts";

export type LeavePayInput = {
  terminationDate: IsoDate;
  /** First day with this employer in the termination year (the hire date, if hired that year). Default Jan 1. */
  periodStart?: IsoDate;
  /** The employee's annual leave for the whole year, in days (tenths allowed). */
  annualEntitlementDays: number;
  /** Annual leave already arranged this year, in days (tenths allowed). */
  takenDays: number;
  /** 12-month average monthly wage without overtime pay (Leave Measures Art. 11 para 2). */
  monthlyWageFen: Fen;
  /** The employee was offered leave and declined it in writing for their own reasons (Art. 10 para 2). */
  declinedInWriting?: boolean;
};

export type LeavePayDetails = {
  elapsedDays: number;
  /** (elapsed ÷ 365) × entitlement − taken, before dropping the fraction. */
  proratedUnusedDays: number;
  unusedDays: number;
  dailyWageFen: Fen;
  /** Per unused day, in % of the daily wage, still to pay at exit. */
  payablePercent: 0 | 200;
  /** The full Art. 10 remuneration (300%), of which the normal 100% was already paid as wages. */
  totalRemunerationFen: Fen;
};

function tenths(name: string, value: number): number {
  const scaled = Math.round(value * 10);
  if (!Number.isFinite(value) || value < 0 || value > 366 || Math.abs(scaled - value * 10) > 1e-6) {
    throw new RangeError(`${name} must be a number of days ≥ 0 in tenths, got ${value}`);
  }
  return scaled;
}

/**
 * Pay for unused annual leave at exit, Leave Measures (企业职工带薪年休假实施办法) Art. 12:
 * unused days = (calendar days elapsed this year with the employer ÷ 365) × entitlement − days
 * already taken; the fraction of a day is not paid, and excess leave taken is not clawed back
 * (never negative). The year is the calendar year (Art. 18); elapsed days count through the
 * termination date and at most 365.
 *
 * Our reading of the multiplier: Art. 10 sets the remuneration at 300% of the daily wage and says
 * it "includes the wage paid for normal working time". The unused days were worked and paid in the
 * monthly wage, so what is still owed at exit is 200% per day; `totalRemunerationFen` shows the 300%
 * figure. Daily wage = monthly wage ÷ 21.75 (Art. 11). If the employee declined arranged leave in
 * writing, only the normal wage is due (Art. 10 para 2), which was already paid: 0.
 */
export function unusedLeavePay(input: LeavePayInput): MoneyResult<LeavePayInput, LeavePayDetails> {
  assertFen("monthlyWageFen", input.monthlyWageFen);
  const entitlement = tenths("annualEntitlementDays", input.annualEntitlementDays);
  const taken = tenths("takenDays", input.takenDays);
  const yearStart = formatIsoDate(yearOf(input.terminationDate), 1, 1);
  const start = maxDate(yearStart, input.periodStart ?? yearStart);
  if (start > input.terminationDate) {
    throw new RangeError(
      `periodStart ${input.periodStart} is after the termination date ${input.terminationDate}`,
    );
  }
  const elapsedDays = Math.min(365, daysBetween(start, input.terminationDate) + 1);
  // In tenths of a day × 365, so the arithmetic stays in integers.
  const numerator = elapsedDays * entitlement - 365 * taken;
  const unusedDays = numerator > 0 ? Math.floor(numerator / 3650) : 0;
  const payablePercent = input.declinedInWriting ? 0 : 200;
  const dailyTimes87 = input.monthlyWageFen * 4; // monthly ÷ 21.75 = monthly × 4 ÷ 87
  return {
    amountFen: divideRounded(unusedDays * dailyTimes87 * (payablePercent / 100), 87),
    article: input.declinedInWriting
      ? "Leave Measures Art. 10 para 2"
      : "Leave Measures Art. 12 (Arts. 10, 11)",
    inputs: { ...input },
    details: {
      elapsedDays,
      proratedUnusedDays: Math.round((numerator / 3650) * 1000) / 1000,
      unusedDays,
      dailyWageFen: divideRounded(dailyTimes87, 87),
      payablePercent,
      totalRemunerationFen: divideRounded(unusedDays * dailyTimes87 * 3, 87),
    },
  };
}
