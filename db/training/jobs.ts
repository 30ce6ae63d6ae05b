import { and, eq, isNotNull, lte, sql } from "drizzle-orm";
import { addDays, dateInTimeZone } from "../../core/compliance/dates.ts";
import type { TickJob } from "../../core/ports.ts";
import { recertificationLeadDays, recertificationOpensOn } from "../../core/training/certificate.ts";
import { trainingReminderKind } from "../../core/training/reminders.ts";
import { localClock, workingHours } from "../../core/training/working-hours.ts";
import type { Db } from "../client.ts";
import { enqueueNotification } from "../outbox.ts";
import { recordEvidence } from "../repositories/evidence.ts";
import {
  courses,
  courseVersions,
  employees,
  trainingAssignments,
  trainingCertificates,
} from "../schema/index.ts";
import { assignCourse, assignmentNoticeData, assignmentSubject } from "./assignments.ts";
import { latestCourse } from "./courses.ts";
import { traineeById } from "./employees.ts";
import type { TrainingModuleDeps } from "./gate.ts";
import { workingDayTests } from "./working-days.ts";

/** How much each tick takes on at most; the rest waits for the next minute. */
const batch = 200;

async function inTransaction(deps: TrainingModuleDeps, fn: (tx: Db) => Promise<void>): Promise<void> {
  await deps.database.db.transaction((tx) => fn(tx as unknown as Db));
}

/**
 * Assignment by role: every active employee with a role gets each course of that role they have
 * never been assigned — new hires within a minute of being added, everyone when a course for
 * their role is first imported. A course once assigned is not assigned again by role (renewal is
 * recertification's job; after a failed assignment HR decides).
 */
export async function assignByRole(deps: TrainingModuleDeps, now: Date): Promise<number> {
  const db = deps.database.db;
  const candidates = await db
    .select({ employeeId: employees.id, jurisdiction: employees.jurisdiction, courseId: courses.id })
    .from(employees)
    .innerJoin(courses, sql`true`)
    .innerJoin(
      courseVersions,
      and(eq(courseVersions.courseId, courses.id), eq(courseVersions.version, courses.latestVersion)),
    )
    .where(
      and(
        eq(employees.status, "active"),
        isNotNull(employees.role),
        sql`${courseVersions.roles} @> jsonb_build_array(${employees.role})`,
        sql`not exists (select 1 from ${trainingAssignments} a where a.employee_id = ${employees.id} and a.course_id = ${courses.id})`,
      ),
    )
    .limit(batch);
  const tests = workingDayTests(db);
  let assigned = 0;
  for (const candidate of candidates) {
    // Loaded before the transaction: on PGlite a query beside an open transaction would wait for it.
    const isWorkingDay = await tests(candidate.jurisdiction);
    await inTransaction(deps, async (tx) => {
      const trainee = await traineeById(tx, candidate.employeeId);
      const course = await latestCourse(tx, candidate.courseId);
      const result = await assignCourse(tx, {
        trainee,
        course,
        reason: "role",
        actor: "system:baton",
        now,
        isWorkingDay,
      });
      if (result.created) assigned++;
    });
  }
  if (assigned) deps.onEvidence?.();
  return assigned;
}

/**
 * Recertification: from 30 days before a certificate's last day, its holder gets a new
 * assignment due on that day — when they are still active, the course still applies to their
 * role, it is their newest certificate of the course and nothing else is open for it.
 */
export async function recertify(deps: TrainingModuleDeps, now: Date): Promise<number> {
  const db = deps.database.db;
  // A day's margin either side of UTC; the employee's own date decides below.
  const horizon = addDays(dateInTimeZone(now, "UTC"), recertificationLeadDays + 1);
  const candidates = await db
    .select({ certificate: trainingCertificates, jurisdiction: employees.jurisdiction })
    .from(trainingCertificates)
    .innerJoin(employees, eq(employees.id, trainingCertificates.employeeId))
    .innerJoin(courses, eq(courses.id, trainingCertificates.courseId))
    .innerJoin(
      courseVersions,
      and(eq(courseVersions.courseId, courses.id), eq(courseVersions.version, courses.latestVersion)),
    )
    .where(
      and(
        lte(trainingCertificates.validThrough, horizon),
        eq(employees.status, "active"),
        sql`${courseVersions.roles} @> jsonb_build_array(${employees.role})`,
        sql`not exists (select 1 from ${trainingAssignments} a where a.renews_certificate_id = ${trainingCertificates.id})`,
        sql`not exists (select 1 from ${trainingAssignments} a where a.employee_id = ${employees.id} and a.course_id = ${courses.id} and a.status = 'open')`,
        sql`not exists (select 1 from ${trainingCertificates} newer where newer.employee_id = ${trainingCertificates.employeeId} and newer.course_id = ${trainingCertificates.courseId} and newer.issued_at > ${trainingCertificates.issuedAt})`,
      ),
    )
    .limit(batch);
  const tests = workingDayTests(db);
  let assigned = 0;
  for (const { certificate, jurisdiction } of candidates) {
    const isWorkingDay = await tests(jurisdiction);
    await inTransaction(deps, async (tx) => {
      const trainee = await traineeById(tx, certificate.employeeId);
      const today = dateInTimeZone(now, trainee.timeZone);
      if (today < recertificationOpensOn(certificate.validThrough)) return;
      const course = await latestCourse(tx, certificate.courseId);
      const result = await assignCourse(tx, {
        trainee,
        course,
        reason: "recertification",
        renewsCertificateId: certificate.id,
        // Due on the last valid day, or within the course's usual time if that has passed already.
        dueDate:
          certificate.validThrough >= today
            ? certificate.validThrough
            : addDays(today, course.definition.dueDays),
        actor: "system:baton",
        now,
        isWorkingDay,
      });
      if (result.created) assigned++;
    });
  }
  if (assigned) deps.onEvidence?.();
  return assigned;
}

/**
 * Reminders for open assignments: the working day before the due date, on it, and each working
 * day after it, in the employee's working hours — at most one per assignment and day (the outbox
 * dedupe key), with an evidence entry for the one that is queued.
 */
export async function remindTrainees(deps: TrainingModuleDeps, now: Date): Promise<number> {
  const db = deps.database.db;
  const horizon = addDays(dateInTimeZone(now, "UTC"), 2);
  const open = await db
    .select({ assignment: trainingAssignments })
    .from(trainingAssignments)
    .innerJoin(employees, eq(employees.id, trainingAssignments.employeeId))
    .where(
      and(
        eq(trainingAssignments.status, "open"),
        lte(trainingAssignments.dueDate, horizon),
        eq(employees.status, "active"),
        // Not already reminded today (in any zone): skips the rows done earlier, cheaply.
        sql`not exists (select 1 from outbox o where o.dedupe_key like 'training.reminder:' || ${trainingAssignments.id} || ':%' and o.created_at > ${new Date(now.getTime() - 20 * 3600_000).toISOString()}::timestamptz)`,
      ),
    )
    .limit(batch);
  const tests = workingDayTests(db);
  let queued = 0;
  for (const { assignment } of open) {
    const trainee = await traineeById(db, assignment.employeeId);
    const local = localClock(now, trainee.timeZone);
    const kind = trainingReminderKind(assignment.dueDate, local.date);
    if (!kind) continue;
    if (local.hour < workingHours.start || local.hour >= workingHours.end) continue;
    if (!(await tests(trainee.jurisdiction))(local.date)) continue;
    await inTransaction(deps, async (tx) => {
      const course = await latestCourse(tx, assignment.courseId);
      const fresh = await enqueueNotification(
        tx,
        {
          kind: "training.reminder",
          recipient: { type: "person", principal: `employee:${trainee.externalId}` },
          data: { ...assignmentNoticeData(assignment, course.definition.title), reminder: kind },
          dedupeKey: `training.reminder:${assignment.id}:${local.date}`,
        },
        now,
      );
      if (!fresh) return;
      queued++;
      await recordEvidence(tx, {
        at: now,
        actor: "system:baton",
        action: "training.reminder.queued",
        subject: assignmentSubject(assignment.id),
        data: { assignmentId: assignment.id, courseId: assignment.courseId, kind, date: local.date },
      });
    });
  }
  if (queued) deps.onEvidence?.();
  return queued;
}

/** The scheduler's training work, in order: assign by role, recertify, remind. */
export function trainingTickJobs(deps: TrainingModuleDeps): TickJob[] {
  return [
    { name: "training.assign-by-role", run: (now) => assignByRole(deps, now).then(() => undefined) },
    { name: "training.recertify", run: (now) => recertify(deps, now).then(() => undefined) },
    { name: "training.reminders", run: (now) => remindTrainees(deps, now).then(() => undefined) },
  ];
}
