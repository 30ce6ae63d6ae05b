import { sql } from "drizzle-orm";
import { bigserial, index, integer, jsonb, pgTable, text, timestamp } from "drizzle-orm/pg-core";
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
  },
  (t) => [
    index("outbox_due_idx").on(t.notBefore).where(sql`${t.status} = 'pending'`),
    index("outbox_destination_idx").on(t.destination),
  ],
);
