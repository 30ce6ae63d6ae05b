/**
 * Bot Framework activities from Teams → neutral events (shared/reference/slack-teams.md §B1–B3).
 * The request is authenticated before this runs (botbuilder's CloudAdapter checks the Bot
 * Framework JWT); this only reads the activity.
 *
 * - `message` with text → a message (the bot's `<at>` mention removed); a `message` whose `value`
 *   holds our `_baton` data is an `Action.Submit` click (the fallback of `Action.Execute`);
 * - `invoke` `adaptiveCard/action` → an action (verb and data; input values are in the data);
 * - `invoke` `application/search` → a search (typeahead in a person picker, dataset = action);
 * - everything else (conversationUpdate, installationUpdate, reactions, other invokes) → ignored.
 *
 * The idempotency key is `activity.id` (Teams re-sends the same activity when the bot is slow).
 * People are `from.id` (`29:…`, the id a conversation reference needs); `from.aadObjectId` (the
 * Entra object id HR data joins on) travels in `teams.aadObjectId`. The tenant is
 * `channelData.tenant.id` (else `conversation.tenantId`).
 */

import type { ChatType } from "../../bots/conversation.ts";
import type { FormValues, InboundEvent, Where, Who } from "../../bots/events.ts";
import { badRequest as bad, escapeRegExp, isObject, type Json, obj, parseJson, str } from "../shared/json.ts";
import type { ParseResult, RawRequest } from "../shared/surface.ts";
import { dataKey, decodeBatonData } from "./codec.ts";

/** What the sending side needs: the parts of a conversation reference, and the card's message id. */
export type TeamsContext = {
  kind: "message" | "card-action" | "submit" | "search";
  activityId: string;
  serviceUrl?: string;
  conversationId: string;
  conversationType?: string;
  tenantId?: string;
  botId?: string;
  aadObjectId?: string;
  /** The card's message (`replyToId`), for `updateActivity`. */
  replyToId?: string;
  teamId?: string;
  channelId?: string;
};

export type TeamsEvent = InboundEvent & { teams: TeamsContext };

export type TeamsParseOptions = { now: Date };

function localeOf(locale: unknown): "zh-CN" | "en" | undefined {
  const tag = str(locale)?.toLowerCase();
  if (!tag) return undefined;
  if (tag.startsWith("zh")) return "zh-CN";
  if (tag.startsWith("en")) return "en";
  return undefined;
}

/**
 * The text without the bot's mention (as `TurnContext.removeRecipientMention` does: the `text` of
 * each mention entity whose `mentioned.id` is the recipient), whitespace collapsed.
 */
export function stripBotMention(activity: Json): string {
  let text = typeof activity.text === "string" ? activity.text : "";
  const botId = str(obj(activity.recipient).id);
  const entities = Array.isArray(activity.entities) ? activity.entities.map(obj) : [];
  for (const entity of entities) {
    if (entity.type !== "mention" || str(obj(entity.mentioned).id) !== botId) continue;
    const mentionText = str(entity.text);
    if (mentionText) text = text.replace(new RegExp(escapeRegExp(mentionText), "g"), " ");
  }
  const botName = str(obj(activity.recipient).name);
  if (botName) text = text.replace(new RegExp(`<at>${escapeRegExp(botName)}</at>`, "g"), " ");
  return text
    .replace(/&nbsp;/g, " ")
    .replace(/\s+/g, " ")
    .trim();
}

function chatTypeOf(conversation: Json): ChatType {
  const type = str(conversation.conversationType);
  if (type === "personal") return "direct";
  if (type === "groupChat" || type === "channel") return "group";
  return conversation.isGroup === true ? "group" : "direct";
}

/** Form values from action data: every key but ours; multi-selects back to arrays. */
export function formFromData(data: unknown, multi: readonly string[] = []): FormValues {
  const form: Record<string, string | readonly string[]> = {};
  for (const [key, value] of Object.entries(obj(data))) {
    if (key === dataKey || key === "msteams") continue;
    if (multi.includes(key)) {
      const list = Array.isArray(value)
        ? value.filter((v): v is string => typeof v === "string")
        : typeof value === "string"
          ? value.split(",").filter((v) => v !== "")
          : [];
      form[key] = list;
    } else if (typeof value === "string") form[key] = value;
    else if (typeof value === "number" || typeof value === "boolean") form[key] = String(value);
  }
  for (const id of multi) if (!(id in form)) form[id] = [];
  return form;
}

type Common = {
  who: Who;
  where: Where;
  teams: Omit<TeamsContext, "kind">;
  locale?: "zh-CN" | "en";
  idempotencyKey: string;
};

function common(activity: Json): Common {
  const id = str(activity.id) ?? bad("activity without id");
  const from = obj(activity.from);
  const userId = str(from.id) ?? bad("activity without from.id");
  const conversation = obj(activity.conversation);
  const conversationId = str(conversation.id) ?? bad("activity without conversation.id");
  const channelData = obj(activity.channelData);
  const conversationTenant = str(conversation.tenantId);
  const tenantId = str(obj(channelData.tenant).id) ?? conversationTenant;
  // A user from another tenant (a shared channel or a federated chat) or a guest, where Teams says so.
  const userTenant = str(from.tenantId);
  const role = str(from.userRole);
  const externalUser =
    (userTenant !== undefined && tenantId !== undefined && userTenant !== tenantId) ||
    role === "guest" ||
    role === "anonymous";
  const channel = obj(channelData.channel);
  const sharedChat =
    (conversationTenant !== undefined && tenantId !== undefined && conversationTenant !== tenantId) ||
    str(channel.membershipType) === "shared" ||
    str(channel.type) === "shared";
  const tenant = userTenant ?? tenantId;
  const displayName = str(from.name);
  const aadObjectId = str(from.aadObjectId);
  const serviceUrl = str(activity.serviceUrl);
  const botId = str(obj(activity.recipient).id);
  const replyToId = str(activity.replyToId);
  const teamId = str(obj(channelData.team).id);
  const channelId = str(channel.id);
  const locale = localeOf(activity.locale);
  return {
    idempotencyKey: id,
    who: {
      userId,
      ...(tenant ? { tenant } : {}),
      ...(externalUser ? { external: true } : {}),
      ...(displayName ? { displayName } : {}),
    },
    where: {
      chatId: conversationId,
      chatType: chatTypeOf(conversation),
      ...(sharedChat ? { external: true } : {}),
    },
    ...(locale ? { locale } : {}),
    teams: {
      activityId: id,
      conversationId,
      ...(str(conversation.conversationType) ? { conversationType: str(conversation.conversationType) } : {}),
      ...(serviceUrl ? { serviceUrl } : {}),
      ...(tenantId ? { tenantId } : {}),
      ...(botId ? { botId } : {}),
      ...(aadObjectId ? { aadObjectId } : {}),
      ...(replyToId ? { replyToId } : {}),
      ...(teamId ? { teamId } : {}),
      ...(channelId ? { channelId } : {}),
    },
  };
}

/** The fields every Teams event carries, whatever its type. */
function envelope(c: Common, options: TeamsParseOptions) {
  return {
    surface: "teams" as const,
    idempotencyKey: c.idempotencyKey,
    who: c.who,
    where: c.where,
    receivedAt: options.now,
    ...(c.locale ? { locale: c.locale } : {}),
  };
}

function actionEvent(
  activity: Json,
  kind: "card-action" | "submit",
  action: string,
  data: unknown,
  options: TeamsParseOptions,
): TeamsEvent {
  const c = common(activity);
  const baton = decodeBatonData(data);
  const value = baton?.value;
  const replyToId = c.teams.replyToId;
  return {
    type: "action",
    ...envelope(c, options),
    action,
    ...(value !== undefined ? { value } : {}),
    form: formFromData(data, baton?.multi),
    ...(replyToId ? { sourceMessageId: replyToId } : {}),
    teams: { kind, ...c.teams },
  };
}

/** The activity (the parsed JSON body of `POST /webhooks/teams`) → what it means. */
export function parseTeamsActivity(activity: unknown, options: TeamsParseOptions): ParseResult<TeamsEvent> {
  if (!isObject(activity)) return bad("activity is not an object");
  const type = str(activity.type) ?? bad("activity without type");
  const from = obj(activity.from);
  const recipient = obj(activity.recipient);
  if (str(from.id) !== undefined && str(from.id) === str(recipient.id))
    return { kind: "ignored", reason: "our own activity" };

  if (type === "message") {
    const baton = decodeBatonData(activity.value);
    if (baton)
      return {
        kind: "events",
        events: [actionEvent(activity, "submit", baton.action, activity.value, options)],
      };
    if (from.role === "bot") return { kind: "ignored", reason: "message from a bot" };
    const text = stripBotMention(activity);
    if (text === "") return { kind: "ignored", reason: "message without text" };
    const c = common(activity);
    return {
      kind: "events",
      events: [
        {
          type: "message",
          ...envelope(c, options),
          text,
          messageId: c.teams.activityId,
          teams: { kind: "message", ...c.teams },
        },
      ],
    };
  }

  if (type === "invoke") {
    const name = str(activity.name);
    const value = obj(activity.value);
    if (name === "adaptiveCard/action") {
      const action = obj(value.action);
      if (action.type !== "Action.Execute")
        return { kind: "ignored", reason: `card action ${String(action.type)}` };
      const verb = str(action.verb) ?? decodeBatonData(action.data)?.action;
      if (!verb) return { kind: "ignored", reason: "card action without verb" };
      return { kind: "events", events: [actionEvent(activity, "card-action", verb, action.data, options)] };
    }
    if (name === "application/search") {
      const dataset = str(value.dataset);
      if (!dataset) return { kind: "ignored", reason: "search without dataset" };
      const c = common(activity);
      return {
        kind: "events",
        events: [
          {
            type: "search",
            ...envelope(c, options),
            action: dataset,
            query: typeof value.queryText === "string" ? value.queryText : "",
            teams: { kind: "search", ...c.teams },
          },
        ],
      };
    }
    return { kind: "ignored", reason: `invoke ${name ?? "?"}` };
  }
  return { kind: "ignored", reason: `activity ${type}` };
}

/** A request to `POST /webhooks/teams` (already authenticated) → what it means. */
export function parseTeamsRequest(request: RawRequest, options: TeamsParseOptions): ParseResult<TeamsEvent> {
  return parseTeamsActivity(parseJson(request.body, "body"), options);
}
