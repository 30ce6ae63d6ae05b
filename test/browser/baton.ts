import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { serve } from "@hono/node-server";
import { createApp } from "../../adapters/http/app.ts";
import { loadConfig } from "../../adapters/http/config.ts";
import { createLogger } from "../../adapters/http/logger.ts";
import { openRuntime, type Runtime } from "../../adapters/http/runtime.ts";
import type { Clock } from "../../core/ports.ts";
import { freePort } from "../helpers/server-process.ts";

/**
 * A clock that runs at the speed of real time from a chosen start, and can be moved forward: the
 * flow happens on a working morning whatever the machine's date (messages to people wait for
 * working hours), and a month can pass between one step and the next.
 */
export type TravelClock = Clock & {
  /** Moves time forward by `ms` (it keeps running from there). */
  advance(ms: number): void;
  /** Moves time to `at` (never backwards). */
  travelTo(at: Date): void;
};

export function travelClock(start: Date): TravelClock {
  let offset = start.getTime() - Date.now();
  const now = () => new Date(Date.now() + offset);
  return {
    now,
    advance(ms) {
      offset += ms;
    },
    travelTo(at) {
      const delta = at.getTime() - now().getTime();
      if (delta < 0) throw new Error(`cannot go back in time to ${at.toISOString()}`);
      offset += delta;
    },
  };
}

export type LiveBaton = {
  /** http://127.0.0.1:<port>, also Baton's public URL (links point here). */
  url: string;
  adminToken: string;
  clock: TravelClock;
  runtime: Runtime;
  /** Every log line so far (JSON), for a failing test's message. */
  logs: string[];
  /** An admin API call: JSON in and out, with the admin token. */
  api<T = unknown>(method: string, target: string, body?: unknown): Promise<{ status: number; body: T }>;
  close(): Promise<void>;
};

type NodeBindings = { incoming?: { socket?: { remoteAddress?: string } } };

/**
 * The whole Baton server as `npm start` runs it — the embedded database in a fresh data folder,
 * fresh keys, the demo data, the dispatcher, inbox worker, chain writer and the minute cron — but
 * in this process, so its clock is the test's. Served by @hono/node-server on a free loopback port.
 */
export async function startBaton(options: {
  clock: TravelClock;
  env?: Record<string, string>;
}): Promise<LiveBaton> {
  const dir = await mkdtemp(path.join(tmpdir(), "baton-flow-"));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const adminToken = randomBytes(32).toString("base64url");
  const config = loadConfig({
    HOST: "127.0.0.1",
    PORT: String(port),
    BATON_PUBLIC_URL: url,
    BATON_DATA_DIR: path.join(dir, "data"),
    BATON_KEYS_DIR: path.join(dir, "keys"),
    BATON_BACKUP_DIR: path.join(dir, "backups"),
    BATON_ADMIN_TOKEN: adminToken,
    BATON_TIMEZONE: "Asia/Shanghai",
    ...options.env,
  });
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs.push(chunk.toString());
      done();
    },
  });
  const logger = createLogger("info", sink);
  const runtime = await openRuntime(config, {
    logger,
    holder: "server",
    clock: options.clock,
    remoteAddress: (env) => (env as NodeBindings | undefined)?.incoming?.socket?.remoteAddress,
  });
  const app = createApp(runtime.services);
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, port, hostname: "127.0.0.1" }, (_info: AddressInfo) => resolve(s));
  });
  try {
    await runtime.prepare();
  } catch (error) {
    server.close();
    await runtime.close();
    throw error;
  }
  return {
    url,
    adminToken,
    clock: options.clock,
    runtime,
    logs,
    async api<T>(method: string, target: string, body?: unknown) {
      const res = await fetch(`${url}${target}`, {
        method,
        headers: {
          authorization: `Bearer ${adminToken}`,
          "accept-language": "en",
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // not JSON: keep the text
      }
      return { status: res.status, body: parsed as T };
    },
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Keep-alive sockets of the browsers would hold `close` open.
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      });
      await runtime.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
