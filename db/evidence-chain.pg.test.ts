import { sql } from "drizzle-orm";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPostgresDatabase } from "../test/helpers/db.ts";
import { type Database, type Db, openDatabase } from "./client.ts";
import { chainLockKey, createChainWriter, verifyAuditChain } from "./evidence-chain.ts";
import { migrate } from "./migrate.ts";
import { recordEvidence } from "./repositories/evidence.ts";

let url: string;
let database: Database;

beforeAll(async () => {
  url = await createPostgresDatabase();
  database = await openDatabase({ kind: "postgres", url, max: 10 });
  await migrate(database);
  await database.query(sql`create table business_rows (id serial primary key, n integer not null)`);
});
afterAll(() => database.close());

async function reset(): Promise<void> {
  await database.query(
    sql`truncate evidence_chain, evidence_entries, business_rows restart identity cascade`,
  );
}

/** A business transaction: one row of its own and two evidence entries, with some work in between. */
async function businessTransaction(on: Database, n: number): Promise<[string, string]> {
  return on.db.transaction(async (transaction) => {
    const tx = transaction as unknown as Db;
    await tx.execute(sql`insert into business_rows (n) values (${n})`);
    const first = await recordEvidence(tx, {
      at: new Date(),
      actor: "system:test",
      action: "test.first",
      subject: `business:${n}`,
      data: { n },
    });
    await tx.execute(sql`select pg_sleep(${(n % 7) / 1000})`);
    const second = await recordEvidence(tx, {
      at: new Date(),
      actor: "system:test",
      action: "test.second",
      subject: `business:${n}`,
      data: { n, after: first },
    });
    return [first, second];
  });
}

async function expectWholeChain(expectedEntries: number): Promise<void> {
  const rows = await database.query<{ seq: string; entry_id: string; prev_hash: string; hash: string }>(
    sql`select seq, entry_id, prev_hash, hash from evidence_chain order by seq`,
  );
  expect(rows).toHaveLength(expectedEntries);
  // seq 1..N without a gap, each prevHash the previous hash (no fork), each entry once.
  expect(rows.map((r) => Number(r.seq))).toEqual(Array.from({ length: expectedEntries }, (_, i) => i + 1));
  rows.forEach((row, i) => {
    expect(row.prev_hash).toBe(i === 0 ? "0".repeat(64) : rows[i - 1]?.hash);
  });
  expect(new Set(rows.map((r) => r.entry_id)).size).toBe(expectedEntries);
  const [entries] = await database.query<{ n: string; unchained: string }>(
    sql`select count(*) as n, count(*) filter (where seq is null) as unchained from evidence_entries`,
  );
  expect(Number(entries?.n)).toBe(expectedEntries);
  expect(Number(entries?.unchained)).toBe(0);
  expect(await verifyAuditChain(database)).toMatchObject({ ok: true, length: expectedEntries, pending: 0 });
}

describe("the chain under concurrency", () => {
  it("50 concurrent business transactions and two writers on two instances leave one chain, no fork, no gap", async () => {
    await reset();
    const second = await openDatabase({ kind: "postgres", url, max: 10 });
    // A writer that collided with the other would fail on the chain's unique keys and log it.
    const failures: string[] = [];
    const logger = { debug: () => {}, error: (_fields: object, message: string) => failures.push(message) };
    const options = { logger, intervalMs: 15, debounceMs: 1, retryMs: 3, batchSize: 7 };
    const writers = [createChainWriter(database, options), createChainWriter(second, options)];
    try {
      for (const writer of writers) writer.start();
      const pairs = await Promise.all(
        Array.from({ length: 50 }, async (_, n) => {
          const pair = await businessTransaction(n % 2 === 0 ? database : second, n);
          writers[n % 2]?.wake();
          return pair;
        }),
      );
      // Let the writers finish on their own, then check nothing was left behind.
      const deadline = Date.now() + 20_000;
      while ((await verifyAuditChain(database)).length < 100 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      for (const writer of writers) await writer.stop();
      expect(failures).toEqual([]);
      await expectWholeChain(100);

      // The two entries of one transaction keep their order.
      const seqOf = new Map(
        (
          await database.query<{ entry_id: string; seq: string }>(
            sql`select entry_id, seq from evidence_chain`,
          )
        ).map((r) => [r.entry_id, Number(r.seq)]),
      );
      for (const [first, after] of pairs) expect(seqOf.get(first)!).toBeLessThan(seqOf.get(after)!);
      const [business] = await database.query<{ n: string }>(sql`select count(*) as n from business_rows`);
      expect(Number(business?.n)).toBe(50);
    } finally {
      for (const writer of writers) await writer.stop();
      await second.close();
    }
  });

  it("writers on four instances racing over a backlog chain every entry exactly once", async () => {
    await reset();
    await Promise.all(Array.from({ length: 60 }, (_, n) => businessTransaction(database, n)));
    const instances = await Promise.all(
      Array.from({ length: 4 }, () => openDatabase({ kind: "postgres", url, max: 2 })),
    );
    try {
      const writers = instances.map((instance) => createChainWriter(instance, { batchSize: 5 }));
      const results = await Promise.all(writers.flatMap((writer) => [writer.runOnce(), writer.runOnce()]));
      const chained = results.reduce((sum, r) => sum + r.chained, 0);
      // Skipped runs leave the rest to whoever holds the lock; a final run picks up any remainder.
      const remainder = await writers[0]!.runOnce();
      expect(chained + remainder.chained).toBe(120);
      await expectWholeChain(120);
    } finally {
      await Promise.all(instances.map((instance) => instance.close()));
    }
  });

  it("a business transaction commits while the chain writer's lock is held", async () => {
    await reset();
    const holder = postgres(url, { max: 1, onnotice: () => {} });
    const writer = createChainWriter(database);
    try {
      await holder`select pg_advisory_lock(${chainLockKey.toString()}::bigint)`;
      // The writer cannot get the lock: it skips, it does not wait.
      expect(await writer.runOnce()).toEqual({ chained: 0, skipped: true });

      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error("the business transaction waited on the chain lock")),
          5000,
        );
      });
      const started = Date.now();
      const ids = await Promise.race([businessTransaction(database, 1), timeout]).finally(() =>
        clearTimeout(timer),
      );
      expect(Date.now() - started).toBeLessThan(5000);
      const [committed] = await database.query<{ n: string }>(
        sql`select count(*) as n from evidence_entries where id in (${ids[0]}, ${ids[1]})`,
      );
      expect(Number(committed?.n)).toBe(2);
      expect(await writer.runOnce()).toEqual({ chained: 0, skipped: true });

      await holder`select pg_advisory_unlock(${chainLockKey.toString()}::bigint)`;
      expect(await writer.runOnce()).toEqual({ chained: 2, skipped: false });
      await expectWholeChain(2);
    } finally {
      await holder.end({ timeout: 5 });
    }
  });
});
