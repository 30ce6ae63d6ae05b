import { addDays, addMonths, type IsoDate } from "../compliance/dates.ts";

/** Recertification starts this many days before a certificate lapses. */
export const recertificationLeadDays = 30;

/**
 * The last day a certificate is valid: `validityMonths` after the day it was issued, by Civil Code
 * Art. 202 (the corresponding day of the final month, or that month's last day when it has none:
 * issued 2026-08-31 for 6 months → valid through 2027-02-28).
 */
export function certificateValidThrough(issuedOn: IsoDate, validityMonths: number): IsoDate {
  return addMonths(issuedOn, validityMonths);
}

/** Valid on `today` when today is not after its last day. */
export function isCertificateValid(validThrough: IsoDate, today: IsoDate): boolean {
  return today <= validThrough;
}

/** From this day on, a new assignment asks the holder to recertify before the certificate lapses. */
export function recertificationOpensOn(validThrough: IsoDate): IsoDate {
  return addDays(validThrough, -recertificationLeadDays);
}
