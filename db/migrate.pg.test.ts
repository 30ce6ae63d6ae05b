import { sql } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { createPostgresDatabase } from "../test/helpers/db.ts";
import { type Database, openDatabase } from "./client.ts";
import { migrate } from "./migrate.ts";

const opened: Database[] = [];
afterAll(async () => {
  await Promise.all(opened.map((d) => d.close()));
});

describe("migrations with several instances on one PostgreSQL", () => {
  it("one instance migrates under the advisory lock; the others wait and find nothing to do", async () => {
    const url = await createPostgresDatabase();
    const instances = await Promise.all(
      Array.from({ length: 5 }, async () => {
        const database = await openDatabase({ kind: "postgres", url, max: 2 });
        opened.push(database);
        return database;
      }),
    );
    const results = await Promise.all(instances.map((database) => migrate(database)));
    for (const state of results) expect(state.pending).toEqual([]);
    const first = instances[0] as Database;
    const recorded = await first.query<{ n: number }>(
      sql`select count(*)::int as n from drizzle.__drizzle_migrations`,
    );
    expect(recorded[0]?.n).toBe(results[0]?.applied);
  });
});
