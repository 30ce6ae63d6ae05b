import { sql } from "drizzle-orm";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Database } from "../../db/client.ts";
import { dailyDigestJob } from "../../db/digest.ts";
import { chainHead } from "../../db/evidence-chain.ts";
import { offboardingDigestSection } from "../../db/offboarding-digest.ts";
import { enqueueNotification } from "../../db/outbox.ts";
import { recordEvidence } from "../../db/repositories/evidence.ts";
import { createTestApp, manualClock, type TestApp } from "../../test/helpers/app.ts";
import { resetDatabase, testDatabase } from "../../test/helpers/db.ts";
import { adminToken, seedCompany } from "../../test/helpers/offboarding.ts";
import { auditHeadType } from "./routes/audit.ts";

let database: Database;
let t: TestApp;
let clock: ReturnType<typeof manualClock>;

const send = (method: string, body: unknown, token = adminToken) => ({
  method,
  headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
  body: JSON.stringify(body),
});
const auth = (token = adminToken) => ({ headers: { authorization: `Bearer ${token}` } });

async function key(principal: string, scopes: string[]): Promise<string> {
  const res = await t.request("/api/v1/admin/api-keys", send("POST", { name: "t", principal, scopes }));
  expect(res.status).toBe(201);
  return ((await res.json()) as { key: string }).key;
}

async function bind(body: Record<string, unknown>): Promise<string> {
  const res = await t.request("/api/v1/channels", send("POST", body));
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

type TickBody = { at: string; jobs: { job: string; outcome: string; ms: number; error?: string }[] };
const tick = async (token = adminToken) =>
  t.request("/api/v1/admin/tick", { method: "POST", ...auth(token) });

type OutboxRow = {
  id: number;
  kind: string;
  recipient: Record<string, unknown>;
  data: Record<string, unknown>;
};
const outboxOf = (kind: string) =>
  database.query<OutboxRow>(
    sql`select id::int as id, kind, recipient, data from outbox where kind = ${kind} order by id`,
  );

/** 2026-03-02 08:59 in Asia/Shanghai. */
const beforeNine = new Date("2026-03-02T00:59:00Z");

beforeAll(async () => {
  database = await testDatabase();
});

beforeEach(async () => {
  await resetDatabase(database);
  clock = manualClock(beforeNine);
  t = await createTestApp(database, { env: { BATON_ADMIN_TOKEN: adminToken }, clock });
  const res = await t.request("/api/v1/entities/acme-sh", send("PUT", { name: "Acme SH", city: "Shanghai" }));
  expect(res.status).toBe(200);
});

describe("POST /api/v1/admin/tick", () => {
  it("runs every tick job in order and reports each; needs the admin scope", async () => {
    const res = await tick();
    expect(res.status).toBe(200);
    const body = (await res.json()) as TickBody;
    expect(body.at).toBe(beforeNine.toISOString());
    const names = body.jobs.map((j) => j.job);
    expect(names).toEqual(t.services.tickJobs.map((j) => j.name));
    expect(names).toEqual(expect.arrayContaining(["hr-daily-digest", "calendar-provisional-warning"]));
    expect(body.jobs.find((j) => j.job === "hr-daily-digest")?.outcome).toBe("ran");
    const notAdmin = await key("system:ops", ["channels:write"]);
    expect((await tick(notAdmin)).status).toBe(403);
    expect((await t.request("/api/v1/admin/tick", { method: "POST" })).status).toBe(401);
  });
});

describe("the provisional-year warning", () => {
  it("tells HR once per year that needs the official schedule", async () => {
    await tick();
    await tick();
    clock.advance(24 * 3600_000);
    await tick();
    const alerts = (await outboxOf("hr.alert")).filter((a) => a.data.alert === "calendar.provisional");
    // On 2026-03-02 Baton has the official 2026 schedule; 2027 is provisional.
    expect(alerts).toHaveLength(1);
    expect(alerts[0]?.recipient).toEqual({ type: "channel", purpose: "hr" });
    expect(alerts[0]?.data).toMatchObject({
      alert: "calendar.provisional",
      region: "CN",
      year: 2027,
      messageKey: "calendar.needs_schedule",
      params: { year: 2027, officialThrough: 2026 },
    });
  });

  it("reaches a bound HR channel through the dispatcher", async () => {
    await bind({ platform: "slack", channelId: "C_HR", purpose: "hr" });
    await tick();
    await t.services.dispatcher.runOnce();
    const delivered = await database.query<{ kind: string; data: Record<string, unknown> }>(
      sql`select kind, data from delivered_notifications where channel_id = 'C_HR' order by id`,
    );
    const all = delivered.flatMap((d) =>
      d.kind === "notification.batch"
        ? (d.data.items as { kind: string; data: Record<string, unknown> }[])
        : [d],
    );
    expect(all.some((d) => d.kind === "hr.alert" && d.data.alert === "calendar.provisional")).toBe(true);
  });
});

describe("the daily digest", () => {
  it("goes to each bound HR channel at 09:00 company time, once a day, with the signed audit chain head", async () => {
    const everyone = await bind({ platform: "slack", channelId: "C_HR", purpose: "hr" });
    const shanghai = await bind({
      platform: "lark",
      channelId: "oc_hr_sh",
      purpose: "hr",
      entityId: "acme-sh",
    });
    await bind({ platform: "slack", channelId: "C_FIN", purpose: "finance" });
    await t.services.chainWriter.runOnce();
    const head = await chainHead(database);
    expect(head).not.toBeNull();

    await tick();
    expect(await outboxOf("hr.digest")).toHaveLength(0);
    clock.advance(60_000); // 09:00 in Shanghai
    await tick();
    const digests = await outboxOf("hr.digest");
    expect(digests.map((d) => d.recipient)).toEqual(
      expect.arrayContaining([
        { type: "channel", purpose: "hr", bindingId: everyone },
        { type: "channel", purpose: "hr", bindingId: shanghai, entityId: "acme-sh" },
      ]),
    );
    expect(digests).toHaveLength(2);
    for (const digest of digests) {
      expect(digest.data).toMatchObject({
        date: "2026-03-02",
        timeZone: "Asia/Shanghai",
        sections: {},
        auditHead: { seq: head?.seq, hash: head?.hash, chainedAt: head?.chainedAt.toISOString() },
        pendingEvidence: 0,
      });
      const auditHead = digest.data.auditHead as { jws: string; kid: string };
      const verified = await t.services.signer.verify(auditHead.jws, { typ: auditHeadType });
      expect(verified.payload).toMatchObject({
        seq: head?.seq,
        hash: head?.hash,
        at: clock.now().toISOString(),
      });
      expect(verified.kid).toBe(auditHead.kid);
    }

    clock.advance(8 * 3600_000);
    await tick();
    expect(await outboxOf("hr.digest")).toHaveLength(2);
    clock.advance(16 * 3600_000); // the next day, 09:00
    await tick();
    expect(await outboxOf("hr.digest")).toHaveLength(4);

    // Each channel gets its own digest, and only its own.
    await t.services.dispatcher.runOnce();
    const delivered = await database.query<{ channel_id: string; n: number }>(
      sql`select channel_id, count(*)::int as n from delivered_notifications
          where kind = 'hr.digest' or (kind = 'notification.batch' and data::text like '%hr.digest%')
          group by channel_id order by channel_id`,
    );
    expect(delivered).toEqual([
      { channel_id: "C_HR", n: expect.any(Number) },
      { channel_id: "oc_hr_sh", n: expect.any(Number) },
    ]);
  });

  it("carries each registered section for the channel's entity, and says so when nothing is chained yet", async () => {
    const everyone = await bind({ platform: "slack", channelId: "C_HR", purpose: "hr" });
    const shanghai = await bind({
      platform: "lark",
      channelId: "oc_hr_sh",
      purpose: "hr",
      entityId: "acme-sh",
    });
    await database.query(sql`delete from evidence_entries`);
    const asked: unknown[] = [];
    const job = dailyDigestJob({
      database,
      signer: t.services.signer,
      headType: auditHeadType,
      timeZone: "Asia/Shanghai",
      sections: [
        {
          name: "offboarding",
          async summarize(input) {
            asked.push(input);
            return { openCases: input.entityId === "acme-sh" ? 2 : 5, stepsDueToday: 1, stepsOverdue: 0 };
          },
        },
      ],
    });
    await job.run(new Date("2026-03-02T01:30:00Z"));
    const digests = await outboxOf("hr.digest");
    const of = (binding: string) => digests.find((d) => d.recipient.bindingId === binding)?.data;
    expect(of(everyone)).toMatchObject({
      entityId: null,
      sections: { offboarding: { openCases: 5, stepsDueToday: 1, stepsOverdue: 0 } },
      auditHead: null,
      pendingEvidence: 0,
    });
    expect(of(shanghai)).toMatchObject({ entityId: "acme-sh", sections: { offboarding: { openCases: 2 } } });
    expect(asked).toEqual(
      expect.arrayContaining([
        { entityId: null, today: "2026-03-02", now: new Date("2026-03-02T01:30:00Z") },
        { entityId: "acme-sh", today: "2026-03-02", now: new Date("2026-03-02T01:30:00Z") },
      ]),
    );
  });
});

describe("the digest's offboarding section", () => {
  it("counts running cases, steps due today and overdue, and exceptions, for the channel's entity", async () => {
    await seedCompany(t);
    const res = await t.request("/api/v1/resignations", {
      ...send("POST", { employeeExternalId: "E1", noticeDate: "2026-03-02" }),
      headers: { ...send("POST", {}).headers, "idempotency-key": "digest-test-1" },
    });
    expect(res.status).toBe(201);
    const { id: caseId } = (await res.json()) as { id: string };
    const steps = await database.query<{ key: string }>(
      sql`select key from case_steps where case_id = ${caseId} and status in ('pending', 'active') order by position`,
    );
    expect(steps.length).toBeGreaterThanOrEqual(3);
    const [overdue, dueToday] = steps.map((s) => s.key);
    await database.query(sql`update case_steps set due_date = '2026-12-31' where case_id = ${caseId}`);
    await database.query(
      sql`update case_steps set due_date = '2026-02-27' where case_id = ${caseId} and key = ${overdue}`,
    );
    await database.query(
      sql`update case_steps set due_date = '2026-03-02' where case_id = ${caseId} and key = ${dueToday}`,
    );
    await database.query(sql`update cases set exceptions_recorded_at = now() where id = ${caseId}`);
    await t.request("/api/v1/entities/acme-bj", send("PUT", { name: "Acme BJ", city: "Beijing" }));
    const everyone = await bind({ platform: "slack", channelId: "C_HR", purpose: "hr" });
    const beijing = await bind({
      platform: "slack",
      channelId: "C_HR_BJ",
      purpose: "hr",
      entityId: "acme-bj",
    });

    const job = dailyDigestJob({
      database,
      signer: t.services.signer,
      headType: auditHeadType,
      timeZone: "Asia/Shanghai",
      sections: [offboardingDigestSection(database)],
    });
    await job.run(new Date("2026-03-02T01:00:00Z"));
    const digests = await outboxOf("hr.digest");
    const of = (binding: string) => digests.find((d) => d.recipient.bindingId === binding)?.data.sections;
    expect(of(everyone)).toEqual({
      offboarding: {
        openCases: 1,
        onHold: 0,
        stepsDueToday: 1,
        stepsOverdue: 1,
        exceptions: 1,
        overdue: [{ caseId, step: overdue, owner: expect.any(String), dueDate: "2026-02-27" }],
      },
    });
    expect(of(beijing)).toEqual({
      offboarding: { openCases: 0, onHold: 0, stepsDueToday: 0, stepsOverdue: 0, exceptions: 0, overdue: [] },
    });
  });
});

describe("dead letters", () => {
  async function deadRow(): Promise<number> {
    await enqueueNotification(
      database.db,
      {
        kind: "step.reminder",
        recipient: { type: "person", principal: "employee:E1" },
        data: {},
        dedupeKey: "t:dead",
      },
      clock.now(),
    );
    const [row] = await database.query<{ id: number }>(
      sql`update outbox set status = 'dead', attempts = 8, last_error = 'Error: gone', dead_at = now()
          where dedupe_key = 't:dead' returning id::int as id`,
    );
    return row?.id ?? 0;
  }

  it("lists dead messages and sends one again on request, with an evidence entry", async () => {
    const id = await deadRow();
    const list = await t.request("/api/v1/outbox/dead", auth());
    expect(list.status).toBe(200);
    const body = (await list.json()) as { dead: Record<string, unknown>[]; next: number | null };
    expect(body.dead).toEqual([
      expect.objectContaining({
        id,
        kind: "step.reminder",
        destination: "person:employee:E1",
        attempts: 8,
        lastError: "Error: gone",
      }),
    ]);
    expect(body.next).toBeNull();

    const retried = await t.request(`/api/v1/outbox/${id}/retry`, { method: "POST", ...auth() });
    expect(retried.status).toBe(200);
    expect(await retried.json()).toEqual({ id, status: "pending" });
    const again = await t.request(`/api/v1/outbox/${id}/retry`, { method: "POST", ...auth() });
    expect(again.status).toBe(409);
    const evidence = await database.query<{ actor: string; subject: string }>(
      sql`select actor, subject from evidence_entries where action = 'outbox.retried'`,
    );
    expect(evidence).toEqual([{ actor: "system:admin", subject: `outbox:${id}` }]);
    expect((await t.services.dispatcher.runOnce()).sent).toBe(1);
  });

  it("answers 404 for an unknown or malformed id and 403 without the admin scope", async () => {
    const id = await deadRow();
    expect((await t.request("/api/v1/outbox/999999/retry", { method: "POST", ...auth() })).status).toBe(404);
    expect((await t.request("/api/v1/outbox/abc/retry", { method: "POST", ...auth() })).status).toBe(404);
    expect((await t.request("/api/v1/outbox/dead?limit=0", auth())).status).toBe(400);
    const hr = await key("system:hris", ["channels:write", "cases:admin"]);
    expect((await t.request("/api/v1/outbox/dead", auth(hr))).status).toBe(403);
    expect((await t.request(`/api/v1/outbox/${id}/retry`, { method: "POST", ...auth(hr) })).status).toBe(403);
  });
});

describe("evidence for what was sent", () => {
  it("a sent message is recorded in the chain with its content hash", async () => {
    await bind({ platform: "slack", channelId: "C_HR", purpose: "hr" });
    await recordEvidence(database.db, {
      at: clock.now(),
      actor: "system:test",
      action: "test.thing",
      subject: "test:1",
      data: {},
    });
    await t.services.dispatcher.runOnce();
    const [entry] = await database.query<{ subject: string; data: Record<string, unknown> }>(
      sql`select subject, data from evidence_entries where action = 'notification.sent'`,
    );
    expect(entry?.data).toMatchObject({
      kind: "channel.bound",
      contentSha256: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
  });
});
