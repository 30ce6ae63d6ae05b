import { isMessageKey, type Locale, type MessageKey, translate } from "../../../core/messages/index.ts";
import type { SeparationType } from "../../../core/offboarding/separation.ts";
import { templates } from "../../../core/offboarding/templates.ts";
import { financeGroup, hrGroup } from "../../../core/offboarding/transitions.ts";

/** Names of the things the console lists, in the reader's language. */

function keyed(locale: Locale, key: string, fallback: string): string {
  return isMessageKey(key) ? translate(locale, key) : fallback;
}

/** Every step key of the shipped templates, in template order. */
export const stepKeys: readonly string[] = [
  ...new Set(templates.flatMap((template) => template.steps.map((step) => step.key))),
];

export const stepName = (locale: Locale, key: string) => keyed(locale, `card.step.${key}`, key);

export const separationName = (locale: Locale, type: SeparationType) =>
  keyed(locale, `hr.type.${type}`, type);

export const caseStatusName = (locale: Locale, status: string) =>
  keyed(locale, `hr.status.${status}`, status);

export const stepStatusName = (locale: Locale, status: string) =>
  keyed(locale, `hr.step_status.${status}`, status);

export const outcomeName = (locale: Locale, outcome: string | null) =>
  outcome === null ? "" : keyed(locale, `hr.outcome.${outcome}`, outcome);

/** A step owner or actor: a person as "Name (E1100)", a group by its name, anything else as it is. */
export function whoName(
  locale: Locale,
  names: ReadonlyMap<string, string>,
  principal: string | null,
): string {
  if (principal === null) return "—";
  if (principal === hrGroup) return translate(locale, "hr.owner.hr");
  if (principal === financeGroup) return translate(locale, "hr.owner.finance");
  if (principal.startsWith("employee:")) {
    const id = principal.slice("employee:".length);
    const name = names.get(principal);
    return name ? `${name} (${id})` : id;
  }
  return principal;
}

export const yesNo = (locale: Locale, value: boolean) =>
  translate(locale, (value ? "hr.yes" : "hr.no") satisfies MessageKey);

/** The handover card's words for the template's checklist items (core/offboarding/templates.ts). */
const checklistItemKeys: Readonly<Record<string, MessageKey>> = {
  documents: "card.handover.item.documents",
  code: "card.handover.item.code",
  "customer-accounts": "card.handover.item.customer",
  equipment: "card.handover.item.equipment",
  accounts: "card.handover.item.accounts",
};

/**
 * A handover checklist item: a CRM account by the name CRM gave it (`crmNames`, item id → name),
 * a template item by its catalogue text, anything else by its id.
 */
export function checklistItemName(
  locale: Locale,
  item: string,
  crmNames: ReadonlyMap<string, string>,
): string {
  const crm = crmNames.get(item);
  if (crm !== undefined) return crm;
  const key = Object.hasOwn(checklistItemKeys, item) ? checklistItemKeys[item] : undefined;
  return key ? translate(locale, key) : item;
}
