import { messageCard } from "../cards.ts";
import { type BotContext, tell } from "../context.ts";
import type { Reply } from "../reply.ts";

/**
 * Surfaces whose signature does not cover the message itself (DingTalk signs only a timestamp):
 * privileged commands (`bind`, `cases`) are refused there (DESIGN §7); HR uses the console or API.
 */
export const unsignedMessageSurfaces: readonly string[] = ["dingtalk"];

/** The refusal for a privileged command on such a surface, or undefined where it may run. */
export function refusePrivileged(ctx: BotContext): Reply | undefined {
  if (!unsignedMessageSurfaces.includes(ctx.event.surface)) return undefined;
  return tell(
    ctx.event,
    messageCard(ctx.cards, {
      title: ctx.text("bot.privileged.title"),
      body: ctx.text("bot.privileged.unsigned_surface"),
      tone: "warning",
    }),
  );
}
