import { readFileSync } from "node:fs";
import path from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { SlackMessage, SlackModal } from "../../adapters/slack/render.ts";
import { translate } from "../../core/messages/index.ts";
import type { Database } from "../../db/client.ts";
import { enqueueNotification } from "../../db/outbox.ts";
import {
  blockActionsPayload,
  blockSuggestionPayload,
  clickables,
  commandRequest,
  eventRequest,
  interactionRequest,
  viewSubmissionPayload,
} from "../fakes/slack.ts";
import { type FakeSlackApi, startFakeSlackApi } from "../fakes/slack-api.ts";
import { createTestApp } from "../helpers/app.ts";
import { resetDatabase, testDatabase } from "../helpers/db.ts";
import { adminToken, count, people, request, seedCompany } from "../helpers/offboarding.ts";
import { blockText, createSlackTestApp, linkSlack, type SlackTestApp } from "../helpers/slack.ts";

/**
 * The Slack surface through the whole HTTP app, the real Bolt App and the real WebClient pointed at
 * a local fake of Slack's Web API (SLACK_API_URL), with the real bot over the database.
 */

let database: Database;
let fake: FakeSlackApi;
let t: SlackTestApp;

type Json = Record<string, unknown>;

beforeAll(async () => {
  database = await testDatabase();
  fake = await startFakeSlackApi();
});
afterAll(async () => {
  await fake.close();
});

async function setup(options: Parameters<typeof createSlackTestApp>[2] = {}) {
  await resetDatabase(database);
  fake.reset();
  t = await createSlackTestApp(database, fake, {
    ...options,
    env: { BATON_ADMIN_TOKEN: adminToken, ...options.env },
  });
  await seedCompany(t);
  // E1 is "li.lei" of test/fakes/slack.ts (U0LILEI); the manager and HR have Slack too.
  await linkSlack(database, { E1: "U0LILEI", M1: "U0M1", HR1: "U0HR1", FIN1: "U0FIN1" });
}

const now = () => t.clock.now();

function dm(text: string, eventId: string, headers?: Record<string, string>) {
  return eventRequest(
    {
      token: "legacy",
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
      authorizations: [{ team_id: "T0ACME", user_id: "U0BATON", is_bot: true }],
      is_ext_shared_channel: false,
    },
    now(),
    headers,
  );
}

function command(text: string, fields: Record<string, string> = {}) {
  return commandRequest(
    {
      token: "legacy",
      team_id: "T0ACME",
      team_domain: "acme",
      channel_id: "D0LILEI",
      channel_name: "directmessage",
      user_id: "U0LILEI",
      user_name: "li.lei",
      command: "/baton",
      text,
      api_app_id: "A0BATON",
      response_url: fake.responseUrl(`cmd-${text}`),
      trigger_id: `4412345678.${Math.random().toString(36).slice(2)}`,
      ...fields,
    },
    now(),
  );
}

function fixture(name: string): Json {
  const file = path.join(import.meta.dirname, "../fixtures/slack", `${name}.json`);
  return (JSON.parse(readFileSync(file, "utf8")) as { request: Json }).request;
}

const posts = () => fake.callsTo("chat.postMessage");
const lastPost = () => posts().at(-1)?.params as { channel: string; text: string; blocks: Json[] };

describe("POST /webhooks/slack", () => {
  beforeEach(async () => {
    await setup();
  });

  it("answers 404 while Slack is off, and Slack's unsigned ssl_check with 200", async () => {
    const off = await createTestApp(database);
    const res = await off.request("/webhooks/slack", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    expect(res.status).toBe(404);
    const check = await t.request("/webhooks/slack", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "ssl_check=1&token=legacy",
    });
    expect(check.status).toBe(200);
    expect(await check.text()).toBe("");
  });

  it("acks a DM at once, stores it first, answers through chat.postMessage; a redelivery does nothing", async () => {
    const res = await t.slack(dm("help", "Ev0HELP1"));
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("");
    expect(posts()).toHaveLength(1);
    expect(lastPost()).toMatchObject({ channel: "D0LILEI", parse: "none" });
    expect(blockText(lastPost().blocks)).toContain("/baton");
    const rows = await database.query<{ source: string; status: string }>(
      sql`select source, status from inbox order by id`,
    );
    expect(rows).toEqual([
      { source: "slack:events", status: "done" },
      { source: "chat:slack", status: "done" },
    ]);

    const again = await t.slack(
      dm("help", "Ev0HELP1", { "x-slack-retry-num": "1", "x-slack-retry-reason": "http_timeout" }),
    );
    expect(again.status).toBe(200);
    expect(posts()).toHaveLength(1);
    expect(await count(database, sql`select count(*)::int as n from inbox`)).toBe(2);
  });

  it("a form answering a DM is a message with inputs; its submit replaces it in place (chat.update)", async () => {
    await t.slack(dm("I want to resign", "Ev0RESIGN1"));
    const form = lastPost();
    expect(form.blocks.some((b) => b.type === "input")).toBe(true);
    const posted = posts().length;
    const message: SlackMessage = { text: form.text, blocks: form.blocks as SlackMessage["blocks"] };
    const submit = clickables(message.blocks).find((c) =>
      String(c.element.action_id).endsWith(":notice.submit"),
    );
    expect(submit).toBeDefined();
    const payload = {
      ...blockActionsPayload(
        message,
        submit?.element as Json,
        { lastDay: "2026-04-01", reason: "家庭原因" },
        {
          channel: "D0LILEI",
          ts: "1772410600.000001",
        },
      ),
      response_url: fake.responseUrl("notice"),
    };
    const res = await t.slack(interactionRequest(payload, now()));
    expect(res.status).toBe(200);
    const [update] = fake.callsTo("chat.update");
    expect(update?.params).toMatchObject({ channel: "D0LILEI", ts: "1772410600.000001", parse: "none" });
    expect(blockText(update?.params.blocks)).toContain("2026-04-01");
    expect(posts()).toHaveLength(posted);
    expect(await count(database, sql`select count(*)::int as n from cases`)).toBe(1);
  });

  it("opens a command's form as a modal inside the trigger window, and its submission closes it with a receipt in the DM", async () => {
    const started = performance.now();
    const cmd = command("resign");
    const res = await t.request("/webhooks/slack", { method: "POST", headers: cmd.headers, body: cmd.body });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("");
    await t.idle();
    const [open] = fake.callsTo("views.open");
    expect(open?.params.trigger_id).toBe(new URLSearchParams(cmd.body).get("trigger_id"));
    expect((open?.at ?? Number.POSITIVE_INFINITY) - started).toBeLessThan(3000);
    const view = open?.params.view as SlackModal;
    expect(view).toMatchObject({ type: "modal", callback_id: "baton" });
    expect(view.blocks.some((b) => b.type === "input")).toBe(true);
    expect(posts()).toHaveLength(0);

    const submitted = await t.slack(
      interactionRequest(
        viewSubmissionPayload(view, { lastDay: "2026-04-01" }, "4412345678.99.notice"),
        now(),
      ),
    );
    expect(submitted.status).toBe(200);
    expect(await submitted.json()).toEqual({ response_action: "clear" });
    expect(fake.callsTo("conversations.open")[0]?.params.users).toBe("U0LILEI");
    expect(lastPost().channel).toBe("D-U0LILEI");
    expect(blockText(lastPost().blocks)).toContain("2026-04-01");
    expect(await count(database, sql`select count(*)::int as n from cases`)).toBe(1);
  });

  it("posts the form as a message when the trigger window has passed", async () => {
    await setup({ runtime: { triggerWindowMs: 0 } });
    const res = await t.slack(command("resign"));
    expect(res.status).toBe(200);
    expect(fake.callsTo("views.open")).toHaveLength(0);
    expect(lastPost().channel).toBe("D-U0LILEI");
    expect(lastPost().blocks.some((b) => b.type === "input")).toBe(true);
  });

  it("keeps a modal open with the problem under its first input when the bot refuses what was sent", async () => {
    await t.slack(command("resign"));
    const view = fake.callsTo("views.open")[0]?.params.view as SlackModal;
    const res = await t.slack(
      interactionRequest(viewSubmissionPayload(view, { lastDay: "2020-01-01" }, "4412345678.98.x"), now()),
    );
    const body = (await res.json()) as { response_action: string; errors?: Record<string, string> };
    expect(body.response_action).toBe("errors");
    expect(Object.keys(body.errors ?? {})).toEqual([view.blocks.find((b) => b.type === "input")?.block_id]);
    expect(await count(database, sql`select count(*)::int as n from cases`)).toBe(0);
  });

  it("answers a person picker's block_suggestion with matching people", async () => {
    const res = await t.slack(
      interactionRequest(blockSuggestionPayload("in:receiver:people.search", "Colle"), now()),
    );
    expect(res.status).toBe(200);
    const body = (await res.json()) as { options: { text: { text: string }; value: string }[] };
    expect(body.options.map((o) => o.value)).toContain("employee:E2");
    expect(body.options[0]?.text.text).toContain("Colleague");
  });

  it("answers a command in a group channel ephemerally in the ack", async () => {
    const res = await t.slack(command("help", { channel_id: "C0GENERAL", channel_name: "general" }));
    expect(res.status).toBe(200);
    const body = (await res.json()) as { response_type: string; text: string };
    expect(body.response_type).toBe("ephemeral");
    expect(body.text).toContain("/baton");
    expect(posts()).toHaveLength(0);
  });

  it("sends the answer later when the bot is slower than Slack waits", async () => {
    await setup({ runtime: { ackDeadlineMs: 20 } });
    const bot = t.services.bot;
    t.services.bot = {
      receive: async (event) => {
        await new Promise((resolve) => setTimeout(resolve, 150));
        return bot.receive(event);
      },
    };
    const res = await t.slack(command("help", { channel_id: "C0GENERAL", channel_name: "general" }));
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("");
    expect(fake.responses.at(-1)?.body).toMatchObject({ response_type: "ephemeral" });
  });
});

describe("recovery", () => {
  beforeEach(async () => {
    await setup();
  });

  it("an acked DM whose handling died is run once by the inbox worker; its redelivery does nothing", async () => {
    const bot = t.services.bot;
    t.services.bot = {
      receive: async () => {
        throw new Error("the process died");
      },
    };
    const res = await t.slack(dm("I want to resign", "Ev0CRASH1"));
    expect(res.status).toBe(200);
    expect(posts()).toHaveLength(0);
    t.services.bot = bot;
    const pending = await database.query<{ source: string; status: string }>(
      sql`select source, status from inbox`,
    );
    expect(pending).toEqual([{ source: "slack:events", status: "pending" }]);
    // The worker leaves it to the inline handler for a while, then hands it to the bot's own source.
    expect((await t.services.inbox.runOnce()).processed).toBe(0);
    t.clock.advance(3 * 60_000);
    expect((await t.services.inbox.runOnce()).processed).toBeGreaterThanOrEqual(1);
    await t.services.inbox.runOnce();
    const rows = await database.query<{ source: string; status: string }>(
      sql`select source, status from inbox order by id`,
    );
    expect(rows).toEqual([
      { source: "slack:events", status: "done" },
      { source: "chat:slack", status: "done" },
    ]);
    // Its effect: the notice form the bot keeps for E1.
    expect(
      await count(database, sql`select count(*)::int as n from conversations where kind = 'notice'`),
    ).toBe(1);
    const again = await t.slack(dm("I want to resign", "Ev0CRASH1", { "x-slack-retry-num": "2" }));
    expect(again.status).toBe(200);
    expect(posts()).toHaveLength(0);
    expect(await count(database, sql`select count(*)::int as n from inbox`)).toBe(2);
  });

  it("a command whose handling fails still gets its 200 with a short note", async () => {
    t.services.bot = {
      receive: async () => {
        throw new Error("database gone");
      },
    };
    const res = await t.slack(command("status", { channel_id: "C0GENERAL", channel_name: "general" }));
    expect(res.status).toBe(200);
    const body = (await res.json()) as { response_type: string; text: string };
    expect(body.response_type).toBe("ephemeral");
    expect(body.text).toContain(translate("en", "bot.error.internal"));
  });
});

describe("who is served", () => {
  beforeEach(async () => {
    await setup();
  });

  it("refuses other workspaces: nothing stored, nothing handled, a polite answer where Slack shows one", async () => {
    const other = await t.slack(command("resign", { team_id: "T0OTHER", user_id: "U0STRANGER" }));
    expect(other.status).toBe(200);
    const body = (await other.json()) as { response_type: string; text: string };
    expect(body.response_type).toBe("ephemeral");
    expect(body.text).toContain("Not available");
    expect(body.text).toContain("无法使用");

    const event = fixture("message-im") as { body: Json };
    const foreign = await t.slack(
      eventRequest({ ...event.body, team_id: "T0OTHER", event_id: "Ev0OTHER" }, now()),
    );
    expect(foreign.status).toBe(200);
    expect(await count(database, sql`select count(*)::int as n from inbox`)).toBe(0);
    expect(fake.calls).toHaveLength(0);
  });

  it("refuses Slack Connect users and guests politely and does nothing", async () => {
    const connect = fixture("block-actions-connect") as { payload: Json };
    const clicked = await t.slack(
      interactionRequest({ ...connect.payload, response_url: fake.responseUrl("connect") }, now()),
    );
    expect(clicked.status).toBe(200);
    expect(fake.responses[0]?.body).toMatchObject({ response_type: "ephemeral", replace_original: false });
    expect(blockText(fake.responses[0]?.body.blocks)).toContain("Not available");

    const guest = fixture("app-mention-guest") as { body: Json };
    expect((await t.slack(eventRequest(guest.body, now()))).status).toBe(200);
    const [ephemeral] = fake.callsTo("chat.postEphemeral");
    expect(ephemeral?.params).toMatchObject({ channel: "C0PROJECT", user: "U0GUEST" });

    const stranger = await t.slack(
      interactionRequest(
        {
          ...blockSuggestionPayload("in:receiver:people.search", "Lea"),
          user: { id: "U0PARTNER", name: "pat", team_id: "T0PARTNER" },
        },
        now(),
      ),
    );
    expect(await stranger.json()).toEqual({ options: [] });
    expect(await count(database, sql`select count(*)::int as n from inbox`)).toBe(0);
    expect(posts()).toHaveLength(0);
  });

  it("an unknown account of our workspace gets the bot's refusal and changes nothing", async () => {
    const unknown = fixture("message-im") as { body: Json & { event: Json } };
    await t.slack(
      eventRequest(
        {
          ...unknown.body,
          event: { ...unknown.body.event, user: "U0NOBODY", text: "resign" },
          event_id: "Ev0NOBODY",
        },
        now(),
      ),
    );
    expect(blockText(lastPost().blocks)).toContain(translate("zh-CN", "bot.unknown_person.title"));
    expect(await count(database, sql`select count(*)::int as n from conversations`)).toBe(0);
  });
});

describe("notifications through Slack", () => {
  beforeEach(async () => {
    await setup();
  });

  async function notify(principal: string, key: string) {
    await enqueueNotification(
      database.db,
      {
        kind: "step.assigned",
        recipient: { type: "person", principal },
        data: { caseId: "C-1", step: "acknowledge", employee: "Leaver", dueDate: "2026-03-03" },
        dedupeKey: key,
      },
      now(),
    );
  }

  const outbox = async (destination = "person:employee:M1") =>
    (
      await database.query<{ status: string; attempts: number; last_error: string | null }>(
        sql`select status, attempts, last_error from outbox where destination = ${destination} order by id`,
      )
    ).at(-1);
  const webCopies = () =>
    count(database, sql`select count(*)::int as n from web_messages where role = 'bot'`);

  it("DMs a person with a Slack identity (conversations.open), after the web chat's copy", async () => {
    await notify("employee:M1", "n1");
    const report = await t.services.dispatcher.runOnce();
    expect(report.sent).toBe(1);
    expect(fake.callsTo("conversations.open")[0]?.params.users).toBe("U0M1");
    expect(lastPost().channel).toBe("D-U0M1");
    expect(lastPost().text.length).toBeGreaterThan(0);
    expect(await webCopies()).toBe(1);
    // Someone without a Slack identity gets no DM.
    await notify("employee:E2", "n2");
    await t.services.dispatcher.runOnce();
    expect(posts()).toHaveLength(1);
  });

  it("puts a message back on 429 (Retry-After) and sends it later, once", async () => {
    fake.failNext("chat.postMessage", { status: 429, headers: { "retry-after": "30" }, body: { ok: false } });
    await notify("employee:M1", "n3");
    const first = await t.services.dispatcher.runOnce();
    expect(first.rateLimited).toBe(1);
    expect((await outbox())?.status).toBe("pending");
    t.clock.advance(31_000);
    const second = await t.services.dispatcher.runOnce();
    expect(second.sent).toBe(1);
    expect((await outbox())?.status).toBe("sent");
    expect(posts()).toHaveLength(2);
    // The web chat's copy was stored once, however often Slack was tried.
    expect(await webCopies()).toBe(1);
  });

  it("retries a 5xx with backoff and gives up at once on an ok:false that cannot pass", async () => {
    fake.failNext("chat.postMessage", { status: 503, body: { ok: false } });
    await notify("employee:M1", "n4");
    const first = await t.services.dispatcher.runOnce();
    expect(first.retried).toBe(1);
    expect((await outbox())?.status).toBe("pending");

    fake.failNext("chat.postMessage", { body: { ok: false, error: "user_not_found" } });
    await notify("employee:HR1", "n5");
    await t.services.dispatcher.runOnce();
    const dead = await outbox("person:employee:HR1");
    expect(dead?.status).toBe("dead");
    expect(dead?.last_error).toContain("user_not_found");
    // An HR alert about the dead message is queued; the 5xx one goes once its backoff is over.
    expect(await count(database, sql`select count(*)::int as n from outbox where kind = 'hr.alert'`)).toBe(1);
    t.clock.advance(60_000);
    await t.services.dispatcher.runOnce();
    expect((await outbox())?.status).toBe("sent");
  });

  it("posts channel alerts to bound Slack channels after the recording fan-out", async () => {
    const bound = await request(t, "POST", "/api/v1/channels", {
      platform: "slack",
      channelId: "C0HR",
      purpose: "hr",
    });
    expect(bound.status).toBe(201);
    await t.services.dispatcher.runOnce();
    expect(lastPost().channel).toBe("C0HR");
    expect(
      await count(
        database,
        sql`select count(*)::int as n from delivered_notifications where platform = 'slack' and channel_id = 'C0HR'`,
      ),
    ).toBe(1);

    fake.failNext("chat.postMessage", { body: { ok: false, error: "not_in_channel" } });
    await enqueueNotification(
      database.db,
      {
        kind: "hr.alert",
        recipient: { type: "channel", purpose: "hr" },
        data: { alert: "test" },
        dedupeKey: "alert-1",
      },
      now(),
    );
    await t.services.dispatcher.runOnce();
    const alert = await database.query<{ status: string; last_error: string }>(
      sql`select status, last_error from outbox where dedupe_key = 'alert-1'`,
    );
    expect(alert[0]?.status).toBe("dead");
    expect(alert[0]?.last_error).toContain("not_in_channel");
  });
});

describe("directory sync (users.list)", () => {
  beforeEach(async () => {
    await setup();
  });

  it("proposes ids by work e-mail for HR to review, binds nothing, and reports stale identities", async () => {
    const bodies = Object.fromEntries(people);
    for (const [id, email] of [
      ["E2", "colleague@acme.example"],
      ["E3", "another@acme.example"],
      ["P1", "probation@acme.example"],
    ] as const) {
      const res = await request(t, "PUT", `/api/v1/employees/${id}`, {
        entity: "acme-sh",
        ...bodies[id],
        email,
      });
      expect(res.status).toBe(200);
    }
    fake.setMembers([
      [
        { id: "U0LILEI", team_id: "T0ACME", profile: { email: "leaver@acme.example" } },
        {
          id: "U0COLL",
          team_id: "T0ACME",
          real_name: "Colleague",
          profile: { email: "Colleague@acme.example" },
        },
        { id: "U0GST", team_id: "T0ACME", is_restricted: true, profile: { email: "another@acme.example" } },
      ],
      [
        { id: "U0OUT", team_id: "T0PARTNER", profile: { email: "probation@acme.example" } },
        { id: "U0M1", team_id: "T0ACME", deleted: true, profile: {} },
        { id: "B0BOT", is_bot: true, profile: { email: "colleague@acme.example" } },
      ],
    ]);
    const before = await count(database, sql`select count(*)::int as n from employee_identities`);
    const res = await request(t, "GET", "/api/v1/slack/identity-proposals");
    expect(res.status).toBe(200);
    const report = (await res.json()) as { members: number; proposals: Json[]; stale: Json[] };
    expect(report.members).toBe(6);
    expect(report.proposals).toEqual([
      {
        employeeExternalId: "E2",
        employeeName: "Colleague",
        slackUserId: "U0COLL",
        slackName: "Colleague",
        matchedBy: "email",
      },
    ]);
    expect(report.stale).toEqual([
      { employeeExternalId: "FIN1", slackUserId: "U0FIN1", reason: "not_found" },
      { employeeExternalId: "HR1", slackUserId: "U0HR1", reason: "not_found" },
      { employeeExternalId: "M1", slackUserId: "U0M1", reason: "deactivated" },
    ]);
    expect(await count(database, sql`select count(*)::int as n from employee_identities`)).toBe(before);
    const noKey = await t.request("/api/v1/slack/identity-proposals");
    expect(noKey.status).toBe(401);
  });
});
