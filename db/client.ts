import { mkdir } from "node:fs/promises";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import type { SQL } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import * as schema from "./schema/index.ts";

export type Schema = typeof schema;
/** The drizzle database, whichever driver is behind it. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;

export type DatabaseTarget =
  | { kind: "pglite"; dataDir: string }
  | { kind: "pglite-memory" }
  | { kind: "postgres"; url: string; max?: number };

/** An open database with the few driver-specific operations Baton needs. */
export type Database = {
  kind: "pglite" | "postgres";
  db: Db;
  /** Runs raw SQL and returns its rows, the same shape on both drivers. */
  query<Row extends Record<string, unknown>>(statement: SQL): Promise<Row[]>;
  /** Runs `fn` holding a session-level advisory lock (PGlite: one process owns it, so just runs). */
  withAdvisoryLock<T>(key: bigint, fn: () => Promise<T>): Promise<T>;
  /** The embedded engine, when there is one (for dumps). */
  pglite?: PGlite;
  close(): Promise<void>;
};

/** Where PGlite keeps its PostgreSQL files inside BATON_DATA_DIR. */
export function pgliteDirectory(dataDir: string): string {
  return path.join(dataDir, "pgdata");
}

function rowsOf<Row>(result: unknown): Row[] {
  if (Array.isArray(result)) return result as Row[];
  const rows = (result as { rows?: unknown }).rows;
  return Array.isArray(rows) ? (rows as Row[]) : [];
}

export async function openPglite(pg: PGlite): Promise<Database> {
  await pg.waitReady;
  const db = drizzlePglite({ client: pg, schema }) as unknown as Db;
  return {
    kind: "pglite",
    db,
    pglite: pg,
    query: async (statement) => rowsOf(await db.execute(statement)),
    withAdvisoryLock: (_key, fn) => fn(),
    close: () => pg.close(),
  };
}

export async function openDatabase(target: DatabaseTarget): Promise<Database> {
  if (target.kind === "pglite-memory") return openPglite(await PGlite.create());
  if (target.kind === "pglite") {
    const dir = pgliteDirectory(target.dataDir);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    return openPglite(await PGlite.create(dir));
  }
  const client = postgres(target.url, {
    max: target.max ?? 10,
    onnotice: () => {},
    connection: { application_name: "baton" },
  });
  const db = drizzlePostgres({ client, schema }) as unknown as Db;
  return {
    kind: "postgres",
    db,
    query: async (statement) => rowsOf(await db.execute(statement)),
    async withAdvisoryLock(key, fn) {
      const reserved = await client.reserve();
      try {
        await reserved`select pg_advisory_lock(${key.toString()}::bigint)`;
        try {
          return await fn();
        } finally {
          await reserved`select pg_advisory_unlock(${key.toString()}::bigint)`;
        }
      } finally {
        reserved.release();
      }
    },
    close: () => client.end({ timeout: 5 }),
  };
}
