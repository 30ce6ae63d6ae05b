import { z } from "zod";

/** The outbox kind of Baton's call to the CRM when the handover step starts. */
export const crmHandoverKind = "connector.crm.handover";

export type CrmHandoverData = { caseId: string; employeeExternalId: string; plannedLastDay: string };

/**
 * Baton → CRM: list the leaver's accounts (customers, opportunities) so they can be handed over,
 * and revoke the leaver's access at the end of `revokeAccessAt` (the last day).
 */
export function crmHandoverRequest(data: CrmHandoverData, at: Date) {
  return {
    type: "handover.requested",
    timestamp: at.toISOString(),
    data: {
      caseId: data.caseId,
      employeeExternalId: data.employeeExternalId,
      actions: ["list-accounts", "revoke-access"],
      revokeAccessAt: data.plannedLastDay,
    },
  };
}

const account = z.object({
  id: z.string().min(1).max(128),
  name: z.string().min(1).max(300),
  kind: z.string().max(60).optional(),
});

/** CRM → Baton: the accounts to hand over (they become checklist items), or that access is revoked. */
export const crmEvent = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("accounts.listed"),
    caseId: z.string().min(1).max(64),
    accounts: z.array(account).max(500),
  }),
  z.object({ type: z.literal("access.revoked"), caseId: z.string().min(1).max(64) }),
]);

export type CrmEvent = z.output<typeof crmEvent>;
