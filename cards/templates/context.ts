import type { Locale, MessageKey } from "../../core/messages/index.ts";

export type { Locale, MessageKey } from "../../core/messages/index.ts";

/**
 * The message catalogue's `translate` (core/messages): cards may import only core types, so the
 * caller passes the function in.
 */
export type Translate = (
  locale: Locale,
  key: MessageKey,
  params?: Readonly<Record<string, string | number>>,
) => string;

/** What every template needs besides its data. */
export type CardContext = { locale: Locale; t: Translate };

/** A label/value field from a catalogue label; absent values give no field. */
export function field(
  ctx: CardContext,
  key: MessageKey,
  value: string | number | undefined | null,
): { label: string; value: string } | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  return { label: ctx.t(ctx.locale, key), value: String(value) };
}

const stepKeys: Record<string, MessageKey> = {
  apply: "card.step.apply",
  acknowledge: "card.step.acknowledge",
  check: "card.step.check",
  handover: "card.step.handover",
  settlement: "card.step.settlement",
  procedures: "card.step.procedures",
  transfer: "card.step.transfer",
};

/** The name of an offboarding step in the locale (the key itself for a step of a custom template). */
export function stepName(ctx: CardContext, step: string): string {
  const key = stepKeys[step];
  return key ? ctx.t(ctx.locale, key) : step;
}

/** Escapes Markdown control characters in text that comes from people (names, titles). */
export function escapeMarkdown(text: string): string {
  return text.replace(/([\\`*_[\]()#>|~])/g, "\\$1");
}
