import { z } from "zod";

/** The outbox kind of Baton's call to finance when the settlement step starts. */
export const financeSettlementKind = "connector.finance.settlement-check";

export type FinanceSettlementData = { caseId: string; employeeExternalId: string; plannedLastDay: string };

/** Baton → finance: what does the leaver still owe (expenses, loans, advances), as of the last day? */
export function financeSettlementRequest(data: FinanceSettlementData, at: Date) {
  return {
    type: "settlement.check_requested",
    timestamp: at.toISOString(),
    data: { caseId: data.caseId, employeeExternalId: data.employeeExternalId, lastDay: data.plannedLastDay },
  };
}

const fen = z.number().int().min(0).max(1e12);

const item = z.object({
  id: z.string().min(1).max(128),
  description: z.string().min(1).max(300),
  amountFen: fen,
  kind: z.enum(["expense", "loan", "advance", "equipment", "other"]).default("other"),
});

/**
 * Finance → Baton: items the employee still owes, or "settled" (nothing outstanding). Either may
 * carry the final wages through the last day from payroll.
 */
export const financeEvent = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("settlement.outstanding"),
    caseId: z.string().min(1).max(64),
    items: z.array(item).min(1).max(200),
    finalWagesFen: fen.optional(),
  }),
  z.object({
    type: z.literal("settlement.settled"),
    caseId: z.string().min(1).max(64),
    finalWagesFen: fen.optional(),
  }),
]);

export type FinanceEvent = z.output<typeof financeEvent>;
