import { sql } from "drizzle-orm";
import { bigint, index, jsonb, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import { createdAt } from "./columns.ts";

/**
 * Evidence entries as business transactions write them; the chain writer sequences them later.
 * `at` keeps milliseconds only: that is what the chain hashes (RFC 3339 from a JS Date), so an
 * edit finer than a millisecond cannot hide from verification.
 */
export const evidenceEntries = pgTable(
  "evidence_entries",
  {
    id: text("id").primaryKey(),
    at: timestamp("at", { withTimezone: true, mode: "date", precision: 3 }).notNull(),
    actor: text("actor").notNull(),
    action: text("action").notNull(),
    subject: text("subject").notNull(),
    data: jsonb("data").$type<Record<string, unknown>>().notNull(),
    createdAt: createdAt(),
    /** Insertion order (a sequence, not commit order): how the chain writer orders a batch. */
    ingest: bigint("ingest", { mode: "number" }).generatedAlwaysAsIdentity(),
    /** The entry's position in the chain; null until the chain writer has sequenced it. */
    seq: bigint("seq", { mode: "number" }),
  },
  (t) => [
    index("evidence_entries_subject_idx").on(t.subject),
    index("evidence_entries_unchained_idx").on(t.ingest).where(sql`${t.seq} is null`),
  ],
);

/** The hash chain: one row per sequenced entry, `hash = SHA-256(prevHash ‖ canonical JSON of the entry)`. */
export const evidenceChain = pgTable(
  "evidence_chain",
  {
    seq: bigint("seq", { mode: "number" }).primaryKey(),
    entryId: text("entry_id")
      .notNull()
      .unique()
      .references(() => evidenceEntries.id),
    prevHash: text("prev_hash").notNull(),
    hash: text("hash").notNull(),
    chainedAt: timestamp("chained_at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  },
  // Two links after the same one would be a fork; the database refuses it whatever the writer does.
  (t) => [uniqueIndex("evidence_chain_prev_hash_unique").on(t.prevHash)],
);
