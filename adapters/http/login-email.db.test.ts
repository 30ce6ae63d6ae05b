import { sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Notification } from "../../core/notifications/notification.ts";
import type { Database } from "../../db/client.ts";
import { enqueueNotification } from "../../db/outbox.ts";
import { cases } from "../../db/schema/index.ts";
import { createTestApp, manualClock, type TestApp } from "../../test/helpers/app.ts";
import { baton, type Env, installation } from "../../test/helpers/cli.ts";
import { resetDatabase, testDatabase } from "../../test/helpers/db.ts";
import { adminToken, type ErrorBody, request } from "../../test/helpers/offboarding.ts";
import { decodedMail, eventually, startSmtpServer, type TestSmtpServer } from "../../test/helpers/smtp.ts";
import { settleLoginEmails } from "./login-email.ts";

let database: Database;
let smtp: TestSmtpServer;
let t: TestApp;
let clock: ReturnType<typeof manualClock>;
const origin = "http://127.0.0.1:8787";

beforeAll(async () => {
  database = await testDatabase();
  smtp = await startSmtpServer();
});

afterAll(async () => {
  await smtp.close();
});

beforeEach(async () => {
  await resetDatabase(database);
  smtp.received.length = 0;
});

async function app(env: Record<string, string> = {}) {
  clock = manualClock(new Date("2026-04-01T02:00:00Z"));
  t = await createTestApp(database, {
    env: { BATON_ADMIN_TOKEN: adminToken, SMTP_URL: smtp.url, MAIL_FROM: "Baton <baton@acme.test>", ...env },
    clock,
  });
  expect(
    (await request(t, "PUT", "/api/v1/entities/acme-sh", { name: "Acme SH", city: "Shanghai" })).status,
  ).toBe(200);
  const people: [string, Record<string, unknown>][] = [
    ["E1", { name: "Lin Wei", locale: "en", personalEmail: "lin.home@example.com" }],
    ["E2", { name: "王芳", locale: "zh-CN", personalEmail: "wang.home@example.com" }],
    ["E3", { name: "No Mail", locale: "en" }],
    ["E4", { name: "Gone Away", locale: "en", personalEmail: "gone.home@example.com", status: "left" }],
    ["E5", { name: "张伟", locale: "zh-CN", personalEmail: "zhang.home@example.com" }],
  ];
  for (const [id, body] of people) {
    const res = await request(t, "PUT", `/api/v1/employees/${id}`, { entity: "acme-sh", ...body });
    expect(res.status, `employee ${id}`).toBe(201);
  }
}

const linkIn = (mail: string) => /http:\/\/127\.0\.0\.1:8787(\/a\/[\w-]+\.[\w-]+\.[\w-]+)/.exec(mail)?.[1];

const records = () =>
  database.query<{ kind: string; target: string; platform: string | null; data: Record<string, unknown> }>(
    sql`select kind, target, platform, data from delivered_notifications order by id`,
  );

async function form(fields: Record<string, string>, headers: Record<string, string> = { origin }) {
  const res = await t.request("/chat/email-link", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", "accept-language": "en", ...headers },
    body: new URLSearchParams(fields).toString(),
  });
  await settleLoginEmails(t.services);
  return { status: res.status, text: await res.text() };
}

describe("login links by e-mail", () => {
  it("mails a login link to the personal e-mail; following it opens a session", async () => {
    await app();
    const res = await request(t, "POST", "/api/v1/employees/E1/login-link/email", { next: "/api/v1/me" });
    expect(res.status).toBe(200);
    const answer = await res.text();
    expect(JSON.parse(answer)).toMatchObject({ status: "sent", channel: "email" });
    expect(answer).not.toContain("/a/");
    expect(res.headers.get("cache-control")).toBe("no-store");

    expect(smtp.received).toHaveLength(1);
    const mail = smtp.received[0];
    expect(mail?.to).toEqual(["lin.home@example.com"]);
    const text = decodedMail(mail?.raw ?? "");
    expect(text).toContain("Hello Lin Wei,");
    expect(text).toContain("Sign in to Baton");
    expect(text).toContain("text/html");
    const path = linkIn(text);
    expect(path).toBeDefined();

    const opened = await t.request(path as string, { method: "POST", headers: { origin } });
    expect(opened.status).toBe(303);
    expect(opened.headers.get("location")).toBe("/api/v1/me");
    const cookie = (opened.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
    const me = (await (await t.request("/api/v1/me", { headers: { cookie } })).json()) as {
      principal: string;
    };
    expect(me.principal).toBe("employee:E1");
    // Once only.
    expect((await t.request(path as string, { method: "POST", headers: { origin } })).status).toBe(409);

    const [record] = await records();
    expect(record).toMatchObject({ kind: "login.link", target: "employee:E1", platform: "email" });
    expect(record?.data).toMatchObject({ via: "api", requestedBy: "system:admin", next: "/api/v1/me" });
    const token = (path as string).slice(3);
    expect(JSON.stringify(record?.data)).not.toContain(token);
    const logs = t.logs.join("\n");
    expect(logs).toContain("login link e-mailed");
    expect(logs).not.toContain(token);
    expect(logs).not.toMatch(/\/a\/[^:]/); // only the route pattern /a/:token
    expect(logs).not.toContain("home@example.com");
  });

  it("writes in the person's language", async () => {
    await app();
    expect((await request(t, "POST", "/api/v1/employees/E2/login-link/email", {})).status).toBe(200);
    const text = decodedMail(smtp.received[0]?.raw ?? "");
    expect(text).toContain("王芳，您好");
    expect(text).toContain("登录 Baton");
    expect(linkIn(text)).toBeDefined();
  });

  it("refuses clearly: unknown, inactive, no address, a foreign next, no admin scope", async () => {
    await app();
    const post = (id: string, body: unknown = {}, token = adminToken) =>
      request(t, "POST", `/api/v1/employees/${id}/login-link/email`, body, token, {
        "accept-language": "en",
      });
    expect((await post("NOBODY")).status).toBe(404);
    const left = await post("E4");
    expect(left.status).toBe(422);
    expect(((await left.json()) as ErrorBody).error.message).toContain("E4 is left");
    const none = await post("E3");
    expect(none.status).toBe(422);
    expect(((await none.json()) as ErrorBody).error.message).toContain("no personal e-mail");
    expect((await post("E1", { next: "https://evil.example/" })).status).toBe(422);
    expect((await post("E1", { ttlSeconds: 5 })).status).toBe(400);
    const created = await request(t, "POST", "/api/v1/admin/api-keys", {
      name: "reader",
      principal: "system:reader",
      scopes: ["employees:read"],
    });
    const key = ((await created.json()) as { key: string }).key;
    expect((await post("E1", {}, key)).status).toBe(403);
    expect(smtp.received).toHaveLength(0);
    expect(await records()).toEqual([]);
  });

  it("sends at most 3 login e-mails per employee an hour, counted from the delivery records", async () => {
    await app();
    for (let i = 0; i < 3; i++) {
      expect((await request(t, "POST", "/api/v1/employees/E1/login-link/email", {})).status).toBe(200);
    }
    const fourth = await request(t, "POST", "/api/v1/employees/E1/login-link/email", {}, adminToken, {
      "accept-language": "zh-CN",
    });
    expect(fourth.status).toBe(429);
    expect(((await fourth.json()) as ErrorBody).error.message).toContain("过去一小时内已收到 3 封");
    // The form is limited by the same records, and says the same as ever.
    const page = await form({ employeeId: "E1" });
    expect(page.status).toBe(200);
    expect(smtp.received).toHaveLength(3);
    // Another employee is not affected.
    expect((await request(t, "POST", "/api/v1/employees/E2/login-link/email", {})).status).toBe(200);
    expect(smtp.received).toHaveLength(4);

    clock.advance(3600_000 + 1000);
    expect((await request(t, "POST", "/api/v1/employees/E1/login-link/email", {})).status).toBe(200);
    expect(smtp.received).toHaveLength(5);
    expect((await records()).filter((r) => r.target === "employee:E1")).toHaveLength(4);
  });

  it("the public form answers the same neutral page whether or not the employee exists", async () => {
    await app();
    const known = await form({ employeeId: "E5", next: "/chat" });
    expect(known.status).toBe(200);
    expect(known.text).toContain("Check your e-mail");
    await eventually(() => smtp.received.length === 1);
    expect(smtp.received[0]?.to).toEqual(["zhang.home@example.com"]);
    const path = linkIn(decodedMail(smtp.received[0]?.raw ?? ""));
    expect(path).toBeDefined();
    const opened = await t.request(path as string, { method: "POST", headers: { origin } });
    expect(opened.status).toBe(303);
    expect(opened.headers.get("location")).toBe("/chat");

    const unknown = await form({ employeeId: "NOBODY" });
    const noAddress = await form({ employeeId: "E3" });
    const left = await form({ employeeId: "E4" });
    for (const other of [unknown, noAddress, left]) {
      expect(other.status).toBe(200);
      expect(other.text).toBe(known.text);
    }
    expect(smtp.received).toHaveLength(1);
    expect((await records()).map((r) => [r.target, r.data.via])).toEqual([["employee:E5", "form"]]);
    expect(t.logs.join("\n")).not.toContain((path as string).slice(3));

    // zh-CN page for a Chinese browser.
    const zh = await form({ employeeId: "NOBODY" }, { origin, "accept-language": "zh-CN" });
    expect(zh.text).toContain("请查收邮件");
  });

  it("the public form refuses cross-site posts and bad ids, and sends nothing", async () => {
    await app();
    const crossSite = await form({ employeeId: "E1" }, { origin: "https://evil.example" });
    expect(crossSite.status).toBe(403);
    const noOrigin = await form({ employeeId: "E1" }, {});
    expect(noOrigin.status).toBe(403);
    const fetchSite = await form({ employeeId: "E1" }, { "sec-fetch-site": "cross-site" });
    expect(fetchSite.status).toBe(403);
    const bad = await form({ employeeId: "<script>" });
    expect(bad.status).toBe(400);
    expect(bad.text).not.toContain("<script>");
    expect(smtp.received).toHaveLength(0);
    expect(await records()).toEqual([]);
    // Origin: null (a form post from a no-referrer page) decides by Sec-Fetch-Site.
    expect((await form({ employeeId: "E1" }, { origin: "null" })).status).toBe(403);
    expect(
      (await form({ employeeId: "E1" }, { origin: "null", "sec-fetch-site": "cross-site" })).status,
    ).toBe(403);
    expect(smtp.received).toHaveLength(0);
    // Sec-Fetch-Site: same-origin without Origin is a browser's own post.
    expect((await form({ employeeId: "E1" }, { "sec-fetch-site": "same-origin" })).status).toBe(200);
    expect(smtp.received).toHaveLength(1);
    const opaqueSameOrigin = { origin: "null", "sec-fetch-site": "same-origin" };
    expect((await form({ employeeId: "E1" }, opaqueSameOrigin)).status).toBe(200);
  });

  it("with SMTP off: the API says so (409), the form page says e-mail is not set up", async () => {
    await app({ SMTP_URL: "", MAIL_FROM: "" });
    const res = await request(t, "POST", "/api/v1/employees/E1/login-link/email", {}, adminToken, {
      "accept-language": "en",
    });
    expect(res.status).toBe(409);
    expect(((await res.json()) as ErrorBody).error.message).toContain("E-mail is not set up");
    const page = await form({ employeeId: "E1" });
    expect(page.status).toBe(409);
    expect(page.text).toContain("E-mail is not set up");
    expect(smtp.received).toHaveLength(0);
    expect(await records()).toEqual([]);
  });
});

describe("notices to people who left", () => {
  async function enqueue(n: Omit<Notification, "dedupeKey">) {
    await enqueueNotification(database.db, { dedupeKey: `${n.kind}:${Math.random()}`, ...n }, clock.now());
  }
  const stepData = { caseId: "C-1", step: "handover", employee: "E4", dueDate: "2026-03-27" };

  it("mails any kind to a person who left, rendered from its card, and records it", async () => {
    await app();
    await enqueue({
      kind: "step.reminder",
      recipient: { type: "person", principal: "employee:E4" },
      data: stepData,
    });
    await enqueue({
      kind: "training.assigned",
      recipient: { type: "person", principal: "employee:E4" },
      data: { courseId: "eng-secrets", dueDate: "2026-04-15" },
    });
    // Still employed: stays in chat (the recording sink here).
    await enqueue({
      kind: "step.reminder",
      recipient: { type: "person", principal: "employee:E1" },
      data: stepData,
    });
    await t.services.dispatcher.runOnce();

    expect(smtp.received.map((m) => m.to.join())).toEqual(["gone.home@example.com", "gone.home@example.com"]);
    const text = decodedMail(smtp.received[0]?.raw ?? "");
    expect(text).toContain("Hello Gone Away,");
    expect(text).toContain("Your employment has ended");
    expect(text).toContain("C-1");
    expect(text).toContain("2026-03-27");
    expect(text).toContain("text/html");
    const rows = await records();
    // Destinations go out concurrently: compare in a fixed order.
    expect(rows.map((r) => [r.kind, r.target, r.platform]).sort()).toEqual([
      ["step.reminder", "employee:E1", null],
      ["step.reminder", "employee:E4", "email"],
      ["training.assigned", "employee:E4", "email"],
    ]);
    const evidence = await database.query<{ data: Record<string, unknown> }>(
      sql`select data from evidence_entries where action = 'notification.sent' order by id`,
    );
    expect(evidence.map((e) => String(e.data.reference).split(":")[0]).sort()).toEqual([
      "email",
      "email",
      "sink",
    ]);
    expect(t.logs.join("\n")).not.toContain("home@example.com");
  });

  it("counts a closed case whose last day has passed as departed, in the person's language", async () => {
    await app();
    const [row] = await database.query<{ id: string }>(
      sql`select id from employees where external_id = 'E2'`,
    );
    const closedCase = {
      id: "C-9",
      employeeId: row?.id as string,
      separationType: "resignation" as const,
      templateId: "standard",
      templateVersion: 1,
      region: "CN",
      timeZone: "Asia/Shanghai",
      probation: false,
      noticeDate: "2026-02-01",
      noticeReceivedAt: new Date("2026-02-01T02:00:00Z"),
      noticeChannel: "api",
      plannedLastDay: "2026-04-01",
      status: "closed" as const,
      openedBy: "employee:HR",
      openedOn: "2026-02-01",
    };
    await database.db.insert(cases).values(closedCase);
    const notify = () =>
      enqueue({ kind: "step.due", recipient: { type: "person", principal: "employee:E2" }, data: stepData });
    // On the last day itself they still have the chat.
    await notify();
    await t.services.dispatcher.runOnce();
    expect(smtp.received).toHaveLength(0);
    clock.advance(24 * 3600_000);
    await notify();
    await t.services.dispatcher.runOnce();
    expect(smtp.received.map((m) => m.to.join())).toEqual(["wang.home@example.com"]);
    const text = decodedMail(smtp.received[0]?.raw ?? "");
    expect(text).toContain("王芳，您好");
    expect(text).toContain("劳动关系已经结束");
  });
});

describe("baton login-link --email", () => {
  let env: Env;
  beforeAll(async () => {
    env = await installation();
  });

  it("mails the link instead of printing it, and says clearly when e-mail is off", async () => {
    const dir = (env.BATON_DATA_DIR as string).replace(/\/data$/, "");
    const file = `${dir}/people.csv`;
    const { writeFile } = await import("node:fs/promises");
    await writeFile(file, "externalId,name,personalEmail,locale\nB7,Bo Qi,bo.home@example.com,en\n");
    expect((await baton(["import", "employees", file], env)).code).toBe(0);

    const mailEnv = { ...env, SMTP_URL: smtp.url, MAIL_FROM: "baton@acme.test" };
    const sent = await baton(["login-link", "B7", "--email", "--next", "/chat"], mailEnv);
    expect(sent.code, sent.stderr).toBe(0);
    expect(sent.stdout).toContain("Mailed a one-time login link to B7");
    expect(sent.stdout + sent.stderr).not.toContain("/a/");
    expect(smtp.received.map((m) => m.to.join())).toEqual(["bo.home@example.com"]);
    expect(linkIn(decodedMail(smtp.received[0]?.raw ?? ""))).toBeDefined();

    const off = await baton(["login-link", "B7", "--email"], env);
    expect(off.code).toBe(1);
    expect(off.stderr).toContain("E-mail is not set up");
  }, 120_000);
});
