import { sql } from "drizzle-orm";
import { beforeAll, beforeEach, expect } from "vitest";
import type { CaseView } from "../../core/offboarding/case.ts";
import type { Database } from "../../db/client.ts";
import { createTestApp, manualClock, type TestApp } from "./app.ts";
import { resetDatabase, testDatabase } from "./db.ts";

/** Helpers for the HR console tests: a small company, sessions, form posts, cases through the API. */

export const adminToken = `adm-${"h".repeat(40)}`;
export const origin = "http://127.0.0.1:8787";
const bearer = { authorization: `Bearer ${adminToken}` };

/** Monday 2026-03-02, 10:00 in Shanghai. */
export const start = new Date("2026-03-02T02:00:00Z");

export type Session = { cookie: string; csrf: string };

export type Console = {
  t: TestApp;
  clock: ReturnType<typeof manualClock>;
  database: Database;
};

export const people: [string, Record<string, unknown>][] = [
  ["CEO", { name: "Chief", functions: [] }],
  ["HR1", { name: "Hui Ren", managerExternalId: "CEO", functions: ["hr"], locale: "en" }],
  ["HR2", { name: "人事二", managerExternalId: "HR1", functions: ["hr"], locale: "zh-CN" }],
  ["FIN1", { name: "Finance One", managerExternalId: "CEO", functions: ["finance"], locale: "en" }],
  ["M1", { name: "Manager One", managerExternalId: "CEO", locale: "en" }],
  ["E1", { name: "Leaver One", managerExternalId: "M1", role: "engineering", locale: "en" }],
  ["E2", { name: "Colleague Two", managerExternalId: "M1", role: "engineering", locale: "en" }],
  ["E3", { name: "Colleague Three", managerExternalId: "M1", role: "sales", locale: "en" }],
];

export async function api(
  t: TestApp,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Response> {
  return t.request(path, {
    method,
    headers: { "content-type": "application/json", ...bearer, ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

export async function apiJson<T>(t: TestApp, method: string, path: string, body?: unknown, status = 200) {
  const res = await api(t, method, path, body);
  const text = await res.text();
  expect(res.status, text).toBe(status);
  return JSON.parse(text) as T;
}

export async function putEmployee(t: TestApp, id: string, body: Record<string, unknown>): Promise<void> {
  const res = await api(t, "PUT", `/api/v1/employees/${id}`, { entity: "acme-sh", ...body });
  expect(res.status, await res.clone().text()).toBeLessThan(300);
}

/** A fresh app over the reset database with the company in it. */
export async function setUp(database: Database): Promise<Console> {
  await resetDatabase(database);
  const clock = manualClock(start);
  const t = await createTestApp(database, { env: { BATON_ADMIN_TOKEN: adminToken }, clock });
  t.services.gates = [];
  const entity = await api(t, "PUT", "/api/v1/entities/acme-sh", {
    name: "Acme (Shanghai) Ltd.",
    city: "Shanghai",
  });
  expect(entity.status).toBe(200);
  const other = await api(t, "PUT", "/api/v1/entities/acme-bj", {
    name: "Acme (Beijing) Ltd.",
    city: "Beijing",
  });
  expect(other.status).toBe(200);
  for (const [id, body] of people) await putEmployee(t, id, body);
  return { t, clock, database };
}

/**
 * The hooks every console test file needs: one test database for the file and, before each test,
 * a fresh app with the company in it (`setUp`), handed to `ready` (which may sign someone in).
 */
export function freshConsoleEachTest(ready: (h: Console) => void | Promise<void>): void {
  let database: Database;
  beforeAll(async () => {
    database = await testDatabase();
  });
  beforeEach(async () => {
    await ready(await setUp(database));
  });
}

/** A session for `principal` through a one-time login link, with its CSRF token. */
export async function login(t: TestApp, principal: string): Promise<Session> {
  const link = await apiJson<{ url: string }>(
    t,
    "POST",
    "/api/v1/admin/links",
    { principal, purpose: "login", ttlSeconds: 600, data: { next: "/hr" } },
    201,
  );
  const res = await t.request(new URL(link.url).pathname, { method: "POST", headers: { origin } });
  expect(res.status).toBe(303);
  const cookie = (res.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
  const me = (await (await t.request("/api/v1/me", { headers: { cookie } })).json()) as { csrfToken: string };
  return { cookie, csrf: me.csrfToken };
}

export function get(t: TestApp, path: string, session?: Session, headers: Record<string, string> = {}) {
  return t.request(path, { headers: { ...(session ? { cookie: session.cookie } : {}), ...headers } });
}

/** Posts a form as a browser on Baton's own page would: cookie, Origin, `_csrf` (unless told otherwise). */
export function post(
  t: TestApp,
  path: string,
  fields: Record<string, string>,
  session?: Session,
  options: { csrf?: string | null; origin?: string | null } = {},
) {
  const body = new URLSearchParams(fields);
  const csrf = options.csrf === undefined ? session?.csrf : options.csrf;
  if (csrf !== null && csrf !== undefined) body.set("_csrf", csrf);
  const from = options.origin === undefined ? origin : options.origin;
  return t.request(path, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      ...(session ? { cookie: session.cookie } : {}),
      ...(from === null ? {} : { origin: from }),
    },
    body: body.toString(),
  });
}

let opened = 0;

/** Opens a case through the REST API (as the admin token, a system). */
export async function openCase(
  t: TestApp,
  employeeExternalId: string,
  extra: Record<string, unknown> = {},
): Promise<CaseView> {
  opened += 1;
  const res = await api(
    t,
    "POST",
    "/api/v1/resignations",
    { employeeExternalId, noticeDate: "2026-03-02", ...extra },
    { "idempotency-key": `hr-console-${opened}-${Math.random()}` },
  );
  const text = await res.text();
  expect(res.status, text).toBe(201);
  return JSON.parse(text) as CaseView;
}

export const getCase = (t: TestApp, id: string) => apiJson<CaseView>(t, "GET", `/api/v1/cases/${id}`);

export async function evidence(database: Database, action: string) {
  return database.query<{ actor: string; subject: string; data: Record<string, unknown> }>(
    sql`select actor, subject, data from evidence_entries where action = ${action} order by ingest`,
  );
}

/** The page's text without tags, whitespace folded (what a person reads). */
export function textOf(html: string): string {
  return html
    .replace(/<style[\s\S]*?<\/style>/g, " ")
    .replace(/<[^>]+>/g, " ")
    .replace(/&amp;/g, "&")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/\s+/g, " ");
}
