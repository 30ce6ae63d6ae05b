import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Database, openDatabase } from "../../db/client.ts";
import { migrate } from "../../db/migrate.ts";
import { createTestApp } from "../../test/helpers/app.ts";
import { createPostgresDatabase } from "../../test/helpers/db.ts";
import { testAction, testActionCount } from "../../test/helpers/test-action.ts";

let database: Database;
beforeAll(async () => {
  database = await openDatabase({ kind: "postgres", url: await createPostgresDatabase(), max: 10 });
  await migrate(database);
});
afterAll(() => database.close());

describe("action links under concurrent clicks", () => {
  it("act exactly once when many POSTs race", async () => {
    const adminToken = `adm-${"y".repeat(40)}`;
    const t = await createTestApp(database, {
      env: { BATON_ADMIN_TOKEN: adminToken },
      linkActions: [testAction],
    });
    const loginLink = await t.services.linkTokens.issue({
      principal: "test:alice",
      purpose: "login",
      ttlSeconds: 60,
    });
    const login = await t.request(new URL(loginLink.url).pathname, { method: "POST" });
    const cookie = (login.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
    const me = (await (await t.request("/api/v1/me", { headers: { cookie } })).json()) as {
      csrfToken: string;
    };
    const link = await t.services.linkTokens.issue({
      principal: "test:alice",
      purpose: "test.action",
      ttlSeconds: 60,
    });
    const path = new URL(link.url).pathname;
    const statuses = await Promise.all(
      Array.from({ length: 12 }, () =>
        t
          .request(path, {
            method: "POST",
            headers: { cookie, "content-type": "application/x-www-form-urlencoded" },
            body: `_csrf=${encodeURIComponent(me.csrfToken)}`,
          })
          .then((r) => r.status),
      ),
    );
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(11);
    expect(await testActionCount(database)).toBe(1);
  });
});
