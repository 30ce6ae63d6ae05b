import type { Logger } from "pino";
import { type BackupResult, backupDatabase } from "../../db/backup.ts";
import type { Database } from "../../db/client.ts";
import { type MigrationState, migrate, migrationState } from "../../db/migrate.ts";
import type { MasterKey } from "../../db/sealing.ts";
import { demoSeeds } from "../../db/seeds/demo.ts";
import { applySeeds, installationFacts, type SeedReport, type SeedSet } from "../../db/seeds/seed.ts";
import type { Config } from "./config.ts";

/** The maintenance work that the CLI runs directly, or through a running server's admin API. */
export type Operations = {
  backup(reason: string): Promise<BackupResult>;
  migrate(onProgress?: (message: string) => void): Promise<MigrationState>;
  migrationState(): Promise<MigrationState>;
  /** Applies demo seed sets not applied yet, when this installation is a demo one. */
  seed(onProgress?: (message: string) => void): Promise<SeedReport & { demo: boolean }>;
};

export class SeedRefusedError extends Error {}

export function createOperations(options: {
  config: Config;
  database: Database;
  logger: Logger;
  master: MasterKey;
  seeds?: readonly SeedSet[];
}): Operations {
  const { config, database, logger, master } = options;
  const seeds = options.seeds ?? demoSeeds;
  const backup = (reason: string) =>
    backupDatabase(database, {
      backupDir: config.BATON_BACKUP_DIR,
      reason,
      ...(config.database.kind === "postgres" ? { url: config.database.url } : {}),
    });
  return {
    backup,
    migrationState: () => migrationState(database),
    async migrate(onProgress) {
      return migrate(database, {
        backupFirst: async () => {
          const result = await backup("before-migration");
          logger.info({ file: result.file, bytes: result.bytes }, "backup written before migrating");
        },
        onProgress: (message) => {
          logger.info(message);
          onProgress?.(message);
        },
      });
    },
    async seed(onProgress) {
      if (config.database.kind === "postgres") {
        throw new SeedRefusedError("Demo data is never loaded into a real PostgreSQL (DATABASE_URL is set).");
      }
      const facts = await installationFacts(database, config.demo);
      if (!facts.demo || !config.demo) return { applied: [], skipped: [], demo: false };
      const report = await applySeeds(database, seeds, { master, now: new Date() }, onProgress);
      return { ...report, demo: true };
    },
  };
}
