import { sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { NotificationSender, NotificationSenders, RatePolicy } from "../core/notifications/delivery.ts";
import { systemClock, type TickJob } from "../core/ports.ts";
import { createPostgresDatabase } from "../test/helpers/db.ts";
import { bindChannel } from "./channels.ts";
import { type Database, type Db, openDatabase } from "./client.ts";
import { recordingSender } from "./delivery-sink.ts";
import { createDispatcher, type Dispatcher } from "./dispatcher.ts";
import { migrate } from "./migrate.ts";
import { enqueueNotification } from "./outbox.ts";
import { createScheduler } from "./scheduler.ts";

let url: string;
let one: Database;
let two: Database;

beforeAll(async () => {
  url = await createPostgresDatabase();
  one = await openDatabase({ kind: "postgres", url, max: 10 });
  await migrate(one);
  two = await openDatabase({ kind: "postgres", url, max: 10 });
});
afterAll(async () => {
  await one.close();
  await two.close();
});

beforeEach(async () => {
  await one.query(
    sql`truncate outbox, outbox_rate_limits, delivered_notifications, scheduler_leases, channels,
        evidence_entries, evidence_chain restart identity cascade`,
  );
});

const roomy: RatePolicy = { ratePerSecond: 1000, burst: 1000 };

/** The recording sink of one instance, a little slow and uneven so the instances interleave. */
function sendersFor(database: Database, rate: RatePolicy = roomy): NotificationSenders {
  const sink = recordingSender(database, systemClock);
  const sender: NotificationSender = {
    async send(message) {
      await new Promise((r) => setTimeout(r, Math.random() * 3));
      return sink.send(message);
    },
  };
  const entry = { sender, rate };
  return { person: entry, channel: entry, system: entry };
}

function dispatcherOn(database: Database, name: string, rate?: RatePolicy): Dispatcher {
  return createDispatcher(database, {
    senders: () => sendersFor(database, rate),
    clock: systemClock,
    instanceId: name,
    batchSize: 25,
    pollMs: 50,
  });
}

async function waitUntil(check: () => Promise<boolean>, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error("timed out");
}

const pendingRows = async () =>
  Number(
    (await one.query<{ n: string }>(sql`select count(*) as n from outbox where status <> 'sent'`))[0]?.n ??
      -1,
  );

/** How often each outbox row reached each target of the recording sink. */
const deliveries = () =>
  one.query<{ outbox_id: string; target: string; n: string }>(
    sql`select outbox_id, target, count(*) as n
        from delivered_notifications, unnest(outbox_ids) as outbox_id
        group by outbox_id, target`,
  );

describe("two dispatchers on one PostgreSQL", () => {
  it("deliver every row exactly once, and fold channel bursts on whichever instance takes them", async () => {
    await bindChannel(one.db, {
      platform: "slack",
      channelId: "C_HR",
      purpose: "hr",
      actor: "system:test",
      at: new Date(),
    });
    let rows = 1;
    for (let i = 0; i < 400; i++) {
      await enqueueNotification(one.db, {
        kind: "step.reminder",
        recipient: { type: "person", principal: `employee:E${i % 40}` },
        data: { i },
        dedupeKey: `p:${i}`,
      });
      rows++;
    }
    for (let i = 0; i < 30; i++) {
      await enqueueNotification(one.db, {
        kind: "hr.alert",
        recipient: { type: "channel", purpose: "hr" },
        data: { i },
        dedupeKey: `c:${i}`,
      });
      rows++;
    }
    const dispatchers = [dispatcherOn(one, "dispatcher:one"), dispatcherOn(two, "dispatcher:two")];
    for (const d of dispatchers) d.start();
    try {
      await waitUntil(async () => (await pendingRows()) === 0);
    } finally {
      await Promise.all(dispatchers.map((d) => d.stop()));
    }
    const counts = await deliveries();
    expect(counts).toHaveLength(rows);
    expect(counts.every((c) => Number(c.n) === 1)).toBe(true);
    const folded = await one.query<{ n: string }>(
      sql`select count(*) as n from delivered_notifications where kind = 'notification.batch'`,
    );
    expect(Number(folded[0]?.n)).toBeGreaterThan(0);
  });

  it("keep one destination's rate limit between them", async () => {
    for (let i = 0; i < 16; i++) {
      await enqueueNotification(one.db, {
        kind: "step.reminder",
        recipient: { type: "person", principal: "employee:E1" },
        data: { i },
        dedupeKey: `r:${i}`,
      });
    }
    const rate = { ratePerSecond: 8, burst: 4 };
    const dispatchers = [
      dispatcherOn(one, "dispatcher:one", rate),
      dispatcherOn(two, "dispatcher:two", rate),
    ];
    const started = Date.now();
    for (const d of dispatchers) d.start();
    try {
      await waitUntil(async () => (await pendingRows()) === 0);
    } finally {
      await Promise.all(dispatchers.map((d) => d.stop()));
    }
    const elapsed = (Date.now() - started) / 1000;
    // 4 at once, then 8 a second: the other 12 need at least 1.5 s whichever instance sends them.
    expect(elapsed).toBeGreaterThanOrEqual(1.4);
    const times = (
      await one.query<{ at: Date }>(
        sql`select delivered_at as at from delivered_notifications order by delivered_at`,
      )
    ).map((r) => new Date(r.at).getTime());
    expect(times).toHaveLength(16);
    for (let i = 0; i < times.length; i++) {
      for (let j = i + 1; j < times.length; j++) {
        const span = ((times[j] as number) - (times[i] as number)) / 1000;
        // Claims are paced by the shared bucket; sends follow their claims within a few ms.
        expect(j - i + 1).toBeLessThanOrEqual(4 + Math.ceil((span + 0.05) * 8));
      }
    }
  });
});

describe("two schedulers on one PostgreSQL", () => {
  it("ticking at once, send a reminder exactly once", async () => {
    let running = 0;
    let most = 0;
    const reminderJob = (database: Database): TickJob => ({
      name: "test-reminders",
      async run(now) {
        running++;
        most = Math.max(most, running);
        try {
          await new Promise((r) => setTimeout(r, 50));
          await database.db.transaction((tx) =>
            enqueueNotification(
              tx as unknown as Db,
              {
                kind: "step.reminder",
                recipient: { type: "person", principal: "employee:E1001" },
                data: { caseId: "case-1", step: "handover" },
                dedupeKey: `reminder:case-1:handover:${now.toISOString().slice(0, 10)}`,
              },
              now,
            ),
          );
        } finally {
          running--;
        }
      },
    });
    const schedulers = [
      createScheduler(one, { jobs: () => [reminderJob(one)], instanceId: "scheduler:one" }),
      createScheduler(two, { jobs: () => [reminderJob(two)], instanceId: "scheduler:two" }),
    ];
    const now = new Date();
    const reports = await Promise.all([
      schedulers[0]?.tick(now),
      schedulers[1]?.tick(now),
      schedulers[0]?.tick(now),
      schedulers[1]?.tick(now),
    ]);
    expect(most).toBe(1);
    expect(reports.flatMap((r) => r?.jobs.map((j) => j.outcome))).toContain("skipped");
    // Later ticks run the job again; its dedupe key keeps the reminder to one.
    await Promise.all([schedulers[0]?.tick(new Date(now.getTime() + 60_000)), schedulers[1]?.tick(now)]);

    const dispatchers = [dispatcherOn(one, "dispatcher:one"), dispatcherOn(two, "dispatcher:two")];
    await Promise.all(dispatchers.map((d) => d.runOnce()));
    const counts = await deliveries();
    expect(counts).toEqual([{ outbox_id: "1", target: "employee:E1001", n: "1" }]);
  });
});
