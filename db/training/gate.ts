import { dateInTimeZone } from "../../core/compliance/dates.ts";
import type { CheckGate, GateInput, GateOutcome } from "../../core/offboarding/gates.ts";
import { localized } from "../../core/training/course.ts";
import { nextWorkingMoment } from "../../core/training/working-hours.ts";
import type { Database, Db } from "../client.ts";
import { enqueueNotification } from "../outbox.ts";
import { recordEvidence } from "../repositories/evidence.ts";
import { assignCourse, assignmentNoticeData, assignmentSubject, openAssignment } from "./assignments.ts";
import { holdsValidCertificate } from "./certificates.ts";
import { coursesForRole, type StoredCourse } from "./courses.ts";
import { type Trainee, traineeByExternalId } from "./employees.ts";
import { workingDayTests } from "./working-days.ts";

export type TrainingModuleDeps = {
  database: Database;
  /** Called after a transaction that recorded evidence has committed (wakes the chain writer). */
  onEvidence?: () => void;
};

async function missingCourses(
  db: Db,
  input: GateInput,
): Promise<{ trainee: Trainee; required: { course: StoredCourse; satisfied: boolean }[] }> {
  const trainee = await traineeByExternalId(db, input.employeeExternalId);
  const role = input.role ?? trainee.role;
  if (!role) return { trainee, required: [] };
  const today = dateInTimeZone(input.at, trainee.timeZone);
  const required = [];
  for (const course of await coursesForRole(db, role)) {
    const certificate = await holdsValidCertificate(db, trainee.id, course.courseId, today);
    required.push({ course, satisfied: certificate !== undefined });
  }
  return { trainee, required };
}

/**
 * The `training` gate of the offboarding check step: satisfied when the leaver holds a valid
 * certificate (passed and not expired) for every course of their role. `request` assigns what is
 * missing (or reuses the open assignment) and nudges the employee once per case. A gate never
 * moves the last day or the certificate; the cases engine records what stays open as an exception.
 */
export function trainingGate(deps: TrainingModuleDeps): CheckGate {
  const { database } = deps;
  return {
    name: "training",
    async evaluate(input): Promise<GateOutcome> {
      const { trainee, required } = await missingCourses(database.db, input);
      return {
        gate: "training",
        satisfied: required.every((r) => r.satisfied),
        items: required.map((r) => ({
          id: r.course.courseId,
          title: localized(r.course.definition.title, trainee.locale),
          satisfied: r.satisfied,
        })),
      };
    },
    async request(input): Promise<void> {
      const { trainee, required } = await missingCourses(database.db, input);
      const missing = required.filter((r) => !r.satisfied);
      if (missing.length === 0 || trainee.status !== "active") return;
      const isWorkingDay = await workingDayTests(database.db)(trainee.jurisdiction);
      await database.db.transaction(async (transaction) => {
        const tx = transaction as unknown as Db;
        for (const { course } of missing) {
          const existing = await openAssignment(tx, trainee.id, course.courseId);
          if (!existing) {
            await assignCourse(tx, {
              trainee,
              course,
              reason: "offboarding",
              caseId: input.caseId,
              actor: "system:baton",
              now: input.at,
              isWorkingDay,
            });
            continue;
          }
          // Assigned for this very case: its notice has gone out already.
          if (existing.caseId === input.caseId) continue;
          const fresh = await enqueueNotification(
            tx,
            {
              kind: "training.nudge",
              recipient: { type: "person", principal: `employee:${trainee.externalId}` },
              data: { ...assignmentNoticeData(existing, course.definition.title), caseId: input.caseId },
              dedupeKey: `training.nudge:${existing.id}:${input.caseId}`,
              notBefore: nextWorkingMoment(input.at, trainee.timeZone, isWorkingDay),
            },
            input.at,
          );
          if (fresh) {
            await recordEvidence(tx, {
              at: input.at,
              actor: "system:baton",
              action: "training.reminder.queued",
              subject: assignmentSubject(existing.id),
              data: {
                assignmentId: existing.id,
                courseId: course.courseId,
                kind: "offboarding",
                caseId: input.caseId,
              },
            });
          }
        }
      });
      deps.onEvidence?.();
    },
  };
}
