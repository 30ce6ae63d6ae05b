import type { AddressInfo } from "node:net";
import { sql } from "drizzle-orm";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Notification } from "../../core/notifications/notification.ts";
import type { Database } from "../../db/client.ts";
import { enqueueNotification } from "../../db/outbox.ts";
import { createTestApp, manualClock, type TestApp } from "../../test/helpers/app.ts";
import { resetDatabase, testDatabase } from "../../test/helpers/db.ts";
import { adminToken, request } from "../../test/helpers/offboarding.ts";

type Received = { from: string; to: string[]; raw: string };

let database: Database;
let t: TestApp;
let clock: ReturnType<typeof manualClock>;
let server: SMTPServer;
let port = 0;
let received: Received[] = [];
/** The reply code the server gives at RCPT TO, when it should refuse (451, 550). */
let refuseWith: number | undefined;

/** The body of a raw message with quoted-printable and base64 parts decoded, for searching. */
function decoded(raw: string): string {
  const qp = raw.replace(/=\r?\n/g, "").replace(/=([0-9A-F]{2})/g, (_, h: string) => `%${h}`);
  let text = raw;
  try {
    text += decodeURIComponent(qp);
  } catch {
    text += qp;
  }
  for (const block of raw.matchAll(/\r?\n\r?\n([A-Za-z0-9+/=\r\n]{40,})/g)) {
    text += Buffer.from((block[1] ?? "").replace(/\s/g, ""), "base64").toString("utf8");
  }
  return text;
}

beforeAll(async () => {
  database = await testDatabase();
  server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    onRcptTo(address, _session, callback) {
      if (refuseWith === undefined) return callback();
      const error = new Error(`refused ${address.address}`) as Error & { responseCode: number };
      error.responseCode = refuseWith;
      return callback(error);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (c: Buffer) => chunks.push(c));
      stream.on("end", () => {
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString("utf8"),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.server.address() as AddressInfo).port;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

async function app(env: Record<string, string> = {}) {
  clock = manualClock(new Date("2026-04-01T02:00:00Z"));
  t = await createTestApp(database, {
    env: {
      BATON_ADMIN_TOKEN: adminToken,
      SMTP_URL: `smtp://127.0.0.1:${port}`,
      MAIL_FROM: "Baton <baton@acme.test>",
      ...env,
    },
    clock,
  });
  expect(
    (await request(t, "PUT", "/api/v1/entities/acme-sh", { name: "Acme SH", city: "Shanghai" })).status,
  ).toBe(200);
  const people: [string, Record<string, unknown>][] = [
    ["E1", { name: "Lin Wei", locale: "en", personalEmail: "lin.home@example.com" }],
    ["E2", { name: "王芳", locale: "zh-CN", personalEmail: "wang.home@example.com" }],
    ["E3", { name: "No Mail", locale: "en" }],
  ];
  for (const [id, body] of people) {
    const res = await request(t, "PUT", `/api/v1/employees/${id}`, { entity: "acme-sh", ...body });
    expect(res.status, `employee ${id}`).toBe(201);
  }
}

const certificateData = {
  caseId: "C-1",
  certificateId: "CERT-7",
  version: 1,
  issueDate: "2026-04-01",
  verifyUrl: "http://127.0.0.1:8787/verify/v1",
  downloadUrl: "http://127.0.0.1:8787/a/tok-123",
  downloadExpiresAt: "2026-04-08T00:00:00.000Z",
};

async function enqueue(n: Omit<Notification, "dedupeKey"> & { dedupeKey?: string }) {
  await enqueueNotification(database.db, { dedupeKey: `${n.kind}:${Math.random()}`, ...n }, clock.now());
}

const outbox = () =>
  database.query<{ id: number; kind: string; status: string; attempts: number; last_error: string | null }>(
    sql`select id::int as id, kind, status, attempts, last_error from outbox order by id`,
  );
const delivered = () =>
  database.query<{ kind: string; target: string; platform: string | null }>(
    sql`select kind, target, platform from delivered_notifications order by id`,
  );

beforeEach(async () => {
  await resetDatabase(database);
  received = [];
  refuseWith = undefined;
});

describe("the e-mail surface", () => {
  it("mails an issued certificate's download link to the personal e-mail, in the person's language", async () => {
    await app();
    const person = (id: string) => ({ type: "person" as const, principal: `employee:${id}` });
    await enqueue({
      kind: "certificate.issued",
      recipient: person("E1"),
      data: certificateData,
      urgency: "legal",
    });
    await enqueue({
      kind: "certificate.issued",
      recipient: person("E2"),
      data: certificateData,
      urgency: "legal",
    });
    await t.services.dispatcher.runOnce();

    // Two destinations go out concurrently: find each mail by its address.
    const to = (address: string) => received.find((m) => m.to.join() === address);
    expect(received.map((m) => m.to.join()).sort()).toEqual([
      "lin.home@example.com",
      "wang.home@example.com",
    ]);
    const en = decoded(to("lin.home@example.com")?.raw ?? "");
    const zh = decoded(to("wang.home@example.com")?.raw ?? "");
    expect(received[0]?.from).toBe("baton@acme.test");
    expect(en).toContain("http://127.0.0.1:8787/a/tok-123");
    expect(en).toContain("Separation certificate issued");
    expect(en).toContain("Hello Lin Wei,");
    expect(en).toContain("text/html");
    expect(zh).toContain("http://127.0.0.1:8787/a/tok-123");
    expect(zh).toContain("离职证明已出具");
    expect(zh).toContain("王芳，您好");

    expect((await outbox()).map((r) => r.status)).toEqual(["sent", "sent"]);
    // Mailed, and shown in the chat too (platform null: the recording sink behind the web chat).
    const order = (r: { target: string; platform: string | null }) => `${r.target} ${r.platform ?? ""}`;
    expect((await delivered()).sort((a, b) => order(a).localeCompare(order(b)))).toEqual([
      { kind: "certificate.issued", target: "employee:E1", platform: null },
      { kind: "certificate.issued", target: "employee:E1", platform: "email" },
      { kind: "certificate.issued", target: "employee:E2", platform: null },
      { kind: "certificate.issued", target: "employee:E2", platform: "email" },
    ]);
    const evidence = await database.query<{ data: Record<string, unknown> }>(
      sql`select data from evidence_entries where action = 'notification.sent' order by id`,
    );
    expect(evidence).toHaveLength(2);
    expect(String(evidence[0]?.data.reference)).toMatch(/^sink:\d+ email:/);
    // No personal data in the logs.
    expect(t.logs.join("\n")).not.toContain("home@example.com");
    expect(t.logs.join("\n")).toContain("e-mail sent");
  });

  it("mails notice receipts and signed agreements, and keeps other kinds in the recording sink", async () => {
    await app();
    const recipient = { type: "person" as const, principal: "employee:E2" };
    await enqueue({
      kind: "notice.receipt",
      recipient,
      data: {
        caseId: "C-1",
        noticeDate: "2026-03-02",
        legalLastDay: "2026-04-01",
        plannedLastDay: "2026-04-01",
      },
    });
    await enqueue({
      kind: "agreement.signed",
      recipient,
      data: {
        copy: { agreement: { title: { "zh-CN": "保密协议", en: "Confidentiality" }, version: 3 } },
        verifyPath: "/verify/s1",
      },
    });
    await enqueue({ kind: "step.assigned", recipient, data: { caseId: "C-1", step: "handover" } });
    await t.services.dispatcher.runOnce();

    expect(received).toHaveLength(2);
    const [notice, signed] = received.map((m) => decoded(m.raw));
    expect(notice).toContain("2026-04-01");
    expect(notice).toContain("离职通知已送达");
    expect(signed).toContain("《保密协议》（第 3 版）");
    expect(signed).toContain("http://127.0.0.1:8787/verify/s1");
    expect(await delivered()).toEqual([
      { kind: "notice.receipt", target: "employee:E2", platform: null },
      { kind: "notice.receipt", target: "employee:E2", platform: "email" },
      { kind: "agreement.signed", target: "employee:E2", platform: null },
      { kind: "agreement.signed", target: "employee:E2", platform: "email" },
      { kind: "step.assigned", target: "employee:E2", platform: null },
    ]);
  });

  it("records, without mailing, for a person with no personal e-mail, and when e-mail is off", async () => {
    await app();
    await enqueue({
      kind: "certificate.issued",
      recipient: { type: "person", principal: "employee:E3" },
      data: certificateData,
    });
    await t.services.dispatcher.runOnce();
    expect(received).toHaveLength(0);
    expect(await delivered()).toEqual([
      { kind: "certificate.issued", target: "employee:E3", platform: null },
    ]);
    expect((await outbox()).map((r) => r.status)).toEqual(["sent"]);

    await resetDatabase(database);
    await app({ SMTP_URL: "", MAIL_FROM: "" });
    await enqueue({
      kind: "certificate.issued",
      recipient: { type: "person", principal: "employee:E1" },
      data: certificateData,
    });
    await t.services.dispatcher.runOnce();
    expect(received).toHaveLength(0);
    expect(await delivered()).toEqual([
      { kind: "certificate.issued", target: "employee:E1", platform: null },
    ]);
  });

  it("an SMTP 550 is permanent: dead after one try, with no address in the error", async () => {
    await app();
    refuseWith = 550;
    await enqueue({
      kind: "certificate.issued",
      recipient: { type: "person", principal: "employee:E1" },
      data: certificateData,
    });
    await t.services.dispatcher.runOnce();
    const [row] = await outbox();
    expect(row).toMatchObject({ status: "dead", attempts: 1 });
    expect(row?.last_error).toContain("550");
    expect(row?.last_error).not.toContain("example.com");
    expect(received).toHaveLength(0);
    // The chat got it before the mail was refused; nothing was mailed.
    expect(await delivered()).toEqual([
      { kind: "certificate.issued", target: "employee:E1", platform: null },
    ]);
  });

  it("an SMTP 451 is transient: retried, then delivered", async () => {
    await app();
    refuseWith = 451;
    await enqueue({
      kind: "certificate.issued",
      recipient: { type: "person", principal: "employee:E1" },
      data: certificateData,
    });
    await t.services.dispatcher.runOnce();
    let [row] = await outbox();
    expect(row).toMatchObject({ status: "pending", attempts: 1 });
    expect(row?.last_error).toContain("451");
    expect(received).toHaveLength(0);

    refuseWith = undefined;
    clock.advance(60_000);
    await t.services.dispatcher.runOnce();
    [row] = await outbox();
    expect(row).toMatchObject({ status: "sent", attempts: 2 });
    expect(received.map((m) => m.to)).toEqual([["lin.home@example.com"]]);
  });
});
