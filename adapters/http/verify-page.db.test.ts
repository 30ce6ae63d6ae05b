import { sql } from "drizzle-orm";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Database, Db } from "../../db/client.ts";
import { createVerification, revokeVerification } from "../../db/repositories/verifications.ts";
import { createTestApp, type TestApp } from "../../test/helpers/app.ts";
import { resetDatabase, testDatabase } from "../../test/helpers/db.ts";

let database: Database;
let t: TestApp;

beforeAll(async () => {
  database = await testDatabase();
});
beforeEach(async () => {
  await resetDatabase(database);
  t = await createTestApp(database);
});

const title = { en: "Confidentiality agreement v3", "zh-CN": "保密协议 第3版" };
const signedAt = new Date("2026-03-02T06:30:00Z");

async function issue(holderName: string, kind: "signature" | "certificate" = "signature"): Promise<string> {
  const subject = `${kind}:S-1`;
  const { jws } = await t.services.signer.sign(
    { sub: subject, agreementHash: "ab".repeat(32), signedAt: signedAt.toISOString() },
    "baton-evidence+jws",
  );
  const { id } = await database.db.transaction((tx) =>
    createVerification(tx as unknown as Db, { kind, subject, title, holderName, at: signedAt, jws }),
  );
  return id;
}

async function snapshot(): Promise<unknown[]> {
  return database.query(sql`select * from verifications order by id`);
}

describe("GET /verify/:id", () => {
  it("shows a valid signature in English: what, when, the name masked, never cached", async () => {
    const id = await issue("John Doe");
    expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    const before = await snapshot();
    const res = await t.request(`/verify/${id}`, { headers: { "accept-language": "en-GB,en;q=0.9" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(res.headers.get("referrer-policy")).toBe("no-referrer");
    expect(res.headers.get("content-security-policy")).toContain("default-src 'none'");
    const text = await res.text();
    expect(text).toContain('<html lang="en">');
    expect(text).toContain("Verified");
    expect(text).toContain("signature record");
    expect(text).toContain("Confidentiality agreement v3");
    expect(text).toContain("J*** D**");
    expect(text).not.toContain("John");
    expect(text).toContain("March 2, 2026"); // in BATON_TIMEZONE (Asia/Shanghai): 14:30
    expect(text).toContain(t.services.keys.signing.kid);
    expect(await snapshot()).toEqual(before);
  });

  it("speaks Chinese by default and masks Chinese names", async () => {
    const id = await issue("张三丰", "certificate");
    const res = await t.request(`/verify/${id}`);
    const text = await res.text();
    expect(text).toContain('<html lang="zh-CN">');
    expect(text).toContain("验证通过");
    expect(text).toContain("证书");
    expect(text).toContain("保密协议 第3版");
    expect(text).toContain("张**");
    expect(text).not.toContain("张三丰");
    const stored = await database.query<{ summary: { holder: string } }>(
      sql`select summary from verifications`,
    );
    expect(stored[0]?.summary.holder).toBe("张**");
  });

  it("says revoked once revoked", async () => {
    const id = await issue("John Doe");
    await database.db.transaction((tx) =>
      revokeVerification(tx as unknown as Db, id, new Date("2026-03-05T01:00:00Z")),
    );
    const res = await t.request(`/verify/${id}`, { headers: { "accept-language": "en" } });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain("Revoked");
    expect(text).toContain("March 5, 2026");
    expect(text).not.toContain("Verified");
    expect(
      await database.db.transaction((tx) => revokeVerification(tx as unknown as Db, id, new Date())),
    ).toBe(false);
  });

  it("says the signature is not valid when the stored JWS was altered or is about something else", async () => {
    const id = await issue("John Doe");
    await database.query(
      sql`update verifications set jws = regexp_replace(jws, '\\.([A-Za-z0-9_-])', '.A') where id = ${id}`,
    );
    const altered = await (await t.request(`/verify/${id}`, { headers: { "accept-language": "en" } })).text();
    expect(altered).toContain("Signature not valid");
    expect(altered).not.toContain("Verified");

    const other = await issue("Jane Roe");
    const { jws } = await t.services.signer.sign({ sub: "signature:OTHER" }, "baton-evidence+jws");
    await database.query(sql`update verifications set jws = ${jws} where id = ${other}`);
    const swapped = await (
      await t.request(`/verify/${other}`, { headers: { "accept-language": "en" } })
    ).text();
    expect(swapped).toContain("Signature not valid");
  });

  it("answers 404 for an unknown or malformed id, the same way", async () => {
    for (const id of ["AAAAAAAAAAAAAAAAAAAAAA", "short", "..%2F..%2Fetc", "x".repeat(500)]) {
      const res = await t.request(`/verify/${id}`, { headers: { "accept-language": "en" } });
      expect(res.status, id).toBe(404);
      expect(res.headers.get("cache-control")).toBe("no-store");
      expect(await res.text()).toContain("Nothing to verify here");
    }
  });

  it("refuses to create a verification whose JWS is about another subject", async () => {
    const { jws } = await t.services.signer.sign({ sub: "signature:A" }, "baton-evidence+jws");
    await expect(
      database.db.transaction((tx) =>
        createVerification(tx as unknown as Db, {
          kind: "signature",
          subject: "signature:B",
          title,
          holderName: "John Doe",
          at: signedAt,
          jws,
        }),
      ),
    ).rejects.toThrow(RangeError);
  });
});
