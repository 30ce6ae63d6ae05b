import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { translate } from "../../core/messages/index.ts";
import type { CaseView } from "../../core/offboarding/case.ts";
import type { Database } from "../../db/client.ts";
import { robotMessage, testAppSecret, testCorpId } from "../fakes/dingtalk.ts";
import { type FakeDingTalkApi, startFakeDingTalkApi } from "../fakes/dingtalk-api.ts";
import { resetDatabase, testDatabase } from "../helpers/db.ts";
import { createDingTalkTestApp, type DingTalkTestApp, unwrapLink } from "../helpers/dingtalk.ts";
import {
  adminToken,
  count,
  createKey,
  evidenceCount,
  request,
  seedCompany,
  seedFlowPeople,
} from "../helpers/offboarding.ts";
import { letters, type ShownQuestion, testCourseFiles } from "../helpers/training.ts";

/**
 * The whole offboarding through DingTalk (issue 8): notice → acknowledge → sign → quiz → handover
 * → settle → certificate. Messages are robot callbacks signed like DingTalk signs them; answers go
 * to a local fake of DingTalk's servers (sessionWebhook, app robot OpenAPI); every button and form
 * is a signed `/a/:token` page bound to the person, and signing and `bind finance` are confirmed
 * with the one-time code DingTalk delivered to the person's 1:1 chat.
 */

let database: Database;
let fake: FakeDingTalkApi;
let t: DingTalkTestApp;
let caseId: string;

type Json = Record<string, unknown>;
type Person = { staffId: string; employee: string; name: string };

const employee: Person = { staffId: "dt-lilei", employee: "E1", name: "Leaver" };
const manager: Person = { staffId: "dt-mgr1", employee: "M1", name: "Manager One" };
const finance: Person = { staffId: "dt-fin1", employee: "FIN1", name: "Finance One" };
const hr: Person = { staffId: "dt-hr1", employee: "HR1", name: "HR One" };

const start = new Date("2026-03-02T02:00:00Z");
const lastDayMorning = new Date("2026-04-01T02:00:00Z");

beforeAll(async () => {
  database = await testDatabase();
  fake = await startFakeDingTalkApi({ appSecret: testAppSecret });
  await resetDatabase(database);
  t = await createDingTalkTestApp(database, fake, { env: { BATON_ADMIN_TOKEN: adminToken }, start });
  await seedCompany(t);
  await seedFlowPeople(t, database, "dingtalk", {
    E1: employee.staffId,
    M1: manager.staffId,
    FIN1: finance.staffId,
    HR1: hr.staffId,
  });
}, 120_000);

afterAll(async () => {
  await fake.close();
});

const now = () => t.clock.now();
let messages = 0;

/** A message from `person` to the robot, signed like DingTalk signs it. */
async function say(
  person: Person,
  text: string,
  chat: { id: string; group?: boolean } = { id: `cid-${person.staffId}` },
) {
  t.clock.advance(1000);
  const res = await t.dingtalk(
    robotMessage({
      msgId: `msgFLOW${++messages}`,
      conversationId: chat.id,
      conversationType: chat.group ? "2" : "1",
      ...(chat.group ? { conversationTitle: "Finance", isInAtList: true } : {}),
      senderStaffId: person.staffId,
      senderNick: person.name,
      senderId: `$:LWCP_v1:$${person.staffId}`,
      senderCorpId: testCorpId,
      sessionWebhook: fake.sessionWebhook(`s-${messages}`),
      sessionWebhookExpiredTime: now().getTime() + 90 * 60_000,
      createAt: now().getTime(),
      text: { content: ` ${text}` },
    }),
  );
  expect(res.status, await res.clone().text()).toBe(200);
}

type Link = { title: string; url: string; action: string; data: Json };

function claimsOf(url: string): Json {
  const token = new URL(url).pathname.split("/").at(-1) as string;
  return JSON.parse(Buffer.from(token.split(".")[1] as string, "base64url").toString("utf8")) as Json;
}

/** The buttons of a message sent through the OpenAPI. */
function linksOf(param: Json): Link[] {
  const out: { title: string; url: string }[] = [];
  if (typeof param.singleURL === "string")
    out.push({ title: String(param.singleTitle), url: param.singleURL });
  for (let i = 1; i <= 5; i++)
    if (typeof param[`actionURL${i}`] === "string")
      out.push({ title: String(param[`actionTitle${i}`]), url: String(param[`actionURL${i}`]) });
  return out
    .map((l) => ({ ...l, url: unwrapLink(l.url) }))
    .filter((l) => new URL(l.url).pathname.startsWith("/a/"))
    .map((l) => {
      const data = (claimsOf(l.url).dat ?? {}) as Json;
      return { ...l, action: String(data.a), data };
    });
}

const sentTo = (person: Person) => fake.sent().filter((s) => s.to === person.staffId);
const titles = (person: Person) => sentTo(person).map((s) => String(s.param.title));

/** The latest link of `action` (value matching) sent to the person. */
function link(person: Person, action: string, value?: RegExp): Link {
  for (const sent of sentTo(person).reverse()) {
    const hit = linksOf(sent.param).find(
      (l) => l.action === action && (value === undefined || value.test(String(l.data.v ?? ""))),
    );
    if (hit) return hit;
  }
  throw new Error(`no ${action} link for ${person.employee}: ${titles(person).join(" | ")}`);
}

/** The one-time code in the latest code message to the person. */
function codeFor(person: Person): string {
  const sent = sentTo(person)
    .reverse()
    .find((s) => s.msgKey === "sampleMarkdown" && /\*\*\d{6}\*\*/.test(String(s.param.text)));
  const code = /\*\*(\d{6})\*\*/.exec(String(sent?.param.text ?? ""))?.[1];
  if (!code) throw new Error(`no code for ${person.employee}`);
  return code;
}

/** The form a link page posts: the card's inputs by id (several choices as checkboxes). */
function formFor(target: Link, values: Record<string, string | string[]>): Record<string, string> {
  const form: Record<string, string> = {};
  const inputs = (Array.isArray(target.data.i) ? target.data.i : []) as {
    k: string;
    id: string;
    multiple?: boolean;
    options?: [string, string][];
  }[];
  for (const [id, value] of Object.entries(values)) {
    const input = inputs.find((i) => i.id === id);
    if (input?.k === "choice" && input.multiple) {
      for (const v of typeof value === "string" ? [value] : value) {
        const index = (input.options ?? []).findIndex(([ov]) => ov === v);
        expect(index, `${id}=${v}`).toBeGreaterThanOrEqual(0);
        form[`${id}__${index}`] = v;
      }
    } else form[id] = typeof value === "string" ? value : (value[0] ?? "");
  }
  return form;
}

/** Opens a link page (GET shows, never acts) and posts it. */
async function act(
  target: Link,
  values: Record<string, string | string[]> = {},
  extra: Record<string, string> = {},
) {
  const shown = await t.linkPage(target.url);
  expect(shown.status).toBe(200);
  const page = await shown.text();
  expect(page).toContain("<form");
  const res = await t.linkPage(target.url, { ...formFor(target, values), ...extra });
  const html = await res.text();
  expect(res.status, html).toBe(200);
  return { res, html };
}

async function caseView(): Promise<CaseView> {
  const res = await request(t, "GET", `/api/v1/cases/${caseId}`);
  expect(res.status).toBe(200);
  return (await res.json()) as CaseView;
}
const stepOf = async (key: string) => (await caseView()).steps.find((s) => s.key === key);

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

describe("an offboarding from notice to certificate, through signed DingTalk callbacks and link pages", () => {
  it("the employee gives notice in a 1:1 chat and fills the form on its page", async () => {
    await say(employee, "我要离职");
    const form = link(employee, "notice.submit");
    // The card with buttons went to the person's 1:1 chat through the OpenAPI, not the sessionWebhook.
    expect(fake.callsTo("/robot/sendBySession")).toHaveLength(0);
    const { html } = await act(form, { lastDay: "2026-04-01", reason: "Family" });
    expect(html).toContain("Notice received");
    expect(titles(employee)).toContain("Notice received");
    // Each link acts once.
    const again = await t.linkPage(form.url, formFor(form, { lastDay: "2026-04-01" }));
    expect(again.status).toBe(409);

    const res = await request(t, "GET", "/api/v1/cases?employee=E1");
    const found = ((await res.json()) as { cases: CaseView[] }).cases[0] as CaseView;
    caseId = found.id;
    expect(found).toMatchObject({
      noticeChannel: "dingtalk",
      noticeDate: "2026-03-02",
      legalLastDay: "2026-04-01",
    });
    expect(await evidenceCount(database, "notice.received")).toBe(1);
  });

  it("the manager is told in DingTalk, opens the step and acknowledges with the receiver", async () => {
    await dispatch();
    const open = link(manager, "step.open", /:acknowledge$/);
    await act(open);
    const ack = link(manager, "notice.acknowledge");
    const { html } = await act(ack, { receiver: "employee:E2" });
    expect(html).toContain("Notice acknowledged");
    expect(await stepOf("acknowledge")).toMatchObject({ status: "done", completedBy: "employee:M1" });
    expect((await stepOf("handover"))?.receiver).toBe("employee:E2");
  });

  it("the employee signs on the page after entering the code sent to their 1:1 chat", async () => {
    const requested = await request(t, "POST", "/api/v1/agreements/confidentiality/signature-requests", {
      employees: ["E1"],
    });
    expect(requested.status).toBe(200);
    await dispatch();
    await act(link(employee, "agreement.open"));
    const sign = link(employee, "agreement.sign");
    expect(sign.url).toContain("/a/");
    const code = codeFor(employee);
    const page = await (await t.linkPage(sign.url)).text();
    expect(page).toContain("one-time code");
    const { res, html } = await act(sign, { fullName: "Leaver" }, { code });
    expect(html).toContain("Signed");
    // A fresh login: the code opened a web session.
    expect(res.headers.get("set-cookie") ?? "").toContain("baton_session");
    const rows = await database.query<{ surface: string }>(sql`select surface from signatures`);
    expect(rows).toEqual([{ surface: "dingtalk" }]);
    expect(titles(employee).some((title) => title.startsWith("Signed"))).toBe(true);
  });

  it("the employee passes the quiz, one question per page", async () => {
    expect((await request(t, "POST", "/api/v1/courses", { files: testCourseFiles() })).status).toBe(201);
    const assigned = await request(t, "POST", "/api/v1/training/assignments", {
      employeeExternalId: "E1",
      courseId: "unit-course",
    });
    expect(assigned.status).toBe(201);
    const assignmentId = ((await assigned.json()) as { id: string }).id;
    await say(employee, "/baton quiz unit-course");
    let answer = link(employee, "quiz.answer");
    const attemptId = String(answer.data.v).split(":")[0];
    const paper = await request(
      t,
      "GET",
      `/api/v1/training/assignments/${assignmentId}/attempts/${attemptId}`,
    );
    const questions = ((await paper.json()) as { questions: ShownQuestion[] }).questions;
    expect(questions).toHaveLength(5);
    for (const [i, question] of questions.entries()) {
      expect(String(answer.data.v).startsWith(`${attemptId}:`)).toBe(true);
      const chosen = letters(question);
      await act(answer, { answer: chosen.length === 1 ? (chosen[0] as string) : chosen });
      if (i < questions.length - 1) {
        const previous = String(answer.data.v);
        answer = link(employee, "quiz.answer");
        // The next question is a new card with its own link.
        expect(String(answer.data.v)).not.toBe(previous);
      }
    }
    expect(titles(employee).some((title) => title.includes("Passed"))).toBe(true);
    const status = await request(t, "GET", `/api/v1/training/assignments/${assignmentId}`);
    expect(((await status.json()) as { status: string }).status).toBe("passed");
  });

  it("with both gates met the check passes; the manager completes the handover checklist", async () => {
    t.clock.advance(11 * 60_000);
    await tick();
    expect((await stepOf("check"))?.status).toBe("done");
    expect((await stepOf("handover"))?.status).toBe("active");
    await say(manager, "handover");
    const complete = link(manager, "handover.complete");
    const { html } = await act(complete, { done: ["documents", "code", "customer-accounts", "equipment"] });
    expect(html).toContain("Handover complete");
    expect(await stepOf("handover")).toMatchObject({ status: "done", completedBy: "employee:M1" });
  });

  it("HR binds the finance group only after confirming with the code; a wrong code spends the link", async () => {
    const group = { id: "cid-finance-group", group: true };
    await say(hr, "bind finance", group);
    const refused = link(hr, "privileged.confirm");
    expect(refused.data.v).toBe("bind finance");
    expect(await count(database, sql`select count(*)::int as n from channels`)).toBe(0);

    const wrong = await t.linkPage(refused.url, { code: "000000" === codeFor(hr) ? "111111" : "000000" });
    expect(await wrong.text()).toContain("Wrong or expired code");
    expect(await count(database, sql`select count(*)::int as n from channels`)).toBe(0);
    expect((await t.linkPage(refused.url, { code: codeFor(hr) })).status).toBe(409);

    await say(hr, "bind finance", group);
    const confirm = link(hr, "privileged.confirm");
    expect(confirm.url).not.toBe(refused.url);
    const { html } = await act(confirm, {}, { code: codeFor(hr) });
    expect(html).toContain("Channel bound");
    const rows = await database.query<{ platform: string; channel_id: string; purpose: string }>(
      sql`select platform, channel_id, purpose from channels`,
    );
    expect(rows).toEqual([{ platform: "dingtalk", channel_id: "cid-finance-group", purpose: "finance" }]);
    // "Channel bound" is said in the group itself, through groupMessages/send.
    expect(
      fake.sent().some((s) => s.to === "cid-finance-group" && String(s.param.title) === "Channel bound"),
    ).toBe(true);
  });

  it("the settlement goes to the bound group as text and to finance 1:1 with its buttons; finance records it", async () => {
    await dispatch();
    const inGroup = fake.sent().filter((s) => s.to === "cid-finance-group");
    expect(
      inGroup.some((s) => s.msgKey === "sampleMarkdown" && /settlement/i.test(JSON.stringify(s.param))),
    ).toBe(true);
    await act(link(finance, "step.open", /:settlement$/));
    const complete = link(finance, "settlement.complete");
    const { html } = await act(complete);
    expect(html).toContain("Settlement recorded");
    expect(await stepOf("settlement")).toMatchObject({ status: "done", completedBy: "employee:FIN1" });
  });

  it("on the last day HR issues the certificate through the API and the leaver is told in DingTalk", async () => {
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
    expect(titles(employee)).toContain(translate("en", "card.notify.certificate.issued.title"));
    expect(await count(database, sql`select count(*)::int as n from inbox where status <> 'done'`)).toBe(0);
    expect(await count(database, sql`select count(*)::int as n from outbox where status = 'dead'`)).toBe(0);
    // The app secret and the access token never reach the logs.
    const logs = t.logs.join("\n");
    expect(logs).not.toContain(testAppSecret);
    expect(logs).not.toContain("dt-access-token");
  });
});
