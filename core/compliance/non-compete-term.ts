import { addDays, addMonths, type IsoDate } from "./dates.ts";
import type { Fen } from "./money.ts";

/** Art. 24: the restriction after exit may not exceed two years (24 months included, CC Art. 1259). */
export const maxRestrictionMonths = 24;
/** SPC-I Art. 38: compensation unpaid for three months lets the employee end the non-compete. */
export const unpaidMonthsThatLetEmployeeEnd = 3;
/** SPC-I Art. 39: the employer ending it early owes three more months' compensation. */
export const rescissionExtraMonths = 3;

/**
 * The last day of a restriction of `months` months whose first day is `startDate`: counted from
 * the day before (the event, not counted — Civil Code Art. 201) and ending on the corresponding
 * day of the final month, or that month's last day when it has none (Art. 202).
 * 2026-04-01 + 24 months → 2028-03-31; 2026-01-31 + 1 month → 2026-02-28.
 */
export function restrictionEndDate(startDate: IsoDate, months: number): IsoDate {
  return addMonths(addDays(startDate, -1), months);
}

/** The latest end a restriction may have after a last day of employment (Art. 24). */
export function latestRestrictionEnd(lastDay: IsoDate): IsoDate {
  return addMonths(lastDay, maxRestrictionMonths);
}

export type RestrictionPeriod = {
  /** 1-based. */
  index: number;
  from: IsoDate;
  to: IsoDate;
  /** The calendar month (YYYY-MM) the period ends in, when its pay falls due: how finance names it. */
  month: string;
};

/** The monthly periods of a restriction; the compensation for each is due by its last day (Art. 23: 按月). */
export function restrictionPeriods(startDate: IsoDate, months: number): RestrictionPeriod[] {
  const anchor = addDays(startDate, -1);
  const out: RestrictionPeriod[] = [];
  for (let i = 1; i <= months; i++) {
    const from = addDays(addMonths(anchor, i - 1), 1);
    const to = addMonths(anchor, i);
    out.push({ index: i, from, to, month: to.slice(0, 7) });
  }
  return out;
}

export type PeriodStanding = RestrictionPeriod & {
  paidFen: Fen;
  status: "paid" | "due" | "overdue" | "upcoming";
};

/**
 * Where each period stands on `today`: paid (in full), overdue (its last day has passed unpaid),
 * due (running now, or ending within `dueSoonDays`), or upcoming. A period ends the restriction
 * early when `endedOn` is before it.
 */
export function periodStandings(input: {
  periods: readonly RestrictionPeriod[];
  monthlyPayFen: Fen;
  paidByMonth: ReadonlyMap<string, Fen>;
  today: IsoDate;
  endedOn?: IsoDate | null;
}): PeriodStanding[] {
  return input.periods
    .filter((p) => !input.endedOn || p.from <= input.endedOn)
    .map((p) => {
      const paidFen = input.paidByMonth.get(p.month) ?? 0;
      const status =
        paidFen >= input.monthlyPayFen
          ? "paid"
          : input.today > p.to
            ? "overdue"
            : input.today >= p.from
              ? "due"
              : "upcoming";
      return { ...p, paidFen, status };
    });
}

/** SPC-I Art. 38: three months unpaid (counted in total) — the employee may end the non-compete. */
export function employeeMayEnd(standings: readonly PeriodStanding[]): boolean {
  return standings.filter((s) => s.status === "overdue").length >= unpaidMonthsThatLetEmployeeEnd;
}

/** SPC-I Art. 39: what the employer owes on top when it ends the restriction during its term. */
export function rescissionCompensationFen(monthlyPayFen: Fen): Fen {
  return monthlyPayFen * rescissionExtraMonths;
}

export type EnforcementRequest = {
  months: number;
  /** Agreed monthly pay; absent → the SPC-I Art. 36 default. */
  monthlyPayFen?: Fen;
  /** First day of the restriction; absent → the day after the last day. */
  startDate?: IsoDate;
};

export type EnforcementProblem =
  | { problem: "too_long"; months: number }
  | { problem: "start_before_exit"; startDate: IsoDate; lastDay: IsoDate }
  | { problem: "end_too_late"; endDate: IsoDate; latest: IsoDate }
  | { problem: "pay_below_default"; monthlyPayFen: Fen; defaultFen: Fen };

export type EnforcementPlan = {
  months: number;
  monthlyPayFen: Fen;
  startDate: IsoDate;
  endDate: IsoDate;
};

/**
 * Checks HR's enforcement of a non-compete at exit (Art. 24, SPC-I Art. 36) against the last day
 * and the default pay: at most 24 months, starting after the last day and ending within 24 months
 * of it, paying at least the default.
 */
export function planEnforcement(
  request: EnforcementRequest,
  context: { lastDay: IsoDate; defaultMonthlyPayFen: Fen },
): { plan: EnforcementPlan } | { problem: EnforcementProblem } {
  if (request.months > maxRestrictionMonths)
    return { problem: { problem: "too_long", months: request.months } };
  const startDate = request.startDate ?? addDays(context.lastDay, 1);
  if (startDate <= context.lastDay)
    return { problem: { problem: "start_before_exit", startDate, lastDay: context.lastDay } };
  const endDate = restrictionEndDate(startDate, request.months);
  const latest = latestRestrictionEnd(context.lastDay);
  if (endDate > latest) return { problem: { problem: "end_too_late", endDate, latest } };
  const monthlyPayFen = request.monthlyPayFen ?? context.defaultMonthlyPayFen;
  if (monthlyPayFen < context.defaultMonthlyPayFen)
    return {
      problem: { problem: "pay_below_default", monthlyPayFen, defaultFen: context.defaultMonthlyPayFen },
    };
  return { plan: { months: request.months, monthlyPayFen, startDate, endDate } };
}
