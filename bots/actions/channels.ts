/** `bind hr` / `绑定 HR`: HR makes an internal group an HR or finance channel (DESIGN §7). */

import { notAllowed } from "../../cards/templates/general.ts";
import type { ChannelPurpose } from "../../core/notifications/channels.ts";
import { mayBindChannels } from "../../core/notifications/channels.ts";
import { messageCard } from "../cards.ts";
import { type BotContext, guarded, say, show, tell } from "../context.ts";
import type { Reply } from "../reply.ts";
import { refusePrivileged } from "./privileged.ts";

export function bindChannel(ctx: BotContext, purpose: ChannelPurpose): Promise<Reply[]> {
  return guarded(ctx, async () => {
    const { event, person } = ctx;
    if (!mayBindChannels({ principal: person.principal, functions: person.functions })) {
      return [tell(event, notAllowed({}, ctx.cards))];
    }
    const refused = refusePrivileged(ctx);
    if (refused) return [refused];
    if (event.where.chatType !== "group") {
      return [say(ctx, ctx.text("bot.bind.group_only"), { tone: "warning" })];
    }
    if (event.where.external) return [say(ctx, ctx.text("bot.bind.external"), { tone: "warning" })];
    const { created } = await ctx.ports.channels.bind({
      platform: event.surface,
      channelId: event.where.chatId,
      purpose,
      actor: person.principal,
    });
    const what = ctx.text(purpose === "hr" ? "bot.bind.purpose_hr" : "bot.bind.purpose_finance");
    return [
      show(
        ctx,
        messageCard(ctx.cards, {
          title: ctx.text("bot.bind.done_title"),
          body: ctx.text(created ? "bot.bind.done" : "bot.bind.already", { purpose: what }),
          tone: "success",
        }),
        { personal: false },
      ),
    ];
  });
}
