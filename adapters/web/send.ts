import type { CardNode } from "../../cards/model.ts";
import { cardForNotification } from "../../cards/templates/notifications.ts";
import { type Locale, translate } from "../../core/messages/index.ts";
import type { NotificationSender, OutgoingMessage } from "../../core/notifications/delivery.ts";

/** Where the web chat keeps a person's messages (db/web-messages.ts behind it, wired in adapters/http). */
export type WebChatStore = {
  /**
   * Stores a bot card in the person's web chat once per `sourceKey`: a repeat finds the stored
   * message and changes nothing (`created: false`).
   */
  deliver(input: {
    principal: string;
    card: CardNode;
    kind: string;
    sourceKey: string;
  }): Promise<{ id: number; created: boolean }>;
  /** The language the person reads (their directory locale; zh-CN when unknown). */
  localeOf(principal: string): Promise<Locale>;
};

/** The idempotency key of a notification in the web chat: its outbox row(s). */
export function outboxSourceKey(message: OutgoingMessage): string {
  return `outbox:${message.items.map((item) => item.outboxId).join(",")}`;
}

/**
 * The web surface's `person` sender: a notification for a person becomes a bot message in that
 * person's web chat (the card of `cardForNotification`, in their language), stored once per outbox
 * row however often the dispatcher retries; then `next` (the recording sink, or a chat surface)
 * delivers it too, and its reference is kept. Other recipient types go straight to `next`.
 */
export function webPersonSender(store: WebChatStore, next: NotificationSender): NotificationSender {
  return {
    async send(message) {
      if (message.recipient.type !== "person") return next.send(message);
      const { principal } = message.recipient;
      const locale = await store.localeOf(principal);
      const card = cardForNotification(message.kind, message.data, { locale, t: translate });
      const stored = await store.deliver({
        principal,
        card,
        kind: message.kind,
        sourceKey: outboxSourceKey(message),
      });
      const result = await next.send(message);
      return { reference: result.reference ?? `web:${stored.id}` };
    },
  };
}
