import { sql } from "drizzle-orm";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Database } from "../../db/client.ts";
import { createTestApp, type TestApp } from "../../test/helpers/app.ts";
import { resetDatabase, testDatabase } from "../../test/helpers/db.ts";

const adminToken = `adm-${"d".repeat(40)}`;
let database: Database;
let t: TestApp;

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

async function put(externalId: string, body: Record<string, unknown>, token = adminToken) {
  return t.request(`/api/v1/employees/${externalId}`, send("PUT", body, token));
}

const secrets = {
  personalEmail: "lin.home@private-mail.test",
  idNumber: "310101199001017777",
  bankAccount: "6222020200112233445",
};

beforeAll(async () => {
  database = await testDatabase();
});

beforeEach(async () => {
  await resetDatabase(database);
  t = await createTestApp(database, { env: { BATON_ADMIN_TOKEN: adminToken } });
  const entity = await t.request(
    "/api/v1/entities/acme-sh",
    send("PUT", {
      name: "Acme (Shanghai) Ltd.",
      city: "Shanghai",
      wageRates: [{ kind: "minimum_monthly", amountFen: 274000, effectiveFrom: "2025-07-01" }],
    }),
  );
  expect(entity.status).toBe(200);
  expect(await put("M1", { name: "经理 Boss", entity: "acme-sh", functions: ["hr"] })).toHaveProperty(
    "status",
    201,
  );
});

describe("employees API", () => {
  it("creates, reads masked, and reveals personal fields only with employees:sensitive", async () => {
    const created = await put("E1", {
      name: "林一",
      email: "lin@acme.test",
      ...secrets,
      entity: "acme-sh",
      department: "Engineering",
      role: "engineering",
      position: "Engineer",
      managerExternalId: "M1",
      hireDate: "2024-03-01",
      serviceStartDate: "2024-03-01",
      probationEndDate: "2024-08-31",
      contractType: "fixed",
      contractStartDate: "2024-03-01",
      contractEndDate: "2027-02-28",
      identities: { slack: "U012ABC", lark: "ou_abc123" },
    });
    expect(created.status).toBe(201);
    const body = (await created.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      externalId: "E1",
      managerExternalId: "M1",
      personalEmail: "l***@private-mail.test",
      idNumber: "**************7777",
      bankAccount: "***************3445",
      identities: { slack: "U012ABC", lark: "ou_abc123" },
    });

    const reader = await key("system:hris", ["employees:read"]);
    expect((await t.request("/api/v1/employees/E1?include=sensitive", get(reader))).status).toBe(403);
    const trusted = await key("system:payroll", ["employees:read", "employees:sensitive"]);
    const full = (await (
      await t.request("/api/v1/employees/E1?include=sensitive", get(trusted))
    ).json()) as Record<string, unknown>;
    expect(full).toMatchObject(secrets);
  });

  it("stores no personal data in clear anywhere in the database", async () => {
    await put("E1", { name: "林一", ...secrets, managerExternalId: "M1" });
    const dump = JSON.stringify(
      await database.query(sql`select (select json_agg(e) from employees e) as a,
        (select json_agg(k) from employee_data_keys k) as b,
        (select json_agg(v) from evidence_entries v) as c,
        (select json_agg(i) from identity_changes i) as d`),
    );
    for (const value of Object.values(secrets)) expect(dump).not.toContain(value);
    expect(dump).not.toContain("lin.home");
  });

  it("updates in place, reports what changed, and is harmless to repeat", async () => {
    const body = { name: "林一", managerExternalId: "M1", position: "Engineer", ...secrets };
    await put("E1", body);
    const same = await put("E1", body);
    expect(same.status).toBe(200);
    expect(await same.json()).toMatchObject({ changed: [], version: 1 });
    const moved = await put("E1", { ...body, position: "Senior Engineer", idNumber: "310101199001018888" });
    expect(await moved.json()).toMatchObject({ changed: ["idNumber", "position"], version: 2 });
  });

  it("records identity changes, and refuses an identity that belongs to someone else", async () => {
    await put("E1", { name: "林一", identities: { slack: "U1" } });
    await put("E1", { name: "林一", identities: { slack: "U2" } });
    const history = (await (await t.request("/api/v1/employees/E1/identity-history", get())).json()) as {
      changes: { platform: string; previousId: string | null; newId: string }[];
    };
    expect(history.changes.map((c) => [c.previousId, c.newId])).toEqual([
      ["U1", "U2"],
      [null, "U1"],
    ]);
    const clash = await put("E2", { name: "Other", identities: { slack: "U2" } });
    expect(clash.status).toBe(409);
    expect((await t.request("/api/v1/employees/E2", get())).status).toBe(404);
  });

  it.each([
    [{ name: "X", managerExternalId: "NOPE" }, 422, /not in the directory/],
    [{ name: "X", managerExternalId: "E1" }, 422, /own manager/],
    [{ name: "X", entity: "nowhere" }, 422, /entity nowhere/],
    [{ name: "X", hireDate: "2026-02-30" }, 400, /expected fields/],
    [{ name: "X", hireDate: "2026-03-01", probationEndDate: "2026-02-01" }, 422, /probationEndDate/],
    [{ name: "X", unknownField: 1 }, 400, /expected fields/],
    [{ name: "X", identities: { icq: "1" } }, 400, /expected fields/],
    [{ name: "" }, 400, /expected fields/],
    [{ name: "X", timeZone: "Mars/Base" }, 400, /expected fields/],
  ])("refuses %o with %i and changes nothing", async (body, status, message) => {
    const res = await put("E1", body);
    expect(res.status).toBe(status);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(message);
    expect((await t.request("/api/v1/employees/E1", get())).status).toBe(404);
  });

  it("refuses a manager that would make a reporting cycle", async () => {
    await put("E1", { name: "A", managerExternalId: "M1" });
    await put("E2", { name: "B", managerExternalId: "E1" });
    const res = await put("M1", { name: "经理 Boss", managerExternalId: "E2", functions: ["hr"] });
    expect(res.status).toBe(422);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/cycle/);
    const chain = (await (await t.request("/api/v1/employees/E2/manager-chain", get())).json()) as {
      managers: { externalId: string }[];
    };
    expect(chain.managers.map((m) => m.externalId)).toEqual(["E1", "M1"]);
  });

  it("answers 400 for a bad id in the path and 404 for an unknown employee", async () => {
    expect((await t.request("/api/v1/employees/bad%20id", get())).status).toBe(400);
    expect((await t.request("/api/v1/employees/NOBODY", get())).status).toBe(404);
  });

  it("lets HR people and systems maintain the directory, not other people", async () => {
    await put("E1", { name: "Plain Person", managerExternalId: "M1" });
    const plain = await key("employee:E1", ["employees:write"]);
    expect((await put("E2", { name: "X" }, plain)).status).toBe(403);
    const hr = await key("employee:M1", ["employees:write"]);
    expect((await put("E2", { name: "X" }, hr)).status).toBe(201);
    const noScope = await key("system:hris", ["employees:read"]);
    expect((await put("E3", { name: "X" }, noScope)).status).toBe(403);
  });

  it("takes pay facts from HR or finance only", async () => {
    await put("E1", { name: "Worker", managerExternalId: "M1" });
    await put("F1", { name: "Finance", functions: ["finance"] });
    const finance = await key("employee:F1", ["employees:write"]);
    const facts = { averageMonthlyWageFen: 2_500_000, annualLeaveDays: 10, annualLeaveTakenDays: 3.5 };
    const res = await t.request("/api/v1/employees/E1/pay-facts", send("PUT", facts, finance));
    expect(res.status).toBe(200);
    expect(((await res.json()) as { payFacts: unknown }).payFacts).toMatchObject({
      ...facts,
      updatedBy: "employee:F1",
    });
    const worker = await key("employee:E1", ["employees:write"]);
    expect((await t.request("/api/v1/employees/E1/pay-facts", send("PUT", facts, worker))).status).toBe(403);
    expect(
      (await t.request("/api/v1/employees/E1/pay-facts", send("PUT", { annualLeaveDays: -1 }))).status,
    ).toBe(400);
  });

  it("erases personal data by destroying the data key", async () => {
    await put("E1", { name: "林一", ...secrets });
    const erased = await t.request(
      "/api/v1/employees/E1/erase-personal-data",
      send("POST", { reason: "retention ended" }),
    );
    expect(erased.status).toBe(200);
    expect(await erased.json()).toMatchObject({ personalDataErased: true, idNumber: "erased", name: "林一" });
    const keys = await database.query<{ wrapped_key: string | null }>(
      sql`select wrapped_key from employee_data_keys`,
    );
    expect(keys.every((k) => k.wrapped_key === null)).toBe(true);
    expect((await put("E1", { name: "林一", ...secrets })).status).toBe(422);
    expect((await put("E1", { name: "林一 renamed" })).status).toBe(200);
  });

  it("lists in pages", async () => {
    for (const id of ["A1", "A2", "A3"]) await put(id, { name: id, role: "sales" });
    const first = (await (await t.request("/api/v1/employees?role=sales&limit=2", get())).json()) as {
      employees: { externalId: string }[];
      next: string | null;
    };
    expect(first.employees.map((e) => e.externalId)).toEqual(["A1", "A2"]);
    const second = (await (
      await t.request(`/api/v1/employees?role=sales&limit=2&after=${first.next}`, get())
    ).json()) as {
      employees: { externalId: string }[];
      next: string | null;
    };
    expect(second.employees.map((e) => e.externalId)).toEqual(["A3"]);
    expect(second.next).toBeNull();
    expect((await t.request("/api/v1/employees?limit=abc", get())).status).toBe(400);
  });

  it("issues a login link for an active employee that opens their session", async () => {
    await put("E1", { name: "林一" });
    const res = await t.request("/api/v1/employees/E1/login-link", send("POST", { next: "/api/v1/me" }));
    expect(res.status).toBe(201);
    const { url } = (await res.json()) as { url: string };
    const acted = await t.request(new URL(url).pathname, { method: "POST" });
    const cookie = (acted.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
    expect(await (await t.request("/api/v1/me", { headers: { cookie } })).json()).toMatchObject({
      principal: "employee:E1",
    });
    await put("E2", { name: "Gone", status: "left" });
    expect((await t.request("/api/v1/employees/E2/login-link", send("POST", {}))).status).toBe(422);
    expect((await t.request("/api/v1/employees/NOBODY/login-link", send("POST", {}))).status).toBe(404);
    expect(
      (await t.request("/api/v1/employees/E1/login-link", send("POST", { next: "https://evil.example" })))
        .status,
    ).toBe(422);
  });
});

describe("CSV import", () => {
  const importCsv = (text: string) =>
    t.request("/api/v1/employees/import", {
      method: "POST",
      headers: { "content-type": "text/csv", authorization: `Bearer ${adminToken}` },
      body: text,
    });
  const count = async () =>
    (await database.query<{ n: number }>(sql`select count(*)::int as n from employees`))[0]?.n;

  it("imports a whole file, managers before their reports", async () => {
    const csv = [
      "externalId,name,managerExternalId,functions,hireDate,slack,personalEmail",
      "C3,Third,C2,,2024-01-01,U3,",
      "C2,Second,C1,hr,2023-01-01,U2,c2@home.test",
      "C1,First,M1,,2022-01-01,U1,",
    ].join("\n");
    const res = await importCsv(csv);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ rows: 3, created: 3, updated: 0, unchanged: 0 });
    expect(await importCsv(csv).then((r) => r.json())).toEqual({
      rows: 3,
      created: 0,
      updated: 0,
      unchanged: 3,
    });
    const c3 = (await (await t.request("/api/v1/employees/C3/manager-chain", get())).json()) as {
      managers: { externalId: string }[];
    };
    expect(c3.managers.map((m) => m.externalId)).toEqual(["C2", "C1", "M1"]);
  });

  it("reports every bad row with its line and imports nothing", async () => {
    const before = await count();
    const csv = [
      "externalId,name,managerExternalId,hireDate,slack,locale",
      "G1,Good,,2024-01-01,U1,en",
      "B1,,,2024-01-01,,",
      "B2,Bad date,,2024-13-01,,",
      "G1,Duplicate,,,,",
      "B3,Unknown manager,NOPE,,,",
      "B4,Same slack,,,U1,",
      "B5,Bad locale,,,,fr",
    ].join("\n");
    const res = await importCsv(csv);
    expect(res.status).toBe(422);
    const body = (await res.json()) as {
      error: { message: string; details: { line: number; reason: string }[] };
    };
    expect(body.error.message).toMatch(/nothing was imported/);
    expect(body.error.details.map((d) => d.line)).toEqual([3, 4, 5, 7, 8]);
    expect(body.error.details.find((d) => d.line === 5)?.reason).toMatch(/also on line 2/);
    expect(await count()).toBe(before);
    const managers = await importCsv(
      "externalId,name,managerExternalId\nOK1,Fine,\nB3,Unknown manager,NOPE\n",
    );
    expect(managers.status).toBe(422);
    expect(
      ((await managers.json()) as { error: { details: { line: number; reason: string }[] } }).error.details,
    ).toEqual([
      {
        line: 3,
        externalId: "B3",
        reason: "managerExternalId: NOPE is neither in the file nor in the directory",
      },
    ]);
    expect(await count()).toBe(before);
  });

  it.each([
    ['externalId,name\nX1,"unclosed\n', /malformed CSV/],
    ["externalId,name,colour\nX1,A,red\n", /unknown column/],
    ["name\nA\n", /externalId and name/],
    ["externalId,name\n", /no rows/],
    ["externalId,name\nX1,A,extra\n", /malformed CSV/],
  ])("refuses a malformed file %#", async (csv, message) => {
    const res = await importCsv(csv);
    expect(res.status).toBe(422);
    expect(JSON.stringify(await res.json())).toMatch(message);
  });

  it("refuses a cycle inside the file", async () => {
    const res = await importCsv("externalId,name,managerExternalId\nY1,A,Y2\nY2,B,Y1\n");
    expect(res.status).toBe(422);
    expect(JSON.stringify(await res.json())).toMatch(/cycle/);
  });
});

describe("demo organisation", () => {
  it("seeds a company with manager chains, HR and finance, once", async () => {
    await resetDatabase(database);
    const demo = await createTestApp(database, { env: { BATON_ADMIN_TOKEN: adminToken } });
    const first = await demo.services.operations.seed();
    // Later modules add their own demo sets (the agreement, courses) after these.
    expect(first.applied.slice(0, 2)).toEqual(["demo-welcome@1", "demo-organisation@2"]);
    const again = await demo.services.operations.seed();
    expect(again.applied).toEqual([]);
    const list = (await (await demo.request("/api/v1/employees?limit=500", get())).json()) as {
      employees: { externalId: string; functions: string[]; role: string }[];
    };
    expect(list.employees).toHaveLength(12);
    expect(list.employees.filter((e) => e.functions.includes("hr")).length).toBeGreaterThanOrEqual(2);
    expect(list.employees.filter((e) => e.functions.includes("finance")).length).toBeGreaterThanOrEqual(1);
    expect(new Set(list.employees.map((e) => e.role))).toEqual(new Set(["engineering", "sales", "admin"]));
    const chain = (await (await demo.request("/api/v1/employees/E1101/manager-chain", get())).json()) as {
      managers: { externalId: string }[];
    };
    expect(chain.managers.map((m) => m.externalId)).toEqual(["E1100", "E1000"]);
  });
});
