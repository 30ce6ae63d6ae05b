/**
 * Notifications to Teams (DESIGN §7; shared/reference/slack-teams.md §B4): proactive messages to
 * stored conversation references, through the {@link TeamsConnector}.
 *
 * - `person`: for people with a Teams identity, after `next` (the web chat copy and the recording
 *   sink — idempotent, so it goes first: a failed Teams post retried later shows nothing twice
 *   there), the card goes to their 1:1 chat: the stored reference, else a new chat opened with
 *   their `29:…` id. Teams refuses (403) when the Baton app is not installed for them; then the
 *   row is dead ({@link PermanentDeliveryError}) and HR is told, once a day per person, to install
 *   it (and that e-mail reaches the person meanwhile) — that alert only: the error says HR was told,
 *   so the dispatcher adds no "dead letter" alert for the row.
 * - `channel`: after `next` (the recording fan-out, which also waits while nothing is bound), each
 *   bound channel on platform `teams` whose reference Baton holds gets the card as a new post.
 * - Each post is remembered per outbox row and conversation, so a retry posts nowhere twice.
 * - 429 → {@link RateLimitedError} with its `Retry-After`; 5xx, 401, 404 and network errors are
 *   retried with backoff; other 4xx are permanent.
 */

import { cardForNotification } from "../../cards/templates/notifications.ts";
import { type Locale, negotiateLocale, translate } from "../../core/messages/index.ts";
import {
  type NotificationSender,
  type OutgoingMessage,
  PermanentDeliveryError,
  RateLimitedError,
} from "../../core/notifications/delivery.ts";
import type { Recipient } from "../../core/notifications/notification.ts";
import { TeamsApiError, type TeamsConnector, type TeamsReference } from "./gateway.ts";
import { baseConversationId, personalKey, type StoredReference, storedPersonal } from "./reference.ts";
import { renderActivity } from "./render.ts";

export type TeamsSendStore = {
  /** The Teams id an admin stored for the person (`29:…` or an Entra object id) and their newest 1:1 chat. */
  person(principal: string): Promise<{ teamsId: string; reference?: TeamsReference } | undefined>;
  /** Where to open a 1:1 chat with someone new: the tenant's newest service URL and the bot's id. */
  newChatPlace(): Promise<{ serviceUrl: string; tenantId?: string; botId: string } | undefined>;
  saveReference(reference: StoredReference): Promise<void>;
  dropReference(key: string): Promise<void>;
  /** A group chat's or channel's reference (and the language last used there). */
  groupReference(conversationId: string): Promise<(TeamsReference & { locale?: string }) | undefined>;
  /** The bound channels a channel recipient reaches (every platform). */
  boundChannels(recipient: Recipient): Promise<{ platform: string; channelId: string }[]>;
  delivered(sourceKey: string, conversationId: string): Promise<boolean>;
  recordDelivery(sourceKey: string, conversationId: string, activityId: string | undefined): Promise<void>;
  /** The person's language (directory locale). */
  localeOf(principal: string): Promise<Locale>;
  /** Tells HR that the Baton app is not installed for the person (deduplicated per person and day). */
  alertNotInstalled(principal: string): Promise<void>;
};

export type TeamsSendLog = {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
};

export type TeamsSendDeps = {
  store: TeamsSendStore;
  /** Read when sending (the gateway is built on first use). */
  connector(): TeamsConnector | Promise<TeamsConnector>;
  log: TeamsSendLog;
};

/** The key of a notification's posts: its outbox row(s). */
export function sourceKeyOf(message: OutgoingMessage): string {
  return `outbox:${message.items.map((item) => item.outboxId).join(",")}`;
}

const joinReferences = (...parts: (string | undefined)[]) => parts.filter(Boolean).join(" ") || undefined;

/** A connector failure in the dispatcher's terms (see the file comment). */
export function deliveryErrorOf(error: unknown): Error {
  if (!(error instanceof TeamsApiError)) return error instanceof Error ? error : new Error(String(error));
  const { status } = error;
  if (status === 429) return new RateLimitedError(error.retryAfterSeconds, error.message);
  if (status === undefined || status >= 500 || status === 401 || status === 404 || status === 408)
    return error;
  return new PermanentDeliveryError(error.message);
}

/** The `person` sender with Teams behind `next` (see the file comment). */
export function teamsPersonSender(deps: TeamsSendDeps, next: NotificationSender): NotificationSender {
  const { store, log } = deps;

  async function notInstalled(principal: string, reason: string): Promise<never> {
    await store.alertNotInstalled(principal);
    log.info(
      { surface: "teams", principal, reason },
      "the Baton app is not installed for this person in Teams",
    );
    // HR was just told (install the app, or e-mail a login link): the dead row raises no second alert.
    throw new PermanentDeliveryError(`Teams: the Baton app is not installed for this person (${reason})`, {
      hrAlerted: true,
    });
  }

  return {
    async send(message) {
      if (message.recipient.type !== "person") return next.send(message);
      const { principal } = message.recipient;
      const person = await store.person(principal);
      if (!person) return next.send(message);
      const earlier = await next.send(message);
      const connector = await deps.connector();

      let reference = person.reference;
      if (!reference) {
        // An Entra object id alone cannot open a chat (msteams-docs #11125): Teams needs the 29: id,
        // which Baton learns when the app is installed for the person (or they write to the bot).
        if (!person.teamsId.startsWith("29:")) return notInstalled(principal, "no chat with the bot yet");
        const place = await store.newChatPlace();
        if (!place) return notInstalled(principal, "no Teams conversation known yet");
        try {
          reference = await connector.openPersonalChat({ ...place, userId: person.teamsId });
        } catch (error) {
          if (error instanceof TeamsApiError && error.status === 403) return notInstalled(principal, "403");
          throw deliveryErrorOf(error);
        }
        await store.saveReference(storedPersonal(reference));
      }

      const sourceKey = sourceKeyOf(message);
      const conversationId = reference.conversation.id;
      if (await store.delivered(sourceKey, conversationId)) return earlier;
      const locale = await store.localeOf(principal);
      const card = cardForNotification(message.kind, message.data, { locale, t: translate });
      let sent: { id?: string };
      try {
        sent = await connector.post(reference, renderActivity(card));
      } catch (error) {
        if (error instanceof TeamsApiError && (error.status === 403 || error.status === 404)) {
          // Uninstalled, or the chat is gone: forget it; a later try opens a new one.
          await store.dropReference(personalKey(reference.user?.id ?? ""));
          if (error.status === 403) return notInstalled(principal, "403");
        }
        throw deliveryErrorOf(error);
      }
      await store.recordDelivery(sourceKey, conversationId, sent.id);
      return { reference: joinReferences(earlier.reference, `teams:${sent.id ?? conversationId}`) };
    },
  };
}

/** The `channel` sender with the bound Teams channels behind `next` (see the file comment). */
export function teamsChannelSender(deps: TeamsSendDeps, next: NotificationSender): NotificationSender {
  const { store, log } = deps;
  return {
    async send(message) {
      if (message.recipient.type !== "channel") return next.send(message);
      const earlier = await next.send(message);
      const bound = (await store.boundChannels(message.recipient)).filter((c) => c.platform === "teams");
      if (bound.length === 0) return earlier;
      const connector = await deps.connector();
      const sourceKey = sourceKeyOf(message);
      const posted: string[] = [];
      let failure: Error | undefined;
      for (const channel of bound) {
        const conversationId = baseConversationId(channel.channelId);
        const reference = await store.groupReference(conversationId);
        if (!reference) {
          log.warn(
            { surface: "teams", channelId: conversationId },
            "a bound Teams channel has no conversation reference: add the bot there (or say something to it)",
          );
          continue;
        }
        if (await store.delivered(sourceKey, conversationId)) continue;
        const locale = negotiateLocale(reference.locale, "zh-CN");
        const card = cardForNotification(message.kind, message.data, { locale, t: translate });
        try {
          const sent = await connector.post(reference, renderActivity(card));
          await store.recordDelivery(sourceKey, conversationId, sent.id);
          posted.push(sent.id ?? conversationId);
        } catch (error) {
          const mapped = deliveryErrorOf(error);
          if (mapped instanceof PermanentDeliveryError) {
            // The bot was removed from that team or chat: the other channels still get it.
            log.warn(
              { surface: "teams", channelId: conversationId, error: mapped.message },
              "a Teams channel refused a post",
            );
            continue;
          }
          failure ??= mapped;
        }
      }
      if (failure) throw failure;
      return { reference: joinReferences(earlier.reference, ...posted.map((id) => `teams:${id}`)) };
    },
  };
}
