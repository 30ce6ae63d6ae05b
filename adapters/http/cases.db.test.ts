import { sql } from "drizzle-orm";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { CaseView } from "../../core/offboarding/case.ts";
import type { CheckGate } from "../../core/offboarding/gates.ts";
import type { Database } from "../../db/client.ts";
import { offboardingTickJob } from "../../db/offboarding/tick.ts";
import { manualClock, type TestApp } from "../../test/helpers/app.ts";
import { testDatabase } from "../../test/helpers/db.ts";
import {
  companyTestApp,
  count,
  createKey,
  type ErrorBody,
  evidenceCount,
  outboxRows,
  request,
} from "../../test/helpers/offboarding.ts";
import { offboardingDepsOf } from "./offboarding.ts";

let database: Database;
let t: TestApp;
let clock: ReturnType<typeof manualClock>;
let oa: string;
let hr: string;
let keys: Record<string, string>;

/** Monday 2026-03-02, 10:00 in Shanghai. */
const start = new Date("2026-03-02T02:00:00Z");

const resign = (body: Record<string, unknown>, key: string | null = "k-1", token = oa) =>
  request(t, "POST", "/api/v1/resignations", body, token, key === null ? {} : { "idempotency-key": key });

async function openE1(extra: Record<string, unknown> = {}): Promise<CaseView> {
  const res = await resign(
    { employeeExternalId: "E1", noticeDate: "2026-03-02", ...extra },
    `open-${Math.random()}`,
  );
  expect(res.status).toBe(201);
  return (await res.json()) as CaseView;
}

const complete = (id: string, step: string, body: Record<string, unknown>, token: string) =>
  request(t, "POST", `/api/v1/cases/${id}/steps/${step}/complete`, body, token);

const getCase = async (id: string, token = hr) =>
  (await (await request(t, "GET", `/api/v1/cases/${id}`, undefined, token)).json()) as CaseView;
const stepOf = (view: CaseView, key: string) => view.steps.find((s) => s.key === key);

beforeAll(async () => {
  database = await testDatabase();
});

beforeEach(async () => {
  clock = manualClock(start);
  t = await companyTestApp(database, clock);
  oa = await createKey(t, "system:oa", ["cases:write", "cases:read"]);
  hr = await createKey(t, "employee:HR1", ["cases:write", "cases:read", "cases:admin"]);
  keys = {};
  for (const id of ["HR2", "FIN1", "M1", "M2", "E1", "E2", "E3", "MM"]) {
    keys[id] = await createKey(t, `employee:${id}`, ["cases:write", "cases:read", "cases:admin"]);
  }
});

describe("POST /api/v1/resignations", () => {
  it("opens an Art. 37 case with its dates and the cn-standard steps scheduled", async () => {
    const res = await resign({
      employeeExternalId: "E1",
      noticeDate: "2026-03-02",
      reason: "家庭原因 family",
    });
    expect(res.status).toBe(201);
    const view = (await res.json()) as CaseView;
    expect(view).toMatchObject({
      employeeExternalId: "E1",
      separationType: "resignation",
      article: "LCL Art. 37",
      template: { id: "cn-standard", version: 1 },
      probation: false,
      noticeDate: "2026-03-02",
      legalLastDay: "2026-04-01",
      requestedLastDay: null,
      plannedLastDay: "2026-04-01",
      certificateDue: "2026-04-01",
      transferDue: "2026-04-16",
      transferDueExtended: "2026-04-16",
      status: "open",
    });
    const summary = view.steps.map((s) => [s.key, s.owner, s.status, s.dueDate]);
    expect(summary).toEqual([
      ["apply", "employee:E1", "done", "2026-03-02"],
      ["acknowledge", "employee:M1", "active", "2026-03-03"],
      ["check", "employee:E1", "done", "2026-03-04"],
      ["handover", "employee:M1", "active", "2026-03-05"],
      ["settlement", "group:finance", "pending", "2026-03-09"],
      ["procedures", "group:hr", "pending", "2026-04-01"],
      ["transfer", "group:hr", "pending", "2026-04-16"],
    ]);
    expect(stepOf(view, "check")).toMatchObject({ outcome: "no-gates" });
    expect(stepOf(view, "handover")?.checklist).toEqual({
      documents: false,
      code: false,
      "customer-accounts": false,
      equipment: false,
    });
  });
});

describe("POST /api/v1/resignations: evidence, notifications, idempotency and refusals", () => {
  it("writes the evidence and the first notifications with the case, and keeps the reason only as a hash", async () => {
    const view = await openE1({ reason: "家庭原因 a very private reason" });
    expect(await evidenceCount(database, "case.opened")).toBe(1);
    expect(await evidenceCount(database, "case.check.passed")).toBe(1);
    const rows = await outboxRows(database);
    const kinds = rows.map((r) => `${r.kind} ${r.destination} ${r.urgency}`);
    expect(kinds).toContain("case.opened channel:hr:acme-sh normal");
    expect(kinds).toContain("notice.receipt person:employee:E1 legal");
    expect(kinds).toContain("step.assigned person:employee:M1 normal");
    const receipt = rows.find((r) => r.kind === "notice.receipt");
    expect(receipt?.data).toMatchObject({
      caseId: view.id,
      noticeDate: "2026-03-02",
      legalLastDay: "2026-04-01",
    });
    // Every queued message is itself on the record.
    expect(await evidenceCount(database, "case.notification.queued")).toBe(rows.length);
    const dump = JSON.stringify(
      await database.query(sql`select (select json_agg(c) from cases c) as a, (select json_agg(s) from case_steps s) as b,
        (select json_agg(e) from evidence_entries e) as c, (select json_agg(o) from outbox o) as d`),
    );
    expect(dump).not.toContain("private reason");
    expect(dump).not.toContain("Leaver");
  });

  it("answers the same case for the same key and body, 409 for another body, 400 without a key", async () => {
    const body = { employeeExternalId: "E1", noticeDate: "2026-03-02", requestedLastDay: "2026-04-10" };
    const first = await resign(body, "oa-123");
    expect(first.status).toBe(201);
    const id = ((await first.json()) as CaseView).id;
    const outbox = (await outboxRows(database)).length;
    const evidence = await count(database, sql`select count(*)::int as n from evidence_entries`);
    const again = await resign(
      { requestedLastDay: "2026-04-10", noticeDate: "2026-03-02", employeeExternalId: "E1" },
      "oa-123",
    );
    expect(again.status).toBe(200);
    expect(((await again.json()) as CaseView).id).toBe(id);
    expect((await outboxRows(database)).length).toBe(outbox);
    expect(await count(database, sql`select count(*)::int as n from evidence_entries`)).toBe(evidence);

    const other = await resign({ ...body, requestedLastDay: "2026-04-20" }, "oa-123");
    expect(other.status).toBe(409);
    expect(((await other.json()) as ErrorBody).error.code).toBe("conflict");
    const missing = await resign(body, null);
    expect(missing.status).toBe(400);
    const secondCase = await resign(body, "oa-456");
    expect(secondCase.status).toBe(409);
    expect(((await secondCase.json()) as ErrorBody).error.details).toEqual({ caseId: id });
    expect(await count(database, sql`select count(*)::int as n from cases`)).toBe(1);
  });

  it("two concurrent requests with one key open one case", async () => {
    const body = { employeeExternalId: "E1", noticeDate: "2026-03-02" };
    const answers = await Promise.all([1, 2, 3, 4].map(() => resign(body, "race")));
    expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 200, 201]);
    const ids = await Promise.all(answers.map(async (a) => ((await a.json()) as CaseView).id));
    expect(new Set(ids).size).toBe(1);
    expect(await count(database, sql`select count(*)::int as n from cases`)).toBe(1);
    expect(await evidenceCount(database, "case.opened")).toBe(1);
  });

  it("refuses bad input with 400, broken rules with 422, and the wrong caller with 401/403", async () => {
    const bad = async (body: unknown, status: number, code: string, token = oa) => {
      const res = await resign(body as Record<string, unknown>, `k-${Math.random()}`, token);
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect(((await res.json()) as ErrorBody).error.code).toBe(code);
    };
    await bad({ employeeExternalId: "E1" }, 400, "bad_request");
    await bad({ employeeExternalId: "E1", noticeDate: "2026-02-30" }, 400, "bad_request");
    await bad({ employeeExternalId: "E1", noticeDate: "2026-03-02", extra: 1 }, 400, "bad_request");
    await bad(
      { employeeExternalId: "E1", noticeDate: "2026-03-02", separationType: "quit" },
      400,
      "bad_request",
    );
    await bad({ employeeExternalId: "NOBODY", noticeDate: "2026-03-02" }, 422, "unprocessable");
    await bad({ employeeExternalId: "E1", noticeDate: "2026-03-09" }, 422, "unprocessable");
    await bad(
      { employeeExternalId: "E1", noticeDate: "2026-03-02", separationType: "mutual" },
      422,
      "unprocessable",
    );
    await bad(
      { employeeExternalId: "E1", noticeDate: "2026-03-02", requestedLastDay: "2026-02-01" },
      422,
      "unprocessable",
    );
    // Only HR, a system, or the employee for their own notice.
    await bad({ employeeExternalId: "E1", noticeDate: "2026-03-02" }, 403, "forbidden", keys.M1);
    await bad(
      {
        employeeExternalId: "E1",
        noticeDate: "2026-03-02",
        separationType: "dismissal",
        requestedLastDay: "2026-03-31",
      },
      403,
      "forbidden",
      keys.E1,
    );
    const reader = await createKey(t, "system:hris", ["cases:read"]);
    await bad({ employeeExternalId: "E1", noticeDate: "2026-03-02" }, 403, "forbidden", reader);
    const anonymous = await t.request("/api/v1/resignations", { method: "POST", body: "{}" });
    expect(anonymous.status).toBe(401);
    const broken = await request(t, "POST", "/api/v1/resignations", "{not json", oa, {
      "idempotency-key": "x",
    });
    expect(broken.status).toBe(400);
    expect(await count(database, sql`select count(*)::int as n from cases`)).toBe(0);

    // No template for other jurisdictions yet (DESIGN §1.7: no PRC rules for them).
    await request(t, "PUT", "/api/v1/employees/DE1", {
      name: "Berlin",
      entity: "acme-sh",
      jurisdiction: "DE",
      timeZone: "Europe/Berlin",
    });
    await bad({ employeeExternalId: "DE1", noticeDate: "2026-03-02" }, 422, "unprocessable");

    const own = await resign({ employeeExternalId: "E1", noticeDate: "2026-03-02" }, "mine", keys.E1);
    expect(own.status).toBe(201);
  });

  it("uses cn-probation and the 3-day period in probation; holds the legal day against an earlier request", async () => {
    const probation = await resign({ employeeExternalId: "P1", noticeDate: "2026-03-02" }, "p1");
    const view = (await probation.json()) as CaseView;
    expect(view).toMatchObject({
      probation: true,
      template: { id: "cn-probation" },
      legalLastDay: "2026-03-05",
      plannedLastDay: "2026-03-05",
    });
    expect(view.steps.filter((s) => s.key !== "transfer").every((s) => s.dueDate <= "2026-03-05")).toBe(true);

    const early = await openE1({ requestedLastDay: "2026-03-13" });
    expect(early).toMatchObject({
      requestedLastDay: "2026-03-13",
      plannedLastDay: "2026-04-01",
      earlierDayNeedsAgreement: true,
    });
  });

  it("opens Art. 38 at once, and employer types on the day named", async () => {
    const fault = await resign(
      { employeeExternalId: "E1", noticeDate: "2026-03-02", separationType: "resignation-employer-fault" },
      "f",
    );
    expect(await fault.json()).toMatchObject({
      article: "LCL Art. 38",
      legalLastDay: "2026-03-02",
      plannedLastDay: "2026-03-02",
    });
    const dismissal = await resign(
      {
        employeeExternalId: "E2",
        noticeDate: "2026-03-02",
        separationType: "dismissal",
        requestedLastDay: "2026-04-02",
      },
      "d",
    );
    expect(await dismissal.json()).toMatchObject({ legalLastDay: null, plannedLastDay: "2026-04-02" });
    expect((await outboxRows(database, "notice.receipt")).map((r) => r.destination)).toEqual([
      "person:employee:E1",
    ]);
  });
});

describe("GET /api/v1/cases", () => {
  it("reads a case for its parties and HR, 403 for others, 404 for unknown ids", async () => {
    const view = await openE1();
    for (const token of [hr, oa, keys.E1, keys.M1, keys.FIN1]) {
      expect((await request(t, "GET", `/api/v1/cases/${view.id}`, undefined, token)).status).toBe(200);
    }
    expect((await request(t, "GET", `/api/v1/cases/${view.id}`, undefined, keys.E3)).status).toBe(403);
    expect(
      (await request(t, "GET", "/api/v1/cases/00000000-0000-4000-8000-000000000000", undefined, hr)).status,
    ).toBe(404);
    expect((await request(t, "GET", "/api/v1/cases/not-a-case", undefined, hr)).status).toBe(404);
  });

  it("lists by status; people see only the cases they are part of", async () => {
    const e1 = await openE1();
    await resign({ employeeExternalId: "E3", noticeDate: "2026-03-02" }, "e3");
    const list = async (query: string, token = hr) =>
      (
        (await (await request(t, "GET", `/api/v1/cases${query}`, undefined, token)).json()) as {
          cases: CaseView[];
        }
      ).cases;
    expect((await list("?status=open")).map((c) => c.employeeExternalId)).toHaveLength(2);
    expect(await list("?status=withdrawn")).toEqual([]);
    expect((await list("?status=open&employee=E1")).map((c) => c.id)).toEqual([e1.id]);
    expect((await list("?status=open", keys.M1)).map((c) => c.id)).toEqual([e1.id]);
    expect(await list("", keys.E2)).toEqual([]);
    expect((await request(t, "GET", "/api/v1/cases?status=gone", undefined, hr)).status).toBe(400);
    const page = (await (await request(t, "GET", "/api/v1/cases?limit=1", undefined, hr)).json()) as {
      cases: CaseView[];
      next: string;
    };
    expect(page.cases).toHaveLength(1);
    const rest = await list(`?after=${page.next}`);
    expect(rest).toHaveLength(1);
  });
});

describe("POST /api/v1/cases/:id/steps/:key/complete", () => {
  it("the manager acknowledges and names the receiver; a repeat is harmless", async () => {
    const view = await openE1();
    const res = await complete(view.id, "acknowledge", { data: { receiver: "E2" } }, keys.M1 as string);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { case: CaseView; changed: boolean; capacity: string };
    expect(body).toMatchObject({ changed: true, capacity: "owner" });
    expect(stepOf(body.case, "acknowledge")).toMatchObject({
      status: "done",
      completedBy: "employee:M1",
      outcome: "completed",
    });
    expect(stepOf(body.case, "handover")?.receiver).toBe("employee:E2");
    const toReceiver = await outboxRows(database, "step.assigned");
    expect(toReceiver.find((r) => r.destination === "person:employee:E2")?.data).toMatchObject({
      role: "receiver",
      step: "handover",
    });
    const evidence = await evidenceCount(database, "case.step.completed");

    const again = await complete(view.id, "acknowledge", { data: { receiver: "E3" } }, keys.M1 as string);
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ changed: false });
    expect(await evidenceCount(database, "case.step.completed")).toBe(evidence);
    expect(stepOf(await getCase(view.id), "handover")?.receiver).toBe("employee:E2");
  });

  it("refuses the wrong user with 403 and changes nothing", async () => {
    const view = await openE1();
    const before = await count(database, sql`select count(*)::int as n from evidence_entries`);
    for (const [token, step] of [
      [keys.E3, "acknowledge"],
      [keys.E1, "acknowledge"],
      [keys.FIN1, "handover"],
      [keys.M1, "procedures"],
    ] as const) {
      const res = await complete(view.id, step, { data: { receiver: "E2" } }, token as string);
      expect(res.status, step).toBe(step === "procedures" ? 403 : 403);
    }
    expect(await count(database, sql`select count(*)::int as n from evidence_entries`)).toBe(before);
    expect(stepOf(await getCase(view.id), "acknowledge")?.status).toBe("active");
    // A person's key cannot name another actor; a system key can, and the named person is held to the rules.
    expect(
      (await complete(view.id, "acknowledge", { actor: "M1", data: { receiver: "E2" } }, keys.E3 as string))
        .status,
    ).toBe(403);
    expect(
      (await complete(view.id, "acknowledge", { actor: "E3", data: { receiver: "E2" } }, oa)).status,
    ).toBe(403);
    const asManager = await complete(view.id, "acknowledge", { actor: "M1", data: { receiver: "E2" } }, oa);
    expect(asManager.status).toBe(200);
    expect(await asManager.json()).toMatchObject({
      capacity: "owner",
      case: {
        steps: expect.arrayContaining([
          expect.objectContaining({ key: "acknowledge", completedBy: "employee:M1" }),
        ]),
      },
    });
  });

  it("HR completes on someone's behalf only with a reason, which is kept as a hash", async () => {
    const view = await openE1();
    const without = await complete(view.id, "acknowledge", { data: { receiver: "E2" } }, hr);
    expect(without.status).toBe(422);
    const withReason = await complete(
      view.id,
      "acknowledge",
      { note: "manager on sick leave", data: { receiver: "E2" } },
      hr,
    );
    expect(withReason.status).toBe(200);
    expect(await withReason.json()).toMatchObject({
      capacity: "hr-on-behalf",
      case: {
        steps: expect.arrayContaining([
          expect.objectContaining({ key: "acknowledge", outcome: "on-behalf" }),
        ]),
      },
    });
    const [entry] = await database.query<{ data: Record<string, unknown> }>(
      sql`select data from evidence_entries where action = 'case.step.completed'`,
    );
    expect(entry?.data).toMatchObject({ capacity: "hr-on-behalf", step: "acknowledge" });
    expect(JSON.stringify(entry?.data)).not.toContain("sick leave");
    expect(entry?.data.noteSha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it("409 for a step not started, 404 for an unknown step or case, 422 for bad step data", async () => {
    const view = await openE1();
    const notStarted = await complete(view.id, "settlement", {}, keys.FIN1 as string);
    expect(notStarted.status).toBe(409);
    expect((await complete(view.id, "nope", {}, hr)).status).toBe(404);
    expect((await complete("00000000-0000-4000-8000-000000000000", "acknowledge", {}, hr)).status).toBe(404);
    expect((await complete(view.id, "acknowledge", {}, keys.M1 as string)).status).toBe(422);
    expect(
      (await complete(view.id, "acknowledge", { data: { receiver: "E1" } }, keys.M1 as string)).status,
    ).toBe(422);
    expect(
      (await complete(view.id, "acknowledge", { data: { receiver: "GHOST" } }, keys.M1 as string)).status,
    ).toBe(422);
    expect(
      (await complete(view.id, "handover", { data: { checklist: { moon: true } } }, keys.M1 as string))
        .status,
    ).toBe(422);
    expect((await complete(view.id, "acknowledge", { unknown: 1 }, keys.M1 as string)).status).toBe(400);
    expect(stepOf(await getCase(view.id), "acknowledge")?.status).toBe("active");
  });

  it("runs the whole case: handover with its receiver, settlement by finance's system, procedures, transfer, closed", async () => {
    const view = await openE1();
    await complete(view.id, "acknowledge", { data: { receiver: "E2" } }, keys.M1 as string);
    const received = await complete(view.id, "handover", {}, keys.E2 as string);
    expect(await received.json()).toMatchObject({ changed: true, capacity: "receiver" });
    expect(stepOf(await getCase(view.id), "handover")).toMatchObject({
      status: "active",
      receiverConfirmedAt: expect.any(String),
    });
    const handed = await complete(
      view.id,
      "handover",
      { data: { checklist: { documents: true, code: true } } },
      keys.M1 as string,
    );
    const handedView = ((await handed.json()) as { case: CaseView }).case;
    expect(stepOf(handedView, "handover")?.checklist).toMatchObject({
      documents: true,
      code: true,
      equipment: false,
    });
    expect(stepOf(handedView, "settlement")).toMatchObject({
      status: "active",
      owner: "group:finance",
      startDate: "2026-03-02",
      dueDate: "2026-03-04",
    });

    const financeSystem = await createKey(t, "system:finance", ["cases:write"]);
    expect((await complete(view.id, "settlement", {}, financeSystem)).status).toBe(200);
    expect((await complete(view.id, "procedures", {}, keys.HR2 as string)).status).toBe(200);
    // The transfer starts at termination, not before.
    expect((await complete(view.id, "transfer", {}, keys.HR2 as string)).status).toBe(409);
    clock.advance(30 * 86_400_000 - 2 * 3_600_000); // 2026-04-01 00:00 Shanghai
    await offboardingTickJob(offboardingDepsOf(t.services)).run(clock.now());
    expect(stepOf(await getCase(view.id), "transfer")).toMatchObject({
      status: "active",
      startDate: "2026-04-01",
      dueDate: "2026-04-16",
    });
    const last = await complete(view.id, "transfer", {}, keys.HR2 as string);
    expect(((await last.json()) as { case: CaseView }).case).toMatchObject({
      status: "closed",
      closedAt: expect.any(String),
    });
    expect(await evidenceCount(database, "case.closed")).toBe(1);
    // A repeat on a closed case is still harmless.
    expect((await complete(view.id, "transfer", {}, keys.HR2 as string)).status).toBe(200);
  });

  it("the check reads the gates: it waits and nudges once when they are not met, and passes when they are", async () => {
    let signed = false;
    let requests = 0;
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
    t.services.gates = [gate];
    const view = await openE1();
    const opened = await getCase(view.id);
    expect(stepOf(opened, "check")).toMatchObject({ status: "active" });
    expect(stepOf(opened, "handover")?.status).toBe("pending");
    expect(requests).toBe(1);
    const early = await complete(view.id, "check", {}, keys.E1 as string);
    expect(early.status).toBe(422);
    expect(((await early.json()) as ErrorBody).error.details).toEqual([
      { gate: "agreement", missing: ["nda@1"] },
    ]);
    await offboardingTickJob(offboardingDepsOf(t.services)).run(new Date(clock.now().getTime() + 3_600_000));
    expect(requests).toBe(1);
    signed = true;
    const passed = await complete(view.id, "check", {}, keys.E1 as string);
    expect(passed.status).toBe(200);
    const after = ((await passed.json()) as { case: CaseView }).case;
    expect(stepOf(after, "check")).toMatchObject({ status: "done", outcome: "gates-satisfied" });
    expect(stepOf(after, "handover")?.status).toBe("active");
  });
});

describe("case administration (HR, scope cases:admin)", () => {
  const admin = (id: string, path: string, body: Record<string, unknown>, token = hr, method = "POST") =>
    request(t, method, `/api/v1/cases/${id}/${path}`, body, token);

  it("reassigns a step with a reason: recorded, HR told, the new owner assigned; others get 403 and nothing changes", async () => {
    const view = await openE1();
    const before = await count(database, sql`select count(*)::int as n from evidence_entries`);
    for (const token of [keys.M1, keys.E1, keys.FIN1]) {
      expect(
        (await admin(view.id, "steps/handover/reassign", { owner: "M2", reason: "r" }, token as string))
          .status,
      ).toBe(403);
    }
    const writerOnly = await createKey(t, "employee:HR2", ["cases:write"]);
    expect(
      (await admin(view.id, "steps/handover/reassign", { owner: "M2", reason: "r" }, writerOnly)).status,
    ).toBe(403);
    expect(await count(database, sql`select count(*)::int as n from evidence_entries`)).toBe(before);
    expect((await admin(view.id, "steps/handover/reassign", { owner: "M2" })).status).toBe(400);
    expect((await admin(view.id, "steps/check/reassign", { owner: "M2", reason: "r" })).status).toBe(409);
    expect((await admin(view.id, "steps/apply/reassign", { owner: "M2", reason: "r" })).status).toBe(409);
    expect((await admin(view.id, "steps/handover/reassign", { owner: "E1", reason: "r" })).status).toBe(422);
    expect((await admin(view.id, "steps/nope/reassign", { owner: "M2", reason: "r" })).status).toBe(404);

    const res = await admin(view.id, "steps/handover/reassign", { owner: "M2", reason: "M1 is on leave" });
    expect(res.status).toBe(200);
    expect(stepOf(((await res.json()) as { case: CaseView }).case, "handover")?.owner).toBe("employee:M2");
    const [entry] = await database.query<{ actor: string; data: Record<string, unknown> }>(
      sql`select actor, data from evidence_entries where action = 'case.step.reassigned'`,
    );
    expect(entry).toMatchObject({
      actor: "employee:HR1",
      data: { step: "handover", from: "employee:M1", to: "employee:M2" },
    });
    expect(entry?.data.reasonSha256).toMatch(/^[0-9a-f]{64}$/);
    expect((await outboxRows(database, "case.updated")).map((r) => r.destination)).toEqual([
      "channel:hr:acme-sh",
    ]);
    expect(
      (await outboxRows(database, "step.assigned")).some((r) => r.destination === "person:employee:M2"),
    ).toBe(true);
    expect((await complete(view.id, "handover", {}, keys.M1 as string)).status).toBe(403);
    expect((await admin(view.id, "steps/handover/reassign", { owner: "M2", reason: "again" })).status).toBe(
      200,
    );
    expect(await evidenceCount(database, "case.step.reassigned")).toBe(1);
  });

  it("delegates a step: the delegate may then complete it", async () => {
    const view = await openE1();
    expect(
      (await complete(view.id, "acknowledge", { data: { receiver: "E3" } }, keys.E2 as string)).status,
    ).toBe(403);
    const res = await admin(view.id, "steps/acknowledge/delegate", { to: "E2", reason: "deputy" });
    expect(stepOf(((await res.json()) as { case: CaseView }).case, "acknowledge")?.delegates).toEqual([
      "employee:E2",
    ]);
    const done = await complete(view.id, "acknowledge", { data: { receiver: "E3" } }, keys.E2 as string);
    expect(await done.json()).toMatchObject({ capacity: "delegate" });
  });

  it("holds and resumes; a repeat changes nothing", async () => {
    const view = await openE1();
    const held = await admin(view.id, "hold", { reason: "waiting for legal" });
    expect(await held.json()).toMatchObject({ changed: true, case: { status: "on-hold" } });
    expect(await (await admin(view.id, "hold", { reason: "again" })).json()).toMatchObject({
      changed: false,
    });
    expect(await (await admin(view.id, "resume", { reason: "go" })).json()).toMatchObject({
      case: { status: "open" },
    });
    expect(await evidenceCount(database, "case.held")).toBe(1);
    expect(await evidenceCount(database, "case.resumed")).toBe(1);
  });

  it("withdraws only with the employee's agreement recorded; the steps are cancelled", async () => {
    const view = await openE1();
    const alone = await admin(view.id, "withdraw", { reason: "manager asked" });
    expect(alone.status).toBe(422);
    const agreed = await admin(view.id, "withdraw", {
      reason: "employee changed their mind",
      employeeAgreement: { at: "2026-03-02T03:00:00Z", via: "written", reference: "letter 2026-17" },
    });
    const withdrawn = ((await agreed.json()) as { case: CaseView }).case;
    expect(withdrawn.status).toBe("withdrawn");
    expect(withdrawn.steps.filter((s) => s.status === "cancelled").map((s) => s.key)).toEqual([
      "acknowledge",
      "handover",
      "settlement",
      "procedures",
      "transfer",
    ]);
    const [entry] = await database.query<{ data: Record<string, unknown> }>(
      sql`select data from evidence_entries where action = 'case.withdrawn'`,
    );
    expect(entry?.data.employeeAgreement).toMatchObject({
      via: "written",
      referenceSha256: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    expect((await outboxRows(database, "case.updated")).map((r) => r.destination)).toContain(
      "person:employee:E1",
    );
    expect(
      (await complete(view.id, "acknowledge", { data: { receiver: "E2" } }, keys.M1 as string)).status,
    ).toBe(409);
    // The employee may give notice again afterwards.
    expect((await resign({ employeeExternalId: "E1", noticeDate: "2026-03-02" }, "again")).status).toBe(201);
  });

  it("corrects the notice date: the legal day and the schedule follow, and the employee is told", async () => {
    const view = await openE1();
    const res = await admin(
      view.id,
      "notice-date",
      { noticeDate: "2026-02-27", reason: "the letter arrived on Friday" },
      hr,
      "PUT",
    );
    expect(res.status).toBe(200);
    const corrected = ((await res.json()) as { case: CaseView }).case;
    expect(corrected).toMatchObject({
      noticeDate: "2026-02-27",
      legalLastDay: "2026-03-29",
      plannedLastDay: "2026-03-29",
    });
    // Sunday 03-29: procedures fall on Friday 03-27; nothing after the last day but the transfer.
    expect(stepOf(corrected, "procedures")?.dueDate).toBe("2026-03-27");
    expect(corrected.steps.filter((s) => s.key !== "transfer").every((s) => s.dueDate <= "2026-03-29")).toBe(
      true,
    );
    expect(stepOf(corrected, "transfer")).toMatchObject({ dueDate: "2026-04-13" });
    expect(
      (await outboxRows(database, "case.updated")).find((r) => r.destination === "person:employee:E1")
        ?.urgency,
    ).toBe("legal");
    expect(
      (await admin(view.id, "notice-date", { noticeDate: "2026-03-10", reason: "typo" }, hr, "PUT")).status,
    ).toBe(422);
  });

  it("records an agreed earlier last day: the requested one needs only HR, another needs the employee's agreement", async () => {
    const view = await openE1({ requestedLastDay: "2026-03-13" });
    expect(
      (await admin(view.id, "agreed-last-day", { lastDay: "2026-03-20", reason: "r" }, hr, "PUT")).status,
    ).toBe(422);
    const res = await admin(
      view.id,
      "agreed-last-day",
      { lastDay: "2026-03-13", reason: "both agree" },
      hr,
      "PUT",
    );
    const agreed = ((await res.json()) as { case: CaseView }).case;
    expect(agreed).toMatchObject({
      agreedLastDay: "2026-03-13",
      plannedLastDay: "2026-03-13",
      earlierDayNeedsAgreement: false,
    });
    expect(agreed.steps.filter((s) => s.key !== "transfer").every((s) => s.dueDate <= "2026-03-13")).toBe(
      true,
    );
    expect(stepOf(agreed, "handover")?.dueDate).toBe("2026-03-05");
    const other = await admin(
      view.id,
      "agreed-last-day",
      {
        lastDay: "2026-03-06",
        reason: "moved again",
        employeeAgreement: { at: "2026-03-02T05:00:00+08:00", via: "chat", reference: "msg-991" },
      },
      hr,
      "PUT",
    );
    expect(await other.json()).toMatchObject({
      case: { plannedLastDay: "2026-03-06", certificateDue: "2026-03-06" },
    });
  });

  it("overrides a due date within the case, never after the last day", async () => {
    const view = await openE1();
    expect(
      (await admin(view.id, "steps/handover/due-date", { dueDate: "2026-04-02", reason: "r" }, hr, "PUT"))
        .status,
    ).toBe(422);
    expect(
      (await admin(view.id, "steps/handover/due-date", { dueDate: "2026-03-01", reason: "r" }, hr, "PUT"))
        .status,
    ).toBe(422);
    expect(
      (await admin(view.id, "steps/acknowledge/due-date", { dueDate: "2026-13-01", reason: "r" }, hr, "PUT"))
        .status,
    ).toBe(400);
    const res = await admin(
      view.id,
      "steps/handover/due-date",
      { dueDate: "2026-03-20", reason: "big codebase" },
      hr,
      "PUT",
    );
    expect(stepOf(((await res.json()) as { case: CaseView }).case, "handover")).toMatchObject({
      dueDate: "2026-03-20",
      dueOverridden: true,
    });
    const [entry] = await database.query<{ data: Record<string, unknown> }>(
      sql`select data from evidence_entries where action = 'case.step.due-overridden'`,
    );
    expect(entry?.data).toMatchObject({ step: "handover", from: "2026-03-05", to: "2026-03-20" });
    const transfer = await admin(
      view.id,
      "steps/transfer/due-date",
      { dueDate: "2026-04-10", reason: "early" },
      hr,
      "PUT",
    );
    expect(transfer.status).toBe(200);
    // The transfer may move up to its Art. 203 date, not beyond.
    const late = await admin(
      view.id,
      "steps/transfer/due-date",
      { dueDate: "2026-04-17", reason: "late" },
      hr,
      "PUT",
    );
    expect(late.status).toBe(422);
  });

  it("a system key administers as itself or for a named HR person", async () => {
    const view = await openE1();
    const hris = await createKey(t, "system:hris", ["cases:admin"]);
    expect((await admin(view.id, "hold", { reason: "sync" }, hris)).status).toBe(200);
    expect((await admin(view.id, "resume", { reason: "sync", actor: "M1" }, hris)).status).toBe(403);
    expect((await admin(view.id, "resume", { reason: "sync", actor: "HR2" }, hris)).status).toBe(200);
  });
});

describe("directory changes move open steps (DESIGN §6)", () => {
  const putEmployee = (id: string, body: Record<string, unknown>) =>
    request(t, "PUT", `/api/v1/employees/${id}`, { entity: "acme-sh", ...body });

  it("a new manager takes over the leaver's manager steps, with a record", async () => {
    const view = await openE1();
    const res = await putEmployee("E1", {
      name: "Leaver",
      managerExternalId: "M2",
      role: "engineering",
      hireDate: "2023-01-01",
    });
    expect(res.status).toBe(200);
    const moved = await getCase(view.id);
    expect(stepOf(moved, "acknowledge")?.owner).toBe("employee:M2");
    expect(stepOf(moved, "handover")?.owner).toBe("employee:M2");
    expect(await evidenceCount(database, "case.step.moved")).toBe(2);
    expect(
      (await outboxRows(database, "step.assigned")).some((r) => r.destination === "person:employee:M2"),
    ).toBe(false);
    await offboardingTickJob(offboardingDepsOf(t.services)).run(clock.now());
    expect(
      (await outboxRows(database, "step.assigned")).some((r) => r.destination === "person:employee:M2"),
    ).toBe(true);
  });

  it("a deactivated owner, or one who is leaving, hands their steps on (to HR when the leaver has no other manager)", async () => {
    const view = await openE1();
    const hrAssigned = await request(
      t,
      "POST",
      `/api/v1/cases/${view.id}/steps/procedures/reassign`,
      { owner: "HR2", reason: "r" },
      hr,
    );
    expect(hrAssigned.status).toBe(200);
    await putEmployee("HR2", {
      name: "HR Two",
      managerExternalId: "HR1",
      functions: ["hr"],
      status: "deactivated",
    });
    expect(stepOf(await getCase(view.id), "procedures")?.owner).toBe("group:hr");
    // M1 gives notice: E1's manager steps go to HR (E1 has no other manager).
    expect((await resign({ employeeExternalId: "M1", noticeDate: "2026-03-02" }, "m1")).status).toBe(201);
    const after = await getCase(view.id);
    expect(stepOf(after, "acknowledge")?.owner).toBe("group:hr");
    expect(stepOf(after, "handover")?.owner).toBe("group:hr");
    const [m1Case] = (
      (await (await request(t, "GET", "/api/v1/cases?employee=M1", undefined, hr)).json()) as {
        cases: CaseView[];
      }
    ).cases;
    // M1's own manager steps go to MM.
    expect(stepOf(m1Case as CaseView, "acknowledge")?.owner).toBe("employee:MM");
    expect(await evidenceCount(database, "case.step.moved")).toBe(3);
  });
});

describe("templates", () => {
  it("lists the shipped templates and shows one", async () => {
    const list = (await (await request(t, "GET", "/api/v1/offboarding/templates", undefined, hr)).json()) as {
      templates: { id: string }[];
    };
    expect(list.templates.map((x) => x.id)).toEqual(["cn-standard", "cn-probation"]);
    expect((await request(t, "GET", "/api/v1/offboarding/templates/cn-standard", undefined, hr)).status).toBe(
      200,
    );
    expect((await request(t, "GET", "/api/v1/offboarding/templates/none", undefined, hr)).status).toBe(404);
  });
});
