import { randomInt, randomUUID } from "node:crypto";
import { and, asc, eq } from "drizzle-orm";
import { AppError } from "../../core/errors.ts";
import type { Locale } from "../../core/messages/index.ts";
import type { Signer } from "../../core/ports.ts";
import { attemptsLeft, decideStart } from "../../core/training/attempts.ts";
import {
  type AnswerProblem,
  type Answers,
  chosenOptions,
  drawPaper,
  normaliseChoice,
  questionOf,
  type ShownQuestion,
  scorePaper,
  showQuestion,
  unanswered,
} from "../../core/training/quiz.ts";
import { maxSeed } from "../../core/training/random.ts";
import type { WorkingDayTest } from "../../core/training/working-hours.ts";
import type { Db } from "../client.ts";
import { enqueueNotification } from "../outbox.ts";
import { recordEvidence } from "../repositories/evidence.ts";
import { trainingAssignments, trainingAttempts } from "../schema/index.ts";
import { type AssignmentRow, assignmentSubject, findAssignment } from "./assignments.ts";
import {
  type CertificateView,
  certificateOfAssignment,
  certificateView,
  issueCertificate,
} from "./certificates.ts";
import { courseVersion, latestCourse, type StoredCourse } from "./courses.ts";
import { traineeById } from "./employees.ts";

export type AttemptRow = typeof trainingAttempts.$inferSelect;

export type AttemptView = {
  id: string;
  assignmentId: string;
  number: number;
  courseId: string;
  courseVersion: number;
  status: "in-progress" | "submitted";
  startedAt: string;
  submittedAt: string | null;
  passMark: number;
  questions: ShownQuestion[];
  /** The letters chosen so far, per question id. */
  answers: Answers;
  /** The first question without an answer (one question at a time, for chat), or null. */
  next: ShownQuestion | null;
  result: {
    correct: number;
    total: number;
    score: number;
    passed: boolean;
    /** Which questions were right (not which options: the pool is reused on later attempts). */
    questions: { questionId: string; correct: boolean }[];
    attemptsLeft: number;
    /** When the next attempt may start (after the cool-down), if one is left and this one failed. */
    nextAttemptAt: string | null;
    certificate: CertificateView | null;
  } | null;
};

const attemptIdPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function unknownAttempt(): AppError {
  return new AppError("not_found", "There is no such attempt.");
}

export async function attemptsOf(db: Db, assignmentId: string): Promise<AttemptRow[]> {
  return db
    .select()
    .from(trainingAttempts)
    .where(eq(trainingAttempts.assignmentId, assignmentId))
    .orderBy(asc(trainingAttempts.number));
}

async function attemptOf(
  db: Db,
  assignmentId: string,
  attemptId: string,
  lock: boolean,
): Promise<AttemptRow> {
  if (!attemptIdPattern.test(attemptId)) throw unknownAttempt();
  const query = db
    .select()
    .from(trainingAttempts)
    .where(and(eq(trainingAttempts.id, attemptId), eq(trainingAttempts.assignmentId, assignmentId)));
  const [row] = lock ? await query.for("update") : await query;
  if (!row) throw unknownAttempt();
  return row;
}

/** The attempt as the employee (or a system for them) sees it, in `locale`. */
export async function attemptView(db: Db, attempt: AttemptRow, locale: Locale): Promise<AttemptView> {
  const course = await courseVersion(db, attempt.courseId, attempt.courseVersion);
  const questions = attempt.paper.map((entry, i) => showQuestion(course.definition, entry, i + 1, locale));
  const nextId = unanswered(attempt.paper, attempt.answers)[0];
  let result: AttemptView["result"] = null;
  if (attempt.submittedAt && attempt.passed !== null) {
    const { row: assignment, employeeExternalId } = await findAssignment(db, attempt.assignmentId);
    const made = (await attemptsOf(db, attempt.assignmentId)).length;
    const left = assignment.status === "open" ? attemptsLeft(course.definition.attemptLimit, made) : 0;
    const certificate = attempt.passed ? await certificateOfAssignment(db, assignment.id) : undefined;
    const score = scorePaper(course.definition, attempt.paper, attempt.answers);
    result = {
      correct: attempt.correct ?? score.correct,
      total: attempt.total ?? score.total,
      score: attempt.score ?? score.score,
      passed: attempt.passed,
      questions: score.results,
      attemptsLeft: left,
      nextAttemptAt:
        !attempt.passed && left > 0
          ? new Date(attempt.submittedAt.getTime() + course.definition.coolDownMinutes * 60_000).toISOString()
          : null,
      certificate:
        certificate && certificate.attemptId === attempt.id
          ? certificateView(certificate, employeeExternalId)
          : null,
    };
  }
  return {
    id: attempt.id,
    assignmentId: attempt.assignmentId,
    number: attempt.number,
    courseId: attempt.courseId,
    courseVersion: attempt.courseVersion,
    status: attempt.submittedAt ? "submitted" : "in-progress",
    startedAt: attempt.startedAt.toISOString(),
    submittedAt: attempt.submittedAt?.toISOString() ?? null,
    passMark: course.definition.passMark,
    questions,
    answers: attempt.answers,
    next: questions.find((q) => q.questionId === nextId) ?? null,
    result,
  };
}

export async function findAttempt(db: Db, assignmentId: string, attemptId: string): Promise<AttemptRow> {
  return attemptOf(db, assignmentId, attemptId, false);
}

/**
 * Starts an attempt on the course's latest version, or resumes the one in progress. Refused when
 * the course is passed (409), the assignment closed (409), the attempt limit reached (422) or the
 * cool-down after a failed attempt still running (422, with when it ends).
 */
export async function startAttempt(
  tx: Db,
  input: { assignmentId: string; actor: string; now: Date; seed?: number },
): Promise<{ attempt: AttemptRow; resumed: boolean }> {
  const { row: assignment } = await findAssignment(tx, input.assignmentId, { lock: true });
  const course = await latestCourse(tx, assignment.courseId);
  const attempts = await attemptsOf(tx, assignment.id);
  const decision = decideStart({
    status: assignment.status,
    attempts: attempts.map((a) => ({
      id: a.id,
      number: a.number,
      submittedAt: a.submittedAt,
      passed: a.passed,
    })),
    attemptLimit: course.definition.attemptLimit,
    coolDownMinutes: course.definition.coolDownMinutes,
    now: input.now,
  });
  if (decision.kind === "resume") {
    return { attempt: attempts.find((a) => a.id === decision.attemptId) as AttemptRow, resumed: true };
  }
  if (decision.kind === "refuse") {
    switch (decision.reason) {
      case "passed":
        throw new AppError("conflict", "This course is already passed; no further attempt is needed.", {
          messageKey: "training.error.passed",
        });
      case "closed":
        throw new AppError("conflict", "This training assignment is closed; ask HR for a new one.", {
          messageKey: "training.error.closed",
        });
      case "limit":
        throw new AppError(
          "unprocessable",
          "Every attempt of this assignment has been used; HR has been told.",
          {
            messageKey: "training.error.attempt_limit",
            params: { limit: course.definition.attemptLimit },
            details: { attemptLimit: course.definition.attemptLimit },
          },
        );
      case "cool_down":
        throw new AppError(
          "unprocessable",
          `The next attempt may start at ${decision.availableAt.toISOString()}.`,
          {
            messageKey: "training.error.cool_down",
            params: { availableAt: decision.availableAt.toISOString() },
            details: { availableAt: decision.availableAt.toISOString() },
          },
        );
    }
  }
  const seed = input.seed ?? randomInt(0, maxSeed + 1);
  const attempt: AttemptRow = {
    id: randomUUID(),
    assignmentId: assignment.id,
    number: decision.number,
    courseId: course.courseId,
    courseVersion: course.version,
    seed,
    paper: drawPaper(course.definition, seed),
    answers: {},
    startedAt: input.now,
    submittedAt: null,
    correct: null,
    total: null,
    score: null,
    passed: null,
  };
  await tx.insert(trainingAttempts).values(attempt);
  await recordEvidence(tx, {
    at: input.now,
    actor: input.actor,
    action: "training.attempt.started",
    subject: assignmentSubject(assignment.id),
    data: {
      assignmentId: assignment.id,
      attemptId: attempt.id,
      number: attempt.number,
      courseId: course.courseId,
      courseVersion: course.version,
      contentHash: course.contentHash,
      seed,
      questions: attempt.paper.map((q) => q.questionId),
    },
  });
  return { attempt, resumed: false };
}

const answerMessages: Record<AnswerProblem, string> = {
  no_choice: "Choose an answer.",
  one_choice_only: "This question takes exactly one answer.",
  unknown_option: "That option is not one of this question's.",
};

function submittedAlready(): AppError {
  return new AppError("conflict", "This attempt was submitted; its answers can no longer change.", {
    messageKey: "training.error.submitted",
  });
}

/** Validates chosen letters for a question of the attempt's paper; returns them normalised. */
function checkedChoice(
  course: StoredCourse,
  attempt: AttemptRow,
  questionId: string,
  keys: readonly string[],
) {
  const entry = attempt.paper.find((q) => q.questionId === questionId);
  if (!entry) {
    throw new AppError("unprocessable", `Question ${questionId} is not part of this attempt.`, {
      details: [{ path: questionId, message: "not part of this attempt" }],
    });
  }
  const checked = normaliseChoice(questionOf(course.definition, questionId), entry, keys);
  if (!checked.ok) {
    throw new AppError("unprocessable", `Question ${questionId}: ${answerMessages[checked.problem]}`, {
      details: [{ path: questionId, code: checked.problem, message: answerMessages[checked.problem] }],
    });
  }
  return { entry, keys: checked.keys };
}

async function recordAnswers(
  tx: Db,
  input: {
    assignment: AssignmentRow;
    attempt: AttemptRow;
    course: StoredCourse;
    answers: Answers;
    actor: string;
    now: Date;
  },
): Promise<Answers> {
  const merged: Answers = { ...input.attempt.answers };
  let changed = false;
  for (const [questionId, keys] of Object.entries(input.answers)) {
    const checked = checkedChoice(input.course, input.attempt, questionId, keys);
    if (JSON.stringify(merged[questionId] ?? []) === JSON.stringify(checked.keys)) continue;
    merged[questionId] = checked.keys;
    changed = true;
    await recordEvidence(tx, {
      at: input.now,
      actor: input.actor,
      action: "training.answer.recorded",
      subject: assignmentSubject(input.assignment.id),
      data: {
        assignmentId: input.assignment.id,
        attemptId: input.attempt.id,
        courseId: input.course.courseId,
        courseVersion: input.course.version,
        questionId,
        choices: checked.keys,
        options: chosenOptions(checked.entry, checked.keys),
      },
    });
  }
  if (changed) {
    await tx
      .update(trainingAttempts)
      .set({ answers: merged })
      .where(eq(trainingAttempts.id, input.attempt.id));
  }
  return merged;
}

/** Records one answer (chat: a question at a time). The same answer again changes nothing. */
export async function answerQuestion(
  tx: Db,
  input: {
    assignmentId: string;
    attemptId: string;
    questionId: string;
    choices: string[];
    actor: string;
    now: Date;
  },
): Promise<AttemptRow> {
  const { row: assignment } = await findAssignment(tx, input.assignmentId, { lock: true });
  const attempt = await attemptOf(tx, assignment.id, input.attemptId, true);
  if (attempt.submittedAt) throw submittedAlready();
  const course = await courseVersion(tx, attempt.courseId, attempt.courseVersion);
  const answers = await recordAnswers(tx, {
    assignment,
    attempt,
    course,
    answers: { [input.questionId]: input.choices },
    actor: input.actor,
    now: input.now,
  });
  return { ...attempt, answers };
}

function sameAnswers(a: Answers, b: Answers): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const key of keys) {
    const left = [...new Set((a[key] ?? []).map((k) => k.trim().toUpperCase()))].sort();
    const right = [...new Set((b[key] ?? []).map((k) => k.trim().toUpperCase()))].sort();
    if (JSON.stringify(left) !== JSON.stringify(right)) return false;
  }
  return true;
}

export type SubmitInput = {
  assignmentId: string;
  attemptId: string;
  /** Answers to record first (a form sends them all at once); absent: submit what was answered. */
  answers?: Answers;
  actor: string;
  now: Date;
  signer: Signer;
  isWorkingDay?: WorkingDayTest;
};

/**
 * Submits an attempt: every question of the paper must have an answer (422 naming the missing
 * ones). Passing closes the assignment and issues the certificate; failing the last allowed
 * attempt closes it as failed and tells HR. Submitting again is harmless: with no answers or the
 * same ones it returns the same result; different answers after submission are refused (409).
 */
export async function submitAttempt(
  tx: Db,
  input: SubmitInput,
): Promise<{ attempt: AttemptRow; repeated: boolean }> {
  const { row: assignment, employeeExternalId } = await findAssignment(tx, input.assignmentId, {
    lock: true,
  });
  const attempt = await attemptOf(tx, assignment.id, input.attemptId, true);
  if (attempt.submittedAt) {
    if (input.answers && !sameAnswers(input.answers, attempt.answers)) throw submittedAlready();
    return { attempt, repeated: true };
  }
  const course = await courseVersion(tx, attempt.courseId, attempt.courseVersion);
  const answers = input.answers
    ? await recordAnswers(tx, {
        assignment,
        attempt,
        course,
        answers: input.answers,
        actor: input.actor,
        now: input.now,
      })
    : attempt.answers;
  const missing = unanswered(attempt.paper, answers);
  if (missing.length > 0) {
    throw new AppError("unprocessable", `Answer every question first (${missing.length} left).`, {
      messageKey: "training.error.unanswered",
      params: { count: missing.length },
      details: missing.map((questionId) => ({ path: questionId, message: "no answer" })),
    });
  }
  const score = scorePaper(course.definition, attempt.paper, answers);
  const submitted: AttemptRow = {
    ...attempt,
    answers,
    submittedAt: input.now,
    correct: score.correct,
    total: score.total,
    score: score.score,
    passed: score.passed,
  };
  await tx
    .update(trainingAttempts)
    .set({
      submittedAt: input.now,
      correct: score.correct,
      total: score.total,
      score: score.score,
      passed: score.passed,
    })
    .where(eq(trainingAttempts.id, attempt.id));
  await recordEvidence(tx, {
    at: input.now,
    actor: input.actor,
    action: "training.attempt.scored",
    subject: assignmentSubject(assignment.id),
    data: {
      assignmentId: assignment.id,
      attemptId: attempt.id,
      courseId: course.courseId,
      courseVersion: course.version,
      correct: score.correct,
      total: score.total,
      score: score.score,
      passMark: course.definition.passMark,
      passed: score.passed,
      results: score.results.map((r) => `${r.questionId}:${r.correct ? 1 : 0}`),
    },
  });
  const trainee = await traineeById(tx, assignment.employeeId);
  if (score.passed) {
    await tx
      .update(trainingAssignments)
      .set({ status: "passed", completedAt: input.now })
      .where(eq(trainingAssignments.id, assignment.id));
    await issueCertificate(tx, {
      signer: input.signer,
      trainee,
      assignment,
      attempt: { id: attempt.id, score: score.score, correct: score.correct, total: score.total },
      course,
      actor: input.actor,
      now: input.now,
      ...(input.isWorkingDay ? { isWorkingDay: input.isWorkingDay } : {}),
    });
  } else if (attempt.number >= course.definition.attemptLimit) {
    await tx
      .update(trainingAssignments)
      .set({ status: "failed", completedAt: input.now })
      .where(eq(trainingAssignments.id, assignment.id));
    await recordEvidence(tx, {
      at: input.now,
      actor: "system:baton",
      action: "training.assignment.failed",
      subject: assignmentSubject(assignment.id),
      data: { assignmentId: assignment.id, courseId: course.courseId, attempts: attempt.number },
    });
    // HR decides what follows (a talk, another assignment); the legal dates are not affected.
    await enqueueNotification(
      tx,
      {
        kind: "training.failed",
        recipient: {
          type: "channel",
          purpose: "hr",
          ...(trainee.entityId ? { entityId: trainee.entityId } : {}),
        },
        data: {
          assignmentId: assignment.id,
          courseId: course.courseId,
          title: course.definition.title,
          employee: employeeExternalId,
          attempts: attempt.number,
        },
        dedupeKey: `training.failed:${assignment.id}`,
      },
      input.now,
    );
  }
  return { attempt: submitted, repeated: false };
}
