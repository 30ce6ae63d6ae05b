import { sql } from "drizzle-orm";
import { check, date, integer, pgTable, primaryKey, text, timestamp } from "drizzle-orm/pg-core";
import { createdAt } from "./columns.ts";

/** HR decisions per region and date: a company rest day, or a day worked. One per region and date. */
export const calendarOverrides = pgTable(
  "calendar_overrides",
  {
    region: text("region").notNull(),
    date: date("date", { mode: "string" }).notNull(),
    kind: text("kind").$type<"work" | "rest">().notNull(),
    reason: text("reason").notNull(),
    createdBy: text("created_by").notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.region, t.date] }),
    check("calendar_overrides_kind_check", sql`${t.kind} in ('work', 'rest')`),
  ],
);

/** Years answered from the provisional pre-fill, so the evidence entry is written once per region-year. */
export const calendarProvisionalYears = pgTable(
  "calendar_provisional_years",
  {
    region: text("region").notNull(),
    year: integer("year").notNull(),
    evidenceId: text("evidence_id").notNull(),
    reportedAt: timestamp("reported_at", { withTimezone: true, mode: "date" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.region, t.year] })],
);

/**
 * Provisional years whose official schedule HR has entered (as overrides) and confirmed, with the
 * notice it came from: answers from them are no longer marked provisional.
 */
export const calendarConfirmedYears = pgTable(
  "calendar_confirmed_years",
  {
    region: text("region").notNull(),
    year: integer("year").notNull(),
    basis: text("basis").notNull(),
    confirmedBy: text("confirmed_by").notNull(),
    confirmedAt: timestamp("confirmed_at", { withTimezone: true, mode: "date" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.region, t.year] })],
);
