import { sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { checkDingTalkAnswer, DingTalkApiError } from "../../adapters/dingtalk/send.ts";
import { PermanentDeliveryError, RateLimitedError } from "../../core/notifications/delivery.ts";
import type { Database } from "../../db/client.ts";
import { enqueueNotification } from "../../db/outbox.ts";
import { testAppSecret } from "../fakes/dingtalk.ts";
import { type FakeDingTalkApi, startFakeDingTalkApi } from "../fakes/dingtalk-api.ts";
import { resetDatabase, testDatabase } from "../helpers/db.ts";
import { createDingTalkTestApp, type DingTalkTestApp } from "../helpers/dingtalk.ts";
import { adminToken, count, people, request, seedCompany } from "../helpers/offboarding.ts";

/**
 * DingTalk beyond the chat flow: DingTalk's error answers (HTTP 200 with `errcode`) and rate
 * limits on the OpenAPI and the legacy custom robot (20 a minute, bursts folded), directory sync
 * from the user API and approved resignation approvals becoming cases — all against the fake.
 */

let database: Database;
let fake: FakeDingTalkApi;
let t: DingTalkTestApp;

beforeAll(async () => {
  database = await testDatabase();
  fake = await startFakeDingTalkApi({ appSecret: testAppSecret });
});
afterAll(async () => {
  await fake.close();
});

async function setup(env: Record<string, string> = {}) {
  await resetDatabase(database);
  fake.reset();
  t = await createDingTalkTestApp(database, fake, { env: { BATON_ADMIN_TOKEN: adminToken, ...env } });
  await seedCompany(t);
}

async function linkDingTalk(externalId: string, userid: string) {
  const body = Object.fromEntries(people)[externalId];
  const res = await request(t, "PUT", `/api/v1/employees/${externalId}`, {
    entity: "acme-sh",
    ...body,
    locale: "en",
    identities: { dingtalk: userid },
  });
  expect(res.status, await res.clone().text()).toBe(200);
}

async function dispatchRounds(rounds: number, stepMs: number) {
  const reports = [];
  for (let i = 0; i < rounds; i++) {
    reports.push(await t.services.dispatcher.runOnce());
    t.clock.advance(stepMs);
  }
  return reports;
}

describe("DingTalk's answers are checked by errcode, never by the HTTP status alone", () => {
  it("maps success, rate limits, permanent refusals and other failures", () => {
    expect(checkDingTalkAnswer(200, { errcode: 0, errmsg: "ok" })).toEqual({ errcode: 0, errmsg: "ok" });
    expect(checkDingTalkAnswer(200, { processQueryKey: "k" })).toEqual({ processQueryKey: "k" });
    expect(() => checkDingTalkAnswer(200, { errcode: 410100, errmsg: "send too fast" })).toThrow(
      RateLimitedError,
    );
    expect(() => checkDingTalkAnswer(200, { errcode: 90018 })).toThrow(RateLimitedError);
    expect(() => checkDingTalkAnswer(429, { code: "Throttling.Api" })).toThrow(RateLimitedError);
    expect(() => checkDingTalkAnswer(200, { errcode: 310000, errmsg: "sign not match" })).toThrow(
      PermanentDeliveryError,
    );
    expect(() => checkDingTalkAnswer(400, { code: "MissingParameter" })).toThrow(PermanentDeliveryError);
    expect(() => checkDingTalkAnswer(200, { errcode: -1, errmsg: "系统繁忙" })).toThrow(DingTalkApiError);
    expect(() => checkDingTalkAnswer(502, {})).toThrow(DingTalkApiError);
  });
});

describe("notifications through the app robot OpenAPI", () => {
  beforeEach(() => setup());

  it("a person's notification goes 1:1 with links bound to them; a rate-limit answer is retried", async () => {
    await linkDingTalk("M1", "dt-mgr1");
    fake.failNext("/v1.0/robot/oToMessages/batchSend", {
      status: 200,
      body: { errcode: 90018, errmsg: "qps limit" },
    });
    const opened = await request(
      t,
      "POST",
      "/api/v1/resignations",
      { employeeExternalId: "E1", noticeDate: "2026-03-02" },
      adminToken,
      { "idempotency-key": "dingtalk-notify-1" },
    );
    expect(opened.status, await opened.clone().text()).toBe(201);
    const [first] = await dispatchRounds(1, 0);
    expect(first?.rateLimited).toBeGreaterThan(0);
    await dispatchRounds(4, 61_000);
    const toManager = fake.sent().filter((s) => s.to === "dt-mgr1");
    expect(toManager.length).toBeGreaterThan(0);
    // Sent once per step (the refused try is not a delivery), its button a signed page of Baton's.
    expect(toManager.map((s) => s.param.title)).toEqual(["New step for you", "New step for you"]);
    expect(decodeURIComponent(String(toManager[0]?.param.singleURL))).toContain("http://127.0.0.1:8787/a/");
    expect(await count(database, sql`select count(*)::int as n from outbox where status = 'dead'`)).toBe(0);
  });
});

describe("the legacy custom group robot for HR alerts", () => {
  beforeEach(() =>
    setup({ DINGTALK_ALERT_WEBHOOK: fake.robotWebhook, DINGTALK_ALERT_SECRET: fake.robotSecret }),
  );

  async function alerts(n: number) {
    await database.db.transaction(async (tx) => {
      for (let i = 0; i < n; i++)
        await enqueueNotification(
          tx as never,
          {
            kind: "hr.alert",
            recipient: { type: "channel", purpose: "hr" },
            data: { alert: "teams.not_installed", employee: `E${i}` },
            dedupeKey: `robot-test:${i}`,
            urgency: "normal",
          },
          t.clock.now(),
        );
    });
  }

  it("signs its posts, stays under 20 a minute and folds what waits into one message", async () => {
    await alerts(25);
    await dispatchRounds(1, 0);
    const firstMinute = fake.callsTo("/robot/send");
    expect(firstMinute.length).toBeLessThanOrEqual(20);
    // Every post was signed right: DingTalk answered errcode 0.
    expect(firstMinute.every((c) => c.answer.body.errcode === 0)).toBe(true);
    expect(firstMinute[0]?.query.sign).toBeTruthy();
    await dispatchRounds(6, 30_000);
    const all = fake.callsTo("/robot/send");
    expect(all.every((c) => c.answer.body.errcode === 0)).toBe(true);
    expect(await count(database, sql`select count(*)::int as n from outbox where status <> 'sent'`)).toBe(0);
    // 25 alerts, fewer posts: the ones over the limit went out together.
    expect(all.length).toBeLessThan(25);
  });

  it("waits when DingTalk itself answers with its rate-limit errcode", async () => {
    await alerts(1);
    fake.failNext("/robot/send", { status: 200, body: { errcode: 410100, errmsg: "send too fast" } });
    const [report] = await dispatchRounds(1, 0);
    expect(report?.rateLimited).toBe(1);
    await dispatchRounds(3, 61_000);
    expect(fake.callsTo("/robot/send").filter((c) => c.answer.body.errcode === 0)).toHaveLength(1);
  });
});

describe("DingTalk connectors", () => {
  beforeEach(() => setup());

  it("syncs identities from the user API by job number, never by e-mail", async () => {
    fake.setUsers(
      {
        1: [
          { userid: "dt-e1", name: "Leaver", job_number: "E1", active: true, email: "m1@example.com" },
          { userid: "dt-ghost", name: "Ghost", job_number: "NOPE", active: true },
          { userid: "dt-nojob", name: "No Job", active: true },
        ],
        7: [{ userid: "dt-mgr1", name: "Manager One", job_number: "M1", active: true }],
      },
      { 1: [7] },
    );
    const hrKey = adminToken;
    const res = await request(t, "POST", "/api/v1/dingtalk/directory-sync", undefined, hrKey);
    expect(res.status, await res.clone().text()).toBe(200);
    const report = (await res.json()) as { users: number; linked: string[]; unmatched: string[] };
    expect(report.users).toBe(4);
    expect(report.linked.sort()).toEqual(["E1", "M1"]);
    expect(report.unmatched.sort()).toEqual(["dt-ghost", "dt-nojob"]);
    const e1 = await request(t, "GET", "/api/v1/employees/E1");
    expect(((await e1.json()) as { identities: Record<string, string> }).identities.dingtalk).toBe("dt-e1");
    const again = (await (await request(t, "POST", "/api/v1/dingtalk/directory-sync")).json()) as {
      linked: string[];
      unchanged: number;
    };
    expect(again).toMatchObject({ linked: [], unchanged: 2 });
    expect(fake.callsTo("/topapi/v2/user/list").every((c) => c.token === "dt-access-token-0001")).toBe(true);
  });

  it("turns an approved resignation approval into a case once; the event body alone proves nothing", async () => {
    await linkDingTalk("E1", "dt-e1");
    fake.setApproval("proc-approved", {
      status: "COMPLETED",
      result: "agree",
      originator_userid: "dt-e1",
      create_time: "2026-03-02 10:00:00",
      form_component_values: [
        { name: "最后工作日", value: "2026-04-01" },
        { name: "离职原因", value: "家庭原因" },
      ],
    });
    fake.setApproval("proc-running", { status: "RUNNING", result: "", originator_userid: "dt-e1" });
    const event = (id: string) => ({
      EventType: "bpms_instance_change",
      processInstanceId: id,
      type: "finish",
      result: "agree",
      staffId: "dt-e1",
    });
    // DingTalk says it is still running, whatever the event claims.
    const running = await request(t, "POST", "/api/v1/dingtalk/approval-events", event("proc-running"));
    expect(await running.json()).toMatchObject({ status: "ignored" });
    const first = await request(t, "POST", "/api/v1/dingtalk/approval-events", event("proc-approved"));
    expect(first.status, await first.clone().text()).toBe(201);
    const again = await request(t, "POST", "/api/v1/dingtalk/approval-events", event("proc-approved"));
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ status: "opened", created: false });
    const cases = await request(t, "GET", "/api/v1/cases?employee=E1");
    const list = ((await cases.json()) as { cases: { noticeChannel: string; noticeDate: string }[] }).cases;
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ noticeChannel: "dingtalk", noticeDate: "2026-03-02" });
    const bad = await request(t, "POST", "/api/v1/dingtalk/approval-events", { processInstanceId: "../x" });
    expect(bad.status).toBe(400);
  });

  it("takes forwarded approvals of the resignation template only, when the event names its template", async () => {
    t.config.DINGTALK_RESIGNATION_PROCESS_CODE = "PROC-RESIGN";
    await linkDingTalk("E1", "dt-e1");
    fake.setApproval("proc-leave", {
      status: "COMPLETED",
      result: "agree",
      originator_userid: "dt-e1",
      create_time: "2026-03-02 10:00:00",
      form_component_values: [],
    });
    const event = { EventType: "bpms_instance_change", processInstanceId: "proc-leave", type: "finish" };
    const leave = await request(t, "POST", "/api/v1/dingtalk/approval-events", {
      ...event,
      processCode: "PROC-LEAVE",
    });
    expect(await leave.json()).toMatchObject({ status: "ignored", reason: "another approval template" });
    const cases = async () =>
      ((await (await request(t, "GET", "/api/v1/cases?employee=E1")).json()) as { cases: unknown[] }).cases;
    expect(await cases()).toHaveLength(0);
    const resign = await request(t, "POST", "/api/v1/dingtalk/approval-events", {
      ...event,
      processCode: "PROC-RESIGN",
    });
    expect(resign.status).toBe(201);
    expect(await cases()).toHaveLength(1);
  });
});
