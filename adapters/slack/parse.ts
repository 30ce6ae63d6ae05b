/**
 * Verified Slack requests → neutral events (shared/reference/slack-teams.md §A2). One URL receives
 * the Events API (JSON), interactivity (form field `payload` holding JSON) and slash commands
 * (form fields). Unknown kinds are `ignored` (answered 200 so Slack does not retry); malformed
 * bodies throw a 400 AppError.
 *
 * Idempotency keys: `event:<event_id>` (the same across Slack's retries); interactivity and
 * commands are never retried by Slack, and each interaction has its own `trigger_id`, so
 * `action:<trigger_id>`, `view:<trigger_id>`, `command:<trigger_id>`; a `block_suggestion` carries
 * no id at all, so its key is a hash of the signed timestamp and body.
 */

import { createHash } from "node:crypto";
import type { ChatType } from "../../bots/conversation.ts";
import type { FormValues, InboundEvent, Where, Who } from "../../bots/events.ts";
import {
  badRequest as bad,
  isObject,
  type Json,
  mediaType,
  obj,
  parseJson,
  str,
  urlVerification,
} from "../shared/json.ts";
import type { ParseResult, RawRequest } from "../shared/surface.ts";
import { decodeActionId, decodeModalMetadata } from "./codec.ts";

/** What the sending side needs to answer an event where it came from. */
export type SlackContext = {
  kind: "event" | "block_actions" | "view_submission" | "block_suggestion" | "command";
  teamId?: string;
  enterpriseId?: string;
  channelId?: string;
  /** The message the event is about (a DM/mention, or the message whose button was clicked). */
  messageTs?: string;
  threadTs?: string;
  /** For commands and message actions: where to answer (5 times within 30 minutes). */
  responseUrl?: string;
  /** For opening a modal (`views.open`), usable for about 3 seconds. */
  triggerId?: string;
  viewId?: string;
  /** Slack's `X-Slack-Retry-Num` on a redelivered event. */
  retryNum?: number;
};

export type SlackEvent = InboundEvent & { slack: SlackContext };

export type SlackParseOptions = {
  /** Our clock when the request arrived (the neutral `receivedAt`). */
  now: Date;
  /** Our bot's user id (`auth.test` → `user_id`); also read from `authorizations[]` when absent. */
  botUserId?: string;
  /** Our bot id (`auth.test` → `bot_id`). */
  botId?: string;
  /** Our app id (`api_app_id`). */
  appId?: string;
};

/** Slack's form-encoded `ssl_check=1` health check: unsigned, answered 200 before verification. */
export function isSlackSslCheck(request: RawRequest): boolean {
  if (mediaType(request) !== "application/x-www-form-urlencoded") return false;
  // Most bodies have no such field: no need to decode them (a click's payload is kilobytes).
  if (!request.body.includes("ssl_check")) return false;
  return new URLSearchParams(request.body).get("ssl_check") === "1";
}

/** Slack's message markup → plain text: `<@U1|ann>` → `@ann`, `<https://x|x>` → `x`, entities decoded. */
export function slackTextToPlain(text: string): string {
  return text
    .replace(/<([^<>]*)>/g, (_all, inner: string) => {
      const bar = inner.indexOf("|");
      const target = bar < 0 ? inner : inner.slice(0, bar);
      const label = bar < 0 ? undefined : inner.slice(bar + 1);
      if (target.startsWith("@")) return label ? `@${label.replace(/^@/, "")}` : target;
      if (target.startsWith("#")) return label ? `#${label.replace(/^#/, "")}` : target;
      if (target.startsWith("!")) {
        if (label) return label;
        const special = target.slice(1).split("^")[0]!;
        return ["here", "channel", "everyone"].includes(special) ? `@${special}` : special;
      }
      return label ?? target.replace(/^mailto:/, "");
    })
    .replaceAll("&lt;", "<")
    .replaceAll("&gt;", ">")
    .replaceAll("&amp;", "&");
}

function chatTypeOf(channelId: string | undefined, hint?: string): ChatType {
  if (hint === "im" || hint === "directmessage") return "direct";
  if (hint !== undefined && hint !== "") return "group";
  return channelId?.startsWith("D") ? "direct" : "group";
}

/** Values of our inputs in `state.values` (`{ block_id: { action_id: state } }`), by neutral input id. */
export function formValues(values: unknown): FormValues {
  const form: Record<string, string | readonly string[]> = {};
  for (const actions of Object.values(obj(values))) {
    for (const [actionId, state] of Object.entries(obj(actions))) {
      const decoded = decodeActionId(actionId);
      if (decoded?.kind !== "input" || !isObject(state)) continue;
      const value = stateValue(state);
      if (value !== undefined) form[decoded.id] = value;
    }
  }
  return form;
}

function stateValue(state: Json): string | readonly string[] | undefined {
  const optionValue = (o: unknown) => (isObject(o) && typeof o.value === "string" ? o.value : undefined);
  switch (state.type) {
    case "plain_text_input":
      return typeof state.value === "string" ? state.value : undefined;
    case "datepicker":
      return str(state.selected_date);
    case "static_select":
    case "external_select":
    case "radio_buttons":
      return optionValue(state.selected_option);
    case "checkboxes":
    case "multi_static_select":
    case "multi_external_select":
      return Array.isArray(state.selected_options)
        ? state.selected_options.map(optionValue).filter((v): v is string => v !== undefined)
        : [];
    default:
      return undefined;
  }
}

/**
 * The teams a request was delivered for: a user from another team (Slack Connect) is external,
 * unless the install belongs to an Enterprise Grid org — then sibling workspaces differ too, and
 * the allowed teams (`SLACK_TEAM_IDS`, checked on `who.tenant`) decide.
 */
function isForeign(
  userTeam: string | undefined,
  homeTeams: (string | undefined)[],
  enterprise: boolean,
): boolean {
  const home = homeTeams.filter((t): t is string => t !== undefined);
  return userTeam !== undefined && home.length > 0 && !home.includes(userTeam) && !enterprise;
}

// ---------------------------------------------------------------------------------------------
// Events API

function parseEventCallback(
  envelope: Json,
  request: RawRequest,
  options: SlackParseOptions,
): ParseResult<SlackEvent> {
  const event = obj(envelope.event);
  const type = str(event.type);
  if (type !== "message" && type !== "app_mention")
    return { kind: "ignored", reason: `event ${type ?? "?"}` };
  const eventId = str(envelope.event_id) ?? bad("event_callback without event_id");
  const subtype = str(event.subtype);
  if (subtype && subtype !== "file_share" && subtype !== "thread_broadcast")
    return { kind: "ignored", reason: `message subtype ${subtype}` };
  if (event.bot_id !== undefined || event.bot_profile !== undefined || event.hidden === true)
    return { kind: "ignored", reason: "bot message" };
  const authorizations = Array.isArray(envelope.authorizations) ? envelope.authorizations.map(obj) : [];
  const botUserId =
    options.botUserId ??
    authorizations.map((a) => (a.is_bot === true ? str(a.user_id) : undefined)).find(Boolean);
  const user = str(event.user);
  if (!user) return { kind: "ignored", reason: "message without a user" };
  if (user === botUserId || (options.appId !== undefined && event.app_id === options.appId))
    return { kind: "ignored", reason: "our own message" };
  const channelId = str(event.channel) ?? bad("event without channel");
  const channelType = str(event.channel_type);
  if (type === "message" && channelType !== "im")
    return { kind: "ignored", reason: `message in ${channelType ?? "?"} (mentions arrive as app_mention)` };

  let text = typeof event.text === "string" ? event.text : "";
  if (type === "app_mention") {
    text = botUserId
      ? text.replace(new RegExp(`<@${botUserId}(?:\\|[^>]*)?>`, "g"), " ")
      : text.replace(/^\s*<@[UW][A-Z0-9]+(?:\|[^>]*)?>/, " ");
  }
  text = slackTextToPlain(text).replace(/\s+/g, " ").trim();
  if (type === "message" && text === "") return { kind: "ignored", reason: "message without text" };

  const profile = obj(event.user_profile);
  const teamId = str(envelope.team_id);
  const enterpriseId =
    str(envelope.enterprise_id) ?? authorizations.map((a) => str(a.enterprise_id)).find(Boolean);
  const userTeam = str(event.user_team) ?? str(event.team) ?? teamId;
  const guest = profile.is_restricted === true || profile.is_ultra_restricted === true;
  const homeTeams = [teamId, str(envelope.context_team_id), ...authorizations.map((a) => str(a.team_id))];
  const external = guest || isForeign(userTeam, homeTeams, enterpriseId !== undefined);
  const displayName = str(profile.display_name) ?? str(profile.real_name);
  const who: Who = {
    userId: user,
    ...(userTeam ? { tenant: userTeam } : {}),
    ...(external ? { external: true } : {}),
    ...(displayName ? { displayName } : {}),
  };
  const where: Where = {
    chatId: channelId,
    chatType: chatTypeOf(channelId, channelType),
    ...(envelope.is_ext_shared_channel === true ? { external: true } : {}),
  };
  const retry = request.headers["x-slack-retry-num"];
  const ts = str(event.ts);
  const threadTs = str(event.thread_ts);
  return {
    kind: "events",
    events: [
      {
        type: "message",
        surface: "slack",
        idempotencyKey: `event:${eventId}`,
        who,
        where,
        receivedAt: options.now,
        text,
        ...(ts ? { messageId: ts } : {}),
        slack: {
          kind: "event",
          ...(teamId ? { teamId } : {}),
          ...(enterpriseId ? { enterpriseId } : {}),
          channelId,
          ...(ts ? { messageTs: ts } : {}),
          ...(threadTs ? { threadTs } : {}),
          ...(retry !== undefined && /^\d+$/.test(retry) ? { retryNum: Number(retry) } : {}),
        },
      },
    ],
  };
}

// ---------------------------------------------------------------------------------------------
// Interactivity

type Actor = { who: Who; teamId?: string; enterpriseId?: string };

function actorOf(payload: Json): Actor {
  const user = obj(payload.user);
  const team = obj(payload.team);
  const userId = str(user.id) ?? bad("interaction without user");
  const teamId = str(team.id) ?? str(user.team_id);
  const enterpriseId = str(obj(payload.enterprise).id) ?? str(team.enterprise_id);
  const userTeam = str(user.team_id) ?? teamId;
  const external = isForeign(userTeam, [teamId], enterpriseId !== undefined);
  const displayName = str(user.name) ?? str(user.username);
  return {
    who: {
      userId,
      ...(userTeam ? { tenant: userTeam } : {}),
      ...(external ? { external: true } : {}),
      ...(displayName ? { displayName } : {}),
    },
    ...(teamId ? { teamId } : {}),
    ...(enterpriseId ? { enterpriseId } : {}),
  };
}

function interactionKey(prefix: string, payload: Json, fallback: string): string {
  const trigger = str(payload.trigger_id);
  return trigger ? `${prefix}:${trigger}` : `${prefix}:${fallback}`;
}

function requestHash(request: RawRequest): string {
  return createHash("sha256")
    .update(`${request.headers["x-slack-request-timestamp"] ?? ""}:${request.body}`)
    .digest("hex")
    .slice(0, 40);
}

/** Where an interaction happened: the channel of a message, or what a modal remembers. */
function whereOf(
  payload: Json,
  actor: Actor,
): { where: Where; channelId?: string; sourceMessageId?: string } {
  const container = obj(payload.container);
  const view = obj(payload.view);
  const external = payload.is_ext_shared_channel === true || payload.is_ext_shared_channel === "true";
  if (container.type === "view" || (payload.view !== undefined && payload.channel === undefined)) {
    const metadata = decodeModalMetadata(view.private_metadata);
    const chatId = metadata?.chatId ?? actor.who.userId;
    return {
      where: { chatId, chatType: metadata?.chatType ?? (metadata?.chatId ? chatTypeOf(chatId) : "direct") },
      ...(metadata?.chatId ? { channelId: metadata.chatId } : {}),
      ...(metadata?.sourceMessageId ? { sourceMessageId: metadata.sourceMessageId } : {}),
    };
  }
  const channel = obj(payload.channel);
  const channelId = str(channel.id) ?? str(container.channel_id) ?? actor.who.userId;
  const messageTs = str(container.message_ts) ?? str(obj(payload.message).ts);
  return {
    where: {
      chatId: channelId,
      chatType: chatTypeOf(channelId, str(channel.name) === "directmessage" ? "im" : undefined),
      ...(external ? { external: true } : {}),
    },
    channelId,
    ...(messageTs ? { sourceMessageId: messageTs } : {}),
  };
}

function baseContext(kind: SlackContext["kind"], payload: Json, actor: Actor): SlackContext {
  const trigger = str(payload.trigger_id);
  const responseUrl = str(payload.response_url);
  const viewId = str(obj(payload.view).id);
  return {
    kind,
    ...(actor.teamId ? { teamId: actor.teamId } : {}),
    ...(actor.enterpriseId ? { enterpriseId: actor.enterpriseId } : {}),
    ...(trigger ? { triggerId: trigger } : {}),
    ...(responseUrl ? { responseUrl } : {}),
    ...(viewId ? { viewId } : {}),
  };
}

function parseBlockActions(payload: Json, options: SlackParseOptions): ParseResult<SlackEvent> {
  const actions = Array.isArray(payload.actions) ? payload.actions.map(obj) : [];
  const first = actions[0];
  if (!first) return { kind: "ignored", reason: "block_actions without actions" };
  const decoded = decodeActionId(str(first.action_id) ?? "");
  if (!decoded) return { kind: "ignored", reason: "not one of our actions" };
  if (decoded.kind === "link") return { kind: "ignored", reason: "link button opened" };
  if (decoded.kind === "input") return { kind: "ignored", reason: "input changed" };
  const actor = actorOf(payload);
  const { where, channelId, sourceMessageId } = whereOf(payload, actor);
  const state = payload.state ?? obj(payload.view).state;
  const value = str(first.value);
  return {
    kind: "events",
    events: [
      {
        type: "action",
        surface: "slack",
        idempotencyKey: interactionKey(
          "action",
          payload,
          `${actor.who.userId}:${str(first.action_ts) ?? "?"}`,
        ),
        who: actor.who,
        where,
        receivedAt: options.now,
        action: decoded.action,
        ...(value !== undefined ? { value } : {}),
        form: formValues(obj(state).values),
        ...(sourceMessageId ? { sourceMessageId } : {}),
        slack: {
          ...baseContext("block_actions", payload, actor),
          ...(channelId ? { channelId } : {}),
          ...(sourceMessageId ? { messageTs: sourceMessageId } : {}),
        },
      },
    ],
  };
}

function parseViewSubmission(payload: Json, options: SlackParseOptions): ParseResult<SlackEvent> {
  const view = obj(payload.view);
  const metadata = decodeModalMetadata(view.private_metadata);
  if (!metadata) return { kind: "ignored", reason: "not one of our modals" };
  const actor = actorOf(payload);
  const { where, channelId, sourceMessageId } = whereOf(payload, actor);
  return {
    kind: "events",
    events: [
      {
        type: "action",
        surface: "slack",
        idempotencyKey: interactionKey("view", payload, `${str(view.id) ?? "?"}:${str(view.hash) ?? "?"}`),
        who: actor.who,
        where,
        receivedAt: options.now,
        action: metadata.action,
        ...(metadata.value !== undefined ? { value: metadata.value } : {}),
        form: formValues(obj(view.state).values),
        ...(sourceMessageId ? { sourceMessageId } : {}),
        slack: {
          ...baseContext("view_submission", payload, actor),
          ...(channelId ? { channelId } : {}),
          ...(sourceMessageId ? { messageTs: sourceMessageId } : {}),
        },
      },
    ],
  };
}

function parseBlockSuggestion(
  payload: Json,
  request: RawRequest,
  options: SlackParseOptions,
): ParseResult<SlackEvent> {
  const decoded = decodeActionId(str(payload.action_id) ?? "");
  if (decoded?.kind !== "input" || decoded.search === undefined)
    return { kind: "ignored", reason: "not one of our searches" };
  const actor = actorOf(payload);
  const { where, channelId } = whereOf(payload, actor);
  return {
    kind: "events",
    events: [
      {
        type: "search",
        surface: "slack",
        idempotencyKey: `search:${requestHash(request)}`,
        who: actor.who,
        where,
        receivedAt: options.now,
        action: decoded.search,
        query: typeof payload.value === "string" ? payload.value : "",
        slack: { ...baseContext("block_suggestion", payload, actor), ...(channelId ? { channelId } : {}) },
      },
    ],
  };
}

// ---------------------------------------------------------------------------------------------
// Slash commands

function parseCommand(form: URLSearchParams, options: SlackParseOptions): ParseResult<SlackEvent> {
  const get = (name: string) => str(form.get(name) ?? undefined);
  const userId = get("user_id") ?? bad("command without user_id");
  const channelId = get("channel_id") ?? bad("command without channel_id");
  const teamId = get("team_id");
  const enterpriseId = get("enterprise_id");
  const trigger = get("trigger_id");
  const responseUrl = get("response_url");
  const userTeam = get("user_team") ?? teamId;
  const external = isForeign(userTeam, [teamId], enterpriseId !== undefined);
  const userName = get("user_name");
  return {
    kind: "events",
    events: [
      {
        type: "command",
        surface: "slack",
        idempotencyKey: trigger
          ? `command:${trigger}`
          : `command:${userId}:${channelId}:${get("text") ?? ""}`,
        who: {
          userId,
          ...(userTeam ? { tenant: userTeam } : {}),
          ...(external ? { external: true } : {}),
          ...(userName ? { displayName: userName } : {}),
        },
        where: {
          chatId: channelId,
          chatType: chatTypeOf(channelId, get("channel_name") === "directmessage" ? "im" : undefined),
          ...(get("is_ext_shared_channel") === "true" ? { external: true } : {}),
        },
        receivedAt: options.now,
        text: slackTextToPlain(form.get("text") ?? "")
          .replace(/\s+/g, " ")
          .trim(),
        slack: {
          kind: "command",
          ...(teamId ? { teamId } : {}),
          ...(enterpriseId ? { enterpriseId } : {}),
          channelId,
          ...(trigger ? { triggerId: trigger } : {}),
          ...(responseUrl ? { responseUrl } : {}),
        },
      },
    ],
  };
}

// ---------------------------------------------------------------------------------------------

/** A verified request to `POST /webhooks/slack` → what it means. */
/** The JSON each parsed request carried (interactivity's `payload`, an Events API envelope). */
const parsedBodies = new WeakMap<RawRequest, Json>();

/**
 * The JSON body {@link parseSlackRequest} read from this request, if it read one: Bolt gets the
 * same object instead of parsing the body a second time.
 */
export function parsedSlackBody(request: RawRequest): Json | undefined {
  return parsedBodies.get(request);
}

export function parseSlackRequest(request: RawRequest, options: SlackParseOptions): ParseResult<SlackEvent> {
  const type = mediaType(request);
  const isForm =
    type === "application/x-www-form-urlencoded" ||
    (type === "" && !request.body.trimStart().startsWith("{"));
  if (isForm) {
    const form = new URLSearchParams(request.body);
    if (form.get("ssl_check") === "1") return { kind: "handshake", status: 200, body: "" };
    const payloadText = form.get("payload");
    if (payloadText !== null) {
      const payload = parseJson(payloadText, "payload");
      if (!isObject(payload)) return bad("payload is not an object");
      parsedBodies.set(request, payload);
      switch (payload.type) {
        case "block_actions":
          return parseBlockActions(payload, options);
        case "view_submission":
          return parseViewSubmission(payload, options);
        case "block_suggestion":
          return parseBlockSuggestion(payload, request, options);
        default:
          return { kind: "ignored", reason: `interaction ${String(payload.type)}` };
      }
    }
    if (form.get("command") !== null) return parseCommand(form, options);
    return { kind: "ignored", reason: "form without payload or command" };
  }
  if (type !== "" && type !== "application/json") return bad(`unexpected content type ${type}`);
  const body = parseJson(request.body, "body");
  if (!isObject(body)) return bad("body is not an object");
  parsedBodies.set(request, body);
  if (body.type === "url_verification") return urlVerification(body);
  if (body.type === "event_callback") return parseEventCallback(body, request, options);
  return { kind: "ignored", reason: `envelope ${String(body.type)}` };
}
