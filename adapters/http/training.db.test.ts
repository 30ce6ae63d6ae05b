import { sql } from "drizzle-orm";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Database } from "../../db/client.ts";
import { demoCourses } from "../../db/seeds/demo-courses.ts";
import { demoOrganisation } from "../../db/seeds/demo-organisation.ts";
import { applySeeds } from "../../db/seeds/seed.ts";
import { createTestApp, manualClock, type TestApp } from "../../test/helpers/app.ts";
import { resetDatabase, testDatabase } from "../../test/helpers/db.ts";
import {
  adminToken,
  call,
  createKey,
  evidenceOf,
  letters,
  login,
  ok,
  outboxOf,
  refused,
  rows,
  runTrainingJobs,
  type Session,
  type ShownQuestion,
  seedPeople,
  testCourseFiles,
} from "../../test/helpers/training.ts";

type Assignment = {
  id: string;
  employeeExternalId: string;
  courseId: string;
  status: string;
  dueDate: string;
  reason: string;
};
type Attempt = {
  id: string;
  number: number;
  courseVersion: number;
  status: string;
  questions: ShownQuestion[];
  answers: Record<string, string[]>;
  next: ShownQuestion | null;
  result: null | {
    score: number;
    passed: boolean;
    correct: number;
    total: number;
    attemptsLeft: number;
    nextAttemptAt: string | null;
    certificate: null | { id: string; validThrough: string; verifyPath: string; jws: string };
  };
};

let database: Database;
let t: TestApp;
let clock: ReturnType<typeof manualClock>;

beforeAll(async () => {
  database = await testDatabase();
});

beforeEach(async () => {
  await resetDatabase(database);
  // Monday 2 March 2026, 10:00 in Shanghai.
  clock = manualClock(new Date("2026-03-02T02:00:00Z"));
  t = await createTestApp(database, { env: { BATON_ADMIN_TOKEN: adminToken }, clock });
  await t.services.signer.register();
  await seedPeople(t);
});

async function importCourse(files = testCourseFiles(), status = 201) {
  return ok<{ courseId: string; version: number; created: boolean; contentHash: string }>(
    call(t, "POST", "/api/v1/courses", { body: { files } }),
    status,
  );
}

async function assignmentOf(externalId: string): Promise<Assignment> {
  const body = await ok<{ assignments: Assignment[] }>(
    call(t, "GET", `/api/v1/training/assignments?employee=${externalId}`),
  );
  const [first] = body.assignments;
  if (!first) throw new Error(`no assignment for ${externalId}`);
  return first;
}

/** The course imported and assigned to E1 by the role tick. */
async function assignedToE1(): Promise<{ assignment: Assignment; session: Session }> {
  await importCourse();
  await runTrainingJobs(t, "training.assign-by-role");
  return { assignment: await assignmentOf("E1"), session: await login(t, "employee:E1") };
}

const attemptsPath = (assignment: Assignment) => `/api/v1/training/assignments/${assignment.id}/attempts`;

async function answerAll(
  session: Session,
  assignment: Assignment,
  attempt: Attempt,
  right: boolean | ((q: ShownQuestion) => boolean),
) {
  let current = attempt;
  for (const question of attempt.questions) {
    const good = typeof right === "function" ? right(question) : right;
    current = await ok<Attempt>(
      call(t, "POST", `${attemptsPath(assignment)}/${attempt.id}/answers`, {
        session,
        body: { questionId: question.questionId, choices: letters(question, good) },
      }),
    );
  }
  return current;
}

describe("importing courses", () => {
  it("imports version 1, leaves unchanged content alone, and versions changed content", async () => {
    expect(await importCourse()).toMatchObject({ courseId: "unit-course", version: 1, created: true });
    expect(await importCourse(testCourseFiles(), 200)).toMatchObject({ version: 1, created: false });
    // Comments and formatting are not content.
    const reformatted = testCourseFiles();
    reformatted["course.yaml"] = `# a comment\n${reformatted["course.yaml"]}`;
    expect(await importCourse(reformatted, 200)).toMatchObject({ version: 1, created: false });
    expect(await importCourse(testCourseFiles({ extraQuestion: true }))).toMatchObject({
      version: 2,
      created: true,
    });
    const course = await ok<{ version: number; questions: number; versions: { version: number }[] }>(
      call(t, "GET", "/api/v1/courses/unit-course"),
    );
    expect(course.version).toBe(2);
    expect(course.questions).toBe(6);
    expect(course.versions.map((v) => v.version)).toEqual([1, 2]);
    expect(await evidenceOf(database, "training.course.imported")).toHaveLength(2);
  });

  it("refuses malformed files with each problem's file and line, and stores nothing", async () => {
    const files = testCourseFiles();
    files["course.yaml"] = files["course.yaml"]?.replace("validityMonths: 12", "validityMonths: -1") ?? "";
    files["lessons/02-end.en.md"] = "no title here\n";
    const body = await refused(call(t, "POST", "/api/v1/courses", { body: { files } }), 422);
    expect(body.error.message).toBe(
      "The course files have 2 problem(s); each is listed with its file and line.",
    );
    expect(body.error.details).toEqual([
      { file: "course.yaml", line: 4, message: expect.stringContaining("validityMonths") },
      { file: "lessons/02-end.en.md", line: 1, message: "a lesson starts with a `# Title` line" },
    ]);
    expect((await ok<{ courses: unknown[] }>(call(t, "GET", "/api/v1/courses"))).courses).toEqual([]);
    expect(await evidenceOf(database, "training.course.imported")).toEqual([]);
    await refused(call(t, "POST", "/api/v1/courses", { body: { files: "nope" } }), 400);
  });

  it("is for HR or a system with training:write", async () => {
    const engineer = await createKey(t, "employee:E1", ["training:write"]);
    await refused(
      call(t, "POST", "/api/v1/courses", { token: engineer, body: { files: testCourseFiles() } }),
      403,
    );
    const hrWithoutScope = await createKey(t, "employee:HR1", ["employees:read"]);
    await refused(
      call(t, "POST", "/api/v1/courses", { token: hrWithoutScope, body: { files: testCourseFiles() } }),
      403,
    );
    const hr = await createKey(t, "employee:HR1", ["training:write"]);
    await ok(call(t, "POST", "/api/v1/courses", { token: hr, body: { files: testCourseFiles() } }), 201);
  });
});

describe("assignment", () => {
  it("assigns a role's courses to active employees on the tick, once, with a notice in working hours", async () => {
    await importCourse();
    clock.advance(12 * 3600_000); // 22:00 in Shanghai: notices wait for 09:00
    await runTrainingJobs(t, "training.assign-by-role");
    await runTrainingJobs(t, "training.assign-by-role");
    const all = await ok<{ assignments: Assignment[] }>(call(t, "GET", "/api/v1/training/assignments"));
    expect(all.assignments.map((a) => a.employeeExternalId).sort()).toEqual(["E1", "E2"]);
    expect(all.assignments[0]).toMatchObject({ reason: "role", status: "open", dueDate: "2026-03-12" });
    const notices = await outboxOf(database, "training.assigned");
    expect(notices.map((n) => n.destination).sort()).toEqual(["person:employee:E1", "person:employee:E2"]);
    expect(new Date(notices[0]?.not_before ?? 0).toISOString()).toBe("2026-03-03T01:00:00.000Z");
    expect(notices[0]?.data).toMatchObject({ courseId: "unit-course", title: { en: "Test course" } });

    // A new hire with the role gets it on the next tick; someone deactivated does not.
    await ok(
      call(t, "PUT", "/api/v1/employees/E3", { body: { name: "New Hire", role: "engineering" } }),
      201,
    );
    await ok(
      call(t, "PUT", "/api/v1/employees/E4", {
        body: { name: "Gone", role: "engineering", status: "deactivated" },
      }),
      201,
    );
    await runTrainingJobs(t, "training.assign-by-role");
    const after = await ok<{ assignments: Assignment[] }>(call(t, "GET", "/api/v1/training/assignments"));
    expect(after.assignments.map((a) => a.employeeExternalId).sort()).toEqual(["E1", "E2", "E3"]);
  });

  it("HR assigns by hand; an open assignment of the same course is returned, not doubled", async () => {
    await importCourse();
    const first = await ok<Assignment>(
      call(t, "POST", "/api/v1/training/assignments", {
        body: { employeeExternalId: "S1", courseId: "unit-course" },
      }),
      201,
    );
    const again = await ok<Assignment>(
      call(t, "POST", "/api/v1/training/assignments", {
        body: { employeeExternalId: "S1", courseId: "unit-course" },
      }),
    );
    expect(again.id).toBe(first.id);
    await refused(
      call(t, "POST", "/api/v1/training/assignments", {
        body: { employeeExternalId: "NOPE", courseId: "unit-course" },
      }),
      404,
    );
    await refused(
      call(t, "POST", "/api/v1/training/assignments", {
        body: { employeeExternalId: "S1", courseId: "no-such-course" },
      }),
      404,
    );
  });
});

describe("quiz attempts", () => {
  it("records the version, takes answers one at a time, passes and issues a verifiable certificate", async () => {
    const { assignment, session } = await assignedToE1();
    const started = await ok<Attempt>(call(t, "POST", attemptsPath(assignment), { session }), 201);
    expect(started).toMatchObject({ number: 1, courseVersion: 1, status: "in-progress" });
    expect(started.questions).toHaveLength(5);
    expect(started.next?.questionId).toBe(started.questions[0]?.questionId);
    // Starting again resumes the same attempt.
    expect((await ok<Attempt>(call(t, "POST", attemptsPath(assignment), { session }))).id).toBe(started.id);
    // A new version does not change an attempt in progress.
    await importCourse(testCourseFiles({ extraQuestion: true }));

    const answered = await answerAll(session, assignment, started, true);
    expect(answered.next).toBeNull();
    const attemptPath = `${attemptsPath(assignment)}/${started.id}`;
    const submitted = await ok<Attempt>(call(t, "POST", `${attemptPath}/submit`, { session, body: {} }));
    expect(submitted).toMatchObject({ status: "submitted", courseVersion: 1 });
    expect(submitted.result).toMatchObject({ score: 100, passed: true, correct: 5, total: 5 });
    const certificate = submitted.result?.certificate;
    expect(certificate?.validThrough).toBe("2027-03-02");

    // The certificate is Baton's JWS over its facts, and its public page says it is valid.
    const verified = await t.services.signer.verify(certificate?.jws ?? "", {
      typ: "baton-training-certificate+jws",
    });
    expect(verified.payload).toMatchObject({
      sub: `training-certificate:${certificate?.id}`,
      employee: "E1",
      courseId: "unit-course",
      courseVersion: 1,
      score: 100,
      validThrough: "2027-03-02",
    });
    const page = await t.request(certificate?.verifyPath ?? "", { headers: { "accept-language": "en" } });
    const html = await page.text();
    expect(page.status).toBe(200);
    expect(html).toContain("Verified");
    expect(html).toContain("training certificate");
    expect(html).toContain("Test course");
    expect(html).toContain("林*");
    expect(html).not.toContain("林一");
    expect(html).toContain("2027-03-02");

    // Submitting again is harmless; different answers or another answer after submission are refused.
    const repeated = await ok<Attempt>(
      call(t, "POST", `${attemptPath}/submit`, { session, body: { answers: answered.answers } }),
    );
    expect(repeated.result).toEqual(submitted.result);
    const changed = Object.fromEntries(started.questions.map((q) => [q.questionId, letters(q, false)]));
    expect(
      (await refused(call(t, "POST", `${attemptPath}/submit`, { session, body: { answers: changed } }), 409))
        .error.message,
    ).toBe("This attempt was submitted; its answers can no longer change.");
    const question = started.questions[0] as ShownQuestion;
    await refused(
      call(t, "POST", `${attemptPath}/answers`, {
        session,
        body: { questionId: question.questionId, choices: letters(question, false) },
      }),
      409,
    );
    expect(await rows(database, sql`select id from training_attempts`)).toHaveLength(1);
    expect(await rows(database, sql`select id from training_certificates`)).toHaveLength(1);
    await refused(call(t, "POST", attemptsPath(assignment), { session }), 409);

    const detail = await ok<{ status: string; certificate: { id: string } }>(
      call(t, "GET", `/api/v1/training/assignments/${assignment.id}`, { session }),
    );
    expect(detail).toMatchObject({ status: "passed", certificate: { id: certificate?.id } });
    expect((await outboxOf(database, "training.certificate.issued"))[0]?.destination).toBe(
      "person:employee:E1",
    );
    // Each answer and the score are evidence (ids and choices, no names).
    expect(await evidenceOf(database, "training.answer.recorded")).toHaveLength(5);
    const scored = await evidenceOf(database, "training.attempt.scored");
    expect(scored[0]?.data).toMatchObject({ score: 100, passed: true, passMark: 80, courseVersion: 1 });
    expect(JSON.stringify(await rows(database, sql`select data from evidence_entries`))).not.toContain(
      "林一",
    );

    // After its last valid day (in the company's time zone) the public page says it has expired.
    clock.advance(Date.parse("2027-03-02T16:00:00Z") - clock.now().getTime());
    const expired = await (
      await t.request(certificate?.verifyPath ?? "", { headers: { "accept-language": "en" } })
    ).text();
    expect(expired).toContain("Expired");
    expect(expired).toContain("was valid only through 2027-03-02");
  });

  it("a new attempt after a new version takes the new version", async () => {
    const { assignment, session } = await assignedToE1();
    const first = await ok<Attempt>(call(t, "POST", attemptsPath(assignment), { session }), 201);
    await answerAll(session, assignment, first, false);
    await ok(call(t, "POST", `${attemptsPath(assignment)}/${first.id}/submit`, { session, body: {} }));
    await importCourse(testCourseFiles({ extraQuestion: true }));
    clock.advance(30 * 60_000);
    const second = await ok<Attempt>(call(t, "POST", attemptsPath(assignment), { session }), 201);
    expect(second).toMatchObject({ number: 2, courseVersion: 2 });
  });

  it("enforces the cool-down and the attempt limit with the injected clock, then tells HR", async () => {
    const { assignment, session } = await assignedToE1();
    const first = await ok<Attempt>(call(t, "POST", attemptsPath(assignment), { session }), 201);
    await answerAll(session, assignment, first, false);
    const failed = await ok<Attempt>(
      call(t, "POST", `${attemptsPath(assignment)}/${first.id}/submit`, { session }),
    );
    expect(failed.result).toMatchObject({ passed: false, score: 0, attemptsLeft: 1, certificate: null });
    expect(failed.result?.nextAttemptAt).toBe("2026-03-02T02:30:00.000Z");

    clock.advance(29 * 60_000);
    const early = await refused(call(t, "POST", attemptsPath(assignment), { session }), 422);
    expect(early.error.details).toEqual({ availableAt: "2026-03-02T02:30:00.000Z" });
    clock.advance(60_000);
    const second = await ok<Attempt>(call(t, "POST", attemptsPath(assignment), { session }), 201);
    // 3 of 5 right (60 %) is below the pass mark of 80.
    let rightOnes = 0;
    await answerAll(session, assignment, second, () => rightOnes++ < 3);
    const last = await ok<Attempt>(
      call(t, "POST", `${attemptsPath(assignment)}/${second.id}/submit`, { session }),
    );
    expect(last.result).toMatchObject({
      passed: false,
      score: 60,
      correct: 3,
      attemptsLeft: 0,
      nextAttemptAt: null,
    });

    clock.advance(3600_000);
    await refused(call(t, "POST", attemptsPath(assignment), { session }), 409);
    expect((await assignmentOf("E1")).status).toBe("failed");
    const alert = await outboxOf(database, "training.failed");
    expect(alert).toHaveLength(1);
    expect(alert[0]).toMatchObject({
      destination: "channel:hr:acme-sh",
      data: { employee: "E1", attempts: 2 },
    });
    expect(await rows(database, sql`select id from training_attempts`)).toHaveLength(2);
  });

  it("refuses an incomplete paper and bad answers, changing nothing", async () => {
    const { assignment, session } = await assignedToE1();
    const attempt = await ok<Attempt>(call(t, "POST", attemptsPath(assignment), { session }), 201);
    const path = `${attemptsPath(assignment)}/${attempt.id}`;
    const incomplete = await refused(call(t, "POST", `${path}/submit`, { session, body: {} }), 422);
    expect(incomplete.error.details).toHaveLength(5);
    const tf = attempt.questions.find((q) => q.type === "true-false") as ShownQuestion;
    await refused(
      call(t, "POST", `${path}/answers`, {
        session,
        body: { questionId: tf.questionId, choices: ["A", "B"] },
      }),
      422,
    );
    await refused(
      call(t, "POST", `${path}/answers`, { session, body: { questionId: tf.questionId, choices: ["Z"] } }),
      422,
    );
    await refused(
      call(t, "POST", `${path}/answers`, { session, body: { questionId: "nope", choices: ["A"] } }),
      422,
    );
    await refused(call(t, "POST", `${path}/answers`, { session, body: { choices: ["A"] } }), 400);
    await refused(
      call(t, "POST", `${attemptsPath(assignment)}/00000000-0000-4000-8000-000000000000/submit`, { session }),
      404,
    );
    await refused(call(t, "POST", "/api/v1/training/assignments/not-an-id/attempts", { session }), 404);
    const view = await ok<Attempt>(call(t, "GET", path, { session }));
    expect(view).toMatchObject({ status: "in-progress", answers: {} });
    expect(await evidenceOf(database, "training.answer.recorded")).toEqual([]);
  });

  it("is for the employee themself or a system acting for them; HR reads but does not answer", async () => {
    const { assignment } = await assignedToE1();
    const other = await login(t, "employee:E2");
    await refused(call(t, "POST", attemptsPath(assignment), { session: other }), 403);
    await refused(call(t, "GET", `/api/v1/training/assignments/${assignment.id}`, { session: other }), 403);
    const hr = await createKey(t, "employee:HR1", ["training:write"]);
    await ok(call(t, "GET", `/api/v1/training/assignments/${assignment.id}`, { token: hr }));
    await refused(call(t, "POST", attemptsPath(assignment), { token: hr }), 403);
    const chat = await createKey(t, "system:chat", ["training:write"]);
    await ok(call(t, "POST", attemptsPath(assignment), { token: chat }), 201);
    const noScope = await createKey(t, "system:chat", ["employees:read"]);
    await refused(call(t, "POST", attemptsPath(assignment), { token: noScope }), 403);
  });
});

describe("lessons through the API", () => {
  it("records the lesson opened and each page read with the seconds between them", async () => {
    const { assignment, session } = await assignedToE1();
    const base = `/api/v1/training/assignments/${assignment.id}/lessons`;
    await refused(call(t, "POST", `${base}/1/pages/1/read`, { session }), 409);
    const opened = await ok<{ title: string; pages: number; page: { text: string } }>(
      call(t, "POST", `${base}/1/open`, { session, headers: { "accept-language": "zh-CN" } }),
    );
    expect(opened).toMatchObject({ title: "开始", pages: 2, page: { number: 1, text: "第一页" } });
    clock.advance(45_000);
    const first = await ok<{ secondsSincePrevious: number; next: unknown }>(
      call(t, "POST", `${base}/1/pages/1/read`, { session }),
    );
    expect(first).toMatchObject({ secondsSincePrevious: 45, next: { kind: "page", lesson: 1, page: 2 } });
    clock.advance(20_000);
    const second = await ok<{ next: unknown }>(call(t, "POST", `${base}/1/pages/2/read`, { session }));
    expect(second.next).toEqual({ kind: "lesson", lesson: 2 });
    await refused(call(t, "POST", `${base}/1/pages/3/read`, { session }), 404);
    await refused(call(t, "POST", `${base}/9/open`, { session }), 404);
    const pages = await evidenceOf(database, "training.lesson.page-read");
    expect(pages.map((p) => p.data.secondsSincePrevious)).toEqual([45, 20]);
    expect(pages[0]?.data.pageHash).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe("the training gate of the offboarding check step", () => {
  const gateInput = () => ({
    employeeExternalId: "E1",
    role: "engineering",
    caseId: "case-1",
    at: clock.now(),
  });

  it("asks for what is missing once, is satisfied by a valid certificate, and not by an expired one", async () => {
    await importCourse();
    const gate = t.services.gates.find((g) => g.name === "training");
    if (!gate?.request) throw new Error("the training gate is not registered");
    expect(await gate.evaluate(gateInput())).toEqual({
      gate: "training",
      satisfied: false,
      items: [{ id: "unit-course", title: "测试课程", satisfied: false }],
    });
    await gate.request(gateInput());
    await gate.request(gateInput());
    const assignment = await assignmentOf("E1");
    expect(assignment).toMatchObject({ reason: "offboarding", status: "open" });
    expect((await outboxOf(database, "training.assigned")).map((n) => n.destination)).toEqual([
      "person:employee:E1",
    ]);

    // With an assignment open already (from hire), the gate nudges once per case.
    await ok(
      call(t, "POST", "/api/v1/training/assignments", {
        body: { employeeExternalId: "E2", courseId: "unit-course" },
      }),
      201,
    );
    const e2 = { ...gateInput(), employeeExternalId: "E2" };
    await gate.request(e2);
    await gate.request(e2);
    const nudges = await outboxOf(database, "training.nudge");
    expect(nudges.map((n) => n.dedupe_key)).toHaveLength(1);

    const session = await login(t, "employee:E1");
    const attempt = await ok<Attempt>(call(t, "POST", attemptsPath(assignment), { session }), 201);
    await answerAll(session, assignment, attempt, true);
    await ok(call(t, "POST", `${attemptsPath(assignment)}/${attempt.id}/submit`, { session }));
    expect(await gate.evaluate(gateInput())).toMatchObject({ satisfied: true, items: [{ satisfied: true }] });

    // Valid through 2027-03-02 (Art. 202); the next day it no longer counts.
    expect((await gate.evaluate({ ...gateInput(), at: new Date("2027-03-02T15:00:00Z") })).satisfied).toBe(
      true,
    );
    expect((await gate.evaluate({ ...gateInput(), at: new Date("2027-03-02T16:00:00Z") })).satisfied).toBe(
      false,
    );
    // An employee without courses for their role has nothing to do.
    expect(await gate.evaluate({ ...gateInput(), employeeExternalId: "S1", role: "sales" })).toEqual({
      gate: "training",
      satisfied: true,
      items: [],
    });
  });
});

describe("recertification and reminders", () => {
  async function passAsE1(): Promise<Assignment> {
    const { assignment, session } = await assignedToE1();
    const attempt = await ok<Attempt>(call(t, "POST", attemptsPath(assignment), { session }), 201);
    await answerAll(session, assignment, attempt, true);
    await ok(call(t, "POST", `${attemptsPath(assignment)}/${attempt.id}/submit`, { session }));
    return assignment;
  }

  it("assigns recertification 30 days before the certificate lapses, once", async () => {
    await passAsE1();
    clock.advance(Date.parse("2027-01-30T02:00:00Z") - clock.now().getTime());
    await runTrainingJobs(t, "training.recertify");
    expect(
      await rows(database, sql`select id from training_assignments where reason = 'recertification'`),
    ).toEqual([]);
    clock.advance(24 * 3600_000); // 2027-01-31: 30 days before 2027-03-02
    await runTrainingJobs(t, "training.recertify");
    await runTrainingJobs(t, "training.recertify");
    const renewals = await rows<{ due_date: string; status: string }>(
      database,
      sql`select due_date::text, status from training_assignments where reason = 'recertification'`,
    );
    expect(renewals).toEqual([{ due_date: "2027-03-02", status: "open" }]);
  });

  it("reminds the day before, on the day and after, in working hours, once a day", async () => {
    const { assignment } = await assignedToE1(); // due 2026-03-12 (Thursday)
    await runTrainingJobs(t, "training.reminders");
    expect(await outboxOf(database, "training.reminder")).toEqual([]);
    clock.advance(Date.parse("2026-03-11T00:30:00Z") - clock.now().getTime()); // 08:30 local: too early
    await runTrainingJobs(t, "training.reminders");
    expect(await outboxOf(database, "training.reminder")).toEqual([]);
    clock.advance(3600_000); // 09:30
    await runTrainingJobs(t, "training.reminders");
    await runTrainingJobs(t, "training.reminders");
    clock.advance(24 * 3600_000); // the due day
    await runTrainingJobs(t, "training.reminders");
    clock.advance(2 * 24 * 3600_000); // Saturday: no reminder
    await runTrainingJobs(t, "training.reminders");
    clock.advance(2 * 24 * 3600_000); // Monday, overdue
    await runTrainingJobs(t, "training.reminders");
    const reminders = (await outboxOf(database, "training.reminder")).filter(
      (r) => r.destination === "person:employee:E1",
    );
    expect(reminders.map((r) => [r.dedupe_key, r.data.reminder])).toEqual([
      [`training.reminder:${assignment.id}:2026-03-11`, "due-tomorrow"],
      [`training.reminder:${assignment.id}:2026-03-12`, "due-today"],
      [`training.reminder:${assignment.id}:2026-03-16`, "overdue"],
    ]);
    // E2 has the same course and due date: one reminder a day each.
    expect(await evidenceOf(database, "training.reminder.queued")).toHaveLength(6);
  });
});

describe("the learning trail and the completion report", () => {
  it("exports an employee's trail as JSON and CSV, and HR's report by department", async () => {
    const { assignment, session } = await assignedToE1();
    await ok(call(t, "POST", `/api/v1/training/assignments/${assignment.id}/lessons/1/open`, { session }));
    clock.advance(30_000);
    await ok(
      call(t, "POST", `/api/v1/training/assignments/${assignment.id}/lessons/1/pages/1/read`, { session }),
    );
    const attempt = await ok<Attempt>(call(t, "POST", attemptsPath(assignment), { session }), 201);
    await answerAll(session, assignment, attempt, true);
    await ok(call(t, "POST", `${attemptsPath(assignment)}/${attempt.id}/submit`, { session }));
    await t.services.chainWriter.runOnce();

    const reader = await createKey(t, "system:audit", ["evidence:read"]);
    const trail = await ok<{
      entries: { action: string; seq: number | null; data: Record<string, unknown> }[];
    }>(call(t, "GET", "/api/v1/employees/E1/learning-trail", { token: reader }));
    expect(trail.entries.map((e) => e.action)).toEqual([
      "training.assigned",
      "training.lesson.opened",
      "training.lesson.page-read",
      "training.attempt.started",
      ...Array(5).fill("training.answer.recorded"),
      "training.attempt.scored",
      "training.certificate.issued",
    ]);
    expect(trail.entries.every((e) => typeof e.seq === "number")).toBe(true);
    expect(trail.entries[2]?.data.secondsSincePrevious).toBe(30);

    const csv = await call(t, "GET", "/api/v1/employees/E1/learning-trail?format=csv", { token: reader });
    expect(csv.headers.get("content-type")).toContain("text/csv");
    const lines = (await csv.text()).trim().split("\r\n");
    expect(lines).toHaveLength(12);
    expect(lines[0]).toMatch(
      /^at,action,actor,courseId,courseVersion,assignmentId,lesson,page,secondsSincePrevious/,
    );
    expect(lines[3]).toContain("training.lesson.page-read,employee:E1,unit-course,1");

    const noScope = await createKey(t, "system:audit", ["training:write"]);
    await refused(call(t, "GET", "/api/v1/employees/E1/learning-trail", { token: noScope }), 403);
    await refused(call(t, "GET", "/api/v1/employees/E1/learning-trail?format=xml", { token: reader }), 400);
    await refused(call(t, "GET", "/api/v1/employees/NOPE/learning-trail", { token: reader }), 404);

    const report = await ok<{ rows: Record<string, unknown>[] }>(
      call(t, "GET", "/api/v1/training/report", { token: reader }),
    );
    expect(report.rows).toEqual([
      {
        department: "Engineering",
        courseId: "unit-course",
        assigned: 2,
        passed: 1,
        open: 1,
        overdue: 0,
        failed: 0,
        certified: 1,
        completionRate: 50,
      },
    ]);
    const reportCsv = await (
      await call(t, "GET", "/api/v1/training/report?format=csv", { token: reader })
    ).text();
    expect(reportCsv).toBe(
      "department,courseId,assigned,passed,open,overdue,failed,certified,completionRate\r\nEngineering,unit-course,2,1,1,0,0,1,50\r\n",
    );
    const employeeKey = await createKey(t, "employee:E2", ["evidence:read"]);
    await refused(call(t, "GET", "/api/v1/training/report", { token: employeeKey }), 403);
  });
});

describe("the demo installation", () => {
  it("seeds the three courses, and the demo people get their role's course on the first tick", async () => {
    await applySeeds(database, [demoOrganisation, demoCourses], {
      master: t.services.keys.encryption,
      now: clock.now(),
    });
    const courses = await ok<{
      courses: { id: string; roles: string[]; lessons: unknown[]; questions: number }[];
    }>(call(t, "GET", "/api/v1/courses"));
    expect(courses.courses.map((c) => [c.id, c.roles])).toEqual([
      ["admin-personnel-data", ["admin"]],
      ["engineering-confidentiality", ["engineering"]],
      ["sales-customer-information", ["sales"]],
    ]);
    await runTrainingJobs(t, "training.assign-by-role");
    const byPerson = async (id: string) => (await assignmentOf(id)).courseId;
    expect(await byPerson("E1101")).toBe("engineering-confidentiality");
    expect(await byPerson("E1201")).toBe("sales-customer-information");
    expect(await byPerson("E1301")).toBe("admin-personnel-data");
  });
});
