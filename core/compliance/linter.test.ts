import { describe, expect, it } from "vitest";
import { catalogues } from "../messages/index.ts";
import { type LintFinding, lint, presentFinding, termsOfFrontMatter } from "./linter.ts";

const codes = (findings: LintFinding[]) => findings.map((f) => `${f.severity}:${f.code}@${f.path}`);
const only = (terms: unknown) => lint({ terms }).findings;

describe("linter: non-compete (LCL Arts. 23–24, SPC-I Art. 36)", () => {
  it("allows exactly 24 months for Art. 24 staff with monthly pay", () => {
    expect(
      only({
        nonCompete: { months: 24, monthlyPayFen: 800000, binds: ["senior-manager", "senior-technical"] },
      }),
    ).toEqual([]);
  });

  it("refuses 25 months under Art. 24", () => {
    const [finding] = only({ nonCompete: { months: 25, monthlyPayFen: 1, binds: ["senior-technical"] } });
    expect(finding).toMatchObject({
      severity: "error",
      code: "non_compete.too_long",
      article: "law.lcl_art24",
      path: "nonCompete.months",
      params: { months: 25, max: 24 },
    });
  });

  it("refuses staff outside Art. 24's categories, naming the wrong one", () => {
    const findings = only({
      appliesTo: { positionCategories: ["confidentiality-duty", "all-staff"] },
      nonCompete: { months: 12, monthlyPayFen: 500000 },
    });
    expect(codes(findings)).toEqual(["error:non_compete.wrong_staff@appliesTo.positionCategories.1"]);
    expect(findings[0]?.article).toBe("law.lcl_art24");
    expect(findings[0]?.params.category).toBe("all-staff");
  });

  it("warns (not errs) when no pay is agreed: the SPC-I Art. 36 default applies", () => {
    const findings = only({ nonCompete: { months: 6, binds: ["senior-manager"] } });
    expect(findings).toEqual([
      expect.objectContaining({ severity: "warning", code: "non_compete.no_pay", article: "law.spc1_art36" }),
    ]);
    expect(lint({ terms: { nonCompete: { months: 6, binds: ["senior-manager"] } } }).ok).toBe(true);
  });

  it("warns about zero pay, a percentage under 30 % and pay folded into wages", () => {
    expect(codes(only({ nonCompete: { months: 6, monthlyPayFen: 0, binds: ["senior-manager"] } }))).toEqual([
      "warning:non_compete.zero_pay@nonCompete.monthlyPayFen",
    ]);
    expect(
      codes(
        only({
          nonCompete: {
            months: 6,
            monthlyPayPercent: 20,
            binds: ["senior-manager"],
            paidDuringEmployment: true,
          },
        }),
      ),
    ).toEqual([
      "warning:non_compete.low_percent@nonCompete.monthlyPayPercent",
      "warning:non_compete.paid_during_employment@nonCompete.paidDuringEmployment",
    ]);
  });

  it("asks whom it binds when nobody is named", () => {
    expect(codes(only({ nonCompete: { months: 6, monthlyPayFen: 1 } }))).toEqual([
      "warning:non_compete.no_category@nonCompete.binds",
    ]);
  });
});

describe("linter: penalties (LCL Arts. 22, 23, 25)", () => {
  it("allows a service-period penalty up to the training cost and a non-compete penalty", () => {
    expect(
      only({
        nonCompete: { months: 12, monthlyPayFen: 1, binds: ["senior-technical"] },
        penalties: [
          { kind: "training-service-period", amountFen: 100, trainingCostFen: 100 },
          { kind: "non-compete", amountFen: 1_000_000 },
        ],
      }),
    ).toEqual([]);
  });

  it("voids a confidentiality penalty under Art. 25", () => {
    expect(only({ penalties: [{ kind: "confidentiality", amountFen: 100 }] })).toEqual([
      expect.objectContaining({
        severity: "error",
        code: "penalty.confidentiality",
        article: "law.lcl_art25",
        path: "penalties.0.kind",
      }),
    ]);
  });

  it("voids any other penalty under Art. 25", () => {
    const [finding] = only({ penalties: [{ kind: "short-notice", amountFen: 100 }] });
    expect(finding).toMatchObject({
      code: "penalty.not_allowed",
      article: "law.lcl_art25",
      params: { kind: "short-notice" },
    });
  });

  it("refuses a service-period penalty above the training cost (Art. 22) and asks for the cost (Regs Art. 16)", () => {
    expect(
      codes(
        only({
          penalties: [
            { kind: "training-service-period", amountFen: 101, trainingCostFen: 100 },
            { kind: "training-service-period", amountFen: 100 },
          ],
        }),
      ),
    ).toEqual([
      "error:penalty.above_training_cost@penalties.0.amountFen",
      "warning:penalty.training_cost_missing@penalties.1.trainingCostFen",
    ]);
  });

  it("warns about a non-compete penalty without a non-compete (Art. 23)", () => {
    expect(only({ penalties: [{ kind: "non-compete" }] })[0]).toMatchObject({
      severity: "warning",
      article: "law.lcl_art23",
    });
  });
});

describe("linter: notice, 脱密期, gates and delays (LCL Arts. 37, 50, 26; 劳部发〔1996〕355号)", () => {
  it("allows 30 days' notice, and 3 in probation; refuses more", () => {
    expect(only({ noticePeriod: { days: 30 } })).toEqual([]);
    expect(only({ appliesTo: { probation: true }, noticePeriod: { days: 3 } })).toEqual([]);
    expect(only({ noticePeriod: { days: 31 } })[0]).toMatchObject({
      severity: "error",
      code: "notice.too_long",
      article: "law.lcl_art37",
      params: { max: 30, length: "P31D" },
    });
    expect(only({ appliesTo: { probation: true }, noticePeriod: { days: 30 } })[0]).toMatchObject({
      code: "notice.too_long",
      params: { max: 3 },
    });
    expect(only({ noticePeriod: { months: 1 } })[0]).toMatchObject({
      severity: "warning",
      code: "notice.month",
    });
  });

  it("allows a 脱密期 of 6 months with a basis; refuses 7 months and one without a basis", () => {
    expect(only({ declassificationPeriod: { months: 6, basis: "劳动合同第十二条" } })).toEqual([]);
    expect(codes(only({ declassificationPeriod: { months: 7 } }))).toEqual([
      "error:declassification.too_long@declassificationPeriod.months",
      "error:declassification.no_basis@declassificationPeriod.basis",
    ]);
    expect(only({ declassificationPeriod: { months: 7 } })[0]?.article).toBe("law.mol_1996_355_art2");
  });

  it("refuses gates on the certificate, transfer, last day, resignation and final wages", () => {
    const findings = only({
      gates: [
        { target: "certificate", waitsFor: ["handover"] },
        { target: "transfer", waitsFor: ["settlement"] },
        { target: "last-day", waitsFor: ["training"] },
        { target: "resignation", waitsFor: ["approval"] },
        { target: "final-wages", waitsFor: ["handover"] },
      ],
    });
    expect(findings.map((f) => [f.code, f.article, f.path])).toEqual([
      ["gate.certificate", "law.lcl_art50", "gates.0"],
      ["gate.transfer", "law.lcl_art50", "gates.1"],
      ["gate.last_day", "law.lcl_art37", "gates.2"],
      ["gate.resignation", "law.lcl_art37", "gates.3"],
      ["gate.final_wages", "law.wage_provisions_art9", "gates.4"],
    ]);
    expect(findings.every((f) => f.severity === "error")).toBe(true);
  });

  it("allows internal step gates, nudges that lift at the legal date, and severance after the handover", () => {
    expect(
      only({
        gates: [
          { target: "step:handover", waitsFor: ["check", "training"] },
          { target: "certificate", waitsFor: ["handover"], until: "legal-date" },
          { target: "severance", waitsFor: ["handover"] },
        ],
      }),
    ).toEqual([]);
    expect(only({ gates: [{ target: "severance", waitsFor: ["handover", "training"] }] })[0]).toMatchObject({
      severity: "warning",
      code: "gate.severance",
      article: "law.lcl_art50_para2",
      params: { waitsFor: "training" },
    });
  });

  it("refuses 'transfer for a year first' under Arts. 37 and 26(1), and late certificates and transfers under Art. 50", () => {
    const findings = only({
      processingDelays: [
        { what: "resignation", months: 12, condition: "transfer to another post first" },
        { what: "certificate", days: 1 },
        { what: "transfer", days: 15 },
        { what: "transfer", days: 16 },
      ],
    });
    expect(findings.map((f) => [f.code, f.article, f.path])).toEqual([
      ["delay.resignation", "law.lcl_art37_art26", "processingDelays.0"],
      ["delay.certificate", "law.lcl_art50", "processingDelays.1"],
      ["delay.transfer", "law.lcl_art50", "processingDelays.3"],
    ]);
  });
});

describe("linter: input and text", () => {
  it("turns malformed terms into errors with the path of each wrong field", () => {
    const result = lint({
      terms: { nonCompete: { months: "two years" }, penalties: [{ kind: "x", amountFen: -1 }], surprise: 1 },
    });
    expect(result.ok).toBe(false);
    expect(result.findings.map((f) => [f.code, f.path])).toEqual(
      expect.arrayContaining([
        ["terms.invalid", "nonCompete.months"],
        ["terms.invalid", "penalties.0.amountFen"],
        ["terms.invalid", "terms"],
      ]),
    );
    expect(result.findings.every((f) => f.article === null)).toBe(true);
  });

  it("only warns on free text, in Chinese and English, with the line", () => {
    const body = [
      "员工离职须经总经理批准。",
      "核心员工须先调岗一年后方可办理离职。",
      "违反保密义务的，支付违约金五万元。",
      "We will approve your resignation after review.",
      "Staff must be transferred to another team for one year before we process your resignation.",
      "The certificate is issued only after the handover is complete.",
      "A deposit of RMB 1,000 is taken for the laptop.",
      "Liquidated damages apply.",
      "本协议约定竞业限制。",
      "Nothing to see here.",
      "离职手续一年后办理。",
    ].join("\n");
    const result = lint({ body, bodyFirstLine: 5 });
    expect(result.ok).toBe(true);
    expect(result.errors).toBe(0);
    expect(result.findings.map((f) => [f.line, f.code])).toEqual([
      [5, "text.approval"],
      [6, "text.delayed_processing"],
      [7, "text.penalty"],
      [8, "text.approval"],
      [9, "text.delayed_processing"],
      [10, "text.certificate_gated"],
      [11, "text.deposit"],
      [12, "text.penalty"],
      [13, "text.non_compete_undeclared"],
      [15, "text.delayed_processing"],
    ]);
  });

  it("keeps quiet about lawful wording", () => {
    const body = [
      "员工提前三十日以书面形式通知公司，即可解除劳动合同，无需公司批准。",
      "辞职无需审批。",
      "That is fine with us.",
      "We process your resignation when it arrives; no approval is needed.",
      "HR issues the separation certificate on your last day.",
      "依照《劳动合同法》第二十五条，本协议不约定由员工承担的违约金。",
      "本协议不包含竞业限制条款。",
      "This agreement sets no liquidated damages and contains no non-competition clause.",
      "## 五、竞业限制",
      "用人单位不得收取押金。",
    ].join("\n");
    expect(lint({ body }).findings).toEqual([]);
  });

  it("does not warn about an undeclared non-compete when the terms declare it", () => {
    const result = lint({
      terms: { nonCompete: { months: 12, monthlyPayFen: 1, binds: ["senior-technical"] } },
      body: "离职后十二个月内遵守竞业限制。",
    });
    expect(result.findings).toEqual([]);
  });

  it("reads terms under `terms:` or at the front matter's top level", () => {
    expect(termsOfFrontMatter({ title: "x", terms: { noticePeriod: { days: 30 } } })).toEqual({
      noticePeriod: { days: 30 },
    });
    expect(termsOfFrontMatter({ title: "x", nonCompete: { months: 1 } })).toEqual({
      nonCompete: { months: 1 },
    });
  });
});

describe("linter: presentation", () => {
  it("has a message in both languages for every finding code and article", () => {
    const everything = lint({
      terms: {
        appliesTo: { probation: true },
        noticePeriod: { days: 90 },
        declassificationPeriod: { months: 9 },
        nonCompete: { months: 30, binds: ["all"], paidDuringEmployment: true },
        penalties: [{ kind: "confidentiality" }, { kind: "x" }, { kind: "training-service-period" }],
        gates: [{ target: "certificate", waitsFor: ["handover"] }],
        processingDelays: [{ what: "resignation", months: 12 }],
      },
      body: "违约金\n押金\n脱密期\n请予批准",
    });
    for (const finding of everything.findings) {
      for (const locale of ["en", "zh-CN"] as const) {
        const presented = presentFinding(finding, locale);
        expect(presented.message, `${locale} ${finding.code}`).not.toBe(finding.code);
        expect(presented.message).not.toMatch(/\{\w+\}/);
        expect(presented.article).toBeTruthy();
      }
    }
    const keys = Object.keys(catalogues.en);
    expect(keys.filter((k) => k.startsWith("lint.")).length).toBeGreaterThan(30);
  });

  it("writes lengths out in the reader's language and names the article", () => {
    const [finding] = lint({ terms: { processingDelays: [{ what: "resignation", months: 12 }] } }).findings;
    const en = presentFinding(finding as LintFinding, "en");
    const zh = presentFinding(finding as LintFinding, "zh-CN");
    expect(en.message).toContain("12 months");
    expect(en.article).toBe("Labor Contract Law Arts. 37 and 26(1)");
    expect(zh.message).toContain("12 个月");
    expect(zh.article).toBe("《劳动合同法》第三十七条、第二十六条第一款");
  });
});
