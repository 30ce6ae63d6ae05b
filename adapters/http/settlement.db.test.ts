import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { CaseView } from "../../core/offboarding/case.ts";
import type { Database } from "../../db/client.ts";
import type { TestApp } from "../../test/helpers/app.ts";
import { testDatabase } from "../../test/helpers/db.ts";
import { companyTestApp, createKey, evidenceCount, request } from "../../test/helpers/offboarding.ts";

let database: Database;
let t: TestApp;
let hr: string;
let fin: string;

type Figure = {
  key: string;
  label: string;
  status: string;
  amountFen: number | null;
  articles: { id: string; name: string }[];
  missing: { input: string; message: string }[];
};
type Settlement = { owedToEmployee: Figure[]; owedToEmployeeKnownFen: number; complete: boolean };

async function openCase(employee: string, body: Record<string, unknown> = {}): Promise<CaseView> {
  const res = await request(
    t,
    "POST",
    "/api/v1/resignations",
    { employeeExternalId: employee, noticeDate: "2026-03-02", ...body },
    hr,
    { "idempotency-key": `k-${employee}-${Math.random()}` },
  );
  expect(res.status).toBe(201);
  return (await res.json()) as CaseView;
}

const settlementOf = async (caseId: string, token = hr, language = "en") => {
  const res = await request(t, "GET", `/api/v1/cases/${caseId}/settlement`, undefined, token, {
    "accept-language": language,
  });
  return { status: res.status, body: (await res.json()) as Settlement };
};

const figure = (s: Settlement, key: string) => s.owedToEmployee.find((f) => f.key === key) as Figure;

beforeAll(async () => {
  database = await testDatabase();
});

beforeEach(async () => {
  t = await companyTestApp(database);
  const entity = await request(t, "PUT", "/api/v1/entities/acme-sh", {
    name: "Acme (Shanghai) Ltd.",
    city: "Shanghai",
    wageRates: [
      { kind: "minimum_monthly", amountFen: 274_000, effectiveFrom: "2025-07-01" },
      { kind: "average_monthly", amountFen: 1_200_000, effectiveFrom: "2025-07-01" },
    ],
  });
  expect(entity.status).toBe(200);
  hr = await createKey(t, "employee:HR1", ["cases:write", "cases:read", "cases:admin"]);
  fin = await createKey(t, "employee:FIN1", ["cases:write", "cases:read", "employees:write"]);
  const facts = await request(
    t,
    "PUT",
    "/api/v1/employees/E1/pay-facts",
    { averageMonthlyWageFen: 2_000_000, annualLeaveDays: 10, annualLeaveTakenDays: 0 },
    fin,
  );
  expect(facts.status).toBe(200);
});

describe("GET /api/v1/cases/:id/settlement", () => {
  it("shows a resignation's figures with the article behind each, and no severance (Art. 46)", async () => {
    const view = await openCase("E1");
    const { status, body } = await settlementOf(view.id);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      terminationDate: "2026-04-01",
      separationType: "resignation",
      complete: false,
    });
    expect(figure(body, "severance")).toMatchObject({
      status: "not-due",
      amountFen: 0,
      articles: [{ id: "law.lcl_art46", name: "Labor Contract Law Art. 46" }],
    });
    // Jan 1 – Apr 1: 91 days × 10 / 365 = 2.49 → 2 days at 200 % of 2,000,000 ÷ 21.75.
    expect(figure(body, "unused-leave-pay")).toMatchObject({ status: "computed", amountFen: 367_816 });
    expect(figure(body, "final-wages")).toMatchObject({ status: "missing", amountFen: null });
    expect(figure(body, "final-wages").missing[0]?.message).toContain("2026-04-01");
  });

  it("computes severance for a mutual ending the employer proposed, once HR records who proposed it", async () => {
    const view = await openCase("E1", { separationType: "mutual", requestedLastDay: "2026-03-31" });
    let { body } = await settlementOf(view.id, fin, "zh-CN");
    expect(figure(body, "severance")).toMatchObject({ status: "missing" });
    expect(figure(body, "severance").missing).toEqual([
      { input: "mutualProposedBy", message: expect.stringContaining("mutualProposedBy") },
    ]);
    const put = await request(
      t,
      "PUT",
      `/api/v1/cases/${view.id}/settlement`,
      { mutualProposedBy: "employer", note: "协商解除协议 2026-03-02" },
      hr,
    );
    expect(put.status).toBe(200);
    ({ body } = await settlementOf(view.id, fin, "zh-CN"));
    // Hired 2023-01-01, leaving 2026-03-31: 3 years 3 months → 3.5 months × 20,000 yuan.
    expect(figure(body, "severance")).toMatchObject({
      status: "computed",
      amountFen: 7_000_000,
      articles: [
        { id: "law.lcl_art46_2", name: expect.stringContaining("第四十六条") },
        { id: "law.lcl_art47", name: "《劳动合同法》第四十七条" },
      ],
    });
    expect(await evidenceCount(database, "settlement.facts.recorded")).toBe(1);
  });

  it("takes the final wages from finance and decides a dismissal by its article", async () => {
    const view = await openCase("E1", { separationType: "dismissal", requestedLastDay: "2026-03-20" });
    let { body } = await settlementOf(view.id);
    expect(figure(body, "severance").missing.map((m) => m.input)).toEqual(["dismissalArticle"]);
    await request(
      t,
      "PUT",
      `/api/v1/cases/${view.id}/settlement`,
      { dismissalArticle: "39", finalWagesFen: 1_300_000 },
      fin,
    );
    ({ body } = await settlementOf(view.id));
    expect(figure(body, "severance")).toMatchObject({
      status: "not-due",
      articles: [{ id: "law.lcl_art39" }],
    });
    expect(figure(body, "final-wages")).toMatchObject({ status: "entered", amountFen: 1_300_000 });
    await request(t, "PUT", `/api/v1/cases/${view.id}/settlement`, { dismissalArticle: "40" }, hr);
    ({ body } = await settlementOf(view.id));
    expect(figure(body, "severance")).toMatchObject({
      status: "computed",
      articles: [{ id: "law.lcl_art46_3" }, { id: "law.lcl_art47" }],
    });
  });

  it("marks figures missing with what to enter when the pay facts are not there (never a 500)", async () => {
    const view = await openCase("E2", { separationType: "resignation-employer-fault" });
    const { status, body } = await settlementOf(view.id);
    expect(status).toBe(200);
    expect(figure(body, "unused-leave-pay").missing.map((m) => m.input)).toEqual([
      "averageMonthlyWageFen",
      "annualLeaveDays",
      "annualLeaveTakenDays",
    ]);
    expect(figure(body, "severance").missing.map((m) => m.input)).toEqual([
      "serviceStartDate",
      "averageMonthlyWageFen",
    ]);
    expect(figure(body, "severance").missing[1]?.message).toMatch(/E2.*pay facts/);
  });

  it("is for finance, HR and systems only, and nobody enters facts on their own case", async () => {
    const view = await openCase("E1");
    const colleague = await createKey(t, "employee:E2", ["cases:read", "cases:write"]);
    expect((await settlementOf(view.id, colleague)).status).toBe(403);
    const missing = await request(
      t,
      "GET",
      "/api/v1/cases/00000000-0000-4000-8000-000000000000/settlement",
      undefined,
      hr,
    );
    expect(missing.status).toBe(404);
    const hrLeaving = await openCase("HR2");
    const hr2 = await createKey(t, "employee:HR2", ["cases:write", "cases:read"]);
    const own = await request(
      t,
      "PUT",
      `/api/v1/cases/${hrLeaving.id}/settlement`,
      { finalWagesFen: 1 },
      hr2,
    );
    expect(own.status).toBe(403);
    const bad = await request(
      t,
      "PUT",
      `/api/v1/cases/${view.id}/settlement`,
      { dismissalArticle: "42" },
      hr,
    );
    expect(bad.status).toBe(400);
  });
});
