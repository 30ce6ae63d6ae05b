import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Database, openDatabase } from "../../db/client.ts";
import { migrate } from "../../db/migrate.ts";
import { createTestApp, manualClock, type TestApp, testKeyEnv } from "../../test/helpers/app.ts";
import { createPostgresDatabase } from "../../test/helpers/db.ts";
import { adminToken, seedCompany } from "../../test/helpers/offboarding.ts";

let one: Database;
let two: Database;

beforeAll(async () => {
  const url = await createPostgresDatabase();
  one = await openDatabase({ kind: "postgres", url, max: 10 });
  await migrate(one);
  two = await openDatabase({ kind: "postgres", url, max: 10 });
});
afterAll(async () => {
  await one.close();
  await two.close();
});

describe("two Baton instances on one PostgreSQL, with every registered tick job", () => {
  it("tick at the same moment: each reminder and escalation is enqueued and delivered once", async () => {
    // Monday 2 March 2026, 10:00 in Shanghai.
    const clock = manualClock(new Date("2026-03-02T02:00:00Z"));
    const env = { ...testKeyEnv(), BATON_ADMIN_TOKEN: adminToken };
    const a: TestApp = await createTestApp(one, { env, clock });
    const b: TestApp = await createTestApp(two, { env, clock });
    await seedCompany(a);
    const bound = await a.request("/api/v1/channels", {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${adminToken}` },
      body: JSON.stringify({ platform: "slack", channelId: "C_HR", purpose: "hr" }),
    });
    expect(bound.status).toBe(201);
    const opened = await a.request("/api/v1/resignations", {
      method: "POST",
      headers: {
        "content-type": "application/json",
        authorization: `Bearer ${adminToken}`,
        "idempotency-key": "pg-tick-1",
      },
      body: JSON.stringify({ employeeExternalId: "E1", noticeDate: "2026-03-02" }),
    });
    expect(opened.status).toBe(201);

    const rowsAfter = async () =>
      Number((await one.query<{ n: string }>(sql`select count(*) as n from outbox`))[0]?.n ?? 0);
    const before = await rowsAfter();
    // A week later at 10:00 (Monday 9 March): steps are due and overdue, the digest is due.
    clock.advance(7 * 24 * 3600_000);
    const reports = await Promise.all([
      a.services.scheduler.tick(clock.now()),
      b.services.scheduler.tick(clock.now()),
      a.services.scheduler.tick(clock.now()),
      b.services.scheduler.tick(clock.now()),
    ]);
    for (const report of reports) expect(report.jobs.every((j) => j.outcome !== "failed")).toBe(true);
    const after = await rowsAfter();
    expect(after).toBeGreaterThan(before);
    const kinds = await one.query<{ kind: string; n: string }>(
      sql`select kind, count(*) as n from outbox group by kind order by kind`,
    );
    // The offboarding job's reminders and escalations, and the digest.
    expect(kinds.map((k) => k.kind)).toEqual(
      expect.arrayContaining(["step.overdue", "step.escalated", "hr.digest"]),
    );
    // Ticking again at the same moment on either instance adds nothing.
    await Promise.all([a.services.scheduler.tick(clock.now()), b.services.scheduler.tick(clock.now())]);
    expect(await rowsAfter()).toBe(after);

    await Promise.all([a.services.dispatcher.runOnce(), b.services.dispatcher.runOnce()]);
    await Promise.all([a.services.dispatcher.runOnce(), b.services.dispatcher.runOnce()]);
    const copies = await one.query<{ outbox_id: string; target: string; n: string }>(
      sql`select outbox_id, target, count(*) as n from delivered_notifications, unnest(outbox_ids) as outbox_id
          group by outbox_id, target having count(*) > 1`,
    );
    expect(copies).toEqual([]);
    const delivered = await one.query<{ n: string }>(
      sql`select count(distinct outbox_id) as n from delivered_notifications, unnest(outbox_ids) as outbox_id`,
    );
    const sent = await one.query<{ n: string }>(sql`select count(*) as n from outbox where status = 'sent'`);
    expect(Number(delivered[0]?.n)).toBe(Number(sent[0]?.n));
    expect(Number(sent[0]?.n)).toBeGreaterThan(0);
  });
});
