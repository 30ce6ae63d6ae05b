import { sql } from "drizzle-orm";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { AppError } from "../core/errors.ts";
import { manualClock } from "../test/helpers/app.ts";
import { resetDatabase, testDatabase } from "../test/helpers/db.ts";
import type { Database } from "./client.ts";
import { createInboxWorker, type InboxProcessor, type InboxWorkerOptions, receiveInbound } from "./inbox.ts";

let database: Database;
const start = new Date("2026-03-02T02:00:00Z");
let clock: ReturnType<typeof manualClock>;

beforeAll(async () => {
  database = await testDatabase();
  await database.query(
    sql`create table if not exists inbox_effects (id serial primary key, inbox_id bigint not null, note text)`,
  );
});

beforeEach(async () => {
  await resetDatabase(database);
  clock = manualClock(start);
});

/** A processor whose effect is a row in `inbox_effects`, written in the processing transaction. */
function effectProcessor(source: string, behaviour: (payload: unknown, attempts: number) => void = () => {}) {
  const processor: InboxProcessor = {
    source,
    async process(tx, message) {
      await tx.execute(sql`insert into inbox_effects (inbox_id, note) values (${message.id}, ${source})`);
      behaviour(message.payload, message.attempts);
    },
  };
  return processor;
}

function worker(processors: InboxProcessor[], options: Partial<InboxWorkerOptions> = {}) {
  return createInboxWorker(database, {
    processors: () => processors,
    clock,
    random: () => 0,
    backoff: { baseMs: 10_000, maxMs: 600_000 },
    maxAttempts: 3,
    ...options,
  });
}

const effects = async () =>
  (await database.query<{ inbox_id: string }>(sql`select inbox_id from inbox_effects order by id`)).map((r) =>
    Number(r.inbox_id),
  );

type InboxRow = {
  status: string;
  attempts: number;
  payload: unknown;
  payload_sha256: string;
  last_error: string | null;
  not_before: Date;
};
const inboxRow = async (id: number) =>
  (
    await database.query<InboxRow>(
      sql`select status, attempts, payload, payload_sha256, last_error, not_before from inbox where id = ${id}`,
    )
  )[0];

const receive = (key: string, payload: unknown = { event: key }) =>
  receiveInbound(database, { source: "connector:oa", idempotencyKey: key, payload, receivedAt: clock.now() });

describe("the inbox", () => {
  it("stores a request once: a redelivery is a duplicate with the same id and no second effect", async () => {
    const first = await receive("evt-1");
    const again = await receive("evt-1", { event: "evt-1", retried: true });
    expect(first.duplicate).toBe(false);
    expect(again).toEqual({ id: first.id, duplicate: true });
    const other = await receiveInbound(database, {
      source: "slack",
      idempotencyKey: "evt-1",
      payload: {},
      receivedAt: clock.now(),
    });
    expect(other.duplicate).toBe(false); // keys are per source

    const w = worker([effectProcessor("connector:oa"), effectProcessor("slack")]);
    expect((await w.runOnce()).processed).toBe(2);
    await receive("evt-1");
    expect((await w.runOnce()).processed).toBe(0);
    expect(await effects()).toEqual([first.id, other.id]);
  });

  it("loses nothing when the process dies after answering: a new worker picks the message up", async () => {
    const { id } = await receive("evt-2", { employeeExternalId: "E1001" });
    // The instance that stored it "crashed" before processing: only a new instance is left.
    const fresh = worker([effectProcessor("connector:oa")], { instanceId: "inbox:after-restart" });
    expect((await fresh.runOnce()).processed).toBe(1);
    expect(await effects()).toEqual([id]);
    const row = await inboxRow(id);
    expect(row).toMatchObject({ status: "done", attempts: 1, payload: null });
    expect(row?.payload_sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it("takes over a message whose processor died mid-way, once its lease ends, and the effect happens once", async () => {
    const { id } = await receive("evt-3");
    let release: () => void = () => {};
    const stuck = new Promise<void>((resolve) => {
      release = resolve;
    });
    // Instance A claims the message and hangs inside the processing (its transaction stays open
    // on PostgreSQL; on PGlite, which has one connection, it stops before its transaction).
    const hanging: InboxProcessor = {
      source: "connector:oa",
      async process(tx, message) {
        await stuck;
        await tx.execute(sql`insert into inbox_effects (inbox_id, note) values (${message.id}, 'late')`);
      },
    };
    const a = worker([hanging], { instanceId: "inbox:a", leaseMs: 30_000 });
    const running = database.kind === "postgres" ? a.runOnce() : undefined;
    if (database.kind === "pglite") {
      await database.query(
        sql`update inbox set status = 'processing', leased_by = 'inbox:a', attempts = 1,
            lease_until = ${new Date(start.getTime() + 30_000).toISOString()}::timestamptz,
            not_before = ${new Date(start.getTime() + 30_000).toISOString()}::timestamptz`,
      );
    } else {
      for (let i = 0; i < 100 && (await inboxRow(id))?.status !== "processing"; i++) {
        await new Promise((r) => setTimeout(r, 10));
      }
    }
    const b = worker([effectProcessor("connector:oa")], { instanceId: "inbox:b" });
    expect((await b.runOnce()).processed).toBe(0); // A's lease holds
    clock.advance(31_000);
    if (database.kind === "postgres") {
      // A's open transaction holds the row lock: B skips the row although A's lease has ended.
      expect((await b.runOnce()).processed).toBe(0);
      release();
      expect(await running).toMatchObject({ processed: 1 });
      expect((await b.runOnce()).processed).toBe(0);
    } else {
      expect((await b.runOnce()).processed).toBe(1);
      release();
    }
    expect(await effects()).toHaveLength(1);
    expect((await inboxRow(id))?.status).toBe("done");
  });

  it("an instance that lost its lease before processing has no effect: the one that took over did the work", async () => {
    const first = await receive("evt-4a");
    const second = await receive("evt-4b");
    // A claims both; processing the first takes longer than the lease, and meanwhile B takes the
    // second over and finishes it (simulated inside A's first transaction).
    const slow: InboxProcessor = {
      source: "connector:oa",
      async process(tx, message) {
        await tx.execute(sql`insert into inbox_effects (inbox_id, note) values (${message.id}, 'a')`);
        if (message.id !== first.id) return;
        clock.advance(61_000);
        await tx.execute(
          sql`update inbox set status = 'done', leased_by = null, processed_at = now() where id = ${second.id}`,
        );
        await tx.execute(sql`insert into inbox_effects (inbox_id, note) values (${second.id}, 'b')`);
      },
    };
    const a = worker([slow], { instanceId: "inbox:a", leaseMs: 60_000 });
    expect(await a.runOnce()).toMatchObject({ processed: 1, lost: 1 });
    expect(await effects()).toEqual([first.id, second.id]);
  });

  it("retries a failing message with backoff, rolls back each failed try, and dead-letters it with an HR alert", async () => {
    const { id } = await receive("evt-5");
    const w = worker([
      effectProcessor("connector:oa", () => {
        throw new Error("finance system unreachable");
      }),
    ]);
    expect((await w.runOnce()).retried).toBe(1);
    let row = await inboxRow(id);
    expect(row).toMatchObject({
      status: "pending",
      attempts: 1,
      last_error: "Error: finance system unreachable",
    });
    expect(row?.payload).toEqual({ event: "evt-5" }); // kept until processed
    expect(new Date(row?.not_before ?? 0).getTime()).toBe(start.getTime() + 5_000); // 10 s step, equal jitter, random 0
    expect((await w.runOnce()).retried).toBe(0);
    clock.advance(5_000);
    expect((await w.runOnce()).retried).toBe(1);
    clock.advance(10_000);
    expect((await w.runOnce()).dead).toBe(1);
    row = await inboxRow(id);
    expect(row).toMatchObject({ status: "dead", attempts: 3 });
    expect(await effects()).toEqual([]);
    const alerts = await database.query<{ kind: string; data: Record<string, unknown> }>(
      sql`select kind, data from outbox`,
    );
    expect(alerts).toEqual([
      { kind: "hr.alert", data: { alert: "inbox.dead", inboxId: id, source: "connector:oa", attempts: 3 } },
    ]);
  });

  it("does not retry a request the processor found wrong (an AppError such as 422)", async () => {
    const { id } = await receive("evt-6");
    const w = worker([
      effectProcessor("connector:oa", () => {
        throw new AppError("unprocessable", "no such employee");
      }),
    ]);
    expect((await w.runOnce()).dead).toBe(1);
    expect(await inboxRow(id)).toMatchObject({ status: "dead", attempts: 1 });
  });

  it("keeps a message of a source nobody processes yet, and retries it", async () => {
    const { id } = await receiveInbound(database, {
      source: "teams",
      idempotencyKey: "a-1",
      payload: {},
      receivedAt: clock.now(),
    });
    expect((await worker([]).runOnce()).retried).toBe(1);
    expect(await inboxRow(id)).toMatchObject({
      status: "pending",
      last_error: "Error: no processor for the source teams",
    });
  });

  it("refuses what it cannot store", async () => {
    await expect(
      receiveInbound(database, { source: "", idempotencyKey: "k", payload: {}, receivedAt: clock.now() }),
    ).rejects.toThrow(RangeError);
    await expect(
      receiveInbound(database, {
        source: "x",
        idempotencyKey: "k".repeat(513),
        payload: {},
        receivedAt: clock.now(),
      }),
    ).rejects.toThrow(RangeError);
  });
});
