import { sql } from "drizzle-orm";
import {
  bigint,
  bigserial,
  index,
  jsonb,
  pgSequence,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from "drizzle-orm/pg-core";

/**
 * The bot's conversation state (the notice form, quiz progress) per surface, chat and person, so a
 * restart or a second instance continues where the person was. `state` is the serialised state
 * machine of bots/conversation.ts.
 */
export const conversations = pgTable(
  "conversations",
  {
    surface: text("surface").notNull(),
    chatId: text("chat_id").notNull(),
    principal: text("principal").notNull(),
    kind: text("kind").$type<"notice" | "quiz">().notNull(),
    state: jsonb("state").$type<unknown>().notNull(),
    updatedAt: timestamp("updated_at", { withTimezone: true, mode: "date" }).notNull(),
    expiresAt: timestamp("expires_at", { withTimezone: true, mode: "date" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.surface, t.chatId, t.principal, t.kind] })],
);

/** Orders web chat changes (new messages and in-place updates) for polling clients. */
export const webMessageRevision = pgSequence("web_message_revision_seq");

/**
 * The web chat's messages, per person: what they typed (shown as text) and the bot's cards (the
 * neutral card tree; rendered to HTML when shown). A card updated in place gets a new `revision`.
 * `sourceKey` makes delivery idempotent (an outbox row or an inbound event's reply is stored once).
 */
export const webMessages = pgTable(
  "web_messages",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    principal: text("principal").notNull(),
    role: text("role").$type<"user" | "bot">().notNull(),
    text: text("text"),
    card: jsonb("card").$type<unknown>(),
    kind: text("kind"),
    sourceKey: text("source_key"),
    revision: bigint("revision", { mode: "number" })
      .notNull()
      .default(sql`nextval('web_message_revision_seq')`),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull(),
    updatedAt: timestamp("updated_at", { withTimezone: true, mode: "date" }).notNull(),
  },
  (t) => [
    index("web_messages_principal_revision_idx").on(t.principal, t.revision),
    uniqueIndex("web_messages_source_unique")
      .on(t.principal, t.sourceKey)
      .where(sql`${t.sourceKey} is not null`),
  ],
);

/**
 * Posts a chat sender made for an outbox message, by message and target (a channel binding, a
 * person's platform id), so a retry after a part-way failure — in this process or after a restart —
 * does not post to the targets that already got it. Kept a while after the post (housekeeping).
 */
export const postedMessages = pgTable(
  "posted_messages",
  {
    key: text("key").primaryKey(),
    reference: text("reference").notNull(),
    postedAt: timestamp("posted_at", { withTimezone: true, mode: "date" }).notNull(),
  },
  (t) => [index("posted_messages_posted_at_idx").on(t.postedAt)],
);
