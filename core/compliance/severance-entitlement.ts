import type { SeparationType } from "../offboarding/separation.ts";

/**
 * Facts beyond the separation type that decide whether severance is due. HR records them on the
 * case's settlement; absent ones are asked for when they matter.
 */
export type SeveranceFacts = {
  /** `mutual`: who proposed ending the contract — severance only when the employer did (Art. 46(2)). */
  mutualProposedBy?: "employer" | "employee";
  /**
   * `expiry`: the employer offered to renew on the same or better terms and the employee declined
   * (Art. 46(5)'s exception). Without that record severance is due.
   */
  renewalDeclinedOnEqualTerms?: boolean;
  /** `dismissal`: the ground — Art. 39 (the employee's fault, none), Art. 40 or Art. 41 (due). */
  dismissalArticle?: "39" | "40" | "41";
};

export const severanceArticles = [
  "law.lcl_art46",
  "law.lcl_art46_1",
  "law.lcl_art46_2",
  "law.lcl_art46_3",
  "law.lcl_art46_4",
  "law.lcl_art46_5",
  "law.lcl_art39",
] as const;
export type SeveranceArticle = (typeof severanceArticles)[number];

export type SeveranceEntitlement =
  | { due: true; article: SeveranceArticle }
  | { due: false; article: SeveranceArticle }
  /** A fact is needed first: which one. */
  | { due: "unknown"; missing: "mutualProposedBy" | "dismissalArticle" };

/**
 * Whether economic compensation (经济补偿) is due for a separation (Labor Contract Law Art. 46):
 * - `resignation` (Art. 37 notice): no — Art. 46 does not list it;
 * - `resignation-employer-fault` (Art. 38): yes, Art. 46(1);
 * - `mutual` (Art. 36): yes when the employer proposed it, Art. 46(2); no when the employee did;
 * - `expiry` (Art. 44(1)): yes, Art. 46(5), unless the employee declined a renewal on the same or
 *   better terms;
 * - `dismissal`: Art. 40 → Art. 46(3), Art. 41 → Art. 46(4); Art. 39 (the employee's fault) → no.
 */
export function severanceEntitlement(type: SeparationType, facts: SeveranceFacts): SeveranceEntitlement {
  switch (type) {
    case "resignation":
      return { due: false, article: "law.lcl_art46" };
    case "resignation-employer-fault":
      return { due: true, article: "law.lcl_art46_1" };
    case "mutual":
      if (!facts.mutualProposedBy) return { due: "unknown", missing: "mutualProposedBy" };
      return facts.mutualProposedBy === "employer"
        ? { due: true, article: "law.lcl_art46_2" }
        : { due: false, article: "law.lcl_art46_2" };
    case "expiry":
      return facts.renewalDeclinedOnEqualTerms
        ? { due: false, article: "law.lcl_art46_5" }
        : { due: true, article: "law.lcl_art46_5" };
    case "dismissal":
      switch (facts.dismissalArticle) {
        case undefined:
          return { due: "unknown", missing: "dismissalArticle" };
        case "39":
          return { due: false, article: "law.lcl_art39" };
        case "40":
          return { due: true, article: "law.lcl_art46_3" };
        case "41":
          return { due: true, article: "law.lcl_art46_4" };
      }
  }
}
