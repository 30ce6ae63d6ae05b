import { open, readdir, stat } from "node:fs/promises";
import path from "node:path";
import { AppError } from "../../core/errors.ts";
import { type BackupResult, restorePglite, restorePostgres } from "../../db/backup.ts";
import { pgliteDirectory } from "../../db/client.ts";
import { acquireDataDirLock, DataDirLockedError } from "../../db/data-dir-lock.ts";
import { apiKeyRepository } from "../../db/repositories/api-keys.ts";
import { type CreatedApiKey, createApiKey } from "../http/api-keys.ts";
import { type Config, ConfigError, loadConfig, surfaceStatus } from "../http/config.ts";
import { KeyError } from "../http/keys.ts";
import { SeedRefusedError } from "../http/operations.ts";
import type { ApiKeyView, SeedView, StatusView } from "./admin-client.ts";
import { exportEvidenceCommand, verifyBundleCommand } from "./agreement-commands.ts";
import { CliError, type Command, helpText, parseCommandLine, UsageError } from "./args.ts";
import { keysRotateCommand, verifyCommand } from "./audit-commands.ts";
import { calendarCommand } from "./calendar-commands.ts";
import { caseCommand } from "./case-commands.ts";
import { certificateCommand } from "./certificate-commands.ts";
import {
  type CliIo,
  chooseTarget,
  cliPrincipal,
  direct,
  Progress,
  printJson,
  serverText,
  type Target,
  table,
} from "./context.ts";
import { importEmployeesCommand, loginLinkCommand } from "./directory-commands.ts";
import { lintCommand } from "./lint-commands.ts";
import { notificationsCommand } from "./notifications-commands.ts";
import { importCourseCommand } from "./training-commands.ts";

function pendingText(pending: readonly string[]): string {
  return pending.length === 0 ? "none pending" : `${pending.length} pending (${pending.join(", ")})`;
}

async function status(command: { json: boolean }, config: Config, target: Target, io: CliIo): Promise<void> {
  const view: StatusView =
    target.kind === "server"
      ? await target.client.status()
      : await direct(config, undefined, { migrate: false }, async (services) => {
          const state = await services.operations.migrationState();
          return {
            database: services.database.kind,
            migrations: { applied: state.applied, pending: state.pending.map((p) => p.tag) },
            demo: config.demo,
            surfaces: surfaceStatus(config),
          };
        });
  const via =
    target.kind === "server" ? { mode: "server", server: target.client.server } : { mode: "direct" };
  if (command.json) {
    printJson(io, { ...via, ...view });
    return;
  }
  const lines = [
    `Database:    ${
      config.database.kind === "pglite"
        ? `embedded (PGlite) in ${config.database.dataDir}`
        : "PostgreSQL (DATABASE_URL)"
    }`,
    `Access:      ${target.kind === "server" ? `through ${serverText(target.lock)}` : "direct"}`,
    `Migrations:  ${view.migrations.applied} applied, ${pendingText(view.migrations.pending)}${
      view.migrations.pending.length > 0 && target.kind === "direct" ? " — run baton migrate" : ""
    }`,
    `Demo:        ${view.demo ? "yes" : "no"}`,
    "Surfaces:",
    ...view.surfaces.map(
      (s) =>
        `  ${s.surface.padEnd(18)} ${s.enabled ? "on" : `off  (set ${s.missing.join(", ")} to turn it on)`}`,
    ),
  ];
  io.stdout(`${lines.join("\n")}\n`);
}

async function migrateCommand(
  command: { json: boolean },
  config: Config,
  target: Target,
  io: CliIo,
): Promise<void> {
  if (target.kind === "server") {
    const view = await target.client.status();
    if (command.json) {
      printJson(io, { mode: "server", server: target.client.server, migrations: view.migrations });
      return;
    }
    const state = `${view.migrations.applied} applied, ${pendingText(view.migrations.pending)}`;
    io.stdout(
      view.migrations.pending.length === 0
        ? `Nothing to do: ${serverText(target.lock)} holds the database and applied the migrations when it started (${state}).\n`
        : `${serverText(target.lock)} holds the database and is applying the migrations now (${state}); watch its log.\n`,
    );
    return;
  }
  const progress = new Progress(3, io);
  const result = await direct(config, progress, { migrate: false }, async (services) => {
    progress.step("reading the migration state");
    const before = await services.operations.migrationState();
    progress.step(
      before.pending.length === 0
        ? "no migration to apply"
        : `migrating (${before.pending.map((p) => p.tag).join(", ")})`,
    );
    const after = await services.operations.migrate(progress.detail);
    return {
      appliedNow: after.applied - before.applied,
      applied: after.applied,
      pending: after.pending.map((p) => p.tag),
    };
  });
  if (command.json) {
    printJson(io, { mode: "direct", ...result });
    return;
  }
  io.stdout(
    result.appliedNow > 0
      ? `Applied ${result.appliedNow} migration(s); ${result.applied} applied in total, ${pendingText(result.pending)}.\n`
      : `The database is up to date: ${result.applied} migration(s) applied, ${pendingText(result.pending)}.\n`,
  );
}

function notDemoExplanation(config: Config): string {
  const base = "This installation is not a demo one, so no demo data was loaded";
  if (config.BATON_DEMO === false) return `${base}: BATON_DEMO is 0.`;
  if (!config.listensOnLoopback) return `${base}: HOST (${config.HOST}) is not a loopback address.`;
  return `${base}: the database was first started as a real (non-demo) installation, and demo data is never added to one.`;
}

async function seedCommand(
  command: { json: boolean },
  config: Config,
  target: Target,
  io: CliIo,
): Promise<void> {
  let view: SeedView;
  if (target.kind === "server") {
    const progress = new Progress(1, io);
    progress.step(`asking ${serverText(target.lock)} to load the demo data`);
    view = await target.client.seed();
  } else {
    const embedded = config.database.kind === "pglite";
    const progress = new Progress(embedded ? 3 : 2, io);
    view = await direct(config, progress, { migrate: embedded }, async (services) => {
      progress.step("loading the demo data");
      return services.operations.seed(progress.detail);
    });
  }
  if (!view.demo) throw new CliError(notDemoExplanation(config));
  if (command.json) {
    printJson(io, view);
    return;
  }
  io.stdout(
    view.applied.length > 0
      ? `Loaded demo data: ${view.applied.join(", ")}${view.skipped.length ? ` (already there: ${view.skipped.join(", ")})` : ""}.\n`
      : `The demo data is already loaded${view.skipped.length ? ` (${view.skipped.join(", ")})` : ""}.\n`,
  );
}

function toView(row: Awaited<ReturnType<ReturnType<typeof apiKeyRepository>["list"]>>[number]): ApiKeyView {
  return {
    id: row.id,
    name: row.name,
    principal: row.principal,
    scopes: row.scopes,
    createdBy: row.createdBy,
    createdAt: row.createdAt.toISOString(),
    lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
    revokedAt: row.revokedAt?.toISOString() ?? null,
  };
}

async function apiKeyCreate(
  command: Extract<Command, { name: "api-key create" }>,
  config: Config,
  target: Target,
  io: CliIo,
): Promise<void> {
  const created: CreatedApiKey =
    target.kind === "server"
      ? await target.client.createApiKey(command.input)
      : await direct(config, new Progress(0, io), { migrate: true }, (services) =>
          createApiKey(services.database.db, command.input, cliPrincipal, services.clock.now()),
        );
  const note = "This is the only time the key is shown: store it now, it cannot be shown again.";
  if (command.json) {
    printJson(io, created);
    io.stderr(`${note}\n`);
    return;
  }
  io.stdout(
    [
      `Created API key ${created.id} "${created.name}" for ${created.principal} (scopes: ${created.scopes.join(", ")}).`,
      "",
      `  ${created.key}`,
      "",
      note,
      "",
    ].join("\n"),
  );
}

async function apiKeyList(
  command: { json: boolean },
  config: Config,
  target: Target,
  io: CliIo,
): Promise<void> {
  const keys =
    target.kind === "server"
      ? await target.client.listApiKeys()
      : await direct(config, new Progress(0, io), { migrate: true }, async (services) =>
          (await apiKeyRepository(services.database.db).list()).map(toView),
        );
  if (command.json) {
    printJson(io, { apiKeys: keys });
    return;
  }
  if (keys.length === 0) {
    io.stdout("No API keys.\n");
    return;
  }
  const day = (iso: string | null) => (iso ? iso.slice(0, 16).replace("T", " ") : "-");
  const rows = [
    ["ID", "NAME", "PRINCIPAL", "SCOPES", "CREATED", "LAST USED", "STATUS"],
    ...keys.map((k) => [
      k.id,
      k.name,
      k.principal,
      k.scopes.join(","),
      day(k.createdAt),
      day(k.lastUsedAt),
      k.revokedAt ? `revoked ${day(k.revokedAt)}` : "active",
    ]),
  ];
  io.stdout(`${table(rows)}\n`);
}

async function apiKeyRevoke(
  command: Extract<Command, { name: "api-key revoke" }>,
  config: Config,
  target: Target,
  io: CliIo,
): Promise<void> {
  const revoked =
    target.kind === "server"
      ? await target.client.revokeApiKey(command.id)
      : await direct(config, new Progress(0, io), { migrate: true }, (services) =>
          apiKeyRepository(services.database.db).revoke(command.id, services.clock.now()),
        );
  if (!revoked) throw new CliError(`No live API key has the id "${command.id}" (see baton api-key list).`);
  if (command.json) printJson(io, { id: command.id, revoked: true });
  else io.stdout(`Revoked API key ${command.id}.\n`);
}

async function backupCommand(
  command: { json: boolean },
  config: Config,
  target: Target,
  io: CliIo,
): Promise<void> {
  let result: BackupResult;
  if (target.kind === "server") {
    const progress = new Progress(1, io);
    progress.step(`asking ${serverText(target.lock)} to write the backup`);
    result = await target.client.backup();
  } else {
    const progress = new Progress(3, io);
    result = await direct(config, progress, { migrate: true }, (services) => {
      progress.step(`writing the backup into ${config.BATON_BACKUP_DIR}`);
      return services.operations.backup("manual");
    });
  }
  if (command.json) {
    printJson(io, result);
    return;
  }
  io.stdout(
    `Backup written: ${result.file} (${result.bytes} bytes).\nKeys are not in it: keep BATON_KEYS_DIR (or your key variables) safe separately.\n`,
  );
}

/** What a backup file holds, from its first bytes: a gzip'd PGlite data folder, or a pg_dump custom archive. */
async function backupKind(file: string): Promise<"pglite" | "postgres" | "unknown"> {
  const handle = await open(file, "r");
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(5), 0, 5, 0);
    const head = buffer.subarray(0, bytesRead);
    if (head[0] === 0x1f && head[1] === 0x8b) return "pglite";
    if (head.toString("latin1") === "PGDMP") return "postgres";
    return "unknown";
  } finally {
    await handle.close();
  }
}

async function isEmptyFolder(dir: string): Promise<boolean> {
  try {
    return (await readdir(dir)).length === 0;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return true;
    throw error;
  }
}

async function restoreCommand(
  command: Extract<Command, { name: "restore" }>,
  config: Config,
  target: Target,
  io: CliIo,
): Promise<void> {
  if (target.kind === "server") {
    throw new CliError(
      `${serverText(target.lock)} is using the embedded database in ${config.BATON_DATA_DIR}: stop the server first, then run baton restore again.`,
    );
  }
  const file = path.resolve(command.file);
  const database = config.database;
  const progress = new Progress(database.kind === "pglite" ? 3 : 2, io);
  progress.step(`checking ${file}`);
  try {
    const info = await stat(file);
    if (!info.isFile())
      throw new CliError(`${file} is not a file; give the path of a backup made by baton backup.`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") throw new CliError(`No backup file at ${file}.`);
    throw error;
  }
  const kind = await backupKind(file);
  if (kind === "unknown") {
    throw new CliError(
      `${file} is not a Baton backup (neither an embedded-database .tar.gz nor a pg_dump file).`,
    );
  }
  if (kind !== database.kind) {
    throw new CliError(
      kind === "postgres"
        ? `${file} is a PostgreSQL backup (pg_dump); restore it with DATABASE_URL set.`
        : `${file} is an embedded-database backup; restore it without DATABASE_URL (into BATON_DATA_DIR).`,
    );
  }

  if (database.kind === "postgres") {
    if (!command.yes) {
      throw new CliError(
        "Restoring replaces Baton's tables in the PostgreSQL database (DATABASE_URL). Stop every Baton server that uses it first, then run again with --yes.",
      );
    }
    io.stderr("warning: every Baton server that uses this database must be stopped while it is restored.\n");
    progress.step("restoring with pg_restore (one transaction)");
    await restorePostgres(database.url, file);
    if (command.json) printJson(io, { file, database: "postgres" });
    else io.stdout(`Restored ${file} into the PostgreSQL database. Start the servers again.\n`);
    return;
  }

  const store = pgliteDirectory(database.dataDir);
  if (!command.yes && !(await isEmptyFolder(store))) {
    throw new CliError(
      `Restoring replaces the embedded database in ${database.dataDir} (the current one is moved aside, not deleted). Run again with --yes to go ahead.`,
    );
  }
  progress.step(`taking the data folder ${database.dataDir}`);
  const lock = acquireDataDirLock(database.dataDir, "cli");
  // Stopping half-way would leave the database moved aside: Ctrl-C waits for the restore to end.
  const hold = () => io.stderr("      the restore is replacing the database; wait for it to finish\n");
  process.on("SIGINT", hold);
  let previous: string | undefined;
  try {
    progress.step("restoring the embedded database");
    ({ previous } = await restorePglite(database.dataDir, file, progress.detail));
  } finally {
    process.off("SIGINT", hold);
    lock.release();
  }
  if (command.json) {
    printJson(io, { file, database: "pglite", dataDir: database.dataDir, previous: previous ?? null });
    return;
  }
  io.stdout(
    `Restored ${file} into ${database.dataDir}.${previous ? `\nThe previous database was moved to ${previous}; delete it once you are satisfied.` : ""}\nThe keys in BATON_KEYS_DIR must be those in use when the backup was made.\n`,
  );
}

/** Commands that read only a file: no database, no configuration needed. */
function offlineCommand(command: OfflineCommand, io: CliIo): Promise<void> {
  return command.name === "lint" ? lintCommand(command, io) : verifyBundleCommand(command, io);
}

type OfflineCommand = Extract<Command, { name: "verify bundle" | "lint" }>;

function isOffline(command: Command): command is OfflineCommand {
  return command.name === "verify bundle" || command.name === "lint";
}

async function execute(
  command: Exclude<Command, { name: "help" | "verify bundle" | "lint" }>,
  config: Config,
  io: CliIo,
): Promise<void> {
  const target = chooseTarget(config);
  switch (command.name) {
    case "status":
      return status(command, config, target, io);
    case "migrate":
      return migrateCommand(command, config, target, io);
    case "seed":
      return seedCommand(command, config, target, io);
    case "api-key create":
      return apiKeyCreate(command, config, target, io);
    case "api-key list":
      return apiKeyList(command, config, target, io);
    case "api-key revoke":
      return apiKeyRevoke(command, config, target, io);
    case "backup":
      return backupCommand(command, config, target, io);
    case "restore":
      return restoreCommand(command, config, target, io);
    case "import employees":
      return importEmployeesCommand(command, config, target, io);
    case "login-link":
      return loginLinkCommand(command, config, target, io);
    case "calendar set":
    case "calendar unset":
    case "calendar status":
    case "calendar confirm":
      return calendarCommand(command, config, target, io);
    case "verify":
      return verifyCommand(command, config, target, io);
    case "keys rotate":
      return keysRotateCommand(command, config, target, io);
    case "cases":
    case "case":
      return caseCommand(command, config, target, io);
    case "certificate show":
    case "certificate issue":
    case "certificate revoke":
    case "certificate pdf":
      return certificateCommand(command, config, target, io);
    case "export evidence":
      return exportEvidenceCommand(command, config, target, io);
    case "import course":
      return importCourseCommand(command, config, target, io);
    case "channels list":
    case "channels bind":
    case "channels unbind":
    case "outbox dead":
    case "outbox retry":
    case "tick":
      return notificationsCommand(command, config, target, io);
  }
}

/** Failures the CLI expects: their message is the whole story, no stack trace. */
function isExpected(error: unknown): error is Error {
  return (
    error instanceof CliError ||
    error instanceof DataDirLockedError ||
    error instanceof SeedRefusedError ||
    error instanceof KeyError ||
    error instanceof AppError
  );
}

/** Runs one `baton` invocation and returns its exit code: 0 done, 1 failed, 2 wrong usage. */
export async function runCli(
  argv: readonly string[],
  env: Record<string, string | undefined>,
  io: CliIo,
): Promise<number> {
  let command: Command;
  try {
    command = parseCommandLine(argv);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`baton${error.command ? ` ${error.command}` : ""}: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  if (command.name === "help") {
    io.stdout(`${helpText(command.topic)}\n`);
    return 0;
  }
  let config: Config | undefined;
  if (!isOffline(command)) {
    try {
      config = loadConfig(env);
    } catch (error) {
      if (error instanceof ConfigError) {
        io.stderr(`${error.message}\n`);
        return 1;
      }
      throw error;
    }
  }
  try {
    if (isOffline(command)) await offlineCommand(command, io);
    else await execute(command, config as Config, io);
    return 0;
  } catch (error) {
    if (isExpected(error)) {
      io.stderr(`baton ${command.name}: ${error.message}\n`);
    } else {
      const message = error instanceof Error ? error.message : String(error);
      io.stderr(`baton ${command.name} failed: ${message}\n`);
      if (
        ["debug", "trace"].includes(config?.BATON_LOG_LEVEL ?? "") &&
        error instanceof Error &&
        error.stack
      ) {
        io.stderr(`${error.stack}\n`);
      }
    }
    return 1;
  }
}
