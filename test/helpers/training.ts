import { sql } from "drizzle-orm";
import { expect } from "vitest";
import type { Database } from "../../db/client.ts";
import type { TestApp } from "./app.ts";

/** Helpers for the training tests: a small course whose right answers the test knows, people, sessions. */

export const adminToken = `adm-${"t".repeat(40)}`;
export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
export type ErrorBody = { error: { code: string; message: string; details?: unknown } };

/**
 * A course of four true/false questions (right answer: "A" = True for `t*`, "B" = False for `f*`)
 * and one multiple choice whose right options say "right". Two lessons of two pages each.
 */
export function testCourseFiles(
  overrides: { course?: string; extraQuestion?: boolean } = {},
): Record<string, string> {
  return {
    "course.yaml":
      overrides.course ??
      `id: unit-course
title: { zh: 测试课程, en: Test course }
roles: [engineering]
validityMonths: 12
passMark: 80
attemptLimit: 2
coolDownMinutes: 30
questionsPerAttempt: 5
dueDays: 10
`,
    "questions.yaml": `questions:
  - { id: t1, type: true-false, prompt: { zh: 真一, en: True one }, answer: true }
  - { id: t2, type: true-false, prompt: { zh: 真二, en: True two }, answer: true }
  - { id: f1, type: true-false, prompt: { zh: 假一, en: False one }, answer: false }
  - { id: f2, type: true-false, prompt: { zh: 假二, en: False two }, answer: false }
  - id: m1
    type: multiple
    prompt: { zh: 多选, en: Pick the right ones }
    options:
      - { zh: 对一, en: right one, correct: true }
      - { zh: 错, en: wrong, correct: false }
      - { zh: 对二, en: right two, correct: true }
${overrides.extraQuestion ? "  - { id: t3, type: true-false, prompt: { zh: 真三, en: True three }, answer: true }\n" : ""}`,
    "lessons/01-start.zh.md": "# 开始\n\n第一页\n\n---\n\n第二页 **要点**\n",
    "lessons/01-start.en.md": "# Start\n\nPage one <script>alert(1)</script>\n\n---\n\nPage two **key**\n",
    "lessons/02-end.zh.md": "# 结束\n\n第一页\n\n---\n\n- 第二页\n",
    "lessons/02-end.en.md": "# End\n\nLast lesson, page one\n\n---\n\n- Last page\n",
  };
}

export type ShownQuestion = {
  questionId: string;
  type: string;
  options: { key: string; text: string }[];
};

/** The letters that answer a test-course question rightly (or wrongly). */
export function letters(question: ShownQuestion, right = true): string[] {
  if (question.type === "true-false") {
    const truthy = question.questionId.startsWith("t");
    return [truthy === right ? "A" : "B"];
  }
  const correct = question.options
    .filter((o) => o.text.startsWith("right") || o.text.startsWith("对"))
    .map((o) => o.key);
  return right ? correct : question.options.filter((o) => !correct.includes(o.key)).map((o) => o.key);
}

export async function call(
  t: TestApp,
  method: string,
  path: string,
  options: { body?: unknown; token?: string; session?: Session; headers?: Record<string, string> } = {},
): Promise<Response> {
  const headers: Record<string, string> = { "accept-language": "en", ...options.headers };
  if (options.body !== undefined) headers["content-type"] = "application/json";
  if (options.session) {
    headers.cookie = options.session.cookie;
    headers["x-csrf-token"] = options.session.csrf;
  } else {
    Object.assign(headers, bearer(options.token ?? adminToken));
  }
  return t.request(path, {
    method,
    headers,
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
}

export async function ok<T>(response: Promise<Response> | Response, status = 200): Promise<T> {
  const res = await response;
  const text = await res.text();
  expect(res.status, text).toBe(status);
  return JSON.parse(text) as T;
}

export async function refused(response: Promise<Response> | Response, status: number): Promise<ErrorBody> {
  const res = await response;
  const text = await res.text();
  expect(res.status, text).toBe(status);
  return JSON.parse(text) as ErrorBody;
}

export async function createKey(t: TestApp, principal: string, scopes: string[]): Promise<string> {
  const body = await ok<{ key: string }>(
    call(t, "POST", "/api/v1/admin/api-keys", { body: { name: "training test", principal, scopes } }),
    201,
  );
  return body.key;
}

/** An entity, HR, two engineers and a salesperson. */
export async function seedPeople(t: TestApp): Promise<void> {
  await ok(call(t, "PUT", "/api/v1/entities/acme-sh", { body: { name: "Acme", city: "Shanghai" } }));
  const people: [string, Record<string, unknown>][] = [
    ["HR1", { name: "Hui Ren", functions: ["hr"], department: "HR", role: "admin" }],
    ["E1", { name: "林一", department: "Engineering", role: "engineering", locale: "zh-CN" }],
    ["E2", { name: "Eric Two", department: "Engineering", role: "engineering", locale: "en" }],
    ["S1", { name: "Sam Sales", department: "Sales", role: "sales", locale: "en" }],
  ];
  for (const [id, body] of people) {
    await ok(call(t, "PUT", `/api/v1/employees/${id}`, { body: { entity: "acme-sh", ...body } }), 201);
  }
}

export type Session = { cookie: string; csrf: string };

export async function issueLink(
  t: TestApp,
  principal: string,
  purpose: string,
  data?: object,
): Promise<string> {
  const body = await ok<{ url: string }>(
    call(t, "POST", "/api/v1/admin/links", {
      body: { principal, purpose, ttlSeconds: 600, ...(data ? { data } : {}) },
    }),
    201,
  );
  return new URL(body.url).pathname;
}

export const origin = { origin: "http://127.0.0.1:8787" };

export async function login(t: TestApp, principal: string): Promise<Session> {
  const path = await issueLink(t, principal, "login", { next: "/api/v1/me" });
  const res = await t.request(path, { method: "POST", headers: origin });
  expect(res.status).toBe(303);
  const cookie = (res.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
  const me = (await (await t.request("/api/v1/me", { headers: { cookie } })).json()) as { csrfToken: string };
  return { cookie, csrf: me.csrfToken };
}

export async function runTrainingJobs(t: TestApp, name?: string): Promise<void> {
  const jobs = t.services.tickJobs.filter((j) => (name ? j.name === name : j.name.startsWith("training.")));
  expect(jobs.length).toBeGreaterThan(0);
  for (const job of jobs) await job.run(t.services.clock.now());
}

export async function rows<T extends Record<string, unknown>>(
  database: Database,
  query: ReturnType<typeof sql>,
) {
  return database.query<T>(query);
}

export const outboxOf = (database: Database, kind: string) =>
  rows<{
    kind: string;
    destination: string;
    dedupe_key: string;
    not_before: Date;
    data: Record<string, unknown>;
  }>(
    database,
    sql`select kind, destination, dedupe_key, not_before, data from outbox where kind = ${kind} order by id`,
  );

export const evidenceOf = (database: Database, action: string) =>
  rows<{ action: string; subject: string; data: Record<string, unknown> }>(
    database,
    sql`select action, subject, data from evidence_entries where action = ${action} order by ingest`,
  );
