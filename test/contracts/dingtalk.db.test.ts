import { readdirSync, readFileSync } from "node:fs";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { parseDingTalkRequest } from "../../adapters/dingtalk/parse.ts";
import type { Database } from "../../db/client.ts";
import { robotMessage, signedDingTalkRequest, testAppSecret, testCorpId } from "../fakes/dingtalk.ts";
import { type FakeDingTalkApi, startFakeDingTalkApi } from "../fakes/dingtalk-api.ts";
import { resetDatabase, testDatabase } from "../helpers/db.ts";
import { createDingTalkTestApp, type DingTalkTestApp } from "../helpers/dingtalk.ts";
import { adminToken, count, request } from "../helpers/offboarding.ts";
import { type ContractRequest, runSurfaceContract } from "./surface-contract.ts";

/**
 * DingTalk's run of the surface contract, and what is particular to it: requests signed like
 * DingTalk signs them (`timestamp` + `sign` headers, which do not cover the body), through the
 * whole HTTP app and the real bot, answers sent to a local fake of DingTalk's servers. An effect
 * is a stored chat event or a message sent to the fake.
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

async function setup(): Promise<void> {
  await resetDatabase(database);
  fake.reset();
  t = await createDingTalkTestApp(database, fake, { env: { BATON_ADMIN_TOKEN: adminToken } });
  expect(
    (await request(t, "PUT", "/api/v1/entities/acme-sh", { name: "Acme", city: "Shanghai" })).status,
  ).toBe(200);
  const res = await request(t, "PUT", "/api/v1/employees/E1101", {
    entity: "acme-sh",
    name: "王强",
    locale: "en",
    identities: { dingtalk: "E1101" },
  });
  expect(res.status, await res.clone().text()).toBe(201);
}

const body = (overrides: Record<string, unknown> = {}) =>
  robotMessage({
    sessionWebhook: fake.sessionWebhook("contract"),
    sessionWebhookExpiredTime: t.clock.now().getTime() + 90 * 60_000,
    text: { content: " help" },
    ...overrides,
  });

/** A callback signed now; the clock moves a millisecond, so each call is a new pair. */
function signed(payload: unknown, options: { timestamp?: number; secret?: string } = {}): ContractRequest {
  t.clock.advance(1);
  const raw = signedDingTalkRequest({ body: payload, now: t.clock.now(), ...options });
  return { path: "/webhooks/dingtalk", headers: { ...raw.headers }, body: raw.body };
}

const send = (r: ContractRequest) =>
  t.request(r.path, { method: r.method ?? "POST", headers: r.headers, body: r.body });

const effects = async () =>
  (await count(database, sql`select count(*)::int as n from inbox where source = 'chat:dingtalk'`)) +
  fake.calls.filter((c) => c.path !== "/gettoken").length;

type Fixture = { body: Record<string, unknown>; expect: { kind: "ignored" | "events" } };
const fixtureDir = new URL("../fixtures/dingtalk/", import.meta.url);

runSurfaceContract({
  surface: "dingtalk",
  setup,
  send,
  async valid(id) {
    return signed(body({ msgId: id ?? `msg${Math.random().toString(36).slice(2)}` }));
  },
  async forged() {
    const good = signed(body({ msgId: "msgFORGED" }));
    const noSign = { ...good, headers: { ...good.headers } };
    delete (noSign.headers as Record<string, string>).sign;
    const noTimestamp = { ...good, headers: { ...good.headers } };
    delete (noTimestamp.headers as Record<string, string>).timestamp;
    const otherTimestamp = {
      ...good,
      headers: { ...good.headers, timestamp: String(t.clock.now().getTime() + 5) },
    };
    return [
      {
        name: "signed with another secret",
        request: signed(body(), { secret: "not-the-secret" }),
        status: 401,
      },
      { name: "no sign", request: noSign, status: 401 },
      { name: "no timestamp", request: noTimestamp, status: 401 },
      { name: "the sign of another timestamp", request: otherTimestamp, status: 401 },
    ];
  },
  async stale() {
    return signed(body(), { timestamp: t.clock.now().getTime() - 61 * 60_000 });
  },
  async unknownEvent() {
    return signed(body({ msgtype: "picture", content: { downloadCode: "x" } }));
  },
  async fixtures() {
    return readdirSync(fixtureDir)
      .filter((f) => f.endsWith(".json"))
      .map((name) => {
        const fixture = JSON.parse(readFileSync(new URL(name, fixtureDir), "utf8")) as Fixture;
        return {
          name,
          request: signedDingTalkRequest({ body: fixture.body, now: new Date() }),
          expect: fixture.expect.kind,
        };
      });
  },
  parse: (raw) => parseDingTalkRequest(raw, { now: new Date() }),
  effects,
});

describe("DingTalk specifics", () => {
  beforeEach(setup);

  it("answers a message through its fresh sessionWebhook", async () => {
    const res = await send(signed(body()));
    expect(res.status).toBe(200);
    const replies = fake.callsTo("/robot/sendBySession");
    expect(replies).toHaveLength(1);
    expect(replies[0]?.query.session).toBe("contract");
    expect(JSON.stringify(replies[0]?.body)).toContain("markdown");
  });

  it("remembers a used timestamp/sign pair: same body → 200 and nothing, another body → 401", async () => {
    const first = signed(body({ msgId: "msgPAIR1" }));
    expect((await send(first)).status).toBe(200);
    const after = await effects();
    expect((await send(first)).status).toBe(200);
    expect(await effects()).toBe(after);
    const replay = {
      ...first,
      body: JSON.stringify(body({ msgId: "msgPAIR2", text: { content: "cases" } })),
    };
    const refused = await send(replay);
    expect(refused.status).toBe(401);
    expect(await effects()).toBe(after);
    const rows = await database.query<{ n: number }>(
      sql`select count(*)::int as n from dingtalk_callback_pairs`,
    );
    expect(rows[0]?.n).toBe(1);
  });

  it("falls back to the OpenAPI when the sessionWebhook has expired", async () => {
    const res = await send(signed(body({ sessionWebhookExpiredTime: t.clock.now().getTime() - 1000 })));
    expect(res.status).toBe(200);
    expect(fake.callsTo("/robot/sendBySession")).toHaveLength(0);
    const sent = fake.sent();
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ to: "E1101", msgKey: "sampleMarkdown" });
    expect(fake.callsTo("/v1.0/robot/oToMessages/batchSend")[0]?.token).toBe("dt-access-token-0001");
  });

  it("never posts to a sessionWebhook on another host (the body is not signed)", async () => {
    const res = await send(
      signed(body({ sessionWebhook: "https://attacker.example/robot/sendBySession?x=1" })),
    );
    expect(res.status).toBe(200);
    expect(fake.callsTo("/robot/sendBySession")).toHaveLength(0);
    expect(fake.sent().map((s) => s.to)).toEqual(["E1101"]);
    expect(t.logs.join("\n")).not.toContain("attacker.example");
  });

  it("serves only the corps of DINGTALK_CORP_IDS", async () => {
    const foreignRobot = await send(
      signed(body({ chatbotCorpId: "dingOTHERCORP", senderCorpId: "dingOTHERCORP" })),
    );
    expect(foreignRobot.status).toBe(403);
    const outsider = await send(signed(body({ senderCorpId: "dingOTHERCORP", msgId: "msgOUT" })));
    expect(outsider.status).toBe(200);
    expect(
      await count(database, sql`select count(*)::int as n from inbox where source = 'chat:dingtalk'`),
    ).toBe(0);
    // The outsider gets only the polite refusal, in the chat they wrote in.
    const refusal = fake.callsTo("/robot/sendBySession");
    expect(refusal).toHaveLength(1);
    expect(JSON.stringify(refusal[0]?.body)).toContain("Baton serves only");
    expect(testCorpId).not.toBe("dingOTHERCORP");
  });

  it("checks errcode: an error answered with HTTP 200 is not a delivery", async () => {
    fake.failNext("/robot/sendBySession", {
      status: 200,
      body: { errcode: 300001, errmsg: "token is not exist" },
    });
    const res = await send(signed(body()));
    expect(res.status).toBe(200);
    // The session answer failed (errcode ≠ 0): the OpenAPI carried it instead.
    expect(fake.sent().map((s) => s.to)).toEqual(["E1101"]);
  });

  it("answers `cases` from HR only after the one-time code sent to HR's 1:1 chat", async () => {
    const hr = await request(t, "PUT", "/api/v1/employees/HR9", {
      entity: "acme-sh",
      name: "HR Nine",
      locale: "en",
      functions: ["hr"],
      identities: { dingtalk: "dt-hr9" },
    });
    expect(hr.status).toBe(201);
    const res = await send(signed(body({ senderStaffId: "dt-hr9", text: { content: "cases" } })));
    expect(res.status).toBe(200);
    // Nothing listed in the chat: the refusal (with its confirmation) and the code went 1:1 to HR.
    expect(fake.callsTo("/robot/sendBySession")).toHaveLength(0);
    const toHr = fake.sent().filter((s) => s.to === "dt-hr9");
    const code = /\*\*(\d{6})\*\*/.exec(JSON.stringify(toHr.map((s) => s.param)))?.[1] as string;
    expect(code).toMatch(/^\d{6}$/);
    const card = toHr.find((s) => s.msgKey === "sampleActionCard");
    const url = decodeURIComponent(String(card?.param.singleURL))
      .replace(/^.*url=/, "")
      .replace(/&pc_slide=true$/, "");
    const path = new URL(url).pathname;
    const post = (form: Record<string, string>) =>
      t.request(path, {
        method: "POST",
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          origin: "http://127.0.0.1:8787",
          "accept-language": "en",
        },
        body: new URLSearchParams(form).toString(),
      });
    const page = await (await t.request(path, { headers: { "accept-language": "en" } })).text();
    expect(page).toContain("Command: cases");
    const done = await post({ code });
    const html = await done.text();
    expect(done.status, html).toBe(200);
    expect(html).not.toContain("Not from this chat");
    expect(html).toContain("Running cases (0)");
    expect(done.headers.get("set-cookie") ?? "").toContain("baton_session");
    expect((await post({ code })).status).toBe(409);
    // The list itself went to HR's 1:1 chat after the confirmation.
    expect(fake.sent().filter((s) => s.to === "dt-hr9").length).toBeGreaterThan(toHr.length);
  });

  it("is off (404) without the corp allow-list", async () => {
    const off = await createDingTalkTestApp(database, fake, {
      env: { BATON_ADMIN_TOKEN: adminToken, DINGTALK_CORP_IDS: "" },
    });
    const raw = signedDingTalkRequest({ body: body(), now: off.clock.now() });
    const res = await off.request("/webhooks/dingtalk", {
      method: "POST",
      headers: raw.headers,
      body: raw.body,
    });
    expect(res.status).toBe(404);
  });
});
