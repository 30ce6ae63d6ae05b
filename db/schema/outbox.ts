import { sql } from "drizzle-orm";
import {
  bigint,
  bigserial,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
} from "drizzle-orm/pg-core";
import type { Recipient } from "../../core/notifications/notification.ts";
import { createdAt } from "./columns.ts";

/**
 * Everything sent later — notifications and connector calls — is a row here, written in the same
 * transaction as the state change that causes it. The dispatcher claims rows with
 * FOR UPDATE SKIP LOCKED and a lease.
 */
export const outbox = pgTable(
  "outbox",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    kind: text("kind").notNull(),
    recipient: jsonb("recipient").$type<Recipient>().notNull(),
    destination: text("destination").notNull(),
    data: jsonb("data").$type<Record<string, unknown>>().notNull(),
    dedupeKey: text("dedupe_key").notNull().unique(),
    urgency: text("urgency").$type<"legal" | "normal">().notNull().default("normal"),
    status: text("status").$type<"pending" | "sending" | "sent" | "dead">().notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    notBefore: timestamp("not_before", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
    leaseUntil: timestamp("lease_until", { withTimezone: true, mode: "date" }),
    leasedBy: text("leased_by"),
    lastError: text("last_error"),
    createdAt: createdAt(),
    sentAt: timestamp("sent_at", { withTimezone: true, mode: "date" }),
    /** What the sender returned for the message that carried this row (shared by folded rows). */
    messageRef: text("message_ref"),
    deadAt: timestamp("dead_at", { withTimezone: true, mode: "date" }),
  },
  (t) => [
    index("outbox_due_idx").on(t.notBefore).where(sql`${t.status} = 'pending'`),
    index("outbox_destination_idx").on(t.destination),
    index("outbox_leased_idx").on(t.leaseUntil).where(sql`${t.status} = 'sending'`),
    index("outbox_dead_idx").on(t.deadAt).where(sql`${t.status} = 'dead'`),
  ],
);

/**
 * Per-destination token buckets, shared by every dispatcher instance: a claim takes the bucket
 * rows of its destinations FOR UPDATE SKIP LOCKED, so the rate holds across instances.
 * `blockedUntil` is the platform's last Retry-After.
 */
export const outboxRateLimits = pgTable("outbox_rate_limits", {
  destination: text("destination").primaryKey(),
  tokens: doublePrecision("tokens").notNull(),
  refilledAt: timestamp("refilled_at", { withTimezone: true, mode: "date" }).notNull(),
  blockedUntil: timestamp("blocked_until", { withTimezone: true, mode: "date" }),
});

/**
 * The recording sink: what would have gone out while no surface or connector sends for a
 * recipient type. One row per message and target (a channel message fans out to each bound channel).
 */
export const deliveredNotifications = pgTable(
  "delivered_notifications",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    outboxIds: bigint("outbox_ids", { mode: "number" }).array().notNull(),
    kind: text("kind").notNull(),
    recipientType: text("recipient_type").$type<Recipient["type"]>().notNull(),
    destination: text("destination").notNull(),
    /** The principal, the system, or the channel binding's id. */
    target: text("target").notNull(),
    platform: text("platform"),
    channelId: text("channel_id"),
    data: jsonb("data").$type<Record<string, unknown>>().notNull(),
    deliveredAt: timestamp("delivered_at", { withTimezone: true, mode: "date" }).notNull(),
  },
  (t) => [index("delivered_notifications_destination_idx").on(t.destination)],
);
