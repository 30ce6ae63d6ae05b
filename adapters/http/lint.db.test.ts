import { readFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Database } from "../../db/client.ts";
import { createTestApp, type TestApp } from "../../test/helpers/app.ts";
import { resetDatabase, testDatabase } from "../../test/helpers/db.ts";

const adminToken = `adm-${"l".repeat(40)}`;
let database: Database;
let t: TestApp;

const fixture = (name: string) =>
  readFileSync(path.resolve(import.meta.dirname, "../../test/fixtures/lint", name), "utf8");

async function employeeKey(): Promise<string> {
  const res = await t.request("/api/v1/admin/api-keys", {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${adminToken}` },
    body: JSON.stringify({ name: "reader", principal: "employee:E1", scopes: ["employees:read"] }),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { key: string }).key;
}

const post = (body: string, token: string, contentType = "application/json", language = "en") => ({
  method: "POST",
  headers: { "content-type": contentType, authorization: `Bearer ${token}`, "accept-language": language },
  body,
});

beforeAll(async () => {
  database = await testDatabase();
});

beforeEach(async () => {
  await resetDatabase(database);
  t = await createTestApp(database, { env: { BATON_ADMIN_TOKEN: adminToken } });
});

describe("POST /api/v1/lint", () => {
  it("needs an authenticated caller but no particular scope", async () => {
    expect((await t.request("/api/v1/lint", { method: "POST", body: "{}" })).status).toBe(401);
    const key = await employeeKey();
    const res = await t.request("/api/v1/lint", post(JSON.stringify({ terms: {} }), key));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true, errors: 0, warnings: 0, findings: [] });
  });

  it("lints structured terms and names the article of each finding", async () => {
    const res = await t.request(
      "/api/v1/lint",
      post(JSON.stringify({ terms: { nonCompete: { months: 36, binds: ["senior-manager"] } } }), adminToken),
    );
    const body = (await res.json()) as { ok: boolean; findings: Record<string, unknown>[] };
    expect(body.ok).toBe(false);
    expect(body.findings).toEqual([
      {
        severity: "error",
        code: "non_compete.too_long",
        article: "Labor Contract Law Art. 24",
        message: "A non-compete of 36 months is longer than the 24 months allowed after exit.",
        path: "nonCompete.months",
      },
      expect.objectContaining({ severity: "warning", code: "non_compete.no_pay" }),
    ]);
  });

  it("lints a Markdown document, as JSON or as text/markdown, in the caller's language", async () => {
    const document = fixture("bad-gates.en.md");
    const asJson = await t.request("/api/v1/lint", post(JSON.stringify({ document }), adminToken));
    const raw = await t.request(
      "/api/v1/lint",
      post(document, adminToken, "text/markdown; charset=utf-8", "zh-CN"),
    );
    const a = (await asJson.json()) as { errors: number; findings: { code: string; article: string }[] };
    const b = (await raw.json()) as { errors: number; findings: { code: string; article: string }[] };
    expect(a.errors).toBe(3);
    expect(b.findings.map((f) => f.code)).toEqual(a.findings.map((f) => f.code));
    expect(b.findings[0]?.article).toBe("《劳动合同法》第五十条");
  });

  it("answers malformed terms with error findings that carry paths, and a wrong body with 400", async () => {
    const res = await t.request(
      "/api/v1/lint",
      post(JSON.stringify({ terms: { penalties: [{ amountFen: "lots" }] } }), adminToken),
    );
    const body = (await res.json()) as { ok: boolean; findings: { code: string; path: string }[] };
    expect(res.status).toBe(200);
    expect(body.ok).toBe(false);
    expect(body.findings.map((f) => [f.code, f.path])).toEqual([
      ["terms.invalid", "penalties.0.kind"],
      ["terms.invalid", "penalties.0.amountFen"],
    ]);
    expect((await t.request("/api/v1/lint", post("{not json", adminToken))).status).toBe(400);
    expect((await t.request("/api/v1/lint", post("{}", adminToken))).status).toBe(400);
    expect((await t.request("/api/v1/lint", post(JSON.stringify({ document: 5 }), adminToken))).status).toBe(
      400,
    );
  });
});
