import { generateKeyPairSync, randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import type { Hono } from "hono";
import { createApp } from "../../adapters/http/app.ts";
import { type Config, loadConfig } from "../../adapters/http/config.ts";
import { loadKeys } from "../../adapters/http/keys.ts";
import type { LinkAction } from "../../adapters/http/links/actions.ts";
import { createLogger } from "../../adapters/http/logger.ts";
import { assembleServices } from "../../adapters/http/runtime.ts";
import type { AppEnv, Services } from "../../adapters/http/services.ts";
import type { Clock } from "../../core/ports.ts";
import type { Database } from "../../db/client.ts";

/** Fresh keys for a test run, in the form the environment carries them. */
export function testKeyEnv(): { BATON_SIGNING_KEY: string; BATON_ENCRYPTION_KEY: string } {
  return {
    BATON_SIGNING_KEY: generateKeyPairSync("ed25519")
      .privateKey.export({ type: "pkcs8", format: "pem" })
      .toString(),
    BATON_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
  };
}

/** A clock the test moves by hand. */
export function manualClock(start = new Date("2026-03-02T02:00:00Z")): Clock & { advance(ms: number): void } {
  let now = start.getTime();
  return {
    now: () => new Date(now),
    advance: (ms) => {
      now += ms;
    },
  };
}

export type TestApp = {
  app: Hono<AppEnv>;
  services: Services;
  config: Config;
  /** Every log line written while the app ran, as raw JSON text. */
  logs: string[];
  request(path: string, init?: RequestInit & { remote?: string }): Promise<Response>;
};

/** The whole HTTP app over a test database, with temp folders, own keys and captured logs. */
export async function createTestApp(
  database: Database,
  options: { env?: Record<string, string>; clock?: Clock; linkActions?: readonly LinkAction[] } = {},
): Promise<TestApp> {
  const dir = mkdtempSync(path.join(tmpdir(), "baton-test-"));
  const config = loadConfig({
    BATON_DATA_DIR: path.join(dir, "data"),
    BATON_KEYS_DIR: path.join(dir, "keys"),
    BATON_BACKUP_DIR: path.join(dir, "backups"),
    BATON_PUBLIC_URL: "http://127.0.0.1:8787",
    ...testKeyEnv(),
    ...options.env,
  });
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs.push(chunk.toString());
      done();
    },
  });
  const logger = createLogger("debug", sink);
  const clock = options.clock ?? { now: () => new Date() };
  const keys = await loadKeys(config);
  // Not started: tests run the chain writer with `runOnce()`.
  const services = assembleServices({
    config,
    database,
    keys,
    logger,
    clock,
    readiness: { migrations: "current" },
    ...(options.linkActions ? { linkActions: options.linkActions } : {}),
    cliSecret: randomBytes(32).toString("base64url"),
    remoteAddress: (env) => (env as { remote?: string } | undefined)?.remote,
  });
  const app = createApp(services);
  return {
    app,
    services,
    config,
    logs,
    request: (target, init = {}) => {
      const { remote = "127.0.0.1", ...rest } = init;
      return Promise.resolve(app.request(target, rest, { remote }));
    },
  };
}
