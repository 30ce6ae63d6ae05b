/**
 * Conversation references from authenticated activities (shared/reference/slack-teams.md §B4):
 * what Baton keeps so it can write to a person's 1:1 chat or a bound channel later. Ids only.
 */

import { obj, str } from "../shared/json.ts";
import type { TeamsActivity, TeamsReference } from "./gateway.ts";

/**
 * A channel conversation id names the thread (`19:…@thread.tacv2;messageid=…`); the channel is
 * the part before `;messageid=` (posting there starts a new thread).
 */
export function baseConversationId(id: string): string {
  const cut = id.indexOf(";messageid=");
  return cut >= 0 ? id.slice(0, cut) : id;
}

/** The tenant the activity comes from (where the bot is installed): `channelData.tenant.id`, else `conversation.tenantId`. */
export function tenantOf(activity: TeamsActivity): string | undefined {
  return str(obj(obj(activity.channelData).tenant).id) ?? str(obj(activity.conversation).tenantId);
}

export function isPersonalConversation(activity: TeamsActivity): boolean {
  const conversation = obj(activity.conversation);
  const type = str(conversation.conversationType);
  return type ? type === "personal" : conversation.isGroup !== true;
}

/** A stored reference with the columns it is found by. */
export type StoredReference = {
  /** `user:<29:…>` for a person's 1:1 chat, `chat:<conversation id>` for a group chat or channel. */
  key: string;
  kind: "personal" | "group";
  userId?: string;
  aadObjectId?: string;
  conversationId: string;
  tenantId?: string;
  serviceUrl: string;
  reference: TeamsReference & { locale?: string };
};

export const personalKey = (userId: string) => `user:${userId}`;
export const groupKey = (conversationId: string) => `chat:${conversationId}`;

/**
 * The reference an inbound activity gives (undefined for our own activities and incomplete ones).
 * The activity must be authenticated: its `serviceUrl` is where Baton will send the bot's token.
 */
export function referenceFromActivity(activity: TeamsActivity): StoredReference | undefined {
  const serviceUrl = str(activity.serviceUrl);
  const conversation = obj(activity.conversation);
  const rawId = str(conversation.id);
  const from = obj(activity.from);
  const recipient = obj(activity.recipient);
  const botId = str(recipient.id);
  const userId = str(from.id);
  if (!serviceUrl || !rawId || !botId || !userId || userId === botId) return undefined;
  const tenantId = tenantOf(activity);
  const personal = isPersonalConversation(activity);
  const conversationId = personal ? rawId : baseConversationId(rawId);
  const conversationType = str(conversation.conversationType);
  const aadObjectId = str(from.aadObjectId);
  const locale = str(activity.locale);
  const reference: StoredReference["reference"] = {
    channelId: str(activity.channelId) ?? "msteams",
    serviceUrl,
    conversation: {
      id: conversationId,
      ...(conversationType ? { conversationType } : {}),
      ...(tenantId ? { tenantId } : {}),
      isGroup: !personal,
    },
    bot: { id: botId, ...(str(recipient.name) ? { name: str(recipient.name) as string } : {}) },
    ...(personal ? { user: { id: userId, ...(aadObjectId ? { aadObjectId } : {}) } } : {}),
    ...(locale ? { locale } : {}),
  };
  return personal
    ? {
        key: personalKey(userId),
        kind: "personal",
        userId,
        ...(aadObjectId ? { aadObjectId } : {}),
        conversationId,
        ...(tenantId ? { tenantId } : {}),
        serviceUrl,
        reference,
      }
    : {
        key: groupKey(conversationId),
        kind: "group",
        conversationId,
        ...(tenantId ? { tenantId } : {}),
        serviceUrl,
        reference,
      };
}

/**
 * Whether the activity says the bot was removed there (the app uninstalled for a person, the bot
 * taken out of a team or chat): its reference is dropped.
 */
export function isRemoval(activity: TeamsActivity): boolean {
  if (activity.type === "installationUpdate") return str(activity.action)?.startsWith("remove") === true;
  if (activity.type === "conversationUpdate" && Array.isArray(activity.membersRemoved)) {
    const botId = str(obj(activity.recipient).id);
    return activity.membersRemoved.some((m) => str(obj(m).id) === botId);
  }
  return false;
}

/** A stored reference for a 1:1 chat that {@link TeamsConnector.openPersonalChat} opened. */
export function storedPersonal(reference: TeamsReference): StoredReference {
  const userId = reference.user?.id ?? "";
  return {
    key: personalKey(userId),
    kind: "personal",
    userId,
    ...(reference.user?.aadObjectId ? { aadObjectId: reference.user.aadObjectId } : {}),
    conversationId: reference.conversation.id,
    ...(reference.conversation.tenantId ? { tenantId: reference.conversation.tenantId } : {}),
    serviceUrl: reference.serviceUrl,
    reference,
  };
}
