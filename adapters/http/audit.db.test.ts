import { sql } from "drizzle-orm";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Database, Db } from "../../db/client.ts";
import { verifyAuditChain } from "../../db/evidence-chain.ts";
import { recordEvidence } from "../../db/repositories/evidence.ts";
import { createTestApp, type TestApp } from "../../test/helpers/app.ts";
import { resetDatabase, testDatabase } from "../../test/helpers/db.ts";
import { auditHeadType } from "./routes/audit.ts";

const adminToken = `adm-${"a".repeat(40)}`;
let database: Database;
let t: TestApp;

beforeAll(async () => {
  database = await testDatabase();
});
beforeEach(async () => {
  await resetDatabase(database);
  t = await createTestApp(database, { env: { BATON_ADMIN_TOKEN: adminToken } });
});

async function apiKey(scopes: string[]): Promise<string> {
  const res = await t.request("/api/v1/admin/api-keys", {
    method: "POST",
    headers: { authorization: `Bearer ${adminToken}`, "content-type": "application/json" },
    body: JSON.stringify({ name: "auditor", principal: "system:auditor", scopes }),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { key: string }).key;
}

async function record(count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let n = 1; n <= count; n++) {
    ids.push(
      await database.db.transaction((tx) =>
        recordEvidence(tx as unknown as Db, {
          at: new Date(Date.UTC(2026, 2, 2, 2, 0, n)),
          actor: "employee:E1001",
          action: "agreement.signed",
          subject: `signature:${n}`,
          data: { agreementHash: "cd".repeat(32), n },
        }),
      ),
    );
  }
  return ids;
}

const get = (path: string, key: string) => t.request(path, { headers: { authorization: `Bearer ${key}` } });

describe("GET /api/v1/audit/verify", () => {
  it("needs evidence:read", async () => {
    expect((await t.request("/api/v1/audit/verify")).status).toBe(401);
    const other = await apiKey(["employees:read"]);
    expect((await get("/api/v1/audit/verify", other)).status).toBe(403);
    expect((await get("/api/v1/audit/head", other)).status).toBe(403);
  });

  it("reports an intact chain, then names the entry edited in the database, as verifyAuditChain does", async () => {
    const key = await apiKey(["evidence:read"]);
    const ids = await record(4);
    await t.services.chainWriter.runOnce();
    const intact = await get("/api/v1/audit/verify", key);
    expect(intact.status).toBe(200);
    expect(intact.headers.get("cache-control")).toBe("no-store");
    const body = (await intact.json()) as {
      ok: boolean;
      length: number;
      head: { seq: number; hash: string };
    };
    expect(body).toMatchObject({ ok: true, length: 4, head: { seq: 4 }, pending: 0 });
    expect(body.head.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(body).not.toHaveProperty("firstBroken");

    await database.query(sql`update evidence_entries set data = '{"n": 2}'::jsonb where id = ${ids[1]}`);
    const broken = await get("/api/v1/audit/verify", key);
    const brokenBody = await broken.json();
    expect(brokenBody).toEqual({
      ok: false,
      length: 4,
      head: body.head,
      firstBroken: { seq: 2, entryId: ids[1], reason: "hash_mismatch" },
      pending: 0,
    });
    const { ok, length, head, firstBroken, pending } = await verifyAuditChain(database);
    expect(brokenBody).toEqual({ ok, length, head, firstBroken, pending });
  });
});

describe("GET /api/v1/audit/head", () => {
  it("is null before anything is chained", async () => {
    const key = await apiKey(["evidence:read"]);
    await record(1);
    expect(await (await get("/api/v1/audit/head", key)).json()).toEqual({ head: null, pending: 1 });
  });

  it("gives the head signed by Baton, for publishing outside it", async () => {
    const key = await apiKey(["evidence:read"]);
    await record(3);
    await t.services.chainWriter.runOnce();
    const res = await get("/api/v1/audit/head", key);
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      head: { seq: number; hash: string; chainedAt: string };
      pending: number;
      jws: string;
      kid: string;
    };
    expect(body.head.seq).toBe(3);
    expect(body.pending).toBe(0);
    expect(body.kid).toBe(t.services.keys.signing.kid);
    const verified = await t.services.signer.verify(body.jws, { typ: auditHeadType });
    expect(verified.payload).toMatchObject({ seq: 3, hash: body.head.hash, chainedAt: body.head.chainedAt });
  });
});
