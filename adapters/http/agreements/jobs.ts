import { and, eq, gte, isNotNull } from "drizzle-orm";
import {
  localHour,
  reminderDedupeKey,
  reminderFor,
  withinWorkingHours,
} from "../../../core/agreements/reminders.ts";
import type { BusinessCalendar } from "../../../core/compliance/calendar.ts";
import { addDays, dateInTimeZone } from "../../../core/compliance/dates.ts";
import type { TickJob } from "../../../core/ports.ts";
import {
  ensureSignatureRequest,
  pendingRequests,
  requestsOfEmployee,
} from "../../../db/agreements/requests.ts";
import { latestTimestamp, storeTimestamp } from "../../../db/agreements/timestamps.ts";
import { loadCalendar } from "../../../db/calendar.ts";
import type { Db } from "../../../db/client.ts";
import { chainHead } from "../../../db/evidence-chain.ts";
import { enqueueNotification } from "../../../db/outbox.ts";
import { currentVersions } from "../../../db/repositories/agreements.ts";
import { employees, entities } from "../../../db/schema/index.ts";
import type { Services } from "../services.ts";
import { requestTimestamp } from "./tsa.ts";

type Deps = Pick<Services, "database" | "config" | "logger" | "chainWriter">;

/** New hires within this many days of their hire date are asked to sign what their role requires. */
export const hireLookbackDays = 30;

/**
 * Reminders for open signature requests: the day before due, on the due day and daily after
 * (core/agreements/reminders.ts), in the person's working hours on a working day of their entity's
 * calendar; one per request and day however many instances tick (the outbox dedupe key).
 */
export function signatureReminderJob(deps: Deps): TickJob {
  return {
    name: "agreements.reminders",
    async run(now) {
      const db = deps.database.db;
      const pending = await pendingRequests(db);
      if (pending.length === 0) return;
      const regions = new Map((await db.select().from(entities)).map((e) => [e.id, e.calendarRegion]));
      const calendars = new Map<string, BusinessCalendar>();
      for (const { request, employee } of pending) {
        if (!withinWorkingHours(localHour(now, employee.timeZone))) continue;
        const today = dateInTimeZone(now, employee.timeZone);
        const kind = reminderFor(request, today);
        if (!kind) continue;
        const region = (employee.entityId && regions.get(employee.entityId)) || "CN";
        let calendar = calendars.get(region);
        if (!calendar) {
          calendar = await loadCalendar(db, region);
          calendars.set(region, calendar);
        }
        let workingDay = true;
        try {
          workingDay = calendar.isWorkingDay(today).workingDay;
        } catch {
          // Outside the calendar's range: remind rather than stay silent.
        }
        if (!workingDay && kind !== "due-today") continue;
        await enqueueNotification(
          db,
          {
            kind: "agreement.signature.reminder",
            recipient: { type: "person", principal: `employee:${employee.externalId}` },
            data: {
              requestId: request.id,
              agreementId: request.agreementId,
              version: request.version,
              dueDate: request.dueDate,
              reminder: kind,
              today,
            },
            dedupeKey: reminderDedupeKey(request.id, today),
          },
          now,
        );
      }
    },
  };
}

/**
 * On hire: an active employee hired in the last 30 days (or about to start) whose role requires
 * agreements is asked to sign the current versions. The directory needs no hook: this job notices
 * new and changed employees within a minute. HR asks everyone else by role through the API.
 */
export function hireRequestJob(deps: Deps): TickJob {
  return {
    name: "agreements.hire-requests",
    async run(now) {
      const db = deps.database.db;
      const versions = await currentVersions(db);
      if (versions.length === 0) return;
      const since = addDays(dateInTimeZone(now, deps.config.BATON_TIMEZONE), -hireLookbackDays);
      const hires = await db
        .select()
        .from(employees)
        .where(
          and(eq(employees.status, "active"), isNotNull(employees.role), gte(employees.hireDate, since)),
        );
      let created = 0;
      for (const employee of hires) {
        const required = versions.filter((v) => employee.role && v.roles.includes(employee.role));
        if (required.length === 0) continue;
        const asked = await requestsOfEmployee(db, employee.id);
        const missing = required.filter((v) => !asked.has(`${v.agreementId}@${v.version}`));
        if (missing.length === 0) continue;
        await db.transaction(async (transaction) => {
          const tx = transaction as unknown as Db;
          for (const version of missing) {
            const ensured = await ensureSignatureRequest(tx, {
              employee,
              version,
              reason: "hire",
              actor: "system:baton",
              now,
            });
            if (ensured.created) created += 1;
          }
        });
      }
      if (created > 0) deps.chainWriter.wake();
    },
  };
}

/** How often at most the chain head is timestamped (a TSA is a third party; be polite). */
export const timestampIntervalMs = 10 * 60_000;

/**
 * With BATON_TSA_URL set: an RFC 3161 timestamp of the chain head whenever it moved, at most every
 * ten minutes. The token is stored and goes into every evidence bundle whose segment holds that head.
 */
export function chainTimestampJob(deps: Deps): TickJob {
  return {
    name: "agreements.chain-timestamp",
    async run(now) {
      const url = deps.config.BATON_TSA_URL;
      if (!url) return;
      const head = await chainHead(deps.database);
      if (!head) return;
      const latest = await latestTimestamp(deps.database.db);
      if (
        latest &&
        (latest.seq >= head.seq || now.getTime() - latest.createdAt.getTime() < timestampIntervalMs)
      )
        return;
      try {
        const answer = await requestTimestamp(url, head.hash);
        await storeTimestamp(deps.database.db, {
          seq: head.seq,
          hash: head.hash,
          tsaUrl: url,
          token: Buffer.from(answer.response).toString("base64"),
          genTime: answer.genTime,
          createdAt: now,
        });
        deps.logger.info({ seq: head.seq }, "chain head timestamped");
      } catch (error) {
        deps.logger.warn(
          { seq: head.seq, err: { name: (error as Error).name, message: (error as Error).message } },
          "timestamping the chain head failed; will retry",
        );
      }
    },
  };
}
