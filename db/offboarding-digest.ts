import { and, asc, count, eq, inArray, isNotNull, lt, type SQL } from "drizzle-orm";
import type { DigestSection } from "../core/notifications/digest.ts";
import { activeCaseStatuses } from "../core/offboarding/transitions.ts";
import type { Database } from "./client.ts";
import { caseSteps, cases } from "./schema/index.ts";

/** Overdue steps listed by name in the digest; beyond this only the count. */
export const overdueListed = 20;

const openStep = inArray(caseSteps.status, ["pending", "active"]);

/**
 * The offboarding part of HR's daily digest: running cases (open and on hold), steps due today
 * and overdue (the date in force, overrides included), the cases whose last day came with
 * incomplete gates (recorded exceptions), and the overdue steps by case and step. Counts and ids
 * only, for the channel's entity (or every entity).
 */
export function offboardingDigestSection(database: Database): DigestSection {
  return {
    name: "offboarding",
    async summarize({ entityId, today }) {
      const { db } = database;
      const running = and(
        inArray(cases.status, [...activeCaseStatuses]),
        entityId === null ? undefined : eq(cases.entityId, entityId),
      );
      const stepCount = async (due: SQL | undefined) => {
        const [row] = await db
          .select({ n: count() })
          .from(caseSteps)
          .innerJoin(cases, eq(cases.id, caseSteps.caseId))
          .where(and(running, openStep, due));
        return row?.n ?? 0;
      };
      const [statuses, exceptions, stepsDueToday, stepsOverdue, overdue] = await Promise.all([
        db.select({ status: cases.status, n: count() }).from(cases).where(running).groupBy(cases.status),
        db
          .select({ n: count() })
          .from(cases)
          .where(and(running, isNotNull(cases.exceptionsRecordedAt))),
        stepCount(eq(caseSteps.dueDate, today)),
        stepCount(lt(caseSteps.dueDate, today)),
        db
          .select({
            caseId: caseSteps.caseId,
            step: caseSteps.key,
            owner: caseSteps.owner,
            dueDate: caseSteps.dueDate,
          })
          .from(caseSteps)
          .innerJoin(cases, eq(cases.id, caseSteps.caseId))
          .where(and(running, openStep, lt(caseSteps.dueDate, today)))
          .orderBy(asc(caseSteps.dueDate), asc(caseSteps.caseId), asc(caseSteps.position))
          .limit(overdueListed),
      ]);
      const byStatus = new Map(statuses.map((s) => [s.status, s.n]));
      return {
        openCases: (byStatus.get("open") ?? 0) + (byStatus.get("on-hold") ?? 0),
        onHold: byStatus.get("on-hold") ?? 0,
        stepsDueToday,
        stepsOverdue,
        exceptions: exceptions[0]?.n ?? 0,
        overdue,
      };
    },
  };
}
