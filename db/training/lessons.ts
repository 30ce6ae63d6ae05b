import { and, eq } from "drizzle-orm";
import { sha256Hex } from "../../core/audit/chain.ts";
import { AppError } from "../../core/errors.ts";
import type { Locale } from "../../core/messages/index.ts";
import type { Lesson } from "../../core/training/course.ts";
import type { Db } from "../client.ts";
import { recordEvidence } from "../repositories/evidence.ts";
import { lessonProgress } from "../schema/index.ts";
import { type AssignmentRow, assignmentSubject } from "./assignments.ts";
import { courseVersion, latestCourse, type StoredCourse } from "./courses.ts";

/** Where the learner goes after a page: the next page, the next lesson (to open), or the quiz. */
export type NextStep =
  | { kind: "page"; lesson: number; page: number }
  | { kind: "lesson"; lesson: number }
  | { kind: "quiz" };

export type LessonProgressView = {
  lesson: number;
  courseVersion: number;
  openedAt: string;
  pagesRead: number[];
  completedAt: string | null;
};

function lessonAt(course: StoredCourse, lesson: number): Lesson {
  const found = Number.isInteger(lesson) ? course.definition.lessons[lesson - 1] : undefined;
  if (!found) {
    throw new AppError(
      "not_found",
      `Course ${course.courseId} has ${course.definition.lessons.length} lessons; there is no lesson ${lesson}.`,
    );
  }
  return found;
}

function refuseCancelled(assignment: AssignmentRow): void {
  if (assignment.status === "cancelled")
    throw new AppError("conflict", "This training assignment was cancelled.");
}

export function nextStep(course: StoredCourse, lesson: number, page: number): NextStep {
  const current = lessonAt(course, lesson);
  if (page < current.pages.en.length) return { kind: "page", lesson, page: page + 1 };
  if (lesson < course.definition.lessons.length) return { kind: "lesson", lesson: lesson + 1 };
  return { kind: "quiz" };
}

export async function progressOf(db: Db, assignmentId: string): Promise<LessonProgressView[]> {
  const rows = await db
    .select()
    .from(lessonProgress)
    .where(eq(lessonProgress.assignmentId, assignmentId))
    .orderBy(lessonProgress.lesson);
  return rows.map((r) => ({
    lesson: r.lesson,
    courseVersion: r.courseVersion,
    openedAt: r.openedAt.toISOString(),
    pagesRead: [...r.pagesRead].sort((a, b) => a - b),
    completedAt: r.completedAt?.toISOString() ?? null,
  }));
}

/**
 * Records that the employee opened a lesson (of the course's latest version) and returns it. Each
 * opening is recorded; the time to the first page is counted from the latest opening.
 */
export async function openLesson(
  tx: Db,
  input: { assignment: AssignmentRow; lesson: number; actor: string; now: Date },
): Promise<{ course: StoredCourse; lesson: Lesson }> {
  const { assignment, now } = input;
  refuseCancelled(assignment);
  const course = await latestCourse(tx, assignment.courseId);
  const lesson = lessonAt(course, input.lesson);
  const [existing] = await tx
    .select()
    .from(lessonProgress)
    .where(and(eq(lessonProgress.assignmentId, assignment.id), eq(lessonProgress.lesson, input.lesson)))
    .for("update");
  if (existing && existing.courseVersion === course.version) {
    await tx
      .update(lessonProgress)
      .set({ lastActivityAt: now })
      .where(and(eq(lessonProgress.assignmentId, assignment.id), eq(lessonProgress.lesson, input.lesson)));
  } else {
    // First opening, or the course changed since: progress starts again on the new version.
    const fresh = {
      courseVersion: course.version,
      openedAt: now,
      lastActivityAt: now,
      pagesRead: [],
      completedAt: null,
    };
    await tx
      .insert(lessonProgress)
      .values({ assignmentId: assignment.id, lesson: input.lesson, ...fresh })
      .onConflictDoUpdate({ target: [lessonProgress.assignmentId, lessonProgress.lesson], set: fresh });
  }
  await recordEvidence(tx, {
    at: now,
    actor: input.actor,
    action: "training.lesson.opened",
    subject: assignmentSubject(assignment.id),
    data: {
      assignmentId: assignment.id,
      courseId: course.courseId,
      courseVersion: course.version,
      lesson: input.lesson,
      lessonKey: lesson.key,
      pages: lesson.pages.en.length,
    },
  });
  return { course, lesson };
}

/**
 * Records that a page was read, with the seconds since the lesson was opened or its previous
 * page was read, and the SHA-256 of the page text in the language it was shown in.
 */
export async function readPage(
  tx: Db,
  input: {
    assignment: AssignmentRow;
    lesson: number;
    page: number;
    locale: Locale;
    actor: string;
    now: Date;
  },
): Promise<{ course: StoredCourse; next: NextStep; secondsSincePrevious: number }> {
  const { assignment, now } = input;
  refuseCancelled(assignment);
  const [progress] = await tx
    .select()
    .from(lessonProgress)
    .where(and(eq(lessonProgress.assignmentId, assignment.id), eq(lessonProgress.lesson, input.lesson)))
    .for("update");
  if (!progress) throw new AppError("conflict", `Open lesson ${input.lesson} before reading its pages.`);
  const course = await courseVersion(tx, assignment.courseId, progress.courseVersion);
  const lesson = lessonAt(course, input.lesson);
  const text = Number.isInteger(input.page) ? lesson.pages[input.locale][input.page - 1] : undefined;
  if (text === undefined) {
    throw new AppError(
      "not_found",
      `Lesson ${input.lesson} has ${lesson.pages.en.length} pages; there is no page ${input.page}.`,
    );
  }
  const secondsSincePrevious = Math.max(
    0,
    Math.floor((now.getTime() - progress.lastActivityAt.getTime()) / 1000),
  );
  const pagesRead = [...new Set([...progress.pagesRead, input.page])].sort((a, b) => a - b);
  const complete = pagesRead.length === lesson.pages.en.length;
  await tx
    .update(lessonProgress)
    .set({
      pagesRead,
      lastActivityAt: now,
      ...(complete && !progress.completedAt ? { completedAt: now } : {}),
    })
    .where(and(eq(lessonProgress.assignmentId, assignment.id), eq(lessonProgress.lesson, input.lesson)));
  await recordEvidence(tx, {
    at: now,
    actor: input.actor,
    action: "training.lesson.page-read",
    subject: assignmentSubject(assignment.id),
    data: {
      assignmentId: assignment.id,
      courseId: course.courseId,
      courseVersion: course.version,
      lesson: input.lesson,
      page: input.page,
      locale: input.locale,
      pageHash: await sha256Hex(text),
      secondsSincePrevious,
    },
  });
  return { course, next: nextStep(course, input.lesson, input.page), secondsSincePrevious };
}
