import { and, asc, desc, eq, gt, gte, inArray, or, sql } from "drizzle-orm";
import type { Db } from "./client.ts";
import { employees, webMessages } from "./schema/index.ts";

/**
 * The web chat's messages (table `web_messages`): what a person typed and the bot's cards, per
 * principal. Every insert and in-place update takes a new `revision` from one sequence, so a page
 * polls with "everything after the revision I have". `sourceKey` makes each delivery idempotent:
 * `in:<key>` for what the person sent, `re:<key>:<n>` for the bot's replies to it, `outbox:<id>`
 * for a notification.
 */

export type WebMessageRow = {
  id: number;
  role: "user" | "bot";
  text: string | null;
  card: unknown;
  kind: string | null;
  revision: number;
  createdAt: Date;
  updatedAt: Date;
};

/** Kinds of rows that only claim an idempotency key and are never shown (a card click). */
export const hiddenKinds = ["action"] as const;

const columns = {
  id: webMessages.id,
  role: webMessages.role,
  text: webMessages.text,
  card: webMessages.card,
  kind: webMessages.kind,
  revision: webMessages.revision,
  createdAt: webMessages.createdAt,
  updatedAt: webMessages.updatedAt,
};

const visible = sql`${webMessages.kind} is distinct from 'action'`;

/**
 * Claims an inbound idempotency key by storing what the person sent (their text, or a hidden
 * `action` row for a click). Answers the new row, or undefined when the key was used before.
 */
export async function claimInbound(
  db: Db,
  input: { principal: string; key: string; text: string | null; kind: "text" | "action"; now: Date },
): Promise<{ id: number; revision: number } | undefined> {
  const [row] = await db
    .insert(webMessages)
    .values({
      principal: input.principal,
      role: "user",
      text: input.text,
      kind: input.kind,
      sourceKey: `in:${input.key}`,
      createdAt: input.now,
      updatedAt: input.now,
    })
    .onConflictDoNothing()
    .returning({ id: webMessages.id, revision: webMessages.revision });
  return row;
}

/** Gives an inbound key back after the bot failed, so the person's retry is handled. */
export async function releaseInbound(db: Db, principal: string, key: string): Promise<void> {
  await db
    .delete(webMessages)
    .where(and(eq(webMessages.principal, principal), eq(webMessages.sourceKey, `in:${key}`)));
}

/** Stores a bot card once per `sourceKey`; a repeat answers the stored message with `created: false`. */
export async function deliverBotCard(
  db: Db,
  input: { principal: string; card: unknown; kind: string | null; sourceKey: string; now: Date },
): Promise<{ id: number; revision: number; created: boolean }> {
  const [row] = await db
    .insert(webMessages)
    .values({
      principal: input.principal,
      role: "bot",
      card: input.card,
      kind: input.kind,
      sourceKey: input.sourceKey,
      createdAt: input.now,
      updatedAt: input.now,
    })
    .onConflictDoNothing()
    .returning({ id: webMessages.id, revision: webMessages.revision });
  if (row) return { ...row, created: true };
  const [existing] = await db
    .select({ id: webMessages.id, revision: webMessages.revision })
    .from(webMessages)
    .where(and(eq(webMessages.principal, input.principal), eq(webMessages.sourceKey, input.sourceKey)));
  if (!existing) throw new Error("web chat: the message that conflicted is gone");
  return { ...existing, created: false };
}

/** A bot message of this person (so a click can only replace a card in the clicker's own chat). */
export async function findBotMessage(
  db: Db,
  principal: string,
  id: number,
): Promise<WebMessageRow | undefined> {
  const [row] = await db
    .select(columns)
    .from(webMessages)
    .where(and(eq(webMessages.id, id), eq(webMessages.principal, principal), eq(webMessages.role, "bot")));
  return row as WebMessageRow | undefined;
}

/** Replaces the card of one of this person's bot messages in place, with a new revision. */
export async function replaceBotCard(
  db: Db,
  input: { principal: string; id: number; card: unknown; now: Date },
): Promise<{ id: number; revision: number } | undefined> {
  const [row] = await db
    .update(webMessages)
    .set({
      card: input.card,
      updatedAt: input.now,
      revision: sql`nextval('web_message_revision_seq')`,
    })
    .where(
      and(
        eq(webMessages.id, input.id),
        eq(webMessages.principal, input.principal),
        eq(webMessages.role, "bot"),
      ),
    )
    .returning({ id: webMessages.id, revision: webMessages.revision });
  return row;
}

/** The latest shown messages of a person, oldest first. */
export async function recentMessages(db: Db, principal: string, limit = 60): Promise<WebMessageRow[]> {
  const rows = await db
    .select(columns)
    .from(webMessages)
    .where(and(eq(webMessages.principal, principal), visible))
    .orderBy(desc(webMessages.id))
    .limit(limit);
  return (rows as WebMessageRow[]).reverse();
}

/**
 * Shown messages added or changed after `after` (a revision), oldest change first. Rows changed
 * since `since` come again: a transaction that took its revision earlier but committed later is
 * not missed (the page keeps the newest revision of each message).
 */
export async function messagesAfter(
  db: Db,
  principal: string,
  after: number,
  since: Date,
  limit = 100,
): Promise<WebMessageRow[]> {
  const rows = await db
    .select(columns)
    .from(webMessages)
    .where(
      and(
        eq(webMessages.principal, principal),
        visible,
        or(gt(webMessages.revision, after), gte(webMessages.updatedAt, since)),
      ),
    )
    .orderBy(asc(webMessages.revision))
    .limit(limit);
  return rows as WebMessageRow[];
}

/** Shown messages by id (the ones a request just wrote), in revision order. */
export async function messagesByIds(
  db: Db,
  principal: string,
  ids: readonly number[],
): Promise<WebMessageRow[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .select(columns)
    .from(webMessages)
    .where(and(eq(webMessages.principal, principal), inArray(webMessages.id, [...ids]), visible))
    .orderBy(asc(webMessages.revision));
  return rows as WebMessageRow[];
}

/** The newest revision in a person's chat (0 when empty): where a fresh page starts polling. */
export async function latestRevision(db: Db, principal: string): Promise<number> {
  const [row] = await db
    .select({ max: sql<string | number | null>`max(${webMessages.revision})` })
    .from(webMessages)
    .where(eq(webMessages.principal, principal));
  return Number(row?.max ?? 0);
}

/** Who a web chat principal is, for the page header and the language (employees only). */
export async function webChatPerson(
  db: Db,
  principal: string,
): Promise<{ externalId: string; name: string; locale: string; status: string } | undefined> {
  if (!principal.startsWith("employee:")) return undefined;
  const [row] = await db
    .select({
      externalId: employees.externalId,
      name: employees.name,
      locale: employees.locale,
      status: employees.status,
    })
    .from(employees)
    .where(eq(employees.externalId, principal.slice("employee:".length)));
  return row;
}

/** Active people for the demo sign-in picker (demo installations only; the caller checks). */
export async function demoPeople(
  db: Db,
  limit = 50,
): Promise<{ externalId: string; name: string; position: string | null }[]> {
  return db
    .select({ externalId: employees.externalId, name: employees.name, position: employees.position })
    .from(employees)
    .where(eq(employees.status, "active"))
    .orderBy(asc(employees.externalId))
    .limit(limit);
}
