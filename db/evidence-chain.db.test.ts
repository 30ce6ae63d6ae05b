import { type SQL, sql } from "drizzle-orm";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { EvidenceEntryInput } from "../core/audit/entry.ts";
import { resetDatabase, testDatabase } from "../test/helpers/db.ts";
import type { Database, Db } from "./client.ts";
import { chainHead, createChainWriter, verifyAuditChain } from "./evidence-chain.ts";
import { recordEvidence } from "./repositories/evidence.ts";

let database: Database;

beforeAll(async () => {
  database = await testDatabase();
});
beforeEach(() => resetDatabase(database));

const input = (n: number, subject = `test:${n}`): EvidenceEntryInput => ({
  at: new Date(Date.UTC(2026, 2, 2, 2, 0, 0, n)),
  actor: "system:test",
  action: "test.recorded",
  subject,
  data: { n, hash: "ab".repeat(32) },
});

async function record(count: number, perTransaction = 1): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i += perTransaction) {
    await database.db.transaction(async (tx) => {
      for (let j = i; j < Math.min(count, i + perTransaction); j++) {
        ids.push(await recordEvidence(tx as unknown as Db, input(j + 1)));
      }
    });
  }
  return ids;
}

async function chainRows() {
  return database.query<{ seq: string | number; entry_id: string; prev_hash: string; hash: string }>(
    sql`select seq, entry_id, prev_hash, hash from evidence_chain order by seq`,
  );
}

describe("the chain writer", () => {
  it("sequences committed entries in insertion order, in batches, and only once", async () => {
    const ids = await record(10, 4);
    const writer = createChainWriter(database, { batchSize: 3 });
    expect(await writer.runOnce()).toEqual({ chained: 10, skipped: false });
    expect(await writer.runOnce()).toEqual({ chained: 0, skipped: false });
    const rows = await chainRows();
    expect(rows.map((r) => Number(r.seq))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(rows.map((r) => r.entry_id)).toEqual(ids);
    expect(rows[0]?.prev_hash).toBe("0".repeat(64));
    for (let i = 1; i < rows.length; i++) expect(rows[i]?.prev_hash).toBe(rows[i - 1]?.hash);
    const marked = await database.query<{ n: number | string }>(
      sql`select count(*) as n from evidence_entries where seq is not null`,
    );
    expect(Number(marked[0]?.n)).toBe(10);

    const head = await chainHead(database);
    expect(head).toMatchObject({ seq: 10, entryId: ids[9], hash: rows[9]?.hash });
    expect(await verifyAuditChain(database)).toEqual({
      ok: true,
      length: 10,
      head: { seq: 10, hash: rows[9]?.hash },
      pending: 0,
    });
  });

  it("continues the chain from its head across runs", async () => {
    const writer = createChainWriter(database);
    await record(3);
    await writer.runOnce();
    await record(2);
    expect((await verifyAuditChain(database)).pending).toBe(2);
    await writer.runOnce();
    const result = await verifyAuditChain(database);
    expect(result).toMatchObject({ ok: true, length: 5, pending: 0 });
  });

  it("wakes after commits, debounced, and stops cleanly", async () => {
    const writer = createChainWriter(database, { intervalMs: 60_000, debounceMs: 5 });
    writer.wake(); // not started: nothing happens
    writer.start();
    await record(3);
    writer.wake();
    writer.wake();
    const deadline = Date.now() + 10_000;
    while ((await chainHead(database))?.seq !== 3 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await writer.stop();
    expect((await chainHead(database))?.seq).toBe(3);
    await record(1);
    writer.wake(); // stopped: nothing happens
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await verifyAuditChain(database)).pending).toBe(1);
  });

  it("refuses evidence data that cannot be hashed, inside the caller's transaction", async () => {
    await expect(
      database.db.transaction((tx) =>
        recordEvidence(tx as unknown as Db, { ...input(1), data: { score: Number.NaN } }),
      ),
    ).rejects.toThrow(/NaN/);
    await expect(
      database.db.transaction((tx) =>
        recordEvidence(tx as unknown as Db, { ...input(1), at: new Date("x") }),
      ),
    ).rejects.toThrow(RangeError);
  });
});

describe("verifying the audit chain in the database", () => {
  const edits: { name: string; edit: (id: string) => SQL; seq: 3 | 4; reason: string }[] = [
    {
      name: "an entry's data",
      edit: (id) => sql`update evidence_entries set data = jsonb_set(data, '{n}', '99') where id = ${id}`,
      seq: 3,
      reason: "hash_mismatch",
    },
    {
      name: "an entry's actor",
      edit: (id) => sql`update evidence_entries set actor = 'employee:E9' where id = ${id}`,
      seq: 3,
      reason: "hash_mismatch",
    },
    {
      name: "an entry's time, by one millisecond",
      edit: (id) => sql`update evidence_entries set at = at + interval '1 millisecond' where id = ${id}`,
      seq: 3,
      reason: "hash_mismatch",
    },
    {
      name: "a link's hash",
      edit: () => sql`update evidence_chain set hash = repeat('a', 64) where seq = 3`,
      seq: 3,
      reason: "hash_mismatch",
    },
    {
      name: "a link's prevHash",
      edit: () => sql`update evidence_chain set prev_hash = repeat('b', 64) where seq = 3`,
      seq: 3,
      reason: "prev_link_broken",
    },
    {
      name: "a deleted link",
      edit: () => sql`delete from evidence_chain where seq = 3`,
      seq: 4,
      reason: "seq_gap",
    },
  ];

  for (const { name, edit, seq, reason } of edits) {
    it(`names the first broken entry after editing ${name}`, async () => {
      const ids = await record(6);
      await createChainWriter(database).runOnce();
      expect((await verifyAuditChain(database)).ok).toBe(true);
      await database.query(edit(ids[2]!));
      const result = await verifyAuditChain(database, { pageSize: 2 });
      expect(result.ok).toBe(false);
      expect(result.firstBroken).toEqual({ seq, entryId: ids[seq - 1], reason });
      expect(result.length).toBe(reason === "seq_gap" ? 5 : 6);
      expect(result.head?.seq).toBe(6);
    });
  }

  it("names an entry whose row is gone", async () => {
    const ids = await record(3);
    await createChainWriter(database).runOnce();
    await database.query(
      sql`alter table evidence_chain drop constraint evidence_chain_entry_id_evidence_entries_id_fk`,
    );
    try {
      await database.query(sql`delete from evidence_entries where id = ${ids[1]}`);
      expect((await verifyAuditChain(database)).firstBroken).toEqual({
        seq: 2,
        entryId: ids[1],
        reason: "entry_missing",
      });
    } finally {
      await database.query(sql`delete from evidence_chain where seq >= 2`);
      await database.query(
        sql`alter table evidence_chain add constraint evidence_chain_entry_id_evidence_entries_id_fk foreign key (entry_id) references evidence_entries(id)`,
      );
    }
  });

  it("is empty and whole before anything is recorded", async () => {
    expect(await verifyAuditChain(database)).toEqual({ ok: true, length: 0, head: null, pending: 0 });
  });
});
