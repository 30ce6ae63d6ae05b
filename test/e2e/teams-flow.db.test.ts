import { sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { CaseView } from "../../core/offboarding/case.ts";
import type { Database } from "../../db/client.ts";
import { demoAgreement } from "../../db/seeds/demo-agreement.ts";
import { applySeeds } from "../../db/seeds/seed.ts";
import { type ConnectorCall, type FakeBotConnector, startFakeBotConnector } from "../fakes/bot-connector.ts";
import { executeActions, executeInvoke, validateAdaptiveCard } from "../fakes/teams.ts";
import { manualClock, type TestApp } from "../helpers/app.ts";
import { resetDatabase, testDatabase } from "../helpers/db.ts";
import { adminToken, createKey, request, seedCompany } from "../helpers/offboarding.ts";
import {
  appId,
  botId,
  groupChatMessage,
  linkTeams,
  nextActivityId,
  personalMessage,
  postActivity,
  type TeamsUser,
  teamsTestApp,
  teamsUser,
  tenantId,
} from "../helpers/teams.ts";
import { letters, type ShownQuestion, testCourseFiles } from "../helpers/training.ts";

/**
 * The whole offboarding through Microsoft Teams, as Teams would drive it: every request signed by
 * the (fake) Bot Framework key, every click found in the Adaptive Card Baton sent and answered
 * with the input values Teams would merge in, every notification posted to the person's 1:1 chat
 * through the real botbuilder connector client. notice → acknowledge → sign → quiz → handover →
 * settle → certificate.
 */

type Json = Record<string, unknown>;
type AdaptiveCardJson = Json & { body: Json[] };

let database: Database;
let fake: FakeBotConnector;
let t: TestApp;
let clock: ReturnType<typeof manualClock>;
let hrKey: string;

const leaver = teamsUser("E1", "Leaver");
const manager = teamsUser("M1", "Manager One");
const receiver = teamsUser("E2", "Colleague");
const finance = teamsUser("FIN1", "Finance One");
const hr = teamsUser("HR1", "HR One");
const everyone = [leaver, manager, receiver, finance, hr];
const financeGroup = "19:finance-group-chat@thread.v2";

beforeAll(async () => {
  database = await testDatabase();
  fake = await startFakeBotConnector(appId);
});

afterAll(async () => {
  await fake.close();
});

beforeEach(async () => {
  await resetDatabase(database);
  // Monday 2026-03-02, 10:00 in Shanghai.
  clock = manualClock(new Date("2026-03-02T02:00:00Z"));
  t = await teamsTestApp(database, fake, { clock, env: { BATON_ADMIN_TOKEN: adminToken } });
  t.services.gates = [];
  await seedCompany(t);
  const details = await request(t, "PUT", "/api/v1/employees/E1", {
    name: "Leaver",
    entity: "acme-sh",
    managerExternalId: "M1",
    role: "engineering",
    idNumber: "310101199001011234",
    position: "Engineer",
    hireDate: "2023-01-01",
    serviceStartDate: "2023-01-01",
    contractType: "fixed",
    contractStartDate: "2023-01-01",
    contractEndDate: "2027-12-31",
    locale: "en",
  });
  expect(details.status, await details.clone().text()).toBeLessThan(300);
  await applySeeds(database, [demoAgreement], { master: t.services.keys.encryption, now: clock.now() });
  hrKey = await createKey(t, "employee:HR1", ["cases:read", "cases:write", "cases:admin", "evidence:read"]);
  for (const user of everyone) await linkTeams(database, user.externalId, user.userId);
  fake.calls.length = 0;
});

const personal = (user: TeamsUser) => ({
  serviceUrl: fake.serviceUrl,
  from: { id: user.userId, name: user.name, aadObjectId: user.aadObjectId },
  conversation: { conversationType: "personal", tenantId, id: user.chat },
  recipient: { id: botId, name: "Baton" },
  channelData: { tenant: { id: tenantId } },
  locale: "en-US",
});

function cardOf(body: Json | undefined): AdaptiveCardJson {
  const attachment = (
    body?.attachments as { contentType: string; content: AdaptiveCardJson }[] | undefined
  )?.[0];
  expect(attachment?.contentType).toBe("application/vnd.microsoft.card.adaptive");
  const card = attachment?.content as AdaptiveCardJson;
  expect(validateAdaptiveCard(card)).toEqual([]);
  return card;
}

function textsOf(card: unknown): string[] {
  const out: string[] = [];
  const visit = (value: unknown) => {
    if (Array.isArray(value)) for (const v of value) visit(v);
    else if (value && typeof value === "object") {
      const o = value as Json;
      if (o.type === "TextRun" && typeof o.text === "string") out.push(o.text);
      for (const v of Object.values(o)) visit(v);
    }
  };
  visit((card as AdaptiveCardJson).body);
  return out;
}

const titleOf = (card: AdaptiveCardJson) => textsOf(card)[0];

/** Every input of a card (Input.*), by id. */
function inputsOf(card: AdaptiveCardJson): Map<string, Json> {
  const inputs = new Map<string, Json>();
  const visit = (value: unknown) => {
    if (Array.isArray(value)) for (const v of value) visit(v);
    else if (value && typeof value === "object") {
      const o = value as Json;
      if (typeof o.type === "string" && o.type.startsWith("Input.") && typeof o.id === "string")
        inputs.set(o.id, o);
      for (const v of Object.values(o)) visit(v);
    }
  };
  visit(card.body);
  return inputs;
}

function action(card: AdaptiveCardJson, verb: string, value?: (v: string) => boolean): Json {
  const found = executeActions(card).find((a) => {
    const data = (a.data as { _baton?: { value?: string } } | undefined)?._baton;
    return a.verb === verb && (!value || value(data?.value ?? ""));
  });
  if (!found) {
    throw new Error(
      `no ${verb} on "${titleOf(card)}": ${executeActions(card)
        .map((a) => a.verb)
        .join(", ")}`,
    );
  }
  return found;
}

/** The person types in their 1:1 chat; answers the cards the bot posted in reply. */
async function say(user: TeamsUser, text: string): Promise<AdaptiveCardJson[]> {
  const before = fake.calls.length;
  const res = await postActivity(t, fake, personalMessage(fake, user, text, { locale: "en-US" }));
  expect(res.status).toBe(200);
  const replies = fake.calls
    .slice(before)
    .filter((c) => c.kind === "reply" && c.conversationId === user.chat);
  expect(replies.length, `a reply to "${text}"`).toBeGreaterThan(0);
  return replies.map((c) => cardOf(c.body));
}

/** The person clicks `target` on a card in their 1:1 chat with these inputs; answers the card that replaces it. */
async function click(
  user: TeamsUser,
  target: Json,
  values: Readonly<Record<string, string | readonly string[]>> = {},
): Promise<AdaptiveCardJson> {
  const res = await postActivity(
    t,
    fake,
    executeInvoke(target, values, { id: `f:${nextActivityId()}`, ...personal(user) }),
  );
  expect(res.status).toBe(200);
  const answer = (await res.json()) as { statusCode: number; type: string; value: unknown };
  expect(answer, JSON.stringify(answer).slice(0, 300)).toMatchObject({
    statusCode: 200,
    type: "application/vnd.microsoft.card.adaptive",
  });
  const card = answer.value as AdaptiveCardJson;
  expect(validateAdaptiveCard(card)).toEqual([]);
  return card;
}

/** What Baton pushed to the person's 1:1 chat (notifications), oldest first. */
function pushes(user: TeamsUser, since = 0): AdaptiveCardJson[] {
  return fake.calls
    .slice(since)
    .filter((c: ConnectorCall) => c.kind === "send" && c.conversationId === user.chat)
    .map((c) => cardOf(c.body));
}

async function caseOf(employee: string): Promise<CaseView> {
  const res = await request(t, "GET", `/api/v1/cases?employee=${employee}`, undefined, hrKey);
  expect(res.status).toBe(200);
  const found = ((await res.json()) as { cases: CaseView[] }).cases[0];
  if (!found) throw new Error(`no case for ${employee}`);
  return found;
}

const stepOf = (view: CaseView, key: string) => view.steps.find((s) => s.key === key);

describe("the whole offboarding through Teams", () => {
  it("notice → acknowledge → sign → quiz → handover → settle → certificate", async () => {
    // The app is installed for everyone (an admin's setup policy): Teams tells the bot each 1:1 chat.
    for (const user of everyone) {
      const installed = personalMessage(fake, user, "", {
        type: "installationUpdate",
        action: "add",
        text: undefined,
      });
      expect((await postActivity(t, fake, installed)).status).toBe(200);
    }
    expect(await database.query(sql`select key from teams_references`)).toHaveLength(everyone.length);
    // HR makes a group chat the finance channel.
    const bound = await postActivity(t, fake, groupChatMessage(fake, hr, financeGroup, "bind finance"));
    expect(bound.status).toBe(200);
    expect(await database.query(sql`select channel_id from channels where purpose = 'finance'`)).toEqual([
      { channel_id: financeGroup },
    ]);

    // 1. Notice, in the leaver's 1:1 chat: the form, then its receipt in place of the form.
    const [form] = await say(leaver, "resign");
    expect(titleOf(form as AdaptiveCardJson)).toBe("Notice of resignation");
    const receipt = await click(leaver, action(form as AdaptiveCardJson, "notice.submit"), {
      lastDay: "2026-04-01",
    });
    expect(titleOf(receipt)).toBe("Notice received");
    const view = await caseOf("E1");
    expect(view.plannedLastDay).toBe("2026-04-01");

    // 2. The manager is told (a proactive message), opens the step and acknowledges with a receiver
    //    found through the person picker's typeahead.
    let mark = fake.calls.length;
    await t.services.dispatcher.runOnce();
    expect(pushes(leaver, mark).length, "the leaver's receipt").toBeGreaterThan(0);
    const told = pushes(manager, mark);
    expect(told.length, "the manager's notification").toBeGreaterThan(0);
    const open = told
      .flatMap((c) => executeActions(c))
      .find((a) => a.verb === "step.open" && JSON.stringify(a.data).includes(`${view.id}:acknowledge`));
    expect(open, "a button to open the acknowledge step").toBeDefined();
    const ackCard = await click(manager, open as Json);
    const picker = inputsOf(ackCard).get("receiver");
    expect(picker?.type).toBe("Input.ChoiceSet");
    const dataset = (picker?.["choices.data"] as { dataset?: string } | undefined)?.dataset ?? "";
    const search = await postActivity(
      t,
      fake,
      personalMessage(fake, manager, "", {
        type: "invoke",
        name: "application/search",
        id: `f:${nextActivityId()}`,
        text: undefined,
        value: { kind: "search", queryText: "Colleague", queryOptions: { skip: 0, top: 15 }, dataset },
      }),
    );
    const found = ((await search.json()) as { value: { results: { title: string; value: string }[] } }).value
      .results;
    expect(found.map((r) => r.value)).toContain("employee:E2");
    const acknowledged = await click(manager, action(ackCard, "notice.acknowledge"), {
      receiver: "employee:E2",
    });
    expect(titleOf(acknowledged)).toBe("Notice acknowledged");
    expect(stepOf(await caseOf("E1"), "acknowledge")?.status).toBe("done");

    // 3. The confidentiality agreement: HR asks, the leaver is told, types their name and signs.
    const asked = await request(t, "POST", "/api/v1/agreements/confidentiality/signature-requests", {
      employees: ["E1"],
    });
    expect(asked.status).toBe(200);
    mark = fake.calls.length;
    await t.services.dispatcher.runOnce();
    expect(pushes(leaver, mark).length, "the signature request").toBeGreaterThan(0);
    const toSign = (await say(leaver, "sign")).find((c) =>
      executeActions(c).some((a) => a.verb === "agreement.sign"),
    ) as AdaptiveCardJson;
    expect(inputsOf(toSign).has("fullName")).toBe(true);
    const signed = await click(leaver, action(toSign, "agreement.sign"), { fullName: "Leaver" });
    expect(titleOf(signed)).toContain("Signed:");
    const [signature] = await database.query<{ surface: string }>(sql`select surface from signatures`);
    expect(signature?.surface).toBe("teams");

    // 4. The course: every lesson page, then the quiz, one question at a time.
    expect((await request(t, "POST", "/api/v1/courses", { files: testCourseFiles() })).status).toBe(201);
    const assigned = await request(t, "POST", "/api/v1/training/assignments", {
      employeeExternalId: "E1",
      courseId: "unit-course",
    });
    expect(assigned.status).toBe(201);
    const assignmentId = ((await assigned.json()) as { id: string }).id;
    let page = (await say(leaver, "training"))[0] as AdaptiveCardJson;
    for (let turn = 0; turn < 10 && !executeActions(page).some((a) => a.verb === "quiz.start"); turn++) {
      // `course:from:to`: the button that turns forward.
      const forward = (v: string) => Number(v.split(":")[2]) > Number(v.split(":")[1]);
      page = await click(leaver, action(page, "lesson.page", forward));
    }
    let question = await click(leaver, action(page, "quiz.start"));
    expect(titleOf(question)).toBe("Question 1 of 5");
    const submitValue = (action(question, "quiz.answer").data as { _baton: { value: string } })._baton.value;
    const attemptId = submitValue.split(":")[0] as string;
    const paper = await request(
      t,
      "GET",
      `/api/v1/training/assignments/${assignmentId}/attempts/${attemptId}`,
    );
    const questions = ((await paper.json()) as { questions: ShownQuestion[] }).questions;
    for (const [i, shown] of questions.entries()) {
      question = await click(
        leaver,
        action(question, "quiz.answer", (v) => v === `${attemptId}:${i + 1}`),
        {
          answer: letters(shown),
        },
      );
    }
    expect(titleOf(question)).toBe("Passed: 100 points");

    // 5. The handover: the manager ticks every item of the checklist and completes it.
    const checklist = (await say(manager, "handover")).find((c) =>
      executeActions(c).some((a) => a.verb === "handover.complete"),
    ) as AdaptiveCardJson;
    const items = ((inputsOf(checklist).get("done")?.choices as { value: string }[]) ?? []).map(
      (c) => c.value,
    );
    expect(items.length).toBeGreaterThan(0);
    const handed = await click(manager, action(checklist, "handover.complete"), { done: items });
    expect(titleOf(handed)).toBe("Handover complete");
    expect(stepOf(await caseOf("E1"), "handover")?.status).toBe("done");

    // 6. Settlement: the finance group chat is told; Finance opens the step there (the card comes
    //    to their 1:1 chat, not the group) and confirms.
    mark = fake.calls.length;
    await t.services.dispatcher.runOnce();
    const posted = fake.calls
      .slice(mark)
      .filter((c) => c.kind === "send" && c.conversationId === financeGroup)
      .map((c) => cardOf(c.body));
    const financeOpen = posted
      .flatMap((c) => executeActions(c))
      .find((a) => a.verb === "step.open" && JSON.stringify(a.data).includes(`${view.id}:settlement`));
    expect(financeOpen, "the finance group's notification with the settlement step").toBeDefined();
    mark = fake.calls.length;
    const inGroup = await postActivity(
      t,
      fake,
      executeInvoke(
        financeOpen as Json,
        {},
        {
          id: `f:${nextActivityId()}`,
          ...personal(finance),
          conversation: { conversationType: "groupChat", tenantId, id: financeGroup, isGroup: true },
        },
      ),
    );
    expect(((await inGroup.json()) as { type: string }).type).toBe(
      "application/vnd.microsoft.activity.message",
    );
    const [settlement] = pushes(finance, mark);
    expect(settlement, "the settlement card in finance's 1:1 chat").toBeDefined();
    const settled = await click(finance, action(settlement as AdaptiveCardJson, "settlement.complete"));
    expect(titleOf(settled)).toBe("Settlement recorded");
    expect(stepOf(await caseOf("E1"), "settlement")?.status).toBe("done");

    // 7. The last day: HR issues the separation certificate; it reaches the leaver's Teams chat.
    clock.advance(30 * 24 * 3600_000);
    const issued = await request(
      t,
      "POST",
      `/api/v1/cases/${view.id}/certificate`,
      { yearsOfServiceConfirmed: true },
      hrKey,
    );
    expect(issued.status, await issued.clone().text()).toBeLessThan(300);
    const certificate = (await issued.json()) as { verifyUrl: string };
    mark = fake.calls.length;
    await t.services.dispatcher.runOnce();
    const delivered = pushes(leaver, mark);
    const certificateCard = delivered.find((c) => textsOf(c).join(" ").includes("certificate"));
    expect(certificateCard, delivered.map((c) => titleOf(c)).join(" | ")).toBeDefined();
    expect(JSON.stringify(certificateCard)).toContain(certificate.verifyUrl);

    // Every request was authenticated; nothing went to Teams without the bot's token.
    expect(fake.calls.every((c) => c.authorization === "Bearer test-outbound-token")).toBe(true);
    expect(fake.failed).toHaveLength(0);
  });
});
