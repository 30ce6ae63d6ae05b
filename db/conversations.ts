import { and, eq, lte } from "drizzle-orm";
import type { Db } from "./client.ts";
import { conversations } from "./schema/index.ts";

/**
 * The bot's conversation state (the notice form, quiz progress) per surface, chat, person and
 * kind, with an expiry: an expired row reads as absent and is removed on the next save. The state
 * is opaque JSON here; the bot validates it when it reads it back.
 */
export type ConversationKey = {
  surface: string;
  chatId: string;
  principal: string;
  kind: "notice" | "quiz";
};

const where = (key: ConversationKey) =>
  and(
    eq(conversations.surface, key.surface),
    eq(conversations.chatId, key.chatId),
    eq(conversations.principal, key.principal),
    eq(conversations.kind, key.kind),
  );

/** The stored state, or undefined when there is none or it has expired. */
export async function loadConversation(db: Db, key: ConversationKey, now: Date): Promise<unknown> {
  const [row] = await db.select().from(conversations).where(where(key));
  if (!row || row.expiresAt.getTime() <= now.getTime()) return undefined;
  return row.state;
}

/** Stores (or replaces) the state until `expiresAt`; drops the person's expired states on the way. */
export async function saveConversation(
  db: Db,
  key: ConversationKey,
  state: unknown,
  input: { now: Date; expiresAt: Date },
): Promise<void> {
  await db
    .delete(conversations)
    .where(and(eq(conversations.principal, key.principal), lte(conversations.expiresAt, input.now)));
  await db
    .insert(conversations)
    .values({ ...key, state, updatedAt: input.now, expiresAt: input.expiresAt })
    .onConflictDoUpdate({
      target: [conversations.surface, conversations.chatId, conversations.principal, conversations.kind],
      set: { state, updatedAt: input.now, expiresAt: input.expiresAt },
    });
}

export async function clearConversation(db: Db, key: ConversationKey): Promise<void> {
  await db.delete(conversations).where(where(key));
}

/** Removes every expired state (housekeeping); answers how many went. */
export async function purgeExpiredConversations(db: Db, now: Date): Promise<number> {
  const rows = await db
    .delete(conversations)
    .where(lte(conversations.expiresAt, now))
    .returning({ principal: conversations.principal });
  return rows.length;
}
