import { sql } from "drizzle-orm";
import postgres from "postgres";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createPostgresDatabase } from "../test/helpers/db.ts";
import { type Database, openDatabase } from "./client.ts";
import type { InboundInput } from "./inbox.ts";
import { createInboxWriter } from "./inbox-writer.ts";
import { migrate } from "./migrate.ts";

/**
 * The inbox's group commit on a real PostgreSQL (issue 7): a write answers only once its row is
 * committed (seen from another connection), concurrent writes share statements, and the same key
 * written concurrently — by one instance or two — is stored once, its callers agreeing on the id.
 */

let url: string;
let one: Database;
let two: Database;
/** A connection of its own, as another process would see the database. */
let outside: postgres.Sql;

beforeAll(async () => {
  url = await createPostgresDatabase();
  one = await openDatabase({ kind: "postgres", url, max: 10 });
  await migrate(one);
  two = await openDatabase({ kind: "postgres", url, max: 10 });
  outside = postgres(url, { max: 2, onnotice: () => {} });
});
afterAll(async () => {
  await outside.end({ timeout: 5 });
  await one.close();
  await two.close();
});
beforeEach(async () => {
  await one.query(sql`truncate inbox restart identity cascade`);
});

const at = new Date("2026-03-02T02:00:00Z");
const input = (key: string, payload: unknown = { key }): InboundInput => ({
  source: "chat:slack",
  idempotencyKey: key,
  payload,
  receivedAt: at,
  notBefore: new Date(at.getTime() + 120_000),
});

const committed = async (key: string) =>
  (
    await outside<
      { id: string }[]
    >`select id from inbox where source = 'chat:slack' and idempotency_key = ${key}`
  ).length;

describe("the inbox writer", () => {
  it("answers only once the row is committed: another connection sees it the moment the write returns", async () => {
    const writer = createInboxWriter(one);
    const keys = Array.from({ length: 60 }, (_, i) => `action:durable.${i}`);
    const seen = await Promise.all(
      keys.map(async (key) => {
        const stored = await writer.write(input(key));
        // Nothing else runs in between: the check follows the answer directly.
        return { stored, visible: await committed(key) };
      }),
    );
    for (const { stored, visible } of seen) {
      expect(stored.duplicate).toBe(false);
      expect(visible).toBe(1);
    }
  });

  it("does not answer while the row cannot be committed", async () => {
    const writer = createInboxWriter(one);
    const locker = await outside.reserve();
    await locker`begin`;
    await locker`lock table inbox in exclusive mode`;
    let answered = false;
    const write = writer.write(input("action:blocked")).then((stored) => {
      answered = true;
      return stored;
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(answered).toBe(false);
    expect(await committed("action:blocked")).toBe(0);
    await locker`rollback`;
    locker.release();
    const stored = await write;
    expect(stored.duplicate).toBe(false);
    expect(await committed("action:blocked")).toBe(1);
  });

  it("groups concurrent writes into few statements", async () => {
    const writer = createInboxWriter(one);
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) => writer.write(input(`action:batch.${i}`))),
    );
    expect(new Set(results.map((r) => r.id)).size).toBe(200);
    expect(writer.stats.items).toBe(200);
    expect(writer.stats.batches).toBeLessThan(20);
    expect(writer.stats.largest).toBeGreaterThan(10);
    const [row] = await outside<{ n: number }[]>`select count(*)::int as n from inbox`;
    expect(row?.n).toBe(200);
  });

  it("stores a key written concurrently once, by one instance or two, every caller getting its id", async () => {
    const writers = [createInboxWriter(one), createInboxWriter(two)];
    const keys = Array.from({ length: 50 }, (_, i) => `action:twice.${i}`);
    // Each key four times: twice through each instance, all at once.
    const attempts = keys.flatMap((key) => [0, 1, 0, 1].map((w) => ({ key, writer: writers[w] })));
    const results = await Promise.all(
      attempts.map(async ({ key, writer }) => ({ key, stored: await writer?.write(input(key)) })),
    );
    for (const key of keys) {
      const mine = results.filter((r) => r.key === key).map((r) => r.stored);
      expect(mine.filter((s) => s?.duplicate === false)).toHaveLength(1);
      expect(new Set(mine.map((s) => s?.id)).size).toBe(1);
    }
    const rows = await outside<{ n: number; keys: number }[]>`
      select count(*)::int as n, count(distinct idempotency_key)::int as keys from inbox`;
    expect(rows[0]).toEqual({ n: 50, keys: 50 });
    // A later redelivery is a duplicate with the same id.
    const again = await writers[0]?.write(input("action:twice.7"));
    expect(again?.duplicate).toBe(true);
    expect(again?.id).toBe(results.find((r) => r.key === "action:twice.7")?.stored?.id);
  });

  it("fails only the request whose row cannot be stored, not the others of its batch", async () => {
    const writer = createInboxWriter(one);
    const results = await Promise.allSettled([
      writer.write(input("action:fine.1")),
      // PostgreSQL's jsonb refuses \u0000: this row fails the batch statement.
      writer.write(input("action:bad", { text: "nul \u0000 here" })),
      writer.write(input("action:fine.2")),
    ]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect(await committed("action:fine.1")).toBe(1);
    expect(await committed("action:fine.2")).toBe(1);
    expect(await committed("action:bad")).toBe(0);
  });
});
