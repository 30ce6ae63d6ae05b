/**
 * The DingTalk app robot's HTTP callback → neutral events (shared/reference/lark-dingtalk.md §B6,
 * §C1–C2). verify.ts checks the `timestamp` / `sign` headers first — which do not cover the body, so
 * nothing here may be trusted for privileged work without a signed link (DESIGN §7).
 *
 * - `msgtype: "text"` from a person → a message: every 1:1 message (`conversationType` "1"); in a
 *   group ("2") DingTalk only delivers messages that @ the robot, and one that says otherwise
 *   (`isInAtList: false`) is ignored. The text is trimmed (DingTalk leaves a space where it removed
 *   the robot's @mention).
 * - anything else (pictures, rich text, audio, files, empty text) → ignored.
 *
 * The idempotency key is `msg:<msgId>` (the same across DingTalk's redeliveries). `who.userId` is
 * `senderStaffId`, the corp userid; `who.tenant` the sender's corp (`senderCorpId`, else the
 * robot's `chatbotCorpId`). A sender from another corp, or without a staff id in ours, is external
 * (userId is then the encrypted `senderId`). The `sessionWebhook` and its expiry travel in
 * `dingtalk` for the reply.
 */

import type { ChatType } from "../../bots/conversation.ts";
import type { InboundEvent } from "../../bots/events.ts";
import { badRequest as bad, isObject, str as nonEmptyString, obj, parseJson } from "../shared/json.ts";
import type { ParseResult, RawRequest } from "../shared/surface.ts";

export type DingTalkContext = {
  msgId: string;
  conversationId: string;
  conversationType: "1" | "2";
  conversationTitle?: string;
  /** Where to answer this message (no token needed) until {@link sessionWebhookExpiresAt}. */
  sessionWebhook?: string;
  sessionWebhookExpiresAt?: Date;
  robotCode?: string;
  chatbotUserId?: string;
  chatbotCorpId?: string;
  senderCorpId?: string;
  /** The sender's encrypted DingTalk id (`$:LWCP_v1:$…`). */
  senderId: string;
  senderStaffId?: string;
  isAdmin?: boolean;
  isInAtList?: boolean;
  /** When the message was written (`createAt`). */
  createdAt?: Date;
};

export type DingTalkEvent = InboundEvent & { dingtalk: DingTalkContext };

export type DingTalkParseOptions = {
  /** Our clock when the request arrived (the neutral `receivedAt`). */
  now: Date;
};

/** DingTalk sends some ids as numbers: read those as strings too. */
const str = (value: unknown): string | undefined =>
  typeof value === "number" ? String(value) : nonEmptyString(value);

function dateOf(value: unknown): Date | undefined {
  const ms = typeof value === "number" ? value : typeof value === "string" ? Number(value) : Number.NaN;
  return Number.isFinite(ms) && ms > 0 ? new Date(ms) : undefined;
}

/** The robot callback body (parsed JSON) → what it means. */
export function parseDingTalkMessage(
  body: unknown,
  options: DingTalkParseOptions,
): ParseResult<DingTalkEvent> {
  if (!isObject(body)) return bad("body is not an object");
  const msgId = str(body.msgId) ?? bad("callback without msgId");
  const conversationType = str(body.conversationType);
  if (conversationType !== "1" && conversationType !== "2")
    return { kind: "ignored", reason: `conversationType ${String(body.conversationType)}` };
  const conversationId = str(body.conversationId) ?? bad("callback without conversationId");
  const senderId = str(body.senderId) ?? bad("callback without senderId");
  if (body.msgtype !== "text") return { kind: "ignored", reason: `msgtype ${String(body.msgtype)}` };
  const chatType: ChatType = conversationType === "1" ? "direct" : "group";
  if (chatType === "group" && body.isInAtList === false)
    return { kind: "ignored", reason: "group message that does not mention the robot" };
  const content = obj(body.text).content;
  const text = typeof content === "string" ? content.replace(/\s+/g, " ").trim() : "";
  if (text === "") return { kind: "ignored", reason: "message without text" };

  const staffId = str(body.senderStaffId);
  const chatbotCorpId = str(body.chatbotCorpId);
  const senderCorpId = str(body.senderCorpId);
  const tenant = senderCorpId ?? chatbotCorpId;
  const foreignCorp =
    senderCorpId !== undefined && chatbotCorpId !== undefined && senderCorpId !== chatbotCorpId;
  const external = foreignCorp || staffId === undefined;
  const displayName = str(body.senderNick);
  const conversationTitle = str(body.conversationTitle);
  const sessionWebhook = str(body.sessionWebhook);
  const sessionWebhookExpiresAt = dateOf(body.sessionWebhookExpiredTime);
  const robotCode = str(body.robotCode);
  const chatbotUserId = str(body.chatbotUserId);
  const createdAt = dateOf(body.createAt);
  return {
    kind: "events",
    events: [
      {
        type: "message",
        surface: "dingtalk",
        idempotencyKey: `msg:${msgId}`,
        who: {
          userId: staffId ?? senderId,
          ...(tenant ? { tenant } : {}),
          ...(external ? { external: true } : {}),
          ...(displayName ? { displayName } : {}),
        },
        // A conversation where someone from outside the corp speaks is shared with outsiders.
        where: { chatId: conversationId, chatType, ...(external ? { external: true } : {}) },
        receivedAt: options.now,
        text,
        messageId: msgId,
        dingtalk: {
          msgId,
          conversationId,
          conversationType,
          ...(conversationTitle ? { conversationTitle } : {}),
          ...(sessionWebhook ? { sessionWebhook } : {}),
          ...(sessionWebhookExpiresAt ? { sessionWebhookExpiresAt } : {}),
          ...(robotCode ? { robotCode } : {}),
          ...(chatbotUserId ? { chatbotUserId } : {}),
          ...(chatbotCorpId ? { chatbotCorpId } : {}),
          ...(senderCorpId ? { senderCorpId } : {}),
          senderId,
          ...(staffId ? { senderStaffId: staffId } : {}),
          ...(typeof body.isAdmin === "boolean" ? { isAdmin: body.isAdmin } : {}),
          ...(typeof body.isInAtList === "boolean" ? { isInAtList: body.isInAtList } : {}),
          ...(createdAt ? { createdAt } : {}),
        },
      },
    ],
  };
}

/** A request to `POST /webhooks/dingtalk` (already verified) → what it means. */
export function parseDingTalkRequest(
  request: RawRequest,
  options: DingTalkParseOptions,
): ParseResult<DingTalkEvent> {
  return parseDingTalkMessage(parseJson(request.body, "body"), options);
}
