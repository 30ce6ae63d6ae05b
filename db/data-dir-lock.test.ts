import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { acquireDataDirLock, DataDirLockedError, lockPath, readLock } from "./data-dir-lock.ts";

const tempDir = () => mkdtempSync(path.join(tmpdir(), "baton-lock-"));

describe("data folder lock", () => {
  it("lets one holder in and refuses a second with a clear message", () => {
    const dir = tempDir();
    const lock = acquireDataDirLock(dir, "server");
    lock.update({ adminUrl: "http://127.0.0.1:9999", adminSecret: "s" });
    expect(statSync(lockPath(dir)).mode & 0o777).toBe(0o600);
    try {
      acquireDataDirLock(dir, "cli");
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(DataDirLockedError);
      expect(String(error)).toContain(`pid ${process.pid}`);
      expect(String(error)).toContain("Stop it first");
    }
    expect(readLock(dir)).toMatchObject({
      pid: process.pid,
      holder: "server",
      adminUrl: "http://127.0.0.1:9999",
    });
    lock.release();
    expect(readLock(dir)).toBeUndefined();
    acquireDataDirLock(dir, "cli").release();
  });

  it("takes over a lock left by a process that died", () => {
    const dir = tempDir();
    const dead = spawnSync(process.execPath, [
      "-e",
      "process.stdout.write(String(process.pid))",
    ]).stdout.toString();
    writeFileSync(lockPath(dir), JSON.stringify({ pid: Number(dead), holder: "server", startedAt: "x" }));
    expect(readLock(dir)).toBeUndefined();
    const lock = acquireDataDirLock(dir, "cli");
    expect(JSON.parse(readFileSync(lockPath(dir), "utf8")).pid).toBe(process.pid);
    lock.release();
  });

  it("does not remove a lock that another process took over", () => {
    const dir = tempDir();
    const lock = acquireDataDirLock(dir, "cli");
    writeFileSync(lockPath(dir), JSON.stringify({ pid: 1, holder: "server", startedAt: "x" }));
    lock.release();
    expect(JSON.parse(readFileSync(lockPath(dir), "utf8")).pid).toBe(1);
  });
});
