import type { ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  baton,
  type Env,
  finished,
  freePort,
  installation,
  json,
  type Result,
  start,
} from "../../test/helpers/cli.ts";
import { onPostgres } from "../../test/helpers/db.ts";

type KeyJson = { id: string; name: string; principal: string; scopes: string[]; key: string };
type ListJson = { apiKeys: { id: string; name: string; revokedAt: string | null }[] };

describe("baton, with the database opened directly", () => {
  let env: Env;
  beforeAll(async () => {
    env = await installation();
  });

  it("answers a usage error with exit 2 and one line on stderr", async () => {
    const unknown = await baton(["frob"], env);
    expect(unknown.code).toBe(2);
    expect(unknown.stdout).toBe("");
    expect(unknown.stderr.trim().split("\n")).toEqual([expect.stringMatching(/unknown command "frob"/)]);

    const missing = await baton(["api-key", "create", "--name", "x", "--principal", "system:oa"], env);
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim()).toMatch(/^baton api-key create: needs --scopes/);

    const help = await baton(["restore", "--help"], env);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: baton restore FILE \[--yes\]/);
  });

  it("fails on a wrong configuration, naming the variable", async () => {
    const result = await baton(["status"], { ...env, PORT: "abc" });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/PORT: must be a port number/);
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });

  it("creates an API key, shown once, and lists it without its secret", async () => {
    const created = await baton(
      [
        "api-key",
        "create",
        "--name",
        "OA sync",
        "--principal",
        "system:oa",
        "--scopes",
        "employees:write,cases:write",
      ],
      env,
    );
    expect(created.code, created.stderr).toBe(0);
    const key = /\bbk_[a-z0-9]{12}_[A-Za-z0-9_-]{43}\b/.exec(created.stdout)?.[0];
    expect(key).toBeDefined();
    expect(created.stdout).toMatch(/cannot be shown again/);
    expect(created.stderr).not.toContain(key);

    const list = await baton(["api-key", "list"], env);
    expect(list.code, list.stderr).toBe(0);
    const id = key?.split("_")[1] ?? "";
    expect(list.stdout).toContain(id);
    expect(list.stdout).toContain("OA sync");
    expect(list.stdout).not.toContain(key);

    const listed = json<ListJson>(await baton(["api-key", "list", "--json"], env));
    const entry = listed.apiKeys.find((k) => k.id === id);
    expect(entry).toMatchObject({ name: "OA sync", principal: "system:oa", revokedAt: null });
    expect(JSON.stringify(listed)).not.toContain(key?.slice("bk_".length + 12 + 1));
  });

  it("restores a backup: the key made after it is gone", { timeout: 150_000 }, async () => {
    const keep = json<KeyJson>(
      await baton(
        ["api-key", "create", "--name", "kept", "--principal", "test:kept", "--scopes", "admin", "--json"],
        env,
      ),
    );
    const before = json<ListJson>(await baton(["api-key", "list", "--json"], env)).apiKeys.map((k) => k.id);
    expect(before).toContain(keep.id);

    const backup = await baton(["backup", "--json"], env);
    const { file } = json<{ file: string; bytes: number }>(backup);
    expect(backup.stderr).toMatch(/^\[1\/3\] opening /m);
    expect(backup.stderr).toMatch(/^\[3\/3\] writing the backup/m);
    expect(file).toMatch(onPostgres ? /\.dump$/ : /\.tar\.gz$/);
    expect(existsSync(file)).toBe(true);

    const later = json<KeyJson>(
      await baton(
        ["api-key", "create", "--name", "later", "--principal", "test:later", "--scopes", "admin", "--json"],
        env,
      ),
    );

    const unconfirmed = await baton(["restore", file], env);
    expect(unconfirmed.code).toBe(1);
    expect(unconfirmed.stderr).toMatch(/--yes/);

    const restored = await baton(["restore", file, "--yes"], env);
    expect(restored.code, restored.stderr).toBe(0);
    expect(restored.stderr).toMatch(/^\[1\/\d\] checking /m);
    expect(restored.stdout).toMatch(/^Restored /);

    const after = json<ListJson>(await baton(["api-key", "list", "--json"], env)).apiKeys.map((k) => k.id);
    expect(after).toEqual(before);
    expect(after).not.toContain(later.id);
  });

  it("says clearly when the backup file does not exist", async () => {
    const missing = path.join(env.BATON_BACKUP_DIR ?? "", "no-such-backup.tar.gz");
    const result = await baton(["restore", missing, "--yes"], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`No backup file at ${missing}.`);
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });
});

describe("baton, while a server runs", () => {
  let env: Env;
  let port: number;
  let server: ChildProcess;
  let serverOutput: Promise<Result>;

  beforeAll(async () => {
    env = await installation();
    port = await freePort();
    server = start("bin/baton-server.mjs", [], {
      ...env,
      PORT: String(port),
      HOST: "127.0.0.1",
      BATON_LOG_LEVEL: "warn",
    });
    serverOutput = finished(server, 600_000);
    let exited = false;
    void serverOutput.then(() => {
      exited = true;
    });
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (exited) throw new Error(`the server exited early: ${(await serverOutput).stderr}`);
      const ready = await fetch(`http://127.0.0.1:${port}/readyz`, {
        signal: AbortSignal.timeout(2_000),
      }).then(
        (r) => r.status === 200,
        () => false,
      );
      if (ready) break;
      if (Date.now() > deadline) throw new Error("the server was not ready within 60 s");
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  });

  afterAll(async () => {
    if (!server || server.exitCode !== null) return;
    server.kill("SIGTERM");
    const timer = setTimeout(() => server.kill("SIGKILL"), 10_000);
    await serverOutput;
    clearTimeout(timer);
  });

  it("creates, lists and revokes an API key that works on the server", async () => {
    const status = json<{ mode: string; database: string }>(await baton(["status", "--json"], env));
    expect(status).toMatchObject(
      onPostgres ? { mode: "direct", database: "postgres" } : { mode: "server", database: "pglite" },
    );

    const created = json<KeyJson>(
      await baton(
        [
          "api-key",
          "create",
          "--name",
          "hr",
          "--principal",
          "system:hris",
          "--scopes",
          "cases:read",
          "--json",
        ],
        env,
      ),
    );
    const me = await fetch(`http://127.0.0.1:${port}/api/v1/me`, {
      headers: { authorization: `Bearer ${created.key}` },
    });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ principal: "system:hris", via: "api-key" });

    const listed = json<ListJson>(await baton(["api-key", "list", "--json"], env));
    expect(listed.apiKeys.map((k) => k.id)).toContain(created.id);

    const revoked = await baton(["api-key", "revoke", created.id], env);
    expect(revoked.code, revoked.stderr).toBe(0);
    const again = await baton(["api-key", "revoke", created.id], env);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/No live API key/);
    const refused = await fetch(`http://127.0.0.1:${port}/api/v1/me`, {
      headers: { authorization: `Bearer ${created.key}` },
    });
    expect(refused.status).toBe(401);
  });

  it("backs up, but refuses to restore until the server is stopped", { timeout: 120_000 }, async () => {
    const backup = await baton(["backup", "--json"], env);
    const { file } = json<{ file: string }>(backup);
    expect(existsSync(file)).toBe(true);
    if (!onPostgres) expect(backup.stderr).toMatch(/^\[1\/1\] asking the running Baton server/m);

    for (const args of [["restore", file], ...(onPostgres ? [] : [["restore", file, "--yes"]])]) {
      const result = await baton(args, env);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(onPostgres ? /Stop every Baton server/ : /stop the server first/);
    }

    const migrate = await baton(["migrate"], env);
    expect(migrate.code, migrate.stderr).toBe(0);
    if (!onPostgres) expect(migrate.stdout).toMatch(/already|applied the migrations when it started/);
  });

  it.skipIf(onPostgres)(
    "a second server on the same data folder stops, saying the folder is in use",
    async () => {
      const second = start("bin/baton-server.mjs", [], {
        ...env,
        PORT: String(await freePort()),
        HOST: "127.0.0.1",
      });
      const result = await finished(second);
      expect(result.code).not.toBe(0);
      expect(result.code).not.toBeNull();
      expect(result.stderr).toMatch(/is in use by a running Baton server/);
    },
  );
});
