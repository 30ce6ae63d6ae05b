import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, readFile, rm } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, BrowserContext, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { employeeInput } from "../../core/directory/employee-input.ts";
import { type Locale, type MessageKey, translate } from "../../core/messages/index.ts";
import { decodedMail, startSmtpServer, type TestSmtpServer } from "../helpers/smtp.ts";
import { type LiveBaton, startBaton, travelClock } from "./baton.ts";
import { launchChromium } from "./browser.ts";

// The whole offboarding in a real browser (issue 6 point 7): Debian's Chromium, one browser
// context per person (their own cookies), signing in through the demo picker, against Baton running
// in this process on a loopback port with the embedded database, the demo data, e-mail to a local
// SMTP server and a clock the test moves. Every step is screenshotted into test-results/flow/.

const root = fileURLToPath(new URL("../..", import.meta.url));
const outDir = path.join(root, "test-results", "flow");
const phone = { width: 375, height: 812 };

/** Monday 2 March 2026, 10:00 in Shanghai: a working morning (people get messages in working hours). */
const start = new Date("2026-03-02T02:00:00Z");
const noticeDate = "2026-03-02";
const legalLastDay = "2026-04-01";
/** The last day, 10:00 in Shanghai: the certificate is issued at termination (LCL Art. 50). */
const lastDayMorning = new Date("2026-04-01T02:00:00Z");

const employee = { id: "E1101", name: "王强", locale: "zh-CN" as Locale, mail: "e1101.home@example.com" };
const manager = { id: "E1100", name: "李娜", locale: "en" as Locale };
const receiver = { id: "E1102", name: "Emily Chen" };
const hr = { id: "E1301", locale: "zh-CN" as Locale };
const financePerson = { id: "E1303" };
const idNumber = "310101199001011234";

/** Waits: generous, the machine has two cores and other tests may run beside this one. */
const long = 45_000;

const t = (locale: Locale, key: MessageKey, params?: Record<string, string | number>) =>
  translate(locale, key, params);

type Person = { id: string; locale: Locale; context: BrowserContext; page: Page; dialogs: string[] };

let baton: LiveBaton;
let smtp: TestSmtpServer;
let browser: Browser;
const people: Person[] = [];
let shots = 0;

/** The chat's sticky header and text box would cover a card scrolled into view: not in pictures. */
const unstick = ".chat-header, .composer { position: static !important; }";

async function shot(target: Page | Locator, name: string): Promise<void> {
  shots += 1;
  const file = path.join(outDir, `${String(shots).padStart(2, "0")}-${name}.png`);
  if ("goto" in target) await target.screenshot({ path: file, fullPage: true });
  else await target.screenshot({ path: file, style: unstick });
}

/** A picture of the screen (the phone's viewport) with `at` scrolled to the top. */
async function shotAt(page: Page, at: Locator, name: string): Promise<void> {
  shots += 1;
  await at.evaluate((el) => el.scrollIntoView({ block: "start" }));
  await page.screenshot({ path: path.join(outDir, `${String(shots).padStart(2, "0")}-${name}.png`) });
}

/** A catalogue text with its {placeholders} as a pattern, in one language or either. */
function pattern(key: MessageKey, locales: readonly Locale[] = ["zh-CN", "en"]): RegExp {
  const literal = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const one = (locale: Locale) =>
    translate(locale, key)
      .split(/\{\w+\}/)
      .map(literal)
      .join(".+?");
  return new RegExp(locales.map(one).join("|"));
}

/** Opens the person's own browser context and signs in through the demo picker, in their language. */
async function signIn(id: string, locale: Locale, options: { script?: boolean } = {}): Promise<Person> {
  const context = await browser.newContext({
    viewport: phone,
    locale,
    acceptDownloads: true,
    javaScriptEnabled: options.script !== false,
  });
  context.setDefaultTimeout(long);
  const page = await context.newPage();
  const dialogs: string[] = [];
  page.on("dialog", (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  await page.goto(`${baton.url}/chat?lang=${locale}`);
  await page.locator(`button[name="employeeId"][value="${id}"]`).click();
  await page.locator("#composer-text").waitFor();
  const person = { id, locale, context, page, dialogs };
  people.push(person);
  return person;
}

/** The latest bot card whose title matches. */
function card(page: Page, title: string | RegExp): Locator {
  return page
    .locator("li.msg-bot article.card")
    .filter({ has: page.locator("h2.card-title", { hasText: title }) })
    .last();
}

/** Types into the chat's text box and sends, as a person would. */
async function send(person: Person, text: string): Promise<void> {
  const box = person.page.locator("#composer-text");
  await box.fill(text);
  await box.press("Enter");
  await person.page.locator("li.msg-user .bubble", { hasText: text }).last().waitFor();
}

/** Waits until the page has polled the server again (so what the server holds is on the page). */
async function nextPoll(page: Page): Promise<void> {
  await page.waitForResponse((res) => res.url().includes("/chat/messages?after="), { timeout: long });
}

/** Waits until `check` answers something truthy (looking again every quarter second). */
async function until<T>(what: string, check: () => Promise<T | undefined | false>, ms = long): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const found = await check();
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function tick(): Promise<void> {
  const res = await baton.api("POST", "/api/v1/admin/tick");
  expect(res.status, JSON.stringify(res.body)).toBe(200);
}

type Step = {
  key: string;
  status: string;
  owner: string;
  receiver: string | null;
  completedAt: string | null;
  completedBy: string | null;
  checklist?: Record<string, boolean>;
};
type CaseView = {
  id: string;
  status: string;
  noticeDate: string;
  legalLastDay: string;
  plannedLastDay: string;
  steps: Step[];
};

async function caseView(id: string): Promise<CaseView> {
  const res = await baton.api<CaseView>("GET", `/api/v1/cases/${id}`);
  expect(res.status).toBe(200);
  return res.body;
}

async function casesOf(employeeId: string): Promise<CaseView[]> {
  const res = await baton.api<{ cases: CaseView[] }>("GET", `/api/v1/cases?employee=${employeeId}`);
  expect(res.status).toBe(200);
  return res.body.cases;
}

const stepOf = (view: CaseView, key: string): Step => {
  const step = view.steps.find((s) => s.key === key);
  if (!step) throw new Error(`no step ${key} in ${view.steps.map((s) => s.key).join(", ")}`);
  return step;
};

/** The demo course's right answers: question prompt (both languages) → the texts of the right options. */
async function rightAnswers(): Promise<Map<string, Set<string>>> {
  type Raw = {
    id: string;
    type: "single" | "multiple" | "true-false";
    prompt: { zh: string; en: string };
    answer?: boolean;
    options?: { zh: string; en: string; correct?: boolean }[];
  };
  const file = path.join(root, "courses", "engineering-confidentiality", "questions.yaml");
  const { questions } = parse(await readFile(file, "utf8")) as { questions: Raw[] };
  const answers = new Map<string, Set<string>>();
  for (const q of questions) {
    const right =
      q.type === "true-false"
        ? [
            ...(["zh-CN", "en"] as const).map((l) =>
              t(l, q.answer ? "training.answer.true" : "training.answer.false"),
            ),
          ]
        : (q.options ?? []).filter((o) => o.correct).flatMap((o) => [o.zh, o.en]);
    answers.set(q.prompt.zh, new Set(right));
    answers.set(q.prompt.en, new Set(right));
  }
  return answers;
}

/** The fields a card's form would send (for its submit `action`), as a urlencoded body. */
function formBody(form: Locator, action: string): Promise<string> {
  return form.evaluate((el, submit) => {
    const data = new FormData(el as HTMLFormElement);
    data.set("action", submit);
    const params = new URLSearchParams();
    data.forEach((value, name) => {
      if (typeof value === "string") params.append(name, value);
    });
    return params.toString();
  }, action);
}

/** Posts a form body again from the page, as a resent form would arrive. */
function resend(page: Page, body: string): Promise<{ status: number; body: { duplicate?: boolean } }> {
  return page.evaluate(async (sent) => {
    const res = await fetch("/webhooks/web", {
      method: "POST",
      headers: { accept: "application/json", "content-type": "application/x-www-form-urlencoded" },
      body: sent,
    });
    return { status: res.status, body: (await res.json()) as { duplicate?: boolean } };
  }, body);
}

/** Presses a confirmed button: the first press opens the confirmation, the second acts. */
async function confirmAndPress(scope: Locator, summary: string, options: { double?: boolean } = {}) {
  await scope.locator("summary", { hasText: summary }).click();
  const act = scope.locator("details[open] .confirm-box button[type=submit]");
  await act.waitFor();
  if (options.double) await act.dblclick();
  else await act.click();
}

beforeAll(async () => {
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  smtp = await startSmtpServer();
  baton = await startBaton({
    clock: travelClock(start),
    env: { SMTP_URL: smtp.url, MAIL_FROM: "Baton <baton@demo.example.com>" },
  });
  browser = await launchChromium();
  // The demo directory has no ID numbers; the certificate needs one (HR enters it before issuing).
  const current = await baton.api<Record<string, unknown>>("GET", `/api/v1/employees/${employee.id}`);
  expect(current.status).toBe(200);
  const personal = new Set(["personalEmail", "idNumber", "bankAccount"]);
  const body = Object.fromEntries(
    Object.keys(employeeInput.shape)
      .filter((key) => !personal.has(key) && current.body[key] !== undefined)
      .map((key) => [key, current.body[key]]),
  );
  const put = await baton.api("PUT", `/api/v1/employees/${employee.id}`, { ...body, idNumber });
  expect(put.status, JSON.stringify(put.body)).toBe(200);
}, 180_000);

afterAll(async () => {
  for (const person of people) await person.context.close().catch(() => {});
  await browser?.close();
  await baton?.close();
  await smtp?.close();
}, 60_000);

describe("an offboarding from notice to certificate, in a real browser", () => {
  let employeePage: Person;
  let managerPage: Person;
  let caseId = "";

  it("the employee gives notice in the chat and gets the receipt (a double click gives notice once)", async () => {
    employeePage = await signIn(employee.id, employee.locale);
    const { page } = employeePage;
    const zh = employee.locale;
    await send(employeePage, "我要离职");
    const form = card(page, t(zh, "card.notice_form.title"));
    await form.waitFor();
    // The legal last day, and that a notice cannot be taken back, are on the form.
    const text = await form.textContent();
    expect(text).toContain(legalLastDay);
    expect(text).toContain(noticeDate);
    expect(text).toContain(t(zh, "card.notice_form.warning"));
    expect(await form.locator("input[type=date]").inputValue()).toBe(legalLastDay);
    await shot(form, "employee-notice-form.zh-CN");

    // What the form sends (its idempotency key included), kept to send again afterwards.
    const sent = await formBody(form.locator("form.card-form"), "notice.submit");
    const posts: string[] = [];
    page.on("request", (req) => {
      if (req.method() === "POST" && req.url().endsWith("/webhooks/web")) posts.push(req.postData() ?? "");
    });
    await confirmAndPress(form, t(zh, "card.notice_form.submit"), { double: true });
    const receipt = card(page, t(zh, "card.notice_receipt.title"));
    await receipt.waitFor();
    const receiptText = await receipt.textContent();
    expect(receiptText).toContain(legalLastDay);
    await shot(receipt, "employee-notice-receipt.zh-CN");
    // The double click sent one request (the page disables a pressed button at once) ...
    expect(posts).toHaveLength(1);
    // ... and the same form sent again is recognised by its key and does nothing.
    expect(await resend(page, sent)).toMatchObject({ status: 200, body: { duplicate: true } });
    const cases = await casesOf(employee.id);
    expect(cases).toHaveLength(1);
    const view = cases[0] as CaseView;
    caseId = view.id;
    expect(receiptText).toContain(caseId);
    expect(view).toMatchObject({ status: "open", noticeDate, legalLastDay, plannedLastDay: legalLastDay });
    expect(stepOf(view, "acknowledge")).toMatchObject({ status: "active", owner: `employee:${manager.id}` });
  });

  it("markup in a message is shown as text: no element, no script", async () => {
    const { page, dialogs } = employeePage;
    const markup = "<img src=x onerror=alert(1)> <b>bold</b>";
    await send(employeePage, markup);
    const bubble = page.locator("li.msg-user .bubble").last();
    expect(await bubble.textContent()).toBe(markup);
    // As the page's script put it in: text, no element.
    expect(await page.locator("#log img, #log b").count()).toBe(0);
    // The bot answers the unknown text with help; after it, reload: the server's own rendering too.
    await page.reload();
    await page.locator("li.msg-user .bubble", { hasText: markup }).last().waitFor();
    expect(await page.locator("#log img").count()).toBe(0);
    expect(await page.locator("#log b").count()).toBe(0);
    expect(await page.locator("li.msg-user .bubble").last().textContent()).toBe(markup);
    expect(dialogs).toEqual([]);
    await shot(page.locator("li.msg-user").last(), "employee-markup-as-text.zh-CN");
  });

  let ackHtml = "";

  it("the manager gets the acknowledgement card in their chat", async () => {
    managerPage = await signIn(manager.id, manager.locale);
    const { page } = managerPage;
    const en = manager.locale;
    // Notifications are written in the person's directory language; the bot answers in the page's.
    const note = card(page, pattern("card.notify.step.assigned.title"));
    await note.waitFor();
    await shot(note, "manager-step-assigned.zh-CN");
    await note.locator("button", { hasText: pattern("card.open") }).click();
    const ack = card(page, t(en, "card.manager_ack.title", { name: employee.name }));
    await ack.waitFor();
    ackHtml = await ack.evaluate((el) => el.outerHTML);
    await shot(ack, "manager-acknowledge.en");
  });

  it("a wrong person posting the manager's form gets the not-allowed card, and nothing changes", async () => {
    const finance = await signIn(financePerson.id, "zh-CN");
    const { page } = finance;
    // The manager's card as captured from their page, put into the finance person's chat.
    await page.evaluate((html) => {
      const li = document.createElement("li");
      li.className = "msg msg-bot";
      li.id = "captured";
      li.innerHTML = html;
      document.getElementById("log")?.appendChild(li);
    }, ackHtml);
    const captured = page.locator("#captured");
    const select = captured.locator("select");
    const hasReceiver = await select.locator(`option[value$="${receiver.id}"]`).count();
    if (hasReceiver === 0) {
      await select.evaluate((el, id) => {
        const option = document.createElement("option");
        option.value = id;
        option.textContent = id;
        el.appendChild(option);
      }, receiver.id);
    }
    await select.selectOption({
      value: (await select.locator(`option[value$="${receiver.id}"]`).first().getAttribute("value")) ?? "",
    });

    // As captured it carries the manager's CSRF token: refused before the bot sees it.
    const refused = page.waitForResponse((res) => res.url().endsWith("/webhooks/web"));
    await captured.locator("button[type=submit]:not([disabled])").first().click();
    expect((await refused).status()).toBe(403);

    // With the finance person's own token (as their own page would send it): the bot refuses.
    await page.evaluate(() => {
      const token = document.body.getAttribute("data-csrf") ?? "";
      for (const input of document.querySelectorAll<HTMLInputElement>('#captured input[name="_csrf"]')) {
        input.value = token;
      }
      for (const button of document.querySelectorAll<HTMLButtonElement>("#captured button")) {
        if (!button.hidden) button.disabled = false;
      }
    });
    await captured.locator("button[type=submit]:not([disabled])").first().click();
    const notAllowed = card(page, t("zh-CN", "card.not_allowed.title"));
    await notAllowed.waitFor();
    await shot(notAllowed, "wrong-person-not-allowed.zh-CN");

    const view = await caseView(caseId);
    expect(stepOf(view, "acknowledge")).toMatchObject({ status: "active", completedAt: null });
    expect(view.steps.every((s) => s.receiver === null)).toBe(true);
  });

  it("the manager searches for the receiver, picks them and acknowledges", async () => {
    const { page } = managerPage;
    const en = manager.locale;
    const ack = card(page, t(en, "card.manager_ack.title", { name: employee.name }));
    const search = ack.locator("input[data-person-search]");
    const searched = page.waitForResponse(
      (res) =>
        res.url().endsWith("/webhooks/web") && (res.request().postData() ?? "").includes("type=search"),
    );
    await search.fill("Emily");
    expect((await searched).status()).toBe(200);
    // The picker now offers what the search found (besides "choose…"): the one person called Emily.
    const offered = ack.locator("select option:not([value=''])");
    await until("the search's options", async () => (await offered.count()) === 1);
    expect(await offered.textContent()).toContain(receiver.name);
    const value = await offered.getAttribute("value");
    await ack.locator("select").selectOption({ value: value ?? "" });
    await shot(ack, "manager-receiver-picked.en");
    await ack.locator("button[type=submit]", { hasText: t(en, "card.manager_ack.submit") }).click();
    const done = card(page, t(en, "bot.ack.done_title"));
    await done.waitFor();
    expect(await done.textContent()).toContain(receiver.name);
    await shot(done, "manager-acknowledged.en");

    const view = await caseView(caseId);
    expect(stepOf(view, "acknowledge")).toMatchObject({
      status: "done",
      completedBy: `employee:${manager.id}`,
    });
    expect(view.steps.some((s) => s.receiver === `employee:${receiver.id}`)).toBe(true);
  });

  it("the employee signs the agreement with their typed name", async () => {
    const { page } = employeePage;
    const zh = employee.locale;
    const note = card(page, pattern("card.notify.agreement.signature.requested.title"));
    await note.waitFor();
    await shot(note, "employee-agreement-requested.zh-CN");
    await note.locator("button", { hasText: pattern("card.open") }).click();
    const sign = card(page, /保密协议/);
    await sign.locator("input[type=text]").waitFor();
    await sign.locator("input[type=text]").fill(employee.name);
    await shot(sign, "employee-agreement-to-sign.zh-CN");
    await confirmAndPress(sign, t(zh, "card.agreement.sign"));
    const receipt = card(page, t(zh, "card.signature_receipt.title", { title: "保密协议" }));
    await receipt.waitFor();
    await shot(receipt, "employee-agreement-signed.zh-CN");
  });

  it("the employee reads the course and passes the quiz", async () => {
    const { page } = employeePage;
    const zh = employee.locale;
    const note = card(page, pattern("card.notify.training.assigned.title"));
    await note.waitFor();
    await note.locator("button", { hasText: pattern("card.open") }).click();
    const next = t(zh, "card.lesson.next");
    const quiz = t(zh, "card.lesson.quiz");
    const lesson = page
      .locator("li.msg-bot article.card")
      .filter({ has: page.locator("button", { hasText: new RegExp(`^(${next}|${quiz})$`) }) })
      .last();
    await lesson.waitFor();
    await shot(lesson, "employee-lesson-first-page.zh-CN");
    for (let turned = 0; ; turned++) {
      expect(turned).toBeLessThan(60);
      const subtitle = (await lesson.locator(".card-subtitle").textContent()) ?? "";
      const quizButton = lesson.locator("button", { hasText: quiz });
      if (await quizButton.count()) {
        await shot(lesson, "employee-lesson-last-page.zh-CN");
        await quizButton.click();
        break;
      }
      await lesson.locator("button", { hasText: next }).click();
      // The page turns in place: the card shows the next page's number.
      await until(
        "the next page",
        async () => ((await lesson.locator(".card-subtitle").textContent()) ?? subtitle) !== subtitle,
      );
    }

    const answers = await rightAnswers();
    const questionCard = page
      .locator("li.msg-bot article.card")
      .filter({ has: page.locator("button", { hasText: t(zh, "card.quiz.answer") }) })
      .last();
    await questionCard.waitFor();
    const title = (await questionCard.locator("h2.card-title").textContent()) ?? "";
    const total = Number(/(\d+)\D*$/.exec(title)?.[1] ?? "0");
    expect(total).toBeGreaterThan(0);
    for (let index = 1; index <= total; index++) {
      const q = card(page, t(zh, "card.quiz.title", { index, total }));
      await q
        .locator("button[type=submit]:not([disabled])", { hasText: t(zh, "card.quiz.answer") })
        .waitFor();
      const prompt = (
        (await q.locator(".card-body > p.plain, .card-body > .md").first().textContent()) ?? ""
      ).trim();
      const right = answers.get(prompt);
      expect(right, `a question of the demo course: ${prompt}`).toBeDefined();
      const labels = q.locator("fieldset label");
      for (let i = 0; i < (await labels.count()); i++) {
        const label = labels.nth(i);
        const text = ((await label.textContent()) ?? "").trim().replace(/^[A-Z]\.\s*/, "");
        if (right?.has(text)) await label.locator("input").check();
      }
      if (index === 1) await shot(q, "employee-quiz-question.zh-CN");
      await q.locator("button[type=submit]", { hasText: t(zh, "card.quiz.answer") }).click();
      if (index < total) await card(page, t(zh, "card.quiz.title", { index: index + 1, total })).waitFor();
    }
    const result = card(page, pattern("card.quiz_result.passed_title", [zh]));
    await result.waitFor();
    expect(await result.locator("h2.card-title").textContent()).toBe(
      t(zh, "card.quiz_result.passed_title", { score: 100 }),
    );
    await shot(result, "employee-quiz-passed.zh-CN");
  });

  it("with both gates met, the check passes and the manager confirms the handover", async () => {
    // The check reads its gates again every ten minutes: let them pass, and tick.
    baton.clock.advance(11 * 60_000);
    await until("the handover to start", async () => {
      await tick();
      const view = await caseView(caseId);
      return stepOf(view, "handover").status === "active";
    });
    const { page } = managerPage;
    const en = manager.locale;
    const note = card(page, pattern("card.notify.step.assigned.title")).filter({ hasText: /handover|交接/i });
    await note.waitFor();
    await note.locator("button", { hasText: pattern("card.open") }).click();
    const handover = card(page, t(en, "card.handover.title", { name: employee.name }));
    await handover.waitFor();
    for (const box of await handover.locator("input[type=checkbox]").all()) await box.check();
    await shot(handover, "manager-handover.en");
    await confirmAndPress(handover, t(en, "card.handover.complete"));
    const done = card(page, t(en, "bot.handover.done_title"));
    await done.waitFor();
    await shot(done, "manager-handover-done.en");
    const view = await caseView(caseId);
    expect(stepOf(view, "handover")).toMatchObject({ status: "done", completedBy: `employee:${manager.id}` });
    // The ticks went with the "complete" press and are on the record.
    const { checklist } = stepOf(view, "handover");
    expect(Object.keys(checklist ?? {}).length).toBeGreaterThan(0);
    expect(Object.values(checklist ?? {}).every((ticked) => ticked)).toBe(true);
  });

  it("finance settles; the same form sent again does nothing more", async () => {
    const view = await until("the settlement to start", async () => {
      const v = await caseView(caseId);
      return stepOf(v, "settlement").status === "active" ? v : undefined;
    });
    // The step is finance's as a group: with no finance group channel (the web chat has none), a
    // finance person finds the case in the list and opens it.
    expect(stepOf(view, "settlement").owner).toBe("group:finance");
    const finance =
      people.find((p) => p.id === financePerson.id) ?? (await signIn(financePerson.id, "zh-CN"));
    const { page } = finance;
    const zh = finance.locale;
    await send(finance, "/baton cases");
    const list = card(page, pattern("bot.cases.title_open", [zh]));
    await list.waitFor();
    await shot(list, "finance-cases.zh-CN");
    await list.locator("button", { hasText: `${employee.name} (${employee.id})` }).click();
    const settle = card(page, t(zh, "card.settlement.title", { name: employee.name }));
    await settle.waitFor();
    await shot(settle, "finance-settlement.zh-CN");
    // What the "mark settled" button sends, kept to send again afterwards.
    const sent = await formBody(settle.locator("form[hidden]").first(), "settlement.complete");
    expect(sent).toContain(caseId);
    await confirmAndPress(settle, t(zh, "card.settlement.complete"));
    const done = card(page, t(zh, "bot.settlement.done_title"));
    await done.waitFor();
    await shot(done, "finance-settled.zh-CN");

    expect(await resend(page, sent)).toMatchObject({ status: 200, body: { duplicate: true } });
    await nextPoll(page);
    expect(await page.locator("h2.card-title", { hasText: t(zh, "bot.settlement.done_title") }).count()).toBe(
      1,
    );
    expect(stepOf(await caseView(caseId), "settlement")).toMatchObject({
      status: "done",
      completedBy: `employee:${financePerson.id}`,
    });
  });

  it("on the last day HR issues the certificate in the console", async () => {
    baton.clock.travelTo(lastDayMorning);
    await tick();
    const person = await signIn(hr.id, hr.locale);
    const { page } = person;
    await page.goto(`${baton.url}/hr`);
    await page.locator("#q").fill(employee.name);
    await page.locator("form[role=search] button[type=submit]").click();
    const row = page.locator(`a[href="/hr/cases/${caseId}"]`);
    await row.waitFor();
    await shotAt(page, page.locator("h1"), "hr-cases-found.zh-CN");
    await row.click();
    await page.locator("#action-certificate-issue").waitFor();
    await page.locator('#action-certificate-issue input[name="yearsOfServiceConfirmed"]').check();
    await shotAt(page, page.locator("#certificate"), "hr-certificate-to-issue.zh-CN");
    await page.locator("#action-certificate-issue button[type=submit]").click();
    await page.locator("#action-certificate-revoke").waitFor();
    await shotAt(page, page.locator("#certificate"), "hr-certificate-issued.zh-CN");
    const certificate = await baton.api<{ current: { status: string; version: number } | null }>(
      "GET",
      `/api/v1/cases/${caseId}/certificate`,
    );
    expect(certificate.body.current).toMatchObject({ status: "issued", version: 1 });
  });

  it("the employee's mailbox has the link; their browser downloads the PDF with it", async () => {
    const mail = await until("the certificate mail", async () =>
      smtp.received
        .filter((m) => m.to.includes(employee.mail))
        .map((m) => decodedMail(m.raw))
        .find((text) => text.includes("/a/") && /离职证明|certificate/i.test(text)),
    );
    // The decoded text follows the raw one, where a long line may be folded: the longest is whole.
    const links =
      mail.match(new RegExp(`${baton.url.replace(/[.:/]/g, "\\$&")}/a/[A-Za-z0-9._~-]+`, "g")) ?? [];
    const link = links.sort((a, b) => b.length - a.length)[0];
    expect(link).toBeDefined();
    const { page } = employeePage;
    await page.goto(link as string);
    await shot(page, "employee-certificate-link.zh-CN");
    const downloading = page.waitForEvent("download");
    await page.locator("form button[type=submit]").first().click();
    const download = await downloading;
    const file = path.join(outDir, "separation-certificate.pdf");
    await download.saveAs(file);
    const pdf = await readFile(file);
    expect(pdf.subarray(0, 5).toString("latin1")).toBe("%PDF-");
    if (existsSync("/usr/bin/pdftotext")) {
      const text = execFileSync("pdftotext", ["-layout", file, "-"], { encoding: "utf8" });
      expect(text).toContain(employee.name);
    }
  });

  it("without JavaScript the chat still works: plain form posts and pages", async () => {
    const person = await signIn(receiver.id, "en", { script: false });
    const { page } = person;
    await page.locator("#composer-text").fill("help");
    await Promise.all([page.waitForURL(/\/chat#m\d+$/), page.locator("#composer-text").press("Enter")]);
    const help = card(page, t("en", "card.help.title"));
    await help.waitFor();
    await shot(help, "receiver-help-without-script.en");
  });
});
