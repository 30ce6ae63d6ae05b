import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { FrontMatterError, parseFrontMatter } from "./front-matter.ts";
import { lintMarkdown } from "./lint-document.ts";

const fixtures = path.resolve(import.meta.dirname, "../../test/fixtures/lint");
const read = (name: string) => readFileSync(path.join(fixtures, name), "utf8");
const errorCodes = (name: string) =>
  lintMarkdown(read(name))
    .findings.filter((f) => f.severity === "error")
    .map((f) => `${f.code}@${f.path}`);

/** The errors each bad fixture must produce (warnings may come on top). */
const bad: Record<string, string[]> = {
  "bad-transfer-for-a-year.zh.md": ["delay.resignation@processingDelays.0"],
  "bad-penalties.en.md": [
    "penalty.confidentiality@penalties.0.kind",
    "penalty.not_allowed@penalties.1.kind",
    "penalty.above_training_cost@penalties.2.amountFen",
  ],
  "bad-non-compete.zh.md": [
    "non_compete.too_long@nonCompete.months",
    "non_compete.wrong_staff@nonCompete.binds.0",
  ],
  "bad-gates.en.md": ["gate.certificate@gates.0", "gate.last_day@gates.1", "gate.transfer@gates.2"],
  "bad-declassification.zh.md": [
    "notice.too_long@noticePeriod",
    "declassification.too_long@declassificationPeriod.months",
    "declassification.no_basis@declassificationPeriod.basis",
  ],
  "bad-yaml.md": ["front_matter.invalid@frontMatter"],
};

describe("lintMarkdown over the fixtures", () => {
  it("passes every good fixture without errors", () => {
    const good = readdirSync(fixtures).filter((f) => f.startsWith("good-"));
    expect(good.length).toBeGreaterThanOrEqual(3);
    for (const name of good) {
      const result = lintMarkdown(read(name));
      expect(
        result.findings.filter((f) => f.severity === "error"),
        name,
      ).toEqual([]);
      expect(result.ok).toBe(true);
    }
  });

  it("finds the expected errors in every bad fixture", () => {
    const names = readdirSync(fixtures).filter((f) => f.startsWith("bad-"));
    expect(names.sort()).toEqual(Object.keys(bad).sort());
    for (const name of names) expect(errorCodes(name), name).toEqual(bad[name]);
  });

  it("warns on the text of the bad fixtures with their document lines", () => {
    const result = lintMarkdown(read("bad-transfer-for-a-year.zh.md"));
    const text = result.findings.filter((f) => f.path === "body").map((f) => [f.line, f.code]);
    expect(text).toEqual([
      [12, "text.delayed_processing"],
      [13, "text.approval"],
      [14, "text.certificate_gated"],
    ]);
  });

  it("reports a YAML problem with its line", () => {
    const [finding] = lintMarkdown(read("bad-yaml.md")).findings;
    expect(finding).toMatchObject({ severity: "error", code: "front_matter.invalid", line: 5 });
  });

  it("warns when a document declares no terms, and lints its text anyway", () => {
    const result = lintMarkdown("# Policy\n\nThe employee pays a penalty for short notice.\n");
    expect(result.ok).toBe(true);
    expect(result.findings.map((f) => [f.code, f.line])).toEqual([
      ["terms.missing", undefined],
      ["text.penalty", 3],
    ]);
  });
});

describe("parseFrontMatter", () => {
  it("splits front matter from the body and keeps dates as strings", () => {
    const doc = parseFrontMatter("---\ntitle: x\neffective: 2026-01-01\n---\n# Body\n");
    expect(doc).toEqual({
      frontMatter: { title: "x", effective: "2026-01-01" },
      body: "# Body\n",
      bodyFirstLine: 5,
    });
  });

  it("treats a document without an opening --- as all body, and refuses an unclosed one", () => {
    expect(parseFrontMatter("# Title\n---\n")).toEqual({
      frontMatter: undefined,
      body: "# Title\n---\n",
      bodyFirstLine: 1,
    });
    expect(() => parseFrontMatter("---\ntitle: x\n")).toThrow(FrontMatterError);
  });

  it("refuses YAML alias bombs", () => {
    const bomb = [
      "---",
      'a: &a ["x","x","x","x","x","x","x","x","x"]',
      "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]",
      "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]",
      "d: [*c,*c,*c,*c,*c,*c,*c,*c,*c]",
      "---",
    ].join("\n");
    expect(() => parseFrontMatter(bomb)).toThrow(FrontMatterError);
  });
});
