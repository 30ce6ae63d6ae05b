import { sql } from "drizzle-orm";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { CaseView } from "../../core/offboarding/case.ts";
import type { Database } from "../../db/client.ts";
import type { NonCompeteView } from "../../db/non-competes.ts";
import { manualClock, type TestApp } from "../../test/helpers/app.ts";
import { testDatabase } from "../../test/helpers/db.ts";
import {
  companyTestApp,
  createKey,
  type ErrorBody,
  evidenceCount,
  outboxRows,
  request,
} from "../../test/helpers/offboarding.ts";

let database: Database;
let t: TestApp;
let clock: ReturnType<typeof manualClock>;
let hr: string;
let fin: string;
let caseId: string;

/** Monday 2026-03-02, 10:00 in Shanghai; E1's last day is 2026-04-01. */
const start = new Date("2026-03-02T02:00:00Z");
const at = (isoDate: string) => new Date(`${isoDate}T02:00:00Z`);

const decide = (body: Record<string, unknown>, token = hr) =>
  request(t, "POST", `/api/v1/cases/${caseId}/non-compete`, body, token);
const pay = (id: string, body: Record<string, unknown>, token = fin) =>
  request(t, "POST", `/api/v1/non-competes/${id}/payments`, body, token);
const end = (id: string, body: Record<string, unknown>, token = hr) =>
  request(t, "POST", `/api/v1/non-competes/${id}/end`, body, token);
const tick = () => {
  const job = t.services.tickJobs.find((j) => j.name === "non-compete-payments");
  if (!job) throw new Error("the non-compete job is not registered");
  return job.run(clock.now());
};
const recordCategory = (category: string | null) =>
  request(
    t,
    "PUT",
    "/api/v1/employees/E1/non-compete-category",
    { category, basis: "leads the payments team" },
    hr,
  );

async function enforce(
  body: Record<string, unknown> = { decision: "enforce", months: 24 },
): Promise<NonCompeteView> {
  expect((await recordCategory("senior-technical")).status).toBe(200);
  const res = await decide(body);
  expect(res.status).toBe(201);
  return (await res.json()) as NonCompeteView;
}

beforeAll(async () => {
  database = await testDatabase();
});

beforeEach(async () => {
  clock = manualClock(start);
  t = await companyTestApp(database, clock);
  await request(t, "PUT", "/api/v1/entities/acme-sh", {
    name: "Acme (Shanghai) Ltd.",
    city: "Shanghai",
    wageRates: [{ kind: "minimum_monthly", amountFen: 274_000, effectiveFrom: "2025-07-01" }],
  });
  hr = await createKey(t, "employee:HR1", [
    "cases:write",
    "cases:read",
    "cases:admin",
    "employees:write",
    "employees:read",
  ]);
  fin = await createKey(t, "employee:FIN1", ["cases:write", "cases:read", "employees:write"]);
  await request(t, "PUT", "/api/v1/employees/E1/pay-facts", { averageMonthlyWageFen: 2_000_000 }, fin);
  const res = await request(
    t,
    "POST",
    "/api/v1/resignations",
    { employeeExternalId: "E1", noticeDate: "2026-03-02" },
    hr,
    {
      "idempotency-key": "nc-1",
    },
  );
  expect(res.status).toBe(201);
  caseId = ((await res.json()) as CaseView).id;
});

describe("non-compete at exit (LCL Arts. 23–24, SPC-I Art. 36)", () => {
  it("binds only staff whose Art. 24 category is recorded", async () => {
    const refused = await decide({ decision: "enforce", months: 12 });
    expect(refused.status).toBe(422);
    expect(((await refused.json()) as ErrorBody).error.message).toContain("Art. 24");
    const bad = await request(
      t,
      "PUT",
      "/api/v1/employees/E1/non-compete-category",
      { category: "all-staff" },
      hr,
    );
    expect(bad.status).toBe(400);
    const colleague = await createKey(t, "employee:E2", ["employees:write"]);
    const notHr = await request(
      t,
      "PUT",
      "/api/v1/employees/E1/non-compete-category",
      { category: "senior-manager" },
      colleague,
    );
    expect(notHr.status).toBe(403);
    expect((await recordCategory("senior-technical")).status).toBe(200);
    const read = await request(t, "GET", "/api/v1/employees/E1/non-compete-category", undefined, hr);
    expect(await read.json()).toMatchObject({ category: "senior-technical", recordedBy: "employee:HR1" });
    expect(await evidenceCount(database, "employee.non-compete-category.recorded")).toBe(1);
  });

  it("enforces at most 24 months from the day after the last day, at no less than the default pay", async () => {
    await recordCategory("senior-manager");
    expect((await decide({ decision: "enforce", months: 25 })).status).toBe(422);
    const low = await decide({ decision: "enforce", months: 12, monthlyPayFen: 500_000 });
    expect(low.status).toBe(422);
    // Default: the larger of 30 % of 20,000 yuan and the minimum wage.
    expect(((await low.json()) as ErrorBody).error.message).toContain("¥6000.00");
    expect((await decide({ decision: "enforce", months: 6, startDate: "2026-04-01" })).status).toBe(422);
    expect((await decide({ decision: "enforce", months: 24, startDate: "2026-04-03" })).status).toBe(422);

    const created = await decide({ decision: "enforce", months: 24 });
    expect(created.status).toBe(201);
    const view = (await created.json()) as NonCompeteView;
    expect(view).toMatchObject({
      decision: "enforce",
      status: "active",
      category: "senior-manager",
      months: 24,
      monthlyPayFen: 600_000,
      defaultMonthlyPayFen: 600_000,
      startDate: "2026-04-02",
      endDate: "2028-04-01",
    });
    expect(view.periods).toHaveLength(24);
    expect(view.periods[0]).toMatchObject({
      index: 1,
      from: "2026-04-02",
      to: "2026-05-01",
      month: "2026-05",
      status: "upcoming",
    });

    expect((await decide({ decision: "enforce", months: 24 })).status).toBe(200);
    expect((await decide({ decision: "enforce", months: 12 })).status).toBe(409);
    expect((await decide({ decision: "waive" })).status).toBe(409);
    expect(await evidenceCount(database, "non-compete.enforced")).toBe(1);
    const told = (await outboxRows(database, "non-compete.enforced")).map((r) => r.destination).sort();
    expect(told).toEqual(["channel:finance:acme-sh", "person:employee:E1"]);
  });

  it("records a waiver; nothing is paid on it", async () => {
    const res = await decide({ decision: "waive", reason: "no access to sensitive data" });
    expect(res.status).toBe(201);
    const view = (await res.json()) as NonCompeteView;
    expect(view).toMatchObject({ decision: "waive", status: "waived", periods: [] });
    expect((await pay(view.id, { month: "2026-05", amountFen: 1 })).status).toBe(422);
    expect(await evidenceCount(database, "non-compete.waived")).toBe(1);
  });

  it("is decided by HR, never on their own case, and read by HR, finance and the employee", async () => {
    const e1 = await createKey(t, "employee:E1", ["cases:read", "cases:admin"]);
    const e2 = await createKey(t, "employee:E2", ["cases:read", "cases:admin"]);
    expect((await decide({ decision: "waive" }, e2)).status).toBe(403);
    expect((await decide({ decision: "waive" }, e1)).status).toBe(403);
    await enforce();
    const mine = await request(t, "GET", `/api/v1/cases/${caseId}/non-compete`, undefined, e1);
    expect(mine.status).toBe(200);
    expect((await request(t, "GET", `/api/v1/cases/${caseId}/non-compete`, undefined, e2)).status).toBe(403);
    expect((await request(t, "GET", `/api/v1/cases/${caseId}/non-compete`, undefined, fin)).status).toBe(200);
  });
});

describe("payments after exit (SPC-I Arts. 38–39)", () => {
  it("takes finance's confirmation once per month; another amount for the same month is a conflict", async () => {
    const view = await enforce();
    expect((await pay(view.id, { month: "2026-05", amountFen: 600_000 }, hr)).status).toBe(403);
    expect((await pay(view.id, { month: "2026-04", amountFen: 600_000 })).status).toBe(422);
    const first = await pay(view.id, { month: "2026-05", amountFen: 600_000 });
    expect(first.status).toBe(201);
    expect(((await first.json()) as NonCompeteView).periods[0]).toMatchObject({
      paidFen: 600_000,
      status: "paid",
    });
    expect((await pay(view.id, { month: "2026-05", amountFen: 600_000 })).status).toBe(200);
    expect((await pay(view.id, { month: "2026-05", amountFen: 1 })).status).toBe(409);
    expect((await pay(view.id, { month: "2026-5", amountFen: 1 })).status).toBe(400);
    expect(await evidenceCount(database, "non-compete.payment.confirmed")).toBe(1);
  });

  it("reminds finance once a month, flags three unpaid months to HR and the employee once, then lets the employee end it", async () => {
    const view = await enforce();
    clock.advance(at("2026-04-10").getTime() - clock.now().getTime());
    await tick();
    await tick();
    let reminders = await outboxRows(database, "non-compete.payment-due");
    expect(reminders.map((r) => [r.destination, r.data.month])).toEqual([
      ["channel:finance:acme-sh", "2026-05"],
    ]);
    await pay(view.id, { month: "2026-05", amountFen: 600_000 });

    clock.advance(at("2026-07-02").getTime() - clock.now().getTime());
    expect((await end(view.id, { by: "employee", reason: "unpaid" })).status).toBe(422);
    await tick();
    reminders = await outboxRows(database, "non-compete.payment-due");
    expect(reminders.map((r) => r.data.month)).toEqual(["2026-05", "2026-06", "2026-07", "2026-08"]);
    // 2026-06 and 2026-07 are overdue: two months, not yet three.
    expect(await evidenceCount(database, "non-compete.unpaid-three-months")).toBe(0);

    clock.advance(at("2026-08-02").getTime() - clock.now().getTime());
    await tick();
    await tick();
    expect(await evidenceCount(database, "non-compete.unpaid-three-months")).toBe(1);
    const unpaid = await outboxRows(database, "non-compete.unpaid");
    expect(unpaid.map((r) => [r.destination, r.urgency])).toEqual([
      ["channel:hr:acme-sh", "legal"],
      ["person:employee:E1", "legal"],
    ]);
    const current = (await (
      await request(t, "GET", `/api/v1/non-competes/${view.id}`, undefined, hr)
    ).json()) as NonCompeteView;
    expect(current).toMatchObject({ employeeMayEnd: true, unpaidMonths: 3 });

    const ended = await end(view.id, {
      by: "employee",
      date: "2026-08-02",
      reason: "SPC-I Art. 38 notice received",
    });
    expect(ended.status).toBe(200);
    expect(await ended.json()).toMatchObject({
      status: "ended-by-employee",
      endedOn: "2026-08-02",
      extraCompensationFen: null,
    });
    clock.advance(at("2026-09-05").getTime() - clock.now().getTime());
    await tick();
    expect(
      (await outboxRows(database, "non-compete.payment-due")).filter((r) => r.data.month === "2026-10"),
    ).toEqual([]);
  });

  it("costs the employer three more months when it ends the restriction early (SPC-I Art. 39)", async () => {
    const view = await enforce({ decision: "enforce", months: 6, monthlyPayFen: 700_000 });
    expect((await end(view.id, { by: "employer", date: "2026-03-20", reason: "too early" })).status).toBe(
      422,
    );
    const ended = await end(view.id, {
      by: "employer",
      date: "2026-06-15",
      reason: "the project was cancelled",
    });
    expect(ended.status).toBe(200);
    expect(await ended.json()).toMatchObject({
      status: "ended-by-employer",
      extraCompensationFen: 2_100_000,
    });
    expect((await end(view.id, { by: "employer", reason: "again" })).status).toBe(409);
    const [evidence] = await database.query<{ data: Record<string, unknown> }>(
      sql`select data from evidence_entries where action = 'non-compete.rescinded-by-employer'`,
    );
    expect(evidence?.data).toMatchObject({ extraCompensationFen: 2_100_000, article: "SPC-I Art. 39" });
    expect((await outboxRows(database, "non-compete.ended")).map((r) => r.destination).sort()).toEqual([
      "channel:finance:acme-sh",
      "person:employee:E1",
    ]);
  });

  it("completes after its end date", async () => {
    const view = await enforce({ decision: "enforce", months: 1 });
    clock.advance(at("2026-05-02").getTime() - clock.now().getTime());
    await tick();
    await tick();
    const current = (await (
      await request(t, "GET", `/api/v1/non-competes/${view.id}`, undefined, hr)
    ).json()) as NonCompeteView;
    expect(current.status).toBe("completed");
    expect(await evidenceCount(database, "non-compete.completed")).toBe(1);
  });
});
