import { sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { InboundEvent } from "../../bots/events.ts";
import type { BotOutcome, Reply } from "../../bots/reply.ts";
import { Card, type CardNode, Text } from "../../cards/model.ts";
import { translate } from "../../core/messages/index.ts";
import type { Database } from "../../db/client.ts";
import { enqueueNotification } from "../../db/outbox.ts";
import { type FakeBotConnector, startFakeBotConnector } from "../../test/fakes/bot-connector.ts";
import {
  executeActions,
  executeInvoke,
  submitMessage,
  validateAdaptiveCard,
} from "../../test/fakes/teams.ts";
import { createTestApp, manualClock, type TestApp } from "../../test/helpers/app.ts";
import { resetDatabase, testDatabase } from "../../test/helpers/db.ts";
import { adminToken, createKey, request, seedCompany } from "../../test/helpers/offboarding.ts";
import {
  appId,
  botId,
  channelMessage,
  countOf,
  linkTeams,
  nextActivityId,
  outboundToken,
  personalMessage,
  postActivity,
  type TeamsUser,
  teamsInboxRows,
  teamsTestApp,
  teamsUser,
  tenantId,
} from "../../test/helpers/teams.ts";

let database: Database;
let fake: FakeBotConnector;
let t: TestApp;
let clock: ReturnType<typeof manualClock>;

const e1 = teamsUser("E1", "Leaver");
const m1 = teamsUser("M1", "Manager One");
const hr1 = teamsUser("HR1", "HR One");
const channel = "19:hr-channel-0001@thread.tacv2";

type Json = Record<string, unknown>;
type AdaptiveCardJson = { type: string; version: string; body: Json[] };

beforeAll(async () => {
  database = await testDatabase();
  fake = await startFakeBotConnector(appId);
});

afterAll(async () => {
  await fake.close();
});

beforeEach(async () => {
  await resetDatabase(database);
  clock = manualClock(new Date("2026-03-02T02:00:00Z"));
  t = await teamsTestApp(database, fake, { clock, env: { BATON_ADMIN_TOKEN: adminToken } });
  t.services.gates = [];
  await seedCompany(t);
  for (const user of [e1, m1, hr1]) await linkTeams(database, user.externalId, user.userId);
  fake.calls.length = 0;
  fake.failed.length = 0;
});

const card = (title: string, ...children: Parameters<typeof Card>[1]): CardNode =>
  Card({ title, tone: "info" }, children);

/** Replaces the bot with one that records events and answers `replies`. */
function fakeBot(
  replies: (event: InboundEvent) => Reply[] | Promise<Reply[]>,
  duplicate = false,
): InboundEvent[] {
  const seen: InboundEvent[] = [];
  t.services.bot = {
    async receive(event): Promise<BotOutcome> {
      seen.push(event);
      return { duplicate, replies: await replies(event) };
    },
  };
  return seen;
}

/** The Adaptive Card of a message the connector received (checked by the `adaptivecards` parser). */
function cardOf(body: Json): AdaptiveCardJson {
  const attachments = body.attachments as { contentType: string; content: AdaptiveCardJson }[];
  expect(attachments?.[0]?.contentType).toBe("application/vnd.microsoft.card.adaptive");
  const content = attachments[0]?.content as AdaptiveCardJson;
  expect(validateAdaptiveCard(content)).toEqual([]);
  return content;
}

/** The plain texts of a card (the title first). */
function textsOf(card: AdaptiveCardJson): string[] {
  const out: string[] = [];
  const visit = (value: unknown) => {
    if (Array.isArray(value)) for (const v of value) visit(v);
    else if (value && typeof value === "object") {
      const o = value as Json;
      if (o.type === "TextRun" && typeof o.text === "string") out.push(o.text);
      for (const v of Object.values(o)) visit(v);
    }
  };
  visit(card.body);
  return out;
}

const titleOf = (card: AdaptiveCardJson) => textsOf(card)[0];

describe("POST /webhooks/teams", () => {
  it("is off (404) until Teams is configured, and a bot without its tenant id stays off", async () => {
    const off = await createTestApp(database);
    expect((await off.request("/webhooks/teams", { method: "POST", body: "{}" })).status).toBe(404);
    const noTenant = await createTestApp(database, {
      env: { TEAMS_APP_ID: appId, TEAMS_APP_PASSWORD: "p" },
    });
    expect((await noTenant.request("/webhooks/teams", { method: "POST", body: "{}" })).status).toBe(404);
  });

  it("answers a message through the bot, replying in the chat with an Adaptive Card, and keeps the chat's reference", async () => {
    const message = personalMessage(fake, e1, "help");
    const res = await postActivity(t, fake, message);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("");
    const [reply] = fake.calls;
    expect(fake.calls).toHaveLength(1);
    expect(reply).toMatchObject({
      kind: "reply",
      conversationId: e1.chat,
      activityId: message.id,
      authorization: `Bearer ${outboundToken}`,
    });
    expect(titleOf(cardOf(reply?.body ?? {}))).toBe(translate("en", "card.help.title"));
    const [stored] = await database.query<{
      key: string;
      user_id: string;
      aad_object_id: string;
      service_url: string;
    }>(sql`select key, user_id, aad_object_id, service_url from teams_references`);
    expect(stored).toEqual({
      key: `user:${e1.userId}`,
      user_id: e1.userId,
      aad_object_id: e1.aadObjectId,
      service_url: fake.serviceUrl,
    });
  });

  it("refuses another tenant with 403 and does nothing", async () => {
    const other = "00000000-1111-4000-8000-000000000099";
    const message = personalMessage(fake, e1, "help", {
      conversation: { conversationType: "personal", tenantId: other, id: e1.chat },
      channelData: { tenant: { id: other } },
    });
    const res = await postActivity(t, fake, message);
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("forbidden");
    expect(fake.calls).toHaveLength(0);
    expect(await teamsInboxRows(database)).toBe(0);
    expect(await countOf(database, sql`select count(*) as n from teams_references`)).toBe(0);
  });

  it("refuses activities of another Bot Framework channel (Web Chat, Direct Line) with 403", async () => {
    const seen = fakeBot(() => []);
    const webChat = personalMessage(fake, e1, "help", { channelId: "webchat" });
    const res = await postActivity(t, fake, webChat);
    expect(res.status).toBe(403);
    expect(seen).toHaveLength(0);
    expect(fake.calls).toHaveLength(0);
  });

  it("does nothing again for a redelivered activity id, but the same id in another chat is a new event", async () => {
    const message = personalMessage(fake, e1, "help");
    expect((await postActivity(t, fake, message)).status).toBe(200);
    expect((await postActivity(t, fake, message)).status).toBe(200);
    expect(await teamsInboxRows(database)).toBe(1);
    expect(fake.calls).toHaveLength(1);
    // Teams' message ids are timestamps: another person's chat may have the same one.
    const elsewhere = personalMessage(fake, m1, "help", { id: message.id });
    expect((await postActivity(t, fake, elsewhere)).status).toBe(200);
    expect(await teamsInboxRows(database)).toBe(2);
    expect(fake.calls).toHaveLength(2);
  });

  it("answers a card click (adaptiveCard/action) with the card that replaces it, from the real bot", async () => {
    expect((await postActivity(t, fake, personalMessage(fake, e1, "resign"))).status).toBe(200);
    const form = cardOf(fake.calls[0]?.body ?? {});
    const submit = executeActions(form).find((a) => a.verb === "notice.submit");
    expect(submit).toBeDefined();
    const click = executeInvoke(
      submit as Json,
      { lastDay: "2026-04-01" },
      {
        id: `f:${nextActivityId()}`,
        serviceUrl: fake.serviceUrl,
        from: { id: e1.userId, name: e1.name, aadObjectId: e1.aadObjectId },
        conversation: { conversationType: "personal", tenantId, id: e1.chat },
        recipient: { id: botId, name: "Baton" },
        locale: "en-US",
      },
    );
    const res = await postActivity(t, fake, click);
    expect(res.status).toBe(200);
    const answer = (await res.json()) as { statusCode: number; type: string; value: AdaptiveCardJson };
    expect(answer.statusCode).toBe(200);
    expect(answer.type).toBe("application/vnd.microsoft.card.adaptive");
    expect(validateAdaptiveCard(answer.value)).toEqual([]);
    expect(titleOf(answer.value)).toBe("Notice received");
    expect(textsOf(answer.value).join(" ")).toContain("2026-04-01");
    // Answered in place: nothing else was posted.
    expect(fake.calls).toHaveLength(1);
    const cases = await countOf(database, sql`select count(*) as n from cases`);
    expect(cases).toBe(1);
  });

  it("posts other cards of a click as messages and answers the invoke with a short message", async () => {
    const seen = fakeBot(() => [{ type: "reply", card: card("Not allowed", Text("No.")) }]);
    const click = executeInvoke(
      { verb: "case.open", title: "Open", data: { _baton: { action: "case.open", value: "C-1" } } },
      {},
      {
        id: "f:click-1",
        serviceUrl: fake.serviceUrl,
        from: { id: e1.userId, name: e1.name },
        conversation: { conversationType: "personal", tenantId, id: e1.chat },
        recipient: { id: botId, name: "Baton" },
      },
    );
    const res = await postActivity(t, fake, click);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      statusCode: 200,
      type: "application/vnd.microsoft.activity.message",
      value: "Not allowed",
    });
    expect(seen[0]).toMatchObject({ type: "action", action: "case.open", value: "C-1" });
    expect(fake.calls.map((c) => c.kind)).toEqual(["reply"]);
  });

  it("sends a card for the person's eyes only to their 1:1 chat when they click in a group (opening the chat)", async () => {
    fakeBot(() => [{ type: "direct", card: card("Your checklist", Text("Private.")) }]);
    const click = executeInvoke(
      { verb: "step.open", title: "Open", data: { _baton: { action: "step.open", value: "C-1:handover" } } },
      {},
      {
        id: "f:click-2",
        serviceUrl: fake.serviceUrl,
        from: { id: m1.userId, name: m1.name, aadObjectId: m1.aadObjectId },
        conversation: {
          conversationType: "channel",
          tenantId,
          id: `${channel};messageid=1772410400000`,
          isGroup: true,
        },
        channelData: {
          tenant: { id: tenantId },
          channel: { id: channel },
          team: { id: "19:team@thread.tacv2" },
        },
        recipient: { id: botId, name: "Baton" },
      },
    );
    const res = await postActivity(t, fake, click);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { value: string }).value).toBe("Your checklist");
    const [create, sent] = fake.calls;
    expect(create).toMatchObject({ kind: "create", body: { isGroup: false, members: [{ id: m1.userId }] } });
    expect(sent).toMatchObject({ kind: "send", conversationId: create?.answeredId });
    expect(titleOf(cardOf(sent?.body ?? {}))).toBe("Your checklist");
    // The chat is remembered: the next one goes straight there.
    await postActivity(t, fake, { ...click, id: "f:click-3" });
    expect(fake.calls.map((c) => c.kind)).toEqual(["create", "send", "send"]);
  });

  it("updates the card message for an Action.Submit click (older clients)", async () => {
    fakeBot(() => [{ type: "replace", card: card("Saved", Text("Done.")) }]);
    const action = {
      type: "Action.Execute",
      verb: "handover.update",
      title: "Save",
      data: { _baton: { action: "handover.update", value: "C-1" } },
      fallback: {
        type: "Action.Submit",
        title: "Save",
        data: { _baton: { action: "handover.update", value: "C-1" } },
      },
    };
    const submit = submitMessage(action, { note: "all handed over" });
    const body = {
      ...submit,
      id: nextActivityId(),
      serviceUrl: fake.serviceUrl,
      from: { id: e1.userId, name: e1.name },
      conversation: { conversationType: "personal", tenantId, id: e1.chat },
    };
    expect((await postActivity(t, fake, body)).status).toBe(200);
    expect(fake.calls).toHaveLength(1);
    expect(fake.calls[0]).toMatchObject({
      kind: "update",
      conversationId: e1.chat,
      activityId: "1772410400000",
    });
    expect(titleOf(cardOf(fake.calls[0]?.body ?? {}))).toBe("Saved");
  });

  it("answers a person picker's search with the bot's options (at most 15)", async () => {
    const options = Array.from({ length: 20 }, (_, i) => ({ label: `Person ${i}`, value: `employee:P${i}` }));
    const seen = fakeBot(() => [{ type: "options", options }]);
    const search = personalMessage(fake, e1, "", {
      type: "invoke",
      name: "application/search",
      text: undefined,
      id: "f:search-1",
      value: {
        kind: "search",
        queryText: "Per",
        queryOptions: { skip: 0, top: 15 },
        dataset: "people.receiver",
      },
    });
    const res = await postActivity(t, fake, search);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { statusCode: number; type: string; value: { results: unknown[] } };
    expect(body.type).toBe("application/vnd.microsoft.search.searchResponse");
    expect(body.value.results).toHaveLength(15);
    expect(seen[0]).toMatchObject({ type: "search", action: "people.receiver", query: "Per" });
  });

  it("answers unknown invokes cleanly (never a 500), without asking the bot", async () => {
    const seen = fakeBot(() => []);
    const taskFetch = personalMessage(fake, e1, "", {
      type: "invoke",
      name: "task/fetch",
      id: "f:t-1",
      value: {},
    });
    const unknown = await postActivity(t, fake, taskFetch);
    expect(unknown.status).toBe(200);
    expect(await unknown.text()).toBe("");
    const submitAsInvoke = personalMessage(fake, e1, "", {
      type: "invoke",
      name: "adaptiveCard/action",
      id: "f:t-2",
      value: { action: { type: "Action.Submit", data: {} } },
    });
    const refused = await postActivity(t, fake, submitAsInvoke);
    expect(refused.status).toBe(200);
    expect(await refused.json()).toMatchObject({ statusCode: 400, type: "application/vnd.microsoft.error" });
    expect(seen).toHaveLength(0);
  });

  it("answers a click whose handling fails with Teams' error body, not a 500", async () => {
    t.services.bot = {
      receive: () => Promise.reject(new Error("database down")),
    };
    const click = executeInvoke(
      { verb: "case.open", title: "Open", data: { _baton: { action: "case.open", value: "C-1" } } },
      {},
      { id: "f:boom", serviceUrl: fake.serviceUrl, locale: "en-US" },
    );
    const res = await postActivity(t, fake, click);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      statusCode: 500,
      type: "application/vnd.microsoft.error",
      value: { code: "InternalError", message: translate("en", "bot.error.internal") },
    });
  });

  it("refuses malformed bodies with 400 and the one error shape", async () => {
    const notJson = await t.request("/webhooks/teams", {
      method: "POST",
      headers: { authorization: `Bearer ${await fake.token({ serviceUrl: fake.serviceUrl })}` },
      body: "{nope",
    });
    expect(notJson.status).toBe(400);
    const noType = personalMessage(fake, e1, "help", { type: undefined });
    expect((await postActivity(t, fake, noType)).status).toBe(400);
    const noId = personalMessage(fake, e1, "help", { id: undefined });
    const res = await postActivity(t, fake, noId);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("bad_request");
    expect(await teamsInboxRows(database)).toBe(0);
  });

  it("knows a person by the Entra object id when that is what HR stored", async () => {
    const seen = fakeBot(() => []);
    await linkTeams(database, "E2", "6a1b2c3d-0000-4000-8000-0000000000e2");
    const e2 = { ...teamsUser("E2"), aadObjectId: "6a1b2c3d-0000-4000-8000-0000000000e2" };
    await postActivity(t, fake, personalMessage(fake, e2, "status"));
    await postActivity(t, fake, personalMessage(fake, e1, "status"));
    expect(seen.map((e) => e.who.userId)).toEqual([e2.aadObjectId, e1.userId]);
  });

  it("binds a channel with `bind hr` in a thread as the channel itself", async () => {
    const res = await postActivity(t, fake, channelMessage(fake, hr1, channel, "bind hr"));
    expect(res.status).toBe(200);
    const [bound] = await database.query<{ platform: string; channel_id: string }>(
      sql`select platform, channel_id from channels`,
    );
    expect(bound).toEqual({ platform: "teams", channel_id: channel });
    expect(fake.calls.at(-1)).toMatchObject({ kind: "reply" });
  });
});

describe("the local unauthenticated mode (TEAMS_ALLOW_UNAUTHENTICATED)", () => {
  it("takes activities without a token, but only from and to loopback service URLs", async () => {
    const local = await createTestApp(database, {
      clock,
      env: { BATON_ADMIN_TOKEN: adminToken, TEAMS_ALLOW_UNAUTHENTICATED: "1" },
    });
    local.services.bot = t.services.bot;
    const message = personalMessage(fake, e1, "help");
    const res = await postActivity(local, fake, message, { token: null });
    expect(res.status).toBe(200);
    expect(fake.calls.at(-1)).toMatchObject({ kind: "reply", authorization: undefined });
    const remote = await postActivity(
      local,
      fake,
      { ...message, id: "x-2", serviceUrl: "https://smba.trafficmanager.net/amer/" },
      {
        token: null,
      },
    );
    expect(remote.status).toBe(403);
    expect(fake.calls).toHaveLength(1);
  });
});

/* ------------------------------------------------------------------------------ notifications */

async function notify(principal: string, dedupeKey: string, kind = "step.reminder") {
  await enqueueNotification(
    database.db,
    {
      kind,
      recipient: { type: "person", principal },
      data: { caseId: "C-9", step: "handover", employee: "E1", dueDate: "2026-03-27" },
      dedupeKey,
    },
    clock.now(),
  );
}

const outboxRow = async (dedupeKey: string) => {
  const [row] = await database.query<{
    id: number;
    status: string;
    attempts: number;
    not_before: Date | string;
  }>(sql`select id, status, attempts, not_before from outbox where dedupe_key = ${dedupeKey}`);
  return row;
};

/** E1's 1:1 chat becomes known the way Teams makes it known: the app is installed for them. */
async function installFor(user: TeamsUser) {
  const installed = personalMessage(fake, user, "", {
    type: "installationUpdate",
    action: "add",
    text: undefined,
  });
  expect((await postActivity(t, fake, installed)).status).toBe(200);
}

describe("notifications to Teams", () => {
  it("sends a person's notification to their stored 1:1 chat once, after the web chat copy", async () => {
    await installFor(e1);
    expect(fake.calls).toHaveLength(0);
    await notify("employee:E1", "n-1");
    await t.services.dispatcher.runOnce();
    expect(fake.calls).toHaveLength(1);
    const [sent] = fake.calls;
    expect(sent).toMatchObject({
      kind: "send",
      conversationId: e1.chat,
      authorization: `Bearer ${outboundToken}`,
    });
    expect(sent?.body).toMatchObject({ type: "message", recipient: { id: e1.userId }, from: { id: botId } });
    expect(titleOf(cardOf(sent?.body ?? {}))).toBeTruthy();
    expect((await outboxRow("n-1"))?.status).toBe("sent");
    expect(
      await countOf(database, sql`select count(*) as n from web_messages where principal = 'employee:E1'`),
    ).toBe(1);
    // A second try of the same row (a lost lease) posts nothing twice.
    const row = await outboxRow("n-1");
    await t.services.senders.person.sender.send({
      kind: "step.reminder",
      recipient: { type: "person", principal: "employee:E1" },
      destination: "person:employee:E1",
      data: {},
      urgency: "normal",
      items: [
        {
          outboxId: Number(row?.id),
          kind: "step.reminder",
          recipient: { type: "person", principal: "employee:E1" },
          destination: "person:employee:E1",
          data: {},
          dedupeKey: "n-1",
          urgency: "normal",
          createdAt: clock.now(),
        },
      ],
    });
    expect(fake.calls).toHaveLength(1);
  });

  it("opens a 1:1 chat with a person Teams has not shown Baton yet, by their 29: id", async () => {
    await installFor(e1); // some chat of the tenant: its service URL
    await notify("employee:M1", "n-2");
    await t.services.dispatcher.runOnce();
    expect(fake.calls.map((c) => c.kind)).toEqual(["create", "send"]);
    expect(fake.calls[0]?.body).toMatchObject({
      isGroup: false,
      bot: { id: botId },
      members: [{ id: m1.userId }],
      tenantId,
    });
    expect(fake.calls[1]?.conversationId).toBe(fake.calls[0]?.answeredId);
    expect((await outboxRow("n-2"))?.status).toBe("sent");
  });

  it("403 (the app is not installed for them): dead at once, and HR is told once a day to install it", async () => {
    await installFor(e1);
    fake.failNext({
      status: 403,
      kinds: ["create"],
      body: { error: { code: "BotNotInConversationRoster", message: "x" } },
    });
    await notify("employee:M1", "n-3");
    await t.services.dispatcher.runOnce();
    expect((await outboxRow("n-3"))?.status).toBe("dead");
    // One alert for one cause: the one that says what to do, no "dead letter" alert besides it.
    const alerts = await database.query<{ data: Json; recipient: Json }>(
      sql`select data, recipient from outbox where kind = 'hr.alert'`,
    );
    expect(alerts).toHaveLength(1);
    expect(alerts[0]?.data).toMatchObject({ alert: "teams.not_installed", employee: "M1" });
    expect(alerts[0]?.recipient).toMatchObject({ type: "channel", purpose: "hr", entityId: "acme-sh" });
    // The web chat still has it.
    expect(
      await countOf(database, sql`select count(*) as n from web_messages where principal = 'employee:M1'`),
    ).toBe(1);
    fake.failNext({ status: 403, kinds: ["create"] });
    await notify("employee:M1", "n-4");
    await t.services.dispatcher.runOnce();
    expect((await outboxRow("n-4"))?.status).toBe("dead");
    expect(await countOf(database, sql`select count(*) as n from outbox where kind = 'hr.alert'`)).toBe(1);
    // The dead rows are still listed for HR to send again once the app is installed.
    expect(
      await countOf(
        database,
        sql`select count(*) as n from outbox where status = 'dead' and kind <> 'hr.alert'`,
      ),
    ).toBe(2);
  });

  it("a 403 on a stored chat (the app was removed) forgets the chat and tells HR", async () => {
    await installFor(e1);
    fake.failNext({ status: 403, kinds: ["send"] });
    await notify("employee:E1", "n-5");
    await t.services.dispatcher.runOnce();
    expect((await outboxRow("n-5"))?.status).toBe("dead");
    expect(
      await countOf(database, sql`select count(*) as n from teams_references where kind = 'personal'`),
    ).toBe(0);
    const alerts = await database.query<{ data: Json }>(sql`select data from outbox where kind = 'hr.alert'`);
    expect(alerts.map((a) => a.data.alert)).toEqual(["teams.not_installed"]);
  });

  it("429 with Retry-After puts the row back for that long; it goes out after", async () => {
    await installFor(e1);
    fake.failNext({ status: 429, kinds: ["send"], headers: { "retry-after": "30" } });
    await notify("employee:E1", "n-6");
    const before = clock.now().getTime();
    await t.services.dispatcher.runOnce();
    const row = await outboxRow("n-6");
    expect(row?.status).toBe("pending");
    expect(new Date(row?.not_before as string).getTime() - before).toBeGreaterThanOrEqual(30_000);
    expect(fake.failed.map((f) => f.status)).toEqual([429]);
    clock.advance(31_000);
    await t.services.dispatcher.runOnce();
    expect((await outboxRow("n-6"))?.status).toBe("sent");
    expect(fake.calls.filter((c) => c.kind === "send")).toHaveLength(1);
  });

  it("5xx is retried with backoff (once by the dispatcher, not by the SDK in a hurry)", async () => {
    await installFor(e1);
    fake.failNext({ status: 502, kinds: ["send"] });
    await notify("employee:E1", "n-7");
    await t.services.dispatcher.runOnce();
    expect(fake.failed).toHaveLength(1);
    expect(await outboxRow("n-7")).toMatchObject({ status: "pending", attempts: 1 });
    clock.advance(10 * 60_000);
    await t.services.dispatcher.runOnce();
    expect((await outboxRow("n-7"))?.status).toBe("sent");
    expect(fake.calls.filter((c) => c.kind === "send")).toHaveLength(1);
  });

  it("posts a channel alert to each bound Teams channel as a new thread", async () => {
    // The bot sees the channel (someone mentions it there), then HR binds it through the API.
    await postActivity(t, fake, channelMessage(fake, hr1, channel, "help"));
    const hrKey = await createKey(t, "employee:HR1", ["channels:write"]);
    const bind = await request(
      t,
      "POST",
      "/api/v1/channels",
      { platform: "teams", channelId: channel, purpose: "hr" },
      hrKey,
    );
    expect(bind.status).toBe(201);
    fake.calls.length = 0;
    await t.services.dispatcher.runOnce();
    // The confirmation that the channel is bound, posted to the channel itself (not the thread).
    const sent = fake.calls.filter((c) => c.kind === "send");
    expect(sent.map((c) => c.conversationId)).toEqual([channel]);
    expect(titleOf(cardOf(sent[0]?.body ?? {}))).toBeTruthy();
    await enqueueNotification(
      database.db,
      {
        kind: "hr.alert",
        recipient: { type: "channel", purpose: "hr" },
        data: { alert: "outbox.dead", outboxId: 1 },
        dedupeKey: "alert-1",
      },
      clock.now(),
    );
    clock.advance(60_000);
    await t.services.dispatcher.runOnce();
    expect(fake.calls.filter((c) => c.kind === "send").map((c) => c.conversationId)).toEqual([
      channel,
      channel,
    ]);
    // The recording sink keeps its copy too.
    expect(
      await countOf(database, sql`select count(*) as n from delivered_notifications where kind = 'hr.alert'`),
    ).toBe(1);
  });
});
