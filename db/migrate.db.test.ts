import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { createPostgresDatabase, onPostgres } from "../test/helpers/db.ts";
import { backupDatabase } from "./backup.ts";
import { type Database, openDatabase } from "./client.ts";
import { migrate, migrationState, migrationsFolder } from "./migrate.ts";

/** A copy of the committed migrations, plus one more, as a later release would bring. */
function foldersWithExtraMigration(): { current: string; next: string } {
  const root = mkdtempSync(path.join(tmpdir(), "baton-migrations-"));
  const current = path.join(root, "current");
  const next = path.join(root, "next");
  cpSync(migrationsFolder, current, { recursive: true });
  cpSync(migrationsFolder, next, { recursive: true });
  const journalFile = path.join(next, "meta", "_journal.json");
  const journal = JSON.parse(readFileSync(journalFile, "utf8")) as {
    entries: { idx: number; version: string; when: number; tag: string; breakpoints: boolean }[];
  };
  const last = journal.entries.at(-1);
  if (!last) throw new Error("no migrations committed");
  const tag = `${String(last.idx + 1).padStart(4, "0")}_test_extra`;
  journal.entries.push({ ...last, idx: last.idx + 1, when: last.when + 1000, tag });
  writeFileSync(journalFile, JSON.stringify(journal));
  writeFileSync(path.join(next, `${tag}.sql`), `CREATE TABLE "test_extra" ("id" integer PRIMARY KEY);`);
  return { current, next };
}

let open: Database | undefined;
afterEach(async () => {
  await open?.close();
  open = undefined;
});

async function freshDatabase(): Promise<{ database: Database; url?: string }> {
  if (onPostgres) {
    const url = await createPostgresDatabase();
    open = await openDatabase({ kind: "postgres", url, max: 3 });
    return { database: open, url };
  }
  open = await openDatabase({ kind: "pglite-memory" });
  return { database: open };
}

describe("migrations", () => {
  it("reports pending migrations, applies them once, and then nothing is pending", async () => {
    const { database } = await freshDatabase();
    const before = await migrationState(database);
    expect(before.applied).toBe(0);
    expect(before.pending.length).toBeGreaterThan(0);
    expect(before.holdsData).toBe(false);
    const after = await migrate(database);
    expect(after.pending).toEqual([]);
    expect(after.applied).toBe(before.pending.length);
    const again = await migrate(database);
    expect(again.applied).toBe(after.applied);
    const tables = await database.query<{ n: number }>(
      sql`select count(*)::int as n from pg_tables where schemaname = 'public' and tablename = 'api_keys'`,
    );
    expect(tables[0]?.n).toBe(1);
  });

  it("takes one backup before migrating a database that holds data, and none for a new one", async () => {
    const { database, url } = await freshDatabase();
    const folders = foldersWithExtraMigration();
    const backupDir = mkdtempSync(path.join(tmpdir(), "baton-backups-"));
    const backupFirst = () =>
      backupDatabase(database, { backupDir, reason: "before-migration", ...(url ? { url } : {}) });

    await migrate(database, { folder: folders.current, backupFirst });
    expect(readdirSync(backupDir)).toEqual([]);

    const pending = await migrationState(database, folders.next);
    expect(pending.pending.map((p) => p.tag)).toEqual([expect.stringMatching(/_test_extra$/)]);
    expect(pending.holdsData).toBe(true);

    const progress: string[] = [];
    await migrate(database, { folder: folders.next, backupFirst, onProgress: (m) => progress.push(m) });
    const backups = readdirSync(backupDir);
    expect(backups).toHaveLength(1);
    expect(backups[0]).toMatch(onPostgres ? /before-migration\.dump$/ : /before-migration\.tar\.gz$/);
    expect(progress[0]).toMatch(/backing up/);
    const extra = await database.query<{ present: boolean }>(
      sql`select to_regclass('test_extra') is not null as present`,
    );
    expect(extra[0]?.present).toBe(true);

    await migrate(database, { folder: folders.next, backupFirst });
    expect(readdirSync(backupDir)).toHaveLength(1);
  });
});
