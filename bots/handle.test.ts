import { describe, expect, it } from "vitest";
import { fallbackText } from "../cards/fallback-text.ts";
import type { CardNode, PersonInputNode } from "../cards/model.ts";
import { caseOf, fakeNow, fakePorts, person } from "../test/fakes/bot-ports.ts";
import type { ActionEvent, InboundEvent, MessageEvent } from "./events.ts";
import { handle } from "./handle.ts";
import type { Reply } from "./reply.ts";

const employee = person("E1", { name: "Li Lei" });
const manager = person("M1", { name: "Han Meimei", managesPeople: true });
const colleague = person("E2", { name: "Wang Fang" });
const hr = person("HR1", { name: "HR One", functions: ["hr"] });
const finance = person("FIN1", { name: "Finance One", functions: ["finance"] });
const stranger = person("E3", { name: "Stranger" });

function world() {
  return fakePorts({
    people: [employee, manager, colleague, hr, finance, stranger],
    identities: { "slack:U-E1": "E1", "slack:U-M1": "M1", "slack:U-HR1": "HR1", "slack:U-E3": "E3" },
  });
}

let serial = 0;
const base = (who: string, chat: "direct" | "group" = "direct") => ({
  surface: "slack" as const,
  idempotencyKey: `ev-${++serial}`,
  who: { userId: `U-${who}` },
  where: { chatId: chat === "direct" ? `D-${who}` : "G-1", chatType: chat },
  receivedAt: fakeNow,
});

const message = (who: string, text: string, chat: "direct" | "group" = "direct"): MessageEvent => ({
  ...base(who, chat),
  type: "message",
  text,
});

const action = (
  who: string,
  name: string,
  value?: string,
  form: ActionEvent["form"] = {},
  chat: "direct" | "group" = "direct",
): ActionEvent => ({
  ...base(who, chat),
  type: "action",
  action: name,
  ...(value !== undefined ? { value } : {}),
  form,
});

function only(replies: Reply[]): Exclude<Reply, { type: "options" }> {
  expect(replies).toHaveLength(1);
  const reply = replies[0];
  if (!reply || reply.type === "options") throw new Error("expected a card");
  return reply;
}

const text = (card: CardNode) => fallbackText(card);

async function run(ports: ReturnType<typeof world>, event: InboundEvent) {
  return handle(event, ports);
}

describe("who is served", () => {
  it("refuses an unknown account politely and does nothing", async () => {
    const ports = world();
    const out = await run(ports, message("NOBODY", "我要离职"));
    const reply = only(out.replies);
    expect(out.principal).toBeUndefined();
    expect(reply.card.header.title).toBe("暂时无法识别您");
    expect(ports.calls.saves).toHaveLength(0);
  });

  it("refuses a guest or external contact, even one with a known id", async () => {
    const ports = world();
    const event = { ...message("E1", "resign"), who: { userId: "U-E1", external: true } };
    const reply = only((await run(ports, event)).replies);
    expect(reply.card.header.title).toBe("无法使用");
    expect(ports.calls.saves).toHaveLength(0);
  });

  it("answers the event's locale, else the person's", async () => {
    const ports = world();
    const zh = only((await run(ports, { ...message("E1", "help"), locale: "zh-CN" })).replies);
    expect(zh.card.header.title).toBe("我能做什么");
    const en = only((await run(ports, message("E1", "帮助"))).replies);
    expect(en.card.header.title).toBe("What I can do");
  });

  it("gives no options to an unknown person's search", async () => {
    const ports = world();
    const out = await run(ports, {
      ...base("NOBODY"),
      type: "search",
      action: "people.search",
      query: "Wang",
    });
    expect(out.replies).toEqual([{ type: "options", options: [] }]);
  });
});

describe("the resignation notice", () => {
  it("is refused in a group, with the text telling them to write 1:1", async () => {
    const ports = world();
    const reply = only((await run(ports, message("E1", "@Baton 我要离职", "group"))).replies);
    expect(reply.type).toBe("reply");
    expect(text(reply.card)).toContain("1:1 chat");
    expect(ports.calls.saves).toHaveLength(0);
    const click = only((await run(ports, action("E1", "notice.submit", undefined, {}, "group"))).replies);
    expect(click.type).toBe("direct");
    expect(ports.calls.giveNotice).toHaveLength(0);
  });

  it("opens the form in a 1:1 chat with the legal last day, and keeps it in the conversation store", async () => {
    const ports = world();
    const reply = only((await run(ports, message("E1", "I want to resign"))).replies);
    expect(reply.type).toBe("reply");
    expect(reply.card.header.title).toBe("Notice of resignation");
    expect(text(reply.card)).toContain("2026-04-01");
    expect(ports.calls.saves[0]?.key).toMatchObject({
      kind: "notice",
      chatId: "D-E1",
      principal: "employee:E1",
    });
  });

  it("takes a requested last day from /baton resign and refuses one before the legal day", async () => {
    const ports = world();
    const later = only(
      (await run(ports, { ...base("E1"), type: "command", text: "resign 2026-04-10" })).replies,
    );
    const date = later.card.children.find((c) => c.type === "date-input");
    expect(date).toMatchObject({ initial: "2026-04-10" });
    const early = only(
      (await run(ports, { ...base("E1"), type: "command", text: "resign 2026-03-10" })).replies,
    );
    expect(text(early.card)).toContain("before your legal last day 2026-04-01");
  });

  it("submits the notice through giveNotice and answers the receipt in place", async () => {
    const ports = world();
    await run(ports, message("E1", "resign"));
    const submit = action("E1", "notice.submit", undefined, { lastDay: "2026-04-01", reason: "family" });
    const reply = only((await run(ports, submit)).replies);
    expect(reply.type).toBe("replace");
    expect(reply.card.header.title).toBe("Notice received");
    expect(text(reply.card)).toContain("2026-04-01");
    const notice = ports.calls.giveNotice[0];
    expect(notice).toMatchObject({
      employeeExternalId: "E1",
      channel: "slack",
      requestedLastDay: "2026-04-01",
      idempotencyKey: submit.idempotencyKey,
    });
    expect(notice?.text).toContain("I, Li Lei, hereby give notice");
    expect(notice?.text).toContain("family");
    expect(ports.store.size).toBe(0);
  });

  it("rejects a last day before the legal one without giving notice", async () => {
    const ports = world();
    const reply = only(
      (await run(ports, action("E1", "notice.submit", undefined, { lastDay: "2026-03-05" }))).replies,
    );
    expect(reply.type).toBe("reply");
    expect(ports.calls.giveNotice).toHaveLength(0);
  });

  it("shows the running case instead of a second form", async () => {
    const ports = world();
    ports.world.cases.push(caseOf("C1", "E1", "M1"));
    const out = await run(ports, message("E1", "离职"));
    expect(out.replies).toHaveLength(2);
    expect(ports.calls.saves).toHaveLength(0);
  });
});

describe("steps and cases", () => {
  it("step.open gives the manager the acknowledgement card with a remote person picker", async () => {
    const ports = world();
    ports.world.cases.push(caseOf("C1", "E1", "M1"));
    const reply = only((await run(ports, action("M1", "step.open", "C1:acknowledge"))).replies);
    expect(reply.type).toBe("replace");
    const picker = reply.card.children.find((c): c is PersonInputNode => c.type === "person-input");
    expect(picker?.search).toEqual({ mode: "remote", action: "people.search" });
    expect(picker?.options.length).toBeGreaterThan(0);
  });

  it("step.open clicked in a group goes to the person's 1:1 chat", async () => {
    const ports = world();
    ports.world.cases.push(caseOf("C1", "E1", "M1"));
    const reply = only((await run(ports, action("M1", "step.open", "C1:acknowledge", {}, "group"))).replies);
    expect(reply.type).toBe("direct");
  });

  it("a stranger's step.open is refused with the not-allowed card", async () => {
    const ports = world();
    ports.world.cases.push(caseOf("C1", "E1", "M1"));
    const reply = only((await run(ports, action("E3", "step.open", "C1:acknowledge"))).replies);
    expect(reply.card.header.title).toBe("Not allowed");
  });

  it("notice.acknowledge completes the step with the receiver; a wrong user gets not-allowed and nothing changes", async () => {
    const ports = world();
    const view = caseOf("C1", "E1", "M1");
    ports.world.cases.push(view);
    const wrong = only(
      (await run(ports, action("E3", "notice.acknowledge", "C1", { receiver: "employee:E2" }))).replies,
    );
    expect(wrong.card.header.title).toBe("Not allowed");
    expect(wrong.type).toBe("reply");
    expect(view.steps.find((s) => s.key === "acknowledge")?.status).toBe("active");

    const ok = only(
      (await run(ports, action("M1", "notice.acknowledge", "C1", { receiver: "employee:E2" }))).replies,
    );
    expect(ok.type).toBe("replace");
    expect(text(ok.card)).toContain("Wang Fang receives the handover");
    expect(ports.calls.completeStep.at(-1)).toMatchObject({
      caseId: "C1",
      stepKey: "acknowledge",
      actor: "employee:M1",
      data: { receiver: "employee:E2" },
    });
  });

  it("notice.acknowledge without a receiver asks for one (the manager) or refuses (anyone else)", async () => {
    const ports = world();
    ports.world.cases.push(caseOf("C1", "E1", "M1"));
    expect(text(only((await run(ports, action("M1", "notice.acknowledge", "C1"))).replies).card)).toContain(
      "Choose who receives",
    );
    expect(only((await run(ports, action("E3", "notice.acknowledge", "C1"))).replies).card.header.title).toBe(
      "Not allowed",
    );
    expect(ports.calls.completeStep).toHaveLength(0);
  });

  it("shows other AppErrors with their translated message", async () => {
    const ports = world();
    ports.world.cases.push(caseOf("C1", "E1", "M1"));
    const reply = only(
      (await run(ports, action("HR1", "notice.acknowledge", "C1", { receiver: "E2" }))).replies,
    );
    expect(reply.card.header.title).toBe("That did not work");
    expect(text(reply.card)).toContain("reason");
  });

  it("case.status shows the employee's checklist; HR may open any case; a stranger may not", async () => {
    const ports = world();
    ports.world.cases.push(caseOf("C1", "E1", "M1"));
    const own = only((await run(ports, action("E1", "case.status", "C1"))).replies);
    expect(own.card.header.title).toBe("My offboarding");
    expect(only((await run(ports, action("HR1", "case.open", "C1"))).replies).card.header.title).toBe(
      "My offboarding",
    );
    expect(only((await run(ports, action("E3", "case.open", "C1"))).replies).card.header.title).toBe(
      "Not allowed",
    );
  });

  it("settlement.complete is finance's; the handover complete by the manager", async () => {
    const ports = world();
    const view = caseOf("C1", "E1", "M1");
    for (const s of view.steps) if (s.key === "handover" || s.key === "settlement") s.status = "active";
    ports.world.cases.push(view);
    expect(
      only((await run(ports, action("M1", "settlement.complete", "C1"))).replies).card.header.title,
    ).toBe("Not allowed");
    const settled = only(
      (
        await run(ports, {
          ...action("FIN1", "settlement.complete", "C1"),
          who: { userId: "x", principal: "employee:FIN1" },
        })
      ).replies,
    );
    expect(settled.card.header.title).toBe("Settlement recorded");
    const handed = only(
      (await run(ports, action("M1", "handover.complete", "C1", { done: ["documents", "moon"] }))).replies,
    );
    expect(handed.card.header.title).toBe("Handover complete");
    expect(ports.calls.completeStep.at(-1)?.data).toEqual({
      checklist: { documents: true, code: false, equipment: false },
    });
  });

  it("handover.update saves the ticks without completing anything, and the card shows what is stored", async () => {
    const ports = world();
    const view = caseOf("C1", "E1", "M1");
    const handover = view.steps.find((s) => s.key === "handover");
    if (handover) handover.status = "active";
    ports.world.cases.push(view);
    const reply = only(
      (await run(ports, action("M1", "handover.update", "C1", { done: ["code", "moon"] }))).replies,
    );
    expect(reply.type).toBe("replace");
    const choice = reply.card.children.find((c) => c.type === "choice-input");
    expect(choice).toMatchObject({ initial: ["code"] });
    expect(text(reply.card)).toContain("Saved: 1 of 3 items handed over.");
    expect(ports.calls.saveChecklist).toEqual([
      {
        caseId: "C1",
        stepKey: "handover",
        actor: "employee:M1",
        checklist: { documents: false, code: true, equipment: false },
      },
    ]);
    expect(ports.calls.completeStep).toHaveLength(0);
    // Opened again later: the stored ticks.
    const again = only((await run(ports, message("M1", "/baton handover"))).replies);
    expect(again.card.children.find((c) => c.type === "choice-input")).toMatchObject({ initial: ["code"] });
    // Someone who may not act gets the refusal and nothing is saved.
    const wrong = only((await run(ports, action("E3", "handover.update", "C1", { done: [] }))).replies);
    expect(wrong.card.header.title).toBe("Not allowed");
    expect(ports.calls.saveChecklist).toHaveLength(1);
  });

  it("cases is for HR (and finance) only, and goes to the 1:1 chat when asked in a group", async () => {
    const ports = world();
    ports.world.cases.push(caseOf("C1", "E1", "M1"));
    expect(only((await run(ports, message("E1", "/baton cases"))).replies).card.header.title).toBe(
      "Not allowed",
    );
    const list = only((await run(ports, message("HR1", "@Baton cases", "group"))).replies);
    expect(list.type).toBe("direct");
    expect(list.card.header.title).toBe("Running cases (1)");
    expect(text(list.card)).toContain("Li Lei (E1)");
  });

  it("finance lists the cases too, and opening one whose settlement runs gives the settlement card", async () => {
    const ports = world();
    const view = caseOf("C1", "E1", "M1");
    for (const s of view.steps) if (s.key === "settlement") s.status = "active";
    ports.world.cases.push(view);
    const asFinance = (event: InboundEvent): InboundEvent => ({
      ...event,
      who: { userId: "x", principal: "employee:FIN1" },
    });
    const list = only((await run(ports, asFinance(message("FIN1", "/baton cases")))).replies);
    expect(list.card.header.title).toBe("Running cases (1)");
    const opened = only((await run(ports, asFinance(action("FIN1", "case.open", "C1")))).replies);
    expect(opened.card.header.title).toBe("Settlement: Li Lei");
    // The manager opening the case gets the acknowledgement they owe; the leaver their checklist.
    const managers = only((await run(ports, action("M1", "case.open", "C1"))).replies);
    expect(managers.card.header.title).toBe("Resignation notice from Li Lei");
    expect(only((await run(ports, action("E1", "case.open", "C1"))).replies).card.header.title).toBe(
      "My offboarding",
    );
    expect(ports.calls.completeStep).toHaveLength(0);
  });

  it("status without a case says so", async () => {
    const ports = world();
    expect(text(only((await run(ports, message("E1", "status"))).replies).card)).toContain(
      "no offboarding case running",
    );
  });
});

describe("binding channels", () => {
  it("binds an internal group for HR, and only there", async () => {
    const ports = world();
    expect(text(only((await run(ports, message("HR1", "bind hr"))).replies).card)).toContain("group chat");
    expect(only((await run(ports, message("E1", "bind hr", "group"))).replies).card.header.title).toBe(
      "Not allowed",
    );
    const external = {
      ...message("HR1", "绑定 HR", "group"),
      where: { chatId: "G-X", chatType: "group" as const, external: true },
    };
    expect(text(only((await run(ports, external)).replies).card)).toContain("another organisation");
    expect(ports.calls.bind).toHaveLength(0);

    const bound = only((await run(ports, message("HR1", "绑定财务", "group"))).replies);
    expect(bound.type).toBe("reply");
    expect(ports.calls.bind).toEqual([
      { platform: "slack", channelId: "G-1", purpose: "finance", actor: "employee:HR1" },
    ]);
  });

  it("refuses privileged commands on DingTalk, whose signature does not cover the message", async () => {
    const ports = world();
    ports.world.identities["dingtalk:U-HR1"] = "HR1";
    const event = { ...message("HR1", "bind hr", "group"), surface: "dingtalk" as const };
    expect(only((await run(ports, event)).replies).card.header.title).toBe("Not from this chat");
    expect(ports.calls.bind).toHaveLength(0);
  });
});

describe("agreements", () => {
  it("opens the card and signs with the typed name", async () => {
    const ports = world();
    ports.world.requests.R1 = "E1";
    const card = only((await run(ports, message("E1", "sign"))).replies);
    expect(card.card.header.title).toBe("Please sign: Confidentiality");
    expect(text(only((await run(ports, action("E1", "agreement.sign", "R1"))).replies).card)).toContain(
      "full name",
    );
    const signed = only(
      (await run(ports, action("E1", "agreement.sign", "R1", { fullName: "Li Lei" }))).replies,
    );
    expect(signed.type).toBe("replace");
    expect(signed.card.header.title).toBe("Signed: Confidentiality");
    expect(ports.calls.sign[0]).toMatchObject({
      surface: "slack",
      platformUserId: "U-E1",
      typedName: "Li Lei",
    });
    const other = only((await run(ports, action("E3", "agreement.open", "R1"))).replies);
    expect(other.card.header.title).toBe("Not allowed");
  });
});

describe("training and the quiz", () => {
  it("pages through a course, passing the page left behind", async () => {
    const ports = world();
    ports.world.courses.E1 = ["eng"];
    const first = only((await run(ports, message("E1", "training"))).replies);
    expect(first.card.header.title).toBe("Course: Lesson");
    const next = first.card.children.flatMap((c) => (c.type === "actions" ? c.elements : []))[0];
    expect(next).toMatchObject({ action: "lesson.page", value: "eng:1:2" });
    await run(ports, action("E1", "lesson.page", "eng:1:2"));
    expect(ports.calls.pages).toEqual([
      { from: null, to: 1 },
      { from: 1, to: 2 },
    ]);
  });

  it("asks one question at a time, keeps progress, ignores a double click and scores at the end", async () => {
    const ports = world();
    const q1 = only((await run(ports, action("E1", "quiz.start", "eng"))).replies);
    expect(q1.card.header.title).toBe("Question 1 of 2");
    const attempt = "00000000-0000-4000-8000-000000000001";
    const q2 = only((await run(ports, action("E1", "quiz.answer", `${attempt}:1`, { answer: "A" }))).replies);
    expect(q2.card.header.title).toBe("Question 2 of 2");
    const again = only(
      (await run(ports, action("E1", "quiz.answer", `${attempt}:1`, { answer: "A" }))).replies,
    );
    expect(again.card.header.title).toBe("Question 2 of 2");
    expect(ports.calls.answers).toHaveLength(1);
    const bad = only(
      (await run(ports, action("E1", "quiz.answer", `${attempt}:2`, { answer: ["Z"] }))).replies,
    );
    expect(bad.type).toBe("reply");
    const done = only(
      (await run(ports, action("E1", "quiz.answer", `${attempt}:2`, { answer: ["A", "C"] }))).replies,
    );
    expect(done.card.header.title).toBe("Passed: 100 points");
    expect(ports.calls.answers.map((a) => a.choices)).toEqual([["A"], ["A", "C"]]);
    expect(ports.store.size).toBe(0);
  });
});

describe("search and help", () => {
  it("answers a people search with at most 20 options", async () => {
    const ports = world();
    for (let i = 0; i < 60; i++) ports.world.people.push(person(`X${i}`, { name: `Zhang ${i}` }));
    const out = await run(ports, { ...base("M1"), type: "search", action: "people.search", query: "zhang" });
    const reply = out.replies[0];
    expect(reply?.type).toBe("options");
    if (reply?.type === "options") expect(reply.options.length).toBe(20);
  });

  it("shows help for unknown text, with HR's commands for HR", async () => {
    const ports = world();
    const out = await run(ports, message("HR1", "what's the weather"));
    expect(out.replies).toHaveLength(2);
    const helpCard = out.replies[1];
    if (!helpCard || helpCard.type === "options") throw new Error("card expected");
    expect(text(helpCard.card)).toContain("/baton cases");
  });

  it("answers a usage error for a bad /baton command", async () => {
    const ports = world();
    const reply = only((await run(ports, { ...base("E1"), type: "command", text: "fly" })).replies);
    expect(text(reply.card)).toContain("not a /baton subcommand");
  });
});
