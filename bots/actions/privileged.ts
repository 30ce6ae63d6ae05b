import { Actions, Button } from "../../cards/model.ts";
import { messageCard } from "../cards.ts";
import { type BotContext, tell } from "../context.ts";
import type { Reply } from "../reply.ts";

/**
 * Surfaces whose signature does not cover the message itself (DingTalk signs only a timestamp):
 * privileged commands (`bind`, `cases`) are refused there (DESIGN §7) unless the surface has
 * authenticated the person itself — a signed link confirmed with a fresh login sets
 * `who.principal`. The refusal carries a `privileged.confirm` button (value: the command), which
 * such a surface turns into that confirmation link.
 */
export const unsignedMessageSurfaces: readonly string[] = ["dingtalk"];

/** The action of the confirmation button on a refusal. */
export const privilegedConfirmAction = "privileged.confirm";

/** The refusal for a privileged command on such a surface, or undefined where it may run. */
export function refusePrivileged(ctx: BotContext): Reply | undefined {
  if (!unsignedMessageSurfaces.includes(ctx.event.surface)) return undefined;
  if (ctx.event.who.principal !== undefined) return undefined;
  const command = ctx.event.type === "message" || ctx.event.type === "command" ? ctx.event.text.trim() : "";
  const card = messageCard(ctx.cards, {
    title: ctx.text("bot.privileged.title"),
    body: ctx.text("bot.privileged.unsigned_surface"),
    tone: "warning",
  });
  if (command !== "" && command.length <= 120)
    card.children.push(
      Actions([
        Button(ctx.text("link.confirm"), privilegedConfirmAction, { value: command, style: "primary" }),
      ]),
    );
  return tell(ctx.event, card);
}
