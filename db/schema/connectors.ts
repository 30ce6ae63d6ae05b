import { sql } from "drizzle-orm";
import {
  bigint,
  bigserial,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
} from "drizzle-orm/pg-core";
import { cases } from "./offboarding.ts";

/**
 * Work a verified connector message asks for that runs through the offboarding commands, which
 * open their own transactions (opening a case for OA, completing settlement for finance): the
 * inbox processor writes the action in the inbox's transaction, and the connector job carries it
 * out after. The commands are idempotent (an Idempotency-Key, a repeat completion), so a crash
 * between doing and marking done does no harm.
 */
export const connectorActions = pgTable(
  "connector_actions",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    kind: text("kind").$type<"open-case" | "complete-settlement">().notNull(),
    system: text("system").notNull(),
    inboxId: bigint("inbox_id", { mode: "number" }).notNull().unique(),
    /** The `webhook-id`: the idempotency key of the command. */
    webhookId: text("webhook_id").notNull(),
    /** What the command needs; cleared when done (an OA reason is personal). */
    payload: jsonb("payload").$type<Record<string, unknown> | null>(),
    status: text("status").$type<"pending" | "done" | "failed">().notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    notBefore: timestamp("not_before", { withTimezone: true, mode: "date" }).notNull(),
    result: jsonb("result").$type<Record<string, unknown>>(),
    lastError: text("last_error"),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull(),
    doneAt: timestamp("done_at", { withTimezone: true, mode: "date" }),
  },
  (t) => [index("connector_actions_pending_idx").on(t.notBefore).where(sql`${t.status} = 'pending'`)],
);

/** Which outbound connector call a case's step has made (CRM at handover, finance at settlement). */
export const connectorRequests = pgTable(
  "connector_requests",
  {
    caseId: text("case_id")
      .notNull()
      .references(() => cases.id),
    system: text("system").notNull(),
    stepKey: text("step_key").notNull(),
    dedupeKey: text("dedupe_key").notNull(),
    requestedAt: timestamp("requested_at", { withTimezone: true, mode: "date" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.caseId, t.system] })],
);
