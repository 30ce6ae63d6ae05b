import { sql } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { StreamClient } from "../../adapters/dingtalk/stream.ts";
import { loadConfig } from "../../adapters/http/config.ts";
import {
  dingtalkApprovalSource,
  dingtalkStreamWanted,
  startDingTalkStream,
} from "../../adapters/http/dingtalk-stream.ts";
import type { Services } from "../../adapters/http/services.ts";
import type { Database, Db } from "../../db/client.ts";
import { testAppSecret, testCorpId } from "../fakes/dingtalk.ts";
import { type FakeDingTalkApi, fakeAppKey, startFakeDingTalkApi } from "../fakes/dingtalk-api.ts";
import {
  approvalEventFrame,
  type FakeDingTalkStream,
  startFakeDingTalkStream,
} from "../fakes/dingtalk-stream.ts";
import { resetDatabase, testDatabase } from "../helpers/db.ts";
import {
  createDingTalkTestApp,
  type DingTalkTestApp,
  dingtalkEnv,
  loopbackFetch,
} from "../helpers/dingtalk.ts";
import { adminToken, count, people, request, seedCompany } from "../helpers/offboarding.ts";

/**
 * DingTalk's Stream mode end to end against the fake gateway and the fake OpenAPI on one origin
 * (`DINGTALK_API_URL`): the ticket, an approval event stored in the inbox before its SUCCESS ack,
 * the instance read back and the case opened once, other corps / templates / types dropped, a
 * reconnect with a new ticket, and LATER when the inbox cannot store.
 */

const processCode = "PROC-RESIGN-0001";

let database: Database;
let api: FakeDingTalkApi;
let gateway: FakeDingTalkStream;
let t: DingTalkTestApp;
let client: StreamClient | undefined;

beforeAll(async () => {
  database = await testDatabase();
  api = await startFakeDingTalkApi({ appSecret: testAppSecret });
  gateway = await startFakeDingTalkStream({ appKey: fakeAppKey, appSecret: testAppSecret });
  api.route("/v1.0/gateway/connections/open", (body) => gateway.openConnection(body));
});
afterAll(async () => {
  await gateway.close();
  await api.close();
});
afterEach(async () => {
  await client?.stop();
  client = undefined;
});

beforeEach(async () => {
  await resetDatabase(database);
  api.reset();
  gateway.reset();
  t = await createDingTalkTestApp(database, api, {
    env: {
      BATON_ADMIN_TOKEN: adminToken,
      DINGTALK_STREAM: "1",
      DINGTALK_RESIGNATION_PROCESS_CODE: processCode,
    },
  });
  await seedCompany(t);
  const body = Object.fromEntries(people).E1;
  const res = await request(t, "PUT", "/api/v1/employees/E1", {
    entity: "acme-sh",
    ...body,
    locale: "en",
    identities: { dingtalk: "dt-e1" },
  });
  expect(res.status, await res.clone().text()).toBe(200);
  api.setApproval("proc-stream-1", {
    status: "COMPLETED",
    result: "agree",
    originator_userid: "dt-e1",
    create_time: "2026-03-02 10:00:00",
    form_component_values: [
      { name: "最后工作日", value: "2026-04-01" },
      { name: "离职原因", value: "家庭原因" },
    ],
  });
});

async function connect(services: Services = t.services): Promise<StreamClient> {
  const before = gateway.connections;
  client = startDingTalkStream(services, { fetch: loopbackFetch, backoffMs: 20, maxBackoffMs: 100 });
  await gateway.waitForConnections(before + 1);
  return client;
}

async function pushed(frame: { headers: Record<string, unknown>; data: unknown }) {
  const id = gateway.push(frame);
  const answer = await gateway.answer(id);
  return answer ? (JSON.parse(answer.data) as { status: string }).status : undefined;
}

const inboxRows = () =>
  count(database, sql`select count(*)::int as n from inbox where source = ${dingtalkApprovalSource}`);

async function settle(): Promise<void> {
  await t.services.inbox.runOnce();
  await t.services.tickJobs.find((j) => j.name === "connectors")?.run(t.clock.now());
}

async function casesOfE1() {
  const res = await request(t, "GET", "/api/v1/cases?employee=E1");
  return ((await res.json()) as { cases: { id: string; noticeChannel: string; noticeDate: string }[] }).cases;
}

describe("who holds the Stream", () => {
  it("the server, with DingTalk on and DINGTALK_STREAM=1; never the CLI", () => {
    const env: Record<string, string> = { BATON_DATA_DIR: "/tmp/baton-stream-test", ...dingtalkEnv(api) };
    expect(dingtalkStreamWanted(loadConfig({ ...env, DINGTALK_STREAM: "1" }), "server")).toBe(true);
    expect(dingtalkStreamWanted(loadConfig({ ...env, DINGTALK_STREAM: "1" }), "cli")).toBe(false);
    expect(dingtalkStreamWanted(loadConfig(env), "server")).toBe(false);
    // DingTalk itself off (no corp allowed): no Stream either.
    expect(
      dingtalkStreamWanted(loadConfig({ ...env, DINGTALK_CORP_IDS: "", DINGTALK_STREAM: "1" }), "server"),
    ).toBe(false);
  });
});

describe("approval events through DingTalk's Stream mode", () => {
  it("exchanges the app's key and secret for a ticket; a wrong secret gets none", async () => {
    await connect();
    const opens = api.callsTo("/v1.0/gateway/connections/open");
    expect(opens).toHaveLength(1);
    expect(opens[0]?.body).toMatchObject({ clientId: fakeAppKey, clientSecret: testAppSecret });
    expect(opens[0]?.answer.status).toBe(200);
    expect(gateway.openConnection({ clientId: fakeAppKey, clientSecret: "wrong" }).status).toBe(401);
    // The secret never reaches the log.
    expect(t.logs.join("\n")).not.toContain(testAppSecret);
  });

  it("stores an approved resignation before acking it; the case opens once, redeliveries change nothing", async () => {
    await connect();
    const frame = approvalEventFrame({ corpId: testCorpId, processInstanceId: "proc-stream-1", processCode });
    expect(await pushed(frame)).toBe("SUCCESS");
    // Acked: it is in the inbox already.
    expect(await inboxRows()).toBe(1);
    await settle();
    const cases = await casesOfE1();
    expect(cases).toHaveLength(1);
    expect(cases[0]).toMatchObject({ noticeChannel: "dingtalk", noticeDate: "2026-03-02" });
    expect(api.callsTo("/topapi/processinstance/get")).toHaveLength(1);

    // DingTalk sends the same event again (same eventId, new messageId), and the forwarding API too.
    expect(await pushed(frame)).toBe("SUCCESS");
    expect(await inboxRows()).toBe(1);
    await settle();
    const forwarded = await request(t, "POST", "/api/v1/dingtalk/approval-events", {
      EventType: "bpms_instance_change",
      processInstanceId: "proc-stream-1",
      type: "finish",
    });
    expect(await forwarded.json()).toMatchObject({ status: "opened", created: false, caseId: cases[0]?.id });
    expect(await casesOfE1()).toHaveLength(1);
  });

  it("acks and drops other corps, other templates, start events and other event types", async () => {
    await connect();
    const other = approvalEventFrame({
      corpId: "dingothercorp",
      processInstanceId: "proc-stream-1",
      processCode,
    });
    expect(await pushed(other)).toBe("SUCCESS");
    const template = approvalEventFrame({
      corpId: testCorpId,
      processInstanceId: "proc-stream-1",
      processCode: "PROC-LEAVE",
    });
    expect(await pushed(template)).toBe("SUCCESS");
    const started = approvalEventFrame({
      corpId: testCorpId,
      processInstanceId: "proc-stream-1",
      processCode,
    });
    expect(await pushed({ ...started, data: { ...started.data, type: "start", result: undefined } })).toBe(
      "SUCCESS",
    );
    const refused = approvalEventFrame({
      corpId: testCorpId,
      processInstanceId: "proc-stream-1",
      processCode,
      result: "refuse",
    });
    expect(await pushed(refused)).toBe("SUCCESS");
    expect(
      await pushed({ headers: { ...started.headers, eventType: "user_add_org" }, data: { userId: ["x"] } }),
    ).toBe("SUCCESS");
    expect(await inboxRows()).toBe(0);
    expect(t.logs.some((l) => l.includes("another corp"))).toBe(true);
    await settle();
    expect(await casesOfE1()).toHaveLength(0);
  });

  it("survives malformed frames and events, and reconnects with a new ticket when the socket dies", async () => {
    await connect();
    gateway.sendRaw("{not json");
    const broken = approvalEventFrame({ corpId: testCorpId, processInstanceId: "x", processCode });
    expect(await pushed({ ...broken, data: "{{{" })).toBe("SUCCESS");
    expect(await pushed({ ...broken, data: { ...broken.data, processInstanceId: "../etc" } })).toBe(
      "SUCCESS",
    );
    expect(await inboxRows()).toBe(0);

    const before = gateway.connections;
    gateway.drop();
    await gateway.waitForConnections(before + 1);
    const tickets = gateway.upgrades.map((u) => u.ticket);
    expect(tickets).toHaveLength(2);
    expect(tickets[0]).not.toBe(tickets[1]);
    await new Promise((r) => setTimeout(r, 20));
    const frame = approvalEventFrame({ corpId: testCorpId, processInstanceId: "proc-stream-1", processCode });
    expect(await pushed(frame)).toBe("SUCCESS");
    await settle();
    expect(await casesOfE1()).toHaveLength(1);
  });

  it("answers LATER while the inbox cannot store; the redelivery is stored", async () => {
    const failing = new Proxy(t.services.database.db, {
      get(target, name, receiver) {
        if (name === "insert")
          return () => {
            throw new Error("the database is unavailable");
          };
        return Reflect.get(target, name, receiver);
      },
    }) as Db;
    const broken = { ...t.services, database: { ...t.services.database, db: failing } } as Services;
    await connect(broken);
    const frame = approvalEventFrame({ corpId: testCorpId, processInstanceId: "proc-stream-1", processCode });
    expect(await pushed(frame)).toBe("LATER");
    expect(await inboxRows()).toBe(0);
    await client?.stop();

    await connect();
    expect(await pushed(frame)).toBe("SUCCESS");
    expect(await inboxRows()).toBe(1);
    await settle();
    expect(await casesOfE1()).toHaveLength(1);
  });
});
