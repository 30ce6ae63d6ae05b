import { sql } from "drizzle-orm";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { offboardingDepsOf } from "../../adapters/http/offboarding.ts";
import { createCnCalendar } from "../../core/compliance/cn-calendar.ts";
import { dateInTimeZone } from "../../core/compliance/dates.ts";
import type { CaseView } from "../../core/offboarding/case.ts";
import type { CheckGate } from "../../core/offboarding/gates.ts";
import { createTestApp, manualClock, type TestApp } from "../../test/helpers/app.ts";
import { resetDatabase, testDatabase } from "../../test/helpers/db.ts";
import {
  adminToken,
  count,
  createKey,
  evidenceCount,
  outboxRows,
  request,
  seedCompany,
} from "../../test/helpers/offboarding.ts";
import type { Database } from "../client.ts";
import { offboardingTickJob } from "./tick.ts";

let database: Database;
let t: TestApp;
let requests: number;
let signed: boolean;

const gate: CheckGate = {
  name: "agreement",
  evaluate: async () => ({
    gate: "agreement",
    satisfied: signed,
    items: [{ id: "nda@1", title: "NDA", satisfied: signed }],
  }),
  request: async () => {
    requests++;
  },
};

beforeAll(async () => {
  database = await testDatabase();
});

beforeEach(async () => {
  await resetDatabase(database);
  t = await createTestApp(database, {
    env: { BATON_ADMIN_TOKEN: adminToken },
    clock: manualClock(new Date("2026-03-02T02:00:00Z")),
  });
  requests = 0;
  signed = false;
  t.services.gates = [gate];
  await seedCompany(t);
});

async function openE1(): Promise<CaseView> {
  const oa = await createKey(t, "system:oa", ["cases:write"]);
  const res = await request(
    t,
    "POST",
    "/api/v1/resignations",
    { employeeExternalId: "E1", noticeDate: "2026-03-02" },
    oa,
    {
      "idempotency-key": "tick",
    },
  );
  expect(res.status).toBe(201);
  return (await res.json()) as CaseView;
}

const caseOf = async (id: string) =>
  (await (await request(t, "GET", `/api/v1/cases/${id}`)).json()) as CaseView;

describe("the offboarding tick", () => {
  it("over a whole notice period: steps start on time, reminders and escalations go once, the last day records exceptions", async () => {
    const view = await openE1();
    expect(requests).toBe(1);
    const job = offboardingTickJob(offboardingDepsOf(t.services));
    // Every two hours for five weeks, each tick run twice (a retry, a second instance).
    for (
      let at = Date.parse("2026-03-02T04:00:00Z");
      at <= Date.parse("2026-04-03T00:00:00Z");
      at += 2 * 3_600_000
    ) {
      await job.run(new Date(at));
      const rows = (await outboxRows(database)).length;
      await job.run(new Date(at));
      expect((await outboxRows(database)).length).toBe(rows);
    }
    const after = await caseOf(view.id);
    // The check never passed (nothing signed): handover started on its due date all the same.
    expect(after.steps.find((s) => s.key === "handover")).toMatchObject({
      startDate: "2026-03-04",
      dueDate: "2026-03-09",
    });
    expect(after.steps.find((s) => s.key === "check")).toMatchObject({
      status: "done",
      outcome: "exception",
    });
    expect(after.steps.find((s) => s.key === "transfer")).toMatchObject({
      status: "active",
      startDate: "2026-04-01",
    });
    expect(after).toMatchObject({
      plannedLastDay: "2026-04-01",
      certificateDue: "2026-04-01",
      exceptionsRecordedAt: expect.any(String),
    });
    expect(requests).toBe(1);

    const exceptions = await outboxRows(database, "case.exception");
    expect(exceptions).toHaveLength(1);
    expect(exceptions[0]).toMatchObject({ destination: "channel:hr:acme-sh", urgency: "legal" });
    expect(exceptions[0]?.data).toMatchObject({ gates: ["agreement"], plannedLastDay: "2026-04-01" });
    expect(await evidenceCount(database, "case.exception.recorded")).toBe(1);

    const escalations = await outboxRows(database, "step.escalated");
    const ack = escalations.filter((r) => r.data.step === "acknowledge").map((r) => r.destination);
    expect(ack).toEqual(["person:employee:MM", "channel:hr:acme-sh"]);
    // Acknowledge was due Tue 03-03: the day itself, then each working day after (never twice a day).
    const ackReminders = (await outboxRows(database))
      .filter(
        (r) => r.data.step === "acknowledge" && r.kind !== "step.assigned" && r.kind !== "step.escalated",
      )
      .map((r) => `${r.kind}:${r.dedupe_key.split(":").at(-1)}`);
    expect(ackReminders.slice(0, 4)).toEqual([
      "step.due:2026-03-03",
      "step.overdue:2026-03-04",
      "step.overdue:2026-03-05",
      "step.overdue:2026-03-06",
    ]);
    expect(ackReminders).not.toContain("step.overdue:2026-03-07");
    expect(new Set(ackReminders).size).toBe(ackReminders.length);

    // Messages to people arrive in working hours on working days, unless about a legal deadline.
    const cn = createCnCalendar();
    for (const row of await outboxRows(database)) {
      if (!row.destination.startsWith("person:") || row.urgency === "legal") continue;
      const local = new Date(row.not_before);
      const hour = Number(
        new Intl.DateTimeFormat("en-GB", {
          timeZone: "Asia/Shanghai",
          hour: "2-digit",
          hourCycle: "h23",
        }).format(local),
      );
      expect(hour >= 9 && hour < 19, `${row.kind} ${row.not_before}`).toBe(true);
      expect(cn.isWorkingDay(dateInTimeZone(local, "Asia/Shanghai")).workingDay).toBe(true);
    }
    // Every queued message is on the record exactly once.
    expect(await evidenceCount(database, "case.notification.queued")).toBe(
      (await outboxRows(database)).length,
    );
  });

  it("passes the check once the gates are met, read again by the tick", async () => {
    const view = await openE1();
    const job = offboardingTickJob(offboardingDepsOf(t.services));
    await job.run(new Date("2026-03-02T03:00:00Z"));
    expect((await caseOf(view.id)).steps.find((s) => s.key === "check")?.status).toBe("active");
    signed = true;
    await job.run(new Date("2026-03-02T03:11:00Z"));
    const after = await caseOf(view.id);
    expect(after.steps.find((s) => s.key === "check")).toMatchObject({
      status: "done",
      outcome: "gates-satisfied",
    });
    expect(after.steps.find((s) => s.key === "handover")).toMatchObject({
      status: "active",
      startDate: "2026-03-02",
    });
  });

  it("looks only at cases with something due", async () => {
    await openE1();
    const job = offboardingTickJob(offboardingDepsOf(t.services));
    await job.run(new Date("2026-03-02T03:00:00Z"));
    const rows = await count(database, sql`select count(*)::int as n from evidence_entries`);
    // Nothing is due before the next gate check or the next morning.
    await job.run(new Date("2026-03-02T03:05:00Z"));
    expect(await count(database, sql`select count(*)::int as n from evidence_entries`)).toBe(rows);
  });
});
