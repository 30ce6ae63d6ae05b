import { Card, type CardNode, Fields, Markdown, Text } from "../model.ts";
import type { CardContext } from "./context.ts";

export type HelpData = { roles: ("employee" | "manager" | "hr" | "finance")[] };

/** The commands a person can use, by their roles. */
export function help(data: HelpData, ctx: CardContext): CardNode {
  const { t, locale } = ctx;
  return Card({ title: t(locale, "card.help.title"), tone: "info" }, [
    Markdown(t(locale, "card.help.employee")),
    data.roles.includes("manager") && Markdown(t(locale, "card.help.manager")),
    data.roles.includes("hr") && Markdown(t(locale, "card.help.hr")),
    data.roles.includes("finance") && !data.roles.includes("hr") && Markdown(t(locale, "card.help.finance")),
  ]);
}

/** The refusal shown for a click or command the person may not use; nothing changed. */
export function notAllowed(_data: Record<string, never>, ctx: CardContext): CardNode {
  const { t, locale } = ctx;
  return Card({ title: t(locale, "card.not_allowed.title"), tone: "danger" }, [
    Text(t(locale, "card.not_allowed.body")),
  ]);
}

export type GenericData = { facts?: { label: string; value: string }[] };

/** A plain card for a notification kind no template knows. */
export function genericNotification(data: GenericData, ctx: CardContext): CardNode {
  const { t, locale } = ctx;
  return Card({ title: t(locale, "card.generic.title"), tone: "info" }, [
    Text(t(locale, "card.generic.body")),
    data.facts && data.facts.length > 0 && Fields(data.facts),
  ]);
}
