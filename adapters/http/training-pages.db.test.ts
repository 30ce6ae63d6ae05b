import { sql } from "drizzle-orm";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Database } from "../../db/client.ts";
import { createTestApp, manualClock, type TestApp } from "../../test/helpers/app.ts";
import { resetDatabase, testDatabase } from "../../test/helpers/db.ts";
import {
  adminToken,
  call,
  evidenceOf,
  issueLink,
  letters,
  login,
  ok,
  origin,
  rows,
  runTrainingJobs,
  type Session,
  type ShownQuestion,
  seedPeople,
  testCourseFiles,
} from "../../test/helpers/training.ts";

let database: Database;
let t: TestApp;
let clock: ReturnType<typeof manualClock>;
let assignmentId: string;
let session: Session;

beforeAll(async () => {
  database = await testDatabase();
});

beforeEach(async () => {
  await resetDatabase(database);
  clock = manualClock(new Date("2026-03-02T02:00:00Z"));
  t = await createTestApp(database, { env: { BATON_ADMIN_TOKEN: adminToken }, clock });
  await t.services.signer.register();
  await seedPeople(t);
  await ok(call(t, "POST", "/api/v1/courses", { body: { files: testCourseFiles() } }), 201);
  await runTrainingJobs(t, "training.assign-by-role");
  const listed = await ok<{ assignments: { id: string }[] }>(
    call(t, "GET", "/api/v1/training/assignments?employee=E1"),
  );
  assignmentId = listed.assignments[0]?.id ?? "";
  session = await login(t, "employee:E1");
});

const page = (path: string, who?: Session) =>
  t.request(path, { headers: { "accept-language": "en", ...(who ? { cookie: who.cookie } : {}) } });

function post(path: string, who: Session | undefined, fields: Record<string, string> = {}, csrf = true) {
  const form = new URLSearchParams({ ...(csrf && who ? { _csrf: who.csrf } : {}), ...fields });
  return t.request(path, {
    method: "POST",
    headers: {
      ...origin,
      "accept-language": "en",
      "content-type": "application/x-www-form-urlencoded",
      ...(who ? { cookie: who.cookie } : {}),
    },
    body: form.toString(),
  });
}

async function entryLink(step: "lesson" | "quiz"): Promise<string> {
  const body = await ok<{ url: string }>(
    call(t, "POST", `/api/v1/training/assignments/${assignmentId}/links`, { session, body: { step } }),
    201,
  );
  return new URL(body.url).pathname;
}

/** Posts a step and follows it: the next link's path. */
async function step(path: string, fields: Record<string, string> = {}): Promise<string> {
  const res = await post(path, session, fields);
  expect(res.status, await res.clone().text()).toBe(303);
  const next = res.headers.get("location") ?? "";
  expect(next).toMatch(/^\/a\/[\w.-]+$/);
  return next;
}

describe("lessons in the browser", () => {
  it("GET shows, POST records once with the session's CSRF token, and each step leads on", async () => {
    const cover = await entryLink("lesson");
    // Without a session, or with someone else's, the page refuses and records nothing.
    expect((await page(cover)).status).toBe(401);
    const other = await login(t, "employee:E2");
    expect((await page(cover, other)).status).toBe(403);
    expect((await post(cover, other)).status).toBe(403);

    const shown = await page(cover, session);
    const html = await shown.text();
    expect(shown.status).toBe(200);
    expect(shown.headers.get("cache-control")).toContain("no-store");
    expect(html).toContain("Start");
    expect(html).toContain("Lesson 1 of 2 in “Test course”, 2 page(s)");
    expect(html).toContain(`name="_csrf" value="${session.csrf}"`);
    // GET never acts; a POST without the CSRF token is refused.
    expect((await post(cover, session, {}, false)).status).toBe(403);
    expect(await evidenceOf(database, "training.lesson.opened")).toEqual([]);

    const page1 = await step(cover);
    expect((await post(cover, session)).status).toBe(409); // a used link
    const first = await (await page(page1, session)).text();
    expect(first).toContain("Page 1 of 2");
    expect(first).toContain("Page one &lt;script&gt;alert(1)&lt;/script&gt;");
    expect(first).not.toContain("<script>");
    clock.advance(40_000);
    const page2 = await step(page1);
    const second = await (await page(page2, session)).text();
    expect(second).toContain("Page two <strong>key</strong>");
    expect(second).toContain("Finish this lesson");
    clock.advance(10_000);
    const lesson2 = await step(page2);
    const lesson2page1 = await step(lesson2);
    const lesson2page2 = await step(lesson2page1);
    expect(await (await page(lesson2page2, session)).text()).toContain("Finish and go to the quiz");
    const quiz = await step(lesson2page2);
    expect(await (await page(quiz, session)).text()).toContain("Quiz: Test course");

    expect((await evidenceOf(database, "training.lesson.opened")).map((e) => e.data.lesson)).toEqual([1, 2]);
    const reads = await evidenceOf(database, "training.lesson.page-read");
    expect(reads.map((e) => [e.data.lesson, e.data.page, e.data.secondsSincePrevious])).toEqual([
      [1, 1, 40],
      [1, 2, 10],
      [2, 1, 0],
      [2, 2, 0],
    ]);
  });

  it("an expired or altered link is refused and changes nothing", async () => {
    const cover = await entryLink("lesson");
    expect((await post(`${cover.slice(0, -3)}abc`, session)).status).toBe(401);
    const short = await issueLink(t, "employee:E1", "training.lesson", { assignmentId, lesson: 1, page: 0 });
    clock.advance(11 * 60_000);
    expect((await page(short, session)).status).toBe(401);
    expect((await post(short, session)).status).toBe(401);
    const wrongLesson = await issueLink(t, "employee:E1", "training.lesson", {
      assignmentId,
      lesson: 9,
      page: 0,
    });
    expect((await page(wrongLesson, session)).status).toBe(404);
    expect((await post(wrongLesson, session)).status).toBe(404);
    expect(await evidenceOf(database, "training.lesson.opened")).toEqual([]);
  });
});

describe("the quiz in the browser", () => {
  async function questionsOfOpenAttempt(): Promise<ShownQuestion[]> {
    const detail = await ok<{ attempts: { id: string }[] }>(
      call(t, "GET", `/api/v1/training/assignments/${assignmentId}`, { session }),
    );
    const attempt = await ok<{ questions: ShownQuestion[] }>(
      call(t, "GET", `/api/v1/training/assignments/${assignmentId}/attempts/${detail.attempts[0]?.id}`, {
        session,
      }),
    );
    return attempt.questions;
  }

  function formOf(questions: ShownQuestion[], right: boolean): Record<string, string> {
    const fields: Record<string, string> = {};
    for (const q of questions) {
      const chosen = letters(q, right);
      if (q.type === "multiple") for (const key of chosen) fields[`q.${q.questionId}.${key}`] = "on";
      else fields[`q.${q.questionId}`] = chosen[0] ?? "";
    }
    return fields;
  }

  it("starts, shows the form, refuses an incomplete one, then submits once and shows the result", async () => {
    const quiz = await entryLink("quiz");
    const intro = await (await page(quiz, session)).text();
    expect(intro).toContain("5 questions");
    expect(intro).toContain("Attempts left: 2 of 2");
    const answers = await step(quiz);
    const form = await (await page(answers, session)).text();
    expect(form).toContain('type="radio"');
    expect(form).toContain('type="checkbox"');
    expect(form).toContain("Choose every correct answer");
    const questions = await questionsOfOpenAttempt();
    const fields = formOf(questions, true);

    // One question left out: 422, and the link still works.
    const missing = Object.fromEntries(Object.entries(fields).filter(([name]) => !name.startsWith("q.t1")));
    const incomplete = await post(answers, session, missing);
    expect(incomplete.status).toBe(422);
    expect(await incomplete.text()).toContain("Answer every question before submitting (1 left).");
    expect(
      await rows(database, sql`select id from training_attempts where submitted_at is not null`),
    ).toEqual([]);

    const done = await post(answers, session, fields);
    const result = await done.text();
    expect(done.status).toBe(200);
    expect(result).toContain("Passed");
    expect(result).toContain("You scored 100% (5 of 5; pass mark 80%)");
    expect(result).toMatch(/href="\/verify\/[\w-]{22}"/);
    expect((await post(answers, session, fields)).status).toBe(409);
    expect(await rows(database, sql`select id from training_certificates`)).toHaveLength(1);
    // The quiz link of a passed course says so.
    expect((await page(await entryLink("quiz"), session)).status).toBe(409);
  });

  it("a failed attempt shows the cool-down; starting again too early is refused on the page", async () => {
    const answers = await step(await entryLink("quiz"));
    const questions = await questionsOfOpenAttempt();
    const failed = await (await post(answers, session, formOf(questions, false))).text();
    expect(failed).toContain("Not passed yet");
    expect(failed).toContain("Attempts left: 1");
    const again = await entryLink("quiz");
    const early = await post(again, session);
    expect(early.status).toBe(422);
    expect(await early.text()).toContain("the next attempt can start at");
    clock.advance(30 * 60_000);
    expect((await post(again, session)).status).toBe(303);
  });

  it("the zh-CN pages come from the catalogue", async () => {
    const quiz = await entryLink("quiz");
    const res = await t.request(quiz, { headers: { cookie: session.cookie, "accept-language": "zh-CN" } });
    const html = await res.text();
    expect(html).toContain("测验：测试课程");
    expect(html).toContain("开始测验");
  });
});
