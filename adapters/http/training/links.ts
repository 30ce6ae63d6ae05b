import { html } from "hono/html";
import { z } from "zod";
import { AppError } from "../../../core/errors.ts";
import { type Locale, translate } from "../../../core/messages/index.ts";
import { attemptsLeft } from "../../../core/training/attempts.ts";
import { localized } from "../../../core/training/course.ts";
import { employeePrincipal } from "../../../core/training/permissions.ts";
import type { Db } from "../../../db/client.ts";
import { findAssignment } from "../../../db/training/assignments.ts";
import {
  attemptsOf,
  attemptView,
  findAttempt,
  startAttempt,
  submitAttempt,
} from "../../../db/training/attempts.ts";
import { courseVersion, latestCourse } from "../../../db/training/courses.ts";
import { traineeById } from "../../../db/training/employees.ts";
import { openLesson, readPage } from "../../../db/training/lessons.ts";
import { workingDayTests } from "../../../db/training/working-days.ts";
import type { LinkAction } from "../links/actions.ts";
import type { Services } from "../services.ts";
import { localizedError } from "./access.ts";
import { answersFromForm, lessonPageHtml, quizFieldsHtml } from "./pages.ts";

type Deps = Pick<Services, "linkTokens" | "signer" | "config" | "clock">;

/** Next-step links live as long as a session: the learner is reading right now. */
const stepLinkSeconds = 12 * 3600;

export const trainingPurposes = {
  lesson: "training.lesson",
  quiz: "training.quiz",
  answers: "training.answers",
} as const;

const lessonData = z.object({
  assignmentId: z.string().max(64),
  lesson: z.number().int().min(1).max(1000),
  /** 0: the lesson's cover (opening it is recorded); 1…n: a page (reading it is recorded). */
  page: z.number().int().min(0).max(1000),
});
const quizData = z.object({ assignmentId: z.string().max(64) });
const answersData = z.object({ assignmentId: z.string().max(64), attemptId: z.string().max(64) });

function parsed<S extends z.ZodType>(schema: S, data: Record<string, unknown>): z.output<S> {
  const result = schema.safeParse(data);
  if (!result.success) throw new AppError("bad_request", "This link does not carry what it should.");
  return result.data;
}

/** The assignment behind a link, which must be the link holder's own. */
async function ownAssignment(db: Db, assignmentId: string, principal: string, locale: Locale) {
  const found = await findAssignment(db, assignmentId).catch((error: unknown) => {
    throw localizedError(error, locale);
  });
  if (employeePrincipal(found.employeeExternalId) !== principal) {
    throw new AppError("forbidden", translate(locale, "training.error.not_yours"));
  }
  return found;
}

async function guarded<T>(locale: Locale, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw localizedError(error, locale);
  }
}

function formatInstant(deps: Deps, locale: Locale, iso: string): string {
  return new Intl.DateTimeFormat(locale, {
    dateStyle: "medium",
    timeStyle: "short",
    timeZone: deps.config.BATON_TIMEZONE,
  }).format(new Date(iso));
}

/**
 * Lessons and quizzes in a browser, on signed links that need the employee's own session (a
 * forwarded link cannot read or answer in their name). GET shows; each POST records one step —
 * the lesson opened, a page read, the quiz started, the answers submitted — and leads on with a
 * fresh link for the next step, so going back and posting again is refused as a used link.
 */
export function trainingLinkActions(deps: Deps): LinkAction[] {
  const next = async (principal: string, purpose: string, data: Record<string, unknown>) => {
    const link = await deps.linkTokens.issue({ principal, purpose, ttlSeconds: stepLinkSeconds, data });
    return `/a/${link.token}`;
  };

  const lesson: LinkAction = {
    purpose: trainingPurposes.lesson,
    requiresSession: true,
    async describe({ principal, data, locale, db }) {
      const target = parsed(lessonData, data);
      const { row } = await ownAssignment(db, target.assignmentId, principal, locale);
      const course = await guarded(locale, () => latestCourse(db, row.courseId));
      const lessons = course.definition.lessons;
      const current = lessons[target.lesson - 1];
      if (!current) throw new AppError("not_found", translate(locale, "training.error.no_lesson"));
      const pages = current.pages[locale];
      const title = localized(current.title, locale);
      if (target.page === 0) {
        return {
          title,
          body: translate(locale, "training.lesson.cover", {
            lesson: target.lesson,
            lessons: lessons.length,
            course: localized(course.definition.title, locale),
            pages: pages.length,
          }),
          confirm: translate(locale, "training.lesson.start"),
        };
      }
      const text = pages[target.page - 1];
      if (text === undefined) throw new AppError("not_found", translate(locale, "training.error.no_lesson"));
      const last = target.page === pages.length;
      const lastLesson = target.lesson === lessons.length;
      return {
        title,
        body: translate(locale, "training.lesson.page_of", { page: target.page, pages: pages.length }),
        content: lessonPageHtml(text),
        confirm: translate(
          locale,
          !last
            ? "training.lesson.next_page"
            : lastLesson
              ? "training.lesson.finish_to_quiz"
              : "training.lesson.finish",
        ),
      };
    },
    async perform({ tx, principal, data, locale, now }) {
      const target = parsed(lessonData, data);
      const { row } = await ownAssignment(tx, target.assignmentId, principal, locale);
      if (target.page === 0) {
        await guarded(locale, () =>
          openLesson(tx, { assignment: row, lesson: target.lesson, actor: principal, now }),
        );
        return {
          title: "",
          body: "",
          redirect: await next(principal, trainingPurposes.lesson, { ...target, page: 1 }),
        };
      }
      const read = await guarded(locale, () =>
        readPage(tx, {
          assignment: row,
          lesson: target.lesson,
          page: target.page,
          locale,
          actor: principal,
          now,
        }),
      );
      const step = read.next;
      const redirect =
        step.kind === "page"
          ? await next(principal, trainingPurposes.lesson, {
              assignmentId: row.id,
              lesson: step.lesson,
              page: step.page,
            })
          : step.kind === "lesson"
            ? await next(principal, trainingPurposes.lesson, {
                assignmentId: row.id,
                lesson: step.lesson,
                page: 0,
              })
            : await next(principal, trainingPurposes.quiz, { assignmentId: row.id });
      return { title: "", body: "", redirect };
    },
  };

  const quiz: LinkAction = {
    purpose: trainingPurposes.quiz,
    requiresSession: true,
    async describe({ principal, data, locale, db }) {
      const target = parsed(quizData, data);
      const { row } = await ownAssignment(db, target.assignmentId, principal, locale);
      if (row.status === "passed") throw new AppError("conflict", translate(locale, "training.error.passed"));
      if (row.status !== "open") throw new AppError("conflict", translate(locale, "training.error.closed"));
      const course = await guarded(locale, () => latestCourse(db, row.courseId));
      const attempts = await attemptsOf(db, row.id);
      const inProgress = attempts.some((a) => a.submittedAt === null);
      const limit = course.definition.attemptLimit;
      return {
        title: translate(locale, "training.quiz.title", {
          course: localized(course.definition.title, locale),
        }),
        body: translate(locale, "training.quiz.intro", {
          questions: course.definition.questionsPerAttempt,
          passMark: course.definition.passMark,
          left: attemptsLeft(limit, attempts.length - (inProgress ? 1 : 0)),
          limit,
        }),
        confirm: translate(locale, inProgress ? "training.quiz.resume" : "training.quiz.start"),
      };
    },
    async perform({ tx, principal, data, locale, now }) {
      const target = parsed(quizData, data);
      const { row } = await ownAssignment(tx, target.assignmentId, principal, locale);
      const started = await guarded(locale, () =>
        startAttempt(tx, { assignmentId: row.id, actor: principal, now }),
      ).catch((error: unknown) => {
        // Show the cool-down's end in the reader's words and time zone.
        if (error instanceof AppError && error.messageKey === "training.error.cool_down") {
          const at = String(error.params.availableAt ?? "");
          throw new AppError(
            "unprocessable",
            translate(locale, "training.error.cool_down", {
              availableAt: formatInstant(deps, locale, at),
            }),
          );
        }
        throw error;
      });
      return {
        title: "",
        body: "",
        redirect: await next(principal, trainingPurposes.answers, {
          assignmentId: row.id,
          attemptId: started.attempt.id,
        }),
      };
    },
  };

  const answers: LinkAction = {
    purpose: trainingPurposes.answers,
    requiresSession: true,
    async describe({ principal, data, locale, db }) {
      const target = parsed(answersData, data);
      await ownAssignment(db, target.assignmentId, principal, locale);
      const attempt = await guarded(locale, () => findAttempt(db, target.assignmentId, target.attemptId));
      if (attempt.submittedAt) throw new AppError("conflict", translate(locale, "training.error.submitted"));
      // Signing the certificate must not wait for the database inside the POST's transaction.
      await deps.signer.register();
      const view = await attemptView(db, attempt, locale);
      const course = await courseVersion(db, attempt.courseId, attempt.courseVersion);
      return {
        title: translate(locale, "training.quiz.answer_title", {
          course: localized(course.definition.title, locale),
          number: attempt.number,
        }),
        body: translate(locale, "training.quiz.answer_intro", { passMark: course.definition.passMark }),
        formContent: quizFieldsHtml(
          view.questions,
          view.answers,
          translate(locale, "training.quiz.multiple_hint"),
        ),
        confirm: translate(locale, "training.quiz.submit"),
      };
    },
    async perform({ tx, principal, data, locale, now, form }) {
      const target = parsed(answersData, data);
      const { row } = await ownAssignment(tx, target.assignmentId, principal, locale);
      const attempt = await guarded(locale, () => findAttempt(tx, row.id, target.attemptId));
      const shown = await attemptView(tx, attempt, locale);
      const trainee = await traineeById(tx, row.employeeId);
      const isWorkingDay = await workingDayTests(tx)(trainee.jurisdiction);
      const result = await guarded(locale, () =>
        submitAttempt(tx, {
          assignmentId: row.id,
          attemptId: attempt.id,
          answers: answersFromForm(shown.questions, form),
          actor: principal,
          now,
          signer: deps.signer,
          isWorkingDay,
        }),
      );
      const view = await attemptView(tx, result.attempt, locale);
      const outcome = view.result;
      if (!outcome) throw new Error("a submitted attempt has a result");
      const numbers = {
        score: outcome.score,
        correct: outcome.correct,
        total: outcome.total,
        passMark: view.passMark,
      };
      if (outcome.passed && outcome.certificate) {
        const verifyUrl = `${deps.config.publicUrl}${outcome.certificate.verifyPath}`;
        return {
          title: translate(locale, "training.quiz.passed_title"),
          body: translate(locale, "training.quiz.passed_body", {
            ...numbers,
            validThrough: outcome.certificate.validThrough,
            verifyUrl,
          }),
          content: html`<p><a href="${outcome.certificate.verifyPath}">${verifyUrl}</a></p>`,
        };
      }
      return {
        title: translate(locale, "training.quiz.failed_title"),
        body:
          outcome.attemptsLeft > 0 && outcome.nextAttemptAt
            ? translate(locale, "training.quiz.failed_body", {
                ...numbers,
                left: outcome.attemptsLeft,
                nextAttemptAt: formatInstant(deps, locale, outcome.nextAttemptAt),
              })
            : translate(locale, "training.quiz.failed_final_body", numbers),
      };
    },
  };

  return [lesson, quiz, answers];
}
