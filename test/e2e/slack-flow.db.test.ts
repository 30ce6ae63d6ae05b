import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { SlackBlock, SlackMessage, SlackModal } from "../../adapters/slack/render.ts";
import { translate } from "../../core/messages/index.ts";
import type { CaseView } from "../../core/offboarding/case.ts";
import type { Database } from "../../db/client.ts";
import {
  blockActionsPayload,
  blockSuggestionPayload,
  clickables,
  commandRequest,
  eventRequest,
  interactionRequest,
  stateFor,
  testSigningSecret,
  viewSubmissionPayload,
} from "../fakes/slack.ts";
import { type FakeSlackApi, startFakeSlackApi } from "../fakes/slack-api.ts";
import { resetDatabase, testDatabase } from "../helpers/db.ts";
import {
  adminToken,
  count,
  createKey,
  evidenceCount,
  request,
  seedCompany,
  seedFlowPeople,
} from "../helpers/offboarding.ts";
import { blockText, createSlackTestApp, type SlackTestApp } from "../helpers/slack.ts";
import { letters, type ShownQuestion, testCourseFiles } from "../helpers/training.ts";

/**
 * The whole offboarding through Slack (issue 7, test 8): notice → acknowledge → sign → quiz →
 * handover → settle → certificate, every step a properly signed Slack request through the whole
 * HTTP app and the real Bolt App, every answer sent by the real WebClient to a local fake of Slack's
 * Web API. The employee, the manager and finance have Slack identities (set by an admin through the
 * API); HR issues the certificate through the API.
 */

let database: Database;
let fake: FakeSlackApi;
let t: SlackTestApp;
let caseId: string;

type Json = Record<string, unknown>;
type SlackUser = { id: string; name: string; employee: string };

const employee: SlackUser = { id: "U0LILEI", name: "li.lei", employee: "E1" };
const manager: SlackUser = { id: "U0MGR1", name: "manager.one", employee: "M1" };
const finance: SlackUser = { id: "U0FIN1", name: "finance.one", employee: "FIN1" };
const hr: SlackUser = { id: "U0HR1", name: "hr.one", employee: "HR1" };

/** Monday 2 March 2026, 10:00 in Shanghai. */
const start = new Date("2026-03-02T02:00:00Z");
/** The last day (notice + 30 days), 10:00 in Shanghai. */
const lastDayMorning = new Date("2026-04-01T02:00:00Z");

beforeAll(async () => {
  database = await testDatabase();
  fake = await startFakeSlackApi();
  await resetDatabase(database);
  t = await createSlackTestApp(database, fake, { env: { BATON_ADMIN_TOKEN: adminToken }, start });
  await seedCompany(t);
  // Slack identities as an admin sets them (never matched by e-mail); the leaver's ID number for the certificate.
  await seedFlowPeople(t, database, "slack", {
    E1: employee.id,
    M1: manager.id,
    FIN1: finance.id,
    HR1: hr.id,
  });
}, 120_000);

afterAll(async () => {
  await fake.close();
});

const now = () => t.clock.now();
const dmOf = (user: SlackUser) => `D-${user.id}`;
let triggers = 0;
const trigger = () => `4412345678.${++triggers}.flow`;

type Shown = { channel: string; ts: string; message: SlackMessage };

/** The bot's messages in a channel as they look now: each post with its latest update. */
function shownIn(channel: string): Shown[] {
  const byTs = new Map<string, Shown>();
  for (const call of fake.calls) {
    const ok = (call.answer?.body as Json | undefined)?.ok === true;
    if (!ok || call.params.channel !== channel) continue;
    const message = { text: String(call.params.text), blocks: call.params.blocks as SlackBlock[] };
    if (call.method === "chat.postMessage") {
      const ts = String((call.answer?.body as Json | undefined)?.ts);
      byTs.set(ts, { channel, ts, message });
    } else if (call.method === "chat.update") {
      const ts = String(call.params.ts);
      byTs.set(ts, { channel, ts, message });
    }
  }
  return [...byTs.values()];
}

function titleOf(message: SlackMessage): string {
  const header = message.blocks.find((b) => b.type === "header") as { text?: { text?: string } } | undefined;
  // Without the tone's emoji (`:white_check_mark: `).
  return (header?.text?.text ?? "").replace(/^:[a-z_]+: /, "");
}

/** The latest message in `channel` with a button whose action is `action` (and value matching). */
function withButton(channel: string, action: string, value?: RegExp): { shown: Shown; element: Json } {
  for (const shown of shownIn(channel).reverse()) {
    const hit = clickables(shown.message.blocks).find(
      (c) =>
        String(c.element.action_id).endsWith(`:${action}`) &&
        (value === undefined || value.test(String(c.element.value ?? ""))),
    );
    if (hit) return { shown, element: hit.element };
  }
  throw new Error(`no ${action} button in ${channel}: ${shownIn(channel).map((s) => titleOf(s.message))}`);
}

const slackUser = (user: SlackUser) => ({
  id: user.id,
  username: user.name,
  name: user.name,
  team_id: "T0ACME",
});

async function click(user: SlackUser, channel: string, action: string, values: Json = {}, value?: RegExp) {
  const { shown, element } = withButton(channel, action, value);
  const payload = {
    ...blockActionsPayload(shown.message, element, values as Record<string, string>, {
      channel,
      ts: shown.ts,
      triggerId: trigger(),
    }),
    user: slackUser(user),
    response_url: fake.responseUrl(`click-${triggers}`),
  };
  const res = await t.slack(interactionRequest(payload, now()));
  expect(res.status).toBe(200);
  return shown;
}

async function command(user: SlackUser, text: string): Promise<Response> {
  const res = await t.slack(
    commandRequest(
      {
        token: "legacy",
        team_id: "T0ACME",
        team_domain: "acme",
        channel_id: `D0${user.employee}`,
        channel_name: "directmessage",
        user_id: user.id,
        user_name: user.name,
        command: "/baton",
        text,
        api_app_id: "A0BATON",
        response_url: fake.responseUrl(`cmd-${text}`),
        trigger_id: trigger(),
      },
      now(),
    ),
  );
  expect(res.status).toBe(200);
  return res;
}

async function submit(user: SlackUser, view: SlackModal, values: Json): Promise<Json> {
  const payload = viewSubmissionPayload(view, values as Record<string, string>, trigger());
  const res = await t.slack(interactionRequest({ ...payload, user: slackUser(user) }, now()));
  expect(res.status).toBe(200);
  return (await res.json()) as Json;
}

const lastModal = () => fake.callsTo("views.open").at(-1)?.params.view as SlackModal;

async function caseView(): Promise<CaseView> {
  const res = await request(t, "GET", `/api/v1/cases/${caseId}`);
  expect(res.status).toBe(200);
  return (await res.json()) as CaseView;
}
const stepOf = async (key: string) => (await caseView()).steps.find((s) => s.key === key);

/** Sends what the outbox holds, a few rounds (rate limits put messages back for a second). */
async function dispatch(): Promise<void> {
  for (let round = 0; round < 5; round++) {
    const report = await t.services.dispatcher.runOnce();
    if (report.rateLimited === 0 && report.retried === 0) return;
    t.clock.advance(5_000);
  }
}

async function tick(): Promise<void> {
  const res = await request(t, "POST", "/api/v1/admin/tick");
  expect(res.status).toBeLessThan(300);
  await dispatch();
}

describe("an offboarding from notice to certificate, through signed Slack requests", () => {
  it("the employee gives notice in a DM and submits the form; the receipt replaces it", async () => {
    const dm = await t.slack(
      eventRequest(
        {
          token: "legacy",
          team_id: "T0ACME",
          api_app_id: "A0BATON",
          event: {
            user: employee.id,
            type: "message",
            ts: "1772416800.000100",
            text: "我要离职",
            team: "T0ACME",
            channel: "D0E1",
            event_ts: "1772416800.000100",
            channel_type: "im",
          },
          type: "event_callback",
          event_id: "Ev0FLOWNOTICE",
          event_time: 1772416800,
          authorizations: [{ team_id: "T0ACME", user_id: "U0BATON", is_bot: true }],
        },
        now(),
      ),
    );
    expect(dm.status).toBe(200);
    const form = withButton("D0E1", "notice.submit");
    expect(form.shown.message.blocks.some((b) => b.type === "input")).toBe(true);
    await click(employee, "D0E1", "notice.submit", { lastDay: "2026-04-01", reason: "Family" });
    const receipt = shownIn("D0E1").find((s) => s.ts === form.shown.ts);
    expect(fake.callsTo("chat.update")).toHaveLength(1);
    expect(titleOf(receipt?.message as SlackMessage)).toBe("Notice received");
    expect(blockText(receipt?.message.blocks)).toContain("2026-04-01");

    const res = await request(t, "GET", "/api/v1/cases?employee=E1");
    const found = ((await res.json()) as { cases: CaseView[] }).cases[0] as CaseView;
    caseId = found.id;
    expect(found).toMatchObject({
      noticeChannel: "slack",
      noticeDate: "2026-03-02",
      legalLastDay: "2026-04-01",
    });
    expect(await evidenceCount(database, "notice.received")).toBe(1);
  });

  it("the manager gets a DM, opens the step in place, picks the receiver and acknowledges", async () => {
    await dispatch();
    const channel = dmOf(manager);
    expect(fake.callsTo("conversations.open").map((c) => c.params.users)).toContain(manager.id);
    const opened = await click(manager, channel, "step.open", {}, /:acknowledge$/);
    const form = shownIn(channel).find((s) => s.ts === opened.ts) as Shown;
    const picker = form.message.blocks.find((b) => b.type === "input") as unknown as { element: Json };
    expect(picker.element.type).toBe("external_select");

    const suggested = await t.slack(
      interactionRequest(
        {
          ...blockSuggestionPayload(String(picker.element.action_id), "Colle"),
          user: slackUser(manager),
          channel: { id: channel, name: "directmessage" },
        },
        now(),
      ),
    );
    const options = ((await suggested.json()) as { options: { value: string }[] }).options;
    expect(options.map((o) => o.value)).toContain("employee:E2");

    await click(manager, channel, "notice.acknowledge", { receiver: "employee:E2" });
    const done = shownIn(channel).find((s) => s.ts === opened.ts) as Shown;
    expect(titleOf(done.message)).toBe("Notice acknowledged");
    expect(await stepOf("acknowledge")).toMatchObject({ status: "done", completedBy: "employee:M1" });
    expect((await stepOf("handover"))?.receiver).toBe("employee:E2");
  });

  it("the employee signs the agreement in a modal opened by /baton sign", async () => {
    const requested = await request(t, "POST", "/api/v1/agreements/confidentiality/signature-requests", {
      employees: ["E1"],
    });
    expect(requested.status).toBe(200);
    await dispatch();
    expect(blockText(shownIn(dmOf(employee)).map((s) => s.message.blocks))).toMatch(/sign/i);

    await command(employee, "sign");
    const view = lastModal();
    expect(view.blocks.some((b) => b.type === "input")).toBe(true);
    const answer = await submit(employee, view, { fullName: "Leaver" });
    expect(answer).toEqual({ response_action: "clear" });
    const signed = shownIn(dmOf(employee)).at(-1) as Shown;
    expect(titleOf(signed.message)).toContain("Signed");
    expect(JSON.stringify(signed.message.blocks)).toContain("/verify/");
    const rows = await database.query<{ surface: string }>(sql`select surface from signatures`);
    expect(rows).toEqual([{ surface: "slack" }]);
  });

  it("the employee passes the quiz, one question per modal update", async () => {
    expect((await request(t, "POST", "/api/v1/courses", { files: testCourseFiles() })).status).toBe(201);
    const assigned = await request(t, "POST", "/api/v1/training/assignments", {
      employeeExternalId: "E1",
      courseId: "unit-course",
    });
    expect(assigned.status).toBe(201);
    const assignmentId = ((await assigned.json()) as { id: string }).id;

    await command(employee, "quiz unit-course");
    let view = lastModal();
    const attemptId = String(JSON.parse(view.private_metadata).value).split(":")[0];
    const paper = await request(
      t,
      "GET",
      `/api/v1/training/assignments/${assignmentId}/attempts/${attemptId}`,
    );
    const questions = ((await paper.json()) as { questions: ShownQuestion[] }).questions;
    expect(questions).toHaveLength(5);
    for (const [i, question] of questions.entries()) {
      expect(titleOf({ text: "", blocks: view.blocks }) || view.title).toBeTruthy();
      const answer = await submit(employee, view, { answer: letters(question) });
      if (i < questions.length - 1) {
        expect(answer.response_action).toBe("update");
        view = answer.view as SlackModal;
        // A new question gets fresh input ids (Slack would keep the last answer otherwise).
        const ids = view.blocks.filter((b) => b.type === "input").map((b) => b.block_id);
        expect(ids.every((id) => typeof id === "string" && id.startsWith("in:answer:"))).toBe(true);
      } else expect(answer).toEqual({ response_action: "clear" });
    }
    const result = shownIn(dmOf(employee)).at(-1) as Shown;
    expect(titleOf(result.message)).toContain("Passed");
    const status = await request(t, "GET", `/api/v1/training/assignments/${assignmentId}`);
    expect(((await status.json()) as { status: string }).status).toBe("passed");
  });

  it("with both gates met the check passes; the manager completes the handover checklist", async () => {
    t.clock.advance(11 * 60_000);
    await tick();
    expect((await stepOf("check"))?.status).toBe("done");
    expect((await stepOf("handover"))?.status).toBe("active");

    // The checklist opens as a modal: "Save" is its submit, "Complete" a button inside it.
    await command(manager, "handover");
    const open = fake.callsTo("views.open").at(-1);
    const view = open?.params.view as SlackModal;
    const viewId = String(((open?.answer?.body ?? {}) as { view?: Json }).view?.id);
    expect(view.title.text).toContain("Handover checklist");
    const complete = clickables(view.blocks).find((c) =>
      String(c.element.action_id).endsWith(":handover.complete"),
    );
    expect(complete).toBeDefined();
    const done = ["documents", "code", "customer-accounts", "equipment"];
    const clicked = await t.slack(
      interactionRequest(
        {
          type: "block_actions",
          user: slackUser(manager),
          api_app_id: "A0BATON",
          token: "legacy",
          container: { type: "view", view_id: viewId },
          trigger_id: trigger(),
          team: { id: "T0ACME", domain: "acme" },
          enterprise: null,
          is_enterprise_install: false,
          view: {
            id: viewId,
            type: "modal",
            callback_id: view.callback_id,
            private_metadata: view.private_metadata,
            blocks: view.blocks,
            state: { values: stateFor(view.blocks, { done }) },
            hash: "1772417000.abc",
          },
          actions: [
            {
              action_id: complete?.element.action_id,
              block_id: "b1",
              type: "button",
              value: complete?.element.value,
              action_ts: "1772417001.000100",
            },
          ],
        },
        now(),
      ),
    );
    expect(clicked.status).toBe(200);
    const [update] = fake.callsTo("views.update");
    expect(update?.params.view_id).toBe(viewId);
    expect((update?.params.view as SlackModal | undefined)?.title.text).toBe("Handover complete");
    expect(await stepOf("handover")).toMatchObject({ status: "done", completedBy: "employee:M1" });
  });

  it("HR binds the finance channel by a mention; finance opens the settlement there and records it in its DM", async () => {
    const mention = await t.slack(
      eventRequest(
        {
          token: "legacy",
          team_id: "T0ACME",
          api_app_id: "A0BATON",
          event: {
            type: "app_mention",
            user: hr.id,
            text: "<@U0BATON> bind finance",
            ts: "1772417100.000100",
            team: "T0ACME",
            channel: "C0FINANCE",
            event_ts: "1772417100.000100",
          },
          type: "event_callback",
          event_id: "Ev0FLOWBIND",
          event_time: 1772417100,
          authorizations: [{ team_id: "T0ACME", user_id: "U0BATON", is_bot: true }],
          is_ext_shared_channel: false,
        },
        now(),
      ),
    );
    expect(mention.status).toBe(200);
    const bound = fake.callsTo("chat.postMessage").at(-1);
    expect(bound?.params).toMatchObject({ channel: "C0FINANCE", thread_ts: "1772417100.000100" });
    expect(titleOf(bound?.params as unknown as SlackMessage)).toBe("Channel bound");

    // The settlement waited for a finance channel; now it is posted there.
    await dispatch();
    const opened = withButton("C0FINANCE", "step.open", /:settlement$/);
    await click(finance, "C0FINANCE", "step.open", {}, /:settlement$/);
    // A card anyone in the group could click goes to the clicker's DM; the group's card stays.
    expect(shownIn("C0FINANCE").find((s) => s.ts === opened.shown.ts)?.message).toEqual(opened.shown.message);
    const channel = dmOf(finance);
    const settlement = withButton(channel, "settlement.complete");
    expect(titleOf(settlement.shown.message)).toBe("Settlement: Leaver");
    await click(finance, channel, "settlement.complete");
    expect(titleOf((shownIn(channel).find((s) => s.ts === settlement.shown.ts) as Shown).message)).toBe(
      "Settlement recorded",
    );
    expect(await stepOf("settlement")).toMatchObject({ status: "done", completedBy: "employee:FIN1" });
  });

  it("on the last day HR issues the certificate through the API and the leaver is told on Slack", async () => {
    t.clock.advance(lastDayMorning.getTime() - now().getTime());
    await tick();
    const hrKey = await createKey(t, "employee:HR1", ["cases:read", "cases:admin"]);
    const issued = await request(
      t,
      "POST",
      `/api/v1/cases/${caseId}/certificate`,
      { yearsOfServiceConfirmed: true },
      hrKey,
    );
    expect(issued.status, await issued.clone().text()).toBe(201);
    await dispatch();
    const told = shownIn(dmOf(employee)).map((s) => titleOf(s.message));
    expect(told).toContain(translate("en", "card.notify.certificate.issued.title"));
    expect(await count(database, sql`select count(*)::int as n from inbox where status <> 'done'`)).toBe(0);
    expect(await count(database, sql`select count(*)::int as n from outbox where status = 'dead'`)).toBe(0);
    // Bolt got its token from our authorize (no auth.test at start); no secret reached the logs.
    expect(fake.callsTo("auth.test")).toHaveLength(0);
    expect(fake.calls.every((c) => c.token === "xoxb-test-token")).toBe(true);
    const logs = t.logs.join("\n");
    expect(logs).not.toContain("xoxb-");
    expect(logs).not.toContain(testSigningSecret);
  });
});
