import { negotiateLocale } from "../../core/messages/index.ts";
import type { SenderEntry } from "../../core/notifications/delivery.ts";
import { deliverBotCard, webChatPerson } from "../../db/web-messages.ts";
import { type WebChatStore, webPersonSender } from "../web/index.ts";
import type { Services } from "./services.ts";

type Deps = Pick<Services, "database" | "clock">;

/** The web chat's message store over the database (db/web-messages.ts). */
export function webChatStore({ database, clock }: Deps): WebChatStore {
  return {
    deliver: (input) => deliverBotCard(database.db, { ...input, now: clock.now() }),
    async localeOf(principal) {
      const person = await webChatPerson(database.db, principal);
      return negotiateLocale(person?.locale, "zh-CN");
    },
  };
}

/**
 * The `person` sender entry with the web chat in front of `next` (the recording sink): each
 * notification to a person also appears, once, as a card in their web chat. Keeps `next`'s rate.
 */
export function webPersonEntry(services: Deps, next: SenderEntry): SenderEntry {
  return { sender: webPersonSender(webChatStore(services), next.sender), rate: next.rate };
}
