import { createHash } from "node:crypto";
import { sql } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { robotMessageTopic } from "../../adapters/dingtalk/stream.ts";
import { createBot } from "../../adapters/http/bot/index.ts";
import { type DingTalkStream, startDingTalkStream } from "../../adapters/http/dingtalk-stream.ts";
import type { Services } from "../../adapters/http/services.ts";
import type { InboundEvent } from "../../bots/events.ts";
import { translate } from "../../core/messages/index.ts";
import type { Database, Db } from "../../db/client.ts";
import { robotMessage, testAppSecret, testCorpId } from "../fakes/dingtalk.ts";
import { type FakeDingTalkApi, fakeAppKey, startFakeDingTalkApi } from "../fakes/dingtalk-api.ts";
import {
  type FakeDingTalkStream,
  type StreamAnswer,
  startFakeDingTalkStream,
} from "../fakes/dingtalk-stream.ts";
import { resetDatabase, testDatabase } from "../helpers/db.ts";
import {
  createDingTalkTestApp,
  type DingTalkTestApp,
  loopbackFetch,
  unwrapLink,
} from "../helpers/dingtalk.ts";
import { adminToken, count, evidenceCount, people, request, seedCompany } from "../helpers/offboarding.ts";

/**
 * The robot's chat messages through DingTalk's Stream mode (the robot's receiving mode set to
 * Stream): CALLBACK frames of `/v1.0/im/bot/messages/get` from the fake gateway, answered once the
 * bot's inbox stored the message, the bot's answers sent to the fake OpenAPI (sessionWebhook, 1:1).
 */

type Json = Record<string, unknown>;

let database: Database;
let api: FakeDingTalkApi;
let gateway: FakeDingTalkStream;
let t: DingTalkTestApp;
let client: DingTalkStream | undefined;

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
    env: { BATON_ADMIN_TOKEN: adminToken, DINGTALK_STREAM: "1" },
    start: new Date("2026-03-02T02:00:00Z"),
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
});

async function connect(services: Services = t.services): Promise<DingTalkStream> {
  const before = gateway.connections;
  client = startDingTalkStream(services, { fetch: loopbackFetch, backoffMs: 20, maxBackoffMs: 100 });
  await gateway.waitForConnections(before + 1);
  return client;
}

let counter = 0;

/** A text message from E1 to the robot, as DingTalk's Stream carries it (the HTTP body). */
function message(text: string, overrides: Json = {}): Json {
  counter += 1;
  return robotMessage({
    msgId: `msgSTREAM${counter}`,
    conversationId: "cid-dt-e1",
    senderStaffId: "dt-e1",
    senderId: "$:LWCP_v1:$dt-e1",
    senderCorpId: testCorpId,
    sessionWebhook: api.sessionWebhook(`stream-${counter}`),
    sessionWebhookExpiredTime: t.clock.now().getTime() + 90 * 60_000,
    createAt: t.clock.now().getTime(),
    text: { content: ` ${text}` },
    ...overrides,
  });
}

/** Pushes a robot message frame; its answer (undefined: none within `timeoutMs`). */
async function deliver(
  data: Json | string,
  timeoutMs?: number,
): Promise<{ id: string; answer: StreamAnswer | undefined }> {
  const id = gateway.callback({ topic: robotMessageTopic, data });
  return { id, answer: await gateway.answer(id, timeoutMs) };
}

const chatRows = () =>
  count(database, sql`select count(*)::int as n from inbox where source = 'chat:dingtalk'`);
const sessionReplies = () => api.callsTo("/robot/sendBySession");

describe("the robot's messages through DingTalk's Stream mode", () => {
  it("subscribes to the robot's topic with the events", async () => {
    await connect();
    const opens = api.callsTo("/v1.0/gateway/connections/open");
    expect(opens[0]?.body.subscriptions).toEqual([
      { type: "EVENT", topic: "*" },
      { type: "CALLBACK", topic: "/v1.0/im/bot/messages/get" },
    ]);
  });

  it("answers `help` through the message's sessionWebhook; the frame is acked once stored", async () => {
    // The bot as wired, watched: what it is handed.
    const seen: InboundEvent[] = [];
    const bot = t.services.bot;
    const accept = bot.accept?.bind(bot);
    if (!accept) throw new Error("the bot accepts events");
    await connect({
      ...t.services,
      bot: {
        receive: (event) => bot.receive(event),
        accept: (event) => {
          seen.push(event);
          return accept(event);
        },
      },
    });
    const data = JSON.stringify(message("help"));
    const { id, answer } = await deliver(data);
    expect(answer).toMatchObject({ code: 200, message: "OK", headers: { messageId: id } });
    expect(JSON.parse(answer?.data ?? "")).toEqual({ response: {} });
    // Acked: the message is in the bot's inbox already.
    expect(await chatRows()).toBe(1);
    await client?.settled();
    const replies = sessionReplies();
    expect(replies).toHaveLength(1);
    expect(replies[0]?.query.session).toBe(`stream-${counter}`);
    const sent = JSON.stringify(replies[0]?.body);
    expect(sent).toContain("markdown");
    expect(sent).toContain(translate("en", "card.help.title"));
    // The evidence names the Stream delivery and the body DingTalk sent.
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ type: "message", idempotencyKey: `msg:msgSTREAM${counter}` });
    expect(seen[0]?.proof).toEqual({
      requestSha256: createHash("sha256").update(data, "utf8").digest("hex"),
      signatureHeader: `stream:${id}`,
    });
    // Nothing of the HTTP route's pair memory is involved.
    expect(await count(database, sql`select count(*)::int as n from dingtalk_callback_pairs`)).toBe(0);
  });

  it("a redelivered message (same msgId) is acked and does nothing twice", async () => {
    await connect();
    const data = message("status");
    expect((await deliver(data)).answer?.code).toBe(200);
    await client?.settled();
    const after = sessionReplies().length + api.sent().length;
    expect(after).toBe(1);
    // DingTalk sends the same message again under a new messageId.
    const again = await deliver(data);
    expect(again.answer).toMatchObject({ code: 200, headers: { messageId: again.id } });
    await client?.settled();
    expect(await chatRows()).toBe(1);
    expect(sessionReplies().length + api.sent().length).toBe(after);
  });

  it("serves only the corps of DINGTALK_CORP_IDS, as over HTTP", async () => {
    await connect();
    const foreignRobot = await deliver(
      message("help", { chatbotCorpId: "dingOTHERCORP", senderCorpId: "dingOTHERCORP" }),
    );
    // Answered (a redelivery would be refused the same), nothing stored, nothing sent.
    expect(foreignRobot.answer?.code).toBe(200);
    expect(t.logs.some((l) => l.includes("robot of another corp"))).toBe(true);
    const outsider = await deliver(message("cases", { senderCorpId: "dingOTHERCORP" }));
    expect(outsider.answer?.code).toBe(200);
    await client?.settled();
    expect(await chatRows()).toBe(0);
    // The outsider gets only the polite refusal, in the chat they wrote in.
    const refusal = sessionReplies();
    expect(refusal).toHaveLength(1);
    expect(JSON.stringify(refusal[0]?.body)).toContain("Baton serves only");
    expect(api.sent()).toHaveLength(0);
  });

  it("drops what the bot does not read, answering it so DingTalk does not re-send", async () => {
    await connect();
    expect((await deliver("{not json")).answer?.code).toBe(200);
    expect((await deliver(message("x", { msgId: undefined }))).answer?.code).toBe(200);
    expect((await deliver(message("", { msgtype: "picture" }))).answer?.code).toBe(200);
    // A msgId too long to be an idempotency key: refused by the bot, answered all the same.
    expect((await deliver(message("help", { msgId: "m".repeat(600) }))).answer?.code).toBe(200);
    expect(t.logs.some((l) => l.includes("robot message refused"))).toBe(true);
    await client?.settled();
    expect(await chatRows()).toBe(0);
    expect(sessionReplies()).toHaveLength(0);
  });

  it("leaves a message it could not store unanswered; the redelivery is stored and answered", async () => {
    const failing = new Proxy(t.services.database.db, {
      get(target, name, receiver) {
        if (name === "insert")
          return () => {
            throw new Error("the database is unavailable");
          };
        return Reflect.get(target, name, receiver);
      },
    }) as Db;
    const brokenDatabase = {
      ...t.services.database,
      db: failing,
      query: () => Promise.reject(new Error("the database is unavailable")),
    } as Database;
    const broken = {
      ...t.services,
      bot: createBot({ ...t.services, database: brokenDatabase }),
    } as Services;
    await connect(broken);
    const data = message("help");
    const first = await deliver(data, 500);
    expect(first.answer).toBeUndefined();
    expect(await chatRows()).toBe(0);
    expect(sessionReplies()).toHaveLength(0);
    expect(t.logs.some((l) => l.includes("left unanswered"))).toBe(true);
    await client?.stop();

    await connect();
    const again = await deliver(data);
    expect(again.answer?.code).toBe(200);
    expect(await chatRows()).toBe(1);
    await client?.settled();
    expect(sessionReplies()).toHaveLength(1);
  });

  it("gives notice: `我要离职` → the notice form in the 1:1 chat → its page → the receipt", async () => {
    await connect();
    expect((await deliver(message("我要离职"))).answer?.code).toBe(200);
    await client?.settled();
    // The card with buttons goes to the person's 1:1 chat through the OpenAPI, its button a link.
    const form = api
      .sent()
      .filter((s) => s.to === "dt-e1")
      .flatMap((s) => [s.param.singleURL, s.param.actionURL1])
      .filter((u): u is string => typeof u === "string")
      .map(unwrapLink)
      .find((u) => new URL(u).pathname.startsWith("/a/"));
    expect(form, JSON.stringify(api.sent())).toBeDefined();
    const shown = await t.linkPage(form as string);
    expect(shown.status).toBe(200);
    expect(await shown.text()).toContain("<form");
    const posted = await t.linkPage(form as string, { lastDay: "2026-04-01", reason: "Family" });
    const html = await posted.text();
    expect(posted.status, html).toBe(200);
    expect(html).toContain("Notice received");
    await client?.settled();
    expect(api.sent().some((s) => s.to === "dt-e1" && s.param.title === "Notice received")).toBe(true);
    const res = await request(t, "GET", "/api/v1/cases?employee=E1");
    const cases = ((await res.json()) as { cases: { noticeChannel: string; noticeDate: string }[] }).cases;
    expect(cases).toHaveLength(1);
    expect(cases[0]).toMatchObject({ noticeChannel: "dingtalk", noticeDate: "2026-03-02" });
    expect(await evidenceCount(database, "notice.received")).toBe(1);
  });
});
