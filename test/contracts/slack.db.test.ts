import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, expect } from "vitest";
import { configureSlack, slackRuntime } from "../../adapters/http/slack.ts";
import type { RawRequest } from "../../adapters/shared/surface.ts";
import { parseSlackRequest } from "../../adapters/slack/parse.ts";
import { slackSignature } from "../../adapters/slack/verify.ts";
import type { InboundEvent } from "../../bots/events.ts";
import { help } from "../../cards/templates/general.ts";
import { translate } from "../../core/messages/index.ts";
import type { Database } from "../../db/client.ts";
import { commandRequest, eventRequest, interactionRequest, testSigningSecret } from "../fakes/slack.ts";
import { type FakeSlackApi, startFakeSlackApi } from "../fakes/slack-api.ts";
import { createTestApp, type TestApp } from "../helpers/app.ts";
import { resetDatabase, testDatabase } from "../helpers/db.ts";
import { type ContractRequest, runSurfaceContract } from "./surface-contract.ts";

/**
 * Slack's run of the surface contract: requests signed like Slack signs them (v0 HMAC over the raw
 * body), through the whole HTTP app and the real Bolt App, with the real WebClient pointed at a
 * local fake of Slack's Web API. An effect is a bot call or a message posted to the fake.
 */

let database: Database;
let fake: FakeSlackApi;
let t: TestApp;
let botCalls: InboundEvent[];
const seen = new Set<string>();

beforeAll(async () => {
  database = await testDatabase();
  fake = await startFakeSlackApi();
});
afterAll(async () => {
  await fake.close();
});

function envelope(eventId: string, text = "help") {
  return {
    token: "legacy-verification-token",
    team_id: "T0ACME",
    context_team_id: "T0ACME",
    api_app_id: "A0BATON",
    event: {
      user: "U0LILEI",
      type: "message",
      ts: "1772410500.000100",
      text,
      team: "T0ACME",
      channel: "D0LILEI",
      event_ts: "1772410500.000100",
      channel_type: "im",
    },
    type: "event_callback",
    event_id: eventId,
    event_time: 1772410500,
    authorizations: [{ team_id: "T0ACME", user_id: "U0BATON", is_bot: true, is_enterprise_install: false }],
    is_ext_shared_channel: false,
  };
}

function contract(request: RawRequest): ContractRequest {
  return { path: "/webhooks/slack", headers: { ...request.headers }, body: request.body };
}

/** A message.im signed at `at` (the app's clock is real time). */
function signedEvent(eventId: string, options: { at?: number; secret?: string; retry?: boolean } = {}) {
  const body = JSON.stringify(envelope(eventId));
  const timestamp = options.at ?? Math.floor(Date.now() / 1000);
  return {
    path: "/webhooks/slack",
    headers: {
      "content-type": "application/json",
      "x-slack-request-timestamp": String(timestamp),
      "x-slack-signature": slackSignature(options.secret ?? testSigningSecret, timestamp, body),
      ...(options.retry ? { "x-slack-retry-num": "1", "x-slack-retry-reason": "http_timeout" } : {}),
    },
    body,
  } satisfies ContractRequest;
}

type Fixture = {
  request:
    | { kind: "event"; body: unknown; headers?: Record<string, string> }
    | { kind: "interaction"; payload: unknown }
    | { kind: "command"; form: Record<string, string> };
  expect: { kind: "handshake" | "ignored" | "events" };
};

runSurfaceContract({
  surface: "slack",
  async setup() {
    await resetDatabase(database);
    fake.reset();
    t = await createTestApp(database, {
      env: {
        SLACK_SIGNING_SECRET: testSigningSecret,
        SLACK_BOT_TOKEN: "xoxb-contract",
        SLACK_API_URL: fake.apiUrl,
        SLACK_TEAM_IDS: "T0ACME",
      },
    });
    configureSlack(t.config, {});
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
  },
  send: (request) =>
    t.request(request.path, {
      method: request.method ?? "POST",
      headers: request.headers,
      body: request.body,
    }),
  async valid(id) {
    const eventId = id ?? `Ev${Math.random().toString(36).slice(2, 12).toUpperCase()}`;
    const retry = seen.has(eventId);
    seen.add(eventId);
    return signedEvent(eventId, { retry });
  },
  async forged() {
    const good = signedEvent("EvFORGED1");
    const now = Math.floor(Date.now() / 1000);
    const tampered = { ...good, body: good.body.replace('"help"', '"resign"') };
    const noSignature = { ...good, headers: { ...good.headers } };
    delete (noSignature.headers as Record<string, string>)["x-slack-signature"];
    const noTimestamp = { ...good, headers: { ...good.headers } };
    delete (noTimestamp.headers as Record<string, string>)["x-slack-request-timestamp"];
    return [
      {
        name: "signed with another secret",
        request: signedEvent("EvFORGED1", { secret: "not-the-secret" }),
        status: 401,
      },
      { name: "body changed after signing", request: tampered, status: 401 },
      { name: "no signature", request: noSignature, status: 401 },
      { name: "no timestamp", request: noTimestamp, status: 401 },
      {
        name: "signature of another timestamp",
        request: { ...good, headers: { ...good.headers, "x-slack-request-timestamp": String(now - 1) } },
        status: 401,
      },
      {
        name: "malformed signature",
        request: { ...good, headers: { ...good.headers, "x-slack-signature": "v1=abc" } },
        status: 401,
      },
      {
        name: "more than 5 minutes in the future",
        request: signedEvent("EvFORGED1", { at: now + 301 }),
        status: 401,
      },
    ];
  },
  async stale() {
    return signedEvent("EvSTALE1", { at: Math.floor(Date.now() / 1000) - 301 });
  },
  async handshake() {
    const body = { token: "x", challenge: "chal-123", type: "url_verification" };
    return {
      request: contract(eventRequest(body, new Date())),
      async check(response) {
        expect(response.status).toBe(200);
        expect(await response.json()).toEqual({ challenge: "chal-123" });
      },
    };
  },
  async unknownEvent() {
    const body = {
      ...envelope("EvHOME1"),
      event: { type: "app_home_opened", user: "U0LILEI", channel: "D0LILEI", tab: "messages" },
    };
    return contract(eventRequest(body, new Date()));
  },
  async fixtures() {
    const dir = path.join(import.meta.dirname, "../fixtures/slack");
    const now = new Date();
    return readdirSync(dir)
      .filter((file) => file.endsWith(".json"))
      .map((file) => {
        const fixture = JSON.parse(readFileSync(path.join(dir, file), "utf8")) as Fixture;
        const r = fixture.request;
        const request =
          r.kind === "event"
            ? eventRequest(r.body, now, r.headers)
            : r.kind === "interaction"
              ? interactionRequest(r.payload, now)
              : commandRequest(r.form, now);
        return { name: file, request, expect: fixture.expect.kind };
      });
  },
  parse: (request) => parseSlackRequest(request, { now: new Date() }),
  async effects() {
    await slackRuntime(t.services)?.idle();
    return botCalls.length + fake.callsTo("chat.postMessage").length;
  },
});
