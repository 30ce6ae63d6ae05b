/**
 * Verified (and decrypted) Lark payloads → neutral events (shared/reference/lark-dingtalk.md §A1,
 * §A3, §C1–C2). verify.ts runs first and hands over the decrypted JSON.
 *
 * - `url_verification` → handshake `{ challenge }` (HTTP 200, plain JSON, never encrypted);
 * - `im.message.receive_v1` (schema 2.0) with a text message from a person → a message: every 1:1
 *   (`p2p`) message; in a group only when our bot is mentioned (its `@_user_N` placeholder removed,
 *   other people's placeholders shown as `@Name`);
 * - `card.action.trigger` on one of our buttons → an action (`action.value` → neutral action and
 *   value, `action.form_value` → form values by input id, see codec.ts);
 * - everything else (v1 envelopes, other events, bots, images, cards, clicks on buttons that are not
 *   ours) → ignored, answered 200 so Lark does not retry.
 *
 * Idempotency: Lark delivers at least once and re-pushes for ~7 h. A message's key is
 * `message:<message_id>` (the official receive-message page says to dedupe on it: the same message
 * can come again with a new `event_id`); a click's key is `event:<event_id>`. Both keys of a message
 * are in `lark.dedupeKeys` — the wiring should remember every one of them.
 */

import type { ChatType } from "../../bots/conversation.ts";
import type { InboundEvent, Where, Who } from "../../bots/events.ts";
import {
  badRequest as bad,
  escapeRegExp,
  isObject,
  type Json,
  obj,
  str,
  urlVerification,
} from "../shared/json.ts";
import type { ParseResult, RawRequest } from "../shared/surface.ts";
import { decodeFormValue, decodeValue } from "./codec.ts";
import { openLarkBody } from "./verify.ts";

/** What the sending side needs to answer where the event came from. */
export type LarkContext = {
  kind: "message" | "card-action";
  eventId: string;
  /** Every key this delivery may be known by (`event:…`, and `message:…` for a message). */
  dedupeKeys: string[];
  appId?: string;
  /** The tenant the event was delivered for (our installation). */
  tenantKey?: string;
  chatId?: string;
  /** The message the event is about (the message received, or the card clicked). */
  messageId?: string;
  rootId?: string;
  parentId?: string;
  threadId?: string;
  /** The person's other ids: `union_id` is stable across our apps, `user_id` within the tenant. */
  unionId?: string;
  employeeUserId?: string;
  /**
   * The delayed-update token of a click (`c-…`: 30 minutes, 2 uses) for
   * `POST /open-apis/interactive/v1/card/update`. A credential: never log it.
   */
  cardToken?: string;
  /** `im_message` or `im_top_notice`. */
  host?: string;
};

export type LarkEvent = InboundEvent & { lark: LarkContext };

export type LarkParseOptions = {
  /** Our clock when the request arrived (the neutral `receivedAt`). */
  now: Date;
  /**
   * Our bot's open_id (`GET /open-apis/bot/v3/info` → `bot.open_id`): a group message counts only
   * when it mentions this id. Without it, a mention whose `mentioned_type` is `bot` counts.
   */
  botOpenId?: string;
};

type Mention = { key: string; openId?: string; name?: string; tenantKey?: string; type?: string };

function mentionsOf(message: Json): Mention[] {
  if (!Array.isArray(message.mentions)) return [];
  return message.mentions.map(obj).flatMap((m): Mention[] => {
    const key = str(m.key);
    if (!key) return [];
    const id = obj(m.id);
    const openId = str(id.open_id);
    const name = str(m.name);
    const tenantKey = str(m.tenant_key);
    const type = str(m.mentioned_type);
    return [
      {
        key,
        ...(openId ? { openId } : {}),
        ...(name ? { name } : {}),
        ...(tenantKey ? { tenantKey } : {}),
        ...(type ? { type } : {}),
      },
    ];
  });
}

/**
 * The text of a message without our bot's mention: its placeholder becomes a space, other
 * placeholders become `@Name` (`@_all` → `@all`), whitespace collapsed.
 */
export function larkTextToPlain(
  text: string,
  mentions: readonly Mention[],
  isBot: (m: Mention) => boolean,
): string {
  let out = text;
  // Longest keys first, so `@_user_1` does not eat the start of `@_user_10`.
  for (const mention of [...mentions].sort((a, b) => b.key.length - a.key.length)) {
    const replacement = isBot(mention) ? " " : `@${mention.name ?? mention.key.replace(/^@_/, "")}`;
    out = out.replace(new RegExp(escapeRegExp(mention.key), "g"), replacement);
  }
  return out
    .replace(/@_all\b/g, "@all")
    .replace(/\s+/g, " ")
    .trim();
}

function chatTypeOf(chatType: string | undefined): ChatType {
  return chatType === "p2p" ? "direct" : "group";
}

function messageText(message: Json): string | undefined {
  if (message.message_type !== "text") return undefined;
  const content = str(message.content);
  if (!content) return undefined;
  try {
    const parsed: unknown = JSON.parse(content);
    return isObject(parsed) && typeof parsed.text === "string" ? parsed.text : undefined;
  } catch {
    return bad("message content is not valid JSON");
  }
}

function parseMessage(payload: Json, options: LarkParseOptions): ParseResult<LarkEvent> {
  const header = obj(payload.header);
  const event = obj(payload.event);
  const sender = obj(event.sender);
  const message = obj(event.message);
  const eventId = str(header.event_id) ?? bad("event without header.event_id");
  if (sender.sender_type !== "user")
    return { kind: "ignored", reason: `sender ${String(sender.sender_type)}` };
  const senderIds = obj(sender.sender_id);
  const openId = str(senderIds.open_id);
  if (!openId) return { kind: "ignored", reason: "message without a sender open_id" };
  const messageId = str(message.message_id) ?? bad("message without message_id");
  const chatId = str(message.chat_id) ?? bad("message without chat_id");
  const chatType = chatTypeOf(str(message.chat_type));
  const rawText = messageText(message);
  if (rawText === undefined)
    return { kind: "ignored", reason: `message type ${String(message.message_type)}` };

  const mentions = mentionsOf(message);
  const isBot = (m: Mention) =>
    options.botOpenId !== undefined ? m.openId === options.botOpenId : m.type === "bot";
  if (chatType === "group" && !mentions.some(isBot))
    return { kind: "ignored", reason: "group message that does not mention the bot" };
  const text = larkTextToPlain(rawText, mentions, isBot);
  if (text === "") return { kind: "ignored", reason: "message without text" };

  const appTenant = str(header.tenant_key);
  const senderTenant = str(sender.tenant_key) ?? appTenant;
  const externalSender = senderTenant !== undefined && appTenant !== undefined && senderTenant !== appTenant;
  // A chat where someone from another tenant speaks, or is mentioned, is shared with another company.
  const externalMention = mentions.some(
    (m) => m.tenantKey !== undefined && appTenant !== undefined && m.tenantKey !== appTenant,
  );
  const unionId = str(senderIds.union_id);
  const employeeUserId = str(senderIds.user_id);
  const who: Who = {
    userId: openId,
    ...(senderTenant ? { tenant: senderTenant } : {}),
    ...(externalSender ? { external: true } : {}),
  };
  const where: Where = {
    chatId,
    chatType,
    ...(externalSender || externalMention ? { external: true } : {}),
  };
  const rootId = str(message.root_id);
  const parentId = str(message.parent_id);
  const threadId = str(message.thread_id);
  const appId = str(header.app_id);
  return {
    kind: "events",
    events: [
      {
        type: "message",
        surface: "lark",
        idempotencyKey: `message:${messageId}`,
        who,
        where,
        receivedAt: options.now,
        text,
        messageId,
        lark: {
          kind: "message",
          eventId,
          dedupeKeys: [`message:${messageId}`, `event:${eventId}`],
          ...(appId ? { appId } : {}),
          ...(appTenant ? { tenantKey: appTenant } : {}),
          chatId,
          messageId,
          ...(rootId ? { rootId } : {}),
          ...(parentId ? { parentId } : {}),
          ...(threadId ? { threadId } : {}),
          ...(unionId ? { unionId } : {}),
          ...(employeeUserId ? { employeeUserId } : {}),
        },
      },
    ],
  };
}

function parseCardAction(payload: Json, options: LarkParseOptions): ParseResult<LarkEvent> {
  const header = obj(payload.header);
  const event = obj(payload.event);
  const action = obj(event.action);
  const eventId = str(header.event_id) ?? bad("card action without header.event_id");
  const decoded = decodeValue(action.value);
  if (!decoded) return { kind: "ignored", reason: "not one of our buttons" };
  if (str(action.tag) !== undefined && action.tag !== "button")
    return { kind: "ignored", reason: `card action ${String(action.tag)}` };
  const operator = obj(event.operator);
  const openId = str(operator.open_id) ?? bad("card action without operator.open_id");
  const context = obj(event.context);
  const chatId = str(context.open_chat_id) ?? str(event.open_chat_id);
  const messageId = str(context.open_message_id) ?? str(event.open_message_id);
  const appTenant = str(header.tenant_key);
  const operatorTenant = str(operator.tenant_key) ?? str(event.tenant_key) ?? appTenant;
  const external = operatorTenant !== undefined && appTenant !== undefined && operatorTenant !== appTenant;
  // The click says which chat, not what kind: the renderer stamps it when the sender knows; when
  // unknown it is treated as a group, so an answer never replaces a card other people can see.
  const chatType: ChatType = decoded.chat === "d" ? "direct" : "group";
  const unionId = str(operator.union_id);
  const employeeUserId = str(operator.user_id);
  const cardToken = str(event.token);
  const host = str(event.host);
  const appId = str(header.app_id);
  return {
    kind: "events",
    events: [
      {
        type: "action",
        surface: "lark",
        idempotencyKey: `event:${eventId}`,
        who: {
          userId: openId,
          ...(operatorTenant ? { tenant: operatorTenant } : {}),
          ...(external ? { external: true } : {}),
        },
        where: {
          chatId: chatId ?? openId,
          chatType,
          ...(external ? { external: true } : {}),
        },
        receivedAt: options.now,
        action: decoded.action,
        ...(decoded.value !== undefined ? { value: decoded.value } : {}),
        form: decodeFormValue(action.form_value),
        ...(messageId ? { sourceMessageId: messageId } : {}),
        lark: {
          kind: "card-action",
          eventId,
          dedupeKeys: [`event:${eventId}`],
          ...(appId ? { appId } : {}),
          ...(appTenant ? { tenantKey: appTenant } : {}),
          ...(chatId ? { chatId } : {}),
          ...(messageId ? { messageId } : {}),
          ...(unionId ? { unionId } : {}),
          ...(employeeUserId ? { employeeUserId } : {}),
          ...(cardToken ? { cardToken } : {}),
          ...(host ? { host } : {}),
        },
      },
    ],
  };
}

/** A verified, decrypted payload (verify.ts `payload`) → what it means. */
export function parseLarkPayload(payload: unknown, options: LarkParseOptions): ParseResult<LarkEvent> {
  if (!isObject(payload)) return bad("payload is not an object");
  if (payload.type === "url_verification") return urlVerification(payload);
  if (payload.schema !== "2.0")
    return { kind: "ignored", reason: `envelope ${String(payload.type ?? payload.schema ?? "?")}` };
  const eventType = str(obj(payload.header).event_type);
  switch (eventType) {
    case "im.message.receive_v1":
      return parseMessage(payload, options);
    case "card.action.trigger":
      return parseCardAction(payload, options);
    default:
      return { kind: "ignored", reason: `event ${eventType ?? "?"}` };
  }
}

/**
 * A request to `POST /webhooks/lark` → what it means, decrypting the body with the encrypt key
 * (for tests and tools; the route uses the payload verify.ts returned).
 */
export function parseLarkRequest(
  request: RawRequest,
  options: LarkParseOptions & { encryptKey: string },
): ParseResult<LarkEvent> {
  let payload: Json;
  try {
    payload = openLarkBody(request.body, options.encryptKey);
  } catch {
    return bad("body is not valid (encrypted) JSON");
  }
  return parseLarkPayload(payload, options);
}
