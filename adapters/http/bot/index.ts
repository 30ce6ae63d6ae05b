import { messageCard } from "../../../bots/cards.ts";
import { surfaceNames } from "../../../bots/events.ts";
import { handle } from "../../../bots/handle.ts";
import type { BotHandler, BotOutcome } from "../../../bots/reply.ts";
import { AppError } from "../../../core/errors.ts";
import { translate } from "../../../core/messages/index.ts";
import type { TickJob } from "../../../core/ports.ts";
import type { Db } from "../../../db/client.ts";
import { purgeExpiredConversations } from "../../../db/conversations.ts";
import {
  type InboxProcessor,
  markInboundDone,
  maxIdempotencyKeyLength,
  receiveInbound,
} from "../../../db/inbox.ts";
import type { ModuleServices } from "../services.ts";
import { decodeEvent, encodeEvent } from "./event-codec.ts";
import { botPorts } from "./ports.ts";

/** The inbox source of a surface's chat events. */
export const chatSource = (surface: string) => `chat:${surface}`;

/**
 * How long the inbox worker leaves an event to the inline handler. Surfaces must answer within
 * about 3 s; only when the process died before marking the event done does the worker take it.
 */
export const inlineLeaseMs = 2 * 60_000;

/**
 * The HR bot wired to the core commands (DESIGN §3, §7). `receive` records the event in the inbox
 * first — a redelivery (same surface and idempotency key) answers `duplicate` and does nothing —
 * then handles it inline, within the surface's deadline, and marks the inbox row done. If the
 * process dies in between, the inbox worker recovers the event after {@link inlineLeaseMs} and
 * runs it again (the core commands are idempotent: a step already done, a notice already received
 * change nothing). Search-as-you-type events change nothing and are answered without the inbox.
 */
export function createBot(services: ModuleServices): BotHandler {
  const { database, clock, logger } = services;
  return {
    async receive(event): Promise<BotOutcome> {
      if (event.type === "search") {
        const handled = await handle(event, botPorts(services, database.db));
        return { duplicate: false, replies: handled.replies, ...principalOf(handled.principal) };
      }
      const key = event.idempotencyKey;
      if (key.length === 0 || key.length > maxIdempotencyKeyLength) {
        throw new AppError("bad_request", "The event's idempotency key must have 1 to 512 characters.", {
          messageKey: "error.bad_request",
        });
      }
      const now = clock.now();
      const stored = await receiveInbound(database, {
        source: chatSource(event.surface),
        idempotencyKey: key,
        payload: encodeEvent(event),
        receivedAt: event.receivedAt,
        notBefore: new Date(now.getTime() + inlineLeaseMs),
      });
      if (stored.duplicate) return { duplicate: true, replies: [] };
      let handled: Awaited<ReturnType<typeof handle>>;
      try {
        handled = await handle(event, botPorts(services, database.db));
      } catch (error) {
        // Left in the inbox: the worker tries it again once the inline lease is over.
        logger.error(
          { inboxId: stored.id, surface: event.surface, error: (error as Error).name },
          "a chat event failed; the inbox will retry it",
        );
        const locale = event.locale ?? "zh-CN";
        const card = messageCard(
          { locale, t: translate },
          {
            title: translate(locale, "bot.error.title"),
            body: translate(locale, "bot.error.internal"),
            tone: "danger",
          },
        );
        return { duplicate: false, replies: [{ type: "reply", card }] };
      }
      await markInboundDone(database, stored.id, clock.now());
      services.chainWriter.wake();
      services.dispatcher.wake();
      return { duplicate: false, replies: handled.replies, ...principalOf(handled.principal) };
    },
  };
}

function principalOf(principal: string | undefined): { principal?: string } {
  return principal === undefined ? {} : { principal };
}

/**
 * Recovery: a chat event whose inline handling never marked it done is run again by the inbox
 * worker, inside its transaction (so the effect commits with the inbox mark, once). The answer
 * cards cannot reach the chat any more (the surface's request is long gone); the effect is what
 * counts, and later notifications go through the outbox as usual.
 */
export function botInboxProcessors(services: ModuleServices): InboxProcessor[] {
  return surfaceNames.map((surface) => ({
    source: chatSource(surface),
    async process(tx: Db, message) {
      const event = decodeEvent(message.payload);
      if (!event || event.surface !== surface) {
        throw new AppError("bad_request", "The stored chat event cannot be read back.");
      }
      const handled = await handle(event, botPorts(services, tx));
      services.logger.info(
        { inboxId: message.id, surface, replies: handled.replies.length },
        "recovered a chat event; its answer was not delivered",
      );
    },
  }));
}

/** Housekeeping on the scheduler's tick: expired conversation states (unsent forms, left quizzes) go. */
export function conversationPurgeJob(services: Pick<ModuleServices, "database">): TickJob {
  return {
    name: "bot.conversations.purge",
    async run(now) {
      await purgeExpiredConversations(services.database.db, now);
    },
  };
}
