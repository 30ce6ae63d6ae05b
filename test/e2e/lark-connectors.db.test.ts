import { sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { translate } from "../../core/messages/index.ts";
import type { CaseView } from "../../core/offboarding/case.ts";
import type { Database } from "../../db/client.ts";
import { envelope, signedLarkRequest, testTenantKey, testVerificationToken } from "../fakes/lark.ts";
import { type FakeLarkApi, startFakeLarkApi } from "../fakes/lark-api.ts";
import { resetDatabase, testDatabase } from "../helpers/db.ts";
import { createLarkTestApp, type LarkTestApp, linkLark } from "../helpers/lark.ts";
import { adminToken, count, evidenceCount, request, seedCompany } from "../helpers/offboarding.ts";

/**
 * The Lark connectors (issue 8, point 4): an approved resignation in Feishu Approval
 * (`approval_instance`, a signed v1 event on the same URL) becomes a case with its notice date,
 * once; the directory is synced from the contacts API. Both through the real SDK `Client` against
 * the local fake open API.
 */

let database: Database;
let fake: FakeLarkApi;
let t: LarkTestApp;

const approvalCode = "7C468A54-8745-2245-9675-08B7C63E7A85";
/** Monday 2 March 2026, 10:00 in Shanghai. */
const start = new Date("2026-03-02T02:00:00Z");

beforeAll(async () => {
  database = await testDatabase();
  fake = await startFakeLarkApi();
});
afterAll(async () => {
  await fake.close();
});
beforeEach(async () => {
  await resetDatabase(database);
  fake.reset();
  t = await createLarkTestApp(database, fake, {
    env: { BATON_ADMIN_TOKEN: adminToken, LARK_RESIGNATION_APPROVAL_CODE: approvalCode },
    start,
  });
  await seedCompany(t);
});

function approvalEvent(
  instanceCode: string,
  options: { status?: string; code?: string; tenant?: string; uuid?: string } = {},
) {
  return {
    uuid: options.uuid ?? `uuid-${instanceCode}-${options.status ?? "APPROVED"}`,
    token: testVerificationToken,
    ts: "1772416900.123",
    type: "event_callback",
    event: {
      app_id: "cli_a5f2c8e9d1b3400d",
      approval_code: options.code ?? approvalCode,
      instance_code: instanceCode,
      instance_operate_time: "1772416900000",
      operate_time: "1772416900000",
      status: options.status ?? "APPROVED",
      tenant_key: options.tenant ?? testTenantKey,
      type: "approval_instance",
      uuid: "e8f5e2f1",
    },
  };
}

function instance(code: string, openId: string) {
  return {
    approval_code: approvalCode,
    approval_name: "离职申请 Resignation",
    instance_code: code,
    status: "APPROVED",
    open_id: openId,
    user_id: "e1101",
    // Submitted Monday 2 March 2026, 09:50 in Shanghai.
    start_time: String(new Date("2026-03-02T01:50:00Z").getTime()),
    end_time: String(new Date("2026-03-02T02:30:00Z").getTime()),
    form: JSON.stringify([
      { id: "widget1", name: "最后工作日 Last day", type: "date", value: "2026-04-03T00:00:00+08:00" },
      { id: "widget2", name: "原因 Reason", type: "textarea", value: "Moving to Hangzhou" },
    ]),
  };
}

const casesOf = async (employee: string) => {
  const res = await request(t, "GET", `/api/v1/cases?employee=${employee}`);
  return ((await res.json()) as { cases: CaseView[] }).cases;
};

async function settle(): Promise<void> {
  await t.services.inbox.runOnce();
  const job = t.services.tickJobs.find((j) => j.name === "connectors");
  await job?.run(t.clock.now());
}

describe("Feishu Approval → case", () => {
  it("an approved resignation becomes one case with its notice date; redeliveries change nothing", async () => {
    await linkLark(database, { E1: "ou_e1leaver" });
    fake.setApprovalInstance("INST-1", instance("INST-1", "ou_e1leaver"));
    const first = await t.lark(signedLarkRequest({ payload: approvalEvent("INST-1"), now: t.clock.now() }));
    expect(first.status).toBe(200);
    // Lark re-pushes (same uuid, or the same instance under another uuid).
    expect(
      (await t.lark(signedLarkRequest({ payload: approvalEvent("INST-1"), now: t.clock.now() }))).status,
    ).toBe(200);
    expect(
      (
        await t.lark(
          signedLarkRequest({ payload: approvalEvent("INST-1", { uuid: "other" }), now: t.clock.now() }),
        )
      ).status,
    ).toBe(200);
    await settle();
    await settle();
    const [opened, ...others] = await casesOf("E1");
    expect(others).toEqual([]);
    expect(opened).toMatchObject({
      separationType: "resignation",
      noticeDate: "2026-03-02",
      noticeChannel: "lark",
      requestedLastDay: "2026-04-03",
      status: "open",
    });
    expect(await evidenceCount(database, "case.opened")).toBe(1);
    expect(fake.callsTo("approval")).toHaveLength(1);
    expect(fake.callsTo("approval")[0]?.path).toBe("/open-apis/approval/v4/instances/INST-1");
  });

  it("ignores other approvals, other statuses, other tenants and forged events", async () => {
    await linkLark(database, { E1: "ou_e1leaver" });
    fake.setApprovalInstance("INST-2", instance("INST-2", "ou_e1leaver"));
    for (const payload of [
      approvalEvent("INST-2", { status: "PENDING" }),
      approvalEvent("INST-2", { status: "REJECTED" }),
      approvalEvent("INST-2", { code: "LEAVE-APPROVAL" }),
      approvalEvent("INST-2", { tenant: "736588c9260f175d" }),
    ]) {
      expect((await t.lark(signedLarkRequest({ payload, now: t.clock.now() }))).status).toBe(200);
    }
    const forged = signedLarkRequest({
      payload: approvalEvent("INST-2"),
      now: t.clock.now(),
      encryptKey: "nope",
    });
    expect((await t.lark(forged)).status).toBe(401);
    await settle();
    expect(await casesOf("E1")).toEqual([]);
    expect(await count(database, sql`select count(*)::int as n from inbox`)).toBe(0);
    expect(fake.callsTo("approval")).toHaveLength(0);
  });

  it("an applicant without a Lark identity opens no case (the inbox keeps it for HR)", async () => {
    fake.setApprovalInstance("INST-3", instance("INST-3", "ou_stranger"));
    await t.lark(signedLarkRequest({ payload: approvalEvent("INST-3"), now: t.clock.now() }));
    await settle();
    expect(await casesOf("E1")).toEqual([]);
    expect(await count(database, sql`select count(*)::int as n from inbox where status = 'done'`)).toBe(0);
  });
});

describe("people matched by the ids an admin stored", () => {
  it("someone stored by union_id is recognised from a message sent with another app's open_id", async () => {
    await linkLark(database, { E1: "on_e1union" });
    const payload = envelope("im.message.receive_v1", {
      sender: {
        sender_id: { open_id: "ou_thisapp_e1", union_id: "on_e1union", user_id: "e1101" },
        sender_type: "user",
        tenant_key: testTenantKey,
      },
      message: {
        message_id: "om_union1",
        chat_id: "oc_p2p_union",
        chat_type: "p2p",
        message_type: "text",
        content: JSON.stringify({ text: "help" }),
      },
    });
    expect((await t.lark(signedLarkRequest({ payload, now: t.clock.now() }))).status).toBe(200);
    const [answer] = fake.callsTo("create");
    expect(answer?.body.receive_id).toBe("oc_p2p_union");
    expect(JSON.stringify(answer?.card)).not.toContain(translate("zh-CN", "bot.unknown_person.title"));

    // Someone nobody linked gets the polite refusal.
    const stranger = structuredClone(payload) as {
      event: { sender: { sender_id: Record<string, string> }; message: Record<string, string> };
    };
    stranger.event.sender.sender_id = { open_id: "ou_nobody", union_id: "on_nobody" };
    stranger.event.message.message_id = "om_union2";
    await t.lark(signedLarkRequest({ payload: stranger, now: t.clock.now() }));
    expect(JSON.stringify(fake.callsTo("create")[1]?.card)).toContain(
      translate("zh-CN", "bot.unknown_person.title"),
    );
  });
});

describe("directory sync from the Lark contacts API", () => {
  it("upserts people by employee_no with their open_id; keeps other fields; reports who was skipped", async () => {
    fake.setDirectory({
      departments: ["od_eng"],
      users: {
        "0": [
          {
            open_id: "ou_m1",
            union_id: "on_m1",
            name: "Manager One",
            employee_no: "M1",
            enterprise_email: "m1@acme.cn",
          },
        ],
        od_eng: [
          {
            open_id: "ou_e1",
            name: "Leaver",
            employee_no: "E1",
            leader_user_id: "ou_m1",
            email: "e1@acme.cn",
          },
          { open_id: "ou_new", name: "新同事", employee_no: "N9", leader_user_id: "ou_m1" },
          { open_id: "ou_gone", name: "Gone", employee_no: "G1", status: { is_resigned: true } },
          { open_id: "ou_noid", name: "No Number" },
        ],
      },
    });
    const before = await request(t, "GET", "/api/v1/employees/E1");
    const e1Before = (await before.json()) as Record<string, unknown>;
    const res = await request(t, "POST", "/api/v1/lark/directory-sync", {});
    expect(res.status, await res.clone().text()).toBe(200);
    const report = (await res.json()) as {
      people: number;
      created: number;
      updated: number;
      skipped: unknown[];
    };
    expect(report).toMatchObject({ people: 5, created: 1, updated: 2 });
    expect(report.skipped).toEqual([
      { openId: "ou_gone", reason: "resigned" },
      { openId: "ou_noid", reason: "no_employee_no" },
    ]);
    const e1 = (await (await request(t, "GET", "/api/v1/employees/E1")).json()) as Record<string, unknown>;
    expect(e1).toMatchObject({
      identities: { lark: "ou_e1" },
      email: "e1@acme.cn",
      managerExternalId: "M1",
      role: e1Before.role,
      hireDate: e1Before.hireDate,
    });
    const n9 = (await (await request(t, "GET", "/api/v1/employees/N9")).json()) as Record<string, unknown>;
    expect(n9).toMatchObject({ name: "新同事", managerExternalId: "M1", identities: { lark: "ou_new" } });
    // Again: nothing changes.
    const again = (await (await request(t, "POST", "/api/v1/lark/directory-sync", {})).json()) as {
      created: number;
      updated: number;
    };
    expect(again).toMatchObject({ created: 0, updated: 0 });
  });

  it("needs an API key that may write employees", async () => {
    const res = await t.request("/api/v1/lark/directory-sync", { method: "POST" });
    expect(res.status).toBe(401);
  });
});
