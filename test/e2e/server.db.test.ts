import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lockPath } from "../../db/data-dir-lock.ts";
import { testKeyEnv } from "../helpers/app.ts";
import { createPostgresDatabase, onPostgres } from "../helpers/db.ts";
import { type ServerProcess, startServer } from "../helpers/server-process.ts";

const adminToken = randomBytes(32).toString("base64url");
const dir = mkdtempSync(path.join(tmpdir(), "baton-e2e-"));
const dataDir = path.join(dir, "data");
const keysDir = path.join(dir, "keys");
let server: ServerProcess;
let keyEnv: Record<string, string> = {};

beforeAll(async () => {
  const env: Record<string, string> = {
    BATON_DATA_DIR: dataDir,
    BATON_KEYS_DIR: keysDir,
    BATON_BACKUP_DIR: path.join(dir, "backups"),
    BATON_ADMIN_TOKEN: adminToken,
  };
  if (onPostgres) {
    keyEnv = testKeyEnv();
    Object.assign(env, keyEnv, { DATABASE_URL: await createPostgresDatabase() });
  }
  server = await startServer(env);
}, 120_000);

afterAll(async () => {
  await server?.stop();
});

const admin = { authorization: `Bearer ${adminToken}`, "content-type": "application/json" };

describe("the server as `npm start` runs it", () => {
  it("serves health and readiness, with the database it was given", async () => {
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    const status = await fetch(`${server.url}/api/v1/admin/status`, { headers: admin });
    const body = (await status.json()) as {
      database: string;
      demo: boolean;
      migrations: { pending: string[] };
    };
    expect(body.database).toBe(onPostgres ? "postgres" : "pglite");
    expect(body.demo).toBe(!onPostgres);
    expect(body.migrations.pending).toEqual([]);
  });

  it("keeps generated keys in the keys folder only (embedded), and holds the data folder lock", () => {
    if (onPostgres) {
      expect(existsSync(keysDir)).toBe(false);
      return;
    }
    expect(readdirSync(keysDir).sort()).toEqual(["encryption-aes256.key", "signing-ed25519.pem"]);
    expect(readdirSync(dataDir).sort()).toEqual(["baton.lock", "pgdata"]);
  });

  it("runs a login and an API key through real HTTP, and the log holds none of the secrets", async () => {
    const created = await fetch(`${server.url}/api/v1/admin/api-keys`, {
      method: "POST",
      headers: admin,
      body: JSON.stringify({ name: "e2e", principal: "system:oa", scopes: ["cases:read"] }),
    });
    expect(created.status).toBe(201);
    const { key } = (await created.json()) as { key: string };
    const me = await fetch(`${server.url}/api/v1/me`, { headers: { authorization: `Bearer ${key}` } });
    expect(await me.json()).toMatchObject({ principal: "system:oa", via: "api-key" });

    const linkRes = await fetch(`${server.url}/api/v1/admin/links`, {
      method: "POST",
      headers: admin,
      body: JSON.stringify({ principal: "test:e2e", purpose: "login", data: { next: "/api/v1/me" } }),
    });
    const { url } = (await linkRes.json()) as { url: string };
    const linkPath = new URL(url).pathname;
    const preview = await fetch(`${server.url}${linkPath}`);
    expect(preview.status).toBe(200);
    expect(preview.headers.get("set-cookie")).toBeNull();
    const acted = await fetch(`${server.url}${linkPath}`, { method: "POST", redirect: "manual" });
    expect(acted.status).toBe(303);
    const cookie = (acted.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
    const session = await fetch(`${server.url}/api/v1/me`, { headers: { cookie } });
    expect(await session.json()).toMatchObject({ principal: "test:e2e", via: "session" });
    expect((await fetch(`${server.url}${linkPath}`, { method: "POST" })).status).toBe(409);

    await new Promise((r) => setTimeout(r, 200));
    const log = server.output();
    expect(log).toContain('"msg":"ready"');
    for (const secret of [
      adminToken,
      key,
      key.slice(16),
      linkPath.slice(3),
      cookie.split("=")[1] ?? "<none>",
      ...Object.values(keyEnv),
    ]) {
      expect(log).not.toContain(secret);
    }
  });

  it("stops cleanly on SIGTERM and releases the lock", async () => {
    expect(await server.stop()).toBe(0);
    if (!onPostgres) expect(existsSync(lockPath(dataDir))).toBe(false);
  });
});
