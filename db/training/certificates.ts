import { randomUUID } from "node:crypto";
import { and, desc, eq } from "drizzle-orm";
import { sha256Hex } from "../../core/audit/chain.ts";
import { dateInTimeZone } from "../../core/compliance/dates.ts";
import type { Signer } from "../../core/ports.ts";
import { certificateValidThrough, isCertificateValid } from "../../core/training/certificate.ts";
import { nextWorkingMoment, type WorkingDayTest } from "../../core/training/working-hours.ts";
import type { Db } from "../client.ts";
import { enqueueNotification } from "../outbox.ts";
import { recordEvidence } from "../repositories/evidence.ts";
import { createVerification } from "../repositories/verifications.ts";
import { trainingCertificates } from "../schema/index.ts";
import { type AssignmentRow, assignmentSubject } from "./assignments.ts";
import type { StoredCourse } from "./courses.ts";
import type { Trainee } from "./employees.ts";

export const certificateType = "baton-training-certificate+jws";
export type CertificateRow = typeof trainingCertificates.$inferSelect;

export type CertificateView = {
  id: string;
  assignmentId: string;
  attemptId: string;
  employeeExternalId: string;
  courseId: string;
  courseVersion: number;
  issuedAt: string;
  validThrough: string;
  /** The public verification page, relative to Baton's address. */
  verifyPath: string;
  jws: string;
  kid: string;
};

export function certificateView(row: CertificateRow, employeeExternalId: string): CertificateView {
  return {
    id: row.id,
    assignmentId: row.assignmentId,
    attemptId: row.attemptId,
    employeeExternalId,
    courseId: row.courseId,
    courseVersion: row.courseVersion,
    issuedAt: row.issuedAt.toISOString(),
    validThrough: row.validThrough,
    verifyPath: `/verify/${row.verificationId}`,
    jws: row.jws,
    kid: row.kid,
  };
}

/**
 * Issues the certificate of a passed attempt inside the caller's transaction: a JWS Baton signs
 * (call `signer.register()` before the transaction: signing must not touch the database), a
 * public verification page with the holder's name masked, the evidence entry and the employee's
 * notice. Valid through `validityMonths` after the day of issue in the employee's time zone.
 */
export async function issueCertificate(
  tx: Db,
  input: {
    signer: Signer;
    trainee: Trainee;
    assignment: AssignmentRow;
    attempt: { id: string; score: number; correct: number; total: number };
    course: StoredCourse;
    actor: string;
    now: Date;
    isWorkingDay?: WorkingDayTest;
  },
): Promise<CertificateRow> {
  const { trainee, assignment, attempt, course, now } = input;
  const id = randomUUID();
  const issuedOn = dateInTimeZone(now, trainee.timeZone);
  const validThrough = certificateValidThrough(issuedOn, course.definition.validityMonths);
  const subject = `training-certificate:${id}`;
  const { jws, kid } = await input.signer.sign(
    {
      sub: subject,
      iss: "baton",
      iat: Math.floor(now.getTime() / 1000),
      certificateId: id,
      employee: trainee.externalId,
      assignmentId: assignment.id,
      attemptId: attempt.id,
      courseId: course.courseId,
      courseVersion: course.version,
      contentHash: course.contentHash,
      score: attempt.score,
      correct: attempt.correct,
      total: attempt.total,
      passMark: course.definition.passMark,
      issuedOn,
      validThrough,
    },
    certificateType,
  );
  const verification = await createVerification(tx, {
    kind: "training-certificate",
    subject,
    title: course.definition.title,
    holderName: trainee.name,
    at: now,
    validThrough,
    jws,
  });
  const row: CertificateRow = {
    id,
    assignmentId: assignment.id,
    attemptId: attempt.id,
    employeeId: trainee.id,
    courseId: course.courseId,
    courseVersion: course.version,
    issuedAt: now,
    validThrough,
    jws,
    kid,
    verificationId: verification.id,
    createdAt: now,
  };
  await tx.insert(trainingCertificates).values(row);
  await recordEvidence(tx, {
    at: now,
    actor: input.actor,
    action: "training.certificate.issued",
    subject: assignmentSubject(assignment.id),
    data: {
      assignmentId: assignment.id,
      attemptId: attempt.id,
      certificateId: id,
      courseId: course.courseId,
      courseVersion: course.version,
      validThrough,
      kid,
      jwsHash: await sha256Hex(jws),
    },
  });
  await enqueueNotification(
    tx,
    {
      kind: "training.certificate.issued",
      recipient: { type: "person", principal: `employee:${trainee.externalId}` },
      data: {
        assignmentId: assignment.id,
        certificateId: id,
        courseId: course.courseId,
        title: course.definition.title,
        score: attempt.score,
        validThrough,
        verifyPath: `/verify/${verification.id}`,
      },
      dedupeKey: `training.certificate.issued:${id}`,
      notBefore: nextWorkingMoment(now, trainee.timeZone, input.isWorkingDay),
    },
    now,
  );
  return row;
}

/** The newest certificate of an employee for a course, if any. */
export async function latestCertificate(
  db: Db,
  employeeId: string,
  courseId: string,
): Promise<CertificateRow | undefined> {
  const [row] = await db
    .select()
    .from(trainingCertificates)
    .where(and(eq(trainingCertificates.employeeId, employeeId), eq(trainingCertificates.courseId, courseId)))
    .orderBy(desc(trainingCertificates.issuedAt))
    .limit(1);
  return row;
}

/** True when the employee holds a certificate of the course that is valid on `today`. */
export async function holdsValidCertificate(
  db: Db,
  employeeId: string,
  courseId: string,
  today: string,
): Promise<CertificateRow | undefined> {
  const row = await latestCertificate(db, employeeId, courseId);
  return row && isCertificateValid(row.validThrough, today) ? row : undefined;
}

export async function certificateOfAssignment(
  db: Db,
  assignmentId: string,
): Promise<CertificateRow | undefined> {
  const [row] = await db
    .select()
    .from(trainingCertificates)
    .where(eq(trainingCertificates.assignmentId, assignmentId));
  return row;
}
