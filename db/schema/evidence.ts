import { bigint, index, jsonb, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { createdAt } from "./columns.ts";

/** Evidence entries as business transactions write them; the chain writer sequences them later. */
export const evidenceEntries = pgTable(
  "evidence_entries",
  {
    id: text("id").primaryKey(),
    at: timestamp("at", { withTimezone: true, mode: "date" }).notNull(),
    actor: text("actor").notNull(),
    action: text("action").notNull(),
    subject: text("subject").notNull(),
    data: jsonb("data").$type<Record<string, unknown>>().notNull(),
    createdAt: createdAt(),
  },
  (t) => [index("evidence_entries_subject_idx").on(t.subject)],
);

/** The hash chain: one row per sequenced entry, `hash = SHA-256(prevHash ‖ canonical JSON of the entry)`. */
export const evidenceChain = pgTable("evidence_chain", {
  seq: bigint("seq", { mode: "number" }).primaryKey(),
  entryId: text("entry_id")
    .notNull()
    .unique()
    .references(() => evidenceEntries.id),
  prevHash: text("prev_hash").notNull(),
  hash: text("hash").notNull(),
  chainedAt: timestamp("chained_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
});
