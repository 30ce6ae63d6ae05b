/**
 * The few cards only the bot shows (a message, a confirmation, HR's case list). Everything else
 * comes from cards/templates. Texts arrive translated; people's names are shown as plain text.
 */

import { Actions, Button, Card, type CardNode, Fields, Text, type Tone } from "../cards/model.ts";
import { type CardContext, field } from "../cards/templates/context.ts";

/** A card with a title and one plain-text message. */
export function messageCard(
  _ctx: CardContext,
  data: { title: string; body: string; tone: Tone; facts?: { label: string; value: string }[] },
): CardNode {
  return Card({ title: data.title, tone: data.tone }, [
    Text(data.body),
    data.facts !== undefined && data.facts.length > 0 && Fields(data.facts),
  ]);
}

/** A confirmation that something was recorded, with the case it belongs to. */
export function doneCard(ctx: CardContext, data: { title: string; body: string; caseId: string }): CardNode {
  return Card({ title: data.title, tone: "success" }, [
    Text(data.body),
    Fields([field(ctx, "card.field.case", data.caseId)]),
    Actions([Button(ctx.t(ctx.locale, "card.open"), "case.open", { value: data.caseId })]),
  ]);
}

export type CaseLine = { caseId: string; label: string; value: string };

/** HR's list of cases: one line each, an open button for the first few. */
export function caseListCard(
  ctx: CardContext,
  data: { title: string; empty: string; more?: string; lines: CaseLine[]; buttons: number },
): CardNode {
  const { lines } = data;
  return Card({ title: data.title, tone: "info" }, [
    lines.length === 0 && Text(data.empty),
    lines.length > 0 && Fields(lines.map((l) => ({ label: l.label, value: l.value }))),
    data.more !== undefined && Text(data.more),
    lines.length > 0 &&
      data.buttons > 0 &&
      Actions(
        lines
          .slice(0, data.buttons)
          .map((l) =>
            Button(`${ctx.t(ctx.locale, "card.open")}: ${l.label}`, "case.open", { value: l.caseId }),
          ),
      ),
  ]);
}
