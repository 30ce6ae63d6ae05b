import { sql } from "drizzle-orm";
import { bigserial, index, integer, jsonb, pgTable, text, timestamp, unique } from "drizzle-orm/pg-core";

/**
 * Verified inbound requests (connector webhooks, chat events), written before they are answered
 * and processed from here, so a crash after the answer loses nothing. (source, idempotency key)
 * is unique: a redelivery finds its row and has no second effect. The payload is cleared once
 * processed (it may hold personal data); its SHA-256 stays.
 */
export const inbox = pgTable(
  "inbox",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    source: text("source").notNull(),
    idempotencyKey: text("idempotency_key").notNull(),
    payload: jsonb("payload").$type<unknown>(),
    payloadSha256: text("payload_sha256").notNull(),
    receivedAt: timestamp("received_at", { withTimezone: true, mode: "date" }).notNull(),
    status: text("status").$type<"pending" | "processing" | "done" | "dead">().notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    /** When it may be (re)tried: the receipt, a backoff, or the end of a processor's lease. */
    notBefore: timestamp("not_before", { withTimezone: true, mode: "date" }).notNull(),
    leaseUntil: timestamp("lease_until", { withTimezone: true, mode: "date" }),
    leasedBy: text("leased_by"),
    lastError: text("last_error"),
    processedAt: timestamp("processed_at", { withTimezone: true, mode: "date" }),
  },
  (t) => [
    unique("inbox_source_key_unique").on(t.source, t.idempotencyKey),
    index("inbox_open_idx").on(t.notBefore).where(sql`${t.status} in ('pending', 'processing')`),
  ],
);
