import { pgTable, text, timestamp } from "drizzle-orm/pg-core";

/**
 * One row per tick job: the instance running it and until when. A tick takes the lease with one
 * upsert that only succeeds when the last lease has ended, so two instances never run the same job
 * at the same moment (the jobs stay idempotent through their dedupe keys all the same).
 */
export const schedulerLeases = pgTable("scheduler_leases", {
  job: text("job").primaryKey(),
  leasedBy: text("leased_by").notNull(),
  leaseUntil: timestamp("lease_until", { withTimezone: true, mode: "date" }).notNull(),
  lastStartedAt: timestamp("last_started_at", { withTimezone: true, mode: "date" }),
  lastFinishedAt: timestamp("last_finished_at", { withTimezone: true, mode: "date" }),
  /** `ok`, or the error's name when the last run failed. */
  lastOutcome: text("last_outcome"),
});
