import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { certificateJwsType } from "../../core/certificate/record.ts";
import type { Database } from "../../db/client.ts";
import { caseSteps, cases } from "../../db/schema/index.ts";
import { createTestApp, manualClock, type TestApp } from "../../test/helpers/app.ts";
import { resetDatabase, testDatabase } from "../../test/helpers/db.ts";

const adminToken = `adm-${"c".repeat(40)}`;
let database: Database;
let t: TestApp;
let clock: ReturnType<typeof manualClock>;

// 2026-03-30 23:00 in Shanghai: the day before the last day.
const eveOfLastDay = new Date("2026-03-30T15:00:00Z");
const lastDay = "2026-03-31";

const send = (method: string, body: unknown, token = adminToken) => ({
  method,
  headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
  body: JSON.stringify(body),
});
const get = (token = adminToken) => ({ headers: { authorization: `Bearer ${token}` } });

async function key(principal: string, scopes: string[]): Promise<string> {
  const res = await t.request("/api/v1/admin/api-keys", send("POST", { name: "t", principal, scopes }));
  expect(res.status).toBe(201);
  return ((await res.json()) as { key: string }).key;
}

async function put(externalId: string, body: Record<string, unknown>) {
  const res = await t.request(`/api/v1/employees/${externalId}`, send("PUT", body));
  expect(res.status, await res.clone().text()).toBeLessThan(300);
}

const leaver = {
  name: "林一",
  idNumber: "310101199001011234",
  entity: "acme-sh",
  position: "高级工程师 Senior Engineer",
  managerExternalId: "M1",
  hireDate: "2024-03-01",
  serviceStartDate: "2023-09-15",
  contractType: "fixed",
  contractStartDate: "2024-03-01",
  contractEndDate: "2027-02-28",
};

/**
 * Opens a case the way the cases module stores it (rows in `cases` and `case_steps`), with the
 * handover still open and HR's `procedures` step owned by H1.
 */
async function openCase(
  employeeExternalId: string,
  id = `case-${employeeExternalId}`,
  plannedLastDay = lastDay,
) {
  const [employee] = await database.query<{ id: string }>(
    sql`select id from employees where external_id = ${employeeExternalId}`,
  );
  await database.db.insert(cases).values({
    id,
    employeeId: employee?.id as string,
    separationType: "resignation",
    templateId: "cn-standard",
    templateVersion: 1,
    region: "CN",
    timeZone: "Asia/Shanghai",
    entityId: "acme-sh",
    probation: false,
    noticeDate: "2026-03-01",
    noticeReceivedAt: new Date("2026-03-01T02:00:00Z"),
    noticeChannel: "api",
    legalLastDay: plannedLastDay,
    plannedLastDay,
    status: "open",
    openedBy: "system:admin",
    openedOn: "2026-03-01",
  });
  await database.db.insert(caseSteps).values([
    {
      caseId: id,
      key: "handover",
      position: 4,
      ownerRole: "manager",
      owner: "employee:M1",
      status: "active",
      dueDate: "2026-03-27",
    },
    {
      caseId: id,
      key: "procedures",
      position: 6,
      ownerRole: "hr",
      owner: "employee:H1",
      status: "pending",
      dueDate: plannedLastDay,
    },
  ]);
  return id;
}

type CertificateJson = {
  id: string;
  version: number;
  status: string;
  verifyUrl: string;
  pdfUrl: string;
  jws: string;
  contentHash: string;
  pdfHash: string;
  replacedBy: string | null;
  deliveries: { channel: string; status: string }[];
};

const issue = (caseId: string, token = adminToken, body: unknown = { yearsOfServiceConfirmed: true }) =>
  t.request(`/api/v1/cases/${caseId}/certificate`, send("POST", body, token));

async function issued(caseId: string, token = adminToken): Promise<CertificateJson> {
  const res = await issue(caseId, token);
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as CertificateJson;
}

async function outboxRows(kind?: string) {
  const rows = await database.query<{
    kind: string;
    recipient: { type: string; principal?: string; purpose?: string };
    data: Record<string, unknown>;
    dedupe_key: string;
    urgency: string;
  }>(sql`select kind, recipient, data, dedupe_key, urgency from outbox order by id`);
  return kind ? rows.filter((r) => r.kind === kind) : rows;
}

async function evidence(action: string) {
  return database.query<{ actor: string; data: Record<string, unknown> }>(
    sql`select actor, data from evidence_entries where action = ${action} order by ingest`,
  );
}

async function hrKey(): Promise<string> {
  return key("employee:H1", ["cases:admin", "cases:read"]);
}

beforeAll(async () => {
  database = await testDatabase();
});

beforeEach(async () => {
  await resetDatabase(database);
  clock = manualClock(eveOfLastDay);
  t = await createTestApp(database, {
    clock,
    env: { BATON_ADMIN_TOKEN: adminToken, BATON_PUBLIC_URL: "https://baton.example.com" },
  });
  const entity = await t.request(
    "/api/v1/entities/acme-sh",
    send("PUT", { name: "示例（上海）科技有限公司 Acme (Shanghai) Ltd.", city: "Shanghai" }),
  );
  expect(entity.status).toBe(200);
  await put("HM", { name: "人事总监", entity: "acme-sh", functions: ["hr"] });
  await put("H1", { name: "人事专员", entity: "acme-sh", functions: ["hr"], managerExternalId: "HM" });
  await put("M1", { name: "经理", entity: "acme-sh" });
  await put("E1", leaver);
});

describe("issuing the separation certificate", () => {
  it("waits for the last day in the case's time zone (Art. 50), then issues with the handover still open", async () => {
    const caseId = await openCase("E1");
    const hr = await hrKey();
    const early = await issue(caseId, hr);
    expect(early.status).toBe(422);
    const message = ((await early.json()) as { error: { message: string } }).error.message;
    expect(message).toContain("Art. 50");
    expect(message).toContain(lastDay);
    const zh = await t.request(`/api/v1/cases/${caseId}/certificate`, {
      ...send("POST", { yearsOfServiceConfirmed: true }, hr),
      headers: { ...send("POST", {}, hr).headers, "accept-language": "zh-CN" },
    });
    expect(((await zh.json()) as { error: { message: string } }).error.message).toContain("第五十条");

    // 00:30 on the last day in Shanghai, still the 30th in UTC.
    clock.advance(90 * 60_000);
    const handover = await database.query<{ status: string }>(
      sql`select status from case_steps where case_id = ${caseId} and key = 'handover'`,
    );
    expect(handover[0]?.status).toBe("active"); // nothing gates the certificate
    const certificate = await issued(caseId, hr);
    expect(certificate).toMatchObject({ version: 1, status: "issued" });
    expect(certificate.verifyUrl).toMatch(/^https:\/\/baton\.example\.com\/verify\/[A-Za-z0-9_-]{22}$/);
    expect(certificate.deliveries).toEqual([
      expect.objectContaining({ channel: "notification", status: "pending" }),
    ]);
    const [entry] = await evidence("certificate.issued");
    expect(entry).toMatchObject({
      actor: "employee:H1",
      data: { certificateId: certificate.id, version: 1, yearsOfServiceConfirmed: true },
    });
    // Evidence holds ids and hashes: no name, no ID number.
    expect(JSON.stringify(await database.query(sql`select data from evidence_entries`))).not.toMatch(
      /林一|310101199001011234/,
    );
  });

  it("lets only HR issue: not a manager, not the leaver, not HR on their own case", async () => {
    clock.advance(3 * 3600_000);
    const caseId = await openCase("E1");
    const manager = await key("employee:M1", ["cases:admin"]);
    const self = await key("employee:E1", ["cases:admin"]);
    for (const token of [manager, self]) {
      const res = await issue(caseId, token);
      expect(res.status).toBe(403);
      expect(((await res.json()) as { error: { message: string } }).error.message).toContain("Only HR");
    }
    await put("H2", { ...leaver, name: "人事离职者", functions: ["hr"], idNumber: "310101199001015555" });
    const ownCase = await openCase("H2");
    const ownKey = await key("employee:H2", ["cases:admin"]);
    const own = await issue(ownCase, ownKey);
    expect(own.status).toBe(403);
    expect(((await own.json()) as { error: { message: string } }).error.message).toContain("own case");
    const readOnly = await key("employee:H1", ["cases:read"]);
    expect((await issue(caseId, readOnly)).status).toBe(403);
    expect(await database.query(sql`select id from certificates`)).toEqual([]);
    // A system key with cases:admin acts for HR.
    const system = await key("system:hris", ["cases:admin"]);
    expect((await issue(caseId, system)).status).toBe(201);
  });

  it("names what HR must enter, and wants the years of service confirmed", async () => {
    clock.advance(3 * 3600_000);
    await put("E2", { ...leaver, idNumber: null, position: null, contractEndDate: null });
    const caseId = await openCase("E2");
    const missing = await issue(caseId);
    expect(missing.status).toBe(422);
    const body = (await missing.json()) as { error: { message: string; details: { field: string }[] } };
    expect(body.error.message).toBe(
      "Before the certificate can be issued, enter: idNumber, position, contractEndDate.",
    );
    expect(body.error.details.map((d) => d.field)).toEqual(["idNumber", "position", "contractEndDate"]);

    const ok = await openCase("E1");
    const unconfirmed = await issue(ok, adminToken, { yearsOfServiceConfirmed: false });
    expect(unconfirmed.status).toBe(422);
    expect(((await unconfirmed.json()) as { error: { message: string } }).error.message).toContain(
      "2 years 6 months 17 days",
    );
    expect((await issue(ok, adminToken, {})).status).toBe(400);
    expect((await issue(ok, adminToken, { yearsOfServiceConfirmed: true, remarks: "late" })).status).toBe(
      400,
    );
    expect((await issue("no-such-case")).status).toBe(404);
    expect(await database.query(sql`select id from certificates`)).toEqual([]);
    expect(await outboxRows()).toEqual([]);
  });

  it("shows HR the draft to review before issuing, ID number masked", async () => {
    const caseId = await openCase("E1");
    const res = await t.request(`/api/v1/cases/${caseId}/certificate`, get());
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown> & {
      draft: { yearsOfService: { zh: string; en: string }; content: { employee: { idNumber: string } } };
    };
    expect(body).toMatchObject({ due: false, current: null, versions: [], plannedLastDay: lastDay });
    expect(body.draft.yearsOfService).toMatchObject({ zh: "2年6个月17天", en: "2 years 6 months 17 days" });
    expect(body.draft.content.employee.idNumber).toBe("**************1234");
  });

  it("answers a repeat with the same certificate: one row, one evidence entry, one message", async () => {
    clock.advance(3 * 3600_000);
    const caseId = await openCase("E1");
    const first = await issued(caseId);
    const again = await issue(caseId);
    expect(again.status).toBe(200);
    expect(((await again.json()) as CertificateJson).id).toBe(first.id);
    const [a, b] = await Promise.all([issue(caseId), issue(caseId)]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(await database.query(sql`select id from certificates`)).toHaveLength(1);
    expect(await evidence("certificate.issued")).toHaveLength(1);
    expect(await outboxRows("certificate.issued")).toHaveLength(1);
  });

  it("issues once when two requests race (a double click), answering both with the same certificate", async () => {
    clock.advance(3 * 3600_000);
    const caseId = await openCase("E1");
    const responses = await Promise.all([issue(caseId), issue(caseId), issue(caseId)]);
    expect(responses.map((r) => r.status).sort()).toEqual([200, 200, 201]);
    const ids = await Promise.all(responses.map(async (r) => ((await r.json()) as CertificateJson).id));
    expect(new Set(ids).size).toBe(1);
    expect(await database.query(sql`select id from certificates`)).toHaveLength(1);
    expect(await database.query(sql`select id from verifications`)).toHaveLength(1);
    expect(await evidence("certificate.issued")).toHaveLength(1);
    expect(await outboxRows("certificate.issued")).toHaveLength(1);
  });

  it("queues certificate.issued to the employee with a download link, and signs only hashes and ids", async () => {
    clock.advance(3 * 3600_000);
    const caseId = await openCase("E1");
    const certificate = await issued(caseId);
    const [row] = await outboxRows("certificate.issued");
    expect(row).toMatchObject({
      recipient: { type: "person", principal: "employee:E1" },
      urgency: "legal",
      dedupe_key: `certificate.issued:${certificate.id}`,
      data: { caseId, certificateId: certificate.id, version: 1, verifyUrl: certificate.verifyUrl },
    });
    expect(String(row?.data.downloadUrl)).toMatch(/^https:\/\/baton\.example\.com\/a\//);

    const verified = await t.services.signer.verify(certificate.jws, { typ: certificateJwsType });
    expect(verified.payload).toMatchObject({
      sub: `certificate:${certificate.id}`,
      caseId,
      version: 1,
      entityId: "acme-sh",
      terminationDate: lastDay,
      issueDate: lastDay,
      contentHash: certificate.contentHash,
    });
    expect(JSON.stringify(verified.payload)).not.toMatch(/林一|310101199001011234|高级工程师/);
    expect(Object.keys(verified.payload).sort()).toEqual([
      "caseId",
      "certificateId",
      "contentFormat",
      "contentHash",
      "entityId",
      "issueDate",
      "replaces",
      "sub",
      "terminationDate",
      "version",
    ]);

    // Whoever holds the content (HR with the sensitive scope) can recompute the signed hash.
    const sensitive = await key("employee:H1", ["cases:read", "employees:sensitive"]);
    const content = await t.request(`/api/v1/certificates/${certificate.id}/content`, get(sensitive));
    expect(content.status).toBe(200);
    const json = await content.text();
    expect(createHash("sha256").update(json).digest("hex")).toBe(certificate.contentHash);
    expect(JSON.parse(json)).toMatchObject({ employee: { name: "林一", idNumber: "310101199001011234" } });
    const noScope = await key("employee:H1", ["cases:read"]);
    expect((await t.request(`/api/v1/certificates/${certificate.id}/content`, get(noScope))).status).toBe(
      403,
    );
  });

  it("serves the PDF to HR: the one delivered, with the Chinese text and the verify address", async () => {
    clock.advance(3 * 3600_000);
    const caseId = await openCase("E1");
    const certificate = await issued(caseId);
    const res = await t.request(certificate.pdfUrl, get(await hrKey()));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/pdf");
    expect(res.headers.get("cache-control")).toBe("no-store");
    const pdf = new Uint8Array(await res.arrayBuffer());
    expect(createHash("sha256").update(pdf).digest("hex")).toBe(certificate.pdfHash);
    const file = path.join(mkdtempSync(path.join(tmpdir(), "baton-cert-")), "c.pdf");
    writeFileSync(file, pdf);
    const text = execFileSync("pdftotext", ["-enc", "UTF-8", file, "-"]).toString("utf8");
    for (const expected of [
      "离职证明",
      "示例（上海）科技有限公司",
      "林一",
      "310101199001011234",
      certificate.verifyUrl,
    ]) {
      expect(text).toContain(expected);
    }
    const stranger = await key("employee:M1", ["cases:read"]);
    expect((await t.request(certificate.pdfUrl, get(stranger))).status).toBe(403);
    expect((await t.request("/api/v1/certificates/not-a-uuid.pdf", get())).status).toBe(404);
  });
  it("after the employee's personal data is erased, the PDF is gone but the record still verifies", async () => {
    clock.advance(3 * 3600_000);
    const caseId = await openCase("E1");
    const certificate = await issued(caseId);
    const erase = await t.request(
      "/api/v1/employees/E1/erase-personal-data",
      send("POST", { reason: "retention period over" }),
    );
    expect(erase.status).toBe(200);
    const pdf = await t.request(certificate.pdfUrl, get());
    expect(pdf.status).toBe(410);
    expect(((await pdf.json()) as { error: { message: string } }).error.message).toContain("erased");
    const stored = await database.query<{ content: unknown; pdf: unknown }>(
      sql`select content, pdf from certificates`,
    );
    expect(JSON.stringify(stored)).not.toMatch(/林一|310101199001011234/); // sealed, never in clear
    expect((await t.services.signer.verify(certificate.jws)).payload.contentHash).toBe(
      certificate.contentHash,
    );
    expect(await (await t.request(new URL(certificate.verifyUrl).pathname)).text()).toContain("验证通过");
  });
});

describe("correcting: revoke and reissue", () => {
  it("revokes (the verify page says so), reissues as version 2, and keeps both records", async () => {
    clock.advance(3 * 3600_000);
    const caseId = await openCase("E1");
    const hr = await hrKey();
    const first = await issued(caseId, hr);
    const verifyPath = new URL(first.verifyUrl).pathname;
    const valid = await t.request(verifyPath, { headers: { "accept-language": "en" } });
    expect(valid.status).toBe(200);
    const validText = await valid.text();
    expect(validText).toContain("Verified");
    expect(validText).toContain("林*");
    expect(validText).not.toContain("林一");

    const manager = await key("employee:M1", ["cases:admin"]);
    expect(
      (await t.request(`/api/v1/certificates/${first.id}/revoke`, send("POST", { reason: "wrong" }, manager)))
        .status,
    ).toBe(403);
    const revoked = await t.request(
      `/api/v1/certificates/${first.id}/revoke`,
      send("POST", { reason: "position corrected" }, hr),
    );
    expect(revoked.status).toBe(200);
    expect(await revoked.json()).toMatchObject({ status: "revoked", revokedBy: "employee:H1" });
    const again = await t.request(
      `/api/v1/certificates/${first.id}/revoke`,
      send("POST", { reason: "position corrected" }, hr),
    );
    expect(again.status).toBe(200);
    expect(await evidence("certificate.revoked")).toHaveLength(1);
    expect(await outboxRows("certificate.revoked")).toHaveLength(1);
    const page = await t.request(verifyPath, { headers: { "accept-language": "en" } });
    expect(await page.text()).toContain("Revoked");

    await put("E1", { ...leaver, position: "主任工程师 Principal Engineer" });
    const second = await issued(caseId, hr);
    expect(second.version).toBe(2);
    expect(second.contentHash).not.toBe(first.contentHash);
    expect(await (await t.request(new URL(second.verifyUrl).pathname)).text()).toContain("验证通过");
    expect(await (await t.request(verifyPath)).text()).toContain("已撤销");
    const listing = (await (await t.request(`/api/v1/cases/${caseId}/certificate`, get(hr))).json()) as {
      current: CertificateJson;
      versions: CertificateJson[];
      draft: unknown;
    };
    expect(listing.current.id).toBe(second.id);
    expect(listing.versions.map((v) => [v.version, v.status, v.replacedBy])).toEqual([
      [2, "issued", null],
      [1, "revoked", second.id],
    ]);
    expect(listing.draft).toBeNull();
    const payload = await t.services.signer.verify(second.jws);
    expect(payload.payload.replaces).toBe(first.id);
    expect(await outboxRows("certificate.issued")).toHaveLength(2);
  });
});

describe("the employee's download link", () => {
  it("shows a page on GET, acts on POST once (a receipt), and leads to the PDF for a few minutes", async () => {
    clock.advance(3 * 3600_000);
    const caseId = await openCase("E1");
    const certificate = await issued(caseId);
    const [row] = await outboxRows("certificate.issued");
    const linkPath = new URL(String(row?.data.downloadUrl)).pathname;

    const shown = await t.request(linkPath);
    expect(shown.status).toBe(200);
    const page = await shown.text();
    expect(page).toContain("下载 PDF");
    expect(await evidence("certificate.downloaded")).toEqual([]);

    const posted = await t.request(linkPath, {
      method: "POST",
      headers: { origin: "https://baton.example.com" },
    });
    expect(posted.status).toBe(303);
    const filePath = posted.headers.get("location") ?? "";
    expect(filePath).toMatch(/^\/certificates\/file\//);
    const file = await t.request(filePath);
    expect(file.status).toBe(200);
    expect(file.headers.get("content-disposition")).toContain("attachment");
    const bytes = new Uint8Array(await file.arrayBuffer());
    expect(createHash("sha256").update(bytes).digest("hex")).toBe(certificate.pdfHash);
    expect((await t.request(filePath)).status).toBe(200); // a browser retry works

    expect(await evidence("certificate.downloaded")).toEqual([
      expect.objectContaining({
        actor: "employee:E1",
        data: expect.objectContaining({ certificateId: certificate.id }),
      }),
    ]);
    const listing = (await (await t.request(`/api/v1/cases/${caseId}/certificate`, get())).json()) as {
      current: CertificateJson;
    };
    expect(listing.current.deliveries.map((d) => [d.channel, d.status])).toEqual([
      ["notification", "pending"],
      ["download", "downloaded"],
    ]);
    expect(
      (await t.request(linkPath, { method: "POST", headers: { origin: "https://baton.example.com" } }))
        .status,
    ).toBe(409);

    clock.advance(11 * 60_000);
    expect((await t.request(filePath)).status).toBe(401);
    expect(t.logs.join("\n")).not.toContain(filePath.split("/").pop() as string);
  });

  it("stops serving a revoked certificate", async () => {
    clock.advance(3 * 3600_000);
    const caseId = await openCase("E1");
    const certificate = await issued(caseId);
    const [row] = await outboxRows("certificate.issued");
    const linkPath = new URL(String(row?.data.downloadUrl)).pathname;
    await t.request(
      `/api/v1/certificates/${certificate.id}/revoke`,
      send("POST", { reason: "typo in name" }),
    );
    const posted = await t.request(linkPath, {
      method: "POST",
      headers: { origin: "https://baton.example.com" },
    });
    expect(posted.status).toBe(410);
    expect(await evidence("certificate.downloaded")).toEqual([]);
  });
});

describe("unissued on the last day", () => {
  const runJob = async (at: Date) => {
    const job = t.services.tickJobs.find((j) => j.name === "certificate.unissued");
    expect(job).toBeDefined();
    await job?.run(at);
  };

  it("alerts HR's channel, the HR owner and their manager once per case and day, until it is issued", async () => {
    const caseId = await openCase("E1");
    await runJob(clock.now()); // the eve: nothing yet
    expect(await outboxRows("hr.alert")).toEqual([]);

    clock.advance(90 * 60_000); // 00:30 on the last day in Shanghai
    await runJob(clock.now());
    await runJob(new Date(clock.now().getTime() + 60_000));
    const alerts = await outboxRows("hr.alert");
    expect(alerts.map((a) => a.recipient)).toEqual([
      { type: "channel", purpose: "hr", entityId: "acme-sh" },
      { type: "person", principal: "employee:H1" },
      { type: "person", principal: "employee:HM" },
    ]);
    for (const alert of alerts) {
      expect(alert.urgency).toBe("legal");
      expect(alert.data).toMatchObject({ alert: "certificate.unissued", caseId, plannedLastDay: lastDay });
    }

    clock.advance(24 * 3600_000); // the day after: once more
    await runJob(clock.now());
    expect(await outboxRows("hr.alert")).toHaveLength(6);

    await issued(caseId);
    clock.advance(24 * 3600_000);
    await runJob(clock.now());
    expect(await outboxRows("hr.alert")).toHaveLength(6);
  });
});

describe("with a case opened through the cases API", () => {
  it("issues on the last day whatever the steps say, and the alert follows HR's reassignment", async () => {
    const moveTo = (at: string) => clock.advance(new Date(at).getTime() - clock.now().getTime());
    moveTo("2026-03-02T02:00:00Z"); // the day after the notice arrived
    const opened = await t.request("/api/v1/resignations", {
      ...send("POST", { employeeExternalId: "E1", noticeDate: "2026-03-01" }),
      headers: { ...send("POST", {}).headers, "idempotency-key": "notice-E1" },
    });
    expect(opened.status, await opened.clone().text()).toBe(201);
    const kase = (await opened.json()) as { id: string; plannedLastDay: string };
    expect(kase.plannedLastDay).toBe(lastDay); // notice + 30 days (Art. 37)
    const reassigned = await t.request(
      `/api/v1/cases/${kase.id}/steps/procedures/reassign`,
      send("POST", { owner: "H1", reason: "H1 handles E1's exit" }),
    );
    expect(reassigned.status, await reassigned.clone().text()).toBe(200);

    moveTo("2026-03-30T16:30:00Z"); // 00:30 on the last day in Shanghai
    const job = t.services.tickJobs.find((j) => j.name === "certificate.unissued");
    await job?.run(clock.now());
    const alerts = (await outboxRows("hr.alert")).filter((a) => a.data.alert === "certificate.unissued");
    expect(alerts.map((a) => a.recipient)).toEqual([
      { type: "channel", purpose: "hr", entityId: "acme-sh" },
      { type: "person", principal: "employee:H1" },
      { type: "person", principal: "employee:HM" },
    ]);

    const view = (await (await t.request(`/api/v1/cases/${kase.id}`, get())).json()) as {
      steps: { key: string; status: string }[];
    };
    expect(view.steps.find((s) => s.key === "handover")?.status).not.toBe("done");
    const certificate = await issued(kase.id, await hrKey());
    expect(certificate).toMatchObject({ version: 1, status: "issued", terminationDate: lastDay });
  });
});
