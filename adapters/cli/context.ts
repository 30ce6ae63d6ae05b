import pino, { type Logger } from "pino";
import { DataDirLockedError, type LockInfo, readLock } from "../../db/data-dir-lock.ts";
import type { Config } from "../http/config.ts";
import { createLogger } from "../http/logger.ts";
import { openRuntime } from "../http/runtime.ts";
import type { Services } from "../http/services.ts";
import { type AdminClient, adminClient } from "./admin-client.ts";

/** Where the CLI writes: results to `stdout`, progress and errors to `stderr`. */
export type CliIo = { stdout(text: string): void; stderr(text: string): void };

export type Target = { kind: "direct" } | { kind: "server"; lock: LockInfo; client: AdminClient };

/** Numbered progress lines on stderr, as the work happens (with `total` 0, only the details). */
export class Progress {
  private done = 0;
  constructor(
    private readonly total: number,
    private readonly io: CliIo,
  ) {}
  step(message: string): void {
    if (this.total === 0) return;
    this.done += 1;
    this.io.stderr(`[${this.done}/${this.total}] ${message}\n`);
  }
  detail = (message: string): void => {
    this.io.stderr(`      ${message}\n`);
  };
}

/** The principal recorded as creator of what the CLI makes directly (a server records the same). */
export const cliPrincipal = "system:cli";

export function databaseLabel(config: Config): string {
  return config.database.kind === "pglite"
    ? `the embedded database in ${config.database.dataDir}`
    : "the PostgreSQL database (DATABASE_URL)";
}

/** Embedded database held by a live process: go through its server, or refuse when another command holds it. */
export function chooseTarget(config: Config): Target {
  if (config.database.kind !== "pglite") return { kind: "direct" };
  const lock = readLock(config.database.dataDir);
  if (lock?.holder === "cli") throw new DataDirLockedError(config.database.dataDir, lock);
  if (lock?.holder === "server") return { kind: "server", lock, client: adminClient(lock) };
  return { kind: "direct" };
}

function cliLogger(): Logger {
  return createLogger("warn", pino.destination(2));
}

/** Opens the database for this process (taking the data-folder lock), runs `fn`, and always closes it. */
export async function direct<T>(
  config: Config,
  progress: Progress | undefined,
  options: { migrate: boolean },
  fn: (services: Services) => Promise<T>,
): Promise<T> {
  progress?.step(`opening ${databaseLabel(config)}`);
  const runtime = await openRuntime(config, { holder: "cli", logger: cliLogger() });
  try {
    if (options.migrate) {
      progress?.step("checking migrations");
      await runtime.services.operations.migrate(progress?.detail);
    }
    return await fn(runtime.services);
  } finally {
    try {
      await runtime.close();
    } catch {
      runtime.lock?.release();
    }
  }
}

export function printJson(io: CliIo, value: unknown): void {
  io.stdout(`${JSON.stringify(value, null, 2)}\n`);
}

export function serverText(lock: LockInfo): string {
  return `the running Baton server at ${lock.adminUrl} (pid ${lock.pid})`;
}

export function table(rows: readonly string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length))) ?? [];
  return rows
    .map((r) =>
      r
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}
