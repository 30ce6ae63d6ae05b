import postgres from "postgres";
import { type Database, openDatabase } from "../db/client.ts";
import { migrate } from "../db/migrate.ts";

/**
 * A fresh, migrated database for one benchmark: a new `baton_bench_<pid>_<label>` database on
 * the PostgreSQL server at `serverUrl` (dropped afterwards; `fn` also gets its URL), or an in-memory
 * PGlite without one.
 */
export async function withScratchDatabase<T>(
  serverUrl: string | undefined,
  label: string,
  fn: (database: Database, url?: string) => Promise<T>,
): Promise<T> {
  if (!serverUrl) {
    const database = await openDatabase({ kind: "pglite-memory" });
    try {
      await migrate(database);
      return await fn(database);
    } finally {
      await database.close();
    }
  }
  const name = `baton_bench_${process.pid}_${label}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`drop database if exists "${name}" with (force)`);
  await admin.unsafe(`create database "${name}"`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const database = await openDatabase({ kind: "postgres", url: url.toString(), max: 10 });
  try {
    await migrate(database);
    return await fn(database, url.toString());
  } finally {
    await database.close();
    await admin.unsafe(`drop database if exists "${name}" with (force)`);
    await admin.end({ timeout: 5 });
  }
}
