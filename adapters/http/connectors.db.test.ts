import { sql } from "drizzle-orm";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { CaseView } from "../../core/offboarding/case.ts";
import type { Database } from "../../db/client.ts";
import { type FakeSystem, newWebhookSecret, startFakeSystem } from "../../test/fakes/connector-system.ts";
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
import { signWebhook } from "../connectors/standard-webhooks.ts";
import { connectorSender } from "../connectors/system-sender.ts";

let database: Database;
let t: TestApp;
let clock: ReturnType<typeof manualClock>;
let crm: FakeSystem;
let finance: FakeSystem;
let hr: string;
let m1: string;

const secrets = { oa: newWebhookSecret(), crm: newWebhookSecret(), finance: newWebhookSecret() };
/** Monday 2026-03-02, 10:00 in Shanghai. */
const start = new Date("2026-03-02T02:00:00Z");

/** What the outside system sends: signed JSON, with its own webhook-id. */
function webhook(
  system: "oa" | "crm" | "finance",
  id: string,
  payload: unknown,
  options: { at?: Date; secret?: string } = {},
) {
  const body = JSON.stringify(payload);
  return t.request(`/webhooks/connectors/${system}`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...signWebhook(options.secret ?? secrets[system], id, options.at ?? clock.now(), body),
    },
    body,
  });
}

const job = (name: string) => {
  const found = t.services.tickJobs.find((j) => j.name === name);
  if (!found) throw new Error(`no tick job ${name}`);
  return found;
};

/** What a tick and the workers do after the request: the inbox, the connector job, the dispatcher. */
async function settle(): Promise<void> {
  await t.services.inbox.runOnce();
  await job("connectors").run(clock.now());
  await t.services.dispatcher.runOnce();
}

const casesOf = async (employee: string) => {
  const res = await request(t, "GET", `/api/v1/cases?employee=${employee}`, undefined, hr);
  return ((await res.json()) as { cases: CaseView[] }).cases;
};

const getCase = async (id: string) =>
  (await (await request(t, "GET", `/api/v1/cases/${id}`, undefined, hr)).json()) as CaseView;

const resignation = {
  type: "resignation.approved",
  employeeExternalId: "E1",
  noticeDate: "2026-03-02",
  reason: "另有发展",
};

beforeAll(async () => {
  database = await testDatabase();
});

beforeEach(async () => {
  await resetDatabase(database);
  clock = manualClock(start);
  crm = await startFakeSystem({ secret: secrets.crm, now: () => clock.now() });
  finance = await startFakeSystem({ secret: secrets.finance, now: () => clock.now() });
  t = await createTestApp(database, {
    clock,
    env: {
      BATON_ADMIN_TOKEN: adminToken,
      CONNECTOR_OA_SECRET: secrets.oa,
      CONNECTOR_CRM_URL: crm.url,
      CONNECTOR_CRM_SECRET: secrets.crm,
      CONNECTOR_FINANCE_URL: finance.url,
      CONNECTOR_FINANCE_SECRET: secrets.finance,
    },
  });
  t.services.gates = [];
  await seedCompany(t);
  hr = await createKey(t, "employee:HR1", ["cases:write", "cases:read", "cases:admin"]);
  m1 = await createKey(t, "employee:M1", ["cases:write", "cases:read"]);
});

afterEach(async () => {
  await crm.close();
  await finance.close();
});

describe("POST /webhooks/connectors/:system", () => {
  it("is off (404) for a system whose secret is not configured, and for unknown systems", async () => {
    const off = await createTestApp(database, { clock, env: { BATON_ADMIN_TOKEN: adminToken } });
    const body = JSON.stringify(resignation);
    const res = await off.request("/webhooks/connectors/oa", {
      method: "POST",
      headers: { "content-type": "application/json", ...signWebhook(secrets.oa, "msg_1", clock.now(), body) },
      body,
    });
    expect(res.status).toBe(404);
    expect((await webhook("oa", "msg_1", resignation)).status).toBe(200);
    const unknown = await t.request("/webhooks/connectors/hris", { method: "POST", body: "{}" });
    expect(unknown.status).toBe(404);
  });

  it("refuses a bad signature, another system's secret and a stale timestamp with 401, storing nothing", async () => {
    expect((await webhook("oa", "msg_1", resignation, { secret: newWebhookSecret() })).status).toBe(401);
    expect((await webhook("oa", "msg_2", resignation, { secret: secrets.crm })).status).toBe(401);
    const stale = new Date(clock.now().getTime() - 6 * 60_000);
    const res = await webhook("oa", "msg_3", resignation, { at: stale });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("unauthorized");
    const unsigned = await t.request("/webhooks/connectors/oa", {
      method: "POST",
      body: JSON.stringify(resignation),
    });
    expect(unsigned.status).toBe(401);
    expect(await count(database, sql`select count(*)::int as n from inbox`)).toBe(0);
    expect(t.logs.join("")).not.toContain(secrets.oa);
  });

  it("refuses a signed message of the wrong shape with 400 and its paths", async () => {
    const res = await webhook("oa", "msg_1", { ...resignation, noticeDate: "2026-02-30" });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { details: { path: string }[] } };
    expect(body.error.details.map((d) => d.path)).toEqual(["noticeDate"]);
  });
});

describe("OA → a resignation case", () => {
  it("opens one case through the offboarding commands; a replay of the webhook-id has no second effect", async () => {
    const first = await webhook("oa", "msg_resign_1", resignation);
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ received: true, duplicate: false });
    const again = await webhook("oa", "msg_resign_1", resignation);
    expect(await again.json()).toEqual({ received: true, duplicate: true });

    await settle();
    const [opened, ...others] = await casesOf("E1");
    expect(others).toEqual([]);
    expect(opened).toMatchObject({
      separationType: "resignation",
      noticeDate: "2026-03-02",
      legalLastDay: "2026-04-01",
      noticeChannel: "oa",
      status: "open",
    });

    // Redelivered after processing: still stored once, still one case.
    expect(await (await webhook("oa", "msg_resign_1", resignation)).json()).toEqual({
      received: true,
      duplicate: true,
    });
    await settle();
    expect(await casesOf("E1")).toHaveLength(1);
    expect(await evidenceCount(database, "case.opened")).toBe(1);
    // The personal reason is not kept once the work is done.
    const payloads = await database.query<{ payload: unknown }>(sql`select payload from connector_actions`);
    expect(payloads).toEqual([{ payload: null }]);
  });

  it("alerts HR when OA names someone who is not in the directory", async () => {
    await webhook("oa", "msg_ghost", { ...resignation, employeeExternalId: "NOBODY" });
    await settle();
    expect(await casesOf("NOBODY")).toEqual([]);
    const alerts = await outboxRows(database, "hr.alert");
    expect(alerts.map((a) => a.data)).toContainEqual(
      expect.objectContaining({ alert: "connector.action.failed", system: "oa", action: "open-case" }),
    );
  });
});

describe("CRM and finance, both ways", () => {
  async function openedCase(): Promise<CaseView> {
    await webhook("oa", "msg_open", resignation);
    await settle();
    const [view] = await casesOf("E1");
    if (!view) throw new Error("no case");
    return view;
  }

  it("asks CRM for the accounts when the handover starts, and turns its answer into checklist items", async () => {
    const view = await openedCase();
    expect(view.steps.find((s) => s.key === "handover")?.status).toBe("active");
    await settle();
    expect(crm.received).toHaveLength(1);
    expect(crm.received[0]).toMatchObject({
      verified: true,
      payload: {
        type: "handover.requested",
        data: { caseId: view.id, employeeExternalId: "E1", revokeAccessAt: "2026-04-01" },
      },
    });
    // Ticking again asks nothing more.
    await settle();
    expect(crm.received).toHaveLength(1);

    const accounts = {
      type: "accounts.listed",
      caseId: view.id,
      accounts: [
        { id: "ACC-1", name: "Shanghai Metro Co.", kind: "customer" },
        { id: "ACC-2", name: "Hangzhou Tea Ltd." },
      ],
    };
    expect((await webhook("crm", "crm_1", accounts)).status).toBe(200);
    expect((await webhook("crm", "crm_1", accounts)).status).toBe(200);
    await settle();
    const handover = (await getCase(view.id)).steps.find((s) => s.key === "handover");
    expect(handover?.checklist).toEqual({
      documents: false,
      code: false,
      "customer-accounts": false,
      equipment: false,
      "crm:ACC-1": false,
      "crm:ACC-2": false,
    });
    expect(await evidenceCount(database, "handover.crm.accounts-listed")).toBe(1);
    // The manager ticks a CRM item like any other.
    const ticked = await request(
      t,
      "POST",
      `/api/v1/cases/${view.id}/steps/handover/complete`,
      { data: { checklist: { "crm:ACC-1": true } } },
      m1,
    );
    expect(ticked.status).toBe(200);
  });

  it("asks finance when settlement starts; outstanding items show on the settlement, 'settled' completes the step", async () => {
    const view = await openedCase();
    await settle();
    const done = await request(
      t,
      "POST",
      `/api/v1/cases/${view.id}/steps/handover/complete`,
      { data: {} },
      m1,
    );
    expect(done.status).toBe(200);
    await settle();
    expect(finance.received).toHaveLength(1);
    expect(finance.received[0]?.verified).toBe(true);
    expect(finance.received[0]?.payload).toMatchObject({
      type: "settlement.check_requested",
      data: { caseId: view.id, lastDay: "2026-04-01" },
    });

    await webhook("finance", "fin_1", {
      type: "settlement.outstanding",
      caseId: view.id,
      items: [{ id: "LOAN-7", description: "Travel advance", amountFen: 150000, kind: "advance" }],
    });
    await settle();
    let settlement = (await (
      await request(t, "GET", `/api/v1/cases/${view.id}/settlement`, undefined, hr)
    ).json()) as {
      owedByEmployee: { status: string; items: unknown[]; totalFen: number };
    };
    expect(settlement.owedByEmployee).toMatchObject({ status: "outstanding", totalFen: 150000 });
    expect((await getCase(view.id)).steps.find((s) => s.key === "settlement")?.status).toBe("active");
    expect((await outboxRows(database, "settlement.outstanding")).map((r) => r.destination).sort()).toEqual([
      "channel:finance:acme-sh",
      "channel:hr:acme-sh",
    ]);

    await webhook("finance", "fin_2", {
      type: "settlement.settled",
      caseId: view.id,
      finalWagesFen: 1234500,
    });
    await settle();
    const step = (await getCase(view.id)).steps.find((s) => s.key === "settlement");
    expect(step).toMatchObject({ status: "done", completedBy: "system:finance" });
    settlement = (await (
      await request(t, "GET", `/api/v1/cases/${view.id}/settlement`, undefined, hr)
    ).json()) as typeof settlement;
    expect(settlement.owedByEmployee).toMatchObject({ status: "settled", items: [], totalFen: 0 });
    // A replayed "settled" changes nothing.
    await webhook("finance", "fin_2", {
      type: "settlement.settled",
      caseId: view.id,
      finalWagesFen: 1234500,
    });
    await settle();
    expect(await evidenceCount(database, "settlement.finance.answered")).toBe(2);
  });

  it("keeps a 'settled' that came before the settlement step started until the step starts", async () => {
    const view = await openedCase();
    await webhook("finance", "fin_early", { type: "settlement.settled", caseId: view.id });
    await settle();
    expect((await getCase(view.id)).steps.find((s) => s.key === "settlement")?.status).toBe("pending");
    const [waiting] = await database.query<{ status: string; attempts: number }>(
      sql`select status, attempts from connector_actions where kind = 'complete-settlement'`,
    );
    expect(waiting).toEqual({ status: "pending", attempts: 0 });

    await request(t, "POST", `/api/v1/cases/${view.id}/steps/handover/complete`, { data: {} }, m1);
    clock.advance(16 * 60_000);
    await settle();
    expect((await getCase(view.id)).steps.find((s) => s.key === "settlement")).toMatchObject({
      status: "done",
      completedBy: "system:finance",
    });
  });

  it("retries a CRM that answers 500 and waits out a 429's Retry-After", async () => {
    await openedCase();
    crm.answers.push({ status: 500 }, { status: 429, headers: { "retry-after": "120" } });
    await settle();
    let [row] = await database.query<{ status: string; attempts: number; last_error: string }>(
      sql`select status, attempts, last_error from outbox where kind = 'connector.crm.handover'`,
    );
    expect(row).toMatchObject({ status: "pending", attempts: 1 });
    expect(row?.last_error).toMatch(/ConnectorUnavailableError: crm is unavailable: answered 500/);

    clock.advance(60 * 60_000);
    await t.services.dispatcher.runOnce();
    const [limited] = await database.query<{ not_before: Date; attempts: number }>(
      sql`select not_before, attempts from outbox where kind = 'connector.crm.handover'`,
    );
    expect(new Date(limited?.not_before as Date).getTime()).toBe(clock.now().getTime() + 120_000);
    await t.services.dispatcher.runOnce();
    expect(crm.received).toHaveLength(2);
    clock.advance(121_000);
    await t.services.dispatcher.runOnce();
    expect(crm.received).toHaveLength(3);
    [row] = await database.query(
      sql`select status, attempts, last_error from outbox where kind = 'connector.crm.handover'`,
    );
    expect(row?.status).toBe("sent");
  });

  it("gives up after the dispatcher's last try on a CRM that keeps timing out, and tells HR", async () => {
    await openedCase();
    // The shipped sender waits 10 s; the same sender with a short timeout keeps the test fast.
    t.services.senders = {
      ...t.services.senders,
      system: {
        rate: { ratePerSecond: 100, burst: 100 },
        sender: connectorSender({
          endpoints: { crm: { system: "crm", url: crm.url, secret: secrets.crm, timeoutMs: 150 } },
          clock,
        }),
      },
    };
    for (let i = 0; i < 8; i++) crm.answers.push({ status: 200, delayMs: 400 });
    await settle();
    for (let i = 0; i < 8; i++) {
      clock.advance(2 * 60 * 60_000);
      await t.services.dispatcher.runOnce();
    }
    const [row] = await database.query<{ status: string; last_error: string }>(
      sql`select status, last_error from outbox where kind = 'connector.crm.handover'`,
    );
    expect(row?.status).toBe("dead");
    expect(row?.last_error).toMatch(/timed out/);
    const alerts = (await outboxRows(database, "hr.alert")).map((a) => a.data);
    expect(alerts).toContainEqual(expect.objectContaining({ kind: "connector.crm.handover" }));
  });
});
