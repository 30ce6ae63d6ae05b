/** The legal sources findings cite; each is a catalogue key (`law.*`) with its name in zh-CN and en. */
export const lawArticles = [
  "law.lcl_art9",
  "law.lcl_art22",
  "law.lcl_art23",
  "law.lcl_art24",
  "law.lcl_art25",
  "law.lcl_art37",
  "law.lcl_art37_art26",
  "law.lcl_art50",
  "law.lcl_art50_para2",
  "law.regs_art16",
  "law.spc1_art36",
  "law.mol_1996_355_art2",
  "law.wage_provisions_art9",
] as const;

export type LawArticle = (typeof lawArticles)[number];

/** One thing the linter found: what, how bad, which article it breaks, and where in the input. */
export type LintFinding = {
  severity: "error" | "warning";
  /** Stable code, e.g. `non_compete.too_long`; the message is the catalogue key `lint.<code>`. */
  code: string;
  /** The article broken; null for a malformed input. */
  article: LawArticle | null;
  /** Placeholders of the message. */
  params: Record<string, string | number>;
  /** Where: a dotted path into the terms (`nonCompete.months`, `penalties.1.kind`) or `body`. */
  path: string;
  /** For findings in the text: the line of the document (1-based). */
  line?: number;
};

export type LintReport = {
  /** No errors (warnings allowed). */
  ok: boolean;
  errors: number;
  warnings: number;
  findings: LintFinding[];
};

export function report(findings: LintFinding[]): LintReport {
  const errors = findings.filter((f) => f.severity === "error").length;
  return { ok: errors === 0, errors, warnings: findings.length - errors, findings };
}
