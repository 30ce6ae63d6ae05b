import { sql } from "drizzle-orm";
import { expect } from "vitest";
import type { Clock } from "../../core/ports.ts";
import type { Database } from "../../db/client.ts";
import { demoAgreement } from "../../db/seeds/demo-agreement.ts";
import { applySeeds } from "../../db/seeds/seed.ts";
import { createTestApp, manualClock, type TestApp } from "./app.ts";
import { resetDatabase } from "./db.ts";

export const adminToken = `adm-${"o".repeat(40)}`;
export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

export type ErrorBody = { error: { code: string; message: string; details?: unknown } };

/** A small company for offboarding tests: HR, finance, a manager chain and colleagues. */
export const people: [string, Record<string, unknown>][] = [
  ["CEO", { name: "CEO", functions: [] }],
  ["HR1", { name: "HR One", managerExternalId: "CEO", functions: ["hr"] }],
  ["HR2", { name: "HR Two", managerExternalId: "HR1", functions: ["hr"] }],
  ["FIN1", { name: "Finance One", managerExternalId: "CEO", functions: ["finance"] }],
  ["MM", { name: "Skip Manager", managerExternalId: "CEO" }],
  ["M1", { name: "Manager One", managerExternalId: "MM" }],
  ["M2", { name: "Manager Two", managerExternalId: "MM" }],
  ["E1", { name: "Leaver", managerExternalId: "M1", role: "engineering", hireDate: "2023-01-01" }],
  ["E2", { name: "Colleague", managerExternalId: "M1", role: "engineering" }],
  ["E3", { name: "Another", managerExternalId: "M2", role: "sales" }],
  [
    "P1",
    { name: "On Probation", managerExternalId: "M1", hireDate: "2026-02-01", probationEndDate: "2026-07-31" },
  ],
];

export async function request(
  t: TestApp,
  method: string,
  path: string,
  body?: unknown,
  token = adminToken,
  headers: Record<string, string> = {},
) {
  return t.request(path, {
    method,
    headers: { "content-type": "application/json", ...bearer(token), ...headers },
    ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
  });
}

export async function createKey(t: TestApp, principal: string, scopes: string[]): Promise<string> {
  const res = await request(t, "POST", "/api/v1/admin/api-keys", {
    name: "offboarding test",
    principal,
    scopes,
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { key: string }).key;
}

export async function seedCompany(t: TestApp): Promise<void> {
  const entity = await request(t, "PUT", "/api/v1/entities/acme-sh", {
    name: "Acme (Shanghai) Ltd.",
    city: "Shanghai",
  });
  expect(entity.status).toBe(200);
  for (const [id, body] of people) {
    const res = await request(t, "PUT", `/api/v1/employees/${id}`, { entity: "acme-sh", ...body });
    expect(res.status, `employee ${id}`).toBe(201);
  }
}

export async function count(database: Database, query: ReturnType<typeof sql>): Promise<number> {
  const rows = await database.query<{ n: number }>(query);
  return Number(rows[0]?.n ?? 0);
}

export const evidenceCount = (database: Database, action: string) =>
  count(database, sql`select count(*)::int as n from evidence_entries where action = ${action}`);

export const outboxRows = (database: Database, kind?: string) =>
  database.query<{
    kind: string;
    destination: string;
    dedupe_key: string;
    urgency: string;
    not_before: Date;
    data: Record<string, unknown>;
  }>(
    kind
      ? sql`select kind, destination, dedupe_key, urgency, not_before, data from outbox where kind = ${kind} order by id`
      : sql`select kind, destination, dedupe_key, urgency, not_before, data from outbox order by id`,
  );

/**
 * The usual start of an offboarding test: an empty database, the app with the admin token on
 * `clock` (Monday 2026-03-02, 10:00 in Shanghai unless given), no check gates, and the company.
 */
export async function companyTestApp(
  database: Database,
  clock: Clock = manualClock(new Date("2026-03-02T02:00:00Z")),
): Promise<TestApp> {
  await resetDatabase(database);
  const t = await createTestApp(database, { env: { BATON_ADMIN_TOKEN: adminToken }, clock });
  t.services.gates = [];
  await seedCompany(t);
  return t;
}

/**
 * The people of a whole-flow test on one chat platform, as an admin sets them up: the leaver (E1,
 * with what the certificate needs), the manager, finance and HR, in English, each linked to their
 * platform id (never matched by e-mail); then the demo confidentiality agreement.
 */
export async function seedFlowPeople(
  t: TestApp,
  database: Database,
  platform: "slack" | "lark" | "dingtalk",
  ids: Record<"E1" | "M1" | "FIN1" | "HR1", string>,
): Promise<void> {
  const bodies = Object.fromEntries(people);
  const leaver = {
    idNumber: "310101199001011234",
    position: "Engineer",
    contractType: "open-ended",
    contractStartDate: "2023-01-01",
  };
  for (const [employee, id] of Object.entries(ids)) {
    const res = await request(t, "PUT", `/api/v1/employees/${employee}`, {
      entity: "acme-sh",
      ...bodies[employee],
      ...(employee === "E1" ? leaver : {}),
      locale: "en",
      identities: { [platform]: id },
    });
    expect(res.status, await res.clone().text()).toBe(200);
  }
  await applySeeds(database, [demoAgreement], {
    master: t.services.keys.encryption,
    now: t.services.clock.now(),
  });
}
