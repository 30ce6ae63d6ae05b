import { and, eq } from "drizzle-orm";
import type { Database, Db } from "../client.ts";
import { seedRuns, settings } from "../schema/index.ts";
import type { MasterKey } from "../sealing.ts";

/** What a seed set may use besides the transaction. */
export type SeedContext = { master: MasterKey; now: Date };

/** A named, versioned set of rows. Bump `version` to add to what earlier versions seeded. */
export type SeedSet = {
  name: string;
  version: string;
  describe: string;
  run(tx: Db, context: SeedContext): Promise<void>;
};

export type SeedReport = { applied: string[]; skipped: string[] };

/** Applies each seed set version not applied yet, each in its own transaction with its record. */
export async function applySeeds(
  database: Database,
  sets: readonly SeedSet[],
  context: SeedContext,
  onProgress: (message: string) => void = () => {},
): Promise<SeedReport> {
  const report: SeedReport = { applied: [], skipped: [] };
  for (const set of sets) {
    const label = `${set.name}@${set.version}`;
    const done = await database.db
      .select({ name: seedRuns.name })
      .from(seedRuns)
      .where(and(eq(seedRuns.name, set.name), eq(seedRuns.version, set.version)));
    if (done.length > 0) {
      report.skipped.push(label);
      continue;
    }
    onProgress(`seeding ${label}: ${set.describe}`);
    await database.db.transaction(async (tx) => {
      await set.run(tx as unknown as Db, context);
      await tx.insert(seedRuns).values({ name: set.name, version: set.version }).onConflictDoNothing();
    });
    report.applied.push(label);
  }
  return report;
}

export type InstallationFacts = { createdAt: string; demo: boolean };

/**
 * Decided once, on the first start of a database: whether it is a demo installation. Later starts
 * only add newer demo seed versions to a demo installation, never demo data to a real one.
 */
export async function installationFacts(database: Database, demoWanted: boolean): Promise<InstallationFacts> {
  const fresh: InstallationFacts = { createdAt: new Date().toISOString(), demo: demoWanted };
  await database.db.insert(settings).values({ key: "installation", value: fresh }).onConflictDoNothing();
  const rows = await database.db.select().from(settings).where(eq(settings.key, "installation"));
  return (rows[0]?.value as InstallationFacts | undefined) ?? fresh;
}
