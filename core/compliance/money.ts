/** Money is in fen (1/100 yuan), as safe integers, so sums are exact. */
export type Fen = number;

/** What a money rule answers: the amount, the article it applies, what it was given and how it got there. */
export type MoneyResult<Inputs, Details> = {
  amountFen: Fen;
  article: string;
  inputs: Inputs;
  details: Details;
};

export function assertFen(name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${name} must be a whole number of fen ≥ 0, got ${value}`);
  }
}

/** numerator ÷ denominator rounded to the nearest fen, halves up (both ≥ 0). */
export function divideRounded(numerator: number, denominator: number): Fen {
  const quotient = Math.floor(numerator / denominator);
  const remainder = numerator - quotient * denominator;
  return remainder * 2 >= denominator ? quotient + 1 : quotient;
}
