import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from "node:fs";
import path from "node:path";

/** What a lock holder writes into `BATON_DATA_DIR/baton.lock` (mode 0600). */
export type LockInfo = {
  pid: number;
  holder: "server" | "cli";
  startedAt: string;
  /** For a server: where its admin API listens, and the per-run secret that the CLI uses there. */
  adminUrl?: string;
  adminSecret?: string;
};

export class DataDirLockedError extends Error {
  readonly holder: LockInfo;
  constructor(dataDir: string, holder: LockInfo) {
    super(
      holder.holder === "server"
        ? `The embedded database in ${dataDir} is in use by a running Baton server (pid ${holder.pid}${
            holder.adminUrl ? `, ${holder.adminUrl}` : ""
          }). Stop it first, or run the command while it runs: the CLI goes through its admin API where it can.`
        : `The embedded database in ${dataDir} is in use by another baton command (pid ${holder.pid}). Wait for it to finish.`,
    );
    this.name = "DataDirLockedError";
    this.holder = holder;
  }
}

export function lockPath(dataDir: string): string {
  return path.join(dataDir, "baton.lock");
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The current holder of the lock, if a live process holds it. */
export function readLock(dataDir: string): LockInfo | undefined {
  try {
    const info = JSON.parse(readFileSync(lockPath(dataDir), "utf8")) as LockInfo;
    return typeof info.pid === "number" && isAlive(info.pid) ? info : undefined;
  } catch {
    return undefined;
  }
}

export type DataDirLock = {
  /** Rewrites the lock with more about the holder (a server's admin URL once it listens). */
  update(extra: Partial<LockInfo>): void;
  release(): void;
};

/**
 * Takes the data folder for this process: one process owns an embedded database. A lock left by
 * a process that died is taken over; a live holder raises DataDirLockedError.
 */
export function acquireDataDirLock(dataDir: string, holder: LockInfo["holder"]): DataDirLock {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = lockPath(dataDir);
  let info: LockInfo = { pid: process.pid, holder, startedAt: new Date().toISOString() };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(file, "wx", 0o600);
      writeSync(fd, JSON.stringify(info));
      closeSync(fd);
      let released = false;
      return {
        update(extra) {
          info = { ...info, ...extra };
          const fd2 = openSync(file, "w", 0o600);
          writeSync(fd2, JSON.stringify(info));
          closeSync(fd2);
        },
        release() {
          if (released) return;
          released = true;
          try {
            const current = JSON.parse(readFileSync(file, "utf8")) as LockInfo;
            if (current.pid === process.pid) unlinkSync(file);
          } catch {
            // already gone
          }
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const current = readLock(dataDir);
      if (current) throw new DataDirLockedError(dataDir, current);
      try {
        unlinkSync(file); // left by a process that is gone
      } catch {
        // another process removed it first; try again
      }
    }
  }
  throw new Error(`Could not take the lock ${file}; another process keeps replacing it.`);
}
