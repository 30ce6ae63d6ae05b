import { eq } from "drizzle-orm";
import { formatInstant } from "../../../bots/format.ts";
import type { QuizPaper, TrainingPort } from "../../../bots/ports.ts";
import { AppError } from "../../../core/errors.ts";
import type { Locale } from "../../../core/messages/index.ts";
import { localized } from "../../../core/training/course.ts";
import { employeePrincipal } from "../../../core/training/permissions.ts";
import type { Db } from "../../../db/client.ts";
import { trainingAttempts } from "../../../db/schema/index.ts";
import {
  type AssignmentRow,
  findAssignment,
  listAssignments,
  openAssignment,
} from "../../../db/training/assignments.ts";
import {
  type AttemptRow,
  answerQuestion,
  attemptView,
  startAttempt,
  submitAttempt,
} from "../../../db/training/attempts.ts";
import { latestCourse, type StoredCourse } from "../../../db/training/courses.ts";
import { traineeByExternalId } from "../../../db/training/employees.ts";
import { openLesson, progressOf, readPage } from "../../../db/training/lessons.ts";
import { workingDayTests } from "../../../db/training/working-days.ts";
import type { ModuleServices } from "../services.ts";

type Deps = Pick<ModuleServices, "clock" | "signer" | "config" | "chainWriter">;

const externalIdOf = (principal: string) =>
  principal.startsWith("employee:") ? principal.slice("employee:".length) : "";

function notYours(): AppError {
  return new AppError("forbidden", "This training belongs to someone else.", {
    messageKey: "training.error.not_yours",
  });
}

function noAssignment(courseId: string): AppError {
  return new AppError("not_found", `No open assignment of ${courseId}.`, {
    messageKey: "bot.training.no_assignment",
    params: { course: courseId },
  });
}

/** The lesson and page (1-based) of a page numbered across all the course's lessons. */
function locate(course: StoredCourse, page: number): { lesson: number; page: number } | undefined {
  let before = 0;
  for (const [index, lesson] of course.definition.lessons.entries()) {
    const count = lesson.pages.en.length;
    if (page <= before + count) return { lesson: index + 1, page: page - before };
    before += count;
  }
  return undefined;
}

function pageCount(course: StoredCourse): number {
  return course.definition.lessons.reduce((sum, lesson) => sum + lesson.pages.en.length, 0);
}

/** Training for the bot, over `db` (the database, or the inbox worker's transaction). */
export function trainingPort(services: Deps, db: Db): TrainingPort {
  const transaction = <T>(fn: (tx: Db) => Promise<T>) => db.transaction((tx) => fn(tx as unknown as Db));
  const wake = () => services.chainWriter.wake();

  /** The person's open assignment of a course (an AppError when there is none). */
  async function ownOpenAssignment(principal: string, courseId: string): Promise<AssignmentRow> {
    const trainee = await traineeByExternalId(db, externalIdOf(principal));
    const row = await openAssignment(db, trainee.id, courseId);
    if (row) return row;
    const passed = await listAssignments(db, { employeeId: trainee.id, courseId, status: "passed" });
    if (passed.length > 0) {
      throw new AppError("conflict", "This course is already passed.", {
        messageKey: "training.error.passed",
      });
    }
    throw noAssignment(courseId);
  }

  /** An attempt of the person's own, with its assignment. */
  async function ownAttempt(principal: string, attemptId: string) {
    const [attempt] = /^[0-9a-f-]{36}$/.test(attemptId)
      ? await db.select().from(trainingAttempts).where(eq(trainingAttempts.id, attemptId))
      : [];
    if (!attempt)
      throw new AppError("not_found", "There is no such attempt.", { messageKey: "error.not_found" });
    const found = await findAssignment(db, attempt.assignmentId);
    if (employeePrincipal(found.employeeExternalId) !== principal) throw notYours();
    return { attempt, assignment: found.row };
  }

  async function paperOf(attempt: AttemptRow, locale: Locale): Promise<QuizPaper> {
    const view = await attemptView(db, attempt, locale);
    return {
      attemptId: view.id,
      courseId: view.courseId,
      questions: view.questions.map((q) => ({
        questionId: q.questionId,
        type: q.type,
        prompt: q.prompt,
        options: q.options,
      })),
      answers: view.answers,
      submitted: view.status === "submitted",
    };
  }

  /** The quiz button sits on the last page: leaving it for the quiz counts as having read it. */
  async function finishReading(assignment: AssignmentRow, principal: string, locale: Locale): Promise<void> {
    const course = await latestCourse(db, assignment.courseId);
    const lessons = course.definition.lessons.length;
    const last = course.definition.lessons[lessons - 1];
    if (!last) return;
    const progress = (await progressOf(db, assignment.id)).find((p) => p.lesson === lessons);
    const lastPage = last.pages.en.length;
    if (!progress || progress.courseVersion !== course.version || progress.pagesRead.includes(lastPage))
      return;
    await transaction(async (tx) => {
      const { row } = await findAssignment(tx, assignment.id, { lock: true });
      await readPage(tx, {
        assignment: row,
        lesson: lessons,
        page: lastPage,
        locale,
        actor: principal,
        now: services.clock.now(),
      });
    });
  }

  return {
    async open(principal) {
      const trainee = await traineeByExternalId(db, externalIdOf(principal));
      const open = await listAssignments(db, { employeeId: trainee.id, status: "open" });
      const out = [];
      for (const assignment of open) {
        const course = await latestCourse(db, assignment.courseId);
        out.push({
          courseId: assignment.courseId,
          title: localized(course.definition.title, trainee.locale),
          dueDate: assignment.dueDate,
        });
      }
      return out.sort((a, b) => a.dueDate.localeCompare(b.dueDate));
    },

    async page({ principal, courseId, from, to, locale }) {
      const assignment = await ownOpenAssignment(principal, courseId);
      const course = await latestCourse(db, courseId);
      const target = locate(course, to);
      const lesson = target ? course.definition.lessons[target.lesson - 1] : undefined;
      const text = target && lesson ? lesson.pages[locale][target.page - 1] : undefined;
      if (!target || !lesson || text === undefined) {
        throw new AppError("not_found", `Course ${courseId} has no page ${to}.`, {
          messageKey: "error.not_found",
        });
      }
      const forward = from === null || to > from;
      const read = from !== null && to === from + 1 ? locate(course, from) : undefined;
      if (forward) {
        const now = services.clock.now();
        await transaction(async (tx) => {
          const { row } = await findAssignment(tx, assignment.id, { lock: true });
          if (read) {
            const opened = (await progressOf(tx, row.id)).some(
              (p) => p.lesson === read.lesson && p.courseVersion === course.version,
            );
            if (!opened)
              await openLesson(tx, { assignment: row, lesson: read.lesson, actor: principal, now });
            await readPage(tx, {
              assignment: row,
              lesson: read.lesson,
              page: read.page,
              locale,
              actor: principal,
              now,
            });
          }
          if (target.page === 1)
            await openLesson(tx, { assignment: row, lesson: target.lesson, actor: principal, now });
        });
        wake();
      }
      return {
        courseId,
        courseTitle: localized(course.definition.title, locale),
        lessonTitle: localized(lesson.title, locale),
        page: to,
        pages: pageCount(course),
        markdown: text,
      };
    },

    async startQuiz({ principal, courseId, locale }) {
      const assignment = await ownOpenAssignment(principal, courseId);
      await finishReading(assignment, principal, locale);
      const started = await transaction((tx) =>
        startAttempt(tx, { assignmentId: assignment.id, actor: principal, now: services.clock.now() }),
      );
      wake();
      return paperOf(started.attempt, locale);
    },

    async paper({ principal, attemptId, locale }) {
      const { attempt } = await ownAttempt(principal, attemptId);
      return paperOf(attempt, locale);
    },

    async answer({ principal, attemptId, questionId, choices }) {
      const { assignment } = await ownAttempt(principal, attemptId);
      await transaction((tx) =>
        answerQuestion(tx, {
          assignmentId: assignment.id,
          attemptId,
          questionId,
          choices,
          actor: principal,
          now: services.clock.now(),
        }),
      );
      wake();
    },

    async submit({ principal, attemptId, locale }) {
      const { assignment } = await ownAttempt(principal, attemptId);
      const trainee = await traineeByExternalId(db, externalIdOf(principal));
      const isWorkingDay = await workingDayTests(db)(trainee.jurisdiction);
      // Signing inside the transaction must not wait for the database (the key is registered first).
      await services.signer.register();
      const result = await transaction((tx) =>
        submitAttempt(tx, {
          assignmentId: assignment.id,
          attemptId,
          actor: principal,
          now: services.clock.now(),
          signer: services.signer,
          isWorkingDay,
        }),
      );
      wake();
      const view = await attemptView(db, result.attempt, locale);
      const outcome = view.result;
      if (!outcome) throw new Error("a submitted attempt has a result");
      return {
        courseId: view.courseId,
        score: outcome.score,
        passMark: view.passMark,
        passed: outcome.passed,
        ...(outcome.passed ? {} : { attemptsLeft: outcome.attemptsLeft }),
        ...(outcome.nextAttemptAt
          ? { retryAfter: formatInstant(outcome.nextAttemptAt, trainee.timeZone) }
          : {}),
        ...(outcome.certificate
          ? { certificateUrl: `${services.config.publicUrl}${outcome.certificate.verifyPath}` }
          : {}),
      };
    },
  };
}
