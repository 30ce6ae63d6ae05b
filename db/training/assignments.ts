import { randomUUID } from "node:crypto";
import { and, desc, eq, inArray } from "drizzle-orm";
import { addDays, dateInTimeZone, type IsoDate } from "../../core/compliance/dates.ts";
import { AppError } from "../../core/errors.ts";
import type { AssignmentStatus } from "../../core/training/attempts.ts";
import type { Localized } from "../../core/training/course.ts";
import { nextWorkingMoment, type WorkingDayTest } from "../../core/training/working-hours.ts";
import type { Db } from "../client.ts";
import { enqueueNotification } from "../outbox.ts";
import { recordEvidence } from "../repositories/evidence.ts";
import { type AssignmentReason, employees, trainingAssignments } from "../schema/index.ts";
import type { StoredCourse } from "./courses.ts";
import type { Trainee } from "./employees.ts";

export type AssignmentRow = typeof trainingAssignments.$inferSelect;

export type AssignmentView = {
  id: string;
  employeeExternalId: string;
  courseId: string;
  reason: AssignmentReason;
  caseId: string | null;
  renewsCertificateId: string | null;
  status: AssignmentStatus;
  dueDate: string;
  assignedBy: string;
  assignedAt: string;
  completedAt: string | null;
};

export function assignmentView(row: AssignmentRow, employeeExternalId: string): AssignmentView {
  return {
    id: row.id,
    employeeExternalId,
    courseId: row.courseId,
    reason: row.reason,
    caseId: row.caseId,
    renewsCertificateId: row.renewsCertificateId,
    status: row.status,
    dueDate: row.dueDate,
    assignedBy: row.assignedBy,
    assignedAt: row.assignedAt.toISOString(),
    completedAt: row.completedAt?.toISOString() ?? null,
  };
}

export const assignmentSubject = (id: string) => `training-assignment:${id}`;

const assignmentIdPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export function unknownAssignment(): AppError {
  return new AppError("not_found", "There is no such training assignment.");
}

/** An assignment and its employee's external id; 404 for an unknown or malformed id. */
export async function findAssignment(
  db: Db,
  id: string,
  options: { lock?: boolean } = {},
): Promise<{ row: AssignmentRow; employeeExternalId: string }> {
  if (!assignmentIdPattern.test(id)) throw unknownAssignment();
  const query = db
    .select({ row: trainingAssignments, employeeExternalId: employees.externalId })
    .from(trainingAssignments)
    .innerJoin(employees, eq(employees.id, trainingAssignments.employeeId))
    .where(eq(trainingAssignments.id, id));
  const [found] = options.lock ? await query.for("update", { of: trainingAssignments }) : await query;
  if (!found) throw unknownAssignment();
  return found;
}

export async function listAssignments(
  db: Db,
  filter: { employeeId?: string; status?: AssignmentStatus; courseId?: string },
): Promise<AssignmentView[]> {
  const rows = await db
    .select({ row: trainingAssignments, employeeExternalId: employees.externalId })
    .from(trainingAssignments)
    .innerJoin(employees, eq(employees.id, trainingAssignments.employeeId))
    .where(
      and(
        filter.employeeId ? eq(trainingAssignments.employeeId, filter.employeeId) : undefined,
        filter.status ? eq(trainingAssignments.status, filter.status) : undefined,
        filter.courseId ? eq(trainingAssignments.courseId, filter.courseId) : undefined,
      ),
    )
    .orderBy(desc(trainingAssignments.assignedAt), trainingAssignments.id)
    .limit(1000);
  return rows.map((r) => assignmentView(r.row, r.employeeExternalId));
}

export type AssignInput = {
  trainee: Trainee;
  course: StoredCourse;
  reason: AssignmentReason;
  actor: string;
  now: Date;
  caseId?: string;
  renewsCertificateId?: string;
  dueDate?: IsoDate;
  /** Working days of the employee's calendar, for when the notice may go out. */
  isWorkingDay?: WorkingDayTest;
};

/** What the employee's notices carry: ids, the course title and dates — nothing personal. */
export function assignmentNoticeData(
  row: Pick<AssignmentRow, "id" | "courseId" | "dueDate" | "reason">,
  title: Localized,
): Record<string, unknown> {
  return {
    assignmentId: row.id,
    courseId: row.courseId,
    title,
    dueDate: row.dueDate,
    reason: row.reason,
  };
}

/**
 * Assigns a course inside the caller's transaction, with its evidence entry and the employee's
 * notice in the outbox. An open assignment of the same course is returned as it is (one per
 * employee and course, enforced by a unique index even when two ticks race).
 */
export async function assignCourse(
  tx: Db,
  input: AssignInput,
): Promise<{ row: AssignmentRow; created: boolean }> {
  const { trainee, course, now } = input;
  if (trainee.status !== "active") {
    throw new AppError(
      "unprocessable",
      `Employee ${trainee.externalId} is not active; nothing was assigned.`,
    );
  }
  const existing = await openAssignment(tx, trainee.id, course.courseId);
  if (existing) return { row: existing, created: false };
  const today = dateInTimeZone(now, trainee.timeZone);
  const row: AssignmentRow = {
    id: randomUUID(),
    employeeId: trainee.id,
    courseId: course.courseId,
    reason: input.reason,
    caseId: input.caseId ?? null,
    renewsCertificateId: input.renewsCertificateId ?? null,
    status: "open",
    dueDate: input.dueDate ?? addDays(today, course.definition.dueDays),
    assignedBy: input.actor,
    assignedAt: now,
    completedAt: null,
  };
  const inserted = await tx
    .insert(trainingAssignments)
    .values(row)
    .onConflictDoNothing()
    .returning({ id: trainingAssignments.id });
  if (inserted.length === 0) {
    const raced = await openAssignment(tx, trainee.id, course.courseId);
    if (raced) return { row: raced, created: false };
    throw new AppError("conflict", "This certificate is already being renewed.");
  }
  await recordEvidence(tx, {
    at: now,
    actor: input.actor,
    action: "training.assigned",
    subject: assignmentSubject(row.id),
    data: {
      assignmentId: row.id,
      employee: trainee.externalId,
      courseId: course.courseId,
      courseVersion: course.version,
      reason: row.reason,
      dueDate: row.dueDate,
      ...(row.caseId ? { caseId: row.caseId } : {}),
      ...(row.renewsCertificateId ? { renewsCertificateId: row.renewsCertificateId } : {}),
    },
  });
  await enqueueNotification(
    tx,
    {
      kind: "training.assigned",
      recipient: { type: "person", principal: `employee:${trainee.externalId}` },
      data: assignmentNoticeData(row, course.definition.title),
      dedupeKey: `training.assigned:${row.id}`,
      notBefore: nextWorkingMoment(now, trainee.timeZone, input.isWorkingDay),
    },
    now,
  );
  return { row, created: true };
}

export async function openAssignment(
  db: Db,
  employeeId: string,
  courseId: string,
): Promise<AssignmentRow | undefined> {
  const [row] = await db
    .select()
    .from(trainingAssignments)
    .where(
      and(
        eq(trainingAssignments.employeeId, employeeId),
        eq(trainingAssignments.courseId, courseId),
        eq(trainingAssignments.status, "open"),
      ),
    );
  return row;
}

/** Open assignments of an employee for any of these courses. */
export async function openAssignmentsFor(
  db: Db,
  employeeId: string,
  courseIds: string[],
): Promise<AssignmentRow[]> {
  if (courseIds.length === 0) return [];
  return db
    .select()
    .from(trainingAssignments)
    .where(
      and(
        eq(trainingAssignments.employeeId, employeeId),
        inArray(trainingAssignments.courseId, courseIds),
        eq(trainingAssignments.status, "open"),
      ),
    );
}
