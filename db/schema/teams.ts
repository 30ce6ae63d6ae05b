import { sql } from "drizzle-orm";
import { index, jsonb, pgTable, primaryKey, text, timestamp } from "drizzle-orm/pg-core";

/**
 * Microsoft Teams conversation references (what a proactive message needs: the regional
 * `serviceUrl`, the conversation, the bot and the user), kept from every authenticated inbound
 * activity (adapters/teams). One row per person's 1:1 chat with the bot (`key` = `user:<29:…>`)
 * and one per group chat or channel (`key` = `chat:<conversation id>`, without `;messageid=`).
 * Ids only: display names are not kept.
 */
export const teamsReferences = pgTable(
  "teams_references",
  {
    key: text("key").primaryKey(),
    kind: text("kind").$type<"personal" | "group">().notNull(),
    /** The person's `29:…` id (personal chats). */
    userId: text("user_id"),
    /** The person's Entra (AAD) object id, when Teams sent it (personal chats). */
    aadObjectId: text("aad_object_id"),
    conversationId: text("conversation_id").notNull(),
    tenantId: text("tenant_id"),
    serviceUrl: text("service_url").notNull(),
    reference: jsonb("reference").$type<Record<string, unknown>>().notNull(),
    updatedAt: timestamp("updated_at", { withTimezone: true, mode: "date" }).notNull(),
  },
  (t) => [
    index("teams_references_user_idx").on(t.userId).where(sql`${t.userId} is not null`),
    index("teams_references_aad_idx").on(t.aadObjectId).where(sql`${t.aadObjectId} is not null`),
    index("teams_references_conversation_idx").on(t.conversationId),
  ],
);

/**
 * What Baton posted to Teams for an outbox row (`source_key` = `outbox:<ids>`), per conversation:
 * a retry of the row (another channel failed, a lease lost) does not post it there twice.
 */
export const teamsDeliveries = pgTable(
  "teams_deliveries",
  {
    sourceKey: text("source_key").notNull(),
    conversationId: text("conversation_id").notNull(),
    activityId: text("activity_id"),
    deliveredAt: timestamp("delivered_at", { withTimezone: true, mode: "date" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.sourceKey, t.conversationId] })],
);
