import { createHash, createPublicKey, verify as verifySignature } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type EvidenceBundle, verifyEvidenceBundle } from "../../core/agreements/bundle.ts";
import type { Database } from "../../db/client.ts";
import { outbox, signatureRequests, signatures } from "../../db/schema/index.ts";
import { demoAgreement } from "../../db/seeds/demo-agreement.ts";
import { demoOrganisation } from "../../db/seeds/demo-organisation.ts";
import { applySeeds } from "../../db/seeds/seed.ts";
import { createTestApp, manualClock, type TestApp } from "../../test/helpers/app.ts";
import { resetDatabase, testDatabase } from "../../test/helpers/db.ts";
import { agreementCommands } from "./agreements/commands.ts";
import { hireRequestJob, signatureReminderJob } from "./agreements/jobs.ts";

const adminToken = `adm-${"x".repeat(40)}`;
const origin = "http://127.0.0.1:8787";
let database: Database;
let t: TestApp;
let clock: ReturnType<typeof manualClock>;

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const sha = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");
const send = (method: string, body: unknown, token = adminToken) => ({
  method,
  headers: { "content-type": "application/json", ...bearer(token) },
  body: JSON.stringify(body),
});

async function createKey(scopes: string[], principal: string): Promise<string> {
  const res = await t.request("/api/v1/admin/api-keys", send("POST", { name: "test", principal, scopes }));
  expect(res.status).toBe(201);
  return ((await res.json()) as { key: string }).key;
}

async function seed(): Promise<void> {
  await applySeeds(database, [demoOrganisation, demoAgreement], {
    master: t.services.keys.encryption,
    now: clock.now(),
  });
}

async function requestsFor(role: string): Promise<{ id: string; employeeExternalId: string }[]> {
  const res = await t.request(
    "/api/v1/agreements/confidentiality/signature-requests",
    send("POST", { role }),
  );
  expect(res.status).toBe(200);
  return ((await res.json()) as { requests: { id: string; employeeExternalId: string }[] }).requests;
}

async function requestOf(employee: string): Promise<string> {
  const res = await t.request(
    "/api/v1/agreements/confidentiality/signature-requests",
    send("POST", { employees: [employee] }),
  );
  expect(res.status).toBe(200);
  return ((await res.json()) as { requests: { id: string }[] }).requests[0]?.id as string;
}

async function signingLinks(requestId: string) {
  const res = await t.request(`/api/v1/signature-requests/${requestId}/links`, send("POST", {}));
  expect(res.status).toBe(201);
  const body = (await res.json()) as { signUrl: string; loginUrl: string };
  return { sign: new URL(body.signUrl).pathname, login: new URL(body.loginUrl).pathname };
}

/** Follows the login link as the employee would: its POST opens the session and goes on to the signing page. */
async function loginThrough(loginPath: string, expectedNext: string): Promise<string> {
  const res = await t.request(loginPath, { method: "POST", headers: { origin } });
  expect(res.status).toBe(303);
  expect(res.headers.get("location")).toBe(expectedNext);
  return (res.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
}

async function openPage(path: string, cookie: string, language = "zh-CN") {
  const res = await t.request(path, { headers: { cookie, "accept-language": language } });
  const text = await res.text();
  const csrf = /name="_csrf" value="([^"]+)"/.exec(text)?.[1] ?? "";
  return { status: res.status, text, csrf };
}

function postSign(
  path: string,
  cookie: string,
  fields: Record<string, string>,
  extra: Record<string, string> = {},
) {
  return t.request(path, {
    method: "POST",
    headers: {
      cookie,
      origin,
      "content-type": "application/x-www-form-urlencoded",
      "user-agent": "Mozilla/5.0 (test)",
      "accept-language": "en",
      ...extra,
    },
    body: new URLSearchParams(fields).toString(),
    remote: "10.0.0.5",
  });
}

async function signOnWeb(employee: string, name: string): Promise<{ requestId: string; page: string }> {
  const requestId = await requestOf(employee);
  const links = await signingLinks(requestId);
  const cookie = await loginThrough(links.login, links.sign);
  const { csrf } = await openPage(links.sign, cookie);
  const res = await postSign(
    links.sign,
    cookie,
    { _csrf: csrf, typedName: name },
    { "x-forwarded-for": "203.0.113.9" },
  );
  expect(res.status).toBe(200);
  return { requestId, page: await res.text() };
}

async function signatureOf(requestId: string) {
  const [row] = await database.db.select().from(signatures).where(eq(signatures.requestId, requestId));
  return row;
}

async function outboxKinds(): Promise<string[]> {
  const rows = await database.db.select({ kind: outbox.kind }).from(outbox);
  return rows.map((r) => r.kind).sort();
}

async function countRows(): Promise<Record<string, number>> {
  const [row] = await database.query<Record<string, number>>(
    sql`select (select count(*)::int from signatures) as signatures,
               (select count(*)::int from evidence_entries) as evidence,
               (select count(*)::int from outbox) as outbox,
               (select count(*)::int from used_links) as used_links,
               (select count(*)::int from verifications) as verifications`,
  );
  return row as Record<string, number>;
}

beforeAll(async () => {
  database = await testDatabase();
});

beforeEach(async () => {
  await resetDatabase(database);
  clock = manualClock(new Date("2026-03-02T02:00:00Z")); // Monday 10:00 in Shanghai
  t = await createTestApp(database, {
    clock,
    env: { BATON_ADMIN_TOKEN: adminToken, BATON_TRUSTED_PROXIES: "10.0.0.0/8" },
  });
  await t.services.signer.register();
});

const zhDraft = `---
title: 测试协议
terms:
  appliesTo:
    roles: [engineering]
---
# 测试协议

员工应当保守公司的商业秘密。
`;
const enDraft = `---
title: Test agreement
---
# Test agreement

The employee keeps the company's trade secrets.
`;

describe("agreement versions", () => {
  it("a draft is replaced freely; publishing fixes the hash; a published version never changes", async () => {
    const path = "/api/v1/agreements/test-nda/versions/1";
    const created = await t.request(path, send("PUT", { "zh-CN": zhDraft, en: enDraft }));
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({ status: "draft", hash: null, roles: ["engineering"] });
    const zh = zhDraft.replace("商业秘密", "商业秘密和技术文档");
    const replaced = await t.request(
      path,
      send("PUT", { "zh-CN": zh.replaceAll("\n", "\r\n"), en: enDraft }),
    );
    expect(replaced.status).toBe(200);

    const published = await t.request(`${path}/publish`, send("POST", {}));
    expect(published.status).toBe(200);
    const body = (await published.json()) as {
      status: string;
      hash: string;
      textHashes: Record<string, string>;
    };
    // Stored with \n line ends; the hash recomputed with Node's crypto from the texts as sent.
    expect(body.textHashes).toEqual({ "zh-CN": sha(zh), en: sha(enDraft) });
    expect(body.hash).toBe(sha(sha(zh) + sha(enDraft)));
    expect(body.status).toBe("published");

    const again = await t.request(path, send("PUT", { "zh-CN": zhDraft, en: enDraft }));
    expect(again.status).toBe(409);
    expect((await t.request(`${path}/publish`, send("POST", {}))).status).toBe(409);
    const read = (await (await t.request(path, { headers: bearer(adminToken) })).json()) as {
      texts: { "zh-CN": string };
      hash: string;
    };
    expect(read.texts["zh-CN"]).toBe(zh);
    expect(read.hash).toBe(body.hash);
  });

  it("publishing runs the linter: a penalty for breaching confidentiality is refused (Art. 25), nothing changes", async () => {
    const path = "/api/v1/agreements/bad-nda/versions/1";
    const zh = zhDraft.replace(
      "    roles: [engineering]",
      "    roles: [engineering]\n  penalties:\n    - kind: confidentiality-breach\n      amountFen: 5000000",
    );
    expect((await t.request(path, send("PUT", { "zh-CN": zh, en: enDraft }))).status).toBe(201);
    const refused = await t.request(`${path}/publish`, {
      ...send("POST", {}),
      headers: { ...send("POST", {}).headers, "accept-language": "en" },
    });
    expect(refused.status).toBe(422);
    const error = ((await refused.json()) as { error: { code: string; message: string; details: unknown[] } })
      .error;
    expect(error.message).toContain("1 error");
    expect(error.details).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          severity: "error",
          locale: "zh-CN",
          path: "penalties.0.kind",
          article: expect.stringContaining("25"),
        }),
      ]),
    );
    const read = (await (await t.request(path, { headers: bearer(adminToken) })).json()) as {
      status: string;
    };
    expect(read.status).toBe("draft");
  });

  it("bad input: malformed texts 422 with where, wrong shapes 400, unknown versions 404, scopes and HR only", async () => {
    const path = "/api/v1/agreements/test-nda/versions/1";
    const noFront = await t.request(path, send("PUT", { "zh-CN": "# 无前言", en: enDraft }));
    expect(noFront.status).toBe(422);
    expect(((await noFront.json()) as { error: { details: unknown } }).error.details).toEqual([
      expect.objectContaining({ locale: "zh-CN", line: 1 }),
    ]);
    expect((await t.request(path, send("PUT", { "zh-CN": zhDraft }))).status).toBe(400);
    expect(
      (
        await t.request(
          "/api/v1/agreements/Bad_Id/versions/1",
          send("PUT", { "zh-CN": zhDraft, en: enDraft }),
        )
      ).status,
    ).toBe(400);
    expect(
      (
        await t.request(
          "/api/v1/agreements/test-nda/versions/0",
          send("PUT", { "zh-CN": zhDraft, en: enDraft }),
        )
      ).status,
    ).toBe(400);
    expect((await t.request("/api/v1/agreements/test-nda/versions/7/publish", send("POST", {}))).status).toBe(
      404,
    );
    expect(
      (await t.request("/api/v1/agreements/test-nda/versions/7", { headers: bearer(adminToken) })).status,
    ).toBe(404);

    await seed();
    const reader = await createKey(["employees:read"], "system:hris");
    expect((await t.request(path, send("PUT", { "zh-CN": zhDraft, en: enDraft }, reader))).status).toBe(403);
    const engineer = await createKey(["agreements:write"], "employee:E1101");
    const notHr = await t.request(path, send("PUT", { "zh-CN": zhDraft, en: enDraft }, engineer));
    expect(notHr.status).toBe(403);
    const hr = await createKey(["agreements:write"], "employee:E1301");
    expect((await t.request(path, send("PUT", { "zh-CN": zhDraft, en: enDraft }, hr))).status).toBe(201);
    // Anyone signed in may read agreements.
    expect((await t.request("/api/v1/agreements", { headers: bearer(reader) })).status).toBe(200);
  });

  it("the demo seed publishes a confidentiality agreement with no penalty and no non-compete", async () => {
    await seed();
    const res = await t.request("/api/v1/agreements/confidentiality/versions/1", {
      headers: bearer(adminToken),
    });
    const body = (await res.json()) as {
      status: string;
      roles: string[];
      terms: Record<string, unknown>;
      texts: { "zh-CN": string; en: string };
    };
    expect(body.status).toBe("published");
    expect(body.roles).toEqual(["engineering", "sales", "admin"]);
    expect(body.terms.penalties).toBeUndefined();
    expect(body.terms.nonCompete).toBeUndefined();
    expect(body.texts["zh-CN"]).toContain("第二十五条");
    expect(body.texts.en).toContain("Art. 25");
  });
});

describe("signature requests", () => {
  it("by role: one per employee and version however often asked, each recorded and sent to the person", async () => {
    await seed();
    const first = await requestsFor("engineering");
    expect(first.map((r) => r.employeeExternalId).sort()).toEqual(["E1100", "E1101", "E1102"]);
    const res = await t.request(
      "/api/v1/agreements/confidentiality/signature-requests",
      send("POST", { role: "engineering" }),
    );
    expect(await res.json()).toMatchObject({ created: 0, existing: 3 });
    expect((await outboxKinds()).filter((k) => k === "agreement.signature.requested")).toHaveLength(3);
    const [request] = await database.db
      .select()
      .from(signatureRequests)
      .where(eq(signatureRequests.id, first[0]?.id ?? ""));
    expect(request).toMatchObject({
      status: "pending",
      requestedOn: "2026-03-02",
      dueDate: "2026-03-09",
      reason: "role",
    });
  });

  it("unknown or inactive employees and agreements without a published version change nothing", async () => {
    await seed();
    const unknown = await t.request(
      "/api/v1/agreements/confidentiality/signature-requests",
      send("POST", { employees: ["E1101", "E9999"] }),
    );
    expect(unknown.status).toBe(404);
    expect(await database.db.select().from(signatureRequests)).toHaveLength(0);
    expect(
      (await t.request("/api/v1/agreements/nothing-here/signature-requests", send("POST", { role: "sales" })))
        .status,
    ).toBe(404);
    expect(
      (
        await t.request(
          "/api/v1/agreements/confidentiality/signature-requests",
          send("POST", { role: "sales", employees: ["E1201"] }),
        )
      ).status,
    ).toBe(400);
  });

  it("reminders: the day before due, on the day, daily after; once per request and day; in working hours", async () => {
    await seed();
    const requestId = await requestOf("E1101"); // due 2026-03-09 (Monday)
    const job = signatureReminderJob(t.services);
    const reminders = async () =>
      (await database.db.select().from(outbox))
        .filter((r) => r.kind === "agreement.signature.reminder")
        .map((r) => r.dedupeKey);
    await job.run(new Date("2026-03-06T02:00:00Z"));
    expect(await reminders()).toEqual([]);
    await job.run(new Date("2026-03-08T02:00:00Z")); // Sunday: due-soon is held on a rest day
    expect(await reminders()).toEqual([]);
    await job.run(new Date("2026-03-09T00:30:00Z")); // 08:30 in Shanghai: not yet
    expect(await reminders()).toEqual([]);
    await job.run(new Date("2026-03-09T02:00:00Z"));
    await job.run(new Date("2026-03-09T05:00:00Z"));
    expect(await reminders()).toEqual([`agreement-reminder:${requestId}:2026-03-09`]);
    await job.run(new Date("2026-03-10T02:00:00Z"));
    expect(await reminders()).toHaveLength(2);
  });

  it("on hire: a new employee whose role needs agreements is asked by the tick job, once", async () => {
    await seed();
    const job = hireRequestJob(t.services);
    await job.run(clock.now());
    // The demo people were hired years ago, except E1102 who starts in October: only she is asked.
    const asked = await database.db.select().from(signatureRequests);
    expect(asked).toHaveLength(1);
    const hr = await createKey(["employees:write"], "system:hris");
    const put = await t.request(
      "/api/v1/employees/E2001",
      send("PUT", { name: "林一", entity: "demo-sh", role: "sales", hireDate: "2026-03-01" }, hr),
    );
    expect(put.status).toBe(201);
    await job.run(clock.now());
    await job.run(clock.now());
    const requests = await database.db.select().from(signatureRequests);
    expect(requests).toHaveLength(2);
    expect(requests.find((r) => r.id !== asked[0]?.id)).toMatchObject({
      reason: "hire",
      agreementId: "confidentiality",
      version: 1,
    });
  });
});

describe("signing on the web", () => {
  it("GET shows the full text and its hash and never acts; the POST signs once and offers the copy", async () => {
    await seed();
    const requestId = await requestOf("E1101");
    const links = await signingLinks(requestId);
    const cookie = await loginThrough(links.login, links.sign);
    const before = await countRows();
    const page = await openPage(links.sign, cookie);
    expect(page.status).toBe(200);
    const version = (await (
      await t.request("/api/v1/agreements/confidentiality/versions/1", { headers: bearer(adminToken) })
    ).json()) as {
      hash: string;
    };
    expect(page.text).toContain(version.hash);
    expect(page.text).toContain("员工的义务");
    expect(page.text).toContain("The Employee&#39;s duties");
    expect(page.text).toContain('name="typedName"');
    expect(await countRows()).toEqual(before);

    const signed = await postSign(
      links.sign,
      cookie,
      { _csrf: page.csrf, typedName: " 王 强 " },
      { "x-forwarded-for": "203.0.113.9" },
    );
    expect(signed.status).toBe(200);
    const done = await signed.text();
    expect(done).toContain("Signed");
    const row = await signatureOf(requestId);
    expect(row).toBeDefined();
    expect(done).toContain(`/api/v1/signatures/${row?.id}/copy`);
    expect(done).toContain(`/verify/${row?.verificationId}`);
    const record = row?.record;
    expect(record).toMatchObject({
      surface: "web",
      signedAt: "2026-03-02T02:00:00.000Z",
      employee: { externalId: "E1101", principal: "employee:E1101" },
      agreement: { id: "confidentiality", version: 1, hash: version.hash },
      web: { ip: "203.0.113.9", userAgent: "Mozilla/5.0 (test)" },
      typedName: { matched: true },
    });
    expect(JSON.stringify(record)).not.toContain("王强");
    expect(record?.typedName.sha256).toBe(sha(`${record?.typedName.salt}:王强`));
    const verified = await t.services.signer.verify(row?.jws ?? "", { typ: "baton-signature+jws" });
    expect(verified.payload).toEqual(record);

    // Replaying the link: 409, nothing new.
    const after = await countRows();
    const replay = await postSign(links.sign, cookie, { _csrf: page.csrf, typedName: "王强" });
    expect(replay.status).toBe(409);
    expect(await countRows()).toEqual(after);
    // A fresh link for the same request: the page says it is signed already; signing again is a 409.
    const fresh = await signingLinks(requestId).catch(() => undefined);
    expect(fresh).toBeUndefined();
    expect((await t.request(`/api/v1/signature-requests/${requestId}/links`, send("POST", {}))).status).toBe(
      409,
    );

    // The copy goes out through the outbox and can be downloaded by the employee's own session.
    const [copyRow] = (await database.db.select().from(outbox)).filter((r) => r.kind === "agreement.signed");
    expect(copyRow?.recipient).toEqual({ type: "person", principal: "employee:E1101" });
    expect(copyRow?.data).toMatchObject({ copy: { signatureId: row?.id, record, jws: row?.jws } });
    const copy = await t.request(`/api/v1/signatures/${row?.id}/copy`, { headers: { cookie } });
    expect(copy.status).toBe(200);
    expect(copy.headers.get("content-disposition")).toContain("attachment");
    const copyBody = (await copy.json()) as {
      agreement: { texts: { en: string }; hash: string };
      record: unknown;
    };
    expect(copyBody.record).toEqual(record);
    expect(copyBody.agreement.hash).toBe(version.hash);
  });

  it("an IP is taken from X-Forwarded-For only through a trusted proxy", async () => {
    await seed();
    const requestId = await requestOf("E1101");
    const links = await signingLinks(requestId);
    const cookie = await loginThrough(links.login, links.sign);
    const { csrf } = await openPage(links.sign, cookie);
    const res = await t.request(links.sign, {
      method: "POST",
      headers: {
        cookie,
        origin,
        "content-type": "application/x-www-form-urlencoded",
        "x-forwarded-for": "203.0.113.9",
      },
      body: new URLSearchParams({ _csrf: csrf, typedName: "王强" }).toString(),
      remote: "198.51.100.7",
    });
    expect(res.status).toBe(200);
    expect((await signatureOf(requestId))?.record.web?.ip).toBe("198.51.100.7");
  });

  it("refuses, changing nothing: a forwarded link, no session, no CSRF token, a wrong name, an expired link", async () => {
    await seed();
    const requestId = await requestOf("E1101");
    const links = await signingLinks(requestId);
    const before = await countRows();

    // Someone else (signed in as themselves) opens the forwarded signing link.
    const other = await signingLinks(await requestOf("E1102"));
    const otherCookie = await loginThrough(other.login, other.sign);
    expect((await openPage(links.sign, otherCookie)).status).toBe(403);
    const otherCsrf = (await openPage(other.sign, otherCookie)).csrf;
    expect((await postSign(links.sign, otherCookie, { _csrf: otherCsrf, typedName: "王强" })).status).toBe(
      403,
    );
    // Nobody signed in.
    expect((await t.request(links.sign)).status).toBe(401);
    expect((await postSign(links.sign, "", { typedName: "王强" })).status).toBe(401);

    const cookie = await loginThrough(links.login, links.sign);
    const { csrf } = await openPage(links.sign, cookie);
    expect((await postSign(links.sign, cookie, { typedName: "王强" })).status).toBe(403);
    const wrong = await postSign(links.sign, cookie, { _csrf: csrf, typedName: "王小强" });
    expect(wrong.status).toBe(422);
    expect(await wrong.text()).toContain("not your full name");
    const empty = await postSign(links.sign, cookie, { _csrf: csrf });
    expect(empty.status).toBe(422);
    const rows = await countRows();
    expect(rows.signatures).toBe(0);
    expect(rows.verifications).toBe(before.verifications);
    expect(
      (await database.db.select().from(signatureRequests).where(eq(signatureRequests.id, requestId)))[0]
        ?.status,
    ).toBe("pending");
    // The link was not used up by the refusals: the right name still signs.
    expect((await postSign(links.sign, cookie, { _csrf: csrf, typedName: "王强" })).status).toBe(200);

    // An expired link.
    const late = await signingLinks(await requestOf("E1100"));
    clock.advance(25 * 3600_000);
    expect((await t.request(late.login, { method: "POST", headers: { origin } })).status).toBe(401);
  });

  it("/verify/:id shows a valid signature: what, when, the name masked", async () => {
    await seed();
    const { requestId } = await signOnWeb("E1102", "emily chen");
    const row = await signatureOf(requestId);
    const res = await t.request(`/verify/${row?.verificationId}`, { headers: { "accept-language": "en" } });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain("Verified");
    expect(text).toContain("Confidentiality Agreement (version 1)");
    expect(text).toContain("E**** C***");
    expect(text).not.toContain("Emily");
    expect(text).toContain("March 2, 2026");
    const zh = await (await t.request(`/verify/${row?.verificationId}`)).text();
    expect(zh).toContain("保密协议（第 1 版）");
  });
});

describe("signing from a chat surface", () => {
  it("takes the platform-verified person and the typed name; the platform id must be the employee's", async () => {
    await seed();
    const hr = await createKey(["employees:write", "employees:read"], "system:hris");
    const current = (await (
      await t.request("/api/v1/employees/E1201", { headers: bearer(hr) })
    ).json()) as Record<string, unknown>;
    const {
      externalId: _,
      version: _v,
      updatedAt: _u,
      personalDataErased: _p,
      payFacts: _f,
      personalEmail: _e,
      idNumber: _i,
      bankAccount: _b,
      ...input
    } = current;
    expect(
      (
        await t.request(
          "/api/v1/employees/E1201",
          send("PUT", { ...input, identities: { slack: "U0LIU" } }, hr),
        )
      ).status,
    ).toBe(200);
    const requestId = await requestOf("E1201");
    const { sign } = agreementCommands(t.services);
    const signer = {
      principal: "employee:E1201",
      surface: "slack" as const,
      platformTenantId: "T0DEMO",
      platformUserId: "U0LIU",
      requestHash: "ab".repeat(32),
      signatureHeader: "v0=deadbeef",
    };
    await expect(
      sign({
        requestId,
        signer: { ...signer, platformUserId: "U0SOMEONE" },
        typedName: "刘洋",
      }),
    ).rejects.toMatchObject({ code: "forbidden" });
    await expect(sign({ requestId, signer, typedName: "刘阳" })).rejects.toMatchObject({
      code: "unprocessable",
    });
    await expect(
      sign({
        requestId: "00000000-0000-4000-8000-000000000000",
        signer,
        typedName: "刘洋",
      }),
    ).rejects.toMatchObject({ code: "not_found" });
    const result = await sign({ requestId, signer, typedName: "刘洋" });
    expect(result.record).toMatchObject({
      surface: "slack",
      platform: {
        tenantId: "T0DEMO",
        userId: "U0LIU",
        requestHash: "ab".repeat(32),
        signatureHeader: "v0=deadbeef",
      },
    });
    expect(result.record.web).toBeUndefined();
    await expect(sign({ requestId, signer, typedName: "刘洋" })).rejects.toMatchObject({
      code: "conflict",
    });
    expect(await database.db.select().from(signatures)).toHaveLength(1);
  });
});

describe("the agreement gate of the offboarding check step", () => {
  it("is unsatisfied until the current version is signed; request asks once and nudges an open request once per case", async () => {
    await seed();
    const gate = t.services.gates.find((g) => g.name === "agreement");
    expect(gate).toBeDefined();
    const input = { employeeExternalId: "E1101", role: "engineering", caseId: "case-1", at: clock.now() };
    expect(await gate?.evaluate(input)).toEqual({
      gate: "agreement",
      satisfied: false,
      items: [{ id: "confidentiality@1", title: "Confidentiality Agreement", satisfied: false }],
    });
    const reminders = async () => (await outboxKinds()).filter((k) => k === "agreement.signature.reminder");
    await gate?.request?.(input);
    const requests = await database.db.select().from(signatureRequests);
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({ reason: "offboarding", caseId: "case-1" });
    expect((await outboxKinds()).filter((k) => k === "agreement.signature.requested")).toHaveLength(1);
    expect(await reminders()).toHaveLength(0);
    // Asked again while the request is open: one nudge per case, however often.
    await gate?.request?.(input);
    await gate?.request?.(input);
    expect(await reminders()).toHaveLength(1);
    await gate?.request?.({ ...input, caseId: "case-2" });
    expect(await reminders()).toHaveLength(2);
    expect(await database.db.select().from(signatureRequests)).toHaveLength(1);

    const links = await signingLinks(requests[0]?.id ?? "");
    const cookie = await loginThrough(links.login, links.sign);
    const { csrf } = await openPage(links.sign, cookie);
    expect((await postSign(links.sign, cookie, { _csrf: csrf, typedName: "王强" })).status).toBe(200);
    expect((await gate?.evaluate(input))?.satisfied).toBe(true);
    // A role with nothing to sign passes.
    expect(await gate?.evaluate({ ...input, role: "legal" })).toMatchObject({ satisfied: true, items: [] });
  });
});

describe("evidence bundles", () => {
  async function exportBundle(requestId: string): Promise<EvidenceBundle> {
    const row = await signatureOf(requestId);
    // Other people's evidence after the signature, so the segment has redacted links.
    await requestOf("E1202");
    await t.services.chainWriter.runOnce();
    const reader = await createKey(["evidence:read"], "system:auditor");
    const res = await t.request(`/api/v1/signatures/${row?.id}/bundle`, { headers: bearer(reader) });
    expect(res.status).toBe(200);
    return (await res.json()) as EvidenceBundle;
  }

  it("verify offline against the pinned key; any changed byte is caught and named; another key is refused", async () => {
    await seed();
    const { requestId } = await signOnWeb("E1101", "王强");
    await t.services.chainWriter.runOnce();
    const bundle = await exportBundle(requestId);
    const fingerprint = t.services.keys.signing.fingerprint;
    expect(bundle.chain.links.length).toBeGreaterThan(1);
    expect(bundle.chain.links[0]?.entry?.action).toBe("agreement.signed");
    expect(bundle.chain.links.slice(1).every((l) => l.entry === undefined && l.entryHash)).toBe(true);
    expect(JSON.stringify(bundle)).not.toContain("刘洋"); // other people's entries hold no names anyway, and are reduced to hashes

    const good = await verifyEvidenceBundle(bundle, fingerprint.toUpperCase());
    expect(good.checks.filter((c) => !c.ok)).toEqual([]);
    expect(good.ok).toBe(true);

    const failing = async (change: (b: EvidenceBundle) => void) => {
      const copy = structuredClone(bundle);
      change(copy);
      const result = await verifyEvidenceBundle(copy, fingerprint);
      expect(result.ok).toBe(false);
      return result.checks.filter((c) => !c.ok).map((c) => c.check);
    };
    expect(
      await failing((b) => (b.agreement.texts.en = b.agreement.texts.en.replace("Art. 25", "Art. 26"))),
    ).toEqual(["text"]);
    expect(await failing((b) => (b.record.signedAt = "2026-03-01T02:00:00.000Z"))).toEqual([
      "record",
      "entry",
    ]);
    expect(await failing((b) => ((b.record.web as { ip: string }).ip = "192.0.2.1"))).toEqual([
      "record",
      "entry",
    ]);
    expect(
      await failing((b) => {
        const entry = b.chain.links[0]?.entry;
        if (entry) entry.data.surface = "lark";
      }),
    ).toEqual(["chain", "segment"]);
    expect(
      await failing((b) => {
        const link = b.chain.links[1];
        if (link) link.hash = `${link.hash.slice(0, 63)}${link.hash.endsWith("0") ? "1" : "0"}`;
      }),
    ).toEqual(["chain", "segment"]);
    expect(
      await failing((b) => {
        const link = b.chain.links[1];
        if (link) link.entryHash = "0".repeat(64);
      }),
    ).toEqual(["segment"]);
    const named = await verifyEvidenceBundle(
      {
        ...bundle,
        chain: {
          ...bundle.chain,
          links: bundle.chain.links.map((l, i) => (i === 1 ? { ...l, prevHash: "f".repeat(64) } : l)),
        },
      },
      fingerprint,
    );
    expect(named.checks.find((c) => c.check === "chain")?.detail).toBe(
      `chain link #${bundle.chain.links[1]?.seq} (${bundle.chain.links[1]?.entryId}): prev link broken`,
    );

    // A bundle that brings its own key (re-signed by someone else) is refused against the pinned one.
    const other = await createTestApp(database, { clock });
    await other.services.signer.register();
    const forged = structuredClone(bundle);
    forged.jws = (await other.services.signer.sign(forged.record, "baton-signature+jws")).jws;
    forged.keys = [
      {
        kty: "OKP",
        crv: "Ed25519",
        x: String(other.services.keys.signing.publicJwk.x),
        kid: other.services.keys.signing.kid,
      },
    ];
    const refused = await verifyEvidenceBundle(forged, fingerprint);
    expect(refused.ok).toBe(false);
    expect(refused.checks).toEqual([
      { check: "format", ok: true, detail: expect.any(String) },
      { check: "key", ok: false, detail: expect.stringContaining("refused") },
    ]);
    expect((await verifyEvidenceBundle(bundle, "not-a-fingerprint")).ok).toBe(false);
    expect((await verifyEvidenceBundle({ format: "nope" }, fingerprint)).checks[0]?.check).toBe("format");
  });

  it("an independent implementation (Node's crypto, not Baton's code) verifies the bundle", async () => {
    await seed();
    const { requestId } = await signOnWeb("E1101", "王强");
    await t.services.chainWriter.runOnce();
    const bundle = await exportBundle(requestId);
    const canonical = (value: unknown): string => {
      if (value === null || typeof value !== "object") return JSON.stringify(value);
      if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
      const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) =>
        a < b ? -1 : a > b ? 1 : 0,
      );
      return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
    };
    const [jwk] = bundle.keys;
    // The pinned fingerprint: SHA-256 of the raw 32-byte public key.
    expect(
      createHash("sha256")
        .update(Buffer.from(String(jwk?.x), "base64url"))
        .digest("hex"),
    ).toBe(t.services.keys.signing.fingerprint);
    const key = createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: String(jwk?.x) }, format: "jwk" });
    const [h, p, s] = bundle.jws.split(".") as [string, string, string];
    expect(verifySignature(null, Buffer.from(`${h}.${p}`), key, Buffer.from(s, "base64url"))).toBe(true);
    const payload = JSON.parse(Buffer.from(p, "base64url").toString("utf8")) as Record<string, unknown>;
    expect(canonical(payload)).toBe(canonical(bundle.record));
    // The text hash.
    const { texts } = bundle.agreement;
    expect(sha(sha(texts["zh-CN"]) + sha(texts.en))).toBe(bundle.record.agreement.hash);
    // The record's entry carries the hash of the record without its chain position.
    const { evidenceEntryId, ...facts } = bundle.record;
    const first = bundle.chain.links[0];
    expect(first?.entryId).toBe(evidenceEntryId);
    expect(first?.entry?.data.recordHash).toBe(sha(canonical(facts)));
    // The chain: the entry recomputed, every later link linked to the one before, up to the head.
    let prev = bundle.chain.start.hash;
    for (const link of bundle.chain.links) {
      expect(link.prevHash).toBe(prev);
      if (link.entry) {
        const { id, at, actor, action, subject, data } = link.entry;
        expect(sha(prev + canonical({ id, at, actor, action, subject, data }))).toBe(link.hash);
      }
      prev = link.hash;
    }
    expect(prev).toBe(bundle.chain.head.hash);
  });

  it("bundles need evidence:read; unknown signatures are 404", async () => {
    await seed();
    const { requestId } = await signOnWeb("E1101", "王强");
    const row = await signatureOf(requestId);
    const writer = await createKey(["agreements:write"], "system:hris");
    expect(
      (await t.request(`/api/v1/signatures/${row?.id}/bundle`, { headers: bearer(writer) })).status,
    ).toBe(403);
    // Signed a moment ago and not chained yet: the export chains first.
    const res = await t.request(`/api/v1/signatures/${row?.id}/bundle`, { headers: bearer(adminToken) });
    expect(res.status).toBe(200);
    expect(
      (
        await t.request("/api/v1/signatures/00000000-0000-4000-8000-000000000000/bundle", {
          headers: bearer(adminToken),
        })
      ).status,
    ).toBe(404);
    expect((await t.request("/api/v1/signatures/nope/bundle", { headers: bearer(adminToken) })).status).toBe(
      404,
    );
  });
});
