import { parsePrincipal } from "../access/principal.ts";
import type { IsoDate } from "../compliance/dates.ts";
import type { Actor } from "../directory/permissions.ts";
import type { Notification } from "../notifications/notification.ts";

/**
 * Who may issue or revoke a separation certificate (DESIGN §9: only HR issues certificates). A
 * person must have the `hr` function; a system may, through an API key with `cases:admin` — it acts
 * for HR and the key's scope is what limits it. Nobody acts on their own case.
 */
export function certificateRefusal(
  actor: Actor,
  employeeExternalId: string,
): "hr_only" | "own_case" | undefined {
  const parsed = parsePrincipal(actor.principal);
  if (!parsed) return "hr_only";
  if (parsed.kind === "system") return undefined;
  if (parsed.kind !== "employee" || !actor.functions.includes("hr")) return "hr_only";
  return parsed.id === employeeExternalId ? "own_case" : undefined;
}

/**
 * LCL Art. 50 para 1: the certificate is issued at termination — on the last day of employment or
 * after, never before (the contract still runs, and a certificate dated earlier would say it
 * ended when it had not). Nothing else gates it: an open handover or settlement never does.
 */
export function certificateDue(plannedLastDay: IsoDate, today: IsoDate): boolean {
  return today >= plannedLastDay;
}

export type UnissuedCase = {
  caseId: string;
  employeeExternalId: string;
  entityId: string | null;
  plannedLastDay: IsoDate;
  /** Today in the case's time zone. */
  today: IsoDate;
  /** The HR person who owns the `procedures` step, and their manager. */
  hrOwner: string | null;
  hrOwnerManager: string | null;
};

/**
 * The alerts for a case whose last day has come with no certificate: HR's channel, the HR owner of
 * `procedures` and that person's manager — once per case and day (the dedupe key carries the day),
 * never held back for working hours (urgency `legal`).
 */
export function unissuedCertificateAlerts(input: UnissuedCase): Notification[] {
  if (!certificateDue(input.plannedLastDay, input.today)) return [];
  const data = {
    alert: "certificate.unissued",
    caseId: input.caseId,
    employee: input.employeeExternalId,
    plannedLastDay: input.plannedLastDay,
    daysLate: Math.round(
      (Date.parse(`${input.today}T00:00:00Z`) - Date.parse(`${input.plannedLastDay}T00:00:00Z`)) / 86_400_000,
    ),
    article: "LCL Art. 50",
  };
  const key = (who: string) => `certificate.unissued:${input.caseId}:${input.today}:${who}`;
  const alerts: Notification[] = [
    {
      kind: "hr.alert",
      recipient: { type: "channel", purpose: "hr", ...(input.entityId ? { entityId: input.entityId } : {}) },
      data,
      dedupeKey: key("hr-channel"),
      urgency: "legal",
    },
  ];
  const people = [
    [input.hrOwner, "owner"],
    [input.hrOwnerManager, "owner-manager"],
  ] as const;
  for (const [principal, role] of people) {
    if (
      !principal ||
      alerts.some((a) => a.recipient.type === "person" && a.recipient.principal === principal)
    ) {
      continue;
    }
    alerts.push({
      kind: "hr.alert",
      recipient: { type: "person", principal },
      data: { ...data, role },
      dedupeKey: key(principal),
      urgency: "legal",
    });
  }
  return alerts;
}
