import { sql } from "drizzle-orm";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  type NotificationSender,
  type NotificationSenders,
  type OutgoingMessage,
  PermanentDeliveryError,
  RateLimitedError,
  type RatePolicy,
} from "../core/notifications/delivery.ts";
import type { Notification, Recipient } from "../core/notifications/notification.ts";
import { manualClock } from "../test/helpers/app.ts";
import { resetDatabase, testDatabase } from "../test/helpers/db.ts";
import { bindChannel } from "./channels.ts";
import type { Database, Db } from "./client.ts";
import { recordingSender } from "./delivery-sink.ts";
import { createDispatcher, type DispatcherOptions } from "./dispatcher.ts";
import { enqueueNotification } from "./outbox.ts";

let database: Database;
const start = new Date("2026-03-02T02:00:00Z");
let clock: ReturnType<typeof manualClock>;

beforeAll(async () => {
  database = await testDatabase();
});

beforeEach(async () => {
  await resetDatabase(database);
  clock = manualClock(start);
});

const person = (id: string): Recipient => ({ type: "person", principal: `employee:${id}` });
const hrChannel: Recipient = { type: "channel", purpose: "hr" };

let serial = 0;
async function enqueue(recipient: Recipient, extra: Partial<Notification> = {}): Promise<void> {
  serial += 1;
  await enqueueNotification(
    database.db,
    { kind: "step.reminder", recipient, data: { n: serial }, dedupeKey: `test:${serial}`, ...extra },
    clock.now(),
  );
}

/** A sender that records what it was given (and when), failing as the test says. */
function fakeSender(behaviour: (message: OutgoingMessage, call: number) => void = () => {}) {
  const sent: { at: Date; message: OutgoingMessage }[] = [];
  let calls = 0;
  const sender: NotificationSender = {
    async send(message) {
      calls += 1;
      behaviour(message, calls);
      sent.push({ at: clock.now(), message });
      return { reference: `ref-${calls}` };
    },
  };
  return { sender, sent, calls: () => calls };
}

const roomy: RatePolicy = { ratePerSecond: 100, burst: 100 };

function sendersOf(
  entries: Partial<Record<Recipient["type"], { sender: NotificationSender; rate?: RatePolicy }>>,
): NotificationSenders {
  const fallback = { sender: recordingSender(database, clock), rate: roomy };
  const entry = (type: Recipient["type"]) => {
    const given = entries[type];
    return given ? { sender: given.sender, rate: given.rate ?? roomy } : fallback;
  };
  return { person: entry("person"), channel: entry("channel"), system: entry("system") };
}

function dispatcher(senders: NotificationSenders, options: Partial<DispatcherOptions> = {}) {
  return createDispatcher(database, {
    senders: () => senders,
    clock,
    random: () => 0,
    backoff: { baseMs: 10_000, maxMs: 600_000 },
    maxAttempts: 3,
    ...options,
  });
}

type OutboxRow = {
  id: number;
  kind: string;
  status: string;
  attempts: number;
  not_before: Date;
  last_error: string | null;
  message_ref: string | null;
  data: Record<string, unknown>;
  destination: string;
};

async function outboxRows(): Promise<OutboxRow[]> {
  const rows = await database.query<OutboxRow>(
    sql`select id::int as id, kind, status, attempts, not_before, last_error, message_ref, data, destination
        from outbox order by id`,
  );
  return rows.map((r) => ({ ...r, not_before: new Date(r.not_before) }));
}

const advance = (seconds: number) => clock.advance(seconds * 1000);

describe("the dispatcher", () => {
  it("sends each due row exactly once, records it as evidence and marks it sent with the sender's reference", async () => {
    for (let i = 0; i < 20; i++) await enqueue(person(`E${i % 5}`));
    const fake = fakeSender();
    const d = dispatcher(sendersOf({ person: { sender: fake.sender } }));
    const report = await d.runOnce();
    expect(report).toMatchObject({ sent: 20, rowsSent: 20, retried: 0, dead: 0 });
    expect((await d.runOnce()).sent).toBe(0);
    const ids = fake.sent.flatMap((s) => s.message.items.map((i) => i.outboxId));
    expect(new Set(ids).size).toBe(20);
    expect(ids).toHaveLength(20);
    const rows = await outboxRows();
    expect(rows.every((r) => r.status === "sent" && r.message_ref?.startsWith("ref-"))).toBe(true);
    const evidence = await database.query<{ n: number }>(
      sql`select count(*)::int as n from evidence_entries where action = 'notification.sent'`,
    );
    expect(evidence[0]?.n).toBe(20);
    const [entry] = await database.query<{ data: { contentSha256: string; outboxIds: number[] } }>(
      sql`select data from evidence_entries where action = 'notification.sent' limit 1`,
    );
    expect(entry?.data.contentSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(entry?.data.outboxIds).toHaveLength(1);
  });

  it("keeps to each person's order and never sends a row before its time", async () => {
    await enqueue(person("E1"), { notBefore: new Date(start.getTime() + 60_000) });
    await enqueue(person("E1"));
    await enqueue(person("E1"));
    const fake = fakeSender();
    const d = dispatcher(sendersOf({ person: { sender: fake.sender } }));
    const report = await d.runOnce();
    expect(report.sent).toBe(2);
    expect(report.nextAt?.toISOString()).toBe(new Date(start.getTime() + 60_000).toISOString());
    expect(fake.sent.map((s) => s.message.data.n)).toEqual([serial - 1, serial]);
    advance(60);
    expect((await d.runOnce()).sent).toBe(1);
  });

  it("retries a failed send with exponential backoff and jitter, then succeeds", async () => {
    await enqueue(person("E1"));
    const fake = fakeSender((_m, call) => {
      if (call <= 2) throw new Error("surface down");
    });
    const d = dispatcher(sendersOf({ person: { sender: fake.sender } }), { random: () => 0.5 });
    expect(await d.runOnce()).toMatchObject({ sent: 0, retried: 1 });
    let [row] = await outboxRows();
    // attempt 1: step 10 s, equal jitter with random 0.5 → 5 s + 2.5 s
    expect(row).toMatchObject({ status: "pending", attempts: 1, last_error: "Error: surface down" });
    expect(row?.not_before.getTime()).toBe(start.getTime() + 7_500);
    advance(7);
    expect((await d.runOnce()).retried).toBe(0); // not due yet
    advance(0.5);
    expect(await d.runOnce()).toMatchObject({ retried: 1 });
    [row] = await outboxRows();
    // attempt 2: step 20 s → 10 s + 5 s
    expect(row?.not_before.getTime()).toBe(clock.now().getTime() + 15_000);
    advance(15);
    expect(await d.runOnce()).toMatchObject({ sent: 1 });
    [row] = await outboxRows();
    expect(row).toMatchObject({ status: "sent", attempts: 3 });
  });

  it("honours Retry-After: the row and the rest of its destination wait, without counting a try", async () => {
    await enqueue(person("E1"));
    await enqueue(person("E1"));
    await enqueue(person("E2"));
    let refused = false;
    const fake = fakeSender((message) => {
      if (message.recipient.type === "person" && message.recipient.principal === "employee:E1" && !refused) {
        refused = true;
        throw new RateLimitedError(30);
      }
    });
    const d = dispatcher(sendersOf({ person: { sender: fake.sender } }));
    const report = await d.runOnce();
    expect(report).toMatchObject({ sent: 1, rateLimited: 2 });
    expect(report.nextAt?.getTime()).toBe(start.getTime() + 30_000);
    const rows = await outboxRows();
    expect(rows.filter((r) => r.destination === "person:employee:E1")).toMatchObject([
      { status: "pending", attempts: 0 },
      { status: "pending", attempts: 0 },
    ]);
    advance(29);
    expect((await d.runOnce()).sent).toBe(0);
    advance(1);
    // One message at the Retry-After moment, then the bucket refills at its rate (100/s here).
    expect((await d.runOnce()).sent).toBe(1);
    advance(0.01);
    expect((await d.runOnce()).sent).toBe(1);
    expect(fake.sent.map((s) => s.message.destination)).toEqual([
      "person:employee:E2",
      "person:employee:E1",
      "person:employee:E1",
    ]);
  });

  it("keeps each destination's rate limit: a burst, then the steady rate; other destinations are not held up", async () => {
    for (let i = 0; i < 10; i++) await enqueue(person("E1"));
    await enqueue(person("E2"));
    await enqueue(person("E2"));
    const fake = fakeSender();
    const d = dispatcher(
      sendersOf({ person: { sender: fake.sender, rate: { ratePerSecond: 1, burst: 3 } } }),
    );
    const first = await d.runOnce();
    expect(first.sent).toBe(5); // 3 to E1 (its burst), 2 to E2
    expect(first.nextAt?.getTime()).toBe(start.getTime() + 1000);
    advance(0.5);
    expect((await d.runOnce()).sent).toBe(0);
    advance(0.5);
    expect((await d.runOnce()).sent).toBe(1);
    advance(2.5);
    expect((await d.runOnce()).sent).toBe(2);
    advance(100); // the bucket refills to its burst, no more
    expect((await d.runOnce()).sent).toBe(3);
    advance(1);
    expect((await d.runOnce()).sent).toBe(1);
    // In any window of T seconds, E1 got at most 3 + T messages.
    const times = fake.sent
      .filter((s) => s.message.destination === "person:employee:E1")
      .map((s) => s.at.getTime());
    expect(times).toHaveLength(10);
    for (let i = 0; i < times.length; i++) {
      for (let j = i; j < times.length; j++) {
        const span = ((times[j] as number) - (times[i] as number)) / 1000;
        expect(j - i + 1).toBeLessThanOrEqual(3 + Math.floor(span));
      }
    }
  });

  it("sends a person's alerts about legal dates first when the rate limit holds the rest back", async () => {
    for (let i = 0; i < 3; i++) await enqueue(person("E1"));
    await enqueue(person("E1"), { kind: "case.last_day", urgency: "legal" });
    const fake = fakeSender();
    const d = dispatcher(
      sendersOf({ person: { sender: fake.sender, rate: { ratePerSecond: 1, burst: 1 } } }),
    );
    expect((await d.runOnce()).sent).toBe(1);
    expect(fake.sent[0]?.message).toMatchObject({ kind: "case.last_day", urgency: "legal" });
  });

  it("folds a burst of alerts to one group channel into one message that lists them all", async () => {
    await database.db.transaction((tx) =>
      bindChannel(tx as unknown as Db, {
        platform: "slack",
        channelId: "C0HR",
        purpose: "hr",
        actor: "system:test",
        at: clock.now(),
      }),
    );
    await database.query(sql`delete from outbox`); // the bind confirmation is not part of this test
    for (let i = 0; i < 5; i++) await enqueue(hrChannel, { kind: "hr.alert" });
    await enqueue({ type: "channel", purpose: "finance" }, { kind: "finance.alert" });
    const fake = fakeSender();
    const d = dispatcher(
      sendersOf({ channel: { sender: fake.sender, rate: { ratePerSecond: 1, burst: 3 } } }),
    );
    const report = await d.runOnce();
    expect(report).toMatchObject({ sent: 2, rowsSent: 6 });
    const folded = fake.sent.find((s) => s.message.destination === "channel:hr:*")?.message;
    expect(folded?.kind).toBe("notification.batch");
    expect(folded?.data.count).toBe(5);
    const items = folded?.data.items as { outboxId: number; kind: string }[];
    expect(items.map((i) => i.kind)).toEqual(Array(5).fill("hr.alert"));
    const single = fake.sent.find((s) => s.message.destination === "channel:finance:*")?.message;
    expect(single?.kind).toBe("finance.alert");
    const rows = (await outboxRows()).filter((r) => r.destination === "channel:hr:*");
    expect(rows.every((r) => r.status === "sent")).toBe(true);
    expect(new Set(rows.map((r) => r.message_ref)).size).toBe(1);
    expect(items.map((i) => i.outboxId)).toEqual(rows.map((r) => r.id));
  });

  it("folds what arrives while a channel waits for its rate limit into the next message", async () => {
    const fake = fakeSender();
    const d = dispatcher(
      sendersOf({ channel: { sender: fake.sender, rate: { ratePerSecond: 1 / 60, burst: 1 } } }),
    );
    await enqueue(hrChannel, { kind: "hr.alert" });
    expect((await d.runOnce()).sent).toBe(1);
    for (let i = 0; i < 4; i++) {
      advance(10);
      await enqueue(hrChannel, { kind: "hr.alert" });
      expect((await d.runOnce()).sent).toBe(0);
    }
    advance(20);
    const report = await d.runOnce();
    expect(report).toMatchObject({ sent: 1, rowsSent: 4 });
    expect(fake.sent.at(-1)?.message.data.count).toBe(4);
  });

  it("never folds personal messages or connector calls", async () => {
    for (let i = 0; i < 4; i++) await enqueue(person("E1"));
    for (let i = 0; i < 3; i++) await enqueue({ type: "system", system: "crm" }, { kind: "crm.handover" });
    const fake = fakeSender();
    const d = dispatcher(sendersOf({ person: { sender: fake.sender }, system: { sender: fake.sender } }));
    expect(await d.runOnce()).toMatchObject({ sent: 7, rowsSent: 7 });
    expect(fake.sent.every((s) => s.message.items.length === 1)).toBe(true);
    expect(fake.sent.some((s) => s.message.kind === "notification.batch")).toBe(false);
  });

  it("dead-letters after the last try and alerts HR once; an HR alert that dies alerts nobody", async () => {
    await enqueue(person("E1"));
    const failing = fakeSender(() => {
      throw new Error("no such user");
    });
    const d = dispatcher(
      sendersOf({ person: { sender: failing.sender }, channel: { sender: failing.sender } }),
    );
    for (let i = 0; i < 6; i++) {
      await d.runOnce();
      advance(600);
    }
    const rows = await outboxRows();
    const dead = rows.filter((r) => r.status === "dead");
    expect(dead.map((r) => r.kind)).toEqual(["step.reminder", "hr.alert"]);
    expect(dead[0]).toMatchObject({ attempts: 3, last_error: "Error: no such user" });
    expect(dead[1]?.data).toMatchObject({
      alert: "outbox.dead",
      outboxId: dead[0]?.id,
      kind: "step.reminder",
    });
    expect(rows).toHaveLength(2); // the dead HR alert made no alert of its own
    // person 3 tries + hr alert 3 tries
    expect(failing.calls()).toBe(6);
  });

  it("gives up at once on a permanent error", async () => {
    await enqueue(person("E1"));
    const d = dispatcher(
      sendersOf({
        person: {
          sender: fakeSender(() => {
            throw new PermanentDeliveryError("the user left the workspace");
          }).sender,
        },
      }),
    );
    expect(await d.runOnce()).toMatchObject({ dead: 1 });
    const [row] = await outboxRows();
    expect(row).toMatchObject({ status: "dead", attempts: 1 });
    // A plain permanent error tells HR with a dead-letter alert.
    expect((await outboxRows()).map((r) => [r.kind, r.data.alert])).toEqual([
      ["step.reminder", undefined],
      ["hr.alert", "outbox.dead"],
    ]);
  });

  it("raises no dead-letter alert when the sender says HR was told already", async () => {
    await enqueue(person("E1"));
    const d = dispatcher(
      sendersOf({
        person: {
          sender: fakeSender(() => {
            throw new PermanentDeliveryError("the app is not installed", { hrAlerted: true });
          }).sender,
        },
      }),
    );
    expect(await d.runOnce()).toMatchObject({ dead: 1 });
    const rows = await outboxRows();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: "dead", attempts: 1, kind: "step.reminder" });
  });

  it("takes over rows whose lease ran out (an instance died while sending)", async () => {
    await enqueue(person("E1"));
    await database.query(
      sql`update outbox set status = 'sending', leased_by = 'dispatcher:gone', attempts = 1,
          lease_until = ${new Date(start.getTime() + 60_000).toISOString()}::timestamptz`,
    );
    const fake = fakeSender();
    const d = dispatcher(sendersOf({ person: { sender: fake.sender } }));
    expect((await d.runOnce()).sent).toBe(0);
    advance(61);
    expect((await d.runOnce()).sent).toBe(1);
    const [row] = await outboxRows();
    expect(row).toMatchObject({ status: "sent", attempts: 2 });
  });

  it("delivers through the recording sink to every bound channel the recipient reaches", async () => {
    const bind = (channelId: string, entityId?: string) =>
      database.db.transaction((tx) =>
        bindChannel(tx as unknown as Db, {
          platform: "lark",
          channelId,
          purpose: "hr",
          ...(entityId ? { entityId } : {}),
          actor: "system:test",
          at: clock.now(),
        }),
      );
    await database.query(
      sql`insert into entities (id, name, city, calendar_region) values ('acme-sh', 'Acme SH', 'Shanghai', 'CN'),
          ('acme-bj', 'Acme BJ', 'Beijing', 'CN')`,
    );
    const all = await bind("oc_all");
    const sh = await bind("oc_sh", "acme-sh");
    await bind("oc_bj", "acme-bj");
    await database.query(sql`delete from outbox`);
    await enqueue({ type: "channel", purpose: "hr", entityId: "acme-sh" }, { kind: "hr.alert" });
    const d = dispatcher(sendersOf({}));
    expect((await d.runOnce()).sent).toBe(1);
    const delivered = await database.query<{ target: string; channel_id: string; outbox_ids: number[] }>(
      sql`select target, channel_id, outbox_ids from delivered_notifications order by channel_id`,
    );
    expect(delivered.map((r) => r.channel_id)).toEqual(["oc_all", "oc_sh"]);
    expect(delivered.map((r) => r.target).sort()).toEqual([all.channel.id, sh.channel.id].sort());
  });

  it("waits while no channel is bound, without counting tries, and delivers as soon as HR binds one", async () => {
    await enqueue(hrChannel, { kind: "hr.alert" });
    const d = dispatcher(sendersOf({}));
    for (let i = 0; i < 5; i++) {
      if (i > 0) advance(600);
      expect(await d.runOnce()).toMatchObject({ sent: 0, deferred: 1 });
    }
    expect((await outboxRows())[0]).toMatchObject({
      status: "pending",
      attempts: 0,
      last_error: "NoChannelBoundError: no hr channel is bound",
    });
    advance(300);
    expect((await d.runOnce()).deferred).toBe(0); // waiting for its next look
    await database.db.transaction((tx) =>
      bindChannel(tx as unknown as Db, {
        platform: "slack",
        channelId: "C0HR",
        purpose: "hr",
        actor: "system:test",
        at: clock.now(),
      }),
    );
    expect((await d.runOnce()).rowsSent).toBe(2); // the alert, and the bind confirmation to that channel
  });
});
