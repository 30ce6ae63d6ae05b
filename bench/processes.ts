/**
 * What the HTTP benchmarks (slack-clicks.ts, lark-callbacks.ts) share to run their servers in child
 * processes: forking a script as `--serve <role>`, the IPC between parent and child, a loopback
 * listener, Baton's whole app on a scratch database, and a script's entry point.
 */
import { type ChildProcess, fork } from "node:child_process";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import type http from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";

export type Json = Record<string, unknown>;

type Ipc = { id?: number; cmd?: string; [key: string]: unknown };

/** Answers the parent's `{id, cmd}` messages with `{id, result}`; `cpu` answers the process's CPU time (µs). */
export function serveIpc(handlers: Record<string, (message: Ipc) => Promise<unknown> | unknown>): void {
  const all: typeof handlers = {
    cpu: () => {
      const used = process.cpuUsage();
      return used.user + used.system;
    },
    ...handlers,
  };
  process.on("message", async (message: Ipc) => {
    const handler = message.cmd ? all[message.cmd] : undefined;
    if (!handler) return;
    try {
      process.send?.({ id: message.id, result: await handler(message) });
    } catch (error) {
      process.send?.({ id: message.id, error: (error as Error).message });
    }
  });
  process.on("disconnect", () => process.exit(0));
}

/** Serves `fetch` on a free loopback port (keep-alive connections held 60 s); resolves to the port. */
export async function listen(
  fetch: (request: globalThis.Request) => Response | Promise<Response>,
): Promise<number> {
  const { serve } = await import("@hono/node-server");
  return new Promise((resolve) => {
    const server = serve({ fetch, port: 0, hostname: "127.0.0.1" }, (info) => resolve(info.port));
    (server as http.Server).keepAliveTimeout = 60_000;
  });
}

export type Child = {
  port: number;
  process: ChildProcess;
  call(cmd: string, fields?: Json): Promise<unknown>;
  stop(): Promise<void>;
};

/**
 * Forks `file --serve role` (with a CPU profile in `profileDir` when given); it sends `{ready, port}`,
 * answers `{id, cmd}` with `{id, result}` or `{id, error}` (serveIpc) and exits when disconnected.
 */
export function startChild(
  file: string,
  role: string,
  env: Record<string, string>,
  profileDir?: string,
): Promise<Child> {
  const proc = fork(file, ["--serve", role], {
    execArgv: ["--import", "tsx", ...(profileDir ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] : [])],
    env: { ...process.env, ...env },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  let nextId = 0;
  const waiting = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  return new Promise((resolve, reject) => {
    proc.once("exit", (code) => reject(new Error(`${role} exited with ${code} before it was ready`)));
    proc.on("message", (message: Ipc) => {
      if (message.ready) {
        resolve({
          port: Number(message.port),
          process: proc,
          call(cmd, fields = {}) {
            const id = ++nextId;
            return new Promise((res, rej) => {
              waiting.set(id, { resolve: res, reject: rej });
              proc.send({ id, cmd, ...fields });
            });
          },
          stop() {
            return new Promise((res) => {
              if (proc.exitCode !== null) return res();
              const timer = setTimeout(() => proc.kill("SIGKILL"), 5000);
              proc.once("exit", () => {
                clearTimeout(timer);
                res();
              });
              proc.disconnect();
            });
          },
        });
        return;
      }
      const entry = message.id === undefined ? undefined : waiting.get(message.id);
      if (!entry || message.id === undefined) return;
      waiting.delete(message.id);
      if (message.error) entry.reject(new Error(String(message.error)));
      else entry.resolve(message.result);
    });
  });
}

/**
 * Baton's whole app (`openRuntime` + `createApp`, workers started) on `databaseUrl`, with fresh keys
 * and directories under a temporary `tmpPrefix…` folder, logging at `warn`; `platforms` adds the chat platforms' settings.
 */
export async function openBaton(
  databaseUrl: string,
  tmpPrefix: string,
  adminToken: string,
  platforms: Record<string, string>,
) {
  const { loadConfig } = await import("../adapters/http/config.ts");
  const { createLogger } = await import("../adapters/http/logger.ts");
  const { openRuntime } = await import("../adapters/http/runtime.ts");
  const { createApp } = await import("../adapters/http/app.ts");
  const dir = mkdtempSync(path.join(tmpdir(), tmpPrefix));
  const config = loadConfig({
    DATABASE_URL: databaseUrl,
    HOST: "127.0.0.1",
    BATON_DATA_DIR: path.join(dir, "data"),
    BATON_KEYS_DIR: path.join(dir, "keys"),
    BATON_BACKUP_DIR: path.join(dir, "backups"),
    BATON_SIGNING_KEY: generateKeyPairSync("ed25519")
      .privateKey.export({ type: "pkcs8", format: "pem" })
      .toString(),
    BATON_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
    BATON_ADMIN_TOKEN: adminToken,
    BATON_DEMO: "0",
    BATON_LOG_LEVEL: "warn",
    ...platforms,
  });
  const logger = createLogger(config.BATON_LOG_LEVEL);
  const runtime = await openRuntime(config, {
    logger,
    holder: "server",
    remoteAddress: (env) =>
      (env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming?.socket
        ?.remoteAddress,
  });
  await runtime.prepare();
  return { runtime, app: createApp(runtime.services) };
}

/** Closes `close` (a server's pool or runtime) and exits when the parent lets go of this child. */
export function closeOnDisconnect(close: () => Promise<unknown>): void {
  process.on("disconnect", () => {
    void close().finally(() => process.exit(0));
  });
}

/**
 * The knobs every HTTP benchmark reads, from `<prefix>_CLICKS` (a run; `clicks` when unset or empty),
 * `_RUNS` (3), `_CONNECTIONS` (50), `_LEAVERS` (100), `_POOL` (10), BENCH_DATABASE_URL and BENCH_TRACE.
 */
export function loadOptionsFromEnv(env: NodeJS.ProcessEnv, prefix: string, clicks: number) {
  return {
    clicks: Number(env[`${prefix}_CLICKS`] || clicks),
    runs: Number(env[`${prefix}_RUNS`] ?? 3),
    connections: Number(env[`${prefix}_CONNECTIONS`] ?? 50),
    leavers: Number(env[`${prefix}_LEAVERS`] ?? 100),
    pool: Number(env[`${prefix}_POOL`] ?? 10),
    serverUrl: env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test",
    trace: env.BENCH_TRACE === "1",
  };
}

/** The targets named in a comma list (`BENCH_…_TARGETS`), only those `names` knows. */
export function targetsOf<T extends string>(list: string, names: Record<T, string>): T[] {
  return list
    .split(",")
    .map((t) => t.trim())
    .filter((t): t is T => t in names);
}

/**
 * A benchmark script's entry point: run as `--serve <role>` it is that child server (`child`);
 * run directly, `main`; imported, nothing.
 */
export async function runScript(
  moduleUrl: string,
  child: (role: string) => Promise<void>,
  main: () => Promise<void>,
): Promise<void> {
  if (!process.argv[1] || moduleUrl !== pathToFileURL(process.argv[1]).href) return;
  const role = process.argv[2] === "--serve" ? process.argv[3] : undefined;
  if (role) await child(role);
  else await main();
}
