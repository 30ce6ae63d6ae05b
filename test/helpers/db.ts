import { randomBytes } from "node:crypto";
import { sql } from "drizzle-orm";
import postgres from "postgres";
import { type Database, openDatabase } from "../../db/client.ts";
import { migrate } from "../../db/migrate.ts";

/** Which database the db project runs on: PostgreSQL when TEST_DATABASE_URL is set, else PGlite. */
export const testDatabaseUrl = process.env.TEST_DATABASE_URL;
export const onPostgres = testDatabaseUrl !== undefined;

/** Makes a new, empty PostgreSQL database on the test server and returns its URL. */
export async function createPostgresDatabase(): Promise<string> {
  if (!testDatabaseUrl) throw new Error("TEST_DATABASE_URL is not set");
  const name = `baton_t_${process.pid}_${randomBytes(4).toString("hex")}`;
  const admin = postgres(testDatabaseUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database "${name}"`);
  } finally {
    await admin.end({ timeout: 5 });
  }
  const url = new URL(testDatabaseUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

let shared: Promise<Database> | undefined;

/**
 * One migrated database per test worker, shared by the files that worker runs (a new PGlite takes
 * about 5 s). Call `resetDatabase` in `beforeEach` for isolation.
 */
export function testDatabase(): Promise<Database> {
  shared ??= (async () => {
    const database = onPostgres
      ? await openDatabase({ kind: "postgres", url: await createPostgresDatabase(), max: 5 })
      : await openDatabase({ kind: "pglite-memory" });
    await migrate(database);
    return database;
  })();
  return shared;
}

/** Empties every Baton table, keeping the schema and the migration record. */
export async function resetDatabase(database: Database): Promise<void> {
  const tables = await database.query<{ tablename: string }>(
    sql`select tablename from pg_tables where schemaname = 'public'`,
  );
  if (tables.length === 0) return;
  const list = tables.map((t) => `"public"."${t.tablename}"`).join(", ");
  await database.query(sql.raw(`truncate ${list} restart identity cascade`));
}
