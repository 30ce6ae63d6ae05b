import { defineConfig } from "vitest/config";

const sources = ["core", "cards", "bots", "adapters", "db", "test"].map((dir) => `${dir}/**/*.test.ts`);
const special = ["**/*.db.test.ts", "**/*.pg.test.ts", "**/*.browser.test.ts", "**/node_modules/**"];

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: sources,
          exclude: special,
          testTimeout: 10_000,
        },
      },
      {
        // Runs on PGlite, and on PostgreSQL when TEST_DATABASE_URL is set.
        test: {
          name: "db",
          include: ["**/*.db.test.ts"],
          exclude: ["**/node_modules/**"],
          globalSetup: ["test/helpers/db-global-setup.ts"],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          // One embedded database per worker, reused across files (a new PGlite takes ~5 s).
          isolate: false,
          maxWorkers: 2,
          sequence: { groupOrder: 1 },
        },
      },
      {
        // Concurrency tests: several connections at once, so PostgreSQL only.
        test: {
          name: "pg",
          include: ["**/*.pg.test.ts"],
          sequence: { groupOrder: 2 },
          exclude: ["**/node_modules/**"],
          globalSetup: ["test/helpers/db-global-setup.ts"],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        // End-to-end in a real browser: Debian's Chromium driven by playwright-core
        // (test/browser/browser.ts). `npm test` runs it once, on PGlite.
        test: {
          name: "browser",
          include: ["**/*.browser.test.ts"],
          exclude: ["**/node_modules/**"],
          sequence: { groupOrder: 3 },
          globalSetup: ["test/helpers/db-global-setup.ts"],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          maxWorkers: 1,
        },
      },
    ],
  },
});
