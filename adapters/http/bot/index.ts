import { messageCard } from "../../../bots/cards.ts";
import type { InboundEvent } from "../../../bots/events.ts";
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
  markInboundDoneMany,
  maxIdempotencyKeyLength,
  receiveInbound,
} from "../../../db/inbox.ts";
import { inboxWriterOf } from "../../../db/inbox-writer.ts";
import { enqueueNotification } from "../../../db/outbox.ts";
import type { ModuleServices } from "../services.ts";
import { decodeEvent, encodeEvent } from "./event-codec.ts";
import { batchBotPorts, botPorts } from "./ports.ts";

/** The inbox source of a surface's chat events. */
export const chatSource = (surface: string) => `chat:${surface}`;

/**
 * How long the inbox worker leaves an event to the inline handler. Surfaces must answer within
 * about 3 s; only when the process died before marking the event done does the worker take it.
 */
export const inlineLeaseMs = 2 * 60_000;

/** Accepted events handled in one batch at most (their rows marked done by one statement). */
export const maxAcceptedBatch = 100;
/** Events of a batch handled at the same time while new events are being stored, and otherwise. */
const handlersWhileBusy = 2;
const handlersWhenQuiet = 8;

/**
 * The HR bot wired to the core commands (DESIGN §3, §7). `receive` records the event in the inbox
 * first — a redelivery (same surface and idempotency key) answers `duplicate` and does nothing —
 * then handles it inline, within the surface's deadline, and marks the inbox row done. If the
 * process dies in between, the inbox worker recovers the event after {@link inlineLeaseMs} and
 * runs it again (the core commands are idempotent: a step already done, a notice already received
 * change nothing). Search-as-you-type events change nothing and are answered without the inbox.
 *
 * The inbox rows of concurrent events are written together (group commit, db/inbox-writer.ts).
 * `accept` only records the event, so the surface can ack at once; the accepted events are then
 * handled in batches: each event as `receive` handles it, then one statement marks the batch's
 * rows done (an event that failed keeps its row for the inbox worker, and its person gets the error
 * card). The effects are not put into one transaction with the marks: the core's commands do their
 * own I/O (gates, connectors) on the database, not on a caller's transaction — as with `receive`,
 * a crash between an effect and its mark means the worker runs the idempotent command again.
 */
export function createBot(services: ModuleServices): BotHandler {
  const { database, clock, logger } = services;
  const writer = inboxWriterOf(database);

  function store(event: InboundEvent) {
    const key = event.idempotencyKey;
    if (key.length === 0 || key.length > maxIdempotencyKeyLength) {
      throw new AppError("bad_request", "The event's idempotency key must have 1 to 512 characters.", {
        messageKey: "error.bad_request",
      });
    }
    return writer.write({
      source: chatSource(event.surface),
      idempotencyKey: key,
      payload: encodeEvent(event),
      receivedAt: event.receivedAt,
      notBefore: new Date(clock.now().getTime() + inlineLeaseMs),
    });
  }

  /** Left in the inbox: the worker tries it again once the inline lease is over. */
  function failed(event: InboundEvent, inboxId: number, error: unknown): BotOutcome {
    logger.error(
      { inboxId, surface: event.surface, error: (error as Error).name },
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

  const afterCommit = () => {
    services.chainWriter.wake();
    services.dispatcher.wake();
  };

  type Accepted = {
    id: number;
    event: InboundEvent;
    answer(outcome: BotOutcome): void;
    /** After the batch's rows are marked. */
    finished(): void;
  };
  const accepted: Accepted[] = [];
  let draining = false;

  /**
   * A batch of accepted events: the people of all of them looked up at once, each event handled
   * as `receive` would (a few at a time) and its answer handed over as soon as it is ready, then
   * one statement marks the rows of those that succeeded done.
   */
  async function runBatch(items: readonly Accepted[]): Promise<void> {
    const ports = await batchBotPorts(
      services,
      database.db,
      items.map((i) => i.event),
    ).catch(() => botPorts(services, database.db));
    const done: number[] = [];
    let next = 0;
    // While requests wait for their rows (a burst of clicks going on), few at a time: the acks
    // keep most of the process and of the pool, and the backlog drains when the burst is over.
    const width = writer.pending() > 0 ? handlersWhileBusy : handlersWhenQuiet;
    await Promise.all(
      Array.from({ length: Math.min(items.length, width) }, async () => {
        for (let i = next++; i < items.length; i = next++) {
          const { id, event, answer } = items[i] as Accepted;
          let outcome: BotOutcome;
          try {
            const handled = await handle(event, ports);
            outcome = { duplicate: false, replies: handled.replies, ...principalOf(handled.principal) };
            done.push(id);
          } catch (error) {
            outcome = failed(event, id, error);
          }
          answer(outcome);
        }
      }),
    );
    try {
      await markInboundDoneMany(database.db, done, clock.now());
    } catch (error) {
      // The effects are there; the worker finds the rows after the lease and runs them again (the
      // core's commands are idempotent).
      logger.error({ events: done.length, error: (error as Error).name }, "could not mark chat events done");
    }
    afterCommit();
  }

  /** One batch at a time, each of what was accepted while the previous one ran. */
  async function drain(): Promise<void> {
    if (draining) return;
    draining = true;
    try {
      while (accepted.length > 0) {
        const batch = accepted.splice(0, maxAcceptedBatch);
        try {
          await runBatch(batch);
        } catch (error) {
          // Not expected (runBatch handles its failures); the rows stay for the worker.
          for (const item of batch) item.answer(failed(item.event, item.id, error));
        }
        for (const item of batch) item.finished();
      }
    } finally {
      draining = false;
    }
  }

  async function receive(event: InboundEvent): Promise<BotOutcome> {
    if (event.type === "search") {
      const handled = await handle(event, botPorts(services, database.db));
      return { duplicate: false, replies: handled.replies, ...principalOf(handled.principal) };
    }
    const stored = await store(event);
    if (stored.duplicate) return { duplicate: true, replies: [] };
    let handled: Awaited<ReturnType<typeof handle>>;
    try {
      handled = await handle(event, botPorts(services, database.db));
    } catch (error) {
      return failed(event, stored.id, error);
    }
    await markInboundDone(database, stored.id, clock.now());
    afterCommit();
    return { duplicate: false, replies: handled.replies, ...principalOf(handled.principal) };
  }

  return {
    receive,
    async accept(event) {
      if (event.type === "search") {
        const outcome = receive(event);
        return { duplicate: false, outcome, done: outcome.then(() => {}) };
      }
      const stored = await store(event);
      if (stored.duplicate)
        return {
          duplicate: true,
          outcome: Promise.resolve({ duplicate: true, replies: [] }),
          done: Promise.resolve(),
        };
      let answer!: (outcome: BotOutcome) => void;
      let finished!: () => void;
      const outcome = new Promise<BotOutcome>((resolve) => {
        answer = resolve;
      });
      const done = new Promise<void>((resolve) => {
        finished = resolve;
      });
      accepted.push({ id: stored.id, event, answer, finished });
      setImmediate(() => void drain());
      return { duplicate: false, outcome, done };
    },
  };
}

function principalOf(principal: string | undefined): { principal?: string } {
  return principal === undefined ? {} : { principal };
}

/**
 * Recovery: a chat event whose inline handling never marked it done is run again by the inbox
 * worker, inside its transaction (so the effect commits with the inbox mark, once). The surface's
 * request is long gone, so the answer cards go to the person as `bot.reply` notifications through
 * the outbox (queued in the same transaction, marked as late); search suggestions are dropped.
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
      const answers = handled.replies.filter((r) => r.type !== "options");
      if (handled.principal !== undefined) {
        // The answer reaches the person after all, through the outbox in this same transaction
        // (once, whatever happens next); on every chat they use, as a notification would.
        for (const [index, reply] of answers.entries()) {
          await enqueueNotification(
            tx,
            {
              kind: "bot.reply",
              recipient: { type: "person", principal: handled.principal },
              data: { card: reply.card, surface },
              dedupeKey: `bot-reply:${message.id}:${index}`,
            },
            services.clock.now(),
          );
        }
      }
      services.logger.info(
        { inboxId: message.id, surface, replies: answers.length, queued: handled.principal !== undefined },
        "recovered a chat event; its answer goes through the outbox",
      );
    },
  }));
}

/**
 * The processor of a surface's own store of chat events (`slack:events`, `lark:events`: what the
 * route stored before the platform got its 200). An event whose inline handling never finished is
 * handed to the bot's inbox source, which runs it once; if the bot has it already, nothing changes.
 */
export function surfaceEventsProcessor(
  services: Pick<ModuleServices, "database" | "clock">,
  source: string,
  surface: InboundEvent["surface"],
): InboxProcessor {
  return {
    source,
    async process(tx: Db, message) {
      const payload = (message.payload ?? {}) as { event?: unknown };
      const event = decodeEvent(payload.event);
      if (event?.surface !== surface) {
        throw new AppError("bad_request", `The stored ${surface} event cannot be read back.`);
      }
      await receiveInbound(
        { ...services.database, db: tx },
        {
          source: chatSource(surface),
          idempotencyKey: event.idempotencyKey,
          payload: encodeEvent(event),
          receivedAt: event.receivedAt,
          notBefore: services.clock.now(),
        },
      );
    },
  };
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
