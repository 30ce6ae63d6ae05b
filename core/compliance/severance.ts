import { addDays, addMonths, daysBetween, type IsoDate, parseIsoDate } from "./dates.ts";
import { assertFen, divideRounded, type Fen, type MoneyResult } from "./money.ts";

export type ServiceLength = { fullYears: number; months: number; days: number };

/**
 * Length of service from the first day through the termination date, both worked: whole months
 * counted as in R5 (Civil Code Art. 202), then the days left over.
 */
export function serviceLength(serviceStartDate: IsoDate, terminationDate: IsoDate): ServiceLength {
  if (terminationDate < serviceStartDate) {
    throw new RangeError(
      `The termination date ${terminationDate} is before the service start ${serviceStartDate}`,
    );
  }
  const end = addDays(terminationDate, 1); // the day after the last day worked
  const s = parseIsoDate(serviceStartDate);
  const e = parseIsoDate(end);
  if (!s || !e) throw new RangeError("Not a date");
  let months = (e.year - s.year) * 12 + (e.month - s.month);
  if (addMonths(serviceStartDate, months) > end) months--;
  const days = daysBetween(addMonths(serviceStartDate, months), end);
  return { fullYears: Math.floor(months / 12), months: months % 12, days };
}

export type SeveranceInput = {
  serviceStartDate: IsoDate;
  terminationDate: IsoDate;
  /** Average monthly pay of the 12 months before termination, all cash pay (Art. 47 para 3, Regs Art. 27). */
  averageMonthlyWageFen: Fen;
  /** The local minimum monthly wage where the contract is performed. */
  localMinimumMonthlyWageFen: Fen;
  /** The city's published average monthly wage of the previous year (for the 3× cap). */
  localAverageMonthlyWageFen: Fen;
};

export type SeveranceDetails = {
  service: ServiceLength;
  /** Months of pay owed (0.5 steps) after the 12-year cap. */
  months: number;
  monthlyBaseFen: Fen;
  raisedToMinimumWage: boolean;
  cappedAtThreeTimesAverage: boolean;
  notes: string[];
};

/**
 * Economic compensation (经济补偿), Labor Contract Law Art. 47 — whether any is due depends on the
 * separation type (Art. 46), which the caller decides. One month's wage per full year of service;
 * a remainder of 6 months or more counts as a year, a shorter one (even a few days) as half a
 * month (R7; "以上" includes 6, Civil Code Art. 1259). The wage is the 12-month average, not below
 * the local minimum wage (Regs Art. 27). Above 3× the local average wage the base is 3× that
 * average and at most 12 years count.
 */
export function severance(input: SeveranceInput): MoneyResult<SeveranceInput, SeveranceDetails> {
  assertFen("averageMonthlyWageFen", input.averageMonthlyWageFen);
  assertFen("localMinimumMonthlyWageFen", input.localMinimumMonthlyWageFen);
  assertFen("localAverageMonthlyWageFen", input.localAverageMonthlyWageFen);
  const service = serviceLength(input.serviceStartDate, input.terminationDate);
  let halfMonths =
    service.fullYears * 2 + (service.months >= 6 ? 2 : service.months > 0 || service.days > 0 ? 1 : 0);
  const raisedToMinimumWage = input.averageMonthlyWageFen < input.localMinimumMonthlyWageFen;
  let base = Math.max(input.averageMonthlyWageFen, input.localMinimumMonthlyWageFen);
  const cap = 3 * input.localAverageMonthlyWageFen;
  const cappedAtThreeTimesAverage = base > cap;
  if (cappedAtThreeTimesAverage) {
    base = cap;
    halfMonths = Math.min(halfMonths, 24);
  }
  const notes: string[] = [];
  if (input.serviceStartDate < "2008-01-01") {
    notes.push("Service before 2008-01-01 falls under the transitional rule of Art. 97; have HR review it.");
  }
  return {
    amountFen: divideRounded(base * halfMonths, 2),
    article: "Labor Contract Law Art. 47 (Implementing Regulations Art. 27)",
    inputs: { ...input },
    details: {
      service,
      months: halfMonths / 2,
      monthlyBaseFen: base,
      raisedToMinimumWage,
      cappedAtThreeTimesAverage,
      notes,
    },
  };
}
