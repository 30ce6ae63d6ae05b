/**
 * One authenticated Teams activity, end to end (DESIGN §3, §7; shared/reference/slack-teams.md
 * §B2–B4): the tenant allow-list, the conversation reference kept, the activity parsed, the bot
 * asked (it stores the event in its inbox first: a redelivered `activity.id` has no second effect),
 * and its answer delivered the Teams way:
 *
 * - a card click (`adaptiveCard/action`) is answered in the HTTP response: the `replace` card
 *   replaces the clicked card in place (Universal Actions); other cards go out as messages and the
 *   invoke gets a short message — never a 500 and never Teams' "no response" error;
 * - an `Action.Submit` click (older clients) updates the card message (`replyToId`) instead;
 * - a person picker's typeahead (`application/search`) gets the options;
 * - `direct` cards go to the person's 1:1 chat (a stored reference, else a new chat);
 * - unknown invokes get a clean 200, other activities nothing.
 */

import { createHash } from "node:crypto";
import type { InboundEvent } from "../../bots/events.ts";
import type { BotHandler, BotOutcome, Reply } from "../../bots/reply.ts";
import type { CardNode } from "../../cards/model.ts";
import { isAppError } from "../../core/errors.ts";
import { type Locale, translate } from "../../core/messages/index.ts";
import { obj, str } from "../shared/json.ts";
import type { TeamsActivity, TeamsConnector, TeamsReference, TeamsTurn } from "./gateway.ts";
import { parseTeamsActivity, type TeamsEvent } from "./parse.ts";
import {
  baseConversationId,
  isPersonalConversation,
  isRemoval,
  referenceFromActivity,
  type StoredReference,
  storedPersonal,
  tenantOf,
} from "./reference.ts";
import {
  renderActivity,
  renderInvokeCard,
  renderInvokeError,
  renderInvokeMessage,
  renderSearchResponse,
} from "./render.ts";

/** Where the Teams surface keeps references and looks people up (db/teams.ts behind it). */
export type TeamsStore = {
  saveReference(reference: StoredReference): Promise<void>;
  dropReference(key: string): Promise<void>;
  /** The newest 1:1 chat reference of the person known by any of `ids` (`29:…`, Entra object id). */
  personalReference(ids: readonly string[]): Promise<TeamsReference | undefined>;
  /** Which of `ids` an admin stored as someone's Teams identity. */
  knownIdentities(ids: readonly string[]): Promise<string[]>;
};

export type TeamsLog = {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
};

export type TeamsTurnDeps = {
  bot: BotHandler;
  store: TeamsStore;
  connector: TeamsConnector;
  /** Only activities of this tenant are served (undefined: any — the local unauthenticated mode). */
  tenantId: string | undefined;
  /**
   * Only activities of this channel are served: `msteams` (the same Bot Framework keys also sign
   * Web Chat / Direct Line activities, whose `from` the client chooses). Undefined: any (local mode,
   * e.g. the Bot Framework Emulator).
   */
  channelId: string | undefined;
  now(): Date;
  log: TeamsLog;
};

/** What the route answers besides the SDK's own answer. */
export type TurnResult =
  | { kind: "done" }
  | { kind: "refused"; reason: string }
  | { kind: "bad-request"; message: string };

/**
 * The inbox key of an activity. Teams' message ids are millisecond timestamps, unique only within
 * one conversation, so the conversation goes into the key (hashed: ids can be long); a redelivery
 * has the same id in the same conversation, so it maps to the same key.
 */
export function idempotencyKeyOf(activityId: string, conversationId: string): string {
  const conversation = createHash("sha256").update(conversationId, "utf8").digest("hex").slice(0, 24);
  return `${activityId}@${conversation}`;
}

/**
 * The event as the bot should see it: the inbox key above; a channel by its id without the
 * thread (`;messageid=`), so `bind hr` in a thread binds the channel; and the person as the admin
 * stored them — their `29:…` id, or their Entra object id when that is what HR recorded.
 */
async function normalise(event: TeamsEvent, store: TeamsStore): Promise<InboundEvent> {
  let who = event.who;
  const aad = event.teams.aadObjectId;
  if (aad && aad !== who.userId) {
    const known = await store.knownIdentities([who.userId, aad]);
    if (!known.includes(who.userId) && known.includes(aad)) who = { ...who, userId: aad };
  }
  return {
    ...event,
    idempotencyKey: idempotencyKeyOf(event.teams.activityId, event.teams.conversationId),
    who,
    where: { ...event.where, chatId: baseConversationId(event.where.chatId) },
  };
}

function localeOf(event: { locale?: Locale | undefined } | undefined): Locale {
  return event?.locale ?? "zh-CN";
}

const cardsOf = (replies: readonly Reply[]) =>
  replies.flatMap((r) => (r.type === "options" ? [] : [{ type: r.type, card: r.card }]));

/** Runs one authenticated activity (see the file comment). */
export async function runTeamsTurn(deps: TeamsTurnDeps, turn: TeamsTurn): Promise<TurnResult> {
  const { activity } = turn;
  const tenant = tenantOf(activity);
  if (deps.tenantId !== undefined && tenant !== deps.tenantId) {
    deps.log.info({ surface: "teams", tenant: tenant ?? null }, "Teams activity from another tenant refused");
    return { kind: "refused", reason: "tenant" };
  }

  if (deps.channelId !== undefined && activity.channelId !== deps.channelId) {
    deps.log.info(
      { surface: "teams", channelId: str(activity.channelId) ?? null },
      "activity of another channel refused",
    );
    return { kind: "refused", reason: "channel" };
  }

  const stored = referenceFromActivity(activity);
  if (stored) {
    if (isRemoval(activity)) await deps.store.dropReference(stored.key);
    else await deps.store.saveReference(stored);
  }

  let parsed: ReturnType<typeof parseTeamsActivity>;
  try {
    parsed = parseTeamsActivity(activity, { now: deps.now() });
  } catch (error) {
    if (isAppError(error)) return { kind: "bad-request", message: error.message };
    throw error;
  }
  const isInvoke = activity.type === "invoke";
  if (parsed.kind !== "events") {
    if (isInvoke) answerIgnoredInvoke(turn, activity);
    return { kind: "done" };
  }
  const [first] = parsed.events;
  if (!first) return { kind: "done" };
  const event = await normalise(first, deps.store);
  const teams = first.teams;
  const locale = localeOf(event);

  if (event.type === "search") {
    try {
      const outcome = await deps.bot.receive(event);
      turn.respond(
        renderSearchResponse(outcome.replies.flatMap((r) => (r.type === "options" ? r.options : []))),
      );
    } catch (error) {
      deps.log.warn({ surface: "teams", error: (error as Error).name }, "Teams search failed");
      turn.respond(renderSearchResponse([]));
    }
    return { kind: "done" };
  }

  let outcome: BotOutcome;
  try {
    outcome = await deps.bot.receive(event);
  } catch (error) {
    if (!isInvoke) throw error; // a message: 500, Teams sends it again later
    deps.log.warn({ surface: "teams", error: (error as Error).name }, "a Teams card click failed");
    turn.respond(renderInvokeError(500, "InternalError", translate(locale, "bot.error.internal")));
    return { kind: "done" };
  }
  if (outcome.duplicate) {
    deps.log.info(
      { surface: "teams", activityId: teams.activityId },
      "Teams redelivered an activity; nothing done again",
    );
    if (isInvoke) turn.respond({ status: 200 });
    return { kind: "done" };
  }

  const cards = cardsOf(outcome.replies);
  if (teams.kind === "card-action") {
    // The first `replace` card answers the click in place; everything else goes out as messages.
    const index = cards.findIndex((c) => c.type === "replace");
    const replacement = index >= 0 ? cards[index] : undefined;
    const rest = cards.filter((_, i) => i !== index);
    await deliver(deps, turn, event, first, rest);
    try {
      if (replacement) turn.respond(renderInvokeCard(replacement.card));
      else
        turn.respond(
          renderInvokeMessage(rest[0]?.card.header.title ?? translate(locale, "bot.message.title")),
        );
    } catch (error) {
      deps.log.warn({ surface: "teams", error: (error as Error).name }, "a Teams card could not be rendered");
      turn.respond(renderInvokeError(500, "InternalError", translate(locale, "bot.error.internal")));
    }
    return { kind: "done" };
  }
  await deliver(deps, turn, event, first, cards);
  return { kind: "done" };
}

/** Unknown invokes get a clean answer: a card action we cannot read gets Teams' error body, others an empty 200. */
function answerIgnoredInvoke(turn: TeamsTurn, activity: TeamsActivity): void {
  if (activity.name === "adaptiveCard/action") {
    const locale: Locale = str(activity.locale)?.toLowerCase().startsWith("en") ? "en" : "zh-CN";
    turn.respond(renderInvokeError(400, "BadRequest", translate(locale, "bot.action.unknown")));
  } else turn.respond({ status: 200 });
}

/** Sends the bot's cards for a message or a click (errors are logged: the event itself is done). */
async function deliver(
  deps: TeamsTurnDeps,
  turn: TeamsTurn,
  event: InboundEvent,
  parsed: TeamsEvent,
  cards: { type: Reply["type"]; card: CardNode }[],
): Promise<void> {
  for (const { type, card } of cards) {
    try {
      const activity = renderActivity(card);
      if (type === "direct" && !isPersonalConversation(turn.activity)) {
        await sendDirect(deps, turn.activity, activity);
      } else if (type === "replace" && parsed.teams.kind === "submit" && parsed.teams.replyToId) {
        await turn.update(parsed.teams.replyToId, activity);
      } else {
        await turn.reply(activity);
      }
    } catch (error) {
      deps.log.warn(
        {
          surface: "teams",
          reply: type,
          event: event.type,
          error: (error as Error).name,
          status: (error as { status?: unknown }).status,
        },
        "a reply could not be delivered to Teams",
      );
    }
  }
}

/** A card for the acting person's 1:1 chat with the bot (a click or a command in a group). */
async function sendDirect(
  deps: TeamsTurnDeps,
  activity: TeamsActivity,
  message: TeamsActivity,
): Promise<void> {
  const from = obj(activity.from);
  const userId = str(from.id) ?? "";
  const ids = [userId, str(from.aadObjectId) ?? ""];
  let reference = await deps.store.personalReference(ids);
  if (!reference) {
    reference = await deps.connector.openPersonalChat({
      serviceUrl: str(activity.serviceUrl) ?? "",
      ...(tenantOf(activity) ? { tenantId: tenantOf(activity) as string } : {}),
      botId: str(obj(activity.recipient).id) ?? "",
      userId,
    });
    await deps.store.saveReference(storedPersonal(reference));
  }
  await deps.connector.post(reference, message);
}
