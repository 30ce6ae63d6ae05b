import { z } from "zod";

/**
 * Structured terms that agreements (front matter) and offboarding templates declare, so the
 * linter can check them against the law. Durations are whole days or months, money is in fen.
 * Kinds, categories and gate names are open strings on purpose: an unlawful value (a penalty for
 * short notice, a non-compete for "all staff") is a finding naming its article, not a schema error.
 */

/** Staff a non-compete may bind (Labor Contract Law Art. 24 para 1). */
export const nonCompeteCategories = ["senior-manager", "senior-technical", "confidentiality-duty"] as const;
export type NonCompeteCategory = (typeof nonCompeteCategories)[number];

export function isNonCompeteCategory(value: string): value is NonCompeteCategory {
  return (nonCompeteCategories as readonly string[]).includes(value);
}

/** Penalty (违约金) kinds the law allows: Art. 22 (training service period) and Art. 23 (non-compete). */
export const lawfulPenaltyKinds = ["training-service-period", "non-compete"] as const;

/**
 * What a gate may hold back. The legal ones must not wait for anything (`certificate`, `transfer`:
 * Art. 50; `last-day`, `resignation`: Art. 37; `final-wages`: Wage Payment Provisions Art. 9);
 * `severance` may wait for the handover only (Art. 50 para 2); anything else (`step:handover`, …)
 * is an internal step, which Baton may gate.
 */
export const legalGateTargets = [
  "certificate",
  "transfer",
  "last-day",
  "resignation",
  "final-wages",
] as const;

const text = z.string().trim().min(1).max(2000);
const name = z.string().trim().min(1).max(80);
const fen = z.number().int().min(0).max(1e12);
const wholeDays = z.number().int().min(0).max(3650);
const wholeMonths = z.number().int().min(0).max(1200);

const appliesTo = z
  .object({
    /** Roles (`engineering`, `sales`, …) the document is for. */
    roles: z.array(name).max(50).optional(),
    /** Art. 24 categories of the staff it binds (`senior-manager`, `senior-technical`, `confidentiality-duty`). */
    positionCategories: z.array(name).max(20).optional(),
    /** For staff in probation (3 days' notice, Art. 37). */
    probation: z.boolean().optional(),
  })
  .strict();

const noticePeriod = z
  .object({ days: wholeDays.optional(), months: wholeMonths.optional(), basis: text.optional() })
  .strict()
  .refine((v) => v.days !== undefined || v.months !== undefined, {
    message: "give days or months",
  });

/** 脱密期: a post change for staff holding trade secrets before the contract ends (劳部发〔1996〕355号 Art. 2). */
const declassificationPeriod = z.object({ months: wholeMonths, basis: text.optional() }).strict();

const nonCompete = z
  .object({
    months: wholeMonths,
    /** Agreed monthly compensation after exit, in fen. */
    monthlyPayFen: fen.optional(),
    /** Or agreed as a percentage of the 12-month average wage. */
    monthlyPayPercent: z.number().min(0).max(1000).optional(),
    /** Art. 24 categories it binds; defaults to `appliesTo.positionCategories`. */
    binds: z.array(name).min(1).max(20).optional(),
    /** Compensation folded into pay while employed instead of paid monthly after exit (Art. 23). */
    paidDuringEmployment: z.boolean().optional(),
  })
  .strict();

const penalty = z
  .object({
    /** `training-service-period` (Art. 22), `non-compete` (Art. 23), or anything else (void, Art. 25). */
    kind: name,
    amountFen: fen.optional(),
    /** For a service-period penalty: the documented training cost (Regs Art. 16). */
    trainingCostFen: fen.optional(),
    basis: text.optional(),
  })
  .strict();

const gate = z
  .object({
    /** What waits: `certificate`, `transfer`, `last-day`, `resignation`, `final-wages`, `severance`, or `step:<key>`. */
    target: name,
    /** What it waits for: `handover`, `training`, `settlement`, `agreement`, `approval`, … */
    waitsFor: z.array(name).min(1).max(20),
    /** `legal-date`: the gate lifts at the legal date at the latest, so it only nudges. */
    until: z.enum(["legal-date"]).optional(),
  })
  .strict();

const processingDelay = z
  .object({
    /** What is delayed: `resignation`, `last-day`, `certificate`, `transfer`. */
    what: name,
    days: wholeDays.optional(),
    months: wholeMonths.optional(),
    condition: text.optional(),
  })
  .strict()
  .refine((v) => v.days !== undefined || v.months !== undefined, { message: "give days or months" });

export const termsSchema = z
  .object({
    appliesTo: appliesTo.optional(),
    noticePeriod: noticePeriod.optional(),
    declassificationPeriod: declassificationPeriod.optional(),
    nonCompete: nonCompete.optional(),
    penalties: z.array(penalty).max(50).optional(),
    gates: z.array(gate).max(100).optional(),
    processingDelays: z.array(processingDelay).max(50).optional(),
  })
  .strict();

export type Terms = z.output<typeof termsSchema>;
export type Gate = z.output<typeof gate>;

/** The keys of `termsSchema`, which a front matter may carry at its top level beside its own metadata. */
export const termKeys = Object.keys(termsSchema.shape) as (keyof Terms)[];
