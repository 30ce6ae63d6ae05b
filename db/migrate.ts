import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { sql } from "drizzle-orm";
import { readMigrationFiles } from "drizzle-orm/migrator";
import type { PgliteDatabase } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import type { PostgresJsDatabase } from "drizzle-orm/postgres-js";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import type { Database, Schema } from "./client.ts";

export const migrationsFolder = fileURLToPath(new URL("./migrations", import.meta.url));

/** Advisory lock key for migrations: the bytes of "baton:mg". */
export const migrationLockKey = 0x6261746f6e3a6d67n;

export type MigrationState = {
  applied: number;
  pending: { tag: string; createdAt: number }[];
  /** True when the database already had Baton's tables before this run (a backup is due before changing it). */
  holdsData: boolean;
};

function journal(folder: string): { tag: string; createdAt: number }[] {
  const files = readMigrationFiles({ migrationsFolder: folder });
  const entries = (
    JSON.parse(readFileSync(path.join(folder, "meta", "_journal.json"), "utf8")) as {
      entries: { tag: string }[];
    }
  ).entries;
  return files.map((m, i) => ({ tag: entries[i]?.tag ?? String(i), createdAt: m.folderMillis }));
}

/** Compares the committed migrations with those recorded in the database. */
export async function migrationState(database: Database, folder = migrationsFolder): Promise<MigrationState> {
  const exists = await database.query<{ present: boolean }>(
    sql`select to_regclass('drizzle.__drizzle_migrations') is not null as present`,
  );
  const entries = journal(folder);
  if (!exists[0]?.present) return { applied: 0, pending: entries, holdsData: false };
  const rows = await database.query<{ created_at: string | number }>(
    sql`select created_at from drizzle.__drizzle_migrations order by created_at desc limit 1`,
  );
  const last = rows[0] ? Number(rows[0].created_at) : 0;
  const pending = entries.filter((e) => e.createdAt > last);
  return { applied: entries.length - pending.length, pending, holdsData: rows.length > 0 };
}

export type MigrateOptions = {
  /** Called once, before the first pending migration, when the database already holds data. */
  backupFirst?: () => Promise<unknown>;
  onProgress?: (message: string) => void;
  /** The committed migrations; tests pass a copy with extra ones. */
  folder?: string;
};

/**
 * Applies pending migrations under an advisory lock, so one instance migrates and the others
 * wait and then find nothing to do.
 */
export async function migrate(database: Database, options: MigrateOptions = {}): Promise<MigrationState> {
  const folder = options.folder ?? migrationsFolder;
  return database.withAdvisoryLock(migrationLockKey, async () => {
    const before = await migrationState(database, folder);
    if (before.pending.length === 0) return before;
    if (before.holdsData && options.backupFirst) {
      options.onProgress?.(`backing up before ${before.pending.length} migration(s)`);
      await options.backupFirst();
    }
    options.onProgress?.(`applying ${before.pending.length} migration(s)`);
    if (database.kind === "pglite") {
      await migratePglite(database.db as unknown as PgliteDatabase<Schema>, { migrationsFolder: folder });
    } else {
      await migratePostgres(database.db as unknown as PostgresJsDatabase<Schema>, {
        migrationsFolder: folder,
      });
    }
    return migrationState(database, folder);
  });
}
