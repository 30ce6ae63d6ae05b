import { assertFen, divideRounded, type Fen, type MoneyResult } from "./money.ts";

export type NonCompetePayInput = {
  /** Average monthly wage of the 12 months before termination. */
  averageMonthlyWageFen: Fen;
  /** Minimum monthly wage where the contract was performed. */
  localMinimumMonthlyWageFen: Fen;
};

export type NonCompetePayDetails = { thirtyPercentFen: Fen; raisedToMinimumWage: boolean };

/**
 * Monthly non-compete compensation when a non-compete was agreed without an amount and the
 * employee keeps to it (SPC Interpretation I Art. 36, R8): 30% of the 12-month average wage, and
 * not less than the local minimum wage. An agreed amount is used as agreed instead.
 */
export function defaultNonCompeteMonthlyPay(
  input: NonCompetePayInput,
): MoneyResult<NonCompetePayInput, NonCompetePayDetails> {
  assertFen("averageMonthlyWageFen", input.averageMonthlyWageFen);
  assertFen("localMinimumMonthlyWageFen", input.localMinimumMonthlyWageFen);
  const thirtyPercentFen = divideRounded(input.averageMonthlyWageFen * 3, 10);
  const raisedToMinimumWage = thirtyPercentFen < input.localMinimumMonthlyWageFen;
  return {
    amountFen: raisedToMinimumWage ? input.localMinimumMonthlyWageFen : thirtyPercentFen,
    article: "SPC Interpretation I on labour disputes Art. 36",
    inputs: { ...input },
    details: { thirtyPercentFen, raisedToMinimumWage },
  };
}
