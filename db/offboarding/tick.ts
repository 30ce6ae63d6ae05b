import { and, asc, isNotNull, lte, min } from "drizzle-orm";
import type { TickJob } from "../../core/ports.ts";
import type { Db } from "../client.ts";
import { caseSteps } from "../schema/index.ts";
import { type CalendarCache, type OffboardingDeps, progressCase } from "./engine.ts";

/** Cases taken per batch (the longest-waiting first); a tick takes batches until none is due. */
export const casesPerTick = 200;

/** A tick stops taking new cases after this long (a morning burst then finishes in later minutes). */
export const tickBudgetMs = 20_000;

/** Cases with a step whose next action (start, reminder, escalation, gate check, last day) is due. */
export async function dueCaseIds(db: Db, now: Date, limit = casesPerTick): Promise<string[]> {
  const rows = await db
    .select({ caseId: caseSteps.caseId, first: min(caseSteps.nextActionAt) })
    .from(caseSteps)
    .where(and(isNotNull(caseSteps.nextActionAt), lte(caseSteps.nextActionAt, now)))
    .groupBy(caseSteps.caseId)
    .orderBy(asc(min(caseSteps.nextActionAt)))
    .limit(limit);
  return rows.map((r) => r.caseId);
}

/**
 * The offboarding tick (DESIGN §6): for each case with something due, one transaction starts the
 * steps whose day has come, passes checks whose gates are met, records last-day exceptions and
 * enqueues the reminders and escalations the policy says are due. Two instances running it at
 * once send each reminder once: the case row lock orders them, and the outbox's dedupe keys
 * refuse a second copy whatever happens.
 */
export function offboardingTickJob(deps: OffboardingDeps): TickJob {
  return {
    name: "offboarding",
    async run(now) {
      const started = performance.now();
      const calendars: CalendarCache = new Map();
      const seen = new Set<string>();
      // Cases are independent (each locks its own row): on PostgreSQL a few go at once.
      const lanes = deps.database.kind === "postgres" ? 4 : 1;
      const inBudget = () => performance.now() - started < tickBudgetMs;
      while (inBudget()) {
        const due = await dueCaseIds(deps.database.db, now, casesPerTick + seen.size);
        const batch = due.filter((id) => !seen.has(id));
        if (batch.length === 0) break;
        for (const id of batch) seen.add(id);
        let next = 0;
        const lane = async () => {
          while (next < batch.length && inBudget()) {
            const id = batch[next++] as string;
            try {
              await progressCase(deps, id, now, calendars);
            } catch (error) {
              deps.logger?.error(
                { caseId: id, error: error instanceof Error ? error.name : "Error" },
                "offboarding tick failed for a case",
              );
            }
          }
        };
        await Promise.all(Array.from({ length: lanes }, lane));
      }
    },
  };
}
