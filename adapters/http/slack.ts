import { createHash } from "node:crypto";
import { and, eq } from "drizzle-orm";
import type { InboundEvent } from "../../bots/events.ts";
import type { BotOutcome, Reply } from "../../bots/reply.ts";
import { fallbackText } from "../../cards/fallback-text.ts";
import type { CardNode } from "../../cards/model.ts";
import { cardForNotification } from "../../cards/templates/notifications.ts";
import { AppError } from "../../core/errors.ts";
import { translate } from "../../core/messages/index.ts";
import {
  type NotificationSender,
  RateLimitedError,
  type RatePolicy,
  type SenderEntry,
} from "../../core/notifications/delivery.ts";
import { type InboxProcessor, markInboundDone } from "../../db/inbox.ts";
import { inboxWriterOf } from "../../db/inbox-writer.ts";
import { employeeIdentities, employees } from "../../db/schema/index.ts";
import { activePlatformPerson } from "../../db/surface-people.ts";
import type { RawRequest } from "../shared/surface.ts";
import {
  type AckAnswer,
  boltBody,
  FetchReceiver,
  type LogSink,
  renderMessage,
  renderModal,
  renderSuggestions,
  type SlackEvent,
  type SlackListener,
  type SlackMember,
  type SlackMessage,
  type SlackModal,
  type SlackSender,
  SlackTransientError,
  slackBoltApp,
  slackDeliveryError,
  slackSender,
} from "../slack/index.ts";
import { encodeEvent } from "./bot/event-codec.ts";
import { inlineLeaseMs, surfaceEventsProcessor } from "./bot/index.ts";
import { type Config, isSurfaceEnabled } from "./config.ts";
import { boundChannelEntry, joinReferences, PostedMemory } from "./posted-memory.ts";
import type { ModuleServices, Services } from "./services.ts";
import {
  type Admission,
  admit,
  bothLanguagesErrorCard,
  bothLanguagesRefusalCard,
} from "./surface-admission.ts";

/**
 * The Slack surface wired to Baton (adapters/slack/README.md): a Bolt App on our own receiver behind
 * `POST /webhooks/slack`, the bot's answers through Bolt's WebClient, and the `person` / `channel`
 * notification senders. Decisions:
 *
 * - Events API payloads (DMs, mentions) are stored in the inbox (`slack:events`, keyed by
 *   `event_id`) before Bolt sees them; Bolt acks them at once (200) and the bot's answer goes out
 *   by the Web API afterwards. A redelivery (same `event_id`, `X-Slack-Retry-Num`) finds the row:
 *   200 and nothing else. If the process dies between the ack and the bot, the inbox worker hands
 *   the stored event to the bot's own inbox source, which runs it once.
 * - Interactivity and the slash command go to the bot first (which stores the event in the inbox
 *   before handling it) and are acked with what Slack shows: a block_suggestion's options, a
 *   view_submission's `response_action`, a command's ephemeral answer in a group. Should the bot
 *   take longer than {@link SlackRuntimeOptions.ackDeadlineMs}, Slack gets an empty 200 and the
 *   answer follows through the Web API.
 * - A new form card (inputs and a submit) answering an interaction opens as a modal with the
 *   interaction's trigger_id, when that is still fresh (Slack allows ~3 s); otherwise, and for
 *   answers to messages (no trigger_id), forms are messages with input blocks.
 * - `replace` → `chat.update` of the clicked message (`response_url` with `replace_original` for an
 *   ephemeral one; `views.update` in a modal; after a modal's submit the modal is updated when the
 *   next card is a form again, else closed and the card posted); `reply` → the chat it came from
 *   (the person's DM for a command in a DM, ephemeral through the `response_url` in a group);
 *   `direct` → the person's DM (`conversations.open`); `options` → the suggestion answer.
 * - Only teams in `SLACK_TEAM_IDS` are served; other workspaces, Slack Connect users and guests
 *   the parser recognises are refused politely where Slack shows an answer, and nothing is stored.
 */

/** The bot's own inbox source; the route's store for Events API payloads. */
export const slackEventsSource = "slack:events";

type Json = Record<string, unknown>;

export type SlackRuntimeOptions = {
  /** How long after the request arrived a trigger_id is still used for `views.open` (default 2.5 s; Slack: 3 s). */
  triggerWindowMs?: number;
  /** How long an interaction waits for the bot before Slack gets an empty 200 (default 2.5 s). */
  ackDeadlineMs?: number;
  /** Longest wait before one retry of an inline answer after a 429 (default 3 s). */
  maxInlineRetryMs?: number;
  fetch?: typeof fetch;
};

export type SlackRuntime = {
  readonly sender: SlackSender;
  /** Answers one verified, parsed request (its first event). */
  handle(
    request: RawRequest,
    event: SlackEvent,
    waitUntil?: (p: Promise<unknown>) => void,
  ): Promise<AckAnswer>;
  /** Resolves when every answer still being sent in the background has gone (tests). */
  idle(): Promise<void>;
};

type SenderDeps = Pick<ModuleServices, "config" | "logger">;

const senders = new WeakMap<Config, SlackSender>();
const runtimeOptions = new WeakMap<Config, SlackRuntimeOptions>();
const runtimes = new WeakMap<Services, SlackRuntime>();

/** Options for the Slack runtime of this configuration (tests: short windows, a loopback-only fetch). Call before the first Slack request. */
export function configureSlack(config: Config, options: SlackRuntimeOptions): void {
  runtimeOptions.set(config, options);
}

function logSink(logger: ModuleServices["logger"]): LogSink {
  return {
    debug: (fields, message) => logger.debug(fields, message),
    warn: (fields, message) => logger.warn(fields, message),
    error: (fields, message) => logger.error(fields, message),
  };
}

/** The WebClient-backed sender of this configuration, or undefined while Slack is off. */
export function slackSenderOf(services: SenderDeps): SlackSender | undefined {
  const { config } = services;
  if (!isSurfaceEnabled(config, "slack") || !config.SLACK_BOT_TOKEN) return undefined;
  let sender = senders.get(config);
  if (!sender) {
    sender = slackSender({
      token: config.SLACK_BOT_TOKEN,
      apiUrl: config.SLACK_API_URL,
      logger: logSink(services.logger),
      // Looked up on every call (tests configure it after the services are built); a plain
      // function also keeps the SDK from calling the global fetch with a foreign `this`.
      fetch: (input, init) => (runtimeOptions.get(config)?.fetch ?? globalThis.fetch)(input, init),
    });
    senders.set(config, sender);
  }
  return sender;
}

// ---------------------------------------------------------------------------------------------
// Who is served

const isInput = (node: CardNode["children"][number]) =>
  node.type === "text-input" ||
  node.type === "choice-input" ||
  node.type === "date-input" ||
  node.type === "person-input";

/** A card someone fills in and sends: inputs and a submit. */
export function isFormCard(card: CardNode): boolean {
  return card.children.some(isInput) && card.children.some((c) => c.type === "submit");
}

/**
 * A form a modal can carry: inputs and exactly one submit (a modal has one submit button; a form
 * with two, like the handover checklist's save and complete, stays a message).
 */
export function fitsModal(card: CardNode): boolean {
  return card.children.some(isInput) && card.children.filter((c) => c.type === "submit").length === 1;
}

/** The polite refusal for people Baton does not serve, in both languages (their language is unknown). */
export const slackRefusalCard = bothLanguagesRefusalCard;

/**
 * Whether Baton serves this event: the team it was delivered for and the user's own team must be
 * in `SLACK_TEAM_IDS`, and the user must not be a guest or a Slack Connect user.
 */
export function admission(config: Config, event: SlackEvent): Admission {
  return admit(config.SLACK_TEAM_IDS, event.slack.teamId, event.who);
}

// ---------------------------------------------------------------------------------------------
// The runtime

type Job = {
  event: SlackEvent;
  /** `performance.now()` when the request arrived (the trigger_id's and the ack's clock). */
  startedAt: number;
  /** The `slack:events` inbox row of an Events API payload. */
  inboxId?: number;
  /** The clicked message is ephemeral (only the clicker sees it). */
  ephemeral: boolean;
  /** The click happened inside a modal (not on a message). */
  inView: boolean;
  /** The first input block's id of a submitted modal (where a problem is shown). */
  firstInputBlock?: string;
};

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The neutral event the bot gets (without the Slack context), with what the route verified. */
function neutral(event: SlackEvent): InboundEvent {
  const { slack: _slack, ...rest } = event;
  return rest as InboundEvent;
}

let revisionCounter = 0;
/** A fresh suffix for input block ids: Slack keeps typed values per block id. */
function freshRevision(): string {
  revisionCounter = (revisionCounter + 1) % 1_000_000;
  return `${Date.now().toString(36)}${revisionCounter.toString(36)}`;
}

/** A modal whose input blocks get fresh ids (so a next question does not keep the last answer). */
function withRevision(view: SlackModal, revision: string): SlackModal {
  return {
    ...view,
    blocks: view.blocks.map((b) =>
      b.type === "input" && typeof b.block_id === "string"
        ? { ...b, block_id: `${b.block_id}:${revision}` }
        : b,
    ),
  };
}

function createRuntime(services: Services): SlackRuntime {
  const { config, logger } = services;
  const options = runtimeOptions.get(config) ?? {};
  const triggerWindowMs = options.triggerWindowMs ?? 2500;
  const ackDeadlineMs = options.ackDeadlineMs ?? 2500;
  const maxInlineRetryMs = options.maxInlineRetryMs ?? 3000;
  const sender = slackSenderOf(services) as SlackSender;
  const pending = new Set<Promise<unknown>>();

  function track<T>(promise: Promise<T>): Promise<T> {
    pending.add(promise);
    const done = () => pending.delete(promise);
    promise.then(done, done);
    return promise;
  }

  /** One Web API call for an inline answer: one retry after a short 429 or a transient failure. */
  async function attempt<T>(what: string, run: () => Promise<T>): Promise<T | undefined> {
    for (let tries = 1; ; tries++) {
      try {
        return await run();
      } catch (error) {
        const mapped = slackDeliveryError(error);
        const waitMs =
          mapped instanceof RateLimitedError
            ? (mapped.retryAfterSeconds ?? 1) * 1000
            : mapped instanceof SlackTransientError
              ? 300
              : undefined;
        if (waitMs === undefined || tries >= 2 || waitMs > maxInlineRetryMs) {
          logger.warn(
            { surface: "slack", call: what, error: mapped.name, reason: mapped.message },
            "a Slack answer was not delivered",
          );
          return undefined;
        }
        await sleep(waitMs);
      }
    }
  }

  const render = (card: CardNode, revision?: string): SlackMessage =>
    renderMessage(card, revision === undefined ? {} : { revision });

  const toPerson = (event: SlackEvent, card: CardNode) =>
    attempt("direct", () => sender.direct(event.who.userId, render(card)));

  /** A card into the chat the event came from (see the header for where that is). */
  async function toChat(job: Job, card: CardNode): Promise<void> {
    const { event } = job;
    const { slack } = event;
    const message = render(card);
    const post = (channel: string, threadTs?: string) =>
      attempt("post", () => sender.post(channel, message, threadTs ? { threadTs } : {}));
    const respond = (url: string) =>
      attempt("respond", () => sender.respond(url, message, { ephemeral: true }).then(() => true));
    const direct = event.where.chatType === "direct";
    let sent: unknown;
    if (slack.kind === "event") {
      const threadTs = direct ? slack.threadTs : (slack.threadTs ?? slack.messageTs);
      sent = await post(slack.channelId ?? event.where.chatId, threadTs);
    } else if (direct && (slack.kind !== "block_actions" || job.inView || !slack.channelId)) {
      // A command or a modal in a 1:1 chat: the person's DM with the bot.
      await toPerson(event, card);
      return;
    } else if (slack.kind === "block_actions" && !job.inView && slack.channelId && !job.ephemeral) {
      sent = await post(slack.channelId);
    } else if (slack.responseUrl && slack.kind !== "view_submission") {
      sent = await respond(slack.responseUrl);
    } else {
      sent = await post(event.where.chatId);
    }
    // The chat could not be reached (the bot is not in it, the response_url is spent): the person's DM.
    if (sent === undefined) await toPerson(event, card);
  }

  /** The clicked card replaced in place. */
  async function replace(job: Job, card: CardNode): Promise<void> {
    const { slack } = job.event;
    if (slack.kind === "block_actions") {
      if (job.inView && slack.viewId) {
        // The clicked card is the modal itself: it shows what follows (a form, or the result).
        const viewId = slack.viewId;
        let view: SlackModal | undefined;
        try {
          view = withRevision(modalOf(job, card), freshRevision());
        } catch {
          view = undefined;
        }
        if (
          view &&
          (await attempt("views.update", () => sender.updateModal(viewId, view).then(() => true))) !==
            undefined
        )
          return;
      } else if (job.ephemeral && slack.responseUrl) {
        const url = slack.responseUrl;
        const message = render(card, freshRevision());
        if (
          (await attempt("respond", () =>
            sender.respond(url, message, { replaceOriginal: true }).then(() => true),
          )) !== undefined
        )
          return;
      } else if (slack.channelId && slack.messageTs) {
        const channel = slack.channelId;
        const ts = slack.messageTs;
        const message = render(card, freshRevision());
        if ((await attempt("chat.update", () => sender.update(channel, ts, message))) !== undefined) return;
      }
    }
    await toChat(job, card);
  }

  function modalOf(job: Job, card: CardNode, direct = false): SlackModal {
    const { event } = job;
    const source = job.ephemeral ? undefined : event.slack.messageTs;
    return renderModal(card, "baton", {
      ...(direct ? {} : { chatId: event.where.chatId }),
      chatType: direct ? "direct" : event.where.chatType,
      ...(source ? { sourceMessageId: source } : {}),
    });
  }

  /** Opens a form as a modal while the trigger_id is fresh; answers whether it did. */
  async function openForm(job: Job, reply: Reply & { card: CardNode }): Promise<boolean> {
    const trigger = job.event.slack.triggerId;
    if (!trigger || performance.now() - job.startedAt > triggerWindowMs) return false;
    let view: SlackModal;
    try {
      view = modalOf(job, reply.card, reply.type === "direct");
    } catch (error) {
      logger.warn({ surface: "slack", error: (error as Error).message }, "a form does not fit a modal");
      return false;
    }
    try {
      await sender.openModal(trigger, view);
      return true;
    } catch (error) {
      const mapped = slackDeliveryError(error);
      logger.warn(
        { surface: "slack", call: "views.open", reason: mapped.message },
        "the form goes as a message",
      );
      return false;
    }
  }

  /** Everything the bot answered, by the Web API (no ack body left to use). */
  async function deliver(job: Job, replies: readonly Reply[], allowModal: boolean): Promise<void> {
    let modalUsed = !allowModal;
    for (const reply of replies) {
      if (reply.type === "options") continue;
      if (!modalUsed && reply.type !== "replace" && fitsModal(reply.card)) {
        modalUsed = true;
        if (await openForm(job, reply)) continue;
      }
      if (reply.type === "replace") await replace(job, reply.card);
      else if (reply.type === "direct") await toPerson(job.event, reply.card);
      else await toChat(job, reply.card);
    }
  }

  /** A modal's submission: what the ack says (update, errors or close) and what is posted after. */
  function submissionAnswer(job: Job, replies: readonly Reply[]): { ack: Json; rest: Reply[] } {
    const cards = replies.filter((r): r is Exclude<Reply, { type: "options" }> => r.type !== "options");
    const nextForm = cards.find((r) => r.type === "replace" && fitsModal(r.card));
    if (nextForm) {
      try {
        const view = withRevision(modalOf(job, nextForm.card), freshRevision());
        return { ack: { response_action: "update", view }, rest: cards.filter((r) => r !== nextForm) };
      } catch (error) {
        logger.warn(
          { surface: "slack", error: (error as Error).message },
          "the next form does not fit a modal",
        );
      }
    }
    const first = cards[0];
    if (first && job.firstInputBlock && cards.every((r) => r.type === "reply")) {
      // A problem with what was sent (the bot never replaces the form with it): shown under the
      // form's first input, the modal stays open so the person can correct it.
      const text = fallbackText(first.card).replace(/\s+/g, " ").trim();
      return {
        ack: {
          response_action: "errors",
          errors: { [job.firstInputBlock]: text.length > 150 ? `${text.slice(0, 149)}…` : text },
        },
        rest: cards.slice(1),
      };
    }
    return { ack: { response_action: "clear" }, rest: cards };
  }

  async function receive(job: Job): Promise<BotOutcome> {
    return services.bot.receive(neutral(job.event));
  }

  const listener: SlackListener = async ({ ack, context }) => {
    const job = context.baton as Job;
    const { event } = job;
    const { slack } = event;
    if (slack.kind === "event") {
      // Bolt has acked: Slack has its 200. The bot answers through the Web API.
      const outcome = await receive(job);
      if (job.inboxId !== undefined)
        await markInboundDone(services.database, job.inboxId, services.clock.now());
      await deliver(job, outcome.replies, false);
      return;
    }
    const answer = ack ?? (async () => {});
    const running = receive(job);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const remaining = Math.max(0, ackDeadlineMs - (performance.now() - job.startedAt));
    let early: { outcome: BotOutcome } | undefined;
    try {
      early = await Promise.race([
        running.then((outcome) => ({ outcome })),
        new Promise<undefined>((resolve) => {
          timer = setTimeout(() => resolve(undefined), remaining);
        }),
      ]).finally(() => clearTimeout(timer));
    } catch (error) {
      // Nothing was answered (the inbox keeps what was stored): Slack gets its 200 and a short note.
      const kind = slack.kind;
      await answer(
        kind === "block_suggestion"
          ? { options: [] }
          : kind === "command"
            ? { response_type: "ephemeral", ...renderMessage(bothLanguagesErrorCard()) }
            : undefined,
      );
      if (kind === "block_actions" || kind === "view_submission")
        await toPerson(event, bothLanguagesErrorCard());
      throw error;
    }
    if (!early) {
      // The bot is slow: Slack gets its 200 now, the answer follows (no modal: the trigger is spent).
      await answer(slack.kind === "block_suggestion" ? { options: [] } : undefined);
      logger.warn(
        { surface: "slack", kind: slack.kind },
        "the bot took longer than Slack waits; answering later",
      );
      const outcome = await running;
      await deliver(job, outcome.replies, false);
      return;
    }
    const { replies } = early.outcome;
    switch (slack.kind) {
      case "block_suggestion": {
        const options = replies.flatMap((r) => (r.type === "options" ? r.options : []));
        await answer(renderSuggestions(options));
        return;
      }
      case "view_submission": {
        const { ack: body, rest } = submissionAnswer(job, replies);
        await answer(body);
        await deliver(job, rest, false);
        return;
      }
      case "command": {
        if (event.where.chatType === "group") {
          // The first plain answer is the command's own (ephemeral) answer.
          const index = replies.findIndex(
            (r) => (r.type === "reply" || r.type === "replace") && !isFormCard(r.card),
          );
          const first = replies[index];
          if (first && first.type !== "options") {
            await answer({ response_type: "ephemeral", ...render(first.card) });
            await deliver(
              job,
              replies.filter((_, i) => i !== index),
              true,
            );
            return;
          }
        }
        await answer();
        await deliver(job, replies, true);
        return;
      }
      default:
        await answer();
        await deliver(job, replies, true);
    }
  };

  const receiver = new FetchReceiver();
  slackBoltApp({
    token: config.SLACK_BOT_TOKEN as string,
    receiver,
    listener,
    logger: logSink(logger),
    apiUrl: config.SLACK_API_URL,
    onError: (error) =>
      logger.error(
        { surface: "slack", error: error.name, reason: error.message.slice(0, 200) },
        "a Slack listener failed",
      ),
  });

  /** The polite refusal where Slack shows one; nothing is stored or handled. */
  function refuse(event: SlackEvent, ourTeam: boolean): AckAnswer {
    const { slack } = event;
    const card = slackRefusalCard();
    logger.info(
      { surface: "slack", kind: slack.kind, team: slack.teamId, userTeam: event.who.tenant },
      "Slack request from outside the allowed teams or an external user refused",
    );
    switch (slack.kind) {
      case "command":
        return { status: 200, body: { response_type: "ephemeral", ...renderMessage(card) } };
      case "block_suggestion":
        return { status: 200, body: { options: [] } };
      case "view_submission":
        return { status: 200, body: { response_action: "update", view: renderModal(card, "baton") } };
      case "block_actions":
        if (slack.responseUrl) {
          const url = slack.responseUrl;
          track(attempt("respond", () => sender.respond(url, renderMessage(card), { ephemeral: true })));
        }
        return { status: 200 };
      case "event":
        if (ourTeam && slack.channelId) {
          const channel = slack.channelId;
          track(
            attempt("postEphemeral", () =>
              sender.postEphemeral(channel, event.who.userId, renderMessage(card)),
            ),
          );
        }
        return { status: 200 };
    }
  }

  return {
    sender,
    async handle(request, parsed, waitUntil) {
      const startedAt = performance.now();
      const verdict = admission(config, parsed);
      if (!verdict.ok) return refuse(parsed, verdict.ours);
      const event: SlackEvent = {
        ...parsed,
        proof: {
          requestSha256: createHash("sha256").update(request.body, "utf8").digest("hex"),
          ...(request.headers["x-slack-signature"]
            ? { signatureHeader: request.headers["x-slack-signature"] }
            : {}),
        },
      };
      let body: Json;
      try {
        body = boltBody(request);
      } catch {
        throw new AppError("bad_request", "The Slack request body cannot be read.", {
          messageKey: "error.bad_request",
        });
      }
      const container = (body.container ?? {}) as Json;
      const view = (body.view ?? {}) as Json;
      const viewBlocks = Array.isArray(view.blocks) ? (view.blocks as Json[]) : [];
      const firstInput = viewBlocks.find((b) => b.type === "input" && typeof b.block_id === "string");
      const job: Job = {
        event,
        startedAt,
        ephemeral: container.is_ephemeral === true,
        inView: container.type === "view",
        ...(firstInput ? { firstInputBlock: firstInput.block_id as string } : {}),
      };
      const bot = services.bot;
      if (event.slack.kind === "block_actions" && bot.accept) {
        // A click: the card is updated through the Web API, Slack needs nothing but an empty 200.
        // It is sent once the click is stored (group commit); the bot handles it in a batch behind
        // and the answer follows. Bolt would only ack it, so it is not asked.
        const accepted = await bot.accept(neutral(event));
        if (accepted.duplicate) {
          logger.debug({ surface: "slack" }, "Slack click already stored");
          return { status: 200 };
        }
        const answered = accepted.outcome.then(
          (outcome) => deliver(job, outcome.replies, true),
          (error: unknown) =>
            logger.error(
              { surface: "slack", error: (error as Error).name },
              "an accepted Slack click was not handled; the inbox worker will run it",
            ),
        );
        for (const work of [accepted.done, answered]) {
          track(work);
          waitUntil?.(work);
        }
        return { status: 200 };
      }
      if (event.slack.kind === "event") {
        // Stored before Bolt acks it: a crash after the 200 loses nothing, a redelivery does nothing.
        const now = services.clock.now();
        const stored = await inboxWriterOf(services.database).write({
          source: slackEventsSource,
          idempotencyKey: event.idempotencyKey,
          payload: { event: encodeEvent(neutral(event)) },
          receivedAt: event.receivedAt,
          notBefore: new Date(now.getTime() + inlineLeaseMs),
        });
        if (stored.duplicate) {
          logger.debug({ surface: "slack", retry: event.slack.retryNum }, "Slack redelivery; already stored");
          return { status: 200 };
        }
        job.inboxId = stored.id;
      }
      const retryReason = request.headers["x-slack-retry-reason"];
      const { response, processing } = receiver.dispatch(body, {
        ...(event.slack.retryNum !== undefined ? { retryNum: event.slack.retryNum } : {}),
        ...(retryReason ? { retryReason } : {}),
        customProperties: { baton: job },
      });
      track(processing);
      waitUntil?.(processing);
      return response;
    },
    async idle() {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
  };
}

/** The Slack runtime of these services (built on first use), or undefined while Slack is off. */
export function slackRuntime(services: Services): SlackRuntime | undefined {
  if (!slackSenderOf(services)) return undefined;
  let runtime = runtimes.get(services);
  if (!runtime) {
    runtime = createRuntime(services);
    runtimes.set(services, runtime);
  }
  return runtime;
}

// ---------------------------------------------------------------------------------------------
// Recovery

/**
 * An Events API payload that was acked but never reached the bot (the process died in between):
 * the inbox worker hands it to the bot's own inbox source, which runs it once (its answer cannot
 * reach the chat any more; the effect is what counts). Idempotent: if the bot already has it,
 * nothing changes.
 */
export function slackInboxProcessors(services: Pick<ModuleServices, "database" | "clock">): InboxProcessor[] {
  return [surfaceEventsProcessor(services, slackEventsSource, "slack")];
}

// ---------------------------------------------------------------------------------------------
// Notifications

/** About one message a second per DM, short bursts tolerated (reference §A3.5: chat.postMessage). */
export const slackPersonRate: RatePolicy = { ratePerSecond: 1, burst: 3 };
/** About one message a second per channel. */
export const slackChannelRate: RatePolicy = { ratePerSecond: 1, burst: 3 };

type NotifyDeps = Pick<ModuleServices, "config" | "logger" | "database">;

/**
 * The `person` sender with Slack behind `next`: `next` (the web chat's idempotent copy and the
 * recording sink) delivers first, then a person with a stored Slack identity (and still active)
 * gets the notification's card as a DM (`conversations.open` + `chat.postMessage`). A Slack failure
 * throws the mapped error, so the outbox retries (429 → after Retry-After) or gives up (`ok:false`
 * that cannot pass → dead, with an HR alert); the retry finds the web chat's copy already there.
 * While Slack is off this is `next` itself.
 */
export function slackPersonEntry(services: NotifyDeps, next: SenderEntry): SenderEntry {
  const sender = slackSenderOf(services);
  if (!sender) return next;
  const db = services.database.db;
  const memory = new PostedMemory(db, "slack:person");
  const send: NotificationSender["send"] = async (message) => {
    const result = await next.sender.send(message);
    if (message.recipient.type !== "person") return result;
    const person = await activePlatformPerson(db, message.recipient.principal, "slack");
    if (!person) return result;
    const reference = await memory.once(message, person.userId, async () => {
      const card = cardForNotification(message.kind, message.data, { locale: person.locale, t: translate });
      try {
        const posted = await sender.direct(person.userId, renderMessage(card));
        return `slack:${posted.channel}/${posted.ts}`;
      } catch (error) {
        throw slackDeliveryError(error);
      }
    });
    return { reference: joinReferences(result.reference, reference) } as { reference?: string };
  };
  return { sender: { send }, rate: slackPersonRate };
}

/**
 * The `channel` sender with Slack behind `next`: `next` (the recording sink) fans the message out
 * to every bound channel first (and waits while none is bound), then each bound channel on Slack
 * gets the card (in the language of the HR person who bound it). While Slack is off this is `next`.
 */
export function slackChannelEntry(services: NotifyDeps, next: SenderEntry): SenderEntry {
  const sender = slackSenderOf(services);
  if (!sender) return next;
  return boundChannelEntry({
    db: services.database.db,
    platform: "slack",
    rate: slackChannelRate,
    next,
    async post(channelId, card) {
      try {
        const posted = await sender.post(channelId, renderMessage(card));
        return `slack:${posted.channel}/${posted.ts}`;
      } catch (error) {
        throw slackDeliveryError(error);
      }
    },
  });
}

// ---------------------------------------------------------------------------------------------
// Directory sync (proposals only)

export type IdentityProposal = {
  employeeExternalId: string;
  employeeName: string;
  slackUserId: string;
  slackName?: string;
  /** Why it is proposed: the member's Slack e-mail equals the employee's work e-mail. */
  matchedBy: "email";
};

export type StaleIdentity = {
  employeeExternalId: string;
  slackUserId: string;
  reason: "not_found" | "deactivated" | "guest" | "other_team";
};

export type IdentityReport = { members: number; proposals: IdentityProposal[]; stale: StaleIdentity[] };

/**
 * Reads the workspace's members (`users.list`) and reports to HR: which employees without a Slack
 * identity have exactly one full member of an allowed team with their work e-mail (a proposal to
 * review — nothing is bound: people are matched only by the ids an admin stores, never by an
 * e-mail), and which stored identities no longer fit (member gone or deactivated, a guest, another
 * team). Guests, bots and people of other organisations are never proposed.
 */
export async function slackIdentityReport(services: NotifyDeps): Promise<IdentityReport> {
  const sender = slackSenderOf(services);
  if (!sender) throw new AppError("not_found", "Slack is not enabled.", { messageKey: "error.not_found" });
  const teams = services.config.SLACK_TEAM_IDS;
  const db = services.database.db;
  const rows = await db
    .select({
      externalId: employees.externalId,
      name: employees.name,
      email: employees.email,
      status: employees.status,
      slackUserId: employeeIdentities.platformUserId,
    })
    .from(employees)
    .leftJoin(
      employeeIdentities,
      and(eq(employeeIdentities.employeeId, employees.id), eq(employeeIdentities.platform, "slack")),
    );
  const members: SlackMember[] = [];
  for await (const member of sender.members()) members.push(member);
  const byId = new Map(members.map((m) => [m.id, m]));
  const bound = new Set(rows.map((r) => r.slackUserId).filter((id): id is string => id !== null));
  const ourMember = (m: SlackMember) => m.teamId === undefined || teams.includes(m.teamId);

  const stale: StaleIdentity[] = [];
  for (const row of rows) {
    if (row.slackUserId === null || row.status !== "active") continue;
    const member = byId.get(row.slackUserId);
    const reason: StaleIdentity["reason"] | undefined = !member
      ? "not_found"
      : member.deleted
        ? "deactivated"
        : member.guest || member.stranger
          ? "guest"
          : !ourMember(member)
            ? "other_team"
            : undefined;
    if (reason) stale.push({ employeeExternalId: row.externalId, slackUserId: row.slackUserId, reason });
  }

  const candidates = new Map<string, SlackMember[]>();
  for (const m of members) {
    if (m.deleted || m.bot || m.guest || m.stranger || !m.email || !ourMember(m) || bound.has(m.id)) continue;
    const key = m.email.trim().toLowerCase();
    candidates.set(key, [...(candidates.get(key) ?? []), m]);
  }
  const employeesByEmail = new Map<string, number>();
  for (const row of rows) {
    if (!row.email) continue;
    const key = row.email.trim().toLowerCase();
    employeesByEmail.set(key, (employeesByEmail.get(key) ?? 0) + 1);
  }
  const proposals: IdentityProposal[] = [];
  for (const row of rows) {
    if (row.slackUserId !== null || row.status !== "active" || !row.email) continue;
    const key = row.email.trim().toLowerCase();
    const found = candidates.get(key);
    if (found?.length !== 1 || employeesByEmail.get(key) !== 1) continue;
    const member = found[0] as SlackMember;
    proposals.push({
      employeeExternalId: row.externalId,
      employeeName: row.name,
      slackUserId: member.id,
      ...(member.realName ? { slackName: member.realName } : {}),
      matchedBy: "email",
    });
  }
  proposals.sort((a, b) => a.employeeExternalId.localeCompare(b.employeeExternalId));
  stale.sort((a, b) => a.employeeExternalId.localeCompare(b.employeeExternalId));
  return { members: members.length, proposals, stale };
}
