import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../adapters/http/app.ts";
import { loadConfig } from "../../adapters/http/config.ts";
import { dingtalkApprovalSource } from "../../adapters/http/dingtalk-stream.ts";
import { createLogger } from "../../adapters/http/logger.ts";
import { openRuntime } from "../../adapters/http/runtime.ts";
import { testAppSecret, testCorpId } from "../fakes/dingtalk.ts";
import { type FakeDingTalkApi, fakeAppKey, startFakeDingTalkApi } from "../fakes/dingtalk-api.ts";
import {
  approvalEventFrame,
  type FakeDingTalkStream,
  startFakeDingTalkStream,
} from "../fakes/dingtalk-stream.ts";
import { testKeyEnv } from "../helpers/app.ts";
import { createPostgresDatabase, onPostgres } from "../helpers/db.ts";
import { dingtalkEnv } from "../helpers/dingtalk.ts";

/**
 * The Stream's place in the process's life (adapters/http/runtime.ts): the server opens it once
 * the workers run and closes it first on shutdown; the CLI never opens it.
 */

let api: FakeDingTalkApi;
let gateway: FakeDingTalkStream;

beforeAll(async () => {
  api = await startFakeDingTalkApi({ appSecret: testAppSecret });
  gateway = await startFakeDingTalkStream({ appKey: fakeAppKey, appSecret: testAppSecret });
  api.route("/v1.0/gateway/connections/open", (body) => gateway.openConnection(body));
});
afterAll(async () => {
  await gateway.close();
  await api.close();
});

async function configFor(dir: string) {
  return loadConfig({
    BATON_DATA_DIR: path.join(dir, "data"),
    BATON_KEYS_DIR: path.join(dir, "keys"),
    BATON_BACKUP_DIR: path.join(dir, "backups"),
    BATON_PUBLIC_URL: "http://127.0.0.1:8787",
    BATON_DEMO: "0",
    ...(onPostgres ? { DATABASE_URL: await createPostgresDatabase() } : {}),
    ...testKeyEnv(),
    ...dingtalkEnv(api),
    DINGTALK_STREAM: "1",
    DINGTALK_RESIGNATION_PROCESS_CODE: "PROC-RESIGN",
  });
}

const quietLogger = (logs: string[]) =>
  createLogger(
    "info",
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        logs.push(chunk.toString());
        done();
      },
    }),
  );

describe("the Stream in the server's lifecycle", () => {
  it("the server connects after prepare, stores and processes events, and disconnects on close", async () => {
    const logs: string[] = [];
    const config = await configFor(await mkdtemp(path.join(tmpdir(), "baton-stream-")));
    const runtime = await openRuntime(config, { logger: quietLogger(logs), holder: "server" });
    const before = gateway.connections;
    try {
      await runtime.prepare();
      await gateway.waitForConnections(before + 1, 10_000);
      api.setApproval("proc-runtime-1", { status: "RUNNING", result: "", originator_userid: "nobody" });
      const id = gateway.push(
        approvalEventFrame({
          corpId: testCorpId,
          processInstanceId: "proc-runtime-1",
          processCode: "PROC-RESIGN",
        }),
      );
      const answer = await gateway.answer(id, 5_000);
      expect(JSON.parse(answer?.data ?? "{}")).toMatchObject({ status: "SUCCESS" });
      // The started inbox worker took it: the instance was read back from DingTalk.
      const end = Date.now() + 10_000;
      let status: string | undefined;
      while (Date.now() < end) {
        const rows = await runtime.services.database.db.execute<{ status: string }>(
          sql`select status from inbox where source = ${dingtalkApprovalSource}`,
        );
        status = (Array.isArray(rows) ? rows : (rows as { rows: { status: string }[] }).rows)[0]?.status;
        if (status === "done") break;
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(status).toBe("done");
      expect(api.callsTo("/topapi/processinstance/get").length).toBeGreaterThan(0);
    } finally {
      await runtime.close();
    }
    const opens = api.callsTo("/v1.0/gateway/connections/open").length;
    await new Promise((r) => setTimeout(r, 300));
    expect(api.callsTo("/v1.0/gateway/connections/open")).toHaveLength(opens);
    expect(() => gateway.ping()).toThrow(/no open Stream connection/);
    expect(logs.join("")).not.toContain(testAppSecret);
  });

  it("/readyz shows whether the Stream is connected, and stays ready while it reconnects", async () => {
    const config = await configFor(await mkdtemp(path.join(tmpdir(), "baton-stream-ready-")));
    const runtime = await openRuntime(config, { logger: quietLogger([]), holder: "server" });
    const app = createApp(runtime.services);
    const readyz = async () => {
      const res = await app.request("/readyz");
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    };
    /** Polls /readyz until the Stream is in `state`. */
    const until = async (state: string, timeoutMs: number) => {
      const end = Date.now() + timeoutMs;
      let last = await readyz();
      while (last.body.dingtalkStream !== state && Date.now() < end) {
        await new Promise((r) => setTimeout(r, 50));
        last = await readyz();
      }
      return last;
    };
    const before = gateway.connections;
    try {
      await runtime.prepare();
      await gateway.waitForConnections(before + 1, 10_000);
      expect(await until("connected", 5_000)).toEqual({
        status: 200,
        body: { ready: true, database: "ok", migrations: "current", dingtalkStream: "connected" },
      });
      // The gateway goes away and refuses new connections for a while: still ready, "connecting".
      gateway.failOpen(503, 50);
      gateway.drop();
      expect(await until("connecting", 5_000)).toMatchObject({
        status: 200,
        body: { ready: true, dingtalkStream: "connecting" },
      });
      gateway.reset();
      expect((await until("connected", 20_000)).body.dingtalkStream).toBe("connected");
    } finally {
      gateway.reset();
      await runtime.close();
    }
    // Once the server stops holding it, the field is gone.
    expect((await readyz()).body).not.toHaveProperty("dingtalkStream");
  }, 40_000);

  it("the CLI does not open it", async () => {
    const config = await configFor(await mkdtemp(path.join(tmpdir(), "baton-stream-cli-")));
    const runtime = await openRuntime(config, { logger: quietLogger([]), holder: "cli" });
    const opens = api.callsTo("/v1.0/gateway/connections/open").length;
    try {
      await runtime.prepare();
      await new Promise((r) => setTimeout(r, 300));
      expect(api.callsTo("/v1.0/gateway/connections/open")).toHaveLength(opens);
      const ready = await createApp(runtime.services).request("/readyz");
      expect(ready.status).toBe(200);
      expect(await ready.json()).not.toHaveProperty("dingtalkStream");
    } finally {
      await runtime.close();
    }
  });
});
