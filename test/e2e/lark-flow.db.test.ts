import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LarkCard, LarkElement } from "../../adapters/lark/render.ts";
import { translate } from "../../core/messages/index.ts";
import type { CaseView } from "../../core/offboarding/case.ts";
import type { Database } from "../../db/client.ts";
import {
  cardActionPayload,
  clickables,
  envelope,
  signedLarkRequest,
  testBotOpenId,
  testEncryptKey,
  testTenantKey,
} from "../fakes/lark.ts";
import { type FakeLarkApi, startFakeLarkApi, testLarkAppSecret } from "../fakes/lark-api.ts";
import { resetDatabase, testDatabase } from "../helpers/db.ts";
import { createLarkTestApp, type LarkTestApp } from "../helpers/lark.ts";
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
 * The whole offboarding through Feishu / Lark (issue 8): notice → acknowledge → sign → quiz →
 * handover → settle → certificate, every step an encrypted, properly signed Lark request through
 * the whole HTTP app and the SDK's dispatchers; clicks are answered inline (toast + updated card),
 * everything else is sent by the real SDK `Client` to a local fake of the Lark open API. The
 * employee, the manager and finance have Lark identities (set by an admin through the API); HR
 * issues the certificate through the API.
 */

let database: Database;
let fake: FakeLarkApi;
let t: LarkTestApp;
let caseId: string;

type Json = Record<string, unknown>;
type LarkUser = { openId: string; employee: string; p2p: string };

const employee: LarkUser = {
  openId: "ou_e1leaver000000000000000000000001",
  employee: "E1",
  p2p: "oc_p2p_e1",
};
const manager: LarkUser = { openId: "ou_m1manager00000000000000000000001", employee: "M1", p2p: "oc_p2p_m1" };
const finance: LarkUser = {
  openId: "ou_fin1finance000000000000000000001",
  employee: "FIN1",
  p2p: "oc_p2p_fin1",
};
const hr: LarkUser = { openId: "ou_hr1hr00000000000000000000000001", employee: "HR1", p2p: "oc_p2p_hr1" };
const financeGroup = "oc_financegroup0000000000000001";

/** Monday 2 March 2026, 10:00 in Shanghai. */
const start = new Date("2026-03-02T02:00:00Z");
/** The last day (notice + 30 days), 10:00 in Shanghai. */
const lastDayMorning = new Date("2026-04-01T02:00:00Z");

beforeAll(async () => {
  database = await testDatabase();
  fake = await startFakeLarkApi();
  await resetDatabase(database);
  t = await createLarkTestApp(database, fake, { env: { BATON_ADMIN_TOKEN: adminToken }, start });
  await seedCompany(t);
  await seedFlowPeople(t, database, "lark", {
    E1: employee.openId,
    M1: manager.openId,
    FIN1: finance.openId,
    HR1: hr.openId,
  });
}, 120_000);

afterAll(async () => {
  await fake.close();
});

const now = () => t.clock.now();
let counter = 0;
const nextId = (prefix: string) => `${prefix}_flow${String(++counter).padStart(4, "0")}`;

/** Cards as Lark shows them: sent messages, updated by patches and by inline callback answers. */
const inlineUpdates = new Map<string, LarkCard>();
type Shown = { messageId: string; chatId: string; receiveId: string; card: LarkCard };

/** The bot's messages in a chat (by chat id, or by the open_id it was sent to). */
function shownIn(target: string): Shown[] {
  return fake
    .messages()
    .filter((m) => m.chatId === target || m.receiveId === target)
    .map((m) => ({ ...m, card: inlineUpdates.get(m.messageId) ?? m.card }));
}

const titleOf = (card: LarkCard) =>
  String((card.header as { title?: { content?: string } }).title?.content ?? "");
const textOf = (card: LarkCard) => JSON.stringify(card);

function batonOf(button: LarkElement): { action?: string; value?: string } {
  const behaviors = (button.behaviors as Json[] | undefined) ?? [];
  const callback = behaviors.find((b) => b.type === "callback");
  return ((callback?.value as Json | undefined)?.baton ?? {}) as { action?: string; value?: string };
}

/** The latest message in `target` with a button for `action` (and a value matching). */
function withButton(target: string, action: string, value?: RegExp) {
  for (const shown of shownIn(target).reverse()) {
    const hit = clickables(shown.card).find((c) => {
      const baton = batonOf(c.button);
      return baton.action === action && (value === undefined || value.test(baton.value ?? ""));
    });
    if (hit) return { shown, hit };
  }
  throw new Error(`no ${action} button in ${target}: ${shownIn(target).map((s) => titleOf(s.card))}`);
}

async function say(user: LarkUser, text: string, options: { chat?: string; group?: boolean } = {}) {
  const group = options.group === true;
  const payload = envelope(
    "im.message.receive_v1",
    {
      sender: {
        sender_id: { open_id: user.openId, union_id: `on_${user.employee}`, user_id: user.employee },
        sender_type: "user",
        tenant_key: testTenantKey,
      },
      message: {
        message_id: nextId("om"),
        create_time: String(now().getTime()),
        chat_id: options.chat ?? user.p2p,
        chat_type: group ? "group" : "p2p",
        message_type: "text",
        content: JSON.stringify({ text: group ? `@_user_1 ${text}` : text }),
        ...(group
          ? {
              mentions: [
                {
                  key: "@_user_1",
                  id: { open_id: testBotOpenId, union_id: "on_baton" },
                  name: "Baton",
                  tenant_key: testTenantKey,
                },
              ],
            }
          : {}),
      },
    },
    { eventId: nextId("ev"), now: now() },
  );
  const res = await t.lark(signedLarkRequest({ payload, now: now() }));
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({});
}

let lastClick: { headers: Record<string, string>; body: string } | undefined;

type ClickAnswer = { toast?: { type: string; content: string }; card?: { type: string; data: LarkCard } };

async function click(
  user: LarkUser,
  target: string,
  action: string,
  values: Record<string, string | readonly string[]> = {},
  value?: RegExp,
): Promise<{ shown: Shown; answer: ClickAnswer }> {
  const { shown, hit } = withButton(target, action, value);
  const payload = cardActionPayload(hit, values, {
    eventId: nextId("ev"),
    openId: user.openId,
    chatId: shown.chatId,
    messageId: shown.messageId,
  });
  const started = performance.now();
  const signedClick = signedLarkRequest({ payload, now: now() });
  const res = await t.request("/webhooks/lark", {
    method: "POST",
    headers: signedClick.headers,
    body: signedClick.body,
  });
  expect(res.status).toBe(200);
  const answer = (await res.json()) as ClickAnswer;
  // Lark wants the answer within 3 s.
  expect(performance.now() - started).toBeLessThan(3000);
  await t.idle();
  if (answer.card) inlineUpdates.set(shown.messageId, answer.card.data);
  lastClick = signedClick;
  return { shown, answer };
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

describe("an offboarding from notice to certificate, through signed Lark requests", () => {
  it("the employee gives notice in a 1:1 chat and submits the form; the receipt replaces it inline", async () => {
    await say(employee, "我要离职");
    const form = withButton(employee.p2p, "notice.submit");
    expect(form.hit.form).toBeDefined();
    const { answer } = await click(employee, employee.p2p, "notice.submit", {
      lastDay: "2026-04-01",
      reason: "Family",
    });
    expect(answer.toast).toMatchObject({ type: "success", content: "Notice received" });
    expect(answer.card?.type).toBe("raw");
    expect(titleOf(answer.card?.data as LarkCard)).toBe("Notice received");
    expect(textOf(answer.card?.data as LarkCard)).toContain("2026-04-01");

    const res = await request(t, "GET", "/api/v1/cases?employee=E1");
    const found = ((await res.json()) as { cases: CaseView[] }).cases[0] as CaseView;
    caseId = found.id;
    expect(found).toMatchObject({
      noticeChannel: "lark",
      noticeDate: "2026-03-02",
      legalLastDay: "2026-04-01",
    });
    expect(await evidenceCount(database, "notice.received")).toBe(1);

    // Lark re-sends the same click (same event_id): 200, `{}`, nothing done twice.
    const sentBefore = fake.callsTo("create").length;
    const again = await t.lark({
      method: "POST",
      url: "",
      ...(lastClick as { headers: Record<string, string>; body: string }),
    });
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({});
    expect(fake.callsTo("create")).toHaveLength(sentBefore);
    expect(await evidenceCount(database, "notice.received")).toBe(1);
  });

  it("the manager gets a 1:1 message through the SDK, opens the step in place, picks the receiver and acknowledges", async () => {
    // Lark throttles the first try: the outbox waits and sends it again.
    fake.failNext("create", {
      status: 429,
      headers: { "x-ogw-ratelimit-reset": "1" },
      body: { code: 99991400, msg: "request trigger frequency limit" },
    });
    await dispatch();
    expect(fake.callsTo("create").some((c) => c.status === 429)).toBe(true);
    const sentToManager = fake.callsTo("create").filter((c) => c.body.receive_id === manager.openId);
    expect(sentToManager.length).toBeGreaterThan(0);
    expect(sentToManager[0]?.query.receive_id_type).toBe("open_id");
    const opened = await click(manager, manager.openId, "step.open", {}, /:acknowledge$/);
    expect(opened.answer.card).toBeDefined();
    expect(textOf(opened.answer.card?.data as LarkCard)).toContain("employee:E2");

    const { answer } = await click(manager, manager.openId, "notice.acknowledge", {
      receiver: "employee:E2",
    });
    expect(titleOf(answer.card?.data as LarkCard)).toBe("Notice acknowledged");
    expect(await stepOf("acknowledge")).toMatchObject({ status: "done", completedBy: "employee:M1" });
    expect((await stepOf("handover"))?.receiver).toBe("employee:E2");
  });

  it("the employee signs the agreement from the form the bot sends on `sign`", async () => {
    const requested = await request(t, "POST", "/api/v1/agreements/confidentiality/signature-requests", {
      employees: ["E1"],
    });
    expect(requested.status).toBe(200);
    await dispatch();
    expect(textOf(shownIn(employee.openId).at(-1)?.card as LarkCard)).toMatch(/sign/i);

    await say(employee, "sign");
    const { answer } = await click(employee, employee.p2p, "agreement.sign", { fullName: "Leaver" });
    const shown = answer.card?.data ?? (shownIn(employee.p2p).at(-1)?.card as LarkCard);
    expect(titleOf(shown)).toContain("Signed");
    expect(textOf(shown)).toContain("/verify/");
    const rows = await database.query<{ surface: string }>(sql`select surface from signatures`);
    expect(rows).toEqual([{ surface: "lark" }]);
  });

  it("the employee passes the quiz, one question per card, each answered inline", async () => {
    expect((await request(t, "POST", "/api/v1/courses", { files: testCourseFiles() })).status).toBe(201);
    const assigned = await request(t, "POST", "/api/v1/training/assignments", {
      employeeExternalId: "E1",
      courseId: "unit-course",
    });
    expect(assigned.status).toBe(201);
    const assignmentId = ((await assigned.json()) as { id: string }).id;

    await say(employee, "quiz");
    const list = shownIn(employee.p2p).at(-1)?.card as LarkCard;
    if (!clickables(list).some((c) => batonOf(c.button).action === "quiz.answer"))
      await click(employee, employee.p2p, "quiz.start", {}, /unit-course/);
    const first = withButton(employee.p2p, "quiz.answer");
    const attemptId = String(batonOf(first.hit.button).value).split(":")[0];
    const paper = await request(
      t,
      "GET",
      `/api/v1/training/assignments/${assignmentId}/attempts/${attemptId}`,
    );
    const questions = ((await paper.json()) as { questions: ShownQuestion[] }).questions;
    expect(questions).toHaveLength(5);
    let last: ClickAnswer | undefined;
    for (const question of questions) {
      last = (await click(employee, employee.p2p, "quiz.answer", { answer: letters(question) })).answer;
    }
    const result = last?.card?.data ?? (shownIn(employee.p2p).at(-1)?.card as LarkCard);
    expect(titleOf(result)).toContain("Passed");
    const status = await request(t, "GET", `/api/v1/training/assignments/${assignmentId}`);
    expect(((await status.json()) as { status: string }).status).toBe("passed");
  });

  it("with both gates met the check passes; the manager completes the handover checklist", async () => {
    t.clock.advance(11 * 60_000);
    await tick();
    expect((await stepOf("check"))?.status).toBe("done");
    expect((await stepOf("handover"))?.status).toBe("active");

    await say(manager, "handover");
    const { answer } = await click(manager, manager.p2p, "handover.complete", {
      done: ["documents", "code", "customer-accounts", "equipment"],
    });
    expect(titleOf(answer.card?.data as LarkCard)).toBe("Handover complete");
    expect(await stepOf("handover")).toMatchObject({ status: "done", completedBy: "employee:M1" });
  });

  it("HR binds the finance group by a mention; finance opens the settlement there and records it in a 1:1 chat", async () => {
    // A group shared with another company (only Lark's chat API can tell) cannot become a channel.
    const sharedGroup = "oc_sharedwithpartner00000000001";
    fake.setExternalChat(sharedGroup);
    await say(hr, "bind finance", { chat: sharedGroup, group: true });
    expect(fake.callsTo("chat").map((c) => c.path)).toEqual([`/open-apis/im/v1/chats/${sharedGroup}`]);
    expect(titleOf(shownIn(sharedGroup).at(-1)?.card as LarkCard)).not.toBe("Channel bound");
    expect(textOf(shownIn(sharedGroup).at(-1)?.card as LarkCard)).toContain(
      translate("en", "bot.bind.external"),
    );

    await say(hr, "bind finance", { chat: financeGroup, group: true });
    const bound = shownIn(financeGroup).at(-1);
    expect(titleOf(bound?.card as LarkCard)).toBe("Channel bound");

    await dispatch();
    const inGroup = withButton(financeGroup, "step.open", /:settlement$/);
    const opened = await click(finance, financeGroup, "step.open", {}, /:settlement$/);
    // A card anyone in the group could click is not replaced; the answer goes to the clicker.
    expect(opened.answer.card).toBeUndefined();
    expect(shownIn(financeGroup).find((s) => s.messageId === inGroup.shown.messageId)?.card).toEqual(
      inGroup.shown.card,
    );
    const settlement = withButton(finance.openId, "settlement.complete");
    expect(titleOf(settlement.shown.card)).toBe("Settlement: Leaver");
    const { answer } = await click(finance, finance.openId, "settlement.complete");
    expect(titleOf(answer.card?.data as LarkCard)).toBe("Settlement recorded");
    expect(await stepOf("settlement")).toMatchObject({ status: "done", completedBy: "employee:FIN1" });
  });

  it("on the last day HR issues the certificate through the API and the leaver is told on Lark", async () => {
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
    const told = shownIn(employee.openId).map((s) => titleOf(s.card));
    expect(told).toContain(translate("en", "card.notify.certificate.issued.title"));
    expect(await count(database, sql`select count(*)::int as n from inbox where status <> 'done'`)).toBe(0);
    expect(await count(database, sql`select count(*)::int as n from outbox where status = 'dead'`)).toBe(0);
    // Every call carried a tenant token the fake issued; no secret reached the logs.
    expect(
      fake.calls
        .filter((c) => c.route !== "token")
        .every((c) => /^Bearer t-fake-/.test(c.authorization ?? "")),
    ).toBe(true);
    const logs = t.logs.join("\n");
    expect(logs).not.toContain(testEncryptKey);
    expect(logs).not.toContain(testLarkAppSecret);
    expect(logs).not.toContain("c-295ee57216a5dc9de90fefd0aadb4b1d7d337c7c");
  });
});
