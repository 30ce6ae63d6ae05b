import { describe, expect, it } from "vitest";
import { type SettlementInput, settlementStatement } from "./settlement.ts";
import { severanceEntitlement } from "./severance-entitlement.ts";

describe("severance entitlement by separation type (LCL Art. 46)", () => {
  it.each([
    ["resignation", {}, { due: false, article: "law.lcl_art46" }],
    ["resignation-employer-fault", {}, { due: true, article: "law.lcl_art46_1" }],
    ["mutual", {}, { due: "unknown", missing: "mutualProposedBy" }],
    ["mutual", { mutualProposedBy: "employer" }, { due: true, article: "law.lcl_art46_2" }],
    ["mutual", { mutualProposedBy: "employee" }, { due: false, article: "law.lcl_art46_2" }],
    ["expiry", {}, { due: true, article: "law.lcl_art46_5" }],
    ["expiry", { renewalDeclinedOnEqualTerms: true }, { due: false, article: "law.lcl_art46_5" }],
    ["dismissal", {}, { due: "unknown", missing: "dismissalArticle" }],
    ["dismissal", { dismissalArticle: "39" }, { due: false, article: "law.lcl_art39" }],
    ["dismissal", { dismissalArticle: "40" }, { due: true, article: "law.lcl_art46_3" }],
    ["dismissal", { dismissalArticle: "41" }, { due: true, article: "law.lcl_art46_4" }],
  ] as const)("%s %j → %j", (type, facts, expected) => {
    expect(severanceEntitlement(type, facts)).toEqual(expected);
  });
});

const base: SettlementInput = {
  separationType: "mutual",
  severanceFacts: { mutualProposedBy: "employer" },
  terminationDate: "2026-03-31",
  serviceStartDate: "2023-01-01",
  hireDate: "2023-01-01",
  averageMonthlyWageFen: 2_000_000,
  annualLeaveDays: 10,
  annualLeaveTakenDays: 0,
  localMinimumMonthlyWageFen: 274_000,
  localAverageMonthlyWageFen: 1_200_000,
  finalWagesFen: 1_500_000,
  finance: { status: "settled", items: [] },
};

describe("settlement statement", () => {
  it("computes every figure with its articles when everything is known", () => {
    const statement = settlementStatement(base);
    expect(statement.owedToEmployee.map((f) => [f.key, f.status, f.amountFen, f.articles])).toEqual([
      ["final-wages", "entered", 1_500_000, ["law.wage_provisions_art9"]],
      // 90 days elapsed × 10 / 365 = 2.46 → 2 days × 200 % of 2,000,000 ÷ 21.75
      ["unused-leave-pay", "computed", 367_816, ["law.leave_art12"]],
      // 3 years 3 months → 3.5 months' wage
      ["severance", "computed", 7_000_000, ["law.lcl_art46_2", "law.lcl_art47"]],
    ]);
    expect(statement.owedToEmployee[2]?.payableWhen).toBe("handover-done");
    expect(statement.owedToEmployeeKnownFen).toBe(1_500_000 + 367_816 + 7_000_000);
    expect(statement.complete).toBe(true);
  });

  it("marks figures missing, naming the inputs, instead of failing", () => {
    const statement = settlementStatement({
      ...base,
      severanceFacts: {},
      averageMonthlyWageFen: null,
      localAverageMonthlyWageFen: null,
      finalWagesFen: null,
      finance: { status: "requested", items: [] },
    });
    expect(statement.owedToEmployee.map((f) => [f.key, f.status, f.missing])).toEqual([
      ["final-wages", "missing", ["finalWagesFen"]],
      ["unused-leave-pay", "missing", ["averageMonthlyWageFen"]],
      ["severance", "missing", ["mutualProposedBy"]],
    ]);
    expect(
      settlementStatement({ ...base, averageMonthlyWageFen: null, localAverageMonthlyWageFen: null })
        .owedToEmployee[2]?.missing,
    ).toEqual(["averageMonthlyWageFen", "localAverageMonthlyWage"]);
    expect(statement.complete).toBe(false);
  });

  it("gives no severance for a plain resignation, and sums what finance says is owed", () => {
    const statement = settlementStatement({
      ...base,
      separationType: "resignation",
      finance: {
        status: "outstanding",
        items: [
          { id: "a", description: "advance", amountFen: 100_000, kind: "advance" },
          { id: "b", description: "laptop", amountFen: 50_000, kind: "equipment" },
        ],
      },
    });
    expect(statement.owedToEmployee[2]).toMatchObject({
      status: "not-due",
      amountFen: 0,
      articles: ["law.lcl_art46"],
    });
    expect(statement.owedByEmployee.totalFen).toBe(150_000);
  });

  it("prorates leave from a hire date in the leaving year", () => {
    const statement = settlementStatement({
      ...base,
      hireDate: "2026-02-01",
      serviceStartDate: "2026-02-01",
    });
    // 59 days × 10 / 365 = 1.6 → 1 day
    expect(statement.owedToEmployee[1]?.details).toMatchObject({ elapsedDays: 59, unusedDays: 1 });
  });
});
