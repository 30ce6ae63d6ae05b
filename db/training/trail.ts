import { and, asc, eq, inArray } from "drizzle-orm";
import { dateInTimeZone } from "../../core/compliance/dates.ts";
import { isCertificateValid } from "../../core/training/certificate.ts";
import type { CompletionRow, TrailEntry } from "../../core/training/trail.ts";
import type { Db } from "../client.ts";
import { employees, evidenceEntries, trainingAssignments, trainingCertificates } from "../schema/index.ts";
import { assignmentSubject } from "./assignments.ts";

/** Every training evidence entry of an employee (all their assignments), oldest first. */
export async function learningTrail(db: Db, employeeId: string): Promise<TrailEntry[]> {
  const assignments = await db
    .select({ id: trainingAssignments.id })
    .from(trainingAssignments)
    .where(eq(trainingAssignments.employeeId, employeeId));
  if (assignments.length === 0) return [];
  const rows = await db
    .select()
    .from(evidenceEntries)
    .where(
      inArray(
        evidenceEntries.subject,
        assignments.map((a) => assignmentSubject(a.id)),
      ),
    )
    .orderBy(asc(evidenceEntries.at), asc(evidenceEntries.ingest));
  return rows.map((r) => ({
    evidenceId: r.id,
    seq: r.seq,
    at: r.at.toISOString(),
    actor: r.actor,
    action: r.action,
    data: r.data,
  }));
}

/**
 * HR's completion report: for each department and course, the latest assignment of each employee
 * counted by its state, and how many hold a certificate valid on `today` (company time zone).
 */
export async function completionReport(
  db: Db,
  input: { now: Date; timeZone: string; courseId?: string; department?: string },
): Promise<CompletionRow[]> {
  const today = dateInTimeZone(input.now, input.timeZone);
  const rows = await db
    .select({
      employeeId: trainingAssignments.employeeId,
      courseId: trainingAssignments.courseId,
      status: trainingAssignments.status,
      dueDate: trainingAssignments.dueDate,
      assignedAt: trainingAssignments.assignedAt,
      department: employees.department,
    })
    .from(trainingAssignments)
    .innerJoin(employees, eq(employees.id, trainingAssignments.employeeId))
    .where(
      and(
        input.courseId ? eq(trainingAssignments.courseId, input.courseId) : undefined,
        input.department ? eq(employees.department, input.department) : undefined,
      ),
    )
    .orderBy(asc(trainingAssignments.assignedAt));
  const certificates = await db
    .select({
      employeeId: trainingCertificates.employeeId,
      courseId: trainingCertificates.courseId,
      validThrough: trainingCertificates.validThrough,
    })
    .from(trainingCertificates);
  const certified = new Set(
    certificates
      .filter((c) => isCertificateValid(c.validThrough, today))
      .map((c) => `${c.employeeId}\u0000${c.courseId}`),
  );
  // The latest assignment per employee and course (rows are in assignment order).
  const latest = new Map<string, (typeof rows)[number]>();
  for (const row of rows) latest.set(`${row.employeeId}\u0000${row.courseId}`, row);
  const report = new Map<string, CompletionRow>();
  for (const [key, row] of latest) {
    const department = row.department ?? "";
    const id = `${department}\u0000${row.courseId}`;
    const line = report.get(id) ?? {
      department,
      courseId: row.courseId,
      assigned: 0,
      passed: 0,
      open: 0,
      overdue: 0,
      failed: 0,
      certified: 0,
    };
    line.assigned++;
    if (row.status === "passed") line.passed++;
    if (row.status === "failed") line.failed++;
    if (row.status === "open") {
      line.open++;
      if (row.dueDate < today) line.overdue++;
    }
    if (certified.has(key)) line.certified++;
    report.set(id, line);
  }
  return [...report.values()].sort(
    (a, b) => a.department.localeCompare(b.department) || a.courseId.localeCompare(b.courseId),
  );
}
