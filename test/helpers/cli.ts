import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, expect } from "vitest";
import { testKeyEnv } from "./app.ts";
import { createPostgresDatabase, onPostgres } from "./db.ts";

export { freePort } from "./server-process.ts";

// The `baton` command as users run it: a child process, with its own folders (and, on PostgreSQL runs,
// its own database).

const root = fileURLToPath(new URL("../..", import.meta.url));
const temps: string[] = [];

export type Env = Record<string, string>;
export type Result = { code: number | null; stdout: string; stderr: string };

/** Only what Node needs from the parent: nothing Baton reads leaks into a test. */
export function baseEnv(): Env {
  const env: Env = {};
  for (const name of ["PATH", "HOME", "TMPDIR", "LANG", "TZ"]) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return env;
}

/** Fresh data, keys and backup folders; on PostgreSQL runs a fresh database and keys too. */
export async function installation(): Promise<Env> {
  const dir = await mkdtemp(path.join(tmpdir(), "baton-cli-"));
  temps.push(dir);
  const env: Env = {
    BATON_DATA_DIR: path.join(dir, "data"),
    BATON_KEYS_DIR: path.join(dir, "keys"),
    BATON_BACKUP_DIR: path.join(dir, "backups"),
  };
  if (onPostgres) Object.assign(env, { DATABASE_URL: await createPostgresDatabase() }, testKeyEnv());
  return env;
}

export function start(script: string, args: readonly string[], env: Env): ChildProcess {
  return spawn(process.execPath, [script, ...args], {
    cwd: root,
    env: { ...baseEnv(), ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
}

export function finished(child: ChildProcess, timeoutMs = 50_000): Promise<Result> {
  return new Promise((resolve, reject) => {
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export function baton(args: readonly string[], env: Env): Promise<Result> {
  return finished(start("bin/baton.mjs", args, env));
}

export function json<T>(result: Result): T {
  expect(result.stderr).not.toMatch(/^\s+at /m);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as T;
}

afterAll(async () => {
  for (const dir of temps) await rm(dir, { recursive: true, force: true });
});
