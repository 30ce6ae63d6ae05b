import { spawn } from "node:child_process";
import { mkdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { type Database, pgliteDirectory } from "./client.ts";

export type BackupResult = { file: string; bytes: number };

function stamp(now: Date): string {
  return now
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");
}

/** Backups are named `baton-<utc time>-<reason>.<ext>`; PGlite dumps are .tar.gz, pg_dump files .dump. */
export function backupFileName(kind: Database["kind"], reason: string, now: Date): string {
  const safeReason = reason.replace(/[^a-z0-9-]/gi, "-").slice(0, 40) || "manual";
  return `baton-${stamp(now)}-${safeReason}.${kind === "pglite" ? "tar.gz" : "dump"}`;
}

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on("error", (error: NodeJS.ErrnoException) =>
      reject(
        error.code === "ENOENT"
          ? new Error(
              `${command} was not found: install the PostgreSQL client tools (Debian: postgresql-client).`,
            )
          : error,
      ),
    );
    child.on("close", (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`${command} failed (exit ${code}): ${stderr.trim().slice(0, 500)}`)),
    );
  });
}

/** Writes one backup of the whole database into `backupDir`. */
export async function backupDatabase(
  database: Database,
  options: { backupDir: string; reason: string; url?: string; now?: Date },
): Promise<BackupResult> {
  await mkdir(options.backupDir, { recursive: true, mode: 0o700 });
  const file = path.join(
    options.backupDir,
    backupFileName(database.kind, options.reason, options.now ?? new Date()),
  );
  const partial = `${file}.partial`;
  if (database.kind === "pglite") {
    if (!database.pglite) throw new Error("no embedded engine to dump");
    const dump = await database.pglite.dumpDataDir("gzip");
    await writeFile(partial, Buffer.from(await dump.arrayBuffer()), { mode: 0o600 });
  } else {
    if (!options.url) throw new Error("a PostgreSQL backup needs the database URL");
    await run("pg_dump", ["--format=custom", "--no-owner", `--file=${partial}`, `--dbname=${options.url}`]);
  }
  await rename(partial, file);
  return { file, bytes: (await stat(file)).size };
}

/**
 * Replaces the embedded database with a backup. The current data is moved aside, not deleted,
 * and put back if the backup does not open.
 */
export async function restorePglite(
  dataDir: string,
  file: string,
  onProgress: (message: string) => void = () => {},
): Promise<{ previous: string | undefined }> {
  const archive = await readFile(file);
  const target = pgliteDirectory(dataDir);
  const previous = `${target}.before-restore-${stamp(new Date())}`;
  let moved = false;
  try {
    await rename(target, previous);
    moved = true;
    onProgress(`moved the current database aside to ${previous}`);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  try {
    onProgress(`loading ${file}`);
    const pg = await PGlite.create(target, { loadDataDir: new Blob([archive]) });
    await pg.query("select 1");
    await pg.close();
  } catch (error) {
    await rm(target, { recursive: true, force: true });
    if (moved) await rename(previous, target);
    throw new Error(
      `The backup ${file} could not be loaded; the database was left as it was. (${String(error)})`,
    );
  }
  return { previous: moved ? previous : undefined };
}

/** Restores a pg_dump backup into the PostgreSQL at `url`, replacing Baton's objects, in one transaction. */
export async function restorePostgres(url: string, file: string): Promise<void> {
  await stat(file);
  await run("pg_restore", [
    "--clean",
    "--if-exists",
    "--no-owner",
    "--single-transaction",
    `--dbname=${url}`,
    file,
  ]);
}
