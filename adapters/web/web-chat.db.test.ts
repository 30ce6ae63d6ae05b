import { randomUUID } from "node:crypto";
import { sql } from "drizzle-orm";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { InboundEvent } from "../../bots/events.ts";
import type { BotHandler, Reply } from "../../bots/reply.ts";
import { Button, Card, type CardNode, Submit, Text, TextInput } from "../../cards/model.ts";
import { cardForNotification } from "../../cards/templates/notifications.ts";
import { translate } from "../../core/messages/index.ts";
import { messageOf } from "../../core/notifications/delivery.ts";
import type { Database } from "../../db/client.ts";
import { enqueueNotification } from "../../db/outbox.ts";
import { createTestApp, manualClock, type TestApp } from "../../test/helpers/app.ts";
import { resetDatabase, testDatabase } from "../../test/helpers/db.ts";
import {
  adminToken,
  issueLink,
  login,
  origin,
  type Session,
  seedPeople,
} from "../../test/helpers/training.ts";
import { escapeHtml } from "../shared/html.ts";

let database: Database;
let t: TestApp;
let clock: ReturnType<typeof manualClock>;

beforeAll(async () => {
  database = await testDatabase();
});

async function app(env: Record<string, string> = {}) {
  clock = manualClock(new Date("2026-03-02T02:00:00Z"));
  t = await createTestApp(database, { env: { BATON_ADMIN_TOKEN: adminToken, ...env }, clock });
  await seedPeople(t);
}

beforeEach(async () => {
  await resetDatabase(database);
});

const evil = `<script>alert("x")</script>`;

/** A bot that answers from a script and remembers what it got. */
function fakeBot(
  answer: (event: InboundEvent) => Reply[] | Promise<Reply[]>,
): BotHandler & { calls: InboundEvent[] } {
  const calls: InboundEvent[] = [];
  return {
    calls,
    async receive(event) {
      calls.push(event);
      return { duplicate: false, replies: await answer(event) };
    },
  };
}

const card = (title: string, ...children: CardNode["children"]): CardNode =>
  Card({ title, tone: "info" }, children);

type Posted = {
  ok: boolean;
  duplicate?: boolean;
  ignored?: boolean;
  options?: { label: string; value: string }[];
  messages: { id: number; revision: number; role: string; html: string }[];
  revision: number;
};

async function postJson(who: Session, fields: Record<string, string>, headers: Record<string, string> = {}) {
  return t.request("/webhooks/web", {
    method: "POST",
    headers: {
      ...origin,
      accept: "application/json",
      "content-type": "application/x-www-form-urlencoded",
      cookie: who.cookie,
      ...headers,
    },
    body: new URLSearchParams({ _csrf: who.csrf, ...fields }).toString(),
  });
}

async function send(who: Session, fields: Record<string, string>): Promise<Posted> {
  const res = await postJson(who, fields);
  const text = await res.text();
  expect(res.status, text).toBe(200);
  return JSON.parse(text) as Posted;
}

const say = (who: Session, text: string, key = randomUUID()) => send(who, { type: "message", key, text });

async function poll(who: Session, after = 0): Promise<Posted> {
  const res = await t.request(`/chat/messages?after=${after}`, { headers: { cookie: who.cookie } });
  expect(res.status).toBe(200);
  return (await res.json()) as Posted;
}

async function page(path: string, cookie?: string, headers: Record<string, string> = {}) {
  return t.request(path, { headers: { ...(cookie ? { cookie } : {}), ...headers } });
}

const count = async (query: ReturnType<typeof sql>) =>
  Number((await database.query<{ n: string | number }>(query))[0]?.n ?? 0);

/** The hidden fields of the first form in some HTML that posts the given action. */
function formFor(markup: string, action: string): Record<string, string> {
  const forms = [...markup.matchAll(/<form[^>]*>([\s\S]*?)<\/form>/g)].map((m) => m[1] ?? "");
  const form = forms.find((f) => f.includes(`value="${action}"`));
  if (!form) throw new Error(`no form for ${action}`);
  return Object.fromEntries(
    [...form.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [m[1], m[2]]),
  );
}

describe("web chat sign-in", () => {
  it("opens a session from a login link that leads to /chat, and shows the chat", async () => {
    await app();
    const path = await issueLink(t, "employee:E1", "login", { next: "/chat" });
    const res = await t.request(path, { method: "POST", headers: origin });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/chat");
    const cookie = (res.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
    const chat = await page("/chat", cookie);
    expect(chat.status).toBe(200);
    const html = await chat.text();
    expect(html).toContain(translate("zh-CN", "web.header.signed_in_as", { name: "林一" }));
    expect(html).toContain('<form method="post" action="/logout">');
    expect(html).toContain('<form class="composer" id="composer" method="post" action="/webhooks/web"');
    expect(html).toContain('<script src="/chat/app.js" defer></script>');
    expect(chat.headers.get("content-security-policy")).toContain("script-src 'self'");
    expect(chat.headers.get("cache-control")).toBe("no-store");
    const script = await page("/chat/app.js");
    expect(script.headers.get("content-type")).toContain("text/javascript");
    expect(await script.text()).toContain("/chat/messages?after=");
    // Other pages still allow no script at all.
    const other = await t.request(path);
    expect(other.headers.get("content-security-policy")).not.toContain("script-src");
  });

  it("shows the demo picker in demo mode and signs in as the chosen person (CSRF-safe)", async () => {
    await app();
    const signIn = await page("/chat", undefined, { "accept-language": "en" });
    const html = await signIn.text();
    expect(html).toContain(translate("en", "web.demo.title"));
    expect(html).toContain('<button type="submit" name="employeeId" value="E2">');
    const pre = (signIn.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
    expect(pre).toMatch(/^baton_pre=/);
    const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? "";

    const demo = (fields: Record<string, string>, headers: Record<string, string> = {}) =>
      t.request("/chat/demo-login", {
        method: "POST",
        headers: { ...origin, "content-type": "application/x-www-form-urlencoded", ...headers },
        body: new URLSearchParams(fields).toString(),
      });
    expect((await demo({ employeeId: "E2", _csrf: token })).status).toBe(403); // no pre-session cookie
    expect((await demo({ employeeId: "E2", _csrf: "wrong" }, { cookie: pre })).status).toBe(403);
    expect(
      (await demo({ employeeId: "E2", _csrf: token }, { cookie: pre, origin: "https://evil.example" }))
        .status,
    ).toBe(403);
    expect((await demo({ employeeId: "NOPE", _csrf: token }, { cookie: pre })).status).toBe(422);
    const ok = await demo({ employeeId: "E2", _csrf: token }, { cookie: pre });
    expect(ok.status).toBe(303);
    expect(ok.headers.get("location")).toBe("/chat");
    const session = (ok.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
    const chat = await (await page("/chat", session)).text();
    expect(chat).toContain(translate("en", "web.header.signed_in_as", { name: "Eric Two" }));
  });

  it("has no demo picker outside demo mode: the sign-in text and the e-mail link form instead", async () => {
    for (const env of [{ BATON_DEMO: "0" }, { HOST: "0.0.0.0" }] as Record<string, string>[]) {
      await resetDatabase(database);
      await app(env);
      expect(t.services.config.demo).toBe(false);
      const html = await (await page("/chat", undefined, { "accept-language": "en" })).text();
      expect(html).not.toContain("demo-login");
      expect(html).toContain(translate("en", "web.signin.body"));
      expect(html).toContain('<form class="inline-form" method="post" action="/chat/email-link">');
      expect(html).toContain('name="employeeId"');
      const res = await t.request("/chat/demo-login", {
        method: "POST",
        headers: { ...origin, "content-type": "application/x-www-form-urlencoded" },
        body: "employeeId=E1",
      });
      expect(res.status).toBe(404);
    }
  });

  it("switches the language with a preference cookie", async () => {
    await app();
    const session = await login(t, "employee:E1");
    const res = await page("/chat?lang=en", session.cookie);
    expect(res.status).toBe(303);
    const lang = (res.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
    expect(lang).toBe("baton_lang=en");
    const html = await (await page("/chat", `${session.cookie}; ${lang}`)).text();
    expect(html).toContain('<html lang="en">');
    expect(html).toContain(translate("en", "web.signout"));
    const zh = await (await page("/chat", session.cookie)).text();
    expect(zh).toContain('<html lang="zh-CN">');
  });
});

describe("web chat messages", () => {
  it("stores a message and the bot's reply; the page polls them, user text as text", async () => {
    await app();
    const session = await login(t, "employee:E1");
    const bot = fakeBot((e) => [
      { type: "reply", card: card(`Echo ${e.type === "message" ? e.text : ""}`, Text("**plain**")) },
    ]);
    t.services.bot = bot;
    const posted = await say(session, `hi ${evil}`);
    expect(posted.duplicate).toBe(false);
    expect(posted.messages.map((m) => m.role)).toEqual(["user", "bot"]);
    expect(bot.calls[0]).toMatchObject({
      surface: "web",
      type: "message",
      text: `hi ${evil}`,
      who: { principal: "employee:E1" },
      where: { chatId: "web:employee:E1", chatType: "direct" },
      locale: "zh-CN",
    });

    const polled = await poll(session, 0);
    expect(polled.messages).toHaveLength(2);
    const [mine, reply] = polled.messages;
    expect(mine?.html).toContain(escapeHtml(`hi ${evil}`));
    expect(mine?.html).not.toContain("<script");
    expect(reply?.html).toContain(escapeHtml(`Echo hi ${evil}`));
    expect(reply?.html).toContain('<p class="plain">**plain**</p>');
    expect(polled.revision).toBe(reply?.revision);

    // Later polls bring only what changed since.
    clock.advance(60_000);
    expect((await poll(session, polled.revision)).messages).toHaveLength(0);
    const page2 = await (await page("/chat", session.cookie)).text();
    expect(page2).toContain(`data-revision="${polled.revision}"`);
    expect(page2).toContain(escapeHtml(`Echo hi ${evil}`));
    // Someone else sees nothing of it.
    const other = await login(t, "employee:E2");
    expect((await poll(other, 0)).messages).toHaveLength(0);
  });

  it("works without script: a plain form post redirects back to /chat", async () => {
    await app();
    const session = await login(t, "employee:E1");
    t.services.bot = fakeBot(() => [{ type: "reply", card: card("Reply card") }]);
    const res = await postJson(
      session,
      { type: "message", key: randomUUID(), text: "hello" },
      { accept: "text/html,application/xhtml+xml" },
    );
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toMatch(/^\/chat#m\d+$/);
    const html = await (await page("/chat", session.cookie)).text();
    expect(html).toContain("hello");
    expect(html).toContain("Reply card");
    // A refused plain post gets a page, not JSON.
    const bad = await postJson(session, { type: "message", text: "no key" }, { accept: "text/html" });
    expect(bad.status).toBe(400);
    expect(bad.headers.get("content-type")).toContain("text/html");
    expect(await bad.text()).toContain(translate("zh-CN", "web.error.key"));
  });

  it("replaces the clicked card in place with a new revision", async () => {
    await app();
    const session = await login(t, "employee:E1");
    const bot = fakeBot((e) => {
      if (e.type === "action") {
        return [{ type: "replace", card: card(`Saved ${e.value} ${JSON.stringify(e.form)}`) }];
      }
      return [
        {
          type: "reply",
          card: card("Form", TextInput("reason", "Reason"), Submit("Save", "thing.save", { value: "C-1" })),
        },
      ];
    });
    t.services.bot = bot;
    const first = await say(session, "form please");
    const formMessage = first.messages.find((m) => m.role === "bot");
    if (!formMessage) throw new Error("no form card");
    const fields = formFor(formMessage.html, "thing.save");
    expect(fields.message).toBe(String(formMessage.id));
    clock.advance(60_000); // past the polls' overlap window

    const clicked = await send(session, { ...fields, action: "thing.save", "f.reason": "moving <on>" });
    expect(clicked.messages).toHaveLength(1);
    const [updated] = clicked.messages;
    expect(updated?.id).toBe(formMessage.id);
    expect(updated?.revision).toBeGreaterThan(formMessage.revision);
    expect(updated?.html).toContain(escapeHtml(`Saved C-1 {"reason":"moving <on>"}`));
    expect(bot.calls[1]).toMatchObject({
      type: "action",
      action: "thing.save",
      value: "C-1",
      sourceMessageId: String(formMessage.id),
      form: { reason: "moving <on>" },
    });
    expect(await count(sql`select count(*) as n from web_messages where role = 'bot'`)).toBe(1);
    const polled = await poll(session, formMessage.revision);
    expect(polled.messages.map((m) => [m.id, m.revision])).toEqual([[formMessage.id, updated?.revision]]);
    // The chat page shows the new card where the old one was, and the click itself is not a bubble.
    const html = await (await page("/chat", session.cookie)).text();
    expect(html).toContain("Saved C-1");
    expect(html).not.toContain(">Form<");
    expect(html.match(/class="msg /g)).toHaveLength(2);
  });

  it("never replaces a card in another person's chat: the answer becomes a new message", async () => {
    await app();
    const owner = await login(t, "employee:E2");
    const intruder = await login(t, "employee:E1");
    t.services.bot = fakeBot((e) =>
      e.type === "action"
        ? [{ type: "replace", card: card("Hijacked") }]
        : [{ type: "reply", card: card("Mine", Submit("Go", "x.go")) }],
    );
    const [, mine] = (await say(owner, "mine")).messages;
    const result = await send(intruder, {
      type: "action",
      key: randomUUID(),
      action: "x.go",
      message: String(mine?.id),
    });
    expect(result.messages[0]?.id).not.toBe(mine?.id);
    const ownerView = await poll(owner, 0);
    expect(ownerView.messages.map((m) => m.html).join()).not.toContain("Hijacked");
  });

  it("does one thing per idempotency key, however often it comes", async () => {
    await app();
    const session = await login(t, "employee:E1");
    const bot = fakeBot(() => [{ type: "reply", card: card("Once") }]);
    t.services.bot = bot;
    const key = randomUUID();
    const first = await say(session, "resign", key);
    const again = await say(session, "resign", key);
    const third = await send(session, { type: "action", key, action: "x.y" });
    expect(first.duplicate).toBe(false);
    expect(again).toMatchObject({ duplicate: true, messages: [] });
    expect(third).toMatchObject({ duplicate: true, messages: [] });
    expect(bot.calls).toHaveLength(1);
    expect(await count(sql`select count(*) as n from web_messages`)).toBe(2);
    // The same key from another person is their own event.
    const other = await login(t, "employee:E2");
    expect((await say(other, "resign", key)).duplicate).toBe(false);
    expect(bot.calls.map((c) => c.idempotencyKey)).toEqual([`employee:E1/${key}`, `employee:E2/${key}`]);
  });

  it("lets the person retry after the bot failed", async () => {
    await app();
    const session = await login(t, "employee:E1");
    let fail = true;
    t.services.bot = fakeBot(() => {
      if (fail) throw new Error("bot down");
      return [{ type: "reply", card: card("Back") }];
    });
    const key = randomUUID();
    const broken = await postJson(session, { type: "message", key, text: "hello" });
    expect(broken.status).toBe(500);
    fail = false;
    const retried = await say(session, "hello", key);
    expect(retried.duplicate).toBe(false);
    expect(retried.messages.map((m) => m.role)).toEqual(["user", "bot"]);
  });

  it("answers a person search with options, storing nothing", async () => {
    await app();
    const session = await login(t, "employee:E1");
    const bot = fakeBot((e) => [
      {
        type: "options",
        options: [{ label: `Han ${e.type === "search" ? e.query : ""}`, value: "employee:E2" }],
      },
    ]);
    t.services.bot = bot;
    const found = await send(session, {
      type: "search",
      key: randomUUID(),
      action: "directory.search",
      query: "Ha",
    });
    expect(found.options).toEqual([{ label: "Han Ha", value: "employee:E2" }]);
    expect(bot.calls[0]).toMatchObject({ type: "search", action: "directory.search", query: "Ha" });
    expect(await count(sql`select count(*) as n from web_messages`)).toBe(0);
  });

  it("refuses bad requests with the one error shape", async () => {
    await app();
    const session = await login(t, "employee:E1");
    t.services.bot = fakeBot(() => []);
    const noKey = await postJson(session, { type: "message", text: "x" });
    expect(noKey.status).toBe(400);
    expect(((await noKey.json()) as { error: { code: string } }).error.code).toBe("bad_request");
    expect((await postJson(session, { type: "message", key: "k".repeat(129), text: "x" })).status).toBe(400);
    expect((await t.request("/chat/messages?after=x", { headers: { cookie: session.cookie } })).status).toBe(
      400,
    );
    expect((await t.request("/chat/messages")).status).toBe(401);
    const ignored = await postJson(session, { type: "typing", key: "k" });
    expect(await ignored.json()).toEqual({ ok: true, ignored: true });
  });
});

describe("web chat notifications", () => {
  it("shows a notification to a person in their chat once, even when sent twice", async () => {
    await app();
    const session = await login(t, "employee:E1");
    const data = { caseId: "C-9", step: "handover", employee: "E1", dueDate: "2026-03-27" };
    await enqueueNotification(
      database.db,
      {
        kind: "step.reminder",
        recipient: { type: "person", principal: "employee:E1" },
        data,
        dedupeKey: "r-1",
      },
      clock.now(),
    );
    await t.services.dispatcher.runOnce();
    const [row] = await database.query<{ id: number }>(sql`select id from outbox where dedupe_key = 'r-1'`);
    expect(row).toBeDefined();
    // The dispatcher tries the same row again (say it crashed before marking it sent).
    await t.services.senders.person.sender.send(
      messageOf({
        outboxId: Number(row?.id),
        kind: "step.reminder",
        recipient: { type: "person", principal: "employee:E1" },
        destination: "person:employee:E1",
        data,
        dedupeKey: "r-1",
        urgency: "normal",
        createdAt: clock.now(),
      }),
    );
    expect(await count(sql`select count(*) as n from web_messages where principal = 'employee:E1'`)).toBe(1);
    // It is still recorded for the other surfaces, as before.
    expect(
      await count(sql`select count(*) as n from delivered_notifications where kind = 'step.reminder'`),
    ).toBe(2);
    const polled = await poll(session, 0);
    expect(polled.messages).toHaveLength(1);
    const expected = cardForNotification("step.reminder", data, { locale: "zh-CN", t: translate });
    expect(polled.messages[0]?.html).toContain(escapeHtml(expected.header.title));
    expect(polled.messages[0]?.html).toContain("C-9");
  });
});

describe("web chat with the real bot", () => {
  it("answers help / 帮助 with the help card", async () => {
    await app();
    for (const [principal, text, locale] of [
      ["employee:E2", "help", "en"],
      ["employee:E1", "帮助", "zh-CN"],
    ] as const) {
      const session = await login(t, principal);
      const answer = await say(session, text);
      const bot = answer.messages.find((m) => m.role === "bot");
      expect(bot?.html, `${principal} ${text}`).toContain(escapeHtml(translate(locale, "card.help.title")));
    }
  });
});

// The button of a card's own form (not the card-wide one) also posts once.
describe("web chat buttons", () => {
  it("posts a button's action and value from its own form", async () => {
    await app();
    const session = await login(t, "employee:E1");
    const bot = fakeBot((e) =>
      e.type === "action"
        ? [{ type: "reply", card: card(`Pressed ${e.action} ${e.value}`) }]
        : [
            {
              type: "reply",
              card: card("Buttons", {
                type: "actions",
                elements: [Button("Status", "case.status", { value: "C-7" })],
              }),
            },
          ],
    );
    t.services.bot = bot;
    const [, buttons] = (await say(session, "status")).messages;
    const fields = formFor(buttons?.html ?? "", "case.status");
    const pressed = await send(session, fields);
    expect(pressed.messages[0]?.html).toContain("Pressed case.status C-7");
    expect(await send(session, fields)).toMatchObject({ duplicate: true });
    expect(bot.calls).toHaveLength(2);
  });
});
