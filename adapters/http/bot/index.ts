import type { BotHandler } from "../../../bots/reply.ts";
import { help } from "../../../cards/templates/general.ts";
import { translate } from "../../../core/messages/index.ts";
import type { ModuleServices } from "../services.ts";

/**
 * The HR bot wired to the core commands (conversation state in the database, the inbox first).
 * PLACEHOLDER: answers every event with the help card until the bot module lands.
 */
export function createBot(_services: ModuleServices): BotHandler {
  return {
    async receive(event) {
      const locale = event.locale ?? "zh-CN";
      return {
        duplicate: false,
        replies: [{ type: "reply", card: help({ roles: ["employee"] }, { locale, t: translate }) }],
      };
    },
  };
}
