import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { configureLark, larkRuntime } from "../../adapters/http/lark.ts";
import { parseLarkPayload } from "../../adapters/lark/parse.ts";
import { openLarkBody } from "../../adapters/lark/verify.ts";
import type { RawRequest } from "../../adapters/shared/surface.ts";
import type { InboundEvent } from "../../bots/events.ts";
import { help } from "../../cards/templates/general.ts";
import { translate } from "../../core/messages/index.ts";
import type { Database } from "../../db/client.ts";
import {
  cardActionPayload,
  envelope,
  signedLarkRequest,
  testBotOpenId,
  testEncryptKey,
  testTenantKey,
  testVerificationToken,
} from "../fakes/lark.ts";
import { type FakeLarkApi, startFakeLarkApi } from "../fakes/lark-api.ts";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { resetDatabase, testDatabase } from "../helpers/db.ts";
import { larkEnv } from "../helpers/lark.ts";
import { type ContractRequest, runSurfaceContract } from "./surface-contract.ts";

/**
 * Lark's run of the surface contract: requests encrypted and signed like Lark does (SHA-256 over
 * timestamp + nonce + encrypt key + raw body), through the whole HTTP app and the SDK's dispatcher,
 * with the real SDK `Client` pointed at a local fake of the open API. An effect is a bot call or a
 * message sent to the fake.
 */

let database: Database;
let fake: FakeLarkApi;
let t: TestApp;
let botCalls: InboundEvent[];

beforeAll(async () => {
  database = await testDatabase();
  fake = await startFakeLarkApi();
});
afterAll(async () => {
  await fake.close();
});

const employeeOpenId = "ou_84aad35d084aa403a838cf73ee18467";

function messagePayload(
  messageId: string,
  options: { eventId?: string; text?: string; senderTenant?: string; tenant?: string } = {},
) {
  const payload = envelope(
    "im.message.receive_v1",
    {
      sender: {
        sender_id: {
          union_id: "on_8ed6aa67826108097d9ee143816345",
          user_id: "e1101",
          open_id: employeeOpenId,
        },
        sender_type: "user",
        tenant_key: options.senderTenant ?? testTenantKey,
      },
      message: {
        message_id: messageId,
        create_time: "1772414099871",
        chat_id: "oc_5ce6d572455d361153b7cb51da133945",
        chat_type: "p2p",
        message_type: "text",
        content: JSON.stringify({ text: options.text ?? "help" }),
      },
    },
    { eventId: options.eventId ?? `ev_${messageId}` },
  ) as { header: Record<string, unknown> };
  if (options.tenant) payload.header.tenant_key = options.tenant;
  return payload;
}

function contract(request: RawRequest): ContractRequest {
  return { path: "/webhooks/lark", headers: { ...request.headers }, body: request.body };
}

const signed = (payload: unknown, options: Partial<Parameters<typeof signedLarkRequest>[0]> = {}) =>
  contract(signedLarkRequest({ payload, now: new Date(), ...options }));

async function setup(): Promise<void> {
  await resetDatabase(database);
  fake.reset();
  t = await createTestApp(database, { env: larkEnv(fake) });
  configureLark(t.config, {});
  botCalls = [];
  t.services.bot = {
    async receive(event) {
      botCalls.push(event);
      return {
        duplicate: false,
        replies: [{ type: "reply", card: help({ roles: ["employee"] }, { locale: "en", t: translate }) }],
      };
    },
  };
}

const send = (request: ContractRequest) =>
  t.request(request.path, { method: request.method ?? "POST", headers: request.headers, body: request.body });

async function effects(): Promise<number> {
  await larkRuntime(t.services)?.idle();
  return botCalls.length + fake.callsTo("create").length;
}

type Fixture = { payload: Record<string, unknown>; expect: { kind: "handshake" | "ignored" | "events" } };

runSurfaceContract({
  surface: "lark",
  setup,
  send,
  async valid(id) {
    const messageId = id ? `om_${id}` : `om_${Math.random().toString(36).slice(2, 14)}`;
    return signed(messagePayload(messageId));
  },
  async forged() {
    const good = signed(messagePayload("om_forged1"));
    const now = Math.floor(Date.now() / 1000);
    const noSignature = { ...good, headers: { ...good.headers } };
    delete (noSignature.headers as Record<string, string>)["x-lark-signature"];
    const unsignedEvent = signed(messagePayload("om_forged2"), { unsigned: true });
    const wrongToken = messagePayload("om_forged3") as { header: Record<string, unknown> };
    wrongToken.header.token = "not-the-verification-token";
    const plain = signed(messagePayload("om_forged4"), { encrypt: false });
    return [
      {
        name: "signed with another encrypt key",
        request: signed(messagePayload("om_forged1"), { encryptKey: "another-encrypt-key" }),
        status: 401,
      },
      {
        name: "body changed after signing",
        request: {
          ...good,
          body: good.body.replace(/"encrypt":"(.)/, (_m, c: string) => `"encrypt":"${c === "A" ? "B" : "A"}`),
        },
        status: 401,
      },
      {
        name: "pretty-printed after signing (the SDK would accept it)",
        request: { ...good, body: JSON.stringify(JSON.parse(good.body), null, 2) },
        status: 401,
      },
      { name: "no signature", request: noSignature, status: 401 },
      { name: "an event without any signature header", request: unsignedEvent, status: 401 },
      {
        name: "signature of another timestamp",
        request: {
          ...good,
          headers: {
            ...good.headers,
            "x-lark-request-timestamp": String(Number(good.headers["x-lark-request-timestamp"]) - 1),
          },
        },
        status: 401,
      },
      { name: "wrong verification token inside", request: signed(wrongToken), status: 401 },
      {
        name: "plaintext body re-signed with the wrong key",
        request: { ...plain, headers: { ...plain.headers, "x-lark-signature": "0".repeat(64) } },
        status: 401,
      },
      {
        name: "more than 5 minutes in the future",
        request: signed(messagePayload("om_forged5"), { timestamp: now + 301 }),
        status: 401,
      },
    ];
  },
  async stale() {
    return signed(messagePayload("om_stale1"), { timestamp: Math.floor(Date.now() / 1000) - 8 * 3600 - 1 });
  },
  async handshake() {
    const body = { challenge: "ajls384kdjx98XX", token: testVerificationToken, type: "url_verification" };
    return {
      request: signed(body, { unsigned: true }),
      async check(response) {
        expect(response.status).toBe(200);
        expect(await response.json()).toEqual({ challenge: "ajls384kdjx98XX" });
      },
    };
  },
  async unknownEvent() {
    return signed(
      envelope("im.chat.member.bot.added_v1", { chat_id: "oc_new", operator_id: { open_id: "ou_1" } }),
    );
  },
  async fixtures() {
    const dir = path.join(import.meta.dirname, "../fixtures/lark");
    const now = new Date();
    return readdirSync(dir)
      .filter((file) => file.endsWith(".json"))
      .map((file) => {
        const fixture = JSON.parse(readFileSync(path.join(dir, file), "utf8")) as Fixture;
        const unsigned = fixture.payload.type === "url_verification";
        return {
          name: file,
          request: signedLarkRequest({ payload: fixture.payload, now, unsigned }),
          expect: fixture.expect.kind,
        };
      });
  },
  parse: (request) =>
    parseLarkPayload(openLarkBody(request.body, testEncryptKey), {
      now: new Date(),
      botOpenId: testBotOpenId,
    }),
  effects,
});

describe("the Lark route beyond the contract", () => {
  it("answers 404 while Lark is off (no tenant allow-list)", async () => {
    await resetDatabase(database);
    const env = larkEnv(fake);
    const { LARK_TENANT_KEYS: _, ...withoutTenants } = env;
    const off = await createTestApp(database, { env: withoutTenants });
    const res = await off.request("/webhooks/lark", {
      method: "POST",
      headers: signed(messagePayload("om_off")).headers,
      body: signed(messagePayload("om_off")).body,
    });
    expect(res.status).toBe(404);
  });

  it("a redelivery of the same message under a new event_id does nothing again", async () => {
    await setup();
    expect((await send(signed(messagePayload("om_twice", { eventId: "ev_a" })))).status).toBe(200);
    expect((await send(signed(messagePayload("om_twice", { eventId: "ev_b" })))).status).toBe(200);
    expect(await effects()).toBe(2); // one bot call, one answer sent
    const rows = await database.query<{ n: number }>(
      sql`select count(*)::int as n from inbox where source = 'lark:events'`,
    );
    expect(rows[0]?.n).toBe(1);
  });

  it("serves only tenants in LARK_TENANT_KEYS: another tenant's event is 200 and nothing is done", async () => {
    await setup();
    const res = await send(
      signed(messagePayload("om_other", { tenant: "736588c9260f175d", senderTenant: "736588c9260f175d" })),
    );
    expect(res.status).toBe(200);
    expect(await effects()).toBe(0);
    const rows = await database.query<{ n: number }>(sql`select count(*)::int as n from inbox`);
    expect(rows[0]?.n).toBe(0);
  });

  it("refuses an external contact politely in the 1:1 chat and stores nothing", async () => {
    await setup();
    const res = await send(signed(messagePayload("om_ext", { senderTenant: "736588c9260f175d" })));
    expect(res.status).toBe(200);
    await larkRuntime(t.services)?.idle();
    expect(botCalls).toHaveLength(0);
    const [sent] = fake.callsTo("create");
    expect(sent?.query.receive_id_type).toBe("chat_id");
    expect(JSON.stringify(sent?.card)).toContain(translate("en", "bot.external.title"));
    const rows = await database.query<{ n: number }>(sql`select count(*)::int as n from inbox`);
    expect(rows[0]?.n).toBe(0);
  });

  it("answers a click inline; a slow bot gets `{}` first and the card is patched afterwards", async () => {
    await setup();
    const receipt = help({ roles: ["employee"] }, { locale: "en", t: translate });
    t.services.bot = {
      async receive(event) {
        botCalls.push(event);
        return { duplicate: false, replies: [{ type: "replace", card: receipt }] };
      },
    };
    const button = {
      button: {
        tag: "button",
        behaviors: [{ type: "callback", value: { baton: { action: "help.show", chat: "d" } } }],
      },
    };
    const click = (eventId: string) =>
      signed(cardActionPayload(button, {}, { eventId, openId: employeeOpenId, messageId: "om_card1" }));
    const fast = await send(click("ev_fast"));
    const answer = (await fast.json()) as {
      toast?: { type: string; content: string };
      card?: { type: string };
    };
    expect(answer.toast).toEqual({ type: "info", content: receipt.header.title });
    expect(answer.card?.type).toBe("raw");
    expect(botCalls[0]).toMatchObject({ type: "action", action: "help.show", where: { chatType: "direct" } });

    const slowApp = await createTestApp(database, { env: larkEnv(fake) });
    configureLark(slowApp.config, { ackDeadlineMs: 30 });
    slowApp.services.bot = {
      async receive() {
        await new Promise((resolve) => setTimeout(resolve, 150));
        return { duplicate: false, replies: [{ type: "replace", card: receipt }] };
      },
    };
    const request = click("ev_slow");
    const slow = await slowApp.request(request.path, {
      method: "POST",
      headers: request.headers,
      body: request.body,
    });
    expect(await slow.json()).toEqual({});
    await larkRuntime(slowApp.services)?.idle();
    const [patched] = fake.callsTo("patch");
    expect(patched?.path).toBe("/open-apis/im/v1/messages/om_card1");
    expect(patched?.card?.header).toMatchObject({ title: { content: receipt.header.title } });
  });

  it("answers an external contact's click with a warning toast, nothing handled or stored", async () => {
    await setup();
    const button = {
      button: { tag: "button", behaviors: [{ type: "callback", value: { baton: { action: "help.show" } } }] },
    };
    const res = await send(
      signed(cardActionPayload(button, {}, { eventId: "ev_ext_click", operatorTenant: "736588c9260f175d" })),
    );
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      toast?: { type: string; i18n?: Record<string, string> };
      card?: unknown;
    };
    expect(body.toast?.type).toBe("warning");
    expect(body.toast?.i18n?.en_us).toBe(translate("en", "bot.external.title"));
    expect(body.card).toBeUndefined();
    expect(await effects()).toBe(0);
    const rows = await database.query<{ n: number }>(sql`select count(*)::int as n from inbox`);
    expect(rows[0]?.n).toBe(0);
  });

  it("answers a message by sending the bot's card to the chat through the SDK, with a tenant token", async () => {
    await setup();
    expect((await send(signed(messagePayload("om_help")))).status).toBe(200);
    await larkRuntime(t.services)?.idle();
    expect(botCalls[0]).toMatchObject({
      surface: "lark",
      type: "message",
      text: "help",
      idempotencyKey: "message:om_help",
      who: { userId: employeeOpenId },
      where: { chatType: "direct" },
      proof: { requestSha256: expect.stringMatching(/^[0-9a-f]{64}$/) },
    });
    const [token] = fake.callsTo("token");
    expect(token?.body).toMatchObject({ app_id: expect.any(String) });
    const [sent] = fake.callsTo("create");
    expect(sent?.query).toEqual({ receive_id_type: "chat_id" });
    expect(sent?.body.receive_id).toBe("oc_5ce6d572455d361153b7cb51da133945");
    expect(sent?.body.msg_type).toBe("interactive");
    expect(sent?.card?.schema).toBe("2.0");
    expect(sent?.authorization).toMatch(/^Bearer t-fake-/);
    expect(t.logs.join("\n")).not.toContain(testEncryptKey);
  });
});
