import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CaseView } from "../../core/offboarding/case.ts";
import { type Database, openDatabase } from "../../db/client.ts";
import { requestConnectorCalls } from "../../db/connectors.ts";
import { migrate } from "../../db/migrate.ts";
import { runNonCompeteTick } from "../../db/non-competes.ts";
import { newWebhookSecret } from "../../test/fakes/connector-system.ts";
import { createTestApp, manualClock, type TestApp } from "../../test/helpers/app.ts";
import { createPostgresDatabase } from "../../test/helpers/db.ts";
import { adminToken, count, createKey, request, seedCompany } from "../../test/helpers/offboarding.ts";

/** Two instances on one PostgreSQL: the monthly job and the connector requests act once. */
let one: Database;
let two: Database;
let t: TestApp;
let caseId: string;
const clock = manualClock(new Date("2026-03-02T02:00:00Z"));

beforeAll(async () => {
  const url = await createPostgresDatabase();
  one = await openDatabase({ kind: "postgres", url, max: 5 });
  two = await openDatabase({ kind: "postgres", url, max: 5 });
  await migrate(one);
  t = await createTestApp(one, {
    clock,
    env: {
      BATON_ADMIN_TOKEN: adminToken,
      CONNECTOR_CRM_URL: "http://127.0.0.1:9/crm",
      CONNECTOR_CRM_SECRET: newWebhookSecret(),
    },
  });
  t.services.gates = [];
  await seedCompany(t);
  await request(t, "PUT", "/api/v1/entities/acme-sh", {
    name: "Acme (Shanghai) Ltd.",
    city: "Shanghai",
    wageRates: [{ kind: "minimum_monthly", amountFen: 274_000, effectiveFrom: "2025-07-01" }],
  });
  const hr = await createKey(t, "employee:HR1", [
    "cases:write",
    "cases:read",
    "cases:admin",
    "employees:write",
  ]);
  await request(t, "PUT", "/api/v1/employees/E1/pay-facts", { averageMonthlyWageFen: 2_000_000 }, hr);
  await request(t, "PUT", "/api/v1/employees/E1/non-compete-category", { category: "senior-technical" }, hr);
  const opened = await request(
    t,
    "POST",
    "/api/v1/resignations",
    { employeeExternalId: "E1", noticeDate: "2026-03-02" },
    hr,
    {
      "idempotency-key": "pg-1",
    },
  );
  caseId = ((await opened.json()) as CaseView).id;
  const decided = await request(
    t,
    "POST",
    `/api/v1/cases/${caseId}/non-compete`,
    { decision: "enforce", months: 12 },
    hr,
  );
  expect(decided.status).toBe(201);
});

afterAll(async () => {
  await one.close();
  await two.close();
});

describe("on two instances", () => {
  it("reminds finance once per month and flags three unpaid months once", async () => {
    const now = new Date("2026-08-02T02:00:00Z");
    await Promise.all(
      Array.from({ length: 6 }, (_, i) => runNonCompeteTick((i % 2 === 0 ? one : two).db, now)),
    );
    const reminders = await one.query<{ month: string }>(
      sql`select data->>'month' as month from outbox where kind = 'non-compete.payment-due' order by 1`,
    );
    expect(reminders.map((r) => r.month)).toEqual(["2026-05", "2026-06", "2026-07", "2026-08", "2026-09"]);
    expect(
      await count(
        one,
        sql`select count(*)::int as n from evidence_entries where action = 'non-compete.unpaid-three-months'`,
      ),
    ).toBe(1);
    expect(
      await count(one, sql`select count(*)::int as n from outbox where kind = 'non-compete.unpaid'`),
    ).toBe(2);
  });

  it("queues the CRM call of a started handover once", async () => {
    const now = new Date("2026-03-02T03:00:00Z");
    const made = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        requestConnectorCalls((i % 2 === 0 ? one : two).db, { systems: ["crm"], now }),
      ),
    );
    expect(made.reduce((a, b) => a + b, 0)).toBe(1);
    expect(
      await count(one, sql`select count(*)::int as n from outbox where kind = 'connector.crm.handover'`),
    ).toBe(1);
    expect(
      await count(
        one,
        sql`select count(*)::int as n from evidence_entries where action = 'connector.request.queued'`,
      ),
    ).toBe(1);
  });
});
