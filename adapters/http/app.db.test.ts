import { sql } from "drizzle-orm";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Database } from "../../db/client.ts";
import { createTestApp, manualClock, type TestApp } from "../../test/helpers/app.ts";
import { resetDatabase, testDatabase } from "../../test/helpers/db.ts";
import { testAction, testActionCount } from "../../test/helpers/test-action.ts";

const adminToken = `adm-${"x".repeat(40)}`;
let database: Database;
let t: TestApp;
const clock = manualClock();

const json = (body: unknown, headers: Record<string, string> = {}) => ({
  method: "POST",
  headers: { "content-type": "application/json", ...headers },
  body: JSON.stringify(body),
});
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

async function createKey(scopes: string[], principal = "system:oa"): Promise<string> {
  const res = await t.request(
    "/api/v1/admin/api-keys",
    json({ name: "test", principal, scopes }, bearer(adminToken)),
  );
  expect(res.status).toBe(201);
  return ((await res.json()) as { key: string }).key;
}

async function issueLink(
  principal: string,
  purpose: string,
  ttlSeconds = 600,
  data?: object,
): Promise<string> {
  const res = await t.request(
    "/api/v1/admin/links",
    json({ principal, purpose, ttlSeconds, ...(data ? { data } : {}) }, bearer(adminToken)),
  );
  expect(res.status).toBe(201);
  return new URL(((await res.json()) as { url: string }).url).pathname;
}

function cookieOf(res: Response): string {
  const set = res.headers.get("set-cookie") ?? "";
  return set.split(";")[0] ?? "";
}

async function login(principal: string): Promise<{ cookie: string; csrf: string }> {
  const path = await issueLink(principal, "login", 600, { next: "/api/v1/me" });
  const res = await t.request(path, { method: "POST", headers: { origin: "http://127.0.0.1:8787" } });
  expect(res.status).toBe(303);
  expect(res.headers.get("location")).toBe("/api/v1/me");
  const cookie = cookieOf(res);
  const me = await t.request("/api/v1/me", { headers: { cookie } });
  const body = (await me.json()) as { principal: string; csrfToken: string };
  expect(body.principal).toBe(principal);
  return { cookie, csrf: body.csrfToken };
}

beforeAll(async () => {
  database = await testDatabase();
});

beforeEach(async () => {
  await resetDatabase(database);
  t = await createTestApp(database, {
    env: { BATON_ADMIN_TOKEN: adminToken },
    clock,
    linkActions: [testAction],
  });
});

describe("health, readiness and the error shape", () => {
  it("answers /healthz and /readyz, and /readyz is false while migrations are pending", async () => {
    expect((await t.request("/healthz")).status).toBe(200);
    const ready = await t.request("/readyz");
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ ready: true, database: "ok", migrations: "current" });
    t.services.readiness.migrations = "pending";
    const pending = await t.request("/readyz");
    expect(pending.status).toBe(503);
    expect(await pending.json()).toMatchObject({ ready: false, migrations: "pending" });
    const api = await t.request("/api/v1/me", { headers: bearer(adminToken) });
    expect(api.status).toBe(503);
    expect(((await api.json()) as { error: { code: string } }).error.code).toBe("not_ready");
    expect((await t.request("/healthz")).status).toBe(200);
  });

  it("answers unknown paths with the one error shape and the request id", async () => {
    const res = await t.request("/nope", { headers: { "x-request-id": "req-123" } });
    expect(res.status).toBe(404);
    expect(res.headers.get("x-request-id")).toBe("req-123");
    expect(await res.json()).toEqual({
      error: { code: "not_found", message: "Nothing was found here.", requestId: "req-123" },
    });
  });

  it("replaces an unsafe request id with its own", async () => {
    const res = await t.request("/healthz", { headers: { "x-request-id": "bad id <script>" } });
    expect(res.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("speaks the caller's language", async () => {
    const res = await t.request("/nope", { headers: { "accept-language": "zh-CN,zh;q=0.9" } });
    expect(((await res.json()) as { error: { message: string } }).error.message).toBe("未找到内容。");
  });

  it("sets security headers", async () => {
    const res = await t.request("/healthz");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("x-frame-options")).toBe("DENY");
    expect(res.headers.get("referrer-policy")).toBe("no-referrer");
    expect(res.headers.get("content-security-policy")).toContain("default-src 'none'");
  });

  it("publishes the signing key as a JWKS", async () => {
    const res = await t.request("/.well-known/jwks.json");
    const body = (await res.json()) as { keys: { kid: string; kty: string; crv: string; d?: string }[] };
    expect(body.keys).toHaveLength(1);
    expect(body.keys[0]).toMatchObject({ kty: "OKP", crv: "Ed25519", kid: t.services.keys.signing.kid });
    expect(body.keys[0]?.d).toBeUndefined();
  });
});

describe("bad input never reaches a 500", () => {
  it("413 for a body over the limit", async () => {
    const res = await t.request(
      "/api/v1/admin/api-keys",
      json(
        { name: "x".repeat(2 * 1024 * 1024), principal: "system:oa", scopes: ["admin"] },
        bearer(adminToken),
      ),
    );
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("payload_too_large");
  });

  it("400 for malformed JSON and for a wrong shape, with the issues", async () => {
    const malformed = await t.request("/api/v1/admin/api-keys", {
      method: "POST",
      headers: { "content-type": "application/json", ...bearer(adminToken) },
      body: "{not json",
    });
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { error: { message: string } }).error.message).toMatch(
      /not valid JSON/,
    );
    const shape = await t.request(
      "/api/v1/admin/api-keys",
      json({ name: 5, scopes: "admin" }, bearer(adminToken)),
    );
    expect(shape.status).toBe(400);
    const body = (await shape.json()) as { error: { details: { path: string }[] } };
    expect(body.error.details.map((d) => d.path).sort()).toEqual(["name", "principal", "scopes"]);
  });

  it("422 for a rule broken: unknown scope, bad principal, unknown link purpose", async () => {
    const scope = await t.request(
      "/api/v1/admin/api-keys",
      json({ name: "k", principal: "system:oa", scopes: ["root"] }, bearer(adminToken)),
    );
    expect(scope.status).toBe(422);
    expect(((await scope.json()) as { error: { message: string } }).error.message).toBe(
      "Unknown scope: root.",
    );
    const principal = await t.request(
      "/api/v1/admin/api-keys",
      json({ name: "k", principal: "root", scopes: ["admin"] }, bearer(adminToken)),
    );
    expect(principal.status).toBe(422);
    const purpose = await t.request(
      "/api/v1/admin/links",
      json({ principal: "test:a", purpose: "no.such" }, bearer(adminToken)),
    );
    expect(purpose.status).toBe(422);
  });
});

describe("API keys", () => {
  it("401 without credentials, with a wrong key, or with a malformed header", async () => {
    for (const headers of [
      {},
      bearer(`bk_aaaaaaaaaaaa_${"b".repeat(43)}`),
      { authorization: "Basic abc" },
      bearer("x y"),
    ]) {
      const res = await t.request("/api/v1/me", { headers });
      expect(res.status).toBe(401);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("unauthorized");
    }
  });

  it("acts for its principal with its scopes, and is stored only as a hash", async () => {
    const key = await createKey(["cases:read"], "system:crm");
    const me = await t.request("/api/v1/me", { headers: bearer(key) });
    expect(await me.json()).toEqual({ principal: "system:crm", via: "api-key", scopes: ["cases:read"] });
    const secret = key.slice("bk_".length + 12 + 1);
    const raw = await database.query<Record<string, unknown>>(sql`select * from api_keys`);
    expect(JSON.stringify(raw)).not.toContain(secret);
    const admin = await t.request("/api/v1/admin/status", { headers: bearer(key) });
    expect(admin.status).toBe(403);
    expect(((await admin.json()) as { error: { message: string } }).error.message).toBe(
      "This API key lacks the scope admin.",
    );
  });

  it("stops working when revoked", async () => {
    const key = await createKey(["admin"]);
    expect((await t.request("/api/v1/admin/status", { headers: bearer(key) })).status).toBe(200);
    const id = key.split("_")[1];
    const del = await t.request(`/api/v1/admin/api-keys/${id}`, {
      method: "DELETE",
      headers: bearer(adminToken),
    });
    expect(del.status).toBe(204);
    expect((await t.request("/api/v1/admin/status", { headers: bearer(key) })).status).toBe(401);
    const again = await t.request(`/api/v1/admin/api-keys/${id}`, {
      method: "DELETE",
      headers: bearer(adminToken),
    });
    expect(again.status).toBe(404);
  });

  it("accepts the CLI's per-run secret only from loopback", async () => {
    const cli = t.services.cliSecret as string;
    expect((await t.request("/api/v1/admin/status", { headers: bearer(cli) })).status).toBe(200);
    const remote = await t.request("/api/v1/admin/status", { headers: bearer(cli), remote: "203.0.113.4" });
    expect(remote.status).toBe(401);
  });
});

describe("login links and sessions", () => {
  it("GET only shows the page: no session, link not used", async () => {
    const path = await issueLink("test:alice", "login");
    const res = await t.request(path);
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(res.headers.get("referrer-policy")).toBe("no-referrer");
    expect(res.headers.get("set-cookie")).toBeNull();
    expect(await res.text()).toContain('<form method="post">');
    const rows = await database.query<{ n: number }>(sql`select count(*)::int as n from sessions`);
    expect(rows[0]?.n).toBe(0);
    expect((await t.request(path)).status).toBe(200);
  });

  it("POST opens a session once; a replay is refused", async () => {
    const { cookie } = await login("test:alice");
    expect(cookie).toMatch(/^baton_session=/);
    const path = await issueLink("test:bob", "login");
    const first = await t.request(path, { method: "POST" });
    expect(first.status).toBe(200);
    expect(first.headers.get("set-cookie")).toContain("HttpOnly");
    const replay = await t.request(path, { method: "POST" });
    expect(replay.status).toBe(409);
    expect(replay.headers.get("set-cookie")).toBeNull();
    expect((await t.request(path)).status).toBe(409);
  });

  it("refuses expired and tampered links", async () => {
    const path = await issueLink("test:alice", "login", 60);
    clock.advance(61_000);
    expect((await t.request(path, { method: "POST" })).status).toBe(401);
    expect((await t.request(path)).status).toBe(401);
    const fresh = await issueLink("test:alice", "login", 60);
    const tampered = `${fresh.slice(0, -3)}${fresh.endsWith("A") ? "B" : "A"}xx`;
    expect((await t.request(tampered, { method: "POST" })).status).toBe(401);
  });

  it("refuses a cross-site POST (login CSRF)", async () => {
    const path = await issueLink("test:alice", "login");
    const res = await t.request(path, { method: "POST", headers: { origin: "https://evil.example" } });
    expect(res.status).toBe(403);
    const ok = await t.request(path, { method: "POST", headers: { origin: "http://127.0.0.1:8787" } });
    expect(ok.status).toBe(200);
  });

  it("takes a browser's same-origin form post that says Origin: null (Referrer-Policy: no-referrer)", async () => {
    // Chromium sends `Origin: null` on a plain form post from a no-referrer page; Sec-Fetch-Site tells.
    const path = await issueLink("test:alice", "login");
    const opaque = { origin: "null" };
    expect((await t.request(path, { method: "POST", headers: opaque })).status).toBe(403);
    const crossSite = { ...opaque, "sec-fetch-site": "cross-site" };
    expect((await t.request(path, { method: "POST", headers: crossSite })).status).toBe(403);
    const sameOrigin = { ...opaque, "sec-fetch-site": "same-origin" };
    expect((await t.request(path, { method: "POST", headers: sameOrigin })).status).toBe(200);
  });

  it("follows only same-site redirects", async () => {
    const path = await issueLink("test:alice", "login", 600, { next: "//evil.example/x" });
    const res = await t.request(path, { method: "POST" });
    expect(res.status).toBe(200);
    expect(res.headers.get("location")).toBeNull();
  });

  it("logout needs the CSRF token and ends the session", async () => {
    const { cookie, csrf } = await login("test:alice");
    const refused = await t.request("/logout", { method: "POST", headers: { cookie } });
    expect(refused.status).toBe(403);
    const done = await t.request("/logout", {
      method: "POST",
      headers: { cookie, "content-type": "application/x-www-form-urlencoded" },
      body: `_csrf=${encodeURIComponent(csrf)}`,
    });
    expect(done.status).toBe(200);
    expect((await t.request("/api/v1/me", { headers: { cookie } })).status).toBe(401);
  });

  it("a session's unsafe API calls need the CSRF header", async () => {
    const { cookie, csrf } = await login("test:alice");
    const without = await t.request("/api/v1/admin/seed", { method: "POST", headers: { cookie } });
    expect(without.status).toBe(403);
    const withToken = await t.request("/api/v1/admin/seed", {
      method: "POST",
      headers: { cookie, "x-csrf-token": csrf },
    });
    expect(withToken.status).toBe(403); // past CSRF, stopped by the missing admin scope
    expect(((await withToken.json()) as { error: { code: string; message: string } }).error.message).toMatch(
      /scope/,
    );
  });

  it("expires sessions", async () => {
    const { cookie } = await login("test:alice");
    clock.advance(13 * 3600 * 1000);
    expect((await t.request("/api/v1/me", { headers: { cookie } })).status).toBe(401);
  });
});

describe("action links", () => {
  it("need the link's own person signed in: a forwarded link cannot act", async () => {
    const path = await issueLink("test:alice", "test.action");
    const anonymous = await t.request(path);
    expect(anonymous.status).toBe(401);
    expect(await anonymous.text()).not.toContain("<form");
    const bob = await login("test:bob");
    expect((await t.request(path, { headers: { cookie: bob.cookie } })).status).toBe(403);
    const post = await t.request(path, {
      method: "POST",
      headers: { cookie: bob.cookie, "content-type": "application/x-www-form-urlencoded" },
      body: `_csrf=${encodeURIComponent(bob.csrf)}`,
    });
    expect(post.status).toBe(403);
    expect(await testActionCount(database)).toBe(0);
  });

  it("act once with the CSRF token; GET shows, POST acts, a replay is refused", async () => {
    const alice = await login("test:alice");
    const path = await issueLink("test:alice", "test.action");
    const shown = await t.request(path, { headers: { cookie: alice.cookie } });
    expect(shown.status).toBe(200);
    expect(await shown.text()).toContain(`value="${alice.csrf}"`);
    expect(await testActionCount(database)).toBe(0);
    const form = { "content-type": "application/x-www-form-urlencoded", cookie: alice.cookie };
    const noCsrf = await t.request(path, { method: "POST", headers: form, body: "" });
    expect(noCsrf.status).toBe(403);
    expect(await testActionCount(database)).toBe(0);
    const body = `_csrf=${encodeURIComponent(alice.csrf)}`;
    const acted = await t.request(path, { method: "POST", headers: form, body });
    expect(acted.status).toBe(200);
    expect(await acted.text()).toContain("测试操作已记录。");
    const replay = await t.request(path, { method: "POST", headers: form, body });
    expect(replay.status).toBe(409);
    expect(await testActionCount(database)).toBe(1);
  });

  it("a failing action leaves the link unused and writes nothing", async () => {
    const alice = await login("test:alice");
    const path = await issueLink("test:alice", "test.action", 600, { fail: true });
    const form = { "content-type": "application/x-www-form-urlencoded", cookie: alice.cookie };
    const res = await t.request(path, {
      method: "POST",
      headers: form,
      body: `_csrf=${encodeURIComponent(alice.csrf)}`,
    });
    expect(res.status).toBe(422);
    expect(await testActionCount(database)).toBe(0);
    expect((await t.request(path, { headers: { cookie: alice.cookie } })).status).toBe(200);
  });
});

describe("logs", () => {
  it("carry no secrets, tokens, cookies or link URLs over a full run", async () => {
    const key = await createKey(["admin"]);
    const alice = await login("test:alice");
    const path = await issueLink("test:alice", "test.action");
    await t.request(path, { headers: { cookie: alice.cookie } });
    await t.request(path, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", cookie: alice.cookie },
      body: `_csrf=${encodeURIComponent(alice.csrf)}`,
    });
    await t.request("/api/v1/admin/status", { headers: bearer(key) });
    await t.request("/api/v1/admin/api-keys", json({ name: "{", principal: "x" }, bearer(key)));
    const logText = t.logs.join("");
    expect(t.logs.length).toBeGreaterThan(5);
    const secrets = [
      adminToken,
      key,
      key.slice("bk_".length + 12 + 1),
      path.slice(3),
      alice.cookie.split("=")[1] as string,
      alice.csrf,
      t.services.cliSecret as string,
      t.config.BATON_ENCRYPTION_KEY as string,
    ];
    for (const secret of secrets) expect(logText).not.toContain(secret);
    expect(logText).toContain('"route":"/a/:token"');
  });
});

describe("OpenAPI", () => {
  it("lists the API's real routes with their methods, for authenticated callers", async () => {
    expect((await t.request("/api/v1/openapi.json")).status).toBe(401);
    const res = await t.request("/api/v1/openapi.json", { headers: bearer(adminToken) });
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths["/api/v1/resignations"] ?? {})).toEqual(["post"]);
    expect(Object.keys(doc.paths["/api/v1/employees/{externalId}"] ?? {}).sort()).toEqual(["get", "put"]);
    expect(doc.paths["/api/v1/cases/{id}"]).toHaveProperty("get");
    expect(Object.keys(doc.paths).every((p) => p.startsWith("/api/v1/") && !p.includes(":"))).toBe(true);
  });
});
