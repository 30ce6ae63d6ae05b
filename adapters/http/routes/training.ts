import type { Context, Hono } from "hono";
import { z } from "zod";
import { isIsoDate } from "../../../core/compliance/dates.ts";
import { externalIdPattern } from "../../../core/directory/employee-input.ts";
import { AppError } from "../../../core/errors.ts";
import { localized } from "../../../core/training/course.ts";
import { parseCourseFiles } from "../../../core/training/course-files.ts";
import { completionCsv, completionRate, trailCsv } from "../../../core/training/trail.ts";
import type { Db } from "../../../db/client.ts";
import { readYaml } from "../../../db/course-files.ts";
import {
  assignCourse,
  assignmentView,
  findAssignment,
  listAssignments,
} from "../../../db/training/assignments.ts";
import {
  answerQuestion,
  attemptsOf,
  attemptView,
  findAttempt,
  startAttempt,
  submitAttempt,
} from "../../../db/training/attempts.ts";
import { certificateOfAssignment, certificateView } from "../../../db/training/certificates.ts";
import {
  courseHistory,
  importCourse,
  latestCourse,
  latestCourses,
  type StoredCourse,
} from "../../../db/training/courses.ts";
import { traineeByExternalId, traineeById } from "../../../db/training/employees.ts";
import { openLesson, progressOf, readPage } from "../../../db/training/lessons.ts";
import { completionReport, learningTrail } from "../../../db/training/trail.ts";
import { workingDayTests } from "../../../db/training/working-days.ts";
import { readJson, readQuery } from "../body.ts";
import { requestLocale } from "../errors.ts";
import { maxLinkLifetimeSeconds } from "../links/tokens.ts";
import { jsonBody, queryParams } from "../route-meta.ts";
import type { AppEnv } from "../services.ts";
import { requireLearner, requireManager, requireReader } from "../training/access.ts";
import { trainingPurposes } from "../training/links.ts";

const maxCourseFileBytes = 256 * 1024;

const importBody = z
  .object({
    files: z.record(z.string().min(1).max(200), z.string().max(maxCourseFileBytes)),
  })
  .strict();

const assignBody = z
  .object({
    employeeExternalId: z.string().regex(externalIdPattern),
    courseId: z.string().max(63),
    dueDate: z.string().refine(isIsoDate, { message: "must be a date YYYY-MM-DD" }).optional(),
  })
  .strict();

const answerBody = z
  .object({
    questionId: z.string().min(1).max(40),
    choices: z.array(z.string().max(4)).max(8),
  })
  .strict();

const submitBody = z
  .object({ answers: z.record(z.string().min(1).max(40), z.array(z.string().max(4)).max(8)).optional() })
  .strict();

const linkBody = z
  .object({
    step: z.enum(["lesson", "quiz"]),
    lesson: z.number().int().min(1).max(1000).default(1),
    ttlSeconds: z
      .number()
      .int()
      .min(60)
      .max(maxLinkLifetimeSeconds)
      .default(7 * 24 * 3600),
  })
  .strict();

const formatQuery = z.object({ format: z.enum(["json", "csv"]).default("json") });

function transaction<T>(c: Context<AppEnv>, fn: (tx: Db) => Promise<T>): Promise<T> {
  return c.get("services").database.db.transaction((tx) => fn(tx as unknown as Db));
}

function positiveInt(value: string | undefined, name: string): number {
  if (!value || !/^\d{1,4}$/.test(value) || Number(value) < 1) {
    throw new AppError("bad_request", `${name} in the path must be a whole number from 1.`);
  }
  return Number(value);
}

function courseSummary(course: StoredCourse, locale: "zh-CN" | "en") {
  const d = course.definition;
  return {
    id: course.courseId,
    version: course.version,
    contentHash: course.contentHash,
    title: localized(d.title, locale),
    titles: d.title,
    roles: d.roles,
    validityMonths: d.validityMonths,
    passMark: d.passMark,
    attemptLimit: d.attemptLimit,
    coolDownMinutes: d.coolDownMinutes,
    questionsPerAttempt: d.questionsPerAttempt,
    dueDays: d.dueDays,
    lessons: d.lessons.map((l, i) => ({
      number: i + 1,
      key: l.key,
      title: localized(l.title, locale),
      pages: l.pages.en.length,
    })),
    questions: d.questions.length,
    importedAt: course.importedAt.toISOString(),
  };
}

function csv(c: Context<AppEnv>, body: string, filename: string) {
  return c.body(body, 200, {
    "content-type": "text/csv; charset=utf-8",
    "content-disposition": `attachment; filename="${filename}"`,
    "cache-control": "no-store",
  });
}

/** Courses, assignments, lessons, attempts, certificates, the learning trail and the completion report. */
export function registerTrainingRoutes(app: Hono<AppEnv>): void {
  app.post("/api/v1/courses", jsonBody(importBody), async (c) => {
    const actor = await requireManager(c, ["training:write"]);
    const body = await readJson(c, importBody);
    const checked = parseCourseFiles(body.files, readYaml);
    if (!checked.course) {
      throw new AppError("unprocessable", `The course files have ${checked.problems.length} problem(s).`, {
        messageKey: "training.error.course_files",
        params: { count: checked.problems.length },
        details: checked.problems,
      });
    }
    const course = checked.course;
    const outcome = await transaction(c, (tx) =>
      importCourse(tx, course, actor, c.get("services").clock.now()),
    );
    return c.json(outcome, outcome.created ? 201 : 200);
  });

  app.get("/api/v1/courses", async (c) => {
    const locale = requestLocale(c);
    const all = await latestCourses(c.get("services").database.db);
    return c.json({ courses: all.map((course) => courseSummary(course, locale)) });
  });

  app.get("/api/v1/courses/:id", async (c) => {
    const db = c.get("services").database.db;
    const course = await latestCourse(db, c.req.param("id").slice(0, 63));
    return c.json({
      ...courseSummary(course, requestLocale(c)),
      versions: await courseHistory(db, course.courseId),
    });
  });

  app.post("/api/v1/training/assignments", jsonBody(assignBody), async (c) => {
    const actor = await requireManager(c, ["training:write"]);
    const body = await readJson(c, assignBody);
    const { database, clock } = c.get("services");
    const now = clock.now();
    const trainee = await traineeByExternalId(database.db, body.employeeExternalId);
    const isWorkingDay = await workingDayTests(database.db)(trainee.jurisdiction);
    const result = await transaction(c, async (tx) =>
      assignCourse(tx, {
        trainee,
        course: await latestCourse(tx, body.courseId),
        reason: "manual",
        actor,
        now,
        isWorkingDay,
        ...(body.dueDate ? { dueDate: body.dueDate } : {}),
      }),
    );
    return c.json(assignmentView(result.row, trainee.externalId), result.created ? 201 : 200);
  });

  const assignmentsQuery = z.object({
    employee: z.string().regex(externalIdPattern).optional(),
    status: z.enum(["open", "passed", "failed", "cancelled"]).optional(),
    courseId: z.string().max(63).optional(),
  });

  app.get("/api/v1/training/assignments", queryParams(assignmentsQuery), async (c) => {
    const query = readQuery(c, assignmentsQuery);
    await requireReader(c, query.employee);
    const db = c.get("services").database.db;
    const employeeId = query.employee ? (await traineeByExternalId(db, query.employee)).id : undefined;
    const assignments = await listAssignments(db, {
      ...(employeeId ? { employeeId } : {}),
      ...(query.status ? { status: query.status } : {}),
      ...(query.courseId ? { courseId: query.courseId } : {}),
    });
    return c.json({ assignments });
  });

  app.get("/api/v1/training/assignments/:id", async (c) => {
    const db = c.get("services").database.db;
    const { row, employeeExternalId } = await findAssignment(db, c.req.param("id"));
    await requireReader(c, employeeExternalId);
    const trainee = await traineeById(db, row.employeeId);
    const locale = requestLocale(c, trainee.locale);
    const course = await latestCourse(db, row.courseId);
    const certificate = await certificateOfAssignment(db, row.id);
    return c.json({
      ...assignmentView(row, employeeExternalId),
      course: courseSummary(course, locale),
      progress: await progressOf(db, row.id),
      attempts: (await attemptsOf(db, row.id)).map((a) => ({
        id: a.id,
        number: a.number,
        courseVersion: a.courseVersion,
        startedAt: a.startedAt.toISOString(),
        submittedAt: a.submittedAt?.toISOString() ?? null,
        score: a.score,
        passed: a.passed,
      })),
      certificate: certificate ? certificateView(certificate, employeeExternalId) : null,
    });
  });

  app.post("/api/v1/training/assignments/:id/links", jsonBody(linkBody), async (c) => {
    const { database, linkTokens } = c.get("services");
    const { row, employeeExternalId } = await findAssignment(database.db, c.req.param("id"));
    requireLearner(c, employeeExternalId);
    const body = await readJson(c, linkBody);
    const link = await linkTokens.issue({
      principal: `employee:${employeeExternalId}`,
      purpose: body.step === "quiz" ? trainingPurposes.quiz : trainingPurposes.lesson,
      ttlSeconds: body.ttlSeconds,
      data:
        body.step === "quiz"
          ? { assignmentId: row.id }
          : { assignmentId: row.id, lesson: body.lesson, page: 0 },
    });
    return c.json({ url: link.url, expiresAt: link.expiresAt.toISOString() }, 201, {
      "cache-control": "no-store",
    });
  });

  app.get("/api/v1/training/assignments/:id/lessons/:lesson", async (c) => {
    const db = c.get("services").database.db;
    const { row, employeeExternalId } = await findAssignment(db, c.req.param("id"));
    await requireReader(c, employeeExternalId);
    const number = positiveInt(c.req.param("lesson"), "The lesson number");
    const course = await latestCourse(db, row.courseId);
    const lesson = course.definition.lessons[number - 1];
    if (!lesson) throw new AppError("not_found", `There is no lesson ${number}.`);
    const locale = requestLocale(c, (await traineeById(db, row.employeeId)).locale);
    return c.json({
      lesson: number,
      courseVersion: course.version,
      title: localized(lesson.title, locale),
      pages: lesson.pages[locale],
    });
  });

  app.post("/api/v1/training/assignments/:id/lessons/:lesson/open", async (c) => {
    const { database, clock } = c.get("services");
    const { employeeExternalId } = await findAssignment(database.db, c.req.param("id"));
    const actor = requireLearner(c, employeeExternalId);
    const number = positiveInt(c.req.param("lesson"), "The lesson number");
    const trainee = await traineeByExternalId(database.db, employeeExternalId);
    const locale = requestLocale(c, trainee.locale);
    const opened = await transaction(c, async (tx) => {
      const { row } = await findAssignment(tx, c.req.param("id"), { lock: true });
      return openLesson(tx, { assignment: row, lesson: number, actor, now: clock.now() });
    });
    return c.json({
      lesson: number,
      courseVersion: opened.course.version,
      title: localized(opened.lesson.title, locale),
      pages: opened.lesson.pages[locale].length,
      page: { number: 1, text: opened.lesson.pages[locale][0] },
    });
  });

  app.post("/api/v1/training/assignments/:id/lessons/:lesson/pages/:page/read", async (c) => {
    const { database, clock } = c.get("services");
    const { employeeExternalId } = await findAssignment(database.db, c.req.param("id"));
    const actor = requireLearner(c, employeeExternalId);
    const number = positiveInt(c.req.param("lesson"), "The lesson number");
    const page = positiveInt(c.req.param("page"), "The page number");
    const trainee = await traineeByExternalId(database.db, employeeExternalId);
    const locale = requestLocale(c, trainee.locale);
    const read = await transaction(c, async (tx) => {
      const { row } = await findAssignment(tx, c.req.param("id"), { lock: true });
      return readPage(tx, { assignment: row, lesson: number, page, locale, actor, now: clock.now() });
    });
    const step = read.next;
    const text =
      step.kind === "page"
        ? read.course.definition.lessons[step.lesson - 1]?.pages[locale][step.page - 1]
        : undefined;
    return c.json({
      lesson: number,
      page,
      secondsSincePrevious: read.secondsSincePrevious,
      next: text === undefined ? step : { ...step, text },
    });
  });

  app.post("/api/v1/training/assignments/:id/attempts", async (c) => {
    const { database, clock } = c.get("services");
    const { employeeExternalId, row } = await findAssignment(database.db, c.req.param("id"));
    const actor = requireLearner(c, employeeExternalId);
    const locale = requestLocale(c, (await traineeById(database.db, row.employeeId)).locale);
    const started = await transaction(c, (tx) =>
      startAttempt(tx, { assignmentId: row.id, actor, now: clock.now() }),
    );
    return c.json(await attemptView(database.db, started.attempt, locale), started.resumed ? 200 : 201);
  });

  app.get("/api/v1/training/assignments/:id/attempts/:attemptId", async (c) => {
    const db = c.get("services").database.db;
    const { row, employeeExternalId } = await findAssignment(db, c.req.param("id"));
    await requireReader(c, employeeExternalId);
    const attempt = await findAttempt(db, row.id, c.req.param("attemptId"));
    const locale = requestLocale(c, (await traineeById(db, row.employeeId)).locale);
    return c.json(await attemptView(db, attempt, locale));
  });

  app.post(
    "/api/v1/training/assignments/:id/attempts/:attemptId/answers",
    jsonBody(answerBody),
    async (c) => {
      const { database, clock } = c.get("services");
      const { row, employeeExternalId } = await findAssignment(database.db, c.req.param("id"));
      const actor = requireLearner(c, employeeExternalId);
      const body = await readJson(c, answerBody);
      const locale = requestLocale(c, (await traineeById(database.db, row.employeeId)).locale);
      const attempt = await transaction(c, (tx) =>
        answerQuestion(tx, {
          assignmentId: row.id,
          attemptId: c.req.param("attemptId"),
          questionId: body.questionId,
          choices: body.choices,
          actor,
          now: clock.now(),
        }),
      );
      return c.json(await attemptView(database.db, attempt, locale));
    },
  );

  app.post("/api/v1/training/assignments/:id/attempts/:attemptId/submit", jsonBody(submitBody), async (c) => {
    const { database, clock, signer } = c.get("services");
    const { row, employeeExternalId } = await findAssignment(database.db, c.req.param("id"));
    const actor = requireLearner(c, employeeExternalId);
    const body = await readJson(c, submitBody);
    const trainee = await traineeById(database.db, row.employeeId);
    const locale = requestLocale(c, trainee.locale);
    const isWorkingDay = await workingDayTests(database.db)(trainee.jurisdiction);
    // Signing inside the transaction must not wait for the database (the key is registered first).
    await signer.register();
    const result = await transaction(c, (tx) =>
      submitAttempt(tx, {
        assignmentId: row.id,
        attemptId: c.req.param("attemptId"),
        ...(body.answers ? { answers: body.answers } : {}),
        actor,
        now: clock.now(),
        signer,
        isWorkingDay,
      }),
    );
    return c.json(await attemptView(database.db, result.attempt, locale));
  });

  app.get("/api/v1/employees/:externalId/learning-trail", queryParams(formatQuery), async (c) => {
    const externalId = c.req.param("externalId");
    if (!externalIdPattern.test(externalId))
      throw new AppError("bad_request", "The employee id in the path is not valid.");
    await requireReader(c, externalId, ["evidence:read"]);
    const { format } = readQuery(c, formatQuery);
    const db = c.get("services").database.db;
    const trainee = await traineeByExternalId(db, externalId);
    const entries = await learningTrail(db, trainee.id);
    if (format === "csv") return csv(c, trailCsv(entries), `learning-trail-${externalId}.csv`);
    return c.json({ employee: externalId, entries });
  });

  const reportQuery = formatQuery.extend({
    courseId: z.string().max(63).optional(),
    department: z.string().max(100).optional(),
  });

  app.get("/api/v1/training/report", queryParams(reportQuery), async (c) => {
    await requireManager(c, ["training:write", "evidence:read"]);
    const query = readQuery(c, reportQuery);
    const { database, clock, config } = c.get("services");
    const rows = await completionReport(database.db, {
      now: clock.now(),
      timeZone: config.BATON_TIMEZONE,
      ...(query.courseId ? { courseId: query.courseId } : {}),
      ...(query.department ? { department: query.department } : {}),
    });
    if (query.format === "csv") return csv(c, completionCsv(rows), "training-completion.csv");
    return c.json({ rows: rows.map((r) => ({ ...r, completionRate: completionRate(r) })) });
  });
}
