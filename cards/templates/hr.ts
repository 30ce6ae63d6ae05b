import { Actions, Button, Card, type CardNode, Fields, Text } from "../model.ts";
import { type CardContext, field, type MessageKey } from "./context.ts";

const alertKeys: Record<string, MessageKey> = {
  "certificate.unissued": "card.hr_alert.certificate.unissued",
  "calendar.provisional": "card.hr_alert.calendar.provisional",
  "outbox.dead": "card.hr_alert.outbox.dead",
  "inbox.dead": "card.hr_alert.inbox.dead",
  "connector.action.failed": "card.hr_alert.connector.action.failed",
  "teams.not_installed": "card.hr_alert.teams.not_installed",
};

export type HrAlertData = {
  /** The alert's code, e.g. `certificate.unissued`; an unknown one gets a general text. */
  alert: string;
  caseId?: string;
  employee?: string;
  date?: string;
  plannedLastDay?: string;
  daysLate?: number;
  reason?: string;
};

/** An alert for HR's channel or people (legal dates, dead letters, connectors, the calendar). */
export function hrAlert(data: HrAlertData, ctx: CardContext): CardNode {
  const { t, locale } = ctx;
  const key = alertKeys[data.alert] ?? "card.hr_alert.other";
  return Card({ title: t(locale, "card.hr_alert.title"), tone: "danger" }, [
    Text(t(locale, key)),
    Fields([
      field(ctx, "card.field.case", data.caseId),
      field(ctx, "card.field.employee", data.employee),
      field(ctx, "card.field.date", data.date),
      field(ctx, "card.field.planned_last_day", data.plannedLastDay),
      field(ctx, "card.field.days_late", data.daysLate),
      field(ctx, "card.field.reason", data.reason),
    ]),
    data.caseId !== undefined &&
      Actions([Button(t(locale, "card.open"), "case.open", { value: data.caseId })]),
  ]);
}

export type HrDigestData = {
  date: string;
  /** Sections by name, each plain counts or ids (the digest goes to a group chat). */
  sections: { name: string; facts: { label: string; value: string | number }[] }[];
  chainHead?: string;
};

/** HR's daily digest for one bound channel. */
export function hrDigest(data: HrDigestData, ctx: CardContext): CardNode {
  const { t, locale } = ctx;
  const sections = data.sections.filter((s) => s.facts.length > 0);
  return Card({ title: t(locale, "card.hr_digest.title", { date: data.date }), tone: "info" }, [
    sections.length === 0 && Text(t(locale, "card.hr_digest.empty")),
    ...sections.flatMap((s) => [
      Text(s.name),
      Fields(s.facts.map((f) => ({ label: f.label, value: String(f.value) }))),
    ]),
    Fields([field(ctx, "card.field.chain_head", data.chainHead)]),
  ]);
}
