import { randomUUID } from "node:crypto";
import { and, eq, sql } from "drizzle-orm";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { ActionEvent, InboundEvent } from "../../../bots/events.ts";
import type { BotOutcome, Reply } from "../../../bots/reply.ts";
import { fallbackText } from "../../../cards/fallback-text.ts";
import type { CardNode } from "../../../cards/model.ts";
import { cardForNotification } from "../../../cards/templates/notifications.ts";
import { translate } from "../../../core/messages/index.ts";
import type { CaseView } from "../../../core/offboarding/case.ts";
import type { Database } from "../../../db/client.ts";
import { receiveInbound } from "../../../db/inbox.ts";
import {
  employeeIdentities,
  employees,
  inbox,
  signatureRequests,
  signatures,
} from "../../../db/schema/index.ts";
import { demoAgreement } from "../../../db/seeds/demo-agreement.ts";
import { applySeeds } from "../../../db/seeds/seed.ts";
import { manualClock, type TestApp } from "../../../test/helpers/app.ts";
import { testDatabase } from "../../../test/helpers/db.ts";
import {
  companyTestApp,
  count,
  createKey,
  evidenceCount,
  request,
} from "../../../test/helpers/offboarding.ts";
import { letters, type ShownQuestion, testCourseFiles } from "../../../test/helpers/training.ts";
import { encodeEvent } from "./event-codec.ts";
import { chatSource } from "./index.ts";

let database: Database;
let t: TestApp;
let clock: ReturnType<typeof manualClock>;
let hrKey: string;

/** Monday 2026-03-02, 10:00 in Shanghai. */
const start = new Date("2026-03-02T02:00:00Z");

beforeAll(async () => {
  database = await testDatabase();
});

beforeEach(async () => {
  clock = manualClock(start);
  t = await companyTestApp(database, clock);
  hrKey = await createKey(t, "employee:HR1", ["cases:read", "cases:write", "channels:write"]);
  // Slack identities, as an admin links them (never by e-mail).
  for (const id of ["E1", "E2", "E3", "M1", "HR1", "FIN1"]) {
    const [row] = await database.db
      .select({ id: employees.id })
      .from(employees)
      .where(eq(employees.externalId, id));
    await database.db
      .insert(employeeIdentities)
      .values({ employeeId: row?.id as string, platform: "slack", platformUserId: `U-${id}` });
  }
});

type Where = "direct" | "group";

function web(externalId: string): Pick<InboundEvent, "surface" | "who" | "where"> {
  const principal = `employee:${externalId}`;
  return {
    surface: "web",
    who: { userId: principal, principal },
    where: { chatId: `web:${principal}`, chatType: "direct" },
  };
}

function slack(externalId: string, where: Where = "direct"): Pick<InboundEvent, "surface" | "who" | "where"> {
  return {
    surface: "slack",
    who: { userId: `U-${externalId}`, tenant: "T1" },
    where:
      where === "direct"
        ? { chatId: `D-${externalId}`, chatType: "direct" }
        : { chatId: "C-HR", chatType: "group" },
  };
}

const common = () => ({ idempotencyKey: randomUUID(), receivedAt: clock.now(), locale: "en" as const });

const say = (from: Pick<InboundEvent, "surface" | "who" | "where">, text: string): InboundEvent => ({
  ...from,
  ...common(),
  type: "message",
  text,
});

const click = (
  from: Pick<InboundEvent, "surface" | "who" | "where">,
  action: string,
  value?: string,
  form: ActionEvent["form"] = {},
): ActionEvent => ({ ...from, ...common(), type: "action", action, ...(value ? { value } : {}), form });

const receive = (event: InboundEvent) => t.services.bot.receive(event);

function card(outcome: BotOutcome, index = 0): { type: Reply["type"]; card: CardNode; text: string } {
  const reply = outcome.replies[index];
  if (!reply || reply.type === "options") throw new Error(`expected a card, got ${JSON.stringify(outcome)}`);
  return { type: reply.type, card: reply.card, text: fallbackText(reply.card) };
}

async function caseOf(employee: string): Promise<CaseView> {
  const res = await request(t, "GET", `/api/v1/cases?employee=${employee}`, undefined, hrKey);
  expect(res.status).toBe(200);
  const body = (await res.json()) as { cases: CaseView[] };
  const found = body.cases[0];
  if (!found) throw new Error(`no case for ${employee}`);
  return found;
}

const stepOf = (view: CaseView, key: string) => view.steps.find((s) => s.key === key);

const stepCompletions = (step: string) =>
  count(
    database,
    sql`select count(*)::int as n from evidence_entries where action = 'case.step.completed' and data->>'step' = ${step}`,
  );

/** E1 resigns in the web chat (a 1:1 chat); answers the case. */
async function resign(): Promise<CaseView> {
  const form = card(await receive(say(web("E1"), "I want to resign")));
  expect(form.card.header.title).toBe("Notice of resignation");
  const receipt = card(
    await receive(click(web("E1"), "notice.submit", undefined, { lastDay: "2026-04-01" })),
  );
  expect(receipt.type).toBe("replace");
  expect(receipt.card.header.title).toBe("Notice received");
  return caseOf("E1");
}

describe("the bot over the real commands", () => {
  it("takes a notice in a 1:1 chat only, answers the receipt with the legal last day, and stores the event first", async () => {
    const refused = card(await receive(say(slack("E1", "group"), "@Baton 我要离职")));
    expect(refused.text).toContain("1:1 chat");
    expect(await count(database, sql`select count(*)::int as n from cases`)).toBe(0);

    const opened = await receive(say(slack("E1"), "/baton resign"));
    expect(opened.principal).toBe("employee:E1");
    expect(card(opened).text).toContain("2026-04-01");
    const submit = click(slack("E1"), "notice.submit", undefined, {
      lastDay: "2026-04-01",
      reason: "家庭原因",
    });
    const receipt = card(await receive(submit));
    expect(receipt.type).toBe("replace");
    expect(receipt.text).toContain("Legal last day: 2026-04-01");
    const view = await caseOf("E1");
    expect(view).toMatchObject({
      noticeDate: "2026-03-02",
      legalLastDay: "2026-04-01",
      noticeChannel: "slack",
    });
    expect(receipt.text).toContain(view.id);
    expect(await evidenceCount(database, "notice.received")).toBe(1);

    const [row] = await database.db
      .select()
      .from(inbox)
      .where(and(eq(inbox.source, chatSource("slack")), eq(inbox.idempotencyKey, submit.idempotencyKey)));
    expect(row).toMatchObject({ status: "done", payload: null });
    // The form state is gone once the notice is given.
    expect(
      await count(database, sql`select count(*)::int as n from conversations where kind = 'notice'`),
    ).toBe(0);
  });

  it("a redelivery (same idempotency key) is a duplicate with no second effect; a double click (new key) changes nothing", async () => {
    await receive(say(web("E1"), "resign"));
    const submit = click(web("E1"), "notice.submit", undefined, { lastDay: "2026-04-01" });
    const first = await receive(submit);
    expect(first.duplicate).toBe(false);
    const again = await receive(submit);
    expect(again).toEqual({ duplicate: true, replies: [] });
    const second = card(
      await receive(click(web("E1"), "notice.submit", undefined, { lastDay: "2026-04-01" })),
    );
    expect(second.card.header.title).toBe("Notice received");
    expect(await count(database, sql`select count(*)::int as n from cases`)).toBe(1);
    expect(await evidenceCount(database, "notice.received")).toBe(1);
  });

  it("runs the case: acknowledgement with a receiver (wrong user refused), handover, settlement, HR's list", async () => {
    const view = await resign();
    const ack = card(await receive(click(slack("M1", "group"), "step.open", `${view.id}:acknowledge`)));
    expect(ack.type).toBe("direct");
    const picker = ack.card.children.find((c) => c.type === "person-input");
    expect(picker).toMatchObject({ search: { mode: "remote", action: "people.search" } });

    // A wrong user's click: the refusal card, and the step is as it was.
    const wrong = card(
      await receive(click(slack("E3"), "notice.acknowledge", view.id, { receiver: "employee:E2" })),
    );
    expect(wrong.card.header.title).toBe("Not allowed");
    expect(stepOf(await caseOf("E1"), "acknowledge")?.status).toBe("active");
    expect(await stepCompletions("acknowledge")).toBe(0);

    const acknowledge = click(slack("M1"), "notice.acknowledge", view.id, { receiver: "employee:E2" });
    const done = card(await receive(acknowledge));
    expect(done.type).toBe("replace");
    expect(done.text).toContain("Colleague receives the handover");
    // The same event again (a platform retry) and a second click: one effect.
    expect((await receive(acknowledge)).duplicate).toBe(true);
    const twice = card(
      await receive(click(slack("M1"), "notice.acknowledge", view.id, { receiver: "employee:E2" })),
    );
    expect(twice.card.header.title).toBe("Notice acknowledged");
    expect(await stepCompletions("acknowledge")).toBe(1);
    const acknowledged = await caseOf("E1");
    expect(stepOf(acknowledged, "acknowledge")?.status).toBe("done");
    expect(stepOf(acknowledged, "handover")?.receiver).toBe("employee:E2");

    // The manager's handover checklist, ticked and completed.
    const checklist = card(await receive(say(slack("M1"), "/baton handover")));
    expect(checklist.card.header.title).toBe("Handover checklist: Leaver");
    const ticked = card(
      await receive(click(slack("M1"), "handover.update", view.id, { done: ["documents", "code"] })),
    );
    const ticks = ticked.card.children.find((c) => c.type === "choice-input");
    expect(ticks?.type === "choice-input" ? [...(ticks.initial ?? [])].sort() : []).toEqual([
      "code",
      "documents",
    ]);
    expect(stepOf(await caseOf("E1"), "handover")?.status).toBe("active");
    const handed = card(
      await receive(
        click(slack("M1"), "handover.complete", view.id, {
          done: ["documents", "code", "customer-accounts", "equipment"],
        }),
      ),
    );
    expect(handed.card.header.title).toBe("Handover complete");
    const afterHandover = await caseOf("E1");
    expect(stepOf(afterHandover, "handover")).toMatchObject({
      status: "done",
      checklist: { documents: true, code: true, "customer-accounts": true, equipment: true },
    });
    expect(stepOf(afterHandover, "settlement")?.status).toBe("active");

    // Finance settles (someone else may not).
    const notFinance = card(await receive(click(slack("M1"), "settlement.complete", view.id)));
    expect(notFinance.card.header.title).toBe("Not allowed");
    const settlementCard = card(
      await receive(click(slack("FIN1", "group"), "step.open", `${view.id}:settlement`)),
    );
    expect(settlementCard).toMatchObject({ type: "direct" });
    expect(settlementCard.card.header.title).toBe("Settlement: Leaver");
    const settled = card(await receive(click(slack("FIN1"), "settlement.complete", view.id)));
    expect(settled.card.header.title).toBe("Settlement recorded");
    expect(stepOf(await caseOf("E1"), "settlement")?.status).toBe("done");

    // HR's list; the employee's own checklist.
    const notHr = card(await receive(say(slack("E3"), "/baton cases")));
    expect(notHr.card.header.title).toBe("Not allowed");
    const list = card(await receive(say(slack("HR1"), "/baton cases")));
    expect(list.card.header.title).toBe("Running cases (1)");
    expect(list.text).toContain("Leaver (E1)");
    const mine = card(await receive(say(web("E1"), "进度")));
    expect(mine.card.header.title).toBe("My offboarding");
    expect(mine.text).toContain("Settlement: ✓ done");
  });

  it("Save stores the handover ticks: the card says so, and opening the handover later shows them", async () => {
    const view = await resign();
    await receive(click(slack("M1"), "notice.acknowledge", view.id, { receiver: "employee:E2" }));
    const ticksOf = (c: CardNode) => {
      const input = c.children.find((n) => n.type === "choice-input");
      return input?.type === "choice-input" ? [...(input.initial ?? [])].sort() : [];
    };

    const saved = card(
      await receive(
        click(slack("M1"), "handover.update", view.id, { done: ["documents", "code", "equipment"] }),
      ),
    );
    expect(saved.type).toBe("replace");
    expect(ticksOf(saved.card)).toEqual(["code", "documents", "equipment"]);
    expect(saved.text).toContain("Saved: 3 of 4 items handed over.");
    expect(await evidenceCount(database, "case.checklist.saved")).toBe(1);
    expect(await stepCompletions("handover")).toBe(0);

    // The next day, the manager opens the handover again: the ticks are there.
    clock.advance(24 * 3600_000);
    const reopened = card(await receive(say(slack("M1"), "/baton handover")));
    expect(ticksOf(reopened.card)).toEqual(["code", "documents", "equipment"]);
    const fromStep = card(await receive(click(slack("M1", "group"), "step.open", `${view.id}:handover`)));
    expect(ticksOf(fromStep.card)).toEqual(["code", "documents", "equipment"]);
    expect(stepOf(await caseOf("E1"), "handover")).toMatchObject({
      status: "active",
      checklist: { documents: true, code: true, "customer-accounts": false, equipment: true },
    });

    // The receiver may not tick the owner's list; a stranger gets "not allowed"; nothing changes.
    const receiver = card(await receive(click(slack("E2"), "handover.update", view.id, { done: [] })));
    expect(receiver.type).toBe("reply");
    expect(receiver.text).toContain("As the receiver you confirm receipt");
    const stranger = card(await receive(click(slack("E3"), "handover.update", view.id, { done: [] })));
    expect(stranger.card.header.title).toBe("Not allowed");
    expect(ticksOf(card(await receive(say(slack("M1"), "/baton handover"))).card)).toEqual([
      "code",
      "documents",
      "equipment",
    ]);
    expect(await evidenceCount(database, "case.checklist.saved")).toBe(1);

    // Completing without sending the list keeps what was saved.
    await receive(click(slack("M1"), "handover.complete", view.id));
    expect(stepOf(await caseOf("E1"), "handover")).toMatchObject({
      status: "done",
      checklist: { documents: true, code: true, "customer-accounts": false, equipment: true },
    });
  });

  it("binds a group as the HR channel for HR only, not in a 1:1 chat", async () => {
    expect(card(await receive(say(slack("E1", "group"), "bind hr"))).card.header.title).toBe("Not allowed");
    expect(card(await receive(say(slack("HR1"), "bind hr"))).text).toContain("group chat");
    const bound = card(await receive(say(slack("HR1", "group"), "绑定 HR")));
    expect(bound.type).toBe("reply");
    expect(bound.card.header.title).toBe("Channel bound");
    const res = await request(t, "GET", "/api/v1/channels?purpose=hr", undefined, hrKey);
    const channels = (
      (await res.json()) as { channels: { platform: string; channelId: string; boundBy: string }[] }
    ).channels;
    expect(channels).toEqual([
      expect.objectContaining({ platform: "slack", channelId: "C-HR", boundBy: "employee:HR1" }),
    ]);
    expect(card(await receive(say(slack("HR1", "group"), "bind hr"))).text).toContain("nothing changed");
  });

  it("searches people by name or id over a large directory, at most 20 options", async () => {
    await database.db.insert(employees).values(
      Array.from({ length: 150 }, (_, i) => ({
        id: randomUUID(),
        externalId: `S${String(i).padStart(3, "0")}`,
        name: `Searchable Person ${i}`,
      })),
    );
    const search = (query: string) =>
      receive({ ...slack("M1"), ...common(), type: "search", action: "people.search", query });
    const byName = (await search("searchable")).replies[0];
    if (byName?.type !== "options") throw new Error("options expected");
    expect(byName.options).toHaveLength(20);
    expect(byName.options.every((o) => o.label.startsWith("Searchable Person"))).toBe(true);
    const byId = (await search("S14")).replies[0];
    if (byId?.type !== "options") throw new Error("options expected");
    expect(byId.options.map((o) => o.value).sort()).toEqual(
      Array.from({ length: 10 }, (_, i) => `employee:S14${i}`).sort(),
    );
    const literal = (await search("%")).replies[0];
    expect(literal).toEqual({ type: "options", options: [] });
    // Searches change nothing: no inbox rows.
    expect(await count(database, sql`select count(*)::int as n from inbox`)).toBe(0);
  });

  it("refuses an unknown account and an external one politely", async () => {
    const unknown = await receive({ ...say(slack("E1"), "resign"), who: { userId: "U-NOBODY" } });
    expect(unknown.principal).toBeUndefined();
    expect(card(unknown).card.header.title).toBe("I do not know you yet");
    const guest = await receive({ ...say(slack("E1"), "resign"), who: { userId: "U-E1", external: true } });
    expect(card(guest).card.header.title).toBe("Not available");
    expect(await count(database, sql`select count(*)::int as n from conversations`)).toBe(0);
  });

  it("recovers an event whose inline handling died: the inbox worker runs it once", async () => {
    const view = await resign();
    const event = click(slack("M1"), "notice.acknowledge", view.id, { receiver: "employee:E2" });
    // As if receive() stored it and the process died before handling it.
    await receiveInbound(database, {
      source: chatSource("slack"),
      idempotencyKey: event.idempotencyKey,
      payload: encodeEvent(event),
      receivedAt: event.receivedAt,
      notBefore: clock.now(),
    });
    const report = await t.services.inbox.runOnce();
    expect(report).toMatchObject({ processed: 1, dead: 0 });
    expect(stepOf(await caseOf("E1"), "acknowledge")?.status).toBe("done");
    expect((await receive(event)).duplicate).toBe(true);
    expect(await stepCompletions("acknowledge")).toBe(1);
    // The answer the manager never saw goes to them through the outbox, marked as late, once.
    const rows = await database.query<{ data: { card: CardNode; surface: string } }>(
      sql`select data from outbox where kind = 'bot.reply' and recipient->>'principal' = 'employee:M1'`,
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]?.data.surface).toBe("slack");
    const shown = cardForNotification("bot.reply", rows[0]?.data ?? {}, { locale: "en", t: translate });
    expect(shown.header.title).toBe(`Baton's answer · ${rows[0]?.data.card.header.title}`);
    expect(shown.header.subtitle).toBe(translate("en", "card.notify.bot.reply.subtitle"));
    expect((await t.services.inbox.runOnce()).processed).toBe(0);
  });

  it("leaves an inline event to its handler: the worker does not take it meanwhile", async () => {
    await receive(say(web("E1"), "resign"));
    expect(await count(database, sql`select count(*)::int as n from inbox where status = 'done'`)).toBe(1);
    const report = await t.services.inbox.runOnce();
    expect(report.processed).toBe(0);
  });
});

describe("agreements and training in chat", () => {
  beforeEach(async () => {
    await applySeeds(database, [demoAgreement], { master: t.services.keys.encryption, now: clock.now() });
  });

  it("signs an agreement with the typed name, once", async () => {
    const res = await request(t, "POST", "/api/v1/agreements/confidentiality/signature-requests", {
      employees: ["E1"],
    });
    expect(res.status).toBe(200);
    const requestId = ((await res.json()) as { requests: { id: string }[] }).requests[0]?.id as string;

    const toSign = card(await receive(say(slack("E1", "group"), "sign")));
    expect(toSign.type).toBe("direct");
    expect(toSign.text).toContain("Please sign");
    const someoneElse = card(
      await receive(click(slack("E3"), "agreement.sign", requestId, { fullName: "Another" })),
    );
    expect(someoneElse.card.header.title).toBe("Not allowed");
    const wrongName = card(
      await receive(click(slack("E1"), "agreement.sign", requestId, { fullName: "Somebody" })),
    );
    expect(wrongName.card.header.title).toBe("That did not work");
    expect(await count(database, sql`select count(*)::int as n from signatures`)).toBe(0);

    const signed = card(
      await receive(click(slack("E1"), "agreement.sign", requestId, { fullName: "Leaver" })),
    );
    expect(signed.type).toBe("replace");
    expect(signed.card.header.title).toContain("Signed:");
    expect(signed.text).toContain("/verify/");
    const again = card(
      await receive(click(slack("E1"), "agreement.sign", requestId, { fullName: "Leaver" })),
    );
    expect(again.card.header.title).toBe("That did not work");
    const rows = await database.db.select().from(signatures).where(eq(signatures.requestId, requestId));
    expect(rows).toHaveLength(1);
    expect(rows[0]?.surface).toBe("slack");
    const [requestRow] = await database.db
      .select()
      .from(signatureRequests)
      .where(eq(signatureRequests.id, requestId));
    expect(requestRow?.status).toBe("signed");
  });

  it("reads the lessons and passes the quiz one question at a time", async () => {
    expect((await request(t, "POST", "/api/v1/courses", { files: testCourseFiles() })).status).toBe(201);
    const assigned = await request(t, "POST", "/api/v1/training/assignments", {
      employeeExternalId: "E1",
      courseId: "unit-course",
    });
    expect(assigned.status).toBe(201);
    const assignmentId = ((await assigned.json()) as { id: string }).id;

    let page = card(await receive(say(web("E1"), "training")));
    expect(page.card.header.subtitle).toBe("Page 1 of 4");
    for (let n = 2; n <= 4; n++) {
      page = card(await receive(click(web("E1"), "lesson.page", `unit-course:${n - 1}:${n}`)));
      expect(page.card.header.subtitle).toBe(`Page ${n} of 4`);
    }
    expect(await evidenceCount(database, "training.lesson.opened")).toBe(2);
    expect(await evidenceCount(database, "training.lesson.page-read")).toBe(3);

    let outcome = await receive(click(web("E1"), "quiz.start", "unit-course"));
    expect(await evidenceCount(database, "training.lesson.page-read")).toBe(4);
    let shown = card(outcome);
    expect(shown.card.header.title).toBe("Question 1 of 5");
    const submit = shown.card.children.find((c) => c.type === "submit");
    const attemptId = (submit?.type === "submit" ? submit.value : "")?.split(":")[0] as string;
    const paper = await request(
      t,
      "GET",
      `/api/v1/training/assignments/${assignmentId}/attempts/${attemptId}`,
    );
    const questions = ((await paper.json()) as { questions: ShownQuestion[] }).questions;
    for (const [i, question] of questions.entries()) {
      const answer = click(web("E1"), "quiz.answer", `${attemptId}:${i + 1}`, { answer: letters(question) });
      outcome = await receive(answer);
      if (i === 0) {
        // A double click on the first answer records nothing more and asks question 2 again.
        const again = card(
          await receive(click(web("E1"), "quiz.answer", `${attemptId}:1`, { answer: letters(question) })),
        );
        expect(again.card.header.title).toBe("Question 2 of 5");
      }
      shown = card(outcome);
      if (i < questions.length - 1) expect(shown.card.header.title).toBe(`Question ${i + 2} of 5`);
    }
    expect(shown.card.header.title).toBe("Passed: 100 points");
    expect(shown.text).toContain("/verify/");
    expect(await evidenceCount(database, "training.answer.recorded")).toBe(5);
    const status = await request(t, "GET", `/api/v1/training/assignments/${assignmentId}`);
    expect(((await status.json()) as { status: string }).status).toBe("passed");
    expect(await count(database, sql`select count(*)::int as n from conversations where kind = 'quiz'`)).toBe(
      0,
    );
  });
});
